/* transport.options_ping_s: each trunk connection sends OPTIONS at that interval, as
 * CUCM's SIP profile pings a trunk's destinations. No answer within the timeout, or 408
 * or 503, takes the connection out of service (no call is placed on it, an event in
 * the report); any other final answer to a later ping brings it back. A connection
 * that is out of service stays so across a reconnect until a ping is answered. */
#include "uac_call.h"
#include "net_addr.h"
#include "clock.h"
#include "sip_build.h"
#include <stdio.h>
#include <string.h>

#define PING_TIMEOUT_NS (5 * NS_PER_S) /* or the interval, when that is shorter */

static uint64_t interval_ns(const struct uac *u)
{
	return (uint64_t)u->scn->options_ping_s * NS_PER_S;
}

static uint64_t timeout_ns(const struct uac *u)
{
	uint64_t iv = interval_ns(u);
	return iv < PING_TIMEOUT_NS ? iv : PING_TIMEOUT_NS;
}

static uint32_t trunk_index(const struct uac *u, const struct trunk *t)
{
	return (uint32_t)(t - u->trunks);
}

/* "<run>-<worker>-p<trunk>-<seq>@trunkload": not a call's (those have no "p") */
static void ping_call_id(const struct uac *u, const struct trunk *t, char *out, size_t cap)
{
	struct tl_sb b = tl_sb_init(out, cap);
	tl_sb_cstr(&b, u->cfg.run_id);
	tl_sb_put(&b, "-", 1);
	tl_sb_hex(&b, u->cfg.worker_id, 1);
	tl_sb_put(&b, "-p", 2);
	tl_sb_hex(&b, trunk_index(u, t), 1);
	tl_sb_put(&b, "-", 1);
	tl_sb_hex(&b, t->ping_seq, 1);
	tl_sb_put(&b, "@trunkload", 10);
}

static void arm(struct uac *u, struct trunk *t, uint64_t at)
{
	/* out of memory for a timer: this connection is pinged no more, nothing else stops */
	(void)worker_timer(u->w, at, trunk_index(u, t), t->ping_seq, T_PING);
}

/* OPTIONS sip:HOST:PORT outside any dialog, From us, To the destination. */
static void send_ping(struct uac *u, struct trunk *t, struct conn *c)
{
	struct scn_dest_view d = scn_dest(u->scn, t->dest);
	char call_id[96], branch[8 + 96], ruri[320], to[300], from[300], tag[12];
	ping_call_id(u, t, call_id, sizeof(call_id));
	snprintf(branch, sizeof(branch), "z9hG4bK-%s", call_id);
	*strchr(branch, '@') = '\0';
	char hostport[280];
	snprintf(to, sizeof(to), "sip:%s", tl_hostport_text(d.host, d.port, hostport, sizeof(hostport)));
	snprintf(ruri, sizeof(ruri), "%s;transport=%s", to, c->use_tls ? "tls" : "tcp");
	snprintf(from, sizeof(from), "sip:trunkload@%s", c->local_hostport);
	uint32_t rnd = 0;
	(void)rand_pool_get(&u->w->rand, &rnd, sizeof(rnd));
	struct tl_sb b = tl_sb_init(tag, sizeof(tag));
	tl_sb_hex(&b, rnd, 8);
	struct sip_request r = {
		.method = SIP_OPTIONS, .ruri = tl_str_c(ruri),
		.transport = c->use_tls ? TL_STR("TLS") : TL_STR("TCP"),
		.sent_by = tl_str_c(c->local_hostport), .branch = tl_str_c(branch),
		.from_uri = tl_str_c(from), .from_tag = tl_str_c(tag), .to_uri = tl_str_c(to),
		.call_id = tl_str_c(call_id), .cseq = t->ping_seq,
		.headers = TL_STR("Accept: application/sdp\r\n"),
	};
	char *p = worker_out_reserve(u->w, c, 2048);
	int n = p ? sip_build_request(p, 2048, &r) : -1;
	if (n < 0)
		return; /* no room now: the next ping will try */
	worker_out_commit(u->w, c, (size_t)n);
	u->w->res.keepalive.pings++;
	t->ping_out = true;
	t->ping_sent = u->w->now;
}

static double since_start_s(const struct uac *u)
{
	return u->t0 && u->w->now > u->t0 ? (double)(u->w->now - u->t0) / 1e9 : 0;
}

static void out_of_service(struct uac *u, struct trunk *t, const char *reason)
{
	u->w->res.keepalive.failed++;
	if (!t->in_service)
		return;
	uac_trunk_state(u, t, t->up, false);
	struct oos_event *e = result_oos_add(&u->w->res);
	t->oos_event = e ? (int)(e - u->w->res.keepalive.events) : -1;
	if (!e)
		return;
	struct scn_dest_view d = scn_dest(u->scn, t->dest);
	e->at_s = since_start_s(u);
	e->worker = u->cfg.worker_id;
	e->trunk = trunk_index(u, t);
	char hp[300];
	snprintf(e->where, sizeof(e->where), "%.60s", tl_hostport_text(d.host, d.port, hp, sizeof(hp)));
	snprintf(e->reason, sizeof(e->reason), "%s", reason);
}

static void in_service(struct uac *u, struct trunk *t)
{
	if (t->in_service)
		return;
	uac_trunk_state(u, t, t->up, true);
	if (t->oos_event >= 0)
		u->w->res.keepalive.events[t->oos_event].back_s = since_start_s(u);
	t->oos_event = -1;
}

void uac_ping_start(struct uac *u, struct trunk *t)
{
	if (!u->scn->options_ping_s)
		return;
	t->ping_out = false;
	t->next_ping = u->w->now;
	t->ping_seq++;
	arm(u, t, u->w->now);
}

void uac_ping_timer(struct uac *u, uint32_t trunk, uint32_t seq)
{
	if (trunk >= u->n_trunks)
		return;
	struct trunk *t = &u->trunks[trunk];
	struct conn *c = t->up ? worker_conn(u->w, t->slot, t->gen) : NULL;
	if (seq != t->ping_seq || !c || c->state != CONN_UP || u->closing)
		return; /* a timer of an earlier connection, or the end */
	uint64_t now = u->w->now;
	if (t->ping_out && now >= t->ping_sent + timeout_ns(u)) {
		t->ping_out = false;
		out_of_service(u, t, "timeout");
	}
	if (!t->ping_out && now >= t->next_ping) {
		t->ping_seq++;
		t->next_ping = now + interval_ns(u);
		send_ping(u, t, c);
	}
	arm(u, t, t->ping_out && t->ping_sent + timeout_ns(u) < t->next_ping ?
			  t->ping_sent + timeout_ns(u) : t->next_ping);
}

/* The trunk and ping number a Call-ID of ours names, false when it names no ping. */
static bool parse_ping_id(const struct uac *u, struct tl_str id, uint32_t *trunk, uint32_t *seq)
{
	char prefix[40];
	int n = snprintf(prefix, sizeof(prefix), "%s-%x-p", u->cfg.run_id, u->cfg.worker_id);
	if (n < 0 || id.len <= (size_t)n || memcmp(id.p, prefix, (size_t)n))
		return false;
	unsigned long v[2] = { 0, 0 };
	const char *p = id.p + n, *end = id.p + id.len;
	for (int i = 0; i < 2; i++) {
		const char *start = p;
		while (p < end && ((*p >= '0' && *p <= '9') || (*p >= 'a' && *p <= 'f'))) {
			v[i] = v[i] * 16 + (unsigned long)(*p <= '9' ? *p - '0' : *p - 'a' + 10);
			p++;
		}
		if (p == start || p - start > 8 || p >= end || *p != (i ? '@' : '-'))
			return false;
		p++;
	}
	*trunk = (uint32_t)v[0];
	*seq = (uint32_t)v[1];
	return true;
}

bool uac_ping_response(struct uac *u, struct conn *c, const struct sip_msg *m)
{
	uint32_t i, seq;
	if (m->cseq_method != SIP_OPTIONS || !parse_ping_id(u, m->call_id, &i, &seq))
		return false;
	if (m->status < 200 || i >= u->n_trunks)
		return true;
	struct trunk *t = &u->trunks[i];
	if (t->slot != c->slot || t->gen != c->gen || seq != t->ping_seq || !t->ping_out)
		return true; /* late: its timeout has been counted */
	t->ping_out = false;
	u->w->res.keepalive.answered++;
	if (m->status == 408 || m->status == 503) {
		char reason[24];
		snprintf(reason, sizeof(reason), "status_%d", m->status);
		out_of_service(u, t, reason);
	} else {
		in_service(u, t);
	}
	return true;
}
