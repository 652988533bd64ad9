/* SIP message parser over a stream buffer: see sip_parse.h for the contract.
 *
 * One pass: each physical line end is found once with memchr. A header line is
 * handled only once the first byte of the next line is known, because a next
 * line starting with SP/HT is a fold that continues it. Each logical header is
 * dispatched on its name length and first letter; nothing is allocated and the
 * buffer is never read past len (it is not NUL-terminated). */
#include <errno.h>
#include <limits.h>
#include <stdint.h>
#include "sip_parse.h"

enum hdr {
	H_OTHER, H_VIA, H_FROM, H_TO, H_CALL_ID, H_CSEQ, H_CONTACT,
	H_CONTENT_TYPE, H_CONTENT_LENGTH, H_RECORD_ROUTE, H_MAX_FORWARDS,
	H_SESSION_EXPIRES, H_MIN_SE, H_SUPPORTED, H_REQUIRE,
};

/* Headers that may appear once; a second copy makes the message ambiguous. */
#define SEEN_CSEQ (1u << 0)
#define SEEN_CLEN (1u << 1)
#define SEEN_MAXF (1u << 2)

static const char *const method_names[SIP_METHOD_COUNT] = {
	[SIP_INVITE] = "INVITE", [SIP_ACK] = "ACK", [SIP_BYE] = "BYE",
	[SIP_CANCEL] = "CANCEL", [SIP_OPTIONS] = "OPTIONS", [SIP_REGISTER] = "REGISTER",
	[SIP_PRACK] = "PRACK", [SIP_UPDATE] = "UPDATE", [SIP_INFO] = "INFO",
	[SIP_NOTIFY] = "NOTIFY", [SIP_SUBSCRIBE] = "SUBSCRIBE", [SIP_REFER] = "REFER",
	[SIP_MESSAGE] = "MESSAGE",
};

/* Byte classes: T an RFC 3261 token character (ALPHA DIGIT - . ! % * _ + ` ' ~),
 * W linear white space (CR and LF inside a logical header only come from folds),
 * S a byte that structures a header value (" , ; < >). One table lookup per byte
 * keeps the hot loops short. */
enum { T = 1, W = 2, S = 4 };
static const unsigned char cls[256] = {
	/*      0  1  2  3  4  5  6  7  8  9  a  b  c  d  e  f */
	/* 0 */ 0, 0, 0, 0, 0, 0, 0, 0, 0, W, W, 0, 0, W, 0, 0,
	/* 1 */ 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
	/* 2 */ W, T, S, 0, 0, T, 0, T, 0, 0, T, T, S, T, T, 0,
	/* 3 */ T, T, T, T, T, T, T, T, T, T, 0, S, S, 0, S, 0,
	/* 4 */ 0, T, T, T, T, T, T, T, T, T, T, T, T, T, T, T,
	/* 5 */ T, T, T, T, T, T, T, T, T, T, T, 0, 0, 0, 0, T,
	/* 6 */ T, T, T, T, T, T, T, T, T, T, T, T, T, T, T, T,
	/* 7 */ T, T, T, T, T, T, T, T, T, T, T, 0, 0, 0, T, 0,
};

static inline bool is_token(char c)
{
	return cls[(unsigned char)c] & T;
}

static inline bool is_lws(char c)
{
	return cls[(unsigned char)c] & W;
}

static inline bool is_special(char c)
{
	return cls[(unsigned char)c] & S;
}

static inline char lower(char c)
{
	return (c >= 'A' && c <= 'Z') ? (char)(c + ('a' - 'A')) : c;
}

/* p[0..n) equals the lower-case literal lit, ignoring case. */
static bool ieq(const char *p, const char *lit, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (lower(p[i]) != lit[i])
			return false;
	return true;
}

/* p[0..n) equals s[0..n), ignoring case on both sides. */
static bool ieq_any(const char *p, const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (lower(p[i]) != lower(s[i]))
			return false;
	return true;
}

static struct tl_str trim(const char *p, const char *e)
{
	while (p < e && is_lws(*p))
		p++;
	while (e > p && is_lws(e[-1]))
		e--;
	return (struct tl_str){ p, (size_t)(e - p) };
}

static const char *skip_lws(const char *p, const char *e)
{
	while (p < e && is_lws(*p))
		p++;
	return p;
}

/* p is just past an opening quote; returns the byte after the closing one. */
static const char *skip_quoted(const char *p, const char *e)
{
	while (p < e) {
		char c = *p++;
		if (c == '"')
			return p;
		if (c == '\\' && p < e)
			p++;
	}
	return e;
}

/* 1*DIGIT, nothing else, at most max. */
static int parse_uint(struct tl_str s, uint64_t max, uint64_t *out)
{
	uint64_t v = 0;
	if (s.len == 0)
		return -EBADMSG;
	for (size_t i = 0; i < s.len; i++) {
		unsigned d = (unsigned char)s.p[i] - '0';
		if (d > 9)
			return -EBADMSG;
		v = v * 10 + d;
		if (v > max)
			return -EBADMSG;
	}
	*out = v;
	return 0;
}

enum sip_method sip_method_from_name(const char *p, size_t len)
{
	switch (len) {
	case 3:
		if (!memcmp(p, "ACK", 3)) return SIP_ACK;
		if (!memcmp(p, "BYE", 3)) return SIP_BYE;
		break;
	case 4:
		if (!memcmp(p, "INFO", 4)) return SIP_INFO;
		break;
	case 5:
		if (!memcmp(p, "PRACK", 5)) return SIP_PRACK;
		if (!memcmp(p, "REFER", 5)) return SIP_REFER;
		break;
	case 6:
		if (!memcmp(p, "INVITE", 6)) return SIP_INVITE;
		if (!memcmp(p, "CANCEL", 6)) return SIP_CANCEL;
		if (!memcmp(p, "UPDATE", 6)) return SIP_UPDATE;
		if (!memcmp(p, "NOTIFY", 6)) return SIP_NOTIFY;
		break;
	case 7:
		if (!memcmp(p, "OPTIONS", 7)) return SIP_OPTIONS;
		if (!memcmp(p, "MESSAGE", 7)) return SIP_MESSAGE;
		break;
	case 8:
		if (!memcmp(p, "REGISTER", 8)) return SIP_REGISTER;
		break;
	case 9:
		if (!memcmp(p, "SUBSCRIBE", 9)) return SIP_SUBSCRIBE;
		break;
	}
	return SIP_METHOD_UNKNOWN;
}

const char *sip_method_name(enum sip_method m)
{
	if ((unsigned)m >= SIP_METHOD_COUNT)
		return NULL;
	return method_names[m];
}

bool sip_option_listed(const struct tl_str *values, unsigned n, const char *tag)
{
	size_t tlen = strlen(tag);
	for (unsigned i = 0; i < n; i++) {
		const char *p = values[i].p, *e = p + values[i].len;
		while (p < e) {
			while (p < e && (is_lws(*p) || *p == ','))
				p++;
			const char *s = p;
			while (p < e && *p != ',' && !is_lws(*p))
				p++;
			if ((size_t)(p - s) == tlen && ieq_any(s, tag, tlen))
				return true;
		}
	}
	return false;
}

int sip_param(struct tl_str value, const char *name, struct tl_str *val)
{
	size_t nlen;

	/* an absent header is {NULL, 0}: no arithmetic on it */
	if (!value.len || !memchr(value.p, ';', value.len)) /* common: To without tag */
		return -ENOENT;
	const char *p = value.p, *e = value.p + value.len;
	nlen = strlen(name);
	while (p < e) {
		while (p < e && !is_special(*p))
			p++;
		if (p == e)
			break;
		char c = *p++;
		if (c == '"') {
			p = skip_quoted(p, e);
			continue;
		}
		if (c == '<') { /* URI parameters are not the header's */
			const char *gt = memchr(p, '>', (size_t)(e - p));
			p = gt ? gt + 1 : e;
			continue;
		}
		if (c == ',') /* the next header value begins: its params are not ours */
			break;
		if (c != ';')
			continue;
		const char *ns = skip_lws(p, e);
		p = ns;
		while (p < e && is_token(*p))
			p++;
		bool match = (size_t)(p - ns) == nlen && nlen > 0;
		for (size_t i = 0; match && i < nlen; i++)
			match = lower(ns[i]) == lower(name[i]);
		const char *q = skip_lws(p, e);
		if (q == e || *q != '=') {
			if (match) {
				*val = (struct tl_str){ p, 0 };
				return 0;
			}
			continue;
		}
		const char *vs = skip_lws(q + 1, e);
		q = vs;
		if (q < e && *q == '"')
			q = skip_quoted(q + 1, e);
		else
			while (q < e && *q != ';' && *q != ',' && !is_lws(*q))
				q++;
		if (match) {
			*val = (struct tl_str){ vs, (size_t)(q - vs) };
			return 0;
		}
		p = q;
	}
	return -ENOENT;
}

static bool both_ieq(const char *a, const char *b, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (lower(a[i]) != lower(b[i]))
			return false;
	return true;
}

/* RFC 3261 7.3.3 and the registry's compact forms: long name -> letter */
static char compact_form(const char *name)
{
	static const struct { const char *name; char c; } forms[] = {
		{ "via", 'v' }, { "from", 'f' }, { "to", 't' }, { "call-id", 'i' },
		{ "contact", 'm' }, { "content-length", 'l' }, { "content-type", 'c' },
		{ "content-encoding", 'e' }, { "subject", 's' }, { "supported", 'k' },
		{ "session-expires", 'x' }, { "event", 'o' }, { "refer-to", 'r' },
		{ "referred-by", 'b' }, { "allow-events", 'u' }, { "accept-contact", 'a' },
		{ "reject-contact", 'j' }, { "request-disposition", 'd' }, { "identity", 'y' },
	};
	size_t n = strlen(name);
	for (size_t i = 0; i < sizeof(forms) / sizeof(forms[0]); i++)
		if (strlen(forms[i].name) == n && both_ieq(name, forms[i].name, n))
			return forms[i].c;
	return 0;
}

int sip_header_value(struct tl_str head, const char *name, unsigned nth, struct tl_str *value)
{
	size_t nlen = strlen(name);
	char compact = compact_form(name);
	if (nlen == 1)
		compact = lower(name[0]);
	const char *p = head.p, *e = head.p + head.len;
	const char *nl = memchr(p, '\n', head.len);
	p = nl ? nl + 1 : e; /* past the start line */
	while (p < e) {
		/* a logical line: up to a line break not followed by a fold */
		const char *q = p;
		for (;;) {
			nl = memchr(q, '\n', (size_t)(e - q));
			if (!nl || nl + 1 >= e || (nl[1] != ' ' && nl[1] != '\t'))
				break;
			q = nl + 1;
		}
		const char *end = nl ? nl : e;
		const char *c = p;
		while (c < end && is_token(*c))
			c++;
		size_t len = (size_t)(c - p);
		bool match = (len == nlen && both_ieq(p, name, nlen)) ||
			     (compact && len == 1 && lower(*p) == compact);
		c = skip_lws(c, end);
		if (match && c < end && *c == ':' && nth-- == 0) {
			const char *ve = end > c && end[-1] == '\r' ? end - 1 : end;
			*value = trim(c + 1, ve);
			return 0;
		}
		p = nl ? nl + 1 : e;
	}
	return -ENOENT;
}

static enum hdr hdr_lookup(const char *n, size_t len)
{
	switch (len) {
	case 1:
		switch (lower(n[0])) {
		case 'v': return H_VIA;
		case 'f': return H_FROM;
		case 't': return H_TO;
		case 'i': return H_CALL_ID;
		case 'm': return H_CONTACT;
		case 'l': return H_CONTENT_LENGTH;
		case 'c': return H_CONTENT_TYPE;
		case 'x': return H_SESSION_EXPIRES;
		case 'k': return H_SUPPORTED;
		default: return H_OTHER; /* s e and the rest: not needed */
		}
	case 2:
		return ieq(n, "to", 2) ? H_TO : H_OTHER;
	case 3:
		return ieq(n, "via", 3) ? H_VIA : H_OTHER;
	case 4:
		if (ieq(n, "from", 4)) return H_FROM;
		if (ieq(n, "cseq", 4)) return H_CSEQ;
		return H_OTHER;
	case 6:
		return ieq(n, "min-se", 6) ? H_MIN_SE : H_OTHER;
	case 7:
		if (ieq(n, "call-id", 7)) return H_CALL_ID;
		if (ieq(n, "contact", 7)) return H_CONTACT;
		if (ieq(n, "require", 7)) return H_REQUIRE;
		return H_OTHER;
	case 9:
		return ieq(n, "supported", 9) ? H_SUPPORTED : H_OTHER;
	case 12:
		switch (lower(n[0])) {
		case 'c': return ieq(n, "content-type", 12) ? H_CONTENT_TYPE : H_OTHER;
		case 'r': return ieq(n, "record-route", 12) ? H_RECORD_ROUTE : H_OTHER;
		case 'm': return ieq(n, "max-forwards", 12) ? H_MAX_FORWARDS : H_OTHER;
		default: return H_OTHER;
		}
	case 14:
		return ieq(n, "content-length", 14) ? H_CONTENT_LENGTH : H_OTHER;
	case 15:
		return ieq(n, "session-expires", 15) ? H_SESSION_EXPIRES : H_OTHER;
	default:
		return H_OTHER;
	}
}

static int add_via(struct sip_msg *m, struct tl_str v)
{
	if (v.len == 0)
		return -EBADMSG;
	if (m->via_count == 0 && sip_param(v, "branch", &m->branch) < 0)
		m->branch = (struct tl_str){ NULL, 0 };
	if (m->via_count < SIP_MAX_VIA)
		m->via[m->via_count] = v;
	m->via_count++;
	return 0;
}

/* A Via header may carry several comma-separated values; commas inside quoted
 * parameter values do not split. */
static int on_via(struct sip_msg *m, struct tl_str v)
{
	const char *p = v.p, *e = v.p + v.len, *start = p;
	if (!v.len || !memchr(v.p, ',', v.len)) /* common: one value per line */
		return add_via(m, v);
	while (p < e) {
		char c = *p++;
		if (!is_special(c))
			continue;
		if (c == '"') {
			p = skip_quoted(p, e);
		} else if (c == ',') {
			int rc = add_via(m, trim(start, p - 1));
			if (rc < 0)
				return rc;
			start = p;
		}
	}
	return add_via(m, trim(start, e));
}

/* CSeq: 1*DIGIT LWS Method */
static int on_cseq(struct sip_msg *m, struct tl_str v)
{
	const char *p = v.p, *e = v.p + v.len, *ds = p;
	uint64_t n;
	while (p < e && *p >= '0' && *p <= '9')
		p++;
	/* RFC 3261 8.1.1.5: less than 2**31 */
	if (parse_uint((struct tl_str){ ds, (size_t)(p - ds) }, INT32_MAX, &n) < 0)
		return -EBADMSG;
	const char *ms = skip_lws(p, e);
	if (ms == p)
		return -EBADMSG;
	p = ms;
	while (p < e && is_token(*p))
		p++;
	if (p == ms || p != e)
		return -EBADMSG;
	m->cseq = (uint32_t)n;
	m->cseq_method_name = (struct tl_str){ ms, (size_t)(p - ms) };
	m->cseq_method = sip_method_from_name(ms, (size_t)(p - ms));
	return 0;
}

/* Handles one logical header p[0..n) (folds included, final CRLF excluded). */
static int on_header(struct sip_msg *m, const char *p, size_t n, unsigned *seen)
{
	const char *e = p + n, *q = p;
	uint64_t num;

	while (q < e && is_token(*q))
		q++;
	size_t nlen = (size_t)(q - p);
	q = skip_lws(q, e);
	if (nlen == 0 || q == e || *q != ':')
		return -EBADMSG;
	struct tl_str v = trim(q + 1, e);

	switch (hdr_lookup(p, nlen)) {
	case H_VIA:
		return on_via(m, v);
	case H_FROM:
		if (m->from.p || v.len == 0)
			return -EBADMSG;
		m->from = v;
		if (sip_param(v, "tag", &m->from_tag) < 0)
			m->from_tag = (struct tl_str){ NULL, 0 };
		return 0;
	case H_TO:
		if (m->to.p || v.len == 0)
			return -EBADMSG;
		m->to = v;
		if (sip_param(v, "tag", &m->to_tag) < 0)
			m->to_tag = (struct tl_str){ NULL, 0 };
		return 0;
	case H_CALL_ID:
		if (m->call_id.p || v.len == 0)
			return -EBADMSG;
		m->call_id = v;
		return 0;
	case H_CSEQ:
		if (*seen & SEEN_CSEQ)
			return -EBADMSG;
		*seen |= SEEN_CSEQ;
		return on_cseq(m, v);
	case H_CONTACT:
		if (!m->contact.p)
			m->contact = v;
		return 0;
	case H_CONTENT_TYPE:
		if (!m->content_type.p)
			m->content_type = v;
		return 0;
	case H_CONTENT_LENGTH:
		if ((*seen & SEEN_CLEN) || parse_uint(v, UINT32_MAX, &num) < 0)
			return -EBADMSG;
		*seen |= SEEN_CLEN;
		m->content_length = (size_t)num;
		return 0;
	case H_MAX_FORWARDS:
		if ((*seen & SEEN_MAXF) || parse_uint(v, 255, &num) < 0)
			return -EBADMSG;
		*seen |= SEEN_MAXF;
		m->max_forwards = (int)num;
		return 0;
	case H_RECORD_ROUTE:
		if (v.len == 0)
			return -EBADMSG;
		if (m->record_route_count < SIP_MAX_RR)
			m->record_route[m->record_route_count] = v;
		m->record_route_count++;
		return 0;
	case H_SESSION_EXPIRES:
		if (!m->session_expires.p)
			m->session_expires = v;
		return 0;
	case H_MIN_SE:
		if (!m->min_se.p)
			m->min_se = v;
		return 0;
	case H_SUPPORTED:
		if (m->n_supported < SIP_MAX_OPTION_HDRS)
			m->supported[m->n_supported++] = v;
		return 0;
	case H_REQUIRE:
		if (m->n_require < SIP_MAX_OPTION_HDRS)
			m->require[m->n_require++] = v;
		return 0;
	case H_OTHER:
		return 0;
	}
	return 0;
}

/* "SIP/2.0" (the protocol name matches case-insensitively, as ABNF literals do). */
static bool is_version(const char *p)
{
	return ieq(p, "sip/2.0", 7);
}

/* Start line p[0..n), CRLF excluded. */
static int parse_start(const char *p, size_t n, struct sip_msg *m)
{
	const char *e = p + n, *q;

	if (n >= 8 && is_version(p) && p[7] == ' ') {
		/* SIP/2.0 SP 3DIGIT SP Reason-Phrase */
		q = p + 8;
		if (e - q < 4 || q[3] != ' ')
			return -EBADMSG;
		int st = 0;
		for (int i = 0; i < 3; i++) {
			if (q[i] < '0' || q[i] > '9')
				return -EBADMSG;
			st = st * 10 + (q[i] - '0');
		}
		if (st < 100 || st > 699)
			return -EBADMSG;
		for (const char *r = q + 4; r < e; r++) {
			unsigned char c = (unsigned char)*r;
			if ((c < 0x20 && c != '\t') || c == 0x7f)
				return -EBADMSG;
		}
		m->kind = SIP_KIND_RESPONSE;
		m->status = st;
		m->reason = (struct tl_str){ q + 4, (size_t)(e - q - 4) };
		return 0;
	}

	/* Method SP Request-URI SP SIP/2.0 */
	q = p;
	while (q < e && is_token(*q))
		q++;
	if (q == p || q == e || *q != ' ')
		return -EBADMSG;
	m->method_name = (struct tl_str){ p, (size_t)(q - p) };
	const char *us = ++q;
	while (q < e && (unsigned char)*q > ' ' && *q != 0x7f)
		q++;
	if (q == us || e - q != 8 || *q != ' ' || !is_version(q + 1))
		return -EBADMSG;
	m->kind = SIP_KIND_REQUEST;
	m->ruri = (struct tl_str){ us, (size_t)(q - us) };
	m->method = sip_method_from_name(p, m->method_name.len);
	return 0;
}

/* Nothing decisive within the first min(len, max_size) bytes. */
static int need_more(size_t len, size_t max_size)
{
	return len >= max_size ? -EMSGSIZE : -EAGAIN;
}

static int keepalive(const char *buf, size_t len, struct sip_msg *out)
{
	size_t n = 0;
	while (n < len && n < INT_MAX && (buf[n] == '\r' || buf[n] == '\n'))
		n++;
	memset(out, 0, sizeof(*out));
	out->kind = SIP_KIND_KEEPALIVE;
	out->max_forwards = -1;
	return (int)n;
}

/* The start line and headers up to the empty line; m is scratch until it succeeds. */
static int parse_head(const char *buf, size_t len, size_t max_size, struct sip_msg *m)
{
	unsigned seen = 0;
	int rc;

	if (max_size > INT_MAX)
		max_size = INT_MAX;
	if (len == 0)
		return -EAGAIN;
	if (buf[0] == '\r' || buf[0] == '\n')
		return keepalive(buf, len, m);
	/* Fail fast on a stream that is not SIP at all (e.g. a TLS ClientHello). */
	if (!is_token(buf[0]))
		return -EBADMSG;

	/* The header block must end within max_size: never look further. */
	size_t lim = len < max_size ? len : max_size;
	const char *nl = memchr(buf, '\n', lim);
	if (!nl)
		return need_more(len, max_size);
	size_t pos = (size_t)(nl - buf);
	if (buf[pos - 1] != '\r') /* pos >= 1: buf[0] is a token char */
		return -EBADMSG;

	memset(m, 0, sizeof(*m));
	m->max_forwards = -1;
	rc = parse_start(buf, pos - 1, m);
	if (rc < 0)
		return rc;
	pos++;

	size_t hs = 0, he = 0; /* pending logical header [hs, he) */
	bool pending = false;
	for (;;) {
		if (pos >= lim)
			return need_more(len, max_size);
		char c = buf[pos];
		if (c == ' ' || c == '\t') {
			/* fold: this line continues the pending header */
			if (!pending)
				return -EBADMSG;
		} else {
			if (pending) {
				rc = on_header(m, buf + hs, he - hs, &seen);
				if (rc < 0)
					return rc;
				pending = false;
			}
			if (c == '\r') {
				if (pos + 1 >= lim)
					return need_more(len, max_size);
				if (buf[pos + 1] != '\n')
					return -EBADMSG;
				pos += 2;
				break;
			}
			if (c == '\n')
				return -EBADMSG;
			hs = pos;
		}
		nl = memchr(buf + pos, '\n', lim - pos);
		if (!nl)
			return need_more(len, max_size);
		size_t eol = (size_t)(nl - buf);
		if (buf[eol - 1] != '\r') /* eol > pos: buf[pos] is not LF */
			return -EBADMSG;
		he = eol - 1;
		pending = true;
		pos = eol + 1;
	}

	if (m->via_count == 0 || !m->from.p || !m->to.p || !m->call_id.p ||
	    !(seen & SEEN_CSEQ) || !(seen & SEEN_CLEN))
		return -EBADMSG;
	/* ACK and CANCEL carry their own method in CSeq too (RFC 3261 17.1.1.3, 9.1). */
	if (m->kind == SIP_KIND_REQUEST &&
	    (m->cseq_method_name.len != m->method_name.len ||
	     memcmp(m->cseq_method_name.p, m->method_name.p, m->method_name.len) != 0))
		return -EBADMSG;
	if (m->content_length > max_size - pos)
		return -EMSGSIZE;
	m->body = (struct tl_str){ buf + pos, 0 };
	m->head = (struct tl_str){ buf, pos - 2 };
	return (int)pos;
}

int sip_parse_head(const char *buf, size_t len, size_t max_size, struct sip_msg *out)
{
	struct sip_msg m;
	int n = parse_head(buf, len, max_size, &m);
	if (n >= 0)
		*out = m;
	return n;
}

int sip_parse_msg(const char *buf, size_t len, size_t max_size, struct sip_msg *out)
{
	struct sip_msg m;
	int n = parse_head(buf, len, max_size, &m);
	if (n < 0)
		return n;
	if (m.kind != SIP_KIND_KEEPALIVE) {
		size_t total = (size_t)n + m.content_length;
		if (len < total)
			return -EAGAIN;
		m.body.len = m.content_length;
		n = (int)total;
	}
	*out = m;
	return n;
}
