#include "expand.h"
#include "net_addr.h"
#include "str.h"
#include <errno.h>
#include <stdio.h>
#include <string.h>

enum builtin { B_LOCAL_HOST, B_TARGET_HOST, B_TARGET_PORT, B_CALL_NUMBER, B_CALL_ID, B_SHARD, B_NONE };
static const char *const builtins[] = { "local_host", "target_host", "target_port",
					"call_number", "call_id", "shard" };
const char expand_builtin_names[] = "local_host, target_host, target_port, call_number, call_id, shard";

static enum builtin builtin_of(const char *name, size_t len)
{
	for (int i = 0; i < B_NONE; i++)
		if (strlen(builtins[i]) == len && !memcmp(builtins[i], name, len))
			return (enum builtin)i;
	return B_NONE;
}

static int column_of(const struct scn_numbers *plan, const char *name, size_t len)
{
	for (unsigned i = 0; plan && i < plan->n_cols; i++)
		if (strlen(plan->cols[i].name) == len && !memcmp(plan->cols[i].name, name, len))
			return (int)i;
	return -1;
}

/* A host in a URI: an IPv6 address goes in brackets (RFC 3261, IPv6reference). */
static void put_uri_host(struct tl_sb *b, const char *host)
{
	bool v6 = host[0] != '[' && tl_host_is_v6(host);
	if (v6)
		tl_sb_put(b, "[", 1);
	tl_sb_cstr(b, host);
	if (v6)
		tl_sb_put(b, "]", 1);
}

static void put_column(struct tl_sb *b, const struct expand_vars *v, unsigned col)
{
	const struct scn_number_col *c = &v->plan->cols[col];
	char num[NUMBERS_FIELD_MAX];
	if (!c->from_csv) {
		uint64_t i = numbers_pick(v->call_number, c->range.count, c->random, v->seed ^ col);
		number_range_format(&c->range, i, num, sizeof(num));
		tl_sb_cstr(b, num);
	} else if (v->table && v->table->n_rows) {
		/* every column of the file takes the same row */
		uint64_t row = numbers_pick(v->call_number, v->table->n_rows, v->plan->csv_random, v->seed);
		tl_sb_cstr(b, number_table_get(v->table, row, c->csv_col));
	}
}

size_t expand_template(char *out, size_t cap, const char *tpl, const struct expand_vars *v)
{
	struct tl_sb b = tl_sb_init(out, cap);
	while (*tpl) {
		const char *close = *tpl == '{' ? strchr(tpl, '}') : NULL;
		if (!close) {
			const char *next = strchr(tpl + 1, '{');
			size_t n = next ? (size_t)(next - tpl) : strlen(tpl);
			tl_sb_put(&b, tpl, n);
			tpl += n;
			continue;
		}
		const char *name = tpl + 1;
		size_t len = (size_t)(close - name);
		int col;
		switch (builtin_of(name, len)) {
		case B_LOCAL_HOST: put_uri_host(&b, v->local_host); break;
		case B_TARGET_HOST: put_uri_host(&b, v->target_host); break;
		case B_TARGET_PORT: tl_sb_uint(&b, v->target_port); break;
		case B_CALL_NUMBER: tl_sb_uint(&b, v->call_number); break;
		case B_CALL_ID: tl_sb_cstr(&b, v->call_id ? v->call_id : ""); break;
		case B_SHARD: tl_sb_uint(&b, v->shard); break;
		case B_NONE:
			if ((col = column_of(v->plan, name, len)) >= 0)
				put_column(&b, v, (unsigned)col);
			else
				tl_sb_put(&b, tpl, len + 2);
			break;
		}
		tpl = close + 1;
	}
	return b.n;
}

int expand_check(const char *tpl, const struct scn_numbers *plan, char *bad, size_t cap)
{
	for (const char *p = strchr(tpl, '{'); p; p = strchr(p + 1, '{')) {
		const char *close = strchr(p, '}');
		const char *open = strchr(p + 1, '{');
		if (!close || (open && open < close)) {
			snprintf(bad, cap, "%s", p);
			return -EINVAL;
		}
		size_t len = (size_t)(close - p - 1);
		if (builtin_of(p + 1, len) == B_NONE && column_of(plan, p + 1, len) < 0) {
			snprintf(bad, cap, "%.*s", (int)len, p + 1);
			return -ENOENT;
		}
	}
	return 0;
}

bool expand_per_call(const char *tpl)
{
	for (const char *p = strchr(tpl, '{'); p; p = strchr(p + 1, '{')) {
		const char *close = strchr(p, '}');
		if (!close)
			return false;
		enum builtin b = builtin_of(p + 1, (size_t)(close - p - 1));
		if (b == B_NONE || b == B_CALL_NUMBER || b == B_CALL_ID)
			return true;
	}
	return false;
}
