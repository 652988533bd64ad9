#include "cli.h"
#include "net_addr.h"
#include "cli_metrics.h"
#include "cli_pcap.h"
#include "clock.h"
#include "report.h"
#include "verdict.h"
#include "port_range.h"
#include "run.h"
#include "scenario.h"
#include "tls.h"
#include <arpa/inet.h>
#include <errno.h>
#include <getopt.h>
#include <netdb.h>
#include <stdio.h>
#include <string.h>
#include "str.h"
#include <sys/socket.h>
#include <unistd.h>

static const char uas_help[] =
	"usage: trunkload uas [--listen ADDR:PORT] --cert F --key F [--ca F] [options]\n"
	"\n"
	"Answers calls as the far end of a test, as a call manager's trunk does: an INVITE\n"
	"gets 100, 180 and 200 with an SDES answer (one offered suite, our own key), or 488\n"
	"when no offered suite is acceptable; an INVITE without SDP (delayed offer) gets our\n"
	"offer (AEAD_AES_256_GCM, AEAD_AES_128_GCM, AES_CM_128_HMAC_SHA1_80 and _32, fresh\n"
	"keys) and media is keyed from the answer in the ACK (an ACK without an acceptable\n"
	"answer ends the call with BYE). Session timers (RFC 4028): the caller's\n"
	"Session-Expires is honoured (422 below --min-se), our 200 says who refreshes, and\n"
	"we refresh by re-INVITE when it is us. The caller's requests in a dialog are\n"
	"answered: BYE, re-INVITE with or without SDP, UPDATE, OPTIONS, INFO, PRACK, NOTIFY;\n"
	"501 for unknown methods, 481 for a dialog we do not have. Runs until SIGINT or\n"
	"SIGTERM, then prints what it answered.\n"
	"\n"
	"  --scenario FILE      how to answer, a behaviour file (\"role\": \"uas\"; see\n"
	"                       scenarios/uas.schema.json): ring times, outcomes by weight\n"
	"                       (200, refusals, no answer), hanging up first, routes by the\n"
	"                       dialled number; --refuse and --delay-ms override it\n"
	"  --seed N             with each Call-ID, what the behaviour draws for a call (same\n"
	"                       caller, same seed: same outcomes; default 1)\n"
	"  --report-dir DIR     on exit, write report.json, report.html, junit.xml and\n"
	"                       timeseries.csv from the responder's side (calls = INVITEs\n"
	"                       received, latency INVITE to ACK, SRTP, TLS, the behaviour's\n"
	"                       thresholds) and exit 0 or 1 by its verdict\n"
	"  --duration S         stop after S seconds (also on SIGINT or SIGTERM)\n"
	"  --metrics ADDR:PORT  serve live figures at http://ADDR:PORT/metrics (Prometheus\n"
	"                       text, as run --metrics: INVITEs received, calls completed,\n"
	"                       failed by reason, active, TLS, SRTP), the final ones at the end\n"
	"  --metrics-hold S     keep serving the final figures S seconds after it stopped\n"
	"  --trace failed[:N]|all:N\n"
	"                       keep the SIP messages of up to N calls per failure reason the\n"
	"                       responder counts (default 10), or of the first N calls, in the\n"
	"                       report directory's traces/ (needs --report-dir), as run --trace\n"
	"  --trace-mem MiB      memory the traces may take (default 64)\n"
	"  --pcap FILE          write what crossed each connection (the SIP inside TLS, as TCP\n"
	"                       between the real addresses and ports) and the RTP header of each\n"
	"                       SRTP packet to FILE (pcap) for Wireshark or sngrep, at exit\n"
	"  --pcap-max-mb MiB    the capture's size cap (default 256); past it packets are left\n"
	"                       out and counted\n"
	"  --listen ADDR:PORT   where to listen (default 127.0.0.1:5061; IPv6 in brackets,\n"
	"                       [::1]:5061); a port another process listens on is refused\n"
	"                       (address in use, exit 3)\n"
	"  --share-port         listen beside other responders on the same port (the kernel\n"
	"                       spreads new connections among them), as shards of one far end\n"
	"  --cert F --key F     our certificate (chain) and key, PEM\n"
	"  --ca F               CA certificates a caller's certificate must chain to\n"
	"                       (required unless --client-cert none)\n"
	"  --crl F              CRLs (PEM) a caller's chain is checked against: a revoked\n"
	"                       caller is refused with the alert certificate_revoked\n"
	"  --client-cert require|request|none\n"
	"                       require (default): refuse callers without a valid certificate;\n"
	"                       request: verify one if presented; none: do not ask for one\n"
	"  --expect-peer-subject NAMES\n"
	"                       the caller's certificate must carry one of NAMES (separated by\n"
	"                       spaces, commas, semicolons or colons) in its CN or a DNS\n"
	"                       subjectAltName, as a trunk security profile's X.509 subject\n"
	"                       name; others are refused with a bad_certificate alert\n"
	"  --tls-version 1.0|1.1|1.2|1.3  allow only this version (default 1.2 and 1.3)\n"
	"  --security-level 0-5 OpenSSL security level (legacy certificates need 0)\n"
	"  --ciphers LIST       OpenSSL cipher list for TLS 1.2 and below (e.g. AES128-SHA)\n"
	"  --transport tls|tcp  mutual TLS (default) or plain TCP\n"
	"  --threads N          workers, each with its own ring and listener (default: cores);\n"
	"                       a worker holding more connections than the least loaded\n"
	"                       one (by one, plus an eighth) hands new ones over to it,\n"
	"                       so a few trunk connections spread out\n"
	"  --delay-ms MS        wait MS between the 100 and the 180/200\n"
	"  --min-se S           the shortest session interval accepted (Min-SE, default 90;\n"
	"                       down to 2 for lab tests): a shorter Session-Expires gets 422\n"
	"  --refuse STATUS      answer every INVITE with this final status (e.g. 486, 503)\n"
	"  --media-ports LO-HI  UDP ports for RTP (even) and RTCP (odd) (default 30000-39999);\n"
	"                       every answered call that offers sendrecv media gets PCMU or\n"
	"                       PCMA (the first of them the caller offers) over SRTP from the\n"
	"                       answer on, and what the caller sends is checked\n"
	"  --shared-media-ports one RTP and one RTCP port per thread for all calls, told apart\n"
	"                       by the caller's address, port and SSRC\n"
	"  --no-media           answer every offer inactive: no RTP either way\n"
	"  --srtp-wrong-key     protect our SRTP with a key other than the one we answered\n"
	"                       (the caller must count authentication failures)\n"
	"  --srtp-replay        send every 10th SRTP packet twice (the caller must count\n"
	"                       replays)\n"
	"  --srtp-drop PCT      leave out PCT %% of our SRTP packets (0-50; numbered and protected,\n"
	"                       never sent): the caller must count them lost\n"
	"  --srtp-reorder PCT   hold back PCT %% of our SRTP packets to send each just after the\n"
	"                       next one (0-50): the caller must count them reordered, not lost\n"
	"  --srtp-jitter-ms MS  send each SRTP packet 0 to MS ms late (uniform, 0-19: less than\n"
	"                       a packet time, so none is reordered): the caller's jitter grows\n"
	"  --srtp-keep-old-key  answer a caller's rekey with a new key but go on sending under\n"
	"                       the old one (the caller must count stale-key packets)\n"
	"  --expect-dtmf DIGITS every call must send these DTMF digits (RFC 4733 events, 0-9 *\n"
	"                       # A-D); those that differ or are missing count as mismatched\n"
	"  --no-dtmf-echo       do not play back the digits a caller sends (by default each\n"
	"                       digit received goes back as long as it came, so a caller's\n"
	"                       expect_dtmf step can check that its digits arrived)\n";

enum { O_LISTEN = 256, O_CERT, O_KEY, O_CA, O_TRANSPORT, O_DELAY, O_REFUSE, O_HELP, O_MIN_SE,
       O_MEDIA_PORTS, O_SHARED_MEDIA_PORTS, O_NO_MEDIA, O_WRONG_KEY, O_THREADS, O_CLIENT_CERT, O_EXPECT_PEER,
       O_TLS_VERSION, O_SECURITY_LEVEL, O_CIPHERS, O_REPLAY, O_SHARE_PORT, O_KEEP_OLD_KEY,
       O_EXPECT_DTMF, O_NO_DTMF_ECHO, O_SCENARIO, O_SEED, O_REPORT_DIR, O_DURATION, O_METRICS, O_METRICS_HOLD, O_DROP,
       O_REORDER, O_JITTER, O_CRL, O_PCAP, O_PCAP_MAX_MB, O_TRACE, O_TRACE_MEM };

static const struct option uas_options[] = {
	{ "listen", required_argument, NULL, O_LISTEN },
	{ "cert", required_argument, NULL, O_CERT },
	{ "key", required_argument, NULL, O_KEY },
	{ "ca", required_argument, NULL, O_CA },
	{ "crl", required_argument, NULL, O_CRL },
	{ "transport", required_argument, NULL, O_TRANSPORT },
	{ "delay-ms", required_argument, NULL, O_DELAY },
	{ "min-se", required_argument, NULL, O_MIN_SE },
	{ "refuse", required_argument, NULL, O_REFUSE },
	{ "expect-dtmf", required_argument, NULL, O_EXPECT_DTMF },
	{ "no-dtmf-echo", no_argument, NULL, O_NO_DTMF_ECHO },
	{ "scenario", required_argument, NULL, O_SCENARIO },
	{ "seed", required_argument, NULL, O_SEED },
	{ "report-dir", required_argument, NULL, O_REPORT_DIR },
	{ "duration", required_argument, NULL, O_DURATION },
	{ "metrics", required_argument, NULL, O_METRICS },
	{ "metrics-hold", required_argument, NULL, O_METRICS_HOLD },
	{ "pcap", required_argument, NULL, O_PCAP },
	{ "trace", required_argument, NULL, O_TRACE },
	{ "trace-mem", required_argument, NULL, O_TRACE_MEM },
	{ "pcap-max-mb", required_argument, NULL, O_PCAP_MAX_MB },
	{ "srtp-drop", required_argument, NULL, O_DROP },
	{ "srtp-reorder", required_argument, NULL, O_REORDER },
	{ "srtp-jitter-ms", required_argument, NULL, O_JITTER },
	{ "media-ports", required_argument, NULL, O_MEDIA_PORTS },
	{ "no-media", no_argument, NULL, O_NO_MEDIA },
	{ "shared-media-ports", no_argument, NULL, O_SHARED_MEDIA_PORTS },
	{ "srtp-wrong-key", no_argument, NULL, O_WRONG_KEY },
	{ "srtp-replay", no_argument, NULL, O_REPLAY },
	{ "srtp-keep-old-key", no_argument, NULL, O_KEEP_OLD_KEY },
	{ "threads", required_argument, NULL, O_THREADS },
	{ "share-port", no_argument, NULL, O_SHARE_PORT },
	{ "client-cert", required_argument, NULL, O_CLIENT_CERT },
	{ "expect-peer-subject", required_argument, NULL, O_EXPECT_PEER },
	{ "tls-version", required_argument, NULL, O_TLS_VERSION },
	{ "security-level", required_argument, NULL, O_SECURITY_LEVEL },
	{ "ciphers", required_argument, NULL, O_CIPHERS },
	{ "help", no_argument, NULL, O_HELP },
	{ 0 },
};

/* Whether another process already listens on host:port. Our own listeners share the
 * port (SO_REUSEPORT), and so would any other process's that set it: a bind without
 * it is what finds out. */
static bool port_taken(const char *host, uint16_t port)
{
	struct addrinfo hints = { .ai_family = AF_UNSPEC, .ai_socktype = SOCK_STREAM,
				  .ai_flags = AI_PASSIVE | AI_NUMERICSERV };
	struct addrinfo *ai = NULL;
	char p[8];
	snprintf(p, sizeof(p), "%u", port);
	if (getaddrinfo(host, p, &hints, &ai) || !ai)
		return false; /* listen_on says why */
	int fd = socket(ai->ai_family, SOCK_STREAM | SOCK_CLOEXEC, 0), one = 1;
	bool taken = false;
	if (fd >= 0) {
		setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
		taken = bind(fd, ai->ai_addr, ai->ai_addrlen) && errno == EADDRINUSE;
		close(fd);
	}
	freeaddrinfo(ai);
	return taken;
}

static int listen_on(const char *host, uint16_t port, char *why, size_t n)
{
	struct addrinfo hints = { .ai_family = AF_UNSPEC, .ai_socktype = SOCK_STREAM,
				  .ai_flags = AI_PASSIVE | AI_NUMERICSERV };
	struct addrinfo *ai = NULL;
	char p[8];
	snprintf(p, sizeof(p), "%u", port);
	int rc = getaddrinfo(host, p, &hints, &ai);
	if (rc || !ai) {
		snprintf(why, n, "%s: %s", host, rc ? gai_strerror(rc) : "no address");
		return -1;
	}
	int fd = socket(ai->ai_family, SOCK_STREAM | SOCK_CLOEXEC, 0);
	int one = 1;
	if (fd >= 0 && ai->ai_family == AF_INET6) /* [::] is IPv6 alone: 0.0.0.0 is another listener */
		setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &one, sizeof(one));
	if (fd >= 0) { /* one listener per worker on the same port; the kernel spreads */
		setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
		setsockopt(fd, SOL_SOCKET, SO_REUSEPORT, &one, sizeof(one));
	}
	if (fd < 0 || bind(fd, ai->ai_addr, ai->ai_addrlen) || listen(fd, 4096)) {
		char hp[300];
		snprintf(why, n, "%s: %s", tl_hostport_text(host, port, hp, sizeof(hp)), strerror(errno));
		if (fd >= 0)
			close(fd);
		fd = -1;
	}
	freeaddrinfo(ai);
	return fd;
}

/* The responder's report, as a run writes its own: the exit status of its verdict. */
static int write_report(const char *dir, struct scenario *scn, const struct result *res,
			const char *host, uint16_t port, double started, int argc, char **argv)
{
	static struct verdict v;
	char command[2048], err[256];
	snprintf(scn->host, sizeof(scn->host), "%s", host); /* "target": where it listened */
	scn->port = port;
	verdict_judge(scn, res, &v);
	cli_join_args(command, sizeof(command), argc, argv);
	struct report rep = { .scn = scn, .res = res, .verdict = &v, .command = command,
			      .started_at = started, .version = TRUNKLOAD_VERSION };
	bool json_written;
	if (report_write_all(dir, &rep, &json_written, err, sizeof(err))) {
		fprintf(stderr, "trunkload uas: cannot write the report: %s\n", err);
		if (!json_written)
			return EXIT_FAIL;
	}
	printf("trunkload uas: verdict %s, report %s/report.json\n", v.pass ? "PASS" : "FAIL", dir);
	return v.pass ? EXIT_PASS : EXIT_FAIL;
}

int cmd_uas(int argc, char **argv)
{
	char host[256] = "127.0.0.1", hostport[300];
	uint16_t port = 5061;
	const char *cert = NULL, *key = NULL, *ca = NULL;
	bool tls = true, share_port = false;
	unsigned threads = cli_default_threads();
	struct tls_config tc = { .security_level = -1, .verify_peer = true, .require_peer_cert = true };
	static const struct { const char *name; unsigned bits; } versions[] = {
		{ "1.0", 1u << 0 }, { "1.1", 1u << 1 }, { "1.2", 1u << 2 }, { "1.3", 1u << 3 },
	};
	struct run_responder_config cfg = { .log = stdout };
	static struct scenario behaviour; /* large: kept off the stack */
	struct scenario_errors errs = { 0 };
	const char *report_dir = NULL, *metrics_addr = NULL, *pcap_path = NULL;
	double metrics_hold = 0;
	uint64_t pcap_mb = CLI_PCAP_DEFAULT_MB;
	scenario_default(&behaviour);
	behaviour.role = SCN_ROLE_UAS;
	snprintf(behaviour.name, sizeof(behaviour.name), "uas");
	cfg.uas.seed = 1;
	cfg.uas.media_port_lo = 30000;
	cfg.uas.media_port_hi = 39999;
	cfg.uas.trace.mem = 64u << 20;
	uint64_t u;

	optind = 1;
	opterr = 0;
	int opt;
	while ((opt = cli_next_option(argc, argv, uas_options, "uas")) != -1) {
		if (opt == '!')
			return EXIT_USAGE;
		switch (opt) {
		case O_HELP:
			fputs(uas_help, stdout);
			return EXIT_PASS;
		case O_LISTEN:
			if (tl_hostport_parse(optarg, strlen(optarg), host, sizeof(host), &port, CLI_SIPS_PORT))
				return cli_usage_error("uas", "--listen: expected ADDR:PORT (port 1-65535; "
							      "ADDR alone listens on %d), got \"%s\"",
						       CLI_SIPS_PORT, optarg);
			break;
		case O_CERT: cert = optarg; break;
		case O_KEY: key = optarg; break;
		case O_CA: ca = optarg; break;
		case O_CRL: tc.crl = optarg; break;
		case O_TRANSPORT:
			if (strcmp(optarg, "tls") && strcmp(optarg, "tcp"))
				return cli_usage_error("uas", "--transport: expected tls or tcp, got \"%s\"", optarg);
			tls = !strcmp(optarg, "tls");
			break;
		case O_SCENARIO:
			scenario_default(&behaviour);
			if (scenario_load_file(optarg, &behaviour, &errs)) {
				for (unsigned i = 0; i < errs.n; i++)
					fprintf(stderr, "%s\n", errs.msg[i]);
				return EXIT_USAGE;
			}
			if (behaviour.role != SCN_ROLE_UAS)
				return cli_usage_error("uas", "--scenario: %s is a run's scenario: a responder's "
						       "behaviour has \"role\": \"uas\"", optarg);
			cfg.uas.behaviour = &behaviour.uas;
			cfg.uas.timer = behaviour.uas.has_session_timer ? &behaviour.session_timer : NULL;
			cfg.uas.gate = NULL;
			cfg.uas.limit = NULL;
			if (behaviour.uas.max_calls) {
				static struct call_limit limit;
				limit.max = behaviour.uas.max_calls;
				cfg.uas.limit = &limit;
			}
			if (behaviour.uas.max_cps > 0) { /* 100 ms of calls may come at once */
				static struct rate_gate gate;
				rate_gate_init(&gate, behaviour.uas.max_cps, 0.1);
				cfg.uas.gate = &gate;
			}
			break;
		case O_REPORT_DIR:
			report_dir = optarg;
			break;
		case O_METRICS:
			metrics_addr = optarg;
			break;
		case O_PCAP:
			pcap_path = optarg;
			break;
		case O_TRACE:
			if (cli_trace_option("uas", optarg, &cfg.uas.trace))
				return EXIT_USAGE;
			break;
		case O_TRACE_MEM:
			if (cli_trace_mem_option("uas", optarg, &cfg.uas.trace))
				return EXIT_USAGE;
			break;
		case O_PCAP_MAX_MB:
			if (cli_u64(optarg, 1, 1u << 20, &pcap_mb))
				return cli_usage_error("uas", "--pcap-max-mb: expected MiB 1-1048576, got \"%s\"",
						       optarg);
			break;
		case O_METRICS_HOLD:
			if (cli_double(optarg, 0, 3600, &metrics_hold))
				return cli_usage_error("uas", "--metrics-hold: expected seconds 0-3600, got \"%s\"",
						       optarg);
			break;
		case O_DURATION: {
			char *end;
			errno = 0;
			double d = strtod(optarg, &end);
			if (errno || end == optarg || *end || !(d > 0 && d <= 31536000))
				return cli_usage_error("uas", "--duration: expected seconds > 0 and at most "
						       "31536000, got \"%s\"", optarg);
			cfg.duration_s = d;
			break;
		}
		case O_DROP:
		case O_REORDER: {
			char *end;
			errno = 0;
			double pct = strtod(optarg, &end);
			if (errno || end == optarg || *end || !(pct >= 0 && pct <= 50))
				return cli_usage_error("uas", "--srtp-%s: expected a percentage 0-50, got \"%s\"",
						       opt == O_DROP ? "drop" : "reorder", optarg);
			*(opt == O_DROP ? &cfg.uas.srtp_drop_per_10k : &cfg.uas.srtp_reorder_per_10k) =
				(uint32_t)(pct * 100 + 0.5);
			break;
		}
		case O_JITTER:
			if (cli_u64(optarg, 0, 19, &u))
				return cli_usage_error("uas", "--srtp-jitter-ms: expected 0-19 (below a 20 ms "
						       "packet time), got \"%s\"", optarg);
			cfg.uas.srtp_jitter_us = (uint32_t)u * 1000;
			break;
		case O_SEED:
			if (cli_u64(optarg, 0, UINT64_MAX, &u))
				return cli_usage_error("uas", "--seed: expected an integer 0-%llu, got \"%s\"",
						       (unsigned long long)UINT64_MAX, optarg);
			cfg.uas.seed = u;
			break;
		case O_DELAY:
			if (cli_u64(optarg, 0, 600000, &u))
				return cli_usage_error("uas", "--delay-ms: expected 0-600000, got \"%s\"", optarg);
			cfg.uas.delay_ms = (uint32_t)u;
			break;
		case O_MIN_SE:
			if (cli_u64(optarg, 2, 86400, &u))
				return cli_usage_error("uas", "--min-se: expected seconds 2-86400, got \"%s\"", optarg);
			cfg.uas.min_se_s = (uint32_t)u;
			break;
		case O_REFUSE:
			if (cli_u64(optarg, 300, 699, &u))
				return cli_usage_error("uas", "--refuse: expected a final status 300-699, got \"%s\"", optarg);
			cfg.uas.refuse_status = (int)u;
			break;
		case O_MEDIA_PORTS:
			if (cli_port_range(optarg, &cfg.uas.media_port_lo, &cfg.uas.media_port_hi))
				return cli_usage_error("uas", "--media-ports: expected LO-HI with LO even, got \"%s\"", optarg);
			break;
		case O_SHARED_MEDIA_PORTS:
			cfg.uas.shared_media_ports = true;
			break;
		case O_NO_MEDIA:
			cfg.uas.media_port_lo = cfg.uas.media_port_hi = 0;
			break;
		case O_WRONG_KEY:
			cfg.uas.srtp_wrong_key = true;
			break;
		case O_REPLAY:
			cfg.uas.srtp_replay = true;
			break;
		case O_KEEP_OLD_KEY:
			cfg.uas.srtp_keep_old_key = true;
			break;
		case O_EXPECT_DTMF:
			if (!dtmf_valid(optarg))
				return cli_usage_error("uas", "--expect-dtmf: expected 1 to %d DTMF digits "
						       "(0-9 * # A-D), got \"%s\"", DTMF_MAX_DIGITS, optarg);
			snprintf(cfg.uas.expect_dtmf, sizeof(cfg.uas.expect_dtmf), "%s", optarg);
			break;
		case O_NO_DTMF_ECHO:
			cfg.uas.no_dtmf_echo = true;
			break;
		case O_CLIENT_CERT:
			if (!strcmp(optarg, "require"))
				tc.verify_peer = tc.require_peer_cert = true;
			else if (!strcmp(optarg, "request"))
				tc.verify_peer = true, tc.require_peer_cert = false;
			else if (!strcmp(optarg, "none"))
				tc.verify_peer = tc.require_peer_cert = false;
			else
				return cli_usage_error("uas", "--client-cert: expected require, request or none, got \"%s\"", optarg);
			break;
		case O_EXPECT_PEER:
			tc.expect_peer_names = optarg;
			break;
		case O_TLS_VERSION:
			tc.versions = 0;
			for (size_t i = 0; i < 4; i++)
				if (!strcmp(optarg, versions[i].name))
					tc.versions = versions[i].bits;
			if (!tc.versions)
				return cli_usage_error("uas", "--tls-version: expected 1.0, 1.1, 1.2 or 1.3, got \"%s\"", optarg);
			break;
		case O_SECURITY_LEVEL:
			if (cli_u64(optarg, 0, 5, &u))
				return cli_usage_error("uas", "--security-level: expected 0-5, got \"%s\"", optarg);
			tc.security_level = (int)u;
			break;
		case O_CIPHERS:
			tc.ciphers = optarg;
			break;
		case O_SHARE_PORT:
			share_port = true;
			break;
		case O_THREADS:
			if (cli_u64(optarg, 1, RUN_MAX_THREADS, &u))
				return cli_usage_error("uas", "--threads: expected 1-%d, got \"%s\"", RUN_MAX_THREADS, optarg);
			threads = (unsigned)u;
			break;
		case ':':
			return cli_usage_error("uas", "option '%s' needs a value", argv[optind - 1]);
		default:
			return cli_usage_error("uas", "unknown option '%s' (see trunkload uas --help)",
					       argv[optind - 1]);
		}
	}
	if (optind < argc)
		return cli_usage_error("uas", "unexpected argument '%s'", argv[optind]);
	uint16_t share_lo, share_hi;
	if (cfg.uas.media_port_lo && port_range_share(cfg.uas.media_port_lo, cfg.uas.media_port_hi, 0,
						      threads, &share_lo, &share_hi))
		return cli_usage_error("uas", "--media-ports %u-%u: too few ports for %u workers "
					      "(each needs a pair)", cfg.uas.media_port_lo,
				       cfg.uas.media_port_hi, threads);
	char err[512];
	if (tls) {
		if (!cert || !key || (!ca && tc.verify_peer))
			return cli_usage_error("uas", "TLS needs --cert and --key, and --ca to verify callers");
		tc.cert = cert;
		tc.key = key;
		tc.ca = ca;
		cli_warn_key_mode("uas", key);
		cfg.ctx = tls_ctx_new(true, &tc, err, sizeof(err));
		if (!cfg.ctx)
			return cli_usage_error("uas", "%s", err);
	}
	if (!share_port && port_taken(host, port)) {
		SSL_CTX_free(cfg.ctx);
		fprintf(stderr, "trunkload uas: cannot listen on %s: address in use by another "
				"process (--share-port to listen beside it, as shards of one far end)\n",
			tl_hostport_text(host, port, hostport, sizeof(hostport)));
		return EXIT_CANNOT;
	}
	/* a socket per connection, and two more per media call */
	if (cfg.uas.srtp_jitter_us && cfg.uas.srtp_reorder_per_10k)
		return cli_usage_error("uas", "--srtp-jitter-ms and --srtp-reorder: expected one of them "
				       "(each delays packets its own way), got both");
	behaviour.transport = tls ? SCN_TLS : SCN_TCP; /* what its verdict judges */
	if (cfg.uas.trace.mode != TRACE_OFF && !report_dir) {
		SSL_CTX_free(cfg.ctx);
		return cli_usage_error("uas", "--trace: the traces are written to the report directory: "
				       "expected --report-dir DIR too");
	}
	if (report_dir) {
		int mk = cli_make_dir(report_dir);
		if (mk) {
			SSL_CTX_free(cfg.ctx);
			return cli_usage_error("uas", "--report-dir %s: %s", report_dir, strerror(-mk));
		}
	}
	uint64_t fd_limit = cli_raise_fd_limit(3ull * RUN_UAS_MAX_CONNS * threads + 64);
	for (cfg.n_listen = 0; cfg.n_listen < threads; cfg.n_listen++) {
		int fd = listen_on(host, port, err, sizeof(err));
		if (fd < 0) {
			while (cfg.n_listen)
				close(cfg.listen_fds[--cfg.n_listen]);
			SSL_CTX_free(cfg.ctx);
			fprintf(stderr, "trunkload uas: cannot listen: %s\n", err);
			return EXIT_CANNOT;
		}
		cfg.listen_fds[cfg.n_listen] = fd;
	}
	printf("trunkload uas: listening on %s (%s, %u worker%s, open-files limit %llu)\n",
	       tl_hostport_text(host, port, hostport, sizeof(hostport)),
	       !tls ? "TCP" : tc.require_peer_cert ? "mutual TLS, client certificate required" :
	       tc.verify_peer ? "TLS, client certificate requested" : "TLS, no client certificate asked",
	       threads, threads == 1 ? "" : "s", (unsigned long long)fd_limit);
	fflush(stdout);
	static struct cli_metrics live;
	if (cli_metrics_start(&live, "uas", metrics_addr, cfg.n_listen, "responder")) {
		for (unsigned i = 0; i < cfg.n_listen; i++)
			close(cfg.listen_fds[i]);
		SSL_CTX_free(cfg.ctx);
		return EXIT_USAGE;
	}
	cfg.metrics = live.http ? &live.board : NULL;
	if (cli_pcap_open("uas", pcap_path, pcap_mb, &cfg.capture)) {
		for (unsigned i = 0; i < cfg.n_listen; i++)
			close(cfg.listen_fds[i]);
		SSL_CTX_free(cfg.ctx);
		cli_metrics_stop(&live, 0);
		return EXIT_USAGE;
	}

	struct uas_counts n = { 0 };
	static struct result res;
	result_init(&res);
	double started = clock_wall_s();
	int rc = run_responder(&cfg, &n, &res, err, sizeof(err));
	res.elapsed_s = res.steady_window_s = clock_wall_s() - started;
	cli_pcap_close("uas", cfg.capture, pcap_path, &res);
	if (live.http)
		metrics_publish_final(&live.board, &res);
	for (unsigned i = 0; i < cfg.n_listen; i++)
		close(cfg.listen_fds[i]);
	SSL_CTX_free(cfg.ctx);
	printf("trunkload uas: connections %llu (handshakes ok %llu, failed %llu), INVITE %llu "
	       "(answered %llu, refused %llu, 488 %llu, media set-up failed %llu), ACK %llu, BYE %llu, "
	       "CANCEL %llu, OPTIONS %llu, other %llu\n",
	       (unsigned long long)n.connections, (unsigned long long)res.hs_ok,
	       (unsigned long long)res.hs_failed, (unsigned long long)n.invites,
	       (unsigned long long)n.answered, (unsigned long long)n.refused,
	       (unsigned long long)n.not_acceptable, (unsigned long long)n.media_failed,
	       (unsigned long long)n.acks,
	       (unsigned long long)n.byes, (unsigned long long)n.cancels,
	       (unsigned long long)n.options, (unsigned long long)n.other);
	printf("trunkload uas: dialogs: delayed offers %llu, re-INVITEs %llu, UPDATEs %llu, 422 %llu, "
	       "bad answers %llu, expired %llu, no dialog (481) %llu, busy (503) %llu, "
	       "session refreshes sent %llu, received %llu\n",
	       (unsigned long long)n.delayed_offers, (unsigned long long)n.reinvites,
	       (unsigned long long)n.updates, (unsigned long long)n.too_brief,
	       (unsigned long long)n.bad_answers, (unsigned long long)n.expired,
	       (unsigned long long)n.no_dialog, (unsigned long long)n.busy,
	       (unsigned long long)n.refreshes_sent, (unsigned long long)n.refreshes_received);
	const uint64_t *sr = res.srtp.n;
	printf("trunkload uas: srtp streams %llu, packets sent %llu, received %llu, auth failures %llu, "
	       "replay failures %llu, stale-key packets %llu, lost %lld, early %llu, unexpected source %llu, "
	       "rtcp sent %llu received %llu\n",
	       (unsigned long long)sr[SRTP_STREAMS], (unsigned long long)sr[SRTP_PACKETS_SENT],
	       (unsigned long long)sr[SRTP_PACKETS_RECEIVED], (unsigned long long)sr[SRTP_AUTH_FAILURES],
	       (unsigned long long)sr[SRTP_REPLAY_FAILURES], (unsigned long long)sr[SRTP_STALE_KEY_PACKETS],
	       (long long)(int64_t)sr[SRTP_LOST],
	       (unsigned long long)sr[SRTP_EARLY_PACKETS], (unsigned long long)sr[SRTP_UNEXPECTED_SOURCE],
	       (unsigned long long)sr[SRTP_RTCP_SENT], (unsigned long long)sr[SRTP_RTCP_RECEIVED]);
	if (cfg.uas.behaviour)
		printf("trunkload uas: behaviour: not routed %llu, overloaded (503 over max_cps or max_calls) %llu, rang "
		       "out (no answer) %llu, hung up by us %llu, early media %llu (reliable %llu, PRACKs %llu)\n",
		       (unsigned long long)n.not_routed, (unsigned long long)n.overloaded,
		       (unsigned long long)n.rang_out,
		       (unsigned long long)n.hangups, (unsigned long long)n.early_media,
		       (unsigned long long)n.reliable_provisionals, (unsigned long long)n.pracks);
	printf("trunkload uas: dtmf digits received %llu, sent %llu, checked %llu, mismatched %llu\n",
	       (unsigned long long)res.dtmf[DTMF_COUNT_RECEIVED],
	       (unsigned long long)res.dtmf[DTMF_COUNT_SENT],
	       (unsigned long long)res.dtmf[DTMF_COUNT_CHECKED],
	       (unsigned long long)res.dtmf[DTMF_COUNT_MISMATCHED]);
	const struct tester_health *th = &res.tester;
	printf("trunkload uas: tester: loop turns over 10 ms %llu (worst %.1f ms), receives re-armed "
	       "for want of buffers %llu, zero windows ours %llu far end %llu of %llu samples, "
	       "busiest worker %.0f%% CPU\n",
	       (unsigned long long)th->long_turns, th->worst_turn_us / 1000.0,
	       (unsigned long long)th->enobufs_rearms, (unsigned long long)th->zero_window_ours,
	       (unsigned long long)th->zero_window_far_end, (unsigned long long)th->tcp_samples,
	       th->busiest_worker_pct);
	if (res.first_tls_error[0])
		printf("trunkload uas: first connection error: %s\n", res.first_tls_error);
	int status = EXIT_PASS;
	if (report_dir && !rc)
		status = write_report(report_dir, &behaviour, &res, host, port, started, argc, argv);
	result_free(&res);
	cli_metrics_stop(&live, metrics_hold);
	if (rc) {
		fprintf(stderr, "trunkload uas: %s\n", err);
		return EXIT_CANNOT;
	}
	return status;
}
