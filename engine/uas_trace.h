/* --trace for the responder: a trace follows a Call-ID, not a call object, because an
 * INVITE refused at once has none, yet its trace holds the INVITE, our 100 and refusal,
 * and the caller's ACK. A trace starts with a new INVITE (all: the first n of all the
 * workers), takes every message of its Call-ID sent or received, and ends with its call
 * (completed, or failed with the reason the responder counts); one that may be kept (a
 * refusal, or any call with all:N) lingers for the message that closes the exchange (the
 * ACK to our error response or 487, the 200 to our BYE), or the end of the run. */
#ifndef TL_UAS_TRACE_H
#define TL_UAS_TRACE_H
#include "call_table.h"
#include "call_trace.h"
#include "sip_parse.h"
#include "worker.h"
#include <stdatomic.h>

struct uas_trace;

struct uas_traces {
	struct trace_book book;
	struct call_table index;  /* Call-ID -> v[] */
	struct uas_trace *v;      /* grown as needed up to the table's room */
	uint32_t n, cap, *free_slots, n_free;
	_Atomic uint64_t *started; /* traces started by all the workers (all: at most plan.n) */
	_Atomic uint64_t own_started; /* ... when they share none */
};

/* Off (plan->mode TRACE_OFF) costs nothing; started counts all:N's calls over the
 * workers that share it (NULL: this one alone). 0 or -ENOMEM. */
int uas_traces_init(struct uas_traces *t, const struct trace_plan *plan, struct result *res,
		    _Atomic uint64_t *started);
/* Ends the traces still open (the run is over), then frees what is left. */
void uas_traces_free(struct uas_traces *t);
static inline bool uas_traces_on(const struct uas_traces *t)
{
	return t->book.plan.mode != TRACE_OFF;
}

/* A message received over c at now (monotonic ns). */
void uas_trace_received(struct uas_traces *t, uint64_t now, const struct conn *c, const struct sip_msg *m);
/* A message of call_id we sent over c. */
void uas_trace_sent(struct uas_traces *t, uint64_t now, const struct conn *c, struct tl_str call_id,
		    const char *msg, size_t len);
/* The call of call_id ended, completed (reason NULL) or failed for reason. */
void uas_trace_ended(struct uas_traces *t, struct tl_str call_id, const char *reason);

#endif
