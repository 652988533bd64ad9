/* Reproducible draws for the responder's behaviour: each call's draws come from a
 * generator seeded with --seed and the call's Call-ID, so the same caller and seed give
 * the same outcomes, rings and hang-ups on any worker in any order. Pure. */
#ifndef TL_DRAW_H
#define TL_DRAW_H
#include <stddef.h>
#include <stdint.h>

/* A call's generator state from the run's seed and its Call-ID. */
uint64_t draw_seed(uint64_t seed, const char *id, size_t len);
/* The next 64 random bits (splitmix64). */
uint64_t draw_next(uint64_t *state);
/* Uniform in [min, max] (min <= max). */
uint32_t draw_between(uint64_t *state, uint32_t min, uint32_t max);
/* An index into weights[0, n) drawn with probability weight / sum; n > 0 and a sum
 * above 0. */
unsigned draw_weighted(uint64_t *state, const uint32_t *weights, unsigned n);

#endif
