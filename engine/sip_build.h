/* SIP message builder: writes complete messages into caller-owned buffers.
 * Pure: no I/O, no allocation. */
#ifndef TL_SIP_BUILD_H
#define TL_SIP_BUILD_H
#include <stdint.h>
#include "str.h"
#include "sip_parse.h"

struct sip_request {
	enum sip_method method;
	struct tl_str ruri;        /* "sip:9898@127.0.0.1:5061;transport=tls" */
	struct tl_str transport;   /* Via protocol: "TLS" or "TCP" */
	struct tl_str sent_by;     /* Via sent-by: "127.0.0.1:40001" */
	struct tl_str branch;      /* full branch incl. the "z9hG4bK" magic cookie */
	struct tl_str from_uri, from_tag;
	struct tl_str to_uri, to_tag;  /* to_tag empty: no tag parameter */
	struct tl_str call_id;
	uint32_t cseq;
	enum sip_method cseq_method; /* 0 means: same as method */
	struct tl_str contact_uri; /* empty: no Contact header */
	struct tl_str content_type; /* empty with empty body: no Content-Type */
	struct tl_str body;
	const struct tl_str *route; /* Route header values, in order (may be NULL) */
	unsigned route_count;
	struct tl_str headers;     /* more header lines, each ending in CRLF (may be empty) */
};

/* Writes the request (Via; branch=, Max-Forwards: 70, From <uri>;tag=, To <uri>[;tag=],
 * Call-ID, CSeq, Contact <uri>, Content-Type, Content-Length, body) to buf.
 * Returns the number of bytes written, or -ENOSPC if cap is too small
 * (buf contents are then unspecified). */
int sip_build_request(char *buf, size_t cap, const struct sip_request *r);

struct sip_response {
	int status;
	struct tl_str reason;      /* empty: the standard phrase for status */
	struct tl_str to_tag;      /* added to To when the request's To had no tag */
	struct tl_str contact_uri; /* empty: no Contact */
	struct tl_str content_type;
	struct tl_str body;
	struct tl_str headers;     /* more header lines, each ending in CRLF (may be empty) */
};

/* Writes a response to req: copies every Via (in order), Record-Route, From, To,
 * Call-ID and CSeq from the request as RFC 3261 8.2.6 says, adds the To tag,
 * Contact, Content-Type, Content-Length and body. Returns bytes written or -ENOSPC.
 * Fails with -EINVAL if req->via_count > SIP_MAX_VIA (Vias would be lost). */
int sip_build_response(char *buf, size_t cap, const struct sip_msg *req,
		       const struct sip_response *r);

/* The standard reason phrase for a status code ("OK", "Ringing", ...),
 * or "Unknown" for codes without one. */
const char *sip_reason_phrase(int status);

#endif
