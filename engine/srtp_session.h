/* SRTP sessions keyed by SDES (libsrtp2). One direction per session: what we
 * send is protected with our offered/answered key, what we receive unprotected
 * with the far end's. Knows nothing of sockets or SIP. */
#ifndef TL_SRTP_SESSION_H
#define TL_SRTP_SESSION_H
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "sdes.h"

struct srtp_ctx_t_; /* libsrtp2's session */

struct srtp_session {
	struct srtp_ctx_t_ *ctx;
	bool encrypt_rtcp;  /* false when the line said UNENCRYPTED_SRTCP */
};

/* Initialises libsrtp2 once per process (call before any worker starts).
 * Returns 0 or -EPROTO. */
int srtp_session_global_init(void);

/* Space a protected packet needs beyond the plaintext (tag + SRTCP index). */
#define SRTP_MAX_OVERHEAD 32

/* Creates a session for one direction from an SDES crypto line.
 * Returns 0, -ENOTSUP for a suite libsrtp2 cannot do (also: a line with an
 * MKI, and AEAD with UNENCRYPTED_SRTP or UNAUTHENTICATED_SRTP), -EINVAL for a
 * bad key length, -EPROTO on other libsrtp2 errors. */
int srtp_session_init(struct srtp_session *s, const struct sdes_crypto *c, bool outbound);
void srtp_session_free(struct srtp_session *s);

enum srtp_verdict { SRTP_OK = 0, SRTP_AUTH_FAIL, SRTP_REPLAY, SRTP_BAD };

/* Protects in place: *len grows by up to SRTP_MAX_OVERHEAD (cap is the buffer size).
 * Returns 0, -ENOSPC when cap - *len < SRTP_MAX_OVERHEAD, or -EPROTO. */
int srtp_session_protect(struct srtp_session *s, uint8_t *pkt, size_t *len, size_t cap);
int srtp_session_protect_rtcp(struct srtp_session *s, uint8_t *pkt, size_t *len, size_t cap);
/* Unprotects in place; *len shrinks. Returns what libsrtp2 decided. */
enum srtp_verdict srtp_session_unprotect(struct srtp_session *s, uint8_t *pkt, size_t *len);
enum srtp_verdict srtp_session_unprotect_rtcp(struct srtp_session *s, uint8_t *pkt, size_t *len);

#endif
