/* Live progress of a run: each worker publishes a few counters once a second (relaxed
 * atomics, never on the per-call path); the controlling thread adds them up. */
#ifndef TL_PROGRESS_H
#define TL_PROGRESS_H
#include <stdatomic.h>
#include <stdint.h>

struct progress {
	_Atomic uint64_t started, completed, failed, active, hs_ok, hs_failed, auth_failures,
		p99_us, lag_us, t0_ns;
};

/* A plain copy, summed over workers (p99_us: the largest). */
struct progress_snapshot {
	uint64_t started, completed, failed, active, hs_ok, hs_failed, auth_failures, p99_us;
	uint64_t lag_us; /* the latest a call started behind its schedule in the last second */
	uint64_t t0_ns; /* when the schedule started, 0: not yet */
};

static inline void progress_add(struct progress_snapshot *s, struct progress *p)
{
	s->started += atomic_load_explicit(&p->started, memory_order_relaxed);
	s->completed += atomic_load_explicit(&p->completed, memory_order_relaxed);
	s->failed += atomic_load_explicit(&p->failed, memory_order_relaxed);
	s->active += atomic_load_explicit(&p->active, memory_order_relaxed);
	s->hs_ok += atomic_load_explicit(&p->hs_ok, memory_order_relaxed);
	s->hs_failed += atomic_load_explicit(&p->hs_failed, memory_order_relaxed);
	s->auth_failures += atomic_load_explicit(&p->auth_failures, memory_order_relaxed);
	uint64_t p99 = atomic_load_explicit(&p->p99_us, memory_order_relaxed);
	if (p99 > s->p99_us)
		s->p99_us = p99;
	uint64_t lag = atomic_load_explicit(&p->lag_us, memory_order_relaxed);
	if (lag > s->lag_us)
		s->lag_us = lag;
	uint64_t t0 = atomic_load_explicit(&p->t0_ns, memory_order_relaxed);
	if (t0 && (!s->t0_ns || t0 < s->t0_ns))
		s->t0_ns = t0;
}

#endif
