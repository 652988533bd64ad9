#include "worker.h"
#include "capture.h"
#include "clock.h"
#include "kernel_wrote.h"
#include "slot_stack.h"
#include "tcp_window.h"
#include <arpa/inet.h>
#include <errno.h>
#include <linux/sockios.h>
#include <netinet/tcp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <time.h>
#include <unistd.h>

enum op {
	OP_CONNECT = 1, OP_RECV, OP_SEND, OP_ACCEPT,
	OP_HANDOFF, /* an accepted fd (res) dealt to this worker by another */
	OP_HANDED,  /* a hand-over this worker made failed: gen the worker, slot the fd */
	OP_CANCEL,  /* the cancel of a held connection's receive */
};

#define RECV_BUFS 512
#define RECV_BUF_SIZE 16384
#define MAX_WAIT_NS (50 * NS_PER_MS) /* the stop flag is seen within this */
/* A busy loop waits for this many completions, or this long, before it handles them:
 * a wake-up, a send and a TLS record per message cost more than the message. Signalling
 * alone 64 or 1 ms (a fifth less CPU per call than 16 or 200 us at 100,000 calls/s;
 * bench/RESULTS.md, "Batching the busy loop"); with RTP streams open 16 or 200 us, so that
 * RTP leaves on time. A timer fires that late at most when busy, TIMER_SLACK_NS when not. */
#define BATCH_CQES 64
#define BATCH_WAIT_NS (1000 * 1000ull)
#define MEDIA_BATCH_CQES 16
#define MEDIA_BATCH_WAIT_NS (200 * 1000ull)
#define TIMER_SLACK_NS (200 * 1000ull)
/* Out of descriptors, an accept fails again at once while connections wait in the
 * backlog: the listener rests this long before it tries again. */
#define ACCEPT_BACKOFF_NS (50 * NS_PER_MS)
/* A responder's output is made by its input: past CONN_HOLD_QUEUED of output
 * queued it stops reading that connection (the caller's sends back up, as TCP
 * means them to) and reads again below CONN_RESUME_QUEUED. A caller cannot hold:
 * its output is its schedule, and it must read to drain the far end. */
#define CONN_HOLD_QUEUED (8u << 20)
#define CONN_RESUME_QUEUED (1u << 20)
/* A peer that reads nothing for this long is gone; a peer that only stalls (a
 * loaded far end, a tester's own stall) resumes well within it. */
#define CONN_STALL_NS (5 * NS_PER_S)
#define STALL_SCAN_NS NS_PER_S
/* How often, and how many connections at a time, the windows are sampled (TCP_INFO):
 * a trunk's few connections every time, a crowd of idle ones in turn. */
#define WINDOW_SAMPLE_NS (100 * NS_PER_MS)
#define WINDOW_SAMPLE_CONNS 64
#define WINDOW_SCAN_SLOTS 4096 /* slots looked at per sample, used or not */
/* Memory bound for a caller whose far end reads, but slower than it sends. */
#define CONN_MAX_QUEUED (256u << 20)

int worker_init(struct worker *w, unsigned max_conns)
{
	int err = ring_init(&w->ring, 1024, RECV_BUFS, RECV_BUF_SIZE);
	if (err) {
		snprintf(w->err, sizeof(w->err), "io_uring setup: %s", strerror(-err));
		return err;
	}
	/* a slot is set up when first taken: a responder's table of 65,536 is some 50 MB
	 * that stays untouched pages until used, and it accepts at once, not after
	 * faulting them all in */
	w->conns = calloc(max_conns, sizeof(*w->conns));
	w->dirty = calloc(4 * (size_t)max_conns, sizeof(*w->dirty));
	if (!w->conns || !w->dirty || slot_stack_init(&w->slots, max_conns)) {
		worker_free(w);
		snprintf(w->err, sizeof(w->err), "out of memory for a table of %u connections",
			 max_conns);
		return -ENOMEM;
	}
	w->n_conns = max_conns;
	rand_pool_init(&w->rand);
	if (!w->max_msg)
		w->max_msg = 65536;
	if (!w->stop_grace_ns)
		w->stop_grace_ns = 2 * NS_PER_S;
	return 0;
}

static void conn_free_resources(struct conn *c)
{
	if (c->use_tls && c->tls.ssl)
		tls_conn_free(&c->tls);
	if (c->fd >= 0)
		close(c->fd);
	buf_free(&c->rx);
	buf_free(&c->out);
	buf_free(&c->tx);
	buf_free(&c->txq);
}

/* An idle connection (nothing queued, nothing in flight) gives its buffers back. */
static void conn_trim(struct conn *c)
{
	if (c->sending || c->txq.len || c->out.len)
		return;
	buf_free(&c->tx);
	buf_free(&c->txq);
	buf_free(&c->out);
	if (!c->rx.len)
		buf_free(&c->rx);
	if (c->use_tls)
		tls_trim(&c->tls);
	c->trimmed = true;
}

/* A responder's count of the connections each worker holds (accept_spread). */
static void count_conn(struct worker *w, unsigned id, int delta)
{
	if (w->spread)
		atomic_fetch_add_explicit(&w->spread->slot[id].load, (unsigned)delta,
					  memory_order_relaxed);
}

static void conn_release(struct worker *w, struct conn *c)
{
	conn_free_resources(c);
	uint32_t slot = c->slot, gen = c->gen + 1;
	memset(c, 0, sizeof(*c));
	c->slot = slot;
	c->gen = gen & 0xffffff;
	c->fd = -1;
	slot_stack_put(&w->slots, slot);
	count_conn(w, (unsigned)w->id, -1); /* a responder's connections all came from accept */
}

void worker_free(struct worker *w)
{
	for (uint32_t i = 0; w->conns && i < w->slots.used; i++) {
		if (w->conns[i].state != CONN_FREE)
			conn_free_resources(&w->conns[i]);
	}
	free(w->conns);
	slot_stack_free(&w->slots);
	free(w->dirty);
	w->conns = NULL;
	w->dirty = NULL;
	timer_free(&w->timers);
	SSL_SESSION_free(w->session);
	w->session = NULL;
	ring_exit(&w->ring);
}

struct conn *worker_conn(struct worker *w, uint32_t slot, uint32_t gen)
{
	if (slot >= w->n_conns)
		return NULL;
	struct conn *c = &w->conns[slot];
	return c->state != CONN_FREE && c->gen == gen ? c : NULL;
}

static uint64_t tag(unsigned op, const struct conn *c)
{
	return ring_tag(op, c->gen, c->slot);
}

static void mark_dirty(struct worker *w, struct conn *c)
{
	/* a connection re-marked while flushing is listed again: room for 4 each */
	if (!c->dirty && w->n_dirty < 4 * w->n_conns) {
		c->dirty = true;
		w->dirty[w->n_dirty++] = c->slot;
	}
}

static struct conn *conn_alloc(struct worker *w, int fd, bool tls)
{
	uint32_t slot;
	if (!w->slots.n_free)
		return NULL;
	bool fresh = slot_stack_take(&w->slots, &slot);
	struct conn *c = &w->conns[slot];
	if (fresh)
		c->slot = slot;
	c->fd = fd;
	c->use_tls = tls;
	c->t_start = clock_mono_ns();
	c->role_index = -1;
	return c;
}

/* Each handshake's certificate: counted on its entry, its facts taken the first time
 * (a cluster's nodes, or a renewal that reached some of them). */
static void note_peer(struct worker *w, struct conn *c)
{
	unsigned char key[PEER_KEY_LEN];
	if (!tls_peer_key(&c->tls, key))
		return;
	struct peer_seen *p = result_peer_find(&w->res, key);
	if (!p && (p = result_peer_add(&w->res, key))) {
		tls_peer_facts(&c->tls, !w->server, w->peer_warn_days, &p->peer);
		union tl_sockaddr far = { 0 };
		socklen_t len = sizeof(far);
		char where[TL_HOSTPORT_TEXT] = "?";
		if (getpeername(c->fd, &far.sa, &len) == 0)
			tl_sockaddr_hostport(&far, where, sizeof(where));
		snprintf(p->where, sizeof(p->where), "%s", where);
	}
	if (p)
		p->handshakes++;
}

/* Ends the connection's life: no more role callbacks; what TLS still has to say
 * (an alert, close_notify) is sent, then the socket is shut so that pending
 * operations complete, and the slot is freed when the last one has. */
static void conn_fail(struct worker *w, struct conn *c, int err, const char *why)
{
	if (c->state == CONN_FREE)
		return;
	if (c->state != CONN_CLOSING) {
		struct result *res = &w->res;
		if (c->state == CONN_HANDSHAKE)
			res->hs_failed++;
		if (err && !res->first_tls_error[0])
			snprintf(res->first_tls_error, sizeof(res->first_tls_error), "%s", why);
		if (c->use_tls && c->tls.ssl && c->tls.verify_error && c->state == CONN_HANDSHAKE)
			note_peer(w, c);
		if (!res->peer.seen && c->use_tls && c->tls.ssl && c->tls.verify_error)
			tls_peer_facts(&c->tls, !w->server, w->peer_warn_days, &res->peer);
		c->state = CONN_CLOSING;
		if (w->role->conn_down)
			w->role->conn_down(w, c, err, why);
	}
	mark_dirty(w, c);
}

static void conn_finish(struct worker *w, struct conn *c)
{
	if (c->sending || c->dirty)
		return;
	if (!c->shut && c->fd >= 0) {
		shutdown(c->fd, SHUT_RDWR);
		c->shut = true;
	}
	if (!c->ops)
		conn_release(w, c);
}

static void local_addr(struct worker *w, struct conn *c)
{
	socklen_t len = sizeof(c->local);
	if (getsockname(c->fd, &c->local.sa, &len) == 0) {
		tl_sockaddr_ip(&c->local, c->local_ip, sizeof(c->local_ip));
		tl_uri_host(c->local_ip, c->local_host, sizeof(c->local_host));
		c->local_port = tl_sockaddr_port(&c->local);
		tl_sockaddr_hostport(&c->local, c->local_hostport, sizeof(c->local_hostport));
	}
	c->peer.sa.sa_family = AF_UNSPEC;
	if (w->capture || w->peer_addrs) {
		len = sizeof(c->peer);
		if (getpeername(c->fd, &c->peer.sa, &len))
			c->peer.sa.sa_family = AF_UNSPEC; /* not captured: no address to put on it */
		c->cap_seq[0] = c->cap_seq[1] = 1;
	}
}

/* --pcap: plaintext that crossed c, sent or received: one SIP message per segment (sngrep
 * reads no second message from a segment). */
static void capture_conn(struct worker *w, struct conn *c, bool sent, const void *p, size_t n)
{
	if (!tl_sockaddr_len(&c->peer) || c->peer.sa.sa_family != c->local.sa.sa_family)
		return;
	const struct sockaddr *us = &c->local.sa, *them = &c->peer.sa;
	if (sent)
		capture_stream(w->capture, us, them, &c->cap_seq[0], c->cap_seq[1], p, n);
	else
		capture_stream(w->capture, them, us, &c->cap_seq[1], c->cap_seq[0], p, n);
}

/* What a flush sends, message by message. */
static void capture_sent(struct worker *w, struct conn *c, const char *p, size_t n)
{
	while (n) {
		struct sip_msg m;
		int len = sip_parse_msg(p, n, n, &m);
		size_t part = len > 0 ? (size_t)len : n; /* not one whole message: the rest at once */
		capture_conn(w, c, true, p, part);
		p += part;
		n -= part;
	}
}

#define NO_SQE "io_uring: no submission queue entry"

/* false when the receive could not be queued: the connection is failed */
static bool arm_recv(struct worker *w, struct conn *c)
{
	int err = ring_recv_multishot(&w->ring, c->fd, &w->ring.bufs, tag(OP_RECV, c));
	if (err) {
		conn_fail(w, c, err, NO_SQE);
		return false;
	}
	c->ops++;
	c->recv_armed = true;
	return true;
}

/* A responder whose output piles up stops reading: see CONN_HOLD_QUEUED. */
static bool hold_reading(struct worker *w, struct conn *c)
{
	if (c->held)
		return true;
	if (!w->server || c->txq.len + c->out.len <= CONN_HOLD_QUEUED)
		return false;
	c->held = true;
	if (c->recv_armed && ring_cancel(&w->ring, tag(OP_RECV, c), tag(OP_CANCEL, c)) == 0)
		c->ops++;
	return true;
}

/* Every finished handshake is counted here, as the roles see it end. */
static void count_handshake(struct worker *w, struct conn *c)
{
	struct result *res = &w->res;
	struct handshake_facts h;
	tls_handshake_facts(&c->tls, !w->server, &h);
	res->hs_ok++;
	res->hs_resumed += h.resumed;
	c->hs_counted_ok = true;
	c->hs_resumed = h.resumed;
	hist_record(&res->lat[LAT_TLS_HANDSHAKE], (clock_mono_ns() - c->t_tcp_up) / 1000);
	result_name_add(res->versions, h.version, 1);
	result_name_add(res->ciphers, h.cipher, 1);
	if (!res->peer.seen)
		tls_peer_facts(&c->tls, !w->server, w->peer_warn_days, &res->peer);
	note_peer(w, c);
}

void worker_tls_refused_late(struct worker *w, struct conn *c)
{
	if (!c->hs_counted_ok)
		return;
	c->hs_counted_ok = false;
	w->res.hs_ok--;
	w->res.hs_failed++;
	w->res.hs_resumed -= c->hs_resumed;
}

static void conn_up(struct worker *w, struct conn *c)
{
	c->state = CONN_UP;
	if (c->use_tls)
		count_handshake(w, c);
	if (w->role->conn_up)
		w->role->conn_up(w, c);
}

/* Starts the transport once TCP is connected (or accepted). */
static void transport_start(struct worker *w, struct conn *c, const char *sni, const char *verify)
{
	c->t_tcp_up = clock_mono_ns();
	local_addr(w, c);
	int one = 1;
	setsockopt(c->fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
	c->state = CONN_HANDSHAKE; /* before arming: a connection that cannot be armed fails */
	if (!arm_recv(w, c))
		return;
	if (!c->use_tls) {
		conn_up(w, c);
		return;
	}
	if (tls_conn_init(&c->tls, w->ctx, w->server, sni, verify, &w->res.alerts)) {
		conn_fail(w, c, -ENOMEM, "out of memory");
		return;
	}
	if (!w->server) {
		if (w->resume)
			tls_conn_resume(&c->tls, &w->session);
		tls_handshake(&c->tls); /* produces the ClientHello */
		mark_dirty(w, c);
	}
}

/* The port is chosen at connect time (IP_BIND_ADDRESS_NO_PORT), so each source
 * address has the whole ephemeral range towards each destination. */
static int bind_source(struct worker *w, int fd)
{
	int one = 1;
	setsockopt(fd, IPPROTO_IP, IP_BIND_ADDRESS_NO_PORT, &one, sizeof(one));
	union tl_sockaddr src;
	tl_addr_range_at(&w->src, w->src_next, &src);
	if (++w->src_next >= w->src.n)
		w->src_next = 0;
	return bind(fd, &src.sa, tl_sockaddr_len(&src));
}

struct conn *worker_connect(struct worker *w, const struct sockaddr *sa, socklen_t len,
			    const char *server_name)
{
	if (!w->slots.n_free) {
		errno = ENOBUFS;
		return NULL;
	}
	int fd = socket(sa->sa_family, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return NULL;
	if (w->src.n && bind_source(w, fd)) {
		int e = errno;
		close(fd);
		errno = e;
		return NULL;
	}
	struct conn *c = conn_alloc(w, fd, w->tls);
	c->state = CONN_CONNECTING;
	/* kept for transport_start, which runs when the connect completes */
	snprintf(c->peer_name, sizeof(c->peer_name), "%s", server_name ? server_name : "");
	int err = ring_connect(&w->ring, fd, sa, len, tag(OP_CONNECT, c));
	if (err) {
		conn_release(w, c); /* closes fd */
		errno = -err;
		return NULL;
	}
	c->ops++;
	return c;
}

void worker_listen(struct worker *w)
{
	w->accept_at = 0;
	if (ring_accept_multishot(&w->ring, w->listen_fd, ring_tag(OP_ACCEPT, 0, 0)))
		w->accept_at = clock_mono_ns() + ACCEPT_BACKOFF_NS; /* no SQE now: later */
}

char *worker_out_reserve(struct worker *w, struct conn *c, size_t max)
{
	(void)w;
	if (buf_reserve(&c->out, max))
		return NULL;
	return c->out.data + c->out.len;
}

void worker_out_commit(struct worker *w, struct conn *c, size_t n)
{
	c->out.len += n;
	mark_dirty(w, c);
}

void worker_close(struct worker *w, struct conn *c)
{
	if (c->state == CONN_FREE || c->close_when_sent)
		return;
	c->close_when_sent = true;
	mark_dirty(w, c);
}

int worker_timer(struct worker *w, uint64_t at, uint32_t slot, uint32_t seq, uint32_t kind)
{
	return timer_push(&w->timers, (struct timer_entry){ at, slot, seq, kind });
}

static void submit_send(struct worker *w, struct conn *c)
{
	int err = ring_send(&w->ring, c->fd, c->tx.data + c->tx_off, c->tx.len - c->tx_off,
			    tag(OP_SEND, c));
	if (err) {
		conn_fail(w, c, err, NO_SQE);
		return;
	}
	c->t_send_progress = w->now; /* a send starts from idle or after one that moved */
	c->sending = true;
	c->ops++;
}

static void fail_unread(struct worker *w, struct conn *c, const char *why)
{
	conn_fail(w, c, -ENOBUFS, why);
	/* ends the send in flight, which waits for room that never comes */
	shutdown(c->fd, SHUT_RDWR);
	c->shut = true;
}

/* Everything a connection queued this turn leaves in one TLS write and one send. */
static void flush(struct worker *w, struct conn *c)
{
	c->dirty = false;
	if (c->state == CONN_FREE)
		return;
	if (c->out.len && c->state != CONN_CLOSING) {
		if (w->capture)
			capture_sent(w, c, c->out.data, c->out.len);
		if (c->use_tls) {
			int err = tls_write(&c->tls, c->out.data, c->out.len, &c->txq);
			if (err) {
				c->out.len = 0;
				conn_fail(w, c, err, err == -ENOMEM ? "out of memory" : c->tls.reason);
				return;
			}
		} else if (buf_append(&c->txq, c->out.data, c->out.len)) {
			conn_fail(w, c, -ENOMEM, "out of memory");
			return;
		}
	}
	c->out.len = 0;
	/* close_notify goes after what was queued before the close, never before */
	if (c->close_when_sent && !c->notify_sent && c->state != CONN_CLOSING) {
		c->notify_sent = true;
		if (c->use_tls && c->tls.ssl && c->tls.done)
			tls_close(&c->tls);
	}
	if (c->use_tls && c->tls.ssl && tls_take_output(&c->tls, &c->txq) < 0) {
		conn_fail(w, c, -ENOMEM, "out of memory");
		return;
	}
	if (c->txq.len > CONN_MAX_QUEUED && c->state != CONN_CLOSING) {
		fail_unread(w, c, "peer reads slower than we send: over 256 MiB of output queued");
		return;
	}
	hold_reading(w, c);
	if (!c->sending && c->txq.len && !c->shut) {
		struct buf t = c->tx;
		c->tx = c->txq;
		c->txq = t;
		c->txq.len = 0;
		c->tx_off = 0;
		submit_send(w, c);
	}
	if (c->sending)
		return;
	if (c->state == CONN_CLOSING)
		conn_finish(w, c);
	else if (c->close_when_sent && !c->half_closed) {
		/* wait for the peer's close: closing with its data unread would reset */
		shutdown(c->fd, SHUT_WR);
		c->half_closed = true;
	}
}

/* A message that came whole is parsed once. One that came in part is left to the
 * framer until it is whole, so that each delivery looks at its new bytes only, not at
 * the message again from its first byte (quadratic for a message trickled a byte at a
 * time); then it is parsed once. */
static void parse_messages(struct worker *w, struct conn *c)
{
	size_t off = 0;
	while (off < c->rx.len && c->state == CONN_UP && !hold_reading(w, c)) {
		const char *p = c->rx.data + off;
		size_t len = c->rx.len - off;
		struct sip_msg m;
		int n = sip_frame_busy(&c->frame) ? sip_frame_next(&c->frame, p, len, w->max_msg) : 0;
		if (n >= 0) /* whole, or not yet known not to be */
			n = sip_parse_msg(p, n ? (size_t)n : len, w->max_msg, &m);
		if (n == -EAGAIN) {
			if (!sip_frame_busy(&c->frame)) /* it agrees: not whole; it takes it on */
				sip_frame_next(&c->frame, p, len, w->max_msg);
			break;
		}
		if (n < 0) {
			/* what the role answered before the bad bytes still goes out: once the
			 * connection fails, queued output is dropped */
			if (c->out.len)
				flush(w, c);
			conn_fail(w, c, -EBADMSG, n == -EMSGSIZE ? "SIP message larger than the cap"
								  : "malformed SIP message");
			return;
		}
		if (w->capture) /* as parsed: a message to a segment */
			capture_conn(w, c, false, p, (size_t)n);
		if (m.kind != SIP_KIND_KEEPALIVE)
			w->role->conn_msg(w, c, &m);
		off += (size_t)n;
	}
	if (c->state != CONN_FREE)
		buf_consume(&c->rx, off);
}

static void on_bytes(struct worker *w, struct conn *c, const char *p, size_t n)
{
	if (!c->use_tls) {
		if (buf_append(&c->rx, p, n)) {
			conn_fail(w, c, -ENOMEM, "out of memory");
			return;
		}
		parse_messages(w, c);
		return;
	}
	if (tls_feed(&c->tls, p, n)) {
		conn_fail(w, c, -ENOMEM, "out of memory");
		return;
	}
	mark_dirty(w, c); /* TLS may have something to say back */
	if (c->state == CONN_HANDSHAKE) {
		int err = tls_handshake(&c->tls);
		if (err == -EAGAIN)
			return;
		if (err) {
			conn_fail(w, c, -EPROTO, c->tls.reason);
			return;
		}
		conn_up(w, c);
		if (c->state != CONN_UP)
			return;
	}
	int got = tls_read(&c->tls, &c->rx);
	if (got > 0)
		parse_messages(w, c);
	if (w->lean && c->state == CONN_UP && !c->rx.len)
		conn_trim(c);
	if (c->tls.peer_closed && c->state == CONN_UP)
		got = -EPIPE; /* the close_notify came with the last data */
	if (got == -EPIPE && c->state == CONN_UP) {
		/* the peer will send nothing more: answer its close_notify with ours, and
		 * end the connection now, not when calls on it time out */
		if (!c->notify_sent && c->tls.done) {
			tls_close(&c->tls);
			c->notify_sent = true;
		}
		conn_fail(w, c, 0, "peer sent close_notify");
		return;
	}
	if (got < 0 && c->state != CONN_FREE && c->state != CONN_CLOSING)
		conn_fail(w, c, got == -EPIPE ? 0 : -EPROTO, c->tls.reason);
}

/* A held connection whose output drained reads on: first what it holds already. */
static void resume_reading(struct worker *w, struct conn *c)
{
	size_t queued = c->txq.len + c->out.len + (c->tx.len - c->tx_off);
	if (c->state != CONN_UP || queued >= CONN_RESUME_QUEUED)
		return;
	c->held = false;
	parse_messages(w, c);
	/* a receive still live (its cancel not yet done) re-arms itself when it ends */
	if (c->state == CONN_UP && !c->held && !c->recv_armed)
		arm_recv(w, c);
}

/* A send in flight for long may still move: a slow reader frees room in the
 * socket long before the kernel wakes the send (it waits for half the buffer), so
 * what the peer took is read from the socket's queue. A send whose queue has not
 * shrunk for CONN_STALL_NS: the peer reads nothing. */
static void fail_stalled_sends(struct worker *w)
{
	for (uint32_t i = 0; i < w->slots.used; i++) {
		struct conn *c = &w->conns[i];
		if (c->state == CONN_FREE || c->state == CONN_CLOSING || !c->sending ||
		    w->now - c->t_send_progress < STALL_SCAN_NS)
			continue;
		int queued = -1;
		if (ioctl(c->fd, SIOCOUTQ, &queued) == 0 && queued != c->outq_seen) {
			c->outq_seen = queued;
			c->t_send_progress = w->now;
		} else if (w->now - c->t_send_progress > CONN_STALL_NS) {
			fail_unread(w, c, "peer reads nothing: nothing it was sent left for 5 s");
		}
	}
}

/* fd is already counted for this worker (see on_accept). */
static void take_accepted(struct worker *w, int fd)
{
	struct conn *c = atomic_load(w->stop) ? NULL : conn_alloc(w, fd, w->tls);
	if (!c) {
		count_conn(w, (unsigned)w->id, -1);
		close(fd);
		return;
	}
	w->accepted++;
	transport_start(w, c, NULL, NULL);
}

/* The worker a new connection goes to: this one, unless it holds more than
 * the least loaded running one by one plus an eighth. *ring_fd: the other's ring. */
static unsigned pick_worker(const struct worker *w, int *ring_fd)
{
	const struct accept_spread *s = w->spread;
	unsigned self = (unsigned)w->id, least = self, min = UINT32_MAX;
	for (unsigned k = 0; k < s->n; k++) {
		unsigned l = atomic_load_explicit(&s->slot[k].load, memory_order_relaxed);
		int fd = atomic_load_explicit(&s->slot[k].ring_fd, memory_order_acquire);
		if (k != self && l < min && fd >= 0) {
			least = k;
			min = l;
			*ring_fd = fd;
		}
	}
	unsigned mine = atomic_load_explicit(&s->slot[self].load, memory_order_relaxed);
	return least != self && mine >= min + 1 + min / 8 ? least : self;
}

static bool out_of_descriptors(int err)
{
	return err == -EMFILE || err == -ENFILE || err == -ENOBUFS || err == -ENOMEM;
}

static void on_accept(struct worker *w, struct io_uring_cqe *cqe)
{
	if (!(cqe->flags & IORING_CQE_F_MORE) && !atomic_load(w->stop)) {
		if (out_of_descriptors(cqe->res)) /* re-armed now, it would fail now: a busy loop */
			w->accept_at = w->now + ACCEPT_BACKOFF_NS;
		else
			worker_listen(w);
	}
	if (cqe->res < 0)
		return;
	int ring_fd = -1;
	unsigned k = w->spread ? pick_worker(w, &ring_fd) : (unsigned)w->id;
	count_conn(w, k, +1); /* counted at once, so the next accept sees it */
	if (k != (unsigned)w->id) {
		if (ring_msg(&w->ring, ring_fd, (uint32_t)cqe->res, ring_tag(OP_HANDOFF, 0, 0),
			     ring_tag(OP_HANDED, k, (uint32_t)cqe->res)) == 0)
			return;
		count_conn(w, k, -1); /* not handed over after all: kept here */
		count_conn(w, (unsigned)w->id, +1);
	}
	take_accepted(w, cqe->res);
}

static void handle_cqe(struct worker *w, struct io_uring_cqe *cqe)
{
	uint64_t t = io_uring_cqe_get_data64(cqe);
	unsigned op = ring_tag_op(t);
	if (op == OP_ACCEPT) {
		on_accept(w, cqe);
		return;
	}
	if (op == OP_HANDOFF) {
		if (cqe->res >= 0)
			take_accepted(w, cqe->res);
		return;
	}
	if (op == OP_HANDED) { /* the other ring is gone or full: keep it here */
		count_conn(w, ring_tag_gen(t), -1);
		count_conn(w, (unsigned)w->id, +1);
		take_accepted(w, (int)ring_tag_slot(t));
		return;
	}
	if (op >= RING_OP_ROLE_FIRST) {
		if (w->role->ring_cqe)
			w->role->ring_cqe(w, t, cqe->res, cqe->flags);
		return;
	}
	struct conn *c = &w->conns[ring_tag_slot(t)];
	bool more = (cqe->flags & IORING_CQE_F_MORE) != 0;
	if (op == OP_RECV && (cqe->flags & IORING_CQE_F_BUFFER)) {
		unsigned bid = cqe->flags >> IORING_CQE_BUFFER_SHIFT;
		if (c->gen == ring_tag_gen(t) && c->state != CONN_FREE && c->state != CONN_CLOSING &&
		    cqe->res > 0) {
			const char *buf = ring_bufs_get(&w->ring.bufs, bid);
			KERNEL_WROTE(buf, (size_t)cqe->res);
			on_bytes(w, c, buf, (size_t)cqe->res);
		}
		ring_bufs_recycle(&w->ring.bufs, bid);
	}
	if (c->gen != ring_tag_gen(t) || c->state == CONN_FREE)
		return; /* cannot happen while ops are counted; kept as a guard */
	if (!(op == OP_RECV && more))
		c->ops--;
	if (op == OP_RECV && !more)
		c->recv_armed = false;

	switch (op) {
	case OP_CONNECT:
		if (cqe->res < 0) {
			char why[128];
			snprintf(why, sizeof(why), "connect: %s", strerror(-cqe->res));
			conn_fail(w, c, cqe->res, why);
			return;
		}
		if (c->state == CONN_CONNECTING)
			transport_start(w, c, c->peer_name, c->peer_name[0] ? c->peer_name : NULL);
		break;
	case OP_RECV:
		if (c->state == CONN_CLOSING) {
			conn_finish(w, c);
			return;
		}
		if (cqe->res == 0) {
			conn_fail(w, c, 0, c->state == CONN_HANDSHAKE ? "peer closed during the handshake"
								      : "closed by peer");
			return;
		}
		if (cqe->res < 0 && cqe->res != -ENOBUFS && cqe->res != -ECANCELED) {
			char why[128];
			snprintf(why, sizeof(why), "receive: %s", strerror(-cqe->res));
			conn_fail(w, c, cqe->res, why);
			return;
		}
		/* -ENOBUFS means overload: re-arm, nothing is lost; -ECANCELED: held */
		if (!more && !c->held && c->state != CONN_FREE && c->state != CONN_CLOSING) {
			w->res.tester.enobufs_rearms += cqe->res == -ENOBUFS;
			arm_recv(w, c);
		}
		break;
	case OP_SEND:
		c->sending = false;
		if (cqe->res < 0) {
			char why[128];
			snprintf(why, sizeof(why), "send: %s", strerror(-cqe->res));
			conn_fail(w, c, cqe->res, why);
			return;
		}
		c->tx_off += (size_t)cqe->res;
		if (c->tx_off < c->tx.len && c->state != CONN_CLOSING)
			submit_send(w, c);
		else
			c->tx.len = c->tx_off = 0;
		flush(w, c);
		if (c->held)
			resume_reading(w, c);
		if (c->state == CONN_UP && (w->lean || !c->trimmed))
			conn_trim(c);
		return;
	}
	if (c->state == CONN_CLOSING)
		conn_finish(w, c);
}

static void flush_dirty(struct worker *w)
{
	/* flush() may mark others dirty through callbacks: walk until empty */
	for (unsigned i = 0; i < w->n_dirty; i++) {
		struct conn *c = &w->conns[w->dirty[i]];
		if (c->dirty)
			flush(w, c);
	}
	w->n_dirty = 0;
}

static uint64_t fire_timers(struct worker *w)
{
	const struct timer_entry *t;
	while ((t = timer_peek(&w->timers)) && t->at <= w->now) {
		struct timer_entry e = *t;
		timer_pop(&w->timers);
		w->role->timer(w, &e);
	}
	return t ? t->at : 0;
}

/* Arms the accept again once its rest is over; the time it is due, or 0. */
static uint64_t accept_again(struct worker *w)
{
	if (w->accept_at && w->accept_at <= w->now)
		worker_listen(w);
	return w->accept_at;
}

/* Whether either side stopped reading: a window at zero, ours or the far end's,
 * seen by sampling up to WINDOW_SAMPLE_CONNS connections that are up. */
static void sample_windows(struct worker *w)
{
	struct tester_health *h = &w->res.tester;
	unsigned sampled = 0;
	for (uint32_t n = 0; n < w->slots.used && n < WINDOW_SCAN_SLOTS && sampled < WINDOW_SAMPLE_CONNS;
	     n++) {
		if (w->window_cursor >= w->slots.used)
			w->window_cursor = 0;
		struct conn *c = &w->conns[w->window_cursor++];
		struct tcp_windows tw;
		if (c->state != CONN_UP || tcp_windows_read(c->fd, &tw))
			continue;
		sampled++;
		h->tcp_samples++;
		h->zero_window_far_end += tw.far_end == 0;
		h->zero_window_ours += tw.ours_known && tw.ours == 0;
		h->window_unknown += !tw.ours_known;
	}
}

/* A turn's work, from the wait's return to the next wait. */
static void count_turn(struct worker *w, uint64_t woke, uint64_t now)
{
	struct tester_health *h = &w->res.tester;
	uint64_t us = (now - woke) / 1000;
	h->turns++;
	if (us > TESTER_LONG_TURN_US)
		h->long_turns++;
	if (us > h->worst_turn_us)
		h->worst_turn_us = us;
}

static double thread_cpu_s(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static bool any_conn_open(const struct worker *w)
{
	return w->slots.n_free < w->n_conns;
}

static int run_loop(struct worker *w);

int worker_run(struct worker *w)
{
	if (w->spread)
		atomic_store_explicit(&w->spread->slot[w->id].ring_fd, w->ring.uring.ring_fd,
				      memory_order_release);
	uint64_t t0 = clock_mono_ns();
	double cpu0 = thread_cpu_s();
	int rc = run_loop(w);
	struct tester_health *h = &w->res.tester;
	h->workers = 1;
	h->cpu_s = thread_cpu_s() - cpu0;
	h->wall_s = (double)(clock_mono_ns() - t0) / 1e9;
	h->busiest_worker_pct = h->wall_s > 0 ? 100 * h->cpu_s / h->wall_s : 0;
	if (w->spread)
		atomic_store_explicit(&w->spread->slot[w->id].ring_fd, -1, memory_order_release);
	return rc;
}

static int run_loop(struct worker *w)
{
	uint64_t stop_at = 0, finished_at = 0, stall_scan_at = 0, window_at = 0, woke = clock_mono_ns();
	bool busy = false; /* the last wait brought more than one completion */
	for (;;) {
		w->now = clock_mono_ns();
		bool stopping = atomic_load(w->stop);
		if (stopping && !stop_at) {
			stop_at = w->now + w->stop_grace_ns;
			for (uint32_t i = 0; i < w->slots.used; i++)
				if (w->conns[i].state != CONN_FREE)
					worker_close(w, &w->conns[i]);
			if (w->listen_fd >= 0)
				shutdown(w->listen_fd, SHUT_RDWR);
		}
		uint64_t next = 0;
		if (!stopping) {
			uint64_t t1 = fire_timers(w);
			w->now = clock_mono_ns(); /* timers may have taken a while: calls start late */
			uint64_t t2 = w->role->tick(w, w->now);
			next = t1 && t2 ? (t1 < t2 ? t1 : t2) : (t1 ? t1 : t2);
			uint64_t t3 = accept_again(w);
			next = next && t3 ? (next < t3 ? next : t3) : (next ? next : t3);
			if (w->now >= stall_scan_at) {
				fail_stalled_sends(w);
				stall_scan_at = w->now + STALL_SCAN_NS;
			}
			if (w->now >= window_at) {
				sample_windows(w);
				window_at = w->now + WINDOW_SAMPLE_NS;
			}
		}
		flush_dirty(w);
		if (stopping && (!any_conn_open(w) || w->now >= stop_at))
			break;
		if (!stopping && w->role->finished(w)) {
			if (!any_conn_open(w))
				break;
			/* a peer that never closes its side: end its connections ourselves */
			if (!finished_at)
				finished_at = w->now;
			else if (w->now > finished_at + w->stop_grace_ns) {
				for (uint32_t i = 0; i < w->slots.used; i++)
					if (w->conns[i].state != CONN_FREE)
						conn_fail(w, &w->conns[i], 0, "closed");
				flush_dirty(w);
				finished_at = w->now;
			}
		}

		uint64_t wait = MAX_WAIT_NS;
		w->now = clock_mono_ns();
		count_turn(w, woke, w->now);
		if (next)
			wait = next > w->now ? (next - w->now < wait ? next - w->now : wait) : 0;
		/* Busy: wait for a batch of completions (BATCH_*) rather than wake for each;
		 * timers may be that late, or TIMER_SLACK_NS when not busy: due calls start
		 * together. Nothing due now (wait 0) waits for nothing. */
		unsigned wait_nr = 1;
		if (busy && wait) {
			wait = w->media_timing ? MEDIA_BATCH_WAIT_NS : BATCH_WAIT_NS;
			wait_nr = w->media_timing ? MEDIA_BATCH_CQES : BATCH_CQES;
		} else if (wait && wait < TIMER_SLACK_NS) {
			wait = TIMER_SLACK_NS;
		}
		struct __kernel_timespec ts = { .tv_sec = (long long)(wait / NS_PER_S),
						.tv_nsec = (long long)(wait % NS_PER_S) };
		struct io_uring_cqe *cqe;
		/* also with wait 0: the wait call is what runs deferred task work */
		int err = io_uring_submit_and_wait_timeout(&w->ring.uring, &cqe, wait_nr, &ts, NULL);
		if (err < 0 && err != -ETIME && err != -EINTR && err != -EBUSY) {
			snprintf(w->err, sizeof(w->err), "io_uring wait: %s", strerror(-err));
			return err;
		}
		w->now = woke = clock_mono_ns(); /* completion handlers read the time from here */
		unsigned head, n = 0;
		io_uring_for_each_cqe(&w->ring.uring, head, cqe)
		{
			handle_cqe(w, cqe);
			n++;
		}
		io_uring_cq_advance(&w->ring.uring, n);
		busy = n > 1;
	}
	return 0;
}
