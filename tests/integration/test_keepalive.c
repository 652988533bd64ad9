/* The trunk's OPTIONS keepalive (transport.options_ping_s), against trunkload uas whose
 * behaviour answers pings otherwise for a while: 503 takes the connection out of
 * service and its calls go to the next destination until a ping is answered 200 again;
 * no answer within the timeout does the same, and a trunk with no other destination
 * then places no call (no_connection). Each time is an event in report.json. SIPp
 * playing a CUCM node whose pings go 503 for a while proves the same against a peer
 * someone else wrote. */
#include "proc.h"
#include "tl_test.h"
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define TIMEOUT_MS 60000

static char pki[512];
static uint16_t port;

static const char *const over_tcp[] = { "--transport", "tcp", NULL };

static pid_t node(const char *addr, const char *behaviour_json, const char *tag, const char *const *extra)
{
	char log[600], scn[600];
	snprintf(log, sizeof(log), "%s/%s.log", proc_tmpdir(), tag);
	struct proc_args a = { 0 };
	args_add(&a, "%s", TL_BINARY);
	args_add(&a, "uas");
	args_add(&a, "--listen");
	args_add(&a, "%s:%u", addr, port);
	args_add_list(&a, (const char *const[]){ "--threads", "1", NULL });
	args_identity(&a, pki, "server");
	args_add(&a, "--ca");
	args_add(&a, "%s/ca.crt", pki);
	args_add_list(&a, extra);
	if (behaviour_json) {
		snprintf(scn, sizeof(scn), "%s/%s.json", proc_tmpdir(), tag);
		if (proc_write_file(scn, behaviour_json))
			return -1;
		args_add(&a, "--scenario");
		args_add(&a, "%s", scn);
	}
	pid_t pid = proc_spawn(a.v, log, false);
	if (pid > 0 && proc_wait_listen(pid, addr, port, 10000)) {
		proc_show_log("trunkload uas", log, 2000);
		return -1;
	}
	return pid;
}

static int run(const char *tag, const char *hosts, const char *dist, double rate, double secs,
	       const char *const *extra, char *report, size_t cap)
{
	char scn[600], dir[512], out[600], json[600];
	snprintf(scn, sizeof(scn), "%s/%s-run.json", proc_tmpdir(), tag);
	snprintf(json, sizeof(json),
		 "{\"name\": \"%s\", \"target\": {\"hosts\": [%s], \"distribution\": \"%s\",\n"
		 " \"server_name\": \"uas.trunkload.test\"}, \"transport\": {\"options_ping_s\": 1},\n"
		 " \"load\": {\"rate\": %g, \"duration_s\": %g}}\n", tag, hosts, dist, rate, secs);
	CU_ASSERT_FATAL(proc_write_file(scn, json) == 0);
	proc_path(dir, sizeof(dir), tag);
	snprintf(out, sizeof(out), "%s.out", dir);
	snprintf(report, cap, "%s/report.json", dir);
	struct proc_args a = { 0 };
	args_add(&a, "%s", TL_BINARY);
	args_add_list(&a, (const char *const[]){ "run", scn, "--media-ms", "0", "--threads", "1", NULL });
	args_lab_client(&a, pki, dir);
	args_add_list(&a, extra);
	int rc = proc_run(a.v, out, NULL, TIMEOUT_MS, NULL);
	if (rc > 1)
		proc_show_log(tag, out, 2500);
	else if (rc == 1)
		proc_show_failed_checks(report);
	return rc;
}

static void out_of_service_on_503(void)
{
	pid_t a = node("127.0.0.2", "{\"name\": \"pings-503\", \"role\": \"uas\", \"options\": "
				    "{\"status\": 503, \"after_s\": 2, \"for_s\": 5}}", "node-503", NULL);
	pid_t b = node("127.0.0.3", NULL, "node-ok", NULL);
	CU_ASSERT_FATAL(a > 0 && b > 0);
	char hosts[96], report[600], status[16], observed[200];
	snprintf(hosts, sizeof(hosts), "\"127.0.0.2:%u\", \"127.0.0.3:%u\"", port, port);
	int rc = run("ka-503", hosts, "failover", 20, 10, NULL, report, sizeof(report));
	CHECK(rc == 0, "no call failed: exit 0 (got %d)", rc);
	CHECK(proc_json_value(report, "trunk.pings") >= 16, "a ping a second on each connection (%g)",
	      proc_json_value(report, "trunk.pings"));
	double at = proc_json_value(report, "trunk.out_of_service.0.at_s"), back = proc_json_value(report, "trunk.out_of_service.0.back_s");
	/* the responder counts its 2 s from its own start: a run that starts late (CI's
	 * sanitizer build, ~1 s) sees the 503s sooner, for as long */
	CHECK(at >= 0 && at <= 3.5, "node 0 out of service about 2 s in (%g)", at);
	CHECK(back - at >= 4 && back - at <= 6.5, "back after about 5 s of 503 (%g s to %g s)", at, back);
	CHECK(back <= 8.5, "back about 7 s in (%g)", back);
	CHECK(proc_json_value(report, "trunk.out_of_service.1.at_s") < 0, "once only");
	/* the time series says the same, second by second */
	for (unsigned t = 0; t < 10 && at > 0 && back > 0; t++) {
		char key[48];
		snprintf(key, sizeof(key), "timeseries.%u.out_of_service", t);
		double out = proc_json_value(report, key), want = at < t + 1 && back >= t;
		CHECK(out == want, "second %u: %g connection out of service, want %g (out %g s to %g s)", t,
		      out, want, at, back);
	}
	char *text = proc_read_file(report);
	CHECK(text && strstr(text, "\"reason\":\t\"status_503\""), "the reason is status_503");
	free(text);
	double moved = proc_json_value(report, "target.destinations.1.calls");
	CHECK(moved >= 80 && moved <= 130, "node 1 took the calls while node 0 was out (%g)", moved);
	CHECK(proc_json_value(report, "calls.failed") == 0, "no call failed");
	int got = proc_report_check(report, "trunk.in_service", status, sizeof(status), observed,
				    sizeof(observed));
	CHECK(got == 0 && !strcmp(status, "warn") && strstr(observed, "status_503"),
	      "trunk.in_service warns (%s: %s)", status, observed);
	proc_stop(a, SIGTERM, 5000);
	proc_stop(b, SIGTERM, 5000);
}

static void out_of_service_on_silence(void)
{
	pid_t a = node("127.0.0.2", "{\"name\": \"pings-silent\", \"role\": \"uas\", \"options\": "
				    "{\"status\": \"no_answer\", \"after_s\": 1.5, \"for_s\": 2}}", "node-silent", NULL);
	CU_ASSERT_FATAL(a > 0);
	char hosts[64], report[600];
	snprintf(hosts, sizeof(hosts), "\"127.0.0.2:%u\"", port);
	int rc = run("ka-silent", hosts, "round_robin", 10, 6, NULL, report, sizeof(report));
	CHECK(rc == 1, "calls not placed while the only connection was out: exit 1 (got %d)", rc);
	char *text = proc_read_file(report);
	CHECK(text && strstr(text, "\"reason\":\t\"timeout\""), "the reason is timeout");
	free(text);
	double lost = proc_json_value(report, "calls.failures.no_connection");
	CHECK(lost >= 5 && lost <= 40, "calls failed as no_connection while out (%g)", lost);
	CHECK(proc_json_value(report, "trunk.out_of_service.0.back_s") > 0, "back in service once pings were answered");
	proc_stop(a, SIGTERM, 5000);
}

/* SIPp as a CUCM node (tests/integration/cucm/answers-pings-503.xml, over TCP) answers the
 * pings 200, then 503 from the 4th to the 8th, then 200: its connection is out of service
 * from about 3 s to about 8 s, the other destination takes the calls meanwhile, and
 * none fails. A peer someone else wrote. */
static void out_of_service_on_cucm_503(void)
{
	CU_ASSERT_FATAL(proc_have("sipp")); /* Debian's sip-tester, in .ci/deps */
	uint16_t sip = proc_free_port();
	CU_ASSERT_FATAL(sip != 0);
	char log[600], hosts[96], report[600];
	struct proc_args s = { 0 };
	args_add(&s, "sipp");
	args_add(&s, "-sf");
	args_add(&s, "%s/tests/integration/cucm/answers-pings-503.xml", TL_SOURCE_DIR);
	CU_ASSERT_FATAL(args_sipp_loopback(&s, sip) == 0);
	args_add_list(&s, (const char *const[]){ "-timeout", "40s", "-nostdin", NULL });
	pid_t cucm = proc_spawn(s.v, proc_path(log, sizeof(log), "cucm-pings.log"), false);
	CU_ASSERT_FATAL(cucm > 0);
	if (proc_wait_listen(cucm, "127.0.0.1", sip, 10000)) {
		proc_show_log("sipp", log, 2000);
		CU_FAIL_FATAL("sipp does not listen");
	}
	pid_t b = node("127.0.0.3", NULL, "node-tcp", over_tcp);
	CU_ASSERT_FATAL(b > 0);
	snprintf(hosts, sizeof(hosts), "\"127.0.0.1:%u\", \"127.0.0.3:%u\"", sip, port);
	int rc = run("ka-cucm", hosts, "failover", 10, 12, over_tcp, report, sizeof(report));
	CHECK(rc == 0, "no call failed: exit 0 (got %d)", rc);
	double at = proc_json_value(report, "trunk.out_of_service.0.at_s"),
	       back = proc_json_value(report, "trunk.out_of_service.0.back_s");
	CHECK(at >= 2.5 && at <= 4.5, "out of service at CUCM's first 503, ~3 s in (%g)", at);
	CHECK(back >= 7.5 && back <= 9.5, "back at its next 200, ~8 s in (%g)", back);
	CHECK(proc_json_value(report, "trunk.out_of_service.1.at_s") < 0, "once only");
	char *text = proc_read_file(report);
	CHECK(text && strstr(text, "\"reason\":\t\"status_503\""), "the reason is status_503");
	free(text);
	double moved = proc_json_value(report, "target.destinations.1.calls");
	CHECK(moved >= 35 && moved <= 65, "the other node took the calls meanwhile (%g)", moved);
	CHECK(proc_json_value(report, "target.destinations.0.completed") >= 50,
	      "CUCM completed its calls before and after (%g)", proc_json_value(report, "target.destinations.0.completed"));
	proc_stop(cucm, SIGTERM, 5000);
	proc_stop(b, SIGTERM, 5000);
}

int main(void)
{
	if (!proc_tmpdir() || lab_pki("pki", pki, sizeof(pki)))
		return 1;
	port = proc_free_port();
	if (!port)
		return 1;
	static const struct tl_case cases[] = {
		{ "out_of_service_on_503", out_of_service_on_503 },
		{ "out_of_service_on_silence", out_of_service_on_silence },
		{ "out_of_service_on_cucm_503", out_of_service_on_cucm_503 },
	};
	int rc = tl_run("keepalive", TL_CASES(cases));
	proc_cleanup_all();
	return rc;
}
