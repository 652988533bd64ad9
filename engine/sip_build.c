/* SIP message builder: see sip_build.h. Every piece is a bounded memcpy into the
 * caller's buffer (tl_sb); once something does not fit, the result is -ENOSPC. */
#include <errno.h>
#include <limits.h>
#include "sip_build.h"

/* A header line "Name: value\r\n"; name includes the ": ". */
static void put_hdr(struct tl_sb *w, const char *name, size_t nlen, struct tl_str v)
{
	tl_sb_put(w, name, nlen);
	tl_sb_str(w, v);
	TL_SB_LIT(w, "\r\n");
}

#define PUT_HDR(w, lit, v) put_hdr((w), (lit), sizeof(lit) - 1, (v))

/* Content-Type (when given), Content-Length, blank line, body. */
static void put_tail(struct tl_sb *w, struct tl_str ctype, struct tl_str body)
{
	if (ctype.len)
		PUT_HDR(w, "Content-Type: ", ctype);
	TL_SB_LIT(w, "Content-Length: ");
	tl_sb_uint(w, body.len);
	TL_SB_LIT(w, "\r\n\r\n");
	tl_sb_str(w, body);
}

static void put_contact(struct tl_sb *w, struct tl_str uri)
{
	if (!uri.len)
		return;
	TL_SB_LIT(w, "Contact: <");
	tl_sb_str(w, uri);
	TL_SB_LIT(w, ">\r\n");
}

static int finish(const struct tl_sb *w)
{
	return w->cut ? -ENOSPC : (int)w->n;
}

/* The result is returned as int: never write more than INT_MAX bytes. */
static struct tl_sb builder(char *buf, size_t cap)
{
	return tl_sb_init_bytes(buf, cap > INT_MAX ? INT_MAX : cap);
}

int sip_build_request(char *buf, size_t cap, const struct sip_request *r)
{
	const char *name = sip_method_name(r->method);
	const char *cname = sip_method_name(r->cseq_method ? r->cseq_method : r->method);
	struct tl_sb w = builder(buf, cap);

	if (!name || !cname)
		return -EINVAL;
	tl_sb_put(&w, name, strlen(name));
	TL_SB_LIT(&w, " ");
	tl_sb_str(&w, r->ruri);
	TL_SB_LIT(&w, " SIP/2.0\r\nVia: SIP/2.0/");
	tl_sb_str(&w, r->transport);
	TL_SB_LIT(&w, " ");
	tl_sb_str(&w, r->sent_by);
	if (r->branch.len) {
		TL_SB_LIT(&w, ";branch=");
		tl_sb_str(&w, r->branch);
	}
	TL_SB_LIT(&w, "\r\nMax-Forwards: 70\r\nFrom: <");
	tl_sb_str(&w, r->from_uri);
	TL_SB_LIT(&w, ">");
	if (r->from_tag.len) {
		TL_SB_LIT(&w, ";tag=");
		tl_sb_str(&w, r->from_tag);
	}
	TL_SB_LIT(&w, "\r\nTo: <");
	tl_sb_str(&w, r->to_uri);
	TL_SB_LIT(&w, ">");
	if (r->to_tag.len) {
		TL_SB_LIT(&w, ";tag=");
		tl_sb_str(&w, r->to_tag);
	}
	TL_SB_LIT(&w, "\r\nCall-ID: ");
	tl_sb_str(&w, r->call_id);
	TL_SB_LIT(&w, "\r\nCSeq: ");
	tl_sb_uint(&w, r->cseq);
	TL_SB_LIT(&w, " ");
	tl_sb_put(&w, cname, strlen(cname));
	TL_SB_LIT(&w, "\r\n");
	for (unsigned i = 0; r->route && i < r->route_count; i++)
		PUT_HDR(&w, "Route: ", r->route[i]);
	put_contact(&w, r->contact_uri);
	tl_sb_str(&w, r->headers);
	put_tail(&w, r->content_type, r->body);
	return finish(&w);
}

int sip_build_response(char *buf, size_t cap, const struct sip_msg *req,
		       const struct sip_response *r)
{
	struct tl_sb w = builder(buf, cap);
	struct tl_str reason = r->reason;

	/* Copying fewer Vias or Record-Routes than arrived would misroute the response. */
	if (req->kind != SIP_KIND_REQUEST || req->via_count > SIP_MAX_VIA ||
	    req->record_route_count > SIP_MAX_RR || r->status < 100 || r->status > 699)
		return -EINVAL;
	if (!reason.len)
		reason = tl_str_c(sip_reason_phrase(r->status));

	TL_SB_LIT(&w, "SIP/2.0 ");
	tl_sb_uint(&w, (uint64_t)r->status);
	TL_SB_LIT(&w, " ");
	tl_sb_str(&w, reason);
	TL_SB_LIT(&w, "\r\n");
	for (unsigned i = 0; i < req->via_count; i++)
		PUT_HDR(&w, "Via: ", req->via[i]);
	for (unsigned i = 0; i < req->record_route_count; i++)
		PUT_HDR(&w, "Record-Route: ", req->record_route[i]);
	PUT_HDR(&w, "From: ", req->from);
	TL_SB_LIT(&w, "To: ");
	tl_sb_str(&w, req->to);
	if (!req->to_tag.p && r->to_tag.len) {
		TL_SB_LIT(&w, ";tag=");
		tl_sb_str(&w, r->to_tag);
	}
	TL_SB_LIT(&w, "\r\n");
	PUT_HDR(&w, "Call-ID: ", req->call_id);
	TL_SB_LIT(&w, "CSeq: ");
	tl_sb_uint(&w, req->cseq);
	TL_SB_LIT(&w, " ");
	tl_sb_str(&w, req->cseq_method_name);
	TL_SB_LIT(&w, "\r\n");
	put_contact(&w, r->contact_uri);
	tl_sb_str(&w, r->headers);
	put_tail(&w, r->content_type, r->body);
	return finish(&w);
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
