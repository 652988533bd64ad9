/* trunkload probe against trunkload uas: the transcript, the far end's chain, the
 * OPTIONS round trip; a refusal (no client certificate) shown as such; revocation both
 * ways, with a responder that presents a revoked certificate and checks callers against
 * the lab's CRLs (probe, and openssl s_client as a caller someone else wrote). */
#include "proc.h"
#include "tl_test.h"
#include <signal.h>
#include <stdlib.h>
#include <string.h>

#define TIMEOUT_MS 30000

static uint16_t port, revoked_port; /* the good responder; the revoked one, with --crl */

/* probe of 127.0.0.1:at as the lab's identity (NULL: none), with --crl <lab>/crl.pem */
static char *probe_as(const char *tag, uint16_t at, const char *identity, bool crl, int *rc)
{
	char pki[512], out[512], name[64];
	proc_path(pki, sizeof(pki), "pki");
	snprintf(name, sizeof(name), "%s.out", tag);
	proc_path(out, sizeof(out), name);
	struct proc_args a = { 0 };
	args_add(&a, "%s", TL_BINARY);
	args_add(&a, "probe");
	args_add(&a, "127.0.0.1:%u", at);
	args_add(&a, "--server-name");
	args_add(&a, "uas.trunkload.test");
	args_add(&a, "--ca");
	args_add(&a, "%s/ca.crt", pki);
	if (identity)
		args_identity(&a, pki, identity);
	if (crl) {
		args_add(&a, "--crl");
		args_add(&a, "%s/crl.pem", pki);
	}
	*rc = proc_run(a.v, out, NULL, TIMEOUT_MS, NULL);
	return proc_read_file(out);
}

static char *probe(const char *tag, bool with_cert, int *rc)
{
	return probe_as(tag, port, with_cert ? "client" : NULL, false, rc);
}

static void shows_handshake_chain_and_options(void)
{
	int rc;
	char *text = probe("good", true, &rc);
	CU_ASSERT_FATAL(text != NULL);
	static const char *const want[] = {
		">> ClientHello", "<< ServerHello", "<< CertificateRequest", "<< Certificate",
		">> Certificate", ">> Finished", "the server asked for a client certificate from:",
		"CN=trunkload lab CA", "handshake done", "TLSv1.3", "certificate 1 of",
		"subject: CN=uas.trunkload.test", "SAN: DNS:uas.trunkload.test", "sha256: ",
		"our certificate: accepted", "OPTIONS: SIP/2.0 200 OK in ",
	};
	for (size_t i = 0; i < sizeof(want) / sizeof(want[0]); i++)
		CHECK(strstr(text, want[i]) != NULL, "probe prints \"%s\"", want[i]);
	CHECK(rc == 0, "probe exits 0 (got %d)", rc);
	if (rc)
		fprintf(stderr, "%s\n", text);
	free(text);
}

static void shows_refusal(void)
{
	int rc;
	char *text = probe("nocert", false, &rc);
	CU_ASSERT_FATAL(text != NULL);
	CHECK(strstr(text, "our certificate: refused") != NULL, "probe says our certificate was refused");
	CHECK(strstr(text, "certificate_required") != NULL, "and names the TLS 1.3 alert");
	CHECK(rc == 1, "probe exits 1 (got %d)", rc);
	free(text);
}

/* --crl: the responder's certificate is revoked, said with its date and reason */
static void shows_revoked_far_end(void)
{
	int rc;
	char *text = probe_as("revoked-far-end", revoked_port, "client", true, &rc);
	CU_ASSERT_FATAL(text != NULL);
	static const char *const want[] = {
		"error   revoked", "CN=uas.trunkload.test,O=trunkload lab on ", ", keyCompromise",
		"revocation: CRL says revoked",
	};
	for (size_t i = 0; i < sizeof(want) / sizeof(want[0]); i++)
		CHECK(strstr(text, want[i]) != NULL, "probe prints \"%s\"", want[i]);
	CHECK(rc == 1, "probe exits 1 (got %d)", rc);
	if (rc != 1 || !strstr(text, "error   revoked"))
		fprintf(stderr, "%s\n", text);
	free(text);
}

/* uas --crl refuses a revoked caller with certificate_revoked: our probe, then openssl
 * s_client; a caller of the issuing CA, sending its chain, passes every CRL */
static void revoked_caller_refused(void)
{
	int rc;
	char *text = probe_as("revoked-caller", revoked_port, "client-revoked", false, &rc);
	CU_ASSERT_FATAL(text != NULL);
	CHECK(strstr(text, "our certificate: refused (alert certificate_revoked)") != NULL,
	      "probe says the responder refused our revoked certificate with certificate_revoked");
	CHECK(rc == 1, "probe exits 1 (got %d)", rc);
	free(text);
	text = probe_as("ica-caller", revoked_port, "client-ica-chain", false, &rc);
	CU_ASSERT_FATAL(text != NULL);
	CHECK(strstr(text, "our certificate: accepted") != NULL,
	      "the responder with --crl accepts a caller of the issuing CA sending its chain");
	free(text);

	char pki[512], out[512];
	proc_path(pki, sizeof(pki), "pki");
	proc_path(out, sizeof(out), "s_client-revoked.out");
	struct proc_args a = { 0 };
	args_add_list(&a, (const char *const[]){ "openssl", "s_client", "-connect", NULL });
	args_add(&a, "127.0.0.1:%u", revoked_port);
	args_add(&a, "-cert");
	args_add(&a, "%s/client-revoked.crt", pki);
	args_add(&a, "-key");
	args_add(&a, "%s/client-revoked.key", pki);
	args_add_list(&a, (const char *const[]){ "-tls1_2", "-brief", NULL });
	rc = proc_run(a.v, out, out, TIMEOUT_MS, NULL);
	text = proc_read_file(out);
	bool said = text && strstr(text, "alert certificate revoked");
	CHECK(said, "openssl s_client with client-revoked.crt hears \"alert certificate revoked\"");
	if (!said)
		proc_show_log("openssl s_client", out, 2000);
	free(text);
}

/* Two nodes of one far end, the second presenting a revoked certificate, and a third
 * where nothing listens: each probed, then one line per node. */
static void sums_up_a_cluster(void)
{
	char pki[512], out[512];
	proc_path(pki, sizeof(pki), "pki");
	proc_path(out, sizeof(out), "cluster.out");
	uint16_t none = proc_free_port();
	struct proc_args a = { 0 };
	args_add(&a, "%s", TL_BINARY);
	args_add(&a, "probe");
	args_add(&a, "127.0.0.1:%u", port);
	args_add(&a, "127.0.0.1:%u", revoked_port);
	args_add(&a, "127.0.0.1:%u", none);
	args_add_list(&a, (const char *const[]){ "--server-name", "uas.trunkload.test", NULL });
	args_add(&a, "--ca");
	args_add(&a, "%s/ca.crt", pki);
	args_add(&a, "--crl");
	args_add(&a, "%s/crl.pem", pki);
	args_identity(&a, pki, "client");
	int rc = proc_run(a.v, out, NULL, TIMEOUT_MS, NULL);
	char *text = proc_read_file(out);
	CU_ASSERT_FATAL(text != NULL);
	const char *sum = strstr(text, "cluster (3 nodes):\n");
	char line[3][160];
	for (unsigned i = 0; i < 3; i++) {
		uint16_t p = i == 0 ? port : i == 1 ? revoked_port : none;
		snprintf(line[i], sizeof(line[i]), "  %s 127.0.0.1:%-11u", i ? "FAIL" : "ok  ", p);
	}
	CHECK(sum != NULL, "probe sums up the 3 nodes");
	CHECK(sum && strstr(sum, line[0]) && strstr(strstr(sum, line[0]), "findings: none  our "
		"certificate: accepted, OPTIONS SIP/2.0 200 OK in "), "the good node: ok, accepted");
	CHECK(sum && strstr(sum, line[1]) && strstr(strstr(sum, line[1]), "findings: revoked"),
	      "the revoked node: FAIL, finding revoked");
	CHECK(sum && strstr(sum, line[2]) && strstr(strstr(sum, line[2]), "no connection"),
	      "the node where nothing listens: FAIL, no connection");
	CHECK(rc == 3, "probe exits 3: nothing listens on one node (got %d)", rc);
	if (!sum || rc != 3)
		fprintf(stderr, "%s\n", text);
	free(text);
}

static const struct tl_case cases[] = {
	{ "sums_up_a_cluster", sums_up_a_cluster },
	{ "shows_handshake_chain_and_options", shows_handshake_chain_and_options },
	{ "shows_refusal", shows_refusal },
	{ "shows_revoked_far_end", shows_revoked_far_end },
	{ "revoked_caller_refused", revoked_caller_refused },
};

int main(void)
{
	if (!proc_tmpdir())
		return 1;
	char pki[512], log[512];
	proc_path(log, sizeof(log), "uas.log");
	if (lab_pki("pki", pki, sizeof(pki)))
		return 1;
	pid_t uas = lab_uas(pki, "server", NULL, log, &port);
	if (uas <= 0)
		return 1;
	char crl[600], log2[512];
	snprintf(crl, sizeof(crl), "%s/crl.pem", pki);
	proc_path(log2, sizeof(log2), "uas-revoked.log");
	pid_t revoked = lab_uas(pki, "server-revoked", (const char *const[]){ "--crl", crl, NULL },
				log2, &revoked_port);
	if (revoked <= 0) {
		proc_stop(uas, SIGTERM, 5000);
		return 1;
	}
	int rc = tl_run("probe", TL_CASES(cases));
	proc_stop(uas, SIGTERM, 5000);
	proc_stop(revoked, SIGTERM, 5000);
	return rc;
}
