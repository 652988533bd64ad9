/* Shared by the libFuzzer targets: a check that survives NDEBUG and says which
 * property broke, and the "slice lies inside the buffer" test the parsers'
 * borrowing contract promises. */
#ifndef TL_FUZZ_H
#define TL_FUZZ_H
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include "str.h"

#define FUZZ_CHECK(cond)                                                          \
	do {                                                                      \
		if (!(cond)) {                                                    \
			fprintf(stderr, "%s:%d: property failed: %s\n", __FILE__, \
				__LINE__, #cond);                                 \
			abort();                                                  \
		}                                                                 \
	} while (0)

/* An empty slice may point anywhere (often NULL); a non-empty one must lie
 * within [buf, buf+n). Compared as integers: the pointers may be unrelated. */
static inline bool fuzz_inside(struct tl_str s, const void *buf, size_t n)
{
	if (s.len == 0)
		return true;
	uintptr_t b = (uintptr_t)buf, p = (uintptr_t)s.p;
	return p >= b && s.len <= n && p - b <= n - s.len;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#endif
