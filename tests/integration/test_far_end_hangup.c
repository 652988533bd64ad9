/* The far end hangs up, through a proxy: trunkload (mutual TLS) -> Kamailio 5.6, a
 * stateful record-routing proxy -> baresip 1.0.0 over UDP, all on 127.0.0.1. baresip
 * answers with SDES-SRTP, and once the call is established the test tells it to hang
 * up through its ctrl_tcp module (netstring-framed JSON; the command itself comes from
 * the menu module). Kamailio record-routes both sides, so baresip's BYE goes back
 * through it to trunkload's Contact (its local ip:port of the trunk connection,
 * transport=tls); Kamailio can only reach that over the connection trunkload opened,
 * found by its source address.
 *
 *   expected  the flow waits for the far end's BYE after its media: trunkload answers
 *             200, the call completes, ended by the far end.
 *   too_soon  the flow would send our own BYE after 5 s of media, but baresip hangs up
 *             half a second in: trunkload still answers the BYE, and fails the call as
 *             far_end_bye (the same checks as `expected` would fail here).
 *
 * The wire is checked from both peers' logs: baresip's SIP trace (-s) shows the BYE it
 * sent and trunkload's 200 that came back; Kamailio's script logs each request and
 * reply with the address it came from, so the 200 must come from the very TLS
 * connection that carried the INVITE. */
#include "kamailio_proc.h"
#include "proc.h"
#include "tl_test.h"
#include <arpa/inet.h>
#include <cjson/cJSON.h>
#include <errno.h>
#include <netinet/in.h>
#include <poll.h>
#include <regex.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#define FIXTURES TL_SOURCE_DIR "/tests/integration/fixtures/far-end-hangup"
#define KAM_START_MS 10000     /* Kamailio up, its TLS socket listening */
#define STOP_MS 5000           /* SIGTERM to exit, for Kamailio and baresip */
#define BARESIP_START_MS 10000 /* baresip's SIP and control sockets listening */
#define BARESIP_QUIT_S 40      /* baresip's own last resort (-t) */
#define ESTABLISHED_MS 10000   /* trunkload started to baresip's CALL_ESTABLISHED */
#define CTRL_REPLY_MS 3000     /* our hangup command to baresip's response */
#define RUN_TIMEOUT_MS 20000   /* trunkload started to exited (expect BYE waits 15 s) */
#define ANSWERED_MS 5000       /* trunkload exited to its 200 in baresip's trace */
/* above the ephemeral range and every default and bench/ range (a responder on its
 * default 30000-39999 must not take baresip's ports), and apart from test_baresip's */
#define RTP_PORTS "62000-62499"
#define OUR_MEDIA_PORTS "62500-62999"
#define SUITE "AES_CM_128_HMAC_SHA1_80"
#define MIN_PACKETS 75 /* of the 100 in 2 s of media, less start-up */

static const char *const kam_modules[] = { "tls", "sl", "tm", "rr", "pv", "textops",
					   "siputils", "maxfwd", "xlog" };
static const char *const baresip_module_dirs[] = { "/usr/lib/baresip/modules",
						   "/usr/local/lib/baresip/modules",
						   "/usr/lib64/baresip/modules" };
static const char *const baresip_modules[] = { "g711", "ausine", "aubridge", "srtp",
					       "account", "menu", "ctrl_tcp" };

/* One Kamailio for the program, relaying to baresip's fixed port; each case starts
 * its own baresip there. Set up in main(). */
static struct kamailio kam;
static struct {
	uint16_t kam_tls, kam_udp, baresip; /* baresip: its UDP (and TCP) SIP port */
} port;
static const char *baresip_mod_dir;

/* One call, and what must come of it. */
struct hcase {
	const char *name;
	const char *scenario;    /* fixture file */
	int media_ms;            /* our media step (--media-ms) */
	int hangup_after_ms;     /* baresip's CALL_ESTABLISHED to our hangup command */
	int want_exit;           /* of trunkload run */
	long min_packets;        /* SRTP packets baresip must have received */
	const struct proc_expect *want; /* on report.json */
};

static const struct proc_expect want_completed[] = {
	EXPECT_STR("verdict", "pass"),
	EXPECT_EQ("calls.completed", 1),
	EXPECT_EQ("calls.failed", 0),
	EXPECT_EQ("calls.ended_by.far_end", 1),
	EXPECT_EQ("calls.ended_by.us", 0),
	EXPECT_EQ("sip.stray_responses", 0),
	EXPECT_STR("srtp.suite", SUITE),
	EXPECT_GE("srtp.packets_received", MIN_PACKETS),
	EXPECT_EQ("srtp.auth_failures", 0),
	{ 0 },
};

static const struct proc_expect want_far_end_bye[] = {
	EXPECT_STR("verdict", "fail"),
	EXPECT_EQ("calls.completed", 0),
	EXPECT_EQ("calls.failed", 1),
	EXPECT_EQ("calls.failures.far_end_bye", 1),
	EXPECT_EQ("calls.ended_by.far_end", 1),
	EXPECT_EQ("calls.ended_by.us", 0),
	EXPECT_EQ("sip.stray_responses", 0),
	EXPECT_EQ("srtp.auth_failures", 0),
	{ 0 },
};

static const struct hcase hcases[] = {
	/* 2 s of our media, then baresip hangs up a second after it ends */
	{ "expected", "expect-bye.json", 2000, 3000, 0, MIN_PACKETS, want_completed },
	/* baresip hangs up 4.5 s before our media would end */
	{ "too_soon", "our-bye.json", 5000, 500, 1, 0, want_far_end_bye },
};

static double now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6;
}

/* The first baresip module directory holding every module the config loads, or NULL. */
static const char *find_baresip_modules(void)
{
	char so[512];
	size_t n = sizeof(baresip_modules) / sizeof(baresip_modules[0]);
	for (size_t d = 0; d < sizeof(baresip_module_dirs) / sizeof(baresip_module_dirs[0]); d++) {
		size_t m = 0;
		for (; m < n; m++) {
			snprintf(so, sizeof(so), "%s/%s.so", baresip_module_dirs[d], baresip_modules[m]);
			if (access(so, R_OK))
				break;
		}
		if (m == n)
			return baresip_module_dirs[d];
	}
	return NULL;
}

/* Kamailio's TLS port, its UDP port and baresip's SIP port: distinct, and the two UDP
 * ones bindable for UDP too. */
static bool pick_ports(void)
{
	for (int attempt = 0; attempt < 20; attempt++) {
		uint16_t p[3];
		if (!proc_free_ports(p, 3) || !proc_can_bind(p[1], SOCK_DGRAM) ||
		    !proc_can_bind(p[2], SOCK_DGRAM))
			continue;
		port.kam_tls = p[0];
		port.kam_udp = p[1];
		port.baresip = p[2];
		return true;
	}
	return false;
}

/* Writes Kamailio's configuration for the ports picked and starts it. 0, or -1 (said
 * why). */
static int start_proxy(const char *binary, const char *mod_dir)
{
	char dir[512], pki_dir[512], cfg[600], tls_cfg[600], tls[8], udp[8], bs[8];
	proc_path(dir, sizeof(dir), "kamailio");
	proc_path(pki_dir, sizeof(pki_dir), "pki");
	snprintf(cfg, sizeof(cfg), "%s/kamailio.cfg", dir);
	snprintf(tls_cfg, sizeof(tls_cfg), "%s/tls.cfg", dir);
	snprintf(tls, sizeof(tls), "%u", port.kam_tls);
	snprintf(udp, sizeof(udp), "%u", port.kam_udp);
	snprintf(bs, sizeof(bs), "%u", port.baresip);
	const struct proc_var vars[] = {
		{ "DIR", dir },       { "PKI", pki_dir },  { "MODULE_DIR", mod_dir },
		{ "PORT_TLS", tls },  { "PORT_UDP", udp }, { "BARESIP_PORT", bs },
		{ NULL, NULL },
	};
	int rc = mkdir(dir, 0700) ? -errno : 0;
	if (!rc)
		rc = proc_template(FIXTURES "/kamailio.cfg.in", cfg, vars);
	if (!rc)
		rc = proc_template(FIXTURES "/tls.cfg.in", tls_cfg, vars);
	if (rc) {
		fprintf(stderr, "test_far_end_hangup: writing Kamailio's configuration: %s\n",
			strerror(-rc));
		return -1;
	}
	return kamailio_start(&kam, binary, dir, cfg, &port.kam_tls, 1, KAM_START_MS);
}

/* Writes baresip's config dir and starts it with its SIP trace on. Returns its pid,
 * once its SIP and control sockets listen, or -errno. */
static pid_t start_baresip(const char *dir, const char *log, uint16_t ctrl_port)
{
	char path[600], sip[8], ctrl[8];
	snprintf(sip, sizeof(sip), "%u", port.baresip);
	snprintf(ctrl, sizeof(ctrl), "%u", ctrl_port);
	const struct proc_var vars[] = {
		{ "SIP_PORT", sip },
		{ "CTRL_PORT", ctrl },
		{ "RTP_PORTS", RTP_PORTS },
		{ "MODULE_PATH", baresip_mod_dir },
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
	args_add(&a, "-s");
	args_add(&a, "-t");
	args_add(&a, "%d", BARESIP_QUIT_S);
	pid_t pid = proc_spawn(a.v, log, false);
	if (pid < 0)
		return pid;
	rc = proc_wait_port(pid, port.baresip, BARESIP_START_MS);
	if (!rc)
		rc = proc_wait_port(pid, ctrl_port, BARESIP_START_MS);
	if (rc) {
		proc_stop(pid, SIGTERM, STOP_MS);
		return rc;
	}
	return pid;
}

/* A TCP connection to baresip's control socket, or -errno. */
static int ctrl_connect(uint16_t ctrl_port)
{
	int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -errno;
	struct sockaddr_in a = { .sin_family = AF_INET, .sin_port = htons(ctrl_port),
				 .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
	if (connect(fd, (struct sockaddr *)&a, sizeof(a))) {
		int err = -errno;
		close(fd);
		return err;
	}
	return fd;
}

/* One byte before deadline (now_ms). 1, 0 at end of stream, or -errno. */
static int read_byte(int fd, char *c, double deadline)
{
	struct pollfd p = { .fd = fd, .events = POLLIN };
	int left = (int)(deadline - now_ms());
	if (left <= 0 || poll(&p, 1, left) <= 0)
		return -ETIMEDOUT;
	ssize_t n = read(fd, c, 1);
	return n < 0 ? -errno : (int)n;
}

/* The next netstring ("LEN:PAYLOAD,") from baresip, parsed as JSON. NULL at the
 * deadline, at end of stream or on a malformed frame. The caller frees it. */
static cJSON *ctrl_read(int fd, double deadline)
{
	size_t len = 0;
	char c = 0;
	int rc;
	while ((rc = read_byte(fd, &c, deadline)) == 1 && c >= '0' && c <= '9' && len < 65536)
		len = len * 10 + (size_t)(c - '0');
	if (rc != 1 || c != ':')
		return NULL;
	char *payload = malloc(len + 2);
	size_t got = 0;
	while (payload && got < len + 1 && read_byte(fd, &payload[got], deadline) == 1)
		got++;
	cJSON *msg = NULL;
	if (payload && got == len + 1 && payload[len] == ',') {
		payload[len] = 0;
		msg = cJSON_Parse(payload);
	}
	free(payload);
	return msg;
}

static bool is_string(const cJSON *msg, const char *key, const char *value)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(msg, key);
	return cJSON_IsString(v) && !strcmp(v->valuestring, value);
}

/* Reads baresip's events until one of this type (CALL_ESTABLISHED...), within
 * timeout_ms. */
static bool ctrl_wait_event(int fd, const char *type, int timeout_ms)
{
	double deadline = now_ms() + timeout_ms;
	for (cJSON *msg; (msg = ctrl_read(fd, deadline));) {
		bool found = cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(msg, "event")) &&
			     is_string(msg, "type", type);
		cJSON_Delete(msg);
		if (found)
			return true;
	}
	return false;
}

/* Sends a command and reads on (past events) to its response. True when baresip
 * answered ok within CTRL_REPLY_MS. */
static bool ctrl_command(int fd, const char *command)
{
	char json[128], frame[160];
	int n = snprintf(json, sizeof(json), "{\"command\":\"%s\",\"token\":\"t1\"}", command);
	int len = snprintf(frame, sizeof(frame), "%d:%s,", n, json);
	if (send(fd, frame, (size_t)len, MSG_NOSIGNAL) != len) /* baresip may be gone */
		return false;
	double deadline = now_ms() + CTRL_REPLY_MS;
	for (cJSON *msg; (msg = ctrl_read(fd, deadline));) {
		bool answer = cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(msg, "response")) &&
			      is_string(msg, "token", "t1");
		bool ok = cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(msg, "ok"));
		cJSON_Delete(msg);
		if (answer)
			return ok;
	}
	return false;
}

/* Starts `trunkload run` on the case's scenario towards Kamailio. Returns its pid or
 * -errno. */
static pid_t start_trunkload(const struct hcase *c, const char *dir, const char *out)
{
	char pki[512];
	proc_path(pki, sizeof(pki), "pki");
	struct proc_args a = { 0 };
	args_add(&a, "%s", TL_BINARY);
	args_add(&a, "run");
	args_add(&a, "%s/%s", FIXTURES, c->scenario);
	args_add(&a, "--target");
	args_add(&a, "127.0.0.1:%u", port.kam_tls);
	args_add(&a, "--server-name");
	args_add(&a, "uas.trunkload.test");
	args_identity(&a, pki, "client");
	args_add(&a, "--ca");
	args_add(&a, "%s/ca.crt", pki);
	args_add(&a, "--media-ms");
	args_add(&a, "%d", c->media_ms);
	args_add(&a, "--media-ports");
	args_add(&a, OUR_MEDIA_PORTS);
	args_add(&a, "--report-dir");
	args_add(&a, "%s/report", dir);
	args_add(&a, "--quiet");
	return proc_spawn(a.v, out, false);
}

/* Whether the POSIX extended regex matches text (NULL text: no). */
static bool matches(const char *text, const char *pattern)
{
	regex_t re;
	if (!text || regcomp(&re, pattern, REG_EXTENDED | REG_NOSUB))
		return false;
	bool found = regexec(&re, text, 0, NULL, 0) == 0;
	regfree(&re);
	return found;
}

/* baresip's SIP trace prints each message under "UDP FROM -> TO" (here: ports of
 * 127.0.0.1) and ends it with an ANSI reset (ESC): [^ESC]* stays inside one message. */
#define TRACE_HEAD "UDP 127\\.0\\.0\\.1:%u -> 127\\.0\\.0\\.1:%u\n"

/* The BYE baresip sent to Kamailio, for trunkload's Contact over TLS. */
static void bye_sent_pattern(char *out, size_t cap)
{
	snprintf(out, cap,
		 TRACE_HEAD "BYE sip:1018@127\\.0\\.0\\.1:[0-9]+;transport=tls SIP/2\\.0\r\n",
		 port.baresip, port.kam_udp);
}

/* A 200 to a BYE that baresip received from Kamailio. */
static void bye_answered_pattern(char *out, size_t cap)
{
	snprintf(out, cap, TRACE_HEAD "SIP/2\\.0 200 OK\r\n[^\x1b]*CSeq: [0-9]+ BYE\r\n",
		 port.kam_udp, port.baresip);
}

/* A BYE that baresip received: there must be none, the far end hung up. */
static void bye_received_pattern(char *out, size_t cap)
{
	snprintf(out, cap, TRACE_HEAD "BYE ", port.kam_udp, port.baresip);
}

/* Waits up to timeout_ms until baresip's log matches pattern: it logs as it goes. */
static bool baresip_logged(const char *log, const char *pattern, int timeout_ms)
{
	for (int waited = 0;; waited += 50) {
		char *text = proc_read_file(log);
		bool found = matches(text, pattern);
		free(text);
		if (found || waited >= timeout_ms)
			return found;
		proc_nap_ms(50);
	}
}

static size_t count(const char *text, const char *needle)
{
	size_t n = 0;
	for (const char *p = text; p && (p = strstr(p, needle)); p += strlen(needle))
		n++;
	return n;
}

/* rtp_stats' "packets:" Receive column, printed when the call ends; -1 if missing. */
static long baresip_rx_packets(const char *text)
{
	const char *table = text ? strstr(text, "Transmit:") : NULL;
	const char *p = table ? strstr(table, "\npackets:") : NULL;
	long tx, rx;
	return p && sscanf(p, " packets: %ld %ld", &tx, &rx) == 2 ? rx : -1;
}

/* What baresip's whole log (after it exited) says about the call. */
static int check_baresip_log(const struct hcase *c, const char *log)
{
	char *text = proc_read_file(log);
	char pattern[256];
	bye_sent_pattern(pattern, sizeof(pattern));
	bool sent = matches(text, pattern);
	CHECK(sent, "%s: baresip sent BYE to trunkload's Contact (transport=tls) via Kamailio",
	      c->name);
	bye_received_pattern(pattern, sizeof(pattern));
	bool got_bye = matches(text, pattern);
	CHECK(!got_bye, "%s: baresip received no BYE: it hung up, we did not", c->name);
	bool enabled = text && strstr(text, "SRTP is Enabled (cryptosuite=" SUITE ")");
	CHECK(enabled, "%s: baresip logs \"SRTP is Enabled (cryptosuite=%s)\"", c->name, SUITE);
	size_t failures = count(text, "srtp: failed to decrypt");
	CHECK(failures == 0, "%s: baresip could decrypt every SRTP/SRTCP packet (%zu failed)",
	      c->name, failures);
	long rx = baresip_rx_packets(text);
	bool enough = rx >= c->min_packets;
	CHECK(enough, "%s: baresip received >= %ld SRTP packets (got %ld)", c->name,
	      c->min_packets, rx);
	free(text);
	return !sent + got_bye + !enabled + (failures != 0) + !enough;
}

/* The source port of the TLS connection that brought the case's INVITE to Kamailio
 * (its script logs "request INVITE ... from tls:127.0.0.1:PORT"), or 0. */
static unsigned invite_source_port(const char *kam_text)
{
	const char *p = kam_text ? strstr(kam_text, "request INVITE ") : NULL;
	const char *from = p ? strstr(p, " from tls:127.0.0.1:") : NULL;
	unsigned sport = 0;
	if (from && sscanf(from, " from tls:127.0.0.1:%u", &sport) != 1)
		sport = 0;
	return sport;
}

/* Kamailio relayed baresip's BYE to trunkload and trunkload's 200 came back over the
 * connection that carried the INVITE. log_from: Kamailio's log size at case start. */
static int check_proxy_log(const struct hcase *c, long log_from)
{
	char *text = proc_read_file(kam.log);
	const char *mine = text && (long)strlen(text) >= log_from ? text + log_from : NULL;
	unsigned sport = invite_source_port(mine);
	char line[128];
	snprintf(line, sizeof(line), "reply 200 OK for BYE from tls:127.0.0.1:%u\n", sport);
	bool relayed = matches(mine, "relay BYE to sip:1018@[^\n]*;transport=tls\n");
	bool same_conn = sport && strstr(mine, line);
	CHECK(relayed, "%s: Kamailio relayed the BYE to trunkload's Contact over TLS", c->name);
	CHECK(same_conn, "%s: Kamailio got the 200 to the BYE on the INVITE's connection "
	      "(from tls:127.0.0.1:%u)", c->name, sport);
	free(text);
	return !relayed + !same_conn;
}

static long file_size(const char *path)
{
	struct stat st;
	return stat(path, &st) ? 0 : (long)st.st_size;
}

/* Waits for the call, then tells baresip to hang up after the case's delay. */
static bool hang_up_when_established(const struct hcase *c, int ctrl)
{
	bool established = ctrl_wait_event(ctrl, "CALL_ESTABLISHED", ESTABLISHED_MS);
	CHECK(established, "%s: baresip reports CALL_ESTABLISHED within %d ms", c->name,
	      ESTABLISHED_MS);
	if (!established)
		return false;
	proc_nap_ms(c->hangup_after_ms);
	bool hung_up = ctrl_command(ctrl, "hangup");
	CHECK(hung_up, "%s: baresip accepts the hangup command", c->name);
	return hung_up;
}

/* What the running case started, stopped by pid (not proc_cleanup_all(): that would
 * stop the shared Kamailio too). A failed CU_ASSERT_FATAL leaves it for the next case
 * or main() to stop. */
static struct {
	pid_t baresip, trunkload; /* 0 once stopped or reaped */
	int ctrl;                 /* our control connection, -1 when closed */
} live = { .ctrl = -1 };

/* Stops baresip (SIGTERM: it prints its RTP statistics as it exits) and whatever else
 * the case left running. Returns baresip's exit status, or -ECHILD if not running. */
static int end_case(void)
{
	if (live.ctrl >= 0)
		close(live.ctrl);
	live.ctrl = -1;
	if (live.trunkload > 0)
		proc_stop(live.trunkload, SIGTERM, STOP_MS);
	live.trunkload = 0;
	int rc = proc_stop(live.baresip, SIGTERM, STOP_MS);
	live.baresip = 0;
	return rc;
}

/* baresip and our control connection up for case c. */
static void start_far_end(const struct hcase *c, const char *dir, const char *log)
{
	uint16_t ctrl_port = proc_free_port();
	live.baresip = start_baresip(dir, log, ctrl_port);
	if (live.baresip < 0)
		proc_show_log("baresip", log, 3000);
	CHECK(live.baresip > 0, "%s: baresip listens on %u and its control on %u (%s)", c->name,
	      port.baresip, ctrl_port, strerror(-live.baresip));
	if (live.baresip < 0)
		live.baresip = 0;
	CU_ASSERT_FATAL(live.baresip > 0);
	live.ctrl = ctrl_connect(ctrl_port);
	CHECK(live.ctrl >= 0, "%s: connects to baresip's ctrl_tcp (%s)", c->name,
	      strerror(-live.ctrl));
	CU_ASSERT_FATAL(live.ctrl >= 0);
}

/* Runs trunkload while baresip hangs up as the case says. Returns its exit status. */
static int run_call(const struct hcase *c, const char *dir, const char *out, bool *hung_up)
{
	double t0 = now_ms();
	live.trunkload = start_trunkload(c, dir, out);
	CHECK(live.trunkload > 0, "%s: trunkload run starts (%s)", c->name,
	      strerror(-live.trunkload));
	if (live.trunkload < 0) {
		live.trunkload = 0;
		return -ECHILD;
	}
	*hung_up = hang_up_when_established(c, live.ctrl);
	int rc = proc_wait(live.trunkload, RUN_TIMEOUT_MS);
	if (rc != -ETIMEDOUT)
		live.trunkload = 0; /* reaped; end_case() stops it otherwise */
	double run_s = (now_ms() - t0) / 1000;
	CHECK(rc == c->want_exit, "%s: trunkload run exits %d (got %d after %.1f s)", c->name,
	      c->want_exit, rc, run_s);
	return rc;
}

static void run_case(const struct hcase *c)
{
	end_case();
	CHECK(kam.pid > 0, "%s: Kamailio is running", c->name);
	CU_ASSERT_FATAL(kam.pid > 0);
	char dir[512], log[600], out[600], report[600], pattern[256];
	proc_path(dir, sizeof(dir), c->name);
	snprintf(log, sizeof(log), "%s/baresip.log", dir);
	snprintf(out, sizeof(out), "%s/trunkload.out", dir);
	snprintf(report, sizeof(report), "%s/report/report.json", dir);
	CU_ASSERT_FATAL(mkdir(dir, 0700) == 0);
	long kam_from = file_size(kam.log);
	start_far_end(c, dir, log);

	bool hung_up = false;
	int rc = run_call(c, dir, out, &hung_up);
	int bad = proc_expect_json(report, c->want);
	/* trunkload's 200 reaches baresip through Kamailio after trunkload may have exited */
	bye_answered_pattern(pattern, sizeof(pattern));
	bool answered = hung_up && baresip_logged(log, pattern, ANSWERED_MS);
	CHECK(answered, "%s: baresip's trace shows trunkload's 200 to its BYE", c->name);
	int bs_rc = end_case();
	CHECK(bs_rc == 0, "%s: baresip exits 0 on SIGTERM (got %d)", c->name, bs_rc);
	bad += check_baresip_log(c, log) + check_proxy_log(c, kam_from);
	if (bad || rc != c->want_exit || !answered || bs_rc) {
		proc_show_log("trunkload run", out, 3000);
		proc_show_log("report.json", report, 4000);
		proc_show_log("baresip", log, 8000);
		proc_show_log("kamailio", kam.log, 4000);
	}
}

static void expected(void)
{
	run_case(&hcases[0]);
}

static void too_soon(void)
{
	run_case(&hcases[1]);
}

static const struct tl_case cases[] = {
	{ "expected", expected },
	{ "too_soon", too_soon },
};
_Static_assert(sizeof(cases) / sizeof(cases[0]) == sizeof(hcases) / sizeof(hcases[0]),
	       "one CUnit case per row of hcases");

/* 77 with the reason when a peer or one of its modules is missing, else 0. */
static int skip_reason(const char **binary, char *kam_mod_dir, size_t cap)
{
	*binary = kamailio_binary();
	if (!*binary) {
		fprintf(stderr, "test_far_end_hangup: SKIPPED: kamailio is not installed\n");
		return 77;
	}
	if (!kamailio_module_dir(kam_modules, sizeof(kam_modules) / sizeof(kam_modules[0]),
				 kam_mod_dir, cap)) {
		fprintf(stderr, "test_far_end_hangup: SKIPPED: no Kamailio module directory with "
				"tls, sl, tm, rr, pv, textops, siputils, maxfwd and xlog (package "
				"kamailio-tls-modules for tls)\n");
		return 77;
	}
	if (!proc_have("setsid")) {
		fprintf(stderr, "test_far_end_hangup: SKIPPED: setsid (util-linux) is not installed\n");
		return 77;
	}
	if (!proc_have("baresip")) {
		fprintf(stderr, "test_far_end_hangup: SKIPPED: baresip is not installed (Debian "
				"package baresip-core)\n");
		return 77;
	}
	baresip_mod_dir = find_baresip_modules();
	if (!baresip_mod_dir) {
		fprintf(stderr, "test_far_end_hangup: SKIPPED: no baresip module directory with "
				"g711, ausine, aubridge, srtp, account, menu and ctrl_tcp\n");
		return 77;
	}
	return 0;
}

int main(void)
{
	const char *binary;
	char kam_mod_dir[512], pki[512];
	int skip = skip_reason(&binary, kam_mod_dir, sizeof(kam_mod_dir));
	if (skip)
		return skip;
	if (!proc_tmpdir()) {
		perror("test_far_end_hangup: mkdtemp");
		return 1;
	}
	if (!pick_ports()) {
		fprintf(stderr, "test_far_end_hangup: no free ports\n");
		return 1;
	}
	if (lab_pki("pki", pki, sizeof(pki)) || start_proxy(binary, kam_mod_dir))
		return 1;
	int rc = tl_run("far_end_hangup", TL_CASES(cases));
	end_case();
	int survivors = kamailio_stop(&kam, STOP_MS);
	if (survivors) {
		fprintf(stderr, "test_far_end_hangup: %d Kamailio processes survived SIGKILL\n",
			survivors);
		rc = 1;
	}
	return rc;
}
