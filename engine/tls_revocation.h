/* Revocation for the TLS adapter: the CRLs of --crl (checked when loaded), what a
 * revoked certificate's CRL entry says, and the far end's stapled OCSP response. */
#ifndef TL_TLS_REVOCATION_H
#define TL_TLS_REVOCATION_H
#include <openssl/ssl.h>
#include <stddef.h>

/* Loads every CRL of the PEM file path into ctx's store and turns on the CRL check of
 * the peer's whole chain (X509_V_FLAG_CRL_CHECK_ALL). Each CRL must be current (its
 * nextUpdate not past); one whose issuer is a CA that ctx knows (its trust store, --ca,
 * or its own certificate chain, --cert) must be signed by it, and at least one must be
 * (a CRL of a CA known only later, an intermediate the far end sends, is verified in
 * the chain check). Returns 0, or -1 with a one-line reason naming the file (and the
 * CRL's issuer) in err. */
int tls_load_crls(SSL_CTX *ctx, const char *path, char *err, size_t errlen);

/* The revoked certificate the verify step is at, from its CRL entry: "CN=... on
 * 2026-12-06T21:10:45Z, keyCompromise". */
void tls_revoked_text(X509_STORE_CTX *store, char *out, size_t cap);

/* The certificate the verify step is at, which has no CRL of its issuer, as its subject
 * ("CN=...,O=..."); "" for a self-signed one (a trust anchor needs none). */
void tls_crl_missing_text(X509_STORE_CTX *store, char *out, size_t cap);

/* The stapled OCSP response about the far end's leaf (a client's connection after the
 * handshake): status "good", "revoked", "unknown", "invalid" (not signed by the chain's
 * CA, about another certificate, or out of date), "unverified" (no verified chain to
 * check it against: no --ca) or "none" (nothing stapled); for "revoked", when and why. */
void tls_ocsp_status(SSL *ssl, char *status, size_t scap, char *revoked, size_t rcap);

#endif
