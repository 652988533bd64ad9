/* trunkload against a real mutual-TLS SIP server that is not ours: Kamailio 5.6
 * (Debian kamailio + kamailio-tls-modules) on loopback, answering every request but
 * ACK with a stateless 200. One Kamailio serves every case: it listens on four TLS
 * sockets, each presenting another server certificate of the lab PKI (good, expired,
 * wrong name, self-signed), and every socket requires and verifies a client
 * certificate from the lab CA.
 *
 * What Kamailio 5.6.3 on OpenSSL 3.0 does (checked by hand with openssl s_client
 * too), the same with TLS 1.2 and 1.3 unless said:
 *
 *   our client certificate  alert it sends                  its log ("TLS accept:")
 *   expired                 certificate_expired             certificate verify failed
 *   signed by ca-other      unknown_ca                      certificate verify failed
 *   self-signed             unknown_ca                      certificate verify failed
 *   RSA-1024, SHA-1         bad_certificate (key too small  certificate verify failed
 *                           at Debian's default level 2)
 *   none                    1.2: handshake_failure,         peer did not return a
 *                           1.3: certificate_required       certificate
 *   revoked (at the socket  certificate_revoked             certificate verify failed
 *   with `crl =`)
 *   EKU serverAuth only     unsupported_certificate         certificate verify failed
 *   leaf + intermediate     (accepted, trusting the root alone)
 *
 * and when we refuse its certificate it logs the alert we sent: "sslv3 alert
 * certificate expired", "sslv3 alert bad certificate" (wrong name), "tlsv1 alert
 * unknown ca" (self-signed). Its tls.cfg has no TLS 1.3-only method ("Unsupported
 * enum value 'TLSv1.3'"): TLSv1.2+ accepts both and each run picks its version.
 * Its sockets of the enterprise set present a leaf of the issuing CA alone (we find
 * incomplete_chain), that leaf with the intermediate (fine through the root, with every
 * CRL checked), and a revoked certificate (our --crl finds revoked).
 * Starting and stopping it (its workers too): kamailio_proc.h. */
#include "kamailio_proc.h"
#include "proc.h"
#include "tl_test.h"
#include <cjson/cJSON.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define FIXTURES TL_SOURCE_DIR "/tests/integration/fixtures/kamailio"
#define START_MS 10000       /* Kamailio up, all sockets listening */
#define STOP_MS 5000         /* SIGTERM to the last worker gone */
#define RUN_TIMEOUT_MS 30000 /* one trunkload run of 2 calls */
#define MAX_RUN_S 10.0       /* each run is over well within this */
#define LOG_WAIT_MS 2000     /* Kamailio logs a refusal just after it sends the alert */
#define CALLS 2              /* per run: each one connection attempt in a negative test */

/* The listening sockets, one per server certificate (and one that checks a CRL). */
enum sock { S_GOOD, S_EXPIRED, S_WRONGNAME, S_SELFSIGNED, S_ICA_LEAF, S_ICA_CHAIN, S_CRL,
	    S_REVOKED, S_CNONLY, S_DISORDER, S_SERVERAUTH, S_N };

static const char *const sock_var[S_N] = { "PORT_GOOD", "PORT_EXPIRED", "PORT_WRONGNAME",
					   "PORT_SELFSIGNED", "PORT_ICA_LEAF", "PORT_ICA_CHAIN",
					   "PORT_CRL", "PORT_REVOKED", "PORT_CNONLY", "PORT_DISORDER",
					   "PORT_SERVERAUTH" };

/* The modules kamailio.cfg.in loads. */
static const char *const modules[] = { "tls", "sl", "pv", "textops" };

/* One Kamailio for the whole program: the cases share it because starting it costs
 * about a second. Set up in main(), before any case runs. */
static struct kamailio kam;
static uint16_t kam_port[S_N];

/* One trunkload run against Kamailio, and what must come of it. */
struct kcase {
	const char *name;
	enum sock sock;
	const char *cert;        /* lab file stem we present, NULL: no client certificate */
	const char *version;     /* --tls-version */
	const char *extra[4];    /* more `trunkload run` flags */
	bool rejected;           /* run with --expect-handshake rejected */
	int want_exit;
	/* the alert that ends each handshake: received from Kamailio when it refuses
	 * us, sent by us when we refuse its certificate */
	const char *alert;
	const char *first_error; /* we refuse: tls.first_error has this */
	const char *kam_says;    /* Kamailio's log has this during the run */
	const char *finding;     /* tls.findings has this code */
	bool crl;                /* run with --crl <lab>/crl.pem */
	bool crl_ca_only;        /* run with --crl of ca's CRL alone (none of ica's) */
	const char *scenario;    /* another scenario (<source dir>/<name>.json), NULL: call.json */
};

#define GOOD(n, v) { .name = (n), .sock = S_GOOD, .cert = "client", .version = (v) }
/* Kamailio refuses our certificate: --expect-handshake rejected passes */
#define REFUSED(n, c, v, a, says) \
	{ .name = (n), .sock = S_GOOD, .cert = (c), .version = (v), .rejected = true, \
	  .alert = (a), .kam_says = (says) }
/* we lower our level only to be able to load the 1024-bit key; Kamailio keeps
 * OpenSSL's default (2 on Debian), where such a key is too small */
#define LEGACY_REFUSED(n, v) \
	{ .name = (n), .sock = S_GOOD, .cert = "client-legacy", .version = (v), \
	  .extra = { "--security-level", "0" }, .rejected = true, .alert = "bad_certificate", \
	  .kam_says = VERIFY_FAILED }
/* we refuse Kamailio's certificate: a run that expects ok fails */
#define WE_REFUSE(n, s, v, a, why, says) \
	{ .name = (n), .sock = (s), .cert = "client", .version = (v), .want_exit = 1, \
	  .alert = (a), .first_error = (why), .kam_says = (says) }

/* the enterprise PKI: a two-tier CA, revocation, usages */
#define ENTERPRISE_OK(n, s, c, with_crl) \
	{ .name = (n), .sock = (s), .cert = (c), .version = "1.3", .crl = (with_crl) }
#define ENTERPRISE_REFUSED(n, s, c, a, f) \
	{ .name = (n), .sock = (s), .cert = "client", .version = "1.3", .want_exit = 1, \
	  .alert = (a), .finding = (f), .crl = true }

/* Kamailio refuses us, and the shipped negative scenario scn passes */
#define REFUSED_AT(n, s, c, v, a, scn) \
	{ .name = (n), .sock = (s), .cert = (c), .version = (v), .rejected = true, .alert = (a), \
	  .kam_says = VERIFY_FAILED, .scenario = (scn) }

#define VERIFY_FAILED "certificate verify failed"
#define NO_CERT "peer did not return a certificate"

static const struct kcase kcases[] = {
	GOOD("good_client_tls12", "1.2"),
	GOOD("good_client_tls13", "1.3"),
	REFUSED("expired_client_tls12", "client-expired", "1.2", "certificate_expired", VERIFY_FAILED),
	REFUSED("expired_client_tls13", "client-expired", "1.3", "certificate_expired", VERIFY_FAILED),
	REFUSED("untrusted_client_tls12", "client-untrusted", "1.2", "unknown_ca", VERIFY_FAILED),
	REFUSED("untrusted_client_tls13", "client-untrusted", "1.3", "unknown_ca", VERIFY_FAILED),
	REFUSED("selfsigned_client_tls12", "client-selfsigned", "1.2", "unknown_ca", VERIFY_FAILED),
	REFUSED("selfsigned_client_tls13", "client-selfsigned", "1.3", "unknown_ca", VERIFY_FAILED),
	LEGACY_REFUSED("legacy_client_tls12", "1.2"),
	LEGACY_REFUSED("legacy_client_tls13", "1.3"),
	REFUSED("no_client_cert_tls12", NULL, "1.2", "handshake_failure", NO_CERT),
	REFUSED("no_client_cert_tls13", NULL, "1.3", "certificate_required", NO_CERT),
	WE_REFUSE("expired_server_cert_tls12", S_EXPIRED, "1.2", "certificate_expired",
		  "certificate has expired", "alert certificate expired"),
	WE_REFUSE("expired_server_cert_tls13", S_EXPIRED, "1.3", "certificate_expired",
		  "certificate has expired", "alert certificate expired"),
	WE_REFUSE("wrongname_server_cert_tls12", S_WRONGNAME, "1.2", "bad_certificate",
		  "hostname mismatch", "alert bad certificate"),
	WE_REFUSE("wrongname_server_cert_tls13", S_WRONGNAME, "1.3", "bad_certificate",
		  "hostname mismatch", "alert bad certificate"),
	WE_REFUSE("selfsigned_server_cert_tls12", S_SELFSIGNED, "1.2", "unknown_ca",
		  "self-signed", "alert unknown ca"),
	WE_REFUSE("selfsigned_server_cert_tls13", S_SELFSIGNED, "1.3", "unknown_ca",
		  "self-signed", "alert unknown ca"),
	/* leaf + intermediate in --cert: Kamailio, trusting the root alone, accepts it */
	ENTERPRISE_OK("ica_chain_client_tls13", S_GOOD, "client-ica-chain", false),
	/* Kamailio sends leaf + intermediate: trusted through the root, every CRL checked */
	ENTERPRISE_OK("ica_chain_server_tls13", S_ICA_CHAIN, "client", true),
	/* with ca's CRL alone, ica's leaf is not checked: said, the calls go on */
	{ .name = "ica_chain_server_crl_of_root_only_tls13", .sock = S_ICA_CHAIN, .cert = "client",
	  .version = "1.3", .crl_ca_only = true, .finding = "revocation_unchecked" },
	/* Kamailio sends its leaf alone: the finding names the missing intermediate */
	ENTERPRISE_REFUSED("ica_leaf_only_server_tls13", S_ICA_LEAF, "client", "unknown_ca",
			   "incomplete_chain"),
	/* the name in the CN only; a chain sent out of order: warned, the calls go on */
	{ .name = "cnonly_server_tls13", .sock = S_CNONLY, .cert = "client", .version = "1.3",
	  .finding = "cn_only" },
	{ .name = "misordered_chain_server_tls13", .sock = S_DISORDER, .cert = "client",
	  .version = "1.3", .finding = "chain_order" },
	/* Kamailio presents a certificate our CRL revokes */
	ENTERPRISE_REFUSED("revoked_server_tls13", S_REVOKED, "client", "certificate_revoked",
			   "revoked"),
	/* Kamailio with `crl =` refuses a revoked client with alert 44 */
	REFUSED_AT("revoked_client_tls12", S_CRL, "client-revoked", "1.2", "certificate_revoked",
		   "scenarios/negative/client-revoked"),
	REFUSED_AT("revoked_client_tls13", S_CRL, "client-revoked", "1.3", "certificate_revoked",
		   "scenarios/negative/client-revoked"),
	/* a serverAuth-only certificate (public CAs from 2026) is no client certificate */
	REFUSED_AT("serverauth_only_client_tls13", S_GOOD, "client-serverauth-only", "1.3",
		   "unsupported_certificate", "scenarios/negative/client-serverauth-only"),
	/* its certificate lacks clientAuth: it cannot call us on this trunk */
	{ .name = "serverauth_only_server_both_roles_tls13", .sock = S_SERVERAUTH, .cert = "client",
	  .version = "1.3", .want_exit = 1, .finding = "no_client_auth",
	  .scenario = "tests/integration/fixtures/kamailio/both-roles" },
};

/* "<tmp>/pki/<stem><ext>" */
static char *pki(char *out, size_t cap, const char *stem, const char *ext)
{
	char rel[256];
	snprintf(rel, sizeof(rel), "pki/%s%s", stem, ext);
	return proc_path(out, cap, rel);
}

/* Writes kamailio.cfg and tls.cfg from the templates and starts Kamailio. 0 once every
 * socket listens, or -1 (said why). */
static int start_kamailio(const char *binary, const char *mod_dir)
{
	char dir[512], pki_dir[512], cfg[600], tls_cfg[600];
	proc_path(dir, sizeof(dir), "kamailio");
	proc_path(pki_dir, sizeof(pki_dir), "pki");
	if (mkdir(dir, 0700)) {
		perror("test_kamailio: mkdir");
		return -1;
	}
	snprintf(cfg, sizeof(cfg), "%s/kamailio.cfg", dir);
	snprintf(tls_cfg, sizeof(tls_cfg), "%s/tls.cfg", dir);
	if (!proc_free_ports(kam_port, S_N)) {
		fprintf(stderr, "test_kamailio: no free ports\n");
		return -1;
	}
	char ports[S_N][8];
	struct proc_var vars[S_N + 4] = { { "DIR", dir }, { "PKI", pki_dir }, { "MODULE_DIR", mod_dir } };
	for (int i = 0; i < S_N; i++) {
		snprintf(ports[i], sizeof(ports[i]), "%u", kam_port[i]);
		vars[3 + i] = (struct proc_var){ sock_var[i], ports[i] };
	}
	int rc = proc_template(FIXTURES "/kamailio.cfg.in", cfg, vars);
	if (!rc)
		rc = proc_template(FIXTURES "/tls.cfg.in", tls_cfg, vars);
	if (rc) {
		fprintf(stderr, "test_kamailio: writing the configuration: %s\n", strerror(-rc));
		return -1;
	}
	return kamailio_start(&kam, binary, dir, cfg, kam_port, S_N, START_MS);
}

static long file_size(const char *path)
{
	struct stat st;
	return stat(path, &st) ? 0 : (long)st.st_size;
}

/* True when Kamailio's log, past offset from, has text; it may write a moment late. */
static bool kamailio_said(long from, const char *text)
{
	for (int waited = 0;; waited += 50) {
		char *s = proc_read_file(kam.log);
		bool found = s && (long)strlen(s) >= from && strstr(s + from, text);
		free(s);
		if (found || waited >= LOG_WAIT_MS)
			return found;
		proc_nap_ms(50);
	}
}

/* The value at a dotted path of a parsed JSON document, or NULL. */
static const cJSON *json_at(const cJSON *root, const char *dotted)
{
	char key[128];
	const cJSON *cur = root;
	for (const char *p = dotted; cur && *p;) {
		const char *dot = strchr(p, '.');
		size_t len = dot ? (size_t)(dot - p) : strlen(p);
		snprintf(key, sizeof(key), "%.*s", (int)len, p);
		cur = cJSON_GetObjectItemCaseSensitive(cur, key);
		p += len + (dot ? 1 : 0);
	}
	return cur;
}

static cJSON *load_report(const char *file)
{
	char *text = proc_read_file(file);
	cJSON *root = text ? cJSON_Parse(text) : NULL;
	free(text);
	return root;
}

/* Checks tls.handshake_outcomes: refused_alert == n and every other outcome 0. The
 * report leaves out the outcomes that never happened: a missing key counts as 0, a
 * missing object fails. Returns the number of failed checks. */
static int check_outcomes(const char *name, const cJSON *report, double refused_alert)
{
	static const char *const outcomes[] = { "refused_alert", "refused_reset", "refused_close",
						"accepted", "we_refused", "timeout",
						"connect_failed" };
	const cJSON *o = json_at(report, "tls.handshake_outcomes");
	CHECK(cJSON_IsObject(o), "%s: report has tls.handshake_outcomes", name);
	if (!cJSON_IsObject(o))
		return 1;
	int bad = 0;
	for (size_t i = 0; i < sizeof(outcomes) / sizeof(outcomes[0]); i++) {
		const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, outcomes[i]);
		double got = cJSON_IsNumber(v) ? v->valuedouble : v ? -1 : 0;
		double want = i == 0 ? refused_alert : 0;
		CHECK(got == want, "%s: report tls.handshake_outcomes.%s == %g (got %g)", name,
		      outcomes[i], want, got);
		bad += got != want;
	}
	return bad;
}

static void run_case(const struct kcase *c)
{
	CHECK(kam.pid > 0, "%s: Kamailio is running", c->name);
	if (kam.pid <= 0)
		return;
	char dir[512], report[600], out[600], f[512];
	proc_path(dir, sizeof(dir), c->name);
	snprintf(report, sizeof(report), "%s/report.json", dir);
	snprintf(out, sizeof(out), "%s.out", dir);
	long log_from = file_size(kam.log);

	struct proc_args a = { 0 };
	args_add(&a, "%s", TL_BINARY);
	args_add(&a, "run");
	if (c->scenario)
		args_add(&a, "%s/%s.json", TL_SOURCE_DIR, c->scenario);
	else
		args_add(&a, "%s/call.json", FIXTURES);
	args_add(&a, "--target");
	args_add(&a, "127.0.0.1:%u", kam_port[c->sock]);
	args_add(&a, "--server-name");
	args_add(&a, "uas.trunkload.test");
	if (c->cert) {
		char dir_pki[512];
		args_identity(&a, proc_path(dir_pki, sizeof(dir_pki), "pki"), c->cert);
	}
	if (c->crl || c->crl_ca_only) {
		args_add(&a, "--crl");
		args_add(&a, "%s", pki(f, sizeof(f), c->crl ? "crl" : "crl-ca-only", ".pem"));
	}
	args_add(&a, "--ca");
	args_add(&a, "%s", pki(f, sizeof(f), "ca", ".crt"));
	args_add(&a, "--tls-version");
	args_add(&a, "%s", c->version);
	args_add(&a, "--calls");
	args_add(&a, "%d", CALLS);
	args_add(&a, "--rate");
	args_add(&a, "10");
	args_add(&a, "--media-ms");
	args_add(&a, "0");
	if (c->rejected) {
		args_add(&a, "--expect-handshake");
		args_add(&a, "rejected");
	}
	for (size_t i = 0; i < 4 && c->extra[i]; i++)
		args_add(&a, "%s", c->extra[i]);
	args_add(&a, "--report-dir");
	args_add(&a, "%s", dir);
	args_add(&a, "--quiet");

	double secs = 0;
	int rc = proc_run(a.v, out, NULL, RUN_TIMEOUT_MS, &secs);
	CHECK(rc == c->want_exit, "%s: trunkload run exits %d (got %d)", c->name, c->want_exit, rc);
	CHECK(secs <= MAX_RUN_S, "%s: the run is over within %.0f s (took %.1f s)", c->name,
	      MAX_RUN_S, secs);

	char alert_key[128];
	snprintf(alert_key, sizeof(alert_key), "tls.alerts.%s:%s", c->rejected ? "received" : "sent",
		 c->alert ? c->alert : "");
	cJSON *root = load_report(report);
	int bad = 0;
	if (c->rejected) {
		/* each call is one attempt, and Kamailio refused each with its alert */
		const struct proc_expect want[] = {
			EXPECT_STR("verdict", "pass"),
			EXPECT_EQ("calls.attempted", CALLS),
			EXPECT_EQ("tls.handshakes.ok", 0),
			EXPECT_EQ("tls.handshakes.failed", CALLS),
			EXPECT_EQ(alert_key, CALLS),
			{ 0 },
		};
		bad = proc_expect_json(report, want) + check_outcomes(c->name, root, CALLS);
	} else if (c->want_exit && c->alert) {
		/* we refuse Kamailio's certificate on the one trunk connection: no call */
		const struct proc_expect want[] = {
			EXPECT_STR("verdict", "fail"),
			EXPECT_EQ("tls.handshakes.ok", 0),
			EXPECT_GE("tls.handshakes.failed", 1),
			EXPECT_GE(alert_key, 1),
			EXPECT_EQ("calls.completed", 0),
			{ 0 },
		};
		bad = proc_expect_json(report, want);
		if (c->first_error) {
			const cJSON *why = json_at(root, "tls.first_error");
			bool named = cJSON_IsString(why) && strstr(why->valuestring, c->first_error);
			CHECK(named, "%s: tls.first_error names \"%s\" (got \"%s\")", c->name,
			      c->first_error, cJSON_IsString(why) ? why->valuestring : "(missing)");
			bad += !named;
		}
	} else {
		/* the calls go on; a finding may still fail the verdict */
		const struct proc_expect want[] = {
			EXPECT_STR("verdict", c->want_exit ? "fail" : "pass"),
			EXPECT_EQ("calls.completed", CALLS),
			EXPECT_EQ("calls.failed", 0),
			EXPECT_EQ("latency_ms.invite_to_200.count", CALLS),
			EXPECT_EQ("latency_ms.bye_to_200.count", CALLS),
			EXPECT_EQ("tls.handshakes.ok", 1),
			EXPECT_EQ("tls.handshakes.failed", 0),
			EXPECT_STR("tls.peer.subject_cn", "uas.trunkload.test"),
			{ 0 },
		};
		bad = proc_expect_json(report, want);
		char key[64];
		snprintf(key, sizeof(key), "TLSv%s", c->version);
		/* the key has a dot: no dotted path */
		const cJSON *v = cJSON_GetObjectItemCaseSensitive(json_at(root, "tls.versions"), key);
		CHECK(cJSON_IsNumber(v) && v->valueint == 1, "%s: report tls.versions.%s == 1", c->name,
		      key);
		bad += !(cJSON_IsNumber(v) && v->valueint == 1);
	}
	if (c->finding) {
		bool found = false;
		const cJSON *it;
		cJSON_ArrayForEach(it, json_at(root, "tls.findings")) {
			const cJSON *code = cJSON_GetObjectItemCaseSensitive(it, "code");
			found |= cJSON_IsString(code) && !strcmp(code->valuestring, c->finding);
		}
		CHECK(found, "%s: tls.findings has %s", c->name, c->finding);
		bad += !found;
	}
	cJSON_Delete(root);
	if (c->kam_says) {
		bool said = kamailio_said(log_from, c->kam_says);
		CHECK(said, "%s: Kamailio's log has \"%s\"", c->name, c->kam_says);
		bad += !said;
	}
	if (bad || rc != c->want_exit) {
		proc_show_log("trunkload run", out, 3000);
		proc_show_log("report.json", report, 6000);
		proc_show_log("kamailio", kam.log, 3000);
	}
}

#define KCASE(i) \
	static void kcase_##i(void) { run_case(&kcases[i]); }
KCASE(0)
KCASE(1)
KCASE(2)
KCASE(3)
KCASE(4)
KCASE(5)
KCASE(6)
KCASE(7)
KCASE(8)
KCASE(9)
KCASE(10)
KCASE(11)
KCASE(12)
KCASE(13)
KCASE(14)
KCASE(15)
KCASE(16)
KCASE(17)
KCASE(18)
KCASE(19)
KCASE(20)
KCASE(21)
KCASE(22)
KCASE(23)
KCASE(24)
KCASE(25)
KCASE(26)
KCASE(27)
KCASE(28)

#define N_CASES (sizeof(kcases) / sizeof(kcases[0]))

/* trunkload probe against Kamailio: transcript, chain, OPTIONS round trip. */
static void probe_kamailio(void)
{
	char out[512], f[512];
	proc_path(out, sizeof(out), "probe.out");
	struct proc_args a = { 0 };
	args_add(&a, "%s", TL_BINARY);
	args_add(&a, "probe");
	args_add(&a, "127.0.0.1:%u", kam_port[0]);
	args_add(&a, "--server-name");
	args_add(&a, "uas.trunkload.test");
	args_add(&a, "--cert");
	args_add(&a, "%s", pki(f, sizeof(f), "client", ".crt"));
	args_add(&a, "--key");
	args_add(&a, "%s", pki(f, sizeof(f), "client", ".key"));
	args_add(&a, "--ca");
	args_add(&a, "%s", pki(f, sizeof(f), "ca", ".crt"));
	args_add(&a, "--crl");
	args_add(&a, "%s", pki(f, sizeof(f), "crl", ".pem"));
	int rc = proc_run(a.v, out, NULL, RUN_TIMEOUT_MS, NULL);
	char *text = proc_read_file(out);
	static const char *const want[] = {
		">> ClientHello", "<< CertificateRequest", "<< Certificate", ">> Certificate",
		"the server asked for a client certificate from:", "handshake done",
		"subject: CN=uas.trunkload.test", "our certificate: accepted", "OPTIONS: SIP/2.0 200 OK in ",
		"revocation: CRL checked, not revoked; OCSP none stapled",
	};
	for (size_t i = 0; i < sizeof(want) / sizeof(want[0]); i++)
		CHECK(text && strstr(text, want[i]), "probe of Kamailio prints \"%s\"", want[i]);
	CHECK(rc == 0, "probe of Kamailio exits 0 (got %d)", rc);
	if (rc || !text || !strstr(text, "OPTIONS: SIP/2.0 200"))
		proc_show_log("trunkload probe", out, 4000);
	free(text);
}

/* Three of Kamailio's sockets as the nodes of a cluster (target.hosts): a good
 * certificate, an expired one, one with its name in the CN only. A connection per call
 * goes round them; each node's certificate and figures are told by its address. */
static void cluster_of_kamailio_sockets(void)
{
	char dir[512], report[600], out[600], f[512], list[96];
	proc_path(dir, sizeof(dir), "cluster");
	snprintf(report, sizeof(report), "%s/report.json", dir);
	snprintf(out, sizeof(out), "%s.out", dir);
	const enum sock node[3] = { S_GOOD, S_EXPIRED, S_CNONLY };
	snprintf(list, sizeof(list), "127.0.0.1:%u,127.0.0.1:%u,127.0.0.1:%u", kam_port[node[0]],
		 kam_port[node[1]], kam_port[node[2]]);
	struct proc_args a = { 0 };
	args_add(&a, "%s", TL_BINARY);
	args_add(&a, "run");
	args_add(&a, "%s/call.json", FIXTURES);
	args_add_list(&a, (const char *const[]){ "--target", list, "--mode", "per_call", "--calls", "6",
						 "--rate", "20", "--media-ms", "0", "--quiet", NULL });
	args_add(&a, "--report-dir");
	args_add(&a, "%s", dir);
	args_add(&a, "--ca");
	args_add(&a, "%s", pki(f, sizeof(f), "ca", ".crt"));
	char dir_pki[512];
	args_identity(&a, proc_path(dir_pki, sizeof(dir_pki), "pki"), "client");
	int rc = proc_run(a.v, out, NULL, RUN_TIMEOUT_MS, NULL);
	CHECK(rc == 1, "the node with the expired certificate fails the run (got %d)", rc);
	const struct proc_expect want[] = {
		EXPECT_EQ("target.destinations.0.completed", 2),
		EXPECT_EQ("target.destinations.1.calls", 2),
		EXPECT_EQ("target.destinations.1.tls_failures", 2),
		EXPECT_EQ("target.destinations.1.failures.tls_peer_untrusted", 2),
		EXPECT_EQ("target.destinations.2.completed", 2),
		EXPECT_EQ("calls.completed", 4),
		{ 0 },
	};
	int bad = proc_expect_json(report, want);
	cJSON *root = load_report(report);
	CHECK(cJSON_GetArraySize(json_at(root, "tls.peers")) == 3, "tls.peers: 3 certificates (got %d)",
	      cJSON_GetArraySize(json_at(root, "tls.peers")));
	const char *want_at[2][2] = { { "expired", NULL }, { "cn_only", NULL } };
	char at[2][32];
	snprintf(at[0], sizeof(at[0]), "127.0.0.1:%u", kam_port[S_EXPIRED]);
	snprintf(at[1], sizeof(at[1]), "127.0.0.1:%u", kam_port[S_CNONLY]);
	want_at[0][1] = at[0];
	want_at[1][1] = at[1];
	for (int k = 0; k < 2; k++) {
		bool seen = false;
		const cJSON *it;
		cJSON_ArrayForEach(it, json_at(root, "tls.findings")) {
			const cJSON *code = cJSON_GetObjectItemCaseSensitive(it, "code");
			const cJSON *w = cJSON_GetObjectItemCaseSensitive(it, "seen_at");
			seen |= cJSON_IsString(code) && !strcmp(code->valuestring, want_at[k][0]) &&
				cJSON_IsString(w) && !strcmp(w->valuestring, want_at[k][1]);
		}
		CHECK(seen, "the finding %s is attributed to %s", want_at[k][0], want_at[k][1]);
		bad += !seen;
	}
	cJSON_Delete(root);
	if (bad || rc != 1) {
		proc_show_log("trunkload run", out, 3000);
		proc_show_json(report, "target.destinations");
	}
}

/* CUnit calls a case without an argument: one function per row */
static const CU_TestFunc case_fn[] = {
	kcase_0,  kcase_1,  kcase_2,  kcase_3,  kcase_4,  kcase_5,  kcase_6,  kcase_7,  kcase_8,
	kcase_9,  kcase_10, kcase_11, kcase_12, kcase_13, kcase_14, kcase_15, kcase_16, kcase_17,
	kcase_18, kcase_19, kcase_20, kcase_21, kcase_22, kcase_23, kcase_24, kcase_25, kcase_26,
	kcase_27, kcase_28,
};
_Static_assert(sizeof(case_fn) / sizeof(case_fn[0]) == N_CASES, "one KCASE per row of kcases");

/* The lab PKI with every variant the cases present or Kamailio serves. */
static int make_lab(void)
{
	char dir[512], out[600], f[512];
	proc_path(dir, sizeof(dir), "pki");
	snprintf(out, sizeof(out), "%s.out", dir);
	char *argv[] = { (char *)TL_BINARY, (char *)"pki", dir, NULL };
	int rc = proc_run(argv, out, NULL, RUN_TIMEOUT_MS, NULL);
	if (rc) {
		fprintf(stderr, "test_kamailio: trunkload pki exited %d\n", rc);
		proc_show_log("trunkload pki", out, 2000);
		return -1;
	}
	static const char *const need[] = { "server", "server-expired", "server-wrongname",
					    "server-selfsigned", "client", "client-expired",
					    "client-untrusted", "client-selfsigned",
					    "client-legacy", "client-revoked", "client-ica",
					    "client-serverauth-only", "server-ica", "server-revoked",
					    "server-cnonly", "server-serverauth-only" };
	for (size_t i = 0; i < sizeof(need) / sizeof(need[0]); i++) {
		if (access(pki(f, sizeof(f), need[i], ".crt"), R_OK) ||
		    access(pki(f, sizeof(f), need[i], ".key"), R_OK)) {
			fprintf(stderr, "test_kamailio: trunkload pki made no %s\n", f);
			return -1;
		}
	}
	/* a chain out of order for Kamailio to send: leaf, root, intermediate */
	FILE *out_of_order = fopen(pki(f, sizeof(f), "server-ica-chain-misordered", ".crt"), "w");
	static const char *const order[] = { "server-ica", "ca", "ica" };
	for (size_t i = 0; out_of_order && i < 3; i++) {
		char *pem = proc_read_file(pki(f, sizeof(f), order[i], ".crt"));
		if (!pem || fputs(pem, out_of_order) < 0) {
			fclose(out_of_order);
			out_of_order = NULL;
		}
		free(pem);
	}
	if (!out_of_order || fclose(out_of_order)) {
		fprintf(stderr, "test_kamailio: cannot write the misordered chain\n");
		return -1;
	}
	/* crl.pem's first CRL (ca's) alone */
	char *crls = proc_read_file(pki(f, sizeof(f), "crl", ".pem"));
	char *end = crls ? strstr(crls, "-----END X509 CRL-----\n") : NULL;
	FILE *ca_only = end ? fopen(pki(f, sizeof(f), "crl-ca-only", ".pem"), "w") : NULL;
	bool written = ca_only && fwrite(crls, 1, (size_t)(end - crls) + 23, ca_only) ==
					  (size_t)(end - crls) + 23;
	if (ca_only && fclose(ca_only))
		written = false;
	free(crls);
	if (!written) {
		fprintf(stderr, "test_kamailio: cannot write crl-ca-only.pem\n");
		return -1;
	}
	return 0;
}

int main(void)
{
	const char *binary = kamailio_binary();
	char mod_dir[512];
	if (!binary) {
		fprintf(stderr, "test_kamailio: SKIPPED: kamailio is not installed\n");
		return 77;
	}
	if (!kamailio_module_dir(modules, sizeof(modules) / sizeof(modules[0]), mod_dir,
				 sizeof(mod_dir))) {
		fprintf(stderr, "test_kamailio: SKIPPED: no Kamailio module directory with tls.so, "
				"sl.so, pv.so and textops.so (package kamailio-tls-modules)\n");
		return 77;
	}
	if (!proc_have("setsid")) {
		fprintf(stderr, "test_kamailio: SKIPPED: setsid (util-linux) is not installed\n");
		return 77;
	}
	if (!proc_tmpdir()) {
		perror("test_kamailio: mkdtemp");
		return 1;
	}
	if (make_lab() || start_kamailio(binary, mod_dir))
		return 1;
	struct tl_case cases[N_CASES + 2];
	for (size_t i = 0; i < N_CASES; i++)
		cases[i] = (struct tl_case){ kcases[i].name, case_fn[i] };
	cases[N_CASES] = (struct tl_case){ "probe_kamailio", probe_kamailio };
	cases[N_CASES + 1] = (struct tl_case){ "cluster_of_kamailio_sockets", cluster_of_kamailio_sockets };
	int rc = tl_run("kamailio", TL_CASES(cases));
	int survivors = kamailio_stop(&kam, STOP_MS);
	if (survivors) {
		fprintf(stderr, "test_kamailio: %d Kamailio processes survived SIGKILL\n", survivors);
		rc = 1;
	}
	return rc;
}
