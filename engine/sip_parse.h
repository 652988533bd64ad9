/* SIP message parser over a stream buffer (RFC 3261 over TCP/TLS).
 * Pure: no I/O, no allocation. Every slice in struct sip_msg borrows from the
 * caller's buffer and is valid as long as those bytes are. */
#ifndef TL_SIP_PARSE_H
#define TL_SIP_PARSE_H
#include <stdint.h>
#include "str.h"

enum sip_method {
	SIP_METHOD_UNKNOWN = 0,
	SIP_INVITE, SIP_ACK, SIP_BYE, SIP_CANCEL, SIP_OPTIONS, SIP_REGISTER,
	SIP_PRACK, SIP_UPDATE, SIP_INFO, SIP_NOTIFY, SIP_SUBSCRIBE, SIP_REFER, SIP_MESSAGE,
	SIP_METHOD_COUNT
};

enum sip_kind { SIP_KIND_REQUEST = 1, SIP_KIND_RESPONSE, SIP_KIND_KEEPALIVE };

#define SIP_MAX_VIA 8
#define SIP_MAX_RR 8
#define SIP_MAX_OPTION_HDRS 4 /* Supported / Require header lines kept (CUCM sends two) */

struct sip_msg {
	enum sip_kind kind;
	/* request line */
	enum sip_method method;
	struct tl_str method_name, ruri;
	/* status line */
	int status;
	struct tl_str reason;
	/* Via header values in order (each comma-separated element counts as one Via);
	 * via_count may exceed SIP_MAX_VIA, only the first SIP_MAX_VIA are kept. */
	struct tl_str via[SIP_MAX_VIA];
	unsigned via_count;
	struct tl_str branch; /* branch parameter of the top Via, without "branch=" */
	struct tl_str record_route[SIP_MAX_RR]; /* whole header values, in order */
	unsigned record_route_count;
	struct tl_str from, from_tag; /* whole value; tag parameter value */
	struct tl_str to, to_tag;
	struct tl_str call_id, contact, content_type;
	/* RFC 4028 and option tags: the first Session-Expires (x) and Min-SE values; the
	 * Supported (k) and Require header values, each a comma list of option tags */
	struct tl_str session_expires, min_se;
	struct tl_str supported[SIP_MAX_OPTION_HDRS], require[SIP_MAX_OPTION_HDRS];
	unsigned n_supported, n_require;
	uint32_t cseq;
	enum sip_method cseq_method;
	struct tl_str cseq_method_name;
	int max_forwards; /* -1 when absent */
	size_t content_length;
	struct tl_str body;
	struct tl_str head; /* the start line and every header line, without the empty line */
};

/* Parses one message from the start of buf[0..len).
 * Returns the number of bytes the message occupies (headers + body), or:
 *   -EAGAIN   the message is not complete yet (need more bytes);
 *   -EBADMSG  malformed (bad start line, header without colon, missing or bad
 *             Content-Length, CSeq, Call-ID, From, To or Via missing, ...);
 *   -EMSGSIZE the message (or its headers so far) exceeds max_size.
 * Leading CR/LF bytes (RFC 5626 keep-alives) are returned as a message of
 * kind SIP_KIND_KEEPALIVE whose length is the number of those bytes.
 * Header names match case-insensitively, compact forms are understood
 * (v f t i m l c k s e), folded lines (CRLF followed by SP/HT) continue a header.
 * *out is written only on success. */
int sip_parse_msg(const char *buf, size_t len, size_t max_size, struct sip_msg *out);

/* The header block alone: parses the start line and headers of the message at the
 * start of buf[0..len), up to and including the empty line that ends them, with the
 * rules and results of sip_parse_msg, except that the body need not be there yet.
 * Returns the length of the header block, with out->body empty (at its start) and
 * out->content_length the body still to come; keep-alives as sip_parse_msg. */
int sip_parse_head(const char *buf, size_t len, size_t max_size, struct sip_msg *out);

/* "INVITE" -> SIP_INVITE; unknown names -> SIP_METHOD_UNKNOWN. */
enum sip_method sip_method_from_name(const char *p, size_t len);
/* SIP_INVITE -> "INVITE"; NULL for SIP_METHOD_UNKNOWN or out of range. */
const char *sip_method_name(enum sip_method m);

/* Whether one of the values (comma lists of option tags, as Supported and Require
 * carry) names tag, case-insensitively. */
bool sip_option_listed(const struct tl_str *values, unsigned n, const char *tag);

/* The nth (0-based) value of header `name` in a message's head (sip_msg.head), by its
 * full name or its compact form, case-insensitively; a folded value keeps its line
 * breaks. 0 and *value set, or -ENOENT when there are not that many. */
int sip_header_value(struct tl_str head, const char *name, unsigned nth, struct tl_str *value);

/* Finds parameter `name` (e.g. "tag") in a header value's ;-parameters,
 * case-insensitively, outside <...> and quoted strings. Returns 0 and sets *val
 * (possibly empty) when found, -ENOENT when absent. */
int sip_param(struct tl_str value, const char *name, struct tl_str *val);

#endif
