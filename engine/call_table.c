#include "call_table.h"
#include <errno.h>
#include <stdlib.h>
#include <string.h>

uint32_t call_table_hash(struct tl_str id)
{
	uint32_t h = 2166136261u; /* FNV-1a */
	for (size_t i = 0; i < id.len; i++)
		h = (h ^ (uint8_t)id.p[i]) * 16777619u;
	return h;
}

#define START_SLOTS 1024u

int call_table_init(struct call_table *t, uint32_t max_slots, call_table_same_id same_id,
		    const void *owner)
{
	memset(t, 0, sizeof(*t));
	uint32_t n = 1;
	while (n < max_slots)
		n *= 2;
	t->max = n;
	t->n = n < START_SLOTS ? n : START_SLOTS;
	t->e = malloc(t->n * sizeof(*t->e));
	if (!t->e)
		return -ENOMEM;
	memset(t->e, 0xff, t->n * sizeof(*t->e)); /* every slot CALL_TABLE_EMPTY */
	t->same_id = same_id;
	t->owner = owner;
	return 0;
}

/* Twice the entries, each moved to its place in the new table: the stored hash is
 * all it needs. Kept at most half full, the table stays small while few calls are
 * up, and in cache. */
static int grow(struct call_table *t)
{
	uint32_t n = 2 * t->n, mask = n - 1;
	struct call_entry *e = malloc(n * sizeof(*e));
	if (!e)
		return -ENOMEM;
	memset(e, 0xff, n * sizeof(*e));
	for (uint32_t i = 0; i < t->n; i++) {
		if (t->e[i].slot == CALL_TABLE_EMPTY)
			continue;
		uint32_t j = t->e[i].hash & mask;
		while (e[j].slot != CALL_TABLE_EMPTY)
			j = (j + 1) & mask;
		e[j] = t->e[i];
	}
	free(t->e);
	t->e = e;
	t->n = n;
	return 0;
}

void call_table_free(struct call_table *t)
{
	free(t->e);
	memset(t, 0, sizeof(*t));
}

/* The entry of id, or the empty one that ends its probe sequence. */
static struct call_entry *probe(struct call_table *t, struct tl_str id, uint32_t h)
{
	uint32_t mask = t->n - 1, i = h & mask;
	for (;; i = (i + 1) & mask) { /* ends: one slot at least is empty */
		struct call_entry *c = &t->e[i];
		t->probes++;
		if (c->slot == CALL_TABLE_EMPTY ||
		    (c->hash == h && t->same_id(t->owner, c->slot, id)))
			return c;
	}
}

struct call_entry *call_table_find(struct call_table *t, struct tl_str id)
{
	if (!t->n || id.len > CALL_TABLE_ID_MAX)
		return NULL;
	struct call_entry *c = probe(t, id, call_table_hash(id));
	return c->slot != CALL_TABLE_EMPTY ? c : NULL;
}

struct call_entry *call_table_add(struct call_table *t, struct tl_str id, uint32_t slot)
{
	if (id.len > CALL_TABLE_ID_MAX || slot == CALL_TABLE_EMPTY)
		return NULL;
	if (2 * (t->count + 1) > t->n && t->n < t->max)
		(void)grow(t); /* out of memory: the table only fills further */
	if (t->count + 1 >= t->n)
		return NULL;
	uint32_t h = call_table_hash(id);
	struct call_entry *c = probe(t, id, h);
	if (c->slot != CALL_TABLE_EMPTY)
		return NULL;
	c->hash = h;
	c->slot = slot;
	t->count++;
	return c;
}

struct call_entry *call_table_entry_of(struct call_table *t, uint32_t hash, uint32_t slot)
{
	if (!t->n)
		return NULL;
	uint32_t mask = t->n - 1;
	for (uint32_t i = hash & mask; t->e[i].slot != CALL_TABLE_EMPTY; i = (i + 1) & mask)
		if (t->e[i].slot == slot)
			return &t->e[i];
	return NULL;
}

/* Knuth's algorithm R (TAOCP 6.4): each entry after the hole, up to the next empty
 * slot, moves into the hole unless its home slot lies cyclically in (hole, j]. */
void call_table_remove(struct call_table *t, struct call_entry *e)
{
	uint32_t mask = t->n - 1, hole = (uint32_t)(e - t->e);
	for (uint32_t j = (hole + 1) & mask; t->e[j].slot != CALL_TABLE_EMPTY; j = (j + 1) & mask) {
		uint32_t home = t->e[j].hash & mask;
		if (((j - home) & mask) >= ((j - hole) & mask)) {
			t->e[hole] = t->e[j];
			hole = j;
		}
	}
	t->e[hole].slot = CALL_TABLE_EMPTY;
	t->count--;
}
