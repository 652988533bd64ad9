/* rate_gate: requests at or under the rate all pass, bursts within the tolerance pass,
 * above the rate the share refused is the excess; workers share it without a lock. */
#include "check.h"
#include "rate_gate.h"
#include <pthread.h>

#define NS 1000000000ull

/* n requests evenly spread over one second from t0; how many passed */
static unsigned offer(struct rate_gate *g, uint64_t t0, unsigned n)
{
	unsigned ok = 0;
	for (unsigned i = 0; i < n; i++)
		ok += rate_gate_admit(g, t0 + NS * i / n);
	return ok;
}

static void test_at_and_over_the_rate(void)
{
	struct rate_gate g;
	rate_gate_init(&g, 1000, 0.1);
	unsigned ok = 0;
	for (uint64_t s = 0; s < 10; s++)
		ok += offer(&g, s * NS, 1000);
	CHECK(ok == 10000, "at the rate: all 10000 pass (got %u)", ok);
	rate_gate_init(&g, 1000, 0.1);
	ok = 0;
	for (uint64_t s = 0; s < 10; s++)
		ok += offer(&g, s * NS, 1100);
	/* 10 % over: after the tolerance is used up (1 s), 1000 of each 1100 pass */
	CHECK(ok >= 10000 && ok <= 10110, "10 %% over for 10 s: about 10100 of 11000 pass (got %u)", ok);
}

static void test_burst(void)
{
	struct rate_gate g;
	rate_gate_init(&g, 1000, 0.1);
	unsigned ok = 0;
	for (int i = 0; i < 300; i++) /* 300 at one instant */
		ok += rate_gate_admit(&g, 5 * NS);
	CHECK(ok == 101, "a burst passes its 100 ms worth and one (got %u)", ok);
	CU_ASSERT(!rate_gate_admit(&g, 5 * NS + NS / 1000 / 2)); /* half an interval on: not yet */
	CU_ASSERT(rate_gate_admit(&g, 5 * NS + NS / 1000));        /* an interval on: one more */
}

static struct rate_gate shared;
static void *hammer(void *arg)
{
	unsigned *ok = arg;
	for (unsigned i = 0; i < 100000; i++)
		*ok += rate_gate_admit(&shared, 7 * NS); /* all at one instant */
	return NULL;
}

static void test_shared(void)
{
	rate_gate_init(&shared, 10000, 1); /* 10000 may pass at one instant, and one */
	unsigned ok[4] = { 0 };
	pthread_t t[4];
	for (int i = 0; i < 4; i++)
		pthread_create(&t[i], NULL, hammer, &ok[i]);
	for (int i = 0; i < 4; i++)
		pthread_join(t[i], NULL);
	unsigned sum = ok[0] + ok[1] + ok[2] + ok[3];
	CHECK(sum == 10001, "4 threads: exactly 10001 of 400000 pass (got %u)", sum);
}

int main(void)
{
	static const struct tl_case cases[] = {
		{ "at and over the rate", test_at_and_over_the_rate },
		{ "a burst within the tolerance", test_burst },
		{ "shared by threads", test_shared },
	};
	return tl_run("rate_gate", TL_CASES(cases));
}
