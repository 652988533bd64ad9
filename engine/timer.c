#include "timer.h"
#include <errno.h>
#include <stdlib.h>

static struct timer_entry *q_back(const struct timer_heap *h)
{
	return &h->q_last->e[h->q_tail - 1];
}

static struct timer_entry *q_front(const struct timer_heap *h)
{
	return &h->q_first->e[h->q_head];
}

static int q_push(struct timer_heap *h, struct timer_entry t)
{
	if (!h->q_last || h->q_tail == TIMER_BLOCK) {
		struct timer_block *b = h->spare ? h->spare : malloc(sizeof(*b));
		if (!b)
			return -ENOMEM;
		h->spare = NULL;
		b->next = NULL;
		if (h->q_last)
			h->q_last->next = b;
		else
			h->q_first = b;
		h->q_last = b;
		h->q_tail = 0;
	}
	h->q_last->e[h->q_tail++] = t;
	h->q_len++;
	return 0;
}

static void q_pop(struct timer_heap *h)
{
	h->q_len--;
	if (++h->q_head < TIMER_BLOCK && h->q_len)
		return;
	/* the first block is done (or the FIFO is empty): keep it as the spare */
	struct timer_block *b = h->q_first;
	h->q_first = b->next;
	if (!h->q_first)
		h->q_last = NULL;
	h->q_head = 0;
	free(h->spare);
	h->spare = b;
}

static int heap_push(struct timer_heap *h, struct timer_entry t)
{
	if (h->n == h->cap) {
		size_t cap = h->cap ? h->cap * 2 : 1024;
		struct timer_entry *e = realloc(h->e, cap * sizeof(*e));
		if (!e)
			return -ENOMEM;
		h->e = e;
		h->cap = cap;
	}
	size_t i = h->n++;
	while (i > 0) {
		size_t parent = (i - 1) / 2;
		if (h->e[parent].at <= t.at)
			break;
		h->e[i] = h->e[parent];
		i = parent;
	}
	h->e[i] = t;
	return 0;
}

int timer_push(struct timer_heap *h, struct timer_entry t)
{
	if (!h->q_len || q_back(h)->at <= t.at)
		return q_push(h, t);
	return heap_push(h, t);
}

/* true when the FIFO's head is the earliest entry */
static bool fifo_first(const struct timer_heap *h)
{
	return h->q_len && (!h->n || q_front(h)->at <= h->e[0].at);
}

const struct timer_entry *timer_peek(const struct timer_heap *h)
{
	if (fifo_first(h))
		return q_front(h);
	return h->n ? &h->e[0] : NULL;
}

void timer_pop(struct timer_heap *h)
{
	if (fifo_first(h)) {
		q_pop(h);
		return;
	}
	if (!h->n)
		return;
	struct timer_entry last = h->e[--h->n];
	size_t i = 0;
	for (;;) {
		size_t c = 2 * i + 1;
		if (c >= h->n)
			break;
		if (c + 1 < h->n && h->e[c + 1].at < h->e[c].at)
			c++;
		if (last.at <= h->e[c].at)
			break;
		h->e[i] = h->e[c];
		i = c;
	}
	if (h->n)
		h->e[i] = last;
}

void timer_free(struct timer_heap *h)
{
	free(h->e);
	while (h->q_first) {
		struct timer_block *b = h->q_first;
		h->q_first = b->next;
		free(b);
	}
	free(h->spare);
	*h = (struct timer_heap){ 0 };
}
