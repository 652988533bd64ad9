/* slot_stack: slots come lowest first, a given-back slot comes next, and `used` marks
 * how far the table was ever touched (first uses are reported once each). */
#include "tl_test.h"
#include "slot_stack.h"

static void test_lowest_first_and_reuse(void)
{
	struct slot_stack s;
	CU_ASSERT_EQUAL_FATAL(slot_stack_init(&s, 5), 0);
	uint32_t slot;
	for (uint32_t i = 0; i < 3; i++) {
		CU_ASSERT_TRUE(slot_stack_peek(&s, &slot));
		CU_ASSERT_EQUAL(slot, i);
		CU_ASSERT_TRUE(slot_stack_take(&s, &slot)); /* first use */
		CU_ASSERT_EQUAL(slot, i);
		CU_ASSERT_EQUAL(s.used, i + 1);
	}
	slot_stack_put(&s, 1);
	CU_ASSERT_FALSE(slot_stack_take(&s, &slot)); /* 1 again: not a first use */
	CU_ASSERT_EQUAL(slot, 1);
	CU_ASSERT_EQUAL(s.used, 3);
	CU_ASSERT_TRUE(slot_stack_take(&s, &slot));
	CU_ASSERT_EQUAL(slot, 3);
	CU_ASSERT_TRUE(slot_stack_take(&s, &slot));
	CU_ASSERT_EQUAL(slot, 4);
	CU_ASSERT_FALSE(slot_stack_peek(&s, &slot)); /* all taken */
	CU_ASSERT_EQUAL(s.n_free, 0);
	CU_ASSERT_EQUAL(s.used, 5);
	slot_stack_free(&s);
}

/* Taking and giving back in any order never reports a slot's first use twice, and
 * `used` is always one past the highest slot ever taken. */
static void test_first_use_once(void)
{
	enum { N = 1000 };
	struct slot_stack s;
	CU_ASSERT_EQUAL_FATAL(slot_stack_init(&s, N), 0);
	static unsigned char first[N];
	static uint32_t held[N];
	uint32_t n_held = 0, highest = 0, seed = 7;
	bool ok = true;
	for (int step = 0; step < 20000; step++) {
		seed = seed * 1103515245u + 12345u;
		if ((seed >> 16) % 3 && s.n_free) {
			uint32_t slot;
			if (slot_stack_take(&s, &slot))
				ok &= !first[slot]++;
			held[n_held++] = slot;
			highest = slot > highest ? slot : highest;
			ok &= s.used == highest + 1;
		} else if (n_held) {
			uint32_t i = (seed >> 8) % n_held;
			slot_stack_put(&s, held[i]);
			held[i] = held[--n_held];
		}
	}
	CU_ASSERT(ok);
	for (uint32_t i = 0; i < s.used; i++)
		CU_ASSERT_EQUAL(first[i], 1);
	slot_stack_free(&s);
}

int main(void)
{
	static const struct tl_case cases[] = {
		{ "lowest first, given back first", test_lowest_first_and_reuse },
		{ "a first use is reported once", test_first_use_once },
	};
	return tl_run("slot_stack", TL_CASES(cases));
}
