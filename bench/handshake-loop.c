/* handshake-loop: mutual-TLS handshakes per second with both ends in one process
 * and no socket, the reference that trunkload's per-call handshake rate is divided
 * by (issue 5). A client and a server SSL object talk through a BIO pair; each
 * handshake is a fresh pair of SSL objects (SSL_new to SSL_free), the client
 * verifies the server's chain and the server requires and verifies the client's,
 * with the lab certificates (`trunkload pki DIR`: server.crt, client.crt, ca.crt).
 *
 * Every SSL call is timed on the side that makes it, so the CPU each end spends
 * per handshake is reported apart. Both run in one thread, so wall time is CPU time
 * unless another process takes the core; each figure is the median of --runs runs
 * of about --seconds. The client reads once after its handshake so that TLS 1.3
 * NewSessionTicket messages are processed as a real client would; the server keeps
 * OpenSSL's defaults (two tickets per TLS 1.3 handshake) as trunkload's responder does.
 * With resumption the client offers the session of its previous handshake
 * (SSL_set_session: a TLS 1.2 session ticket, or the newest TLS 1.3 ticket) and a
 * handshake that was not resumed is an error.
 *
 *   handshake-loop --pki DIR [--version 1.2|1.3] [--resume | --full]
 *                  [--groups X25519:P-256] [--tickets N] [--runs 5] [--seconds 1]
 *
 * Without --version both versions run; without --resume or --full both run.
 * --groups is the supported-groups list of both ends: the key exchange uses its first
 * group, and P-256 stays listed because TLS 1.2 refuses an ECDSA P-256 certificate
 * whose curve the client did not list. group= in the output is the group the key
 * exchange actually used. --tickets sets how many TLS 1.3 tickets the server sends
 * after each handshake (OpenSSL's default, and trunkload's responder's, is 2; they
 * cost the server about 0.3 ms of a full handshake here, and a TLS 1.3 run with
 * resumption needs at least one; tickets=- for TLS 1.2). Prints one line per
 * configuration:
 *   handshake_loop version=1.3 resume=0 per_s=550 client_us=765.4 server_us=1050.1 group=X25519
 *                  runs=5 two_core_per_s=952 tickets=2
 * per_s is one core doing both ends; two_core_per_s = 1e6 / max(client_us, server_us)
 * is the pace if each end had a core of its own, as two processes on two cores do.
 * Exit status 0, or 1 with a reason on stderr.
 *
 * Build alone: gcc -std=c17 -D_GNU_SOURCE -O2 -Wall -Wextra bench/handshake-loop.c \
 *   -lssl -lcrypto -o /tmp/handshake-loop */
#include <openssl/err.h>
#include <openssl/objects.h>
#include <openssl/ssl.h>

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define MAX_RUNS 15

struct opts {
	const char *pki;
	const char *groups;
	int version;      /* 0: both */
	int resume;       /* -1: both, 0, 1 */
	int runs;
	double seconds;
	int tickets;      /* TLS 1.3 tickets per handshake, -1: OpenSSL's default (2) */
};

struct run {
	double per_s, client_us, server_us;
};

struct pair {
	SSL_CTX *client, *server;
};

static double now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return (x > y) - (x < y);
}

static void ssl_fail(const char *what)
{
	fprintf(stderr, "handshake-loop: %s\n", what);
	ERR_print_errors_fp(stderr);
}

/* One end's context: its certificate and key, the lab CA to verify the peer with,
 * one version, the groups given. The server asks for and requires the client's certificate;
 * its session id context lets a verified client's session be resumed at all. */
static SSL_CTX *ctx_new(bool server, int version, const char *groups, const char *pki,
			int tickets)
{
	char cert[4096], key[4096], ca[4096];
	const char *role = server ? "server" : "client";
	snprintf(cert, sizeof(cert), "%s/%s.crt", pki, role);
	snprintf(key, sizeof(key), "%s/%s.key", pki, role);
	snprintf(ca, sizeof(ca), "%s/ca.crt", pki);
	SSL_CTX *ctx = SSL_CTX_new(server ? TLS_server_method() : TLS_client_method());
	int v = version == 12 ? TLS1_2_VERSION : TLS1_3_VERSION;
	if (!ctx || !SSL_CTX_set_min_proto_version(ctx, v) ||
	    !SSL_CTX_set_max_proto_version(ctx, v) || !SSL_CTX_set1_groups_list(ctx, groups) ||
	    SSL_CTX_use_certificate_chain_file(ctx, cert) != 1 ||
	    SSL_CTX_use_PrivateKey_file(ctx, key, SSL_FILETYPE_PEM) != 1 ||
	    SSL_CTX_check_private_key(ctx) != 1 ||
	    SSL_CTX_load_verify_locations(ctx, ca, NULL) != 1) {
		ssl_fail(server ? "cannot set up the server context" : "cannot set up the client context");
		SSL_CTX_free(ctx);
		return NULL;
	}
	if (server) {
		STACK_OF(X509_NAME) *names = SSL_load_client_CA_file(ca);
		if (names)
			SSL_CTX_set_client_CA_list(ctx, names);
		static const unsigned char sid[] = "handshake-loop";
		SSL_CTX_set_session_id_context(ctx, sid, sizeof(sid) - 1);
		if (tickets >= 0)
			SSL_CTX_set_num_tickets(ctx, (size_t)tickets);
		SSL_CTX_set_verify(ctx, SSL_VERIFY_PEER | SSL_VERIFY_FAIL_IF_NO_PEER_CERT, NULL);
	} else {
		SSL_CTX_set_verify(ctx, SSL_VERIFY_PEER, NULL);
	}
	return ctx;
}

/* Steps an unfinished end once; returns 1 done, 0 wants more, -1 failed. */
static int step(SSL *ssl, double *acc)
{
	double t = now();
	int r = SSL_do_handshake(ssl);
	*acc += now() - t;
	if (r == 1)
		return 1;
	int e = SSL_get_error(ssl, r);
	return e == SSL_ERROR_WANT_READ || e == SSL_ERROR_WANT_WRITE ? 0 : -1;
}

/* One handshake from SSL_new to SSL_free. *sess is the session to offer (may be
 * NULL) and is replaced by the newest one when keep_session is set.
 * Returns 0, or -1 with the reason printed. */
static int handshake(const struct pair *p, SSL_SESSION **sess, bool keep_session,
		     double *t_client, double *t_server, int *group_nid)
{
	int rc = -1;
	double t = now();
	SSL *c = SSL_new(p->client);
	if (c && *sess)
		SSL_set_session(c, *sess);
	*t_client += now() - t;
	t = now();
	SSL *s = SSL_new(p->server);
	*t_server += now() - t;
	BIO *bc = NULL, *bs = NULL;
	if (!c || !s || !BIO_new_bio_pair(&bc, 0, &bs, 0)) {
		ssl_fail("out of memory");
		goto out;
	}
	SSL_set_bio(c, bc, bc);
	SSL_set_bio(s, bs, bs);
	SSL_set_connect_state(c);
	SSL_set_accept_state(s);
	int cdone = 0, sdone = 0;
	for (int turn = 0; turn < 16 && (cdone != 1 || sdone != 1); turn++) {
		if (cdone != 1)
			cdone = step(c, t_client);
		if (sdone != 1 && cdone >= 0)
			sdone = step(s, t_server);
		if (cdone < 0 || sdone < 0)
			break;
	}
	if (cdone != 1 || sdone != 1) {
		ssl_fail(cdone < 0 ? "client handshake failed" :
			 sdone < 0 ? "server handshake failed" : "handshake did not finish");
		goto out;
	}
	/* A TLS 1.3 server sends its tickets after the handshake; reading takes them in. */
	char b[64];
	t = now();
	int got = SSL_read(c, b, sizeof(b));
	SSL_SESSION *newest = keep_session ? SSL_get1_session(c) : NULL;
	*t_client += now() - t;
	if (got > 0 || (*sess && !SSL_session_reused(c))) {
		SSL_SESSION_free(newest);
		ssl_fail(got > 0 ? "unexpected application data" : "the offered session was not resumed");
		goto out;
	}
	if (group_nid)
		*group_nid = SSL_get_negotiated_group(c);
	if (keep_session) {
		SSL_SESSION_free(*sess);
		*sess = newest;
	}
	rc = 0;
out:
	/* close_notify both ways: OpenSSL will not resume a session whose
	 * connection was freed without one */
	t = now();
	if (rc == 0)
		SSL_shutdown(c);
	SSL_free(c);
	*t_client += now() - t;
	t = now();
	if (rc == 0)
		SSL_shutdown(s);
	SSL_free(s);
	*t_server += now() - t;
	ERR_clear_error();
	return rc;
}

/* One run of about `seconds` after one untimed handshake (which makes the
 * session a resumed run starts from, and tells the group used). */
static int run_once(const struct pair *p, bool resume, double seconds, struct run *out,
		    int *group_nid)
{
	SSL_SESSION *sess = NULL;
	double tc = 0, ts = 0;
	if (handshake(p, &sess, resume, &tc, &ts, group_nid))
		return -1;
	tc = ts = 0;
	long n = 0;
	double t0 = now(), t1 = t0;
	int rc = 0;
	while (t1 - t0 < seconds) {
		if (handshake(p, &sess, resume, &tc, &ts, NULL)) {
			rc = -1;
			break;
		}
		n++;
		t1 = now();
	}
	SSL_SESSION_free(sess);
	if (rc)
		return rc;
	out->per_s = (double)n / (t1 - t0);
	out->client_us = tc / (double)n * 1e6;
	out->server_us = ts / (double)n * 1e6;
	return 0;
}

static int measure(const struct opts *o, int version, bool resume)
{
	struct pair p = { ctx_new(false, version, o->groups, o->pki, o->tickets),
			  ctx_new(true, version, o->groups, o->pki, o->tickets) };
	int rc = -1;
	if (!p.client || !p.server)
		goto out;
	double per_s[MAX_RUNS], cu[MAX_RUNS], su[MAX_RUNS];
	int nid = NID_undef;
	for (int i = 0; i < o->runs; i++) {
		struct run r;
		if (run_once(&p, resume, o->seconds, &r, &nid))
			goto out;
		per_s[i] = r.per_s, cu[i] = r.client_us, su[i] = r.server_us;
	}
	qsort(per_s, (size_t)o->runs, sizeof(double), cmp_double);
	qsort(cu, (size_t)o->runs, sizeof(double), cmp_double);
	qsort(su, (size_t)o->runs, sizeof(double), cmp_double);
	int m = o->runs / 2;
	char tickets[24] = "-"; /* TLS 1.2 has one ticket, not a count */
	if (version == 13)
		snprintf(tickets, sizeof(tickets), "%zu", SSL_CTX_get_num_tickets(p.server));
	/* two_core_per_s: each end on its own core, the slower one sets the pace */
	printf("handshake_loop version=%s resume=%d per_s=%.0f client_us=%.1f server_us=%.1f "
	       "group=%s runs=%d two_core_per_s=%.0f tickets=%s\n", version == 12 ? "1.2" : "1.3",
	       resume, per_s[m], cu[m], su[m], nid == NID_undef ? "none" : OBJ_nid2sn(nid), o->runs,
	       1e6 / (cu[m] > su[m] ? cu[m] : su[m]), tickets);
	fflush(stdout);
	rc = 0;
out:
	SSL_CTX_free(p.client);
	SSL_CTX_free(p.server);
	return rc;
}

static int usage(void)
{
	fprintf(stderr, "usage: handshake-loop --pki DIR [--version 1.2|1.3] [--resume | --full]\n"
			"                      [--groups X25519:P-256] [--tickets N] [--runs 5] [--seconds 1]\n");
	return 1;
}

int main(int argc, char **argv)
{
	struct opts o = { .groups = "X25519:P-256", .resume = -1, .runs = 5, .seconds = 1.0,
			  .tickets = -1 };
	for (int i = 1; i < argc; i++) {
		const char *a = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;
		if (!strcmp(a, "--resume")) {
			o.resume = 1;
		} else if (!strcmp(a, "--full")) {
			o.resume = 0;
		} else if (!v) {
			return usage();
		} else if (!strcmp(a, "--pki")) {
			o.pki = v, i++;
		} else if (!strcmp(a, "--groups")) {
			o.groups = v, i++;
		} else if (!strcmp(a, "--version")) {
			o.version = !strcmp(v, "1.2") ? 12 : !strcmp(v, "1.3") ? 13 : -1, i++;
		} else if (!strcmp(a, "--tickets")) {
			o.tickets = atoi(v), i++;
		} else if (!strcmp(a, "--runs")) {
			o.runs = atoi(v), i++;
		} else if (!strcmp(a, "--seconds")) {
			o.seconds = atof(v), i++;
		} else {
			return usage();
		}
	}
	if (!o.pki || o.version < 0 || o.runs < 1 || o.runs > MAX_RUNS || o.seconds <= 0)
		return usage();
	for (int version = 12; version <= 13; version++) {
		if (o.version && o.version != version)
			continue;
		for (int resume = 0; resume <= 1; resume++) {
			if (o.resume >= 0 && o.resume != resume)
				continue;
			if (version == 13 && resume && o.tickets == 0) {
				fprintf(stderr, "handshake-loop: TLS 1.3 resumption needs --tickets 1 "
						"or more; skipped\n");
				continue;
			}
			if (measure(&o, version, resume))
				return 1;
		}
	}
	return 0;
}
