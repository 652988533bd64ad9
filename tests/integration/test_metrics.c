/* --metrics: a run against trunkload uas, both serving Prometheus text. Scraped while
 * the calls go, the counters move and say the run is not over; scraped once each has
 * written its report.json, every figure equals the report's; promtool check metrics
 * (Debian's prometheus package) accepts both outputs. */
#include "proc.h"
#include "tl_test.h"
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define RUN_S 4
#define TIMEOUT_MS 60000

static char pki[512];

/* GET http://127.0.0.1:port/metrics into file (python3's urllib). 0 on a 200. */
static int scrape(uint16_t port, const char *file)
{
	char url[64];
	snprintf(url, sizeof(url), "http://127.0.0.1:%u/metrics", port);
	char *argv[] = { "python3", "-c",
			 "import sys, urllib.request\n"
			 "r = urllib.request.urlopen(sys.argv[1], timeout=5)\n"
			 "assert r.headers['Content-Type'].startswith('text/plain; version=0.0.4')\n"
			 "open(sys.argv[2], 'wb').write(r.read())\n",
			 url, (char *)file, NULL };
	return proc_run(argv, NULL, NULL, 10000, NULL);
}

/* The value of one sample ("name{labels}") in a scrape, -1 if it is not there. */
static double value_of(const char *file, const char *series)
{
	char *text = proc_read_file(file);
	double v = -1;
	for (const char *p = text; p && (p = strstr(p, series)); p += strlen(series))
		if ((p == text || p[-1] == '\n') && p[strlen(series)] == ' ') {
			v = strtod(p + strlen(series) + 1, NULL);
			break;
		}
	free(text);
	return v;
}

static double report_num(const char *report, const char *key)
{
	double v = -1;
	proc_json_number(report, key, &v);
	return v;
}

static void promtool_accepts(const char *file)
{
	char out[600];
	snprintf(out, sizeof(out), "%s.promtool", file);
	char cmd[1400];
	snprintf(cmd, sizeof(cmd), "promtool check metrics < '%s'", file);
	char *argv[] = { "sh", "-c", cmd, NULL };
	int rc = proc_run(argv, out, NULL, 20000, NULL);
	CHECK(rc == 0, "promtool check metrics accepts %s (exit %d)", file, rc);
	if (rc)
		proc_show_log("promtool", out, 2000);
}

/* Each figure of a final scrape against its report.json key. */
static void equals_report(const char *scraped, const char *report, const char *role)
{
	static const struct {
		const char *series, *key;
	} pairs[] = {
		{ "trunkload_calls_started_total", "calls.attempted" },
		{ "trunkload_calls_completed_total", "calls.completed" },
		{ "trunkload_tls_handshakes_total|outcome=\"ok\"", "tls.handshakes.ok" },
		{ "trunkload_tls_handshakes_total|outcome=\"failed\"", "tls.handshakes.failed" },
		{ "trunkload_srtp_packets_total|direction=\"sent\"", "srtp.packets_sent" },
		{ "trunkload_srtp_packets_total|direction=\"received\"", "srtp.packets_received" },
		{ "trunkload_srtp_auth_failures_total", "srtp.auth_failures" },
		{ "trunkload_invite_to_200_seconds_count", "latency_ms.invite_to_200.count" },
	};
	for (size_t i = 0; i < sizeof(pairs) / sizeof(pairs[0]); i++) {
		char series[160], name[80];
		const char *bar = strchr(pairs[i].series, '|');
		snprintf(name, sizeof(name), "%.*s", bar ? (int)(bar - pairs[i].series) : 79, pairs[i].series);
		snprintf(series, sizeof(series), "%s{role=\"%s\"%s%s}", name, role, bar ? "," : "",
			 bar ? bar + 1 : "");
		double m = value_of(scraped, series), r = report_num(report, pairs[i].key);
		if (!strcmp(role, "responder") && strstr(name, "invite_to_200"))
			continue; /* the responder times INVITE to ACK */
		CHECK(m >= 0 && m == r, "%s: %s %g == report.json %s %g", role, series, m, pairs[i].key, r);
	}
	char fin[64];
	snprintf(fin, sizeof(fin), "trunkload_run_finished{role=\"%s\"}", role);
	CHECK(value_of(scraped, fin) == 1, "%s: the final scrape says the run finished", role);
}

/* Every trunkload_ series the shipped Grafana dashboard queries is a family a scrape
 * declares (a histogram's by its _bucket series). */
static void dashboard_matches(const char *scraped)
{
	char *dash = proc_read_file(TL_SOURCE_DIR "/scenarios/kubernetes/grafana-dashboard.json");
	char *text = proc_read_file(scraped);
	CU_ASSERT_FATAL(dash && text);
	unsigned names = 0;
	for (const char *p = dash; (p = strstr(p, "trunkload_")); ) {
		size_t n = strspn(p, "abcdefghijklmnopqrstuvwxyz0123456789_");
		size_t base = n > 7 && !strncmp(p + n - 7, "_bucket", 7) ? n - 7 : n;
		char want[96];
		snprintf(want, sizeof(want), "# TYPE %.*s ", (int)base, p);
		CHECK(strstr(text, want) != NULL, "the dashboard's %.*s is served", (int)n, p);
		names++;
		p += n;
	}
	CHECK(names >= 8, "the dashboard queries %u series", names);
	free(dash);
	free(text);
}

static void scraped_during_and_after(void)
{
	uint16_t ports[3];
	CU_ASSERT_FATAL(proc_free_ports(ports, 3));
	uint16_t sip = ports[0], caller_m = ports[1], uas_m = ports[2];
	char uas_dir[512], uas_log[600], run_dir[512], run_out[600];
	proc_path(uas_dir, sizeof(uas_dir), "uas");
	snprintf(uas_log, sizeof(uas_log), "%s.log", uas_dir);
	proc_path(run_dir, sizeof(run_dir), "run");
	snprintf(run_out, sizeof(run_out), "%s.out", run_dir);

	struct proc_args u = { 0 };
	args_add(&u, "%s", TL_BINARY);
	args_add(&u, "uas");
	args_add(&u, "--listen");
	args_add(&u, "127.0.0.1:%u", sip);
	args_identity(&u, pki, "server");
	args_add(&u, "--ca");
	args_add(&u, "%s/ca.crt", pki);
	args_add_list(&u, (const char *const[]){ "--threads", "2", "--metrics-hold", "20",
						 "--media-ports", "41000-41999", "--report-dir", uas_dir,
						 "--metrics", NULL });
	args_add(&u, "127.0.0.1:%u", uas_m);
	pid_t uas = proc_spawn(u.v, uas_log, false);
	CU_ASSERT_FATAL(uas > 0 && proc_wait_port(uas, sip, 10000) == 0);

	struct proc_args a = { 0 };
	args_add(&a, "%s", TL_BINARY);
	args_add(&a, "run");
	args_add(&a, "--target");
	args_add(&a, "127.0.0.1:%u", sip);
	args_add_list(&a, (const char *const[]){ "--rate", "50", "--duration", "4", "--media-ms", "1000",
						 "--threads", "2", "--quiet", "--metrics-hold", "20",
						 "--metrics", NULL });
	args_add(&a, "127.0.0.1:%u", caller_m);
	args_lab_client(&a, pki, run_dir);
	pid_t run = proc_spawn(a.v, run_out, false);
	CU_ASSERT_FATAL(run > 0);

	/* while the calls go */
	char mid[600], mid_uas[600];
	proc_path(mid, sizeof(mid), "caller-mid.txt");
	proc_path(mid_uas, sizeof(mid_uas), "uas-mid.txt");
	proc_nap_ms(2500);
	CHECK(scrape(caller_m, mid) == 0, "the caller's endpoint answers during the run");
	CHECK(scrape(uas_m, mid_uas) == 0, "the responder's endpoint answers while it serves");
	double started = value_of(mid, "trunkload_calls_started_total{role=\"caller\"}");
	CHECK(started >= 50 && started < 50 * RUN_S, "mid-run: %g calls started of %d", started, 50 * RUN_S);
	CHECK(value_of(mid, "trunkload_run_finished{role=\"caller\"}") == 0, "mid-run: not finished");
	CHECK(value_of(mid_uas, "trunkload_calls_started_total{role=\"responder\"}") >= 50,
	      "mid-run: the responder counts INVITEs");
	promtool_accepts(mid);

	/* the run's report is written; its endpoint then serves the final figures */
	char report[600], fin[600];
	snprintf(report, sizeof(report), "%s/report.json", run_dir);
	for (int waited = 0; access(report, R_OK) && waited < TIMEOUT_MS; waited += 100)
		proc_nap_ms(100);
	proc_nap_ms(200); /* written whole */
	proc_path(fin, sizeof(fin), "caller-final.txt");
	CHECK(scrape(caller_m, fin) == 0, "the caller's endpoint answers after the run (--metrics-hold)");
	CHECK(report_num(report, "calls.completed") == 50 * RUN_S, "the run completed its %d calls (%g)",
	      50 * RUN_S, report_num(report, "calls.completed"));
	equals_report(fin, report, "caller");
	promtool_accepts(fin);
	dashboard_matches(fin);
	int st = proc_stop(run, SIGTERM, 5000); /* ends its hold */
	CHECK(st == 0, "the run exits 0 (got %d)", st);

	/* the responder: stopped, its report written, its final figures served */
	CU_ASSERT(kill(uas, SIGTERM) == 0);
	char uas_report[600], uas_fin[600];
	snprintf(uas_report, sizeof(uas_report), "%s/report.json", uas_dir);
	for (int waited = 0; access(uas_report, R_OK) && waited < TIMEOUT_MS; waited += 100)
		proc_nap_ms(100);
	proc_nap_ms(200);
	proc_path(uas_fin, sizeof(uas_fin), "uas-final.txt");
	CHECK(scrape(uas_m, uas_fin) == 0, "the responder's endpoint answers after it stopped");
	equals_report(uas_fin, uas_report, "responder");
	promtool_accepts(uas_fin);
	st = proc_stop(uas, SIGTERM, 5000);
	CHECK(st == 0, "the responder exits 0 (got %d)", st);
}

/* A port already taken is a usage error that names it, before any call. */
static void port_in_use_refused(void)
{
	uint16_t sip = proc_free_port();
	char out[600], addr[32];
	proc_path(out, sizeof(out), "taken.out");
	snprintf(addr, sizeof(addr), "127.0.0.1:%u", sip);
	struct proc_args u = { 0 };
	args_add(&u, "%s", TL_BINARY);
	args_add(&u, "uas");
	args_add(&u, "--listen");
	args_add(&u, "%s", addr);
	args_identity(&u, pki, "server");
	args_add(&u, "--ca");
	args_add(&u, "%s/ca.crt", pki);
	pid_t uas = proc_spawn(u.v, out, false);
	CU_ASSERT_FATAL(uas > 0 && proc_wait_port(uas, sip, 10000) == 0);
	char run_out[600], dir[512];
	proc_path(run_out, sizeof(run_out), "taken-run.out");
	proc_path(dir, sizeof(dir), "taken-run");
	struct proc_args a = { 0 };
	args_add(&a, "%s", TL_BINARY);
	args_add(&a, "run");
	args_add(&a, "--target");
	args_add(&a, "%s", addr);
	args_add(&a, "--metrics");
	args_add(&a, "%s", addr); /* the responder holds it */
	args_lab_client(&a, pki, dir);
	int rc = proc_run(a.v, run_out, NULL, 20000, NULL);
	char *text = proc_read_file(run_out);
	CHECK(rc == 2 && text && strstr(text, "--metrics 127.0.0.1:") && strstr(text, "Address already in use"),
	      "exit 2 naming the address in use (got %d: %s)", rc, text ? text : "");
	free(text);
	proc_stop(uas, SIGTERM, 5000);
}

int main(void)
{
	if (!proc_have("promtool")) {
		fprintf(stderr, "test_metrics: SKIPPED: promtool (Debian's prometheus package) is not "
				"installed\n");
		return 77;
	}
	if (!proc_tmpdir() || lab_pki("pki", pki, sizeof(pki)))
		return 1;
	static const struct tl_case cases[] = {
		{ "scraped_during_and_after", scraped_during_and_after },
		{ "port_in_use_refused", port_in_use_refused },
	};
	int rc = tl_run("metrics", TL_CASES(cases));
	proc_cleanup_all();
	return rc;
}
