/* trunkload probe against trunkload uas: the transcript, the far end's chain, the
 * OPTIONS round trip; and a refusal (no client certificate) shown as such. */
#include "proc.h"
#include "tl_test.h"
#include <signal.h>
#include <stdlib.h>
#include <string.h>

#define TIMEOUT_MS 30000

static uint16_t port;

static char *probe(const char *tag, bool with_cert, int *rc)
{
	char pki[512], out[512], name[64];
	proc_path(pki, sizeof(pki), "pki");
	snprintf(name, sizeof(name), "%s.out", tag);
	proc_path(out, sizeof(out), name);
	struct proc_args a = { 0 };
	args_add(&a, "%s", TL_BINARY);
	args_add(&a, "probe");
	args_add(&a, "127.0.0.1:%u", port);
	args_add(&a, "--server-name");
	args_add(&a, "uas.trunkload.test");
	args_add(&a, "--ca");
	args_add(&a, "%s/ca.crt", pki);
	if (with_cert)
		args_identity(&a, pki, "client");
	*rc = proc_run(a.v, out, NULL, TIMEOUT_MS, NULL);
	return proc_read_file(out);
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

static const struct tl_case cases[] = {
	{ "shows_handshake_chain_and_options", shows_handshake_chain_and_options },
	{ "shows_refusal", shows_refusal },
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
	int rc = tl_run("probe", TL_CASES(cases));
	proc_stop(uas, SIGTERM, 5000);
	return rc;
}
