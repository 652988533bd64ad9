/* trunkload against SIPp playing a CUCM trunk peer (issue 15): delayed offer, session
 * timers, hold and music on hold, the far end's own requests and its BYE.
 *
 * Each case runs one scenario of tests/integration/cucm/ with a few calls, both ways:
 * - calls-*.xml: SIPp is the CUCM that calls; trunkload uas answers (plain TCP, since
 *   Debian's SIPp has no TLS). SIPp must count every call successful (exit 0): a call
 *   fails there if trunkload sent something the scenario did not expect or if one of
 *   its regular-expression checks on what trunkload sent does not hold. The responder
 *   must still be running at the end and stop cleanly (exit 0 on SIGTERM).
 * - answers-*.xml: SIPp is the CUCM that answers `trunkload run` with a fixture of
 *   tests/integration/fixtures/cucm-*.json. SIPp must count every call successful, and
 *   trunkload's exit status and report.json must say what the case expects.
 * Either way SIPp must have seen no message outside its calls (a BYE after a call is
 * over, a request for a call it does not know), and where trunkload makes SDES keys,
 * none may repeat across the calls.
 * A case with an outcomes check (calls_scripted_far_end, issue 17) also starts the
 * responder with --report-dir: stopped by SIGTERM once SIPp is done, its report.json must
 * count exactly what SIPp's log says it saw (calls, 200s, 486s, ACKed answers).
 *
 * `test_cucm CASE...` runs the named cases only. With TL_CUCM_CONFORMING=1, each
 * scenario runs against its stand-in in tests/integration/cucm/conforming/ instead of
 * trunkload (a SIPp that sends what the scenario asks for): that shows the scenarios
 * can pass, whatever trunkload does; trunkload's own checks are skipped.
 *
 * Everything listens on 127.0.0.1 on free ports; SIPp's waits are bounded by its
 * -recv_timeout and -timeout, ours by the timeouts below. */
#include "proc.h"
#include "tl_test.h"
#include <errno.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>

#ifdef TL_SANITIZED
#define SLOW 2
#else
#define SLOW 1
#endif

#define CALLS 3 /* per case, unless the case says */
#define RATE 10
#define RUN_TIMEOUT_MS (60000 * SLOW)  /* trunkload run, whatever happens */
#define SIPP_TIMEOUT_MS 45000          /* SIPp as the caller, whatever happens */
#define SIPP_EXIT_MS (10000 * SLOW)    /* SIPp as the callee, once the caller is done */
#define MAX_KEYS 64
#define NOT_RUN (-1000) /* SIPp's exit status when its peer did not start */

struct cucm_case;
struct files;

/* Judges a case's outcomes from SIPp's log and, unless uas_rc is NOT_RUN (the stand-in
 * answered), the report.json of the responder, which exited uas_rc on SIGTERM. */
typedef bool (*outcomes_cb)(const struct cucm_case *c, const struct files *f, int uas_rc);

enum cucm_role {
	CUCM_CALLS,   /* SIPp calls trunkload uas */
	CUCM_ANSWERS, /* SIPp answers trunkload run */
};

struct cucm_case {
	const char *name;
	const char *xml; /* in tests/integration/cucm/ (and its stand-in in conforming/) */
	enum cucm_role role;
	const char *const *uas_flags;     /* CUCM_CALLS: more trunkload uas flags, or NULL */
	const char *fixture;              /* CUCM_ANSWERS: in tests/integration/fixtures/ */
	int run_status;                   /* CUCM_ANSWERS: trunkload run's exit status */
	const struct proc_expect *report; /* CUCM_ANSWERS: report.json */
	int keys_per_call; /* a=crypto keys trunkload sends per call, all fresh; 0: not checked */
	const char *inf;   /* SIPp's -inf file in tests/integration/cucm/ (both sides), or NULL */
	const char *const *run_flags; /* CUCM_ANSWERS: more trunkload run flags, or NULL */
	int calls; /* calls CUCM places; 0: CALLS */
	int rate;  /* CUCM_CALLS: CUCM's calls per second; 0: RATE */
	/* CUCM_CALLS: trunkload uas writes a report (--report-dir) and this judges it and its
	 * exit status; NULL: no report, and the responder must exit 0 */
	outcomes_cb outcomes;
};

static int case_calls(const struct cucm_case *c)
{
	return c->calls ? c->calls : CALLS;
}

static int case_rate(const struct cucm_case *c)
{
	return c->rate ? c->rate : RATE;
}

static const char *const min_se_2[] = { "--min-se", "2", NULL };

/* calls_scripted_far_end: the responder answers half its calls and refuses the others
 * 486, as --seed 3 draws for each Call-ID; 200 calls at 100 per second take 2 s */
#define SCRIPTED_CALLS 200
#define SCRIPTED_RATE 100
static const char *const half_busy[] = {
	"--scenario", TL_SOURCE_DIR "/tests/integration/fixtures/uas/half-busy.json", "--seed", "3", NULL
};
static bool scripted_outcomes_agree(const struct cucm_case *c, const struct files *f, int uas_rc);

/* trunkload completed every call and hung up itself */
static const struct proc_expect we_hang_up[] = {
	EXPECT_STR("verdict", "pass"),
	EXPECT_EQ("calls.attempted", CALLS),
	EXPECT_EQ("calls.completed", CALLS),
	EXPECT_EQ("calls.failed", 0),
	EXPECT_EQ("calls.ended_by.us", CALLS),
	EXPECT_EQ("calls.ended_by.far_end", 0),
	EXPECT_EQ("latency_ms.invite_to_200.count", CALLS),
	{ 0 },
};

/* the flow waited for CUCM's BYE: every call completed, ended by the far end */
static const struct proc_expect far_end_hangs_up[] = {
	EXPECT_STR("verdict", "pass"),
	EXPECT_EQ("calls.attempted", CALLS),
	EXPECT_EQ("calls.completed", CALLS),
	EXPECT_EQ("calls.failed", 0),
	EXPECT_EQ("calls.ended_by.far_end", CALLS),
	EXPECT_EQ("calls.ended_by.us", 0),
	EXPECT_EQ("latency_ms.invite_to_200.count", CALLS),
	{ 0 },
};

/* the flow did not wait for CUCM's BYE: every call failed as far_end_bye */
static const struct proc_expect far_end_bye[] = {
	EXPECT_STR("verdict", "fail"),
	EXPECT_EQ("calls.attempted", CALLS),
	EXPECT_EQ("calls.completed", 0),
	EXPECT_EQ("calls.failed", CALLS),
	EXPECT_EQ("calls.failures.far_end_bye", CALLS),
	{ 0 },
};

/* every call dialled the next route pattern and was checked by CUCM */
static const struct proc_expect route_patterns[] = {
	EXPECT_STR("verdict", "pass"),
	EXPECT_EQ("calls.completed", CALLS),
	EXPECT_EQ("calls.failed", 0),
	EXPECT_STR("calls.by_to_prefix.0.prefix", "9898"),
	EXPECT_EQ("calls.by_to_prefix.0.calls", 1),
	EXPECT_EQ("calls.by_to_prefix.0.failed", 0),
	EXPECT_STR("calls.by_to_prefix.2.prefix", "9900"),
	EXPECT_EQ("calls.by_to_prefix.2.calls", 1),
	{ 0 },
};

/* complete on the wire, every call failed on the header check of the BYE's 200 */
static const struct proc_expect header_mismatch[] = {
	EXPECT_STR("verdict", "fail"),
	EXPECT_EQ("calls.attempted", CALLS),
	EXPECT_EQ("calls.failed", CALLS),
	EXPECT_EQ("calls.failures.header_mismatch", CALLS),
	EXPECT_EQ("calls.by_to_prefix.0.failed", 1),
	{ 0 },
};

/* shard 1 of 2 of a 6-call run: its calls are the run's 1, 3 and 5 */
static const char *const shard_1_of_2[] = { "--shard", "1/2", "--calls", "6", NULL };
static const struct proc_expect route_patterns_shard[] = {
	EXPECT_STR("verdict", "pass"),
	EXPECT_EQ("calls.completed", CALLS),
	EXPECT_STR("shard", "1/2"),
	{ 0 },
};

/* the far end answered a codec we did not offer: every call failed, ACKed and BYEd */
static const struct proc_expect codec_not_offered[] = {
	EXPECT_STR("verdict", "fail"),
	EXPECT_EQ("calls.attempted", CALLS),
	EXPECT_EQ("calls.failed", CALLS),
	EXPECT_EQ("calls.failures.sdp_codec_not_offered", CALLS),
	{ 0 },
};

/* every call's reliable 183 was PRACKed and awaited by the flow */
static const struct proc_expect completes[] = {
	EXPECT_STR("verdict", "pass"),
	EXPECT_EQ("calls.attempted", CALLS),
	EXPECT_EQ("calls.completed", CALLS),
	EXPECT_EQ("calls.failed", 0),
	EXPECT_EQ("latency_ms.invite_to_200.count", CALLS),
	EXPECT_EQ("latency_ms.invite_to_180.count", CALLS),
	EXPECT_EQ("sip.stray_responses", 0),
	{ 0 },
};

/* the far end refused the re-INVITE: every call failed as reinvite_488, ACKed and BYEd */
static const struct proc_expect reinvite_refused[] = {
	EXPECT_STR("verdict", "fail"),
	EXPECT_EQ("calls.attempted", CALLS),
	EXPECT_EQ("calls.failed", CALLS),
	EXPECT_EQ("calls.failures.reinvite_488", CALLS),
	EXPECT_EQ("calls.ended_by.us", CALLS),
	{ 0 },
};

/* trunkload gave up on every call (timeout_200) and cancelled it; the CANCEL's and the
 * INVITE's answers matched its call, none was stray */
static const struct proc_expect cancelled[] = {
	EXPECT_STR("verdict", "fail"),
	EXPECT_EQ("calls.attempted", CALLS),
	EXPECT_EQ("calls.failed", CALLS),
	EXPECT_EQ("calls.failures.timeout_200", CALLS),
	EXPECT_EQ("sip.stray_responses", 0),
	{ 0 },
};

static const struct cucm_case cases[] = {
	{ .name = "calls_delayed_offer", .xml = "calls-delayed-offer.xml", .role = CUCM_CALLS,
	  .keys_per_call = 4 },
	{ .name = "calls_session_timer", .xml = "calls-session-timer.xml", .role = CUCM_CALLS,
	  .uas_flags = min_se_2 },
	{ .name = "calls_below_min_se", .xml = "calls-below-min-se.xml", .role = CUCM_CALLS },
	{ .name = "calls_hold", .xml = "calls-hold.xml", .role = CUCM_CALLS },
	{ .name = "calls_in_dialog", .xml = "calls-in-dialog.xml", .role = CUCM_CALLS },
	{ .name = "calls_unknown_dialog", .xml = "calls-unknown-dialog.xml", .role = CUCM_CALLS },
	{ .name = "answers_refresh_hangs_up", .xml = "answers-refresh-hangs-up.xml",
	  .role = CUCM_ANSWERS, .fixture = "cucm-far-end-hangs-up.json",
	  .report = far_end_hangs_up },
	{ .name = "answers_delayed_offer", .xml = "answers-delayed-offer.xml", .role = CUCM_ANSWERS,
	  .fixture = "cucm-delayed-offer.json", .report = we_hang_up, .keys_per_call = 1 },
	{ .name = "answers_hangs_up_early", .xml = "answers-hangs-up-early.xml",
	  .role = CUCM_ANSWERS, .fixture = "cucm-hangs-up-early.json", .run_status = 1,
	  .report = far_end_bye },
	{ .name = "answers_hold", .xml = "answers-hold.xml", .role = CUCM_ANSWERS,
	  .fixture = "cucm-held.json", .report = we_hang_up },
	{ .name = "answers_in_dialog", .xml = "answers-in-dialog.xml", .role = CUCM_ANSWERS,
	  .fixture = "cucm-in-dialog.json", .report = we_hang_up },
	{ .name = "answers_183_100rel", .xml = "answers-183-100rel.xml", .role = CUCM_ANSWERS,
	  .fixture = "cucm-183-100rel.json", .report = completes },
	{ .name = "answers_route_patterns", .xml = "answers-route-patterns.xml",
	  .role = CUCM_ANSWERS, .fixture = "cucm-route-patterns.json", .report = route_patterns,
	  .inf = "route-patterns.csv" },
	{ .name = "answers_route_patterns_csv", .xml = "answers-route-patterns.xml",
	  .role = CUCM_ANSWERS, .fixture = "cucm-route-patterns-csv.json", .report = route_patterns,
	  .inf = "route-patterns.csv" },
	{ .name = "answers_hold_resume", .xml = "answers-hold-resume.xml", .role = CUCM_ANSWERS,
	  .fixture = "cucm-hold-resume.json", .report = we_hang_up },
	{ .name = "answers_glare", .xml = "answers-glare.xml", .role = CUCM_ANSWERS,
	  .fixture = "cucm-glare.json", .report = we_hang_up },
	{ .name = "answers_reinvite_488", .xml = "answers-reinvite-488.xml", .role = CUCM_ANSWERS,
	  .fixture = "cucm-reinvite-488.json", .run_status = 1, .report = reinvite_refused },
	{ .name = "answers_cancel_487", .xml = "answers-cancel-487.xml", .role = CUCM_ANSWERS,
	  .fixture = "cucm-cancelled.json", .run_status = 1, .report = cancelled },
	{ .name = "answers_after_cancel", .xml = "answers-after-cancel.xml", .role = CUCM_ANSWERS,
	  .fixture = "cucm-cancelled.json", .run_status = 1, .report = cancelled },
	{ .name = "answers_update", .xml = "answers-update.xml", .role = CUCM_ANSWERS,
	  .fixture = "cucm-update.json", .report = we_hang_up },
	{ .name = "answers_pcma", .xml = "answers-codec.xml", .role = CUCM_ANSWERS,
	  .fixture = "cucm-codecs.json", .report = we_hang_up, .inf = "codec-pcma.csv" },
	{ .name = "answers_codec_not_offered", .xml = "answers-codec.xml", .role = CUCM_ANSWERS,
	  .fixture = "cucm-codecs.json", .run_status = 1, .report = codec_not_offered,
	  .inf = "codec-g729.csv" },
	{ .name = "answers_route_patterns_shard", .xml = "answers-route-patterns.xml",
	  .role = CUCM_ANSWERS, .fixture = "cucm-route-patterns-shard.json",
	  .report = route_patterns_shard, .inf = "route-patterns-shard1.csv",
	  .run_flags = shard_1_of_2 },
	{ .name = "answers_header_mismatch", .xml = "answers-route-patterns.xml",
	  .role = CUCM_ANSWERS, .fixture = "cucm-header-mismatch.json", .run_status = 1,
	  .report = header_mismatch, .inf = "route-patterns.csv" },
	{ .name = "calls_scripted_far_end", .xml = "calls-scripted-far-end.xml", .role = CUCM_CALLS,
	  .uas_flags = half_busy, .calls = SCRIPTED_CALLS, .rate = SCRIPTED_RATE,
	  .outcomes = scripted_outcomes_agree },
};

/* TL_CUCM_CONFORMING=1: the stand-ins take trunkload's place */
static bool conforming;

/* What one SIPp writes, in the scratch directory. */
struct sipp_files {
	char screen[512];   /* its stdout and stderr */
	char stats[512];    /* -trace_stat: its counters */
	char errors[512];   /* -trace_err: why it failed a call */
	char messages[512]; /* -trace_msg: every message it sent and received */
	char logs[512];     /* -trace_logs: the scenario's <log> lines */
};

/* The files of one case. */
struct files {
	struct sipp_files cucm, standin;
	char log[512]; /* trunkload's stdout and stderr */
	char dir[512]; /* trunkload run's report directory */
	char report[600];
};

static void sipp_files(const char *name, const char *who, struct sipp_files *s)
{
	static const char *const kinds[] = { "out", "csv", "errors.log", "messages.log", "logs.log" };
	char *const paths[] = { s->screen, s->stats, s->errors, s->messages, s->logs };
	char file[200];
	for (size_t i = 0; i < sizeof(kinds) / sizeof(kinds[0]); i++) {
		snprintf(file, sizeof(file), "%s-%s.%s", name, who, kinds[i]);
		proc_path(paths[i], sizeof(s->screen), file);
	}
}

static void case_files(const struct cucm_case *c, struct files *f)
{
	char name[160];
	sipp_files(c->name, "cucm", &f->cucm);
	sipp_files(c->name, "standin", &f->standin);
	snprintf(name, sizeof(name), "%s-trunkload.log", c->name);
	proc_path(f->log, sizeof(f->log), name);
	proc_path(f->dir, sizeof(f->dir), c->name);
	snprintf(f->report, sizeof(f->report), "%s/report.json", f->dir);
}

/* A SIPp with scenario xml (under tests/integration/cucm/), over plain TCP, its own SIP,
 * media and control ports on 127.0.0.1 (its control port defaults to 8888 on every
 * address), the case's calls, bounded waits, and every trace into files s. With a target
 * port it calls 127.0.0.1:target at the case's rate; without, it answers on sip_port. */
static void sipp_args(struct proc_args *a, const struct cucm_case *c, const char *xml,
		      const struct sipp_files *s, uint16_t sip_port, uint16_t target)
{
	const char *inf = c->inf;
	args_add(a, "sipp");
	if (target)
		args_add(a, "127.0.0.1:%u", target);
	args_add(a, "-sf");
	args_add(a, "%s/tests/integration/cucm/%s", TL_SOURCE_DIR, xml);
	if (inf) {
		args_add(a, "-inf");
		args_add(a, "%s/tests/integration/cucm/%s", TL_SOURCE_DIR, inf);
	}
	args_sipp_loopback(a, sip_port); /* out of ports: SIPp fails to start, and says so */
	args_add(a, "-m");
	args_add(a, "%d", case_calls(c));
	if (target) {
		args_add(a, "-r");
		args_add(a, "%d", case_rate(c));
		args_add(a, "-l");
		args_add(a, "%d", case_calls(c));
	}
	/* a message that never comes fails the call after 10 s; SIPp quits after 40 s */
	args_add(a, "-recv_timeout");
	args_add(a, "10000");
	args_add(a, "-timeout");
	args_add(a, "40s");
	args_add(a, "-nostdin");
	args_add(a, "-trace_stat");
	args_add(a, "-stf");
	args_add(a, "%s", s->stats);
	args_add(a, "-trace_err");
	args_add(a, "-error_file");
	args_add(a, "%s", s->errors);
	args_add(a, "-trace_msg");
	args_add(a, "-message_file");
	args_add(a, "%s", s->messages);
	args_add(a, "-trace_logs");
	args_add(a, "-log_file");
	args_add(a, "%s", s->logs);
}

/* Starts SIPp answering with scenario xml on a free port. Returns its pid, or a
 * negative errno after showing its screen. */
static pid_t start_sipp_callee(const struct cucm_case *c, const char *xml,
				const struct sipp_files *s, uint16_t *port)
{
	*port = proc_free_port();
	if (!*port)
		return -EADDRNOTAVAIL;
	struct proc_args a = { 0 };
	sipp_args(&a, c, xml, s, *port, 0);
	pid_t pid = proc_spawn(a.v, s->screen, false);
	if (pid < 0)
		return pid;
	int rc = proc_wait_port(pid, *port, 10000);
	if (rc) {
		proc_show_log("sipp", s->screen, 3000);
		return rc;
	}
	return pid;
}

/* Runs SIPp calling 127.0.0.1:port with scenario xml to the end. Its exit status. */
static int run_sipp_caller(const struct cucm_case *c, const char *xml,
			   const struct sipp_files *s, uint16_t port)
{
	uint16_t own = proc_free_port();
	if (!own)
		return -EADDRNOTAVAIL;
	struct proc_args a = { 0 };
	sipp_args(&a, c, xml, s, own, port);
	return proc_run(a.v, s->screen, NULL, SIPP_TIMEOUT_MS, NULL);
}

/* Starts `trunkload uas` over plain TCP on a free port with one worker (writing its
 * report into f->dir when the case judges outcomes). Returns its pid, or a negative
 * errno after showing its log. */
static pid_t start_uas(const struct cucm_case *c, const struct files *f, uint16_t *port)
{
	*port = proc_free_port();
	if (!*port)
		return -EADDRNOTAVAIL;
	struct proc_args a = { 0 };
	args_add(&a, "%s", TL_BINARY);
	args_add(&a, "uas");
	args_add(&a, "--listen");
	args_add(&a, "127.0.0.1:%u", *port);
	args_add(&a, "--transport");
	args_add(&a, "tcp");
	args_add(&a, "--threads");
	args_add(&a, "1");
	args_add_list(&a, c->uas_flags);
	if (c->outcomes) {
		args_add(&a, "--report-dir");
		args_add(&a, "%s", f->dir);
	}
	pid_t pid = proc_spawn(a.v, f->log, false);
	if (pid < 0)
		return pid;
	int rc = proc_wait_port(pid, *port, 10000);
	if (rc) {
		proc_show_log("trunkload uas", f->log, 2000);
		return rc;
	}
	return pid;
}

/* Runs `trunkload run` with the case's fixture against 127.0.0.1:port. Its exit status. */
static int run_trunkload(const struct cucm_case *c, const struct files *f, uint16_t port)
{
	struct proc_args a = { 0 };
	args_add(&a, "%s", TL_BINARY);
	args_add(&a, "run");
	args_add(&a, "%s/tests/integration/fixtures/%s", TL_SOURCE_DIR, c->fixture);
	args_add(&a, "--transport");
	args_add(&a, "tcp");
	args_add(&a, "--target");
	args_add(&a, "127.0.0.1:%u", port);
	args_add(&a, "--calls");
	args_add(&a, "%d", CALLS);
	args_add(&a, "--rate");
	args_add(&a, "%d", RATE);
	args_add(&a, "--report-dir");
	args_add(&a, "%s", f->dir);
	args_add(&a, "--quiet");
	args_add_list(&a, c->run_flags);
	return proc_run(a.v, f->log, NULL, RUN_TIMEOUT_MS, NULL);
}

/* Collects the inline keys of the a=crypto lines in the messages a SIPp received (its
 * message log: each message follows a line "TCP message received [N] bytes :",
 * a sent one "TCP message sent (N bytes):"). Returns how many, up to MAX_KEYS;
 * -1 when the log cannot be read. */
static int received_keys(const char *messages, char keys[][72])
{
	char *text = proc_read_file(messages);
	if (!text)
		return -1;
	int n = 0;
	bool received = false;
	for (char *line = text; line && *line;) {
		char *nl = strchr(line, '\n');
		if (nl)
			*nl = 0;
		if (strstr(line, " message received "))
			received = true;
		else if (strstr(line, " message sent "))
			received = false;
		const char *k = received && !strncmp(line, "a=crypto:", 9) ? strstr(line, "inline:") : NULL;
		if (k && n < MAX_KEYS) {
			k += 7;
			snprintf(keys[n++], sizeof(keys[0]), "%.*s", (int)strcspn(k, "| \r"), k);
		}
		line = nl ? nl + 1 : NULL;
	}
	free(text);
	return n;
}

/* Every SDES key that reached CUCM is new: keys_per_call per call, none twice. */
static bool check_fresh_keys(const struct cucm_case *c, const struct files *f)
{
	static char keys[MAX_KEYS][72];
	int n = received_keys(f->cucm.messages, keys);
	int want = c->keys_per_call * case_calls(c);
	CHECK(n == want, "%s: CUCM received %d a=crypto keys in %d calls (got %d)", c->name, want,
	      case_calls(c), n);
	int repeated = 0;
	for (int i = 0; i < n; i++)
		for (int j = 0; j < i; j++)
			if (!strcmp(keys[i], keys[j])) {
				CHECK(false, "%s: key %s came twice: keys must be fresh for each call and line",
				      c->name, keys[i]);
				repeated++;
			}
	return n == want && !repeated;
}

/* A SIPp's verdict: exit 0, and its statistics agree that every call succeeded and
 * that no message came outside a call. */
static bool check_sipp(const struct cucm_case *c, const char *who, const struct sipp_files *s,
		       int rc)
{
	long ok = proc_sipp_stat(s->stats, "SuccessfulCall(C)");
	long failed = proc_sipp_stat(s->stats, "FailedCall(C)");
	long out_of_call = proc_sipp_stat(s->stats, "OutOfCallMsgs(C)");
	long dead_call = proc_sipp_stat(s->stats, "DeadCallMsgs(C)");
	CHECK(rc == 0, "%s: %s exits 0: every call successful, every check held (got %d)", c->name, who, rc);
	CHECK(ok == case_calls(c), "%s: %s's SuccessfulCall(C) == %d (got %ld)", c->name, who,
	      case_calls(c), ok);
	CHECK(failed == 0, "%s: %s's FailedCall(C) == 0 (got %ld)", c->name, who, failed);
	CHECK(out_of_call == 0 && dead_call == 0,
	      "%s: %s saw no message outside its calls (OutOfCallMsgs %ld, DeadCallMsgs %ld)", c->name,
	      who, out_of_call, dead_call);
	return rc == 0 && ok == case_calls(c) && failed == 0 && out_of_call == 0 && dead_call == 0;
}

/* SIPp's exit status once the other side is done, stopping it if it does not end. */
static int sipp_end(pid_t pid, int wait_ms)
{
	int rc = proc_wait(pid, wait_ms);
	return rc == -ETIMEDOUT ? proc_stop(pid, SIGTERM, 3000) : rc;
}

static void show_sipp(const char *who, const struct sipp_files *s)
{
	char title[80];
	snprintf(title, sizeof(title), "%s: why calls failed", who);
	proc_show_log(title, s->errors, 2500);
	snprintf(title, sizeof(title), "%s: scenario log", who);
	proc_show_log(title, s->logs, 1500);
	snprintf(title, sizeof(title), "%s: messages", who);
	proc_show_log(title, s->messages, 3000);
}

/* How many lines of a file hold marker; -1 when the file cannot be read. */
static int count_lines(const char *path, const char *marker)
{
	char *text = proc_read_file(path);
	if (!text)
		return -1;
	int n = 0;
	for (const char *line = text; line && *line;) {
		const char *nl = strchr(line, '\n');
		const char *hit = strstr(line, marker);
		n += hit && (!nl || hit < nl);
		line = nl ? nl + 1 : NULL;
	}
	free(text);
	return n;
}

/* calls_scripted_far_end: CUCM's log (calls-scripted-far-end.xml) has a line for each
 * 200 it ACKed, each BYE of its own answered 200 and each 486 it ACKed; the responder's
 * report must count exactly these. SIPp sends no RTP, so each answered call's SRTP
 * stream is silent at the responder, which fails its verdict (exit 1). */
static bool scripted_outcomes_agree(const struct cucm_case *c, const struct files *f, int uas_rc)
{
	long placed = proc_sipp_stat(f->cucm.stats, "OutgoingCall(C)");
	int answered = count_lines(f->cucm.logs, ": answered 200");
	int hung_up = count_lines(f->cucm.logs, ": hung up");
	int busy = count_lines(f->cucm.logs, ": busy 486");
	bool good = placed == case_calls(c) && answered > 0 && busy > 0 && answered + busy == placed &&
		    hung_up == answered;
	CHECK(good,
	      "%s: CUCM placed %d calls, each answered 200 (ACKed, hung up) or refused 486, both "
	      "outcomes seen (placed %ld: 200 %d, hung up %d, 486 %d)",
	      c->name, case_calls(c), placed, answered, hung_up, busy);
	if (uas_rc == NOT_RUN)
		return good;

	const struct proc_expect want[] = {
		EXPECT_EQ("calls.attempted", placed),
		EXPECT_EQ("calls.completed", hung_up),
		EXPECT_EQ("calls.ended_by.far_end", hung_up),
		EXPECT_EQ("calls.ended_by.us", 0),
		EXPECT_EQ("calls.failed", busy),
		EXPECT_EQ("calls.failures.status_486", busy),
		EXPECT_EQ("latency_ms.invite_to_ack.count", answered),
		EXPECT_EQ("srtp.silent_streams", answered),
		EXPECT_STR("verdict", "fail"),
		{ 0 },
	};
	good &= proc_expect_json(f->report, want) == 0;
	double p50 = -1;
	proc_json_number(f->report, "latency_ms.invite_to_ack.p50", &p50);
	CHECK(p50 > 0 && p50 < 1000, "%s: the responder's INVITE-to-ACK p50 is above 0 and below 1000 ms (got %g)",
	      c->name, p50);
	CHECK(uas_rc == 1, "%s: trunkload uas stopped on SIGTERM and exited 1, by its verdict (got %d)",
	      c->name, uas_rc);
	/* SIPp sends no RTP: the silent streams fail the verdict, and nothing else does (a
	 * responder over TCP judged no TLS handshake) */
	int others = proc_failed_checks(f->report, "srtp.silent_streams");
	CHECK(others == 0, "%s: the responder's verdict fails on srtp.silent_streams alone (%d other "
			   "checks failed)", c->name, others);
	good &= p50 > 0 && p50 < 1000 && uas_rc == 1 && others == 0;
	if (!good) {
		proc_show_json(f->report, "calls");
		proc_show_failed_checks(f->report);
	}
	return good;
}

/* SIPp's CUCM calls trunkload uas (or the stand-in of a uas). */
static bool cucm_calls(const struct cucm_case *c, const struct files *f, int *cucm_rc)
{
	uint16_t port;
	pid_t callee;
	char standin[128];
	snprintf(standin, sizeof(standin), "conforming/%s", c->xml);
	if (conforming)
		callee = start_sipp_callee(c, standin, &f->standin, &port);
	else
		callee = start_uas(c, f, &port);
	CHECK(callee > 0, "%s: %s listens (%s)", c->name, conforming ? "the stand-in" : "trunkload uas",
	      strerror(callee < 0 ? -(int)callee : 0));
	if (callee <= 0)
		return false;
	*cucm_rc = run_sipp_caller(c, c->xml, &f->cucm, port);
	if (conforming) {
		bool good = check_sipp(c, "the stand-in", &f->standin, sipp_end(callee, SIPP_EXIT_MS));
		return c->outcomes ? c->outcomes(c, f, NOT_RUN) && good : good;
	}
	/* on SIGTERM it writes its report (a large one takes a while under ASan) */
	int rc = proc_stop(callee, SIGTERM, 5000 * SLOW);
	if (c->outcomes)
		return c->outcomes(c, f, rc);
	CHECK(rc == 0, "%s: trunkload uas ran to the end and stopped cleanly on SIGTERM (exit %d)",
	      c->name, rc);
	return rc == 0;
}

/* SIPp's CUCM answers trunkload run (or the stand-in of a run). */
static bool cucm_answers(const struct cucm_case *c, const struct files *f, int *cucm_rc)
{
	uint16_t port;
	pid_t cucm = start_sipp_callee(c, c->xml, &f->cucm, &port);
	CHECK(cucm > 0, "%s: sipp listens (%s)", c->name, strerror(cucm < 0 ? -(int)cucm : 0));
	if (cucm <= 0)
		return false;
	bool good;
	int rc;
	if (conforming) {
		char standin[128];
		snprintf(standin, sizeof(standin), "conforming/%s", c->xml);
		rc = run_sipp_caller(c, standin, &f->standin, port);
		good = check_sipp(c, "the stand-in", &f->standin, rc);
	} else {
		rc = run_trunkload(c, f, port);
		CHECK(rc == c->run_status, "%s: trunkload run exits %d (got %d)", c->name, c->run_status, rc);
		good = rc == c->run_status;
		good &= proc_expect_json(f->report, c->report) == 0;
		if (!good)
			proc_show_json(f->report, "calls.failures");
	}
	/* SIPp ends by itself once its calls are done, which is when the caller's are;
	 * a run that placed no call (2: bad usage or scenario, 3: could not run) leaves
	 * it nothing to wait for */
	bool placed = conforming || (rc >= 0 && rc != 2 && rc != 3);
	*cucm_rc = sipp_end(cucm, placed ? SIPP_EXIT_MS : 0);
	return good;
}

static void run_case(const struct cucm_case *c)
{
	proc_cleanup_all();
	struct files f;
	case_files(c, &f);
	int cucm_rc = NOT_RUN;
	bool good = c->role == CUCM_CALLS ? cucm_calls(c, &f, &cucm_rc) : cucm_answers(c, &f, &cucm_rc);
	if (cucm_rc != NOT_RUN)
		good &= check_sipp(c, "CUCM (sipp)", &f.cucm, cucm_rc);
	if (c->keys_per_call)
		good &= check_fresh_keys(c, &f);
	if (!good) {
		if (conforming)
			show_sipp("the stand-in (sipp)", &f.standin);
		else
			proc_show_log(c->role == CUCM_CALLS ? "trunkload uas" : "trunkload run", f.log, 2000);
		show_sipp("CUCM (sipp)", &f.cucm);
	}
	proc_cleanup_all();
}

#define CASE(i)                              \
	static void case_##i(void)           \
	{                                    \
		run_case(&cases[i]);         \
	}
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
CASE(13)
CASE(14)
CASE(15)
CASE(16)
CASE(17)
CASE(18)
CASE(19)
CASE(20)
CASE(21)
CASE(22)
CASE(23)
CASE(24)

static const CU_TestFunc case_fns[] = {
	case_0, case_1, case_2, case_3, case_4, case_5, case_6, case_7, case_8, case_9, case_10, case_11,
	case_12, case_13, case_14, case_15, case_16, case_17, case_18, case_19,
	case_20, case_21, case_22, case_23, case_24,
};
_Static_assert(sizeof(case_fns) / sizeof(case_fns[0]) == sizeof(cases) / sizeof(cases[0]),
	       "one CASE() per entry of cases[]");

/* test_cucm [CASE...]: the named cases only (e.g. calls_hold), or all. */
int main(int argc, char **argv)
{
	if (!proc_have("sipp")) {
		fprintf(stderr, "test_cucm: SKIPPED: sipp is not installed (Debian package sip-tester)\n");
		return 77;
	}
	if (!proc_tmpdir()) {
		perror("test_cucm: mkdtemp");
		return 1;
	}
	const char *env = getenv("TL_CUCM_CONFORMING");
	conforming = env && *env && strcmp(env, "0");
	struct tl_case list[sizeof(cases) / sizeof(cases[0])];
	size_t n = 0;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		bool named = argc < 2;
		for (int j = 1; j < argc; j++)
			named |= !strcmp(argv[j], cases[i].name);
		if (named)
			list[n++] = (struct tl_case){ cases[i].name, case_fns[i] };
	}
	return tl_run(conforming ? "cucm-conforming" : "cucm", list, n);
}
