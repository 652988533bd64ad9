/* Log-linear latency histogram (HdrHistogram-like): values in microseconds,
 * relative error below 1/HIST_SUB, mergeable by adding buckets.
 * Pure: no I/O, no allocation. */
#ifndef TL_HIST_H
#define TL_HIST_H
#include <stdint.h>
#include <stddef.h>

#define HIST_SUB_BITS 7
#define HIST_SUB (1u << HIST_SUB_BITS)       /* linear sub-buckets per power of two */
#define HIST_MAG 36                          /* values up to 2^36 us (~19 h) */
#define HIST_BUCKETS (HIST_SUB * (HIST_MAG - HIST_SUB_BITS + 1))

struct hist {
	uint64_t count, min, max, sum;
	uint64_t buckets[HIST_BUCKETS];
};

void hist_init(struct hist *h);
/* Values above the range are clamped to the top bucket (max keeps the true value). */
void hist_record(struct hist *h, uint64_t us);
/* dst += src. */
void hist_merge(struct hist *dst, const struct hist *src);
/* The value at percentile p (0 < p <= 100): the highest value equivalent to the
 * bucket that holds the ceil(p/100*count)-th smallest value, capped at max; 0 for an
 * empty histogram. Within relative error 1/HIST_SUB of the exact order statistic. */
uint64_t hist_percentile(const struct hist *h, double p);

/* Bucket geometry, for reports and merging: */
size_t hist_bucket_of(uint64_t us);
uint64_t hist_bucket_low(size_t i);   /* smallest value in bucket i */
uint64_t hist_bucket_high(size_t i);  /* largest value in bucket i */

#endif
