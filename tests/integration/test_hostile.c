/* trunkload against a hostile responder: a small SIP server, forked from this program,
 * that misbehaves in one chosen way per run (resets, stalls, never answers, answers
 * twice, answers with broken headers, framing or bytes, sends a TLS alert or a
 * close_notify mid-call). Each run must end within its bound with a complete report
 * that names what went wrong; a misbehaving connection must not stop the others.
 *
 * Cases with a `found` note caught a trunkload bug when they were written; they keep
 * asserting the fixed behaviour. */
#include "proc.h"
#include "sip_build.h"
#include "sip_parse.h"
#include "tl_test.h"
#include <cjson/cJSON.h>
#include <errno.h>
#include <netinet/in.h>
#include <openssl/err.h>
#include <openssl/ssl.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include <fcntl.h>

#define RUN_TIMEOUT_MS 30000
#define SCENARIO "tests/integration/fixtures/hostile-call.json"
#define MAX_CONNS 16
#define RX_CAP 65536
#define HUGE_HDR (200 * 1024)

enum mode {
	M_RESET,        /* 100, then an RST (SO_LINGER 0) */
	M_RESET_FIRST,  /* as M_RESET on the first connection accepted, correct on others */
	M_STALL,        /* stop reading after the first INVITE, never answer */
	M_SILENT,       /* read everything, answer nothing */
	M_DUP200,       /* the 200 twice at once, and again on each ACK */
	M_NO_TO_TAG,    /* a 200 whose To has no tag */
	M_WRONG_CSEQ,   /* a 200 whose CSeq number is not the INVITE's */
	M_CL_LONG,      /* Content-Length larger than the body, then nothing */
	M_CL_SHORT,     /* Content-Length smaller than the body */
	M_HUGE,         /* a 200 with a 200 kB header */
	M_GARBAGE,      /* random bytes instead of a response */
	M_ALERT,        /* TLS: a fatal alert (bad_record_mac) mid-call */
	M_CLOSE_NOTIFY, /* TLS: close_notify mid-call, socket left open */
	M_STRAY,        /* answers well, and after each 200 a 200 for a Call-ID never used */
};

static char pki[512];

/* ---- the hostile responder (runs in a forked child) --------------------- */

struct hconn {
	int fd;
	unsigned idx; /* accept order */
	SSL *ssl;
	BIO *rbio;    /* ciphertext from the socket goes in here; SSL writes to the socket */
	bool hs_done, stalled, corrupted;
	char last200[4096]; /* M_DUP200: the last 200 sent and its Call-ID */
	size_t last200_len;
	char last_cid[256];
	size_t len;
	char rx[RX_CAP];
};

struct hostile {
	enum mode mode;
	SSL_CTX *tls; /* NULL: plain TCP */
	int log;      /* one line per request received, for the test to count */
	unsigned accepted;
	unsigned seed;
	struct hconn *c[MAX_CONNS];
};

static void h_send(struct hconn *c, const char *p, size_t n)
{
	if (c->ssl) {
		SSL_write(c->ssl, p, (int)n);
		return;
	}
	while (n > 0) {
		ssize_t w = write(c->fd, p, n);
		if (w <= 0)
			return;
		p += w;
		n -= (size_t)w;
	}
}

static void h_close(struct hostile *h, unsigned i, bool reset)
{
	struct hconn *c = h->c[i];
	if (reset) {
		struct linger l = { .l_onoff = 1, .l_linger = 0 };
		setsockopt(c->fd, SOL_SOCKET, SO_LINGER, &l, sizeof(l));
	}
	close(c->fd);
	if (c->ssl)
		SSL_free(c->ssl); /* frees both BIOs */
	free(c);
	h->c[i] = NULL;
}

/* Inserts `extra` (whole header lines) before the blank line ending the headers. */
static size_t splice_header(char *buf, size_t len, size_t cap, const char *extra, size_t n)
{
	char *end = memmem(buf, len, "\r\n\r\n", 4);
	if (!end || len + n > cap)
		return len;
	size_t at = (size_t)(end - buf) + 2;
	memmove(buf + at + n, buf + at, len - at);
	memcpy(buf + at, extra, n);
	return len + n;
}

/* Replaces the number after "Content-Length: " with cl (a message whose length
 * header lies). */
static size_t set_content_length(char *buf, size_t len, size_t cap, unsigned cl)
{
	char *p = memmem(buf, len, "Content-Length: ", 16);
	if (!p)
		return len;
	p += 16;
	char *q = memchr(p, '\r', len - (size_t)(p - buf));
	char num[16];
	int n = snprintf(num, sizeof(num), "%u", cl);
	if (!q || len + (size_t)n > cap)
		return len;
	size_t tail = len - (size_t)(q - buf);
	memmove(p + n, q, tail);
	memcpy(p, num, (size_t)n);
	return (size_t)(p - buf) + (size_t)n + tail;
}

static void h_respond(struct hconn *c, const struct sip_msg *m, int status)
{
	char buf[4096];
	struct sip_response r = { .status = status, .to_tag = TL_STR("hostile1") };
	int n = sip_build_response(buf, sizeof(buf), m, &r);
	if (n > 0)
		h_send(c, buf, (size_t)n);
}

/* The 200 to an INVITE, spoiled as the mode says. */
static void h_answer_invite(struct hostile *h, struct hconn *c, const struct sip_msg *m)
{
	static char big[HUGE_HDR + 8192];
	struct sip_msg req = *m;
	struct sip_response r = { .status = 200, .to_tag = TL_STR("hostile1") };
	static const char sdp[] = "v=0\r\no=- 1 1 IN IP4 127.0.0.1\r\ns=-\r\n\r\n";
	switch (h->mode) {
	case M_NO_TO_TAG:
		r.to_tag = (struct tl_str){ 0 };
		break;
	case M_WRONG_CSEQ:
		req.cseq = m->cseq + 41;
		break;
	case M_CL_LONG:
	case M_CL_SHORT:
		r.content_type = TL_STR("application/sdp");
		r.body = (struct tl_str){ sdp, sizeof(sdp) - 1 };
		break;
	default:
		break;
	}
	int n = sip_build_response(big, sizeof(big), &req, &r);
	if (n <= 0)
		return;
	size_t len = (size_t)n;
	if (h->mode == M_STRAY) {
		h_send(c, big, len);
		req.call_id = TL_STR("stray-never-used@hostile");
		n = sip_build_response(big, sizeof(big), &req, &r);
		if (n <= 0)
			return;
		len = (size_t)n;
	}
	if (h->mode == M_CL_LONG)
		len = set_content_length(big, len, sizeof(big), 500);
	else if (h->mode == M_CL_SHORT)
		len = set_content_length(big, len, sizeof(big), 5);
	else if (h->mode == M_HUGE) {
		static char pad[HUGE_HDR];
		memcpy(pad, "X-Padding: ", 11);
		memset(pad + 11, 'a', sizeof(pad) - 13);
		memcpy(pad + sizeof(pad) - 2, "\r\n", 2);
		len = splice_header(big, len, sizeof(big), pad, sizeof(pad));
	}
	h_send(c, big, len);
	if (h->mode == M_CL_LONG)
		c->stalled = true; /* then nothing: the rest of the body never comes */
	if (h->mode == M_DUP200 && len <= sizeof(c->last200) && m->call_id.len < sizeof(c->last_cid)) {
		h_send(c, big, len);
		memcpy(c->last200, big, len);
		c->last200_len = len;
		memcpy(c->last_cid, m->call_id.p, m->call_id.len);
		c->last_cid[m->call_id.len] = 0;
	}
}

/* Acts on one request; returns false when the connection is gone. */
static bool h_request(struct hostile *h, unsigned i, const struct sip_msg *m)
{
	struct hconn *c = h->c[i];
	dprintf(h->log, "%u %.*s\n", c->idx, (int)m->method_name.len, m->method_name.p);
	bool bad_conn = h->mode != M_RESET_FIRST || c->idx == 0;
	if (m->method == SIP_ACK) {
		/* a late retransmission of the 200 just ACKed: it must be ACKed again */
		if (h->mode == M_DUP200 && c->last200_len && tl_str_eq(m->call_id, c->last_cid)) {
			h_send(c, c->last200, c->last200_len);
			c->last200_len = 0;
		}
		return true;
	}
	if (m->method != SIP_INVITE) {
		h_respond(c, m, 200);
		return true;
	}
	switch (h->mode) {
	case M_SILENT:
		return true;
	case M_STALL:
		c->stalled = true;
		return true;
	case M_RESET:
	case M_RESET_FIRST:
		h_respond(c, m, 100);
		if (bad_conn) {
			h_close(h, i, true);
			return false;
		}
		h_respond(c, m, 200);
		return true;
	case M_GARBAGE: {
		char junk[600];
		for (size_t k = 0; k < sizeof(junk) - 4; k++)
			junk[k] = (char)(rand_r(&h->seed) & 0xff);
		memcpy(junk + sizeof(junk) - 4, "\r\n\r\n", 4);
		h_send(c, junk, sizeof(junk));
		return true;
	}
	case M_ALERT:
		h_respond(c, m, 100);
		c->corrupted = true; /* the next record we receive fails: OpenSSL sends the alert */
		return true;
	case M_CLOSE_NOTIFY:
		h_respond(c, m, 100);
		SSL_shutdown(c->ssl);
		c->stalled = true; /* keep the socket open, read no more */
		return true;
	default:
		h_respond(c, m, 100);
		h_answer_invite(h, c, m);
		return true;
	}
}

/* Parses and acts on every complete message buffered on connection i. A framing
 * error ends the connection (a real server would do the same). */
static void h_parse(struct hostile *h, unsigned i)
{
	struct hconn *c = h->c[i];
	size_t off = 0;
	while (c && !c->stalled && off < c->len) {
		struct sip_msg m;
		int n = sip_parse_msg(c->rx + off, c->len - off, RX_CAP, &m);
		if (n == -EAGAIN)
			break;
		if (n < 0) {
			h_close(h, i, false);
			return;
		}
		off += (size_t)n;
		if (m.kind == SIP_KIND_REQUEST && !h_request(h, i, &m))
			return; /* closed */
		c = h->c[i];
	}
	if (c) {
		memmove(c->rx, c->rx + off, c->len - off);
		c->len -= off;
	}
}

/* Reads what connection i has; TLS records go through OpenSSL first. */
static void h_readable(struct hostile *h, unsigned i)
{
	struct hconn *c = h->c[i];
	char tmp[16384];
	ssize_t n = read(c->fd, tmp, sizeof(tmp));
	if (n <= 0) {
		h_close(h, i, false);
		return;
	}
	if (!c->ssl) {
		if (c->len + (size_t)n > RX_CAP) {
			h_close(h, i, false);
			return;
		}
		memcpy(c->rx + c->len, tmp, (size_t)n);
		c->len += (size_t)n;
		h_parse(h, i);
		return;
	}
	if (c->corrupted)
		tmp[n - 1] ^= 0x5a; /* breaks the record's MAC: OpenSSL answers bad_record_mac */
	BIO_write(c->rbio, tmp, (int)n);
	if (!c->hs_done) {
		int r = SSL_accept(c->ssl);
		if (r == 1)
			c->hs_done = true;
		else if (SSL_get_error(c->ssl, r) != SSL_ERROR_WANT_READ) {
			h_close(h, i, false);
			return;
		}
	}
	while (c->hs_done && c->len < RX_CAP) {
		int r = SSL_read(c->ssl, c->rx + c->len, (int)(RX_CAP - c->len));
		if (r > 0) {
			c->len += (size_t)r;
			continue;
		}
		if (SSL_get_error(c->ssl, r) == SSL_ERROR_WANT_READ)
			break;
		ERR_clear_error(); /* the fatal alert is on its way out already */
		h_close(h, i, false);
		return;
	}
	h_parse(h, i);
}

static void h_accept(struct hostile *h, int lfd)
{
	int fd = accept(lfd, NULL, NULL);
	if (fd < 0)
		return;
	unsigned slot = 0;
	while (slot < MAX_CONNS && h->c[slot])
		slot++;
	struct hconn *c = slot < MAX_CONNS ? calloc(1, sizeof(*c)) : NULL;
	if (!c) {
		close(fd);
		return;
	}
	c->fd = fd;
	c->idx = h->accepted++;
	if (h->tls) {
		c->ssl = SSL_new(h->tls);
		c->rbio = BIO_new(BIO_s_mem());
		BIO *wbio = BIO_new_socket(fd, BIO_NOCLOSE);
		SSL_set_bio(c->ssl, c->rbio, wbio);
	}
	h->c[slot] = c;
	dprintf(h->log, "%u accepted\n", c->idx);
}

/* The child: serves until killed (at most 60 s, should the test die without it). */
static void hostile_main(int lfd, enum mode mode, bool tls, const char *log)
{
	prctl(PR_SET_PDEATHSIG, SIGKILL);
	alarm(60);
	signal(SIGPIPE, SIG_IGN);
	static struct hostile h;
	h.mode = mode;
	h.seed = 7;
	h.log = open(log, O_WRONLY | O_CREAT | O_TRUNC | O_APPEND, 0600);
	if (tls) {
		char crt[600], key[600];
		snprintf(crt, sizeof(crt), "%s/server.crt", pki);
		snprintf(key, sizeof(key), "%s/server.key", pki);
		h.tls = SSL_CTX_new(TLS_server_method());
		if (!h.tls || SSL_CTX_use_certificate_chain_file(h.tls, crt) != 1 ||
		    SSL_CTX_use_PrivateKey_file(h.tls, key, SSL_FILETYPE_PEM) != 1) {
			dprintf(h.log, "tls setup failed\n");
			_exit(1);
		}
	}
	for (;;) {
		struct pollfd p[MAX_CONNS + 1] = { { .fd = lfd, .events = POLLIN } };
		for (unsigned i = 0; i < MAX_CONNS; i++) {
			p[i + 1].fd = h.c[i] && !h.c[i]->stalled ? h.c[i]->fd : -1;
			p[i + 1].events = POLLIN;
		}
		if (poll(p, MAX_CONNS + 1, 1000) < 0)
			continue;
		if (p[0].revents & POLLIN)
			h_accept(&h, lfd);
		for (unsigned i = 0; i < MAX_CONNS; i++)
			if (h.c[i] && (p[i + 1].revents & (POLLIN | POLLHUP | POLLERR)))
				h_readable(&h, i);
	}
}

/* Forks the responder on a fresh listening socket of 127.0.0.1; sets *port. */
static pid_t hostile_start(enum mode mode, bool tls, const char *log, uint16_t *port)
{
	int lfd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	struct sockaddr_in a = { .sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
	socklen_t alen = sizeof(a);
	if (lfd < 0 || bind(lfd, (struct sockaddr *)&a, sizeof(a)) || listen(lfd, 16) ||
	    getsockname(lfd, (struct sockaddr *)&a, &alen)) {
		if (lfd >= 0)
			close(lfd);
		return -errno;
	}
	*port = ntohs(a.sin_port);
	fflush(NULL);
	pid_t pid = fork();
	if (pid == 0) {
		hostile_main(lfd, mode, tls, log);
		_exit(0);
	}
	close(lfd);
	return pid < 0 ? -errno : pid;
}

static void hostile_stop(pid_t pid)
{
	if (pid <= 0)
		return;
	kill(pid, SIGKILL);
	for (int i = 0; i < 200 && waitpid(pid, NULL, WNOHANG) == 0; i++) /* 2 s at most */
		usleep(10000);
}

/* Lines of the responder's log that end with `what` (e.g. " ACK"). */
static int log_count(const char *log, const char *what)
{
	char *text = proc_read_file(log);
	int n = 0;
	size_t len = strlen(what);
	for (char *line = text; line && *line;) {
		char *nl = strchr(line, '\n');
		size_t l = nl ? (size_t)(nl - line) : strlen(line);
		if (l >= len && !memcmp(line + l - len, what, len))
			n++;
		line = nl ? nl + 1 : NULL;
	}
	free(text);
	return n;
}

/* report.json's <a>.<b> as one line of JSON, for the log. */
static void report_item(const char *report, const char *a, const char *b, char *out, size_t cap)
{
	char *text = proc_read_file(report);
	cJSON *root = text ? cJSON_Parse(text) : NULL;
	cJSON *f = cJSON_GetObjectItem(cJSON_GetObjectItem(root, a), b);
	char *line = f ? cJSON_PrintUnformatted(f) : NULL;
	snprintf(out, cap, "%s", line ? line : "(none)");
	cJSON_free(line);
	cJSON_Delete(root);
	free(text);
}

/* ---- the cases ------------------------------------------------------------- */

struct hcase {
	const char *name;
	enum mode mode;
	bool tls;
	const char *run[6];   /* extra `trunkload run` flags */
	int calls;
	double max_s;         /* the run must be over within this */
	bool passes;          /* the run must pass (exit 0); otherwise it must fail (1) */
	const char *reason;   /* calls.failures key of the calls the misbehaviour hits */
	const char *bug;      /* non-NULL: this case documents a trunkload bug */
	const char *log_what; /* with log_min: lines of the responder's log to count */
	int log_min;
	struct proc_expect want[8];
};

/* A trunk connection that fails takes the call(s) on it down with `reason`; calls
 * scheduled while it is down (it is reopened after 1 s) fail as no_connection. */
static const struct hcase cases_tab[] = {
	{
		.name = "reset_mid_call", .mode = M_RESET, .calls = 4, .max_s = 8,
		.reason = "connection_lost",
	},
	{
		/* connection 0 is reset at its first INVITE; connection 1 carries on */
		.name = "reset_one_of_two_connections", .mode = M_RESET_FIRST, .calls = 8,
		.run = { "--connections", "2" }, .max_s = 8, .reason = "connection_lost",
		.want = { EXPECT_GE("calls.completed", 4) },
	},
	{
		/* 4 INVITEs fit in the socket buffers: the calls time out, sends never block */
		.name = "stall_stops_reading", .mode = M_STALL, .calls = 4, .max_s = 8,
		.reason = "timeout_200",
	},
	{
		.name = "silent_never_answers", .mode = M_SILENT, .calls = 4, .max_s = 8,
		.reason = "timeout_200",
	},
	{
		/* every 2xx, also a retransmission, gets its own ACK (RFC 3261 13.2.2.4);
		 * retransmissions are not new calls */
		.name = "dup200_acked_again", .mode = M_DUP200, .calls = 4, .max_s = 8, .passes = true,
		.bug = "a retransmitted 2xx is ignored, never ACKed (uac_flow.c uac_on_response: 'if (k->got_2xx) return')",
		.log_what = " ACK", .log_min = 3 * 4,
		.want = { EXPECT_EQ("calls.completed", 4), EXPECT_EQ("calls.failed", 0) },
	},
	{
		/* responses that match no call are counted, not taken for anyone's */
		.name = "stray_responses_counted", .mode = M_STRAY, .calls = 4, .max_s = 8, .passes = true,
		.want = { EXPECT_EQ("calls.completed", 4), EXPECT_EQ("sip.stray_responses", 4) },
	},
	{
		/* a 2xx without a To tag cannot establish a dialog (RFC 3261 12.1.2) */
		.name = "no_to_tag", .mode = M_NO_TO_TAG, .calls = 4, .max_s = 8,
		.reason = "missing_to_tag",
		.bug = "a 200 without a To tag completes the call; ACK and BYE go out without a tag",
	},
	{
		/* a 200 whose CSeq is not the INVITE's breaks RFC 3261 8.2.6.2: a conformance
		 * tester must flag it (transactions match on branch and method only, 17.1.3) */
		.name = "wrong_cseq", .mode = M_WRONG_CSEQ, .calls = 4, .max_s = 8,
		.reason = "cseq_mismatch",
		.bug = "a 200 with CSeq 42 INVITE to CSeq 1 INVITE completes the call unflagged",
	},
	{
		.name = "content_length_too_long", .mode = M_CL_LONG, .calls = 4, .max_s = 8,
		.reason = "timeout_200",
	},
	{
		.name = "content_length_too_short", .mode = M_CL_SHORT, .calls = 4, .max_s = 8,
		.reason = "bad_sip_from_peer",
	},
	{
		.name = "message_over_cap", .mode = M_HUGE, .calls = 4, .max_s = 8,
		.reason = "bad_sip_from_peer",
	},
	{
		.name = "garbage_bytes", .mode = M_GARBAGE, .calls = 4, .max_s = 8,
		.reason = "bad_sip_from_peer",
	},
	{
		/* the alert answers the second INVITE's record: calls 1 and 2 are on the wire */
		.name = "tls_alert_mid_call", .mode = M_ALERT, .tls = true, .calls = 4, .max_s = 8,
		.reason = "tls_error",
		.want = { EXPECT_KEY_PREFIX("tls.alerts", "received:") },
	},
	{
		/* after close_notify the far end can send nothing more: the calls on the
		 * connection are lost at once, not after their timeouts */
		.name = "close_notify_mid_call", .mode = M_CLOSE_NOTIFY, .tls = true, .calls = 4,
		.max_s = 8, .reason = "connection_lost",
		.bug = "calls on a connection closed by close_notify (TCP left open) wait out their "
		       "timeouts and are reported as timeout_200",
	},
};

static void run_case(const struct hcase *t)
{
	proc_cleanup_all();
	char dir[512], report[600], out[600], log[600];
	proc_path(dir, sizeof(dir), t->name);
	snprintf(report, sizeof(report), "%s/report.json", dir);
	snprintf(out, sizeof(out), "%s.out", dir);
	snprintf(log, sizeof(log), "%s-hostile.log", dir);
	uint16_t port = 0;
	pid_t h = hostile_start(t->mode, t->tls, log, &port);
	CHECK(h > 0, "%s: start the hostile responder (%s)", t->name, strerror(h < 0 ? (int)-h : 0));
	CU_ASSERT_FATAL(h > 0);

	struct proc_args a = { 0 };
	args_add(&a, "%s", TL_BINARY);
	args_add(&a, "run");
	args_add(&a, "%s/%s", TL_SOURCE_DIR, SCENARIO);
	args_add(&a, "--target");
	args_add(&a, "127.0.0.1:%u", port);
	args_add(&a, "--transport");
	args_add(&a, "%s", t->tls ? "tls" : "tcp");
	if (t->tls) {
		args_identity(&a, pki, "client");
		args_add(&a, "--ca");
		args_add(&a, "%s/ca.crt", pki);
	}
	args_add(&a, "--calls");
	args_add(&a, "%d", t->calls);
	args_add(&a, "--rate");
	args_add(&a, "20");
	args_add(&a, "--media-ms");
	args_add(&a, "0");
	args_add(&a, "--report-dir");
	args_add(&a, "%s", dir);
	args_add(&a, "--quiet");
	args_add_list(&a, t->run);
	double secs = 0;
	int rc = proc_run(a.v, out, NULL, RUN_TIMEOUT_MS, &secs);
	hostile_stop(h);

	const char *tag = "";
	int want_exit = t->passes ? 0 : 1;
	CHECK(rc == want_exit, "%s%s: trunkload run exits %d (got %d)", tag, t->name, want_exit, rc);
	CHECK(secs <= t->max_s, "%s%s: the run is over within %.0f s (took %.1f s)", tag, t->name,
	      t->max_s, secs);
	/* a complete report: the verdict, and every call accounted for */
	struct proc_expect all[16] = {
		EXPECT_EQ("calls.attempted", t->calls),
		EXPECT_STR("verdict", want_exit ? "fail" : "pass"),
	};
	size_t n = 2;
	for (size_t i = 0; t->want[i].path && n + 1 < sizeof(all) / sizeof(all[0]); i++)
		all[n++] = t->want[i];
	int bad = proc_expect_json(report, all);
	double done = -1, failed = -1;
	proc_json_number(report, "calls.completed", &done);
	proc_json_number(report, "calls.failed", &failed);
	CHECK(done + failed == t->calls, "%s%s: completed %.0f + failed %.0f == %d calls", tag, t->name,
	      done, failed, t->calls);
	if (t->reason) {
		/* the misbehaviour hits at least one call; every other failure is a call
		 * that found its connection down */
		char key[128];
		double hit = 0, down = 0;
		snprintf(key, sizeof(key), "calls.failures.%s", t->reason);
		proc_json_number(report, key, &hit);
		proc_json_number(report, "calls.failures.no_connection", &down);
		CHECK(hit >= 1 && hit + down == failed && done + failed == t->calls &&
			      failed >= 1,
		      "%s%s: >= 1 call fails as %s, the others as no_connection (got %.0f + %.0f of %.0f "
		      "failed)", tag, t->name, t->reason, hit, down, failed);
		bad += !(hit >= 1 && hit + down == failed);
	}
	if (t->log_what) {
		int got = log_count(log, t->log_what);
		CHECK(got >= t->log_min, "%s%s: the responder received >= %d%s (got %d)", tag, t->name,
		      t->log_min, t->log_what, got);
		bad += got < t->log_min;
	}
	char failures[300], alerts[300];
	report_item(report, "calls", "failures", failures, sizeof(failures));
	report_item(report, "tls", "alerts", alerts, sizeof(alerts));
	fprintf(stderr, "\n  %s: exit %d in %.1f s, completed %.0f, failed %.0f, failures %s, "
		"tls.alerts %s%s%s\n", t->name, rc, secs, done, failed, failures, alerts, t->bug ? "\n    found and fixed: " : "",
		t->bug ? t->bug : "");
	if (rc != 1 || bad) {
		proc_show_log("trunkload run", out, 3000);
		proc_show_log("hostile responder", log, 1000);
	}
	proc_cleanup_all();
}

#define CASE(i) \
	static void case_##i(void) { run_case(&cases_tab[i]); }
CASE(0)
CASE(1)
CASE(2)
CASE(3)
CASE(4)
CASE(5)
CASE(6)
CASE(7)
CASE(8)
CASE(9)
CASE(10)
CASE(11)
CASE(12)

static const struct tl_case cases[] = {
	{ "reset_mid_call", case_0 },
	{ "reset_one_of_two_connections", case_1 },
	{ "stall_stops_reading", case_2 },
	{ "silent_never_answers", case_3 },
	{ "dup200_acked_again", case_4 },
	{ "no_to_tag", case_5 },
	{ "wrong_cseq", case_6 },
	{ "content_length_too_long", case_7 },
	{ "content_length_too_short", case_8 },
	{ "message_over_cap", case_9 },
	{ "garbage_bytes", case_10 },
	{ "tls_alert_mid_call", case_11 },
	{ "close_notify_mid_call", case_12 },
};

int main(void)
{
	if (!proc_tmpdir()) {
		perror("test_hostile: mkdtemp");
		return 1;
	}
	if (lab_pki("pki", pki, sizeof(pki)))
		return 1;
	return tl_run("hostile", TL_CASES(cases));
}
