/* trunkload against a real third-party SIP peer: SIPp's built-in uas scenario over
 * plain TCP on loopback (Debian builds SIPp without TLS). Both sides must count every
 * call as successful: trunkload in report.json, SIPp in its exit status (0: all calls
 * successful) and in its statistics file. The run's --pcap and --trace hold SIPp's own
 * answers (its To tags say "SIPpTag"), as tshark and the trace files show. */
#include "proc.h"
#include "tl_test.h"
#include <cjson/cJSON.h>
#include <errno.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>

#define RUN_TIMEOUT_MS 60000
#define SIPP_EXIT_MS 15000

/* One load against SIPp. */
struct sipp_case {
	const char *name;
	int calls;
	const char *rate;
};

static const struct sipp_case runs[] = {
	{ "one_call", 1, "10" },
	{ "twenty_calls", 20, "50" },
};

/* The start of field i of a ';'-separated line, or NULL. SIPp writes empty fields,
 * which strtok would merge, so this counts separators itself. */
static const char *field(const char *line, long i)
{
	for (; line && i > 0; i--) {
		line = strpbrk(line, ";\n");
		line = line && *line == ';' ? line + 1 : NULL;
	}
	return line;
}

/* The number in column `name` of the last row of SIPp's statistics file (a header
 * row, then one row per dump), or -1. */
static long stat_counter(const char *file, const char *name)
{
	char *text = proc_read_file(file);
	if (!text)
		return -1;
	const char *last = NULL;
	for (char *nl = strchr(text, '\n'); nl && nl[1]; nl = strchr(nl + 1, '\n'))
		last = nl + 1;
	long value = -1;
	size_t len = strlen(name);
	for (long i = 0; last; i++) {
		const char *f = field(text, i);
		if (!f || *f == '\n')
			break;
		if (!strncmp(f, name, len) && (f[len] == ';' || f[len] == '\n')) {
			const char *v = field(last, i);
			char *end;
			value = v ? strtol(v, &end, 10) : -1;
			if (!v || end == v || (*end != ';' && *end != '\n' && *end))
				value = -1;
			break;
		}
	}
	free(text);
	return value;
}

/* The run's capture and traces against SIPp: tshark lists each call's INVITE, SIPp's 200
 * (its To tag) and the BYE; the first calls' traces hold SIPp's answers as received. */
static void check_evidence(const struct sipp_case *c, const char *report, const char *dir,
			   const char *pcap)
{
	if (proc_have("tshark")) {
		static const struct {
			const char *what, *filter;
		} each[] = {
			{ "INVITE", "sip.Method == \"INVITE\"" },
			{ "200 from SIPp", "sip.Status-Code == 200 && sip.CSeq.method == \"INVITE\" && "
					   "sip.to.tag contains \"SIPpTag\"" },
			{ "ACK", "sip.Method == \"ACK\"" },
			{ "BYE", "sip.Method == \"BYE\"" },
		};
		for (size_t i = 0; i < sizeof(each) / sizeof(each[0]); i++) {
			int n = proc_tshark_count(pcap, each[i].filter);
			CHECK(n == c->calls, "%s: tshark -r --pcap lists %d %s (got %d)", c->name, c->calls,
			      each[i].what, n);
		}
	} else {
		fprintf(stderr, "\nSKIPPED %s: the capture's check needs tshark\n", c->name);
	}
	cJSON *root = proc_load_json(report);
	const cJSON *traces = cJSON_GetObjectItemCaseSensitive(root, "traces"), *t;
	int want = c->calls < 3 ? c->calls : 3;
	CHECK(cJSON_GetArraySize(traces) == want, "%s: --trace all:3 keeps %d traces (got %d)", c->name,
	      want, cJSON_GetArraySize(traces));
	cJSON_ArrayForEach(t, traces) {
		const cJSON *file = cJSON_GetObjectItemCaseSensitive(t, "file");
		char path[900];
		snprintf(path, sizeof(path), "%s/%s", dir, cJSON_IsString(file) ? file->valuestring : "?");
		char *text = proc_read_file(path);
		CHECK(text && strstr(text, "SIP/2.0 200 OK") && strstr(text, "SIPpTag") &&
			      strstr(text, "--- received +"),
		      "%s: %s holds SIPp's 200 as received", c->name, path);
		free(text);
	}
	cJSON_Delete(root);
}

static void run_against_sipp(const struct sipp_case *c)
{
	proc_cleanup_all();
	uint16_t port = proc_free_port();
	CU_ASSERT_FATAL(port != 0);
	char log[512], stats[512], out[512], dir[512], report[600], name[128], pcap[512];
	snprintf(name, sizeof(name), "%s-sipp.log", c->name);
	proc_path(log, sizeof(log), name);
	snprintf(name, sizeof(name), "%s-sipp.csv", c->name);
	proc_path(stats, sizeof(stats), name);
	snprintf(name, sizeof(name), "%s.out", c->name);
	proc_path(out, sizeof(out), name);
	proc_path(dir, sizeof(dir), c->name);
	snprintf(report, sizeof(report), "%s/report.json", dir);
	snprintf(name, sizeof(name), "%s.pcap", c->name);
	proc_path(pcap, sizeof(pcap), name);

	/* everything SIPp opens (SIP, media, control) stays on 127.0.0.1; -timeout is
	 * its own last resort should no call ever arrive */
	struct proc_args s = { 0 };
	args_add(&s, "sipp");
	args_add(&s, "-sn");
	args_add(&s, "uas");
	CU_ASSERT_FATAL(args_sipp_loopback(&s, port) == 0);
	args_add(&s, "-m");
	args_add(&s, "%d", c->calls);
	args_add(&s, "-timeout");
	args_add(&s, "30s");
	args_add(&s, "-nostdin");
	args_add(&s, "-trace_stat");
	args_add(&s, "-stf");
	args_add(&s, "%s", stats);
	pid_t sipp = proc_spawn(s.v, log, false);
	CU_ASSERT_FATAL(sipp > 0);
	int rc = proc_wait_port(sipp, port, 10000);
	if (rc)
		proc_show_log("sipp", log, 3000);
	CHECK(rc == 0, "sipp listens on 127.0.0.1:%u (%s)", port, strerror(-rc));
	CU_ASSERT_FATAL(rc == 0);

	struct proc_args a = { 0 };
	args_add(&a, "%s", TL_BINARY);
	args_add(&a, "run");
	args_add(&a, "%s/tests/integration/fixtures/sipp-call.json", TL_SOURCE_DIR);
	args_add(&a, "--transport");
	args_add(&a, "tcp");
	args_add(&a, "--target");
	args_add(&a, "127.0.0.1:%u", port);
	args_add(&a, "--calls");
	args_add(&a, "%d", c->calls);
	args_add(&a, "--rate");
	args_add(&a, "%s", c->rate);
	args_add(&a, "--report-dir");
	args_add(&a, "%s", dir);
	args_add_list(&a, (const char *const[]){ "--quiet", "--trace", "all:3", "--pcap", pcap, NULL });
	int run_rc = proc_run(a.v, out, NULL, RUN_TIMEOUT_MS, NULL);
	CHECK(run_rc == 0, "%s: trunkload run exits 0 (got %d)", c->name, run_rc);
	const struct proc_expect want[] = {
		EXPECT_EQ("calls.completed", c->calls),
		EXPECT_EQ("calls.failed", 0),
		EXPECT_STR("verdict", "pass"),
		EXPECT_EQ("latency_ms.invite_to_200.count", c->calls),
		/* the tester's own health against a far end it did not write */
		EXPECT_EQ("tester.schedule_lag_ms.count", c->calls),
		EXPECT_GE("tester.loop.turns", 1),
		EXPECT_EQ("tester.tcp_windows.zero_ours", 0),
		{ 0 },
	};
	int bad = proc_expect_json(report, want);
	char status[16] = "", observed[300] = "";
	proc_report_check(report, "tester.schedule_lag", status, sizeof(status), observed, sizeof(observed));
	/* a warning is the machine's (a VM that lost the CPU for tens of ms), not SIPp's */
	CHECK(!strcmp(status, "pass") || !strcmp(status, "warn"),
	      "%s: tester.schedule_lag does not fail against SIPp (%s: %s)", c->name, status, observed);
	if (c->calls >= 20) { /* long enough for the windows to be sampled (every 100 ms) */
		double samples = 0;
		proc_json_number(report, "tester.tcp_windows.samples", &samples);
		CHECK(samples >= 1, "%s: the trunk's TCP windows were sampled (%.0f times)", c->name, samples);
	}

	check_evidence(c, report, dir, pcap);

	/* SIPp ends by itself once -m calls are done */
	int sipp_rc = proc_wait(sipp, SIPP_EXIT_MS);
	if (sipp_rc == -ETIMEDOUT)
		proc_stop(sipp, SIGTERM, 3000);
	CHECK(sipp_rc == 0, "%s: sipp exits 0, all its calls successful (got %d)", c->name, sipp_rc);
	long ok = stat_counter(stats, "SuccessfulCall(C)");
	long failed = stat_counter(stats, "FailedCall(C)");
	CHECK(ok == c->calls, "%s: sipp's SuccessfulCall(C) == %d (got %ld)", c->name, c->calls, ok);
	CHECK(failed == 0, "%s: sipp's FailedCall(C) == 0 (got %ld)", c->name, failed);
	if (run_rc || bad || sipp_rc || ok != c->calls || failed) {
		proc_show_log("trunkload run", out, 3000);
		proc_show_log("sipp", log, 3000);
	}
	proc_cleanup_all();
}

static void one_call(void)
{
	run_against_sipp(&runs[0]);
}

static void twenty_calls(void)
{
	run_against_sipp(&runs[1]);
}

static const struct tl_case cases[] = {
	{ "one_call", one_call },
	{ "twenty_calls", twenty_calls },
};

int main(void)
{
	if (!proc_have("sipp")) {
		fprintf(stderr, "test_sipp: SKIPPED: sipp is not installed (Debian package sip-tester)\n");
		return 77;
	}
	if (!proc_tmpdir()) {
		perror("test_sipp: mkdtemp");
		return 1;
	}
	return tl_run("sipp", TL_CASES(cases));
}
