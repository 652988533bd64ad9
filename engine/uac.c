#include "uac_call.h"
#include "load_schedule.h"
#include "clock.h"
#include "prefix_count.h"
#include <errno.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The destination of a connection of ours. */
static unsigned uac_conn_dest(const struct uac *u, const struct conn *c)
{
	if (c->role_index < 0)
		return 0;
	uint32_t i = (uint32_t)c->role_index;
	if (u->per_conn)
		return i < u->n_calls ? u->calls[i].dest : 0;
	return i < u->n_trunks ? u->trunks[i].dest : 0;
}

struct expand_vars uac_expand_vars(const struct uac *u, const struct call *k, const struct conn *c)
{
	const struct scenario *s = u->scn;
	struct scn_dest_view d = scn_dest(s, k ? k->dest : uac_conn_dest(u, c));
	return (struct expand_vars){
		.local_host = c->local_ip, .target_host = d.host, .target_port = d.port,
		.call_number = k ? k->number : 0, .call_id = k ? k->call_id : NULL,
		.shard = u->cfg.shard, .plan = &s->numbers, .table = u->cfg.numbers,
		.seed = u->cfg.seed,
	};
}

static void write_uris(char *from, size_t from_cap, char *to, size_t to_cap, char *ruri,
		       size_t ruri_cap, const struct scenario *s, const struct expand_vars *v)
{
	expand_template(from, from_cap, s->from, v);
	expand_template(to, to_cap, s->to, v);
	struct tl_sb b = tl_sb_init(ruri, ruri_cap); /* a cut URI ends in "..." */
	tl_sb_cstr(&b, to);
	if (!strstr(to, "transport=")) {
		tl_sb_cstr(&b, ";transport=");
		tl_sb_cstr(&b, s->transport == SCN_TLS ? "tls" : "tcp");
	}
	tl_sb_mark_cut(&b);
}

void uac_uris_prepare(struct uac *u, unsigned dest, const struct conn *c)
{
	struct uac_dest *d = &u->dests[dest];
	struct expand_vars v = uac_expand_vars(u, NULL, c);
	write_uris(d->from_uri, sizeof(d->from_uri), d->to_uri, sizeof(d->to_uri), d->ruri,
		   sizeof(d->ruri), u->scn, &v);
	d->uris_ready = true;
}

void uac_call_uris(struct uac *u, const struct call *k, const struct conn *c, struct call_uris *out)
{
	if (!u->uris_per_call) {
		const struct uac_dest *d = &u->dests[k->dest];
		*out = (struct call_uris){ .from = d->from_uri, .to = d->to_uri, .ruri = d->ruri };
		return;
	}
	struct expand_vars v = uac_expand_vars(u, k, c);
	write_uris(out->from_buf, sizeof(out->from_buf), out->to_buf, sizeof(out->to_buf),
		   out->ruri_buf, sizeof(out->ruri_buf), u->scn, &v);
	out->from = out->from_buf;
	out->to = out->to_buf;
	out->ruri = out->ruri_buf;
}

struct call *uac_call_by_id(struct uac *u, struct tl_str id)
{
	size_t plen = strlen(u->cfg.run_id);
	if (id.len <= plen + 1 || memcmp(id.p, u->cfg.run_id, plen) || id.p[plen] != '-')
		return NULL;
	/* "<run>-<worker>-<slot>-<gen>@..." in hex */
	unsigned long f[3];
	const char *p = id.p + plen + 1, *end = id.p + id.len;
	for (int i = 0; i < 3; i++) {
		unsigned long v = 0;
		const char *start = p;
		while (p < end && ((*p >= '0' && *p <= '9') || (*p >= 'a' && *p <= 'f'))) {
			v = v * 16 + (unsigned long)(*p <= '9' ? *p - '0' : *p - 'a' + 10);
			p++;
		}
		if (p == start || p - start > 8 || p >= end || *p != (i < 2 ? '-' : '@'))
			return NULL;
		f[i] = v;
		p++;
	}
	if (f[0] != u->cfg.worker_id || f[1] >= u->n_calls)
		return NULL;
	struct call *k = &u->calls[f[1]];
	return k->active && k->gen == f[2] ? k : NULL;
}

uint32_t uac_call_slot(const struct uac *u, const struct call *k)
{
	return (uint32_t)(k - u->calls);
}

struct conn *uac_call_conn(struct uac *u, struct call *k)
{
	struct conn *c = worker_conn(u->w, k->conn_slot, k->conn_gen);
	return c && c->state == CONN_UP ? c : NULL;
}

static struct ts_row *row_now(struct uac *u)
{
	return result_ts_row_at(&u->w->res, u->t0, u->w->now);
}

/* The load.stages stage a call scheduled at t_sched belongs to; NULL without stages. */
static struct stage_result *stage_of(struct uac *u, uint64_t t_sched)
{
	struct result *r = &u->w->res;
	if (!r->n_stages)
		return NULL;
	double t = t_sched > u->t0 ? (double)(t_sched - u->t0) / 1e9 : 0;
	return &r->stages[load_stage_at(u->scn, t)];
}

void uac_lat(struct uac *u, enum lat_interval i, uint64_t from)
{
	uint64_t now = u->w->now;
	uint64_t us = now > from ? (now - from) / 1000 : 0;
	hist_record(&u->w->res.lat[i], us);
	if (i == LAT_INVITE_TO_200) {
		hist_record(&u->sec_hist, us);
		struct stage_result *g = stage_of(u, from);
		if (g)
			hist_record(&g->invite_to_200, us);
	}
}

void uac_lat_invite_to_200(struct uac *u, const struct call *k)
{
	uac_lat(u, LAT_INVITE_TO_200, k->t_sched);
	struct dest_result *d = uac_dest_result(u, k->dest);
	if (d)
		hist_record(&d->invite_to_200, u->w->now > k->t_sched ? (u->w->now - k->t_sched) / 1000 : 0);
}

/* A negative test counts each attempt in exactly one outcome. */
void uac_count_outcome(struct uac *u, struct call *k, enum hs_outcome o)
{
	if (k && k->decided)
		return;
	if (k)
		k->decided = true;
	u->w->res.hs_outcome[o]++;
}

/* calls.by_to_prefix: the called number's first digits, when call.numbers plans them */
static void count_prefix(struct uac *u, struct call *k, bool failed)
{
	const struct scenario *s = u->scn;
	if (!s->numbers.n_cols || !k->dialog_ready)
		return;
	char prefix[PREFIX_MAX_LEN + 1];
	size_t n = prefix_of_uri(k->ss.dlg.remote_uri, s->numbers.prefix_digits, prefix, sizeof(prefix));
	prefix_table_add(&u->w->res.by_to_prefix, prefix, n, 1, failed);
}

static void call_release(struct uac *u, struct call *k)
{
	if (k->trace.t || k->trace.lost)
		uac_trace_end(u, k);
	if (u->expect_refusal)
		uac_count_outcome(u, k, HS_UNDECIDED);
	if (k->got_2xx && k->ss.over) /* a BYE ended the dialog: whose? */
		*(k->far_end_bye ? &u->w->res.ended_by_far_end : &u->w->res.ended_by_us) += 1;
	u->w->res.refreshes_by_us += k->ss.refreshes_by_us;
	u->w->res.refreshes_by_far_end += k->ss.refreshes_by_far_end;
	if (k->own_conn) { /* close_notify, then the socket */
		struct conn *c = worker_conn(u->w, k->conn_slot, k->conn_gen);
		if (c)
			worker_close(u->w, c);
	}
	if (k->has_media)
		media_close(&u->media, k->media_slot, &u->w->res);
	k->has_media = false;
	k->active = false;
	k->gen = (k->gen + 1) & 0xffffff;
	k->timer_seq++;
	slot_stack_put(&u->slots, uac_call_slot(u, k));
	u->active--;
}

/* A cancelled INVITE whose final response does not come within this is let go: RFC
 * 3261 waits 64 T1 (32 s), which would hold the end of a run against a far end that
 * stopped answering. */
#define CANCEL_WAIT_NS (4 * NS_PER_S)

void uac_call_fail(struct uac *u, struct call *k, const char *reason, bool clean_up)
{
	struct result *res = &u->w->res;
	if (k->cancelling) { /* counted when it failed: now it is only let go */
		call_release(u, k);
		return;
	}
	uac_trace_failed(u, k, reason);
	bool cancelled = false;
	if (clean_up && uac_call_conn(u, k)) {
		const char *why;
		if (k->got_2xx && !k->acked)
			uac_send_ack(u, k, false, NULL, &why);
		if (k->got_2xx && !k->ss.over)
			uac_send_request(u, k, SIP_BYE, false, NULL);
		if (k->invite_sent && !k->invite_final)
			cancelled = uac_send_request(u, k, SIP_CANCEL, false, NULL) == 0 && !k->got_2xx;
	}
	res->failed++;
	result_fail(res, reason);
	struct ts_row *row = row_now(u);
	if (row)
		row->failed++;
	struct stage_result *g = stage_of(u, k->t_sched);
	if (g)
		g->failed++;
	struct dest_result *d = uac_dest_result(u, k->dest);
	if (d) {
		d->failed++;
		reason_table_add(d->reasons, &d->n_reasons, DEST_MAX_REASONS, reason, 1);
	}
	count_prefix(u, k, true);
	if (!cancelled) {
		call_release(u, k);
		return;
	}
	/* the INVITE's final response is still to come (RFC 3261 9.1): it gets its ACK */
	k->cancelling = true;
	if (k->has_media)
		media_close(&u->media, k->media_slot, &u->w->res);
	k->has_media = false;
	uac_arm_kind(u, k, u->w->now + CANCEL_WAIT_NS, T_STEP);
}

void uac_cancelled_response(struct uac *u, struct call *k, const struct sip_msg *m)
{
	if (m->status < 200)
		return;
	if (m->cseq_method == SIP_INVITE && m->status >= 300) {
		k->invite_final = true;
		uac_send_error_ack(u, k, m);
		call_release(u, k);
		return;
	}
	if (m->cseq_method == SIP_INVITE && !k->got_2xx) { /* it crossed our CANCEL */
		const char *why;
		k->invite_final = true;
		if (dialog_uac_confirm(&k->ss.dlg, m)) {
			call_release(u, k);
			return;
		}
		k->got_2xx = true;
		uac_send_ack(u, k, false, NULL, &why);
		if (uac_send_request(u, k, SIP_BYE, false, NULL))
			call_release(u, k);
		return;
	}
	if (m->cseq_method == SIP_BYE) /* the end of the call we did not want */
		call_release(u, k);
}

void uac_call_done(struct uac *u, struct call *k)
{
	u->w->res.completed++;
	if (k->t_sched >= u->t0 + (uint64_t)(u->scn->ramp_s * 1e9))
		u->w->res.steady_completed++;
	struct ts_row *row = row_now(u);
	if (row)
		row->completed++;
	struct stage_result *g = stage_of(u, k->t_sched);
	if (g)
		g->completed++;
	struct dest_result *d = uac_dest_result(u, k->dest);
	if (d)
		d->completed++;
	count_prefix(u, k, false);
	call_release(u, k);
}

/* Arms the call's one timer: a call whose timer cannot be armed would never end,
 * so it fails. */
void uac_arm_kind(struct uac *u, struct call *k, uint64_t at, enum timer_kind kind)
{
	k->timer_seq++;
	if (worker_timer(u->w, at, uac_call_slot(u, k), k->timer_seq, kind))
		uac_call_fail(u, k, "out_of_memory", true);
}

void uac_call_start(struct uac *u, uint64_t t_sched)
{
	struct result *res = &u->w->res;
	res->attempted++;
	uint64_t lag_us = (u->w->now - t_sched) / 1000;
	hist_record(&res->tester.schedule_lag, lag_us);
	if (lag_us > u->sec_lag_us)
		u->sec_lag_us = lag_us;
	struct ts_row *row = row_now(u);
	if (row)
		row->started++;
	struct stage_result *g = stage_of(u, t_sched);
	if (g)
		g->started++;
	if (!u->slots.n_free) {
		/* the cap is reported, never a silent change of rate */
		if (u->expect_refusal)
			uac_count_outcome(u, NULL, HS_UNDECIDED);
		res->concurrency_cap_hits++;
		res->failed++;
		result_fail(res, "concurrency_cap");
		if (row)
			row->failed++;
		if (g)
			g->failed++;
		return;
	}
	struct trunk *t = NULL;
	unsigned dest = u->per_conn ? uac_pick_dest(u) : 0;
	struct conn *c = u->per_conn ? worker_connect(u->w, (const struct sockaddr *)&u->cfg.targets[dest],
						      u->cfg.target_lens[dest], u->dests[dest].verify_name)
				     : uac_pick_trunk(u, &t);
	if (c && !u->per_conn)
		dest = t->dest;
	struct dest_result *d = uac_dest_result(u, dest);
	if (d && c)
		d->calls++;
	if (!c) { /* a local failure: connecting itself goes on in the ring */
		const char *why = !u->per_conn ? "no_connection" :
				  errno == EMFILE || errno == ENFILE ? "no_file_descriptors" : "connect_failed";
		if (u->expect_refusal)
			uac_count_outcome(u, NULL, HS_UNDECIDED);
		res->failed++;
		result_fail(res, why);
		if (d && u->per_conn) { /* placed on it, and failed there */
			d->calls++;
			d->failed++;
			reason_table_add(d->reasons, &d->n_reasons, DEST_MAX_REASONS, why, 1);
		}
		if (row)
			row->failed++;
		if (g)
			g->failed++;
		return;
	}
	uint32_t slot;
	slot_stack_take(&u->slots, &slot); /* a fresh slot is zero: calloc'ed */
	struct call *k = &u->calls[slot];
	uint32_t gen = k->gen, seq = k->timer_seq, st_seq = k->st_seq;
	memset(k, 0, offsetof(struct call, ss));
	ua_init(&k->ss, true, u->scn->session_timer.method);
	k->ss.neg.key_lifetime = u->scn->key_lifetime;
	k->dialog_ready = k->far_end_bye = k->has_media = k->own_conn = k->conn_up = k->got_sip =
		k->decided = false;
	k->gen = gen;
	k->timer_seq = seq;
	k->st_seq = st_seq;
	k->active = true;
	k->conn_slot = c->slot;
	k->conn_gen = c->gen;
	k->dest = (uint8_t)dest;
	k->t_sched = t_sched;
	k->number = u->k * (u->cfg.shards ? u->cfg.shards : 1) + u->cfg.shard;
	k->session_expires = u->scn->session_timer.expires_s;
	k->dir = (uint8_t)u->scn->direction;
	struct tl_sb b = tl_sb_init(k->call_id, sizeof(k->call_id));
	tl_sb_cstr(&b, u->cfg.run_id);
	tl_sb_put(&b, "-", 1);
	tl_sb_hex(&b, u->cfg.worker_id, 1);
	tl_sb_put(&b, "-", 1);
	tl_sb_hex(&b, uac_call_slot(u, k), 1);
	tl_sb_put(&b, "-", 1);
	tl_sb_hex(&b, k->gen, 1);
	tl_sb_put(&b, "@trunkload", 10);
	uint32_t rnd;
	(void)rand_pool_get(&u->w->rand, &rnd, sizeof(rnd));
	b = tl_sb_init(k->from_tag, sizeof(k->from_tag));
	tl_sb_hex(&b, rnd, 8);
	uac_trace_begin(u, k);
	if (++u->active > res->max_concurrent)
		res->max_concurrent = u->active;
	if (u->per_conn) { /* the flow starts once this call's own connection is up */
		k->own_conn = true;
		c->role_index = (int)uac_call_slot(u, k);
		uac_arm_kind(u, k, clock_mono_ns() + HANDSHAKE_TIMEOUT_NS, T_HANDSHAKE);
		return;
	}
	uac_call_advance(u, k);
}

/* Each timer to the part that armed it. */
static void uac_timer(struct worker *w, const struct timer_entry *t)
{
	struct uac *u = w->role_arg;
	if (t->kind == T_RECONNECT) {
		uac_trunk_reconnect(u, t->slot);
		return;
	}
	if (t->kind == T_PING) {
		uac_ping_timer(u, t->slot, t->seq);
		return;
	}
	if (t->kind == T_STARTUP || t->slot >= u->n_calls)
		return;
	struct call *k = &u->calls[t->slot];
	if (t->kind == T_SESSION) {
		uac_session_deadline(u, k, t->seq);
		return;
	}
	if (!k->active || k->timer_seq != t->seq)
		return;
	if (k->cancelling) /* no final response to the cancelled INVITE: let it go */
		call_release(u, k);
	else if (t->kind == T_STEP)
		uac_flow_timer(u, k);
	else if (t->kind == T_GLARE)
		uac_glare_timer(u, k);
	else
		uac_conn_timer(u, k, (enum timer_kind)t->kind);
}

static uint64_t uac_tick(struct worker *w, uint64_t now)
{
	struct uac *u = w->role_arg;
	uint64_t next = uac_schedule_tick(w, now);
	uint64_t media = u->media_on ? media_tick(&u->media, now) : 0;
	w->media_timing = u->media_on && media_streams_open(&u->media);
	return next && media ? (next < media ? next : media) : (next ? next : media);
}

static void uac_ring_cqe(struct worker *w, uint64_t tag, int res, unsigned flags)
{
	struct uac *u = w->role_arg;
	if (u->media_on) /* without media its buffers are gone too */
		media_cqe(&u->media, tag, res, flags);
}

static bool uac_finished(struct worker *w)
{
	struct uac *u = w->role_arg;
	return u->closing;
}

const struct worker_role uac_role = {
	.conn_up = uac_conn_up,
	.conn_msg = uac_conn_msg,
	.conn_down = uac_conn_down,
	.timer = uac_timer,
	.tick = uac_tick,
	.finished = uac_finished,
	.ring_cqe = uac_ring_cqe,
};

/* The expect steps' header patterns, once per worker: regexec on one regex_t from
 * several threads would serialise them on its lock. */
static int compile_checks(struct uac *u)
{
	const struct scenario *s = u->scn;
	if (!s->n_header_checks)
		return 0;
	u->checks = calloc(s->n_header_checks, sizeof(*u->checks));
	if (!u->checks)
		return -ENOMEM;
	for (unsigned i = 0; i < s->n_header_checks; i++)
		if (regcomp(&u->checks[i], s->header_checks[i].pattern, REG_EXTENDED | REG_NOSUB)) {
			while (i--)
				regfree(&u->checks[i]);
			free(u->checks);
			u->checks = NULL;
			return -EINVAL; /* the loader compiled it: only memory can fail here */
		}
	return 0;
}

struct uac *uac_new(struct worker *w, const struct uac_config *cfg)
{
	struct uac *u = calloc(1, sizeof(*u));
	if (!u)
		return NULL;
	u->w = w;
	u->cfg = *cfg;
	u->traces = (struct trace_book){ .plan = cfg->trace, .res = &w->res, .who = "trunkload" };
	u->scn = cfg->scn;
	u->k = cfg->worker_id;
	u->n_dests = scn_n_dests(u->scn);
	uint32_t weights[DEST_MAX];
	uint16_t priorities[DEST_MAX];
	for (unsigned i = 0; i < u->n_dests; i++) {
		struct scn_dest_view d = scn_dest(u->scn, i);
		snprintf(u->dests[i].verify_name, sizeof(u->dests[i].verify_name), "%s", d.server_name);
		weights[i] = d.weight;
		priorities[i] = d.priority;
	}
	dest_picker_init(&u->picker, u->scn->distribution, u->n_dests, weights, priorities);
	u->expect_refusal = u->scn->expect_handshake == SCN_HS_REJECTED;
	u->per_conn = scn_conn_per_call(u->scn);
	u->n_trunks = u->per_conn ? 0 : (cfg->connections ? cfg->connections : 1) * u->n_dests;
	u->n_calls = cfg->max_calls ? cfg->max_calls : 1;
	u->trunks = calloc(u->n_trunks + 1, sizeof(*u->trunks));
	u->calls = calloc(u->n_calls, sizeof(*u->calls));
	if (!u->trunks || !u->calls || slot_stack_init(&u->slots, u->n_calls) ||
	    ((u->n_dests > 1 || u->scn->resolve == SCN_RESOLVE_SRV) &&
	     result_dests_reserve(&w->res, u->n_dests))) {
		uac_free(u);
		return NULL;
	}
	for (unsigned i = 0; i < u->n_trunks; i++) {
		u->trunks[i].dest = (uint8_t)(i % u->n_dests);
		u->trunks[i].in_service = true;
		u->trunks[i].oos_event = -1;
	}
	hist_init(&u->sec_hist);
	u->uris_per_call = scn_uris_per_call(u->scn);
	if (compile_checks(u)) {
		uac_free(u);
		return NULL;
	}
	u->media_on = scn_has_media(u->scn);
	if (cfg->list_keys && u->media_on && result_keys_reserve(&w->res, cfg->list_keys)) {
		uac_free(u);
		return NULL;
	}
	if (u->media_on && media_pool_init(&u->media, &w->ring, &w->res, u->n_calls,
					   cfg->media_port_lo, cfg->media_port_hi, u->scn->shared_media_ports)) {
		uac_free(u);
		return NULL;
	}
	u->media.capture = w->capture;
	w->role = &uac_role;
	w->role_arg = u;
	/* expiry nearer than this is worth a warning: the scenario's minimum, else 30 days */
	w->peer_warn_days = u->scn->expect_min_days_valid >= 0 ? u->scn->expect_min_days_valid : 30;
	u->t_startup = clock_mono_ns();
	/* without room for them, the stages' figures are left out, the calls not */
	if (u->scn->n_stages)
		result_stages_reserve(&w->res, u->scn->n_stages);
	/* the wall clock read once: the schedule runs on the monotonic one */
	if (cfg->start_at > 0) {
		double ahead_s = cfg->start_at - clock_wall_s();
		u->start_mono = ahead_s > 0 ? u->t_startup + (uint64_t)(ahead_s * 1e9) : u->t_startup;
	}
	for (unsigned i = 0; i < u->n_trunks; i++) {
		uac_open_trunk(u, &u->trunks[i]);
		if (!u->trunks[i].open)
			u->n_settled++;
	}
	return u;
}

void uac_finish(struct uac *u)
{
	for (uint32_t i = 0; i < u->slots.used; i++)
		if (u->calls[i].active)
			uac_call_fail(u, &u->calls[i], "interrupted", false);
	if (!u->w->res.steady_window_s && u->t0)
		uac_steady_window(u);
	if (!u->w->res.elapsed_s && u->t0)
		u->w->res.elapsed_s = (double)(clock_mono_ns() - u->t0) / 1e9;
	if (u->t0)
		uac_second_rollover(u, clock_mono_ns() + NS_PER_S);
}

void uac_free(struct uac *u)
{
	if (!u)
		return;
	if (u->media.s)
		media_pool_free(&u->media);
	for (unsigned i = 0; u->checks && i < u->scn->n_header_checks; i++)
		regfree(&u->checks[i]);
	free(u->checks);
	trace_book_free(&u->traces);
	free(u->trunks);
	free(u->calls);
	slot_stack_free(&u->slots);
	free(u);
}
