/* A trunk that points at a SIP domain (RFC 3263), as CUCM and SBCs do: dnsmasq on a
 * loopback port serves trunk.test's NAPTR record, its two SRV targets (uas1 on ::1 with
 * priority 10, uas2 on 127.0.0.1 with priority 20) and their AAAA and A records; two
 * `trunkload uas` answer there. The better priority carries every call; killed, its
 * calls move to the other, the failures counted against it. A NAPTR loop, an SRV target
 * without an address, a domain unknown, an AAAA-only target with target.family ipv4 and
 * a DNS server that never answers each stop the run (exit 3) naming what failed. */
#include "proc.h"
#include "tl_test.h"
#include <cjson/cJSON.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#define TIMEOUT_MS 60000

static double now_s(void)
{
	struct timespec t;
	clock_gettime(CLOCK_MONOTONIC, &t);
	return (double)t.tv_sec + t.tv_nsec / 1e9;
}

static char pki[512], dns[32];
static uint16_t port[2];
static pid_t uas_pid[2];
static const char *const uas_host[2] = { "[::1]", "127.0.0.1" };

static bool start_uas(unsigned i)
{
	char log[512], name[32];
	snprintf(name, sizeof(name), "uas%u.log", i + 1);
	proc_path(log, sizeof(log), name);
	struct proc_args a = { 0 };
	args_add(&a, "%s", TL_BINARY);
	args_add(&a, "uas");
	args_add(&a, "--listen");
	args_add(&a, "%s:%u", uas_host[i], port[i]);
	args_add_list(&a, (const char *const[]){ "--threads", "1", NULL });
	args_identity(&a, pki, "server");
	args_add(&a, "--ca");
	args_add(&a, "%s/ca.crt", pki);
	uas_pid[i] = proc_spawn(a.v, log, false);
	if (uas_pid[i] > 0 && proc_wait_listen(uas_pid[i], i ? "127.0.0.1" : "::1", port[i], 10000)) {
		proc_show_log("trunkload uas", log, 2000);
		return false;
	}
	return uas_pid[i] > 0;
}

/* dnsmasq answering for test. alone, from these records and nothing else. */
static bool start_dns(void)
{
	uint16_t p = proc_free_port();
	if (!p || !proc_can_bind(p, SOCK_DGRAM))
		return false;
	snprintf(dns, sizeof(dns), "127.0.0.1:%u", p);
	char log[512];
	proc_path(log, sizeof(log), "dnsmasq.log");
	struct proc_args a = { 0 };
	args_add(&a, "dnsmasq");
	args_add_list(&a, (const char *const[]){ "--no-daemon", "--listen-address=127.0.0.1", "--bind-interfaces",
						 "--no-resolv", "--no-hosts", "--local=/test/",
						 "--conf-file=/dev/null", "--pid-file=", "--user=root", NULL });
	args_add(&a, "--port=%u", p);
	args_add(&a, "--naptr-record=trunk.test,10,50,s,SIPS+D2T,,_sips._tcp.trunk.test");
	args_add(&a, "--srv-host=_sips._tcp.trunk.test,uas1.trunk.test,%u,10,100", port[0]);
	args_add(&a, "--srv-host=_sips._tcp.trunk.test,uas2.trunk.test,%u,20,100", port[1]);
	args_add(&a, "--host-record=uas1.trunk.test,::1");
	args_add(&a, "--host-record=uas2.trunk.test,127.0.0.1");
	/* NAPTR records that lead to each other, for ever */
	args_add(&a, "--naptr-record=loop.test,10,50,,SIPS+D2T,,loop2.test");
	args_add(&a, "--naptr-record=loop2.test,10,50,,SIPS+D2T,,loop.test");
	/* an SRV target nobody gave an address */
	args_add(&a, "--srv-host=_sips._tcp.noaddr.test,ghost.noaddr.test,5061,10,1");
	pid_t pid = proc_spawn(a.v, log, false);
	for (int waited = 0; pid > 0 && proc_can_bind(p, SOCK_DGRAM); waited += 20) {
		if (waited >= 10000) {
			proc_show_log("dnsmasq", log, 2000);
			return false;
		}
		proc_nap_ms(20);
	}
	return pid > 0;
}

static int setup(void)
{
	if (!proc_have("dnsmasq")) {
		fprintf(stderr, "test_dns: dnsmasq is missing (.ci/deps TEST_DEPS: dnsmasq-base)\n");
		return -1;
	}
	/* the lab's server certificate names the SIP domain, as RFC 5922 wants */
	char out[600];
	snprintf(pki, sizeof(pki), "%s/pki", proc_tmpdir());
	proc_path(out, sizeof(out), "pki.out");
	char *const argv[] = { TL_BINARY, "pki", pki, "--server-name", "trunk.test", "--force", NULL };
	if (proc_run(argv, out, NULL, TIMEOUT_MS, NULL)) {
		proc_show_log("trunkload pki", out, 2000);
		return -1;
	}
	return proc_free_ports(port, 2) && start_uas(0) && start_uas(1) && start_dns() ? 0 : -1;
}

static void run_args(struct proc_args *a, const char *tag, char *report, size_t cap)
{
	char dir[512];
	proc_path(dir, sizeof(dir), tag);
	snprintf(report, cap, "%s/report.json", dir);
	args_add(a, "%s", TL_BINARY);
	args_add(a, "run");
	args_add_list(a, (const char *const[]){ "--threads", "1", "--media-ms", "0", NULL });
	args_lab_client(a, pki, dir);
}

/* A run of calls to target, the DNS server dns_server; its exit status, what it said
 * on stderr into said. */
static int run(const char *tag, const char *target, const char *dns_server, const char *const *extra,
	       char *report, size_t cap, char *said, size_t said_cap)
{
	char out[600], err[600];
	struct proc_args a = { 0 };
	run_args(&a, tag, report, cap);
	args_add(&a, "--target");
	args_add(&a, "%s", target);
	args_add(&a, "--dns");
	args_add(&a, "%s", dns_server);
	args_add_list(&a, extra);
	proc_path(out, sizeof(out), tag);
	strcat(out, ".out");
	snprintf(err, sizeof(err), "%s.err", out);
	int rc = proc_run(a.v, out, err, TIMEOUT_MS, NULL);
	char *text = proc_read_file(err);
	snprintf(said, said_cap, "%s", text ? text : "");
	free(text);
	return rc;
}

static const cJSON *at(const cJSON *o, const char *k)
{
	return cJSON_GetObjectItemCaseSensitive(o, k);
}

/* target.resolved[i]'s address is that of uas i, with the priority its SRV record gave. */
static void resolved_as_dns_says(const cJSON *resolved)
{
	static const double priority[2] = { 10, 20 };
	CHECK(cJSON_GetArraySize(resolved) == 2, "target.resolved lists both SRV targets (%d)",
	      cJSON_GetArraySize(resolved));
	for (int i = 0; i < 2 && cJSON_GetArraySize(resolved) == 2; i++) {
		const cJSON *r = cJSON_GetArrayItem(resolved, i);
		char want[64];
		snprintf(want, sizeof(want), "%s:%u", uas_host[i], port[i]);
		const char *address = proc_str(r, "address");
		double prio = proc_num(r, "priority"), weight = proc_num(r, "weight"), p = proc_num(r, "port");
		CHECK(!strcmp(address, want), "target %d at %s (got %s)", i, want, address);
		CHECK(prio == priority[i] && weight == 100 && p == port[i],
		      "target %d: priority %g weight %g port %g", i, prio, weight, p);
	}
}

/* Both up: priority 10 (uas1, over IPv6) carries every call, checked against the
 * domain's name. */
static void best_priority_carries_all(void)
{
	char report[600], said[2000];
	const char *const extra[] = { "--calls", "40", "--rate", "50", NULL };
	int rc = run("both-up", "sips:trunk.test", dns, extra, report, sizeof(report), said, sizeof(said));
	CHECK(rc == 0, "the run passes (got %d: %s)", rc, said);
	cJSON *root = proc_load_json(report);
	CU_ASSERT_PTR_NOT_NULL_FATAL(root);
	const cJSON *target = at(root, "target"), *resolved = at(target, "resolved");
	CHECK(!strcmp(proc_str(target, "resolved_from"), "trunk.test") &&
		      !strcmp(proc_str(target, "server_name"), "trunk.test") &&
		      !strcmp(proc_str(target, "distribution"), "srv"),
	      "resolved from trunk.test, its name checked, distribution srv (%s, %s, %s)",
	      proc_str(target, "resolved_from"), proc_str(target, "server_name"),
	      proc_str(target, "distribution"));
	resolved_as_dns_says(resolved);
	char out[600];
	char *summary = proc_read_file(proc_path(out, sizeof(out), "both-up.out"));
	CHECK(summary && strstr(summary, "-> sips:trunk.test (2 SRV targets, target.resolved)"),
	      "the summary names the domain and its targets (%.200s)", summary ? summary : "none");
	free(summary);
	char *html = proc_read_file(proc_path(out, sizeof(out), "both-up/report.html"));
	CHECK(html && strstr(html, "Destinations (srv, the SRV records of trunk.test)") &&
		      strstr(html, "<br>at [::1]:") && strstr(html, "<br>priority 20, weight 100"),
	      "report.html shows where each SRV target was reached and its priority");
	free(html);
	const cJSON *first = cJSON_GetArrayItem(resolved, 0), *second = cJSON_GetArrayItem(resolved, 1);
	CHECK(proc_num(first, "completed") == 40 && proc_num(second, "calls") == 0,
	      "uas1 completed all 40 calls (%g), uas2 got none (%g)", proc_num(first, "completed"),
	      proc_num(second, "calls"));
	cJSON_Delete(root);
}

/* uas1 dies 3 s into an 8 s run at 50 calls/s, calls of a second in progress on it:
 * those fail, counted against uas1, and every call after goes to uas2. */
static void failover_to_next_priority(void)
{
	char report[600], out[600];
	struct proc_args a = { 0 };
	run_args(&a, "failover", report, sizeof(report));
	args_add_list(&a, (const char *const[]){ "--target", "sips:trunk.test", "--rate", "50", "--duration",
						 "8", "--media-ms", "1000", NULL });
	args_add(&a, "--dns");
	args_add(&a, "%s", dns);
	proc_path(out, sizeof(out), "failover.out");
	pid_t pid = proc_spawn(a.v, out, false);
	CU_ASSERT_FATAL(pid > 0);
	proc_nap_ms(3000);
	proc_stop(uas_pid[0], SIGKILL, 2000); /* a node that dies, not one that says goodbye */
	int rc = proc_wait(pid, TIMEOUT_MS);
	CHECK(rc == 1, "calls failed: the run fails (got %d)", rc);
	if (rc > 1)
		proc_show_log("failover", out, 2500);
	cJSON *root = proc_load_json(report);
	CU_ASSERT_PTR_NOT_NULL_FATAL(root);
	const cJSON *resolved = at(at(root, "target"), "resolved");
	resolved_as_dns_says(resolved);
	const cJSON *first = cJSON_GetArrayItem(resolved, 0), *second = cJSON_GetArrayItem(resolved, 1);
	double failed = proc_num(at(root, "calls"), "failed");
	/* 400 calls: ~150 on uas1 before it died, ~50 of them in progress then */
	CHECK(proc_num(first, "calls") >= 100 && proc_num(first, "calls") <= 200, "uas1 took the first 3 s (%g)",
	      proc_num(first, "calls"));
	CHECK(proc_num(second, "completed") >= 200 && proc_num(second, "failed") == 0,
	      "uas2 completed every call after it (%g, %g failed)", proc_num(second, "completed"),
	      proc_num(second, "failed"));
	CHECK(failed >= 1 && failed <= 70 && proc_num(first, "failed") == failed,
	      "the calls in progress on uas1 failed (%g), all counted against it (%g)", failed,
	      proc_num(first, "failed"));
	CHECK(proc_num(first, "calls") + proc_num(second, "calls") == 400, "every call placed (%g + %g)",
	      proc_num(first, "calls"), proc_num(second, "calls"));
	cJSON_Delete(root);
	uas_pid[0] = -1;
}

/* What cannot be dialled stops the run at once, saying which record. */
static void bad_records_stop_the_run(void)
{
	static const struct {
		const char *target, *family, *said;
	} cases[] = {
		{ "sips:loop.test", NULL, "NAPTR loop2.test: the records lead on past 4 names" },
		{ "sips:noaddr.test", NULL, "SRV target 1 of noaddr.test: address of ghost.noaddr.test: no such name" },
		{ "sips:nothere.test", NULL, "address of nothere.test: no such name" },
		{ "sips:trunk.test", "ipv4", "uas1.trunk.test: no IPv4 address, only IPv6" },
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		char report[600], said[2000], tag[32], scn[600];
		const char *extra[] = { "--calls", "2", NULL, NULL };
		if (cases[i].family) {
			char json[200];
			snprintf(scn, sizeof(scn), "%s/family-%s.json", proc_tmpdir(), cases[i].family);
			snprintf(json, sizeof(json), "{\"target\": {\"family\": \"%s\"}}\n", cases[i].family);
			CU_ASSERT_FATAL(proc_write_file(scn, json) == 0);
			extra[2] = scn; /* the scenario file among the options: getopt permutes */
		}
		snprintf(tag, sizeof(tag), "bad-%zu", i);
		int rc = run(tag, cases[i].target, dns, extra, report, sizeof(report), said, sizeof(said));
		CHECK(rc == 3 && strstr(said, cases[i].said), "%s: exit 3 (got %d) saying \"%s\" (said %s)",
		      cases[i].target, rc, cases[i].said, said);
		double value = -1;
		CHECK(proc_json_number(report, "calls.attempted", &value) == 0 && value == 0,
		      "%s: a report, no call attempted (%g)", cases[i].target, value);
	}
}

/* A DNS server that takes the query and never answers: exit 3 within the two tries
 * (1 s, then 2 s), never a hang. */
static void silent_dns_server(void)
{
	int fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	struct sockaddr_in a = { .sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
	socklen_t len = sizeof(a);
	CU_ASSERT_FATAL(fd >= 0 && bind(fd, (struct sockaddr *)&a, sizeof(a)) == 0 &&
			getsockname(fd, (struct sockaddr *)&a, &len) == 0);
	char server[32], report[600], said[2000];
	snprintf(server, sizeof(server), "127.0.0.1:%u", ntohs(a.sin_port));
	double t0 = now_s();
	int rc = run("silent", "sips:trunk.test", server, (const char *const[]){ "--calls", "2", NULL }, report,
		     sizeof(report), said, sizeof(said));
	double took = now_s() - t0;
	close(fd);
	CHECK(rc == 3 && strstr(said, "no answer from") && strstr(said, "within 3.0 s"),
	      "exit 3 (got %d), saying no answer within 3.0 s (said %s)", rc, said);
	CHECK(took >= 2.5 && took < 10, "it waited the tries out and no more (%.1f s)", took);
}

int main(void)
{
	static const struct tl_case cases[] = {
		{ "best_priority_carries_all", best_priority_carries_all },
		{ "bad_records_stop_the_run", bad_records_stop_the_run },
		{ "silent_dns_server", silent_dns_server },
		{ "failover_to_next_priority", failover_to_next_priority }, /* kills uas1: last */
	};
	if (!proc_tmpdir() || setup())
		return 1;
	int rc = tl_run("dns", TL_CASES(cases));
	proc_cleanup_all();
	return rc;
}
