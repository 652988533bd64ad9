#include "cert_name.h"
#include <arpa/inet.h>
#include <string.h>
#include <strings.h>

static size_t without_dot(const char *p, size_t len)
{
	return len > 1 && p[len - 1] == '.' ? len - 1 : len;
}

/* A certificate's DNS name (pattern) against the name we look for. */
static bool dns_match(const char *pat, size_t plen, const char *name, size_t nlen)
{
	plen = without_dot(pat, plen);
	nlen = without_dot(name, nlen);
	if (!plen || !nlen)
		return false;
	if (plen == nlen && !strncasecmp(pat, name, nlen))
		return true;
	if (plen < 3 || pat[0] != '*' || pat[1] != '.')
		return false;
	const char *rest = pat + 1; /* ".example.com": at least two labels */
	size_t rlen = plen - 1;
	if (!memchr(rest + 1, '.', rlen - 1))
		return false;
	const char *dot = memchr(name, '.', nlen);
	if (!dot || dot == name)
		return false;
	size_t tail = nlen - (size_t)(dot - name);
	return tail == rlen && !strncasecmp(dot, rest, rlen);
}

/* Reads an IP literal into out (4 or 16 bytes). Returns its length, 0 if it is none. */
static size_t ip_bytes(const char *p, size_t len, unsigned char out[16])
{
	char text[64];
	if (!len || len >= sizeof(text))
		return 0;
	memcpy(text, p, len);
	text[len] = 0;
	if (inet_pton(AF_INET, text, out) == 1)
		return 4;
	return inet_pton(AF_INET6, text, out) == 1 ? 16 : 0;
}

/* A "sip:DOMAIN" or "sips:DOMAIN" URI (no user part) naming name (RFC 5922 7.1). */
static bool sip_uri_match(const char *uri, size_t ulen, const char *name, size_t nlen)
{
	size_t scheme = ulen > 4 && !strncasecmp(uri, "sip:", 4)    ? 4
			: ulen > 5 && !strncasecmp(uri, "sips:", 5) ? 5 : 0;
	if (!scheme || memchr(uri, '@', ulen))
		return false;
	uri += scheme;
	ulen -= scheme;
	ulen = without_dot(uri, ulen);
	nlen = without_dot(name, nlen);
	return ulen == nlen && !strncasecmp(uri, name, nlen);
}

static bool is_type(const char *p, size_t n, const char *type)
{
	size_t t = strlen(type);
	return n > t && !memcmp(p, type, t);
}

enum cert_name_match cert_name_match(const char *cn, const char *san, const char *name,
				     size_t len)
{
	unsigned char want[16], have[16];
	size_t ip_len = ip_bytes(name, len, want);
	bool any_name_san = false;
	/* entries are ", "-separated; certfacts keeps ',' out of their values */
	for (const char *p = san ? san : ""; *p;) {
		size_t n = strcspn(p, ",");
		if (is_type(p, n, "IP:")) {
			any_name_san = true;
			if (ip_len && ip_bytes(p + 3, n - 3, have) == ip_len && !memcmp(want, have, ip_len))
				return CERT_NAME_SAN;
		} else if (is_type(p, n, "DNS:")) {
			any_name_san = true;
			if (!ip_len && dns_match(p + 4, n - 4, name, len))
				return CERT_NAME_SAN;
		} else if (is_type(p, n, "URI:")) {
			any_name_san = true;
			if (!ip_len && sip_uri_match(p + 4, n - 4, name, len))
				return CERT_NAME_SAN;
		}
		p += n;
		p += strspn(p, ", ");
	}
	if (!any_name_san && !ip_len && cn && dns_match(cn, strlen(cn), name, len))
		return CERT_NAME_CN;
	return CERT_NAME_NONE;
}

bool cert_name_carried(const char *cn, const char *san, const char *name, size_t len)
{
	return cert_name_match(cn, san, name, len) != CERT_NAME_NONE;
}

enum cert_name_match cert_names_match(const char *cn, const char *san, const char *names)
{
	enum cert_name_match best = CERT_NAME_NONE;
	for (const char *p = names ? names : ""; *p && best != CERT_NAME_SAN;) {
		size_t n = strcspn(p, CERT_NAME_SEPARATORS);
		enum cert_name_match m = n ? cert_name_match(cn, san, p, n) : CERT_NAME_NONE;
		if (m == CERT_NAME_SAN || (m == CERT_NAME_CN && best == CERT_NAME_NONE))
			best = m;
		p += n;
		p += strspn(p, CERT_NAME_SEPARATORS);
	}
	return best;
}

bool cert_names_carried(const char *cn, const char *san, const char *names)
{
	return cert_names_match(cn, san, names) != CERT_NAME_NONE;
}
