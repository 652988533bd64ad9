/* Certificate facts: what an operator reads off a certificate, taken with OpenSSL 3 and
 * kept as plain text and flags. */
#include "certfacts.h"

#include <arpa/inet.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include <openssl/bio.h>
#include <openssl/bn.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/objects.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#define DAY_S 86400.0
#define FILE_MAX (16u << 20) /* a CA bundle is a few hundred KiB */

/* Text built piece by piece into a fixed buffer; len keeps counting past cap, as
 * snprintf does, so the caller learns the full length. */
struct out {
	char *buf;
	size_t cap, len;
};

static void put(struct out *o, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void put(struct out *o, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	int n = vsnprintf(o->len < o->cap ? o->buf + o->len : NULL,
			  o->len < o->cap ? o->cap - o->len : 0, fmt, ap);
	va_end(ap);
	if (n > 0)
		o->len += (size_t)n;
}

/* A field that overflowed ends in "..." so a cut list is not mistaken for a whole one. */
static void mark_cut(struct out *o)
{
	if (o->cap >= 4 && o->len >= o->cap)
		memcpy(o->buf + o->cap - 4, "...", 4);
}

/* Appends len bytes of certificate text with control bytes (C0 and DEL), and the
 * bytes in also_bad, as '?'. */
static void put_clean_but(struct out *o, const unsigned char *s, size_t len, const char *also_bad)
{
	for (size_t i = 0; i < len; i++) {
		unsigned char c = s[i];
		bool bad = c < 0x20 || c == 0x7f || (c && strchr(also_bad, c));
		put(o, "%c", bad ? '?' : (char)c);
	}
}

static void put_clean(struct out *o, const unsigned char *s, size_t len)
{
	put_clean_but(o, s, len, "");
}

static void name_text(char *dst, size_t cap, const X509_NAME *name)
{
	struct out o = { dst, cap, 0 };
	BIO *mem = BIO_new(BIO_s_mem());
	char *data = NULL;
	long n;

	dst[0] = '\0';
	if (mem && name && X509_NAME_print_ex(mem, name, 0, XN_FLAG_RFC2253) >= 0 &&
	    (n = BIO_get_mem_data(mem, &data)) > 0)
		put_clean(&o, (const unsigned char *)data, (size_t)n);
	mark_cut(&o);
	BIO_free(mem);
}

/* The last CN: the most specific one when a subject has several. */
static void cn_text(char *dst, size_t cap, const X509_NAME *name)
{
	struct out o = { dst, cap, 0 };
	int i = -1, last = -1;
	unsigned char *utf8 = NULL;

	dst[0] = '\0';
	while ((i = X509_NAME_get_index_by_NID(name, NID_commonName, i)) >= 0)
		last = i;
	if (last < 0)
		return;
	int n = ASN1_STRING_to_UTF8(&utf8, X509_NAME_ENTRY_get_data(X509_NAME_get_entry(name, last)));
	if (n > 0)
		put_clean(&o, utf8, (size_t)n);
	mark_cut(&o);
	OPENSSL_free(utf8);
}

static int time_text(const ASN1_TIME *t, char *iso, size_t cap, int64_t *secs)
{
	struct tm tm;

	if (!t || !ASN1_TIME_to_tm(t, &tm))
		return -EINVAL;
	strftime(iso, cap, "%Y-%m-%dT%H:%M:%SZ", &tm);
	*secs = (int64_t)timegm(&tm);
	return 0;
}

static void serial_text(char *dst, size_t cap, X509 *x)
{
	BIGNUM *bn = ASN1_INTEGER_to_BN(X509_get0_serialNumber(x), NULL);
	char *hex = bn ? BN_bn2hex(bn) : NULL;
	struct out o = { dst, cap, 0 };

	dst[0] = '\0';
	if (hex)
		put(&o, "%s", hex);
	mark_cut(&o);
	OPENSSL_free(hex);
	BN_free(bn);
}

static void key_facts(struct cert_facts *f, X509 *x)
{
	EVP_PKEY *pk = X509_get0_pubkey(x);

	if (!pk) {
		snprintf(f->key, sizeof(f->key), "unknown");
		return;
	}
	int id = EVP_PKEY_get_base_id(pk);
	const char *type = EVP_PKEY_get0_type_name(pk);
	if (!type)
		type = OBJ_nid2sn(id);
	f->key_bits = EVP_PKEY_get_bits(pk);
	f->key_rsa = id == EVP_PKEY_RSA || id == EVP_PKEY_RSA_PSS;
	f->key_ec = id == EVP_PKEY_EC;
	snprintf(f->key, sizeof(f->key), "%s-%d", type ? type : "unknown", f->key_bits);
}

static void signature_facts(struct cert_facts *f, X509 *x)
{
	const X509_ALGOR *alg = NULL;
	const ASN1_OBJECT *obj = NULL;
	int md = NID_undef;

	X509_get0_signature(NULL, &alg, x);
	if (alg)
		X509_ALGOR_get0(&obj, NULL, NULL, alg);
	if (!obj || OBJ_obj2txt(f->signature_algorithm, sizeof(f->signature_algorithm), obj, 0) <= 0)
		snprintf(f->signature_algorithm, sizeof(f->signature_algorithm), "unknown");
	OBJ_find_sigid_algs(X509_get_signature_nid(x), &md, NULL);
	f->sha1_signature = md == NID_sha1 || md == NID_md5 || md == NID_md5_sha1 ||
			    md == NID_md4 || md == NID_md2;
}

static void key_usage_text(struct cert_facts *f, X509 *x)
{
	static const struct {
		uint32_t bit;
		const char *name;
	} bits[] = {
		{ KU_DIGITAL_SIGNATURE, "digitalSignature" }, { KU_NON_REPUDIATION, "nonRepudiation" },
		{ KU_KEY_ENCIPHERMENT, "keyEncipherment" },   { KU_DATA_ENCIPHERMENT, "dataEncipherment" },
		{ KU_KEY_AGREEMENT, "keyAgreement" },	      { KU_KEY_CERT_SIGN, "keyCertSign" },
		{ KU_CRL_SIGN, "cRLSign" },		      { KU_ENCIPHER_ONLY, "encipherOnly" },
		{ KU_DECIPHER_ONLY, "decipherOnly" },
	};
	struct out o = { f->key_usage, sizeof(f->key_usage), 0 };

	f->key_usage[0] = '\0';
	if (!(X509_get_extension_flags(x) & EXFLAG_KUSAGE))
		return;
	uint32_t ku = X509_get_key_usage(x);
	for (size_t i = 0; i < sizeof(bits) / sizeof(bits[0]); i++)
		if (ku & bits[i].bit)
			put(&o, "%s%s", o.len ? ", " : "", bits[i].name);
	mark_cut(&o);
}

/* The listed purposes by name (dotted OID when OpenSSL has none); the flags as
 * OpenSSL's purpose checks read them, so anyExtendedKeyUsage grants neither. */
static void eku_facts(struct cert_facts *f, X509 *x)
{
	struct out o = { f->extended_key_usage, sizeof(f->extended_key_usage), 0 };
	EXTENDED_KEY_USAGE *eku = X509_get_ext_d2i(x, NID_ext_key_usage, NULL, NULL);
	char oid[80];

	f->extended_key_usage[0] = '\0';
	f->eku_present = X509_get_extension_flags(x) & EXFLAG_XKUSAGE;
	if (f->eku_present) {
		uint32_t xku = X509_get_extended_key_usage(x);
		f->eku_server_auth = xku & XKU_SSL_SERVER;
		f->eku_client_auth = xku & XKU_SSL_CLIENT;
	}
	for (int i = 0; eku && i < sk_ASN1_OBJECT_num(eku); i++) {
		const ASN1_OBJECT *obj = sk_ASN1_OBJECT_value(eku, i);
		int nid = OBJ_obj2nid(obj);
		const char *name = nid != NID_undef ? OBJ_nid2sn(nid) : NULL;
		if (!name && OBJ_obj2txt(oid, sizeof(oid), obj, 1) > 0)
			name = oid;
		put(&o, "%s%s", o.len ? ", " : "", name ? name : "?");
	}
	mark_cut(&o);
	sk_ASN1_OBJECT_pop_free(eku, ASN1_OBJECT_free);
}

static void san_text(char *san, size_t cap, X509 *x)
{
	struct out o = { san, cap, 0 };
	GENERAL_NAMES *gens = X509_get_ext_d2i(x, NID_subject_alt_name, NULL, NULL);

	san[0] = '\0';
	for (int i = 0; gens && i < sk_GENERAL_NAME_num(gens); i++) {
		int type;
		void *v = GENERAL_NAME_get0_value(sk_GENERAL_NAME_value(gens, i), &type);
		/* only these four types hold a string; the others are other structures */
		bool is_str = v && (type == GEN_DNS || type == GEN_EMAIL || type == GEN_URI ||
				    type == GEN_IPADD);
		const unsigned char *d = is_str ? ASN1_STRING_get0_data(v) : NULL;
		int len = is_str ? ASN1_STRING_length(v) : 0;
		char ip[INET6_ADDRSTRLEN] = "?";

		put(&o, "%s", o.len ? ", " : "");
		switch (is_str ? type : -1) {
		case GEN_DNS:
		case GEN_EMAIL:
		case GEN_URI:
			put(&o, "%s:", type == GEN_DNS ? "DNS" : type == GEN_EMAIL ? "email" : "URI");
			/* ", " separates entries: a value holding one could forge another */
			put_clean_but(&o, d, (size_t)len, ",");
			break;
		case GEN_IPADD:
			if (len == 4 || len == 16)
				inet_ntop(len == 4 ? AF_INET : AF_INET6, d, ip, sizeof(ip));
			put(&o, "IP:%s", ip);
			break;
		default:
			put(&o, "%s", type == GEN_DIRNAME ? "DirName" : "other");
			break;
		}
	}
	mark_cut(&o);
	GENERAL_NAMES_free(gens);
}

static void fingerprint(struct cert_facts *f, X509 *x)
{
	unsigned char md[EVP_MAX_MD_SIZE];
	unsigned int n = 0;
	struct out o = { f->sha256, sizeof(f->sha256), 0 };

	f->sha256[0] = '\0';
	if (!X509_digest(x, EVP_sha256(), md, &n))
		return;
	for (unsigned i = 0; i < n; i++)
		put(&o, "%s%02X", i ? ":" : "", md[i]);
}

int certfacts_from_x509(struct cert_facts *f, struct x509_st *x, time_t now)
{
	if (!f || !x)
		return -EINVAL;
	memset(f, 0, sizeof(*f));
	/* errors raised while looking are ours to drop, not the caller's */
	ERR_set_mark();
	int rc = time_text(X509_get0_notBefore(x), f->not_before, sizeof(f->not_before),
			   &f->not_before_t);
	if (!rc)
		rc = time_text(X509_get0_notAfter(x), f->not_after, sizeof(f->not_after),
			       &f->not_after_t);
	if (!rc) {
		f->days_left = (double)(f->not_after_t - (int64_t)now) / DAY_S;
		f->days_to_start = (double)(f->not_before_t - (int64_t)now) / DAY_S;
		f->expired = (int64_t)now > f->not_after_t;
		f->not_yet_valid = (int64_t)now < f->not_before_t;

		name_text(f->subject, sizeof(f->subject), X509_get_subject_name(x));
		name_text(f->issuer, sizeof(f->issuer), X509_get_issuer_name(x));
		cn_text(f->subject_cn, sizeof(f->subject_cn), X509_get_subject_name(x));
		serial_text(f->serial, sizeof(f->serial), x);
		key_facts(f, x);
		signature_facts(f, x);
		key_usage_text(f, x);
		eku_facts(f, x);
		san_text(f->san, sizeof(f->san), x);
		f->is_ca = X509_get_extension_flags(x) & EXFLAG_CA;
		f->self_signed = X509_self_signed(x, 1) == 1;
		fingerprint(f, x);
	}
	ERR_pop_to_mark();
	return rc;
}

void certfacts_names(struct x509_st *x, char *cn, size_t cn_cap, char *san, size_t san_cap)
{
	ERR_set_mark();
	cn_text(cn, cn_cap, X509_get_subject_name(x));
	san_text(san, san_cap, x);
	ERR_pop_to_mark();
}

/* ---- files ---- */

static void set_err(char *err, size_t errlen, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
static void set_err(char *err, size_t errlen, const char *fmt, ...)
{
	if (!err || errlen == 0)
		return;
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(err, errlen, fmt, ap);
	va_end(ap);
}

/* The whole file in memory: PEM or DER is decided by looking at it. */
static int slurp(const char *path, unsigned char **data, size_t *len, char *err, size_t errlen)
{
	FILE *fp = fopen(path, "rb");
	unsigned char *buf = NULL;
	size_t n = 0;
	int rc = 0;

	if (!fp) {
		set_err(err, errlen, "cannot open %s: %s", path, strerror(errno));
		return -errno;
	}
	if (!(buf = malloc(FILE_MAX + 1))) {
		set_err(err, errlen, "cannot read %s: out of memory", path);
		rc = -ENOMEM;
		goto out;
	}
	n = fread(buf, 1, FILE_MAX + 1, fp);
	if (ferror(fp)) {
		int e = errno ? errno : EIO;
		set_err(err, errlen, "cannot read %s: %s", path, strerror(e));
		rc = -e;
	} else if (n > FILE_MAX) {
		set_err(err, errlen, "%s: larger than %u MiB, not a certificate file", path,
			FILE_MAX >> 20);
		rc = -EFBIG;
	}
out:
	fclose(fp);
	if (rc) {
		free(buf);
		return rc;
	}
	*data = buf;
	*len = n;
	return 0;
}

/* One OpenSSL reason for a message, and the queue back as it was. */
static const char *ossl_reason(char *buf, size_t cap)
{
	unsigned long e = ERR_peek_last_error();

	snprintf(buf, cap, "unknown error");
	if (e)
		ERR_error_string_n(e, buf, cap);
	return buf;
}

int certfacts_read_pem(const char *path, struct cert_facts *out, unsigned max, unsigned *n,
		       time_t now, char *err, size_t errlen)
{
	unsigned char *data = NULL;
	size_t len = 0;
	BIO *bio = NULL;
	char reason[256];
	unsigned count = 0;
	int rc;

	set_err(err, errlen, "%s", "");
	if (n)
		*n = 0;
	if (!path || !out || !n) {
		set_err(err, errlen, "no file given");
		return -EINVAL;
	}
	if ((rc = slurp(path, &data, &len, err, errlen)))
		return rc;

	ERR_set_mark();
	if (!memmem(data, len, "-----BEGIN ", 11)) {
		/* DER: one certificate that must fill the whole file */
		const unsigned char *p = data;
		X509 *x = d2i_X509(NULL, &p, (long)len);
		if (!x || p != data + len || len == 0) {
			set_err(err, errlen, "%s: not a PEM or DER certificate", path);
			rc = -EBADMSG;
		} else if (max == 0) {
			set_err(err, errlen, "%s: more than %u certificates", path, max);
			rc = -E2BIG;
		} else if (!(rc = certfacts_from_x509(&out[0], x, now))) {
			count = 1;
		} else {
			set_err(err, errlen, "%s: unreadable certificate dates", path);
		}
		X509_free(x);
		goto out;
	}

	if (!(bio = BIO_new_mem_buf(data, (int)len))) {
		set_err(err, errlen, "cannot read %s: out of memory", path);
		rc = -ENOMEM;
		goto out;
	}
	for (;;) {
		X509 *x = PEM_read_bio_X509(bio, NULL, NULL, NULL);
		if (!x) {
			unsigned long e = ERR_peek_last_error();
			bool end = ERR_GET_LIB(e) == ERR_LIB_PEM &&
				   ERR_GET_REASON(e) == PEM_R_NO_START_LINE;
			if (end && count > 0)
				break;
			if (end)
				set_err(err, errlen, "%s: no certificate in it", path);
			else
				set_err(err, errlen, "%s: certificate %u: %s", path, count + 1,
					ossl_reason(reason, sizeof(reason)));
			rc = -EBADMSG;
			break;
		}
		if (count == max) {
			X509_free(x);
			set_err(err, errlen, "%s: more than %u certificates", path, max);
			rc = -E2BIG;
			break;
		}
		rc = certfacts_from_x509(&out[count], x, now);
		X509_free(x);
		if (rc) {
			set_err(err, errlen, "%s: certificate %u: unreadable dates", path, count + 1);
			break;
		}
		count++;
	}
out:
	ERR_pop_to_mark();
	BIO_free(bio);
	free(data);
	if (rc)
		return rc;
	*n = count;
	return 0;
}

/* ---- the text block ---- */

static void put_days(struct out *o, double days, bool past)
{
	long d = (long)days;

	if (d == 0)
		put(o, "%s", past ? "less than a day ago" : "less than a day");
	else
		put(o, "%ld day%s%s", d, d == 1 ? "" : "s", past ? " ago" : "");
}

int certfacts_format(char *buf, size_t cap, const struct cert_facts *f, const char *indent)
{
	struct out o = { buf, cap, 0 };
	const char *in = indent ? indent : "";

	if (cap)
		buf[0] = '\0';
	put(&o, "%ssubject: %s\n", in, f->subject);
	put(&o, "%sissuer: %s\n", in, f->issuer);
	put(&o, "%sserial: %s\n", in, f->serial);
	put(&o, "%snot before: %s", in, f->not_before);
	if (f->not_yet_valid) {
		put(&o, " (NOT YET VALID: starts in ");
		put_days(&o, f->days_to_start, false);
		put(&o, ")");
	}
	put(&o, "\n%snot after: %s (", in, f->not_after);
	if (f->expired) {
		put(&o, "EXPIRED ");
		put_days(&o, -f->days_left, true);
	} else {
		put_days(&o, f->days_left, false);
		put(&o, " left");
	}
	put(&o, ")\n%skey: %s\n", in, f->key);
	put(&o, "%ssignature: %s%s\n", in, f->signature_algorithm,
	    f->sha1_signature ? " (weak digest: refused at security level 1 and above)" : "");
	put(&o, "%sSAN: %s\n", in, f->san[0] ? f->san : "none");
	put(&o, "%skey usage: %s\n", in, f->key_usage[0] ? f->key_usage : "none (not restricted)");
	put(&o, "%sextended key usage: %s\n", in,
	    f->eku_present ? f->extended_key_usage : "none (not restricted)");
	put(&o, "%sCA: %s\n", in, f->is_ca ? "yes" : "no");
	put(&o, "%sself-signed: %s\n", in, f->self_signed ? "yes" : "no");
	put(&o, "%ssha256: %s\n", in, f->sha256);
	return (int)o.len;
}
