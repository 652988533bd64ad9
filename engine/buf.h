/* A growable byte buffer. Grows by doubling; steady-state use allocates nothing. */
#ifndef TL_BUF_H
#define TL_BUF_H
#include <stddef.h>

struct buf {
	char *data;
	size_t len, cap;
};

/* Makes room for `more` bytes after len. Returns 0 or -ENOMEM. */
int buf_reserve(struct buf *b, size_t more);
/* Appends n bytes. Returns 0 or -ENOMEM. */
int buf_append(struct buf *b, const void *p, size_t n);
/* Drops the first n bytes, moving the rest to the front. */
void buf_consume(struct buf *b, size_t n);
void buf_free(struct buf *b);

#endif
