/* libFuzzer target: SDP bodies and the SDES offer/answer rules (engine/sdp.c).
 *
 * The input is an SDP body. When it parses, the result is checked against the
 * header (slices inside the body, counts within their arrays, usable crypto
 * lines with the right key length); then it is checked as an answer to a fixed
 * offer and as an offer we choose a line from. */
#include "fuzz.h"
#include "sdp.h"
#include <errno.h>
#include <string.h>

static const char *const reasons[] = {
	"sdp_not_savp", "sdp_port_zero", "sdp_no_crypto", "sdp_many_crypto",
	"sdp_bad_crypto", "sdp_tag_not_offered", "sdp_suite_mismatch",
};

static bool known_reason(const char *r)
{
	for (size_t i = 0; i < sizeof(reasons) / sizeof(reasons[0]); i++)
		if (r && strcmp(r, reasons[i]) == 0)
			return true;
	return false;
}

/* What trunkload offers by default: tags 1 and 2, the two 128-bit suites, and
 * a third line with a declarative parameter so that mismatches are reachable. */
static void offer(struct sdes_crypto o[3])
{
	memset(o, 0, 3 * sizeof(*o));
	const enum sdes_suite suites[3] = { SDES_AES_CM_128_HMAC_SHA1_80,
					    SDES_AES_CM_128_HMAC_SHA1_32,
					    SDES_AEAD_AES_128_GCM };
	for (unsigned i = 0; i < 3; i++) {
		o[i].tag = i + 1;
		o[i].suite = suites[i];
		o[i].key_len = sdes_suite_key_len(suites[i]);
		memset(o[i].key, 0x40 + (int)i, o[i].key_len);
	}
	o[2].unencrypted_srtcp = true;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *buf = (const char *)data;
	struct sdp_audio a;
	int rc = sdp_parse(buf, size, &a);
	FUZZ_CHECK(rc == 0 || rc == -EBADMSG);
	if (rc)
		return 0;

	FUZZ_CHECK(fuzz_inside(a.addr, buf, size));
	FUZZ_CHECK(fuzz_inside(a.proto, buf, size));
	FUZZ_CHECK(fuzz_inside(a.direction, buf, size));
	FUZZ_CHECK(a.n_payload_types <= 16);
	FUZZ_CHECK(a.n_crypto <= SDP_MAX_CRYPTO);
	FUZZ_CHECK(a.n_crypto <= a.n_crypto_lines);
	FUZZ_CHECK(a.n_crypto_bad + a.n_crypto_unusable <= a.n_crypto_lines);
	FUZZ_CHECK(a.ptime_ms >= 0);
	for (unsigned i = 0; i < a.n_crypto; i++) {
		FUZZ_CHECK(a.crypto[i].suite < SDES_SUITE_COUNT);
		FUZZ_CHECK(a.crypto[i].key_len == sdes_suite_key_len(a.crypto[i].suite));
		FUZZ_CHECK(a.crypto[i].tag >= 1 && a.crypto[i].tag <= 999999999);
	}

	struct sdes_crypto o[3];
	offer(o);
	unsigned chosen = 99;
	const char *reason = NULL;
	rc = sdes_check_answer(o, 3, &a, &chosen, &reason);
	if (rc == 0) {
		FUZZ_CHECK(chosen < 3);
		FUZZ_CHECK(a.n_crypto == 1 && a.crypto[0].tag == o[chosen].tag);
		FUZZ_CHECK(a.crypto[0].suite == o[chosen].suite);
	} else {
		FUZZ_CHECK(rc < 0 && known_reason(reason));
	}

	const enum sdes_suite accept[] = { SDES_AES_CM_128_HMAC_SHA1_32,
					   SDES_AES_256_CM_HMAC_SHA1_80 };
	rc = sdes_choose(&a, accept, 2);
	if (rc == -ENOENT) {
		for (unsigned i = 0; i < a.n_crypto; i++)
			FUZZ_CHECK(a.crypto[i].suite != accept[0] && a.crypto[i].suite != accept[1]);
	} else {
		FUZZ_CHECK(rc >= 0 && (unsigned)rc < a.n_crypto);
		FUZZ_CHECK(a.crypto[rc].suite == accept[0] || a.crypto[rc].suite == accept[1]);
		for (int i = 0; i < rc; i++) /* the first acceptable line, in offer order */
			FUZZ_CHECK(a.crypto[i].suite != accept[0] && a.crypto[i].suite != accept[1]);
	}
	FUZZ_CHECK(sdes_choose(&a, accept, 0) == -ENOENT);
	return 0;
}
