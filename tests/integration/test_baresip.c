/* trunkload against an independent SRTP implementation: baresip 1.0.0 (its srtp
 * module runs libre's own SRTP code, not libsrtp) answering over TLS on loopback.
 * One call per SDES suite that both support, offered alone. Each side must have
 * decrypted the other: trunkload in report.json, baresip in its log, where the
 * srtp module names the suite it enabled, complains about every packet it cannot
 * decrypt ("srtp: failed to decrypt RTP packet ...") and rtp_stats prints a table
 * at call end:
 *
 *   audio           Transmit:     Receive:
 *   packets:            153          151
 *   errors:               0            0
 *
 * Suites baresip 1.0.0 does not support, so not cases here: AES_256_CM_HMAC_SHA1_80,
 * AES_256_CM_HMAC_SHA1_32 and the AES_192_CM ones. Its srtp module knows only
 * AES_CM_128_HMAC_SHA1_80/_32 and AEAD_AES_128/256_GCM (libre itself has AES-256-CM,
 * but the module cannot name it). Offered alone, such a suite makes baresip log
 * "srtp: no valid a=crypto attribute from remote peer" and still answer 200 with an
 * AES_CM_128_HMAC_SHA1_80 line we never offered, which trunkload rightly rejects as
 * sdp_suite_mismatch.
 *
 * Two more cases call baresip through Kamailio, holding and resuming the call
 * (hold_resume_via_kamailio, hold_resume_dtmf_via_kamailio): see "hold and resume
 * through Kamailio" below for what they check and what baresip 1.0.0 does with a
 * rekey (it cannot take our new key) and with RFC 4733 telephone-events. */
#include "proc.h"
#include "tl_test.h"
#include "kamailio_proc.h"
#include <errno.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#define FIXTURES TL_SOURCE_DIR "/tests/integration/fixtures/baresip"
#define START_MS 10000    /* baresip up and listening */
#define RUN_TIMEOUT_MS 20000 /* one call with 3 s of media */
#define STOP_MS 5000      /* SIGTERM to exit: it prints what it buffered */
#define BARESIP_QUIT_S 30 /* baresip's own last resort (-t) */
#define MIN_PACKETS 100   /* 3 s at 50 packets/s, less start-up */
#define RTP_PORTS "30000-30499"
#define OUR_MEDIA_PORTS "30500-30999"

static const char *const module_dirs[] = {
	"/usr/lib/baresip/modules",
	"/usr/local/lib/baresip/modules",
	"/usr/lib64/baresip/modules",
};

static const char *const modules[] = { "g711", "ausine", "aubridge", "srtp", "account" };

/* The first module directory holding every module the config loads, or NULL. */
static const char *module_dir(void)
{
	char so[512];
	for (size_t d = 0; d < sizeof(module_dirs) / sizeof(module_dirs[0]); d++) {
		size_t m = 0;
		for (; m < sizeof(modules) / sizeof(modules[0]); m++) {
			snprintf(so, sizeof(so), "%s/%s.so", module_dirs[d], modules[m]);
			if (access(so, R_OK))
				break;
		}
		if (m == sizeof(modules) / sizeof(modules[0]))
			return module_dirs[d];
	}
	return NULL;
}

/* Concatenates files (a NULL-terminated list) into out. 0, or -errno. */
static int concat(const char *out, const char *const *files)
{
	FILE *f = fopen(out, "w");
	if (!f)
		return -errno;
	int rc = 0;
	for (size_t i = 0; !rc && files[i]; i++) {
		char *text = proc_read_file(files[i]);
		rc = text && fputs(text, f) >= 0 ? 0 : -EIO;
		free(text);
	}
	if (fclose(f) && !rc)
		rc = -errno;
	return rc;
}

static size_t count(const char *text, const char *needle)
{
	size_t n = 0;
	for (const char *p = text; p && (p = strstr(p, needle)); p += strlen(needle))
		n++;
	return n;
}

/* What baresip's log says about the call's media. */
struct baresip_view {
	bool suite_enabled;  /* "SRTP is Enabled (cryptosuite=SUITE)" */
	long rx_packets;     /* rtp_stats "packets:" Receive column, -1 if missing */
	long rx_errors;      /* rtp_stats "errors:" Receive column, -1 if missing */
	size_t rtp_failures; /* "srtp: failed to decrypt RTP packet" lines */
	size_t rtcp_failures;
};

static void read_baresip_log(const char *text, const char *suite, struct baresip_view *v)
{
	char enabled[128];
	snprintf(enabled, sizeof(enabled), "SRTP is Enabled (cryptosuite=%s)", suite);
	*v = (struct baresip_view){ .rx_packets = -1, .rx_errors = -1 };
	v->suite_enabled = strstr(text, enabled) != NULL;
	v->rtp_failures = count(text, "srtp: failed to decrypt RTP packet");
	v->rtcp_failures = count(text, "srtp: failed to decrypt RTCP packet");
	const char *table = strstr(text, "Transmit:");
	const char *p = table ? strstr(table, "\npackets:") : NULL;
	long tx;
	if (p && sscanf(p, " packets: %ld %ld", &tx, &v->rx_packets) != 2)
		v->rx_packets = -1;
	p = table ? strstr(table, "\nerrors:") : NULL;
	if (p && sscanf(p, " errors: %ld %ld", &tx, &v->rx_errors) != 2)
		v->rx_errors = -1;
}

/* Writes baresip's config dir for a SIP port and starts it. Returns its pid, and in
 * *tls_port the port of its TLS listener (sip_listen's port + 1), or -errno. */
static pid_t try_baresip(const char *dir, const char *log, uint16_t sip, uint16_t *tls_port)
{
	char path[600], port[8];
	snprintf(port, sizeof(port), "%u", sip);
	const struct proc_var vars[] = {
		{ "SIP_PORT", port },
		{ "DIR", dir },
		{ "RTP_PORTS", RTP_PORTS },
		{ "MODULE_PATH", module_dir() },
		{ NULL, NULL },
	};
	snprintf(path, sizeof(path), "%s/config", dir);
	int rc = proc_template(FIXTURES "/config.in", path, vars);
	snprintf(path, sizeof(path), "%s/accounts", dir);
	if (!rc)
		rc = proc_template(FIXTURES "/accounts.in", path, vars);
	if (rc)
		return rc;
	struct proc_args a = { 0 };
	args_add(&a, "baresip");
	args_add(&a, "-f");
	args_add(&a, "%s", dir);
	args_add(&a, "-s"); /* SIP trace: both SDPs land in the log */
	args_add(&a, "-t");
	args_add(&a, "%d", BARESIP_QUIT_S);
	pid_t pid = proc_spawn(a.v, log, false);
	if (pid < 0)
		return pid;
	rc = proc_wait_port(pid, (uint16_t)(sip + 1), START_MS);
	if (rc) {
		proc_stop(pid, SIGTERM, STOP_MS);
		return rc;
	}
	*tls_port = (uint16_t)(sip + 1);
	return pid;
}

/* baresip needs three free ports (UDP and TCP on one, TLS on the next); the next port
 * may be held by any other connection on a busy machine, and another program may take
 * one between our look and its bind: look at both, and try a few times. */
static pid_t start_baresip(const char *dir, const char *log, uint16_t *tls_port)
{
	pid_t pid = -EADDRINUSE;
	for (int attempt = 0; attempt < 20 && pid < 0; attempt++) {
		uint16_t sip = proc_free_port();
		if (!sip || sip >= 65535 || !proc_can_bind(sip, SOCK_DGRAM) ||
		    !proc_can_bind((uint16_t)(sip + 1), SOCK_STREAM))
			continue;
		pid = try_baresip(dir, log, sip, tls_port);
	}
	return pid;
}

/* Makes a case's directory dir with the lab PKI in dir/pki, baresip's sip.pem (server
 * certificate and key) and ca.crt, and the scenario from a fixture template with vars.
 * 0, or -1 after a failed CHECK. */
static int prepare_case(const char *name, const char *dir, const char *tmpl,
			const char *scenario, const struct proc_var *vars)
{
	char pki[600], out[600], path[700], crt[700], key[700];
	snprintf(pki, sizeof(pki), "%s/pki", dir);
	snprintf(out, sizeof(out), "%s/pki.out", dir);
	int rc = mkdir(dir, 0700) == 0 || errno == EEXIST ? 0 : -errno;
	CHECK(rc == 0, "%s: makes its directory %s (%s)", name, dir, strerror(-rc));
	if (rc)
		return -1;

	/* the lab PKI: trunkload pki makes DIR itself */
	struct proc_args p = { 0 };
	args_add(&p, "%s", TL_BINARY);
	args_add(&p, "pki");
	args_add(&p, "%s", pki);
	rc = proc_run(p.v, out, NULL, RUN_TIMEOUT_MS, NULL);
	CHECK(rc == 0, "%s: trunkload pki exits 0 (got %d)", name, rc);
	if (rc) {
		proc_show_log("trunkload pki", out, 2000);
		return -1;
	}
	snprintf(crt, sizeof(crt), "%s/server.crt", pki);
	snprintf(key, sizeof(key), "%s/server.key", pki);
	snprintf(path, sizeof(path), "%s/sip.pem", dir);
	const char *const pem[] = { crt, key, NULL };
	rc = concat(path, pem);
	snprintf(crt, sizeof(crt), "%s/ca.crt", pki);
	snprintf(path, sizeof(path), "%s/ca.crt", dir);
	const char *const ca[] = { crt, NULL };
	if (!rc)
		rc = concat(path, ca);
	if (!rc)
		rc = proc_template(tmpl, scenario, vars);
	CHECK(rc == 0, "%s: writes the certificate, CA and scenario files (%s)", name,
	      strerror(-rc));
	return rc ? -1 : 0;
}

static void call_baresip(const char *suite)
{
	proc_cleanup_all();
	char dir[512], pki[600], log[600], out[600], report[600], scenario[600];
	proc_path(dir, sizeof(dir), suite);
	snprintf(pki, sizeof(pki), "%s/pki", dir);
	snprintf(log, sizeof(log), "%s/baresip.log", dir);
	snprintf(out, sizeof(out), "%s/trunkload.out", dir);
	snprintf(report, sizeof(report), "%s/report/report.json", dir);
	snprintf(scenario, sizeof(scenario), "%s/call.json", dir);
	const struct proc_var suite_var[] = { { "SUITE", suite }, { NULL, NULL } };
	CU_ASSERT_FATAL(prepare_case(suite, dir, FIXTURES "/call.json.in", scenario, suite_var) == 0);

	uint16_t port = 0;
	pid_t bs = start_baresip(dir, log, &port);
	if (bs < 0)
		proc_show_log("baresip", log, 3000);
	CHECK(bs > 0, "%s: baresip listens for TLS (%s)", suite, strerror(-bs));
	CU_ASSERT_FATAL(bs > 0);

	struct proc_args a = { 0 };
	args_add(&a, "%s", TL_BINARY);
	args_add(&a, "run");
	args_add(&a, "%s", scenario);
	args_add(&a, "--target");
	args_add(&a, "127.0.0.1:%u", port);
	args_add(&a, "--server-name");
	args_add(&a, "uas.trunkload.test");
	args_add(&a, "--cert");
	args_add(&a, "%s/client.crt", pki);
	args_add(&a, "--key");
	args_add(&a, "%s/client.key", pki);
	args_add(&a, "--ca");
	args_add(&a, "%s/ca.crt", pki);
	args_add(&a, "--calls");
	args_add(&a, "1");
	args_add(&a, "--media-ms");
	args_add(&a, "3000");
	args_add(&a, "--media-ports");
	args_add(&a, OUR_MEDIA_PORTS);
	args_add(&a, "--report-dir");
	args_add(&a, "%s/report", dir);
	int run_rc = proc_run(a.v, out, NULL, RUN_TIMEOUT_MS, NULL);
	CHECK(run_rc == 0, "%s: trunkload run exits 0 (got %d)", suite, run_rc);
	const struct proc_expect want[] = {
		EXPECT_EQ("calls.completed", 1),
		EXPECT_STR("srtp.suite", suite),
		EXPECT_GE("srtp.packets_received", MIN_PACKETS + 1),
		EXPECT_EQ("srtp.auth_failures", 0),
		EXPECT_EQ("srtp.replay_failures", 0),
		{ 0 },
	};
	int bad = proc_expect_json(report, want);

	/* the call is over; baresip's statistics are complete once it has exited */
	int bs_rc = proc_stop(bs, SIGTERM, STOP_MS);
	CHECK(bs_rc == 0, "%s: baresip exits 0 on SIGTERM (got %d)", suite, bs_rc);
	char *text = proc_read_file(log);
	struct baresip_view v;
	read_baresip_log(text ? text : "", suite, &v);
	free(text);
	CHECK(v.suite_enabled, "%s: baresip logs \"SRTP is Enabled (cryptosuite=%s)\"", suite,
	      suite);
	CHECK(v.rx_packets > MIN_PACKETS, "%s: baresip received > %d packets (got %ld)", suite,
	      MIN_PACKETS, v.rx_packets);
	CHECK(v.rx_errors == 0, "%s: baresip counts 0 receive errors (got %ld)", suite,
	      v.rx_errors);
	CHECK(v.rtp_failures == 0, "%s: baresip could decrypt every SRTP packet (%zu failed)",
	      suite, v.rtp_failures);
	/* RFC 3711 5.2: SRTCP with HMAC-SHA1 MUST NOT use a tag shorter than 80 bits, so
	 * trunkload (like libsrtp and pjsip) puts 80 bits on SRTCP also for the _32 suites;
	 * libre uses the suite's 32 bits there, so for _32 each side rejects the other's
	 * SRTCP (trunkload counts baresip's in srtp.rtcp_auth_failures). SRTP itself is
	 * checked above for every suite. */
	bool short_srtcp_peer = strstr(suite, "_32") != NULL;
	if (!short_srtcp_peer)
		CHECK(v.rtcp_failures == 0, "%s: baresip could decrypt every SRTCP packet (%zu failed)",
		      suite, v.rtcp_failures);
	if (run_rc || bad || bs_rc || !v.suite_enabled || v.rx_packets <= MIN_PACKETS ||
	    v.rx_errors || v.rtp_failures || (v.rtcp_failures && !short_srtcp_peer)) {
		proc_show_log("trunkload run", out, 3000);
		proc_show_log("baresip", log, 6000);
	}
	proc_cleanup_all();
}

static void aes_cm_128_hmac_sha1_80(void)
{
	call_baresip("AES_CM_128_HMAC_SHA1_80");
}

static void aes_cm_128_hmac_sha1_32(void)
{
	call_baresip("AES_CM_128_HMAC_SHA1_32");
}

static void aead_aes_128_gcm(void)
{
	call_baresip("AEAD_AES_128_GCM");
}

static void aead_aes_256_gcm(void)
{
	call_baresip("AEAD_AES_256_GCM");
}

/* ---- hold and resume through Kamailio ------------------------------------------
 *
 * trunkload -> Kamailio 5.6 (mutual TLS: the lab CA's client certificate required and
 * verified; a stateful proxy, tm + rr, record-routing both sides) -> baresip over UDP,
 * all on 127.0.0.1. The call is held (a=sendonly, the key kept) and resumed, so the
 * re-INVITEs, their ACKs and the BYE must follow the route set through Kamailio; its
 * script logs every request with its transport, and baresip's SIP trace (-s) shows
 * each message it got and each SDP it answered with.
 *
 * What baresip 1.0.0 does with new keys (modules/srtp/srtp.c at tag v1.0.0): a
 * re-INVITE reaches media_alloc() again with the stream's existing state;
 * start_crypto() decodes the offer's new key into key_rx, but start_srtp() only
 * allocates srtp_rx "if (!st->srtp_rx)", so the receive context keeps the first key,
 * and every packet under our new key fails: "srtp: failed to decrypt RTP packet with
 * 182 bytes (Unknown error 217)" (217 is libre's EAUTH). Its own key_tx is drawn once
 * per stream, so its answer to a rekey offers its old key again, and it sends under
 * that (trunkload, which keeps the receive key when the answer does, counts no stale
 * packet). baresip 3.12.0 fixed the receive side ("srtp: allow rekeying of running
 * streams", commit 0029de14, PR #2975: srtp_rx is dropped when the key changes).
 * So hold_resume_via_kamailio (the resume rekeys, as scenarios/hold-resume.json does)
 * requires no failure before the rekey and, from a baresip older than 3.12, failures
 * of the packets after it: the trace of the defect, which also shows that our new key
 * is really in use; hold_resume_dtmf_via_kamailio resumes under the same keys and
 * requires every packet decrypted.
 *
 * DTMF: baresip 1.0.0 decodes RFC 4733 telephone-events in the core, with no module
 * and no config (src/audio.c stream_recv_handler(): a packet whose payload type is the
 * local telephone-event format goes to handle_telev(), libre's telev_recv() reports
 * each event's start once and its end once), and logs both at info level, which
 * `baresip -f DIR -s -t N` prints (src/call.c audio_event_handler()):
 *
 *   received event: '1' (end=0)
 *   received event: '1' (end=1)
 *
 * Its answers carry a=rtpmap:101 telephone-event/8000 and a=fmtp:101 0-15 (audio.c
 * add_telev_codec(): payload type 101 where free). */

#define KAM_FIXTURES TL_SOURCE_DIR "/tests/integration/fixtures/kamailio-baresip"
#define KAM_START_MS 10000   /* Kamailio up, its TLS socket listening */
#define HR_RUN_TIMEOUT_MS 30000 /* one call of 3 s of media and two re-INVITEs */
#define HR_SUITE "AES_CM_128_HMAC_SHA1_80"
#define STEP_PACKETS 40      /* of the 50 in each 1 s media step */
#define STEP_MAX 50          /* packets one 1 s media step sends */
#define TRACE_START "\x1b[36;1m#\n" /* baresip's trace prints each message between these */
#define TRACE_END "\x1b[;m"
/* hold_resume_dtmf_via_kamailio sends these after the resume ({"dtmf": DIGITS,
 * "duration_ms": MS}), and baresip must log each digit's start and end */
#define DTMF_DIGITS "1018#"
#define DTMF_MS 100       /* each digit's duration (and at most its gap) */
#define DTMF_TAIL_MS 500  /* media after the digits */

static const char *const kam_modules[] = { "tls", "sl", "tm", "rr", "pv", "textops",
					   "siputils", "maxfwd", "xlog" };
static const char *kam_binary; /* NULL: the Kamailio cases are left out */
static char kam_mod_dir[512];
static struct kamailio kam;

/* One message of baresip's SIP trace. */
struct sip_seen {
	size_t at;           /* its offset in the log */
	unsigned from, to;   /* the ports of its "UDP 127.0.0.1:FROM -> 127.0.0.1:TO" line */
	char start[64];      /* its first line */
	unsigned long cseq;
	char cseq_method[16];
	bool sdp;
	char dir[10];        /* the SDP's direction attribute ("sendrecv" if it has none) */
	char key[64];        /* the inline key of its a=crypto line */
	bool telev;          /* an a=rtpmap for telephone-event/8000 */
};

#define MAX_SEEN 64

static void seen_line(struct sip_seen *s, const char *line, size_t len, bool first)
{
	static const char *const dirs[] = { "sendrecv", "sendonly", "recvonly", "inactive" };
	char l[256];
	snprintf(l, sizeof(l), "%.*s", (int)len, line);
	if (first) {
		snprintf(s->start, sizeof(s->start), "%.*s", (int)sizeof(s->start) - 1, l);
		return;
	}
	if (sscanf(l, "CSeq: %lu %15s", &s->cseq, s->cseq_method) == 2)
		return;
	if (!strcmp(l, "v=0"))
		s->sdp = true;
	for (size_t d = 0; d < sizeof(dirs) / sizeof(dirs[0]); d++)
		if (!strncmp(l, "a=", 2) && !strcmp(l + 2, dirs[d]))
			snprintf(s->dir, sizeof(s->dir), "%.9s", dirs[d]);
	const char *inl = !strncmp(l, "a=crypto:", 9) ? strstr(l, "inline:") : NULL;
	if (inl) {
		size_t len = strcspn(inl + 7, "| "); /* the key ends at a lifetime or MKI */
		if (len >= sizeof(s->key))
			len = sizeof(s->key) - 1;
		memcpy(s->key, inl + 7, len);
		s->key[len] = 0;
	}
	if (!strncmp(l, "a=rtpmap:", 9) && strstr(l, " telephone-event/8000"))
		s->telev = true;
}

/* The messages of baresip's SIP trace, in order, into seen (at most cap). Returns how
 * many. */
static size_t read_trace(const char *text, struct sip_seen *seen, size_t cap)
{
	size_t n = 0;
	for (const char *p = text; n < cap && (p = strstr(p, TRACE_START)); n++) {
		struct sip_seen *s = &seen[n];
		*s = (struct sip_seen){ .at = (size_t)(p - text) };
		p += strlen(TRACE_START);
		const char *end = strstr(p, TRACE_END);
		if (!end)
			end = p + strlen(p);
		if (sscanf(p, "UDP 127.0.0.1:%u -> 127.0.0.1:%u", &s->from, &s->to) != 2)
			s->from = s->to = 0;
		const char *line = memchr(p, '\n', (size_t)(end - p));
		for (bool first = true; line && line < end; first = false) {
			line++;
			const char *nl = memchr(line, '\n', (size_t)(end - line));
			const char *eol = nl ? nl : end;
			size_t len = (size_t)(eol - line);
			if (len && line[len - 1] == '\r')
				len--;
			seen_line(s, line, len, first);
			line = nl;
		}
		if (s->sdp && !s->dir[0])
			snprintf(s->dir, sizeof(s->dir), "sendrecv");
		p = end;
	}
	return n;
}

/* An INVITE that baresip received and the 200 it answered with. */
struct offer_answer {
	const struct sip_seen *offer, *answer; /* answer NULL: none */
};

/* The INVITEs sent to baresip's port (a retransmission counted once), each with its
 * 200, in order. Returns how many (at most cap). */
static size_t invites(const struct sip_seen *seen, size_t n, unsigned port,
		      struct offer_answer *oa, size_t cap)
{
	size_t k = 0;
	for (size_t i = 0; i < n && k < cap; i++) {
		const struct sip_seen *s = &seen[i];
		if (s->to != port || strncmp(s->start, "INVITE ", 7) ||
		    (k && oa[k - 1].offer->cseq == s->cseq))
			continue;
		oa[k] = (struct offer_answer){ .offer = s };
		for (size_t j = i + 1; j < n && !oa[k].answer; j++)
			if (seen[j].from == port && !strncmp(seen[j].start, "SIP/2.0 200", 11) &&
			    seen[j].cseq == s->cseq && !strcmp(seen[j].cseq_method, "INVITE"))
				oa[k].answer = &seen[j];
		k++;
	}
	return k;
}

/* Requests of this method that reached baresip's port, and how many of all the
 * messages it got came from elsewhere than Kamailio's UDP socket (*strays). */
static size_t requests_to(const struct sip_seen *seen, size_t n, unsigned port, unsigned kam_udp,
			  const char *method, size_t *strays)
{
	size_t count = 0, len = strlen(method);
	*strays = 0;
	for (size_t i = 0; i < n; i++) {
		if (seen[i].to != port)
			continue;
		*strays += seen[i].from != kam_udp;
		count += !strncmp(seen[i].start, method, len) && seen[i].start[len] == ' ';
	}
	return count;
}

/* The digits of the RFC 4733 events baresip logged (src/call.c audio_event_handler(),
 * "received event: '%c' (end=%d)"): each event's start into starts, its end into ends,
 * in order, cut to cap. */
static void baresip_dtmf(const char *text, char *starts, char *ends, size_t cap)
{
	static const char line[] = "received event: '";
	size_t ns = 0, ne = 0;
	for (const char *p = text; (p = strstr(p, line)); p += sizeof(line) - 1) {
		char key;
		int end;
		if (sscanf(p + sizeof(line) - 1, "%c' (end=%d)", &key, &end) != 2)
			continue;
		if (end && ne + 1 < cap)
			ends[ne++] = key;
		else if (!end && ns + 1 < cap)
			starts[ns++] = key;
	}
	starts[ns] = ends[ne] = 0;
}

/* Lines of Kamailio's log that hold both a and b. */
static size_t lines_with(const char *text, const char *a, const char *b)
{
	size_t n = 0;
	for (const char *p = text; p && *p;) {
		const char *nl = strchr(p, '\n');
		size_t len = nl ? (size_t)(nl - p) : strlen(p);
		const char *hit = memmem(p, len, a, strlen(a));
		n += hit && memmem(p, len, b, strlen(b));
		p = nl ? nl + 1 : NULL;
	}
	return n;
}

/* baresip's version from its banner ("baresip v1.0.0 Copyright ..."): major * 100 +
 * minor, or -1. */
static int baresip_version(const char *text)
{
	int major, minor;
	const char *v = strstr(text, "baresip v");
	return v && sscanf(v, "baresip v%d.%d", &major, &minor) == 2 ? major * 100 + minor : -1;
}

/* Kamailio's TLS and UDP ports: free, and apart from baresip's three (sip: its UDP and
 * TCP port; sip + 1 its TLS one). */
static bool kam_ports(uint16_t sip, uint16_t *tls, uint16_t *udp)
{
	for (int attempt = 0; attempt < 20; attempt++) {
		uint16_t p[2];
		if (!proc_free_ports(p, 2) || !proc_can_bind(p[1], SOCK_DGRAM) || p[0] == sip ||
		    p[0] == sip + 1 || p[1] == sip || p[1] == sip + 1)
			continue;
		*tls = p[0];
		*udp = p[1];
		return true;
	}
	return false;
}

/* Writes Kamailio's configuration into dir/kamailio, relaying to baresip's UDP port
 * sip, and starts it. 0 once its TLS socket listens, or -1 (said why). */
static int start_proxy(const char *dir, const char *pki, uint16_t sip, uint16_t *tls,
		       uint16_t *udp)
{
	char kdir[600], cfg[700], tls_cfg[700], ptls[8], pudp[8], psip[8];
	snprintf(kdir, sizeof(kdir), "%s/kamailio", dir);
	snprintf(cfg, sizeof(cfg), "%s/kamailio.cfg", kdir);
	snprintf(tls_cfg, sizeof(tls_cfg), "%s/tls.cfg", kdir);
	if (!kam_ports(sip, tls, udp)) {
		fprintf(stderr, "test_baresip: no free ports for Kamailio\n");
		return -1;
	}
	snprintf(ptls, sizeof(ptls), "%u", *tls);
	snprintf(pudp, sizeof(pudp), "%u", *udp);
	snprintf(psip, sizeof(psip), "%u", sip);
	const struct proc_var vars[] = {
		{ "DIR", kdir },       { "PKI", pki },     { "MODULE_DIR", kam_mod_dir },
		{ "PORT_TLS", ptls },  { "PORT_UDP", pudp }, { "BARESIP_PORT", psip },
		{ NULL, NULL },
	};
	int rc = mkdir(kdir, 0700) && errno != EEXIST ? -errno : 0;
	if (!rc)
		rc = proc_template(KAM_FIXTURES "/kamailio.cfg.in", cfg, vars);
	if (!rc)
		rc = proc_template(KAM_FIXTURES "/tls.cfg.in", tls_cfg, vars);
	if (rc) {
		fprintf(stderr, "test_baresip: writing Kamailio's configuration: %s\n",
			strerror(-rc));
		return -1;
	}
	return kamailio_start(&kam, kam_binary, kdir, cfg, tls, 1, KAM_START_MS);
}

/* One held and resumed call, and what must come of it. */
struct hr_case {
	const char *name;
	const char *scenario; /* fixture template in FIXTURES (@DTMF@: the DTMF step) */
	bool rekey;           /* the resume offers new keys */
	const char *dtmf;     /* digits sent after the resume's media; NULL: none */
};

/* Checks baresip's side of a finished call (its log and trace, Kamailio's log).
 * Returns the number of failed checks. */
static int check_far_end(const struct hr_case *c, const char *log, const char *kam_log,
			 uint16_t sip, uint16_t kam_udp)
{
	const char *name = c->name;
	char *text = proc_read_file(log);
	char *ktext = proc_read_file(kam_log);
	const char *t = text ? text : "", *kt = ktext ? ktext : "";
	int bad = 0;
#define FAR(cond, ...) do { bool ok_ = (cond); CHECK(ok_, __VA_ARGS__); bad += !ok_; } while (0)

	/* every request of the dialog went through Kamailio, from trunkload over TLS */
	static const char *const methods[] = { "INVITE", "ACK", "BYE" };
	static const size_t want_n[] = { 3, 3, 1 };
	static struct sip_seen seen[MAX_SEEN];
	size_t n = read_trace(t, seen, MAX_SEEN), strays = 0;
	for (size_t m = 0; m < 3; m++) {
		char req[32];
		snprintf(req, sizeof(req), "request %s ", methods[m]);
		size_t via_kam = lines_with(kt, req, " from tls:127.0.0.1:");
		size_t got = requests_to(seen, n, sip, kam_udp, methods[m], &strays);
		/* an ACK comes again for a 200 that came again (UDP behind Kamailio) */
		bool ack = !strcmp(methods[m], "ACK");
		FAR(ack ? via_kam >= want_n[m] : via_kam == want_n[m],
		    "%s: Kamailio got %s%zu %s over TLS from trunkload (got %zu)", name,
		    ack ? ">= " : "", want_n[m], methods[m], via_kam);
		FAR(got >= want_n[m], "%s: baresip got %zu %s from Kamailio (got %zu)", name,
		    want_n[m], methods[m], got);
	}
	FAR(strays == 0, "%s: everything baresip got came from Kamailio's UDP port %u (%zu did not)",
	    name, kam_udp, strays);

	/* the offers and baresip's answers: held, resumed, the keys */
	static const char *const offer_dir[] = { "sendrecv", "sendonly", "sendrecv" };
	static const char *const answer_dir[] = { "sendrecv", "recvonly", "sendrecv" };
	struct offer_answer oa[4];
	size_t k = invites(seen, n, sip, oa, 4);
	FAR(k == 3, "%s: baresip got 3 INVITEs (got %zu)", name, k);
	for (size_t i = 0; i < k && i < 3; i++) {
		const struct sip_seen *o = oa[i].offer, *a = oa[i].answer;
		FAR(a != NULL, "%s: baresip answered INVITE %zu (CSeq %lu) with 200", name, i + 1,
		    o->cseq);
		if (!a)
			continue;
		FAR(!strcmp(o->dir, offer_dir[i]), "%s: INVITE %zu offers a=%s (got \"%s\")", name,
		    i + 1, offer_dir[i], o->dir);
		FAR(a->sdp && !strcmp(a->dir, answer_dir[i]),
		    "%s: baresip answers INVITE %zu with a=%s (got \"%s\")", name, i + 1,
		    answer_dir[i], a->dir);
		FAR(a->telev, "%s: baresip's answer %zu has a=rtpmap:N telephone-event/8000", name,
		    i + 1);
		FAR(o->key[0] && a->key[0], "%s: offer and answer %zu have an a=crypto key", name,
		    i + 1);
	}
	if (k == 3) {
		FAR(!strcmp(oa[1].offer->key, oa[0].offer->key), "%s: the hold keeps our key", name);
		if (c->rekey)
			FAR(strcmp(oa[2].offer->key, oa[0].offer->key),
			    "%s: the resume offers a new key", name);
		else
			FAR(!strcmp(oa[2].offer->key, oa[0].offer->key),
			    "%s: the resume keeps our key", name);
	}

	/* SRTP at baresip: split at the resume's INVITE, where a rekey takes effect */
	const char *fail_rtp = "srtp: failed to decrypt RTP packet";
	size_t split = k == 3 ? oa[2].offer->at : strlen(t);
	char *tail = text ? text + split : NULL;
	size_t after = count(tail, fail_rtp), before = count(t, fail_rtp) - after;
	int version = baresip_version(t);
	bool fixed = version >= 312; /* baresip 3.12.0: srtp_rx renewed with the key */
	FAR(version > 0, "%s: baresip's log names its version", name);
	FAR(before == 0, "%s: baresip decrypted every packet before the resume (%zu failed)", name,
	    before);
	if (!c->rekey || fixed) {
		FAR(after == 0, "%s: baresip decrypted every packet from the resume on (%zu failed)",
		    name, after);
	} else {
		/* the defect described above: proof too that our new key is in use */
		FAR(after >= STEP_PACKETS,
		    "%s: baresip %d.%d keeps its first receive key after our rekey (known defect, "
		    "fixed in 3.12.0): the packets under our new key fail (%zu failed, want >= %d)",
		    name, version / 100, version % 100, after, STEP_PACKETS);
		if (after)
			fprintf(stderr,
				"%s: NOTE: baresip %d.%d could not decrypt %zu packets under our "
				"new key after the resume (its srtp module keeps the first receive "
				"key; fixed in baresip 3.12.0)\n",
				name, version / 100, version % 100, after);
	}
	size_t rtcp = count(t, "srtp: failed to decrypt RTCP packet");
	FAR(rtcp == 0, "%s: baresip decrypted every SRTCP packet (%zu failed)", name, rtcp);
	struct baresip_view v;
	read_baresip_log(t, HR_SUITE, &v);
	FAR(v.suite_enabled, "%s: baresip logs \"SRTP is Enabled (cryptosuite=%s)\"", name,
	    HR_SUITE);
	/* rtp_stats counts the packets it decrypted: two steps before the resume, one
	 * after unless the rekey defeated it */
	long want_rx = (c->rekey && !fixed ? 2 : 3) * STEP_PACKETS;
	FAR(v.rx_packets >= want_rx, "%s: baresip received >= %ld packets (got %ld)", name, want_rx,
	    v.rx_packets);
	FAR(v.rx_errors == 0, "%s: baresip counts 0 receive errors (got %ld)", name, v.rx_errors);

	char starts[32], ends[32];
	baresip_dtmf(t, starts, ends, sizeof(starts));
	const char *want_digits = c->dtmf ? c->dtmf : "";
	FAR(!strcmp(starts, want_digits) && !strcmp(ends, want_digits),
	    "%s: baresip logs the events \"%s\" begun and ended (got \"%s\" begun, \"%s\" ended)",
	    name, want_digits, starts, ends);
#undef FAR
	free(text);
	free(ktext);
	return bad;
}

static void hold_resume(const struct hr_case *c)
{
	proc_cleanup_all();
	kamailio_stop(&kam, STOP_MS); /* left by a case that stopped at a fatal assertion */
	char dir[512], pki[600], log[600], out[600], report[600], scenario[600], dtmf[128] = "";
	proc_path(dir, sizeof(dir), c->name);
	snprintf(pki, sizeof(pki), "%s/pki", dir);
	snprintf(log, sizeof(log), "%s/baresip.log", dir);
	snprintf(out, sizeof(out), "%s/trunkload.out", dir);
	snprintf(report, sizeof(report), "%s/report/report.json", dir);
	snprintf(scenario, sizeof(scenario), "%s/scenario.json", dir);
	/* media goes on after the digits: baresip 1.0.0 hands a packet on only when the
	 * next one comes in (a jitter buffer of jitter_buffer_delay frames, 5 by default),
	 * so the end of the last digit would still be in it when our BYE arrives */
	if (c->dtmf)
		snprintf(dtmf, sizeof(dtmf),
			 "{ \"dtmf\": \"%s\", \"duration_ms\": %d },\n      "
			 "{ \"media\": { \"duration_ms\": %d } },\n      ",
			 c->dtmf, DTMF_MS, DTMF_TAIL_MS);
	const struct proc_var vars[] = { { "DTMF", dtmf }, { NULL, NULL } };
	char tmpl[600];
	snprintf(tmpl, sizeof(tmpl), "%s/%s", FIXTURES, c->scenario);
	CU_ASSERT_FATAL(prepare_case(c->name, dir, tmpl, scenario, vars) == 0);

	uint16_t bs_tls = 0, kam_tls = 0, kam_udp = 0;
	pid_t bs = start_baresip(dir, log, &bs_tls);
	if (bs < 0)
		proc_show_log("baresip", log, 3000);
	CHECK(bs > 0, "%s: baresip listens (%s)", c->name, strerror(-bs));
	CU_ASSERT_FATAL(bs > 0);
	uint16_t sip = (uint16_t)(bs_tls - 1);
	int kam_rc = start_proxy(dir, pki, sip, &kam_tls, &kam_udp);
	CHECK(kam_rc == 0, "%s: Kamailio listens for TLS", c->name);
	if (kam_rc) {
		proc_cleanup_all();
		return;
	}

	struct proc_args a = { 0 };
	args_add(&a, "%s", TL_BINARY);
	args_add(&a, "run");
	args_add(&a, "%s", scenario);
	args_add(&a, "--target");
	args_add(&a, "127.0.0.1:%u", kam_tls);
	args_add(&a, "--server-name");
	args_add(&a, "uas.trunkload.test");
	args_identity(&a, pki, "client");
	args_add(&a, "--ca");
	args_add(&a, "%s/ca.crt", pki);
	args_add(&a, "--media-ports");
	args_add(&a, OUR_MEDIA_PORTS);
	args_add(&a, "--report-dir");
	args_add(&a, "%s/report", dir);
	double secs = 0;
	int run_rc = proc_run(a.v, out, NULL, HR_RUN_TIMEOUT_MS, &secs);
	CHECK(run_rc == 0, "%s: trunkload run exits 0 (got %d)", c->name, run_rc);
	/* baresip sends only while the call is not held: two media steps, not three
	 * (the digits and the media after them add their time) */
	double max_rx = 2 * STEP_MAX + STEP_MAX / 2 +
			(c->dtmf ? (2.0 * DTMF_MS * (double)strlen(c->dtmf) + DTMF_TAIL_MS) / 20 : 0);
	const struct proc_expect want[] = {
		EXPECT_STR("verdict", "pass"),
		EXPECT_EQ("calls.completed", 1),
		EXPECT_EQ("calls.failed", 0),
		EXPECT_EQ("sip.stray_responses", 0),
		EXPECT_STR("srtp.suite", HR_SUITE),
		EXPECT_GE("srtp.packets_sent", 3 * STEP_PACKETS),
		EXPECT_GE("srtp.packets_received", 2 * STEP_PACKETS),
		EXPECT_LE("srtp.packets_received", max_rx),
		EXPECT_EQ("srtp.auth_failures", 0),
		EXPECT_EQ("srtp.replay_failures", 0),
		EXPECT_EQ("srtp.stale_key_packets", 0),
		{ 0 },
	};
	int bad = proc_expect_json(report, want);

	/* the call is over: stop both, so that their logs are complete */
	int survivors = kamailio_stop(&kam, STOP_MS);
	CHECK(survivors == 0, "%s: every Kamailio process exits (%d left)", c->name, survivors);
	int bs_rc = proc_stop(bs, SIGTERM, STOP_MS);
	CHECK(bs_rc == 0, "%s: baresip exits 0 on SIGTERM (got %d)", c->name, bs_rc);
	bad += check_far_end(c, log, kam.log, sip, kam_udp);
	fprintf(stderr, "%s: trunkload ran %.1f s\n", c->name, secs);
	if (run_rc || bad || bs_rc || survivors) {
		proc_show_log("trunkload run", out, 3000);
		proc_show_log("kamailio", kam.log, 4000);
		proc_show_log("baresip", log, 8000);
	}
	proc_cleanup_all();
}

static const struct hr_case hr_cases[] = {
	{ "hold_resume_via_kamailio", "hold-resume.json", true, NULL },
	{ "hold_resume_dtmf_via_kamailio", "hold-resume-dtmf.json.in", false,
	  DTMF_DIGITS },
};

static void hold_resume_via_kamailio(void)
{
	hold_resume(&hr_cases[0]);
}

static void hold_resume_dtmf_via_kamailio(void)
{
	hold_resume(&hr_cases[1]);
}

static const struct tl_case cases[] = {
	{ "AES_CM_128_HMAC_SHA1_80", aes_cm_128_hmac_sha1_80 },
	{ "AES_CM_128_HMAC_SHA1_32", aes_cm_128_hmac_sha1_32 },
	{ "AEAD_AES_128_GCM", aead_aes_128_gcm },
	{ "AEAD_AES_256_GCM", aead_aes_256_gcm },
	{ "hold_resume_via_kamailio", hold_resume_via_kamailio },
	{ "hold_resume_dtmf_via_kamailio", hold_resume_dtmf_via_kamailio },
};
#define DIRECT_CASES 4 /* the first ones, which need no Kamailio */

int main(void)
{
	if (!proc_have("baresip")) {
		fprintf(stderr, "test_baresip: SKIPPED: baresip is not installed (Debian package "
				"baresip-core)\n");
		return 77;
	}
	if (!module_dir()) {
		fprintf(stderr, "test_baresip: SKIPPED: no baresip module directory with g711, "
				"ausine, aubridge, srtp and account\n");
		return 77;
	}
	if (!proc_tmpdir()) {
		perror("test_baresip: mkdtemp");
		return 1;
	}
	size_t n = sizeof(cases) / sizeof(cases[0]);
	kam_binary = kamailio_binary();
	if (!kam_binary || !kamailio_module_dir(kam_modules,
						sizeof(kam_modules) / sizeof(kam_modules[0]),
						kam_mod_dir, sizeof(kam_mod_dir))) {
		/* the calls straight to baresip still run; these cases say they did not */
		for (size_t i = DIRECT_CASES; i < n; i++)
			fprintf(stderr, "test_baresip: SKIPPED %s: %s\n", cases[i].name,
				!kam_binary ? "Kamailio is not installed (Debian package kamailio)"
					    : "no Kamailio module directory with tls, sl, tm, rr, pv, "
					      "textops, siputils, maxfwd and xlog (packages kamailio, "
					      "kamailio-tls-modules)");
		n = DIRECT_CASES;
	}
	int rc = tl_run("baresip", cases, n);
	kamailio_stop(&kam, STOP_MS);
	return rc;
}
