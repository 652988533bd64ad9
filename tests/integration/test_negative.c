/* The negative certificate matrix against trunkload uas, for TLS 1.2 and 1.3:
 * every client certificate the far end must refuse is refused (the shipped
 * scenarios/negative/ pass), and every bad certificate the far end presents makes
 * the run fail with the finding that names it. */
#include "proc.h"
#include "tl_test.h"
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#define TIMEOUT_MS 60000

static char pki[512];

/* Flags with "@/" standing for the lab's directory ("@/crl.pem"), into out. */
struct lab_flags {
	char text[4][600];
	const char *v[5];
};

static const char *const *lab_flags(const char *const *flags, struct lab_flags *out)
{
	size_t n = 0;
	for (; flags && n < 4 && flags[n]; n++) {
		bool in_lab = !strncmp(flags[n], "@/", 2);
		snprintf(out->text[n], sizeof(out->text[n]), "%s%s", in_lab ? pki : "",
			 flags[n] + (in_lab ? 1 : 0));
		out->v[n] = out->text[n];
	}
	out->v[n] = NULL;
	return out->v;
}

static pid_t uas(const char *cert, const char *const *extra, uint16_t *port, const char *tag)
{
	char log[512], name[128];
	snprintf(name, sizeof(name), "uas-%s.log", tag);
	struct lab_flags f;
	pid_t pid = lab_uas(pki, cert, lab_flags(extra, &f), proc_path(log, sizeof(log), name), port);
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
	/* refused by a far end that checks revocation, with certificate_revoked */
	{ "client-revoked", { "--crl", "@/crl.pem" }, { NULL } },
	/* a far end that checks usages refuses a serverAuth-only client certificate */
	{ "client-serverauth-only", { NULL }, { NULL } },
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

/* The far end's certificate is bad: a normal run fails with the finding (or passes,
 * warned, when the finding is a warning). */
struct flagged_case {
	const char *cert;     /* what the responder presents */
	const char *finding;  /* tls.findings[].code that must be there, NULL: none at all */
	const char *uas_flags[3];
	const char *run_flags[3];
	int want_exit;
};

static const struct flagged_case flagged[] = {
	{ "server-expired", "expired", { NULL }, { NULL }, 1 },
	{ "server-notyet", "not_yet_valid", { NULL }, { NULL }, 1 },
	{ "server-wrongname", "name_mismatch", { NULL }, { NULL }, 1 },
	{ "server-selfsigned", "self_signed", { NULL }, { NULL }, 1 },
	{ "server-untrusted", "untrusted", { NULL }, { NULL }, 1 },
	/* legacy is reached on purpose (level 0 both ends), then flagged as weak */
	{ "server-legacy", "weak_key", { "--security-level", "0" }, { "--security-level", "0" }, 0 },
	/* revoked in the CRL we are given */
	{ "server-revoked", "revoked", { NULL }, { "--crl", "@/crl.pem" }, 1 },
	/* a two-tier CA: the leaf alone names its missing issuer; leaf and intermediate pass,
	 * with every issuer's CRL checked too */
	{ "server-ica", "incomplete_chain", { NULL }, { NULL }, 1 },
	{ "server-ica-chain", NULL, { NULL }, { "--crl", "@/crl.pem" }, 0 },
	{ "server-ica-chain-misordered", "chain_order", { NULL }, { NULL }, 0 },
	/* the name only in the CN: matched, with a warning */
	{ "server-cnonly", "cn_only", { NULL }, { NULL }, 0 },
	/* only ca's CRL while the chain comes through ica: checked as far as it goes */
	{ "server-ica-chain", "revocation_unchecked", { NULL }, { "--crl", "@/crl-ca-only.pem" }, 0 },
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
		struct lab_flags f;
		args_add_list(&a, lab_flags(k->run_flags, &f));
		int rc = proc_run(a.v, out, NULL, TIMEOUT_MS, NULL);
		char *text = proc_read_file(report);
		char code[64];
		snprintf(code, sizeof(code), "\"code\":\t\"%s\"", k->finding ? k->finding : "");
		/* tls.findings is the first "findings" of the report (tls.peers' come after) */
		const char *first = text ? strstr(text, "\"findings\":") : NULL;
		bool has = text && (k->finding ? strstr(text, code) != NULL
					       : first && !strncmp(first, "\"findings\":\t[]", 14));
		CHECK(has, "%s: report.json has %s%s", k->cert, k->finding ? "the finding " : "no finding",
		      k->finding ? k->finding : "");
		CHECK(rc == k->want_exit, "%s: the run exits %d (got %d)", k->cert, k->want_exit, rc);
		if (!has || rc != k->want_exit) {
			proc_show_log(k->cert, out, 2500);
			proc_show_json(report, "tls.findings");
		}
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

/* Writes <pki>/name from pieces of lab files: each piece is a file, or its first PEM
 * block only when it ends in ":1". 0 or -1. */
static int lab_join(const char *name, const char *const *pieces)
{
	char path[600];
	snprintf(path, sizeof(path), "%s/%s", pki, name);
	FILE *out = fopen(path, "w");
	int rc = out ? 0 : -1;
	for (size_t i = 0; !rc && pieces[i]; i++) {
		char file[600];
		size_t len = strcspn(pieces[i], ":");
		bool first_only = pieces[i][len] == ':';
		snprintf(file, sizeof(file), "%s/%.*s", pki, (int)len, pieces[i]);
		char *text = proc_read_file(file);
		char *end = text && first_only ? strstr(text, "-----END ") : NULL;
		if (end && (end = strchr(end + 9, '\n')))
			end[1] = 0;
		rc = text && fputs(text, out) >= 0 ? 0 : -1;
		free(text);
	}
	if (out && fclose(out))
		rc = -1;
	return rc;
}

/* A CRL from the openssl CLI ("openssl ca -gencrl"), signed by the lab CA stem, with
 * the given extra arguments (dates). 0 or -1. */
static int openssl_crl(const char *name, const char *ca, const char *const *dates)
{
	char dir[600], cnf[700], index[700], crt[600], key[600], out[600], log[800];
	snprintf(dir, sizeof(dir), "%s/openssl-ca", pki);
	mkdir(dir, 0700);
	snprintf(cnf, sizeof(cnf), "%s/ca.cnf", dir);
	snprintf(index, sizeof(index), "%s/index.txt", dir);
	FILE *f = fopen(index, "w");
	FILE *c = fopen(cnf, "w");
	if (f)
		fclose(f);
	if (c) {
		fprintf(c, "[ca]\ndefault_ca = lab\n[lab]\ndatabase = %s\ndefault_md = sha256\n", index);
		fclose(c);
	}
	snprintf(crt, sizeof(crt), "%s/%s.crt", pki, ca);
	snprintf(key, sizeof(key), "%s/%s.key", pki, ca);
	snprintf(out, sizeof(out), "%s/%s", pki, name);
	snprintf(log, sizeof(log), "%s/%s.log", dir, name);
	struct proc_args a = { 0 };
	args_add_list(&a, (const char *const[]){ "openssl", "ca", "-config", cnf, "-gencrl", "-cert",
						 crt, "-keyfile", key, "-out", out, NULL });
	args_add_list(&a, dates);
	int rc = f && c ? proc_run(a.v, log, log, TIMEOUT_MS, NULL) : -1;
	if (rc)
		proc_show_log("openssl ca -gencrl", log, 2000);
	return rc ? -1 : 0;
}

/* Beside the lab: a chain sent out of order, CRL files of one CA, expired, of a CA
 * nobody trusts, and damaged. 0 or -1 (said why). */
static int lab_extras(void)
{
	int rc = lab_join("server-ica-chain-misordered.crt",
			  (const char *const[]){ "server-ica.crt", "ca.crt", "ica.crt", NULL }) ||
		 lab_join("crl-ca-only.pem", (const char *const[]){ "crl.pem:1", NULL }) ||
		 openssl_crl("crl-expired.pem", "ca",
			     (const char *const[]){ "-crl_lastupdate", "20200101000000Z",
						    "-crl_nextupdate", "20200102000000Z", NULL }) ||
		 openssl_crl("crl-other.pem", "ca-other",
			     (const char *const[]){ "-crldays", "30", NULL });
	char path[600];
	snprintf(path, sizeof(path), "%s/crl.pem", pki);
	char *text = rc ? NULL : proc_read_file(path);
	char *body = text ? strstr(text, "-----\n") : NULL;
	if (body && strlen(body) > 20) { /* one base64 character that is none */
		body[12] = '#';
		snprintf(path, sizeof(path), "%s/crl-damaged.pem", pki);
		FILE *f = fopen(path, "w");
		rc = !f || fputs(text, f) < 0;
		if (f && fclose(f))
			rc = 1;
	} else {
		rc = 1;
	}
	free(text);
	if (rc)
		fprintf(stderr, "test_negative: cannot write the lab's extra files in %s\n", pki);
	return rc ? -1 : 0;
}

/* A --crl file that is not fit for use: exit 2, naming the file and why. */
static void unusable_crl_is_refused(void)
{
	static const struct {
		const char *file, *says;
	} bad[] = {
		{ "ca.crt", "holds no CRL" },
		{ "crl-expired.pem", "expired on 2020-01-02T00:00:00Z" },
		{ "crl-other.pem", "signed by none of the CAs" },
		{ "crl-damaged.pem", "does not parse" },
		{ "no-such-crl.pem", "cannot read the CRL file" },
	};
	static const char *const commands[] = { "run", "probe", "uas" };
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		for (size_t c = 0; c < 3; c++) {
			char file[600], out[512], name[64];
			snprintf(file, sizeof(file), "%s/%s", pki, bad[i].file);
			snprintf(name, sizeof(name), "crl-%zu-%s.out", i, commands[c]);
			proc_path(out, sizeof(out), name);
			struct proc_args a = { 0 };
			args_add(&a, "%s", TL_BINARY);
			args_add(&a, "%s", commands[c]);
			if (c == 1)
				args_add(&a, "127.0.0.1:1");
			else if (c == 2) {
				args_add(&a, "--listen");
				args_add(&a, "127.0.0.1:%u", proc_free_port());
			}
			args_identity(&a, pki, c == 2 ? "server" : "client");
			args_add(&a, "--ca");
			args_add(&a, "%s/ca.crt", pki);
			args_add(&a, "--crl");
			args_add(&a, "%s", file);
			int rc = proc_run(a.v, NULL, out, TIMEOUT_MS, NULL);
			char *said = proc_read_file(out);
			bool named = said && strstr(said, file) && strstr(said, bad[i].says);
			CHECK(rc == 2, "%s --crl %s: exit 2 (got %d)", commands[c], bad[i].file, rc);
			CHECK(named, "%s --crl %s: names the file and says \"%s\"", commands[c],
			      bad[i].file, bad[i].says);
			if (rc != 2 || !named)
				proc_show_log(commands[c], out, 1000);
			free(said);
		}
	proc_cleanup_all();
}

/* The value after "tag=" in openssl x509's output for a lab certificate, into out. */
static int x509_field(const char *stem, const char *flag, const char *tag, char *out, size_t cap)
{
	char crt[600], log[600];
	snprintf(crt, sizeof(crt), "%s/%s.crt", pki, stem);
	snprintf(log, sizeof(log), "%s/%s%s.txt", pki, stem, flag);
	struct proc_args a = { 0 };
	args_add_list(&a, (const char *const[]){ "openssl", "x509", "-noout", flag, "-in", crt, NULL });
	if (!strcmp(flag, "-fingerprint"))
		args_add(&a, "-sha256");
	char *text = proc_run(a.v, log, NULL, TIMEOUT_MS, NULL) ? NULL : proc_read_file(log);
	const char *at = text ? strstr(text, tag) : NULL;
	if (at)
		snprintf(out, cap, "%.*s", (int)strcspn(at + strlen(tag), "\n"), at + strlen(tag));
	free(text);
	return at ? 0 : -1;
}

/* scenarios/renewal-check.json, filled in with the new certificate's serial and sha256,
 * fails a far-end certificate without clientAuth (a trunk certificate serves both roles)
 * and passes the lab's good one. */
static void renewal_check_needs_client_auth(void)
{
	static const struct { const char *cert; int want; } runs[] = {
		{ "server-serverauth-only", 1 }, { "server", 0 },
	};
	char *shipped = proc_read_file(TL_SOURCE_DIR "/scenarios/renewal-check.json");
	CU_ASSERT_FATAL(shipped != NULL);
	for (size_t i = 0; i < 2; i++) {
		proc_cleanup_all();
		char serial[128] = "", sha[160] = "";
		CU_ASSERT_FATAL(x509_field(runs[i].cert, "-serial", "serial=", serial, sizeof(serial)) == 0);
		CU_ASSERT_FATAL(x509_field(runs[i].cert, "-fingerprint", "Fingerprint=", sha, sizeof(sha)) == 0);
		char *filled = malloc(strlen(shipped) + 512);
		CU_ASSERT_FATAL(filled != NULL);
		const char *s1 = strstr(shipped, "\"serial\": \"\""), *s2 = strstr(shipped, "\"sha256\": \"\"");
		CU_ASSERT_FATAL(s1 && s2 && s1 < s2);
		sprintf(filled, "%.*s\"serial\": \"%s\"%.*s\"sha256\": \"%s\"%s", (int)(s1 - shipped), shipped,
			serial, (int)(s2 - (s1 + 12)), s1 + 12, sha, s2 + 12);
		char scn[700], dir[512], out[600];
		snprintf(scn, sizeof(scn), "%s/renewal-%s.json", pki, runs[i].cert);
		FILE *f = fopen(scn, "w");
		CU_ASSERT_FATAL(f != NULL);
		fputs(filled, f);
		fclose(f);
		free(filled);
		uint16_t port;
		uas(runs[i].cert, NULL, &port, runs[i].cert);
		proc_path(dir, sizeof(dir), scn + strlen(pki) + 1);
		snprintf(out, sizeof(out), "%s.out", dir);
		struct proc_args a = { 0 };
		args_add_list(&a, (const char *const[]){ TL_BINARY, "run", scn, "--target", NULL });
		args_add(&a, "127.0.0.1:%u", port);
		args_lab_client(&a, pki, dir);
		int rc = proc_run(a.v, out, NULL, TIMEOUT_MS, NULL);
		char *said = proc_read_file(out);
		bool named = said && (runs[i].want ? strstr(said, "fail tls.finding.no_client_auth") != NULL
					       : strstr(said, "no_client_auth") == NULL);
		CHECK(rc == runs[i].want, "renewal-check against %s: exit %d (got %d)", runs[i].cert,
		      runs[i].want, rc);
		CHECK(named, "renewal-check against %s: %s", runs[i].cert,
		      runs[i].want ? "the check tls.finding.no_client_auth fails" : "no no_client_auth");
		if (rc != runs[i].want || !named)
			proc_show_log(scn, out, 3000);
		free(said);
	}
	free(shipped);
	proc_cleanup_all();
}

static const struct tl_case cases[] = {
	{ "renewal_check_needs_client_auth", renewal_check_needs_client_auth },
	{ "unusable_crl_is_refused", unusable_crl_is_refused },
	{ "target_host_is_the_name_checked", target_host_is_the_name_checked },
	{ "expected_finding_passes", expected_finding_passes },
	{ "our_bad_certificates_are_refused", our_bad_certificates_are_refused },
	{ "far_end_bad_certificates_are_flagged", far_end_bad_certificates_are_flagged },
};

int main(void)
{
	if (!proc_tmpdir())
		return 1;
	if (lab_pki("pki", pki, sizeof(pki)) || lab_extras())
		return 1;
	return tl_run("negative", TL_CASES(cases));
}
