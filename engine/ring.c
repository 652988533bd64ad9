#include "ring.h"
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

int ring_bufs_init(struct ring *r, struct ring_bufs *b, unsigned n, unsigned size)
{
	/* liburing 2.3 has no io_uring_setup_buf_ring: map the ring memory ourselves. */
	memset(b, 0, sizeof(*b));
	size_t br_bytes = n * sizeof(struct io_uring_buf);
	void *br = mmap(NULL, br_bytes, PROT_READ | PROT_WRITE, MAP_ANONYMOUS | MAP_PRIVATE,
			-1, 0);
	if (br == MAP_FAILED)
		return -errno;
	char *mem = malloc((size_t)n * size);
	if (!mem) {
		munmap(br, br_bytes);
		return -ENOMEM;
	}
	unsigned bgid = r->n_groups + 1; /* ids are never reused: a ring has few groups */
	struct io_uring_buf_reg reg = {
		.ring_addr = (unsigned long)br, .ring_entries = n, .bgid = (uint16_t)bgid,
	};
	int err = io_uring_register_buf_ring(&r->uring, &reg, 0);
	if (err) {
		free(mem);
		munmap(br, br_bytes);
		return err;
	}
	r->n_groups = bgid;
	*b = (struct ring_bufs){ .br = br, .br_bytes = br_bytes, .mem = mem, .n = n,
				 .size = size, .bgid = bgid };
	io_uring_buf_ring_init(b->br);
	int mask = io_uring_buf_ring_mask(n);
	for (unsigned i = 0; i < n; i++)
		io_uring_buf_ring_add(b->br, mem + (size_t)i * size, size, (unsigned short)i, mask,
				      (int)i);
	io_uring_buf_ring_advance(b->br, (int)n);
	return 0;
}

void ring_bufs_free(struct ring *r, struct ring_bufs *b)
{
	if (!b->br)
		return;
	io_uring_unregister_buf_ring(&r->uring, (int)b->bgid);
	munmap(b->br, b->br_bytes);
	free(b->mem);
	memset(b, 0, sizeof(*b));
}

int ring_init(struct ring *r, unsigned entries, unsigned nbufs, unsigned buf_size)
{
	memset(r, 0, sizeof(*r));
	struct io_uring_params p = { 0 };
	p.flags = IORING_SETUP_SINGLE_ISSUER | IORING_SETUP_DEFER_TASKRUN | IORING_SETUP_CQSIZE;
	p.cq_entries = entries * 4;
	int err = io_uring_queue_init_params(entries, &r->uring, &p);
	if (err == -EINVAL) { /* older kernels: plain ring */
		memset(&p, 0, sizeof(p));
		p.flags = IORING_SETUP_CQSIZE;
		p.cq_entries = entries * 4;
		err = io_uring_queue_init_params(entries, &r->uring, &p);
	}
	if (err)
		return err;
	err = ring_bufs_init(r, &r->bufs, nbufs, buf_size);
	if (err) {
		io_uring_queue_exit(&r->uring);
		memset(r, 0, sizeof(*r));
	}
	return err;
}

void ring_exit(struct ring *r)
{
	if (!r->bufs.br)
		return;
	ring_bufs_free(r, &r->bufs);
	io_uring_queue_exit(&r->uring);
	memset(r, 0, sizeof(*r));
}

/* Submitting frees SQ entries unless the kernel takes none; then trying again
 * at once would not help (the loop must reap completions first). */
#define SUBMIT_TRIES 3

struct io_uring_sqe *ring_sqe(struct ring *r)
{
	struct io_uring_sqe *sqe = io_uring_get_sqe(&r->uring);
	for (int tries = 0; !sqe && tries < SUBMIT_TRIES; tries++) {
		io_uring_submit(&r->uring);
		sqe = io_uring_get_sqe(&r->uring);
	}
	return sqe;
}

int ring_recv_multishot(struct ring *r, int fd, const struct ring_bufs *b, uint64_t tag)
{
	struct io_uring_sqe *sqe = ring_sqe(r);
	if (!sqe)
		return -EBUSY;
	io_uring_prep_recv_multishot(sqe, fd, NULL, 0, 0);
	sqe->flags |= IOSQE_BUFFER_SELECT;
	sqe->buf_group = (uint16_t)b->bgid;
	io_uring_sqe_set_data64(sqe, tag);
	return 0;
}

int ring_send(struct ring *r, int fd, const void *p, size_t n, uint64_t tag)
{
	struct io_uring_sqe *sqe = ring_sqe(r);
	if (!sqe)
		return -EBUSY;
	io_uring_prep_send(sqe, fd, p, n, MSG_NOSIGNAL);
	io_uring_sqe_set_data64(sqe, tag);
	return 0;
}

int ring_connect(struct ring *r, int fd, const struct sockaddr *sa, socklen_t len, uint64_t tag)
{
	struct io_uring_sqe *sqe = ring_sqe(r);
	if (!sqe)
		return -EBUSY;
	io_uring_prep_connect(sqe, fd, sa, len);
	io_uring_sqe_set_data64(sqe, tag);
	return 0;
}

int ring_accept_multishot(struct ring *r, int fd, uint64_t tag)
{
	struct io_uring_sqe *sqe = ring_sqe(r);
	if (!sqe)
		return -EBUSY;
	io_uring_prep_multishot_accept(sqe, fd, NULL, NULL, SOCK_CLOEXEC);
	io_uring_sqe_set_data64(sqe, tag);
	return 0;
}

void ring_bufs_recycle(struct ring_bufs *b, unsigned bid)
{
	io_uring_buf_ring_add(b->br, ring_bufs_get(b, bid), b->size, (unsigned short)bid,
			      io_uring_buf_ring_mask(b->n), 0);
	io_uring_buf_ring_advance(b->br, 1);
}

int ring_recvmsg_multishot(struct ring *r, int fd, struct msghdr *mh,
			   const struct ring_bufs *b, uint64_t tag)
{
	struct io_uring_sqe *sqe = ring_sqe(r);
	if (!sqe)
		return -EBUSY;
	io_uring_prep_recvmsg_multishot(sqe, fd, mh, 0);
	sqe->flags |= IOSQE_BUFFER_SELECT;
	sqe->buf_group = (uint16_t)b->bgid;
	io_uring_sqe_set_data64(sqe, tag);
	return 0;
}

int ring_msg(struct ring *r, int target_ring_fd, uint32_t value, uint64_t target_tag,
	     uint64_t tag)
{
	struct io_uring_sqe *sqe = ring_sqe(r);
	if (!sqe)
		return -EBUSY;
	io_uring_prep_msg_ring(sqe, target_ring_fd, value, target_tag, 0);
	io_uring_sqe_set_data64(sqe, tag);
	io_uring_sqe_set_flags(sqe, IOSQE_CQE_SKIP_SUCCESS);
	return 0;
}

int ring_sendto(struct ring *r, int fd, const void *p, size_t n, const struct sockaddr *to,
		socklen_t to_len, uint64_t tag)
{
	struct io_uring_sqe *sqe = ring_sqe(r);
	if (!sqe)
		return -EBUSY;
	io_uring_prep_send(sqe, fd, p, n, 0);
	io_uring_prep_send_set_addr(sqe, to, (uint16_t)to_len);
	io_uring_sqe_set_data64(sqe, tag);
	return 0;
}

int ring_sendmsg(struct ring *r, int fd, const struct msghdr *mh, uint64_t tag)
{
	struct io_uring_sqe *sqe = ring_sqe(r);
	if (!sqe)
		return -EBUSY;
	io_uring_prep_sendmsg(sqe, fd, mh, 0);
	io_uring_sqe_set_data64(sqe, tag);
	return 0;
}

int ring_cancel(struct ring *r, uint64_t target, uint64_t tag)
{
	struct io_uring_sqe *sqe = ring_sqe(r);
	if (!sqe)
		return -EBUSY;
	io_uring_prep_cancel64(sqe, target, 0);
	io_uring_sqe_set_data64(sqe, tag);
	return 0;
}
