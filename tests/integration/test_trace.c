/* --trace: against trunkload uas that refuses a quarter of the calls with 486, the run
 * keeps the messages of up to N refused calls in traces/status_486-<Call-ID>.txt (the
 * INVITE with its SDP, the 100 and the 486 as received, our ACK, each under a line with
 * the time and the connection), lists them in report.json, and traces no call that
 * completed; all:N keeps the first N calls, completed ones too; past --trace-mem the
 * traces are dropped and counted, the calls not. */
#include "proc.h"
#include "tl_test.h"
#include <cjson/cJSON.h>
#include <dirent.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define TIMEOUT_MS 60000

static char pki[512];
static uint16_t port;

static int run(const char *tag, const char *const *extra, char *dir, size_t cap)
{
	char out[600];
	proc_path(dir, cap, tag);
	snprintf(out, sizeof(out), "%s.out", dir);
	struct proc_args a = { 0 };
	args_add(&a, "%s", TL_BINARY);
	args_add(&a, "run");
	args_add(&a, "--target");
	args_add(&a, "127.0.0.1:%u", port);
	args_add_list(&a, (const char *const[]){ "--media-ms", "0", "--threads", "2", "--quiet", NULL });
	args_add_list(&a, extra);
	args_lab_client(&a, pki, dir);
	int rc = proc_run(a.v, out, NULL, TIMEOUT_MS, NULL);
	if (rc > 1)
		proc_show_log(tag, out, 2500);
	return rc;
}

/* Files in dir/traces whose names start with prefix. */
static unsigned files_with(const char *dir, const char *prefix)
{
	char path[700];
	snprintf(path, sizeof(path), "%s/traces", dir);
	DIR *d = opendir(path);
	unsigned n = 0;
	for (struct dirent *e; d && (e = readdir(d));)
		n += !strncmp(e->d_name, prefix, strlen(prefix));
	if (d)
		closedir(d);
	return n;
}

static cJSON *report_of(const char *dir)
{
	char path[700];
	snprintf(path, sizeof(path), "%s/report.json", dir);
	return proc_load_json(path);
}

static void failed_calls_traced(void)
{
	char dir[512];
	const char *const extra[] = { "--calls", "40", "--rate", "40", "--trace", "failed:3", NULL };
	int rc = run("failed", extra, dir, sizeof(dir));
	CHECK(rc == 1, "the refused calls fail the run (got %d)", rc);
	cJSON *root = report_of(dir);
	CU_ASSERT_PTR_NOT_NULL_FATAL(root);
	const cJSON *busy = cJSON_GetObjectItemCaseSensitive(
		cJSON_GetObjectItemCaseSensitive(cJSON_GetObjectItemCaseSensitive(root, "calls"), "failures"),
		"status_486");
	int refused = cJSON_IsNumber(busy) ? busy->valueint : 0;
	int want = refused < 3 ? refused : 3;
	CHECK(refused >= 2, "some calls were refused (%d)", refused);
	const cJSON *traces = cJSON_GetObjectItemCaseSensitive(root, "traces"), *it;
	CHECK(cJSON_GetArraySize(traces) == want, "report.json lists %d traces (got %d)", want,
	      cJSON_GetArraySize(traces));
	CHECK(files_with(dir, "status_486-") == (unsigned)want, "%d files traces/status_486-*.txt", want);
	CHECK(files_with(dir, "completed-") == 0, "no completed call is traced");
	cJSON_ArrayForEach(it, traces) {
		const cJSON *file = cJSON_GetObjectItemCaseSensitive(it, "file");
		const cJSON *id = cJSON_GetObjectItemCaseSensitive(it, "call_id");
		char path[900];
		snprintf(path, sizeof(path), "%s/%s", dir, cJSON_IsString(file) ? file->valuestring : "?");
		char *text = proc_read_file(path);
		static const char *const want_text[] = {
			"--- sent +", "INVITE sip:", "a=crypto:", "--- received +", "SIP/2.0 100 Trying",
			"SIP/2.0 486 Busy Here", "ACK sip:", "TLSv1.3", " -> 127.0.0.1:", " <- 127.0.0.1:",
		};
		for (size_t i = 0; i < sizeof(want_text) / sizeof(want_text[0]); i++)
			CHECK(text && strstr(text, want_text[i]), "%s has \"%s\"", path, want_text[i]);
		CHECK(text && cJSON_IsString(id) && strstr(text, id->valuestring), "its Call-ID is in it");
		free(text);
	}
	cJSON_Delete(root);
}

static void first_calls_traced_within_memory(void)
{
	char dir[512];
	const char *const extra[] = { "--calls", "6", "--rate", "20", "--trace", "all:4", NULL };
	run("all", extra, dir, sizeof(dir));
	unsigned done = files_with(dir, "completed-"), busy = files_with(dir, "status_486-");
	CHECK(done + busy == 4, "all:4 keeps the first 4 calls (%u completed, %u refused)", done, busy);
	CHECK(done >= 1, "completed calls too (%u)", done);
	char path[700];
	snprintf(path, sizeof(path), "%s/traces", dir);
	/* 1 MiB for 600 calls of a few kB each: most are dropped, and counted */
	const char *const many[] = { "--calls", "600", "--rate", "400", "--trace", "all:600",
				     "--trace-mem", "1", NULL };
	run("mem", many, dir, sizeof(dir));
	cJSON *root = report_of(dir);
	CU_ASSERT_PTR_NOT_NULL_FATAL(root);
	int kept = cJSON_GetArraySize(cJSON_GetObjectItemCaseSensitive(root, "traces"));
	const cJSON *lost = cJSON_GetObjectItemCaseSensitive(root, "traces_dropped");
	const cJSON *attempted = cJSON_GetObjectItemCaseSensitive(cJSON_GetObjectItemCaseSensitive(root, "calls"),
								   "attempted");
	CHECK(cJSON_IsNumber(lost) && lost->valuedouble > 0 && kept > 0 && kept < 600,
	      "some traces kept (%d), the rest dropped (%g)", kept, cJSON_IsNumber(lost) ? lost->valuedouble : -1);
	CHECK(cJSON_IsNumber(lost) && kept + lost->valuedouble == 600, "kept + dropped = 600 (%d + %g)",
	      kept, cJSON_IsNumber(lost) ? lost->valuedouble : -1);
	CHECK(cJSON_IsNumber(attempted) && attempted->valueint == 600, "every call ran");
	cJSON_Delete(root);
}

int main(void)
{
	if (!proc_tmpdir() || lab_pki("pki", pki, sizeof(pki)))
		return 1;
	char scn[600], log[600];
	proc_path(scn, sizeof(scn), "busy.json");
	if (proc_write_file(scn, "{\"name\": \"busy-quarter\", \"role\": \"uas\", \"answer\": {\"outcomes\": "
				"[{\"status\": 200, \"weight\": 3}, {\"status\": 486, \"weight\": 1}]}}\n"))
		return 1;
	proc_path(log, sizeof(log), "uas.log");
	const char *const extra[] = { "--scenario", scn, NULL };
	pid_t uas = lab_uas(pki, "server", extra, log, &port);
	if (uas <= 0)
		return 1;
	static const struct tl_case cases[] = {
		{ "failed_calls_traced", failed_calls_traced },
		{ "first_calls_traced_within_memory", first_calls_traced_within_memory },
	};
	int rc = tl_run("trace", TL_CASES(cases));
	proc_stop(uas, SIGTERM, 5000);
	return rc;
}
