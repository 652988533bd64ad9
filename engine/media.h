/* Media streams on the worker's ring: one RTP and one RTCP UDP socket per call (or,
 * shared, one pair per local address for all the worker's calls, told apart by the far
 * end's address, port and SSRC), SRTP keyed by the SDES exchange, packets paced from a
 * per-worker deadline heap so that thousands of streams share one worker without drift. */
#ifndef TL_MEDIA_H
#define TL_MEDIA_H
#include <netinet/in.h>
#include <stdbool.h>
#include <stdint.h>
#include "net_addr.h"
#include "result.h"
#include "ring.h"
#include "dtmf.h"
#include "media_demux.h"
#include "sdes.h"
#include "slot_stack.h"
#include "timer.h"
#include "udp_batch.h"

struct media_stream;

/* Ring operation codes of media: in the role's part of the op space (ring.h); the
 * role hands their completions to media_cqe. */
enum {
	MEDIA_OP_FIRST = RING_OP_ROLE_FIRST,
	MEDIA_OP_RTP_RECV = MEDIA_OP_FIRST,
	MEDIA_OP_RTCP_RECV,
	MEDIA_OP_RTP_SEND,
	MEDIA_OP_RTCP_SEND,
	MEDIA_OP_CANCEL,
	MEDIA_OP_RTP_LATE_SEND, /* a packet held back to arrive reordered (reorder_per_10k) */
	MEDIA_OP_SHARED_RTP_RECV, /* on a shared socket: the tag's slot is the socket's index */
	MEDIA_OP_SHARED_RTCP_RECV,
	MEDIA_OP_BATCH_SEND,      /* shared: RTP of a turn to one far end (udp_batch.h) */
};

/* Shared ports: a pair of sockets per local address, at most this many addresses. */
#define MEDIA_SHARED_MAX 16
/* Shared ports: datagrams no stream can take yet (the far end's answer or key is not
 * known yet), held a while for the stream they turn out to belong to. */
#define MEDIA_HELD_MAX 1024

/* Shared ports: the bindings of this many ended streams are kept (RTP and RTCP each),
 * so that what their far ends sent before they heard of the end is dropped quietly, as
 * a closed per-call socket drops it. */
#define MEDIA_ENDED_MAX 4096

struct media_shared {
	union tl_sockaddr local;  /* the RTP socket's address */
	int fd[2];                /* RTP, RTCP */
	bool armed[2];            /* its multishot receive runs */
	unsigned errors;          /* receives that ended in an error and were armed again */
};

struct media_held;

struct capture;

struct media_pool {
	struct ring *ring;        /* the worker's, borrowed */
	struct result *res;       /* where per-call latencies go, borrowed */
	struct media_stream *s;   /* owned */
	uint32_t n;
	struct slot_stack slots;  /* the free ones of s[] */
	struct timer_heap timers;
	struct ring_bufs bufs;    /* datagrams land here, apart from the stream receives */
	uint16_t port_lo, port_hi, next_port;
	bool wrong_tx_key;        /* protect with a key other than the one advertised */
	bool keep_old_tx_key;     /* a new key of ours changes nothing: the far end must count
				   * stale-key packets */
	bool replay_tx;           /* send every 10th packet twice: the far end must see replays */
	/* impairments of what we send, per 10,000 packets: dropped (never sent), and held back
	 * to go out just after the next one (the far end must count them reordered) */
	uint32_t drop_per_10k, reorder_per_10k;
	uint32_t jitter_us;       /* each packet goes out 0..jitter_us late (uniform; below a
				   * packet time, so none is reordered by it) */
	uint64_t rng;             /* their draws (xorshift64, seeded at init) */
	struct capture *capture;  /* --pcap: RTP headers sent and received go here, or NULL */
	bool echo_dtmf;           /* play back every digit received (a far end for DTMF tests) */
	char expect_dtmf[DTMF_MAX_DIGITS + 1]; /* "" or the digits every stream must receive:
					       * the others count as dtmf mismatched */
	bool shared;              /* every stream on its local address's shared pair */
	struct media_shared sh[MEDIA_SHARED_MAX];
	unsigned n_sh;
	bool rearm;               /* one of them could not be armed: media_tick tries again */
	struct media_demux demux; /* the far end's address, port, SSRC -> slot * 2 + (RTCP) */
	struct media_demux ended; /* the same of ended streams, ids in turn (MEDIA_ENDED_MAX) */
	uint32_t ended_next;
	uint32_t pending;         /* the first open stream whose far end's RTP is not bound yet */
	struct udp_batcher batch; /* shared: a turn's RTP per far end, in one send */
	uint32_t batch_epoch;     /* flushes so far, + 1 */
	struct media_held *held;  /* owned, MEDIA_HELD_MAX of them, a ring */
	unsigned held_first, n_held;
};

/* Sets up max_streams streams using even ports in [port_lo, port_hi] (RTCP on the
 * odd port above each; shared: one such pair per local address), on ring (their
 * receive buffers are a group of its own), recording latencies in res. Returns 0 or a
 * negative errno. */
int media_pool_init(struct media_pool *p, struct ring *ring, struct result *res,
		    uint32_t max_streams, uint16_t port_lo, uint16_t port_hi, bool shared);
void media_pool_free(struct media_pool *p);

/* Binds a stream's sockets on ip (an address literal) and starts receiving (shared:
 * the address's pair, bound the first time). Sets *slot and *port. Returns 0,
 * -EADDRINUSE when no port pair is free, -EMFILE when a shared pool has sockets on
 * MEDIA_SHARED_MAX addresses already,
 * -ENOSPC when every stream is in use, or another negative errno. */
int media_open(struct media_pool *p, const char *ip, uint32_t *slot, uint16_t *port);
/* Where the far end wants RTP (and RTCP on port + 1). */
void media_set_remote(struct media_pool *p, uint32_t slot, const union tl_sockaddr *rtp);
/* Shared ports: the SSRC we send with, chosen when the stream opens, for our SDP to
 * announce (a=ssrc); 0 with per-call ports (nothing to announce). */
uint32_t media_own_ssrc(struct media_pool *p, uint32_t slot);
/* Shared ports: the SSRC the far end announced (a=ssrc): its packets find the stream by
 * it from the first on (after media_set_remote). */
void media_set_far_ssrc(struct media_pool *p, uint32_t slot, uint32_t ssrc);
/* The far end's key: what arrives is unprotected with it. A new key keeps the one it
 * replaces, to tell packets still in flight under it (accepted for 500 ms, until one
 * arrives under the new key) from stale ones (srtp.stale_key_packets). 0 or negative
 * errno. */
int media_set_rx(struct media_pool *p, uint32_t slot, const struct sdes_crypto *key);
/* Our offer with new keys is out: packets that fail under the far end's key in use are
 * held (a few) for the key its answer brings, which may be in use before the answer
 * arrives; media_set_rx ends the wait. */
void media_expect_rekey(struct media_pool *p, uint32_t slot);
/* Whether the far end is meant to send (default true): a stream that is and stays
 * silent is counted as silent when it closes. */
void media_expect_rx(struct media_pool *p, uint32_t slot, bool expect);
/* Our key while we do not send (held, recvonly): our receiver reports go out under it,
 * every 5 s. 0 or a negative errno. */
int media_set_tx_key(struct media_pool *p, uint32_t slot, const struct sdes_crypto *key);
/* Starts sending PCMU protected with our key, one packet every ptime_ms from
 * `at` (monotonic ns). 0 or a negative errno. */
int media_start_tx(struct media_pool *p, uint32_t slot, const struct sdes_crypto *key,
		   int ptime_ms, uint8_t pt, uint64_t at);
void media_stop_tx(struct media_pool *p, uint32_t slot);
/* Packets our key in use may still protect by its lifetime (UINT64_MAX: none set). At 0
 * the stream stops sending (srtp.lifetime_ended) until a new key comes. */
uint64_t media_tx_key_left(struct media_pool *p, uint32_t slot);
/* The far end's telephone-event payload type (RFC 4733), -1 when it has none: what our
 * digits go out as, and besides ours (101) what its digits come in as. */
void media_set_events(struct media_pool *p, uint32_t slot, int te_pt);
/* Plays digits in place of the audio, duration_ms each with gap_ms of audio between
 * them, after those still queued. 0, -ENOENT when the stream is not sending,
 * -EPROTONOSUPPORT when the far end named no telephone-event, or dtmf_queue's errors. */
int media_send_dtmf(struct media_pool *p, uint32_t slot, const char *digits, uint32_t duration_ms,
		    uint32_t gap_ms);
/* Whether digits are still to go out (the stream sends). */
bool media_dtmf_pending(struct media_pool *p, uint32_t slot);
/* The digits the far end sent so far (the first DTMF_MAX_DIGITS); "" for no stream.
 * *last_ended: whether the last of them has ended (its end packet came). */
const char *media_dtmf_received(struct media_pool *p, uint32_t slot, bool *last_ended);
/* Ends the stream: its counts go into res; sockets close once the ring is done
 * with them. */
void media_close(struct media_pool *p, uint32_t slot, struct result *res);

/* Sends what is due. Returns the next deadline (0: none). */
uint64_t media_tick(struct media_pool *p, uint64_t now);
/* Whether any stream is open (its RTP wants the loop on time). */
static inline bool media_streams_open(const struct media_pool *p)
{
	return p->slots.n_free < p->slots.n;
}
/* A completion of one of the pool's operations (op >= MEDIA_OP_FIRST). */
void media_cqe(struct media_pool *p, uint64_t tag, int res, unsigned flags);

#endif
