/* RFC 4733 telephone-events. Decisions the RFC leaves open:
 *  - event packets replace the audio while a digit plays, one per packet time, each
 *    with its own sequence number (also the three end packets: under SRTP a repeated
 *    number is a replay the far end must drop);
 *  - the stream's timestamp goes on counting during a digit, so the audio after it
 *    carries the time the digit took;
 *  - a receiver takes an event's digit from its first packet, so a lost first packet or
 *    lost end packets lose nothing. */
#include "dtmf.h"
#include "be.h"

#include <errno.h>
#include <limits.h>
#include <string.h>

static const char digits_by_code[] = "0123456789*#ABCD";

int dtmf_code(char digit)
{
	if (digit >= 'a' && digit <= 'd')
		digit = (char)(digit - 'a' + 'A');
	const char *p = digit ? strchr(digits_by_code, digit) : NULL;
	return p ? (int)(p - digits_by_code) : -1;
}

char dtmf_digit(uint8_t code)
{
	return code < 16 ? digits_by_code[code] : 0;
}

bool dtmf_valid(const char *s)
{
	size_t n = strlen(s);
	if (n == 0 || n > DTMF_MAX_DIGITS)
		return false;
	for (size_t i = 0; i < n; i++)
		if (dtmf_code(s[i]) < 0)
			return false;
	return true;
}

int dtmf_queue(struct dtmf_sender *d, const char *digits, uint32_t duration_ms, uint32_t gap_ms)
{
	size_t len = strlen(digits);
	if (!len || duration_ms == 0 || duration_ms > DTMF_MAX_DURATION_MS ||
	    gap_ms > DTMF_MAX_DURATION_MS)
		return -EINVAL;
	for (size_t i = 0; i < len; i++)
		if (dtmf_code(digits[i]) < 0)
			return -EINVAL;
	if (d->n + len > DTMF_MAX_DIGITS)
		return -ENOSPC;
	memcpy(d->queue + d->n, digits, len);
	d->n += (unsigned)len;
	d->queue[d->n] = 0;
	d->duration = 8 * duration_ms;
	d->gap = 8 * gap_ms;
	return 0;
}

bool dtmf_due(const struct dtmf_sender *d)
{
	return d->n > 0 && (d->playing || d->quiet == 0);
}

int dtmf_build_next(struct dtmf_sender *d, struct rtp_sender *s, uint8_t pt, uint8_t *buf,
		    size_t cap)
{
	if (cap < RTP_HEADER + DTMF_EVENT_LEN || !d->n)
		return -ENOSPC;
	bool first = !d->playing;
	if (first) {
		d->playing = true;
		d->elapsed = 0;
		d->ends = 0;
		d->ts = s->ts;
	}
	if (d->elapsed < d->duration)
		d->elapsed += s->samples ? s->samples : 160;
	if (d->elapsed > d->duration)
		d->elapsed = d->duration;
	bool end = d->elapsed >= d->duration;
	buf[0] = 0x80;
	buf[1] = (uint8_t)((first ? 0x80 : 0) | (pt & 0x7f)); /* the marker opens an event */
	be_put16(buf + 2, s->seq);
	be_put32(buf + 4, d->ts);
	be_put32(buf + 8, s->ssrc);
	uint8_t *e = buf + RTP_HEADER;
	e[0] = (uint8_t)dtmf_code(d->queue[0]);
	e[1] = (uint8_t)((end ? 0x80 : 0) | DTMF_VOLUME);
	be_put16(e + 2, d->elapsed > UINT16_MAX ? UINT16_MAX : d->elapsed);
	s->seq++;
	s->ts += s->samples;
	s->packets++;
	s->octets += DTMF_EVENT_LEN;
	if (end && ++d->ends == 1)
		d->digits_sent++; /* whole on the wire: the repeats are for losses */
	if (end && d->ends == DTMF_END_PACKETS) {
		memmove(d->queue, d->queue + 1, d->n--);
		d->playing = false;
		d->quiet = d->gap;
	}
	return RTP_HEADER + DTMF_EVENT_LEN;
}

void dtmf_after_audio(struct dtmf_sender *d, uint32_t samples)
{
	d->quiet = d->quiet > samples ? d->quiet - samples : 0;
}

enum dtmf_seen dtmf_receive(struct dtmf_receiver *r, const uint8_t *payload, size_t len,
			    uint32_t ts)
{
	if (len < DTMF_EVENT_LEN) {
		r->bad++;
		return DTMF_NOTHING;
	}
	uint8_t code = payload[0];
	bool end = payload[1] & 0x80;
	uint16_t duration = (uint16_t)(payload[2] << 8 | payload[3]);
	if (r->started && ts == r->ts) { /* a packet of the event under way */
		if (!end || r->ended)
			return DTMF_NOTHING;
		r->ended = true;
		r->duration = duration;
		return r->code < 16 ? DTMF_DIGIT_ENDED : DTMF_NOTHING;
	}
	r->started = true;
	r->ts = ts;
	r->code = code;
	r->ended = end;
	r->duration = duration;
	if (code >= 16) {
		r->other_events++;
		return DTMF_NOTHING;
	}
	r->received++;
	if (r->n < DTMF_MAX_DIGITS) {
		r->digits[r->n++] = dtmf_digit(code);
		r->digits[r->n] = 0;
	}
	return end ? DTMF_DIGIT_ENDED : DTMF_NEW_DIGIT;
}

unsigned dtmf_mismatched(const char *want, const char *got)
{
	size_t w = strlen(want), g = strlen(got), n = w > g ? w : g;
	unsigned bad = 0;
	for (size_t i = 0; i < n; i++)
		bad += i >= w || i >= g || want[i] != got[i];
	return bad;
}
