#include "cli.h"
#include "rtp.h"
#include "srtp_ossl.h"
#include <stdio.h>
#include <string.h>

static const char usage[] =
	"usage: trunkload COMMAND [options]\n"
	"\n"
	"Load and conformance tester for SIP trunks over mutual TLS with SDES-keyed SRTP.\n"
	"\n"
	"commands:\n"
	"  run [SCENARIO.json]  run calls against a SIP trunk and judge them (exit 0 pass, 1 fail,\n"
	"                       2 bad input, 3 could not run)\n"
	"  uas                  answer calls: the far end of a test (mutual TLS responder)\n"
	"  pki DIR              make a lab PKI: CA, server and client certificates and keys\n"
	"  probe HOST:PORT      one mutual-TLS handshake shown step by step, the far end's\n"
	"                       certificates and findings, and an OPTIONS round trip\n"
	"  merge REPORT.json... combine shard reports into one, judged again (exit 0 pass,\n"
	"                       1 fail, 2 bad input)\n"
	"  check SCENARIO.json  validate a scenario file without running it\n"
	"  demo                 lab PKI + local responder + a real call flow + the report\n"
	"\n"
	"'trunkload COMMAND --help' describes each command.\n";

int main(int argc, char **argv)
{
	if (argc < 2 || !strcmp(argv[1], "--help") || !strcmp(argv[1], "-h") ||
	    !strcmp(argv[1], "help")) {
		fputs(usage, argc < 2 ? stderr : stdout);
		return argc < 2 ? EXIT_USAGE : EXIT_PASS;
	}
	if (!strcmp(argv[1], "--version")) {
		printf("trunkload %s\n", TRUNKLOAD_VERSION);
		return EXIT_PASS;
	}
	static const struct {
		const char *name;
		int (*fn)(int, char **);
	} cmds[] = {
		{ "run", cmd_run }, { "uas", cmd_uas }, { "pki", cmd_pki },
		{ "check", cmd_check }, { "demo", cmd_demo }, { "probe", cmd_probe }, { "merge", cmd_merge },
	};
	/* process-wide set-up, before any worker thread exists (run and uas raise the
	 * open-files limit to what they need: cli_raise_fd_limit) */
	pcmu_tone_init();
	/* libsrtp2 keeps its packet handling; AES-CM and HMAC-SHA1 run on OpenSSL */
	if (srtp_ossl_install()) {
		fprintf(stderr, "trunkload: libsrtp2 failed to initialise\n");
		return EXIT_CANNOT;
	}
	for (size_t i = 0; i < sizeof(cmds) / sizeof(cmds[0]); i++)
		if (!strcmp(argv[1], cmds[i].name))
			return cmds[i].fn(argc - 1, argv + 1);
	fprintf(stderr, "trunkload: unknown command '%s'\n\n%s", argv[1], usage);
	return EXIT_USAGE;
}
