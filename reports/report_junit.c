/* junit.xml: the verdict's checks as test cases, so that CI servers (Jenkins,
 * GitLab) list each threshold and expectation with what was expected and observed. */
#include "report.h"
#include "report_io.h"
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

static void xml(FILE *f, const char *s)
{
	report_escape(f, s, 1);
}

static void counts(FILE *f, const struct verdict *v, double seconds)
{
	unsigned failures = 0, skipped = 0;
	for (unsigned i = 0; i < v->n_checks; i++) {
		failures += v->checks[i].status == CHECK_FAIL;
		skipped += v->checks[i].status == CHECK_WARN;
	}
	fprintf(f, " tests=\"%u\" failures=\"%u\" errors=\"0\" skipped=\"%u\" time=\"%.3f\"",
		v->n_checks, failures, skipped, seconds);
}

static void testcase(FILE *f, const char *scenario, const struct check *c)
{
	fputs("    <testcase name=\"", f);
	xml(f, c->name);
	fputs("\" classname=\"trunkload.", f);
	xml(f, scenario);
	fputs("\" time=\"0\">\n", f);
	const char *tag = c->status == CHECK_FAIL ? "failure" : c->status == CHECK_WARN ? "skipped" : NULL;
	if (tag) {
		fprintf(f, "      <%s message=\"%sexpected ", tag, c->status == CHECK_WARN ? "warning: " : "");
		xml(f, c->expected);
		fputs(", observed ", f);
		xml(f, c->observed);
		fprintf(f, "\"%s>", c->status == CHECK_FAIL ? " type=\"threshold\"" : "");
		fputs("expected: ", f);
		xml(f, c->expected);
		fputs("\nobserved: ", f);
		xml(f, c->observed);
		fprintf(f, "</%s>\n", tag);
	}
	/* passing checks too: a CI page then shows what was measured */
	fputs("      <system-out>expected: ", f);
	xml(f, c->expected);
	fputs("\nobserved: ", f);
	xml(f, c->observed);
	fputs("</system-out>\n    </testcase>\n", f);
}

int report_write_junit(const char *path, const struct report *rep, char *err, size_t errlen)
{
	const struct scenario *s = rep->scn;
	const struct verdict *v = rep->verdict;
	char tmp[PATH_MAX + 8];
	FILE *f;
	int open_rc = report_open_tmp(path, tmp, sizeof(tmp), &f, err, errlen);
	if (open_rc)
		return open_rc;

	char when[32] = "";
	time_t t = (time_t)rep->started_at;
	struct tm tm;
	if (gmtime_r(&t, &tm))
		strftime(when, sizeof(when), "%Y-%m-%dT%H:%M:%S", &tm);
	fputs("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<testsuites name=\"trunkload\"", f);
	counts(f, v, rep->res->elapsed_s);
	fputs(">\n  <testsuite name=\"trunkload.", f);
	xml(f, s->name);
	fputc('"', f);
	counts(f, v, rep->res->elapsed_s);
	fprintf(f, " timestamp=\"%s\">\n    <properties>\n      <property name=\"verdict\" value=\"", when);
	fputs(v->pass ? "pass" : "fail", f);
	fputs("\"/>\n      <property name=\"scenario_file\" value=\"", f);
	xml(f, s->path);
	fputs("\"/>\n      <property name=\"command\" value=\"", f);
	xml(f, rep->command ? rep->command : "");
	fputs("\"/>\n      <property name=\"version\" value=\"", f);
	xml(f, rep->version ? rep->version : "");
	fputs("\"/>\n    </properties>\n", f);
	for (unsigned i = 0; i < v->n_checks; i++)
		testcase(f, s->name, &v->checks[i]);
	fputs("  </testsuite>\n</testsuites>\n", f);
	return report_commit(f, tmp, path, err, errlen);
}
