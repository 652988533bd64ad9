/* The mutual-TLS handshake against a TLS server that is not ours: `openssl s_server
 * -Verify 1` on loopback, which requires a client certificate and prints what it got.
 * s_server does not speak SIP, so each call ends as timeout_200 after 300 ms; what
 * matters is the handshake, seen from both sides. */
#include "proc.h"
#include "tl_test.h"
#include <errno.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define RUN_TIMEOUT_MS 60000

struct handshake_case {
	const char *name;
	bool client_cert;            /* present our lab client certificate */
	int want_exit;
	struct proc_expect want[8];  /* on report.json */
	const char *server_says[4];  /* each must appear in s_server's output */
};

static const struct handshake_case hs_cases[] = {
	{
		/* the call's timeout sends a CANCEL just before the run ends: the close
		 * must not turn this good handshake into a failed one (it once did, with
		 * "write failed: protocol is shutdown") */
		.name = "client_cert_presented_and_verified",
		.client_cert = true,
		.want_exit = 1,
		.want = {
			EXPECT_EQ("tls.handshakes.ok", 1),
			EXPECT_EQ("tls.handshakes.failed", 0),
			EXPECT_STR("tls.peer.subject_cn", "uas.trunkload.test"),
			EXPECT_EQ("calls.failures.timeout_200", 1),
		},
		.server_says = { "CN = uac.trunkload.test", "verify return:1", "Client certificate" },
	},
	{
		.name = "no_client_cert_refused",
		.client_cert = false,
		.want_exit = 1,
		.want = {
			EXPECT_EQ("tls.handshakes.ok", 0),
			EXPECT_GE("tls.handshakes.failed", 1),
			EXPECT_KEY_PREFIX("tls.alerts", "received:"),
			EXPECT_EQ("calls.completed", 0),
		},
		.server_says = { "peer did not return a certificate" },
	},
};

/* s_server writes as it goes; give it a moment to finish a line. */
static bool log_has(const char *log, const char *text, int timeout_ms)
{
	for (int waited = 0;; waited += 50) {
		char *s = proc_read_file(log);
		bool found = s && strstr(s, text);
		free(s);
		if (found || waited >= timeout_ms)
			return found;
		struct timespec ts = { 0, 50 * 1000000L };
		nanosleep(&ts, NULL);
	}
}

static char *pki(char *out, size_t cap, const char *file)
{
	char rel[128];
	snprintf(rel, sizeof(rel), "pki/%s", file);
	return proc_path(out, cap, rel);
}

static void handshake(const struct handshake_case *c)
{
	proc_cleanup_all();
	uint16_t port = proc_free_port();
	CU_ASSERT_FATAL(port != 0);
	char f[512], log[512], out[512], dir[512], report[600], name[128];
	snprintf(name, sizeof(name), "%s-s_server.log", c->name);
	proc_path(log, sizeof(log), name);
	snprintf(name, sizeof(name), "%s.out", c->name);
	proc_path(out, sizeof(out), name);
	proc_path(dir, sizeof(dir), c->name);
	snprintf(report, sizeof(report), "%s/report.json", dir);

	struct proc_args s = { 0 };
	args_add(&s, "openssl");
	args_add(&s, "s_server");
	args_add(&s, "-accept");
	args_add(&s, "127.0.0.1:%u", port);
	args_add(&s, "-cert");
	args_add(&s, "%s", pki(f, sizeof(f), "server.crt"));
	args_add(&s, "-key");
	args_add(&s, "%s", pki(f, sizeof(f), "server.key"));
	args_add(&s, "-CAfile");
	args_add(&s, "%s", pki(f, sizeof(f), "ca.crt"));
	args_add(&s, "-Verify");
	args_add(&s, "1");
	/* s_server quits at the end of its stdin: keep it open */
	pid_t server = proc_spawn(s.v, log, true);
	CU_ASSERT_FATAL(server > 0);
	int rc = proc_wait_port(server, port, 10000);
	if (rc)
		proc_show_log("openssl s_server", log, 3000);
	CHECK(rc == 0, "s_server listens on 127.0.0.1:%u (%s)", port, strerror(-rc));
	CU_ASSERT_FATAL(rc == 0);

	struct proc_args a = { 0 };
	args_add(&a, "%s", TL_BINARY);
	args_add(&a, "run");
	args_add(&a, "%s/tests/integration/fixtures/short-timeout.json", TL_SOURCE_DIR);
	args_add(&a, "--target");
	args_add(&a, "127.0.0.1:%u", port);
	if (c->client_cert) {
		args_add(&a, "--cert");
		args_add(&a, "%s", pki(f, sizeof(f), "client.crt"));
		args_add(&a, "--key");
		args_add(&a, "%s", pki(f, sizeof(f), "client.key"));
	}
	args_add(&a, "--ca");
	args_add(&a, "%s", pki(f, sizeof(f), "ca.crt"));
	args_add(&a, "--calls");
	args_add(&a, "1");
	args_add(&a, "--report-dir");
	args_add(&a, "%s", dir);
	args_add(&a, "--quiet");
	int run_rc = proc_run(a.v, out, NULL, RUN_TIMEOUT_MS, NULL);
	CHECK(run_rc == c->want_exit, "%s: trunkload run exits %d (got %d)", c->name, c->want_exit,
	      run_rc);
	int bad = proc_expect_json(report, c->want);
	for (size_t i = 0; i < 4 && c->server_says[i]; i++) {
		bool said = log_has(log, c->server_says[i], 2000);
		CHECK(said, "%s: s_server's output has \"%s\"", c->name, c->server_says[i]);
		bad += !said;
	}
	if (bad || run_rc != c->want_exit) {
		proc_show_log("trunkload run", out, 2000);
		proc_show_log("openssl s_server", log, 3000);
	}
	proc_stop(server, SIGTERM, 3000);
	proc_cleanup_all();
}

static void client_cert_presented_and_verified(void)
{
	handshake(&hs_cases[0]);
}

static void no_client_cert_refused(void)
{
	handshake(&hs_cases[1]);
}

static const struct tl_case cases[] = {
	{ "client_cert_presented_and_verified", client_cert_presented_and_verified },
	{ "no_client_cert_refused", no_client_cert_refused },
};

int main(void)
{
	if (!proc_have("openssl")) {
		fprintf(stderr, "test_openssl: SKIPPED: the openssl command is not installed\n");
		return 77;
	}
	const char *tmp = proc_tmpdir();
	if (!tmp) {
		perror("test_openssl: mkdtemp");
		return 1;
	}
	char dir[512], out[600];
	proc_path(dir, sizeof(dir), "pki");
	snprintf(out, sizeof(out), "%s.out", dir);
	char *argv[] = { (char *)TL_BINARY, (char *)"pki", dir, NULL };
	int rc = proc_run(argv, out, NULL, RUN_TIMEOUT_MS, NULL);
	if (rc) {
		fprintf(stderr, "test_openssl: trunkload pki exited %d\n", rc);
		proc_show_log("trunkload pki", out, 2000);
		return 1;
	}
	return tl_run("openssl", TL_CASES(cases));
}
