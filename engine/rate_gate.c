#include "rate_gate.h"

void rate_gate_init(struct rate_gate *g, double per_s, double tolerance_s)
{
	atomic_init(&g->tat, 0);
	g->interval_ns = (uint64_t)(1e9 / per_s);
	g->tolerance_ns = (uint64_t)(tolerance_s * 1e9);
}

bool rate_gate_admit(struct rate_gate *g, uint64_t now_ns)
{
	uint64_t tat = atomic_load_explicit(&g->tat, memory_order_relaxed);
	for (;;) {
		uint64_t due = tat > now_ns ? tat : now_ns;
		if (due - now_ns > g->tolerance_ns)
			return false;
		if (atomic_compare_exchange_weak_explicit(&g->tat, &tat, due + g->interval_ns,
							  memory_order_relaxed, memory_order_relaxed))
			return true;
	}
}
