/* One io_uring per worker thread, with provided-buffer rings for multishot
 * receives. Knows nothing of TLS or SIP. Completions carry a tag in user_data. */
#ifndef TL_RING_H
#define TL_RING_H
#include <liburing.h>
#include <stdint.h>
#include <sys/socket.h>

/* user_data layout: op (8 bits) | generation (24 bits) | slot (32 bits).
 * The generation lets a completion for a slot that was reused be recognised.
 * Ops below RING_OP_ROLE_FIRST are the worker's own (connections, accepts); the
 * others belong to its role's parts (media), and the worker hands them on. */
#define RING_OP_ROLE_FIRST 16
static inline uint64_t ring_tag(unsigned op, uint32_t gen, uint32_t slot)
{
	return ((uint64_t)op << 56) | ((uint64_t)(gen & 0xffffff) << 32) | slot;
}
static inline unsigned ring_tag_op(uint64_t t) { return (unsigned)(t >> 56); }
static inline uint32_t ring_tag_gen(uint64_t t) { return (uint32_t)(t >> 32) & 0xffffff; }
static inline uint32_t ring_tag_slot(uint64_t t) { return (uint32_t)t; }

/* A group of receive buffers the kernel picks from, one per completion. */
struct ring_bufs {
	struct io_uring_buf_ring *br;
	size_t br_bytes;
	char *mem;
	unsigned n, size, bgid;
};

struct ring {
	struct io_uring uring;
	struct ring_bufs bufs;    /* for stream receives */
	unsigned n_groups;        /* buffer groups registered so far: the next one's id */
};

/* Sets up the ring (entries SQEs) and registers nbufs receive buffers of buf_size
 * bytes (nbufs a power of two) as r->bufs. Returns 0 or a negative errno. */
int ring_init(struct ring *r, unsigned entries, unsigned nbufs, unsigned buf_size);
void ring_exit(struct ring *r);
/* Registers another group of n buffers (a power of two) of size bytes on r, under
 * an id of its own; the owner frees it with ring_bufs_free before ring_exit.
 * 0 or -errno. */
int ring_bufs_init(struct ring *r, struct ring_bufs *b, unsigned n, unsigned size);
void ring_bufs_free(struct ring *r, struct ring_bufs *b);

/* An SQE, submitting queued ones first if the SQ is full; NULL when the SQ stays
 * full because the kernel takes nothing (io_uring_enter fails, e.g. -EBUSY while
 * completions wait to be reaped): a few tries, never a loop. */
struct io_uring_sqe *ring_sqe(struct ring *r);
/* Each prep function takes an SQE as ring_sqe does and returns 0, or -EBUSY when
 * there is none: the operation was not queued, its caller fails it. */
/* Each read lands in a buffer of group b. */
int ring_recv_multishot(struct ring *r, int fd, const struct ring_bufs *b, uint64_t tag);
int ring_send(struct ring *r, int fd, const void *p, size_t n, uint64_t tag);
int ring_connect(struct ring *r, int fd, const struct sockaddr *sa, socklen_t len, uint64_t tag);
int ring_accept_multishot(struct ring *r, int fd, uint64_t tag);
/* Each datagram lands in a buffer of group b. mh must stay valid while the
 * receive is armed; only its name and control lengths are read. */
int ring_recvmsg_multishot(struct ring *r, int fd, struct msghdr *mh,
			   const struct ring_bufs *b, uint64_t tag);
/* sendto(2): p and to must stay valid until the completion. */
int ring_sendto(struct ring *r, int fd, const void *p, size_t n, const struct sockaddr *to,
		socklen_t to_len, uint64_t tag);
/* sendmsg(2): mh and all it points to must stay valid until the completion. */
int ring_sendmsg(struct ring *r, int fd, const struct msghdr *mh, uint64_t tag);
/* Posts a completion with res = value and user_data = target_tag on another
 * ring (IORING_OP_MSG_RING); this ring sees a completion (tag) only on failure. */
int ring_msg(struct ring *r, int target_ring_fd, uint32_t value, uint64_t target_tag,
	     uint64_t tag);
/* Cancels the operation whose user_data is target. */
int ring_cancel(struct ring *r, uint64_t target, uint64_t tag);

/* The received bytes of a buffer-select completion, and its recycling. */
static inline char *ring_bufs_get(const struct ring_bufs *b, unsigned bid)
{
	return b->mem + (size_t)bid * b->size;
}
void ring_bufs_recycle(struct ring_bufs *b, unsigned bid);

#endif
