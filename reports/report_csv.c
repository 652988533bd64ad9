/* timeseries.csv: the run's per-second rows, for spreadsheets and plotting tools. */
#include "report.h"
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

static int fail(char *err, size_t errlen, const char *file, int e)
{
	snprintf(err, errlen, "%s: %s", file, strerror(e));
	return -e;
}

/* Flushes the temporary file to disk and renames it over path, so that a reader sees
 * the old file or the whole new one; removes it on any error. */
static int commit(FILE *f, const char *tmp, const char *path, char *err, size_t errlen)
{
	int rc = 0;
	if (ferror(f) || fflush(f) || fsync(fileno(f)))
		rc = fail(err, errlen, tmp, errno ? errno : EIO);
	if (fclose(f) && !rc)
		rc = fail(err, errlen, tmp, errno);
	if (!rc && rename(tmp, path))
		rc = fail(err, errlen, path, errno);
	if (rc)
		unlink(tmp);
	return rc;
}

int report_write_csv(const char *path, const struct report *rep, char *err, size_t errlen)
{
	const struct result *r = rep->res;
	char tmp[PATH_MAX + 8];
	if ((size_t)snprintf(tmp, sizeof(tmp), "%s.tmp", path) >= sizeof(tmp))
		return fail(err, errlen, path, ENAMETOOLONG);
	errno = 0;
	FILE *f = fopen(tmp, "w");
	if (!f)
		return fail(err, errlen, tmp, errno);
	fputs("t,started,completed,failed,active,p99_ms\n", f);
	for (unsigned i = 0; i < r->n_ts; i++) {
		const struct ts_row *row = &r->ts[i];
		fprintf(f, "%u,%llu,%llu,%llu,%llu,%.3f\n", i, (unsigned long long)row->started,
			(unsigned long long)row->completed, (unsigned long long)row->failed,
			(unsigned long long)row->active, (double)row->p99_us / 1000.0);
	}
	return commit(f, tmp, path, err, errlen);
}
