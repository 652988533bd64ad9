/* call_table: calls found by Call-ID after adds and removes in any order, and a
 * lookup that stays short however many calls came and went (a removed call must not
 * leave a slot that every later lookup has to step over). */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "call_table.h"
#include "check.h"


/* Call-ID number i, as a caller would make them. */
static struct tl_str call_id(char *buf, size_t cap, unsigned i)
{
	int n = snprintf(buf, cap, "%u-%08x@127.0.0.1", i, i * 2654435761u);
	return (struct tl_str){ buf, (size_t)n };
}

/* The owner keeps, at each slot, the number of the call there. */
#define OWNER_SLOTS 4096
static unsigned number_at[OWNER_SLOTS];

static bool same_id(const void *owner, uint32_t slot, struct tl_str id)
{
	(void)owner;
	char b[64];
	struct tl_str kept = call_id(b, sizeof(b), number_at[slot]);
	return kept.len == id.len && !memcmp(kept.p, id.p, id.len);
}

static struct call_entry *add(struct call_table *t, unsigned number, uint32_t slot)
{
	char b[64];
	number_at[slot] = number;
	return call_table_add(t, call_id(b, sizeof(b), number), slot);
}

static struct call_entry *find(struct call_table *t, unsigned number)
{
	char b[64];
	return call_table_find(t, call_id(b, sizeof(b), number));
}

static void test_find_add_remove(void)
{
	struct call_table t;
	CU_ASSERT_EQUAL_FATAL(call_table_init(&t, 100, same_id, NULL), 0);
	CHECK(t.max == 128, "100 slots asked, 128 given (got %u)", t.max);
	for (unsigned i = 0; i < 60; i++)
		CU_ASSERT_FATAL(add(&t, i, i) != NULL);
	CHECK(!add(&t, 7, 100), "a Call-ID already there is refused");
	for (unsigned i = 0; i < 60; i += 2)
		call_table_remove(&t, find(&t, i));
	for (unsigned i = 0; i < 60; i++) {
		struct call_entry *e = find(&t, i);
		if (i % 2)
			CHECK(e && e->slot == i, "call %u found with its slot", i);
		else
			CHECK(!e, "removed call %u not found", i);
	}
	CHECK(t.count == 30, "30 calls left (got %u)", t.count);
	char long_id[CALL_TABLE_ID_MAX + 2];
	memset(long_id, 'x', sizeof(long_id));
	CHECK(!call_table_add(&t, (struct tl_str){ long_id, CALL_TABLE_ID_MAX + 1 }, 200),
	      "a Call-ID over %d bytes is refused", CALL_TABLE_ID_MAX);
	CHECK(!call_table_find(&t, (struct tl_str){ long_id, CALL_TABLE_ID_MAX + 1 }),
	      "and not looked for");
	call_table_free(&t);
}

/* A table sized for many calls starts small and grows as calls come, at most half
 * full, every call found after each growth. */
static void test_grows(void)
{
	struct call_table t;
	CU_ASSERT_EQUAL_FATAL(call_table_init(&t, 65536, same_id, NULL), 0);
	CHECK(t.n <= 1024, "starts with at most 1024 entries (got %u)", t.n);
	unsigned calls = OWNER_SLOTS - 96;
	for (unsigned i = 0; i < calls; i++)
		CU_ASSERT_FATAL(add(&t, i, i) != NULL);
	CHECK(t.n >= 2 * calls && t.n <= 4 * calls, "%u calls in %u entries (between %u and %u)",
	      calls, t.n, 2 * calls, 4 * calls);
	unsigned found = 0;
	for (unsigned i = 0; i < calls; i++) {
		struct call_entry *e = find(&t, i);
		found += e && e->slot == i;
	}
	CHECK(found == calls, "every call found with its slot (%u of %u)", found, calls);
	call_table_free(&t);
}

/* A table filled to its limit refuses the next call, and takes it once one ends. */
static void test_full(void)
{
	struct call_table t;
	CU_ASSERT_EQUAL_FATAL(call_table_init(&t, 16, same_id, NULL), 0);
	unsigned added = 0;
	while (added < 32 && add(&t, added, added))
		added++;
	CHECK(added >= 15 && added <= 16, "16 slots hold 15 or 16 calls (got %u)", added);
	call_table_remove(&t, find(&t, 3));
	CHECK(add(&t, 1000, 100) != NULL, "room again after a removal");
	for (unsigned i = 0; i < added; i++)
		CHECK((find(&t, i) != NULL) == (i != 3), "call %u %s", i, i == 3 ? "gone" : "still found");
	call_table_free(&t);
}

/* The responder's life: calls come and go, about half the table in use at any time.
 * After 100 times as many calls as the table has slots, a lookup of a Call-ID that
 * is not there (a BYE for an unknown call) still looks at a few slots only. */
static void test_churn_keeps_lookups_short(void)
{
	struct call_table t;
	CU_ASSERT_EQUAL_FATAL(call_table_init(&t, 1024, same_id, NULL), 0);
	unsigned live = 512, total = 100 * 1024;
	for (unsigned i = 0; i < total; i++) {
		if (i >= live) {
			struct call_entry *e = find(&t, i - live);
			CU_ASSERT_FATAL(e != NULL);
			call_table_remove(&t, e);
		}
		CU_ASSERT_FATAL(add(&t, i, i % 1024) != NULL);
	}
	unsigned lookups = 10000;
	uint64_t before = t.probes, worst = 0;
	for (unsigned i = 0; i < lookups; i++) {
		uint64_t p0 = t.probes;
		CHECK(!find(&t, total + i), "absent call %u not found", total + i);
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
		CHECK(find(&t, i) != NULL, "live call %u found", i);
	call_table_free(&t);
}

/* A call's entry is found by its hash and slot alone (the owner may not have kept
 * its Call-ID yet), also after removals moved it back and where a run of used
 * slots wraps around the end of the table. */
static void test_entry_of(void)
{
	unsigned wrapped = 0;
	for (unsigned round = 0; round < 50; round++) {
		struct call_table t;
		CU_ASSERT_EQUAL_FATAL(call_table_init(&t, 64, same_id, NULL), 0);
		unsigned n = 20 + round % 40;
		uint32_t hash[64];
		for (unsigned i = 0; i < n; i++) {
			struct call_entry *e = add(&t, round * 100 + i, i);
			CU_ASSERT_FATAL(e != NULL);
			hash[i] = e->hash;
		}
		wrapped += t.e[t.n - 1].slot != CALL_TABLE_EMPTY && t.e[0].slot != CALL_TABLE_EMPTY;
		for (unsigned i = 1; i < n; i += 2) {
			struct call_entry *e = call_table_entry_of(&t, hash[i], i);
			CU_ASSERT_FATAL(e != NULL);
			call_table_remove(&t, e);
		}
		for (unsigned i = 0; i < n; i++) {
			struct call_entry *e = call_table_entry_of(&t, hash[i], i);
			CHECK((e != NULL) == (i % 2 == 0), "round %u: call %u's entry %s", round, i,
			      i % 2 ? "gone" : "found");
			CHECK((find(&t, round * 100 + i) != NULL) == (i % 2 == 0),
			      "round %u: call %u %s by Call-ID", round, i, i % 2 ? "removed" : "found");
		}
		CHECK(t.count == (n + 1) / 2, "round %u: %u calls left (got %u)", round, (n + 1) / 2,
		      t.count);
		call_table_free(&t);
	}
	CHECK(wrapped > 0, "some rounds had a run wrapping around the end (got %u)", wrapped);
}

int main(void)
{
	static const struct tl_case cases[] = {
		{ "find, add, remove", test_find_add_remove },
		{ "a full table, and room again", test_full },
		{ "grows as calls come", test_grows },
		{ "after many calls came and went, a lookup stays short", test_churn_keeps_lookups_short },
		{ "an entry found by hash and slot", test_entry_of },
	};
	return tl_run("call_table", TL_CASES(cases));
}
