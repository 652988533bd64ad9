#include "cli.h"
#include "pki.h"
#include <getopt.h>
#include <stdio.h>
#include <string.h>

static const char pki_help[] =
	"usage: trunkload pki DIR [--key ec|rsa2048|rsa1024] [--server-name NAME] [--client-name NAME]\n"
	"\n"
	"Makes a lab PKI in DIR: ca.crt ca.key server.crt server.key client.crt client.key\n"
	"(keys mode 0600). The server certificate names NAME (default uas.trunkload.test),\n"
	"localhost and 127.0.0.1; the client certificate names the client name (default\n"
	"uac.trunkload.test). Both carry serverAuth and clientAuth, as trunk certificates do.\n"
	"rsa1024 makes a legacy set (1024-bit RSA, SHA-1 signatures) that only a lowered\n"
	"security level accepts.\n";

int cmd_pki(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "key", required_argument, NULL, 'k' },
		{ "server-name", required_argument, NULL, 's' },
		{ "client-name", required_argument, NULL, 'c' },
		{ "help", no_argument, NULL, 'h' },
		{ 0 },
	};
	enum pki_key_kind kind = PKI_KEY_EC;
	const char *server = "uas.trunkload.test", *client = "uac.trunkload.test";
	optind = 1;
	opterr = 0;
	int opt;
	while ((opt = getopt_long(argc, argv, ":", opts, NULL)) != -1) {
		switch (opt) {
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
		case ':':
			return cli_usage_error("pki", "option '%s' needs a value", argv[optind - 1]);
		default:
			return cli_usage_error("pki", "unknown option '%s' (see trunkload pki --help)", argv[optind - 1]);
		}
	}
	if (argc - optind != 1)
		return cli_usage_error("pki", "expected one directory (see trunkload pki --help)");
	char err[512];
	if (pki_make_lab(argv[optind], kind, server, client, err, sizeof(err)))
		return cli_usage_error("pki", "%s", err);
	printf("trunkload pki: wrote ca.crt ca.key server.crt server.key client.crt client.key in %s\n",
	       argv[optind]);
	return EXIT_PASS;
}
