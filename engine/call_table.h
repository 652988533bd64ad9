/* The responder's calls, found by Call-ID: open addressing with linear
 * probing in a table allocated once, and backward-shift deletion: a removed call
 * leaves no tombstone, so a lookup stops at the first empty slot however many calls
 * came and went (with tombstones, once every slot had held a call, each lookup of an
 * absent Call-ID looked at the whole table). Pure: no I/O. */
#ifndef TL_CALL_TABLE_H
#define TL_CALL_TABLE_H
#include <stdbool.h>
#include <stdint.h>
#include "str.h"

#define CALL_TABLE_ID_MAX 109 /* longest Call-ID kept */

struct call_entry {
	bool used;
	uint8_t id_len;
	uint32_t hash;
	uint32_t slot;           /* the caller's: where its call is kept */
	char call_id[CALL_TABLE_ID_MAX + 1];
};

struct call_table {
	struct call_entry *e; /* n entries, n a power of two */
	uint32_t n, count;
	uint64_t probes;      /* entries looked at by find and add: what the tests bound */
};

/* A table of at least min_slots entries (0 or more; a power of two). 0 or -ENOMEM. */
int call_table_init(struct call_table *t, uint32_t min_slots);
void call_table_free(struct call_table *t);
/* The entry of Call-ID id, or NULL. */
struct call_entry *call_table_find(struct call_table *t, struct tl_str id);
/* A new entry for id, which must not be in the table: its other fields are zero.
 * NULL when id is longer than CALL_TABLE_ID_MAX or the table is full (one slot stays
 * empty, so that every probe ends). */
struct call_entry *call_table_add(struct call_table *t, struct tl_str id);
/* Removes e (from call_table_find or call_table_add); entries after it may move
 * back, so pointers to other entries are not valid after it. */
void call_table_remove(struct call_table *t, struct call_entry *e);
/* Calls drop_cb once for each entry and removes those for which it returns true. */
void call_table_remove_if(struct call_table *t, bool (*drop_cb)(struct call_entry *e, void *arg),
			  void *arg);

#endif
