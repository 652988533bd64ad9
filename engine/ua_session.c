#include "ua_session.h"
#include "str.h"
#include <errno.h>
#include <string.h>

#define NS_PER_S 1000000000ull
#define NS_PER_MS 1000000ull
#define REKEY_WAIT_NS (200 * NS_PER_MS) /* a rekey due while another offer is under way */

/* What we allow in a dialog (Allow on 501 and 405). */
static const char allow_line[] = "Allow: INVITE, ACK, BYE, CANCEL, OPTIONS, UPDATE, INFO, PRACK, NOTIFY\r\n";

void ua_init(struct ua_session *s, bool uac, enum sip_method refresh)
{
	memset(s, 0, sizeof(*s));
	s->uac = uac;
	s->refresh_method = refresh == SIP_UPDATE ? SIP_UPDATE : SIP_INVITE;
}

static uint32_t fnv1a(const char *p)
{
	uint32_t h = 2166136261u;
	for (; *p; p++)
		h = (h ^ (uint8_t)*p) * 16777619u;
	return h;
}

int ua_sdp(struct ua_session *s, const struct ua_io *io, char *buf, size_t cap)
{
	unsigned n;
	const struct sdes_crypto *lines = neg_lines(&s->neg, &n);
	const char *direction = "inactive";
	if (io->media)
		direction = s->neg.state == NEG_REMOTE_OFFER ? neg_answer_direction(s->neg.direction) :
			    io->direction ? io->direction : "sendrecv";
	struct sdp_params p = {
		.addr = io->media_addr, .port = io->media_port,
		.session_id = fnv1a(s->dlg.call_id), .version = 1000u + s->neg.version,
		.ptime_ms = io->ptime_ms, .crypto = lines, .n_crypto = n, .direction = direction,
		.pts = io->codecs, .n_pts = io->n_codecs,
		.has_ssrc = io->media && io->media_ssrc, .ssrc = io->media_ssrc,
	};
	/* an answer names the one codec taken from the offer (the first of ours it has), also
	 * when it goes again (the 200 after a 183 that carried it) */
	bool answer = s->neg.state == NEG_REMOTE_OFFER ||
		      (s->neg.state == NEG_IDLE && s->neg.agreed && !s->neg.they_answered);
	uint8_t chosen;
	int pt = answer ? neg_codec(&s->neg, io->codecs, io->n_codecs, false) : -1;
	if (pt >= 0 && io->n_codecs) {
		chosen = (uint8_t)pt;
		p.pts = &chosen;
		p.n_pts = 1;
	}
	/* ... and telephone-event under the offer's number, or not at all (RFC 3264 6.1) */
	if (answer)
		p.te_pt = s->neg.remote_te_pt > 0 ? s->neg.remote_te_pt : -1;
	return sdp_build(buf, cap, &p);
}

/* Builds into the connection's output; the builder is tried with more room when
 * the message does not fit. */
static int out_request(const struct ua_io *io, const struct sip_request *r)
{
	size_t need = 2048 + r->body.len + r->headers.len;
	for (int i = 0; i < 3; i++, need *= 4) {
		char *p = worker_out_reserve(io->w, io->c, need);
		if (!p)
			return -ENOMEM;
		int n = sip_build_request(p, need, r);
		if (n >= 0) {
			if (io->sent)
				io->sent(io->sent_arg, io->c, p, (size_t)n);
			worker_out_commit(io->w, io->c, (size_t)n);
			return 0;
		}
		if (n != -ENOSPC)
			return n;
	}
	return -ENOSPC;
}

static int out_response(const struct ua_io *io, const struct sip_msg *m, const struct sip_response *r)
{
	size_t need = 2048 + r->body.len + r->headers.len;
	for (int i = 0; i < 3; i++, need *= 4) {
		char *p = worker_out_reserve(io->w, io->c, need);
		if (!p)
			return -ENOMEM;
		int n = sip_build_response(p, need, m, r);
		if (n >= 0) {
			if (io->sent)
				io->sent(io->sent_arg, io->c, p, (size_t)n);
			worker_out_commit(io->w, io->c, (size_t)n);
			return 0;
		}
		if (n != -ENOSPC)
			return n;
	}
	return -ENOSPC;
}

static void new_branch(struct ua_io const *io, char *out, size_t cap)
{
	uint32_t r[2];
	(void)rand_pool_get(&io->w->rand, r, sizeof(r));
	struct tl_sb b = tl_sb_init(out, cap);
	TL_SB_LIT(&b, "z9hG4bK-ua-");
	tl_sb_hex(&b, r[0], 8);
	tl_sb_hex(&b, r[1], 8);
}

/* Session-Expires with who refreshes, as the sender of a message says it: refresher
 * names the UAC or the UAS of that transaction (RFC 4028 7). */
static void put_session_expires(struct tl_sb *b, uint32_t secs, bool uac_refreshes)
{
	TL_SB_LIT(b, "Session-Expires: ");
	tl_sb_uint(b, secs);
	tl_sb_cstr(b, uac_refreshes ? ";refresher=uac\r\n" : ";refresher=uas\r\n");
}

static int send_request(struct ua_session *s, const struct ua_io *io, enum sip_method m,
			uint32_t ack_cseq, const char *branch, struct tl_str headers, bool offer_or_answer,
			uint32_t *cseq)
{
	struct sip_request r = { 0 };
	struct tl_str routes[DIALOG_MAX_ROUTES];
	char body[2048];
	dialog_request(&s->dlg, &r, m, ack_cseq, routes);
	r.transport = io->c->use_tls ? TL_STR("TLS") : TL_STR("TCP");
	r.sent_by = tl_str_c(io->c->local_hostport);
	r.branch = tl_str_c(branch);
	if (m == SIP_INVITE || m == SIP_UPDATE)
		r.contact_uri = tl_str_c(io->contact);
	r.headers = headers;
	if (offer_or_answer) {
		int n = ua_sdp(s, io, body, sizeof(body));
		if (n < 0)
			return n;
		r.content_type = TL_STR("application/sdp");
		r.body = (struct tl_str){ body, (size_t)n };
	}
	if (cseq)
		*cseq = r.cseq;
	return out_request(io, &r);
}

/* A request of the session's own. A refresh offers the key in use again (a session
 * without SDP so far is refreshed without: the far end may offer in its 2xx); a rekey is
 * a re-INVITE offering new keys, and refreshes the session too when it has a timer. */
static int send_own(struct ua_session *s, const struct ua_io *io, enum sip_method m, bool refresh,
		    bool rekey)
{
	char branch[40], hdr[160];
	struct tl_sb h = tl_sb_init(hdr, sizeof(hdr));
	bool sdp = false;
	new_branch(io, branch, sizeof(branch));
	if (refresh) {
		TL_SB_LIT(&h, "Supported: timer\r\n");
		put_session_expires(&h, s->timer.interval_s, true);
	}
	if ((refresh || rekey) && m == SIP_INVITE && s->neg.agreed) {
		uint8_t rnd[SDES_MAX_KEY * NEG_MAX_LINES];
		(void)rand_pool_get(&io->w->rand, rnd, sizeof(rnd));
		neg_offer(&s->neg, io->suites, io->n_suites, rnd, rekey);
		sdp = true;
	}
	uint32_t cseq;
	int err = send_request(s, io, m, 0, branch, (struct tl_str){ hdr, h.n }, sdp, &cseq);
	if (err)
		return err;
	if (m == SIP_BYE)
		s->over = true;
	if (refresh || rekey || m == SIP_BYE) { /* the session's own requests: their answers are ours */
		s->pending = (struct ua_pending){ .method = m, .cseq = cseq, .refresh = refresh,
						  .rekey = rekey };
		memcpy(s->pending.branch, branch, sizeof(branch));
	}
	return 0;
}

int ua_send(struct ua_session *s, const struct ua_io *io, enum sip_method m, bool refresh)
{
	return send_own(s, io, m, refresh, false);
}

static int send_rekey(struct ua_session *s, const struct ua_io *io)
{
	return send_own(s, io, SIP_INVITE, s->timer.interval_s != 0, true);
}

int ua_send_ack(struct ua_session *s, const struct ua_io *io, uint32_t cseq)
{
	char branch[40];
	new_branch(io, branch, sizeof(branch));
	bool answer = s->neg.state == NEG_REMOTE_OFFER;
	int err = send_request(s, io, SIP_ACK, cseq, branch, io->headers, answer, NULL);
	if (!err && answer)
		neg_answered(&s->neg);
	return err;
}

void ua_timer_from_2xx(struct ua_session *s, const struct sip_msg *ok, uint64_t now)
{
	uint32_t secs;
	enum st_refresher who;
	if (!ok->session_expires.len || st_parse_session_expires(ok->session_expires, &secs, &who)) {
		s->timer.interval_s = 0;
		return;
	}
	/* we sent the request: refresher=uac (or none said) is us */
	s->timer = (struct session_timer){ .interval_s = secs, .we_refresh = who != ST_REFRESHER_UAS,
					   .since_ns = now };
	s->timer_asked = true;
}

int ua_answer_timer(struct ua_session *s, const struct ua_io *io, const struct sip_msg *inv,
		    uint64_t now)
{
	uint32_t secs;
	enum st_refresher who;
	bool supported = sip_option_listed(inv->supported, inv->n_supported, "timer");
	s->timer_ours = false;
	if (!inv->session_expires.len || st_parse_session_expires(inv->session_expires, &secs, &who)) {
		/* a refresh without it ends the timer (RFC 4028 9), unless we put ours in */
		s->timer.interval_s = supported ? io->offer_expires_s : 0;
		s->timer.we_refresh = io->prefer_refresh;
		s->timer.since_ns = now;
		s->timer_asked = s->timer_ours = supported && io->offer_expires_s;
		return 0;
	}
	if (secs < io->min_se_s)
		return 422;
	/* the far end sent the request: refresher=uas is us; unsaid, the far end
	 * refreshes when it can (Supported: timer) unless we would rather, else we must */
	bool we = who == ST_REFRESHER_UAS ||
		  (who == ST_REFRESHER_NONE && (!supported || io->prefer_refresh));
	s->timer = (struct session_timer){ .interval_s = secs, .we_refresh = we, .since_ns = now };
	s->timer_asked = supported;
	return 0;
}

int ua_respond(struct ua_session *s, const struct ua_io *io, const struct sip_msg *m, int status,
	       bool body)
{
	char hdr[256], sdp[2048];
	struct tl_sb h = tl_sb_init(hdr, sizeof(hdr));
	struct sip_response r = { .status = status };
	if (status > 100)
		r.to_tag = tl_str_c(s->dlg.local_tag);
	bool offer_answer = m->method == SIP_INVITE || m->method == SIP_UPDATE;
	if (offer_answer && status >= 200 && status < 300) {
		r.contact_uri = tl_str_c(io->contact);
		if (s->timer.interval_s && (m->session_expires.len || s->timer_ours)) {
			if (s->timer_asked)
				TL_SB_LIT(&h, "Require: timer\r\n");
			/* the far end sent the request: it is the UAC of it */
			put_session_expires(&h, s->timer.interval_s, !s->timer.we_refresh);
		}
	}
	if (status == 422) {
		TL_SB_LIT(&h, "Min-SE: ");
		tl_sb_uint(&h, io->min_se_s);
		TL_SB_LIT(&h, "\r\n");
	}
	if (status == 501 || status == 405)
		tl_sb_cstr(&h, allow_line);
	tl_sb_str(&h, io->reply_headers);
	r.headers = (struct tl_str){ hdr, h.n };
	if (body) {
		int n = ua_sdp(s, io, sdp, sizeof(sdp));
		if (n < 0)
			return n;
		r.content_type = TL_STR("application/sdp");
		r.body = (struct tl_str){ sdp, (size_t)n };
	}
	return out_response(io, m, &r);
}

/* The far end's SDP in a message: parsed, or *why says what is wrong. */
static int sdp_of(const struct sip_msg *m, struct sdp_audio *a, const char **why)
{
	if (!m->body.len) {
		*why = "sdp_missing";
		return -ENOENT;
	}
	if (sdp_parse(m->body.p, m->body.len, a)) {
		*why = "sdp_malformed";
		return -EBADMSG;
	}
	return 0;
}

/* An offer from the far end (re-INVITE or UPDATE): our answer, or 488. */
static int take_offer(struct ua_session *s, const struct ua_io *io, const struct sip_msg *m,
		      const char **why)
{
	struct sdp_audio offer;
	uint8_t rnd[SDES_MAX_KEY];
	if (sdp_of(m, &offer, why))
		return -EBADMSG;
	(void)rand_pool_get(&io->w->rand, rnd, sizeof(rnd));
	return neg_take_offer(&s->neg, &offer, io->accept, io->n_accept, rnd, why);
}

/* The far end ended the session for us: BYE, and the role ends the call. */
static enum ua_event fail_with_bye(struct ua_session *s, const struct ua_io *io, const char *reason,
				   const char **why)
{
	*why = reason;
	if (!s->over)
		ua_send(s, io, SIP_BYE, false);
	return UA_FAILED;
}

static enum ua_event on_reinvite(struct ua_session *s, const struct ua_io *io,
				 const struct sip_msg *m, uint64_t now, const char **why)
{
	if (s->pending.method == SIP_INVITE || s->pending.method == SIP_UPDATE) {
		ua_respond(s, io, m, 491, false); /* ours is pending (RFC 3261 14.2) */
		return UA_NONE;
	}
	uint32_t before = s->timer.interval_s;
	int st = ua_answer_timer(s, io, m, now);
	if (st) {
		ua_respond(s, io, m, st, false);
		return UA_NONE;
	}
	if (m->body.len) {
		if (take_offer(s, io, m, why)) {
			ua_respond(s, io, m, 488, false);
			return UA_NONE;
		}
		ua_respond(s, io, m, 200, true);
		neg_answered(&s->neg);
	} else { /* a delayed-offer re-INVITE: we offer, the ACK answers. It asks for all we
		  * can do (music on hold may be another endpoint): every suite, fresh keys */
		uint8_t rnd[SDES_MAX_KEY * NEG_MAX_LINES];
		(void)rand_pool_get(&io->w->rand, rnd, sizeof(rnd));
		neg_offer(&s->neg, io->suites, io->n_suites, rnd, true);
		ua_respond(s, io, m, 200, true);
	}
	s->awaiting_ack = true;
	s->ack_cseq = m->cseq;
	s->refreshes_by_far_end += s->timer.interval_s != 0;
	if ((s->neg.changed || s->neg.turned) && s->neg.state == NEG_IDLE)
		return UA_MEDIA;
	return s->timer.interval_s || before ? UA_REFRESHED : UA_NONE;
}

static enum ua_event on_update(struct ua_session *s, const struct ua_io *io,
			       const struct sip_msg *m, uint64_t now, const char **why)
{
	uint32_t before = s->timer.interval_s;
	int st = ua_answer_timer(s, io, m, now);
	if (st) {
		ua_respond(s, io, m, st, false);
		return UA_NONE;
	}
	if (!m->body.len) {
		ua_respond(s, io, m, 200, false);
		s->refreshes_by_far_end += s->timer.interval_s != 0;
		return s->timer.interval_s || before ? UA_REFRESHED : UA_NONE;
	}
	if (take_offer(s, io, m, why)) {
		ua_respond(s, io, m, 488, false);
		return UA_NONE;
	}
	ua_respond(s, io, m, 200, true);
	s->refreshes_by_far_end += s->timer.interval_s != 0;
	neg_answered(&s->neg);
	return s->neg.changed || s->neg.turned ? UA_MEDIA : UA_REFRESHED;
}

static enum ua_event on_ack(struct ua_session *s, const struct ua_io *io, const struct sip_msg *m,
			    const char **why)
{
	if (!s->awaiting_ack || m->cseq != s->ack_cseq)
		return UA_NONE; /* not for a 2xx of ours */
	s->awaiting_ack = false;
	if (s->neg.state != NEG_LOCAL_OFFER)
		return UA_NONE;
	struct sdp_audio answer;
	if (sdp_of(m, &answer, why)) {
		*why = "ack_without_answer";
		return fail_with_bye(s, io, *why, why);
	}
	if (neg_take_answer(&s->neg, &answer, why))
		return fail_with_bye(s, io, *why, why);
	return s->neg.changed || s->neg.turned ? UA_MEDIA : UA_NONE;
}

enum ua_event ua_on_request(struct ua_session *s, const struct ua_io *io, const struct sip_msg *m,
			    const char **why)
{
	uint64_t now = io->w->now;
	*why = NULL;
	switch (dialog_on_request(&s->dlg, m)) {
	case DIALOG_NOT_OURS:
		if (m->method != SIP_ACK)
			ua_respond(s, io, m, 481, false);
		return UA_NONE;
	case DIALOG_OUT_OF_ORDER:
		ua_respond(s, io, m, 500, false);
		return UA_NONE;
	case DIALOG_RETRANSMIT: /* reliable transports: nothing new to do */
		return UA_NONE;
	case DIALOG_OK:
		break;
	}
	switch (m->method) {
	case SIP_ACK:
		return on_ack(s, io, m, why);
	case SIP_BYE:
		ua_respond(s, io, m, 200, false);
		s->over = true;
		return UA_HUNG_UP;
	case SIP_INVITE:
		return on_reinvite(s, io, m, now, why);
	case SIP_UPDATE:
		return on_update(s, io, m, now, why);
	case SIP_OPTIONS:
	case SIP_INFO:
	case SIP_PRACK:
	case SIP_NOTIFY:
	case SIP_CANCEL:
		ua_respond(s, io, m, 200, false);
		return UA_NONE;
	default:
		ua_respond(s, io, m, 501, false);
		return UA_NONE;
	}
}

/* RFC 3261 14.1: after a 491 the owner of the Call-ID (who sent the first INVITE)
 * waits 2.1-4 s, the other side 0-2 s, in 10 ms steps. */
static uint64_t glare_delay(const struct ua_session *s, const struct ua_io *io)
{
	uint16_t r;
	(void)rand_pool_get(&io->w->rand, &r, sizeof(r));
	return s->uac ? (210u + r % 191u) * 10 * NS_PER_MS : (r % 201u) * 10 * NS_PER_MS;
}

enum ua_event ua_on_response(struct ua_session *s, const struct ua_io *io, const struct sip_msg *m,
			     const char **why)
{
	struct ua_pending p = s->pending;
	*why = NULL;
	if (p.method == SIP_METHOD_UNKNOWN || m->cseq != p.cseq || m->cseq_method != p.method ||
	    m->status < 200)
		return UA_NONE;
	s->pending.method = SIP_METHOD_UNKNOWN;
	bool ok = m->status < 300;
	enum ua_event ev = UA_NONE;
	if (p.method == SIP_INVITE && ok) {
		/* its SDP answers our offer, or offers when we sent none: the ACK answers */
		struct sdp_audio sdp;
		bool bad = false;
		if (m->body.len && s->neg.state == NEG_LOCAL_OFFER)
			bad = sdp_of(m, &sdp, why) || neg_take_answer(&s->neg, &sdp, why);
		else if (m->body.len)
			bad = take_offer(s, io, m, why) != 0;
		ua_send_ack(s, io, p.cseq);
		if (bad)
			return fail_with_bye(s, io, *why ? *why : "sdp_bad_answer", why);
		ev = (s->neg.changed || s->neg.turned) && s->neg.state == NEG_IDLE ? UA_MEDIA : UA_NONE;
	} else if (p.method == SIP_INVITE) { /* its ACK is the INVITE transaction's (17.1.1.3) */
		send_request(s, io, SIP_ACK, p.cseq, p.branch, (struct tl_str){ 0 }, false, NULL);
		s->neg.state = NEG_IDLE; /* the offer fell with its request */
	}
	if (p.method == SIP_BYE)
		return UA_NONE;
	if (ok) {
		if (p.refresh) {
			uint32_t secs;
			s->refreshes_by_us++;
			enum st_refresher who;
			s->timer.since_ns = io->w->now;
			if (m->session_expires.len &&
			    !st_parse_session_expires(m->session_expires, &secs, &who)) {
				s->timer.interval_s = secs;
				s->timer.we_refresh = who != ST_REFRESHER_UAS;
			}
			return ev ? ev : UA_REFRESHED;
		}
		return ev;
	}
	if (m->status == 491 && (p.refresh || p.rekey)) {
		s->retry_at = io->w->now + glare_delay(s, io);
		s->retry_rekey = p.rekey;
		return UA_NONE;
	}
	if (p.rekey) /* the key's lifetime runs out: the call cannot go on safely */
		return fail_with_bye(s, io, "srtp_rekey_refused", why);
	if (p.refresh)
		return fail_with_bye(s, io, "session_refresh_failed", why);
	return UA_NONE;
}

static bool refresh_under_way(const struct ua_session *s)
{
	return (s->pending.refresh && s->pending.method != SIP_METHOD_UNKNOWN) || s->retry_at;
}

uint64_t ua_deadline(const struct ua_session *s)
{
	if (s->over)
		return 0;
	uint64_t t = s->retry_at;
	if (s->rekey_at && (!t || s->rekey_at < t))
		t = s->rekey_at;
	if (s->timer.interval_s) {
		/* a refresh of ours in flight, or waiting out a 491: what is due next is
		 * its answer or retry, before the session ends */
		bool refreshing = refresh_under_way(s);
		uint64_t d = s->timer.we_refresh && !refreshing ? st_refresh_at(&s->timer) :
								   st_expires_at(&s->timer);
		t = t && t < d ? t : d;
	}
	return t;
}

enum ua_event ua_on_deadline(struct ua_session *s, const struct ua_io *io, uint64_t now,
			     const char **why)
{
	*why = NULL;
	if (s->over)
		return UA_NONE;
	if (s->retry_at && now >= s->retry_at) {
		s->retry_at = 0;
		if (s->pending.method == SIP_METHOD_UNKNOWN && s->retry_rekey)
			return send_rekey(s, io) ? fail_with_bye(s, io, "send_failed", why) : UA_REKEYING;
		if (s->pending.method == SIP_METHOD_UNKNOWN)
			ua_send(s, io, s->refresh_method, true);
		return UA_NONE;
	}
	if (s->rekey_at && now >= s->rekey_at) {
		/* one offer at a time (RFC 3264 4): after the one under way */
		if (s->pending.method != SIP_METHOD_UNKNOWN || s->neg.state != NEG_IDLE || s->retry_at ||
		    s->awaiting_ack) {
			s->rekey_at = now + REKEY_WAIT_NS;
			return UA_NONE;
		}
		s->rekey_at = 0;
		return send_rekey(s, io) ? fail_with_bye(s, io, "send_failed", why) : UA_REKEYING;
	}
	if (!s->timer.interval_s)
		return UA_NONE;
	bool refreshing = refresh_under_way(s);
	if (s->timer.we_refresh && !refreshing && now >= st_refresh_at(&s->timer)) {
		if (ua_send(s, io, s->refresh_method, true))
			return fail_with_bye(s, io, "session_refresh_failed", why);
		return UA_NONE;
	}
	if (now >= st_expires_at(&s->timer))
		return fail_with_bye(s, io, refreshing ? "session_refresh_failed" : "session_expired", why);
	return UA_NONE;
}
