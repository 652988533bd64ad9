/* timeseries.csv: the run's per-second rows, for spreadsheets and plotting tools. */
#include "report.h"
#include "report_io.h"
#include <errno.h>
#include <stdbool.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

int report_write_csv(const char *path, const struct report *rep, char *err, size_t errlen)
{
	const struct result *r = rep->res;
	char tmp[PATH_MAX + 8];
	FILE *f;
	int open_rc = report_open_tmp(path, tmp, sizeof(tmp), &f, err, errlen);
	if (open_rc)
		return open_rc;
	bool pinged = rep->scn->options_ping_s; /* a column of trunk connections out of service */
	fprintf(f, "t,started,completed,failed,active,p99_ms,schedule_lag_ms%s\n", pinged ? ",out_of_service" : "");
	for (unsigned i = 0; i < r->n_ts; i++) {
		const struct ts_row *row = &r->ts[i];
		fprintf(f, "%u,%llu,%llu,%llu,%llu,%.3f,%.3f", i, (unsigned long long)row->started,
			(unsigned long long)row->completed, (unsigned long long)row->failed,
			(unsigned long long)row->active, (double)row->p99_us / 1000.0,
			(double)row->lag_max_us / 1000.0);
		if (pinged)
			fprintf(f, ",%u", result_out_of_service_in(&r->keepalive, i));
		fputc('\n', f);
	}
	return report_commit(f, tmp, path, err, errlen);
}
