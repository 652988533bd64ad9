/* draw: the same seed and Call-ID give the same draws, others differ; draws stay in
 * their bounds and follow their weights. */
#include <string.h>
#include "check.h"
#include "draw.h"

static void test_reproducible(void)
{
	uint64_t a = draw_seed(7, "abc@host", 8), b = draw_seed(7, "abc@host", 8);
	uint64_t c = draw_seed(8, "abc@host", 8), d = draw_seed(7, "abd@host", 8);
	CU_ASSERT(a == b && a != c && a != d);
	for (int i = 0; i < 100; i++)
		CU_ASSERT(draw_next(&a) == draw_next(&b));
}

static void test_between(void)
{
	uint64_t s = draw_seed(1, "x", 1);
	unsigned seen[11] = { 0 };
	for (int i = 0; i < 110000; i++) {
		uint32_t v = draw_between(&s, 100, 110);
		CU_ASSERT_FATAL(v >= 100 && v <= 110);
		seen[v - 100]++;
	}
	for (int i = 0; i < 11; i++)
		CHECK(seen[i] > 9000 && seen[i] < 11000, "%d drawn %u times of 110000", 100 + i, seen[i]);
	CU_ASSERT(draw_between(&s, 5, 5) == 5);
	CU_ASSERT(draw_between(&s, 0, UINT32_MAX) <= UINT32_MAX);
}

static void test_weighted(void)
{
	static const uint32_t w[] = { 90, 5, 0, 5 };
	unsigned n[4] = { 0 };
	uint64_t s = draw_seed(42, "weights", 7);
	for (int i = 0; i < 100000; i++)
		n[draw_weighted(&s, w, 4)]++;
	CHECK(n[0] > 89000 && n[0] < 91000, "90 %%: %u of 100000", n[0]);
	CHECK(n[1] > 4500 && n[1] < 5500, "5 %%: %u", n[1]);
	CHECK(n[2] == 0, "weight 0 never drawn: %u", n[2]);
	CHECK(n[3] > 4500 && n[3] < 5500, "5 %%: %u", n[3]);
	static const uint32_t one[] = { 3 };
	CU_ASSERT(draw_weighted(&s, one, 1) == 0);
}

int main(void)
{
	static const struct tl_case cases[] = {
		{ "same seed and Call-ID, same draws", test_reproducible },
		{ "between: bounds and uniform", test_between },
		{ "weighted: follows the weights", test_weighted },
	};
	return tl_run("draw", TL_CASES(cases));
}
