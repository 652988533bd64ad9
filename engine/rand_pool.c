#include "rand_pool.h"
#include <errno.h>
#include <string.h>
#include <openssl/crypto.h>
#include <openssl/rand.h>

void rand_pool_init(struct rand_pool *p)
{
	p->used = sizeof(p->bytes);
}

int rand_pool_get(struct rand_pool *p, void *out, size_t n)
{
	uint8_t *o = out;
	while (n) {
		if (p->used == sizeof(p->bytes)) {
			if (RAND_bytes(p->bytes, (int)sizeof(p->bytes)) != 1)
				return -EIO;
			p->used = 0;
		}
		size_t k = sizeof(p->bytes) - p->used;
		if (k > n)
			k = n;
		memcpy(o, p->bytes + p->used, k);
		OPENSSL_cleanse(p->bytes + p->used, k);
		p->used += k;
		o += k;
		n -= k;
	}
	return 0;
}
