/* trunkload pki: the lab PKI, CSRs for an enterprise CA, and a certificate's facts. */
#include "certfacts.h"
#include "cli.h"
#include "pki.h"
#include <getopt.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define SHOW_MAX 512 /* enough for a system CA bundle */

static const char pki_help[] =
	"usage: trunkload pki DIR [--key ec|rsa2048|rsa1024] [--server-name NAME] [--client-name NAME]\n"
	"                         [--force]\n"
	"       trunkload pki csr --cn NAME [--san LIST] [--key ec|rsa2048] [--out DIR]\n"
	"       trunkload pki show FILE\n"
	"\n"
	"Makes a lab PKI in DIR: ca.crt ca.key server.crt server.key client.crt client.key\n"
	"(keys mode 0600). The server certificate names NAME (default uas.trunkload.test),\n"
	"localhost, 127.0.0.1 and ::1; the client certificate names the client name (default\n"
	"uac.trunkload.test). Both carry serverAuth and clientAuth, as trunk certificates do.\n"
	"rsa1024 makes a legacy set (1024-bit RSA, SHA-1 signatures) that only a lowered\n"
	"security level accepts.\n"
	"\n"
	"Beside them, for negative tests, each as NAME.crt + NAME.key: ca-other (a CA nobody\n"
	"trusts) and, for server- and client-: -expired, -notyet, -wrongname, -selfsigned,\n"
	"-untrusted (signed by ca-other), -legacy (RSA-1024, SHA-1), -rsa2048.\n"
	"\n"
	"A DIR that holds a lab already is left alone (exit 2, naming the file): a new CA\n"
	"over the old one fails every handshake of a responder still using the old files.\n"
	"--force makes a new lab over it.\n"
	"\n"
	"'csr' and 'show' are described by 'trunkload pki csr --help' and\n"
	"'trunkload pki show --help' (a directory of that name: write ./csr or ./show).\n";

static const char csr_help[] =
	"usage: trunkload pki csr --cn NAME [--san LIST] [--key ec|rsa2048] [--out DIR]\n"
	"\n"
	"Writes a new private key DIR/NAME.key (mode 0600; an existing file is never\n"
	"overwritten) and a certificate signing request DIR/NAME.csr for the enterprise CA\n"
	"that the far end trusts. The request has subject CN=NAME, asks for serverAuth and\n"
	"clientAuth, and lists LIST as subjectAltName: DNS:host and IP:address items\n"
	"separated by commas (default DNS:NAME), e.g.\n"
	"  --san DNS:sbc1.example.com,IP:192.0.2.10\n"
	"--key ec (P-256, the default) or rsa2048; DIR defaults to the current directory and\n"
	"is created when missing.\n";

static const char show_help[] =
	"usage: trunkload pki show FILE\n"
	"\n"
	"Prints the facts of every certificate in FILE (PEM, a chain or bundle, or one DER\n"
	"certificate): subject, issuer, serial, validity, key, signature, SANs, key usages,\n"
	"CA, self-signed and the SHA-256 fingerprint, the way probe prints the far end's, to\n"
	"compare with what a certificate management page lists.\n";

/* "--help" alone, before getopt sees anything else. */
static bool wants_help(int argc, char **argv)
{
	for (int i = 1; i < argc; i++)
		if (!strcmp(argv[i], "--help") || !strcmp(argv[i], "-h"))
			return true;
	return false;
}

static int bad_option(const char *cmd, int opt, char **argv)
{
	if (opt == ':')
		return cli_usage_error(cmd, "option '%s' needs a value", argv[optind - 1]);
	return cli_usage_error(cmd, "unknown option '%s' (see trunkload %s --help)",
			       argv[optind - 1], cmd);
}

static int cmd_pki_csr(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "cn", required_argument, NULL, 'n' },
		{ "san", required_argument, NULL, 's' },
		{ "key", required_argument, NULL, 'k' },
		{ "out", required_argument, NULL, 'o' },
		{ "help", no_argument, NULL, 'h' },
		{ 0 },
	};
	const char *cn = NULL, *san = NULL, *dir = ".";
	enum pki_key_kind kind = PKI_KEY_EC;

	if (wants_help(argc, argv)) {
		fputs(csr_help, stdout);
		return EXIT_PASS;
	}
	optind = 1;
	opterr = 0;
	int opt;
	while ((opt = cli_next_option(argc, argv, opts, "pki csr")) != -1) {
		switch (opt) {
		case '!':
			return EXIT_USAGE;
		case 'n': cn = optarg; break;
		case 's': san = optarg; break;
		case 'o': dir = optarg; break;
		case 'k':
			if (!strcmp(optarg, "ec"))
				kind = PKI_KEY_EC;
			else if (!strcmp(optarg, "rsa2048"))
				kind = PKI_KEY_RSA2048;
			else
				return cli_usage_error("pki csr", "--key: expected ec or rsa2048, got \"%s\"",
						       optarg);
			break;
		default:
			return bad_option("pki csr", opt, argv);
		}
	}
	if (optind < argc)
		return cli_usage_error("pki csr", "unexpected argument '%s' (see trunkload pki csr --help)",
				       argv[optind]);
	if (!cn)
		return cli_usage_error("pki csr", "--cn NAME is required");
	if (san && !*san)
		return cli_usage_error("pki csr", "--san: empty list");

	char key[PATH_MAX], csr[PATH_MAX], err[512];
	if ((size_t)snprintf(key, sizeof(key), "%s/%s.key", dir, cn) >= sizeof(key) ||
	    (size_t)snprintf(csr, sizeof(csr), "%s/%s.csr", dir, cn) >= sizeof(csr))
		return cli_usage_error("pki csr", "--out: path too long: %s", dir);
	int mk = cli_make_dir(dir);
	if (mk)
		return cli_usage_error("pki csr", "--out %s: cannot create it: %s", dir, strerror(-mk));
	if (pki_make_csr(key, csr, cn, san, kind, err, sizeof(err)))
		return cli_usage_error("pki csr", "%s", err);
	printf("trunkload pki csr: wrote %s (private key, mode 0600) and %s (give it to the CA)\n",
	       key, csr);
	return EXIT_PASS;
}

static int cmd_pki_show(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "help", no_argument, NULL, 'h' },
		{ 0 },
	};

	if (wants_help(argc, argv)) {
		fputs(show_help, stdout);
		return EXIT_PASS;
	}
	optind = 1;
	opterr = 0;
	int opt;
	while ((opt = getopt_long(argc, argv, ":", opts, NULL)) != -1)
		return bad_option("pki show", opt, argv);
	if (argc - optind != 1)
		return cli_usage_error("pki show", "expected one certificate file (see trunkload pki show --help)");

	const char *path = argv[optind];
	struct cert_facts *facts = calloc(SHOW_MAX, sizeof(*facts));
	char err[512], text[4096];
	unsigned n = 0;
	if (!facts)
		return cli_usage_error("pki show", "out of memory");
	int rc = certfacts_read_pem(path, facts, SHOW_MAX, &n, time(NULL), err, sizeof(err));
	if (rc) {
		free(facts);
		return cli_usage_error("pki show", "%s", err);
	}
	printf("%s: %u certificate%s\n", path, n, n == 1 ? "" : "s");
	for (unsigned i = 0; i < n; i++) {
		certfacts_format(text, sizeof(text), &facts[i], "  ");
		printf("\ncertificate %u of %u\n%s", i + 1, n, text);
	}
	free(facts);
	return EXIT_PASS;
}

static int cmd_pki_lab(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "key", required_argument, NULL, 'k' },
		{ "server-name", required_argument, NULL, 's' },
		{ "client-name", required_argument, NULL, 'c' },
		{ "force", no_argument, NULL, 'f' },
		{ "help", no_argument, NULL, 'h' },
		{ 0 },
	};
	enum pki_key_kind kind = PKI_KEY_EC;
	bool force = false;
	const char *server = "uas.trunkload.test", *client = "uac.trunkload.test";
	optind = 1;
	opterr = 0;
	int opt;
	while ((opt = cli_next_option(argc, argv, opts, "pki")) != -1) {
		switch (opt) {
		case '!':
			return EXIT_USAGE;
		case 'h':
			fputs(pki_help, stdout);
			return EXIT_PASS;
		case 'k':
			if (!strcmp(optarg, "ec"))
				kind = PKI_KEY_EC;
			else if (!strcmp(optarg, "rsa2048"))
				kind = PKI_KEY_RSA2048;
			else if (!strcmp(optarg, "rsa1024"))
				kind = PKI_KEY_RSA1024;
			else
				return cli_usage_error("pki", "--key: expected ec, rsa2048 or rsa1024, got \"%s\"", optarg);
			break;
		case 's': server = optarg; break;
		case 'c': client = optarg; break;
		case 'f': force = true; break;
		default:
			return bad_option("pki", opt, argv);
		}
	}
	if (argc - optind != 1)
		return cli_usage_error("pki", "expected one directory (see trunkload pki --help)");
	char err[512];
	if (pki_make_lab(argv[optind], kind, server, client, force, err, sizeof(err)))
		return cli_usage_error("pki", "%s", err);
	printf("trunkload pki: wrote in %s (keys mode 0600):\n", argv[optind]);
	const char *name, *what;
	for (size_t i = 0; (name = pki_lab_name(i, &what)); i++) {
		char files[80];
		snprintf(files, sizeof(files), "%s.crt %s.key", name, name);
		printf("  %-54s %s\n", files, what);
	}
	for (size_t i = 0; (name = pki_lab_extra(i, &what)); i++)
		printf("  %-54s %s\n", name, what);
	return EXIT_PASS;
}

int cmd_pki(int argc, char **argv)
{
	if (argc >= 2 && !strcmp(argv[1], "csr"))
		return cmd_pki_csr(argc - 1, argv + 1);
	if (argc >= 2 && !strcmp(argv[1], "show"))
		return cmd_pki_show(argc - 1, argv + 1);
	return cmd_pki_lab(argc, argv);
}
