/* ceiling: the most calls per second that a minimal program exchanges over mutual
 * TLS 1.3 between two processes, the reference trunkload's trunk mode is divided by
 * (issue 5). A call is the seven messages trunkload sends and its responder answers,
 * built once by trunkload's own builders (sip_build_request, sip_build_response,
 * sdp_build) so that sizes and header sets match: INVITE with an SDP offer of two
 * a=crypto lines; 100, 180 and 200 with the SDP answer; ACK and BYE; 200. Per call
 * only the Call-ID is written into a copy of each message.
 *
 * The client keeps --inflight calls open on each of --connections connections. The
 * server answers an INVITE with 100+180+200, the client a 200 with ACK+BYE, the
 * server a BYE with 200, and a finished call starts the next one in its slot. Every
 * message one loop turn produces for a connection goes out in one SSL_write.
 * Parsing is the least a SIP stack does: one pass over the header lines for the end
 * of the headers, Content-Length and Call-ID; the client finds the call from the
 * Call-ID (connection, slot and generation are written in it). One thread per
 * process, epoll, non-blocking sockets, OpenSSL socket BIOs with read-ahead.
 *
 * After --seconds the client starts no new call, waits for the open ones, asks the
 * server for its CPU time (an OPTIONS request with Call-ID "stats", whose 200 carries
 * it), and closes; the server exits when its last connection closes.
 *
 *   ceiling run --pki DIR [--connections 4] [--inflight 256] [--seconds 10]
 *       forks the server on a free loopback port and runs the client against it;
 *       the certificates are DIR/server.*, DIR/client.* and DIR/ca.crt as
 *       `trunkload pki DIR` writes them
 *   ceiling server --listen 127.0.0.1:P --cert F --key F --ca F
 *   ceiling client --target 127.0.0.1:P --cert F --key F --ca F
 *                  [--connections 4] [--inflight 256] [--seconds 10]
 *
 * The client (or run) prints one line on stdout:
 *   ceiling calls_per_s=... client_cpu_s=... server_cpu_s=... calls=... seconds=...
 *           connections=N inflight=K us_per_call=...
 * CPU is user+system time from the first INVITE to the last call's end (getrusage);
 * us_per_call is both processes' CPU divided by calls. A server run alone prints
 * "ceiling_server calls=... cpu_s=..." when it exits. Message sizes go to stderr.
 * Exit status 0, or 1 with a reason on stderr.
 *
 * Build alone: gcc -std=c17 -D_GNU_SOURCE -O2 -Wall -Wextra -Iengine bench/ceiling.c \
 *   engine/sip_build.c engine/sip_parse.c engine/sdp.c engine/sdes.c \
 *   -lssl -lcrypto -o /tmp/ceiling */
#include "sdp.h"
#include "sip_build.h"
#include "sip_parse.h"

#include <openssl/err.h>
#include <openssl/ssl.h>

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/epoll.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define MAX_CONNS 64
#define MAX_INFLIGHT 65536
#define IN_CAP (256 * 1024)
#define DRAIN_S 5.0       /* open calls must end within this after --seconds */
#define ACCEPT_WAIT_S 60  /* a server nobody connects to gives up */
#define STATS_ID "stats"

/* Call-ID "run-conn-slot-gen@trunkload" in 8, 2, 5 and 7 hex digits: fixed width,
 * so a copy of a message is patched in place, and about as long as trunkload's */
#define CALLID_LEN 35
#define CALLID_TEMPLATE "00000000-00-00000-0000000@trunkload"

/* ---- messages ---------------------------------------------------------- */

struct tmpl {
	char *p;
	size_t len;
	size_t call_id_at; /* where the Call-ID value starts */
};

/* Client: INVITE, ACK, BYE; server: 100, 180, 200 (INVITE), 200 (BYE). */
enum { T_INVITE, T_ACK, T_BYE, T_100, T_180, T_200_INVITE, T_200_BYE, T_COUNT };

static const char *const tmpl_name[T_COUNT] = { "INVITE", "ACK", "BYE", "100", "180",
						 "200(INVITE)", "200(BYE)" };

static int tmpl_keep(struct tmpl *t, const char *p, int n)
{
	if (n < 0)
		return n;
	const char *id = memmem(p, (size_t)n, CALLID_TEMPLATE, CALLID_LEN);
	t->p = malloc((size_t)n);
	if (!id || !t->p)
		return -ENOMEM;
	memcpy(t->p, p, (size_t)n);
	t->len = (size_t)n;
	t->call_id_at = (size_t)(id - p);
	return 0;
}

static struct sdes_crypto crypto_line(unsigned tag, enum sdes_suite suite)
{
	struct sdes_crypto c = { .tag = tag, .suite = suite };
	c.key_len = sdes_suite_key_len(suite);
	for (size_t i = 0; i < c.key_len; i++)
		c.key[i] = (uint8_t)(0x5a ^ (31 * i + tag));
	return c;
}

/* The seven messages as trunkload's caller (engine/uac_send.c) and responder
 * (engine/uas.c) write them for scenarios/trunk-capacity.json. */
static int make_templates(struct tmpl t[T_COUNT])
{
	char sdp[1024], buf[4096];
	struct sdes_crypto offer[2] = { crypto_line(1, SDES_AES_CM_128_HMAC_SHA1_80),
					crypto_line(2, SDES_AES_CM_128_HMAC_SHA1_32) };
	struct sdp_params sp = { .addr = "127.0.0.1", .port = 16384,
				 .session_id = 0x1234567800000001ull, .ptime_ms = 20,
				 .crypto = offer, .n_crypto = 2, .direction = "inactive" };
	int n_sdp = sdp_build(sdp, sizeof(sdp), &sp);
	if (n_sdp < 0)
		return n_sdp;
	struct sip_request r = {
		.method = SIP_INVITE, .ruri = TL_STR("sip:9898@127.0.0.1:5061;transport=tls"),
		.transport = TL_STR("TLS"), .sent_by = TL_STR("127.0.0.1:40001"),
		.branch = TL_STR("z9hG4bK-0badc0de-0-12c-1"),
		.from_uri = TL_STR("sip:1018@127.0.0.1"), .from_tag = TL_STR("3f2a9c01"),
		.to_uri = TL_STR("sip:9898@127.0.0.1:5061"), .call_id = TL_STR(CALLID_TEMPLATE),
		.cseq = 1, .contact_uri = TL_STR("sip:1018@127.0.0.1:40001;transport=tls"),
		.content_type = TL_STR("application/sdp"), .body = { sdp, (size_t)n_sdp },
	};
	int err = tmpl_keep(&t[T_INVITE], buf, sip_build_request(buf, sizeof(buf), &r));
	struct sip_msg invite, bye;
	if (err || sip_parse_msg(t[T_INVITE].p, t[T_INVITE].len, 8192, &invite) < 0)
		return err ? err : -EBADMSG;

	r.ruri = TL_STR("sip:uas@127.0.0.1:5061;transport=tls");
	r.to_tag = TL_STR("8c1e07d2");
	r.contact_uri = r.content_type = r.body = TL_STR("");
	r.method = SIP_ACK;
	r.branch = TL_STR("z9hG4bK-0badc0de-0-12c-2");
	err = tmpl_keep(&t[T_ACK], buf, sip_build_request(buf, sizeof(buf), &r));
	r.method = SIP_BYE;
	r.cseq = 2;
	r.branch = TL_STR("z9hG4bK-0badc0de-0-12c-3");
	if (!err)
		err = tmpl_keep(&t[T_BYE], buf, sip_build_request(buf, sizeof(buf), &r));
	if (err || sip_parse_msg(t[T_BYE].p, t[T_BYE].len, 8192, &bye) < 0)
		return err ? err : -EBADMSG;

	struct sdes_crypto ans = crypto_line(1, SDES_AES_CM_128_HMAC_SHA1_80);
	sp.crypto = &ans, sp.n_crypto = 1, sp.session_id = 0x8c1e07d2;
	sp.port = 20000;
	if ((n_sdp = sdp_build(sdp, sizeof(sdp), &sp)) < 0)
		return n_sdp;
	struct sip_response a = { .status = 100 };
	err = tmpl_keep(&t[T_100], buf, sip_build_response(buf, sizeof(buf), &invite, &a));
	a.to_tag = TL_STR("8c1e07d2");
	a.contact_uri = TL_STR("sip:uas@127.0.0.1:5061;transport=tls");
	a.status = 180;
	if (!err)
		err = tmpl_keep(&t[T_180], buf, sip_build_response(buf, sizeof(buf), &invite, &a));
	a.status = 200;
	a.content_type = TL_STR("application/sdp");
	a.body = (struct tl_str){ sdp, (size_t)n_sdp };
	if (!err)
		err = tmpl_keep(&t[T_200_INVITE], buf,
				sip_build_response(buf, sizeof(buf), &invite, &a));
	struct sip_response ok = { .status = 200 };
	if (!err)
		err = tmpl_keep(&t[T_200_BYE], buf, sip_build_response(buf, sizeof(buf), &bye, &ok));
	return err;
}

/* One received message, framed. */
struct msg {
	int status;            /* 0 for a request */
	char method0;          /* first letter of a request's method */
	const char *call_id;   /* not NUL-terminated */
	size_t call_id_len;
	const char *body;
	size_t body_len;
};

/* Frames the message at p[0..n) in one pass over its header lines. Returns its
 * length, 0 when it is not complete yet, -1 when it is not SIP enough to go on. */
static long frame(const char *p, size_t n, struct msg *m)
{
	const char *end = p + n, *line = p;
	size_t clen = 0;
	*m = (struct msg){ 0 };
	for (;;) {
		const char *nl = memchr(line, '\n', (size_t)(end - line));
		if (!nl)
			return 0;
		size_t len = (size_t)(nl - line);
		if (len <= 1 && line != p) { /* the empty line: headers end */
			if ((size_t)(end - (nl + 1)) < clen)
				return 0;
			m->body = nl + 1, m->body_len = clen;
			return (long)(nl + 1 + clen - p);
		}
		if (line == p) {
			if (len < 12)
				return -1;
			m->status = memcmp(p, "SIP/2.0 ", 8) ? 0 : atoi(p + 8);
			m->method0 = p[0];
		} else if ((line[0] | 0x20) == 'c') { /* Content-Length, Call-ID */
			if (len > 15 && !strncasecmp(line, "Content-Length:", 15)) {
				clen = strtoul(line + 15, NULL, 10);
			} else if (len > 8 && !strncasecmp(line, "Call-ID:", 8)) {
				const char *v = line + 8, *e = line + len;
				while (v < e && (*v == ' ' || *v == '\t'))
					v++;
				while (e > v && (e[-1] == '\r' || e[-1] == ' '))
					e--;
				m->call_id = v, m->call_id_len = (size_t)(e - v);
			}
		}
		line = nl + 1;
	}
}

/* ---- connections ------------------------------------------------------- */

enum call_state { CALL_IDLE, CALL_INVITING, CALL_BYEING };

struct call {
	uint32_t gen;
	enum call_state state;
};

struct conn {
	int fd;
	SSL *ssl;
	bool handshaken, want_out, closed;
	unsigned idx;
	char *in;
	size_t in_len;
	char *out;
	size_t out_len, out_cap;
	size_t pending;  /* length SSL_write wants repeated after WANT_WRITE, 0: none */
	struct call *calls; /* client: --inflight slots */
	unsigned open;      /* client: calls in progress */
};

struct peer {
	bool server;
	int ep;
	struct tmpl t[T_COUNT];
	struct conn conns[MAX_CONNS];
	unsigned n_conns;
	uint32_t run_id;
	bool running;        /* client: start new calls */
	uint64_t calls;      /* calls whose BYE got its 200 (server: BYEs answered) */
	bool cpu_started;    /* server: baseline taken at the first INVITE */
	double cpu0;
	double stats_cpu;    /* client: what the server reported, -1: nothing yet */
	uint64_t stats_calls;
};

static double now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

static double cpu_seconds(void)
{
	struct rusage ru;
	getrusage(RUSAGE_SELF, &ru);
	return (double)(ru.ru_utime.tv_sec + ru.ru_stime.tv_sec) +
	       (double)(ru.ru_utime.tv_usec + ru.ru_stime.tv_usec) * 1e-6;
}

static char *out_reserve(struct conn *c, size_t n)
{
	if (c->out_len + n > c->out_cap) {
		size_t cap = c->out_cap ? c->out_cap : 65536;
		while (cap < c->out_len + n)
			cap *= 2;
		char *p = realloc(c->out, cap);
		if (!p)
			return NULL;
		c->out = p, c->out_cap = cap;
	}
	return c->out + c->out_len;
}

/* Appends a copy of t with call_id in it. */
static int put(struct conn *c, const struct tmpl *t, const char *call_id)
{
	char *p = out_reserve(c, t->len);
	if (!p)
		return -ENOMEM;
	memcpy(p, t->p, t->len);
	memcpy(p + t->call_id_at, call_id, CALLID_LEN);
	c->out_len += t->len;
	return 0;
}

static int put_raw(struct conn *c, const char *s, size_t n)
{
	char *p = out_reserve(c, n);
	if (!p)
		return -ENOMEM;
	memcpy(p, s, n);
	c->out_len += n;
	return 0;
}

static int set_events(struct peer *pr, struct conn *c, bool want_out)
{
	if (c->want_out == want_out)
		return 0;
	struct epoll_event ev = { .events = EPOLLIN | (want_out ? EPOLLOUT : 0u), .data.ptr = c };
	c->want_out = want_out;
	return epoll_ctl(pr->ep, EPOLL_CTL_MOD, c->fd, &ev) ? -errno : 0;
}

/* Writes everything queued: one SSL_write unless the socket was full. */
static int flush(struct peer *pr, struct conn *c)
{
	while (c->out_len) {
		size_t n = c->pending ? c->pending : c->out_len;
		int r = SSL_write(c->ssl, c->out, (int)n);
		if (r <= 0) {
			int e = SSL_get_error(c->ssl, r);
			if (e != SSL_ERROR_WANT_WRITE && e != SSL_ERROR_WANT_READ)
				return -EPROTO;
			c->pending = n; /* OpenSSL wants the same length again */
			return set_events(pr, c, true);
		}
		c->pending = 0;
		c->out_len -= n;
		memmove(c->out, c->out + n, c->out_len);
	}
	return set_events(pr, c, false);
}

static void hex(char *dst, uint32_t v, int digits)
{
	for (int i = digits - 1; i >= 0; i--, v >>= 4)
		dst[i] = "0123456789abcdef"[v & 15];
}

static uint32_t unhex(const char *s, int digits, bool *ok)
{
	uint32_t v = 0;
	for (int i = 0; i < digits; i++) {
		char ch = s[i];
		int d = ch >= '0' && ch <= '9' ? ch - '0' : ch >= 'a' && ch <= 'f' ? ch - 'a' + 10 : -1;
		if (d < 0)
			*ok = false;
		v = v << 4 | (uint32_t)(d & 15);
	}
	return v;
}

static void call_id_of(const struct peer *pr, const struct conn *c, unsigned slot, char *id)
{
	memcpy(id, CALLID_TEMPLATE, CALLID_LEN);
	hex(id, pr->run_id, 8);
	hex(id + 9, c->idx, 2);
	hex(id + 12, slot, 5);
	hex(id + 18, c->calls[slot].gen, 7);
}

static int start_call(struct peer *pr, struct conn *c, unsigned slot)
{
	char id[CALLID_LEN];
	c->calls[slot].gen = (c->calls[slot].gen + 1) & 0xfffffff; /* 7 hex digits */
	c->calls[slot].state = CALL_INVITING;
	c->open++;
	call_id_of(pr, c, slot, id);
	return put(c, &pr->t[T_INVITE], id);
}

/* Client: a response. 100 and 180 need nothing; a 200 is the INVITE's or the
 * BYE's by the call's state, as responses come in order on one connection. */
static int client_on(struct peer *pr, struct conn *c, const struct msg *m, unsigned inflight)
{
	if (m->call_id_len == sizeof(STATS_ID) - 1 && !memcmp(m->call_id, STATS_ID, m->call_id_len)) {
		char body[128];
		size_t n = m->body_len < sizeof(body) - 1 ? m->body_len : sizeof(body) - 1;
		memcpy(body, m->body, n);
		body[n] = 0;
		unsigned long long calls;
		if (sscanf(body, "server_cpu_s=%lf calls=%llu", &pr->stats_cpu, &calls) != 2)
			return -EBADMSG;
		pr->stats_calls = calls;
		return 0;
	}
	bool ok = m->call_id_len == CALLID_LEN;
	unsigned conn = ok ? unhex(m->call_id + 9, 2, &ok) : 0;
	unsigned slot = ok ? unhex(m->call_id + 12, 5, &ok) : 0;
	uint32_t gen = ok ? unhex(m->call_id + 18, 7, &ok) : 0;
	if (!ok || conn != c->idx || slot >= inflight || c->calls[slot].gen != gen)
		return -EBADMSG; /* not one of ours */
	struct call *k = &c->calls[slot];
	if (m->status == 100 || m->status == 180)
		return k->state == CALL_INVITING ? 0 : -EBADMSG;
	if (m->status != 200 || k->state == CALL_IDLE)
		return -EBADMSG;
	char id[CALLID_LEN];
	memcpy(id, m->call_id, CALLID_LEN);
	if (k->state == CALL_INVITING) {
		k->state = CALL_BYEING;
		int err = put(c, &pr->t[T_ACK], id);
		return err ? err : put(c, &pr->t[T_BYE], id);
	}
	k->state = CALL_IDLE;
	c->open--;
	pr->calls++;
	return pr->running ? start_call(pr, c, slot) : 0;
}

/* Server: a request. */
static int server_on(struct peer *pr, struct conn *c, const struct msg *m)
{
	if (m->status)
		return -EBADMSG;
	if (m->method0 == 'O') { /* OPTIONS: the client wants our CPU time */
		char body[96], head[160];
		int nb = snprintf(body, sizeof(body), "server_cpu_s=%.6f calls=%llu",
				  pr->cpu_started ? cpu_seconds() - pr->cpu0 : 0.0,
				  (unsigned long long)pr->calls);
		int nh = snprintf(head, sizeof(head),
				  "SIP/2.0 200 OK\r\nCall-ID: " STATS_ID "\r\nContent-Length: %d\r\n\r\n", nb);
		int err = put_raw(c, head, (size_t)nh);
		return err ? err : put_raw(c, body, (size_t)nb);
	}
	if (m->call_id_len != CALLID_LEN)
		return -EBADMSG;
	switch (m->method0) {
	case 'I': {
		if (!pr->cpu_started) {
			pr->cpu_started = true;
			pr->cpu0 = cpu_seconds();
		}
		int err = put(c, &pr->t[T_100], m->call_id);
		if (!err)
			err = put(c, &pr->t[T_180], m->call_id);
		return err ? err : put(c, &pr->t[T_200_INVITE], m->call_id);
	}
	case 'A':
		return 0;
	case 'B':
		pr->calls++;
		return put(c, &pr->t[T_200_BYE], m->call_id);
	default:
		return -EBADMSG;
	}
}

/* Reads until the socket is empty, acting on every whole message.
 * Returns 0, -EPIPE when the peer closed, or another negative errno. */
static int read_conn(struct peer *pr, struct conn *c, unsigned inflight)
{
	for (;;) {
		if (c->in_len == IN_CAP)
			return -EMSGSIZE;
		int r = SSL_read(c->ssl, c->in + c->in_len, (int)(IN_CAP - c->in_len));
		if (r <= 0) {
			int e = SSL_get_error(c->ssl, r);
			if (e == SSL_ERROR_WANT_READ || e == SSL_ERROR_WANT_WRITE)
				return 0;
			return e == SSL_ERROR_ZERO_RETURN || e == SSL_ERROR_SYSCALL ? -EPIPE : -EPROTO;
		}
		c->in_len += (size_t)r;
		size_t off = 0;
		long n;
		struct msg m;
		while ((n = frame(c->in + off, c->in_len - off, &m)) > 0) {
			int err = pr->server ? server_on(pr, c, &m) : client_on(pr, c, &m, inflight);
			if (err)
				return err;
			off += (size_t)n;
		}
		if (n < 0)
			return -EBADMSG;
		c->in_len -= off;
		memmove(c->in, c->in + off, c->in_len);
	}
}

static void conn_close(struct peer *pr, struct conn *c)
{
	if (c->closed)
		return;
	if (c->handshaken)
		SSL_shutdown(c->ssl);
	epoll_ctl(pr->ep, EPOLL_CTL_DEL, c->fd, NULL);
	SSL_free(c->ssl);
	close(c->fd);
	free(c->in);
	free(c->out);
	free(c->calls);
	c->closed = true;
	c->ssl = NULL, c->in = c->out = NULL, c->calls = NULL;
}

static int conn_init(struct peer *pr, struct conn *c, int fd, SSL_CTX *ctx, unsigned idx)
{
	memset(c, 0, sizeof(*c));
	c->fd = fd;
	c->idx = idx;
	c->closed = true; /* until everything is set up */
	int one = 1;
	setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
	c->ssl = SSL_new(ctx);
	c->in = malloc(IN_CAP);
	if (!c->ssl || !c->in || !SSL_set_fd(c->ssl, fd)) {
		SSL_free(c->ssl);
		free(c->in);
		return -ENOMEM;
	}
	/* read whole socket buffers, not a record header and then its body */
	SSL_set_read_ahead(c->ssl, 1);
	struct epoll_event ev = { .events = EPOLLIN, .data.ptr = c };
	if (epoll_ctl(pr->ep, EPOLL_CTL_ADD, fd, &ev)) {
		SSL_free(c->ssl);
		free(c->in);
		return -errno;
	}
	c->closed = false;
	return 0;
}

/* ---- TLS --------------------------------------------------------------- */

/* TLS 1.3 only, key exchange X25519 (P-256 stays listed for the certificates'
 * curve), each end verifies the other against the lab CA. */
static SSL_CTX *ctx_new(bool server, const char *cert, const char *key, const char *ca)
{
	SSL_CTX *ctx = SSL_CTX_new(server ? TLS_server_method() : TLS_client_method());
	if (!ctx || !SSL_CTX_set_min_proto_version(ctx, TLS1_3_VERSION) ||
	    !SSL_CTX_set_max_proto_version(ctx, TLS1_3_VERSION) ||
	    !SSL_CTX_set1_groups_list(ctx, "X25519:P-256") ||
	    SSL_CTX_use_certificate_chain_file(ctx, cert) != 1 ||
	    SSL_CTX_use_PrivateKey_file(ctx, key, SSL_FILETYPE_PEM) != 1 ||
	    SSL_CTX_check_private_key(ctx) != 1 ||
	    SSL_CTX_load_verify_locations(ctx, ca, NULL) != 1) {
		fprintf(stderr, "ceiling: cannot set up the TLS context (%s, %s, %s)\n", cert, key, ca);
		ERR_print_errors_fp(stderr);
		SSL_CTX_free(ctx);
		return NULL;
	}
	SSL_CTX_set_verify(ctx, server ? SSL_VERIFY_PEER | SSL_VERIFY_FAIL_IF_NO_PEER_CERT :
				 SSL_VERIFY_PEER, NULL);
	/* a socket BIO whose write may stop part-way: retry with a moved buffer */
	SSL_CTX_set_mode(ctx, SSL_MODE_ACCEPT_MOVING_WRITE_BUFFER);
	return ctx;
}

/* ---- server ------------------------------------------------------------ */

/* Closes every connection and frees the peer (NULL is fine). */
static void peer_free(struct peer *pr)
{
	if (pr) {
		for (unsigned i = 0; i < pr->n_conns; i++)
			conn_close(pr, &pr->conns[i]);
		for (int i = 0; i < T_COUNT; i++)
			free(pr->t[i].p);
		if (pr->ep > 0)
			close(pr->ep);
	}
	free(pr);
}

static int serve(int lfd, SSL_CTX *ctx, bool quiet)
{
	struct peer *pr = calloc(1, sizeof(*pr));
	int rc = 1;
	if (!pr || make_templates(pr->t)) {
		fprintf(stderr, "ceiling: cannot build the messages\n");
		goto out;
	}
	pr->server = true;
	pr->ep = epoll_create1(0);
	struct epoll_event lev = { .events = EPOLLIN, .data.ptr = NULL };
	if (pr->ep < 0 || epoll_ctl(pr->ep, EPOLL_CTL_ADD, lfd, &lev)) {
		perror("ceiling: epoll");
		goto out;
	}
	unsigned live = 0;
	double t_start = now();
	for (;;) {
		struct epoll_event evs[64];
		int n = epoll_wait(pr->ep, evs, 64, 1000);
		if (n < 0 && errno != EINTR) {
			perror("ceiling: epoll_wait");
			goto out;
		}
		if (pr->n_conns == 0 && now() - t_start > ACCEPT_WAIT_S) {
			fprintf(stderr, "ceiling: no client within %d s\n", ACCEPT_WAIT_S);
			goto out;
		}
		for (int i = 0; i < n; i++) {
			struct conn *c = evs[i].data.ptr;
			if (!c) {
				int fd = accept4(lfd, NULL, NULL, SOCK_NONBLOCK);
				if (fd < 0)
					continue;
				if (pr->n_conns == MAX_CONNS ||
				    conn_init(pr, &pr->conns[pr->n_conns], fd, ctx, pr->n_conns)) {
					close(fd);
					continue;
				}
				SSL_set_accept_state(pr->conns[pr->n_conns++].ssl);
				live++;
				continue;
			}
			if (c->closed)
				continue;
			int err = 0;
			if (!c->handshaken) {
				int r = SSL_do_handshake(c->ssl);
				int e = r == 1 ? 0 : SSL_get_error(c->ssl, r);
				if (r == 1)
					c->handshaken = true;
				else if (e != SSL_ERROR_WANT_READ && e != SSL_ERROR_WANT_WRITE)
					err = -EPROTO;
			}
			if (!err && c->handshaken)
				err = read_conn(pr, c, 0);
			if (!err && (evs[i].events & EPOLLOUT))
				err = flush(pr, c);
			if (err) {
				if (err != -EPIPE)
					fprintf(stderr, "ceiling: server connection %u: %s\n", c->idx,
						strerror(-err));
				conn_close(pr, c);
				live--;
			}
		}
		for (unsigned i = 0; i < pr->n_conns; i++) {
			struct conn *c = &pr->conns[i];
			if (!c->closed && c->out_len && !c->want_out && flush(pr, c)) {
				conn_close(pr, c);
				live--;
			}
		}
		if (pr->n_conns && !live)
			break;
	}
	if (!quiet)
		printf("ceiling_server calls=%llu cpu_s=%.3f\n", (unsigned long long)pr->calls,
		       pr->cpu_started ? cpu_seconds() - pr->cpu0 : 0.0);
	rc = 0;
out:
	peer_free(pr);
	return rc;
}

/* ---- client ------------------------------------------------------------ */

struct client_opts {
	struct sockaddr_in target;
	unsigned conns, inflight;
	double seconds;
};

/* One loop turn: act on what arrived, then one write per connection. */
static int client_turn(struct peer *pr, unsigned inflight, int timeout_ms)
{
	struct epoll_event evs[MAX_CONNS];
	int n = epoll_wait(pr->ep, evs, MAX_CONNS, timeout_ms);
	if (n < 0 && errno != EINTR)
		return -errno;
	for (int i = 0; i < n; i++) {
		struct conn *c = evs[i].data.ptr;
		int err = read_conn(pr, c, inflight);
		if (!err && (evs[i].events & EPOLLOUT))
			err = flush(pr, c);
		if (err) {
			fprintf(stderr, "ceiling: client connection %u: %s\n", c->idx,
				err == -EPIPE ? "closed by the server" : strerror(-err));
			return err;
		}
	}
	for (unsigned i = 0; i < pr->n_conns; i++) {
		struct conn *c = &pr->conns[i];
		int err = c->out_len && !c->want_out ? flush(pr, c) : 0;
		if (err)
			return err;
	}
	return 0;
}

static unsigned open_calls(const struct peer *pr)
{
	unsigned n = 0;
	for (unsigned i = 0; i < pr->n_conns; i++)
		n += pr->conns[i].open;
	return n;
}

static int client(const struct client_opts *o, SSL_CTX *ctx)
{
	struct peer *pr = calloc(1, sizeof(*pr));
	int rc = 1;
	if (!pr || make_templates(pr->t)) {
		fprintf(stderr, "ceiling: cannot build the messages\n");
		goto out;
	}
	fprintf(stderr, "ceiling: message bytes");
	for (int i = 0; i < T_COUNT; i++)
		fprintf(stderr, " %s=%zu", tmpl_name[i], pr->t[i].len);
	fprintf(stderr, "\n");
	pr->run_id = (uint32_t)getpid();
	pr->stats_cpu = -1;
	pr->ep = epoll_create1(0);
	if (pr->ep < 0)
		goto out;
	/* connect and handshake, blocking; the run starts once all are up */
	for (unsigned i = 0; i < o->conns; i++) {
		int fd = socket(AF_INET, SOCK_STREAM, 0);
		if (fd < 0 || connect(fd, (const struct sockaddr *)&o->target, sizeof(o->target))) {
			perror("ceiling: connect");
			if (fd >= 0)
				close(fd);
			goto out;
		}
		struct conn *c = &pr->conns[i];
		if (conn_init(pr, c, fd, ctx, i)) {
			close(fd);
			goto out;
		}
		pr->n_conns++;
		c->calls = calloc(o->inflight, sizeof(*c->calls));
		if (!c->calls || SSL_connect(c->ssl) != 1) {
			fprintf(stderr, "ceiling: TLS handshake failed\n");
			ERR_print_errors_fp(stderr);
			goto out;
		}
		c->handshaken = true;
		fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK);
	}
	pr->running = true;
	double t0 = now(), cpu0 = cpu_seconds();
	for (unsigned i = 0; i < pr->n_conns; i++)
		for (unsigned s = 0; s < o->inflight; s++)
			if (start_call(pr, &pr->conns[i], s))
				goto out;
	double t = t0;
	while (t - t0 < o->seconds) {
		if (client_turn(pr, o->inflight, 100))
			goto out;
		t = now();
	}
	pr->running = false;
	while (open_calls(pr) && now() - t0 < o->seconds + DRAIN_S)
		if (client_turn(pr, o->inflight, 100))
			goto out;
	double t_end = now(), cpu = cpu_seconds() - cpu0;
	if (open_calls(pr)) {
		fprintf(stderr, "ceiling: %u calls still open %.0f s after the end\n",
			open_calls(pr), DRAIN_S);
		goto out;
	}
	static const char stats[] = "OPTIONS sip:stats@127.0.0.1 SIP/2.0\r\nCall-ID: " STATS_ID
				    "\r\nCSeq: 1 OPTIONS\r\nContent-Length: 0\r\n\r\n";
	if (put_raw(&pr->conns[0], stats, sizeof(stats) - 1))
		goto out;
	while (pr->stats_cpu < 0 && now() - t_end < DRAIN_S)
		if (client_turn(pr, o->inflight, 100))
			goto out;
	if (pr->stats_cpu < 0) {
		fprintf(stderr, "ceiling: the server did not report its CPU time\n");
		goto out;
	}
	if (pr->stats_calls != pr->calls)
		fprintf(stderr, "ceiling: the server counted %llu calls, the client %llu\n",
			(unsigned long long)pr->stats_calls, (unsigned long long)pr->calls);
	double secs = t_end - t0;
	printf("ceiling calls_per_s=%.0f client_cpu_s=%.3f server_cpu_s=%.3f calls=%llu "
	       "seconds=%.3f connections=%u inflight=%u us_per_call=%.2f\n",
	       (double)pr->calls / secs, cpu, pr->stats_cpu, (unsigned long long)pr->calls, secs,
	       o->conns, o->inflight,
	       pr->calls ? (cpu + pr->stats_cpu) / (double)pr->calls * 1e6 : 0.0);
	fflush(stdout);
	rc = 0;
out:
	peer_free(pr);
	return rc;
}

/* ---- command line ------------------------------------------------------ */

static int parse_addr(const char *s, struct sockaddr_in *a)
{
	char host[64];
	const char *colon = strrchr(s, ':');
	if (!colon || (size_t)(colon - s) >= sizeof(host))
		return -EINVAL;
	memcpy(host, s, (size_t)(colon - s));
	host[colon - s] = 0;
	memset(a, 0, sizeof(*a));
	a->sin_family = AF_INET;
	a->sin_port = htons((uint16_t)atoi(colon + 1));
	return inet_pton(AF_INET, host, &a->sin_addr) == 1 ? 0 : -EINVAL;
}

static int listen_on(const struct sockaddr_in *a)
{
	int fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0), one = 1;
	if (fd < 0)
		return -1;
	setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	if (bind(fd, (const struct sockaddr *)a, sizeof(*a)) || listen(fd, 64)) {
		close(fd);
		return -1;
	}
	return fd;
}

static int usage(void)
{
	fprintf(stderr,
		"usage: ceiling run --pki DIR [--connections 4] [--inflight 256] [--seconds 10]\n"
		"       ceiling server --listen 127.0.0.1:P --cert F --key F --ca F\n"
		"       ceiling client --target 127.0.0.1:P --cert F --key F --ca F\n"
		"                      [--connections 4] [--inflight 256] [--seconds 10]\n");
	return 1;
}

int main(int argc, char **argv)
{
	if (argc < 2)
		return usage();
	const char *role = argv[1], *pki = NULL, *cert = NULL, *key = NULL, *ca = NULL;
	const char *listen_at = NULL, *target = NULL;
	struct client_opts o = { .conns = 4, .inflight = 256, .seconds = 10 };
	for (int i = 2; i < argc; i += 2) {
		const char *a = argv[i], *v = argv[i + 1];
		if (!v)
			return usage();
		if (!strcmp(a, "--pki"))
			pki = v;
		else if (!strcmp(a, "--cert"))
			cert = v;
		else if (!strcmp(a, "--key"))
			key = v;
		else if (!strcmp(a, "--ca"))
			ca = v;
		else if (!strcmp(a, "--listen"))
			listen_at = v;
		else if (!strcmp(a, "--target"))
			target = v;
		else if (!strcmp(a, "--connections"))
			o.conns = (unsigned)atoi(v);
		else if (!strcmp(a, "--inflight"))
			o.inflight = (unsigned)atoi(v);
		else if (!strcmp(a, "--seconds"))
			o.seconds = atof(v);
		else
			return usage();
	}
	if (o.conns < 1 || o.conns > MAX_CONNS || o.inflight < 1 || o.inflight > MAX_INFLIGHT ||
	    o.seconds <= 0)
		return usage();
	signal(SIGPIPE, SIG_IGN);

	if (!strcmp(role, "server") || !strcmp(role, "client")) {
		bool server = role[0] == 's';
		struct sockaddr_in a;
		if (!cert || !key || !ca || parse_addr(server ? (listen_at ? listen_at : "") :
							  (target ? target : ""), &a))
			return usage();
		SSL_CTX *ctx = ctx_new(server, cert, key, ca);
		if (!ctx)
			return 1;
		int rc;
		if (server) {
			int lfd = listen_on(&a);
			if (lfd < 0) {
				perror("ceiling: listen");
				SSL_CTX_free(ctx);
				return 1;
			}
			rc = serve(lfd, ctx, false);
			close(lfd);
		} else {
			o.target = a;
			rc = client(&o, ctx);
		}
		SSL_CTX_free(ctx);
		return rc;
	}
	if (strcmp(role, "run") || !pki)
		return usage();

	/* run: a server child on a free port, the client here */
	char f[5][4096];
	snprintf(f[0], sizeof(f[0]), "%s/server.crt", pki);
	snprintf(f[1], sizeof(f[1]), "%s/server.key", pki);
	snprintf(f[2], sizeof(f[2]), "%s/client.crt", pki);
	snprintf(f[3], sizeof(f[3]), "%s/client.key", pki);
	snprintf(f[4], sizeof(f[4]), "%s/ca.crt", pki);
	struct sockaddr_in a;
	socklen_t alen = sizeof(a);
	parse_addr("127.0.0.1:0", &a);
	int lfd = listen_on(&a);
	if (lfd < 0 || getsockname(lfd, (struct sockaddr *)&a, &alen)) {
		perror("ceiling: listen");
		return 1;
	}
	SSL_CTX *sctx = ctx_new(true, f[0], f[1], f[4]);
	SSL_CTX *cctx = ctx_new(false, f[2], f[3], f[4]);
	if (!sctx || !cctx)
		return 1;
	fflush(stdout);
	pid_t pid = fork();
	if (pid < 0) {
		perror("ceiling: fork");
		return 1;
	}
	if (pid == 0) {
		SSL_CTX_free(cctx);
		int rc = serve(lfd, sctx, true);
		close(lfd);
		SSL_CTX_free(sctx);
		_exit(rc);
	}
	close(lfd);
	SSL_CTX_free(sctx);
	o.target = a;
	int rc = client(&o, cctx);
	SSL_CTX_free(cctx);
	if (rc)
		kill(pid, SIGTERM); /* a failed client may leave the server waiting */
	int status = 0;
	waitpid(pid, &status, 0);
	return rc || !WIFEXITED(status) || WEXITSTATUS(status) ? 1 : 0;
}
