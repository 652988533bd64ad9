#include "cli_metrics.h"
#include "cli.h"
#include <pthread.h>
#include <signal.h>
#include <stdio.h>

int cli_metrics_start(struct cli_metrics *m, const char *cmd, const char *addr, unsigned workers,
		      const char *role)
{
	m->http = NULL;
	if (!addr)
		return 0;
	char err[300] = "out of memory";
	sigset_t set, old;
	sigemptyset(&set);
	sigaddset(&set, SIGINT);
	sigaddset(&set, SIGTERM);
	pthread_sigmask(SIG_BLOCK, &set, &old);
	if (!metrics_board_init(&m->board, workers, role))
		m->http = metrics_http_start(addr, &m->board, err, sizeof(err));
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	if (m->http)
		return 0;
	metrics_board_free(&m->board);
	return cli_usage_error(cmd, "--metrics %s", err);
}

void cli_metrics_stop(struct cli_metrics *m, double hold_s)
{
	if (!m->http)
		return;
	if (hold_s > 0)
		cli_pause(hold_s);
	metrics_http_stop(m->http);
	m->http = NULL;
	metrics_board_free(&m->board);
}
