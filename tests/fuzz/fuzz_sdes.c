/* libFuzzer target: a=crypto values and base64 (engine/sdes.c).
 *
 * The input is the value of an a=crypto attribute. A line that parses must be
 * usable (tag and key length per the header) and must survive a round trip:
 * sdes_format, then sdes_parse of what it wrote, gives the same fields. The
 * input is also base64: sdes.c rejects non-canonical base64, so whatever
 * decodes must encode back to the very same text; and any bytes encode to text
 * that decodes back to them. */
#include "fuzz.h"
#include "sdes.h"
#include <errno.h>
#include <string.h>

static bool same_crypto(const struct sdes_crypto *a, const struct sdes_crypto *b)
{
	return a->tag == b->tag && a->suite == b->suite && a->key_len == b->key_len &&
	       memcmp(a->key, b->key, a->key_len) == 0 && a->lifetime == b->lifetime &&
	       a->mki == b->mki && a->mki_len == b->mki_len &&
	       a->unencrypted_srtp == b->unencrypted_srtp &&
	       a->unencrypted_srtcp == b->unencrypted_srtcp &&
	       a->unauthenticated_srtp == b->unauthenticated_srtp;
}

static void round_trip(const struct sdes_crypto *c)
{
	static const char prefix[] = "a=crypto:";
	char line[512];
	int n = sdes_format(line, sizeof(line), c);
	FUZZ_CHECK(n > (int)sizeof(prefix) + 1);
	FUZZ_CHECK(memcmp(line, prefix, sizeof(prefix) - 1) == 0);
	FUZZ_CHECK(line[n - 2] == '\r' && line[n - 1] == '\n');

	/* a buffer one byte short must be refused, not overrun */
	char *tight = malloc((size_t)n - 1);
	FUZZ_CHECK(tight != NULL);
	FUZZ_CHECK(sdes_format(tight, (size_t)n - 1, c) == -ENOSPC);
	free(tight);

	struct sdes_crypto again;
	size_t vlen = (size_t)n - (sizeof(prefix) - 1) - 2;
	FUZZ_CHECK(sdes_parse(line + sizeof(prefix) - 1, vlen, &again) == 0);
	FUZZ_CHECK(same_crypto(c, &again));
}

static void check_base64(const uint8_t *data, size_t size)
{
	const char *text = (const char *)data;
	size_t cap = size / 4 * 3;
	uint8_t *bin = malloc(cap + 1);
	char *enc = malloc(size + 1);
	FUZZ_CHECK(bin && enc);
	int n = base64_decode(bin, cap, text, size);
	FUZZ_CHECK(n >= 0 || n == -EBADMSG);
	if (n >= 0) {
		FUZZ_CHECK((size_t)n <= cap);
		FUZZ_CHECK(base64_encode(enc, size, bin, (size_t)n) == (int)size);
		FUZZ_CHECK(memcmp(enc, text, size) == 0);
	}
	free(bin);
	free(enc);

	/* the other way round: bytes -> text -> the same bytes */
	size_t elen = (size + 2) / 3 * 4;
	enc = malloc(elen + 1);
	bin = malloc(size + 1);
	FUZZ_CHECK(enc && bin);
	FUZZ_CHECK(base64_encode(enc, elen, data, size) == (int)elen);
	if (elen)
		FUZZ_CHECK(base64_encode(enc, elen - 1, data, size) == -ENOSPC);
	FUZZ_CHECK(base64_decode(bin, size, enc, elen) == (int)size);
	FUZZ_CHECK(memcmp(bin, data, size) == 0);
	if (size)
		FUZZ_CHECK(base64_decode(bin, size - 1, enc, elen) == -ENOSPC);
	free(enc);
	free(bin);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct sdes_crypto c;
	int rc = sdes_parse((const char *)data, size, &c);
	FUZZ_CHECK(rc == 0 || rc == -ENOENT || rc == -ENOTSUP || rc == -EBADMSG);
	if (rc == 0) {
		FUZZ_CHECK(c.tag >= 1 && c.tag <= 999999999);
		FUZZ_CHECK(c.suite < SDES_SUITE_COUNT);
		FUZZ_CHECK(c.key_len == sdes_suite_key_len(c.suite));
		FUZZ_CHECK(c.mki_len <= 128);
		const char *name = sdes_suite_name(c.suite);
		enum sdes_suite back;
		FUZZ_CHECK(name && sdes_suite_from_name(name, strlen(name), &back) == 0 &&
			   back == c.suite);
		round_trip(&c);
	}
	check_base64(data, size);
	return 0;
}
