/* RTP/RTCP: built packets byte by byte, parsing of built and hand-made packets
 * (against a guard page), receiver statistics and jitter against hand-computed
 * values, sender reports decoded by hand, RTCP validity checks, G.711 mu-law. */
#include "tl_test.h"
#include "rtp.h"
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#define N(a) (sizeof(a) / sizeof((a)[0]))

static uint16_t be16(const uint8_t *p)
{
	return (uint16_t)(p[0] << 8 | p[1]);
}

static uint32_t be32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

/* ---- sender ---- */

static const struct {
	uint8_t pt;
	int ptime_ms;
	uint8_t rnd[10];
	uint32_t ssrc, ts;
	uint16_t seq;
	uint32_t samples;
} senders[] = {
	{ 0, 20, { 0x11, 0x22, 0x33, 0x44, 0x55, 0x66, 0x77, 0x88, 0x99, 0xaa },
	  0x11223344, 0x778899aa, 0x5566, 160 },
	{ 8, 30, { 0xff, 0xff, 0xff, 0xff, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00 },
	  0xffffffff, 0, 0, 240 },
	{ 101, 10, { 0, 0, 0, 1, 0xab, 0xcd, 0x80, 0, 0, 0 },
	  1, 0x80000000, 0xabcd, 80 },
	{ 127, 1, { 0 }, 0, 0, 0, 8 },
};

static void test_build_header_fields(void)
{
	pcmu_tone_init();
	for (size_t i = 0; i < N(senders); i++) {
		struct rtp_sender s;
		rtp_sender_init(&s, senders[i].pt, senders[i].ptime_ms, senders[i].rnd);
		CU_ASSERT_EQUAL(s.ssrc, senders[i].ssrc);
		CU_ASSERT_EQUAL(s.seq, senders[i].seq);
		CU_ASSERT_EQUAL(s.ts, senders[i].ts);
		CU_ASSERT_EQUAL(s.samples, senders[i].samples);
		uint32_t n = senders[i].samples;
		for (uint32_t k = 0; k < 3; k++) {
			uint8_t buf[12 + 240];
			CU_ASSERT_EQUAL_FATAL(rtp_build_next(&s, buf, sizeof(buf)), (int)(12 + n));
			CU_ASSERT_EQUAL(buf[0], 0x80); /* V=2, P=0, X=0, CC=0 */
			CU_ASSERT_EQUAL(buf[1], (k == 0 ? 0x80 : 0) | senders[i].pt);
			CU_ASSERT_EQUAL(be16(buf + 2), (uint16_t)(senders[i].seq + k));
			CU_ASSERT_EQUAL(be32(buf + 4), senders[i].ts + k * n);
			CU_ASSERT_EQUAL(be32(buf + 8), senders[i].ssrc);
			CU_ASSERT_EQUAL(s.packets, k + 1);
			CU_ASSERT_EQUAL(s.octets, (k + 1) * n);
		}
	}
}

static void test_build_wraps_and_nospc(void)
{
	/* seq 65535 and ts 0xfffffff0 wrap on the next packet */
	const uint8_t rnd[10] = { 1, 2, 3, 4, 0xff, 0xff, 0xff, 0xff, 0xff, 0xf0 };
	struct rtp_sender s;
	rtp_sender_init(&s, 0, 20, rnd);
	uint8_t buf[172];
	static const struct {
		uint16_t seq;
		uint32_t ts;
	} want[] = { { 65535, 0xfffffff0 }, { 0, 0x90 }, { 1, 0x130 } };
	for (size_t k = 0; k < N(want); k++) {
		CU_ASSERT_EQUAL(rtp_build_next(&s, buf, sizeof(buf)), 172);
		CU_ASSERT_EQUAL(be16(buf + 2), want[k].seq);
		CU_ASSERT_EQUAL(be32(buf + 4), want[k].ts);
	}
	/* too small: -ENOSPC and nothing advances */
	struct rtp_sender before = s;
	CU_ASSERT_EQUAL(rtp_build_next(&s, buf, 171), -ENOSPC);
	CU_ASSERT_EQUAL(rtp_build_next(&s, buf, 0), -ENOSPC);
	CU_ASSERT_EQUAL(memcmp(&before, &s, sizeof(s)), 0);
}

static void test_payload_is_tone(void)
{
	pcmu_tone_init();
	const uint8_t *tone = pcmu_tone();
	/* 240 samples do not divide 8000: packet 34 wraps around the table end */
	const uint8_t rnd[10] = { 0 };
	struct rtp_sender s;
	rtp_sender_init(&s, 0, 30, rnd);
	uint32_t pos = 0;
	for (int k = 0; k < 100; k++) {
		uint8_t buf[12 + 240];
		CU_ASSERT_EQUAL_FATAL(rtp_build_next(&s, buf, sizeof(buf)), 252);
		int bad = 0;
		for (uint32_t i = 0; i < 240; i++)
			bad += buf[12 + i] != tone[(pos + i) % PCMU_TONE_LEN];
		CU_ASSERT_EQUAL(bad, 0);
		pos = (pos + 240) % PCMU_TONE_LEN;
		CU_ASSERT_EQUAL(s.audio_pos, pos);
	}
}

/* ---- parsing ---- */

static void test_parse_built(void)
{
	pcmu_tone_init();
	const uint8_t rnd[10] = { 0xde, 0xad, 0xbe, 0xef, 0x12, 0x34, 0, 0, 0x10, 0 };
	struct rtp_sender s;
	rtp_sender_init(&s, 8, 20, rnd);
	for (int k = 0; k < 3; k++) {
		uint8_t buf[200];
		int n = rtp_build_next(&s, buf, sizeof(buf));
		struct rtp_header h;
		CU_ASSERT_EQUAL_FATAL(rtp_parse(buf, (size_t)n, &h), 0);
		CU_ASSERT_EQUAL(h.version, 2);
		CU_ASSERT_EQUAL(h.pt, 8);
		CU_ASSERT_EQUAL(h.marker, k == 0);
		CU_ASSERT(!h.padding && !h.extension && h.cc == 0);
		CU_ASSERT_EQUAL(h.seq, 0x1234 + k);
		CU_ASSERT_EQUAL(h.ts, 0x1000u + 160u * (unsigned)k);
		CU_ASSERT_EQUAL(h.ssrc, 0xdeadbeef);
		CU_ASSERT_EQUAL(h.header_len, 12);
		CU_ASSERT_EQUAL(h.payload_len, 160);
	}
}

#define HDR(b0, b1) (b0), (b1), 0x12, 0x34, 0, 0, 0x01, 0x00, 0xca, 0xfe, 0xba, 0xbe
static const struct {
	const char *what;
	uint8_t b[76];
	size_t len;
	uint8_t cc, pt;
	bool p, x, m;
	size_t header_len, payload_len;
} handmade[] = {
	{ "header only", { HDR(0x80, 0x00) }, 12, 0, 0, false, false, false, 12, 0 },
	{ "4-byte payload, marker, pt 8", { HDR(0x80, 0x88), 1, 2, 3, 4 }, 16, 0, 8, false, false,
	  true, 12, 4 },
	{ "2 CSRCs", { HDR(0x82, 0x60), 0, 0, 0, 1, 0, 0, 0, 2, 0xaa, 0xbb, 0xcc }, 23, 2, 96,
	  false, false, false, 20, 3 },
	{ "extension of 2 words", { HDR(0x90, 0x00), 0xbe, 0xde, 0, 2, 1, 2, 3, 4, 5, 6, 7, 8,
				     0xaa, 0xbb }, 26, 0, 0, false, true, false, 24, 2 },
	{ "empty extension", { HDR(0x90, 0x00), 0x10, 0x00, 0, 0 }, 16, 0, 0, false, true, false,
	  16, 0 },
	{ "padding 3", { HDR(0xa0, 0x00), 0xaa, 0xbb, 0, 0, 3 }, 17, 0, 0, true, false, false,
	  12, 2 },
	{ "padding is the whole payload", { HDR(0xa0, 0x00), 0, 0, 0, 4 }, 16, 0, 0, true, false,
	  false, 12, 0 },
	{ "CSRC, extension and padding", { HDR(0xb1, 0x80), 0, 0, 0, 9, 0xbe, 0xde, 0, 1, 1, 2, 3,
					    4, 0xaa, 0xbb, 0xcc, 0xdd, 0, 0, 0, 4 },
	  32, 1, 0, true, true, true, 24, 4 },
	{ "15 CSRCs", { HDR(0x8f, 0x00) }, 12 + 60, 15, 0, false, false, false, 72, 0 },
};

static void check_handmade(const uint8_t *b, size_t i)
{
	struct rtp_header h;
	int r = rtp_parse(b, handmade[i].len, &h);
	if (r != 0)
		fprintf(stderr, "\n  \"%s\": got %d\n", handmade[i].what, r);
	CU_ASSERT_EQUAL_FATAL(r, 0);
	CU_ASSERT_EQUAL(h.version, 2);
	CU_ASSERT_EQUAL(h.cc, handmade[i].cc);
	CU_ASSERT_EQUAL(h.pt, handmade[i].pt);
	CU_ASSERT_EQUAL(h.padding, handmade[i].p);
	CU_ASSERT_EQUAL(h.extension, handmade[i].x);
	CU_ASSERT_EQUAL(h.marker, handmade[i].m);
	CU_ASSERT_EQUAL(h.seq, 0x1234);
	CU_ASSERT_EQUAL(h.ts, 0x100);
	CU_ASSERT_EQUAL(h.ssrc, 0xcafebabe);
	CU_ASSERT_EQUAL(h.header_len, handmade[i].header_len);
	CU_ASSERT_EQUAL(h.payload_len, handmade[i].payload_len);
}

static const struct {
	const char *what;
	uint8_t b[32];
	size_t len;
} malformed[] = {
	{ "empty", { 0 }, 0 },
	{ "11 bytes", { HDR(0x80, 0) }, 11 },
	{ "version 0", { HDR(0x00, 0) }, 12 },
	{ "version 1", { HDR(0x40, 0) }, 12 },
	{ "version 3", { HDR(0xc0, 0) }, 12 },
	{ "CSRC past the end", { HDR(0x82, 0), 0, 0, 0, 1 }, 16 },
	{ "extension header missing", { HDR(0x90, 0) }, 12 },
	{ "extension header cut", { HDR(0x90, 0), 0xbe, 0xde, 0 }, 15 },
	{ "extension longer than packet", { HDR(0x90, 0), 0xbe, 0xde, 0, 2, 1, 2, 3, 4 }, 20 },
	{ "extension after CSRC cut", { HDR(0x91, 0), 0, 0, 0, 1, 0xbe, 0xde }, 18 },
	{ "padding count 0", { HDR(0xa0, 0), 1, 2, 3, 0 }, 16 },
	{ "padding longer than payload", { HDR(0xa0, 0), 1, 2, 3, 5 }, 16 },
	{ "padding into the header", { HDR(0xa0, 0) }, 12 },
	{ "padding into the extension", { HDR(0xb0, 0), 0xbe, 0xde, 0, 1, 0, 0, 0, 2 }, 20 },
};

static void test_parse_handmade_and_malformed(void)
{
	for (size_t i = 0; i < N(handmade); i++)
		check_handmade(handmade[i].b, i);
	for (size_t i = 0; i < N(malformed); i++) {
		struct rtp_header h;
		memset(&h, 0xa5, sizeof(h));
		struct rtp_header untouched = h;
		int r = rtp_parse(malformed[i].b, malformed[i].len, &h);
		if (r != -EBADMSG)
			fprintf(stderr, "\n  \"%s\": got %d\n", malformed[i].what, r);
		CU_ASSERT_EQUAL(r, -EBADMSG);
		CU_ASSERT_EQUAL(memcmp(&h, &untouched, sizeof(h)), 0); /* written only on success */
	}
}

/* Every packet and every prefix of it ends right before a PROT_NONE page, so
 * a read past the end faults. Prefixes shorter than the header never parse. */
static void test_parse_guard_page(void)
{
	long pg = sysconf(_SC_PAGESIZE);
	uint8_t *mem = mmap(NULL, (size_t)pg * 2, PROT_READ | PROT_WRITE,
			    MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	CU_ASSERT_FATAL(mem != MAP_FAILED);
	CU_ASSERT_FATAL(mprotect(mem + pg, (size_t)pg, PROT_NONE) == 0);
	uint8_t *guard = mem + pg;
	for (size_t i = 0; i < N(handmade); i++) {
		size_t len = handmade[i].len;
		memcpy(guard - len, handmade[i].b, len);
		check_handmade(guard - len, i);
		for (size_t k = 0; k < len; k++) {
			memcpy(guard - k, handmade[i].b, k);
			struct rtp_header h;
			int r = rtp_parse(guard - k, k, &h);
			CU_ASSERT(r == 0 || r == -EBADMSG);
			if (k < handmade[i].header_len)
				CU_ASSERT_EQUAL(r, -EBADMSG);
		}
	}
	for (size_t i = 0; i < N(malformed); i++) {
		size_t len = malformed[i].len;
		memcpy(guard - len, malformed[i].b, len);
		struct rtp_header h;
		CU_ASSERT_EQUAL(rtp_parse(guard - len, len, &h), -EBADMSG);
	}
	munmap(mem, (size_t)pg * 2);
}

/* ---- receiver ---- */

/* Each flow starts with the packet before its first: the source is on probation until
 * two come in sequence (A.1), so counting starts at the second. lost is A.3's (repeats
 * count as received), missing the packets never seen. */
static const struct {
	const char *what;
	uint16_t seq[13];
	size_t n;
	uint32_t received, expected, missing, duplicates, ext_max, reordered;
	int64_t lost;
} flows[] = {
	{ "in order", { 99, 100, 101, 102, 103, 104 }, 6, 5, 5, 0, 0, 104, 0, 0 },
	{ "gaps", { 99, 100, 101, 104, 105, 110 }, 6, 5, 11, 6, 0, 110, 0, 6 },
	/* a late packet is no loss: it is reordered, once; seen again it is a repeat */
	{ "reorder", { 99, 100, 101, 103, 102, 104 }, 6, 5, 5, 0, 0, 104, 1, 0 },
	{ "reorder, then again", { 99, 100, 103, 101, 102, 101, 104 }, 7, 5, 5, 0, 1, 104, 2, -1 },
	{ "duplicates", { 99, 100, 101, 101, 102, 102, 102, 100 }, 8, 3, 3, 0, 4, 102, 0, -4 },
	/* the window reaches as far back as a packet may come late (MAX_MISORDER, 100) */
	{ "far behind", { 999, 1000, 1150, 1086, 1051, 1086 }, 6, 4, 151, 147, 1, 1150, 2, 146 },
	{ "wrap", { 65532, 65533, 65534, 65535, 0, 1 }, 6, 5, 5, 0, 0, 65537, 0, 0 },
	{ "wrap with loss", { 65533, 65534, 1, 2 }, 4, 3, 5, 2, 0, 65538, 0, 2 },
	{ "late across the wrap", { 65534, 65535, 0, 65535, 1 }, 5, 3, 3, 0, 1, 65537, 0, -1 },
	{ "reordered across the wrap", { 65533, 65534, 0, 65535, 1 }, 5, 4, 4, 0, 0, 65537, 1, 0 },
	{ "big steps across the wrap", { 64999, 65000, 1000, 2500, 4000, 5500, 7000, 8500, 10000,
					 11500, 13000, 14500, 16000 }, 13, 12, 16537, 16525, 0, 81536, 0,
	  16525 },
	/* a jump of MAX_DROPOUT or more resynchronises: no loss for the gap */
	{ "sender jump", { 99, 100, 101, 20000, 20001, 20003 }, 6, 5, 6, 1, 0, 20003, 0, 1 },
	/* probation: out of sequence starts it again; until it ends nothing counts */
	{ "probation", { 100, 102, 103, 104 }, 4, 2, 2, 0, 0, 104, 0, 0 },
	{ "probation, never ended", { 100, 102, 104, 106 }, 4, 0, 0, 0, 0, 106, 0, 0 },
	{ "one packet", { 7 }, 1, 0, 0, 0, 0, 7, 0, 0 },
	/* a packet from before the first counted is not expected: A.1 counts it received */
	{ "older than the first counted", { 99, 100, 101, 98, 99 }, 5, 2, 2, 0, 2, 101, 0, -2 },
};

static void test_receiver_counts(void)
{
	for (size_t i = 0; i < N(flows); i++) {
		struct rtp_receiver r;
		rtp_receiver_init(&r, 8000);
		for (size_t k = 0; k < flows[i].n; k++)
			rtp_receiver_update(&r, flows[i].seq[k], 160u * (uint32_t)k,
					    1000000 + 20000 * (uint64_t)k);
		bool ok = r.received == flows[i].received &&
			  rtp_receiver_expected(&r) == flows[i].expected &&
			  rtp_receiver_missing(&r) == flows[i].missing &&
			  rtp_receiver_lost(&r) == flows[i].lost &&
			  r.duplicates == flows[i].duplicates &&
			  r.reordered == flows[i].reordered &&
			  r.cycles + r.max_seq == flows[i].ext_max;
		if (!ok)
			fprintf(stderr, "\n  \"%s\": received %u expected %u missing %u lost %lld dup %u "
				"reordered %u max %u\n", flows[i].what, r.received, rtp_receiver_expected(&r),
				rtp_receiver_missing(&r), (long long)rtp_receiver_lost(&r), r.duplicates,
				r.reordered, r.cycles + r.max_seq);
		CU_ASSERT(ok);
	}
	/* two wraps in steps of 2000: 70 packets span 69 * 2000 + 1 numbers */
	struct rtp_receiver r;
	rtp_receiver_init(&r, 8000);
	rtp_receiver_update(&r, 999, 0, 0); /* probation */
	for (uint32_t k = 0; k < 70; k++)
		rtp_receiver_update(&r, (uint16_t)(1000 + 2000 * k), 160 * k, 20000 * (uint64_t)k);
	CU_ASSERT_EQUAL(r.cycles, 2 * 65536);
	CU_ASSERT_EQUAL(rtp_receiver_expected(&r), 69 * 2000 + 1);
	CU_ASSERT_EQUAL(rtp_receiver_lost(&r), 69 * 2000 + 1 - 70);
	/* nothing heard yet */
	rtp_receiver_init(&r, 8000);
	CU_ASSERT_EQUAL(rtp_receiver_expected(&r), 0);
	CU_ASSERT_EQUAL(rtp_receiver_lost(&r), 0);
	CU_ASSERT_EQUAL(rtp_receiver_jitter_ms(&r), 0.0);
}

/* Transit delays in timestamp units (125 us at 8 kHz) on a 20 ms grid, and the
 * jitter after the last packet, by hand from J += (|D| - J) / 16. */
static const struct {
	int delay[4];
	size_t n;
	double jitter;
} jitters[] = {
	{ { 0, 0, 0, 0 }, 4, 0.0 },
	{ { 0, 16 }, 2, 1.0 },                   /* 0 + 16/16 */
	{ { 0, 16, 16 }, 3, 0.9375 },            /* 1 - 1/16 */
	{ { 0, 32, 0 }, 3, 3.875 },              /* 2 + (32 - 2)/16 */
	{ { 16, 0, 16, 0 }, 4, 2.81640625 },     /* |D| = 16 thrice: 16 (1 - (15/16)^3) */
	{ { 40, 40, 40, 40 }, 4, 0.0 },          /* constant transit, whatever its value */
};

/* A receiver whose source is past probation from seq 1000 on (A.1). */
static void counting_from_1000(struct rtp_receiver *r)
{
	rtp_receiver_init(r, 8000);
	rtp_receiver_update(r, 999, 0, 0);
}

static void feed(struct rtp_receiver *r, uint32_t ts0, uint64_t t0, int k, int delay)
{
	rtp_receiver_update(r, (uint16_t)(1000 + k), ts0 + 160u * (uint32_t)k,
			    t0 + 20000 * (uint64_t)k + (uint64_t)(delay * 125));
}

static void test_jitter_hand_cases(void)
{
	for (size_t i = 0; i < N(jitters); i++) {
		struct rtp_receiver r;
		counting_from_1000(&r);
		for (size_t k = 0; k < jitters[i].n; k++)
			feed(&r, 5000, 1000000, (int)k, jitters[i].delay[k]);
		if (fabs(r.jitter - jitters[i].jitter) > 1e-12)
			fprintf(stderr, "\n  jitter case %zu: got %.9f\n", i, r.jitter);
		CU_ASSERT_DOUBLE_EQUAL(r.jitter, jitters[i].jitter, 1e-12);
		CU_ASSERT_DOUBLE_EQUAL(rtp_receiver_jitter_ms(&r), jitters[i].jitter / 8.0, 1e-12);
	}
}

/* Every other packet 5 ms (40 units) late: |D| is always 40, so after k
 * updates J = 40 (1 - (15/16)^k), converging on 40 units = 5 ms. */
static void test_jitter_alternating(void)
{
	struct rtp_receiver r;
	counting_from_1000(&r);
	feed(&r, 0, 0, 0, 0);
	for (int k = 1; k <= 400; k++) {
		feed(&r, 0, 0, k, k % 2 ? 40 : 0);
		CU_ASSERT_DOUBLE_EQUAL(r.jitter, 40.0 * (1.0 - pow(15.0 / 16.0, k)), 1e-9);
	}
	CU_ASSERT_DOUBLE_EQUAL(rtp_receiver_jitter_ms(&r), 5.0, 1e-9);
}

/* Irregular delays against the estimator written plainly, with the RTP
 * timestamp wrapping and a wall-clock sized arrival time. */
static void test_jitter_reference_loop(void)
{
	static const struct {
		uint32_t ts0;
		uint64_t t0;
	} starts[] = { { 0, 0 }, { 0xffffe000, 0 }, { 0x12345678, 1700000000000000ull } };
	for (size_t i = 0; i < N(starts); i++) {
		struct rtp_receiver r;
		counting_from_1000(&r);
		double ref = 0;
		int prev = 0;
		uint32_t lcg = 12345;
		for (int k = 0; k < 300; k++) {
			lcg = lcg * 1103515245u + 12345u;
			int delay = (int)(lcg >> 16) % 200; /* 0..25 ms */
			feed(&r, starts[i].ts0, starts[i].t0, k, delay);
			if (k > 0)
				ref += (fabs((double)(delay - prev)) - ref) / 16.0;
			prev = delay;
		}
		CU_ASSERT(ref > 10.0); /* the case does exercise the estimator */
		CU_ASSERT_DOUBLE_EQUAL(r.jitter, ref, 1e-9);
		CU_ASSERT_EQUAL(r.received, 300);
	}
}

/* ---- RTCP ---- */

static const uint8_t sr_want[] = {
	/* SR, RC=1, length 12 words, SSRC */
	0x81, 200, 0x00, 0x0c, 0x11, 0x22, 0x33, 0x44,
	0xe1, 0x23, 0x45, 0x67, 0x89, 0xab, 0xcd, 0xef, /* NTP */
	0xaa, 0xbb, 0xd3, 0x1d,                         /* 0xaabbccdd + 10 * 160 */
	0x00, 0x00, 0x00, 0x0a,                         /* 10 packets */
	0x00, 0x00, 0x06, 0x40,                         /* 1600 octets */
	/* report block: source, fraction 2*256/6 = 85, cumulative lost 2,
	 * extended highest 65536 + 3, jitter 17 (see test), LSR, DLSR */
	0x55, 0x66, 0x77, 0x88, 0x55, 0x00, 0x00, 0x02, 0x00, 0x01, 0x00, 0x03,
	0x00, 0x00, 0x00, 0x11, 0, 0, 0, 0, 0, 0, 0, 0,
	/* SDES, SC=1, length 4 words, SSRC, CNAME "trunkload", end, no pad needed */
	0x81, 202, 0x00, 0x04, 0x11, 0x22, 0x33, 0x44,
	1, 9, 't', 'r', 'u', 'n', 'k', 'l', 'o', 'a', 'd', 0,
};

static void make_sr(uint8_t *buf, size_t cap, int *n)
{
	pcmu_tone_init();
	const uint8_t rnd[10] = { 0x11, 0x22, 0x33, 0x44, 0xff, 0xfe, 0xaa, 0xbb, 0xcc, 0xdd };
	struct rtp_sender s;
	rtp_sender_init(&s, 0, 20, rnd);
	uint8_t pkt[172];
	for (int k = 0; k < 10; k++)
		rtp_build_next(&s, pkt, sizeof(pkt));
	/* 65533 (probation) 65534 65535 (0 1 lost) 2 3, 40 ms late from 65535 on:
	 * J = 320/16 = 20, then 20 - 20/16 = 18.75, then 17.578125 -> 17 */
	struct rtp_receiver r;
	rtp_receiver_init(&r, 8000);
	r.ssrc = 0x55667788;
	static const uint16_t seq[] = { 65533, 65534, 65535, 2, 3 };
	static const uint32_t slot[] = { 0, 1, 2, 5, 6 }; /* 20 ms slots from the first */
	for (int k = 0; k < 5; k++)
		rtp_receiver_update(&r, seq[k], 160u * slot[k],
				    (uint64_t)slot[k] * 20000 + (k > 1 ? 40000 : 0));
	CU_ASSERT_DOUBLE_EQUAL(r.jitter, 17.578125, 1e-12);
	*n = rtcp_build_sr(buf, cap, &s, &r, 0xe123456789abcdefull, 0, "trunkload");
}

static void test_sr_bytes(void)
{
	uint8_t buf[128];
	int n;
	make_sr(buf, sizeof(buf), &n);
	CU_ASSERT_EQUAL_FATAL(n, (int)sizeof(sr_want));
	for (size_t i = 0; i < sizeof(sr_want); i++)
		if (buf[i] != sr_want[i])
			fprintf(stderr, "\n  SR byte %zu: %02x, want %02x\n", i, buf[i], sr_want[i]);
	CU_ASSERT_EQUAL(memcmp(buf, sr_want, sizeof(sr_want)), 0);
	uint32_t ssrc = 0;
	CU_ASSERT_EQUAL(rtcp_validate(buf, (size_t)n, &ssrc), 0);
	CU_ASSERT_EQUAL(ssrc, 0x11223344);
	/* the exact size fits, anything smaller is -ENOSPC */
	for (size_t cap = 0; cap <= sizeof(sr_want); cap++) {
		make_sr(buf, cap, &n);
		CU_ASSERT_EQUAL(n, cap == sizeof(sr_want) ? (int)cap : -ENOSPC);
	}
}

static void test_sr_without_receiver_and_cname_padding(void)
{
	const uint8_t rnd[10] = { 0, 0, 0, 7 };
	struct rtp_sender s;
	rtp_sender_init(&s, 0, 20, rnd);
	char cname[16] = "";
	for (size_t cn = 0; cn <= 12; cn++) {
		uint8_t buf[64];
		memset(buf, 0xa5, sizeof(buf));
		int n = rtcp_build_sr(buf, sizeof(buf), &s, NULL, 0, 0, cname);
		/* 28 (SR, no block) + 8 + (type, length, text, >= 1 null) rounded up */
		size_t want = 28 + 8 + ((2 + cn + 1 + 3) / 4 * 4);
		CU_ASSERT_EQUAL_FATAL(n, (int)want);
		CU_ASSERT_EQUAL(buf[0], 0x80); /* RC=0 */
		CU_ASSERT_EQUAL(be16(buf + 2), 6);
		CU_ASSERT_EQUAL(buf[28], 0x81);
		CU_ASSERT_EQUAL(be16(buf + 30), (want - 28) / 4 - 1);
		CU_ASSERT_EQUAL(buf[37], cn);
		CU_ASSERT_EQUAL(memcmp(buf + 38, cname, cn), 0);
		for (size_t i = 38 + cn; i < want; i++)
			CU_ASSERT_EQUAL(buf[i], 0);
		uint32_t ssrc;
		CU_ASSERT_EQUAL(rtcp_validate(buf, (size_t)n, &ssrc), 0);
		CU_ASSERT_EQUAL(ssrc, 7);
		cname[cn] = (char)('a' + cn);
	}
	/* a receiver that has heard nothing adds no block */
	struct rtp_receiver r;
	rtp_receiver_init(&r, 8000);
	uint8_t buf[300];
	CU_ASSERT_EQUAL(rtcp_build_sr(buf, sizeof(buf), &s, &r, 0, 0, "x"), 40);
	char longname[257];
	memset(longname, 'n', 256);
	longname[256] = 0;
	CU_ASSERT_EQUAL(rtcp_build_sr(buf, sizeof(buf), &s, NULL, 0, 0, longname), -EINVAL);
	longname[255] = 0;
	CU_ASSERT_EQUAL(rtcp_build_sr(buf, sizeof(buf), &s, NULL, 0, 0, longname), 28 + 8 + 260);
}

static void test_sr_lost_clamped(void)
{
	/* 2^24 + 1 expected, 1 received: cumulative lost is clamped to 24 bits,
	 * fraction 2^24 * 256 / (2^24 + 1) rounds down to 255 */
	struct rtp_receiver r;
	rtp_receiver_init(&r, 8000);
	rtp_receiver_update(&r, 65535, 0, 0); /* probation */
	rtp_receiver_update(&r, 0, 0, 0);
	r.cycles = 1u << 24;
	CU_ASSERT_EQUAL(rtp_receiver_lost(&r), 1u << 24);
	const uint8_t rnd[10] = { 0 };
	struct rtp_sender s;
	rtp_sender_init(&s, 0, 20, rnd);
	uint8_t buf[128];
	CU_ASSERT_EQUAL_FATAL(rtcp_build_sr(buf, sizeof(buf), &s, &r, 0, 0, ""), 64);
	CU_ASSERT_EQUAL(be32(buf + 32), 0xff7fffff);
	CU_ASSERT_EQUAL(be32(buf + 36), 1u << 24);
}

/* The block's fraction lost covers the interval since the last report (A.3); the
 * cumulative figure goes on, and reads back (negative too) with rtcp_read. */
static void test_sr_interval_and_read_back(void)
{
	const uint8_t rnd[10] = { 0, 0, 0, 9 };
	struct rtp_sender s;
	rtp_sender_init(&s, 0, 20, rnd);
	struct rtp_receiver r;
	counting_from_1000(&r);
	r.ssrc = 0xabcd;
	/* 1000..1009 with 1002 and 1003 lost: 2 of 10 */
	for (uint16_t q = 1000; q < 1010; q++)
		if (q != 1002 && q != 1003)
			rtp_receiver_update(&r, q, 0, 0);
	uint8_t buf[128];
	struct rtcp_info info;
	int n = rtcp_build_sr(buf, sizeof(buf), &s, &r, 0x1122334455667788ull, 0, "x");
	CU_ASSERT_FATAL(n > 0);
	CU_ASSERT_EQUAL(rtcp_read(buf, (size_t)n, 0xabcd, &info), 0);
	CU_ASSERT(info.has_sr && info.sr_ntp == 0x1122334455667788ull);
	CU_ASSERT(info.has_block);
	CU_ASSERT_EQUAL(info.fraction_lost, 2 * 256 / 10);
	CU_ASSERT_EQUAL(info.cumulative_lost, 2);
	CU_ASSERT_EQUAL(info.ext_highest_seq, 1009);
	CU_ASSERT_EQUAL(info.lsr, 0);
	CU_ASSERT_EQUAL(info.dlsr, 0);
	/* a clean interval: fraction 0, the 2 lost stay */
	for (uint16_t q = 1010; q < 1020; q++)
		rtp_receiver_update(&r, q, 0, 0);
	n = rtcp_build_sr(buf, sizeof(buf), &s, &r, 0, 0, "x");
	CU_ASSERT_EQUAL(rtcp_read(buf, (size_t)n, 0xabcd, &info), 0);
	CU_ASSERT_EQUAL(info.fraction_lost, 0);
	CU_ASSERT_EQUAL(info.cumulative_lost, 2);
	/* six repeats: more received than expected, cumulative lost -4, fraction 0 */
	for (int k = 0; k < 6; k++)
		rtp_receiver_update(&r, 1019, 0, 0);
	CU_ASSERT_EQUAL(rtp_receiver_lost(&r), -4);
	CU_ASSERT_EQUAL(rtp_receiver_missing(&r), 2);
	n = rtcp_build_sr(buf, sizeof(buf), &s, &r, 0, 0, "x");
	CU_ASSERT_EQUAL(be32(buf + 32), 0x00fffffc);
	CU_ASSERT_EQUAL(rtcp_read(buf, (size_t)n, 0xabcd, &info), 0);
	CU_ASSERT_EQUAL(info.fraction_lost, 0);
	CU_ASSERT_EQUAL(info.cumulative_lost, -4);
	/* a block about another source is not ours */
	CU_ASSERT_EQUAL(rtcp_read(buf, (size_t)n, 0xabce, &info), 0);
	CU_ASSERT(info.has_sr && !info.has_block);
	/* what does not validate is not read */
	CU_ASSERT_EQUAL(rtcp_read(buf, (size_t)n - 1, 0xabcd, &info), -EBADMSG);
}

/* A source that does not send reports in an RR: its block, no sender part. */
static void test_rr(void)
{
	struct rtp_receiver r;
	counting_from_1000(&r);
	r.ssrc = 0xabcd;
	for (uint16_t q = 1000; q < 1010; q++)
		if (q != 1005)
			rtp_receiver_update(&r, q, 0, 0);
	uint8_t buf[128];
	int n = rtcp_build_rr(buf, sizeof(buf), 0x77, &r, 0, "x");
	CU_ASSERT_EQUAL_FATAL(n, 8 + 24 + 12);
	CU_ASSERT_EQUAL(buf[0], 0x81);
	CU_ASSERT_EQUAL(buf[1], 201);
	CU_ASSERT_EQUAL(be32(buf + 4), 0x77);
	uint32_t ssrc;
	CU_ASSERT_EQUAL(rtcp_validate(buf, (size_t)n, &ssrc), 0);
	CU_ASSERT_EQUAL(ssrc, 0x77);
	struct rtcp_info info;
	CU_ASSERT_EQUAL(rtcp_read(buf, (size_t)n, 0xabcd, &info), 0);
	CU_ASSERT(!info.has_sr && info.has_block);
	CU_ASSERT_EQUAL(info.cumulative_lost, 1);
	CU_ASSERT_EQUAL(info.ext_highest_seq, 1009);
	CU_ASSERT_EQUAL(rtcp_build_rr(buf, (size_t)n - 1, 0x77, &r, 0, "x"), -ENOSPC);
	/* nothing counted yet: an RR without a block */
	rtp_receiver_init(&r, 8000);
	CU_ASSERT_EQUAL(rtcp_build_rr(buf, sizeof(buf), 0x77, &r, 0, "x"), 8 + 12);
	CU_ASSERT_EQUAL(buf[0], 0x80);
}

/* LSR is the middle of the far end's SR time, DLSR the time since it came in 1/65536 s;
 * the far end's round trip is arrival - LSR - DLSR (RFC 3550 6.4.1). */
static void test_lsr_dlsr_and_rtt(void)
{
	const uint8_t rnd[10] = { 0, 0, 0, 9 };
	struct rtp_sender s;
	rtp_sender_init(&s, 0, 20, rnd);
	struct rtp_receiver r;
	counting_from_1000(&r);
	rtp_receiver_update(&r, 1000, 0, 0);
	rtp_receiver_note_sr(&r, 0x0123456789abcdefull, 1000000);
	uint8_t buf[128];
	int n = rtcp_build_sr(buf, sizeof(buf), &s, &r, 0, 1500000, "x");
	CU_ASSERT_FATAL(n > 0);
	CU_ASSERT_EQUAL(be32(buf + 44), 0x456789ab);
	CU_ASSERT_EQUAL(be32(buf + 48), 32768); /* 0.5 s */
	/* an RR of two blocks, the second about us: 1 s after our SR at 2.0 s, held 0.5 s */
	static const uint8_t rr[] = {
		0x82, 201, 0, 13, 0, 0, 0, 5,
		0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
		0, 0, 0, 2, 0x20, 0xff, 0xff, 0xff, 0, 1, 0, 5, 0, 0, 0, 80,
		0, 2, 0, 0, 0, 0, 0x80, 0,
	};
	struct rtcp_info info;
	CU_ASSERT_EQUAL(rtcp_read(rr, sizeof(rr), 2, &info), 0);
	CU_ASSERT(!info.has_sr && info.has_block);
	CU_ASSERT_EQUAL(info.fraction_lost, 0x20);
	CU_ASSERT_EQUAL(info.cumulative_lost, -1);
	CU_ASSERT_EQUAL(info.ext_highest_seq, 65541);
	CU_ASSERT_EQUAL(info.jitter, 80);
	uint64_t arrival = 3ull << 32 | 1ull << 31; /* 3.5 s */
	CU_ASSERT_DOUBLE_EQUAL(rtcp_rtt_ms(info.lsr, info.dlsr, arrival), 1000.0, 1e-9);
	CU_ASSERT_EQUAL(rtcp_rtt_ms(0, 0, arrival), -1);                 /* no SR of ours yet */
	CU_ASSERT_EQUAL(rtcp_rtt_ms(info.lsr, info.dlsr, 2ull << 32), -1); /* clocks disagree */
	/* a DLSR counted in ms ticks, a tick too long on loopback: 0, not a lost sample */
	uint64_t early = (2ull << 32 | 1ull << 31) - (1ull << 32) / 1000; /* 2.499 s */
	CU_ASSERT_EQUAL(rtcp_rtt_ms(info.lsr, info.dlsr, early), 0);
	CU_ASSERT_EQUAL(rtcp_rtt_ms(info.lsr, info.dlsr, early - (1ull << 32) / 50), -1); /* 20 ms */
}

/* A valid SR + padded SDES to mutate, and hand-made compounds. */
#define SR0 0x80, 200, 0, 6, 0, 0, 0, 9, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0
#define SDES_PAD(p0, len, pad) (p0), 202, 0, (len), 0, 0, 0, 9, 1, 1, 'x', 0, 0, 0, 0, (pad)
static const struct {
	const char *what;
	uint8_t b[64];
	size_t len;
	int err;
} rtcp_cases[] = {
	{ "RR alone", { 0x80, 201, 0, 1, 0, 0, 0, 9 }, 8, 0 },
	{ "SR alone", { SR0 }, 28, 0 },
	{ "SR + padded SDES", { SR0, SDES_PAD(0xa1, 3, 4) }, 44, 0 },
	{ "pad count equal to the SDES body", { SR0, SDES_PAD(0xa1, 3, 12) }, 44, 0 },
	{ "empty", { 0 }, 0, -EBADMSG },
	{ "7 bytes", { 0x80, 201, 0, 1, 0, 0, 0 }, 7, -EBADMSG },
	{ "version 1", { 0x40, 201, 0, 1, 0, 0, 0, 9 }, 8, -EBADMSG },
	{ "version 3", { 0xc0, 201, 0, 1, 0, 0, 0, 9 }, 8, -EBADMSG },
	{ "first is SDES", { 0x81, 202, 0, 1, 0, 0, 0, 9 }, 8, -EBADMSG },
	{ "first is BYE", { 0x81, 203, 0, 1, 0, 0, 0, 9 }, 8, -EBADMSG },
	{ "padding in the first", { 0xa0, 201, 0, 1, 0, 0, 0, 1 }, 8, -EBADMSG },
	{ "length past the end", { 0x80, 201, 0, 2, 0, 0, 0, 9 }, 8, -EBADMSG },
	{ "bytes left over", { 0x80, 201, 0, 1, 0, 0, 0, 9, 0x81 }, 9, -EBADMSG },
	{ "second has version 0", { 0x80, 201, 0, 1, 0, 0, 0, 9, 0x01, 202, 0, 0 }, 12, -EBADMSG },
	{ "report block does not fit", { 0x81, 201, 0, 1, 0, 0, 0, 9 }, 8, -EBADMSG },
	{ "SR shorter than its sender info", { 0x80, 200, 0, 1, 0, 0, 0, 9 }, 8, -EBADMSG },
	{ "padding not in the last", { SR0, SDES_PAD(0xa1, 3, 4), 0x80, 201, 0, 1, 0, 0, 0, 9 },
	  52, -EBADMSG },
	{ "pad count 0", { SR0, SDES_PAD(0xa1, 3, 0) }, 44, -EBADMSG },
	{ "pad count past the body", { SR0, SDES_PAD(0xa1, 3, 13) }, 44, -EBADMSG },
};

static void test_rtcp_validate_table(void)
{
	for (size_t i = 0; i < N(rtcp_cases); i++) {
		uint32_t ssrc = 0;
		int r = rtcp_validate(rtcp_cases[i].b, rtcp_cases[i].len, &ssrc);
		if (r != rtcp_cases[i].err)
			fprintf(stderr, "\n  \"%s\": got %d\n", rtcp_cases[i].what, r);
		CU_ASSERT_EQUAL(r, rtcp_cases[i].err);
		CU_ASSERT_EQUAL(ssrc, r == 0 ? 9u : 0u);
	}
	/* prefixes of the built compound: only the SR alone and the whole are valid */
	uint8_t buf[128];
	int n;
	make_sr(buf, sizeof(buf), &n);
	for (size_t k = 0; k <= (size_t)n; k++) {
		uint32_t ssrc;
		int want = k == 52 || k == (size_t)n ? 0 : -EBADMSG;
		CU_ASSERT_EQUAL(rtcp_validate(buf, k, &ssrc), want);
	}
}

/* ---- PCMU ---- */

/* Values from Python's audioop.lin2ulaw (an independent G.711 implementation).
 * It rounds odd negative inputs one step differently (it shifts before
 * negating), so negatives here are multiples of 4, where the two agree; -1 is
 * the brief's 16-bit sign-magnitude form. */
static const struct {
	int16_t in;
	uint8_t out;
} ulaw[] = {
	{ 0, 0xff }, { 32767, 0x80 }, { -32768, 0x00 }, { -32767, 0x00 }, { 1, 0xff },
	{ 4, 0xfe }, { -4, 0x7e }, { 30, 0xfb }, { 32, 0xfb }, { -36, 0x7a },
	{ 100, 0xf2 }, { -100, 0x72 }, { 1000, 0xce }, { -1000, 0x4e }, { 8031, 0xa0 },
	{ 8032, 0xa0 }, { -8032, 0x20 }, { 16000, 0x90 }, { -16000, 0x10 }, { 32124, 0x80 },
	{ -1, 0x7f },
};

/* G.711 decoding, for checking the tone's level */
static int ulaw_decode(uint8_t c)
{
	c = (uint8_t)~c;
	int t = (((c & 0x0f) << 3) + 0x84) << ((c & 0x70) >> 4);
	return c & 0x80 ? 0x84 - t : t - 0x84;
}

static void test_pcmu_encode(void)
{
	for (size_t i = 0; i < N(ulaw); i++) {
		uint8_t got = pcmu_encode(ulaw[i].in);
		if (got != ulaw[i].out)
			fprintf(stderr, "\n  pcmu_encode(%d) = %02x, want %02x\n", ulaw[i].in, got,
				ulaw[i].out);
		CU_ASSERT_EQUAL(got, ulaw[i].out);
	}
	/* below the clip level every input decodes back to within half a step
	 * of its segment (4 << segment), and the code order follows the input */
	int far = 0, unordered = 0;
	for (int x = -32635; x <= 32635; x++) {
		uint8_t c = pcmu_encode((int16_t)x);
		far += abs(ulaw_decode(c) - x) > 4 << ((~c & 0x70) >> 4);
		unordered += x > -32635 && ulaw_decode(c) < ulaw_decode(pcmu_encode((int16_t)(x - 1)));
	}
	CU_ASSERT_EQUAL(far, 0);
	CU_ASSERT_EQUAL(unordered, 0);
}

/* G.711 A-law decoding, as the standard's reference decoder does it */
static int alaw_decode(uint8_t a)
{
	a ^= 0x55;
	int t = (a & 0x0f) << 4, seg = (a & 0x70) >> 4;
	t += seg ? 0x108 : 8;
	if (seg > 1)
		t <<= seg - 1;
	return a & 0x80 ? t : -t;
}

static void test_pcma_encode(void)
{
	/* values from Python's audioop.lin2alaw, an independent implementation */
	static const struct { int16_t in; uint8_t out; } alaw[] = {
		{ 0, 0xd5 }, { -1, 0x55 }, { 32767, 0xaa }, { -32768, 0x2a }, { 8, 0xd5 },
		{ -9, 0x55 }, { 16, 0xd4 }, { 100, 0xd3 }, { -100, 0x53 }, { 1000, 0xfa },
		{ -1000, 0x7a }, { 4000, 0x9a },
	};
	for (size_t i = 0; i < N(alaw); i++) {
		uint8_t got = pcma_encode(alaw[i].in);
		if (got != alaw[i].out)
			fprintf(stderr, "\n  pcma_encode(%d) = %02x, want %02x\n", alaw[i].in, got,
				alaw[i].out);
		CU_ASSERT_EQUAL(got, alaw[i].out);
	}
	/* every input decodes back within its segment's step, in order */
	int far = 0, unordered = 0;
	for (int x = -32768; x <= 32767; x++) {
		uint8_t c = pcma_encode((int16_t)x);
		int seg = ((c ^ 0x55) & 0x70) >> 4;
		far += abs(alaw_decode(c) - x) > (seg > 1 ? 16 << (seg - 1) : 16);
		unordered += x > -32768 && alaw_decode(c) < alaw_decode(pcma_encode((int16_t)(x - 1)));
	}
	CU_ASSERT_EQUAL(far, 0);
	CU_ASSERT_EQUAL(unordered, 0);
	/* a packet of payload type 8 carries the tone in A-law */
	pcmu_tone_init();
	const uint8_t rnd[10] = { 0 };
	struct rtp_sender snd;
	rtp_sender_init(&snd, RTP_PT_PCMA, 20, rnd);
	uint8_t buf[12 + 160];
	CU_ASSERT_EQUAL_FATAL(rtp_build_next(&snd, buf, sizeof(buf)), 172);
	CU_ASSERT_EQUAL(buf[1] & 0x7f, 8);
	CU_ASSERT_EQUAL(memcmp(buf + 12, pcma_tone(), 160), 0);
	CU_ASSERT_EQUAL(pcma_tone()[0], 0xd5); /* sin 0 */
}

static void test_pcmu_tone(void)
{
	pcmu_tone_init();
	const uint8_t *t = pcmu_tone();
	uint8_t copy[PCMU_TONE_LEN];
	memcpy(copy, t, sizeof(copy));
	pcmu_tone_init(); /* idempotent */
	CU_ASSERT_EQUAL(memcmp(copy, pcmu_tone(), sizeof(copy)), 0);
	int breaks = 0;
	for (int i = 20; i < PCMU_TONE_LEN; i++)
		breaks += t[i] != t[i - 20];
	CU_ASSERT_EQUAL(breaks, 0); /* 400 Hz: a 20-sample period, also across the loop */
	CU_ASSERT_EQUAL(t[0], 0xff);  /* sin 0 */
	CU_ASSERT_EQUAL(t[10], 0xff); /* sin pi */
	/* peaks at a quarter and three quarters of the period, about -12 dBFS */
	double peak = 20.0 * log10(ulaw_decode(t[5]) / 32767.0);
	CU_ASSERT(peak > -12.5 && peak < -11.5);
	CU_ASSERT_EQUAL(ulaw_decode(t[15]), -ulaw_decode(t[5]));
	for (int i = 1; i < 10; i++) { /* positive half, then negative half */
		CU_ASSERT(ulaw_decode(t[i]) > 0);
		CU_ASSERT(ulaw_decode(t[i + 10]) < 0);
	}
}

static const struct tl_case cases[] = {
	{ "built header fields", test_build_header_fields },
	{ "seq/ts wrap and -ENOSPC", test_build_wraps_and_nospc },
	{ "payload is the tone", test_payload_is_tone },
	{ "parse built packets", test_parse_built },
	{ "parse hand-made and malformed", test_parse_handmade_and_malformed },
	{ "parse against a guard page", test_parse_guard_page },
	{ "receiver counts", test_receiver_counts },
	{ "jitter hand cases", test_jitter_hand_cases },
	{ "jitter alternating delay", test_jitter_alternating },
	{ "jitter against a reference loop", test_jitter_reference_loop },
	{ "SR bytes decoded by hand", test_sr_bytes },
	{ "SR without report block, CNAME padding", test_sr_without_receiver_and_cname_padding },
	{ "SR lost clamped to 24 bits", test_sr_lost_clamped },
	{ "SR block over the interval, read back", test_sr_interval_and_read_back },
	{ "LSR, DLSR and the round trip", test_lsr_dlsr_and_rtt },
	{ "RR of a source that does not send", test_rr },
	{ "RTCP validation table", test_rtcp_validate_table },
	{ "pcmu_encode values", test_pcmu_encode },
		{ "PCMA (A-law) encoding and its tone", test_pcma_encode },
	{ "pcmu tone", test_pcmu_tone },
};

int main(void)
{
	return tl_run("rtp", TL_CASES(cases));
}
