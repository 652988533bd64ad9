/* A CUnit program in one call: a table of named cases, run in basic mode.
 * Exit status 0 when every assertion held, 1 otherwise.
 *
 * ctest may run a program's cases in parts, side by side (tests/CMakeLists.txt):
 * TL_ONLY=a,b runs the cases named, TL_SKIP=a,b all but those, TL_SHARD=K/N every Nth
 * of the rest from the Kth. A name that matches no case is an error, not a silent skip. */
#ifndef TL_TEST_H
#define TL_TEST_H
#include <CUnit/Basic.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct tl_case {
	const char *name;
	CU_TestFunc fn;
};

#define TL_CASES(arr) (arr), (sizeof(arr) / sizeof((arr)[0]))

/* Whether name is one of the comma-separated names of list. */
static inline bool tl_listed(const char *list, const char *name)
{
	size_t len = strlen(name);
	for (const char *p = list; *p;) {
		const char *end = strchr(p, ',');
		size_t n = end ? (size_t)(end - p) : strlen(p);
		if (n == len && memcmp(p, name, n) == 0)
			return true;
		p += n + (end != NULL);
	}
	return false;
}

/* Whether every name of list (NULL: none) is a case's, saying which is not. */
static inline bool tl_names_known(const char *var, const char *list, const struct tl_case *cases,
				  size_t n)
{
	for (const char *p = list; p && *p;) {
		const char *end = strchr(p, ',');
		size_t len = end ? (size_t)(end - p) : strlen(p);
		bool known = false;
		for (size_t i = 0; i < n && !known; i++)
			known = strlen(cases[i].name) == len && memcmp(cases[i].name, p, len) == 0;
		if (!known) {
			fprintf(stderr, "%s names a case this program does not have: %.*s\n", var,
				(int)len, p);
			return false;
		}
		p += len + (end != NULL);
	}
	return true;
}

static inline int tl_run(const char *suite_name, const struct tl_case *cases, size_t n)
{
	const char *only = getenv("TL_ONLY"), *skip = getenv("TL_SKIP"), *shard = getenv("TL_SHARD");
	unsigned part = 1, parts = 1;
	if (shard && (sscanf(shard, "%u/%u", &part, &parts) != 2 || part < 1 || part > parts)) {
		fprintf(stderr, "TL_SHARD is K/N with 1 <= K <= N, not %s\n", shard);
		return 1;
	}
	if (!tl_names_known("TL_ONLY", only, cases, n) || !tl_names_known("TL_SKIP", skip, cases, n))
		return 1;
	if (CU_initialize_registry() != CUE_SUCCESS)
		return 1;
	CU_pSuite suite = CU_add_suite(suite_name, NULL, NULL);
	for (size_t i = 0, kept = 0; suite && i < n; i++) {
		if ((only && !tl_listed(only, cases[i].name)) || (skip && tl_listed(skip, cases[i].name)))
			continue;
		if (kept++ % parts == part - 1)
			CU_add_test(suite, cases[i].name, cases[i].fn);
	}
	CU_basic_set_mode(CU_BRM_VERBOSE);
	CU_basic_run_tests();
	unsigned failed = CU_get_number_of_failures() + CU_get_number_of_tests_failed();
	unsigned run = CU_get_number_of_tests_run();
	CU_cleanup_registry();
	if (run == 0) {
		fprintf(stderr, "%s: no test ran\n", suite_name);
		return 1;
	}
	return failed ? 1 : 0;
}

#endif
