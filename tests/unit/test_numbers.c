/* numbers: ranges and CSV number tables parse as the scenario documents them, every
 * refusal names its line and column; every truncated prefix of a good table is refused
 * or taken, never read past (inputs end at a PROT_NONE page); numbers_pick wraps in
 * order and draws uniformly and reproducibly at random. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "guard.h"
#include "numbers.h"
#include "check.h"


#define RANGE_ERR "expected a range FROM-TO of decimal numbers with FROM <= TO, got "
#define RANGE_LONG "expected a range FROM-TO of decimal numbers of at most 18 digits each, got "

static void test_ranges(void)
{
	static const struct {
		const char *text;
		int rc;
		uint64_t lo, count;
		unsigned width;
		const char *first, *last, *err;
	} cases[] = {
		{ "1000-1999", 0, 1000, 1000, 0, "1000", "1999", NULL },
		{ "0100-0199", 0, 100, 100, 4, "0100", "0199", NULL },
		{ "007-1000", 0, 7, 994, 3, "007", "1000", NULL },
		{ "0-9", 0, 0, 10, 0, "0", "9", NULL },
		{ "5-5", 0, 5, 1, 0, "5", "5", NULL },
		{ "0-999999999999999999", 0, 0, 1000000000000000000ull, 0, "0",
		  "999999999999999999", NULL },
		{ "000000000000000001-000000000000000002", 0, 1, 2, 18, "000000000000000001",
		  "000000000000000002", NULL },
		{ "1999-1000", -EINVAL, 0, 0, 0, NULL, NULL, RANGE_ERR "\"1999-1000\"" },
		{ "12", -EINVAL, 0, 0, 0, NULL, NULL, RANGE_ERR "\"12\"" },
		{ "a-b", -EINVAL, 0, 0, 0, NULL, NULL, RANGE_ERR "\"a-b\"" },
		{ "1-", -EINVAL, 0, 0, 0, NULL, NULL, RANGE_ERR "\"1-\"" },
		{ "-1", -EINVAL, 0, 0, 0, NULL, NULL, RANGE_ERR "\"-1\"" },
		{ "", -EINVAL, 0, 0, 0, NULL, NULL, RANGE_ERR "\"\"" },
		{ "1--2", -EINVAL, 0, 0, 0, NULL, NULL, RANGE_ERR "\"1--2\"" },
		{ "+1-2", -EINVAL, 0, 0, 0, NULL, NULL, RANGE_ERR "\"+1-2\"" },
		{ "1-2-3", -EINVAL, 0, 0, 0, NULL, NULL, RANGE_ERR "\"1-2-3\"" },
		{ " 1-2", -EINVAL, 0, 0, 0, NULL, NULL, RANGE_ERR "\" 1-2\"" },
		{ "1-2 ", -EINVAL, 0, 0, 0, NULL, NULL, RANGE_ERR "\"1-2 \"" },
		{ "1 - 2", -EINVAL, 0, 0, 0, NULL, NULL, RANGE_ERR "\"1 - 2\"" },
		{ "1-2\n", -EINVAL, 0, 0, 0, NULL, NULL, RANGE_ERR "\"1-2\\x0a\"" },
		{ "1234567890123456789-1234567890123456790", -EINVAL, 0, 0, 0, NULL, NULL,
		  RANGE_LONG "\"1234567890123456789-1234567890123456790\"" },
		{ "1-9999999999999999999", -EINVAL, 0, 0, 0, NULL, NULL,
		  RANGE_LONG "\"1-9999999999999999999\"" },
		{ "0000000000000000001-2", -EINVAL, 0, 0, 0, NULL, NULL,
		  RANGE_LONG "\"0000000000000000001-2\"" },
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		const char *text = cases[i].text;
		struct number_range r = { 42, 42, 42 };
		char err[256] = "", num[32];
		int rc = number_range_parse(text, &r, err, sizeof(err));
		CHECK(rc == cases[i].rc, "\"%s\": rc %d, want %d (%s)", text, rc, cases[i].rc, err);
		if (cases[i].rc) {
			CHECK(!strcmp(err, cases[i].err), "\"%s\": err \"%s\"", text, err);
			CHECK(r.lo == 42 && r.count == 42 && r.width == 42, "\"%s\": out set", text);
			continue;
		}
		CHECK(r.lo == cases[i].lo && r.count == cases[i].count && r.width == cases[i].width,
		      "\"%s\": lo %llu count %llu width %u", text, (unsigned long long)r.lo,
		      (unsigned long long)r.count, r.width);
		size_t n = number_range_format(&r, 0, num, sizeof(num));
		CHECK(n == strlen(cases[i].first) && !strcmp(num, cases[i].first),
		      "\"%s\": first \"%s\"", text, num);
		n = number_range_format(&r, r.count - 1, num, sizeof(num));
		CHECK(n == strlen(cases[i].last) && !strcmp(num, cases[i].last),
		      "\"%s\": last \"%s\"", text, num);
	}
}

/* Cut like snprintf: the whole length is returned, what fits is written. */
static void test_range_format_cut(void)
{
	struct number_range r;
	char buf[8];
	CU_ASSERT_EQUAL_FATAL(number_range_parse("0100-0199", &r, NULL, 0), 0);
	memset(buf, 'x', sizeof(buf));
	CU_ASSERT_EQUAL(number_range_format(&r, 5, buf, 3), 4);
	CU_ASSERT_STRING_EQUAL(buf, "01");
	CU_ASSERT_EQUAL(buf[3], 'x');
	CU_ASSERT_EQUAL(number_range_format(&r, 5, buf, 0), 4);
	CU_ASSERT_EQUAL(buf[0], '0');
	CU_ASSERT_EQUAL(number_range_parse("1-2 3", &r, NULL, 0), -EINVAL); /* no err buffer */
}

static const char good_csv[] =
	"\r\n"
	" from ,\tto_2\r\n"
	"1000,2000\r\n"
	"\r\n"
	"  +4930123  ,\tsip-user.x_1\t\r\n"
	"   \t\r\n"
	"0100,*31#!~\r\n"
	"\r\n";

static void test_csv_good(void)
{
	struct number_table t;
	char err[256] = "";
	struct guard g;
	guard_init(&g, sizeof(good_csv));
	const char *p = guard_put(&g, good_csv, sizeof(good_csv) - 1);
	int rc = number_table_parse(p, sizeof(good_csv) - 1, &t, err, sizeof(err));
	CHECK(rc == 0, "rc %d: %s", rc, err);
	guard_free(&g);
	if (rc)
		return;
	CU_ASSERT_EQUAL(t.n_cols, 2);
	CU_ASSERT_STRING_EQUAL(t.cols[0], "from");
	CU_ASSERT_STRING_EQUAL(t.cols[1], "to_2");
	CU_ASSERT_EQUAL(t.n_rows, 3);
	CU_ASSERT_EQUAL(number_table_column(&t, "from", 4), 0);
	CU_ASSERT_EQUAL(number_table_column(&t, "to_2}", 4), 1);
	CU_ASSERT_EQUAL(number_table_column(&t, "to", 2), -1);
	CU_ASSERT_EQUAL(number_table_column(&t, "fro", 3), -1);
	CU_ASSERT_EQUAL(number_table_column(&t, "", 0), -1);
	static const char *want[3][2] = {
		{ "1000", "2000" }, { "+4930123", "sip-user.x_1" }, { "0100", "*31#!~" },
	};
	for (unsigned r = 0; r < 3; r++)
		for (unsigned c = 0; c < 2; c++)
			CHECK(!strcmp(number_table_get(&t, r, c), want[r][c]), "row %u col %u: \"%s\"",
			      r, c, number_table_get(&t, r, c));
	number_table_free(&t);
	CU_ASSERT_PTR_NULL(t.text);
	number_table_free(&t); /* twice is harmless */

	/* one column, no line end at the end; LF only */
	rc = number_table_parse("n\n1\n2\n3", 7, &t, err, sizeof(err));
	CU_ASSERT_EQUAL_FATAL(rc, 0);
	CU_ASSERT_EQUAL(t.n_rows, 3);
	CU_ASSERT_STRING_EQUAL(number_table_get(&t, 2, 0), "3");
	number_table_free(&t);

	/* the widest values and names, and eight columns */
	char buf[1024];
	const char *v63 = "123456789012345678901234567890123456789012345678901234567890123";
	const char *n31 = "abcdefghijklmnopqrstuvwxyz_1234";
	int n = snprintf(buf, sizeof(buf), "%s,b,c,d,e,f,g,h\n%s,2,3,4,5,6,7,8\n", n31, v63);
	rc = number_table_parse(buf, (size_t)n, &t, err, sizeof(err));
	CHECK(rc == 0, "rc %d: %s", rc, err);
	if (!rc) {
		CU_ASSERT_EQUAL(t.n_cols, 8);
		CU_ASSERT_EQUAL(number_table_column(&t, n31, strlen(n31)), 0);
		CU_ASSERT_STRING_EQUAL(number_table_get(&t, 0, 0), v63);
		CU_ASSERT_STRING_EQUAL(number_table_get(&t, 0, 7), "8");
		number_table_free(&t);
	}
}

/* A table of many rows: the offsets stay right as the field array grows. */
static void test_csv_many_rows(void)
{
	enum { ROWS = 100000 };
	char *buf = malloc(ROWS * 24 + 16);
	CU_ASSERT_FATAL(buf != NULL);
	size_t n = (size_t)sprintf(buf, "a,b\n");
	for (unsigned i = 0; i < ROWS; i++)
		n += (size_t)sprintf(buf + n, "%u,x%u\r\n", i, ROWS - i);
	struct number_table t;
	char err[256] = "";
	int rc = number_table_parse(buf, n, &t, err, sizeof(err));
	CHECK(rc == 0, "rc %d: %s", rc, err);
	free(buf);
	if (rc)
		return;
	CU_ASSERT_EQUAL(t.n_rows, ROWS);
	unsigned bad = 0;
	for (unsigned i = 0; i < ROWS; i++) {
		char a[16], b[16];
		snprintf(a, sizeof(a), "%u", i);
		snprintf(b, sizeof(b), "x%u", ROWS - i);
		bad += strcmp(number_table_get(&t, i, 0), a) || strcmp(number_table_get(&t, i, 1), b);
	}
	CU_ASSERT_EQUAL(bad, 0);
	number_table_free(&t);
}

#define VALUE_ERR "expected a number of visible characters without \" < > ; , \\, got "
#define NAME_ERR "expected a column name of letters, digits and _ not starting with a digit, " \
	"at most 31 bytes, got "

static void test_csv_errors(void)
{
	static const struct {
		const char *in;
		size_t len; /* 0: strlen */
		const char *err;
	} cases[] = {
		{ "", 0, "line 1: expected a header row naming the columns, got an empty file" },
		{ "\n \t\r\n\n", 0, "line 1: expected a header row naming the columns, got only blank lines" },
		{ "from,to\n", 0, "line 2: expected a row of values (from,to) after the header, got the end of the file" },
		{ "from,to", 0, "line 1: expected a row of values (from,to) after the header, got the end of the file" },
		{ "from,to\r\n\r\n  \r\n", 0, "line 4: expected a row of values (from,to) after the header, got the end of the file" },
		{ "from,to\n1000,2000\n1001\n", 0, "line 3: expected 2 fields (from,to), got 1" },
		{ "from,to\n1,2,3\n", 0, "line 2: expected 2 fields (from,to), got 3" },
		{ "n\n1,\n", 0, "line 2: expected 1 field (n), got 2" },
		{ "from,to\n1,2\n\n5,12 34\n", 0, "line 4, column to: " VALUE_ERR "\"12 34\"" },
		{ "from,to\n1,\n", 0, "line 2, column to: " VALUE_ERR "\"\"" },
		{ "from,to\n,1\n", 0, "line 2, column from: " VALUE_ERR "\"\"" },
		{ "from,to\n ,1\n", 0, "line 2, column from: " VALUE_ERR "\"\"" },
		{ "from,to\n1,<2\n", 0, "line 2, column to: " VALUE_ERR "\"<2\"" },
		{ "from,to\n1,2>\n", 0, "line 2, column to: " VALUE_ERR "\"2>\"" },
		{ "from,to\n1,2;user=phone\n", 0, "line 2, column to: " VALUE_ERR "\"2;user=phone\"" },
		{ "from,to\n1,\"2\"\n", 0, "line 2, column to: " VALUE_ERR "\"\\\"2\\\"\"" },
		{ "from,to\n1,a\\b\n", 0, "line 2, column to: " VALUE_ERR "\"a\\\\b\"" },
		{ "from,to\n1,1\t2\n", 0, "line 2, column to: " VALUE_ERR "\"1\\x092\"" },
		{ "from,to\n1\r2,3\r\n", 0, "line 2, column from: " VALUE_ERR "\"1\\x0d2\"" },
		{ "from,to\n1,\xc3\xa9\n", 0, "line 2, column to: " VALUE_ERR "\"\\xc3\\xa9\"" },
		{ "from,to\n1,2\x7f\n", 0, "line 2, column to: " VALUE_ERR "\"2\\x7f\"" },
		{ "n\n1234567890123456789012345678901234567890123456789012345678901234\n", 0,
		  "line 2, column n: expected a number of at most 63 characters, got 64" },
		{ "n\n1 2345678901234567890123456789012345678901234567890\n", 0,
		  "line 2, column n: " VALUE_ERR "\"1 23456789012345678901234567890123456789\"..." },
		{ "from,from\n1,2\n", 0, "line 1: column \"from\" named twice" },
		{ "\r\n\r\na,b,a\n1,2,3\n", 0, "line 3: column \"a\" named twice" },
		{ "1from\n1\n", 0, "line 1, column 1: " NAME_ERR "\"1from\"" },
		{ "a,,b\n1,2,3\n", 0, "line 1, column 2: " NAME_ERR "\"\"" },
		{ "a,b-c\n1,2\n", 0, "line 1, column 2: " NAME_ERR "\"b-c\"" },
		{ "a,b c\n1,2\n", 0, "line 1, column 2: " NAME_ERR "\"b c\"" },
		{ "abcdefghijklmnopqrstuvwxyz_12345\n1\n", 0,
		  "line 1, column 1: " NAME_ERR "\"abcdefghijklmnopqrstuvwxyz_12345\"" },
		{ "a,b,c,d,e,f,g,h,i\n1,2,3,4,5,6,7,8,9\n", 0,
		  "line 1: expected a header row naming 1-8 columns, got 9" },
		{ "from,to\n1,2\n3,\0\n", 16, "line 3: expected text, got a NUL byte" },
		{ "\0", 1, "line 1: expected text, got a NUL byte" },
		{ "n\n1\n\n \0\n", 8, "line 4: expected text, got a NUL byte" },
		{ "n\n1\n2\0", 6, "line 3: expected text, got a NUL byte" },
	};
	struct guard g;
	guard_init(&g, 256);
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		size_t len = cases[i].len ? cases[i].len : strlen(cases[i].in);
		const char *p = guard_put(&g, cases[i].in, len);
		struct number_table t = { .n_cols = 42 };
		char err[512] = "";
		int rc = number_table_parse(p, len, &t, err, sizeof(err));
		CHECK(rc == -EINVAL, "case %zu: rc %d (%s)", i, rc, err);
		CHECK(!strcmp(err, cases[i].err), "case %zu: err\n      \"%s\", want\n      \"%s\"", i,
		      err, cases[i].err);
		CHECK(t.n_cols == 42 && !t.text && !t.fields, "case %zu: t set", i);
		if (!rc)
			number_table_free(&t);
	}
	guard_free(&g);
}

/* Every prefix of a good table is taken or refused, and read no further than its end. */
static void test_csv_prefixes(void)
{
	static const char csv[] =
		"\r\n from ,\tto\r\n1000,2000\r\n\r\n  +4930123  ,\tsip-user\t\r\n 0100,*31#\n\n9,9";
	size_t len = sizeof(csv) - 1;
	struct guard g;
	guard_init(&g, len);
	unsigned ok = 0, refused = 0;
	for (size_t k = 0; k <= len; k++) {
		const char *p = guard_put(&g, csv, k);
		struct number_table t;
		char err[256] = "";
		int rc = number_table_parse(p, k, &t, err, sizeof(err));
		CHECK(rc == 0 || rc == -EINVAL, "%zu bytes: rc %d", k, rc);
		if (rc == 0) {
			ok++;
			CHECK(t.n_rows >= 1 && t.n_rows <= 4, "%zu bytes: %llu rows", k,
			      (unsigned long long)t.n_rows);
			number_table_free(&t);
		} else {
			refused++;
			CHECK(!strncmp(err, "line ", 5), "%zu bytes: err \"%s\"", k, err);
		}
	}
	CU_ASSERT(ok > 0);
	CU_ASSERT(refused > 0);
	guard_free(&g);
}

static void test_csv_load(void)
{
	char path[] = "/tmp/test_numbers_XXXXXX";
	int fd = mkstemp(path);
	CU_ASSERT_FATAL(fd >= 0);
	static const char csv[] = "caller,called\n+4930123,9898\n+4930124,9899\n";
	CU_ASSERT_FATAL(write(fd, csv, sizeof(csv) - 1) == (ssize_t)(sizeof(csv) - 1));
	close(fd);
	struct number_table t;
	char err[256] = "";
	int rc = number_table_load(path, &t, err, sizeof(err));
	CHECK(rc == 0, "rc %d: %s", rc, err);
	if (!rc) {
		CU_ASSERT_EQUAL(t.n_rows, 2);
		CU_ASSERT_STRING_EQUAL(number_table_get(&t, 1, 1), "9899");
		number_table_free(&t);
	}

	/* a parse error reads as the parser says it, without the path */
	fd = open(path, O_WRONLY | O_TRUNC);
	CU_ASSERT_FATAL(fd >= 0);
	CU_ASSERT_FATAL(write(fd, "a\n", 2) == 2);
	close(fd);
	rc = number_table_load(path, &t, err, sizeof(err));
	CU_ASSERT_EQUAL(rc, -EINVAL);
	CU_ASSERT_STRING_EQUAL(err, "line 2: expected a row of values (a) after the header, got "
				    "the end of the file");
	unlink(path);

	rc = number_table_load(path, &t, err, sizeof(err));
	CU_ASSERT_EQUAL(rc, -ENOENT);
	CU_ASSERT_STRING_EQUAL(err, "cannot read: No such file or directory");
	rc = number_table_load("/tmp", &t, err, sizeof(err));
	CU_ASSERT_EQUAL(rc, -EISDIR);
	CU_ASSERT_STRING_EQUAL(err, "cannot read: Is a directory");
}

static void test_pick_in_order(void)
{
	static const struct {
		uint64_t k, count, want;
	} cases[] = {
		{ 0, 1, 0 }, { 5, 1, 0 }, { 0, 10, 0 }, { 9, 10, 9 }, { 10, 10, 0 }, { 23, 10, 3 },
		{ UINT64_MAX, 10, 5 }, { UINT64_MAX, UINT64_MAX, 0 }, { 7, UINT64_MAX, 7 },
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		uint64_t got = numbers_pick(cases[i].k, cases[i].count, false, 1234);
		CHECK(got == cases[i].want, "k %llu count %llu: %llu", (unsigned long long)cases[i].k,
		      (unsigned long long)cases[i].count, (unsigned long long)got);
	}
}

static void test_pick_random(void)
{
	static const uint64_t counts[] = { 1, 2, 3, 10, 1000, 1ull << 40, UINT64_MAX };
	for (size_t i = 0; i < sizeof(counts) / sizeof(counts[0]); i++) {
		unsigned out = 0, differ = 0;
		for (uint64_t k = 0; k < 10000; k++) {
			uint64_t v = numbers_pick(k, counts[i], true, 7);
			out += v >= counts[i];
			differ += v != numbers_pick(k, counts[i], true, 8);
			/* reproducible: the same seed and k give the same value */
			out += v != numbers_pick(k, counts[i], true, 7);
		}
		CHECK(out == 0, "count %llu: %u out of range or not reproducible",
		      (unsigned long long)counts[i], out);
		CHECK(counts[i] < 1000 || differ > 9900, "count %llu: seeds 7 and 8 agree %u times",
		      (unsigned long long)counts[i], 10000 - differ);
	}

	unsigned hits[10] = { 0 };
	for (uint64_t k = 0; k < 100000; k++)
		hits[numbers_pick(k, 10, true, 0x5eed)]++;
	for (unsigned v = 0; v < 10; v++)
		CHECK(hits[v] >= 9000 && hits[v] <= 11000, "value %u drawn %u times", v, hits[v]);
	/* not the order in disguise */
	unsigned same = 0;
	for (uint64_t k = 0; k < 1000; k++)
		same += numbers_pick(k, 10, true, 0x5eed) == k % 10;
	CU_ASSERT(same < 200);
}

int main(void)
{
	static const struct tl_case cases[] = {
		{ "ranges: good, bad, first and last", test_ranges },
		{ "a range number cut like snprintf", test_range_format_cut },
		{ "CSV: CRLF, blank lines, trimming, lookup", test_csv_good },
		{ "CSV: 100,000 rows", test_csv_many_rows },
		{ "CSV: each refusal names its line", test_csv_errors },
		{ "CSV: every truncated prefix", test_csv_prefixes },
		{ "CSV: load from a file", test_csv_load },
		{ "pick in order wraps", test_pick_in_order },
		{ "pick at random: in range, reproducible, uniform", test_pick_random },
	};
	return tl_run("numbers", TL_CASES(cases));
}
