/* RTP/RTCP for one PCMU stream (RFC 3550), receiver statistics (Appendix A.1,
 * A.8) and the tone we send. Decisions beyond the header:
 *  - a window of the 128 numbers up to the highest one seen tells a late,
 *    reordered packet (up to MAX_MISORDER behind; counted in `received` and
 *    `reordered`, so it is no loss) from a repeat (`duplicates`, never in
 *    `received`): received <= expected always holds;
 *  - A.1 probation: a source is counted from the second of two packets in
 *    sequence (the first is not); a jump of MAX_DROPOUT or more (a restarted
 *    sender) resynchronises at once, without counting the gap as loss (A.1 waits
 *    for a second packet and restarts every count; SRTP has authenticated it);
 *  - lost is A.3's cumulative figure, repeats counted as received, so it can be
 *    negative; missing is the packets never seen, for the loss a listener hears;
 *  - the report block's fraction lost is over the interval since our last report
 *    (A.3), LSR/DLSR come from the far end's last SR. */
#include "rtp.h"
#include "be.h"

#include <errno.h>
#include <limits.h>
#include <math.h>
#include <string.h>

#define MAX_DROPOUT 3000
#define MAX_MISORDER 100
#define MIN_SEQUENTIAL 2
#define SEQ_MOD 65536u

#define RTCP_SR 200
#define RTCP_RR 201
#define RTCP_SDES 202
#define SDES_CNAME 1

/* ---- sender ---- */

void rtp_sender_init(struct rtp_sender *s, uint8_t pt, int ptime_ms, const uint8_t rnd[10])
{
	memset(s, 0, sizeof(*s));
	s->ssrc = be_get32(rnd);
	s->seq = be_get16(rnd + 4);
	s->ts = be_get32(rnd + 6);
	s->pt = pt;
	s->samples = ptime_ms > 0 ? 8u * (uint32_t)ptime_ms : 0;
}

int rtp_build_next(struct rtp_sender *s, uint8_t *buf, size_t cap)
{
	size_t n = RTP_HEADER + (size_t)s->samples;
	if (n > cap || n > INT_MAX)
		return -ENOSPC;
	buf[0] = 0x80; /* V=2, no padding, extension or CSRC */
	buf[1] = (uint8_t)((s->packets == 0 ? 0x80 : 0) | (s->pt & 0x7f));
	be_put16(buf + 2, s->seq);
	be_put32(buf + 4, s->ts);
	be_put32(buf + 8, s->ssrc);

	/* The tone loops; a packet no longer than it takes at most two copies. */
	const uint8_t *tone = s->pt == RTP_PT_PCMA ? pcma_tone() : pcmu_tone();
	uint8_t *o = buf + RTP_HEADER;
	uint32_t left = s->samples, pos = s->audio_pos % PCMU_TONE_LEN;
	while (left) {
		uint32_t k = PCMU_TONE_LEN - pos < left ? PCMU_TONE_LEN - pos : left;
		memcpy(o, tone + pos, k);
		o += k;
		left -= k;
		pos = (pos + k) % PCMU_TONE_LEN;
	}
	s->audio_pos = pos;

	s->seq++;
	s->ts += s->samples;
	s->packets++;
	s->octets += s->samples;
	return (int)n;
}

/* ---- parsing ---- */

int rtp_parse(const uint8_t *buf, size_t len, struct rtp_header *h)
{
	if (len < RTP_HEADER || buf[0] >> 6 != 2)
		return -EBADMSG;
	struct rtp_header r = {
		.version = 2,
		.padding = buf[0] & 0x20,
		.extension = buf[0] & 0x10,
		.cc = buf[0] & 0x0f,
		.marker = buf[1] & 0x80,
		.pt = buf[1] & 0x7f,
		.seq = be_get16(buf + 2),
		.ts = be_get32(buf + 4),
		.ssrc = be_get32(buf + 8),
	};
	size_t hl = RTP_HEADER + 4u * r.cc;
	if (r.extension) {
		if (hl + 4 > len)
			return -EBADMSG;
		hl += 4 + 4u * be_get16(buf + hl + 2); /* length counts 32-bit words */
	}
	if (hl > len)
		return -EBADMSG;
	size_t pad = 0;
	if (r.padding) {
		pad = buf[len - 1]; /* counts itself, so 0 is malformed */
		if (pad == 0 || pad > len - hl)
			return -EBADMSG;
	}
	r.header_len = hl;
	r.payload_len = len - hl - pad;
	*h = r;
	return 0;
}

/* ---- receiver ---- */

void rtp_receiver_init(struct rtp_receiver *r, uint32_t clock_rate)
{
	memset(r, 0, sizeof(*r));
	r->clock_rate = clock_rate;
}

/* Transit time in timestamp units, modulo 2^32 like the RTP timestamp, so the
 * difference of two transits survives a timestamp wrap. */
static uint32_t transit_of(const struct rtp_receiver *r, uint32_t ts, uint64_t arrival_us)
{
	/* split so that a wall-clock microsecond count times the rate cannot overflow */
	uint64_t units = arrival_us / 1000000 * r->clock_rate +
			 arrival_us % 1000000 * r->clock_rate / 1000000;
	return (uint32_t)units - ts;
}

static void restart(struct rtp_receiver *r, uint16_t seq, uint32_t transit)
{
	r->max_seq = seq;
	r->last_transit = transit;
	r->seen[0] = 1; /* bit 0: max_seq itself */
	r->seen[1] = 0;
}

/* The window moves up by n numbers. */
static void slide(struct rtp_receiver *r, unsigned n)
{
	if (n >= 128) {
		r->seen[0] = r->seen[1] = 0;
	} else if (n >= 64) {
		r->seen[1] = r->seen[0] << (n - 64);
		r->seen[0] = 0;
	} else if (n) {
		r->seen[1] = r->seen[1] << n | r->seen[0] >> (64 - n);
		r->seen[0] <<= n;
	}
	r->seen[0] |= 1;
}

/* A packet `behind` numbers below max_seq: reordered when first seen, else a repeat; one
 * from before the first counted is not expected, and counts as A.1 counts it (received,
 * so with the repeats). */
static void late(struct rtp_receiver *r, unsigned behind)
{
	uint64_t *w = &r->seen[behind >= 64];
	uint64_t bit = 1ull << (behind % 64);
	if (behind >= 128 || behind >= rtp_receiver_expected(r) || (*w & bit)) {
		r->duplicates++;
		return;
	}
	*w |= bit;
	r->received++;
	r->reordered++;
}

/* Counting starts at seq (A.1 init_seq). */
static void start_counting(struct rtp_receiver *r, uint16_t seq, uint32_t transit)
{
	r->cycles = 0;
	r->base_seq = seq;
	r->received = 1;
	r->duplicates = r->reordered = 0;
	r->expected_prior = r->received_prior = 0;
	restart(r, seq, transit);
}

static void update(struct rtp_receiver *r, uint16_t seq, uint32_t ts, uint64_t arrival_us, bool timed)
{
	uint32_t transit = transit_of(r, ts, arrival_us);
	if (!r->started || r->probation) {
		/* on probation: in sequence brings the source closer to being counted, out
		 * of sequence starts the probation again */
		bool next = r->started && seq == (uint16_t)(r->max_seq + 1);
		r->probation = next ? r->probation - 1 : MIN_SEQUENTIAL - 1;
		r->started = true;
		r->jitter = 0;
		if (next && !r->probation)
			start_counting(r, seq, transit);
		r->max_seq = seq;
		r->last_transit = transit;
		return;
	}
	uint16_t udelta = (uint16_t)(seq - r->max_seq);
	if (udelta == 0) {
		r->duplicates++;
		return;
	}
	if (udelta > SEQ_MOD - MAX_MISORDER) { /* late: max_seq already covers it */
		late(r, SEQ_MOD - udelta);
		return;
	}
	if (udelta >= MAX_DROPOUT) {
		/* The sender jumped. Move base_seq so that expected grows by one,
		 * like received: the gap is not loss, the counts stay consistent. */
		uint32_t span = rtp_receiver_expected(r);
		restart(r, seq, transit);
		r->seen[0] = r->seen[1] = UINT64_MAX; /* what came before the jump is not expected */
		r->base_seq = r->cycles + seq - span;
		r->received++;
		return;
	}
	if (seq < r->max_seq)
		r->cycles += SEQ_MOD;
	r->max_seq = seq;
	slide(r, udelta);
	r->received++;
	if (!timed)
		return;

	int32_t d = (int32_t)(transit - (uint32_t)r->last_transit);
	r->last_transit = transit;
	r->jitter += (fabs((double)d) - r->jitter) / 16.0;
}

void rtp_receiver_update(struct rtp_receiver *r, uint16_t seq, uint32_t ts, uint64_t arrival_us)
{
	update(r, seq, ts, arrival_us, true);
}

void rtp_receiver_count(struct rtp_receiver *r, uint16_t seq, uint32_t ts, uint64_t arrival_us)
{
	update(r, seq, ts, arrival_us, false);
}

static bool counting(const struct rtp_receiver *r)
{
	return r->started && !r->probation;
}

uint32_t rtp_receiver_expected(const struct rtp_receiver *r)
{
	if (!counting(r))
		return 0;
	return r->cycles + r->max_seq - r->base_seq + 1;
}

int64_t rtp_receiver_lost(const struct rtp_receiver *r)
{
	return (int64_t)rtp_receiver_expected(r) - r->received - r->duplicates;
}

uint32_t rtp_receiver_missing(const struct rtp_receiver *r)
{
	uint32_t e = rtp_receiver_expected(r);
	return e > r->received ? e - r->received : 0;
}

void rtp_receiver_note_sr(struct rtp_receiver *r, uint64_t ntp, uint64_t arrival_us)
{
	r->lsr = (uint32_t)(ntp >> 16);
	r->lsr_at_us = arrival_us;
}

double rtp_receiver_jitter_ms(const struct rtp_receiver *r)
{
	return r->clock_rate ? r->jitter * 1000.0 / r->clock_rate : 0.0;
}

/* ---- RTCP ---- */

static void rtcp_header(uint8_t *p, unsigned count, unsigned pt, size_t bytes)
{
	p[0] = (uint8_t)(0x80 | count);
	p[1] = (uint8_t)pt;
	be_put16(p + 2, (uint16_t)(bytes / 4 - 1));
}

static void report_block(uint8_t *p, struct rtp_receiver *r, uint64_t now_us)
{
	uint32_t expected = rtp_receiver_expected(r), got = r->received + r->duplicates;
	uint32_t expected_interval = expected - r->expected_prior;
	int64_t lost_interval = (int64_t)expected_interval - (got - r->received_prior);
	r->expected_prior = expected;
	r->received_prior = got;
	uint64_t fraction = expected_interval && lost_interval > 0 ?
				    (uint64_t)lost_interval * 256 / expected_interval : 0;
	int64_t lost = rtp_receiver_lost(r);
	lost = lost > 0x7fffff ? 0x7fffff : lost < -0x800000 ? -0x800000 : lost; /* 24-bit signed */
	be_put32(p, r->ssrc);
	be_put32(p + 4, (uint32_t)(fraction > 255 ? 255 : fraction) << 24 | ((uint32_t)lost & 0xffffff));
	be_put32(p + 8, r->cycles + r->max_seq);
	be_put32(p + 12, r->jitter >= 4294967295.0 ? UINT32_MAX : (uint32_t)r->jitter);
	/* DLSR in 1/65536 s since the far end's SR came */
	uint64_t since = r->lsr && now_us > r->lsr_at_us ? now_us - r->lsr_at_us : 0;
	be_put32(p + 16, r->lsr);
	be_put32(p + 20, r->lsr ? (uint32_t)(since * 65536 / 1000000) : 0);
}

/* An SR (sender != NULL) or an RR of ssrc, with a block about r when it counts, and the
 * SDES CNAME after it. */
static int build_report(uint8_t *buf, size_t cap, uint32_t ssrc, const struct rtp_sender *s,
			struct rtp_receiver *r, uint64_t ntp, uint64_t now_us, const char *cname)
{
	size_t cn = cname ? strlen(cname) : 0;
	if (cn > 255)
		return -EINVAL;
	unsigned rc = r && counting(r) ? 1 : 0;
	size_t head = s ? 28 : 8, first = head + 24 * rc;
	/* SDES: header, SSRC, CNAME type+length+text, then at least one null
	 * octet ending the item list, padded to a 32-bit boundary */
	size_t sdes = 8 + ((2 + cn + 1 + 3) & ~(size_t)3);
	if (first + sdes > cap)
		return -ENOSPC;

	rtcp_header(buf, rc, s ? RTCP_SR : RTCP_RR, first);
	be_put32(buf + 4, ssrc);
	if (s) {
		be_put32(buf + 8, (uint32_t)(ntp >> 32));
		be_put32(buf + 12, (uint32_t)ntp);
		be_put32(buf + 16, s->ts);
		be_put32(buf + 20, s->packets);
		be_put32(buf + 24, s->octets);
	}
	if (rc)
		report_block(buf + head, r, now_us);

	uint8_t *d = buf + first;
	rtcp_header(d, 1, RTCP_SDES, sdes);
	be_put32(d + 4, ssrc);
	d[8] = SDES_CNAME;
	d[9] = (uint8_t)cn;
	memcpy(d + 10, cname ? cname : "", cn);
	memset(d + 10 + cn, 0, sdes - 10 - cn);
	return (int)(first + sdes);
}

int rtcp_build_sr(uint8_t *buf, size_t cap, const struct rtp_sender *s, struct rtp_receiver *r,
		  uint64_t ntp, uint64_t now_us, const char *cname)
{
	return build_report(buf, cap, s->ssrc, s, r, ntp, now_us, cname);
}

int rtcp_build_rr(uint8_t *buf, size_t cap, uint32_t ssrc, struct rtp_receiver *r, uint64_t now_us,
		  const char *cname)
{
	return build_report(buf, cap, ssrc, NULL, r, 0, now_us, cname);
}

int rtcp_validate(const uint8_t *buf, size_t len, uint32_t *ssrc)
{
	/* A.2: the first packet is an SR or RR without padding */
	if (len < 8 || (buf[0] & 0xe0) != 0x80 || (buf[1] != RTCP_SR && buf[1] != RTCP_RR))
		return -EBADMSG;
	size_t first = 4 * ((size_t)be_get16(buf + 2) + 1);
	size_t need = (buf[1] == RTCP_SR ? 28 : 8) + 24 * (size_t)(buf[0] & 0x1f);
	if (first < need)
		return -EBADMSG; /* its report blocks do not fit */
	size_t off = 0;
	while (off < len) {
		const uint8_t *p = buf + off;
		if (len - off < 4 || p[0] >> 6 != 2)
			return -EBADMSG;
		size_t n = 4 * ((size_t)be_get16(p + 2) + 1);
		if (n > len - off)
			return -EBADMSG;
		if (p[0] & 0x20) { /* padding: only in the last packet, and must fit */
			uint8_t pad = buf[len - 1];
			if (off + n != len || pad == 0 || pad > n - 4)
				return -EBADMSG;
		}
		off += n;
	}
	*ssrc = be_get32(buf + 4);
	return 0;
}

int rtcp_read(const uint8_t *buf, size_t len, uint32_t ssrc, struct rtcp_info *out)
{
	uint32_t first;
	memset(out, 0, sizeof(*out));
	if (rtcp_validate(buf, len, &first))
		return -EBADMSG;
	for (size_t off = 0; off < len;) {
		const uint8_t *p = buf + off;
		size_t n = 4 * ((size_t)be_get16(p + 2) + 1);
		size_t blocks = p[1] == RTCP_SR ? 28 : p[1] == RTCP_RR ? 8 : n;
		if (p[1] == RTCP_SR && !out->has_sr && n >= 28) {
			out->has_sr = true;
			out->sr_ntp = (uint64_t)be_get32(p + 8) << 32 | be_get32(p + 12);
		}
		for (unsigned i = 0; i < (p[0] & 0x1fu) && blocks + 24 * (i + 1) <= n; i++) {
			const uint8_t *b = p + blocks + 24 * i;
			if (out->has_block || be_get32(b) != ssrc)
				continue;
			uint32_t lost = be_get32(b + 4) & 0xffffff;
			out->has_block = true;
			out->fraction_lost = b[4];
			out->cumulative_lost = (int32_t)(lost ^ 0x800000) - 0x800000; /* sign of bit 23 */
			out->ext_highest_seq = be_get32(b + 8);
			out->jitter = be_get32(b + 12);
			out->lsr = be_get32(b + 16);
			out->dlsr = be_get32(b + 20);
		}
		off += n;
	}
	return 0;
}

/* A far end whose clock is coarser than 1/65536 s (a DLSR counted in milliseconds, say)
 * can over-state DLSR by a tick: on a short path the round trip then comes out a little
 * below zero, which is a round trip of about nothing, not a missing sample. */
#define RTT_TICK_SLACK (65536 / 100) /* 10 ms, in 1/65536 s */

double rtcp_rtt_ms(uint32_t lsr, uint32_t dlsr, uint64_t ntp_arrival)
{
	uint32_t rtt = (uint32_t)(ntp_arrival >> 16) - lsr - dlsr;
	if (!lsr || (int32_t)rtt < -RTT_TICK_SLACK)
		return -1;
	return (int32_t)rtt < 0 ? 0 : rtt * 1000.0 / 65536.0;
}

/* ---- PCMU ---- */

uint8_t pcmu_encode(int16_t sample)
{
	int v = sample;
	uint8_t sign = 0;
	if (v < 0) {
		v = -v;
		sign = 0x80;
	}
	if (v > 32635)
		v = 32635; /* so that v + bias stays within 15 bits */
	v += 0x84;
	/* segment = position of the highest set bit above bit 7 */
	int seg = 31 - __builtin_clz((unsigned)v) - 7;
	uint8_t mant = (uint8_t)((v >> (seg + 3)) & 0x0f);
	return (uint8_t)~(sign | seg << 4 | mant);
}

uint8_t pcma_encode(int16_t sample)
{
	/* 13-bit magnitude; a negative sample is one's complement, so -1 and 0 differ by
	 * the sign bit alone */
	int v = sample >> 3;
	uint8_t mask = 0xd5;
	if (v < 0) {
		v = -v - 1;
		mask = 0x55;
	}
	int seg = 0;
	while (seg < 8 && v > (0x20 << seg) - 1)
		seg++;
	if (seg == 8)
		return (uint8_t)(0x7f ^ mask);
	uint8_t mant = (uint8_t)((seg < 2 ? v >> 1 : v >> seg) & 0x0f);
	return (uint8_t)((seg << 4 | mant) ^ mask);
}

static uint8_t tone[PCMU_TONE_LEN], tone_a[PCMU_TONE_LEN];

void pcmu_tone_init(void)
{
	/* 400 Hz at 8 kHz repeats every 20 samples; -12 dBFS peak */
	const double amp = 32767.0 * pow(10.0, -12.0 / 20.0);
	const double pi = 3.14159265358979323846;
	for (int i = 0; i < 20; i++) {
		int16_t x = (int16_t)lround(amp * sin(2.0 * pi * 400.0 * i / 8000.0));
		tone[i] = pcmu_encode(x);
		tone_a[i] = pcma_encode(x);
	}
	for (int i = 20; i < PCMU_TONE_LEN; i++) {
		tone[i] = tone[i - 20];
		tone_a[i] = tone_a[i - 20];
	}
}

const uint8_t *pcmu_tone(void)
{
	return tone;
}

const uint8_t *pcma_tone(void)
{
	return tone_a;
}
