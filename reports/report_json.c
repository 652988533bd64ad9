#include "report.h"
#include "wall_time.h"
#include <cjson/cJSON.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

static double ms(uint64_t us)
{
	return (double)us / 1000.0;
}

static cJSON *latency(const struct hist *h)
{
	cJSON *o = cJSON_CreateObject();
	cJSON_AddNumberToObject(o, "count", (double)h->count);
	cJSON_AddNumberToObject(o, "min", h->count ? ms(h->min) : 0);
	cJSON_AddNumberToObject(o, "p50", ms(hist_percentile(h, 50)));
	cJSON_AddNumberToObject(o, "p90", ms(hist_percentile(h, 90)));
	cJSON_AddNumberToObject(o, "p99", ms(hist_percentile(h, 99)));
	cJSON_AddNumberToObject(o, "p999", ms(hist_percentile(h, 99.9)));
	cJSON_AddNumberToObject(o, "max", ms(h->max));
	cJSON_AddNumberToObject(o, "mean", h->count ? ms(h->sum / h->count) : 0);
	/* non-empty buckets as [low_us, high_us, count]: exact enough to merge shards */
	cJSON *b = cJSON_AddArrayToObject(o, "buckets");
	for (size_t i = 0; i < HIST_BUCKETS; i++) {
		if (!h->buckets[i])
			continue;
		cJSON *row = cJSON_CreateArray();
		cJSON_AddItemToArray(row, cJSON_CreateNumber((double)hist_bucket_low(i)));
		cJSON_AddItemToArray(row, cJSON_CreateNumber((double)hist_bucket_high(i)));
		cJSON_AddItemToArray(row, cJSON_CreateNumber((double)h->buckets[i]));
		cJSON_AddItemToArray(b, row);
	}
	cJSON_AddStringToObject(o, "bucket_unit", "us");
	return o;
}

static void names(cJSON *parent, const char *key, const struct name_count *tab)
{
	cJSON *o = cJSON_AddObjectToObject(parent, key);
	for (int i = 0; i < RESULT_MAX_NAMES && tab[i].name[0]; i++)
		cJSON_AddNumberToObject(o, tab[i].name, (double)tab[i].n);
}

static void iso_time(char *out, size_t n, double t)
{
	time_t s = (time_t)t;
	struct tm tm;
	gmtime_r(&s, &tm);
	strftime(out, n, "%Y-%m-%dT%H:%M:%SZ", &tm);
}

static void cert_json(cJSON *o, const struct cert_facts *c)
{
	cJSON_AddStringToObject(o, "subject", c->subject);
	cJSON_AddStringToObject(o, "subject_cn", c->subject_cn);
	cJSON_AddStringToObject(o, "san", c->san);
	cJSON_AddStringToObject(o, "issuer", c->issuer);
	cJSON_AddStringToObject(o, "serial", c->serial);
	cJSON_AddStringToObject(o, "not_before", c->not_before);
	cJSON_AddStringToObject(o, "not_after", c->not_after);
	cJSON_AddNumberToObject(o, "days_left", c->days_left);
	cJSON_AddStringToObject(o, "key", c->key);
	cJSON_AddStringToObject(o, "signature_algorithm", c->signature_algorithm);
	cJSON_AddStringToObject(o, "key_usage", c->key_usage);
	cJSON_AddStringToObject(o, "extended_key_usage", c->extended_key_usage);
	cJSON_AddBoolToObject(o, "self_signed", c->self_signed);
	cJSON_AddStringToObject(o, "sha256", c->sha256);
}

/* load.stages: each stage's offered rate and what its calls (those scheduled in it)
 * came to. */
static void stages_json(cJSON *root, const struct scenario *s, const struct result *r)
{
	if (!r->n_stages)
		return;
	cJSON *arr = cJSON_AddArrayToObject(root, "stages");
	double start = 0;
	for (unsigned i = 0; i < r->n_stages; i++) {
		const struct stage_result *g = &r->stages[i];
		struct load_stage def = i < s->n_stages ? s->stages[i] : (struct load_stage){ 0 };
		double len = def.ramp_s + def.duration_s;
		uint64_t ended = g->completed + g->failed;
		cJSON *o = cJSON_CreateObject();
		cJSON_AddNumberToObject(o, "rate", def.rate);
		cJSON_AddNumberToObject(o, "ramp_s", def.ramp_s);
		cJSON_AddNumberToObject(o, "duration_s", def.duration_s);
		cJSON_AddNumberToObject(o, "start_s", start);
		cJSON_AddNumberToObject(o, "end_s", start + len);
		cJSON_AddNumberToObject(o, "started", (double)g->started);
		cJSON_AddNumberToObject(o, "completed", (double)g->completed);
		cJSON_AddNumberToObject(o, "failed", (double)g->failed);
		cJSON_AddNumberToObject(o, "failed_pct", ended ? 100.0 * (double)g->failed / (double)ended : 0);
		cJSON_AddNumberToObject(o, "cps", len > 0 ? (double)g->completed / len : 0);
		cJSON_AddNumberToObject(o, "p99_ms",
					g->invite_to_200.count ? hist_percentile(&g->invite_to_200, 99) / 1000.0 : 0);
		cJSON_AddItemToObject(o, "invite_to_200", latency(&g->invite_to_200));
		cJSON_AddItemToArray(arr, o);
		start += len;
	}
}

/* target.destinations[]: with several destinations, what each one's calls and
 * connections came to. */
static void dests_json(cJSON *target, const struct scenario *s, const struct result *r)
{
	if (!r->n_dests)
		return;
	cJSON_AddStringToObject(target, "distribution", dest_policy_name(s->distribution));
	cJSON *arr = cJSON_AddArrayToObject(target, "destinations");
	for (unsigned i = 0; i < r->n_dests; i++) {
		const struct dest_result *d = &r->dests[i];
		struct scn_dest_view v = scn_dest(s, i);
		uint64_t ended = d->completed + d->failed;
		cJSON *o = cJSON_CreateObject();
		cJSON_AddStringToObject(o, "host", v.host);
		cJSON_AddNumberToObject(o, "port", v.port);
		cJSON_AddStringToObject(o, "server_name", v.server_name);
		if (s->addresses[i][0])
			cJSON_AddStringToObject(o, "address", s->addresses[i]);
		if (s->distribution == DEST_SRV)
			cJSON_AddNumberToObject(o, "priority", v.priority);
		cJSON_AddNumberToObject(o, "weight", v.weight);
		cJSON_AddNumberToObject(o, "calls", (double)d->calls);
		cJSON_AddNumberToObject(o, "completed", (double)d->completed);
		cJSON_AddNumberToObject(o, "failed", (double)d->failed);
		cJSON_AddNumberToObject(o, "failed_pct", ended ? 100.0 * (double)d->failed / (double)ended : 0);
		cJSON *why = cJSON_AddObjectToObject(o, "failures");
		for (unsigned k = 0; k < d->n_reasons; k++)
			cJSON_AddNumberToObject(why, d->reasons[k].name, (double)d->reasons[k].n);
		cJSON_AddNumberToObject(o, "connections_up", (double)d->connections_up);
		cJSON_AddNumberToObject(o, "connect_failures", (double)d->connect_failures);
		cJSON_AddNumberToObject(o, "tls_failures", (double)d->tls_failures);
		cJSON_AddNumberToObject(o, "went_down", (double)d->went_down);
		cJSON_AddNumberToObject(o, "p99_ms", d->invite_to_200.count ?
					hist_percentile(&d->invite_to_200, 99) / 1000.0 : 0);
		cJSON_AddItemToObject(o, "invite_to_200", latency(&d->invite_to_200));
		cJSON_AddItemToArray(arr, o);
	}
}

/* target.resolved[]: with a domain resolved by SRV (RFC 3263), each of its targets as
 * DNS named it and how the calls sent there fared (from target.destinations[]). */
static void resolved_json(cJSON *target, const struct scenario *s)
{
	static const char *const keys[] = { "host", "port", "address", "priority", "weight", "calls",
					    "completed", "failed", "failures", NULL };
	if (!s->resolved_from[0])
		return;
	cJSON_AddStringToObject(target, "resolved_from", s->resolved_from);
	cJSON *arr = cJSON_AddArrayToObject(target, "resolved");
	const cJSON *d;
	cJSON_ArrayForEach(d, cJSON_GetObjectItemCaseSensitive(target, "destinations")) {
		cJSON *o = cJSON_CreateObject();
		for (const char *const *k = keys; *k; k++) {
			const cJSON *v = cJSON_GetObjectItemCaseSensitive(d, *k);
			if (v)
				cJSON_AddItemToObject(o, *k, cJSON_Duplicate(v, true));
		}
		cJSON_AddItemToArray(arr, o);
	}
}

static cJSON *finding_json(const struct finding *f)
{
	cJSON *o = cJSON_CreateObject();
	cJSON_AddStringToObject(o, "code", f->code);
	cJSON_AddStringToObject(o, "severity", finding_severity_name(f->severity));
	cJSON_AddStringToObject(o, "message", f->message);
	return o;
}

/* Whether trunkload itself kept up: its schedule, its loop, its reading. */
/* srtp.mos: the E-model MOS of the streams that received media, and how many of them had
 * each (bins of 0.01 holding a stream). */
static void mos_json(cJSON *srtp, const struct mos_tally *t)
{
	cJSON *o = cJSON_AddObjectToObject(srtp, "mos");
	cJSON_AddNumberToObject(o, "streams", (double)t->streams);
	cJSON_AddNumberToObject(o, "mean", mos_mean(t));
	cJSON_AddNumberToObject(o, "p5", mos_percentile(t, 5));
	cJSON_AddNumberToObject(o, "min", t->min);
	cJSON *bins = cJSON_AddArrayToObject(o, "histogram");
	for (unsigned i = 0; i < MOS_BINS; i++) {
		if (!t->bins[i])
			continue;
		cJSON *b = cJSON_CreateObject();
		cJSON_AddNumberToObject(b, "mos", mos_of_bin(i));
		cJSON_AddNumberToObject(b, "streams", (double)t->bins[i]);
		cJSON_AddItemToArray(bins, b);
	}
}

/* srtp.far_end_reported: what the far end's RTCP receiver reports said of our media. */
static void far_end_json(cJSON *srtp, const struct srtp_far_end *f)
{
	cJSON *o = cJSON_AddObjectToObject(srtp, "far_end_reported");
	cJSON_AddNumberToObject(o, "streams", (double)f->streams);
	cJSON_AddNumberToObject(o, "reports", (double)f->reports);
	cJSON_AddNumberToObject(o, "expected", (double)f->expected);
	cJSON_AddNumberToObject(o, "lost", (double)f->lost);
	cJSON_AddNumberToObject(o, "lost_pct", srtp_far_end_lost_pct(f));
	cJSON_AddNumberToObject(o, "jitter_ms", f->streams ? f->jitter_ms_sum / (double)f->streams : 0);
	cJSON_AddNumberToObject(o, "jitter_ms_max", f->jitter_ms_max);
	cJSON_AddNumberToObject(o, "rtt_samples", (double)f->rtt_samples);
	cJSON_AddNumberToObject(o, "rtt_ms", f->rtt_samples ? f->rtt_ms_sum / (double)f->rtt_samples : 0);
	cJSON_AddNumberToObject(o, "rtt_ms_max", f->rtt_ms_max);
}

static void tester_json(cJSON *root, const struct tester_health *t)
{
	cJSON *o = cJSON_AddObjectToObject(root, "tester");
	cJSON_AddItemToObject(o, "schedule_lag_ms", latency(&t->schedule_lag));
	cJSON *loop = cJSON_AddObjectToObject(o, "loop");
	cJSON_AddNumberToObject(loop, "turns", (double)t->turns);
	cJSON_AddNumberToObject(loop, "over_10ms", (double)t->long_turns);
	cJSON_AddNumberToObject(loop, "worst_ms", ms(t->worst_turn_us));
	cJSON_AddNumberToObject(o, "receive_rearms_enobufs", (double)t->enobufs_rearms);
	cJSON *zw = cJSON_AddObjectToObject(o, "tcp_windows");
	cJSON_AddNumberToObject(zw, "samples", (double)t->tcp_samples);
	cJSON_AddNumberToObject(zw, "zero_ours", (double)t->zero_window_ours);
	cJSON_AddNumberToObject(zw, "zero_far_end", (double)t->zero_window_far_end);
	cJSON_AddNumberToObject(zw, "ours_unknown", (double)t->window_unknown);
	cJSON *cpu = cJSON_AddObjectToObject(o, "cpu");
	cJSON_AddNumberToObject(cpu, "workers", t->workers);
	cJSON_AddNumberToObject(cpu, "seconds", t->cpu_s);
	cJSON_AddNumberToObject(cpu, "wall_seconds", t->wall_s);
	cJSON_AddNumberToObject(cpu, "per_worker_pct", t->wall_s > 0 ? 100 * t->cpu_s / t->wall_s : 0);
	cJSON_AddNumberToObject(cpu, "busiest_worker_pct", t->busiest_worker_pct);
}

static cJSON *build(const struct report *rep)
{
	const struct result *r = rep->res;
	const struct scenario *s = rep->scn;
	cJSON *root = cJSON_CreateObject();
	cJSON_AddStringToObject(root, "tool", "trunkload");
	cJSON_AddStringToObject(root, "version", rep->version);
	cJSON_AddStringToObject(root, "scenario", s->name);
	cJSON_AddStringToObject(root, "scenario_file", s->path);
	char when[32];
	iso_time(when, sizeof(when), rep->started_at);
	cJSON_AddStringToObject(root, "started_at", when);
	/* second 0 of the schedule, to the millisecond: merge aligns shards by it */
	if (r->schedule_wall_s > 0) {
		char sched[32];
		wall_time_format(r->schedule_wall_s, sched, sizeof(sched));
		cJSON_AddStringToObject(root, "schedule_started_at", sched);
	}
	cJSON_AddStringToObject(root, "command", rep->command ? rep->command : "");
	if (rep->shard)
		cJSON_AddStringToObject(root, "shard", rep->shard);
	cJSON_AddNumberToObject(root, "duration_s", r->elapsed_s);
	cJSON_AddBoolToObject(root, "interrupted", r->interrupted);
	if (r->could_not_run)
		cJSON_AddStringToObject(root, "error", r->could_not_run_why);

	cJSON_AddStringToObject(root, "verdict", rep->verdict->pass ? "pass" : "fail");
	cJSON *checks = cJSON_AddArrayToObject(root, "checks");
	for (unsigned i = 0; i < rep->verdict->n_checks; i++) {
		const struct check *c = &rep->verdict->checks[i];
		cJSON *o = cJSON_CreateObject();
		cJSON_AddStringToObject(o, "name", c->name);
		cJSON_AddStringToObject(o, "status", check_status_name(c->status));
		cJSON_AddStringToObject(o, "expected", c->expected);
		cJSON_AddStringToObject(o, "observed", c->observed);
		cJSON_AddItemToArray(checks, o);
	}

	cJSON *target = cJSON_AddObjectToObject(root, "target");
	cJSON_AddStringToObject(target, "host", s->host);
	cJSON_AddNumberToObject(target, "port", s->port);
	cJSON_AddStringToObject(target, "server_name", scn_server_name(s));
	cJSON_AddStringToObject(target, "transport", s->transport == SCN_TLS ? "tls" : "tcp");
	cJSON_AddStringToObject(target, "mode", scn_mode_name(s->mode));
	cJSON_AddNumberToObject(target, "connections", s->connections);
	if (s->source[0])
		cJSON_AddStringToObject(target, "source", s->source);
	dests_json(target, s, r);
	resolved_json(target, s);
	if (s->options_ping_s) {
		const struct trunk_keepalive *k = &r->keepalive;
		cJSON *t = cJSON_AddObjectToObject(root, "trunk");
		cJSON_AddNumberToObject(t, "options_ping_s", s->options_ping_s);
		cJSON_AddNumberToObject(t, "pings", (double)k->pings);
		cJSON_AddNumberToObject(t, "answered", (double)k->answered);
		cJSON_AddNumberToObject(t, "failed", (double)k->failed);
		cJSON *arr = cJSON_AddArrayToObject(t, "out_of_service");
		for (unsigned i = 0; i < k->n_events; i++) {
			const struct oos_event *e = &k->events[i];
			cJSON *o = cJSON_CreateObject();
			cJSON_AddNumberToObject(o, "at_s", e->at_s);
			if (e->back_s >= 0)
				cJSON_AddNumberToObject(o, "back_s", e->back_s);
			else
				cJSON_AddNullToObject(o, "back_s");
			cJSON_AddStringToObject(o, "destination", e->where);
			cJSON_AddNumberToObject(o, "worker", e->worker);
			cJSON_AddNumberToObject(o, "connection", e->trunk);
			cJSON_AddStringToObject(o, "reason", e->reason);
			cJSON_AddItemToArray(arr, o);
		}
		if (k->events_untold)
			cJSON_AddNumberToObject(t, "out_of_service_untold", (double)k->events_untold);
	}

	cJSON *load = cJSON_AddObjectToObject(root, "load");
	cJSON_AddNumberToObject(load, "rate", s->rate);
	cJSON_AddNumberToObject(load, "ramp_s", s->ramp_s);
	cJSON_AddNumberToObject(load, "calls", (double)s->calls);
	cJSON_AddNumberToObject(load, "duration_s", s->duration_s);
	cJSON_AddNumberToObject(load, "max_concurrent", s->max_concurrent);
	if (s->hold_ms)
		cJSON_AddNumberToObject(load, "hold_ms", s->hold_ms);
	if (rep->fd_limit) {
		cJSON *lim = cJSON_AddObjectToObject(root, "limits");
		cJSON_AddNumberToObject(lim, "open_files", (double)rep->fd_limit);
		cJSON_AddNumberToObject(lim, "open_files_needed", (double)rep->fd_needed);
	}

	cJSON *calls = cJSON_AddObjectToObject(root, "calls");
	cJSON_AddNumberToObject(calls, "attempted", (double)r->attempted);
	cJSON_AddNumberToObject(calls, "completed", (double)r->completed);
	cJSON_AddNumberToObject(calls, "failed", (double)r->failed);
	double v;
	verdict_metric(r, "calls.failed_pct", "", &v);
	cJSON_AddNumberToObject(calls, "failed_pct", v);
	verdict_metric(r, "calls.cps", "", &v);
	cJSON_AddNumberToObject(calls, "cps", v);
	cJSON_AddNumberToObject(calls, "max_concurrent", (double)r->max_concurrent);
	cJSON_AddNumberToObject(calls, "concurrency_cap_hits", (double)r->concurrency_cap_hits);
	cJSON *ended = cJSON_AddObjectToObject(calls, "ended_by");
	cJSON_AddNumberToObject(ended, "us", (double)r->ended_by_us);
	cJSON_AddNumberToObject(ended, "far_end", (double)r->ended_by_far_end);
	cJSON *fail = cJSON_AddObjectToObject(calls, "failures");
	for (unsigned i = 0; i < r->n_reasons; i++)
		cJSON_AddNumberToObject(fail, r->reasons[i].name, (double)r->reasons[i].n);
	if (r->by_to_prefix.n) { /* call.numbers: the route patterns that fail stand out */
		struct prefix_stat top[REPORT_PREFIXES];
		unsigned n = prefix_table_top(&r->by_to_prefix, top, REPORT_PREFIXES);
		cJSON *by = cJSON_AddArrayToObject(calls, "by_to_prefix");
		for (unsigned i = 0; i < n; i++) {
			cJSON *e = cJSON_CreateObject();
			cJSON_AddStringToObject(e, "prefix", top[i].prefix);
			cJSON_AddNumberToObject(e, "calls", (double)top[i].calls);
			cJSON_AddNumberToObject(e, "failed", (double)top[i].failed);
			cJSON_AddItemToArray(by, e);
		}
	}

	cJSON *sip = cJSON_AddObjectToObject(root, "sip");
	cJSON_AddNumberToObject(sip, "stray_responses", (double)r->stray_responses);
	cJSON *refreshes = cJSON_AddObjectToObject(sip, "session_refreshes");
	cJSON_AddNumberToObject(refreshes, "us", (double)r->refreshes_by_us);
	cJSON_AddNumberToObject(refreshes, "far_end", (double)r->refreshes_by_far_end);

	cJSON *lat = cJSON_AddObjectToObject(root, "latency_ms");
	for (int i = 0; i < LAT_COUNT; i++)
		cJSON_AddItemToObject(lat, lat_interval_name((enum lat_interval)i), latency(&r->lat[i]));

	stages_json(root, s, r);
	if (r->n_traces || r->traces_dropped) {
		cJSON *arr = cJSON_AddArrayToObject(root, "traces");
		for (unsigned i = 0; i < r->n_traces; i++) {
			char file[160];
			report_trace_file(&r->traces[i], file, sizeof(file));
			cJSON *o = cJSON_CreateObject();
			cJSON_AddStringToObject(o, "call_id", r->traces[i].call_id);
			cJSON_AddStringToObject(o, "reason", r->traces[i].reason);
			cJSON_AddStringToObject(o, "file", file);
			cJSON_AddItemToArray(arr, o);
		}
		cJSON_AddNumberToObject(root, "traces_dropped", (double)r->traces_dropped);
	}
	if (r->pcap.file[0]) {
		cJSON *cap = cJSON_AddObjectToObject(root, "pcap");
		cJSON_AddStringToObject(cap, "file", r->pcap.file);
		cJSON_AddNumberToObject(cap, "packets", (double)r->pcap.packets);
		cJSON_AddNumberToObject(cap, "bytes", (double)r->pcap.bytes);
		cJSON_AddNumberToObject(cap, "dropped", (double)r->pcap.dropped);
		cJSON_AddNumberToObject(cap, "max_bytes", (double)r->pcap.max_bytes);
	}
	if (r->capacity.searched) {
		const struct capacity_found *f = &r->capacity;
		cJSON *cap = cJSON_AddObjectToObject(root, "capacity");
		cJSON_AddStringToObject(cap, "searched", f->concurrent > 0 || f->failed_concurrent > 0 ?
								 "concurrent" : "cps");
		cJSON_AddNumberToObject(cap, "cps", f->cps);
		if (f->concurrent > 0 || f->failed_concurrent > 0)
			cJSON_AddNumberToObject(cap, "concurrent", f->concurrent);
		cJSON_AddNumberToObject(cap, "trials", r->n_stages);
		cJSON_AddBoolToObject(cap, "max_reached", f->max_reached);
		cJSON_AddBoolToObject(cap, "unfinished", f->unfinished);
		if (f->failed_stage) {
			cJSON_AddNumberToObject(cap, "failed_stage", f->failed_stage);
			cJSON_AddNumberToObject(cap, "failed_cps", f->failed_cps);
			if (f->failed_concurrent > 0)
				cJSON_AddNumberToObject(cap, "failed_concurrent", f->failed_concurrent);
			cJSON_AddStringToObject(cap, "threshold", f->threshold);
		}
	}

	cJSON *tls = cJSON_AddObjectToObject(root, "tls");
	cJSON *hs = cJSON_AddObjectToObject(tls, "handshakes");
	cJSON_AddNumberToObject(hs, "ok", (double)r->hs_ok);
	cJSON_AddNumberToObject(hs, "failed", (double)r->hs_failed);
	cJSON_AddNumberToObject(hs, "resumed", (double)r->hs_resumed);
	if (r->first_tls_error[0])
		cJSON_AddStringToObject(tls, "first_error", r->first_tls_error);
	cJSON *outcomes = cJSON_AddObjectToObject(tls, "handshake_outcomes");
	for (int i = 0; i < HS_OUTCOMES; i++)
		if (r->hs_outcome[i])
			cJSON_AddNumberToObject(outcomes, hs_outcome_name((enum hs_outcome)i),
						(double)r->hs_outcome[i]);
	cJSON *alerts = cJSON_AddObjectToObject(tls, "alerts");
	for (unsigned a = 0; a < 256; a++) {
		char key[64];
		if (r->alerts.sent[a]) {
			snprintf(key, sizeof(key), "sent:%s", tls_alert_name(a));
			cJSON_AddNumberToObject(alerts, key, (double)r->alerts.sent[a]);
		}
		if (r->alerts.received[a]) {
			snprintf(key, sizeof(key), "received:%s", tls_alert_name(a));
			cJSON_AddNumberToObject(alerts, key, (double)r->alerts.received[a]);
		}
	}
	/* the same alerts with their numbers, for tools that match on the code */
	cJSON *detail = cJSON_AddArrayToObject(tls, "alert_list");
	for (unsigned a = 0; a < 256; a++) {
		for (int dir = 0; dir < 2; dir++) {
			uint64_t n = dir ? r->alerts.received[a] : r->alerts.sent[a];
			if (!n)
				continue;
			cJSON *o = cJSON_CreateObject();
			cJSON_AddStringToObject(o, "direction", dir ? "received" : "sent");
			cJSON_AddStringToObject(o, "alert", tls_alert_name(a));
			cJSON_AddNumberToObject(o, "code", a);
			cJSON_AddNumberToObject(o, "count", (double)n);
			cJSON_AddItemToArray(detail, o);
		}
	}
	names(tls, "versions", r->versions);
	names(tls, "ciphers", r->ciphers);
	cJSON *hsf = cJSON_AddObjectToObject(tls, "handshake");
	const struct handshake_facts *hf = &r->peer.hs;
	cJSON_AddStringToObject(hsf, "version", hf->version);
	cJSON_AddStringToObject(hsf, "cipher", hf->cipher);
	cJSON_AddStringToObject(hsf, "group", hf->group);
	cJSON_AddBoolToObject(hsf, "resumed", hf->resumed);
	cJSON_AddBoolToObject(hsf, "forward_secrecy", hf->forward_secrecy);
	cJSON_AddBoolToObject(hsf, "certificate_request", hf->cert_request);
	cJSON_AddStringToObject(hsf, "ca_names", hf->ca_names);
	if (hf->verify_error)
		cJSON_AddStringToObject(hsf, "verify_error", hf->verify_text);
	cJSON *peer = cJSON_AddObjectToObject(tls, "peer");
	if (r->peer.n_chain)
		cert_json(peer, &r->peer.chain[0]);
	/* asked of a far end that is a server: good, revoked, unknown, invalid or none */
	if (hf->ocsp[0])
		cJSON_AddStringToObject(peer, "ocsp", hf->ocsp);
	cJSON *chain = cJSON_AddArrayToObject(tls, "chain");
	for (unsigned i = 0; i < r->peer.n_chain; i++) {
		cJSON *o = cJSON_CreateObject();
		cert_json(o, &r->peer.chain[i]);
		cJSON_AddItemToArray(chain, o);
	}
	/* every distinct certificate's findings, one per code, with where it was seen */
	cJSON *findings = cJSON_AddArrayToObject(tls, "findings");
	struct finding_seen all[FINDINGS_MAX];
	unsigned n_all = result_findings(r, all, FINDINGS_MAX);
	for (unsigned i = 0; i < n_all; i++) {
		cJSON *o = finding_json(all[i].f);
		if (all[i].where[0])
			cJSON_AddStringToObject(o, "seen_at", all[i].where);
		cJSON_AddNumberToObject(o, "certificates", all[i].certificates);
		cJSON_AddItemToArray(findings, o);
	}
	cJSON *peers = cJSON_AddArrayToObject(tls, "peers");
	for (unsigned i = 0; i < r->n_peers; i++) {
		const struct peer_seen *ps = &r->peers[i];
		cJSON *o = cJSON_CreateObject();
		if (ps->peer.n_chain)
			cert_json(o, &ps->peer.chain[0]);
		cJSON_AddNumberToObject(o, "handshakes", (double)ps->handshakes);
		cJSON_AddStringToObject(o, "seen_at", ps->where);
		if (ps->peer.hs.ocsp[0])
			cJSON_AddStringToObject(o, "ocsp", ps->peer.hs.ocsp);
		cJSON *pf = cJSON_AddArrayToObject(o, "findings");
		for (unsigned k = 0; k < ps->peer.n_findings; k++)
			cJSON_AddItemToArray(pf, finding_json(&ps->peer.findings[k]));
		cJSON_AddItemToArray(peers, o);
	}
	if (r->peers_untold)
		cJSON_AddNumberToObject(tls, "peers_untold_handshakes", (double)r->peers_untold);

	cJSON *srtp = cJSON_AddObjectToObject(root, "srtp");
	cJSON_AddStringToObject(srtp, "status", r->srtp.n[SRTP_STREAMS] ? "measured" : "no_media");
	cJSON_AddStringToObject(srtp, "suite", r->srtp.suite);
	for (int i = 0; i < SRTP_COUNTERS; i++)
		cJSON_AddNumberToObject(srtp, srtp_counter_name((enum srtp_counter)i),
					i == SRTP_LOST ? (double)(int64_t)r->srtp.n[i] : (double)r->srtp.n[i]);
	verdict_metric(r, "srtp.lost_pct", "", &v);
	cJSON_AddNumberToObject(srtp, "lost_pct", v);
	verdict_metric(r, "srtp.jitter_ms", "", &v);
	cJSON_AddNumberToObject(srtp, "jitter_ms", v);
	cJSON_AddNumberToObject(srtp, "jitter_ms_max", r->srtp.jitter_ms_max);
	mos_json(srtp, &r->srtp.mos);
	far_end_json(srtp, &r->srtp.far_end);
	if (r->keys) {
		cJSON *keys = cJSON_AddArrayToObject(srtp, "keys");
		for (unsigned i = 0; i < r->n_keys; i++) {
			const struct srtp_key_row *k = &r->keys[i];
			cJSON *o = cJSON_CreateObject();
			cJSON_AddStringToObject(o, "call_id", k->call_id);
			cJSON_AddStringToObject(o, "suite", k->suite);
			cJSON_AddStringToObject(o, "tx_inline", k->tx);
			cJSON_AddStringToObject(o, "rx_inline", k->rx);
			cJSON_AddNumberToObject(o, "local_port", k->local_port);
			cJSON_AddStringToObject(o, "remote", k->remote);
			cJSON_AddItemToArray(keys, o);
		}
	}

	cJSON *dtmf = cJSON_AddObjectToObject(root, "dtmf");
	for (int i = 0; i < DTMF_COUNTS; i++)
		cJSON_AddNumberToObject(dtmf, dtmf_count_name((enum dtmf_count)i), (double)r->dtmf[i]);

	tester_json(root, &r->tester);

	cJSON *ts = cJSON_AddArrayToObject(root, "timeseries");
	for (unsigned i = 0; i < r->n_ts; i++) {
		const struct ts_row *row = &r->ts[i];
		cJSON *o = cJSON_CreateObject();
		cJSON_AddNumberToObject(o, "t", i);
		cJSON_AddNumberToObject(o, "started", (double)row->started);
		cJSON_AddNumberToObject(o, "completed", (double)row->completed);
		cJSON_AddNumberToObject(o, "failed", (double)row->failed);
		cJSON_AddNumberToObject(o, "active", (double)row->active);
		cJSON_AddNumberToObject(o, "p99_ms", ms(row->p99_us));
		cJSON_AddNumberToObject(o, "schedule_lag_ms", ms(row->lag_max_us));
		if (s->options_ping_s)
			cJSON_AddNumberToObject(o, "out_of_service", result_out_of_service_in(&r->keepalive, i));
		cJSON_AddItemToArray(ts, o);
	}
	return root;
}

int report_write_json(const char *path, const struct report *rep, char *err, size_t errlen)
{
	cJSON *root = build(rep);
	char *text = root ? cJSON_Print(root) : NULL;
	cJSON_Delete(root);
	if (!text) {
		snprintf(err, errlen, "%s: out of memory", path);
		return -ENOMEM;
	}
	char tmp[4200];
	snprintf(tmp, sizeof(tmp), "%s.tmp", path);
	int rc = 0;
	FILE *f = fopen(tmp, "w");
	if (!f || fputs(text, f) < 0 || fputc('\n', f) < 0 || fflush(f) || fsync(fileno(f))) {
		rc = -errno;
		snprintf(err, errlen, "%s: %s", tmp, strerror(errno));
	}
	if (f && fclose(f) && !rc) {
		rc = -errno;
		snprintf(err, errlen, "%s: %s", tmp, strerror(errno));
	}
	if (!rc && rename(tmp, path)) {
		rc = -errno;
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
	}
	if (rc)
		unlink(tmp);
	free(text);
	return rc;
}
