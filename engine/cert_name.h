/* The trunk's name check: does a certificate carry the name the far end is known
 * by? One rule for every place that asks (the caller's check of the far end's
 * certificate, tls.expect_peer.names and .subject_cn, uas --expect-peer-subject).
 * Pure: works on the CN and the subjectAltName text that certfacts reads off a
 * certificate ("DNS:a.example.com, IP:127.0.0.1, URI:sip:example.com"). */
#ifndef TL_CERT_NAME_H
#define TL_CERT_NAME_H
#include <stdbool.h>
#include <stddef.h>

/* How a certificate carries a name (RFC 6125, RFC 5922 for SIP). A DNS name: by a DNS
 * subjectAltName, compared case-insensitively (a trailing dot ignored), where a
 * certificate name whose whole left-most label is "*" stands for exactly one label of
 * at least two more ("*.example.com" carries "a.example.com", not "example.com" nor
 * "a.b.example.com"; "*.com" carries nothing); or by a "URI:sip:DOMAIN" (or sips:)
 * subjectAltName naming it exactly; or by the CN (the same DNS rule), but only when the
 * certificate has no DNS, URI or IP subjectAltName at all. An IP literal: by an IP
 * subjectAltName (any textual form of the same address), never by the CN. */
enum cert_name_match { CERT_NAME_NONE = 0, CERT_NAME_SAN, CERT_NAME_CN };

/* How name[0..len) is carried. */
enum cert_name_match cert_name_match(const char *cn, const char *san, const char *name,
				     size_t len);

/* Whether name[0..len) is carried at all. */
bool cert_name_carried(const char *cn, const char *san, const char *name, size_t len);

/* The best way one of names is carried (a SAN before the CN): names separated by
 * spaces, commas, semicolons or colons, as a call manager's trunk security profile
 * lists them. An empty list carries nothing. */
enum cert_name_match cert_names_match(const char *cn, const char *san, const char *names);
bool cert_names_carried(const char *cn, const char *san, const char *names);

/* The separators of such a list. */
#define CERT_NAME_SEPARATORS " ,;:"

#endif
