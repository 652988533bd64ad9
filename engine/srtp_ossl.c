/* libsrtp2 primitives on OpenSSL. Decisions beyond the header:
 *  - AES-ICM keeps one EVP_CIPHER_CTX per cipher object: init loads the AES
 *    key once, set_iv only resets the counter block, so a packet costs no
 *    allocation and no key schedule;
 *  - the counter block is (salt || 00 00) XOR iv and its low 16 bits count
 *    blocks, as in libsrtp. EVP carries past those 16 bits where libsrtp's
 *    engines wrap or refuse, so a request that would cross them is refused
 *    (srtp_err_status_terminus, as libsrtp's own engine does): more than 1 MiB
 *    from one iv, never an SRTP packet;
 *  - HMAC-SHA1 keeps the SHA-1 states after key^ipad and key^opad and copies
 *    them per packet. OpenSSL 3.0 duplicates provider contexts on the heap
 *    (EVP_MD_CTX_copy_ex, HMAC_Init_ex reuse, EVP_MAC_init reuse), so the
 *    plain-struct SHA_CTX API is used, deprecated since 3.0 but complete;
 *  - objects come from calloc and are wiped on dealloc: libsrtp2 hands them
 *    back only to the type that made them. */
#define OPENSSL_SUPPRESS_DEPRECATED /* SHA1_Init/Update/Final: see above */

#include "srtp_ossl.h"
#include "srtp_ossl_gcm.h"
#include "srtp_session.h"

#include <errno.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <openssl/evp.h>
#include <openssl/sha.h>
#include <srtp2/auth.h>
#include <srtp2/cipher.h>
#include <srtp2/crypto_types.h>

#define SALT_LEN 14
#define BLOCK 16

/* ---- AES-ICM ---- */

struct icm {
	EVP_CIPHER_CTX *ctx;
	int key_size;          /* AES key octets: 16, 24 or 32 */
	uint8_t offset[BLOCK]; /* salt || 00 00 */
	size_t room;           /* keystream octets left before the block counter wraps */
};

struct icm_cipher {
	srtp_cipher_t c; /* first: libsrtp2 gives back this pointer */
	struct icm s;
};

static const srtp_cipher_type_t icm_128, icm_192, icm_256;

/* key_len includes the salt, as libsrtp2 counts it (30, 38, 46). Like
 * libsrtp's engines, the length and not the id asked for picks the type. */
static const srtp_cipher_type_t *icm_type(int key_len)
{
	switch (key_len) {
	case 16 + SALT_LEN: return &icm_128;
	case 24 + SALT_LEN: return &icm_192;
	case 32 + SALT_LEN: return &icm_256;
	default: return NULL;
	}
}

static srtp_err_status_t icm_alloc(srtp_cipher_pointer_t *cp, int key_len, int tag_len)
{
	(void)tag_len; /* AEAD only */
	const srtp_cipher_type_t *type = icm_type(key_len);
	if (!type)
		return srtp_err_status_bad_param;
	struct icm_cipher *ic = calloc(1, sizeof(*ic));
	if (!ic)
		return srtp_err_status_alloc_fail;
	ic->s.ctx = EVP_CIPHER_CTX_new();
	if (!ic->s.ctx) {
		free(ic);
		return srtp_err_status_alloc_fail;
	}
	ic->s.key_size = key_len - SALT_LEN;
	ic->c.type = type;
	ic->c.state = &ic->s;
	ic->c.key_len = key_len;
	ic->c.algorithm = type->id;
	*cp = &ic->c;
	return srtp_err_status_ok;
}

static srtp_err_status_t icm_dealloc(srtp_cipher_pointer_t c)
{
	struct icm_cipher *ic = (struct icm_cipher *)c;
	if (!ic)
		return srtp_err_status_bad_param;
	EVP_CIPHER_CTX_free(ic->s.ctx); /* cleanses the key schedule */
	explicit_bzero(ic, sizeof(*ic));
	free(ic);
	return srtp_err_status_ok;
}

/* key: AES key || 14-byte salt. */
static srtp_err_status_t icm_init(void *state, const uint8_t *key)
{
	struct icm *s = state;
	const EVP_CIPHER *evp = s->key_size == 16 ? EVP_aes_128_ctr()
			      : s->key_size == 24 ? EVP_aes_192_ctr()
						  : EVP_aes_256_ctr();
	memcpy(s->offset, key + s->key_size, SALT_LEN);
	s->offset[SALT_LEN] = s->offset[SALT_LEN + 1] = 0;
	s->room = 0; /* no keystream before set_iv */
	if (!EVP_EncryptInit_ex(s->ctx, evp, NULL, key, NULL))
		return srtp_err_status_cipher_fail;
	return srtp_err_status_ok;
}

/* iv: 16 bytes. Counter mode is its own inverse: the direction does not matter. */
static srtp_err_status_t icm_set_iv(void *state, uint8_t *iv, srtp_cipher_direction_t dir)
{
	(void)dir;
	struct icm *s = state;
	uint8_t ctr[BLOCK];
	for (int i = 0; i < BLOCK; i++)
		ctr[i] = s->offset[i] ^ iv[i];
	s->room = (size_t)(0x10000 - ((ctr[BLOCK - 2] << 8) | ctr[BLOCK - 1])) * BLOCK;
	if (!EVP_EncryptInit_ex(s->ctx, NULL, NULL, NULL, ctr))
		return srtp_err_status_cipher_fail;
	return srtp_err_status_ok;
}

/* XORs the next *len keystream octets into buf; the keystream runs on across
 * calls until the next set_iv (libsrtp's KDF and keystream prefix rely on it). */
static srtp_err_status_t icm_encrypt(void *state, uint8_t *buf, unsigned int *len)
{
	struct icm *s = state;
	if (*len > s->room)
		return srtp_err_status_terminus;
	if (*len == 0)
		return srtp_err_status_ok;
	int out = 0;
	if (!EVP_EncryptUpdate(s->ctx, buf, &out, buf, (int)*len) || out != (int)*len)
		return srtp_err_status_cipher_fail;
	s->room -= *len;
	return srtp_err_status_ok;
}

/* Known answers for libsrtp2's self-test, which it runs on every replace:
 * RFC 3711 B.2 (three blocks) and the AES-192/256 keystreams libsrtp itself
 * checks (RFC 6188 keys, same salt). Zero index for all. The iv pointer is not
 * const in libsrtp2's struct; set_iv only reads it. */
static const uint8_t zero[48];

static const uint8_t icm_128_key[] = {
	0x2b, 0x7e, 0x15, 0x16, 0x28, 0xae, 0xd2, 0xa6, 0xab, 0xf7, 0x15, 0x88, 0x09, 0xcf,
	0x4f, 0x3c, 0xf0, 0xf1, 0xf2, 0xf3, 0xf4, 0xf5, 0xf6, 0xf7, 0xf8, 0xf9, 0xfa, 0xfb,
	0xfc, 0xfd,
};
static const uint8_t icm_128_out[48] = {
	0xe0, 0x3e, 0xad, 0x09, 0x35, 0xc9, 0x5e, 0x80, 0xe1, 0x66, 0xb1, 0x6d, 0xd9, 0x2b,
	0x4e, 0xb4, 0xd2, 0x35, 0x13, 0x16, 0x2b, 0x02, 0xd0, 0xf7, 0x2a, 0x43, 0xa2, 0xfe,
	0x4a, 0x5f, 0x97, 0xab, 0x41, 0xe9, 0x5b, 0x3b, 0xb0, 0xa2, 0xe8, 0xdd, 0x47, 0x79,
	0x01, 0xe4, 0xfc, 0xa8, 0x94, 0xc0,
};
static const uint8_t icm_192_key[] = {
	0xea, 0xb2, 0x34, 0x76, 0x4e, 0x51, 0x7b, 0x2d, 0x3d, 0x16, 0x0d, 0x58, 0x7d, 0x8c,
	0x86, 0x21, 0x97, 0x40, 0xf6, 0x5f, 0x99, 0xb6, 0xbc, 0xf7, 0xf0, 0xf1, 0xf2, 0xf3,
	0xf4, 0xf5, 0xf6, 0xf7, 0xf8, 0xf9, 0xfa, 0xfb, 0xfc, 0xfd,
};
static const uint8_t icm_192_out[32] = {
	0x35, 0x09, 0x6c, 0xba, 0x46, 0x10, 0x02, 0x8d, 0xc1, 0xb5, 0x75, 0x03, 0x80, 0x4c,
	0xe3, 0x7c, 0x5d, 0xe9, 0x86, 0x29, 0x1d, 0xcc, 0xe1, 0x61, 0xd5, 0x16, 0x5e, 0xc4,
	0x56, 0x8f, 0x5c, 0x9a,
};
static const uint8_t icm_256_key[] = {
	0x57, 0xf8, 0x2f, 0xe3, 0x61, 0x3f, 0xd1, 0x70, 0xa8, 0x5e, 0xc9, 0x3c, 0x40, 0xb1,
	0xf0, 0x92, 0x2e, 0xc4, 0xcb, 0x0d, 0xc0, 0x25, 0xb5, 0x82, 0x72, 0x14, 0x7c, 0xc4,
	0x38, 0x94, 0x4a, 0x98, 0xf0, 0xf1, 0xf2, 0xf3, 0xf4, 0xf5, 0xf6, 0xf7, 0xf8, 0xf9,
	0xfa, 0xfb, 0xfc, 0xfd,
};
static const uint8_t icm_256_out[32] = {
	0x92, 0xbd, 0xd2, 0x8a, 0x93, 0xc3, 0xf5, 0x25, 0x11, 0xc6, 0x77, 0xd0, 0x8b, 0x55,
	0x15, 0xa4, 0x9d, 0xa7, 0x1b, 0x23, 0x78, 0xa8, 0x54, 0xf6, 0x70, 0x50, 0x75, 0x6d,
	0xed, 0x16, 0x5b, 0xac,
};

#define ICM_CASE(key, out) \
	{ sizeof(key), key, (uint8_t *)zero, sizeof(out), zero, sizeof(out), out, 0, NULL, 0, NULL }

static const srtp_cipher_test_case_t icm_128_test = ICM_CASE(icm_128_key, icm_128_out);
static const srtp_cipher_test_case_t icm_192_test = ICM_CASE(icm_192_key, icm_192_out);
static const srtp_cipher_test_case_t icm_256_test = ICM_CASE(icm_256_key, icm_256_out);

#define ICM_TYPE(desc, test, type_id) \
	{ icm_alloc, icm_dealloc, icm_init, NULL, icm_encrypt, icm_encrypt, icm_set_iv, NULL, \
	  desc, test, type_id }

static const srtp_cipher_type_t icm_128 =
	ICM_TYPE("AES-128 counter mode (OpenSSL EVP)", &icm_128_test, SRTP_AES_ICM_128);
static const srtp_cipher_type_t icm_192 =
	ICM_TYPE("AES-192 counter mode (OpenSSL EVP)", &icm_192_test, SRTP_AES_ICM_192);
static const srtp_cipher_type_t icm_256 =
	ICM_TYPE("AES-256 counter mode (OpenSSL EVP)", &icm_256_test, SRTP_AES_ICM_256);

/* ---- HMAC-SHA1 (RFC 2104) ---- */

struct hmac {
	SHA_CTX inner, outer; /* after key^ipad and key^opad */
	SHA_CTX work;         /* the message being authenticated */
};

struct hmac_auth {
	srtp_auth_t a; /* first: libsrtp2 gives back this pointer */
	struct hmac s;
};

static const srtp_auth_type_t hmac_sha1;

static srtp_err_status_t hmac_alloc(srtp_auth_pointer_t *ap, int key_len, int out_len)
{
	if (key_len < 0 || out_len < 0 || out_len > SHA_DIGEST_LENGTH)
		return srtp_err_status_bad_param;
	struct hmac_auth *ha = calloc(1, sizeof(*ha));
	if (!ha)
		return srtp_err_status_alloc_fail;
	ha->a.type = &hmac_sha1;
	ha->a.state = &ha->s;
	ha->a.out_len = out_len;
	ha->a.key_len = key_len;
	ha->a.prefix_len = 0; /* no keystream prefix: that is for UST-style MACs */
	*ap = &ha->a;
	return srtp_err_status_ok;
}

static srtp_err_status_t hmac_dealloc(srtp_auth_pointer_t a)
{
	struct hmac_auth *ha = (struct hmac_auth *)a;
	if (!ha)
		return srtp_err_status_bad_param;
	explicit_bzero(ha, sizeof(*ha));
	free(ha);
	return srtp_err_status_ok;
}

static bool pad_state(SHA_CTX *ctx, const uint8_t k[SHA_CBLOCK], uint8_t pad)
{
	uint8_t block[SHA_CBLOCK];
	for (int i = 0; i < SHA_CBLOCK; i++)
		block[i] = k[i] ^ pad;
	bool ok = SHA1_Init(ctx) && SHA1_Update(ctx, block, sizeof(block));
	explicit_bzero(block, sizeof(block));
	return ok;
}

/* Leaves the state started, as libsrtp's engines do. */
static srtp_err_status_t hmac_init(void *state, const uint8_t *key, int key_len)
{
	struct hmac *s = state;
	uint8_t k[SHA_CBLOCK] = { 0 };
	if (key_len < 0)
		return srtp_err_status_bad_param;
	if (key_len > SHA_CBLOCK)
		SHA1(key, (size_t)key_len, k); /* RFC 2104: long keys are hashed first */
	else if (key_len > 0)
		memcpy(k, key, (size_t)key_len);
	bool ok = pad_state(&s->inner, k, 0x36) && pad_state(&s->outer, k, 0x5c);
	explicit_bzero(k, sizeof(k));
	if (!ok)
		return srtp_err_status_auth_fail;
	s->work = s->inner;
	return srtp_err_status_ok;
}

static srtp_err_status_t hmac_start(void *state)
{
	struct hmac *s = state;
	s->work = s->inner;
	return srtp_err_status_ok;
}

static srtp_err_status_t hmac_update(void *state, const uint8_t *msg, int len)
{
	struct hmac *s = state;
	if (len < 0)
		return srtp_err_status_bad_param;
	if (!SHA1_Update(&s->work, msg, (size_t)len))
		return srtp_err_status_auth_fail;
	return srtp_err_status_ok;
}

/* Adds msg, then writes the first tag_len octets of the MAC. srtp calls it
 * with the ROC after start and update(packet); the state needs a new start
 * after it. */
static srtp_err_status_t hmac_compute(void *state, const uint8_t *msg, int len, int tag_len,
				      uint8_t *tag)
{
	struct hmac *s = state;
	if (len < 0 || tag_len < 0 || tag_len > SHA_DIGEST_LENGTH)
		return srtp_err_status_bad_param;
	uint8_t h[SHA_DIGEST_LENGTH];
	SHA_CTX outer = s->outer;
	bool ok = SHA1_Update(&s->work, msg, (size_t)len) && SHA1_Final(h, &s->work) &&
		  SHA1_Update(&outer, h, sizeof(h)) && SHA1_Final(h, &outer);
	if (ok)
		memcpy(tag, h, (size_t)tag_len);
	explicit_bzero(h, sizeof(h));
	explicit_bzero(&outer, sizeof(outer));
	return ok ? srtp_err_status_ok : srtp_err_status_auth_fail;
}

/* RFC 2202 test case 1. */
static const uint8_t hmac_key[20] = {
	0x0b, 0x0b, 0x0b, 0x0b, 0x0b, 0x0b, 0x0b, 0x0b, 0x0b, 0x0b,
	0x0b, 0x0b, 0x0b, 0x0b, 0x0b, 0x0b, 0x0b, 0x0b, 0x0b, 0x0b,
};
static const uint8_t hmac_data[] = "Hi There";
static const uint8_t hmac_tag[20] = {
	0xb6, 0x17, 0x31, 0x86, 0x55, 0x05, 0x72, 0x64, 0xe2, 0x8b,
	0xc0, 0xb6, 0xfb, 0x37, 0x8c, 0x8e, 0xf1, 0x46, 0xbe, 0x00,
};
static const srtp_auth_test_case_t hmac_test = {
	sizeof(hmac_key), hmac_key, sizeof(hmac_data) - 1, hmac_data,
	sizeof(hmac_tag), hmac_tag, NULL,
};

static const srtp_auth_type_t hmac_sha1 = {
	hmac_alloc, hmac_dealloc, hmac_init, hmac_compute, hmac_update, hmac_start,
	"HMAC-SHA1 (OpenSSL SHA-1)", &hmac_test, SRTP_HMAC_SHA1,
};

/* ---- registration ---- */

const struct srtp_cipher_type_t *srtp_ossl_cipher_type(int id)
{
	switch (id) {
	case SRTP_AES_ICM_128: return &icm_128;
	case SRTP_AES_ICM_192: return &icm_192;
	case SRTP_AES_ICM_256: return &icm_256;
	case SRTP_AES_GCM_128: return &srtp_ossl_gcm_128;
	case SRTP_AES_GCM_256: return &srtp_ossl_gcm_256;
	default: return NULL;
	}
}

const struct srtp_auth_type_t *srtp_ossl_auth_type(void)
{
	return &hmac_sha1;
}

int srtp_ossl_install(void)
{
	/* replacing before srtp_init would make srtp_init's own loads fail */
	if (srtp_session_global_init())
		return -EPROTO;
	/* libsrtp2 runs our self-test and the replaced type's before accepting */
	const srtp_cipher_type_t *types[] = { &icm_128, &icm_192, &icm_256,
					       &srtp_ossl_gcm_128, &srtp_ossl_gcm_256 };
	for (size_t i = 0; i < sizeof(types) / sizeof(types[0]); i++)
		if (srtp_replace_cipher_type(types[i], types[i]->id) != srtp_err_status_ok)
			return -EPROTO;
	if (srtp_replace_auth_type(&hmac_sha1, SRTP_HMAC_SHA1) != srtp_err_status_ok)
		return -EPROTO;
	return 0;
}
