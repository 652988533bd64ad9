/* Calls and failures by the prefix of the called number, so that a route pattern that
 * fails stands out in the report. Each worker keeps a table; the tables are merged at
 * the end. Pure: the C library only. */
#ifndef TL_PREFIX_COUNT_H
#define TL_PREFIX_COUNT_H
#include <stddef.h>
#include <stdint.h>

#define PREFIX_MAX_LEN 15         /* bytes of a prefix kept */
#define PREFIX_MAX_DISTINCT 65536 /* beyond this many prefixes, counted as "other" */

struct prefix_stat {
	char prefix[PREFIX_MAX_LEN + 1];
	uint64_t calls, failed;
};

struct prefix_table { /* zero-initialised is an empty table */
	struct prefix_stat *slots; /* owned; cap of them */
	uint32_t cap, n;           /* open addressing, grown by doubling */
	uint64_t other_calls, other_failed; /* prefixes that found no room */
};

/* Adds calls and failed to prefix p[0..len) (cut to PREFIX_MAX_LEN bytes). A new prefix
 * in a table that holds PREFIX_MAX_DISTINCT already, or cannot grow (out of memory), is
 * counted in other_*. Never fails. */
void prefix_table_add(struct prefix_table *t, const char *p, size_t len, uint64_t calls,
		      uint64_t failed);
/* dst += src (dst != src), with the same limits as prefix_table_add. */
void prefix_table_merge(struct prefix_table *dst, const struct prefix_table *src);
/* Copies up to max entries into out, most failures first, then most calls, then prefix
 * in byte order; how many. other_* is not among them. */
unsigned prefix_table_top(const struct prefix_table *t, struct prefix_stat *out, unsigned max);
/* Frees the slots; leaves an empty table. */
void prefix_table_free(struct prefix_table *t);
/* The first `digits` (at most PREFIX_MAX_LEN) bytes of the user part of a SIP URI into
 * out, NUL-terminated and cut to cap: "sip:9898@host;..." and 4 give "9898",
 * "sips:+4930123@host" and 4 "+493". The user part ends at ';' (user parameters) or
 * ':' (a password); a URI without '@' (tel:) has none and gives "". Its length. */
size_t prefix_of_uri(const char *uri, unsigned digits, char *out, size_t cap);

#endif
