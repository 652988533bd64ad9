/* AES-GCM for libsrtp2 on OpenSSL EVP (RFC 7714). Decisions beyond the header:
 *  - one EVP_CIPHER_CTX per cipher object, keyed once in init; set_iv only
 *    loads the 12-byte IV and the direction, so a packet costs no allocation
 *    and no key schedule (Debian's stock type goes through NSS, which sets up
 *    a context per packet);
 *  - libsrtp2 forms the IV itself (salt XOR SSRC/ROC/SEQ): init sees the key
 *    without the salt, as in libsrtp's own engines;
 *  - set_aad may be called more than once per packet (SRTCP passes the header,
 *    then the E||index word), and encrypt with zero octets when SRTCP is not
 *    encrypted: both are plain EVP updates;
 *  - decrypt gets the ciphertext with the tag at its end and drops the tag;
 *    a wrong tag is srtp_err_status_auth_fail. */
#include "srtp_ossl_gcm.h"

#include <stdlib.h>
#include <string.h>
#include <openssl/evp.h>
#include <srtp2/cipher.h>
#include <srtp2/crypto_types.h>

#define GCM_SALT_LEN 12
#define GCM_IV_LEN 12
#define GCM_TAG_MAX 16

struct gcm {
	EVP_CIPHER_CTX *ctx;
	int key_size; /* 16 or 32 */
	int tag_len;  /* 16, or 8 for libsrtp2's short-tag self-test */
	int enc;      /* direction of the last set_iv: 1 encrypt, 0 decrypt, -1 none */
};

struct gcm_cipher {
	srtp_cipher_t c; /* first: libsrtp2 gives back this pointer */
	struct gcm s;
};

static srtp_err_status_t gcm_alloc(srtp_cipher_pointer_t *cp, int key_len, int tag_len)
{
	const srtp_cipher_type_t *type = key_len == 16 + GCM_SALT_LEN ? &srtp_ossl_gcm_128
				       : key_len == 32 + GCM_SALT_LEN ? &srtp_ossl_gcm_256
								      : NULL;
	if (!type || (tag_len != 16 && tag_len != 8))
		return srtp_err_status_bad_param;
	struct gcm_cipher *gc = calloc(1, sizeof(*gc));
	if (!gc)
		return srtp_err_status_alloc_fail;
	gc->s.ctx = EVP_CIPHER_CTX_new();
	if (!gc->s.ctx) {
		free(gc);
		return srtp_err_status_alloc_fail;
	}
	gc->s.key_size = key_len - GCM_SALT_LEN;
	gc->s.tag_len = tag_len;
	gc->s.enc = -1;
	gc->c.type = type;
	gc->c.state = &gc->s;
	gc->c.key_len = key_len;
	gc->c.algorithm = type->id;
	*cp = &gc->c;
	return srtp_err_status_ok;
}

static srtp_err_status_t gcm_dealloc(srtp_cipher_pointer_t c)
{
	struct gcm_cipher *gc = (struct gcm_cipher *)c;
	if (!gc)
		return srtp_err_status_bad_param;
	EVP_CIPHER_CTX_free(gc->s.ctx); /* cleanses the key schedule */
	explicit_bzero(gc, sizeof(*gc));
	free(gc);
	return srtp_err_status_ok;
}

static srtp_err_status_t gcm_init(void *state, const uint8_t *key)
{
	struct gcm *s = state;
	const EVP_CIPHER *evp = s->key_size == 16 ? EVP_aes_128_gcm() : EVP_aes_256_gcm();
	s->enc = -1;
	if (!EVP_CipherInit_ex(s->ctx, evp, NULL, key, NULL, 1))
		return srtp_err_status_init_fail;
	return srtp_err_status_ok;
}

/* iv: 12 octets. The default GCM IV length is 12, so no SET_IVLEN per packet. */
static srtp_err_status_t gcm_set_iv(void *state, uint8_t *iv, srtp_cipher_direction_t dir)
{
	struct gcm *s = state;
	if (dir != srtp_direction_encrypt && dir != srtp_direction_decrypt)
		return srtp_err_status_bad_param;
	s->enc = dir == srtp_direction_encrypt;
	if (!EVP_CipherInit_ex(s->ctx, NULL, NULL, NULL, iv, s->enc))
		return srtp_err_status_init_fail;
	return srtp_err_status_ok;
}

static srtp_err_status_t gcm_set_aad(void *state, const uint8_t *aad, uint32_t aad_len)
{
	struct gcm *s = state;
	int out = 0;
	if (s->enc < 0 || aad_len > INT32_MAX)
		return srtp_err_status_bad_param;
	if (aad_len && !EVP_CipherUpdate(s->ctx, NULL, &out, aad, (int)aad_len))
		return srtp_err_status_algo_fail;
	return srtp_err_status_ok;
}

static srtp_err_status_t gcm_encrypt(void *state, uint8_t *buf, unsigned int *len)
{
	struct gcm *s = state;
	int out = 0;
	if (s->enc != 1 || *len > INT32_MAX)
		return srtp_err_status_bad_param;
	if (*len && (!EVP_CipherUpdate(s->ctx, buf, &out, buf, (int)*len) || out != (int)*len))
		return srtp_err_status_cipher_fail;
	return srtp_err_status_ok;
}

/* After encrypt: writes the tag at buf and its length to *len. */
static srtp_err_status_t gcm_get_tag(void *state, uint8_t *buf, uint32_t *len)
{
	struct gcm *s = state;
	uint8_t none[GCM_TAG_MAX];
	int out = 0;
	if (s->enc != 1)
		return srtp_err_status_bad_param;
	if (!EVP_CipherFinal_ex(s->ctx, none, &out) ||
	    !EVP_CIPHER_CTX_ctrl(s->ctx, EVP_CTRL_GCM_GET_TAG, s->tag_len, buf))
		return srtp_err_status_cipher_fail;
	*len = (uint32_t)s->tag_len;
	return srtp_err_status_ok;
}

/* buf holds ciphertext || tag; on success *len loses the tag. */
static srtp_err_status_t gcm_decrypt(void *state, uint8_t *buf, unsigned int *len)
{
	struct gcm *s = state;
	uint8_t none[GCM_TAG_MAX];
	int out = 0;
	if (s->enc != 0 || *len < (unsigned)s->tag_len || *len > INT32_MAX)
		return srtp_err_status_bad_param;
	int n = (int)*len - s->tag_len;
	if (!EVP_CIPHER_CTX_ctrl(s->ctx, EVP_CTRL_GCM_SET_TAG, s->tag_len, buf + n))
		return srtp_err_status_cipher_fail;
	if (n && (!EVP_CipherUpdate(s->ctx, buf, &out, buf, n) || out != n))
		return srtp_err_status_cipher_fail;
	if (EVP_CipherFinal_ex(s->ctx, none, &out) <= 0)
		return srtp_err_status_auth_fail;
	*len = (unsigned)n;
	return srtp_err_status_ok;
}

/* Known answers for libsrtp2's self-test, which it runs on every replace: the
 * GCM specification's test cases 4 (AES-128) and 16 (AES-256), 60 octets of
 * plaintext and 20 of AAD, with a salt appended to the key because libsrtp2
 * counts it in the key length (init ignores it). The iv pointer is not const
 * in libsrtp2's struct; set_iv only reads it. */
static uint8_t gcm_iv[GCM_IV_LEN] = {
	0xca, 0xfe, 0xba, 0xbe, 0xfa, 0xce, 0xdb, 0xad, 0xde, 0xca, 0xf8, 0x88,
};
static const uint8_t gcm_plain[60] = {
	0xd9, 0x31, 0x32, 0x25, 0xf8, 0x84, 0x06, 0xe5, 0xa5, 0x59, 0x09, 0xc5, 0xaf, 0xf5, 0x26,
	0x9a, 0x86, 0xa7, 0xa9, 0x53, 0x15, 0x34, 0xf7, 0xda, 0x2e, 0x4c, 0x30, 0x3d, 0x8a, 0x31,
	0x8a, 0x72, 0x1c, 0x3c, 0x0c, 0x95, 0x95, 0x68, 0x09, 0x53, 0x2f, 0xcf, 0x0e, 0x24, 0x49,
	0xa6, 0xb5, 0x25, 0xb1, 0x6a, 0xed, 0xf5, 0xaa, 0x0d, 0xe6, 0x57, 0xba, 0x63, 0x7b, 0x39,
};
static const uint8_t gcm_aad[20] = {
	0xfe, 0xed, 0xfa, 0xce, 0xde, 0xad, 0xbe, 0xef, 0xfe, 0xed,
	0xfa, 0xce, 0xde, 0xad, 0xbe, 0xef, 0xab, 0xad, 0xda, 0xd2,
};
static const uint8_t gcm_128_key[16 + GCM_SALT_LEN] = {
	0xfe, 0xff, 0xe9, 0x92, 0x86, 0x65, 0x73, 0x1c, 0x6d, 0x6a, 0x8f, 0x94, 0x67, 0x30,
	0x83, 0x08, 0x51, 0x52, 0x53, 0x54, 0x55, 0x56, 0x57, 0x58, 0x59, 0x5a, 0x5b, 0x5c,
};
static const uint8_t gcm_128_out[60 + 16] = {
	0x42, 0x83, 0x1e, 0xc2, 0x21, 0x77, 0x74, 0x24, 0x4b, 0x72, 0x21, 0xb7, 0x84, 0xd0, 0xd4,
	0x9c, 0xe3, 0xaa, 0x21, 0x2f, 0x2c, 0x02, 0xa4, 0xe0, 0x35, 0xc1, 0x7e, 0x23, 0x29, 0xac,
	0xa1, 0x2e, 0x21, 0xd5, 0x14, 0xb2, 0x54, 0x66, 0x93, 0x1c, 0x7d, 0x8f, 0x6a, 0x5a, 0xac,
	0x84, 0xaa, 0x05, 0x1b, 0xa3, 0x0b, 0x39, 0x6a, 0x0a, 0xac, 0x97, 0x3d, 0x58, 0xe0, 0x91,
	0x5b, 0xc9, 0x4f, 0xbc, 0x32, 0x21, 0xa5, 0xdb, 0x94, 0xfa, 0xe9, 0x5a, 0xe7, 0x12, 0x1a,
	0x47,
};
static const uint8_t gcm_256_key[32 + GCM_SALT_LEN] = {
	0xfe, 0xff, 0xe9, 0x92, 0x86, 0x65, 0x73, 0x1c, 0x6d, 0x6a, 0x8f, 0x94, 0x67, 0x30, 0x83,
	0x08, 0xfe, 0xff, 0xe9, 0x92, 0x86, 0x65, 0x73, 0x1c, 0x6d, 0x6a, 0x8f, 0x94, 0x67, 0x30,
	0x83, 0x08, 0x51, 0x52, 0x53, 0x54, 0x55, 0x56, 0x57, 0x58, 0x59, 0x5a, 0x5b, 0x5c,
};
static const uint8_t gcm_256_out[60 + 16] = {
	0x52, 0x2d, 0xc1, 0xf0, 0x99, 0x56, 0x7d, 0x07, 0xf4, 0x7f, 0x37, 0xa3, 0x2a, 0x84, 0x42,
	0x7d, 0x64, 0x3a, 0x8c, 0xdc, 0xbf, 0xe5, 0xc0, 0xc9, 0x75, 0x98, 0xa2, 0xbd, 0x25, 0x55,
	0xd1, 0xaa, 0x8c, 0xb0, 0x8e, 0x48, 0x59, 0x0d, 0xbb, 0x3d, 0xa7, 0xb0, 0x8b, 0x10, 0x56,
	0x82, 0x88, 0x38, 0xc5, 0xf6, 0x1e, 0x63, 0x93, 0xba, 0x7a, 0x0a, 0xbc, 0xc9, 0xf6, 0x62,
	0x76, 0xfc, 0x6e, 0xce, 0x0f, 0x4e, 0x17, 0x68, 0xcd, 0xdf, 0x88, 0x53, 0xbb, 0x2d, 0x55,
	0x1b,
};

#define GCM_CASE(key, out, tag_len, next) \
	{ sizeof(key), key, gcm_iv, sizeof(gcm_plain), gcm_plain, sizeof(gcm_plain) + (tag_len), \
	  out, sizeof(gcm_aad), gcm_aad, tag_len, next }

/* the 8-octet tag is the 16-octet one cut short */
static const srtp_cipher_test_case_t gcm_128_test_8 = GCM_CASE(gcm_128_key, gcm_128_out, 8, NULL);
static const srtp_cipher_test_case_t gcm_128_test =
	GCM_CASE(gcm_128_key, gcm_128_out, 16, &gcm_128_test_8);
static const srtp_cipher_test_case_t gcm_256_test_8 = GCM_CASE(gcm_256_key, gcm_256_out, 8, NULL);
static const srtp_cipher_test_case_t gcm_256_test =
	GCM_CASE(gcm_256_key, gcm_256_out, 16, &gcm_256_test_8);

#define GCM_TYPE(desc, test, type_id) \
	{ gcm_alloc, gcm_dealloc, gcm_init, gcm_set_aad, gcm_encrypt, gcm_decrypt, gcm_set_iv, \
	  gcm_get_tag, desc, test, type_id }

const srtp_cipher_type_t srtp_ossl_gcm_128 =
	GCM_TYPE("AES-128 GCM (OpenSSL EVP)", &gcm_128_test, SRTP_AES_GCM_128);
const srtp_cipher_type_t srtp_ossl_gcm_256 =
	GCM_TYPE("AES-256 GCM (OpenSSL EVP)", &gcm_256_test, SRTP_AES_GCM_256);
