/* Where the run's calls go: each destination's address, and for a domain to resolve
 * (target.resolve srv, --target sips:DOMAIN) the destinations its DNS records name. */
#ifndef TL_CLI_TARGETS_H
#define TL_CLI_TARGETS_H
#include <stddef.h>

struct scenario;
struct run_caller_config;

/* Resolves s's target into cfg->targets (and s->addresses); with target.resolve srv
 * first replaces s's destinations with the domain's SRV targets (RFC 3263; their
 * priority and weight, target.distribution srv, the domain as the name to verify unless
 * target.server_name says one). dns_server "ADDR:PORT" sends every query there (c-ares),
 * NULL: getaddrinfo for names, the system's resolver for SRV. 0, or a negative errno
 * with why (the run cannot go). */
int cli_resolve_targets(struct scenario *s, const char *dns_server, struct run_caller_config *cfg,
			char *why, size_t why_cap);

#endif
