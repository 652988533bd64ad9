/* SDP offer/answer: the exact body we build, answers shaped like real UAs'
 * and the verdict sdes_check_answer gives each, the answerer's choice, and
 * every truncated body against a guard page. */
#include "tl_test.h"
#include "sdp.h"
#include <errno.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#define KEY "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghij"
#define B30 "MDEyMzQ1Njc4OUFCQ0RFRkdISUpLTE1OT1BRUlNU"   /* KEY[0..30) */
#define B29 "MDEyMzQ1Njc4OUFCQ0RFRkdISUpLTE1OT1BRUlM="   /* one byte short */
#define B28 "MDEyMzQ1Njc4OUFCQ0RFRkdISUpLTE1OT1BRUg=="   /* KEY[0..28) */
#define ANS "WVNfX19zZW1jdGwgKCkgewkyMjA7fQp9CnVubGVz"   /* the far end's key */

/* Our offer: tag 1 AES_CM_128_HMAC_SHA1_80, tag 2 AES_CM_128_HMAC_SHA1_32 (2^31). */
static void make_offer(struct sdes_crypto c[2])
{
	memset(c, 0, 2 * sizeof(c[0]));
	c[0] = (struct sdes_crypto){ .tag = 1, .suite = SDES_AES_CM_128_HMAC_SHA1_80, .key_len = 30 };
	c[1] = (struct sdes_crypto){ .tag = 2, .suite = SDES_AES_CM_128_HMAC_SHA1_32, .key_len = 30,
				     .lifetime = (uint64_t)1 << 31 };
	memcpy(c[0].key, KEY, 30);
	memcpy(c[1].key, KEY, 30);
}

static const char offer_body[] =
	"v=0\r\n"
	"o=- 1700000000 1700000000 IN IP4 192.0.2.10\r\n"
	"s=trunkload\r\n"
	"c=IN IP4 192.0.2.10\r\n"
	"t=0 0\r\n"
	"m=audio 40000 RTP/SAVP 0 101\r\n"
	"a=rtpmap:0 PCMU/8000\r\n"
	"a=rtpmap:101 telephone-event/8000\r\n"
	"a=fmtp:101 0-15\r\n"
	"a=ptime:20\r\n"
	"a=crypto:1 AES_CM_128_HMAC_SHA1_80 inline:" B30 "\r\n"
	"a=crypto:2 AES_CM_128_HMAC_SHA1_32 inline:" B30 "|2^31\r\n"
	"a=sendrecv\r\n";

static void test_build_offer_exact(void)
{
	struct sdes_crypto c[2];
	make_offer(c);
	struct sdp_params p = { .addr = "192.0.2.10", .port = 40000, .session_id = 1700000000,
				.ptime_ms = 20, .crypto = c, .n_crypto = 2 };
	char buf[1024];
	int n = sdp_build(buf, sizeof(buf), &p);
	CU_ASSERT_EQUAL_FATAL(n, (int)strlen(offer_body));
	CU_ASSERT_EQUAL(memcmp(buf, offer_body, (size_t)n), 0);

	/* every cap below the need is -ENOSPC, the exact need succeeds */
	for (size_t cap = 0; cap < (size_t)n; cap++)
		CU_ASSERT_EQUAL(sdp_build(buf, cap, &p), -ENOSPC);
	CU_ASSERT_EQUAL(sdp_build(buf, (size_t)n, &p), n);
}

static void test_build_parse_back(void)
{
	struct sdes_crypto c[2];
	make_offer(c);
	struct sdp_params p = { .addr = "192.0.2.10", .port = 40000, .session_id = 7,
				.ptime_ms = 30, .crypto = c, .n_crypto = 2 };
	char buf[1024];
	int n = sdp_build(buf, sizeof(buf), &p);
	CU_ASSERT_FATAL(n > 0);
	struct sdp_audio a;
	CU_ASSERT_EQUAL_FATAL(sdp_parse(buf, (size_t)n, &a), 0);
	CU_ASSERT(tl_str_eq(a.addr, "192.0.2.10"));
	CU_ASSERT_EQUAL(a.port, 40000);
	CU_ASSERT(tl_str_eq(a.proto, "RTP/SAVP"));
	CU_ASSERT_EQUAL(a.n_payload_types, 2);
	CU_ASSERT_EQUAL(a.payload_types[0], 0);
	CU_ASSERT_EQUAL(a.payload_types[1], 101);
	CU_ASSERT_EQUAL(a.ptime_ms, 30);
	CU_ASSERT_EQUAL(a.n_crypto_lines, 2);
	CU_ASSERT_EQUAL(a.n_crypto_bad, 0);
	CU_ASSERT_EQUAL(a.n_crypto_unusable, 0);
	CU_ASSERT_EQUAL_FATAL(a.n_crypto, 2);
	for (int i = 0; i < 2; i++) {
		CU_ASSERT_EQUAL(a.crypto[i].tag, c[i].tag);
		CU_ASSERT_EQUAL(a.crypto[i].suite, c[i].suite);
		CU_ASSERT_EQUAL(a.crypto[i].lifetime, c[i].lifetime);
		CU_ASSERT_EQUAL(memcmp(a.crypto[i].key, c[i].key, 30), 0);
	}

	/* the answerer's side: one line echoing tag 2 with its own key */
	struct sdes_crypto ans = { .tag = 2, .suite = SDES_AES_CM_128_HMAC_SHA1_32, .key_len = 30 };
	memcpy(ans.key, "answer-key-answer-key-answer-k", 30);
	struct sdp_params ap = { .addr = "198.51.100.7", .port = 50000, .session_id = 9,
				 .crypto = &ans, .n_crypto = 1 };
	n = sdp_build(buf, sizeof(buf), &ap);
	CU_ASSERT_FATAL(n > 0);
	CU_ASSERT_PTR_NULL(memmem(buf, (size_t)n, "a=ptime", 7)); /* ptime 0: omitted */
	CU_ASSERT_EQUAL_FATAL(sdp_parse(buf, (size_t)n, &a), 0);
	unsigned chosen = 99;
	const char *reason = NULL;
	CU_ASSERT_EQUAL(sdes_check_answer(c, 2, &a, &chosen, &reason), 0);
	CU_ASSERT_EQUAL(chosen, 1);
	CU_ASSERT_EQUAL(memcmp(a.crypto[0].key, ans.key, 30), 0);

	/* a rejection: port 0, no crypto */
	struct sdp_params rp = { .addr = "198.51.100.7", .port = 0, .session_id = 9 };
	n = sdp_build(buf, sizeof(buf), &rp);
	CU_ASSERT_FATAL(n > 0);
	CU_ASSERT_PTR_NOT_NULL(memmem(buf, (size_t)n, "m=audio 0 RTP/SAVP 0 101\r\n", 26));
	CU_ASSERT_EQUAL_FATAL(sdp_parse(buf, (size_t)n, &a), 0);
	CU_ASSERT_EQUAL(sdes_check_answer(c, 2, &a, &chosen, &reason), -EPROTO);
	CU_ASSERT_STRING_EQUAL(reason, "sdp_port_zero");

	/* IPv6: the address type follows the address, in o= and c= */
	struct sdp_params p6 = { .addr = "2001:db8::a", .port = 40002, .session_id = 7,
				 .crypto = c, .n_crypto = 1 };
	n = sdp_build(buf, sizeof(buf), &p6);
	CU_ASSERT_FATAL(n > 0);
	CU_ASSERT_PTR_NOT_NULL(memmem(buf, (size_t)n, " 7 7 IN IP6 2001:db8::a\r\n", 25));
	CU_ASSERT_PTR_NOT_NULL(memmem(buf, (size_t)n, "\r\nc=IN IP6 2001:db8::a\r\n", 24));
	CU_ASSERT_PTR_NULL(memmem(buf, (size_t)n, "IP4", 3));
	CU_ASSERT_EQUAL_FATAL(sdp_parse(buf, (size_t)n, &a), 0);
	CU_ASSERT(tl_str_eq(a.addr, "2001:db8::a"));
	CU_ASSERT_EQUAL(a.port, 40002);
}

static void test_build_invalid(void)
{
	struct sdes_crypto c[2];
	make_offer(c);
	char buf[1024];
	static const char *bad_addr[] = { NULL, "", "192.0.2.1\r\na=evil", "192.0.2.1 x", "host", "face",
					  "::1 x", "fe80::1%lo" };
	for (size_t i = 0; i < sizeof(bad_addr) / sizeof(bad_addr[0]); i++) {
		struct sdp_params p = { .addr = bad_addr[i], .port = 1 };
		CU_ASSERT_EQUAL(sdp_build(buf, sizeof(buf), &p), -EINVAL);
	}
	struct sdp_params p = { .addr = "192.0.2.1", .port = 1, .crypto = NULL, .n_crypto = 1 };
	CU_ASSERT_EQUAL(sdp_build(buf, sizeof(buf), &p), -EINVAL);
	c[1].key_len = 29; /* does not fit the suite */
	p.crypto = c;
	p.n_crypto = 2;
	CU_ASSERT_EQUAL(sdp_build(buf, sizeof(buf), &p), -EINVAL);
}

/* Answers as various UAs write them, and what we make of each. */
struct answer_case {
	const char *name, *body;
	const char *reason; /* NULL: accepted */
	unsigned chosen;
	const char *addr;
	uint16_t port;
	const char *proto;
	unsigned lines, bad, unusable;
};

#define SESSION(addr) "v=0\r\no=- 1 2 IN IP4 " addr "\r\ns=-\r\nc=IN IP4 " addr "\r\nt=0 0\r\n"

static const struct answer_case answers[] = {
	{ "asterisk style",
	  "v=0\r\n"
	  "o=- 1234 1236 IN IP4 203.0.113.5\r\n"
	  "s=Asterisk\r\n"
	  "c=IN IP4 203.0.113.5\r\n"
	  "t=0 0\r\n"
	  "m=audio 17170 RTP/SAVP 0 101\r\n"
	  "a=rtpmap:0 PCMU/8000\r\n"
	  "a=rtpmap:101 telephone-event/8000\r\n"
	  "a=fmtp:101 0-16\r\n"
	  "a=ptime:20\r\n"
	  "a=maxptime:150\r\n"
	  "a=sendrecv\r\n"
	  "a=crypto:1 AES_CM_128_HMAC_SHA1_80 inline:" ANS "\r\n",
	  NULL, 0, "203.0.113.5", 17170, "RTP/SAVP", 1, 0, 0 },
	{ "cisco style, media c= wins",
	  "v=0\r\n"
	  "o=CiscoSystemsCCM-SIP 2000 1 IN IP4 198.51.100.1\r\n"
	  "s=SIP Call\r\n"
	  "c=IN IP4 198.51.100.1\r\n"
	  "b=AS:80\r\n"
	  "t=0 0\r\n"
	  "m=audio 24580 RTP/SAVP 0 101\r\n"
	  "c=IN IP4 198.51.100.77\r\n"
	  "b=TIAS:64000\r\n"
	  "a=rtpmap:0 PCMU/8000\r\n"
	  "a=ptime:20\r\n"
	  "a=rtpmap:101 telephone-event/8000\r\n"
	  "a=fmtp:101 0-15\r\n"
	  "a=crypto:2 AES_CM_128_HMAC_SHA1_32 inline:" ANS "|2^31\r\n",
	  NULL, 1, "198.51.100.77", 24580, "RTP/SAVP", 1, 0, 0 },
	{ "plain RTP/AVP answer",
	  SESSION("192.0.2.50") "m=audio 30000 RTP/AVP 0\r\na=rtpmap:0 PCMU/8000\r\n",
	  "sdp_not_savp", 0, "192.0.2.50", 30000, "RTP/AVP", 0, 0, 0 },
	{ "stream rejected with port 0",
	  SESSION("192.0.2.50") "m=audio 0 RTP/SAVP 0\r\n",
	  "sdp_port_zero", 0, "192.0.2.50", 0, "RTP/SAVP", 0, 0, 0 },
	{ "SAVP without crypto",
	  SESSION("192.0.2.50") "m=audio 30000 RTP/SAVP 0\r\n",
	  "sdp_no_crypto", 0, "192.0.2.50", 30000, "RTP/SAVP", 0, 0, 0 },
	{ "answer echoes both offered lines",
	  SESSION("192.0.2.50") "m=audio 30000 RTP/SAVP 0\r\n"
	  "a=crypto:1 AES_CM_128_HMAC_SHA1_80 inline:" ANS "\r\n"
	  "a=crypto:2 AES_CM_128_HMAC_SHA1_32 inline:" ANS "\r\n",
	  "sdp_many_crypto", 0, "192.0.2.50", 30000, "RTP/SAVP", 2, 0, 0 },
	{ "key one byte short",
	  SESSION("192.0.2.50") "m=audio 30000 RTP/SAVP 0\r\n"
	  "a=crypto:1 AES_CM_128_HMAC_SHA1_80 inline:" B29 "\r\n",
	  "sdp_bad_crypto", 0, "192.0.2.50", 30000, "RTP/SAVP", 1, 1, 0 },
	{ "unknown mandatory session parameter",
	  SESSION("192.0.2.50") "m=audio 30000 RTP/SAVP 0\r\n"
	  "a=crypto:1 AES_CM_128_HMAC_SHA1_80 inline:" ANS " FOO_BAR\r\n",
	  "sdp_bad_crypto", 0, "192.0.2.50", 30000, "RTP/SAVP", 1, 0, 1 },
	{ "tag that was not offered",
	  SESSION("192.0.2.50") "m=audio 30000 RTP/SAVP 0\r\n"
	  "a=crypto:3 AES_CM_128_HMAC_SHA1_80 inline:" ANS "\r\n",
	  "sdp_tag_not_offered", 0, "192.0.2.50", 30000, "RTP/SAVP", 1, 0, 0 },
	{ "offered tag with another suite",
	  SESSION("192.0.2.50") "m=audio 30000 RTP/SAVP 0\r\n"
	  "a=crypto:1 AES_CM_128_HMAC_SHA1_32 inline:" ANS "\r\n",
	  "sdp_suite_mismatch", 0, "192.0.2.50", 30000, "RTP/SAVP", 1, 0, 0 },
	{ "offered tag, unknown suite",
	  SESSION("192.0.2.50") "m=audio 30000 RTP/SAVP 0\r\n"
	  "a=crypto:1 AEAD_AES_192_GCM inline:" B28 "\r\n",
	  "sdp_bad_crypto", 0, "192.0.2.50", 30000, "RTP/SAVP", 1, 0, 1 },
	{ "answer adds UNENCRYPTED_SRTCP",
	  SESSION("192.0.2.50") "m=audio 30000 RTP/SAVP 0\r\n"
	  "a=crypto:1 AES_CM_128_HMAC_SHA1_80 inline:" ANS " UNENCRYPTED_SRTCP\r\n",
	  "sdp_bad_crypto", 0, "192.0.2.50", 30000, "RTP/SAVP", 1, 0, 0 },
	{ "bare LF line ends, no final line end, trailing blanks",
	  "v=0\no=- 1 1 IN IP4 192.0.2.9\ns=-\nc=IN IP4 192.0.2.9/127\nt=0 0\n"
	  "m=audio 30002/2 RTP/SAVP 0 8 101\na=ptime:40 \n"
	  "a=crypto:1 AES_CM_128_HMAC_SHA1_80 inline:" ANS "  ",
	  NULL, 0, "192.0.2.9", 30002, "RTP/SAVP", 1, 0, 0 },
	{ "video first, its c= and crypto ignored",
	  SESSION("192.0.2.50")
	  "m=video 40000 RTP/SAVP 96\r\n"
	  "c=IN IP4 192.0.2.99\r\n"
	  "a=crypto:1 AES_CM_128_HMAC_SHA1_32 inline:" ANS "\r\n"
	  "a=crypto:2 AES_CM_128_HMAC_SHA1_32 inline:" ANS "\r\n"
	  "m=audio 30000 RTP/SAVP 0\r\n"
	  "a=crypto:1 AES_CM_128_HMAC_SHA1_80 inline:" ANS "\r\n",
	  NULL, 0, "192.0.2.50", 30000, "RTP/SAVP", 1, 0, 0 },
	{ "later sections ignored",
	  SESSION("192.0.2.50")
	  "m=audio 30000 RTP/SAVP 0\r\n"
	  "a=crypto:2 AES_CM_128_HMAC_SHA1_32 inline:" ANS "\r\n"
	  "m=audio 30010 RTP/AVP 0\r\n"
	  "c=IN IP4 192.0.2.99\r\n"
	  "a=crypto:1 AES_CM_128_HMAC_SHA1_80 inline:" ANS "\r\n"
	  "m=video 40000 RTP/SAVP 96\r\n"
	  "a=crypto:1 AES_CM_128_HMAC_SHA1_80 inline:" B29 "\r\n"
	  "a=ptime:60\r\n",
	  NULL, 1, "192.0.2.50", 30000, "RTP/SAVP", 1, 0, 0 },
	{ "IPv6 connection, session-level crypto ignored",
	  "v=0\r\no=- 1 1 IN IP6 2001:db8::5\r\ns=-\r\nc=IN IP6 2001:db8::5\r\nt=0 0\r\n"
	  "a=crypto:9 AES_CM_128_HMAC_SHA1_80 inline:" ANS "\r\n"
	  "m=audio 30000 RTP/SAVP 0\r\n"
	  "a=crypto:1 AES_CM_128_HMAC_SHA1_80 inline:" ANS "\r\n",
	  NULL, 0, "2001:db8::5", 30000, "RTP/SAVP", 1, 0, 0 },
};
#define N_ANSWERS (sizeof(answers) / sizeof(answers[0]))

static const struct answer_case *answer_named(const char *name)
{
	for (size_t i = 0; i < N_ANSWERS; i++)
		if (strcmp(answers[i].name, name) == 0)
			return &answers[i];
	CU_FAIL_FATAL("no such answer case");
	return NULL;
}

static void test_answers(void)
{
	struct sdes_crypto offered[2];
	make_offer(offered);
	for (size_t i = 0; i < N_ANSWERS; i++) {
		const struct answer_case *t = &answers[i];
		struct sdp_audio a;
		int r = sdp_parse(t->body, strlen(t->body), &a);
		if (r != 0)
			fprintf(stderr, "\n  %s: sdp_parse %d\n", t->name, r);
		CU_ASSERT_EQUAL_FATAL(r, 0);
		CU_ASSERT(tl_str_eq(a.addr, t->addr));
		CU_ASSERT_EQUAL(a.port, t->port);
		CU_ASSERT(tl_str_eq(a.proto, t->proto));
		CU_ASSERT_EQUAL(a.n_crypto_lines, t->lines);
		CU_ASSERT_EQUAL(a.n_crypto_bad, t->bad);
		CU_ASSERT_EQUAL(a.n_crypto_unusable, t->unusable);
		CU_ASSERT_EQUAL(a.n_crypto, t->lines - t->bad - t->unusable);

		unsigned chosen = 99;
		const char *reason = NULL;
		r = sdes_check_answer(offered, 2, &a, &chosen, &reason);
		if (t->reason) {
			CU_ASSERT(r < 0);
			CU_ASSERT_EQUAL(chosen, 99); /* untouched on failure */
			CU_ASSERT_PTR_NOT_NULL_FATAL(reason);
			if (strcmp(reason, t->reason) != 0)
				fprintf(stderr, "\n  %s: reason %s\n", t->name, reason);
			CU_ASSERT_STRING_EQUAL(reason, t->reason);
		} else {
			if (r != 0)
				fprintf(stderr, "\n  %s: check %d %s\n", t->name, r, reason);
			CU_ASSERT_EQUAL(r, 0);
			CU_ASSERT_EQUAL(chosen, t->chosen);
			CU_ASSERT_EQUAL(memcmp(a.crypto[0].key, "YS___semctl", 11), 0);
		}
	}
}

static void test_answer_details(void)
{
	struct sdp_audio a;
	/* bare LF case: ptime with trailing blank, three payload types, /2 port count */
	const struct answer_case *lf =
		answer_named("bare LF line ends, no final line end, trailing blanks");
	CU_ASSERT_EQUAL_FATAL(sdp_parse(lf->body, strlen(lf->body), &a), 0);
	CU_ASSERT_EQUAL(a.ptime_ms, 40);
	CU_ASSERT_EQUAL(a.n_payload_types, 3);
	CU_ASSERT_EQUAL(a.payload_types[2], 101);
	/* later sections: their ptime does not leak into the audio section */
	const struct answer_case *later = answer_named("later sections ignored");
	CU_ASSERT_EQUAL_FATAL(sdp_parse(later->body, strlen(later->body), &a), 0);
	CU_ASSERT_EQUAL(a.ptime_ms, 0);
	CU_ASSERT_EQUAL(a.crypto[0].tag, 2);
	/* no connection line at all: empty address, not a crash */
	static const char noc[] = "v=0\r\nm=audio 5 RTP/SAVP 0\r\n";
	CU_ASSERT_EQUAL_FATAL(sdp_parse(noc, strlen(noc), &a), 0);
	CU_ASSERT_EQUAL(a.addr.len, 0);
	CU_ASSERT_EQUAL(a.n_payload_types, 1);
	CU_ASSERT_EQUAL(a.te_pt, -1);
	/* telephone-event's number, whatever its case; other rtpmaps and a wrong rate are not it */
	const struct answer_case *cisco = answer_named("cisco style, media c= wins");
	CU_ASSERT_EQUAL_FATAL(sdp_parse(cisco->body, strlen(cisco->body), &a), 0);
	CU_ASSERT_EQUAL(a.te_pt, 101);
	static const char te96[] = "v=0\r\nm=audio 5 RTP/SAVP 8 96 97\r\na=rtpmap:8 PCMA/8000\r\n"
				   "a=rtpmap:97 telephone-event/48000\r\n"
				   "a=rtpmap:96 Telephone-Event/8000/1\r\n";
	CU_ASSERT_EQUAL_FATAL(sdp_parse(te96, strlen(te96), &a), 0);
	CU_ASSERT_EQUAL(a.te_pt, 96);
	/* built with another number, or none */
	char body[1024];
	static const uint8_t pcma[] = { 8 };
	struct sdp_params p = { .addr = "192.0.2.1", .port = 4000, .session_id = 7, .pts = pcma,
				.n_pts = 1, .te_pt = 96 };
	CU_ASSERT_FATAL(sdp_build(body, sizeof(body), &p) > 0);
	CU_ASSERT_PTR_NOT_NULL(strstr(body, "m=audio 4000 RTP/SAVP 8 96\r\n"));
	CU_ASSERT_PTR_NOT_NULL(strstr(body, "a=rtpmap:96 telephone-event/8000\r\na=fmtp:96 0-15\r\n"));
	p.te_pt = -1;
	memset(body, 0, sizeof(body));
	CU_ASSERT_FATAL(sdp_build(body, sizeof(body), &p) > 0);
	CU_ASSERT_PTR_NOT_NULL(strstr(body, "m=audio 4000 RTP/SAVP 8\r\n"));
	CU_ASSERT_PTR_NULL(strstr(body, "telephone-event"));
}

static void test_parse_invalid(void)
{
	static const char *bad[] = {
		"",
		"\r\n\r\n",
		"v=0\r\n",
		"v=1\r\nm=audio 5 RTP/SAVP 0\r\n",
		"v=00\r\nm=audio 5 RTP/SAVP 0\r\n",
		"o=- 1 1 IN IP4 1.2.3.4\r\nv=0\r\nm=audio 5 RTP/SAVP 0\r\n",
		"v=0\r\nhello\r\nm=audio 5 RTP/SAVP 0\r\n",
		"v=0\r\nm=audio 5 RTP/SAVP 0\r\nx\r\n",
		"v=0\r\nm=audio 5 RTP/SAVP 0\r\n=a\r\n",
		"v=0\r\nm=video 5 RTP/SAVP 96\r\n",
		"v=0\r\nm=audiox 5 RTP/SAVP 0\r\n",
		"v=0\r\nm=audio 70000 RTP/SAVP 0\r\n",
		"v=0\r\nm=audio x RTP/SAVP 0\r\n",
		"v=0\r\nm=audio 5000\r\n",
		"v=0\r\nm=audio\r\n",
		"v=0\r\nm=audio 5000 RTP/SAVP 0 abc\r\n",
		"v=0\r\nm=audio 5000 RTP/SAVP 128\r\n",
		"v=0\r\nc=IN IP4\r\nm=audio 5 RTP/SAVP 0\r\n",
		"v=0\r\nm=audio 5 RTP/SAVP 0\r\nc=IN IP4 /24\r\n",
		"HTTP/1.1 200 OK\r\n\r\n",
	};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		struct sdp_audio a, before;
		memset(&a, 0x5a, sizeof(a));
		before = a;
		int r = sdp_parse(bad[i], strlen(bad[i]), &a);
		if (r != -EBADMSG)
			fprintf(stderr, "\n  case %zu: got %d\n", i, r);
		CU_ASSERT_EQUAL(r, -EBADMSG);
		CU_ASSERT_EQUAL(memcmp(&a, &before, sizeof(a)), 0);
	}
}

static const char counting_body[] =
	SESSION("192.0.2.50")
	"m=audio 30000 RTP/SAVP 0\r\n"
	"a=crypto:1 AES_CM_128_HMAC_SHA1_80 inline:" B30 "\r\n"            /* usable */
	"a=crypto:2 AES_CM_128_HMAC_SHA1_80 inline:" B30 "!\r\n"           /* bad base64 */
	"a=crypto:3 F8_128_HMAC_SHA1_80 inline:" B30 "\r\n"                /* unknown suite */
	"a=crypto:4 AES_CM_128_HMAC_SHA1_80 inline:" B30 " FEC_KEY=inline:" B30 "\r\n"
	"a=crypto:5 AES_CM_128_HMAC_SHA1_32 inline:" B30 " FUTURE\r\n"     /* unknown param */
	"a=crypto:6 AEAD_AES_128_GCM inline:" B28 "\r\n"                   /* usable */
	"a=crypto:7 AES_CM_128_HMAC_SHA1_32 inline:" B30 "\r\n"            /* usable */
	"a=crypto:\r\n";                                                  /* bad */

static void test_crypto_counting(void)
{
	struct sdp_audio a;
	CU_ASSERT_EQUAL_FATAL(sdp_parse(counting_body, strlen(counting_body), &a), 0);
	CU_ASSERT_EQUAL(a.n_crypto_lines, 8);
	CU_ASSERT_EQUAL(a.n_crypto_bad, 2);
	CU_ASSERT_EQUAL(a.n_crypto_unusable, 3);
	CU_ASSERT_EQUAL_FATAL(a.n_crypto, 3);
	CU_ASSERT_EQUAL(a.crypto[0].tag, 1);
	CU_ASSERT_EQUAL(a.crypto[1].tag, 6);
	CU_ASSERT_EQUAL(a.crypto[2].tag, 7);

	/* more usable lines than SDP_MAX_CRYPTO: the first ones are kept, all counted;
	 * more payload types than fit: the first 16 are kept */
	char body[4096];
	size_t n = (size_t)snprintf(body, sizeof(body), SESSION("192.0.2.50") "m=audio 30000 RTP/SAVP");
	for (int pt = 0; pt < 20; pt++)
		n += (size_t)snprintf(body + n, sizeof(body) - n, " %d", pt + 96);
	n += (size_t)snprintf(body + n, sizeof(body) - n, "\r\n");
	for (int tag = 1; tag <= SDP_MAX_CRYPTO + 2; tag++)
		n += (size_t)snprintf(body + n, sizeof(body) - n,
				      "a=crypto:%d AES_CM_128_HMAC_SHA1_80 inline:" B30 "\r\n", tag);
	CU_ASSERT_FATAL(n < sizeof(body));
	CU_ASSERT_EQUAL_FATAL(sdp_parse(body, n, &a), 0);
	CU_ASSERT_EQUAL(a.n_crypto_lines, SDP_MAX_CRYPTO + 2);
	CU_ASSERT_EQUAL(a.n_crypto, SDP_MAX_CRYPTO);
	CU_ASSERT_EQUAL(a.crypto[SDP_MAX_CRYPTO - 1].tag, SDP_MAX_CRYPTO);
	CU_ASSERT_EQUAL(a.n_payload_types, 16);
	CU_ASSERT_EQUAL(a.payload_types[15], 111);
}

static void test_choose(void)
{
	/* usable lines in offer order: tag 1 _80, tag 6 GCM-128, tag 7 _32 */
	struct sdp_audio offer;
	CU_ASSERT_EQUAL_FATAL(sdp_parse(counting_body, strlen(counting_body), &offer), 0);
	static const struct {
		enum sdes_suite accept[3];
		unsigned n;
		int want;
	} t[] = {
		{ { SDES_AES_CM_128_HMAC_SHA1_80 }, 1, 0 },
		{ { SDES_AES_CM_128_HMAC_SHA1_32 }, 1, 2 },
		{ { SDES_AEAD_AES_128_GCM }, 1, 1 },
		/* the offer's order decides, not the accept list's */
		{ { SDES_AES_CM_128_HMAC_SHA1_32, SDES_AEAD_AES_128_GCM }, 2, 1 },
		{ { SDES_AEAD_AES_256_GCM, SDES_AES_CM_128_HMAC_SHA1_32, SDES_AES_CM_128_HMAC_SHA1_80 }, 3, 0 },
		{ { SDES_AEAD_AES_256_GCM, SDES_AES_256_CM_HMAC_SHA1_80 }, 2, -ENOENT },
		{ { SDES_AES_CM_128_HMAC_SHA1_80 }, 0, -ENOENT }, /* empty accept list */
	};
	for (size_t i = 0; i < sizeof(t) / sizeof(t[0]); i++)
		CU_ASSERT_EQUAL(sdes_choose(&offer, t[i].accept, t[i].n), t[i].want);

	/* an offer whose only lines are unusable: nothing to choose */
	struct sdp_audio none;
	const char *body = answer_named("unknown mandatory session parameter")->body;
	CU_ASSERT_EQUAL_FATAL(sdp_parse(body, strlen(body), &none), 0);
	enum sdes_suite all[] = { SDES_AES_CM_128_HMAC_SHA1_80, SDES_AES_CM_128_HMAC_SHA1_32 };
	CU_ASSERT_EQUAL(sdes_choose(&none, all, 2), -ENOENT);
}

/* Every prefix of every body, ending right at a PROT_NONE page. */
static void test_prefixes_guard_page(void)
{
	long pg = sysconf(_SC_PAGESIZE);
	size_t span = (size_t)pg * 2;
	char *mem = mmap(NULL, span + (size_t)pg, PROT_READ | PROT_WRITE,
			 MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	CU_ASSERT_FATAL(mem != MAP_FAILED);
	char *guard = mem + span;
	CU_ASSERT_FATAL(mprotect(guard, (size_t)pg, PROT_NONE) == 0);

	const char *bodies[N_ANSWERS + 2];
	for (size_t i = 0; i < N_ANSWERS; i++)
		bodies[i] = answers[i].body;
	bodies[N_ANSWERS] = offer_body;
	bodies[N_ANSWERS + 1] = counting_body;
	unsigned parsed_full = 0;
	for (size_t i = 0; i < N_ANSWERS + 2; i++) {
		size_t len = strlen(bodies[i]);
		CU_ASSERT_FATAL(len <= span);
		for (size_t k = 0; k <= len; k++) {
			memcpy(guard - k, bodies[i], k);
			struct sdp_audio a;
			int r = sdp_parse(guard - k, k, &a);
			CU_ASSERT(r == 0 || r == -EBADMSG);
			if (r == 0) {
				CU_ASSERT(a.n_crypto <= SDP_MAX_CRYPTO);
				CU_ASSERT(a.n_crypto + a.n_crypto_bad + a.n_crypto_unusable <=
					  a.n_crypto_lines);
			}
			if (k == len && r == 0)
				parsed_full++;
		}
	}
	CU_ASSERT_EQUAL(parsed_full, N_ANSWERS + 2);
	munmap(mem, span + (size_t)pg);
}

/* a=ssrc (RFC 5576): ours written before the direction with a cname, the far end's first
 * one read (with whatever attribute follows), a bad one ignored. */
static void test_ssrc(void)
{
	struct sdes_crypto c[2];
	make_offer(c);
	struct sdp_params p = { .addr = "192.0.2.10", .port = 40000, .session_id = 7, .crypto = c,
				.n_crypto = 1, .has_ssrc = true, .ssrc = 4294967295u };
	char buf[1024];
	int n = sdp_build(buf, sizeof(buf), &p);
	CU_ASSERT_FATAL(n > 0);
	static const char line[] = "\r\na=ssrc:4294967295 cname:trunkload\r\na=sendrecv\r\n";
	CU_ASSERT_PTR_NOT_NULL(memmem(buf, (size_t)n, line, sizeof(line) - 1));
	struct sdp_audio a;
	CU_ASSERT_EQUAL_FATAL(sdp_parse(buf, (size_t)n, &a), 0);
	CU_ASSERT(a.has_ssrc);
	CU_ASSERT_EQUAL(a.ssrc, 4294967295u);
	p.has_ssrc = false; /* none unless asked */
	n = sdp_build(buf, sizeof(buf), &p);
	CU_ASSERT_PTR_NULL(memmem(buf, (size_t)n, "a=ssrc", 6));
	CU_ASSERT_EQUAL_FATAL(sdp_parse(buf, (size_t)n, &a), 0);
	CU_ASSERT(!a.has_ssrc);

	static const char two[] = "v=0\r\nc=IN IP4 192.0.2.1\r\nm=audio 4000 RTP/SAVP 0\r\n"
				  "a=ssrc:12345 msid:x y\r\na=ssrc:12345 cname:abc\r\na=ssrc:999 cname:def\r\n";
	CU_ASSERT_EQUAL_FATAL(sdp_parse(two, sizeof(two) - 1, &a), 0);
	CU_ASSERT(a.has_ssrc && a.ssrc == 12345);
	static const char bad[] = "v=0\r\nc=IN IP4 192.0.2.1\r\nm=audio 4000 RTP/SAVP 0\r\n"
				  "a=ssrc:4294967296 cname:x\r\na=ssrc:12x cname:y\r\n";
	CU_ASSERT_EQUAL_FATAL(sdp_parse(bad, sizeof(bad) - 1, &a), 0);
	CU_ASSERT(!a.has_ssrc);
}

static const struct tl_case cases[] = {
	{ "ssrc", test_ssrc },
	{ "build offer: exact body and -ENOSPC", test_build_offer_exact },
	{ "build then parse back, answer, rejection", test_build_parse_back },
	{ "build rejects bad input", test_build_invalid },
	{ "answers from real-looking UAs", test_answers },
	{ "answer details: ptime, payload types, no c=", test_answer_details },
	{ "not SDP / no audio / malformed m= or c=", test_parse_invalid },
	{ "crypto lines counted good/bad/unusable", test_crypto_counting },
	{ "answerer's choice", test_choose },
	{ "every prefix against a guard page", test_prefixes_guard_page },
};

int main(void)
{
	return tl_run("sdp", TL_CASES(cases));
}
