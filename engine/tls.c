#include "tls.h"
#include "cert_name.h"
#include "str.h"
#include "tls_revocation.h"
#include <sys/stat.h>
#include <time.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <arpa/inet.h>
#include <strings.h>
#include <openssl/err.h>
#include <openssl/x509v3.h>

/* The most specific reason OpenSSL queued ("no start line", "ee key too small"). */
static void openssl_reason(char *out, size_t n, const char *what)
{
	unsigned long e, pick = 0;
	while ((e = ERR_get_error()))
		if (!pick || ERR_GET_LIB(e) != ERR_LIB_SSL || ERR_GET_LIB(pick) == ERR_LIB_SSL)
			pick = pick && ERR_GET_LIB(pick) == ERR_LIB_PEM ? pick : e;
	const char *why = pick ? ERR_reason_error_string(pick) : NULL;
	snprintf(out, n, "%s%s%s", what, why ? ": " : "", why ? why : "");
}

/* A clear message for files that cannot even be opened, or are directories. */
static bool unreadable(const char *path, const char *role, char *err, size_t errlen)
{
	struct stat st;
	if (stat(path, &st) == 0 && S_ISDIR(st.st_mode)) {
		snprintf(err, errlen, "%s: is a directory, expected %s (a PEM file)", path, role);
		return true;
	}
	FILE *f = fopen(path, "r");
	if (f) {
		fclose(f);
		return false;
	}
	snprintf(err, errlen, "%s: cannot read %s: %s", path, role, strerror(errno));
	return true;
}

/* What the first PEM block of a file is: "CERTIFICATE", "PRIVATE KEY" (any kind),
 * or NULL. For messages only. */
static const char *pem_holds(const char *path)
{
	char head[4096];
	FILE *f = fopen(path, "r");
	size_t n = f ? fread(head, 1, sizeof(head) - 1, f) : 0;
	if (f)
		fclose(f);
	head[n] = 0;
	const char *begin = strstr(head, "-----BEGIN ");
	if (!begin)
		return NULL;
	const char *what = begin + 11;
	if (!strncmp(what, "CERTIFICATE-----", 16) || !strncmp(what, "TRUSTED CERTIFICATE", 19))
		return "a certificate";
	const char *dash = strstr(what, "-----");
	if (dash && dash - what >= 11 && !strncmp(dash - 11, "PRIVATE KEY", 11))
		return "a private key";
	return NULL;
}

static int version_bounds(unsigned v, int *lo, int *hi)
{
	static const int ver[] = { TLS1_VERSION, TLS1_1_VERSION, TLS1_2_VERSION, TLS1_3_VERSION };
	if (!v)
		v = TL_TLS1_2 | TL_TLS1_3;
	*lo = *hi = 0;
	for (int i = 0; i < 4; i++) {
		if (v & (1u << i)) {
			if (!*lo)
				*lo = ver[i];
			*hi = ver[i];
		}
	}
	return *lo ? 0 : -EINVAL;
}

/* A trust store must hold something that can anchor a chain: a CA, or a self-signed
 * certificate trusted as itself. A leaf issued by a CA anchors nothing. */
static bool no_ca_in(SSL_CTX *ctx, const char *path, char *err, size_t errlen)
{
	STACK_OF(X509_OBJECT) *objs = X509_STORE_get0_objects(SSL_CTX_get_cert_store(ctx));
	X509 *first = NULL;
	int n = 0;
	for (int i = 0; i < sk_X509_OBJECT_num(objs); i++) {
		X509 *x = X509_OBJECT_get0_X509(sk_X509_OBJECT_value(objs, i));
		if (!x)
			continue;
		if (X509_check_ca(x) > 0 || X509_self_signed(x, 0) == 1)
			return false;
		first = first ? first : x;
		n++;
	}
	char cn[128] = "?";
	if (first)
		X509_NAME_get_text_by_NID(X509_get_subject_name(first), NID_commonName, cn, sizeof(cn));
	ERR_clear_error();
	if (n == 1)
		snprintf(err, errlen, "%s holds no CA certificate: its certificate CN=%s is not a CA "
				      "(give the CA that issued the far end's certificate)", path, cn);
	else
		snprintf(err, errlen, "%s holds no CA certificate: none of its %d certificates "
				      "(the first CN=%s) is a CA", path, n, cn);
	return true;
}

static int alerts_index = -1;
static int names_index = -1; /* SSL_CTX ex data: the expected peer names (owned) */

/* The trunk's name check on the peer's leaf (cert_name.h): the name we connected
 * to (client), and the names the context expects (a responder's trunk profile).
 * 0 when it passes, else the verify error to report. */
static int name_check(const struct tls_conn *t, const char *names, X509 *leaf)
{
	const char *want = t ? t->verify_name : NULL;
	if ((!want || !*want) && (!names || !*names))
		return 0;
	char cn[128], san[512];
	certfacts_names(leaf, cn, sizeof(cn), san, sizeof(san));
	if (want && *want && !cert_name_carried(cn, san, want, strlen(want))) {
		unsigned char ip[16];
		bool is_ip = inet_pton(AF_INET, want, ip) == 1 || inet_pton(AF_INET6, want, ip) == 1;
		return is_ip ? X509_V_ERR_IP_ADDRESS_MISMATCH : X509_V_ERR_HOSTNAME_MISMATCH;
	}
	if (names && *names && !cert_names_carried(cn, san, names))
		return X509_V_ERR_CERT_REJECTED;
	return 0;
}

/* After OpenSSL's own checks pass for the peer's certificate, the trunk's name
 * check: a peer that does not carry the expected name is refused. */
static int verify_cb(int ok, X509_STORE_CTX *store)
{
	SSL *ssl = X509_STORE_CTX_get_ex_data(store, SSL_get_ex_data_X509_STORE_CTX_idx());
	struct tls_conn *t = ssl ? SSL_get_ex_data(ssl, alerts_index) : NULL;
	int depth = X509_STORE_CTX_get_error_depth(store);
	int error = ok ? 0 : X509_STORE_CTX_get_error(store);
	/* --crl without a CRL for this certificate's issuer: checked as far as the CRLs go,
	 * and said (a trust anchor needs none) */
	if (error == X509_V_ERR_UNABLE_TO_GET_CRL) {
		if (t && !t->crl_missing[0])
			tls_crl_missing_text(store, t->crl_missing, sizeof(t->crl_missing));
		return 1;
	}
	if (t && error == X509_V_ERR_CERT_REVOKED && !t->revoked[0])
		tls_revoked_text(store, t->revoked, sizeof(t->revoked));
	/* keep what the peer presented and its first problem: findings need them also
	 * when the handshake is refused */
	if (t && !t->peer_leaf && X509_STORE_CTX_get0_cert(store)) {
		t->peer_leaf = X509_STORE_CTX_get0_cert(store);
		X509_up_ref(t->peer_leaf);
		STACK_OF(X509) *sent = X509_STORE_CTX_get0_untrusted(store);
		t->peer_sent = sent ? X509_chain_up_ref(sent) : NULL;
	}
	if (t && !ok && !t->verify_error) {
		t->verify_error = X509_STORE_CTX_get_error(store);
		t->verify_depth = depth;
	}
	if (!ok || depth != 0)
		return ok;
	const char *names = ssl ? SSL_CTX_get_ex_data(SSL_get_SSL_CTX(ssl), names_index) : NULL;
	int err = name_check(t, names, X509_STORE_CTX_get_current_cert(store));
	if (err) {
		X509_STORE_CTX_set_error(store, err);
		if (t && !t->verify_error)
			t->verify_error = err;
		return 0;
	}
	return ok;
}

static FILE *keylog; /* NSS key log, shared by every context; stdio locks each line */

static void keylog_cb(const SSL *ssl, const char *line)
{
	(void)ssl;
	if (keylog) {
		fprintf(keylog, "%s\n", line);
		fflush(keylog);
	}
}

void tls_set_keylog(FILE *f)
{
	keylog = f;
}

/* A new session from the server (TLS 1.2 at the handshake, 1.3 in a ticket): the
 * newest one replaces the last in the connection's slot. */
static int new_session_cb(SSL *ssl, SSL_SESSION *sess)
{
	struct tls_conn *t = SSL_get_ex_data(ssl, alerts_index);
	if (!t || !t->session_slot)
		return 0;
	SSL_SESSION_free(*t->session_slot);
	*t->session_slot = sess;
	return 1; /* we keep the reference */
}

void tls_conn_resume(struct tls_conn *t, SSL_SESSION **slot)
{
	t->session_slot = slot;
	if (*slot)
		SSL_set_session(t->ssl, *slot);
}

static void free_names(void *parent, void *ptr, CRYPTO_EX_DATA *ad, int idx, long argl, void *argp)
{
	(void)parent, (void)ad, (void)idx, (void)argl, (void)argp;
	OPENSSL_free(ptr);
}

SSL_CTX *tls_ctx_new(bool server, const struct tls_config *cfg, char *err, size_t errlen)
{
	if (alerts_index < 0) { /* contexts are made before any worker thread starts */
		alerts_index = SSL_get_ex_new_index(0, NULL, NULL, NULL, NULL);
		names_index = SSL_CTX_get_ex_new_index(0, NULL, NULL, NULL, free_names);
	}
	SSL_CTX *ctx = SSL_CTX_new(server ? TLS_server_method() : TLS_client_method());
	if (!ctx) {
		openssl_reason(err, errlen, "cannot create TLS context");
		return NULL;
	}
	if (cfg->security_level >= 0)
		SSL_CTX_set_security_level(ctx, cfg->security_level);
	int lo, hi;
	if (version_bounds(cfg->versions, &lo, &hi) ||
	    !SSL_CTX_set_min_proto_version(ctx, lo) || !SSL_CTX_set_max_proto_version(ctx, hi)) {
		snprintf(err, errlen, "no usable TLS version selected");
		goto fail;
	}
	if (cfg->ciphers && *cfg->ciphers && !SSL_CTX_set_cipher_list(ctx, cfg->ciphers) &&
	    lo < TLS1_3_VERSION) {
		snprintf(err, errlen, "cipher list \"%s\" selects no cipher", cfg->ciphers);
		goto fail;
	}
	ERR_clear_error();
	if ((cfg->cert && *cfg->cert && unreadable(cfg->cert, "the certificate", err, errlen)) ||
	    (cfg->key && *cfg->key && unreadable(cfg->key, "the private key", err, errlen)) ||
	    (cfg->ca && *cfg->ca && unreadable(cfg->ca, "the CA certificates", err, errlen)))
		goto fail;
	if (cfg->cert && *cfg->cert &&
	    SSL_CTX_use_certificate_chain_file(ctx, cfg->cert) != 1) {
		char why[200];
		const char *holds = pem_holds(cfg->cert);
		openssl_reason(why, sizeof(why), "");
		if (holds && strcmp(holds, "a certificate"))
			snprintf(err, errlen, "%s: expected a certificate, found %s (certificate and key "
					      "swapped?)", cfg->cert, holds);
		else
			snprintf(err, errlen, "%s: cannot use certificate%s", cfg->cert, why);
		goto fail;
	}
	if (cfg->key && *cfg->key) {
		if (SSL_CTX_use_PrivateKey_file(ctx, cfg->key, SSL_FILETYPE_PEM) != 1) {
			unsigned long e = ERR_peek_last_error();
			char why[200];
			const char *holds = pem_holds(cfg->key);
			openssl_reason(why, sizeof(why), "");
			if (ERR_GET_REASON(e) == X509_R_KEY_VALUES_MISMATCH)
				snprintf(err, errlen, "%s: this private key does not belong to the "
						      "certificate %s (give the key made with it)", cfg->key,
					 cfg->cert ? cfg->cert : "");
			else if (holds && strcmp(holds, "a private key"))
				snprintf(err, errlen, "%s: expected a private key, found %s (certificate and "
						      "key swapped?)", cfg->key, holds);
			else
				snprintf(err, errlen, "%s: cannot use private key%s", cfg->key, why);
			goto fail;
		}
		if (SSL_CTX_check_private_key(ctx) != 1) {
			snprintf(err, errlen, "%s: this private key does not belong to the certificate "
					      "%s (give the key made with it)", cfg->key, cfg->cert ? cfg->cert : "");
			ERR_clear_error();
			goto fail;
		}
	}
	if (cfg->ca && *cfg->ca && SSL_CTX_load_verify_locations(ctx, cfg->ca, NULL) != 1) {
		char why[200];
		openssl_reason(why, sizeof(why), "");
		snprintf(err, errlen, "%s: cannot load CA certificates%s", cfg->ca, why);
		goto fail;
	}
	if (cfg->ca && *cfg->ca && no_ca_in(ctx, cfg->ca, err, errlen))
		goto fail;
	if (cfg->crl && *cfg->crl && tls_load_crls(ctx, cfg->crl, err, errlen))
		goto fail;
	if (server && cfg->ca && *cfg->ca) {
		STACK_OF(X509_NAME) *names = SSL_load_client_CA_file(cfg->ca);
		if (names)
			SSL_CTX_set_client_CA_list(ctx, names);
	}
	int mode = SSL_VERIFY_NONE;
	if (cfg->verify_peer)
		mode = SSL_VERIFY_PEER;
	if (server && cfg->require_peer_cert)
		mode |= SSL_VERIFY_PEER | SSL_VERIFY_FAIL_IF_NO_PEER_CERT;
	if (cfg->expect_peer_names && *cfg->expect_peer_names)
		SSL_CTX_set_ex_data(ctx, names_index, OPENSSL_strdup(cfg->expect_peer_names));
	SSL_CTX_set_verify(ctx, mode, verify_cb);
	if (keylog)
		SSL_CTX_set_keylog_callback(ctx, keylog_cb);
	/* resumption with client certificates needs a context id on the server */
	if (server)
		SSL_CTX_set_session_id_context(ctx, (const unsigned char *)"trunkload", 9);
	if (!server && cfg->resume) {
		SSL_CTX_set_session_cache_mode(ctx, SSL_SESS_CACHE_CLIENT | SSL_SESS_CACHE_NO_INTERNAL_STORE);
		SSL_CTX_sess_set_new_cb(ctx, new_session_cb);
	}
	SSL_CTX_set_mode(ctx, SSL_MODE_RELEASE_BUFFERS);
	ERR_clear_error();
	return ctx;
fail:
	SSL_CTX_free(ctx);
	return NULL;
}

static void info_cb(const SSL *ssl, int where, int ret)
{
	if (!(where & SSL_CB_ALERT))
		return;
	struct tls_conn *t = SSL_get_ex_data(ssl, alerts_index);
	if (!t || !t->alerts)
		return;
	unsigned code = (unsigned)ret & 0xff;
	if (where & SSL_CB_READ) {
		t->alerts->received[code]++;
		t->alert_in = (int)code;
	} else {
		t->alerts->sent[code]++;
		t->alert_out = (int)code;
	}
}

static bool is_ip_literal(const char *s)
{
	unsigned char b[16];
	return inet_pton(AF_INET, s, b) == 1 || inet_pton(AF_INET6, s, b) == 1;
}

int tls_conn_init(struct tls_conn *t, SSL_CTX *ctx, bool server, const char *server_name,
		  const char *verify_name, struct tls_alerts *alerts)
{
	memset(t, 0, sizeof(*t));
	t->alert_in = t->alert_out = -1;
	t->alerts = alerts;
	t->ssl = SSL_new(ctx);
	t->in = BIO_new(BIO_s_mem());
	t->out = BIO_new(BIO_s_mem());
	if (!t->ssl || !t->in || !t->out) {
		BIO_free(t->in);
		BIO_free(t->out);
		SSL_free(t->ssl);
		return -ENOMEM;
	}
	BIO_set_mem_eof_return(t->in, -1);
	SSL_set_bio(t->ssl, t->in, t->out);
	SSL_set_ex_data(t->ssl, alerts_index, t);
	SSL_set_info_callback(t->ssl, info_cb);
	if (server) {
		SSL_set_accept_state(t->ssl);
		return 0;
	}
	SSL_set_connect_state(t->ssl);
	SSL_set_tlsext_status_type(t->ssl, TLSEXT_STATUSTYPE_ocsp);
	if (server_name && *server_name && !is_ip_literal(server_name))
		SSL_set_tlsext_host_name(t->ssl, server_name);
	t->verify_name = verify_name && *verify_name ? verify_name : NULL;
	return 0;
}

void tls_conn_free(struct tls_conn *t)
{
	X509_free(t->peer_leaf);
	t->peer_leaf = NULL;
	sk_X509_pop_free(t->peer_sent, X509_free);
	t->peer_sent = NULL;
	SSL_free(t->ssl); /* frees both BIOs */
	t->ssl = NULL;
}

int tls_feed(struct tls_conn *t, const void *p, size_t n)
{
	return BIO_write(t->in, p, (int)n) == (int)n ? 0 : -ENOMEM;
}

static int fail(struct tls_conn *t, int ret, const char *what)
{
	int e = SSL_get_error(t->ssl, ret);
	if (e == SSL_ERROR_WANT_READ || e == SSL_ERROR_WANT_WRITE)
		return -EAGAIN;
	if (e == SSL_ERROR_ZERO_RETURN) {
		t->peer_closed = true;
		snprintf(t->reason, sizeof(t->reason), "peer sent close_notify");
		return -EPIPE;
	}
	long vr = SSL_get_verify_result(t->ssl);
	if (e == SSL_ERROR_SSL && vr != X509_V_OK)
		snprintf(t->reason, sizeof(t->reason), "%s: peer certificate: %s%s", what,
			 X509_verify_cert_error_string(vr),
			 vr == X509_V_ERR_CERT_REJECTED ? " (none of the expected subject names)" : "");
	else
		openssl_reason(t->reason, sizeof(t->reason), what);
	ERR_clear_error();
	return -EPROTO;
}

int tls_handshake(struct tls_conn *t)
{
	int ret = SSL_do_handshake(t->ssl);
	if (ret == 1) {
		t->done = true;
		return 0;
	}
	return fail(t, ret, "handshake failed");
}

int tls_read(struct tls_conn *t, struct buf *dst)
{
	int total = 0;
	for (;;) {
		if (buf_reserve(dst, 16384))
			return -ENOMEM;
		size_t got = 0;
		int ret = SSL_read_ex(t->ssl, dst->data + dst->len, dst->cap - dst->len, &got);
		if (ret == 1) {
			dst->len += got;
			total += (int)got;
			continue;
		}
		int err = fail(t, 0, "read failed");
		if (err == -EAGAIN)
			return total;
		return total ? total : err;
	}
}

/* The output BIO holds one chunk at a time: a memory BIO grows by copying into a new
 * buffer and clearing the old, and megabytes of output in one write cost fresh pages
 * each turn (tens of ms on a virtual machine), where a chunk's buffer is reused. */
int tls_write(struct tls_conn *t, const void *p, size_t n, struct buf *dst)
{
	const char *at = p;
	while (n) {
		size_t chunk = n < TLS_WRITE_CHUNK ? n : TLS_WRITE_CHUNK, done = 0;
		if (SSL_write_ex(t->ssl, at, chunk, &done) != 1 || done != chunk) {
			fail(t, 0, "write failed");
			return -EPROTO;
		}
		if (tls_take_output(t, dst) < 0)
			return -ENOMEM;
		at += chunk;
		n -= chunk;
	}
	return 0;
}

static BIO *fresh_bio(BIO *old, bool input)
{
	if (BIO_ctrl_pending(old))
		return NULL;
	BIO *b = BIO_new(BIO_s_mem());
	if (b && input)
		BIO_set_mem_eof_return(b, -1);
	return b;
}

void tls_trim(struct tls_conn *t)
{
	if (!t->ssl)
		return;
	if (!SSL_has_pending(t->ssl))
		SSL_free_buffers(t->ssl);
	BIO *in = fresh_bio(t->in, true), *out = fresh_bio(t->out, false);
	if (in) {
		SSL_set0_rbio(t->ssl, in); /* frees the old one */
		t->in = in;
	}
	if (out) {
		SSL_set0_wbio(t->ssl, out);
		t->out = out;
	}
}

void tls_close(struct tls_conn *t)
{
	if (t->done)
		SSL_shutdown(t->ssl);
}

int tls_take_output(struct tls_conn *t, struct buf *dst)
{
	size_t pending = BIO_ctrl_pending(t->out);
	if (!pending)
		return 0;
	if (buf_reserve(dst, pending))
		return -ENOMEM;
	int n = BIO_read(t->out, dst->data + dst->len, (int)pending);
	if (n > 0)
		dst->len += (size_t)n;
	return n > 0 ? n : 0;
}

void tls_handshake_facts(const struct tls_conn *t, bool peer_is_server, struct handshake_facts *h)
{
	memset(h, 0, sizeof(*h));
	if (t->done) {
		const SSL_CIPHER *c = SSL_get_current_cipher(t->ssl);
		snprintf(h->version, sizeof(h->version), "%s", SSL_get_version(t->ssl));
		snprintf(h->cipher, sizeof(h->cipher), "%s", c ? SSL_CIPHER_get_name(c) : "");
		int kx = c ? SSL_CIPHER_get_kx_nid(c) : NID_undef;
		h->forward_secrecy = kx != NID_kx_rsa && kx != NID_kx_psk && kx != NID_kx_rsa_psk;
		int group = SSL_get_negotiated_group(t->ssl);
		if (group > 0 && OBJ_nid2sn(group))
			snprintf(h->group, sizeof(h->group), "%s", OBJ_nid2sn(group));
		h->resumed = SSL_session_reused(t->ssl);
	}
	/* the CertificateRequest's CA names, seen from the client */
	const STACK_OF(X509_NAME) *cas = peer_is_server ? SSL_get0_peer_CA_list(t->ssl) : NULL;
	h->cert_request = cas != NULL;
	struct tl_sb b = tl_sb_init(h->ca_names, sizeof(h->ca_names));
	for (int i = 0; cas && i < sk_X509_NAME_num(cas); i++) {
		char line[200];
		X509_NAME_oneline(sk_X509_NAME_value(cas, i), line, sizeof(line));
		if (i)
			TL_SB_LIT(&b, "; ");
		tl_sb_cstr(&b, line);
	}
	tl_sb_mark_cut(&b);
	const char *names = t->verify_name ? t->verify_name :
			    SSL_CTX_get_ex_data(SSL_get_SSL_CTX(t->ssl), names_index);
	snprintf(h->expected_names, sizeof(h->expected_names), "%s", names ? names : "");
	h->verify_error = t->verify_error;
	h->verify_depth = t->verify_depth;
	if (t->verify_error)
		snprintf(h->verify_text, sizeof(h->verify_text), "%s",
			 X509_verify_cert_error_string(t->verify_error));
}

bool tls_peer_key(const struct tls_conn *t, unsigned char key[32])
{
	X509 *leaf = t->peer_leaf ? t->peer_leaf : SSL_get0_peer_certificate(t->ssl);
	unsigned int n = 0;
	bool ok = leaf && X509_digest(leaf, EVP_sha256(), key, &n) && n == 32;
	ERR_clear_error();
	return ok;
}

void tls_peer_facts(const struct tls_conn *t, bool peer_is_server, int warn_days, struct tls_peer *p)
{
	memset(p, 0, sizeof(*p));
	time_t now = time(NULL);
	STACK_OF(X509) *chain = t->done ? SSL_get_peer_cert_chain(t->ssl) : NULL;
	for (int i = 0; chain && i < sk_X509_num(chain) && p->n_chain < CERTFACTS_MAX_CHAIN; i++)
		if (!certfacts_from_x509(&p->chain[p->n_chain], sk_X509_value(chain, i), now))
			p->n_chain++;
	/* a server's chain from SSL_get_peer_cert_chain lacks the client's leaf */
	if (t->done && !peer_is_server && p->n_chain == 0) {
		X509 *leaf = SSL_get1_peer_certificate(t->ssl);
		if (leaf && !certfacts_from_x509(&p->chain[0], leaf, now))
			p->n_chain = 1;
		X509_free(leaf);
	}
	/* refused: what the verify step saw the peer send, in its order */
	for (int i = 0; !t->done && t->peer_sent && i < sk_X509_num(t->peer_sent) &&
			p->n_chain < CERTFACTS_MAX_CHAIN; i++)
		if (!certfacts_from_x509(&p->chain[p->n_chain], sk_X509_value(t->peer_sent, i), now))
			p->n_chain++;
	if (!p->n_chain && t->peer_leaf && !certfacts_from_x509(&p->chain[0], t->peer_leaf, now))
		p->n_chain = 1;
	tls_handshake_facts(t, peer_is_server, &p->hs);
	snprintf(p->hs.crl_missing, sizeof(p->hs.crl_missing), "%s", t->crl_missing);
	snprintf(p->hs.revoked, sizeof(p->hs.revoked), "%s", t->revoked);
	char ocsp_revoked[sizeof(p->hs.revoked)];
	if (peer_is_server && t->done) {
		tls_ocsp_status(t->ssl, p->hs.ocsp, sizeof(p->hs.ocsp), ocsp_revoked,
				sizeof(ocsp_revoked));
		if (ocsp_revoked[0])
			memcpy(p->hs.revoked, ocsp_revoked, sizeof(ocsp_revoked));
	}
	p->n_findings = findings_for_peer(p->chain, p->n_chain, &p->hs, warn_days, peer_is_server,
					  p->findings, FINDINGS_MAX);
	p->seen = p->n_chain > 0 || t->verify_error;
}

void tls_conn_names(const struct tls_conn *t, const char **version, const char **cipher)
{
	*version = t->ssl && t->done ? SSL_get_version(t->ssl) : "";
	*cipher = t->ssl && t->done ? SSL_get_cipher_name(t->ssl) : "";
	if (!*cipher)
		*cipher = "";
}
