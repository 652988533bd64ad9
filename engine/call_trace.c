#include "call_trace.h"
#include "clock.h"
#include "result.h"
#include "wall_time.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Before each message in buf; then the connection's description (conn_len bytes: local,
 * peer and transport, each ending in a NUL) when it changed, then the message. */
struct trace_rec {
	uint32_t len;      /* the message's bytes */
	uint32_t conn_len; /* 0: the previous record's connection */
	double ms;         /* after the call's start */
	uint64_t now;      /* monotonic ns */
	bool sent;
};

#define FIRST_CAP 4096 /* a call of INVITE, 100, 180, 200 with SDP, ACK, BYE, 200 fits */

/* The spare buffers given back: memory for traces that need it. */
static void release_spares(struct trace_book *b)
{
	while (b->n_spare) {
		struct call_trace *t = b->spare[--b->n_spare];
		b->held -= t->cap;
		free(t->buf);
		free(t);
	}
}

/* No room for h's trace: it is dropped. A failed call's loss is counted now (its
 * reason known, trace_failed has passed); any other's when the call fails or ends. */
static void drop(struct trace_book *b, struct trace_hold *h)
{
	struct call_trace *t = h->t;
	bool failed = t->reason[0] && b->plan.mode == TRACE_FAILED;
	if (failed)
		b->res->traces_dropped += result_traces_of(b->res, t->reason) < b->plan.n;
	b->held -= t->cap;
	free(t->buf);
	free(t);
	h->t = NULL;
	h->lost = !failed;
}

/* Room for n more bytes, within the worker's share of --trace-mem. */
static bool room(struct trace_book *b, struct trace_hold *h, size_t n)
{
	struct call_trace *t = h->t;
	if (t->len + n <= t->cap)
		return true;
	size_t cap = t->cap ? t->cap : FIRST_CAP;
	while (cap < t->len + n)
		cap *= 2;
	if (b->held - t->cap + cap > b->plan.mem)
		release_spares(b);
	if (b->held - t->cap + cap > b->plan.mem) {
		drop(b, h);
		return false;
	}
	char *p = realloc(t->buf, cap);
	if (!p) {
		drop(b, h);
		return false;
	}
	b->held += cap - t->cap;
	t->buf = p;
	t->cap = cap;
	return true;
}

void trace_append(struct trace_book *b, struct trace_hold *h, const void *p, size_t n)
{
	/* text belongs to a message: none yet, nowhere to put it */
	if (!h->t || !n || h->t->last == SIZE_MAX || !room(b, h, n))
		return;
	struct call_trace *t = h->t;
	memcpy(t->buf + t->len, p, n);
	t->len += n;
	struct trace_rec r;
	memcpy(&r, t->buf + t->last, sizeof(r));
	r.len += (uint32_t)n;
	memcpy(t->buf + t->last, &r, sizeof(r));
}

void trace_start(struct trace_book *b, struct trace_hold *h, bool traced, uint64_t number)
{
	*h = (struct trace_hold){ 0 };
	if (!traced)
		return;
	if (!b->mono0) {
		b->mono0 = clock_mono_ns();
		b->wall0 = clock_wall_s();
	}
	struct call_trace *t = b->n_spare ? b->spare[--b->n_spare] : calloc(1, sizeof(*t));
	if (!t) {
		h->lost = true;
		return;
	}
	t->len = 0;
	t->last = SIZE_MAX;
	t->conn_id = 0;
	t->number = number;
	t->reason[0] = '\0';
	h->t = t;
}

_Static_assert(sizeof(((struct trace_conn_text *)0)->text) >= sizeof(struct trace_conn),
	       "a description always fits whole, with its three NULs");

/* conn_id's description, from the book's few or made by describe. */
static const struct trace_conn_text *conn_text(struct trace_book *b, uint64_t conn_id,
					       trace_describe_cb describe, void *arg)
{
	for (unsigned i = 0; i < TRACE_CONNS; i++)
		if (b->conns[i].id == conn_id)
			return &b->conns[i];
	struct trace_conn d;
	describe(arg, &d);
	struct trace_conn_text *x = &b->conns[b->next_conn++ % TRACE_CONNS];
	int n = snprintf(x->text, sizeof(x->text), "%s%c%s%c%s", d.local, 0, d.peer, 0, d.transport);
	x->len = (n < 0 ? 0 : (size_t)n < sizeof(x->text) ? (uint32_t)n : sizeof(x->text) - 1) + 1;
	x->id = conn_id;
	return x;
}

void trace_message(struct trace_book *b, struct trace_hold *h, bool sent, uint64_t now, double ms,
		   uint64_t conn_id, trace_describe_cb describe, void *arg, const char *a, size_t alen,
		   const char *b2, size_t blen)
{
	if (!h->t)
		return;
	struct trace_rec r = { .sent = sent, .ms = ms, .now = now, .len = (uint32_t)(alen + blen) };
	const struct trace_conn_text *conn = NULL;
	if (conn_id != h->t->conn_id) {
		conn = conn_text(b, conn_id, describe, arg);
		r.conn_len = conn->len;
	}
	if (!room(b, h, sizeof(r) + r.conn_len + alen + blen))
		return;
	struct call_trace *t = h->t;
	char *p = t->buf + t->len;
	t->last = t->len;
	t->conn_id = conn_id;
	memcpy(p, &r, sizeof(r));
	p += sizeof(r);
	if (conn) {
		memcpy(p, conn->text, conn->len);
		p += conn->len;
	}
	if (alen)
		memcpy(p, a, alen);
	if (blen)
		memcpy(p + alen, b2, blen);
	t->len += sizeof(r) + r.conn_len + alen + blen;
}

/* The trace as text: its head, then each message under its line. NUL-terminated
 * (*len without the NUL); NULL when out of memory. */
static char *render(const struct trace_book *b, const struct call_trace *t, const char *call_id,
		    size_t *len)
{
	enum { LINE_MAX = 700 }; /* "--- sent +ms WHEN LOCAL -> PEER TRANSPORT" at its longest */
	struct trace_rec r;
	size_t cap = t->len + 1 + LINE_MAX;
	for (size_t off = 0; off < t->len; off += sizeof(r) + r.conn_len + r.len) {
		memcpy(&r, t->buf + off, sizeof(r));
		cap += LINE_MAX;
	}
	char *out = malloc(cap);
	if (!out)
		return NULL;
	int k = t->number == UINT64_MAX ?
		snprintf(out, LINE_MAX, "%s trace of call %.200s\n", b->who, call_id) :
		snprintf(out, LINE_MAX, "%s trace of call %.200s (call %llu)\n", b->who, call_id,
			 (unsigned long long)t->number);
	size_t n = k < LINE_MAX ? (size_t)k : LINE_MAX - 1;
	const char *local = "", *peer = "", *transport = "";
	for (size_t off = 0; off < t->len;) {
		memcpy(&r, t->buf + off, sizeof(r));
		off += sizeof(r);
		if (r.conn_len) {
			local = t->buf + off;
			peer = local + strlen(local) + 1;
			transport = peer + strlen(peer) + 1;
			off += r.conn_len;
		}
		char when[40];
		wall_time_format(b->wall0 + ((double)r.now - (double)b->mono0) / 1e9, when, sizeof(when));
		k = snprintf(out + n, LINE_MAX, "\n--- %s +%.3f ms %s %s %s %s %s\n",
				 r.sent ? "sent" : "received", r.ms, when, local, r.sent ? "->" : "<-", peer,
				 transport);
		n += k < LINE_MAX ? (size_t)k : LINE_MAX - 1;
		memcpy(out + n, t->buf + off, r.len);
		n += r.len;
		off += r.len;
	}
	out[n] = '\0';
	*len = n;
	char *fit = realloc(out, n + 1); /* kept as long as the run: no room to spare */
	return fit ? fit : out;
}

/* A trace no longer needed: its buffer kept for the next call while there is room. */
static void let_go(struct trace_book *b, struct call_trace *t)
{
	if (b->n_spare < TRACE_SPARES && t->cap <= 2 * FIRST_CAP && b->held <= b->plan.mem / 2) {
		b->spare[b->n_spare++] = t;
		return;
	}
	b->held -= t->cap;
	free(t->buf);
	free(t);
}

void trace_failed(struct trace_book *b, struct trace_hold *h, const char *reason)
{
	if (h->t && !h->t->reason[0]) {
		snprintf(h->t->reason, sizeof(h->t->reason), "%s", reason);
	} else if (!h->t && h->lost && b->plan.mode == TRACE_FAILED) {
		/* counted once, here, if its reason had room for it */
		b->res->traces_dropped += result_traces_of(b->res, reason) < b->plan.n;
		h->lost = false;
	}
}

void trace_end(struct trace_book *b, struct trace_hold *h, const char *call_id)
{
	struct result *res = b->res;
	const struct trace_plan *p = &b->plan;
	if (!h->t) { /* failed calls' lost traces were counted when they failed */
		res->traces_dropped += h->lost && p->mode == TRACE_ALL;
		h->lost = false;
		return;
	}
	struct call_trace *t = h->t;
	h->t = NULL;
	char reason[sizeof(t->reason)];
	snprintf(reason, sizeof(reason), "%s", t->reason[0] ? t->reason : "completed");
	bool wanted = p->mode == TRACE_ALL ||
		      (p->mode == TRACE_FAILED && t->reason[0] && result_traces_of(res, reason) < p->n);
	size_t len = 0;
	char *text = wanted ? render(b, t, call_id, &len) : NULL;
	let_go(b, t);
	if (!wanted)
		return;
	/* the text kept is the result's, and counts against the cap */
	if (text && b->held + len + 1 > p->mem)
		release_spares(b);
	if (text && b->held + len + 1 <= p->mem && !result_trace_add(res, call_id, reason, text, len)) {
		b->held += len + 1;
		return;
	}
	free(text);
	res->traces_dropped++;
}

void trace_book_free(struct trace_book *b)
{
	release_spares(b);
}
