#include "cli_targets.h"
#include "dns.h"
#include "run.h"
#include "scenario.h"
#include <errno.h>
#include <netdb.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>

#define DNS_TIMEOUT_MS 1000 /* the first try; the second waits 2 s: a silent server costs 3 s */

/* The family target.family names, or that of transport.source (connections bound to
 * its addresses reach that family alone); from says which, for messages. */
static int family_of(const struct scenario *s, const char **from, char *why, size_t why_cap)
{
	static const int families[] = { [SCN_FAMILY_ANY] = AF_UNSPEC, [SCN_FAMILY_IPV4] = AF_INET,
					[SCN_FAMILY_IPV6] = AF_INET6 };
	int family = families[s->family];
	*from = " address (target.family)";
	if (!s->source_range.n)
		return family;
	if (family != AF_UNSPEC && family != s->source_range.family) {
		snprintf(why, why_cap, "transport.source %.60s is IPv%c, target.family says otherwise",
			 s->source, s->source_range.family == AF_INET6 ? '6' : '4');
		return -EINVAL;
	}
	*from = " address (as transport.source)";
	return s->source_range.family;
}

/* RFC 3263: the domain's SRV targets become the destinations. */
static int srv_dests(struct scenario *s, struct dns *d, char *why, size_t why_cap)
{
	struct dns_target t[DEST_MAX];
	unsigned n;
	bool tls = s->transport == SCN_TLS;
	int rc = dns_sip_targets(d, s->host, tls, tls ? 5061 : 5060, t, DEST_MAX, &n, why, why_cap);
	if (rc)
		return rc;
	snprintf(s->resolved_from, sizeof(s->resolved_from), "%.255s", s->host);
	for (unsigned i = 0; i < n; i++) {
		/* weight 0 (RFC 2782: "a very small chance"): the least share we can give */
		s->dests[i] = (struct scn_dest){ .port = t[i].port, .priority = t[i].priority,
						 .weight = t[i].weight ? t[i].weight : 1, .has_weight = true };
		snprintf(s->dests[i].host, sizeof(s->dests[i].host), "%.255s", t[i].host);
	}
	s->n_dests = n;
	s->distribution = DEST_SRV;
	/* the certificate names the SIP domain, not the host the SRV record points at
	 * (RFC 5922 4.1) */
	if (!s->server_name[0])
		snprintf(s->server_name, sizeof(s->server_name), "%s", s->resolved_from);
	return 0;
}

static int system_address(const char *host, uint16_t port, int family, const char *from,
			  union tl_sockaddr *out, char *why, size_t why_cap)
{
	struct addrinfo hints = { .ai_family = family, .ai_socktype = SOCK_STREAM };
	struct addrinfo *ai = NULL;
	char service[8];
	snprintf(service, sizeof(service), "%u", port);
	int rc = getaddrinfo(host, service, &hints, &ai);
	if (rc || !ai || ai->ai_addrlen > sizeof(*out)) {
		bool wrong_family = rc == EAI_ADDRFAMILY || (rc == EAI_NONAME && family != AF_UNSPEC);
		snprintf(why, why_cap, "%.120s: %s%s%s", host,
			 wrong_family ? "no" : rc ? gai_strerror(rc) : "no address",
			 !wrong_family ? "" : family == AF_INET6 ? " IPv6" : " IPv4", wrong_family ? from : "");
		if (ai)
			freeaddrinfo(ai);
		return -ENOENT;
	}
	memcpy(out, ai->ai_addr, ai->ai_addrlen);
	freeaddrinfo(ai);
	return 0;
}

int cli_resolve_targets(struct scenario *s, const char *dns_server, struct run_caller_config *cfg,
			char *why, size_t why_cap)
{
	const char *from;
	int family = family_of(s, &from, why, why_cap);
	if (family < 0)
		return family;
	struct dns *d = NULL;
	if (dns_server || s->resolve == SCN_RESOLVE_SRV) {
		if (!(d = dns_open(dns_server, DNS_TIMEOUT_MS, why, why_cap)))
			return -EINVAL;
	}
	int rc = s->resolve == SCN_RESOLVE_SRV ? srv_dests(s, d, why, why_cap) : 0;
	for (unsigned i = 0; !rc && i < scn_n_dests(s); i++) {
		struct scn_dest_view v = scn_dest(s, i);
		union tl_sockaddr a;
		rc = d ? dns_address(d, v.host, v.port, family, &a, why, why_cap) :
			 system_address(v.host, v.port, family, from, &a, why, why_cap);
		if (rc && s->resolved_from[0]) { /* say where the name came from */
			char said[200];
			snprintf(said, sizeof(said), "%s", why);
			snprintf(why, why_cap, "SRV target %u of %.100s: %s", i + 1, s->resolved_from, said);
		}
		if (rc)
			break;
		memcpy(&cfg->targets[i], &a, tl_sockaddr_len(&a));
		cfg->target_lens[i] = tl_sockaddr_len(&a);
		tl_sockaddr_hostport(&a, s->addresses[i], sizeof(s->addresses[i]));
	}
	dns_close(d);
	return rc;
}
