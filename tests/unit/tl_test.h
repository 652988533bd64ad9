/* A CUnit program in one call: a table of named cases, run in basic mode.
 * Exit status 0 when every assertion held, 1 otherwise. */
#ifndef TL_TEST_H
#define TL_TEST_H
#include <CUnit/Basic.h>
#include <stdio.h>

struct tl_case {
	const char *name;
	CU_TestFunc fn;
};

#define TL_CASES(arr) (arr), (sizeof(arr) / sizeof((arr)[0]))

static inline int tl_run(const char *suite_name, const struct tl_case *cases, size_t n)
{
	if (CU_initialize_registry() != CUE_SUCCESS)
		return 1;
	CU_pSuite suite = CU_add_suite(suite_name, NULL, NULL);
	for (size_t i = 0; suite && i < n; i++)
		CU_add_test(suite, cases[i].name, cases[i].fn);
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
