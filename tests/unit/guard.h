/* A buffer whose end touches a PROT_NONE page: a parser or builder that reads or
 * writes one byte too far crashes instead of passing. */
#ifndef TL_GUARD_H
#define TL_GUARD_H
#include <CUnit/Basic.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

struct guard {
	char *map;
	size_t data, size;
};

static inline void guard_init(struct guard *g, size_t max)
{
	size_t page = (size_t)sysconf(_SC_PAGESIZE);
	g->data = (max / page + 1) * page;
	g->size = g->data + page;
	g->map = mmap(NULL, g->size, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	CU_ASSERT_FATAL(g->map != MAP_FAILED);
	CU_ASSERT_FATAL(mprotect(g->map + g->data, page, PROT_NONE) == 0);
}

/* cap bytes of room that end right before the guard page. */
static inline char *guard_end(struct guard *g, size_t cap)
{
	return g->map + g->data - cap;
}

/* Copies src so that its last byte is the last readable one. */
static inline const char *guard_put(struct guard *g, const char *src, size_t n)
{
	char *p = guard_end(g, n);
	memcpy(p, src, n);
	return p;
}

static inline void guard_free(struct guard *g)
{
	munmap(g->map, g->size);
}

#endif
