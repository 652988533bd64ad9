#include "dest_pick.h"

void dest_picker_init(struct dest_picker *p, enum dest_policy policy, unsigned n,
		      const uint32_t *weights, const uint16_t *priorities)
{
	*p = (struct dest_picker){ .policy = policy, .n = n > DEST_MAX ? DEST_MAX : n };
	for (unsigned i = 0; i < p->n; i++) {
		p->weight[i] = weights && weights[i] ? weights[i] : 1;
		p->priority[i] = priorities ? priorities[i] : 0;
	}
}

/* The usable destinations of the best (lowest) priority among them. */
static uint32_t best_priority(const struct dest_picker *p, uint32_t usable)
{
	int best = -1;
	for (unsigned i = 0; i < p->n; i++)
		if (usable >> i & 1 && (best < 0 || p->priority[i] < p->priority[best]))
			best = (int)i;
	uint32_t group = 0;
	for (unsigned i = 0; i < p->n; i++)
		if (usable >> i & 1 && p->priority[i] == p->priority[best])
			group |= 1u << i;
	return group;
}

static int pick_weighted(struct dest_picker *p, uint32_t usable)
{
	int best = -1;
	int64_t total = 0;
	for (unsigned i = 0; i < p->n; i++) {
		if (!(usable >> i & 1))
			continue;
		p->current[i] += p->weight[i];
		total += p->weight[i];
		if (best < 0 || p->current[i] > p->current[best])
			best = (int)i;
	}
	if (best >= 0)
		p->current[best] -= total;
	return best;
}

int dest_pick(struct dest_picker *p, uint32_t usable)
{
	usable &= p->n >= 32 ? UINT32_MAX : (1u << p->n) - 1;
	if (!usable)
		return -1;
	switch (p->policy) {
	case DEST_WEIGHTED:
		return pick_weighted(p, usable);
	case DEST_FAILOVER:
		return __builtin_ctz(usable);
	case DEST_SRV:
		return pick_weighted(p, best_priority(p, usable));
	case DEST_ROUND_ROBIN:
		break;
	}
	for (unsigned k = 0; k < p->n; k++) {
		unsigned i = (p->next + k) % p->n;
		if (usable >> i & 1) {
			p->next = i + 1;
			return (int)i;
		}
	}
	return -1;
}

const char *dest_policy_name(enum dest_policy policy)
{
	switch (policy) {
	case DEST_ROUND_ROBIN:
		return "round_robin";
	case DEST_WEIGHTED:
		return "weighted";
	case DEST_FAILOVER:
		return "failover";
	case DEST_SRV:
		return "srv";
	}
	return "unknown";
}
