/* sip_parse: tables of valid messages (checked field by field, and every
 * truncated prefix must ask for more), malformed and oversized messages, and
 * parameter lookup. Inputs sit right before a PROT_NONE page so that any
 * over-read crashes. */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <sys/mman.h>
#include <unistd.h>
#include "sip_parse.h"
#include "tl_test.h"
#include "guard.h"

#define MAX 65536

/* ---- guard page ---- */


/* ---- checks that name the failing case ---- */

static void expect_at(bool ok, const char *what, const char *name, int line)
{
	if (!ok)
		printf("\n    case \"%s\": %s", name, what);
	CU_assertImplementation(ok, (unsigned)line, what, __FILE__, "", CU_FALSE);
}

#define EXPECT(name, cond) expect_at((cond), #cond, (name), __LINE__)

/* want NULL: the slice must be absent. */
static bool str_is(struct tl_str got, const char *want)
{
	if (!want)
		return got.p == NULL && got.len == 0;
	return got.p && got.len == strlen(want) && memcmp(got.p, want, got.len) == 0;
}

/* ---- valid messages ---- */

struct want {
	enum sip_kind kind;
	enum sip_method method;
	const char *method_name, *ruri;
	int status;
	const char *reason;
	unsigned via_count;
	const char *via[SIP_MAX_VIA];
	const char *branch;
	unsigned rr_count;
	const char *rr[SIP_MAX_RR];
	const char *from, *from_tag, *to, *to_tag, *call_id, *contact, *content_type;
	uint32_t cseq;
	enum sip_method cseq_method;
	const char *cseq_method_name;
	int max_forwards;
	size_t content_length;
	const char *body;
};

struct valid_case {
	const char *name;
	const char *raw;
	size_t len;
	size_t msg_len; /* what the parser returns; 0: all of raw */
	struct want w;
};

#define RAW(s) (s), sizeof(s) - 1

#define SDP_OFFER \
	"v=0\r\n" \
	"o=- 20518 0 IN IP4 127.0.0.1\r\n" \
	"s=-\r\n" \
	"c=IN IP4 127.0.0.1\r\n" \
	"t=0 0\r\n" \
	"m=audio 40000 RTP/SAVP 0\r\n" \
	"a=crypto:1 AES_CM_128_HMAC_SHA1_80 inline:WVNfX19zZW1jdGwgKCkgewkyMjA7fQp9CnVubGVz\r\n"

#define SDP_ANSWER \
	"v=0\r\n" \
	"o=- 7731 0 IN IP4 127.0.0.2\r\n" \
	"s=-\r\n" \
	"c=IN IP4 127.0.0.2\r\n" \
	"t=0 0\r\n" \
	"m=audio 50000 RTP/SAVP 0\r\n" \
	"a=crypto:1 AES_CM_128_HMAC_SHA1_80 inline:d0RmdmcmVCspeEc3QGZiNWpVLFJhQX1cfHAwJSoj\r\n"

#define INVITE_MSG \
	"INVITE sip:9898@127.0.0.1:5061;transport=tls SIP/2.0\r\n" \
	"Via: SIP/2.0/TLS 127.0.0.1:40001;branch=z9hG4bK776asdhds;rport\r\n" \
	"Max-Forwards: 70\r\n" \
	"From: \"Caller\" <sip:1018@127.0.0.1>;tag=1928301774\r\n" \
	"To: <sip:9898@127.0.0.1>\r\n" \
	"Call-ID: a84b4c76e66710@127.0.0.1\r\n" \
	"CSeq: 314159 INVITE\r\n" \
	"Contact: <sip:1018@127.0.0.1:40001;transport=tls>\r\n" \
	"Content-Type: application/sdp\r\n" \
	"Content-Length: 177\r\n" \
	"\r\n" \
	SDP_OFFER

#define INVITE_WANT { \
	.kind = SIP_KIND_REQUEST, .method = SIP_INVITE, .method_name = "INVITE", \
	.ruri = "sip:9898@127.0.0.1:5061;transport=tls", \
	.via_count = 1, \
	.via = { "SIP/2.0/TLS 127.0.0.1:40001;branch=z9hG4bK776asdhds;rport" }, \
	.branch = "z9hG4bK776asdhds", \
	.from = "\"Caller\" <sip:1018@127.0.0.1>;tag=1928301774", .from_tag = "1928301774", \
	.to = "<sip:9898@127.0.0.1>", \
	.call_id = "a84b4c76e66710@127.0.0.1", \
	.contact = "<sip:1018@127.0.0.1:40001;transport=tls>", \
	.content_type = "application/sdp", \
	.cseq = 314159, .cseq_method = SIP_INVITE, .cseq_method_name = "INVITE", \
	.max_forwards = 70, .content_length = 177, .body = SDP_OFFER }

#define BYE_MSG \
	"BYE sip:1018@127.0.0.1:40001;transport=tls SIP/2.0\r\n" \
	"Via: SIP/2.0/TLS 127.0.0.1:5061;branch=z9hG4bKbye1\r\n" \
	"From: <sip:9898@127.0.0.1>;tag=a6c85cf\r\n" \
	"To: <sip:1018@127.0.0.1>;tag=1928301774\r\n" \
	"Call-ID: a84b4c76e66710@127.0.0.1\r\n" \
	"CSeq: 2 BYE\r\n" \
	"Content-Length: 0\r\n" \
	"\r\n"

#define BYE_WANT { \
	.kind = SIP_KIND_REQUEST, .method = SIP_BYE, .method_name = "BYE", \
	.ruri = "sip:1018@127.0.0.1:40001;transport=tls", \
	.via_count = 1, .via = { "SIP/2.0/TLS 127.0.0.1:5061;branch=z9hG4bKbye1" }, \
	.branch = "z9hG4bKbye1", \
	.from = "<sip:9898@127.0.0.1>;tag=a6c85cf", .from_tag = "a6c85cf", \
	.to = "<sip:1018@127.0.0.1>;tag=1928301774", .to_tag = "1928301774", \
	.call_id = "a84b4c76e66710@127.0.0.1", \
	.cseq = 2, .cseq_method = SIP_BYE, .cseq_method_name = "BYE", \
	.max_forwards = -1, .content_length = 0, .body = "" }

#define OPTIONS_MSG \
	"OPTIONS sip:127.0.0.1:5061;transport=tls SIP/2.0\r\n" \
	"Via: SIP/2.0/TLS 127.0.0.1:40002;branch=z9hG4bKping\r\n" \
	"Max-Forwards: 0\r\n" \
	"From: <sip:ping@127.0.0.1>;tag=p1\r\n" \
	"To: <sip:127.0.0.1>\r\n" \
	"Call-ID: ping-1\r\n" \
	"CSeq: 1 OPTIONS\r\n" \
	"Content-Length: 0\r\n" \
	"\r\n"

#define OPTIONS_WANT { \
	.kind = SIP_KIND_REQUEST, .method = SIP_OPTIONS, .method_name = "OPTIONS", \
	.ruri = "sip:127.0.0.1:5061;transport=tls", \
	.via_count = 1, .via = { "SIP/2.0/TLS 127.0.0.1:40002;branch=z9hG4bKping" }, \
	.branch = "z9hG4bKping", \
	.from = "<sip:ping@127.0.0.1>;tag=p1", .from_tag = "p1", \
	.to = "<sip:127.0.0.1>", .call_id = "ping-1", \
	.cseq = 1, .cseq_method = SIP_OPTIONS, .cseq_method_name = "OPTIONS", \
	.max_forwards = 0, .content_length = 0, .body = "" }

/* In the spirit of RFC 4475 3.1.1.1 (a short tortuous INVITE): folds everywhere,
 * odd case, space before colons, compact forms, comma-separated Vias. */
#define TORTUOUS_BODY \
	"v=0\r\n" \
	"o=mhandley 29739 7272939 IN IP4 192.0.2.3\r\n" \
	"s=-\r\n" \
	"c=IN IP4 192.0.2.4\r\n" \
	"t=0 0\r\n" \
	"m=audio 49217 RTP/AVP 0 12\r\n" \
	"m=video 3227 RTP/AVP 31\r\n" \
	"a=rtpmap:31 LPC\r\n"

static const struct valid_case valid[] = {
	{ "INVITE with SDP", RAW(INVITE_MSG), 0, INVITE_WANT },
	{ "100 Trying", RAW(
		"SIP/2.0 100 Trying\r\n"
		"Via: SIP/2.0/TLS 127.0.0.1:40001;branch=z9hG4bK776asdhds;rport=40001;received=127.0.0.1\r\n"
		"From: \"Caller\" <sip:1018@127.0.0.1>;tag=1928301774\r\n"
		"To: <sip:9898@127.0.0.1>\r\n"
		"Call-ID: a84b4c76e66710@127.0.0.1\r\n"
		"CSeq: 314159 INVITE\r\n"
		"Content-Length: 0\r\n"
		"\r\n"), 0, {
		.kind = SIP_KIND_RESPONSE, .status = 100, .reason = "Trying",
		.via_count = 1,
		.via = { "SIP/2.0/TLS 127.0.0.1:40001;branch=z9hG4bK776asdhds;rport=40001;received=127.0.0.1" },
		.branch = "z9hG4bK776asdhds",
		.from = "\"Caller\" <sip:1018@127.0.0.1>;tag=1928301774", .from_tag = "1928301774",
		.to = "<sip:9898@127.0.0.1>", .call_id = "a84b4c76e66710@127.0.0.1",
		.cseq = 314159, .cseq_method = SIP_INVITE, .cseq_method_name = "INVITE",
		.max_forwards = -1, .content_length = 0, .body = "" } },
	{ "180 Ringing with Record-Route", RAW(
		"SIP/2.0 180 Ringing\r\n"
		"Via: SIP/2.0/TLS proxy.example.com:5061;branch=z9hG4bKp1\r\n"
		"Via: SIP/2.0/TLS 127.0.0.1:40001;branch=z9hG4bKu1\r\n"
		"Record-Route: <sip:proxy.example.com:5061;transport=tls;lr>\r\n"
		"Record-Route: <sip:edge.example.com;lr>, <sip:core.example.com;lr>\r\n"
		"From: <sip:1018@127.0.0.1>;tag=f1\r\n"
		"To: <sip:9898@127.0.0.1>;tag=t1\r\n"
		"Call-ID: ring@127.0.0.1\r\n"
		"CSeq: 7 INVITE\r\n"
		"Contact: <sip:9898@127.0.0.2:5061;transport=tls>\r\n"
		"Content-Length: 0\r\n"
		"\r\n"), 0, {
		.kind = SIP_KIND_RESPONSE, .status = 180, .reason = "Ringing",
		.via_count = 2,
		.via = { "SIP/2.0/TLS proxy.example.com:5061;branch=z9hG4bKp1",
			 "SIP/2.0/TLS 127.0.0.1:40001;branch=z9hG4bKu1" },
		.branch = "z9hG4bKp1",
		.rr_count = 2,
		.rr = { "<sip:proxy.example.com:5061;transport=tls;lr>",
			"<sip:edge.example.com;lr>, <sip:core.example.com;lr>" },
		.from = "<sip:1018@127.0.0.1>;tag=f1", .from_tag = "f1",
		.to = "<sip:9898@127.0.0.1>;tag=t1", .to_tag = "t1",
		.call_id = "ring@127.0.0.1",
		.contact = "<sip:9898@127.0.0.2:5061;transport=tls>",
		.cseq = 7, .cseq_method = SIP_INVITE, .cseq_method_name = "INVITE",
		.max_forwards = -1, .content_length = 0, .body = "" } },
	{ "200 OK with SDP", RAW(
		"SIP/2.0 200 OK\r\n"
		"Via: SIP/2.0/TLS 127.0.0.1:40001;branch=z9hG4bK776asdhds\r\n"
		"From: <sip:1018@127.0.0.1>;tag=1928301774\r\n"
		"To: <sip:9898@127.0.0.1>;tag=a6c85cf\r\n"
		"Call-ID:a84b4c76e66710@127.0.0.1\r\n"
		"CSeq:\t314159\tINVITE\r\n"
		"Contact: <sip:9898@127.0.0.2:5061;transport=tls>\r\n"
		"Content-Type: application/sdp\r\n"
		"Content-Length: 176\r\n"
		"\r\n"
		SDP_ANSWER), 0, {
		.kind = SIP_KIND_RESPONSE, .status = 200, .reason = "OK",
		.via_count = 1, .via = { "SIP/2.0/TLS 127.0.0.1:40001;branch=z9hG4bK776asdhds" },
		.branch = "z9hG4bK776asdhds",
		.from = "<sip:1018@127.0.0.1>;tag=1928301774", .from_tag = "1928301774",
		.to = "<sip:9898@127.0.0.1>;tag=a6c85cf", .to_tag = "a6c85cf",
		.call_id = "a84b4c76e66710@127.0.0.1",
		.contact = "<sip:9898@127.0.0.2:5061;transport=tls>",
		.content_type = "application/sdp",
		.cseq = 314159, .cseq_method = SIP_INVITE, .cseq_method_name = "INVITE",
		.max_forwards = -1, .content_length = 176, .body = SDP_ANSWER } },
	{ "486 with addr-spec From and To", RAW(
		"SIP/2.0 486 Busy Here\r\n"
		"Via: SIP/2.0/TCP 10.0.0.1;branch=z9hG4bKb\r\n"
		"From: sip:a@h;tag=x\r\n"
		"To: sip:b@h;tag=y\r\n"
		"Call-ID: busy\r\n"
		"CSeq: 1 INVITE\r\n"
		"Content-Length: 0\r\n"
		"\r\n"), 0, {
		.kind = SIP_KIND_RESPONSE, .status = 486, .reason = "Busy Here",
		.via_count = 1, .via = { "SIP/2.0/TCP 10.0.0.1;branch=z9hG4bKb" },
		.branch = "z9hG4bKb",
		.from = "sip:a@h;tag=x", .from_tag = "x", .to = "sip:b@h;tag=y", .to_tag = "y",
		.call_id = "busy",
		.cseq = 1, .cseq_method = SIP_INVITE, .cseq_method_name = "INVITE",
		.max_forwards = -1, .content_length = 0, .body = "" } },
	{ "compact forms", RAW(
		"BYE sip:1018@127.0.0.1:40001;transport=tls SIP/2.0\r\n"
		"v: SIP/2.0/TLS 127.0.0.1:5061;branch=z9hG4bKnashds7\r\n"
		"f: <sip:9898@127.0.0.1>;tag=a6c85cf\r\n"
		"T: \"Caller\" <sip:1018@127.0.0.1>;tag=1928301774\r\n"
		"i: a84b4c76e66710@127.0.0.1\r\n"
		"CSeq: 231 BYE\r\n"
		"m: <sip:9898@127.0.0.1:5061;transport=tls>\r\n"
		"k: timer, 100rel\r\n"
		"s: compact forms\r\n"
		"e: identity\r\n"
		"c: text/plain\r\n"
		"L: 5\r\n"
		"\r\n"
		"hello"), 0, {
		.kind = SIP_KIND_REQUEST, .method = SIP_BYE, .method_name = "BYE",
		.ruri = "sip:1018@127.0.0.1:40001;transport=tls",
		.via_count = 1, .via = { "SIP/2.0/TLS 127.0.0.1:5061;branch=z9hG4bKnashds7" },
		.branch = "z9hG4bKnashds7",
		.from = "<sip:9898@127.0.0.1>;tag=a6c85cf", .from_tag = "a6c85cf",
		.to = "\"Caller\" <sip:1018@127.0.0.1>;tag=1928301774", .to_tag = "1928301774",
		.call_id = "a84b4c76e66710@127.0.0.1",
		.contact = "<sip:9898@127.0.0.1:5061;transport=tls>",
		.content_type = "text/plain",
		.cseq = 231, .cseq_method = SIP_BYE, .cseq_method_name = "BYE",
		.max_forwards = -1, .content_length = 5, .body = "hello" } },
	{ "tortuous INVITE with folds", RAW(
		"INVITE sip:vivekg@chair-dnrc.example.com;unknownparam SIP/2.0\r\n"
		"TO :\r\n"
		" sip:vivekg@chair-dnrc.example.com ;   tag    = 1918181833n\r\n"
		"from   : \"J Rosenberg \\\\\\\"\"       <sip:jdrosen@example.com>\r\n"
		"  ;\r\n"
		"  tag = 98asjd8\r\n"
		"MaX-fOrWaRdS: 0068\r\n"
		"CaLl-Id\r\n"
		" : wsinv.ndaksdj@192.0.2.1\r\n"
		"Content-Length   : 150\r\n"
		"cseq: 0009\r\n"
		"  INVITE\r\n"
		"Via  : SIP  /   2.0\r\n"
		" /UDP\r\n"
		"    192.0.2.2;branch=390skdjuw\r\n"
		"s :\r\n"
		"NewFangledHeader:   newfangled value\r\n"
		" continued newfangled value\r\n"
		"UnknownHeaderWithUnusualValue: ;;,,;;,;\r\n"
		"Content-Type: application/sdp\r\n"
		"Route:\r\n"
		" <sip:services.example.com;lr;unknownwith=value;unknown-no-value>\r\n"
		"v:  SIP  / 2.0  / TCP     spindle.example.com   ;\r\n"
		"  branch  =   z9hG4bK9ikj8  ,\r\n"
		" SIP  /    2.0   / UDP  192.168.255.111   ; branch=\r\n"
		" z9hG4bK30239\r\n"
		"m:\"Quoted string \\\"\\\"\" <sip:jdrosen@example.com> ; newparam =\r\n"
		"\t newvalue ;\r\n"
		"  secondparam ; q = 0.33\r\n"
		"\r\n"
		TORTUOUS_BODY), 0, {
		.kind = SIP_KIND_REQUEST, .method = SIP_INVITE, .method_name = "INVITE",
		.ruri = "sip:vivekg@chair-dnrc.example.com;unknownparam",
		.via_count = 3,
		.via = { "SIP  /   2.0\r\n /UDP\r\n    192.0.2.2;branch=390skdjuw",
			 "SIP  / 2.0  / TCP     spindle.example.com   ;\r\n  branch  =   z9hG4bK9ikj8",
			 "SIP  /    2.0   / UDP  192.168.255.111   ; branch=\r\n z9hG4bK30239" },
		.branch = "390skdjuw",
		.from = "\"J Rosenberg \\\\\\\"\"       <sip:jdrosen@example.com>\r\n  ;\r\n  tag = 98asjd8",
		.from_tag = "98asjd8",
		.to = "sip:vivekg@chair-dnrc.example.com ;   tag    = 1918181833n",
		.to_tag = "1918181833n",
		.call_id = "wsinv.ndaksdj@192.0.2.1",
		.contact = "\"Quoted string \\\"\\\"\" <sip:jdrosen@example.com> ; newparam =\r\n"
			   "\t newvalue ;\r\n  secondparam ; q = 0.33",
		.content_type = "application/sdp",
		.cseq = 9, .cseq_method = SIP_INVITE, .cseq_method_name = "INVITE",
		.max_forwards = 68, .content_length = 150, .body = TORTUOUS_BODY } },
	{ "many Via lines and comma-separated Vias", RAW(
		"OPTIONS sip:127.0.0.1 SIP/2.0\r\n"
		"Via: SIP/2.0/TLS a;branch=z9hG4bKa, SIP/2.0/TLS b;branch=z9hG4bKb\r\n"
		"Via: SIP/2.0/TLS c;branch=z9hG4bKc;x=\"q,q\"\r\n"
		"v: SIP/2.0/TLS d,SIP/2.0/TLS e ,\tSIP/2.0/TLS f\r\n"
		"From: <sip:x@h>;tag=1\r\n"
		"VIA: SIP/2.0/TLS g, SIP/2.0/TLS h,\r\n"
		" SIP/2.0/TLS i\r\n"
		"To: <sip:y@h>\r\n"
		"Record-Route: <sip:r1;lr>\r\n"
		"Call-ID: vias\r\n"
		"record-route: <sip:r2;lr>\r\n"
		"CSeq: 10 OPTIONS\r\n"
		"Record-Route: <sip:r3;lr>\r\n"
		"Content-Length: 0\r\n"
		"\r\n"), 0, {
		.kind = SIP_KIND_REQUEST, .method = SIP_OPTIONS, .method_name = "OPTIONS",
		.ruri = "sip:127.0.0.1",
		.via_count = 9,
		.via = { "SIP/2.0/TLS a;branch=z9hG4bKa", "SIP/2.0/TLS b;branch=z9hG4bKb",
			 "SIP/2.0/TLS c;branch=z9hG4bKc;x=\"q,q\"", "SIP/2.0/TLS d",
			 "SIP/2.0/TLS e", "SIP/2.0/TLS f", "SIP/2.0/TLS g", "SIP/2.0/TLS h" },
		.branch = "z9hG4bKa",
		.rr_count = 3, .rr = { "<sip:r1;lr>", "<sip:r2;lr>", "<sip:r3;lr>" },
		.from = "<sip:x@h>;tag=1", .from_tag = "1", .to = "<sip:y@h>",
		.call_id = "vias",
		.cseq = 10, .cseq_method = SIP_OPTIONS, .cseq_method_name = "OPTIONS",
		.max_forwards = -1, .content_length = 0, .body = "" } },
	{ "extension method, body framed by length", RAW(
		"FOO sip:x@h SIP/2.0\r\n"
		"Via: SIP/2.0/TLS h\r\n"
		"From: <sip:x@h>;tag=\r\n"
		"To: <sip:y@h>\r\n"
		"Call-ID: ext\r\n"
		"CSeq: 4294 FOO\r\n"
		"Content-Length: 7\r\n"
		"\r\n"
		"\r\n\r\nx\r\n"), 0, {
		.kind = SIP_KIND_REQUEST, .method = SIP_METHOD_UNKNOWN, .method_name = "FOO",
		.ruri = "sip:x@h",
		.via_count = 1, .via = { "SIP/2.0/TLS h" }, .branch = NULL,
		.from = "<sip:x@h>;tag=", .from_tag = "", .to = "<sip:y@h>",
		.call_id = "ext",
		.cseq = 4294, .cseq_method = SIP_METHOD_UNKNOWN, .cseq_method_name = "FOO",
		.max_forwards = -1, .content_length = 7, .body = "\r\n\r\nx\r\n" } },
	{ "CRLF keep-alive before a message", RAW("\r\n\r\n" OPTIONS_MSG), 4, {
		.kind = SIP_KIND_KEEPALIVE, .max_forwards = -1 } },
	{ "lone LF keep-alive", RAW("\n" OPTIONS_MSG), 1, {
		.kind = SIP_KIND_KEEPALIVE, .max_forwards = -1 } },
	{ "two messages back to back", RAW(INVITE_MSG BYE_MSG), sizeof(INVITE_MSG) - 1,
		INVITE_WANT },
	{ "message followed by keep-alive", RAW(OPTIONS_MSG "\r\n\r\n"), sizeof(OPTIONS_MSG) - 1,
		OPTIONS_WANT },
};

static void check_msg(const char *name, const struct sip_msg *m, const struct want *w)
{
	EXPECT(name, m->kind == w->kind);
	EXPECT(name, m->method == w->method);
	EXPECT(name, str_is(m->method_name, w->method_name));
	EXPECT(name, str_is(m->ruri, w->ruri));
	EXPECT(name, m->status == w->status);
	EXPECT(name, str_is(m->reason, w->reason));
	EXPECT(name, m->via_count == w->via_count);
	for (unsigned i = 0; i < SIP_MAX_VIA && i < w->via_count; i++)
		EXPECT(name, str_is(m->via[i], w->via[i]));
	EXPECT(name, str_is(m->branch, w->branch));
	EXPECT(name, m->record_route_count == w->rr_count);
	for (unsigned i = 0; i < SIP_MAX_RR && i < w->rr_count; i++)
		EXPECT(name, str_is(m->record_route[i], w->rr[i]));
	EXPECT(name, str_is(m->from, w->from));
	EXPECT(name, str_is(m->from_tag, w->from_tag));
	EXPECT(name, str_is(m->to, w->to));
	EXPECT(name, str_is(m->to_tag, w->to_tag));
	EXPECT(name, str_is(m->call_id, w->call_id));
	EXPECT(name, str_is(m->contact, w->contact));
	EXPECT(name, str_is(m->content_type, w->content_type));
	EXPECT(name, m->cseq == w->cseq);
	EXPECT(name, m->cseq_method == w->cseq_method);
	EXPECT(name, str_is(m->cseq_method_name, w->cseq_method_name));
	EXPECT(name, m->max_forwards == w->max_forwards);
	EXPECT(name, m->content_length == w->content_length);
	EXPECT(name, str_is(m->body, w->body));
}

static size_t msg_len(const struct valid_case *c)
{
	return c->msg_len ? c->msg_len : c->len;
}

static void test_valid(void)
{
	struct guard g;
	guard_init(&g, MAX);
	for (size_t i = 0; i < sizeof(valid) / sizeof(valid[0]); i++) {
		const struct valid_case *c = &valid[i];
		struct sip_msg m;
		const char *p = guard_put(&g, c->raw, c->len);
		int rc = sip_parse_msg(p, c->len, MAX, &m);
		EXPECT(c->name, rc == (int)msg_len(c));
		if (rc > 0)
			check_msg(c->name, &m, &c->w);
		/* slices point into the caller's buffer */
		if (rc > 0 && m.kind != SIP_KIND_KEEPALIVE)
			EXPECT(c->name, m.call_id.p > p && m.call_id.p < p + c->len);
	}
	guard_free(&g);
}

static size_t leading_crlf(const char *p, size_t n)
{
	size_t k = 0;
	while (k < n && (p[k] == '\r' || p[k] == '\n'))
		k++;
	return k;
}

/* Every strict prefix of a message asks for more (or is a keep-alive), reads
 * nothing past its end, and leaves *out alone unless it succeeds. */
static void test_truncated_prefixes(void)
{
	struct guard g;
	guard_init(&g, MAX);
	for (size_t i = 0; i < sizeof(valid) / sizeof(valid[0]); i++) {
		const struct valid_case *c = &valid[i];
		size_t lead = leading_crlf(c->raw, c->len);
		for (size_t k = 0; k < msg_len(c); k++) {
			struct sip_msg m, before;
			memset(&m, 0xa5, sizeof(m));
			before = m;
			const char *p = guard_put(&g, c->raw, k);
			int rc = sip_parse_msg(p, k, MAX, &m);
			if (lead > 0 && k > 0) {
				EXPECT(c->name, rc == (int)(k < lead ? k : lead));
				EXPECT(c->name, m.kind == SIP_KIND_KEEPALIVE);
			} else {
				EXPECT(c->name, rc == -EAGAIN);
				EXPECT(c->name, memcmp(&m, &before, sizeof(m)) == 0);
			}
			if (CU_get_number_of_failures() > 20)
				break; /* one broken case would otherwise flood the output */
		}
	}
	guard_free(&g);
}

/* A stream holding keep-alives and several messages is consumed in order. */
static void test_stream_sequence(void)
{
	static const char stream[] = "\r\n" INVITE_MSG "\r\n\r\n" BYE_MSG OPTIONS_MSG;
	static const struct { enum sip_kind kind; enum sip_method method; size_t len; } want[] = {
		{ SIP_KIND_KEEPALIVE, SIP_METHOD_UNKNOWN, 2 },
		{ SIP_KIND_REQUEST, SIP_INVITE, sizeof(INVITE_MSG) - 1 },
		{ SIP_KIND_KEEPALIVE, SIP_METHOD_UNKNOWN, 4 },
		{ SIP_KIND_REQUEST, SIP_BYE, sizeof(BYE_MSG) - 1 },
		{ SIP_KIND_REQUEST, SIP_OPTIONS, sizeof(OPTIONS_MSG) - 1 },
	};
	struct guard g;
	guard_init(&g, MAX);
	const char *p = guard_put(&g, stream, sizeof(stream) - 1);
	size_t off = 0;
	for (size_t i = 0; i < sizeof(want) / sizeof(want[0]); i++) {
		struct sip_msg m;
		int rc = sip_parse_msg(p + off, sizeof(stream) - 1 - off, MAX, &m);
		CU_ASSERT_EQUAL_FATAL(rc, (int)want[i].len);
		CU_ASSERT_EQUAL(m.kind, want[i].kind);
		CU_ASSERT_EQUAL(m.method, want[i].method);
		off += (size_t)rc;
	}
	CU_ASSERT_EQUAL(off, sizeof(stream) - 1);
	struct sip_msg m;
	CU_ASSERT_EQUAL(sip_parse_msg(p + off, 0, MAX, &m), -EAGAIN);
	guard_free(&g);
}

/* ---- malformed messages ---- */

#define RL "INVITE sip:b@h SIP/2.0\r\n"
#define VIA "Via: SIP/2.0/TLS h:1;branch=z9hG4bKx\r\n"
#define FROM "From: <sip:a@h>;tag=1\r\n"
#define TO "To: <sip:b@h>\r\n"
#define CID "Call-ID: c1\r\n"
#define CSEQ "CSeq: 1 INVITE\r\n"
#define CLEN "Content-Length: 0\r\n"
#define HDRS VIA FROM TO CID CSEQ CLEN
#define GOOD RL HDRS "\r\n"

struct bad_case {
	const char *name;
	const char *raw;
	size_t len;
	int want;
};

static const struct bad_case bad[] = {
	{ "no Content-Length", RAW(RL VIA FROM TO CID CSEQ "\r\n"), -EBADMSG },
	{ "Content-Length with letters", RAW(RL VIA FROM TO CID CSEQ "Content-Length: 1a\r\n\r\n"), -EBADMSG },
	{ "Content-Length hex", RAW(RL VIA FROM TO CID CSEQ "Content-Length: 0x10\r\n\r\n"), -EBADMSG },
	{ "Content-Length negative", RAW(RL VIA FROM TO CID CSEQ "Content-Length: -1\r\n\r\n"), -EBADMSG },
	{ "Content-Length overflow", RAW(RL VIA FROM TO CID CSEQ "l: 99999999999999999999999\r\n\r\n"), -EBADMSG },
	{ "Content-Length empty", RAW(RL VIA FROM TO CID CSEQ "Content-Length:\r\n\r\n"), -EBADMSG },
	{ "Content-Length twice", RAW(RL HDRS "l: 0\r\n\r\n"), -EBADMSG },
	{ "header line without colon", RAW(RL VIA "NoColonHere\r\n" FROM TO CID CSEQ CLEN "\r\n"), -EBADMSG },
	{ "space inside header name", RAW(RL VIA FROM TO "Call ID: c1\r\n" CSEQ CLEN "\r\n"), -EBADMSG },
	{ "empty header name", RAW(RL HDRS ": x\r\n\r\n"), -EBADMSG },
	{ "status with two digits", RAW("SIP/2.0 20 OK\r\n" HDRS "\r\n"), -EBADMSG },
	{ "status below 100", RAW("SIP/2.0 099 Low\r\n" HDRS "\r\n"), -EBADMSG },
	{ "status above 699", RAW("SIP/2.0 700 High\r\n" HDRS "\r\n"), -EBADMSG },
	{ "status with four digits", RAW("SIP/2.0 2000 OK\r\n" HDRS "\r\n"), -EBADMSG },
	{ "status with a letter", RAW("SIP/2.0 2x0 OK\r\n" HDRS "\r\n"), -EBADMSG },
	{ "status without SP before reason", RAW("SIP/2.0 200OK\r\n" HDRS "\r\n"), -EBADMSG },
	{ "status line without reason SP", RAW("SIP/2.0 200\r\n" HDRS "\r\n"), -EBADMSG },
	{ "response version 1.0", RAW("SIP/1.0 200 OK\r\n" HDRS "\r\n"), -EBADMSG },
	{ "request version 7.0 (RFC 4475 badvers)", RAW("INVITE sip:b@h SIP/7.0\r\n" HDRS "\r\n"), -EBADMSG },
	{ "request without version", RAW("INVITE sip:b@h\r\n" HDRS "\r\n"), -EBADMSG },
	{ "request without URI", RAW("INVITE SIP/2.0\r\n" HDRS "\r\n"), -EBADMSG },
	{ "two SP after method", RAW("INVITE  sip:b@h SIP/2.0\r\n" HDRS "\r\n"), -EBADMSG },
	{ "SP inside Request-URI (RFC 4475 lwsruri)", RAW("INVITE sip:b@h ;x=y SIP/2.0\r\n" HDRS "\r\n"), -EBADMSG },
	{ "HTTP request", RAW("GET / HTTP/1.1\r\nHost: x\r\nContent-Length: 0\r\n\r\n"), -EBADMSG },
	{ "missing CSeq", RAW(RL VIA FROM TO CID CLEN "\r\n"), -EBADMSG },
	{ "CSeq without method", RAW(RL VIA FROM TO CID "CSeq: 1\r\n" CLEN "\r\n"), -EBADMSG },
	{ "CSeq without number", RAW(RL VIA FROM TO CID "CSeq: INVITE\r\n" CLEN "\r\n"), -EBADMSG },
	{ "CSeq number with letters", RAW(RL VIA FROM TO CID "CSeq: 1a INVITE\r\n" CLEN "\r\n"), -EBADMSG },
	{ "CSeq of 2**31 (RFC 4475 scalar02)", RAW(RL VIA FROM TO CID "CSeq: 2147483648 INVITE\r\n" CLEN "\r\n"), -EBADMSG },
	{ "CSeq with trailing junk", RAW(RL VIA FROM TO CID "CSeq: 1 INVITE x\r\n" CLEN "\r\n"), -EBADMSG },
	{ "CSeq twice", RAW(RL HDRS "CSeq: 2 INVITE\r\n\r\n"), -EBADMSG },
	{ "CSeq method mismatch", RAW(RL VIA FROM TO CID "CSeq: 1 BYE\r\n" CLEN "\r\n"), -EBADMSG },
	{ "CSeq method differs in case", RAW(RL VIA FROM TO CID "CSeq: 1 invite\r\n" CLEN "\r\n"), -EBADMSG },
	{ "ACK with CSeq INVITE", RAW("ACK sip:b@h SIP/2.0\r\n" HDRS "\r\n"), -EBADMSG },
	{ "Max-Forwards 300 (RFC 4475 scalar02)", RAW(RL HDRS "Max-Forwards: 300\r\n\r\n"), -EBADMSG },
	{ "Max-Forwards not a number", RAW(RL HDRS "Max-Forwards: ten\r\n\r\n"), -EBADMSG },
	{ "missing Via", RAW(RL FROM TO CID CSEQ CLEN "\r\n"), -EBADMSG },
	{ "missing From", RAW(RL VIA TO CID CSEQ CLEN "\r\n"), -EBADMSG },
	{ "missing To", RAW(RL VIA FROM CID CSEQ CLEN "\r\n"), -EBADMSG },
	{ "missing Call-ID", RAW(RL VIA FROM TO CSEQ CLEN "\r\n"), -EBADMSG },
	{ "empty From", RAW(RL VIA "From: \r\n" TO CID CSEQ CLEN "\r\n"), -EBADMSG },
	{ "empty Via element", RAW(RL "Via: SIP/2.0/TLS a, ,SIP/2.0/TLS b\r\n" FROM TO CID CSEQ CLEN "\r\n"), -EBADMSG },
	{ "two Call-IDs (RFC 4475 mcl01)", RAW(RL HDRS "i: c2\r\n\r\n"), -EBADMSG },
	{ "two To headers", RAW(RL HDRS "t: <sip:c@h>\r\n\r\n"), -EBADMSG },
	{ "garbage bytes (TLS ClientHello)", RAW("\x16\x03\x01\x02\x00\x01\x00\x01\xfc\x03\x03"), -EBADMSG },
	{ "binary garbage line", RAW("\x01\x02\x03\r\n\r\n"), -EBADMSG },
	{ "NUL in method", RAW("INV\0TE sip:b@h SIP/2.0\r\n" HDRS "\r\n"), -EBADMSG },
	{ "NUL in Request-URI", RAW("INVITE sip:b\0@h SIP/2.0\r\n" HDRS "\r\n"), -EBADMSG },
	{ "NUL in reason phrase", RAW("SIP/2.0 200 O\0K\r\n" HDRS "\r\n"), -EBADMSG },
	{ "bare LF after start line", RAW("INVITE sip:b@h SIP/2.0\n" HDRS "\r\n"), -EBADMSG },
	{ "bare LF after a header", RAW(RL "Via: SIP/2.0/TLS h\n" FROM TO CID CSEQ CLEN "\r\n"), -EBADMSG },
	{ "bare LF as blank line", RAW(RL HDRS "\n"), -EBADMSG },
	{ "CR without LF as blank line", RAW(RL HDRS "\rX"), -EBADMSG },
	{ "fold right after the start line", RAW(RL " folded\r\n" HDRS "\r\n"), -EBADMSG },
};

static void test_malformed(void)
{
	struct guard g;
	struct sip_msg m;
	guard_init(&g, MAX);
	/* the control message the bad ones are made from parses */
	const char *p = guard_put(&g, GOOD, sizeof(GOOD) - 1);
	CU_ASSERT_EQUAL(sip_parse_msg(p, sizeof(GOOD) - 1, MAX, &m), (int)sizeof(GOOD) - 1);
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		const struct bad_case *c = &bad[i];
		struct sip_msg before;
		memset(&m, 0x5a, sizeof(m));
		before = m;
		p = guard_put(&g, c->raw, c->len);
		int rc = sip_parse_msg(p, c->len, MAX, &m);
		if (rc != c->want)
			printf("\n    case \"%s\": got %d", c->name, rc);
		EXPECT(c->name, rc == c->want);
		EXPECT(c->name, memcmp(&m, &before, sizeof(m)) == 0);
	}
	guard_free(&g);
}

/* ---- size limits ---- */

struct size_case {
	const char *name;
	const char *raw;
	size_t len;
	size_t max;
	int want; /* negative errno, or 1 for "the whole input" */
};

#define BIG_CLEN RL VIA FROM TO CID CSEQ "Content-Length: 100000\r\n\r\n"

static const struct size_case sizes[] = {
	{ "exactly max_size", RAW(GOOD), sizeof(GOOD) - 1, 1 },
	{ "body one byte over max_size", RAW(INVITE_MSG), sizeof(INVITE_MSG) - 2, -EMSGSIZE },
	{ "header block over max_size", RAW(GOOD), 64, -EMSGSIZE },
	{ "blank line's LF beyond max_size", RAW(GOOD), sizeof(GOOD) - 2, -EMSGSIZE },
	{ "body over max_size before it arrives", RAW(BIG_CLEN), 4096, -EMSGSIZE },
	{ "body over max_size, large max", RAW(BIG_CLEN), 100000, -EMSGSIZE },
	{ "body fits max_size: wait", RAW(BIG_CLEN), 200000, -EAGAIN },
	{ "partial headers under max_size: wait", RAW(RL VIA FROM), 4096, -EAGAIN },
	{ "partial headers reaching max_size", RAW(RL VIA FROM), sizeof(RL VIA FROM) - 1, -EMSGSIZE },
	{ "partial start line reaching max_size", RAW("INVITE sip:aaaaaaaaaaaaaaaa"), 10, -EMSGSIZE },
	{ "two messages, first fits", RAW(GOOD GOOD), sizeof(GOOD) - 1, (int)sizeof(GOOD) - 1 },
};

static void test_sizes(void)
{
	struct guard g;
	guard_init(&g, MAX);
	for (size_t i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++) {
		const struct size_case *c = &sizes[i];
		struct sip_msg m;
		const char *p = guard_put(&g, c->raw, c->len);
		int rc = sip_parse_msg(p, c->len, c->max, &m);
		int want = c->want == 1 ? (int)c->len : c->want;
		if (rc != want)
			printf("\n    case \"%s\": got %d", c->name, rc);
		EXPECT(c->name, rc == want);
	}
	guard_free(&g);
}

/* A long line with no end in sight stops at max_size. */
static void test_endless_line(void)
{
	struct guard g;
	struct sip_msg m;
	size_t n = 70000;
	guard_init(&g, n);
	char *p = g.map + g.data - n;
	memset(p, 'A', n);
	CU_ASSERT_EQUAL(sip_parse_msg(p, n, MAX, &m), -EMSGSIZE);
	CU_ASSERT_EQUAL(sip_parse_msg(p, n, n + 1, &m), -EAGAIN);
	guard_free(&g);
}

/* ---- parameters ---- */

static const struct {
	const char *value, *name, *want; /* want NULL: -ENOENT */
} params[] = {
	{ "\"A;b\" <sip:a@b;tag=x>;tag=abc", "tag", "abc" },
	{ "<sip:a@b;tag=x>", "tag", NULL },
	{ "sip:a@b;tag=x", "tag", "x" },
	{ "SIP/2.0/TLS h;branch=z9hG4bK1;rport", "branch", "z9hG4bK1" },
	{ "SIP/2.0/TLS h;branch=z9hG4bK1;rport", "rport", "" },
	{ "SIP/2.0/TLS h;branch=z9hG4bK1;rport", "received", NULL },
	{ "SIP/2.0/TLS h ; BRANCH = z9 ;x", "branch", "z9" },
	{ "SIP/2.0/TLS h;Branch=Z9", "bRanch", "Z9" },
	{ "x;tagx=1;tag=2", "tag", "2" },
	{ "x;xtag=1;tag=2", "tag", "2" },
	{ "x;a=\"q;tag=1\";tag=2", "tag", "2" },
	{ "x;a=\"q;tag=1\";tag=2", "a", "\"q;tag=1\"" },
	{ "\"Q \\\" ;tag=no\" <sip:x>;tag=yes", "tag", "yes" },
	{ "<sip:a>;q=0.5, <sip:b>;tag=1", "tag", NULL },
	{ "<sip:a>;q=0.5, <sip:b>;tag=1", "q", "0.5" },
	{ "sip:a@b\r\n ;tag=\r\n z", "tag", "z" },
	{ "SIP/2.0/TLS [::1]:5061;received=[::2];branch=z9", "received", "[::2]" },
	{ "x;tag", "tag", "" },
	{ "x;tag=", "tag", "" },
	{ "x;;;tag=3", "tag", "3" },
	{ "", "tag", NULL },
	{ "tag=1", "tag", NULL },
	{ "\"unterminated ;tag=1", "tag", NULL },
	{ "\"Quoted string \\\"\\\"\" <sip:jdrosen@example.com> ; newparam =\r\n"
	  "\t newvalue ;\r\n  secondparam ; q = 0.33", "q", "0.33" },
	{ "\"Quoted string \\\"\\\"\" <sip:jdrosen@example.com> ; newparam =\r\n"
	  "\t newvalue ;\r\n  secondparam ; q = 0.33", "newparam", "newvalue" },
	{ "\"Quoted string \\\"\\\"\" <sip:jdrosen@example.com> ; newparam =\r\n"
	  "\t newvalue ;\r\n  secondparam ; q = 0.33", "secondparam", "" },
};

static void test_param(void)
{
	for (size_t i = 0; i < sizeof(params) / sizeof(params[0]); i++) {
		struct guard g;
		guard_init(&g, 4096);
		size_t n = strlen(params[i].value);
		struct tl_str v = { guard_put(&g, params[i].value, n), n };
		struct tl_str got = { NULL, 0 };
		int rc = sip_param(v, params[i].name, &got);
		const char *name = params[i].value;
		if (params[i].want) {
			EXPECT(name, rc == 0);
			EXPECT(name, str_is(got, params[i].want));
		} else {
			EXPECT(name, rc == -ENOENT);
			EXPECT(name, got.p == NULL); /* untouched */
		}
		guard_free(&g);
	}
}

/* ---- any header by name ---- */

static void test_header_value(void)
{
	static const char msg[] =
		"SIP/2.0 200 OK\r\n"
		"Via: SIP/2.0/TLS 10.0.0.1:5061;branch=z9hG4bK1\r\n"
		"f: <sip:1018@a>;tag=1\r\n"
		"To: <sip:9898@b>;tag=2\r\n"
		"Call-ID: x\r\n"
		"CSeq: 1 INVITE\r\n"
		"Supported: replaces\r\n"
		"SERVER:   Cisco-CUCM10.5  \r\n"
		"k: X-cisco-srtp-fallback\r\n"
		"Session-ID: 6b53a4e1;\r\n remote=0000\r\n"
		"X-Empty:\r\n"
		"X-Server: not this one\r\n"
		"Content-Length: 0\r\n\r\n";
	static const struct { const char *name; unsigned nth; const char *want; } tab[] = {
		{ "Server", 0, "Cisco-CUCM10.5" },         /* any case, trimmed */
		{ "server", 0, "Cisco-CUCM10.5" },
		{ "Server", 1, NULL },
		{ "From", 0, "<sip:1018@a>;tag=1" },       /* its compact form on the wire */
		{ "f", 0, "<sip:1018@a>;tag=1" },
		{ "Supported", 0, "replaces" },
		{ "Supported", 1, "X-cisco-srtp-fallback" }, /* long and compact lines alike */
		{ "Session-ID", 0, "6b53a4e1;\r\n remote=0000" }, /* folded */
		{ "X-Empty", 0, "" },
		{ "X-Serv", 0, NULL },                     /* a name is whole */
		{ "Content-Length", 0, "0" },              /* the last line */
		{ "SIP/2.0 200 OK", 0, NULL },             /* not the start line */
	};
	struct guard g;
	guard_init(&g, 4096);
	const char *buf = guard_put(&g, msg, sizeof(msg) - 1);
	struct sip_msg m;
	int n = sip_parse_msg(buf, sizeof(msg) - 1, MAX, &m);
	CU_ASSERT_EQUAL_FATAL(n, (int)sizeof(msg) - 1);
	CU_ASSERT_EQUAL(m.head.len, sizeof(msg) - 3); /* up to the empty line */
	for (size_t i = 0; i < sizeof(tab) / sizeof(tab[0]); i++) {
		struct tl_str v = { NULL, 0 };
		int rc = sip_header_value(m.head, tab[i].name, tab[i].nth, &v);
		EXPECT(tab[i].name, tab[i].want ? rc == 0 && str_is(v, tab[i].want) : rc == -ENOENT);
	}
	guard_free(&g);
}

/* ---- method names ---- */

static void test_methods(void)
{
	static const struct { const char *name; enum sip_method m; } tab[] = {
		{ "INVITE", SIP_INVITE }, { "ACK", SIP_ACK }, { "BYE", SIP_BYE },
		{ "CANCEL", SIP_CANCEL }, { "OPTIONS", SIP_OPTIONS }, { "REGISTER", SIP_REGISTER },
		{ "PRACK", SIP_PRACK }, { "UPDATE", SIP_UPDATE }, { "INFO", SIP_INFO },
		{ "NOTIFY", SIP_NOTIFY }, { "SUBSCRIBE", SIP_SUBSCRIBE }, { "REFER", SIP_REFER },
		{ "MESSAGE", SIP_MESSAGE },
	};
	CU_ASSERT_EQUAL(sizeof(tab) / sizeof(tab[0]), SIP_METHOD_COUNT - 1);
	for (size_t i = 0; i < sizeof(tab) / sizeof(tab[0]); i++) {
		CU_ASSERT_EQUAL(sip_method_from_name(tab[i].name, strlen(tab[i].name)), tab[i].m);
		CU_ASSERT_STRING_EQUAL(sip_method_name(tab[i].m), tab[i].name);
	}
	static const char *unknown[] = { "invite", "INVITEX", "INVIT", "", "FOO", "Bye" };
	for (size_t i = 0; i < sizeof(unknown) / sizeof(unknown[0]); i++)
		CU_ASSERT_EQUAL(sip_method_from_name(unknown[i], strlen(unknown[i])), SIP_METHOD_UNKNOWN);
	/* a length shorter than the name is honoured */
	CU_ASSERT_EQUAL(sip_method_from_name("BYEX", 3), SIP_BYE);
	CU_ASSERT_PTR_NULL(sip_method_name(SIP_METHOD_UNKNOWN));
	CU_ASSERT_PTR_NULL(sip_method_name(SIP_METHOD_COUNT));
	CU_ASSERT_PTR_NULL(sip_method_name((enum sip_method)-1));
}

int main(void)
{
	static const struct tl_case cases[] = {
		{ "valid messages, field by field", test_valid },
		{ "every truncated prefix needs more", test_truncated_prefixes },
		{ "keep-alives and messages in one stream", test_stream_sequence },
		{ "malformed messages", test_malformed },
		{ "size limits", test_sizes },
		{ "endless line", test_endless_line },
		{ "parameter lookup", test_param },
		{ "any header by name", test_header_value },
		{ "method names", test_methods },
	};
	return tl_run("sip_parse", TL_CASES(cases));
}
