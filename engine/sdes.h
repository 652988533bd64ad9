/* SDES a=crypto lines (RFC 4568; suites of RFC 4568, RFC 6188, RFC 7714).
 * Pure: no I/O, no allocation, no randomness (keys come from the caller). */
#ifndef TL_SDES_H
#define TL_SDES_H
#include <stdint.h>
#include <stdbool.h>
#include <stddef.h>

enum sdes_suite {
	SDES_AES_CM_128_HMAC_SHA1_80 = 0,
	SDES_AES_CM_128_HMAC_SHA1_32,
	SDES_AES_192_CM_HMAC_SHA1_80,
	SDES_AES_192_CM_HMAC_SHA1_32,
	SDES_AES_256_CM_HMAC_SHA1_80,
	SDES_AES_256_CM_HMAC_SHA1_32,
	SDES_AEAD_AES_128_GCM,
	SDES_AEAD_AES_256_GCM,
	SDES_SUITE_COUNT
};

#define SDES_MAX_KEY 46 /* longest key||salt: AES_256_CM 32 + 14 */

struct sdes_crypto {
	uint32_t tag;                /* 1..999999999 */
	enum sdes_suite suite;
	uint8_t key[SDES_MAX_KEY];   /* master key || master salt */
	size_t key_len;              /* == sdes_suite_key_len(suite) */
	uint64_t lifetime;           /* 0 when absent; else packets (2^n form expanded) */
	uint32_t mki, mki_len;       /* mki_len 0 when absent */
	bool unencrypted_srtp, unencrypted_srtcp, unauthenticated_srtp;
};

/* "AES_CM_128_HMAC_SHA1_80" -> suite; returns -ENOENT for unknown names. */
int sdes_suite_from_name(const char *p, size_t len, enum sdes_suite *out);
const char *sdes_suite_name(enum sdes_suite s);
/* Bytes of key||salt for the suite: 30, 30, 38, 38, 46, 46, 28, 44. */
size_t sdes_suite_key_len(enum sdes_suite s);

/* Parses the value of an a=crypto attribute (the text after "a=crypto:", without
 * the line end): "<tag> <suite> inline:<b64>[|lifetime][|mki:len] [params...]".
 * Returns 0, -ENOENT for an unknown suite, -ENOTSUP for an unknown or unsupported
 * session parameter (RFC 4568 6.3: the line is unusable), -EBADMSG for anything
 * malformed (bad tag, bad base64, key of the wrong length for the suite, ...).
 * Only one inline key per line is supported (more: -ENOTSUP). *out is written
 * only on success. */
int sdes_parse(const char *p, size_t len, struct sdes_crypto *out);

/* Writes "a=crypto:<tag> <suite> inline:<base64>\r\n" (plus "|2^n" lifetime and
 * "|mki:len" when set, and UNENCRYPTED_* flags). Returns bytes written, -ENOSPC,
 * or -EINVAL when key_len does not fit the suite. */
int sdes_format(char *buf, size_t cap, const struct sdes_crypto *c);

/* Standard base64 (RFC 4648) with padding. encode returns bytes written or -ENOSPC;
 * decode returns bytes decoded, -EBADMSG on bad input, -ENOSPC. */
int base64_encode(char *out, size_t cap, const uint8_t *in, size_t n);
int base64_decode(uint8_t *out, size_t cap, const char *in, size_t n);

#endif
