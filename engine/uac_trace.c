/* --trace: a traced call keeps every SIP message it sends and receives (the plaintext
 * inside TLS), each under a line saying which way, when (from the call's scheduled
 * start and on the wall clock) and over which connection; when the call ends the trace
 * is kept (failed: up to n per failure reason; all: the first n calls) or let go. The
 * worker holds at most its share of --trace-mem: past it a call's trace is dropped and,
 * if it would have been kept, counted. An untraced call costs a branch. */
#include "uac_call.h"
#include "clock.h"
#include "wall_time.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void drop(struct uac *u, struct call *k)
{
	u->trace_bytes -= k->trace->cap;
	free(k->trace->buf);
	free(k->trace);
	k->trace = NULL;
	k->trace_lost = true;
}

/* Room for n more bytes, within the worker's share of --trace-mem. */
static bool room(struct uac *u, struct call *k, size_t n)
{
	struct call_trace *t = k->trace;
	if (t->len + n <= t->cap)
		return true;
	size_t cap = t->cap ? t->cap : 2048;
	while (cap < t->len + n)
		cap *= 2;
	if (u->trace_bytes - t->cap + cap > u->cfg.trace.mem) {
		drop(u, k);
		return false;
	}
	char *p = realloc(t->buf, cap);
	if (!p) {
		drop(u, k);
		return false;
	}
	u->trace_bytes += cap - t->cap;
	t->buf = p;
	t->cap = cap;
	return true;
}

static void put(struct uac *u, struct call *k, const char *p, size_t n)
{
	if (k->trace && n && room(u, k, n)) {
		memcpy(k->trace->buf + k->trace->len, p, n);
		k->trace->len += n;
	}
}

void uac_trace_begin(struct uac *u, struct call *k)
{
	k->trace = NULL;
	k->trace_lost = false;
	k->tap = (struct trace_tap){ u, k };
	const struct trace_plan *p = &u->cfg.trace;
	if (p->mode == TRACE_OFF || (p->mode == TRACE_ALL && k->number >= p->n))
		return;
	if (!(k->trace = calloc(1, sizeof(*k->trace)))) {
		k->trace_lost = true;
		return;
	}
	char head[160];
	int n = snprintf(head, sizeof(head), "trunkload trace of call %s (call %llu)\n", k->call_id,
			 (unsigned long long)k->number);
	put(u, k, head, (size_t)n);
}

void uac_trace_msg(struct uac *u, struct call *k, const struct conn *c, bool sent, const char *a,
		   size_t alen, const char *b, size_t blen)
{
	if (!k->trace)
		return;
	const char *version = "", *cipher = "";
	if (c->use_tls)
		tls_conn_names(&c->tls, &version, &cipher);
	struct scn_dest_view d = scn_dest(u->scn, k->dest);
	char when[40], line[400];
	wall_time_format(clock_wall_s(), when, sizeof(when));
	double ms = u->w->now > k->t_sched ? (double)(u->w->now - k->t_sched) / 1e6 : 0;
	int n = snprintf(line, sizeof(line), "\n--- %s +%.3f ms %s %s %s %s:%u %s%s%s\n",
			 sent ? "sent" : "received", ms, when, c->local_hostport, sent ? "->" : "<-",
			 d.host, d.port, c->use_tls ? version : "TCP", c->use_tls ? " " : "", cipher);
	put(u, k, line, (size_t)n < sizeof(line) ? (size_t)n : sizeof(line) - 1);
	put(u, k, a, alen);
	put(u, k, b, blen);
}

void uac_trace_received(struct uac *u, struct call *k, const struct conn *c, const struct sip_msg *m)
{
	if (!k->trace)
		return;
	uac_trace_msg(u, k, c, false, m->head.p, m->head.len, "\r\n\r\n", 4);
	put(u, k, m->body.p, m->body.len);
}

void uac_trace_end(struct uac *u, struct call *k)
{
	struct result *res = &u->w->res;
	const struct trace_plan *p = &u->cfg.trace;
	const char *reason = k->trace && k->trace->reason[0] ? k->trace->reason :
			     k->trace ? "completed" : "";
	bool wanted = p->mode == TRACE_ALL ||
		      (p->mode == TRACE_FAILED && k->trace && k->trace->reason[0] &&
		       result_traces_of(res, reason) < p->n);
	if (!k->trace) { /* failed calls' lost traces were counted when they failed */
		res->traces_dropped += k->trace_lost && p->mode == TRACE_ALL;
		k->trace_lost = false;
		return;
	}
	if (wanted) /* its text ends in a NUL (not counted in its length), for readers */
		put(u, k, "", 1);
	if (!k->trace) { /* dropped just now */
		res->traces_dropped += wanted;
		return;
	}
	struct call_trace *t = k->trace;
	k->trace = NULL;
	if (wanted && !result_trace_add(res, k->call_id, reason, t->buf, t->len - 1)) {
		free(t); /* its text is the result's now, and still counts against the cap */
		return;
	}
	res->traces_dropped += wanted; /* no memory to keep it */
	u->trace_bytes -= t->cap;
	free(t->buf);
	free(t);
}

void uac_trace_failed(struct uac *u, struct call *k, const char *reason)
{
	if (k->trace && !k->trace->reason[0]) {
		snprintf(k->trace->reason, sizeof(k->trace->reason), "%s", reason);
	} else if (!k->trace && k->trace_lost && u->cfg.trace.mode == TRACE_FAILED) {
		/* counted once, here, if its reason had room for it */
		u->w->res.traces_dropped += result_traces_of(&u->w->res, reason) < u->cfg.trace.n;
		k->trace_lost = false;
	}
}

void uac_trace_sent(void *tap, const struct conn *c, const char *msg, size_t len)
{
	struct trace_tap *t = tap;
	if (t->k->trace) /* it may have been dropped since the session was handed the tap */
		uac_trace_msg(t->u, t->k, c, true, msg, len, NULL, 0);
}
