/* report_read_json: a report written by report_write_json reads back into the same
 * result (exactly for everything that merges), merging read reports equals merging
 * the results they came from, and damaged or foreign files are refused naming the
 * key. */
#include "tl_test.h"
#include "report.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static char dir[64];

static const char *tmp_file(char *out, size_t cap, const char *name)
{
	if (!dir[0]) {
		snprintf(dir, sizeof(dir), "/tmp/test_report_read.XXXXXX");
		if (!mkdtemp(dir))
			dir[0] = 0;
	}
	snprintf(out, cap, "%s/%s", dir, name);
	return out;
}

static uint64_t rng_next(uint64_t *s)
{
	uint64_t z = (*s += 0x9e3779b97f4a7c15ull); /* splitmix64 */
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
	return z ^ (z >> 31);
}

/* A result as a run would leave it, with every part the reader restores; seed
 * makes two of them differ. */
static void make_result(struct result *r, uint64_t seed)
{
	result_init(r);
	uint64_t s = seed;
	r->attempted = 1000 + seed;
	r->completed = 990 + seed;
	r->failed = 10;
	r->max_concurrent = 40 + seed;
	r->concurrency_cap_hits = seed;
	for (int i = 0; i < 3; i++)
		result_fail(r, "timeout_200");
	for (uint64_t i = 0; i < seed + 1; i++)
		result_fail(r, seed & 1 ? "status_486" : "tls_rejected");
	for (int i = 0; i < LAT_COUNT; i++) {
		if (i == LAT_INVITE_TO_180)
			continue; /* one interval left empty */
		for (int k = 0; k < 3000; k++) {
			uint64_t v = rng_next(&s);
			/* mostly milliseconds, a long tail, now and then 0 or past the range */
			uint64_t us = k % 500 == 0 ? 0 : k % 777 == 0 ? (1ull << 37) + seed :
				      (v % 50000) << (v >> 60);
			hist_record(&r->lat[i], us);
		}
	}
	r->srtp.n[SRTP_STREAMS] = 2 * r->completed;
	for (int i = 1; i < SRTP_COUNTERS; i++)
		r->srtp.n[i] = 7 * (uint64_t)i + seed;
	r->srtp.jitter_ms_sum = 3.375 * (double)r->srtp.n[SRTP_STREAMS_RECEIVING];
	r->srtp.jitter_ms_max = 11.5 + (double)seed;
	r->srtp.n[SRTP_LOST] = (uint64_t)-(int64_t)(3 + seed); /* RFC 3550: may be negative */
	for (unsigned k = 0; k < 40 + seed; k++)
		mos_add(&r->srtp.mos, 4.41 - 0.05 * (k % 30));
	r->srtp.far_end = (struct srtp_far_end){ .streams = 3, .reports = 9 + seed, .expected = 3000,
						 .lost = -2 - (int64_t)seed, .jitter_ms_sum = 3 * 0.25,
						 .jitter_ms_max = 0.5, .rtt_samples = 6, .rtt_ms_sum = 6 * 0.125,
						 .rtt_ms_max = 0.375 };
	snprintf(r->srtp.suite, sizeof(r->srtp.suite), "AES_CM_128_HMAC_SHA1_80");
	r->hs_ok = 4;
	r->hs_failed = seed;
	r->hs_outcome[HS_ACCEPTED] = 4;
	r->hs_outcome[HS_REFUSED_ALERT] = seed;
	r->alerts.sent[42] = 2;
	r->alerts.received[48] = 1 + seed;
	r->alerts.received[200] = 1; /* a code without a name: only its number tells */
	result_name_add(r->versions, "TLSv1.3", 3);
	result_name_add(r->versions, "TLSv1.2", 1);
	result_name_add(r->ciphers, "TLS_AES_128_GCM_SHA256", 4);
	snprintf(r->first_tls_error, sizeof(r->first_tls_error), "certificate verify failed");
	r->peer.seen = true;
	r->peer.n_chain = 1;
	struct cert_facts *c = &r->peer.chain[0];
	snprintf(c->subject_cn, sizeof(c->subject_cn), "uas.trunkload.test");
	snprintf(c->san, sizeof(c->san), "DNS:uas.trunkload.test");
	snprintf(c->issuer, sizeof(c->issuer), "CN=trunkload lab CA");
	snprintf(c->key, sizeof(c->key), "EC-256");
	c->key_bits = 256;
	c->days_left = 364.5;
	r->peer.n_findings = 1;
	snprintf(r->peer.findings[0].code, sizeof(r->peer.findings[0].code), "self_signed");
	r->peer.findings[0].severity = FINDING_WARNING;
	snprintf(r->peer.hs.version, sizeof(r->peer.hs.version), "TLSv1.3");
	/* two distinct certificates: one every shard saw (byte 0x11), one its own */
	for (unsigned i = 0; i < 2; i++) {
		unsigned char key[PEER_KEY_LEN];
		memset(key, i ? (int)(0x20 + seed) : 0x11, sizeof(key));
		struct peer_seen *p = result_peer_add(r, key);
		CU_ASSERT_FATAL(p != NULL);
		p->handshakes = 3 + i;
		snprintf(p->where, sizeof(p->where), "127.0.0.%u:5061", 2 + i);
		p->peer.seen = true;
		p->peer.n_chain = 1;
		struct cert_facts *pc = &p->peer.chain[0];
		snprintf(pc->subject_cn, sizeof(pc->subject_cn), "node%u.example.com", i);
		snprintf(pc->serial, sizeof(pc->serial), "%02X", (unsigned)key[0]);
		for (unsigned b = 0; b < PEER_KEY_LEN; b++)
			snprintf(pc->sha256 + 3 * b, sizeof(pc->sha256) - 3 * b, "%02X%s",
				 (unsigned)key[b], b + 1 < PEER_KEY_LEN ? ":" : "");
		if (i) {
			p->peer.n_findings = 1;
			snprintf(p->peer.findings[0].code, sizeof(p->peer.findings[0].code), "expired");
			p->peer.findings[0].severity = FINDING_ERROR;
		}
	}
	CU_ASSERT_FATAL(result_keys_reserve(r, 4) == 0);
	r->n_keys = 2;
	for (unsigned i = 0; i < 2; i++) {
		struct srtp_key_row *k = &r->keys[i];
		memset(k, 0, sizeof(*k));
		snprintf(k->call_id, sizeof(k->call_id), "call-%u-%llu", i, (unsigned long long)seed);
		snprintf(k->tx, sizeof(k->tx), "tx%u", i);
		k->local_port = (uint16_t)(20000 + 2 * i);
	}
	for (unsigned t = 0; t < 5 + seed; t++) {
		struct ts_row *row = result_ts_row(r, t);
		CU_ASSERT_FATAL(row != NULL);
		row->started = 100 + t;
		row->completed = 99 + t + seed;
		row->failed = t;
		row->active = 3 * t;
		row->p99_us = 12345 + 1000 * t + seed;
		row->lag_max_us = t == 2 ? 25000 + seed : 0;
	}
	struct tester_health *th = &r->tester;
	for (int k = 0; k < 500; k++)
		hist_record(&th->schedule_lag, k % 50 ? 100 + (uint64_t)k : 40000 + seed);
	th->turns = 5000 + seed;
	th->long_turns = 3 + seed;
	th->worst_turn_us = 31000 + seed;
	th->enobufs_rearms = 2 + seed;
	th->tcp_samples = 400 + seed;
	th->zero_window_ours = 1 + seed;
	th->zero_window_far_end = 5 + seed;
	th->window_unknown = seed;
	th->workers = 2;
	th->cpu_s = 1.5 + (double)seed;
	th->wall_s = 20.25;
	th->busiest_worker_pct = 40.5 + (double)seed;
	CU_ASSERT_FATAL(result_dests_reserve(r, 2) == 0); /* a trunk of two destinations */
	for (unsigned i = 0; i < 2; i++) {
		struct dest_result *d = &r->dests[i];
		d->calls = 500 + seed + i;
		d->completed = 495 + seed;
		d->failed = 5 + i;
		d->connections_up = 2 + i;
		d->connect_failures = seed;
		d->tls_failures = i;
		d->went_down = seed + i;
		reason_table_add(d->reasons, &d->n_reasons, DEST_MAX_REASONS, "timeout_200", 4 + i);
		reason_table_add(d->reasons, &d->n_reasons, DEST_MAX_REASONS, "connection_lost", 1);
		for (uint64_t k = 0; k < 100; k++)
			hist_record(&d->invite_to_200, 100 * k + seed * 7 + i);
	}
	r->elapsed_s = 10.25 + (double)seed;
	r->steady_completed = 900;
	r->steady_window_s = 9.0 + (double)seed;
	r->interrupted = seed == 1;
}

/* Writes r as report.json under name; returns the path in out. */
static const char *write_report(char *out, size_t cap, const char *name, const struct result *r)
{
	static struct scenario scn;
	static struct verdict v;
	scenario_default(&scn);
	verdict_judge(&scn, r, &v);
	struct report rep = { .scn = &scn, .res = r, .verdict = &v, .command = "trunkload run",
			      .started_at = 1700000000, .version = "test" };
	char err[300] = "";
	tmp_file(out, cap, name);
	int rc = report_write_json(out, &rep, err, sizeof(err));
	if (rc)
		fprintf(stderr, "\nreport_write_json: %s\n", err);
	CU_ASSERT_FATAL(rc == 0);
	return out;
}

static double metric(const struct result *r, const char *name)
{
	double v = -1;
	verdict_metric(r, name, "", &v);
	return v;
}

static bool near(double a, double b)
{
	return fabs(a - b) <= 1e-9 * fmax(1, fmax(fabs(a), fabs(b)));
}

/* Histograms that must give identical reports: buckets, count, min, max and every
 * percentile; the sum is as near as the report's whole-microsecond mean allows. */
static void same_hist(const struct hist *a, const struct hist *b, int interval)
{
	static const double pcts[] = { 50, 90, 99, 99.9, 100 };
	CU_ASSERT_EQUAL(a->count, b->count);
	CU_ASSERT_EQUAL(a->min, b->min);
	CU_ASSERT_EQUAL(a->max, b->max);
	CU_ASSERT(memcmp(a->buckets, b->buckets, sizeof(a->buckets)) == 0);
	uint64_t lo = a->sum < b->sum ? a->sum : b->sum, hi = a->sum ^ b->sum ^ lo;
	CU_ASSERT(hi - lo <= a->count);
	for (size_t i = 0; i < sizeof(pcts) / sizeof(pcts[0]); i++)
		if (hist_percentile(a, pcts[i]) != hist_percentile(b, pcts[i])) {
			fprintf(stderr, "\n%s p%g: %llu vs %llu\n", lat_interval_name((enum lat_interval)interval),
				pcts[i], (unsigned long long)hist_percentile(a, pcts[i]),
				(unsigned long long)hist_percentile(b, pcts[i]));
			CU_FAIL("percentiles differ");
		}
}

static void same_ts(const struct result *a, const struct result *b)
{
	CU_ASSERT_EQUAL_FATAL(a->n_ts, b->n_ts);
	for (unsigned t = 0; t < a->n_ts; t++) {
		CU_ASSERT_EQUAL(a->ts[t].started, b->ts[t].started);
		CU_ASSERT_EQUAL(a->ts[t].completed, b->ts[t].completed);
		CU_ASSERT_EQUAL(a->ts[t].failed, b->ts[t].failed);
		CU_ASSERT_EQUAL(a->ts[t].active, b->ts[t].active);
		CU_ASSERT_EQUAL(a->ts[t].p99_us, b->ts[t].p99_us);
		CU_ASSERT_EQUAL(a->ts[t].lag_max_us, b->ts[t].lag_max_us);
	}
}

/* What `merge` needs of two results to be the same: every counter and table. */
static void same_counts(const struct result *a, const struct result *b)
{
	CU_ASSERT_EQUAL(a->attempted, b->attempted);
	CU_ASSERT_EQUAL(a->completed, b->completed);
	CU_ASSERT_EQUAL(a->failed, b->failed);
	CU_ASSERT_EQUAL(a->max_concurrent, b->max_concurrent);
	CU_ASSERT_EQUAL(a->concurrency_cap_hits, b->concurrency_cap_hits);
	CU_ASSERT_EQUAL_FATAL(a->n_reasons, b->n_reasons);
	for (unsigned i = 0; i < a->n_reasons; i++) {
		CU_ASSERT_STRING_EQUAL(a->reasons[i].name, b->reasons[i].name);
		CU_ASSERT_EQUAL(a->reasons[i].n, b->reasons[i].n);
	}
	for (int i = 0; i < LAT_COUNT; i++)
		same_hist(&a->lat[i], &b->lat[i], i);
	CU_ASSERT(memcmp(a->srtp.n, b->srtp.n, sizeof(a->srtp.n)) == 0);
	CU_ASSERT_STRING_EQUAL(a->srtp.suite, b->srtp.suite);
	CU_ASSERT(near(metric(a, "srtp.jitter_ms"), metric(b, "srtp.jitter_ms")));
	CU_ASSERT(a->srtp.jitter_ms_max == b->srtp.jitter_ms_max);
	CU_ASSERT_EQUAL(a->srtp.mos.streams, b->srtp.mos.streams);
	CU_ASSERT(memcmp(a->srtp.mos.bins, b->srtp.mos.bins, sizeof(a->srtp.mos.bins)) == 0);
	CU_ASSERT(near(a->srtp.mos.sum, b->srtp.mos.sum) && a->srtp.mos.min == b->srtp.mos.min);
	const struct srtp_far_end *fa = &a->srtp.far_end, *fb = &b->srtp.far_end;
	CU_ASSERT(fa->streams == fb->streams && fa->reports == fb->reports && fa->expected == fb->expected &&
		  fa->lost == fb->lost && fa->rtt_samples == fb->rtt_samples);
	CU_ASSERT(near(fa->jitter_ms_sum, fb->jitter_ms_sum) && fa->jitter_ms_max == fb->jitter_ms_max);
	CU_ASSERT(near(fa->rtt_ms_sum, fb->rtt_ms_sum) && fa->rtt_ms_max == fb->rtt_ms_max);
	CU_ASSERT_EQUAL(a->hs_ok, b->hs_ok);
	CU_ASSERT_EQUAL(a->hs_failed, b->hs_failed);
	CU_ASSERT(memcmp(a->hs_outcome, b->hs_outcome, sizeof(a->hs_outcome)) == 0);
	CU_ASSERT(memcmp(&a->alerts, &b->alerts, sizeof(a->alerts)) == 0);
	for (int i = 0; i < RESULT_MAX_NAMES; i++) {
		CU_ASSERT_STRING_EQUAL(a->versions[i].name, b->versions[i].name);
		CU_ASSERT_EQUAL(a->versions[i].n, b->versions[i].n);
		CU_ASSERT_STRING_EQUAL(a->ciphers[i].name, b->ciphers[i].name);
		CU_ASSERT_EQUAL(a->ciphers[i].n, b->ciphers[i].n);
	}
	same_ts(a, b);
	const struct tester_health *ta = &a->tester, *tb = &b->tester;
	same_hist(&ta->schedule_lag, &tb->schedule_lag, LAT_COUNT); /* named "?" */
	CU_ASSERT_EQUAL(ta->turns, tb->turns);
	CU_ASSERT_EQUAL(ta->long_turns, tb->long_turns);
	CU_ASSERT_EQUAL(ta->worst_turn_us, tb->worst_turn_us);
	CU_ASSERT_EQUAL(ta->enobufs_rearms, tb->enobufs_rearms);
	CU_ASSERT_EQUAL(ta->tcp_samples, tb->tcp_samples);
	CU_ASSERT_EQUAL(ta->zero_window_ours, tb->zero_window_ours);
	CU_ASSERT_EQUAL(ta->zero_window_far_end, tb->zero_window_far_end);
	CU_ASSERT_EQUAL(ta->window_unknown, tb->window_unknown);
	CU_ASSERT_EQUAL(ta->workers, tb->workers);
	CU_ASSERT(near(ta->cpu_s, tb->cpu_s) && near(ta->wall_s, tb->wall_s));
	CU_ASSERT(ta->busiest_worker_pct == tb->busiest_worker_pct);
	CU_ASSERT(a->elapsed_s == b->elapsed_s);
	CU_ASSERT(a->interrupted == b->interrupted);
	CU_ASSERT_EQUAL_FATAL(a->n_dests, b->n_dests);
	for (unsigned i = 0; i < a->n_dests; i++) {
		const struct dest_result *da = &a->dests[i], *db = &b->dests[i];
		CU_ASSERT(da->calls == db->calls && da->completed == db->completed &&
			  da->failed == db->failed && da->connections_up == db->connections_up &&
			  da->connect_failures == db->connect_failures &&
			  da->tls_failures == db->tls_failures && da->went_down == db->went_down);
		CU_ASSERT_EQUAL_FATAL(da->n_reasons, db->n_reasons);
		for (unsigned k = 0; k < da->n_reasons; k++)
			CU_ASSERT(!strcmp(da->reasons[k].name, db->reasons[k].name) &&
				  da->reasons[k].n == db->reasons[k].n);
		same_hist(&da->invite_to_200, &db->invite_to_200, LAT_INVITE_TO_200);
	}
}

static void round_trip(void)
{
	static struct result orig, back;
	char path[200], err[300] = "";
	make_result(&orig, 1);
	write_report(path, sizeof(path), "round-trip.json", &orig);
	result_init(&back);
	int rc = report_read_json(path, &back, err, sizeof(err));
	if (rc)
		fprintf(stderr, "\n%s\n", err);
	CU_ASSERT_FATAL(rc == 0);
	same_counts(&orig, &back);
	CU_ASSERT(near(metric(&orig, "calls.cps"), metric(&back, "calls.cps")));
	CU_ASSERT_STRING_EQUAL(orig.first_tls_error, back.first_tls_error);
	CU_ASSERT(back.peer.seen);
	CU_ASSERT_EQUAL(back.peer.n_chain, 1);
	CU_ASSERT_STRING_EQUAL(back.peer.chain[0].subject_cn, "uas.trunkload.test");
	CU_ASSERT_EQUAL(back.peer.chain[0].key_bits, 256);
	CU_ASSERT(back.peer.chain[0].days_left == 364.5);
	/* tls.findings holds every certificate's: the first's, then the other's expired */
	CU_ASSERT_EQUAL(back.peer.n_findings, 2);
	CU_ASSERT_STRING_EQUAL(back.peer.findings[0].code, "self_signed");
	CU_ASSERT_EQUAL(back.peer.findings[0].severity, FINDING_WARNING);
	CU_ASSERT_STRING_EQUAL(back.peer.hs.version, "TLSv1.3");
	CU_ASSERT_EQUAL_FATAL(back.n_peers, 2);
	CU_ASSERT_EQUAL(memcmp(back.peers[1].key, orig.peers[1].key, PEER_KEY_LEN), 0);
	CU_ASSERT_EQUAL(back.peers[1].handshakes, 4);
	CU_ASSERT_STRING_EQUAL(back.peers[1].where, "127.0.0.3:5061");
	CU_ASSERT_STRING_EQUAL(back.peers[1].peer.findings[0].code, "expired");
	CU_ASSERT_EQUAL_FATAL(back.n_keys, 2);
	CU_ASSERT_STRING_EQUAL(back.keys[1].call_id, "call-1-1");
	CU_ASSERT_EQUAL(back.keys[1].local_port, 20002);

	/* read back and written again: the very same report, percentiles and all */
	char again[200];
	write_report(again, sizeof(again), "round-trip-again.json", &back);
	char *a = NULL, *b = NULL;
	size_t na = 0, nb = 0;
	FILE *f = fopen(path, "r"), *g = fopen(again, "r");
	CU_ASSERT_FATAL(f && g);
	CU_ASSERT(getdelim(&a, &na, 0, f) > 0 && getdelim(&b, &nb, 0, g) > 0);
	CU_ASSERT(a && b && !strcmp(a, b));
	fclose(f);
	fclose(g);
	free(a);
	free(b);
	result_free(&orig);
	result_free(&back);
}

/* Two shards: merging what their reports say is merging what they measured. */
static void merge_of_reads(void)
{
	static struct result a, b, ra, rb, want, got;
	char pa[200], pb[200], err[300] = "";
	make_result(&a, 2);
	make_result(&b, 5);
	write_report(pa, sizeof(pa), "shard-a.json", &a);
	write_report(pb, sizeof(pb), "shard-b.json", &b);
	result_init(&ra);
	result_init(&rb);
	CU_ASSERT_FATAL(report_read_json(pa, &ra, err, sizeof(err)) == 0);
	CU_ASSERT_FATAL(report_read_json(pb, &rb, err, sizeof(err)) == 0);
	result_init(&want);
	result_init(&got);
	result_merge(&want, &a);
	result_merge(&want, &b);
	result_merge(&got, &ra);
	result_merge(&got, &rb);
	same_counts(&want, &got);
	/* the shards' buckets add: a bucket of the merge is the sum of theirs */
	const struct hist *h = &got.lat[LAT_INVITE_TO_200];
	for (size_t i = 0; i < HIST_BUCKETS; i++)
		CU_ASSERT_EQUAL(h->buckets[i], a.lat[LAT_INVITE_TO_200].buckets[i] +
						       b.lat[LAT_INVITE_TO_200].buckets[i]);
	CU_ASSERT_EQUAL(got.n_ts, 10);
	CU_ASSERT_EQUAL(got.ts[0].started, 200);
	CU_ASSERT_EQUAL(got.ts[7].started, 107); /* only the longer shard had second 7 */
	CU_ASSERT_EQUAL(got.n_keys, 4);
	/* the certificate both shards saw is one, its handshakes added; each own one stays */
	CU_ASSERT_EQUAL_FATAL(got.n_peers, 3);
	CU_ASSERT_EQUAL(got.peers[0].handshakes, 6);
	CU_ASSERT_EQUAL(got.peers[1].handshakes, 4);
	CU_ASSERT_EQUAL(got.peers[2].handshakes, 4);
	struct result *all[] = { &a, &b, &ra, &rb, &want, &got };
	for (size_t i = 0; i < 6; i++)
		result_free(all[i]);
}

/* Reports of another version: what is not there is 0, what is unknown is skipped. */
static void missing_and_unknown_keys(void)
{
	static const struct {
		const char *json;
		uint64_t completed, count_200, rows;
	} cases[] = {
		{ "{\"tool\": \"trunkload\"}", 0, 0, 0 },
		{ "{\"tool\": \"trunkload\", \"calls\": {\"completed\": 3, \"future\": {\"x\": [1]}},"
		  " \"latency_ms\": {\"invite_to_200\": {\"buckets\": [[300, 301, 2], [0, 0, 1]]},"
		  " \"invite_to_900\": 5}, \"timeseries\": [{\"t\": 2}], \"new\": null}", 3, 3, 3 },
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		static struct result r;
		char path[200], err[300] = "";
		tmp_file(path, sizeof(path), "older.json");
		FILE *f = fopen(path, "w");
		CU_ASSERT_FATAL(f != NULL);
		fputs(cases[i].json, f);
		fclose(f);
		result_init(&r);
		int rc = report_read_json(path, &r, err, sizeof(err));
		CU_ASSERT_EQUAL(rc, 0);
		if (rc)
			fprintf(stderr, "\ncase %zu: %s\n", i, err);
		CU_ASSERT_EQUAL(r.completed, cases[i].completed);
		CU_ASSERT_EQUAL(r.attempted, 0);
		CU_ASSERT_EQUAL(r.lat[LAT_INVITE_TO_200].count, cases[i].count_200);
		CU_ASSERT_EQUAL(r.n_ts, cases[i].rows);
		result_free(&r);
	}
}

static const struct {
	const char *name, *json;
	int rc;
	const char *says; /* in the message, after the file's name */
} bad_cases[] = {
	{ "not JSON", "{\"tool\": \"trunkload\",\n \"calls\": {", -EBADMSG, "not JSON (parse error at line 2" },
	{ "not a report", "{\"name\": \"basic-call\", \"load\": {}}", -EBADMSG, "not a trunkload report" },
	{ "an array", "[1, 2]", -EBADMSG, "not a trunkload report" },
	{ "completed a string", "{\"tool\": \"trunkload\", \"calls\": {\"completed\": \"12\"}}",
	  -EBADMSG, "calls.completed: expected a number, got a string" },
	{ "calls an array", "{\"tool\": \"trunkload\", \"calls\": []}", -EBADMSG,
	  "calls: expected an object" },
	{ "half a call", "{\"tool\": \"trunkload\", \"calls\": {\"failed\": 1.5}}", -EBADMSG,
	  "calls.failed: expected a whole number" },
	{ "negative count", "{\"tool\": \"trunkload\", \"calls\": {\"attempted\": -1}}", -EBADMSG,
	  "calls.attempted: expected a whole number" },
	{ "reason count a string",
	  "{\"tool\": \"trunkload\", \"calls\": {\"failures\": {\"timeout_200\": \"3\"}}}", -EBADMSG,
	  "calls.failures.timeout_200: expected a number" },
	{ "bucket of another geometry",
	  "{\"tool\": \"trunkload\", \"latency_ms\": {\"invite_to_200\": {\"count\": 1,"
	  " \"buckets\": [[301, 302, 1]]}}}", -EBADMSG,
	  "latency_ms.invite_to_200.buckets[0]: [301, 302] is not a bucket of this build's histogram" },
	{ "bucket of another width",
	  "{\"tool\": \"trunkload\", \"latency_ms\": {\"tls_handshake\": {\"count\": 2,"
	  " \"buckets\": [[0, 0, 1], [300, 303, 1]]}}}", -EBADMSG,
	  "latency_ms.tls_handshake.buckets[1]: [300, 303] is not a bucket" },
	{ "bucket row too short",
	  "{\"tool\": \"trunkload\", \"latency_ms\": {\"bye_to_200\": {\"buckets\": [[300, 301]]}}}",
	  -EBADMSG, "latency_ms.bye_to_200.buckets[0]: expected [low_us, high_us, count]" },
	{ "count not the buckets' sum",
	  "{\"tool\": \"trunkload\", \"latency_ms\": {\"invite_to_200\": {\"count\": 5,"
	  " \"buckets\": [[300, 301, 1]]}}}", -EBADMSG,
	  "latency_ms.invite_to_200.count: 5, but its buckets hold 1" },
	{ "unknown alert name", "{\"tool\": \"trunkload\", \"tls\": {\"alerts\": {\"sent:nope\": 1}}}",
	  -EBADMSG, "tls.alerts.sent:nope: expected sent:NAME or received:NAME" },
	{ "srtp counter a boolean", "{\"tool\": \"trunkload\", \"srtp\": {\"lost\": true}}", -EBADMSG,
	  "srtp.lost: expected a number, got a boolean" },
	{ "timeseries an object", "{\"tool\": \"trunkload\", \"timeseries\": {}}", -EBADMSG,
	  "timeseries: expected an array" },
	{ "timeseries cell a string",
	  "{\"tool\": \"trunkload\", \"timeseries\": [{\"t\": 0}, {\"t\": 1, \"started\": \"x\"}]}",
	  -EBADMSG, "timeseries[1].started: expected a number" },
	{ "duration negative", "{\"tool\": \"trunkload\", \"duration_s\": -3}", -EBADMSG,
	  "duration_s: expected a number >= 0" },
};

static void bad_reports_refused(void)
{
	for (size_t i = 0; i < sizeof(bad_cases) / sizeof(bad_cases[0]); i++) {
		static struct result r;
		char path[200], err[300] = "", want[400];
		tmp_file(path, sizeof(path), "bad.json");
		FILE *f = fopen(path, "w");
		CU_ASSERT_FATAL(f != NULL);
		fputs(bad_cases[i].json, f);
		fclose(f);
		result_init(&r);
		r.attempted = 7; /* left as it was on an error */
		int rc = report_read_json(path, &r, err, sizeof(err));
		snprintf(want, sizeof(want), "%s: %s", path, bad_cases[i].says);
		if (rc != bad_cases[i].rc || strncmp(err, want, strlen(want))) {
			fprintf(stderr, "\n%s: rc %d, err \"%s\"; wanted %d, \"%s...\"\n", bad_cases[i].name,
				rc, err, bad_cases[i].rc, want);
			CU_FAIL("bad report not refused as expected");
		}
		CU_ASSERT_EQUAL(r.attempted, 7);
		result_free(&r);
	}
}

static void missing_file(void)
{
	static struct result r;
	char path[200], err[300] = "";
	tmp_file(path, sizeof(path), "no-such-report.json");
	result_init(&r);
	CU_ASSERT_EQUAL(report_read_json(path, &r, err, sizeof(err)), -ENOENT);
	CU_ASSERT(strstr(err, path) == err);
	result_free(&r);
}

static const struct tl_case cases[] = {
	{ "round_trip", round_trip },
	{ "merge_of_reads_is_merge_of_results", merge_of_reads },
	{ "missing_and_unknown_keys", missing_and_unknown_keys },
	{ "bad_reports_refused", bad_reports_refused },
	{ "missing_file", missing_file },
};

int main(void)
{
	int rc = tl_run("report_read", TL_CASES(cases));
	const char *names[] = { "round-trip.json", "round-trip-again.json", "shard-a.json",
				"shard-b.json", "older.json", "bad.json" };
	char path[200];
	for (size_t i = 0; dir[0] && i < sizeof(names) / sizeof(names[0]); i++)
		unlink(tmp_file(path, sizeof(path), names[i]));
	if (dir[0])
		rmdir(dir);
	return rc;
}
