/* Datagrams of one loop turn to the same destination, of the same length, gathered into
 * one send with UDP segmentation offload (UDP_SEGMENT, Linux 4.18): the kernel cuts it
 * into the datagrams once, instead of a system call, a socket lookup and a route per
 * datagram. Pays when many streams go to one far end's port (shared ports on both
 * sides); with a port per far-end stream each batch holds one datagram and goes out as
 * a plain send. Knows nothing of RTP. */
#ifndef TL_UDP_BATCH_H
#define TL_UDP_BATCH_H
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "net_addr.h"
#include "ring.h"

#define UDP_BATCH_SEGMENTS 64     /* UDP_MAX_SEGMENTS of Linux 6.1 (Debian 12) */
#define UDP_BATCH_BYTES (16 << 10)
#define UDP_BATCH_SLOTS 64        /* filling or with the kernel */
#define UDP_BATCH_OPEN 16         /* destinations filled at once */

struct udp_batch;

struct udp_batcher {
	struct ring *ring;        /* borrowed */
	unsigned op;              /* its sends' ring op; the tag's slot is the batch */
	struct udp_batch *b;      /* owned, UDP_BATCH_SLOTS */
	unsigned open[UDP_BATCH_OPEN], n_open, next_free;
	bool off;                 /* the kernel refused a segmented send: no batches since */
	uint64_t sends, datagrams; /* submitted: system calls and what they carried */
	uint64_t lost;            /* datagrams of batches the ring refused, until the flush */
};

/* 0 or -ENOMEM. */
int udp_batcher_init(struct udp_batcher *u, struct ring *ring, unsigned op);
void udp_batcher_free(struct udp_batcher *u);

/* Copies a datagram of len bytes for fd's send to `to` into a batch; false when it
 * cannot go in one (no batch free, too many destinations this turn, too long, or the
 * batcher is off): the caller sends it alone. A full batch is submitted at once. Batches
 * of other lengths may leave before one opened earlier fills: a caller that keeps a
 * flow's order flushes before it adds, or sends alone, a flow's second datagram. */
bool udp_batcher_add(struct udp_batcher *u, int fd, const union tl_sockaddr *to,
		     const void *data, size_t len);

/* Submits every batch being filled, in the order they were opened. Returns the number of datagrams, since the last
 * flush, whose batch the ring refused (lost: the caller counts them as send errors). */
uint64_t udp_batcher_flush(struct udp_batcher *u);

/* A completion of one of its sends (tag and res as the ring gave them). Returns the
 * number of datagrams lost. A segmented send the kernel refuses (no segmentation offload
 * on the path) goes again one datagram a send, and the batcher turns off. */
unsigned udp_batcher_done(struct udp_batcher *u, uint64_t tag, int res);

#endif
