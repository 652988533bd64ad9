/* report.html from a real run, rendered by headless Chromium: the page loads without
 * console errors, blocked fetches or failed loads, its DOM carries every chart and the
 * ladder diagrams of the traced calls, and a screenshot can be taken. The run also
 * leaves junit.xml and timeseries.csv. */
#include "proc.h"
#include "tl_test.h"
#include <cjson/cJSON.h>
#include <stdlib.h>
#include <string.h>
#include <signal.h>
#include <sys/stat.h>
#include <unistd.h>

#define RUN_TIMEOUT_MS 90000
#define CHROMIUM_TIMEOUT_MS 60000

static char pki[512];

/* Headless Chromium with nothing that reaches the network or a desktop, logging the
 * page's console (and CSP reports) to stderr. */
static void chromium_args(struct proc_args *a, const char *profile)
{
	static const char *const flags[] = {
		"chromium", "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic",
		"--no-first-run", "--disable-background-networking", "--disable-component-update",
		"--disable-sync", "--enable-logging=stderr", "--log-level=0", NULL,
	};
	args_add_list(a, flags);
	args_add(a, "--user-data-dir=%s", profile);
}

/* Lines of Chromium's stderr that speak of the page: console messages (script errors,
 * CSP violations) and failed loads. Counts them and shows each. */
static unsigned page_errors(const char *err_file)
{
	static const char *const marks[] = { ":CONSOLE", "Uncaught", "ERR_", "Content Security Policy",
					     "Failed to load", NULL };
	char *text = proc_read_file(err_file);
	unsigned n = 0;
	for (char *line = text ? strtok(text, "\n") : NULL; line; line = strtok(NULL, "\n")) {
		for (int i = 0; marks[i]; i++) {
			if (strstr(line, marks[i])) {
				fprintf(stderr, "\n  chromium: %.300s", line);
				n++;
				break;
			}
		}
	}
	free(text);
	return n;
}

/* Renders url: the DOM into dom_file, or (shot != NULL) a screenshot. Returns the exit
 * status as proc_run does. */
static int render(const char *url, const char *dom_file, const char *shot, const char *err_file)
{
	char profile[512];
	struct proc_args a = { 0 };
	chromium_args(&a, proc_path(profile, sizeof(profile), "chromium-profile"));
	if (shot) {
		args_add(&a, "--screenshot=%s", shot);
		args_add(&a, "--window-size=1280,3000");
	} else {
		args_add(&a, "--dump-dom");
	}
	args_add(&a, "%s", url);
	return proc_run(a.v, dom_file, err_file, CHROMIUM_TIMEOUT_MS, NULL);
}

/* The detector itself: a page with a script error and a blocked fetch must be caught,
 * or a clean result below would prove nothing. */
static void detector_sees_page_errors(void)
{
	proc_cleanup_all();
	char page[512], dom[512], err[512], url[600];
	proc_path(page, sizeof(page), "bad.html");
	proc_path(dom, sizeof(dom), "bad.dom");
	proc_path(err, sizeof(err), "bad.err");
	FILE *f = fopen(page, "w");
	CU_ASSERT_PTR_NOT_NULL_FATAL(f);
	fputs("<!DOCTYPE html><html><head><meta http-equiv=\"Content-Security-Policy\" "
	      "content=\"default-src 'none'; script-src 'unsafe-inline'\"></head><body>"
	      "<img src=\"http://192.0.2.1/x.png\"><script>notDefined();</script></body></html>\n", f);
	CU_ASSERT_EQUAL_FATAL(fclose(f), 0);
	snprintf(url, sizeof(url), "file://%s", page);
	int rc = render(url, dom, NULL, err);
	CHECK(rc == 0, "chromium --dump-dom exits 0 (got %d)", rc);
	unsigned n = page_errors(err);
	CHECK(n >= 2, "the script error and the blocked image are seen on stderr (%u lines)", n);
	if (n < 2)
		proc_show_log("chromium", err, 3000);
}

static bool file_nonempty(const char *dir, const char *name)
{
	char p[600];
	struct stat st;
	snprintf(p, sizeof(p), "%s/%s", dir, name);
	return stat(p, &st) == 0 && S_ISREG(st.st_mode) && st.st_size > 0;
}

/* "pass" or "fail" from report.json, into out. */
static void json_verdict(const char *dir, char *out, size_t cap)
{
	char p[600];
	snprintf(p, sizeof(p), "%s/report.json", dir);
	char *text = proc_read_file(p);
	cJSON *root = text ? cJSON_Parse(text) : NULL;
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(root, "verdict");
	snprintf(out, cap, "%s", cJSON_IsString(v) ? v->valuestring : "?");
	cJSON_Delete(root);
	free(text);
}

static void run_report_renders(void)
{
	proc_cleanup_all();
	char log[512], dir[512], out[512];
	uint16_t port;
	pid_t uas = lab_uas(pki, "server", NULL, proc_path(log, sizeof(log), "uas.log"), &port);
	CU_ASSERT_FATAL(uas > 0);
	proc_path(dir, sizeof(dir), "report");
	proc_path(out, sizeof(out), "run.out");
	struct proc_args a = { 0 };
	args_add(&a, "%s", TL_BINARY);
	args_add(&a, "run");
	args_add(&a, "%s/scenarios/basic-call.json", TL_SOURCE_DIR);
	args_add(&a, "--target");
	args_add(&a, "127.0.0.1:%u", port);
	args_identity(&a, pki, "client");
	args_add(&a, "--ca");
	args_add(&a, "%s/ca.crt", pki);
	static const char *const load[] = { "--calls", "20", "--rate", "20", "--media-ms", "500",
					    "--quiet", "--trace", "all:2", NULL };
	args_add_list(&a, load);
	args_add(&a, "--report-dir");
	args_add(&a, "%s", dir);
	int rc = proc_run(a.v, out, NULL, RUN_TIMEOUT_MS, NULL);
	proc_stop(uas, SIGTERM, 5000);
	CHECK(rc == 0, "the run exits 0 (got %d)", rc);
	if (rc)
		proc_show_log("trunkload run", out, 3000);
	CHECK(file_nonempty(dir, "junit.xml"), "run did not write junit.xml");
	CHECK(file_nonempty(dir, "timeseries.csv"), "run did not write timeseries.csv");
	if (!file_nonempty(dir, "report.html")) {
		CHECK(false, "run did not write report.html");
		return;
	}

	char url[600], dom[512], err[512], shot[512], shot_err[512];
	snprintf(url, sizeof(url), "file://%s/report.html", dir);
	proc_path(dom, sizeof(dom), "report.dom");
	proc_path(err, sizeof(err), "dump.err");
	rc = render(url, dom, NULL, err);
	CHECK(rc == 0, "chromium --dump-dom exits 0 (got %d)", rc);
	unsigned bad = page_errors(err);
	CHECK(bad == 0, "the page loads without console errors or failed loads (%u lines)", bad);

	char *text = proc_read_file(dom);
	CHECK(text && strstr(text, "</html>"), "chromium dumped the DOM");
	/* the run had calls, latency and media: these are charts, not "no data" notes */
	static const char *const charts[] = { "chart-cps", "chart-active", "chart-p99", "chart-latency" };
	for (size_t i = 0; text && i < sizeof(charts) / sizeof(charts[0]); i++) {
		char want[80];
		snprintf(want, sizeof(want), "<svg class=\"chart\" id=\"%s\"", charts[i]);
		CHECK(strstr(text, want) != NULL, "the DOM has the chart %s", charts[i]);
	}
	CHECK(text && strstr(text, "id=\"chart-failures\""), "the DOM has the failures chart or its note");
	char verdict[16], banner[40];
	json_verdict(dir, verdict, sizeof(verdict));
	snprintf(banner, sizeof(banner), "class=\"banner %s\"", verdict);
	CHECK(text && strstr(text, banner), "the banner shows report.json's verdict (%s)", verdict);
	CHECK(text && strstr(text, "<span class=\"k\">calls attempted</span><span class=\"v\">20</span>"),
	      "the page shows the 20 calls attempted");
	CHECK(text && strstr(text, "id=\"srtp\"") && !strstr(text, "no media in this run"),
	      "the page shows the SRTP media");
	/* --trace all:2: two ladders, an arrow and a <details> per message */
	unsigned ladders = 0, arrows = 0, texts = 0;
	for (const char *p = text; p && (p = strstr(p, "<svg class=\"ladder\"")); p++)
		ladders++;
	for (const char *p = text; p && (p = strstr(p, "<g class=\"msg")); p++)
		arrows++;
	for (const char *p = text; p && (p = strstr(p, "<details")); p++)
		texts++;
	CHECK(ladders == 2, "the DOM has 2 ladder diagrams (%u)", ladders);
	CHECK(arrows >= 2 * 7 && texts == arrows, "%u arrows, each with its message (%u)", arrows, texts);
	CHECK(text && strstr(text, "INVITE</text>") && strstr(text, "200 OK</text>") &&
		      strstr(text, "BYE</text>"), "the arrows are labelled INVITE, 200 OK, BYE");
	free(text);

	proc_path(shot, sizeof(shot), "report.png");
	proc_path(shot_err, sizeof(shot_err), "shot.err");
	rc = render(url, NULL, shot, shot_err);
	CHECK(rc == 0, "chromium --screenshot exits 0 (got %d)", rc);
	char *png = proc_read_file(shot);
	CHECK(png && !memcmp(png, "\x89PNG", 4), "the screenshot %s is a PNG", shot);
	free(png);
	CHECK(file_nonempty(proc_tmpdir(), "report.png"), "the screenshot is not empty");
	proc_cleanup_all();
}


/* The messages of a trace file, each the text under its "--- " line, sorted; *n gets
 * how many. NULL when the file cannot be read. Caller frees each and the array. */
static char **trace_messages(const char *path, size_t *n)
{
	char *text = proc_read_file(path);
	*n = 0;
	if (!text)
		return NULL;
	size_t cap = 16;
	char **v = calloc(cap, sizeof(*v));
	for (char *p = strstr(text, "\n--- "); v && p;) {
		char *body = strchr(p + 1, '\n');
		char *next = body ? strstr(body, "\n--- ") : NULL;
		if (!body)
			break;
		size_t len = next ? (size_t)(next - body - 1) : strlen(body + 1);
		if (*n == cap) {
			char **w = realloc(v, 2 * cap * sizeof(*v));
			if (!w)
				break;
			v = w;
			cap *= 2;
		}
		v[(*n)++] = strndup(body + 1, len);
		p = next;
	}
	free(text);
	for (size_t i = 1; v && i < *n; i++) /* a few messages: insertion sort */
		for (size_t j = i; j > 0 && strcmp(v[j - 1], v[j]) > 0; j--) {
			char *t = v[j];
			v[j] = v[j - 1];
			v[j - 1] = t;
		}
	return v;
}

/* A responder that refuses every call with 503, both ends tracing failed:5: five trace
 * files at each end, for the same Call-IDs, holding the same messages (as sent at one
 * end, as received at the other), and five ladders in report.html, an arrow per
 * message. */
static void refused_calls_ladders(void)
{
	proc_cleanup_all();
	char log[512], dir[512], uas_dir[512], out[512];
	proc_path(uas_dir, sizeof(uas_dir), "uas-report");
	const char *const uflags[] = { "--refuse", "503", "--trace", "failed:5", "--report-dir", uas_dir,
				       NULL };
	uint16_t port;
	pid_t uas = lab_uas(pki, "server", uflags, proc_path(log, sizeof(log), "uas-503.log"), &port);
	CU_ASSERT_FATAL(uas > 0);
	proc_path(dir, sizeof(dir), "refused");
	proc_path(out, sizeof(out), "refused.out");
	struct proc_args a = { 0 };
	args_add(&a, "%s", TL_BINARY);
	args_add(&a, "run");
	args_add(&a, "--target");
	args_add(&a, "127.0.0.1:%u", port);
	args_add_list(&a, (const char *const[]){ "--calls", "20", "--rate", "40", "--quiet", "--trace",
						 "failed:5", NULL });
	args_lab_client(&a, pki, dir);
	int rc = proc_run(a.v, out, NULL, RUN_TIMEOUT_MS, NULL);
	int stopped = proc_stop(uas, SIGTERM, 5000);
	CHECK(rc == 1, "every call refused: the run fails (got %d)", rc);
	CHECK(stopped == 0, "the responder ends cleanly, its report written (got %d)", stopped);

	char path[700];
	snprintf(path, sizeof(path), "%s/report.json", dir);
	cJSON *ours = proc_load_json(path);
	snprintf(path, sizeof(path), "%s/report.json", uas_dir);
	cJSON *theirs = proc_load_json(path);
	const cJSON *our = cJSON_GetObjectItemCaseSensitive(ours, "traces");
	const cJSON *their = cJSON_GetObjectItemCaseSensitive(theirs, "traces");
	CHECK(cJSON_GetArraySize(our) == 5 && cJSON_GetArraySize(their) == 5,
	      "5 traces at each end (%d, %d)", cJSON_GetArraySize(our), cJSON_GetArraySize(their));
	unsigned messages = 0;
	const cJSON *t;
	cJSON_ArrayForEach(t, our) {
		const cJSON *id = cJSON_GetObjectItemCaseSensitive(t, "call_id");
		const cJSON *file = cJSON_GetObjectItemCaseSensitive(t, "file");
		const cJSON *reason = cJSON_GetObjectItemCaseSensitive(t, "reason");
		const cJSON *match = NULL, *u;
		cJSON_ArrayForEach(u, their) {
			const cJSON *uid = cJSON_GetObjectItemCaseSensitive(u, "call_id");
			if (cJSON_IsString(id) && cJSON_IsString(uid) && !strcmp(id->valuestring, uid->valuestring))
				match = u;
		}
		CHECK(match != NULL, "the responder traced %s too", cJSON_IsString(id) ? id->valuestring : "?");
		CHECK(cJSON_IsString(reason) && !strcmp(reason->valuestring, "status_503"), "reason status_503");
		if (!match || !cJSON_IsString(file))
			continue;
		const cJSON *ufile = cJSON_GetObjectItemCaseSensitive(match, "file");
		char a_path[900], b_path[900];
		snprintf(a_path, sizeof(a_path), "%s/%s", dir, file->valuestring);
		snprintf(b_path, sizeof(b_path), "%s/%s", uas_dir, cJSON_IsString(ufile) ? ufile->valuestring : "?");
		size_t na, nb;
		char **ma = trace_messages(a_path, &na), **mb = trace_messages(b_path, &nb);
		bool same = ma && mb && na == nb && na >= 4; /* INVITE, 100, 503, ACK */
		for (size_t i = 0; same && i < na; i++)
			same = !strcmp(ma[i], mb[i]);
		CHECK(same, "%s: the same %zu messages at both ends (%zu at the responder)", id->valuestring,
		      na, nb);
		messages += (unsigned)na;
		for (size_t i = 0; i < na; i++)
			free(ma[i]);
		for (size_t i = 0; i < nb; i++)
			free(mb[i]);
		free(ma);
		free(mb);
	}
	cJSON_Delete(ours);
	cJSON_Delete(theirs);

	char url[600], dom[512], err[512];
	snprintf(url, sizeof(url), "file://%s/report.html", dir);
	proc_path(dom, sizeof(dom), "refused.dom");
	proc_path(err, sizeof(err), "refused.err");
	rc = render(url, dom, NULL, err);
	CHECK(rc == 0, "chromium --dump-dom exits 0 (got %d)", rc);
	char *text = proc_read_file(dom);
	unsigned ladders = 0, arrows = 0;
	for (const char *p = text; p && (p = strstr(p, "<svg class=\"ladder\"")); p++)
		ladders++;
	for (const char *p = text; p && (p = strstr(p, "<g class=\"msg")); p++)
		arrows++;
	CHECK(ladders == 5, "the DOM has 5 ladder diagrams (%u)", ladders);
	CHECK(arrows == messages && messages > 0, "an arrow per traced message (%u arrows, %u messages)",
	      arrows, messages);
	CHECK(text && strstr(text, "503 Service Unavailable</text>"), "the arrows show the 503");
	free(text);
}

static const struct tl_case cases[] = {
	{ "detector_sees_page_errors", detector_sees_page_errors },
	{ "run_report_renders", run_report_renders },
	{ "refused_calls_ladders", refused_calls_ladders },
};

int main(void)
{
	if (!proc_have("chromium")) {
		fprintf(stderr, "test_html: SKIPPED: chromium is not installed (Debian package chromium)\n");
		return 77;
	}
	if (!proc_tmpdir()) {
		perror("test_html: mkdtemp");
		return 1;
	}
	if (lab_pki("pki", pki, sizeof(pki)))
		return 1;
	return tl_run("html", TL_CASES(cases));
}
