/* session_timer.h: the RFC 4028 headers as CUCM and others write them, and the
 * deadlines of both sides. */
#include "tl_test.h"
#include "session_timer.h"
#include <errno.h>
#include <string.h>

static void test_session_expires(void)
{
	static const struct {
		const char *v;
		int rc;
		uint32_t secs;
		enum st_refresher who;
	} cases[] = {
		{ "1800;refresher=uas", 0, 1800, ST_REFRESHER_UAS },
		{ " 1800", 0, 1800, ST_REFRESHER_NONE },
		{ "90 ; refresher = UAC", 0, 90, ST_REFRESHER_UAC },
		{ "4000;x-cisco=1;refresher=uac", 0, 4000, ST_REFRESHER_UAC },
		{ "1800;refresher=proxy", -EBADMSG, 0, 0 },
		{ "", -EBADMSG, 0, 0 },
		{ "abc", -EBADMSG, 0, 0 },
		{ "99999999999", -EBADMSG, 0, 0 },
		{ "1800 refresher=uas", -EBADMSG, 0, 0 },
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		uint32_t s = 7;
		enum st_refresher w = 9;
		int rc = st_parse_session_expires(tl_str_c(cases[i].v), &s, &w);
		CU_ASSERT_EQUAL(rc, cases[i].rc);
		if (!rc && !cases[i].rc) {
			CU_ASSERT_EQUAL(s, cases[i].secs);
			CU_ASSERT_EQUAL(w, cases[i].who);
		}
	}
	uint32_t s;
	CU_ASSERT_EQUAL(st_parse_min_se(TL_STR("  1800"), &s), 0);
	CU_ASSERT_EQUAL(s, 1800);
	CU_ASSERT_EQUAL(st_parse_min_se(TL_STR("90;x=y"), &s), 0);
	CU_ASSERT_EQUAL(s, 90);
	CU_ASSERT_EQUAL(st_parse_min_se(TL_STR("90x"), &s), -EBADMSG);
}

static void test_deadlines(void)
{
	const uint64_t s = 1000000000ull;
	struct session_timer t = { .interval_s = 1800, .we_refresh = true, .since_ns = 10 * s };
	CU_ASSERT_EQUAL(st_refresh_at(&t), 10 * s + 900 * s);
	CU_ASSERT_EQUAL(st_deadline(&t), 910 * s);
	t.we_refresh = false; /* the other side: expiry less min(32, interval/3) */
	CU_ASSERT_EQUAL(st_expires_at(&t), 10 * s + 1768 * s);
	t.interval_s = 90;
	CU_ASSERT_EQUAL(st_deadline(&t), 10 * s + 60 * s);
	t.interval_s = 6; /* lab values */
	CU_ASSERT_EQUAL(st_deadline(&t), 10 * s + 4 * s);
}

int main(void)
{
	static const struct tl_case cases[] = {
		{ "Session-Expires and Min-SE", test_session_expires },
		{ "refresh and expiry deadlines", test_deadlines },
	};
	return tl_run("session_timer", TL_CASES(cases));
}
