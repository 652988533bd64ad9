/* A SIP dialog (RFC 3261 section 12) as data: who we and the far end are, where
 * in-dialog requests go, and the CSeq numbers both ways. Pure: no I/O, no media,
 * no allocation; both roles keep one per call. Nothing here knows about SDP: the
 * session on top of it (sdp_neg.h, session_timer.h) does. */
#ifndef TL_DIALOG_H
#define TL_DIALOG_H
#include <stdbool.h>
#include <stdint.h>
#include "sip_build.h"
#include "sip_parse.h"

#define DIALOG_MAX_ROUTES 4

struct dialog {
	char call_id[112];
	char local_tag[24], remote_tag[96];
	char local_uri[200], remote_uri[200]; /* our From and To URIs, without <> */
	char target[200];        /* where requests go: the far end's Contact URI */
	char routes[400];        /* the route set, each value once, in the order sent */
	uint16_t route_off[DIALOG_MAX_ROUTES], route_len[DIALOG_MAX_ROUTES];
	unsigned n_routes;
	uint32_t local_cseq;     /* of our last request */
	uint32_t remote_cseq;    /* of the far end's last request (0: none yet) */
	bool confirmed;          /* a 2xx made it (UAC), or we sent one (UAS) */
};

/* The URI of a From/To/Contact value: inside <> when present, else up to ';'. */
struct tl_str dialog_uri_of(struct tl_str value);

/* We call: the dialog of an INVITE we are about to send. Strings are copied (cut
 * to fit). cseq is the INVITE's. */
void dialog_uac_init(struct dialog *d, struct tl_str call_id, struct tl_str local_tag,
		     struct tl_str from_uri, struct tl_str to_uri, struct tl_str request_uri,
		     uint32_t cseq);

/* A 2xx to our INVITE confirms the dialog: the far end's tag, its Contact as the
 * target and the Record-Route headers, reversed, as the route set (RFC 3261
 * 12.1.2). 0, or -EBADMSG when the response has no To tag (no dialog can be made). */
int dialog_uac_confirm(struct dialog *d, const struct sip_msg *resp);

/* An early dialog (RFC 3261 12.1.2, RFC 3262): a provisional response with a To tag,
 * taken as dialog_uac_confirm takes a 2xx but not confirmed, so that a PRACK can go
 * in it. 0, or -EBADMSG without a To tag. */
int dialog_uac_early(struct dialog *d, const struct sip_msg *resp);

/* They call: the dialog an INVITE makes at the responder, with our To tag.
 * 0, or -EBADMSG when the INVITE lacks a From tag. */
int dialog_uas_init(struct dialog *d, const struct sip_msg *invite, struct tl_str local_tag);

/* What a request from the far end means for this dialog. */
enum dialog_check {
	DIALOG_OK = 0,         /* in this dialog, in order: answer it */
	DIALOG_RETRANSMIT,     /* the CSeq of the last one again: a retransmission */
	DIALOG_OUT_OF_ORDER,   /* an older CSeq: answer 500 (RFC 3261 12.2.2) */
	DIALOG_NOT_OURS,       /* tags that are not this dialog's: answer 481 */
};

/* Checks a request the far end sent in this dialog and takes its CSeq (ACK and
 * CANCEL carry the INVITE's and take nothing). A re-INVITE or UPDATE with a Contact
 * moves the target (target refresh). */
enum dialog_check dialog_on_request(struct dialog *d, const struct sip_msg *req);

/* Fills the dialog's part of a request we send in it: request URI, From, To, Call-ID,
 * Route set (into routes, DIALOG_MAX_ROUTES entries), and CSeq: a new number, or
 * for ACK and CANCEL the one given. The slices borrow from d. */
void dialog_request(struct dialog *d, struct sip_request *r, enum sip_method m,
		    uint32_t ack_cseq, struct tl_str *routes);

#endif
