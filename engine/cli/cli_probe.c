/* trunkload probe HOST:PORT: one mutual-TLS connection, shown step by step, then an
 * OPTIONS and its round trip. A one-shot diagnostic on the command's own thread, so
 * it uses a plain socket with poll() and the engine's TLS over memory buffers. */
#include "net_addr.h"
#include "cli.h"
#include "certfacts.h"
#include "clock.h"
#include "findings.h"
#include "result.h"
#include "sip_build.h"
#include "sip_parse.h"
#include "tls.h"
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <netdb.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "str.h"
#include <sys/socket.h>
#include <unistd.h>
#include <openssl/ssl.h>

static const char probe_help[] =
	"usage: trunkload probe HOST:PORT... [--cert F --key F] [--ca F] [--crl F] [--server-name NAME]\n"
	"                       [--tls-version 1.0|1.1|1.2|1.3] [--security-level 0-5]\n"
	"                       [--timeout-ms MS]\n"
	"\n"
	"Connects once with (mutual) TLS and prints the handshake as a transcript (with the CA\n"
	"names the server asked for), the negotiated version, cipher and group, the far end's\n"
	"certificate chain with its findings, whether our certificate was accepted, then sends\n"
	"an OPTIONS and prints the response line and the round-trip time. Run it after a\n"
	"certificate renewal, on either side of a trunk. Several HOST:PORT (up to 16, a\n"
	"cluster's nodes) are probed in turn, then summed up one line per node: its\n"
	"certificate, findings, whether ours was accepted and the OPTIONS.\n"
	"\n"
	"  --server-name NAME   SNI and the name the certificate must carry (default: each\n"
	"                       HOST)\n"
	"  --crl F              CRLs (PEM) the far end's chain is checked against\n"
	"  --timeout-ms MS      how long to wait for the connect, for each handshake message\n"
	"                       and for the OPTIONS answer (100-600000, default 5000)\n"
	"\n"
	"exit status: 0 handshake, certificate and OPTIONS fine (on every node); 1 refused, a\n"
	"finding of severity error, or no SIP answer; 2 bad usage or files; 3 nothing listens\n"
	"(on some node).\n";

struct probe {
	int fd;
	struct tls_conn tls;
	struct tls_alerts alerts;
	struct buf in, out;
	int timeout_ms;
	char err[200];
};

static const char *hs_name(unsigned t)
{
	switch (t) {
	case 1: return "ClientHello";
	case 2: return "ServerHello";
	case 4: return "NewSessionTicket";
	case 8: return "EncryptedExtensions";
	case 11: return "Certificate";
	case 12: return "ServerKeyExchange";
	case 13: return "CertificateRequest";
	case 14: return "ServerHelloDone";
	case 15: return "CertificateVerify";
	case 16: return "ClientKeyExchange";
	case 20: return "Finished";
	case 24: return "KeyUpdate";
	default: return NULL;
	}
}

/* The transcript: one line per handshake message or alert, as it passes. */
static void msg_cb(int write_p, int version, int content_type, const void *buf, size_t len,
		   SSL *ssl, void *arg)
{
	(void)version, (void)ssl, (void)arg;
	const unsigned char *p = buf;
	const char *dir = write_p ? "  >>" : "  <<";
	if (content_type == SSL3_RT_HANDSHAKE && len >= 4) {
		const char *name = hs_name(p[0]);
		if (name)
			printf("%s %s (%zu bytes)\n", dir, name, len);
	} else if (content_type == SSL3_RT_ALERT && len >= 2) {
		printf("%s Alert %s %s (%u)\n", dir, p[0] == 2 ? "fatal" : "warning", tls_alert_name(p[1]),
		       p[1]);
	}
}

static int flush_out(struct probe *pr)
{
	if (tls_take_output(&pr->tls, &pr->out) < 0)
		return -ENOMEM;
	size_t off = 0;
	while (off < pr->out.len) {
		ssize_t n = send(pr->fd, pr->out.data + off, pr->out.len - off, MSG_NOSIGNAL);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			return -errno;
		}
		off += (size_t)n;
	}
	pr->out.len = 0;
	return 0;
}

/* Waits for bytes and hands them to TLS. 0, -ETIMEDOUT, -EPIPE (peer closed), -errno. */
static int read_some(struct probe *pr, int timeout_ms)
{
	struct pollfd p = { .fd = pr->fd, .events = POLLIN };
	int rc = poll(&p, 1, timeout_ms);
	if (rc == 0)
		return -ETIMEDOUT;
	if (rc < 0)
		return -errno;
	char buf[16384];
	ssize_t n = recv(pr->fd, buf, sizeof(buf), 0);
	if (n == 0)
		return -EPIPE;
	if (n < 0)
		return -errno;
	return tls_feed(&pr->tls, buf, (size_t)n);
}

static int connect_to(const char *host, uint16_t port, int timeout_ms, char *why, size_t n)
{
	struct addrinfo hints = { .ai_family = AF_UNSPEC, .ai_socktype = SOCK_STREAM };
	struct addrinfo *ai = NULL;
	char ps[8];
	snprintf(ps, sizeof(ps), "%u", port);
	int rc = getaddrinfo(host, ps, &hints, &ai);
	if (rc || !ai) {
		snprintf(why, n, "%.100s: %s", host, rc ? gai_strerror(rc) : "no address");
		return -1;
	}
	int fd = socket(ai->ai_family, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
	if (fd >= 0 && connect(fd, ai->ai_addr, ai->ai_addrlen) && errno != EINPROGRESS) {
		char hp[300];
		snprintf(why, n, "%.110s: %s", tl_hostport_text(host, port, hp, sizeof(hp)), strerror(errno));
		close(fd);
		fd = -1;
	}
	freeaddrinfo(ai);
	if (fd < 0)
		return -1;
	struct pollfd p = { .fd = fd, .events = POLLOUT };
	int err = 0;
	socklen_t len = sizeof(err);
	if (poll(&p, 1, timeout_ms) != 1 || getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &len) || err) {
		char hp[300];
		snprintf(why, n, "%.110s: %s", tl_hostport_text(host, port, hp, sizeof(hp)),
			 err ? strerror(err) : "connect timed out");
		close(fd);
		return -1;
	}
	int one = 1;
	setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
	return fd;
}

/* Handshake; then, for TLS 1.3, the first read tells whether our certificate was
 * accepted. Returns 0 or -EPROTO / -ETIMEDOUT / -EPIPE. */
static int handshake(struct probe *pr)
{
	for (;;) {
		int rc = tls_handshake(&pr->tls);
		int f = flush_out(pr);
		if (rc == 0)
			return f;
		if (rc != -EAGAIN)
			return rc;
		if (f)
			return f;
		rc = read_some(pr, pr->timeout_ms);
		if (rc)
			return rc;
	}
}

/* What the far end sends right after the handshake (TLS 1.3 session tickets, or
 * the alert that refuses our certificate) is read before anything is printed, so
 * the transcript stays in order. Waits up to ms for it; plaintext goes to plain.
 * Returns 0, or how the far end ended the connection (-EPROTO, -EPIPE). */
static int settle(struct probe *pr, struct buf *plain, int ms)
{
	uint64_t until = clock_mono_ns() + (uint64_t)ms * NS_PER_MS;
	for (uint64_t now = clock_mono_ns(); now < until; now = clock_mono_ns()) {
		int rc = read_some(pr, (int)((until - now) / NS_PER_MS) + 1);
		if (rc == -ETIMEDOUT)
			return 0;
		if (rc)
			return rc;
		rc = tls_read(&pr->tls, plain);
		flush_out(pr);
		if (rc < 0)
			return rc;
	}
	return 0;
}

/* Sends an OPTIONS and waits for its final response; plain holds what was read
 * already. Returns the status, or a negative errno (the connection was refused,
 * closed, or timed out). */
static int options(struct probe *pr, struct buf *plain, const char *host, uint16_t port,
		   double *rtt_ms, char *line, size_t line_cap)
{
	char ruri[300], sent_by[TL_HOSTPORT_TEXT] = "0.0.0.0:0", buf[2048];
	union tl_sockaddr ss;
	socklen_t sl = sizeof(ss);
	char ip[TL_IP_TEXT] = "0.0.0.0", local[TL_HOST_TEXT], target[300];
	if (getsockname(pr->fd, &ss.sa, &sl) == 0 && tl_sockaddr_len(&ss)) {
		tl_sockaddr_ip(&ss, ip, sizeof(ip));
		tl_sockaddr_hostport(&ss, sent_by, sizeof(sent_by));
	}
	tl_uri_host(ip, local, sizeof(local));
	tl_uri_host(host, target, sizeof(target));
	snprintf(ruri, sizeof(ruri), "sip:%.200s:%u;transport=tls", target, port);
	char from[100];
	snprintf(from, sizeof(from), "sip:probe@%s", local);
	struct sip_request r = {
		.method = SIP_OPTIONS, .ruri = tl_str_c(ruri), .transport = TL_STR("TLS"),
		.sent_by = tl_str_c(sent_by), .branch = TL_STR("z9hG4bK-trunkload-probe"),
		.from_uri = tl_str_c(from), .from_tag = TL_STR("probe"), .to_uri = tl_str_c(ruri),
		.call_id = TL_STR("trunkload-probe@trunkload"), .cseq = 1,
	};
	int n = sip_build_request(buf, sizeof(buf), &r);
	if (n < 0)
		return n;
	uint64_t t0 = clock_mono_ns();
	if (tls_write(&pr->tls, buf, (size_t)n, &pr->out) || flush_out(pr))
		return -EPROTO;
	int status = -ETIMEDOUT;
	while (clock_mono_ns() - t0 < (uint64_t)pr->timeout_ms * NS_PER_MS) {
		int rc = read_some(pr, pr->timeout_ms);
		if (rc) {
			status = rc;
			break;
		}
		rc = tls_read(&pr->tls, plain);
		flush_out(pr);
		if (rc < 0) {
			status = rc;
			break;
		}
		struct sip_msg m;
		size_t off = 0;
		int got = 0;
		while (off < plain->len &&
		       (got = sip_parse_msg(plain->data + off, plain->len - off, 65536, &m)) > 0) {
			off += (size_t)got;
			if (m.kind == SIP_KIND_RESPONSE && m.status >= 200) {
				*rtt_ms = (double)(clock_mono_ns() - t0) / 1e6;
				snprintf(line, line_cap, "SIP/2.0 %d %.*s", m.status, (int)m.reason.len,
					 m.reason.p);
				status = m.status;
				break;
			}
		}
		if (status >= 0 || got == -EBADMSG)
			break;
	}
	return status;
}

#define PROBE_MAX_NODES 16 /* a call manager trunk's destinations */

/* What one node showed, for the line the cluster summary gives it. */
struct node_summary {
	char host[256];
	uint16_t port;
	char cert[200];     /* its leaf: CN, serial, expiry */
	char findings[160]; /* the codes, ", "-separated */
	char outcome[160];  /* our certificate and the OPTIONS, or why no handshake */
	bool error;         /* a finding of severity error, or a failed handshake */
};

static void summarise(struct node_summary *sum, const struct tls_peer *peer, bool fine)
{
	const struct cert_facts *leaf = peer->n_chain ? &peer->chain[0] : NULL;
	if (leaf) /* whole days, as pki show */
		snprintf(sum->cert, sizeof(sum->cert), "CN=%.60s serial %.40s expires %.10s (%ld days)",
			 leaf->subject_cn, leaf->serial, leaf->not_after, (long)leaf->days_left);
	else
		snprintf(sum->cert, sizeof(sum->cert), "no certificate");
	struct tl_sb b = tl_sb_init(sum->findings, sizeof(sum->findings));
	for (unsigned i = 0; i < peer->n_findings; i++) {
		tl_sb_fmt(&b, "%s%s", i ? ", " : "", peer->findings[i].code);
		sum->error |= peer->findings[i].severity == FINDING_ERROR;
	}
	tl_sb_mark_cut(&b);
	sum->error |= !fine;
	if (!sum->outcome[0])
		snprintf(sum->outcome, sizeof(sum->outcome), "no handshake");
}

/* One line per node: how a cluster's certificates compare after a renewal. */
static void print_cluster(const struct node_summary *sum, unsigned n)
{
	printf("\ncluster (%u nodes):\n", n);
	for (unsigned i = 0; i < n; i++) {
		char node[280];
		tl_hostport_text(sum[i].host, sum[i].port, node, sizeof(node));
		printf("  %-4s %-21s %s  findings: %s  our certificate: %s\n",
		       sum[i].error ? "FAIL" : "ok", node, sum[i].cert,
		       sum[i].findings[0] ? sum[i].findings : "none", sum[i].outcome);
	}
}

/* One node: the transcript, its chain and findings, our certificate, an OPTIONS;
 * what the cluster summary needs into sum. Returns the exit status for it. */
static int probe_node(SSL_CTX *ctx, const struct tls_config *tc, const char *server_name,
		      int timeout_ms, struct node_summary *sum)
{
	const char *host = sum->host;
	uint16_t port = sum->port;
	char err[512];
	const char *name = server_name ? server_name : host;
	char hp[300];
	printf("probe %s  server name %s  client certificate %s\n", tl_hostport_text(host, port, hp, sizeof(hp)), name,
	       tc->cert ? tc->cert : "(none)");
	struct probe pr = { .timeout_ms = timeout_ms };
	pr.fd = connect_to(host, port, timeout_ms, err, sizeof(err));
	if (pr.fd < 0) {
		printf("  TCP: %s\n", err);
		snprintf(sum->outcome, sizeof(sum->outcome), "TCP: %.100s", err);
		snprintf(sum->cert, sizeof(sum->cert), "no connection");
		sum->error = true;
		return EXIT_CANNOT;
	}
	printf("  TCP connected\n");
	if (tls_conn_init(&pr.tls, ctx, false, name, tc->ca ? name : NULL, &pr.alerts)) {
		close(pr.fd);
		snprintf(sum->outcome, sizeof(sum->outcome), "out of memory");
		return EXIT_CANNOT;
	}
	SSL_set_msg_callback(pr.tls.ssl, msg_cb);
	uint64_t t0 = clock_mono_ns();
	int hs = handshake(&pr);
	double hs_ms = (double)(clock_mono_ns() - t0) / 1e6;
	struct buf plain = { 0 };
	int settled = hs == 0 ? settle(&pr, &plain, 300) : 0;

	int status = EXIT_PASS;
	static struct tls_peer peer;
	tls_peer_facts(&pr.tls, true, 30, &peer);
	const struct handshake_facts *h = &peer.hs;
	if (h->cert_request && h->ca_names[0]) {
		printf("  the server asked for a client certificate from:\n");
		for (const char *p = h->ca_names; *p;) { /* "; "-separated */
			const char *end = strstr(p, "; ");
			size_t n = end ? (size_t)(end - p) : strlen(p);
			printf("    %.*s\n", (int)n, p);
			p += n + (end ? 2 : 0);
		}
	}
	if (hs == 0) {
		printf("  handshake done in %.2f ms: %s, %s, group %s%s\n", hs_ms, h->version, h->cipher,
		       h->group[0] ? h->group : "-", h->resumed ? ", resumed" : "");
	} else {
		printf("  handshake failed after %.2f ms: %s\n", hs_ms,
		       hs == -ETIMEDOUT ? "no answer" : hs == -EPIPE ? "the far end closed the connection" :
		       pr.tls.reason[0] ? pr.tls.reason : strerror(-hs));
		status = EXIT_FAIL;
	}

	printf("far end's certificates (%u):\n", peer.n_chain);
	for (unsigned i = 0; i < peer.n_chain; i++) {
		char block[4096];
		certfacts_format(block, sizeof(block), &peer.chain[i], "    ");
		printf("  certificate %u of %u\n%s", i + 1, peer.n_chain, block);
	}
	printf("findings (%u):\n", peer.n_findings);
	for (unsigned i = 0; i < peer.n_findings; i++) {
		printf("  %-7s %-20s %s\n", finding_severity_name(peer.findings[i].severity),
		       peer.findings[i].code, peer.findings[i].message);
		if (peer.findings[i].severity == FINDING_ERROR)
			status = EXIT_FAIL;
	}
	if (!tc->ca)
		printf("  (no --ca: the chain was shown but not verified)\n");
	if (hs == 0 || h->revoked[0])
		printf("revocation: CRL %s; OCSP %s%s\n",
		       !tc->crl ? "not checked (no --crl)"
		       : h->revoked[0] && strcmp(h->ocsp, "revoked") ? "says revoked"
		       : h->crl_missing[0] ? "checked, but not for every issuer" : "checked, not revoked",
		       !h->ocsp[0] ? "not seen (the handshake did not finish)"
		       : !strcmp(h->ocsp, "none") ? "none stapled" : h->ocsp,
		       !strcmp(h->ocsp, "none") || !h->ocsp[0] ? "" : " (stapled response)");

	if (hs == 0) {
		char line[300] = "";
		double rtt = 0;
		int st = settled ? settled : options(&pr, &plain, host, port, &rtt, line, sizeof(line));
		if (st >= 0) {
			printf("our certificate: accepted\n");
			printf("OPTIONS: %s in %.2f ms\n", line, rtt);
			snprintf(sum->outcome, sizeof(sum->outcome), "accepted, OPTIONS %.40s in %.2f ms",
				 line, rtt);
		} else {
			bool refused = pr.tls.alert_in > 0 || st == -EPROTO || st == -EPIPE;
			const char *why = pr.tls.alert_in > 0 ? tls_alert_name((unsigned)pr.tls.alert_in) :
					  st == -EPIPE ? "connection closed" : pr.tls.reason;
			if (refused)
				printf("our certificate: refused (%s%s)\n",
				       pr.tls.alert_in > 0 ? "alert " : "", why);
			else
				printf("our certificate: accepted\n");
			const char *no_answer = st == -ETIMEDOUT ? "timed out" : st == -EPIPE ?
				"connection closed" : pr.tls.reason[0] ? pr.tls.reason : strerror(-st);
			printf("OPTIONS: no answer (%s)\n", no_answer);
			if (refused)
				snprintf(sum->outcome, sizeof(sum->outcome), "refused (%.60s)", why);
			else
				snprintf(sum->outcome, sizeof(sum->outcome), "accepted, OPTIONS no answer "
					 "(%.60s)", no_answer);
			status = EXIT_FAIL;
		}
		tls_close(&pr.tls);
		flush_out(&pr);
	}
	tls_conn_free(&pr.tls);
	buf_free(&plain);
	buf_free(&pr.in);
	buf_free(&pr.out);
	close(pr.fd);
	summarise(sum, &peer, hs == 0 && status == EXIT_PASS);
	return status;
}

int cmd_probe(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "cert", required_argument, NULL, 'c' }, { "key", required_argument, NULL, 'k' },
		{ "ca", required_argument, NULL, 'a' }, { "server-name", required_argument, NULL, 's' },
		{ "crl", required_argument, NULL, 'r' },
		{ "tls-version", required_argument, NULL, 'v' },
		{ "security-level", required_argument, NULL, 'l' },
		{ "timeout-ms", required_argument, NULL, 't' }, { "help", no_argument, NULL, 'h' },
		{ 0 },
	};
	struct tls_config tc = { .security_level = -1, .verify_peer = true };
	const char *server_name = NULL;
	int timeout_ms = 5000;
	uint64_t u;
	optind = 1;
	opterr = 0;
	int opt;
	while ((opt = cli_next_option(argc, argv, opts, "probe")) != -1) {
		switch (opt) {
		case '!': return EXIT_USAGE;
		case 'h': fputs(probe_help, stdout); return EXIT_PASS;
		case 'c': tc.cert = optarg; break;
		case 'k': tc.key = optarg; break;
		case 'a': tc.ca = optarg; break;
		case 'r': tc.crl = optarg; break;
		case 's': server_name = optarg; break;
		case 'v':
			tc.versions = !strcmp(optarg, "1.0") ? 1u : !strcmp(optarg, "1.1") ? 2u :
				      !strcmp(optarg, "1.2") ? 4u : !strcmp(optarg, "1.3") ? 8u : 0;
			if (!tc.versions)
				return cli_usage_error("probe", "--tls-version: expected 1.0, 1.1, 1.2 or 1.3, got \"%s\"", optarg);
			break;
		case 'l':
			if (cli_u64(optarg, 0, 5, &u))
				return cli_usage_error("probe", "--security-level: expected 0-5, got \"%s\"", optarg);
			tc.security_level = (int)u;
			break;
		case 't':
			if (cli_u64(optarg, 100, 600000, &u))
				return cli_usage_error("probe", "--timeout-ms: expected 100-600000, got \"%s\"", optarg);
			timeout_ms = (int)u;
			break;
		case ':': return cli_usage_error("probe", "option '%s' needs a value", argv[optind - 1]);
		default: return cli_usage_error("probe", "unknown option '%s' (see trunkload probe --help)", argv[optind - 1]);
		}
	}
	if (argc - optind < 1 || argc - optind > PROBE_MAX_NODES)
		return cli_usage_error("probe", "expected HOST:PORT (1-%d of them, a cluster's nodes; "
						"see trunkload probe --help)", PROBE_MAX_NODES);
	struct node_summary sum[PROBE_MAX_NODES] = { 0 };
	unsigned n = (unsigned)(argc - optind);
	for (unsigned i = 0; i < n; i++) {
		const char *a = argv[optind + i];
		if (tl_hostport_parse(a, strlen(a), sum[i].host, sizeof(sum[i].host), &sum[i].port,
				      CLI_SIPS_PORT))
			return cli_usage_error("probe", "%s: expected HOST:PORT, port 1-65535, or HOST "
							"for %d", a, CLI_SIPS_PORT);
	}
	if (!tc.cert != !tc.key)
		return cli_usage_error("probe", "--cert and --key go together");
	if (!tc.ca)
		tc.verify_peer = false; /* still shows the chain and its facts */
	char err[512];
	SSL_CTX *ctx = tls_ctx_new(false, &tc, err, sizeof(err));
	if (!ctx)
		return cli_usage_error("probe", "%s", err);
	cli_warn_key_mode("probe", tc.key);
	int status = EXIT_PASS;
	for (unsigned i = 0; i < n; i++) {
		if (i)
			printf("\n");
		int st = probe_node(ctx, &tc, server_name, timeout_ms, &sum[i]);
		/* the worst of them: nothing listening, then refused or failed, then fine */
		status = st == EXIT_CANNOT || status == EXIT_CANNOT ? EXIT_CANNOT
			 : st == EXIT_FAIL ? EXIT_FAIL : status;
	}
	if (n > 1)
		print_cluster(sum, n);
	SSL_CTX_free(ctx);
	return status;
}
