#include "result.h"
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

const char *lat_interval_name(enum lat_interval i)
{
	static const char *names[LAT_COUNT] = {
		"tls_handshake", "invite_to_100", "invite_to_180",
		"invite_to_200", "bye_to_200", "invite_to_200_uncorrected",
		"answer_to_first_media", "options_to_200", "invite_to_final", "invite_to_ack",
	};
	return i < LAT_COUNT ? names[i] : "?";
}

const char *srtp_counter_name(enum srtp_counter c)
{
	static const char *names[SRTP_COUNTERS] = {
		"streams", "packets_sent", "packets_received", "auth_failures",
		"replay_failures", "bad_packets", "unexpected_ssrc", "unexpected_source",
		"early_packets", "lost", "expected", "late_sends", "send_errors",
		"rtcp_sent", "rtcp_received", "rtcp_auth_failures", "streams_receiving",
		"silent_streams", "stale_key_packets", "reordered", "duplicates",
		"rekeys", "lifetime_ended",
	};
	return c < SRTP_COUNTERS ? names[c] : "?";
}

const char *dtmf_count_name(enum dtmf_count c)
{
	static const char *names[DTMF_COUNTS] = { "sent", "received", "checked", "mismatched" };
	return c < DTMF_COUNTS ? names[c] : "?";
}

const char *hs_outcome_name(enum hs_outcome o)
{
	static const char *names[HS_OUTCOMES] = {
		"accepted", "refused_alert", "refused_reset", "refused_close",
		"timeout", "we_refused", "connect_failed", "undecided",
	};
	return o < HS_OUTCOMES ? names[o] : "?";
}

void result_init(struct result *r)
{
	memset(r, 0, sizeof(*r));
	for (int i = 0; i < LAT_COUNT; i++)
		hist_init(&r->lat[i]);
	hist_init(&r->tester.schedule_lag);
}

int result_keys_reserve(struct result *r, unsigned cap)
{
	struct srtp_key_row *k = realloc(r->keys, cap * sizeof(*k));
	if (!k)
		return -ENOMEM;
	r->keys = k;
	r->cap_keys = cap;
	return 0;
}

void result_free(struct result *r)
{
	free(r->keys);
	r->keys = NULL;
	r->n_keys = r->cap_keys = 0;
	free(r->ts);
	r->ts = NULL;
	r->n_ts = r->cap_ts = 0;
	prefix_table_free(&r->by_to_prefix);
	free(r->peers);
	r->peers = NULL;
	r->n_peers = 0;
	free(r->stages);
	r->stages = NULL;
	r->n_stages = 0;
	free(r->dests);
	r->dests = NULL;
	r->n_dests = 0;
	free(r->keepalive.events);
	r->keepalive.events = NULL;
	r->keepalive.n_events = 0;
	for (unsigned i = 0; i < r->n_traces; i++)
		free(r->traces[i].text);
	free(r->traces);
	r->traces = NULL;
	r->n_traces = r->cap_traces = 0;
}

int result_trace_add(struct result *r, const char *call_id, const char *reason, char *text,
		     size_t len)
{
	if (r->n_traces == r->cap_traces) {
		unsigned cap = r->cap_traces ? 2 * r->cap_traces : 16;
		struct trace_kept *t = realloc(r->traces, cap * sizeof(*t));
		if (!t)
			return -ENOMEM;
		r->traces = t;
		r->cap_traces = cap;
	}
	struct trace_kept *t = &r->traces[r->n_traces++];
	snprintf(t->call_id, sizeof(t->call_id), "%s", call_id);
	snprintf(t->reason, sizeof(t->reason), "%s", reason);
	t->text = text;
	t->len = len;
	return 0;
}

unsigned result_traces_of(const struct result *r, const char *reason)
{
	unsigned n = 0;
	for (unsigned i = 0; i < r->n_traces; i++)
		n += !strcmp(r->traces[i].reason, reason);
	return n;
}

struct oos_event *result_oos_add(struct result *r)
{
	struct trunk_keepalive *k = &r->keepalive;
	if (!k->events && !(k->events = calloc(RESULT_MAX_OOS, sizeof(*k->events))))
		return NULL;
	if (k->n_events >= RESULT_MAX_OOS) {
		k->events_untold++;
		return NULL;
	}
	struct oos_event *e = &k->events[k->n_events++];
	memset(e, 0, sizeof(*e));
	e->back_s = -1;
	return e;
}

int result_dests_reserve(struct result *r, unsigned n)
{
	if (n <= r->n_dests)
		return 0;
	struct dest_result *d = realloc(r->dests, n * sizeof(*d));
	if (!d)
		return -ENOMEM;
	for (unsigned i = r->n_dests; i < n; i++) {
		memset(&d[i], 0, sizeof(d[i]));
		hist_init(&d[i].invite_to_200);
	}
	r->dests = d;
	r->n_dests = n;
	return 0;
}

int result_stages_reserve(struct result *r, unsigned n)
{
	if (n <= r->n_stages)
		return 0;
	struct stage_result *g = realloc(r->stages, n * sizeof(*g));
	if (!g)
		return -ENOMEM;
	for (unsigned i = r->n_stages; i < n; i++) {
		memset(&g[i], 0, sizeof(g[i]));
		hist_init(&g[i].invite_to_200);
	}
	r->stages = g;
	r->n_stages = n;
	return 0;
}

struct peer_seen *result_peer_find(struct result *r, const unsigned char key[PEER_KEY_LEN])
{
	for (unsigned i = 0; i < r->n_peers; i++)
		if (!memcmp(r->peers[i].key, key, PEER_KEY_LEN))
			return &r->peers[i];
	return NULL;
}

struct peer_seen *result_peer_add(struct result *r, const unsigned char key[PEER_KEY_LEN])
{
	if (!r->peers && !(r->peers = calloc(RESULT_MAX_PEERS, sizeof(*r->peers))))
		return NULL;
	if (r->n_peers >= RESULT_MAX_PEERS) {
		r->peers_untold++;
		return NULL;
	}
	struct peer_seen *p = &r->peers[r->n_peers++];
	memset(p, 0, sizeof(*p));
	memcpy(p->key, key, PEER_KEY_LEN);
	return p;
}

static void findings_add(struct finding_seen *out, unsigned *n, unsigned max,
			 const struct tls_peer *p, const char *where, bool distinct)
{
	for (unsigned i = 0; i < p->n_findings; i++) {
		const struct finding *f = &p->findings[i];
		unsigned k = 0;
		while (k < *n && strcmp(out[k].f->code, f->code))
			k++;
		if (k < *n) {
			out[k].certificates += distinct;
			if (!out[k].where[0] && where[0])
				out[k].where = where;
		} else if (*n < max) {
			out[(*n)++] = (struct finding_seen){ f, where, distinct };
		}
	}
}

unsigned result_findings(const struct result *r, struct finding_seen *out, unsigned max)
{
	unsigned n = 0;
	/* the first handshake's certificate is one of the distinct ones, when they are kept */
	findings_add(out, &n, max, &r->peer, "", r->n_peers == 0);
	for (unsigned i = 0; i < r->n_peers; i++)
		findings_add(out, &n, max, &r->peers[i].peer, r->peers[i].where, true);
	return n;
}

void result_peer_merge(struct result *dst, const struct peer_seen *src)
{
	struct peer_seen *p = result_peer_find(dst, src->key);
	if (p) {
		p->handshakes += src->handshakes;
		return;
	}
	if (dst->n_peers >= RESULT_MAX_PEERS) {
		dst->peers_untold += src->handshakes;
		return;
	}
	p = result_peer_add(dst, src->key);
	if (p)
		*p = *src;
}

void reason_table_add(struct reason_count *tab, unsigned *used, unsigned max, const char *name,
		      uint64_t n)
{
	for (unsigned i = 0; i < *used; i++) {
		if (!strcmp(tab[i].name, name)) {
			tab[i].n += n;
			return;
		}
	}
	/* a full table keeps its last slot for everything else, named "other" */
	unsigned i = *used < max - 1 ? (*used)++ : max - 1;
	if (i == max - 1) {
		snprintf(tab[i].name, sizeof(tab[i].name), "other");
		*used = max;
	} else {
		snprintf(tab[i].name, sizeof(tab[i].name), "%s", name);
	}
	tab[i].n += n;
}

void result_reason_add(struct result *r, const char *name, uint64_t n)
{
	reason_table_add(r->reasons, &r->n_reasons, RESULT_MAX_REASONS, name, n);
}

void result_fail(struct result *r, const char *reason)
{
	result_reason_add(r, reason, 1);
}

void result_name_add(struct name_count *tab, const char *name, uint64_t n)
{
	for (unsigned i = 0; i < RESULT_MAX_NAMES; i++) {
		if (!tab[i].name[0])
			snprintf(tab[i].name, sizeof(tab[i].name), "%s", name);
		if (!strcmp(tab[i].name, name)) {
			tab[i].n += n;
			return;
		}
	}
}

struct ts_row *result_ts_row_at(struct result *r, uint64_t t0, uint64_t now)
{
	return result_ts_row(r, (unsigned)((now > t0 ? now - t0 : 0) / 1000000000ull));
}

struct ts_row *result_ts_row(struct result *r, unsigned sec)
{
	if (sec >= r->cap_ts) {
		unsigned cap = r->cap_ts ? r->cap_ts : 64;
		while (cap <= sec)
			cap *= 2;
		struct ts_row *p = realloc(r->ts, cap * sizeof(*p));
		if (!p)
			return NULL;
		memset(p + r->cap_ts, 0, (cap - r->cap_ts) * sizeof(*p));
		r->ts = p;
		r->cap_ts = cap;
	}
	if (sec >= r->n_ts)
		r->n_ts = sec + 1;
	return &r->ts[sec];
}

int result_ts_shift(struct result *r, unsigned seconds)
{
	if (!seconds || !r->n_ts)
		return 0;
	unsigned n = r->n_ts;
	if (!result_ts_row(r, n - 1 + seconds))
		return -ENOMEM;
	memmove(r->ts + seconds, r->ts, n * sizeof(*r->ts));
	memset(r->ts, 0, seconds * sizeof(*r->ts));
	return 0;
}

static void tester_merge(struct tester_health *d, const struct tester_health *s)
{
	hist_merge(&d->schedule_lag, &s->schedule_lag);
	d->turns += s->turns;
	d->long_turns += s->long_turns;
	if (s->worst_turn_us > d->worst_turn_us)
		d->worst_turn_us = s->worst_turn_us;
	d->enobufs_rearms += s->enobufs_rearms;
	d->tcp_samples += s->tcp_samples;
	d->zero_window_ours += s->zero_window_ours;
	d->zero_window_far_end += s->zero_window_far_end;
	d->window_unknown += s->window_unknown;
	d->workers += s->workers;
	d->cpu_s += s->cpu_s;
	d->wall_s += s->wall_s;
	if (s->busiest_worker_pct > d->busiest_worker_pct)
		d->busiest_worker_pct = s->busiest_worker_pct;
}

static void dest_merge(struct dest_result *d, const struct dest_result *s)
{
	d->calls += s->calls;
	d->completed += s->completed;
	d->failed += s->failed;
	d->connections_up += s->connections_up;
	d->connect_failures += s->connect_failures;
	d->tls_failures += s->tls_failures;
	d->went_down += s->went_down;
	for (unsigned k = 0; k < s->n_reasons; k++)
		reason_table_add(d->reasons, &d->n_reasons, DEST_MAX_REASONS, s->reasons[k].name,
				 s->reasons[k].n);
	hist_merge(&d->invite_to_200, &s->invite_to_200);
}

void result_merge(struct result *dst, const struct result *src)
{
	dst->attempted += src->attempted;
	dst->completed += src->completed;
	dst->failed += src->failed;
	dst->max_concurrent += src->max_concurrent; /* workers' peaks: an upper bound */
	dst->concurrency_cap_hits += src->concurrency_cap_hits;
	dst->stray_responses += src->stray_responses;
	dst->ended_by_us += src->ended_by_us;
	dst->ended_by_far_end += src->ended_by_far_end;
	dst->refreshes_by_us += src->refreshes_by_us;
	dst->refreshes_by_far_end += src->refreshes_by_far_end;
	prefix_table_merge(&dst->by_to_prefix, &src->by_to_prefix);
	for (unsigned i = 0; i < src->n_reasons; i++)
		result_reason_add(dst, src->reasons[i].name, src->reasons[i].n);
	for (int i = 0; i < LAT_COUNT; i++)
		hist_merge(&dst->lat[i], &src->lat[i]);
	for (int i = 0; i < SRTP_COUNTERS; i++)
		dst->srtp.n[i] += src->srtp.n[i];
	for (int i = 0; i < DTMF_COUNTS; i++)
		dst->dtmf[i] += src->dtmf[i];
	dst->srtp.jitter_ms_sum += src->srtp.jitter_ms_sum;
	if (src->srtp.jitter_ms_max > dst->srtp.jitter_ms_max)
		dst->srtp.jitter_ms_max = src->srtp.jitter_ms_max;
	mos_merge(&dst->srtp.mos, &src->srtp.mos);
	struct srtp_far_end *f = &dst->srtp.far_end;
	const struct srtp_far_end *g = &src->srtp.far_end;
	f->streams += g->streams;
	f->reports += g->reports;
	f->expected += g->expected;
	f->rtt_samples += g->rtt_samples;
	f->lost += g->lost;
	f->jitter_ms_sum += g->jitter_ms_sum;
	f->rtt_ms_sum += g->rtt_ms_sum;
	if (g->jitter_ms_max > f->jitter_ms_max)
		f->jitter_ms_max = g->jitter_ms_max;
	if (g->rtt_ms_max > f->rtt_ms_max)
		f->rtt_ms_max = g->rtt_ms_max;
	if (!dst->srtp.suite[0])
		memcpy(dst->srtp.suite, src->srtp.suite, sizeof(dst->srtp.suite));
	for (int i = 0; i < HS_OUTCOMES; i++)
		dst->hs_outcome[i] += src->hs_outcome[i];
	dst->hs_ok += src->hs_ok;
	dst->hs_resumed += src->hs_resumed;
	dst->hs_failed += src->hs_failed;
	for (int i = 0; i < 256; i++) {
		dst->alerts.sent[i] += src->alerts.sent[i];
		dst->alerts.received[i] += src->alerts.received[i];
	}
	for (int i = 0; i < RESULT_MAX_NAMES; i++) {
		if (src->versions[i].name[0])
			result_name_add(dst->versions, src->versions[i].name, src->versions[i].n);
		if (src->ciphers[i].name[0])
			result_name_add(dst->ciphers, src->ciphers[i].name, src->ciphers[i].n);
	}
	if (!dst->peer.seen && src->peer.seen)
		dst->peer = src->peer;
	for (unsigned i = 0; i < src->n_peers; i++)
		result_peer_merge(dst, &src->peers[i]);
	if (src->n_stages && !result_stages_reserve(dst, src->n_stages))
		for (unsigned i = 0; i < src->n_stages; i++) {
			struct stage_result *d = &dst->stages[i];
			const struct stage_result *s = &src->stages[i];
			d->started += s->started;
			d->completed += s->completed;
			d->failed += s->failed;
			hist_merge(&d->invite_to_200, &s->invite_to_200);
		}
	dst->traces_dropped += src->traces_dropped;
	for (unsigned i = 0; i < src->n_traces; i++) { /* a copy: src keeps its own */
		const struct trace_kept *t = &src->traces[i];
		char *text = malloc(t->len + 1);
		if (!text || result_trace_add(dst, t->call_id, t->reason, text, t->len)) {
			free(text);
			dst->traces_dropped++;
			continue;
		}
		memcpy(text, t->text, t->len);
		text[t->len] = '\0';
	}
	dst->keepalive.pings += src->keepalive.pings;
	dst->keepalive.answered += src->keepalive.answered;
	dst->keepalive.failed += src->keepalive.failed;
	dst->keepalive.events_untold += src->keepalive.events_untold;
	for (unsigned i = 0; i < src->keepalive.n_events; i++) {
		struct oos_event *e = result_oos_add(dst);
		if (e)
			*e = src->keepalive.events[i];
	}
	if (src->n_dests && !result_dests_reserve(dst, src->n_dests))
		for (unsigned i = 0; i < src->n_dests; i++)
			dest_merge(&dst->dests[i], &src->dests[i]);
	if (src->schedule_wall_s > 0 &&
	    (!dst->schedule_wall_s || src->schedule_wall_s < dst->schedule_wall_s))
		dst->schedule_wall_s = src->schedule_wall_s;
	dst->peers_untold += src->peers_untold;
	if (!dst->first_tls_error[0])
		memcpy(dst->first_tls_error, src->first_tls_error, sizeof(dst->first_tls_error));
	if (src->n_keys && (dst->keys || !result_keys_reserve(dst, RESULT_MAX_KEYS)))
		for (unsigned i = 0; i < src->n_keys && dst->n_keys < dst->cap_keys; i++)
			dst->keys[dst->n_keys++] = src->keys[i];
	for (unsigned s = 0; s < src->n_ts; s++) {
		struct ts_row *d = result_ts_row(dst, s);
		if (!d)
			break;
		d->started += src->ts[s].started;
		d->completed += src->ts[s].completed;
		d->failed += src->ts[s].failed;
		d->active += src->ts[s].active;
		if (src->ts[s].p99_us > d->p99_us) /* per-second p99 across workers: the worst */
			d->p99_us = src->ts[s].p99_us;
		if (src->ts[s].lag_max_us > d->lag_max_us)
			d->lag_max_us = src->ts[s].lag_max_us;
	}
	tester_merge(&dst->tester, &src->tester);
	if (src->elapsed_s > dst->elapsed_s)
		dst->elapsed_s = src->elapsed_s;
	dst->steady_completed += src->steady_completed;
	if (src->steady_window_s > dst->steady_window_s)
		dst->steady_window_s = src->steady_window_s;
	dst->interrupted |= src->interrupted;
	if (!dst->aborted[0])
		memcpy(dst->aborted, src->aborted, sizeof(dst->aborted));
	if (!dst->could_not_run && src->could_not_run) {
		dst->could_not_run = src->could_not_run;
		memcpy(dst->could_not_run_why, src->could_not_run_why, sizeof(dst->could_not_run_why));
	}
}

double srtp_far_end_lost_pct(const struct srtp_far_end *f)
{
	return f->expected ? 100.0 * (double)f->lost / (double)f->expected : 0;
}

unsigned result_out_of_service_in(const struct trunk_keepalive *k, unsigned t)
{
	unsigned n = 0;
	for (unsigned i = 0; i < k->n_events; i++) {
		const struct oos_event *e = &k->events[i];
		n += e->at_s < t + 1.0 && (e->back_s < 0 || e->back_s >= t);
	}
	return n;
}
