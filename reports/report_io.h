/* What the report writers share: atomic file writes and UTF-8 checking. */
#ifndef TL_REPORT_IO_H
#define TL_REPORT_IO_H
#include <stdio.h>

/* Writes "file: reason" for errno e into err and returns -e. */
int report_fail(char *err, size_t errlen, const char *file, int e);

/* Opens "<path>.tmp" for writing (its name in tmp) into *f. 0, or -errno with err set. */
int report_open_tmp(const char *path, char *tmp, size_t tmpcap, FILE **f, char *err,
		    size_t errlen);

/* Flushes the temporary file to disk and renames it over path, so that a reader sees
 * the old file or the whole new one; removes it on any error. 0 or -errno. */
int report_commit(FILE *f, const char *tmp, const char *path, char *err, size_t errlen);

/* Length of the well-formed UTF-8 sequence at p (1 for ASCII), 0 for anything else:
 * stray bytes, overlong forms, surrogates, and (xml) U+FFFE/U+FFFF. */
size_t report_utf8_len(const unsigned char *p, int xml);

/* Writes s as markup text or attribute value: markup characters as entities, control
 * characters and bytes that are not UTF-8 as '?'. xml: XML 1.0 for attributes (line
 * breaks and tabs as references, U+FFFE/U+FFFF refused); else HTML (they stay). */
void report_escape(FILE *f, const char *s, int xml);

/* report.html's traces section (--trace): a sequence diagram per kept call. */
struct result;
void report_html_traces(FILE *f, const struct result *r);

#endif
