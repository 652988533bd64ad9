/* The caller (UAC): runs the scenario's call flow at the scheduled rate over a
 * few long-lived trunk connections, measuring every interval from the call's
 * scheduled start (open loop, no coordinated omission). */
#ifndef TL_UAC_H
#define TL_UAC_H
#include <sys/socket.h>
#include "scenario.h"
#include "progress.h"
#include "worker.h"
#include "numbers.h"
#include "metrics.h"
#include "call_trace.h"


struct uac_config {
	const struct scenario *scn;
	const struct sockaddr_storage *targets; /* each destination's address (scn_dest order) */
	const socklen_t *target_lens;
	unsigned worker_id, n_workers;
	unsigned connections;     /* trunk connections this worker opens to each destination */
	uint32_t max_calls;       /* concurrent calls this worker may hold */
	char run_id[16];          /* Call-ID prefix shared by the run */
	uint16_t media_port_lo, media_port_hi; /* this worker's RTP ports */
	unsigned list_keys;       /* list the SRTP keys of up to this many calls (0: none) */
	struct progress *progress; /* published once a second (may be NULL) */
	struct metrics_slot *metrics; /* --metrics: published once a second (may be NULL) */
	struct trace_plan trace;  /* --trace */
	unsigned shard, shards;   /* this run's shard of how many (0 of 1 alone) */
	const struct number_table *numbers; /* call.numbers' CSV file, loaded (or NULL) */
	uint64_t seed;            /* of the random orders of call.numbers */
	double start_at;          /* wall clock (epoch s) the schedule starts at, 0: at once */
};

struct uac;

/* Creates the caller for worker w (w->role and w->role_arg are set).
 * Returns NULL when out of memory. The caller owns the result (uac_free). */
struct uac *uac_new(struct worker *w, const struct uac_config *cfg);
void uac_free(struct uac *u);
/* Counts calls still in progress as failed ("interrupted") after a stopped run. */
void uac_finish(struct uac *u);

extern const struct worker_role uac_role;

#endif
