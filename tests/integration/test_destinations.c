/* A trunk with several destinations, as a SIP trunk names a far cluster's nodes: three
 * `trunkload uas` on 127.0.0.2, .3 and .4 (one port). A renewal check against the
 * three finds the node presenting an expired certificate and the node presenting
 * another serial, each by its address, and fails; with every node renewed it passes,
 * and with fewer calls than nodes it says which node it never reached. Calls spread by
 * weight, exactly; with failover they go to the first node, and when it dies, to the
 * next, each destination's figures in target.destinations[]. */
#include "proc.h"
#include "tl_test.h"
#include <cjson/cJSON.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define TIMEOUT_MS 60000
#define START_MS 10000
#define NODES 3

static char pki[512];
static uint16_t port;
static pid_t node_pid[NODES];
static char serial[80]; /* of server.crt: the certificate the renewal installed */

static const char *node_addr(unsigned i)
{
	static const char *const addr[NODES] = { "127.0.0.2", "127.0.0.3", "127.0.0.4" };
	return addr[i];
}

/* Node i presenting cert (a lab name), in place of whatever it ran before. */
static bool start_node(unsigned i, const char *cert)
{
	if (node_pid[i] > 0)
		proc_stop(node_pid[i], SIGTERM, 5000);
	char log[512], name[64];
	snprintf(name, sizeof(name), "node%u-%s.log", i, cert);
	proc_path(log, sizeof(log), name);
	struct proc_args a = { 0 };
	args_add(&a, "%s", TL_BINARY);
	args_add(&a, "uas");
	args_add(&a, "--listen");
	args_add(&a, "%s:%u", node_addr(i), port);
	args_add_list(&a, (const char *const[]){ "--threads", "1", NULL });
	args_identity(&a, pki, cert);
	args_add(&a, "--ca");
	args_add(&a, "%s/ca.crt", pki);
	node_pid[i] = proc_spawn(a.v, log, false);
	if (node_pid[i] > 0 && proc_wait_listen(node_pid[i], node_addr(i), port, START_MS)) {
		proc_show_log("trunkload uas", log, 2000);
		return false;
	}
	return node_pid[i] > 0;
}

/* The run's arguments up to its own: the scenario file, the lab client, a report dir. */
static void run_args(struct proc_args *a, const char *tag, const char *scn, char *report,
		     size_t cap)
{
	char dir[512];
	proc_path(dir, sizeof(dir), tag);
	snprintf(report, cap, "%s/report.json", dir);
	args_add(a, "%s", TL_BINARY);
	args_add(a, "run");
	if (scn[0])
		args_add(a, "%s", scn);
	args_add_list(a, (const char *const[]){ "--threads", "1", NULL });
	args_lab_client(a, pki, dir);
}

static int run(const char *tag, const char *scn, const char *const *extra, char *report, size_t cap)
{
	char out[600];
	struct proc_args a = { 0 };
	run_args(&a, tag, scn, report, cap);
	args_add_list(&a, extra);
	proc_path(out, sizeof(out), tag);
	strcat(out, ".out");
	int rc = proc_run(a.v, out, NULL, TIMEOUT_MS, NULL);
	if (rc > 1)
		proc_show_log(tag, out, 2500);
	return rc;
}

static const cJSON *at(const cJSON *o, const char *k)
{
	return cJSON_GetObjectItemCaseSensitive(o, k);
}

/* The renewal check of the cluster: serial pinned, names, 30 days; an OPTIONS per call,
 * a connection per call, calls spread round the nodes. */
static void renewal_scenario(char *path, size_t cap, unsigned calls)
{
	char json[1400];
	snprintf(path, cap, "%s/renewal-%u.json", proc_tmpdir(), calls);
	snprintf(json, sizeof(json),
		 "{\"name\": \"cluster-renewal\",\n"
		 " \"target\": {\"hosts\": [\"127.0.0.2:%u\", {\"host\": \"127.0.0.3\", \"port\": %u},\n"
		 "   {\"host\": \"127.0.0.4\", \"port\": %u, \"server_name\": \"uas.trunkload.test\"}],\n"
		 "   \"server_name\": \"uas.trunkload.test\"},\n"
		 " \"tls\": {\"expect_peer\": {\"names\": \"uas.trunkload.test\", \"serial\": \"%s\",\n"
		 "   \"min_days_valid\": 30}},\n"
		 " \"transport\": {\"mode\": \"per_call\"},\n"
		 " \"load\": {\"rate\": 20, \"calls\": %u},\n"
		 " \"call\": {\"flow\": [{\"send\": \"OPTIONS\"}, {\"expect\": 200, \"timeout_ms\": 5000}]}}\n",
		 port, port, port, serial, calls);
	CU_ASSERT_FATAL(proc_write_file(path, json) == 0);
}

/* "127.0.0.3:PORT" of node i. */
static const char *where(unsigned i)
{
	static char buf[NODES][32];
	snprintf(buf[i], sizeof(buf[i]), "%s:%u", node_addr(i), port);
	return buf[i];
}

/* Node 1 presents an expired certificate, node 2 a valid one with another serial. */
static void renewal_finds_each_node(void)
{
	CU_ASSERT_FATAL(start_node(0, "server") && start_node(1, "server-expired") &&
			start_node(2, "server-rsa2048"));
	char scn[600], report[600], status[16], observed[200];
	renewal_scenario(scn, sizeof(scn), 6);
	int rc = run("renewal-bad", scn, NULL, report, sizeof(report));
	CHECK(rc == 1, "two nodes not renewed: the run fails (got %d)", rc);
	cJSON *root = proc_load_json(report);
	CU_ASSERT_PTR_NOT_NULL_FATAL(root);
	const cJSON *tls = at(root, "tls"), *it;
	bool other_serial[NODES] = { false }, expired_at[NODES] = { false };
	cJSON_ArrayForEach(it, at(tls, "peers")) {
		const cJSON *sn = at(it, "serial"), *w = at(it, "seen_at");
		for (unsigned i = 0; i < NODES; i++)
			if (cJSON_IsString(w) && !strcmp(w->valuestring, where(i)))
				other_serial[i] = cJSON_IsString(sn) && strcmp(sn->valuestring, serial);
	}
	CHECK(!other_serial[0] && other_serial[1] && other_serial[2],
	      "another serial than the pinned one at exactly nodes 1 and 2 (%d %d %d)", other_serial[0],
	      other_serial[1], other_serial[2]);
	cJSON_ArrayForEach(it, at(tls, "findings")) {
		const cJSON *code = at(it, "code"), *w = at(it, "seen_at");
		for (unsigned i = 0; i < NODES; i++)
			if (cJSON_IsString(code) && !strcmp(code->valuestring, "expired") &&
			    cJSON_IsString(w) && !strcmp(w->valuestring, where(i)))
				expired_at[i] = true;
	}
	CHECK(!expired_at[0] && expired_at[1] && !expired_at[2],
	      "the finding expired attributed to node 1 alone (%d %d %d)", expired_at[0], expired_at[1],
	      expired_at[2]);
	const cJSON *dests = at(at(root, "target"), "destinations");
	CHECK(cJSON_GetArraySize(dests) == NODES, "target.destinations lists the %d nodes (got %d)",
	      NODES, cJSON_GetArraySize(dests));
	for (unsigned i = 0; i < NODES && cJSON_GetArraySize(dests) == NODES; i++) {
		const cJSON *d = cJSON_GetArrayItem(dests, (int)i);
		CHECK(proc_num(d, "calls") == 2, "round robin: node %u took 2 of the 6 calls (got %g)", i,
		      proc_num(d, "calls"));
		/* we refuse the expired certificate; the others answer the OPTIONS */
		CHECK(proc_num(d, "failed") == (i == 1 ? 2 : 0), "node %u: %g failed", i, proc_num(d, "failed"));
		CHECK(i != 1 || proc_num(d, "tls_failures") == 2, "node 1: 2 TLS failures (got %g)",
		      proc_num(d, "tls_failures"));
	}
	cJSON_Delete(root);
	int got = proc_report_check(report, "tls.peer.serial", status, sizeof(status), observed,
				    sizeof(observed));
	CHECK(got == 0 && !strcmp(status, "fail") && strstr(observed, "2 more") == NULL &&
		      strstr(observed, "1 more of the 3 certificates"),
	      "tls.peer.serial fails for 2 of the 3 certificates (%s: %s)", status, observed);
	got = proc_report_check(report, "tls.peer.destinations", status, sizeof(status), observed,
				sizeof(observed));
	CHECK(got == 0 && !strcmp(status, "pass"), "every node presented a certificate (%s: %s)",
	      status, observed);
}

/* Every node renewed: the same check passes; with 2 calls for 3 nodes it cannot. */
static void renewal_passes_on_every_node(void)
{
	CU_ASSERT_FATAL(start_node(1, "server") && start_node(2, "server"));
	char scn[600], report[600], status[16], observed[200];
	renewal_scenario(scn, sizeof(scn), 3);
	int rc = run("renewal-good", scn, NULL, report, sizeof(report));
	CHECK(rc == 0, "every node renewed: the run passes (got %d)", rc);
	if (rc)
		proc_show_failed_checks(report);
	renewal_scenario(scn, sizeof(scn), 2);
	rc = run("renewal-short", scn, NULL, report, sizeof(report));
	CHECK(rc == 1, "2 calls for 3 nodes: the run fails (got %d)", rc);
	int got = proc_report_check(report, "tls.peer.destinations", status, sizeof(status),
				    observed, sizeof(observed));
	CHECK(got == 0 && !strcmp(status, "fail") && strstr(observed, where(2)),
	      "tls.peer.destinations fails, naming node 2 (%s: %s)", status, observed);
}

/* The built-in call (INVITE, 180, 200, ACK, BYE) without its media phase. */
static const char *const no_media[] = { "--media-ms", "0", NULL };

/* Weights 2:1:1 over a trunk of one connection to each node: 40 calls are 20/10/10,
 * and the thresholds of one destination are judged on its own calls. */
static void calls_spread_by_weight(void)
{
	char scn[600], json[1400], report[600], status[16], observed[200];
	proc_path(scn, sizeof(scn), "weighted.json");
	snprintf(json, sizeof(json),
		 "{\"name\": \"weighted\",\n"
		 " \"target\": {\"hosts\": [{\"host\": \"127.0.0.2\", \"port\": %u, \"weight\": 2},\n"
		 "   {\"host\": \"127.0.0.3\", \"port\": %u, \"weight\": 1},\n"
		 "   {\"host\": \"127.0.0.4\", \"port\": %u, \"weight\": 1}],\n"
		 "   \"distribution\": \"weighted\", \"server_name\": \"uas.trunkload.test\"},\n"
		 " \"load\": {\"rate\": 100, \"calls\": 40},\n"
		 " \"thresholds\": {\"calls.failed\": {\"max\": 0},\n"
		 "   \"calls.completed@127.0.0.2:%u\": {\"min\": 20, \"max\": 20},\n"
		 "   \"latency_ms.invite_to_200@127.0.0.3:%u\": {\"p99\": {\"max\": 2000}}}}\n",
		 port, port, port, port, port);
	CU_ASSERT_FATAL(proc_write_file(scn, json) == 0);
	int rc = run("weighted", scn, no_media, report, sizeof(report));
	CHECK(rc == 0, "the weighted run passes (got %d)", rc);
	if (rc)
		proc_show_failed_checks(report);
	static const double want[NODES] = { 20, 10, 10 };
	for (unsigned i = 0; i < NODES; i++) {
		char key[64];
		double v = -1;
		snprintf(key, sizeof(key), "target.destinations.%u.completed", i);
		proc_json_number(report, key, &v);
		CHECK(v == want[i], "node %u completed %g of 40 calls (want %g)", i, v, want[i]);
	}
	char name[64];
	snprintf(name, sizeof(name), "calls.completed@%s", where(0));
	int got = proc_report_check(report, name, status, sizeof(status), observed, sizeof(observed));
	CHECK(got == 0 && !strcmp(status, "pass") && !strcmp(observed, "20"),
	      "%s judges node 0's own 20 calls (%s: %s)", name, status, observed);
}

/* Failover: every call to node 0 while it is up; it dies 2 s into the run and the calls
 * go on at node 1 (node 2 never gets one); back 2 s later, it takes them again. --target
 * names the list here. */
static void failover_moves_calls(void)
{
	char scn[600], json[900], report[600], out[600], status[16], observed[200], list[128];
	proc_path(scn, sizeof(scn), "failover.json");
	snprintf(json, sizeof(json),
		 "{\"name\": \"failover\",\n"
		 " \"target\": {\"distribution\": \"failover\", \"server_name\": \"uas.trunkload.test\"},\n"
		 " \"load\": {\"rate\": 50, \"duration_s\": 8},\n"
		 " \"thresholds\": {\"calls.attempted@127.0.0.4:%u\": {\"min\": 1}}}\n", port);
	CU_ASSERT_FATAL(proc_write_file(scn, json) == 0);
	snprintf(list, sizeof(list), "%s,%s,%s", where(0), where(1), where(2));
	struct proc_args a = { 0 };
	run_args(&a, "failover", scn, report, sizeof(report));
	args_add(&a, "--target");
	args_add(&a, "%s", list);
	args_add_list(&a, no_media);
	proc_path(out, sizeof(out), "failover.out");
	pid_t run_pid = proc_spawn(a.v, out, false);
	CU_ASSERT_FATAL(run_pid > 0);
	proc_nap_ms(2000);
	proc_stop(node_pid[0], SIGKILL, 2000); /* a node that dies, not one that says goodbye */
	node_pid[0] = -1;
	proc_nap_ms(2000);
	CU_ASSERT(start_node(0, "server"));
	int rc = proc_wait(run_pid, TIMEOUT_MS);
	CHECK(rc == 1, "the run fails (its threshold on node 2), got %d", rc);
	if (rc > 1)
		proc_show_log("failover", out, 2500);
	double calls[NODES], completed[NODES], down = -1, failed = -1;
	for (unsigned i = 0; i < NODES; i++) {
		char key[64];
		calls[i] = completed[i] = -1;
		snprintf(key, sizeof(key), "target.destinations.%u.calls", i);
		proc_json_number(report, key, &calls[i]);
		snprintf(key, sizeof(key), "target.destinations.%u.completed", i);
		proc_json_number(report, key, &completed[i]);
	}
	proc_json_number(report, "target.destinations.0.went_down", &down);
	proc_json_number(report, "calls.failed", &failed);
	/* 400 calls: about 100 on node 0, then 100-150 on node 1 (until node 0 is back and
	 * its trunk connection reconnected, within a second), the rest on node 0 again */
	CHECK(calls[0] >= 200 && calls[0] <= 320, "node 0 took its calls before and after (%g)",
	      calls[0]);
	CHECK(completed[1] >= 80, "node 1 took the calls while node 0 was down (%g)", completed[1]);
	CHECK(calls[2] == 0, "node 2 got none: node 1 was up (%g)", calls[2]);
	CHECK(down == 1, "node 0 went down once (%g)", down);
	CHECK(failed >= 0 && failed <= 5, "at most the calls in progress on node 0 failed (%g)", failed);
	char name[64];
	snprintf(name, sizeof(name), "calls.attempted@%s", where(2));
	int got = proc_report_check(report, name, status, sizeof(status), observed, sizeof(observed));
	CHECK(got == 0 && !strcmp(status, "fail") && !strcmp(observed, "0"),
	      "%s fails: no call went there (%s: %s)", name, status, observed);
	got = proc_report_check(report, "target.destinations", status, sizeof(status), observed,
				sizeof(observed));
	CHECK(got == 0 && !strcmp(status, "warn") && strstr(observed, "went down 1 time"),
	      "target.destinations warns that node 0 went down (%s: %s)", status, observed);
	int others = proc_failed_checks(report, name);
	CHECK(others == (failed > 0 ? 1 : 0), "no other check fails but calls.failed (%d)", others);
}

/* A destination that never answers fails the run, though the others took every call. */
static void dead_destination_fails(void)
{
	char report[600], status[16], observed[200], list[128];
	uint16_t dead = proc_free_port();
	CU_ASSERT_FATAL(dead != 0);
	snprintf(list, sizeof(list), "%s,%s:%u", where(1), node_addr(2), dead);
	const char *const extra[] = { "--target", list, "--server-name", "uas.trunkload.test",
				      "--media-ms", "0", "--calls", "10", "--rate", "20", NULL };
	int rc = run("dead", "", extra, report, sizeof(report));
	CHECK(rc == 1, "one destination never up: the run fails (got %d)", rc);
	double done = -1;
	proc_json_number(report, "target.destinations.0.completed", &done);
	CHECK(done == 10, "the other destination completed the 10 calls (%g)", done);
	int got = proc_report_check(report, "target.destinations", status, sizeof(status), observed,
				    sizeof(observed));
	CHECK(got == 0 && !strcmp(status, "fail") && strstr(observed, "never came up"),
	      "target.destinations fails: %s never came up (%s: %s)", list, status, observed);
	CHECK(proc_failed_checks(report, "target.destinations") == 0, "nothing else fails");
}

static const struct tl_case cases[] = {
	{ "renewal_finds_each_node", renewal_finds_each_node },
	{ "renewal_passes_on_every_node", renewal_passes_on_every_node },
	{ "calls_spread_by_weight", calls_spread_by_weight },
	{ "failover_moves_calls", failover_moves_calls },
	{ "dead_destination_fails", dead_destination_fails },
};

/* The serial of the lab's server.crt, from `trunkload pki show`. */
static bool read_serial(void)
{
	char out[512], cert[600];
	proc_path(out, sizeof(out), "server-show.txt");
	snprintf(cert, sizeof(cert), "%s/server.crt", pki);
	char *argv[] = { TL_BINARY, "pki", "show", cert, NULL };
	if (proc_run(argv, out, NULL, 10000, NULL))
		return false;
	char *text = proc_read_file(out);
	const char *s = text ? strstr(text, "serial: ") : NULL;
	if (s)
		sscanf(s + 8, "%79[0-9A-Fa-f]", serial);
	free(text);
	return serial[0] != 0;
}

int main(void)
{
	if (!proc_tmpdir() || lab_pki("pki", pki, sizeof(pki)) || !read_serial())
		return 1;
	port = proc_free_port();
	if (!port)
		return 1;
	int rc = tl_run("destinations", TL_CASES(cases));
	proc_cleanup_all();
	return rc;
}
