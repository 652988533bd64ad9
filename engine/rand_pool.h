/* Random bytes for keys and tags, drawn from OpenSSL's DRBG a page at a time: one
 * RAND_bytes call (a lock and a fork check) per 4 KiB instead of per call. One pool
 * per worker thread; bytes handed out are wiped from the pool. */
#ifndef TL_RAND_POOL_H
#define TL_RAND_POOL_H
#include <stddef.h>
#include <stdint.h>

struct rand_pool {
	uint8_t bytes[4096];
	size_t used; /* bytes[0..used) are spent; starts full, i.e. at sizeof(bytes) */
};

void rand_pool_init(struct rand_pool *p);
/* Fills out with n random bytes. 0, or -EIO when OpenSSL could not give any. */
int rand_pool_get(struct rand_pool *p, void *out, size_t n);

#endif
