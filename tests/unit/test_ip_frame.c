/* ip_frame: the synthetic packets of --pcap carry the real addresses and ports, TCP
 * sequence numbers that let a reader reassemble the stream, lengths that say what was
 * sent when only a header was captured, and checksums a receiver accepts. */
#include "check.h"
#include "ip_frame.h"
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <string.h>

static unsigned get16(const uint8_t *p)
{
	return (unsigned)p[0] << 8 | p[1];
}

static uint32_t get32(const uint8_t *p)
{
	return (uint32_t)get16(p) << 16 | get16(p + 2);
}

/* RFC 1071 as a receiver checks it: the sum over what the checksum covers, the
 * checksum included, is 0xffff. */
static unsigned ones_sum(const uint8_t *p, size_t n, unsigned acc)
{
	for (size_t i = 0; i + 1 < n; i += 2)
		acc += get16(p + i);
	if (n & 1)
		acc += (unsigned)p[n - 1] << 8;
	while (acc >> 16)
		acc = (acc & 0xffff) + (acc >> 16);
	return acc;
}

static unsigned pseudo_sum(const uint8_t *src, const uint8_t *dst, size_t alen, int proto, size_t len)
{
	unsigned acc = ones_sum(src, alen, 0);
	acc = ones_sum(dst, alen, acc);
	return acc + (unsigned)proto + (unsigned)len;
}

static struct sockaddr_in v4(const char *ip, uint16_t port)
{
	struct sockaddr_in a = { .sin_family = AF_INET, .sin_port = htons(port) };
	inet_pton(AF_INET, ip, &a.sin_addr);
	return a;
}

static struct sockaddr_in6 v6(const char *ip, uint16_t port)
{
	struct sockaddr_in6 a = { .sin6_family = AF_INET6, .sin6_port = htons(port) };
	inet_pton(AF_INET6, ip, &a.sin6_addr);
	return a;
}

static void test_tcp_over_ipv4(void)
{
	static const char sip[] = "OPTIONS sip:ping@127.0.0.2 SIP/2.0\r\n\r\n"; /* odd length */
	struct sockaddr_in s = v4("127.0.0.1", 40001), d = v4("127.0.0.2", 5061);
	struct ip_frame f = { .src = (struct sockaddr *)&s, .dst = (struct sockaddr *)&d,
			      .proto = IPPROTO_TCP, .seq = 1001, .ack = 77, .payload = sip,
			      .len = sizeof(sip) - 1 };
	uint8_t out[256];
	int n = ip_frame_build(out, sizeof(out), &f);
	CU_ASSERT_FATAL(n == 40 + (int)f.len);
	CU_ASSERT(out[0] == 0x45);
	CU_ASSERT(get16(out + 2) == (unsigned)n);
	CU_ASSERT(out[9] == IPPROTO_TCP);
	CU_ASSERT(memcmp(out + 12, "\x7f\0\0\x01\x7f\0\0\x02", 8) == 0);
	CHECK(ones_sum(out, 20, 0) == 0xffff, "the IPv4 header checksum holds");
	const uint8_t *t = out + 20;
	CU_ASSERT(get16(t) == 40001 && get16(t + 2) == 5061);
	CU_ASSERT(get32(t + 4) == 1001 && get32(t + 8) == 77);
	CU_ASSERT(t[12] >> 4 == 5);
	CU_ASSERT(t[13] == 0x18);
	CU_ASSERT(memcmp(t + 20, sip, f.len) == 0);
	unsigned acc = pseudo_sum(out + 12, out + 16, 4, IPPROTO_TCP, 20 + f.len);
	CHECK(ones_sum(t, 20 + f.len, acc) == 0xffff, "the TCP checksum holds");
}

static void test_udp_over_ipv6(void)
{
	uint8_t rtp[172] = { 0x80, 0x00, 0x12, 0x34 };
	for (size_t i = 4; i < sizeof(rtp); i++)
		rtp[i] = (uint8_t)(i * 37);
	struct sockaddr_in6 s = v6("::1", 30000), d = v6("2001:db8::10", 40002);
	struct ip_frame f = { .src = (struct sockaddr *)&s, .dst = (struct sockaddr *)&d,
			      .proto = IPPROTO_UDP, .payload = rtp, .len = sizeof(rtp),
			      .wire_len = sizeof(rtp) };
	uint8_t out[512];
	int n = ip_frame_build(out, sizeof(out), &f);
	CU_ASSERT_FATAL(n == 48 + (int)sizeof(rtp));
	CU_ASSERT(out[0] >> 4 == 6);
	CU_ASSERT(get16(out + 4) == 8 + sizeof(rtp));
	CU_ASSERT(out[6] == IPPROTO_UDP);
	CU_ASSERT(memcmp(out + 8, &s.sin6_addr, 16) == 0 && memcmp(out + 24, &d.sin6_addr, 16) == 0);
	const uint8_t *u = out + 40;
	CU_ASSERT(get16(u) == 30000 && get16(u + 2) == 40002 && get16(u + 4) == 8 + sizeof(rtp));
	unsigned acc = pseudo_sum(out + 8, out + 24, 16, IPPROTO_UDP, 8 + sizeof(rtp));
	CHECK(ones_sum(u, 8 + sizeof(rtp), acc) == 0xffff, "the UDP checksum holds");

	/* only the RTP header captured: the lengths still say what was sent */
	f.len = 12;
	n = ip_frame_build(out, sizeof(out), &f);
	CU_ASSERT_FATAL(n == 48 + 12);
	CU_ASSERT(get16(out + 4) == 8 + sizeof(rtp));
	CU_ASSERT(get16(out + 44) == 8 + sizeof(rtp));
	CU_ASSERT(get16(out + 46) == 0); /* no checksum over bytes not captured */
	CU_ASSERT(memcmp(out + 48, rtp, 12) == 0);
}

static void test_refused(void)
{
	struct sockaddr_in s = v4("127.0.0.1", 1);
	struct sockaddr_in6 d = v6("::1", 2);
	static uint8_t big[IP_FRAME_MAX_PAYLOAD + 1];
	uint8_t out[128];
	struct ip_frame f = { .src = (struct sockaddr *)&s, .dst = (struct sockaddr *)&d,
			      .proto = IPPROTO_TCP, .payload = "x", .len = 1 };
	CU_ASSERT(ip_frame_build(out, sizeof(out), &f) == -EINVAL); /* families differ */
	struct sockaddr_in d4 = v4("127.0.0.2", 2);
	f.dst = (struct sockaddr *)&d4;
	f.proto = IPPROTO_ICMP;
	CU_ASSERT(ip_frame_build(out, sizeof(out), &f) == -EINVAL);
	f.proto = IPPROTO_TCP;
	f.payload = big;
	f.len = sizeof(big);
	CU_ASSERT(ip_frame_build(out, sizeof(out), &f) == -EINVAL); /* over one packet */
	f.len = 100;
	CU_ASSERT(ip_frame_build(out, sizeof(out), &f) == -ENOSPC);
	f.proto = IPPROTO_UDP;
	f.len = 10;
	f.wire_len = 5; /* captured more than was sent */
	CU_ASSERT(ip_frame_build(out, sizeof(out), &f) == -EINVAL);
}

static const struct tl_case cases[] = {
	{ "tcp_over_ipv4", test_tcp_over_ipv4 },
	{ "udp_over_ipv6", test_udp_over_ipv6 },
	{ "refused", test_refused },
};

int main(void)
{
	return tl_run("ip_frame", TL_CASES(cases));
}
