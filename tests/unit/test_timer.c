/* timer: every entry comes out once, in deadline order, whatever mix of increasing
 * (FIFO) and out-of-order (heap) deadlines went in, also interleaved with pops. */
#include "tl_test.h"
#include "timer.h"

#include <stdlib.h>

static uint64_t rng_next(uint64_t *s)
{
	uint64_t z = (*s += 0x9e3779b97f4a7c15ull); /* splitmix64 */
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
	return z ^ (z >> 31);
}

/* Arms n timers at "now + one of a few timeouts" while now advances and due ones
 * are popped: the pattern of a worker. Checks order and that none is lost. */
static void run_mix(uint64_t seed, unsigned n, unsigned n_timeouts)
{
	static const uint64_t timeouts[] = { 5000, 20, 3000, 1, 32000 };
	struct timer_heap h = { 0 };
	uint64_t now = 0, last = 0, popped = 0, pushed = 0;
	unsigned char *seen = calloc(n, 1);
	CU_ASSERT_FATAL(seen != NULL);
	bool order_ok = true, once_ok = true;
	for (unsigned i = 0; i < n; i++) {
		now += rng_next(&seed) % 3;
		uint64_t at = now + timeouts[rng_next(&seed) % n_timeouts];
		CU_ASSERT_EQUAL_FATAL(timer_push(&h, (struct timer_entry){ at, i, 0, 0 }), 0);
		pushed++;
		const struct timer_entry *t;
		while ((t = timer_peek(&h)) && t->at <= now) {
			order_ok &= t->at >= last;
			once_ok &= !seen[t->slot];
			seen[t->slot] = 1;
			last = t->at;
			timer_pop(&h);
			popped++;
		}
	}
	const struct timer_entry *t;
	while ((t = timer_peek(&h))) {
		order_ok &= t->at >= last;
		once_ok &= !seen[t->slot];
		seen[t->slot] = 1;
		last = t->at;
		timer_pop(&h);
		popped++;
	}
	CU_ASSERT(order_ok);
	CU_ASSERT(once_ok);
	CU_ASSERT_EQUAL(popped, pushed);
	timer_pop(&h); /* popping an empty set is harmless */
	CU_ASSERT_PTR_NULL(timer_peek(&h));
	free(seen);
	timer_free(&h);
}

static void test_one_timeout(void) { run_mix(1, 100000, 1); }
static void test_two_timeouts(void) { run_mix(2, 100000, 2); }
static void test_many_timeouts(void) { run_mix(3, 100000, 5); }

/* A million deadlines armed in order before any is due, then all due: the FIFO
 * spans hundreds of blocks and gives them back as it drains, twice over. */
static void test_deep_fifo(void)
{
	struct timer_heap h = { 0 };
	for (int round = 0; round < 2; round++) {
		const unsigned n = 1000000;
		for (unsigned i = 0; i < n; i++)
			CU_ASSERT_EQUAL_FATAL(timer_push(&h, (struct timer_entry){ 1000 + i / 3, i, 0, 0 }), 0);
		/* one out of order: it goes to the heap and comes out first */
		CU_ASSERT_EQUAL_FATAL(timer_push(&h, (struct timer_entry){ 5, n, 0, 0 }), 0);
		CU_ASSERT_EQUAL(timer_peek(&h)->slot, n);
		timer_pop(&h);
		unsigned k = 0;
		bool ok = true;
		for (const struct timer_entry *t; (t = timer_peek(&h)); timer_pop(&h), k++)
			ok &= t->slot == k;
		CU_ASSERT(ok);
		CU_ASSERT_EQUAL(k, n);
	}
	timer_free(&h);
}

static void test_random_order(void)
{
	struct timer_heap h = { 0 };
	uint64_t seed = 4, last = 0;
	for (unsigned i = 0; i < 50000; i++)
		timer_push(&h, (struct timer_entry){ rng_next(&seed) % 1000000, i, 0, 0 });
	unsigned n = 0;
	bool ok = true;
	for (const struct timer_entry *t; (t = timer_peek(&h)); timer_pop(&h), n++) {
		ok &= t->at >= last;
		last = t->at;
	}
	CU_ASSERT(ok);
	CU_ASSERT_EQUAL(n, 50000);
	timer_free(&h);
}

int main(void)
{
	static const struct tl_case cases[] = {
		{ "one timeout: FIFO only", test_one_timeout },
		{ "two timeouts interleaved", test_two_timeouts },
		{ "five timeouts interleaved", test_many_timeouts },
		{ "random deadlines", test_random_order },
		{ "a deep FIFO, filled and drained twice", test_deep_fifo },
	};
	return tl_run("timer", TL_CASES(cases));
}
