/* --trace: each kept call's messages as a text file of its own under traces/, named by
 * its failure reason and Call-ID. */
#include "report.h"
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

void report_trace_file(const struct trace_kept *t, char *out, size_t cap)
{
	char id[64];
	size_t n = 0;
	for (const char *p = t->call_id; *p && n + 1 < sizeof(id); p++) /* a safe file name */
		id[n++] = (*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') || (*p >= '0' && *p <= '9') ||
				  *p == '-' || *p == '.' || *p == '@' ? *p : '_';
	id[n] = '\0';
	snprintf(out, cap, "traces/%.31s-%s.txt", t->reason, id);
}

int report_write_traces(const char *dir, const struct report *r, char *err, size_t errlen)
{
	const struct result *res = r->res;
	if (!res->n_traces)
		return 0;
	char path[4200];
	snprintf(path, sizeof(path), "%s/traces", dir);
	if (mkdir(path, 0755) && errno != EEXIST) {
		int e = errno;
		snprintf(err, errlen, "%s: %s", path, strerror(e));
		return -e;
	}
	for (unsigned i = 0; i < res->n_traces; i++) {
		char name[160];
		report_trace_file(&res->traces[i], name, sizeof(name));
		snprintf(path, sizeof(path), "%s/%s", dir, name);
		FILE *f = fopen(path, "w");
		bool ok = f && fwrite(res->traces[i].text, 1, res->traces[i].len, f) == res->traces[i].len;
		if (f && fclose(f))
			ok = false;
		if (!ok) {
			int e = errno ? errno : EIO;
			snprintf(err, errlen, "%s: %s", path, strerror(e));
			return -e;
		}
	}
	return 0;
}
