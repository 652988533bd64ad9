/* dest_pick: a trunk's destination list spreads calls in turn, by weight (evenly
 * interleaved, exact over a whole cycle) or to the first usable, and skips those that
 * cannot take a call. */
#include "check.h"
#include "dest_pick.h"

#define ALL 0xffffu

static void test_round_robin(void)
{
	struct dest_picker p;
	dest_picker_init(&p, DEST_ROUND_ROBIN, 3, NULL, NULL);
	int want[] = { 0, 1, 2, 0, 1, 2 };
	for (int i = 0; i < 6; i++)
		CU_ASSERT(dest_pick(&p, ALL) == want[i]);
	/* 1 is down: 0 and 2 take turns, and 1 is back in its turn when it returns */
	CU_ASSERT(dest_pick(&p, 0x5) == 0);
	CU_ASSERT(dest_pick(&p, 0x5) == 2);
	CU_ASSERT(dest_pick(&p, 0x5) == 0);
	CU_ASSERT(dest_pick(&p, ALL) == 1);
	CU_ASSERT(dest_pick(&p, ALL) == 2);
}

static void test_weighted(void)
{
	static const uint32_t w[] = { 5, 1, 1 };
	struct dest_picker p;
	dest_picker_init(&p, DEST_WEIGHTED, 3, w, NULL);
	unsigned n[3] = { 0 }, run = 0, longest = 0;
	int last = -1;
	for (int i = 0; i < 700; i++) {
		int d = dest_pick(&p, ALL);
		CU_ASSERT_FATAL(d >= 0 && d < 3);
		n[d]++;
		run = d == last ? run + 1 : 1;
		if (run > longest)
			longest = run;
		last = d;
	}
	CHECK(n[0] == 500 && n[1] == 100 && n[2] == 100, "500/100/100 of 700, got %u/%u/%u", n[0], n[1],
	      n[2]);
	/* smooth: the heavy one never takes its five in a row */
	CHECK(longest < 5, "the longest run of one destination is %u", longest);
	/* the heavy one down: the others share alike */
	n[1] = n[2] = 0;
	for (int i = 0; i < 100; i++) {
		int d = dest_pick(&p, 0x6);
		CU_ASSERT_FATAL(d == 1 || d == 2);
		n[d]++;
	}
	CHECK(n[1] == 50 && n[2] == 50, "50/50 without the first, got %u/%u", n[1], n[2]);
}

static void test_failover(void)
{
	struct dest_picker p;
	dest_picker_init(&p, DEST_FAILOVER, 4, NULL, NULL);
	for (int i = 0; i < 5; i++)
		CU_ASSERT(dest_pick(&p, ALL) == 0);
	CU_ASSERT(dest_pick(&p, 0xe) == 1);
	CU_ASSERT(dest_pick(&p, 0xc) == 2);
	CU_ASSERT(dest_pick(&p, 0x8) == 3);
	CU_ASSERT(dest_pick(&p, ALL) == 0); /* back to the first once it is up */
}

/* DNS SRV (RFC 2782): the best priority that has a usable target, spread by weight in
 * it; the next priority only while none of the best is usable. */
static void test_srv(void)
{
	struct dest_picker p;
	static const uint32_t w[] = { 3, 1, 1, 1 };
	static const uint16_t prio[] = { 10, 10, 20, 30 };
	dest_picker_init(&p, DEST_SRV, 4, w, prio);
	unsigned n[4] = { 0 };
	for (int i = 0; i < 400; i++)
		n[dest_pick(&p, ALL)]++;
	CHECK(n[0] == 300 && n[1] == 100 && n[2] == 0 && n[3] == 0,
	      "priority 10 alone, 3:1 by weight, got %u/%u/%u/%u", n[0], n[1], n[2], n[3]);
	CU_ASSERT(dest_pick(&p, 0x2) == 1);
	CU_ASSERT(dest_pick(&p, 0xc) == 2); /* priority 10 down: 20 */
	CU_ASSERT(dest_pick(&p, 0x8) == 3);
	CU_ASSERT(dest_pick(&p, 0x5) == 0); /* one of 10 back */
	CU_ASSERT_STRING_EQUAL(dest_policy_name(DEST_SRV), "srv");
}

static void test_none_usable(void)
{
	struct dest_picker p;
	for (int pol = DEST_ROUND_ROBIN; pol <= DEST_SRV; pol++) {
		dest_picker_init(&p, (enum dest_policy)pol, 2, NULL, NULL);
		CU_ASSERT(dest_pick(&p, 0) == -1);
		CU_ASSERT(dest_pick(&p, 0x4) == -1); /* a bit past the list names nothing */
		CU_ASSERT(dest_pick(&p, 0x2) == 1);
	}
	dest_picker_init(&p, DEST_ROUND_ROBIN, 1, NULL, NULL);
	CU_ASSERT(dest_pick(&p, ALL) == 0 && dest_pick(&p, ALL) == 0);
	CU_ASSERT_STRING_EQUAL(dest_policy_name(DEST_WEIGHTED), "weighted");
}

int main(void)
{
	static const struct tl_case cases[] = {
		{ "round robin, skipping the unusable", test_round_robin },
		{ "weighted: exact shares, interleaved", test_weighted },
		{ "failover: the first usable", test_failover },
		{ "srv: the best priority, by weight", test_srv },
		{ "nothing usable", test_none_usable },
	};
	return tl_run("dest_pick", TL_CASES(cases));
}
