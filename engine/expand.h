/* Templates of a scenario (call.from, call.to, header values): {name} stands for a
 * value of the run, the connection or the call. Pure. */
#ifndef TL_EXPAND_H
#define TL_EXPAND_H
#include <stddef.h>
#include <stdint.h>
#include "scenario.h"

/* What a template can name. */
struct expand_vars {
	const char *local_host;   /* our address on the connection */
	const char *target_host;
	unsigned target_port;
	uint64_t call_number;     /* the call's index in the run, shards included */
	const char *call_id;      /* NULL before the call has one */
	unsigned shard;
	const struct scn_numbers *plan;    /* call.numbers (may have no columns) */
	const struct number_table *table;  /* its CSV file, when it has one */
	uint64_t seed;                     /* of random orders */
};

/* tpl with each {name} replaced, into out (NUL-terminated, cut to cap); its length.
 * A name no one knows stays as written: the loader refused it already. */
size_t expand_template(char *out, size_t cap, const char *tpl, const struct expand_vars *v);

/* Whether every {name} in tpl is one a template may name with this plan. 0, or -ENOENT
 * with the first unknown name (cut to cap) in bad; -EINVAL for a '{' left open. */
int expand_check(const char *tpl, const struct scn_numbers *plan, char *bad, size_t cap);

/* Whether tpl names anything of the call itself: a number column, {call_number},
 * {call_id}. */
bool expand_per_call(const char *tpl);

/* The names every template may use, for messages: "local_host, target_host, ..." */
extern const char expand_builtin_names[];

#endif
