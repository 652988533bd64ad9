#include "uas.h"
#include "rtp.h"
#include "call_table.h"
#include "clock.h"
#include "draw.h"
#include "media.h"
#include "slot_stack.h"
#include "ua_session.h"
#include "uas_trace.h"
#include <arpa/inet.h>
#include "sip_build.h"
#include <errno.h>
#include <regex.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>


enum { T_DELAYED = 1, T_SESSION, T_HANGUP };

/* 64 T1: a 2xx unacknowledged this long is given up on (RFC 3261 13.3.1.4) */
#define ACK_WAIT_NS (32 * NS_PER_S)
#define ACK_POLL_NS (20 * NS_PER_MS)
#define SHARED_STREAMS_MAX 20000u /* shared media ports: streams per worker, by default */

/* How one INVITE is answered: what the behaviour (or the flags) drew for it. */
struct plan {
	int status;           /* 200, a refusal, or SCN_NO_ANSWER */
	bool not_routed;      /* the refusal is routes_default */
	uint32_t ring_ms;     /* from the 180 to the 200 */
	bool hangup;          /* we end the call with BYE ... */
	uint32_t hangup_ms;   /* ... this long after the 200 */
	uint64_t t_invite;    /* when the INVITE came (monotonic ns) */
	bool early;           /* 183 with our answer and media at once, the 200 after ring_ms */
	bool reliable;        /* ... sent reliably (100rel) when the caller supports it */
};

/* An INVITE whose answer waits (--delay-ms, a ring, or no answer until the caller
 * cancels): a copy of its bytes, re-parsed when due. */
struct pending {
	bool used;
	uint32_t conn_slot, conn_gen, seq;
	struct plan plan;
	uint32_t call, call_gen;  /* plan.early: the call already made (its slot and gen) */
	struct buf msg;
};

/* A call we answered: its session over its dialog, and its media. */
struct uas_call {
	bool used;
	uint32_t gen, timer_seq;
	uint32_t conn_slot, conn_gen;
	uint32_t id_hash;         /* its Call-ID's, where the index keeps it */
	struct ua_session ss;
	bool has_media;
	uint32_t media_slot;
	uint16_t media_port;
	uint64_t t_answered;      /* when our 2xx went (a hang-up waits for its ACK) */
	uint64_t t_invite;        /* when its INVITE came */
	bool answered;            /* our 2xx went: a BYE then completes the call */
	struct uas *owner;        /* for its session's messages, when traced (ua_io.sent) */
};

struct uas {
	struct worker *w;
	struct uas_config cfg;
	struct uas_counts counts;
	struct pending *pending;
	uint32_t n_pending;       /* its size: cfg.max_calls */
	struct slot_stack pending_free; /* the unused ones of pending[] */
	struct media_pool media;
	bool media_on;            /* RTP ports were given: calls that offer media get it */
	enum sdes_suite accept[SDES_SUITE_COUNT], offer[SDES_SUITE_COUNT];
	unsigned n_accept, n_offer;
	struct call_table index;  /* Call-ID -> calls[] */
	struct uas_call *calls;   /* grown as needed up to cfg.max_calls; indices stay */
	uint32_t n_calls, cap_calls, *free_calls, n_free;
	regex_t *routes;          /* the behaviour's routes, compiled; n_routes of them */
	unsigned n_routes;
	uint64_t t0;              /* when it started: the report's seconds count from here */
	uint64_t in_progress;     /* INVITEs received whose call has not ended */
	uint64_t metrics_next;    /* --metrics: when its figures are published next */
	struct uas_traces traces; /* --trace */
};

/* The report's calls: every INVITE received starts one, which ends once, completed
 * (answered and ended by a BYE, or cancelled by the caller) or failed with a reason
 * (status_NNN for a final response we chose, as the caller counts it). */
static struct ts_row *row_now(struct uas *s)
{
	return result_ts_row_at(&s->w->res, s->t0, s->w->now);
}

static void tally_start(struct uas *s)
{
	struct result *res = &s->w->res;
	res->attempted++;
	if (s->cfg.limit)
		atomic_fetch_add_explicit(&s->cfg.limit->now, 1, memory_order_relaxed);
	if (++s->in_progress > res->max_concurrent)
		res->max_concurrent = s->in_progress;
	struct ts_row *row = row_now(s);
	if (row) {
		row->started++;
		row->active = s->in_progress;
	}
}

/* reason NULL: completed */
static void tally_end(struct uas *s, struct tl_str call_id, const char *reason)
{
	struct result *res = &s->w->res;
	uas_trace_ended(&s->traces, call_id, reason);
	if (reason) {
		res->failed++;
		result_fail(res, reason);
	} else {
		res->completed++;
	}
	if (s->in_progress) {
		s->in_progress--;
		if (s->cfg.limit)
			atomic_fetch_sub_explicit(&s->cfg.limit->now, 1, memory_order_relaxed);
	}
	struct ts_row *row = row_now(s);
	if (row) {
		*(reason ? &row->failed : &row->completed) += 1;
		row->active = s->in_progress;
	}
}

static void tally_status(struct uas *s, struct tl_str call_id, int status)
{
	char reason[16];
	snprintf(reason, sizeof(reason), "status_%d", status);
	tally_end(s, call_id, reason);
}


/* Answers without a call (100 Trying, a refusal, 481): the To tag from the Call-ID. */
static void respond(struct uas *s, struct conn *c, const struct sip_msg *m, int status)
{
	char tag[12] = "";
	struct tl_sb b = tl_sb_init(tag, sizeof(tag));
	if (status > 100)
		tl_sb_hex(&b, call_table_hash(m->call_id), 8);
	struct sip_response r = { .status = status, .to_tag = tl_str_c(tag) };
	if (status == 501)
		r.headers = TL_STR("Allow: INVITE, ACK, BYE, CANCEL, OPTIONS, UPDATE, INFO, PRACK, NOTIFY\r\n");
	char *p = worker_out_reserve(s->w, c, 4096);
	int n = p ? sip_build_response(p, 4096, m, &r) : -ENOMEM;
	if (n > 0) {
		uas_trace_sent(&s->traces, s->w->now, c, m->call_id, p, (size_t)n);
		worker_out_commit(s->w, c, (size_t)n);
	}
}

/* ua_io.sent while tracing: a message of a call's session, into its Call-ID's trace. */
static void session_sent(void *arg, const struct conn *c, const char *msg, size_t len)
{
	const struct uas_call *k = arg;
	struct uas *s = k->owner;
	uas_trace_sent(&s->traces, s->w->now, c, tl_str_c(k->ss.dlg.call_id), msg, len);
}

/* What a call's session may send: its connection, our contact and media. */
/* what the responder takes, and offers in this order: PCMU, PCMA */
static const uint8_t uas_codecs[] = { RTP_PT_PCMU, RTP_PT_PCMA };

static struct ua_io io_of(struct uas *s, struct conn *c, struct uas_call *k, char *contact,
			  size_t cap)
{
	struct tl_sb b = tl_sb_init(contact, cap);
	TL_SB_LIT(&b, "sip:uas@");
	tl_sb_cstr(&b, c->local_hostport);
	tl_sb_cstr(&b, c->use_tls ? ";transport=tls" : ";transport=tcp");
	return (struct ua_io){
		.w = s->w, .c = c, .contact = contact, .media_addr = c->local_ip,
		.media = k && k->has_media, .media_port = k && k->has_media ? k->media_port : 9,
		.media_ssrc = k && k->has_media ? media_own_ssrc(&s->media, k->media_slot) : 0,
		.direction = "sendrecv",
		.ptime_ms = k && k->ss.neg.ptime_ms ? k->ss.neg.ptime_ms : 20,
		.suites = s->offer, .n_suites = s->n_offer, .accept = s->accept, .n_accept = s->n_accept,
		.codecs = uas_codecs, .n_codecs = sizeof(uas_codecs),
		.min_se_s = s->cfg.min_se_s,
		.offer_expires_s = s->cfg.timer ? s->cfg.timer->expires_s : 0,
		.prefer_refresh = s->cfg.timer && s->cfg.timer->refresher == ST_REFRESHER_UAS,
		.sent = k && uas_traces_on(&s->traces) ? session_sent : NULL, .sent_arg = k,
	};
}

static uint32_t call_slot(const struct uas *s, const struct uas_call *k)
{
	return (uint32_t)(k - s->calls);
}

_Static_assert(sizeof(((struct dialog *)0)->call_id) > CALL_TABLE_ID_MAX,
	       "a dialog keeps every Call-ID the index takes");

static bool same_call_id(const void *owner, uint32_t slot, struct tl_str id)
{
	const struct uas *s = owner;
	const char *kept = s->calls[slot].ss.dlg.call_id; /* longer than CALL_TABLE_ID_MAX */
	return !memcmp(kept, id.p, id.len) && !kept[id.len];
}

static struct uas_call *call_of(struct uas *s, struct tl_str call_id)
{
	struct call_entry *e = call_table_find(&s->index, call_id);
	return e ? &s->calls[e->slot] : NULL;
}

static struct uas_call *call_new(struct uas *s, struct conn *c, struct tl_str call_id)
{
	if (!s->n_free && s->n_calls == s->cap_calls) {
		uint32_t cap = s->cap_calls ? 2 * s->cap_calls : 256;
		if (cap > s->cfg.max_calls)
			cap = s->cfg.max_calls;
		if (cap <= s->cap_calls)
			return NULL;
		struct uas_call *calls = realloc(s->calls, cap * sizeof(*calls));
		uint32_t *free_calls = calls ? realloc(s->free_calls, cap * sizeof(*free_calls)) : NULL;
		if (calls)
			s->calls = calls;
		if (!free_calls)
			return NULL;
		/* the new slots are not cleared here: each is set up when first taken, so
		 * that growing to tens of thousands of calls costs no burst of page faults
		 * (clearing 48 MB at once stalled the responder for over 100 ms) */
		s->free_calls = free_calls;
		s->cap_calls = cap;
	}
	bool reused = s->n_free > 0;
	uint32_t slot = reused ? s->free_calls[s->n_free - 1] : s->n_calls;
	struct call_entry *e = call_table_add(&s->index, call_id, slot);
	if (!e)
		return NULL;
	if (s->n_free)
		s->n_free--;
	else
		s->n_calls++;
	struct uas_call *k = &s->calls[slot];
	uint32_t gen = reused ? k->gen : 0, seq = reused ? k->timer_seq : 0;
	memset(k, 0, sizeof(*k));
	k->gen = gen;
	k->timer_seq = seq;
	k->used = true;
	k->owner = s;
	k->conn_slot = c->slot;
	k->conn_gen = c->gen;
	k->id_hash = e->hash;
	return k;
}

/* reason: as tally_end */
static void call_end(struct uas *s, struct uas_call *k, const char *reason)
{
	tally_end(s, tl_str_c(k->ss.dlg.call_id), reason);
	if (k->has_media)
		media_close(&s->media, k->media_slot, &s->w->res);
	s->counts.refreshes_sent += k->ss.refreshes_by_us;
	s->counts.refreshes_received += k->ss.refreshes_by_far_end;
	struct call_entry *e = call_table_entry_of(&s->index, k->id_hash, call_slot(s, k));
	if (e)
		call_table_remove(&s->index, e);
	k->used = false;
	k->has_media = false;
	k->gen++;
	k->timer_seq++;
	s->free_calls[s->n_free++] = call_slot(s, k);
}

/* The session timer's next deadline, if any, as the call's one timer. */
static void arm_session(struct uas *s, struct uas_call *k)
{
	uint64_t at = ua_deadline(&k->ss);
	k->timer_seq++;
	if (at && worker_timer(s->w, at, call_slot(s, k), k->timer_seq, T_SESSION)) {
		/* no timer, no session: end it rather than hold it for ever */
		char contact[96];
		struct conn *c = worker_conn(s->w, k->conn_slot, k->conn_gen);
		if (c) {
			struct ua_io io = io_of(s, c, k, contact, sizeof(contact));
			ua_send(&k->ss, &io, SIP_BYE, false);
		}
		call_end(s, k, "out_of_memory");
	}
}

/* The codec the call's SDP agreed, PCMU when it names none of ours. */
static int codec_of(const struct sdp_neg *n)
{
	int pt = neg_codec(n, uas_codecs, sizeof(uas_codecs), n->they_answered);
	return pt < 0 ? RTP_PT_PCMU : pt;
}

/* Sends and checks SRTP for an agreed call (or follows a change of key or address).
 * 0, -ENOSPC when no stream or port pair is free (503), or another negative errno
 * when the stream could not be set up (500). */
static int media_update(struct uas *s, struct conn *c, struct uas_call *k)
{
	const struct sdp_neg *n = &k->ss.neg;
	/* keys are known once agreed, or while our answer to an offer is being sent */
	bool keyed = n->agreed || n->state == NEG_REMOTE_OFFER;
	bool wanted = keyed && n->remote_port && strcmp(n->direction, "inactive");
	if (!s->media_on)
		return 0;
	if (!wanted) { /* held, or answered inactive: nothing to send or to wait for */
		if (k->has_media) {
			media_stop_tx(&s->media, k->media_slot);
			media_expect_rx(&s->media, k->media_slot, false);
		}
		return 0;
	}
	union tl_sockaddr to;
	if (tl_sockaddr_set(&to, n->remote_addr, n->remote_port))
		return -EINVAL;
	int err = 0;
	if (!k->has_media) {
		err = media_open(&s->media, c->local_ip, &k->media_slot, &k->media_port);
		if (err)
			return err == -EADDRINUSE || err == -ENOSPC ? -ENOSPC : err;
		k->has_media = true;
	}
	media_set_remote(&s->media, k->media_slot, &to);
	if (n->has_remote_ssrc)
		media_set_far_ssrc(&s->media, k->media_slot, n->remote_ssrc);
	media_set_events(&s->media, k->media_slot, n->remote_te_pt);
	err = media_set_rx(&s->media, k->media_slot, &n->theirs);
	/* the answer mirrors the offer: a sendonly caller gets no media from us,
	 * a recvonly one sends us none */
	media_expect_rx(&s->media, k->media_slot, strcmp(n->direction, "recvonly") != 0);
	if (!err && strcmp(n->direction, "sendonly"))
		err = media_start_tx(&s->media, k->media_slot, &n->ours[n->mine],
				     n->ptime_ms ? n->ptime_ms : 20, (uint8_t)codec_of(n), clock_mono_ns());
	else if (!err) { /* held by the caller (sendonly): quiet until it resumes, but for RTCP */
		media_stop_tx(&s->media, k->media_slot);
		err = media_set_tx_key(&s->media, k->media_slot, &n->ours[n->mine]);
	}
	return err;
}

/* The media port our SDP names: opened before the answer or offer is sent. */
static int media_prepare(struct uas *s, struct conn *c, struct uas_call *k)
{
	if (!s->media_on || k->has_media)
		return 0;
	int err = media_open(&s->media, c->local_ip, &k->media_slot, &k->media_port);
	if (err)
		return err == -EADDRINUSE || err == -ENOSPC ? -ENOSPC : err;
	k->has_media = true;
	return 0;
}

/* A new call: its dialog and its SDES answer to the offer, or our offer when it has
 * none (*delayed); NULL when it was refused (sent and counted): 488 when nothing
 * offered is acceptable, 422 below our Min-SE, 503/500 without media. */
static struct uas_call *take_invite(struct uas *s, struct conn *c, const struct sip_msg *m,
				    const struct plan *plan, bool *delayed_out)
{
	if (s->cfg.refuse_status) {
		s->counts.refused++;
		respond(s, c, m, s->cfg.refuse_status);
		tally_status(s, m->call_id, s->cfg.refuse_status);
		return NULL;
	}
	struct uas_call *k = call_new(s, c, m->call_id);
	if (!k) {
		s->counts.busy++;
		respond(s, c, m, 503);
		tally_status(s, m->call_id, 503);
		return NULL;
	}
	k->t_invite = plan->t_invite;
	char tag[12], contact[96];
	struct tl_sb b = tl_sb_init(tag, sizeof(tag));
	tl_sb_hex(&b, k->id_hash, 8);
	ua_init(&k->ss, false, s->cfg.timer ? s->cfg.timer->method : SIP_INVITE);
	if (dialog_uas_init(&k->ss.dlg, m, tl_str_c(tag))) {
		call_end(s, k, "status_400");
		respond(s, c, m, 400);
		return NULL;
	}
	struct ua_io io = io_of(s, c, k, contact, sizeof(contact));
	if (ua_answer_timer(&k->ss, &io, m, s->w->now)) {
		s->counts.too_brief++;
		ua_respond(&k->ss, &io, m, 422, false);
		call_end(s, k, "status_422");
		return NULL;
	}
	const char *why = NULL;
	uint8_t rnd[SDES_MAX_KEY * NEG_MAX_LINES];
	(void)rand_pool_get(&s->w->rand, rnd, sizeof(rnd));
	struct sdp_audio offer;
	bool delayed = !m->body.len;
	if (delayed) {
		s->counts.delayed_offers++;
		neg_offer(&k->ss.neg, s->offer, s->n_offer, rnd, false);
	} else if (sdp_parse(m->body.p, m->body.len, &offer) || !offer.port ||
		   neg_take_offer(&k->ss.neg, &offer, s->accept, s->n_accept, rnd, &why)) {
		s->counts.not_acceptable++;
		ua_respond(&k->ss, &io, m, 488, false);
		call_end(s, k, "status_488");
		return NULL;
	}
	/* media only when the caller wants it; with a delayed offer we offer it */
	bool wants = delayed || strcmp(k->ss.neg.direction, "inactive");
	int err = wants ? media_prepare(s, c, k) : 0;
	if (!err && !delayed)
		err = media_update(s, c, k);
	if (err) {
		s->counts.media_failed++;
		ua_respond(&k->ss, &io, m, err == -ENOSPC ? 503 : 500, false);
		call_end(s, k, err == -ENOSPC ? "status_503" : "status_500");
		return NULL;
	}
	*delayed_out = delayed;
	return k;
}

/* The 200 (after our 180 unless rang: the ring, or the 183 of early media). */
static void send_answer(struct uas *s, struct conn *c, struct uas_call *k, const struct sip_msg *m,
			const struct plan *plan, bool rang)
{
	char contact[96];
	struct ua_io io = io_of(s, c, k, contact, sizeof(contact));
	s->counts.answered++;
	if (!rang)
		ua_respond(&k->ss, &io, m, 180, false);
	ua_respond(&k->ss, &io, m, 200, true);
	k->t_answered = s->w->now;
	k->answered = true;
	if (plan->hangup &&
	    worker_timer(s->w, s->w->now + (uint64_t)plan->hangup_ms * NS_PER_MS, call_slot(s, k), k->gen,
			 T_HANGUP))
		s->counts.media_failed++; /* no timer: the call goes on until the caller ends it */
	if (k->ss.neg.state == NEG_REMOTE_OFFER) /* (a delayed offer's answer is the ACK's) */
		neg_answered(&k->ss.neg);
	k->ss.awaiting_ack = true;
	k->ss.ack_cseq = m->cseq;
	k->ss.dlg.confirmed = true;
	arm_session(s, k);
}

static void answer_invite(struct uas *s, struct conn *c, const struct sip_msg *m,
			  const struct plan *plan, bool rang)
{
	bool delayed;
	struct uas_call *k = take_invite(s, c, m, plan, &delayed);
	if (k)
		send_answer(s, c, k, m, plan, rang);
}

/* The call of an early-media INVITE held for its ring, if it is still there. */
static struct uas_call *early_call(struct uas *s, const struct pending *p)
{
	struct uas_call *k = p->plan.early && p->call < s->n_calls ? &s->calls[p->call] : NULL;
	return k && k->used && k->gen == p->call_gen ? k : NULL;
}

/* The Call-ID of a pending INVITE (m, parsed from its copy, lends it), or none. */
static struct tl_str pending_call_id(const struct pending *p, struct sip_msg *m)
{
	if (p->msg.len && sip_parse_msg(p->msg.data, p->msg.len, p->msg.len, m) > 0)
		return m->call_id;
	return (struct tl_str){ 0 };
}

static void unpend(struct uas *s, struct pending *p)
{
	p->used = false;
	slot_stack_put(&s->pending_free, (uint32_t)(p - s->pending));
}

/* Keeps the INVITE until wait_ms from now (0: until the caller cancels it). */
static int pend(struct uas *s, struct conn *c, const struct sip_msg *m, const struct plan *plan,
		uint32_t wait_ms, struct pending **held)
{
	/* a request starts with its method; its body ends it */
	size_t len = (size_t)(m->body.p + m->body.len - m->method_name.p);
	uint32_t i;
	if (!slot_stack_peek(&s->pending_free, &i))
		return -ENOSPC;
	struct pending *p = &s->pending[i];
	p->msg.len = 0;
	if (buf_append(&p->msg, m->method_name.p, len))
		return -ENOMEM;
	slot_stack_take(&s->pending_free, &i);
	p->used = true;
	p->conn_slot = c->slot;
	p->conn_gen = c->gen;
	p->plan = *plan;
	p->seq++;
	int err = wait_ms ? worker_timer(s->w, clock_mono_ns() + (uint64_t)wait_ms * NS_PER_MS, i,
					 p->seq, T_DELAYED) : 0;
	if (err)
		unpend(s, p);
	else if (held)
		*held = p;
	return err;
}

/* Pending INVITE of the same Call-ID, if any. */
static struct pending *pending_of(struct uas *s, const struct conn *c, struct tl_str call_id,
				  struct sip_msg *inv)
{
	for (uint32_t i = 0; i < s->pending_free.used; i++) {
		struct pending *p = &s->pending[i];
		if (!p->used || p->conn_slot != c->slot || p->conn_gen != c->gen)
			continue;
		if (sip_parse_msg(p->msg.data, p->msg.len, p->msg.len, inv) > 0 &&
		    inv->call_id.len == call_id.len && !memcmp(inv->call_id.p, call_id.p, call_id.len))
			return p;
	}
	return NULL;
}

/* What a call's session said, acted on. */
static void on_event(struct uas *s, struct conn *c, struct uas_call *k, enum ua_event ev,
		     const char *why)
{
	switch (ev) {
	case UA_MEDIA:
		if (media_update(s, c, k))
			s->counts.media_failed++;
		break;
	case UA_HUNG_UP:
		s->counts.byes++;
		s->w->res.ended_by_far_end++;
		call_end(s, k, NULL);
		return;
	case UA_FAILED:
		if (why && (!strcmp(why, "session_expired") || !strcmp(why, "session_refresh_failed")))
			s->counts.expired++;
		else
			s->counts.bad_answers++;
		call_end(s, k, why ? why : "bad_answer");
		return;
	case UA_REKEYING: /* the responder sets no key lifetime: never rekeys of its own */
	case UA_REFRESHED:
	case UA_NONE:
		break;
	}
	arm_session(s, k);
}

static void in_dialog(struct uas *s, struct conn *c, struct uas_call *k, const struct sip_msg *m)
{
	char contact[96];
	const char *why;
	struct ua_io io = io_of(s, c, k, contact, sizeof(contact));
	if (m->method == SIP_INVITE) {
		s->counts.reinvites++;
		/* a delayed-offer re-INVITE gets an offer: there must be a port in it */
		if (!m->body.len && media_prepare(s, c, k) == 0)
			io = io_of(s, c, k, contact, sizeof(contact));
	}
	s->counts.updates += m->method == SIP_UPDATE;
	s->counts.pracks += m->method == SIP_PRACK;
	s->counts.acks += m->method == SIP_ACK;
	if (m->method == SIP_ACK && k->ss.awaiting_ack && k->t_invite)
		hist_record(&s->w->res.lat[LAT_INVITE_TO_ACK], (s->w->now - k->t_invite) / 1000);
	s->counts.options += m->method == SIP_OPTIONS;
	on_event(s, c, k, ua_on_request(&k->ss, &io, m, &why), why);
}

/* The Request-URI's user part: "sip:9898@host" -> "9898" (empty without one). */
static void ruri_user(const struct sip_msg *m, char *out, size_t cap)
{
	const char *p = m->ruri.p;
	const char *colon = memchr(p, ':', m->ruri.len), *at = memchr(p, '@', m->ruri.len);
	size_t n = 0;
	if (colon && at && colon < at) {
		p = colon + 1;
		const char *semi = memchr(p, ';', (size_t)(at - p)); /* user parameters */
		n = (size_t)((semi ? semi : at) - p);
	}
	if (n >= cap)
		n = cap - 1;
	memcpy(out, p, n);
	out[n] = 0;
}

/* What the behaviour draws for this INVITE: its route's answer over the default one,
 * drawn from the seed and the Call-ID. */
static void plan_of(struct uas *s, const struct sip_msg *m, struct plan *p)
{
	const struct scn_uas *u = s->cfg.behaviour;
	*p = (struct plan){ .status = 200, .ring_ms = 0 };
	if (!u)
		return;
	const struct scn_answer *a = &u->answer, *route = NULL;
	if (s->n_routes) {
		char user[128];
		ruri_user(m, user, sizeof(user));
		for (unsigned i = 0; i < s->n_routes && !route; i++)
			if (!regexec(&s->routes[i], user, 0, NULL, 0))
				route = &u->routes[i].answer;
		if (!route) {
			*p = (struct plan){ .status = u->routes_default, .not_routed = true };
			return;
		}
	}
	p->early = a->early_media;
	p->reliable = a->reliable_provisional;
	uint64_t st = draw_seed(s->cfg.seed, m->call_id.p, m->call_id.len);
	const struct scn_answer *o = route && route->has_outcomes ? route : a;
	if (o->n_outcomes) {
		uint32_t w[SCN_MAX_OUTCOMES];
		for (unsigned i = 0; i < o->n_outcomes; i++)
			w[i] = o->outcomes[i].weight;
		p->status = o->outcomes[draw_weighted(&st, w, o->n_outcomes)].status;
	}
	const struct scn_answer *r = route && route->has_ring ? route : a;
	if (r->has_ring)
		p->ring_ms = draw_between(&st, r->ring_ms.min, r->ring_ms.max);
	const struct scn_answer *h = route && route->has_hangup ? route : a;
	if (h->has_hangup) {
		p->hangup = true;
		p->hangup_ms = draw_between(&st, h->hangup_after_ms.min, h->hangup_after_ms.max);
	}
}

/* answer.early_media: our answer in a 183 and media from then on; the 200 after the
 * ring (an INVITE without SDP rings with a 180 instead: its offer would be ours). */
static void answer_early(struct uas *s, struct conn *c, const struct sip_msg *m, const struct plan *p)
{
	bool delayed;
	struct uas_call *k = take_invite(s, c, m, p, &delayed);
	if (!k)
		return;
	char contact[96];
	struct ua_io io = io_of(s, c, k, contact, sizeof(contact));
	/* answer.reliable_provisional, to a caller that supports it (RFC 3262): over TCP
	 * and TLS, sent once; its PRACK is answered 200 in the dialog */
	if (p->reliable && (sip_option_listed(m->supported, m->n_supported, "100rel") ||
			    sip_option_listed(m->require, m->n_require, "100rel"))) {
		io.reply_headers = TL_STR("Require: 100rel\r\nRSeq: 1\r\n");
		s->counts.reliable_provisionals++;
	}
	ua_respond(&k->ss, &io, m, 183, true);
	neg_answered(&k->ss.neg);
	s->counts.early_media++;
	struct pending *held;
	if (pend(s, c, m, p, p->ring_ms, &held) == 0) {
		held->call = call_slot(s, k);
		held->call_gen = k->gen;
		return;
	}
	send_answer(s, c, k, m, p, true); /* no room to hold it: answered at once */
}

/* A new INVITE (its 100 is out): refused, rung until cancelled, rung then answered, or
 * answered at once, as drawn. --refuse and --delay-ms override the behaviour. */
static void new_invite(struct uas *s, struct conn *c, const struct sip_msg *m)
{
	struct plan p;
	plan_of(s, m, &p);
	p.t_invite = s->w->now;
	tally_start(s);
	if ((s->cfg.gate && !rate_gate_admit(s->cfg.gate, s->w->now)) ||
	    (s->cfg.limit && atomic_load_explicit(&s->cfg.limit->now, memory_order_relaxed) >
				     s->cfg.limit->max)) { /* overloaded; this call counted in now */
		s->counts.overloaded++;
		respond(s, c, m, 503);
		tally_status(s, m->call_id, 503);
		return;
	}
	if (!s->cfg.refuse_status && p.status != 200 && p.status != SCN_NO_ANSWER) {
		if (p.not_routed)
			s->counts.not_routed++;
		else
			s->counts.refused++;
		respond(s, c, m, p.status);
		tally_status(s, m->call_id, p.status);
		return;
	}
	if (!s->cfg.refuse_status && p.status == SCN_NO_ANSWER) {
		respond(s, c, m, 180);
		if (pend(s, c, m, &p, 0, NULL)) {
			respond(s, c, m, 480); /* no room to hold it: temporarily unavailable */
			tally_status(s, m->call_id, 480);
		} else {
			s->counts.rang_out++;
		}
		return;
	}
	uint32_t wait = s->cfg.delay_ms ? s->cfg.delay_ms : p.ring_ms;
	if (s->cfg.delay_ms)
		p.ring_ms = 0; /* --delay-ms: silence, then 180 and 200 together */
	if (p.early && p.ring_ms && m->body.len && !s->cfg.refuse_status) {
		answer_early(s, c, m, &p);
		return;
	}
	if (wait && !s->cfg.refuse_status) {
		if (p.ring_ms)
			respond(s, c, m, 180);
		if (pend(s, c, m, &p, wait, NULL) == 0)
			return;
	}
	answer_invite(s, c, m, &p, p.ring_ms > 0 && wait && !s->cfg.refuse_status);
}

/* hangup_after_ms is over: BYE, once the 2xx was ACKed (RFC 3261 15). */
static void hang_up(struct uas *s, const struct timer_entry *t)
{
	if (t->slot >= s->n_calls)
		return;
	struct uas_call *k = &s->calls[t->slot];
	struct conn *c = k->used && k->gen == t->seq ? worker_conn(s->w, k->conn_slot, k->conn_gen) : NULL;
	if (!c || k->ss.over)
		return;
	if (k->ss.awaiting_ack && s->w->now - k->t_answered < ACK_WAIT_NS) {
		if (!worker_timer(s->w, s->w->now + ACK_POLL_NS, t->slot, t->seq, T_HANGUP))
			return;
	}
	char contact[96];
	struct ua_io io = io_of(s, c, k, contact, sizeof(contact));
	if (ua_send(&k->ss, &io, SIP_BYE, false) == 0) {
		s->counts.hangups++;
		s->w->res.ended_by_us++;
	}
	call_end(s, k, NULL); /* its 200 finds no call and is dropped */
}

/* How a ping is answered now: the behaviour's options status within its window of
 * time since the start, else 200. */
static int options_status(const struct uas *s)
{
	const struct scn_options *o = s->cfg.behaviour ? &s->cfg.behaviour->options : NULL;
	if (!o || !o->set)
		return 200;
	double t = (double)(s->w->now - s->t0) / 1e9;
	bool within = t >= o->after_s && (o->for_s <= 0 || t < o->after_s + o->for_s);
	return within ? o->status : 200;
}

static void uas_conn_msg(struct worker *w, struct conn *c, const struct sip_msg *m)
{
	struct uas *s = w->role_arg;
	if (uas_traces_on(&s->traces))
		uas_trace_received(&s->traces, w->now, c, m);
	struct uas_call *k = call_of(s, m->call_id);
	if (m->kind != SIP_KIND_REQUEST) { /* to a request of a call's session */
		if (k) {
			char contact[96];
			const char *why;
			struct ua_io io = io_of(s, c, k, contact, sizeof(contact));
			on_event(s, c, k, ua_on_response(&k->ss, &io, m, &why), why);
		}
		return;
	}
	if (k && (m->to_tag.len || m->method == SIP_ACK)) {
		in_dialog(s, c, k, m);
		return;
	}
	struct sip_msg inv;
	struct pending *p;
	switch (m->method) {
	case SIP_INVITE:
		if (k || m->to_tag.len) { /* a retransmission, or a dialog we do not have */
			if (!k) {
				s->counts.no_dialog++;
				respond(s, c, m, 481);
			}
			break;
		}
		s->counts.invites++;
		respond(s, c, m, 100);
		new_invite(s, c, m);
		break;
	case SIP_ACK:
		break; /* of a final response we sent without a call (a refusal) */
	case SIP_CANCEL:
		s->counts.cancels++;
		p = pending_of(s, c, m->call_id, &inv);
		respond(s, c, m, p ? 200 : 481);
		if (p) {
			respond(s, c, &inv, 487);
			struct uas_call *k2 = early_call(s, p);
			unpend(s, p);
			if (k2)
				call_end(s, k2, NULL); /* the caller ended it, as a caller may */
			else if (!p->plan.early)
				tally_end(s, m->call_id, NULL);
		}
		break;
	case SIP_OPTIONS: /* a ping outside any dialog */
		s->counts.options++;
		if (options_status(s) != SCN_NO_ANSWER)
			respond(s, c, m, options_status(s));
		break;
	case SIP_BYE:
	case SIP_UPDATE:
	case SIP_INFO:
	case SIP_PRACK:
	case SIP_NOTIFY:
		s->counts.no_dialog++;
		respond(s, c, m, 481);
		break;
	default:
		s->counts.other++;
		respond(s, c, m, 501);
		break;
	}
}

static void uas_timer(struct worker *w, const struct timer_entry *t)
{
	struct uas *s = w->role_arg;
	if (t->kind == T_SESSION) {
		if (t->slot >= s->n_calls)
			return;
		struct uas_call *k = &s->calls[t->slot];
		struct conn *c = k->used ? worker_conn(w, k->conn_slot, k->conn_gen) : NULL;
		if (!c || k->timer_seq != t->seq)
			return;
		char contact[96];
		const char *why;
		struct ua_io io = io_of(s, c, k, contact, sizeof(contact));
		on_event(s, c, k, ua_on_deadline(&k->ss, &io, w->now, &why), why);
		return;
	}
	if (t->kind == T_HANGUP) {
		hang_up(s, t);
		return;
	}
	if (t->slot >= s->n_pending)
		return;
	struct pending *p = &s->pending[t->slot];
	if (!p->used || p->seq != t->seq)
		return;
	unpend(s, p);
	struct conn *c = worker_conn(w, p->conn_slot, p->conn_gen);
	struct sip_msg m;
	bool ok = c && c->state == CONN_UP && sip_parse_msg(p->msg.data, p->msg.len, p->msg.len, &m) > 0;
	struct uas_call *k = early_call(s, p);
	if (ok && k)
		send_answer(s, c, k, &m, &p->plan, true);
	else if (ok && !p->plan.early)
		answer_invite(s, c, &m, &p->plan, p->plan.ring_ms > 0);
	else if (!k) /* an early call is counted when it ends */
		tally_end(s, pending_call_id(p, &m), "connection_lost");
}

static void uas_conn_up(struct worker *w, struct conn *c)
{
	(void)w, (void)c; /* the worker counts connections and handshakes */
}

static void uas_conn_down(struct worker *w, struct conn *c, int err, const char *why)
{
	struct uas *s = w->role_arg;
	(void)err, (void)why;
	for (uint32_t i = 0; i < s->pending_free.used; i++)
		if (s->pending[i].used && s->pending[i].conn_slot == c->slot &&
		    s->pending[i].conn_gen == c->gen) {
			unpend(s, &s->pending[i]);
			if (!s->pending[i].plan.early) { /* an early one's call counts below */
				struct sip_msg m;
				tally_end(s, pending_call_id(&s->pending[i], &m), "connection_lost");
			}
		}
	for (uint32_t i = 0; i < s->n_calls; i++)
		if (s->calls[i].used && s->calls[i].conn_slot == c->slot &&
		    s->calls[i].conn_gen == c->gen)
			call_end(s, &s->calls[i], "connection_lost");
}

static uint64_t uas_tick(struct worker *w, uint64_t now)
{
	struct uas *s = w->role_arg;
	uint64_t next = s->media_on ? media_tick(&s->media, now) : 0;
	w->media_timing = s->media_on && media_streams_open(&s->media);
	if (!s->cfg.metrics)
		return next;
	if (now >= s->metrics_next) { /* once a second */
		metrics_publish(s->cfg.metrics, &w->res, s->in_progress);
		s->metrics_next = now + NS_PER_S;
	}
	return next && next < s->metrics_next ? next : s->metrics_next;
}

static void uas_ring_cqe(struct worker *w, uint64_t tag, int res, unsigned flags)
{
	struct uas *s = w->role_arg;
	if (s->media_on) /* without media its buffers are gone too */
		media_cqe(&s->media, tag, res, flags);
}

static bool uas_finished(struct worker *w)
{
	(void)w;
	return false; /* a responder runs until it is stopped */
}

const struct worker_role uas_role = {
	.conn_up = uas_conn_up,
	.conn_msg = uas_conn_msg,
	.conn_down = uas_conn_down,
	.timer = uas_timer,
	.tick = uas_tick,
	.finished = uas_finished,
	.ring_cqe = uas_ring_cqe,
};

/* What we accept and what we offer: a delayed offer lists the suites CUCM lists,
 * in its order, that we accept. */
static void suites(struct uas *s)
{
	static const enum sdes_suite cucm_order[] = { SDES_AEAD_AES_256_GCM, SDES_AEAD_AES_128_GCM,
						      SDES_AES_CM_128_HMAC_SHA1_80,
						      SDES_AES_CM_128_HMAC_SHA1_32 };
	for (int i = 0; i < SDES_SUITE_COUNT; i++) {
		bool ok = !s->cfg.n_accept;
		for (unsigned k = 0; k < s->cfg.n_accept; k++)
			ok |= s->cfg.accept[k] == (enum sdes_suite)i;
		if (ok)
			s->accept[s->n_accept++] = (enum sdes_suite)i;
	}
	for (size_t i = 0; i < sizeof(cucm_order) / sizeof(cucm_order[0]); i++)
		for (unsigned k = 0; k < s->n_accept; k++)
			if (s->accept[k] == cucm_order[i])
				s->offer[s->n_offer++] = cucm_order[i];
	if (!s->n_offer) /* accepted suites outside CUCM's list: offer them as they come */
		for (unsigned k = 0; k < s->n_accept; k++)
			s->offer[s->n_offer++] = s->accept[k];
}

struct uas *uas_new(struct worker *w, const struct uas_config *cfg)
{
	struct uas *s = calloc(1, sizeof(*s));
	if (!s)
		return NULL;
	s->w = w;
	s->cfg = *cfg;
	if (!s->cfg.min_se_s)
		s->cfg.min_se_s = cfg->timer ? cfg->timer->min_se_s : ST_RFC_MIN_SE;
	if (!s->cfg.max_calls)
		s->cfg.max_calls = UAS_MAX_CALLS;
	suites(s);
	if (cfg->behaviour && cfg->behaviour->n_offer_crypto) { /* answer.offer_crypto, as it says */
		memcpy(s->offer, cfg->behaviour->offer_crypto,
		       cfg->behaviour->n_offer_crypto * sizeof(s->offer[0]));
		s->n_offer = cfg->behaviour->n_offer_crypto;
	}
	if (call_table_init(&s->index, 2 * s->cfg.max_calls, same_call_id, s) ||
	    uas_traces_init(&s->traces, &cfg->trace, &w->res, cfg->traces_started)) {
		uas_free(s);
		return NULL;
	}
	w->peer_addrs |= uas_traces_on(&s->traces); /* each message's line names the caller */
	const struct scn_uas *u = cfg->behaviour;
	bool waits = u && (u->answer.has_ring || u->n_routes); /* a route may ring */
	for (unsigned i = 0; u && i < u->answer.n_outcomes; i++)
		waits |= u->answer.outcomes[i].status == SCN_NO_ANSWER;
	for (unsigned i = 0; u && i < u->n_routes; i++)
		for (unsigned o = 0; o < u->routes[i].answer.n_outcomes; o++)
			waits |= u->routes[i].answer.outcomes[o].status == SCN_NO_ANSWER;
	if (u && u->n_routes) {
		s->routes = calloc(u->n_routes, sizeof(*s->routes));
		for (unsigned i = 0; s->routes && i < u->n_routes; i++, s->n_routes++)
			if (regcomp(&s->routes[i], u->routes[i].user, REG_EXTENDED | REG_NOSUB))
				break; /* checked when the file was loaded */
		if (!s->routes || s->n_routes != u->n_routes) {
			uas_free(s);
			return NULL;
		}
	}
	if (cfg->delay_ms || waits) {
		/* as many as calls: a ringing call is one that will be */
		s->n_pending = s->cfg.max_calls;
		s->pending = calloc(s->n_pending, sizeof(*s->pending));
		if (!s->pending || slot_stack_init(&s->pending_free, s->n_pending)) {
			uas_free(s);
			return NULL;
		}
	}
	if (cfg->media_port_lo) {
		/* no more streams than port pairs in the range, unless they share one */
		uint32_t pairs = (uint32_t)(cfg->media_port_hi - cfg->media_port_lo + 1) / 2;
		uint32_t most = cfg->shared_media_ports ? SHARED_STREAMS_MAX : pairs;
		uint32_t streams = cfg->max_streams ? cfg->max_streams : most;
		if (streams > most)
			streams = most;
		if (media_pool_init(&s->media, &w->ring, &w->res, streams, cfg->media_port_lo,
				    cfg->media_port_hi, cfg->shared_media_ports)) {
			uas_free(s);
			return NULL;
		}
		s->media_on = true;
		s->media.capture = w->capture;
		s->media.wrong_tx_key = cfg->srtp_wrong_key;
		s->media.replay_tx = cfg->srtp_replay;
		s->media.drop_per_10k = cfg->srtp_drop_per_10k;
		s->media.reorder_per_10k = cfg->srtp_reorder_per_10k;
		s->media.jitter_us = cfg->srtp_jitter_us;
		s->media.keep_old_tx_key = cfg->srtp_keep_old_key;
		s->media.echo_dtmf = !cfg->no_dtmf_echo;
		snprintf(s->media.expect_dtmf, sizeof(s->media.expect_dtmf), "%s", cfg->expect_dtmf);
	}
	s->t0 = clock_mono_ns();
	w->role = &uas_role;
	w->role_arg = s;
	w->peer_warn_days = 30;
	worker_listen(w);
	return s;
}

void uas_finish(struct uas *s)
{
	s->counts.connections = s->w->accepted;
	for (uint32_t i = 0; i < s->pending_free.used; i++)
		if (s->pending[i].used) {
			unpend(s, &s->pending[i]);
			if (!s->pending[i].plan.early) {
				struct sip_msg m;
				tally_end(s, pending_call_id(&s->pending[i], &m), "interrupted");
			}
		}
	for (uint32_t i = 0; i < s->n_calls; i++)
		if (s->calls[i].used)
			call_end(s, &s->calls[i], "interrupted");
	uas_traces_free(&s->traces); /* the rest are kept (or let go) in the result now */
}

void uas_free(struct uas *s)
{
	if (!s)
		return;
	for (uint32_t i = 0; i < s->pending_free.used; i++)
		buf_free(&s->pending[i].msg);
	free(s->pending);
	slot_stack_free(&s->pending_free);
	if (s->media.s)
		media_pool_free(&s->media);
	call_table_free(&s->index);
	uas_traces_free(&s->traces);
	for (unsigned i = 0; i < s->n_routes; i++)
		regfree(&s->routes[i]);
	free(s->routes);
	free(s->calls);
	free(s->free_calls);
	free(s);
}

const struct uas_counts *uas_counts(const struct uas *s)
{
	return &s->counts;
}
