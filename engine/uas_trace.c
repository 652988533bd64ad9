#include "uas_trace.h"
#include "tls.h"
#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Traces open at once per worker: past it, new calls go untraced. */
#define UAS_TRACES_MAX 65536u

struct uas_trace {
	bool used;
	bool lingers;       /* its call ended: the next message received (an ACK to our error
			     * response or 487, the 200 to our BYE) ends it, or the run's end */
	char call_id[CALL_TABLE_ID_MAX + 1];
	uint64_t t_start;   /* its INVITE came (monotonic ns) */
	struct trace_hold hold;
};

static bool same_id(const void *owner, uint32_t slot, struct tl_str id)
{
	const struct uas_traces *t = owner;
	const char *kept = t->v[slot].call_id;
	return !memcmp(kept, id.p, id.len) && !kept[id.len];
}

int uas_traces_init(struct uas_traces *t, const struct trace_plan *plan, struct result *res,
		    _Atomic uint64_t *started)
{
	*t = (struct uas_traces){ .book = { .plan = *plan, .res = res, .who = "trunkload uas" } };
	t->started = started ? started : &t->own_started;
	if (plan->mode == TRACE_OFF)
		return 0;
	return call_table_init(&t->index, 2 * UAS_TRACES_MAX, same_id, t) ? -ENOMEM : 0;
}

static struct uas_trace *trace_of(struct uas_traces *t, struct tl_str id)
{
	struct call_entry *e = call_table_find(&t->index, id);
	return e ? &t->v[e->slot] : NULL;
}

static void finish(struct uas_traces *t, struct uas_trace *x)
{
	trace_end(&t->book, &x->hold, x->call_id);
	struct call_entry *e = call_table_find(&t->index, tl_str_c(x->call_id));
	if (e)
		call_table_remove(&t->index, e);
	x->used = false;
	t->free_slots[t->n_free++] = (uint32_t)(x - t->v);
}

/* A slot for a new trace of id, or NULL (none left, or no memory). */
static struct uas_trace *take(struct uas_traces *t, struct tl_str id)
{
	if (!t->n_free && t->n == t->cap) {
		uint32_t cap = t->cap ? 2 * t->cap : 64;
		if (cap > UAS_TRACES_MAX)
			cap = UAS_TRACES_MAX;
		if (cap <= t->cap)
			return NULL;
		struct uas_trace *v = realloc(t->v, cap * sizeof(*v));
		if (v)
			t->v = v;
		uint32_t *f = v ? realloc(t->free_slots, cap * sizeof(*f)) : NULL;
		if (!f)
			return NULL;
		t->free_slots = f;
		t->cap = cap;
	}
	uint32_t slot = t->n_free ? t->free_slots[t->n_free - 1] : t->n;
	if (id.len > CALL_TABLE_ID_MAX || !call_table_add(&t->index, id, slot))
		return NULL;
	if (t->n_free)
		t->n_free--;
	else
		t->n++;
	struct uas_trace *x = &t->v[slot];
	memset(x, 0, sizeof(*x));
	x->used = true;
	memcpy(x->call_id, id.p, id.len);
	return x;
}

/* What a trace line says of the caller's connection: asked once per connection. */
static void describe(void *arg, struct trace_conn *out)
{
	const struct conn *c = arg;
	const char *version = "", *cipher = "";
	if (c->use_tls)
		tls_conn_names(&c->tls, &version, &cipher);
	snprintf(out->local, sizeof(out->local), "%s", c->local_hostport);
	if (tl_sockaddr_len(&c->peer))
		tl_sockaddr_hostport(&c->peer, out->peer, sizeof(out->peer));
	else
		snprintf(out->peer, sizeof(out->peer), "?");
	snprintf(out->transport, sizeof(out->transport), "%s%s%s", c->use_tls ? version : "TCP",
		 c->use_tls ? " " : "", cipher);
}

static void message(struct uas_traces *t, struct uas_trace *x, uint64_t now, const struct conn *c,
		    bool sent, const char *a, size_t alen, const char *b, size_t blen)
{
	double ms = now > x->t_start ? (double)(now - x->t_start) / 1e6 : 0;
	trace_message(&t->book, &x->hold, sent, now, ms, conn_uid(c), describe, (void *)c, a, alen, b,
		      blen);
}

void uas_trace_received(struct uas_traces *t, uint64_t now, const struct conn *c, const struct sip_msg *m)
{
	if (!uas_traces_on(t))
		return;
	struct uas_trace *x = trace_of(t, m->call_id);
	if (!x && m->kind == SIP_KIND_REQUEST && m->method == SIP_INVITE && !m->to_tag.len) {
		const struct trace_plan *p = &t->book.plan;
		/* all:N counts the calls it meant to trace, kept or not */
		if (p->mode == TRACE_ALL &&
		    atomic_fetch_add_explicit(t->started, 1, memory_order_relaxed) >= p->n)
			return;
		if (!(x = take(t, m->call_id))) {
			t->book.res->traces_dropped += p->mode == TRACE_ALL;
			return;
		}
		x->t_start = now;
		trace_start(&t->book, &x->hold, true, UINT64_MAX);
	}
	if (!x)
		return;
	size_t n;
	const char *end = trace_head_end(m->head.p, m->head.len, &n);
	message(t, x, now, c, false, m->head.p, m->head.len, end, n);
	trace_append(&t->book, &x->hold, m->body.p, m->body.len);
	if (x->lingers)
		finish(t, x);
}

void uas_trace_sent(struct uas_traces *t, uint64_t now, const struct conn *c, struct tl_str call_id,
		    const char *msg, size_t len)
{
	struct uas_trace *x = uas_traces_on(t) ? trace_of(t, call_id) : NULL;
	if (x)
		message(t, x, now, c, true, msg, len, NULL, 0);
}

void uas_trace_ended(struct uas_traces *t, struct tl_str call_id, const char *reason)
{
	struct uas_trace *x = uas_traces_on(t) ? trace_of(t, call_id) : NULL;
	if (!x)
		return;
	if (reason)
		trace_failed(&t->book, &x->hold, reason);
	/* a trace that may be kept waits for the message that closes the exchange; one let go
	 * at its end (completed, with failed:N) or with nothing more to come ends now */
	bool refused = reason && !strncmp(reason, "status_", 7);
	if (refused || (!reason && t->book.plan.mode == TRACE_ALL))
		x->lingers = true;
	else
		finish(t, x);
}

void uas_traces_free(struct uas_traces *t)
{
	for (uint32_t i = 0; i < t->n; i++)
		if (t->v[i].used) /* the run is over: an INVITE still ringing, an ACK not come */
			finish(t, &t->v[i]);
	call_table_free(&t->index);
	trace_book_free(&t->book);
	free(t->v);
	free(t->free_slots);
	*t = (struct uas_traces){ 0 };
}
