/* Memory the kernel fills through io_uring (receive buffers) is invisible to
 * valgrind, which would call every byte of it uninitialised: say it was written.
 * Without valgrind's header, or when not running under valgrind, this costs nothing. */
#ifndef TL_KERNEL_WROTE_H
#define TL_KERNEL_WROTE_H
#if defined(__has_include)
#if __has_include(<valgrind/memcheck.h>)
#include <valgrind/memcheck.h>
#define KERNEL_WROTE(p, n) VALGRIND_MAKE_MEM_DEFINED((p), (n))
#endif
#endif
#ifndef KERNEL_WROTE
#define KERNEL_WROTE(p, n) ((void)(p), (void)(n))
#endif
#endif
