/* Scenario files: JSON -> struct scenario, with every problem reported as
 * "<file>: <json.path>: expected <what>, got <what was there>".
 *
 * Loading walks the JSON once, section by section, on top of the built-in
 * defaults; each section checks its keys against a list first (unknown keys
 * are usually typos) and then reads the keys it knows. Errors are collected,
 * never fatal, so one run of `trunkload check` shows them all. Cross-field
 * rules (the flow's order, calls or duration, ...) live in scenario_validate(),
 * which the CLI calls again once its flags have been applied. */
#include "scenario.h"
#include "expand.h"
#include "findings.h"
#include "prefix_count.h"
#include "str.h"
#include <arpa/inet.h>

#include <cjson/cJSON.h>
#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <regex.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#define SCN_MAX_FILE (1 << 20)        /* a scenario is a few kB; refuse anything absurd */
#define SCN_PATH_LEN 192              /* JSON paths in messages; longer ones are cut */
#define DEFAULT_TIMEOUT_MS 5000
#define DEFAULT_DTMF_MS 100
#define MAX_STEP_MS 86400000          /* pause and media steps: a day */
#define MAX_SECONDS 31536000.0        /* ramp and duration: a year */
#define MAX_RATE 10000000.0
#define MAX_JSON_INT 9007199254740992LL /* 2^53: beyond it a double skips integers */
#define MEDIA_MS_UNSET UINT32_MAX      /* media step without its own duration */

struct ctx {
	const char *file;             /* names the file in messages */
	struct scenario_errors *errs; /* may be NULL: then errors are only counted */
	unsigned n;                   /* errors found, including those not stored */
	struct scenario *s;
	/* the JSON paths that had errors while parsing; with after_errors set, the
	 * rules across fields leave out what follows from those (a key that did not
	 * parse is not also "missing") */
	char bad[SCN_MAX_ERRORS][SCN_PATH_LEN];
	unsigned n_bad;
	bool after_errors;
	bool final;      /* scenario_validate: the flags are applied (--target may name
			  * the destinations a threshold's @HOST:PORT refers to) */
};

/* ---- errors ---- */

/* Whether two JSON paths are one the other's ancestor (or the same). */
static bool related(const char *a, size_t alen, const char *b)
{
	size_t blen = strlen(b), n = alen < blen ? alen : blen;
	if (!n || memcmp(a, b, n))
		return false;
	char next = alen < blen ? b[n] : alen > blen ? a[n] : 0;
	return next == 0 || next == '.' || next == '[';
}

/* A message's path is what precedes its first ": ". */
static bool follows_from_bad(const struct ctx *c, const char *msg)
{
	const char *colon = strstr(msg, ": ");
	size_t plen = colon ? (size_t)(colon - msg) : 0;
	for (unsigned i = 0; i < c->n_bad; i++)
		if (related(msg, plen, c->bad[i]) || strstr(msg, c->bad[i]))
			return true;
	return false;
}

__attribute__((format(printf, 2, 3)))
static void add_err(struct ctx *c, const char *fmt, ...)
{
	char body[sizeof(c->errs->msg[0])];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(body, sizeof(body), fmt, ap);
	va_end(ap);
	if (c->after_errors && follows_from_bad(c, body))
		return;
	if (!c->after_errors && c->n_bad < SCN_MAX_ERRORS) {
		const char *colon = strstr(body, ": ");
		snprintf(c->bad[c->n_bad++], SCN_PATH_LEN, "%.*s",
			 colon ? (int)(colon - body) : 0, body);
	}
	c->n++;
	if (!c->errs || c->errs->n >= SCN_MAX_ERRORS)
		return;
	struct tl_sb b = tl_sb_init(c->errs->msg[c->errs->n++], sizeof(c->errs->msg[0]));
	/* A long file name keeps its tail, so the message keeps its point. */
	size_t flen = strlen(c->file);
	if (flen > 100)
		TL_SB_LIT(&b, "...");
	tl_sb_cstr(&b, flen > 100 ? c->file + flen - 97 : c->file);
	TL_SB_LIT(&b, ": ");
	tl_sb_cstr(&b, body);
}

/* When more errors were found than fit, the last slot says so: a user who
 * sees 16 messages must not think they are all. */
static void finish_errors(struct ctx *c)
{
	if (!c->errs || c->n <= SCN_MAX_ERRORS)
		return;
	c->errs->n = SCN_MAX_ERRORS - 1;
	unsigned found = c->n;
	add_err(c, "(more): expected at most %d errors, got %u; fix these first",
		SCN_MAX_ERRORS, found);
	c->n = found;
}

/* What was there, as JSON, cut to a readable length. */
static const char *describe(const cJSON *v, char *buf, size_t cap)
{
	if (!v)
		return "nothing";
	char *t = cJSON_PrintUnformatted(v);
	if (!t)
		return "an unprintable value";
	size_t n = strlen(t);
	if (n < cap && n <= 48)
		memcpy(buf, t, n + 1);
	else
		snprintf(buf, cap, "%.40s...", t);
	free(t);
	return buf;
}

static void bad(struct ctx *c, const char *path, const char *what, const cJSON *got)
{
	char d[64];
	add_err(c, "%s: expected %s, got %s", path, what, describe(got, d, sizeof(d)));
}

/* A path cut to fit ends in "..." so nobody takes it for the whole path. */
static const char *join(char *buf, const char *prefix, const char *key)
{
	int n = snprintf(buf, SCN_PATH_LEN, "%s%s%s", prefix, *prefix ? "." : "", key);
	if (n >= SCN_PATH_LEN)
		memcpy(buf + SCN_PATH_LEN - 4, "...", 4);
	return buf;
}

static const char *join_index(char *buf, const char *prefix, int i)
{
	int n = snprintf(buf, SCN_PATH_LEN, "%s[%d]", prefix, i);
	if (n >= SCN_PATH_LEN)
		memcpy(buf + SCN_PATH_LEN - 4, "...", 4);
	return buf;
}

/* ---- reading typed values ---- */

static int name_index(const char *name, const char *const *names)
{
	for (int i = 0; name && names[i]; i++)
		if (strcmp(name, names[i]) == 0)
			return i;
	return -1;
}

/* cJSON_HasObjectItem ignores case; key names here are case-sensitive. */
static bool has(const cJSON *obj, const char *key)
{
	return cJSON_GetObjectItemCaseSensitive(obj, key) != NULL;
}

static bool is_duplicate(const cJSON *obj, const cJSON *item)
{
	for (const cJSON *e = obj->child; e && e != item; e = e->next)
		if (strcmp(e->string, item->string) == 0)
			return true;
	return false;
}

/* Reports keys of obj that are not in allowed, or appear twice. */
static void check_keys(struct ctx *c, const cJSON *obj, const char *path,
		       const char *const *allowed, const char *hint)
{
	char p[SCN_PATH_LEN];
	for (const cJSON *k = obj->child; k; k = k->next) {
		join(p, path, k->string);
		if (name_index(k->string, allowed) < 0)
			add_err(c, "%s: unknown key%s", p, hint);
		else if (is_duplicate(obj, k))
			add_err(c, "%s: expected each key once, got it again", p);
	}
}

/* Returns obj[key] if it is an object; reports any other type. */
static const cJSON *get_obj(struct ctx *c, const cJSON *obj, const char *path, const char *key)
{
	char p[SCN_PATH_LEN];
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(obj, key);
	if (v && !cJSON_IsObject(v)) {
		bad(c, join(p, path, key), "an object", v);
		return NULL;
	}
	return v;
}

static bool copy_str(struct ctx *c, const char *path, const char *str, char *dst, size_t cap)
{
	size_t n = strlen(str);
	if (n >= cap) {
		add_err(c, "%s: expected a string of at most %zu bytes, got %zu bytes",
			path, cap - 1, n);
		return false;
	}
	memcpy(dst, str, n + 1);
	return true;
}

/* Each get_* returns true when obj[key] was present and valid and *out was
 * set; false when absent (the default stays) or invalid (reported). */
static bool get_str(struct ctx *c, const cJSON *obj, const char *path, const char *key,
		    bool nonempty, char *dst, size_t cap)
{
	char p[SCN_PATH_LEN];
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(obj, key);
	if (!v)
		return false;
	join(p, path, key);
	if (!cJSON_IsString(v) || (nonempty && !v->valuestring[0])) {
		bad(c, p, nonempty ? "a non-empty string" : "a string", v);
		return false;
	}
	return copy_str(c, p, v->valuestring, dst, cap);
}

/* A pin on the far end's certificate: a check that an empty value would silently
 * skip, so empty is an error that says what belongs there. */
static void get_pin(struct ctx *c, const cJSON *peer, const char *key, const char *what,
		    char *dst, size_t cap)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(peer, key);
	bool from_show = strcmp(key, "names") && strcmp(key, "subject_cn");
	if (cJSON_IsString(v) && !v->valuestring[0]) {
		add_err(c, "tls.expect_peer.%s is empty: put %s here%s, or leave the key out to skip "
			   "the check", key, what, from_show ? " (from `trunkload pki show FILE`)" : "");
		return;
	}
	get_str(c, peer, "tls.expect_peer", key, false, dst, cap);
}

/* A pin or, for a cluster, a list of them (at most 16), joined with "," into dst. */
static void get_pins(struct ctx *c, const cJSON *peer, const char *key, const char *what,
		     char *dst, size_t cap)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(peer, key);
	if (!cJSON_IsArray(v)) {
		get_pin(c, peer, key, what, dst, cap);
		return;
	}
	char p[SCN_PATH_LEN];
	snprintf(p, sizeof(p), "tls.expect_peer.%s", key);
	int n = cJSON_GetArraySize(v);
	if (n < 1 || n > 16) {
		bad(c, p, "a string, or a list of 1-16 strings (one per node)", v);
		return;
	}
	struct tl_sb b = tl_sb_init(dst, cap);
	const cJSON *it;
	cJSON_ArrayForEach(it, v) {
		if (!cJSON_IsString(it) || !it->valuestring[0] || strchr(it->valuestring, ',')) {
			bad(c, p, "a list of non-empty strings without commas", it);
			dst[0] = 0;
			return;
		}
		tl_sb_fmt(&b, "%s%s", b.n ? "," : "", it->valuestring);
	}
}

/* lo_open: the bound lo itself is excluded. */
static bool get_num(struct ctx *c, const cJSON *obj, const char *path, const char *key,
		    double lo, bool lo_open, double hi, const char *what, double *out)
{
	char p[SCN_PATH_LEN];
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(obj, key);
	if (!v)
		return false;
	double d = v->valuedouble;
	if (!cJSON_IsNumber(v) || !isfinite(d) || d < lo || (lo_open && d == lo) || d > hi) {
		bad(c, join(p, path, key), what, v);
		return false;
	}
	*out = d;
	return true;
}

static bool get_int(struct ctx *c, const cJSON *obj, const char *path, const char *key,
		    int64_t lo, int64_t hi, const char *what, int64_t *out)
{
	char p[SCN_PATH_LEN];
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(obj, key);
	if (!v)
		return false;
	double d = v->valuedouble;
	/* The range check comes first so that the cast below is defined. */
	if (!cJSON_IsNumber(v) || !(d >= (double)lo && d <= (double)hi) ||
	    d != (double)(int64_t)d) {
		bad(c, join(p, path, key), what, v);
		return false;
	}
	*out = (int64_t)d;
	return true;
}

static bool get_bool(struct ctx *c, const cJSON *obj, const char *path, const char *key, bool *out)
{
	char p[SCN_PATH_LEN];
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(obj, key);
	if (!v)
		return false;
	if (!cJSON_IsBool(v)) {
		bad(c, join(p, path, key), "true or false", v);
		return false;
	}
	*out = cJSON_IsTrue(v);
	return true;
}

/* *out = index of obj[key] in names. */
static bool get_enum(struct ctx *c, const cJSON *obj, const char *path, const char *key,
		     const char *const *names, const char *what, int *out)
{
	char p[SCN_PATH_LEN];
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(obj, key);
	if (!v)
		return false;
	int i = name_index(cJSON_GetStringValue(v), names);
	if (i < 0) {
		bad(c, join(p, path, key), what, v);
		return false;
	}
	*out = i;
	return true;
}

/* A relative path names a file beside the scenario, not in the current directory. */
static void get_path(struct ctx *c, const cJSON *obj, const char *path, const char *key,
		     char *dst, size_t cap)
{
	char p[SCN_PATH_LEN], v[PATH_MAX];
	if (!get_str(c, obj, path, key, true, v, sizeof(v)))
		return;
	const char *slash = strrchr(c->s->path, '/');
	if (v[0] == '/' || !slash) {
		copy_str(c, join(p, path, key), v, dst, cap);
		return;
	}
	int dirlen = (int)(slash - c->s->path) + 1;
	size_t n = (size_t)dirlen + strlen(v);
	if (n >= cap) {
		add_err(c, "%s: expected a path of at most %zu bytes, got %zu bytes",
			join(p, path, key), cap - 1, n);
		return;
	}
	memcpy(dst, c->s->path, (size_t)dirlen);
	memcpy(dst + dirlen, v, strlen(v) + 1);
}

/* ---- sections ---- */

/* One destination of target.hosts: "HOST:PORT" (or HOST for 5061) or an object. */
/* "[2001:db8::1]" as a host is the address in it. */
static void unbracket(char *host)
{
	size_t n = strlen(host);
	if (n > 2 && host[0] == '[' && host[n - 1] == ']') {
		memmove(host, host + 1, n - 2);
		host[n - 2] = '\0';
	}
}

static void parse_dest(struct ctx *c, const cJSON *it, const char *p, struct scn_dest *d)
{
	static const char *const keys[] = { "host", "port", "weight", "server_name", NULL };
	*d = (struct scn_dest){ .port = SCN_SIPS_PORT, .weight = 1 };
	if (cJSON_IsString(it)) {
		const char *v = it->valuestring;
		if (tl_hostport_parse(v, strlen(v), d->host, sizeof(d->host), &d->port, SCN_SIPS_PORT))
			bad(c, p, "\"HOST:PORT\" (port 1-65535) or {host, port, weight, server_name}", it);
		return;
	}
	if (!cJSON_IsObject(it)) {
		bad(c, p, "\"HOST:PORT\" or an object {host, port, weight, server_name}", it);
		return;
	}
	check_keys(c, it, p, keys, "");
	if (!get_str(c, it, p, "host", true, d->host, sizeof(d->host)) && !has(it, "host"))
		add_err(c, "%s.host: missing (the destination's host name or address)", p);
	unbracket(d->host);
	int64_t v;
	if (get_int(c, it, p, "port", 1, 65535, "a port number 1-65535", &v))
		d->port = (uint16_t)v;
	if (get_int(c, it, p, "weight", 1, 1000000, "an integer 1-1000000", &v)) {
		d->weight = (uint32_t)v;
		d->has_weight = true;
	}
	get_str(c, it, p, "server_name", true, d->server_name, sizeof(d->server_name));
}

static void parse_hosts(struct ctx *c, const cJSON *o)
{
	struct scenario *s = c->s;
	const cJSON *h = cJSON_GetObjectItemCaseSensitive(o, "hosts"), *it;
	int count = cJSON_GetArraySize(h);
	if (has(o, "host") || has(o, "port"))
		add_err(c, "target.hosts: expected either target.hosts or target.host and port, got both");
	if (!cJSON_IsArray(h) || count < 1 || count > DEST_MAX) {
		bad(c, "target.hosts", "a list of 1-16 destinations, \"HOST:PORT\" or {host, port, "
				       "weight, server_name}", h);
		return;
	}
	unsigned k = 0;
	cJSON_ArrayForEach(it, h) {
		char p[SCN_PATH_LEN];
		join_index(p, "target.hosts", (int)k);
		parse_dest(c, it, p, &s->dests[k++]);
	}
	s->n_dests = k;
	snprintf(s->host, sizeof(s->host), "%s", s->dests[0].host);
	s->port = s->dests[0].port;
	s->server_name[0] = '\0'; /* hosts of its own: unless named, each one's name is checked */
}

static void parse_target(struct ctx *c, const cJSON *o)
{
	static const char *const keys[] = { "host", "port", "server_name", "hosts", "distribution",
					    "family", "resolve", NULL };
	static const char *const resolves[] = { "address", "srv", NULL };
	static const char *const policies[] = { "round_robin", "weighted", "failover", NULL };
	static const char *const families[] = { "any", "ipv4", "ipv6", NULL };
	struct scenario *s = c->s;
	int64_t port;
	check_keys(c, o, "target", keys, "");
	if (has(o, "hosts")) {
		parse_hosts(c, o);
	} else {
		if (get_str(c, o, "target", "host", true, s->host, sizeof(s->host))) {
			s->server_name[0] = '\0'; /* a host of its own: unless named, its name is checked */
			unbracket(s->host);
		}
		if (get_int(c, o, "target", "port", 1, 65535, "a port number 1-65535", &port))
			s->port = (uint16_t)port;
	}
	get_str(c, o, "target", "server_name", false, s->server_name, sizeof(s->server_name));
	int policy;
	if (get_enum(c, o, "target", "distribution", policies, "round_robin, weighted or failover",
		     &policy))
		s->distribution = (enum dest_policy)policy;
	int family;
	if (get_enum(c, o, "target", "family", families, "any, ipv4 or ipv6", &family))
		s->family = (enum scn_family)family;
	int resolve;
	if (get_enum(c, o, "target", "resolve", resolves, "address or srv", &resolve)) {
		s->resolve = (enum scn_resolve)resolve;
		const char *other = has(o, "hosts") ? "hosts" : has(o, "port") ? "port" :
				    has(o, "distribution") ? "distribution" : NULL;
		if (s->resolve == SCN_RESOLVE_SRV && other)
			add_err(c, "target.resolve: srv takes target.host, a domain, alone (its SRV records "
				   "name the hosts, ports, priorities and weights), got target.%s too", other);
	}
}

/* "sips:DOMAIN" or "sip:DOMAIN": 1 when list is one, 0 when not, -EINVAL when it is not
 * alone or holds more than a host. */
static int set_sip_uri_target(struct scenario *s, const char *list)
{
	size_t skip = !strncasecmp(list, "sips:", 5) ? 5 : !strncasecmp(list, "sip:", 4) ? 4 : 0;
	if (!skip)
		return 0;
	const char *h = list + skip;
	char host[256];
	uint16_t port;
	if (strchr(h, ',') || strpbrk(h, ";?@") ||
	    tl_hostport_parse(h, strlen(h), host, sizeof(host), &port, SCN_SIPS_PORT))
		return -EINVAL;
	bool literal = host[0] == '[' || tl_host_is_v6(host) || strspn(host, "0123456789.") == strlen(host);
	bool has_port = strrchr(h, ':') && (h[0] != '[' || strrchr(h, ':') > strchr(h, ']'));
	snprintf(s->host, sizeof(s->host), "%s", host);
	s->port = port;
	s->n_dests = 0;
	/* a port or an address: no SRV (RFC 3263 4.2) */
	s->resolve = literal || has_port ? SCN_RESOLVE_ADDRESS : SCN_RESOLVE_SRV;
	return 1;
}

int scn_set_targets(struct scenario *s, const char *list, const char **bad_item, size_t *bad_len)
{
	struct scn_dest d[DEST_MAX];
	unsigned n = 0;
	*bad_item = list;
	*bad_len = strlen(list);
	int uri = set_sip_uri_target(s, list);
	if (uri)
		return uri < 0 ? uri : 0;
	s->resolve = SCN_RESOLVE_ADDRESS;
	for (const char *p = list;; p++) {
		const char *comma = strchr(p, ',');
		size_t len = comma ? (size_t)(comma - p) : strlen(p);
		*bad_item = p;
		*bad_len = len;
		if (n == DEST_MAX)
			return -E2BIG;
		d[n] = (struct scn_dest){ .weight = 1 };
		int rc = tl_hostport_parse(p, len, d[n].host, sizeof(d[n].host), &d[n].port, SCN_SIPS_PORT);
		if (rc)
			return rc;
		for (unsigned i = 0; i < n; i++)
			if (!strcasecmp(d[i].host, d[n].host) && d[i].port == d[n].port)
				return -EEXIST;
		n++;
		if (!comma)
			break;
		p = comma;
	}
	memcpy(s->dests, d, n * sizeof(d[0]));
	s->n_dests = n > 1 ? n : 0; /* one alone is target.host and port, as before */
	snprintf(s->host, sizeof(s->host), "%s", d[0].host);
	s->port = d[0].port;
	return 0;
}

static void parse_versions(struct ctx *c, const cJSON *v, const char *path, unsigned *out)
{
	static const char *const names[] = { "TLSv1.0", "TLSv1.1", "TLSv1.2", "TLSv1.3", "TLSv1", NULL };
	static const unsigned bits[] = { TL_TLS1_0, TL_TLS1_1, TL_TLS1_2, TL_TLS1_3, TL_TLS1_0 };
	char p[SCN_PATH_LEN];
	if (!cJSON_IsArray(v) || !v->child) {
		bad(c, path, "a non-empty array of TLS versions", v);
		return;
	}
	unsigned set = 0;
	bool ok = true;
	int i = 0;
	for (const cJSON *e = v->child; e; e = e->next, i++) {
		int k = name_index(cJSON_GetStringValue(e), names);
		if (k < 0) {
			bad(c, join_index(p, path, i), "one of TLSv1.0 TLSv1.1 TLSv1.2 TLSv1.3", e);
			ok = false;
		} else {
			set |= bits[k];
		}
	}
	if (ok)
		*out = set;
}

static void parse_tls(struct ctx *c, const cJSON *o)
{
	static const char *const keys[] = { "cert", "key", "ca", "crl", "versions", "ciphers",
		"security_level", "expect_peer", "expect_handshake", "expect_alert", NULL };
	static const char *const peer_keys[] = { "subject_cn", "names", "issuer", "serial",
		"sha256", "min_days_valid", "min_key_bits", "versions", "findings", "both_roles", NULL };
	static const char *const handshakes[] = { "ok", "rejected", NULL };
	struct scenario *s = c->s;
	int64_t n;
	int e;

	check_keys(c, o, "tls", keys, "");
	get_path(c, o, "tls", "cert", s->cert, sizeof(s->cert));
	get_path(c, o, "tls", "key", s->key, sizeof(s->key));
	get_path(c, o, "tls", "ca", s->ca, sizeof(s->ca));
	get_path(c, o, "tls", "crl", s->crl, sizeof(s->crl));
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, "versions");
	if (v)
		parse_versions(c, v, "tls.versions", &s->tls_versions);
	get_str(c, o, "tls", "ciphers", false, s->ciphers, sizeof(s->ciphers));
	if (get_int(c, o, "tls", "security_level", 0, 5, "an integer 0-5", &n))
		s->security_level = (int)n;
	if (get_enum(c, o, "tls", "expect_handshake", handshakes, "one of ok rejected", &e))
		s->expect_handshake = e == 0 ? SCN_HS_OK : SCN_HS_REJECTED;

	const cJSON *peer = get_obj(c, o, "tls", "expect_peer");
	if (peer) {
		check_keys(c, peer, "tls.expect_peer", peer_keys, "");
		get_pin(c, peer, "subject_cn", "the name the far end's certificate must carry",
			s->expect_subject_cn, sizeof(s->expect_subject_cn));
		if (get_int(c, peer, "tls.expect_peer", "min_days_valid", 0, 100000,
			    "an integer 0-100000", &n))
			s->expect_min_days_valid = (int)n;
		get_pin(c, peer, "names", "the trunk's X.509 subject name(s)", s->expect_names,
			sizeof(s->expect_names));
		get_bool(c, peer, "tls.expect_peer", "both_roles", &s->expect_both_roles);
		get_pin(c, peer, "issuer", "a part of the issuing CA's name", s->expect_issuer,
			sizeof(s->expect_issuer));
		get_pins(c, peer, "serial", "the new certificate's serial", s->expect_serial,
			 sizeof(s->expect_serial));
		get_pins(c, peer, "sha256", "the new certificate's sha256 fingerprint",
			 s->expect_sha256, sizeof(s->expect_sha256));
		if (get_int(c, peer, "tls.expect_peer", "min_key_bits", 256, 16384,
			    "an integer 256-16384", &n))
			s->expect_min_key_bits = (int)n;
		const cJSON *pv = cJSON_GetObjectItemCaseSensitive(peer, "versions");
		if (pv)
			parse_versions(c, pv, "tls.expect_peer.versions", &s->expect_versions);
		const cJSON *fl = cJSON_GetObjectItemCaseSensitive(peer, "findings");
		if (fl && (!cJSON_IsArray(fl) || cJSON_GetArraySize(fl) > 8)) {
			bad(c, "tls.expect_peer.findings", "an array of at most 8 finding codes", fl);
		} else if (fl) {
			char fp[SCN_PATH_LEN];
			int i = 0;
			for (const cJSON *e = fl->child; e; e = e->next, i++) {
				int k = name_index(cJSON_GetStringValue(e), finding_codes);
				if (k < 0) {
					bad(c, join_index(fp, "tls.expect_peer.findings", i),
					    "a finding code such as expired, untrusted, name_mismatch, self_signed", e);
					continue;
				}
				snprintf(s->expect_findings[s->n_expect_findings++], sizeof(s->expect_findings[0]),
					 "%s", finding_codes[k]);
			}
		}
	}
	get_str(c, o, "tls", "expect_alert", false, s->expect_alert, sizeof(s->expect_alert));
}

static void parse_transport(struct ctx *c, const cJSON *o)
{
	static const char *const keys[] = { "type", "mode", "connections", "source", "options_ping_s",
					    NULL };
	static const char *const types[] = { "tls", "tcp", NULL };
	static const char *const modes[] = { "trunk", "per_call", "handshake", NULL };
	static const enum scn_mode mode_of[] = { SCN_TRUNK, SCN_PER_CALL, SCN_HANDSHAKE };
	struct scenario *s = c->s;
	int e;
	int64_t n;

	check_keys(c, o, "transport", keys, "");
	if (get_enum(c, o, "transport", "type", types, "one of tls tcp", &e))
		s->transport = e == 0 ? SCN_TLS : SCN_TCP;
	if (get_enum(c, o, "transport", "mode", modes, "one of trunk per_call handshake", &e))
		s->mode = mode_of[e];
	if (get_int(c, o, "transport", "connections", 1, 65535, "an integer 1-65535", &n))
		s->connections = (unsigned)n;
	if (get_int(c, o, "transport", "options_ping_s", 0, 3600, "seconds 0-3600 (0: no pings)", &n))
		s->options_ping_s = (uint32_t)n;
	if (get_str(c, o, "transport", "source", true, s->source, sizeof(s->source)) &&
	    scn_parse_source(s->source, &s->source_range))
		add_err(c, "transport.source: expected an IP address or a range A-B (the same but for "
			   "the last 16 bits), got \"%s\"", s->source);
}

/* load.stages: 1-32 of {rate, ramp_s, duration_s}; the run's rate is their highest,
 * its duration their sum. load.rate, .ramp_s and .duration_s go with no stages. */
static void parse_stages(struct ctx *c, const cJSON *o)
{
	static const char *const keys[] = { "rate", "ramp_s", "duration_s", NULL };
	static const char *const single[] = { "rate", "ramp_s", "duration_s", "hold_ms", NULL };
	struct scenario *s = c->s;
	for (unsigned i = 0; single[i]; i++)
		if (has(o, single[i]))
			add_err(c, "load.%s: not with load.stages (each stage has its own rate, ramp_s "
				   "and duration_s)", single[i]);
	const cJSON *st = cJSON_GetObjectItemCaseSensitive(o, "stages"), *it;
	int count = cJSON_GetArraySize(st);
	if (!cJSON_IsArray(st) || count < 1 || count > SCN_MAX_STAGES) {
		bad(c, "load.stages", "a list of 1-32 stages {rate, ramp_s, duration_s}", st);
		return;
	}
	double total = 0, top = 0;
	unsigned k = 0;
	cJSON_ArrayForEach(it, st) {
		char p[SCN_PATH_LEN];
		snprintf(p, sizeof(p), "load.stages[%u]", k);
		struct load_stage *g = &s->stages[k++];
		*g = (struct load_stage){ 0 };
		if (!cJSON_IsObject(it)) {
			bad(c, p, "an object {rate, ramp_s, duration_s}", it);
			continue;
		}
		check_keys(c, it, p, keys, "");
		if (!has(it, "rate"))
			add_err(c, "%s.rate: missing (calls/s, > 0)", p);
		get_num(c, it, p, "rate", 0, true, MAX_RATE, "a number > 0 and <= 10000000", &g->rate);
		get_num(c, it, p, "ramp_s", 0, false, MAX_SECONDS, "a number >= 0 and <= 31536000",
			&g->ramp_s);
		get_num(c, it, p, "duration_s", 0, false, MAX_SECONDS,
			"a number >= 0 and <= 31536000", &g->duration_s);
		if (g->ramp_s + g->duration_s <= 0)
			add_err(c, "%s: a stage needs ramp_s or duration_s > 0", p);
		total += g->ramp_s + g->duration_s;
		top = g->rate > top ? g->rate : top;
	}
	s->n_stages = k;
	s->rate = top > 0 ? top : s->rate;
	s->ramp_s = 0;
	s->duration_s = total;
}

static void parse_load(struct ctx *c, const cJSON *o)
{
	static const char *const keys[] = { "rate", "ramp_s", "calls", "duration_s",
		"max_concurrent", "hold_ms", "stages", NULL };
	struct scenario *s = c->s;
	int64_t n;

	check_keys(c, o, "load", keys, "");
	if (has(o, "stages")) {
		parse_stages(c, o);
		if (get_int(c, o, "load", "calls", 0, MAX_JSON_INT, "an integer >= 0", &n))
			s->calls = (uint64_t)n;
		else
			s->calls = 0; /* the stages' time bounds the run */
		if (get_int(c, o, "load", "max_concurrent", 1, SCN_MAX_CONCURRENT, "an integer 1-10000000", &n))
			s->max_concurrent = (uint32_t)n;
		return;
	}
	double rate;
	if (get_num(c, o, "load", "rate", 0, true, HUGE_VAL, "a number > 0", &rate)) {
		if (rate > MAX_RATE)
			add_err(c, "load.rate: expected at most %.0f calls/s, got %g", MAX_RATE, rate);
		else
			s->rate = rate;
	}
	get_num(c, o, "load", "ramp_s", 0, false, MAX_SECONDS,
		"a number >= 0 and <= 31536000", &s->ramp_s);
	get_num(c, o, "load", "duration_s", 0, false, MAX_SECONDS,
		"a number >= 0 and <= 31536000", &s->duration_s);
	if (get_int(c, o, "load", "calls", 0, MAX_JSON_INT, "an integer >= 0", &n))
		s->calls = (uint64_t)n;
	else if (has(o, "duration_s") && !has(o, "calls"))
		s->calls = 0; /* a duration alone bounds the run; the default count must not */
	if (get_int(c, o, "load", "max_concurrent", 1, SCN_MAX_CONCURRENT, "an integer 1-10000000", &n))
		s->max_concurrent = (uint32_t)n;
	if (get_int(c, o, "load", "hold_ms", 0, 86400000, "milliseconds 0-86400000", &n))
		s->hold_ms = (uint32_t)n;
}

static const struct { const char *name; enum sip_method method; } send_methods[] = {
	{ "INVITE", SIP_INVITE }, { "ACK", SIP_ACK }, { "BYE", SIP_BYE },
	{ "CANCEL", SIP_CANCEL }, { "OPTIONS", SIP_OPTIONS }, { "UPDATE", SIP_UPDATE },
};
#define N_SEND (sizeof(send_methods) / sizeof(send_methods[0]))

static const char *send_name(enum sip_method m)
{
	for (size_t i = 0; i < N_SEND; i++)
		if (send_methods[i].method == m)
			return send_methods[i].name;
	return "?";
}

/* Headers trunkload writes itself: one more would make the message ambiguous. */
static const char *const own_headers[] = {
	"via", "v", "max-forwards", "from", "f", "to", "t", "call-id", "i", "cseq", "contact", "m",
	"content-length", "l", "content-type", "c", "route", "record-route", "session-expires", "x",
	"min-se", NULL };

static bool is_header_name(const char *n)
{
	/* RFC 3261 token */
	size_t len = strspn(n, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-.!%*_+`'~");
	return len > 0 && n[len] == 0;
}

static bool is_own_header(const char *n)
{
	for (int i = 0; own_headers[i]; i++)
		if (!strcasecmp(n, own_headers[i]))
			return true;
	return false;
}

/* A header name of a "headers" object: a token, and not one trunkload writes. */
static bool check_header_name(struct ctx *c, const char *path, const char *name, bool added)
{
	if (strlen(name) >= SCN_HEADER_NAME || !is_header_name(name)) {
		add_err(c, "%s: expected a header name of at most %d letters, digits and -.!%%*_+`'~ "
			   "(no colon, space or line break), got \"%.60s\"",
			path, SCN_HEADER_NAME - 1, name);
		return false;
	}
	if (added && is_own_header(name)) {
		add_err(c, "%s.%s: expected a header trunkload does not write itself (Via, From, To, "
			   "Call-ID, CSeq, Contact, Max-Forwards, Content-*, Route, Session-Expires, "
			   "Min-SE), got \"%s\"", path, name, name);
		return false;
	}
	return true;
}

/* One entry of a "headers" object: a good name, once, with a string (what: its meaning). */
static bool header_entry(struct ctx *c, const cJSON *o, const cJSON *h, const char *path,
			 const char *p, bool added, const char *what)
{
	if (!check_header_name(c, path, h->string, added))
		return false;
	if (is_duplicate(o, h)) {
		add_err(c, "%s: expected each header once, got it again", p);
		return false;
	}
	if (!cJSON_IsString(h)) {
		bad(c, p, what, h);
		return false;
	}
	return true;
}

/* call.headers and a send step's headers: name -> value template, each a line we add. */
static void parse_headers(struct ctx *c, const cJSON *o, const char *path, uint8_t *first,
			  uint8_t *n)
{
	struct scenario *s = c->s;
	char p[SCN_PATH_LEN];
	*first = (uint8_t)s->n_headers;
	for (const cJSON *h = o->child; h; h = h->next) {
		join(p, path, h->string);
		if (!header_entry(c, o, h, path, p, true, "a string (the header's value)"))
			continue;
		if (strpbrk(h->valuestring, "\r\n")) {
			add_err(c, "%s: expected a value on one line (a line break would start a header "
				   "of its own), got a carriage return or line feed", p);
			continue;
		}
		if (s->n_headers >= SCN_MAX_HEADERS) {
			add_err(c, "%s: expected at most %d headers in call.headers and the send steps "
				   "together, got more", p, SCN_MAX_HEADERS);
			return;
		}
		struct scn_header *out = &s->headers[s->n_headers];
		snprintf(out->name, sizeof(out->name), "%s", h->string);
		if (!copy_str(c, p, h->valuestring, out->value, sizeof(out->value)))
			continue;
		s->n_headers++;
	}
	*n = (uint8_t)(s->n_headers - *first);
}

/* An expect step's headers: name -> POSIX extended regular expression. */
static void parse_header_checks(struct ctx *c, const cJSON *o, const char *path,
				struct flow_step *st)
{
	struct scenario *s = c->s;
	char p[SCN_PATH_LEN];
	st->chk_first = (uint8_t)s->n_header_checks;
	for (const cJSON *h = o->child; h; h = h->next) {
		join(p, path, h->string);
		if (!header_entry(c, o, h, path, p, false, "a regular expression (POSIX extended) as a string"))
			continue;
		regex_t re;
		int rc = regcomp(&re, h->valuestring, REG_EXTENDED | REG_NOSUB);
		if (rc) {
			char why[128];
			regerror(rc, &re, why, sizeof(why));
			add_err(c, "%s: expected a regular expression (POSIX extended), got \"%.60s\": %s",
				p, h->valuestring, why);
			continue;
		}
		regfree(&re);
		if (s->n_header_checks >= SCN_MAX_HEADER_CHECKS) {
			add_err(c, "%s: expected at most %d header checks in the flow, got more", p,
				SCN_MAX_HEADER_CHECKS);
			return;
		}
		struct scn_header_check *out = &s->header_checks[s->n_header_checks];
		snprintf(out->name, sizeof(out->name), "%s", h->string);
		if (!copy_str(c, p, h->valuestring, out->pattern, sizeof(out->pattern)))
			continue;
		s->n_header_checks++;
	}
	st->chk_n = (uint8_t)(s->n_header_checks - st->chk_first);
}

static void parse_send(struct ctx *c, const cJSON *o, const char *path, struct flow_step *st)
{
	static const char *const keys[] = { "send", "sdp", "headers", "direction", "rekey", NULL };
	static const char *const sdps[] = { "offer", "none", "answer", NULL };
	static const char *const directions[] = { "sendrecv", "sendonly", "recvonly", "inactive", NULL };
	char p[SCN_PATH_LEN];
	const char *name = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(o, "send"));
	int sdp, e;

	check_keys(c, o, path, keys, " (a send step takes send, sdp, headers, direction, rekey)");
	const cJSON *h = get_obj(c, o, path, "headers");
	if (h)
		parse_headers(c, h, join(p, path, "headers"), &st->hdr_first, &st->hdr_n);
	st->kind = FLOW_SEND;
	for (size_t i = 0; name && i < N_SEND; i++)
		if (strcmp(name, send_methods[i].name) == 0)
			st->method = send_methods[i].method;
	if (st->method == SIP_METHOD_UNKNOWN)
		bad(c, join(p, path, "send"), "one of INVITE ACK BYE CANCEL OPTIONS UPDATE",
		    cJSON_GetObjectItemCaseSensitive(o, "send"));
	st->sdp_offer = st->method == SIP_INVITE;
	if (get_enum(c, o, path, "sdp", sdps, "one of offer none answer", &sdp)) {
		if (sdp == 0 && st->method != SIP_INVITE && st->method != SIP_UPDATE &&
		    st->method != SIP_METHOD_UNKNOWN)
			add_err(c, "%s: expected none (only INVITE and UPDATE carry an offer), got \"offer\"",
				join(p, path, "sdp"));
		if (sdp == 2 && st->method != SIP_ACK && st->method != SIP_METHOD_UNKNOWN)
			add_err(c, "%s: expected offer or none (only ACK carries an answer), got \"answer\"",
				join(p, path, "sdp"));
		st->sdp_offer = sdp == 0 && (st->method == SIP_INVITE || st->method == SIP_UPDATE);
		st->sdp_answer = sdp == 2 && st->method == SIP_ACK;
	}
	if (get_enum(c, o, path, "direction", directions, "one of sendrecv sendonly recvonly inactive", &e)) {
		st->has_direction = true;
		st->direction = (enum scn_direction)e;
	}
	get_bool(c, o, path, "rekey", &st->rekey);
	bool offers = st->method == SIP_INVITE || st->method == SIP_UPDATE;
	if ((st->has_direction || st->rekey) && !offers && st->method != SIP_METHOD_UNKNOWN)
		add_err(c, "%s.%s: expected only on a re-INVITE or an UPDATE, got it on %s", path,
			st->has_direction ? "direction" : "rekey", send_name(st->method));
	else if (st->rekey && !st->sdp_offer && offers)
		add_err(c, "%s.rekey: expected with \"sdp\": \"offer\" (new keys go in our offer), got "
			   "\"sdp\": \"none\"", path);
}

/* {"dtmf": "1018#", "duration_ms": 100, "gap_ms": 100} and
 * {"expect_dtmf": "1018#", "timeout_ms": 5000} */
static void parse_dtmf(struct ctx *c, const cJSON *o, const char *path, bool send,
		       struct flow_step *st)
{
	static const char *const send_keys[] = { "dtmf", "duration_ms", "gap_ms", NULL };
	static const char *const expect_keys[] = { "expect_dtmf", "timeout_ms", NULL };
	const char *key = send ? "dtmf" : "expect_dtmf";
	char p[SCN_PATH_LEN];
	int64_t n;
	check_keys(c, o, path, send ? send_keys : expect_keys,
		   send ? " (a dtmf step takes dtmf, duration_ms, gap_ms)"
			: " (an expect_dtmf step takes expect_dtmf, timeout_ms)");
	st->kind = send ? FLOW_DTMF : FLOW_EXPECT_DTMF;
	st->ms = DEFAULT_DTMF_MS;
	st->gap_ms = DEFAULT_DTMF_MS;
	st->timeout_ms = DEFAULT_TIMEOUT_MS;
	const cJSON *d = cJSON_GetObjectItemCaseSensitive(o, key);
	if (!cJSON_IsString(d) || !dtmf_valid(d->valuestring))
		bad(c, join(p, path, key), "1 to 32 DTMF digits (0-9 * # A-D) as a string", d);
	else
		for (size_t i = 0; i <= strlen(d->valuestring); i++) /* a-d as the far end's A-D */
			st->digits[i] = (char)toupper((unsigned char)d->valuestring[i]);
	if (send) {
		if (get_int(c, o, path, "duration_ms", 20, DTMF_MAX_DURATION_MS, "an integer 20-5000", &n))
			st->ms = (uint32_t)n;
		if (get_int(c, o, path, "gap_ms", 0, DTMF_MAX_DURATION_MS, "an integer 0-5000", &n))
			st->gap_ms = (uint32_t)n;
	} else if (get_int(c, o, path, "timeout_ms", 1, 600000, "an integer 1-600000", &n)) {
		st->timeout_ms = (uint32_t)n;
	}
}

static void parse_step(struct ctx *c, const cJSON *o, const char *path, struct flow_step *st)
{
	static const char *const kinds[] = { "send", "expect", "pause_ms", "media", "dtmf",
					     "expect_dtmf", NULL };
	static const char *const expect_keys[] = { "expect", "optional", "timeout_ms", "headers", NULL };
	static const char *const pause_keys[] = { "pause_ms", NULL };
	static const char *const media_keys[] = { "media", NULL };
	static const char *const media_step_keys[] = { "duration_ms", NULL };
	char p[SCN_PATH_LEN], pd[SCN_PATH_LEN];
	int kind = -1, nkinds = 0;
	int64_t n;
	int e;

	if (!cJSON_IsObject(o)) {
		bad(c, path, "a step object such as {\"send\": \"INVITE\"}", o);
		return;
	}
	for (int i = 0; kinds[i]; i++)
		if (has(o, kinds[i]) && nkinds++ == 0)
			kind = i;
	if (nkinds != 1) {
		bad(c, path, "exactly one of send, expect, pause_ms, media, dtmf, expect_dtmf", o);
		return;
	}
	*st = (struct flow_step){ .kind = FLOW_SEND };
	switch (kind) {
	case 0:
		parse_send(c, o, path, st);
		break;
	case 1:
		check_keys(c, o, path, expect_keys,
			   " (an expect step takes expect, optional, timeout_ms, headers)");
		st->kind = FLOW_EXPECT;
		st->timeout_ms = DEFAULT_TIMEOUT_MS;
		const cJSON *h = get_obj(c, o, path, "headers");
		if (h)
			parse_header_checks(c, h, join(p, path, "headers"), st);
		if (cJSON_IsString(cJSON_GetObjectItemCaseSensitive(o, "expect"))) {
			/* the far end's request: only its BYE is awaited by a flow */
			static const char *const requests[] = { "BYE", NULL };
			if (get_enum(c, o, path, "expect", requests, "a status code 100-699 or \"BYE\"", &e))
				st->request = SIP_BYE;
		} else if (get_int(c, o, path, "expect", 100, 699, "a status code 100-699 or \"BYE\"", &n)) {
			st->status = (int)n;
		}
		get_bool(c, o, path, "optional", &st->optional);
		if (get_int(c, o, path, "timeout_ms", 1, 600000, "an integer 1-600000", &n))
			st->timeout_ms = (uint32_t)n;
		break;
	case 2:
		check_keys(c, o, path, pause_keys, " (a pause step takes only pause_ms)");
		st->kind = FLOW_PAUSE;
		if (get_int(c, o, path, "pause_ms", 0, MAX_STEP_MS, "an integer 0-86400000", &n))
			st->ms = (uint32_t)n;
		break;
	case 3: {
		check_keys(c, o, path, media_keys, " (a media step takes only media)");
		st->kind = FLOW_MEDIA;
		st->ms = MEDIA_MS_UNSET;
		const cJSON *m = get_obj(c, o, path, "media");
		if (!m)
			break;
		join(p, path, "media");
		check_keys(c, m, p, media_step_keys, "");
		if (get_int(c, m, p, "duration_ms", 0, MAX_STEP_MS, "an integer 0-86400000", &n))
			st->ms = (uint32_t)n;
		else if (!has(m, "duration_ms"))
			bad(c, join(pd, p, "duration_ms"), "an integer 0-86400000", NULL);
		break;
	}
	case 4:
	case 5:
		parse_dtmf(c, o, path, kind == 4, st);
		break;
	}
}

/* call.session_timer: below RFC 4028's 90 s only for lab tests (2 s up). */
/* call.session_timer, or a responder's session_timer (path says which) */
static void parse_session_timer(struct ctx *c, const cJSON *o, const char *path)
{
	static const char *const keys[] = { "expires_s", "min_se_s", "refresher", "method", NULL };
	static const char *const refreshers[] = { "uac", "uas", NULL };
	static const char *const methods[] = { "INVITE", "UPDATE", NULL };
	struct scn_session_timer *t = &c->s->session_timer;
	int64_t n;
	int e;
	check_keys(c, o, path, keys, "");
	*t = (struct scn_session_timer){ .expires_s = 1800, .min_se_s = ST_RFC_MIN_SE,
					 .method = SIP_INVITE };
	if (get_int(c, o, path, "expires_s", 2, 86400, "seconds 2-86400", &n))
		t->expires_s = (uint32_t)n;
	if (get_int(c, o, path, "min_se_s", 2, 86400, "seconds 2-86400", &n))
		t->min_se_s = (uint32_t)n;
	else if (t->min_se_s > t->expires_s)
		t->min_se_s = t->expires_s; /* the default floor gives way to a lab interval */
	if (get_enum(c, o, path, "refresher", refreshers, "one of uac uas", &e))
		t->refresher = e ? ST_REFRESHER_UAS : ST_REFRESHER_UAC;
	if (get_enum(c, o, path, "method", methods, "one of INVITE UPDATE", &e))
		t->method = e ? SIP_UPDATE : SIP_INVITE;
	if (t->min_se_s > t->expires_s)
		add_err(c, "%s.min_se_s: expected at most expires_s (%u), got %u", path, t->expires_s,
			t->min_se_s);
}

static bool is_column_name(const char *n)
{
	size_t len = strspn(n, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_");
	return len > 0 && len < NUMBERS_NAME_MAX && n[len] == 0 && !(n[0] >= '0' && n[0] <= '9');
}

/* A name for call.numbers' column: free, and not one trunkload gives itself. */
static bool add_column(struct ctx *c, const char *path, const char *name, struct scn_number_col **out)
{
	struct scn_numbers *nb = &c->s->numbers;
	char bad_name[8];
	char tpl[NUMBERS_NAME_MAX + 2];
	snprintf(tpl, sizeof(tpl), "{%s}", name);
	if (expand_check(tpl, NULL, bad_name, sizeof(bad_name)) == 0) {
		add_err(c, "%s: expected a column name of its own, got \"%s\", one of trunkload's (%s)",
			path, name, expand_builtin_names);
		return false;
	}
	if (expand_check(tpl, nb, bad_name, sizeof(bad_name)) == 0) {
		add_err(c, "%s: expected a column name of its own, got \"%s\" a second time", path, name);
		return false;
	}
	if (nb->n_cols >= NUMBERS_MAX_COLUMNS) {
		add_err(c, "%s: expected at most %d columns in call.numbers, got more", path,
			NUMBERS_MAX_COLUMNS);
		return false;
	}
	*out = &nb->cols[nb->n_cols++];
	**out = (struct scn_number_col){ 0 };
	snprintf((*out)->name, sizeof((*out)->name), "%s", name);
	return true;
}

static void parse_number_csv(struct ctx *c, const cJSON *o)
{
	static const char *const orders[] = { "sequential", "random", NULL };
	static const char path[] = "call.numbers";
	struct scn_numbers *nb = &c->s->numbers;
	char p[SCN_PATH_LEN], err[200];
	int e;
	get_path(c, o, path, "csv", nb->csv, sizeof(nb->csv));
	if (get_enum(c, o, path, "order", orders, "one of sequential random", &e))
		nb->csv_random = e == 1;
	if (!nb->csv[0])
		return;
	struct number_table t;
	int rc = number_table_load(nb->csv, &t, err, sizeof(err));
	if (rc) {
		add_err(c, "%s: %s: %s", join(p, path, "csv"), nb->csv, err);
		return;
	}
	for (unsigned i = 0; i < t.n_cols; i++) {
		struct scn_number_col *col;
		char where[SCN_PATH_LEN + 128];
		struct tl_sb b = tl_sb_init(where, sizeof(where));
		tl_sb_cstr(&b, join(p, path, "csv"));
		TL_SB_LIT(&b, ": ");
		tl_sb_cstr(&b, nb->csv);
		TL_SB_LIT(&b, ": line 1, column ");
		tl_sb_uint(&b, i + 1);
		if (add_column(c, where, t.cols[i], &col)) {
			col->from_csv = true;
			col->csv_col = i;
		}
	}
	nb->csv_rows = t.n_rows;
	number_table_free(&t);
}

/* call.numbers: {"NAME": {"range": "A-B", "order": ...}, ..., "csv": FILE, "order": ...,
 * "prefix_digits": N} */
static void parse_numbers(struct ctx *c, const cJSON *o)
{
	static const char *const col_keys[] = { "range", "order", NULL };
	static const char *const orders[] = { "sequential", "random", NULL };
	static const char path[] = "call.numbers";
	struct scn_numbers *nb = &c->s->numbers;
	char p[SCN_PATH_LEN], rp[SCN_PATH_LEN], err[200];
	int64_t n;
	int e;
	nb->prefix_digits = 4;
	if (get_int(c, o, path, "prefix_digits", 1, PREFIX_MAX_LEN, "an integer 1-15", &n))
		nb->prefix_digits = (unsigned)n;
	if (has(o, "csv"))
		parse_number_csv(c, o);
	else if (has(o, "order"))
		add_err(c, "%s.order: expected with csv only (a range has an order of its own), got it "
			   "without", path);
	for (const cJSON *k = o->child; k; k = k->next) {
		if (!strcmp(k->string, "csv") || !strcmp(k->string, "order") ||
		    !strcmp(k->string, "prefix_digits"))
			continue;
		join(p, path, k->string);
		if (is_duplicate(o, k)) {
			add_err(c, "%s: expected each key once, got it again", p);
			continue;
		}
		if (!is_column_name(k->string)) {
			add_err(c, "%s: expected a column name of letters, digits and _ (not starting with "
				   "a digit, at most %d), or csv, order, prefix_digits, got \"%.40s\"",
				p, NUMBERS_NAME_MAX - 1, k->string);
			continue;
		}
		if (!cJSON_IsObject(k)) {
			bad(c, p, "an object such as {\"range\": \"1000-1999\"}", k);
			continue;
		}
		check_keys(c, k, p, col_keys, " (a column takes range, order)");
		const char *range = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(k, "range"));
		struct number_range r;
		if (!range) {
			bad(c, join(rp, p, "range"), "a range such as \"1000-1999\"",
			    cJSON_GetObjectItemCaseSensitive(k, "range"));
			continue;
		}
		if (number_range_parse(range, &r, err, sizeof(err))) {
			add_err(c, "%s: %s", join(rp, p, "range"), err);
			continue;
		}
		struct scn_number_col *col;
		if (!add_column(c, p, k->string, &col))
			continue;
		col->range = r;
		if (get_enum(c, k, p, "order", orders, "one of sequential random", &e))
			col->random = e == 1;
	}
	if (!nb->n_cols && !c->n)
		add_err(c, "%s: expected at least one column (a range or csv), got none", path);
}

static void parse_call(struct ctx *c, const cJSON *o)
{
	static const char *const keys[] = { "from", "to", "flow", "session_timer", "headers",
		"numbers", NULL };
	struct scenario *s = c->s;
	char p[SCN_PATH_LEN];

	check_keys(c, o, "call", keys, "");
	get_str(c, o, "call", "from", true, s->from, sizeof(s->from));
	get_str(c, o, "call", "to", true, s->to, sizeof(s->to));
	const cJSON *st = get_obj(c, o, "call", "session_timer");
	if (st)
		parse_session_timer(c, st, "call.session_timer");
	const cJSON *nb = get_obj(c, o, "call", "numbers");
	if (nb)
		parse_numbers(c, nb);
	const cJSON *h = get_obj(c, o, "call", "headers");
	uint8_t first, n_call;
	if (h) {
		parse_headers(c, h, "call.headers", &first, &n_call);
		s->n_call_headers = n_call;
	}
	const cJSON *flow = cJSON_GetObjectItemCaseSensitive(o, "flow");
	if (!flow)
		return;
	if (!cJSON_IsArray(flow)) {
		bad(c, "call.flow", "an array of steps", flow);
		return;
	}
	int n = cJSON_GetArraySize(flow);
	if (n < 1 || n > SCN_MAX_FLOW) {
		add_err(c, "call.flow: expected 1-%d steps, got %d", SCN_MAX_FLOW, n);
		return;
	}
	int i = 0;
	for (const cJSON *e = flow->child; e; e = e->next, i++)
		parse_step(c, e, join_index(p, "call.flow", i), &s->flow[i]);
	s->n_flow = (unsigned)n;
}

static void parse_suites(struct ctx *c, const cJSON *v, const char *path, enum sdes_suite *out,
			 unsigned *n_out);

static void parse_crypto(struct ctx *c, const cJSON *v)
{
	parse_suites(c, v, "media.crypto", c->s->suites, &c->s->n_suites);
}

/* A list of SDES suite names, each once, into out (SCN_MAX_SUITES of room). */
static void parse_suites(struct ctx *c, const cJSON *v, const char *path, enum sdes_suite *out,
			 unsigned *n_out)
{
	char p[SCN_PATH_LEN];
	if (!cJSON_IsArray(v) || !v->child) {
		bad(c, path, "a non-empty array of SRTP suite names", v);
		return;
	}
	int n = cJSON_GetArraySize(v);
	if (n > SCN_MAX_SUITES) {
		add_err(c, "%s: expected at most %d suites, got %d", path, SCN_MAX_SUITES, n);
		return;
	}
	enum sdes_suite suites[SCN_MAX_SUITES];
	bool ok = true;
	int i = 0;
	for (const cJSON *e = v->child; e; e = e->next, i++) {
		const char *name = cJSON_GetStringValue(e);
		join_index(p, path, i);
		if (!name || sdes_suite_from_name(name, strlen(name), &suites[i]) != 0) {
			bad(c, p, "an SDES suite name such as AES_CM_128_HMAC_SHA1_80 or AEAD_AES_128_GCM", e);
			ok = false;
			continue;
		}
		for (int j = 0; j < i; j++) {
			if (suites[j] == suites[i]) {
				bad(c, p, "each suite once", e);
				ok = false;
				break;
			}
		}
	}
	if (ok) {
		memcpy(out, suites, (size_t)n * sizeof(suites[0]));
		*n_out = (unsigned)n;
	}
}

/* media.key_lifetime: packets, as a number or as RFC 4568 writes it ("2^10"), from 2^6 (a
 * rekey needs room: it starts an eighth of the lifetime early) to 2^48 (AES-CM's limit). */
#define MIN_KEY_LIFETIME (1ull << 6)
#define MAX_KEY_LIFETIME (1ull << 48)
static void parse_key_lifetime(struct ctx *c, const cJSON *v)
{
	static const char what[] = "packets from 64 to 2^48: a number, or \"2^N\" with N from 6 to 48";
	if (!v)
		return;
	uint64_t n = 0;
	const char *t = cJSON_GetStringValue(v);
	if (cJSON_IsNumber(v) && v->valuedouble >= (double)MIN_KEY_LIFETIME &&
	    v->valuedouble <= (double)MAX_KEY_LIFETIME && v->valuedouble == floor(v->valuedouble)) {
		n = (uint64_t)v->valuedouble;
	} else if (t && t[0] == '2' && t[1] == '^' && isdigit((unsigned char)t[2]) &&
		   (!t[3] || (isdigit((unsigned char)t[3]) && !t[4]))) {
		unsigned e = (unsigned)atoi(t + 2);
		n = e >= 6 && e <= 48 ? 1ull << e : 0;
	}
	if (!n)
		bad(c, "media.key_lifetime", what, v);
	else
		c->s->key_lifetime = n;
}

static void parse_media(struct ctx *c, const cJSON *o)
{
	static const char *const keys[] = { "codec", "codecs", "ptime_ms", "crypto", "direction",
					    "key_lifetime", "rekey_on_lifetime", "ports", NULL };
	static const char *const codecs[] = { "PCMU", "PCMA", NULL };
	static const uint8_t codec_pt[] = { 0, 8 };
	static const char *const directions[] = { "sendrecv", "sendonly", "recvonly", NULL };
	static const char *const ports[] = { "per_call", "shared", NULL };
	struct scenario *s = c->s;
	char p[SCN_PATH_LEN];
	int e;
	int64_t n;

	check_keys(c, o, "media", keys, "");
	if (get_enum(c, o, "media", "codec", codecs, "PCMU or PCMA", &e)) {
		s->codecs[0] = codec_pt[e];
		s->n_codecs = 1;
	}
	const cJSON *list = cJSON_GetObjectItemCaseSensitive(o, "codecs");
	if (list && has(o, "codec")) {
		add_err(c, "media.codecs: expected codec or codecs, not both, got both");
	} else if (list) {
		int count = cJSON_IsArray(list) ? cJSON_GetArraySize(list) : 0;
		if (count < 1 || count > SCN_MAX_CODECS) {
			bad(c, "media.codecs", "a list of 1-2 codecs such as [\"PCMA\", \"PCMU\"]", list);
			return;
		}
		s->n_codecs = 0;
		int i = 0;
		for (const cJSON *it = list->child; it; it = it->next, i++) {
			int k = name_index(cJSON_GetStringValue(it), codecs);
			join_index(p, "media.codecs", i);
			if (k < 0)
				bad(c, p, "PCMU or PCMA", it);
			else if (s->n_codecs == 1 && s->codecs[0] == codec_pt[k])
				add_err(c, "%s: expected each codec once, got \"%s\" again", p, codecs[k]);
			else
				s->codecs[s->n_codecs++] = codec_pt[k];
		}
	}
	if (get_int(c, o, "media", "ptime_ms", 10, 60, "a multiple of 10 from 10 to 60", &n)) {
		if (n % 10)
			bad(c, join(p, "media", "ptime_ms"), "a multiple of 10 from 10 to 60",
			    cJSON_GetObjectItemCaseSensitive(o, "ptime_ms"));
		else
			s->ptime_ms = (int)n;
	}
	if (get_enum(c, o, "media", "direction", directions, "sendrecv, sendonly or recvonly", &e))
		s->direction = (enum scn_direction)e;
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, "crypto");
	if (v)
		parse_crypto(c, v);
	parse_key_lifetime(c, cJSON_GetObjectItemCaseSensitive(o, "key_lifetime"));
	get_bool(c, o, "media", "rekey_on_lifetime", &s->rekey_on_lifetime);
	if (get_enum(c, o, "media", "ports", ports, "per_call or shared", &e))
		s->shared_media_ports = e == 1;
}

const char *scn_direction_name(enum scn_direction d)
{
	static const char *const names[] = { "sendrecv", "sendonly", "recvonly", "inactive" };
	return (unsigned)d < sizeof(names) / sizeof(names[0]) ? names[d] : "sendrecv";
}

static const char *const plain_metrics[] = {
	"calls.attempted", "calls.completed", "calls.failed", "calls.failed_pct",
	"calls.cps", "calls.max_concurrent", "tls.handshakes.failed",
	"srtp.auth_failures", "srtp.replay_failures", "srtp.lost", "srtp.packets_received",
	"srtp.packets_sent", "srtp.lost_pct", "srtp.jitter_ms", "srtp.silent_streams",
	"srtp.stale_key_packets", "srtp.mos", "srtp.mos_p5", "srtp.mos_min", "dtmf.sent",
	"dtmf.received", "dtmf.mismatched", NULL
};
/* metrics kept as histograms, judged by one of hist_stats */
static const char *const stat_metrics[] = {
	"latency_ms.tls_handshake", "latency_ms.invite_to_100", "latency_ms.invite_to_180",
	"latency_ms.invite_to_200", "latency_ms.bye_to_200", "latency_ms.answer_to_first_media",
	"latency_ms.options_to_200", "latency_ms.invite_to_final", "latency_ms.invite_to_ack",
	"tester.schedule_lag_ms",
	NULL
};
static const char *const hist_stats[] = { "p50", "p90", "p99", "p999", "min", "max", NULL };
/* metrics a destination of target.hosts has of its own: "metric@HOST:PORT" */
static const char *const dest_metrics[] = {
	"calls.attempted", "calls.completed", "calls.failed", "calls.failed_pct",
	"latency_ms.invite_to_200", NULL
};

/* One bound object {"min": x, "max": y} for metric (and stat), at a destination ("" for
 * the whole run). */
static void parse_bounds(struct ctx *c, const cJSON *v, const char *path,
			 const char *metric, const char *stat, const char *at)
{
	static const char *const keys[] = { "min", "max", NULL };
	struct scenario *s = c->s;
	struct threshold t = { 0 };

	if (!cJSON_IsObject(v) || !v->child) {
		bad(c, path, "an object with min and/or max", v);
		return;
	}
	check_keys(c, v, path, keys, " (a threshold takes min, max)");
	t.has_min = get_num(c, v, path, "min", 0, false, HUGE_VAL, "a number >= 0", &t.min);
	t.has_max = get_num(c, v, path, "max", 0, false, HUGE_VAL, "a number >= 0", &t.max);
	if (t.has_min && t.has_max && t.min > t.max)
		add_err(c, "%s: expected min <= max, got min %g > max %g", path, t.min, t.max);
	if (!t.has_min && !t.has_max)
		return;
	if (s->n_thresholds == SCN_MAX_THRESHOLDS) {
		add_err(c, "%s: expected at most %d thresholds, got more", path, SCN_MAX_THRESHOLDS);
		return;
	}
	snprintf(t.metric, sizeof(t.metric), "%s", metric);
	snprintf(t.stat, sizeof(t.stat), "%s", stat);
	snprintf(t.at, sizeof(t.at), "%s", at);
	s->thresholds[s->n_thresholds++] = t;
}

static void parse_thresholds(struct ctx *c, const cJSON *o)
{
	char p[SCN_PATH_LEN], ps[SCN_PATH_LEN], metric[64];
	c->s->n_thresholds = 0; /* the file's thresholds replace the defaults */
	for (const cJSON *m = o->child; m; m = m->next) {
		join(p, "thresholds", m->string);
		/* "metric@HOST:PORT": the metric of one destination */
		const char *at = strchr(m->string, '@');
		size_t mlen = at ? (size_t)(at - m->string) : strlen(m->string);
		snprintf(metric, sizeof(metric), "%.*s", (int)(mlen < sizeof(metric) ? mlen : 0), m->string);
		if (is_duplicate(o, m)) {
			add_err(c, "%s: expected each key once, got it again", p);
		} else if (at && (name_index(metric, dest_metrics) < 0 || !at[1] ||
				  strlen(at + 1) >= sizeof(c->s->thresholds[0].at))) {
			add_err(c, "%s: expected METRIC@HOST:PORT with a metric a destination has (calls.attempted, "
				   "calls.completed, calls.failed, calls.failed_pct, latency_ms.invite_to_200)", p);
		} else if (name_index(metric, plain_metrics) >= 0) {
			parse_bounds(c, m, p, metric, "", at ? at + 1 : "");
		} else if (name_index(metric, stat_metrics) < 0) {
			add_err(c, "%s: unknown key (not a known metric)", p);
		} else if (!cJSON_IsObject(m) || !m->child) {
			bad(c, p, "an object of stats such as {\"p99\": {\"max\": 200}}", m);
		} else {
			check_keys(c, m, p, hist_stats,
				   " (latency stats: p50 p90 p99 p999 min max)");
			for (const cJSON *st = m->child; st; st = st->next)
				if (name_index(st->string, hist_stats) >= 0 && !is_duplicate(m, st))
					parse_bounds(c, st, join(ps, p, st->string), metric, st->string,
						     at ? at + 1 : "");
		}
	}
}

/* ---- the responder's behaviour (role uas) ---- */

#define MAX_UAS_MS 86400000u   /* ring and hang-up times: a day */
#define MAX_WEIGHT 1000000

/* A time in ms: a number, or {"min": A, "max": B} drawn uniformly for each call. */
static bool get_span(struct ctx *c, const cJSON *o, const char *path, const char *key,
		     struct scn_span *out)
{
	static const char *const keys[] = { "min", "max", NULL };
	static const char what[] = "milliseconds 0-86400000, or {\"min\": MS, \"max\": MS}";
	char p[SCN_PATH_LEN];
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, key);
	int64_t lo, hi;
	if (!v)
		return false;
	if (cJSON_IsNumber(v)) {
		if (!get_int(c, o, path, key, 0, MAX_UAS_MS, what, &lo))
			return false;
		*out = (struct scn_span){ (uint32_t)lo, (uint32_t)lo };
		return true;
	}
	if (!cJSON_IsObject(v)) {
		bad(c, join(p, path, key), what, v);
		return false;
	}
	join(p, path, key);
	check_keys(c, v, p, keys, "");
	bool ok_lo = get_int(c, v, p, "min", 0, MAX_UAS_MS, "milliseconds 0-86400000", &lo);
	bool ok_hi = get_int(c, v, p, "max", 0, MAX_UAS_MS, "milliseconds 0-86400000", &hi);
	if (!has(v, "min") || !has(v, "max")) {
		add_err(c, "%s: expected both min and max, got %s", p, has(v, "min") ? "min alone" :
			has(v, "max") ? "max alone" : "neither");
		return false;
	}
	if (!ok_lo || !ok_hi)
		return false;
	if (lo > hi) {
		add_err(c, "%s: expected min <= max, got min %lld > max %lld", p, (long long)lo,
			(long long)hi);
		return false;
	}
	*out = (struct scn_span){ (uint32_t)lo, (uint32_t)hi };
	return true;
}

/* outcomes: [{"status": 200 | 300-699 | "no_answer", "weight": W}, ...] */
static void parse_outcomes(struct ctx *c, const cJSON *v, const char *path, struct scn_answer *a)
{
	static const char *const keys[] = { "status", "weight", NULL };
	static const char what[] = "200, a refusal 300-699 or \"no_answer\"";
	char p[SCN_PATH_LEN], q[SCN_PATH_LEN];
	int n = cJSON_GetArraySize(v);
	if (!cJSON_IsArray(v) || n < 1 || n > SCN_MAX_OUTCOMES) {
		bad(c, path, "a list of 1-8 {\"status\": ..., \"weight\": ...}", v);
		return;
	}
	uint64_t total = 0;
	a->n_outcomes = 0;
	for (int i = 0; i < n; i++) {
		const cJSON *o = cJSON_GetArrayItem(v, i);
		join_index(p, path, i);
		if (!cJSON_IsObject(o)) {
			bad(c, p, "{\"status\": ..., \"weight\": ...}", o);
			continue;
		}
		check_keys(c, o, p, keys, "");
		struct scn_outcome *out = &a->outcomes[a->n_outcomes];
		const cJSON *st = cJSON_GetObjectItemCaseSensitive(o, "status");
		int64_t w;
		if (cJSON_IsString(st) && !strcmp(st->valuestring, "no_answer"))
			out->status = SCN_NO_ANSWER;
		else if (cJSON_IsNumber(st) && st->valuedouble == (int)st->valuedouble &&
			 ((int)st->valuedouble == 200 ||
			  ((int)st->valuedouble >= 300 && (int)st->valuedouble <= 699)))
			out->status = (int)st->valuedouble;
		else {
			bad(c, join(q, p, "status"), what, st);
			continue;
		}
		if (!get_int(c, o, p, "weight", 0, MAX_WEIGHT, "an integer 0-1000000", &w)) {
			if (!has(o, "weight"))
				bad(c, join(q, p, "weight"), "an integer 0-1000000", NULL);
			continue;
		}
		out->weight = (uint32_t)w;
		total += (uint64_t)w;
		a->n_outcomes++;
	}
	if (a->n_outcomes == (unsigned)n && total == 0)
		add_err(c, "%s: expected weights that add up to more than 0, got 0", path);
	a->has_outcomes = true;
}

/* The keys of answer, which a route may override. */
static void parse_answer_keys(struct ctx *c, const cJSON *o, const char *path, struct scn_answer *a)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, "outcomes");
	char p[SCN_PATH_LEN];
	a->has_ring = get_span(c, o, path, "ring_ms", &a->ring_ms);
	a->has_hangup = get_span(c, o, path, "hangup_after_ms", &a->hangup_after_ms);
	if (v)
		parse_outcomes(c, v, join(p, path, "outcomes"), a);
}

static void parse_answer(struct ctx *c, const cJSON *o)
{
	static const char *const keys[] = { "ring_ms", "outcomes", "hangup_after_ms", "offer_crypto",
					    "early_media", "reliable_provisional", "max_cps", "max_calls", NULL };
	check_keys(c, o, "answer", keys, "");
	parse_answer_keys(c, o, "answer", &c->s->uas.answer);
	get_bool(c, o, "answer", "early_media", &c->s->uas.answer.early_media);
	get_bool(c, o, "answer", "reliable_provisional", &c->s->uas.answer.reliable_provisional);
	get_num(c, o, "answer", "max_cps", 0, true, MAX_RATE, "calls/s > 0 and <= 10000000",
		&c->s->uas.max_cps);
	int64_t n;
	if (get_int(c, o, "answer", "max_calls", 1, SCN_MAX_CONCURRENT, "calls 1-10000000", &n))
		c->s->uas.max_calls = (uint32_t)n;
	if (c->s->uas.answer.reliable_provisional && !c->s->uas.answer.early_media)
		add_err(c, "answer.reliable_provisional: expected with answer.early_media (the 183 it "
			   "makes reliable), got it alone");
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, "offer_crypto");
	if (v)
		parse_suites(c, v, "answer.offer_crypto", c->s->uas.offer_crypto, &c->s->uas.n_offer_crypto);
}

/* routes: [{"user": "ERE", ...answer keys...}], tried in order */
static void parse_routes(struct ctx *c, const cJSON *v)
{
	static const char *const keys[] = { "user", "ring_ms", "outcomes", "hangup_after_ms", NULL };
	struct scn_uas *u = &c->s->uas;
	char p[SCN_PATH_LEN], q[SCN_PATH_LEN];
	int n = cJSON_GetArraySize(v);
	if (!cJSON_IsArray(v) || n < 1 || n > SCN_MAX_ROUTES) {
		bad(c, "routes", "a list of 1-16 {\"user\": \"regular expression\", ...}", v);
		return;
	}
	for (int i = 0; i < n; i++) {
		const cJSON *o = cJSON_GetArrayItem(v, i);
		join_index(p, "routes", i);
		if (!cJSON_IsObject(o)) {
			bad(c, p, "{\"user\": \"regular expression\", ...}", o);
			continue;
		}
		check_keys(c, o, p, keys, " (a route takes user and the keys of answer)");
		struct scn_route *r = &u->routes[u->n_routes];
		const cJSON *user = cJSON_GetObjectItemCaseSensitive(o, "user");
		regex_t re;
		int rc = cJSON_IsString(user) ? regcomp(&re, user->valuestring, REG_EXTENDED | REG_NOSUB) : -1;
		if (rc) {
			char why[128] = "not a string";
			if (rc > 0)
				regerror(rc, &re, why, sizeof(why));
			add_err(c, "%s: expected a regular expression (POSIX extended) on the Request-URI's "
				   "user part, got %s: %s", join(q, p, "user"),
				user ? cJSON_IsString(user) ? "a bad one" : "another type" : "nothing", why);
			continue;
		}
		regfree(&re);
		if (!copy_str(c, join(q, p, "user"), user->valuestring, r->user, sizeof(r->user)))
			continue;
		parse_answer_keys(c, o, p, &r->answer);
		u->n_routes++;
	}
}

/* A responder's answer to OPTIONS pings: a status or no answer, in a window of time. */
static void parse_options(struct ctx *c, const cJSON *o)
{
	static const char *const keys[] = { "status", "after_s", "for_s", NULL };
	struct scn_options *p = &c->s->uas.options;
	check_keys(c, o, "options", keys, "");
	*p = (struct scn_options){ .set = true, .status = 200 };
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, "status");
	int64_t n;
	if (cJSON_IsString(v) && !strcmp(v->valuestring, "no_answer"))
		p->status = SCN_NO_ANSWER;
	else if (v && !get_int(c, o, "options", "status", 200, 699, "a status 200-699 or \"no_answer\"", &n))
		return;
	else if (v)
		p->status = (int)n;
	get_num(c, o, "options", "after_s", 0, false, MAX_SECONDS, "seconds >= 0", &p->after_s);
	get_num(c, o, "options", "for_s", 0, false, MAX_SECONDS, "seconds >= 0 (0: from then on)", &p->for_s);
}

static void parse_root(struct ctx *c, const cJSON *root)
{
	static const char *const keys[] = { "name", "description", "role", "target", "tls", "transport",
		"load", "call", "media", "thresholds", "answer", "routes", "routes_default",
		"session_timer", "options", NULL };
	static const char *const roles[] = { "run", "uas", NULL };
	static const char *const run_only[] = { "target", "tls", "transport", "load", "call", NULL };
	static const char *const uas_only[] = { "answer", "routes", "routes_default", "session_timer",
						"options", NULL };
	static const struct {
		const char *key;
		void (*parse)(struct ctx *c, const cJSON *o);
	} sections[] = {
		{ "target", parse_target }, { "tls", parse_tls }, { "transport", parse_transport },
		{ "load", parse_load }, { "call", parse_call }, { "media", parse_media },
		{ "thresholds", parse_thresholds },
	};
	struct scenario *s = c->s;

	if (!cJSON_IsObject(root)) {
		bad(c, "(top level)", "an object", root);
		return;
	}
	check_keys(c, root, "", keys, "");
	get_str(c, root, "", "name", true, s->name, sizeof(s->name));
	const cJSON *d = cJSON_GetObjectItemCaseSensitive(root, "description");
	if (d && !cJSON_IsString(d))
		bad(c, "description", "a string", d);
	int role;
	if (get_enum(c, root, "", "role", roles, "run or uas", &role))
		s->role = (enum scn_role)role;
	const char *const *wrong = s->role == SCN_ROLE_UAS ? run_only : uas_only;
	for (size_t i = 0; wrong[i]; i++)
		if (has(root, wrong[i]))
			add_err(c, "%s: expected only %s, got it in %s", wrong[i],
				s->role == SCN_ROLE_UAS ? "in a run's scenario (this file has \"role\": \"uas\")"
							: "in a responder's behaviour (\"role\": \"uas\")",
				s->role == SCN_ROLE_UAS ? "a responder's behaviour" : "a run's scenario");
	for (size_t i = 0; i < sizeof(sections) / sizeof(sections[0]); i++) {
		const cJSON *o = get_obj(c, root, "", sections[i].key);
		if (o && (s->role == SCN_ROLE_RUN || name_index(sections[i].key, run_only) < 0))
			sections[i].parse(c, o);
	}
	if (s->role != SCN_ROLE_UAS)
		return;
	const cJSON *a = get_obj(c, root, "", "answer");
	if (a)
		parse_answer(c, a);
	const cJSON *r = cJSON_GetObjectItemCaseSensitive(root, "routes");
	if (r)
		parse_routes(c, r);
	int64_t n;
	if (get_int(c, root, "", "routes_default", 400, 699, "a refusal 400-699", &n))
		s->uas.routes_default = (int)n;
	const cJSON *st = get_obj(c, root, "", "session_timer");
	if (st) {
		parse_session_timer(c, st, "session_timer");
		s->uas.has_session_timer = true;
	}
	const cJSON *op = get_obj(c, root, "", "options");
	if (op)
		parse_options(c, op);
}


/* ---- cross-field rules ---- */

static const char *step_desc(const struct flow_step *st, char *buf, size_t cap)
{
	switch (st->kind) {
	case FLOW_SEND:
		snprintf(buf, cap, "{\"send\": \"%s\"}", send_name(st->method));
		break;
	case FLOW_EXPECT:
		if (st->request)
			snprintf(buf, cap, "{\"expect\": \"%s\"}", sip_method_name(st->request));
		else
			snprintf(buf, cap, "{\"expect\": %d}", st->status);
		break;
	case FLOW_PAUSE:
		snprintf(buf, cap, "{\"pause_ms\": %u}", (unsigned)st->ms);
		break;
	case FLOW_MEDIA:
		snprintf(buf, cap, "{\"media\": ...}");
		break;
	case FLOW_DTMF:
		snprintf(buf, cap, "{\"dtmf\": \"%s\"}", st->digits);
		break;
	case FLOW_EXPECT_DTMF:
		snprintf(buf, cap, "{\"expect_dtmf\": \"%s\"}", st->digits);
		break;
	default:
		snprintf(buf, cap, "a step of unknown kind %d", (int)st->kind);
	}
	return buf;
}

/* The order of a call flow: only what would make a run meaningless is refused
 * (an ACK with nothing to acknowledge, a BYE outside a dialog, a response
 * awaited when no request is outstanding, ...). */
static void check_flow(struct ctx *c, const struct scenario *s)
{
	char p[SCN_PATH_LEN], d[64];
	unsigned pending = 0;     /* requests awaiting their final response */
	bool invite = false;      /* the INVITE is one of them */
	bool offer = false;       /* that INVITE carried an SDP offer */
	bool dialog = false;      /* a 2xx to INVITE arrived and no BYE was sent */
	bool dialog_offer = false;
	bool ack_due = false;     /* the last step (pauses aside) was that 2xx */
	bool answer_due = false;  /* that 2xx carried the offer of a delayed-offer INVITE */

	if (s->n_flow == 0) {
		add_err(c, "call.flow: expected at least one step, got none");
		return;
	}
	for (unsigned i = 0; i < s->n_flow; i++) {
		const struct flow_step *st = &s->flow[i];
		join_index(p, "call.flow", (int)i);
		/* a call starts with its INVITE; an OPTIONS ping is a flow of its own */
		if (i == 0 && (st->kind != FLOW_SEND ||
			       (st->method != SIP_INVITE && st->method != SIP_OPTIONS))) {
			add_err(c, "%s: expected the flow to start with {\"send\": \"INVITE\"} or "
				   "{\"send\": \"OPTIONS\"}, got %s",
				p, step_desc(st, d, sizeof(d)));
			return;
		}
		if (st->kind == FLOW_PAUSE)
			continue;
		bool was_ack_due = ack_due;
		ack_due = false;
		switch (st->kind) {
		case FLOW_SEND:
			if (st->method == SIP_ACK) {
				if (!was_ack_due)
					add_err(c, "%s.send: expected ACK only right after an expect of a "
						"2xx to INVITE, got \"ACK\"", p);
				/* an INVITE without SDP whose ACK has none either is a call
				 * without SDP, if the far end offers nothing */
				else if (!answer_due && st->sdp_answer)
					add_err(c, "%s.sdp: expected none: the INVITE offered, its 2xx "
						"answered, got \"answer\"", p);
				dialog_offer |= st->sdp_answer;
				answer_due = false;
			} else if (st->method == SIP_CANCEL) {
				if (!invite || pending != 1)
					add_err(c, "%s.send: expected CANCEL only while an INVITE awaits "
						"its final response, got \"CANCEL\"", p);
				else
					pending++;
			} else if (pending) {
				add_err(c, "%s.send: expected an expect of the final response before "
					"sending another request, got \"%s\"", p, send_name(st->method));
			} else if ((st->method == SIP_BYE || st->method == SIP_UPDATE) && !dialog) {
				add_err(c, "%s.send: expected %s only in a call answered with a 2xx "
					"to INVITE, got \"%s\"", p, send_name(st->method), send_name(st->method));
			} else {
				if (st->method == SIP_INVITE && !dialog && (st->has_direction || st->rekey))
					add_err(c, "%s.%s: expected only on a re-INVITE, in a call answered with a "
						"2xx (media.direction says what the first offer does), got it on the "
						"first INVITE", p, st->has_direction ? "direction" : "rekey");
				pending = 1;
				invite = st->method == SIP_INVITE;
				offer = st->sdp_offer;
				if (st->method == SIP_BYE)
					dialog = false;
			}
			break;
		case FLOW_EXPECT:
			if (st->request == SIP_BYE) {
				if (!dialog || pending)
					add_err(c, "%s.expect: expected the far end's BYE only in a call "
						"answered with a 2xx to INVITE, with no request of ours "
						"outstanding, got \"BYE\"", p);
				dialog = false;
			} else if (!pending) {
				add_err(c, "%s.expect: expected a request awaiting a response before it, "
					"got %d with none outstanding", p, st->status);
			} else if (st->status >= 200 && !st->optional && --pending == 0 && invite) {
				invite = false;
				if (st->status < 300) {
					dialog = ack_due = true;
					dialog_offer = offer;
					answer_due = !offer;
				}
			}
			break;
		case FLOW_MEDIA:
			if (!dialog || !dialog_offer)
				add_err(c, "%s.media: expected media only in a call answered with a 2xx "
					"to an INVITE with an SDP offer, or whose 2xx offer the ACK answered, "
					"got %s", p, step_desc(st, d, sizeof(d)));
			if (st->ms == MEDIA_MS_UNSET && s->media_ms < 0)
				add_err(c, "%s.media.duration_ms: expected a duration (or --media-ms), "
					"got nothing", p);
			break;
		case FLOW_DTMF:
		case FLOW_EXPECT_DTMF:
			if (!dialog || !dialog_offer)
				add_err(c, "%s: expected DTMF only in a call answered with a 2xx to an "
					"INVITE with an SDP offer, or whose 2xx offer the ACK answered (the "
					"digits travel in the media), got %s", p, step_desc(st, d, sizeof(d)));
			break;
		default:
			add_err(c, "%s: expected a send, expect, pause_ms, media, dtmf or expect_dtmf step, got %s",
				p, step_desc(st, d, sizeof(d)));
		}
	}
}

static void check_template(struct ctx *c, const struct scenario *s, const char *path,
			   const char *tpl)
{
	char name[NUMBERS_NAME_MAX + 8];
	int rc = expand_check(tpl, &s->numbers, name, sizeof(name));
	if (rc == -EINVAL)
		add_err(c, "%s: expected each { closed by } around a name, got \"%.40s\"", path, name);
	else if (rc)
		add_err(c, "%s: expected {NAME} to name %s%s, got {%s}", path, expand_builtin_names,
			s->numbers.n_cols ? " or a column of call.numbers" : "", name);
}

/* Every {name} of From, To and the headers names something. */
static void check_templates(struct ctx *c, const struct scenario *s)
{
	char p[SCN_PATH_LEN];
	check_template(c, s, "call.from", s->from);
	check_template(c, s, "call.to", s->to);
	for (unsigned i = 0; i < s->n_call_headers; i++)
		check_template(c, s, join(p, "call.headers", s->headers[i].name), s->headers[i].value);
	for (unsigned i = 0; i < s->n_flow; i++) {
		const struct flow_step *st = &s->flow[i];
		for (unsigned h = st->hdr_first; st->kind == FLOW_SEND && h < st->hdr_first + st->hdr_n; h++) {
			char sp[SCN_PATH_LEN];
			join_index(sp, "call.flow", (int)i);
			char hp[SCN_PATH_LEN];
			join(hp, sp, "headers");
			check_template(c, s, join(p, hp, s->headers[h].name), s->headers[h].value);
		}
	}
}

/* Each destination once; weights only where they weigh; a threshold's @HOST:PORT one of
 * them. */
static void check_dests(struct ctx *c, const struct scenario *s)
{
	char p[SCN_PATH_LEN];
	for (unsigned i = 0; i < s->n_dests; i++) {
		const struct scn_dest *d = &s->dests[i];
		join_index(p, "target.hosts", (int)i);
		for (unsigned j = 0; j < i; j++)
			if (d->port == s->dests[j].port && !strcasecmp(d->host, s->dests[j].host)) {
				add_err(c, "%s: expected each destination once, got %s:%u again (target.hosts[%u])",
					p, d->host, d->port, j);
				break;
			}
		if (d->has_weight && s->distribution != DEST_WEIGHTED)
			add_err(c, "%s.weight: expected target.distribution \"weighted\" for weights, got \"%s\"",
				p, dest_policy_name(s->distribution));
	}
	for (unsigned i = 0; c->final && i < s->n_thresholds; i++) {
		const struct threshold *t = &s->thresholds[i];
		if (!t->at[0] || scn_dest_index(s, t->at) >= 0)
			continue;
		char list[160];
		struct tl_sb b = tl_sb_init(list, sizeof(list));
		for (unsigned k = 0; k < scn_n_dests(s); k++) {
			struct scn_dest_view d = scn_dest(s, k);
			tl_sb_fmt(&b, "%s%s:%u", k ? ", " : "", d.host, d.port);
		}
		tl_sb_mark_cut(&b);
		add_err(c, "thresholds.%s@%s: expected one of the target's destinations (%s), got %s",
			t->metric, t->at, list, t->at);
	}
}

static void check_all(struct ctx *c, const struct scenario *s)
{
	if (s->role == SCN_ROLE_UAS)
		return; /* its keys are checked as they are read; a run's rules are not its */
	if (!s->host[0])
		add_err(c, "target.host: expected a non-empty host, got \"\"");
	if (s->port == 0)
		add_err(c, "target.port: expected a port number 1-65535, got 0");
	check_dests(c, s);
	if (s->transport == SCN_TLS && s->tls_versions == 0)
		add_err(c, "tls.versions: expected at least one TLS version, got none");
	if (s->security_level < -1 || s->security_level > 5)
		add_err(c, "tls.security_level: expected an integer 0-5, got %d", s->security_level);
	if (s->cert[0] && !s->key[0])
		add_err(c, "tls.key: expected a key file together with tls.cert, got nothing");
	if (s->key[0] && !s->cert[0])
		add_err(c, "tls.cert: expected a certificate file together with tls.key, got nothing");
	if (s->transport == SCN_TCP && s->mode == SCN_HANDSHAKE)
		add_err(c, "transport.mode: expected trunk or per_call with transport.type tcp, "
			"got \"handshake\"");
	if (s->transport == SCN_TCP && s->expect_handshake == SCN_HS_REJECTED)
		add_err(c, "tls.expect_handshake: expected ok with transport.type tcp, got \"rejected\"");
	if (s->connections < 1)
		add_err(c, "transport.connections: expected an integer 1-65535, got 0");
	if (s->options_ping_s && scn_conn_per_call(s))
		add_err(c, "transport.options_ping_s: expected with transport.mode trunk only (the trunk's "
			   "connections are pinged), got mode %s", s->expect_handshake == SCN_HS_REJECTED ?
			   "trunk with expect_handshake rejected" : scn_mode_name(s->mode));
	if (!(s->rate > 0 && s->rate <= MAX_RATE))
		add_err(c, "load.rate: expected a number > 0 and at most %.0f, got %g", MAX_RATE, s->rate);
	if (!(s->ramp_s >= 0 && s->ramp_s <= MAX_SECONDS))
		add_err(c, "load.ramp_s: expected a number >= 0 and <= 31536000, got %g", s->ramp_s);
	if (!(s->duration_s >= 0 && s->duration_s <= MAX_SECONDS))
		add_err(c, "load.duration_s: expected a number >= 0 and <= 31536000, got %g",
			s->duration_s);
	else if (s->calls == 0 && s->duration_s == 0)
		add_err(c, "load: expected calls or duration_s > 0, got neither");
	if (s->max_concurrent < 1 || s->max_concurrent > SCN_MAX_CONCURRENT)
		add_err(c, "load.max_concurrent: expected an integer 1-%u, got %u",
			SCN_MAX_CONCURRENT, s->max_concurrent);
	if (s->n_suites < 1 || s->n_suites > SCN_MAX_SUITES)
		add_err(c, "media.crypto: expected 1-%d SRTP suites, got %u", SCN_MAX_SUITES, s->n_suites);
	if (s->ptime_ms < 10 || s->ptime_ms > 60 || s->ptime_ms % 10)
		add_err(c, "media.ptime_ms: expected a multiple of 10 from 10 to 60, got %d", s->ptime_ms);
	if (s->media_ms < -1)
		add_err(c, "media_ms: expected -1 or a duration >= 0, got %d", (int)s->media_ms);
	if (s->hold_ms && s->mode != SCN_HANDSHAKE)
		add_err(c, "load.hold_ms: expected with transport.mode handshake only (a call's "
			"own pause steps hold it otherwise), got mode %s", scn_mode_name(s->mode));
	if (s->mode != SCN_HANDSHAKE) {
		check_flow(c, s);
		check_templates(c, s);
	}
}

/* ---- public ---- */

int scn_parse_source(const char *text, struct tl_addr_range *out)
{
	char a[INET6_ADDRSTRLEN], b[INET6_ADDRSTRLEN] = "";
	const char *dash = strchr(text, '-');
	size_t la = dash ? (size_t)(dash - text) : strlen(text);
	if (la >= sizeof(a) || (dash && strlen(dash + 1) >= sizeof(b)))
		return -EINVAL;
	memcpy(a, text, la);
	a[la] = 0;
	snprintf(b, sizeof(b), "%s", dash ? dash + 1 : a);
	unsigned char x[16], y[16];
	int family = strchr(a, ':') ? AF_INET6 : AF_INET;
	size_t len = family == AF_INET6 ? 16 : 4;
	if (inet_pton(family, a, x) != 1 || inet_pton(family, b, y) != 1 || memcmp(x, y, len - 2))
		return -EINVAL;
	uint32_t first = (uint32_t)x[len - 2] << 8 | x[len - 1], last = (uint32_t)y[len - 2] << 8 | y[len - 1];
	if (last < first)
		return -EINVAL;
	*out = (struct tl_addr_range){ .family = family, .n = last - first + 1 };
	memcpy(out->first, x, len);
	return 0;
}

void scenario_default(struct scenario *s)
{
	static const struct flow_step basic[] = {
		{ .kind = FLOW_SEND, .method = SIP_INVITE, .sdp_offer = true },
		{ .kind = FLOW_EXPECT, .status = 100, .optional = true, .timeout_ms = DEFAULT_TIMEOUT_MS },
		{ .kind = FLOW_EXPECT, .status = 180, .optional = true, .timeout_ms = DEFAULT_TIMEOUT_MS },
		{ .kind = FLOW_EXPECT, .status = 200, .timeout_ms = DEFAULT_TIMEOUT_MS },
		{ .kind = FLOW_SEND, .method = SIP_ACK },
		{ .kind = FLOW_MEDIA, .ms = 3000 },
		{ .kind = FLOW_SEND, .method = SIP_BYE },
		{ .kind = FLOW_EXPECT, .status = 200, .timeout_ms = DEFAULT_TIMEOUT_MS },
	};
	memset(s, 0, sizeof(*s));
	snprintf(s->name, sizeof(s->name), "basic-call");
	snprintf(s->host, sizeof(s->host), "127.0.0.1");
	s->port = SCN_SIPS_PORT;
	snprintf(s->server_name, sizeof(s->server_name), "uas.trunkload.test");
	s->tls_versions = TL_TLS1_2 | TL_TLS1_3;
	s->security_level = -1;
	s->expect_handshake = SCN_HS_OK;
	s->expect_min_days_valid = -1;
	s->expect_min_key_bits = -1;
	s->transport = SCN_TLS;
	s->mode = SCN_TRUNK;
	s->connections = 1;
	s->rate = 10;
	s->calls = 10;
	s->max_concurrent = 10000;
	snprintf(s->from, sizeof(s->from), "sip:1018@{local_host}");
	snprintf(s->to, sizeof(s->to), "sip:9898@{target_host}:{target_port}");
	memcpy(s->flow, basic, sizeof(basic));
	s->n_flow = sizeof(basic) / sizeof(basic[0]);
	s->ptime_ms = 20;
	s->rekey_on_lifetime = true;
	s->suites[0] = SDES_AES_CM_128_HMAC_SHA1_80;
	s->suites[1] = SDES_AES_CM_128_HMAC_SHA1_32;
	s->n_suites = 2;
	s->codecs[0] = 0; /* PCMU */
	s->n_codecs = 1;
	s->media_ms = -1;
	s->uas.routes_default = 404;
}

/* line:column (1-based, columns in characters) of a JSON syntax error, with a
 * few characters of what stands there. */
static void syntax_error(struct ctx *c, const char *json, size_t len, const char *at,
			 const char *what)
{
	size_t pos = at && at >= json ? (size_t)(at - json) : 0;
	unsigned line = 1, col = 1;
	char got[48] = "end of file";
	if (pos > len)
		pos = len;
	/* cJSON stops one past some offending characters (a '}' where a key
	 * should be): a stop on white space after a visible character means that
	 * character. */
	if (pos > 0 && (pos == len || strchr(" \t\r\n", json[pos])) &&
	    !strchr(" \t\r\n", json[pos - 1]))
		pos--;
	for (size_t i = 0; i < pos; i++) {
		if (json[i] == '\n') {
			line++;
			col = 1;
		} else if (((unsigned char)json[i] & 0xC0) != 0x80) {
			col++; /* not a UTF-8 continuation byte */
		}
	}
	if (pos < len) {
		size_t k = 0;
		got[k++] = '"';
		for (size_t i = pos; i < len && i < pos + 20 && json[i] != '\n' && json[i] != '\r'; i++) {
			unsigned char ch = (unsigned char)json[i];
			if (ch == '"' || ch == '\\')
				got[k++] = '\\';
			got[k++] = ch < 0x20 ? '?' : (char)ch;
		}
		got[k++] = '"';
		got[k] = '\0';
		if (k == 2)
			snprintf(got, sizeof(got), "end of line");
	}
	add_err(c, "line %u, column %u: expected %s, got %s", line, col, what, got);
}

int scenario_load_buf(const char *json, size_t len, const char *name,
		      struct scenario *s, struct scenario_errors *errs)
{
	struct ctx c = { .file = name, .errs = errs };
	if (errs)
		errs->n = 0;
	struct scenario *tmp = malloc(sizeof(*tmp)); /* *s is written only on success */
	if (!tmp) {
		add_err(&c, "(top level): expected memory to load the scenario, got none");
		return -ENOMEM;
	}
	scenario_default(tmp);
	c.s = tmp;
	if (!copy_str(&c, "(file name)", name, tmp->path, sizeof(tmp->path)))
		goto out;

	/* Without a "name", the file's base name names the scenario. */
	const char *base = strrchr(name, '/') ? strrchr(name, '/') + 1 : name;
	size_t blen = strlen(base);
	if (blen > 5 && strcmp(base + blen - 5, ".json") == 0)
		blen -= 5;
	if (blen > 0 && blen < sizeof(tmp->name))
		snprintf(tmp->name, sizeof(tmp->name), "%.*s", (int)blen, base);

	const char *end = NULL;
	cJSON *root = cJSON_ParseWithLengthOpts(json, len, &end, false);
	if (!root) {
		syntax_error(&c, json, len, end, "valid JSON");
		goto out;
	}
	size_t off = end && end >= json ? (size_t)(end - json) : len;
	while (off < len && json[off] && strchr(" \t\r\n", json[off]))
		off++;
	if (off < len) {
		syntax_error(&c, json, len, json + off, "end of file after the top-level value");
	} else {
		parse_root(&c, root);
		/* the rules across fields too, so that every problem shows at once */
		c.after_errors = c.n > 0;
		check_all(&c, tmp);
	}
	cJSON_Delete(root);
out:
	finish_errors(&c);
	if (c.n == 0)
		*s = *tmp;
	free(tmp);
	return c.n ? -EINVAL : 0;
}

int scenario_load_file(const char *path, struct scenario *s, struct scenario_errors *errs)
{
	struct ctx c = { .file = path, .errs = errs };
	char ebuf[128];
	size_t n = 0;
	int err = 0;
	if (errs)
		errs->n = 0;
	char *buf = malloc(SCN_MAX_FILE + 1);
	FILE *f = buf ? fopen(path, "re") : NULL;
	if (f)
		n = fread(buf, 1, SCN_MAX_FILE + 1, f);
	if (!f || ferror(f)) {
		err = errno ? -errno : -EIO;
		add_err(&c, "cannot read: %s", strerror_r(-err, ebuf, sizeof(ebuf)));
	} else if (n > SCN_MAX_FILE) {
		err = -EFBIG;
		add_err(&c, "(file): expected at most %d bytes, got more", SCN_MAX_FILE);
	} else {
		err = scenario_load_buf(buf, n, path, s, errs);
	}
	if (f)
		fclose(f);
	free(buf);
	return err;
}

int scenario_validate(const struct scenario *s, struct scenario_errors *errs)
{
	char builtin[160];
	snprintf(builtin, sizeof(builtin), "the built-in %s (no scenario file)", s->name);
	struct ctx c = { .file = s->path[0] ? s->path : builtin, .errs = errs, .final = true };
	if (errs)
		errs->n = 0;
	check_all(&c, s);
	finish_errors(&c);
	return c.n ? -EINVAL : 0;
}

const char *scn_server_name(const struct scenario *s)
{
	return s->server_name[0] ? s->server_name : s->host;
}

unsigned scn_n_dests(const struct scenario *s)
{
	return s->n_dests ? s->n_dests : 1;
}

struct scn_dest_view scn_dest(const struct scenario *s, unsigned i)
{
	if (!s->n_dests || i >= s->n_dests)
		return (struct scn_dest_view){ .host = s->host, .port = s->port, .weight = 1,
					       .server_name = scn_server_name(s) };
	const struct scn_dest *d = &s->dests[i];
	return (struct scn_dest_view){
		.host = d->host, .port = d->port, .weight = d->weight, .priority = d->priority,
		.server_name = d->server_name[0] ? d->server_name :
			       s->server_name[0] ? s->server_name : d->host,
	};
}

int scn_dest_index(const struct scenario *s, const char *hostport)
{
	char host[256];
	uint16_t port;
	if (tl_hostport_parse(hostport, strlen(hostport), host, sizeof(host), &port, SCN_SIPS_PORT))
		return -1;
	for (unsigned i = 0; i < scn_n_dests(s); i++) {
		struct scn_dest_view d = scn_dest(s, i);
		if (d.port == port && !strcasecmp(d.host, host))
			return (int)i;
	}
	return -1;
}

bool scn_uris_per_call(const struct scenario *s)
{
	return expand_per_call(s->from) || expand_per_call(s->to);
}

bool scn_conn_per_call(const struct scenario *s)
{
	return s->mode != SCN_TRUNK || s->expect_handshake == SCN_HS_REJECTED;
}

bool scn_runs_flow(const struct scenario *s)
{
	return s->mode != SCN_HANDSHAKE && s->expect_handshake != SCN_HS_REJECTED;
}

bool scn_flow_sends(const struct scenario *s, enum sip_method m)
{
	for (unsigned i = 0; scn_runs_flow(s) && i < s->n_flow; i++)
		if (s->flow[i].kind == FLOW_SEND && s->flow[i].method == m)
			return true;
	return false;
}

bool scn_has_media(const struct scenario *s)
{
	for (unsigned i = 0; scn_runs_flow(s) && i < s->n_flow; i++) {
		const struct flow_step *st = &s->flow[i];
		if (st->kind == FLOW_MEDIA && (s->media_ms >= 0 ? s->media_ms > 0 : st->ms > 0))
			return true;
		if (st->kind == FLOW_DTMF || st->kind == FLOW_EXPECT_DTMF)
			return true;
	}
	return false;
}

bool scn_has_dtmf(const struct scenario *s, enum flow_kind kind)
{
	for (unsigned i = 0; scn_runs_flow(s) && i < s->n_flow; i++)
		if (s->flow[i].kind == kind)
			return true;
	return false;
}

const char *scn_mode_name(enum scn_mode m)
{
	switch (m) {
	case SCN_TRUNK:
		return "trunk";
	case SCN_PER_CALL:
		return "per_call";
	case SCN_HANDSHAKE:
		return "handshake";
	}
	return "unknown";
}
