/* Lab PKI: one CA and two CA-signed leaves, generated with OpenSSL 3 and written as PEM. */
#include "pki.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <openssl/bn.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#define PKI_ORG "trunkload lab"
#define PKI_CA_CN "trunkload lab CA"
#define PKI_CA_DAYS 3650
#define PKI_LEAF_DAYS 365
#define PKI_BACKDATE_S (-3600L) /* tolerate a peer whose clock runs a little behind */
#define PKI_CN_MAX 64		/* ub-common-name, RFC 5280 */

/* What one certificate should say; dns/ip feed the subjectAltName (none for the CA). */
struct cert_spec {
	const char *cn;
	bool is_ca;
	long days;
	const char *dns[2];
	const char *ip;
};

static void set_err(char *err, size_t errlen, const char *fmt, ...)
{
	if (!err || errlen == 0)
		return;
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(err, errlen, fmt, ap);
	va_end(ap);
}

/* Records what failed plus OpenSSL's own reason, empties its queue, and returns -EPROTO. */
static int ossl_fail(char *err, size_t errlen, const char *what)
{
	char reason[256] = "no OpenSSL error queued";
	unsigned long e = ERR_peek_last_error();

	if (e)
		ERR_error_string_n(e, reason, sizeof(reason));
	ERR_clear_error();
	set_err(err, errlen, "%s: %s", what, reason);
	return -EPROTO;
}

static int sys_fail(char *err, size_t errlen, int e, const char *what, const char *path)
{
	set_err(err, errlen, "%s %s: %s", what, path, strerror(e));
	return -e;
}

/* Names go into the CN and a dNSName unchanged, so only hostname characters are taken:
 * that keeps the subject readable and rules out anything that could be misparsed. */
static bool name_ok(const char *name)
{
	size_t n = name ? strlen(name) : 0;

	if (n == 0 || n > PKI_CN_MAX)
		return false;
	for (size_t i = 0; i < n; i++) {
		char c = name[i];
		bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
			  (c >= '0' && c <= '9') || c == '-' || c == '.';
		if (!ok)
			return false;
	}
	return true;
}

static int make_key(enum pki_key_kind kind, EVP_PKEY **out, char *err, size_t errlen)
{
	EVP_PKEY *key = NULL;

	switch (kind) {
	case PKI_KEY_EC:
		key = EVP_PKEY_Q_keygen(NULL, NULL, "EC", "P-256");
		break;
	case PKI_KEY_RSA2048:
		key = EVP_PKEY_Q_keygen(NULL, NULL, "RSA", (size_t)2048);
		break;
	case PKI_KEY_RSA1024:
		key = EVP_PKEY_Q_keygen(NULL, NULL, "RSA", (size_t)1024);
		break;
	default:
		set_err(err, errlen, "unknown key kind %d", (int)kind);
		return -EINVAL;
	}
	if (!key)
		return ossl_fail(err, errlen, "key generation failed");
	*out = key;
	return 0;
}

static int add_conf_ext(X509 *x, X509V3_CTX *ctx, int nid, const char *value, char *err,
			size_t errlen)
{
	X509_EXTENSION *ext = X509V3_EXT_conf_nid(NULL, ctx, nid, value);
	int rc = 0;

	if (!ext || !X509_add_ext(x, ext, -1))
		rc = ossl_fail(err, errlen, OBJ_nid2sn(nid));
	X509_EXTENSION_free(ext);
	return rc;
}

/* Built from GENERAL_NAME objects rather than a "DNS:a,DNS:b" string so a name is never
 * reparsed as configuration. */
static int add_san(X509 *x, const struct cert_spec *spec, char *err, size_t errlen)
{
	GENERAL_NAMES *gens = sk_GENERAL_NAME_new_null();
	GENERAL_NAME *gen = NULL;
	int rc = -EPROTO;

	if (!gens)
		goto out;
	for (size_t i = 0; i < sizeof(spec->dns) / sizeof(spec->dns[0]); i++) {
		if (!spec->dns[i])
			continue;
		ASN1_IA5STRING *ia5 = ASN1_IA5STRING_new();
		gen = GENERAL_NAME_new();
		if (!ia5 || !gen || !ASN1_STRING_set(ia5, spec->dns[i], -1)) {
			ASN1_IA5STRING_free(ia5);
			goto out;
		}
		GENERAL_NAME_set0_value(gen, GEN_DNS, ia5);
		if (!sk_GENERAL_NAME_push(gens, gen))
			goto out;
		gen = NULL;
	}
	if (spec->ip) {
		ASN1_OCTET_STRING *ip = a2i_IPADDRESS(spec->ip);
		gen = GENERAL_NAME_new();
		if (!ip || !gen) {
			ASN1_OCTET_STRING_free(ip);
			goto out;
		}
		GENERAL_NAME_set0_value(gen, GEN_IPADD, ip);
		if (!sk_GENERAL_NAME_push(gens, gen))
			goto out;
		gen = NULL;
	}
	if (X509_add1_ext_i2d(x, NID_subject_alt_name, gens, 0, X509V3_ADD_DEFAULT) == 1)
		rc = 0;
out:
	if (rc)
		rc = ossl_fail(err, errlen, "subjectAltName");
	GENERAL_NAME_free(gen);
	GENERAL_NAMES_free(gens);
	return rc;
}

/* Positive and 128 bits long: unguessable, and within RFC 5280's 20-octet limit. */
static int set_serial(X509 *x)
{
	BIGNUM *bn = BN_new();
	int ok = bn && BN_rand(bn, 128, BN_RAND_TOP_ONE, BN_RAND_BOTTOM_ANY) &&
		 BN_to_ASN1_INTEGER(bn, X509_get_serialNumber(x));

	BN_free(bn);
	return ok ? 0 : -EPROTO;
}

/* Makes a certificate for key, signed by issuer_key; issuer NULL means self-signed. */
static int make_cert(const struct cert_spec *spec, EVP_PKEY *key, X509 *issuer,
		     EVP_PKEY *issuer_key, const EVP_MD *md, X509 **out, char *err,
		     size_t errlen)
{
	X509 *x = X509_new();
	X509_NAME *name = X509_NAME_new();
	X509V3_CTX ctx;
	int rc = -EPROTO;

	/* O before CN: the usual most-general-first order, "CN=...,O=..." in RFC 2253 form. */
	if (!x || !name ||
	    !X509_NAME_add_entry_by_txt(name, "O", MBSTRING_UTF8,
					(const unsigned char *)PKI_ORG, -1, -1, 0) ||
	    !X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_UTF8,
					(const unsigned char *)spec->cn, -1, -1, 0)) {
		rc = ossl_fail(err, errlen, "certificate name");
		goto out;
	}
	if (!X509_set_version(x, X509_VERSION_3) || set_serial(x) ||
	    !X509_set_subject_name(x, name) ||
	    !X509_set_issuer_name(x, issuer ? X509_get_subject_name(issuer) : name) ||
	    !X509_gmtime_adj(X509_getm_notBefore(x), PKI_BACKDATE_S) ||
	    !X509_time_adj_ex(X509_getm_notAfter(x), (int)spec->days, 0, NULL) ||
	    !X509_set_pubkey(x, key)) {
		rc = ossl_fail(err, errlen, "certificate fields");
		goto out;
	}

	/* The subject key identifier must exist before the authority one: for the
	 * self-signed CA the authority key identifier is copied from it. */
	X509V3_set_ctx(&ctx, issuer ? issuer : x, x, NULL, NULL, 0);
	const char *bc = spec->is_ca ? "critical,CA:TRUE" : "critical,CA:FALSE";
	const char *ku = spec->is_ca ? "critical,keyCertSign,cRLSign"
		: EVP_PKEY_get_base_id(key) == EVP_PKEY_EC ? "critical,digitalSignature"
		: "critical,digitalSignature,keyEncipherment";
	if ((rc = add_conf_ext(x, &ctx, NID_basic_constraints, bc, err, errlen)) ||
	    (rc = add_conf_ext(x, &ctx, NID_key_usage, ku, err, errlen)) ||
	    (rc = add_conf_ext(x, &ctx, NID_subject_key_identifier, "hash", err, errlen)) ||
	    (rc = add_conf_ext(x, &ctx, NID_authority_key_identifier, "keyid:always", err,
			       errlen)))
		goto out;
	if (!spec->is_ca &&
	    ((rc = add_conf_ext(x, &ctx, NID_ext_key_usage, "serverAuth,clientAuth", err,
				errlen)) ||
	     (rc = add_san(x, spec, err, errlen))))
		goto out;

	if (!X509_sign(x, issuer_key, md)) {
		rc = ossl_fail(err, errlen, "signing the certificate");
		goto out;
	}
	*out = x;
	x = NULL;
	rc = 0;
out:
	X509_NAME_free(name);
	X509_free(x);
	return rc;
}

/* Writes one PEM file. The mode is given to open() and forced again with fchmod()
 * before any byte is written: a key file that existed with wider bits is emptied by
 * O_TRUNC and narrowed before the new key lands in it. */
static int write_pem(const char *dir, const char *file, mode_t mode, X509 *cert, EVP_PKEY *key,
		     char *err, size_t errlen)
{
	char path[PATH_MAX];
	FILE *fp = NULL;
	int fd = -1;
	int rc = 0;

	if ((size_t)snprintf(path, sizeof(path), "%s/%s", dir, file) >= sizeof(path)) {
		set_err(err, errlen, "path too long: %s/%s", dir, file);
		return -ENAMETOOLONG;
	}
	fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW, mode);
	if (fd < 0) {
		rc = sys_fail(err, errlen, errno, "cannot open", path);
		goto out;
	}
	if (fchmod(fd, mode) < 0) {
		rc = sys_fail(err, errlen, errno, "cannot chmod", path);
		goto out;
	}
	fp = fdopen(fd, "w");
	if (!fp) {
		rc = sys_fail(err, errlen, errno, "cannot fdopen", path);
		goto out;
	}
	fd = -1; /* fp owns it now */
	errno = 0;
	int ok = key ? PEM_write_PrivateKey(fp, key, NULL, NULL, 0, NULL, NULL)
		     : PEM_write_X509(fp, cert);
	if (!ok) {
		ERR_clear_error();
		rc = sys_fail(err, errlen, errno ? errno : EIO, "cannot write", path);
		goto out;
	}
out:
	if (fp && fclose(fp) != 0 && rc == 0)
		rc = sys_fail(err, errlen, errno, "cannot write", path);
	if (fd >= 0)
		close(fd);
	return rc;
}

static int make_dir(const char *dir, char *err, size_t errlen)
{
	struct stat st;

	if (mkdir(dir, 0700) == 0)
		return 0;
	if (errno != EEXIST)
		return sys_fail(err, errlen, errno, "cannot create directory", dir);
	if (stat(dir, &st) < 0)
		return sys_fail(err, errlen, errno, "cannot stat", dir);
	if (!S_ISDIR(st.st_mode))
		return sys_fail(err, errlen, ENOTDIR, "cannot create directory", dir);
	return 0; /* reused as it is; the files in it are overwritten */
}

int pki_make_lab(const char *dir, enum pki_key_kind kind, const char *server_name,
		 const char *client_name, char *err, size_t errlen)
{
	EVP_PKEY *ca_key = NULL, *srv_key = NULL, *cli_key = NULL;
	X509 *ca = NULL, *srv = NULL, *cli = NULL;
	/* Legacy call managers sign with SHA-1 under 1024-bit keys; libcrypto still signs
	 * that way in 3.0, only libssl's security level refuses to load the result. */
	const EVP_MD *md = kind == PKI_KEY_RSA1024 ? EVP_sha1() : EVP_sha256();
	int rc;

	set_err(err, errlen, "%s", "");
	if (!dir || !*dir) {
		set_err(err, errlen, "no directory given");
		return -EINVAL;
	}
	if (kind != PKI_KEY_EC && kind != PKI_KEY_RSA2048 && kind != PKI_KEY_RSA1024) {
		set_err(err, errlen, "unknown key kind %d", (int)kind);
		return -EINVAL;
	}
	if (!name_ok(server_name) || !name_ok(client_name)) {
		set_err(err, errlen, "server and client names must be 1-%d hostname characters",
			PKI_CN_MAX);
		return -EINVAL;
	}

	const struct cert_spec ca_spec = { .cn = PKI_CA_CN, .is_ca = true, .days = PKI_CA_DAYS };
	const struct cert_spec srv_spec = { .cn = server_name, .days = PKI_LEAF_DAYS,
					    .dns = { server_name, "localhost" },
					    .ip = "127.0.0.1" };
	const struct cert_spec cli_spec = { .cn = client_name, .days = PKI_LEAF_DAYS,
					    .dns = { client_name } };

	/* The directory first (a bad path fails before any key generation), then
	 * everything in memory, so a failure leaves no half-written set. */
	if ((rc = make_dir(dir, err, errlen)) ||
	    (rc = make_key(kind, &ca_key, err, errlen)) ||
	    (rc = make_key(kind, &srv_key, err, errlen)) ||
	    (rc = make_key(kind, &cli_key, err, errlen)) ||
	    (rc = make_cert(&ca_spec, ca_key, NULL, ca_key, md, &ca, err, errlen)) ||
	    (rc = make_cert(&srv_spec, srv_key, ca, ca_key, md, &srv, err, errlen)) ||
	    (rc = make_cert(&cli_spec, cli_key, ca, ca_key, md, &cli, err, errlen)))
		goto out;

	if ((rc = write_pem(dir, "ca.key", 0600, NULL, ca_key, err, errlen)) ||
	    (rc = write_pem(dir, "ca.crt", 0644, ca, NULL, err, errlen)) ||
	    (rc = write_pem(dir, "server.key", 0600, NULL, srv_key, err, errlen)) ||
	    (rc = write_pem(dir, "server.crt", 0644, srv, NULL, err, errlen)) ||
	    (rc = write_pem(dir, "client.key", 0600, NULL, cli_key, err, errlen)) ||
	    (rc = write_pem(dir, "client.crt", 0644, cli, NULL, err, errlen)))
		goto out;
out:
	X509_free(cli);
	X509_free(srv);
	X509_free(ca);
	EVP_PKEY_free(cli_key);
	EVP_PKEY_free(srv_key);
	EVP_PKEY_free(ca_key);
	return rc;
}
