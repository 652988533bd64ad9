#include "report.h"
#include "net_addr.h"
#include <string.h>

static void lat_line(FILE *f, const char *name, const struct hist *h)
{
	if (!h->count)
		return;
	fprintf(f, "  %-26s %8llu  %9.2f %9.2f %9.2f %9.2f %9.2f\n", name,
		(unsigned long long)h->count, hist_percentile(h, 50) / 1000.0,
		hist_percentile(h, 90) / 1000.0, hist_percentile(h, 99) / 1000.0,
		hist_percentile(h, 99.9) / 1000.0, h->max / 1000.0);
}

/* Whether trunkload itself kept up: read before blaming the far end's latency. */
/* The called-number prefixes that failed most (call.numbers): a route pattern at fault. */
static void prefix_line(FILE *f, const struct result *r)
{
	struct prefix_stat top[5];
	unsigned n = prefix_table_top(&r->by_to_prefix, top, 5);
	if (!n || !top[0].failed)
		return;
	fprintf(f, "failed to ");
	for (unsigned i = 0; i < n && top[i].failed; i++)
		fprintf(f, " %s...=%llu of %llu", top[i].prefix, (unsigned long long)top[i].failed,
			(unsigned long long)top[i].calls);
	fprintf(f, "\n");
}

static void tester_line(FILE *f, const struct tester_health *t)
{
	const struct hist *lag = &t->schedule_lag;
	fprintf(f, "tester     behind schedule p50 %.2f p99 %.2f max %.2f ms  loop turns over 10 ms %llu "
		   "(worst %.1f ms)  zero windows ours %llu far end %llu of %llu samples  busiest worker "
		   "%.0f%% CPU\n",
		hist_percentile(lag, 50) / 1000.0, hist_percentile(lag, 99) / 1000.0, lag->max / 1000.0,
		(unsigned long long)t->long_turns, t->worst_turn_us / 1000.0,
		(unsigned long long)t->zero_window_ours, (unsigned long long)t->zero_window_far_end,
		(unsigned long long)t->tcp_samples, t->busiest_worker_pct);
}

void report_print_text(FILE *f, const struct report *rep)
{
	const struct result *r = rep->res;
	const struct scenario *s = rep->scn;
	double cps = 0, failed_pct = 0;
	verdict_metric(r, "calls.cps", "", &cps);
	verdict_metric(r, "calls.failed_pct", "", &failed_pct);

	char conns[48];
	if (s->expect_handshake == SCN_HS_REJECTED)
		snprintf(conns, sizeof(conns), "negative test: a connection per attempt");
	else if (s->mode == SCN_TRUNK)
		snprintf(conns, sizeof(conns), "trunk of %u connection%s", s->connections,
			 s->connections == 1 ? "" : "s");
	else
		snprintf(conns, sizeof(conns), "%s: a connection per call", scn_mode_name(s->mode));
	char hp[300], more[64] = "";
	if (s->resolved_from[0]) /* a domain: its SRV records named the destinations */
		snprintf(hp, sizeof(hp), "%s:%.255s", s->transport == SCN_TLS ? "sips" : "sip", s->resolved_from);
	else
		tl_hostport_text(s->host, s->port, hp, sizeof(hp));
	if (s->resolved_from[0])
		snprintf(more, sizeof(more), " (%u SRV target%s, target.resolved)", scn_n_dests(s),
			 scn_n_dests(s) == 1 ? "" : "s");
	else if (s->n_dests > 1)
		snprintf(more, sizeof(more), " and more (target.hosts)");
	fprintf(f, "trunkload %s: %s -> %s%s (%s, %s)%s\n", rep->version, s->name, hp, more,
		s->transport == SCN_TLS ? "mutual TLS" : "TCP", conns,
		r->interrupted ? "  [interrupted]" : "");
	if (r->could_not_run)
		fprintf(f, "  could not run: %s\n", r->could_not_run_why);
	fprintf(f, "load       %g calls/s", s->rate);
	if (s->ramp_s > 0)
		fprintf(f, ", ramp %g s from the scenario%s", s->ramp_s,
			s->path[0] ? "" : "'s defaults");
	if (s->calls)
		fprintf(f, ", %llu calls", (unsigned long long)s->calls);
	if (s->duration_s > 0)
		fprintf(f, ", %g s", s->duration_s);
	fprintf(f, "\n");
	if (r->capacity.searched) {
		const struct capacity_found *c = &r->capacity;
		if (c->concurrent > 0)
			fprintf(f, "capacity   %g concurrent calls (%g calls/s) with every check held, over %u "
				"trials", c->concurrent, c->cps, r->n_stages);
		else
			fprintf(f, "capacity   %g calls/s with every check held, over %u trials", c->cps,
				r->n_stages);
		if (c->max_reached)
			fprintf(f, " (the highest tried: the far end holds more)");
		else if (c->failed_stage && c->failed_concurrent > 0)
			fprintf(f, "; trial %u at %g concurrent calls failed %s", c->failed_stage,
				c->failed_concurrent, c->threshold);
		else if (c->failed_stage)
			fprintf(f, "; trial %u at %g calls/s failed %s", c->failed_stage, c->failed_cps,
				c->threshold);
		fputc('\n', f);
	}
	fprintf(f, "calls      attempted %llu  completed %llu  failed %llu (%.2f%%)  %.1f calls/s over %.1f s  max concurrent %llu\n",
		(unsigned long long)r->attempted, (unsigned long long)r->completed,
		(unsigned long long)r->failed, failed_pct, cps, r->elapsed_s,
		(unsigned long long)r->max_concurrent);
	if (r->ended_by_far_end)
		fprintf(f, "ended by   us %llu  the far end %llu\n", (unsigned long long)r->ended_by_us,
			(unsigned long long)r->ended_by_far_end);
	if (r->refreshes_by_us || r->refreshes_by_far_end)
		fprintf(f, "refreshes  by us %llu  by the far end %llu (session timers)\n",
			(unsigned long long)r->refreshes_by_us, (unsigned long long)r->refreshes_by_far_end);
	if (r->n_reasons) {
		fprintf(f, "failures  ");
		for (unsigned i = 0; i < r->n_reasons; i++)
			fprintf(f, " %s=%llu", r->reasons[i].name, (unsigned long long)r->reasons[i].n);
		fprintf(f, "\n");
	}
	prefix_line(f, r);
	for (unsigned i = 0; i < r->n_dests; i++) {
		const struct dest_result *d = &r->dests[i];
		struct scn_dest_view v = scn_dest(s, i);
		char hp[300];
		fprintf(f, "%s %s  calls %llu  completed %llu  failed %llu", i ? "          " : "dest      ",
			tl_hostport_text(v.host, v.port, hp, sizeof(hp)), (unsigned long long)d->calls, (unsigned long long)d->completed,
			(unsigned long long)d->failed);
		for (unsigned k = 0; k < d->n_reasons; k++)
			fprintf(f, "%s%s=%llu", k ? " " : " (", d->reasons[k].name,
				(unsigned long long)d->reasons[k].n);
		fprintf(f, "%s  p99 %.2f ms", d->n_reasons ? ")" : "",
			hist_percentile(&d->invite_to_200, 99) / 1000.0);
		if (d->went_down)
			fprintf(f, "  went down %llu time%s", (unsigned long long)d->went_down,
				d->went_down == 1 ? "" : "s");
		fputc('\n', f);
	}
	if (s->options_ping_s) {
		const struct trunk_keepalive *k = &r->keepalive;
		fprintf(f, "trunk      OPTIONS every %u s: %llu sent, %llu answered, %llu failed; out of service %u "
			"time%s\n", s->options_ping_s, (unsigned long long)k->pings,
			(unsigned long long)k->answered, (unsigned long long)k->failed, k->n_events,
			k->n_events == 1 ? "" : "s");
		for (unsigned i = 0; i < k->n_events; i++) {
			const struct oos_event *e = &k->events[i];
			fprintf(f, "           %s (connection %u) out at %.1f s (%s), ", e->where, e->trunk,
				e->at_s, e->reason);
			if (e->back_s >= 0)
				fprintf(f, "back at %.1f s\n", e->back_s);
			else
				fprintf(f, "still out at the end\n");
		}
	}
	/* the header's columns are the lines' columns: "  %-26s" is 28 wide */
	fprintf(f, "%-28s %8s  %9s %9s %9s %9s %9s\n", "latency ms", "count", "p50", "p90", "p99",
		"p99.9", "max");
	for (int i = 0; i < LAT_COUNT; i++)
		lat_line(f, lat_interval_name((enum lat_interval)i), &r->lat[i]);
	tester_line(f, &r->tester);
	if (s->transport == SCN_TLS) {
		fprintf(f, "tls        handshakes ok %llu (resumed %llu) failed %llu",
			(unsigned long long)r->hs_ok, (unsigned long long)r->hs_resumed,
			(unsigned long long)r->hs_failed);
		for (int i = 0; i < RESULT_MAX_NAMES && r->versions[i].name[0]; i++)
			fprintf(f, "  %s", r->versions[i].name);
		for (int i = 0; i < RESULT_MAX_NAMES && r->ciphers[i].name[0]; i++)
			fprintf(f, "  %s", r->ciphers[i].name);
		fprintf(f, "\n");
		if (r->first_tls_error[0])
			fprintf(f, "           first error: %s\n", r->first_tls_error);
		if (r->peer.n_chain) {
			const struct cert_facts *p = &r->peer.chain[0];
			/* whole days left, as `pki show` counts them */
			fprintf(f, "peer       %s  issuer %s  %s  expires %s (%ld days left)\n", p->subject,
				p->issuer, p->key, p->not_after, (long)p->days_left);
		}
		if (r->n_peers > 1)
			fprintf(f, "           %u distinct certificates presented%s\n", r->n_peers,
				r->peers_untold ? " (and more, not kept)" : "");
		struct finding_seen all[FINDINGS_MAX];
		unsigned n_all = result_findings(r, all, FINDINGS_MAX);
		for (unsigned i = 0; i < n_all; i++)
			fprintf(f, "finding    %-7s %-20s %s%s%s%s\n",
				finding_severity_name(all[i].f->severity), all[i].f->code,
				all[i].f->message, all[i].where[0] ? " (from " : "", all[i].where,
				all[i].where[0] ? ")" : "");
	}
	const uint64_t *n = r->srtp.n;
	if (n[SRTP_STREAMS]) {
		double lost_pct = 0, jitter = 0;
		verdict_metric(r, "srtp.lost_pct", "", &lost_pct);
		verdict_metric(r, "srtp.jitter_ms", "", &jitter);
		fprintf(f, "srtp       %s  streams %llu  sent %llu  received %llu  auth failures %llu  "
			   "replays %llu  lost %lld (%.3f%%)  jitter %.2f ms (max %.2f)\n",
			r->srtp.suite, (unsigned long long)n[SRTP_STREAMS],
			(unsigned long long)n[SRTP_PACKETS_SENT], (unsigned long long)n[SRTP_PACKETS_RECEIVED],
			(unsigned long long)n[SRTP_AUTH_FAILURES], (unsigned long long)n[SRTP_REPLAY_FAILURES],
			(long long)(int64_t)n[SRTP_LOST], lost_pct, jitter, r->srtp.jitter_ms_max);
		const struct mos_tally *m = &r->srtp.mos;
		if (m->streams)
			fprintf(f, "           MOS mean %.2f  p5 %.2f  min %.2f (E-model, %llu streams)\n",
				mos_mean(m), mos_percentile(m, 5), m->min, (unsigned long long)m->streams);
		const struct srtp_far_end *fe = &r->srtp.far_end;
		if (fe->reports)
			fprintf(f, "           far end reported: lost %lld of %llu (%.3f%%)  jitter %.2f ms "
				   "(max %.2f)  round trip %.2f ms (max %.2f, %llu samples)\n",
				(long long)fe->lost, (unsigned long long)fe->expected,
				srtp_far_end_lost_pct(fe), fe->streams ? fe->jitter_ms_sum / (double)fe->streams : 0,
				fe->jitter_ms_max, fe->rtt_samples ? fe->rtt_ms_sum / (double)fe->rtt_samples : 0,
				fe->rtt_ms_max, (unsigned long long)fe->rtt_samples);
	}
	const uint64_t *dt = r->dtmf;
	if (dt[DTMF_COUNT_SENT] || dt[DTMF_COUNT_RECEIVED] || dt[DTMF_COUNT_CHECKED])
		fprintf(f, "dtmf       digits sent %llu  received %llu  checked %llu  mismatched %llu\n",
			(unsigned long long)dt[DTMF_COUNT_SENT], (unsigned long long)dt[DTMF_COUNT_RECEIVED],
			(unsigned long long)dt[DTMF_COUNT_CHECKED],
			(unsigned long long)dt[DTMF_COUNT_MISMATCHED]);
	if (r->pcap.file[0]) {
		fprintf(f, "pcap       %s: %llu packets, %.1f MB", r->pcap.file,
			(unsigned long long)r->pcap.packets, (double)r->pcap.bytes / 1e6);
		if (r->pcap.dropped)
			fprintf(f, "; %llu more left out past --pcap-max-mb",
				(unsigned long long)r->pcap.dropped);
		fprintf(f, "\n");
	}
	fprintf(f, "checks\n");
	for (unsigned i = 0; i < rep->verdict->n_checks; i++) {
		const struct check *c = &rep->verdict->checks[i];
		fprintf(f, "  %-4s %-34s expected %s, observed %s\n", check_status_name(c->status),
			c->name, c->expected, c->observed);
	}
	fprintf(f, "verdict    %s\n", rep->verdict->pass ? "PASS" : "FAIL");
}
