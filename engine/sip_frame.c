/* Where a SIP message ends on a stream: see sip_frame.h for the contract.
 *
 * Every line of a header block ends in CRLF (the parser refuses a bare LF), so the
 * block ends at the first LF that closes an empty line: an LF whose line began right
 * after the previous LF. Each call searches only the bytes it has not searched yet;
 * the parser sees the start line once, when it is whole, and the header block once,
 * when it is whole, and says what they mean. */
#include "sip_frame.h"
#include "sip_parse.h"
#include <errno.h>
#include <limits.h>
#include <string.h>

/* The message is decided (its length or an error): the next call starts afresh. */
static int decided(struct sip_frame *f, int rc)
{
	f->scanned = f->total = 0;
	f->start_line = false;
	return rc;
}

int sip_frame_next(struct sip_frame *f, const char *buf, size_t len, size_t max_size)
{
	struct sip_msg m;
	int rc;

	if (max_size > INT_MAX)
		max_size = INT_MAX;
	if (f->total) /* header block known: waiting for the body */
		return len >= f->total ? decided(f, (int)f->total) : -EAGAIN;
	if (len == 0)
		return -EAGAIN;
	if (!f->scanned) {
		/* a keep-alive (all its CR/LF bytes), or the first byte of a message or of
		 * something that is not SIP at all */
		size_t n = buf[0] == '\r' || buf[0] == '\n' ? len : 1;
		rc = sip_parse_head(buf, n, max_size, &m);
		f->examined += rc > 0 ? (size_t)rc : 1;
		if (rc != -EAGAIN)
			return decided(f, rc);
	}

	size_t lim = len < max_size ? len : max_size, pos = f->scanned;
	while (pos < lim) {
		const char *nl = memchr(buf + pos, '\n', lim - pos);
		size_t end = nl ? (size_t)(nl - buf) + 1 : lim;
		f->examined += end - pos;
		pos = end;
		if (!nl)
			break;
		size_t i = end - 1; /* the LF; i >= 1, buf[0] is not one */
		f->examined += 2;
		if (buf[i - 1] != '\r')
			return decided(f, -EBADMSG);
		if (!f->start_line) {
			/* the start line is whole: the parser tells at once whether it is one */
			rc = sip_parse_head(buf, end, max_size, &m);
			f->examined += end;
			if (rc != -EAGAIN)
				return decided(f, rc < 0 ? rc : -EBADMSG);
			f->start_line = true;
			continue;
		}
		if (buf[i - 2] != '\n') /* i >= 2: the start line ended before */
			continue;
		/* an empty line: the header block is whole; the parser reads it once */
		rc = sip_parse_head(buf, end, max_size, &m);
		f->examined += end;
		if (rc < 0)
			return decided(f, rc);
		f->total = (size_t)rc + m.content_length; /* <= max_size: the parser checked */
		f->scanned = end;
		return len >= f->total ? decided(f, (int)f->total) : -EAGAIN;
	}
	f->scanned = pos;
	return len >= max_size ? decided(f, -EMSGSIZE) : -EAGAIN;
}
