/* The negative certificate matrix against trunkload uas, for TLS 1.2 and 1.3:
 * every client certificate the far end must refuse is refused (the shipped
 * scenarios/negative/ pass), and every bad certificate the far end presents makes
 * the run fail with the finding that names it. */
#include "proc.h"
#include "tl_test.h"
#include <signal.h>
#include <stdlib.h>
#include <string.h>

#define TIMEOUT_MS 60000

static char pki[512];

static pid_t uas(const char *cert, const char *const *extra, uint16_t *port, const char *tag)
{
	char log[512], name[128];
	snprintf(name, sizeof(name), "uas-%s.log", tag);
	pid_t pid = lab_uas(pki, cert, extra, proc_path(log, sizeof(log), name), port);
	CU_ASSERT_FATAL(pid > 0);
	return pid;
}

/* Our certificate is bad: the shipped negative scenario must pass (exit 0), the far
 * end having refused every attempt, with an alert received. */
struct refused_case {
	const char *scenario;       /* scenarios/negative/<name>.json */
	const char *uas_flags[3];
	const char *extra[3];
};

static const struct refused_case refused[] = {
	{ "client-expired", { NULL }, { NULL } },
	{ "client-notyet", { NULL }, { NULL } },
	{ "client-selfsigned", { NULL }, { NULL } },
	{ "client-untrusted", { NULL }, { NULL } },
	{ "client-legacy", { NULL }, { NULL } },
	{ "client-wrongname", { "--expect-peer-subject", "uac.trunkload.test,cucm-b.example.com" }, { NULL } },
	{ "no-client-cert", { NULL }, { NULL } },
};

static void our_bad_certificates_are_refused(void)
{
	static const char *const versions[] = { "1.2", "1.3" };
	for (size_t v = 0; v < 2; v++) {
		for (size_t i = 0; i < sizeof(refused) / sizeof(refused[0]); i++) {
			proc_cleanup_all();
			const struct refused_case *k = &refused[i];
			char tag[96], dir[512], out[600], report[600];
			snprintf(tag, sizeof(tag), "%s-tls%s", k->scenario, versions[v]);
			uint16_t port;
			uas("server", k->uas_flags, &port, tag);
			proc_path(dir, sizeof(dir), tag);
			snprintf(out, sizeof(out), "%s.out", dir);
			snprintf(report, sizeof(report), "%s/report.json", dir);
			struct proc_args a = { 0 };
			args_add(&a, "%s", TL_BINARY);
			args_add(&a, "run");
			args_add(&a, "%s/scenarios/negative/%s.json", TL_SOURCE_DIR, k->scenario);
			args_add(&a, "--target");
			args_add(&a, "127.0.0.1:%u", port);
			args_add(&a, "--ca");
			args_add(&a, "%s/ca.crt", pki);
			if (strcmp(k->scenario, "no-client-cert"))
				args_identity(&a, pki, k->scenario);
			args_add(&a, "--tls-version");
			args_add(&a, "%s", versions[v]);
			args_add(&a, "--calls");
			args_add(&a, "2");
			args_add(&a, "--threads");
			args_add(&a, "1");
			args_add(&a, "--report-dir");
			args_add(&a, "%s", dir);
			int rc = proc_run(a.v, out, NULL, TIMEOUT_MS, NULL);
			CHECK(rc == 0, "%s: the negative test passes (exit 0, got %d)", tag, rc);
			const struct proc_expect want[] = {
				EXPECT_EQ("tls.handshake_outcomes.refused_alert", 2),
				EXPECT_KEY_PREFIX("tls.alerts", "received:"),
				EXPECT_STR("verdict", "pass"),
				{ 0 },
			};
			if (proc_expect_json(report, want) || rc)
				proc_show_log(tag, out, 2500);
		}
	}
	proc_cleanup_all();
}

/* `trunkload run` without a scenario file: one call, no media, one worker, as the
 * lab's client towards 127.0.0.1:port; server_name may be NULL (no --server-name). */
static void one_call_args(struct proc_args *a, const char *lab, uint16_t port,
			  const char *server_name, const char *report_dir)
{
	args_add(a, "%s", TL_BINARY);
	args_add(a, "run");
	args_add(a, "--target");
	args_add(a, "127.0.0.1:%u", port);
	if (server_name) {
		args_add(a, "--server-name");
		args_add(a, "%s", server_name);
	}
	args_add(a, "--ca");
	args_add(a, "%s/ca.crt", lab);
	args_identity(a, lab, "client");
	static const char *const rest[] = { "--calls", "1", "--media-ms", "0", "--threads", "1", NULL };
	args_add_list(a, rest);
	args_add(a, "--report-dir");
	args_add(a, "%s", report_dir);
}

/* The far end's certificate is bad: a normal run fails with the finding. */
struct flagged_case {
	const char *cert;     /* what the responder presents */
	const char *finding;  /* tls.findings[].code that must be there */
	const char *uas_flags[3];
	const char *run_flags[3];
};

static const struct flagged_case flagged[] = {
	{ "server-expired", "expired", { NULL }, { NULL } },
	{ "server-notyet", "not_yet_valid", { NULL }, { NULL } },
	{ "server-wrongname", "name_mismatch", { NULL }, { NULL } },
	{ "server-selfsigned", "self_signed", { NULL }, { NULL } },
	{ "server-untrusted", "untrusted", { NULL }, { NULL } },
	/* legacy is reached on purpose (level 0 both ends), then flagged as weak */
	{ "server-legacy", "weak_key", { "--security-level", "0" }, { "--security-level", "0" } },
};

static void far_end_bad_certificates_are_flagged(void)
{
	for (size_t i = 0; i < sizeof(flagged) / sizeof(flagged[0]); i++) {
		proc_cleanup_all();
		const struct flagged_case *k = &flagged[i];
		uint16_t port;
		uas(k->cert, k->uas_flags, &port, k->cert);
		char dir[512], out[600], report[600];
		proc_path(dir, sizeof(dir), k->cert);
		snprintf(out, sizeof(out), "%s.out", dir);
		snprintf(report, sizeof(report), "%s/report.json", dir);
		struct proc_args a = { 0 };
		one_call_args(&a, pki, port, "uas.trunkload.test", dir);
		args_add_list(&a, k->run_flags);
		int rc = proc_run(a.v, out, NULL, TIMEOUT_MS, NULL);
		char *text = proc_read_file(report);
		char code[64];
		snprintf(code, sizeof(code), "\"code\":\t\"%s\"", k->finding);
		bool has = text && strstr(text, code);
		CHECK(has, "%s: report.json has the finding %s", k->cert, k->finding);
		/* a legacy far end only warns; the others make the run fail */
		int want = strcmp(k->finding, "weak_key") ? 1 : 0;
		CHECK(rc == want, "%s: the run exits %d (got %d)", k->cert, want, rc);
		if (!has || rc != want)
			proc_show_log(k->cert, out, 2500);
		free(text);
	}
	proc_cleanup_all();
}

/* A far end expected to present a bad certificate: the run passes when the finding
 * is the one expected, and fails when another is expected. */
static void expected_finding_passes(void)
{
	proc_cleanup_all();
	uint16_t port;
	uas("server-expired", NULL, &port, "expect-expired");
	static const struct { const char *json; int want; } runs[] = {
		{ "{\"name\":\"x\",\"tls\":{\"expect_peer\":{\"findings\":[\"untrusted\"]}},\"load\":{\"calls\":1}}", 1 },
		{ NULL, 0 }, /* the fixture, which expects "expired" */
	};
	for (size_t i = 0; i < 2; i++) {
		char scn[512], dir[512], out[600];
		if (runs[i].json) {
			proc_path(scn, sizeof(scn), "expect-untrusted.json");
			FILE *f = fopen(scn, "w");
			CU_ASSERT_FATAL(f != NULL);
			fputs(runs[i].json, f);
			fclose(f);
		} else {
			snprintf(scn, sizeof(scn), "%s/tests/integration/fixtures/expect-expired.json", TL_SOURCE_DIR);
		}
		proc_path(dir, sizeof(dir), i ? "expect-expired" : "expect-untrusted");
		snprintf(out, sizeof(out), "%s.out", dir);
		struct proc_args a = { 0 };
		args_add(&a, "%s", TL_BINARY);
		args_add(&a, "run");
		args_add(&a, "%s", scn);
		args_add(&a, "--target");
		args_add(&a, "127.0.0.1:%u", port);
		args_add(&a, "--ca");
		args_add(&a, "%s/ca.crt", pki);
		args_identity(&a, pki, "client");
		args_add(&a, "--media-ms");
		args_add(&a, "0");
		args_add(&a, "--report-dir");
		args_add(&a, "%s", dir);
		int rc = proc_run(a.v, out, NULL, TIMEOUT_MS, NULL);
		CHECK(rc == runs[i].want, "%s: exit %d (got %d)", scn, runs[i].want, rc);
		if (rc != runs[i].want)
			proc_show_log(scn, out, 2000);
	}
	proc_cleanup_all();
}

/* Without a scenario file, --target's host is the name the far end's certificate must
 * carry; --server-name replaces it. The far end here is cucm-b.example.com, with
 * 127.0.0.1 among its subjectAltNames and not the lab's uas.trunkload.test. */
static void target_host_is_the_name_checked(void)
{
	proc_cleanup_all();
	char pki_b[512], pki_out[600];
	proc_path(pki_b, sizeof(pki_b), "pki-cucm-b");
	snprintf(pki_out, sizeof(pki_out), "%s.out", pki_b);
	char *pki_argv[] = { (char *)TL_BINARY, (char *)"pki", pki_b, (char *)"--server-name",
			     (char *)"cucm-b.example.com", NULL };
	CU_ASSERT_FATAL(proc_run(pki_argv, pki_out, NULL, TIMEOUT_MS, NULL) == 0);
	char log[512];
	uint16_t port;
	pid_t pid = lab_uas(pki_b, "server", NULL, proc_path(log, sizeof(log), "uas-cucm-b.log"), &port);
	CU_ASSERT_FATAL(pid > 0);
	static const char *const names[] = { NULL, "uas.trunkload.test" };
	for (size_t i = 0; i < 2; i++) {
		char dir[512], out[600], report[600];
		proc_path(dir, sizeof(dir), names[i] ? "name-flag" : "name-host");
		snprintf(out, sizeof(out), "%s.out", dir);
		snprintf(report, sizeof(report), "%s/report.json", dir);
		struct proc_args a = { 0 };
		one_call_args(&a, pki_b, port, names[i], dir);
		int rc = proc_run(a.v, out, NULL, TIMEOUT_MS, NULL);
		int want = names[i] ? 1 : 0;
		CHECK(rc == want, "%s: the run exits %d (got %d)", dir, want, rc);
		const struct proc_expect want_host[] = {
			EXPECT_STR("target.server_name", "127.0.0.1"),
			EXPECT_STR("tls.peer.subject_cn", "cucm-b.example.com"),
			EXPECT_EQ("calls.completed", 1),
			{ 0 },
		};
		const struct proc_expect want_flag[] = {
			EXPECT_STR("target.server_name", "uas.trunkload.test"),
			EXPECT_EQ("calls.completed", 0),
			{ 0 },
		};
		if (proc_expect_json(report, names[i] ? want_flag : want_host) || rc != want)
			proc_show_log(dir, out, 2500);
	}
	proc_cleanup_all();
}

static const struct tl_case cases[] = {
	{ "target_host_is_the_name_checked", target_host_is_the_name_checked },
	{ "expected_finding_passes", expected_finding_passes },
	{ "our_bad_certificates_are_refused", our_bad_certificates_are_refused },
	{ "far_end_bad_certificates_are_flagged", far_end_bad_certificates_are_flagged },
};

int main(void)
{
	if (!proc_tmpdir())
		return 1;
	if (lab_pki("pki", pki, sizeof(pki)))
		return 1;
	return tl_run("negative", TL_CASES(cases));
}
