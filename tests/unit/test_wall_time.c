/* wall_time.h: the start times shards share, as RFC 3339 or epoch seconds. */
#include "tl_test.h"
#include "wall_time.h"

#include <errno.h>
#include <math.h>
#include <stdbool.h>
#include <string.h>

static void test_parse(void)
{
	static const struct {
		const char *text;
		double want; /* -1: refused */
	} cases[] = {
		{ "1970-01-01T00:00:00Z", 0 },
		{ "2026-12-06T22:40:00Z", 1796596800 },
		{ "2026-12-06T22:40:00.250Z", 1796596800.25 },
		{ "2026-12-06t22:40:00z", 1796596800 },
		{ "2026-12-06T23:40:00+01:00", 1796596800 },
		{ "2026-12-06T21:10:00-01:30", 1796596800 },
		{ "2028-02-29T00:00:00Z", 1835395200 },
		{ "1796596800", 1796596800 },
		{ "1796596800.5", 1796596800.5 },
		/* refused */
		{ "", -1 },
		{ "2026-12-06T22:40:00", -1 },       /* no zone */
		{ "2026-12-06 22:40:00Z", -1 },      /* a space, not T */
		{ "2026-02-29T00:00:00Z", -1 },      /* not a leap year */
		{ "2026-13-01T00:00:00Z", -1 },
		{ "2026-12-06T24:00:00Z", -1 },
		{ "2026-12-06T22:40:00.Z", -1 },
		{ "2026-12-06T22:40:00Zjunk", -1 },
		{ "1969-12-31T23:59:59Z", -1 },
		{ "-5", -1 },
		{ "17965968OO", -1 },
		{ "nan", -1 },
		{ "tomorrow", -1 },
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		double got = -2;
		int rc = wall_time_parse(cases[i].text, &got);
		bool ok = cases[i].want < 0 ? rc == -EINVAL : rc == 0 && fabs(got - cases[i].want) < 1e-6;
		if (!ok)
			fprintf(stderr, "case \"%s\": rc %d, got %.3f\n", cases[i].text, rc, got);
		CU_ASSERT(ok);
	}
	CU_ASSERT_EQUAL(wall_time_parse(NULL, &(double){ 0 }), -EINVAL);
}

static void test_format(void)
{
	char out[32];
	wall_time_format(1796596800.003, out, sizeof(out));
	CU_ASSERT_STRING_EQUAL(out, "2026-12-06T22:40:00.003Z");
	wall_time_format(1835395200, out, sizeof(out));
	CU_ASSERT_STRING_EQUAL(out, "2028-02-29T00:00:00.000Z");
	wall_time_format(0, out, sizeof(out));
	CU_ASSERT_STRING_EQUAL(out, "1970-01-01T00:00:00.000Z");
	/* what it writes, it reads back */
	double back = 0;
	wall_time_format(1796596800.999, out, sizeof(out));
	CU_ASSERT_EQUAL(wall_time_parse(out, &back), 0);
	CU_ASSERT(fabs(back - 1796596800.999) < 1e-6);
}

int main(void)
{
	static const struct tl_case cases[] = {
		{ "RFC 3339 and epoch seconds, and what is refused", test_parse },
		{ "RFC 3339 with milliseconds, read back", test_format },
	};
	return tl_run("wall_time", TL_CASES(cases));
}
