/* SRTP media between trunkload and its own responder on loopback: every call carries
 * PCMU over SRTP both ways, keyed by its SDES exchange, and each side checks the
 * other's. A responder with a wrong key must be caught; garbage on a media port must
 * be counted and harm nothing. */
#include "proc.h"
#include "sdes.h"
#include <cjson/cJSON.h>
#include "tl_test.h"
#include <arpa/inet.h>
#include <errno.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#define RUN_TIMEOUT_MS 90000
#define BASIC "scenarios/basic-call.json"

static char pki[512];

static pid_t start_uas(const char *tag, const char *const *extra, uint16_t *port)
{
	char log[512], name[128];
	snprintf(name, sizeof(name), "%s-uas.log", tag);
	pid_t pid = lab_uas(pki, "server", extra, proc_path(log, sizeof(log), name), port);
	CU_ASSERT_FATAL(pid > 0);
	return pid;
}

/* `trunkload run SCENARIO` (relative to the source tree) against the responder. */
static pid_t spawn_run(const char *tag, const char *scenario, uint16_t port,
		       const char *const *extra, char *report, size_t cap, char *out, size_t out_cap)
{
	char dir[512];
	proc_path(dir, sizeof(dir), tag);
	snprintf(report, cap, "%s/report.json", dir);
	snprintf(out, out_cap, "%s.out", dir);
	struct proc_args a = { 0 };
	args_add(&a, "%s", TL_BINARY);
	args_add(&a, "run");
	args_add(&a, "%s/%s", TL_SOURCE_DIR, scenario);
	args_add(&a, "--target");
	args_add(&a, "%s:%u", proc_lo_host(), port);
	args_identity(&a, pki, "client");
	args_add(&a, "--ca");
	args_add(&a, "%s/ca.crt", pki);
	args_add(&a, "--report-dir");
	args_add(&a, "%s", dir);
	args_add(&a, "--quiet");
	args_add_list(&a, extra);
	pid_t pid = proc_spawn(a.v, out, false);
	CU_ASSERT_FATAL(pid > 0);
	return pid;
}

/* The responder's own SRTP account, from the line it prints when stopped. */
struct uas_srtp {
	long long streams, sent, received, auth, unexpected;
};

static int uas_account(const char *tag, struct uas_srtp *u)
{
	char log[512], name[128];
	snprintf(name, sizeof(name), "%s-uas.log", tag);
	char *text = proc_read_file(proc_path(log, sizeof(log), name));
	const char *line = text ? strstr(text, "srtp streams") : NULL;
	int n = line ? sscanf(line, "srtp streams %lld, packets sent %lld, received %lld, auth failures %lld",
			      &u->streams, &u->sent, &u->received, &u->auth) : 0;
	const char *un = line ? strstr(line, "unexpected source ") : NULL;
	u->unexpected = un ? atoll(un + 18) : -1;
	free(text);
	return n == 4 ? 0 : -ENOENT;
}

static double num(const char *report, const char *path)
{
	double v = -1;
	proc_json_number(report, path, &v);
	return v;
}

/* 200 calls of 5 s: everything the responder sent arrives and authenticates, and the
 * other way round; what either sent after the other ended a call counts nowhere (a
 * closed socket, or on shared ports an ended stream's binding). */
static void calls_carry_srtp_both_ways(void)
{
	proc_cleanup_all();
	uint16_t port;
	pid_t uas = start_uas("both", NULL, &port);
	char report[600], out[600];
	static const char *const flags[] = { "--calls", "200", "--rate", "40", "--media-ms", "5000", NULL };
	pid_t run = spawn_run("both", BASIC, port, flags, report, sizeof(report), out, sizeof(out));
	int rc = proc_wait(run, RUN_TIMEOUT_MS);
	proc_stop(uas, SIGTERM, 5000);
	struct uas_srtp u = { 0 };
	CHECK(uas_account("both", &u) == 0, "the responder printed its SRTP account");
	CHECK(rc == 0, "the run exits 0 (got %d)", rc);
	static const struct proc_expect want[] = {
		EXPECT_EQ("calls.completed", 200),
		EXPECT_EQ("srtp.streams", 200),
		EXPECT_EQ("srtp.auth_failures", 0),
		EXPECT_EQ("srtp.replay_failures", 0),
		EXPECT_EQ("srtp.silent_streams", 0),
		EXPECT_EQ("srtp.unexpected_source", 0),
		EXPECT_EQ("srtp.unexpected_ssrc", 0),
		EXPECT_GE("srtp.packets_sent", 200 * 240),
		EXPECT_GE("srtp.rtcp_received", 200),
		EXPECT_STR("verdict", "pass"),
		{ 0 },
	};
	int bad = proc_expect_json(report, want);
	double received = num(report, "srtp.packets_received"), sent = num(report, "srtp.packets_sent");
	CHECK(u.sent > 0 && received >= 0.999 * (double)u.sent,
	      "we received %.0f of the %lld packets the responder sent (>= 99.9 %%)", received, u.sent);
	CHECK(u.received >= 0.999 * sent,
	      "the responder received %lld of the %.0f packets we sent (>= 99.9 %%)", u.received, sent);
	CHECK(u.auth == 0 && u.streams == 200 && u.unexpected == 0,
	      "the responder checked 200 streams, %lld auth failures, %lld from an unexpected source",
	      u.auth, u.unexpected);
	if (rc || bad)
		proc_show_log("trunkload run", out, 3000);
	proc_cleanup_all();
}

/* A responder that protects with another key than it answered: every packet fails
 * authentication on our side and the run fails. */
static void wrong_key_is_caught(void)
{
	proc_cleanup_all();
	uint16_t port;
	static const char *const uflags[] = { "--srtp-wrong-key", NULL };
	pid_t uas = start_uas("wrongkey", uflags, &port);
	char report[600], out[600];
	static const char *const flags[] = { "--calls", "10", "--rate", "20", "--media-ms", "1000", NULL };
	pid_t run = spawn_run("wrongkey", BASIC, port, flags, report, sizeof(report), out, sizeof(out));
	int rc = proc_wait(run, RUN_TIMEOUT_MS);
	proc_stop(uas, SIGTERM, 5000);
	CHECK(rc == 1, "the run exits 1 (got %d)", rc);
	static const struct proc_expect want[] = {
		EXPECT_GE("srtp.auth_failures", 10 * 40),
		EXPECT_EQ("srtp.packets_received", 0),
		EXPECT_EQ("srtp.silent_streams", 10),
		EXPECT_STR("verdict", "fail"),
		{ 0 },
	};
	if (proc_expect_json(report, want) || rc != 1)
		proc_show_log("trunkload run", out, 3000);
	struct uas_srtp u = { 0 };
	CHECK(uas_account("wrongkey", &u) == 0 && u.auth == 0 && u.received > 0,
	      "our own (right) key still authenticates at the responder: %lld received, %lld failures",
	      u.received, u.auth);
	proc_cleanup_all();
}

/* A responder that sends every 10th packet twice: each second copy is a replay,
 * counted as such and not as a received packet. Replays fail the run by default
 * (the calls themselves complete); a scenario that sets srtp.replay_failures itself
 * decides. */
static void replays_are_counted(void)
{
	proc_cleanup_all();
	uint16_t port;
	static const char *const uflags[] = { "--srtp-replay", NULL };
	pid_t uas = start_uas("replay", uflags, &port);
	char report[600], out[600], report2[600], out2[600];
	static const char *const flags[] = { "--calls", "4", "--rate", "20", "--media-ms", "1000",
					     "--quiet", NULL };
	pid_t run = spawn_run("replay", BASIC, port, flags, report, sizeof(report), out, sizeof(out));
	int rc = proc_wait(run, RUN_TIMEOUT_MS);
	run = spawn_run("replay-allowed", "tests/integration/fixtures/replays-allowed.json", port, flags,
			report2, sizeof(report2), out2, sizeof(out2));
	int rc2 = proc_wait(run, RUN_TIMEOUT_MS);
	proc_stop(uas, SIGTERM, 5000);
	CHECK(rc == 1, "the run exits 1: replays fail it by default (got %d)", rc);
	static const struct proc_expect want[] = {
		EXPECT_GE("srtp.replay_failures", 4 * 3),
		EXPECT_EQ("srtp.auth_failures", 0),
		EXPECT_EQ("srtp.lost", 0),
		EXPECT_EQ("calls.completed", 4),
		EXPECT_EQ("calls.failed", 0),
		{ 0 },
	};
	if (proc_expect_json(report, want) || rc != 1)
		proc_show_log("trunkload run", out, 3000);
	CHECK(rc2 == 0, "with its own srtp.replay_failures threshold the scenario passes (got %d)", rc2);
	static const struct proc_expect want2[] = {
		EXPECT_GE("srtp.replay_failures", 4 * 3),
		EXPECT_EQ("calls.completed", 4),
		{ 0 },
	};
	if (proc_expect_json(report2, want2) || rc2)
		proc_show_log("trunkload run (replays allowed)", out2, 3000);
	proc_cleanup_all();
}

/* One-way media: a sendonly caller gets nothing back and is not failed for it; the
 * responder, answering recvonly, still sends its receiver reports of what it gets (RFC
 * 3550 6.4.2), the first 2.5 s in. */
static void sendonly_is_one_way(void)
{
	proc_cleanup_all();
	uint16_t port;
	pid_t uas = start_uas("sendonly", NULL, &port);
	char report[600], out[600];
	static const char *const flags[] = { "--calls", "5", "--rate", "10", "--media-ms", "3500", NULL };
	pid_t run = spawn_run("sendonly", "tests/integration/fixtures/sendonly-call.json", port, flags,
			      report, sizeof(report), out, sizeof(out));
	int rc = proc_wait(run, RUN_TIMEOUT_MS);
	proc_stop(uas, SIGTERM, 5000);
	CHECK(rc == 0, "the sendonly run exits 0 (got %d)", rc);
	static const struct proc_expect want[] = {
		EXPECT_EQ("srtp.packets_received", 0),
		EXPECT_GE("srtp.packets_sent", 5 * 160),
		EXPECT_EQ("srtp.silent_streams", 0),
		EXPECT_EQ("srtp.far_end_reported.streams", 5),
		EXPECT_EQ("srtp.far_end_reported.lost", 0),
		EXPECT_GE("srtp.far_end_reported.expected", 5 * 100),
		EXPECT_EQ("srtp.rtcp_auth_failures", 0),
		{ 0 },
	};
	if (proc_expect_json(report, want) || rc)
		proc_show_log("trunkload run", out, 3000);
	struct uas_srtp u = { 0 };
	CHECK(uas_account("sendonly", &u) == 0 && u.sent == 0 && u.received >= 5 * 160,
	      "the responder answered recvonly: sent %lld, received %lld", u.sent, u.received);
	proc_cleanup_all();
}

/* Garbage datagrams sprayed at both sides' media ports during calls are counted as
 * coming from an unexpected source; the calls and their media are unharmed. The
 * caller gets only datagrams longer than a receive buffer: they are counted too. */
static void garbage_udp_is_counted(void)
{
	proc_cleanup_all();
	uint16_t port;
	static const char *const uflags[] = { "--media-ports", "47000-47019", NULL };
	pid_t uas = start_uas("garbage", uflags, &port);
	char report[600], out[600];
	static const char *const flags[] = { "--calls", "4", "--rate", "10", "--media-ms", "2000",
					     "--media-ports", "46000-46019", NULL };
	pid_t run = spawn_run("garbage", BASIC, port, flags, report, sizeof(report), out, sizeof(out));
	int fd = socket(proc_ipv6() ? AF_INET6 : AF_INET, SOCK_DGRAM, 0);
	CU_ASSERT_FATAL(fd >= 0);
	static char junk[9000] = "\x80\x00 not RTP at all, and not from the far end";
	/* sprayed every 50 ms until the run ends (a slow start, under a sanitizer, must not
	 * leave the calls' media unsprayed), for at most the run's own time limit */
	int rc = -ETIMEDOUT;
	for (int round = 0; rc == -ETIMEDOUT && round < RUN_TIMEOUT_MS / 50; round++) {
		for (int p = 0; p < 20; p++) {
			struct sockaddr_storage to;
			socklen_t len = proc_lo_addr((uint16_t)(46000 + p), &to);
			sendto(fd, junk, sizeof(junk), 0, (struct sockaddr *)&to, len);
			len = proc_lo_addr((uint16_t)(47000 + p), &to);
			sendto(fd, junk, 48, 0, (struct sockaddr *)&to, len);
		}
		rc = proc_wait(run, 50);
	}
	close(fd);
	if (rc == -ETIMEDOUT)
		rc = proc_stop(run, SIGTERM, 5000);
	proc_stop(uas, SIGTERM, 5000);
	CHECK(rc == 0, "the run exits 0 despite the garbage (got %d)", rc);
	static const struct proc_expect want[] = {
		EXPECT_EQ("calls.completed", 4),
		EXPECT_GE("srtp.unexpected_source", 1),
		EXPECT_EQ("srtp.auth_failures", 0),
		EXPECT_GE("srtp.packets_received", 4 * 90),
		{ 0 },
	};
	if (proc_expect_json(report, want) || rc)
		proc_show_log("trunkload run", out, 3000);
	struct uas_srtp u = { 0 };
	CHECK(uas_account("garbage", &u) == 0 && u.unexpected >= 1 && u.auth == 0,
	      "the responder counted the garbage (%lld) and no auth failure (%lld)", u.unexpected, u.auth);
	proc_cleanup_all();
}

/* --srtp-keys lists both keys of each call in the report, as SDES inline keys. */
static void srtp_keys_listed(void)
{
	proc_cleanup_all();
	uint16_t port;
	pid_t uas = start_uas("keys", NULL, &port);
	char report[600], out[600];
	static const char *const flags[] = { "--calls", "3", "--rate", "10", "--media-ms", "300",
					     "--srtp-keys", NULL };
	pid_t run = spawn_run("keys", BASIC, port, flags, report, sizeof(report), out, sizeof(out));
	int rc = proc_wait(run, RUN_TIMEOUT_MS);
	proc_stop(uas, SIGTERM, 5000);
	CHECK(rc == 0, "the run exits 0 (got %d)", rc);
	char *text = proc_read_file(report);
	cJSON *root = text ? cJSON_Parse(text) : NULL;
	const cJSON *keys = cJSON_GetObjectItemCaseSensitive(
		cJSON_GetObjectItemCaseSensitive(root, "srtp"), "keys");
	CHECK(cJSON_GetArraySize(keys) == 3, "srtp.keys lists the 3 calls (got %d)", cJSON_GetArraySize(keys));
	const cJSON *k;
	cJSON_ArrayForEach(k, keys) {
		const char *tx = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(k, "tx_inline"));
		const char *rx = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(k, "rx_inline"));
		uint8_t raw[64];
		CHECK(tx && base64_decode(raw, sizeof(raw), tx, strlen(tx)) == 30,
		      "tx_inline is 30 bytes of AES_CM_128 key and salt (%s)", tx ? tx : "missing");
		CHECK(rx && strcmp(tx ? tx : "", rx) && base64_decode(raw, sizeof(raw), rx, strlen(rx)) == 30,
		      "rx_inline is the far end's own 30 bytes (%s)", rx ? rx : "missing");
	}
	cJSON_Delete(root);
	free(text);
	proc_cleanup_all();
}

static const struct tl_case cases[] = {
	{ "srtp_keys_listed", srtp_keys_listed },
	{ "calls_carry_srtp_both_ways", calls_carry_srtp_both_ways },
	{ "wrong_key_is_caught", wrong_key_is_caught },
	{ "sendonly_is_one_way", sendonly_is_one_way },
	{ "replays_are_counted", replays_are_counted },
	{ "garbage_udp_is_counted", garbage_udp_is_counted },
};

int main(void)
{
	if (!proc_tmpdir()) {
		perror("test_media: mkdtemp");
		return 1;
	}
	if (lab_pki("pki", pki, sizeof(pki)))
		return 1;
	return tl_run("media", TL_CASES(cases));
}
