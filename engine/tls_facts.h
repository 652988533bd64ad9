/* What a TLS handshake showed, as plain data: the version bits a test allows,
 * alert counts, the far end's chain and handshake facts with their findings.
 * tls.c fills them from OpenSSL; results, the verdict and reports read them
 * without seeing OpenSSL. */
#ifndef TL_TLS_FACTS_H
#define TL_TLS_FACTS_H
#include <stdbool.h>
#include <stdint.h>
#include "certfacts.h"
#include "findings.h"

/* TLS protocol versions, as bits of a set (scenario tls.versions, tls_config). */
#define TL_TLS1_0 (1u << 0)
#define TL_TLS1_1 (1u << 1)
#define TL_TLS1_2 (1u << 2)
#define TL_TLS1_3 (1u << 3)
#define TL_TLS_VERSIONS 4
/* "TLSv1", "TLSv1.1", "TLSv1.2", "TLSv1.3" (OpenSSL's names) for bit index i. */
const char *tls_version_name(unsigned i);

/* Alerts counted per direction and alert code. */
struct tls_alerts {
	uint64_t sent[256], received[256];
};

/* "bad_certificate" for 42; "unknown_alert" for codes without a name. */
const char *tls_alert_name(unsigned code);
/* The first code with this name (unknown_alert: 1, as a report that kept only names
 * cannot tell unknown codes apart), -1 when it names none. */
int tls_alert_code(const char *name);

/* The far end's certificates as it presented them (leaf first), what the handshake
 * showed, and the findings drawn from both. */
struct tls_peer {
	bool seen;
	struct cert_facts chain[CERTFACTS_MAX_CHAIN];
	unsigned n_chain;
	struct handshake_facts hs;
	struct finding findings[FINDINGS_MAX];
	unsigned n_findings;
};

#endif
