#include "uas.h"
#include "call_table.h"
#include "clock.h"
#include "media.h"
#include <arpa/inet.h>
#include "sdp.h"
#include "sip_build.h"
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAX_PENDING 8192

/* An INVITE whose answer waits for --delay-ms: a copy of its bytes, re-parsed when due. */
struct pending {
	bool used;
	uint32_t conn_slot, conn_gen, seq;
	struct buf msg;
};

struct uas {
	struct worker *w;
	struct uas_config cfg;
	struct uas_counts counts;
	struct pending *pending;
	uint32_t n_pending;
	char sdp[2048];
	struct media_pool media;
	struct call_table calls;  /* calls whose media we send and check, found again at BYE */
};

static uint32_t fnv1a(struct tl_str s)
{
	uint32_t h = 2166136261u;
	for (size_t i = 0; i < s.len; i++)
		h = (h ^ (uint8_t)s.p[i]) * 16777619u;
	return h;
}

static void respond(struct uas *s, struct conn *c, const struct sip_msg *m, int status,
		    struct tl_str body)
{
	char tag[12] = "", contact[96] = "";
	struct tl_sb b = tl_sb_init(tag, sizeof(tag));
	if (status > 100)
		tl_sb_hex(&b, fnv1a(m->call_id), 8);
	if (m->method == SIP_INVITE && status > 100 && status < 300) {
		b = tl_sb_init(contact, sizeof(contact));
		tl_sb_put(&b, "sip:uas@", 8);
		tl_sb_cstr(&b, c->local_hostport);
		tl_sb_cstr(&b, c->use_tls ? ";transport=tls" : ";transport=tcp");
	}
	struct sip_response r = {
		.status = status,
		.to_tag = tl_str_c(tag),
		.contact_uri = tl_str_c(contact),
		.content_type = body.len ? TL_STR("application/sdp") : TL_STR(""),
		.body = body,
	};
	size_t cap = 2048 + body.len;
	for (int i = 0; i < 3; i++, cap *= 4) {
		char *p = worker_out_reserve(s->w, c, cap);
		if (!p)
			return;
		int n = sip_build_response(p, cap, m, &r);
		if (n >= 0) {
			worker_out_commit(s->w, c, (size_t)n);
			return;
		}
		if (n != -ENOSPC)
			return;
	}
}

static bool accepted(const struct uas *s, enum sdes_suite suite)
{
	if (!s->cfg.n_accept)
		return true;
	for (unsigned i = 0; i < s->cfg.n_accept; i++)
		if (s->cfg.accept[i] == suite)
			return true;
	return false;
}

/* Ends a call's media; its entry goes with it. */
static bool call_end(struct call_entry *e, void *arg)
{
	struct uas *s = arg;
	media_close(&s->media, e->media_slot, &s->w->res);
	return true;
}

struct conn_calls {
	struct uas *s;
	const struct conn *c;
};

static bool call_end_on_conn(struct call_entry *e, void *arg)
{
	const struct conn_calls *cc = arg;
	return e->conn_slot == cc->c->slot && e->conn_gen == cc->c->gen && call_end(e, cc->s);
}

/* Sends and checks SRTP for an answered call. 0, -ENOSPC when no stream or port
 * pair is free (503), or another negative errno when the stream could not be set
 * up (500). */
static int start_media(struct uas *s, struct conn *c, const struct sip_msg *m,
		       const struct sdp_audio *offer, const struct sdes_crypto *theirs,
		       const struct sdes_crypto *ours, uint16_t *port)
{
	if (call_table_find(&s->calls, m->call_id)) /* a re-INVITE: the stream goes on */
		return 0;
	char ip[INET_ADDRSTRLEN];
	struct sockaddr_in to = { .sin_family = AF_INET, .sin_port = htons(offer->port) };
	if (!offer->addr.len || offer->addr.len >= sizeof(ip))
		return -EINVAL;
	memcpy(ip, offer->addr.p, offer->addr.len);
	ip[offer->addr.len] = 0;
	if (inet_pton(AF_INET, ip, &to.sin_addr) != 1)
		return -EINVAL;
	struct call_entry *mc = call_table_add(&s->calls, m->call_id);
	if (!mc)
		return -ENOSPC;
	int err = media_open(&s->media, c->local_ip, &mc->media_slot, port);
	if (err) {
		call_table_remove(&s->calls, mc);
		return err == -EADDRINUSE || err == -ENOSPC ? -ENOSPC : err;
	}
	media_set_remote(&s->media, mc->media_slot, &to);
	err = media_set_rx(&s->media, mc->media_slot, theirs);
	/* the answer mirrors the offer: a sendonly caller gets no media from us,
	 * a recvonly one sends us none */
	media_expect_rx(&s->media, mc->media_slot, !tl_str_eq(offer->direction, "recvonly"));
	if (!err && !tl_str_eq(offer->direction, "sendonly"))
		err = media_start_tx(&s->media, mc->media_slot, ours,
				     offer->ptime_ms ? offer->ptime_ms : 20, 0, clock_mono_ns());
	if (err) {
		media_close(&s->media, mc->media_slot, &s->w->res);
		call_table_remove(&s->calls, mc);
		return err;
	}
	mc->conn_slot = c->slot;
	mc->conn_gen = c->gen;
	return 0;
}

static bool wants_media(const struct sdp_audio *offer)
{
	return offer->port && !tl_str_eq(offer->direction, "inactive");
}

/* RFC 3264 6.1: the answer's direction mirrors the offer's. */
static const char *answer_direction(const struct sdp_audio *offer)
{
	if (tl_str_eq(offer->direction, "sendonly"))
		return "recvonly";
	if (tl_str_eq(offer->direction, "recvonly"))
		return "sendonly";
	return "sendrecv";
}

/* 180 and 200 with our SDES answer, or 488 when nothing offered is acceptable. */
static void answer_invite(struct uas *s, struct conn *c, const struct sip_msg *m)
{
	if (s->cfg.refuse_status) {
		s->counts.refused++;
		respond(s, c, m, s->cfg.refuse_status, TL_STR(""));
		return;
	}
	struct sdp_audio offer;
	struct sdes_crypto ans;
	int pick = -ENOENT;
	if (m->body.len && sdp_parse(m->body.p, m->body.len, &offer) == 0 && offer.port) {
		enum sdes_suite acc[SDES_SUITE_COUNT];
		unsigned n = 0;
		for (int i = 0; i < SDES_SUITE_COUNT; i++)
			if (accepted(s, (enum sdes_suite)i))
				acc[n++] = (enum sdes_suite)i;
		pick = sdes_choose(&offer, acc, n);
	}
	if (pick < 0) {
		s->counts.not_acceptable++;
		respond(s, c, m, 488, TL_STR(""));
		return;
	}
	memset(&ans, 0, sizeof(ans));
	ans.tag = offer.crypto[pick].tag;
	ans.suite = offer.crypto[pick].suite;
	ans.key_len = sdes_suite_key_len(ans.suite);
	ans.unencrypted_srtp = offer.crypto[pick].unencrypted_srtp;
	ans.unencrypted_srtcp = offer.crypto[pick].unencrypted_srtcp;
	ans.unauthenticated_srtp = offer.crypto[pick].unauthenticated_srtp;
	(void)rand_pool_get(&s->w->rand, ans.key, ans.key_len);
	uint16_t port = (uint16_t)(s->cfg.media_port_lo + (fnv1a(m->call_id) % 5000) * 2);
	bool media = s->calls.n && wants_media(&offer);
	int err = media ? start_media(s, c, m, &offer, &offer.crypto[pick], &ans, &port) : 0;
	if (err) {
		s->counts.media_failed++;
		respond(s, c, m, err == -ENOSPC ? 503 : 500, TL_STR(""));
		return;
	}
	struct sdp_params sp = {
		.addr = c->local_ip, .port = port,
		.session_id = fnv1a(m->call_id), .ptime_ms = offer.ptime_ms ? offer.ptime_ms : 20,
		.crypto = &ans, .n_crypto = 1, .direction = media ? answer_direction(&offer) : "inactive",
	};
	int n = sdp_build(s->sdp, sizeof(s->sdp), &sp);
	if (n < 0) {
		respond(s, c, m, 500, TL_STR(""));
		return;
	}
	s->counts.answered++;
	respond(s, c, m, 180, TL_STR(""));
	respond(s, c, m, 200, (struct tl_str){ s->sdp, (size_t)n });
}

static int delay_invite(struct uas *s, struct conn *c, const struct sip_msg *m, size_t len)
{
	for (uint32_t i = 0; i < s->n_pending; i++) {
		struct pending *p = &s->pending[i];
		if (p->used)
			continue;
		p->msg.len = 0;
		if (buf_append(&p->msg, m->method_name.p, len))
			return -ENOMEM;
		p->used = true;
		p->conn_slot = c->slot;
		p->conn_gen = c->gen;
		p->seq++;
		return worker_timer(s->w, clock_mono_ns() + (uint64_t)s->cfg.delay_ms * NS_PER_MS, i,
				    p->seq, 1);
	}
	return -ENOSPC;
}

/* Pending INVITE of the same Call-ID, if any. */
static struct pending *pending_of(struct uas *s, const struct conn *c, struct tl_str call_id,
				  struct sip_msg *inv)
{
	for (uint32_t i = 0; i < s->n_pending; i++) {
		struct pending *p = &s->pending[i];
		if (!p->used || p->conn_slot != c->slot || p->conn_gen != c->gen)
			continue;
		if (sip_parse_msg(p->msg.data, p->msg.len, p->msg.len, inv) > 0 &&
		    inv->call_id.len == call_id.len && !memcmp(inv->call_id.p, call_id.p, call_id.len))
			return p;
	}
	return NULL;
}

static void uas_conn_msg(struct worker *w, struct conn *c, const struct sip_msg *m)
{
	struct uas *s = w->role_arg;
	if (m->kind != SIP_KIND_REQUEST)
		return; /* we send no requests: a response is stray */
	struct sip_msg inv;
	struct pending *p;
	struct call_entry *mc;
	switch (m->method) {
	case SIP_INVITE:
		s->counts.invites++;
		respond(s, c, m, 100, TL_STR(""));
		if (s->cfg.delay_ms) {
			/* a request starts with its method; its body ends it */
			size_t len = (size_t)(m->body.p + m->body.len - m->method_name.p);
			if (delay_invite(s, c, m, len) == 0)
				break;
		}
		answer_invite(s, c, m);
		break;
	case SIP_ACK:
		s->counts.acks++;
		break;
	case SIP_BYE:
		s->counts.byes++;
		respond(s, c, m, 200, TL_STR(""));
		if ((mc = call_table_find(&s->calls, m->call_id))) {
			call_end(mc, s);
			call_table_remove(&s->calls, mc);
		}
		break;
	case SIP_CANCEL:
		s->counts.cancels++;
		p = pending_of(s, c, m->call_id, &inv);
		respond(s, c, m, p ? 200 : 481, TL_STR(""));
		if (p) {
			respond(s, c, &inv, 487, TL_STR(""));
			p->used = false;
		}
		break;
	case SIP_OPTIONS:
		s->counts.options++;
		respond(s, c, m, 200, TL_STR(""));
		break;
	default:
		s->counts.other++;
		respond(s, c, m, 501, TL_STR(""));
		break;
	}
}

static void uas_timer(struct worker *w, const struct timer_entry *t)
{
	struct uas *s = w->role_arg;
	if (t->slot >= s->n_pending)
		return;
	struct pending *p = &s->pending[t->slot];
	if (!p->used || p->seq != t->seq)
		return;
	p->used = false;
	struct conn *c = worker_conn(w, p->conn_slot, p->conn_gen);
	struct sip_msg m;
	if (c && c->state == CONN_UP && sip_parse_msg(p->msg.data, p->msg.len, p->msg.len, &m) > 0)
		answer_invite(s, c, &m);
}

static void uas_conn_up(struct worker *w, struct conn *c)
{
	(void)w, (void)c; /* the worker counts connections and handshakes */
}

static void uas_conn_down(struct worker *w, struct conn *c, int err, const char *why)
{
	struct uas *s = w->role_arg;
	(void)err, (void)why;
	for (uint32_t i = 0; i < s->n_pending; i++)
		if (s->pending[i].used && s->pending[i].conn_slot == c->slot &&
		    s->pending[i].conn_gen == c->gen)
			s->pending[i].used = false;
	call_table_remove_if(&s->calls, call_end_on_conn, &(struct conn_calls){ s, c });
}

static uint64_t uas_tick(struct worker *w, uint64_t now)
{
	struct uas *s = w->role_arg;
	return s->media.s ? media_tick(&s->media, now) : 0;
}

static void uas_ring_cqe(struct worker *w, uint64_t tag, int res, unsigned flags)
{
	struct uas *s = w->role_arg;
	if (s->media.s) /* without media its buffers are gone too */
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

struct uas *uas_new(struct worker *w, const struct uas_config *cfg)
{
	struct uas *s = calloc(1, sizeof(*s));
	if (!s)
		return NULL;
	s->w = w;
	s->cfg = *cfg;
	if (cfg->delay_ms) {
		s->n_pending = MAX_PENDING;
		s->pending = calloc(s->n_pending, sizeof(*s->pending));
		if (!s->pending) {
			free(s);
			return NULL;
		}
	}
	if (cfg->media_port_lo) {
		/* no more streams than port pairs in the range */
		uint32_t pairs = (uint32_t)(cfg->media_port_hi - cfg->media_port_lo + 1) / 2;
		uint32_t streams = cfg->max_streams ? cfg->max_streams : pairs;
		if (streams > pairs)
			streams = pairs;
		if (call_table_init(&s->calls, 2 * streams) ||
		    media_pool_init(&s->media, &w->ring, &w->res, streams, cfg->media_port_lo,
				    cfg->media_port_hi)) {
			uas_free(s);
			return NULL;
		}
		s->media.wrong_tx_key = cfg->srtp_wrong_key;
		s->media.replay_tx = cfg->srtp_replay;
	}
	w->role = &uas_role;
	w->role_arg = s;
	w->peer_warn_days = 30;
	worker_listen(w);
	return s;
}

void uas_finish(struct uas *s)
{
	s->counts.connections = s->w->accepted;
	call_table_remove_if(&s->calls, call_end, s);
}

void uas_free(struct uas *s)
{
	if (!s)
		return;
	for (uint32_t i = 0; i < s->n_pending; i++)
		buf_free(&s->pending[i].msg);
	free(s->pending);
	if (s->media.s)
		media_pool_free(&s->media);
	call_table_free(&s->calls);
	free(s);
}

const struct uas_counts *uas_counts(const struct uas *s)
{
	return &s->counts;
}
