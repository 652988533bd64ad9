/* sip_build: requests and responses are built, checked against the expected
 * text, parsed back with sip_parse_msg field by field, and every too-small
 * capacity fails with -ENOSPC without writing past it (guard page). */
#include <errno.h>
#include <stdio.h>
#include <sys/mman.h>
#include <unistd.h>
#include "sip_build.h"
#include "sip_parse.h"
#include "tl_test.h"
#include "guard.h"

#define MAX 65536

/* ---- guard page: the byte after buf[cap-1] is not writable ---- */


static void expect_at(bool ok, const char *what, const char *name, int line)
{
	if (!ok)
		printf("\n    case \"%s\": %s", name, what);
	CU_assertImplementation(ok, (unsigned)line, what, __FILE__, "", CU_FALSE);
}

#define EXPECT(name, cond) expect_at((cond), #cond, (name), __LINE__)

static bool str_is(struct tl_str got, const char *want)
{
	if (!want)
		return got.p == NULL && got.len == 0;
	return got.p && got.len == strlen(want) && memcmp(got.p, want, got.len) == 0;
}

static bool str_eq(struct tl_str a, struct tl_str b)
{
	return a.len == b.len && (a.len == 0 || memcmp(a.p, b.p, a.len) == 0);
}

#define S(lit) TL_STR(lit)
#define NONE ((struct tl_str){ NULL, 0 })

/* Every capacity below the message's length fails and stays within cap. */
static void check_caps(const char *name, size_t len, int (*build)(char *, size_t, const void *),
		       const void *arg)
{
	struct guard g;
	guard_init(&g, len);
	for (size_t cap = 0; cap < len; cap++) {
		int rc = build(guard_end(&g, cap), cap, arg);
		EXPECT(name, rc == -ENOSPC);
		if (rc != -ENOSPC)
			break;
	}
	EXPECT(name, build(guard_end(&g, len), len, arg) == (int)len);
	guard_free(&g);
}

/* ---- requests ---- */

#define SDP_OFFER \
	"v=0\r\n" \
	"o=- 20518 0 IN IP4 127.0.0.1\r\n" \
	"s=-\r\n" \
	"c=IN IP4 127.0.0.1\r\n" \
	"t=0 0\r\n" \
	"m=audio 40000 RTP/SAVP 0\r\n" \
	"a=crypto:1 AES_CM_128_HMAC_SHA1_80 inline:WVNfX19zZW1jdGwgKCkgewkyMjA7fQp9CnVubGVz\r\n"

static const struct tl_str routes[] = {
	S("<sip:edge.example.com:5061;transport=tls;lr>"),
	S("<sip:core.example.com;lr>"),
};

#define BASE_REQ \
	.ruri = S("sip:9898@127.0.0.1:5061;transport=tls"), \
	.sent_by = S("127.0.0.1:40001"), \
	.from_uri = S("sip:1018@127.0.0.1"), .from_tag = S("1928301774"), \
	.to_uri = S("sip:9898@127.0.0.1"), \
	.call_id = S("a84b4c76e66710@127.0.0.1")

struct req_case {
	const char *name;
	struct sip_request r;
	const char *text; /* exact output; NULL: not compared */
	/* what parsing the output gives back */
	const char *via, *to, *to_tag, *contact, *content_type, *body;
	enum sip_method cseq_method;
	unsigned routes;
};

static const struct req_case reqs[] = {
	{ "INVITE with SDP", {
		.method = SIP_INVITE, BASE_REQ, .transport = S("TLS"), .branch = S("z9hG4bK776asdhds"), .cseq = 1,
		.contact_uri = S("sip:1018@127.0.0.1:40001;transport=tls"),
		.content_type = S("application/sdp"), .body = S(SDP_OFFER) },
	  "INVITE sip:9898@127.0.0.1:5061;transport=tls SIP/2.0\r\n"
	  "Via: SIP/2.0/TLS 127.0.0.1:40001;branch=z9hG4bK776asdhds\r\n"
	  "Max-Forwards: 70\r\n"
	  "From: <sip:1018@127.0.0.1>;tag=1928301774\r\n"
	  "To: <sip:9898@127.0.0.1>\r\n"
	  "Call-ID: a84b4c76e66710@127.0.0.1\r\n"
	  "CSeq: 1 INVITE\r\n"
	  "Contact: <sip:1018@127.0.0.1:40001;transport=tls>\r\n"
	  "Content-Type: application/sdp\r\n"
	  "Content-Length: 177\r\n"
	  "\r\n"
	  SDP_OFFER,
	  "SIP/2.0/TLS 127.0.0.1:40001;branch=z9hG4bK776asdhds", "<sip:9898@127.0.0.1>", NULL,
	  "<sip:1018@127.0.0.1:40001;transport=tls>", "application/sdp", SDP_OFFER, SIP_INVITE, 0 },
	{ "ACK with Route set", {
		.method = SIP_ACK, BASE_REQ, .transport = S("TLS"), .branch = S("z9hG4bKack1"), .cseq = 1,
		.to_tag = S("a6c85cf"), .route = routes, .route_count = 2 },
	  "ACK sip:9898@127.0.0.1:5061;transport=tls SIP/2.0\r\n"
	  "Via: SIP/2.0/TLS 127.0.0.1:40001;branch=z9hG4bKack1\r\n"
	  "Max-Forwards: 70\r\n"
	  "From: <sip:1018@127.0.0.1>;tag=1928301774\r\n"
	  "To: <sip:9898@127.0.0.1>;tag=a6c85cf\r\n"
	  "Call-ID: a84b4c76e66710@127.0.0.1\r\n"
	  "CSeq: 1 ACK\r\n"
	  "Route: <sip:edge.example.com:5061;transport=tls;lr>\r\n"
	  "Route: <sip:core.example.com;lr>\r\n"
	  "Content-Length: 0\r\n"
	  "\r\n",
	  "SIP/2.0/TLS 127.0.0.1:40001;branch=z9hG4bKack1", "<sip:9898@127.0.0.1>;tag=a6c85cf",
	  "a6c85cf", NULL, NULL, "", SIP_ACK, 2 },
	{ "BYE over TCP", {
		.method = SIP_BYE, BASE_REQ, .transport = S("TCP"), .branch = S("z9hG4bKbye1"),
		.cseq = 2, .to_tag = S("a6c85cf") },
	  NULL,
	  "SIP/2.0/TCP 127.0.0.1:40001;branch=z9hG4bKbye1", "<sip:9898@127.0.0.1>;tag=a6c85cf",
	  "a6c85cf", NULL, NULL, "", SIP_BYE, 0 },
	{ "CANCEL with explicit CSeq method", {
		.method = SIP_CANCEL, BASE_REQ, .transport = S("TLS"), .branch = S("z9hG4bK776asdhds"), .cseq = 1,
		.cseq_method = SIP_CANCEL },
	  NULL,
	  "SIP/2.0/TLS 127.0.0.1:40001;branch=z9hG4bK776asdhds", "<sip:9898@127.0.0.1>", NULL,
	  NULL, NULL, "", SIP_CANCEL, 0 },
	{ "OPTIONS with large CSeq", {
		.method = SIP_OPTIONS, BASE_REQ, .transport = S("TLS"), .branch = S("z9hG4bKping"), .cseq = 2147483647,
		.contact_uri = S("sip:ping@127.0.0.1") },
	  NULL,
	  "SIP/2.0/TLS 127.0.0.1:40001;branch=z9hG4bKping", "<sip:9898@127.0.0.1>", NULL,
	  "<sip:ping@127.0.0.1>", NULL, "", SIP_OPTIONS, 0 },
	{ "MESSAGE with text body", {
		.method = SIP_MESSAGE, BASE_REQ, .transport = S("TLS"), .branch = S("z9hG4bKmsg"), .cseq = 0,
		.content_type = S("text/plain"), .body = S("hi\r\n\r\nthere") },
	  NULL,
	  "SIP/2.0/TLS 127.0.0.1:40001;branch=z9hG4bKmsg", "<sip:9898@127.0.0.1>", NULL,
	  NULL, "text/plain", "hi\r\n\r\nthere", SIP_MESSAGE, 0 },
};

static int build_req(char *buf, size_t cap, const void *arg)
{
	return sip_build_request(buf, cap, arg);
}

/* Route values appear as separate lines, in order. */
static bool routes_in_order(const char *text, size_t len, const struct sip_request *r)
{
	const char *p = text, *e = text + len;
	for (unsigned i = 0; i < r->route_count; i++) {
		char line[256];
		int n = snprintf(line, sizeof(line), "\r\nRoute: %.*s\r\n",
				 (int)r->route[i].len, r->route[i].p);
		const char *hit = memmem(p, (size_t)(e - p), line, (size_t)n);
		if (!hit)
			return false;
		p = hit + n - 2;
	}
	return true;
}

static void test_request_round_trip(void)
{
	for (size_t i = 0; i < sizeof(reqs) / sizeof(reqs[0]); i++) {
		const struct req_case *c = &reqs[i];
		char buf[2048];
		struct sip_msg m;
		int n = sip_build_request(buf, sizeof(buf), &c->r);
		EXPECT(c->name, n > 0);
		if (n <= 0)
			continue;
		if (c->text)
			EXPECT(c->name, (size_t)n == strlen(c->text) && memcmp(buf, c->text, (size_t)n) == 0);
		EXPECT(c->name, routes_in_order(buf, (size_t)n, &c->r));
		EXPECT(c->name, sip_parse_msg(buf, (size_t)n, MAX, &m) == n);
		EXPECT(c->name, m.kind == SIP_KIND_REQUEST);
		EXPECT(c->name, m.method == c->r.method);
		EXPECT(c->name, str_eq(m.ruri, c->r.ruri));
		EXPECT(c->name, m.via_count == 1);
		EXPECT(c->name, str_is(m.via[0], c->via));
		EXPECT(c->name, str_eq(m.branch, c->r.branch));
		EXPECT(c->name, str_is(m.from, "<sip:1018@127.0.0.1>;tag=1928301774"));
		EXPECT(c->name, str_is(m.from_tag, "1928301774"));
		EXPECT(c->name, str_is(m.to, c->to));
		EXPECT(c->name, str_is(m.to_tag, c->to_tag));
		EXPECT(c->name, str_eq(m.call_id, c->r.call_id));
		EXPECT(c->name, m.cseq == c->r.cseq);
		EXPECT(c->name, m.cseq_method == c->cseq_method);
		EXPECT(c->name, m.max_forwards == 70);
		EXPECT(c->name, str_is(m.contact, c->contact));
		EXPECT(c->name, str_is(m.content_type, c->content_type));
		EXPECT(c->name, str_is(m.body, c->body));
		EXPECT(c->name, m.record_route_count == 0);
	}
}

static void test_request_caps(void)
{
	for (size_t i = 0; i < sizeof(reqs) / sizeof(reqs[0]); i++) {
		char buf[2048];
		int n = sip_build_request(buf, sizeof(buf), &reqs[i].r);
		CU_ASSERT_FATAL(n > 0);
		check_caps(reqs[i].name, (size_t)n, build_req, &reqs[i].r);
	}
}

/* ---- responses ---- */

#define REQ_IN \
	"INVITE sip:9898@127.0.0.1:5061;transport=tls SIP/2.0\r\n" \
	"Via: SIP/2.0/TLS proxy.example.com:5061;branch=z9hG4bKp1, SIP/2.0/TLS edge;branch=z9hG4bKe1\r\n" \
	"v: SIP/2.0/TLS 127.0.0.1:40001;branch=z9hG4bK776asdhds;rport=40001\r\n" \
	"Record-Route: <sip:proxy.example.com:5061;transport=tls;lr>\r\n" \
	"Record-Route: <sip:edge.example.com;lr>\r\n" \
	"Max-Forwards: 68\r\n" \
	"From: \"Caller\" <sip:1018@127.0.0.1>;tag=1928301774\r\n" \
	"To: <sip:9898@127.0.0.1>\r\n" \
	"Call-ID: a84b4c76e66710@127.0.0.1\r\n" \
	"CSeq: 5 INVITE\r\n" \
	"Content-Length: 0\r\n" \
	"\r\n"

#define SDP_ANSWER \
	"v=0\r\n" \
	"o=- 7731 0 IN IP4 127.0.0.2\r\n" \
	"s=-\r\n" \
	"c=IN IP4 127.0.0.2\r\n" \
	"t=0 0\r\n" \
	"m=audio 50000 RTP/SAVP 0\r\n" \
	"a=crypto:1 AES_CM_128_HMAC_SHA1_80 inline:d0RmdmcmVCspeEc3QGZiNWpVLFJhQX1cfHAwJSoj\r\n"

struct resp_case {
	const char *name;
	struct sip_response r;
	const char *reason, *to, *to_tag, *contact, *content_type, *body;
	const char *text; /* exact output; NULL: not compared */
};

static const struct resp_case resps[] = {
	{ "100 Trying", { .status = 100 },
	  "Trying", "<sip:9898@127.0.0.1>", NULL, NULL, NULL, "",
	  "SIP/2.0 100 Trying\r\n"
	  "Via: SIP/2.0/TLS proxy.example.com:5061;branch=z9hG4bKp1\r\n"
	  "Via: SIP/2.0/TLS edge;branch=z9hG4bKe1\r\n"
	  "Via: SIP/2.0/TLS 127.0.0.1:40001;branch=z9hG4bK776asdhds;rport=40001\r\n"
	  "Record-Route: <sip:proxy.example.com:5061;transport=tls;lr>\r\n"
	  "Record-Route: <sip:edge.example.com;lr>\r\n"
	  "From: \"Caller\" <sip:1018@127.0.0.1>;tag=1928301774\r\n"
	  "To: <sip:9898@127.0.0.1>\r\n"
	  "Call-ID: a84b4c76e66710@127.0.0.1\r\n"
	  "CSeq: 5 INVITE\r\n"
	  "Content-Length: 0\r\n"
	  "\r\n" },
	{ "180 Ringing", { .status = 180, .to_tag = S("a6c85cf"),
			   .contact_uri = S("sip:9898@127.0.0.2:5061;transport=tls") },
	  "Ringing", "<sip:9898@127.0.0.1>;tag=a6c85cf", "a6c85cf",
	  "<sip:9898@127.0.0.2:5061;transport=tls>", NULL, "", NULL },
	{ "200 OK with SDP", { .status = 200, .to_tag = S("a6c85cf"),
			       .contact_uri = S("sip:9898@127.0.0.2:5061;transport=tls"),
			       .content_type = S("application/sdp"), .body = S(SDP_ANSWER) },
	  "OK", "<sip:9898@127.0.0.1>;tag=a6c85cf", "a6c85cf",
	  "<sip:9898@127.0.0.2:5061;transport=tls>", "application/sdp", SDP_ANSWER,
	  "SIP/2.0 200 OK\r\n"
	  "Via: SIP/2.0/TLS proxy.example.com:5061;branch=z9hG4bKp1\r\n"
	  "Via: SIP/2.0/TLS edge;branch=z9hG4bKe1\r\n"
	  "Via: SIP/2.0/TLS 127.0.0.1:40001;branch=z9hG4bK776asdhds;rport=40001\r\n"
	  "Record-Route: <sip:proxy.example.com:5061;transport=tls;lr>\r\n"
	  "Record-Route: <sip:edge.example.com;lr>\r\n"
	  "From: \"Caller\" <sip:1018@127.0.0.1>;tag=1928301774\r\n"
	  "To: <sip:9898@127.0.0.1>;tag=a6c85cf\r\n"
	  "Call-ID: a84b4c76e66710@127.0.0.1\r\n"
	  "CSeq: 5 INVITE\r\n"
	  "Contact: <sip:9898@127.0.0.2:5061;transport=tls>\r\n"
	  "Content-Type: application/sdp\r\n"
	  "Content-Length: 176\r\n"
	  "\r\n"
	  SDP_ANSWER },
	{ "486 Busy Here", { .status = 486, .to_tag = S("busy1") },
	  "Busy Here", "<sip:9898@127.0.0.1>;tag=busy1", "busy1", NULL, NULL, "", NULL },
	{ "480 with own reason", { .status = 480, .reason = S("Gone Fishing"), .to_tag = S("x") },
	  "Gone Fishing", "<sip:9898@127.0.0.1>;tag=x", "x", NULL, NULL, "", NULL },
	{ "699 without a standard phrase", { .status = 699 },
	  "Unknown", "<sip:9898@127.0.0.1>", NULL, NULL, NULL, "", NULL },
};

struct resp_arg {
	const struct sip_msg *req;
	const struct sip_response *r;
};

static int build_resp(char *buf, size_t cap, const void *arg)
{
	const struct resp_arg *a = arg;
	return sip_build_response(buf, cap, a->req, a->r);
}

static void parse_req(const char *text, struct sip_msg *req)
{
	CU_ASSERT_FATAL(sip_parse_msg(text, strlen(text), MAX, req) == (int)strlen(text));
}

static void test_response_round_trip(void)
{
	static const char in[] = REQ_IN;
	struct sip_msg req;
	parse_req(in, &req);
	CU_ASSERT_EQUAL_FATAL(req.via_count, 3);
	for (size_t i = 0; i < sizeof(resps) / sizeof(resps[0]); i++) {
		const struct resp_case *c = &resps[i];
		char buf[2048];
		struct sip_msg m;
		int n = sip_build_response(buf, sizeof(buf), &req, &c->r);
		EXPECT(c->name, n > 0);
		if (n <= 0)
			continue;
		if (c->text)
			EXPECT(c->name, (size_t)n == strlen(c->text) && memcmp(buf, c->text, (size_t)n) == 0);
		EXPECT(c->name, sip_parse_msg(buf, (size_t)n, MAX, &m) == n);
		EXPECT(c->name, m.kind == SIP_KIND_RESPONSE);
		EXPECT(c->name, m.status == c->r.status);
		EXPECT(c->name, str_is(m.reason, c->reason));
		EXPECT(c->name, m.via_count == req.via_count);
		for (unsigned v = 0; v < req.via_count; v++)
			EXPECT(c->name, str_eq(m.via[v], req.via[v]));
		EXPECT(c->name, str_eq(m.branch, req.branch));
		EXPECT(c->name, m.record_route_count == 2);
		for (unsigned r = 0; r < req.record_route_count; r++)
			EXPECT(c->name, str_eq(m.record_route[r], req.record_route[r]));
		EXPECT(c->name, str_eq(m.from, req.from));
		EXPECT(c->name, str_eq(m.from_tag, req.from_tag));
		EXPECT(c->name, str_is(m.to, c->to));
		EXPECT(c->name, str_is(m.to_tag, c->to_tag));
		EXPECT(c->name, str_eq(m.call_id, req.call_id));
		EXPECT(c->name, m.cseq == 5 && m.cseq_method == SIP_INVITE);
		EXPECT(c->name, str_is(m.cseq_method_name, "INVITE"));
		EXPECT(c->name, str_is(m.contact, c->contact));
		EXPECT(c->name, str_is(m.content_type, c->content_type));
		EXPECT(c->name, str_is(m.body, c->body));
		EXPECT(c->name, m.max_forwards == -1);

		struct resp_arg a = { &req, &c->r };
		check_caps(c->name, (size_t)n, build_resp, &a);
	}
}

/* In a dialog the request's To already has a tag: it is copied unchanged, and
 * the CSeq method is the request's own (BYE, CANCEL, extension methods). */
static void test_response_in_dialog(void)
{
	static const struct {
		const char *req, *to, *to_tag, *cseq_method;
	} tab[] = {
		{ "BYE sip:1018@127.0.0.1:40001 SIP/2.0\r\n"
		  "Via: SIP/2.0/TLS 127.0.0.1:5061;branch=z9hG4bKbye\r\n"
		  "From: <sip:9898@127.0.0.1>;tag=a6c85cf\r\n"
		  "To: <sip:1018@127.0.0.1>;tag=1928301774\r\n"
		  "Call-ID: d1\r\nCSeq: 9 BYE\r\nContent-Length: 0\r\n\r\n",
		  "<sip:1018@127.0.0.1>;tag=1928301774", "1928301774", "BYE" },
		{ "CANCEL sip:9898@127.0.0.1 SIP/2.0\r\n"
		  "Via: SIP/2.0/TCP h;branch=z9hG4bKc\r\n"
		  "f: <sip:1018@127.0.0.1>;tag=1\r\nt: sip:9898@127.0.0.1\r\n"
		  "i: d2\r\nCSeq: 1 CANCEL\r\nl: 0\r\n\r\n",
		  "sip:9898@127.0.0.1;tag=new", "new", "CANCEL" },
		{ "FOO sip:9898@127.0.0.1 SIP/2.0\r\n"
		  "Via: SIP/2.0/TCP h;branch=z9hG4bKf\r\n"
		  "From: <sip:1018@127.0.0.1>;tag=1\r\nTo: <sip:9898@127.0.0.1>;tag=\r\n"
		  "Call-ID: d3\r\nCSeq: 3 FOO\r\nContent-Length: 0\r\n\r\n",
		  "<sip:9898@127.0.0.1>;tag=", "", "FOO" },
	};
	for (size_t i = 0; i < sizeof(tab) / sizeof(tab[0]); i++) {
		struct sip_msg req, m;
		char buf[1024];
		struct sip_response r = { .status = 200, .to_tag = S("new") };
		parse_req(tab[i].req, &req);
		int n = sip_build_response(buf, sizeof(buf), &req, &r);
		CU_ASSERT_FATAL(n > 0);
		CU_ASSERT_EQUAL_FATAL(sip_parse_msg(buf, (size_t)n, MAX, &m), n);
		EXPECT(tab[i].to, str_is(m.to, tab[i].to));
		EXPECT(tab[i].to, str_is(m.to_tag, tab[i].to_tag));
		EXPECT(tab[i].to, str_is(m.cseq_method_name, tab[i].cseq_method));
	}
}

/* ---- invalid arguments ---- */

static void test_invalid(void)
{
	char buf[4096];
	struct sip_msg req;
	struct sip_response ok = { .status = 200 };

	/* more Vias than struct sip_msg keeps: a response would lose some */
	parse_req("OPTIONS sip:x SIP/2.0\r\n"
		  "Via: SIP/2.0/TLS a, SIP/2.0/TLS b, SIP/2.0/TLS c, SIP/2.0/TLS d\r\n"
		  "Via: SIP/2.0/TLS e, SIP/2.0/TLS f, SIP/2.0/TLS g, SIP/2.0/TLS h\r\n"
		  "Via: SIP/2.0/TLS i\r\n"
		  "From: <sip:a@h>;tag=1\r\nTo: <sip:b@h>\r\nCall-ID: v9\r\n"
		  "CSeq: 1 OPTIONS\r\nContent-Length: 0\r\n\r\n", &req);
	CU_ASSERT_EQUAL(req.via_count, SIP_MAX_VIA + 1);
	CU_ASSERT_EQUAL(sip_build_response(buf, sizeof(buf), &req, &ok), -EINVAL);
	req.via_count = SIP_MAX_VIA;
	CU_ASSERT(sip_build_response(buf, sizeof(buf), &req, &ok) > 0);
	req.record_route_count = SIP_MAX_RR + 1;
	CU_ASSERT_EQUAL(sip_build_response(buf, sizeof(buf), &req, &ok), -EINVAL);
	req.record_route_count = 0;

	static const int bad_status[] = { 0, 99, 700, -200 };
	for (size_t i = 0; i < sizeof(bad_status) / sizeof(bad_status[0]); i++) {
		struct sip_response r = { .status = bad_status[i] };
		CU_ASSERT_EQUAL(sip_build_response(buf, sizeof(buf), &req, &r), -EINVAL);
	}

	/* a response is not answered */
	struct sip_msg resp = req;
	resp.kind = SIP_KIND_RESPONSE;
	CU_ASSERT_EQUAL(sip_build_response(buf, sizeof(buf), &resp, &ok), -EINVAL);

	struct sip_request r = { .method = SIP_METHOD_UNKNOWN, BASE_REQ, .transport = S("TLS"),
				 .branch = S("z9hG4bK1") };
	CU_ASSERT_EQUAL(sip_build_request(buf, sizeof(buf), &r), -EINVAL);
	r.method = SIP_METHOD_COUNT;
	CU_ASSERT_EQUAL(sip_build_request(buf, sizeof(buf), &r), -EINVAL);
	r.method = SIP_INVITE;
	r.cseq_method = SIP_METHOD_COUNT;
	CU_ASSERT_EQUAL(sip_build_request(buf, sizeof(buf), &r), -EINVAL);
	r.cseq_method = 0;
	CU_ASSERT(sip_build_request(buf, sizeof(buf), &r) > 0);
	CU_ASSERT_EQUAL(sip_build_request(NULL, 0, &r), -ENOSPC);
}

/* ---- reason phrases ---- */

static void test_reason_phrases(void)
{
	static const struct { int status; const char *phrase; } tab[] = {
		{ 100, "Trying" }, { 180, "Ringing" }, { 181, "Call Is Being Forwarded" },
		{ 183, "Session Progress" }, { 200, "OK" }, { 202, "Accepted" },
		{ 400, "Bad Request" }, { 401, "Unauthorized" }, { 403, "Forbidden" },
		{ 404, "Not Found" }, { 405, "Method Not Allowed" },
		{ 407, "Proxy Authentication Required" }, { 408, "Request Timeout" },
		{ 480, "Temporarily Unavailable" }, { 481, "Call/Transaction Does Not Exist" },
		{ 486, "Busy Here" }, { 487, "Request Terminated" }, { 488, "Not Acceptable Here" },
		{ 500, "Server Internal Error" }, { 503, "Service Unavailable" },
		{ 600, "Busy Everywhere" }, { 603, "Decline" },
		{ 199, "Unknown" }, { 0, "Unknown" }, { -1, "Unknown" }, { 1000, "Unknown" },
	};
	for (size_t i = 0; i < sizeof(tab) / sizeof(tab[0]); i++)
		CU_ASSERT_STRING_EQUAL(sip_reason_phrase(tab[i].status), tab[i].phrase);
}

int main(void)
{
	static const struct tl_case cases[] = {
		{ "requests: exact text and round trip", test_request_round_trip },
		{ "requests: every short capacity fails", test_request_caps },
		{ "responses: round trip and short capacities", test_response_round_trip },
		{ "responses in a dialog keep the To tag", test_response_in_dialog },
		{ "invalid arguments", test_invalid },
		{ "reason phrases", test_reason_phrases },
	};
	return tl_run("sip_build", TL_CASES(cases));
}
