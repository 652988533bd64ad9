/* libsrtp2's AES-GCM cipher types (SRTP_AES_GCM_128, _256) on OpenSSL EVP,
 * registered by srtp_ossl_install() and read through srtp_ossl_cipher_type().
 * Output is byte for byte that of libsrtp2's own types. */
#ifndef TL_SRTP_OSSL_GCM_H
#define TL_SRTP_OSSL_GCM_H

#include <srtp2/cipher.h>

extern const srtp_cipher_type_t srtp_ossl_gcm_128, srtp_ossl_gcm_256;

#endif
