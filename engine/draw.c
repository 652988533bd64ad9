#include "draw.h"

uint64_t draw_seed(uint64_t seed, const char *id, size_t len)
{
	uint64_t h = 14695981039346656037ull; /* FNV-1a, then mixed with the seed */
	for (size_t i = 0; i < len; i++)
		h = (h ^ (uint8_t)id[i]) * 1099511628211ull;
	uint64_t s = h ^ (seed * 0x9e3779b97f4a7c15ull);
	(void)draw_next(&s);
	return s;
}

uint64_t draw_next(uint64_t *state)
{
	uint64_t z = (*state += 0x9e3779b97f4a7c15ull);
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
	return z ^ (z >> 31);
}

/* Lemire's multiply-and-shift: no modulo bias worth a test's notice at 32 bits */
static uint32_t below(uint64_t *state, uint64_t n)
{
	return (uint32_t)(((draw_next(state) >> 32) * n) >> 32);
}

uint32_t draw_between(uint64_t *state, uint32_t min, uint32_t max)
{
	if (max <= min)
		return min;
	return min + below(state, (uint64_t)(max - min) + 1);
}

unsigned draw_weighted(uint64_t *state, const uint32_t *weights, unsigned n)
{
	uint64_t sum = 0;
	for (unsigned i = 0; i < n; i++)
		sum += weights[i];
	if (!sum)
		return 0;
	uint64_t r = (draw_next(state) >> 11) % sum; /* sums stay far below 2^53 */
	for (unsigned i = 0; i < n; i++) {
		if (r < weights[i])
			return i;
		r -= weights[i];
	}
	return n - 1;
}
