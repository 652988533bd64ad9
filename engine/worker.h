/* A worker: one thread, one io_uring, its own connections and timers.
 * It moves bytes (TCP, TLS, SIP framing); a role (caller or responder) decides
 * what the messages mean. Nothing here blocks. */
#ifndef TL_WORKER_H
#define TL_WORKER_H
#include <netinet/in.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>
#include "buf.h"
#include "net_addr.h"
#include "rand_pool.h"
#include "result.h"
#include "ring.h"
#include "sip_frame.h"
#include "sip_parse.h"
#include "slot_stack.h"
#include "timer.h"
#include "tls.h"

enum conn_state { CONN_FREE = 0, CONN_CONNECTING, CONN_HANDSHAKE, CONN_UP, CONN_CLOSING };

struct conn {
	uint32_t slot, gen;
	enum conn_state state;
	int fd;
	bool use_tls, sending, dirty, close_when_sent, shut;
	bool notify_sent, half_closed; /* our close_notify queued; our side shut for writing */
	bool trimmed;             /* gave its buffers back once after set-up (w->lean: always) */
	bool hs_counted_ok;       /* its handshake is counted in res.hs_ok */
	bool hs_resumed;          /* ... and in res.hs_resumed */
	bool recv_armed;          /* a multishot receive is live */
	bool held;                /* a responder that stopped reading: its output piled up */
	uint64_t t_send_progress; /* monotonic ns: the last send started or moved */
	int outq_seen;            /* the socket's unsent and unacknowledged bytes then */
	unsigned ops;             /* ring operations in flight on fd */
	struct tls_conn tls;
	struct buf rx;            /* plaintext received, not yet parsed */
	struct sip_frame frame;   /* how far a message in rx that is not whole was looked at */
	struct buf out;           /* plaintext queued during this loop turn */
	struct buf tx, txq;       /* ciphertext: in flight (kernel reads it) / queued */
	size_t tx_off;
	uint64_t t_start, t_tcp_up; /* monotonic ns */
	union tl_sockaddr local;
	union tl_sockaddr peer;   /* known when w->peer_addrs (else AF_UNSPEC) */
	uint32_t cap_seq[2];      /* --pcap: the next sequence number we send, and they send */
	char local_ip[TL_IP_TEXT];             /* for SDP and media sockets */
	char local_host[TL_HOST_TEXT];         /* for URIs: an IPv6 address in brackets */
	uint16_t local_port;
	char local_hostport[TL_HOSTPORT_TEXT]; /* "host:port", for Via and Contact */
	char peer_name[256];      /* client: SNI and the name the peer's certificate must match */
	int role_index;           /* the role's own index for this connection */
};

struct worker;
struct capture;

/* A connection's identity while it lives and after (its slot is reused, its gen not):
 * never 0. */
static inline uint64_t conn_uid(const struct conn *c)
{
	return (uint64_t)(c->slot + 1) << 32 | c->gen;
}

struct worker_role {
	/* TCP is up (plain) or the TLS handshake finished. */
	void (*conn_up)(struct worker *w, struct conn *c);
	/* A complete SIP message; its slices are valid during the call only. */
	void (*conn_msg)(struct worker *w, struct conn *c, const struct sip_msg *m);
	/* The connection failed or closed; called once, before the slot is reused.
	 * err: -ECONNREFUSED etc. for TCP, -EPROTO for TLS, -EBADMSG for bad SIP,
	 * 0 for an orderly close. */
	void (*conn_down)(struct worker *w, struct conn *c, int err, const char *why);
	/* An armed timer is due. */
	void (*timer)(struct worker *w, const struct timer_entry *t);
	/* Once per loop turn: start what is due; returns the next deadline (ns, 0: none). */
	uint64_t (*tick)(struct worker *w, uint64_t now);
	/* true when the role has nothing more to do and the loop may end */
	bool (*finished)(struct worker *w);
	/* A completion of one of the role's own ring operations (op >= RING_OP_ROLE_FIRST);
	 * may be NULL when the role submits none. */
	void (*ring_cqe)(struct worker *w, uint64_t tag, int res, unsigned flags);
};

/* Responder workers even out their connections: the kernel's SO_REUSEPORT hash
 * can put a handful of trunk connections all on one worker. A worker that holds
 * more than the least loaded one (by one, plus an eighth) hands a new connection
 * over; with many connections the hash is even enough and nothing moves. */
struct accept_spread {
	unsigned n;
	struct spread_slot {     /* one per worker, by id */
		atomic_int ring_fd; /* its ring while it runs, else -1 */
		atomic_uint load;   /* connections it holds or is being handed */
	} *slot;
};

struct worker {
	int id;
	struct ring ring;
	struct conn *conns;
	uint32_t n_conns;
	struct slot_stack slots; /* the free ones of conns[] */
	uint32_t *dirty;
	unsigned n_dirty;
	struct timer_heap timers;
	const struct worker_role *role;
	void *role_arg;
	SSL_CTX *ctx;
	bool tls, server;
	bool resume;            /* client: resume the newest session on new connections */
	bool lean;              /* connections carry little (one per call): keep no buffers
				 * while idle; others keep theirs after the first idle point */
	SSL_SESSION *session;   /* that session (owned) */
	int listen_fd;
	uint64_t accept_at;     /* the accept rests (out of descriptors) until then; 0: armed */
	struct accept_spread *spread; /* responder with several workers, else NULL */
	struct tl_addr_range src;  /* client: bind new connections to its addresses in turn */
	uint32_t src_next;         /* (src.n 0: the kernel picks) */
	size_t max_msg;
	struct capture *capture;   /* --pcap (shared by the workers), else NULL */
	bool peer_addrs;           /* learn each connection's peer address (c->peer): --pcap,
				    * a responder's --trace */
	struct result res;         /* the worker counts handshakes here, the role the rest */
	int peer_warn_days;        /* the far end's expiry nearer than this is a finding */
	uint64_t accepted;         /* responder: connections taken (each ends as a handshake
				    * ok or failed, with TLS) */
	struct rand_pool rand;     /* keys and tags for this worker's calls */
	atomic_bool *stop;      /* set by the controlling thread: end now */
	atomic_bool *drain;     /* set first: start nothing new, let what runs finish (may be NULL) */
	uint64_t stop_grace_ns; /* how long to wait for connections to close at the end */
	bool media_timing;      /* the role has RTP streams open (its tick says so each turn):
				 * the busy loop batches briefly, so that RTP leaves on time */
	uint32_t window_cursor; /* the next connection whose TCP windows are sampled */
	uint64_t now;           /* monotonic ns at the start of this loop turn, and again
				 * when the wait for completions returned */
	char err[256];          /* why worker_init or the loop failed */
};

/* Sets up the ring and a table of max_conns connections. Call on the worker's own
 * thread (the ring is single-issuer). Returns 0 or a negative errno (w->err says). */
int worker_init(struct worker *w, unsigned max_conns);
void worker_free(struct worker *w);

/* Runs until the role is finished and every connection is closed, or *stop is set
 * (then connections are closed and the loop ends within stop_grace_ns). */
int worker_run(struct worker *w);

/* Opens a connection (TLS when w->tls) from the next source address (w->src_*):
 * server_name is sent as SNI and the peer's certificate must match it (NULL or "": no
 * name check). Returns the connection, or NULL with errno set (table full: ENOBUFS;
 * the ring takes no more work: EBUSY; socket or bind error). */
struct conn *worker_connect(struct worker *w, const struct sockaddr *sa, socklen_t len,
			    const char *server_name);
/* Starts accepting on a listening socket (w->listen_fd); when the ring has no room now,
 * or later when the process is out of descriptors, the loop tries again after a rest. */
void worker_listen(struct worker *w);
/* Room for up to max plaintext bytes at the end of the connection's output; NULL on
 * out of memory. Write the message there and commit its length: everything queued
 * in one loop turn leaves in one TLS write and one send. */
char *worker_out_reserve(struct worker *w, struct conn *c, size_t max);
void worker_out_commit(struct worker *w, struct conn *c, size_t n);
/* Closes a connection gracefully: queued output, then a TLS close_notify, then our
 * side of TCP; the connection ends when the peer closes its side (or the run's
 * grace time is over). */
void worker_close(struct worker *w, struct conn *c);
/* A TLS 1.3 peer refused us after our side of the handshake finished: the
 * handshake counted as done on c is counted as failed instead (once). */
void worker_tls_refused_late(struct worker *w, struct conn *c);
/* Arms a timer; 0 or -ENOMEM. */
int worker_timer(struct worker *w, uint64_t at, uint32_t slot, uint32_t seq, uint32_t kind);
/* The connection in slot, if it is still the one with generation gen. */
struct conn *worker_conn(struct worker *w, uint32_t slot, uint32_t gen);

#endif
