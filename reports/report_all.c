/* Every file of a report directory from one result: the JSON contract first, then
 * its renderings for people and CI systems. */
#include "report.h"
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

int report_write_all(const char *dir, const struct report *r, bool *json_written, char *err,
		     size_t errlen)
{
	static const struct {
		const char *file;
		int (*write)(const char *, const struct report *, char *, size_t);
	} files[] = {
		{ "report.json", report_write_json },
		{ "report.html", report_write_html },
		{ "junit.xml", report_write_junit },
		{ "timeseries.csv", report_write_csv },
	};
	int first = 0;
	*json_written = false;
	for (size_t i = 0; i < sizeof(files) / sizeof(files[0]); i++) {
		char path[4200], why[512] = "";
		if ((size_t)snprintf(path, sizeof(path), "%s/%s", dir, files[i].file) >= sizeof(path)) {
			if (!first) {
				first = -ENAMETOOLONG;
				snprintf(err, errlen, "%s/%s: %s", dir, files[i].file, strerror(ENAMETOOLONG));
			}
			continue;
		}
		int rc = files[i].write(path, r, why, sizeof(why));
		if (!rc && i == 0)
			*json_written = true;
		if (rc && !first) {
			first = rc;
			snprintf(err, errlen, "%s", why);
		}
	}
	char why[512] = "";
	int rc = report_write_traces(dir, r, why, sizeof(why)); /* with --trace */
	if (rc && !first) {
		first = rc;
		snprintf(err, errlen, "%s", why);
	}
	return first;
}
