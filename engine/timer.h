/* A binary min-heap of deadlines, one per worker. Entries are never removed early:
 * the owner checks on firing whether (slot, seq) is still current. */
#ifndef TL_TIMER_H
#define TL_TIMER_H
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct timer_entry {
	uint64_t at;   /* monotonic ns */
	uint32_t slot; /* owner's object */
	uint32_t seq;  /* owner's timer sequence when armed */
	uint32_t kind;
};

struct timer_heap {
	struct timer_entry *e;
	size_t n, cap;
};

/* Returns 0 or -ENOMEM. */
int timer_push(struct timer_heap *h, struct timer_entry t);
/* The earliest entry, or NULL when empty. */
const struct timer_entry *timer_peek(const struct timer_heap *h);
void timer_pop(struct timer_heap *h);
void timer_free(struct timer_heap *h);

#endif
