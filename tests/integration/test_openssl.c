/* TLS against a server that is not ours, `openssl s_server` on loopback.
 *
 * The mutual-TLS handshake: with -Verify 1 it requires a client certificate and
 * prints what it got.
 *
 * OCSP stapling: with -status_file it staples a DER OCSP response, made by `openssl
 * ocsp` from a CA database (index) this test writes, and trunkload must judge it: good,
 * revoked (an error finding), unknown, invalid (not signed by the leaf's CA, about
 * another certificate, out of date) or none.
 *
 * s_server does not speak SIP, so each call (or OPTIONS ping, for the stapling cases)
 * of a run ends as timeout_200 after 300 ms and a probe's OPTIONS gets no answer: run
 * and probe exit 1 whatever the certificate. What matters is the handshake and what
 * trunkload made of it. */
#include "proc.h"
#include "tl_test.h"
#include <cjson/cJSON.h>
#include <errno.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <openssl/ocsp.h>
#include <openssl/pem.h>

#define RUN_TIMEOUT_MS 60000
/* the probe waits this long for each handshake message and for the OPTIONS answer,
 * which s_server never sends */
#define PROBE_WAIT_MS 1000

struct handshake_case {
	const char *name;
	bool client_cert;            /* present our lab client certificate */
	int want_exit;
	struct proc_expect want[8];  /* on report.json */
	const char *server_says[4];  /* each must appear in s_server's output */
};

static const struct handshake_case hs_cases[] = {
	{
		/* the call's timeout sends a CANCEL just before the run ends: the close
		 * must not turn this good handshake into a failed one (it once did, with
		 * "write failed: protocol is shutdown") */
		.name = "client_cert_presented_and_verified",
		.client_cert = true,
		.want_exit = 1,
		.want = {
			EXPECT_EQ("tls.handshakes.ok", 1),
			EXPECT_EQ("tls.handshakes.failed", 0),
			EXPECT_STR("tls.peer.subject_cn", "uas.trunkload.test"),
			EXPECT_EQ("calls.failures.timeout_200", 1),
		},
		.server_says = { "CN = uac.trunkload.test", "verify return:1", "Client certificate" },
	},
	{
		.name = "no_client_cert_refused",
		.client_cert = false,
		.want_exit = 1,
		.want = {
			EXPECT_EQ("tls.handshakes.ok", 0),
			EXPECT_GE("tls.handshakes.failed", 1),
			EXPECT_KEY_PREFIX("tls.alerts", "received:"),
			EXPECT_EQ("calls.completed", 0),
		},
		.server_says = { "peer did not return a certificate" },
	},
};

/* s_server writes as it goes; give it a moment to finish a line. */
static bool log_has(const char *log, const char *text, int timeout_ms)
{
	for (int waited = 0;; waited += 50) {
		char *s = proc_read_file(log);
		bool found = s && strstr(s, text);
		free(s);
		if (found || waited >= timeout_ms)
			return found;
		struct timespec ts = { 0, 50 * 1000000L };
		nanosleep(&ts, NULL);
	}
}

static char *pki(char *out, size_t cap, const char *file)
{
	char rel[256];
	snprintf(rel, sizeof(rel), "pki/%s", file);
	return proc_path(out, cap, rel);
}

/* Starts `openssl s_server` on a free port of 127.0.0.1 presenting the lab's
 * <cert>.crt and .key, with the flags of more after them; waits until it listens and
 * sets *port. Its output goes to <scratch>/<tag>-s_server.log (written to log).
 * Returns the pid, or a negative errno after a failed CHECK and its log. */
static pid_t s_server(const char *tag, const char *cert, const struct proc_args *more,
		      char *log, size_t cap, uint16_t *port)
{
	char f[512], name[128];
	snprintf(name, sizeof(name), "%s-s_server.log", tag);
	proc_path(log, cap, name);
	*port = proc_free_port();
	CHECK(*port != 0, "%s: a free port on 127.0.0.1 for s_server", tag);
	if (!*port)
		return -EADDRNOTAVAIL;
	struct proc_args s = { 0 };
	args_add(&s, "openssl");
	args_add(&s, "s_server");
	args_add(&s, "-accept");
	args_add(&s, "127.0.0.1:%u", *port);
	args_add(&s, "-cert");
	snprintf(name, sizeof(name), "%s.crt", cert);
	args_add(&s, "%s", pki(f, sizeof(f), name));
	args_add(&s, "-key");
	snprintf(name, sizeof(name), "%s.key", cert);
	args_add(&s, "%s", pki(f, sizeof(f), name));
	for (int i = 0; more && i < more->n; i++)
		args_add(&s, "%s", more->v[i]);
	/* s_server quits at the end of its stdin: keep it open */
	pid_t server = proc_spawn(s.v, log, true);
	if (server < 0)
		return server;
	int rc = proc_wait_port(server, *port, 10000);
	if (rc)
		proc_show_log("openssl s_server", log, 3000);
	CHECK(rc == 0, "%s: s_server listens on 127.0.0.1:%u (%s)", tag, *port, strerror(-rc));
	return rc ? rc : server;
}

/* `trunkload run FIXTURE` (under tests/integration/fixtures) of one call to
 * 127.0.0.1:port as the lab's client (its certificate too, with client_cert). */
static void run_args(struct proc_args *a, const char *fixture, uint16_t port, bool client_cert,
		     const char *dir)
{
	char f[512];
	args_add(a, "%s", TL_BINARY);
	args_add(a, "run");
	args_add(a, "%s/tests/integration/fixtures/%s", TL_SOURCE_DIR, fixture);
	args_add(a, "--target");
	args_add(a, "127.0.0.1:%u", port);
	if (client_cert) {
		args_add(a, "--cert");
		args_add(a, "%s", pki(f, sizeof(f), "client.crt"));
		args_add(a, "--key");
		args_add(a, "%s", pki(f, sizeof(f), "client.key"));
	}
	args_add(a, "--ca");
	args_add(a, "%s", pki(f, sizeof(f), "ca.crt"));
	args_add(a, "--calls");
	args_add(a, "1");
	args_add(a, "--report-dir");
	args_add(a, "%s", dir);
	args_add(a, "--quiet");
}

static void handshake(const struct handshake_case *c)
{
	proc_cleanup_all();
	char f[512], log[512], out[512], dir[512], report[600], name[128];
	snprintf(name, sizeof(name), "%s.out", c->name);
	proc_path(out, sizeof(out), name);
	proc_path(dir, sizeof(dir), c->name);
	snprintf(report, sizeof(report), "%s/report.json", dir);

	struct proc_args more = { 0 };
	args_add(&more, "-CAfile");
	args_add(&more, "%s", pki(f, sizeof(f), "ca.crt"));
	args_add(&more, "-Verify");
	args_add(&more, "1");
	uint16_t port;
	pid_t server = s_server(c->name, "server", &more, log, sizeof(log), &port);
	CU_ASSERT_FATAL(server > 0);

	struct proc_args a = { 0 };
	run_args(&a, "short-timeout.json", port, c->client_cert, dir);
	int run_rc = proc_run(a.v, out, NULL, RUN_TIMEOUT_MS, NULL);
	CHECK(run_rc == c->want_exit, "%s: trunkload run exits %d (got %d)", c->name, c->want_exit,
	      run_rc);
	int bad = proc_expect_json(report, c->want);
	for (size_t i = 0; i < 4 && c->server_says[i]; i++) {
		bool said = log_has(log, c->server_says[i], 2000);
		CHECK(said, "%s: s_server's output has \"%s\"", c->name, c->server_says[i]);
		bad += !said;
	}
	if (bad || run_rc != c->want_exit) {
		proc_show_log("trunkload run", out, 2000);
		proc_show_log("openssl s_server", log, 3000);
	}
	proc_stop(server, SIGTERM, 3000);
	proc_cleanup_all();
}

static void client_cert_presented_and_verified(void)
{
	handshake(&hs_cases[0]);
}

static void no_client_cert_refused(void)
{
	handshake(&hs_cases[1]);
}

enum staple_kind {
	STAPLE_NONE,    /* s_server staples nothing */
	STAPLE_OPENSSL, /* `openssl ocsp` answers from index-<issuer>.txt, valid for a day */
	STAPLE_DATED,   /* made here with the dates below: `openssl ocsp` dates from now */
};

struct ocsp_case {
	const char *name;
	const char *cert;      /* s_server presents pki/<cert>.crt and its key */
	const char *chain;     /* and this intermediate after it, or NULL */
	enum staple_kind staple;
	const char *about;     /* the certificate the response speaks of */
	const char *issuer;    /* that certificate's CA: its database, and the id's issuer */
	const char *signer;    /* who signs the response */
	long this_update;      /* STAPLE_DATED: seconds from now */
	long next_update;
	const char *want;      /* tls.peer.ocsp */
	bool revoked;          /* the finding revoked (error), with the database's reason */
	bool no_ca;            /* probe alone, without --ca (run needs one) */
};

static const struct ocsp_case ocsp_cases[] = {
	{ .name = "staple_good", .cert = "server", .staple = STAPLE_OPENSSL, .about = "server",
	  .issuer = "ca", .signer = "ca", .want = "good" },
	{ .name = "staple_revoked", .cert = "server-revoked", .staple = STAPLE_OPENSSL,
	  .about = "server-revoked", .issuer = "ca", .signer = "ca", .want = "revoked",
	  .revoked = true },
	/* a CA we do not trust vouches for our CA's leaf */
	{ .name = "staple_other_ca_invalid", .cert = "server", .staple = STAPLE_OPENSSL,
	  .about = "server", .issuer = "ca", .signer = "ca-other", .want = "invalid" },
	{ .name = "staple_none", .cert = "server", .staple = STAPLE_NONE, .want = "none" },
	/* server-rsa2048 is not in the CA's database */
	{ .name = "staple_unknown", .cert = "server-rsa2048", .staple = STAPLE_OPENSSL,
	  .about = "server-rsa2048", .issuer = "ca", .signer = "ca", .want = "unknown" },
	/* a revoked server replaying the good response of another certificate (same CA,
	 * same name) must not pass for good */
	{ .name = "staple_of_another_cert_invalid", .cert = "server-revoked",
	  .staple = STAPLE_OPENSSL, .about = "server", .issuer = "ca", .signer = "ca",
	  .want = "invalid" },
	/* the issuing CA signs for its leaf: its certificate comes from the chain sent */
	{ .name = "staple_intermediate_good", .cert = "server-ica", .chain = "ica",
	  .staple = STAPLE_OPENSSL, .about = "server-ica", .issuer = "ica", .signer = "ica",
	  .want = "good" },
	/* the root is trusted but is not the leaf's issuer, nor a responder it delegated */
	{ .name = "staple_root_for_intermediate_leaf_invalid", .cert = "server-ica",
	  .chain = "ica", .staple = STAPLE_OPENSSL, .about = "server-ica", .issuer = "ica",
	  .signer = "ca", .want = "invalid" },
	/* the dated ones, made here; the first shows such a response passes when current */
	{ .name = "staple_dated_current_good", .cert = "server", .staple = STAPLE_DATED,
	  .about = "server", .issuer = "ca", .signer = "ca", .this_update = -3600,
	  .next_update = 86400, .want = "good" },
	{ .name = "staple_expired_invalid", .cert = "server", .staple = STAPLE_DATED,
	  .about = "server", .issuer = "ca", .signer = "ca", .this_update = -2 * 86400,
	  .next_update = -86400, .want = "invalid" },
	/* five minutes of slack for clocks apart */
	{ .name = "staple_expired_within_slack_good", .cert = "server", .staple = STAPLE_DATED,
	  .about = "server", .issuer = "ca", .signer = "ca", .this_update = -86400,
	  .next_update = -120, .want = "good" },
	{ .name = "staple_from_the_future_invalid", .cert = "server", .staple = STAPLE_DATED,
	  .about = "server", .issuer = "ca", .signer = "ca", .this_update = 3600,
	  .next_update = 86400, .want = "invalid" },
	/* a good staple, but nothing to verify it with */
	{ .name = "staple_without_ca_unverified", .cert = "server", .staple = STAPLE_OPENSSL,
	  .about = "server", .issuer = "ca", .signer = "ca", .want = "unverified", .no_ca = true },
};

/* What each CA's database says: index-<ca>.txt in the scratch directory. */
static const struct {
	const char *ca;
	const char *cert;
	bool revoked; /* keyCompromise, at the certificate's notBefore */
} ocsp_db[] = {
	{ "ca", "server", false },
	{ "ca", "server-revoked", true },
	{ "ica", "server-ica", false },
};

static X509 *lab_cert(const char *name)
{
	char f[512], file[128];
	snprintf(file, sizeof(file), "%s.crt", name);
	FILE *in = fopen(pki(f, sizeof(f), file), "r");
	X509 *x = in ? PEM_read_X509(in, NULL, NULL, NULL) : NULL;
	if (in)
		fclose(in);
	return x;
}

static EVP_PKEY *lab_key(const char *name)
{
	char f[512], file[128];
	snprintf(file, sizeof(file), "%s.key", name);
	FILE *in = fopen(pki(f, sizeof(f), file), "r");
	EVP_PKEY *k = in ? PEM_read_PrivateKey(in, NULL, NULL, NULL) : NULL;
	if (in)
		fclose(in);
	return k;
}

/* A date as the CA database writes it: YYMMDDHHMMSSZ. */
static bool db_time(const ASN1_TIME *t, char *out, size_t cap)
{
	struct tm tm;
	return t && ASN1_TIME_to_tm(t, &tm) && strftime(out, cap, "%y%m%d%H%M%SZ", &tm);
}

/* One line of an OpenSSL CA database (index.txt): status, expiry, revocation
 * "date,reason", serial in hex, file name, subject. 0, or -1. */
static int db_line(FILE *f, const char *cert, bool revoked)
{
	X509 *x = lab_cert(cert);
	BIGNUM *bn = x ? ASN1_INTEGER_to_BN(X509_get0_serialNumber(x), NULL) : NULL;
	char *serial = bn ? BN_bn2hex(bn) : NULL;
	char until[16], since[16], subject[256] = "";
	int rc = serial && db_time(X509_get0_notAfter(x), until, sizeof(until)) &&
			 db_time(X509_get0_notBefore(x), since, sizeof(since)) ? 0 : -1;
	if (!rc) {
		X509_NAME_oneline(X509_get_subject_name(x), subject, sizeof(subject));
		fprintf(f, "%c\t%s\t%s%s\t%s\tunknown\t%s\n", revoked ? 'R' : 'V', until,
			revoked ? since : "", revoked ? ",keyCompromise" : "", serial, subject);
	}
	OPENSSL_free(serial);
	BN_free(bn);
	X509_free(x);
	return rc;
}

/* Writes index-<ca>.txt for each CA of ocsp_db, and its .attr: the lab's leaves share
 * one subject, which a database wants unique unless told otherwise. 0, or -1. */
static int write_ocsp_db(void)
{
	char path[512], name[64];
	for (size_t i = 0; i < sizeof(ocsp_db) / sizeof(ocsp_db[0]); i++) {
		snprintf(name, sizeof(name), "index-%s.txt.attr", ocsp_db[i].ca);
		FILE *attr = fopen(proc_path(path, sizeof(path), name), "w");
		if (!attr || fputs("unique_subject = no\n", attr) < 0 || fclose(attr)) {
			fprintf(stderr, "test_openssl: cannot write %s\n", path);
			return -1;
		}
		snprintf(name, sizeof(name), "index-%s.txt", ocsp_db[i].ca);
		FILE *db = fopen(proc_path(path, sizeof(path), name), "a");
		int rc = db ? db_line(db, ocsp_db[i].cert, ocsp_db[i].revoked) : -1;
		if ((db && fclose(db)) || rc) {
			fprintf(stderr, "test_openssl: cannot write %s for %s\n", path, ocsp_db[i].cert);
			return -1;
		}
	}
	return 0;
}

/* A good response about c->about, signed by c->signer, dated by the case. 0, or -1. */
static int dated_staple(const struct ocsp_case *c, const char *out)
{
	X509 *leaf = lab_cert(c->about), *ca = lab_cert(c->issuer), *signer = lab_cert(c->signer);
	EVP_PKEY *key = lab_key(c->signer);
	OCSP_CERTID *id = leaf && ca ? OCSP_cert_to_id(NULL, leaf, ca) : NULL;
	OCSP_BASICRESP *basic = OCSP_BASICRESP_new();
	ASN1_TIME *this_upd = X509_gmtime_adj(NULL, c->this_update);
	ASN1_TIME *next_upd = X509_gmtime_adj(NULL, c->next_update);
	OCSP_RESPONSE *resp = NULL;
	if (id && basic && signer && key && this_upd && next_upd &&
	    OCSP_basic_add1_status(basic, id, V_OCSP_CERTSTATUS_GOOD, 0, NULL, this_upd, next_upd) &&
	    OCSP_basic_sign(basic, signer, key, EVP_sha256(), NULL, 0) == 1)
		resp = OCSP_response_create(OCSP_RESPONSE_STATUS_SUCCESSFUL, basic);
	BIO *bio = resp ? BIO_new_file(out, "wb") : NULL;
	int rc = bio && i2d_OCSP_RESPONSE_bio(bio, resp) > 0 ? 0 : -1;
	BIO_free(bio);
	OCSP_RESPONSE_free(resp);
	ASN1_TIME_free(next_upd);
	ASN1_TIME_free(this_upd);
	OCSP_BASICRESP_free(basic);
	OCSP_CERTID_free(id);
	EVP_PKEY_free(key);
	X509_free(signer);
	X509_free(ca);
	X509_free(leaf);
	return rc;
}

/* The response c staples, into out (<scratch>/<name>.der). 0, or -1 after a failed
 * CHECK. */
static int make_staple(const struct ocsp_case *c, char *out, size_t cap)
{
	char f[512], name[160], log[512];
	snprintf(name, sizeof(name), "%s.der", c->name);
	proc_path(out, cap, name);
	if (c->staple == STAPLE_DATED) {
		int rc = dated_staple(c, out);
		CHECK(rc == 0, "%s: a response dated %+lds..%+lds is made", c->name, c->this_update,
		      c->next_update);
		return rc;
	}
	snprintf(name, sizeof(name), "%s-ocsp.out", c->name);
	proc_path(log, sizeof(log), name);
	struct proc_args a = { 0 };
	args_add(&a, "openssl");
	args_add(&a, "ocsp");
	args_add(&a, "-index");
	snprintf(name, sizeof(name), "index-%s.txt", c->issuer);
	args_add(&a, "%s", proc_path(f, sizeof(f), name));
	snprintf(name, sizeof(name), "%s.crt", c->issuer);
	args_add(&a, "-CA");
	args_add(&a, "%s", pki(f, sizeof(f), name));
	args_add(&a, "-issuer");
	args_add(&a, "%s", pki(f, sizeof(f), name));
	args_add(&a, "-cert");
	snprintf(name, sizeof(name), "%s.crt", c->about);
	args_add(&a, "%s", pki(f, sizeof(f), name));
	args_add(&a, "-rsigner");
	snprintf(name, sizeof(name), "%s.crt", c->signer);
	args_add(&a, "%s", pki(f, sizeof(f), name));
	args_add(&a, "-rkey");
	snprintf(name, sizeof(name), "%s.key", c->signer);
	args_add(&a, "%s", pki(f, sizeof(f), name));
	args_add(&a, "-ndays");
	args_add(&a, "1");
	args_add(&a, "-respout");
	args_add(&a, "%s", out);
	int rc = proc_run(a.v, log, NULL, RUN_TIMEOUT_MS, NULL);
	if (rc)
		proc_show_log("openssl ocsp", log, 2000);
	CHECK(rc == 0, "%s: openssl ocsp makes the response about %s signed by %s (exit %d)",
	      c->name, c->about, c->signer, rc);
	return rc ? -1 : 0;
}

/* The severity of the finding code in a report's tls.findings into sev; false when
 * there is no such finding. */
static bool report_finding(const char *report, const char *code, char *sev, size_t cap)
{
	char *text = proc_read_file(report);
	cJSON *root = text ? cJSON_Parse(text) : NULL;
	free(text);
	const cJSON *f;
	bool found = false;
	cJSON_ArrayForEach(f, cJSON_GetObjectItemCaseSensitive(
				      cJSON_GetObjectItemCaseSensitive(root, "tls"), "findings"))
	{
		const char *fc = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(f, "code"));
		const char *fs = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(f, "severity"));
		if (fc && !strcmp(fc, code)) {
			snprintf(sev, cap, "%s", fs ? fs : "?");
			found = true;
			break;
		}
	}
	cJSON_Delete(root);
	return found;
}

/* `trunkload probe`: its revocation line and findings. Returns how many checks failed. */
static int probe_staple(const struct ocsp_case *c, uint16_t port, const char *out)
{
	char f[512], line[200];
	struct proc_args a = { 0 };
	args_add(&a, "%s", TL_BINARY);
	args_add(&a, "probe");
	args_add(&a, "127.0.0.1:%u", port);
	args_add(&a, "--server-name");
	args_add(&a, "uas.trunkload.test");
	if (!c->no_ca) {
		args_add(&a, "--ca");
		args_add(&a, "%s", pki(f, sizeof(f), "ca.crt"));
	}
	args_add(&a, "--cert");
	args_add(&a, "%s", pki(f, sizeof(f), "client.crt"));
	args_add(&a, "--key");
	args_add(&a, "%s", pki(f, sizeof(f), "client.key"));
	args_add(&a, "--timeout-ms");
	args_add(&a, "%d", PROBE_WAIT_MS);
	int rc = proc_run(a.v, out, NULL, RUN_TIMEOUT_MS, NULL);
	char *text = proc_read_file(out);
	const char *t = text ? text : "";
	int bad = 0;
	/* 1 for the OPTIONS s_server leaves unanswered, revoked or not */
	CHECK(rc == 1, "%s: probe exits 1 (got %d)", c->name, rc);
	bad += rc != 1;
	if (!strcmp(c->want, "none"))
		snprintf(line, sizeof(line), "revocation: CRL not checked (no --crl); OCSP none stapled\n");
	else
		snprintf(line, sizeof(line),
			 "revocation: CRL not checked (no --crl); OCSP %s (stapled response)\n", c->want);
	bool said = strstr(t, line) != NULL;
	CHECK(said, "%s: probe prints \"%.*s\"", c->name, (int)strlen(line) - 1, line);
	bad += !said;
	/* "  error   revoked   revoked (stapled OCSP response): on <date>, <reason>" */
	const char *finding = strstr(t, "revoked (stapled OCSP response): on ");
	const char *bol = finding, *eol = finding ? strchr(finding, '\n') : NULL;
	while (bol && bol > t && bol[-1] != '\n')
		bol--;
	char sev[16] = "", code[32] = "";
	if (bol)
		sscanf(bol, "%15s %31s", sev, code);
	static const char reason[] = ", keyCompromise";
	size_t rlen = sizeof(reason) - 1;
	bool ok = eol && !strcmp(sev, "error") && !strcmp(code, "revoked") &&
		  (size_t)(eol - finding) > rlen && !strncmp(eol - rlen, reason, rlen);
	if (c->revoked) {
		CHECK(ok, "%s: probe lists the finding \"error revoked ... keyCompromise\" "
			  "(the database's reason)", c->name);
		bad += !ok;
	} else {
		CHECK(!finding, "%s: probe lists no revoked finding", c->name);
		bad += finding != NULL;
	}
	free(text);
	return bad;
}

/* `trunkload run`: report.json's tls.peer.ocsp, the finding and its check. Returns how
 * many checks failed. */
static int run_staple(const struct ocsp_case *c, uint16_t port, const char *out,
		      const char *dir, const char *report)
{
	struct proc_args a = { 0 };
	/* an OPTIONS ping: a call's INVITE would be cancelled, and its CANCEL waited for */
	run_args(&a, "ocsp/options-ping.json", port, true, dir);
	int rc = proc_run(a.v, out, NULL, RUN_TIMEOUT_MS, NULL);
	/* the ping s_server cannot answer fails the run in every case */
	CHECK(rc == 1, "%s: trunkload run exits 1 (got %d)", c->name, rc);
	const struct proc_expect want[] = {
		/* a stapled response, even a revoked one, does not end the handshake */
		EXPECT_EQ("tls.handshakes.ok", 1),
		EXPECT_EQ("tls.handshakes.failed", 0),
		EXPECT_STR("tls.peer.ocsp", c->want),
		{ 0 },
	};
	int bad = (rc != 1) + proc_expect_json(report, want);
	char sev[16] = "", status[16] = "", observed[200] = "";
	bool found = report_finding(report, "revoked", sev, sizeof(sev));
	int check = proc_report_check(report, "tls.finding.revoked", status, sizeof(status),
				      observed, sizeof(observed));
	/* apart from calls.failed_pct, which s_server fails, what fails the verdict */
	int failed = proc_failed_checks(report, "calls.failed_pct");
	if (c->revoked) {
		bool ok = found && !strcmp(sev, "error");
		CHECK(ok, "%s: report tls.findings has revoked, severity error (got %s)", c->name,
		      found ? sev : "none");
		bad += !ok;
		ok = check == 0 && !strcmp(status, "fail");
		CHECK(ok, "%s: check tls.finding.revoked fails (got %s)", c->name,
		      check ? "no such check" : status);
		bad += !ok;
		CHECK(failed == 1, "%s: the revoked certificate alone fails the verdict "
				   "(%d other checks failed)", c->name, failed);
		bad += failed != 1;
	} else {
		CHECK(!found, "%s: report tls.findings has no revoked (got %s)", c->name, sev);
		CHECK(check == -ENOENT, "%s: report has no check tls.finding.revoked (got %s: %s)",
		      c->name, status, observed);
		CHECK(failed == 0, "%s: no check fails but calls.failed_pct (%d did)", c->name, failed);
		bad += found + (check != -ENOENT) + (failed != 0);
	}
	/* a staple that does not verify, or says unknown, is a warning */
	bool unusable = !strcmp(c->want, "invalid") || !strcmp(c->want, "unknown");
	found = report_finding(report, "ocsp_unusable", sev, sizeof(sev));
	CHECK(found == unusable && (!found || !strcmp(sev, "warning")),
	      "%s: report tls.findings %s ocsp_unusable as a warning (got %s)", c->name,
	      unusable ? "has" : "has no", found ? sev : "none");
	bad += found != unusable;
	return bad;
}

static void stapling(const struct ocsp_case *c)
{
	proc_cleanup_all();
	char f[512], staple[512], log[512], probe_out[512], run_out[512], dir[512], report[600],
		name[160];
	snprintf(name, sizeof(name), "%s-probe.out", c->name);
	proc_path(probe_out, sizeof(probe_out), name);
	snprintf(name, sizeof(name), "%s-run.out", c->name);
	proc_path(run_out, sizeof(run_out), name);
	proc_path(dir, sizeof(dir), c->name);
	snprintf(report, sizeof(report), "%s/report.json", dir);

	struct proc_args more = { 0 };
	if (c->chain) {
		args_add(&more, "-cert_chain");
		snprintf(name, sizeof(name), "%s.crt", c->chain);
		args_add(&more, "%s", pki(f, sizeof(f), name));
	}
	if (c->staple != STAPLE_NONE) {
		CU_ASSERT_FATAL(make_staple(c, staple, sizeof(staple)) == 0);
		args_add(&more, "-status_file");
		args_add(&more, "%s", staple);
	}
	uint16_t port;
	pid_t server = s_server(c->name, c->cert, &more, log, sizeof(log), &port);
	CU_ASSERT_FATAL(server > 0);

	/* s_server serves one connection after the other: the probe's, then the run's */
	int bad_probe = probe_staple(c, port, probe_out);
	int bad_run = c->no_ca ? 0 : run_staple(c, port, run_out, dir, report);
	if (bad_probe)
		proc_show_log("trunkload probe", probe_out, 2500);
	if (bad_run) {
		proc_show_log("trunkload run", run_out, 2000);
		proc_show_failed_checks(report);
	}
	if (bad_probe || bad_run)
		proc_show_log("openssl s_server", log, 3000);
	proc_stop(server, SIGTERM, 3000);
	proc_cleanup_all();
}

static const struct ocsp_case *ocsp_case(const char *name)
{
	for (size_t i = 0; i < sizeof(ocsp_cases) / sizeof(ocsp_cases[0]); i++)
		if (!strcmp(ocsp_cases[i].name, name))
			return &ocsp_cases[i];
	CU_FAIL_FATAL("no such OCSP case");
	return NULL;
}

/* one CUnit case per row, named as the row */
#define STAPLING(fn) \
	static void fn(void) { stapling(ocsp_case(#fn)); }
STAPLING(staple_good)
STAPLING(staple_revoked)
STAPLING(staple_other_ca_invalid)
STAPLING(staple_none)
STAPLING(staple_unknown)
STAPLING(staple_of_another_cert_invalid)
STAPLING(staple_intermediate_good)
STAPLING(staple_root_for_intermediate_leaf_invalid)
STAPLING(staple_dated_current_good)
STAPLING(staple_expired_invalid)
STAPLING(staple_expired_within_slack_good)
STAPLING(staple_from_the_future_invalid)
STAPLING(staple_without_ca_unverified)

static const struct tl_case cases[] = {
	{ "client_cert_presented_and_verified", client_cert_presented_and_verified },
	{ "no_client_cert_refused", no_client_cert_refused },
	{ "staple_good", staple_good },
	{ "staple_revoked", staple_revoked },
	{ "staple_other_ca_invalid", staple_other_ca_invalid },
	{ "staple_none", staple_none },
	{ "staple_unknown", staple_unknown },
	{ "staple_of_another_cert_invalid", staple_of_another_cert_invalid },
	{ "staple_intermediate_good", staple_intermediate_good },
	{ "staple_root_for_intermediate_leaf_invalid", staple_root_for_intermediate_leaf_invalid },
	{ "staple_dated_current_good", staple_dated_current_good },
	{ "staple_expired_invalid", staple_expired_invalid },
	{ "staple_expired_within_slack_good", staple_expired_within_slack_good },
	{ "staple_from_the_future_invalid", staple_from_the_future_invalid },
	{ "staple_without_ca_unverified", staple_without_ca_unverified },
};

int main(void)
{
	if (!proc_have("openssl")) {
		fprintf(stderr, "test_openssl: SKIPPED: the openssl command is not installed\n");
		return 77;
	}
	const char *tmp = proc_tmpdir();
	if (!tmp) {
		perror("test_openssl: mkdtemp");
		return 1;
	}
	char dir[512], out[600];
	proc_path(dir, sizeof(dir), "pki");
	snprintf(out, sizeof(out), "%s.out", dir);
	char *argv[] = { (char *)TL_BINARY, (char *)"pki", dir, NULL };
	int rc = proc_run(argv, out, NULL, RUN_TIMEOUT_MS, NULL);
	if (rc) {
		fprintf(stderr, "test_openssl: trunkload pki exited %d\n", rc);
		proc_show_log("trunkload pki", out, 2000);
		return 1;
	}
	if (write_ocsp_db())
		return 1;
	return tl_run("openssl", TL_CASES(cases));
}
