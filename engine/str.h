/* A borrowed byte slice: points into a buffer somebody else owns. */
#ifndef TL_STR_H
#define TL_STR_H
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <stdbool.h>

struct tl_str {
	const char *p;
	size_t len;
};

#define TL_STR(lit) ((struct tl_str){ (lit), sizeof(lit) - 1 })

static inline struct tl_str tl_str_c(const char *s)
{
	return (struct tl_str){ s, s ? strlen(s) : 0 };
}

static inline bool tl_str_eq(struct tl_str a, const char *lit)
{
	size_t n = strlen(lit);
	return a.len == n && memcmp(a.p, lit, n) == 0;
}

/* Builds a NUL-terminated string in a fixed buffer, truncating as snprintf does:
 * for the per-message path, where snprintf's format parsing costs more than the copy. */
struct tl_sb {
	char *p;
	size_t cap, n;
};

static inline struct tl_sb tl_sb_init(char *buf, size_t cap)
{
	if (cap)
		buf[0] = 0;
	return (struct tl_sb){ buf, cap, 0 };
}

static inline void tl_sb_put(struct tl_sb *b, const char *s, size_t len)
{
	if (b->n + 1 >= b->cap)
		return;
	size_t room = b->cap - 1 - b->n;
	if (len > room)
		len = room;
	memcpy(b->p + b->n, s, len);
	b->n += len;
	b->p[b->n] = 0;
}

static inline void tl_sb_cstr(struct tl_sb *b, const char *s)
{
	tl_sb_put(b, s, strlen(s));
}

/* v in lower-case hex: like "%x", or "%0<width>x" with width 1-8 */
static inline void tl_sb_hex(struct tl_sb *b, uint32_t v, unsigned width)
{
	char t[8];
	unsigned i = 8;
	do {
		t[--i] = "0123456789abcdef"[v & 15];
		v >>= 4;
	} while (v || 8 - i < width);
	tl_sb_put(b, t + i, 8 - i);
}

static inline void tl_sb_uint(struct tl_sb *b, uint64_t v)
{
	char t[20];
	unsigned i = 20;
	do {
		t[--i] = (char)('0' + v % 10);
		v /= 10;
	} while (v);
	tl_sb_put(b, t + i, 20 - i);
}

#endif
