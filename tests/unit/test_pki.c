/* pki_make_lab: files and modes, chain, names, usages, keys, signatures, and a real
 * mutual-TLS handshake over a BIO pair with the certificates it wrote; the negative-test
 * variants and the X509 error each one draws; pki_make_csr. */
#include "pki.h"
#include "tl_test.h"

#include <arpa/inet.h>
#include <dirent.h>
#include <errno.h>
#include <ftw.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <openssl/bn.h>
#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#define SERVER_NAME "trunk-b.example.com"
#define CLIENT_NAME "trunk-a.example.com"
#define DAY_S (24L * 3600)

/* One row per key kind: what the certificates must carry and how TLS takes them. */
struct kind_case {
	enum pki_key_kind kind;
	int key_id;
	int bits;
	int sig_nid;
	int verify_ok_at_auth_level_2; /* X509_verify_cert with auth level 2 */
	int tls_level;		 /* level at which the handshake must succeed; -1: default */
	int loads_at_level_2;	 /* SSL_CTX_use_certificate at level 2 */
	int legacy_sig_nid;	 /* ROLE-legacy: SHA-1 under the CA's own algorithm */
	int rsa2048_sig_nid;	 /* ROLE-rsa2048: SHA-256 under the CA's own algorithm */
};

static const struct kind_case kinds[] = {
	{ PKI_KEY_EC, EVP_PKEY_EC, 256, NID_ecdsa_with_SHA256, 1, -1, 1, NID_ecdsa_with_SHA1,
	  NID_ecdsa_with_SHA256 },
	{ PKI_KEY_RSA2048, EVP_PKEY_RSA, 2048, NID_sha256WithRSAEncryption, 1, -1, 1,
	  NID_sha1WithRSAEncryption, NID_sha256WithRSAEncryption },
	{ PKI_KEY_RSA1024, EVP_PKEY_RSA, 1024, NID_sha1WithRSAEncryption, 0, 0, 0,
	  NID_sha1WithRSAEncryption, NID_sha256WithRSAEncryption },
};

/* Every file pki_make_lab writes, in pki_lab_name order. */
static const char *const files[] = {
	"ca.crt", "ca.key", "server.crt", "server.key", "client.crt", "client.key",
	"ca-other.crt", "ca-other.key", "ica.crt", "ica.key",
	"server-expired.crt", "server-expired.key", "server-notyet.crt", "server-notyet.key",
	"server-wrongname.crt", "server-wrongname.key", "server-selfsigned.crt",
	"server-selfsigned.key", "server-untrusted.crt", "server-untrusted.key",
	"server-legacy.crt", "server-legacy.key", "server-rsa2048.crt", "server-rsa2048.key",
	"client-expired.crt", "client-expired.key", "client-notyet.crt", "client-notyet.key",
	"client-wrongname.crt", "client-wrongname.key", "client-selfsigned.crt",
	"client-selfsigned.key", "client-untrusted.crt", "client-untrusted.key",
	"client-legacy.crt", "client-legacy.key", "client-rsa2048.crt", "client-rsa2048.key",
	"server-ica.crt", "server-ica.key", "client-ica.crt", "client-ica.key",
	"server-revoked.crt", "server-revoked.key", "client-revoked.crt", "client-revoked.key",
	"server-cnonly.crt", "server-cnonly.key", "server-serverauth-only.crt",
	"server-serverauth-only.key", "client-serverauth-only.crt", "client-serverauth-only.key",
};
/* and the other files, in pki_lab_extra order */
static const char *const extra_files[] = { "server-ica-chain.crt", "client-ica-chain.crt",
					   "crl.pem" };
#define N_EXTRA (sizeof(extra_files) / sizeof(extra_files[0]))
#define N_FILES (sizeof(files) / sizeof(files[0]))

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

static void make_tmp(char *tmp, size_t len)
{
	snprintf(tmp, len, "/tmp/tl_pki_XXXXXX");
	CU_ASSERT_PTR_NOT_NULL_FATAL(mkdtemp(tmp));
}

static void join(char *out, size_t len, const char *dir, const char *file)
{
	CU_ASSERT_FATAL((size_t)snprintf(out, len, "%s/%s", dir, file) < len);
}

static mode_t file_mode(const char *dir, const char *file)
{
	char path[PATH_MAX];
	struct stat st;

	join(path, sizeof(path), dir, file);
	if (stat(path, &st) < 0)
		return (mode_t)-1;
	return st.st_mode & 07777;
}

static X509 *load_cert(const char *dir, const char *file)
{
	char path[PATH_MAX];
	join(path, sizeof(path), dir, file);
	FILE *fp = fopen(path, "r");
	CU_ASSERT_PTR_NOT_NULL_FATAL(fp);
	X509 *x = PEM_read_X509(fp, NULL, NULL, NULL);
	fclose(fp);
	CU_ASSERT_PTR_NOT_NULL_FATAL(x);
	return x;
}

/* Also checks the file is unencrypted PKCS#8 ("BEGIN PRIVATE KEY"). */
static EVP_PKEY *load_key(const char *dir, const char *file)
{
	char path[PATH_MAX], first[64] = "";
	join(path, sizeof(path), dir, file);
	FILE *fp = fopen(path, "r");
	CU_ASSERT_PTR_NOT_NULL_FATAL(fp);
	CU_ASSERT_PTR_NOT_NULL(fgets(first, sizeof(first), fp));
	CU_ASSERT_STRING_EQUAL(first, "-----BEGIN PRIVATE KEY-----\n");
	rewind(fp);
	EVP_PKEY *k = PEM_read_PrivateKey(fp, NULL, NULL, NULL);
	fclose(fp);
	CU_ASSERT_PTR_NOT_NULL_FATAL(k);
	return k;
}

/* X509_verify_cert of leaf against ca alone, for the given purpose and auth level:
 * the X509_V_ERR code (X509_V_OK when it verifies; -1 when the check could not run). */
static int verify_err(X509 *ca, X509 *leaf, int purpose, int auth_level)
{
	X509_STORE *store = X509_STORE_new();
	X509_STORE_CTX *ctx = X509_STORE_CTX_new();
	int e = -1;

	if (store && ctx && X509_STORE_add_cert(store, ca) &&
	    X509_STORE_CTX_init(ctx, store, leaf, NULL) &&
	    X509_STORE_CTX_set_purpose(ctx, purpose)) {
		X509_VERIFY_PARAM_set_auth_level(X509_STORE_CTX_get0_param(ctx), auth_level);
		int ok = X509_verify_cert(ctx) == 1;
		e = X509_STORE_CTX_get_error(ctx);
		if (ok != (e == X509_V_OK))
			e = -1;
	}
	X509_STORE_CTX_free(ctx);
	X509_STORE_free(store);
	ERR_clear_error();
	return e;
}

static int verify(X509 *ca, X509 *leaf, int purpose, int auth_level)
{
	return verify_err(ca, leaf, purpose, auth_level) == X509_V_OK;
}

static void name_entry(X509_NAME *name, int nid, char *buf, int len)
{
	buf[0] = '\0';
	X509_NAME_get_text_by_NID(name, nid, buf, len);
}

static int ext_critical(X509 *x, int nid)
{
	int i = X509_get_ext_by_NID(x, nid, -1);
	return i < 0 ? -1 : X509_EXTENSION_get_critical(X509_get_ext(x, i));
}

/* Seconds from now to t (negative when t is past). */
static long secs_from_now(const ASN1_TIME *t)
{
	int days = 0, secs = 0;
	CU_ASSERT_FATAL(ASN1_TIME_diff(&days, &secs, NULL, t));
	return days * DAY_S + secs;
}

/* ---- TLS over a BIO pair ---- */

/* Makes a context with this side's cert/key that trusts ca.crt and demands the peer's
 * certificate. level < 0 keeps the library default. NULL if the cert does not load. */
static SSL_CTX *tls_ctx(const char *dir, int server, int level)
{
	char crt[PATH_MAX], key[PATH_MAX], ca[PATH_MAX];
	SSL_CTX *ctx = SSL_CTX_new(server ? TLS_server_method() : TLS_client_method());

	CU_ASSERT_PTR_NOT_NULL_FATAL(ctx);
	join(crt, sizeof(crt), dir, server ? "server.crt" : "client.crt");
	join(key, sizeof(key), dir, server ? "server.key" : "client.key");
	join(ca, sizeof(ca), dir, "ca.crt");
	if (level >= 0)
		SSL_CTX_set_security_level(ctx, level);
	SSL_CTX_set_verify(ctx, SSL_VERIFY_PEER | SSL_VERIFY_FAIL_IF_NO_PEER_CERT, NULL);
	if (SSL_CTX_use_certificate_file(ctx, crt, SSL_FILETYPE_PEM) != 1 ||
	    SSL_CTX_use_PrivateKey_file(ctx, key, SSL_FILETYPE_PEM) != 1 ||
	    SSL_CTX_check_private_key(ctx) != 1 ||
	    SSL_CTX_load_verify_locations(ctx, ca, NULL) != 1) {
		ERR_clear_error();
		SSL_CTX_free(ctx);
		return NULL;
	}
	return ctx;
}

static int hs_pending(SSL *s, int rc)
{
	if (rc == 1)
		return 0;
	int e = SSL_get_error(s, rc);
	return e == SSL_ERROR_WANT_READ || e == SSL_ERROR_WANT_WRITE ? 1 : -1;
}

/* A full mutual-TLS handshake in memory; the client checks the server's name against
 * expect_host. Returns 1 when both sides finish with a verified peer. */
static int handshake(const char *dir, int level, const char *expect_host)
{
	SSL_CTX *sctx = tls_ctx(dir, 1, level), *cctx = tls_ctx(dir, 0, level);
	SSL *srv = NULL, *cli = NULL;
	BIO *sbio = NULL, *cbio = NULL;
	int ok = 0;

	CU_ASSERT_PTR_NOT_NULL_FATAL(sctx);
	CU_ASSERT_PTR_NOT_NULL_FATAL(cctx);
	srv = SSL_new(sctx);
	cli = SSL_new(cctx);
	CU_ASSERT_FATAL(srv && cli && BIO_new_bio_pair(&sbio, 0, &cbio, 0) == 1);
	SSL_set_bio(srv, sbio, sbio);
	SSL_set_bio(cli, cbio, cbio);
	SSL_set_accept_state(srv);
	SSL_set_connect_state(cli);
	CU_ASSERT_FATAL(SSL_set1_host(cli, expect_host) == 1);
	CU_ASSERT_FATAL(SSL_set_tlsext_host_name(cli, expect_host) == 1);

	int cs = 1, ss = 1;
	for (int i = 0; i < 50 && (cs > 0 || ss > 0); i++) {
		if (cs > 0)
			cs = hs_pending(cli, SSL_do_handshake(cli));
		if (ss > 0)
			ss = hs_pending(srv, SSL_do_handshake(srv));
		if (cs < 0 || ss < 0)
			break;
	}
	ok = cs == 0 && ss == 0 && SSL_get_verify_result(cli) == X509_V_OK &&
	     SSL_get_verify_result(srv) == X509_V_OK && SSL_get0_peer_certificate(srv) &&
	     SSL_get0_peer_certificate(cli);
	ERR_clear_error();
	SSL_free(cli);
	SSL_free(srv);
	SSL_CTX_free(cctx);
	SSL_CTX_free(sctx);
	return ok;
}

/* ---- one key kind, end to end ---- */

static void check_leaf(const struct kind_case *kc, X509 *ca, X509 *leaf, EVP_PKEY *key,
		       const char *cn)
{
	char buf[256];

	name_entry(X509_get_subject_name(leaf), NID_commonName, buf, sizeof(buf));
	CU_ASSERT_STRING_EQUAL(buf, cn);
	name_entry(X509_get_subject_name(leaf), NID_organizationName, buf, sizeof(buf));
	CU_ASSERT_STRING_EQUAL(buf, "trunkload lab");
	CU_ASSERT_EQUAL(X509_check_issued(ca, leaf), X509_V_OK);
	CU_ASSERT_EQUAL(X509_get_version(leaf), X509_VERSION_3);
	CU_ASSERT_EQUAL(X509_check_ca(leaf), 0);
	CU_ASSERT_EQUAL(ext_critical(leaf, NID_basic_constraints), 1);

	/* EC keys cannot encipher (RFC 5480 section 3), so only RSA leaves carry it. */
	uint32_t ku = X509_get_key_usage(leaf);
	uint32_t want_ku = KU_DIGITAL_SIGNATURE | (kc->key_id == EVP_PKEY_RSA ? KU_KEY_ENCIPHERMENT : 0);
	CU_ASSERT_EQUAL(ku, want_ku);

	CU_ASSERT(X509_get_extension_flags(leaf) & EXFLAG_XKUSAGE);
	uint32_t xku = X509_get_extended_key_usage(leaf);
	CU_ASSERT_EQUAL(xku, XKU_SSL_SERVER | XKU_SSL_CLIENT);

	/* authorityKeyIdentifier points at the CA's subjectKeyIdentifier */
	const ASN1_OCTET_STRING *aki = X509_get0_authority_key_id(leaf);
	const ASN1_OCTET_STRING *ca_ski = X509_get0_subject_key_id(ca);
	CU_ASSERT_FATAL(aki && ca_ski && X509_get0_subject_key_id(leaf));
	CU_ASSERT_EQUAL(ASN1_OCTET_STRING_cmp(aki, ca_ski), 0);

	CU_ASSERT_EQUAL(EVP_PKEY_get_base_id(X509_get0_pubkey(leaf)), kc->key_id);
	CU_ASSERT_EQUAL(EVP_PKEY_get_bits(X509_get0_pubkey(leaf)), kc->bits);
	CU_ASSERT_EQUAL(X509_get_signature_nid(leaf), kc->sig_nid);
	CU_ASSERT_EQUAL(X509_check_private_key(leaf, key), 1);

	/* from one hour ago, for 365 days */
	long nb = secs_from_now(X509_get0_notBefore(leaf));
	long na = secs_from_now(X509_get0_notAfter(leaf));
	CU_ASSERT(nb <= -3600 + 5 && nb >= -3600 - 120);
	CU_ASSERT(na <= 365 * DAY_S && na >= 365 * DAY_S - 120);

	/* 128-bit positive serial */
	BIGNUM *serial = ASN1_INTEGER_to_BN(X509_get0_serialNumber(leaf), NULL);
	CU_ASSERT_FATAL(serial != NULL);
	CU_ASSERT_EQUAL(BN_num_bits(serial), 128);
	CU_ASSERT_FALSE(BN_is_negative(serial));
	BN_free(serial);
}

static void check_kind(const struct kind_case *kc)
{
	char tmp[64], dir[PATH_MAX], err[256] = "x", buf[256];

	make_tmp(tmp, sizeof(tmp));
	join(dir, sizeof(dir), tmp, "pki"); /* not there yet: pki_make_lab creates it */
	int rc = pki_make_lab(dir, kc->kind, SERVER_NAME, CLIENT_NAME, false, err, sizeof(err));
	CU_ASSERT_EQUAL_FATAL(rc, 0);
	CU_ASSERT_STRING_EQUAL(err, "");

	struct stat st;
	CU_ASSERT_FATAL(stat(dir, &st) == 0);
	CU_ASSERT_EQUAL(st.st_mode & 07777, 0700);
	for (size_t i = 0; i < sizeof(files) / sizeof(files[0]); i++)
		CU_ASSERT_EQUAL(file_mode(dir, files[i]),
				strstr(files[i], ".key") ? 0600 : 0644);

	X509 *ca = load_cert(dir, "ca.crt"), *srv = load_cert(dir, "server.crt"),
	     *cli = load_cert(dir, "client.crt");
	EVP_PKEY *ca_key = load_key(dir, "ca.key"), *srv_key = load_key(dir, "server.key"),
		 *cli_key = load_key(dir, "client.key");

	/* the CA */
	name_entry(X509_get_subject_name(ca), NID_commonName, buf, sizeof(buf));
	CU_ASSERT_STRING_EQUAL(buf, "trunkload lab CA");
	BIO *mem = BIO_new(BIO_s_mem());
	X509_NAME_print_ex(mem, X509_get_subject_name(ca), 0, XN_FLAG_RFC2253);
	int n = BIO_read(mem, buf, sizeof(buf) - 1);
	buf[n > 0 ? n : 0] = '\0';
	BIO_free(mem);
	CU_ASSERT_STRING_EQUAL(buf, "CN=trunkload lab CA,O=trunkload lab");
	CU_ASSERT_EQUAL(X509_check_issued(ca, ca), X509_V_OK);
	CU_ASSERT_EQUAL(X509_check_ca(ca), 1);
	CU_ASSERT_EQUAL(ext_critical(ca, NID_basic_constraints), 1);
	CU_ASSERT_EQUAL(X509_get_key_usage(ca), KU_KEY_CERT_SIGN | KU_CRL_SIGN);
	CU_ASSERT_EQUAL(X509_get_signature_nid(ca), kc->sig_nid);
	CU_ASSERT_EQUAL(X509_check_private_key(ca, ca_key), 1);
	long ca_na = secs_from_now(X509_get0_notAfter(ca));
	CU_ASSERT(ca_na <= 3650 * DAY_S && ca_na >= 3650 * DAY_S - 120);

	check_leaf(kc, ca, srv, srv_key, SERVER_NAME);
	check_leaf(kc, ca, cli, cli_key, CLIENT_NAME);
	CU_ASSERT_NOT_EQUAL(ASN1_INTEGER_cmp(X509_get0_serialNumber(srv),
					     X509_get0_serialNumber(cli)), 0);
	CU_ASSERT_EQUAL(X509_check_private_key(srv, cli_key), 0); /* the check can fail */
	ERR_clear_error();

	/* names: the server answers to its name, localhost and 127.0.0.1 only */
	CU_ASSERT_EQUAL(X509_check_host(srv, SERVER_NAME, 0, 0, NULL), 1);
	CU_ASSERT_EQUAL(X509_check_host(srv, "localhost", 0, 0, NULL), 1);
	CU_ASSERT_EQUAL(X509_check_ip_asc(srv, "127.0.0.1", 0), 1);
	CU_ASSERT_EQUAL(X509_check_ip_asc(srv, "::1", 0), 1);
	CU_ASSERT_EQUAL(X509_check_host(srv, "other.example", 0, 0, NULL), 0);
	CU_ASSERT_EQUAL(X509_check_ip_asc(srv, "127.0.0.2", 0), 0);
	CU_ASSERT_EQUAL(X509_check_host(cli, CLIENT_NAME, 0, 0, NULL), 1);
	CU_ASSERT_EQUAL(X509_check_host(cli, SERVER_NAME, 0, 0, NULL), 0);
	CU_ASSERT_EQUAL(X509_check_ip_asc(cli, "127.0.0.1", 0), 0);
	CU_ASSERT_EQUAL(X509_check_ip_asc(cli, "::1", 0), 0);

	/* chains: always at level 0; at level 2 only when the keys and digests are strong */
	CU_ASSERT_EQUAL(verify(ca, srv, X509_PURPOSE_SSL_SERVER, 0), 1);
	CU_ASSERT_EQUAL(verify(ca, cli, X509_PURPOSE_SSL_CLIENT, 0), 1);
	CU_ASSERT_EQUAL(verify(ca, srv, X509_PURPOSE_SSL_SERVER, 2), kc->verify_ok_at_auth_level_2);
	CU_ASSERT_EQUAL(verify(ca, cli, X509_PURPOSE_SSL_CLIENT, 2), kc->verify_ok_at_auth_level_2);
	CU_ASSERT_EQUAL(verify(srv, cli, X509_PURPOSE_SSL_CLIENT, 0), 0); /* wrong anchor */

	/* TLS: loads at level 2 only if strong; handshakes at the row's level, and the
	 * client refuses a server that is not the one it asked for */
	SSL_CTX *strict = tls_ctx(dir, 1, 2);
	CU_ASSERT_EQUAL(strict != NULL, kc->loads_at_level_2);
	SSL_CTX_free(strict);
	CU_ASSERT_EQUAL(handshake(dir, kc->tls_level, SERVER_NAME), 1);
	CU_ASSERT_EQUAL(handshake(dir, kc->tls_level, "localhost"), 1);
	CU_ASSERT_EQUAL(handshake(dir, kc->tls_level, "other.example"), 0);
	if (kc->tls_level < 0) /* the default is Debian's level 2: say so explicitly too */
		CU_ASSERT_EQUAL(handshake(dir, 2, SERVER_NAME), 1);

	/* the variants whose key and digest do not follow the kind */
	static const struct {
		const char *name;
		int bits;
	} fixed[] = { { "server-legacy.crt", 1024 }, { "client-legacy.crt", 1024 },
		      { "server-rsa2048.crt", 2048 }, { "client-rsa2048.crt", 2048 } };
	for (size_t i = 0; i < sizeof(fixed) / sizeof(fixed[0]); i++) {
		X509 *x = load_cert(dir, fixed[i].name);
		CU_ASSERT_EQUAL(EVP_PKEY_get_base_id(X509_get0_pubkey(x)), EVP_PKEY_RSA);
		CU_ASSERT_EQUAL(EVP_PKEY_get_bits(X509_get0_pubkey(x)), fixed[i].bits);
		CU_ASSERT_EQUAL(X509_get_signature_nid(x),
				fixed[i].bits == 1024 ? kc->legacy_sig_nid : kc->rsa2048_sig_nid);
		CU_ASSERT_EQUAL(X509_check_issued(ca, x), X509_V_OK);
		X509_free(x);
	}

	X509_free(ca), X509_free(srv), X509_free(cli);
	EVP_PKEY_free(ca_key), EVP_PKEY_free(srv_key), EVP_PKEY_free(cli_key);
	rm_tree(tmp);
}

static void test_ec(void) { check_kind(&kinds[0]); }
static void test_rsa2048(void) { check_kind(&kinds[1]); }
static void test_rsa1024(void) { check_kind(&kinds[2]); }

/* ---- reuse and errors ---- */

/* An existing directory is reused: a stale world-readable key is replaced and narrowed. */
static void test_reuse_dir(void)
{
	char tmp[64], path[PATH_MAX], err[256];

	make_tmp(tmp, sizeof(tmp));
	join(path, sizeof(path), tmp, "server.key");
	FILE *fp = fopen(path, "w");
	CU_ASSERT_PTR_NOT_NULL_FATAL(fp);
	fputs("stale\n", fp);
	fclose(fp);
	CU_ASSERT_FATAL(chmod(path, 0644) == 0);

	/* a lab file already there: kept, and named, unless forced */
	CU_ASSERT_EQUAL(pki_make_lab(tmp, PKI_KEY_EC, SERVER_NAME, CLIENT_NAME, false, err, sizeof(err)),
			-EEXIST);
	CU_ASSERT_PTR_NOT_NULL(strstr(err, "server.key exists"));
	CU_ASSERT_PTR_NOT_NULL(strstr(err, "--force"));
	CU_ASSERT_EQUAL(file_mode(tmp, "server.key"), 0644);
	CU_ASSERT_EQUAL(pki_make_lab(tmp, PKI_KEY_EC, SERVER_NAME, CLIENT_NAME, true, err, sizeof(err)), 0);
	CU_ASSERT_EQUAL(file_mode(tmp, "server.key"), 0600);
	X509 *first = load_cert(tmp, "server.crt");
	EVP_PKEY *key = load_key(tmp, "server.key");
	CU_ASSERT_EQUAL(X509_check_private_key(first, key), 1);
	EVP_PKEY_free(key);

	/* a second forced run overwrites: new serial, still consistent */
	CU_ASSERT_EQUAL(pki_make_lab(tmp, PKI_KEY_EC, SERVER_NAME, CLIENT_NAME, false, err, sizeof(err)),
			-EEXIST);
	CU_ASSERT_EQUAL(pki_make_lab(tmp, PKI_KEY_EC, SERVER_NAME, CLIENT_NAME, true, err, sizeof(err)), 0);
	X509 *second = load_cert(tmp, "server.crt");
	key = load_key(tmp, "server.key");
	CU_ASSERT_NOT_EQUAL(ASN1_INTEGER_cmp(X509_get0_serialNumber(first),
					     X509_get0_serialNumber(second)), 0);
	CU_ASSERT_EQUAL(X509_check_private_key(second, key), 1);
	CU_ASSERT_EQUAL(X509_check_private_key(first, key), 0);
	ERR_clear_error();
	EVP_PKEY_free(key);
	X509_free(first);
	X509_free(second);
	rm_tree(tmp);
}

/* Directories that cannot be made: errno, and a message that names the path. */
static void test_bad_dirs(void)
{
	static const struct {
		const char *sub; /* under the temp dir; "file" is a regular file there */
		int rc;
	} cases[] = {
		{ "file/pki", -ENOTDIR }, /* parent is a regular file */
		{ "missing/pki", -ENOENT }, /* parents must exist */
		{ "file", -ENOTDIR },	  /* the path itself is a regular file */
	};
	char tmp[64], path[PATH_MAX], err[256];

	make_tmp(tmp, sizeof(tmp));
	join(path, sizeof(path), tmp, "file");
	FILE *fp = fopen(path, "w");
	CU_ASSERT_PTR_NOT_NULL_FATAL(fp);
	fclose(fp);
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		join(path, sizeof(path), tmp, cases[i].sub);
		err[0] = '\0';
		CU_ASSERT_EQUAL(pki_make_lab(path, PKI_KEY_EC, SERVER_NAME, CLIENT_NAME, false, err,
					     sizeof(err)),
				cases[i].rc);
		CU_ASSERT_PTR_NOT_NULL(strstr(err, path));
		CU_ASSERT_PTR_NULL(strchr(err, '\n'));
	}
	rm_tree(tmp);
}

/* Bad arguments are refused before anything is created. */
static void test_bad_args(void)
{
	static const char long_name[] =
		"a1234567890123456789012345678901234567890123456789012345678901234";
	_Static_assert(sizeof(long_name) - 1 == 65, "one past the CN limit");
	static const struct {
		const char *server, *client;
		enum pki_key_kind kind;
	} cases[] = {
		{ NULL, CLIENT_NAME, PKI_KEY_EC },
		{ "", CLIENT_NAME, PKI_KEY_EC },
		{ SERVER_NAME, "a,DNS:evil.example", PKI_KEY_EC },
		{ SERVER_NAME, "has space", PKI_KEY_EC },
		{ long_name, CLIENT_NAME, PKI_KEY_EC },
		{ SERVER_NAME, CLIENT_NAME, (enum pki_key_kind)42 },
	};
	char tmp[64], dir[PATH_MAX], err[256];

	make_tmp(tmp, sizeof(tmp));
	join(dir, sizeof(dir), tmp, "pki");
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		err[0] = '\0';
		CU_ASSERT_EQUAL(pki_make_lab(dir, cases[i].kind, cases[i].server, cases[i].client,
					     false, err, sizeof(err)),
				-EINVAL);
		CU_ASSERT(err[0] != '\0');
		CU_ASSERT_NOT_EQUAL(access(dir, F_OK), 0);
	}
	CU_ASSERT_EQUAL(pki_make_lab(NULL, PKI_KEY_EC, SERVER_NAME, CLIENT_NAME, false, err, sizeof(err)),
			-EINVAL);
	/* a 64-character name is still fine; err may be NULL */
	CU_ASSERT_EQUAL(pki_make_lab(dir, PKI_KEY_EC, long_name + 1, CLIENT_NAME, false, NULL, 0), 0);
	rm_tree(tmp);
}

/* ---- the variants for negative tests ---- */

enum issuer { BY_CA, BY_OTHER, BY_SELF };

/* One row per variant (EC lab): dates, issuer, key and digest, names, and what
 * X509_verify_cert says against ca.crt alone at auth levels 0 and 2. */
struct variant_case {
	const char *name;
	int server;	      /* 1: server names (and purpose), 0: client */
	enum issuer issuer;
	long nb_s, na_s;      /* notBefore and notAfter, seconds from now */
	int key_id, bits, sig_nid;
	int wrong_name;
	int err0, err2;	      /* X509_V_ERR_* at auth level 0 and 2 */
	int same_key;	      /* its .key holds the good certificate's key */
};

#define GOOD_NB (-3600L)
#define GOOD_NA (365 * DAY_S)
#define EC256 EVP_PKEY_EC, 256, NID_ecdsa_with_SHA256
#define LEGACY EVP_PKEY_RSA, 1024, NID_ecdsa_with_SHA1
#define RSA2K EVP_PKEY_RSA, 2048, NID_ecdsa_with_SHA256
#define V_OK X509_V_OK
#define V_EXPIRED X509_V_ERR_CERT_HAS_EXPIRED
#define V_NOTYET X509_V_ERR_CERT_NOT_YET_VALID
#define V_SELF X509_V_ERR_DEPTH_ZERO_SELF_SIGNED_CERT
#define V_NOISSUER X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT_LOCALLY
#define V_SMALL X509_V_ERR_EE_KEY_TOO_SMALL

static const struct variant_case variants[] = {
	{ "server", 1, BY_CA, GOOD_NB, GOOD_NA, EC256, 0, V_OK, V_OK, 1 },
	{ "server-expired", 1, BY_CA, -400 * DAY_S, -35 * DAY_S, EC256, 0, V_EXPIRED, V_EXPIRED, 1 },
	{ "server-notyet", 1, BY_CA, 30 * DAY_S, 395 * DAY_S, EC256, 0, V_NOTYET, V_NOTYET, 1 },
	{ "server-wrongname", 1, BY_CA, GOOD_NB, GOOD_NA, EC256, 1, V_OK, V_OK, 1 },
	{ "server-selfsigned", 1, BY_SELF, GOOD_NB, GOOD_NA, EC256, 0, V_SELF, V_SELF, 1 },
	{ "server-untrusted", 1, BY_OTHER, GOOD_NB, GOOD_NA, EC256, 0, V_NOISSUER, V_NOISSUER, 1 },
	{ "server-legacy", 1, BY_CA, GOOD_NB, GOOD_NA, LEGACY, 0, V_OK, V_SMALL, 0 },
	{ "server-rsa2048", 1, BY_CA, GOOD_NB, GOOD_NA, RSA2K, 0, V_OK, V_OK, 0 },
	{ "client", 0, BY_CA, GOOD_NB, GOOD_NA, EC256, 0, V_OK, V_OK, 1 },
	{ "client-expired", 0, BY_CA, -400 * DAY_S, -35 * DAY_S, EC256, 0, V_EXPIRED, V_EXPIRED, 1 },
	{ "client-notyet", 0, BY_CA, 30 * DAY_S, 395 * DAY_S, EC256, 0, V_NOTYET, V_NOTYET, 1 },
	{ "client-wrongname", 0, BY_CA, GOOD_NB, GOOD_NA, EC256, 1, V_OK, V_OK, 1 },
	{ "client-selfsigned", 0, BY_SELF, GOOD_NB, GOOD_NA, EC256, 0, V_SELF, V_SELF, 1 },
	{ "client-untrusted", 0, BY_OTHER, GOOD_NB, GOOD_NA, EC256, 0, V_NOISSUER, V_NOISSUER, 1 },
	{ "client-legacy", 0, BY_CA, GOOD_NB, GOOD_NA, LEGACY, 0, V_OK, V_SMALL, 0 },
	{ "client-rsa2048", 0, BY_CA, GOOD_NB, GOOD_NA, RSA2K, 0, V_OK, V_OK, 0 },
	/* revoked only in crl.pem: good without it (enterprise_set checks the CRL) */
	{ "server-revoked", 1, BY_CA, GOOD_NB, GOOD_NA, EC256, 0, V_OK, V_OK, 1 },
	{ "client-revoked", 0, BY_CA, GOOD_NB, GOOD_NA, EC256, 0, V_OK, V_OK, 1 },
};

static void check_names(const struct variant_case *vc, X509 *x)
{
	const char *good = vc->server ? SERVER_NAME : CLIENT_NAME;
	char cn[256];

	name_entry(X509_get_subject_name(x), NID_commonName, cn, sizeof(cn));
	CU_ASSERT_STRING_EQUAL(cn, vc->wrong_name ? "wrong.trunkload.test" : good);
	CU_ASSERT_EQUAL(X509_check_host(x, good, 0, 0, NULL), !vc->wrong_name);
	CU_ASSERT_EQUAL(X509_check_host(x, "wrong.trunkload.test", 0, 0, NULL), vc->wrong_name);
	CU_ASSERT_EQUAL(X509_check_host(x, "localhost", 0, 0, NULL), vc->server && !vc->wrong_name);
	CU_ASSERT_EQUAL(X509_check_ip_asc(x, "127.0.0.1", 0), vc->server && !vc->wrong_name);
	CU_ASSERT_EQUAL(X509_check_ip_asc(x, "::1", 0), vc->server && !vc->wrong_name);
}

static void check_variant(const char *dir, const struct variant_case *vc, X509 *ca, X509 *other)
{
	char crt[64], keyf[64];
	int purpose = vc->server ? X509_PURPOSE_SSL_SERVER : X509_PURPOSE_SSL_CLIENT;

	snprintf(crt, sizeof(crt), "%s.crt", vc->name);
	snprintf(keyf, sizeof(keyf), "%s.key", vc->name);
	CU_ASSERT_EQUAL(file_mode(dir, crt), 0644);
	CU_ASSERT_EQUAL(file_mode(dir, keyf), 0600);
	X509 *x = load_cert(dir, crt);
	EVP_PKEY *key = load_key(dir, keyf);
	EVP_PKEY *good = load_key(dir, vc->server ? "server.key" : "client.key");

	CU_ASSERT_EQUAL(X509_check_private_key(x, key), 1);
	CU_ASSERT_EQUAL(EVP_PKEY_eq(key, good) == 1, vc->same_key); /* -1: other key type */
	CU_ASSERT_EQUAL(EVP_PKEY_get_base_id(X509_get0_pubkey(x)), vc->key_id);
	CU_ASSERT_EQUAL(EVP_PKEY_get_bits(X509_get0_pubkey(x)), vc->bits);
	CU_ASSERT_EQUAL(X509_get_signature_nid(x), vc->sig_nid);
	CU_ASSERT_EQUAL(X509_check_ca(x), 0);
	CU_ASSERT_EQUAL(X509_get_extended_key_usage(x), XKU_SSL_SERVER | XKU_SSL_CLIENT);

	long nb = secs_from_now(X509_get0_notBefore(x)), na = secs_from_now(X509_get0_notAfter(x));
	CU_ASSERT(nb <= vc->nb_s + 5 && nb >= vc->nb_s - 120);
	CU_ASSERT(na <= vc->na_s + 5 && na >= vc->na_s - 120);

	/* who signed it: exactly one of ca, ca-other, itself */
	CU_ASSERT_EQUAL(X509_check_issued(ca, x) == X509_V_OK, vc->issuer == BY_CA);
	CU_ASSERT_EQUAL(X509_check_issued(other, x) == X509_V_OK, vc->issuer == BY_OTHER);
	CU_ASSERT_EQUAL(X509_self_signed(x, 1), vc->issuer == BY_SELF);
	CU_ASSERT_EQUAL(verify(other, x, purpose, 0), vc->issuer == BY_OTHER);
	ERR_clear_error();

	check_names(vc, x);
	CU_ASSERT_EQUAL(verify_err(ca, x, purpose, 0), vc->err0);
	CU_ASSERT_EQUAL(verify_err(ca, x, purpose, 2), vc->err2);

	EVP_PKEY_free(good);
	EVP_PKEY_free(key);
	X509_free(x);
}

static void test_variants(void)
{
	char tmp[64], err[256];

	make_tmp(tmp, sizeof(tmp));
	CU_ASSERT_EQUAL_FATAL(pki_make_lab(tmp, PKI_KEY_EC, SERVER_NAME, CLIENT_NAME, false, err,
					   sizeof(err)), 0);
	X509 *ca = load_cert(tmp, "ca.crt"), *other = load_cert(tmp, "ca-other.crt");

	/* ca-other: a CA like ca, with another name and key, that ca does not vouch for */
	char buf[256];
	name_entry(X509_get_subject_name(other), NID_commonName, buf, sizeof(buf));
	CU_ASSERT_STRING_EQUAL(buf, "trunkload untrusted CA");
	CU_ASSERT_EQUAL(X509_check_ca(other), 1);
	CU_ASSERT_EQUAL(X509_self_signed(other, 1), 1);
	CU_ASSERT_NOT_EQUAL(X509_check_issued(ca, other), X509_V_OK);
	CU_ASSERT_EQUAL(file_mode(tmp, "ca-other.key"), 0600);
	EVP_PKEY *ok = load_key(tmp, "ca-other.key"), *ck = load_key(tmp, "ca.key");
	CU_ASSERT_EQUAL(X509_check_private_key(other, ok), 1);
	CU_ASSERT_EQUAL(EVP_PKEY_eq(ok, ck), 0);
	EVP_PKEY_free(ok);
	EVP_PKEY_free(ck);
	ERR_clear_error();

	for (size_t i = 0; i < sizeof(variants) / sizeof(variants[0]); i++)
		check_variant(tmp, &variants[i], ca, other);
	X509_free(ca);
	X509_free(other);
	rm_tree(tmp);
}

/* pki_lab_name lists exactly the files written, each pair once, with a description. */
static void test_lab_names(void)
{
	char tmp[64], err[256];
	const char *name, *what = NULL;
	size_t n = 0;

	make_tmp(tmp, sizeof(tmp));
	CU_ASSERT_EQUAL_FATAL(pki_make_lab(tmp, PKI_KEY_EC, SERVER_NAME, CLIENT_NAME, false, err,
					   sizeof(err)), 0);
	for (; (name = pki_lab_name(n, &what)); n++) {
		char crt[64], key[64];
		snprintf(crt, sizeof(crt), "%s.crt", name);
		snprintf(key, sizeof(key), "%s.key", name);
		CU_ASSERT_FATAL(2 * n + 1 < N_FILES);
		CU_ASSERT_STRING_EQUAL(crt, files[2 * n]);
		CU_ASSERT_STRING_EQUAL(key, files[2 * n + 1]);
		CU_ASSERT_EQUAL(file_mode(tmp, crt), 0644);
		CU_ASSERT_EQUAL(file_mode(tmp, key), 0600);
		CU_ASSERT(what && what[0]);
	}
	CU_ASSERT_EQUAL(2 * n, N_FILES);
	CU_ASSERT_PTR_NULL(pki_lab_name(n, NULL));
	for (n = 0; (name = pki_lab_extra(n, &what)); n++) {
		CU_ASSERT_FATAL(n < N_EXTRA);
		CU_ASSERT_STRING_EQUAL(name, extra_files[n]);
		CU_ASSERT_EQUAL(file_mode(tmp, name), 0644);
		CU_ASSERT(what && what[0]);
	}
	CU_ASSERT_EQUAL(n, N_EXTRA);

	/* and nothing else in the directory */
	size_t entries = 0;
	DIR *d = opendir(tmp);
	CU_ASSERT_PTR_NOT_NULL_FATAL(d);
	for (struct dirent *de; (de = readdir(d));)
		entries += de->d_name[0] != '.';
	closedir(d);
	CU_ASSERT_EQUAL(entries, N_FILES + N_EXTRA);
	rm_tree(tmp);
}

/* ---- certificate signing requests ---- */

/* "DNS:a,IP:10.0.0.1" from a request's subjectAltName extension. */
static void san_text(STACK_OF(X509_EXTENSION) *exts, char *out, size_t cap)
{
	GENERAL_NAMES *gens = X509V3_get_d2i(exts, NID_subject_alt_name, NULL, NULL);
	size_t len = 0;

	out[0] = '\0';
	for (int i = 0; gens && i < sk_GENERAL_NAME_num(gens); i++) {
		int type;
		ASN1_STRING *s = GENERAL_NAME_get0_value(sk_GENERAL_NAME_value(gens, i), &type);
		char ip[64] = "?";
		const unsigned char *d = ASN1_STRING_get0_data(s);
		int n = ASN1_STRING_length(s);
		if (type == GEN_IPADD && (n == 4 || n == 16))
			inet_ntop(n == 4 ? AF_INET : AF_INET6, d, ip, sizeof(ip));
		len += (size_t)snprintf(out + len, cap - len, "%s%s:%.*s", i ? "," : "",
					type == GEN_DNS ? "DNS" : "IP", type == GEN_DNS ? n : (int)strlen(ip),
					type == GEN_DNS ? (const char *)d : ip);
		CU_ASSERT_FATAL(len < cap);
	}
	GENERAL_NAMES_free(gens);
}

static X509_REQ *load_req(const char *path)
{
	FILE *fp = fopen(path, "r");
	CU_ASSERT_PTR_NOT_NULL_FATAL(fp);
	X509_REQ *req = PEM_read_X509_REQ(fp, NULL, NULL, NULL);
	fclose(fp);
	CU_ASSERT_PTR_NOT_NULL_FATAL(req);
	return req;
}

static void test_csr(void)
{
	static const struct {
		const char *cn, *sans;
		enum pki_key_kind kind;
		const char *want_san;
		int key_id, sig_nid;
		uint32_t ku;
	} cases[] = {
		{ "trunk-a.example.com", "DNS:trunk-a.example.com,IP:10.0.0.1", PKI_KEY_EC,
		  "DNS:trunk-a.example.com,IP:10.0.0.1", EVP_PKEY_EC, NID_ecdsa_with_SHA256,
		  KU_DIGITAL_SIGNATURE },
		{ "sbc1.example.com", NULL, PKI_KEY_EC, "DNS:sbc1.example.com", EVP_PKEY_EC,
		  NID_ecdsa_with_SHA256, KU_DIGITAL_SIGNATURE },
		{ "sbc1.example.com", " dns:sbc1.example.com , IP:2001:db8::1,DNS:*.example.com",
		  PKI_KEY_RSA2048, "DNS:sbc1.example.com,IP:2001:db8::1,DNS:*.example.com",
		  EVP_PKEY_RSA, NID_sha256WithRSAEncryption,
		  KU_DIGITAL_SIGNATURE | KU_KEY_ENCIPHERMENT },
	};
	char tmp[64], key[PATH_MAX], csr[PATH_MAX], err[256], buf[256];
	EVP_PKEY *prev = NULL;

	make_tmp(tmp, sizeof(tmp));
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		snprintf(buf, sizeof(buf), "%zu.key", i);
		join(key, sizeof(key), tmp, buf);
		snprintf(buf, sizeof(buf), "%zu.csr", i);
		join(csr, sizeof(csr), tmp, buf);
		strcpy(err, "x");
		CU_ASSERT_EQUAL_FATAL(pki_make_csr(key, csr, cases[i].cn, cases[i].sans,
						   cases[i].kind, err, sizeof(err)), 0);
		CU_ASSERT_STRING_EQUAL(err, "");
		snprintf(buf, sizeof(buf), "%zu.key", i);
		CU_ASSERT_EQUAL(file_mode(tmp, buf), 0600);
		snprintf(buf, sizeof(buf), "%zu.csr", i);
		CU_ASSERT_EQUAL(file_mode(tmp, buf), 0644);

		X509_REQ *req = load_req(csr);
		snprintf(buf, sizeof(buf), "%zu.key", i);
		EVP_PKEY *k = load_key(tmp, buf);
		EVP_PKEY *pub = X509_REQ_get0_pubkey(req);
		name_entry(X509_REQ_get_subject_name(req), NID_commonName, buf, sizeof(buf));
		CU_ASSERT_STRING_EQUAL(buf, cases[i].cn);
		CU_ASSERT_EQUAL(X509_NAME_entry_count(X509_REQ_get_subject_name(req)), 1);
		CU_ASSERT_EQUAL(EVP_PKEY_eq(pub, k), 1);
		CU_ASSERT_EQUAL(EVP_PKEY_get_base_id(pub), cases[i].key_id);
		CU_ASSERT_EQUAL(X509_REQ_get_signature_nid(req), cases[i].sig_nid);
		CU_ASSERT_EQUAL(X509_REQ_verify(req, pub), 1);
		if (prev) /* the check can fail: another key does not verify it */
			CU_ASSERT_NOT_EQUAL(X509_REQ_verify(req, prev), 1);
		ERR_clear_error();

		STACK_OF(X509_EXTENSION) *exts = X509_REQ_get_extensions(req);
		CU_ASSERT_PTR_NOT_NULL_FATAL(exts);
		san_text(exts, buf, sizeof(buf));
		CU_ASSERT_STRING_EQUAL(buf, cases[i].want_san);
		EXTENDED_KEY_USAGE *eku = X509V3_get_d2i(exts, NID_ext_key_usage, NULL, NULL);
		CU_ASSERT_FATAL(eku && sk_ASN1_OBJECT_num(eku) == 2);
		CU_ASSERT_EQUAL(OBJ_obj2nid(sk_ASN1_OBJECT_value(eku, 0)), NID_server_auth);
		CU_ASSERT_EQUAL(OBJ_obj2nid(sk_ASN1_OBJECT_value(eku, 1)), NID_client_auth);
		sk_ASN1_OBJECT_pop_free(eku, ASN1_OBJECT_free);
		ASN1_BIT_STRING *ku = X509V3_get_d2i(exts, NID_key_usage, NULL, NULL);
		CU_ASSERT_FATAL(ku != NULL);
		uint32_t bits = 0;
		for (int b = 0; b < 9; b++)
			bits |= ASN1_BIT_STRING_get_bit(ku, b) ? 0x80u >> b : 0;
		CU_ASSERT_EQUAL(bits, cases[i].ku);
		ASN1_BIT_STRING_free(ku);
		sk_X509_EXTENSION_pop_free(exts, X509_EXTENSION_free);

		X509_REQ_free(req);
		EVP_PKEY_free(prev);
		prev = k;
	}
	EVP_PKEY_free(prev);
	rm_tree(tmp);
}

static void slurp_small(const char *path, char *buf, size_t cap)
{
	FILE *fp = fopen(path, "r");
	CU_ASSERT_PTR_NOT_NULL_FATAL(fp);
	size_t n = fread(buf, 1, cap - 1, fp);
	buf[n] = '\0';
	fclose(fp);
}

/* An existing key is never overwritten; a request that cannot be written takes its
 * new key away with it. */
static void test_csr_files(void)
{
	char tmp[64], key[PATH_MAX], csr[PATH_MAX], err[256], buf[64];

	make_tmp(tmp, sizeof(tmp));
	join(key, sizeof(key), tmp, "a.key");
	join(csr, sizeof(csr), tmp, "a.csr");
	FILE *fp = fopen(key, "w");
	CU_ASSERT_PTR_NOT_NULL_FATAL(fp);
	fputs("keep\n", fp);
	fclose(fp);
	CU_ASSERT_EQUAL(pki_make_csr(key, csr, "a.example", NULL, PKI_KEY_EC, err, sizeof(err)),
			-EEXIST);
	CU_ASSERT_PTR_NOT_NULL(strstr(err, key));
	slurp_small(key, buf, sizeof(buf));
	CU_ASSERT_STRING_EQUAL(buf, "keep\n");
	CU_ASSERT_NOT_EQUAL(access(csr, F_OK), 0);

	join(key, sizeof(key), tmp, "b.key");
	join(csr, sizeof(csr), tmp, "missing/b.csr");
	CU_ASSERT_EQUAL(pki_make_csr(key, csr, "b.example", NULL, PKI_KEY_EC, err, sizeof(err)),
			-ENOENT);
	CU_ASSERT_PTR_NOT_NULL(strstr(err, csr));
	CU_ASSERT_NOT_EQUAL(access(key, F_OK), 0);
	rm_tree(tmp);
}

/* Bad input: -EINVAL, a reason that quotes the offending item, and no file written. */
static void test_csr_bad(void)
{
	static const char many[] = "DNS:a1.example,DNS:a2.example,DNS:a3.example,DNS:a4.example,"
				   "DNS:a5.example,DNS:a6.example,DNS:a7.example,DNS:a8.example,"
				   "DNS:a9.example,DNS:b1.example,DNS:b2.example,DNS:b3.example,"
				   "DNS:b4.example,DNS:b5.example,DNS:b6.example,DNS:b7.example,"
				   "DNS:b8.example";
	static const struct {
		const char *cn, *sans;
		enum pki_key_kind kind;
		const char *in_err;
	} cases[] = {
		{ "a.example", "DNS:", PKI_KEY_EC, "\"DNS:\"" },
		{ "a.example", "IP:1.2.3", PKI_KEY_EC, "\"IP:1.2.3\"" },
		{ "a.example", "IP:256.1.1.1", PKI_KEY_EC, "\"IP:256.1.1.1\"" },
		{ "a.example", "IP:10.0.0.1/24", PKI_KEY_EC, "\"IP:10.0.0.1/24\"" },
		{ "a.example", "EMAIL:a@b.example", PKI_KEY_EC, "\"EMAIL:a@b.example\"" },
		{ "a.example", "URI:sip:a@b.example", PKI_KEY_EC, "\"URI:sip:a@b.example\"" },
		{ "a.example", "a.example", PKI_KEY_EC, "\"a.example\"" },
		{ "a.example", "DNS:a.example,,DNS:b.example", PKI_KEY_EC, "\"\"" },
		{ "a.example", "DNS:a.example,", PKI_KEY_EC, "\"\"" },
		{ "a.example", "DNS:has space.example", PKI_KEY_EC, "\"DNS:has space.example\"" },
		{ "a.example", "DNS:a..example", PKI_KEY_EC, "\"DNS:a..example\"" },
		{ "a.example", "DNS:a.example,DNS:evil\n.example", PKI_KEY_EC, "evil" },
		{ "a.example", many, PKI_KEY_EC, "more than 16" },
		{ "", NULL, PKI_KEY_EC, "common name" },
		{ NULL, NULL, PKI_KEY_EC, "common name" },
		{ "has space", NULL, PKI_KEY_EC, "common name" },
		{ "a.example", NULL, PKI_KEY_RSA1024, "rsa2048" },
		{ "a.example", NULL, (enum pki_key_kind)42, "rsa2048" },
	};
	char tmp[64], key[PATH_MAX], csr[PATH_MAX], err[256];

	make_tmp(tmp, sizeof(tmp));
	join(key, sizeof(key), tmp, "a.key");
	join(csr, sizeof(csr), tmp, "a.csr");
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		err[0] = '\0';
		CU_ASSERT_EQUAL(pki_make_csr(key, csr, cases[i].cn, cases[i].sans, cases[i].kind,
					     err, sizeof(err)),
				-EINVAL);
		CU_ASSERT_PTR_NOT_NULL(strstr(err, cases[i].in_err));
		CU_ASSERT_PTR_NULL(strchr(err, '\n'));
		CU_ASSERT_NOT_EQUAL(access(key, F_OK), 0);
		CU_ASSERT_NOT_EQUAL(access(csr, F_OK), 0);
	}
	/* sixteen items is the limit, not over it */
	char sixteen[sizeof(many)];
	strcpy(sixteen, many);
	*strrchr(sixteen, ',') = '\0';
	CU_ASSERT_EQUAL(pki_make_csr(key, csr, "a.example", sixteen, PKI_KEY_EC, err, sizeof(err)), 0);
	rm_tree(tmp);
}

/* ---- the two-tier set, the CRLs, the name and usage variants ---- */

static STACK_OF(X509) *load_chain(const char *dir, const char *file)
{
	char path[PATH_MAX];
	snprintf(path, sizeof(path), "%s/%s", dir, file);
	STACK_OF(X509) *sk = sk_X509_new_null();
	FILE *f = fopen(path, "r");
	CU_ASSERT_PTR_NOT_NULL_FATAL(f);
	for (X509 *x; (x = PEM_read_X509(f, NULL, NULL, NULL));)
		sk_X509_push(sk, x);
	ERR_clear_error();
	fclose(f);
	return sk;
}

/* X509_verify_cert of leaf with untrusted certificates and CRLs (NULL: none checked;
 * else every CA's CRL, X509_V_FLAG_CRL_CHECK_ALL). */
static int verify_with(X509 *ca, X509 *leaf, STACK_OF(X509) *untrusted,
		       STACK_OF(X509_CRL) *crls)
{
	X509_STORE *store = X509_STORE_new();
	X509_STORE_CTX *ctx = X509_STORE_CTX_new();
	int e = -1;
	if (store && ctx && X509_STORE_add_cert(store, ca) &&
	    X509_STORE_CTX_init(ctx, store, leaf, untrusted)) {
		if (crls) {
			X509_STORE_CTX_set0_crls(ctx, crls);
			X509_STORE_CTX_set_flags(ctx, X509_V_FLAG_CRL_CHECK |
							   X509_V_FLAG_CRL_CHECK_ALL);
		}
		X509_verify_cert(ctx);
		e = X509_STORE_CTX_get_error(ctx);
	}
	X509_STORE_CTX_free(ctx);
	X509_STORE_free(store);
	ERR_clear_error();
	return e;
}

static void test_enterprise_set(void)
{
	char tmp[64], err[256], path[PATH_MAX];
	make_tmp(tmp, sizeof(tmp));
	CU_ASSERT_EQUAL_FATAL(pki_make_lab(tmp, PKI_KEY_EC, SERVER_NAME, CLIENT_NAME, false, err,
					   sizeof(err)), 0);
	X509 *ca = load_cert(tmp, "ca.crt"), *ica = load_cert(tmp, "ica.crt");
	STACK_OF(X509) *only_ica = sk_X509_new_null();
	sk_X509_push(only_ica, ica);

	/* ica: a CA for leaves only, issued by ca */
	char cn[256];
	name_entry(X509_get_subject_name(ica), NID_commonName, cn, sizeof(cn));
	CU_ASSERT_STRING_EQUAL(cn, "trunkload lab issuing CA");
	CU_ASSERT_EQUAL(X509_check_ca(ica), 1);
	CU_ASSERT_EQUAL(X509_get_pathlen(ica), 0);
	CU_ASSERT_EQUAL(X509_check_issued(ca, ica), X509_V_OK);

	/* ROLE-ica: trusted through ica only; ROLE-ica-chain.crt is leaf then ica */
	static const char *const roles[] = { "server", "client" };
	for (size_t r = 0; r < 2; r++) {
		char f[64];
		snprintf(f, sizeof(f), "%s-ica.crt", roles[r]);
		X509 *leaf = load_cert(tmp, f);
		CU_ASSERT_EQUAL(X509_check_issued(ica, leaf), X509_V_OK);
		CU_ASSERT_EQUAL(verify_with(ca, leaf, NULL, NULL),
				X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT_LOCALLY);
		CU_ASSERT_EQUAL(verify_with(ca, leaf, only_ica, NULL), X509_V_OK);
		snprintf(f, sizeof(f), "%s-ica-chain.crt", roles[r]);
		STACK_OF(X509) *chain = load_chain(tmp, f);
		CU_ASSERT_EQUAL_FATAL(sk_X509_num(chain), 2);
		CU_ASSERT_EQUAL(X509_cmp(sk_X509_value(chain, 0), leaf), 0);
		CU_ASSERT_EQUAL(X509_cmp(sk_X509_value(chain, 1), ica), 0);
		snprintf(f, sizeof(f), "%s-ica.key", roles[r]);
		EVP_PKEY *key = load_key(tmp, f);
		CU_ASSERT_EQUAL(X509_check_private_key(leaf, key), 1);
		EVP_PKEY_free(key);
		sk_X509_pop_free(chain, X509_free);
		X509_free(leaf);
	}

	/* crl.pem: ca's CRL (the two revoked leaves, keyCompromise), then ica's (empty) */
	snprintf(path, sizeof(path), "%s/crl.pem", tmp);
	FILE *f = fopen(path, "r");
	CU_ASSERT_PTR_NOT_NULL_FATAL(f);
	STACK_OF(X509_CRL) *crls = sk_X509_CRL_new_null();
	for (X509_CRL *c; (c = PEM_read_X509_CRL(f, NULL, NULL, NULL));)
		sk_X509_CRL_push(crls, c);
	ERR_clear_error();
	fclose(f);
	CU_ASSERT_EQUAL_FATAL(sk_X509_CRL_num(crls), 2);
	X509_CRL *by_ca = sk_X509_CRL_value(crls, 0), *by_ica = sk_X509_CRL_value(crls, 1);
	CU_ASSERT_EQUAL(X509_CRL_verify(by_ca, X509_get0_pubkey(ca)), 1);
	CU_ASSERT_EQUAL(X509_CRL_verify(by_ica, X509_get0_pubkey(ica)), 1);
	CU_ASSERT_EQUAL(X509_NAME_cmp(X509_CRL_get_issuer(by_ica), X509_get_subject_name(ica)), 0);
	CU_ASSERT_EQUAL(sk_X509_REVOKED_num(X509_CRL_get_REVOKED(by_ca)), 2);
	CU_ASSERT(sk_X509_REVOKED_num(X509_CRL_get_REVOKED(by_ica)) <= 0); /* none: NULL */
	CU_ASSERT(secs_from_now(X509_CRL_get0_lastUpdate(by_ca)) < 0);
	CU_ASSERT(secs_from_now(X509_CRL_get0_nextUpdate(by_ca)) > 300 * DAY_S);
	static const char *const revoked[] = { "server-revoked.crt", "client-revoked.crt" };
	for (size_t i = 0; i < 2; i++) {
		X509 *x = load_cert(tmp, revoked[i]);
		X509_REVOKED *entry = NULL;
		CU_ASSERT_EQUAL_FATAL(X509_CRL_get0_by_cert(by_ca, &entry, x), 1);
		ASN1_ENUMERATED *why = X509_REVOKED_get_ext_d2i(entry, NID_crl_reason, NULL, NULL);
		CU_ASSERT_EQUAL(why ? ASN1_ENUMERATED_get(why) : -1, CRL_REASON_KEY_COMPROMISE);
		ASN1_ENUMERATED_free(why);
		CU_ASSERT_EQUAL(verify_with(ca, x, NULL, crls), X509_V_ERR_CERT_REVOKED);
		X509_free(x);
	}
	/* the others pass every CA's CRL, through ica too */
	X509 *good = load_cert(tmp, "server.crt"), *two_tier = load_cert(tmp, "client-ica.crt");
	CU_ASSERT_EQUAL(verify_with(ca, good, NULL, crls), X509_V_OK);
	CU_ASSERT_EQUAL(verify_with(ca, two_tier, only_ica, crls), X509_V_OK);
	X509_free(good);
	X509_free(two_tier);

	/* server-cnonly: the name in the CN, no subjectAltName */
	X509 *cnonly = load_cert(tmp, "server-cnonly.crt");
	name_entry(X509_get_subject_name(cnonly), NID_commonName, cn, sizeof(cn));
	CU_ASSERT_STRING_EQUAL(cn, SERVER_NAME);
	CU_ASSERT_PTR_NULL(X509_get_ext_d2i(cnonly, NID_subject_alt_name, NULL, NULL));
	CU_ASSERT_EQUAL(verify_with(ca, cnonly, NULL, NULL), X509_V_OK);
	X509_free(cnonly);

	/* ROLE-serverauth-only: EKU serverAuth alone */
	for (size_t r = 0; r < 2; r++) {
		char name[64];
		snprintf(name, sizeof(name), "%s-serverauth-only.crt", roles[r]);
		X509 *x = load_cert(tmp, name);
		CU_ASSERT_EQUAL(X509_get_extended_key_usage(x), XKU_SSL_SERVER);
		CU_ASSERT_EQUAL(verify_with(ca, x, NULL, NULL), X509_V_OK);
		X509_free(x);
	}

	sk_X509_CRL_pop_free(crls, X509_CRL_free);
	sk_X509_free(only_ica);
	X509_free(ica);
	X509_free(ca);
	rm_tree(tmp);
}

int main(void)
{
	static const struct tl_case cases[] = {
		{ "ec: files, chain, names, usages, handshake", test_ec },
		{ "rsa2048: files, chain, names, usages, handshake", test_rsa2048 },
		{ "rsa1024: sha1, level 0 only", test_rsa1024 },
		{ "existing dir reused, stale key narrowed", test_reuse_dir },
		{ "uncreatable dirs: errno and path", test_bad_dirs },
		{ "bad arguments: -EINVAL", test_bad_args },
		{ "variants: dates, issuers, keys, names, X509 errors", test_variants },
		{ "pki_lab_name lists exactly the files written", test_lab_names },
		{ "two-tier set, CRLs, CN-only and serverAuth-only leaves", test_enterprise_set },
		{ "csr: subject, SANs, usages, signature, key", test_csr },
		{ "csr: existing key kept, failed request removes key", test_csr_files },
		{ "csr: bad names and SAN items rejected", test_csr_bad },
	};
	return tl_run("pki", TL_CASES(cases));
}
