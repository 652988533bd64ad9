#include "str.h"
#include <stdarg.h>
#include <stdio.h>

void tl_sb_fmt(struct tl_sb *b, const char *fmt, ...)
{
	if (b->cut || !b->cap) {
		b->cut |= fmt[0] != 0;
		return;
	}
	size_t room = b->lim - b->n;
	char *at = b->p + b->n;
	va_list ap;
	va_start(ap, fmt);
	/* vsnprintf always writes a NUL: a byte builder lends it the room it has */
	char tmp[512];
	bool direct = b->nul;
	int len = vsnprintf(direct ? at : tmp, direct ? room + 1 : sizeof(tmp), fmt, ap);
	va_end(ap);
	if (len < 0)
		return;
	if (direct) {
		if ((size_t)len > room) {
			b->n = b->lim;
			b->cut = true;
		} else {
			b->n += (size_t)len;
		}
		return;
	}
	tl_sb_put(b, tmp, (size_t)len < sizeof(tmp) ? (size_t)len : sizeof(tmp) - 1);
	if ((size_t)len >= sizeof(tmp))
		b->cut = true;
}

void tl_sb_mark_cut(struct tl_sb *b)
{
	static const char mark[] = "...";
	if (!b->cut || b->lim < sizeof(mark) - 1)
		return;
	memcpy(b->p + b->lim - (sizeof(mark) - 1), mark, sizeof(mark) - 1);
	b->n = b->lim;
	if (b->nul)
		b->p[b->n] = 0;
}
