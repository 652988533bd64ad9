/* --trace for the caller (call_trace.c keeps the text): a call is traced from its
 * start (all: the first n calls of the run), its messages timed from its scheduled
 * start, each with the connection and the call's destination. An untraced call costs a
 * branch. */
#include "uac_call.h"
#include "net_addr.h"
#include <stdio.h>

void uac_trace_begin(struct uac *u, struct call *k)
{
	k->tap = (struct trace_tap){ u, k };
	const struct trace_plan *p = &u->cfg.trace;
	bool traced = p->mode == TRACE_FAILED || (p->mode == TRACE_ALL && k->number < p->n);
	trace_start(&u->traces, &k->trace, traced, k->number);
}

struct conn_of_call {
	const struct uac *u;
	const struct call *k;
	const struct conn *c;
};

/* What a trace line says of the call's connection: asked once per connection. */
static void describe(void *arg, struct trace_conn *out)
{
	const struct conn_of_call *x = arg;
	const char *version = "", *cipher = "";
	if (x->c->use_tls)
		tls_conn_names(&x->c->tls, &version, &cipher);
	struct scn_dest_view d = scn_dest(x->u->scn, x->k->dest);
	snprintf(out->local, sizeof(out->local), "%s", x->c->local_hostport);
	tl_hostport_text(d.host, d.port, out->peer, sizeof(out->peer));
	snprintf(out->transport, sizeof(out->transport), "%s%s%s", x->c->use_tls ? version : "TCP",
		 x->c->use_tls ? " " : "", cipher);
}

void uac_trace_msg(struct uac *u, struct call *k, const struct conn *c, bool sent, const char *a,
		   size_t alen, const char *b, size_t blen)
{
	if (!k->trace.t)
		return;
	struct conn_of_call x = { u, k, c };
	double ms = u->w->now > k->t_sched ? (double)(u->w->now - k->t_sched) / 1e6 : 0;
	trace_message(&u->traces, &k->trace, sent, u->w->now, ms, conn_uid(c), describe, &x, a, alen, b, blen);
}

void uac_trace_received(struct uac *u, struct call *k, const struct conn *c, const struct sip_msg *m)
{
	if (!k->trace.t)
		return;
	size_t n;
	const char *end = trace_head_end(m->head.p, m->head.len, &n);
	uac_trace_msg(u, k, c, false, m->head.p, m->head.len, end, n);
	trace_append(&u->traces, &k->trace, m->body.p, m->body.len);
}

void uac_trace_end(struct uac *u, struct call *k)
{
	trace_end(&u->traces, &k->trace, k->call_id);
}

void uac_trace_failed(struct uac *u, struct call *k, const char *reason)
{
	trace_failed(&u->traces, &k->trace, reason);
}

void uac_trace_sent(void *tap, const struct conn *c, const char *msg, size_t len)
{
	struct trace_tap *t = tap;
	if (t->k->trace.t) /* it may have been dropped since the session was handed the tap */
		uac_trace_msg(t->u, t->k, c, true, msg, len, NULL, 0);
}
