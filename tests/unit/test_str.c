/* str.h: the string builder agrees with snprintf, also when it truncates. */
#include "tl_test.h"
#include "str.h"

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

int main(void)
{
	static const struct tl_case cases[] = {
		{ "hex like %x and %08x", test_hex_like_printf },
		{ "unsigned like %llu", test_uint_like_printf },
		{ "truncates like snprintf", test_truncates_like_snprintf },
	};
	return tl_run("str", TL_CASES(cases));
}
