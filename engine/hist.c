/* Log-linear histogram. Bucket i < 2*HIST_SUB holds the single value i; above
 * that, every power of two [2^m, 2^(m+1)) is split into HIST_SUB equal
 * sub-buckets of width 2^(m - HIST_SUB_BITS), so a bucket is never wider than
 * 1/HIST_SUB of the values it holds.
 *
 * An all-zero struct hist is a valid empty histogram (min and max are 0 while
 * count is 0), so a calloc'd histogram needs no hist_init. */
#include "hist.h"

#include <string.h>

#define HIST_LIMIT (1ull << HIST_MAG) /* first value that is clamped */

void hist_init(struct hist *h)
{
	memset(h, 0, sizeof(*h));
}

size_t hist_bucket_of(uint64_t us)
{
	if (us >= HIST_LIMIT)
		us = HIST_LIMIT - 1;
	/* OR-ing in HIST_SUB makes values below it land in the first power of
	 * two that has width-1 sub-buckets, so one formula serves all values. */
	unsigned m = 63u - (unsigned)__builtin_clzll(us | HIST_SUB);
	unsigned shift = m - HIST_SUB_BITS;
	return ((size_t)shift << HIST_SUB_BITS) + (size_t)(us >> shift);
}

/* Out-of-range indexes have no values: low is UINT64_MAX, high is 0. */
uint64_t hist_bucket_low(size_t i)
{
	if (i >= HIST_BUCKETS)
		return UINT64_MAX;
	if (i < 2 * HIST_SUB)
		return i;
	unsigned shift = (unsigned)(i >> HIST_SUB_BITS) - 1;
	return (uint64_t)(HIST_SUB + (i & (HIST_SUB - 1))) << shift;
}

uint64_t hist_bucket_high(size_t i)
{
	if (i >= HIST_BUCKETS)
		return 0;
	if (i < 2 * HIST_SUB)
		return i;
	unsigned shift = (unsigned)(i >> HIST_SUB_BITS) - 1;
	return hist_bucket_low(i) + (1ull << shift) - 1;
}

void hist_record(struct hist *h, uint64_t us)
{
	h->buckets[hist_bucket_of(us)]++;
	if (h->count == 0 || us < h->min)
		h->min = us;
	if (us > h->max)
		h->max = us;
	h->count++;
	/* Saturate rather than wrap: a wrapped sum would report a tiny mean. */
	if (__builtin_add_overflow(h->sum, us, &h->sum))
		h->sum = UINT64_MAX;
}

void hist_merge(struct hist *dst, const struct hist *src)
{
	if (src->count == 0)
		return;
	for (size_t i = 0; i < HIST_BUCKETS; i++)
		dst->buckets[i] += src->buckets[i];
	if (dst->count == 0 || src->min < dst->min)
		dst->min = src->min;
	if (src->max > dst->max)
		dst->max = src->max;
	dst->count += src->count;
	if (__builtin_add_overflow(dst->sum, src->sum, &dst->sum))
		dst->sum = UINT64_MAX;
}

/* ceil(p/100 * count), clamped to 1..count. Products within a relative 1e-9 of
 * an integer count as that integer, so 99.9% of 1000 is rank 999 even though
 * 99.9 has no exact binary form. */
static uint64_t rank_of(double p, uint64_t count)
{
	if (!(p > 0))
		return 1;
	if (p >= 100)
		return count;
	double x = p / 100.0 * (double)count;
	uint64_t r = (uint64_t)x;
	if (x - (double)r > 1e-9 * x)
		r++;
	if (r < 1)
		r = 1;
	return r < count ? r : count;
}

uint64_t hist_percentile(const struct hist *h, double p)
{
	if (h->count == 0)
		return 0;
	uint64_t rank = rank_of(p, h->count), seen = 0;
	size_t i = 0;
	for (; i < HIST_BUCKETS - 1; i++) {
		seen += h->buckets[i];
		if (seen >= rank)
			break;
	}
	uint64_t v = hist_bucket_high(i);
	return v < h->max ? v : h->max;
}
