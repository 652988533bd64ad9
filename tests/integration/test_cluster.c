/* A far end of several certificates, as a call manager cluster is (each node presents
 * its own; a renewal may have reached some of them only). Two `trunkload uas` share
 * one port (--share-port: the kernel spreads new connections over them), one
 * presenting the lab's server certificate, the other server-cnonly (the same name, in
 * its CN only). A per-call run meets both: its report lists each distinct certificate
 * with its handshakes, the findings are those of every certificate (cn_only, whichever
 * came first), and a pinned serial passes only when every certificate is one of the
 * pins. */
#include "proc.h"
#include "tl_test.h"
#include <cjson/cJSON.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define TIMEOUT_MS 60000
#define START_MS 10000
#define CALLS 24 /* all on one of two responders: 2 in 2^24 */

static char pki[512];
static uint16_t port;
static char serial[2][80]; /* of server.crt and of server-cnonly.crt, from the first run */

/* Listening TCP sockets on 127.0.0.1:port, from /proc/net/tcp. */
static unsigned listeners(uint16_t p)
{
	FILE *f = fopen("/proc/net/tcp", "r");
	char line[256];
	unsigned n = 0, local_port, state;
	while (f && fgets(line, sizeof(line), f))
		if (sscanf(line, " %*u: %*8x:%4x %*8x:%*4x %2x", &local_port, &state) == 2 &&
		    local_port == p && state == 0x0A)
			n++;
	if (f)
		fclose(f);
	return n;
}

static pid_t start_uas(const char *cert, unsigned want_listeners)
{
	char log[512], name[64];
	snprintf(name, sizeof(name), "uas-%s.log", cert);
	proc_path(log, sizeof(log), name);
	struct proc_args a = { 0 };
	args_add(&a, "%s", TL_BINARY);
	args_add(&a, "uas");
	args_add(&a, "--listen");
	args_add(&a, "127.0.0.1:%u", port);
	args_add_list(&a, (const char *const[]){ "--threads", "1", "--share-port", NULL });
	args_identity(&a, pki, cert);
	args_add(&a, "--ca");
	args_add(&a, "%s/ca.crt", pki);
	pid_t pid = proc_spawn(a.v, log, false);
	for (int waited = 0; pid > 0 && listeners(port) < want_listeners; waited += 20) {
		if (waited >= START_MS) {
			proc_show_log("trunkload uas", log, 2000);
			return -1;
		}
		proc_nap_ms(20);
	}
	return pid;
}

/* A per-call run of CALLS calls, without media, with the scenario file scn (NULL: the
 * built-in call). Returns its exit status. */
static int run(const char *tag, const char *scn, char *report, size_t cap)
{
	char dir[512], out[600];
	proc_path(dir, sizeof(dir), tag);
	snprintf(out, sizeof(out), "%s.out", dir);
	snprintf(report, cap, "%s/report.json", dir);
	struct proc_args a = { 0 };
	args_add(&a, "%s", TL_BINARY);
	args_add(&a, "run");
	if (scn)
		args_add(&a, "%s", scn);
	args_add(&a, "--target");
	args_add(&a, "127.0.0.1:%u", port);
	args_add_list(&a, (const char *const[]){ "--server-name", "uas.trunkload.test", "--mode",
						 "per_call", "--rate", "50", "--media-ms", "0",
						 "--threads", "1", "--calls", NULL });
	args_add(&a, "%d", CALLS);
	args_lab_client(&a, pki, dir);
	int rc = proc_run(a.v, out, NULL, TIMEOUT_MS, NULL);
	if (rc > 1)
		proc_show_log(tag, out, 2500);
	return rc;
}

static const cJSON *member(const cJSON *o, const char *k)
{
	return cJSON_GetObjectItemCaseSensitive(o, k);
}

/* Each distinct certificate once, with its handshakes; every finding of any of them. */
static void every_certificate_reported(void)
{
	char report[600];
	int rc = run("both", NULL, report, sizeof(report));
	/* cn_only is a warning: the calls pass */
	CHECK(rc == 0, "the run against both exits 0 (got %d)", rc);
	char *text = proc_read_file(report);
	cJSON *root = text ? cJSON_Parse(text) : NULL;
	free(text);
	CU_ASSERT_PTR_NOT_NULL_FATAL(root);
	const cJSON *tls = member(root, "tls"), *peers = member(tls, "peers"), *it;
	CHECK(cJSON_GetArraySize(peers) == 2, "tls.peers lists 2 certificates (got %d)",
	      cJSON_GetArraySize(peers));
	double handshakes = 0;
	bool cn_only_cert = false;
	cJSON_ArrayForEach(it, peers) {
		const cJSON *h = member(it, "handshakes"), *san = member(it, "san");
		const cJSON *sn = member(it, "serial"), *where = member(it, "seen_at");
		double n = cJSON_IsNumber(h) ? h->valuedouble : 0;
		CHECK(n >= 1, "each certificate has its handshakes (got %g)", n);
		handshakes += n;
		CHECK(cJSON_IsString(where) && strstr(where->valuestring, "127.0.0.1:"),
		      "each certificate says where it was seen");
		bool no_san = cJSON_IsString(san) && !san->valuestring[0];
		cn_only_cert |= no_san;
		if (cJSON_IsString(sn))
			snprintf(serial[no_san], sizeof(serial[0]), "%s", sn->valuestring);
	}
	CHECK(handshakes == CALLS, "their handshakes add up to the %d calls (got %g)", CALLS,
	      handshakes);
	CHECK(cn_only_cert, "one of them is the certificate without subjectAltName");
	bool found = false;
	cJSON_ArrayForEach(it, member(tls, "findings")) {
		const cJSON *code = member(it, "code"), *where = member(it, "seen_at");
		if (cJSON_IsString(code) && !strcmp(code->valuestring, "cn_only")) {
			found = true;
			CHECK(cJSON_IsString(where), "the finding cn_only says where it was seen");
		}
	}
	CHECK(found, "tls.findings has cn_only, whichever certificate came first");
	cJSON_Delete(root);
	CHECK(serial[0][0] && serial[1][0] && strcmp(serial[0], serial[1]),
	      "the two certificates have two serials (%s, %s)", serial[0], serial[1]);
}

/* A renewal check of the cluster: one serial pinned fails, naming the other
 * certificate; both (a list, one per node) pass. */
static void every_certificate_pinned(void)
{
	CU_ASSERT_FATAL(serial[0][0] && serial[1][0]);
	char scn[600], json[600], report[600], status[16], observed[200];
	proc_path(scn, sizeof(scn), "one-pin.json");
	snprintf(json, sizeof(json),
		 "{\"name\": \"one-pin\", \"tls\": {\"expect_peer\": {\"serial\": \"%s\"}}}", serial[0]);
	CU_ASSERT_FATAL(proc_write_file(scn, json) == 0);
	int rc = run("one-pin", scn, report, sizeof(report));
	CHECK(rc == 1, "one serial pinned: the run fails (got %d)", rc);
	int got = proc_report_check(report, "tls.peer.serial", status, sizeof(status), observed,
				    sizeof(observed));
	CHECK(got == 0 && !strcmp(status, "fail") && strstr(observed, "(from 127.0.0.1:"),
	      "tls.peer.serial fails, naming where the other certificate came from (%s: %s)",
	      status, observed);

	proc_path(scn, sizeof(scn), "both-pins.json");
	snprintf(json, sizeof(json),
		 "{\"name\": \"both-pins\", \"tls\": {\"expect_peer\": {\"serial\": [\"%s\", \"%s\"]}}}",
		 serial[0], serial[1]);
	CU_ASSERT_FATAL(proc_write_file(scn, json) == 0);
	rc = run("both-pins", scn, report, sizeof(report));
	CHECK(rc == 0, "both serials pinned: the run passes (got %d)", rc);
	got = proc_report_check(report, "tls.peer.serial", status, sizeof(status), observed,
				sizeof(observed));
	CHECK(got == 0 && !strcmp(status, "pass") && strstr(observed, "all 2 certificates"),
	      "tls.peer.serial passes for all 2 certificates (%s: %s)", status, observed);
	if (rc)
		proc_show_failed_checks(report);
}

static const struct tl_case cases[] = {
	{ "every_certificate_reported", every_certificate_reported },
	{ "every_certificate_pinned", every_certificate_pinned },
};

int main(void)
{
	if (!proc_tmpdir() || lab_pki("pki", pki, sizeof(pki)))
		return 1;
	port = proc_free_port();
	pid_t good = port ? start_uas("server", 1) : -1;
	pid_t other = good > 0 ? start_uas("server-cnonly", 2) : -1;
	if (good <= 0 || other <= 0) {
		fprintf(stderr, "test_cluster: the two responders did not start\n");
		proc_cleanup_all();
		return 1;
	}
	int rc = tl_run("cluster", TL_CASES(cases));
	proc_stop(good, SIGTERM, 5000);
	proc_stop(other, SIGTERM, 5000);
	return rc;
}
