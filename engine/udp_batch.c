#include "udp_batch.h"
#include <errno.h>
#include <netinet/in.h>
#include <netinet/udp.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

/* The tag's generation: the segmented send, or one datagram sent again alone. */
enum { SEGMENTED = 0, ALONE = 1 };

struct udp_batch {
	bool busy;                /* being filled, or with the kernel */
	int fd;
	uint16_t seg, count;
	uint16_t pending;         /* its datagrams sent again alone, not completed yet */
	uint32_t len;
	union tl_sockaddr to;
	struct msghdr mh;         /* the kernel reads these until the completion */
	struct iovec iov;
	union {
		char buf[CMSG_SPACE(sizeof(uint16_t))];
		struct cmsghdr align;
	} ctl;
	uint8_t data[UDP_BATCH_BYTES];
};

int udp_batcher_init(struct udp_batcher *u, struct ring *ring, unsigned op)
{
	memset(u, 0, sizeof(*u));
	u->b = calloc(UDP_BATCH_SLOTS, sizeof(*u->b));
	if (!u->b)
		return -ENOMEM;
	u->ring = ring;
	u->op = op;
	return 0;
}

void udp_batcher_free(struct udp_batcher *u)
{
	free(u->b);
	memset(u, 0, sizeof(*u));
}

static void submit(struct udp_batcher *u, unsigned i)
{
	struct udp_batch *b = &u->b[i];
	uint64_t tag = ring_tag(u->op, SEGMENTED, i);
	int err;
	if (b->count == 1) {
		err = ring_sendto(u->ring, b->fd, b->data, b->len, &b->to.sa, tl_sockaddr_len(&b->to), tag);
	} else {
		b->iov = (struct iovec){ .iov_base = b->data, .iov_len = b->len };
		b->mh = (struct msghdr){ .msg_name = &b->to, .msg_namelen = tl_sockaddr_len(&b->to),
					 .msg_iov = &b->iov, .msg_iovlen = 1,
					 .msg_control = b->ctl.buf, .msg_controllen = sizeof(b->ctl.buf) };
		struct cmsghdr *c = CMSG_FIRSTHDR(&b->mh);
		c->cmsg_level = IPPROTO_UDP;
		c->cmsg_type = UDP_SEGMENT;
		c->cmsg_len = CMSG_LEN(sizeof(uint16_t));
		memcpy(CMSG_DATA(c), &b->seg, sizeof(b->seg));
		err = ring_sendmsg(u->ring, b->fd, &b->mh, tag);
	}
	if (err) {
		b->busy = false;
		u->lost += b->count;
		return;
	}
	u->sends++;
	u->datagrams += b->count;
}

/* The open list keeps the order batches were opened in: they leave in it. */
static void close_open(struct udp_batcher *u, unsigned j)
{
	memmove(&u->open[j], &u->open[j + 1], (u->n_open - j - 1) * sizeof(u->open[0]));
	u->n_open--;
}

static bool take_free(struct udp_batcher *u, unsigned *slot)
{
	for (unsigned k = 0; k < UDP_BATCH_SLOTS; k++) {
		unsigned i = (u->next_free + k) % UDP_BATCH_SLOTS;
		if (!u->b[i].busy) {
			u->next_free = (i + 1) % UDP_BATCH_SLOTS;
			*slot = i;
			return true;
		}
	}
	return false;
}

/* No room for another datagram of its length. */
static bool full(const struct udp_batch *b)
{
	return b->count == UDP_BATCH_SEGMENTS || b->len + b->seg > UDP_BATCH_BYTES;
}

bool udp_batcher_add(struct udp_batcher *u, int fd, const union tl_sockaddr *to,
		     const void *data, size_t len)
{
	if (u->off || !len || len > UDP_BATCH_BYTES)
		return false;
	for (unsigned j = 0; j < u->n_open; j++) {
		struct udp_batch *b = &u->b[u->open[j]];
		if (b->fd != fd || b->seg != len || !tl_sockaddr_same(&b->to, to))
			continue;
		memcpy(b->data + b->len, data, len);
		b->len += (uint32_t)len;
		b->count++;
		if (full(b)) {
			unsigned i = u->open[j];
			close_open(u, j);
			submit(u, i);
		}
		return true;
	}
	unsigned i;
	if (2 * len > UDP_BATCH_BYTES || u->n_open == UDP_BATCH_OPEN || !take_free(u, &i))
		return false;
	struct udp_batch *b = &u->b[i];
	b->busy = true;
	b->fd = fd;
	b->to = *to;
	b->seg = (uint16_t)len;
	b->count = 1;
	b->len = (uint32_t)len;
	memcpy(b->data, data, len);
	u->open[u->n_open++] = i;
	return true;
}

uint64_t udp_batcher_flush(struct udp_batcher *u)
{
	for (unsigned j = 0; j < u->n_open; j++)
		submit(u, u->open[j]);
	u->n_open = 0;
	uint64_t lost = u->lost;
	u->lost = 0;
	return lost;
}

static bool no_segmentation(int res)
{
	return res == -EIO || res == -EINVAL || res == -EOPNOTSUPP || res == -ENOPROTOOPT;
}

unsigned udp_batcher_done(struct udp_batcher *u, uint64_t tag, int res)
{
	uint32_t i = ring_tag_slot(tag);
	if (i >= UDP_BATCH_SLOTS || !u->b[i].busy)
		return 0;
	struct udp_batch *b = &u->b[i];
	if (ring_tag_gen(tag) == ALONE) {
		if (--b->pending == 0)
			b->busy = false;
		return res < 0;
	}
	if (res >= 0 || b->count == 1 || !no_segmentation(res)) {
		b->busy = false;
		return res < 0 ? b->count : 0;
	}
	/* a kernel or path without segmentation offload: this batch goes again one datagram
	 * a send, and so does everything from now on */
	u->off = true;
	unsigned lost = 0;
	for (unsigned k = 0; k < b->count; k++) {
		if (ring_sendto(u->ring, b->fd, b->data + (size_t)k * b->seg, b->seg, &b->to.sa,
				tl_sockaddr_len(&b->to), ring_tag(u->op, ALONE, i)))
			lost++;
		else
			b->pending++;
	}
	if (!b->pending)
		b->busy = false;
	return lost;
}
