#include "verdict.h"
#include "net_addr.h"
#include "cert_name.h"
#include "str.h"
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

const char *check_status_name(enum check_status s)
{
	return s == CHECK_PASS ? "pass" : s == CHECK_FAIL ? "fail" : "warn";
}

static double cps(const struct result *r)
{
	if (r->steady_window_s > 0 && r->steady_completed)
		return (double)r->steady_completed / r->steady_window_s;
	return r->elapsed_s > 0 ? (double)r->completed / r->elapsed_s : 0;
}

/* A stat of a histogram of microseconds, in milliseconds. */
static int hist_stat_ms(const struct hist *h, const char *stat, double *v)
{
	double us;
	if (!strcmp(stat, "min"))
		us = (double)h->min;
	else if (!strcmp(stat, "max"))
		us = (double)h->max;
	else if (!strcmp(stat, "p50"))
		us = (double)hist_percentile(h, 50);
	else if (!strcmp(stat, "p90"))
		us = (double)hist_percentile(h, 90);
	else if (!strcmp(stat, "p99"))
		us = (double)hist_percentile(h, 99);
	else if (!strcmp(stat, "p999"))
		us = (double)hist_percentile(h, 99.9);
	else
		return -ENOENT;
	*v = us / 1000.0;
	return 0;
}

int verdict_metric(const struct result *r, const char *metric, const char *stat, double *v)
{
	static const char lat_prefix[] = "latency_ms.";
	if (!strcmp(metric, "tester.schedule_lag_ms"))
		return hist_stat_ms(&r->tester.schedule_lag, stat, v);
	if (!strncmp(metric, lat_prefix, sizeof(lat_prefix) - 1)) {
		const char *name = metric + sizeof(lat_prefix) - 1;
		for (int i = 0; i < LAT_COUNT; i++)
			if (!strcmp(name, lat_interval_name((enum lat_interval)i)))
				return hist_stat_ms(&r->lat[i], stat, v);
		return -ENOENT;
	}
	const struct {
		const char *name;
		double value;
	} plain[] = {
		{ "calls.attempted", (double)r->attempted },
		{ "calls.completed", (double)r->completed },
		{ "calls.failed", (double)r->failed },
		{ "calls.failed_pct", r->attempted ? 100.0 * (double)r->failed / (double)r->attempted : 0 },
		{ "calls.cps", cps(r) },
		{ "calls.max_concurrent", (double)r->max_concurrent },
		{ "tls.handshakes.failed", (double)r->hs_failed },
		{ "srtp.auth_failures", (double)r->srtp.n[SRTP_AUTH_FAILURES] },
		{ "srtp.replay_failures", (double)r->srtp.n[SRTP_REPLAY_FAILURES] },
		{ "srtp.lost", (double)(int64_t)r->srtp.n[SRTP_LOST] },
		{ "srtp.lost_pct", r->srtp.n[SRTP_EXPECTED] ?
			100.0 * (double)(int64_t)r->srtp.n[SRTP_LOST] / (double)r->srtp.n[SRTP_EXPECTED] : 0 },
		{ "srtp.mos", mos_mean(&r->srtp.mos) },
		{ "srtp.mos_p5", mos_percentile(&r->srtp.mos, 5) },
		{ "srtp.mos_min", r->srtp.mos.min },
		{ "srtp.packets_received", (double)r->srtp.n[SRTP_PACKETS_RECEIVED] },
		{ "srtp.packets_sent", (double)r->srtp.n[SRTP_PACKETS_SENT] },
		{ "srtp.jitter_ms", r->srtp.n[SRTP_STREAMS_RECEIVING] ?
			r->srtp.jitter_ms_sum / (double)r->srtp.n[SRTP_STREAMS_RECEIVING] : 0 },
		{ "srtp.silent_streams", (double)r->srtp.n[SRTP_SILENT_STREAMS] },
		{ "srtp.stale_key_packets", (double)r->srtp.n[SRTP_STALE_KEY_PACKETS] },
		{ "dtmf.sent", (double)r->dtmf[DTMF_COUNT_SENT] },
		{ "dtmf.received", (double)r->dtmf[DTMF_COUNT_RECEIVED] },
		{ "dtmf.mismatched", (double)r->dtmf[DTMF_COUNT_MISMATCHED] },
	};
	for (size_t i = 0; i < sizeof(plain) / sizeof(plain[0]); i++) {
		if (!strcmp(metric, plain[i].name)) {
			*v = plain[i].value;
			return 0;
		}
	}
	return -ENOENT;
}

/* A new check. A verdict with more checks than it holds fails: the ones that did
 * not fit are judged into a spare slot and counted as lost. */
static struct check *add(struct verdict *v, const char *name)
{
	struct check *c = &v->spare;
	if (v->n_checks < VERDICT_MAX_CHECKS)
		c = &v->checks[v->n_checks++];
	else
		v->lost++;
	memset(c, 0, sizeof(*c));
	snprintf(c->name, sizeof(c->name), "%s", name);
	return c;
}

/* Whether the run measured anything a metric is made of. When it did not, *why says
 * what was missing and *producible whether the scenario asked for anything that
 * could have produced it. Counters (calls, failures, handshakes) always measure. */
static bool has_samples(const struct scenario *s, const struct result *r, const char *metric,
			bool *producible, const char **why)
{
	static const char lat_prefix[] = "latency_ms.";
	*producible = true;
	if (!strncmp(metric, "srtp.mos", 8)) {
		*producible = scn_has_media(s);
		*why = *producible ? "no samples: no stream received media"
				   : "no samples: the flow has no media phase";
		return r->srtp.mos.streams > 0;
	}
	if (!strncmp(metric, "srtp.", 5)) {
		*producible = scn_has_media(s);
		*why = *producible ? "no samples: no media stream was set up"
				   : "no samples: the flow has no media phase";
		return r->srtp.n[SRTP_STREAMS] > 0;
	}
	if (!strcmp(metric, "dtmf.mismatched")) {
		*producible = scn_has_dtmf(s, FLOW_EXPECT_DTMF);
		*why = *producible ? "no samples: no expect_dtmf step was reached"
				   : "no samples: the flow has no expect_dtmf step";
		return r->dtmf[DTMF_COUNT_CHECKED] > 0;
	}
	if (!strncmp(metric, "dtmf.", 5)) {
		*producible = scn_has_media(s);
		*why = *producible ? "no samples: no media stream was set up"
				   : "no samples: the flow has no media phase";
		return r->srtp.n[SRTP_STREAMS] > 0;
	}
	if (!strcmp(metric, "calls.failed_pct")) {
		*why = "no samples: no call was attempted";
		return r->attempted > 0;
	}
	if (!strcmp(metric, "tester.schedule_lag_ms")) {
		*why = "no samples: no call was started";
		return r->tester.schedule_lag.count > 0;
	}
	if (strncmp(metric, lat_prefix, sizeof(lat_prefix) - 1))
		return true;
	const char *name = metric + sizeof(lat_prefix) - 1;
	for (int i = 0; i < LAT_COUNT; i++) {
		if (strcmp(name, lat_interval_name((enum lat_interval)i)))
			continue;
		switch ((enum lat_interval)i) {
		case LAT_TLS_HANDSHAKE:
			*producible = s->transport == SCN_TLS;
			break;
		case LAT_BYE_TO_200:
			*producible = scn_flow_sends(s, SIP_BYE);
			break;
		case LAT_OPTIONS_TO_200:
			*producible = scn_flow_sends(s, SIP_OPTIONS);
			break;
		case LAT_ANSWER_TO_MEDIA:
			*producible = scn_has_media(s);
			break;
		case LAT_INVITE_TO_ACK: /* the responder's */
			*producible = s->role == SCN_ROLE_UAS;
			break;
		default: /* the INVITE's intervals, as the caller sees them */
			*producible = s->role != SCN_ROLE_UAS && scn_flow_sends(s, SIP_INVITE);
			break;
		}
		*why = *producible ? "no samples: nothing was measured"
				   : "no samples: the scenario sends nothing that measures it";
		return r->lat[i].count > 0;
	}
	return true; /* unknown: verdict_metric says so */
}

static void threshold_text(char *out, size_t cap, const struct threshold *t)
{
	char lo[40] = "", hi[40] = "";
	if (t->has_min)
		snprintf(lo, sizeof(lo), ">= %g", t->min);
	if (t->has_max)
		snprintf(hi, sizeof(hi), "<= %g", t->max);
	snprintf(out, cap, "%s%s%s", lo, lo[0] && hi[0] ? " and " : "", hi);
}

/* No sample, no pass: a threshold over nothing measured fails, or warns when the
 * scenario asks for nothing that could have measured it. */
/* A destination's own figures as a result of their own (calls, failures, INVITE to 200),
 * for the metrics a destination has. */
static void dest_as_result(const struct dest_result *d, struct result *out)
{
	memset(out, 0, sizeof(*out));
	out->attempted = d->calls;
	out->completed = d->completed;
	out->failed = d->failed;
	for (int i = 0; i < LAT_COUNT; i++)
		hist_init(&out->lat[i]);
	out->lat[LAT_INVITE_TO_200] = d->invite_to_200;
}

static void judge_threshold(const struct scenario *s, struct verdict *v, const struct result *r,
			    const struct threshold *t)
{
	char name[sizeof(((struct check *)0)->name)];
	struct tl_sb nb = tl_sb_init(name, sizeof(name)); /* a long host name is cut */
	tl_sb_fmt(&nb, "%s%s%s%s%s", t->metric, t->stat[0] ? "." : "", t->stat, t->at[0] ? "@" : "",
		  t->at);
	struct check *c = add(v, name);
	double val;
	bool producible;
	const char *why;
	int at = t->at[0] ? scn_dest_index(s, t->at) : -1;
	static struct result one; /* large; the verdict is judged on one thread */
	if (at >= 0 && (unsigned)at < r->n_dests) {
		dest_as_result(&r->dests[at], &one);
		r = &one;
	}
	if (!has_samples(s, r, t->metric, &producible, &why)) {
		c->status = producible ? CHECK_FAIL : CHECK_WARN;
		threshold_text(c->expected, sizeof(c->expected), t);
		snprintf(c->observed, sizeof(c->observed), "%s", why);
		return;
	}
	if (verdict_metric(r, t->metric, t->stat, &val)) {
		c->status = CHECK_FAIL;
		snprintf(c->expected, sizeof(c->expected), "a known metric");
		snprintf(c->observed, sizeof(c->observed), "unknown");
		return;
	}
	bool ok = (!t->has_min || val >= t->min) && (!t->has_max || val <= t->max);
	threshold_text(c->expected, sizeof(c->expected), t);
	snprintf(c->observed, sizeof(c->observed), "%g", val);
	c->status = ok ? CHECK_PASS : CHECK_FAIL;
}

static bool has_threshold(const struct scenario *s, const char *metric)
{
	for (unsigned i = 0; i < s->n_thresholds; i++)
		if (!strcmp(s->thresholds[i].metric, metric) && !s->thresholds[i].at[0])
			return true;
	return false;
}

/* A negative test: every attempt must be refused by the far end, and we must not
 * be the ones refusing (that would prove nothing about the far end). */

static void judge_refusal(struct verdict *v, const struct result *r, const char *alert)
{
	struct check *c = add(v, "tls.handshake");
	const uint64_t *o = r->hs_outcome;
	uint64_t refused = o[HS_REFUSED_ALERT] + o[HS_REFUSED_RESET] + o[HS_REFUSED_CLOSE];
	snprintf(c->expected, sizeof(c->expected), "every handshake refused by the far end");
	char alerts[96];
	struct tl_sb b = tl_sb_init(alerts, sizeof(alerts));
	for (unsigned a = 1; a < 256; a++)
		if (r->alerts.received[a])
			tl_sb_fmt(&b, "%s%s x%llu", b.n ? ", " : "", tls_alert_name(a),
				  (unsigned long long)r->alerts.received[a]);
	tl_sb_mark_cut(&b);
	snprintf(c->observed, sizeof(c->observed),
		 "%llu of %llu refused (%llu by alert%s%s, %llu reset, %llu closed), %llu accepted, "
		 "%llu we refused, %llu timed out, %llu not connected, %llu undecided",
		 (unsigned long long)refused, (unsigned long long)r->attempted,
		 (unsigned long long)o[HS_REFUSED_ALERT], alerts[0] ? ": " : "", alerts,
		 (unsigned long long)o[HS_REFUSED_RESET], (unsigned long long)o[HS_REFUSED_CLOSE],
		 (unsigned long long)o[HS_ACCEPTED], (unsigned long long)o[HS_WE_REFUSED],
		 (unsigned long long)o[HS_TIMEOUT], (unsigned long long)o[HS_CONNECT_FAILED],
		 (unsigned long long)o[HS_UNDECIDED]);
	c->status = refused && refused == r->attempted ? CHECK_PASS : CHECK_FAIL;
	if (alert[0]) {
		c = add(v, "tls.refusal_alert");
		int code = tls_alert_code(alert);
		snprintf(c->expected, sizeof(c->expected), "every refusal by alert %s", alert);
		uint64_t got = code >= 0 ? r->alerts.received[code] : 0;
		snprintf(c->observed, sizeof(c->observed), "%llu of %llu attempts refused with it%s",
			 (unsigned long long)got, (unsigned long long)r->attempted,
			 code < 0 ? " (not a TLS alert name)" : "");
		c->status = code >= 0 && got && got >= r->attempted ? CHECK_PASS : CHECK_FAIL;
	}
}

/* Hex as certificate pages print it: colons, spaces and case do not matter, nor
 * leading zeros of a serial. */
static void hex_norm(char *out, size_t cap, const char *in, bool strip_zeros)
{
	size_t n = 0;
	for (; *in && n + 1 < cap; in++) {
		if (*in == ':' || *in == ' ')
			continue;
		if (strip_zeros && !n && *in == '0' && in[1])
			continue;
		out[n++] = (char)((*in >= 'a' && *in <= 'f') ? *in - 32 : *in);
	}
	out[n] = 0;
}

/* The far end's leaves to judge: every distinct certificate it presented (a cluster's
 * nodes, a renewal that reached some), or the first handshake's where a report has no
 * list. Returns how many, with where each came from ("" unknown). */
static unsigned peer_leaves(const struct result *r, const struct cert_facts *leaf[],
			    const char *where[])
{
	unsigned n = 0;
	for (unsigned i = 0; i < r->n_peers && n < RESULT_MAX_PEERS; i++)
		if (r->peers[i].peer.n_chain) {
			leaf[n] = &r->peers[i].peer.chain[0];
			where[n++] = r->peers[i].where;
		}
	if (!n && r->peer.n_chain) {
		leaf[n] = &r->peer.chain[0];
		where[n++] = "";
	}
	return n;
}

/* One of the pins of a list ("A,B"), each normalised as hex_norm does, is value. */
static bool pinned(const char *pins, const char *value, bool strip_zeros)
{
	char want[128], have[128];
	hex_norm(have, sizeof(have), value, strip_zeros);
	for (const char *p = pins; *p;) {
		size_t n = strcspn(p, ",");
		char one[128];
		snprintf(one, sizeof(one), "%.*s", (int)(n < sizeof(one) ? n : sizeof(one) - 1), p);
		hex_norm(want, sizeof(want), one, strip_zeros);
		if (want[0] && !strcmp(want, have))
			return true;
		p += n + (p[n] == ',');
	}
	return false;
}

enum leaf_check { LEAF_NAMES, LEAF_SUBJECT_CN, LEAF_ISSUER, LEAF_SERIAL, LEAF_SHA256,
		  LEAF_KEY_BITS, LEAF_DAYS };

static bool leaf_passes(const struct scenario *s, const struct cert_facts *l, enum leaf_check k)
{
	switch (k) {
	case LEAF_NAMES: return cert_names_carried(l->subject_cn, l->san, s->expect_names);
	case LEAF_SUBJECT_CN:
		return cert_name_carried(l->subject_cn, l->san, s->expect_subject_cn,
					 strlen(s->expect_subject_cn));
	case LEAF_DAYS: return l->days_left >= s->expect_min_days_valid;
	case LEAF_ISSUER: return strcasestr(l->issuer, s->expect_issuer) != NULL;
	case LEAF_SERIAL: return pinned(s->expect_serial, l->serial, true);
	case LEAF_SHA256: return pinned(s->expect_sha256, l->sha256, false);
	case LEAF_KEY_BITS: return l->key_bits >= s->expect_min_key_bits;
	}
	return false;
}

static void leaf_shown(const struct cert_facts *l, enum leaf_check k, char *out, size_t cap)
{
	char hex[128];
	switch (k) {
	case LEAF_NAMES: snprintf(out, cap, "%.60s; %.70s", l->subject_cn, l->san); break;
	case LEAF_SUBJECT_CN: snprintf(out, cap, "%.120s", l->subject_cn); break;
	/* whole days, as `pki show` and the summary count them */
	case LEAF_DAYS: snprintf(out, cap, "%ld", (long)l->days_left); break;
	case LEAF_ISSUER: snprintf(out, cap, "%.120s", l->issuer); break;
	case LEAF_SERIAL:
		hex_norm(hex, sizeof(hex), l->serial, true);
		snprintf(out, cap, "%.90s", hex);
		break;
	case LEAF_SHA256:
		hex_norm(hex, sizeof(hex), l->sha256, false);
		snprintf(out, cap, "%.90s", hex);
		break;
	case LEAF_KEY_BITS: snprintf(out, cap, "%s", l->key); break;
	}
}

/* A check on every distinct certificate: it passes when each does; otherwise it shows
 * the first that does not, where it came from, and how many more. */
static void judge_leaves(struct verdict *v, const struct scenario *s, const struct result *r,
			 const char *name, enum leaf_check k)
{
	const struct cert_facts *leaf[RESULT_MAX_PEERS + 1];
	const char *where[RESULT_MAX_PEERS + 1];
	unsigned n = peer_leaves(r, leaf, where), bad = 0, first = 0;
	for (unsigned i = 0; i < n; i++)
		if (!leaf_passes(s, leaf[i], k) && !bad++)
			first = i;
	struct check *c = add(v, name);
	switch (k) {
	case LEAF_NAMES: snprintf(c->expected, sizeof(c->expected), "one of %.80s", s->expect_names); break;
	case LEAF_SUBJECT_CN: snprintf(c->expected, sizeof(c->expected), "%.90s", s->expect_subject_cn); break;
	case LEAF_DAYS: snprintf(c->expected, sizeof(c->expected), ">= %d", s->expect_min_days_valid); break;
	case LEAF_ISSUER: snprintf(c->expected, sizeof(c->expected), "contains %.80s", s->expect_issuer); break;
	case LEAF_SERIAL:
	case LEAF_SHA256: {
		struct tl_sb e = tl_sb_init(c->expected, sizeof(c->expected));
		tl_sb_cstr(&e, k == LEAF_SERIAL ? s->expect_serial : s->expect_sha256);
		tl_sb_mark_cut(&e);
		break;
	}
	case LEAF_KEY_BITS: snprintf(c->expected, sizeof(c->expected), ">= %d", s->expect_min_key_bits); break;
	}
	char shown[160];
	if (!n) {
		snprintf(c->observed, sizeof(c->observed), "no peer certificate");
	} else {
		leaf_shown(leaf[first], k, shown, sizeof(shown));
		struct tl_sb b = tl_sb_init(c->observed, sizeof(c->observed));
		tl_sb_cstr(&b, shown);
		if (bad && where[first][0])
			tl_sb_fmt(&b, " (from %s)", where[first]);
		if (bad > 1)
			tl_sb_fmt(&b, "; %u more of the %u certificates fail", bad - 1, n);
		else if (!bad && n > 1)
			tl_sb_fmt(&b, "; all %u certificates", n);
		tl_sb_mark_cut(&b);
	}
	c->status = n && !bad ? CHECK_PASS : CHECK_FAIL;
}

/* transport.options_ping_s: a trunk connection out of service warns (its calls went
 * elsewhere, or failed and fail their own check); no ping answered at all fails. */
static void judge_keepalive(struct verdict *v, const struct result *r)
{
	const struct trunk_keepalive *k = &r->keepalive;
	struct check *c = add(v, "trunk.in_service");
	snprintf(c->expected, sizeof(c->expected), "every ping answered, no connection out of service");
	struct tl_sb b = tl_sb_init(c->observed, sizeof(c->observed));
	tl_sb_fmt(&b, "%llu of %llu pings answered", (unsigned long long)(k->answered),
		  (unsigned long long)k->pings);
	if (k->n_events) {
		const struct oos_event *e = &k->events[0];
		tl_sb_fmt(&b, "; out of service %u time%s, first %s at %.1f s (%s)", k->n_events,
			  k->n_events == 1 ? "" : "s", e->where, e->at_s, e->reason);
		if (e->back_s >= 0)
			tl_sb_fmt(&b, ", back at %.1f s", e->back_s);
	}
	tl_sb_mark_cut(&b);
	c->status = k->pings && !k->answered ? CHECK_FAIL : k->n_events || k->failed ? CHECK_WARN : CHECK_PASS;
}

/* run --find-capacity: a rate at which every check held, and what failed above it. */
static void judge_capacity(struct verdict *v, const struct result *r)
{
	const struct capacity_found *f = &r->capacity;
	struct check *c = add(v, "capacity");
	snprintf(c->expected, sizeof(c->expected), "a load at which every check held");
	struct tl_sb b = tl_sb_init(c->observed, sizeof(c->observed));
	if (f->concurrent > 0)
		tl_sb_fmt(&b, "%g concurrent calls (%g calls/s)", f->concurrent, f->cps);
	else if (f->cps > 0)
		tl_sb_fmt(&b, "%g calls/s", f->cps);
	if (f->unfinished)
		tl_sb_cstr(&b, ", not narrowed to 5 %: the trials ran out (a --from nearer the answer helps)");
	if (f->max_reached)
		tl_sb_cstr(&b, ", the highest tried (--max): the far end holds more");
	else if (f->failed_stage && f->failed_concurrent > 0)
		tl_sb_fmt(&b, "%strial %u at %g concurrent calls failed %s", f->cps > 0 ? "; " : "none: ",
			  f->failed_stage, f->failed_concurrent, f->threshold);
	else if (f->failed_stage)
		tl_sb_fmt(&b, "%strial %u at %g calls/s failed %s", f->cps > 0 ? "; " : "none: ",
			  f->failed_stage, f->failed_cps, f->threshold);
	tl_sb_mark_cut(&b);
	c->status = f->cps <= 0 ? CHECK_FAIL : f->unfinished ? CHECK_WARN : CHECK_PASS;
}

/* With several destinations, each must have been there: one that never came up fails
 * the run (whichever distribution moved its calls elsewhere), one that went down warns. */
static void judge_dests(struct verdict *v, const struct scenario *s, const struct result *r)
{
	struct check *c = add(v, "target.destinations");
	snprintf(c->expected, sizeof(c->expected), "each of the %u destinations up", r->n_dests);
	int never = -1, down = -1;
	unsigned n_never = 0, n_down = 0;
	for (unsigned i = 0; i < r->n_dests; i++) {
		const struct dest_result *d = &r->dests[i];
		if (!d->connections_up && (d->connect_failures || d->tls_failures)) {
			never = never < 0 ? (int)i : never;
			n_never++;
		} else if (d->went_down) {
			down = down < 0 ? (int)i : down;
			n_down++;
		}
	}
	struct tl_sb b = tl_sb_init(c->observed, sizeof(c->observed));
	c->status = n_never ? CHECK_FAIL : n_down ? CHECK_WARN : CHECK_PASS;
	if (n_never) {
		struct scn_dest_view d = scn_dest(s, (unsigned)never);
		char hp[300];
		tl_sb_fmt(&b, "%s never came up (%llu connect and %llu TLS failures)",
			  tl_hostport_text(d.host, d.port, hp, sizeof(hp)),
			  (unsigned long long)r->dests[never].connect_failures,
			  (unsigned long long)r->dests[never].tls_failures);
		if (n_never > 1)
			tl_sb_fmt(&b, "; %u more", n_never - 1);
	}
	if (n_down) {
		struct scn_dest_view d = scn_dest(s, (unsigned)down);
		char hp[300];
		tl_sb_fmt(&b, "%s%s went down %llu time%s", n_never ? "; " : "",
			  tl_hostport_text(d.host, d.port, hp, sizeof(hp)),
			  (unsigned long long)r->dests[down].went_down, r->dests[down].went_down == 1 ? "" : "s");
		if (n_down > 1)
			tl_sb_fmt(&b, "; %u more", n_down - 1);
	}
	if (!n_never && !n_down)
		tl_sb_fmt(&b, "all %u were", r->n_dests);
	tl_sb_mark_cut(&b);
}

/* With several destinations, the checks on the far end's certificate speak for every
 * node only when every node presented one: a node no call reached went unchecked. */
static void judge_every_dest(struct verdict *v, const struct scenario *s, const struct result *r)
{
	struct check *c = add(v, "tls.peer.destinations");
	snprintf(c->expected, sizeof(c->expected), "a certificate from each of the %u destinations",
		 r->n_dests);
	unsigned missing = 0, first = 0;
	for (unsigned i = 0; i < r->n_dests; i++)
		if (!r->dests[i].connections_up && !r->dests[i].tls_failures && !missing++)
			first = i;
	c->status = missing ? CHECK_FAIL : CHECK_PASS;
	if (!missing) {
		snprintf(c->observed, sizeof(c->observed), "all %u presented one", r->n_dests);
		return;
	}
	struct scn_dest_view d = scn_dest(s, first);
	struct tl_sb b = tl_sb_init(c->observed, sizeof(c->observed));
	char hp[300];
	tl_sb_fmt(&b, "%s presented none (no call reached it)", tl_hostport_text(d.host, d.port, hp, sizeof(hp)));
	if (missing > 1)
		tl_sb_fmt(&b, "; %u more", missing - 1);
	if (scn_conn_per_call(s) && s->calls && s->calls < r->n_dests)
		tl_sb_fmt(&b, "; load.calls %llu is fewer than the destinations",
			  (unsigned long long)s->calls);
	tl_sb_mark_cut(&b);
}

static void judge_peer(struct verdict *v, const struct scenario *s, const struct result *r)
{
	struct check *c;
	if (r->n_dests > 1 && (s->expect_names[0] || s->expect_subject_cn[0] || s->expect_issuer[0] ||
			       s->expect_serial[0] || s->expect_sha256[0] || s->expect_min_key_bits >= 0 ||
			       s->expect_min_days_valid >= 0 || s->expect_versions))
		judge_every_dest(v, s, r);
	if (s->expect_names[0])
		judge_leaves(v, s, r, "tls.peer.names", LEAF_NAMES);
	if (s->expect_issuer[0])
		judge_leaves(v, s, r, "tls.peer.issuer", LEAF_ISSUER);
	if (s->expect_serial[0])
		judge_leaves(v, s, r, "tls.peer.serial", LEAF_SERIAL);
	if (s->expect_sha256[0])
		judge_leaves(v, s, r, "tls.peer.sha256", LEAF_SHA256);
	if (s->expect_min_key_bits >= 0)
		judge_leaves(v, s, r, "tls.peer.key_bits", LEAF_KEY_BITS);
	if (s->expect_versions) {
		c = add(v, "tls.version");
		bool ok = r->hs_ok > 0;
		struct tl_sb sb = tl_sb_init(c->expected, sizeof(c->expected));
		for (unsigned i = 0; i < TL_TLS_VERSIONS; i++)
			if (s->expect_versions & (1u << i))
				tl_sb_fmt(&sb, "%s%s", sb.n ? " or " : "one of ", tls_version_name(i));
		tl_sb_mark_cut(&sb);
		sb = tl_sb_init(c->observed, sizeof(c->observed));
		for (int i = 0; i < RESULT_MAX_NAMES && r->versions[i].name[0]; i++) {
			bool allowed = false;
			for (unsigned k = 0; k < TL_TLS_VERSIONS; k++)
				allowed |= (s->expect_versions & (1u << k)) &&
					   !strcmp(r->versions[i].name, tls_version_name(k));
			ok &= allowed;
			tl_sb_fmt(&sb, "%s%s x%llu", sb.n ? ", " : "", r->versions[i].name,
				  (unsigned long long)r->versions[i].n);
		}
		tl_sb_mark_cut(&sb);
		if (!sb.n)
			snprintf(c->observed, sizeof(c->observed), "no handshake");
		c->status = ok ? CHECK_PASS : CHECK_FAIL;
	}
}

static bool finding_expected(const struct scenario *s, const char *code)
{
	for (unsigned i = 0; i < s->n_expect_findings; i++)
		if (!strcmp(s->expect_findings[i], code))
			return true;
	return false;
}

#define ALL_FINDINGS FINDINGS_MAX /* one per code: fewer codes than that exist */

static bool finding_seen(const struct result *r, const char *code)
{
	struct finding_seen all[ALL_FINDINGS];
	unsigned n = result_findings(r, all, ALL_FINDINGS);
	for (unsigned i = 0; i < n; i++)
		if (!strcmp(all[i].f->code, code))
			return true;
	return false;
}

/* A far end presenting a bad certificate on purpose: the test passes when trunkload
 * flags exactly what the scenario lists. */
static void judge_expected_findings(struct verdict *v, const struct scenario *s,
				    const struct result *r)
{
	struct check *c = add(v, "tls.peer.findings");
	bool ok = r->peer.seen;
	struct tl_sb b = tl_sb_init(c->expected, sizeof(c->expected));
	for (unsigned i = 0; i < s->n_expect_findings; i++) {
		ok &= finding_seen(r, s->expect_findings[i]);
		if (i)
			TL_SB_LIT(&b, ", ");
		tl_sb_cstr(&b, s->expect_findings[i]);
	}
	tl_sb_mark_cut(&b);
	b = tl_sb_init(c->observed, sizeof(c->observed));
	struct finding_seen all[ALL_FINDINGS];
	unsigned n = result_findings(r, all, ALL_FINDINGS);
	for (unsigned i = 0; i < n; i++) {
		if (i)
			TL_SB_LIT(&b, ", ");
		tl_sb_cstr(&b, all[i].f->code);
	}
	tl_sb_mark_cut(&b);
	if (!b.n)
		snprintf(c->observed, sizeof(c->observed), "%s", r->peer.seen ? "none" : "no certificate seen");
	c->status = ok ? CHECK_PASS : CHECK_FAIL;
}

/* Latency is measured from each call's scheduled start, so a tester that falls
 * behind its schedule puts its own delay into the far end's figures: say so. */
static void judge_schedule_lag(struct verdict *v, const struct tester_health *t)
{
	struct check *c = add(v, "tester.schedule_lag");
	double p99 = (double)hist_percentile(&t->schedule_lag, 99) / 1000.0;
	snprintf(c->expected, sizeof(c->expected), "p99 <= %g ms (a warning above, a failure above %g ms)",
		 TESTER_LAG_WARN_MS, TESTER_LAG_FAIL_MS);
	c->status = p99 > TESTER_LAG_FAIL_MS ? CHECK_FAIL : p99 > TESTER_LAG_WARN_MS ? CHECK_WARN : CHECK_PASS;
	snprintf(c->observed, sizeof(c->observed), "p99 %.1f ms, max %.1f ms%s", p99,
		 (double)t->schedule_lag.max / 1000.0,
		 c->status == CHECK_PASS ? "" : ": trunkload could not keep its own schedule: "
						"the latency figures include its delay");
}

void verdict_judge(const struct scenario *s, const struct result *r, struct verdict *v)
{
	memset(v, 0, sizeof(*v));
	struct check *c = add(v, "run.completed");
	snprintf(c->expected, sizeof(c->expected), "the whole schedule ran");
	snprintf(c->observed, sizeof(c->observed), "%s",
		 r->could_not_run ? "could not run" : r->interrupted ? "interrupted" :
		 r->aborted[0] ? r->aborted : "it did");
	if (r->could_not_run)
		snprintf(c->observed, sizeof(c->observed), "could not run: %.140s", r->could_not_run_why);
	/* a far end refused on purpose (expected findings) leaves the schedule unrun */
	c->status = r->could_not_run || r->interrupted || (r->aborted[0] && !s->n_expect_findings) ?
			    CHECK_FAIL : CHECK_PASS;
	if (r->capacity.searched) { /* each trial was judged on its own: the search's answer */
		if (r->interrupted) /* what it found so far is still an answer */
			c->status = CHECK_WARN;
		judge_capacity(v, r);
		goto tally;
	}

	if (s->transport == SCN_TLS && s->expect_handshake == SCN_HS_REJECTED) {
		judge_refusal(v, r, s->expect_alert);
	} else if (s->transport == SCN_TLS && s->n_expect_findings) {
		judge_expected_findings(v, s, r);
	} else if (s->transport == SCN_TLS) {
		c = add(v, "tls.handshake");
		snprintf(c->expected, sizeof(c->expected), "every handshake ok");
		snprintf(c->observed, sizeof(c->observed), "%llu ok, %llu failed%s%.100s",
			 (unsigned long long)r->hs_ok, (unsigned long long)r->hs_failed,
			 r->hs_failed && r->first_tls_error[0] ? ": " : "",
			 r->hs_failed ? r->first_tls_error : "");
		c->status = r->hs_failed || !r->hs_ok ? CHECK_FAIL : CHECK_PASS;
	}
	if (r->n_dests > 1 && s->expect_handshake != SCN_HS_REJECTED)
		judge_dests(v, s, r);
	if (s->options_ping_s)
		judge_keepalive(v, r);
	/* a far end expected to be refused for its certificate leaves no call to judge */
	/* (a responder's failures are mostly the refusals its behaviour chose: its own
	 * thresholds judge them) */
	if (!has_threshold(s, "calls.failed") && !has_threshold(s, "calls.failed_pct") &&
	    !s->n_expect_findings && s->role != SCN_ROLE_UAS) {
		struct threshold t = { .metric = "calls.failed", .has_max = true, .max = 0 };
		judge_threshold(s, v, r, &t);
	}
	/* media that ran is judged even without thresholds: wrong keys, replays and
	 * dead streams are what a trunk test must catch */
	static const char *const media_defaults[] = { "srtp.auth_failures", "srtp.replay_failures",
						      "srtp.silent_streams" };
	for (size_t i = 0; r->srtp.n[SRTP_STREAMS] && i < sizeof(media_defaults) / sizeof(media_defaults[0]); i++) {
		if (has_threshold(s, media_defaults[i]))
			continue;
		struct threshold t = { .has_max = true, .max = 0 };
		snprintf(t.metric, sizeof(t.metric), "%s", media_defaults[i]);
		judge_threshold(s, v, r, &t);
	}
	for (unsigned i = 0; i < s->n_thresholds; i++)
		judge_threshold(s, v, r, &s->thresholds[i]);

	if (s->expect_subject_cn[0])
		judge_leaves(v, s, r, "tls.peer.subject_cn", LEAF_SUBJECT_CN);
	if (s->expect_min_days_valid >= 0)
		judge_leaves(v, s, r, "tls.peer.days_left", LEAF_DAYS);
	judge_peer(v, s, r);
	/* what the far end's certificate and handshake showed: errors fail the run */
	struct finding_seen all[ALL_FINDINGS];
	unsigned n_all = result_findings(r, all, ALL_FINDINGS);
	for (unsigned i = 0; i < n_all; i++) {
		const struct finding *f = all[i].f;
		if (f->severity == FINDING_INFO)
			continue;
		char name[64];
		snprintf(name, sizeof(name), "tls.finding.%s", f->code);
		c = add(v, name);
		bool expected = finding_expected(s, f->code);
		snprintf(c->expected, sizeof(c->expected), "%s%s", expected ? "" : "no ", f->code);
		struct tl_sb b = tl_sb_init(c->observed, sizeof(c->observed));
		tl_sb_cstr(&b, f->message);
		if (all[i].where[0])
			tl_sb_fmt(&b, " (from %s%s)", all[i].where,
				  all[i].certificates > 1 ? " and other certificates" : "");
		tl_sb_mark_cut(&b);
		/* a trunk's far end calls us too: its certificate needs both usages */
		bool usage = !strcmp(f->code, "no_client_auth") || !strcmp(f->code, "no_server_auth");
		c->status = finding_expected(s, f->code) ? CHECK_PASS :
			    f->severity == FINDING_ERROR || (usage && s->expect_both_roles) ? CHECK_FAIL
											    : CHECK_WARN;
	}
	if (r->tester.schedule_lag.count && !has_threshold(s, "tester.schedule_lag_ms"))
		judge_schedule_lag(v, &r->tester);
	if (r->concurrency_cap_hits) {
		c = add(v, "load.max_concurrent");
		snprintf(c->expected, sizeof(c->expected), "the cap of %u concurrent calls never reached",
			 s->max_concurrent);
		snprintf(c->observed, sizeof(c->observed), "%llu calls not started because of it",
			 (unsigned long long)r->concurrency_cap_hits);
		c->status = CHECK_FAIL;
	}
tally:
	v->pass = !v->lost;
	for (unsigned i = 0; i < v->n_checks; i++)
		if (v->checks[i].status == CHECK_FAIL)
			v->pass = false;
}
