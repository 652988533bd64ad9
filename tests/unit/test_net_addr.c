/* net_addr: addresses of either family as SIP writes them (an IPv6 host in brackets in
 * URIs and Via, bare in SDP), and source ranges of either family. */
#include "check.h"
#include "net_addr.h"
#include <string.h>

static void test_text(void)
{
	union tl_sockaddr a;
	char t[TL_HOSTPORT_TEXT];
	CU_ASSERT_EQUAL_FATAL(tl_sockaddr_set(&a, "192.0.2.7", 5061), 0);
	CU_ASSERT_EQUAL(a.sa.sa_family, AF_INET);
	CU_ASSERT_EQUAL(tl_sockaddr_len(&a), sizeof(struct sockaddr_in));
	CU_ASSERT_EQUAL(tl_sockaddr_port(&a), 5061);
	CU_ASSERT_STRING_EQUAL(tl_sockaddr_ip(&a, t, sizeof(t)), "192.0.2.7");
	CU_ASSERT_STRING_EQUAL(tl_sockaddr_hostport(&a, t, sizeof(t)), "192.0.2.7:5061");

	CU_ASSERT_EQUAL_FATAL(tl_sockaddr_set(&a, "2001:DB8:0::1", 65535), 0);
	CU_ASSERT_EQUAL(a.sa.sa_family, AF_INET6);
	CU_ASSERT_EQUAL(tl_sockaddr_len(&a), sizeof(struct sockaddr_in6));
	CU_ASSERT_STRING_EQUAL(tl_sockaddr_ip(&a, t, sizeof(t)), "2001:db8::1");
	CU_ASSERT_STRING_EQUAL(tl_sockaddr_hostport(&a, t, sizeof(t)), "[2001:db8::1]:65535");
	/* the longest there is fits */
	CU_ASSERT_EQUAL_FATAL(tl_sockaddr_set(&a, "ffff:ffff:ffff:ffff:ffff:ffff:255.255.255.255", 65535), 0);
	CU_ASSERT_STRING_EQUAL(tl_sockaddr_hostport(&a, t, sizeof(t)),
			       "[ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff]:65535");
	CU_ASSERT_EQUAL_FATAL(tl_sockaddr_set(&a, "::ffff:255.255.255.255", 1), 0);
	CU_ASSERT_STRING_EQUAL(tl_sockaddr_hostport(&a, t, sizeof(t)), "[::ffff:255.255.255.255]:1");

	CU_ASSERT_EQUAL(tl_sockaddr_set(&a, "uas.example", 1), -EINVAL);
	CU_ASSERT_EQUAL(tl_sockaddr_set(&a, "[::1]", 1), -EINVAL);
	CU_ASSERT_EQUAL(tl_sockaddr_len(&a), 0);
	CU_ASSERT_STRING_EQUAL(tl_sockaddr_ip(&a, t, sizeof(t)), "?");
}

static void test_same(void)
{
	union tl_sockaddr a, b;
	tl_sockaddr_set(&a, "::1", 20000);
	tl_sockaddr_set(&b, "0::1", 20000);
	CU_ASSERT_TRUE(tl_sockaddr_same(&a, &b));
	tl_sockaddr_set(&b, "::1", 20001);
	CU_ASSERT_FALSE(tl_sockaddr_same(&a, &b));
	tl_sockaddr_set(&b, "127.0.0.1", 20000);
	CU_ASSERT_FALSE(tl_sockaddr_same(&a, &b));
	tl_sockaddr_set(&a, "127.0.0.1", 20000);
	CU_ASSERT_TRUE(tl_sockaddr_same(&a, &b));
	tl_sockaddr_set(&a, "127.0.0.2", 20000);
	CU_ASSERT_FALSE(tl_sockaddr_same(&a, &b));
}

static void test_uri_host(void)
{
	char t[TL_HOST_TEXT + 300];
	CU_ASSERT_EQUAL(tl_uri_host("::1", t, sizeof(t)), 5);
	CU_ASSERT_STRING_EQUAL(t, "[::1]");
	tl_uri_host("[::1]", t, sizeof(t)); /* once only */
	CU_ASSERT_STRING_EQUAL(t, "[::1]");
	tl_uri_host("10.1.2.3", t, sizeof(t));
	CU_ASSERT_STRING_EQUAL(t, "10.1.2.3");
	tl_uri_host("cucm-a.example.com", t, sizeof(t));
	CU_ASSERT_STRING_EQUAL(t, "cucm-a.example.com");
	CU_ASSERT_STRING_EQUAL(tl_hostport_text("2001:db8::5", 5061, t, sizeof(t)), "[2001:db8::5]:5061");
	CU_ASSERT_STRING_EQUAL(tl_hostport_text("sbc.example", 5061, t, sizeof(t)), "sbc.example:5061");
	CU_ASSERT_EQUAL(tl_uri_host("::1", t, 3), 5); /* cut: the length it needed */
	CU_ASSERT_STRING_EQUAL(t, "[:");
}

static void test_range(void)
{
	struct tl_addr_range r = { .family = AF_INET6, .n = 3 };
	union tl_sockaddr a;
	char t[TL_IP_TEXT];
	CU_ASSERT_EQUAL(inet_pton(AF_INET6, "2001:db8::10ff", r.first), 1);
	tl_addr_range_at(&r, 0, &a);
	CU_ASSERT_STRING_EQUAL(tl_sockaddr_ip(&a, t, sizeof(t)), "2001:db8::10ff");
	CU_ASSERT_EQUAL(tl_sockaddr_port(&a), 0);
	tl_addr_range_at(&r, 2, &a); /* carries into the next byte */
	CU_ASSERT_STRING_EQUAL(tl_sockaddr_ip(&a, t, sizeof(t)), "2001:db8::1101");
	r = (struct tl_addr_range){ .family = AF_INET, .first = { 10, 0, 0, 254 }, .n = 5 };
	tl_addr_range_at(&r, 4, &a);
	CU_ASSERT_EQUAL(a.sa.sa_family, AF_INET);
	CU_ASSERT_STRING_EQUAL(tl_sockaddr_ip(&a, t, sizeof(t)), "10.0.1.2");
}

static const struct tl_case cases[] = {
	{ "text", test_text },
	{ "same", test_same },
	{ "uri_host", test_uri_host },
	{ "range", test_range },
};

int main(void)
{
	return tl_run("net_addr", TL_CASES(cases));
}
