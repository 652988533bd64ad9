#include "timer.h"
#include <errno.h>
#include <stdlib.h>

static struct timer_entry *q_at(const struct timer_heap *h, size_t i)
{
	return &h->q[(h->q_head + i) & (h->q_cap - 1)];
}

static int q_push(struct timer_heap *h, struct timer_entry t)
{
	if (h->q_len == h->q_cap) { /* grow, unwrapping the ring */
		size_t cap = h->q_cap ? h->q_cap * 2 : 1024;
		struct timer_entry *q = malloc(cap * sizeof(*q));
		if (!q)
			return -ENOMEM;
		for (size_t i = 0; i < h->q_len; i++)
			q[i] = *q_at(h, i);
		free(h->q);
		h->q = q;
		h->q_cap = cap;
		h->q_head = 0;
	}
	h->q_len++;
	*q_at(h, h->q_len - 1) = t;
	return 0;
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
	if (!h->q_len || q_at(h, h->q_len - 1)->at <= t.at)
		return q_push(h, t);
	return heap_push(h, t);
}

/* true when the FIFO's head is the earliest entry */
static bool q_first(const struct timer_heap *h)
{
	return h->q_len && (!h->n || h->q[h->q_head].at <= h->e[0].at);
}

const struct timer_entry *timer_peek(const struct timer_heap *h)
{
	if (q_first(h))
		return &h->q[h->q_head];
	return h->n ? &h->e[0] : NULL;
}

void timer_pop(struct timer_heap *h)
{
	if (q_first(h)) {
		h->q_head = (h->q_head + 1) & (h->q_cap - 1);
		h->q_len--;
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
	free(h->q);
	*h = (struct timer_heap){ 0 };
}
