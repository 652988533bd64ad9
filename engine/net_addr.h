/* Socket addresses of either family (IPv4, IPv6), and their text as SIP writes it: a
 * URI or Via host puts an IPv6 address in brackets, an SDP c= line does not. */
#ifndef TL_NET_ADDR_H
#define TL_NET_ADDR_H
#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>

union tl_sockaddr {
	struct sockaddr sa;
	struct sockaddr_in in;
	struct sockaddr_in6 in6;
};

#define TL_IP_TEXT INET6_ADDRSTRLEN             /* an address, without brackets, and its NUL */
#define TL_HOST_TEXT (INET6_ADDRSTRLEN + 2)     /* as a URI host: "[v6]" */
#define TL_HOSTPORT_TEXT (INET6_ADDRSTRLEN + 8) /* "[v6]:65535" */

/* The length a call such as connect or bind takes (0: neither family). */
socklen_t tl_sockaddr_len(const union tl_sockaddr *a);

/* The port, in host order (0: neither family). */
uint16_t tl_sockaddr_port(const union tl_sockaddr *a);

/* "192.0.2.1" or "2001:db8::1" into out (cap >= TL_IP_TEXT); "?" for neither family. */
const char *tl_sockaddr_ip(const union tl_sockaddr *a, char *out, size_t cap);

/* "192.0.2.1:5061" or "[2001:db8::1]:5061" into out (cap >= TL_HOSTPORT_TEXT). */
const char *tl_sockaddr_hostport(const union tl_sockaddr *a, char *out, size_t cap);

/* A numeric address of either family ("192.0.2.1", "2001:db8::1") and a port into a.
 * 0, or -EINVAL when ip is neither. */
int tl_sockaddr_set(union tl_sockaddr *a, const char *ip, uint16_t port);

/* Same family, address and port. */
bool tl_sockaddr_same(const union tl_sockaddr *a, const union tl_sockaddr *b);

/* Whether host is an IPv6 address as text (it holds a colon: no name or IPv4 does). */
static inline bool tl_host_is_v6(const char *host)
{
	for (; *host; host++)
		if (*host == ':')
			return true;
	return false;
}

/* host as a URI or Via writes it: an IPv6 address in brackets, anything else as it is.
 * The length written, or the length needed when cap is too small (out then cut). */
size_t tl_uri_host(const char *host, char *out, size_t cap);

/* Local addresses first .. first + n - 1, that differ in their last 16 bits at most. */
struct tl_addr_range {
	int family;              /* AF_INET or AF_INET6; 0: none */
	unsigned char first[16]; /* network order: 4 bytes for IPv4 */
	uint32_t n;
};

/* Address i (< n) of r, port 0. */
void tl_addr_range_at(const struct tl_addr_range *r, uint32_t i, union tl_sockaddr *out);

/* "host:port" as people and SIP read it: "[2001:db8::1]:5061" for an IPv6 host. */
const char *tl_hostport_text(const char *host, uint16_t port, char *out, size_t cap);

#endif
