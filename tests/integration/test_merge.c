/* trunkload merge with the real binary: three shard runs at the same time against one
 * responder, merged; the merged report must be the exact sum of the three (counts,
 * histogram buckets, time series rows), with percentiles taken from the merged
 * buckets. A damaged shard report is refused (2) naming the file and the key, and the
 * scenario's thresholds are judged again on the merged calls (1). */
#include "proc.h"
#include "tl_test.h"
#include "hist.h"
#include <cjson/cJSON.h>
#include <errno.h>
#include <math.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define SHARDS 3
#define RUN_TIMEOUT_MS 60000

static char pki[512];
static char shard_report[SHARDS][600]; /* filled by the first case, read by the others */
static bool shards_ran;

static cJSON *load_json(const char *path)
{
	char *text = proc_read_file(path);
	cJSON *j = text ? cJSON_Parse(text) : NULL;
	free(text);
	return j;
}

/* The number at a dotted path of a parsed report, NAN when it is not there. */
static double num(const cJSON *root, const char *dotted)
{
	char buf[200];
	snprintf(buf, sizeof(buf), "%s", dotted);
	const cJSON *j = root;
	for (char *save = NULL, *k = strtok_r(buf, ".", &save); k && j; k = strtok_r(NULL, ".", &save))
		j = cJSON_GetObjectItemCaseSensitive(j, k);
	return cJSON_IsNumber(j) ? j->valuedouble : NAN;
}

static const cJSON *at(const cJSON *root, const char *a, const char *b)
{
	return cJSON_GetObjectItemCaseSensitive(cJSON_GetObjectItemCaseSensitive(root, a), b);
}

/* Adds a report's invite_to_200 buckets into h (count, max and buckets). */
static void add_buckets(struct hist *h, const cJSON *root)
{
	const cJSON *lat = cJSON_GetObjectItemCaseSensitive(at(root, "latency_ms", "invite_to_200"),
							    "buckets");
	const cJSON *row;
	cJSON_ArrayForEach(row, lat) {
		uint64_t low = (uint64_t)cJSON_GetArrayItem(row, 0)->valuedouble;
		uint64_t n = (uint64_t)cJSON_GetArrayItem(row, 2)->valuedouble;
		h->buckets[hist_bucket_of(low)] += n;
		h->count += n;
	}
	uint64_t max = (uint64_t)llround(num(root, "latency_ms.invite_to_200.max") * 1000);
	if (max > h->max)
		h->max = max;
}

static bool help_mentions_shard(void)
{
	char out[512];
	proc_path(out, sizeof(out), "run-help.out");
	char *argv[] = { (char *)TL_BINARY, (char *)"run", (char *)"--help", NULL };
	if (proc_run(argv, out, NULL, 10000, NULL) != 0)
		return false;
	char *text = proc_read_file(out);
	bool yes = text && strstr(text, "--shard");
	free(text);
	return yes;
}

/* `trunkload merge FILES... --report-dir DIR --quiet`: its exit status; stderr in err. */
static int merge(char *const *files, unsigned n, const char *dir, const char *err)
{
	char out[600];
	snprintf(out, sizeof(out), "%s.out", dir);
	struct proc_args a = { 0 };
	args_add(&a, "%s", TL_BINARY);
	args_add(&a, "merge");
	for (unsigned i = 0; i < n; i++)
		args_add(&a, "%s", files[i]);
	args_add(&a, "--report-dir");
	args_add(&a, "%s", dir);
	args_add(&a, "--quiet");
	return proc_run(a.v, out, err, RUN_TIMEOUT_MS, NULL);
}

/* schedule_started_at ("2026-12-06T22:40:00.003Z") in seconds since the epoch, NAN
 * when missing. */
static double schedule_start(const cJSON *report)
{
	const cJSON *j = cJSON_GetObjectItemCaseSensitive(report, "schedule_started_at");
	struct tm tm = { 0 };
	unsigned ms = 0;
	const char *end = cJSON_IsString(j) ? strptime(j->valuestring, "%Y-%m-%dT%H:%M:%S", &tm) : NULL;
	if (!end || sscanf(end, ".%3uZ", &ms) != 1)
		return NAN;
	return (double)timegm(&tm) + ms / 1000.0;
}

/* Three shards against one responder, launched stagger_ms apart, with one --start-at
 * start_in_s seconds after the first launch (0: none), merged. */
static void shards_merge(const char *tag, int stagger_ms, double start_in_s)
{
	proc_cleanup_all();
	char log[512];
	uint16_t port;
	proc_path(log, sizeof(log), "uas.log");
	pid_t uas = lab_uas(pki, "server", NULL, log, &port);
	CHECK(uas > 0, "trunkload uas starts (%s)", strerror(uas < 0 ? (int)-uas : 0));
	CU_ASSERT_FATAL(uas > 0);
	bool shard_flag = help_mentions_shard();

	/* as a batch system starts them: all at once, or one after the other */
	pid_t run[SHARDS];
	struct timespec now;
	clock_gettime(CLOCK_REALTIME, &now);
	double start_at = now.tv_sec + now.tv_nsec / 1e9 + start_in_s;
	char out[SHARDS][600];
	for (unsigned i = 0; i < SHARDS; i++) {
		char dir[512], name[32];
		snprintf(name, sizeof(name), "%s-%u", tag, i);
		proc_path(dir, sizeof(dir), name);
		snprintf(shard_report[i], sizeof(shard_report[i]), "%s/report.json", dir);
		snprintf(out[i], sizeof(out[i]), "%s.out", dir);
		struct proc_args a = { 0 };
		args_add(&a, "%s", TL_BINARY);
		args_add(&a, "run");
		args_add(&a, "%s/scenarios/basic-call.json", TL_SOURCE_DIR);
		args_add(&a, "--target");
		args_add(&a, "127.0.0.1:%u", port);
		args_identity(&a, pki, "client");
		args_add(&a, "--ca");
		args_add(&a, "%s/ca.crt", pki);
		static const char *const load[] = { "--calls", "30", "--rate", "30", "--media-ms", "0",
						    "--threads", "1", "--quiet", NULL };
		args_add_list(&a, load);
		args_add(&a, "--report-dir");
		args_add(&a, "%s", dir);
		if (shard_flag) {
			args_add(&a, "--shard");
			args_add(&a, "%u/%u", i, SHARDS);
		}
		if (start_in_s > 0) {
			args_add(&a, "--start-at");
			args_add(&a, "%.3f", start_at);
		}
		if (i && stagger_ms)
			proc_nap_ms(stagger_ms);
		run[i] = proc_spawn(a.v, out[i], false);
		CHECK(run[i] > 0, "shard %u starts", i);
	}
	for (unsigned i = 0; i < SHARDS; i++) {
		int rc = run[i] > 0 ? proc_wait(run[i], RUN_TIMEOUT_MS) : -1;
		CHECK(rc == 0, "shard %u exits 0 (got %d)", i, rc);
		if (rc)
			proc_show_log("trunkload run", out[i], 2000);
	}
	proc_stop(uas, SIGTERM, 3000);

	char mdir[512], merr[600], mreport[600], mname[64];
	snprintf(mname, sizeof(mname), "%s-merged", tag);
	proc_path(mdir, sizeof(mdir), mname);
	snprintf(merr, sizeof(merr), "%s.err", mdir);
	snprintf(mreport, sizeof(mreport), "%s/report.json", mdir);
	char *files[SHARDS] = { shard_report[0], shard_report[1], shard_report[2] };
	int rc = merge(files, SHARDS, mdir, merr);
	CHECK(rc == 0, "trunkload merge of three shard reports exits 0 (got %d)", rc);
	if (rc)
		proc_show_log("trunkload merge", merr, 2000);

	cJSON *shard[SHARDS], *m = load_json(mreport);
	for (unsigned i = 0; i < SHARDS; i++)
		shard[i] = load_json(shard_report[i]);
	CU_ASSERT_FATAL(m && shard[0] && shard[1] && shard[2]);
	shards_ran = true;

	static const char *const sums[] = {
		"calls.attempted", "calls.completed", "calls.failed", "latency_ms.invite_to_200.count",
		"latency_ms.tls_handshake.count", "tls.handshakes.ok",
	};
	for (size_t k = 0; k < sizeof(sums) / sizeof(sums[0]); k++) {
		double want = 0;
		for (unsigned i = 0; i < SHARDS; i++)
			want += num(shard[i], sums[k]);
		CHECK(num(m, sums[k]) == want, "merged %s is the shards' sum %g (got %g)", sums[k],
		      want, num(m, sums[k]));
	}
	CHECK(num(m, "calls.completed") == 30, "the three shards completed 30 calls in all (got %g)",
	      num(m, "calls.completed"));
	double cps = 0;
	for (unsigned i = 0; i < SHARDS; i++)
		cps += num(shard[i], "calls.cps");
	CHECK(fabs(num(m, "calls.cps") - cps) <= 1e-9 * cps, "merged calls.cps is the shards' sum %g (got %g)",
	      cps, num(m, "calls.cps"));

	/* buckets add one by one, and the percentiles come from the merged buckets */
	static struct hist want, got;
	hist_init(&want);
	hist_init(&got);
	for (unsigned i = 0; i < SHARDS; i++)
		add_buckets(&want, shard[i]);
	add_buckets(&got, m);
	CHECK(got.count == 30, "merged histogram holds 30 values (got %llu)",
	      (unsigned long long)got.count);
	CHECK(memcmp(want.buckets, got.buckets, sizeof(want.buckets)) == 0,
	      "each merged bucket is the sum of the shards' buckets");
	static const struct { const char *key; double p; } pcts[] = {
		{ "latency_ms.invite_to_200.p50", 50 }, { "latency_ms.invite_to_200.p90", 90 },
		{ "latency_ms.invite_to_200.p99", 99 }, { "latency_ms.invite_to_200.max", 100 },
	};
	for (size_t k = 0; k < sizeof(pcts) / sizeof(pcts[0]); k++) {
		double w = (double)hist_percentile(&want, pcts[k].p) / 1000.0;
		CHECK(num(m, pcts[k].key) == w, "merged %s is %g, from the summed buckets (got %g)",
		      pcts[k].key, w, num(m, pcts[k].key));
	}

	/* when each shard's second 0 was: with one --start-at, within 10 ms of each other */
	double first = NAN, last = NAN, sched[SHARDS];
	for (unsigned i = 0; i < SHARDS; i++) {
		sched[i] = schedule_start(shard[i]);
		CHECK(!isnan(sched[i]), "shard %u's report has schedule_started_at", i);
		first = isnan(first) || sched[i] < first ? sched[i] : first;
		last = isnan(last) || sched[i] > last ? sched[i] : last;
	}
	if (start_in_s > 0) {
		CHECK(last - first <= 0.010, "the shards' schedules started within 10 ms (%.3f s apart)",
		      last - first);
		CHECK(fabs(first - start_at) <= 0.010, "at the --start-at time (%.3f s off)",
		      first - start_at);
	}
	/* time series: each wall-clock second's counts are the sum of the shards' rows for
	 * it (a shard whose second 0 came later has its rows later) */
	int offset[SHARDS];
	for (unsigned i = 0; i < SHARDS; i++)
		offset[i] = isnan(sched[i]) ? 0 : (int)lround(sched[i] - first);
	static const char *const cols[] = { "started", "completed", "failed", "active" };
	const cJSON *mts = cJSON_GetObjectItemCaseSensitive(m, "timeseries");
	int rows = cJSON_GetArraySize(mts);
	CHECK(rows >= 1, "the merged report has time series rows (got %d)", rows);
	for (unsigned i = 0; i < SHARDS; i++) {
		int n = cJSON_GetArraySize(cJSON_GetObjectItemCaseSensitive(shard[i], "timeseries"));
		CHECK(n + offset[i] <= rows, "merged rows (%d) cover shard %u's (%d from row %d)", rows,
		      i, n, offset[i]);
	}
	for (int t = 0; t < rows; t++) {
		const cJSON *row = cJSON_GetArrayItem(mts, t);
		CHECK(num(row, "t") == t, "merged row %d has t %d (got %g)", t, t, num(row, "t"));
		for (size_t c = 0; c < 4; c++) {
			double sum = 0;
			for (unsigned i = 0; i < SHARDS; i++) {
				const cJSON *ts = cJSON_GetObjectItemCaseSensitive(shard[i], "timeseries");
				const cJSON *r = t >= offset[i] ? cJSON_GetArrayItem(ts, t - offset[i]) : NULL;
				if (r)
					sum += num(r, cols[c]);
			}
			CHECK(num(row, cols[c]) == sum, "timeseries[%d].%s is the shards' sum %g (got %g)",
			      t, cols[c], sum, num(row, cols[c]));
		}
	}
	const cJSON *verdict = cJSON_GetObjectItemCaseSensitive(m, "verdict");
	CHECK(cJSON_IsString(verdict) && !strcmp(verdict->valuestring, "pass"),
	      "merged verdict is pass (got %s)", cJSON_IsString(verdict) ? verdict->valuestring : "none");
	const cJSON *name = cJSON_GetObjectItemCaseSensitive(m, "scenario");
	CHECK(cJSON_IsString(name) && !strcmp(name->valuestring, "basic-call"),
	      "merged scenario is basic-call");
	for (unsigned i = 0; i < SHARDS; i++)
		cJSON_Delete(shard[i]);
	cJSON_Delete(m);
	proc_cleanup_all();
}

/* all three at once, as an Indexed Job starts its pods */
static void three_shards_merge_exactly(void)
{
	shards_merge("shard", 0, 0);
}

/* launched a second apart, with one --start-at 4 s after the first launch */
static void three_shards_start_together(void)
{
	shards_merge("together", 1000, 4.0);
}

/* Edits of the first shard's report, and what merge must then say. */
static void completed_text(cJSON *r)
{
	cJSON_ReplaceItemInObjectCaseSensitive(cJSON_GetObjectItemCaseSensitive(r, "calls"), "completed",
					       cJSON_CreateString("10"));
}

static void bucket_shifted(cJSON *r)
{
	cJSON *b = cJSON_GetObjectItemCaseSensitive(at(r, "latency_ms", "invite_to_200"), "buckets");
	cJSON *low = cJSON_GetArrayItem(cJSON_GetArrayItem(b, 0), 0);
	cJSON_SetNumberValue(low, low->valuedouble + 1);
}

static void one_more_failed(cJSON *r)
{
	cJSON *f = cJSON_GetObjectItemCaseSensitive(cJSON_GetObjectItemCaseSensitive(r, "calls"), "failed");
	cJSON_SetNumberValue(f, f->valuedouble + 1);
}

static const struct edit {
	const char *name;
	void (*edit)(cJSON *);   /* NULL: the text is cut in half instead */
	int want_exit;
	const char *says;        /* on stderr, after the file's name */
	const char *check;       /* a failed check in the merged report */
} edits[] = {
	{ "completed_as_text", completed_text, 2, "calls.completed: expected a number", NULL },
	{ "bucket_off_geometry", bucket_shifted, 2, "latency_ms.invite_to_200.buckets[0]", NULL },
	{ "cut_in_half", NULL, 2, "not JSON", NULL },
	/* basic-call.json allows no failed call: judged again on the merged counts */
	{ "failed_call_fails_the_merge", one_more_failed, 1, NULL, "calls.failed_pct" },
};

static void edited_report(const struct edit *e)
{
	proc_cleanup_all();
	CU_ASSERT_FATAL(shards_ran);
	char path[512], name[96], dir[512], err[600], report[600];
	snprintf(name, sizeof(name), "edited-%s.json", e->name);
	proc_path(path, sizeof(path), name);
	snprintf(name, sizeof(name), "merged-%s", e->name);
	proc_path(dir, sizeof(dir), name);
	snprintf(err, sizeof(err), "%s.err", dir);
	snprintf(report, sizeof(report), "%s/report.json", dir);
	char *text = proc_read_file(shard_report[0]);
	CU_ASSERT_FATAL(text != NULL);
	if (e->edit) {
		cJSON *j = cJSON_Parse(text);
		CU_ASSERT_FATAL(j != NULL);
		e->edit(j);
		free(text);
		text = cJSON_Print(j);
		cJSON_Delete(j);
	} else {
		text[strlen(text) / 2] = 0;
	}
	FILE *f = fopen(path, "w");
	CU_ASSERT_FATAL(f != NULL);
	fputs(text, f);
	fclose(f);
	free(text);
	char *files[SHARDS] = { path, shard_report[1], shard_report[2] };
	int rc = merge(files, SHARDS, dir, err);
	CHECK(rc == e->want_exit, "%s: merge exits %d (got %d)", e->name, e->want_exit, rc);
	char *msg = proc_read_file(err);
	if (e->says) {
		char want[700];
		snprintf(want, sizeof(want), "%s: %s", path, e->says);
		CHECK(msg && strstr(msg, want), "%s: stderr says \"%s\" (got: %.300s)", e->name, want,
		      msg ? msg : "(nothing)");
	}
	if (e->check) {
		cJSON *m = load_json(report);
		const cJSON *c, *checks = cJSON_GetObjectItemCaseSensitive(m, "checks");
		bool failed = false;
		cJSON_ArrayForEach(c, checks) {
			const cJSON *n = cJSON_GetObjectItemCaseSensitive(c, "name");
			const cJSON *s = cJSON_GetObjectItemCaseSensitive(c, "status");
			failed |= cJSON_IsString(n) && !strcmp(n->valuestring, e->check) &&
				  cJSON_IsString(s) && !strcmp(s->valuestring, "fail");
		}
		CHECK(failed, "%s: the merged report's check %s fails", e->name, e->check);
		cJSON_Delete(m);
	}
	free(msg);
}

#define EDIT(i) \
	static void edit_##i(void) { edited_report(&edits[i]); }
EDIT(0)
EDIT(1)
EDIT(2)
EDIT(3)

/* The same report twice would count its calls twice: refused. */
static void same_report_twice(void)
{
	CU_ASSERT_FATAL(shards_ran);
	char dir[512], err[600];
	proc_path(dir, sizeof(dir), "merged-twice");
	snprintf(err, sizeof(err), "%s.err", dir);
	char *files[2] = { shard_report[0], shard_report[0] };
	int rc = merge(files, 2, dir, err);
	char *msg = proc_read_file(err);
	CHECK(rc == 2, "merge of one report twice exits 2 (got %d)", rc);
	CHECK(msg && strstr(msg, "counted twice"), "stderr says it would be counted twice (got: %.300s)",
	      msg ? msg : "(nothing)");
	free(msg);
}

static const struct tl_case cases[] = {
	{ "three_shards_merge_exactly", three_shards_merge_exactly },
	{ "three_shards_start_together", three_shards_start_together },
	{ "completed_as_text_refused", edit_0 },
	{ "bucket_off_geometry_refused", edit_1 },
	{ "cut_report_refused", edit_2 },
	{ "failed_call_fails_the_merge", edit_3 },
	{ "same_report_twice_refused", same_report_twice },
};

int main(void)
{
	if (!proc_tmpdir()) {
		perror("test_merge: mkdtemp");
		return 1;
	}
	if (lab_pki("pki", pki, sizeof(pki)))
		return 1;
	return tl_run("merge", TL_CASES(cases));
}
