/* Where a SIP trunk's far end lives by DNS (RFC 3263): NAPTR, then SRV, then A/AAAA,
 * through c-ares with a server of our choosing (--dns ADDR:PORT) or the system's. Every
 * query has a timeout; nothing here waits longer than the channel's tries allow. */
#ifndef TL_DNS_H
#define TL_DNS_H
#include "net_addr.h"
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct dns;

/* One place to send calls: an SRV record's target, port, priority and weight. */
struct dns_target {
	char host[256];
	uint16_t port, priority, weight;
};

/* A resolver: server "ADDR:PORT" ("[V6]:PORT") or NULL for the system's
 * (/etc/resolv.conf); each query is sent twice, waiting timeout_ms and then twice that
 * for an answer. NULL with why on failure. */
struct dns *dns_open(const char *server, int timeout_ms, char *why, size_t why_cap);
void dns_close(struct dns *d);

/* RFC 3263 4.1 and 4.2 for domain over TLS (tls: SIPS+D2T, _sips._tcp) or TCP (SIP+D2T,
 * _sip._tcp): the NAPTR records for the service, by order and preference, name the SRV
 * name (none: _sips._tcp.DOMAIN); its SRV records are the targets, by priority (no SRV
 * record: the domain itself on default_port). Up to max targets into out, *n of them.
 * 0, or a negative errno with why: -ENOENT (no such name or no record), -ETIMEDOUT (no
 * answer), -ELOOP (NAPTR records that lead on and on), -EPROTO (an answer that does
 * not parse). */
int dns_sip_targets(struct dns *d, const char *domain, bool tls, uint16_t default_port,
		    struct dns_target *out, unsigned max, unsigned *n, char *why, size_t why_cap);

/* The first address of host (a name, or an address as text) of family (AF_UNSPEC:
 * either, the resolver's order) with port. 0, or a negative errno with why as above
 * (-EAFNOSUPPORT: the name has addresses, none of that family). */
int dns_address(struct dns *d, const char *host, uint16_t port, int family, union tl_sockaddr *out,
		char *why, size_t why_cap);

#endif
