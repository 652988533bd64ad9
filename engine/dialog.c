#include "dialog.h"
#include <errno.h>
#include <string.h>

static void copy(char *dst, size_t cap, struct tl_str s)
{
	size_t n = s.len < cap - 1 ? s.len : cap - 1;
	if (n)
		memcpy(dst, s.p, n);
	dst[n] = 0;
}

struct tl_str dialog_uri_of(struct tl_str v)
{
	const char *lt = v.len ? memchr(v.p, '<', v.len) : NULL;
	if (lt) {
		const char *gt = memchr(lt, '>', v.len - (size_t)(lt - v.p));
		if (gt)
			return (struct tl_str){ lt + 1, (size_t)(gt - lt - 1) };
	}
	size_t n = 0;
	while (n < v.len && v.p[n] != ';' && v.p[n] != ' ' && v.p[n] != '\t')
		n++;
	return (struct tl_str){ v.p, n };
}

/* The entries of Record-Route header values, each value possibly a comma list
 * (commas inside <> or quotes do not split), in the order they came. */
static unsigned route_entries(const struct sip_msg *m, struct tl_str *out, unsigned max)
{
	unsigned n = 0;
	unsigned values = m->record_route_count < SIP_MAX_RR ? m->record_route_count : SIP_MAX_RR;
	for (unsigned i = 0; i < values; i++) {
		struct tl_str v = m->record_route[i];
		const char *p = v.p, *e = v.p + v.len, *start = p;
		bool in_angle = false, in_quote = false;
		for (; p <= e; p++) {
			char c = p < e ? *p : ',';
			if (c == '"' && !in_angle)
				in_quote = !in_quote;
			else if (c == '<' && !in_quote)
				in_angle = true;
			else if (c == '>' && !in_quote)
				in_angle = false;
			if (c != ',' || in_angle || in_quote)
				continue;
			const char *a = start, *b = p;
			while (a < b && (*a == ' ' || *a == '\t'))
				a++;
			while (b > a && (b[-1] == ' ' || b[-1] == '\t'))
				b--;
			if (b > a && n < max)
				out[n++] = (struct tl_str){ a, (size_t)(b - a) };
			start = p + 1;
		}
	}
	return n;
}

/* Keeps the route set: reversed for the UAC (RFC 3261 12.1.2), in order for the UAS
 * (12.1.1). Entries that do not fit are dropped from the far end's side. */
static void keep_routes(struct dialog *d, const struct sip_msg *m, bool reverse)
{
	struct tl_str rr[DIALOG_MAX_ROUTES * 2];
	unsigned n = route_entries(m, rr, sizeof(rr) / sizeof(rr[0]));
	size_t used = 0;
	d->n_routes = 0;
	for (unsigned k = 0; k < n && d->n_routes < DIALOG_MAX_ROUTES; k++) {
		struct tl_str r = rr[reverse ? n - 1 - k : k];
		if (used + r.len > sizeof(d->routes))
			break;
		memcpy(d->routes + used, r.p, r.len);
		d->route_off[d->n_routes] = (uint16_t)used;
		d->route_len[d->n_routes++] = (uint16_t)r.len;
		used += r.len;
	}
}

void dialog_uac_init(struct dialog *d, struct tl_str call_id, struct tl_str local_tag,
		     struct tl_str from_uri, struct tl_str to_uri, struct tl_str request_uri,
		     uint32_t cseq)
{
	memset(d, 0, sizeof(*d));
	copy(d->call_id, sizeof(d->call_id), call_id);
	copy(d->local_tag, sizeof(d->local_tag), local_tag);
	copy(d->local_uri, sizeof(d->local_uri), from_uri);
	copy(d->remote_uri, sizeof(d->remote_uri), to_uri);
	copy(d->target, sizeof(d->target), request_uri);
	d->local_cseq = cseq;
}

int dialog_uac_early(struct dialog *d, const struct sip_msg *resp)
{
	if (!resp->to_tag.len)
		return -EBADMSG;
	copy(d->remote_tag, sizeof(d->remote_tag), resp->to_tag);
	if (resp->contact.len)
		copy(d->target, sizeof(d->target), dialog_uri_of(resp->contact));
	keep_routes(d, resp, true);
	return 0;
}

int dialog_uac_confirm(struct dialog *d, const struct sip_msg *resp)
{
	int err = dialog_uac_early(d, resp);
	if (!err)
		d->confirmed = true;
	return err;
}

int dialog_uas_init(struct dialog *d, const struct sip_msg *inv, struct tl_str local_tag)
{
	if (!inv->from_tag.len)
		return -EBADMSG;
	memset(d, 0, sizeof(*d));
	copy(d->call_id, sizeof(d->call_id), inv->call_id);
	copy(d->local_tag, sizeof(d->local_tag), local_tag);
	copy(d->remote_tag, sizeof(d->remote_tag), inv->from_tag);
	copy(d->local_uri, sizeof(d->local_uri), dialog_uri_of(inv->to));
	copy(d->remote_uri, sizeof(d->remote_uri), dialog_uri_of(inv->from));
	copy(d->target, sizeof(d->target),
	     inv->contact.len ? dialog_uri_of(inv->contact) : dialog_uri_of(inv->from));
	keep_routes(d, inv, false);
	d->remote_cseq = inv->cseq;
	return 0;
}

static bool same(struct tl_str a, const char *b)
{
	size_t n = strlen(b);
	return a.len == n && !memcmp(a.p, b, n);
}

enum dialog_check dialog_on_request(struct dialog *d, const struct sip_msg *req)
{
	if (!same(req->from_tag, d->remote_tag) || !same(req->to_tag, d->local_tag))
		return DIALOG_NOT_OURS;
	if (req->method == SIP_ACK || req->method == SIP_CANCEL)
		return DIALOG_OK;
	if (d->remote_cseq && req->cseq == d->remote_cseq)
		return DIALOG_RETRANSMIT;
	if (d->remote_cseq && req->cseq < d->remote_cseq)
		return DIALOG_OUT_OF_ORDER;
	d->remote_cseq = req->cseq;
	if ((req->method == SIP_INVITE || req->method == SIP_UPDATE) && req->contact.len)
		copy(d->target, sizeof(d->target), dialog_uri_of(req->contact));
	return DIALOG_OK;
}

void dialog_request(struct dialog *d, struct sip_request *r, enum sip_method m,
		    uint32_t ack_cseq, struct tl_str *routes)
{
	r->method = m;
	r->ruri = tl_str_c(d->target);
	r->from_uri = tl_str_c(d->local_uri);
	r->from_tag = tl_str_c(d->local_tag);
	r->to_uri = tl_str_c(d->remote_uri);
	r->to_tag = tl_str_c(d->remote_tag);
	r->call_id = tl_str_c(d->call_id);
	r->cseq = m == SIP_ACK || m == SIP_CANCEL ? ack_cseq : ++d->local_cseq;
	for (unsigned i = 0; i < d->n_routes; i++)
		routes[i] = (struct tl_str){ d->routes + d->route_off[i], d->route_len[i] };
	r->route = routes;
	r->route_count = d->n_routes;
}
