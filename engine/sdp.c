/* SDP for one SRTP audio stream: build an offer or answer, parse the far end's,
 * check an answer against our offer, choose a line to answer (RFC 4566, 3264,
 * 4568). The parser never reads outside [buf, buf+len): the body is a slice of
 * a receive buffer and is not NUL-terminated. Lines may end in CRLF or a bare
 * LF; empty lines are skipped. */
#include "sdp.h"
#include "str.h"
#include <errno.h>
#include <string.h>
#include <strings.h>

/* ---- building ---- */


/* An IPv4 literal is digits and dots, an IPv6 one hex digits, colons (and dots); anything
 * else could break the body. */
static bool addr_ok(const char *a)
{
	if (!a || !*a)
		return false;
	bool v6 = strchr(a, ':') != NULL;
	for (; *a; a++)
		if (!(*a == '.' || (*a >= '0' && *a <= '9') ||
		      (v6 && (*a == ':' || (*a >= 'a' && *a <= 'f') || (*a >= 'A' && *a <= 'F')))))
			return false;
	return true;
}

int sdp_build(char *buf, size_t cap, const struct sdp_params *p)
{
	if (!addr_ok(p->addr) || (p->n_crypto && !p->crypto) || p->ptime_ms < 0)
		return -EINVAL;
	struct tl_sb w = tl_sb_init_bytes(buf, cap);

	tl_sb_cstr(&w, "v=0\r\no=- ");
	tl_sb_uint(&w, p->session_id);
	tl_sb_cstr(&w, " ");
	tl_sb_uint(&w, p->version ? p->version : p->session_id);
	const char *type = strchr(p->addr, ':') ? " IN IP6 " : " IN IP4 ";
	tl_sb_cstr(&w, type);
	tl_sb_cstr(&w, p->addr);
	tl_sb_cstr(&w, "\r\ns=trunkload\r\nc=");
	tl_sb_cstr(&w, type + 1);
	tl_sb_cstr(&w, p->addr);
	tl_sb_cstr(&w, "\r\nt=0 0\r\nm=audio ");
	tl_sb_uint(&w, p->port);
	static const uint8_t pcmu_only[] = { 0 };
	const uint8_t *pts = p->n_pts ? p->pts : pcmu_only;
	unsigned n_pts = p->n_pts ? p->n_pts : 1;
	tl_sb_cstr(&w, " RTP/SAVP");
	for (unsigned i = 0; i < n_pts; i++) {
		tl_sb_cstr(&w, " ");
		tl_sb_uint(&w, pts[i]);
	}
	unsigned te = p->te_pt ? (unsigned)p->te_pt : 101;
	if (p->te_pt >= 0) {
		tl_sb_cstr(&w, " ");
		tl_sb_uint(&w, te);
	}
	tl_sb_cstr(&w, "\r\n");
	for (unsigned i = 0; i < n_pts; i++) {
		tl_sb_cstr(&w, "a=rtpmap:");
		tl_sb_uint(&w, pts[i]);
		tl_sb_cstr(&w, pts[i] == 8 ? " PCMA/8000\r\n" : " PCMU/8000\r\n");
	}
	if (p->te_pt >= 0) {
		tl_sb_cstr(&w, "a=rtpmap:");
		tl_sb_uint(&w, te);
		tl_sb_cstr(&w, " telephone-event/8000\r\na=fmtp:");
		tl_sb_uint(&w, te);
		tl_sb_cstr(&w, " 0-15\r\n");
	}
	if (p->ptime_ms) {
		tl_sb_cstr(&w, "a=ptime:");
		tl_sb_uint(&w, (uint64_t)p->ptime_ms);
		tl_sb_cstr(&w, "\r\n");
	}
	for (unsigned i = 0; i < p->n_crypto && !w.cut; i++) {
		int n = sdes_format(w.p + w.n, w.lim - w.n, &p->crypto[i]);
		if (n == -ENOSPC)
			w.cut = true;
		else if (n < 0)
			return n;
		else
			w.n += (size_t)n;
	}
	if (p->has_ssrc) {
		tl_sb_cstr(&w, "a=ssrc:");
		tl_sb_uint(&w, p->ssrc);
		tl_sb_cstr(&w, " cname:trunkload\r\n");
	}
	tl_sb_cstr(&w, "a=");
	tl_sb_cstr(&w, p->direction ? p->direction : "sendrecv");
	tl_sb_cstr(&w, "\r\n");
	return w.cut ? -ENOSPC : (int)w.n;
}

/* ---- parsing ---- */

static bool is_wsp(char c)
{
	return c == ' ' || c == '\t';
}

static bool starts(struct tl_str s, const char *lit)
{
	size_t n = strlen(lit);
	return s.len >= n && memcmp(s.p, lit, n) == 0;
}

static struct tl_str after(struct tl_str s, size_t n)
{
	return (struct tl_str){ s.p + n, s.len - n };
}

/* Splits the next whitespace-separated field off *s (empty when none left). */
static struct tl_str field(struct tl_str *s)
{
	size_t i = 0;
	while (i < s->len && is_wsp(s->p[i]))
		i++;
	size_t start = i;
	while (i < s->len && !is_wsp(s->p[i]))
		i++;
	struct tl_str f = { s->p + start, i - start };
	*s = after(*s, i);
	return f;
}

/* Unsigned decimal filling s exactly, at most max. */
static int to_uint(struct tl_str s, unsigned max, unsigned *out)
{
	if (s.len == 0 || s.len > 10)
		return -EBADMSG;
	uint64_t v = 0;
	for (size_t i = 0; i < s.len; i++) {
		if (s.p[i] < '0' || s.p[i] > '9')
			return -EBADMSG;
		v = v * 10 + (unsigned)(s.p[i] - '0');
	}
	if (v > max)
		return -EBADMSG;
	*out = (unsigned)v;
	return 0;
}

static struct tl_str rtrim(struct tl_str s)
{
	while (s.len && is_wsp(s.p[s.len - 1]))
		s.len--;
	return s;
}

/* c=IN <addrtype> <address>[/ttl[/n]] -> address */
static int parse_conn(struct tl_str v, struct tl_str *addr)
{
	struct tl_str net = field(&v), type = field(&v), a = field(&v);
	if (net.len == 0 || type.len == 0 || a.len == 0)
		return -EBADMSG;
	const char *slash = memchr(a.p, '/', a.len);
	if (slash)
		a.len = (size_t)(slash - a.p);
	if (a.len == 0)
		return -EBADMSG;
	*addr = a;
	return 0;
}

/* m=audio <port>[/<count>] <proto> <fmt>... */
static int parse_media(struct tl_str v, struct sdp_audio *a)
{
	field(&v); /* "audio", already matched */
	struct tl_str port = field(&v), proto = field(&v);
	const char *slash = memchr(port.p, '/', port.len);
	if (slash)
		port.len = (size_t)(slash - port.p);
	unsigned n;
	if (to_uint(port, 65535, &n) || proto.len == 0)
		return -EBADMSG;
	a->port = (uint16_t)n;
	a->proto = proto;
	for (struct tl_str f = field(&v); f.len; f = field(&v)) {
		if (to_uint(f, 127, &n))
			return -EBADMSG;
		if (a->n_payload_types < sizeof(a->payload_types) / sizeof(a->payload_types[0]))
			a->payload_types[a->n_payload_types++] = (int)n;
	}
	return 0;
}

/* rtpmap:<pt> <encoding>/<rate>[/<channels>]: only telephone-event's is kept */
static void parse_rtpmap(struct tl_str v, struct sdp_audio *a)
{
	struct tl_str pt = field(&v), enc = field(&v);
	unsigned n;
	if (a->te_pt < 0 && to_uint(pt, 127, &n) == 0 && enc.len >= 20 &&
	    !strncasecmp(enc.p, "telephone-event/8000", 20) && (enc.len == 20 || enc.p[20] == '/'))
		a->te_pt = (int)n;
}

static void parse_crypto(struct tl_str v, struct sdp_audio *a)
{
	struct sdes_crypto c;
	int err = sdes_parse(v.p, v.len, &c);
	a->n_crypto_lines++;
	if (err == 0) {
		/* usable lines past SDP_MAX_CRYPTO are dropped (still counted in lines) */
		if (a->n_crypto < SDP_MAX_CRYPTO)
			a->crypto[a->n_crypto++] = c;
	} else if (err == -EBADMSG) {
		a->n_crypto_bad++;
	} else {
		a->n_crypto_unusable++;
	}
}

int sdp_parse(const char *buf, size_t len, struct sdp_audio *out)
{
	enum { SESSION, AUDIO, OTHER_MEDIA, AFTER_AUDIO } where = SESSION;
	struct sdp_audio a;
	struct tl_str session_addr = { buf, 0 }, media_addr = { buf, 0 };
	bool first = true;
	int err;

	memset(&a, 0, sizeof(a));
	a.proto = (struct tl_str){ buf, 0 };
	a.te_pt = -1;
	for (size_t pos = 0; pos < len;) {
		const char *nl = memchr(buf + pos, '\n', len - pos);
		size_t end = nl ? (size_t)(nl - buf) : len;
		struct tl_str line = { buf + pos, end - pos };
		pos = nl ? end + 1 : len;
		if (line.len && line.p[line.len - 1] == '\r')
			line.len--;
		if (line.len == 0)
			continue;
		if (line.len < 2 || line.p[1] != '=')
			return -EBADMSG;
		if (first) {
			if (!tl_str_eq(rtrim(line), "v=0"))
				return -EBADMSG;
			first = false;
			continue;
		}
		struct tl_str v = after(line, 2);
		switch (line.p[0]) {
		case 'm':
			if (where == SESSION || where == OTHER_MEDIA) {
				if (starts(v, "audio") && (v.len == 5 || is_wsp(v.p[5]))) {
					if ((err = parse_media(v, &a)))
						return err;
					where = AUDIO;
				} else {
					where = OTHER_MEDIA;
				}
			} else {
				where = AFTER_AUDIO;
			}
			break;
		case 'c':
			if (where == SESSION)
				err = parse_conn(v, &session_addr);
			else if (where == AUDIO)
				err = parse_conn(v, &media_addr);
			else
				err = 0;
			if (err)
				return err;
			break;
		case 'a':
			if (where != AUDIO)
				break;
			if (starts(v, "crypto:")) {
				parse_crypto(rtrim(after(v, 7)), &a);
			} else if (starts(v, "ptime:")) {
				unsigned ms;
				if (to_uint(rtrim(after(v, 6)), 10000, &ms) == 0)
					a.ptime_ms = (int)ms;
			} else if (starts(v, "rtpmap:")) {
				parse_rtpmap(rtrim(after(v, 7)), &a);
			} else if (starts(v, "ssrc:") && !a.has_ssrc) {
				struct tl_str id = after(v, 5); /* up to the attribute after it */
				size_t n = 0;
				while (n < id.len && !is_wsp(id.p[n]))
					n++;
				unsigned ssrc;
				if (to_uint((struct tl_str){ id.p, n }, UINT32_MAX, &ssrc) == 0) {
					a.ssrc = ssrc;
					a.has_ssrc = true;
				}
			} else {
				struct tl_str d = rtrim(v);
				if (tl_str_eq(d, "sendrecv") || tl_str_eq(d, "sendonly") ||
				    tl_str_eq(d, "recvonly") || tl_str_eq(d, "inactive"))
					a.direction = d;
			}
			break;
		default:
			break;
		}
	}
	if (first || where == SESSION || where == OTHER_MEDIA)
		return -EBADMSG; /* empty, or no m=audio */
	a.addr = media_addr.len ? media_addr : session_addr;
	*out = a;
	return 0;
}

/* ---- offer/answer ---- */

int sdes_check_answer(const struct sdes_crypto *offered, unsigned n_offered,
		      const struct sdp_audio *answer, unsigned *chosen, const char **reason)
{
	const char *why;
	/* A stream rejected with port 0 is reported as that, whatever its profile. */
	if (answer->port == 0)
		why = "sdp_port_zero";
	else if (!tl_str_eq(answer->proto, "RTP/SAVP"))
		why = "sdp_not_savp";
	else if (answer->n_crypto_lines == 0)
		why = "sdp_no_crypto";
	else if (answer->n_crypto_lines > 1)
		why = "sdp_many_crypto";
	else if (answer->n_crypto != 1)
		why = "sdp_bad_crypto";
	else
		why = NULL;
	if (why) {
		*reason = why;
		return -EPROTO;
	}

	const struct sdes_crypto *c = &answer->crypto[0];
	for (unsigned i = 0; i < n_offered; i++) {
		if (offered[i].tag != c->tag)
			continue;
		if (offered[i].suite != c->suite) {
			*reason = "sdp_suite_mismatch";
			return -EPROTO;
		}
		/* RFC 4568 6.3.2/6.3.3: these parameters are declarative; an answer
		 * that changes them is not an acceptance of the offered line. */
		if (offered[i].unencrypted_srtp != c->unencrypted_srtp ||
		    offered[i].unencrypted_srtcp != c->unencrypted_srtcp ||
		    offered[i].unauthenticated_srtp != c->unauthenticated_srtp) {
			*reason = "sdp_bad_crypto";
			return -EPROTO;
		}
		*chosen = i;
		return 0;
	}
	*reason = "sdp_tag_not_offered";
	return -EPROTO;
}

int sdes_choose(const struct sdp_audio *offer, const enum sdes_suite *accept,
		unsigned n_accept)
{
	for (unsigned i = 0; i < offer->n_crypto && i < SDP_MAX_CRYPTO; i++)
		for (unsigned j = 0; j < n_accept; j++)
			if (offer->crypto[i].suite == accept[j])
				return (int)i;
	return -ENOENT;
}
