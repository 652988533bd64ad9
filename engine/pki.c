/* Lab PKI: two CAs, the good leaves and the broken ones negative tests need, and CSRs for
 * an enterprise CA; generated with OpenSSL 3 and written as PEM. */
#include "pki.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>
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
#define PKI_OTHER_CA_CN "trunkload untrusted CA" /* a different name: no issuer lookup hits ca */
#define PKI_ICA_CN "trunkload lab issuing CA"
#define PKI_WRONG_NAME "wrong.trunkload.test"
#define PKI_CA_DAYS 3650
#define PKI_LEAF_DAYS 365
#define PKI_BACKDATE_S (-3600L) /* tolerate a peer whose clock runs a little behind */
#define PKI_CN_MAX 64		/* ub-common-name, RFC 5280 */
#define PKI_DNS_MAX 253
#define PKI_SAN_MAX 16
#define PKI_SANS_LEN 2048

/* What one certificate should say; dns/ip feed the subjectAltName (none for the CA).
 * notBefore is now + from_days + from_s, notAfter now + until_days. */
struct cert_spec {
	const char *cn;
	bool is_ca;
	int from_days;
	long from_s;
	int until_days;
	const char *dns[2];
	const char *ip[2];
	const char *eku;  /* leaves: the extendedKeyUsage */
	bool no_san;      /* leaves: names in the CN only */
	bool issuing_ca;  /* a CA that signs leaves only (pathlen 0) */
};

enum lab_role { ROLE_CA, ROLE_OTHER_CA, ROLE_ICA, ROLE_SERVER, ROLE_CLIENT, ROLE_N };
enum lab_shape {
	SHAPE_GOOD, SHAPE_EXPIRED, SHAPE_NOTYET, SHAPE_WRONGNAME, SHAPE_SELFSIGNED,
	SHAPE_UNTRUSTED, SHAPE_LEGACY, SHAPE_RSA2048, SHAPE_ICA, SHAPE_REVOKED, SHAPE_CNONLY,
	SHAPE_SERVERAUTH_ONLY
};
/* the signers in the order of lab_set.ca[] (the CAs' roles) */
enum lab_signer { BY_CA, BY_OTHER_CA, BY_ICA, BY_SELF };
enum lab_md { MD_LAB, MD_SHA1, MD_SHA256 };
#define KEY_LAB (-1) /* the kind asked for */

/* How a leaf departs from the good one: dates, signer, key and digest, names. */
static const struct lab_shape_spec {
	int from_days;
	long from_s;
	int until_days;
	enum lab_signer signer;
	int key; /* KEY_LAB or an enum pki_key_kind */
	enum lab_md md;
	bool wrong_name;
	bool no_san;
	bool server_auth_only;
	int revoked; /* 1 + the CRL reason code (RFC 5280 5.3.1) in crl.pem, 0: not revoked */
} shapes[] = {
	[SHAPE_GOOD] = { 0, PKI_BACKDATE_S, PKI_LEAF_DAYS, BY_CA, KEY_LAB, MD_LAB, false },
	[SHAPE_EXPIRED] = { -400, 0, -35, BY_CA, KEY_LAB, MD_LAB, false },
	[SHAPE_NOTYET] = { 30, 0, 30 + PKI_LEAF_DAYS, BY_CA, KEY_LAB, MD_LAB, false },
	[SHAPE_WRONGNAME] = { 0, PKI_BACKDATE_S, PKI_LEAF_DAYS, BY_CA, KEY_LAB, MD_LAB, true },
	[SHAPE_SELFSIGNED] = { 0, PKI_BACKDATE_S, PKI_LEAF_DAYS, BY_SELF, KEY_LAB, MD_LAB, false },
	[SHAPE_UNTRUSTED] = { 0, PKI_BACKDATE_S, PKI_LEAF_DAYS, BY_OTHER_CA, KEY_LAB, MD_LAB, false },
	[SHAPE_LEGACY] = { 0, PKI_BACKDATE_S, PKI_LEAF_DAYS, BY_CA, PKI_KEY_RSA1024, MD_SHA1, false },
	[SHAPE_RSA2048] = { 0, PKI_BACKDATE_S, PKI_LEAF_DAYS, BY_CA, PKI_KEY_RSA2048, MD_SHA256, false },
	[SHAPE_ICA] = { 0, PKI_BACKDATE_S, PKI_LEAF_DAYS, BY_ICA, KEY_LAB, MD_LAB, false },
	[SHAPE_REVOKED] = { 0, PKI_BACKDATE_S, PKI_LEAF_DAYS, BY_CA, KEY_LAB, MD_LAB, false,
			    .revoked = 1 + CRL_REASON_KEY_COMPROMISE },
	[SHAPE_CNONLY] = { 0, PKI_BACKDATE_S, PKI_LEAF_DAYS, BY_CA, KEY_LAB, MD_LAB, false,
			   .no_san = true },
	[SHAPE_SERVERAUTH_ONLY] = { 0, PKI_BACKDATE_S, PKI_LEAF_DAYS, BY_CA, KEY_LAB, MD_LAB,
				    false, .server_auth_only = true },
};

/* The set pki_make_lab writes, in build order: each CA before what it signs. */
static const struct lab_entry {
	const char *name, *what;
	enum lab_role role;
	enum lab_shape shape;
} lab[] = {
	{ "ca", "the lab CA: both ends trust it", ROLE_CA, SHAPE_GOOD },
	{ "server", "the responder: server name, localhost, 127.0.0.1, ::1", ROLE_SERVER, SHAPE_GOOD },
	{ "client", "the caller: client name", ROLE_CLIENT, SHAPE_GOOD },
	{ "ca-other", "a second CA that nobody trusts", ROLE_OTHER_CA, SHAPE_GOOD },
	{ "ica", "an issuing CA under ca (a two-tier enterprise CA)", ROLE_ICA, SHAPE_GOOD },
	{ "server-expired", "expired 35 days ago", ROLE_SERVER, SHAPE_EXPIRED },
	{ "server-notyet", "valid from 30 days from now", ROLE_SERVER, SHAPE_NOTYET },
	{ "server-wrongname", "names " PKI_WRONG_NAME " only", ROLE_SERVER, SHAPE_WRONGNAME },
	{ "server-selfsigned", "self-signed, same names", ROLE_SERVER, SHAPE_SELFSIGNED },
	{ "server-untrusted", "same names, signed by ca-other", ROLE_SERVER, SHAPE_UNTRUSTED },
	{ "server-legacy", "RSA-1024 key, SHA-1 signature", ROLE_SERVER, SHAPE_LEGACY },
	{ "server-rsa2048", "RSA-2048 key, SHA-256 signature", ROLE_SERVER, SHAPE_RSA2048 },
	{ "client-expired", "expired 35 days ago", ROLE_CLIENT, SHAPE_EXPIRED },
	{ "client-notyet", "valid from 30 days from now", ROLE_CLIENT, SHAPE_NOTYET },
	{ "client-wrongname", "names " PKI_WRONG_NAME " only", ROLE_CLIENT, SHAPE_WRONGNAME },
	{ "client-selfsigned", "self-signed, same names", ROLE_CLIENT, SHAPE_SELFSIGNED },
	{ "client-untrusted", "same names, signed by ca-other", ROLE_CLIENT, SHAPE_UNTRUSTED },
	{ "client-legacy", "RSA-1024 key, SHA-1 signature", ROLE_CLIENT, SHAPE_LEGACY },
	{ "client-rsa2048", "RSA-2048 key, SHA-256 signature", ROLE_CLIENT, SHAPE_RSA2048 },
	{ "server-ica", "issued by ica (alone: the intermediate missing)", ROLE_SERVER, SHAPE_ICA },
	{ "client-ica", "issued by ica (alone: the intermediate missing)", ROLE_CLIENT, SHAPE_ICA },
	{ "server-revoked", "revoked in crl.pem (keyCompromise)", ROLE_SERVER, SHAPE_REVOKED },
	{ "client-revoked", "revoked in crl.pem (keyCompromise)", ROLE_CLIENT, SHAPE_REVOKED },
	{ "server-cnonly", "server name in the CN only, no subjectAltName", ROLE_SERVER,
	  SHAPE_CNONLY },
	{ "server-serverauth-only", "EKU serverAuth only, as public CAs issue now", ROLE_SERVER,
	  SHAPE_SERVERAUTH_ONLY },
	{ "client-serverauth-only", "EKU serverAuth only, as public CAs issue now", ROLE_CLIENT,
	  SHAPE_SERVERAUTH_ONLY },
};

/* Files beside the pairs: chains as a far end sends them, and the CRLs. */
static const struct lab_extra {
	const char *file, *what;
	const char *leaf; /* a chain's leaf (then ica), NULL: the CRLs */
} extras[] = {
	{ "server-ica-chain.crt", "server-ica + ica: the chain a two-tier far end sends",
	  "server-ica" },
	{ "client-ica-chain.crt", "client-ica + ica: the chain a two-tier caller sends",
	  "client-ica" },
	{ "crl.pem", "CRLs of ca (server-revoked, client-revoked) and of ica (none)", NULL },
};
#define EXTRAS_N (sizeof(extras) / sizeof(extras[0]))
#define LAB_N (sizeof(lab) / sizeof(lab[0]))
#define KIND_N 3

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
	for (int i = 0; i < 2 && spec->ip[i]; i++) {
		ASN1_OCTET_STRING *ip = a2i_IPADDRESS(spec->ip[i]);
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
	    !X509_time_adj_ex(X509_getm_notBefore(x), spec->from_days, spec->from_s, NULL) ||
	    !X509_time_adj_ex(X509_getm_notAfter(x), spec->until_days, 0, NULL) ||
	    !X509_set_pubkey(x, key)) {
		rc = ossl_fail(err, errlen, "certificate fields");
		goto out;
	}

	/* The subject key identifier must exist before the authority one: for the
	 * self-signed CA the authority key identifier is copied from it. */
	X509V3_set_ctx(&ctx, issuer ? issuer : x, x, NULL, NULL, 0);
	const char *bc = spec->issuing_ca ? "critical,CA:TRUE,pathlen:0"
			 : spec->is_ca	  ? "critical,CA:TRUE"
					  : "critical,CA:FALSE";
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
	    ((rc = add_conf_ext(x, &ctx, NID_ext_key_usage, spec->eku, err, errlen)) ||
	     (!spec->no_san && (rc = add_san(x, spec, err, errlen)))))
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

/* What one PEM file holds: exactly one of the three. */
struct pem_obj {
	X509 *cert;
	EVP_PKEY *key;
	X509_REQ *req;
};

/* Writes one PEM file. The mode is given to open() and forced again with fchmod()
 * before any byte is written: a key file that existed with wider bits is emptied by
 * O_TRUNC and narrowed before the new key lands in it. With excl, an existing file is
 * left alone and the call fails with -EEXIST. */
static int write_pem(const char *path, mode_t mode, bool excl, struct pem_obj obj, char *err,
		     size_t errlen)
{
	FILE *fp = NULL;
	int fd = -1;
	int rc = 0;

	fd = open(path, O_WRONLY | O_CREAT | (excl ? O_EXCL : O_TRUNC) | O_CLOEXEC | O_NOFOLLOW,
		  mode);
	if (fd < 0 && errno == EEXIST && excl) {
		set_err(err, errlen, "%s already exists: not overwriting it", path);
		return -EEXIST;
	}
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
	int ok = obj.key    ? PEM_write_PrivateKey(fp, obj.key, NULL, NULL, 0, NULL, NULL)
		 : obj.req  ? PEM_write_X509_REQ(fp, obj.req)
			    : PEM_write_X509(fp, obj.cert);
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

static int join_path(char *out, size_t cap, const char *dir, const char *name, const char *ext,
		     char *err, size_t errlen)
{
	if ((size_t)snprintf(out, cap, "%s/%s%s", dir, name, ext) < cap)
		return 0;
	set_err(err, errlen, "path too long: %s/%s%s", dir, name, ext);
	return -ENAMETOOLONG;
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

const char *pki_lab_name(size_t i, const char **what)
{
	if (i >= LAB_N)
		return NULL;
	if (what)
		*what = lab[i].what;
	return lab[i].name;
}

const char *pki_lab_extra(size_t i, const char **what)
{
	if (i >= EXTRAS_N)
		return NULL;
	if (what)
		*what = extras[i].what;
	return extras[i].file;
}

/* The lab being built: certificates by lab[] index, keys by role and kind. Each key is
 * generated once and shared by every certificate of that role and kind. */
struct lab_set {
	X509 *cert[LAB_N];
	EVP_PKEY *cert_key[LAB_N]; /* borrowed from keys[][] */
	EVP_PKEY *keys[ROLE_N][KIND_N];
	X509 *ca[3];		   /* borrowed, by enum lab_signer: ca, ca-other, ica */
	EVP_PKEY *ca_key[3];
};

static void lab_free(struct lab_set *ls)
{
	for (size_t i = 0; i < LAB_N; i++)
		X509_free(ls->cert[i]);
	for (size_t r = 0; r < ROLE_N; r++)
		for (size_t k = 0; k < KIND_N; k++)
			EVP_PKEY_free(ls->keys[r][k]);
}

static int lab_build_one(struct lab_set *ls, size_t i, enum pki_key_kind kind,
			 const char *server_name, const char *client_name, char *err,
			 size_t errlen)
{
	const struct lab_entry *e = &lab[i];
	const struct lab_shape_spec *sh = &shapes[e->shape];
	bool is_ca = e->role == ROLE_CA || e->role == ROLE_OTHER_CA || e->role == ROLE_ICA;
	int k = sh->key == KEY_LAB ? (int)kind : sh->key;
	EVP_PKEY **key = &ls->keys[e->role][k];
	int rc;

	if (!*key && (rc = make_key((enum pki_key_kind)k, key, err, errlen)))
		return rc;
	ls->cert_key[i] = *key;

	struct cert_spec spec = { .from_days = sh->from_days, .from_s = sh->from_s,
				  .until_days = sh->until_days, .no_san = sh->no_san,
				  .eku = sh->server_auth_only ? "serverAuth" : "serverAuth,clientAuth" };
	if (is_ca) {
		spec.cn = e->role == ROLE_CA ? PKI_CA_CN
			  : e->role == ROLE_ICA ? PKI_ICA_CN : PKI_OTHER_CA_CN;
		spec.is_ca = true;
		spec.issuing_ca = e->role == ROLE_ICA;
		spec.until_days = PKI_CA_DAYS;
	} else if (sh->wrong_name) {
		spec.cn = spec.dns[0] = PKI_WRONG_NAME;
	} else if (e->role == ROLE_SERVER) {
		spec.cn = spec.dns[0] = server_name;
		spec.dns[1] = "localhost";
		spec.ip[0] = "127.0.0.1";
		spec.ip[1] = "::1";
	} else {
		spec.cn = spec.dns[0] = client_name;
	}

	/* Legacy call managers sign with SHA-1 under 1024-bit keys; libcrypto still signs
	 * that way in 3.0, only libssl's security level refuses to load the result. */
	const EVP_MD *md = sh->md == MD_SHA1 ? EVP_sha1()
			   : sh->md == MD_SHA256 ? EVP_sha256()
			   : kind == PKI_KEY_RSA1024 ? EVP_sha1() : EVP_sha256();
	enum lab_signer by = e->role == ROLE_ICA ? BY_CA : is_ca ? BY_SELF : sh->signer;
	X509 *issuer = by == BY_SELF ? NULL : ls->ca[by];
	EVP_PKEY *issuer_key = by == BY_SELF ? *key : ls->ca_key[by];

	if ((rc = make_cert(&spec, *key, issuer, issuer_key, md, &ls->cert[i], err, errlen)))
		return rc;
	if (is_ca) {
		enum lab_signer as = e->role == ROLE_CA ? BY_CA
				     : e->role == ROLE_ICA ? BY_ICA : BY_OTHER_CA;
		ls->ca[as] = ls->cert[i];
		ls->ca_key[as] = *key;
	}
	return 0;
}

static size_t lab_index(const char *name)
{
	size_t i = 0;
	while (i < LAB_N && strcmp(lab[i].name, name))
		i++;
	return i;
}

/* Adds one revoked entry for x: revoked half an hour ago (after it was issued), with
 * its reason. */
static int crl_revoke(X509_CRL *crl, X509 *x, int reason)
{
	X509_REVOKED *r = X509_REVOKED_new();
	ASN1_TIME *when = X509_time_adj_ex(NULL, 0, -1800, NULL);
	ASN1_ENUMERATED *why = ASN1_ENUMERATED_new();
	int ok = r && when && why && X509_REVOKED_set_serialNumber(r, X509_get_serialNumber(x)) &&
		 X509_REVOKED_set_revocationDate(r, when) && ASN1_ENUMERATED_set(why, reason) &&
		 X509_REVOKED_add1_ext_i2d(r, NID_crl_reason, why, 0, 0) == 1 &&
		 X509_CRL_add0_revoked(crl, r);
	ASN1_TIME_free(when);
	ASN1_ENUMERATED_free(why);
	if (!ok)
		X509_REVOKED_free(r);
	return ok ? 0 : -EPROTO;
}

/* A v2 CRL of the CA at signer, listing the lab's revoked leaves that CA issued. It is
 * current from an hour ago for as long as a leaf is valid. */
static int make_crl(const struct lab_set *ls, enum lab_signer signer, const EVP_MD *md,
		    X509_CRL **out, char *err, size_t errlen)
{
	X509 *ca = ls->ca[signer];
	X509_CRL *crl = X509_CRL_new();
	ASN1_TIME *last = X509_time_adj_ex(NULL, 0, PKI_BACKDATE_S, NULL);
	ASN1_TIME *next = X509_time_adj_ex(NULL, PKI_LEAF_DAYS, 0, NULL);
	ASN1_INTEGER *number = ASN1_INTEGER_new();
	X509V3_CTX ctx;
	int rc = -EPROTO;

	if (!crl || !last || !next || !number || !X509_CRL_set_version(crl, X509_CRL_VERSION_2) ||
	    !X509_CRL_set_issuer_name(crl, X509_get_subject_name(ca)) ||
	    !X509_CRL_set1_lastUpdate(crl, last) || !X509_CRL_set1_nextUpdate(crl, next) ||
	    !ASN1_INTEGER_set(number, 1) ||
	    X509_CRL_add1_ext_i2d(crl, NID_crl_number, number, 0, 0) != 1)
		goto out;
	for (size_t i = 0; i < LAB_N; i++)
		if (shapes[lab[i].shape].revoked && shapes[lab[i].shape].signer == signer &&
		    crl_revoke(crl, ls->cert[i], shapes[lab[i].shape].revoked - 1))
			goto out;
	X509V3_set_ctx(&ctx, ca, NULL, NULL, crl, 0);
	X509_EXTENSION *akid = X509V3_EXT_conf_nid(NULL, &ctx, NID_authority_key_identifier,
						   "keyid:always");
	int added = akid && X509_CRL_add_ext(crl, akid, -1);
	X509_EXTENSION_free(akid);
	if (!added || !X509_CRL_sort(crl) || !X509_CRL_sign(crl, ls->ca_key[signer], md))
		goto out;
	*out = crl;
	crl = NULL;
	rc = 0;
out:
	if (rc)
		rc = ossl_fail(err, errlen, "making the CRL");
	X509_CRL_free(crl);
	ASN1_TIME_free(last);
	ASN1_TIME_free(next);
	ASN1_INTEGER_free(number);
	return rc;
}

/* Writes an extra file: a leaf and ica, or the CRLs of ca and ica. */
static int write_extra(const struct lab_set *ls, const struct lab_extra *x, const char *path,
		       const EVP_MD *md, char *err, size_t errlen)
{
	X509_CRL *crl[2] = { NULL, NULL };
	int rc = 0;
	if (!x->leaf && ((rc = make_crl(ls, BY_CA, md, &crl[0], err, errlen)) ||
			 (rc = make_crl(ls, BY_ICA, md, &crl[1], err, errlen))))
		goto out;
	FILE *fp = fopen(path, "we");
	if (!fp) {
		rc = sys_fail(err, errlen, errno, "cannot open", path);
		goto out;
	}
	int ok = x->leaf ? PEM_write_X509(fp, ls->cert[lab_index(x->leaf)]) &&
				   PEM_write_X509(fp, ls->ca[BY_ICA])
			 : PEM_write_X509_CRL(fp, crl[0]) && PEM_write_X509_CRL(fp, crl[1]);
	if (fclose(fp) != 0 || !ok) {
		ERR_clear_error();
		rc = sys_fail(err, errlen, EIO, "cannot write", path);
	}
out:
	X509_CRL_free(crl[0]);
	X509_CRL_free(crl[1]);
	return rc;
}

/* The first file of a lab that dir already holds, into path; false when none. */
static bool lab_file_exists(const char *dir, char *path, size_t cap)
{
	static const char *const ext[] = { ".crt", ".key" };
	for (size_t i = 0; i < LAB_N; i++)
		for (size_t e = 0; e < 2; e++)
			if ((size_t)snprintf(path, cap, "%s/%s%s", dir, lab[i].name, ext[e]) < cap &&
			    access(path, F_OK) == 0)
				return true;
	for (size_t i = 0; i < EXTRAS_N; i++)
		if ((size_t)snprintf(path, cap, "%s/%s", dir, extras[i].file) < cap &&
		    access(path, F_OK) == 0)
			return true;
	return false;
}

int pki_make_lab(const char *dir, enum pki_key_kind kind, const char *server_name,
		 const char *client_name, bool force, char *err, size_t errlen)
{
	struct lab_set ls = { 0 };
	char path[PATH_MAX];
	int rc = 0;

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

	/* The directory first (a bad path fails before any key generation), then
	 * everything in memory, so a failure leaves no half-written set. */
	if ((rc = make_dir(dir, err, errlen)))
		goto out;
	if (!force && lab_file_exists(dir, path, sizeof(path))) {
		/* a new CA over the old lab would fail every handshake of a responder
		 * still using the old files */
		set_err(err, errlen, "%s exists: %s holds a lab already (--force makes a new one "
				     "over it)", path, dir);
		rc = -EEXIST;
		goto out;
	}
	for (size_t i = 0; i < LAB_N; i++)
		if ((rc = lab_build_one(&ls, i, kind, server_name, client_name, err, errlen)))
			goto out;
	for (size_t i = 0; i < LAB_N; i++) {
		struct pem_obj key = { .key = ls.cert_key[i] }, crt = { .cert = ls.cert[i] };
		if ((rc = join_path(path, sizeof(path), dir, lab[i].name, ".key", err, errlen)) ||
		    (rc = write_pem(path, 0600, false, key, err, errlen)) ||
		    (rc = join_path(path, sizeof(path), dir, lab[i].name, ".crt", err, errlen)) ||
		    (rc = write_pem(path, 0644, false, crt, err, errlen)))
			goto out;
	}
	const EVP_MD *md = kind == PKI_KEY_RSA1024 ? EVP_sha1() : EVP_sha256();
	for (size_t i = 0; i < EXTRAS_N; i++)
		if ((rc = join_path(path, sizeof(path), dir, extras[i].file, "", err, errlen)) ||
		    (rc = write_extra(&ls, &extras[i], path, md, err, errlen)))
			goto out;
out:
	lab_free(&ls);
	return rc;
}

/* ---- certificate signing requests ---- */

/* A dNSName for a SAN: hostname characters and dots, an optional leading "*." for a
 * wildcard, no empty label. */
static bool dns_ok(const char *name)
{
	const char *p = strncmp(name, "*.", 2) == 0 ? name + 2 : name;
	size_t n = strlen(name);

	if (n == 0 || n > PKI_DNS_MAX || *p == '.' || *p == '\0' || p[strlen(p) - 1] == '.' ||
	    strstr(p, ".."))
		return false;
	for (; *p; p++) {
		char c = *p;
		bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
			  (c >= '0' && c <= '9') || c == '-' || c == '.';
		if (!ok)
			return false;
	}
	return true;
}

static int push_name(GENERAL_NAMES *gens, int type, const char *dns, const unsigned char *ip,
		     int iplen)
{
	GENERAL_NAME *gen = GENERAL_NAME_new();
	ASN1_STRING *s = type == GEN_DNS ? ASN1_IA5STRING_new() : ASN1_OCTET_STRING_new();
	int ok = gen && s &&
		 (type == GEN_DNS ? ASN1_STRING_set(s, dns, -1) : ASN1_STRING_set(s, ip, iplen));

	if (!ok) {
		ASN1_STRING_free(s);
		GENERAL_NAME_free(gen);
		return -ENOMEM;
	}
	GENERAL_NAME_set0_value(gen, type, s);
	if (!sk_GENERAL_NAME_push(gens, gen)) {
		GENERAL_NAME_free(gen);
		return -ENOMEM;
	}
	return 0;
}

/* "DNS:a.example.com,IP:10.0.0.1" into gens; spaces around items are ignored. NULL or
 * empty sans means DNS:cn. */
static int parse_sans(const char *sans, const char *cn, GENERAL_NAMES *gens, char *err,
		      size_t errlen)
{
	char copy[PKI_SANS_LEN];
	int count = 0;

	if (!sans || !*sans)
		return push_name(gens, GEN_DNS, cn, NULL, 0);
	if (strlen(sans) >= sizeof(copy)) {
		set_err(err, errlen, "SAN list longer than %d characters", PKI_SANS_LEN - 1);
		return -EINVAL;
	}
	strcpy(copy, sans);
	for (char *item = copy, *next; item; item = next) {
		next = strchr(item, ',');
		if (next)
			*next++ = '\0';
		while (*item == ' ')
			item++;
		for (size_t n = strlen(item); n > 0 && item[n - 1] == ' ';)
			item[--n] = '\0';

		unsigned char ip[16];
		int rc;
		if (++count > PKI_SAN_MAX) {
			set_err(err, errlen, "more than %d SAN items", PKI_SAN_MAX);
			return -EINVAL;
		}
		if (strncasecmp(item, "DNS:", 4) == 0 && dns_ok(item + 4))
			rc = push_name(gens, GEN_DNS, item + 4, NULL, 0);
		else if (strncasecmp(item, "IP:", 3) == 0 && inet_pton(AF_INET, item + 3, ip) == 1)
			rc = push_name(gens, GEN_IPADD, NULL, ip, 4);
		else if (strncasecmp(item, "IP:", 3) == 0 && inet_pton(AF_INET6, item + 3, ip) == 1)
			rc = push_name(gens, GEN_IPADD, NULL, ip, 16);
		else {
			/* the reason stays one line whatever was typed */
			for (char *c = item; *c; c++)
				if ((unsigned char)*c < 0x20 || *c == 0x7f)
					*c = '?';
			set_err(err, errlen,
				"SAN item \"%s\": expected DNS:hostname or IP:address (IPv4 or IPv6)",
				item);
			return -EINVAL;
		}
		if (rc) {
			set_err(err, errlen, "out of memory");
			return rc;
		}
	}
	return 0;
}

/* The request in memory: subject CN, the SANs, both TLS usages, signed with SHA-256. */
static int build_req(EVP_PKEY *key, const char *cn, GENERAL_NAMES *gens, X509_REQ **out,
		     char *err, size_t errlen)
{
	X509_REQ *req = X509_REQ_new();
	X509_NAME *name = X509_NAME_new();
	STACK_OF(X509_EXTENSION) *exts = sk_X509_EXTENSION_new_null();
	X509_EXTENSION *ext = NULL;
	const char *ku = EVP_PKEY_get_base_id(key) == EVP_PKEY_EC
				 ? "critical,digitalSignature"
				 : "critical,digitalSignature,keyEncipherment";
	int rc = -EPROTO;

	if (!req || !name || !exts || !X509_REQ_set_version(req, X509_REQ_VERSION_1) ||
	    !X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_UTF8, (const unsigned char *)cn, -1,
					-1, 0) ||
	    !X509_REQ_set_subject_name(req, name) || !X509_REQ_set_pubkey(req, key))
		goto out;
	if (!(ext = X509V3_EXT_i2d(NID_subject_alt_name, 0, gens)) ||
	    !sk_X509_EXTENSION_push(exts, ext))
		goto out;
	if (!(ext = X509V3_EXT_conf_nid(NULL, NULL, NID_ext_key_usage, "serverAuth,clientAuth")) ||
	    !sk_X509_EXTENSION_push(exts, ext))
		goto out;
	if (!(ext = X509V3_EXT_conf_nid(NULL, NULL, NID_key_usage, ku)) ||
	    !sk_X509_EXTENSION_push(exts, ext))
		goto out;
	ext = NULL; /* all owned by exts */
	if (!X509_REQ_add_extensions(req, exts) || !X509_REQ_sign(req, key, EVP_sha256()))
		goto out;
	*out = req;
	req = NULL;
	rc = 0;
out:
	if (rc)
		rc = ossl_fail(err, errlen, "building the request");
	X509_EXTENSION_free(ext);
	sk_X509_EXTENSION_pop_free(exts, X509_EXTENSION_free);
	X509_NAME_free(name);
	X509_REQ_free(req);
	return rc;
}

int pki_make_csr(const char *key_path, const char *csr_path, const char *cn, const char *sans,
		 enum pki_key_kind kind, char *err, size_t errlen)
{
	GENERAL_NAMES *gens = NULL;
	EVP_PKEY *key = NULL;
	X509_REQ *req = NULL;
	int rc;

	set_err(err, errlen, "%s", "");
	if (!key_path || !*key_path || !csr_path || !*csr_path) {
		set_err(err, errlen, "no key or request path given");
		return -EINVAL;
	}
	if (!name_ok(cn)) {
		set_err(err, errlen, "common name must be 1-%d hostname characters", PKI_CN_MAX);
		return -EINVAL;
	}
	if (kind != PKI_KEY_EC && kind != PKI_KEY_RSA2048) {
		set_err(err, errlen, "a request's key is ec or rsa2048 (a CA refuses weaker ones)");
		return -EINVAL;
	}
	if (!(gens = sk_GENERAL_NAME_new_null())) {
		set_err(err, errlen, "out of memory");
		return -ENOMEM;
	}
	if ((rc = parse_sans(sans, cn, gens, err, errlen)) ||
	    (rc = make_key(kind, &key, err, errlen)) ||
	    (rc = build_req(key, cn, gens, &req, err, errlen)))
		goto out;

	/* The key first and never over an existing one: it may be the key a CA has already
	 * certified. A request that cannot be written takes its new key away with it. */
	struct pem_obj k = { .key = key }, r = { .req = req };
	if ((rc = write_pem(key_path, 0600, true, k, err, errlen)))
		goto out;
	if ((rc = write_pem(csr_path, 0644, false, r, err, errlen)))
		unlink(key_path);
out:
	X509_REQ_free(req);
	EVP_PKEY_free(key);
	GENERAL_NAMES_free(gens);
	return rc;
}
