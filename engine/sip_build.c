/* SIP message builder: see sip_build.h. Every piece is a bounded memcpy into the
 * caller's buffer; once something does not fit, nothing more is written. */
#include <errno.h>
#include <limits.h>
#include "sip_build.h"

struct wbuf {
	char *p;
	size_t left;
	bool full;
};

static void put(struct wbuf *w, const char *s, size_t n)
{
	if (n == 0 || w->full)
		return;
	if (n > w->left) {
		w->full = true;
		return;
	}
	memcpy(w->p, s, n);
	w->p += n;
	w->left -= n;
}

#define PUT_LIT(w, lit) put((w), (lit), sizeof(lit) - 1)

static void put_str(struct wbuf *w, struct tl_str s)
{
	put(w, s.p, s.len);
}

static void put_uint(struct wbuf *w, uint64_t v)
{
	char tmp[20];
	size_t i = sizeof(tmp);
	do {
		tmp[--i] = (char)('0' + v % 10);
		v /= 10;
	} while (v);
	put(w, tmp + i, sizeof(tmp) - i);
}

/* A header line "Name: value\r\n"; name includes the ": ". */
static void put_hdr(struct wbuf *w, const char *name, size_t nlen, struct tl_str v)
{
	put(w, name, nlen);
	put_str(w, v);
	PUT_LIT(w, "\r\n");
}

#define PUT_HDR(w, lit, v) put_hdr((w), (lit), sizeof(lit) - 1, (v))

/* Content-Type (when given), Content-Length, blank line, body. */
static void put_tail(struct wbuf *w, struct tl_str ctype, struct tl_str body)
{
	if (ctype.len)
		PUT_HDR(w, "Content-Type: ", ctype);
	PUT_LIT(w, "Content-Length: ");
	put_uint(w, body.len);
	PUT_LIT(w, "\r\n\r\n");
	put_str(w, body);
}

static void put_contact(struct wbuf *w, struct tl_str uri)
{
	if (!uri.len)
		return;
	PUT_LIT(w, "Contact: <");
	put_str(w, uri);
	PUT_LIT(w, ">\r\n");
}

static int finish(const struct wbuf *w, const char *buf)
{
	return w->full ? -ENOSPC : (int)(w->p - buf);
}

/* The result is returned as int: never write more than INT_MAX bytes. */
static struct wbuf wbuf_init(char *buf, size_t cap)
{
	return (struct wbuf){ buf, cap > INT_MAX ? INT_MAX : cap, false };
}

int sip_build_request(char *buf, size_t cap, const struct sip_request *r)
{
	const char *name = sip_method_name(r->method);
	const char *cname = sip_method_name(r->cseq_method ? r->cseq_method : r->method);
	struct wbuf w = wbuf_init(buf, cap);

	if (!name || !cname)
		return -EINVAL;
	put(&w, name, strlen(name));
	PUT_LIT(&w, " ");
	put_str(&w, r->ruri);
	PUT_LIT(&w, " SIP/2.0\r\nVia: SIP/2.0/");
	put_str(&w, r->transport);
	PUT_LIT(&w, " ");
	put_str(&w, r->sent_by);
	if (r->branch.len) {
		PUT_LIT(&w, ";branch=");
		put_str(&w, r->branch);
	}
	PUT_LIT(&w, "\r\nMax-Forwards: 70\r\nFrom: <");
	put_str(&w, r->from_uri);
	PUT_LIT(&w, ">");
	if (r->from_tag.len) {
		PUT_LIT(&w, ";tag=");
		put_str(&w, r->from_tag);
	}
	PUT_LIT(&w, "\r\nTo: <");
	put_str(&w, r->to_uri);
	PUT_LIT(&w, ">");
	if (r->to_tag.len) {
		PUT_LIT(&w, ";tag=");
		put_str(&w, r->to_tag);
	}
	PUT_LIT(&w, "\r\nCall-ID: ");
	put_str(&w, r->call_id);
	PUT_LIT(&w, "\r\nCSeq: ");
	put_uint(&w, r->cseq);
	PUT_LIT(&w, " ");
	put(&w, cname, strlen(cname));
	PUT_LIT(&w, "\r\n");
	for (unsigned i = 0; r->route && i < r->route_count; i++)
		PUT_HDR(&w, "Route: ", r->route[i]);
	put_contact(&w, r->contact_uri);
	put_tail(&w, r->content_type, r->body);
	return finish(&w, buf);
}

int sip_build_response(char *buf, size_t cap, const struct sip_msg *req,
		       const struct sip_response *r)
{
	struct wbuf w = wbuf_init(buf, cap);
	struct tl_str reason = r->reason;

	/* Copying fewer Vias or Record-Routes than arrived would misroute the response. */
	if (req->kind != SIP_KIND_REQUEST || req->via_count > SIP_MAX_VIA ||
	    req->record_route_count > SIP_MAX_RR || r->status < 100 || r->status > 699)
		return -EINVAL;
	if (!reason.len)
		reason = tl_str_c(sip_reason_phrase(r->status));

	PUT_LIT(&w, "SIP/2.0 ");
	put_uint(&w, (uint64_t)r->status);
	PUT_LIT(&w, " ");
	put_str(&w, reason);
	PUT_LIT(&w, "\r\n");
	for (unsigned i = 0; i < req->via_count; i++)
		PUT_HDR(&w, "Via: ", req->via[i]);
	for (unsigned i = 0; i < req->record_route_count; i++)
		PUT_HDR(&w, "Record-Route: ", req->record_route[i]);
	PUT_HDR(&w, "From: ", req->from);
	PUT_LIT(&w, "To: ");
	put_str(&w, req->to);
	if (!req->to_tag.p && r->to_tag.len) {
		PUT_LIT(&w, ";tag=");
		put_str(&w, r->to_tag);
	}
	PUT_LIT(&w, "\r\n");
	PUT_HDR(&w, "Call-ID: ", req->call_id);
	PUT_LIT(&w, "CSeq: ");
	put_uint(&w, req->cseq);
	PUT_LIT(&w, " ");
	put_str(&w, req->cseq_method_name);
	PUT_LIT(&w, "\r\n");
	put_contact(&w, r->contact_uri);
	put_tail(&w, r->content_type, r->body);
	return finish(&w, buf);
}

const char *sip_reason_phrase(int status)
{
	switch (status) {
	case 100: return "Trying";
	case 180: return "Ringing";
	case 181: return "Call Is Being Forwarded";
	case 182: return "Queued";
	case 183: return "Session Progress";
	case 200: return "OK";
	case 202: return "Accepted";
	case 400: return "Bad Request";
	case 401: return "Unauthorized";
	case 403: return "Forbidden";
	case 404: return "Not Found";
	case 405: return "Method Not Allowed";
	case 407: return "Proxy Authentication Required";
	case 408: return "Request Timeout";
	case 415: return "Unsupported Media Type";
	case 420: return "Bad Extension";
	case 480: return "Temporarily Unavailable";
	case 481: return "Call/Transaction Does Not Exist";
	case 483: return "Too Many Hops";
	case 486: return "Busy Here";
	case 487: return "Request Terminated";
	case 488: return "Not Acceptable Here";
	case 491: return "Request Pending";
	case 500: return "Server Internal Error";
	case 501: return "Not Implemented";
	case 503: return "Service Unavailable";
	case 504: return "Server Time-out";
	case 505: return "Version Not Supported";
	case 600: return "Busy Everywhere";
	case 603: return "Decline";
	case 604: return "Does Not Exist Anywhere";
	case 606: return "Not Acceptable";
	default: return "Unknown";
	}
}
