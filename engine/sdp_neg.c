#include "sdp_neg.h"
#include <errno.h>
#include <string.h>

static void line(struct sdes_crypto *c, uint32_t tag, enum sdes_suite suite, const uint8_t *key)
{
	memset(c, 0, sizeof(*c));
	c->tag = tag;
	c->suite = suite;
	c->key_len = sdes_suite_key_len(suite);
	memcpy(c->key, key, c->key_len);
}

void neg_offer(struct sdp_neg *n, const enum sdes_suite *suites, unsigned count,
	       const uint8_t *random, bool rekey)
{
	n->fresh = !n->agreed || rekey;
	if (!n->fresh) { /* the key in use, alone */
		n->ours[0] = n->ours[n->mine];
		n->n_ours = 1;
	} else {
		if (count > NEG_MAX_LINES)
			count = NEG_MAX_LINES;
		for (unsigned i = 0; i < count; i++) {
			line(&n->ours[i], i + 1, suites[i], random + (size_t)i * SDES_MAX_KEY);
			n->ours[i].lifetime = n->key_lifetime;
		}
		n->n_ours = count;
	}
	n->mine = 0;
	n->state = NEG_LOCAL_OFFER;
	n->version++;
}

static bool same_key(const struct sdes_crypto *a, const struct sdes_crypto *b)
{
	return a->suite == b->suite && a->key_len == b->key_len && !memcmp(a->key, b->key, a->key_len);
}

/* The far end's media address, direction and ptime from its SDP. */
static int take_remote(struct sdp_neg *n, const struct sdp_audio *a, const char **why)
{
	if (!a->addr.len || a->addr.len >= sizeof(n->remote_addr)) {
		*why = "sdp_bad_address";
		return -EBADMSG;
	}
	bool moved = a->port != n->remote_port || strlen(n->remote_addr) != a->addr.len ||
		     memcmp(n->remote_addr, a->addr.p, a->addr.len);
	/* a hold or a resume changes only the direction, and media must follow it */
	const char *dir = a->direction.len ? a->direction.p : "sendrecv";
	size_t dir_len = a->direction.len ? a->direction.len : 8;
	n->turned = strlen(n->direction) != dir_len || memcmp(n->direction, dir, dir_len);
	memcpy(n->remote_addr, a->addr.p, a->addr.len);
	n->remote_addr[a->addr.len] = 0;
	n->remote_port = a->port;
	size_t dl = a->direction.len < sizeof(n->direction) - 1 ? a->direction.len : 0;
	memcpy(n->direction, dl ? a->direction.p : "sendrecv", dl ? dl : 8);
	n->direction[dl ? dl : 8] = 0;
	n->ptime_ms = a->ptime_ms;
	n->changed |= moved;
	n->remote_te_pt = a->te_pt;
	n->has_remote_ssrc = a->has_ssrc;
	n->remote_ssrc = a->ssrc;
	n->n_remote_pts = 0;
	for (unsigned i = 0; i < a->n_payload_types && n->n_remote_pts < sizeof(n->remote_pts); i++)
		if (a->payload_types[i] >= 0 && a->payload_types[i] < 96)
			n->remote_pts[n->n_remote_pts++] = (uint8_t)a->payload_types[i];
	return 0;
}

static bool listed(const uint8_t *pts, unsigned n, uint8_t pt)
{
	for (unsigned i = 0; i < n; i++)
		if (pts[i] == pt)
			return true;
	return false;
}

int neg_codec(const struct sdp_neg *n, const uint8_t *ours, unsigned n_ours, bool answered)
{
	int first = -1;
	for (unsigned i = 0; i < n->n_remote_pts; i++) {
		if (listed(ours, n_ours, n->remote_pts[i])) {
			if (first < 0)
				first = n->remote_pts[i];
		} else if (answered) {
			return -1; /* an answer may name only what was offered (RFC 3264 6.1) */
		}
	}
	return first;
}

int neg_take_answer(struct sdp_neg *n, const struct sdp_audio *answer, const char **why)
{
	if (n->state != NEG_LOCAL_OFFER) {
		*why = "sdp_unexpected_answer";
		return -EPROTO;
	}
	unsigned chosen;
	*why = NULL;
	if (sdes_check_answer(n->ours, n->n_ours, answer, &chosen, why))
		return -EBADMSG;
	const struct sdes_crypto *got = NULL;
	for (unsigned i = 0; i < answer->n_crypto && !got; i++)
		if (answer->crypto[i].tag == n->ours[chosen].tag)
			got = &answer->crypto[i];
	if (!got) {
		*why = "sdp_bad_crypto";
		return -EBADMSG;
	}
	n->changed = n->fresh || !same_key(got, &n->theirs);
	if (take_remote(n, answer, why))
		return -EBADMSG;
	n->theirs = *got;
	n->mine = chosen;
	n->agreed = true;
	n->they_answered = true;
	n->state = NEG_IDLE;
	return 0;
}

int neg_take_offer(struct sdp_neg *n, const struct sdp_audio *offer, const enum sdes_suite *accept,
		   unsigned count, const uint8_t *random, const char **why)
{
	enum sdes_suite all[SDES_SUITE_COUNT];
	if (!count) {
		for (int i = 0; i < SDES_SUITE_COUNT; i++)
			all[i] = (enum sdes_suite)i;
		accept = all;
		count = SDES_SUITE_COUNT;
	}
	if (!tl_str_eq(offer->proto, "RTP/SAVP")) {
		*why = "sdp_not_savp";
		return -EBADMSG;
	}
	int pick = sdes_choose(offer, accept, count);
	if (pick < 0) {
		*why = "sdp_no_acceptable_crypto";
		return -ENOENT;
	}
	const struct sdes_crypto *o = &offer->crypto[pick];
	struct sdes_crypto answer;
	/* the far end's key in use offered again (a refresh, a hold) keeps ours; its rekey
	 * is answered with a new key of ours too */
	bool keep = n->agreed && n->ours[n->mine].suite == o->suite && same_key(o, &n->theirs);
	line(&answer, o->tag, o->suite, keep ? n->ours[n->mine].key : random);
	answer.unencrypted_srtp = o->unencrypted_srtp;
	answer.unencrypted_srtcp = o->unencrypted_srtcp;
	answer.unauthenticated_srtp = o->unauthenticated_srtp;
	answer.lifetime = n->key_lifetime; /* of our key: the offer's is of the far end's */
	n->changed = !n->agreed || !same_key(o, &n->theirs) || !keep;
	if (take_remote(n, offer, why))
		return -EBADMSG;
	n->ours[0] = answer;
	n->n_ours = 1;
	n->mine = 0;
	n->theirs = *o;
	n->they_answered = false;
	n->state = NEG_REMOTE_OFFER;
	return 0;
}

void neg_answered(struct sdp_neg *n)
{
	n->state = NEG_IDLE;
	n->agreed = true;
	n->version++;
}

const struct sdes_crypto *neg_lines(const struct sdp_neg *n, unsigned *count)
{
	if (n->state == NEG_LOCAL_OFFER) {
		*count = n->n_ours;
		return n->ours;
	}
	*count = n->n_ours ? 1 : 0;
	return &n->ours[n->mine];
}

const struct sdes_crypto *neg_our_key(const struct sdp_neg *n)
{
	return n->agreed ? &n->ours[n->mine] : NULL;
}

const char *neg_answer_direction(const char *offered)
{
	if (!strcmp(offered, "sendonly"))
		return "recvonly";
	if (!strcmp(offered, "recvonly"))
		return "sendonly";
	if (!strcmp(offered, "inactive"))
		return "inactive";
	return "sendrecv";
}
