#include "session_timer.h"
#include <errno.h>
#include <strings.h>

#define NS_PER_S 1000000000ull

static int delta_seconds(const char *p, const char *e, const char **end, uint32_t *secs)
{
	uint64_t v = 0;
	const char *s = p;
	while (p < e && *p >= '0' && *p <= '9') {
		v = v * 10 + (uint64_t)(*p++ - '0');
		if (v > UINT32_MAX)
			return -EBADMSG;
	}
	if (p == s)
		return -EBADMSG;
	*end = p;
	*secs = (uint32_t)v;
	return 0;
}

static const char *skip_ws(const char *p, const char *e)
{
	while (p < e && (*p == ' ' || *p == '\t'))
		p++;
	return p;
}

int st_parse_session_expires(struct tl_str v, uint32_t *secs, enum st_refresher *who)
{
	const char *p = skip_ws(v.p, v.p + v.len), *e = v.p + v.len;
	uint32_t s;
	if (!v.len || delta_seconds(p, e, &p, &s))
		return -EBADMSG;
	enum st_refresher r = ST_REFRESHER_NONE;
	while ((p = skip_ws(p, e)) < e) {
		if (*p++ != ';')
			return -EBADMSG;
		p = skip_ws(p, e);
		const char *name = p;
		while (p < e && *p != '=' && *p != ';' && *p != ' ' && *p != '\t')
			p++;
		size_t nlen = (size_t)(p - name);
		p = skip_ws(p, e);
		const char *val = p, *vend = p;
		if (p < e && *p == '=') {
			val = p = skip_ws(p + 1, e);
			while (p < e && *p != ';' && *p != ' ' && *p != '\t')
				p++;
			vend = p;
		}
		if (nlen == 9 && !strncasecmp(name, "refresher", 9)) {
			size_t vl = (size_t)(vend - val);
			if (vl == 3 && !strncasecmp(val, "uac", 3))
				r = ST_REFRESHER_UAC;
			else if (vl == 3 && !strncasecmp(val, "uas", 3))
				r = ST_REFRESHER_UAS;
			else
				return -EBADMSG;
		}
	}
	*secs = s;
	*who = r;
	return 0;
}

int st_parse_min_se(struct tl_str v, uint32_t *secs)
{
	const char *p = skip_ws(v.p, v.p + v.len), *e = v.p + v.len;
	uint32_t s;
	if (!v.len || delta_seconds(p, e, &p, &s))
		return -EBADMSG;
	p = skip_ws(p, e);
	if (p < e && *p != ';')
		return -EBADMSG;
	*secs = s;
	return 0;
}

uint64_t st_refresh_at(const struct session_timer *t)
{
	return t->since_ns + (uint64_t)t->interval_s * NS_PER_S / 2;
}

uint64_t st_expires_at(const struct session_timer *t)
{
	uint32_t margin = t->interval_s / 3 < 32 ? t->interval_s / 3 : 32;
	return t->since_ns + (uint64_t)(t->interval_s - margin) * NS_PER_S;
}

uint64_t st_deadline(const struct session_timer *t)
{
	return t->we_refresh ? st_refresh_at(t) : st_expires_at(t);
}

const char *st_refresher_name(enum st_refresher r)
{
	return r == ST_REFRESHER_UAC ? "uac" : r == ST_REFRESHER_UAS ? "uas" : "";
}
