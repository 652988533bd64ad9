/* A borrowed byte slice: points into a buffer somebody else owns. */
#ifndef TL_STR_H
#define TL_STR_H
#include <stddef.h>
#include <string.h>
#include <stdbool.h>

struct tl_str {
	const char *p;
	size_t len;
};

#define TL_STR(lit) ((struct tl_str){ (lit), sizeof(lit) - 1 })

static inline struct tl_str tl_str_c(const char *s)
{
	return (struct tl_str){ s, s ? strlen(s) : 0 };
}

static inline bool tl_str_eq(struct tl_str a, const char *lit)
{
	size_t n = strlen(lit);
	return a.len == n && memcmp(a.p, lit, n) == 0;
}

#endif
