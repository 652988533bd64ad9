/* ua_session.h: the session state machine both roles share, driven by real messages
 * (the parser's) with no socket: what a session writes to its connection is caught
 * at link time (ld --wrap=worker_out_reserve,worker_out_commit) and parsed back. */
#include "tl_test.h"
#include "sdp.h"
#include "ua_session.h"
#include <stdlib.h>
#include <string.h>

/* ---- the connection's output, caught ------------------------------------ */

static char wire[65536];
static size_t wire_len;

char *__wrap_worker_out_reserve(struct worker *w, struct conn *c, size_t max);
char *__wrap_worker_out_reserve(struct worker *w, struct conn *c, size_t max)
{
	(void)w;
	(void)c;
	return wire_len + max <= sizeof(wire) ? wire + wire_len : NULL;
}

void __wrap_worker_out_commit(struct worker *w, struct conn *c, size_t n);
void __wrap_worker_out_commit(struct worker *w, struct conn *c, size_t n)
{
	(void)w;
	(void)c;
	wire_len += n;
}

/* The messages written since the last call, parsed (at most 4). */
struct sent {
	struct sip_msg m[4];
	const char *raw[4];
	size_t raw_len[4];
	unsigned n;
	char text[sizeof(wire)];
};

static void take_sent(struct sent *s)
{
	memcpy(s->text, wire, wire_len);
	size_t off = 0, len = wire_len;
	s->n = 0;
	while (off < len && s->n < 4) {
		int n = sip_parse_msg(s->text + off, len - off, sizeof(wire), &s->m[s->n]);
		CU_ASSERT_FATAL(n > 0);
		s->raw[s->n] = s->text + off;
		s->raw_len[s->n] = (size_t)n;
		off += (size_t)n;
		s->n++;
	}
	CU_ASSERT_EQUAL(off, len);
	wire_len = 0;
}

/* Whether message i's head holds text (a whole header line, say). */
static bool has_header(const struct sent *s, unsigned i, const char *text)
{
	const char *head = s->raw[i], *end = memmem(head, s->raw_len[i], "\r\n\r\n", 4);
	return end && memmem(head, (size_t)(end - head) + 2, text, strlen(text)) != NULL;
}

/* ---- a worker, a connection, a session's io ------------------------------ */

static struct worker *w;
static struct conn c;
static const enum sdes_suite cucm_suites[] = {
	SDES_AEAD_AES_256_GCM, SDES_AEAD_AES_128_GCM, SDES_AES_CM_128_HMAC_SHA1_80,
	SDES_AES_CM_128_HMAC_SHA1_32,
};

static struct ua_io io(void)
{
	return (struct ua_io){
		.w = w, .c = &c, .contact = "sip:9898@127.0.0.1:5061;transport=tcp",
		.media_addr = "127.0.0.1", .media = true, .media_port = 40000,
		.direction = "sendrecv", .ptime_ms = 20, .suites = cucm_suites, .n_suites = 4,
		.accept = cucm_suites, .n_accept = 4, .min_se_s = 90,
	};
}

static struct sip_msg parse(const char *text)
{
	struct sip_msg m;
	int n = sip_parse_msg(text, strlen(text), 65536, &m);
	CU_ASSERT_FATAL(n == (int)strlen(text));
	return m;
}

/* A request from "CUCM A" in the dialog c1@cucm-a, with the given CSeq, extra
 * headers and SDP (NULL: none). */
static const char *far_request(char *buf, size_t cap, const char *method, unsigned cseq,
			       const char *headers, const char *sdp)
{
	snprintf(buf, cap,
		 "%s sip:9898@127.0.0.1:5061;transport=tcp SIP/2.0\r\n"
		 "Via: SIP/2.0/TCP 127.0.0.2:5061;branch=z9hG4bK-far-%u-%s\r\n"
		 "From: <sip:1018@cucm-a>;tag=a1\r\n"
		 "To: <sip:9898@cucm-b>%s\r\n"
		 "Call-ID: c1@cucm-a\r\n"
		 "CSeq: %u %s\r\n"
		 "Contact: <sip:1018@127.0.0.2:5061;transport=tcp>\r\n"
		 "%s%s"
		 "Content-Length: %zu\r\n\r\n%s",
		 method, cseq, method, cseq == 101 && !strcmp(method, "INVITE") ? "" : ";tag=b1",
		 cseq, method, headers, sdp ? "Content-Type: application/sdp\r\n" : "",
		 sdp ? strlen(sdp) : 0, sdp ? sdp : "");
	return buf;
}

/* The far end's SDP: its address, direction and one a=crypto line. */
static const char *far_sdp(char *buf, size_t cap, const char *direction, const char *crypto)
{
	snprintf(buf, cap,
		 "v=0\r\no=CiscoSystemsCCM-SIP 2000 1 IN IP4 127.0.0.2\r\ns=SIP Call\r\n"
		 "c=IN IP4 127.0.0.2\r\nt=0 0\r\nm=audio 24580 RTP/SAVP 0 101\r\n"
		 "a=rtpmap:0 PCMU/8000\r\na=ptime:20\r\na=%s\r\na=crypto:%s\r\n",
		 direction, crypto);
	return buf;
}

#define KEY_A "WVNfX19zZW1jdGwgKCkgewkyMjA7fQp9CnVubGVz" /* RFC 4568's example key */
#define KEY_B "d0RmdmcmVCspeEc3QGZiNWpVLFJhQX1cfHAwJSoj"

static void setup(void)
{
	if (!w) {
		w = calloc(1, sizeof(*w));
		CU_ASSERT_FATAL(w != NULL);
		rand_pool_init(&w->rand);
		snprintf(c.local_hostport, sizeof(c.local_hostport), "127.0.0.1:5061");
	}
	w->now = 1000ull * 1000000000ull;
	wire_len = 0;
}

/* The responder's session of CUCM's delayed-offer INVITE, answered 200 with our
 * offer, as uas.c makes it. */
static void uas_delayed_offer(struct ua_session *s, struct sent *out)
{
	char buf[4096];
	struct ua_io x = io();
	struct sip_msg inv = parse(far_request(buf, sizeof(buf), "INVITE", 101,
					       "Supported: timer,resource-priority,replaces\r\n"
					       "Session-Expires:  1800\r\nMin-SE:  1800\r\n", NULL));
	ua_init(s, false, SIP_INVITE);
	CU_ASSERT_EQUAL_FATAL(dialog_uas_init(&s->dlg, &inv, TL_STR("b1")), 0);
	CU_ASSERT_EQUAL(ua_answer_timer(s, &x, &inv, w->now), 0);
	uint8_t rnd[SDES_MAX_KEY * NEG_MAX_LINES];
	rand_pool_get(&w->rand, rnd, sizeof(rnd));
	neg_offer(&s->neg, cucm_suites, 4, rnd, false);
	CU_ASSERT_EQUAL(ua_respond(s, &x, &inv, 200, true), 0);
	s->awaiting_ack = true;
	s->ack_cseq = inv.cseq;
	take_sent(out);
}

static void test_delayed_offer_answered_in_ack(void)
{
	setup();
	struct ua_session s;
	struct sent *out = malloc(sizeof(*out));
	uas_delayed_offer(&s, out);
	CU_ASSERT_EQUAL_FATAL(out->n, 1);
	CU_ASSERT_EQUAL(out->m[0].status, 200);
	/* the caller asked for timers without naming a refresher: it refreshes */
	CU_ASSERT(has_header(out, 0, "Require: timer\r\n"));
	CU_ASSERT(has_header(out, 0, "Session-Expires: 1800;refresher=uac\r\n"));
	struct sdp_audio offer;
	CU_ASSERT_EQUAL_FATAL(sdp_parse(out->m[0].body.p, out->m[0].body.len, &offer), 0);
	CU_ASSERT_EQUAL(offer.n_crypto, 4); /* every suite, in CUCM's order */
	CU_ASSERT_EQUAL(offer.crypto[0].suite, SDES_AEAD_AES_256_GCM);
	CU_ASSERT_EQUAL(offer.crypto[3].suite, SDES_AES_CM_128_HMAC_SHA1_32);

	char buf[4096], sdp[1024];
	struct ua_io x = io();
	const char *why;
	struct sip_msg ack = parse(far_request(buf, sizeof(buf), "ACK", 101, "",
		far_sdp(sdp, sizeof(sdp), "sendrecv", "3 AES_CM_128_HMAC_SHA1_80 inline:" KEY_A)));
	CU_ASSERT_EQUAL(ua_on_request(&s, &x, &ack, &why), UA_MEDIA);
	CU_ASSERT(s.neg.agreed);
	CU_ASSERT_EQUAL(s.neg.theirs.suite, SDES_AES_CM_128_HMAC_SHA1_80);
	CU_ASSERT_EQUAL(neg_our_key(&s.neg)->suite, SDES_AES_CM_128_HMAC_SHA1_80);
	CU_ASSERT_STRING_EQUAL(s.neg.remote_addr, "127.0.0.2");
	CU_ASSERT_EQUAL(s.neg.remote_port, 24580);
	CU_ASSERT_EQUAL(wire_len, 0); /* an ACK is never answered */

	/* an ACK without the answer: the call cannot have media; BYE ends it */
	struct ua_session t;
	uas_delayed_offer(&t, out);
	ack = parse(far_request(buf, sizeof(buf), "ACK", 101, "", NULL));
	CU_ASSERT_EQUAL(ua_on_request(&t, &x, &ack, &why), UA_FAILED);
	CU_ASSERT_STRING_EQUAL(why, "ack_without_answer");
	take_sent(out);
	CU_ASSERT_EQUAL_FATAL(out->n, 1);
	CU_ASSERT_EQUAL(out->m[0].method, SIP_BYE);
	CU_ASSERT(tl_str_eq(out->m[0].to_tag, "a1")); /* to the far end: its tag in To */
	CU_ASSERT_EQUAL(ua_deadline(&t), 0);          /* over: nothing more is due */
	free(out);
}

/* Hold, music on hold, resume, as CUCM does them; then UPDATE refreshes, the rest. */
static void test_far_end_requests(void)
{
	setup();
	struct ua_session s;
	struct sent *out = malloc(sizeof(*out));
	uas_delayed_offer(&s, out);
	char buf[4096], sdp[1024];
	struct ua_io x = io();
	const char *why;
	struct sip_msg m = parse(far_request(buf, sizeof(buf), "ACK", 101, "",
		far_sdp(sdp, sizeof(sdp), "sendrecv", "3 AES_CM_128_HMAC_SHA1_80 inline:" KEY_A)));
	CU_ASSERT_EQUAL(ua_on_request(&s, &x, &m, &why), UA_MEDIA);
	struct sdes_crypto ours = *neg_our_key(&s.neg);

	/* hold: a re-INVITE with a=inactive and the same key; the answer keeps ours, and
	 * the media goes quiet (the direction turned) */
	w->now += 10ull * 1000000000ull;
	m = parse(far_request(buf, sizeof(buf), "INVITE", 102, "Session-Expires: 1800;refresher=uac\r\n",
		far_sdp(sdp, sizeof(sdp), "inactive", "1 AES_CM_128_HMAC_SHA1_80 inline:" KEY_A)));
	CU_ASSERT_EQUAL(ua_on_request(&s, &x, &m, &why), UA_MEDIA);
	CU_ASSERT_EQUAL(s.timer.since_ns, w->now); /* a re-INVITE refreshes the session */
	CU_ASSERT_EQUAL(s.refreshes_by_far_end, 1);
	take_sent(out);
	CU_ASSERT_EQUAL_FATAL(out->n, 1);
	CU_ASSERT_EQUAL(out->m[0].status, 200);
	struct sdp_audio a;
	CU_ASSERT_EQUAL_FATAL(sdp_parse(out->m[0].body.p, out->m[0].body.len, &a), 0);
	CU_ASSERT(tl_str_eq(a.direction, "inactive"));
	CU_ASSERT_EQUAL_FATAL(a.n_crypto, 1);
	CU_ASSERT_EQUAL(a.crypto[0].tag, 1); /* the tag of the line it answers */
	CU_ASSERT_EQUAL(memcmp(a.crypto[0].key, ours.key, ours.key_len), 0); /* no rekey */
	m = parse(far_request(buf, sizeof(buf), "ACK", 102, "", NULL));
	CU_ASSERT_EQUAL(ua_on_request(&s, &x, &m, &why), UA_NONE);

	/* music on hold: a re-INVITE without SDP; we offer all we can, fresh keys, and its
	 * ACK answers with a key of its own */
	m = parse(far_request(buf, sizeof(buf), "INVITE", 103, "", NULL));
	ua_on_request(&s, &x, &m, &why);
	take_sent(out);
	CU_ASSERT_EQUAL_FATAL(out->n, 1);
	CU_ASSERT_EQUAL(out->m[0].status, 200);
	CU_ASSERT_EQUAL_FATAL(sdp_parse(out->m[0].body.p, out->m[0].body.len, &a), 0);
	CU_ASSERT_EQUAL_FATAL(a.n_crypto, 4);
	CU_ASSERT_EQUAL(a.crypto[2].suite, SDES_AES_CM_128_HMAC_SHA1_80);
	CU_ASSERT_NOT_EQUAL(memcmp(a.crypto[2].key, ours.key, ours.key_len), 0);
	CU_ASSERT(tl_str_eq(a.direction, "sendrecv"));
	m = parse(far_request(buf, sizeof(buf), "ACK", 103, "",
		far_sdp(sdp, sizeof(sdp), "sendrecv", "3 AES_CM_128_HMAC_SHA1_80 inline:" KEY_B)));
	CU_ASSERT_EQUAL(ua_on_request(&s, &x, &m, &why), UA_MEDIA); /* both keys moved */
	CU_ASSERT_EQUAL(memcmp(neg_our_key(&s.neg)->key, a.crypto[2].key, ours.key_len), 0);

	/* UPDATE without SDP: a refresh, answered with the interval and who refreshes */
	w->now += 10ull * 1000000000ull;
	m = parse(far_request(buf, sizeof(buf), "UPDATE", 104,
			      "Supported: timer\r\nSession-Expires: 1800;refresher=uac\r\n", NULL));
	CU_ASSERT_EQUAL(ua_on_request(&s, &x, &m, &why), UA_REFRESHED);
	CU_ASSERT_EQUAL(s.timer.since_ns, w->now);
	CU_ASSERT_FALSE(s.timer.we_refresh);
	/* hold and this UPDATE: the resume had no Session-Expires, which ends the timer */
	CU_ASSERT_EQUAL(s.refreshes_by_far_end, 2);
	CU_ASSERT_EQUAL(ua_deadline(&s), w->now + (1800ull - 32) * 1000000000ull);
	take_sent(out);
	CU_ASSERT_EQUAL_FATAL(out->n, 1);
	CU_ASSERT_EQUAL(out->m[0].status, 200);
	CU_ASSERT(has_header(out, 0, "Session-Expires: 1800;refresher=uac\r\n"));
	CU_ASSERT_EQUAL(out->m[0].body.len, 0);

	/* a refresh below our Min-SE: 422 naming it */
	m = parse(far_request(buf, sizeof(buf), "UPDATE", 105, "Session-Expires: 60\r\n", NULL));
	CU_ASSERT_EQUAL(ua_on_request(&s, &x, &m, &why), UA_NONE);
	take_sent(out);
	CU_ASSERT_EQUAL(out->m[0].status, 422);
	CU_ASSERT(has_header(out, 0, "Min-SE: 90\r\n"));

	/* what needs no flow step: 200; what we do not do: 501 with Allow */
	static const struct { const char *method; int status; } plain[] = {
		{ "OPTIONS", 200 }, { "INFO", 200 }, { "NOTIFY", 200 }, { "MESSAGE", 501 },
	};
	for (unsigned i = 0; i < sizeof(plain) / sizeof(plain[0]); i++) {
		m = parse(far_request(buf, sizeof(buf), plain[i].method, 106 + i, "", NULL));
		CU_ASSERT_EQUAL(ua_on_request(&s, &x, &m, &why), UA_NONE);
		take_sent(out);
		CU_ASSERT_EQUAL_FATAL(out->n, 1);
		CU_ASSERT_EQUAL(out->m[0].status, plain[i].status);
		CU_ASSERT_EQUAL(has_header(out, 0, "Allow: INVITE,"), plain[i].status == 501);
	}
	/* the same CSeq again is a retransmission; an older one 500; other tags 481 */
	ua_on_request(&s, &x, &m, &why);
	CU_ASSERT_EQUAL(wire_len, 0);
	m = parse(far_request(buf, sizeof(buf), "INFO", 104, "", NULL));
	ua_on_request(&s, &x, &m, &why);
	take_sent(out);
	CU_ASSERT_EQUAL(out->m[0].status, 500);
	far_request(buf, sizeof(buf), "INFO", 200, "", NULL);
	memcpy(strstr(buf, "tag=a1"), "tag=zz", 6);
	m = parse(buf);
	ua_on_request(&s, &x, &m, &why);
	take_sent(out);
	CU_ASSERT_EQUAL(out->m[0].status, 481);

	/* the far end hangs up: 200, and the session is over */
	m = parse(far_request(buf, sizeof(buf), "BYE", 201, "", NULL));
	CU_ASSERT_EQUAL(ua_on_request(&s, &x, &m, &why), UA_HUNG_UP);
	take_sent(out);
	CU_ASSERT_EQUAL(out->m[0].status, 200);
	CU_ASSERT(s.over);
	CU_ASSERT_EQUAL(ua_deadline(&s), 0);
	free(out);
}

/* ---- the caller's side: we refresh, or wait for the far end to ------------- */

/* A 200 from "CUCM B" to our INVITE c2@trunkload (CSeq 1) or to a later request. */
static const char *far_response(char *buf, size_t cap, int status, unsigned cseq,
				const char *method, const char *branch, const char *headers)
{
	snprintf(buf, cap,
		 "SIP/2.0 %d X\r\n"
		 "Via: SIP/2.0/TCP 127.0.0.1:5061;branch=%s\r\n"
		 "From: <sip:1018@cucm-a>;tag=ours\r\n"
		 "To: <sip:9898@cucm-b>;tag=b2\r\n"
		 "Call-ID: c2@trunkload\r\n"
		 "CSeq: %u %s\r\n"
		 "Contact: <sip:9898@127.0.0.3:5061;transport=tcp>\r\n"
		 "%sContent-Length: 0\r\n\r\n",
		 status, branch, cseq, method, headers);
	return buf;
}

static void uac_confirmed(struct ua_session *s, enum sip_method refresh, const char *se)
{
	char buf[2048];
	ua_init(s, true, refresh);
	dialog_uac_init(&s->dlg, TL_STR("c2@trunkload"), TL_STR("ours"), TL_STR("sip:1018@cucm-a"),
			TL_STR("sip:9898@cucm-b"), TL_STR("sip:9898@127.0.0.3;transport=tcp"), 1);
	struct sip_msg ok = parse(far_response(buf, sizeof(buf), 200, 1, "INVITE", "z9hG4bK-1", se));
	CU_ASSERT_EQUAL_FATAL(dialog_uac_confirm(&s->dlg, &ok), 0);
	ua_timer_from_2xx(s, &ok, w->now);
}

/* Answers our pending request with status. */
static enum ua_event answer_pending(struct ua_session *s, int status, const char *headers,
				    const char **why)
{
	char buf[2048];
	struct ua_io x = io();
	struct sip_msg r = parse(far_response(buf, sizeof(buf), status, s->pending.cseq,
					      sip_method_name(s->pending.method), s->pending.branch,
					      headers));
	return ua_on_response(s, &x, &r, why);
}

static void test_we_refresh(void)
{
	setup();
	struct ua_session s;
	struct sent *out = malloc(sizeof(*out));
	struct ua_io x = io();
	const char *why;
	uac_confirmed(&s, SIP_UPDATE, "Require: timer\r\nSession-Expires: 90;refresher=uac\r\n");
	CU_ASSERT(s.timer.we_refresh);
	uint64_t t0 = w->now, s1 = 1000000000ull;
	CU_ASSERT_EQUAL(ua_deadline(&s), t0 + 45 * s1); /* half the interval */
	CU_ASSERT_EQUAL(ua_on_deadline(&s, &x, t0 + 44 * s1, &why), UA_NONE);
	CU_ASSERT_EQUAL(wire_len, 0); /* not yet */

	w->now = t0 + 45 * s1;
	CU_ASSERT_EQUAL(ua_on_deadline(&s, &x, w->now, &why), UA_NONE);
	take_sent(out);
	CU_ASSERT_EQUAL_FATAL(out->n, 1);
	CU_ASSERT_EQUAL(out->m[0].method, SIP_UPDATE);
	CU_ASSERT(has_header(out, 0, "Session-Expires: 90;refresher=uac\r\n"));
	CU_ASSERT(tl_str_eq(out->m[0].ruri, "sip:9898@127.0.0.3:5061;transport=tcp")); /* Contact */
	CU_ASSERT_EQUAL(out->m[0].cseq, 2);
	/* in flight, only the end of the session is due */
	CU_ASSERT_EQUAL(ua_deadline(&s), t0 + (90 - 30) * s1);
	CU_ASSERT_EQUAL(answer_pending(&s, 200, "Session-Expires: 90;refresher=uac\r\n", &why),
			UA_REFRESHED);
	CU_ASSERT_EQUAL(s.refreshes_by_us, 1);
	CU_ASSERT_EQUAL(ua_deadline(&s), w->now + 45 * s1);

	/* glare: the far end's re-INVITE meets our pending refresh and gets 491; ours
	 * gets 491 too and goes again after 2.1 to 4 s (we own the Call-ID) */
	w->now += 45 * s1;
	ua_on_deadline(&s, &x, w->now, &why);
	take_sent(out);
	char buf[2048];
	snprintf(buf, sizeof(buf),
		 "INVITE sip:1018@127.0.0.1:5061 SIP/2.0\r\nVia: SIP/2.0/TCP 127.0.0.3;branch=z9hG4bK-g\r\n"
		 "From: <sip:9898@cucm-b>;tag=b2\r\nTo: <sip:1018@cucm-a>;tag=ours\r\n"
		 "Call-ID: c2@trunkload\r\nCSeq: 7 INVITE\r\nContent-Length: 0\r\n\r\n");
	struct sip_msg glare = parse(buf);
	CU_ASSERT_EQUAL(ua_on_request(&s, &x, &glare, &why), UA_NONE);
	take_sent(out);
	CU_ASSERT_EQUAL(out->m[0].status, 491);
	CU_ASSERT_EQUAL(answer_pending(&s, 491, "", &why), UA_NONE);
	uint64_t retry = ua_deadline(&s);
	CU_ASSERT(retry >= w->now + 2100 * 1000000ull && retry <= w->now + 4000 * 1000000ull);
	w->now = retry;
	ua_on_deadline(&s, &x, w->now, &why);
	take_sent(out);
	CU_ASSERT_EQUAL_FATAL(out->n, 1);
	CU_ASSERT_EQUAL(out->m[0].method, SIP_UPDATE);

	/* a refresh the far end does not know (481): the session ends with BYE */
	CU_ASSERT_EQUAL(answer_pending(&s, 481, "", &why), UA_FAILED);
	CU_ASSERT_STRING_EQUAL(why, "session_refresh_failed");
	CU_ASSERT_EQUAL(s.refreshes_by_us, 1); /* the refused ones are not counted */
	take_sent(out);
	CU_ASSERT_EQUAL_FATAL(out->n, 1);
	CU_ASSERT_EQUAL(out->m[0].method, SIP_BYE);
	CU_ASSERT(s.over);
	free(out);
}

static void test_far_end_never_refreshes(void)
{
	setup();
	struct ua_session s;
	struct sent *out = malloc(sizeof(*out));
	struct ua_io x = io();
	const char *why;
	uac_confirmed(&s, SIP_INVITE, "Require: timer\r\nSession-Expires: 90;refresher=uas\r\n");
	CU_ASSERT_FALSE(s.timer.we_refresh);
	uint64_t end = w->now + (90 - 30) * 1000000000ull; /* less min(32, interval / 3) */
	CU_ASSERT_EQUAL(ua_deadline(&s), end);
	CU_ASSERT_EQUAL(ua_on_deadline(&s, &x, end - 1, &why), UA_NONE);
	CU_ASSERT_EQUAL(ua_on_deadline(&s, &x, end, &why), UA_FAILED);
	CU_ASSERT_STRING_EQUAL(why, "session_expired");
	take_sent(out);
	CU_ASSERT_EQUAL_FATAL(out->n, 1);
	CU_ASSERT_EQUAL(out->m[0].method, SIP_BYE);
	CU_ASSERT_EQUAL(ua_on_deadline(&s, &x, end + 1, &why), UA_NONE); /* one BYE */
	CU_ASSERT_EQUAL(wire_len, 0);

	/* without Session-Expires in the 2xx there is no timer at all */
	struct ua_session t;
	uac_confirmed(&t, SIP_INVITE, "");
	CU_ASSERT_EQUAL(ua_deadline(&t), 0);
	free(out);
}

/* rekey_at set by the role: a re-INVITE with new keys once no other offer is under way;
 * a 491 sends it again later, a refusal ends the call (srtp_rekey_refused). */
static void test_rekey_at(void)
{
	setup();
	struct ua_session s;
	struct sent *out = malloc(sizeof(*out));
	struct ua_io x = io();
	const char *why;
	uac_confirmed(&s, SIP_INVITE, ""); /* no session timer */
	uint8_t rnd[SDES_MAX_KEY * NEG_MAX_LINES];
	rand_pool_get(&w->rand, rnd, sizeof(rnd));
	neg_offer(&s.neg, cucm_suites + 2, 1, rnd, false); /* keys agreed earlier */
	s.neg.state = NEG_IDLE;
	s.neg.agreed = true;
	struct sdes_crypto old = *neg_our_key(&s.neg);
	uint64_t s1 = 1000000000ull, at = w->now + 5 * s1;
	CU_ASSERT_EQUAL(ua_deadline(&s), 0);
	s.rekey_at = at;
	CU_ASSERT_EQUAL(ua_deadline(&s), at);
	CU_ASSERT_EQUAL(ua_on_deadline(&s, &x, at - 1, &why), UA_NONE);
	/* an offer of the flow's under way: the rekey waits */
	s.neg.state = NEG_LOCAL_OFFER;
	CU_ASSERT_EQUAL(ua_on_deadline(&s, &x, at, &why), UA_NONE);
	CU_ASSERT_EQUAL(wire_len, 0);
	CU_ASSERT(ua_deadline(&s) > at);
	s.neg.state = NEG_IDLE;
	w->now = ua_deadline(&s);
	CU_ASSERT_EQUAL(ua_on_deadline(&s, &x, w->now, &why), UA_REKEYING);
	take_sent(out);
	CU_ASSERT_EQUAL_FATAL(out->n, 1);
	CU_ASSERT_EQUAL(out->m[0].method, SIP_INVITE);
	CU_ASSERT(!has_header(out, 0, "Session-Expires"));
	struct sdp_audio a;
	CU_ASSERT_EQUAL_FATAL(sdp_parse(out->m[0].body.p, out->m[0].body.len, &a), 0);
	CU_ASSERT_EQUAL(a.n_crypto, 4); /* new keys, every suite offered */
	CU_ASSERT(memcmp(a.crypto[2].key, old.key, old.key_len) != 0);
	CU_ASSERT(s.pending.rekey && s.rekey_at == 0);
	/* glare: 491, then the same rekey again */
	CU_ASSERT_EQUAL(answer_pending(&s, 491, "", &why), UA_NONE);
	w->now = ua_deadline(&s);
	CU_ASSERT_EQUAL(ua_on_deadline(&s, &x, w->now, &why), UA_REKEYING);
	take_sent(out);
	CU_ASSERT_EQUAL_FATAL(out->n, 2); /* the ACK of the 491, the INVITE again */
	CU_ASSERT_EQUAL(out->m[0].method, SIP_ACK);
	CU_ASSERT_EQUAL(out->m[1].method, SIP_INVITE);
	/* refused: the key runs out, the call ends */
	CU_ASSERT_EQUAL(answer_pending(&s, 488, "", &why), UA_FAILED);
	CU_ASSERT_STRING_EQUAL(why, "srtp_rekey_refused");
	take_sent(out);
	CU_ASSERT_EQUAL_FATAL(out->n, 2); /* the ACK of the 488, the BYE */
	CU_ASSERT_EQUAL(out->m[0].method, SIP_ACK);
	CU_ASSERT_EQUAL(out->m[1].method, SIP_BYE);
	free(out);
}

int main(void)
{
	static const struct tl_case cases[] = {
		{ "delayed offer answered in the ACK, or the call ends", test_delayed_offer_answered_in_ack },
		{ "the far end's requests in the dialog", test_far_end_requests },
		{ "we refresh: UPDATE, 491 and retry, 481", test_we_refresh },
		{ "the far end never refreshes: session_expired", test_far_end_never_refreshes },
		{ "rekey_at: a re-INVITE with new keys", test_rekey_at },
	};
	int rc = tl_run("ua_session", TL_CASES(cases));
	free(w);
	return rc;
}
