/* call_table: calls found by Call-ID after adds and removes in any order, and a
 * lookup that stays short however many calls came and went (a removed call must not
 * leave a slot that every later lookup has to step over). */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "call_table.h"
#include "tl_test.h"

#define CHECK(cond, ...)                                                       \
	do {                                                                   \
		bool ok_ = (cond);                                             \
		if (!ok_) {                                                    \
			printf("\n    ");                                      \
			printf(__VA_ARGS__);                                   \
		}                                                              \
		CU_assertImplementation(ok_, __LINE__, #cond, __FILE__, "", CU_FALSE); \
	} while (0)

/* Call-ID number i, as a caller would make them. */
static struct tl_str call_id(char *buf, size_t cap, unsigned i)
{
	int n = snprintf(buf, cap, "%u-%08x@127.0.0.1", i, i * 2654435761u);
	return (struct tl_str){ buf, (size_t)n };
}

static void test_find_add_remove(void)
{
	struct call_table t;
	CU_ASSERT_EQUAL_FATAL(call_table_init(&t, 100), 0);
	CHECK(t.n == 128, "100 slots asked, 128 given (got %u)", t.n);
	char b[64];
	for (unsigned i = 0; i < 60; i++) {
		struct call_entry *e = call_table_add(&t, call_id(b, sizeof(b), i));
		CU_ASSERT_FATAL(e != NULL);
		e->slot = i;
	}
	for (unsigned i = 0; i < 60; i += 2)
		call_table_remove(&t, call_table_find(&t, call_id(b, sizeof(b), i)));
	for (unsigned i = 0; i < 60; i++) {
		struct call_entry *e = call_table_find(&t, call_id(b, sizeof(b), i));
		if (i % 2)
			CHECK(e && e->slot == i, "call %u found with its slot", i);
		else
			CHECK(!e, "removed call %u not found", i);
	}
	CHECK(t.count == 30, "30 calls left (got %u)", t.count);
	char long_id[CALL_TABLE_ID_MAX + 2];
	memset(long_id, 'x', sizeof(long_id));
	CHECK(!call_table_add(&t, (struct tl_str){ long_id, CALL_TABLE_ID_MAX + 1 }),
	      "a Call-ID over %d bytes is refused", CALL_TABLE_ID_MAX);
	CHECK(call_table_add(&t, (struct tl_str){ long_id, CALL_TABLE_ID_MAX }) != NULL,
	      "one of %d bytes is kept", CALL_TABLE_ID_MAX);
	call_table_free(&t);
}

/* A table filled to its limit refuses the next call, and takes it once one ends. */
static void test_full(void)
{
	struct call_table t;
	CU_ASSERT_EQUAL_FATAL(call_table_init(&t, 16), 0);
	char b[64];
	unsigned added = 0;
	while (added < 32 && call_table_add(&t, call_id(b, sizeof(b), added)))
		added++;
	CHECK(added >= 15 && added <= 16, "16 slots hold 15 or 16 calls (got %u)", added);
	call_table_remove(&t, call_table_find(&t, call_id(b, sizeof(b), 3)));
	CHECK(call_table_add(&t, call_id(b, sizeof(b), 1000)) != NULL, "room again after a removal");
	for (unsigned i = 0; i < added; i++)
		CHECK((call_table_find(&t, call_id(b, sizeof(b), i)) != NULL) == (i != 3),
		      "call %u %s", i, i == 3 ? "gone" : "still found");
	call_table_free(&t);
}

/* The responder's life: calls come and go, about half the table in use at any time.
 * After 100 times as many calls as the table has slots, a lookup of a Call-ID that
 * is not there (a BYE for an unknown call) still looks at a few slots only. */
static void test_churn_keeps_lookups_short(void)
{
	struct call_table t;
	CU_ASSERT_EQUAL_FATAL(call_table_init(&t, 1024), 0);
	char b[64];
	unsigned live = 512, total = 100 * 1024;
	for (unsigned i = 0; i < total; i++) {
		if (i >= live) {
			struct call_entry *e = call_table_find(&t, call_id(b, sizeof(b), i - live));
			CU_ASSERT_FATAL(e != NULL);
			call_table_remove(&t, e);
		}
		CU_ASSERT_FATAL(call_table_add(&t, call_id(b, sizeof(b), i)) != NULL);
	}
	unsigned lookups = 10000;
	uint64_t before = t.probes, worst = 0;
	for (unsigned i = 0; i < lookups; i++) {
		uint64_t p0 = t.probes;
		CHECK(!call_table_find(&t, call_id(b, sizeof(b), total + i)), "absent call %u not found",
		      total + i);
		if (t.probes - p0 > worst)
			worst = t.probes - p0;
	}
	double mean = (double)(t.probes - before) / lookups;
	printf("\n    after %u calls through %u slots (%u live): an absent Call-ID looks at %.2f slots "
	       "on average, %llu at worst", total, t.n, live, mean, (unsigned long long)worst);
	/* linear probing at half load: 2.5 expected */
	CHECK(mean <= 4, "absent lookups look at %.2f slots on average (bound 4)", mean);
	CHECK(worst <= 64, "and %llu at worst (bound 64)", (unsigned long long)worst);
	for (unsigned i = total - live; i < total; i++)
		CHECK(call_table_find(&t, call_id(b, sizeof(b), i)) != NULL, "live call %u found", i);
	call_table_free(&t);
}

struct drop_arg {
	unsigned seen, dropped;
};

static bool drop_odd(struct call_entry *e, void *arg)
{
	struct drop_arg *d = arg;
	d->seen++;
	if (e->slot % 2) {
		d->dropped++;
		return true;
	}
	return false;
}

/* Removing some calls in one walk (a connection that went down) sees each call
 * once, even as removals move others, also where a run of used slots wraps around
 * the end of the table. */
static void test_remove_if(void)
{
	char b[64];
	unsigned wrapped = 0;
	for (unsigned round = 0; round < 50; round++) {
		struct call_table t;
		CU_ASSERT_EQUAL_FATAL(call_table_init(&t, 64), 0);
		unsigned n = 20 + round % 40;
		for (unsigned i = 0; i < n; i++) {
			struct call_entry *e = call_table_add(&t, call_id(b, sizeof(b), round * 100 + i));
			CU_ASSERT_FATAL(e != NULL);
			e->slot = i;
		}
		wrapped += t.e[t.n - 1].used && t.e[0].used;
		struct drop_arg d = { 0 };
		call_table_remove_if(&t, drop_odd, &d);
		CHECK(d.seen == n && d.dropped == n / 2, "round %u: %u calls seen once each (saw %u), %u "
		      "dropped (got %u)", round, n, d.seen, n / 2, d.dropped);
		for (unsigned i = 0; i < n; i++)
			CHECK((call_table_find(&t, call_id(b, sizeof(b), round * 100 + i)) != NULL) ==
				      (i % 2 == 0),
			      "round %u: call %u %s", round, i, i % 2 ? "removed" : "kept");
		call_table_free(&t);
	}
	CHECK(wrapped > 0, "some rounds had a run wrapping around the end (got %u)", wrapped);
}

int main(void)
{
	static const struct tl_case cases[] = {
		{ "find, add, remove", test_find_add_remove },
		{ "a full table, and room again", test_full },
		{ "after many calls came and went, a lookup stays short", test_churn_keeps_lookups_short },
		{ "removing some calls in one walk", test_remove_if },
	};
	return tl_run("call_table", TL_CASES(cases));
}
