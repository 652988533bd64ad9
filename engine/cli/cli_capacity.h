/* run --find-capacity: the highest call rate at which every check of the scenario holds,
 * or (concurrent) the most calls in progress at once. */
#ifndef TL_CLI_CAPACITY_H
#define TL_CLI_CAPACITY_H
#include "run.h"

struct capacity_plan {
	bool concurrent;    /* search concurrent calls (each lasting call_s), not calls/s */
	double call_s;      /* with concurrent: how long a call lasts when all goes well */
	double from, max;   /* the first value tried; the highest (calls/s, or calls) */
	double step_s;      /* how long each trial runs */
	double drain_s;     /* the pause after each, for the far end to drain */
	bool quiet;         /* no line per trial on stderr */
	bool tty;           /* stderr is a terminal: a progress line stands open there */
	const struct scenario **progress_scn; /* set to each trial's scenario (the progress
					       * line's target rate), or NULL */
};

/* Runs the trials (cfg->scn is each trial's scenario meanwhile): every trial's result
 * is added to total, as one of its stages, with total->capacity saying what was found;
 * shown gets scn with the trials as its load.stages, for the report. 0, or what
 * run_caller returned when a trial could not start (err says why). SIGINT or SIGTERM
 * ends the search with what was found so far (total->interrupted). */
int capacity_search(const struct scenario *scn, const struct capacity_plan *plan,
		    struct run_caller_config *cfg, struct result *total, struct scenario *shown,
		    char *err, size_t errlen);

#endif
