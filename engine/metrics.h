/* Live metrics: each worker publishes its figures once a second into its slot of a
 * board (a copy under a lock the worker only tries, so its loop never waits); the
 * metrics endpoint sums the slots, or shows the run's final result once it is there,
 * as Prometheus text (trunkload_ names, _total counters, seconds). */
#ifndef TL_METRICS_H
#define TL_METRICS_H
#include <pthread.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "result.h"

/* What a worker last published. */
struct metrics_figures {
	uint64_t started, completed, failed, active;
	uint64_t hs_ok, hs_failed;
	uint64_t srtp_sent, srtp_received, srtp_auth_failures;
	struct reason_count reasons[RESULT_MAX_REASONS];
	unsigned n_reasons;
	struct hist invite_to_200;
};

struct metrics_slot {
	pthread_mutex_t lock;
	struct metrics_figures f;
};

struct metrics_board {
	pthread_mutex_t lock;        /* guards final */
	struct metrics_slot *slots;  /* owned; one per worker */
	unsigned n;
	const char *role;            /* "caller" or "responder": the label of every series */
	bool has_final;
	struct metrics_figures final; /* the run's merged result, once it ended */
};

/* A board for n workers. 0 or -ENOMEM. */
int metrics_board_init(struct metrics_board *b, unsigned n, const char *role);
void metrics_board_free(struct metrics_board *b);

/* The figures of a result (active: calls in progress now). */
void metrics_figures_of(struct metrics_figures *f, const struct result *r, uint64_t active);

/* A worker's figures into its slot, unless the endpoint is reading it just now (the
 * next second's will do). */
void metrics_publish(struct metrics_slot *s, const struct result *r, uint64_t active);

/* The run's merged result: what the endpoint shows from now on. */
void metrics_publish_final(struct metrics_board *b, const struct result *r);

/* The board as Prometheus text (exposition format 0.0.4) in a malloc'd buffer the
 * caller frees; *len its length. NULL when out of memory. */
char *metrics_text(struct metrics_board *b, size_t *len);

#endif
