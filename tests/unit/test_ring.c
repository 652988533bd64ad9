/* ring: a second buffer group takes datagrams apart from the stream group, and a
 * multishot receive that finds no free buffer ends with -ENOBUFS but loses nothing:
 * armed again after a recycle, it gets the datagram that waited; a full submission
 * queue that cannot be submitted is a failure the caller sees, not a loop. Loopback only. */
#include "tl_test.h"
#include "ring.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define GROUP_BUFS 4
#define TAG 7

struct pair {
	int rx, tx;
	struct sockaddr_in rx_addr, tx_addr;
};

static void pair_open(struct pair *p)
{
	socklen_t len = sizeof(struct sockaddr_in);
	p->rx = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	p->tx = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	CU_ASSERT_FATAL(p->rx >= 0 && p->tx >= 0);
	struct sockaddr_in a = { .sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
	CU_ASSERT_FATAL(bind(p->rx, (struct sockaddr *)&a, sizeof(a)) == 0);
	CU_ASSERT_FATAL(bind(p->tx, (struct sockaddr *)&a, sizeof(a)) == 0);
	CU_ASSERT_FATAL(getsockname(p->rx, (struct sockaddr *)&p->rx_addr, &len) == 0);
	CU_ASSERT_FATAL(getsockname(p->tx, (struct sockaddr *)&p->tx_addr, &len) == 0);
}

static void send_n(const struct pair *p, unsigned first, unsigned n)
{
	for (unsigned i = first; i < first + n; i++) {
		char msg[16];
		int len = snprintf(msg, sizeof(msg), "datagram %u", i);
		CU_ASSERT((int)sendto(p->tx, msg, (size_t)len, 0, (const struct sockaddr *)&p->rx_addr,
				       sizeof(p->rx_addr)) == len);
	}
}

/* The next completion, waiting at most a second. */
static int next_cqe(struct ring *r, struct io_uring_cqe *out)
{
	struct io_uring_cqe *cqe = NULL;
	struct __kernel_timespec ts = { .tv_sec = 1 };
	int err = io_uring_submit_and_wait_timeout(&r->uring, &cqe, 1, &ts, NULL);
	if (err < 0)
		return err;
	if (!cqe) /* liburing 2.3 returns the count submitted when the wait times out */
		return -ETIME;
	*out = *cqe;
	io_uring_cqe_seen(&r->uring, cqe);
	return 0;
}

static struct msghdr mh = { .msg_namelen = sizeof(struct sockaddr_in) };

/* Checks a datagram completion: its buffer is in group b and holds "datagram i"
 * from the sender. Recycles the buffer. */
static void expect_datagram(struct ring_bufs *b, const struct io_uring_cqe *c,
			    const struct pair *p, unsigned i)
{
	CU_ASSERT_EQUAL(c->user_data, TAG);
	CU_ASSERT_FATAL(c->res > 0 && (c->flags & IORING_CQE_F_BUFFER));
	unsigned bid = c->flags >> IORING_CQE_BUFFER_SHIFT;
	CU_ASSERT_FATAL(bid < b->n);
	char *buf = ring_bufs_get(b, bid);
	struct io_uring_recvmsg_out *o = io_uring_recvmsg_validate(buf, c->res, &mh);
	CU_ASSERT_FATAL(o != NULL);
	char want[16];
	int len = snprintf(want, sizeof(want), "datagram %u", i);
	CU_ASSERT_EQUAL(io_uring_recvmsg_payload_length(o, c->res, &mh), (unsigned)len);
	CU_ASSERT(memcmp(io_uring_recvmsg_payload(o, &mh), want, (size_t)len) == 0);
	struct sockaddr_in from;
	memcpy(&from, io_uring_recvmsg_name(o), sizeof(from));
	CU_ASSERT_EQUAL(from.sin_port, p->tx_addr.sin_port);
	ring_bufs_recycle(b, bid);
}

/* A ring with a second group of GROUP_BUFS small buffers, and a socket pair. */
struct fixture {
	struct ring r;
	struct ring_bufs b;
	struct pair p;
};

static void setup(struct fixture *f)
{
	CU_ASSERT_EQUAL_FATAL(ring_init(&f->r, 64, 8, 16384), 0);
	CU_ASSERT_EQUAL_FATAL(ring_bufs_init(&f->r, &f->b, GROUP_BUFS, 2048), 0);
	CU_ASSERT_NOT_EQUAL(f->b.bgid, f->r.bufs.bgid);
	pair_open(&f->p);
}

static void teardown(struct fixture *f)
{
	close(f->p.rx);
	close(f->p.tx);
	ring_bufs_free(&f->r, &f->b);
	ring_exit(&f->r);
}

static void test_datagrams_use_their_group(void)
{
	struct fixture f;
	setup(&f);
	ring_recvmsg_multishot(&f.r, f.p.rx, &mh, &f.b, TAG);
	io_uring_submit(&f.r.uring);
	for (unsigned i = 0; i < 3 * GROUP_BUFS; i++) { /* more than the group holds */
		struct io_uring_cqe c;
		send_n(&f.p, i, 1);
		CU_ASSERT_EQUAL_FATAL(next_cqe(&f.r, &c), 0);
		expect_datagram(&f.b, &c, &f.p, i);
		CU_ASSERT(c.flags & IORING_CQE_F_MORE);
	}
	teardown(&f);
}

static void test_no_buffer_ends_receive_loses_nothing(void)
{
	struct fixture f;
	setup(&f);
	send_n(&f.p, 0, GROUP_BUFS + 1); /* all waiting before the receive is armed */
	ring_recvmsg_multishot(&f.r, f.p.rx, &mh, &f.b, TAG);
	struct io_uring_cqe held[GROUP_BUFS], c;
	for (unsigned i = 0; i < GROUP_BUFS; i++) {
		CU_ASSERT_EQUAL_FATAL(next_cqe(&f.r, &held[i]), 0);
		CU_ASSERT(held[i].flags & IORING_CQE_F_MORE);
	}
	CU_ASSERT_EQUAL_FATAL(next_cqe(&f.r, &c), 0);
	CU_ASSERT_EQUAL(c.res, -ENOBUFS);
	CU_ASSERT_FALSE(c.flags & IORING_CQE_F_MORE);
	for (unsigned i = 0; i < GROUP_BUFS; i++)
		expect_datagram(&f.b, &held[i], &f.p, i);
	ring_recvmsg_multishot(&f.r, f.p.rx, &mh, &f.b, TAG);
	CU_ASSERT_EQUAL_FATAL(next_cqe(&f.r, &c), 0);
	expect_datagram(&f.b, &c, &f.p, GROUP_BUFS);
	teardown(&f);
}

/* Child of test_full_queue_that_cannot_submit: exit 0 when ring_sqe and a prep
 * function give up, 1..3 for a wrong answer; a retry loop dies of the alarm. */
static void full_queue_child(void)
{
	struct ring r;
	alarm(2);
	if (ring_init(&r, 8, 8, 2048))
		_exit(3);
	while (io_uring_get_sqe(&r.uring)) /* fill the queue, submit nothing */
		;
	/* the ring's fd now names /dev/null: io_uring_enter fails, as on a ring the
	 * kernel will not take more from; the mappings stay valid */
	int null = open("/dev/null", O_RDONLY | O_CLOEXEC);
	if (null < 0 || dup2(null, r.uring.ring_fd) < 0)
		_exit(3);
	if (ring_sqe(&r) != NULL)
		_exit(1);
	char byte = 0;
	if (ring_send(&r, 0, &byte, 1, TAG) >= 0)
		_exit(2);
	_exit(0);
}

static void test_full_queue_that_cannot_submit(void)
{
	fflush(NULL);
	pid_t pid = fork();
	CU_ASSERT_FATAL(pid >= 0);
	if (pid == 0)
		full_queue_child();
	int st = 0;
	pid_t got = 0;
	for (int i = 0; i < 400 && got == 0; i++) { /* 4 s at most */
		got = waitpid(pid, &st, WNOHANG);
		if (got == 0)
			nanosleep(&(struct timespec){ .tv_nsec = 10 * 1000 * 1000 }, NULL);
	}
	if (got == 0) {
		kill(pid, SIGKILL);
		waitpid(pid, &st, 0);
	}
	if (WIFSIGNALED(st))
		fprintf(stderr, "\n  ring_sqe did not return: the child died of signal %d (%s)\n",
			WTERMSIG(st), WTERMSIG(st) == SIGALRM ? "alarm after 2 s" : "other");
	else if (WEXITSTATUS(st))
		fprintf(stderr, "\n  child exit %d: 1 ring_sqe gave an SQE, 2 ring_send said 0, "
			"3 set-up failed\n", WEXITSTATUS(st));
	CU_ASSERT(WIFEXITED(st) && WEXITSTATUS(st) == 0);
}

int main(void)
{
	static const struct tl_case cases[] = {
		{ "datagrams land in their own buffer group, recycled", test_datagrams_use_their_group },
		{ "a receive with no free buffer ends; armed again it loses nothing",
		  test_no_buffer_ends_receive_loses_nothing },
		{ "a full queue that cannot be submitted fails the call, within a bound",
		  test_full_queue_that_cannot_submit },
	};
	return tl_run("ring", TL_CASES(cases));
}
