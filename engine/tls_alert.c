#include "tls_facts.h"
#include <string.h>

const char *tls_version_name(unsigned i)
{
	static const char *const names[TL_TLS_VERSIONS] = { "TLSv1", "TLSv1.1", "TLSv1.2", "TLSv1.3" };
	return i < TL_TLS_VERSIONS ? names[i] : "?";
}

const char *tls_alert_name(unsigned code)
{
	switch (code) {
	case 0: return "close_notify";
	case 10: return "unexpected_message";
	case 20: return "bad_record_mac";
	case 22: return "record_overflow";
	case 40: return "handshake_failure";
	case 42: return "bad_certificate";
	case 43: return "unsupported_certificate";
	case 44: return "certificate_revoked";
	case 45: return "certificate_expired";
	case 46: return "certificate_unknown";
	case 47: return "illegal_parameter";
	case 48: return "unknown_ca";
	case 49: return "access_denied";
	case 50: return "decode_error";
	case 51: return "decrypt_error";
	case 70: return "protocol_version";
	case 71: return "insufficient_security";
	case 80: return "internal_error";
	case 86: return "inappropriate_fallback";
	case 90: return "user_canceled";
	case 109: return "missing_extension";
	case 110: return "unsupported_extension";
	case 112: return "unrecognized_name";
	case 116: return "certificate_required";
	case 120: return "no_application_protocol";
	default: return "unknown_alert";
	}
}

int tls_alert_code(const char *name)
{
	for (unsigned a = 0; a < 256; a++)
		if (!strcmp(tls_alert_name(a), name))
			return (int)a;
	return -1;
}
