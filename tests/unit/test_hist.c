/* hist: percentiles against a sorted-array reference, merge, bucket geometry. */
#include "tl_test.h"
#include "hist.h"

#include <stdlib.h>
#include <string.h>

#define N_VALUES 20000
#define TOP_VALUE ((1ull << HIST_MAG) - 1)

/* Percentiles in thousandths of a percent, so reference ranks are exact integers. */
static const uint32_t pcts_milli[] = { 50000, 90000, 99000, 99900, 100000 };

static uint64_t rng_next(uint64_t *s)
{
	uint64_t z = (*s += 0x9e3779b97f4a7c15ull); /* splitmix64 */
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
	return z ^ (z >> 31);
}

static int cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
	return (x > y) - (x < y);
}

/* Value generators: each fills v[0..n) and returns n. */
typedef size_t (*gen_fn)(uint64_t *v, uint64_t *seed);

static size_t gen_uniform(uint64_t *v, uint64_t *seed)
{
	for (size_t i = 0; i < N_VALUES; i++)
		v[i] = rng_next(seed) % 1000000;
	return N_VALUES;
}

/* Long-tailed: a mantissa shifted by a geometrically distributed amount. */
static size_t gen_exponential(uint64_t *v, uint64_t *seed)
{
	for (size_t i = 0; i < N_VALUES; i++) {
		uint64_t r = rng_next(seed);
		v[i] = (r & 1023) << (__builtin_ctzll((r >> 10) | (1ull << 24)) % 25);
	}
	return N_VALUES;
}

static size_t gen_bimodal(uint64_t *v, uint64_t *seed)
{
	for (size_t i = 0; i < N_VALUES; i++) {
		uint64_t r = rng_next(seed);
		v[i] = (r % 10 < 9) ? 200 + r % 50 : 2000000 + r % 500000;
	}
	return N_VALUES;
}

static size_t gen_constant(uint64_t *v, uint64_t *seed)
{
	(void)seed;
	for (size_t i = 0; i < N_VALUES; i++)
		v[i] = 12345;
	return N_VALUES;
}

static size_t gen_single(uint64_t *v, uint64_t *seed)
{
	(void)seed;
	v[0] = 777777;
	return 1;
}

/* Every power of two from 2^0 to 2^35 and its neighbours, plus the sub-bucket edges
 * of one octave: the values where an off-by-one in the geometry would show. */
static size_t gen_edges(uint64_t *v, uint64_t *seed)
{
	(void)seed;
	size_t n = 0;
	for (unsigned k = 0; k < HIST_MAG; k++) {
		uint64_t p = 1ull << k;
		v[n++] = p - 1;
		v[n++] = p;
		v[n++] = p + 1;
	}
	for (uint64_t x = 4096; x < 8192; x += 32) {
		v[n++] = x - 1;
		v[n++] = x;
	}
	v[n++] = TOP_VALUE;
	return n;
}

static void check_distribution(gen_fn gen, const char *name)
{
	static uint64_t v[N_VALUES];
	static struct hist h;
	uint64_t seed = 42;
	size_t n = gen(v, &seed);

	hist_init(&h);
	for (size_t i = 0; i < n; i++)
		hist_record(&h, v[i]);
	qsort(v, n, sizeof(v[0]), cmp_u64);

	for (size_t k = 0; k < sizeof(pcts_milli) / sizeof(pcts_milli[0]); k++) {
		uint64_t rank = ((uint64_t)pcts_milli[k] * n + 99999) / 100000;
		uint64_t exact = v[rank - 1];
		uint64_t got = hist_percentile(&h, pcts_milli[k] / 1000.0);
		/* Never below the exact value, and less than 1/HIST_SUB above it. */
		int ok = got >= exact && (got == exact || (got - exact) * HIST_SUB < exact);
		if (!ok)
			fprintf(stderr, "%s p%.1f: got %llu, exact %llu\n", name,
				pcts_milli[k] / 1000.0, (unsigned long long)got,
				(unsigned long long)exact);
		CU_ASSERT(ok);
	}
	CU_ASSERT_EQUAL(h.count, n);
	CU_ASSERT_EQUAL(h.min, v[0]);
	CU_ASSERT_EQUAL(h.max, v[n - 1]);
}

static void test_uniform(void) { check_distribution(gen_uniform, "uniform"); }
static void test_exponential(void) { check_distribution(gen_exponential, "exponential"); }
static void test_bimodal(void) { check_distribution(gen_bimodal, "bimodal"); }
static void test_constant(void) { check_distribution(gen_constant, "constant"); }
static void test_single(void) { check_distribution(gen_single, "single"); }
static void test_edges(void) { check_distribution(gen_edges, "edges"); }

/* Values below 2*HIST_SUB have buckets of width 1, so their percentiles are exact. */
static void test_exact_small_values(void)
{
	static const struct { double p; uint64_t want; } cases[] = {
		{ 50, 100 }, { 90, 180 }, { 99, 198 }, { 99.9, 200 }, { 100, 200 },
		{ 0.5, 1 }, { 1, 2 }, { 33.3, 67 }, { 0, 1 }, { 150, 200 },
	};
	struct hist h;
	hist_init(&h);
	for (uint64_t x = 1; x <= 200; x++)
		hist_record(&h, x);
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
		CU_ASSERT_EQUAL(hist_percentile(&h, cases[i].p), cases[i].want);
}

static void test_empty(void)
{
	struct hist h;
	hist_init(&h);
	CU_ASSERT_EQUAL(h.count, 0);
	CU_ASSERT_EQUAL(hist_percentile(&h, 50), 0);
	CU_ASSERT_EQUAL(hist_percentile(&h, 100), 0);
}

static void test_huge_clamped(void)
{
	static const uint64_t huge[] = { 1ull << HIST_MAG, 1ull << 40, UINT64_MAX };
	for (size_t i = 0; i < sizeof(huge) / sizeof(huge[0]); i++) {
		struct hist h;
		hist_init(&h);
		hist_record(&h, 10);
		hist_record(&h, huge[i]);
		CU_ASSERT_EQUAL(hist_bucket_of(huge[i]), HIST_BUCKETS - 1);
		CU_ASSERT_EQUAL(h.buckets[HIST_BUCKETS - 1], 1);
		CU_ASSERT_EQUAL(h.max, huge[i]);
		CU_ASSERT_EQUAL(hist_percentile(&h, 100), TOP_VALUE);
		CU_ASSERT_EQUAL(hist_percentile(&h, 50), 10);
	}
	/* The sum saturates instead of wrapping. */
	struct hist h;
	hist_init(&h);
	hist_record(&h, UINT64_MAX);
	hist_record(&h, 5);
	CU_ASSERT_EQUAL(h.sum, UINT64_MAX);
	CU_ASSERT_EQUAL(h.count, 2);
}

static void test_min_max_count_sum(void)
{
	static const struct {
		uint64_t v[6];
		size_t n;
		uint64_t min, max, sum;
	} cases[] = {
		{ { 5 }, 1, 5, 5, 5 },
		{ { 0, 0 }, 2, 0, 0, 0 },
		{ { 300, 7, 1000000 }, 3, 7, 1000000, 1000307 },
		{ { 9, 8, 7, 6, 5, 4 }, 6, 4, 9, 39 },
		{ { 1ull << 35, 1 }, 2, 1, 1ull << 35, (1ull << 35) + 1 },
	};
	for (size_t c = 0; c < sizeof(cases) / sizeof(cases[0]); c++) {
		struct hist h;
		hist_init(&h);
		for (size_t i = 0; i < cases[c].n; i++)
			hist_record(&h, cases[c].v[i]);
		CU_ASSERT_EQUAL(h.count, cases[c].n);
		CU_ASSERT_EQUAL(h.min, cases[c].min);
		CU_ASSERT_EQUAL(h.max, cases[c].max);
		CU_ASSERT_EQUAL(h.sum, cases[c].sum);
	}
}

/* Recording A into one histogram and B into another, then merging, must give
 * exactly the histogram of A and B recorded together. */
static void test_merge(void)
{
	static struct hist a, b, both, empty;
	static const struct { size_t na, nb; } cases[] = {
		{ 5000, 7000 }, { 0, 100 }, { 100, 0 }, { 0, 0 }, { 1, 1 },
	};
	uint64_t seed = 7;
	for (size_t c = 0; c < sizeof(cases) / sizeof(cases[0]); c++) {
		hist_init(&a);
		hist_init(&b);
		hist_init(&both);
		for (size_t i = 0; i < cases[c].na; i++) {
			uint64_t x = rng_next(&seed) % 5000000;
			hist_record(&a, x);
			hist_record(&both, x);
		}
		for (size_t i = 0; i < cases[c].nb; i++) {
			uint64_t x = 1000 + rng_next(&seed) % 90000;
			hist_record(&b, x);
			hist_record(&both, x);
		}
		hist_merge(&a, &b);
		CU_ASSERT(memcmp(&a, &both, sizeof(a)) == 0);
		CU_ASSERT_EQUAL(hist_percentile(&a, 99), hist_percentile(&both, 99));
	}
	/* Merging an empty histogram changes nothing, min included. */
	hist_init(&empty);
	hist_init(&a);
	hist_record(&a, 50);
	both = a;
	hist_merge(&a, &empty);
	CU_ASSERT(memcmp(&a, &both, sizeof(a)) == 0);
	CU_ASSERT_EQUAL(a.min, 50);
}

static void check_bucket(uint64_t v)
{
	size_t i = hist_bucket_of(v);
	CU_ASSERT(i < HIST_BUCKETS);
	CU_ASSERT(hist_bucket_low(i) <= v);
	CU_ASSERT(v <= hist_bucket_high(i));
}

static void test_bucket_geometry(void)
{
	CU_ASSERT_EQUAL(hist_bucket_low(0), 0);
	CU_ASSERT_EQUAL(hist_bucket_high(HIST_BUCKETS - 1), TOP_VALUE);
	for (size_t i = 0; i < HIST_BUCKETS; i++) {
		uint64_t lo = hist_bucket_low(i), hi = hist_bucket_high(i);
		CU_ASSERT_FATAL(lo <= hi);
		/* Buckets tile the range without gaps or overlaps. */
		if (i + 1 < HIST_BUCKETS)
			CU_ASSERT_FATAL(hi + 1 == hist_bucket_low(i + 1));
		/* Both ends map back to the bucket. */
		CU_ASSERT_FATAL(hist_bucket_of(lo) == i);
		CU_ASSERT_FATAL(hist_bucket_of(hi) == i);
		/* Width bounds the relative error. */
		CU_ASSERT_FATAL(hi - lo == 0 || (hi - lo + 1) * HIST_SUB <= lo);
	}
	for (uint64_t v = 0; v < 70000; v++)
		check_bucket(v);
	uint64_t seed = 99;
	for (int k = 0; k < 200000; k++) { /* every magnitude below 2^HIST_MAG */
		uint64_t r = rng_next(&seed);
		check_bucket(r >> (64 - HIST_MAG + rng_next(&seed) % HIST_MAG));
	}
	for (unsigned k = 1; k < HIST_MAG; k++) {
		check_bucket((1ull << k) - 1);
		check_bucket(1ull << k);
	}
}

static void test_bucket_out_of_range(void)
{
	CU_ASSERT_EQUAL(hist_bucket_low(HIST_BUCKETS), UINT64_MAX);
	CU_ASSERT_EQUAL(hist_bucket_high(HIST_BUCKETS), 0);
}

int main(void)
{
	static const struct tl_case cases[] = {
		{ "percentiles: uniform", test_uniform },
		{ "percentiles: exponential-ish", test_exponential },
		{ "percentiles: bimodal", test_bimodal },
		{ "percentiles: constant", test_constant },
		{ "percentiles: single value", test_single },
		{ "percentiles: bucket edges", test_edges },
		{ "percentiles: exact for small values", test_exact_small_values },
		{ "empty histogram", test_empty },
		{ "huge values clamped", test_huge_clamped },
		{ "min max count sum", test_min_max_count_sum },
		{ "merge equals recording both", test_merge },
		{ "bucket geometry", test_bucket_geometry },
		{ "bucket index out of range", test_bucket_out_of_range },
	};
	return tl_run("hist", TL_CASES(cases));
}
