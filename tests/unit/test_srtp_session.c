/* SRTP sessions for every SDES suite: round trips, tag lengths, wrong keys,
 * replays, tampering, SRTCP with and without encryption, key and flag
 * checks, and libsrtp's published reference packets through our policies. */
#include "tl_test.h"
#include "rtp.h"
#include "srtp_session.h"
#include <errno.h>
#include <string.h>

#define N(a) (sizeof(a) / sizeof((a)[0]))

static const struct {
	enum sdes_suite suite;
	size_t rtp_tag, rtcp_tag; /* SRTCP also carries a 4-byte E||index word */
	bool aead;
} suites[] = {
	{ SDES_AES_CM_128_HMAC_SHA1_80, 10, 10, false },
	{ SDES_AES_CM_128_HMAC_SHA1_32, 4, 10, false }, /* RFC 4568: SRTCP keeps 80 bits */
	{ SDES_AES_192_CM_HMAC_SHA1_80, 10, 10, false },
	{ SDES_AES_192_CM_HMAC_SHA1_32, 4, 10, false },
	{ SDES_AES_256_CM_HMAC_SHA1_80, 10, 10, false },
	{ SDES_AES_256_CM_HMAC_SHA1_32, 4, 10, false },
	{ SDES_AEAD_AES_128_GCM, 16, 16, true },
	{ SDES_AEAD_AES_256_GCM, 16, 16, true },
};

static struct sdes_crypto crypto(enum sdes_suite suite, uint8_t seed)
{
	struct sdes_crypto c;
	memset(&c, 0, sizeof(c));
	c.tag = 1;
	c.suite = suite;
	c.key_len = sdes_suite_key_len(suite);
	for (size_t i = 0; i < c.key_len; i++)
		c.key[i] = (uint8_t)(seed + 7 * i);
	return c;
}

static const char *name(size_t i)
{
	return sdes_suite_name(suites[i].suite);
}

/* A pair of sessions (we send with tx, the far end receives with rx). */
struct pair {
	struct srtp_session tx, rx;
};

static bool pair_init(struct pair *p, const struct sdes_crypto *c)
{
	memset(p, 0, sizeof(*p));
	int a = srtp_session_init(&p->tx, c, true);
	int b = srtp_session_init(&p->rx, c, false);
	if (a || b)
		fprintf(stderr, "\n  %s: init %d/%d\n", sdes_suite_name(c->suite), a, b);
	return a == 0 && b == 0;
}

static void pair_free(struct pair *p)
{
	srtp_session_free(&p->tx);
	srtp_session_free(&p->rx);
}

#define CAP 512

/* The next RTP packet of a PCMU stream. */
static size_t next_rtp(struct rtp_sender *s, uint8_t *buf)
{
	int n = rtp_build_next(s, buf, CAP - SRTP_MAX_OVERHEAD);
	CU_ASSERT_FATAL(n > 0);
	return (size_t)n;
}

static void sender(struct rtp_sender *s)
{
	static const uint8_t rnd[10] = { 0x12, 0x34, 0x56, 0x78, 0xff, 0xf0, 0, 0, 1, 0 };
	pcmu_tone_init();
	rtp_sender_init(s, 0, 20, rnd);
}

static void test_global_init(void)
{
	CU_ASSERT_EQUAL(srtp_session_global_init(), 0);
	CU_ASSERT_EQUAL(srtp_session_global_init(), 0); /* again: harmless */
}

static void test_rtp_round_trip(void)
{
	for (size_t i = 0; i < N(suites); i++) {
		struct sdes_crypto c = crypto(suites[i].suite, (uint8_t)i);
		struct pair p;
		CU_ASSERT_FATAL(pair_init(&p, &c));
		struct rtp_sender s;
		sender(&s);
		/* enough packets to cross the seq wrap (the sender starts at 65520) */
		for (int k = 0; k < 40; k++) {
			uint8_t plain[CAP], pkt[CAP];
			size_t n = next_rtp(&s, plain), len = n;
			memcpy(pkt, plain, n);
			CU_ASSERT_EQUAL_FATAL(srtp_session_protect(&p.tx, pkt, &len, CAP), 0);
			CU_ASSERT_EQUAL(len - n, suites[i].rtp_tag);
			CU_ASSERT_EQUAL(memcmp(pkt, plain, RTP_HEADER), 0);
			CU_ASSERT_NOT_EQUAL(memcmp(pkt + RTP_HEADER, plain + RTP_HEADER, n - RTP_HEADER), 0);
			uint8_t again[CAP];
			size_t alen = len;
			memcpy(again, pkt, len);
			enum srtp_verdict v = srtp_session_unprotect(&p.rx, pkt, &len);
			if (v != SRTP_OK)
				fprintf(stderr, "\n  %s packet %d: verdict %d\n", name(i), k, v);
			CU_ASSERT_EQUAL(v, SRTP_OK);
			CU_ASSERT_EQUAL(len, n);
			CU_ASSERT_EQUAL(memcmp(pkt, plain, n), 0);
			/* the same packet again is a replay, and stays as it was */
			CU_ASSERT_EQUAL(srtp_session_unprotect(&p.rx, again, &alen), SRTP_REPLAY);
			CU_ASSERT_EQUAL(alen, n + suites[i].rtp_tag);
		}
		pair_free(&p);
		CU_ASSERT_PTR_NULL(p.tx.ctx);
		srtp_session_free(&p.tx); /* twice is harmless */
	}
}

static void test_wrong_key(void)
{
	for (size_t i = 0; i < N(suites); i++) {
		struct sdes_crypto c = crypto(suites[i].suite, 1), other = crypto(suites[i].suite, 1);
		other.key[3] ^= 0x01; /* one bit of the master key */
		struct pair p;
		CU_ASSERT_FATAL(pair_init(&p, &c));
		struct srtp_session rx2 = { 0 };
		CU_ASSERT_EQUAL_FATAL(srtp_session_init(&rx2, &other, false), 0);
		struct rtp_sender s;
		sender(&s);
		uint8_t pkt[CAP];
		size_t len = next_rtp(&s, pkt);
		CU_ASSERT_EQUAL_FATAL(srtp_session_protect(&p.tx, pkt, &len, CAP), 0);
		enum srtp_verdict v = srtp_session_unprotect(&rx2, pkt, &len);
		if (v != SRTP_AUTH_FAIL)
			fprintf(stderr, "\n  %s: verdict %d\n", name(i), v);
		CU_ASSERT_EQUAL(v, SRTP_AUTH_FAIL);
		srtp_session_free(&rx2);
		pair_free(&p);
	}
}

/* A flipped bit anywhere (header, payload, tag) fails authentication; the
 * failed copy leaves no trace in the replay window. */
static void test_flipped_bit(void)
{
	for (size_t i = 0; i < N(suites); i++) {
		struct sdes_crypto c = crypto(suites[i].suite, 2);
		struct pair p;
		CU_ASSERT_FATAL(pair_init(&p, &c));
		struct rtp_sender s;
		sender(&s);
		uint8_t pkt[CAP];
		size_t n = next_rtp(&s, pkt), len = n;
		CU_ASSERT_EQUAL_FATAL(srtp_session_protect(&p.tx, pkt, &len, CAP), 0);
		const size_t where[] = { 1, 7, 11, RTP_HEADER, n - 1, n, len - 1 };
		for (size_t w = 0; w < N(where); w++) {
			uint8_t bad[CAP];
			size_t blen = len;
			memcpy(bad, pkt, len);
			bad[where[w]] ^= 0x10;
			enum srtp_verdict v = srtp_session_unprotect(&p.rx, bad, &blen);
			if (v != SRTP_AUTH_FAIL)
				fprintf(stderr, "\n  %s byte %zu: verdict %d\n", name(i), where[w], v);
			CU_ASSERT_EQUAL(v, SRTP_AUTH_FAIL);
		}
		CU_ASSERT_EQUAL(srtp_session_unprotect(&p.rx, pkt, &len), SRTP_OK);
		pair_free(&p);
	}
}

static size_t make_rtcp(uint8_t *buf)
{
	struct rtp_sender s;
	sender(&s);
	int n = rtcp_build_sr(buf, CAP - SRTP_MAX_OVERHEAD, &s, NULL, 0x0102030405060708ull, 0,
			      "srtp-test");
	CU_ASSERT_FATAL(n > 0);
	return (size_t)n;
}

/* RTCP both ways, encrypted (default) and with UNENCRYPTED_SRTCP, where the
 * report stays readable on the wire but is still authenticated. */
static void test_rtcp(void)
{
	for (int unenc = 0; unenc <= 1; unenc++) {
		for (size_t i = 0; i < N(suites); i++) {
			struct sdes_crypto c = crypto(suites[i].suite, 3);
			c.unencrypted_srtcp = unenc;
			struct pair p;
			CU_ASSERT_FATAL(pair_init(&p, &c));
			CU_ASSERT_EQUAL(p.tx.encrypt_rtcp, !unenc);
			uint8_t plain[CAP], pkt[CAP];
			size_t n = make_rtcp(plain), len = n;
			memcpy(pkt, plain, n);
			CU_ASSERT_EQUAL_FATAL(srtp_session_protect_rtcp(&p.tx, pkt, &len, CAP), 0);
			CU_ASSERT_EQUAL(len, n + 4 + suites[i].rtcp_tag);
			CU_ASSERT_EQUAL(memcmp(pkt, plain, 8), 0); /* header and SSRC stay clear */
			bool readable = memcmp(pkt + 8, plain + 8, n - 8) == 0;
			CU_ASSERT_EQUAL(readable, unenc);
			/* E flag and index 1: after the payload (AES-CM) or the tag (GCM) */
			const uint8_t *e = pkt + (suites[i].aead ? len - 4 : n);
			CU_ASSERT_EQUAL(e[0], unenc ? 0x00 : 0x80);
			CU_ASSERT_EQUAL(e[3], 1);

			uint8_t bad[CAP];
			size_t blen = len;
			memcpy(bad, pkt, len);
			bad[20] ^= 0x01; /* the RTP timestamp in the sender info */
			CU_ASSERT_EQUAL(srtp_session_unprotect_rtcp(&p.rx, bad, &blen), SRTP_AUTH_FAIL);

			uint8_t again[CAP];
			size_t alen = len;
			memcpy(again, pkt, len);
			enum srtp_verdict v = srtp_session_unprotect_rtcp(&p.rx, pkt, &len);
			if (v != SRTP_OK)
				fprintf(stderr, "\n  %s unenc %d: verdict %d\n", name(i), unenc, v);
			CU_ASSERT_EQUAL(v, SRTP_OK);
			CU_ASSERT_EQUAL(len, n);
			CU_ASSERT_EQUAL(memcmp(pkt, plain, n), 0);
			uint32_t ssrc;
			CU_ASSERT_EQUAL(rtcp_validate(pkt, len, &ssrc), 0);
			CU_ASSERT_EQUAL(ssrc, 0x12345678);
			CU_ASSERT_EQUAL(srtp_session_unprotect_rtcp(&p.rx, again, &alen), SRTP_REPLAY);
			pair_free(&p);
		}
	}
}

/* UNENCRYPTED_SRTP: payload in the clear, still authenticated;
 * UNAUTHENTICATED_SRTP: encrypted, no tag. AES-CM suites only (GCM: -ENOTSUP). */
static void test_srtp_session_params(void)
{
	for (size_t i = 0; i < N(suites); i++) {
		for (int mode = 0; mode < 2; mode++) {
			struct sdes_crypto c = crypto(suites[i].suite, 4);
			c.unencrypted_srtp = mode == 0;
			c.unauthenticated_srtp = mode == 1;
			if (suites[i].aead) {
				struct srtp_session t = { 0 };
				CU_ASSERT_EQUAL(srtp_session_init(&t, &c, true), -ENOTSUP);
				CU_ASSERT_PTR_NULL(t.ctx);
				continue;
			}
			struct pair p;
			CU_ASSERT_FATAL(pair_init(&p, &c));
			struct rtp_sender s;
			sender(&s);
			uint8_t plain[CAP], pkt[CAP];
			size_t n = next_rtp(&s, plain), len = n;
			memcpy(pkt, plain, n);
			CU_ASSERT_EQUAL_FATAL(srtp_session_protect(&p.tx, pkt, &len, CAP), 0);
			bool readable = memcmp(pkt, plain, n) == 0;
			CU_ASSERT_EQUAL(readable, mode == 0);
			CU_ASSERT_EQUAL(len - n, mode == 0 ? suites[i].rtp_tag : 0);
			uint8_t bad[CAP];
			size_t blen = len;
			memcpy(bad, pkt, len);
			bad[RTP_HEADER] ^= 0x01;
			enum srtp_verdict v = srtp_session_unprotect(&p.rx, bad, &blen);
			if (mode == 0) {
				CU_ASSERT_EQUAL(v, SRTP_AUTH_FAIL);
			} else { /* nothing to notice the change: it decrypts */
				/* the same keystream as an authenticated session's */
				struct sdes_crypto full = crypto(suites[i].suite, 4);
				struct srtp_session t = { 0 };
				CU_ASSERT_EQUAL_FATAL(srtp_session_init(&t, &full, true), 0);
				uint8_t ref[CAP];
				size_t rlen = n;
				memcpy(ref, plain, n);
				CU_ASSERT_EQUAL(srtp_session_protect(&t, ref, &rlen, CAP), 0);
				CU_ASSERT_EQUAL(memcmp(ref, pkt, n), 0);
				srtp_session_free(&t);
				CU_ASSERT_EQUAL(v, SRTP_OK);
				CU_ASSERT_EQUAL(bad[RTP_HEADER], plain[RTP_HEADER] ^ 0x01);
				sender(&s); /* and send a fresh packet below */
				next_rtp(&s, plain);
				n = next_rtp(&s, plain);
				len = n;
				memcpy(pkt, plain, n);
				CU_ASSERT_EQUAL_FATAL(srtp_session_protect(&p.tx, pkt, &len, CAP), 0);
			}
			CU_ASSERT_EQUAL(srtp_session_unprotect(&p.rx, pkt, &len), SRTP_OK);
			CU_ASSERT_EQUAL(len, n);
			CU_ASSERT_EQUAL(memcmp(pkt, plain, n), 0);
			pair_free(&p);
		}
	}
}

static void test_bad_parameters(void)
{
	for (size_t i = 0; i < N(suites); i++) {
		const size_t lens[] = { 0, sdes_suite_key_len(suites[i].suite) - 1,
					sdes_suite_key_len(suites[i].suite) + 1 };
		for (size_t k = 0; k < N(lens); k++) {
			struct sdes_crypto c = crypto(suites[i].suite, 5);
			c.key_len = lens[k];
			struct srtp_session t = { 0 };
			CU_ASSERT_EQUAL(srtp_session_init(&t, &c, true), -EINVAL);
			CU_ASSERT_EQUAL(srtp_session_init(&t, &c, false), -EINVAL);
			CU_ASSERT_PTR_NULL(t.ctx);
		}
		/* an MKI would be in every packet: not supported */
		struct sdes_crypto c = crypto(suites[i].suite, 5);
		c.mki = 1;
		c.mki_len = 4;
		struct srtp_session t = { 0 };
		CU_ASSERT_EQUAL(srtp_session_init(&t, &c, true), -ENOTSUP);
	}
	struct sdes_crypto c = crypto(SDES_AES_CM_128_HMAC_SHA1_80, 5);
	c.key_len = SDES_MAX_KEY + 1;
	struct srtp_session t = { 0 };
	CU_ASSERT_EQUAL(srtp_session_init(&t, &c, true), -EINVAL);
	c = crypto(SDES_AES_CM_128_HMAC_SHA1_80, 5);
	c.suite = SDES_SUITE_COUNT;
	CU_ASSERT_EQUAL(srtp_session_init(&t, &c, true), -ENOTSUP);
	CU_ASSERT_PTR_NULL(t.ctx);
}

static void test_buffers(void)
{
	struct sdes_crypto c = crypto(SDES_AES_CM_128_HMAC_SHA1_80, 6);
	struct pair p;
	CU_ASSERT_FATAL(pair_init(&p, &c));
	struct rtp_sender s;
	sender(&s);
	uint8_t plain[CAP], pkt[CAP];
	size_t n = next_rtp(&s, plain);
	/* room for less than SRTP_MAX_OVERHEAD: -ENOSPC, packet untouched */
	static const size_t short_caps[] = { 0, 100, 172, 172 + SRTP_MAX_OVERHEAD - 1 };
	for (size_t k = 0; k < N(short_caps); k++) {
		size_t len = n;
		memcpy(pkt, plain, n);
		CU_ASSERT_EQUAL(srtp_session_protect(&p.tx, pkt, &len, short_caps[k]), -ENOSPC);
		CU_ASSERT_EQUAL(srtp_session_protect_rtcp(&p.tx, pkt, &len, short_caps[k]), -ENOSPC);
		CU_ASSERT_EQUAL(len, n);
		CU_ASSERT_EQUAL(memcmp(pkt, plain, n), 0);
	}
	size_t len = n;
	memcpy(pkt, plain, n);
	CU_ASSERT_EQUAL(srtp_session_protect(&p.tx, pkt, &len, n + SRTP_MAX_OVERHEAD), 0);
	/* too short to be SRTP, and a session that was never made */
	static const size_t short_lens[] = { 0, 4, 11, 12, 21 };
	for (size_t k = 0; k < N(short_lens); k++) {
		size_t l = short_lens[k];
		CU_ASSERT_NOT_EQUAL(srtp_session_unprotect(&p.rx, pkt, &l), SRTP_OK);
	}
	struct srtp_session none = { 0 };
	len = n;
	CU_ASSERT_EQUAL(srtp_session_protect(&none, pkt, &len, CAP), -EPROTO);
	CU_ASSERT_EQUAL(srtp_session_unprotect(&none, pkt, &len), SRTP_BAD);
	pair_free(&p);
}

/* libsrtp's own reference packets (test/srtp_driver.c, srtp_validate and
 * srtp_validate_gcm; the AES-CM ones are also reproduced by independent
 * implementations). The _32 packet is the _80 one with the tag cut to 4
 * bytes, and its SRTCP is the _80 SRTCP: the check on our _32 -> _80 RTCP
 * mapping. */
static const uint8_t key_cm[30] = {
	0xe1, 0xf9, 0x7a, 0x0d, 0x3e, 0x01, 0x8b, 0xe0, 0xd6, 0x4f, 0xa3, 0x2c, 0x06, 0xde, 0x41,
	0x39, 0x0e, 0xc6, 0x75, 0xad, 0x49, 0x8a, 0xfe, 0xeb, 0xb6, 0x96, 0x0b, 0x3a, 0xab, 0xe6,
};
static const uint8_t key_gcm[28] = {
	0x00, 0x01, 0x02, 0x03, 0x04, 0x05, 0x06, 0x07, 0x08, 0x09, 0x0a, 0x0b, 0x0c, 0x0d,
	0x0e, 0x0f, 0xa0, 0xa1, 0xa2, 0xa3, 0xa4, 0xa5, 0xa6, 0xa7, 0xa8, 0xa9, 0xaa, 0xab,
};
#define AB16 0xab, 0xab, 0xab, 0xab, 0xab, 0xab, 0xab, 0xab, \
	     0xab, 0xab, 0xab, 0xab, 0xab, 0xab, 0xab, 0xab
static const uint8_t rtp_plain[28] = {
	0x80, 0x0f, 0x12, 0x34, 0xde, 0xca, 0xfb, 0xad, 0xca, 0xfe, 0xba, 0xbe, AB16,
};
static const uint8_t rtcp_plain[24] = {
	0x81, 0xc8, 0x00, 0x0b, 0xca, 0xfe, 0xba, 0xbe, AB16,
};
static const uint8_t srtp_cm[38] = {
	0x80, 0x0f, 0x12, 0x34, 0xde, 0xca, 0xfb, 0xad, 0xca, 0xfe, 0xba, 0xbe, 0x4e,
	0x55, 0xdc, 0x4c, 0xe7, 0x99, 0x78, 0xd8, 0x8c, 0xa4, 0xd2, 0x15, 0x94, 0x9d,
	0x24, 0x02, 0xb7, 0x8d, 0x6a, 0xcc, 0x99, 0xea, 0x17, 0x9b, 0x8d, 0xbb,
};
static const uint8_t srtcp_cm[38] = {
	0x81, 0xc8, 0x00, 0x0b, 0xca, 0xfe, 0xba, 0xbe, 0x71, 0x28, 0x03, 0x5b, 0xe4,
	0x87, 0xb9, 0xbd, 0xbe, 0xf8, 0x90, 0x41, 0xf9, 0x77, 0xa5, 0xa8, 0x80, 0x00,
	0x00, 0x01, 0x99, 0x3e, 0x08, 0xcd, 0x54, 0xd6, 0xc1, 0x23, 0x07, 0x98,
};
static const uint8_t srtp_gcm[44] = {
	0x80, 0x0f, 0x12, 0x34, 0xde, 0xca, 0xfb, 0xad, 0xca, 0xfe, 0xba, 0xbe, 0xc5, 0x00, 0x2e,
	0xde, 0x04, 0xcf, 0xdd, 0x2e, 0xb9, 0x11, 0x59, 0xe0, 0x88, 0x0a, 0xa0, 0x6e, 0xd2, 0x97,
	0x68, 0x26, 0xf7, 0x96, 0xb2, 0x01, 0xdf, 0x31, 0x31, 0xa1, 0x27, 0xe8, 0xa3, 0x92,
};
static const uint8_t srtcp_gcm[44] = {
	0x81, 0xc8, 0x00, 0x0b, 0xca, 0xfe, 0xba, 0xbe, 0xc9, 0x8b, 0x8b, 0x5d, 0xf0, 0x39, 0x2a,
	0x55, 0x85, 0x2b, 0x6c, 0x21, 0xac, 0x8e, 0x70, 0x25, 0xc5, 0x2c, 0x6f, 0xbe, 0xa2, 0xb3,
	0xb4, 0x46, 0xea, 0x31, 0x12, 0x3b, 0xa8, 0x8c, 0xe6, 0x1e, 0x80, 0x00, 0x00, 0x01,
};

static const struct {
	const char *what;
	enum sdes_suite suite;
	const uint8_t *key;
	bool rtcp;
	const uint8_t *plain, *cipher;
	size_t plain_len, cipher_len;
} vectors[] = {
	{ "AES_CM_128_HMAC_SHA1_80 SRTP", SDES_AES_CM_128_HMAC_SHA1_80, key_cm, false,
	  rtp_plain, srtp_cm, 28, 38 },
	{ "AES_CM_128_HMAC_SHA1_80 SRTCP", SDES_AES_CM_128_HMAC_SHA1_80, key_cm, true,
	  rtcp_plain, srtcp_cm, 24, 38 },
	{ "AES_CM_128_HMAC_SHA1_32 SRTP", SDES_AES_CM_128_HMAC_SHA1_32, key_cm, false,
	  rtp_plain, srtp_cm, 28, 32 },
	{ "AES_CM_128_HMAC_SHA1_32 SRTCP", SDES_AES_CM_128_HMAC_SHA1_32, key_cm, true,
	  rtcp_plain, srtcp_cm, 24, 38 },
	{ "AEAD_AES_128_GCM SRTP", SDES_AEAD_AES_128_GCM, key_gcm, false,
	  rtp_plain, srtp_gcm, 28, 44 },
	{ "AEAD_AES_128_GCM SRTCP", SDES_AEAD_AES_128_GCM, key_gcm, true,
	  rtcp_plain, srtcp_gcm, 24, 44 },
};

static void test_reference_packets(void)
{
	for (size_t i = 0; i < N(vectors); i++) {
		struct sdes_crypto c = crypto(vectors[i].suite, 0);
		memcpy(c.key, vectors[i].key, c.key_len);
		struct pair p;
		CU_ASSERT_FATAL(pair_init(&p, &c));
		uint8_t pkt[CAP];
		size_t len = vectors[i].plain_len;
		memcpy(pkt, vectors[i].plain, len);
		int r = vectors[i].rtcp ? srtp_session_protect_rtcp(&p.tx, pkt, &len, CAP)
					: srtp_session_protect(&p.tx, pkt, &len, CAP);
		CU_ASSERT_EQUAL(r, 0);
		bool same = len == vectors[i].cipher_len && !memcmp(pkt, vectors[i].cipher, len);
		if (!same)
			fprintf(stderr, "\n  %s: protected packet differs\n", vectors[i].what);
		CU_ASSERT(same);

		len = vectors[i].cipher_len;
		memcpy(pkt, vectors[i].cipher, len);
		enum srtp_verdict v = vectors[i].rtcp ? srtp_session_unprotect_rtcp(&p.rx, pkt, &len)
						      : srtp_session_unprotect(&p.rx, pkt, &len);
		CU_ASSERT_EQUAL(v, SRTP_OK);
		CU_ASSERT_EQUAL(len, vectors[i].plain_len);
		CU_ASSERT_EQUAL(memcmp(pkt, vectors[i].plain, vectors[i].plain_len), 0);
		pair_free(&p);
	}
}

static const struct tl_case cases[] = {
	{ "global init is idempotent", test_global_init },
	{ "RTP round trip, tag length, replay: every suite", test_rtp_round_trip },
	{ "wrong key: every suite", test_wrong_key },
	{ "flipped bit: every suite", test_flipped_bit },
	{ "SRTCP, encrypted and UNENCRYPTED_SRTCP: every suite", test_rtcp },
	{ "UNENCRYPTED_SRTP and UNAUTHENTICATED_SRTP", test_srtp_session_params },
	{ "bad key lengths, MKI, unknown suite", test_bad_parameters },
	{ "buffer room and short packets", test_buffers },
	{ "libsrtp reference packets", test_reference_packets },
};

int main(void)
{
	int err = srtp_session_global_init();
	if (err) {
		fprintf(stderr, "srtp_session_global_init: %d\n", err);
		return 1;
	}
	return tl_run("srtp_session", TL_CASES(cases));
}
