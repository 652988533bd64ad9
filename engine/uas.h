/* The responder (UAS): answers INVITE with 100, 180 and 200 carrying an SDES
 * answer, answers BYE, CANCEL and OPTIONS; can be told to delay or refuse. */
#ifndef TL_UAS_H
#define TL_UAS_H
#include "worker.h"
#include "sdes.h"

struct uas_config {
	uint32_t delay_ms;    /* wait this long between 100 and 180/200 */
	int refuse_status;    /* 0: answer; else the final status for every INVITE */
	enum sdes_suite accept[SDES_SUITE_COUNT]; /* suites we accept, in no order */
	unsigned n_accept;    /* 0: every suite */
	uint16_t media_port_lo, media_port_hi; /* RTP ports; 0: no media is sent or checked */
	uint32_t max_streams; /* concurrent media streams */
	bool srtp_wrong_key;  /* protect our SRTP with a key other than the one we answered */
	bool srtp_replay;     /* send every 10th SRTP packet twice (a replay) */
};

struct uas_counts {
	uint64_t connections, invites, answered, refused, not_acceptable, acks, byes,
		cancels, options, other;
	uint64_t media_failed; /* answered 503 (no stream free) or 500 (SRTP set-up failed) */
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
