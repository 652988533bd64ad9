#include "str.h"
#include <errno.h>
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

int tl_hostport_parse(const char *s, size_t len, char *host, size_t cap, uint16_t *port,
		      uint16_t default_port)
{
	const char *end = s + len, *h = s, *p = NULL;
	size_t hlen;
	if (len && s[0] == '[') { /* [v6] or [v6]:port */
		const char *close = memchr(s, ']', len);
		if (!close || close == s + 1 || (close + 1 < end && close[1] != ':'))
			return -EINVAL;
		h = s + 1;
		hlen = (size_t)(close - h);
		p = close + 1 < end ? close + 2 : NULL;
	} else {
		const char *colon = memchr(s, ':', len);
		if (colon && memchr(colon + 1, ':', (size_t)(end - colon - 1))) { /* bare IPv6: no port */
			hlen = len;
		} else {
			hlen = colon ? (size_t)(colon - s) : len;
			p = colon ? colon + 1 : NULL;
		}
	}
	if (!hlen || hlen >= cap || memchr(h, '\0', hlen))
		return -EINVAL;
	uint32_t v = default_port;
	if (p) {
		size_t plen = (size_t)(end - p);
		if (!plen)
			return -EINVAL;
		v = 0;
		for (size_t i = 0; i < plen; i++) {
			if (p[i] < '0' || p[i] > '9')
				return -EINVAL;
			if (i < 6)
				v = v * 10 + (uint32_t)(p[i] - '0');
		}
		if (plen > 5 || v < 1 || v > 65535)
			return -ERANGE;
	}
	memcpy(host, h, hlen);
	host[hlen] = 0;
	*port = (uint16_t)v;
	return 0;
}
