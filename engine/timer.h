/* Deadlines, one set per worker: a binary min-heap, plus a FIFO for deadlines armed
 * in increasing order (most are: "now + the same timeout"), which costs O(1) instead
 * of O(log n). Entries are never removed early: the owner checks on firing whether
 * (slot, seq) is still current, so at a high call rate the FIFO holds millions; it
 * is a chain of fixed blocks, so that it grows without copying what it holds (a copy
 * of tens of MB stalled the worker for tens of ms). */
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

#define TIMER_BLOCK 4096 /* FIFO entries per block */
struct timer_block {
	struct timer_block *next;
	struct timer_entry e[TIMER_BLOCK];
};

struct timer_heap {
	struct timer_entry *e;  /* the heap */
	size_t n, cap;
	struct timer_block *q_first, *q_last; /* the FIFO: popped from the first block, */
	uint32_t q_head, q_tail;              /* pushed to the last */
	size_t q_len;
	struct timer_block *spare;            /* one emptied block, kept for the next */
};

/* Returns 0 or -ENOMEM. */
int timer_push(struct timer_heap *h, struct timer_entry t);
/* The earliest entry, or NULL when empty. */
const struct timer_entry *timer_peek(const struct timer_heap *h);
/* Removes the entry timer_peek returns. */
void timer_pop(struct timer_heap *h);
void timer_free(struct timer_heap *h);

#endif
