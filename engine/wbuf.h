/* Appending text to a fixed caller buffer: once something does not fit, the buffer
 * is marked full and later writes are dropped, so a builder checks once at the end. */
#ifndef TL_WBUF_H
#define TL_WBUF_H
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

struct wbuf {
	char *p;
	size_t cap, len;
	bool full;
};

static inline void w_mem(struct wbuf *w, const char *s, size_t n)
{
	if (w->full || w->cap - w->len < n) {
		w->full = true;
		return;
	}
	memcpy(w->p + w->len, s, n);
	w->len += n;
}

static inline void w_str(struct wbuf *w, const char *s)
{
	w_mem(w, s, strlen(s));
}

static inline void w_u64(struct wbuf *w, uint64_t v)
{
	char tmp[20];
	size_t n = 0;
	do {
		tmp[sizeof(tmp) - ++n] = (char)('0' + v % 10);
		v /= 10;
	} while (v);
	w_mem(w, tmp + sizeof(tmp) - n, n);
}

#endif
