#include "cli.h"
#include "net_addr.h"
#include "str.h"
#include "cli_capacity.h"
#include "cli_metrics.h"
#include "cli_pcap.h"
#include "cli_targets.h"
#include "wall_time.h"
#include "clock.h"
#include "report.h"
#include "port_range.h"
#include "run.h"
#include "scenario.h"
#include "tls.h"
#include "verdict.h"
#include <errno.h>
#include <fcntl.h>
#include <unistd.h>
#include <getopt.h>
#include <math.h>
#include <netdb.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

static const char run_help[] =
	"usage: trunkload run [SCENARIO.json] [options]\n"
	"\n"
	"Runs the scenario's calls against a SIP trunk and judges them against its thresholds.\n"
	"Without a scenario file the built-in basic call is used (INVITE, 100, 180, 200, ACK,\n"
	"media, BYE, 200). Flags override the scenario's values.\n"
	"\n"
	"target and identity:\n"
	"  --target HOST:PORT[,HOST:PORT...]\n"
	"                          the far end (scenario target.host/port; default 127.0.0.1:5061);\n"
	"                          several: a trunk's destinations, as target.hosts (up to 16);\n"
	"                          IPv6 in brackets: [::1]:5061; sips:DOMAIN: the destinations\n"
	"                          DOMAIN's NAPTR and SRV records name (RFC 3263, target.resolve\n"
	"                          srv), by their priority and weight, the next priority taking\n"
	"                          the calls while none of the best is up\n"
	"  --dns ADDR:PORT         ask this DNS server (c-ares; [V6]:PORT) for SRV and addresses\n"
	"                          instead of the system's resolver; a query unanswered for 3 s\n"
	"                          stops the run (exit 3)\n"
	"  --server-name NAME      SNI and the name the far end's certificate must match\n"
	"                          (target.server_name; default: the domain of sips:DOMAIN as\n"
	"                          RFC 5922 says, else each destination's host, or\n"
	"                          without a scenario file the --target host; with neither,\n"
	"                          the lab's uas.trunkload.test)\n"
	"  --cert FILE --key FILE  our client certificate (chain) and private key, PEM\n"
	"  --ca FILE               CA certificates that the far end's certificate must chain to\n"
	"  --crl FILE              CRLs (PEM) the far end's chain is checked against (tls.crl):\n"
	"                          a revoked certificate is the finding revoked\n"
	"  --tls-version 1.0|1.1|1.2|1.3\n"
	"                          allow only this TLS version (default: 1.2 and 1.3; 1.0 and\n"
	"                          1.1 also need --security-level 0)\n"
	"  --security-level 0-5    OpenSSL security level (default: OpenSSL's, 2 on Debian);\n"
	"                          legacy peers (1024-bit RSA, SHA-1, TLS 1.0) need 0\n"
	"  --expect-handshake ok|rejected\n"
	"                          rejected: a negative test that passes only if the far end\n"
	"                          refuses every attempt (each call is one connection attempt,\n"
	"                          held 1 s for a TLS 1.3 refusal; how it refused is reported)\n"
	"  --transport tls|tcp     mutual TLS (default) or plain TCP (for peers without TLS)\n"
	"  --mode trunk|per_call|handshake\n"
	"                          trunk: --connections long-lived connections carry all calls;\n"
	"                          per_call: a new mutual-TLS connection for every call, closed\n"
	"                          with close_notify after it; handshake: connect, handshake and\n"
	"                          close, no SIP (TLS capacity)\n"
	"  --resume                resume TLS sessions on new connections (TLS 1.2 session IDs,\n"
	"                          TLS 1.3 tickets), as endpoints do in a reconnect storm; the\n"
	"                          report counts tls.handshakes.resumed\n"
	"  --connections N         long-lived trunk connections that carry all calls (to each\n"
	"                          destination when there are several)\n"
	"  --source ADDR[-ADDR]    bind our connections to these local addresses in turn\n"
	"                          (transport.source), e.g. 127.0.0.1-127.0.0.8 on loopback:\n"
	"                          each address has its own ~28,000 ephemeral ports\n"
	"  --threads N             workers, each with its own ring, connections and calls\n"
	"                          (default: cores; trunk mode uses at most one per connection)\n"
	"\n"
	"load (open loop: calls start on schedule whatever the far end does):\n"
	"  --rate CPS              calls started per second\n"
	"  --calls N               number of calls (alone: clears the scenario's duration)\n"
	"  --duration S            seconds of call starts (alone: clears the scenario's calls)\n"
	"  --hold-ms MS            handshake mode: keep each connection open MS after its\n"
	"                          handshake (load.hold_ms), to hold many idle connections;\n"
	"                          --rate paces their set-up; each held connection counts\n"
	"                          against --max-concurrent\n"
	"  --max-concurrent N      cap on calls in progress; a call that would exceed it fails\n"
	"                          as concurrency_cap (reported, never a silent change of rate)\n"
	"  --media-ms MS           length of each media step (0: no media phase); during it\n"
	"                          every call sends the answer's codec (PCMU or PCMA) over\n"
	"                          SRTP with its SDES key and\n"
	"                          checks what the far end sends\n"
	"  --media-ports LO-HI     UDP ports for RTP (even) and RTCP (odd) (default 20000-29999)\n"
	"  --shared-media-ports    one RTP and one RTCP port per thread for all its calls, told\n"
	"                          apart by the far end's address, port and SSRC (media.ports)\n"
	"\n"
	"capacity search:\n"
	"  --find-capacity [cps|concurrent]\n"
	"                          instead of one run, trials of --step-s each at rising rates\n"
	"                          (doubled from --from until one fails a check of the\n"
	"                          scenario, then halved between the highest that held and\n"
	"                          the lowest that failed to within 5 %), --drain-s apart for\n"
	"                          the far end to drain; the report's capacity.cps is the\n"
	"                          highest rate at which every check held, its stages[] the\n"
	"                          trials; exit 0 when a rate held, 1 when even --from failed\n"
	"                          concurrent: calls in progress instead (each held as the flow\n"
	"                          holds it: --media-ms, pauses, or --hold-ms in handshake\n"
	"                          mode); a trial of C calls starts C/hold calls a second for\n"
	"                          --step-s plus the hold, and holds only if C were in progress\n"
	"  --from N                the first rate (or concurrency) tried (default: the\n"
	"                          scenario's load.rate, or the calls in progress it makes)\n"
	"  --max N                 the highest tried (default 1000000)\n"
	"  --step-s S              each trial's length (default 10)\n"
	"  --drain-s S             the pause after each trial (default 2)\n"
	"\n"
	"  --keylog FILE           write the TLS secrets (NSS key log format, mode 0600) so that\n"
	"                          a capture of the trunk can be decrypted in Wireshark/tshark\n"
	"  --shard I/N             run shard I (0..N-1) of N started together (e.g. a Kubernetes\n"
	"                          Indexed Job): this run takes 1/N of the rate, of the calls and\n"
	"                          of the concurrency cap, and its own part of --media-ports;\n"
	"                          merge the reports with\n"
	"                          trunkload merge\n"
	"  --start-at TIME         set up the connections, then start the schedule at TIME\n"
	"                          (RFC 3339, 2026-12-06T22:40:00Z, or epoch seconds; at most\n"
	"                          24 h ahead): shards given one TIME start together, and merge\n"
	"                          lines their seconds up by it\n"
	"  --metrics ADDR:PORT     serve live figures at http://ADDR:PORT/metrics (Prometheus\n"
	"                          text: calls started, completed, failed by reason, active,\n"
	"                          TLS handshakes, SRTP packets and authentication failures,\n"
	"                          INVITE to 200 as a histogram in seconds; trunkload_ names),\n"
	"                          every worker's once a second, the final result at the end\n"
	"  --metrics-hold S        keep serving the final figures S seconds after the run, for\n"
	"                          a scraper's last look (default 0)\n"
	"  --trace failed[:N]|all:N\n"
	"                          keep the SIP messages (as sent and received inside TLS, with\n"
	"                          times and connections) of up to N failed calls per failure\n"
	"                          reason (default 10), or of the first N calls, in\n"
	"                          traces/<reason>-<Call-ID>.txt, listed in report.json traces[]\n"
	"  --trace-mem MiB         memory the traces may take (default 64); past it traces are\n"
	"                          dropped and counted (traces_dropped), the run never slowed\n"
	"  --pcap FILE             write what crossed each connection (the SIP inside TLS, as\n"
	"                          TCP between the real addresses and ports) and the RTP header\n"
	"                          of each SRTP packet to FILE (pcap) for Wireshark or sngrep,\n"
	"                          no key log needed; it slows a heavy run (one file, one lock)\n"
	"  --pcap-max-mb MiB       the capture's size cap (default 256); past it packets are\n"
	"                          left out and counted (report.json pcap.dropped)\n"
	"  --srtp-keys             list the SRTP keys (both directions) of the first 1000 calls\n"
	"                          in report.json (srtp.keys), to decrypt captured media\n"
	"\n"
	"output:\n"
	"  --report-dir DIR        where report.json, report.html, junit.xml and timeseries.csv\n"
	"                          go (default: trunkload-report)\n"
	"  --quiet                 no progress line on stderr and no summary on stdout\n"
	"\n"
	"SIGINT or SIGTERM starts no new call and lets calls in progress end within 5 s; a\n"
	"second signal ends the run at once. The reports are written either way.\n"
	"\n"
	"exit status: 0 every check held, 1 a check failed, 2 bad usage or input, 3 could not run.\n";

enum {
	O_TARGET = 256, O_SERVER_NAME, O_CERT, O_KEY, O_CA, O_TLS_VERSION, O_TRANSPORT,
	O_CONNECTIONS, O_RATE, O_CALLS, O_DURATION, O_MAX_CONCURRENT, O_MEDIA_MS, O_REPORT_DIR,
	O_QUIET, O_HELP, O_MEDIA_PORTS, O_MODE, O_THREADS, O_SECURITY_LEVEL, O_EXPECT_HANDSHAKE,
	O_KEYLOG, O_SRTP_KEYS, O_SHARD, O_RESUME, O_SOURCE, O_HOLD_MS, O_CRL, O_START_AT,
	O_FIND_CAPACITY, O_FROM, O_MAX, O_STEP_S, O_DRAIN_S, O_METRICS, O_METRICS_HOLD, O_TRACE,
	O_TRACE_MEM, O_PCAP, O_PCAP_MAX_MB, O_DNS, O_SHARED_MEDIA_PORTS,
};

static const struct option run_options[] = {
	{ "target", required_argument, NULL, O_TARGET },
	{ "server-name", required_argument, NULL, O_SERVER_NAME },
	{ "cert", required_argument, NULL, O_CERT },
	{ "key", required_argument, NULL, O_KEY },
	{ "ca", required_argument, NULL, O_CA },
	{ "crl", required_argument, NULL, O_CRL },
	{ "tls-version", required_argument, NULL, O_TLS_VERSION },
	{ "transport", required_argument, NULL, O_TRANSPORT },
	{ "connections", required_argument, NULL, O_CONNECTIONS },
	{ "rate", required_argument, NULL, O_RATE },
	{ "calls", required_argument, NULL, O_CALLS },
	{ "duration", required_argument, NULL, O_DURATION },
	{ "max-concurrent", required_argument, NULL, O_MAX_CONCURRENT },
	{ "media-ms", required_argument, NULL, O_MEDIA_MS },
	{ "media-ports", required_argument, NULL, O_MEDIA_PORTS },
	{ "shared-media-ports", no_argument, NULL, O_SHARED_MEDIA_PORTS },
	{ "mode", required_argument, NULL, O_MODE },
	{ "threads", required_argument, NULL, O_THREADS },
	{ "security-level", required_argument, NULL, O_SECURITY_LEVEL },
	{ "expect-handshake", required_argument, NULL, O_EXPECT_HANDSHAKE },
	{ "keylog", required_argument, NULL, O_KEYLOG },
	{ "srtp-keys", no_argument, NULL, O_SRTP_KEYS },
	{ "shard", required_argument, NULL, O_SHARD },
	{ "start-at", required_argument, NULL, O_START_AT },
	{ "find-capacity", optional_argument, NULL, O_FIND_CAPACITY },
	{ "from", required_argument, NULL, O_FROM },
	{ "max", required_argument, NULL, O_MAX },
	{ "step-s", required_argument, NULL, O_STEP_S },
	{ "drain-s", required_argument, NULL, O_DRAIN_S },
	{ "metrics", required_argument, NULL, O_METRICS },
	{ "trace", required_argument, NULL, O_TRACE },
	{ "trace-mem", required_argument, NULL, O_TRACE_MEM },
	{ "pcap", required_argument, NULL, O_PCAP },
	{ "dns", required_argument, NULL, O_DNS },
	{ "pcap-max-mb", required_argument, NULL, O_PCAP_MAX_MB },
	{ "metrics-hold", required_argument, NULL, O_METRICS_HOLD },
	{ "resume", no_argument, NULL, O_RESUME },
	{ "source", required_argument, NULL, O_SOURCE },
	{ "hold-ms", required_argument, NULL, O_HOLD_MS },
	{ "report-dir", required_argument, NULL, O_REPORT_DIR },
	{ "quiet", no_argument, NULL, O_QUIET },
	{ "help", no_argument, NULL, O_HELP },
	{ 0 },
};

static int copy_field(char *dst, size_t cap, const char *src, const char *flag)
{
	if (strlen(src) >= cap)
		return cli_usage_error("run", "%s: value too long (at most %zu bytes)", flag, cap - 1);
	snprintf(dst, cap, "%s", src);
	return 0;
}

/* Applies one flag to the scenario. Returns 0 or EXIT_USAGE. */
static int apply_flag(struct scenario *s, int opt, const char *arg, bool *calls_set,
		      bool *duration_set)
{
	uint64_t u;
	double d;
	switch (opt) {
	case O_TARGET: {
		const char *item;
		size_t len;
		switch (scn_set_targets(s, arg, &item, &len)) {
		case 0:
			return 0;
		case -ERANGE:
			return cli_usage_error("run", "--target %.*s: the port is outside 1-65535", (int)len, item);
		case -E2BIG:
			return cli_usage_error("run", "--target: at most %d destinations, got more", DEST_MAX);
		case -EEXIST:
			return cli_usage_error("run", "--target: %.*s is named twice", (int)len, item);
		default:
			return cli_usage_error("run", "--target: expected HOST:PORT or [IPV6]:PORT (or HOST "
						      "for port %d), several separated by commas, or sips:DOMAIN "
						      "alone, got \"%.*s\"",
					       CLI_SIPS_PORT, (int)len, item);
		}
	}
	case O_SERVER_NAME:
		return copy_field(s->server_name, sizeof(s->server_name), arg, "--server-name");
	case O_CERT:
		return copy_field(s->cert, sizeof(s->cert), arg, "--cert");
	case O_KEY:
		return copy_field(s->key, sizeof(s->key), arg, "--key");
	case O_CA:
		return copy_field(s->ca, sizeof(s->ca), arg, "--ca");
	case O_CRL:
		return copy_field(s->crl, sizeof(s->crl), arg, "--crl");
	case O_TLS_VERSION:
		if (!strcmp(arg, "1.0"))
			s->tls_versions = TL_TLS1_0;
		else if (!strcmp(arg, "1.1"))
			s->tls_versions = TL_TLS1_1;
		else if (!strcmp(arg, "1.2"))
			s->tls_versions = TL_TLS1_2;
		else if (!strcmp(arg, "1.3"))
			s->tls_versions = TL_TLS1_3;
		else
			return cli_usage_error("run", "--tls-version: expected 1.0, 1.1, 1.2 or 1.3, got \"%s\"", arg);
		return 0;
	case O_SECURITY_LEVEL:
		if (cli_u64(arg, 0, 5, &u))
			return cli_usage_error("run", "--security-level: expected 0-5, got \"%s\"", arg);
		s->security_level = (int)u;
		return 0;
	case O_EXPECT_HANDSHAKE:
		if (!strcmp(arg, "ok"))
			s->expect_handshake = SCN_HS_OK;
		else if (!strcmp(arg, "rejected"))
			s->expect_handshake = SCN_HS_REJECTED;
		else
			return cli_usage_error("run", "--expect-handshake: expected ok or rejected, got \"%s\"", arg);
		return 0;
	case O_TRANSPORT:
		if (!strcmp(arg, "tls"))
			s->transport = SCN_TLS;
		else if (!strcmp(arg, "tcp"))
			s->transport = SCN_TCP;
		else
			return cli_usage_error("run", "--transport: expected tls or tcp, got \"%s\"", arg);
		return 0;
	case O_MODE:
		if (!strcmp(arg, "trunk"))
			s->mode = SCN_TRUNK;
		else if (!strcmp(arg, "per_call"))
			s->mode = SCN_PER_CALL;
		else if (!strcmp(arg, "handshake"))
			s->mode = SCN_HANDSHAKE;
		else
			return cli_usage_error("run", "--mode: expected trunk, per_call or handshake, got \"%s\"", arg);
		return 0;
	case O_CONNECTIONS:
		if (cli_u64(arg, 1, 65535, &u)) /* as transport.connections */
			return cli_usage_error("run", "--connections: expected 1-65535, got \"%s\"", arg);
		s->connections = (unsigned)u;
		return 0;
	case O_RATE:
		if (s->n_stages)
			return cli_usage_error("run", "--rate: the scenario's load.stages give the rates");
		if (cli_double(arg, 0.001, 10e6, &d))
			return cli_usage_error("run", "--rate: expected calls per second from 0.001 to "
						      "10000000, got \"%s\"", arg);
		s->rate = d;
		return 0;
	case O_CALLS:
		if (cli_u64(arg, 1, UINT64_MAX / 2, &u))
			return cli_usage_error("run", "--calls: expected a whole number >= 1, got \"%s\"", arg);
		s->calls = u;
		*calls_set = true;
		return 0;
	case O_DURATION:
		if (s->n_stages)
			return cli_usage_error("run", "--duration: the scenario's load.stages give the "
					       "duration");
		if (cli_double(arg, 0.001, 1e7, &d))
			return cli_usage_error("run", "--duration: expected seconds > 0, got \"%s\"", arg);
		s->duration_s = d;
		*duration_set = true;
		return 0;
	case O_MAX_CONCURRENT:
		if (cli_u64(arg, 1, SCN_MAX_CONCURRENT, &u))
			return cli_usage_error("run", "--max-concurrent: expected 1-%u, got \"%s\"",
					       SCN_MAX_CONCURRENT, arg);
		s->max_concurrent = (uint32_t)u;
		return 0;
	case O_SOURCE:
		if (strlen(arg) >= sizeof(s->source) ||
		    scn_parse_source(arg, &s->source_range))
			return cli_usage_error("run", "--source: expected an IP address or a range A-B "
						      "(the same but for the last 16 bits), got \"%s\"", arg);
		snprintf(s->source, sizeof(s->source), "%s", arg);
		return 0;
	case O_HOLD_MS:
		if (cli_u64(arg, 0, 86400000, &u))
			return cli_usage_error("run", "--hold-ms: expected milliseconds 0-86400000, got \"%s\"", arg);
		s->hold_ms = (uint32_t)u;
		return 0;
	case O_MEDIA_MS:
		if (cli_u64(arg, 0, 86400000, &u))
			return cli_usage_error("run", "--media-ms: expected milliseconds >= 0, got \"%s\"", arg);
		s->media_ms = (int32_t)u;
		return 0;
	case O_SHARED_MEDIA_PORTS:
		s->shared_media_ports = true;
		return 0;
	}
	return 0;
}

/* Live progress on stderr: one refreshed line on a terminal, a plain line every 5 s
 * otherwise. */
struct progress_view {
	const struct scenario *s;
	bool tty, printed;
	uint64_t last_started, last_completed, last_ns;
	unsigned ticks;
};

static void print_progress(const struct progress_snapshot *p, void *arg)
{
	struct progress_view *v = arg;
	const struct scenario *s = v->s;
	uint64_t now = clock_mono_ns();
	double elapsed = p->t0_ns ? (double)(now - p->t0_ns) / 1e9 : 0;
	if (!v->tty && ++v->ticks % 5)
		return;
	/* rates over the time since the last line: one second on a terminal, five else */
	if (p->started < v->last_started) /* a new trial of --find-capacity: counts anew */
		v->last_started = v->last_completed = v->last_ns = 0;
	double span = v->last_ns ? (double)(now - v->last_ns) / 1e9 : 1;
	double started_rate = span > 0 ? (double)(p->started - v->last_started) / span : 0;
	double completed_rate = span > 0 ? (double)(p->completed - v->last_completed) / span : 0;
	v->last_started = p->started;
	v->last_completed = p->completed;
	v->last_ns = now;
	double target = s->ramp_s > 0 && elapsed < s->ramp_s ? s->rate * elapsed / s->ramp_s : s->rate;
	char total[48];
	if (s->calls)
		snprintf(total, sizeof(total), "%llu/%llu", (unsigned long long)p->started,
			 (unsigned long long)s->calls);
	else
		snprintf(total, sizeof(total), "%llu", (unsigned long long)p->started);
	char when[32];
	if (s->duration_s > 0)
		snprintf(when, sizeof(when), "%5.0f/%.0f s", elapsed, s->duration_s);
	else
		snprintf(when, sizeof(when), "%5.0f s", elapsed);
	/* the tester's own delay, once it is large enough to be in the figures */
	char lag[64] = "";
	if (p->lag_us > TESTER_LAG_SHOWN_US)
		snprintf(lag, sizeof(lag), "  trunkload behind schedule by %.0f ms", p->lag_us / 1000.0);
	fprintf(stderr, "%s[%s] started %s (%.0f/s, target %.0f)  completed %llu (%.0f/s)  failed %llu  "
			"active %llu  p99 %.1f ms  tls failed %llu  srtp auth failures %llu%s%s",
		v->tty ? "\r" : "", when, total, started_rate, target, (unsigned long long)p->completed,
		completed_rate, (unsigned long long)p->failed, (unsigned long long)p->active,
		p->p99_us / 1000.0, (unsigned long long)p->hs_failed,
		(unsigned long long)p->auth_failures, lag, v->tty ? "\033[K" : "\n");
	v->printed = true;
}

/* Every source address must be ours: a typo would otherwise fail each call alike. */
static int check_sources(const struct scenario *s)
{
	for (uint32_t i = 0; i < s->source_range.n; i++) {
		union tl_sockaddr a;
		tl_addr_range_at(&s->source_range, i, &a);
		int fd = socket(a.sa.sa_family, SOCK_STREAM | SOCK_CLOEXEC, 0);
		int one = 1;
		if (fd >= 0)
			setsockopt(fd, IPPROTO_IP, IP_BIND_ADDRESS_NO_PORT, &one, sizeof(one));
		if (fd < 0 || bind(fd, &a.sa, tl_sockaddr_len(&a))) {
			char ip[TL_IP_TEXT];
			tl_sockaddr_ip(&a, ip, sizeof(ip));
			int e = errno;
			if (fd >= 0)
				close(fd);
			return cli_usage_error("run", "transport.source %s: cannot use %s: %s", s->source,
					       ip, strerror(e));
		}
		close(fd);
	}
	return 0;
}

/* How long a call is held when all goes well: its pauses, media and digits, or in
 * handshake mode the hold of its connection (the signalling's milliseconds aside). */
static double call_seconds(const struct scenario *s)
{
	double ms = s->mode == SCN_HANDSHAKE ? s->hold_ms : 0;
	for (unsigned i = 0; scn_runs_flow(s) && i < s->n_flow; i++) {
		const struct flow_step *st = &s->flow[i];
		if (st->kind == FLOW_PAUSE)
			ms += st->ms;
		else if (st->kind == FLOW_MEDIA)
			ms += s->media_ms >= 0 ? (double)s->media_ms : st->ms;
		else if (st->kind == FLOW_DTMF)
			ms += (double)strlen(st->digits) * (st->ms + st->gap_ms);
	}
	return ms / 1000.0;
}

/* Calls in progress at the peak, as the schedule makes them: the rate times how long
 * a call lasts when all goes well (and 2 s for the rest), at most the cap. A far end
 * that stalls makes more; the cap bounds those. */
static uint64_t peak_calls(const struct scenario *s)
{
	double peak = s->rate * (call_seconds(s) + 2.0) + 16;
	/* a run of a few calls holds no more than those */
	if (s->calls && peak > (double)s->calls)
		peak = (double)s->calls;
	return peak < s->max_concurrent ? (uint64_t)peak : s->max_concurrent;
}

/* Descriptors the run may hold at once: a socket per connection, two per media call. */
static uint64_t fds_needed(const struct scenario *s)
{
	uint64_t calls = peak_calls(s);
	uint64_t conns = scn_conn_per_call(s) ? calls : (uint64_t)s->connections * scn_n_dests(s);
	return conns + (scn_has_media(s) ? 2 * calls : 0) + 64;
}

int cmd_run(int argc, char **argv)
{
	static struct scenario scn; /* large: kept off the stack */
	struct scenario_errors errs = { 0 };
	const char *report_dir = "trunkload-report";
	bool quiet = false, calls_set = false, duration_set = false;
	uint16_t media_lo = 20000, media_hi = 29999;
	unsigned threads = cli_default_threads();
	const char *keylog_path = NULL;
	bool srtp_keys = false, resume = false;
	unsigned shard = 0, shards = 0;
	double start_at = 0;
	char shard_text[32] = "";
	bool find = false, from_set = false;
	const char *metrics_addr = NULL;
	double metrics_hold = 0;
	struct trace_plan trace = { .mem = 64u << 20 };
	const char *pcap_path = NULL;
	const char *dns_server = NULL;
	uint64_t pcap_mb = CLI_PCAP_DEFAULT_MB;
	struct capacity_plan plan = { .max = 1e6, .step_s = 10, .drain_s = 2 };
	enum { MAX_FLAGS = 256 };
	int flags[MAX_FLAGS], nflags = 0;
	char *args[MAX_FLAGS];

	/* as given, before a word of --find-capacity is taken from the operands */
	static char command[2048];
	cli_join_args(command, sizeof(command), argc, argv);
	optind = 1;
	opterr = 0;
	int opt;
	while ((opt = cli_next_option(argc, argv, run_options, "run")) != -1) {
		if (opt == '!')
			return EXIT_USAGE;
		if (opt == O_HELP) {
			fputs(run_help, stdout);
			return EXIT_PASS;
		}
		if (opt == '?')
			return cli_usage_error("run", "unknown option '%s' (see trunkload run --help)",
					       argv[optind - 1]);
		if (opt == ':')
			return cli_usage_error("run", "option '%s' needs a value", argv[optind - 1]);
		if (opt == O_REPORT_DIR)
			report_dir = optarg;
		else if (opt == O_KEYLOG)
			keylog_path = optarg;
		else if (opt == O_SRTP_KEYS)
			srtp_keys = true;
		else if (opt == O_RESUME)
			resume = true;
		else if (opt == O_SHARD) {
			char extra;
			if (sscanf(optarg, "%u/%u%c", &shard, &shards, &extra) != 2 || !shards ||
			    shards > 1024 || shard >= shards)
				return cli_usage_error("run", "--shard: expected I/N with 0 <= I < N <= 1024, got \"%s\"", optarg);
			snprintf(shard_text, sizeof(shard_text), "%u/%u", shard, shards);
		} else if (opt == O_START_AT) {
			if (wall_time_parse(optarg, &start_at))
				return cli_usage_error("run", "--start-at: expected an RFC 3339 time "
						       "(2026-12-06T22:40:00Z) or epoch seconds, got \"%s\"", optarg);
			double ahead = start_at - clock_wall_s();
			if (ahead > 86400)
				return cli_usage_error("run", "--start-at %s is %.1f h ahead: at most 24 h "
						       "(a wrong date?)", optarg, ahead / 3600);
		}
		else if (opt == O_THREADS) {
			uint64_t n;
			if (cli_u64(optarg, 1, RUN_MAX_THREADS, &n))
				return cli_usage_error("run", "--threads: expected 1-%d, got \"%s\"", RUN_MAX_THREADS, optarg);
			threads = (unsigned)n;
		} else if (opt == O_MEDIA_PORTS) {
			if (cli_port_range(optarg, &media_lo, &media_hi))
				return cli_usage_error("run", "--media-ports: expected LO-HI with LO even, got \"%s\"", optarg);
		}
		else if (opt == O_QUIET)
			quiet = true;
		else if (opt == O_FIND_CAPACITY) {
			find = true;
			if (optarg && strcmp(optarg, "cps") && strcmp(optarg, "concurrent"))
				return cli_usage_error("run", "--find-capacity: expected cps or concurrent, got \"%s\"",
						       optarg);
			plan.concurrent = optarg && !strcmp(optarg, "concurrent");
		}
		else if (opt == O_FROM || opt == O_MAX) {
			double *v = opt == O_FROM ? &plan.from : &plan.max;
			if (cli_double(optarg, 0.001, 10000000, v))
				return cli_usage_error("run", "%s: expected calls/s > 0 and at most 10000000, got \"%s\"",
						       opt == O_FROM ? "--from" : "--max", optarg);
			from_set |= opt == O_FROM;
		} else if (opt == O_STEP_S) {
			if (cli_double(optarg, 1, 3600, &plan.step_s))
				return cli_usage_error("run", "--step-s: expected seconds 1-3600, got \"%s\"", optarg);
		} else if (opt == O_TRACE) {
			if (cli_trace_option("run", optarg, &trace))
				return EXIT_USAGE;
		} else if (opt == O_TRACE_MEM) {
			if (cli_trace_mem_option("run", optarg, &trace))
				return EXIT_USAGE;
		} else if (opt == O_PCAP) {
			pcap_path = optarg;
		} else if (opt == O_DNS) {
			char host[TL_IP_TEXT + 2];
			uint16_t port;
			union tl_sockaddr a;
			if (tl_hostport_parse(optarg, strlen(optarg), host, sizeof(host), &port, 53) ||
			    tl_sockaddr_set(&a, host, port))
				return cli_usage_error("run", "--dns: expected a DNS server's ADDR:PORT or [V6]:PORT, "
							      "got \"%s\"", optarg);
			dns_server = optarg;
		} else if (opt == O_PCAP_MAX_MB) {
			if (cli_u64(optarg, 1, 1u << 20, &pcap_mb))
				return cli_usage_error("run", "--pcap-max-mb: expected MiB 1-1048576, got \"%s\"", optarg);
		} else if (opt == O_METRICS) {
			metrics_addr = optarg;
		} else if (opt == O_METRICS_HOLD) {
			if (cli_double(optarg, 0, 3600, &metrics_hold))
				return cli_usage_error("run", "--metrics-hold: expected seconds 0-3600, got \"%s\"", optarg);
		} else if (opt == O_DRAIN_S) {
			if (cli_double(optarg, 0, 600, &plan.drain_s))
				return cli_usage_error("run", "--drain-s: expected seconds 0-600, got \"%s\"", optarg);
		}
		else if (nflags == MAX_FLAGS)
			return cli_usage_error("run", "too many options (at most %d that change the scenario)",
					       MAX_FLAGS);
		else {
			flags[nflags] = opt;
			args[nflags++] = optarg;
		}
	}
	/* "--find-capacity concurrent": the word lands among the operands (no such file) */
	for (int i = optind; find && i < argc; i++)
		if ((!strcmp(argv[i], "concurrent") || !strcmp(argv[i], "cps")) && access(argv[i], F_OK)) {
			plan.concurrent = !strcmp(argv[i], "concurrent");
			memmove(&argv[i], &argv[i + 1], (size_t)(argc - i - 1) * sizeof(*argv));
			argc--;
			break;
		}
	if (argc - optind > 1)
		return cli_usage_error("run", "one scenario file at most, got %d", argc - optind);

	scenario_default(&scn);
	if (optind < argc) {
		int rc = scenario_load_file(argv[optind], &scn, &errs);
		if (rc) {
			for (unsigned i = 0; i < errs.n; i++)
				fprintf(stderr, "%s\n", errs.msg[i]);
			return EXIT_USAGE;
		}
		if (scn.role == SCN_ROLE_UAS)
			return cli_usage_error("run", "%s is a responder's behaviour (\"role\": \"uas\"): "
					       "give it to trunkload uas --scenario", argv[optind]);
	}
	bool target_set = false, server_name_set = false, cert_set = false, key_set = false;
	for (int i = 0; i < nflags; i++) {
		if (apply_flag(&scn, flags[i], args[i], &calls_set, &duration_set))
			return EXIT_USAGE;
		target_set |= flags[i] == O_TARGET;
		server_name_set |= flags[i] == O_SERVER_NAME;
		cert_set |= flags[i] == O_CERT;
		key_set |= flags[i] == O_KEY;
	}
	/* said in terms of the flags the user gave, not of a scenario's keys */
	if (cert_set && !scn.key[0])
		return cli_usage_error("run", "--cert %s needs --key FILE: the private key made with that "
					      "certificate", scn.cert);
	if (key_set && !scn.cert[0])
		return cli_usage_error("run", "--key %s needs --cert FILE: the certificate made with that "
					      "key", scn.key);
	/* the built-in name fits the lab's default target only; another target is
	 * checked against its host unless a scenario file or --server-name names one */
	if (target_set && !server_name_set && optind >= argc)
		scn.server_name[0] = '\0';
	if (find && (scn.n_stages || shards > 1 || start_at > 0))
		return cli_usage_error("run", "--find-capacity: not with %s (the search sets each trial's "
				       "rate and starts at once)", scn.n_stages ? "load.stages" :
				       shards > 1 ? "--shard" : "--start-at");
	if (!find && (from_set || plan.max != 1e6 || plan.step_s != 10 || plan.drain_s != 2))
		return cli_usage_error("run", "--from, --max, --step-s and --drain-s: only with --find-capacity");
	plan.call_s = call_seconds(&scn);
	if (find && plan.concurrent && plan.call_s < 1)
		return cli_usage_error("run", "--find-capacity concurrent: a call lasts %.3f s; hold each "
				       "at least a second (--media-ms, a pause step, or --hold-ms in handshake mode)",
				       plan.call_s);
	if (find && !from_set) /* the scenario's own load, as calls/s or as calls in progress */
		plan.from = plan.concurrent ? ceil(scn.rate * plan.call_s) : scn.rate;
	if (find && plan.from > plan.max)
		return cli_usage_error("run", "--find-capacity: --from %g is above --max %g", plan.from, plan.max);
	if (calls_set && !duration_set && !scn.n_stages) /* the stages' time still bounds it */
		scn.duration_s = 0;
	if (duration_set && !calls_set)
		scn.calls = 0;
	if (shards > 1) { /* this shard's share: rate, calls, concurrency, media ports */
		scn.rate /= shards;
		for (unsigned i = 0; i < scn.n_stages; i++)
			scn.stages[i].rate /= shards;
		if (scn.calls)
			scn.calls = scn.calls / shards + (shard < scn.calls % shards);
		scn.max_concurrent = (scn.max_concurrent + shards - 1) / shards;
		if (port_range_share(media_lo, media_hi, shard, shards, &media_lo, &media_hi))
			return cli_usage_error("run", "--media-ports %u-%u is too small for %u shards",
					       media_lo, media_hi, shards);
	}
	if (scenario_validate(&scn, &errs)) {
		for (unsigned i = 0; i < errs.n; i++)
			fprintf(stderr, "%s\n", errs.msg[i]);
		return EXIT_USAGE;
	}

	if (check_sources(&scn))
		return EXIT_USAGE;
	uint64_t fd_needed = fds_needed(&scn), fd_limit = cli_raise_fd_limit(fd_needed);
	if (fd_limit < fd_needed)
		fprintf(stderr, "trunkload run: warning: the run may hold %llu descriptors but the "
				"open-files limit is %llu (ulimit -n, or split the run with --shard); "
				"calls beyond it fail as no_file_descriptors\n", (unsigned long long)fd_needed,
			(unsigned long long)fd_limit);

	FILE *keylog = NULL;
	if (keylog_path) { /* secrets: never readable by others, not even for a moment */
		int fd = open(keylog_path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0600);
		if (fd < 0 || fchmod(fd, 0600) || !(keylog = fdopen(fd, "a"))) {
			if (fd >= 0)
				close(fd);
			return cli_usage_error("run", "--keylog %s: %s", keylog_path, strerror(errno));
		}
		tls_set_keylog(keylog);
	}
	static struct progress_view view;
	view = (struct progress_view){ .s = &scn, .tty = isatty(STDERR_FILENO) };
	struct run_caller_config cfg = { .scn = &scn, .threads = threads, .list_keys = srtp_keys, .resume = resume,
					 .progress_cb = quiet ? NULL : print_progress, .progress_arg = &view, .media_port_lo = media_lo,
					 .media_port_hi = media_hi };
	char err[512] = "";
	if (scn.transport == SCN_TLS) {
		if (!scn.ca[0])
			return cli_usage_error("run", "tls.ca: a CA file is needed to verify the far end "
						      "(--ca FILE)");
		if (!scn.cert[0] != !scn.key[0])
			return cli_usage_error("run", "tls.cert and tls.key go together (--cert FILE --key FILE)");
		struct tls_config tc = {
			.cert = scn.cert, .key = scn.key, .ca = scn.ca, .versions = scn.tls_versions,
			.ciphers = scn.ciphers, .security_level = scn.security_level, .verify_peer = true,
			.resume = resume, .crl = scn.crl,
		};
		cfg.ctx = tls_ctx_new(false, &tc, err, sizeof(err));
		if (!cfg.ctx)
			return cli_usage_error("run", "%s", err);
		cli_warn_key_mode("run", scn.key);
	}
	int rc = cli_make_dir(report_dir);
	if (rc) {
		SSL_CTX_free(cfg.ctx);
		return cli_usage_error("run", "--report-dir %s: %s", report_dir, strerror(-rc));
	}

	/* the loader read the file to check it; the run reads it again to use it */
	struct number_table numbers = { 0 };
	if (scn.numbers.csv[0] && (rc = number_table_load(scn.numbers.csv, &numbers, err, sizeof(err)))) {
		SSL_CTX_free(cfg.ctx);
		return cli_usage_error("run", "call.numbers.csv: %s: %s", scn.numbers.csv, err);
	}
	cfg.numbers = scn.numbers.csv[0] ? &numbers : NULL;
	cfg.shard = shard;
	cfg.shards = shards;
	cfg.start_at = start_at;
	if (start_at > 0 && !quiet) {
		double ahead = start_at - clock_wall_s();
		if (ahead < 0)
			fprintf(stderr, "trunkload run: --start-at was %.3f s ago: starting now\n", -ahead);
		else
			fprintf(stderr, "trunkload run: connecting, then starting the schedule in %.1f s\n",
				ahead);
	}

	static struct cli_metrics live;
	if (cli_metrics_start(&live, "run", metrics_addr, threads, "caller")) {
		SSL_CTX_free(cfg.ctx);
		number_table_free(&numbers);
		return EXIT_USAGE;
	}
	cfg.metrics = live.http ? &live.board : NULL;
	cfg.trace = trace;
	if (cli_pcap_open("run", pcap_path, pcap_mb, &cfg.capture)) {
		SSL_CTX_free(cfg.ctx);
		number_table_free(&numbers);
		cli_metrics_stop(&live, 0);
		return EXIT_USAGE;
	}
	static struct result res;
	static struct scenario shown; /* with --find-capacity: the trials as its stages */
	const struct scenario *judged = &scn;
	result_init(&res);
	double started = clock_wall_s();
	char why[200];
	if (cli_resolve_targets(&scn, dns_server, &cfg, why, sizeof(why))) {
		res.could_not_run = -ENOENT;
		snprintf(res.could_not_run_why, sizeof(res.could_not_run_why), "%s", why);
	} else if (find) {
		plan.quiet = quiet;
		plan.tty = view.tty;
		plan.progress_scn = &view.s;
		judged = &shown;
		if (capacity_search(&scn, &plan, &cfg, &res, &shown, err, sizeof(err))) {
			res.could_not_run = -EIO;
			snprintf(res.could_not_run_why, sizeof(res.could_not_run_why), "%s", err);
		}
	} else if (run_caller(&cfg, &res, err, sizeof(err))) {
		res.could_not_run = -EIO;
		snprintf(res.could_not_run_why, sizeof(res.could_not_run_why), "%s", err);
	}
	SSL_CTX_free(cfg.ctx);
	cli_pcap_close("run", cfg.capture, pcap_path, &res);
	if (view.printed && view.tty)
		fputs("\r\033[K", stderr); /* the summary replaces the progress line */
	if (keylog) {
		tls_set_keylog(NULL);
		fclose(keylog);
	}

	static struct verdict v;
	verdict_judge(judged, &res, &v);

	struct report rep = { .scn = judged, .res = &res, .verdict = &v, .command = command,
			      .started_at = started, .version = TRUNKLOAD_VERSION,
			      .shard = shard_text[0] ? shard_text : NULL,
			      .fd_limit = fd_limit, .fd_needed = fd_needed };
	int status = v.pass ? EXIT_PASS : EXIT_FAIL;
	if (res.could_not_run && !res.completed)
		status = EXIT_CANNOT;
	if (live.http) /* from now on a scrape sees what report.json says */
		metrics_publish_final(&live.board, &res);
	bool json_written;
	if (report_write_all(report_dir, &rep, &json_written, err, sizeof(err))) {
		fprintf(stderr, "trunkload run: cannot write the report: %s\n", err);
		if (!json_written && status == EXIT_PASS)
			status = EXIT_FAIL;
	}
	if (!quiet) {
		report_print_text(stdout, &rep);
		printf("report     %s/report.json\n", report_dir);
	}
	if (status == EXIT_CANNOT)
		fprintf(stderr, "trunkload run: could not run: %s\n", res.could_not_run_why);
	cli_metrics_stop(&live, metrics_hold);
	result_free(&res);
	number_table_free(&numbers);
	return status;
}
