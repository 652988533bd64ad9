/* dialog.h: both roles' view of one dialog, from real messages (the parser's), and
 * the requests sent in it. */
#include "tl_test.h"
#include "dialog.h"
#include <stdio.h>
#include <string.h>

static struct sip_msg parse(const char *text)
{
	struct sip_msg m;
	int n = sip_parse_msg(text, strlen(text), 65536, &m);
	CU_ASSERT_FATAL(n == (int)strlen(text));
	return m;
}

static const char ok_200[] =
	"SIP/2.0 200 OK\r\n"
	"Via: SIP/2.0/TLS 10.0.0.1:5061;branch=z9hG4bK-1\r\n"
	"Record-Route: <sip:p1.example.com;lr>, <sip:p2.example.com;lr>\r\n"
	"Record-Route: <sip:p3.example.com;lr>\r\n"
	"From: <sip:1018@a.example.com>;tag=ours\r\n"
	"To: \"B\" <sip:9898@b.example.com>;tag=27995138~8b591a97\r\n"
	"Call-ID: c1@trunkload\r\n"
	"CSeq: 1 INVITE\r\n"
	"Contact: <sip:9898@10.0.0.2:5061;transport=tls>\r\n"
	"Content-Length: 0\r\n\r\n";

static void test_uac(void)
{
	struct dialog d;
	dialog_uac_init(&d, TL_STR("c1@trunkload"), TL_STR("ours"), TL_STR("sip:1018@a.example.com"),
			TL_STR("sip:9898@b.example.com"), TL_STR("sip:9898@b.example.com;transport=tls"), 1);
	CU_ASSERT_STRING_EQUAL(d.target, "sip:9898@b.example.com;transport=tls");
	struct sip_msg m = parse(ok_200);
	CU_ASSERT_EQUAL(dialog_uac_confirm(&d, &m), 0);
	CU_ASSERT_STRING_EQUAL(d.remote_tag, "27995138~8b591a97");
	CU_ASSERT_STRING_EQUAL(d.target, "sip:9898@10.0.0.2:5061;transport=tls");
	CU_ASSERT_EQUAL(d.n_routes, 3); /* reversed, each entry of a comma list apart */
	struct sip_request r = { 0 };
	struct tl_str routes[DIALOG_MAX_ROUTES];
	dialog_request(&d, &r, SIP_BYE, 0, routes);
	CU_ASSERT_EQUAL(r.cseq, 2);
	CU_ASSERT_EQUAL(r.route_count, 3);
	CU_ASSERT(tl_str_eq(r.route[0], "<sip:p3.example.com;lr>"));
	CU_ASSERT(tl_str_eq(r.route[2], "<sip:p1.example.com;lr>"));
	CU_ASSERT(tl_str_eq(r.to_tag, "27995138~8b591a97"));
	CU_ASSERT(tl_str_eq(r.from_tag, "ours"));
	dialog_request(&d, &r, SIP_ACK, 1, routes);
	CU_ASSERT_EQUAL(r.cseq, 1);
	dialog_request(&d, &r, SIP_INVITE, 0, routes);
	CU_ASSERT_EQUAL(r.cseq, 3);
	/* a 2xx without a To tag makes no dialog */
	struct dialog e;
	dialog_uac_init(&e, TL_STR("c2"), TL_STR("t"), TL_STR("sip:a@x"), TL_STR("sip:b@y"),
			TL_STR("sip:b@y"), 1);
	struct sip_msg no_tag = parse("SIP/2.0 200 OK\r\nVia: SIP/2.0/TCP x;branch=z9hG4bK-2\r\n"
				      "From: <sip:a@x>;tag=t\r\nTo: <sip:b@y>\r\nCall-ID: c2\r\n"
				      "CSeq: 1 INVITE\r\nContent-Length: 0\r\n\r\n");
	CU_ASSERT_EQUAL(dialog_uac_confirm(&e, &no_tag), -EBADMSG);
	CU_ASSERT_EQUAL(dialog_uac_early(&e, &no_tag), -EBADMSG);
}

/* A reliable 183 makes an early dialog: a PRACK goes to its Contact with its To tag,
 * and the dialog is confirmed only by the 2xx. */
static void test_uac_early(void)
{
	struct dialog d;
	dialog_uac_init(&d, TL_STR("c1@trunkload"), TL_STR("ours"), TL_STR("sip:1018@a.example.com"),
			TL_STR("sip:9898@b.example.com"), TL_STR("sip:9898@b.example.com;transport=tls"), 1);
	char text[sizeof(ok_200) + 32];
	snprintf(text, sizeof(text), "SIP/2.0 183 Session Progress%s", strstr(ok_200, "\r\n"));
	struct sip_msg m = parse(text);
	CU_ASSERT_EQUAL(dialog_uac_early(&d, &m), 0);
	CU_ASSERT_FALSE(d.confirmed);
	CU_ASSERT_STRING_EQUAL(d.remote_tag, "27995138~8b591a97");
	struct sip_request r = { 0 };
	struct tl_str routes[DIALOG_MAX_ROUTES];
	dialog_request(&d, &r, SIP_PRACK, 0, routes);
	CU_ASSERT(tl_str_eq(r.ruri, "sip:9898@10.0.0.2:5061;transport=tls"));
	CU_ASSERT(tl_str_eq(r.to_tag, "27995138~8b591a97"));
	CU_ASSERT_EQUAL(r.cseq, 2);
	CU_ASSERT_EQUAL(r.route_count, 3);
	m = parse(ok_200);
	CU_ASSERT_EQUAL(dialog_uac_confirm(&d, &m), 0);
	CU_ASSERT_TRUE(d.confirmed);
}

static const char invite[] =
	"INVITE sip:9898@10.0.0.2:5061;transport=tls SIP/2.0\r\n"
	"Via: SIP/2.0/TLS 10.0.0.1:5061;branch=z9hG4bK-in\r\n"
	"Record-Route: <sip:p1.example.com;lr>\r\n"
	"From: \"CUCM A\" <sip:1018@cucm-a.example.com>;tag=27995138~8b591a97-aa\r\n"
	"To: <sip:9898@cucm-b.example.com>\r\n"
	"Call-ID: abc@10.0.0.1\r\n"
	"CSeq: 101 INVITE\r\n"
	"Contact: <sip:1018@10.0.0.1:5061;transport=tls>\r\n"
	"Content-Length: 0\r\n\r\n";

static void test_uas(void)
{
	struct dialog d;
	struct sip_msg inv = parse(invite);
	CU_ASSERT_EQUAL_FATAL(dialog_uas_init(&d, &inv, TL_STR("uas1")), 0);
	CU_ASSERT_STRING_EQUAL(d.remote_uri, "sip:1018@cucm-a.example.com");
	CU_ASSERT_STRING_EQUAL(d.local_uri, "sip:9898@cucm-b.example.com");
	CU_ASSERT_STRING_EQUAL(d.target, "sip:1018@10.0.0.1:5061;transport=tls");
	CU_ASSERT_EQUAL(d.remote_cseq, 101);
	CU_ASSERT_EQUAL(d.n_routes, 1);
	/* the far end's requests in the dialog */
	static const struct {
		const char *method;
		const char *from_tag, *to_tag;
		unsigned cseq;
		enum dialog_check want;
	} cases[] = {
		{ "ACK", "27995138~8b591a97-aa", "uas1", 101, DIALOG_OK },
		{ "INVITE", "27995138~8b591a97-aa", "uas1", 102, DIALOG_OK },
		{ "INVITE", "27995138~8b591a97-aa", "uas1", 102, DIALOG_RETRANSMIT },
		{ "UPDATE", "27995138~8b591a97-aa", "uas1", 101, DIALOG_OUT_OF_ORDER },
		{ "BYE", "27995138~8b591a97-aa", "other", 103, DIALOG_NOT_OURS },
		{ "BYE", "someone-else", "uas1", 103, DIALOG_NOT_OURS },
		{ "BYE", "27995138~8b591a97-aa", "uas1", 200, DIALOG_OK },
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		char text[600];
		snprintf(text, sizeof(text),
			 "%s sip:9898@10.0.0.2:5061 SIP/2.0\r\nVia: SIP/2.0/TLS 10.0.0.1;branch=z9hG4bK-%zu\r\n"
			 "From: <sip:1018@cucm-a.example.com>;tag=%s\r\nTo: <sip:9898@cucm-b.example.com>;tag=%s\r\n"
			 "Call-ID: abc@10.0.0.1\r\nCSeq: %u %s\r\n%sContent-Length: 0\r\n\r\n",
			 cases[i].method, i, cases[i].from_tag, cases[i].to_tag, cases[i].cseq, cases[i].method,
			 i == 1 ? "Contact: <sip:1018@10.0.0.9:5061;transport=tls>\r\n" : "");
		struct sip_msg m = parse(text);
		CU_ASSERT_EQUAL(dialog_on_request(&d, &m), cases[i].want);
	}
	CU_ASSERT_STRING_EQUAL(d.target, "sip:1018@10.0.0.9:5061;transport=tls"); /* target refresh */
	CU_ASSERT_EQUAL(d.remote_cseq, 200);
	struct sip_request r = { 0 };
	struct tl_str routes[DIALOG_MAX_ROUTES];
	dialog_request(&d, &r, SIP_BYE, 0, routes);
	CU_ASSERT_EQUAL(r.cseq, 1); /* our own CSeq space */
	CU_ASSERT(tl_str_eq(r.from_tag, "uas1"));
	CU_ASSERT(tl_str_eq(r.to_tag, "27995138~8b591a97-aa"));
	CU_ASSERT(tl_str_eq(r.route[0], "<sip:p1.example.com;lr>"));
	/* an INVITE without a From tag cannot make a dialog */
	char no_tag[sizeof(invite)];
	memcpy(no_tag, invite, sizeof(invite));
	memcpy(strstr(no_tag, ";tag="), ";tog=", 5);
	struct sip_msg bad = parse(no_tag);
	CU_ASSERT_EQUAL(dialog_uas_init(&d, &bad, TL_STR("x")), -EBADMSG);
}

static void test_uri_of(void)
{
	CU_ASSERT(tl_str_eq(dialog_uri_of(TL_STR("\"A, B\" <sip:a@b;transport=tls>;tag=1")), "sip:a@b;transport=tls"));
	CU_ASSERT(tl_str_eq(dialog_uri_of(TL_STR("sip:a@b;tag=1")), "sip:a@b"));
	CU_ASSERT(tl_str_eq(dialog_uri_of(TL_STR("")), ""));
}

int main(void)
{
	static const struct tl_case cases[] = {
		{ "the caller's dialog: 2xx, route set, requests", test_uac },
		{ "an early dialog: a reliable 18x, its PRACK, then the 2xx", test_uac_early },
		{ "the responder's dialog: the far end's requests", test_uas },
		{ "the URI of a name-addr", test_uri_of },
	};
	return tl_run("dialog", TL_CASES(cases));
}
