#include "ip_frame.h"
#include "be.h"
#include <errno.h>
#include <netinet/in.h>
#include <stdbool.h>
#include <string.h>

/* The one's complement sum of n bytes (RFC 1071), to be folded by fold(). */
static uint32_t sum(uint32_t acc, const uint8_t *p, size_t n)
{
	for (; n > 1; p += 2, n -= 2)
		acc += (uint32_t)p[0] << 8 | p[1];
	if (n)
		acc += (uint32_t)p[0] << 8;
	return acc;
}

static uint16_t fold(uint32_t acc)
{
	while (acc >> 16)
		acc = (acc & 0xffff) + (acc >> 16);
	return (uint16_t)~acc;
}

int ip_frame_build(uint8_t *out, size_t cap, const struct ip_frame *f)
{
	int family = f->src->sa_family;
	bool tcp = f->proto == IPPROTO_TCP;
	size_t wire = tcp ? f->len : f->wire_len;
	if (family != f->dst->sa_family || (family != AF_INET && family != AF_INET6) ||
	    (!tcp && f->proto != IPPROTO_UDP) || wire < f->len || wire > IP_FRAME_MAX_PAYLOAD)
		return -EINVAL;
	size_t ip_len = family == AF_INET ? 20 : 40, l4_len = tcp ? 20 : 8;
	if (cap < ip_len + l4_len + f->len)
		return -ENOSPC;
	const uint8_t *saddr, *daddr;
	size_t alen;
	uint16_t sport, dport;
	if (family == AF_INET) {
		const struct sockaddr_in *s = (const void *)f->src, *d = (const void *)f->dst;
		saddr = (const uint8_t *)&s->sin_addr;
		daddr = (const uint8_t *)&d->sin_addr;
		alen = 4;
		sport = ntohs(s->sin_port);
		dport = ntohs(d->sin_port);
	} else {
		const struct sockaddr_in6 *s = (const void *)f->src, *d = (const void *)f->dst;
		saddr = (const uint8_t *)&s->sin6_addr;
		daddr = (const uint8_t *)&d->sin6_addr;
		alen = 16;
		sport = ntohs(s->sin6_port);
		dport = ntohs(d->sin6_port);
	}
	size_t seg_len = l4_len + wire;
	uint8_t *ip = out, *l4 = out + ip_len;
	memset(out, 0, ip_len + l4_len);
	if (family == AF_INET) {
		ip[0] = 0x45;
		be_put16(ip + 2, (uint32_t)(ip_len + seg_len));
		be_put16(ip + 6, 0x4000); /* don't fragment */
		ip[8] = 64;
		ip[9] = (uint8_t)f->proto;
		memcpy(ip + 12, saddr, 4);
		memcpy(ip + 16, daddr, 4);
		be_put16(ip + 10, fold(sum(0, ip, 20)));
	} else {
		ip[0] = 0x60;
		be_put16(ip + 4, (uint32_t)seg_len);
		ip[6] = (uint8_t)f->proto;
		ip[7] = 64;
		memcpy(ip + 8, saddr, 16);
		memcpy(ip + 24, daddr, 16);
	}
	be_put16(l4, sport);
	be_put16(l4 + 2, dport);
	if (tcp) {
		be_put32(l4 + 4, f->seq);
		be_put32(l4 + 8, f->ack);
		l4[12] = 5 << 4;
		l4[13] = 0x18; /* PSH, ACK */
		be_put16(l4 + 14, 65535);
	} else {
		be_put16(l4 + 4, (uint32_t)seg_len);
	}
	if (f->len)
		memcpy(l4 + l4_len, f->payload, f->len);
	if (wire == f->len) { /* the checksum covers a pseudo-header, the header and the payload */
		uint8_t pseudo[4] = { 0, (uint8_t)f->proto };
		be_put16(pseudo + 2, (uint32_t)seg_len);
		uint32_t acc = sum(sum(sum(0, saddr, alen), daddr, alen), pseudo, 4);
		uint16_t c = fold(sum(acc, l4, seg_len));
		be_put16(l4 + (tcp ? 16 : 6), !tcp && c == 0 ? 0xffff : c);
	}
	return (int)(ip_len + l4_len + f->len);
}
