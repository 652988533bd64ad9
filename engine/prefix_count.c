/* Open addressing with linear probing over a power-of-two number of slots, kept at
 * most half full. A slot holds its prefix zero-padded to PREFIX_MAX_LEN + 1 bytes, so
 * keys compare as 16 bytes and the last byte of a kept prefix is always its NUL: an
 * empty slot is marked by a non-zero last byte, which leaves "" (a URI without a user)
 * a prefix like the others. */
#include "prefix_count.h"

#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#define KEY_LEN (PREFIX_MAX_LEN + 1)
#define START_CAP 64u
#define EMPTY_MARK 1

static bool is_empty(const struct prefix_stat *s)
{
	return s->prefix[PREFIX_MAX_LEN] != 0;
}

static uint32_t hash_key(const char *key)
{
	uint32_t h = 2166136261u; /* FNV-1a */
	for (size_t i = 0; i < KEY_LEN; i++)
		h = (h ^ (uint8_t)key[i]) * 16777619u;
	return h;
}

/* The slot of key, or the empty one that ends its probe sequence. */
static struct prefix_stat *find(struct prefix_stat *slots, uint32_t cap, const char *key)
{
	uint32_t mask = cap - 1, i = hash_key(key) & mask;
	for (;; i = (i + 1) & mask) { /* ends: at most half the slots are used */
		struct prefix_stat *s = &slots[i];
		if (is_empty(s) || !memcmp(s->prefix, key, KEY_LEN))
			return s;
	}
}

static bool grow(struct prefix_table *t)
{
	uint32_t cap = t->cap ? 2 * t->cap : START_CAP;
	struct prefix_stat *slots = malloc(cap * sizeof(*slots));
	if (!slots)
		return false;
	for (uint32_t i = 0; i < cap; i++)
		slots[i].prefix[PREFIX_MAX_LEN] = EMPTY_MARK;
	for (uint32_t i = 0; i < t->cap; i++)
		if (!is_empty(&t->slots[i]))
			*find(slots, cap, t->slots[i].prefix) = t->slots[i];
	free(t->slots);
	t->slots = slots;
	t->cap = cap;
	return true;
}

void prefix_table_add(struct prefix_table *t, const char *p, size_t len, uint64_t calls,
		      uint64_t failed)
{
	char key[KEY_LEN] = { 0 };
	/* cut at a NUL too, so that the key is the C string the report shows */
	len = len ? strnlen(p, len < PREFIX_MAX_LEN ? len : PREFIX_MAX_LEN) : 0;
	if (len)
		memcpy(key, p, len);
	struct prefix_stat *s = t->cap ? find(t->slots, t->cap, key) : NULL;
	if (s && !is_empty(s)) {
		s->calls += calls;
		s->failed += failed;
		return;
	}
	if (t->n >= PREFIX_MAX_DISTINCT || ((t->n + 1) * 2 > t->cap && !grow(t))) {
		t->other_calls += calls;
		t->other_failed += failed;
		return;
	}
	s = find(t->slots, t->cap, key);
	memcpy(s->prefix, key, KEY_LEN);
	s->calls = calls;
	s->failed = failed;
	t->n++;
}

void prefix_table_merge(struct prefix_table *dst, const struct prefix_table *src)
{
	for (uint32_t i = 0; i < src->cap; i++) {
		const struct prefix_stat *s = &src->slots[i];
		if (!is_empty(s))
			prefix_table_add(dst, s->prefix, strlen(s->prefix), s->calls, s->failed);
	}
	dst->other_calls += src->other_calls;
	dst->other_failed += src->other_failed;
}

/* < 0 when a comes first in the report. */
static int rank_cmp(const void *x, const void *y)
{
	const struct prefix_stat *a = x, *b = y;
	if (a->failed != b->failed)
		return a->failed > b->failed ? -1 : 1;
	if (a->calls != b->calls)
		return a->calls > b->calls ? -1 : 1;
	return strcmp(a->prefix, b->prefix);
}

static void swap(struct prefix_stat *a, struct prefix_stat *b)
{
	struct prefix_stat t = *a;
	*a = *b;
	*b = t;
}

/* out is a heap whose root ranks last of those kept: each entry is compared with the
 * root alone, O(n log max) without allocating, then the few kept are sorted. */
unsigned prefix_table_top(const struct prefix_table *t, struct prefix_stat *out, unsigned max)
{
	unsigned k = 0;
	for (uint32_t i = 0; max && i < t->cap; i++) {
		const struct prefix_stat *s = &t->slots[i];
		if (is_empty(s))
			continue;
		unsigned j;
		if (k < max) {
			out[k] = *s;
			for (j = k++; j && rank_cmp(&out[j], &out[(j - 1) / 2]) > 0; j = (j - 1) / 2)
				swap(&out[j], &out[(j - 1) / 2]);
			continue;
		}
		if (rank_cmp(s, &out[0]) >= 0)
			continue;
		out[0] = *s;
		for (j = 0;;) {
			unsigned w = j, l = 2 * j + 1, r = l + 1;
			if (l < k && rank_cmp(&out[l], &out[w]) > 0)
				w = l;
			if (r < k && rank_cmp(&out[r], &out[w]) > 0)
				w = r;
			if (w == j)
				break;
			swap(&out[j], &out[w]);
			j = w;
		}
	}
	qsort(out, k, sizeof(*out), rank_cmp);
	return k;
}

void prefix_table_free(struct prefix_table *t)
{
	free(t->slots);
	memset(t, 0, sizeof(*t));
}

static bool alpha(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

size_t prefix_of_uri(const char *uri, unsigned digits, char *out, size_t cap)
{
	const char *p = uri;
	size_t n = 0;
	if (*p == '<')
		p++;
	if (alpha(p[0])) { /* scheme: ALPHA *(ALPHA / DIGIT / "+" / "-" / ".") ":" */
		size_t s = 1;
		while (alpha(p[s]) || (p[s] >= '0' && p[s] <= '9') || (p[s] && strchr("+-.", p[s])))
			s++;
		if (p[s] == ':')
			p += s + 1;
	}
	size_t user = strcspn(p, "@>");
	if (p[user] == '@')
		while (n < user && p[n] != ';' && p[n] != ':')
			n++;
	if (n > digits)
		n = digits;
	if (n > PREFIX_MAX_LEN)
		n = PREFIX_MAX_LEN;
	if (!cap)
		return 0;
	if (n > cap - 1)
		n = cap - 1;
	memcpy(out, p, n);
	out[n] = 0;
	return n;
}
