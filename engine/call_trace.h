/* --trace, for either role: a call's SIP messages as sent and received (the plaintext
 * inside TLS), each under a line saying which way, when (from the call's start and on the
 * wall clock) and over which connection. A trace is held while its call runs, within the
 * worker's share of --trace-mem, and when the call ends kept in the result (failed: up
 * to n per failure reason; all: the first n calls) or let go. Past the share a call's
 * trace is dropped and, if it would have been kept, counted (traces_dropped). */
#ifndef CALL_TRACE_H
#define CALL_TRACE_H
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct result;

enum trace_mode { TRACE_OFF = 0, TRACE_FAILED, TRACE_ALL };
struct trace_plan {
	enum trace_mode mode;
	unsigned n;
	size_t mem; /* bytes (a worker's share, once given to it) */
};

/* A trace while its call runs: per message a record (which way, when, the connection
 * when it changed) and the message as it went; turned into text (a first line, then a
 * line per message) only when it is kept, so that a call traced and let go costs copies
 * into a reused buffer, not formatting, clock reads or allocations. */
struct call_trace {
	char *buf;
	size_t len, cap;
	size_t last;        /* where the last message's record is in buf (SIZE_MAX: none) */
	uint64_t number;    /* the call's, for the first line (UINT64_MAX: none) */
	uint64_t conn_id;   /* the connection of the last record (0: none yet) */
	char reason[32];    /* "" while its call has not failed */
};

/* A call's hold on its trace: the trace (NULL: none, or dropped) and whether one it
 * should have had was dropped for want of memory. */
struct trace_hold {
	struct call_trace *t;
	bool lost;
};

#define TRACE_SPARES 256
#define TRACE_CONNS 8

/* A connection's description as a trace stores it: local, peer and transport, each
 * ending in a NUL. */
struct trace_conn_text {
	uint64_t id;        /* 0: unused */
	uint32_t len;
	char text[484];
};

/* A worker's traces: what it keeps, the bytes its traces hold (those of calls running,
 * those kept, and spare buffers), the result they are kept in, and buffers of traces
 * let go, for the next calls. */
struct trace_book {
	struct trace_plan plan;
	const char *who;    /* the first line's first words: "trunkload", "trunkload uas" */
	size_t held;
	struct result *res;
	struct call_trace *spare[TRACE_SPARES];
	unsigned n_spare;
	struct trace_conn_text conns[TRACE_CONNS]; /* the connections described last: a trunk's
						    * calls share a few */
	unsigned next_conn;
	uint64_t mono0;     /* a monotonic time (ns) ... */
	double wall0;       /* ... and the wall clock then: message times cost no clock read */
};

/* How a message's line names its connection: asked once per connection a call uses. */
struct trace_conn {
	char local[64], peer[300], transport[120];
};
typedef void (*trace_describe_cb)(void *arg, struct trace_conn *out);

/* Frees the spare buffers. */
void trace_book_free(struct trace_book *b);

/* Starts a call's trace when traced is true; number (UINT64_MAX: none) goes in its first
 * line, "<b->who> trace of call <Call-ID> (call <number>)". */
void trace_start(struct trace_book *b, struct trace_hold *h, bool traced, uint64_t number);

/* One message at now (monotonic ns), ms after the call's start, over connection conn_id
 * (nonzero; describe says what it is when it differs from the last message's): its line
 * (local -> peer when sent, local <- peer when received, the transport), then its text
 * (a, then b2). */
void trace_message(struct trace_book *b, struct trace_hold *h, bool sent, uint64_t now, double ms,
		   uint64_t conn_id,
		   trace_describe_cb describe, void *arg, const char *a, size_t alen, const char *b2,
		   size_t blen);

/* What ends a received message's head (the head keeps its last line's CRLF): the
 * blank line, so that the trace holds the message as it came. */
static inline const char *trace_head_end(const char *head, size_t len, size_t *n)
{
	bool crlf = len && head[len - 1] == '\n';
	*n = crlf ? 2 : 4;
	return crlf ? "\r\n" : "\r\n\r\n";
}

/* More text for the message just begun (a received body). */
void trace_append(struct trace_book *b, struct trace_hold *h, const void *p, size_t n);

/* The call failed for reason (the first reason sticks). */
void trace_failed(struct trace_book *b, struct trace_hold *h, const char *reason);

/* The call ended: its trace is kept under call_id, or let go. */
void trace_end(struct trace_book *b, struct trace_hold *h, const char *call_id);

#endif
