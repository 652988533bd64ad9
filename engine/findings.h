/* Findings about a far end's TLS: what its certificate chain and the negotiated
 * parameters tell an operator, each with a severity. Pure: works on facts that
 * the TLS adapter collected. */
#ifndef TL_FINDINGS_H
#define TL_FINDINGS_H
#include <stdbool.h>
#include <stddef.h>
#include "certfacts.h"

enum finding_severity { FINDING_INFO = 0, FINDING_WARNING, FINDING_ERROR };

struct finding {
	char code[24];     /* "expired", "name_mismatch", ... (stable: scripts match on it) */
	enum finding_severity severity;
	char message[256];
};

/* What the handshake itself showed, besides the peer's certificates. */
struct handshake_facts {
	char version[16];       /* "TLSv1.3"; "" when the handshake did not finish */
	char cipher[64];
	bool forward_secrecy;   /* (EC)DHE key exchange, or TLS 1.3 */
	int verify_error;       /* OpenSSL's X509_V_ERR_* for the peer's chain, 0: verified */
	char verify_text[128];  /* OpenSSL's words for it */
	int verify_depth;       /* where in the chain it failed */
	char group[24];         /* key-exchange group ("X25519"), "" when unknown */
	bool resumed;           /* the session was resumed */
	bool cert_request;      /* the server asked for a client certificate */
	char ca_names[320];     /* the CA names it listed, "; "-separated */
	char expected_names[256]; /* the name(s) the peer's certificate had to carry, "" none */
	char revoked[96];       /* a revoked certificate's subject, date and reason (from the
				 * CRL or the stapled OCSP response), "" none */
	char ocsp[12];          /* the stapled OCSP status: "good", "revoked", "unknown",
				 * "invalid" (does not verify), "unverified" (no chain to verify
				 * it with), "none" (nothing stapled) or "" (not asked: the peer
				 * is a client) */
	char crl_missing[160];  /* with --crl: the certificate whose issuer had no CRL there
				 * (its revocation unchecked), "" none */
};

#define FINDINGS_MAX 24

/* Findings for a peer: leaf (and chain) facts, handshake facts, and the number of
 * days below which an expiry is worth a warning. Writes at most max, returns how
 * many. Codes: expired, not_yet_valid, expires_soon, untrusted, name_mismatch,
 * self_signed, weak_key, sha1_signature, no_server_auth, no_client_auth,
 * old_tls_version, no_forward_secrecy, verify_failed (any other chain error), revoked,
 * incomplete_chain (the issuer of a certificate sent was neither sent nor trusted),
 * chain_order (sent out of order), cn_only (the expected name matched only through the
 * CN), revocation_unchecked (--crl given, but not for every issuer), ocsp_unusable (a
 * stapled OCSP response that does not verify or says unknown). */
unsigned findings_for_peer(const struct cert_facts *chain, unsigned n_chain,
			   const struct handshake_facts *h, int warn_days, bool peer_is_server,
			   struct finding *out, unsigned max);

const char *finding_severity_name(enum finding_severity s);

/* Every code findings_for_peer can give, NULL-terminated (what a scenario's
 * tls.expect_peer.findings may name). */
extern const char *const finding_codes[];

#endif
