/* TLS over memory buffers (OpenSSL, no socket BIO): ciphertext in from whoever
 * reads the socket, plaintext out; knows nothing of SIP or io_uring. */
#ifndef TL_TLS_H
#define TL_TLS_H
#include <openssl/ssl.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include "buf.h"
#include "tls_facts.h"

struct tls_config {
	const char *cert, *key, *ca;  /* PEM files; cert/key may be NULL for a client */
	unsigned versions;            /* TL_TLS1_* bits; 0 = 1.2 and 1.3 */
	const char *ciphers;          /* NULL or "" = OpenSSL default */
	int security_level;           /* -1 = OpenSSL default */
	bool verify_peer;             /* verify the peer's chain against ca */
	bool require_peer_cert;       /* server: refuse clients without a certificate */
	/* The names the peer's certificate must carry (cert_name.h: the CN or a DNS
	 * subjectAltName, one rule everywhere), separated by spaces, commas, semicolons
	 * or colons, as a call manager's trunk security profile lists them ("X.509
	 * subject name"); NULL or "": no check. A peer that carries none of them is
	 * refused with a bad_certificate alert. */
	const char *expect_peer_names;
	bool resume;                  /* client: keep the newest session and offer it again */
	const char *crl;              /* PEM file of CRLs checked against the peer's chain,
				       * NULL or "": none (tls_revocation.h) */
};

/* Writes the TLS secrets of every later context's connections to f in the NSS key
 * log format (for Wireshark/tshark); NULL stops. Call before creating contexts. */
void tls_set_keylog(FILE *f);

/* Creates a context. On failure returns NULL and writes a one-line reason naming
 * the file at fault (unreadable, not PEM, key does not match certificate,
 * key too small for the security level, ...) into err. Caller owns the context. */
SSL_CTX *tls_ctx_new(bool server, const struct tls_config *cfg, char *err, size_t errlen);

struct tls_conn {
	SSL *ssl;
	BIO *in, *out;     /* owned by ssl */
	bool done;         /* handshake finished */
	bool peer_closed;  /* the peer's close_notify arrived */
	int alert_in, alert_out; /* the last alert received / sent, -1: none */
	int verify_error, verify_depth; /* the first problem with the peer's chain, 0: none */
	char revoked[96];  /* the revoked certificate of the chain, when and why, "" none */
	char crl_missing[160]; /* a certificate whose issuer had no CRL in --crl, "" none */
	X509 *peer_leaf;   /* the peer's certificate as presented (even if refused); owned */
	STACK_OF(X509) *peer_sent; /* every certificate the peer sent, in its order (even if
				    * refused); owned */
	const char *verify_name;   /* client: the name the peer's certificate must carry
				    * (borrowed from tls_conn_init's caller), NULL: none */
	SSL_SESSION **session_slot; /* where new sessions go for resumption, may be NULL */
	struct tls_alerts *alerts; /* where alerts are counted, may be NULL */
	char reason[160];  /* why the last operation failed */
};

/* Sets up a connection. For a client, server_name is sent as SNI (unless it is an
 * IP literal), a stapled OCSP response is asked for, and the peer certificate must carry verify_name (a DNS name or an IP
 * literal, checked as cert_name.h says; NULL skips the name check; the string must
 * outlive the connection). Returns 0 or -ENOMEM. */
int tls_conn_init(struct tls_conn *t, SSL_CTX *ctx, bool server, const char *server_name,
		  const char *verify_name, struct tls_alerts *alerts);
void tls_conn_free(struct tls_conn *t);
/* Client: offers *slot (if any) for resumption and keeps the sessions the server
 * hands out in *slot (the caller owns that reference: SSL_SESSION_free). Call between
 * tls_conn_init and the first tls_handshake, on a context made with resume. */
void tls_conn_resume(struct tls_conn *t, SSL_SESSION **slot);

/* Hands received ciphertext to TLS. Returns 0 or -ENOMEM. */
int tls_feed(struct tls_conn *t, const void *p, size_t n);
/* Advances the handshake. Returns 0 when done, -EAGAIN when it needs more input,
 * -EPROTO when it failed (t->reason says why). */
int tls_handshake(struct tls_conn *t);
/* Appends all available plaintext to dst. Returns bytes appended (may be 0),
 * -EPIPE when the peer sent close_notify, -EPROTO on a TLS error, -ENOMEM. */
int tls_read(struct tls_conn *t, struct buf *dst);
/* Encrypts n bytes (in as few records as the record size allows) and appends the
 * ciphertext to dst, TLS_WRITE_CHUNK at a time. 0, -EPROTO or -ENOMEM. */
#define TLS_WRITE_CHUNK (64u << 10)
int tls_write(struct tls_conn *t, const void *p, size_t n, struct buf *dst);
/* Gives back what an idle connection does not need: the record buffers and the
 * memory BIOs' storage, when nothing is pending in them (they grow again on use). */
void tls_trim(struct tls_conn *t);
/* Queues a close_notify alert. */
void tls_close(struct tls_conn *t);
/* Moves all pending ciphertext to dst. Returns bytes moved or -ENOMEM. */
int tls_take_output(struct tls_conn *t, struct buf *dst);

/* The handshake's facts as OpenSSL has them (version, cipher, group, resumed, what
 * the verify step found, and for a client the CA names the server asked for):
 * the one place that reads them. Version and cipher are "" before the handshake
 * finished. */
void tls_handshake_facts(const struct tls_conn *t, bool peer_is_server, struct handshake_facts *h);

/* The far end's certificates and the findings about them and the handshake: after a
 * finished handshake the whole chain, after a refused one what the verify step
 * kept. warn_days: expiry closer than this is a warning. */
void tls_peer_facts(const struct tls_conn *t, bool peer_is_server, int warn_days, struct tls_peer *p);

/* The SHA-256 of the far end's leaf as presented (also in a refused handshake) into key
 * (32 bytes): what tells its distinct certificates apart. false when it sent none. */
bool tls_peer_key(const struct tls_conn *t, unsigned char key[32]);
/* The negotiated version and cipher ("" before the handshake). */
void tls_conn_names(const struct tls_conn *t, const char **version, const char **cipher);

#endif
