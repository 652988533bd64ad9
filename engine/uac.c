#include "uac.h"
#include "clock.h"
#include "media.h"
#include "ua_session.h"
#include <arpa/inet.h>
#include "sdp.h"
#include "sip_build.h"
#include <errno.h>
#include <stddef.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum timer_kind { T_STEP = 1, T_RECONNECT, T_STARTUP, T_HANDSHAKE, T_HOLD, T_IDLE_HOLD, T_SESSION };

/* A connection of our own that is not up by then has timed out; an accepted one is
 * held this long for a TLS 1.3 refusal, which comes after our handshake finished. */
#define HANDSHAKE_TIMEOUT_NS (10 * NS_PER_S)
#define REFUSAL_WAIT_NS (1 * NS_PER_S)

#define STARTUP_TIMEOUT_NS (10 * NS_PER_S)

struct call {
	uint32_t gen, timer_seq;
	uint32_t st_seq;      /* the session timer's own sequence */
	bool active;
	uint8_t step;
	uint32_t conn_slot, conn_gen;
	uint64_t t_sched, t_invite, t_request; /* t_request: the last BYE or OPTIONS sent */
	uint32_t invite_cseq, last_cseq, txn;
	enum sip_method last_method;
	bool invite_sent, invite_final, got_2xx, acked, bye_sent, seen_100, seen_180;
	bool retried_422;     /* the INVITE went again once with the far end's Min-SE */
	uint32_t session_expires; /* what our INVITE asks for (0: no session timer) */
	char call_id[64], from_tag[20];
	char branch_invite[64], branch_last[64];
	struct ua_session ss; /* the dialog, the offer/answer and the session timer */
	bool dialog_ready;    /* ss.dlg holds our side (set at the first request) */
	bool far_end_bye;     /* the far end's BYE ended the dialog, not ours */
	bool has_media;
	uint32_t media_slot;
	uint16_t media_port;
	bool own_conn, conn_up, got_sip; /* per_call and handshake modes: the call's connection */
	bool decided;         /* a negative test: this attempt's outcome is counted */
};

struct trunk {
	uint32_t slot, gen;
	bool open, up, ever_up, got_sip;
};

struct uac {
	struct worker *w;
	struct uac_config cfg;
	const struct scenario *scn;
	char host_port[300];
	char verify_name[256];
	struct trunk *trunks;
	unsigned n_trunks, n_settled, rr;
	struct call *calls;
	uint32_t n_calls, *free_calls, n_free, active;
	bool started, sched_done, closing;
	uint64_t t0, t_startup;
	uint64_t k; /* global index of the next call this worker starts */
	uint64_t last_sched; /* scheduled start of the latest call started */
	int last_sec;
	struct hist sec_hist;
	char from_uri[300], to_uri[300], ruri[320];
	bool uris_ready;
	struct media_pool media;
	bool media_on;        /* the flow has a media phase: calls get RTP sockets */
	bool per_conn;        /* per_call or handshake mode: a connection per call */
	bool expect_refusal;  /* tls.expect_handshake "rejected": each call is one attempt */
	uint64_t connect_failures;
};

/* ---- schedule ---------------------------------------------------------- */

/* Seconds from the start at which global call k is due: linear ramp to `rate`
 * over ramp_s, then constant. */
static double call_offset_s(const struct scenario *s, uint64_t k)
{
	double ramp_calls = s->rate * s->ramp_s / 2.0;
	if (s->ramp_s > 0 && (double)k < ramp_calls)
		return sqrt(2.0 * s->ramp_s * (double)k / s->rate);
	return s->ramp_s + ((double)k - (s->ramp_s > 0 ? ramp_calls : 0)) / s->rate;
}

static bool schedule_over(const struct uac *u, uint64_t k)
{
	const struct scenario *s = u->scn;
	if (s->calls && k >= s->calls)
		return true;
	if (s->duration_s > 0 && call_offset_s(s, k) >= s->duration_s)
		return true;
	return false;
}

/* ---- helpers ----------------------------------------------------------- */

static struct tl_str S(const char *p)
{
	return tl_str_c(p);
}

static void expand(char *out, size_t cap, const char *tpl, const char *local,
		   const char *host, unsigned port)
{
	struct tl_sb b = tl_sb_init(out, cap);
	while (*tpl) {
		if (!strncmp(tpl, "{local_host}", 12)) {
			tl_sb_cstr(&b, local);
			tpl += 12;
		} else if (!strncmp(tpl, "{target_host}", 13)) {
			tl_sb_cstr(&b, host);
			tpl += 13;
		} else if (!strncmp(tpl, "{target_port}", 13)) {
			tl_sb_uint(&b, port);
			tpl += 13;
		} else {
			tl_sb_put(&b, tpl++, 1);
		}
	}
}

static void uris_prepare(struct uac *u, const struct conn *c)
{
	const struct scenario *s = u->scn;
	char local[64];
	snprintf(local, sizeof(local), "%s:%u", c->local_ip, c->local_port);
	expand(u->from_uri, sizeof(u->from_uri), s->from, c->local_ip, s->host, s->port);
	expand(u->to_uri, sizeof(u->to_uri), s->to, c->local_ip, s->host, s->port);
	const char *tp = s->transport == SCN_TLS ? "tls" : "tcp";
	if (strstr(u->to_uri, "transport="))
		snprintf(u->ruri, sizeof(u->ruri), "%s", u->to_uri);
	else
		snprintf(u->ruri, sizeof(u->ruri), "%s;transport=%s", u->to_uri, tp);
	u->uris_ready = true;
}

static struct call *call_by_id(struct uac *u, struct tl_str id)
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

static uint32_t call_slot(const struct uac *u, const struct call *k)
{
	return (uint32_t)(k - u->calls);
}

static struct conn *call_conn(struct uac *u, struct call *k)
{
	struct conn *c = worker_conn(u->w, k->conn_slot, k->conn_gen);
	return c && c->state == CONN_UP ? c : NULL;
}

static struct ts_row *row_now(struct uac *u)
{
	uint64_t now = u->w->now > u->t0 ? u->w->now - u->t0 : 0;
	return result_ts_row(&u->w->res, (unsigned)(now / NS_PER_S));
}

static void lat(struct uac *u, enum lat_interval i, uint64_t from)
{
	uint64_t now = u->w->now;
	uint64_t us = now > from ? (now - from) / 1000 : 0;
	hist_record(&u->w->res.lat[i], us);
	if (i == LAT_INVITE_TO_200)
		hist_record(&u->sec_hist, us);
}

/* ---- sending ----------------------------------------------------------- */

static void new_branch(struct uac *u, struct call *k, char *out, size_t cap)
{
	struct tl_sb b = tl_sb_init(out, cap);
	tl_sb_put(&b, "z9hG4bK-", 8);
	tl_sb_cstr(&b, u->cfg.run_id);
	tl_sb_put(&b, "-", 1);
	tl_sb_hex(&b, call_slot(u, k), 1);
	tl_sb_put(&b, "-", 1);
	tl_sb_hex(&b, k->gen, 1);
	tl_sb_put(&b, "-", 1);
	tl_sb_hex(&b, ++k->txn, 1);
}

static int send_msg(struct uac *u, struct conn *c, const struct sip_request *r)
{
	size_t need = 2048 + r->body.len + r->headers.len;
	for (int attempt = 0; attempt < 2; attempt++) {
		char *p = worker_out_reserve(u->w, c, need);
		if (!p)
			return -ENOMEM;
		int n = sip_build_request(p, need, r);
		if (n >= 0) {
			worker_out_commit(u->w, c, (size_t)n);
			return 0;
		}
		need *= 4;
	}
	return -ENOSPC;
}

/* Contact: the user part of our From URI at the connection's local address. */
static void set_contact(char *buf, size_t cap, struct uac *u, struct conn *c)
{
	const char *user = "trunkload";
	int user_len = 9;
	const char *at = strchr(u->from_uri, '@');
	if (!strncmp(u->from_uri, "sip:", 4) && at && at - u->from_uri > 4) {
		user = u->from_uri + 4;
		user_len = (int)(at - user);
	}
	struct tl_sb b = tl_sb_init(buf, cap);
	tl_sb_put(&b, "sip:", 4);
	tl_sb_put(&b, user, (size_t)user_len);
	tl_sb_put(&b, "@", 1);
	tl_sb_cstr(&b, c->local_hostport);
	tl_sb_cstr(&b, u->scn->transport == SCN_TLS ? ";transport=tls" : ";transport=tcp");
}

/* What the call's session may send, and as whom. */
static struct ua_io call_io(struct uac *u, struct call *k, struct conn *c, char *contact, size_t cap)
{
	const struct scenario *s = u->scn;
	set_contact(contact, cap, u, c);
	return (struct ua_io){
		.w = u->w, .c = c, .contact = contact, .media_addr = c->local_ip,
		/* without a media phase no socket is opened and the stream is offered
		 * inactive, so the far end sends nothing either */
		.media = k->has_media, .media_port = k->has_media ? k->media_port : 9,
		.direction = scn_direction_name(s->direction), .ptime_ms = s->ptime_ms,
		.suites = s->suites, .n_suites = s->n_suites, .accept = s->suites, .n_accept = s->n_suites,
		.min_se_s = s->session_timer.expires_s ? s->session_timer.min_se_s : ST_RFC_MIN_SE,
	};
}

/* Our INVITE's RFC 4028 headers: we support timers and ask for an interval. */
static struct tl_str timer_headers(struct uac *u, struct call *k, char *buf, size_t cap)
{
	const struct scn_session_timer *t = &u->scn->session_timer;
	if (!k->session_expires)
		return (struct tl_str){ 0 };
	struct tl_sb b = tl_sb_init(buf, cap);
	TL_SB_LIT(&b, "Supported: timer\r\nSession-Expires: ");
	tl_sb_uint(&b, k->session_expires);
	if (t->refresher != ST_REFRESHER_NONE)
		tl_sb_cstr(&b, t->refresher == ST_REFRESHER_UAC ? ";refresher=uac" : ";refresher=uas");
	TL_SB_LIT(&b, "\r\nMin-SE: ");
	tl_sb_uint(&b, t->min_se_s < k->session_expires ? t->min_se_s : k->session_expires);
	TL_SB_LIT(&b, "\r\n");
	return (struct tl_str){ buf, b.n };
}

static int send_request(struct uac *u, struct call *k, enum sip_method m, bool offer)
{
	struct conn *c = call_conn(u, k);
	if (!c)
		return -ENOTCONN;
	char contact[400], body[2048], hdr[160];
	struct tl_str routes[DIALOG_MAX_ROUTES];
	struct sip_request r = { 0 };
	if (m == SIP_INVITE && u->media_on && !k->has_media) {
		/* the port our offer, or our answer to a delayed offer, names */
		uint16_t port = 0;
		int err = media_open(&u->media, c->local_ip, &k->media_slot, &port);
		if (err)
			return err == -EMFILE || err == -ENFILE ? -EMFILE : -EADDRINUSE;
		k->has_media = true;
		k->media_port = port;
	}
	if (!k->dialog_ready) { /* the URIs are known once a connection is up */
		dialog_uac_init(&k->ss.dlg, S(k->call_id), S(k->from_tag), S(u->from_uri),
				S(u->to_uri), S(u->ruri), 0);
		k->dialog_ready = true;
	}
	struct ua_io io = call_io(u, k, c, contact, sizeof(contact));
	dialog_request(&k->ss.dlg, &r, m, k->invite_cseq, routes);
	r.transport = u->scn->transport == SCN_TLS ? TL_STR("TLS") : TL_STR("TCP");
	r.sent_by = S(c->local_hostport);
	switch (m) {
	case SIP_INVITE:
		k->invite_cseq = r.cseq;
		new_branch(u, k, k->branch_invite, sizeof(k->branch_invite));
		r.branch = S(k->branch_invite);
		r.contact_uri = S(contact);
		if (!k->got_2xx)
			r.headers = timer_headers(u, k, hdr, sizeof(hdr));
		if (offer) {
			uint8_t rnd[SDES_MAX_KEY * NEG_MAX_LINES];
			(void)rand_pool_get(&u->w->rand, rnd, sizeof(rnd));
			neg_offer(&k->ss.neg, u->scn->suites, u->scn->n_suites, rnd, false);
			int n = ua_sdp(&k->ss, &io, body, sizeof(body));
			if (n < 0)
				return n;
			r.content_type = TL_STR("application/sdp");
			r.body = (struct tl_str){ body, (size_t)n };
		}
		k->invite_sent = true;
		k->invite_final = false;
		k->t_invite = u->w->now;
		break;
	case SIP_CANCEL: /* the INVITE's request line, To and branch (RFC 3261 9.1) */
		k->last_cseq = k->invite_cseq;
		r.ruri = S(u->ruri);
		r.to_tag = TL_STR("");
		r.route_count = 0;
		r.branch = S(k->branch_invite);
		break;
	default: /* BYE, OPTIONS */
		k->last_cseq = r.cseq;
		new_branch(u, k, k->branch_last, sizeof(k->branch_last));
		r.branch = S(k->branch_last);
		k->t_request = u->w->now;
		k->bye_sent |= m == SIP_BYE;
		k->ss.over |= m == SIP_BYE;
		break;
	}
	if (m != SIP_INVITE)
		k->last_method = m;
	return send_msg(u, c, &r);
}

/* The far end's media address, key and direction, once agreed, for our streams. */
static const char *media_from_neg(struct uac *u, struct call *k);

/* The ACK of the 2xx to our INVITE, with our answer when the flow says so and the
 * 2xx offered (a delayed offer); a retransmitted 2xx gets its ACK again. */
static int send_ack(struct uac *u, struct call *k, bool answer, const char **why)
{
	struct conn *c = call_conn(u, k);
	if (!c)
		return -ENOTCONN;
	char contact[400];
	struct ua_io io = call_io(u, k, c, contact, sizeof(contact));
	/* the offer is taken only when the flow's ACK answers it (on_response) */
	bool answering = k->ss.neg.state == NEG_REMOTE_OFFER;
	int err = ua_send_ack(&k->ss, &io, k->invite_cseq);
	k->acked = true;
	if (err)
		return err;
	if (answer && !answering) {
		*why = "sdp_no_offer_to_answer";
		return -ENOMSG;
	}
	if (answering && (*why = media_from_neg(u, k)))
		return -EPROTO;
	return 0;
}

/* ACK for a non-2xx final response: same transaction as the INVITE (RFC 3261 17.1.1.3). */
static void send_error_ack(struct uac *u, struct call *k, const struct sip_msg *m)
{
	struct conn *c = call_conn(u, k);
	if (!c)
		return;
	struct sip_request r = { 0 };
	struct tl_str routes[DIALOG_MAX_ROUTES];
	dialog_request(&k->ss.dlg, &r, SIP_ACK, k->invite_cseq, routes);
	r.transport = u->scn->transport == SCN_TLS ? TL_STR("TLS") : TL_STR("TCP");
	r.sent_by = S(c->local_hostport);
	r.ruri = S(u->ruri);
	r.to_tag = m->to_tag;
	r.route_count = 0;
	r.branch = S(k->branch_invite);
	send_msg(u, c, &r);
}

/* ---- call life --------------------------------------------------------- */

/* A negative test counts each attempt in exactly one outcome. */
static void count_outcome(struct uac *u, struct call *k, enum hs_outcome o)
{
	if (k && k->decided)
		return;
	if (k)
		k->decided = true;
	u->w->res.hs_outcome[o]++;
}

static void call_release(struct uac *u, struct call *k)
{
	if (u->expect_refusal)
		count_outcome(u, k, HS_UNDECIDED);
	if (k->got_2xx && k->ss.over) /* a BYE ended the dialog: whose? */
		*(k->far_end_bye ? &u->w->res.ended_by_far_end : &u->w->res.ended_by_us) += 1;
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
	u->free_calls[u->n_free++] = call_slot(u, k);
	u->active--;
}

static void call_fail(struct uac *u, struct call *k, const char *reason, bool clean_up)
{
	struct result *res = &u->w->res;
	if (clean_up && call_conn(u, k)) {
		const char *why;
		if (k->got_2xx && !k->acked)
			send_ack(u, k, false, &why);
		if (k->got_2xx && !k->ss.over)
			send_request(u, k, SIP_BYE, false);
		if (k->invite_sent && !k->invite_final)
			send_request(u, k, SIP_CANCEL, false);
	}
	res->failed++;
	result_fail(res, reason);
	struct ts_row *row = row_now(u);
	if (row)
		row->failed++;
	call_release(u, k);
}

static void call_done(struct uac *u, struct call *k)
{
	u->w->res.completed++;
	if (k->t_sched >= u->t0 + (uint64_t)(u->scn->ramp_s * 1e9))
		u->w->res.steady_completed++;
	struct ts_row *row = row_now(u);
	if (row)
		row->completed++;
	call_release(u, k);
}

/* Arms the call's one timer: a call whose timer cannot be armed would never end,
 * so it fails. */
static void arm_kind(struct uac *u, struct call *k, uint64_t at, enum timer_kind kind)
{
	k->timer_seq++;
	if (worker_timer(u->w, at, call_slot(u, k), k->timer_seq, kind))
		call_fail(u, k, "out_of_memory", true);
}

static void arm(struct uac *u, struct call *k, uint64_t at)
{
	arm_kind(u, k, at, T_STEP);
}

static void arm_expect(struct uac *u, struct call *k)
{
	const struct scenario *s = u->scn;
	unsigned i = k->step;
	while (i + 1 < s->n_flow && s->flow[i].optional && s->flow[i + 1].kind == FLOW_EXPECT)
		i++;
	arm(u, k, u->w->now + (uint64_t)s->flow[i].timeout_ms * NS_PER_MS);
}

static void call_advance(struct uac *u, struct call *k)
{
	const struct scenario *s = u->scn;
	while (k->active) {
		if (k->step >= s->n_flow) {
			call_done(u, k);
			return;
		}
		const struct flow_step *st = &s->flow[k->step];
		uint32_t ms;
		switch (st->kind) {
		case FLOW_SEND: {
			const char *why = NULL;
			int err = st->method == SIP_ACK ? send_ack(u, k, st->sdp_answer, &why) :
				  send_request(u, k, st->method, st->method == SIP_INVITE && st->sdp_offer);
			if (err) {
				call_fail(u, k, why ? why : err == -ENOTCONN ? "connection_lost" :
						err == -EADDRINUSE ? "media_ports_exhausted" :
						err == -EMFILE ? "no_file_descriptors" : "send_failed", why != NULL);
				return;
			}
			k->step++;
			break;
		}
		case FLOW_EXPECT:
			arm_expect(u, k);
			return;
		case FLOW_PAUSE:
		case FLOW_MEDIA:
			ms = st->ms;
			if (st->kind == FLOW_MEDIA && s->media_ms >= 0)
				ms = (uint32_t)s->media_ms;
			if (!ms) {
				k->step++;
				break;
			}
			if (st->kind == FLOW_MEDIA && k->has_media && k->ss.neg.agreed &&
			    s->direction != SCN_RECVONLY &&
			    media_start_tx(&u->media, k->media_slot, neg_our_key(&k->ss.neg), s->ptime_ms,
					   0, clock_mono_ns())) {
				call_fail(u, k, "srtp_setup_failed", true);
				return;
			}
			arm(u, k, u->w->now + (uint64_t)ms * NS_PER_MS);
			return;
		}
	}
}

static struct conn *pick_trunk(struct uac *u, struct trunk **out)
{
	for (unsigned n = 0; n < u->n_trunks; n++) {
		struct trunk *t = &u->trunks[u->rr++ % u->n_trunks];
		struct conn *c = t->up ? worker_conn(u->w, t->slot, t->gen) : NULL;
		if (c && c->state == CONN_UP) {
			*out = t;
			return c;
		}
	}
	return NULL;
}

static void call_start(struct uac *u, uint64_t t_sched)
{
	struct result *res = &u->w->res;
	res->attempted++;
	struct ts_row *row = row_now(u);
	if (row)
		row->started++;
	if (!u->n_free) {
		/* the cap is reported, never a silent change of rate */
		if (u->expect_refusal)
			count_outcome(u, NULL, HS_UNDECIDED);
		res->concurrency_cap_hits++;
		res->failed++;
		result_fail(res, "concurrency_cap");
		if (row)
			row->failed++;
		return;
	}
	struct trunk *t;
	struct conn *c = u->per_conn ? worker_connect(u->w, (const struct sockaddr *)&u->cfg.target,
						      u->cfg.target_len, u->verify_name)
				     : pick_trunk(u, &t);
	if (!c) { /* a local failure: connecting itself goes on in the ring */
		if (u->expect_refusal)
			count_outcome(u, NULL, HS_UNDECIDED);
		res->failed++;
		result_fail(res, !u->per_conn ? "no_connection" :
				 errno == EMFILE || errno == ENFILE ? "no_file_descriptors" : "connect_failed");
		if (row)
			row->failed++;
		return;
	}
	struct call *k = &u->calls[u->free_calls[--u->n_free]];
	uint32_t gen = k->gen, seq = k->timer_seq, st_seq = k->st_seq;
	memset(k, 0, offsetof(struct call, ss));
	ua_init(&k->ss, true, u->scn->session_timer.method);
	k->dialog_ready = k->far_end_bye = k->has_media = k->own_conn = k->conn_up = k->got_sip =
		k->decided = false;
	k->gen = gen;
	k->timer_seq = seq;
	k->st_seq = st_seq;
	k->active = true;
	k->conn_slot = c->slot;
	k->conn_gen = c->gen;
	k->t_sched = t_sched;
	k->session_expires = u->scn->session_timer.expires_s;
	struct tl_sb b = tl_sb_init(k->call_id, sizeof(k->call_id));
	tl_sb_cstr(&b, u->cfg.run_id);
	tl_sb_put(&b, "-", 1);
	tl_sb_hex(&b, u->cfg.worker_id, 1);
	tl_sb_put(&b, "-", 1);
	tl_sb_hex(&b, call_slot(u, k), 1);
	tl_sb_put(&b, "-", 1);
	tl_sb_hex(&b, k->gen, 1);
	tl_sb_put(&b, "@trunkload", 10);
	uint32_t rnd;
	(void)rand_pool_get(&u->w->rand, &rnd, sizeof(rnd));
	b = tl_sb_init(k->from_tag, sizeof(k->from_tag));
	tl_sb_hex(&b, rnd, 8);
	if (++u->active > res->max_concurrent)
		res->max_concurrent = u->active;
	if (u->per_conn) { /* the flow starts once this call's own connection is up */
		k->own_conn = true;
		c->role_index = (int)call_slot(u, k);
		arm_kind(u, k, clock_mono_ns() + HANDSHAKE_TIMEOUT_NS, T_HANDSHAKE);
		return;
	}
	call_advance(u, k);
}

/* ---- responses and the far end's requests -------------------------------- */

static void list_keys(struct uac *u, struct call *k, const struct sockaddr_in *to)
{
	struct result *res = &u->w->res;
	if (res->n_keys >= res->cap_keys)
		return;
	struct srtp_key_row *row = &res->keys[res->n_keys++];
	const struct sdes_crypto *ours = neg_our_key(&k->ss.neg), *theirs = &k->ss.neg.theirs;
	snprintf(row->call_id, sizeof(row->call_id), "%s", k->call_id);
	snprintf(row->suite, sizeof(row->suite), "%s", sdes_suite_name(ours->suite));
	int n = base64_encode(row->tx, sizeof(row->tx) - 1, ours->key, ours->key_len);
	row->tx[n > 0 ? n : 0] = 0;
	n = base64_encode(row->rx, sizeof(row->rx) - 1, theirs->key, theirs->key_len);
	row->rx[n > 0 ? n : 0] = 0;
	row->local_port = k->media_port;
	char ip[INET_ADDRSTRLEN];
	inet_ntop(AF_INET, &to->sin_addr, ip, sizeof(ip));
	snprintf(row->remote, sizeof(row->remote), "%s:%u", ip, ntohs(to->sin_port));
}

/* Points the call's streams at what the offer/answer agreed: the far end's address
 * and key (ours goes out at the media step). A failure reason, or NULL. */
static const char *media_from_neg(struct uac *u, struct call *k)
{
	const struct sdp_neg *n = &k->ss.neg;
	if (!k->has_media || !n->agreed)
		return NULL;
	struct sockaddr_in to = { .sin_family = AF_INET, .sin_port = htons(n->remote_port) };
	if (inet_pton(AF_INET, n->remote_addr, &to.sin_addr) != 1)
		return "sdp_bad_address";
	media_set_remote(&u->media, k->media_slot, &to);
	if (media_set_rx(&u->media, k->media_slot, &n->theirs))
		return "srtp_setup_failed";
	if (n->changed)
		list_keys(u, k, &to);
	media_expect_rx(&u->media, k->media_slot,
			u->scn->direction != SCN_SENDONLY && strcmp(n->direction, "sendonly") &&
				strcmp(n->direction, "inactive"));
	return NULL;
}

/* The SDP of the 2xx to our INVITE: the answer to our offer, or (a delayed offer)
 * the far end's offer, taken only when the flow's ACK answers it. */
static const char *take_2xx_sdp(struct uac *u, struct call *k, const struct sip_msg *m,
				const struct flow_step *ack)
{
	struct sdp_neg *n = &k->ss.neg;
	struct sdp_audio a;
	const char *why = NULL;
	if (n->state == NEG_LOCAL_OFFER) {
		if (!m->body.len)
			return "sdp_missing";
		if (sdp_parse(m->body.p, m->body.len, &a))
			return "sdp_malformed";
		if (neg_take_answer(n, &a, &why))
			return why ? why : "sdp_bad_crypto";
		return media_from_neg(u, k);
	}
	if (!ack || !ack->sdp_answer)
		return NULL; /* a call without SDP: whatever the 2xx carries is not ours */
	if (!m->body.len)
		return "sdp_no_offer_in_2xx";
	if (sdp_parse(m->body.p, m->body.len, &a))
		return "sdp_malformed";
	uint8_t rnd[SDES_MAX_KEY];
	(void)rand_pool_get(&u->w->rand, rnd, sizeof(rnd));
	if (neg_take_offer(n, &a, u->scn->suites, u->scn->n_suites, rnd, &why))
		return why ? why : "sdp_bad_crypto";
	return NULL;
}

/* The flow step an expect that matched leads to: the ACK, if it comes next. */
static const struct flow_step *next_send(const struct scenario *s, unsigned i)
{
	for (i++; i < s->n_flow && s->flow[i].kind == FLOW_PAUSE; i++)
		;
	return i < s->n_flow && s->flow[i].kind == FLOW_SEND ? &s->flow[i] : NULL;
}

/* The session timer's deadline as the call's second timer. */
static void arm_session(struct uac *u, struct call *k)
{
	uint64_t at = ua_deadline(&k->ss);
	k->st_seq++;
	if (at && worker_timer(u->w, at, call_slot(u, k), k->st_seq, T_SESSION))
		call_fail(u, k, "out_of_memory", true);
}

/* Our INVITE refused with 422: asked again, once, for the far end's Min-SE. */
static bool retry_422(struct uac *u, struct call *k, const struct sip_msg *m)
{
	uint32_t min_se;
	if (k->retried_422 || !k->session_expires || !m->min_se.len || st_parse_min_se(m->min_se, &min_se) ||
	    min_se <= k->session_expires)
		return false;
	k->retried_422 = true;
	k->session_expires = min_se;
	bool offer = k->ss.neg.state == NEG_LOCAL_OFFER;
	k->ss.neg.state = NEG_IDLE;
	int err = send_request(u, k, SIP_INVITE, offer);
	if (err)
		call_fail(u, k, "send_failed", false);
	return true;
}

static void on_session_event(struct uac *u, struct call *k, enum ua_event ev, const char *why);

static void on_response(struct uac *u, struct conn *c, const struct sip_msg *m)
{
	struct call *k = call_by_id(u, m->call_id);
	bool invite_txn = (m->cseq_method == SIP_INVITE || m->cseq_method == SIP_CANCEL) &&
			  k && tl_str_eq(m->branch, k->branch_invite);
	bool last_txn = k && m->cseq_method == k->last_method && tl_str_eq(m->branch, k->branch_last);
	if (k && k->conn_slot == c->slot && !(invite_txn || last_txn) &&
	    k->ss.pending.method != SIP_METHOD_UNKNOWN && tl_str_eq(m->branch, k->ss.pending.branch)) {
		/* a request of the session's own: a refresh, or its BYE */
		char contact[400];
		const char *why;
		struct ua_io io = call_io(u, k, c, contact, sizeof(contact));
		on_session_event(u, k, ua_on_response(&k->ss, &io, m, &why), why);
		return;
	}
	if (!k || k->conn_slot != c->slot || !(invite_txn || last_txn)) {
		u->w->res.stray_responses++;
		return;
	}
	const struct scenario *s = u->scn;
	/* a response carries its request's CSeq number (RFC 3261 8.2.6.2) */
	uint32_t want_cseq = m->cseq_method == SIP_INVITE ? k->invite_cseq : k->last_cseq;
	if (m->cseq != want_cseq) {
		call_fail(u, k, "cseq_mismatch", m->cseq_method == SIP_INVITE && m->status >= 200);
		return;
	}
	if (m->cseq_method == SIP_INVITE) {
		if (m->status >= 100 && m->status < 200) {
			if (m->status == 100 && !k->seen_100) {
				k->seen_100 = true;
				lat(u, LAT_INVITE_TO_100, k->t_sched);
			} else if ((m->status == 180 || m->status == 183) && !k->seen_180) {
				k->seen_180 = true;
				lat(u, LAT_INVITE_TO_180, k->t_sched);
			}
		} else if (m->status < 300) {
			const char *why;
			if (k->got_2xx) { /* a retransmitted 2xx: each gets its ACK (RFC 3261 13.2.2.4) */
				if (k->acked)
					send_ack(u, k, false, &why);
				return;
			}
			k->invite_final = true;
			if (dialog_uac_confirm(&k->ss.dlg, m)) { /* no To tag: no dialog (12.1.2) */
				call_fail(u, k, "missing_to_tag", false);
				return;
			}
			k->got_2xx = true;
			lat(u, LAT_INVITE_TO_200, k->t_sched);
			lat(u, LAT_INVITE_TO_FINAL, k->t_sched);
			lat(u, LAT_INVITE_TO_200_SENT, k->t_invite);
			ua_timer_from_2xx(&k->ss, m, u->w->now);
			arm_session(u, k);
			if (!k->active)
				return;
		} else {
			if (k->invite_final)
				return;
			k->invite_final = true;
			send_error_ack(u, k, m);
			if (m->status == 422 && retry_422(u, k, m))
				return;
			lat(u, LAT_INVITE_TO_FINAL, k->t_sched);
		}
	} else if (m->status >= 200 && m->status < 300) {
		if (m->cseq_method == SIP_BYE && k->bye_sent)
			lat(u, LAT_BYE_TO_200, k->t_request);
		else if (m->cseq_method == SIP_OPTIONS)
			lat(u, LAT_OPTIONS_TO_200, k->t_request);
	}

	/* the flow: does this response satisfy the current expect, skipping optional ones? */
	unsigned i = k->step;
	bool matched = false;
	while (i < s->n_flow && s->flow[i].kind == FLOW_EXPECT && !s->flow[i].request) {
		if (s->flow[i].status == m->status) {
			matched = true;
			break;
		}
		if (!s->flow[i].optional)
			break;
		i++;
	}
	if (!matched) {
		if (m->status < 200)
			return; /* provisional responses the flow does not name are fine */
		if (k->step < s->n_flow && s->flow[k->step].kind == FLOW_EXPECT) {
			char reason[32];
			snprintf(reason, sizeof(reason), "status_%d", m->status);
			call_fail(u, k, reason, m->status < 300);
		}
		return;
	}
	if (m->cseq_method == SIP_INVITE && m->status >= 200 && m->status < 300) {
		const char *why = take_2xx_sdp(u, k, m, next_send(s, i));
		if (why) {
			call_fail(u, k, why, true);
			return;
		}
	}
	k->step = (uint8_t)(i + 1);
	k->timer_seq++;
	call_advance(u, k);
}

/* What the call's session said, acted on: the far end hung up (the flow may wait for
 * that), keys moved, the session failed (its BYE went already). */
static void on_session_event(struct uac *u, struct call *k, enum ua_event ev, const char *why)
{
	const struct scenario *s = u->scn;
	switch (ev) {
	case UA_HUNG_UP:
		k->far_end_bye = true;
		if (k->step < s->n_flow && s->flow[k->step].kind == FLOW_EXPECT &&
		    s->flow[k->step].request == SIP_BYE) {
			k->step++;
			k->timer_seq++;
			call_advance(u, k);
		} else {
			call_fail(u, k, "far_end_bye", false);
		}
		return;
	case UA_MEDIA:
		if ((why = media_from_neg(u, k))) {
			call_fail(u, k, why, true);
			return;
		}
		break;
	case UA_FAILED:
		call_fail(u, k, why ? why : "session_failed", false);
		return;
	case UA_REFRESHED:
	case UA_NONE:
		break;
	}
	arm_session(u, k);
}

/* A request from the far end: in one of our dialogs, the session answers it. */
static void on_request(struct uac *u, struct conn *c, const struct sip_msg *m)
{
	if (m->method == SIP_OPTIONS && !m->to_tag.len) { /* a keep-alive ping */
		struct sip_response r = { .status = 200 };
		char *p = worker_out_reserve(u->w, c, 4096);
		int n = p ? sip_build_response(p, 4096, m, &r) : -ENOMEM;
		if (n > 0)
			worker_out_commit(u->w, c, (size_t)n);
		return;
	}
	struct call *k = call_by_id(u, m->call_id);
	if (!k || !k->got_2xx || k->conn_slot != c->slot) {
		if (m->method == SIP_ACK)
			return;
		struct sip_response r = { .status = 481 };
		char *p = worker_out_reserve(u->w, c, 4096);
		int n = p ? sip_build_response(p, 4096, m, &r) : -ENOMEM;
		if (n > 0)
			worker_out_commit(u->w, c, (size_t)n);
		return;
	}
	char contact[400];
	const char *why;
	struct ua_io io = call_io(u, k, c, contact, sizeof(contact));
	on_session_event(u, k, ua_on_request(&k->ss, &io, m, &why), why);
}

/* ---- role callbacks ---------------------------------------------------- */

static void open_trunk(struct uac *u, struct trunk *t)
{
	struct conn *c = worker_connect(u->w, (const struct sockaddr *)&u->cfg.target,
					u->cfg.target_len, u->verify_name);
	if (!c) {
		t->open = false;
		return;
	}
	c->role_index = (int)(t - u->trunks);
	t->slot = c->slot;
	t->gen = c->gen;
	t->open = true;
	t->up = t->got_sip = false;
}

/* The call that owns connection c (per_call and handshake modes), if still current. */
static struct call *conn_call(struct uac *u, const struct conn *c)
{
	if (!u->per_conn || c->role_index < 0 || (uint32_t)c->role_index >= u->n_calls)
		return NULL;
	struct call *k = &u->calls[c->role_index];
	return k->active && k->own_conn && k->conn_slot == c->slot && k->conn_gen == c->gen ? k : NULL;
}

static void uac_conn_up(struct worker *w, struct conn *c)
{
	struct uac *u = w->role_arg;
	if (c->role_index < 0)
		return;
	if (!u->uris_ready)
		uris_prepare(u, c);
	if (u->per_conn) {
		struct call *k = conn_call(u, c);
		if (!k)
			return;
		k->conn_up = true;
		k->timer_seq++;
		if (u->expect_refusal)
			arm_kind(u, k, clock_mono_ns() + REFUSAL_WAIT_NS, T_HOLD);
		else if (u->scn->mode == SCN_HANDSHAKE && u->scn->hold_ms)
			arm_kind(u, k, w->now + u->scn->hold_ms * NS_PER_MS, T_IDLE_HOLD);
		else if (u->scn->mode == SCN_HANDSHAKE)
			call_done(u, k); /* the handshake was the whole call */
		else
			call_advance(u, k);
		return;
	}
	struct trunk *t = &u->trunks[c->role_index];
	t->up = true;
	if (!t->ever_up && !u->started)
		u->n_settled++;
	t->ever_up = true;
}

static void uac_conn_msg(struct worker *w, struct conn *c, const struct sip_msg *m)
{
	struct uac *u = w->role_arg;
	struct call *own = conn_call(u, c);
	if (own)
		own->got_sip = true;
	else if (!u->per_conn && c->role_index >= 0)
		u->trunks[c->role_index].got_sip = true;
	if (m->kind == SIP_KIND_RESPONSE)
		on_response(u, c, m);
	else
		on_request(u, c, m);
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
		count_outcome(u, k, o);
		if (o == HS_CONNECT_FAILED && ++u->connect_failures == 1 && !res->could_not_run_why[0])
			snprintf(res->could_not_run_why, sizeof(res->could_not_run_why),
				 "%.120s:%u: %.120s", u->scn->host, u->scn->port, why);
		if (k->conn_up && c->use_tls && o != HS_CONNECT_FAILED)
			worker_tls_refused_late(u->w, c);
		if (u->expect_refusal && o >= HS_REFUSED_ALERT && o <= HS_REFUSED_CLOSE) {
			call_done(u, k); /* refused, as the negative test wants */
			return;
		}
		static const char *const reasons[HS_OUTCOMES] = {
			"handshake_accepted", "tls_rejected", "tls_reset", "tls_closed",
			"tls_handshake_timeout", "tls_peer_untrusted", "connect_failed",
		};
		call_fail(u, k, reasons[o], false);
		return;
	}
	const char *reason = "connection_lost";
	if (err == -EBADMSG)
		reason = "bad_sip_from_peer";
	else if (!err && (atomic_load(u->w->stop) || u->closing))
		reason = "interrupted";
	call_fail(u, k, reason, false);
}

static void uac_conn_down(struct worker *w, struct conn *c, int err, const char *why)
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
	/* TLS 1.3: the server's verdict on our certificate arrives after our
	 * handshake finished, on the first read */
	if (err == -EPROTO && t->up && !t->got_sip && c->use_tls)
		worker_tls_refused_late(w, c);
	if (!t->ever_up && !u->started) {
		u->n_settled++;
		if (err != -EPROTO && !res->could_not_run) {
			res->could_not_run = err ? err : -ECONNRESET;
			snprintf(res->could_not_run_why, sizeof(res->could_not_run_why), "%.120s:%u: %.120s",
				 u->scn->host, u->scn->port, why);
		}
	}
	t->open = t->up = false;
	for (uint32_t i = 0; i < u->n_calls; i++) {
		struct call *k = &u->calls[i];
		if (k->active && k->conn_slot == c->slot && k->conn_gen == c->gen)
			call_fail(u, k, stopping && !err ? "interrupted" :
					err == -EPROTO ? "tls_error" :
					err == -EBADMSG ? "bad_sip_from_peer" : "connection_lost", false);
	}
	if (u->started && !u->sched_done && !stopping &&
	    worker_timer(w, clock_mono_ns() + NS_PER_S, (uint32_t)c->role_index, 0, T_RECONNECT)) {
		/* without a reconnect the trunk would carry nothing more: stop here, say why */
		snprintf(res->aborted, sizeof(res->aborted),
			 "out of memory: trunk connection %d could not be reconnected", c->role_index);
		u->sched_done = true;
	}
}

static void uac_timer(struct worker *w, const struct timer_entry *t)
{
	struct uac *u = w->role_arg;
	if (t->kind == T_RECONNECT) {
		struct trunk *tr = &u->trunks[t->slot];
		if (!tr->open && !u->sched_done)
			open_trunk(u, tr);
		return;
	}
	if (t->kind == T_STARTUP || t->slot >= u->n_calls)
		return;
	struct call *k = &u->calls[t->slot];
	if (t->kind == T_SESSION) { /* a refresh of ours, or the end of an unrefreshed session */
		struct conn *c = k->active && k->st_seq == t->seq ? call_conn(u, k) : NULL;
		if (!c)
			return;
		char contact[400];
		const char *why;
		struct ua_io io = call_io(u, k, c, contact, sizeof(contact));
		on_session_event(u, k, ua_on_deadline(&k->ss, &io, w->now, &why), why);
		return;
	}
	if (!k->active || k->timer_seq != t->seq)
		return;
	if (t->kind == T_HANDSHAKE) { /* our connection is still not up */
		count_outcome(u, k, HS_TIMEOUT);
		call_fail(u, k, "tls_handshake_timeout", false);
		return;
	}
	if (t->kind == T_IDLE_HOLD) { /* held idle as long as asked: the call is done */
		call_done(u, k);
		return;
	}
	if (t->kind == T_HOLD) { /* nobody refused us: the negative test failed */
		count_outcome(u, k, HS_ACCEPTED);
		call_fail(u, k, "handshake_accepted", false);
		return;
	}
	const struct flow_step *st = &u->scn->flow[k->step];
	if (st->kind == FLOW_EXPECT) {
		unsigned i = k->step;
		while (i + 1 < u->scn->n_flow && u->scn->flow[i].optional &&
		       u->scn->flow[i + 1].kind == FLOW_EXPECT)
			i++;
		char reason[32];
		if (u->scn->flow[i].request)
			snprintf(reason, sizeof(reason), "timeout_bye");
		else
			snprintf(reason, sizeof(reason), "timeout_%d", u->scn->flow[i].status);
		call_fail(u, k, reason, true);
		return;
	}
	if (st->kind == FLOW_MEDIA && k->has_media)
		media_stop_tx(&u->media, k->media_slot);
	k->step++;
	call_advance(u, k);
}

static void publish(struct uac *u)
{
	struct progress *p = u->cfg.progress;
	const struct result *r = &u->w->res;
	if (!p)
		return;
	atomic_store_explicit(&p->started, r->attempted, memory_order_relaxed);
	atomic_store_explicit(&p->completed, r->completed, memory_order_relaxed);
	atomic_store_explicit(&p->failed, r->failed, memory_order_relaxed);
	atomic_store_explicit(&p->active, u->active, memory_order_relaxed);
	atomic_store_explicit(&p->hs_ok, r->hs_ok, memory_order_relaxed);
	atomic_store_explicit(&p->hs_failed, r->hs_failed, memory_order_relaxed);
	atomic_store_explicit(&p->auth_failures, r->srtp.n[SRTP_AUTH_FAILURES], memory_order_relaxed);
	atomic_store_explicit(&p->p99_us, hist_percentile(&r->lat[LAT_INVITE_TO_200], 99),
			      memory_order_relaxed);
	atomic_store_explicit(&p->t0_ns, u->t0, memory_order_relaxed);
}

static void second_rollover(struct uac *u, uint64_t now)
{
	if ((int)((now - u->t0) / NS_PER_S) > u->last_sec)
		publish(u);
	int sec = (int)((now - u->t0) / NS_PER_S);
	while (u->last_sec < sec) {
		struct ts_row *row = result_ts_row(&u->w->res, (unsigned)u->last_sec);
		if (row) {
			row->active = u->active;
			row->p99_us = hist_percentile(&u->sec_hist, 99);
		}
		hist_init(&u->sec_hist);
		u->last_sec++;
	}
}

static void steady_window(struct uac *u)
{
	uint64_t ramp_end = u->t0 + (uint64_t)(u->scn->ramp_s * 1e9);
	if (u->last_sched >= ramp_end)
		u->w->res.steady_window_s = (double)(u->last_sched - ramp_end) / 1e9 +
					    u->cfg.n_workers / u->scn->rate;
}

static uint64_t schedule_tick(struct worker *w, uint64_t now)
{
	struct uac *u = w->role_arg;
	if (!u->started && u->per_conn) {
		u->started = true;
		u->t0 = now;
	}
	if (!u->started) {
		if (u->n_settled < u->n_trunks && now < u->t_startup + STARTUP_TIMEOUT_NS)
			return u->t_startup + STARTUP_TIMEOUT_NS;
		u->started = true;
		u->t0 = now;
		bool any = false;
		for (unsigned i = 0; i < u->n_trunks; i++)
			any |= u->trunks[i].up;
		if (!any) {
			snprintf(w->res.aborted, sizeof(w->res.aborted),
				 "no trunk connection came up: no call was placed");
			if (!w->res.could_not_run && !w->res.hs_failed) {
				w->res.could_not_run = -ETIMEDOUT;
				snprintf(w->res.could_not_run_why, sizeof(w->res.could_not_run_why),
					 "%.120s:%u: no connection within %llu s", u->scn->host,
					 u->scn->port, (unsigned long long)(STARTUP_TIMEOUT_NS / NS_PER_S));
			}
			u->sched_done = true;
		}
	}
	if (u->t0)
		second_rollover(u, now);
	if (!u->sched_done && w->drain && atomic_load(w->drain)) {
		u->sched_done = true; /* interrupted: calls in progress may still end */
		w->res.interrupted = true;
	}
	while (!u->sched_done) {
		if (schedule_over(u, u->k)) {
			u->sched_done = true;
			break;
		}
		uint64_t at = u->t0 + (uint64_t)(call_offset_s(u->scn, u->k) * 1e9);
		if (at > now)
			return at;
		call_start(u, at);
		u->last_sched = at;
		u->k += u->cfg.n_workers;
	}
	if (u->sched_done && !u->active && !u->closing) {
		u->closing = true;
		steady_window(u);
		/* per_call/handshake: nothing ever connected, every try refused */
		if (u->per_conn && !w->res.could_not_run && u->connect_failures &&
		    u->connect_failures == w->res.attempted && !w->res.hs_ok && !w->res.hs_failed)
			w->res.could_not_run = -ECONNREFUSED;
		w->res.elapsed_s = (double)(now - u->t0) / 1e9;
		for (unsigned i = 0; i < u->n_trunks; i++) {
			struct conn *c = u->trunks[i].open ?
				worker_conn(w, u->trunks[i].slot, u->trunks[i].gen) : NULL;
			if (c)
				worker_close(w, c);
		}
	}
	return u->sched_done ? 0 : now + NS_PER_S;
}

static uint64_t uac_tick(struct worker *w, uint64_t now)
{
	struct uac *u = w->role_arg;
	uint64_t next = schedule_tick(w, now);
	uint64_t media = u->media_on ? media_tick(&u->media, now) : 0;
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

struct uac *uac_new(struct worker *w, const struct uac_config *cfg)
{
	struct uac *u = calloc(1, sizeof(*u));
	if (!u)
		return NULL;
	u->w = w;
	u->cfg = *cfg;
	u->scn = cfg->scn;
	u->k = cfg->worker_id;
	snprintf(u->verify_name, sizeof(u->verify_name), "%s", scn_server_name(u->scn));
	u->expect_refusal = u->scn->expect_handshake == SCN_HS_REJECTED;
	u->per_conn = scn_conn_per_call(u->scn);
	u->n_trunks = u->per_conn ? 0 : cfg->connections ? cfg->connections : 1;
	u->n_calls = cfg->max_calls ? cfg->max_calls : 1;
	u->trunks = calloc(u->n_trunks + 1, sizeof(*u->trunks));
	u->calls = calloc(u->n_calls, sizeof(*u->calls));
	u->free_calls = calloc(u->n_calls, sizeof(*u->free_calls));
	if (!u->trunks || !u->calls || !u->free_calls) {
		uac_free(u);
		return NULL;
	}
	for (uint32_t i = 0; i < u->n_calls; i++)
		u->free_calls[u->n_free++] = u->n_calls - 1 - i;
	hist_init(&u->sec_hist);
	u->media_on = scn_has_media(u->scn);
	if (cfg->list_keys && u->media_on && result_keys_reserve(&w->res, cfg->list_keys)) {
		uac_free(u);
		return NULL;
	}
	if (u->media_on && media_pool_init(&u->media, &w->ring, &w->res, u->n_calls,
					   cfg->media_port_lo, cfg->media_port_hi)) {
		uac_free(u);
		return NULL;
	}
	w->role = &uac_role;
	w->role_arg = u;
	/* expiry nearer than this is worth a warning: the scenario's minimum, else 30 days */
	w->peer_warn_days = u->scn->expect_min_days_valid >= 0 ? u->scn->expect_min_days_valid : 30;
	u->t_startup = clock_mono_ns();
	for (unsigned i = 0; i < u->n_trunks; i++) {
		open_trunk(u, &u->trunks[i]);
		if (!u->trunks[i].open)
			u->n_settled++;
	}
	return u;
}

void uac_finish(struct uac *u)
{
	for (uint32_t i = 0; i < u->n_calls; i++)
		if (u->calls[i].active)
			call_fail(u, &u->calls[i], "interrupted", false);
	if (!u->w->res.steady_window_s && u->t0)
		steady_window(u);
	if (!u->w->res.elapsed_s && u->t0)
		u->w->res.elapsed_s = (double)(clock_mono_ns() - u->t0) / 1e9;
	if (u->t0)
		second_rollover(u, clock_mono_ns() + NS_PER_S);
}

void uac_free(struct uac *u)
{
	if (!u)
		return;
	if (u->media.s)
		media_pool_free(&u->media);
	free(u->trunks);
	free(u->calls);
	free(u->free_calls);
	free(u);
}
