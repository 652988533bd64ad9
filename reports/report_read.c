/* report.json back into a result, for `trunkload merge`: the inverse of
 * report_json.c for everything that adds up across shards.
 *
 * Reports of an older or newer trunkload are read as far as they go: keys this
 * reader does not know are skipped, and counters a report lacks are 0. A key that
 * is there with the wrong type is an error naming it, and so is a histogram bucket
 * that is not one of this build's buckets: adding it to a neighbour would make the
 * merged percentiles quietly wrong. */
#include "report.h"
#include "wall_time.h"
#include <cjson/cJSON.h>
#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#define MAX_REPORT_BYTES (256u << 20)
#define MAX_TS_SECONDS (10u * 1000 * 1000) /* ~115 days: beyond that a t is damage */
#define MAX_EXACT 9007199254740992.0       /* 2^53: larger counts are not exact in JSON */
#define RUN_WORKERS_READ_MAX 1000000u      /* shards times threads: beyond that, damage */

/* Where errors go: every message starts with the file's name. */
struct rd {
	const char *path;
	char *err;
	size_t errlen;
};

static int bad(struct rd *d, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static int bad(struct rd *d, const char *fmt, ...)
{
	int n = snprintf(d->err, d->errlen, "%s: ", d->path);
	if (n >= 0 && (size_t)n < d->errlen) {
		va_list ap;
		va_start(ap, fmt);
		vsnprintf(d->err + n, d->errlen - (size_t)n, fmt, ap);
		va_end(ap);
	}
	return -EBADMSG;
}

enum kind { K_NUM, K_STR, K_OBJ, K_ARR, K_BOOL };

static const char *kind_name(enum kind k)
{
	static const char *const names[] = { "a number", "a string", "an object", "an array",
					     "true or false" };
	return names[k];
}

static const char *type_of(const cJSON *j)
{
	return cJSON_IsNumber(j) ? "a number" : cJSON_IsString(j) ? "a string" :
	       cJSON_IsObject(j) ? "an object" : cJSON_IsArray(j) ? "an array" :
	       cJSON_IsBool(j) ? "a boolean" : "null";
}

static bool is_kind(const cJSON *j, enum kind k)
{
	switch (k) {
	case K_NUM: return cJSON_IsNumber(j);
	case K_STR: return cJSON_IsString(j);
	case K_OBJ: return cJSON_IsObject(j);
	case K_ARR: return cJSON_IsArray(j);
	case K_BOOL: return cJSON_IsBool(j);
	}
	return false;
}

/* "at.name", or "name" at the top. */
static void key_of(char *out, size_t cap, const char *at, const char *name)
{
	snprintf(out, cap, "%s%s%s", at, *at ? "." : "", name);
}

/* o[name] into *out when it is there: NULL when absent (an older or newer report),
 * -EBADMSG naming the key when it is there with another type. */
static int member(struct rd *d, const cJSON *o, const char *at, const char *name, enum kind k,
		  const cJSON **out)
{
	*out = NULL;
	const cJSON *j = o ? cJSON_GetObjectItemCaseSensitive(o, name) : NULL;
	if (!j)
		return 0;
	if (!is_kind(j, k)) {
		char key[200];
		key_of(key, sizeof(key), at, name);
		return bad(d, "%s: expected %s, got %s", key, kind_name(k), type_of(j));
	}
	*out = j;
	return 0;
}

/* A count: a whole number from 0 to 2^53. */
static int whole(struct rd *d, const cJSON *j, const char *key, uint64_t *out)
{
	if (!cJSON_IsNumber(j))
		return bad(d, "%s: expected a number, got %s", key, type_of(j));
	double v = j->valuedouble;
	if (!(v >= 0 && v <= MAX_EXACT) || v != floor(v))
		return bad(d, "%s: expected a whole number >= 0, got %.17g", key, v);
	*out = (uint64_t)v;
	return 0;
}

static int counter(struct rd *d, const cJSON *o, const char *at, const char *name, uint64_t *out)
{
	const cJSON *j;
	char key[200];
	key_of(key, sizeof(key), at, name);
	*out = 0;
	int rc = member(d, o, at, name, K_NUM, &j);
	return rc || !j ? rc : whole(d, j, key, out);
}

/* A whole number that may be negative (RFC 3550's cumulative lost); 0 when absent. */
static int signed_whole(struct rd *d, const cJSON *o, const char *at, const char *name, int64_t *out)
{
	const cJSON *j;
	*out = 0;
	int rc = member(d, o, at, name, K_NUM, &j);
	if (rc || !j)
		return rc;
	double v = j->valuedouble;
	if (!(fabs(v) <= MAX_EXACT) || v != floor(v)) {
		char key[200];
		key_of(key, sizeof(key), at, name);
		return bad(d, "%s: expected a whole number, got %.17g", key, v);
	}
	*out = (int64_t)v;
	return 0;
}

/* A number >= 0 (durations, milliseconds, rates); 0 when absent. */
static int amount(struct rd *d, const cJSON *o, const char *at, const char *name, double *out)
{
	const cJSON *j;
	*out = 0;
	int rc = member(d, o, at, name, K_NUM, &j);
	if (rc || !j)
		return rc;
	if (!(j->valuedouble >= 0 && isfinite(j->valuedouble))) {
		char key[200];
		key_of(key, sizeof(key), at, name);
		return bad(d, "%s: expected a number >= 0, got %.17g", key, j->valuedouble);
	}
	*out = j->valuedouble;
	return 0;
}

/* Milliseconds as the report writes them (us / 1000.0) back to whole microseconds. */
static int micros(struct rd *d, const cJSON *o, const char *at, const char *name, uint64_t *out)
{
	double ms;
	int rc = amount(d, o, at, name, &ms);
	if (!rc && ms * 1000.0 >= MAX_EXACT) {
		char key[200];
		key_of(key, sizeof(key), at, name);
		return bad(d, "%s: %.17g ms is out of range", key, ms);
	}
	*out = rc ? 0 : (uint64_t)llround(ms * 1000.0);
	return rc;
}

/* A string into a fixed buffer (cut to fit, as the writer's own fields are). */
static int text(struct rd *d, const cJSON *o, const char *at, const char *name, char *out,
		size_t cap)
{
	const cJSON *j;
	int rc = member(d, o, at, name, K_STR, &j);
	if (!rc && j)
		snprintf(out, cap, "%s", j->valuestring);
	return rc;
}

static int flag(struct rd *d, const cJSON *o, const char *at, const char *name, bool *out)
{
	const cJSON *j;
	int rc = member(d, o, at, name, K_BOOL, &j);
	if (!rc && j)
		*out = cJSON_IsTrue(j);
	return rc;
}

/* calls.by_to_prefix: a shard's top prefixes (those it did not show are not known) */
static int read_prefixes(struct rd *d, const cJSON *calls, struct result *r)
{
	const cJSON *by, *it;
	int rc = member(d, calls, "calls", "by_to_prefix", K_ARR, &by);
	unsigned i = 0;
	if (rc || !by)
		return rc;
	cJSON_ArrayForEach(it, by) {
		char at[64], prefix[PREFIX_MAX_LEN + 1] = "";
		uint64_t n = 0, failed = 0;
		snprintf(at, sizeof(at), "calls.by_to_prefix[%u]", i++);
		if (!cJSON_IsObject(it))
			return bad(d, "%s: expected an object, got something else", at);
		if ((rc = text(d, it, at, "prefix", prefix, sizeof(prefix))) ||
		    (rc = counter(d, it, at, "calls", &n)) || (rc = counter(d, it, at, "failed", &failed)))
			return rc;
		prefix_table_add(&r->by_to_prefix, prefix, strlen(prefix), n, failed);
	}
	return rc;
}

static int read_calls(struct rd *d, const cJSON *root, struct result *r)
{
	const cJSON *calls, *fail, *it, *ended;
	double cps = 0;
	int rc = member(d, root, "", "calls", K_OBJ, &calls);
	if (rc || !calls)
		return rc;
	if ((rc = member(d, calls, "calls", "ended_by", K_OBJ, &ended)) ||
	    (ended && ((rc = counter(d, ended, "calls.ended_by", "us", &r->ended_by_us)) ||
		       (rc = counter(d, ended, "calls.ended_by", "far_end", &r->ended_by_far_end)))))
		return rc;
	if ((rc = counter(d, calls, "calls", "attempted", &r->attempted)) ||
	    (rc = counter(d, calls, "calls", "completed", &r->completed)) ||
	    (rc = counter(d, calls, "calls", "failed", &r->failed)) ||
	    (rc = counter(d, calls, "calls", "max_concurrent", &r->max_concurrent)) ||
	    (rc = counter(d, calls, "calls", "concurrency_cap_hits", &r->concurrency_cap_hits)) ||
	    (rc = amount(d, calls, "calls", "cps", &cps)) ||
	    (rc = member(d, calls, "calls", "failures", K_OBJ, &fail)))
		return rc;
	cJSON_ArrayForEach(it, fail) {
		char key[200];
		uint64_t n = 0;
		snprintf(key, sizeof(key), "calls.failures.%s", it->string);
		if ((rc = whole(d, it, key, &n)))
			return rc;
		result_reason_add(r, it->string, n);
	}
	if ((rc = read_prefixes(d, calls, r)))
		return rc;
	/* The report keeps the achieved rate but not the steady window it came from:
	 * a window that gives the same ratio keeps calls.cps as the shard measured it. */
	if (cps > 0 && r->completed) {
		r->steady_completed = r->completed;
		r->steady_window_s = (double)r->completed / cps;
	}
	return 0;
}

/* One latency interval: the histogram from its non-empty buckets. */
static int read_hist(struct rd *d, const cJSON *o, const char *at, struct hist *h)
{
	const cJSON *buckets, *row;
	uint64_t count = 0, mean_us = 0;
	bool has_count = cJSON_GetObjectItemCaseSensitive(o, "count") != NULL;
	int rc;
	hist_init(h);
	if ((rc = counter(d, o, at, "count", &count)) || (rc = micros(d, o, at, "min", &h->min)) ||
	    (rc = micros(d, o, at, "max", &h->max)) || (rc = micros(d, o, at, "mean", &mean_us)) ||
	    (rc = member(d, o, at, "buckets", K_ARR, &buckets)))
		return rc;
	unsigned k = 0;
	cJSON_ArrayForEach(row, buckets) {
		char key[200];
		snprintf(key, sizeof(key), "%s.buckets[%u]", at, k++);
		uint64_t v[3];
		if (!cJSON_IsArray(row) || cJSON_GetArraySize(row) != 3)
			return bad(d, "%s: expected [low_us, high_us, count]", key);
		for (int i = 0; i < 3; i++)
			if ((rc = whole(d, cJSON_GetArrayItem(row, i), key, &v[i])))
				return rc;
		size_t b = hist_bucket_of(v[0]);
		if (hist_bucket_low(b) != v[0] || hist_bucket_high(b) != v[1])
			return bad(d, "%s: [%llu, %llu] is not a bucket of this build's histogram "
				      "(the report came from a build with another histogram geometry; "
				      "merge with the same trunkload version)",
				   key, (unsigned long long)v[0], (unsigned long long)v[1]);
		h->buckets[b] += v[2];
		h->count += v[2];
	}
	if (has_count && count != h->count)
		return bad(d, "%s.count: %llu, but its buckets hold %llu", at,
			   (unsigned long long)count, (unsigned long long)h->count);
	if (!h->count)
		h->min = h->max = 0;
	/* the report keeps the mean cut to whole microseconds: the sum is as near as that */
	if (__builtin_mul_overflow(mean_us, h->count, &h->sum))
		h->sum = UINT64_MAX;
	return 0;
}

/* stages[]: the calls of each load.stages stage, to add across shards. */
static int read_stages(struct rd *d, const cJSON *root, struct result *r)
{
	const cJSON *arr, *it, *h;
	int rc = member(d, root, "", "stages", K_ARR, &arr);
	int n = arr ? cJSON_GetArraySize(arr) : 0;
	if (rc || !n)
		return rc;
	if (n > SCN_MAX_STAGES)
		return bad(d, "stages: %d stages, at most %d", n, SCN_MAX_STAGES);
	if (result_stages_reserve(r, (unsigned)n))
		return bad(d, "stages: out of memory");
	unsigned k = 0;
	cJSON_ArrayForEach(it, arr) {
		char at[32];
		snprintf(at, sizeof(at), "stages[%u]", k);
		struct stage_result *g = &r->stages[k++];
		if (!cJSON_IsObject(it))
			return bad(d, "%s: expected an object, got %s", at, type_of(it));
		if ((rc = counter(d, it, at, "started", &g->started)) ||
		    (rc = counter(d, it, at, "completed", &g->completed)) ||
		    (rc = counter(d, it, at, "failed", &g->failed)) ||
		    (rc = member(d, it, at, "invite_to_200", K_OBJ, &h)))
			return rc;
		char hat[48];
		snprintf(hat, sizeof(hat), "%s.invite_to_200", at);
		if (h && (rc = read_hist(d, h, hat, &g->invite_to_200)))
			return rc;
	}
	return 0;
}

/* target.destinations[]: each destination's calls and connections, to add across shards. */
static int read_dests(struct rd *d, const cJSON *root, struct result *r)
{
	const cJSON *target, *arr, *it, *h, *fail, *f;
	int rc = member(d, root, "", "target", K_OBJ, &target);
	if (rc || !target || (rc = member(d, target, "target", "destinations", K_ARR, &arr)) || !arr)
		return rc;
	int n = cJSON_GetArraySize(arr);
	if (n > DEST_MAX)
		return bad(d, "target.destinations: %d destinations, at most %d", n, DEST_MAX);
	if (n && result_dests_reserve(r, (unsigned)n))
		return bad(d, "target.destinations: out of memory");
	unsigned k = 0;
	cJSON_ArrayForEach(it, arr) {
		char at[48];
		snprintf(at, sizeof(at), "target.destinations[%u]", k);
		struct dest_result *g = &r->dests[k++];
		if (!cJSON_IsObject(it))
			return bad(d, "%s: expected an object, got %s", at, type_of(it));
		if ((rc = counter(d, it, at, "calls", &g->calls)) ||
		    (rc = counter(d, it, at, "completed", &g->completed)) ||
		    (rc = counter(d, it, at, "failed", &g->failed)) ||
		    (rc = counter(d, it, at, "connections_up", &g->connections_up)) ||
		    (rc = counter(d, it, at, "connect_failures", &g->connect_failures)) ||
		    (rc = counter(d, it, at, "tls_failures", &g->tls_failures)) ||
		    (rc = counter(d, it, at, "went_down", &g->went_down)) ||
		    (rc = member(d, it, at, "failures", K_OBJ, &fail)) ||
		    (rc = member(d, it, at, "invite_to_200", K_OBJ, &h)))
			return rc;
		cJSON_ArrayForEach(f, fail) {
			char key[200];
			uint64_t v = 0;
			snprintf(key, sizeof(key), "%s.failures.%s", at, f->string);
			if ((rc = whole(d, f, key, &v)))
				return rc;
			reason_table_add(g->reasons, &g->n_reasons, DEST_MAX_REASONS, f->string, v);
		}
		char hat[72];
		snprintf(hat, sizeof(hat), "%s.invite_to_200", at);
		if (h && (rc = read_hist(d, h, hat, &g->invite_to_200)))
			return rc;
	}
	return 0;
}

/* trunk: the keepalive's counts and out-of-service events, to add across shards. */
static int read_keepalive(struct rd *d, const cJSON *root, struct result *r)
{
	const cJSON *t, *arr, *it;
	struct trunk_keepalive *k = &r->keepalive;
	int rc = member(d, root, "", "trunk", K_OBJ, &t);
	if (rc || !t)
		return rc;
	if ((rc = counter(d, t, "trunk", "pings", &k->pings)) ||
	    (rc = counter(d, t, "trunk", "answered", &k->answered)) ||
	    (rc = counter(d, t, "trunk", "failed", &k->failed)) ||
	    (rc = counter(d, t, "trunk", "out_of_service_untold", &k->events_untold)) ||
	    (rc = member(d, t, "trunk", "out_of_service", K_ARR, &arr)))
		return rc;
	unsigned n = 0;
	cJSON_ArrayForEach(it, arr) {
		char at[48];
		snprintf(at, sizeof(at), "trunk.out_of_service[%u]", n++);
		const cJSON *f;
		uint64_t worker = 0, conn = 0;
		struct oos_event *e = result_oos_add(r);
		if (!cJSON_IsObject(it))
			return bad(d, "%s: expected an object, got %s", at, type_of(it));
		if (!e)
			continue; /* counted as untold */
		if ((rc = counter(d, it, at, "worker", &worker)) || (rc = counter(d, it, at, "connection", &conn)))
			return rc;
		e->worker = (unsigned)worker;
		e->trunk = (unsigned)conn;
		f = cJSON_GetObjectItemCaseSensitive(it, "at_s");
		e->at_s = cJSON_IsNumber(f) ? f->valuedouble : 0;
		f = cJSON_GetObjectItemCaseSensitive(it, "back_s");
		e->back_s = cJSON_IsNumber(f) ? f->valuedouble : -1;
		f = cJSON_GetObjectItemCaseSensitive(it, "destination");
		snprintf(e->where, sizeof(e->where), "%s", cJSON_IsString(f) ? f->valuestring : "");
		f = cJSON_GetObjectItemCaseSensitive(it, "reason");
		snprintf(e->reason, sizeof(e->reason), "%s", cJSON_IsString(f) ? f->valuestring : "");
	}
	return 0;
}

static int read_latency(struct rd *d, const cJSON *root, struct result *r)
{
	const cJSON *lat, *o;
	int rc = member(d, root, "", "latency_ms", K_OBJ, &lat);
	for (int i = 0; !rc && lat && i < LAT_COUNT; i++) {
		const char *name = lat_interval_name((enum lat_interval)i);
		char at[64];
		snprintf(at, sizeof(at), "latency_ms.%s", name);
		rc = member(d, lat, "latency_ms", name, K_OBJ, &o);
		if (!rc && o)
			rc = read_hist(d, o, at, &r->lat[i]);
	}
	return rc;
}

/* tls.alert_list carries the codes; tls.alerts only names, which an older report
 * may have alone (unknown codes all share one name there). */
static int read_alerts(struct rd *d, const cJSON *tls, struct result *r)
{
	const cJSON *list, *alerts, *it;
	int rc = member(d, tls, "tls", "alert_list", K_ARR, &list);
	if (rc)
		return rc;
	if (list) {
		unsigned k = 0;
		cJSON_ArrayForEach(it, list) {
			char at[64], dir[16] = "";
			uint64_t code, n;
			snprintf(at, sizeof(at), "tls.alert_list[%u]", k++);
			if (!cJSON_IsObject(it))
				return bad(d, "%s: expected an object, got %s", at, type_of(it));
			if ((rc = text(d, it, at, "direction", dir, sizeof(dir))) ||
			    (rc = counter(d, it, at, "code", &code)) ||
			    (rc = counter(d, it, at, "count", &n)))
				return rc;
			if (code > 255 || (strcmp(dir, "sent") && strcmp(dir, "received")))
				return bad(d, "%s: expected direction sent or received and a code 0-255", at);
			(dir[0] == 's' ? r->alerts.sent : r->alerts.received)[code] += n;
		}
		return 0;
	}
	if ((rc = member(d, tls, "tls", "alerts", K_OBJ, &alerts)))
		return rc;
	cJSON_ArrayForEach(it, alerts) {
		char key[200];
		uint64_t n = 0;
		snprintf(key, sizeof(key), "tls.alerts.%s", it->string);
		if ((rc = whole(d, it, key, &n)))
			return rc;
		const char *colon = strchr(it->string, ':');
		int code = colon ? tls_alert_code(colon + 1) : -1;
		bool sent = !strncmp(it->string, "sent:", 5);
		if (code < 0 || (!sent && strncmp(it->string, "received:", 9)))
			return bad(d, "%s: expected sent:NAME or received:NAME of a TLS alert", key);
		(sent ? r->alerts.sent : r->alerts.received)[code] += n;
	}
	return 0;
}

static int read_names(struct rd *d, const cJSON *tls, const char *name, struct name_count *tab)
{
	const cJSON *o, *it;
	int rc = member(d, tls, "tls", name, K_OBJ, &o);
	if (rc)
		return rc;
	cJSON_ArrayForEach(it, o) {
		char key[200];
		uint64_t n = 0;
		snprintf(key, sizeof(key), "tls.%s.%s", name, it->string);
		if ((rc = whole(d, it, key, &n)))
			return rc;
		result_name_add(tab, it->string, n);
	}
	return rc;
}

static int read_cert(struct rd *d, const cJSON *o, const char *at, struct cert_facts *c)
{
	int rc;
	if ((rc = text(d, o, at, "subject", c->subject, sizeof(c->subject))) ||
	    (rc = text(d, o, at, "subject_cn", c->subject_cn, sizeof(c->subject_cn))) ||
	    (rc = text(d, o, at, "san", c->san, sizeof(c->san))) ||
	    (rc = text(d, o, at, "issuer", c->issuer, sizeof(c->issuer))) ||
	    (rc = text(d, o, at, "serial", c->serial, sizeof(c->serial))) ||
	    (rc = text(d, o, at, "not_before", c->not_before, sizeof(c->not_before))) ||
	    (rc = text(d, o, at, "not_after", c->not_after, sizeof(c->not_after))) ||
	    (rc = text(d, o, at, "key", c->key, sizeof(c->key))) ||
	    (rc = text(d, o, at, "signature_algorithm", c->signature_algorithm,
		       sizeof(c->signature_algorithm))) ||
	    (rc = text(d, o, at, "key_usage", c->key_usage, sizeof(c->key_usage))) ||
	    (rc = text(d, o, at, "extended_key_usage", c->extended_key_usage,
		       sizeof(c->extended_key_usage))) ||
	    (rc = text(d, o, at, "sha256", c->sha256, sizeof(c->sha256))) ||
	    (rc = flag(d, o, at, "self_signed", &c->self_signed)))
		return rc;
	const cJSON *j;
	if ((rc = member(d, o, at, "days_left", K_NUM, &j)))
		return rc;
	c->days_left = j ? j->valuedouble : 0;
	c->expired = c->days_left < 0;
	/* what the verdict's key check reads: "EC-256", "RSA-2048" */
	const char *dash = strrchr(c->key, '-');
	c->key_bits = dash ? atoi(dash + 1) : 0;
	c->key_rsa = !strncmp(c->key, "RSA", 3);
	c->key_ec = !strncmp(c->key, "EC", 2);
	c->sha1_signature = strcasestr(c->signature_algorithm, "sha1") ||
			    strcasestr(c->signature_algorithm, "md5");
	return 0;
}

/* A findings array (at names it in messages) into p, past FINDINGS_MAX skipped. */
static int read_findings(struct rd *d, const cJSON *findings, const char *at_prefix,
			 struct tls_peer *p)
{
	const cJSON *it;
	unsigned k = 0;
	int rc;
	cJSON_ArrayForEach(it, findings) {
		char at[64], sev[16] = "";
		snprintf(at, sizeof(at), "%s[%u]", at_prefix, k++);
		if (!cJSON_IsObject(it))
			return bad(d, "%s: expected an object, got %s", at, type_of(it));
		if (p->n_findings >= FINDINGS_MAX)
			continue;
		struct finding *f = &p->findings[p->n_findings++];
		if ((rc = text(d, it, at, "code", f->code, sizeof(f->code))) ||
		    (rc = text(d, it, at, "severity", sev, sizeof(sev))) ||
		    (rc = text(d, it, at, "message", f->message, sizeof(f->message))))
			return rc;
		f->severity = !strcmp(sev, "error") ? FINDING_ERROR :
			      !strcmp(sev, "warning") ? FINDING_WARNING : FINDING_INFO;
	}
	return 0;
}

/* The far end as the report saw it, so that a merged result is judged on the same
 * certificate checks as the shard was. */
static int read_peer(struct rd *d, const cJSON *tls, struct tls_peer *p)
{
	const cJSON *hs, *chain, *findings, *it;
	struct handshake_facts *h = &p->hs;
	int rc;
	if ((rc = member(d, tls, "tls", "handshake", K_OBJ, &hs)) ||
	    (rc = text(d, hs, "tls.handshake", "version", h->version, sizeof(h->version))) ||
	    (rc = text(d, hs, "tls.handshake", "cipher", h->cipher, sizeof(h->cipher))) ||
	    (rc = text(d, hs, "tls.handshake", "group", h->group, sizeof(h->group))) ||
	    (rc = flag(d, hs, "tls.handshake", "resumed", &h->resumed)) ||
	    (rc = flag(d, hs, "tls.handshake", "forward_secrecy", &h->forward_secrecy)) ||
	    (rc = flag(d, hs, "tls.handshake", "certificate_request", &h->cert_request)) ||
	    (rc = text(d, hs, "tls.handshake", "ca_names", h->ca_names, sizeof(h->ca_names))) ||
	    (rc = text(d, hs, "tls.handshake", "verify_error", h->verify_text, sizeof(h->verify_text))))
		return rc;
	/* only the words are kept: any non-zero code marks the chain as not verified */
	h->verify_error = h->verify_text[0] ? 1 : 0;
	const cJSON *peer;
	if ((rc = member(d, tls, "tls", "peer", K_OBJ, &peer)) ||
	    (peer && (rc = text(d, peer, "tls.peer", "ocsp", h->ocsp, sizeof(h->ocsp)))))
		return rc;
	if ((rc = member(d, tls, "tls", "chain", K_ARR, &chain)) ||
	    (rc = member(d, tls, "tls", "findings", K_ARR, &findings)))
		return rc;
	unsigned k = 0;
	cJSON_ArrayForEach(it, chain) {
		char at[48];
		snprintf(at, sizeof(at), "tls.chain[%u]", k++);
		if (!cJSON_IsObject(it))
			return bad(d, "%s: expected an object, got %s", at, type_of(it));
		if (p->n_chain < CERTFACTS_MAX_CHAIN &&
		    (rc = read_cert(d, it, at, &p->chain[p->n_chain++])))
			return rc;
	}
	if ((rc = read_findings(d, findings, "tls.findings", p)))
		return rc;
	p->seen = p->n_chain > 0 || h->verify_error;
	return 0;
}

/* "AB:CD:..." (64 hex digits) into a peer key; false when it is not one. */
static bool sha256_key(const char *text, unsigned char key[PEER_KEY_LEN])
{
	unsigned n = 0;
	for (const char *p = text; *p && n < 2 * PEER_KEY_LEN; p++) {
		int v = *p >= '0' && *p <= '9' ? *p - '0' : *p >= 'A' && *p <= 'F' ? *p - 'A' + 10
			: *p >= 'a' && *p <= 'f' ? *p - 'a' + 10 : -1;
		if (v < 0)
			continue; /* the colons */
		key[n / 2] = (unsigned char)(n % 2 ? (key[n / 2] << 4) | v : v);
		n++;
	}
	return n == 2 * PEER_KEY_LEN;
}

/* tls.peers[]: each distinct certificate the far end presented (a report of an older
 * build has none). */
static int read_peers(struct rd *d, const cJSON *tls, struct result *r)
{
	const cJSON *peers, *it, *findings;
	int rc = member(d, tls, "tls", "peers", K_ARR, &peers);
	unsigned k = 0;
	cJSON_ArrayForEach(it, peers) {
		char at[48];
		snprintf(at, sizeof(at), "tls.peers[%u]", k++);
		if (rc)
			return rc;
		if (!cJSON_IsObject(it))
			return bad(d, "%s: expected an object, got %s", at, type_of(it));
		struct peer_seen one = { 0 };
		one.peer.n_chain = 1;
		if ((rc = read_cert(d, it, at, &one.peer.chain[0])) ||
		    (rc = counter(d, it, at, "handshakes", &one.handshakes)) ||
		    (rc = text(d, it, at, "seen_at", one.where, sizeof(one.where))) ||
		    (rc = text(d, it, at, "ocsp", one.peer.hs.ocsp, sizeof(one.peer.hs.ocsp))) ||
		    (rc = member(d, it, at, "findings", K_ARR, &findings)) ||
		    (rc = read_findings(d, findings, at, &one.peer)))
			return rc;
		if (!sha256_key(one.peer.chain[0].sha256, one.key))
			return bad(d, "%s.sha256: expected a SHA-256 fingerprint, got \"%.100s\"", at,
				   one.peer.chain[0].sha256);
		one.peer.seen = true;
		result_peer_merge(r, &one);
	}
	uint64_t untold = 0;
	if (!rc && !(rc = counter(d, tls, "tls", "peers_untold_handshakes", &untold)))
		r->peers_untold += untold;
	return rc;
}

static int read_tls(struct rd *d, const cJSON *root, struct result *r)
{
	const cJSON *tls, *hs, *outcomes, *it;
	int rc = member(d, root, "", "tls", K_OBJ, &tls);
	if (rc || !tls)
		return rc;
	if ((rc = member(d, tls, "tls", "handshakes", K_OBJ, &hs)) ||
	    (rc = counter(d, hs, "tls.handshakes", "ok", &r->hs_ok)) ||
	    (rc = counter(d, hs, "tls.handshakes", "failed", &r->hs_failed)) ||
	    (rc = text(d, tls, "tls", "first_error", r->first_tls_error, sizeof(r->first_tls_error))) ||
	    (rc = member(d, tls, "tls", "handshake_outcomes", K_OBJ, &outcomes)))
		return rc;
	for (int i = 0; outcomes && i < HS_OUTCOMES; i++)
		if ((rc = counter(d, outcomes, "tls.handshake_outcomes",
				  hs_outcome_name((enum hs_outcome)i), &r->hs_outcome[i])))
			return rc;
	/* outcome names of a newer build are skipped, but not silently wrong types */
	cJSON_ArrayForEach(it, outcomes)
		if (!cJSON_IsNumber(it))
			return bad(d, "tls.handshake_outcomes.%s: expected a number, got %s",
				   it->string, type_of(it));
	if ((rc = read_alerts(d, tls, r)) || (rc = read_names(d, tls, "versions", r->versions)) ||
	    (rc = read_names(d, tls, "ciphers", r->ciphers)))
		return rc;
	if ((rc = read_peer(d, tls, &r->peer)))
		return rc;
	return read_peers(d, tls, r);
}

static int read_keys(struct rd *d, const cJSON *srtp, struct result *r)
{
	const cJSON *keys, *it;
	int rc = member(d, srtp, "srtp", "keys", K_ARR, &keys);
	if (rc || !keys)
		return rc;
	if (result_keys_reserve(r, RESULT_MAX_KEYS))
		return -ENOMEM;
	unsigned k = 0;
	cJSON_ArrayForEach(it, keys) {
		char at[48];
		snprintf(at, sizeof(at), "srtp.keys[%u]", k++);
		if (!cJSON_IsObject(it))
			return bad(d, "%s: expected an object, got %s", at, type_of(it));
		if (r->n_keys >= r->cap_keys)
			continue;
		struct srtp_key_row *row = &r->keys[r->n_keys++];
		memset(row, 0, sizeof(*row));
		uint64_t port;
		if ((rc = text(d, it, at, "call_id", row->call_id, sizeof(row->call_id))) ||
		    (rc = text(d, it, at, "suite", row->suite, sizeof(row->suite))) ||
		    (rc = text(d, it, at, "tx_inline", row->tx, sizeof(row->tx))) ||
		    (rc = text(d, it, at, "rx_inline", row->rx, sizeof(row->rx))) ||
		    (rc = text(d, it, at, "remote", row->remote, sizeof(row->remote))) ||
		    (rc = counter(d, it, at, "local_port", &port)))
			return rc;
		if (port > 65535)
			return bad(d, "%s.local_port: expected 0-65535", at);
		row->local_port = (uint16_t)port;
	}
	return 0;
}

/* dtmf: absent from reports older than DTMF (counts 0) */
static int read_dtmf(struct rd *d, const cJSON *root, struct result *r)
{
	const cJSON *dtmf;
	int rc = member(d, root, "", "dtmf", K_OBJ, &dtmf);
	for (int i = 0; !rc && dtmf && i < DTMF_COUNTS; i++)
		rc = counter(d, dtmf, "dtmf", dtmf_count_name((enum dtmf_count)i), &r->dtmf[i]);
	return rc;
}

/* srtp.mos: absent from older reports. The bins come back from the histogram, the
 * sum from the mean. */
static int read_mos(struct rd *d, const cJSON *srtp, struct mos_tally *t)
{
	const cJSON *o, *h, *it;
	double mean = 0;
	int rc = member(d, srtp, "srtp", "mos", K_OBJ, &o);
	if (rc || !o)
		return rc;
	if ((rc = counter(d, o, "srtp.mos", "streams", &t->streams)) ||
	    (rc = amount(d, o, "srtp.mos", "mean", &mean)) || (rc = amount(d, o, "srtp.mos", "min", &t->min)) ||
	    (rc = member(d, o, "srtp.mos", "histogram", K_ARR, &h)))
		return rc;
	t->sum = mean * (double)t->streams;
	uint64_t in_bins = 0;
	cJSON_ArrayForEach(it, h) {
		double mos;
		uint64_t n;
		if (!cJSON_IsObject(it))
			return bad(d, "srtp.mos.histogram: expected objects {mos, streams}");
		if ((rc = amount(d, it, "srtp.mos.histogram", "mos", &mos)) ||
		    (rc = counter(d, it, "srtp.mos.histogram", "streams", &n)))
			return rc;
		t->bins[mos_bin(mos)] += n;
		in_bins += n;
	}
	if (in_bins != t->streams)
		return bad(d, "srtp.mos: the histogram holds %llu streams, streams says %llu",
			   (unsigned long long)in_bins, (unsigned long long)t->streams);
	return 0;
}

/* srtp.far_end_reported: absent from older reports. Means come back as sums. */
static int read_far_end(struct rd *d, const cJSON *srtp, struct srtp_far_end *f)
{
	const cJSON *o;
	static const char at[] = "srtp.far_end_reported";
	double jitter = 0, rtt = 0;
	int rc = member(d, srtp, "srtp", "far_end_reported", K_OBJ, &o);
	if (rc || !o)
		return rc;
	if ((rc = counter(d, o, at, "streams", &f->streams)) || (rc = counter(d, o, at, "reports", &f->reports)) ||
	    (rc = counter(d, o, at, "expected", &f->expected)) || (rc = signed_whole(d, o, at, "lost", &f->lost)) ||
	    (rc = amount(d, o, at, "jitter_ms", &jitter)) || (rc = amount(d, o, at, "jitter_ms_max", &f->jitter_ms_max)) ||
	    (rc = counter(d, o, at, "rtt_samples", &f->rtt_samples)) || (rc = amount(d, o, at, "rtt_ms", &rtt)) ||
	    (rc = amount(d, o, at, "rtt_ms_max", &f->rtt_ms_max)))
		return rc;
	f->jitter_ms_sum = jitter * (double)f->streams;
	f->rtt_ms_sum = rtt * (double)f->rtt_samples;
	return 0;
}

static int read_srtp(struct rd *d, const cJSON *root, struct result *r)
{
	const cJSON *srtp;
	double jitter = 0;
	int rc = member(d, root, "", "srtp", K_OBJ, &srtp);
	if (rc || !srtp)
		return rc;
	int64_t lost;
	for (int i = 0; i < SRTP_COUNTERS; i++)
		if (i == SRTP_LOST ? (rc = signed_whole(d, srtp, "srtp", "lost", &lost)) :
				     (rc = counter(d, srtp, "srtp", srtp_counter_name((enum srtp_counter)i),
						   &r->srtp.n[i])))
			return rc;
	r->srtp.n[SRTP_LOST] = (uint64_t)lost;
	if ((rc = text(d, srtp, "srtp", "suite", r->srtp.suite, sizeof(r->srtp.suite))) ||
	    (rc = amount(d, srtp, "srtp", "jitter_ms", &jitter)) ||
	    (rc = amount(d, srtp, "srtp", "jitter_ms_max", &r->srtp.jitter_ms_max)))
		return rc;
	/* jitter_ms is the mean over receiving streams: back to the sum that merges */
	r->srtp.jitter_ms_sum = jitter * (double)r->srtp.n[SRTP_STREAMS_RECEIVING];
	if ((rc = read_mos(d, srtp, &r->srtp.mos)) || (rc = read_far_end(d, srtp, &r->srtp.far_end)))
		return rc;
	return read_keys(d, srtp, r);
}

static int read_timeseries(struct rd *d, const cJSON *root, struct result *r)
{
	const cJSON *ts, *it;
	int rc = member(d, root, "", "timeseries", K_ARR, &ts);
	if (rc)
		return rc;
	unsigned k = 0;
	cJSON_ArrayForEach(it, ts) {
		char at[48];
		uint64_t t = 0, v[4] = { 0 }, p99 = 0, lag = 0;
		snprintf(at, sizeof(at), "timeseries[%u]", k++);
		if (!cJSON_IsObject(it))
			return bad(d, "%s: expected an object, got %s", at, type_of(it));
		if ((rc = counter(d, it, at, "t", &t)) || (rc = counter(d, it, at, "started", &v[0])) ||
		    (rc = counter(d, it, at, "completed", &v[1])) ||
		    (rc = counter(d, it, at, "failed", &v[2])) ||
		    (rc = counter(d, it, at, "active", &v[3])) ||
		    (rc = micros(d, it, at, "p99_ms", &p99)) ||
		    (rc = micros(d, it, at, "schedule_lag_ms", &lag)))
			return rc;
		if (t >= MAX_TS_SECONDS)
			return bad(d, "%s.t: %llu s is out of range", at, (unsigned long long)t);
		struct ts_row *row = result_ts_row(r, (unsigned)t);
		if (!row)
			return -ENOMEM;
		row->started += v[0];
		row->completed += v[1];
		row->failed += v[2];
		row->active += v[3];
		if (p99 > row->p99_us)
			row->p99_us = p99;
		if (lag > row->lag_max_us)
			row->lag_max_us = lag;
	}
	return rc;
}

/* The tester's own health (reports before it have none). */
static int read_tester(struct rd *d, const cJSON *root, struct result *r)
{
	const cJSON *o, *lag, *loop, *win, *cpu;
	struct tester_health *t = &r->tester;
	uint64_t workers = 0;
	int rc = member(d, root, "", "tester", K_OBJ, &o);
	if (rc || !o)
		return rc;
	if ((rc = member(d, o, "tester", "schedule_lag_ms", K_OBJ, &lag)) ||
	    (lag && (rc = read_hist(d, lag, "tester.schedule_lag_ms", &t->schedule_lag))) ||
	    (rc = counter(d, o, "tester", "receive_rearms_enobufs", &t->enobufs_rearms)) ||
	    (rc = member(d, o, "tester", "loop", K_OBJ, &loop)) ||
	    (loop && ((rc = counter(d, loop, "tester.loop", "turns", &t->turns)) ||
		      (rc = counter(d, loop, "tester.loop", "over_10ms", &t->long_turns)) ||
		      (rc = micros(d, loop, "tester.loop", "worst_ms", &t->worst_turn_us)))) ||
	    (rc = member(d, o, "tester", "tcp_windows", K_OBJ, &win)) ||
	    (win && ((rc = counter(d, win, "tester.tcp_windows", "samples", &t->tcp_samples)) ||
		     (rc = counter(d, win, "tester.tcp_windows", "zero_ours", &t->zero_window_ours)) ||
		     (rc = counter(d, win, "tester.tcp_windows", "zero_far_end", &t->zero_window_far_end)) ||
		     (rc = counter(d, win, "tester.tcp_windows", "ours_unknown", &t->window_unknown)))) ||
	    (rc = member(d, o, "tester", "cpu", K_OBJ, &cpu)) ||
	    (cpu && ((rc = counter(d, cpu, "tester.cpu", "workers", &workers)) ||
		     (rc = amount(d, cpu, "tester.cpu", "seconds", &t->cpu_s)) ||
		     (rc = amount(d, cpu, "tester.cpu", "wall_seconds", &t->wall_s)) ||
		     (rc = amount(d, cpu, "tester.cpu", "busiest_worker_pct", &t->busiest_worker_pct)))))
		return rc;
	if (workers > RUN_WORKERS_READ_MAX)
		return bad(d, "tester.cpu.workers: %llu is out of range", (unsigned long long)workers);
	t->workers = (unsigned)workers;
	return 0;
}

/* How the run ended: interrupted, aborted (kept only in the run.completed check),
 * or not carried out at all. */
static int read_run(struct rd *d, const cJSON *root, struct result *r)
{
	const cJSON *checks, *it;
	char error[sizeof(r->could_not_run_why)] = "";
	int rc;
	char sched[40] = "";
	if ((rc = text(d, root, "", "schedule_started_at", sched, sizeof(sched))))
		return rc;
	if (sched[0] && wall_time_parse(sched, &r->schedule_wall_s))
		return bad(d, "schedule_started_at: expected an RFC 3339 time, got \"%s\"", sched);
	if ((rc = amount(d, root, "", "duration_s", &r->elapsed_s)) ||
	    (rc = flag(d, root, "", "interrupted", &r->interrupted)) ||
	    (rc = text(d, root, "", "error", error, sizeof(error))) ||
	    (rc = member(d, root, "", "checks", K_ARR, &checks)))
		return rc;
	if (error[0]) {
		r->could_not_run = -EIO;
		snprintf(r->could_not_run_why, sizeof(r->could_not_run_why), "%s", error);
	}
	cJSON_ArrayForEach(it, checks) {
		const cJSON *name = cJSON_GetObjectItemCaseSensitive(it, "name");
		const cJSON *status = cJSON_GetObjectItemCaseSensitive(it, "status");
		const cJSON *seen = cJSON_GetObjectItemCaseSensitive(it, "observed");
		if (cJSON_IsString(name) && !strcmp(name->valuestring, "run.completed") &&
		    cJSON_IsString(status) && !strcmp(status->valuestring, "fail") &&
		    cJSON_IsString(seen) && strcmp(seen->valuestring, "interrupted"))
			snprintf(r->aborted, sizeof(r->aborted), "%s", seen->valuestring);
	}
	return 0;
}

static int read_sip(struct rd *d, const cJSON *root, struct result *r)
{
	const cJSON *sip, *refreshes;
	int rc = member(d, root, "", "sip", K_OBJ, &sip);
	if (rc || !sip)
		return rc;
	if ((rc = member(d, sip, "sip", "session_refreshes", K_OBJ, &refreshes)) ||
	    (refreshes && ((rc = counter(d, refreshes, "sip.session_refreshes", "us", &r->refreshes_by_us)) ||
			   (rc = counter(d, refreshes, "sip.session_refreshes", "far_end",
					 &r->refreshes_by_far_end)))))
		return rc;
	return counter(d, sip, "sip", "stray_responses", &r->stray_responses);
}

static int read_root(struct rd *d, const cJSON *root, struct result *r)
{
	const cJSON *tool = cJSON_GetObjectItemCaseSensitive(root, "tool");
	if (!cJSON_IsObject(root) || !cJSON_IsString(tool) || strcmp(tool->valuestring, "trunkload"))
		return bad(d, "not a trunkload report (expected an object with \"tool\": \"trunkload\")");
	int rc;
	if ((rc = read_run(d, root, r)) || (rc = read_calls(d, root, r)) || (rc = read_sip(d, root, r)) ||
	    (rc = read_latency(d, root, r)) || (rc = read_stages(d, root, r)) ||
	    (rc = read_dests(d, root, r)) || (rc = read_keepalive(d, root, r)) ||
	    (rc = read_tls(d, root, r)) ||
	    (rc = read_srtp(d, root, r)) || (rc = read_dtmf(d, root, r)) || (rc = read_tester(d, root, r)) ||
	    (rc = read_timeseries(d, root, r)))
		return rc;
	return 0;
}

/* The whole file, NUL-terminated; *len without the NUL. */
static int slurp(struct rd *d, char **out, size_t *len)
{
	FILE *f = fopen(d->path, "rb");
	if (!f) {
		int e = errno;
		snprintf(d->err, d->errlen, "%s: %s", d->path, strerror(e));
		return -e;
	}
	size_t cap = 1 << 16, n = 0;
	char *buf = malloc(cap);
	int rc = buf ? 0 : -ENOMEM;
	while (!rc) {
		if (n + 1 >= cap) {
			char *p = cap < MAX_REPORT_BYTES ? realloc(buf, cap * 2) : NULL;
			if (!p) {
				rc = cap < MAX_REPORT_BYTES ? -ENOMEM : -EFBIG;
				break;
			}
			buf = p;
			cap *= 2;
		}
		size_t got = fread(buf + n, 1, cap - 1 - n, f);
		n += got;
		if (got == 0) {
			rc = ferror(f) ? -EIO : 0;
			break;
		}
	}
	fclose(f);
	if (rc) {
		snprintf(d->err, d->errlen, "%s: %s", d->path,
			 rc == -EFBIG ? "larger than any report (256 MiB)" : strerror(-rc));
		free(buf);
		return rc;
	}
	buf[n] = 0;
	*out = buf;
	*len = n;
	return 0;
}

int report_read_json(const char *path, struct result *r, char *err, size_t errlen)
{
	struct rd d = { .path = path, .err = err, .errlen = errlen };
	char *buf = NULL;
	size_t len = 0;
	int rc = slurp(&d, &buf, &len);
	if (rc)
		return rc;
	const char *end = NULL;
	cJSON *root = cJSON_ParseWithLengthOpts(buf, len, &end, false);
	struct result *t = NULL;
	if (!root) {
		size_t at = end && end >= buf && end <= buf + len ? (size_t)(end - buf) : len;
		unsigned line = 1;
		for (size_t i = 0; i < at; i++)
			line += buf[i] == '\n';
		rc = bad(&d, "not JSON (parse error at line %u, byte %zu)", line, at);
		goto out;
	}
	/* filled aside and copied on success, so *r is left as it was on an error */
	t = malloc(sizeof(*t));
	if (!t) {
		rc = -ENOMEM;
		goto out;
	}
	result_init(t);
	rc = read_root(&d, root, t);
	if (rc == -ENOMEM)
		snprintf(err, errlen, "%s: out of memory", path);
	if (rc) {
		result_free(t);
		goto out;
	}
	result_free(r);
	*r = *t;
out:
	free(t);
	cJSON_Delete(root);
	free(buf);
	return rc;
}
