/* The responder's calls, found by Call-ID: open addressing with linear probing, and
 * backward-shift deletion: a removed call leaves no tombstone, so a lookup stops at
 * the first empty slot however many calls came and went. An entry is a hash and the
 * owner's slot, 8 bytes, and the table grows as calls come, kept at most half full:
 * it stays in cache (entries that held the Call-ID, in a table sized for the most
 * calls, made each lookup a cache and TLB miss, the responder's largest cost per
 * call). The owner keeps the Call-IDs and compares them. Pure: no I/O. */
#ifndef TL_CALL_TABLE_H
#define TL_CALL_TABLE_H
#include <stdbool.h>
#include <stdint.h>
#include "str.h"

#define CALL_TABLE_ID_MAX 109 /* longest Call-ID an owner must keep */

struct call_entry {
	uint32_t hash;
	uint32_t slot; /* the owner's: where its call is kept; CALL_TABLE_EMPTY: none */
};
#define CALL_TABLE_EMPTY UINT32_MAX

/* true when the call the owner keeps at slot has Call-ID id */
typedef bool (*call_table_same_id)(const void *owner, uint32_t slot, struct tl_str id);

struct call_table {
	struct call_entry *e; /* n entries, n a power of two */
	uint32_t n, count, max; /* entries now, used, and at most */
	uint64_t probes;      /* entries looked at by find and add: what the tests bound */
	call_table_same_id same_id;
	const void *owner;
};

/* A table that grows up to max_slots entries (rounded up to a power of two), one of
 * which stays empty. 0 or -ENOMEM. */
int call_table_init(struct call_table *t, uint32_t max_slots, call_table_same_id same_id,
		    const void *owner);
void call_table_free(struct call_table *t);
uint32_t call_table_hash(struct tl_str id);
/* The entry of Call-ID id, or NULL. */
struct call_entry *call_table_find(struct call_table *t, struct tl_str id);
/* A new entry for id at the owner's slot; id must not be in the table. NULL when id
 * is longer than CALL_TABLE_ID_MAX or the table is full (one slot stays empty, so
 * that every probe ends). Pointers to other entries are not valid after it. */
struct call_entry *call_table_add(struct call_table *t, struct tl_str id, uint32_t slot);
/* The entry of the owner's slot, whose Call-ID hashed to hash, or NULL: found
 * without the Call-ID, which the owner may not have kept yet. */
struct call_entry *call_table_entry_of(struct call_table *t, uint32_t hash, uint32_t slot);
/* Removes e; entries after it may move back, so pointers to other entries are not
 * valid after it. */
void call_table_remove(struct call_table *t, struct call_entry *e);

#endif
