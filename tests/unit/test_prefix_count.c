/* prefix_count: counts by prefix add up, survive growth and merging, come out of top in
 * report order; past PREFIX_MAX_DISTINCT prefixes the rest is "other"; prefix_of_uri
 * takes the user part of sip:, sips: and tel: URIs. */
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "prefix_count.h"
#include "check.h"


struct want {
	const char *prefix;
	uint64_t calls, failed;
};

/* top gives exactly want[0..n), in that order. */
static void check_top(const char *name, const struct prefix_table *t, const struct want *want,
		      unsigned n)
{
	struct prefix_stat out[32];
	unsigned got = prefix_table_top(t, out, 32);
	CHECK(got == n, "%s: %u entries, want %u", name, got, n);
	for (unsigned i = 0; i < got && i < n; i++)
		CHECK(!strcmp(out[i].prefix, want[i].prefix) && out[i].calls == want[i].calls &&
		      out[i].failed == want[i].failed,
		      "%s: #%u is \"%s\" %llu/%llu, want \"%s\" %llu/%llu", name, i, out[i].prefix,
		      (unsigned long long)out[i].calls, (unsigned long long)out[i].failed,
		      want[i].prefix, (unsigned long long)want[i].calls,
		      (unsigned long long)want[i].failed);
}

static void add_s(struct prefix_table *t, const char *p, uint64_t calls, uint64_t failed)
{
	prefix_table_add(t, p, strlen(p), calls, failed);
}

static void test_add_and_read(void)
{
	struct prefix_table t = { 0 };
	check_top("empty", &t, NULL, 0);
	add_s(&t, "9898", 3, 1);
	add_s(&t, "9898", 2, 2);
	add_s(&t, "+493", 1, 0);
	add_s(&t, "", 4, 4); /* a URI without a user */
	add_s(&t, "12345678901234567890", 1, 1); /* cut to 15 bytes */
	add_s(&t, "1234567890123456", 1, 0);    /* the same 15 */
	prefix_table_add(&t, "98\0" "x", 4, 7, 0); /* stops at the NUL: "98" */
	prefix_table_add(&t, "98765", 2, 1, 0);    /* len counts, not the string */
	prefix_table_add(&t, NULL, 0, 1, 0);       /* "" again */
	CU_ASSERT_EQUAL(t.n, 5);
	CU_ASSERT_EQUAL(t.other_calls, 0);
	static const struct want want[] = {
		{ "", 5, 4 }, { "9898", 5, 3 }, { "123456789012345", 2, 1 }, { "98", 8, 0 },
		{ "+493", 1, 0 },
	};
	check_top("added", &t, TL_CASES(want));
	prefix_table_free(&t);
	CU_ASSERT_PTR_NULL(t.slots);
	CU_ASSERT_EQUAL(t.n, 0);
	check_top("freed", &t, NULL, 0);
	prefix_table_free(&t);
}

static void test_merge(void)
{
	struct prefix_table a = { 0 }, b = { 0 }, all = { 0 };
	add_s(&a, "1", 1, 0);
	add_s(&a, "2", 5, 1);
	a.other_calls = 10;
	a.other_failed = 1;
	add_s(&b, "2", 1, 1);
	add_s(&b, "3", 2, 2);
	b.other_calls = 5;
	b.other_failed = 5;
	prefix_table_merge(&all, &a);
	prefix_table_merge(&all, &b);
	static const struct want want[] = { { "2", 6, 2 }, { "3", 2, 2 }, { "1", 1, 0 } };
	check_top("merged", &all, TL_CASES(want));
	CU_ASSERT_EQUAL(all.other_calls, 15);
	CU_ASSERT_EQUAL(all.other_failed, 6);
	/* into a table with entries of its own, and from an empty one */
	struct prefix_table empty = { 0 };
	prefix_table_merge(&a, &b);
	prefix_table_merge(&a, &empty);
	check_top("merged into a", &a, TL_CASES(want));
	CU_ASSERT_EQUAL(a.other_calls, 15);
	prefix_table_free(&a);
	prefix_table_free(&b);
	prefix_table_free(&all);
}

static void test_top_order(void)
{
	static const struct want in[] = {
		{ "b", 10, 0 }, { "a", 10, 0 }, { "\xff", 3, 3 }, { "c", 1, 1 }, { "z", 100, 2 },
		{ "y", 50, 2 }, { "ab", 3, 3 }, { "a0", 3, 3 }, { "", 0, 0 },
	};
	/* most failures, then most calls, then bytes (unsigned: 0xff after letters) */
	static const struct want want[] = {
		{ "a0", 3, 3 }, { "ab", 3, 3 }, { "\xff", 3, 3 }, { "z", 100, 2 }, { "y", 50, 2 },
		{ "c", 1, 1 }, { "a", 10, 0 }, { "b", 10, 0 }, { "", 0, 0 },
	};
	struct prefix_table t = { 0 };
	for (size_t i = 0; i < sizeof(in) / sizeof(in[0]); i++)
		add_s(&t, in[i].prefix, in[i].calls, in[i].failed);
	check_top("ordered", &t, TL_CASES(want));
	/* fewer than all: the first ones, the same whatever the order they were added in */
	struct prefix_stat out[4];
	memset(out, 0x5a, sizeof(out));
	CU_ASSERT_EQUAL(prefix_table_top(&t, out, 3), 3);
	for (unsigned i = 0; i < 3; i++)
		CHECK(!strcmp(out[i].prefix, want[i].prefix), "top 3: #%u \"%s\"", i, out[i].prefix);
	CU_ASSERT_EQUAL(out[3].calls, 0x5a5a5a5a5a5a5a5aull); /* nothing past max */
	CU_ASSERT_EQUAL(prefix_table_top(&t, out, 0), 0);
	prefix_table_free(&t);
	for (size_t i = sizeof(in) / sizeof(in[0]); i-- > 0;)
		add_s(&t, in[i].prefix, in[i].calls, in[i].failed);
	check_top("added backwards", &t, TL_CASES(want));
	prefix_table_free(&t);
}

/* 70,000 distinct prefixes: the first 65,536 are kept, the rest is other; prefixes
 * already kept still count; top over all of them is in order. */
static void test_distinct_limit(void)
{
	enum { N = 70000 };
	struct prefix_table t = { 0 };
	uint64_t kept_failed = 0, other_failed = 0;
	for (unsigned i = 0; i < N; i++) {
		char p[16];
		int n = snprintf(p, sizeof(p), "p%u", i);
		prefix_table_add(&t, p, (size_t)n, 2, i % 3 == 0);
		*(i < PREFIX_MAX_DISTINCT ? &kept_failed : &other_failed) += i % 3 == 0;
	}
	CU_ASSERT_EQUAL(t.n, PREFIX_MAX_DISTINCT);
	CU_ASSERT_EQUAL(t.other_calls, 2ull * (N - PREFIX_MAX_DISTINCT));
	CU_ASSERT_EQUAL(t.other_failed, other_failed);
	add_s(&t, "p0", 1, 1);
	add_s(&t, "p65535", 1, 0);
	add_s(&t, "p65536", 1, 0);
	CU_ASSERT_EQUAL(t.n, PREFIX_MAX_DISTINCT);
	CU_ASSERT_EQUAL(t.other_calls, 2ull * (N - PREFIX_MAX_DISTINCT) + 1);

	struct prefix_stat *out = malloc(PREFIX_MAX_DISTINCT * sizeof(*out));
	CU_ASSERT_FATAL(out != NULL);
	unsigned n = prefix_table_top(&t, out, PREFIX_MAX_DISTINCT);
	CU_ASSERT_EQUAL(n, PREFIX_MAX_DISTINCT);
	uint64_t calls = 0, failed = 0;
	unsigned unordered = 0;
	for (unsigned i = 0; i < n; i++) {
		calls += out[i].calls;
		failed += out[i].failed;
		if (i && (out[i].failed > out[i - 1].failed ||
			  (out[i].failed == out[i - 1].failed && (out[i].calls > out[i - 1].calls ||
			   (out[i].calls == out[i - 1].calls &&
			    strcmp(out[i].prefix, out[i - 1].prefix) <= 0)))))
			unordered++;
	}
	CU_ASSERT_EQUAL(unordered, 0);
	CU_ASSERT_EQUAL(calls, 2ull * PREFIX_MAX_DISTINCT + 2);
	CU_ASSERT_EQUAL(failed, kept_failed + 1);
	CU_ASSERT_STRING_EQUAL(out[0].prefix, "p0");
	CU_ASSERT_EQUAL(out[0].failed, 2);

	/* a merge into a full table puts the new prefixes in other */
	struct prefix_table small = { 0 };
	add_s(&small, "p1", 1, 1);
	add_s(&small, "new", 4, 3);
	prefix_table_merge(&t, &small);
	CU_ASSERT_EQUAL(t.n, PREFIX_MAX_DISTINCT);
	CU_ASSERT_EQUAL(t.other_calls, 2ull * (N - PREFIX_MAX_DISTINCT) + 1 + 4);
	CU_ASSERT_EQUAL(t.other_failed, other_failed + 3);
	free(out);
	prefix_table_free(&t);
	prefix_table_free(&small);
}

/* Counts stay with their prefix as the table doubles, and it stays at most half full. */
static void test_growth(void)
{
	enum { N = 5000 };
	struct prefix_table t = { 0 };
	unsigned grew = 0, not_doubled = 0, over_half = 0;
	uint32_t cap = 0;
	for (unsigned round = 0; round < 2; round++)
		for (unsigned i = 0; i < N; i++) {
			char p[16];
			snprintf(p, sizeof(p), "%u", i);
			add_s(&t, p, i, i / 2);
			if (t.cap != cap) {
				grew++;
				not_doubled += cap && t.cap != 2 * cap;
				cap = t.cap;
			}
			over_half += t.n * 2 > t.cap;
		}
	CU_ASSERT(grew >= 5);
	CU_ASSERT_EQUAL(not_doubled, 0);
	CU_ASSERT_EQUAL(over_half, 0);
	CU_ASSERT_EQUAL(t.n, N);
	struct prefix_stat *out = malloc(N * sizeof(*out));
	CU_ASSERT_FATAL(out != NULL);
	CU_ASSERT_EQUAL(prefix_table_top(&t, out, N), N);
	unsigned bad = 0;
	for (unsigned i = 0; i < N; i++) {
		unsigned v = (unsigned)strtoul(out[i].prefix, NULL, 10);
		bad += out[i].calls != 2ull * v || out[i].failed != 2ull * (v / 2);
	}
	CU_ASSERT_EQUAL(bad, 0);
	CU_ASSERT_STRING_EQUAL(out[0].prefix, "4999");
	free(out);
	prefix_table_free(&t);
}

static void test_prefix_of_uri(void)
{
	static const struct {
		const char *uri;
		unsigned digits;
		const char *want;
	} cases[] = {
		{ "sip:9898@host;transport=tls", 4, "9898" },
		{ "sip:9898@host", 2, "98" },
		{ "sips:+4930123@host", 4, "+493" },
		{ "sips:+4930123@host", 15, "+4930123" },
		{ "sip:1018;phone-context=x@h", 4, "1018" },
		{ "sip:1018;phone-context=x@h", 10, "1018" },
		{ "sip:alice:secret@h", 10, "alice" },
		{ "<sip:9898@host>;tag=1", 3, "989" },
		{ "tel:+4930123", 4, "" },
		{ "tel:+4930123;phone-context=example.com", 4, "" },
		{ "sip:host.example.com", 4, "" },
		{ "sip:host;maddr=1.2.3.4", 4, "" },
		{ "<sip:host>;x=a@b", 4, "" },
		{ "sip:@host", 4, "" },
		{ "9898@host", 3, "989" },
		{ "sip:123456789012345678@h", 15, "123456789012345" },
		{ "sip:123456789012345678@h", 0, "" },
		{ "", 4, "" },
		{ "sip:", 4, "" },
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		char out[PREFIX_MAX_LEN + 1];
		memset(out, 'x', sizeof(out));
		size_t n = prefix_of_uri(cases[i].uri, cases[i].digits, out, sizeof(out));
		CHECK(n == strlen(cases[i].want) && !strcmp(out, cases[i].want),
		      "\"%s\" %u: \"%s\" (%zu), want \"%s\"", cases[i].uri, cases[i].digits, out, n,
		      cases[i].want);
	}
	/* a small out is filled and terminated, never overrun */
	char small[4] = "zzz";
	CU_ASSERT_EQUAL(prefix_of_uri("sip:9898@h", 4, small, 3), 2);
	CU_ASSERT_STRING_EQUAL(small, "98");
	CU_ASSERT_EQUAL(prefix_of_uri("sip:9898@h", 4, small, 0), 0);
	CU_ASSERT_STRING_EQUAL(small, "98");
}

int main(void)
{
	static const struct tl_case cases[] = {
		{ "add and read back", test_add_and_read },
		{ "merge of overlapping tables", test_merge },
		{ "top: failures, calls, prefix", test_top_order },
		{ "at most PREFIX_MAX_DISTINCT prefixes, the rest in other", test_distinct_limit },
		{ "growth keeps counts", test_growth },
		{ "prefix of a URI's user part", test_prefix_of_uri },
	};
	return tl_run("prefix_count", TL_CASES(cases));
}
