/* --metrics for run and uas: the board the workers publish into and its endpoint. */
#ifndef TL_CLI_METRICS_H
#define TL_CLI_METRICS_H
#include "metrics_http.h"

struct cli_metrics {
	struct metrics_board board;
	struct metrics_http *http; /* NULL: not asked for */
};

/* Serves a board of `workers` slots at addr (NULL: nothing to do), its thread started
 * with SIGINT and SIGTERM blocked so that it leaves them to the run. 0, or EXIT_USAGE
 * after saying why ("trunkload CMD: --metrics ADDR: ..."). */
int cli_metrics_start(struct cli_metrics *m, const char *cmd, const char *addr, unsigned workers,
		      const char *role);
/* The final figures stay served hold_s seconds (a signal ends the wait), then the
 * endpoint stops and the board is freed. */
void cli_metrics_stop(struct cli_metrics *m, double hold_s);

#endif
