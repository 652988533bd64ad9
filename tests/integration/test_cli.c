/* The command line as a user meets it on the first day: each case runs trunkload
 * and checks the exit status and a fragment of what it said, or the status of a
 * check in report.json. The cases of issue 25's "Why" come first: checks that passed
 * where nothing was checked, and mistakes that were reported as something else. */
#include "proc.h"
#include "tl_test.h"
#include <cjson/cJSON.h>
#include <signal.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#define RUN_MS 60000

static char lab[512];

/* ---- helpers ------------------------------------------------------------- */

static char *path_of(const char *name)
{
	static char p[8][600];
	static unsigned k;
	char *out = p[k++ % 8];
	proc_path(out, 600, name);
	return out;
}

static const char *labf(const char *file)
{
	static char p[8][700];
	static unsigned k;
	char *out = p[k++ % 8];
	snprintf(out, 700, "%s/%s", lab, file);
	return out;
}

/* Runs argv with stdout and stderr in <name>.out; the exit status. *text (if not
 * NULL) gets what it said (caller frees). */
static int run_cmd(const char *name, char *const *argv, char **text)
{
	char out[600], file[96];
	snprintf(file, sizeof(file), "%s.out", name);
	proc_path(out, sizeof(out), file);
	int rc = proc_run(argv, out, NULL, RUN_MS, NULL);
	if (text)
		*text = proc_read_file(out);
	return rc;
}

/* Checks the exit status and that the output holds fragment (NULL: any). */
static void expect(const char *name, char *const *argv, int want_exit, const char *fragment)
{
	char *text = NULL;
	int rc = run_cmd(name, argv, &text);
	bool said = !fragment || (text && strstr(text, fragment));
	CHECK(rc == want_exit, "%s: exit %d (got %d)", name, want_exit, rc);
	CHECK(said, "%s: says \"%s\"", name, fragment ? fragment : "");
	if (rc != want_exit || !said)
		fprintf(stderr, "----- %s said -----\n%s\n-----\n", name, text ? text : "(nothing)");
	free(text);
}

static cJSON *report_of(const char *dir)
{
	char f[700];
	snprintf(f, sizeof(f), "%s/report.json", dir);
	char *text = proc_read_file(f);
	cJSON *root = text ? cJSON_Parse(text) : NULL;
	free(text);
	return root;
}

/* The check named name in a report: its status and observed text ("" when absent). */
static const char *check_of(const cJSON *root, const char *name, const char **observed)
{
	const cJSON *c;
	*observed = "";
	cJSON_ArrayForEach(c, cJSON_GetObjectItem(root, "checks"))
	{
		const cJSON *n = cJSON_GetObjectItem(c, "name");
		if (cJSON_IsString(n) && !strcmp(n->valuestring, name)) {
			const char *obs = cJSON_GetStringValue(cJSON_GetObjectItem(c, "observed"));
			*observed = obs ? obs : "";
			const char *st = cJSON_GetStringValue(cJSON_GetObjectItem(c, "status"));
			return st ? st : "";
		}
	}
	return "";
}

static double number_at(const cJSON *root, const char *a, const char *b, const char *c)
{
	const cJSON *o = cJSON_GetObjectItem(root, a);
	if (b)
		o = cJSON_GetObjectItem(o, b);
	if (c)
		o = cJSON_GetObjectItem(o, c);
	return cJSON_IsNumber(o) ? o->valuedouble : -1;
}

/* trunkload run against 127.0.0.1:port with the lab's client identity, into a report
 * directory named after the case, plus extra arguments. */
static void run_args(struct proc_args *a, const char *name, uint16_t port, const char *const *extra)
{
	args_add(a, "%s", TL_BINARY);
	args_add(a, "run");
	args_add_list(a, extra);
	args_add(a, "--target");
	args_add(a, "127.0.0.1:%u", port);
	args_add(a, "--server-name");
	args_add(a, "uas.trunkload.test");
	args_identity(a, lab, "client");
	args_add(a, "--ca");
	args_add(a, "%s", labf("ca.crt"));
	args_add(a, "--report-dir");
	args_add(a, "%s", path_of(name));
}

/* A responder of the lab on a free port with extra flags; 0 or -1. */
static pid_t responder(const char *name, const char *const *extra, uint16_t *port, char *log,
		       size_t cap)
{
	char file[96];
	snprintf(file, sizeof(file), "%s-uas.log", name);
	proc_path(log, cap, file);
	pid_t pid = lab_uas(lab, "server", extra, log, port);
	CU_ASSERT_FATAL(pid > 0);
	return pid;
}

/* Stops a responder and returns what it printed (caller frees). */
static char *responder_said(pid_t pid, const char *log)
{
	proc_stop(pid, SIGINT, 5000);
	return proc_read_file(log);
}

/* ---- the eight of "Why" ------------------------------------------------------ */

/* A run that could not be carried out never lists run.completed as passed. */
static void why_unresolvable_target(void)
{
	proc_cleanup_all();
	struct proc_args a = { 0 };
	args_add(&a, "%s", TL_BINARY);
	static const char *const rest[] = { "run", "--target", "sbc.invalid:5061", "--calls", "1", NULL };
	args_add_list(&a, rest);
	args_identity(&a, lab, "client");
	args_add(&a, "--ca");
	args_add(&a, "%s", labf("ca.crt"));
	args_add(&a, "--report-dir");
	args_add(&a, "%s", path_of("unresolvable"));
	expect("unresolvable", a.v, 3, "could not run");
	cJSON *r = report_of(path_of("unresolvable"));
	const char *obs, *st = check_of(r, "run.completed", &obs);
	CHECK(!strcmp(st, "fail"), "run.completed fails when the name does not resolve (got %s: %s)", st,
	      obs);
	cJSON_Delete(r);
}

/* Address families: an address of the wrong family for target.family, a source of
 * the other family, a bracket left open. */
static void why_wrong_family(void)
{
	proc_cleanup_all();
	char scn[600], six[600];
	snprintf(scn, sizeof(scn), "%s", path_of("v4-only.json"));
	CU_ASSERT_FATAL(proc_write_file(scn, "{\"target\": {\"host\": \"::1\", \"port\": 5061, "
					     "\"family\": \"ipv4\"}, \"load\": {\"calls\": 1}}\n") == 0);
	snprintf(six, sizeof(six), "%s", path_of("v6-only.json"));
	CU_ASSERT_FATAL(proc_write_file(six, "{\"target\": {\"host\": \"localhost\", \"family\": "
					     "\"ipv6\"}, \"transport\": {\"source\": \"127.0.0.1\"}, "
					     "\"load\": {\"calls\": 1}}\n") == 0);
	static const struct {
		const char *name, *scenario, *target;
		int exit;
		const char *says;
	} cases[] = {
		{ "wrong-family", "v4-only.json", NULL, 3, "::1: no IPv4 address (target.family)" },
		{ "source-family", "v6-only.json", NULL, 3,
		  "transport.source 127.0.0.1 is IPv4, target.family says otherwise" },
		{ "open-bracket", NULL, "[::1", 2, "expected HOST:PORT or [IPV6]:PORT" },
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct proc_args a = { 0 };
		args_add(&a, "%s", TL_BINARY);
		args_add(&a, "run");
		if (cases[i].scenario)
			args_add(&a, "%s", path_of(cases[i].scenario));
		if (cases[i].target) {
			args_add(&a, "--target");
			args_add(&a, "%s", cases[i].target);
		}
		args_identity(&a, lab, "client");
		args_add(&a, "--ca");
		args_add(&a, "%s", labf("ca.crt"));
		args_add(&a, "--report-dir");
		args_add(&a, "%s", path_of(cases[i].name));
		expect(cases[i].name, a.v, cases[i].exit, cases[i].says);
	}
}

/* A latency threshold over no sample fails with "no samples". */
static void why_latency_without_samples(void)
{
	proc_cleanup_all();
	static const char *const refuse[] = { "--expect-peer-subject", "nobody.example.com", NULL };
	uint16_t port;
	char log[600];
	pid_t uas = responder("nosamples", refuse, &port, log, sizeof(log));
	char *scn = path_of("nosamples.json");
	CU_ASSERT_FATAL(proc_write_file(scn, "{\"load\": {\"rate\": 10, \"calls\": 2},\n"
					" \"thresholds\": {\"latency_ms.invite_to_200\": {\"p99\": {\"max\": 1000}}}}\n") == 0);
	struct proc_args a = { 0 };
	static const char *const extra[] = { "--media-ms", "0", NULL };
	run_args(&a, "nosamples", port, extra);
	args_add(&a, "%s", scn);
	expect("nosamples", a.v, 1, NULL);
	cJSON *r = report_of(path_of("nosamples"));
	const char *obs, *st = check_of(r, "latency_ms.invite_to_200.p99", &obs);
	CHECK(!strcmp(st, "fail") && strstr(obs, "no samples"),
	      "p99 over no sample fails, observed \"no samples\" (got %s: %s)", st, obs);
	cJSON_Delete(r);
	proc_stop(uas, SIGINT, 5000);
}

/* The renewal scenario as shipped has empty pins: check and run refuse it. */
static void why_renewal_pins_empty(void)
{
	char *check[] = { (char *)TL_BINARY, (char *)"check",
			  (char *)TL_SOURCE_DIR "/scenarios/renewal-check.json", NULL };
	expect("renewal-check", check, 2, "tls.expect_peer.serial is empty: put the new certificate's serial here");
	char *run[] = { (char *)TL_BINARY, (char *)"run",
			(char *)TL_SOURCE_DIR "/scenarios/renewal-check.json", NULL };
	expect("renewal-run", run, 2, "tls.expect_peer.sha256 is empty");
}

/* Replays fail the run by default, like authentication failures. */
static void why_replays_fail(void)
{
	proc_cleanup_all();
	static const char *const replay[] = { "--srtp-replay", NULL };
	uint16_t port;
	char log[600];
	pid_t uas = responder("replay", replay, &port, log, sizeof(log));
	struct proc_args a = { 0 };
	static const char *const extra[] = { "--calls", "2", "--rate", "10", "--media-ms", "1500", NULL };
	run_args(&a, "replay", port, extra);
	expect("replay", a.v, 1, "srtp.replay_failures");
	cJSON *r = report_of(path_of("replay"));
	const char *obs, *st = check_of(r, "srtp.replay_failures", &obs);
	CHECK(!strcmp(st, "fail"), "srtp.replay_failures is a check and fails (got %s: %s)", st, obs);
	cJSON_Delete(r);
	proc_stop(uas, SIGINT, 5000);
}

/* A negative test against a far end that accepts: every attempt is in one outcome,
 * the check's text says so, and the responder saw as many connections. */
static void why_negative_accounting(void)
{
	proc_cleanup_all();
	uint16_t port;
	char log[600];
	pid_t uas = responder("negative", NULL, &port, log, sizeof(log));
	struct proc_args a = { 0 };
	static const char *const extra[] = { "--expect-handshake", "rejected", "--calls", "6", "--rate",
					     "10", "--threads", "2", NULL };
	run_args(&a, "negative", port, extra);
	expect("negative", a.v, 1, NULL);
	cJSON *r = report_of(path_of("negative"));
	const char *obs, *st = check_of(r, "tls.handshake", &obs);
	double accepted = number_at(r, "tls", "handshake_outcomes", "accepted");
	double sum = 0;
	const cJSON *o;
	cJSON_ArrayForEach(o, cJSON_GetObjectItem(cJSON_GetObjectItem(r, "tls"), "handshake_outcomes"))
		sum += o->valuedouble;
	CHECK(!strcmp(st, "fail") && accepted == 6 && sum == 6 && strstr(obs, "6 accepted") &&
		      strstr(obs, "0 not connected"),
	      "6 attempts, each accepted, counted once and said so (got %s: %s; accepted %g of %g)", st,
	      obs, accepted, sum);
	CHECK(number_at(r, "calls", "failures", "handshake_accepted") == 6,
	      "calls.failures.handshake_accepted is 6");
	cJSON_Delete(r);
	char *said = responder_said(uas, log);
	CHECK(said && strstr(said, "connections 6 (handshakes ok 6, failed 0)"),
	      "the responder saw 6 connections, each handshake ok");
	free(said);
}

/* --ca that holds no CA is a usage error; an unrelated CA gives untrusted, naming the
 * chain the far end sent (2 certificates), never self_signed. */
static void why_ca_without_ca(void)
{
	proc_cleanup_all();
	struct proc_args a = { 0 };
	run_args(&a, "ca-leaf", 9, NULL);
	args_add(&a, "--ca");
	args_add(&a, "%s", labf("client.crt")); /* the last --ca wins */
	expect("ca-leaf", a.v, 2, "holds no CA certificate: its certificate CN=uac.trunkload.test is not a CA");

	uint16_t port;
	char log[600];
	pid_t uas = responder("ca-other", NULL, &port, log, sizeof(log));
	struct proc_args b = { 0 };
	static const char *const extra[] = { "--calls", "1", "--media-ms", "0", NULL };
	run_args(&b, "ca-other", port, extra);
	args_add(&b, "--ca");
	args_add(&b, "%s", labf("ca-other.crt"));
	expect("ca-other", b.v, 1, "untrusted");
	cJSON *r = report_of(path_of("ca-other"));
	const char *obs, *st = check_of(r, "tls.finding.untrusted", &obs);
	const char *obs2, *st2 = check_of(r, "tls.finding.self_signed", &obs2);
	int chain = cJSON_GetArraySize(cJSON_GetObjectItem(cJSON_GetObjectItem(r, "tls"), "chain"));
	CHECK(!strcmp(st, "fail") && strstr(obs, "trunkload lab CA") && !*st2 && chain == 2,
	      "untrusted naming the CA the far end sent, no self_signed, 2 certificates (got %s: %s; "
	      "self_signed %s; chain %d)", st, obs, st2, chain);
	cJSON_Delete(r);

	struct proc_args p = { 0 };
	args_add(&p, "%s", TL_BINARY);
	args_add(&p, "probe");
	args_add(&p, "127.0.0.1:%u", port);
	args_identity(&p, lab, "client");
	args_add(&p, "--ca");
	args_add(&p, "%s", labf("ca-other.crt"));
	expect("probe-ca-other", p.v, 1, "far end's certificates (2)");
	proc_stop(uas, SIGINT, 5000);
}

/* A second responder on a port one already listens on is refused, unless it means
 * to share it. */
static void why_port_in_use(void)
{
	proc_cleanup_all();
	uint16_t port;
	char log[600];
	pid_t uas = responder("port", NULL, &port, log, sizeof(log));
	struct proc_args a = { 0 };
	args_add(&a, "%s", TL_BINARY);
	args_add(&a, "uas");
	args_add(&a, "--listen");
	args_add(&a, "127.0.0.1:%u", port);
	args_identity(&a, lab, "server");
	args_add(&a, "--ca");
	args_add(&a, "%s", labf("ca.crt"));
	expect("port-in-use", a.v, 3, "address in use by another process (--share-port");
	args_add(&a, "--share-port");
	pid_t shard = proc_spawn(a.v, path_of("port-shared.log"), false);
	CHECK(shard > 0 && proc_wait(shard, 500) == -ETIMEDOUT,
	      "with --share-port a second responder runs beside the first");
	if (shard > 0)
		proc_stop(shard, SIGINT, 5000);
	proc_stop(uas, SIGINT, 5000);
}

/* pki over an existing lab is refused, naming the file; --force makes a new one. */
static void why_pki_overwrite(void)
{
	char *again[] = { (char *)TL_BINARY, (char *)"pki", lab, NULL };
	expect("pki-again", again, 2, "ca.crt exists");
	char dir[600];
	snprintf(dir, sizeof(dir), "%s", path_of("lab-forced"));
	char *first[] = { (char *)TL_BINARY, (char *)"pki", dir, NULL };
	expect("pki-first", first, 0, "wrote in");
	char *forced[] = { (char *)TL_BINARY, (char *)"pki", dir, (char *)"--force", NULL };
	expect("pki-forced", forced, 0, "wrote in");
	char out[700];
	snprintf(out, sizeof(out), "%s/csr-dir/new", path_of("csr"));
	char *csr[] = { (char *)TL_BINARY, (char *)"pki", (char *)"csr", (char *)"--cn",
			(char *)"sbc1.example.com", (char *)"--out", out, NULL };
	expect("pki-csr-mkdir", csr, 0, "sbc1.example.com.csr");
}

/* ---- first-day messages -------------------------------------------------------- */

static void first_day_messages(void)
{
	static const struct {
		const char *name;
		const char *args[8]; /* after "run"; "@x" is the lab's file x */
		int exit;
		const char *says;
	} cases[] = {
		{ "cert-without-key", { "--cert", "@client.crt", "--ca", "@ca.crt" }, 2,
		  "--cert " },
		{ "swapped", { "--cert", "@client.key", "--key", "@client.crt", "--ca", "@ca.crt" }, 2,
		  "expected a certificate, found a private key (certificate and key swapped?)" },
		{ "key-is-dir", { "--cert", "@client.crt", "--key", "/tmp", "--ca", "@ca.crt" }, 2,
		  "/tmp: is a directory, expected the private key" },
		{ "key-mismatch", { "--cert", "@client.crt", "--key", "@server.key", "--ca", "@ca.crt" }, 2,
		  "server.key: this private key does not belong to the certificate" },
		{ "rate-huge", { "--rate", "1e9" }, 2,
		  "--rate: expected calls per second from 0.001 to 10000000, got \"1e9\"" },
		{ "flag-without-value", { "--rate", "--calls", "3" }, 2,
		  "--rate needs a value (it was followed by the option --calls)" },
		{ "port-out-of-range", { "--target", "127.0.0.1:70000" }, 2,
		  "--target 127.0.0.1:70000: the port is outside 1-65535" },
		{ "target-list-bad-port", { "--target", "127.0.0.2:5061,127.0.0.3:0" }, 2,
		  "--target 127.0.0.3:0: the port is outside 1-65535" },
		{ "target-twice", { "--target", "a:5061,b:5061,A:5061" }, 2, "--target: A:5061 is named twice" },
		{ "sips-in-a-list", { "--target", "sips:a.test,b.test" }, 2,
		  "or sips:DOMAIN alone, got \"sips:a.test,b.test\"" },
		{ "dns-by-name", { "--dns", "ns.example.com:53" }, 2,
		  "--dns: expected a DNS server's ADDR:PORT or [V6]:PORT, got \"ns.example.com:53\"" },
		{ "from-without-search", { "--from", "100" }, 2,
		  "--from, --max, --step-s and --drain-s: only with --find-capacity" },
		{ "search-from-above-max", { "--find-capacity", "--from", "500", "--max", "100" }, 2,
		  "--find-capacity: --from 500 is above --max 100" },
		{ "search-with-shards", { "--find-capacity", "--shard", "0/2" }, 2,
		  "--find-capacity: not with --shard" },
		{ "search-step-too-short", { "--find-capacity", "--step-s", "0.5" }, 2,
		  "--step-s: expected seconds 1-3600, got \"0.5\"" },
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct proc_args a = { 0 };
		args_add(&a, "%s", TL_BINARY);
		args_add(&a, "run");
		for (size_t k = 0; k < 8 && cases[i].args[k]; k++)
			args_add(&a, "%s", cases[i].args[k][0] == '@' ? labf(cases[i].args[k] + 1) :
									  cases[i].args[k]);
		args_add(&a, "--report-dir");
		args_add(&a, "%s", path_of(cases[i].name));
		expect(cases[i].name, a.v, cases[i].exit, cases[i].says);
	}
}

/* A target without a port is the SIP-over-TLS port. */
static void target_without_port(void)
{
	struct proc_args a = { 0 };
	args_add(&a, "%s", TL_BINARY);
	static const char *const rest[] = { "run", "--target", "127.0.0.1", "--calls", "1", NULL };
	args_add_list(&a, rest);
	args_identity(&a, lab, "client");
	args_add(&a, "--ca");
	args_add(&a, "%s", labf("ca.crt"));
	args_add(&a, "--report-dir");
	args_add(&a, "%s", path_of("no-port"));
	char *text = NULL;
	run_cmd("no-port", a.v, &text); /* whatever listens on 5061 here, or nothing */
	free(text);
	cJSON *r = report_of(path_of("no-port"));
	CHECK(number_at(r, "target", "port", NULL) == 5061, "--target 127.0.0.1 runs against port 5061");
	cJSON_Delete(r);
}

/* check names missing files, and every problem of a file at once. */
static void check_messages(void)
{
	char *scn = path_of("missing-files.json");
	CU_ASSERT_FATAL(proc_write_file(scn, "{\"tls\": {\"cert\": \"nowhere/c.crt\", \"key\": \"nowhere/c.key\", "
					"\"ca\": \"nowhere/ca.crt\"}}\n") == 0);
	char *check[] = { (char *)TL_BINARY, (char *)"check", scn, NULL };
	expect("check-missing-files", check, 2, "tls.cert: cannot read ");
	char *two = path_of("two-problems.json");
	CU_ASSERT_FATAL(proc_write_file(two, "{\"tls\": {\"cert\": \"c.crt\", \"certfile\": \"x\"}}\n") == 0);
	char *check2[] = { (char *)TL_BINARY, (char *)"check", two, NULL };
	expect("check-two-problems-1", check2, 2, "tls.certfile: unknown key");
	expect("check-two-problems-2", check2, 2, "tls.key: expected a key file together with tls.cert");
}

/* The open-files warning comes only when the run can reach the limit: a run of 100
 * media calls under a limit of 512 cannot (it once sized itself by the concurrency cap
 * and warned on every small demo); one of 1000 long media calls at once can. */
static void open_files_warning_only_when_reachable(void)
{
	static const struct { const char *calls; bool warn; } runs[] = {
		{ "100", false }, { "1000", true },
	};
	for (size_t i = 0; i < 2; i++) {
		char cmd[1200], name[64];
		snprintf(cmd, sizeof(cmd),
			 "ulimit -n 512 && exec '%s' run --target 127.0.0.1:%u --calls %s --rate 1000 "
			 "--media-ms 20000 --transport tcp --quiet --report-dir '%s'", TL_BINARY,
			 proc_free_port(), runs[i].calls, path_of(runs[i].warn ? "fd-1000" : "fd-100"));
		snprintf(name, sizeof(name), "open-files-%s", runs[i].calls);
		char *argv[] = { (char *)"/bin/sh", (char *)"-c", cmd, NULL };
		char *text = NULL;
		int rc = run_cmd(name, argv, &text);
		bool warned = text && strstr(text, "warning: the run may hold");
		CHECK(warned == runs[i].warn, "%s calls under a limit of 512: %s", runs[i].calls,
		      runs[i].warn ? "warns of the open-files limit" : "no open-files warning");
		CHECK(rc == 3, "%s calls: nothing listens, exit 3 (got %d)", runs[i].calls, rc);
		if (warned != runs[i].warn)
			fprintf(stderr, "%s\n", text ? text : "");
		free(text);
	}
}

/* The number under key in a JSON object, NAN when there is none. */
static double num_of(const cJSON *o, const char *key)
{
	const cJSON *j = cJSON_GetObjectItemCaseSensitive(o, key);
	return cJSON_IsNumber(j) ? j->valuedouble : NAN;
}

/* load.stages: a hold at 50/s for 2 s, a ramp to 100/s over 1 s and a hold for 2 s:
 * 100 + 75 + 200 calls, each stage's own in report.json's stages[]. Stages exclude
 * load.rate and --rate. */
static void load_stages_reported(void)
{
	proc_cleanup_all();
	uint16_t port;
	char log[600];
	pid_t uas = responder("stages", NULL, &port, log, sizeof(log));
	char *scn = path_of("stages.json");
	CU_ASSERT_FATAL(proc_write_file(scn, "{\"load\": {\"stages\": [{\"rate\": 50, \"duration_s\": 2}, "
					"{\"rate\": 100, \"ramp_s\": 1, \"duration_s\": 2}]}}\n") == 0);
	struct proc_args a = { 0 };
	static const char *const extra[] = { "--media-ms", "0", "--quiet", NULL };
	run_args(&a, "stages", port, extra);
	args_add(&a, "%s", scn);
	int rc = run_cmd("stages", a.v, NULL);
	CHECK(rc == 0, "the staged run passes (got %d)", rc);
	cJSON *r = report_of(path_of("stages"));
	const cJSON *st = r ? cJSON_GetObjectItemCaseSensitive(r, "stages") : NULL;
	CHECK(cJSON_GetArraySize(st) == 2, "report.json has 2 stages (got %d)", cJSON_GetArraySize(st));
	static const struct { double rate, start, end, started, cps; } want[] = {
		{ 50, 0, 2, 100, 50 }, { 100, 2, 5, 275, 275.0 / 3 },
	};
	for (int i = 0; i < 2 && cJSON_GetArraySize(st) == 2; i++) {
		const cJSON *g = cJSON_GetArrayItem(st, i);
		double rate = num_of(g, "rate"), started = num_of(g, "started"), done = num_of(g, "completed");
		CHECK(rate == want[i].rate && num_of(g, "start_s") == want[i].start &&
		      num_of(g, "end_s") == want[i].end, "stage %d: rate %g from %g s to %g s", i,
		      want[i].rate, want[i].start, want[i].end);
		CHECK(started == want[i].started && done == started && num_of(g, "failed") == 0,
		      "stage %d: %g calls started, all completed (got %g, %g)", i, want[i].started, started,
		      done);
		CHECK(fabs(num_of(g, "cps") - want[i].cps) < 0.01, "stage %d: %.2f calls/s achieved (got %g)",
		      i, want[i].cps, num_of(g, "cps"));
		CHECK(num_of(g, "p99_ms") > 0, "stage %d: its own p99", i);
	}
	cJSON_Delete(r);
	proc_stop(uas, SIGTERM, 5000);
	/* report.html: a point per stage, p99 against the offered rate */
	char html[700];
	snprintf(html, sizeof(html), "%s/report.html", path_of("stages"));
	char *page = proc_read_file(html);
	unsigned points = 0;
	for (const char *p = page ? strstr(page, "<circle class=\"stage") : NULL; p;
	     p = strstr(p + 1, "<circle class=\"stage"))
		points++;
	CHECK(page && strstr(page, "id=\"chart-stages\"") && points == 2,
	      "report.html charts the 2 stages (%u points)", points);
	free(page);

	char *wrong = path_of("stages-and-rate.json");
	CU_ASSERT_FATAL(proc_write_file(wrong, "{\"load\": {\"rate\": 5, \"stages\": [{\"rate\": 50, "
					  "\"duration_s\": 2}]}}\n") == 0);
	char *check[] = { (char *)TL_BINARY, (char *)"check", wrong, NULL };
	expect("stages-and-rate", check, 2, "load.rate: not with load.stages");
	char *flag[] = { (char *)TL_BINARY, (char *)"run", scn, (char *)"--rate", (char *)"10", NULL };
	expect("stages-and-rate-flag", flag, 2, "--rate: the scenario's load.stages give the rates");
	char *empty = path_of("stages-empty.json");
	CU_ASSERT_FATAL(proc_write_file(empty, "{\"load\": {\"stages\": [{\"rate\": 50}]}}\n") == 0);
	char *check2[] = { (char *)TL_BINARY, (char *)"check", empty, NULL };
	expect("stages-empty", check2, 2, "load.stages[0]: a stage needs ramp_s or duration_s > 0");
}

/* ---- what the summary shows -------------------------------------------------------- */

/* The progress line shows calls started per second next to completed; a scenario's
 * ramp under --rate is said; resumed handshakes show; the latency header lines up. */
static void summary_lines(void)
{
	proc_cleanup_all();
	uint16_t port;
	char log[600];
	pid_t uas = responder("summary", NULL, &port, log, sizeof(log));
	char *scn = path_of("ramp.json");
	CU_ASSERT_FATAL(proc_write_file(scn, "{\"load\": {\"rate\": 20, \"ramp_s\": 1, \"duration_s\": 6}}\n") == 0);
	struct proc_args a = { 0 };
	static const char *const extra[] = { "--rate", "20", "--media-ms", "0", "--mode", "per_call",
					     "--resume", NULL };
	run_args(&a, "summary", port, extra);
	args_add(&a, "%s", scn);
	char *text = NULL;
	int rc = run_cmd("summary", a.v, &text);
	CHECK(rc == 0, "the summary run passes (got %d)", rc);
	CHECK(text && strstr(text, "/s, target 20)  completed "),
	      "the progress line shows started and completed rates");
	CHECK(text && strstr(text, "ramp 1 s from the scenario"), "the summary says the scenario's ramp");
	CHECK(text && strstr(text, "(resumed "), "the summary shows resumed handshakes");
	const char *hdr = text ? strstr(text, "\nlatency ms") : NULL;
	const char *line = hdr ? strstr(hdr + 1, "\n  tls_handshake") : NULL;
	if (hdr && line) {
		hdr++;
		line++;
		size_t count_end = (size_t)(strstr(hdr, "count") - hdr) + 5;
		CHECK(count_end == 37 && line[36] >= '0' && line[36] <= '9' && line[37] == ' ',
		      "the latency header's columns are the lines' (count ends at %zu)", count_end);
	} else {
		CHECK(false, "the summary has a latency table with tls_handshake");
	}
	free(text);
	proc_stop(uas, SIGINT, 5000);
}

/* An OPTIONS round trip and a refused INVITE's time to its answer are measured. */
static void summary_intervals(void)
{
	proc_cleanup_all();
	static const char *const refuse[] = { "--refuse", "503", NULL };
	uint16_t port;
	char log[600];
	pid_t uas = responder("intervals", refuse, &port, log, sizeof(log));
	char *scn = path_of("options.json");
	CU_ASSERT_FATAL(proc_write_file(scn, "{\"load\": {\"rate\": 10, \"calls\": 2}, \"call\": {\"flow\": "
					"[{\"send\": \"OPTIONS\"}, {\"expect\": 200}]}}\n") == 0);
	struct proc_args a = { 0 };
	run_args(&a, "options", port, NULL);
	args_add(&a, "%s", scn);
	expect("options", a.v, 0, NULL);
	cJSON *r = report_of(path_of("options"));
	CHECK(number_at(r, "latency_ms", "options_to_200", "count") == 2, "latency_ms.options_to_200 counts 2");
	cJSON_Delete(r);
	struct proc_args b = { 0 };
	static const char *const extra[] = { "--calls", "3", "--rate", "10", NULL };
	run_args(&b, "refused", port, extra);
	expect("refused", b.v, 1, "status_503");
	r = report_of(path_of("refused"));
	CHECK(number_at(r, "latency_ms", "invite_to_final", "count") == 3, "latency_ms.invite_to_final counts the 3 refused calls");
	cJSON_Delete(r);
	proc_stop(uas, SIGINT, 5000);
}

/* Days left are counted one way: pki show, the run's summary. */
static void days_left_one_way(void)
{
	proc_cleanup_all();
	char *show[] = { (char *)TL_BINARY, (char *)"pki", (char *)"show", (char *)labf("server.crt"), NULL };
	char *shown = NULL;
	CU_ASSERT_FATAL(run_cmd("show", show, &shown) == 0 && shown);
	const char *p = strstr(shown, " days left)");
	while (p && p > shown && p[-1] >= '0' && p[-1] <= '9')
		p--;
	long pki_days = p ? strtol(p, NULL, 10) : -1;
	uint16_t port;
	char log[600];
	pid_t uas = responder("days", NULL, &port, log, sizeof(log));
	struct proc_args a = { 0 };
	static const char *const extra[] = { "--calls", "1", "--media-ms", "0", NULL };
	run_args(&a, "days", port, extra);
	char *text = NULL;
	run_cmd("days", a.v, &text);
	char want[64];
	snprintf(want, sizeof(want), "(%ld days left)", pki_days);
	CHECK(pki_days > 300 && text && strstr(text, want), "the summary says %s as pki show does", want);
	free(text);
	free(shown);
	proc_stop(uas, SIGINT, 5000);
}

/* probe prints the far end's session tickets where they come: before the findings. */
static void probe_in_order(void)
{
	proc_cleanup_all();
	uint16_t port;
	char log[600];
	pid_t uas = responder("probe", NULL, &port, log, sizeof(log));
	struct proc_args a = { 0 };
	args_add(&a, "%s", TL_BINARY);
	args_add(&a, "probe");
	args_add(&a, "127.0.0.1:%u", port);
	args_identity(&a, lab, "client");
	args_add(&a, "--ca");
	args_add(&a, "%s", labf("ca.crt"));
	args_add(&a, "--server-name");
	args_add(&a, "uas.trunkload.test");
	char *text = NULL;
	int rc = run_cmd("probe-order", a.v, &text);
	const char *ticket = text ? strstr(text, "NewSessionTicket") : NULL;
	const char *findings = text ? strstr(text, "findings (") : NULL;
	CHECK(rc == 0 && ticket && findings && ticket < findings,
	      "probe exits 0 and prints NewSessionTicket before its findings");
	free(text);
	proc_stop(uas, SIGINT, 5000);
}

/* The responder's connections add up: each one's handshake ended ok or failed. */
static void responder_counts_add_up(void)
{
	proc_cleanup_all();
	uint16_t port;
	char log[600];
	pid_t uas = responder("counts", NULL, &port, log, sizeof(log));
	struct proc_args a = { 0 };
	static const char *const extra[] = { "--calls", "1", "--media-ms", "0", NULL };
	run_args(&a, "counts-ok", port, extra);
	expect("counts-ok", a.v, 0, NULL);
	struct proc_args b = { 0 };
	run_args(&b, "counts-refused", port, extra);
	args_identity(&b, lab, "client-untrusted"); /* the last --cert/--key win */
	expect("counts-refused", b.v, 1, NULL);
	char *said = responder_said(uas, log);
	CHECK(said && strstr(said, "connections 2 (handshakes ok 1, failed 1)"),
	      "the responder says connections 2 (handshakes ok 1, failed 1)");
	if (said && !strstr(said, "connections 2 (handshakes ok 1, failed 1)"))
		fprintf(stderr, "----- responder -----\n%s\n", said);
	free(said);
}

/* merge warns when its inputs ran against different targets, and adds their
 * connections. */
static void merge_warns_and_adds(void)
{
	proc_cleanup_all();
	uint16_t p1, p2;
	char log1[600], log2[600];
	pid_t u1 = responder("merge1", NULL, &p1, log1, sizeof(log1));
	pid_t u2 = responder("merge2", NULL, &p2, log2, sizeof(log2));
	static const char *const extra[] = { "--calls", "1", "--media-ms", "0", NULL };
	struct proc_args a = { 0 }, b = { 0 };
	run_args(&a, "merge-a", p1, extra);
	run_args(&b, "merge-b", p2, extra);
	expect("merge-a", a.v, 0, NULL);
	expect("merge-b", b.v, 0, NULL);
	char ra[700], rb[700];
	snprintf(ra, sizeof(ra), "%s/report.json", path_of("merge-a"));
	snprintf(rb, sizeof(rb), "%s/report.json", path_of("merge-b"));
	char *m[] = { (char *)TL_BINARY, (char *)"merge", ra, rb, (char *)"--report-dir",
		      path_of("merged"), NULL };
	expect("merge", m, 0, "these are not shards of one run");
	cJSON *r = report_of(path_of("merged"));
	CHECK(number_at(r, "target", "connections", NULL) == 2, "the merged report has both shards' connections");
	cJSON_Delete(r);
	char html[700];
	snprintf(html, sizeof(html), "%s/report.html", path_of("merged"));
	struct stat st;
	CHECK(stat(html, &st) == 0, "merge writes report.html too");
	proc_stop(u1, SIGINT, 5000);
	proc_stop(u2, SIGINT, 5000);
}

/* ---- options past what a run keeps ------------------------------------------------ */

/* argv of trunkload run with `n` copies of --rate 5 before the given tail. */
static char **run_with_repeats(unsigned n, const char *const *tail)
{
	size_t k = 0, tail_n = 0;
	while (tail[tail_n])
		tail_n++;
	char **v = calloc(2 + 2 * n + tail_n + 1, sizeof(*v));
	CU_ASSERT_PTR_NOT_NULL_FATAL(v);
	v[k++] = (char *)TL_BINARY;
	v[k++] = (char *)"run";
	for (unsigned i = 0; i < n; i++) {
		v[k++] = (char *)"--rate";
		v[k++] = (char *)"5";
	}
	for (size_t i = 0; i < tail_n; i++)
		v[k++] = (char *)tail[i];
	return v;
}

/* The 71st option is read like the first: a bad value there is named (before, all
 * past the 64th were dropped without a word and the run went on). */
static void many_options_all_read(void)
{
	static const char *const tail[] = { "--calls", "0", NULL };
	char **v = run_with_repeats(70, tail);
	expect("many-options", v, 2, "--calls: expected a whole number >= 1, got \"0\"");
	free(v);
}

/* Past what a run keeps, it says so instead of dropping any. */
static void too_many_options(void)
{
	static const char *const tail[] = { NULL };
	char **v = run_with_repeats(300, tail);
	expect("too-many-options", v, 2, "too many options");
	free(v);
}

int main(void)
{
	if (!proc_tmpdir() || lab_pki("lab", lab, sizeof(lab)))
		return 1;
	static const struct tl_case cases[] = {
		{ "why_unresolvable_target", why_unresolvable_target },
		{ "why_wrong_family", why_wrong_family },
		{ "why_latency_without_samples", why_latency_without_samples },
		{ "why_renewal_pins_empty", why_renewal_pins_empty },
		{ "why_replays_fail", why_replays_fail },
		{ "why_negative_accounting", why_negative_accounting },
		{ "why_ca_without_ca", why_ca_without_ca },
		{ "why_port_in_use", why_port_in_use },
		{ "why_pki_overwrite", why_pki_overwrite },
		{ "first_day_messages", first_day_messages },
		{ "target_without_port", target_without_port },
		{ "check_messages", check_messages },
		{ "open_files_warning_only_when_reachable", open_files_warning_only_when_reachable },
		{ "load_stages_reported", load_stages_reported },
		{ "summary_lines", summary_lines },
		{ "summary_intervals", summary_intervals },
		{ "days_left_one_way", days_left_one_way },
		{ "probe_in_order", probe_in_order },
		{ "responder_counts_add_up", responder_counts_add_up },
		{ "merge_warns_and_adds", merge_warns_and_adds },
		{ "many_options_all_read", many_options_all_read },
		{ "too_many_options", too_many_options },
	};
	return tl_run("cli", TL_CASES(cases));
}
