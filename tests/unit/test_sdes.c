/* SDES a=crypto lines and base64: tables of lines and the fields or errors they
 * give, format/parse round trips, and every truncated line against a guard page. */
#include "tl_test.h"
#include "sdes.h"
#include <errno.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

/* Key material is ASCII so the expected bytes are readable; the base64 forms
 * were computed independently (Python's base64 module). */
#define KEY "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghij"
#define B28 "MDEyMzQ1Njc4OUFCQ0RFRkdISUpLTE1OT1BRUg=="
#define B29 "MDEyMzQ1Njc4OUFCQ0RFRkdISUpLTE1OT1BRUlM="
#define B30 "MDEyMzQ1Njc4OUFCQ0RFRkdISUpLTE1OT1BRUlNU"
#define B31 "MDEyMzQ1Njc4OUFCQ0RFRkdISUpLTE1OT1BRUlNUVQ=="
#define B38 "MDEyMzQ1Njc4OUFCQ0RFRkdISUpLTE1OT1BRUlNUVVZXWFlaYWI="
#define B44 "MDEyMzQ1Njc4OUFCQ0RFRkdISUpLTE1OT1BRUlNUVVZXWFlaYWJjZGVmZ2g="
#define B46 "MDEyMzQ1Njc4OUFCQ0RFRkdISUpLTE1OT1BRUlNUVVZXWFlaYWJjZGVmZ2hpag=="
/* RFC 4568 section 4 example key */
#define RFC_B64 "WVNfX19zZW1jdGwgKCkgewkyMjA7fQp9CnVubGVz"
#define RFC_KEY "YS___semctl () {\t220;}\n}\nunles"

static const struct {
	const char *in, *out;
} b64_vectors[] = { /* RFC 4648 section 10 */
	{ "", "" }, { "f", "Zg==" }, { "fo", "Zm8=" }, { "foo", "Zm9v" },
	{ "foob", "Zm9vYg==" }, { "fooba", "Zm9vYmE=" }, { "foobar", "Zm9vYmFy" },
};

static void test_base64_rfc4648(void)
{
	for (size_t i = 0; i < sizeof(b64_vectors) / sizeof(b64_vectors[0]); i++) {
		const char *in = b64_vectors[i].in, *exp = b64_vectors[i].out;
		size_t n = strlen(in), en = strlen(exp);
		char enc[16];
		uint8_t dec[16];
		CU_ASSERT_EQUAL(base64_encode(enc, sizeof(enc), (const uint8_t *)in, n), (int)en);
		CU_ASSERT_EQUAL(memcmp(enc, exp, en), 0);
		CU_ASSERT_EQUAL(base64_decode(dec, sizeof(dec), exp, en), (int)n);
		CU_ASSERT_EQUAL(memcmp(dec, in, n), 0);
		/* exact caps work, every smaller one is -ENOSPC */
		CU_ASSERT_EQUAL(base64_encode(enc, en, (const uint8_t *)in, n), (int)en);
		CU_ASSERT_EQUAL(base64_decode(dec, n, exp, en), (int)n);
		for (size_t cap = 0; cap < en; cap++)
			CU_ASSERT_EQUAL(base64_encode(enc, cap, (const uint8_t *)in, n), -ENOSPC);
		for (size_t cap = 0; cap < n; cap++)
			CU_ASSERT_EQUAL(base64_decode(dec, cap, exp, en), -ENOSPC);
	}
}

static void test_base64_invalid(void)
{
	static const char *bad[] = {
		"Zg=",      /* length not a multiple of 4 */
		"Zg",       /* unpadded */
		"Z===",     /* three pad characters */
		"====",
		"Zh==",     /* non-zero bits under the padding */
		"Zm9vYmF=",
		"Zg==Zg==", /* padding in the middle */
		"=Zm9",
		"Zm9v!A==", /* outside the alphabet */
		"Zm9-",     /* base64url, not base64 */
		"Zm9 ",
	};
	uint8_t dec[16];
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		int r = base64_decode(dec, sizeof(dec), bad[i], strlen(bad[i]));
		if (r != -EBADMSG)
			fprintf(stderr, "\n  base64 \"%s\": got %d\n", bad[i], r);
		CU_ASSERT_EQUAL(r, -EBADMSG);
	}
	/* malformed wins over a small buffer */
	CU_ASSERT_EQUAL(base64_decode(dec, 0, "Zm9v!A==", 8), -EBADMSG);
}

static const struct {
	const char *name;
	enum sdes_suite suite;
	size_t key_len;
} suite_table[] = {
	{ "AES_CM_128_HMAC_SHA1_80", SDES_AES_CM_128_HMAC_SHA1_80, 30 },
	{ "AES_CM_128_HMAC_SHA1_32", SDES_AES_CM_128_HMAC_SHA1_32, 30 },
	{ "AES_192_CM_HMAC_SHA1_80", SDES_AES_192_CM_HMAC_SHA1_80, 38 },
	{ "AES_192_CM_HMAC_SHA1_32", SDES_AES_192_CM_HMAC_SHA1_32, 38 },
	{ "AES_256_CM_HMAC_SHA1_80", SDES_AES_256_CM_HMAC_SHA1_80, 46 },
	{ "AES_256_CM_HMAC_SHA1_32", SDES_AES_256_CM_HMAC_SHA1_32, 46 },
	{ "AEAD_AES_128_GCM", SDES_AEAD_AES_128_GCM, 28 },
	{ "AEAD_AES_256_GCM", SDES_AEAD_AES_256_GCM, 44 },
};
#define N_SUITES (sizeof(suite_table) / sizeof(suite_table[0]))

static void test_suite_names(void)
{
	CU_ASSERT_EQUAL(N_SUITES, SDES_SUITE_COUNT);
	for (size_t i = 0; i < N_SUITES; i++) {
		enum sdes_suite s = SDES_SUITE_COUNT;
		const char *n = suite_table[i].name;
		CU_ASSERT_EQUAL(sdes_suite_from_name(n, strlen(n), &s), 0);
		CU_ASSERT_EQUAL(s, suite_table[i].suite);
		CU_ASSERT_STRING_EQUAL(sdes_suite_name(s), n);
		CU_ASSERT_EQUAL(sdes_suite_key_len(s), suite_table[i].key_len);
		/* a prefix of a known name is not that name */
		CU_ASSERT_EQUAL(sdes_suite_from_name(n, strlen(n) - 1, &s), -ENOENT);
	}
	static const char *unknown[] = { "", "F8_128_HMAC_SHA1_80", "aes_cm_128_hmac_sha1_80",
					 "AES_CM_128_HMAC_SHA1_80X", "AEAD_AES_192_GCM" };
	for (size_t i = 0; i < sizeof(unknown) / sizeof(unknown[0]); i++) {
		enum sdes_suite s = SDES_SUITE_COUNT;
		CU_ASSERT_EQUAL(sdes_suite_from_name(unknown[i], strlen(unknown[i]), &s), -ENOENT);
		CU_ASSERT_EQUAL(s, SDES_SUITE_COUNT);
	}
	CU_ASSERT_PTR_NULL(sdes_suite_name(SDES_SUITE_COUNT));
	CU_ASSERT_EQUAL(sdes_suite_key_len(SDES_SUITE_COUNT), 0);
}

struct valid_case {
	const char *line;
	uint32_t tag;
	enum sdes_suite suite;
	const char *key; /* expected key||salt bytes (key_len of them) */
	uint64_t lifetime;
	uint32_t mki, mki_len;
	bool unenc_srtp, unenc_srtcp, unauth_srtp;
};

#define V(l, t, s) .line = (l), .tag = (t), .suite = (s), .key = KEY
static const struct valid_case valid[] = {
	{ V("1 AES_CM_128_HMAC_SHA1_80 inline:" B30, 1, SDES_AES_CM_128_HMAC_SHA1_80) },
	/* the RFC 4568 example: lifetime 2^20, MKI 1 in 4 bytes */
	{ .line = "1 AES_CM_128_HMAC_SHA1_80 inline:" RFC_B64 "|2^20|1:4", .tag = 1,
	  .suite = SDES_AES_CM_128_HMAC_SHA1_80, .key = RFC_KEY, .lifetime = 1u << 20,
	  .mki = 1, .mki_len = 4 },
	{ V("2 AES_CM_128_HMAC_SHA1_32 inline:" B30 "|1048576", 2, SDES_AES_CM_128_HMAC_SHA1_32),
	  .lifetime = 1048576 },
	{ V("3 AES_192_CM_HMAC_SHA1_80 inline:" B38 "|2^31|7:2 UNENCRYPTED_SRTCP", 3,
	    SDES_AES_192_CM_HMAC_SHA1_80), .lifetime = 1u << 31, .mki = 7, .mki_len = 2,
	  .unenc_srtcp = true },
	{ V("4 AES_192_CM_HMAC_SHA1_32 inline:" B38 " UNENCRYPTED_SRTP UNAUTHENTICATED_SRTP", 4,
	    SDES_AES_192_CM_HMAC_SHA1_32), .unenc_srtp = true, .unauth_srtp = true },
	{ V("5 AES_256_CM_HMAC_SHA1_80 inline:" B46 "|2^48", 5, SDES_AES_256_CM_HMAC_SHA1_80),
	  .lifetime = (uint64_t)1 << 48 },
	{ V("6 AES_256_CM_HMAC_SHA1_32 inline:" B46 "|255:1", 6, SDES_AES_256_CM_HMAC_SHA1_32),
	  .mki = 255, .mki_len = 1 },
	{ V("7 AEAD_AES_128_GCM inline:" B28, 7, SDES_AEAD_AES_128_GCM) },
	{ V("8 AEAD_AES_256_GCM inline:" B44 " KDR=0 WSH=128", 8, SDES_AEAD_AES_256_GCM) },
	{ V("999999999 AES_CM_128_HMAC_SHA1_80 inline:" B30, 999999999,
	    SDES_AES_CM_128_HMAC_SHA1_80) },
	{ V("000000012 AES_CM_128_HMAC_SHA1_80 inline:" B30, 12, SDES_AES_CM_128_HMAC_SHA1_80) },
	/* tabs, several blanks, trailing blanks */
	{ V("1\tAES_CM_128_HMAC_SHA1_80  \tinline:" B30 "\t UNENCRYPTED_SRTCP \t", 1,
	    SDES_AES_CM_128_HMAC_SHA1_80), .unenc_srtcp = true },
	/* a "-" extension is optional and ignored */
	{ V("1 AES_CM_128_HMAC_SHA1_80 inline:" B30 " -X_VENDOR=1 UNENCRYPTED_SRTP", 1,
	    SDES_AES_CM_128_HMAC_SHA1_80), .unenc_srtp = true },
	{ V("1 AES_CM_128_HMAC_SHA1_80 inline:" B30 "|2^0|4294967295:4", 1,
	    SDES_AES_CM_128_HMAC_SHA1_80), .lifetime = 1, .mki = 4294967295u, .mki_len = 4 },
	{ V("1 AES_CM_128_HMAC_SHA1_80 inline:" B30 "|2^63|1:128", 1,
	    SDES_AES_CM_128_HMAC_SHA1_80), .lifetime = (uint64_t)1 << 63, .mki = 1, .mki_len = 128 },
	{ V("1 AES_CM_128_HMAC_SHA1_80 inline:" B30 "|18446744073709551614", 1,
	    SDES_AES_CM_128_HMAC_SHA1_80), .lifetime = UINT64_MAX - 1 },
	{ V("1 AES_CM_128_HMAC_SHA1_80 inline:" B30 " WSH=64", 1, SDES_AES_CM_128_HMAC_SHA1_80) },
};

static void test_parse_valid(void)
{
	for (size_t i = 0; i < sizeof(valid) / sizeof(valid[0]); i++) {
		const struct valid_case *v = &valid[i];
		struct sdes_crypto c;
		memset(&c, 0xa5, sizeof(c));
		int r = sdes_parse(v->line, strlen(v->line), &c);
		if (r != 0)
			fprintf(stderr, "\n  case %zu \"%s\": got %d\n", i, v->line, r);
		CU_ASSERT_EQUAL_FATAL(r, 0);
		CU_ASSERT_EQUAL(c.tag, v->tag);
		CU_ASSERT_EQUAL(c.suite, v->suite);
		CU_ASSERT_EQUAL(c.key_len, sdes_suite_key_len(v->suite));
		CU_ASSERT_EQUAL(memcmp(c.key, v->key, c.key_len), 0);
		CU_ASSERT_EQUAL(c.lifetime, v->lifetime);
		CU_ASSERT_EQUAL(c.mki, v->mki);
		CU_ASSERT_EQUAL(c.mki_len, v->mki_len);
		CU_ASSERT_EQUAL(c.unencrypted_srtp, v->unenc_srtp);
		CU_ASSERT_EQUAL(c.unencrypted_srtcp, v->unenc_srtcp);
		CU_ASSERT_EQUAL(c.unauthenticated_srtp, v->unauth_srtp);
	}
}

#define L80 "1 AES_CM_128_HMAC_SHA1_80 "
static const struct {
	const char *line;
	size_t len; /* 0: strlen(line) */
	int err;
} invalid[] = {
	{ "", 0, -EBADMSG },
	{ "1234567890 AES_CM_128_HMAC_SHA1_80 inline:" B30, 0, -EBADMSG }, /* 10-digit tag */
	{ "0 AES_CM_128_HMAC_SHA1_80 inline:" B30, 0, -EBADMSG },          /* tag 0 */
	{ " 1 AES_CM_128_HMAC_SHA1_80 inline:" B30, 0, -EBADMSG },
	{ "1a AES_CM_128_HMAC_SHA1_80 inline:" B30, 0, -EBADMSG },
	{ "-1 AES_CM_128_HMAC_SHA1_80 inline:" B30, 0, -EBADMSG },
	{ "1", 0, -EBADMSG },
	{ "1 AES_CM_128_HMAC_SHA1_80", 0, -EBADMSG },             /* no key params */
	{ "1 AES_CM_128_HMAC_SHA1_80 ", 0, -EBADMSG },
	{ L80 B30, 0, -EBADMSG },                                  /* missing inline: */
	{ L80 "INLINE:" B30, 0, -EBADMSG },
	{ L80 "uri:" B30, 0, -EBADMSG },                           /* not an SRTP method */
	{ L80 "inline:", 0, -EBADMSG },
	{ L80 "inline:WVNfX19zZW1jdGwgKCkgewkyMjA7fQp9CnVubGV!", 0, -EBADMSG }, /* bad base64 */
	{ L80 "inline:" B29, 0, -EBADMSG },                        /* one byte short */
	{ L80 "inline:" B31, 0, -EBADMSG },                        /* one byte long */
	{ L80 "inline:" B46, 0, -EBADMSG },                        /* another suite's key */
	{ "5 AES_256_CM_HMAC_SHA1_80 inline:MDEyMzQ1Njc4OUFCQ0RFRkdISUpLTE1OT1BRUlNUVVZXWFlaYWJjZGVmZ2hpag",
	  0, -EBADMSG },                                           /* padding left off */
	{ "1 F8_128_HMAC_SHA1_80 inline:" B30, 0, -ENOENT },        /* unknown suite */
	{ "1 AES_CM_128_HMAC_SHA1_81 inline:" B30, 0, -ENOENT },
	{ "1 aes_cm_128_hmac_sha1_80 inline:" B30, 0, -ENOENT },
	{ "1 AES-CM-128 inline:" B30, 0, -EBADMSG },                /* not a suite name */
	{ "1 FUTURE_SUITE", 0, -EBADMSG },                          /* unknown suite, no key */
	{ L80 "inline:" B30 " FOO", 0, -ENOTSUP },                 /* unknown mandatory param */
	{ L80 "inline:" B30 " UNENCRYPTED_SRTP BAR=1", 0, -ENOTSUP },
	{ L80 "inline:" B30 " unencrypted_srtp", 0, -ENOTSUP },
	{ L80 "inline:" B30 " KDR=1", 0, -ENOTSUP },
	{ L80 "inline:" B30 " KDR=24", 0, -ENOTSUP },
	{ L80 "inline:" B30 " KDR=25", 0, -EBADMSG },
	{ L80 "inline:" B30 " KDR=", 0, -EBADMSG },
	{ L80 "inline:" B30 " KDR=100", 0, -EBADMSG },
	{ L80 "inline:" B30 " WSH=63", 0, -EBADMSG },
	{ L80 "inline:" B30 " WSH=6", 0, -EBADMSG },
	{ L80 "inline:" B30 " WSH=x64", 0, -EBADMSG },
	{ L80 "inline:" B30 " FEC_ORDER=FEC_SRTP", 0, -ENOTSUP },
	{ L80 "inline:" B30 " FEC_ORDER=SRTP_FEC", 0, -ENOTSUP },
	{ L80 "inline:" B30 " FEC_ORDER=BOGUS", 0, -EBADMSG },
	{ L80 "inline:" B30 " FEC_KEY=inline:" B30 "|2^20|1:4", 0, -ENOTSUP },
	{ L80 "inline:" B30 " -", 0, -EBADMSG },
	{ L80 "inline:" B30 " FOO KDR=99", 0, -EBADMSG },          /* malformed outranks unknown */
	{ L80 "inline:" B30 ";inline:" B30, 0, -ENOTSUP },          /* two keys */
	{ L80 "inline:" B30 "|2^20|1:4;inline:" B30 "|2^20|2:4", 0, -ENOTSUP },
	{ L80 "inline:" B30 "|2^64", 0, -EBADMSG },
	{ L80 "inline:" B30 "|2^", 0, -EBADMSG },
	{ L80 "inline:" B30 "|2^x", 0, -EBADMSG },
	{ L80 "inline:" B30 "|0", 0, -EBADMSG },
	{ L80 "inline:" B30 "|18446744073709551616", 0, -EBADMSG },
	{ L80 "inline:" B30 "|", 0, -EBADMSG },
	{ L80 "inline:" B30 "|2^20|", 0, -EBADMSG },
	{ L80 "inline:" B30 "||1:4", 0, -EBADMSG },
	{ L80 "inline:" B30 "|2^20|2^20", 0, -EBADMSG },
	{ L80 "inline:" B30 "|1:4|2^20", 0, -EBADMSG },            /* MKI before lifetime */
	{ L80 "inline:" B30 "|1:4|2:4", 0, -EBADMSG },
	{ L80 "inline:" B30 "|1:0", 0, -EBADMSG },
	{ L80 "inline:" B30 "|1:129", 0, -EBADMSG },
	{ L80 "inline:" B30 "|1:1000", 0, -EBADMSG },
	{ L80 "inline:" B30 "|256:1", 0, -EBADMSG },               /* value wider than length */
	{ L80 "inline:" B30 "|1:", 0, -EBADMSG },
	{ L80 "inline:" B30 "|:4", 0, -EBADMSG },
	{ L80 "inline:" B30 "|1:4:5", 0, -EBADMSG },
	{ L80 "inline:" B30 "|4294967296:5", 0, -ENOTSUP },        /* legal, wider than we keep */
	{ "a=crypto:1 AES_CM_128_HMAC_SHA1_80 inline:" B30, 0, -EBADMSG },
	{ L80 "inline:" B30 "\r", 0, -EBADMSG },
	{ L80 "inline:" B30 " \x7f", 0, -EBADMSG },
	{ L80 "inline:" B30 "\0 UNENCRYPTED_SRTP", sizeof(L80 "inline:" B30 "\0 UNENCRYPTED_SRTP") - 1,
	  -EBADMSG },
	{ "\x01\x02\x03", 0, -EBADMSG },
	{ "garbage", 0, -EBADMSG },
};

static void test_parse_invalid(void)
{
	for (size_t i = 0; i < sizeof(invalid) / sizeof(invalid[0]); i++) {
		const char *line = invalid[i].line;
		size_t len = invalid[i].len ? invalid[i].len : strlen(line);
		struct sdes_crypto c, before;
		memset(&c, 0x5a, sizeof(c));
		before = c;
		int r = sdes_parse(line, len, &c);
		if (r != invalid[i].err)
			fprintf(stderr, "\n  case %zu \"%s\": got %d want %d\n", i, line, r,
				invalid[i].err);
		CU_ASSERT_EQUAL(r, invalid[i].err);
		CU_ASSERT_EQUAL(memcmp(&c, &before, sizeof(c)), 0); /* untouched on failure */
	}
}

/* A key one byte short and one byte long, for every suite. */
static void test_key_length_per_suite(void)
{
	for (size_t i = 0; i < N_SUITES; i++) {
		size_t kl = suite_table[i].key_len;
		for (int delta = -1; delta <= 1; delta++) {
			char line[160], b64[80];
			int n = base64_encode(b64, sizeof(b64), (const uint8_t *)KEY, kl + (size_t)delta);
			CU_ASSERT_FATAL(n > 0);
			int len = snprintf(line, sizeof(line), "1 %s inline:%.*s", suite_table[i].name,
					   n, b64);
			struct sdes_crypto c;
			int r = sdes_parse(line, (size_t)len, &c);
			CU_ASSERT_EQUAL(r, delta == 0 ? 0 : -EBADMSG);
		}
	}
}

static void test_format_exact(void)
{
	struct sdes_crypto c = { .tag = 1, .suite = SDES_AES_CM_128_HMAC_SHA1_80, .key_len = 30,
				 .lifetime = 1u << 20, .mki = 1, .mki_len = 4 };
	memcpy(c.key, RFC_KEY, 30);
	static const char want[] =
		"a=crypto:1 AES_CM_128_HMAC_SHA1_80 inline:" RFC_B64 "|2^20|1:4\r\n";
	char buf[200];
	int n = sdes_format(buf, sizeof(buf), &c);
	CU_ASSERT_EQUAL_FATAL(n, (int)strlen(want));
	CU_ASSERT_EQUAL(memcmp(buf, want, (size_t)n), 0);

	/* a lifetime that is not a power of two is written in decimal */
	c = (struct sdes_crypto){ .tag = 42, .suite = SDES_AEAD_AES_128_GCM, .key_len = 28,
				  .lifetime = 1000, .unencrypted_srtp = true,
				  .unencrypted_srtcp = true, .unauthenticated_srtp = true };
	memcpy(c.key, KEY, 28);
	static const char want2[] = "a=crypto:42 AEAD_AES_128_GCM inline:" B28
				    "|1000 UNENCRYPTED_SRTP UNENCRYPTED_SRTCP UNAUTHENTICATED_SRTP\r\n";
	n = sdes_format(buf, sizeof(buf), &c);
	CU_ASSERT_EQUAL_FATAL(n, (int)strlen(want2));
	CU_ASSERT_EQUAL(memcmp(buf, want2, (size_t)n), 0);

	/* -ENOSPC for every cap below the need, success at exactly the need */
	for (size_t cap = 0; cap < strlen(want2); cap++)
		CU_ASSERT_EQUAL(sdes_format(buf, cap, &c), -ENOSPC);
	CU_ASSERT_EQUAL(sdes_format(buf, strlen(want2), &c), (int)strlen(want2));
}

static void test_format_invalid(void)
{
	struct sdes_crypto ok = { .tag = 1, .suite = SDES_AES_CM_128_HMAC_SHA1_80, .key_len = 30 };
	struct sdes_crypto bad[] = { ok, ok, ok, ok, ok, ok, ok };
	bad[0].key_len = 29;
	bad[1].key_len = 46;
	bad[2].tag = 0;
	bad[3].tag = 1000000000;
	bad[4].suite = SDES_SUITE_COUNT;
	bad[5].mki = 256, bad[5].mki_len = 1;
	bad[6].mki = 1, bad[6].mki_len = 129;
	char buf[200];
	CU_ASSERT(sdes_format(buf, sizeof(buf), &ok) > 0);
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		CU_ASSERT_EQUAL(sdes_format(buf, sizeof(buf), &bad[i]), -EINVAL);
}

/* format then parse gives back every field, for every suite and option mix. */
static void test_round_trip(void)
{
	static const struct {
		uint64_t lifetime;
		uint32_t mki, mki_len;
		bool f1, f2, f3;
	} opts[] = {
		{ .lifetime = 0 }, { .lifetime = 1u << 31 }, { .lifetime = 1000 },
		{ .mki = 5, .mki_len = 2 },
		{ .lifetime = (uint64_t)1 << 48, .mki = 4294967295u, .mki_len = 4 },
		{ .lifetime = 1, .mki_len = 128, .f1 = true, .f2 = true, .f3 = true },
		{ .f2 = true },
	};
	for (size_t s = 0; s < N_SUITES; s++) {
		for (size_t o = 0; o < sizeof(opts) / sizeof(opts[0]); o++) {
			struct sdes_crypto c = {
				.tag = (uint32_t)(s * 100 + o + 1), .suite = suite_table[s].suite,
				.key_len = suite_table[s].key_len, .lifetime = opts[o].lifetime,
				.mki = opts[o].mki, .mki_len = opts[o].mki_len,
				.unencrypted_srtp = opts[o].f1, .unencrypted_srtcp = opts[o].f2,
				.unauthenticated_srtp = opts[o].f3,
			};
			for (size_t k = 0; k < c.key_len; k++)
				c.key[k] = (uint8_t)(k * 37 + s * 11 + o);
			char buf[256];
			int n = sdes_format(buf, sizeof(buf), &c);
			CU_ASSERT_FATAL(n > 11);
			CU_ASSERT_EQUAL(memcmp(buf, "a=crypto:", 9), 0);
			CU_ASSERT_EQUAL(memcmp(buf + n - 2, "\r\n", 2), 0);
			struct sdes_crypto back;
			memset(&back, 0, sizeof(back));
			CU_ASSERT_EQUAL_FATAL(sdes_parse(buf + 9, (size_t)n - 11, &back), 0);
			CU_ASSERT_EQUAL(back.tag, c.tag);
			CU_ASSERT_EQUAL(back.suite, c.suite);
			CU_ASSERT_EQUAL(back.key_len, c.key_len);
			CU_ASSERT_EQUAL(memcmp(back.key, c.key, c.key_len), 0);
			CU_ASSERT_EQUAL(back.lifetime, c.lifetime);
			CU_ASSERT_EQUAL(back.mki, c.mki);
			CU_ASSERT_EQUAL(back.mki_len, c.mki_len);
			CU_ASSERT_EQUAL(back.unencrypted_srtp, c.unencrypted_srtp);
			CU_ASSERT_EQUAL(back.unencrypted_srtcp, c.unencrypted_srtcp);
			CU_ASSERT_EQUAL(back.unauthenticated_srtp, c.unauthenticated_srtp);
		}
	}
}

/* Every prefix of every table line, placed right before a PROT_NONE page: any
 * read past the end faults. A prefix either parses or fails cleanly. */
static void test_prefixes_guard_page(void)
{
	long pg = sysconf(_SC_PAGESIZE);
	char *mem = mmap(NULL, (size_t)pg * 2, PROT_READ | PROT_WRITE,
			 MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	CU_ASSERT_FATAL(mem != MAP_FAILED);
	CU_ASSERT_FATAL(mprotect(mem + pg, (size_t)pg, PROT_NONE) == 0);
	char *guard = mem + pg;
	size_t n_valid = sizeof(valid) / sizeof(valid[0]);
	size_t n_invalid = sizeof(invalid) / sizeof(invalid[0]);
	for (size_t i = 0; i < n_valid + n_invalid; i++) {
		const char *line = i < n_valid ? valid[i].line : invalid[i - n_valid].line;
		size_t len = strlen(line);
		for (size_t k = 0; k <= len; k++) {
			memcpy(guard - k, line, k);
			struct sdes_crypto c;
			int r = sdes_parse(guard - k, k, &c);
			CU_ASSERT(r == 0 || r == -EBADMSG || r == -ENOENT || r == -ENOTSUP);
		}
	}
	/* base64 against the guard too */
	for (size_t i = 0; i < sizeof(b64_vectors) / sizeof(b64_vectors[0]); i++) {
		size_t len = strlen(b64_vectors[i].out);
		uint8_t out[16];
		memcpy(guard - len, b64_vectors[i].out, len);
		CU_ASSERT_EQUAL(base64_decode(out, sizeof(out), guard - len, len),
				(int)strlen(b64_vectors[i].in));
	}
	munmap(mem, (size_t)pg * 2);
}

static const struct tl_case cases[] = {
	{ "base64 RFC 4648 vectors and -ENOSPC", test_base64_rfc4648 },
	{ "base64 invalid input", test_base64_invalid },
	{ "suite names and key lengths", test_suite_names },
	{ "valid crypto lines", test_parse_valid },
	{ "invalid crypto lines", test_parse_invalid },
	{ "key one byte short/long per suite", test_key_length_per_suite },
	{ "format exact text and -ENOSPC", test_format_exact },
	{ "format rejects inconsistent input", test_format_invalid },
	{ "format/parse round trip per suite", test_round_trip },
	{ "prefixes against a guard page", test_prefixes_guard_page },
};

int main(void)
{
	return tl_run("sdes", TL_CASES(cases));
}
