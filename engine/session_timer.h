/* Session timers (RFC 4028): what the headers say, and when a refresh or the end of
 * an unrefreshed session is due. Pure: times are passed in. */
#ifndef TL_SESSION_TIMER_H
#define TL_SESSION_TIMER_H
#include <stdbool.h>
#include <stdint.h>
#include "str.h"

enum st_refresher { ST_REFRESHER_NONE = 0, ST_REFRESHER_UAC, ST_REFRESHER_UAS };

/* RFC 4028's floor for Session-Expires and Min-SE; lab tests may go lower. */
#define ST_RFC_MIN_SE 90

/* "1800;refresher=uas" (also the compact form's value). 0 with *secs and *who
 * (ST_REFRESHER_NONE when the parameter is absent), or -EBADMSG. */
int st_parse_session_expires(struct tl_str v, uint32_t *secs, enum st_refresher *who);
/* "90" (parameters after ';' ignored). 0 or -EBADMSG. */
int st_parse_min_se(struct tl_str v, uint32_t *secs);

/* One call's session timer once a 2xx set it up (interval_s 0: none). */
struct session_timer {
	uint32_t interval_s;
	bool we_refresh;
	uint64_t since_ns; /* the 2xx that started it, or the last refresh */
};

/* When we refresh: at half the interval (RFC 4028 10). */
uint64_t st_refresh_at(const struct session_timer *t);
/* When the session is over unless refreshed, as the side that does not refresh
 * sees it: the interval less a third, at most 32 s (RFC 4028 10); BYE then. */
uint64_t st_expires_at(const struct session_timer *t);
/* The deadline that matters for this side. */
uint64_t st_deadline(const struct session_timer *t);

const char *st_refresher_name(enum st_refresher r);

#endif
