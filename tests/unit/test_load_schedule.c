/* load_schedule.h: when each call of an open-loop run is due. */
#include "tl_test.h"
#include "load_schedule.h"
#include <math.h>

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

/* load.stages: a hold at 100/s, a ramp to 300/s, a hold, an instant step down. */
static void test_stages(void)
{
	static struct scenario s;
	s = (struct scenario){ .n_stages = 3, .rate = 300, .duration_s = 35 };
	s.stages[0] = (struct load_stage){ .rate = 100, .duration_s = 10 };
	s.stages[1] = (struct load_stage){ .rate = 300, .ramp_s = 10, .duration_s = 10 };
	s.stages[2] = (struct load_stage){ .rate = 100, .duration_s = 5 };
	CU_ASSERT_DOUBLE_EQUAL(load_call_offset_s(&s, 0), 0.0, 1e-12);
	CU_ASSERT_DOUBLE_EQUAL(load_call_offset_s(&s, 999), 9.99, 1e-9);
	CU_ASSERT_DOUBLE_EQUAL(load_call_offset_s(&s, 1000), 10.0, 1e-9);
	/* over the ramp 100 t + 10 t^2 calls by t: 1100 at t = 6.6190... */
	CU_ASSERT_DOUBLE_EQUAL(load_call_offset_s(&s, 2100), 10.0 + (sqrt(54000.0) - 100) / 20, 1e-9);
	CU_ASSERT_DOUBLE_EQUAL(load_call_offset_s(&s, 3000), 20.0, 1e-9);
	CU_ASSERT_DOUBLE_EQUAL(load_call_offset_s(&s, 3300), 21.0, 1e-9);
	CU_ASSERT_DOUBLE_EQUAL(load_call_offset_s(&s, 6000), 30.0, 1e-9);
	CU_ASSERT_DOUBLE_EQUAL(load_call_offset_s(&s, 6100), 31.0, 1e-9);
	CU_ASSERT_FALSE(load_schedule_over(&s, 6499));
	CU_ASSERT_TRUE(load_schedule_over(&s, 6500));
	double prev = -1;
	for (uint64_t k = 0; k < 6600; k++) {
		double t = load_call_offset_s(&s, k);
		CU_ASSERT_FATAL(t >= prev);
		prev = t;
	}
	CU_ASSERT_EQUAL(load_stage_at(&s, 0), 0);
	CU_ASSERT_EQUAL(load_stage_at(&s, 9.99), 0);
	CU_ASSERT_EQUAL(load_stage_at(&s, 10), 1);
	CU_ASSERT_EQUAL(load_stage_at(&s, 29.9), 1);
	CU_ASSERT_EQUAL(load_stage_at(&s, 30), 2);
	CU_ASSERT_EQUAL(load_stage_at(&s, 99), 2);

	/* a ramp down, 200/s to 100/s over 10 s: 200 t - 5 t^2 calls by t, 1500 in all */
	s = (struct scenario){ .n_stages = 2, .rate = 200, .duration_s = 11 };
	s.stages[0] = (struct load_stage){ .rate = 200, .duration_s = 1 };
	s.stages[1] = (struct load_stage){ .rate = 100, .ramp_s = 10 };
	CU_ASSERT_DOUBLE_EQUAL(load_call_offset_s(&s, 200 + 380), 1.0 + 2.0, 1e-9);
	CU_ASSERT_DOUBLE_EQUAL(load_call_offset_s(&s, 200 + 1499), 1.0 + 10.0 - 0.0100, 2e-3);
	CU_ASSERT_TRUE(load_schedule_over(&s, 1700));
	prev = -1;
	for (uint64_t k = 0; k < 1700; k++) {
		double t = load_call_offset_s(&s, k);
		CU_ASSERT_FATAL(t >= prev);
		prev = t;
	}
}

int main(void)
{
	static const struct tl_case cases[] = {
		{ "constant rate", test_constant_rate },
		{ "linear ramp", test_ramp },
		{ "count and duration", test_both_bounds },
		{ "stages: ramps between rates, holds, steps", test_stages },
	};
	return tl_run("load_schedule", TL_CASES(cases));
}
