/* OpenSSL primitives for libsrtp2: AES-ICM over EVP AES-CTR, AES-GCM over EVP
 * (srtp_ossl_gcm.c) and HMAC-SHA1 over OpenSSL's SHA-1, registered in place of the stock (NSS) types. libsrtp2 keeps
 * key derivation, replay protection and packet handling; only the primitives
 * change, and their output is byte for byte the same. */
#ifndef TL_SRTP_OSSL_H
#define TL_SRTP_OSSL_H

struct srtp_cipher_type_t; /* libsrtp2's function tables (srtp2/cipher.h, auth.h) */
struct srtp_auth_type_t;

/* Replaces libsrtp2's SRTP_AES_ICM_128, _192, _256 and SRTP_AES_GCM_128, _256
 * cipher types and its SRTP_HMAC_SHA1 auth type. Initialises libsrtp2 first (through
 * srtp_session_global_init), so it may be called before or after that; call it
 * before workers start: sessions created earlier keep the stock primitives,
 * and libsrtp2's type list is not locked. Idempotent. Returns 0, or -EPROTO
 * when libsrtp2 refused a type (its self-test failed); types replaced before
 * the failure stay replaced, which is harmless: both compute the same. */
int srtp_ossl_install(void);

/* The tables srtp_ossl_install registers, so that tests can drive them
 * directly. id: SRTP_AES_ICM_128, _192, _256, SRTP_AES_GCM_128 or _256 (else
 * NULL). Static storage. */
const struct srtp_cipher_type_t *srtp_ossl_cipher_type(int id);
const struct srtp_auth_type_t *srtp_ossl_auth_type(void);

#endif
