#include "dns.h"
#include <ares.h>
#include <arpa/nameser.h>
#include <errno.h>
#include <netdb.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/select.h>

#define NAPTR_DEPTH 4 /* non-terminal NAPTR records followed at most this far */

struct dns {
	ares_channel ch;
	char server[64]; /* for messages: "127.0.0.1:5353" or "the system's resolver" */
	int timeout_ms, tries;
};

struct dns *dns_open(const char *server, int timeout_ms, char *why, size_t why_cap)
{
	int rc = ares_library_init(ARES_LIB_INIT_ALL);
	struct dns *d = rc == ARES_SUCCESS ? calloc(1, sizeof(*d)) : NULL;
	if (!d) {
		snprintf(why, why_cap, "DNS: %s", rc == ARES_SUCCESS ? "out of memory" : ares_strerror(rc));
		return NULL;
	}
	d->timeout_ms = timeout_ms;
	d->tries = 2;
	struct ares_options o = { .timeout = timeout_ms, .tries = d->tries };
	rc = ares_init_options(&d->ch, &o, ARES_OPT_TIMEOUTMS | ARES_OPT_TRIES);
	if (rc == ARES_SUCCESS && server)
		rc = ares_set_servers_ports_csv(d->ch, server);
	if (rc != ARES_SUCCESS) {
		snprintf(why, why_cap, "DNS server %.60s: %s", server ? server : "(system)", ares_strerror(rc));
		if (d->ch)
			ares_destroy(d->ch);
		free(d);
		ares_library_cleanup();
		return NULL;
	}
	snprintf(d->server, sizeof(d->server), "%.60s", server ? server : "the system's resolver");
	return d;
}

void dns_close(struct dns *d)
{
	if (!d)
		return;
	ares_destroy(d->ch);
	free(d);
	ares_library_cleanup();
}

/* Runs the channel until its queries have answered or timed out (the channel's own
 * timeouts bound this). */
static void settle(struct dns *d)
{
	for (;;) {
		fd_set r, w;
		FD_ZERO(&r);
		FD_ZERO(&w);
		int nfds = ares_fds(d->ch, &r, &w);
		if (!nfds)
			return;
		struct timeval tv, *tvp = ares_timeout(d->ch, NULL, &tv);
		select(nfds, &r, &w, NULL, tvp);
		ares_process(d->ch, &r, &w);
	}
}

/* How a query went, as an errno and words; 0 for an answer. */
static int failed(const struct dns *d, int status, const char *what, const char *name, char *why,
		  size_t why_cap)
{
	int err;
	const char *words;
	switch (status) {
	case ARES_SUCCESS:
		return 0;
	case ARES_ENOTFOUND:
		err = -ENOENT, words = "no such name";
		break;
	case ARES_ENODATA:
		err = -ENOENT, words = "no record";
		break;
	case ARES_ETIMEOUT:
	case ARES_ECONNREFUSED:
		err = -ETIMEDOUT, words = "no answer";
		break;
	case ARES_EBADRESP:
	case ARES_EFORMERR:
		err = -EPROTO, words = "an answer that does not parse";
		break;
	default:
		err = -ENOENT, words = ares_strerror(status);
		break;
	}
	if (err == -ETIMEDOUT)
		/* c-ares doubles the wait at each try */
		snprintf(why, why_cap, "%s %.150s: no answer from %s within %.1f s (%d tries)", what,
			 name, d->server, d->timeout_ms * ((1 << d->tries) - 1) / 1000.0, d->tries);
	else
		snprintf(why, why_cap, "%s %.150s: %s (%s)", what, name, words, d->server);
	return err;
}

struct answer {
	int status;
	unsigned char *buf;
	int len;
};

static void on_answer(void *arg, int status, int timeouts, unsigned char *abuf, int alen)
{
	(void)timeouts;
	struct answer *a = arg;
	a->status = status;
	if (status == ARES_SUCCESS && abuf && alen > 0 && (a->buf = malloc((size_t)alen))) {
		memcpy(a->buf, abuf, (size_t)alen);
		a->len = alen;
	} else if (status == ARES_SUCCESS) {
		a->status = ARES_ENOMEM;
	}
}

static struct answer query(struct dns *d, const char *name, int type)
{
	struct answer a = { .status = ARES_ETIMEOUT };
	ares_query(d->ch, name, ns_c_in, type, on_answer, &a);
	settle(d);
	return a;
}

static int by_order(const void *x, const void *y)
{
	const struct ares_naptr_reply *a = *(struct ares_naptr_reply *const *)x,
				      *b = *(struct ares_naptr_reply *const *)y;
	return a->order != b->order ? a->order - b->order : a->preference - b->preference;
}

/* NAPTR records of name for service, in order: the SRV name (a terminal "s" record) into
 * srv_name. 0; -ENOENT with *none when name has no NAPTR record at all (then SRV of
 * the default name follows); other errors with why. */
static int naptr(struct dns *d, const char *name, const char *service, int depth, char *srv_name,
		 size_t cap, bool *none, char *why, size_t why_cap)
{
	if (depth > NAPTR_DEPTH) {
		snprintf(why, why_cap, "NAPTR %.150s: the records lead on past %d names (a loop?)", name,
			 NAPTR_DEPTH);
		return -ELOOP;
	}
	struct answer a = query(d, name, ns_t_naptr);
	struct ares_naptr_reply *list = NULL;
	int status = a.status == ARES_SUCCESS ? ares_parse_naptr_reply(a.buf, a.len, &list) : a.status;
	free(a.buf);
	int rc = failed(d, status, "NAPTR", name, why, why_cap);
	if (rc) {
		*none = depth == 0 && (status == ARES_ENODATA || status == ARES_ENOTFOUND);
		return rc;
	}
	struct ares_naptr_reply *sorted[64];
	unsigned n = 0;
	for (struct ares_naptr_reply *r = list; r && n < 64; r = r->next)
		if (!strcasecmp((const char *)r->service, service))
			sorted[n++] = r;
	qsort(sorted, n, sizeof(sorted[0]), by_order);
	rc = -ENOENT;
	snprintf(why, why_cap, "NAPTR %.150s: no record for %s (%s)", name, service, d->server);
	for (unsigned i = 0; i < n && rc == -ENOENT; i++) {
		const char *flags = (const char *)sorted[i]->flags, *next = sorted[i]->replacement;
		if (!next || !*next || !strcmp(next, "."))
			continue;
		if (!strcasecmp(flags, "s")) {
			snprintf(srv_name, cap, "%s", next);
			rc = 0;
		} else if (!*flags) { /* non-terminal: the NAPTR records of the replacement */
			bool unused;
			rc = naptr(d, next, service, depth + 1, srv_name, cap, &unused, why, why_cap);
		}
	}
	ares_free_data(list);
	return rc;
}

static int by_priority(const void *x, const void *y)
{
	const struct dns_target *a = x, *b = y;
	return a->priority != b->priority ? a->priority - b->priority : b->weight - a->weight;
}

int dns_sip_targets(struct dns *d, const char *domain, bool tls, uint16_t default_port,
		    struct dns_target *out, unsigned max, unsigned *n, char *why, size_t why_cap)
{
	char srv_name[300];
	bool none = false;
	*n = 0;
	int rc = naptr(d, domain, tls ? "SIPS+D2T" : "SIP+D2T", 0, srv_name, sizeof(srv_name), &none,
		       why, why_cap);
	if (rc && !none)
		return rc;
	if (none)
		snprintf(srv_name, sizeof(srv_name), "%s.%.250s", tls ? "_sips._tcp" : "_sip._tcp", domain);
	struct answer a = query(d, srv_name, ns_t_srv);
	struct ares_srv_reply *list = NULL;
	int status = a.status == ARES_SUCCESS ? ares_parse_srv_reply(a.buf, a.len, &list) : a.status;
	free(a.buf);
	if (none && (status == ARES_ENODATA || status == ARES_ENOTFOUND)) {
		/* no NAPTR, no SRV: the domain itself (RFC 3263 4.2) */
		snprintf(out[0].host, sizeof(out[0].host), "%s", domain);
		out[0].port = default_port;
		*n = 1;
		return 0;
	}
	if ((rc = failed(d, status, "SRV", srv_name, why, why_cap)))
		return rc;
	for (struct ares_srv_reply *r = list; r && *n < max; r = r->next) {
		if (!r->host || !*r->host || !strcmp(r->host, "."))
			continue; /* "." : the service is not offered there */
		struct dns_target *t = &out[(*n)++];
		snprintf(t->host, sizeof(t->host), "%s", r->host);
		t->port = r->port;
		t->priority = r->priority;
		t->weight = r->weight;
	}
	ares_free_data(list);
	if (!*n) {
		snprintf(why, why_cap, "SRV %.150s: no target offers the service (%s)", srv_name, d->server);
		return -ENOENT;
	}
	qsort(out, *n, sizeof(out[0]), by_priority);
	return 0;
}

struct addr_answer {
	int status;
	union tl_sockaddr addr;
	bool found;
};

static void on_addr(void *arg, int status, int timeouts, struct ares_addrinfo *res)
{
	(void)timeouts;
	struct addr_answer *a = arg;
	a->status = status;
	for (struct ares_addrinfo_node *p = res ? res->nodes : NULL; p && !a->found; p = p->ai_next) {
		if ((p->ai_family == AF_INET || p->ai_family == AF_INET6) &&
		    (size_t)p->ai_addrlen <= sizeof(a->addr)) {
			memcpy(&a->addr, p->ai_addr, (size_t)p->ai_addrlen);
			a->found = true;
		}
	}
	if (res)
		ares_freeaddrinfo(res);
}

static struct addr_answer lookup(struct dns *d, const char *host, uint16_t port, int family)
{
	char service[8];
	snprintf(service, sizeof(service), "%u", port);
	struct ares_addrinfo_hints hints = { .ai_family = family, .ai_flags = ARES_AI_NUMERICSERV };
	struct addr_answer a = { .status = ARES_ETIMEOUT };
	ares_getaddrinfo(d->ch, host, service, &hints, on_addr, &a);
	settle(d);
	return a;
}

int dns_address(struct dns *d, const char *host, uint16_t port, int family, union tl_sockaddr *out,
		char *why, size_t why_cap)
{
	if (tl_sockaddr_set(out, host, port) == 0) {
		if (family == AF_UNSPEC || out->sa.sa_family == family)
			return 0;
		snprintf(why, why_cap, "%.150s: not an IPv%c address", host, family == AF_INET6 ? '6' : '4');
		return -EAFNOSUPPORT;
	}
	struct addr_answer a = lookup(d, host, port, family);
	if (a.status == ARES_SUCCESS && a.found) {
		*out = a.addr;
		return 0;
	}
	if (family != AF_UNSPEC && (a.status == ARES_ENODATA || a.status == ARES_SUCCESS)) {
		struct addr_answer any = lookup(d, host, port, AF_UNSPEC);
		if (any.status == ARES_SUCCESS && any.found) {
			snprintf(why, why_cap, "%.150s: no IPv%c address, only IPv%c (%s)", host,
				 family == AF_INET6 ? '6' : '4', family == AF_INET6 ? '4' : '6', d->server);
			return -EAFNOSUPPORT;
		}
	}
	int rc = failed(d, a.status == ARES_SUCCESS ? ARES_ENODATA : a.status, "address of", host, why,
			why_cap);
	return rc ? rc : -ENOENT;
}
