#include "report_io.h"
#include <errno.h>
#include <string.h>
#include <unistd.h>

int report_fail(char *err, size_t errlen, const char *file, int e)
{
	snprintf(err, errlen, "%s: %s", file, strerror(e));
	return -e;
}

int report_open_tmp(const char *path, char *tmp, size_t tmpcap, FILE **f, char *err,
		    size_t errlen)
{
	if ((size_t)snprintf(tmp, tmpcap, "%s.tmp", path) >= tmpcap)
		return report_fail(err, errlen, path, ENAMETOOLONG);
	*f = fopen(tmp, "w");
	return *f ? 0 : report_fail(err, errlen, tmp, errno ? errno : EIO);
}

int report_commit(FILE *f, const char *tmp, const char *path, char *err, size_t errlen)
{
	int rc = 0;
	if (ferror(f) || fflush(f) || fsync(fileno(f)))
		rc = report_fail(err, errlen, tmp, errno ? errno : EIO);
	if (fclose(f) && !rc)
		rc = report_fail(err, errlen, tmp, errno);
	if (!rc && rename(tmp, path))
		rc = report_fail(err, errlen, path, errno);
	if (rc)
		unlink(tmp);
	return rc;
}

size_t report_utf8_len(const unsigned char *p, int xml)
{
	if (p[0] < 0x80)
		return 1;
	size_t n = p[0] >= 0xc2 && p[0] <= 0xdf ? 2 : p[0] >= 0xe0 && p[0] <= 0xef ? 3 :
		   p[0] >= 0xf0 && p[0] <= 0xf4 ? 4 : 0;
	for (size_t i = 1; i < n; i++)
		if ((p[i] & 0xc0) != 0x80)
			return 0;
	if ((p[0] == 0xe0 && p[1] < 0xa0) || (p[0] == 0xed && p[1] >= 0xa0) ||
	    (p[0] == 0xf0 && p[1] < 0x90) || (p[0] == 0xf4 && p[1] >= 0x90) ||
	    (xml && p[0] == 0xef && p[1] == 0xbf && p[2] >= 0xbe))
		return 0;
	return n;
}

void report_escape(FILE *f, const char *s, int xml)
{
	const unsigned char *p = (const unsigned char *)s;
	while (*p) {
		size_t n = report_utf8_len(p, xml);
		if (n > 1) {
			fwrite(p, 1, n, f);
			p += n;
			continue;
		}
		switch (*p) {
		case '<': fputs("&lt;", f); break;
		case '>': fputs("&gt;", f); break;
		case '&': fputs("&amp;", f); break;
		case '"': fputs("&quot;", f); break;
		case '\'': fputs(xml ? "&apos;" : "&#39;", f); break;
		case '\n': fputs(xml ? "&#10;" : "\n", f); break;
		case '\t': fputs(xml ? "&#9;" : "\t", f); break;
		default: fputc(n == 1 && *p >= 0x20 && *p != 0x7f ? *p : '?', f);
		}
		p++;
	}
}
