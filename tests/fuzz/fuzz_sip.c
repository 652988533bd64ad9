/* libFuzzer target: the SIP stream framer and parser (engine/sip_parse.c).
 *
 * The input is a TCP/TLS byte stream. It is framed message after message until
 * "need more" or an error, once with a large max_size and once with a small one
 * taken from the input. Every returned message is checked against the header's
 * contract (slices inside the message, body at its end, length within max_size).
 * The same stream is then delivered in chunks (a split point and a chunk size
 * taken from the input), each parse seeing a copy that ends exactly where the
 * received bytes end, so reading past them is an ASan error: framing must not
 * depend on how the bytes arrived. */
#include "fuzz.h"
#include "sip_parse.h"
#include <errno.h>
#include <string.h>
#include <strings.h>

#define BIG_MAX 65536
#define MAX_DELIVERIES 64

struct frame {
	size_t off;
	int len;
};

struct framing {
	struct frame *f; /* non-keep-alive messages, in order */
	size_t n;
	int end; /* the result that stopped framing: -EAGAIN, -EBADMSG, -EMSGSIZE */
};

static void check_msg(const char *buf, int rc, size_t max_size, const struct sip_msg *m)
{
	size_t n = (size_t)rc;

	if (m->kind == SIP_KIND_KEEPALIVE) {
		for (size_t i = 0; i < n; i++)
			FUZZ_CHECK(buf[i] == '\r' || buf[i] == '\n');
		return;
	}
	FUZZ_CHECK(m->kind == SIP_KIND_REQUEST || m->kind == SIP_KIND_RESPONSE);
	FUZZ_CHECK(n <= max_size);
	const struct tl_str s[] = {
		m->method_name, m->ruri, m->reason, m->branch, m->from, m->from_tag,
		m->to, m->to_tag, m->call_id, m->contact, m->content_type,
		m->cseq_method_name, m->body,
	};
	for (size_t i = 0; i < sizeof(s) / sizeof(s[0]); i++)
		FUZZ_CHECK(fuzz_inside(s[i], buf, n));
	for (unsigned i = 0; i < m->via_count && i < SIP_MAX_VIA; i++)
		FUZZ_CHECK(fuzz_inside(m->via[i], buf, n));
	for (unsigned i = 0; i < m->record_route_count && i < SIP_MAX_RR; i++)
		FUZZ_CHECK(fuzz_inside(m->record_route[i], buf, n));
	FUZZ_CHECK(m->via_count >= 1 && m->from.p && m->to.p && m->call_id.p);

	/* The body is the last content_length bytes of the message. */
	FUZZ_CHECK(m->body.len == m->content_length && m->content_length <= n);
	if (m->body.len)
		FUZZ_CHECK(m->body.p == buf + n - m->body.len);

	if (m->kind == SIP_KIND_REQUEST) {
		FUZZ_CHECK(m->method_name.len > 0 && m->ruri.len > 0);
		FUZZ_CHECK(m->method == sip_method_from_name(m->method_name.p, m->method_name.len));
		const char *name = sip_method_name(m->method);
		FUZZ_CHECK((m->method == SIP_METHOD_UNKNOWN) == (name == NULL));
		if (name)
			FUZZ_CHECK(tl_str_eq(m->method_name, name));
	} else {
		FUZZ_CHECK(m->status >= 100 && m->status <= 699);
	}

	struct tl_str v;
	if (sip_param(m->from, "tag", &v) == 0)
		FUZZ_CHECK(fuzz_inside(v, m->from.p, m->from.len));
	/* also on an absent header ({NULL, 0}): the fuzzer found sip_param doing
	 * NULL + 0 there, fixed since */
	if (sip_param(m->contact, "expires", &v) == 0)
		FUZZ_CHECK(fuzz_inside(v, m->contact.p, m->contact.len));
}

/* One parse, with the checks every result must pass. */
static int parse(const char *buf, size_t len, size_t max_size, struct sip_msg *m)
{
	int rc = sip_parse_msg(buf, len, max_size, m);
	FUZZ_CHECK(rc == -EAGAIN || rc == -EBADMSG || rc == -EMSGSIZE || rc > 0);
	if (rc > 0) {
		FUZZ_CHECK((size_t)rc <= len);
		check_msg(buf, rc, max_size, m);
	}
	return rc;
}

/* Frames the whole stream as a receiver would once everything has arrived. */
static void frame_all(const char *buf, size_t len, size_t max_size, struct framing *out)
{
	size_t off = 0;
	out->n = 0;
	for (;;) {
		struct sip_msg m;
		int rc = parse(buf + off, len - off, max_size, &m);
		if (rc < 0) {
			out->end = rc;
			return;
		}
		if (m.kind != SIP_KIND_KEEPALIVE)
			out->f[out->n++] = (struct frame){ off, rc };
		off += (size_t)rc;
	}
}

/* Frames the stream delivered as `first` bytes, then chunks of `step` bytes
 * (at most MAX_DELIVERIES in all). Each parse sees a fresh copy of the unread
 * bytes that ends where the delivered bytes end. */
static void frame_chunked(const char *data, size_t len, size_t max_size, size_t first,
			  size_t step, struct framing *out)
{
	size_t off = 0, have = first < len ? first : len;
	if (step < len / MAX_DELIVERIES + 1)
		step = len / MAX_DELIVERIES + 1;
	out->n = 0;
	for (;;) {
		size_t win = have - off;
		char *copy = malloc(win ? win : 1);
		FUZZ_CHECK(copy != NULL);
		memcpy(copy, data + off, win);
		size_t used = 0;
		int rc;
		for (;;) {
			struct sip_msg m;
			rc = parse(copy + used, win - used, max_size, &m);
			if (rc < 0)
				break;
			if (m.kind != SIP_KIND_KEEPALIVE)
				out->f[out->n++] = (struct frame){ off + used, rc };
			used += (size_t)rc;
		}
		free(copy);
		off += used;
		if (rc != -EAGAIN || have == len) {
			out->end = rc;
			return;
		}
		have = len - have < step ? len : have + step;
	}
}

static void same(const struct framing *a, const struct framing *b)
{
	FUZZ_CHECK(a->end == b->end);
	FUZZ_CHECK(a->n == b->n);
	for (size_t i = 0; i < a->n; i++)
		FUZZ_CHECK(a->f[i].off == b->f[i].off && a->f[i].len == b->f[i].len);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *buf = (const char *)data;
	/* Each message takes at least one byte, so size frames suffice. */
	struct frame *fa = malloc((size + 1) * sizeof(*fa));
	struct frame *fb = malloc((size + 1) * sizeof(*fb));
	FUZZ_CHECK(fa && fb);
	struct framing whole = { fa, 0, 0 }, chunked = { fb, 0, 0 };

	size_t small = size ? 1 + (size_t)data[size / 2] * 8 : 1;
	size_t first = size ? (size_t)data[size - 1] * 7 % (size + 1) : 0;
	size_t step = size ? 1 + (size_t)data[0] % 97 : 1;
	const size_t limits[] = { BIG_MAX, small };

	for (size_t i = 0; i < 2; i++) {
		frame_all(buf, size, limits[i], &whole);
		frame_chunked(buf, size, limits[i], first, step, &chunked);
		same(&whole, &chunked);
	}
	free(fa);
	free(fb);
	return 0;
}
