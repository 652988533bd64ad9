/* Facts about one X.509 certificate, as an operator compares them with what a far
 * end's certificate management page lists. Filled from OpenSSL objects; the
 * struct itself is plain data that reports and findings read. */
#ifndef TL_CERTFACTS_H
#define TL_CERTFACTS_H
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>

#define CERTFACTS_MAX_CHAIN 8

struct cert_facts {
	char subject[256], subject_cn[128], issuer[256];  /* RFC 2253 text */
	char serial[80];                                   /* hex, upper case */
	char san[512];               /* "DNS:a, DNS:b, IP:127.0.0.1" */
	char not_before[32], not_after[32]; /* ISO 8601 UTC */
	int64_t not_before_t, not_after_t;  /* seconds since the epoch */
	double days_left;            /* from `now` to not_after (negative: expired) */
	double days_to_start;        /* from `now` to not_before (positive: not yet valid) */
	bool expired, not_yet_valid; /* at `now`, as X509_verify_cert would judge it */
	char key[32];                /* "EC-256", "RSA-2048", "ED25519-256" */
	int key_bits;
	bool key_rsa, key_ec;
	char signature_algorithm[48]; /* "ecdsa-with-SHA256", "sha1WithRSAEncryption" */
	bool sha1_signature;          /* SHA-1 or MD5 */
	char key_usage[128];          /* "digitalSignature, keyEncipherment" or "" */
	char extended_key_usage[128]; /* "serverAuth, clientAuth" or "" */
	bool eku_present, eku_server_auth, eku_client_auth;
	bool is_ca, self_signed;
	char sha256[100];             /* "AB:CD:..." */
};

/* X509 is OpenSSL's; declared here so that users of the facts need not include it. */
struct x509_st;

/* Fills f from x, with days_left counted from now. Text taken from the certificate has
 * its control characters escaped (names, RFC 2253) or replaced by '?' (CN, SANs), so a
 * far end's certificate cannot forge lines of a report; too long a text is cut and
 * ends in "...". Returns 0 or -EINVAL (x NULL, unreadable dates). */
int certfacts_from_x509(struct cert_facts *f, struct x509_st *x, time_t now);

/* Just the names of x, as certfacts_from_x509 writes subject_cn and san: for the
 * name check during a handshake (cert_name.h), which needs no more. */
void certfacts_names(struct x509_st *x, char *cn, size_t cn_cap, char *san, size_t san_cap);

/* Reads every certificate of a PEM file (a chain: leaf first; other PEM blocks such as
 * keys are skipped), or the one certificate of a DER file. Sets *n. Returns 0, or a
 * negative errno with a one-line reason naming the file in err: the open error
 * (-ENOENT, -EACCES...), -EBADMSG (no certificate, not PEM or DER, a damaged one),
 * -E2BIG (more than max certificates), -EFBIG (file over 16 MiB). */
int certfacts_read_pem(const char *path, struct cert_facts *out, unsigned max, unsigned *n,
		       time_t now, char *err, size_t errlen);

/* Writes the facts as indented "name: value" lines (the form `pki show` and
 * `probe` print): subject, issuer, serial, not before (flagged NOT YET VALID), not
 * after (days left, or EXPIRED), key, signature (flagged weak for SHA-1/MD5), SAN, key
 * usage, extended key usage, CA, self-signed, sha256. indent may be NULL. Returns the length of the whole text (like snprintf: may exceed
 * cap; buf is NUL-terminated when cap > 0). */
int certfacts_format(char *buf, size_t cap, const struct cert_facts *f, const char *indent);

#endif
