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
 * Four cases drive baresip through its ctrl_tcp socket while trunkload calls it
 * (see "calls that the test drives baresip through" below): dtmf_from_baresip makes
 * baresip send 1018# once the call is up and the flow's expect_dtmf step checks the
 * digits; dtmf_from_baresip_mismatch expects other digits (the call fails as
 * dtmf_mismatch) and dtmf_from_baresip_silent has baresip send none (dtmf_timeout);
 * early_answer_from_baresip has baresip answer 183 with SDP and accept later, which
 * baresip 1.0.0 does without early media.
 *
 * Two more cases call baresip through Kamailio, holding and resuming the call
 * (hold_resume_via_kamailio, hold_resume_dtmf_via_kamailio): see "hold and resume
 * through Kamailio" below for what they check and what baresip 1.0.0 does with a
 * rekey (it cannot take our new key) and with RFC 4733 telephone-events. */
#include "proc.h"
#include "tl_test.h"
#include "kamailio_proc.h"
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#define FIXTURES TL_SOURCE_DIR "/tests/integration/fixtures/baresip"
#define START_MS 10000    /* baresip up and listening */
#define RUN_TIMEOUT_MS 20000 /* one call with 3 s of media */
#define STOP_MS 5000      /* SIGTERM to exit: it prints what it buffered */
#define BARESIP_QUIT_S 30 /* baresip's own last resort (-t) */
#define MIN_PACKETS 100   /* 3 s at 50 packets/s, less start-up */
/* UDP port ranges above the kernel's ephemeral ones (32768-60999) and those that
 * trunkload and the benchmarks default to (run: 20000-29999, uas: 30000-39999,
 * bench/: 2000-59999): a benchmark on the same machine filled baresip's former
 * 30000-30499, and its calls failed "stream: rtp_listen failed ... (Address already
 * in use)" with 500 */
#define RTP_PORTS "61000-61499"
#define OUR_MEDIA_PORTS "61500-61999"

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

/* How baresip is started. */
struct bs_start {
	const char *answermode; /* the account's: "auto" (NULL) or "early" */
	uint16_t ctrl;          /* out: ctrl_tcp's port (with control), else 0 */
	bool control;           /* load menu and ctrl_tcp, listening on 127.0.0.1:ctrl */
};

/* Writes baresip's config dir for a SIP port (and a control port) and starts it.
 * Returns its pid, and in *tls_port the port of its TLS listener (sip_listen's port
 * + 1), or -errno. */
static pid_t try_baresip(const char *dir, const char *log, uint16_t sip, uint16_t ctrl,
			 const struct bs_start *how, uint16_t *tls_port)
{
	char path[600], port[8], control[256] = "";
	snprintf(port, sizeof(port), "%u", sip);
	/* menu has the commands (sndcode, accept) that ctrl_tcp relays */
	if (how && how->control)
		snprintf(control, sizeof(control),
			 "module_app\t\tmenu.so\nmodule_app\t\tctrl_tcp.so\n"
			 "ctrl_tcp_listen\t\t127.0.0.1:%u\n", ctrl);
	const struct proc_var vars[] = {
		{ "SIP_PORT", port },
		{ "DIR", dir },
		{ "RTP_PORTS", RTP_PORTS },
		{ "MODULE_PATH", module_dir() },
		{ "CONTROL", control },
		{ "ANSWERMODE", how && how->answermode ? how->answermode : "auto" },
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
	/* ctrl_tcp is loaded after the SIP listeners are up */
	rc = proc_wait_port(pid, (uint16_t)(sip + 1), START_MS);
	if (!rc && how && how->control)
		rc = proc_wait_port(pid, ctrl, START_MS);
	if (rc) {
		proc_stop(pid, SIGTERM, STOP_MS);
		return rc;
	}
	*tls_port = (uint16_t)(sip + 1);
	return pid;
}

/* baresip needs three free ports (UDP and TCP on one, TLS on the next), and a fourth
 * for ctrl_tcp when controlled; the next port may be held by any other connection on
 * a busy machine, and another program may take one between our look and its bind:
 * look at them all, and try a few times. how may be NULL (answers at once, no
 * control); how->ctrl gets the control port. */
static pid_t start_baresip(const char *dir, const char *log, struct bs_start *how,
			   uint16_t *tls_port)
{
	pid_t pid = -EADDRINUSE;
	for (int attempt = 0; attempt < 20 && pid < 0; attempt++) {
		uint16_t sip = proc_free_port(), ctrl = 0;
		if (!sip || sip >= 65535 || !proc_can_bind(sip, SOCK_DGRAM) ||
		    !proc_can_bind((uint16_t)(sip + 1), SOCK_STREAM))
			continue;
		if (how && how->control) {
			ctrl = proc_free_port();
			if (!ctrl || ctrl == sip || ctrl == sip + 1)
				continue;
		}
		pid = try_baresip(dir, log, sip, ctrl, how, tls_port);
		if (pid > 0 && how)
			how->ctrl = ctrl;
	}
	return pid;
}

/* Where a case keeps its files: DIR (by the case's name in the scratch directory), its
 * lab PKI, baresip's log, trunkload's output and report, and its scenario. */
struct case_files {
	char dir[512], pki[600], log[600], out[600], report[600], scenario[600];
};

static void case_files(struct case_files *f, const char *name, const char *scenario)
{
	proc_path(f->dir, sizeof(f->dir), name);
	snprintf(f->pki, sizeof(f->pki), "%s/pki", f->dir);
	snprintf(f->log, sizeof(f->log), "%s/baresip.log", f->dir);
	snprintf(f->out, sizeof(f->out), "%s/trunkload.out", f->dir);
	snprintf(f->report, sizeof(f->report), "%s/report/report.json", f->dir);
	snprintf(f->scenario, sizeof(f->scenario), "%s/%s", f->dir, scenario);
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

/* `trunkload run SCENARIO` against 127.0.0.1:port with the lab's client identity, our
 * media ports and its report in DIR/report: the start of every run here. */
static void tl_run_args(struct proc_args *a, const char *scenario, uint16_t port, const char *pki,
			const char *dir)
{
	args_add(a, "%s", TL_BINARY);
	args_add(a, "run");
	args_add(a, "%s", scenario);
	args_add(a, "--target");
	args_add(a, "127.0.0.1:%u", port);
	args_add(a, "--server-name");
	args_add(a, "uas.trunkload.test");
	args_identity(a, pki, "client");
	args_add(a, "--ca");
	args_add(a, "%s/ca.crt", pki);
	args_add(a, "--media-ports");
	args_add(a, OUR_MEDIA_PORTS);
	args_add(a, "--report-dir");
	args_add(a, "%s/report", dir);
}

static void call_baresip(const char *suite)
{
	proc_cleanup_all();
	struct case_files f;
	case_files(&f, suite, "call.json");
	const char *dir = f.dir, *pki = f.pki, *log = f.log, *out = f.out, *report = f.report,
		   *scenario = f.scenario;
	const struct proc_var suite_var[] = { { "SUITE", suite }, { NULL, NULL } };
	CU_ASSERT_FATAL(prepare_case(suite, dir, FIXTURES "/call.json.in", scenario, suite_var) == 0);

	uint16_t port = 0;
	pid_t bs = start_baresip(dir, log, NULL, &port);
	if (bs < 0)
		proc_show_log("baresip", log, 3000);
	CHECK(bs > 0, "%s: baresip listens for TLS (%s)", suite, strerror(-bs));
	CU_ASSERT_FATAL(bs > 0);

	struct proc_args a = { 0 };
	tl_run_args(&a, scenario, port, pki, dir);
	args_add(&a, "--calls");
	args_add(&a, "1");
	/* RFC 3711 5.2: SRTCP with HMAC-SHA1 MUST NOT use a tag shorter than 80 bits, so
	 * trunkload (like libsrtp and pjsip) puts 80 bits on SRTCP also for the _32 suites;
	 * libre uses the suite's 32 bits there, so for _32 each side rejects the other's
	 * SRTCP (trunkload counts baresip's in srtp.rtcp_auth_failures). SRTP itself is
	 * checked for every suite. */
	bool short_srtcp_peer = strstr(suite, "_32") != NULL;
	args_add(&a, "--media-ms");
	/* where SRTCP passes, long enough for baresip's reports of our media, one of them
	 * with the LSR/DLSR of our first SR (sent 2.5 s in): libre's interval is randomised
	 * (RFC 3550 6.3.1), so its first report can come before that SR; the next comes
	 * several seconds later (8 s calls lacked it 1 time in 6) */
	args_add(&a, short_srtcp_peer ? "3000" : "12000");
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
	const struct proc_expect reports[] = {
		EXPECT_GE("srtp.rtcp_sent", 2), /* our SRs, 2.5 s in and every 5 s */
		EXPECT_EQ("srtp.far_end_reported.streams", 1),
		EXPECT_GE("srtp.far_end_reported.reports", 1),
		EXPECT_EQ("srtp.far_end_reported.lost", 0),
		EXPECT_GE("srtp.far_end_reported.expected", 200),
		EXPECT_LE("srtp.far_end_reported.rtt_ms_max", 50),
		EXPECT_GE("srtp.mos.min", 4.3),
		{ 0 },
	};
	/* The round trip needs LSR/DLSR in baresip's reports. With the AEAD suites under
	 * the sanitizers, baresip 1.0 twice sent only reports without them in a 12 s call
	 * (2 CI runs of many; never here in 6 runs): checked with AES_CM, where it always
	 * came, until that is understood. */
	const struct proc_expect round_trip[] = {
		EXPECT_GE("srtp.far_end_reported.rtt_samples", 1),
		{ 0 },
	};
	bool aead = strstr(suite, "AEAD") != NULL;
	int bad = proc_expect_json(report, want) + (short_srtcp_peer ? 0 : proc_expect_json(report, reports)) +
		  (short_srtcp_peer || aead ? 0 : proc_expect_json(report, round_trip));

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
	/* SRTCP the same: our reports go on through the hold, and after our rekey baresip
	 * before 3.12 cannot decrypt them either */
	const char *fail_rtcp = "srtp: failed to decrypt RTCP packet";
	size_t rtcp_after = count(tail, fail_rtcp), rtcp_before = count(t, fail_rtcp) - rtcp_after;
	FAR(rtcp_before == 0, "%s: baresip decrypted every SRTCP packet before the resume (%zu failed)",
	    name, rtcp_before);
	if (!c->rekey || fixed)
		FAR(rtcp_after == 0, "%s: baresip decrypted every SRTCP packet from the resume on "
		    "(%zu failed)", name, rtcp_after);
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
	char dtmf[128] = "";
	struct case_files f;
	case_files(&f, c->name, "scenario.json");
	const char *dir = f.dir, *pki = f.pki, *log = f.log, *out = f.out, *report = f.report,
		   *scenario = f.scenario;
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
	pid_t bs = start_baresip(dir, log, NULL, &bs_tls);
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
	tl_run_args(&a, scenario, kam_tls, pki, dir);
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

/* ---- calls that the test drives baresip through: DTMF from baresip, an early answer
 *
 * baresip loads menu and ctrl_tcp (modules/ctrl_tcp at tag v1.0.0): ctrl_tcp listens
 * on a loopback port for netstrings ("LEN:JSON,") holding {"command": NAME, "params":
 * TEXT, "token": T}, runs "NAME TEXT" as one of baresip's long commands
 * (cmd_process_long), and answers {"response":true,"ok":BOOL,"data":...,"token":T};
 * it also sends every UA event ({"event":true,"type":"CALL_ESTABLISHED",...}).
 *
 * DTMF from baresip: menu's "sndcode 1018#" (modules/menu/menu.c send_code(), a
 * command of a call that is up) calls call_send_digit() for each digit and then for
 * KEYCODE_REL; src/audio.c audio_send_digit() queues each start in libre's telev
 * (libre 1.1.0 src/telev/telev.c telev_send()), and check_telev(), run for each 20 ms
 * of the audio source, sends its next packet: each digit for 9 packets (180 ms, the
 * first with the marker, one RTP timestamp per event), then 3 end packets, the next
 * digit at once after, so 1018# takes 60 packets, 1.2 s. They go in the audio's SRTP
 * stream (its SSRC and sequence, the audio going on between them) under the payload
 * type of the REMOTE telephone-event format (sdp_media_rformat(..., "telephone-event"):
 * the number our offer gave it, 101, which baresip's answer uses too), so trunkload
 * decodes them as ours. baresip logs "audio: send DTMF digit: '1'" for each and "audio:
 * send DTMF digit end: '#'" at the end.
 *
 * Early answer: with answermode=early (src/account.c answermode_decode()) src/ua.c
 * call_event_handler() answers an incoming call with call_progress() instead of
 * call_answer(): a 183 Session Progress with SDP, and the call waits for menu's
 * "accept". But baresip 1.0.0 sends no early media: call_progress() (src/call.c) only
 * encodes its SDP and calls call_stream_start(), never update_media(), so the stream
 * never learns the offer's address (stream_update() -> stream_remote_set()) and
 * stream_is_ready() (src/stream.c) stays false: no audio starts, and the srtp module
 * has not seen the offer (its a=crypto in the 183 is the one media_alloc() made before
 * the offer was decoded: tag 1, AES_CM_128_HMAC_SHA1_80 whatever we offered). Media
 * starts with call_answer() -> update_media() and the 200. baresip 2.0.0 added
 * update_media() to call_progress() ("Selective early media", commit 3c85fc2f, PR
 * #1398). So early_answer_from_baresip proves that trunkload takes the 183's answer
 * and the 200 that repeats it, and, from baresip 1.x, that no packet came before the
 * 200: answer_to_first_media (from the 183's answer) lasts about as long as the test
 * waited before "accept".
 *
 * baresip's trace prints a message when it hands it to its TLS connection, which may
 * keep it a while: libre 1.1.0 leaves Nagle's algorithm on, and its session ticket,
 * sent as our INVITE comes, holds back the 180, 183 and 200 until our kernel's delayed
 * ACK (about 40 ms: invite_to_180 is that long against baresip). The test waits a
 * whole second after the 183's trace line, far longer. */

#define CTRL_MS 10000      /* a control command answered, an awaited event come */
#define EARLY_WAIT_MS 1000 /* from baresip's 183 to the test's "accept" */

/* A connection to baresip's ctrl_tcp. */
struct bs_ctrl {
	int fd;
	size_t len;
	char buf[16384]; /* bytes read, not yet taken as frames */
};

static uint64_t now_ms(void)
{
	struct timespec t;
	clock_gettime(CLOCK_MONOTONIC, &t);
	return (uint64_t)t.tv_sec * 1000 + (uint64_t)t.tv_nsec / 1000000;
}

/* 0, or -errno. */
static int ctrl_connect(struct bs_ctrl *c, uint16_t port)
{
	struct sockaddr_in a = { .sin_family = AF_INET, .sin_port = htons(port),
				 .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
	c->len = 0;
	c->fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (c->fd < 0)
		return -errno;
	if (connect(c->fd, (struct sockaddr *)&a, sizeof(a))) {
		int err = -errno;
		close(c->fd);
		c->fd = -1;
		return err;
	}
	return 0;
}

static void ctrl_close(struct bs_ctrl *c)
{
	if (c->fd >= 0)
		close(c->fd);
	c->fd = -1;
}

/* The next netstring's JSON into out (cap bytes, NUL-terminated), waiting at most
 * until deadline (now_ms()). 0, -ETIMEDOUT, -ECONNRESET (baresip closed it),
 * -EBADMSG, -EMSGSIZE, or -errno. */
static int ctrl_next(struct bs_ctrl *c, char *out, size_t cap, uint64_t deadline)
{
	for (;;) {
		char *colon = memchr(c->buf, ':', c->len);
		if (colon) {
			char *end;
			unsigned long n = strtoul(c->buf, &end, 10);
			size_t head = (size_t)(colon - c->buf) + 1;
			if (end != colon || n >= cap || n > sizeof(c->buf) - head - 1)
				return -EBADMSG;
			if (c->len >= head + n + 1) {
				if (c->buf[head + n] != ',')
					return -EBADMSG;
				memcpy(out, c->buf + head, n);
				out[n] = 0;
				c->len -= head + n + 1;
				memmove(c->buf, c->buf + head + n + 1, c->len);
				return 0;
			}
		} else if (c->len > 12) {
			return -EBADMSG; /* no length that long */
		}
		uint64_t now = now_ms();
		if (now >= deadline)
			return -ETIMEDOUT;
		struct pollfd p = { .fd = c->fd, .events = POLLIN };
		int r = poll(&p, 1, (int)(deadline - now));
		if (r < 0 && errno != EINTR)
			return -errno;
		if (r <= 0)
			continue;
		ssize_t got = read(c->fd, c->buf + c->len, sizeof(c->buf) - c->len);
		if (got == 0)
			return -ECONNRESET;
		if (got < 0 && errno != EINTR)
			return -errno;
		if (got > 0)
			c->len += (size_t)got;
	}
}

/* Waits until baresip reports the UA event type ("CALL_ESTABLISHED"). 0, or -errno. */
static int ctrl_await(struct bs_ctrl *c, const char *type, int timeout_ms)
{
	char frame[4096], want[64];
	snprintf(want, sizeof(want), "\"type\":\"%s\"", type);
	uint64_t deadline = now_ms() + (uint64_t)timeout_ms;
	for (;;) {
		int rc = ctrl_next(c, frame, sizeof(frame), deadline);
		if (rc)
			return rc;
		if (strstr(frame, "\"event\":true") && strstr(frame, want))
			return 0;
	}
}

/* Runs one of baresip's long commands ("sndcode", "1018#"; params may be NULL) and
 * waits for its response. 0 when it says ok, -EPROTO when it refused (its response in
 * said), or -errno. */
static int ctrl_command(struct bs_ctrl *c, const char *command, const char *params,
			char *said, size_t said_cap)
{
	char msg[512], frame[4096], token[64];
	snprintf(token, sizeof(token), "\"token\":\"test-%s\"", command);
	int n = snprintf(msg, sizeof(msg), "{\"command\":\"%s\"%s%s%s,%s}", command,
			 params ? ",\"params\":\"" : "", params ? params : "", params ? "\"" : "",
			 token);
	char wire[600];
	int len = snprintf(wire, sizeof(wire), "%d:%s,", n, msg);
	if (write(c->fd, wire, (size_t)len) != len)
		return -EIO;
	uint64_t deadline = now_ms() + CTRL_MS;
	for (;;) {
		int rc = ctrl_next(c, frame, sizeof(frame), deadline);
		if (rc)
			return rc;
		if (!strstr(frame, "\"response\":true") || !strstr(frame, token))
			continue; /* an event */
		size_t n = strlen(frame) < said_cap ? strlen(frame) : said_cap - 1;
		memcpy(said, frame, n);
		said[n] = 0;
		return strstr(frame, "\"ok\":true") ? 0 : -EPROTO;
	}
}

/* Waits until baresip's log holds needle, polling every 20 ms. */
static bool log_await(const char *log, const char *needle, int timeout_ms)
{
	for (int waited = 0;; waited += 20) {
		char *text = proc_read_file(log);
		bool found = text && strstr(text, needle);
		free(text);
		if (found || waited >= timeout_ms)
			return found;
		proc_nap_ms(20);
	}
}

/* A call that the test drives baresip through. */
struct driven_case {
	const char *name;
	const char *send;      /* digits baresip sends once the call is up; NULL: none */
	const char *expect;    /* the flow's expect_dtmf digits; NULL: the early answer */
	const char *timeout;   /* that step's timeout_ms */
	const char *failure;   /* how the call fails (calls.failures); NULL: it passes */
};

/* The digits baresip's log says it sent ("audio: send DTMF digit: 'D'"), cut to cap,
 * and whether it logged the end of the last ("send DTMF digit end: 'D'"). */
static void baresip_sent(const char *text, char *digits, size_t cap, bool *ended)
{
	static const char line[] = "audio: send DTMF digit: '";
	size_t n = 0;
	for (const char *p = text; (p = strstr(p, line)); p += sizeof(line) - 1)
		if (n + 1 < cap)
			digits[n++] = p[sizeof(line) - 1];
	digits[n] = 0;
	char end[64];
	snprintf(end, sizeof(end), "audio: send DTMF digit end: '%c'", n ? digits[n - 1] : '?');
	*ended = n && strstr(text, end);
}

/* What baresip's side of a driven call must show. Returns the number of failed
 * checks. */
static int check_driven_far_end(const struct driven_case *c, const char *log)
{
	const char *name = c->name;
	char *text = proc_read_file(log);
	const char *t = text ? text : "";
	int bad = 0;
#define FAR(cond, ...) do { bool ok_ = (cond); CHECK(ok_, __VA_ARGS__); bad += !ok_; } while (0)
	struct baresip_view v;
	read_baresip_log(t, HR_SUITE, &v);
	FAR(v.suite_enabled, "%s: baresip logs \"SRTP is Enabled (cryptosuite=%s)\"", name,
	    HR_SUITE);
	FAR(v.rtp_failures == 0 && v.rtcp_failures == 0,
	    "%s: baresip decrypted every SRTP and SRTCP packet (%zu and %zu failed)", name,
	    v.rtp_failures, v.rtcp_failures);
	FAR(v.rx_errors == 0, "%s: baresip counts 0 receive errors (got %ld)", name, v.rx_errors);
	/* our offer and its answer: telephone-event under 101 both ways */
	size_t te = count(t, "a=rtpmap:101 telephone-event/8000");
	FAR(te >= 2, "%s: our offer and baresip's answer name telephone-event 101 (%zu lines)",
	    name, te);
	/* every call ends with our BYE, also one that failed */
	size_t byes = count(t, "\nBYE sip:");
	FAR(byes >= 1, "%s: baresip got our BYE (got %zu)", name, byes);
	if (c->expect) {
		char sent[32];
		bool ended;
		baresip_sent(t, sent, sizeof(sent), &ended);
		const char *want = c->send ? c->send : "";
		FAR(!strcmp(sent, want) && (!c->send || ended),
		    "%s: baresip logs sending \"%s\" and the last digit's end (got \"%s\"%s)", name,
		    want, sent, ended ? ", ended" : "");
	} else {
		/* one 183 and one 200 to the INVITE, both with baresip's key: the 200
		 * repeats the 183's answer */
		const char *p183 = strstr(t, "SIP/2.0 183 Session Progress");
		const char *p200 = p183 ? strstr(p183, "SIP/2.0 200 ") : NULL;
		const char *k183 = p183 ? strstr(p183, "a=crypto:1 " HR_SUITE " inline:") : NULL;
		const char *k200 = p200 ? strstr(p200, "a=crypto:1 " HR_SUITE " inline:") : NULL;
		FAR(k183 && (!p200 || k183 < p200),
		    "%s: baresip answered 183 with SDP and an a=crypto line", name);
		FAR(k183 && k200 && !strncmp(k183, k200, 40 + strlen(HR_SUITE) + 19),
		    "%s: baresip's 200 repeats the 183's a=crypto key", name);
		/* its SRTP starts with the 200 in baresip 1.x (see above) */
		const char *enabled = strstr(t, "SRTP is Enabled");
		const char *answering = strstr(t, "call: answering call");
		if (baresip_version(t) < 200)
			FAR(enabled && answering && answering < enabled,
			    "%s: baresip %d.x sets up SRTP only when it answers 200", name,
			    baresip_version(t) / 100);
	}
#undef FAR
	free(text);
	return bad;
}

static void driven_call(const struct driven_case *c)
{
	proc_cleanup_all();
	char so[600];
	static const char *const control[] = { "menu", "ctrl_tcp" };
	for (size_t i = 0; i < sizeof(control) / sizeof(control[0]); i++) {
		snprintf(so, sizeof(so), "%s/%s.so", module_dir(), control[i]);
		if (access(so, R_OK)) {
			fprintf(stderr, "test_baresip: SKIPPED %s: no %s\n", c->name, so);
			return;
		}
	}
	char said[512] = "";
	struct case_files f;
	case_files(&f, c->name, "scenario.json");
	const char *dir = f.dir, *pki = f.pki, *log = f.log, *out = f.out, *report = f.report,
		   *scenario = f.scenario;
	const struct proc_var vars[] = {
		{ "EXPECT", c->expect ? c->expect : "" },
		{ "TIMEOUT_MS", c->timeout ? c->timeout : "5000" },
		{ NULL, NULL },
	};
	const char *tmpl = c->expect ? FIXTURES "/dtmf-from-baresip.json.in"
				     : FIXTURES "/early-answer.json";
	CU_ASSERT_FATAL(prepare_case(c->name, dir, tmpl, scenario, vars) == 0);

	struct bs_start how = { .answermode = c->expect ? "auto" : "early", .control = true };
	uint16_t port = 0;
	pid_t bs = start_baresip(dir, log, &how, &port);
	if (bs < 0)
		proc_show_log("baresip", log, 3000);
	CHECK(bs > 0, "%s: baresip listens for TLS and ctrl_tcp (%s)", c->name, strerror(-bs));
	CU_ASSERT_FATAL(bs > 0);
	struct bs_ctrl ctl = { .fd = -1 };
	int rc = ctrl_connect(&ctl, how.ctrl);
	CHECK(rc == 0, "%s: connects to baresip's ctrl_tcp port %u (%s)", c->name, how.ctrl,
	      strerror(-rc));
	if (rc) {
		proc_cleanup_all();
		return;
	}

	struct proc_args a = { 0 };
	tl_run_args(&a, scenario, port, pki, dir);
	uint64_t t0 = now_ms();
	pid_t tl = proc_spawn(a.v, out, false);
	CHECK(tl > 0, "%s: trunkload run starts (%s)", c->name, strerror(-tl));
	if (tl < 0) {
		ctrl_close(&ctl);
		proc_cleanup_all();
		return;
	}

	/* the far end's part: digits once the call is up, or the 200 after the 183 */
	int drive = 0;
	if (c->expect) {
		drive = ctrl_await(&ctl, "CALL_ESTABLISHED", CTRL_MS);
		CHECK(drive == 0, "%s: baresip reports the call established (%s)", c->name,
		      strerror(-drive));
		if (!drive && c->send) {
			drive = ctrl_command(&ctl, "sndcode", c->send, said, sizeof(said));
			CHECK(drive == 0, "%s: baresip takes \"sndcode %s\" (%s: %s)", c->name,
			      c->send, strerror(-drive), said);
		}
	} else {
		bool early = log_await(log, "SIP/2.0 183 Session Progress", CTRL_MS);
		CHECK(early, "%s: baresip answers 183 Session Progress", c->name);
		drive = early ? 0 : -ETIMEDOUT;
		if (early) {
			proc_nap_ms(EARLY_WAIT_MS);
			drive = ctrl_command(&ctl, "accept", NULL, said, sizeof(said));
			CHECK(drive == 0, "%s: baresip takes \"accept\" (%s: %s)", c->name,
			      strerror(-drive), said);
		}
	}
	int run_rc = proc_wait(tl, RUN_TIMEOUT_MS);
	if (run_rc == -ETIMEDOUT)
		run_rc = proc_stop(tl, SIGTERM, STOP_MS);
	ctrl_close(&ctl);
	double secs = (double)(now_ms() - t0) / 1000;
	int want_rc = c->failure ? 1 : 0;
	CHECK(run_rc == want_rc, "%s: trunkload run exits %d (got %d)", c->name, want_rc, run_rc);

	int bad;
	if (!c->expect) {
		/* baresip 1.x: the first packet came with the 200, EARLY_WAIT_MS after the
		 * 183's answer; a baresip with early media sends it at once */
		const struct proc_expect want[] = {
			EXPECT_STR("verdict", "pass"),
			EXPECT_EQ("calls.completed", 1),
			EXPECT_EQ("calls.failed", 0),
			EXPECT_EQ("sip.stray_responses", 0),
			EXPECT_STR("srtp.suite", HR_SUITE),
			EXPECT_GE("srtp.packets_received", STEP_PACKETS),
			EXPECT_EQ("srtp.auth_failures", 0),
			EXPECT_EQ("srtp.replay_failures", 0),
			EXPECT_EQ("srtp.early_packets", 0),
			EXPECT_EQ("latency_ms.answer_to_first_media.count", 1),
			{ 0 },
		};
		bad = proc_expect_json(report, want);
		double first = -1;
		proc_json_number(report, "latency_ms.answer_to_first_media.min", &first);
		char *text = proc_read_file(log);
		int version = text ? baresip_version(text) : -1;
		free(text);
		bool ok = version < 200 ? first >= 0.8 * EARLY_WAIT_MS : first >= 0 &&
								      first < EARLY_WAIT_MS / 2;
		CHECK(ok, "%s: baresip %d.%d's first packet came %s the 183's answer (%.0f ms "
			  "after it; the test accepted the call %d ms after the 183)",
		      c->name, version / 100, version % 100,
		      version < 200 ? "with the 200, not after" : "soon after", first,
		      EARLY_WAIT_MS);
		bad += !ok;
	} else if (!c->failure) {
		const struct proc_expect want[] = {
			EXPECT_STR("verdict", "pass"),
			EXPECT_EQ("calls.completed", 1),
			EXPECT_EQ("calls.failed", 0),
			EXPECT_EQ("dtmf.received", strlen(c->send)),
			EXPECT_EQ("dtmf.checked", strlen(c->expect)),
			EXPECT_EQ("dtmf.mismatched", 0),
			EXPECT_EQ("dtmf.sent", 0),
			EXPECT_STR("srtp.suite", HR_SUITE),
			/* the digits' 60 packets and baresip's audio beside them */
			EXPECT_GE("srtp.packets_received", 12 * strlen(c->send) + STEP_PACKETS),
			EXPECT_EQ("srtp.auth_failures", 0),
			EXPECT_EQ("srtp.replay_failures", 0),
			{ 0 },
		};
		bad = proc_expect_json(report, want);
	} else {
		char failures[64];
		snprintf(failures, sizeof(failures), "calls.failures.%s", c->failure);
		const struct proc_expect want[] = {
			EXPECT_STR("verdict", "fail"),
			EXPECT_EQ("calls.completed", 0),
			EXPECT_EQ("calls.failed", 1),
			EXPECT_EQ(failures, 1),
			EXPECT_EQ("dtmf.checked", strlen(c->expect)),
			EXPECT_GE("dtmf.mismatched", 1),
			EXPECT_EQ("srtp.auth_failures", 0),
			{ 0 },
		};
		bad = proc_expect_json(report, want);
		/* what came: a digit other than expected (the check stops there), or
		 * none */
		double got = -1;
		proc_json_number(report, "dtmf.received", &got);
		bool ok = c->send ? got >= 1 && got <= (double)strlen(c->send) : got == 0;
		CHECK(ok, "%s: trunkload received %s digits of baresip's (got %.0f)", c->name,
		      c->send ? "1 to all" : "no", got);
		bad += !ok;
	}

	int bs_rc = proc_stop(bs, SIGTERM, STOP_MS);
	CHECK(bs_rc == 0, "%s: baresip exits 0 on SIGTERM (got %d)", c->name, bs_rc);
	bad += check_driven_far_end(c, log);
	fprintf(stderr, "%s: trunkload ran %.1f s\n", c->name, secs);
	if (run_rc != want_rc || bad || bs_rc || drive) {
		proc_show_failed_checks(report);
		proc_show_json(report, "calls.failures");
		proc_show_json(report, "dtmf");
		proc_show_log("trunkload run", out, 3000);
		proc_show_log("baresip", log, 6000);
	}
	proc_cleanup_all();
}

static const struct driven_case driven_cases[] = {
	{ "dtmf_from_baresip", DTMF_DIGITS, DTMF_DIGITS, "5000", NULL },
	/* baresip sends 1018#, the flow wants 1019#: the 8 fails the call */
	{ "dtmf_from_baresip_mismatch", DTMF_DIGITS, "1019#", "5000", "dtmf_mismatch" },
	/* baresip sends nothing: the step waits its 1 s for nothing */
	{ "dtmf_from_baresip_silent", NULL, DTMF_DIGITS, "1000", "dtmf_timeout" },
	{ "early_answer_from_baresip", NULL, NULL, NULL, NULL },
};

static void dtmf_from_baresip(void)
{
	driven_call(&driven_cases[0]);
}

static void dtmf_from_baresip_mismatch(void)
{
	driven_call(&driven_cases[1]);
}

static void dtmf_from_baresip_silent(void)
{
	driven_call(&driven_cases[2]);
}

static void early_answer_from_baresip(void)
{
	driven_call(&driven_cases[3]);
}

static const struct tl_case cases[] = {
	{ "AES_CM_128_HMAC_SHA1_80", aes_cm_128_hmac_sha1_80 },
	{ "AES_CM_128_HMAC_SHA1_32", aes_cm_128_hmac_sha1_32 },
	{ "AEAD_AES_128_GCM", aead_aes_128_gcm },
	{ "AEAD_AES_256_GCM", aead_aes_256_gcm },
	{ "dtmf_from_baresip", dtmf_from_baresip },
	{ "dtmf_from_baresip_mismatch", dtmf_from_baresip_mismatch },
	{ "dtmf_from_baresip_silent", dtmf_from_baresip_silent },
	{ "early_answer_from_baresip", early_answer_from_baresip },
	{ "hold_resume_via_kamailio", hold_resume_via_kamailio },
	{ "hold_resume_dtmf_via_kamailio", hold_resume_dtmf_via_kamailio },
};
#define DIRECT_CASES 8 /* the first ones, which need no Kamailio */

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
