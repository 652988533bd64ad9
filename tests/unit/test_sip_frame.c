/* sip_frame: a message trickled a byte at a time is looked at a bounded number of
 * times per byte; every truncated prefix asks for more; several messages and
 * keep-alives in one buffer come apart; oversized and malformed input is refused as
 * the parser refuses it. Inputs sit right before a PROT_NONE page where the cost of
 * copying allows, so that any over-read crashes. */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "guard.h"
#include "sip_frame.h"
#include "sip_parse.h"
#include "check.h"

#define MAX 65536
/* Bytes the framer may look at per byte fed: the search for the empty line, the
 * start line and the header block each handed once to the parser. */
#define MAX_EXAMINED_PER_BYTE 8


#define HEAD(method) \
	method " sip:9898@127.0.0.1:5061;transport=tls SIP/2.0\r\n" \
	"Via: SIP/2.0/TLS 127.0.0.1:40001;branch=z9hG4bK-1\r\n" \
	"Max-Forwards: 70\r\n" \
	"From: <sip:1018@127.0.0.1>;tag=a1\r\n" \
	"To: <sip:9898@127.0.0.1>\r\n" \
	"Call-ID: frame-1@127.0.0.1\r\n" \
	"CSeq: 1 " method "\r\n"

static const char invite[] = HEAD("INVITE")
	"Content-Type: application/sdp\r\n"
	"Content-Length: 12\r\n"
	"\r\n"
	"v=0\r\ns=-\r\nxx";
static const char options[] = HEAD("OPTIONS") "Content-Length: 0\r\n\r\n";
static const char folded[] = HEAD("BYE") "Subject: a\r\n b\r\n\tc\r\nl: 0\r\n\r\n";

/* A request of exactly len bytes (len <= MAX): many header lines, then a body. */
static char *big_message(size_t len, size_t body)
{
	char *m = malloc(len + 1);
	CU_ASSERT_FATAL(m != NULL);
	char tail[64];
	int tn = snprintf(tail, sizeof(tail), "Content-Length: %zu\r\n\r\n", body);
	size_t n = (size_t)snprintf(m, len + 1, "%s", HEAD("MESSAGE"));
	size_t pad = 75, fill_line = strlen("X-Fill: \r\n");
	for (unsigned i = 0; n + pad + fill_line + (size_t)tn + body <= len; i++)
		n += (size_t)snprintf(m + n, len + 1 - n, "X-Pad-%05u: %060u\r\n", i, i);
	/* one last header fills what is left to the exact length */
	size_t fill = len - n - (size_t)tn - body - fill_line;
	n += (size_t)snprintf(m + n, len + 1 - n, "X-Fill: ");
	memset(m + n, 'f', fill);
	n += fill;
	n += (size_t)snprintf(m + n, len + 1 - n, "\r\n%s", tail);
	memset(m + n, 'b', body);
	n += body;
	CU_ASSERT_FATAL(n == len);
	return m;
}

/* Feeds msg[0..k) for k = 1..len to one framer, as a stream delivers it: every call
 * before the last must ask for more, the last must return len. */
static void trickle(const char *name, const char *msg, size_t len, struct sip_frame *f)
{
	for (size_t k = 1; k <= len; k++) {
		int rc = sip_frame_next(f, msg, k, MAX);
		if (k < len && rc != -EAGAIN) {
			CHECK(false, "%s: %zu of %zu bytes: got %d, want -EAGAIN", name, k, len, rc);
			return;
		}
		if (k == len)
			CHECK(rc == (int)len, "%s: all %zu bytes: got %d", name, len, rc);
	}
	CHECK(!sip_frame_busy(f), "%s: ready for the next message", name);
}

static void test_trickled_64k_bounded_work(void)
{
	size_t len = MAX, body = 1000;
	char *msg = big_message(len, body);
	struct sip_frame f = { 0 };
	trickle("64 KiB", msg, len, &f);
	double per_byte = (double)f.examined / (double)len;
	printf("\n    64 KiB message fed a byte at a time: %llu bytes examined, %.2f per byte fed",
	       (unsigned long long)f.examined, per_byte);
	CHECK(f.examined <= MAX_EXAMINED_PER_BYTE * len, "%.2f bytes examined per byte fed (bound %d)",
	      per_byte, MAX_EXAMINED_PER_BYTE);
	struct sip_msg m;
	CHECK(sip_parse_msg(msg, len, MAX, &m) == (int)len && m.body.len == body,
	      "the framed message parses whole");
	/* the same message whole, in one call: one look */
	struct sip_frame once = { 0 };
	CHECK(sip_frame_next(&once, msg, len, MAX) == (int)len, "whole at once");
	CHECK(once.examined <= 4 * len, "whole at once: %llu bytes examined",
	      (unsigned long long)once.examined);
	free(msg);
}

/* Every prefix of each message, fresh framer and incremental one, against the guard. */
static void test_truncated_prefixes(void)
{
	static const struct {
		const char *name, *raw;
		size_t len;
	} msgs[] = {
		{ "INVITE with body", invite, sizeof(invite) - 1 },
		{ "OPTIONS", options, sizeof(options) - 1 },
		{ "folded headers, compact l", folded, sizeof(folded) - 1 },
	};
	struct guard g;
	guard_init(&g, MAX);
	for (size_t i = 0; i < sizeof(msgs) / sizeof(msgs[0]); i++) {
		size_t len = msgs[i].len;
		struct sip_frame inc = { 0 };
		for (size_t k = 1; k <= len; k++) {
			const char *p = guard_put(&g, msgs[i].raw, k);
			struct sip_frame fresh = { 0 };
			int want = k < len ? -EAGAIN : (int)len;
			int a = sip_frame_next(&fresh, p, k, MAX), b = sip_frame_next(&inc, p, k, MAX);
			CHECK(a == want && b == want, "%s: prefix %zu of %zu: fresh %d, fed on %d, want %d",
			      msgs[i].name, k, len, a, b, want);
		}
	}
	guard_free(&g);
}

/* Two messages, keep-alives before, between and after: framed one after the other,
 * each also when the buffer grows a byte at a time. */
static void test_several_messages_and_keepalives(void)
{
	char stream[4096];
	size_t n = 0;
	const struct {
		const char *p;
		size_t len;
	} parts[] = {
		{ "\r\n\r\n", 4 }, { invite, sizeof(invite) - 1 }, { "\r\n", 2 },
		{ options, sizeof(options) - 1 }, { "\n", 1 },
	};
	for (size_t i = 0; i < sizeof(parts) / sizeof(parts[0]); i++) {
		memcpy(stream + n, parts[i].p, parts[i].len);
		n += parts[i].len;
	}
	struct guard g;
	guard_init(&g, MAX);
	const char *p = guard_put(&g, stream, n);
	struct sip_frame f = { 0 };
	size_t off = 0;
	for (size_t i = 0; i < sizeof(parts) / sizeof(parts[0]); i++) {
		int rc = sip_frame_next(&f, p + off, n - off, MAX);
		CHECK(rc == (int)parts[i].len, "part %zu whole: got %d, want %zu", i, rc, parts[i].len);
		if (rc <= 0)
			break;
		struct sip_msg m;
		CHECK(sip_parse_msg(p + off, (size_t)rc, MAX, &m) == rc, "part %zu parses", i);
		off += (size_t)rc;
	}
	CHECK(sip_frame_next(&f, p + off, n - off, MAX) == -EAGAIN, "nothing left: -EAGAIN");
	/* a byte at a time: keep-alive bytes come back one by one, messages whole */
	struct sip_frame t = { 0 };
	size_t start = 0, got = 0;
	for (size_t k = 1; k <= n; k++) {
		int rc = sip_frame_next(&t, p + start, k - start, MAX);
		if (rc > 0) {
			start += (size_t)rc;
			got++;
		} else
			CHECK(rc == -EAGAIN, "byte %zu: got %d", k, rc);
	}
	CHECK(start == n, "a byte at a time: all %zu bytes framed (got %zu)", n, start);
	CHECK(got == 2 + 4 + 2 + 1, "4 + 2 + 1 keep-alive bytes and 2 messages (got %zu)", got);
	guard_free(&g);
}

/* The cap: a header block that never ends, and a body announced over it. */
static void test_over_the_cap(void)
{
	size_t cap = 4096;
	char *msg = big_message(cap + 200, 0);
	struct sip_frame f = { 0 };
	int rc = 0;
	size_t k;
	for (k = 1; k <= cap + 200 && (rc = sip_frame_next(&f, msg, k, cap)) == -EAGAIN; k++)
		;
	CHECK(rc == -EMSGSIZE && k == cap, "endless header block: -EMSGSIZE at the cap (%zu): got %d at %zu",
	      cap, rc, k);
	CHECK(!sip_frame_busy(&f), "ready for the next message after -EMSGSIZE");
	free(msg);

	char big_body[512];
	int n = snprintf(big_body, sizeof(big_body), "%sContent-Length: %zu\r\n\r\n", HEAD("MESSAGE"),
			 cap);
	struct sip_frame b = { 0 };
	CHECK(sip_frame_next(&b, big_body, (size_t)n, cap) == -EMSGSIZE,
	      "Content-Length over the cap: -EMSGSIZE once the header block is whole");
	struct sip_msg m;
	CHECK(sip_parse_msg(big_body, (size_t)n, cap, &m) == -EMSGSIZE, "the parser says so too");
}

/* Malformed input: refused as the parser refuses it, at the byte the parser can
 * tell (first byte, start line), or at the end of the header block. */
static void test_malformed(void)
{
	static const struct {
		const char *name, *raw;
		size_t decided_at; /* bytes fed when -EBADMSG comes a byte at a time */
	} bad[] = {
		{ "TLS ClientHello", "\x16\x03\x01\x02\x00", 1 },
		{ "HTTP request line", "GET / HTTP/1.1\r\nHost: x\r\n\r\n", 16 },
		{ "bare LF ends the start line", "OPTIONS sip:a SIP/2.0\nVia: x\r\n\r\n", 22 },
		{ "bare LF in a header", HEAD("OPTIONS") "X: y\nContent-Length: 0\r\n\r\n",
		  sizeof(HEAD("OPTIONS")) - 1 + 5 },
		{ "no Content-Length", HEAD("OPTIONS") "\r\n", sizeof(HEAD("OPTIONS")) - 1 + 2 },
		{ "CSeq method differs", "OPTIONS sip:a SIP/2.0\r\nVia: SIP/2.0/TCP h\r\nFrom: <a>\r\n"
		  "To: <b>\r\nCall-ID: c\r\nCSeq: 1 INVITE\r\nContent-Length: 0\r\n\r\n", 0 },
	};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		size_t len = strlen(bad[i].raw), want_at = bad[i].decided_at ? bad[i].decided_at : len;
		struct sip_msg m;
		struct sip_frame whole = { 0 }, t = { 0 };
		int p = sip_parse_msg(bad[i].raw, len, MAX, &m);
		int w = sip_frame_next(&whole, bad[i].raw, len, MAX);
		CHECK(p == -EBADMSG && w == -EBADMSG, "%s: parser %d, framer %d, want -EBADMSG", bad[i].name,
		      p, w);
		int rc = -EAGAIN;
		size_t k;
		for (k = 1; k <= len && (rc = sip_frame_next(&t, bad[i].raw, k, MAX)) == -EAGAIN; k++)
			;
		CHECK(rc == -EBADMSG && k == want_at, "%s: a byte at a time: %d at byte %zu, want -EBADMSG at %zu",
		      bad[i].name, rc, k, want_at);
		CHECK(!sip_frame_busy(&t), "%s: ready for the next message", bad[i].name);
	}
}

/* One framing of buf[0..len): whole in one call, and a byte at a time (the first
 * decision). Checked against the parser: a message it parses is framed to the same
 * length; when it wants more, so does the framer; when it refuses a malformed message,
 * the framer refuses it too, or may still want more, or finds its header block over
 * the cap (it reads header lines only when the block is whole). Fed a byte at a time,
 * the framer decides as when fed whole. */
static bool agrees(const char *buf, size_t len, size_t max, char *why, size_t cap)
{
	struct sip_msg m;
	struct sip_frame whole = { 0 }, t = { 0 };
	int p = sip_parse_msg(buf, len, max, &m);
	int w = sip_frame_next(&whole, buf, len, max);
	int inc = -EAGAIN;
	for (size_t k = 1; k <= len && inc == -EAGAIN; k++)
		inc = sip_frame_next(&t, buf, k, max);
	bool keepalive = len && (buf[0] == '\r' || buf[0] == '\n');
	bool ok = p == -EBADMSG ? (w == p || w == -EAGAIN || w == -EMSGSIZE) : w == p;
	ok = ok && (keepalive ? inc == 1 : inc == w);
	if (!ok)
		snprintf(why, cap, "parser %d, framer whole %d, a byte at a time %d", p, w, inc);
	return ok;
}

static void test_agrees_with_parser(void)
{
	static const char *const seeds[] = { invite, options, folded };
	static const char alphabet[] = "\r\n :;,\t\"<>Xl0";
	unsigned seed = 14;
	char buf[1024], why[160];
	unsigned bad = 0, runs = 20000, parsed = 0;
	for (unsigned r = 0; r < runs && bad < 5; r++) {
		const char *src = seeds[rand_r(&seed) % 3];
		size_t len = strlen(src);
		memcpy(buf, src, len);
		for (unsigned k = rand_r(&seed) % 4; k > 0; k--) { /* a few byte-level edits */
			size_t at = (size_t)rand_r(&seed) % len;
			char c = alphabet[rand_r(&seed) % (sizeof(alphabet) - 1)];
			switch (rand_r(&seed) % 3) {
			case 0:
				buf[at] = c;
				break;
			case 1:
				memmove(buf + at, buf + at + 1, len - at - 1);
				len--;
				break;
			default:
				if (len + 1 < sizeof(buf)) {
					memmove(buf + at + 1, buf + at, len - at);
					buf[at] = c;
					len++;
				}
			}
		}
		if (rand_r(&seed) % 4 == 0) /* a second message after it */
			for (const char *q = options; *q && len < sizeof(buf); q++)
				buf[len++] = *q;
		size_t max = rand_r(&seed) % 8 ? MAX : 64 + (size_t)rand_r(&seed) % 256;
		struct sip_msg m;
		parsed += sip_parse_msg(buf, len, max, &m) > 0;
		if (!agrees(buf, len, max, why, sizeof(why))) {
			bad++;
			CHECK(false, "run %u (%zu bytes, cap %zu): %s: \"%.*s\"", r, len, max, why, (int)len, buf);
		}
	}
	printf("\n    %u edited messages, %u of them parse", runs, parsed);
	CHECK(parsed > runs / 10 && parsed < runs, "the edits make both good and bad messages");
}

int main(void)
{
	static const struct tl_case cases[] = {
		{ "a 64 KiB message trickled a byte at a time: bounded work per byte",
		  test_trickled_64k_bounded_work },
		{ "every truncated prefix asks for more", test_truncated_prefixes },
		{ "several messages and keep-alives in one buffer", test_several_messages_and_keepalives },
		{ "a header block or a body over the cap", test_over_the_cap },
		{ "malformed input refused as the parser refuses it", test_malformed },
		{ "edited messages: framed as the parser parses them", test_agrees_with_parser },
	};
	return tl_run("sip_frame", TL_CASES(cases));
}
