/* The trunk's name check: does a certificate carry the name the far end is known
 * by? One rule for every place that asks (the caller's check of the far end's
 * certificate, tls.expect_peer.names and .subject_cn, uas --expect-peer-subject).
 * Pure: works on the CN and the subjectAltName text that certfacts reads off a
 * certificate ("DNS:a.example.com, IP:127.0.0.1, URI:sip:example.com"). */
#ifndef TL_CERT_NAME_H
#define TL_CERT_NAME_H
#include <stdbool.h>
#include <stddef.h>

/* Whether name[0..len) is carried: a DNS name equals the CN or a DNS subjectAltName,
 * compared case-insensitively (a trailing dot ignored), where a certificate name
 * whose whole left-most label is "*" stands for exactly one label of at least two
 * more ("*.example.com" carries "a.example.com", not "example.com" nor
 * "a.b.example.com"; "*.com" carries nothing); an IP literal equals an IP
 * subjectAltName (any textual form of the same address). */
bool cert_name_carried(const char *cn, const char *san, const char *name, size_t len);

/* Whether one of names is carried: names separated by spaces, commas, semicolons
 * or colons, as a call manager's trunk security profile lists them. An empty list
 * carries nothing. */
bool cert_names_carried(const char *cn, const char *san, const char *names);

/* The separators of such a list. */
#define CERT_NAME_SEPARATORS " ,;:"

#endif
