/* Wall-clock times as runs exchange them: RFC 3339 text ("2026-12-06T22:40:00Z",
 * "2026-12-06T23:40:00.250+01:00") or seconds since the epoch ("1796600400.25").
 * Pure. */
#ifndef TL_WALL_TIME_H
#define TL_WALL_TIME_H
#include <stddef.h>

/* Reads text, one of the two forms, whole, into *out (seconds since the epoch).
 * Returns 0, or -EINVAL (not one of them, a field out of range, or before 1970). */
int wall_time_parse(const char *text, double *out);

/* Writes t as RFC 3339 UTC with milliseconds ("2026-12-06T22:40:00.003Z") into out
 * (at least 25 bytes). */
void wall_time_format(double t, char *out, size_t cap);

#endif
