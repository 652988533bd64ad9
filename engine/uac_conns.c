#include "uac_call.h"
#include "net_addr.h"
#include "clock.h"
#include <errno.h>
#include <stdio.h>

struct dest_result *uac_dest_result(struct uac *u, unsigned dest)
{
	struct result *r = &u->w->res;
	return dest < r->n_dests ? &r->dests[dest] : NULL;
}

/* It takes calls. */
static bool usable(const struct trunk *t)
{
	return t->up && t->in_service;
}

void uac_trunk_state(struct uac *u, struct trunk *t, bool up, bool in_service)
{
	bool was = usable(t);
	t->up = up;
	t->in_service = in_service;
	struct uac_dest *d = &u->dests[t->dest];
	if (usable(t) && !was) {
		d->trunks_usable++;
	} else if (!usable(t) && was && !--d->trunks_usable) {
		struct dest_result *r = uac_dest_result(u, t->dest);
		if (r && !atomic_load(u->w->stop) && !u->closing)
			r->went_down++;
	}
}

/* A trunk connection of destination d that takes calls, in turn; NULL if none does. */
static struct conn *dest_trunk(struct uac *u, unsigned d, struct trunk **out)
{
	unsigned per_dest = u->n_trunks / u->n_dests;
	for (unsigned n = 0; n < per_dest; n++) {
		unsigned m = u->dests[d].next_trunk++ % per_dest;
		struct trunk *t = &u->trunks[d + m * u->n_dests];
		struct conn *c = usable(t) ? worker_conn(u->w, t->slot, t->gen) : NULL;
		if (c && c->state == CONN_UP) {
			*out = t;
			return c;
		}
	}
	return NULL;
}

struct conn *uac_pick_trunk(struct uac *u, struct trunk **out)
{
	uint32_t open_dests = 0;
	for (unsigned d = 0; d < u->n_dests; d++)
		open_dests |= (uint32_t)(u->dests[d].trunks_usable > 0) << d;
	int d = dest_pick(&u->picker, open_dests);
	struct conn *c = d >= 0 ? dest_trunk(u, (unsigned)d, out) : NULL;
	for (unsigned n = 0; !c && n < u->n_trunks; n++) { /* any that takes calls */
		struct trunk *t = &u->trunks[u->rr++ % u->n_trunks];
		c = usable(t) ? worker_conn(u->w, t->slot, t->gen) : NULL;
		if (c && c->state != CONN_UP)
			c = NULL;
		*out = t;
	}
	return c;
}

unsigned uac_pick_dest(struct uac *u)
{
	uint32_t open_dests = 0;
	for (unsigned d = 0; d < u->n_dests; d++)
		open_dests |= (uint32_t)(u->dests[d].down_until <= u->w->now) << d;
	int d = dest_pick(&u->picker, open_dests);
	if (d < 0) /* every one refused lately: try as if all were up */
		d = dest_pick(&u->picker, UINT32_MAX);
	return d < 0 ? 0 : (unsigned)d;
}

void uac_open_trunk(struct uac *u, struct trunk *t)
{
	struct conn *c = worker_connect(u->w, (const struct sockaddr *)&u->cfg.targets[t->dest],
					u->cfg.target_lens[t->dest], u->dests[t->dest].verify_name);
	if (!c) {
		t->open = false;
		return;
	}
	c->role_index = (int)(t - u->trunks);
	t->slot = c->slot;
	t->gen = c->gen;
	t->open = true;
	uac_trunk_state(u, t, false, t->in_service);
	t->got_sip = false;
}

/* The call that owns connection c (per_call and handshake modes), if still current. */
static struct call *conn_call(struct uac *u, const struct conn *c)
{
	if (!u->per_conn || c->role_index < 0 || (uint32_t)c->role_index >= u->n_calls)
		return NULL;
	struct call *k = &u->calls[c->role_index];
	return k->active && k->own_conn && k->conn_slot == c->slot && k->conn_gen == c->gen ? k : NULL;
}

void uac_conn_up(struct worker *w, struct conn *c)
{
	struct uac *u = w->role_arg;
	if (c->role_index < 0)
		return;
	struct call *k = u->per_conn ? conn_call(u, c) : NULL;
	if (u->per_conn && !k)
		return;
	struct trunk *t = k ? NULL : &u->trunks[c->role_index];
	unsigned dest = k ? k->dest : t->dest;
	if (!u->dests[dest].uris_ready)
		uac_uris_prepare(u, dest, c);
	struct dest_result *d = uac_dest_result(u, dest);
	if (d)
		d->connections_up++;
	if (k) {
		k->conn_up = true;
		k->timer_seq++;
		if (u->expect_refusal)
			uac_arm_kind(u, k, clock_mono_ns() + REFUSAL_WAIT_NS, T_HOLD);
		else if (u->scn->mode == SCN_HANDSHAKE && u->scn->hold_ms)
			uac_arm_kind(u, k, w->now + u->scn->hold_ms * NS_PER_MS, T_IDLE_HOLD);
		else if (u->scn->mode == SCN_HANDSHAKE)
			uac_call_done(u, k); /* the handshake was the whole call */
		else
			uac_call_advance(u, k);
		return;
	}
	uac_trunk_state(u, t, true, t->in_service); /* out of service until a ping says otherwise */
	if (!t->ever_up && !u->started)
		u->n_settled++;
	t->ever_up = true;
	uac_ping_start(u, t);
}

void uac_conn_msg(struct worker *w, struct conn *c, const struct sip_msg *m)
{
	struct uac *u = w->role_arg;
	struct call *own = conn_call(u, c);
	if (own)
		own->got_sip = true;
	else if (!u->per_conn && c->role_index >= 0)
		u->trunks[c->role_index].got_sip = true;
	if (m->kind == SIP_KIND_RESPONSE)
		uac_on_response(u, c, m);
	else
		uac_on_request(u, c, m);
}

/* How a handshake attempt on a call's own connection ended. TLS 1.3 servers refuse
 * a client certificate after the client's handshake finished, so a refusal is
 * whatever ends the connection before any SIP arrived. */
static enum hs_outcome refusal_kind(const struct call *k, const struct conn *c, int err)
{
	bool tls_started = c->use_tls && c->tls.ssl;
	if (!k->conn_up && !tls_started && err != -EPROTO)
		return HS_CONNECT_FAILED;
	if (tls_started && c->tls.alert_out > 0 && c->tls.alert_in <= 0)
		return HS_WE_REFUSED;
	if (tls_started && c->tls.alert_in > 0)
		return HS_REFUSED_ALERT;
	if (err == -ECONNRESET || err == -EPIPE)
		return HS_REFUSED_RESET;
	return HS_REFUSED_CLOSE;
}

/* A call's own connection did not come up at destination dest: counted there, and a
 * refused TCP connection keeps the next calls away from it for a while. */
static void dest_refused(struct uac *u, unsigned dest, enum hs_outcome o)
{
	struct dest_result *d = uac_dest_result(u, dest);
	if (o == HS_CONNECT_FAILED) {
		if (d) {
			d->connect_failures++;
			d->went_down += u->dests[dest].down_until <= u->w->now;
		}
		u->dests[dest].down_until = u->w->now + DEST_RETRY_NS;
	} else if (d && o != HS_ACCEPTED && o != HS_UNDECIDED) {
		d->tls_failures++;
	}
}

/* A call's own connection failed or closed: before the handshake finished it is a
 * connect or handshake failure; a TLS error before any SIP arrived is the far end
 * refusing us after a TLS 1.3 handshake; later, a lost connection. */
static void per_conn_down(struct uac *u, struct conn *c, int err, const char *why)
{
	struct result *res = &u->w->res;
	struct call *k = conn_call(u, c);
	if (!k)
		return; /* our own close after the call ended */
	k->own_conn = false; /* it is gone already */
	bool before_sip = !k->got_sip;
	if (before_sip && (err || !k->conn_up || u->expect_refusal)) {
		enum hs_outcome o = refusal_kind(k, c, err);
		uac_count_outcome(u, k, o);
		struct scn_dest_view dv = scn_dest(u->scn, k->dest);
		char hp[300];
		if (o == HS_CONNECT_FAILED && ++u->connect_failures == 1 && !res->could_not_run_why[0])
			snprintf(res->could_not_run_why, sizeof(res->could_not_run_why), "%.130s: %.120s",
				 tl_hostport_text(dv.host, dv.port, hp, sizeof(hp)), why);
		dest_refused(u, k->dest, o);
		if (k->conn_up && c->use_tls && o != HS_CONNECT_FAILED)
			worker_tls_refused_late(u->w, c);
		if (u->expect_refusal && o >= HS_REFUSED_ALERT && o <= HS_REFUSED_CLOSE) {
			uac_call_done(u, k); /* refused, as the negative test wants */
			return;
		}
		static const char *const reasons[HS_OUTCOMES] = {
			"handshake_accepted", "tls_rejected", "tls_reset", "tls_closed",
			"tls_handshake_timeout", "tls_peer_untrusted", "connect_failed",
		};
		uac_call_fail(u, k, reasons[o], false);
		return;
	}
	const char *reason = "connection_lost";
	if (err == -EBADMSG)
		reason = "bad_sip_from_peer";
	else if (!err && (atomic_load(u->w->stop) || u->closing))
		reason = "interrupted";
	uac_call_fail(u, k, reason, false);
}

void uac_conn_down(struct worker *w, struct conn *c, int err, const char *why)
{
	struct uac *u = w->role_arg;
	struct result *res = &w->res;
	if (c->role_index < 0)
		return;
	if (u->per_conn) {
		per_conn_down(u, c, err, why);
		return;
	}
	struct trunk *t = &u->trunks[c->role_index];
	bool stopping = atomic_load(w->stop) || u->closing;
	struct dest_result *d = uac_dest_result(u, t->dest);
	struct scn_dest_view dv = scn_dest(u->scn, t->dest);
	char hp[300];
	/* TLS 1.3: the server's verdict on our certificate arrives after our
	 * handshake finished, on the first read */
	bool refused_late = err == -EPROTO && t->up && !t->got_sip && c->use_tls;
	if (refused_late)
		worker_tls_refused_late(w, c);
	if (d && (!t->up || refused_late))
		*(err == -EPROTO ? &d->tls_failures : &d->connect_failures) += 1;
	if (!t->ever_up && !u->started) {
		u->n_settled++;
		if (err != -EPROTO && !res->could_not_run_why[0])
			snprintf(res->could_not_run_why, sizeof(res->could_not_run_why), "%.130s: %.120s",
				 tl_hostport_text(dv.host, dv.port, hp, sizeof(hp)), why);
		/* one destination of several down: the calls go to the others (the report
		 * says so); none up at all is seen when the schedule starts */
		if (err != -EPROTO && !res->could_not_run && u->n_dests == 1)
			res->could_not_run = err ? err : -ECONNRESET;
	}
	uac_trunk_state(u, t, false, t->in_service);
	t->open = false;
	for (uint32_t i = 0; i < u->slots.used; i++) {
		struct call *k = &u->calls[i];
		if (k->active && k->conn_slot == c->slot && k->conn_gen == c->gen)
			uac_call_fail(u, k, stopping && !err ? "interrupted" :
					err == -EPROTO ? "tls_error" :
					err == -EBADMSG ? "bad_sip_from_peer" : "connection_lost", false);
	}
	if (u->started && !u->sched_done && !stopping)
		uac_trunk_retry(u, (unsigned)c->role_index);
}

void uac_trunk_retry(struct uac *u, unsigned trunk)
{
	if (worker_timer(u->w, clock_mono_ns() + NS_PER_S, trunk, 0, T_RECONNECT)) {
		/* without a reconnect the trunk would carry nothing more: stop here, say why */
		snprintf(u->w->res.aborted, sizeof(u->w->res.aborted),
			 "out of memory: trunk connection %u could not be reconnected", trunk);
		u->sched_done = true;
	}
}

void uac_trunk_reconnect(struct uac *u, uint32_t trunk)
{
	struct trunk *t = &u->trunks[trunk];
	if (!t->open && !u->sched_done)
		uac_open_trunk(u, t);
}

/* The timers of a call's own connection. */
void uac_conn_timer(struct uac *u, struct call *k, enum timer_kind kind)
{
	switch (kind) {
	case T_HANDSHAKE: /* our connection is still not up */
		uac_count_outcome(u, k, HS_TIMEOUT);
		uac_call_fail(u, k, "tls_handshake_timeout", false);
		break;
	case T_IDLE_HOLD: /* held idle as long as asked: the call is done */
		uac_call_done(u, k);
		break;
	case T_HOLD: /* nobody refused us: the negative test failed */
		uac_count_outcome(u, k, HS_ACCEPTED);
		uac_call_fail(u, k, "handshake_accepted", false);
		break;
	default:
		break;
	}
}
