/* SDP offer/answer for one audio stream carrying SDES keys (RFC 4566, 3264, 4568).
 * Pure: no I/O, no allocation. */
#ifndef TL_SDP_H
#define TL_SDP_H
#include <stdint.h>
#include "str.h"
#include "sdes.h"

#define SDP_MAX_CRYPTO 8

struct sdp_params {
	const char *addr;      /* IPv4 literal for o= and c= */
	uint16_t port;         /* m= port; 0 rejects the stream */
	uint64_t session_id;   /* o= session id (and version, when version is 0) */
	uint64_t version;      /* o= version: higher each time the session changes (RFC 4566) */
	int ptime_ms;          /* a=ptime; 0: omitted */
	const struct sdes_crypto *crypto;
	unsigned n_crypto;
	const char *direction; /* "sendrecv" (NULL), "sendonly", "recvonly" or "inactive" */
	const uint8_t *pts;    /* audio payload types in order of preference: 0 PCMU, 8 PCMA */
	unsigned n_pts;        /* 0: PCMU alone */
	int te_pt;             /* telephone-event's payload type: 0 for 101, < 0 for none */
	bool has_ssrc;         /* a=ssrc:<ssrc> cname:trunkload (RFC 5576): the SSRC we send
				* with, for a far end on shared ports */
	uint32_t ssrc;
};

/* Writes a complete SDP body: v=0, o=, s=, c=IN IP4 or IP6 (by the address), t=0 0,
 * m=audio <port> RTP/SAVP <pts> <te>, a=rtpmap for each (0 PCMU/8000, 8 PCMA/8000),
 * a=rtpmap:<te> telephone-event/8000, a=fmtp:<te> 0-15 (te: te_pt, 101 by default), a=ptime, one a=crypto per
 * entry, a=ssrc (has_ssrc), a=<direction>. Used for both offer (several crypto) and answer (one).
 * Returns bytes written or -ENOSPC. */
int sdp_build(char *buf, size_t cap, const struct sdp_params *p);

/* The first m=audio section of an SDP body and the session-level connection. */
struct sdp_audio {
	struct tl_str addr;      /* from the media c= line, else session c= line */
	uint16_t port;
	struct tl_str proto;     /* "RTP/SAVP", "RTP/AVP", ... */
	int payload_types[16];
	unsigned n_payload_types;
	int ptime_ms;            /* 0 when absent */
	int te_pt;               /* a=rtpmap:N telephone-event/8000 (RFC 4733): N, or -1 */
	bool has_ssrc;           /* an a=ssrc line (RFC 5576): the SSRC of its first */
	uint32_t ssrc;
	struct tl_str direction; /* a=sendrecv/sendonly/recvonly/inactive of the stream;
				  * empty when absent (which means sendrecv) */
	struct sdes_crypto crypto[SDP_MAX_CRYPTO]; /* usable lines, in order */
	unsigned n_crypto;
	unsigned n_crypto_lines;     /* all a=crypto lines seen, usable or not */
	unsigned n_crypto_bad;       /* malformed lines (sdes_parse -EBADMSG) */
	unsigned n_crypto_unusable;  /* unknown suite or session parameter */
};

/* Parses an SDP body. Returns 0, or -EBADMSG when it is not SDP (no v=0 first,
 * a line without "x=") or has no m=audio line. *out is written only on success. */
int sdp_parse(const char *buf, size_t len, struct sdp_audio *out);

/* Checks an answer against our offer (RFC 4568 section 7.1.2 and RFC 3264).
 * Returns 0 and sets *chosen to the index in offered[] of the line the answer
 * accepted; otherwise a negative errno and *reason names the failure, one of:
 * "sdp_not_savp", "sdp_port_zero", "sdp_no_crypto", "sdp_many_crypto",
 * "sdp_bad_crypto", "sdp_tag_not_offered", "sdp_suite_mismatch".
 * reason strings are static. */
int sdes_check_answer(const struct sdes_crypto *offered, unsigned n_offered,
		      const struct sdp_audio *answer, unsigned *chosen, const char **reason);

/* Answerer's choice: the first offered line (in the offer's order) whose suite
 * is in accept[] (n_accept entries). Returns the index in offer->crypto, or
 * -ENOENT when none is acceptable (the answerer then sends 488). */
int sdes_choose(const struct sdp_audio *offer, const enum sdes_suite *accept,
		unsigned n_accept);

#endif
