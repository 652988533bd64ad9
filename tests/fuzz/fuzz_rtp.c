/* libFuzzer target: RTP and RTCP (engine/rtp.c).
 *
 * The whole input is parsed as an RTP packet and validated as a compound RTCP
 * packet: what rtp_parse reports must fit in the packet. The input then drives
 * a receiver, 14 bytes per arrival (seq, timestamp, arrival time): every
 * arrival counts as received or duplicate, loss never exceeds what was
 * expected, jitter stays finite. Finally a sender seeded from the input builds
 * an RTP packet and a sender report with that receiver's report block, which
 * our own parser and validator must accept. The input, 8 bytes at a time (timestamp,
 * event payload), also drives a DTMF receiver: one digit per new timestamp, never
 * more kept than it holds, each a digit. */
#include "dtmf.h"
#include "fuzz.h"
#include "rtp.h"
#include <errno.h>
#include <math.h>
#include <string.h>

int LLVMFuzzerInitialize(int *argc, char ***argv);

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	pcmu_tone_init();
	return 0;
}

static uint64_t get_be(const uint8_t *p, size_t n)
{
	uint64_t v = 0;
	for (size_t i = 0; i < n; i++)
		v = v << 8 | p[i];
	return v;
}

static void check_parse(const uint8_t *data, size_t size)
{
	struct rtp_header h;
	int rc = rtp_parse(data, size, &h);
	FUZZ_CHECK(rc == 0 || rc == -EBADMSG);
	if (rc == 0) {
		FUZZ_CHECK(h.version == 2 && h.cc <= 15 && h.pt <= 127);
		FUZZ_CHECK(h.header_len >= RTP_HEADER + 4u * h.cc);
		FUZZ_CHECK(h.header_len <= size && h.payload_len <= size - h.header_len);
		FUZZ_CHECK(h.padding || h.header_len + h.payload_len == size);
	}
	uint32_t ssrc;
	rc = rtcp_validate(data, size, &ssrc);
	FUZZ_CHECK(rc == 0 || rc == -EBADMSG);
	if (rc == 0)
		FUZZ_CHECK(size >= 8 && ssrc == (uint32_t)get_be(data + 4, 4));
	struct rtcp_info info;
	FUZZ_CHECK(rtcp_read(data, size, size >= 12 ? (uint32_t)get_be(data + 8, 4) : 0, &info) == rc);
	FUZZ_CHECK(info.cumulative_lost >= -0x800000 && info.cumulative_lost <= 0x7fffff);
}

static void check_receiver(const uint8_t *data, size_t size, struct rtp_receiver *r)
{
	uint32_t updates = 0;
	rtp_receiver_init(r, 8000);
	for (size_t off = 0; off + 14 <= size; off += 14) {
		uint16_t seq = (uint16_t)get_be(data + off, 2);
		uint32_t ts = (uint32_t)get_be(data + off + 2, 4);
		uint64_t at = get_be(data + off + 6, 8);
		rtp_receiver_update(r, seq, ts, at);
		updates++;
		/* packets on probation are not counted (A.1) */
		FUZZ_CHECK(r->received + r->duplicates <= updates);
		FUZZ_CHECK(r->received <= rtp_receiver_expected(r));
		FUZZ_CHECK(rtp_receiver_missing(r) <= rtp_receiver_expected(r));
		FUZZ_CHECK(isfinite(r->jitter) && r->jitter >= 0);
		double ms = rtp_receiver_jitter_ms(r);
		FUZZ_CHECK(isfinite(ms) && ms >= 0);
	}
}

static void check_builders(const uint8_t *data, size_t size, const struct rtp_receiver *heard)
{
	struct rtp_receiver copy = *heard, *r = &copy;
	uint8_t rnd[10] = { 0 };
	memcpy(rnd, data, size < 10 ? size : 10);
	uint8_t pt = size > 10 ? data[10] & 0x7f : 0;
	int ptime = size > 11 ? 10 + data[11] % 51 : 20;
	struct rtp_sender s;
	rtp_sender_init(&s, pt, ptime, rnd);

	uint8_t pkt[RTP_HEADER + 8 * 60];
	for (int i = 0; i < 3; i++) {
		uint16_t seq = s.seq;
		uint32_t ts = s.ts;
		int n = rtp_build_next(&s, pkt, sizeof(pkt));
		FUZZ_CHECK(n == RTP_HEADER + 8 * ptime);
		struct rtp_header h;
		FUZZ_CHECK(rtp_parse(pkt, (size_t)n, &h) == 0);
		FUZZ_CHECK(h.seq == seq && h.ts == ts && h.ssrc == s.ssrc && h.pt == pt);
		FUZZ_CHECK(h.marker == (i == 0) && h.payload_len == 8u * (unsigned)ptime);
	}
	FUZZ_CHECK(rtp_build_next(&s, pkt, RTP_HEADER + 8u * (unsigned)ptime - 1) == -ENOSPC);

	/* CNAME: the input's tail up to its first NUL, at most 300 bytes */
	char cname[301];
	size_t cn = size > 12 ? size - 12 : 0;
	if (cn > 300)
		cn = 300;
	memcpy(cname, data + (size - cn), cn);
	cname[cn] = '\0';
	cn = strlen(cname);

	uint8_t sr[28 + 24 + 8 + 260];
	uint64_t ntp = get_be(data, size < 8 ? size : 8);
	int n = rtcp_build_sr(sr, sizeof(sr), &s, r, ntp, 0, cname);
	if (cn > 255) {
		FUZZ_CHECK(n == -EINVAL);
		return;
	}
	FUZZ_CHECK(n > 0 && (size_t)n <= sizeof(sr) && n % 4 == 0);
	uint32_t ssrc = 0;
	FUZZ_CHECK(rtcp_validate(sr, (size_t)n, &ssrc) == 0 && ssrc == s.ssrc);
	/* what we wrote reads back: the time, and the block about the source we hear */
	struct rtcp_info info;
	FUZZ_CHECK(rtcp_read(sr, (size_t)n, r->ssrc, &info) == 0 && info.has_sr && info.sr_ntp == ntp);
	if (rtp_receiver_expected(r)) {
		int64_t lost = rtp_receiver_lost(r);
		lost = lost > 0x7fffff ? 0x7fffff : lost < -0x800000 ? -0x800000 : lost;
		FUZZ_CHECK(info.has_block && info.cumulative_lost == lost &&
			   info.ext_highest_seq == r->cycles + r->max_seq);
	}
	FUZZ_CHECK(rtcp_build_sr(sr, (size_t)n - 1, &s, r, 0, 0, cname) == -ENOSPC);
}

static void check_dtmf(const uint8_t *data, size_t size)
{
	struct dtmf_receiver d = { 0 };
	uint64_t packets = 0;
	for (size_t off = 0; off + 8 <= size; off += 8) {
		uint32_t ts = (uint32_t)get_be(data + off, 4);
		size_t len = data[off + 4] & 1 ? 4 : data[off + 4] % 4; /* short ones too */
		enum dtmf_seen seen = dtmf_receive(&d, data + off + 4, len, ts);
		FUZZ_CHECK(seen == DTMF_NOTHING || seen == DTMF_NEW_DIGIT || seen == DTMF_DIGIT_ENDED);
		packets++;
		FUZZ_CHECK(d.received + d.other_events + d.bad <= packets);
		FUZZ_CHECK(d.n <= DTMF_MAX_DIGITS && strlen(d.digits) == d.n && d.n <= d.received);
	}
	for (unsigned i = 0; i < d.n; i++)
		FUZZ_CHECK(dtmf_code(d.digits[i]) >= 0);
	FUZZ_CHECK(d.n == 0 || dtmf_valid(d.digits));
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct rtp_receiver r;
	check_parse(data, size);
	check_dtmf(data, size);
	check_receiver(data, size, &r);
	check_builders(data, size, &r);
	return 0;
}
