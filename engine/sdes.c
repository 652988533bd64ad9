/* SDES a=crypto lines: parse, format, base64 (RFC 4568 sections 6 and 9.2,
 * RFC 4648). Grammar decisions beyond the header:
 *  - key||salt must be padded base64 of exactly the suite's length; non-zero
 *    pad bits are rejected, so decode and encode are exact inverses;
 *  - lifetime is "2^n" (n <= 63) or a decimal > 0; MKI is "value:length" with
 *    length 1..128 and a value that fits in length bytes;
 *  - key method must be "inline" (the only one SRTP registers);
 *  - KDR=0 and WSH>=64 are understood and harmless; KDR=1..24 (we derive keys
 *    only once), FEC_ORDER and FEC_KEY are understood but unsupported (-ENOTSUP);
 *  - an unknown session parameter is mandatory (-ENOTSUP) unless it starts
 *    with "-", which RFC 4568 uses to mark an optional extension: ignored. */
#include "sdes.h"
#include "str.h"
#include <errno.h>
#include <string.h>

static const struct {
	const char *name;
	size_t key_len;
} suites[SDES_SUITE_COUNT] = {
	[SDES_AES_CM_128_HMAC_SHA1_80] = { "AES_CM_128_HMAC_SHA1_80", 30 },
	[SDES_AES_CM_128_HMAC_SHA1_32] = { "AES_CM_128_HMAC_SHA1_32", 30 },
	[SDES_AES_192_CM_HMAC_SHA1_80] = { "AES_192_CM_HMAC_SHA1_80", 38 },
	[SDES_AES_192_CM_HMAC_SHA1_32] = { "AES_192_CM_HMAC_SHA1_32", 38 },
	[SDES_AES_256_CM_HMAC_SHA1_80] = { "AES_256_CM_HMAC_SHA1_80", 46 },
	[SDES_AES_256_CM_HMAC_SHA1_32] = { "AES_256_CM_HMAC_SHA1_32", 46 },
	[SDES_AEAD_AES_128_GCM] = { "AEAD_AES_128_GCM", 28 },
	[SDES_AEAD_AES_256_GCM] = { "AEAD_AES_256_GCM", 44 },
};

#define TAG_MAX 999999999u
#define MKI_LEN_MAX 128u

int sdes_suite_from_name(const char *p, size_t len, enum sdes_suite *out)
{
	for (int i = 0; i < SDES_SUITE_COUNT; i++) {
		if (strlen(suites[i].name) == len && memcmp(suites[i].name, p, len) == 0) {
			*out = (enum sdes_suite)i;
			return 0;
		}
	}
	return -ENOENT;
}

const char *sdes_suite_name(enum sdes_suite s)
{
	return (unsigned)s < SDES_SUITE_COUNT ? suites[s].name : NULL;
}

size_t sdes_suite_key_len(enum sdes_suite s)
{
	return (unsigned)s < SDES_SUITE_COUNT ? suites[s].key_len : 0;
}

/* ---- base64 ---- */

static const char b64_alphabet[] =
	"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

/* Each base64 digit's value plus one; 0 marks a byte that is not a digit. */
static const uint8_t b64_plus1[256] = {
	['A'] = 1, ['B'] = 2, ['C'] = 3, ['D'] = 4, ['E'] = 5, ['F'] = 6, ['G'] = 7, ['H'] = 8,
	['I'] = 9, ['J'] = 10, ['K'] = 11, ['L'] = 12, ['M'] = 13, ['N'] = 14, ['O'] = 15,
	['P'] = 16, ['Q'] = 17, ['R'] = 18, ['S'] = 19, ['T'] = 20, ['U'] = 21, ['V'] = 22,
	['W'] = 23, ['X'] = 24, ['Y'] = 25, ['Z'] = 26, ['a'] = 27, ['b'] = 28, ['c'] = 29,
	['d'] = 30, ['e'] = 31, ['f'] = 32, ['g'] = 33, ['h'] = 34, ['i'] = 35, ['j'] = 36,
	['k'] = 37, ['l'] = 38, ['m'] = 39, ['n'] = 40, ['o'] = 41, ['p'] = 42, ['q'] = 43,
	['r'] = 44, ['s'] = 45, ['t'] = 46, ['u'] = 47, ['v'] = 48, ['w'] = 49, ['x'] = 50,
	['y'] = 51, ['z'] = 52, ['0'] = 53, ['1'] = 54, ['2'] = 55, ['3'] = 56, ['4'] = 57,
	['5'] = 58, ['6'] = 59, ['7'] = 60, ['8'] = 61, ['9'] = 62, ['+'] = 63, ['/'] = 64,
};

static int b64_value(char c)
{
	return (int)b64_plus1[(unsigned char)c] - 1;
}

int base64_encode(char *out, size_t cap, const uint8_t *in, size_t n)
{
	size_t need = (n + 2) / 3 * 4;
	if (n > (size_t)INT32_MAX / 2 || need > cap)
		return -ENOSPC;
	char *o = out;
	for (size_t i = 0; i < n; i += 3) {
		uint32_t v = (uint32_t)in[i] << 16;
		if (i + 1 < n)
			v |= (uint32_t)in[i + 1] << 8;
		if (i + 2 < n)
			v |= in[i + 2];
		*o++ = b64_alphabet[v >> 18];
		*o++ = b64_alphabet[(v >> 12) & 63];
		*o++ = i + 1 < n ? b64_alphabet[(v >> 6) & 63] : '=';
		*o++ = i + 2 < n ? b64_alphabet[v & 63] : '=';
	}
	return (int)need;
}

int base64_decode(uint8_t *out, size_t cap, const char *in, size_t n)
{
	if (n % 4 != 0 || n > (size_t)INT32_MAX)
		return -EBADMSG;
	size_t pad = 0;
	if (n && in[n - 1] == '=')
		pad = (n >= 2 && in[n - 2] == '=') ? 2 : 1;
	size_t total = n / 4 * 3 - pad;
	/* Validate everything before writing, so -EBADMSG wins over -ENOSPC. */
	unsigned bad = 0;
	for (size_t i = 0; i < n - pad; i++)
		bad |= b64_plus1[(unsigned char)in[i]] == 0;
	if (bad)
		return -EBADMSG;
	if (pad) {
		/* The bits below the last full byte must be zero (canonical form). */
		int last = b64_value(in[n - pad - 1]);
		if ((pad == 1 && (last & 3)) || (pad == 2 && (last & 15)))
			return -EBADMSG;
	}
	if (total > cap)
		return -ENOSPC;
	size_t o = 0;
	for (size_t i = 0; i < n; i += 4) {
		/* '=' looks up as 0, i.e. -1 + 1: only the padding, whose bits are dropped */
		uint32_t v = (uint32_t)(b64_plus1[(unsigned char)in[i]] - 1) << 18 |
			     (uint32_t)(b64_plus1[(unsigned char)in[i + 1]] - 1) << 12 |
			     (uint32_t)((b64_plus1[(unsigned char)in[i + 2]] - 1) & 63) << 6 |
			     (uint32_t)((b64_plus1[(unsigned char)in[i + 3]] - 1) & 63);
		if (o + 3 <= total) {
			out[o] = (uint8_t)(v >> 16);
			out[o + 1] = (uint8_t)(v >> 8);
			out[o + 2] = (uint8_t)v;
			o += 3;
		} else {
			for (size_t j = 0; j < 3 && o < total; j++)
				out[o++] = (uint8_t)(v >> (16 - 8 * j));
		}
	}
	return (int)total;
}

/* ---- parsing helpers over [p, end) ---- */

static bool is_wsp(char c)
{
	return c == ' ' || c == '\t';
}

static bool is_vchar(char c)
{
	return c >= 0x21 && c <= 0x7e;
}

static bool is_digit(char c)
{
	return c >= '0' && c <= '9';
}

/* Decimal of 1..max_digits digits filling [p, p+len) exactly, saturating at
 * UINT64_MAX. Returns 0 or -EBADMSG. */
static int parse_dec(const char *p, size_t len, size_t max_digits, uint64_t *out)
{
	if (len == 0 || len > max_digits)
		return -EBADMSG;
	uint64_t v = 0;
	for (size_t i = 0; i < len; i++) {
		if (!is_digit(p[i]))
			return -EBADMSG;
		unsigned d = (unsigned)(p[i] - '0');
		v = v > (UINT64_MAX - d) / 10 ? UINT64_MAX : v * 10 + d;
	}
	*out = v;
	return 0;
}

static bool tok_eq(const char *p, size_t len, const char *lit)
{
	size_t n = strlen(lit);
	return len == n && memcmp(p, lit, n) == 0;
}

static bool tok_prefix(const char *p, size_t len, const char *lit)
{
	size_t n = strlen(lit);
	return len >= n && memcmp(p, lit, n) == 0;
}

/* lifetime = ["2^"] 1*DIGIT */
static int parse_lifetime(const char *p, size_t len, uint64_t *out)
{
	uint64_t v;
	if (tok_prefix(p, len, "2^")) {
		if (parse_dec(p + 2, len - 2, 2, &v) || v > 63)
			return -EBADMSG;
		*out = (uint64_t)1 << v;
		return 0;
	}
	if (parse_dec(p, len, 20, &v) || v == 0 || v == UINT64_MAX)
		return -EBADMSG;
	*out = v;
	return 0;
}

/* mki = mki-value ":" mki-length; length 1..128 bytes */
static int parse_mki(const char *p, size_t len, uint32_t *val, uint32_t *mlen)
{
	const char *colon = memchr(p, ':', len);
	if (!colon)
		return -EBADMSG;
	uint64_t v, l;
	size_t vlen = (size_t)(colon - p);
	if (parse_dec(p, vlen, 40, &v) || parse_dec(colon + 1, len - vlen - 1, 3, &l))
		return -EBADMSG;
	if (l < 1 || l > MKI_LEN_MAX)
		return -EBADMSG;
	if (l < 8 && v >> (8 * l))
		return -EBADMSG; /* value does not fit in the MKI field */
	if (v > UINT32_MAX)
		return -ENOTSUP; /* legal, but more than we keep */
	*val = (uint32_t)v;
	*mlen = (uint32_t)l;
	return 0;
}

/* key-params: "inline:" key-salt ["|" lifetime] ["|" mki] */
static int parse_key_params(const char *p, size_t len, struct sdes_crypto *c)
{
	if (memchr(p, ';', len))
		return -ENOTSUP; /* several keys on one line: not supported */
	if (!tok_prefix(p, len, "inline:"))
		return -EBADMSG;
	p += 7;
	len -= 7;
	const char *end = p + len;
	const char *bar = memchr(p, '|', len);
	const char *kend = bar ? bar : end;
	uint8_t key[SDES_MAX_KEY];
	int n = base64_decode(key, sizeof(key), p, (size_t)(kend - p));
	if (n < 0 || (size_t)n != c->key_len)
		return -EBADMSG;
	memcpy(c->key, key, c->key_len);

	bool have_lifetime = false, have_mki = false;
	while (bar) {
		const char *f = bar + 1;
		bar = memchr(f, '|', (size_t)(end - f));
		size_t flen = (size_t)((bar ? bar : end) - f);
		if (memchr(f, ':', flen)) {
			if (have_mki)
				return -EBADMSG;
			int err = parse_mki(f, flen, &c->mki, &c->mki_len);
			if (err)
				return err;
			have_mki = true;
		} else {
			if (have_lifetime || have_mki) /* lifetime comes before MKI */
				return -EBADMSG;
			if (parse_lifetime(f, flen, &c->lifetime))
				return -EBADMSG;
			have_lifetime = true;
		}
	}
	return 0;
}

static int parse_session_param(const char *p, size_t len, struct sdes_crypto *c)
{
	uint64_t v;
	if (tok_eq(p, len, "UNENCRYPTED_SRTP")) {
		c->unencrypted_srtp = true;
	} else if (tok_eq(p, len, "UNENCRYPTED_SRTCP")) {
		c->unencrypted_srtcp = true;
	} else if (tok_eq(p, len, "UNAUTHENTICATED_SRTP")) {
		c->unauthenticated_srtp = true;
	} else if (tok_prefix(p, len, "KDR=")) {
		if (parse_dec(p + 4, len - 4, 2, &v) || v > 24)
			return -EBADMSG;
		if (v != 0)
			return -ENOTSUP; /* key derivation more than once */
	} else if (tok_prefix(p, len, "WSH=")) {
		if (len - 4 < 2 || parse_dec(p + 4, len - 4, 20, &v) || v < 64)
			return -EBADMSG;
	} else if (tok_prefix(p, len, "FEC_ORDER=")) {
		if (!tok_eq(p + 10, len - 10, "FEC_SRTP") && !tok_eq(p + 10, len - 10, "SRTP_FEC"))
			return -EBADMSG;
		return -ENOTSUP;
	} else if (tok_prefix(p, len, "FEC_KEY=")) {
		return -ENOTSUP;
	} else if (p[0] == '-') {
		if (len < 2 || p[1] == '-')
			return -EBADMSG;
		/* optional extension: ignoring it is allowed */
	} else {
		return -ENOTSUP;
	}
	return 0;
}

/* Next WSP-separated token at or after *pos; -EBADMSG on a non-visible byte. */
static int next_token(const char *p, size_t len, size_t *pos, const char **tok, size_t *tlen)
{
	size_t i = *pos;
	while (i < len && is_wsp(p[i]))
		i++;
	size_t start = i;
	while (i < len && !is_wsp(p[i])) {
		if (!is_vchar(p[i]))
			return -EBADMSG;
		i++;
	}
	*tok = p + start;
	*tlen = i - start;
	*pos = i;
	return 0;
}

int sdes_parse(const char *p, size_t len, struct sdes_crypto *out)
{
	struct sdes_crypto c = { 0 };
	const char *t;
	size_t tl, pos = 0;
	uint64_t tag;
	int err;

	/* tag: 1*9DIGIT, no leading whitespace */
	if (len == 0 || is_wsp(p[0]))
		return -EBADMSG;
	if ((err = next_token(p, len, &pos, &t, &tl)))
		return err;
	if (parse_dec(t, tl, 9, &tag) || tag == 0)
		return -EBADMSG;
	c.tag = (uint32_t)tag;

	/* the three mandatory fields must all be there before judging the suite */
	const char *suite, *keyp;
	size_t suite_len, keyp_len;
	if ((err = next_token(p, len, &pos, &suite, &suite_len)))
		return err;
	if ((err = next_token(p, len, &pos, &keyp, &keyp_len)))
		return err;
	if (suite_len == 0 || keyp_len == 0)
		return -EBADMSG;
	for (size_t i = 0; i < suite_len; i++)
		if (!is_digit(suite[i]) && suite[i] != '_' &&
		    !((suite[i] | 0x20) >= 'a' && (suite[i] | 0x20) <= 'z'))
			return -EBADMSG;
	if ((err = sdes_suite_from_name(suite, suite_len, &c.suite)))
		return err;
	c.key_len = sdes_suite_key_len(c.suite);

	if ((err = parse_key_params(keyp, keyp_len, &c)))
		return err;

	/* Syntax errors anywhere outrank an unsupported parameter: scan them all. */
	int unsup = 0;
	for (;;) {
		if ((err = next_token(p, len, &pos, &t, &tl)))
			return err;
		if (tl == 0)
			break;
		err = parse_session_param(t, tl, &c);
		if (err == -EBADMSG)
			return err;
		if (err)
			unsup = err;
	}
	if (unsup)
		return unsup;
	*out = c;
	return 0;
}

/* ---- formatting ---- */


int sdes_format(char *buf, size_t cap, const struct sdes_crypto *c)
{
	if ((unsigned)c->suite >= SDES_SUITE_COUNT || c->key_len != suites[c->suite].key_len ||
	    c->tag == 0 || c->tag > TAG_MAX || c->mki_len > MKI_LEN_MAX ||
	    (c->mki_len && c->mki_len < 4 && c->mki >> (8 * c->mki_len)))
		return -EINVAL;
	struct tl_sb w = tl_sb_init_bytes(buf, cap);
	char b64[(SDES_MAX_KEY + 2) / 3 * 4];
	int n = base64_encode(b64, sizeof(b64), c->key, c->key_len);
	if (n < 0)
		return n;

	tl_sb_cstr(&w, "a=crypto:");
	tl_sb_uint(&w, c->tag);
	tl_sb_cstr(&w, " ");
	tl_sb_cstr(&w, suites[c->suite].name);
	tl_sb_cstr(&w, " inline:");
	tl_sb_put(&w, b64, (size_t)n);
	if (c->lifetime) {
		tl_sb_cstr(&w, "|");
		if ((c->lifetime & (c->lifetime - 1)) == 0) {
			tl_sb_cstr(&w, "2^");
			tl_sb_uint(&w, (uint64_t)__builtin_ctzll(c->lifetime));
		} else {
			tl_sb_uint(&w, c->lifetime);
		}
	}
	if (c->mki_len) {
		tl_sb_cstr(&w, "|");
		tl_sb_uint(&w, c->mki);
		tl_sb_cstr(&w, ":");
		tl_sb_uint(&w, c->mki_len);
	}
	if (c->unencrypted_srtp)
		tl_sb_cstr(&w, " UNENCRYPTED_SRTP");
	if (c->unencrypted_srtcp)
		tl_sb_cstr(&w, " UNENCRYPTED_SRTCP");
	if (c->unauthenticated_srtp)
		tl_sb_cstr(&w, " UNAUTHENTICATED_SRTP");
	tl_sb_cstr(&w, "\r\n");
	return w.cut ? -ENOSPC : (int)w.n;
}
