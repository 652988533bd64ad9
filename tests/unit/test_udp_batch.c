/* udp_batch: datagrams to one destination and of one length leave in one segmented
 * send and arrive each whole and in order (or, on a socket with UDP_GRO, in one piece
 * that names their length); other destinations and lengths get batches of their own; a
 * full batch leaves at once, and batches leave in the order they were opened; a lone
 * datagram goes as a plain send; a segmented send the kernel refuses goes again one
 * datagram a send, and batching stops. Loopback only. */
#include "tl_test.h"
#include "udp_batch.h"

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/udp.h>
#include <string.h>
#include <sys/time.h>
#include <unistd.h>

#define OP 20
#define LEN 182

struct fixture {
	struct ring r;
	struct udp_batcher u;
	int tx, rx[2];
	union tl_sockaddr to[2];
};

static int bound_socket(union tl_sockaddr *addr)
{
	int fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	CU_ASSERT_FATAL(fd >= 0);
	struct sockaddr_in a = { .sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
	CU_ASSERT_FATAL(bind(fd, (struct sockaddr *)&a, sizeof(a)) == 0);
	struct timeval tv = { .tv_sec = 1 };
	setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	int size = 4 << 20;
	setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &size, sizeof(size));
	if (addr) {
		socklen_t len = sizeof(*addr);
		memset(addr, 0, sizeof(*addr));
		CU_ASSERT_FATAL(getsockname(fd, &addr->sa, &len) == 0);
	}
	return fd;
}

static void setup(struct fixture *f)
{
	memset(f, 0, sizeof(*f));
	CU_ASSERT_EQUAL_FATAL(ring_init(&f->r, 256, 8, 2048), 0);
	CU_ASSERT_EQUAL_FATAL(udp_batcher_init(&f->u, &f->r, OP), 0);
	f->tx = bound_socket(NULL);
	for (int i = 0; i < 2; i++)
		f->rx[i] = bound_socket(&f->to[i]);
}

static void teardown(struct fixture *f)
{
	udp_batcher_free(&f->u);
	ring_exit(&f->r);
	close(f->tx);
	for (int i = 0; i < 2; i++)
		close(f->rx[i]);
}

/* Datagram i of length len: its number, then the number's low byte over and over. */
static void fill(uint8_t *d, unsigned i, size_t len)
{
	memset(d, (int)(i & 0xff), len);
	memcpy(d, &i, sizeof(i));
}

static bool add(struct fixture *f, int dest, unsigned i, size_t len)
{
	uint8_t d[2048];
	fill(d, i, len);
	return udp_batcher_add(&f->u, f->tx, &f->to[dest], d, len);
}

/* Submits what is queued and hands every completion to the batcher: the datagrams lost. */
static unsigned complete(struct fixture *f, unsigned sends)
{
	unsigned lost = 0;
	for (unsigned k = 0; k < sends; k++) {
		struct io_uring_cqe *cqe = NULL;
		struct __kernel_timespec ts = { .tv_sec = 1 };
		int err = io_uring_submit_and_wait_timeout(&f->r.uring, &cqe, 1, &ts, NULL);
		CU_ASSERT_FATAL(err >= 0 && cqe != NULL);
		CU_ASSERT_EQUAL(ring_tag_op(cqe->user_data), OP);
		lost += udp_batcher_done(&f->u, cqe->user_data, cqe->res);
		io_uring_cqe_seen(&f->r.uring, cqe);
	}
	return lost;
}

/* Reads datagrams first..first+n-1 of length len, each on its own, in order. */
static void expect_each(int fd, unsigned first, unsigned n, size_t len)
{
	for (unsigned i = first; i < first + n; i++) {
		uint8_t got[4096], want[2048];
		fill(want, i, len);
		ssize_t r = recv(fd, got, sizeof(got), 0);
		CU_ASSERT_EQUAL_FATAL(r, (ssize_t)len);
		CU_ASSERT_FATAL(memcmp(got, want, len) == 0);
	}
}

static void expect_nothing_more(int fd)
{
	uint8_t got[64];
	CU_ASSERT(recv(fd, got, sizeof(got), MSG_DONTWAIT) < 0 && errno == EAGAIN);
}

static void test_one_send_many_datagrams(void)
{
	struct fixture f;
	setup(&f);
	for (unsigned i = 0; i < 40; i++)
		CU_ASSERT(add(&f, 0, i, LEN));
	CU_ASSERT_EQUAL(f.u.sends, 0); /* nothing leaves before the flush */
	CU_ASSERT_EQUAL(udp_batcher_flush(&f.u), 0);
	CU_ASSERT_EQUAL(f.u.sends, 1);
	CU_ASSERT_EQUAL(f.u.datagrams, 40);
	CU_ASSERT_EQUAL(complete(&f, 1), 0);
	expect_each(f.rx[0], 0, 40, LEN);
	expect_nothing_more(f.rx[0]);
	teardown(&f);
}

static void test_gro_receiver_gets_one_piece(void)
{
	struct fixture f;
	setup(&f);
	int one = 1;
	if (setsockopt(f.rx[0], IPPROTO_UDP, UDP_GRO, &one, sizeof(one))) {
		teardown(&f);
		CU_PASS("no UDP_GRO on this kernel");
		return;
	}
	for (unsigned i = 0; i < 30; i++)
		CU_ASSERT(add(&f, 0, i, LEN));
	udp_batcher_flush(&f.u);
	CU_ASSERT_EQUAL(complete(&f, 1), 0);
	static uint8_t got[65536];
	struct iovec iov = { got, sizeof(got) };
	union {
		char buf[CMSG_SPACE(sizeof(int))];
		struct cmsghdr align;
	} ctl;
	struct msghdr mh = { .msg_iov = &iov, .msg_iovlen = 1, .msg_control = ctl.buf,
			     .msg_controllen = sizeof(ctl.buf) };
	CU_ASSERT_EQUAL_FATAL(recvmsg(f.rx[0], &mh, 0), 30 * LEN);
	struct cmsghdr *c = CMSG_FIRSTHDR(&mh);
	CU_ASSERT_FATAL(c && c->cmsg_level == IPPROTO_UDP && c->cmsg_type == UDP_GRO);
	int seg;
	memcpy(&seg, CMSG_DATA(c), sizeof(seg));
	CU_ASSERT_EQUAL(seg, LEN);
	for (unsigned i = 0; i < 30; i++) {
		uint8_t want[LEN];
		fill(want, i, LEN);
		CU_ASSERT(memcmp(got + i * LEN, want, LEN) == 0);
	}
	teardown(&f);
}

static void test_batches_per_destination_and_length(void)
{
	struct fixture f;
	setup(&f);
	for (unsigned i = 0; i < UDP_BATCH_SEGMENTS; i++)
		CU_ASSERT(add(&f, 0, i, LEN));
	CU_ASSERT_EQUAL(f.u.sends, 1); /* full: it left at once */
	for (unsigned i = 0; i < 5; i++) {
		CU_ASSERT(add(&f, 0, 1000 + i, LEN));
		CU_ASSERT(add(&f, 1, 2000 + i, LEN));
		CU_ASSERT(add(&f, 1, 3000 + i, 100)); /* another length: a batch of its own */
	}
	CU_ASSERT(add(&f, 0, 4000, 60)); /* alone: a plain send */
	CU_ASSERT_EQUAL(udp_batcher_flush(&f.u), 0);
	CU_ASSERT_EQUAL(f.u.sends, 5);
	CU_ASSERT_EQUAL(f.u.datagrams, UDP_BATCH_SEGMENTS + 16);
	CU_ASSERT_EQUAL(complete(&f, 5), 0);
	/* each destination hears its batches whole, in the order they were opened */
	expect_each(f.rx[0], 0, UDP_BATCH_SEGMENTS, LEN);
	expect_each(f.rx[0], 1000, 5, LEN);
	expect_each(f.rx[0], 4000, 1, 60);
	expect_each(f.rx[1], 2000, 5, LEN);
	expect_each(f.rx[1], 3000, 5, 100);
	expect_nothing_more(f.rx[0]);
	expect_nothing_more(f.rx[1]);
	teardown(&f);
}

static void test_open_batches_are_bounded(void)
{
	struct fixture f;
	setup(&f);
	for (unsigned i = 0; i < UDP_BATCH_OPEN; i++)
		CU_ASSERT(add(&f, 0, i, 100 + i)); /* a length each: a batch each */
	CU_ASSERT_FALSE(add(&f, 0, 99, 300)); /* the caller sends this one alone */
	CU_ASSERT(add(&f, 0, 16, 100));       /* an open batch still takes its length */
	CU_ASSERT_FALSE(udp_batcher_add(&f.u, f.tx, &f.to[0], "", 0));
	CU_ASSERT_EQUAL(udp_batcher_flush(&f.u), 0);
	CU_ASSERT_EQUAL(complete(&f, UDP_BATCH_OPEN), 0);
	CU_ASSERT_EQUAL(f.u.datagrams, UDP_BATCH_OPEN + 1);
	teardown(&f);
}

static void test_refused_segmentation_goes_alone(void)
{
	struct fixture f;
	setup(&f);
	int one = 1; /* no UDP checksum: the kernel refuses segmentation (EINVAL) */
	CU_ASSERT_FATAL(setsockopt(f.tx, SOL_SOCKET, SO_NO_CHECK, &one, sizeof(one)) == 0);
	for (unsigned i = 0; i < 3; i++)
		CU_ASSERT(add(&f, 0, i, LEN));
	udp_batcher_flush(&f.u);
	CU_ASSERT_EQUAL(complete(&f, 1), 0); /* refused: its datagrams go again alone ... */
	CU_ASSERT(f.u.off);
	CU_ASSERT_EQUAL(complete(&f, 3), 0);
	expect_each(f.rx[0], 0, 3, LEN);     /* ... and arrive, in order */
	expect_nothing_more(f.rx[0]);
	CU_ASSERT_FALSE(add(&f, 0, 3, LEN)); /* from now on the caller sends alone */
	teardown(&f);
}

int main(void)
{
	static const struct tl_case cases[] = {
		{ "one send carries many datagrams, each arrives whole", test_one_send_many_datagrams },
		{ "a receiver with UDP_GRO gets them in one piece with their length",
		  test_gro_receiver_gets_one_piece },
		{ "a batch per destination and length; full ones leave at once",
		  test_batches_per_destination_and_length },
		{ "open batches are bounded; the caller sends the rest alone",
		  test_open_batches_are_bounded },
		{ "a refused segmented send goes again a datagram a send; batching stops",
		  test_refused_segmentation_goes_alone },
	};
	return tl_run("udp_batch", TL_CASES(cases));
}
