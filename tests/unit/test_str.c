/* str.h: the string builder agrees with snprintf, also when it truncates; host and
 * port are read as --target and target.hosts write them. */
#include "tl_test.h"
#include "str.h"

#include <errno.h>
#include <stdio.h>

static void test_hex_like_printf(void)
{
	static const uint32_t vals[] = { 0, 1, 9, 10, 15, 16, 255, 0x1234, 0xdeadbeef, 0xffffffff };
	for (size_t i = 0; i < sizeof(vals) / sizeof(vals[0]); i++) {
		char a[16], b[16];
		struct tl_sb sb = tl_sb_init(a, sizeof(a));
		tl_sb_hex(&sb, vals[i], 1);
		snprintf(b, sizeof(b), "%x", vals[i]);
		CU_ASSERT_STRING_EQUAL(a, b);
		sb = tl_sb_init(a, sizeof(a));
		tl_sb_hex(&sb, vals[i], 8);
		snprintf(b, sizeof(b), "%08x", vals[i]);
		CU_ASSERT_STRING_EQUAL(a, b);
		CU_ASSERT_EQUAL(sb.n, 8);
	}
}

static void test_uint_like_printf(void)
{
	static const uint64_t vals[] = { 0, 7, 10, 5061, 65535, 18446744073709551615ull };
	for (size_t i = 0; i < sizeof(vals) / sizeof(vals[0]); i++) {
		char a[32], b[32];
		struct tl_sb sb = tl_sb_init(a, sizeof(a));
		tl_sb_uint(&sb, vals[i]);
		snprintf(b, sizeof(b), "%llu", (unsigned long long)vals[i]);
		CU_ASSERT_STRING_EQUAL(a, b);
	}
}

static void test_truncates_like_snprintf(void)
{
	for (size_t cap = 1; cap < 24; cap++) {
		char a[24], b[24];
		struct tl_sb sb = tl_sb_init(a, cap);
		tl_sb_put(&sb, "z9hG4bK-", 8);
		tl_sb_cstr(&sb, "0a1b2c3d");
		tl_sb_put(&sb, "-", 1);
		tl_sb_hex(&sb, 0xbeef, 1);
		snprintf(b, cap, "z9hG4bK-%s-%x", "0a1b2c3d", 0xbeefu);
		CU_ASSERT_STRING_EQUAL(a, b);
		CU_ASSERT_EQUAL(sb.n, strlen(b));
	}
}

/* A byte builder fills its buffer exactly and writes no NUL; one byte more is cut. */
static void test_bytes_fill_exactly(void)
{
	char buf[8];
	memset(buf, 'x', sizeof(buf));
	struct tl_sb b = tl_sb_init_bytes(buf, 7);
	TL_SB_LIT(&b, "SIP/2.0");
	CU_ASSERT_FALSE(b.cut);
	CU_ASSERT_EQUAL(b.n, 7);
	CU_ASSERT(!memcmp(buf, "SIP/2.0x", 8));
	tl_sb_put(&b, " ", 1);
	CU_ASSERT_TRUE(b.cut);
	CU_ASSERT_EQUAL(b.n, 7);
	CU_ASSERT_EQUAL(buf[7], 'x');
}

/* Formatted text is cut like the rest and marked when asked; nothing past the end. */
static void test_fmt_and_mark(void)
{
	char buf[16 + 4];
	memset(buf, '#', sizeof(buf));
	struct tl_sb b = tl_sb_init(buf, 16);
	tl_sb_fmt(&b, "%s=%d", "answer", 42);
	CU_ASSERT_STRING_EQUAL(buf, "answer=42");
	CU_ASSERT_FALSE(b.cut);
	tl_sb_fmt(&b, ", %s", "and a long tail");
	CU_ASSERT_TRUE(b.cut);
	CU_ASSERT_EQUAL(strlen(buf), 15);
	tl_sb_mark_cut(&b);
	CU_ASSERT_STRING_EQUAL(buf, "answer=42, a...");
	CU_ASSERT(!memcmp(buf + 16, "####", 4));
	/* later appends change nothing */
	tl_sb_cstr(&b, "x");
	tl_sb_fmt(&b, "%d", 1);
	CU_ASSERT_STRING_EQUAL(buf, "answer=42, a...");
	/* a text that fits is not marked */
	b = tl_sb_init(buf, 16);
	tl_sb_fmt(&b, "%s", "short");
	tl_sb_mark_cut(&b);
	CU_ASSERT_STRING_EQUAL(buf, "short");
	/* a byte builder takes formatted text too */
	char raw[6];
	b = tl_sb_init_bytes(raw, sizeof(raw));
	tl_sb_fmt(&b, "%u-%u", 12u, 345u);
	CU_ASSERT_FALSE(b.cut);
	CU_ASSERT(!memcmp(raw, "12-345", 6));
	tl_sb_fmt(&b, "%c", 'z');
	CU_ASSERT_TRUE(b.cut);
	/* an empty buffer stays untouched */
	b = tl_sb_init(NULL, 0);
	tl_sb_fmt(&b, "%s", "x");
	tl_sb_cstr(&b, "y");
	CU_ASSERT_TRUE(b.cut);
	CU_ASSERT_EQUAL(b.n, 0);
}

static int hp(const char *s, size_t len, char *host, uint16_t *port)
{
	return tl_hostport_parse(s, len, host, 64, port, 5061);
}

static void test_hostport(void)
{
	char h[64];
	uint16_t port;
	CU_ASSERT(hp("10.0.0.2:5062", 13, h, &port) == 0 && !strcmp(h, "10.0.0.2") && port == 5062);
	CU_ASSERT(hp("cucm-b.example.com", 18, h, &port) == 0 && !strcmp(h, "cucm-b.example.com") &&
		  port == 5061);
	CU_ASSERT(hp("[::1]:5070", 10, h, &port) == 0 && !strcmp(h, "::1") && port == 5070);
	CU_ASSERT(hp("[::1]", 5, h, &port) == 0 && !strcmp(h, "::1") && port == 5061);
	CU_ASSERT(hp("2001:db8::1", 11, h, &port) == 0 && !strcmp(h, "2001:db8::1") && port == 5061);
	/* the first of a list: only len bytes are read */
	CU_ASSERT(hp("a:5061,b:5062", 6, h, &port) == 0 && !strcmp(h, "a") && port == 5061);
	CU_ASSERT(hp("a:0", 3, h, &port) == -ERANGE);
	CU_ASSERT(hp("a:65536", 7, h, &port) == -ERANGE);
	CU_ASSERT(hp("a:123456", 8, h, &port) == -ERANGE);
	CU_ASSERT(hp("a:", 2, h, &port) == -EINVAL);
	CU_ASSERT(hp("a:5x", 4, h, &port) == -EINVAL);
	CU_ASSERT(hp(":5061", 5, h, &port) == -EINVAL);
	CU_ASSERT(hp("", 0, h, &port) == -EINVAL);
	CU_ASSERT(hp("[::1]x", 6, h, &port) == -EINVAL);
	CU_ASSERT(hp("[]:5061", 7, h, &port) == -EINVAL);
	char big[80];
	memset(big, 'a', sizeof(big));
	CU_ASSERT(hp(big, sizeof(big), h, &port) == -EINVAL); /* does not fit */
}

int main(void)
{
	static const struct tl_case cases[] = {
		{ "hex like %x and %08x", test_hex_like_printf },
		{ "unsigned like %llu", test_uint_like_printf },
		{ "truncates like snprintf", test_truncates_like_snprintf },
		{ "a byte builder fills its buffer exactly", test_bytes_fill_exactly },
		{ "formatted text, cut and marked", test_fmt_and_mark },
		{ "host and port", test_hostport },
	};
	return tl_run("str", TL_CASES(cases));
}
