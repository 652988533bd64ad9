/* A borrowed byte slice, and the one string builder of the project. */
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

/* Builds text in a fixed buffer without ever writing past its end. What does not fit
 * is cut and `cut` is set, so a builder checks once at the end (-ENOSPC) or marks the
 * cut text (tl_sb_mark_cut). A string builder (tl_sb_init) keeps the text
 * NUL-terminated, as snprintf does; a byte builder (tl_sb_init_bytes) may fill the
 * whole buffer and writes no NUL (SIP and SDP messages). No format parsing: the
 * per-message path pays only for the copies. */
struct tl_sb {
	char *p;
	size_t cap, n;
	size_t lim;  /* bytes the text may take: cap - 1 for a string, cap for bytes */
	bool nul;    /* keep p[n] == 0 */
	bool cut;    /* something did not fit */
};

static inline struct tl_sb tl_sb_init(char *buf, size_t cap)
{
	if (cap)
		buf[0] = 0;
	return (struct tl_sb){ buf, cap, 0, cap ? cap - 1 : 0, true, false };
}

static inline struct tl_sb tl_sb_init_bytes(char *buf, size_t cap)
{
	return (struct tl_sb){ buf, cap, 0, cap, false, false };
}

static inline void tl_sb_put(struct tl_sb *b, const char *s, size_t len)
{
	size_t room = b->lim - b->n;
	if (len > room) {
		len = room;
		b->cut = true;
	}
	if (len)
		memcpy(b->p + b->n, s, len);
	b->n += len;
	if (b->nul && b->cap)
		b->p[b->n] = 0;
}

#define TL_SB_LIT(b, lit) tl_sb_put((b), (lit), sizeof(lit) - 1)

static inline void tl_sb_cstr(struct tl_sb *b, const char *s)
{
	tl_sb_put(b, s, strlen(s));
}

static inline void tl_sb_str(struct tl_sb *b, struct tl_str s)
{
	if (s.len)
		tl_sb_put(b, s.p, s.len);
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

/* Appends printf-style text (for reports and messages, not the per-message path):
 * cut where it does not fit, like the other appends. */
void tl_sb_fmt(struct tl_sb *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* When the text was cut, its last bytes become "..." so that a reader sees it is
 * incomplete (a string builder with room for at least the marker). */
void tl_sb_mark_cut(struct tl_sb *b);

/* "HOST:PORT", "HOST" (default_port), "[V6]:PORT", "[V6]" or a bare IPv6 literal, the
 * first len bytes of s, into host (NUL-terminated) and port. 0; -EINVAL when it is not
 * that shape or host does not fit cap; -ERANGE when the port is outside 1-65535. */
int tl_hostport_parse(const char *s, size_t len, char *host, size_t cap, uint16_t *port,
		      uint16_t default_port);

#endif
