/* Report writers: they read a finished result, never the engine's state. */
#ifndef TL_REPORT_H
#define TL_REPORT_H
#include <stdio.h>
#include "result.h"
#include "scenario.h"
#include "verdict.h"

struct report {
	const struct scenario *scn;
	const struct result *res;
	const struct verdict *verdict;
	const char *command;   /* the command line, for the record */
	double started_at;     /* wall clock, seconds since the epoch */
	const char *version;
};

/* Writes report.json atomically (a temporary file renamed into place), so a
 * reader never sees half a report. Returns 0 or -errno with a reason in err. */
int report_write_json(const char *path, const struct report *r, char *err, size_t errlen);

/* The human summary: verdict, calls, latency percentiles, TLS, failures, checks. */
void report_print_text(FILE *f, const struct report *r);

#endif
