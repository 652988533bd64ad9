/* A far end's admission rate: at most so many requests per second, bursts up to a
 * tolerance, shared by every worker without a lock (the generic cell rate algorithm:
 * one theoretical arrival time, moved on by compare-and-swap). */
#ifndef TL_RATE_GATE_H
#define TL_RATE_GATE_H
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>

struct rate_gate {
	_Atomic uint64_t tat;     /* ns: when the next request is due at the steady rate */
	uint64_t interval_ns;     /* 1 s / the rate */
	uint64_t tolerance_ns;    /* how far ahead of its due time a request may come */
};

/* per_s > 0 requests per second; a burst of tolerance_s seconds' worth is let through. */
void rate_gate_init(struct rate_gate *g, double per_s, double tolerance_s);

/* Whether a request at now_ns (monotonic) is within the rate; if so it is counted. */
bool rate_gate_admit(struct rate_gate *g, uint64_t now_ns);

#endif
