/* The free slots of a fixed table, taken lowest first and given back on top: a slot
 * at or past `used` was never taken, so scans of the table stop there and the pages
 * of a large table stay untouched until the load needs them. Pure; the table itself
 * belongs to its owner. */
#ifndef TL_SLOT_STACK_H
#define TL_SLOT_STACK_H
#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>

struct slot_stack {
	uint32_t *free; /* owned */
	uint32_t n, n_free, used;
};

/* n slots, all free. 0 or -ENOMEM. */
static inline int slot_stack_init(struct slot_stack *s, uint32_t n)
{
	*s = (struct slot_stack){ .free = calloc(n ? n : 1, sizeof(uint32_t)), .n = n };
	if (!s->free)
		return -ENOMEM;
	for (uint32_t i = 0; i < n; i++)
		s->free[s->n_free++] = n - 1 - i;
	return 0;
}

static inline void slot_stack_free(struct slot_stack *s)
{
	free(s->free);
	*s = (struct slot_stack){ 0 };
}

/* The slot the next take gives; false when none is free. */
static inline bool slot_stack_peek(const struct slot_stack *s, uint32_t *slot)
{
	if (!s->n_free)
		return false;
	*slot = s->free[s->n_free - 1];
	return true;
}

/* Takes the slot peek gives (there must be one); true when it is its first use, so
 * that the owner sets it up. */
static inline bool slot_stack_take(struct slot_stack *s, uint32_t *slot)
{
	*slot = s->free[--s->n_free];
	if (*slot < s->used)
		return false;
	s->used = *slot + 1;
	return true;
}

static inline void slot_stack_put(struct slot_stack *s, uint32_t slot)
{
	s->free[s->n_free++] = slot;
}

#endif
