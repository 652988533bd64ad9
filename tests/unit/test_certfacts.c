/* certfacts: the facts of every lab certificate against OpenSSL's own answers, reading
 * chains, DER and bad files, the text block, and hostile certificate text. */
#include "certfacts.h"
#include "pki.h"
#include "tl_test.h"

#include <errno.h>
#include <ftw.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <openssl/bn.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#define SERVER_NAME "trunk-b.example.com"
#define CLIENT_NAME "trunk-a.example.com"
#define CA_SUBJECT "CN=trunkload lab CA,O=trunkload lab"
#define OTHER_SUBJECT "CN=trunkload untrusted CA,O=trunkload lab"
#define SERVER_SUBJECT "CN=" SERVER_NAME ",O=trunkload lab"
#define CLIENT_SUBJECT "CN=" CLIENT_NAME ",O=trunkload lab"
#define SERVER_SAN "DNS:" SERVER_NAME ", DNS:localhost, IP:127.0.0.1, IP:::1"
#define CLIENT_SAN "DNS:" CLIENT_NAME
#define DAY_S 86400
#define FORMAT_LINES 13 /* subject ... sha256 */

/* ---- helpers ---- */

static int rm_entry(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	(void)st, (void)flag, (void)ftw;
	return remove(path);
}

static void rm_tree(const char *dir)
{
	CU_ASSERT_EQUAL(nftw(dir, rm_entry, 8, FTW_DEPTH | FTW_PHYS), 0);
}

/* A temporary directory holding an EC lab set. */
static void make_lab(char *tmp, size_t len)
{
	char err[256];
	snprintf(tmp, len, "/tmp/tl_certfacts_XXXXXX");
	CU_ASSERT_PTR_NOT_NULL_FATAL(mkdtemp(tmp));
	CU_ASSERT_EQUAL_FATAL(pki_make_lab(tmp, PKI_KEY_EC, SERVER_NAME, CLIENT_NAME, false, err,
					   sizeof(err)), 0);
}

static void join(char *out, size_t len, const char *dir, const char *file)
{
	CU_ASSERT_FATAL((size_t)snprintf(out, len, "%s/%s", dir, file) < len);
}

static X509 *load_cert(const char *path)
{
	FILE *fp = fopen(path, "r");
	CU_ASSERT_PTR_NOT_NULL_FATAL(fp);
	X509 *x = PEM_read_X509(fp, NULL, NULL, NULL);
	fclose(fp);
	CU_ASSERT_PTR_NOT_NULL_FATAL(x);
	return x;
}

static void write_file(const char *path, const void *data, size_t len)
{
	FILE *fp = fopen(path, "wb");
	CU_ASSERT_PTR_NOT_NULL_FATAL(fp);
	CU_ASSERT_EQUAL(fwrite(data, 1, len, fp), len);
	fclose(fp);
}

static size_t read_file(const char *path, char *buf, size_t cap)
{
	FILE *fp = fopen(path, "rb");
	CU_ASSERT_PTR_NOT_NULL_FATAL(fp);
	size_t n = fread(buf, 1, cap - 1, fp);
	buf[n] = '\0';
	fclose(fp);
	return n;
}

/* The fingerprint as the facts should show it, computed here with X509_digest. */
static void sha256_text(X509 *x, char *out, size_t cap)
{
	unsigned char md[EVP_MAX_MD_SIZE];
	unsigned int n = 0;
	size_t len = 0;

	CU_ASSERT_FATAL(X509_digest(x, EVP_sha256(), md, &n) == 1 && n == 32);
	out[0] = '\0';
	for (unsigned i = 0; i < n; i++)
		len += (size_t)snprintf(out + len, cap - len, "%s%02X", i ? ":" : "", md[i]);
}

static unsigned count_char(const char *s, char c)
{
	unsigned n = 0;
	for (; *s; s++)
		n += *s == c;
	return n;
}

/* ---- every lab certificate ---- */

static const struct lab_case {
	const char *file;
	const char *subject, *issuer, *cn, *san;
	int days_sign; /* sign of days_left */
	bool expired, not_yet_valid;
	const char *key;
	const char *sig;
	bool sha1;
	const char *ku, *eku;
	bool server_auth, client_auth;
	bool is_ca, self_signed;
} lab_cases[] = {
	{ "ca.crt", CA_SUBJECT, CA_SUBJECT, "trunkload lab CA", "", 1, false, false, "EC-256",
	  "ecdsa-with-SHA256", false, "keyCertSign, cRLSign", "", false, false, true, true },
	{ "ca-other.crt", OTHER_SUBJECT, OTHER_SUBJECT, "trunkload untrusted CA", "", 1, false,
	  false, "EC-256", "ecdsa-with-SHA256", false, "keyCertSign, cRLSign", "", false, false,
	  true, true },
	{ "server.crt", SERVER_SUBJECT, CA_SUBJECT, SERVER_NAME, SERVER_SAN, 1, false, false,
	  "EC-256", "ecdsa-with-SHA256", false, "digitalSignature", "serverAuth, clientAuth",
	  true, true, false, false },
	{ "client.crt", CLIENT_SUBJECT, CA_SUBJECT, CLIENT_NAME, CLIENT_SAN, 1, false, false,
	  "EC-256", "ecdsa-with-SHA256", false, "digitalSignature", "serverAuth, clientAuth",
	  true, true, false, false },
	{ "server-expired.crt", SERVER_SUBJECT, CA_SUBJECT, SERVER_NAME, SERVER_SAN, -1, true,
	  false, "EC-256", "ecdsa-with-SHA256", false, "digitalSignature",
	  "serverAuth, clientAuth", true, true, false, false },
	{ "client-notyet.crt", CLIENT_SUBJECT, CA_SUBJECT, CLIENT_NAME, CLIENT_SAN, 1, false,
	  true, "EC-256", "ecdsa-with-SHA256", false, "digitalSignature",
	  "serverAuth, clientAuth", true, true, false, false },
	{ "server-wrongname.crt", "CN=wrong.trunkload.test,O=trunkload lab", CA_SUBJECT,
	  "wrong.trunkload.test", "DNS:wrong.trunkload.test", 1, false, false, "EC-256",
	  "ecdsa-with-SHA256", false, "digitalSignature", "serverAuth, clientAuth", true, true,
	  false, false },
	{ "client-selfsigned.crt", CLIENT_SUBJECT, CLIENT_SUBJECT, CLIENT_NAME, CLIENT_SAN, 1,
	  false, false, "EC-256", "ecdsa-with-SHA256", false, "digitalSignature",
	  "serverAuth, clientAuth", true, true, false, true },
	{ "server-untrusted.crt", SERVER_SUBJECT, OTHER_SUBJECT, SERVER_NAME, SERVER_SAN, 1,
	  false, false, "EC-256", "ecdsa-with-SHA256", false, "digitalSignature",
	  "serverAuth, clientAuth", true, true, false, false },
	{ "server-legacy.crt", SERVER_SUBJECT, CA_SUBJECT, SERVER_NAME, SERVER_SAN, 1, false,
	  false, "RSA-1024", "ecdsa-with-SHA1", true, "digitalSignature, keyEncipherment",
	  "serverAuth, clientAuth", true, true, false, false },
	{ "client-rsa2048.crt", CLIENT_SUBJECT, CA_SUBJECT, CLIENT_NAME, CLIENT_SAN, 1, false,
	  false, "RSA-2048", "ecdsa-with-SHA256", false, "digitalSignature, keyEncipherment",
	  "serverAuth, clientAuth", true, true, false, false },
};

static void check_lab_case(const char *dir, const struct lab_case *lc, time_t now)
{
	char path[PATH_MAX], err[256] = "x", want[128];
	struct cert_facts f[CERTFACTS_MAX_CHAIN];
	unsigned n = 99;

	join(path, sizeof(path), dir, lc->file);
	CU_ASSERT_EQUAL_FATAL(certfacts_read_pem(path, f, CERTFACTS_MAX_CHAIN, &n, now, err,
						 sizeof(err)), 0);
	CU_ASSERT_STRING_EQUAL(err, "");
	CU_ASSERT_EQUAL_FATAL(n, 1);
	CU_ASSERT_STRING_EQUAL(f->subject, lc->subject);
	CU_ASSERT_STRING_EQUAL(f->issuer, lc->issuer);
	CU_ASSERT_STRING_EQUAL(f->subject_cn, lc->cn);
	CU_ASSERT_STRING_EQUAL(f->san, lc->san);
	CU_ASSERT_EQUAL(f->days_left > 0 ? 1 : -1, lc->days_sign);
	CU_ASSERT_EQUAL(f->expired, lc->expired);
	CU_ASSERT_EQUAL(f->not_yet_valid, lc->not_yet_valid);
	CU_ASSERT_EQUAL(f->days_to_start > 0, lc->not_yet_valid);
	CU_ASSERT_STRING_EQUAL(f->key, lc->key);
	CU_ASSERT_EQUAL(f->key_ec, !strncmp(lc->key, "EC-", 3));
	CU_ASSERT_EQUAL(f->key_rsa, !strncmp(lc->key, "RSA-", 4));
	CU_ASSERT_EQUAL(f->key_bits, atoi(strchr(lc->key, '-') + 1));
	CU_ASSERT_STRING_EQUAL(f->signature_algorithm, lc->sig);
	CU_ASSERT_EQUAL(f->sha1_signature, lc->sha1);
	CU_ASSERT_STRING_EQUAL(f->key_usage, lc->ku);
	CU_ASSERT_STRING_EQUAL(f->extended_key_usage, lc->eku);
	CU_ASSERT_EQUAL(f->eku_present, lc->eku[0] != '\0');
	CU_ASSERT_EQUAL(f->eku_server_auth, lc->server_auth);
	CU_ASSERT_EQUAL(f->eku_client_auth, lc->client_auth);
	CU_ASSERT_EQUAL(f->is_ca, lc->is_ca);
	CU_ASSERT_EQUAL(f->self_signed, lc->self_signed);

	/* serial, dates and fingerprint against OpenSSL's own reading */
	X509 *x = load_cert(path);
	sha256_text(x, want, sizeof(want));
	CU_ASSERT_STRING_EQUAL(f->sha256, want);
	BIGNUM *bn = ASN1_INTEGER_to_BN(X509_get0_serialNumber(x), NULL);
	char *hex = BN_bn2hex(bn);
	CU_ASSERT_STRING_EQUAL(f->serial, hex);
	OPENSSL_free(hex);
	BN_free(bn);
	/* measured from the same instant the facts were read at: on a loaded machine
	 * making the lab takes seconds, so "now" at this line is another time */
	int days, secs;
	ASN1_TIME *then = ASN1_TIME_set(NULL, now);
	CU_ASSERT_FATAL(then != NULL);
	CU_ASSERT_FATAL(ASN1_TIME_diff(&days, &secs, then, X509_get0_notAfter(x)));
	CU_ASSERT_EQUAL(f->not_after_t, (int64_t)now + days * (int64_t)DAY_S + secs);
	CU_ASSERT_FATAL(ASN1_TIME_diff(&days, &secs, then, X509_get0_notBefore(x)));
	CU_ASSERT_EQUAL(f->not_before_t, (int64_t)now + days * (int64_t)DAY_S + secs);
	ASN1_TIME_free(then);
	struct tm tm;
	CU_ASSERT_FATAL(ASN1_TIME_to_tm(X509_get0_notAfter(x), &tm));
	strftime(want, sizeof(want), "%Y-%m-%dT%H:%M:%SZ", &tm);
	CU_ASSERT_STRING_EQUAL(f->not_after, want);
	X509_free(x);
}

static void test_lab_facts(void)
{
	char tmp[64];
	time_t now = time(NULL);

	make_lab(tmp, sizeof(tmp));
	for (size_t i = 0; i < sizeof(lab_cases) / sizeof(lab_cases[0]); i++)
		check_lab_case(tmp, &lab_cases[i], now);
	rm_tree(tmp);
}

/* ---- files: chains, DER, and files that are not certificates ---- */

static void test_read_files(void)
{
	char tmp[64], path[PATH_MAX], err[256], buf[8192];
	struct cert_facts f[CERTFACTS_MAX_CHAIN];
	unsigned n;
	time_t now = time(NULL);

	make_lab(tmp, sizeof(tmp));

	/* a chain: leaf then CA, in file order */
	char chain[8192];
	join(path, sizeof(path), tmp, "server.crt");
	size_t len = read_file(path, chain, sizeof(chain));
	join(path, sizeof(path), tmp, "ca.crt");
	len += read_file(path, chain + len, sizeof(chain) - len);
	join(path, sizeof(path), tmp, "chain.pem");
	write_file(path, chain, len);
	CU_ASSERT_EQUAL_FATAL(certfacts_read_pem(path, f, CERTFACTS_MAX_CHAIN, &n, now, err,
						 sizeof(err)), 0);
	CU_ASSERT_EQUAL_FATAL(n, 2);
	CU_ASSERT_STRING_EQUAL(f[0].subject, SERVER_SUBJECT);
	CU_ASSERT_STRING_EQUAL(f[1].subject, CA_SUBJECT);
	CU_ASSERT_STRING_EQUAL(f[0].issuer, f[1].subject);

	/* one slot for two certificates */
	n = 7;
	CU_ASSERT_EQUAL(certfacts_read_pem(path, f, 1, &n, now, err, sizeof(err)), -E2BIG);
	CU_ASSERT_PTR_NOT_NULL(strstr(err, path));
	CU_ASSERT_EQUAL(n, 0);

	/* a key and a certificate in one file: the key is skipped */
	join(path, sizeof(path), tmp, "client.key");
	len = read_file(path, buf, sizeof(buf));
	join(path, sizeof(path), tmp, "client.crt");
	len += read_file(path, buf + len, sizeof(buf) - len);
	join(path, sizeof(path), tmp, "combined.pem");
	write_file(path, buf, len);
	CU_ASSERT_EQUAL(certfacts_read_pem(path, f, CERTFACTS_MAX_CHAIN, &n, now, err,
					   sizeof(err)), 0);
	CU_ASSERT_EQUAL(n, 1);
	CU_ASSERT_STRING_EQUAL(f[0].subject, CLIENT_SUBJECT);

	/* DER: the same facts as the PEM it came from */
	join(path, sizeof(path), tmp, "server.crt");
	X509 *x = load_cert(path);
	unsigned char *der = NULL;
	int dlen = i2d_X509(x, &der);
	CU_ASSERT_FATAL(dlen > 0);
	join(path, sizeof(path), tmp, "server.der");
	write_file(path, der, (size_t)dlen);
	CU_ASSERT_EQUAL(certfacts_read_pem(path, f, CERTFACTS_MAX_CHAIN, &n, now, err,
					   sizeof(err)), 0);
	CU_ASSERT_EQUAL(n, 1);
	sha256_text(x, buf, sizeof(buf));
	CU_ASSERT_STRING_EQUAL(f[0].sha256, buf);
	/* DER with a byte missing or one too many is not a certificate */
	write_file(path, der, (size_t)dlen - 1);
	CU_ASSERT_EQUAL(certfacts_read_pem(path, f, CERTFACTS_MAX_CHAIN, &n, now, err,
					   sizeof(err)), -EBADMSG);
	OPENSSL_free(der);
	X509_free(x);

	/* files that hold no certificate: the error names the file, on one line */
	static const struct {
		const char *file, *content;
		int rc;
		const char *in_err;
	} bad[] = {
		{ "garbage.pem", "this is not a certificate\n", -EBADMSG, "not a PEM or DER" },
		{ "empty.pem", "", -EBADMSG, "not a PEM or DER" },
		{ "damaged.pem", "-----BEGIN CERTIFICATE-----\nMIIB!!!!\n-----END CERTIFICATE-----\n",
		  -EBADMSG, "certificate 1" },
		{ "nocert.pem", "-----BEGIN PUBLIC KEY-----\nAAAA\n-----END PUBLIC KEY-----\n",
		  -EBADMSG, "no certificate" },
		{ "missing.pem", NULL, -ENOENT, "cannot open" },
	};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		join(path, sizeof(path), tmp, bad[i].file);
		if (bad[i].content)
			write_file(path, bad[i].content, strlen(bad[i].content));
		err[0] = '\0';
		n = 7;
		CU_ASSERT_EQUAL(certfacts_read_pem(path, f, CERTFACTS_MAX_CHAIN, &n, now, err,
						   sizeof(err)), bad[i].rc);
		CU_ASSERT_EQUAL(n, 0);
		CU_ASSERT_PTR_NOT_NULL(strstr(err, path));
		CU_ASSERT_PTR_NOT_NULL(strstr(err, bad[i].in_err));
		CU_ASSERT_PTR_NULL(strchr(err, '\n'));
	}
	/* a good chain followed by a damaged certificate is refused, naming which */
	join(path, sizeof(path), tmp, "chain.pem");
	len = read_file(path, chain, sizeof(chain));
	snprintf(chain + len, sizeof(chain) - len, "%s", bad[2].content);
	join(path, sizeof(path), tmp, "chain-damaged.pem");
	write_file(path, chain, strlen(chain));
	CU_ASSERT_EQUAL(certfacts_read_pem(path, f, CERTFACTS_MAX_CHAIN, &n, now, err,
					   sizeof(err)), -EBADMSG);
	CU_ASSERT_PTR_NOT_NULL(strstr(err, "certificate 3"));
	CU_ASSERT_EQUAL(ERR_peek_error(), 0); /* nothing left on the caller's queue */
	rm_tree(tmp);
}

/* ---- the text block ---- */

/* Facts of one lab file with `now` placed relative to the certificate's own dates, so
 * the day counts in the text are exact. */
static void facts_at(const char *dir, const char *file, struct cert_facts *f, bool from_start,
		     long offset_s)
{
	char path[PATH_MAX];
	struct cert_facts probe;

	join(path, sizeof(path), dir, file);
	X509 *x = load_cert(path);
	CU_ASSERT_EQUAL_FATAL(certfacts_from_x509(&probe, x, 0), 0);
	time_t now = (time_t)((from_start ? probe.not_before_t : probe.not_after_t) + offset_s);
	CU_ASSERT_EQUAL_FATAL(certfacts_from_x509(f, x, now), 0);
	X509_free(x);
}

static void test_format(void)
{
	static const struct {
		const char *file;
		bool from_start;  /* now relative to notBefore (else notAfter) */
		long offset_s;
		const char *lines[4]; /* each must appear as a whole line */
	} cases[] = {
		{ "server.crt", false, -10L * DAY_S - 60,
		  { "  subject: " SERVER_SUBJECT "\n", "  issuer: " CA_SUBJECT "\n",
		    "  SAN: " SERVER_SAN "\n", "  extended key usage: serverAuth, clientAuth\n" } },
		{ "server.crt", false, -1L * DAY_S - 60, { "(1 day left)\n", "  CA: no\n",
		  "  self-signed: no\n", "  key: EC-256\n" } },
		{ "server.crt", false, -60, { "(less than a day left)\n" } },
		{ "server-expired.crt", false, 35L * DAY_S + 60, { "(EXPIRED 35 days ago)\n" } },
		{ "client-notyet.crt", true, -30L * DAY_S - 60,
		  { "(NOT YET VALID: starts in 30 days)\n" } },
		{ "server-legacy.crt", true, 60,
		  { "  signature: ecdsa-with-SHA1 (weak digest: refused at security level 1 and above)\n",
		    "  key: RSA-1024\n", "  key usage: digitalSignature, keyEncipherment\n" } },
		{ "ca.crt", true, 60,
		  { "  SAN: none\n", "  extended key usage: none (not restricted)\n", "  CA: yes\n",
		    "  self-signed: yes\n" } },
	};
	char tmp[64], text[4096];
	struct cert_facts f;

	make_lab(tmp, sizeof(tmp));
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		facts_at(tmp, cases[i].file, &f, cases[i].from_start, cases[i].offset_s);
		int len = certfacts_format(text, sizeof(text), &f, "  ");
		CU_ASSERT_EQUAL(len, (int)strlen(text));
		CU_ASSERT_EQUAL(count_char(text, '\n'), FORMAT_LINES);
		for (size_t j = 0; j < 4 && cases[i].lines[j]; j++)
			CU_ASSERT_PTR_NOT_NULL(strstr(text, cases[i].lines[j]));
		char want[160];
		snprintf(want, sizeof(want), "  sha256: %s\n", f.sha256);
		CU_ASSERT_PTR_NOT_NULL(strstr(text, want));
		snprintf(want, sizeof(want), "  serial: %s\n", f.serial);
		CU_ASSERT_PTR_NOT_NULL(strstr(text, want));
		CU_ASSERT_EQUAL(strstr(text, "EXPIRED") != NULL, f.expired);
		CU_ASSERT_EQUAL(strstr(text, "NOT YET VALID") != NULL, f.not_yet_valid);

		/* like snprintf: the full length whatever the room, always terminated */
		char small[16];
		memset(small, 'x', sizeof(small));
		CU_ASSERT_EQUAL(certfacts_format(small, sizeof(small), &f, "  "), len);
		CU_ASSERT_EQUAL(strlen(small), sizeof(small) - 1);
		CU_ASSERT_EQUAL(certfacts_format(NULL, 0, &f, NULL), len - 2 * FORMAT_LINES);
	}
	rm_tree(tmp);
}

/* ---- hostile text in a far end's certificate ---- */

static void add_dns(GENERAL_NAMES *gens, const char *name)
{
	GENERAL_NAME *gen = GENERAL_NAME_new();
	ASN1_IA5STRING *s = ASN1_IA5STRING_new();
	CU_ASSERT_FATAL(gen && s && ASN1_STRING_set(s, name, -1));
	GENERAL_NAME_set0_value(gen, GEN_DNS, s);
	CU_ASSERT_FATAL(sk_GENERAL_NAME_push(gens, gen) > 0);
}

/* A self-signed certificate whose CN and SANs hold control characters, and so many
 * SANs that the text must be cut. */
static X509 *hostile_cert(void)
{
	EVP_PKEY *key = EVP_PKEY_Q_keygen(NULL, NULL, "EC", "P-256");
	X509 *x = X509_new();
	X509_NAME *name = X509_get_subject_name(x);
	GENERAL_NAMES *gens = sk_GENERAL_NAME_new_null();
	char dns[64];

	CU_ASSERT_FATAL(key && x && gens);
	CU_ASSERT_FATAL(X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_UTF8,
						   (const unsigned char *)"evil\nsha256: 00\x1b[2J",
						   -1, -1, 0));
	add_dns(gens, "a\r\nCA: yes");
	for (int i = 0; i < 40; i++) {
		snprintf(dns, sizeof(dns), "host-%02d.a-rather-long-domain.example", i);
		add_dns(gens, dns);
	}
	CU_ASSERT_FATAL(X509_set_issuer_name(x, name) && X509_set_pubkey(x, key) &&
			X509_gmtime_adj(X509_getm_notBefore(x), 0) &&
			X509_gmtime_adj(X509_getm_notAfter(x), DAY_S) &&
			X509_add1_ext_i2d(x, NID_subject_alt_name, gens, 0, 0) == 1 &&
			X509_sign(x, key, EVP_sha256()));
	GENERAL_NAMES_free(gens);
	EVP_PKEY_free(key);
	return x;
}

static void test_hostile(void)
{
	struct cert_facts f;
	char text[4096];
	X509 *x = hostile_cert();

	CU_ASSERT_EQUAL_FATAL(certfacts_from_x509(&f, x, time(NULL)), 0);
	CU_ASSERT_STRING_EQUAL(f.subject_cn, "evil?sha256: 00?[2J");
	CU_ASSERT_PTR_NULL(strpbrk(f.subject, "\r\n\x1b"));
	CU_ASSERT_EQUAL(strncmp(f.san, "DNS:a??CA: yes, DNS:host-00.", 28), 0);
	CU_ASSERT_EQUAL(strlen(f.san), sizeof(f.san) - 1);
	CU_ASSERT_STRING_EQUAL(f.san + sizeof(f.san) - 4, "...");
	CU_ASSERT_STRING_EQUAL(f.extended_key_usage, "");
	CU_ASSERT_FALSE(f.eku_present);
	CU_ASSERT_FALSE(f.eku_server_auth); /* absent is not "any" in the flags */
	CU_ASSERT_STRING_EQUAL(f.key_usage, "");
	CU_ASSERT_TRUE(f.self_signed);
	CU_ASSERT_FALSE(f.is_ca);
	certfacts_format(text, sizeof(text), &f, NULL);
	CU_ASSERT_EQUAL(count_char(text, '\n'), FORMAT_LINES);
	CU_ASSERT_PTR_NULL(strpbrk(text, "\r\x1b"));
	CU_ASSERT_PTR_NOT_NULL(strstr(text, "\nkey usage: none (not restricted)\n"));
	X509_free(x);

	CU_ASSERT_EQUAL(certfacts_from_x509(&f, NULL, 0), -EINVAL);
}

int main(void)
{
	static const struct tl_case cases[] = {
		{ "lab certificates: every fact against OpenSSL", test_lab_facts },
		{ "files: chain, key+cert, DER, bad files", test_read_files },
		{ "format: lines, day counts, flags, length", test_format },
		{ "hostile text: control characters, cut lists", test_hostile },
	};
	return tl_run("certfacts", TL_CASES(cases));
}
