/* A call's session over its dialog, the same for both roles: the offer/answer state
 * with each side's SDES keys, the RFC 4028 session timer, the requests we send in the
 * dialog (ACK, BYE, re-INVITE, UPDATE) and our answers to the far end's (BYE,
 * re-INVITE with and without SDP, UPDATE, ACK, OPTIONS, INFO, PRACK, NOTIFY, and 501
 * or 481 for what is not ours to do). A role's flow decides what to send next; how a
 * dialog works is decided here, never by a flow. It writes messages to a connection
 * (worker_out_*) and tells the role what happened; it arms no timer itself: the role
 * keeps one per call at ua_deadline(). */
#ifndef TL_UA_SESSION_H
#define TL_UA_SESSION_H
#include <stdbool.h>
#include <stdint.h>
#include "dialog.h"
#include "rand_pool.h"
#include "sdp_neg.h"
#include "session_timer.h"
#include "worker.h"

/* What a session may send: where and as whom, and its media for the SDP. */
struct ua_io {
	struct worker *w;
	struct conn *c;
	const char *contact;           /* our Contact URI */
	const char *media_addr;        /* IPv4 literal for c= */
	bool media;                    /* false: offers and answers say inactive */
	uint16_t media_port;           /* m= port (the discard port 9 without media) */
	uint32_t media_ssrc;           /* our SSRC, announced (a=ssrc) when not 0 */
	const char *direction;         /* what we offer: "sendrecv", "sendonly", ... */
	int ptime_ms;
	const enum sdes_suite *suites; /* what we offer, in order */
	unsigned n_suites;
	const enum sdes_suite *accept; /* what we accept in the far end's offer (0: all) */
	unsigned n_accept;
	uint32_t min_se_s;             /* the shortest session interval we accept */
	uint32_t offer_expires_s;      /* UAS: the interval we put in our 2xx when the far end
					* supports timers but asked for none (0: none) */
	bool prefer_refresh;           /* UAS: we refresh where the far end leaves it to us */
	const uint8_t *codecs;         /* audio payload types we have, preferred first */
	unsigned n_codecs;             /* 0: PCMU alone */
	struct tl_str headers;         /* header lines the role adds to the ACK it sends */
	struct tl_str reply_headers;   /* UAS: header lines it adds to the response it sends
					* (Require: 100rel and RSeq on a reliable 18x) */
	/* told of each message sent, as written (a call's --trace), or NULL */
	void (*sent)(void *arg, const struct conn *c, const char *msg, size_t len);
	void *sent_arg;
};

/* What a message from the far end meant, for the role to act on. */
enum ua_event {
	UA_NONE = 0,
	UA_MEDIA,          /* keys or the far end's address changed: program media from neg */
	UA_HUNG_UP,        /* the far end's BYE, answered 200: the call is over */
	UA_REFRESHED,      /* the session was refreshed (the timer restarted) */
	UA_REKEYING,       /* our re-INVITE with new keys is out (rekey_at came): media may get
			    * the far end's new key before its answer */
	UA_FAILED,         /* the session cannot go on: the role ends the call (why says) */
};

/* Our request in the dialog that awaits its final response. */
struct ua_pending {
	enum sip_method method; /* SIP_METHOD_UNKNOWN: none */
	uint32_t cseq;
	char branch[40];
	bool refresh;           /* a session refresh */
	bool rekey;             /* a re-INVITE with new keys (rekey_at) */
};

struct ua_session {
	struct dialog dlg;
	struct sdp_neg neg;
	struct session_timer timer;  /* interval_s 0: no timer */
	bool uac;                    /* we sent the INVITE that made the dialog */
	bool timer_asked;            /* the far end spoke RFC 4028 (Supported: timer) */
	bool timer_ours;             /* UAS: the interval is ours, not asked for (RFC 4028 9) */
	enum sip_method refresh_method;
	struct ua_pending pending;
	uint64_t retry_at;           /* a refresh refused with 491 goes again then (0: none) */
	bool retry_rekey;            /* ... and it is a rekey */
	uint64_t rekey_at;           /* set by the role: a re-INVITE with new keys then (0: none),
				      * as soon after as no other offer is under way */
	bool awaiting_ack;           /* we sent a 2xx to the far end's (re-)INVITE */
	uint32_t ack_cseq;
	bool over;                   /* BYE sent or received */
	uint32_t refreshes_by_us, refreshes_by_far_end; /* refreshes of the timer that succeeded */
};

/* The session of a dialog. uac: we called; refresh: how we refresh when it is ours
 * to do (SIP_INVITE or SIP_UPDATE). */
void ua_init(struct ua_session *s, bool uac, enum sip_method refresh);

/* Writes an SDP body for our side of the offer/answer into buf (neg's lines: our
 * offer, or our answer; inactive without media). Bytes or -ENOSPC. */
int ua_sdp(struct ua_session *s, const struct ua_io *io, char *buf, size_t cap);

/* Sends a request in the dialog: BYE, OPTIONS, INFO, or a refresh (re-INVITE with
 * our offer of the key in use, or UPDATE without SDP) when refresh. An ACK goes with
 * ua_send_ack. 0 or a negative errno. */
int ua_send(struct ua_session *s, const struct ua_io *io, enum sip_method m, bool refresh);
/* The ACK of a 2xx to our INVITE of CSeq cseq: with our answer when the 2xx offered
 * (neg is NEG_REMOTE_OFFER). 0 or a negative errno. */
int ua_send_ack(struct ua_session *s, const struct ua_io *io, uint32_t cseq);

/* A request from the far end in this dialog: answered here. *why names a failure
 * (UA_FAILED, or a request we had to refuse). */
enum ua_event ua_on_request(struct ua_session *s, const struct ua_io *io, const struct sip_msg *m,
			    const char **why);
/* A response to our pending request in the dialog (the role routes those of its own
 * initial INVITE elsewhere). */
enum ua_event ua_on_response(struct ua_session *s, const struct ua_io *io, const struct sip_msg *m,
			     const char **why);

/* The session timer after the 2xx of the initial INVITE: from the 2xx (UAC) or from
 * the request we answered (UAS, ua_answer_timer). now: monotonic ns. */
void ua_timer_from_2xx(struct ua_session *s, const struct sip_msg *ok, uint64_t now);

/* The responder's part of RFC 4028 for an INVITE (initial or re-INVITE): 0 with the
 * timer decided, or 422 when the asked interval is below io->min_se_s (answer it with
 * ua_respond, which adds Min-SE). */
int ua_answer_timer(struct ua_session *s, const struct ua_io *io, const struct sip_msg *inv,
		    uint64_t now);

/* Answers a request: status, with our SDP when body, and what the session says
 * (Session-Expires and Require: timer on a 2xx to a refresh or the initial INVITE,
 * Min-SE on 422, Allow on 501 and 405, Contact on a 2xx to INVITE and UPDATE).
 * 0 or a negative errno. */
int ua_respond(struct ua_session *s, const struct ua_io *io, const struct sip_msg *m, int status,
	       bool body);

/* When the role must call ua_on_deadline (0: nothing due): a refresh that is ours,
 * the end of a session the far end should have refreshed, a 491 retry, or rekey_at. */
uint64_t ua_deadline(const struct ua_session *s);
/* Does what is due at now: refreshes (UA_NONE), rekeys (UA_REKEYING; refused: UA_FAILED,
 * *why "srtp_rekey_refused", later from ua_on_response), or ends an expired session with
 * BYE (UA_FAILED, *why "session_expired"). */
enum ua_event ua_on_deadline(struct ua_session *s, const struct ua_io *io, uint64_t now,
			     const char **why);

#endif
