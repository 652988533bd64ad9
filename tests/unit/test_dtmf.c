/* dtmf: digits become RFC 4733 event packets as the RFC lays them out (marker on the
 * first, one timestamp per event, growing duration, three end packets with numbers of
 * their own, audio between digits), and the receiver takes one digit per event
 * whatever is repeated or lost. */
#include <errno.h>
#include <string.h>
#include "check.h"
#include "dtmf.h"
#include "rtp.h"

static struct rtp_sender sender(void)
{
	static const uint8_t rnd[10] = { 0x11, 0x22, 0x33, 0x44, 0xff, 0xfe, 0, 0, 0x10, 0 };
	struct rtp_sender s;
	rtp_sender_init(&s, RTP_PT_PCMU, 20, rnd);
	return s;
}

static void test_codes(void)
{
	static const char all[] = "0123456789*#ABCD";
	for (int i = 0; i < 16; i++) {
		CHECK(dtmf_code(all[i]) == i, "'%c' is event %d", all[i], i);
		CU_ASSERT(dtmf_digit((uint8_t)i) == all[i]);
	}
	CU_ASSERT(dtmf_code('b') == 13);
	CU_ASSERT(dtmf_code('E') == -1);
	CU_ASSERT(dtmf_code(' ') == -1);
	CU_ASSERT(dtmf_code(0) == -1);
	CU_ASSERT(dtmf_digit(16) == 0);
	CU_ASSERT(dtmf_valid("1018#"));
	CU_ASSERT(!dtmf_valid(""));
	CU_ASSERT(!dtmf_valid("10 18"));
	CU_ASSERT(!dtmf_valid("123456789012345678901234567890123")); /* 33 */
	CU_ASSERT(dtmf_valid("12345678901234567890123456789012"));
}

static void test_queue_refusals(void)
{
	struct dtmf_sender d = { 0 };
	CU_ASSERT(dtmf_queue(&d, "12x", 100, 50) == -EINVAL);
	CU_ASSERT(dtmf_queue(&d, "", 100, 50) == -EINVAL);
	CU_ASSERT(dtmf_queue(&d, "1", 0, 50) == -EINVAL);
	CU_ASSERT(dtmf_queue(&d, "1", DTMF_MAX_DURATION_MS + 1, 50) == -EINVAL);
	CU_ASSERT(d.n == 0 && !dtmf_due(&d));
	CU_ASSERT(dtmf_queue(&d, "1234567890123456", 100, 50) == 0);
	CU_ASSERT(dtmf_queue(&d, "12345678901234567", 100, 50) == -ENOSPC);
	CU_ASSERT(dtmf_queue(&d, "1234567890123456", 100, 50) == 0);
	CU_ASSERT(d.n == DTMF_MAX_DIGITS);
}

struct packet {
	uint8_t b[64];
	int len;
	bool audio;
};

/* Plays the stream one packet time after another, as media.c does, until the digits
 * are sent and `tail` audio packets followed. */
static unsigned play(struct dtmf_sender *d, struct rtp_sender *s, struct packet *out, unsigned cap,
		     unsigned tail)
{
	unsigned n = 0, after = 0;
	while (n < cap && after < tail) {
		uint8_t big[RTP_HEADER + 160];
		if (dtmf_due(d)) {
			out[n].len = dtmf_build_next(d, s, 101, out[n].b, sizeof(out[n].b));
			out[n].audio = false;
		} else {
			out[n].len = rtp_build_next(s, big, sizeof(big));
			memcpy(out[n].b, big, RTP_HEADER);
			out[n].audio = true;
			dtmf_after_audio(d, s->samples);
			after += d->n == 0;
		}
		n++;
	}
	return n;
}

static uint32_t ts_of(const uint8_t *b)
{
	return (uint32_t)b[4] << 24 | (uint32_t)b[5] << 16 | (uint32_t)b[6] << 8 | b[7];
}

static uint16_t seq_of(const uint8_t *b)
{
	return (uint16_t)(b[2] << 8 | b[3]);
}

static void test_wire(void)
{
	struct rtp_sender s = sender();
	struct dtmf_sender d = { 0 };
	/* one audio packet first, then "1#" at 100 ms (5 packets + 2 more ends) and 40 ms gap */
	uint8_t big[RTP_HEADER + 160];
	CU_ASSERT(rtp_build_next(&s, big, sizeof(big)) == RTP_HEADER + 160);
	CU_ASSERT_FATAL(dtmf_queue(&d, "1#", 100, 40) == 0);
	struct packet p[32];
	unsigned n = play(&d, &s, p, 32, 1);
	/* 7 packets of '1', 2 of audio, 7 of '#', 1 of audio */
	CHECK(n == 17, "17 packets, got %u", n);
	CU_ASSERT_FATAL(n == 17);
	static const bool audio[17] = { 0, 0, 0, 0, 0, 0, 0, 1, 1, 0, 0, 0, 0, 0, 0, 0, 1 };
	static const uint16_t dur[17] = { 160, 320, 480, 640, 800, 800, 800, 0, 0,
					  160, 320, 480, 640, 800, 800, 800, 0 };
	uint32_t ts0 = ts_of(big);
	for (unsigned i = 0; i < n; i++) {
		CHECK(p[i].audio == audio[i], "packet %u audio %d", i, p[i].audio);
		CHECK(seq_of(p[i].b) == (uint16_t)(0xfffe + 1 + i), "packet %u seq %u", i,
		      seq_of(p[i].b));
		if (audio[i]) {
			CU_ASSERT((p[i].b[1] & 0x7f) == 0);
			CHECK(ts_of(p[i].b) == ts0 + 160 * (i + 1), "audio %u keeps the clock", i);
			continue;
		}
		const uint8_t *e = p[i].b + RTP_HEADER;
		bool first = i == 0 || i == 9;
		CU_ASSERT(p[i].len == RTP_HEADER + DTMF_EVENT_LEN);
		CU_ASSERT((p[i].b[1] & 0x7f) == 101);
		CHECK(!!(p[i].b[1] & 0x80) == first, "packet %u marker", i);
		CHECK(ts_of(p[i].b) == ts0 + 160 * (i < 9 ? 1 : 10), "packet %u: the event's ts", i);
		CU_ASSERT(e[0] == (i < 9 ? 1 : 11));
		CHECK(!!(e[1] & 0x80) == (dur[i] == 800), "packet %u E bit", i);
		CU_ASSERT((e[1] & 0x3f) == DTMF_VOLUME);
		CHECK((uint16_t)(e[2] << 8 | e[3]) == dur[i], "packet %u duration %u", i,
		      (unsigned)(e[2] << 8 | e[3]));
	}
	CU_ASSERT(d.digits_sent == 2 && d.n == 0);
}

/* Feeds the event packets of a play to a receiver, dropping those drop[] marks. */
static struct dtmf_receiver receive(const struct packet *p, unsigned n, const bool *drop,
				    unsigned *ended)
{
	struct dtmf_receiver r = { 0 };
	*ended = 0;
	for (unsigned i = 0; i < n; i++)
		if (!p[i].audio && !(drop && drop[i]))
			*ended += dtmf_receive(&r, p[i].b + RTP_HEADER, (size_t)p[i].len - RTP_HEADER,
					       ts_of(p[i].b)) == DTMF_DIGIT_ENDED;
	return r;
}

static void test_round_trip(void)
{
	struct rtp_sender s = sender();
	struct dtmf_sender d = { 0 };
	CU_ASSERT_FATAL(dtmf_queue(&d, "1018#", 60, 60) == 0);
	CU_ASSERT_FATAL(dtmf_queue(&d, "*AD", 40, 20) == 0);
	struct packet p[128];
	unsigned n = play(&d, &s, p, 128, 1);
	unsigned ended;
	struct dtmf_receiver r = receive(p, n, NULL, &ended);
	CHECK(!strcmp(r.digits, "1018#*AD"), "got \"%s\"", r.digits);
	CU_ASSERT(r.received == 8 && ended == 8 && r.other_events == 0);
	CU_ASSERT(dtmf_mismatched("1018#*AD", r.digits) == 0);

	/* lose every first packet and two of every three end packets: still each digit once */
	bool drop[128] = { 0 };
	for (unsigned i = 0; i < n; i++) {
		if (p[i].audio)
			continue;
		bool first = p[i].b[1] & 0x80, end = p[i].b[RTP_HEADER + 1] & 0x80;
		bool last = i + 1 == n || p[i + 1].audio;
		drop[i] = first || (end && !last);
	}
	r = receive(p, n, drop, &ended);
	CHECK(!strcmp(r.digits, "1018#*AD"), "with losses got \"%s\"", r.digits);
	CU_ASSERT(ended == 8);
	/* the same digit twice in a row is two events: two timestamps */
	d = (struct dtmf_sender){ 0 };
	CU_ASSERT_FATAL(dtmf_queue(&d, "11", 40, 0) == 0);
	n = play(&d, &s, p, 128, 1);
	r = receive(p, n, NULL, &ended);
	CHECK(!strcmp(r.digits, "11"), "a gap of 0 ms: got \"%s\"", r.digits);
}

static void test_receiver_edges(void)
{
	struct dtmf_receiver r = { 0 };
	const uint8_t short_event[3] = { 1, 0, 0 };
	CU_ASSERT(dtmf_receive(&r, short_event, 3, 100) == DTMF_NOTHING);
	CU_ASSERT(r.bad == 1 && r.received == 0);
	const uint8_t flash[4] = { 16, 0x8a, 0, 160 };
	CU_ASSERT(dtmf_receive(&r, flash, 4, 200) == DTMF_NOTHING);
	CU_ASSERT(dtmf_receive(&r, flash, 4, 200) == DTMF_NOTHING);
	CU_ASSERT(r.other_events == 1 && r.received == 0);
	const uint8_t five_end[4] = { 5, 0x8a, 3, 0x20 };
	CU_ASSERT(dtmf_receive(&r, five_end, 4, 300) == DTMF_DIGIT_ENDED);
	CU_ASSERT(dtmf_receive(&r, five_end, 4, 300) == DTMF_NOTHING);
	CU_ASSERT(r.duration == 800 && !strcmp(r.digits, "5"));
	/* past the digits kept, still counted */
	for (uint32_t i = 0; i < 40; i++)
		dtmf_receive(&r, five_end, 4, 1000 + 800 * i);
	CU_ASSERT(r.received == 41 && r.n == DTMF_MAX_DIGITS);
	CU_ASSERT(strlen(r.digits) == DTMF_MAX_DIGITS);
}

static void test_mismatched(void)
{
	static const struct {
		const char *want, *got;
		unsigned bad;
	} cases[] = {
		{ "1018#", "1018#", 0 }, { "1018#", "1019#", 1 }, { "1018#", "101", 2 },
		{ "1018#", "", 5 },      { "1018#", "1018#9", 1 }, { "", "12", 2 },
		{ "12", "21", 2 },
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
		CHECK(dtmf_mismatched(cases[i].want, cases[i].got) == cases[i].bad,
		      "\"%s\" vs \"%s\": %u", cases[i].want, cases[i].got,
		      dtmf_mismatched(cases[i].want, cases[i].got));
}

int main(void)
{
	static const struct tl_case cases[] = {
		{ "digits and event codes", test_codes },
		{ "queue refusals", test_queue_refusals },
		{ "the packets on the wire", test_wire },
		{ "sender to receiver, with losses", test_round_trip },
		{ "receiver: short, non-digit, repeated, many", test_receiver_edges },
		{ "mismatched digits", test_mismatched },
	};
	return tl_run("dtmf", TL_CASES(cases));
}
