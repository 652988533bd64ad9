/* Report writers: they read a finished result, never the engine's state. */
#ifndef TL_REPORT_H
#define TL_REPORT_H
#include <stdbool.h>
#include <stdio.h>
#include "result.h"
#include "scenario.h"
#include "verdict.h"

/* calls.by_to_prefix: the prefixes of called numbers with most failures */
#define REPORT_PREFIXES 20

struct report {
	const struct scenario *scn;
	const struct result *res;
	const struct verdict *verdict;
	const char *command;   /* the command line, for the record */
	double started_at;     /* wall clock, seconds since the epoch */
	const char *version;
	const char *shard;     /* "I/N" when the run was one shard of many, else NULL */
	uint64_t fd_limit, fd_needed; /* open-files limit in effect and what the run may hold
				       * (0: not known) */
};

/* Writes report.json, report.html, junit.xml and timeseries.csv into dir (which
 * exists), each atomically; every file is tried. Returns 0, or the first failure
 * (-errno, with a reason naming the file in err); *json_written tells whether
 * report.json, the contract, was written. */
int report_write_all(const char *dir, const struct report *r, bool *json_written, char *err,
		     size_t errlen);

/* --trace: traces/<reason>-<Call-ID>.txt of a kept trace, relative to the report dir. */
void report_trace_file(const struct trace_kept *t, char *out, size_t cap);
/* Writes each kept trace into dir/traces/. 0 or -errno with a reason in err. */
int report_write_traces(const char *dir, const struct report *r, char *err, size_t errlen);

/* Writes report.json atomically (a temporary file renamed into place), so a
 * reader never sees half a report. Returns 0 or -errno with a reason in err. */
int report_write_json(const char *path, const struct report *r, char *err, size_t errlen);

/* The human summary: verdict, calls, latency percentiles, TLS, failures, checks. */
void report_print_text(FILE *f, const struct report *r);

/* junit.xml: one test suite, one test case per check (name = check name, classname
 * "trunkload.<scenario>"), a <failure message="expected ..., observed ..."> for
 * failed checks and <skipped> for warnings; written atomically. 0 or -errno. */
int report_write_junit(const char *path, const struct report *r, char *err, size_t errlen);

/* timeseries.csv: a header line "t,started,completed,failed,active,p99_ms" and one row
 * per second; written atomically. 0 or -errno. */
int report_write_csv(const char *path, const struct report *r, char *err, size_t errlen);

/* report.html: one self-contained page (no network fetches) with the verdict and
 * checks, charts as inline SVG, failures, TLS and SRTP; written atomically. */
int report_write_html(const char *path, const struct report *r, char *err, size_t errlen);

/* Reads a report.json written by report_write_json back into a result (counters,
 * histograms from their buckets, failures, TLS counts, SRTP counters, time series),
 * for `trunkload merge`. r must be result_init'ed; the caller frees it. 0, or
 * -errno / -EBADMSG with a reason naming the file and the key in err. */
int report_read_json(const char *path, struct result *r, char *err, size_t errlen);

#endif
