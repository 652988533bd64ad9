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

/* The entry of id, or where it would go (NULL when the table is full). */
static struct call_entry *probe(struct call_table *t, struct tl_str id, uint32_t h, bool insert)
{
	uint32_t mask = t->n - 1, i = h & mask;
	struct call_entry *tomb = NULL;
	for (uint32_t k = 0; k < t->n; k++, i = (i + 1) & mask) {
		struct call_entry *c = &t->e[i];
		t->probes++;
		if (c->state == 0)
			return insert ? (tomb ? tomb : c) : NULL;
		if (c->state == 2) {
			if (!tomb)
				tomb = c;
			continue;
		}
		if (c->id_len == id.len && !memcmp(c->call_id, id.p, id.len))
			return c;
	}
	return insert ? tomb : NULL;
}

struct call_entry *call_table_find(struct call_table *t, struct tl_str id)
{
	if (!t->n || id.len > CALL_TABLE_ID_MAX)
		return NULL;
	return probe(t, id, fnv1a(id), false);
}

struct call_entry *call_table_add(struct call_table *t, struct tl_str id)
{
	if (!t->n || id.len > CALL_TABLE_ID_MAX)
		return NULL;
	uint32_t h = fnv1a(id);
	struct call_entry *c = probe(t, id, h, true);
	if (!c || c->state == 1)
		return NULL;
	memset(c, 0, sizeof(*c));
	c->state = 1;
	c->hash = h;
	c->id_len = (uint8_t)id.len;
	memcpy(c->call_id, id.p, id.len);
	t->count++;
	return c;
}

void call_table_remove(struct call_table *t, struct call_entry *e)
{
	e->state = 2;
	t->count--;
}

void call_table_remove_if(struct call_table *t, bool (*drop_cb)(struct call_entry *e, void *arg),
			  void *arg)
{
	for (uint32_t i = 0; i < t->n; i++)
		if (t->e[i].state == 1 && drop_cb(&t->e[i], arg))
			call_table_remove(t, &t->e[i]);
}
