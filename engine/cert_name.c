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

bool cert_name_carried(const char *cn, const char *san, const char *name, size_t len)
{
	unsigned char want[16], have[16];
	size_t ip_len = ip_bytes(name, len, want);
	if (!ip_len && cn && dns_match(cn, strlen(cn), name, len))
		return true;
	/* entries are ", "-separated; certfacts keeps ',' out of their values */
	for (const char *p = san ? san : ""; *p;) {
		size_t n = strcspn(p, ",");
		if (ip_len && n > 3 && !memcmp(p, "IP:", 3)) {
			if (ip_bytes(p + 3, n - 3, have) == ip_len && !memcmp(want, have, ip_len))
				return true;
		} else if (!ip_len && n > 4 && !memcmp(p, "DNS:", 4)) {
			if (dns_match(p + 4, n - 4, name, len))
				return true;
		}
		p += n;
		p += strspn(p, ", ");
	}
	return false;
}

bool cert_names_carried(const char *cn, const char *san, const char *names)
{
	for (const char *p = names ? names : ""; *p;) {
		size_t n = strcspn(p, CERT_NAME_SEPARATORS);
		if (n && cert_name_carried(cn, san, p, n))
			return true;
		p += n;
		p += strspn(p, CERT_NAME_SEPARATORS);
	}
	return false;
}
