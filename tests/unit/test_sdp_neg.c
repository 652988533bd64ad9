/* sdp_neg.h: offer/answer with SDES keys, seen from both sides, over real SDP (built
 * by sdp_build, read by sdp_parse): early and delayed offer, a re-offer that keeps
 * the keys, a rekey, and answers that must be refused. */
#include "tl_test.h"
#include "sdp_neg.h"
#include <string.h>

static uint8_t rnd[SDES_MAX_KEY * NEG_MAX_LINES];

/* What a side would send: its lines in an SDP body, parsed back as the other sees it. */
static struct sdp_audio sent(const struct sdp_neg *n, const char *addr, uint16_t port,
			     const char *direction)
{
	unsigned count;
	const struct sdes_crypto *lines = neg_lines(n, &count);
	struct sdp_params p = { .addr = addr, .port = port, .session_id = 1, .ptime_ms = 20,
				.crypto = lines, .n_crypto = count, .direction = direction };
	static char body[4096];
	int len = sdp_build(body, sizeof(body), &p);
	CU_ASSERT_FATAL(len > 0);
	struct sdp_audio a;
	CU_ASSERT_FATAL(sdp_parse(body, (size_t)len, &a) == 0);
	return a;
}

static void fill(uint8_t seed)
{
	for (size_t i = 0; i < sizeof(rnd); i++)
		rnd[i] = (uint8_t)(seed + i * 7);
}

static void test_early_and_delayed_offer(void)
{
	static const enum sdes_suite cucm[] = { SDES_AEAD_AES_256_GCM, SDES_AEAD_AES_128_GCM,
						SDES_AES_CM_128_HMAC_SHA1_80, SDES_AES_CM_128_HMAC_SHA1_32 };
	static const enum sdes_suite only_cm[] = { SDES_AES_CM_128_HMAC_SHA1_80 };
	for (int delayed = 0; delayed < 2; delayed++) {
		struct sdp_neg a = { 0 }, b = { 0 }; /* a offers (in the INVITE, or in the 200) */
		const char *why = NULL;
		fill(1);
		neg_offer(&a, cucm, 4, rnd, false);
		CU_ASSERT_EQUAL(a.state, NEG_LOCAL_OFFER);
		struct sdp_audio offer = sent(&a, "10.0.0.1", 20000, "sendrecv");
		CU_ASSERT_EQUAL(offer.n_crypto, 4);
		fill(2);
		CU_ASSERT_EQUAL(neg_take_offer(&b, &offer, only_cm, 1, rnd, &why), 0);
		CU_ASSERT_EQUAL(b.state, NEG_REMOTE_OFFER);
		CU_ASSERT_EQUAL(b.ours[0].tag, 3); /* CUCM's third line: the one b accepts */
		struct sdp_audio answer = sent(&b, "10.0.0.2", 30000, neg_answer_direction(b.direction));
		neg_answered(&b);
		CU_ASSERT_EQUAL(neg_take_answer(&a, &answer, &why), 0);
		CU_ASSERT(a.agreed && b.agreed && a.changed && b.changed);
		CU_ASSERT_EQUAL(neg_our_key(&a)->suite, SDES_AES_CM_128_HMAC_SHA1_80);
		CU_ASSERT(!memcmp(neg_our_key(&a)->key, b.theirs.key, 30));
		CU_ASSERT(!memcmp(neg_our_key(&b)->key, a.theirs.key, 30));
		CU_ASSERT_STRING_EQUAL(a.remote_addr, "10.0.0.2");
		CU_ASSERT_EQUAL(b.remote_port, 20000);
	}
}

/* A refresh re-offers the key in use alone; the answer keeps its key: nothing
 * changed. Hold is a direction, not a rekey. */
static void test_reoffer_keeps_keys(void)
{
	static const enum sdes_suite s[] = { SDES_AES_CM_128_HMAC_SHA1_80, SDES_AES_CM_128_HMAC_SHA1_32 };
	struct sdp_neg a = { 0 }, b = { 0 };
	const char *why;
	fill(3);
	neg_offer(&a, s, 2, rnd, false);
	struct sdp_audio o = sent(&a, "10.0.0.1", 20000, "sendrecv");
	fill(4);
	neg_take_offer(&b, &o, NULL, 0, rnd, &why);
	struct sdp_audio ans = sent(&b, "10.0.0.2", 30000, "sendrecv");
	neg_answered(&b);
	neg_take_answer(&a, &ans, &why);
	struct sdes_crypto a_key = *neg_our_key(&a), b_key = *neg_our_key(&b);

	fill(5); /* other random bytes: not used */
	neg_offer(&a, s, 2, rnd, false);
	o = sent(&a, "10.0.0.1", 20000, "inactive");
	CU_ASSERT_EQUAL(o.n_crypto, 1);
	CU_ASSERT_EQUAL(neg_take_offer(&b, &o, NULL, 0, rnd, &why), 0);
	CU_ASSERT_FALSE(b.changed);
	CU_ASSERT(b.turned); /* the media must follow the hold */
	CU_ASSERT_STRING_EQUAL(b.direction, "inactive");
	ans = sent(&b, "10.0.0.2", 30000, neg_answer_direction(b.direction));
	CU_ASSERT(tl_str_eq(ans.direction, "inactive"));
	neg_answered(&b);
	CU_ASSERT_EQUAL(neg_take_answer(&a, &ans, &why), 0);
	CU_ASSERT_FALSE(a.changed);
	CU_ASSERT(a.turned);
	CU_ASSERT(!memcmp(neg_our_key(&a)->key, a_key.key, a_key.key_len));
	CU_ASSERT(!memcmp(neg_our_key(&b)->key, b_key.key, b_key.key_len));

	/* a rekey offers fresh keys: both sides see the change */
	neg_offer(&a, s, 2, rnd, true);
	o = sent(&a, "10.0.0.1", 20000, "sendrecv");
	CU_ASSERT_EQUAL(neg_take_offer(&b, &o, NULL, 0, rnd, &why), 0);
	CU_ASSERT_TRUE(b.changed);
	ans = sent(&b, "10.0.0.2", 30000, "sendrecv");
	neg_answered(&b);
	CU_ASSERT_EQUAL(neg_take_answer(&a, &ans, &why), 0);
	CU_ASSERT_TRUE(a.changed);
}

static void test_refusals(void)
{
	static const enum sdes_suite s[] = { SDES_AES_CM_128_HMAC_SHA1_80 };
	static const enum sdes_suite gcm[] = { SDES_AEAD_AES_128_GCM };
	struct sdp_neg a = { 0 }, b = { 0 };
	const char *why = NULL;
	fill(6);
	neg_offer(&a, s, 1, rnd, false);
	struct sdp_audio o = sent(&a, "10.0.0.1", 20000, "sendrecv");
	CU_ASSERT_EQUAL(neg_take_offer(&b, &o, gcm, 1, rnd, &why), -ENOENT);
	CU_ASSERT_STRING_EQUAL(why, "sdp_no_acceptable_crypto");
	/* an answer nobody asked for */
	struct sdp_neg c = { 0 };
	CU_ASSERT_EQUAL(neg_take_answer(&c, &o, &why), -EPROTO);
	CU_ASSERT_STRING_EQUAL(why, "sdp_unexpected_answer");
	/* an answer with a tag we did not offer */
	struct sdp_neg d = { 0 };
	neg_offer(&d, s, 1, rnd, false);
	o.crypto[0].tag = 9;
	CU_ASSERT_EQUAL(neg_take_answer(&d, &o, &why), -EBADMSG);
	CU_ASSERT_STRING_EQUAL(why, "sdp_tag_not_offered");
}

/* A key lifetime set by the role goes with each key of ours, offered or answered, as
 * "|2^n" on the line; the far end's lifetime is its own (RFC 4568 6.1). */
static void test_key_lifetime(void)
{
	static const enum sdes_suite cm[] = { SDES_AES_CM_128_HMAC_SHA1_80, SDES_AES_CM_128_HMAC_SHA1_32 };
	struct sdp_neg a = { .key_lifetime = 1024 }, b = { 0 };
	const char *why = NULL;
	fill(3);
	neg_offer(&a, cm, 2, rnd, false);
	struct sdp_audio offer = sent(&a, "10.0.0.1", 20000, "sendrecv");
	CU_ASSERT_EQUAL(offer.crypto[0].lifetime, 1024);
	CU_ASSERT_EQUAL(offer.crypto[1].lifetime, 1024);
	CU_ASSERT_EQUAL(neg_take_offer(&b, &offer, NULL, 0, rnd, &why), 0);
	CU_ASSERT_EQUAL(b.theirs.lifetime, 1024);
	CU_ASSERT_EQUAL(b.ours[0].lifetime, 0); /* b set none for its own key */
	struct sdp_audio answer = sent(&b, "10.0.0.2", 30000, "sendrecv");
	neg_answered(&b);
	CU_ASSERT_EQUAL(neg_take_answer(&a, &answer, &why), 0);
	CU_ASSERT_EQUAL(neg_our_key(&a)->lifetime, 1024);
	/* the rekey: new keys, the same lifetime; b answers with one of its own */
	b.key_lifetime = 1ull << 31;
	fill(4);
	neg_offer(&a, cm, 2, rnd, true);
	offer = sent(&a, "10.0.0.1", 20000, "sendrecv");
	CU_ASSERT_EQUAL(offer.crypto[0].lifetime, 1024);
	CU_ASSERT_EQUAL(neg_take_offer(&b, &offer, NULL, 0, rnd, &why), 0);
	answer = sent(&b, "10.0.0.2", 30000, "sendrecv");
	CU_ASSERT_EQUAL(answer.crypto[0].lifetime, 1ull << 31);
}

int main(void)
{
	static const struct tl_case cases[] = {
		{ "early and delayed offer", test_early_and_delayed_offer },
		{ "a re-offer keeps the keys, a rekey does not", test_reoffer_keeps_keys },
		{ "refusals", test_refusals },
		{ "key lifetime", test_key_lifetime },
	};
	return tl_run("sdp_neg", TL_CASES(cases));
}
