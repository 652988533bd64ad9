/* srtp_ossl: OpenSSL primitives inside libsrtp2. RFC 3711 B.2 keystream and
 * B.3 key derivation through the registered cipher table, the GCM
 * specification's known answers through the GCM tables, RFC 2202 HMAC-SHA1
 * through the auth table, a B.3-keyed packet against a reference built from
 * OpenSSL one-shot calls, and a differential run in one process: stock
 * libsrtp2 (NSS) protects random RTP and RTCP, then the OpenSSL types must
 * give the same bytes and accept (and reject, tampered) the stock output.
 * Cases run in table order: the stock ones come before the first install. */
#include "tl_test.h"
#include "sdes.h"
#include "srtp_ossl.h"
#include "srtp_session.h"
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <srtp2/auth.h>
#include <srtp2/cipher.h>
#include <srtp2/crypto_types.h>

/* Exported by libsrtp2.so but declared only in its private crypto_kernel.h:
 * which table the kernel hands out for an id. */
const srtp_cipher_type_t *srtp_crypto_kernel_get_cipher_type(srtp_cipher_type_id_t id);
const srtp_auth_type_t *srtp_crypto_kernel_get_auth_type(srtp_auth_type_id_t id);

#define N(a) (sizeof(a) / sizeof((a)[0]))

static size_t unhex(uint8_t *out, size_t cap, const char *hex)
{
	size_t n = 0;
	for (; hex[0] && hex[1] && n < cap; hex += 2) {
		char b[3] = { hex[0], hex[1], 0 };
		out[n++] = (uint8_t)strtoul(b, NULL, 16);
	}
	return n;
}

static const int cipher_ids[] = { SRTP_AES_ICM_128, SRTP_AES_ICM_192, SRTP_AES_ICM_256,
				  SRTP_AES_GCM_128, SRTP_AES_GCM_256 };

static bool installed(void)
{
	for (size_t i = 0; i < sizeof(cipher_ids) / sizeof(cipher_ids[0]); i++)
		if (srtp_crypto_kernel_get_cipher_type((uint32_t)cipher_ids[i]) !=
		    srtp_ossl_cipher_type(cipher_ids[i]))
			return false;
	return srtp_crypto_kernel_get_auth_type(SRTP_HMAC_SHA1) == srtp_ossl_auth_type();
}

/* ---- the cipher table, driven directly ---- */

/* Keystream from init(key), set_iv(iv) and encrypt over zeros in chunks, as
 * libsrtp's KDF and keystream prefix use it. chunks end at 0 or at n. */
static void keystream(int id, const uint8_t *key, int key_len, uint8_t iv[16],
		      const unsigned *chunks, size_t nchunks, uint8_t *out, size_t n)
{
	const srtp_cipher_type_t *t = srtp_ossl_cipher_type(id);
	CU_ASSERT_FATAL(t != NULL);
	srtp_cipher_t *c = NULL;
	CU_ASSERT_FATAL(t->alloc(&c, key_len, 0) == srtp_err_status_ok);
	CU_ASSERT(c->type == t);
	CU_ASSERT(c->key_len == key_len);
	CU_ASSERT(c->algorithm == id);
	CU_ASSERT_FATAL(t->init(c->state, key) == srtp_err_status_ok);
	CU_ASSERT_FATAL(t->set_iv(c->state, iv, srtp_direction_encrypt) == srtp_err_status_ok);
	memset(out, 0, n);
	size_t off = 0;
	for (size_t i = 0; i < nchunks && off < n; i++) {
		unsigned len = chunks[i];
		CU_ASSERT_FATAL(off + len <= n);
		CU_ASSERT(t->encrypt(c->state, out + off, &len) == srtp_err_status_ok);
		CU_ASSERT(len == chunks[i]);
		off += chunks[i];
	}
	CU_ASSERT(off == n);
	CU_ASSERT(t->dealloc(c) == srtp_err_status_ok);
}

/* RFC 3711 B.2: session key and salt, ROC, SEQ and SSRC all zero. */
#define B2_KEY "2B7E151628AED2A6ABF7158809CF4F3C" "F0F1F2F3F4F5F6F7F8F9FAFBFCFD"
#define B2_0000 "E03EAD0935C95E80E166B16DD92B4EB4" "D23513162B02D0F72A43A2FE4A5F97AB" \
		"41E95B3BB0A2E8DD477901E4FCA894C0"
#define B2_FEFF "EC8CDF7398607CB0F2D21675EA9EA1E4" "362B7C3C6773516318A077D7FC5073AE" \
		"6A2CC3787889374FBEB4C81B17BA6C44"

static void test_b2_keystream(void)
{
	static const struct {
		uint16_t first_block; /* low 16 bits of the iv */
		unsigned chunks[5];
		const char *want;     /* 48 octets: three blocks */
	} cases[] = {
		{ 0x0000, { 48 }, B2_0000 },
		{ 0x0000, { 16, 16, 16 }, B2_0000 },
		{ 0x0000, { 1, 15, 17, 15 }, B2_0000 }, /* keystream runs on across calls */
		{ 0x0000, { 5, 0, 43 }, B2_0000 },
		{ 0xFEFF, { 48 }, B2_FEFF },
		{ 0xFEFF, { 31, 17 }, B2_FEFF },
	};
	uint8_t key[30], want[48], got[48];
	CU_ASSERT_FATAL(unhex(key, sizeof(key), B2_KEY) == 30);
	for (size_t i = 0; i < N(cases); i++) {
		uint8_t iv[16] = { 0 };
		iv[14] = (uint8_t)(cases[i].first_block >> 8);
		iv[15] = (uint8_t)cases[i].first_block;
		CU_ASSERT_FATAL(unhex(want, sizeof(want), cases[i].want) == 48);
		keystream(SRTP_AES_ICM_128, key, 30, iv, cases[i].chunks, N(cases[i].chunks), got,
			  sizeof(got));
		CU_ASSERT(memcmp(got, want, 48) == 0);
	}
}

/* The 16-bit block counter must not carry into the packet index. */
static void test_block_counter_limit(void)
{
	static const struct {
		uint16_t first_block;
		unsigned len;
		srtp_err_status_t want;
	} cases[] = {
		{ 0xFFFF, 16, srtp_err_status_ok },
		{ 0xFFFF, 17, srtp_err_status_terminus },
		{ 0x0000, 0x100000, srtp_err_status_ok },
		{ 0x0000, 0x100001, srtp_err_status_terminus },
		{ 0xFF00, 0x1000, srtp_err_status_ok },
		{ 0xFF00, 0x1001, srtp_err_status_terminus },
	};
	uint8_t key[30];
	unhex(key, sizeof(key), B2_KEY);
	uint8_t *buf = calloc(1, 0x100001);
	CU_ASSERT_FATAL(buf != NULL);
	const srtp_cipher_type_t *t = srtp_ossl_cipher_type(SRTP_AES_ICM_128);
	for (size_t i = 0; i < N(cases); i++) {
		srtp_cipher_t *c = NULL;
		CU_ASSERT_FATAL(t->alloc(&c, 30, 0) == srtp_err_status_ok);
		CU_ASSERT_FATAL(t->init(c->state, key) == srtp_err_status_ok);
		uint8_t iv[16] = { 0 };
		iv[14] = (uint8_t)(cases[i].first_block >> 8);
		iv[15] = (uint8_t)cases[i].first_block;
		CU_ASSERT(t->set_iv(c->state, iv, srtp_direction_encrypt) == srtp_err_status_ok);
		unsigned len = cases[i].len;
		CU_ASSERT(t->encrypt(c->state, buf, &len) == cases[i].want);
		t->dealloc(c);
	}
	free(buf);
}

/* RFC 3711 B.3: libsrtp's KDF is set_iv(label in octet 7), encrypt zeros. */
static void test_b3_key_derivation(void)
{
	static const struct {
		uint8_t label;
		const char *want;
	} cases[] = {
		{ 0x00, "C61E7A93744F39EE10734AFE3FF7A087" },           /* cipher key */
		{ 0x02, "30CBBC08863D8C85D49DB34A9AE1" },               /* cipher salt */
		{ 0x01, "CEBE321F6FF7716B6FD4AB49AF256A15"              /* auth key */
			"6D38BAA48F0A0ACF3C34E2359E6CDBCE" },
	};
	uint8_t key[30];
	CU_ASSERT_FATAL(unhex(key, sizeof(key), "E1F97A0D3E018BE0D64FA32C06DE4139"
						"0EC675AD498AFEEBB6960B3AABE6") == 30);
	for (size_t i = 0; i < N(cases); i++) {
		uint8_t want[32], got[32], iv[16] = { 0 };
		size_t n = unhex(want, sizeof(want), cases[i].want);
		iv[7] = cases[i].label;
		unsigned whole[] = { (unsigned)n };
		keystream(SRTP_AES_ICM_128, key, 30, iv, whole, 1, got, n);
		CU_ASSERT(memcmp(got, want, n) == 0);
	}
}

/* The AES-192/256 tables: same known answers libsrtp2 checks, zero index. */
static void test_icm_192_256(void)
{
	static const struct {
		int id, key_len;
		const char *key, *want;
	} cases[] = {
		{ SRTP_AES_ICM_192, 38,
		  "EAB234764E517B2D3D160D587D8C86219740F65F99B6BCF7F0F1F2F3F4F5F6F7F8F9FAFBFCFD",
		  "35096CBA4610028DC1B57503804CE37C5DE986291DCCE161D5165EC4568F5C9A" },
		{ SRTP_AES_ICM_256, 46,
		  "57F82FE3613FD170A85EC93C40B1F0922EC4CB0DC025B58272147CC438944A98"
		  "F0F1F2F3F4F5F6F7F8F9FAFBFCFD",
		  "92BDD28A93C3F52511C677D08B5515A49DA71B2378A854F67050756DED165BAC" },
	};
	for (size_t i = 0; i < N(cases); i++) {
		uint8_t key[46], want[32], got[32], iv[16] = { 0 };
		CU_ASSERT_FATAL(unhex(key, sizeof(key), cases[i].key) == (size_t)cases[i].key_len);
		unhex(want, sizeof(want), cases[i].want);
		unsigned chunks[] = { 7, 25 };
		keystream(cases[i].id, key, cases[i].key_len, iv, chunks, N(chunks), got, 32);
		CU_ASSERT(memcmp(got, want, 32) == 0);
	}
	/* the key length picks the type, as in libsrtp's engines */
	srtp_cipher_t *c = NULL;
	const srtp_cipher_type_t *t = srtp_ossl_cipher_type(SRTP_AES_ICM_128);
	CU_ASSERT_FATAL(t->alloc(&c, 46, 0) == srtp_err_status_ok);
	CU_ASSERT(c->type == srtp_ossl_cipher_type(SRTP_AES_ICM_256));
	t->dealloc(c);
	CU_ASSERT(t->alloc(&c, 31, 0) == srtp_err_status_bad_param);
}

/* ---- the GCM tables, driven directly ---- */

/* The GCM specification's test cases 4 (AES-128) and 16 (AES-256): key,
 * IV cafebabefacedbaddecaf888, 60 octets of plaintext, 20 of AAD. */
#define GCM_PLAIN "d9313225f88406e5a55909c5aff5269a86a7a9531534f7da2e4c303d8a318a72" \
		  "1c3c0c95956809532fcf0e2449a6b525b16aedf5aa0de657ba637b39"
#define GCM_AAD "feedfacedeadbeeffeedfacedeadbeefabaddad2"

static const struct {
	int id, key_len; /* key_len with libsrtp2's 12 salt octets, ignored by init */
	const char *key, *out; /* out: ciphertext || 16-octet tag */
} gcm_cases[] = {
	{ SRTP_AES_GCM_128, 28, "feffe9928665731c6d6a8f9467308308" "000000000000000000000000",
	  "42831ec2217774244b7221b784d0d49ce3aa212f2c02a4e035c17e2329aca12e"
	  "21d514b25466931c7d8f6a5aac84aa051ba30b396a0aac973d58e091"
	  "5bc94fbc3221a5db94fae95ae7121a47" },
	{ SRTP_AES_GCM_256, 44,
	  "feffe9928665731c6d6a8f9467308308feffe9928665731c6d6a8f9467308308"
	  "000000000000000000000000",
	  "522dc1f099567d07f47f37a32a84427d643a8cdcbfe5c0c97598a2bd2555d1aa"
	  "8cb08e48590dbb3da7b08b1056828838c5f61e6393ba7a0abcc9f662"
	  "76fc6ece0f4e1768cddf8853bb2d551b" },
};

static void test_gcm_known_answers(void)
{
	uint8_t plain[60], aad[20], iv[12];
	CU_ASSERT_FATAL(unhex(plain, sizeof(plain), GCM_PLAIN) == 60);
	CU_ASSERT_FATAL(unhex(aad, sizeof(aad), GCM_AAD) == 20);
	CU_ASSERT_FATAL(unhex(iv, sizeof(iv), "cafebabefacedbaddecaf888") == 12);
	for (size_t i = 0; i < N(gcm_cases); i++) {
		const srtp_cipher_type_t *t = srtp_ossl_cipher_type(gcm_cases[i].id);
		uint8_t key[44], want[76], buf[80];
		CU_ASSERT_FATAL(t != NULL);
		CU_ASSERT_FATAL(unhex(key, sizeof(key), gcm_cases[i].key) ==
				(size_t)gcm_cases[i].key_len);
		CU_ASSERT_FATAL(unhex(want, sizeof(want), gcm_cases[i].out) == 76);
		for (int tag_len = 16; tag_len >= 8; tag_len -= 8) {
			srtp_cipher_t *c = NULL;
			CU_ASSERT_FATAL(t->alloc(&c, gcm_cases[i].key_len, tag_len) ==
					srtp_err_status_ok);
			CU_ASSERT(c->type == t && c->algorithm == gcm_cases[i].id);
			CU_ASSERT_FATAL(t->init(c->state, key) == srtp_err_status_ok);

			/* seal: AAD in two pieces, as SRTCP passes it */
			memcpy(buf, plain, 60);
			unsigned len = 60;
			uint32_t tl = 0;
			CU_ASSERT(t->set_iv(c->state, iv, srtp_direction_encrypt) == 0);
			CU_ASSERT(t->set_aad(c->state, aad, 12) == srtp_err_status_ok);
			CU_ASSERT(t->set_aad(c->state, aad + 12, 8) == srtp_err_status_ok);
			CU_ASSERT(t->encrypt(c->state, buf, &len) == srtp_err_status_ok);
			CU_ASSERT(t->get_tag(c->state, buf + len, &tl) == srtp_err_status_ok);
			CU_ASSERT(len == 60 && tl == (uint32_t)tag_len);
			CU_ASSERT(memcmp(buf, want, 60 + (size_t)tag_len) == 0);

			/* open, the same context turned round */
			len = 60 + (unsigned)tag_len;
			CU_ASSERT(t->set_iv(c->state, iv, srtp_direction_decrypt) == 0);
			CU_ASSERT(t->set_aad(c->state, aad, 20) == srtp_err_status_ok);
			CU_ASSERT(t->decrypt(c->state, buf, &len) == srtp_err_status_ok);
			CU_ASSERT(len == 60 && memcmp(buf, plain, 60) == 0);

			/* a flipped bit in ciphertext, tag or AAD fails authentication */
			size_t flips[] = { 0, 59, 60, 60 + (size_t)tag_len - 1, 1000 };
			for (size_t f = 0; f < N(flips); f++) {
				uint8_t a[20];
				memcpy(buf, want, 60 + (size_t)tag_len);
				memcpy(a, aad, 20);
				if (flips[f] < 1000)
					buf[flips[f]] ^= 0x10;
				else
					a[19] ^= 0x01;
				len = 60 + (unsigned)tag_len;
				CU_ASSERT(t->set_iv(c->state, iv, srtp_direction_decrypt) == 0);
				CU_ASSERT(t->set_aad(c->state, a, 20) == srtp_err_status_ok);
				CU_ASSERT(t->decrypt(c->state, buf, &len) == srtp_err_status_auth_fail);
			}
			/* shorter than a tag; then nothing but AAD and a tag */
			len = (unsigned)tag_len - 1;
			CU_ASSERT(t->set_iv(c->state, iv, srtp_direction_decrypt) == 0);
			CU_ASSERT(t->decrypt(c->state, buf, &len) == srtp_err_status_bad_param);
			len = 0;
			CU_ASSERT(t->set_iv(c->state, iv, srtp_direction_encrypt) == 0);
			CU_ASSERT(t->set_aad(c->state, aad, 20) == srtp_err_status_ok);
			CU_ASSERT(t->encrypt(c->state, buf, &len) == srtp_err_status_ok);
			CU_ASSERT(t->get_tag(c->state, buf, &tl) == srtp_err_status_ok);
			len = tl;
			CU_ASSERT(t->set_iv(c->state, iv, srtp_direction_decrypt) == 0);
			CU_ASSERT(t->set_aad(c->state, aad, 20) == srtp_err_status_ok);
			CU_ASSERT(t->decrypt(c->state, buf, &len) == srtp_err_status_ok);
			CU_ASSERT(len == 0);
			CU_ASSERT(t->dealloc(c) == srtp_err_status_ok);
		}
	}
	/* the key length picks the type; tags are 16 or 8 octets */
	const srtp_cipher_type_t *t = srtp_ossl_cipher_type(SRTP_AES_GCM_128);
	srtp_cipher_t *c = NULL;
	CU_ASSERT_FATAL(t->alloc(&c, 44, 16) == srtp_err_status_ok);
	CU_ASSERT(c->type == srtp_ossl_cipher_type(SRTP_AES_GCM_256));
	t->dealloc(c);
	CU_ASSERT(t->alloc(&c, 30, 16) == srtp_err_status_bad_param);
	CU_ASSERT(t->alloc(&c, 28, 12) == srtp_err_status_bad_param);
}

/* ---- the auth table: RFC 2202 HMAC-SHA1 ---- */

static void test_hmac_rfc2202(void)
{
	static const struct {
		const char *key_hex; /* NULL: key_fill repeated key_rep times */
		uint8_t key_fill;
		int key_rep;
		const char *text;    /* NULL: data_fill repeated data_rep times */
		uint8_t data_fill;
		int data_rep;
		const char *tag;
	} cases[] = {
		{ NULL, 0x0b, 20, "Hi There", 0, 0, "b617318655057264e28bc0b6fb378c8ef146be00" },
		{ "4a656665", 0, 0, "what do ya want for nothing?", 0, 0,
		  "effcdf6ae5eb2fa2d27416d5f184df9c259a7c79" },
		{ NULL, 0xaa, 20, NULL, 0xdd, 50, "125d7342b9ac11cd91a39af48aa17b4f63f175d3" },
		{ "0102030405060708090a0b0c0d0e0f10111213141516171819", 0, 0, NULL, 0xcd, 50,
		  "4c9007f4026250c6bc8414f9bf50c86c2d7235da" },
		{ NULL, 0xaa, 80, "Test Using Larger Than Block-Size Key - Hash Key First", 0, 0,
		  "aa4ae5e15272d00e95705637ce8a3b55ed402112" },
		{ NULL, 0xaa, 80,
		  "Test Using Larger Than Block-Size Key and Larger Than One Block-Size Data", 0, 0,
		  "e8e99d0f45237d786d6bbaa7965c7808bbff1a91" },
	};
	const srtp_auth_type_t *t = srtp_ossl_auth_type();
	for (size_t i = 0; i < N(cases); i++) {
		uint8_t key[80], data[80], want[20];
		int key_len = cases[i].key_rep, n = cases[i].data_rep;
		if (cases[i].key_hex)
			key_len = (int)unhex(key, sizeof(key), cases[i].key_hex);
		else
			memset(key, cases[i].key_fill, (size_t)key_len);
		if (cases[i].text) {
			n = (int)strlen(cases[i].text);
			memcpy(data, cases[i].text, (size_t)n);
		} else {
			memset(data, cases[i].data_fill, (size_t)n);
		}
		unhex(want, sizeof(want), cases[i].tag);

		srtp_auth_t *a = NULL;
		CU_ASSERT_FATAL(t->alloc(&a, key_len, 10) == srtp_err_status_ok);
		CU_ASSERT(a->type == t && a->out_len == 10 && a->prefix_len == 0);
		CU_ASSERT_FATAL(t->init(a->state, key, key_len) == srtp_err_status_ok);
		/* straight after init, as libsrtp2's self-test may */
		uint8_t got[20];
		CU_ASSERT(t->compute(a->state, data, n, 20, got) == srtp_err_status_ok);
		CU_ASSERT(memcmp(got, want, 20) == 0);
		/* start, update in two pieces, compute the rest: srtp's order */
		int splits[][2] = { { 0, 0 }, { 0, n }, { 1, n / 2 }, { n / 3, n - 1 }, { n, n } };
		for (size_t k = 0; k < N(splits); k++) {
			int s1 = splits[k][0], s2 = splits[k][1];
			memset(got, 0, sizeof(got));
			CU_ASSERT(t->start(a->state) == srtp_err_status_ok);
			CU_ASSERT(t->update(a->state, data, s1) == srtp_err_status_ok);
			CU_ASSERT(t->update(a->state, data + s1, s2 - s1) == srtp_err_status_ok);
			CU_ASSERT(t->compute(a->state, data + s2, n - s2, 10, got) == srtp_err_status_ok);
			CU_ASSERT(memcmp(got, want, 10) == 0);
			CU_ASSERT(got[10] == 0); /* writes tag_len octets only */
		}
		CU_ASSERT(t->compute(a->state, data, n, 21, got) == srtp_err_status_bad_param);
		CU_ASSERT(t->dealloc(a) == srtp_err_status_ok);
	}
	srtp_auth_t *a = NULL;
	CU_ASSERT(t->alloc(&a, 20, 21) == srtp_err_status_bad_param);
}

/* ---- through libsrtp2 sessions ---- */

/* An AES_CM_128_HMAC_SHA1_80 packet under the RFC 3711 B.3 master key,
 * against one built from the RFC's session keys with OpenSSL one-shot calls. */
static void check_b3_packet(void)
{
	struct sdes_crypto c;
	memset(&c, 0, sizeof(c));
	c.tag = 1;
	c.suite = SDES_AES_CM_128_HMAC_SHA1_80;
	c.key_len = unhex(c.key, sizeof(c.key), "E1F97A0D3E018BE0D64FA32C06DE4139"
						"0EC675AD498AFEEBB6960B3AABE6");
	uint8_t k_e[16], k_s[14], k_a[20];
	unhex(k_e, sizeof(k_e), "C61E7A93744F39EE10734AFE3FF7A087");
	unhex(k_s, sizeof(k_s), "30CBBC08863D8C85D49DB34A9AE1");
	unhex(k_a, sizeof(k_a), "CEBE321F6FF7716B6FD4AB49AF256A156D38BAA4");

	static const struct { uint16_t seq; size_t payload; } cases[] = {
		{ 0x1234, 160 }, { 0x1235, 0 }, { 0x1236, 1 }, { 0x1240, 1000 },
	};
	struct srtp_session s;
	CU_ASSERT_FATAL(srtp_session_init(&s, &c, true) == 0);
	for (size_t i = 0; i < N(cases); i++) {
		uint8_t pkt[1100], want[1100];
		size_t n = 12 + cases[i].payload;
		uint8_t hdr[12] = { 0x80, 0x00, (uint8_t)(cases[i].seq >> 8), (uint8_t)cases[i].seq,
				    0xde, 0xca, 0xfb, 0xad, 0xca, 0xfe, 0xba, 0xbe };
		memcpy(pkt, hdr, 12);
		for (size_t k = 12; k < n; k++)
			pkt[k] = (uint8_t)(k * 7 + i);
		memcpy(want, pkt, n);
		CU_ASSERT_FATAL(srtp_session_protect(&s, pkt, &n, sizeof(pkt)) == 0);

		/* IV = salt<<16 ^ SSRC<<64 ^ index<<16, ROC 0 */
		uint8_t iv[16] = { 0 };
		memcpy(iv, k_s, 14);
		for (int k = 0; k < 4; k++)
			iv[4 + k] ^= hdr[8 + k];
		iv[12] ^= hdr[2];
		iv[13] ^= hdr[3];
		EVP_CIPHER_CTX *ctx = EVP_CIPHER_CTX_new();
		int out = 0;
		CU_ASSERT_FATAL(EVP_EncryptInit_ex(ctx, EVP_aes_128_ctr(), NULL, k_e, iv));
		if (cases[i].payload)
			CU_ASSERT(EVP_EncryptUpdate(ctx, want + 12, &out, want + 12,
						    (int)cases[i].payload));
		EVP_CIPHER_CTX_free(ctx);
		size_t m = 12 + cases[i].payload;
		memset(want + m, 0, 4); /* ROC, authenticated but not sent */
		uint8_t tag[20];
		unsigned tag_len = 0;
		CU_ASSERT_FATAL(HMAC(EVP_sha1(), k_a, 20, want, m + 4, tag, &tag_len) != NULL);
		memcpy(want + m, tag, 10);

		CU_ASSERT(n == m + 10);
		CU_ASSERT(memcmp(pkt, want, m + 10) == 0);
	}
	srtp_session_free(&s);
}

static void test_b3_packet_stock(void)
{
	CU_ASSERT_FATAL(srtp_session_global_init() == 0);
	CU_ASSERT_FATAL(!installed()); /* this case must run before any install */
	check_b3_packet();
}

/* Differential: the same random packets through stock and replaced types. */
static const struct {
	enum sdes_suite suite;
	bool aead;
} diff_suites[] = {
	{ SDES_AES_CM_128_HMAC_SHA1_80, false },
	{ SDES_AES_CM_128_HMAC_SHA1_32, false },
	{ SDES_AES_192_CM_HMAC_SHA1_80, false },
	{ SDES_AES_256_CM_HMAC_SHA1_80, false },
	{ SDES_AEAD_AES_128_GCM, true }, /* its KDF runs on AES-ICM */
	{ SDES_AEAD_AES_256_GCM, true },
};

#define PACKETS 400 /* every fourth one RTCP */
#define MAX_PKT 1200

struct packet {
	bool rtcp;
	size_t len;
	uint8_t b[MAX_PKT + SRTP_MAX_OVERHEAD];
};

static uint64_t splitmix(uint64_t *x)
{
	uint64_t z = (*x += 0x9e3779b97f4a7c15u);
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9u;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebu;
	return z ^ (z >> 31);
}

/* Packet i of suite si, the same every time: random length 12..1200 and
 * payload; RTP sequence numbers start at 65400 so they wrap (ROC 0 -> 1). */
static void make_packet(size_t si, size_t i, struct packet *p)
{
	uint64_t x = si * 100000 + i;
	uint32_t ssrc = 0x5eed0000u + (uint32_t)si;
	p->rtcp = i % 4 == 3;
	p->len = 12 + splitmix(&x) % (MAX_PKT - 12 + 1);
	for (size_t k = 0; k < p->len; k++)
		p->b[k] = (uint8_t)splitmix(&x);
	p->b[0] = 0x80; /* V=2, no padding, extension or CSRCs */
	if (p->rtcp) {
		p->b[1] = 200; /* SR */
	} else {
		uint16_t seq = (uint16_t)(65400 + (i - i / 4));
		p->b[1] &= 0x80; /* random marker, PCMU */
		p->b[2] = (uint8_t)(seq >> 8);
		p->b[3] = (uint8_t)seq;
	}
	size_t at = p->rtcp ? 4 : 8;
	for (int k = 0; k < 4; k++)
		p->b[at + k] = (uint8_t)(ssrc >> (24 - 8 * k));
}

static struct sdes_crypto diff_key(size_t si)
{
	struct sdes_crypto c;
	memset(&c, 0, sizeof(c));
	c.tag = 1;
	c.suite = diff_suites[si].suite;
	c.key_len = sdes_suite_key_len(c.suite);
	for (size_t k = 0; k < c.key_len; k++)
		c.key[k] = (uint8_t)(0x31 * (si + 1) + 13 * k);
	return c;
}

static void protect_all(size_t si, struct packet *out)
{
	struct sdes_crypto c = diff_key(si);
	struct srtp_session s;
	CU_ASSERT_FATAL(srtp_session_init(&s, &c, true) == 0);
	for (size_t i = 0; i < PACKETS; i++) {
		struct packet *p = &out[i];
		make_packet(si, i, p);
		int r = p->rtcp ? srtp_session_protect_rtcp(&s, p->b, &p->len, sizeof(p->b))
				: srtp_session_protect(&s, p->b, &p->len, sizeof(p->b));
		CU_ASSERT(r == 0);
	}
	srtp_session_free(&s);
}

/* A bit of the payload or tag, never the header or the SRTCP index (those
 * would make it a replay or a different stream rather than a forgery). */
static size_t flip_at(const struct packet *p, bool aead, uint64_t r)
{
	if (!p->rtcp)
		return 12 + r % (p->len - 12);
	size_t pos = 8 + r % (p->len - 12); /* [8, len - 4) */
	if (!aead && pos >= p->len - 14)
		pos += 4; /* AES-CM: E||index sits before the 10-byte tag */
	return pos;
}

static void test_differential(void)
{
	size_t ns = N(diff_suites);
	struct packet *stock = calloc(ns * PACKETS, sizeof(*stock));
	CU_ASSERT_FATAL(stock != NULL);
	CU_ASSERT_FATAL(srtp_session_global_init() == 0);
	CU_ASSERT_FATAL(!installed()); /* the stock run needs the stock types */
	for (size_t si = 0; si < ns; si++)
		protect_all(si, stock + si * PACKETS);

	CU_ASSERT_FATAL(srtp_ossl_install() == 0);
	CU_ASSERT_FATAL(installed());

	struct packet mine[PACKETS];
	for (size_t si = 0; si < ns; si++) {
		const struct packet *st = stock + si * PACKETS;
		protect_all(si, mine);
		size_t same = 0, opened = 0, rejected = 0;
		for (size_t i = 0; i < PACKETS; i++)
			same += mine[i].len == st[i].len && memcmp(mine[i].b, st[i].b, st[i].len) == 0;
		CU_ASSERT(same == PACKETS);

		struct sdes_crypto c = diff_key(si);
		struct srtp_session in;
		CU_ASSERT_FATAL(srtp_session_init(&in, &c, false) == 0);
		uint64_t x = 0xf11b + si;
		for (size_t i = 0; i < PACKETS; i++) {
			struct packet plain, p = st[i];
			make_packet(si, i, &plain);
			/* the forgery first: a failed one must not touch the replay window */
			size_t pos = flip_at(&p, diff_suites[si].aead, splitmix(&x));
			p.b[pos] ^= (uint8_t)(1u << (splitmix(&x) % 8));
			size_t len = p.len;
			enum srtp_verdict v = p.rtcp ? srtp_session_unprotect_rtcp(&in, p.b, &len)
						     : srtp_session_unprotect(&in, p.b, &len);
			rejected += v == SRTP_AUTH_FAIL;
			p = st[i];
			v = p.rtcp ? srtp_session_unprotect_rtcp(&in, p.b, &p.len)
				   : srtp_session_unprotect(&in, p.b, &p.len);
			opened += v == SRTP_OK && p.len == plain.len &&
				  memcmp(p.b, plain.b, plain.len) == 0;
		}
		CU_ASSERT(opened == PACKETS);
		CU_ASSERT(rejected == PACKETS);
		srtp_session_free(&in);
		if (same != PACKETS || opened != PACKETS || rejected != PACKETS)
			fprintf(stderr, "\n  %s: %zu identical, %zu opened, %zu rejected of %d\n",
				sdes_suite_name(diff_suites[si].suite), same, opened, rejected,
				PACKETS);
	}
	free(stock);
}

static void test_b3_packet_openssl(void)
{
	CU_ASSERT_FATAL(srtp_ossl_install() == 0);
	CU_ASSERT_FATAL(installed());
	check_b3_packet();
}

static void test_install_twice(void)
{
	CU_ASSERT(srtp_ossl_install() == 0);
	CU_ASSERT(srtp_ossl_install() == 0);
	CU_ASSERT(installed());
	CU_ASSERT(srtp_ossl_cipher_type(SRTP_NULL_CIPHER) == NULL);
	/* still a working pair of sessions */
	struct sdes_crypto c = diff_key(0);
	struct srtp_session out, in;
	CU_ASSERT_FATAL(srtp_session_init(&out, &c, true) == 0);
	CU_ASSERT_FATAL(srtp_session_init(&in, &c, false) == 0);
	struct packet p, plain;
	make_packet(0, 0, &p);
	plain = p;
	CU_ASSERT(srtp_session_protect(&out, p.b, &p.len, sizeof(p.b)) == 0);
	CU_ASSERT(p.len == plain.len + 10);
	CU_ASSERT(srtp_session_unprotect(&in, p.b, &p.len) == SRTP_OK);
	CU_ASSERT(p.len == plain.len && memcmp(p.b, plain.b, p.len) == 0);
	srtp_session_free(&out);
	srtp_session_free(&in);
}

int main(void)
{
	static const struct tl_case cases[] = {
		{ "RFC 3711 B.2 keystream via the ICM-128 table", test_b2_keystream },
		{ "16-bit block counter never carries", test_block_counter_limit },
		{ "RFC 3711 B.3 key derivation via the ICM-128 table", test_b3_key_derivation },
		{ "AES-192/256 tables", test_icm_192_256 },
		{ "GCM spec test cases 4 and 16 via the GCM tables", test_gcm_known_answers },
		{ "RFC 2202 HMAC-SHA1 via the auth table", test_hmac_rfc2202 },
		{ "stock libsrtp2 matches the B.3 reference packet", test_b3_packet_stock },
		{ "stock vs OpenSSL types: identical, interoperable", test_differential },
		{ "OpenSSL types match the B.3 reference packet", test_b3_packet_openssl },
		{ "install twice", test_install_twice },
	};
	return tl_run("srtp_ossl", TL_CASES(cases));
}
