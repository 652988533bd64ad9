/* Where a SIP message that arrives in pieces ends, on a stream (RFC 3261 18.3).
 * Pure: no I/O, no allocation.
 *
 * Parsing a buffered message again from its first byte each time bytes arrive costs
 * quadratic time when a caller trickles it a byte at a time. The framer remembers how
 * far it looked, as picohttpparser's last_len does: while the header block is
 * incomplete, how far it searched for the empty line that ends it; once that is
 * found, the length of the whole message (header block + Content-Length). Each byte
 * is then looked at a bounded number of times, and the message is parsed once, when
 * it is whole. */
#ifndef TL_SIP_FRAME_H
#define TL_SIP_FRAME_H
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct sip_frame {
	size_t scanned;    /* bytes of the message searched so far; 0: none begun */
	size_t total;      /* the whole message's length once its header block is known, else 0 */
	bool start_line;   /* the start line is whole and well formed */
	uint64_t examined; /* bytes looked at, over every call: what the tests bound */
};

/* Frames the message at the start of buf[0..len). buf holds the bytes the previous
 * call saw (the same message from its first byte) and maybe more after them; a
 * zeroed state starts a new message.
 * Returns the message's length (parse exactly those bytes with sip_parse_msg; the
 * state is ready for the next message), or:
 *   -EAGAIN   not complete yet: the state remembers how far it looked;
 *   -EBADMSG  malformed, as sip_parse_msg would say;
 *   -EMSGSIZE the header block, or the message it announces, exceeds max_size.
 * Leading CR/LF bytes (keep-alives) come back as a message of that many bytes, as
 * sip_parse_msg returns them. The first byte, the start line and the header block are
 * each checked by the parser itself as soon as they are whole, so framer and parser
 * agree, but for one thing: a malformed header line is noticed only when the header
 * block is whole, or the block is refused as over max_size first. */
int sip_frame_next(struct sip_frame *f, const char *buf, size_t len, size_t max_size);

/* True while a message has begun and is not complete. */
static inline bool sip_frame_busy(const struct sip_frame *f)
{
	return f->scanned != 0;
}

#endif
