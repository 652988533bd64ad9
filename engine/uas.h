/* The responder (UAS): answers an INVITE with 100, 180 and 200 carrying its SDES
 * answer, or, to an INVITE without SDP (delayed offer), its offer; keys media from
 * the answer in the ACK; honours session timers (RFC 4028) and refreshes when it is
 * the refresher; answers the caller's requests in the dialog (ua_session.h); can be
 * told to delay or refuse. */
#ifndef TL_UAS_H
#define TL_UAS_H
#include "worker.h"
#include "sdes.h"
#include "dtmf.h"
#include "scenario.h"
#include <stdatomic.h>
#include "rate_gate.h"
#include "metrics.h"
#include "call_trace.h"

struct uas_config {
	uint32_t delay_ms;    /* wait this long between 100 and 180/200 */
	int refuse_status;    /* 0: answer; else the final status for every INVITE */
	enum sdes_suite accept[SDES_SUITE_COUNT]; /* suites we accept, in no order */
	unsigned n_accept;    /* 0: every suite */
	uint16_t media_port_lo, media_port_hi; /* RTP ports; 0: no media is sent or checked */
	uint32_t max_streams; /* concurrent media streams */
	bool shared_media_ports; /* one RTP and RTCP port for all streams (media.h) */
	bool srtp_wrong_key;  /* protect our SRTP with a key other than the one we answered */
	bool srtp_replay;     /* send every 10th SRTP packet twice (a replay) */
	uint32_t srtp_drop_per_10k, srtp_reorder_per_10k; /* impair what we send (media.h) */
	uint32_t srtp_jitter_us;
	bool srtp_keep_old_key; /* answer a rekey with a new key but go on protecting with the old */
	bool no_dtmf_echo;    /* do not play back the digits a caller sends */
	char expect_dtmf[DTMF_MAX_DIGITS + 1]; /* "" or the digits each call must send us */
	uint32_t min_se_s;    /* the shortest session interval accepted (422 below); 0: 90 */
	uint32_t max_calls;   /* calls in progress at once; 0: UAS_MAX_CALLS */
	const struct scn_uas *behaviour; /* --scenario: how to answer (borrowed), or NULL */
	const struct scn_session_timer *timer; /* its session_timer (borrowed), or NULL */
	uint64_t seed;        /* --seed: with each Call-ID, the draws of the behaviour */
	struct rate_gate *gate; /* answer.max_cps, shared by the workers (borrowed), or NULL */
	struct call_limit *limit; /* answer.max_calls, shared by the workers (borrowed), or NULL */
	struct metrics_slot *metrics; /* --metrics: this worker's, published once a second */
	struct trace_plan trace; /* --trace (mem: this worker's share) */
	_Atomic uint64_t *traces_started; /* all:N: calls traced by all the workers (or NULL) */
};

#define UAS_MAX_CALLS 65536u /* per worker, by default */

/* answer.max_calls: calls in progress over all workers, and how many may be. */
struct call_limit {
	_Atomic uint64_t now;
	uint64_t max;
};

struct uas_counts {
	uint64_t connections, invites, answered, refused, not_acceptable, acks, byes,
		cancels, options, other;
	uint64_t media_failed; /* answered 503 (no stream free) or 500 (SRTP set-up failed) */
	uint64_t delayed_offers;   /* INVITEs without SDP, answered with our offer */
	uint64_t reinvites, updates; /* the caller's, in a dialog */
	uint64_t too_brief;        /* answered 422: Session-Expires below our Min-SE */
	uint64_t bad_answers;      /* ACKs without an acceptable answer to our offer: BYE */
	uint64_t expired;          /* sessions the caller did not refresh: BYE */
	uint64_t refreshes_sent, refreshes_received; /* session refreshes that succeeded */
	uint64_t no_dialog;        /* requests for a dialog we do not have: 481 */
	uint64_t busy;             /* INVITEs refused 503: no room for another call */
	uint64_t overloaded;       /* INVITEs refused 503: over answer.max_cps or max_calls */
	uint64_t not_routed;       /* INVITEs no route matched: routes_default */
	uint64_t rang_out;         /* "no_answer": rang until the caller cancelled */
	uint64_t hangups;          /* calls we ended with BYE (hangup_after_ms) */
	uint64_t early_media;      /* calls answered 183 with SDP before their 200 */
	uint64_t reliable_provisionals, pracks; /* 183s sent with Require: 100rel; PRACKs */
};

struct uas;

/* Creates the responder for worker w (sets w->role, w->role_arg) and starts
 * accepting on w->listen_fd. NULL when out of memory; caller owns it. */
struct uas *uas_new(struct worker *w, const struct uas_config *cfg);
/* Ends the media streams still open, adding their counts to the worker's result. */
void uas_finish(struct uas *s);
void uas_free(struct uas *s);
const struct uas_counts *uas_counts(const struct uas *s);

extern const struct worker_role uas_role;

#endif
