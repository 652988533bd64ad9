/* Report writers: timeseries.csv, junit.xml and report.html from a synthetic result
 * whose names and certificate texts carry markup (<script>, &, quotes) and bytes that
 * are not UTF-8; the files must escape them, stay well-formed and name their charts. */
#include "tl_test.h"
#include "report.h"

#include <dirent.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define NASTY "<script>alert('x')</script> & \"q\""
#define N_ROWS 12
#define UTF8 "M\xc3\xbcller \xe2\x9c\x93 \xf0\x9d\x84\x9e" /* kept as it is */

struct fixture {
	struct scenario scn;
	struct result res;
	struct verdict verdict;
	struct report rep;
	char dir[64];
};

static struct fixture *fx;

static void add_finding(struct tls_peer *p, const char *code, enum finding_severity sev,
			const char *msg)
{
	struct finding *f = &p->findings[p->n_findings++];
	snprintf(f->code, sizeof(f->code), "%s", code);
	f->severity = sev;
	snprintf(f->message, sizeof(f->message), "%s", msg);
}

/* A run of N_ROWS seconds at 10 calls/s with failures, media, TLS facts and a peer
 * whose certificate and findings carry the nasty strings. */
static void fill(struct fixture *x)
{
	scenario_default(&x->scn);
	snprintf(x->scn.name, sizeof(x->scn.name), "evil <b>&\"'");
	x->scn.rate = 10;
	x->scn.calls = 120;
	struct threshold *t = &x->scn.thresholds[x->scn.n_thresholds++];
	snprintf(t->metric, sizeof(t->metric), "latency_ms.invite_to_200");
	snprintf(t->stat, sizeof(t->stat), "p99");
	t->has_max = true;
	t->max = 1000;
	const char *list, *bad_item;
	size_t bad_len;
	list = "10.0.0.2:5061,10.0.0.3:5062";
	CU_ASSERT_FATAL(scn_set_targets(&x->scn, list, &bad_item, &bad_len) == 0);
	snprintf(x->scn.dests[1].server_name, sizeof(x->scn.dests[1].server_name), "n<3>&");
	x->scn.distribution = DEST_FAILOVER;

	struct result *r = &x->res;
	result_init(r);
	CU_ASSERT_FATAL(result_dests_reserve(r, 2) == 0);
	r->dests[0] = (struct dest_result){ .calls = 70, .completed = 66, .failed = 4, .went_down = 1 };
	reason_table_add(r->dests[0].reasons, &r->dests[0].n_reasons, DEST_MAX_REASONS,
			 "connection_lost", 4);
	r->dests[1] = (struct dest_result){ .calls = 50, .completed = 49, .failed = 1 };
	for (unsigned i = 0; i < 2; i++) {
		hist_init(&r->dests[i].invite_to_200);
		hist_record(&r->dests[i].invite_to_200, 4000 + 1000 * i);
	}
	r->attempted = 120;
	r->completed = 115;
	r->failed = 5;
	r->max_concurrent = 31;
	r->elapsed_s = N_ROWS;
	for (int i = 0; i < 3; i++)
		result_fail(r, "timeout_200");
	result_fail(r, "status_486");
	result_fail(r, "<b>&\"'");
	for (unsigned i = 0; i < 1000; i++) {
		hist_record(&r->lat[LAT_INVITE_TO_200], 1000 * (i + 1));
		hist_record(&r->lat[LAT_TLS_HANDSHAKE], 2000 + i);
	}
	for (unsigned s = 0; s < N_ROWS; s++) {
		struct ts_row *row = result_ts_row(r, s);
		CU_ASSERT_PTR_NOT_NULL_FATAL(row);
		*row = (struct ts_row){ .started = 10, .completed = s ? 9 : 0, .failed = s == 5,
					.active = 30, .p99_us = s ? 12345 * s : 0,
					.lag_max_us = s == 7 ? 25500 : 0 };
	}
	r->srtp.n[SRTP_STREAMS] = 115;
	r->srtp.n[SRTP_PACKETS_SENT] = 17250;
	r->srtp.n[SRTP_PACKETS_RECEIVED] = 17240;
	r->srtp.n[SRTP_EXPECTED] = 17250;
	r->srtp.n[SRTP_LOST] = 10;
	r->srtp.n[SRTP_STREAMS_RECEIVING] = 115;
	r->srtp.jitter_ms_sum = 115 * 0.4;
	r->srtp.jitter_ms_max = 1.5;
	snprintf(r->srtp.suite, sizeof(r->srtp.suite), "AES_CM_128_HMAC_SHA1_80");

	r->hs_ok = 1;
	r->alerts.received[42] = 2;
	result_name_add(r->versions, "TLSv1.3", 1);
	result_name_add(r->ciphers, "TLS_AES_256_GCM_SHA384", 1);
	struct tls_peer *p = &r->peer;
	p->seen = true;
	p->n_chain = 1;
	struct cert_facts *c = &p->chain[0];
	snprintf(c->subject, sizeof(c->subject), "CN=" NASTY ",O=bad\x01\xff");
	snprintf(c->issuer, sizeof(c->issuer), "CN=issuer & <co>");
	snprintf(c->san, sizeof(c->san), "DNS:a.example, DNS:'quoted'");
	c->days_left = 12;
	snprintf(p->hs.version, sizeof(p->hs.version), "TLSv1.3");
	add_finding(p, "expires_soon", FINDING_WARNING, "expires in 12 days " NASTY);
	add_finding(p, "x\"<&'", FINDING_ERROR, "bad byte \xc3\x28, surrogate \xed\xa0\x80 and \x02; " UTF8 " " NASTY);
	add_finding(p, "info_only", FINDING_INFO, "just so");

	verdict_judge(&x->scn, r, &x->verdict);
	x->rep = (struct report){ .scn = &x->scn, .res = r, .verdict = &x->verdict,
				  .command = "trunkload run <x> & 'y'", .started_at = 1700000000,
				  .version = "test" };
}

static void setup(void)
{
	fx = calloc(1, sizeof(*fx));
	CU_ASSERT_PTR_NOT_NULL_FATAL(fx);
	snprintf(fx->dir, sizeof(fx->dir), "/tmp/test_reports.XXXXXX");
	CU_ASSERT_PTR_NOT_NULL_FATAL(mkdtemp(fx->dir));
	fill(fx);
}

/* Removes the scratch directory with what is in it (no subdirectories but one level). */
static void rm_tree(const char *dir)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	while (d && (e = readdir(d))) {
		if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, ".."))
			continue;
		char p[512];
		snprintf(p, sizeof(p), "%s/%s", dir, e->d_name);
		if (unlink(p) && errno == EISDIR)
			rm_tree(p);
	}
	if (d)
		closedir(d);
	rmdir(dir);
}

static void teardown(void)
{
	rm_tree(fx->dir);
	result_free(&fx->res);
	free(fx);
	fx = NULL;
}

static char *slurp(const char *path)
{
	FILE *f = fopen(path, "r");
	if (!f)
		return NULL;
	char *buf = NULL;
	size_t cap = 0, n = 0, got;
	do {
		if (n + 4096 + 1 > cap) {
			char *p = realloc(buf, cap = cap * 2 + 8192);
			if (!p) {
				free(buf);
				fclose(f);
				return NULL;
			}
			buf = p;
		}
		got = fread(buf + n, 1, 4096, f);
		n += got;
	} while (got);
	fclose(f);
	buf[n] = 0;
	return buf;
}

static unsigned count(const char *hay, const char *needle)
{
	unsigned n = 0;
	for (const char *p = strstr(hay, needle); p; p = strstr(p + 1, needle))
		n++;
	return n;
}

typedef int (*writer_fn)(const char *, const struct report *, char *, size_t);

/* Writes one report into the fixture's directory and returns its text (caller frees). */
static char *write_and_read(writer_fn w, const char *name, char *path, size_t cap)
{
	char err[600] = "";
	snprintf(path, cap, "%s/%s", fx->dir, name);
	int rc = w(path, &fx->rep, err, sizeof(err));
	if (rc)
		fprintf(stderr, "\n%s: %s\n", name, err);
	CU_ASSERT_EQUAL_FATAL(rc, 0);
	char tmp[600];
	snprintf(tmp, sizeof(tmp), "%s.tmp", path);
	CU_ASSERT(access(tmp, F_OK) != 0); /* renamed into place */
	char *text = slurp(path);
	CU_ASSERT_PTR_NOT_NULL_FATAL(text);
	return text;
}

static void csv_rows(void)
{
	setup();
	char path[600];
	char *text = write_and_read(report_write_csv, "timeseries.csv", path, sizeof(path));
	static const struct {
		const char *line; /* expected somewhere in the file, whole */
	} want[] = {
		{ "t,started,completed,failed,active,p99_ms,schedule_lag_ms\n" },
		{ "\n0,10,0,0,30,0.000,0.000\n" },
		{ "\n5,10,9,1,30,61.725,0.000\n" },
		{ "\n7,10,9,0,30,86.415,25.500\n" },
		{ "\n11,10,9,0,30,135.795,0.000\n" },
	};
	CU_ASSERT(!strncmp(text, want[0].line, strlen(want[0].line)));
	for (size_t i = 1; i < sizeof(want) / sizeof(want[0]); i++)
		CU_ASSERT_PTR_NOT_NULL(strstr(text, want[i].line));
	CU_ASSERT_EQUAL(count(text, "\n"), N_ROWS + 1);
	free(text);

	/* no seconds: the header alone */
	result_free(&fx->res);
	text = write_and_read(report_write_csv, "empty.csv", path, sizeof(path));
	CU_ASSERT_STRING_EQUAL(text, "t,started,completed,failed,active,p99_ms,schedule_lag_ms\n");
	free(text);
	teardown();
}

static bool have_python3(void)
{
	return system("command -v python3 >/dev/null 2>&1") == 0;
}

static void junit_cases(void)
{
	setup();
	char path[600];
	char *text = write_and_read(report_write_junit, "junit.xml", path, sizeof(path));
	const struct verdict *v = &fx->verdict;
	unsigned fails = 0, warns = 0;
	for (unsigned i = 0; i < v->n_checks; i++) {
		fails += v->checks[i].status == CHECK_FAIL;
		warns += v->checks[i].status == CHECK_WARN;
	}
	/* the fixture judges to failures (the error finding) and a warning (expires_soon) */
	CU_ASSERT(fails >= 1 && warns >= 1 && v->n_checks >= 4);
	char attr[160];
	snprintf(attr, sizeof(attr), "tests=\"%u\" failures=\"%u\" errors=\"0\" skipped=\"%u\" time=\"%.3f\"",
		 v->n_checks, fails, warns, (double)N_ROWS);
	CU_ASSERT_EQUAL(count(text, attr), 2); /* testsuites and testsuite */
	CU_ASSERT_EQUAL(count(text, "<testcase "), v->n_checks);
	CU_ASSERT_EQUAL(count(text, "</testcase>"), v->n_checks);
	CU_ASSERT_EQUAL(count(text, "<failure "), fails);
	CU_ASSERT_EQUAL(count(text, "<skipped "), warns);
	CU_ASSERT_EQUAL(count(text, "classname=\"trunkload.evil &lt;b&gt;&amp;&quot;&apos;\""),
			v->n_checks);
	CU_ASSERT_PTR_NOT_NULL(strstr(text, "name=\"tls.finding.x&quot;&lt;&amp;&apos;\""));
	CU_ASSERT_PTR_NOT_NULL(strstr(text, "&lt;script&gt;alert(&apos;x&apos;)&lt;/script&gt; &amp; &quot;q&quot;"));
	CU_ASSERT_PTR_NULL(strstr(text, "<script"));
	CU_ASSERT_PTR_NULL(strstr(text, "\xff"));
	CU_ASSERT_PTR_NULL(strstr(text, "\x02"));
	CU_ASSERT_PTR_NULL(strstr(text, "\xed\xa0"));
	CU_ASSERT_PTR_NOT_NULL(strstr(text, "bad byte ?(, surrogate ???"));
	CU_ASSERT_PTR_NOT_NULL(strstr(text, UTF8));
	CU_ASSERT_PTR_NOT_NULL(strstr(text, "message=\"expected &lt;= 0, observed 5\""));
	if (have_python3()) {
		char cmd[800];
		snprintf(cmd, sizeof(cmd),
			 "python3 -c \"import xml.dom.minidom,sys; xml.dom.minidom.parse(sys.argv[1])\" '%s'",
			 path);
		CU_ASSERT_EQUAL(system(cmd), 0);
	} else {
		fprintf(stderr, "\n(python3 absent: junit.xml not parsed)\n");
	}
	free(text);
	teardown();
}

static const char *const chart_ids[] = { "chart-cps", "chart-active", "chart-p99", "chart-latency",
					 "chart-failures" };

/* The text of the <svg> with this id, up to its end (points into text). */
static const char *svg_of(const char *text, const char *id, size_t *len)
{
	char open[80];
	snprintf(open, sizeof(open), "<svg class=\"chart\" id=\"%s\"", id);
	const char *p = strstr(text, open), *end = p ? strstr(p, "</svg>") : NULL;
	*len = end ? (size_t)(end - p) : 0;
	return end ? p : NULL;
}

static void html_page(void)
{
	setup();
	char path[600];
	char *text = write_and_read(report_write_html, "report.html", path, sizeof(path));
	for (size_t i = 0; i < sizeof(chart_ids) / sizeof(chart_ids[0]); i++) {
		size_t len;
		const char *svg = svg_of(text, chart_ids[i], &len);
		CU_ASSERT_PTR_NOT_NULL(svg);
		if (!svg) {
			fprintf(stderr, "\nno chart %s\n", chart_ids[i]);
			continue;
		}
		char title[80];
		snprintf(title, sizeof(title), "<title id=\"%s-title\">", chart_ids[i]);
		CU_ASSERT_PTR_NOT_NULL(strstr(svg, title));
		CU_ASSERT(strstr(svg, title) < svg + len);
	}
	CU_ASSERT_EQUAL(count(text, "<svg "), count(text, "</svg>"));
	static const char *const absent[] = { "http://", "https://", "<script", "<SCRIPT", "<b>&",
					      "\xff", "\x01", "\x02", "\xed\xa0", "'x'", "src=" };
	for (size_t i = 0; i < sizeof(absent) / sizeof(absent[0]); i++) {
		CU_ASSERT_PTR_NULL(strstr(text, absent[i]));
		if (strstr(text, absent[i]))
			fprintf(stderr, "\nreport.html contains %s\n", absent[i]);
	}
	static const char *const present[] = {
		"&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt; &amp; &quot;q&quot;",
		"trunkload report: evil &lt;b&gt;&amp;&quot;&#39;</h1>",
		"CN=issuer &amp; &lt;co&gt;",
		"<code>trunkload run &lt;x&gt; &amp; &#39;y&#39;</code>",
		"class=\"banner fail\"",
		"class=\"target\"",             /* the dashed target rate */
		"&lt;b&gt;&amp;&quot;&#39;</text>", /* a failure reason's bar label */
		"AES_CM_128_HMAC_SHA1_80",
		"bad_certificate", "expires_soon", "TLS_AES_256_GCM_SHA384",
		"Content-Security-Policy",
		"Destinations (failover)", "n&lt;3&gt;&amp;", "connection_lost 4",
		"bad byte ?(, surrogate ???",
		UTF8,
	};
	for (size_t i = 0; i < sizeof(present) / sizeof(present[0]); i++) {
		CU_ASSERT_PTR_NOT_NULL(strstr(text, present[i]));
		if (!strstr(text, present[i]))
			fprintf(stderr, "\nreport.html lacks %s\n", present[i]);
	}
	/* one percentile curve per interval that has values: invite_to_200 and tls_handshake */
	size_t len;
	const char *lat = svg_of(text, "chart-latency", &len);
	CU_ASSERT_PTR_NOT_NULL_FATAL(lat);
	unsigned curves = 0;
	for (const char *p = strstr(lat, "class=\"series\""); p && p < lat + len;
	     p = strstr(p + 1, "class=\"series\""))
		curves++;
	CU_ASSERT_EQUAL(curves, 2);
	/* the table shows the interval's own percentiles */
	char p99[64];
	snprintf(p99, sizeof(p99), "<td class=\"n\">%.2f</td>",
		 hist_percentile(&fx->res.lat[LAT_INVITE_TO_200], 99) / 1000.0);
	CU_ASSERT_PTR_NOT_NULL(strstr(text, p99));
	free(text);
	teardown();
}

/* Nothing ran: every chart becomes a "no data" note, and the page still says why. */
static void html_empty(void)
{
	setup();
	result_free(&fx->res);
	result_init(&fx->res);
	fx->res.could_not_run = -ECONNREFUSED;
	snprintf(fx->res.could_not_run_why, sizeof(fx->res.could_not_run_why), "connect: <refused>");
	verdict_judge(&fx->scn, &fx->res, &fx->verdict);
	char path[600];
	char *text = write_and_read(report_write_html, "report.html", path, sizeof(path));
	CU_ASSERT_EQUAL(count(text, "<svg"), 0);
	for (size_t i = 0; i < sizeof(chart_ids) / sizeof(chart_ids[0]); i++) {
		char note[80];
		snprintf(note, sizeof(note), "<div class=\"nodata\" id=\"%s\">", chart_ids[i]);
		CU_ASSERT_PTR_NOT_NULL(strstr(text, note));
	}
	CU_ASSERT_PTR_NOT_NULL(strstr(text, "no media in this run"));
	CU_ASSERT_PTR_NOT_NULL(strstr(text, "could not run: connect: &lt;refused&gt;"));
	static const char *const bad_numbers[] = { ">nan", ">-nan", "\"nan", ">inf", ">-inf", "\"inf" };
	for (size_t i = 0; i < sizeof(bad_numbers) / sizeof(bad_numbers[0]); i++)
		CU_ASSERT_PTR_NULL(strstr(text, bad_numbers[i]));
	free(text);
	teardown();
}

/* Latencies all of 0 us still make a chart, with no NaN or infinity in it. */
static void html_zero_latency(void)
{
	setup();
	result_free(&fx->res);
	result_init(&fx->res);
	hist_record(&fx->res.lat[LAT_ANSWER_TO_MEDIA], 0);
	verdict_judge(&fx->scn, &fx->res, &fx->verdict);
	char path[600];
	char *text = write_and_read(report_write_html, "report.html", path, sizeof(path));
	size_t len;
	const char *svg = svg_of(text, "chart-latency", &len);
	CU_ASSERT_PTR_NOT_NULL(svg);
	CU_ASSERT_PTR_NULL(strstr(text, "nan"));
	CU_ASSERT_PTR_NULL(strstr(text, "inf "));
	free(text);
	teardown();
}

/* Ten hours of rows: each line is drawn with at most 1200 points, one per group of
 * seconds, and without a marker per second. */
static void html_long_run(void)
{
	setup();
	const unsigned rows = 36000;
	for (unsigned s = 0; s < rows; s++) {
		struct ts_row *row = result_ts_row(&fx->res, s);
		if (!row)
			CU_FAIL_FATAL("out of memory");
		*row = (struct ts_row){ .started = 10 + s % 7, .completed = 10, .active = 30,
					.p99_us = 1000 + s };
	}
	char path[600];
	char *text = write_and_read(report_write_html, "report.html", path, sizeof(path));
	size_t len;
	const char *svg = svg_of(text, "chart-cps", &len);
	CU_ASSERT_PTR_NOT_NULL_FATAL(svg);
	const char *d = strstr(svg, "<path class=\"series\"");
	CU_ASSERT_PTR_NOT_NULL_FATAL(d);
	const char *end = strstr(d, "/>");
	unsigned points = 0;
	for (const char *p = d; p < end; p++)
		points += *p == 'M' || *p == 'L';
	CU_ASSERT(points >= 1000 && points <= 1200);
	unsigned circles = 0;
	for (const char *p = strstr(svg, "<circle"); p && p < svg + len; p = strstr(p + 1, "<circle"))
		circles++;
	CU_ASSERT_EQUAL(circles, 0);
	free(text);
	teardown();
}

/* A directory that does not exist, and a target that is a directory (the rename
 * fails after the temporary file was written): -errno, the file named, no leftovers. */
static void unwritable(void)
{
	setup();
	static const struct {
		writer_fn w;
		const char *name;
	} writers[] = {
		{ report_write_csv, "csv" }, { report_write_junit, "junit" }, { report_write_html, "html" },
	};
	char missing[200], isdir[200], tmp[220];
	snprintf(missing, sizeof(missing), "%s/no/such/dir/report.out", fx->dir);
	snprintf(isdir, sizeof(isdir), "%s/adir", fx->dir);
	CU_ASSERT_EQUAL_FATAL(mkdir(isdir, 0700), 0);
	char inside[240];
	snprintf(inside, sizeof(inside), "%s/keep", isdir);
	FILE *f = fopen(inside, "w"); /* not empty: rename cannot replace it */
	CU_ASSERT_PTR_NOT_NULL_FATAL(f);
	fclose(f);
	for (size_t i = 0; i < sizeof(writers) / sizeof(writers[0]); i++) {
		char err[400] = "";
		int rc = writers[i].w(missing, &fx->rep, err, sizeof(err));
		CU_ASSERT_EQUAL(rc, -ENOENT);
		CU_ASSERT_PTR_NOT_NULL(strstr(err, "/no/such/dir/report.out"));
		CU_ASSERT_PTR_NOT_NULL(strstr(err, strerror(ENOENT)));

		err[0] = 0;
		rc = writers[i].w(isdir, &fx->rep, err, sizeof(err));
		CU_ASSERT(rc == -EISDIR || rc == -ENOTEMPTY || rc == -EEXIST);
		CU_ASSERT_PTR_NOT_NULL(strstr(err, isdir));
		snprintf(tmp, sizeof(tmp), "%s.tmp", isdir);
		CU_ASSERT(access(tmp, F_OK) != 0);
		if (rc >= 0 || !err[0])
			fprintf(stderr, "\n%s: rc %d err '%s'\n", writers[i].name, rc, err);
	}
	teardown();
}

static const struct tl_case cases[] = {
	{ "csv_rows", csv_rows },
	{ "junit_cases", junit_cases },
	{ "html_page", html_page },
	{ "html_empty", html_empty },
	{ "html_zero_latency", html_zero_latency },
	{ "html_long_run", html_long_run },
	{ "unwritable", unwritable },
};

int main(void)
{
	return tl_run("reports", TL_CASES(cases));
}
