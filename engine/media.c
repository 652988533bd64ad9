#include "media.h"
#include "be.h"
#include "capture.h"
#include "clock.h"
#include "dtmf.h"
#include "emodel.h"
#include "kernel_wrote.h"
#include "ring.h"
#include "rtp.h"
#include "srtp_session.h"
#include <arpa/inet.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <netinet/udp.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>
#include <openssl/rand.h>

enum { T_RTP = 1, T_RTCP, T_RTP_LATE };

#define RTCP_INTERVAL_NS (5 * NS_PER_S)
#define TX_CAP 1024
#define EARLY_MAX 4      /* packets held until the far end's key is known */
/* after a rekey, packets under the old key this soon are in flight, later ones stale */
#define REKEY_GRACE_NS (500 * NS_PER_MS)
#define EARLY_CAP 512
#define DGRAM_BUF 2048  /* a datagram, its source address and io_uring's header */
#define DGRAM_BUFS_MAX 4096
/* Shared: the kernel may hand a far end's datagrams over in one piece (UDP_GRO), up to
 * 64 of them or 64 KiB. Each piece takes a buffer however short, as many as per-call
 * sockets get (a far end that does not segment sends a piece per datagram); only the
 * pages written are ever resident. */
#define GRO_BUF (68 << 10)
#define OUR_TE_PT 101   /* telephone-event in our offers (sdp.h) */
#define ECHO_MIN_MS 40  /* a digit played back lasts as long as it came, within these */
#define ECHO_MAX_MS 1000
#define ECHO_GAP_MS 50
#define HELD_NS (1 * NS_PER_S)          /* how long a shared socket's datagram waits for its stream */
#define SHARED_SOCKBUF (32 << 20)       /* a shared socket queues what every stream's did */
#define NO_SLOT UINT32_MAX
#define BATCH_GRID_NS NS_PER_MS
#define SHARED_REARMS 100               /* a shared receive ended by errors is armed again this often */

enum stream_state { MS_FREE = 0, MS_OPEN, MS_CLOSING };

struct media_stream {
	uint32_t gen, seq;
	enum stream_state state;
	int fd[2];                 /* RTP, RTCP */
	unsigned ops;
	uint16_t port;
	uint8_t sh;                /* shared: the index of its pair */
	bool in_pending;           /* shared: on the pending list (its far end's RTP not bound) */
	bool far_ssrc_known;       /* shared: bound by the SSRC its far end's SDP announced */
	uint32_t pend_prev, pend_next;
	bool have_remote, have_rx, have_tx, sending, expect_rx, replayed;
	bool inflight[3];          /* a send of RTP / RTCP / a late RTP packet is with the kernel */
	union tl_sockaddr remote[2];
	union tl_sockaddr local;   /* the RTP socket's address */
	struct srtp_session tx, rx;
	struct srtp_session rx_old; /* the far end's key before its last rekey ... */
	bool have_rx_old;           /* ... to tell the packets still under it */
	struct sdes_crypto rx_key;
	bool awaiting_key;          /* our rekey offer is out: its answer's key may come late */
	bool new_key_seen;          /* a packet verified under the key of the last rekey */
	uint64_t t_rekey;
	struct rtp_sender snd;
	uint16_t first_seq;        /* our first sequence number, for the far end's expected */
	struct rtp_receiver rcv;
	struct {                   /* the far end's reports about what we send (RFC 3550 6.4) */
		uint32_t blocks, rtt_n;
		int32_t lost;          /* its last cumulative lost ... */
		uint32_t expected;     /* ... of these, from its extended highest number */
		uint32_t jitter;       /* its last jitter, timestamp units */
		double rtt_ms_sum, rtt_ms_max;
	} far;
	uint64_t period_ns, next_rtp, t_rx_ready;
	bool first_seen;
	bool sent_before;          /* a media phase ran: the next one continues its stream */
	struct sdes_crypto tx_key; /* what tx protects with */
	uint64_t tx_key_rtp, tx_key_rtcp; /* packets protected with it: its lifetime bounds each */
	uint32_t own_ssrc;         /* ours, in reports also before (or without) sending */
	uint32_t batch_epoch;      /* its last RTP packet waits in a batch while this is the pool's */
	bool rtcp_on;              /* our reports' timer runs */
	int te_pt;                 /* the far end's telephone-event payload type, -1: none */
	struct dtmf_sender dtmf_tx;
	struct dtmf_receiver dtmf_rx;
	uint64_t n[SRTP_COUNTERS]; /* this stream's counts, added to the result at the end */
	char suite[40];
	unsigned n_early;
	uint16_t early_len[EARLY_MAX];
	union tl_sockaddr early_from[EARLY_MAX];
	uint8_t early[EARLY_MAX][EARLY_CAP];
	bool held;                 /* txbuf[2] holds a packet to send after the next one */
	uint16_t txlen[3];
	uint8_t txbuf[3][TX_CAP];  /* RTP, RTCP, an RTP packet held back */
};

/* A datagram on a shared socket that no stream could take yet. */
struct media_held {
	uint64_t at;
	bool tried;               /* it failed under the key of every stream of its source */
	union tl_sockaddr from;
	uint8_t sh;
	uint16_t len;
	uint8_t data[EARLY_CAP];
};

/* The receive msghdr only tells the kernel how much room the source address gets (and,
 * on shared sockets, the segment length of datagrams that came in one piece: there the
 * name's room is rounded up, so that the control part after it is aligned). */
static struct msghdr recv_mh = { .msg_namelen = sizeof(union tl_sockaddr) };
static struct msghdr recv_gro_mh = { .msg_namelen = (sizeof(union tl_sockaddr) + 7) & ~7u,
				     .msg_controllen = CMSG_SPACE(sizeof(int)) };

static void set_port(union tl_sockaddr *a, uint16_t port)
{
	if (a->sa.sa_family == AF_INET6)
		a->in6.sin6_port = htons(port);
	else
		a->in.sin_port = htons(port);
}

int media_pool_init(struct media_pool *p, struct ring *ring, struct result *res,
		    uint32_t max_streams, uint16_t port_lo, uint16_t port_hi, bool shared)
{
	memset(p, 0, sizeof(*p));
	p->ring = ring;
	p->res = res;
	/* a free stream's fields are not read (its sockets are set when it opens): the
	 * streams, some KiB each, stay untouched pages until used, and a responder with
	 * the whole port range listens at once, not after faulting them all in */
	p->s = calloc(max_streams, sizeof(*p->s));
	if (!p->s || slot_stack_init(&p->slots, max_streams)) {
		media_pool_free(p);
		return -ENOMEM;
	}
	/* a buffer per datagram until the worker gets to it: too few, and each receive
	 * that finds none ends and must be armed again, at a cost per socket */
	unsigned nbufs = 64;
	while (nbufs < DGRAM_BUFS_MAX && nbufs < 2ull * max_streams)
		nbufs *= 2;
	int err = ring_bufs_init(ring, &p->bufs, nbufs, shared ? GRO_BUF : DGRAM_BUF);
	if (err) {
		media_pool_free(p);
		return err;
	}
	p->n = max_streams;
	RAND_bytes((unsigned char *)&p->rng, sizeof(p->rng));
	p->rng |= 1; /* xorshift never leaves 0 */
	p->port_lo = (uint16_t)(port_lo & ~1u);
	p->port_hi = port_hi;
	p->next_port = p->port_lo;
	p->shared = shared;
	p->pending = NO_SLOT;
	p->batch_epoch = 1;
	if (shared && (demux_init(&p->demux, 2 * max_streams) || demux_init(&p->ended, MEDIA_ENDED_MAX) ||
		       !(p->held = calloc(MEDIA_HELD_MAX, sizeof(*p->held))) ||
		       udp_batcher_init(&p->batch, ring, MEDIA_OP_BATCH_SEND))) {
		media_pool_free(p);
		return -ENOMEM;
	}
	return 0;
}

static void stream_release(struct media_pool *p, struct media_stream *m)
{
	for (int i = 0; i < 2 && !p->shared; i++)
		if (m->fd[i] >= 0)
			close(m->fd[i]);
	if (m->have_tx)
		srtp_session_free(&m->tx);
	if (m->have_rx)
		srtp_session_free(&m->rx);
	if (m->have_rx_old)
		srtp_session_free(&m->rx_old);
	uint32_t gen = (m->gen + 1) & 0xffffff, seq = m->seq;
	memset(m, 0, sizeof(*m) - sizeof(m->txbuf)); /* txbuf is last: no need to clear it */
	m->gen = gen;
	m->seq = seq;
	m->fd[0] = m->fd[1] = -1;
	slot_stack_put(&p->slots, (uint32_t)(m - p->s));
}

void media_pool_free(struct media_pool *p)
{
	for (uint32_t i = 0; p->s && i < p->slots.used; i++)
		if (p->s[i].state != MS_FREE)
			stream_release(p, &p->s[i]);
	for (unsigned i = 0; i < p->n_sh; i++)
		for (int k = 0; k < 2; k++)
			close(p->sh[i].fd[k]);
	demux_free(&p->demux);
	demux_free(&p->ended);
	udp_batcher_free(&p->batch);
	free(p->held);
	free(p->s);
	slot_stack_free(&p->slots);
	timer_free(&p->timers);
	if (p->ring)
		ring_bufs_free(p->ring, &p->bufs);
	memset(p, 0, sizeof(*p));
}

static uint64_t tag(unsigned op, const struct media_pool *p, const struct media_stream *m)
{
	return ring_tag(op, m->gen, (uint32_t)(m - p->s));
}

/* Ring operations that cannot be queued (the ring refuses submits: ring_sqe) are not
 * in flight: they are counted as errors, never waited for. */
static void arm_recv(struct media_pool *p, struct media_stream *m, int i)
{
	if (ring_recvmsg_multishot(p->ring, m->fd[i], &recv_mh, &p->bufs,
				   tag(i ? MEDIA_OP_RTCP_RECV : MEDIA_OP_RTP_RECV, p, m))) {
		m->n[SRTP_BAD_PACKETS]++; /* this socket hears nothing more */
		return;
	}
	m->ops++;
}

/* Binds an RTP and RTCP socket on the next free even port of the range at ip. */
static int bind_pair(struct media_pool *p, const char *ip, int out_fd[2], union tl_sockaddr *local)
{
	union tl_sockaddr a;
	if (tl_sockaddr_set(&a, ip, 0))
		return -EINVAL;
	unsigned span = (unsigned)(p->port_hi - p->port_lo + 1) / 2;
	for (unsigned tries = 0; tries < span; tries++) {
		uint16_t port = p->next_port;
		p->next_port = port + 2 > p->port_hi - 1 ? p->port_lo : (uint16_t)(port + 2);
		int fd[2] = { -1, -1 };
		bool ok = true;
		for (int i = 0; i < 2 && ok; i++) {
			fd[i] = socket(a.sa.sa_family, SOCK_DGRAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
			set_port(&a, (uint16_t)(port + i));
			ok = fd[i] >= 0 && bind(fd[i], &a.sa, tl_sockaddr_len(&a)) == 0;
		}
		if (ok) {
			out_fd[0] = fd[0];
			out_fd[1] = fd[1];
			*local = a;
			set_port(local, port);
			return 0;
		}
		int err = errno;
		for (int i = 0; i < 2; i++)
			if (fd[i] >= 0)
				close(fd[i]);
		if (err != EADDRINUSE && err != EACCES)
			return -err;
	}
	return -EADDRINUSE;
}

/* A receive that cannot be queued (the ring refuses submits) is tried again by
 * media_tick: every call on the address hears through it. */
static void arm_shared(struct media_pool *p, unsigned i, int kind)
{
	p->sh[i].armed[kind] =
		!ring_recvmsg_multishot(p->ring, p->sh[i].fd[kind], &recv_gro_mh, &p->bufs,
					ring_tag(kind ? MEDIA_OP_SHARED_RTCP_RECV : MEDIA_OP_SHARED_RTP_RECV, 0, i));
	p->rearm |= !p->sh[i].armed[kind];
}

/* A shared socket's buffers, DF on what it sends over IPv4 (the kernel then writes IP ID
 * 0 rather than drawing an ID for each datagram), and a far end's datagrams in one piece
 * where the kernel has them so (sent segmented, udp_batch.h). */
static void set_bufs(int fd, int family)
{
	int one = 1;
	setsockopt(fd, IPPROTO_UDP, UDP_GRO, &one, sizeof(one));
	if (family == AF_INET) {
		int df = IP_PMTUDISC_DO;
		setsockopt(fd, IPPROTO_IP, IP_MTU_DISCOVER, &df, sizeof(df));
	}
	int size = SHARED_SOCKBUF;
	if (setsockopt(fd, SOL_SOCKET, SO_RCVBUFFORCE, &size, sizeof(size)))
		setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &size, sizeof(size)); /* up to rmem_max */
	if (setsockopt(fd, SOL_SOCKET, SO_SNDBUFFORCE, &size, sizeof(size)))
		setsockopt(fd, SOL_SOCKET, SO_SNDBUF, &size, sizeof(size));
}

/* The shared pair on ip, bound and receiving the first time it is asked for. */
static int shared_pair(struct media_pool *p, const char *ip, unsigned *index)
{
	union tl_sockaddr want;
	if (tl_sockaddr_set(&want, ip, 0))
		return -EINVAL;
	for (unsigned i = 0; i < p->n_sh; i++) {
		union tl_sockaddr a = p->sh[i].local;
		set_port(&a, 0);
		if (tl_sockaddr_same(&a, &want)) {
			*index = i;
			return 0;
		}
	}
	if (p->n_sh == MEDIA_SHARED_MAX)
		return -EMFILE;
	struct media_shared *sh = &p->sh[p->n_sh];
	int err = bind_pair(p, ip, sh->fd, &sh->local);
	if (err)
		return err;
	for (int k = 0; k < 2; k++)
		set_bufs(sh->fd[k], sh->local.sa.sa_family);
	*index = p->n_sh++;
	for (int k = 0; k < 2; k++)
		arm_shared(p, *index, k);
	return 0;
}

static void pending_add(struct media_pool *p, struct media_stream *m)
{
	if (m->in_pending)
		return;
	uint32_t k = (uint32_t)(m - p->s);
	m->in_pending = true;
	m->pend_prev = NO_SLOT;
	m->pend_next = p->pending;
	if (p->pending != NO_SLOT)
		p->s[p->pending].pend_prev = k;
	p->pending = k;
}

static void pending_remove(struct media_pool *p, struct media_stream *m)
{
	if (!m->in_pending)
		return;
	if (m->pend_prev != NO_SLOT)
		p->s[m->pend_prev].pend_next = m->pend_next;
	else
		p->pending = m->pend_next;
	if (m->pend_next != NO_SLOT)
		p->s[m->pend_next].pend_prev = m->pend_prev;
	m->in_pending = false;
}

int media_open(struct media_pool *p, const char *ip, uint32_t *slot, uint16_t *port)
{
	uint32_t k;
	if (!slot_stack_peek(&p->slots, &k))
		return -ENOSPC;
	struct media_stream *m = &p->s[k];
	int err;
	if (p->shared) {
		unsigned i;
		err = shared_pair(p, ip, &i);
		if (!err) {
			m->sh = (uint8_t)i;
			m->fd[0] = p->sh[i].fd[0];
			m->fd[1] = p->sh[i].fd[1];
			m->local = p->sh[i].local;
		}
	} else {
		err = bind_pair(p, ip, m->fd, &m->local);
	}
	if (err) /* the stream is taken only once it has its ports */
		return err;
	slot_stack_take(&p->slots, &k);
	m->port = tl_sockaddr_port(&m->local);
	m->state = MS_OPEN;
	m->expect_rx = true;
	m->te_pt = -1;
	rtp_receiver_init(&m->rcv, 8000);
	if (p->shared) {
		pending_add(p, m);
		while (!m->own_ssrc) /* announced in our SDP, before we send */
			RAND_bytes((unsigned char *)&m->own_ssrc, sizeof(m->own_ssrc));
	} else
		for (int i = 0; i < 2; i++)
			arm_recv(p, m, i);
	*slot = (uint32_t)(m - p->s);
	*port = m->port;
	return 0;
}

static struct media_stream *stream(struct media_pool *p, uint32_t slot)
{
	return slot < p->n && p->s[slot].state == MS_OPEN ? &p->s[slot] : NULL;
}

/* Shared: the far end's packets with ssrc find the stream by where they come from (RTCP
 * with the same SSRC, from the port above). */
static void bind_ssrc(struct media_pool *p, struct media_stream *m, uint32_t ssrc)
{
	uint32_t slot = (uint32_t)(m - p->s);
	struct demux_key k = demux_key_of(&m->remote[0], ssrc);
	demux_bind(&p->demux, slot * 2, &k);
	k = demux_key_of(&m->remote[1], ssrc);
	demux_bind(&p->demux, slot * 2 + 1, &k);
}

/* Shared: the far end's first packet came: the stream is found by its SSRC from now on. */
static void bind_far_end(struct media_pool *p, struct media_stream *m)
{
	bind_ssrc(p, m, m->rcv.ssrc);
	pending_remove(p, m);
}

static void unbind_far_end(struct media_pool *p, struct media_stream *m)
{
	uint32_t slot = (uint32_t)(m - p->s);
	demux_unbind(&p->demux, slot * 2);
	demux_unbind(&p->demux, slot * 2 + 1);
}

void media_set_remote(struct media_pool *p, uint32_t slot, const union tl_sockaddr *rtp)
{
	struct media_stream *m = stream(p, slot);
	if (!m)
		return;
	if (p->shared && m->have_remote && !tl_sockaddr_same(rtp, &m->remote[0])) {
		unbind_far_end(p, m); /* it moved (a re-INVITE): found again by its first packet */
		pending_add(p, m);
		m->far_ssrc_known = false;
	}
	m->remote[0] = *rtp;
	m->remote[1] = *rtp;
	set_port(&m->remote[1], (uint16_t)(tl_sockaddr_port(rtp) + 1));
	m->have_remote = true;
}

uint32_t media_own_ssrc(struct media_pool *p, uint32_t slot)
{
	struct media_stream *m = stream(p, slot);
	return m && p->shared ? m->own_ssrc : 0;
}

void media_set_far_ssrc(struct media_pool *p, uint32_t slot, uint32_t ssrc)
{
	struct media_stream *m = stream(p, slot);
	if (!m || !p->shared || !m->have_remote || !m->in_pending)
		return; /* bound already by what it sends, which goes before what it says */
	m->far_ssrc_known = true;
	/* found by it from the first packet on; it stays pending (a far end that sends with
	 * another SSRC after all is still found by its key) until that packet comes */
	bind_ssrc(p, m, ssrc);
}

static void on_rtp(struct media_pool *p, struct media_stream *m, uint8_t *pkt, size_t len,
		   const union tl_sockaddr *from);
static void flush_held(struct media_pool *p, struct media_stream *m);
static void expire_held(struct media_pool *p, uint64_t now);

int media_set_rx(struct media_pool *p, uint32_t slot, const struct sdes_crypto *key)
{
	struct media_stream *m = stream(p, slot);
	if (!m)
		return -ENOENT;
	m->awaiting_key = false;
	int err = 0;
	if (m->have_rx && m->rx_key.suite == key->suite && m->rx_key.key_len == key->key_len &&
	    !memcmp(m->rx_key.key, key->key, key->key_len))
		goto held; /* the key in use, offered again (a refresh, a hold): nothing to change */
	if (m->have_rx) { /* a rekey: the old key stays to tell packets sent under it */
		if (m->have_rx_old)
			srtp_session_free(&m->rx_old);
		m->rx_old = m->rx;
		m->have_rx_old = true;
		m->have_rx = false;
		m->new_key_seen = false;
		m->t_rekey = clock_mono_ns();
	}
	err = srtp_session_init(&m->rx, key, false);
	m->rx_key = *key;
	m->have_rx = err == 0;
	m->n[SRTP_STREAMS] = 1; /* a stream counts once the far end's key is known */
	if (!m->suite[0])
		snprintf(m->suite, sizeof(m->suite), "%s", sdes_suite_name(key->suite));
	m->t_rx_ready = clock_mono_ns();
held:
	/* media sent at once with the answer can overtake the answer itself */
	bool replayed = err == 0 && m->n_early;
	for (unsigned i = 0; err == 0 && i < m->n_early; i++)
		on_rtp(p, m, m->early[i], m->early_len[i], &m->early_from[i]);
	m->n_early = 0;
	if (p->shared && replayed && m->first_seen && m->in_pending)
		bind_far_end(p, m);
	if (p->shared && err == 0 && m->in_pending && m->have_remote && p->n_held)
		flush_held(p, m);
	return err;
}

void media_expect_rekey(struct media_pool *p, uint32_t slot)
{
	struct media_stream *m = stream(p, slot);
	if (m && m->have_rx)
		m->awaiting_key = true;
}

void media_expect_rx(struct media_pool *p, uint32_t slot, bool expect)
{
	struct media_stream *m = stream(p, slot);
	if (m)
		m->expect_rx = expect;
}

static void arm_timer(struct media_pool *p, struct media_stream *m, uint64_t at, unsigned kind)
{
	timer_push(&p->timers, (struct timer_entry){ at, (uint32_t)(m - p->s), m->seq, kind });
}

/* Our key for what we send (SRTP and SRTCP): the same key goes on with the same SRTP
 * context; a new one (a rekey) starts one. */
static int take_tx_key(struct media_pool *p, struct media_stream *m, const struct sdes_crypto *key)
{
	struct sdes_crypto k = *key;
	if (p->wrong_tx_key) /* a deliberately wrong key: the far end must count auth failures */
		RAND_bytes(k.key, (int)k.key_len);
	/* the same key goes on with the same SRTP context; a new one (a rekey) starts one */
	bool same_key = m->have_tx && ((m->tx_key.suite == key->suite && m->tx_key.key_len == key->key_len &&
					 !memcmp(m->tx_key.key, key->key, key->key_len)) ||
				       p->keep_old_tx_key);
	if (!same_key) {
		if (m->have_tx) {
			srtp_session_free(&m->tx);
			m->n[SRTP_REKEYS]++;
		}
		m->have_tx = false;
		int err = srtp_session_init(&m->tx, &k, true);
		if (err)
			return err;
		m->have_tx = true;
		m->tx_key = *key;
		m->tx_key_rtp = m->tx_key_rtcp = 0;
	}
	snprintf(m->suite, sizeof(m->suite), "%s", sdes_suite_name(key->suite));
	return 0;
}

/* The next report of the stream in slot, while it is the one of generation gen. */
static void arm_report(struct media_pool *p, uint32_t slot, uint32_t gen, uint64_t at)
{
	timer_push(&p->timers, (struct timer_entry){ at, slot, gen, T_RTCP });
}

/* RTCP goes out every RTCP_INTERVAL_NS from the first key of ours on (the first report
 * sooner), sending or not, until the stream closes: its timers carry the stream's gen. */
static void start_reports(struct media_pool *p, struct media_stream *m, uint64_t at)
{
	if (m->rtcp_on)
		return;
	m->rtcp_on = true;
	if (!m->own_ssrc)
		RAND_bytes((unsigned char *)&m->own_ssrc, sizeof(m->own_ssrc));
	arm_report(p, (uint32_t)(m - p->s), m->gen, at + RTCP_INTERVAL_NS / 2);
}

int media_set_tx_key(struct media_pool *p, uint32_t slot, const struct sdes_crypto *key)
{
	struct media_stream *m = stream(p, slot);
	if (!m || !m->have_remote)
		return -ENOENT;
	int err = take_tx_key(p, m, key);
	if (!err)
		start_reports(p, m, clock_mono_ns());
	return err;
}

int media_start_tx(struct media_pool *p, uint32_t slot, const struct sdes_crypto *key,
		   int ptime_ms, uint8_t pt, uint64_t at)
{
	struct media_stream *m = stream(p, slot);
	if (!m || !m->have_remote)
		return -ENOENT;
	int err = take_tx_key(p, m, key);
	if (err)
		return err;
	if (!m->sent_before) {
		uint8_t rnd[10];
		RAND_bytes(rnd, sizeof(rnd));
		rtp_sender_init(&m->snd, pt, ptime_ms, rnd);
		if (m->own_ssrc) /* our receiver reports went out under it */
			m->snd.ssrc = m->own_ssrc;
		m->own_ssrc = m->snd.ssrc;
		m->first_seq = m->snd.seq;
		m->sent_before = true;
	} else if (at > m->next_rtp) {
		/* a later media phase (after a pause, hold, a re-INVITE) is the same stream: one
		 * SSRC, sequence numbers that go on, timestamps that count the time between */
		m->snd.ts += (uint32_t)((at - m->next_rtp) / (NS_PER_S / 8000));
	}
	m->period_ns = (uint64_t)ptime_ms * NS_PER_MS;
	m->next_rtp = at;
	m->sending = true;
	m->seq++;
	arm_timer(p, m, at, T_RTP);
	start_reports(p, m, at);
	return 0;
}

void media_set_events(struct media_pool *p, uint32_t slot, int te_pt)
{
	struct media_stream *m = stream(p, slot);
	if (m)
		m->te_pt = te_pt >= 0 && te_pt < 128 ? te_pt : -1;
}

int media_send_dtmf(struct media_pool *p, uint32_t slot, const char *digits, uint32_t duration_ms,
		    uint32_t gap_ms)
{
	struct media_stream *m = stream(p, slot);
	if (!m || !m->sending)
		return -ENOENT;
	if (m->te_pt < 0)
		return -EPROTONOSUPPORT;
	return dtmf_queue(&m->dtmf_tx, digits, duration_ms, gap_ms);
}

bool media_dtmf_pending(struct media_pool *p, uint32_t slot)
{
	struct media_stream *m = stream(p, slot);
	return m && m->sending && m->dtmf_tx.n > 0;
}

const char *media_dtmf_received(struct media_pool *p, uint32_t slot, bool *last_ended)
{
	struct media_stream *m = stream(p, slot);
	*last_ended = m && m->dtmf_rx.ended;
	return m ? m->dtmf_rx.digits : "";
}

uint64_t media_tx_key_left(struct media_pool *p, uint32_t slot)
{
	struct media_stream *m = stream(p, slot);
	if (!m || !m->have_tx || !m->tx_key.lifetime)
		return UINT64_MAX;
	return m->tx_key.lifetime > m->tx_key_rtp ? m->tx_key.lifetime - m->tx_key_rtp : 0;
}

void media_stop_tx(struct media_pool *p, uint32_t slot)
{
	struct media_stream *m = stream(p, slot);
	if (m) {
		m->sending = false;
		m->seq++;
	}
}

/* --pcap: an SRTP packet's RTP header, with the length it had on the wire. */
static void capture_rtp(struct media_pool *p, const union tl_sockaddr *src,
			const union tl_sockaddr *dst, const uint8_t *pkt, size_t len)
{
	struct rtp_header h;
	if (rtp_parse(pkt, len, &h) == 0 && src->sa.sa_family == dst->sa.sa_family)
		capture_datagram(p->capture, &src->sa, &dst->sa, pkt, h.header_len, len);
}

/* Shared ports, no impairment that times packets itself: each turn's RTP goes out per
 * far end in one send, and packets fall due on a grid of BATCH_GRID_NS, so that a turn
 * has many. Each packet of a stream is late by the same (its deadline to the grid point
 * after it): their spacing, and so the far end's jitter, stays as it was. */
static bool batching(const struct media_pool *p)
{
	return p->shared && !p->jitter_us && !p->reorder_per_10k;
}

static void flush_batches(struct media_pool *p)
{
	p->res->srtp.n[SRTP_SEND_ERRORS] += udp_batcher_flush(&p->batch);
	p->batch_epoch++;
}

/* i: 0 RTP, 1 RTCP, 2 an RTP packet held back (on the RTP socket) */
static void submit_send(struct media_pool *p, struct media_stream *m, int i, size_t len)
{
	static const unsigned ops[3] = { MEDIA_OP_RTP_SEND, MEDIA_OP_RTCP_SEND, MEDIA_OP_RTP_LATE_SEND };
	int s = i == 1;
	m->txlen[i] = (uint16_t)len;
	if (i == 0 && batching(p)) {
		if (m->batch_epoch == p->batch_epoch)
			flush_batches(p); /* its packet before this one leaves first */
		if (udp_batcher_add(&p->batch, m->fd[0], &m->remote[0], m->txbuf[0], len)) {
			m->batch_epoch = p->batch_epoch;
			if (p->capture)
				capture_rtp(p, &m->local, &m->remote[0], m->txbuf[0], len);
			return; /* a copy goes out at the end of the turn: txbuf is free at once */
		}
	}
	if (ring_sendto(p->ring, m->fd[s], m->txbuf[i], len, &m->remote[s].sa,
			sizeof(m->remote[s]), tag(ops[i], p, m))) {
		m->n[SRTP_SEND_ERRORS]++;
		return;
	}
	m->inflight[i] = true;
	m->ops++;
	if (p->capture && i != 1)
		capture_rtp(p, &m->local, &m->remote[0], m->txbuf[i], len);
}

/* The impairments' draws (xorshift64). */
static uint64_t next_draw(struct media_pool *p)
{
	p->rng ^= p->rng << 13;
	p->rng ^= p->rng >> 7;
	p->rng ^= p->rng << 17;
	return p->rng;
}

/* true per_10k times in 10,000 */
static bool impair(struct media_pool *p, uint32_t per_10k)
{
	return per_10k && next_draw(p) % 10000 < per_10k;
}

static void send_rtp(struct media_pool *p, struct media_stream *m)
{
	if (m->inflight[0]) {
		m->n[SRTP_LATE_SENDS]++; /* the previous packet is still with the kernel */
		return;
	}
	if (p->replay_tx && m->snd.packets && m->snd.packets % 10 == 0 && !m->replayed) {
		m->replayed = true; /* the packet still in txbuf goes out once more, as is */
		submit_send(p, m, 0, m->txlen[0]);
		return;
	}
	m->replayed = false;
	if (m->tx_key.lifetime && m->tx_key_rtp >= m->tx_key.lifetime) {
		/* RFC 4568 6.1: no packet past the key's lifetime; a rekey would have come first */
		m->sending = false;
		m->n[SRTP_LIFETIME_ENDED] = 1;
		return;
	}
	int n;
	if (m->te_pt >= 0 && dtmf_due(&m->dtmf_tx)) {
		n = dtmf_build_next(&m->dtmf_tx, &m->snd, (uint8_t)m->te_pt, m->txbuf[0],
				    TX_CAP - SRTP_MAX_OVERHEAD);
	} else {
		n = rtp_build_next(&m->snd, m->txbuf[0], TX_CAP - SRTP_MAX_OVERHEAD);
		dtmf_after_audio(&m->dtmf_tx, m->snd.samples);
	}
	size_t len = n > 0 ? (size_t)n : 0;
	if (n <= 0 || srtp_session_protect(&m->tx, m->txbuf[0], &len, TX_CAP)) {
		m->n[SRTP_SEND_ERRORS]++;
		return;
	}
	m->tx_key_rtp++;
	if (impair(p, p->drop_per_10k))
		return; /* built and protected, so the far end sees a gap in the numbers */
	if (p->jitter_us && !m->held && !m->inflight[2]) { /* it goes up to jitter_us later */
		memcpy(m->txbuf[2], m->txbuf[0], len);
		m->txlen[2] = (uint16_t)len;
		m->held = true;
		m->n[SRTP_PACKETS_SENT]++;
		uint64_t most = m->period_ns / 1000 > 1000 ? m->period_ns / 1000 - 1000 : 0;
		if (most > p->jitter_us)
			most = p->jitter_us; /* within its packet time: no reordering */
		arm_timer(p, m, m->next_rtp + (next_draw(p) % (most + 1)) * 1000, T_RTP_LATE);
		return;
	}
	if (!m->held && !m->inflight[2] && impair(p, p->reorder_per_10k)) {
		memcpy(m->txbuf[2], m->txbuf[0], len); /* it goes after the next one */
		m->txlen[2] = (uint16_t)len;
		m->held = true;
		m->n[SRTP_PACKETS_SENT]++;
		return;
	}
	m->n[SRTP_PACKETS_SENT]++;
	submit_send(p, m, 0, len);
	if (m->held && !p->jitter_us) {
		m->held = false;
		submit_send(p, m, 2, m->txlen[2]);
	}
}

static uint64_t ntp_now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_REALTIME, &ts);
	uint64_t sec = (uint64_t)ts.tv_sec + 2208988800ull;
	uint64_t frac = ((uint64_t)ts.tv_nsec << 32) / NS_PER_S;
	return (sec << 32) | frac;
}

static void send_rtcp(struct media_pool *p, struct media_stream *m)
{
	if (m->inflight[1] || !m->have_tx || !m->have_remote ||
	    (m->tx_key.lifetime && m->tx_key_rtcp >= m->tx_key.lifetime))
		return;
	/* a sender report while we send, else a receiver report (RFC 3550 6.4.2) */
	uint64_t now_us = clock_mono_ns() / 1000;
	int n = m->sending ? rtcp_build_sr(m->txbuf[1], TX_CAP - SRTP_MAX_OVERHEAD, &m->snd, &m->rcv,
					   ntp_now(), now_us, "trunkload") :
			     rtcp_build_rr(m->txbuf[1], TX_CAP - SRTP_MAX_OVERHEAD, m->own_ssrc, &m->rcv,
					   now_us, "trunkload");
	size_t len = n > 0 ? (size_t)n : 0;
	if (n <= 0 || srtp_session_protect_rtcp(&m->tx, m->txbuf[1], &len, TX_CAP))
		return;
	m->tx_key_rtcp++;
	m->n[SRTP_RTCP_SENT]++;
	submit_send(p, m, 1, len);
}

uint64_t media_tick(struct media_pool *p, uint64_t now)
{
	if (p->n_held)
		expire_held(p, now);
	if (p->rearm) { /* a shared receive could not be queued (arm_shared sets it again) */
		p->rearm = false;
		for (unsigned i = 0; i < p->n_sh; i++)
			for (int k = 0; k < 2; k++)
				if (!p->sh[i].armed[k] && p->sh[i].errors < SHARED_REARMS)
					arm_shared(p, i, k);
	}
	uint64_t due = batching(p) ? now - now % BATCH_GRID_NS : now;
	const struct timer_entry *t;
	while ((t = timer_peek(&p->timers)) && t->at <= due) {
		struct timer_entry e = *t;
		timer_pop(&p->timers);
		struct media_stream *m = stream(p, e.slot);
		if (m && e.kind == T_RTCP && e.seq == m->gen) {
			send_rtcp(p, m);
			arm_report(p, e.slot, e.seq, e.at + RTCP_INTERVAL_NS);
			continue;
		}
		if (!m || m->seq != e.seq || !m->sending)
			continue;
		if (e.kind == T_RTP) {
			send_rtp(p, m);
			m->next_rtp += m->period_ns;
			if (m->next_rtp + m->period_ns < now) { /* far behind: skip, do not burst */
				m->n[SRTP_LATE_SENDS]++;
				m->next_rtp = now + m->period_ns;
			}
			arm_timer(p, m, m->next_rtp, T_RTP);
		} else if (e.kind == T_RTP_LATE) {
			if (m->held) {
				m->held = false;
				submit_send(p, m, 2, m->txlen[2]);
			}
		}
	}
	if (batching(p))
		flush_batches(p);
	uint64_t next = t ? t->at : 0;
	if (next && batching(p) && next % BATCH_GRID_NS)
		next += BATCH_GRID_NS - next % BATCH_GRID_NS;
	if (p->n_held) {
		uint64_t expiry = p->held[p->held_first].at + HELD_NS;
		if (!next || expiry < next)
			next = expiry;
	}
	return next;
}

/* Per packet: the common case in a line, not a call. */
static inline bool same_source(const union tl_sockaddr *a, const union tl_sockaddr *b)
{
	if (a->sa.sa_family == AF_INET && b->sa.sa_family == AF_INET)
		return a->in.sin_addr.s_addr == b->in.sin_addr.s_addr && a->in.sin_port == b->in.sin_port;
	return tl_sockaddr_same(a, b);
}

/* A telephone-event: under the far end's number, or ours (101, unless we answered its
 * offer, and then it is the far end's number). */
static bool is_event(const struct media_stream *m, uint8_t pt)
{
	return pt == OUR_TE_PT || (m->te_pt >= 0 && pt == m->te_pt);
}

static void rtp_accepted(struct media_pool *p, struct media_stream *m, uint8_t *pkt, size_t len);

static void on_rtp(struct media_pool *p, struct media_stream *m, uint8_t *pkt, size_t len,
		   const union tl_sockaddr *from)
{
	if (m->have_remote && !same_source(from, &m->remote[0])) {
		m->n[SRTP_UNEXPECTED_SOURCE]++;
		return;
	}
	if (!m->have_rx) {
		m->n[SRTP_EARLY_PACKETS]++; /* before we knew the far end's key */
		if (m->n_early < EARLY_MAX && len <= EARLY_CAP) {
			memcpy(m->early[m->n_early], pkt, len);
			m->early_len[m->n_early] = (uint16_t)len;
			m->early_from[m->n_early++] = *from;
		}
		return;
	}
	/* the SSRC sits in the clear at a fixed place; the rest is parsed once it is
	 * authenticated (before that, a padding count would be read from the tag) */
	if (len < RTP_HEADER || (pkt[0] >> 6) != 2) {
		m->n[SRTP_BAD_PACKETS]++;
		return;
	}
	uint32_t ssrc = be_get32(pkt + 8);
	if (m->first_seen && ssrc != m->rcv.ssrc) {
		m->n[SRTP_UNEXPECTED_SSRC]++;
		return;
	}
	/* around a rekey a packet that fails is kept for the key to come, or tried under the
	 * old key (an AEAD may leave a failed buffer changed: the retry gets it as it came) */
	uint8_t copy[EARLY_CAP];
	size_t copy_len = len;
	bool keep = (m->have_rx_old || m->awaiting_key) && len <= sizeof(copy);
	if (keep)
		memcpy(copy, pkt, len);
	switch (srtp_session_unprotect(&m->rx, pkt, &len)) {
	case SRTP_OK:
		m->new_key_seen = true;
		break;
	case SRTP_AUTH_FAIL:
		if (keep && m->awaiting_key && m->n_early < EARLY_MAX) {
			/* the answer's new key, already in use, overtook the answer */
			memcpy(m->early[m->n_early], copy, copy_len);
			m->early_len[m->n_early] = (uint16_t)copy_len;
			m->early_from[m->n_early++] = *from;
			return;
		}
		if (keep && m->have_rx_old && srtp_session_unprotect(&m->rx_old, copy, &copy_len) == SRTP_OK) {
			if (m->new_key_seen || clock_mono_ns() - m->t_rekey > REKEY_GRACE_NS) {
				m->n[SRTP_STALE_KEY_PACKETS]++; /* the far end still sends under its old key */
				return;
			}
			memcpy(pkt, copy, copy_len); /* sent before the switch, still in flight */
			len = copy_len;
			break;
		}
		m->n[SRTP_AUTH_FAILURES]++;
		return;
	case SRTP_REPLAY:
		m->n[SRTP_REPLAY_FAILURES]++;
		return;
	default:
		m->n[SRTP_BAD_PACKETS]++;
		return;
	}
	rtp_accepted(p, m, pkt, len);
}

/* An RTP packet unprotected under the stream's key: counted, and its events heard. */
static void rtp_accepted(struct media_pool *p, struct media_stream *m, uint8_t *pkt, size_t len)
{
	struct rtp_header h;
	if (rtp_parse(pkt, len, &h)) {
		m->n[SRTP_BAD_PACKETS]++;
		return;
	}
	uint64_t now = clock_mono_ns();
	if (!m->first_seen) {
		m->first_seen = true;
		m->rcv.ssrc = h.ssrc;
		hist_record(&p->res->lat[LAT_ANSWER_TO_MEDIA],
			    now > m->t_rx_ready ? (now - m->t_rx_ready) / 1000 : 0);
	}
	m->n[SRTP_PACKETS_RECEIVED]++;
	if (!is_event(m, h.pt)) {
		rtp_receiver_update(&m->rcv, h.seq, h.ts, now / 1000);
		return;
	}
	rtp_receiver_count(&m->rcv, h.seq, h.ts, now / 1000);
	enum dtmf_seen seen = dtmf_receive(&m->dtmf_rx, pkt + h.header_len, h.payload_len, h.ts);
	if (seen == DTMF_DIGIT_ENDED && p->echo_dtmf && m->sending && m->te_pt >= 0) {
		/* played back as long as it came, so that the far end can compare */
		char digit[2] = { dtmf_digit(m->dtmf_rx.code), 0 };
		uint32_t ms = m->dtmf_rx.duration / 8;
		dtmf_queue(&m->dtmf_tx, digit, ms < ECHO_MIN_MS ? ECHO_MIN_MS : ms > ECHO_MAX_MS ? ECHO_MAX_MS : ms,
			   ECHO_GAP_MS);
	}
}

static void rtcp_accepted(struct media_stream *m, uint8_t *pkt, size_t len);

static void on_rtcp(struct media_stream *m, uint8_t *pkt, size_t len)
{
	if (!m->have_rx)
		return;
	enum srtp_verdict v = srtp_session_unprotect_rtcp(&m->rx, pkt, &len);
	if (v == SRTP_AUTH_FAIL)
		m->n[SRTP_RTCP_AUTH_FAILURES]++;
	if (v == SRTP_OK)
		rtcp_accepted(m, pkt, len);
}

/* An RTCP compound packet unprotected under the stream's key. */
static void rtcp_accepted(struct media_stream *m, uint8_t *pkt, size_t len)
{
	struct rtcp_info info;
	if (rtcp_read(pkt, len, m->snd.ssrc, &info))
		return;
	m->n[SRTP_RTCP_RECEIVED]++;
	if (info.has_sr)
		rtp_receiver_note_sr(&m->rcv, info.sr_ntp, clock_mono_ns() / 1000);
	if (!info.has_block || !m->sent_before)
		return;
	m->far.blocks++;
	m->far.lost = info.cumulative_lost;
	m->far.expected = info.ext_highest_seq - m->first_seq + 1;
	m->far.jitter = info.jitter;
	double rtt = rtcp_rtt_ms(info.lsr, info.dlsr, ntp_now());
	if (rtt >= 0) {
		m->far.rtt_n++;
		m->far.rtt_ms_sum += rtt;
		if (rtt > m->far.rtt_ms_max)
			m->far.rtt_ms_max = rtt;
	}
}

static void stream_finish(struct media_pool *p, struct media_stream *m)
{
	if (m->state == MS_CLOSING && !m->ops)
		stream_release(p, m);
}

/* A received datagram's payload and source (res bytes in buf, as recvmsg multishot lays
 * them out with mh): the kernel's header, or NULL when it does not hold together. */
static struct io_uring_recvmsg_out *datagram_of(struct msghdr *mh, char *buf, int res, uint8_t **pl,
						size_t *len, union tl_sockaddr *from)
{
	KERNEL_WROTE(buf, (size_t)res);
	struct io_uring_recvmsg_out *o = io_uring_recvmsg_validate(buf, res, mh);
	if (!o)
		return NULL;
	*pl = io_uring_recvmsg_payload(o, mh);
	*len = io_uring_recvmsg_payload_length(o, res, mh);
	if (o->flags & MSG_TRUNC)
		*len = 0; /* longer than any RTP packet: counted as an empty one */
	memset(from, 0, sizeof(*from));
	memcpy(from, io_uring_recvmsg_name(o), o->namelen < sizeof(*from) ? o->namelen : sizeof(*from));
	return o;
}

static void on_datagram(struct media_pool *p, struct media_stream *m, unsigned op, char *buf,
			int res)
{
	uint8_t *pl;
	size_t len;
	union tl_sockaddr from;
	if (!datagram_of(&recv_mh, buf, res, &pl, &len, &from))
		return;
	if (op == MEDIA_OP_RTP_RECV) {
		if (p->capture)
			capture_rtp(p, &from, &m->local, pl, len);
		on_rtp(p, m, pl, len, &from);
	}
	else
		on_rtcp(m, pl, len);
}

/* Shared: a datagram no stream takes yet waits (a while, a few) for the stream whose
 * answer or key is still to come. `again`: it waited already (its time goes on). */
static void hold(struct media_pool *p, unsigned sh, const union tl_sockaddr *from, const uint8_t *pkt,
		 size_t len, bool tried, const struct media_held *again)
{
	tried = tried || (again && again->tried);
	if (len > EARLY_CAP) {
		p->res->srtp.n[tried ? SRTP_AUTH_FAILURES : SRTP_UNEXPECTED_SOURCE]++;
		return;
	}
	if (p->n_held == MEDIA_HELD_MAX) { /* the oldest gives way */
		struct media_held *old = &p->held[p->held_first];
		p->res->srtp.n[old->tried ? SRTP_AUTH_FAILURES : SRTP_UNEXPECTED_SOURCE]++;
		p->held_first = (p->held_first + 1) % MEDIA_HELD_MAX;
		p->n_held--;
	}
	struct media_held *h = &p->held[(p->held_first + p->n_held++) % MEDIA_HELD_MAX];
	h->at = again ? again->at : clock_mono_ns();
	h->tried = tried;
	h->from = *from;
	h->sh = (uint8_t)sh;
	h->len = (uint16_t)len;
	memcpy(h->data, pkt, len);
}

/* Those that waited HELD_NS for nothing: from nowhere we know, or under no key we have. */
static void expire_held(struct media_pool *p, uint64_t now)
{
	while (p->n_held && p->held[p->held_first].at + HELD_NS <= now) {
		p->res->srtp.n[p->held[p->held_first].tried ? SRTP_AUTH_FAILURES : SRTP_UNEXPECTED_SOURCE]++;
		p->held_first = (p->held_first + 1) % MEDIA_HELD_MAX;
		p->n_held--;
	}
}

/* Shared: whether k belonged to a stream that has ended (its far end's last packets). */
static bool ended(const struct media_pool *p, const struct demux_key *k)
{
	return demux_find(&p->ended, k) != DEMUX_NONE;
}

/* A packet found under a pending stream's key (a first one, tried or held): one with
 * another SSRC than the stream had is not its stream's (as on_rtp says). */
static void take_first(struct media_pool *p, struct media_stream *m, uint8_t *pkt, size_t len)
{
	if (m->first_seen && be_get32(pkt + 8) != m->rcv.ssrc) {
		m->n[SRTP_UNEXPECTED_SSRC]++;
		return;
	}
	m->new_key_seen = true;
	rtp_accepted(p, m, pkt, len);
	bind_far_end(p, m);
}

/* Shared: an RTP datagram on pair sh goes to the stream bound to its source and SSRC;
 * else, when one pending stream has that source and none was bound by an announced SSRC
 * (a far end with a port per call), to that one, as on a socket of its own; else to the
 * pending stream of that source whose key it authenticates under (a far end that shares
 * its port too sends many streams from one source); else it waits. */
static void dispatch_rtp(struct media_pool *p, unsigned sh, const union tl_sockaddr *from, uint8_t *pkt,
			 size_t len)
{
	if (len < RTP_HEADER || (pkt[0] >> 6) != 2) {
		p->res->srtp.n[SRTP_UNEXPECTED_SOURCE]++;
		return;
	}
	struct demux_key k = demux_key_of(from, be_get32(pkt + 8));
	uint32_t id = demux_find(&p->demux, &k);
	if (id != DEMUX_NONE) {
		struct media_stream *m = &p->s[id / 2];
		on_rtp(p, m, pkt, len, from);
		if (m->in_pending && m->first_seen) /* bound by the SSRC its SDP announced */
			bind_far_end(p, m);
		return;
	}
	if (ended(p, &k))
		return;
	struct media_stream *one = NULL;
	unsigned plain = 0, announced = 0;
	for (uint32_t i = p->pending; i != NO_SLOT; i = p->s[i].pend_next) {
		struct media_stream *m = &p->s[i];
		if (m->sh == sh && m->have_remote && same_source(from, &m->remote[0])) {
			announced += m->far_ssrc_known;
			plain += !m->far_ssrc_known;
			one = m->far_ssrc_known ? one : m;
		}
	}
	if (plain == 1 && !announced) {
		on_rtp(p, one, pkt, len, from);
		if (one->first_seen)
			bind_far_end(p, one);
		return;
	}
	unsigned keyed = 0;
	uint8_t copy[EARLY_CAP];
	for (uint32_t i = p->pending; i != NO_SLOT && len <= sizeof(copy); i = p->s[i].pend_next) {
		struct media_stream *m = &p->s[i];
		if (m->sh != sh || !m->have_remote || !m->have_rx || !same_source(from, &m->remote[0]))
			continue;
		keyed++;
		size_t n = len;
		memcpy(copy, pkt, len); /* a failed try may leave the buffer changed */
		if (srtp_session_unprotect(&m->rx, copy, &n) == SRTP_OK) {
			take_first(p, m, copy, n);
			return;
		}
	}
	hold(p, sh, from, pkt, len, keyed > 0 && keyed == plain + announced, NULL);
}

/* Shared: an RTCP datagram goes to the stream bound to its source and sender's SSRC, or
 * to the pending stream of that source whose key it authenticates under (then bound to
 * it: a far end that only receives sends reports alone); else it is dropped (reports are
 * not held: the next comes). */
static void dispatch_rtcp(struct media_pool *p, unsigned sh, const union tl_sockaddr *from, uint8_t *pkt,
			  size_t len)
{
	if (len < 8 || (pkt[0] >> 6) != 2) {
		p->res->srtp.n[SRTP_UNEXPECTED_SOURCE]++;
		return;
	}
	struct demux_key k = demux_key_of(from, be_get32(pkt + 4));
	uint32_t id = demux_find(&p->demux, &k);
	if (id != DEMUX_NONE) {
		on_rtcp(&p->s[id / 2], pkt, len);
		return;
	}
	if (ended(p, &k))
		return;
	uint8_t copy[EARLY_CAP];
	for (uint32_t i = p->pending; i != NO_SLOT && len <= sizeof(copy); i = p->s[i].pend_next) {
		struct media_stream *m = &p->s[i];
		if (m->sh != sh || !m->have_rx || !m->have_remote || !same_source(from, &m->remote[1]))
			continue;
		size_t n = len;
		memcpy(copy, pkt, len);
		if (srtp_session_unprotect_rtcp(&m->rx, copy, &n) == SRTP_OK) {
			demux_bind(&p->demux, i * 2 + 1, &k);
			rtcp_accepted(m, copy, n);
			return;
		}
	}
}

/* Shared: stream m has the far end's key and has heard nothing yet: what waits from its
 * far end is tried under that key, in the order it came (what m does not take waits on). */
static void flush_held(struct media_pool *p, struct media_stream *m)
{
	for (unsigned n = p->n_held; n > 0; n--) {
		struct media_held h = p->held[p->held_first];
		p->held_first = (p->held_first + 1) % MEDIA_HELD_MAX;
		p->n_held--;
		if (h.sh == m->sh && same_source(&h.from, &m->remote[0])) {
			uint8_t copy[EARLY_CAP];
			size_t len = h.len;
			memcpy(copy, h.data, len); /* a failed try may leave the buffer changed */
			if (srtp_session_unprotect(&m->rx, copy, &len) == SRTP_OK) {
				m->n[SRTP_EARLY_PACKETS]++; /* it came before the key */
				take_first(p, m, copy, len);
				continue;
			}
		}
		hold(p, h.sh, &h.from, h.data, h.len, false, &h);
	}
}

/* The length of each datagram in a piece of len bytes the kernel handed over (UDP_GRO):
 * len itself when it is one datagram. */
static size_t gro_segment(struct io_uring_recvmsg_out *o, size_t len)
{
	for (struct cmsghdr *c = io_uring_recvmsg_cmsg_firsthdr(o, &recv_gro_mh); c;
	     c = io_uring_recvmsg_cmsg_nexthdr(o, &recv_gro_mh, c)) {
		int seg;
		if (c->cmsg_level == IPPROTO_UDP && c->cmsg_type == UDP_GRO &&
		    c->cmsg_len >= CMSG_LEN(sizeof(seg))) {
			memcpy(&seg, CMSG_DATA(c), sizeof(seg));
			return seg > 0 ? (size_t)seg : len;
		}
	}
	return len;
}

static void on_shared_datagram(struct media_pool *p, unsigned sh, bool rtcp, char *buf, int res)
{
	uint8_t *pl;
	size_t len;
	union tl_sockaddr from;
	struct io_uring_recvmsg_out *o = datagram_of(&recv_gro_mh, buf, res, &pl, &len, &from);
	if (!o)
		return;
	size_t seg = gro_segment(o, len);
	size_t off = 0;
	do { /* one datagram, or each of those the kernel handed over in one piece */
		size_t n = len - off < seg ? len - off : seg;
		if (rtcp) {
			dispatch_rtcp(p, sh, &from, pl + off, n);
		} else {
			if (p->capture)
				capture_rtp(p, &from, &p->sh[sh].local, pl + off, n);
			dispatch_rtp(p, sh, &from, pl + off, n);
		}
		off += n;
	} while (off < len);
}

void media_cqe(struct media_pool *p, uint64_t t, int res, unsigned flags)
{
	unsigned op = ring_tag_op(t);
	uint32_t slot = ring_tag_slot(t);
	if (op == MEDIA_OP_SHARED_RTP_RECV || op == MEDIA_OP_SHARED_RTCP_RECV) {
		bool rtcp = op == MEDIA_OP_SHARED_RTCP_RECV;
		if (flags & IORING_CQE_F_BUFFER) {
			unsigned bid = flags >> IORING_CQE_BUFFER_SHIFT;
			if (slot < p->n_sh && res > 0)
				on_shared_datagram(p, slot, rtcp, ring_bufs_get(&p->bufs, bid), res);
			ring_bufs_recycle(&p->bufs, bid);
		}
		if (!(flags & IORING_CQE_F_MORE) && slot < p->n_sh) {
			/* armed again at once, also after an error (a few times): every call on
			 * the address hears through it */
			struct media_shared *sh = &p->sh[slot];
			sh->armed[rtcp] = false;
			sh->errors += res < 0 && res != -ENOBUFS;
			if (sh->errors < SHARED_REARMS)
				arm_shared(p, slot, rtcp);
		}
		return;
	}
	struct media_stream *m = slot < p->n ? &p->s[slot] : NULL;
	bool live = m && m->state != MS_FREE && m->gen == ring_tag_gen(t);
	if (op == MEDIA_OP_RTP_RECV || op == MEDIA_OP_RTCP_RECV) {
		if (flags & IORING_CQE_F_BUFFER) {
			unsigned bid = flags >> IORING_CQE_BUFFER_SHIFT;
			if (live && m->state == MS_OPEN && res > 0)
				on_datagram(p, m, op, ring_bufs_get(&p->bufs, bid), res);
			ring_bufs_recycle(&p->bufs, bid);
		}
		if (!live)
			return;
		if (flags & IORING_CQE_F_MORE)
			return;
		m->ops--;
		if (m->state == MS_OPEN && (res >= 0 || res == -ENOBUFS))
			arm_recv(p, m, op == MEDIA_OP_RTCP_RECV);
		stream_finish(p, m);
		return;
	}
	if (op == MEDIA_OP_BATCH_SEND) {
		p->res->srtp.n[SRTP_SEND_ERRORS] += udp_batcher_done(&p->batch, t, res);
		return;
	}
	if (!live)
		return;
	if (op == MEDIA_OP_RTP_SEND || op == MEDIA_OP_RTCP_SEND || op == MEDIA_OP_RTP_LATE_SEND) {
		m->inflight[op == MEDIA_OP_RTP_SEND ? 0 : op == MEDIA_OP_RTCP_SEND ? 1 : 2] = false;
		if (res < 0 && op != MEDIA_OP_RTCP_SEND)
			m->n[SRTP_SEND_ERRORS]++;
	}
	m->ops--;
	stream_finish(p, m);
}

/* The E-model's MOS of what we heard: the packets never received are the loss, the
 * delay is half the round trip the far end's reports gave (0 without), a packet time,
 * and a jitter buffer of twice the jitter (README, "MOS"). */
static double stream_mos(const struct media_stream *m, double jitter_ms)
{
	uint32_t expected = rtp_receiver_expected(&m->rcv);
	double loss = expected ? 100.0 * rtp_receiver_missing(&m->rcv) / expected : 0;
	double rtt = m->far.rtt_n ? m->far.rtt_ms_sum / m->far.rtt_n : 0;
	double ptime = m->period_ns ? (double)m->period_ns / NS_PER_MS : 20;
	return emodel_g711_mos(loss, rtt / 2 + ptime + 2 * jitter_ms);
}

void media_close(struct media_pool *p, uint32_t slot, struct result *res)
{
	struct media_stream *m = stream(p, slot);
	if (!m)
		return;
	m->n[SRTP_LOST] = (uint64_t)rtp_receiver_lost(&m->rcv); /* signed, summed modulo 2^64 */
	m->n[SRTP_EXPECTED] = rtp_receiver_expected(&m->rcv);
	m->n[SRTP_REORDERED] = m->rcv.reordered;
	m->n[SRTP_DUPLICATES] = m->rcv.duplicates;
	if (m->have_rx && m->expect_rx && !m->n[SRTP_PACKETS_RECEIVED])
		m->n[SRTP_SILENT_STREAMS] = 1;
	if (m->n[SRTP_PACKETS_RECEIVED]) {
		double j = rtp_receiver_jitter_ms(&m->rcv);
		m->n[SRTP_STREAMS_RECEIVING] = 1;
		res->srtp.jitter_ms_sum += j;
		if (j > res->srtp.jitter_ms_max)
			res->srtp.jitter_ms_max = j;
		mos_add(&res->srtp.mos, stream_mos(m, j));
	}
	if (m->far.blocks) {
		struct srtp_far_end *f = &res->srtp.far_end;
		double j = m->far.jitter / 8.0; /* 8 kHz */
		f->streams++;
		f->reports += m->far.blocks;
		f->lost += m->far.lost;
		f->expected += m->far.expected;
		f->jitter_ms_sum += j;
		if (j > f->jitter_ms_max)
			f->jitter_ms_max = j;
		f->rtt_samples += m->far.rtt_n;
		f->rtt_ms_sum += m->far.rtt_ms_sum;
		if (m->far.rtt_ms_max > f->rtt_ms_max)
			f->rtt_ms_max = m->far.rtt_ms_max;
	}
	for (int i = 0; i < SRTP_COUNTERS; i++)
		res->srtp.n[i] += m->n[i];
	res->dtmf[DTMF_COUNT_SENT] += m->dtmf_tx.digits_sent;
	res->dtmf[DTMF_COUNT_RECEIVED] += m->dtmf_rx.received;
	if (p->expect_dtmf[0]) {
		res->dtmf[DTMF_COUNT_CHECKED] += strlen(p->expect_dtmf);
		res->dtmf[DTMF_COUNT_MISMATCHED] += dtmf_mismatched(p->expect_dtmf, m->dtmf_rx.digits);
	}
	if (!res->srtp.suite[0] && m->suite[0])
		snprintf(res->srtp.suite, sizeof(res->srtp.suite), "%s", m->suite);
	m->state = MS_CLOSING;
	m->sending = false;
	m->seq++;
	if (p->shared) { /* nothing of its own receives: the slot is freed once sends are done */
		pending_remove(p, m);
		struct demux_key k;
		for (uint32_t i = 0; i < 2; i++)
			if (demux_key_at(&p->demux, slot * 2 + i, &k))
				demux_bind(&p->ended, p->ended_next + i, &k);
		p->ended_next = (p->ended_next + 2) % MEDIA_ENDED_MAX;
		unbind_far_end(p, m);
		stream_finish(p, m);
		return;
	}
	/* the multishot receives end when cancelled; the slot is freed after */
	for (int i = 0; i < 2; i++)
		if (!ring_cancel(p->ring, tag(i ? MEDIA_OP_RTCP_RECV : MEDIA_OP_RTP_RECV, p, m),
				 tag(MEDIA_OP_CANCEL, p, m)))
			m->ops++;
}
