/* CHECK(cond, fmt, ...): a CUnit assertion that prints why when it fails. */
#ifndef TL_CHECK_H
#define TL_CHECK_H
#include <stdbool.h>
#include <stdio.h>
#include "tl_test.h"

#define CHECK(cond, ...)                                                       \
	do {                                                                   \
		bool ok_ = (cond);                                             \
		if (!ok_) {                                                    \
			printf("\n    ");                                      \
			printf(__VA_ARGS__);                                   \
		}                                                              \
		CU_assertImplementation(ok_, __LINE__, #cond, __FILE__, "", CU_FALSE); \
	} while (0)

#endif
