#include "result.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <openssl/x509v3.h>

const char *lat_interval_name(enum lat_interval i)
{
	static const char *names[LAT_COUNT] = {
		"tls_handshake", "invite_to_100", "invite_to_180",
		"invite_to_200", "bye_to_200", "invite_to_200_uncorrected",
		"answer_to_first_media",
	};
	return i < LAT_COUNT ? names[i] : "?";
}

const char *srtp_counter_name(enum srtp_counter c)
{
	static const char *names[SRTP_COUNTERS] = {
		"streams", "packets_sent", "packets_received", "auth_failures",
		"replay_failures", "bad_packets", "unexpected_ssrc", "unexpected_source",
		"early_packets", "lost", "expected", "late_sends", "send_errors",
		"rtcp_sent", "rtcp_received", "rtcp_auth_failures", "streams_receiving",
		"silent_streams",
	};
	return c < SRTP_COUNTERS ? names[c] : "?";
}

const char *hs_outcome_name(enum hs_outcome o)
{
	static const char *names[HS_OUTCOMES] = {
		"accepted", "refused_alert", "refused_reset", "refused_close",
		"timeout", "we_refused", "connect_failed",
	};
	return o < HS_OUTCOMES ? names[o] : "?";
}

void result_init(struct result *r)
{
	memset(r, 0, sizeof(*r));
	for (int i = 0; i < LAT_COUNT; i++)
		hist_init(&r->lat[i]);
}

void result_free(struct result *r)
{
	free(r->ts);
	r->ts = NULL;
	r->n_ts = r->cap_ts = 0;
}

static void reason_add(struct result *r, const char *name, uint64_t n)
{
	for (unsigned i = 0; i < r->n_reasons; i++) {
		if (!strcmp(r->reasons[i].name, name)) {
			r->reasons[i].n += n;
			return;
		}
	}
	unsigned i = r->n_reasons < RESULT_MAX_REASONS ? r->n_reasons++ : RESULT_MAX_REASONS - 1;
	if (i == RESULT_MAX_REASONS - 1 && strcmp(r->reasons[i].name, "other"))
		snprintf(r->reasons[i].name, sizeof(r->reasons[i].name), "other");
	else
		snprintf(r->reasons[i].name, sizeof(r->reasons[i].name), "%s", name);
	r->reasons[i].n += n;
}

void result_fail(struct result *r, const char *reason)
{
	reason_add(r, reason, 1);
}

void result_name_add(struct name_count *tab, const char *name, uint64_t n)
{
	for (unsigned i = 0; i < RESULT_MAX_NAMES; i++) {
		if (!tab[i].name[0])
			snprintf(tab[i].name, sizeof(tab[i].name), "%s", name);
		if (!strcmp(tab[i].name, name)) {
			tab[i].n += n;
			return;
		}
	}
}

struct ts_row *result_ts_row(struct result *r, unsigned sec)
{
	if (sec >= r->cap_ts) {
		unsigned cap = r->cap_ts ? r->cap_ts : 64;
		while (cap <= sec)
			cap *= 2;
		struct ts_row *p = realloc(r->ts, cap * sizeof(*p));
		if (!p)
			return NULL;
		memset(p + r->cap_ts, 0, (cap - r->cap_ts) * sizeof(*p));
		r->ts = p;
		r->cap_ts = cap;
	}
	if (sec >= r->n_ts)
		r->n_ts = sec + 1;
	return &r->ts[sec];
}

void result_merge(struct result *dst, const struct result *src)
{
	dst->attempted += src->attempted;
	dst->completed += src->completed;
	dst->failed += src->failed;
	dst->max_concurrent += src->max_concurrent; /* workers' peaks: an upper bound */
	dst->concurrency_cap_hits += src->concurrency_cap_hits;
	for (unsigned i = 0; i < src->n_reasons; i++)
		reason_add(dst, src->reasons[i].name, src->reasons[i].n);
	for (int i = 0; i < LAT_COUNT; i++)
		hist_merge(&dst->lat[i], &src->lat[i]);
	for (int i = 0; i < SRTP_COUNTERS; i++)
		dst->srtp.n[i] += src->srtp.n[i];
	dst->srtp.jitter_ms_sum += src->srtp.jitter_ms_sum;
	if (src->srtp.jitter_ms_max > dst->srtp.jitter_ms_max)
		dst->srtp.jitter_ms_max = src->srtp.jitter_ms_max;
	if (!dst->srtp.suite[0])
		memcpy(dst->srtp.suite, src->srtp.suite, sizeof(dst->srtp.suite));
	for (int i = 0; i < HS_OUTCOMES; i++)
		dst->hs_outcome[i] += src->hs_outcome[i];
	dst->hs_ok += src->hs_ok;
	dst->hs_failed += src->hs_failed;
	for (int i = 0; i < 256; i++) {
		dst->alerts.sent[i] += src->alerts.sent[i];
		dst->alerts.received[i] += src->alerts.received[i];
	}
	for (int i = 0; i < RESULT_MAX_NAMES; i++) {
		if (src->versions[i].name[0])
			result_name_add(dst->versions, src->versions[i].name, src->versions[i].n);
		if (src->ciphers[i].name[0])
			result_name_add(dst->ciphers, src->ciphers[i].name, src->ciphers[i].n);
	}
	if (!dst->peer.seen && src->peer.seen)
		dst->peer = src->peer;
	if (!dst->first_tls_error[0])
		memcpy(dst->first_tls_error, src->first_tls_error, sizeof(dst->first_tls_error));
	for (unsigned s = 0; s < src->n_ts; s++) {
		struct ts_row *d = result_ts_row(dst, s);
		if (!d)
			break;
		d->started += src->ts[s].started;
		d->completed += src->ts[s].completed;
		d->failed += src->ts[s].failed;
		d->active += src->ts[s].active;
		if (src->ts[s].p99_us > d->p99_us) /* per-second p99 across workers: the worst */
			d->p99_us = src->ts[s].p99_us;
	}
	if (src->elapsed_s > dst->elapsed_s)
		dst->elapsed_s = src->elapsed_s;
	dst->steady_completed += src->steady_completed;
	if (src->steady_window_s > dst->steady_window_s)
		dst->steady_window_s = src->steady_window_s;
	dst->interrupted |= src->interrupted;
	if (!dst->could_not_run && src->could_not_run) {
		dst->could_not_run = src->could_not_run;
		memcpy(dst->could_not_run_why, src->could_not_run_why, sizeof(dst->could_not_run_why));
	}
}

static void name_line(char *out, size_t n, X509_NAME *name)
{
	BIO *b = BIO_new(BIO_s_mem());
	out[0] = 0;
	if (!b)
		return;
	X509_NAME_print_ex(b, name, 0, XN_FLAG_RFC2253);
	int len = BIO_read(b, out, (int)n - 1);
	out[len > 0 ? len : 0] = 0;
	BIO_free(b);
}

static void asn1_time_iso(char *out, size_t n, const ASN1_TIME *t)
{
	struct tm tm;
	if (!t || ASN1_TIME_to_tm(t, &tm) != 1) {
		snprintf(out, n, "?");
		return;
	}
	strftime(out, n, "%Y-%m-%dT%H:%M:%SZ", &tm);
}

static void san_list(char *out, size_t n, X509 *x)
{
	GENERAL_NAMES *gens = X509_get_ext_d2i(x, NID_subject_alt_name, NULL, NULL);
	size_t used = 0;
	out[0] = 0;
	for (int i = 0; gens && i < sk_GENERAL_NAME_num(gens); i++) {
		const GENERAL_NAME *g = sk_GENERAL_NAME_value(gens, i);
		char item[80] = "";
		if (g->type == GEN_DNS)
			snprintf(item, sizeof(item), "DNS:%.*s", g->d.dNSName->length,
				 (const char *)g->d.dNSName->data);
		else if (g->type == GEN_IPADD && g->d.iPAddress->length == 4) {
			const unsigned char *a = g->d.iPAddress->data;
			snprintf(item, sizeof(item), "IP:%u.%u.%u.%u", a[0], a[1], a[2], a[3]);
		} else if (g->type == GEN_URI)
			snprintf(item, sizeof(item), "URI:%.*s", g->d.uniformResourceIdentifier->length,
				 (const char *)g->d.uniformResourceIdentifier->data);
		if (item[0] && used + strlen(item) + 3 < n)
			used += (size_t)snprintf(out + used, n - used, "%s%s", used ? ", " : "", item);
	}
	GENERAL_NAMES_free(gens);
}

void result_peer_from_ssl(struct tls_peer *p, SSL *ssl)
{
	X509 *x = SSL_get1_peer_certificate(ssl);
	memset(p, 0, sizeof(*p));
	if (!x)
		return;
	p->seen = true;
	name_line(p->subject, sizeof(p->subject), X509_get_subject_name(x));
	name_line(p->issuer, sizeof(p->issuer), X509_get_issuer_name(x));
	X509_NAME_get_text_by_NID(X509_get_subject_name(x), NID_commonName, p->subject_cn,
				  sizeof(p->subject_cn));
	san_list(p->san, sizeof(p->san), x);
	BIGNUM *bn = ASN1_INTEGER_to_BN(X509_get0_serialNumber(x), NULL);
	char *hex = bn ? BN_bn2hex(bn) : NULL;
	snprintf(p->serial, sizeof(p->serial), "%s", hex ? hex : "?");
	OPENSSL_free(hex);
	BN_free(bn);
	asn1_time_iso(p->not_before, sizeof(p->not_before), X509_get0_notBefore(x));
	asn1_time_iso(p->not_after, sizeof(p->not_after), X509_get0_notAfter(x));
	int days = 0, secs = 0;
	if (ASN1_TIME_diff(&days, &secs, NULL, X509_get0_notAfter(x)))
		p->days_left = days + secs / 86400.0;
	EVP_PKEY *pk = X509_get0_pubkey(x);
	if (pk)
		snprintf(p->key, sizeof(p->key), "%s-%d",
			 EVP_PKEY_get_base_id(pk) == EVP_PKEY_EC ? "EC" :
			 EVP_PKEY_get_base_id(pk) == EVP_PKEY_RSA ? "RSA" : "other",
			 EVP_PKEY_get_bits(pk));
	snprintf(p->signature_algorithm, sizeof(p->signature_algorithm), "%s",
		 OBJ_nid2ln(X509_get_signature_nid(x)));
	unsigned char md[32];
	unsigned mdlen = 0;
	if (X509_digest(x, EVP_sha256(), md, &mdlen)) {
		for (unsigned i = 0; i < mdlen; i++)
			snprintf(p->sha256 + i * 3, 4, "%02X%s", md[i], i + 1 < mdlen ? ":" : "");
	}
	X509_free(x);
}
