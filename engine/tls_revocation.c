#include "tls_revocation.h"
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <openssl/err.h>
#include <openssl/ocsp.h>
#include <openssl/pem.h>
#include <openssl/x509v3.h>

static void subject_text(X509_NAME *name, char *out, size_t cap)
{
	BIO *b = BIO_new(BIO_s_mem());
	int n = b ? X509_NAME_print_ex(b, name, 0, XN_FLAG_RFC2253) : -1;
	int got = n > 0 ? BIO_read(b, out, (int)cap - 1) : 0;
	out[got > 0 ? got : 0] = 0;
	BIO_free(b);
}

/* "2026-12-06T21:10:45Z" */
static void iso_time(const ASN1_TIME *t, char *out, size_t cap)
{
	struct tm tm;
	if (!t || !ASN1_TIME_to_tm(t, &tm) || !strftime(out, cap, "%Y-%m-%dT%H:%M:%SZ", &tm))
		snprintf(out, cap, "?");
}

static const char *reason_name(int reason)
{
	static const char *const names[] = { "unspecified", "keyCompromise", "cACompromise",
		"affiliationChanged", "superseded", "cessationOfOperation", "certificateHold",
		"(7)", "removeFromCRL", "privilegeWithdrawn", "aACompromise" };
	return reason >= 0 && reason < (int)(sizeof(names) / sizeof(names[0])) ? names[reason]
									      : "no reason given";
}

/* Who issued crl among cas: 1 a CA of that name signed it, -1 CAs of that name exist
 * but none signed it, 0 no CA of that name. */
static int crl_signer(X509_CRL *crl, STACK_OF(X509) *cas)
{
	int named = 0;
	for (int i = 0; i < sk_X509_num(cas); i++) {
		X509 *ca = sk_X509_value(cas, i);
		if (X509_NAME_cmp(X509_CRL_get_issuer(crl), X509_get_subject_name(ca)))
			continue;
		named = -1;
		if (X509_CRL_verify(crl, X509_get0_pubkey(ca)) == 1)
			return 1;
	}
	ERR_clear_error();
	return named;
}

/* One CRL: current and, where its CA is known, signed by it; then added to the store.
 * Returns 1 when its CA is known (and signed it), 0 when its CA is not known here (an
 * intermediate the far end sends: the chain check verifies it then), -1 on error. */
static int take_crl(X509_STORE *store, X509_CRL *crl, STACK_OF(X509) *cas, const char *path,
		    unsigned nth, char *err, size_t errlen)
{
	char issuer[200], when[32];
	subject_text(X509_CRL_get_issuer(crl), issuer, sizeof(issuer));
	const ASN1_TIME *next = X509_CRL_get0_nextUpdate(crl);
	if (next && X509_cmp_current_time(next) < 0) {
		iso_time(next, when, sizeof(when));
		snprintf(err, errlen, "%s: CRL %u (of %s) expired on %s (its nextUpdate): get a "
				      "current one from that CA", path, nth, issuer, when);
		return -1;
	}
	int signer = crl_signer(crl, cas);
	if (signer < 0) {
		snprintf(err, errlen, "%s: CRL %u names %s as its issuer, but that CA did not sign "
				      "it (a damaged CRL, or one of another CA of the same name)", path,
			 nth, issuer);
		return -1;
	}
	if (!X509_STORE_add_crl(store, crl)) {
		snprintf(err, errlen, "%s: CRL %u (of %s) cannot be added", path, nth, issuer);
		ERR_clear_error();
		return -1;
	}
	return signer;
}

int tls_load_crls(SSL_CTX *ctx, const char *path, char *err, size_t errlen)
{
	FILE *f = fopen(path, "r");
	if (!f) {
		snprintf(err, errlen, "%s: cannot read the CRL file: %s", path, strerror(errno));
		return -1;
	}
	X509_STORE *store = SSL_CTX_get_cert_store(ctx);
	/* the CAs a CRL may come from: the trust store and our own chain's intermediates */
	STACK_OF(X509) *cas = X509_STORE_get1_all_certs(store);
	STACK_OF(X509) *mine = NULL;
	if (cas && SSL_CTX_get0_chain_certs(ctx, &mine) && mine)
		for (int i = 0; i < sk_X509_num(mine); i++)
			if (X509_up_ref(sk_X509_value(mine, i)) && !sk_X509_push(cas, sk_X509_value(mine, i)))
				X509_free(sk_X509_value(mine, i));
	int rc = cas ? 0 : -1;
	unsigned n = 0, known = 0;
	char first_issuer[200] = "";
	for (X509_CRL *crl; !rc && (crl = PEM_read_X509_CRL(f, NULL, NULL, NULL));) {
		if (!n)
			subject_text(X509_CRL_get_issuer(crl), first_issuer, sizeof(first_issuer));
		int took = take_crl(store, crl, cas, path, ++n, err, errlen);
		rc = took < 0 ? -1 : 0;
		known += took > 0;
		X509_CRL_free(crl);
	}
	unsigned long e = ERR_peek_last_error();
	ERR_clear_error();
	fclose(f);
	sk_X509_pop_free(cas, X509_free);
	if (rc)
		return rc;
	/* the end of the file is PEM's "no start line"; anything else is a damaged block */
	if (e && ERR_GET_REASON(e) != PEM_R_NO_START_LINE) {
		snprintf(err, errlen, "%s: CRL %u does not parse: %s", path, n + 1,
			 ERR_reason_error_string(e) ? ERR_reason_error_string(e) : "bad PEM");
		return -1;
	}
	if (!n) {
		snprintf(err, errlen, "%s holds no CRL (expected PEM blocks \"-----BEGIN X509 "
				      "CRL-----\")", path);
		return -1;
	}
	/* a file of CRLs none of which our CAs signed belongs to another PKI */
	if (!known) {
		snprintf(err, errlen, "%s: its CRL%s (the first of %s) %s signed by none of the CAs "
				      "in --ca or in the chain of --cert (give the CA in --ca)", path,
			 n > 1 ? "s" : "", first_issuer, n > 1 ? "are" : "is");
		return -1;
	}
	X509_STORE_set_flags(store, X509_V_FLAG_CRL_CHECK | X509_V_FLAG_CRL_CHECK_ALL);
	return 0;
}

void tls_revoked_text(X509_STORE_CTX *store, char *out, size_t cap)
{
	X509 *x = X509_STORE_CTX_get_current_cert(store);
	X509_CRL *crl = X509_STORE_CTX_get0_current_crl(store);
	X509_REVOKED *entry = NULL;
	char who[128] = "?", when[32] = "?";
	if (x)
		subject_text(X509_get_subject_name(x), who, sizeof(who));
	int reason = -1;
	if (x && crl && X509_CRL_get0_by_cert(crl, &entry, x) == 1 && entry) {
		iso_time(X509_REVOKED_get0_revocationDate(entry), when, sizeof(when));
		ASN1_ENUMERATED *why = X509_REVOKED_get_ext_d2i(entry, NID_crl_reason, NULL, NULL);
		reason = why ? (int)ASN1_ENUMERATED_get(why) : -1;
		ASN1_ENUMERATED_free(why);
	}
	ERR_clear_error();
	snprintf(out, cap, "%.60s on %s, %s", who, when, reason_name(reason));
}

void tls_crl_missing_text(X509_STORE_CTX *store, char *out, size_t cap)
{
	X509 *x = X509_STORE_CTX_get_current_cert(store);
	out[0] = 0;
	if (x && X509_self_signed(x, 0) != 1)
		subject_text(X509_get_subject_name(x), out, cap);
	ERR_clear_error();
}

void tls_ocsp_status(SSL *ssl, char *status, size_t scap, char *revoked, size_t rcap)
{
	const unsigned char *der = NULL;
	long len = SSL_get_tlsext_status_ocsp_resp(ssl, &der);
	snprintf(status, scap, "none");
	revoked[0] = 0;
	if (len <= 0 || !der)
		return;
	OCSP_RESPONSE *resp = d2i_OCSP_RESPONSE(NULL, &der, len);
	OCSP_BASICRESP *basic = resp && OCSP_response_status(resp) ==
					       OCSP_RESPONSE_STATUS_SUCCESSFUL
				? OCSP_response_get1_basic(resp) : NULL;
	STACK_OF(X509) *verified = SSL_get0_verified_chain(ssl);
	X509 *leaf = verified && sk_X509_num(verified) > 1 ? sk_X509_value(verified, 0) : NULL;
	X509 *issuer = leaf ? sk_X509_value(verified, 1) : NULL;
	OCSP_CERTID *id = issuer ? OCSP_cert_to_id(NULL, leaf, issuer) : NULL;
	int st = -1, reason = -1;
	ASN1_GENERALIZEDTIME *rev = NULL, *this_upd = NULL, *next_upd = NULL;
	/* without a verified chain (no --ca) there is nothing to check it against */
	snprintf(status, scap, "%s", issuer ? "invalid" : "unverified");
	/* signed by the leaf's CA (or a responder it delegated), in date, about this leaf */
	if (basic && id &&
	    OCSP_basic_verify(basic, verified, SSL_CTX_get_cert_store(SSL_get_SSL_CTX(ssl)), 0) > 0 &&
	    OCSP_resp_find_status(basic, id, &st, &reason, &rev, &this_upd, &next_upd) == 1 &&
	    OCSP_check_validity(this_upd, next_upd, 300, -1) == 1) {
		snprintf(status, scap, "%s", st == V_OCSP_CERTSTATUS_GOOD      ? "good"
					     : st == V_OCSP_CERTSTATUS_REVOKED ? "revoked"
									       : "unknown");
		if (st == V_OCSP_CERTSTATUS_REVOKED) {
			char when[32];
			iso_time(rev, when, sizeof(when));
			snprintf(revoked, rcap, "on %s, %s", when, reason_name(reason));
		}
	}
	ERR_clear_error();
	OCSP_CERTID_free(id);
	OCSP_BASICRESP_free(basic);
	OCSP_RESPONSE_free(resp);
}
