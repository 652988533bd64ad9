/* run --find-capacity against far ends with a known capacity: trunkload uas with
 * answer.max_cps 400 (503 above it), and Kamailio whose ratelimit module refuses INVITEs
 * beyond 300 a second. The search finds each knee within 10 %, reports its trials as
 * stages (the HTML charts them) and exits 0; a first rate already over the capacity
 * finds none and exits 1. --find-capacity concurrent finds trunkload uas's limit of 200
 * calls in progress (answer.max_calls) within 10 %. */
#include "kamailio_proc.h"
#include "proc.h"
#include "tl_test.h"
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#define FIXTURES TL_SOURCE_DIR "/tests/integration/fixtures/kamailio"
#define TIMEOUT_MS 120000
#define UAS_CPS 400
#define KAM_CPS 300
#define UAS_CALLS 200

static char pki[512];
static const char *kam_binary;
static char kam_mod_dir[512];

/* A search from `from` with 2 s trials and short pauses; extra flags after. Returns the
 * exit status, the report's path in report. */
static int search(const char *tag, const char *const *extra, double from, char *report, size_t cap)
{
	char dir[512], out[600];
	proc_path(dir, sizeof(dir), tag);
	snprintf(out, sizeof(out), "%s.out", dir);
	snprintf(report, cap, "%s/report.json", dir);
	struct proc_args a = { 0 };
	args_add(&a, "%s", TL_BINARY);
	args_add(&a, "run");
	args_add_list(&a, extra);
	args_add_list(&a, (const char *const[]){ "--find-capacity", "--step-s", "2", "--drain-s",
						 "0.5", "--threads", "2", "--quiet", "--from", NULL });
	args_add(&a, "%g", from);
	args_lab_client(&a, pki, dir);
	int rc = proc_run(a.v, out, NULL, TIMEOUT_MS, NULL);
	if (rc > 1)
		proc_show_log(tag, out, 2500);
	return rc;
}

/* trunkload uas whose behaviour is {"answer": {"<key>": value}} (its log in log), its
 * address in target; the pid, or <= 0. */
static pid_t uas_with(const char *key, int value, char *log, char *target)
{
	char scn[600], json[300];
	snprintf(scn, sizeof(scn), "%s/%s.json", proc_tmpdir(), key);
	snprintf(json, sizeof(json), "{\"name\": \"%s\", \"role\": \"uas\", \"answer\": {\"%s\": %d}}\n",
		 key, key, value);
	snprintf(log, 600, "%s/%s.log", proc_tmpdir(), key);
	if (proc_write_file(scn, json))
		return -1;
	const char *const extra[] = { "--scenario", scn, NULL };
	uint16_t port;
	pid_t pid = lab_uas(pki, "server", extra, log, &port);
	snprintf(target, 32, "127.0.0.1:%u", port);
	return pid;
}

/* What every search that found a knee at `knee` must show. */
static void knee_found(const char *report, double knee)
{
	double cps = proc_json_value(report, "capacity.cps"), trials = proc_json_value(report, "capacity.trials");
	CHECK(cps >= knee * 0.9 && cps <= knee * 1.1, "capacity.cps %g is within 10 %% of %g", cps, knee);
	CHECK(trials >= 4, "%g trials", trials);
	double failed_cps = proc_json_value(report, "capacity.failed_cps");
	CHECK(failed_cps > cps && failed_cps <= cps * 1.06,
	      "the lowest failing trial (%g) is within 5 %% above it", failed_cps);
	char key[48];
	snprintf(key, sizeof(key), "stages.%g.rate", trials - 1);
	CHECK(proc_json_value(report, key) > 0, "stages[] holds every trial (%s)", key);
	char status[16], observed[200];
	int got = proc_report_check(report, "capacity", status, sizeof(status), observed,
				    sizeof(observed));
	CHECK(got == 0 && !strcmp(status, "pass") && strstr(observed, "calls.failed"),
	      "the check capacity passes, naming the failing trial's check (%s: %s)", status, observed);
}

static void knee_of_trunkload_uas(void)
{
	char log[600], report[600], target[32];
	pid_t uas = uas_with("max_cps", UAS_CPS, log, target);
	CU_ASSERT_FATAL(uas > 0);
	const char *const run[] = { "--target", target, "--media-ms", "0", NULL };
	int rc = search("uas", run, UAS_CPS / 4, report, sizeof(report));
	CHECK(rc == 0, "a capacity found: exit 0 (got %d)", rc);
	knee_found(report, UAS_CPS);
	char html[600];
	snprintf(html, sizeof(html), "%.*s/report.html", (int)(strlen(report) - 12), report);
	char *text = proc_read_file(html);
	CHECK(text && strstr(text, "id=\"chart-stages\"") && strstr(text, "capacity (calls/s"),
	      "report.html charts the trials and shows the capacity");
	free(text);
	/* over the capacity from the start: nothing found */
	rc = search("uas-over", run, UAS_CPS * 2.5, report, sizeof(report));
	CHECK(rc == 1, "even --from failed: exit 1 (got %d)", rc);
	CHECK(proc_json_value(report, "capacity.cps") == 0 && proc_json_value(report, "capacity.trials") == 1,
	      "capacity.cps 0 after 1 trial (%g, %g)", proc_json_value(report, "capacity.cps"),
	      proc_json_value(report, "capacity.trials"));
	int st = proc_stop(uas, SIGTERM, 5000);
	CHECK(st == 0, "trunkload uas stops cleanly (got %d)", st);
	char *said = proc_read_file(log);
	CHECK(said && strstr(said, "overloaded (503 over max_cps or max_calls) "),
	      "the responder counts its refusals");
	free(said);
}

/* --find-capacity concurrent against trunkload uas with answer.max_calls 200: calls held
 * a second (their media), trials of 1 s once the calls are built up. */
static void concurrency_of_trunkload_uas(void)
{
	char log[600], report[600], target[32];
	pid_t uas = uas_with("max_calls", UAS_CALLS, log, target);
	CU_ASSERT_FATAL(uas > 0);
	const char *const run[] = { "--target", target, "--media-ms", "1000", "--find-capacity",
				    "concurrent", "--step-s", "1", NULL };
	int rc = search("uas-calls", run, UAS_CALLS / 4, report, sizeof(report));
	CHECK(rc == 0, "a concurrency found: exit 0 (got %d)", rc);
	double got = proc_json_value(report, "capacity.concurrent");
	CHECK(got >= UAS_CALLS * 0.9 && got <= UAS_CALLS * 1.1, "capacity.concurrent %g is within 10 %% of %d",
	      got, UAS_CALLS);
	char *text = proc_read_file(report);
	CHECK(text && strstr(text, "\"searched\":\t\"concurrent\"") , "capacity.searched is concurrent");
	free(text);
	proc_stop(uas, SIGTERM, 5000);
}

/* Kamailio's ratelimit module, a far end someone else wrote, over plain TCP. */
static void knee_of_kamailio_ratelimit(void)
{
#ifdef TL_SANITIZED
	/* the same code as knee_of_trunkload_uas, against another far end: its half a
	 * minute is spent once, in the plain build */
	printf("\n    (Kamailio's knee is found in the build without sanitizers)\n");
	return;
#endif
	char dir[512], cfg[600], port_s[8], cps_s[8], report[600];
	uint16_t port = proc_free_port();
	CU_ASSERT_FATAL(port != 0);
	proc_path(dir, sizeof(dir), "kamailio");
	CU_ASSERT_FATAL(mkdir(dir, 0700) == 0);
	snprintf(cfg, sizeof(cfg), "%s/kamailio.cfg", dir);
	snprintf(port_s, sizeof(port_s), "%u", port);
	snprintf(cps_s, sizeof(cps_s), "%d", KAM_CPS);
	const struct proc_var vars[] = {
		{ "MODULE_DIR", kam_mod_dir }, { "PORT", port_s }, { "MAX_CPS", cps_s }, { NULL, NULL },
	};
	CU_ASSERT_FATAL(proc_template(FIXTURES "/ratelimit.cfg.in", cfg, vars) == 0);
	static struct kamailio kam;
	CU_ASSERT_FATAL(kamailio_start(&kam, kam_binary, dir, cfg, &port, 1, 10000) == 0);
	char target[32];
	snprintf(target, sizeof(target), "127.0.0.1:%u", port);
	const char *const run[] = { FIXTURES "/call.json", "--target", target, "--transport", "tcp",
				    "--max-concurrent", "1000", NULL };
	int rc = search("kamailio", run, KAM_CPS / 4, report, sizeof(report));
	CHECK(rc == 0, "a capacity found: exit 0 (got %d)", rc);
	knee_found(report, KAM_CPS);
	if (rc)
		proc_show_log("kamailio", kam.log, 2000);
	CHECK(kamailio_stop(&kam, 5000) == 0, "Kamailio stopped, every worker");
}

int main(void)
{
	static const char *const modules[] = { "sl", "pv", "textops", "ratelimit" };
	kam_binary = kamailio_binary();
	if (!kam_binary || !kamailio_module_dir(modules, 4, kam_mod_dir, sizeof(kam_mod_dir)) ||
	    !proc_have("setsid")) {
		fprintf(stderr, "test_find_capacity: SKIPPED: kamailio with its ratelimit module, or "
				"setsid, is not installed\n");
		return 77;
	}
	if (!proc_tmpdir() || lab_pki("pki", pki, sizeof(pki)))
		return 1;
	static const struct tl_case cases[] = {
		{ "knee_of_trunkload_uas", knee_of_trunkload_uas },
		{ "concurrency_of_trunkload_uas", concurrency_of_trunkload_uas },
		{ "knee_of_kamailio_ratelimit", knee_of_kamailio_ratelimit },
	};
	int rc = tl_run("find_capacity", TL_CASES(cases));
	proc_cleanup_all();
	return rc;
}
