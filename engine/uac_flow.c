#include "uac_call.h"
#include "clock.h"
#include "sdp.h"
#include "sip_build.h"
#include <arpa/inet.h>
#include <stdio.h>
#include <string.h>

static int send_media(struct uac *u, struct call *k);

static void arm(struct uac *u, struct call *k, uint64_t at)
{
	uac_arm_kind(u, k, at, T_STEP);
}

/* How often an expect_dtmf step looks at what arrived (a digit lasts 40 ms or more). */
#define DTMF_POLL_NS (20 * NS_PER_MS)
/* A dtmf step whose digits are not out this long after they should be has failed. */
#define DTMF_LATE_NS (1000 * NS_PER_MS)

static void arm_expect(struct uac *u, struct call *k)
{
	const struct scenario *s = u->scn;
	unsigned i = k->step;
	while (i + 1 < s->n_flow && s->flow[i].optional && s->flow[i + 1].kind == FLOW_EXPECT)
		i++;
	arm(u, k, u->w->now + (uint64_t)s->flow[i].timeout_ms * NS_PER_MS);
}

/* A dtmf step: media goes out as for a media step, the digits in it, and the step
 * ends once the last digit's end packets are out. */
static void start_dtmf(struct uac *u, struct call *k, const struct flow_step *st)
{
	const struct scenario *s = u->scn;
	if (!k->has_media || !k->ss.neg.agreed || !uac_we_send(k)) {
		uac_call_fail(u, k, "dtmf_no_media", true);
		return;
	}
	if (k->ss.neg.remote_te_pt < 0) {
		uac_call_fail(u, k, "dtmf_not_negotiated", true);
		return;
	}
	if (send_media(u, k) ||
	    media_send_dtmf(&u->media, k->media_slot, st->digits, st->ms, st->gap_ms)) {
		uac_call_fail(u, k, "srtp_setup_failed", true);
		return;
	}
	/* each digit, the gaps, and the two end packets repeated after each */
	uint64_t n = strlen(st->digits), ptime = (uint64_t)s->ptime_ms * NS_PER_MS;
	uint64_t due = n * ((uint64_t)st->ms * NS_PER_MS + 2 * ptime) +
		       (n - 1) * (uint64_t)st->gap_ms * NS_PER_MS;
	k->step_deadline = u->w->now + due + DTMF_LATE_NS;
	arm(u, k, u->w->now + due + ptime);
}

/* An expect_dtmf step looks: true when it is over (passed, or the call failed). */
static bool check_dtmf(struct uac *u, struct call *k, const struct flow_step *st)
{
	bool ended = false;
	const char *all = k->has_media ? media_dtmf_received(&u->media, k->media_slot, &ended) : "";
	const char *got = strlen(all) >= k->dtmf_from ? all + k->dtmf_from : "";
	size_t want = strlen(st->digits), n = strlen(got);
	bool differs = strncmp(got, st->digits, n < want ? n : want) || n > want;
	bool late = u->w->now >= k->step_deadline;
	/* the last digit is awaited to its end (or the deadline, if its end packets are lost) */
	if (!differs && (n < want || !ended) && !late)
		return false;
	struct result *res = &u->w->res;
	res->dtmf[DTMF_COUNT_CHECKED] += want;
	if (!differs && n == want) {
		k->dtmf_from = (uint8_t)(k->dtmf_from + want);
		return true;
	}
	res->dtmf[DTMF_COUNT_MISMATCHED] += dtmf_mismatched(st->digits, got);
	uac_call_fail(u, k, differs ? "dtmf_mismatch" : "dtmf_timeout", true);
	return true;
}

void uac_call_advance(struct uac *u, struct call *k)
{
	const struct scenario *s = u->scn;
	while (k->active) {
		if (k->step >= s->n_flow) {
			uac_call_done(u, k);
			return;
		}
		const struct flow_step *st = &s->flow[k->step];
		uint32_t ms;
		switch (st->kind) {
		case FLOW_SEND: {
			const char *why = NULL;
			int err = st->method == SIP_ACK ? uac_send_ack(u, k, st->sdp_answer, st, &why) :
				  uac_send_request(u, k, st->method, st->sdp_offer, st);
			if (err) {
				uac_call_fail(u, k, why ? why : err == -ENOTCONN ? "connection_lost" :
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
			if (st->kind == FLOW_MEDIA && k->has_media && k->ss.neg.agreed && uac_we_send(k) &&
			    send_media(u, k)) {
				uac_call_fail(u, k, "srtp_setup_failed", true);
				return;
			}
			arm(u, k, u->w->now + (uint64_t)ms * NS_PER_MS);
			return;
		case FLOW_DTMF:
			start_dtmf(u, k, st);
			return;
		case FLOW_EXPECT_DTMF:
			k->step_deadline = u->w->now + (uint64_t)st->timeout_ms * NS_PER_MS;
			arm(u, k, u->w->now + DTMF_POLL_NS);
			return;
		}
	}
}

static void list_keys(struct uac *u, struct call *k, const union tl_sockaddr *to)
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
	char remote[TL_HOSTPORT_TEXT];
	snprintf(row->remote, sizeof(row->remote), "%s", tl_sockaddr_hostport(to, remote, sizeof(remote)));
}

/* Points the call's streams at what the offer/answer agreed: the far end's address
 * and key (ours goes out at the media step). A failure reason, or NULL. */
const char *uac_media_from_neg(struct uac *u, struct call *k)
{
	const struct sdp_neg *n = &k->ss.neg;
	if (!n->agreed)
		return NULL;
	/* the codec: one we offered, or (their offer) one we have */
	int pt = neg_codec(n, u->scn->codecs, u->scn->n_codecs, k->ss.neg.they_answered);
	if (pt < 0)
		return n->they_answered ? "sdp_codec_not_offered" : "sdp_no_common_codec";
	k->pt = (uint8_t)pt;
	if (!k->has_media)
		return NULL;
	union tl_sockaddr to;
	if (tl_sockaddr_set(&to, n->remote_addr, n->remote_port))
		return "sdp_bad_address";
	media_set_remote(&u->media, k->media_slot, &to);
	if (n->has_remote_ssrc)
		media_set_far_ssrc(&u->media, k->media_slot, n->remote_ssrc);
	media_set_events(&u->media, k->media_slot, n->remote_te_pt);
	if (media_set_rx(&u->media, k->media_slot, &n->theirs))
		return "srtp_setup_failed";
	if (n->changed)
		list_keys(u, k, &to);
	media_expect_rx(&u->media, k->media_slot, uac_we_receive(k));
	/* held or resumed by the far end during a media step, or new keys: our sending follows */
	bool in_media = k->step < u->scn->n_flow && (u->scn->flow[k->step].kind == FLOW_MEDIA ||
						    u->scn->flow[k->step].kind == FLOW_DTMF);
	if (!uac_we_send(k)) { /* what we receive is still reported (RR) */
		media_stop_tx(&u->media, k->media_slot);
		if (media_set_tx_key(&u->media, k->media_slot, neg_our_key(n)))
			return "srtp_setup_failed";
	} else if (in_media && (n->turned || n->changed) && send_media(u, k))
		return "srtp_setup_failed";
	return NULL;
}

/* RFC 3264 6.1: what our offer allows and what the far end's SDP says it does. */
bool uac_we_receive(const struct call *k)
{
	const char *theirs = k->ss.neg.direction;
	return (k->dir == SCN_SENDRECV || k->dir == SCN_RECVONLY) &&
	       (!strcmp(theirs, "sendrecv") || !strcmp(theirs, "sendonly"));
}

bool uac_we_send(const struct call *k)
{
	const char *theirs = k->ss.neg.direction;
	return (k->dir == SCN_SENDRECV || k->dir == SCN_SENDONLY) &&
	       (!strcmp(theirs, "sendrecv") || !strcmp(theirs, "recvonly"));
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
		return uac_media_from_neg(u, k);
	}
	if (n->state == NEG_IDLE && k->early_answer && !k->reinvite) {
		/* the 183 answered already: the 200 may repeat that answer or, with other keys or
		 * another address, replace it (the media moves to it) */
		if (!m->body.len)
			return NULL;
		if (sdp_parse(m->body.p, m->body.len, &a))
			return "sdp_malformed";
		n->state = NEG_LOCAL_OFFER;
		if (neg_take_answer(n, &a, &why))
			return why ? why : "sdp_bad_crypto";
		return n->changed || n->turned ? uac_media_from_neg(u, k) : NULL;
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

/* The number of a reliable provisional response (RFC 3262 7.1): 1 to 2^31 - 1. */
static int rseq_of(const struct sip_msg *m, uint32_t *out)
{
	struct tl_str v;
	uint64_t n = 0;
	if (sip_header_value(m->head, "RSeq", 0, &v) || !v.len || v.len > 10)
		return -EBADMSG;
	for (size_t i = 0; i < v.len; i++) {
		if (v.p[i] < '0' || v.p[i] > '9')
			return -EBADMSG;
		n = n * 10 + (uint64_t)(v.p[i] - '0');
	}
	if (!n || n > 2147483647u)
		return -EBADMSG;
	*out = (uint32_t)n;
	return 0;
}

/* A provisional response to our INVITE: PRACKed when reliable (once per RSeq: a
 * retransmission is not PRACKed again, RFC 3262 4), and its SDP, when it answers our
 * offer, starts early media (a 183 with SDP). A failure reason, or NULL. */
static const char *take_provisional(struct uac *u, struct call *k, const struct sip_msg *m)
{
	uint32_t rseq;
	if (sip_option_listed(m->require, m->n_require, "100rel")) {
		if (rseq_of(m, &rseq))
			return "bad_rseq";
		if (rseq > k->rseq_acked) {
			if (dialog_uac_early(&k->ss.dlg, m))
				return "missing_to_tag";
			k->rseq_acked = rseq;
			if (uac_send_prack(u, k, rseq))
				return "send_failed";
		}
	}
	struct sdp_neg *n = &k->ss.neg;
	if (!m->body.len || n->state != NEG_LOCAL_OFFER)
		return NULL;
	struct sdp_audio a;
	const char *why = NULL;
	if (sdp_parse(m->body.p, m->body.len, &a))
		return "sdp_malformed";
	if (neg_take_answer(n, &a, &why))
		return why ? why : "sdp_bad_crypto";
	k->early_answer = true;
	return uac_media_from_neg(u, k);
}

/* The 2xx to our UPDATE with an offer carries the answer; media follows it. */
static const char *take_update_answer(struct uac *u, struct call *k, const struct sip_msg *m)
{
	struct sdp_audio a;
	const char *why = NULL;
	if (!m->body.len)
		return "sdp_missing";
	if (sdp_parse(m->body.p, m->body.len, &a))
		return "sdp_malformed";
	if (neg_take_answer(&k->ss.neg, &a, &why))
		return why ? why : "sdp_bad_crypto";
	return uac_media_from_neg(u, k);
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
	if (at && worker_timer(u->w, at, uac_call_slot(u, k), k->st_seq, T_SESSION))
		uac_call_fail(u, k, "out_of_memory", true);
}

/* Media out with our key in use from now. With a key lifetime, the rekey is planned an
 * eighth of it (at least a second of packets, at most half) before its end. */
static int send_media(struct uac *u, struct call *k)
{
	const struct scenario *s = u->scn;
	int err = media_start_tx(&u->media, k->media_slot, neg_our_key(&k->ss.neg), s->ptime_ms, k->pt,
				 clock_mono_ns());
	if (err || !s->key_lifetime || !s->rekey_on_lifetime)
		return err;
	uint64_t ptime = (uint64_t)s->ptime_ms * NS_PER_MS, second = NS_PER_S / ptime;
	uint64_t margin = s->key_lifetime / 8 > second ? s->key_lifetime / 8 : second;
	if (margin > s->key_lifetime / 2)
		margin = s->key_lifetime / 2;
	uint64_t left = media_tx_key_left(&u->media, k->media_slot);
	uint64_t until = left > margin ? left - margin : 0;
	/* past 2^32 packets (2.7 years at 20 ms) no run gets there */
	k->ss.rekey_at = until >> 32 ? 0 : u->w->now + until * ptime;
	arm_session(u, k);
	return 0;
}

/* The send step of the INVITE whose response the flow awaits at step i. */
static const struct flow_step *invite_step(const struct scenario *s, unsigned i)
{
	while (i-- > 0)
		if (s->flow[i].kind == FLOW_SEND && s->flow[i].method == SIP_INVITE)
			return &s->flow[i];
	return NULL;
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
	int err = uac_send_request(u, k, SIP_INVITE, offer, invite_step(u->scn, k->step));
	if (err)
		uac_call_fail(u, k, "send_failed", false);
	return true;
}

static void on_session_event(struct uac *u, struct call *k, enum ua_event ev, const char *why);

/* Our re-INVITE met the far end's own (491, RFC 3261 14.1): its offer falls, and the
 * same step goes again after 2.1 to 4 s, as the owner of the Call-ID waits. */
static bool retry_glare(struct uac *u, struct call *k)
{
	if (k->glare_retries >= GLARE_RETRIES)
		return false;
	k->glare_retries++;
	k->invite_final = true;
	k->ss.neg.state = NEG_IDLE;
	uint16_t r;
	(void)rand_pool_get(&u->w->rand, &r, sizeof(r));
	uac_arm_kind(u, k, u->w->now + (210u + r % 191u) * 10 * NS_PER_MS, T_GLARE);
	return true;
}

void uac_glare_timer(struct uac *u, struct call *k)
{
	const struct flow_step *st = invite_step(u->scn, k->step);
	if (uac_send_request(u, k, SIP_INVITE, st && st->sdp_offer, st)) {
		uac_call_fail(u, k, "send_failed", true);
		return;
	}
	arm_expect(u, k);
}

/* An expect step's header checks: each named header has a value its pattern matches. */
static bool headers_match(struct uac *u, const struct flow_step *st, const struct sip_msg *m)
{
	char value[1024];
	for (unsigned i = st->chk_first; i < st->chk_first + st->chk_n; i++) {
		bool found = false;
		struct tl_str v;
		for (unsigned nth = 0; !found && !sip_header_value(m->head, u->scn->header_checks[i].name, nth, &v);
		     nth++) {
			/* a folded value is one line to the pattern */
			size_t n = v.len < sizeof(value) - 1 ? v.len : sizeof(value) - 1;
			for (size_t j = 0; j < n; j++)
				value[j] = v.p[j] == '\r' || v.p[j] == '\n' ? ' ' : v.p[j];
			value[n] = 0;
			found = regexec(&u->checks[i], value, 0, NULL, 0) == 0;
		}
		if (!found)
			return false;
	}
	return true;
}

/* A refused request in an answered call (a re-INVITE, an UPDATE) leaves the dialog up:
 * a failing call must still end it with BYE. */
static bool dialog_up(const struct call *k)
{
	return k->got_2xx && !k->bye_sent;
}

void uac_on_response(struct uac *u, struct conn *c, const struct sip_msg *m)
{
	if (u->scn->options_ping_s && uac_ping_response(u, c, m))
		return;
	struct call *k = uac_call_by_id(u, m->call_id);
	if (k && k->trace.t)
		uac_trace_received(u, k, c, m);
	if (k && k->cancelling && k->conn_slot == c->slot &&
	    ((m->cseq_method == SIP_INVITE || m->cseq_method == SIP_CANCEL) ?
		     tl_str_eq(m->branch, k->branch_invite) : tl_str_eq(m->branch, k->branch_last))) {
		uac_cancelled_response(u, k, m);
		return;
	}
	bool invite_txn = (m->cseq_method == SIP_INVITE || m->cseq_method == SIP_CANCEL) &&
			  k && tl_str_eq(m->branch, k->branch_invite);
	bool last_txn = k && m->cseq_method == k->last_method && tl_str_eq(m->branch, k->branch_last);
	if (k && k->conn_slot == c->slot && m->cseq_method == SIP_PRACK &&
	    tl_str_eq(m->branch, k->branch_prack)) { /* our PRACK's answer: only a refusal matters */
		if (m->status >= 300) {
			char reason[32];
			snprintf(reason, sizeof(reason), "prack_%d", m->status);
			uac_call_fail(u, k, reason, true);
		}
		return;
	}
	if (k && k->conn_slot == c->slot && !(invite_txn || last_txn) &&
	    k->ss.pending.method != SIP_METHOD_UNKNOWN && tl_str_eq(m->branch, k->ss.pending.branch)) {
		/* a request of the session's own: a refresh, or its BYE */
		char contact[400];
		const char *why;
		struct ua_io io = uac_call_io(u, k, c, contact, sizeof(contact));
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
		uac_call_fail(u, k, "cseq_mismatch", m->cseq_method == SIP_INVITE && m->status >= 200);
		return;
	}
	if (m->cseq_method == SIP_INVITE && k->reinvite) {
		if (m->status >= 200 && m->status < 300) {
			const char *why;
			if (k->invite_final) { /* retransmitted: its ACK again */
				if (k->acked)
					uac_send_ack(u, k, false, NULL, &why);
				return;
			}
			k->acked = false; /* this 2xx's ACK is the flow's next step */
			k->glare_retries = 0;
		} else if (m->status >= 300) {
			if (k->invite_final)
				return;
			uac_send_error_ack(u, k, m);
			if (m->status == 491 && retry_glare(u, k))
				return;
		}
		k->invite_final |= m->status >= 200;
	} else if (m->cseq_method == SIP_INVITE) {
		if (m->status >= 100 && m->status < 200) {
			if (m->status == 100 && !k->seen_100) {
				k->seen_100 = true;
				uac_lat(u, LAT_INVITE_TO_100, k->t_sched);
			} else if ((m->status == 180 || m->status == 183) && !k->seen_180) {
				k->seen_180 = true;
				uac_lat(u, LAT_INVITE_TO_180, k->t_sched);
			}
			const char *why = m->status > 100 ? take_provisional(u, k, m) : NULL;
			if (why) {
				uac_call_fail(u, k, why, true);
				return;
			}
		} else if (m->status < 300) {
			const char *why;
			if (k->got_2xx) { /* a retransmitted 2xx: each gets its ACK (RFC 3261 13.2.2.4) */
				if (k->acked)
					uac_send_ack(u, k, false, NULL, &why);
				return;
			}
			k->invite_final = true;
			if (dialog_uac_confirm(&k->ss.dlg, m)) { /* no To tag: no dialog (12.1.2) */
				uac_call_fail(u, k, "missing_to_tag", false);
				return;
			}
			k->got_2xx = true;
			uac_lat_invite_to_200(u, k);
			uac_lat(u, LAT_INVITE_TO_FINAL, k->t_sched);
			uac_lat(u, LAT_INVITE_TO_200_SENT, k->t_invite);
			ua_timer_from_2xx(&k->ss, m, u->w->now);
			arm_session(u, k);
			if (!k->active)
				return;
		} else {
			if (k->invite_final)
				return;
			k->invite_final = true;
			uac_send_error_ack(u, k, m);
			if (m->status == 422 && retry_422(u, k, m))
				return;
			uac_lat(u, LAT_INVITE_TO_FINAL, k->t_sched);
		}
	} else if (m->status >= 200 && m->status < 300) {
		if (m->cseq_method == SIP_BYE && k->bye_sent)
			uac_lat(u, LAT_BYE_TO_200, k->t_request);
		else if (m->cseq_method == SIP_OPTIONS)
			uac_lat(u, LAT_OPTIONS_TO_200, k->t_request);
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
			/* a refused re-INVITE leaves the call on its old media: said apart */
			snprintf(reason, sizeof(reason), "%s_%d",
				 m->cseq_method == SIP_INVITE && k->reinvite ? "reinvite" : "status", m->status);
			uac_call_fail(u, k, reason, m->status < 300 || dialog_up(k));
		}
		return;
	}
	if (s->flow[i].chk_n && !headers_match(u, &s->flow[i], m)) {
		uac_call_fail(u, k, "header_mismatch", m->status < 300 || dialog_up(k));
		return;
	}
	if (m->cseq_method == SIP_UPDATE && k->ss.neg.state == NEG_LOCAL_OFFER) {
		const char *why = m->status < 300 ? take_update_answer(u, k, m) : NULL;
		k->ss.neg.state = NEG_IDLE; /* a refused offer falls with its request */
		if (why) {
			uac_call_fail(u, k, why, true);
			return;
		}
	}
	if (m->cseq_method == SIP_INVITE && m->status >= 200 && m->status < 300) {
		const char *why = take_2xx_sdp(u, k, m, next_send(s, i));
		if (why) {
			uac_call_fail(u, k, why, true);
			return;
		}
	}
	k->step = (uint8_t)(i + 1);
	k->timer_seq++;
	uac_call_advance(u, k);
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
			uac_call_advance(u, k);
		} else {
			uac_call_fail(u, k, "far_end_bye", false);
		}
		return;
	case UA_MEDIA:
		if ((why = uac_media_from_neg(u, k))) {
			uac_call_fail(u, k, why, true);
			return;
		}
		break;
	case UA_FAILED:
		uac_call_fail(u, k, why ? why : "session_failed", false);
		return;
	case UA_REKEYING:
		if (k->has_media)
			media_expect_rekey(&u->media, k->media_slot);
		break;
	case UA_REFRESHED:
	case UA_NONE:
		break;
	}
	arm_session(u, k);
}

/* A request from the far end: in one of our dialogs, the session answers it. */
void uac_on_request(struct uac *u, struct conn *c, const struct sip_msg *m)
{
	if (m->method == SIP_OPTIONS && !m->to_tag.len) { /* a keep-alive ping */
		struct sip_response r = { .status = 200 };
		char *p = worker_out_reserve(u->w, c, 4096);
		int n = p ? sip_build_response(p, 4096, m, &r) : -ENOMEM;
		if (n > 0)
			worker_out_commit(u->w, c, (size_t)n);
		return;
	}
	struct call *k = uac_call_by_id(u, m->call_id);
	if (k && k->trace.t)
		uac_trace_received(u, k, c, m);
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
	struct ua_io io = uac_call_io(u, k, c, contact, sizeof(contact));
	on_session_event(u, k, ua_on_request(&k->ss, &io, m, &why), why);
}

/* The session timer's deadline: a refresh of ours, or the end of an unrefreshed
 * session. seq: the deadline's own sequence (a stale one is ignored). */
void uac_session_deadline(struct uac *u, struct call *k, uint32_t seq)
{
	struct conn *c = k->active && k->st_seq == seq ? uac_call_conn(u, k) : NULL;
	if (!c)
		return;
	char contact[400];
	const char *why;
	struct ua_io io = uac_call_io(u, k, c, contact, sizeof(contact));
	on_session_event(u, k, ua_on_deadline(&k->ss, &io, u->w->now, &why), why);
}

/* The flow's own timer: an expect that timed out, or a pause or media phase over. */
void uac_flow_timer(struct uac *u, struct call *k)
{
	const struct scenario *s = u->scn;
	const struct flow_step *st = &s->flow[k->step];
	if (st->kind == FLOW_EXPECT) {
		unsigned i = k->step;
		while (i + 1 < s->n_flow && s->flow[i].optional && s->flow[i + 1].kind == FLOW_EXPECT)
			i++;
		char reason[32];
		if (s->flow[i].request)
			snprintf(reason, sizeof(reason), "timeout_bye");
		else
			snprintf(reason, sizeof(reason), "timeout_%d", s->flow[i].status);
		uac_call_fail(u, k, reason, true);
		return;
	}
	if (st->kind == FLOW_EXPECT_DTMF) {
		if (!check_dtmf(u, k, st)) {
			arm(u, k, u->w->now + DTMF_POLL_NS);
			return;
		}
		if (!k->active)
			return;
	}
	if (st->kind == FLOW_DTMF && media_dtmf_pending(&u->media, k->media_slot)) {
		if (u->w->now >= k->step_deadline) {
			uac_call_fail(u, k, "dtmf_not_sent", true);
			return;
		}
		arm(u, k, u->w->now + (uint64_t)s->ptime_ms * NS_PER_MS);
		return;
	}
	if ((st->kind == FLOW_MEDIA || st->kind == FLOW_DTMF) && k->has_media)
		media_stop_tx(&u->media, k->media_slot);
	k->step++;
	uac_call_advance(u, k);
}
