#include "net_addr.h"
#include <errno.h>
#include <stdio.h>
#include <string.h>

socklen_t tl_sockaddr_len(const union tl_sockaddr *a)
{
	return a->sa.sa_family == AF_INET ? sizeof(a->in) :
	       a->sa.sa_family == AF_INET6 ? sizeof(a->in6) : 0;
}

uint16_t tl_sockaddr_port(const union tl_sockaddr *a)
{
	return a->sa.sa_family == AF_INET ? ntohs(a->in.sin_port) :
	       a->sa.sa_family == AF_INET6 ? ntohs(a->in6.sin6_port) : 0;
}

const char *tl_sockaddr_ip(const union tl_sockaddr *a, char *out, size_t cap)
{
	const void *raw = a->sa.sa_family == AF_INET ? (const void *)&a->in.sin_addr :
			  a->sa.sa_family == AF_INET6 ? (const void *)&a->in6.sin6_addr : NULL;
	if (!raw || !inet_ntop(a->sa.sa_family, raw, out, (socklen_t)cap))
		snprintf(out, cap, "?");
	return out;
}

const char *tl_sockaddr_hostport(const union tl_sockaddr *a, char *out, size_t cap)
{
	char ip[TL_IP_TEXT];
	tl_sockaddr_ip(a, ip, sizeof(ip));
	bool v6 = a->sa.sa_family == AF_INET6;
	snprintf(out, cap, "%s%s%s:%u", v6 ? "[" : "", ip, v6 ? "]" : "", tl_sockaddr_port(a));
	return out;
}

int tl_sockaddr_set(union tl_sockaddr *a, const char *ip, uint16_t port)
{
	memset(a, 0, sizeof(*a));
	if (inet_pton(AF_INET, ip, &a->in.sin_addr) == 1) {
		a->in.sin_family = AF_INET;
		a->in.sin_port = htons(port);
		return 0;
	}
	if (inet_pton(AF_INET6, ip, &a->in6.sin6_addr) == 1) {
		a->in6.sin6_family = AF_INET6;
		a->in6.sin6_port = htons(port);
		return 0;
	}
	return -EINVAL;
}

bool tl_sockaddr_same(const union tl_sockaddr *a, const union tl_sockaddr *b)
{
	if (a->sa.sa_family != b->sa.sa_family)
		return false;
	if (a->sa.sa_family == AF_INET)
		return a->in.sin_addr.s_addr == b->in.sin_addr.s_addr && a->in.sin_port == b->in.sin_port;
	if (a->sa.sa_family == AF_INET6)
		return !memcmp(&a->in6.sin6_addr, &b->in6.sin6_addr, sizeof(a->in6.sin6_addr)) &&
		       a->in6.sin6_port == b->in6.sin6_port;
	return false;
}

size_t tl_uri_host(const char *host, char *out, size_t cap)
{
	bool v6 = tl_host_is_v6(host) && host[0] != '[';
	int n = snprintf(out, cap, "%s%s%s", v6 ? "[" : "", host, v6 ? "]" : "");
	return n < 0 ? 0 : (size_t)n;
}

const char *tl_hostport_text(const char *host, uint16_t port, char *out, size_t cap)
{
	bool v6 = tl_host_is_v6(host) && host[0] != '[';
	snprintf(out, cap, "%s%s%s:%u", v6 ? "[" : "", host, v6 ? "]" : "", port);
	return out;
}

void tl_addr_range_at(const struct tl_addr_range *r, uint32_t i, union tl_sockaddr *out)
{
	memset(out, 0, sizeof(*out));
	unsigned char *a = r->family == AF_INET6 ? out->in6.sin6_addr.s6_addr : (unsigned char *)&out->in.sin_addr;
	size_t len = r->family == AF_INET6 ? 16 : 4;
	memcpy(a, r->first, len);
	uint32_t low = ((uint32_t)a[len - 2] << 8 | a[len - 1]) + i;
	a[len - 2] = (unsigned char)(low >> 8);
	a[len - 1] = (unsigned char)low;
	out->sa.sa_family = (sa_family_t)r->family;
}
