/* A run: worker threads, each with its own ring, started and stopped together;
 * their results merged at the end. Signals (SIGINT, SIGTERM) stop a run cleanly:
 * what was measured up to then is kept. */
#ifndef TL_RUN_H
#define TL_RUN_H
#include <stdio.h>
#include <sys/socket.h>
#include "result.h"
#include "scenario.h"
#include "progress.h"
#include "uas.h"
#include "numbers.h"
#include "metrics.h"
#include "uac.h"

struct capture;

struct run_caller_config {
	const struct scenario *scn;
	unsigned threads;
	struct sockaddr_storage targets[DEST_MAX]; /* each destination's address (scn_dest order) */
	socklen_t target_lens[DEST_MAX];
	SSL_CTX *ctx;          /* NULL for plain TCP */
	uint16_t media_port_lo, media_port_hi; /* RTP ports of the run (even, RTCP +1) */
	bool list_keys;        /* report the SRTP keys of the first RESULT_MAX_KEYS calls */
	bool resume;           /* resume TLS sessions on new connections (ctx made with resume) */
	unsigned shard, shards; /* --shard I/N (0 and 0 or 1: the whole run) */
	const struct number_table *numbers; /* call.numbers' CSV file, loaded (or NULL) */
	double start_at;       /* wall clock (epoch s) the schedule starts at, 0: at once */
	struct metrics_board *metrics; /* --metrics: a slot per worker (at least threads), or NULL */
	struct trace_plan trace; /* --trace (mem: the whole run's) */
	struct capture *capture; /* --pcap, or NULL */
	/* called about once a second on the calling thread while the run goes */
	void (*progress_cb)(const struct progress_snapshot *s, void *arg);
	void *progress_arg;
};

/* Runs the scenario's calls against the target. Fills *out (result_init'ed by
 * the caller; caller frees). Returns 0, or a negative errno when the workers could
 * not even start (err says why). A refused connection is recorded in
 * out->could_not_run, not returned. */
int run_caller(const struct run_caller_config *cfg, struct result *out, char *err, size_t errlen);

#define RUN_MAX_THREADS 64
/* Connections each responder worker can hold at once. */
#define RUN_UAS_MAX_CONNS 65536u

struct run_responder_config {
	int listen_fds[RUN_MAX_THREADS]; /* one SO_REUSEPORT listener per worker */
	unsigned n_listen;
	SSL_CTX *ctx;          /* NULL for plain TCP */
	struct uas_config uas;
	FILE *log;             /* where the summary goes at the end (may be NULL) */
	double duration_s;     /* stop after this long (0: only on a signal) */
	struct metrics_board *metrics; /* --metrics: a slot per listener, or NULL */
	struct capture *capture; /* --pcap, or NULL */
};

/* Answers calls until SIGINT or SIGTERM (or duration_s). Returns 0 or a negative errno. */
int run_responder(const struct run_responder_config *cfg, struct uas_counts *counts,
		  struct result *out, char *err, size_t errlen);

#endif
