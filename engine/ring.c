#include "ring.h"
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

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

	/* liburing 2.3 has no io_uring_setup_buf_ring: map the ring memory ourselves. */
	r->nbufs = nbufs;
	r->buf_size = buf_size;
	r->bgid = 1;
	r->br_bytes = nbufs * sizeof(struct io_uring_buf);
	void *mem = mmap(NULL, r->br_bytes, PROT_READ | PROT_WRITE,
			 MAP_ANONYMOUS | MAP_PRIVATE, -1, 0);
	if (mem == MAP_FAILED) {
		err = -errno;
		goto fail_ring;
	}
	r->br = mem;
	r->bufs = malloc((size_t)nbufs * buf_size);
	if (!r->bufs) {
		err = -ENOMEM;
		goto fail_map;
	}
	struct io_uring_buf_reg reg = {
		.ring_addr = (unsigned long)r->br, .ring_entries = nbufs, .bgid = r->bgid,
	};
	err = io_uring_register_buf_ring(&r->uring, &reg, 0);
	if (err)
		goto fail_bufs;
	io_uring_buf_ring_init(r->br);
	int mask = io_uring_buf_ring_mask(nbufs);
	for (unsigned i = 0; i < nbufs; i++)
		io_uring_buf_ring_add(r->br, r->bufs + (size_t)i * buf_size, buf_size, i, mask, i);
	io_uring_buf_ring_advance(r->br, nbufs);
	return 0;

fail_bufs:
	free(r->bufs);
fail_map:
	munmap(r->br, r->br_bytes);
fail_ring:
	io_uring_queue_exit(&r->uring);
	memset(r, 0, sizeof(*r));
	return err;
}

void ring_exit(struct ring *r)
{
	if (!r->br)
		return;
	io_uring_unregister_buf_ring(&r->uring, r->bgid);
	io_uring_queue_exit(&r->uring);
	munmap(r->br, r->br_bytes);
	free(r->bufs);
	memset(r, 0, sizeof(*r));
}

struct io_uring_sqe *ring_sqe(struct ring *r)
{
	struct io_uring_sqe *sqe = io_uring_get_sqe(&r->uring);
	while (!sqe) {
		io_uring_submit(&r->uring);
		sqe = io_uring_get_sqe(&r->uring);
	}
	return sqe;
}

void ring_recv_multishot(struct ring *r, int fd, uint64_t tag)
{
	struct io_uring_sqe *sqe = ring_sqe(r);
	io_uring_prep_recv_multishot(sqe, fd, NULL, 0, 0);
	sqe->flags |= IOSQE_BUFFER_SELECT;
	sqe->buf_group = r->bgid;
	io_uring_sqe_set_data64(sqe, tag);
}

void ring_send(struct ring *r, int fd, const void *p, size_t n, uint64_t tag)
{
	struct io_uring_sqe *sqe = ring_sqe(r);
	io_uring_prep_send(sqe, fd, p, n, MSG_NOSIGNAL);
	io_uring_sqe_set_data64(sqe, tag);
}

void ring_connect(struct ring *r, int fd, const struct sockaddr *sa, socklen_t len, uint64_t tag)
{
	struct io_uring_sqe *sqe = ring_sqe(r);
	io_uring_prep_connect(sqe, fd, sa, len);
	io_uring_sqe_set_data64(sqe, tag);
}

void ring_accept_multishot(struct ring *r, int fd, uint64_t tag)
{
	struct io_uring_sqe *sqe = ring_sqe(r);
	io_uring_prep_multishot_accept(sqe, fd, NULL, NULL, SOCK_CLOEXEC);
	io_uring_sqe_set_data64(sqe, tag);
}

void ring_buf_recycle(struct ring *r, unsigned bid)
{
	io_uring_buf_ring_add(r->br, r->bufs + (size_t)bid * r->buf_size, r->buf_size, bid,
			      io_uring_buf_ring_mask(r->nbufs), 0);
	io_uring_buf_ring_advance(r->br, 1);
}

void ring_recvmsg_multishot(struct ring *r, int fd, struct msghdr *mh, uint64_t tag)
{
	struct io_uring_sqe *sqe = ring_sqe(r);
	io_uring_prep_recvmsg_multishot(sqe, fd, mh, 0);
	sqe->flags |= IOSQE_BUFFER_SELECT;
	sqe->buf_group = r->bgid;
	io_uring_sqe_set_data64(sqe, tag);
}

void ring_msg(struct ring *r, int target_ring_fd, uint32_t value, uint64_t target_tag,
	      uint64_t tag)
{
	struct io_uring_sqe *sqe = ring_sqe(r);
	io_uring_prep_msg_ring(sqe, target_ring_fd, value, target_tag, 0);
	io_uring_sqe_set_data64(sqe, tag);
	io_uring_sqe_set_flags(sqe, IOSQE_CQE_SKIP_SUCCESS);
}

void ring_sendto(struct ring *r, int fd, const void *p, size_t n, const struct sockaddr *to,
		 socklen_t to_len, uint64_t tag)
{
	struct io_uring_sqe *sqe = ring_sqe(r);
	io_uring_prep_send(sqe, fd, p, n, 0);
	io_uring_prep_send_set_addr(sqe, to, (uint16_t)to_len);
	io_uring_sqe_set_data64(sqe, tag);
}

void ring_cancel(struct ring *r, uint64_t target, uint64_t tag)
{
	struct io_uring_sqe *sqe = ring_sqe(r);
	io_uring_prep_cancel64(sqe, target, 0);
	io_uring_sqe_set_data64(sqe, tag);
}
