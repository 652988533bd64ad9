#include "uac_call.h"
#include "sip_build.h"
#include <errno.h>
#include <string.h>

static void new_branch(struct uac *u, struct call *k, char *out, size_t cap)
{
	struct tl_sb b = tl_sb_init(out, cap);
	tl_sb_put(&b, "z9hG4bK-", 8);
	tl_sb_cstr(&b, u->cfg.run_id);
	tl_sb_put(&b, "-", 1);
	tl_sb_hex(&b, uac_call_slot(u, k), 1);
	tl_sb_put(&b, "-", 1);
	tl_sb_hex(&b, k->gen, 1);
	tl_sb_put(&b, "-", 1);
	tl_sb_hex(&b, ++k->txn, 1);
}

static int send_msg(struct uac *u, struct call *k, struct conn *c, const struct sip_request *r)
{
	size_t need = 2048 + r->body.len + r->headers.len;
	for (int attempt = 0; attempt < 2; attempt++) {
		char *p = worker_out_reserve(u->w, c, need);
		if (!p)
			return -ENOMEM;
		int n = sip_build_request(p, need, r);
		if (n >= 0) {
			if (k->trace.t)
				uac_trace_msg(u, k, c, true, p, (size_t)n, NULL, 0);
			worker_out_commit(u->w, c, (size_t)n);
			return 0;
		}
		need *= 4;
	}
	return -ENOSPC;
}

/* Contact: the user part of the call's From URI at the connection's local address. */
static void set_contact(char *buf, size_t cap, const char *from, struct conn *c)
{
	const char *user = "trunkload";
	int user_len = 9;
	const char *at = strchr(from, '@');
	if (!strncmp(from, "sip:", 4) && at && at - from > 4) {
		user = from + 4;
		user_len = (int)(at - user);
	}
	struct tl_sb b = tl_sb_init(buf, cap);
	tl_sb_put(&b, "sip:", 4);
	tl_sb_put(&b, user, (size_t)user_len);
	tl_sb_put(&b, "@", 1);
	tl_sb_cstr(&b, c->local_hostport);
	tl_sb_cstr(&b, c->use_tls ? ";transport=tls" : ";transport=tcp");
}

/* What the call's session may send, and as whom. */
struct ua_io uac_call_io(struct uac *u, struct call *k, struct conn *c, char *contact, size_t cap)
{
	const struct scenario *s = u->scn;
	set_contact(contact, cap, k->dialog_ready ? k->ss.dlg.local_uri : u->dests[k->dest].from_uri, c);
	return (struct ua_io){
		.w = u->w, .c = c, .contact = contact, .media_addr = c->local_ip,
		/* without a media phase no socket is opened and the stream is offered
		 * inactive, so the far end sends nothing either */
		.media = k->has_media, .media_port = k->has_media ? k->media_port : 9,
		.media_ssrc = k->has_media ? media_own_ssrc(&u->media, k->media_slot) : 0,
		.direction = scn_direction_name((enum scn_direction)k->dir), .ptime_ms = s->ptime_ms,
		.suites = s->suites, .n_suites = s->n_suites, .accept = s->suites, .n_accept = s->n_suites,
		.codecs = s->codecs, .n_codecs = s->n_codecs,
		.min_se_s = s->session_timer.expires_s ? s->session_timer.min_se_s : ST_RFC_MIN_SE,
		.sent = k->trace.t ? uac_trace_sent : NULL, .sent_arg = &k->tap,
	};
}

/* Our INVITE's RFC 4028 headers: we support timers and ask for an interval. */
static void timer_headers(struct uac *u, struct call *k, struct tl_sb *b)
{
	const struct scn_session_timer *t = &u->scn->session_timer;
	if (!k->session_expires)
		return;
	TL_SB_LIT(b, "Supported: timer\r\nSession-Expires: ");
	tl_sb_uint(b, k->session_expires);
	if (t->refresher != ST_REFRESHER_NONE)
		tl_sb_cstr(b, t->refresher == ST_REFRESHER_UAC ? ";refresher=uac" : ";refresher=uas");
	TL_SB_LIT(b, "\r\nMin-SE: ");
	tl_sb_uint(b, t->min_se_s < k->session_expires ? t->min_se_s : k->session_expires);
	TL_SB_LIT(b, "\r\n");
}

static void scenario_headers(struct uac *u, struct call *k, struct conn *c, unsigned first,
			     unsigned n, struct tl_sb *b)
{
	if (!n)
		return;
	struct expand_vars v = uac_expand_vars(u, k, c);
	char value[SCN_HEADER_VALUE * 2];
	for (unsigned i = first; i < first + n; i++) {
		const struct scn_header *h = &u->scn->headers[i];
		tl_sb_cstr(b, h->name);
		TL_SB_LIT(b, ": ");
		tl_sb_put(b, value, expand_template(value, sizeof(value), h->value, &v));
		TL_SB_LIT(b, "\r\n");
	}
}

/* The header lines a request adds: on the first INVITE the timer's and call.headers,
 * then the flow step's own; values written for this call. */
static struct tl_str request_headers(struct uac *u, struct call *k, struct conn *c, enum sip_method m,
				     const struct flow_step *st, char *buf, size_t cap)
{
	struct tl_sb b = tl_sb_init(buf, cap);
	if (m == SIP_INVITE && !k->got_2xx) {
		TL_SB_LIT(&b, "Supported: 100rel\r\n"); /* reliable provisionals get our PRACK */
		timer_headers(u, k, &b);
		scenario_headers(u, k, c, 0, u->scn->n_call_headers, &b);
	}
	if (st)
		scenario_headers(u, k, c, st->hdr_first, st->hdr_n, &b);
	return (struct tl_str){ buf, b.n };
}

/* Our offer (fresh keys unless the key in use goes again) as the request's body. */
static int put_offer(struct uac *u, struct call *k, const struct ua_io *io, const struct flow_step *st,
		     struct sip_request *r, char *body, size_t cap)
{
	uint8_t rnd[SDES_MAX_KEY * NEG_MAX_LINES];
	(void)rand_pool_get(&u->w->rand, rnd, sizeof(rnd));
	neg_offer(&k->ss.neg, u->scn->suites, u->scn->n_suites, rnd, st && st->rekey);
	int n = ua_sdp(&k->ss, io, body, cap);
	if (n < 0)
		return n;
	r->content_type = TL_STR("application/sdp");
	r->body = (struct tl_str){ body, (size_t)n };
	return 0;
}

int uac_send_request(struct uac *u, struct call *k, enum sip_method m, bool offer,
		     const struct flow_step *st)
{
	int err;
	struct conn *c = uac_call_conn(u, k);
	if (!c)
		return -ENOTCONN;
	char contact[400], body[2048], hdr[8192];
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
	struct call_uris uris;
	uac_call_uris(u, k, c, &uris);
	if (!k->dialog_ready) { /* the URIs are known once a connection is up */
		dialog_uac_init(&k->ss.dlg, tl_str_c(k->call_id), tl_str_c(k->from_tag), tl_str_c(uris.from),
				tl_str_c(uris.to), tl_str_c(uris.ruri), 0);
		k->dialog_ready = true;
	}
	if ((m == SIP_INVITE || m == SIP_UPDATE) && k->got_2xx) { /* hold, resume, new keys */
		k->reinvite = m == SIP_INVITE;
		if (st && st->has_direction)
			k->dir = (uint8_t)st->direction;
		if (st && st->rekey && k->has_media)
			media_expect_rekey(&u->media, k->media_slot);
	}
	struct ua_io io = uac_call_io(u, k, c, contact, sizeof(contact));
	dialog_request(&k->ss.dlg, &r, m, k->invite_cseq, routes);
	r.transport = u->scn->transport == SCN_TLS ? TL_STR("TLS") : TL_STR("TCP");
	r.sent_by = tl_str_c(c->local_hostport);
	if (m != SIP_CANCEL) /* a CANCEL is the INVITE's request line and nothing more */
		r.headers = request_headers(u, k, c, m, st, hdr, sizeof(hdr));
	switch (m) {
	case SIP_INVITE:
		k->invite_cseq = r.cseq;
		new_branch(u, k, k->branch_invite, sizeof(k->branch_invite));
		r.branch = tl_str_c(k->branch_invite);
		r.contact_uri = tl_str_c(contact);
		if (offer && (err = put_offer(u, k, &io, st, &r, body, sizeof(body))))
			return err;
		k->invite_sent = true;
		k->invite_final = false;
		k->t_invite = u->w->now;
		break;
	case SIP_CANCEL: /* the INVITE's request line, To and branch (RFC 3261 9.1) */
		k->last_cseq = k->invite_cseq;
		r.ruri = tl_str_c(uris.ruri);
		r.to_tag = TL_STR("");
		r.route_count = 0;
		r.branch = tl_str_c(k->branch_invite);
		break;
	default: /* BYE, OPTIONS, UPDATE */
		if (m == SIP_UPDATE) { /* a target refresh, with our offer or without */
			r.contact_uri = tl_str_c(contact);
			if (offer && (err = put_offer(u, k, &io, st, &r, body, sizeof(body))))
				return err;
		}
		k->last_cseq = r.cseq;
		new_branch(u, k, k->branch_last, sizeof(k->branch_last));
		r.branch = tl_str_c(k->branch_last);
		k->t_request = u->w->now;
		k->bye_sent |= m == SIP_BYE;
		k->ss.over |= m == SIP_BYE;
		break;
	}
	if (m != SIP_INVITE)
		k->last_method = m;
	return send_msg(u, k, c, &r);
}

/* The ACK of the 2xx to our INVITE, with our answer when the flow says so and the
 * 2xx offered (a delayed offer); a retransmitted 2xx gets its ACK again. */
int uac_send_ack(struct uac *u, struct call *k, bool answer, const struct flow_step *st,
		 const char **why)
{
	struct conn *c = uac_call_conn(u, k);
	if (!c)
		return -ENOTCONN;
	char contact[400], hdr[8192];
	struct ua_io io = uac_call_io(u, k, c, contact, sizeof(contact));
	if (st)
		io.headers = request_headers(u, k, c, SIP_ACK, st, hdr, sizeof(hdr));
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
	if (answering && (*why = uac_media_from_neg(u, k)))
		return -EPROTO;
	return 0;
}

int uac_send_prack(struct uac *u, struct call *k, uint32_t rseq)
{
	struct conn *c = uac_call_conn(u, k);
	if (!c)
		return -ENOTCONN;
	char hdr[64];
	struct tl_sb b = tl_sb_init(hdr, sizeof(hdr));
	TL_SB_LIT(&b, "RAck: ");
	tl_sb_uint(&b, rseq);
	TL_SB_LIT(&b, " ");
	tl_sb_uint(&b, k->invite_cseq);
	TL_SB_LIT(&b, " INVITE\r\n");
	struct sip_request r = { 0 };
	struct tl_str routes[DIALOG_MAX_ROUTES];
	dialog_request(&k->ss.dlg, &r, SIP_PRACK, 0, routes);
	r.transport = u->scn->transport == SCN_TLS ? TL_STR("TLS") : TL_STR("TCP");
	r.sent_by = tl_str_c(c->local_hostport);
	new_branch(u, k, k->branch_prack, sizeof(k->branch_prack));
	r.branch = tl_str_c(k->branch_prack);
	r.headers = (struct tl_str){ hdr, b.n };
	return send_msg(u, k, c, &r);
}

/* ACK for a non-2xx final response: same transaction as the INVITE (RFC 3261 17.1.1.3). */
void uac_send_error_ack(struct uac *u, struct call *k, const struct sip_msg *m)
{
	struct conn *c = uac_call_conn(u, k);
	if (!c)
		return;
	struct sip_request r = { 0 };
	struct tl_str routes[DIALOG_MAX_ROUTES];
	dialog_request(&k->ss.dlg, &r, SIP_ACK, k->invite_cseq, routes);
	r.transport = u->scn->transport == SCN_TLS ? TL_STR("TLS") : TL_STR("TCP");
	r.sent_by = tl_str_c(c->local_hostport);
	/* the INVITE's own Request-URI and Route (RFC 3261 17.1.1.3): a re-INVITE's are the
	 * dialog's, which dialog_request put in; the first INVITE's are the call's */
	struct call_uris uris;
	if (!k->reinvite) {
		uac_call_uris(u, k, c, &uris);
		r.ruri = tl_str_c(uris.ruri);
		r.route_count = 0;
	}
	r.to_tag = m->to_tag;
	r.branch = tl_str_c(k->branch_invite);
	send_msg(u, k, c, &r);
}
