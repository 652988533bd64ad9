#include "timer.h"
#include <errno.h>
#include <stdlib.h>

int timer_push(struct timer_heap *h, struct timer_entry t)
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

const struct timer_entry *timer_peek(const struct timer_heap *h)
{
	return h->n ? &h->e[0] : NULL;
}

void timer_pop(struct timer_heap *h)
{
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
	*h = (struct timer_heap){ 0 };
}
