/* The offer/answer state of one call's audio stream (RFC 3264) with the SDES keys
 * of each side (RFC 4568): who offered, in which message, what is pending. The same
 * four steps serve both roles and every message that can carry SDP: an INVITE or its
 * 2xx, an ACK, a re-INVITE, an UPDATE. Pure: keys come from the caller's random
 * bytes; the SDP text is built and parsed by sdp.h. */
#ifndef TL_SDP_NEG_H
#define TL_SDP_NEG_H
#include <stdbool.h>
#include <stdint.h>
#include "sdp.h"

#define NEG_MAX_LINES 8

enum neg_state {
	NEG_IDLE = 0,     /* nothing pending (before the first offer, or after an answer) */
	NEG_LOCAL_OFFER,  /* we offered: the far end's answer is due */
	NEG_REMOTE_OFFER, /* the far end offered: our answer is due */
};

struct sdp_neg {
	enum neg_state state;
	bool agreed;          /* an offer was answered once: both keys are known */
	bool changed;         /* the last exchange changed a key or the far end's address */
	bool turned;          /* ... or the far end's direction (a hold, a resume) */
	bool fresh;           /* our pending offer carries new keys */
	bool they_answered;   /* the far end's last SDP was its answer to our offer */
	/* our lines: what we offer (several), or after the far end's offer our answer
	 * (ours[0]); in use: ours[mine] */
	struct sdes_crypto ours[NEG_MAX_LINES];
	unsigned n_ours, mine;
	struct sdes_crypto theirs; /* the far end's key in use (or offered, pending) */
	char remote_addr[48];      /* where the far end wants media */
	uint16_t remote_port;
	uint8_t remote_pts[8];     /* the far end's static payload types (< 96), in its order */
	unsigned n_remote_pts;
	int remote_te_pt;          /* its telephone-event payload type, -1: none (RFC 4733) */
	bool has_remote_ssrc;      /* its a=ssrc (RFC 5576): the SSRC it sends with */
	uint32_t remote_ssrc;
	char direction[10];        /* the far end's a= direction ("sendrecv" when absent) */
	int ptime_ms;              /* the far end's a=ptime, 0 when absent */
	uint32_t version;          /* o= version of our next SDP */
	uint64_t key_lifetime;     /* set by the role: the lifetime our keys carry (0: none) */
};

/* Our offer of the given suites (tags 1..n, in that order), each with a fresh key
 * from random (n * SDES_MAX_KEY bytes). Once keys are agreed, a new offer keeps our
 * key in use and offers it alone (a refresh or hold is no rekey), unless rekey. */
void neg_offer(struct sdp_neg *n, const enum sdes_suite *suites, unsigned count,
	       const uint8_t *random, bool rekey);

/* The far end's answer to our offer. 0, or a negative errno with *why a failure
 * reason ("sdp_tag_not_offered", ... as sdes_check_answer, or "sdp_bad_address"). */
int neg_take_answer(struct sdp_neg *n, const struct sdp_audio *answer, const char **why);

/* The far end's offer: chooses the first acceptable line (accept: suites we take,
 * count 0: all) and makes our answer to it, with a fresh key from random
 * (SDES_MAX_KEY bytes), or our key in use when the far end offered its own in use again
 * (a refresh, a hold: same suite, same key). 0, or
 * -ENOENT (*why "sdp_no_acceptable_crypto": answer 488 or reject) or -EBADMSG
 * ("sdp_not_savp", "sdp_bad_address"). Our answer goes in our next message:
 * neg_answered() once it was sent. */
int neg_take_offer(struct sdp_neg *n, const struct sdp_audio *offer, const enum sdes_suite *accept,
		   unsigned count, const uint8_t *random, const char **why);
void neg_answered(struct sdp_neg *n);

/* The lines to put in our next SDP: the offer, or our one answer line. */
const struct sdes_crypto *neg_lines(const struct sdp_neg *n, unsigned *count);
/* Our key and the far end's, once agreed. */
const struct sdes_crypto *neg_our_key(const struct sdp_neg *n);

/* The audio codec (payload type) of the stream, from the far end's last SDP and ours
 * (in preference order): after its answer to our offer, the first payload type it
 * named, all of them ones we offered; after its offer, the first of its payload
 * types we have. -1 when there is none: an answer with a codec we did not offer, an
 * offer with none of ours. */
int neg_codec(const struct sdp_neg *n, const uint8_t *ours, unsigned n_ours, bool answered);

/* The direction our answer takes to the far end's (RFC 3264 6.1). */
const char *neg_answer_direction(const char *offered);

#endif
