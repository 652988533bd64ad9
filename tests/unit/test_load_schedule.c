/* load_schedule.h: when each call of an open-loop run is due. */
#include "tl_test.h"
#include "load_schedule.h"

static void test_constant_rate(void)
{
	struct scenario s = { .rate = 200, .calls = 1000 };
	CU_ASSERT_DOUBLE_EQUAL(load_call_offset_s(&s, 0), 0.0, 1e-12);
	CU_ASSERT_DOUBLE_EQUAL(load_call_offset_s(&s, 200), 1.0, 1e-12);
	CU_ASSERT_DOUBLE_EQUAL(load_call_offset_s(&s, 999), 4.995, 1e-12);
	CU_ASSERT_FALSE(load_schedule_over(&s, 999));
	CU_ASSERT_TRUE(load_schedule_over(&s, 1000));
}

/* Over a ramp the rate grows linearly: rate * ramp_s / 2 calls by its end, each
 * later call 1/rate after the one before. */
static void test_ramp(void)
{
	struct scenario s = { .rate = 100, .ramp_s = 10, .duration_s = 20 };
	double ramp_calls = 100 * 10 / 2.0;
	CU_ASSERT_DOUBLE_EQUAL(load_call_offset_s(&s, 0), 0.0, 1e-12);
	CU_ASSERT_DOUBLE_EQUAL(load_call_offset_s(&s, 125), 5.0, 1e-9); /* a quarter by half time */
	CU_ASSERT_DOUBLE_EQUAL(load_call_offset_s(&s, (uint64_t)ramp_calls), 10.0, 1e-9);
	CU_ASSERT_DOUBLE_EQUAL(load_call_offset_s(&s, (uint64_t)ramp_calls + 100), 11.0, 1e-9);
	double prev = -1;
	for (uint64_t k = 0; k < 2000; k++) { /* due times never go back */
		double t = load_call_offset_s(&s, k);
		CU_ASSERT_FATAL(t >= prev);
		prev = t;
	}
	/* 500 calls over the ramp, 1000 over the next ten seconds: 1500 in all */
	CU_ASSERT_FALSE(load_schedule_over(&s, 1499));
	CU_ASSERT_TRUE(load_schedule_over(&s, 1500));
}

static void test_both_bounds(void)
{
	struct scenario s = { .rate = 10, .calls = 5, .duration_s = 100 };
	CU_ASSERT_TRUE(load_schedule_over(&s, 5)); /* the count ends it first */
	s.calls = 5000;
	CU_ASSERT_FALSE(load_schedule_over(&s, 999));
	CU_ASSERT_TRUE(load_schedule_over(&s, 1000)); /* then the duration */
}

int main(void)
{
	static const struct tl_case cases[] = {
		{ "constant rate", test_constant_rate },
		{ "linear ramp", test_ramp },
		{ "count and duration", test_both_bounds },
	};
	return tl_run("load_schedule", TL_CASES(cases));
}
