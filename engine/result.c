#include "result.h"
#include <errno.h>
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

int result_keys_reserve(struct result *r, unsigned cap)
{
	struct srtp_key_row *k = realloc(r->keys, cap * sizeof(*k));
	if (!k)
		return -ENOMEM;
	r->keys = k;
	r->cap_keys = cap;
	return 0;
}

void result_free(struct result *r)
{
	free(r->keys);
	r->keys = NULL;
	r->n_keys = r->cap_keys = 0;
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
	/* a full table keeps its last slot for everything else, named "other" */
	unsigned i = r->n_reasons < RESULT_MAX_REASONS - 1 ? r->n_reasons++ : RESULT_MAX_REASONS - 1;
	if (i == RESULT_MAX_REASONS - 1) {
		snprintf(r->reasons[i].name, sizeof(r->reasons[i].name), "other");
		r->n_reasons = RESULT_MAX_REASONS;
	} else {
		snprintf(r->reasons[i].name, sizeof(r->reasons[i].name), "%s", name);
	}
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
	dst->hs_resumed += src->hs_resumed;
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
	if (src->n_keys && (dst->keys || !result_keys_reserve(dst, RESULT_MAX_KEYS)))
		for (unsigned i = 0; i < src->n_keys && dst->n_keys < dst->cap_keys; i++)
			dst->keys[dst->n_keys++] = src->keys[i];
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
	if (!dst->aborted[0])
		memcpy(dst->aborted, src->aborted, sizeof(dst->aborted));
	if (!dst->could_not_run && src->could_not_run) {
		dst->could_not_run = src->could_not_run;
		memcpy(dst->could_not_run_why, src->could_not_run_why, sizeof(dst->could_not_run_why));
	}
}

void result_peer_from_tls(struct tls_peer *p, const struct tls_conn *t, bool peer_is_server,
			  int warn_days)
{
	memset(p, 0, sizeof(*p));
	time_t now = time(NULL);
	STACK_OF(X509) *chain = t->done ? SSL_get_peer_cert_chain(t->ssl) : NULL;
	for (int i = 0; chain && i < sk_X509_num(chain) && p->n_chain < CERTFACTS_MAX_CHAIN; i++)
		if (!certfacts_from_x509(&p->chain[p->n_chain], sk_X509_value(chain, i), now))
			p->n_chain++;
	/* a server's chain from SSL_get_peer_cert_chain lacks the client's leaf */
	if (t->done && peer_is_server == false && p->n_chain == 0) {
		X509 *leaf = SSL_get1_peer_certificate(t->ssl);
		if (leaf && !certfacts_from_x509(&p->chain[0], leaf, now))
			p->n_chain = 1;
		X509_free(leaf);
	}
	if (!p->n_chain && t->peer_leaf && !certfacts_from_x509(&p->chain[0], t->peer_leaf, now))
		p->n_chain = 1;
	struct handshake_facts *h = &p->hs;
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
	size_t used = 0;
	for (int i = 0; cas && i < sk_X509_NAME_num(cas) && used < sizeof(h->ca_names) - 8; i++) {
		char line[200];
		X509_NAME_oneline(sk_X509_NAME_value(cas, i), line, sizeof(line));
		used += (size_t)snprintf(h->ca_names + used, sizeof(h->ca_names) - used, "%s%s",
					 used ? "; " : "", line);
	}
	h->verify_error = t->verify_error;
	h->verify_depth = t->verify_depth;
	if (t->verify_error)
		snprintf(h->verify_text, sizeof(h->verify_text), "%s",
			 X509_verify_cert_error_string(t->verify_error));
	p->n_findings = findings_for_peer(p->chain, p->n_chain, h, warn_days, peer_is_server,
					  p->findings, FINDINGS_MAX);
	p->seen = p->n_chain > 0 || t->verify_error;
}
