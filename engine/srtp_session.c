/* SRTP sessions over libsrtp2. Decisions beyond the header:
 *  - the _32 suites protect SRTCP with the 80-bit tag (RFC 4568 6.2.2: the
 *    short tag is for SRTP only);
 *  - libsrtp2 always encrypts and authenticates AEAD SRTP, so a GCM line with
 *    UNENCRYPTED_SRTP or UNAUTHENTICATED_SRTP is -ENOTSUP; UNENCRYPTED_SRTCP
 *    works for every suite;
 *  - MKI (an MKI field in every packet) is not supported: -ENOTSUP, so that
 *    the offer/answer code refuses such a line rather than fail on media;
 *  - protect asks for SRTP_MAX_OVERHEAD bytes of room, whatever the suite,
 *    so callers size buffers once. */
#include "srtp_session.h"

#include <errno.h>
#include <limits.h>
#include <pthread.h>
#include <string.h>
#include <srtp2/crypto_types.h> /* SRTP_NULL_AUTH */
#include <srtp2/srtp.h>

typedef void (*policy_fn)(srtp_crypto_policy_t *p);

static void aes_cm_128_hmac_sha1_80(srtp_crypto_policy_t *p)
{
	srtp_crypto_policy_set_aes_cm_128_hmac_sha1_80(p); /* a macro in srtp.h */
}

static const struct {
	policy_fn rtp, rtcp;
	bool aead;
} policies[SDES_SUITE_COUNT] = {
	[SDES_AES_CM_128_HMAC_SHA1_80] = { aes_cm_128_hmac_sha1_80, aes_cm_128_hmac_sha1_80, false },
	[SDES_AES_CM_128_HMAC_SHA1_32] = { srtp_crypto_policy_set_aes_cm_128_hmac_sha1_32,
					   aes_cm_128_hmac_sha1_80, false },
	[SDES_AES_192_CM_HMAC_SHA1_80] = { srtp_crypto_policy_set_aes_cm_192_hmac_sha1_80,
					   srtp_crypto_policy_set_aes_cm_192_hmac_sha1_80, false },
	[SDES_AES_192_CM_HMAC_SHA1_32] = { srtp_crypto_policy_set_aes_cm_192_hmac_sha1_32,
					   srtp_crypto_policy_set_aes_cm_192_hmac_sha1_80, false },
	[SDES_AES_256_CM_HMAC_SHA1_80] = { srtp_crypto_policy_set_aes_cm_256_hmac_sha1_80,
					   srtp_crypto_policy_set_aes_cm_256_hmac_sha1_80, false },
	[SDES_AES_256_CM_HMAC_SHA1_32] = { srtp_crypto_policy_set_aes_cm_256_hmac_sha1_32,
					   srtp_crypto_policy_set_aes_cm_256_hmac_sha1_80, false },
	[SDES_AEAD_AES_128_GCM] = { srtp_crypto_policy_set_aes_gcm_128_16_auth,
				    srtp_crypto_policy_set_aes_gcm_128_16_auth, true },
	[SDES_AEAD_AES_256_GCM] = { srtp_crypto_policy_set_aes_gcm_256_16_auth,
				    srtp_crypto_policy_set_aes_gcm_256_16_auth, true },
};

static pthread_once_t init_once = PTHREAD_ONCE_INIT;
static int init_result; /* written once, under init_once */

static void init_libsrtp(void)
{
	init_result = srtp_init() == srtp_err_status_ok ? 0 : -EPROTO;
}

int srtp_session_global_init(void)
{
	pthread_once(&init_once, init_libsrtp);
	return init_result;
}

int srtp_session_init(struct srtp_session *s, const struct sdes_crypto *c, bool outbound)
{
	if (srtp_session_global_init())
		return -EPROTO;
	if ((unsigned)c->suite >= SDES_SUITE_COUNT)
		return -ENOTSUP;
	if (c->mki_len)
		return -ENOTSUP;
	if (policies[c->suite].aead && (c->unencrypted_srtp || c->unauthenticated_srtp))
		return -ENOTSUP;

	srtp_policy_t pol;
	memset(&pol, 0, sizeof(pol));
	policies[c->suite].rtp(&pol.rtp);
	policies[c->suite].rtcp(&pol.rtcp);
	/* cipher_key_len is key + salt as libsrtp2 reads them from pol.key */
	if (c->key_len != (size_t)pol.rtp.cipher_key_len || c->key_len > SDES_MAX_KEY)
		return -EINVAL;
	if (c->unencrypted_srtp)
		pol.rtp.sec_serv &= ~sec_serv_conf;
	if (c->unauthenticated_srtp) {
		/* libsrtp2 adds no tag without sec_serv_auth but still strips
		 * one on unprotect: a null authenticator has a 0-byte tag */
		pol.rtp.sec_serv &= ~sec_serv_auth;
		pol.rtp.auth_type = SRTP_NULL_AUTH;
		pol.rtp.auth_key_len = 0;
		pol.rtp.auth_tag_len = 0;
	}
	if (c->unencrypted_srtcp)
		pol.rtcp.sec_serv = sec_serv_auth; /* SRTCP is always authenticated */
	pol.ssrc.type = outbound ? ssrc_any_outbound : ssrc_any_inbound;
	uint8_t key[SDES_MAX_KEY];
	memcpy(key, c->key, c->key_len); /* libsrtp2 wants a non-const pointer */
	pol.key = key;
	pol.window_size = 128; /* 2.56 s of 20 ms packets; each packet shifts the window */
	pol.allow_repeat_tx = 0;

	srtp_t ctx;
	srtp_err_status_t st = srtp_create(&ctx, &pol);
	explicit_bzero(key, sizeof(key)); /* no master key left on the stack */
	if (st != srtp_err_status_ok)
		return -EPROTO;
	s->ctx = ctx;
	s->encrypt_rtcp = !c->unencrypted_srtcp;
	return 0;
}

void srtp_session_free(struct srtp_session *s)
{
	if (s->ctx)
		srtp_dealloc(s->ctx);
	s->ctx = NULL;
}

typedef srtp_err_status_t (*srtp_fn)(srtp_t ctx, void *pkt, int *len);

static int protect(struct srtp_session *s, srtp_fn fn, uint8_t *pkt, size_t *len, size_t cap)
{
	if (!s->ctx)
		return -EPROTO;
	if (*len > cap || cap - *len < SRTP_MAX_OVERHEAD || *len > INT_MAX - SRTP_MAX_OVERHEAD)
		return -ENOSPC;
	int n = (int)*len;
	if (fn(s->ctx, pkt, &n) != srtp_err_status_ok)
		return -EPROTO;
	*len = (size_t)n;
	return 0;
}

int srtp_session_protect(struct srtp_session *s, uint8_t *pkt, size_t *len, size_t cap)
{
	return protect(s, srtp_protect, pkt, len, cap);
}

int srtp_session_protect_rtcp(struct srtp_session *s, uint8_t *pkt, size_t *len, size_t cap)
{
	return protect(s, srtp_protect_rtcp, pkt, len, cap);
}

static enum srtp_verdict unprotect(struct srtp_session *s, srtp_fn fn, uint8_t *pkt, size_t *len)
{
	if (!s->ctx || *len > INT_MAX)
		return SRTP_BAD;
	int n = (int)*len;
	switch (fn(s->ctx, pkt, &n)) {
	case srtp_err_status_ok:
		*len = (size_t)n;
		return SRTP_OK;
	case srtp_err_status_auth_fail:
		return SRTP_AUTH_FAIL;
	case srtp_err_status_replay_fail:
	case srtp_err_status_replay_old:
		return SRTP_REPLAY;
	default:
		return SRTP_BAD;
	}
}

enum srtp_verdict srtp_session_unprotect(struct srtp_session *s, uint8_t *pkt, size_t *len)
{
	return unprotect(s, srtp_unprotect, pkt, len);
}

enum srtp_verdict srtp_session_unprotect_rtcp(struct srtp_session *s, uint8_t *pkt, size_t *len)
{
	return unprotect(s, srtp_unprotect_rtcp, pkt, len);
}
