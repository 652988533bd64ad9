/* emodel: G.107's own check (R 93.2 with every default), a table of R and MOS for
 * G.711 with concealment over loss and delay computed from the Recommendation's
 * equations apart from the engine (emodel_table.py prints it), and the MOS tally. */
#include <math.h>
#include "check.h"
#include "emodel.h"

/* loss %, one-way delay ms, R, MOS (the round trip twice the one-way delay) */
static const struct {
	double loss, delay, r, mos;
} table[] = {
	{ 0, 0, 93.2062, 4.4094 },
	{ 0, 25, 92.3895, 4.3931 },
	{ 0, 100, 90.6637, 4.3549 },
	{ 0, 150, 89.5391, 4.3275 },
	{ 0, 200, 85.8047, 4.2232 },
	{ 0, 300, 72.6664, 3.7194 },
	{ 0, 400, 62.2468, 3.2156 },
	{ 1, 0, 89.5664, 4.3282 },
	{ 1, 25, 88.7496, 4.3072 },
	{ 1, 100, 87.0239, 4.2594 },
	{ 1, 150, 85.8993, 4.2261 },
	{ 1, 200, 82.1649, 4.1031 },
	{ 1, 300, 69.0265, 3.5510 },
	{ 1, 400, 58.6070, 3.0276 },
	{ 2, 0, 86.1951, 4.2350 },
	{ 2, 25, 85.3784, 4.2100 },
	{ 2, 100, 83.6527, 4.1543 },
	{ 2, 150, 82.5281, 4.1159 },
	{ 2, 200, 78.7936, 3.9776 },
	{ 2, 300, 65.6553, 3.3872 },
	{ 2, 400, 55.2358, 2.8508 },
	{ 5, 0, 77.4255, 3.9231 },
	{ 5, 25, 76.6088, 3.8896 },
	{ 5, 100, 74.8830, 3.8169 },
	{ 5, 150, 73.7584, 3.7680 },
	{ 5, 200, 70.0240, 3.5981 },
	{ 5, 300, 56.8856, 2.9375 },
	{ 5, 400, 46.4661, 2.3907 },
	{ 10, 0, 66.1407, 3.4112 },
	{ 10, 25, 65.3240, 3.3708 },
	{ 10, 100, 63.5982, 3.2842 },
	{ 10, 150, 62.4736, 3.2272 },
	{ 10, 200, 58.7392, 3.0345 },
	{ 10, 300, 45.6008, 2.3460 },
	{ 10, 400, 35.1813, 1.8352 },
	{ 20, 0, 51.0776, 2.6316 },
	{ 20, 25, 50.2609, 2.5887 },
	{ 20, 100, 48.5351, 2.4983 },
	{ 20, 150, 47.4105, 2.4396 },
	{ 20, 200, 43.6761, 2.2476 },
	{ 20, 300, 30.5378, 1.6313 },
	{ 20, 400, 20.1182, 1.2555 },
};

static void test_defaults_rate_93_2(void)
{
	struct emodel_in in = { .bpl = 4.3, .burst_r = 1 }; /* G.107 Table 3 */
	double r = emodel_r(&in);
	CHECK(fabs(r - 93.2) < 0.05, "R with every default: %.4f, G.107 7.7 says 93.2", r);
	CU_ASSERT_DOUBLE_EQUAL(emodel_mos(r), 4.41, 0.005);
}

static void test_table(void)
{
	for (size_t i = 0; i < sizeof(table) / sizeof(table[0]); i++) {
		double d = table[i].delay;
		struct emodel_in in = { .ppl = table[i].loss, .burst_r = 1, .ie = EMODEL_G711_IE,
					.bpl = EMODEL_G711_PLC_BPL, .t_ms = d, .tr_ms = 2 * d, .ta_ms = d };
		double r = emodel_r(&in), mos = emodel_g711_mos(table[i].loss, d);
		CHECK(fabs(r - table[i].r) < 1e-3 && fabs(mos - table[i].mos) < 1e-3,
		      "loss %g %% delay %g ms: R %.4f MOS %.4f, want %.4f %.4f", table[i].loss, d, r, mos,
		      table[i].r, table[i].mos);
	}
}

/* The figures the report leans on: a clean G.711 stream on a LAN is within 4.3-4.5;
 * 5 % random loss takes it below 4 (Ie,eff = 95 * 5 / (5 + 25.1)). */
static void test_clean_and_lossy(void)
{
	for (double d = 0; d <= 60; d += 10)
		CHECK(emodel_g711_mos(0, d) >= 4.3 && emodel_g711_mos(0, d) <= 4.5, "clean at %g ms: %.3f",
		      d, emodel_g711_mos(0, d));
	CU_ASSERT_DOUBLE_EQUAL(emodel_g711_mos(5, 0), 3.9231, 1e-3);
	CU_ASSERT(emodel_g711_mos(5, 0) < emodel_g711_mos(2, 0));
	CU_ASSERT(emodel_g711_mos(-1, 0) == emodel_g711_mos(0, 0)); /* no negative loss */
	/* MOS bounds (G.107 Annex B) */
	CU_ASSERT_EQUAL(emodel_mos(-5), 1.0);
	CU_ASSERT_EQUAL(emodel_mos(0), 1.0);
	CU_ASSERT_EQUAL(emodel_mos(100), 4.5);
	CU_ASSERT_DOUBLE_EQUAL(emodel_mos(50), 1 + 1.75 + 50 * -10 * 50 * 7e-6, 1e-12);
}

static void test_tally(void)
{
	struct mos_tally t = { 0 }, u = { 0 };
	CU_ASSERT_EQUAL(mos_percentile(&t, 5), 0);
	for (int i = 0; i < 95; i++)
		mos_add(&t, 4.41);
	for (int i = 0; i < 5; i++)
		mos_add(&u, 3.00 + i * 0.1); /* 3.0 3.1 3.2 3.3 3.4 */
	mos_merge(&t, &u);
	CU_ASSERT_EQUAL(t.streams, 100);
	CU_ASSERT_DOUBLE_EQUAL(t.min, 3.0, 1e-12);
	CU_ASSERT_DOUBLE_EQUAL(t.sum / 100, (95 * 4.41 + 16.0) / 100, 1e-9);
	CU_ASSERT_DOUBLE_EQUAL(mos_percentile(&t, 5), 3.4, 1e-9);   /* the 5th lowest */
	CU_ASSERT_DOUBLE_EQUAL(mos_percentile(&t, 1), 3.0, 1e-9);
	CU_ASSERT_DOUBLE_EQUAL(mos_percentile(&t, 50), 4.41, 1e-9);
	CU_ASSERT_EQUAL(mos_bin(0.5), 0);
	CU_ASSERT_EQUAL(mos_bin(4.5), MOS_BINS - 1);
	CU_ASSERT_EQUAL(mos_bin(9), MOS_BINS - 1);
	CU_ASSERT_DOUBLE_EQUAL(mos_of_bin(mos_bin(3.876)), 3.88, 1e-9);
}

int main(void)
{
	static const struct tl_case cases[] = {
		{ "G.107 defaults rate 93.2", test_defaults_rate_93_2 },
		{ "R and MOS over loss and delay", test_table },
		{ "clean and lossy G.711", test_clean_and_lossy },
		{ "MOS tally", test_tally },
	};
	return tl_run("emodel", TL_CASES(cases));
}
