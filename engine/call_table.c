#include "call_table.h"
#include <errno.h>
#include <stdlib.h>
#include <string.h>

static uint32_t fnv1a(struct tl_str s)
{
	uint32_t h = 2166136261u;
	for (size_t i = 0; i < s.len; i++)
		h = (h ^ (uint8_t)s.p[i]) * 16777619u;
	return h;
}

int call_table_init(struct call_table *t, uint32_t min_slots)
{
	memset(t, 0, sizeof(*t));
	uint32_t n = 1;
	while (n < min_slots)
		n *= 2;
	t->e = calloc(n, sizeof(*t->e));
	if (!t->e)
		return -ENOMEM;
	t->n = n;
	return 0;
}

void call_table_free(struct call_table *t)
{
	free(t->e);
	memset(t, 0, sizeof(*t));
}

/* The slot of id, or the empty slot that ends its probe sequence. */
static struct call_entry *probe(struct call_table *t, struct tl_str id, uint32_t h)
{
	uint32_t mask = t->n - 1, i = h & mask;
	for (;; i = (i + 1) & mask) { /* ends: one slot at least is empty */
		struct call_entry *c = &t->e[i];
		t->probes++;
		if (!c->used || (c->hash == h && c->id_len == id.len && !memcmp(c->call_id, id.p, id.len)))
			return c;
	}
}

struct call_entry *call_table_find(struct call_table *t, struct tl_str id)
{
	if (!t->n || id.len > CALL_TABLE_ID_MAX)
		return NULL;
	struct call_entry *c = probe(t, id, fnv1a(id));
	return c->used ? c : NULL;
}

struct call_entry *call_table_add(struct call_table *t, struct tl_str id)
{
	if (t->count + 1 >= t->n || id.len > CALL_TABLE_ID_MAX)
		return NULL;
	uint32_t h = fnv1a(id);
	struct call_entry *c = probe(t, id, h);
	if (c->used)
		return NULL;
	memset(c, 0, sizeof(*c));
	c->used = true;
	c->hash = h;
	c->id_len = (uint8_t)id.len;
	memcpy(c->call_id, id.p, id.len);
	t->count++;
	return c;
}

/* Knuth's algorithm R (TAOCP 6.4): each entry after the hole, up to the next empty
 * slot, moves into the hole unless its home slot lies cyclically in (hole, j]. */
void call_table_remove(struct call_table *t, struct call_entry *e)
{
	uint32_t mask = t->n - 1, hole = (uint32_t)(e - t->e);
	for (uint32_t j = (hole + 1) & mask; t->e[j].used; j = (j + 1) & mask) {
		uint32_t home = t->e[j].hash & mask;
		if (((j - home) & mask) >= ((j - hole) & mask)) {
			t->e[hole] = t->e[j];
			hole = j;
		}
	}
	t->e[hole].used = false;
	t->count--;
}

/* The walk starts after an empty slot: no run of used slots wraps past its start,
 * so a removal only moves entries the walk has not reached back into the slot it is
 * at, which it looks at again. */
void call_table_remove_if(struct call_table *t, bool (*drop_cb)(struct call_entry *e, void *arg),
			  void *arg)
{
	if (!t->count)
		return;
	uint32_t mask = t->n - 1, start = 0;
	while (t->e[start].used)
		start++;
	for (uint32_t k = 1; k <= t->n; k++) {
		struct call_entry *c = &t->e[(start + k) & mask];
		while (c->used && drop_cb(c, arg))
			call_table_remove(t, c);
	}
}
