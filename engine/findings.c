#include "findings.h"
#include "cert_name.h"
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

/* OpenSSL's X509_V_ERR_* codes that findings name (x509_vfy.h; kept as numbers so
 * that this file stays free of OpenSSL). */
enum {
	V_UNABLE_TO_GET_ISSUER_CERT = 2,
	V_CERT_REVOKED = 23,
	V_CERT_NOT_YET_VALID = 9,
	V_CERT_HAS_EXPIRED = 10,
	V_DEPTH_ZERO_SELF_SIGNED_CERT = 18,
	V_SELF_SIGNED_CERT_IN_CHAIN = 19,
	V_UNABLE_TO_GET_ISSUER_CERT_LOCALLY = 20,
	V_UNABLE_TO_VERIFY_LEAF_SIGNATURE = 21,
	V_CERT_UNTRUSTED = 27,
	V_CERT_REJECTED = 28,
	V_HOSTNAME_MISMATCH = 62,
	V_IP_ADDRESS_MISMATCH = 64,
};

const char *const finding_codes[] = { "expired", "not_yet_valid", "expires_soon", "untrusted",
	"name_mismatch", "self_signed", "weak_key", "sha1_signature", "no_server_auth",
	"no_client_auth", "old_tls_version", "no_forward_secrecy", "verify_failed", "revoked",
	"incomplete_chain", "chain_order", "cn_only", "revocation_unchecked", "ocsp_unusable", NULL };

const char *finding_severity_name(enum finding_severity s)
{
	return s == FINDING_ERROR ? "error" : s == FINDING_WARNING ? "warning" : "info";
}

struct acc {
	struct finding *out;
	unsigned n, max;
};

__attribute__((format(printf, 4, 5)))
static void add(struct acc *a, const char *code, enum finding_severity sev, const char *fmt, ...)
{
	for (unsigned i = 0; i < a->n; i++)
		if (!strcmp(a->out[i].code, code))
			return; /* one finding per code */
	if (a->n >= a->max)
		return;
	struct finding *f = &a->out[a->n++];
	snprintf(f->code, sizeof(f->code), "%s", code);
	f->severity = sev;
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(f->message, sizeof(f->message), fmt, ap);
	va_end(ap);
}

/* What the verify step found, told with the certificates the far end sent. */
static void from_verify(struct acc *a, const struct handshake_facts *h,
			const struct cert_facts *chain, unsigned n_chain)
{
	const struct cert_facts *at = h->verify_depth >= 0 && (unsigned)h->verify_depth < n_chain ?
					      &chain[h->verify_depth] : NULL;
	const struct cert_facts *leaf = n_chain ? &chain[0] : NULL;
	switch (h->verify_error) {
	case 0:
		return;
	case V_CERT_HAS_EXPIRED:
		add(a, "expired", FINDING_ERROR, "certificate at depth %d has expired", h->verify_depth);
		return;
	case V_CERT_NOT_YET_VALID:
		add(a, "not_yet_valid", FINDING_ERROR, "certificate at depth %d is not valid yet",
		    h->verify_depth);
		return;
	case V_DEPTH_ZERO_SELF_SIGNED_CERT:
		add(a, "self_signed", FINDING_ERROR,
		    "the certificate %.80s is self-signed and not in the trust store",
		    leaf ? leaf->subject : "");
		return;
	case V_SELF_SIGNED_CERT_IN_CHAIN:
		add(a, "untrusted", FINDING_ERROR,
		    "the chain the far end sent ends in %.80s (self-signed, depth %d), which is not "
		    "in the trust store", at ? at->subject : "a CA", h->verify_depth);
		return;
	case V_UNABLE_TO_GET_ISSUER_CERT:
	case V_UNABLE_TO_GET_ISSUER_CERT_LOCALLY:
	case V_UNABLE_TO_VERIFY_LEAF_SIGNATURE:
		add(a, "untrusted", FINDING_ERROR,
		    "issuer not found: %.60s (depth %d) is issued by %.70s, which is neither in the "
		    "trust store nor sent", at ? at->subject : "a certificate", h->verify_depth,
		    at ? at->issuer : "a CA");
		/* on a renewed trunk nearly always an intermediate the far end left out */
		if (at && !at->self_signed)
			add(a, "incomplete_chain", FINDING_ERROR,
			    "the far end sent no certificate of %.70s, the issuer of %.50s, and the "
			    "trust store has none: it must send its chain (leaf and intermediates) "
			    "unless that CA is not one you trust", at->issuer, at->subject_cn);
		return;
	case V_CERT_REVOKED:
		add(a, "revoked", FINDING_ERROR, "revoked: %s",
		    h->revoked[0] ? h->revoked : "a certificate of the chain (CRL)");
		return;
	case V_CERT_UNTRUSTED:
		add(a, "untrusted", FINDING_ERROR, "chain does not lead to a trusted CA: %s",
		    h->verify_text);
		return;
	case V_CERT_REJECTED: /* the responder's list of expected subject names */
	case V_HOSTNAME_MISMATCH:
	case V_IP_ADDRESS_MISMATCH:
		add(a, "name_mismatch", FINDING_ERROR,
		    "the certificate does not carry %.60s: it carries CN %.40s%s%.60s",
		    h->expected_names[0] ? h->expected_names : "the expected name",
		    leaf ? leaf->subject_cn : "?", leaf && leaf->san[0] ? ", " : "",
		    leaf ? leaf->san : "");
		return;
	default:
		add(a, "verify_failed", FINDING_ERROR, "chain verification failed at depth %d: %s",
		    h->verify_depth, h->verify_text);
	}
}

/* Each certificate sent after the leaf should be the issuer of the one before it
 * (RFC 5246 7.4.2; TLS 1.3 only recommends it): a chain whose issuers all came, but
 * not in that order. */
static void chain_order(struct acc *a, const struct cert_facts *chain, unsigned n)
{
	for (unsigned i = 1; i < n; i++) {
		if (!strcmp(chain[i].subject, chain[i - 1].issuer))
			continue;
		for (unsigned j = i + 1; j < n; j++)
			if (!strcmp(chain[j].subject, chain[i - 1].issuer)) {
				add(a, "chain_order", FINDING_WARNING,
				    "certificates sent out of order: the issuer of %.50s came at "
				    "position %u, not %u (strict peers refuse the chain)",
				    chain[i - 1].subject_cn, j, i);
				return;
			}
	}
}

unsigned findings_for_peer(const struct cert_facts *chain, unsigned n_chain,
			   const struct handshake_facts *h, int warn_days, bool peer_is_server,
			   struct finding *out, unsigned max)
{
	struct acc a = { out, 0, max };
	if (h)
		from_verify(&a, h, chain, n_chain);
	if (h && !strcmp(h->ocsp, "revoked"))
		add(&a, "revoked", FINDING_ERROR, "revoked (stapled OCSP response): %s", h->revoked);
	if (h && !strcmp(h->ocsp, "invalid"))
		add(&a, "ocsp_unusable", FINDING_WARNING,
		    "the stapled OCSP response does not verify: not signed by the leaf's CA (or a "
		    "responder it named), about another certificate, or out of date");
	else if (h && !strcmp(h->ocsp, "unknown"))
		add(&a, "ocsp_unusable", FINDING_WARNING,
		    "the stapled OCSP response says unknown: its responder does not know the "
		    "certificate");
	if (h && h->crl_missing[0])
		add(&a, "revocation_unchecked", FINDING_WARNING,
		    "no CRL of the issuer of %s was given: its revocation was not checked",
		    h->crl_missing);
	chain_order(&a, chain, n_chain);
	for (unsigned i = 0; i < n_chain; i++) {
		const struct cert_facts *c = &chain[i];
		const char *who = i ? "a CA certificate" : "the certificate";
		if (c->days_left < 0)
			add(&a, "expired", FINDING_ERROR, "%s %s expired on %s", who, c->subject_cn,
			    c->not_after);
		else if (c->days_left < warn_days)
			add(&a, "expires_soon", FINDING_WARNING, "%s %s expires in %.0f days (%s)", who,
			    c->subject_cn, c->days_left, c->not_after);
		if (c->key_rsa && c->key_bits < 2048)
			add(&a, "weak_key", FINDING_WARNING, "%s %s has a %d-bit RSA key", who,
			    c->subject_cn, c->key_bits);
		if (c->sha1_signature && !(c->self_signed && i == n_chain - 1 && i > 0))
			add(&a, "sha1_signature", FINDING_WARNING, "%s %s is signed with %s", who,
			    c->subject_cn, c->signature_algorithm);
	}
	if (n_chain) {
		const struct cert_facts *leaf = &chain[0];
		if (leaf->self_signed && n_chain == 1)
			add(&a, "self_signed", FINDING_WARNING, "the certificate %s is self-signed",
			    leaf->subject_cn);
		if (h && h->expected_names[0] &&
		    cert_names_match(leaf->subject_cn, leaf->san, h->expected_names) == CERT_NAME_CN)
			add(&a, "cn_only", FINDING_WARNING,
			    "the name matched only through the CN %.60s: the certificate has no "
			    "subjectAltName, which peers following RFC 6125 require",
			    leaf->subject_cn);
		/* a trunk certificate serves both roles: each side is server and client */
		if (leaf->eku_present && !leaf->eku_server_auth)
			add(&a, "no_server_auth", peer_is_server ? FINDING_ERROR : FINDING_WARNING,
			    "extended key usage lacks serverAuth (%s)", leaf->extended_key_usage);
		if (leaf->eku_present && !leaf->eku_client_auth)
			add(&a, "no_client_auth", peer_is_server ? FINDING_WARNING : FINDING_ERROR,
			    "extended key usage lacks clientAuth (%s): the far end cannot call us with it",
			    leaf->extended_key_usage);
	}
	if (h && h->version[0]) {
		if (!strcmp(h->version, "TLSv1") || !strcmp(h->version, "TLSv1.1") ||
		    !strncmp(h->version, "SSL", 3))
			add(&a, "old_tls_version", FINDING_WARNING, "%s negotiated (below TLS 1.2)",
			    h->version);
		if (!h->forward_secrecy)
			add(&a, "no_forward_secrecy", FINDING_WARNING,
			    "cipher %s has no forward secrecy (RSA key exchange)", h->cipher);
	}
	return a.n;
}
