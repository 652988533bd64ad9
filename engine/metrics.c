#include "metrics.h"
#include "str.h"
#include <errno.h>
#include <stdlib.h>
#include <string.h>

int metrics_board_init(struct metrics_board *b, unsigned n, const char *role)
{
	memset(b, 0, sizeof(*b));
	b->slots = calloc(n ? n : 1, sizeof(*b->slots));
	if (!b->slots)
		return -ENOMEM;
	b->n = n ? n : 1;
	b->role = role;
	pthread_mutex_init(&b->lock, NULL);
	for (unsigned i = 0; i < b->n; i++)
		pthread_mutex_init(&b->slots[i].lock, NULL);
	return 0;
}

void metrics_board_free(struct metrics_board *b)
{
	for (unsigned i = 0; b->slots && i < b->n; i++)
		pthread_mutex_destroy(&b->slots[i].lock);
	if (b->slots)
		pthread_mutex_destroy(&b->lock);
	free(b->slots);
	b->slots = NULL;
}

void metrics_figures_of(struct metrics_figures *f, const struct result *r, uint64_t active)
{
	f->started = r->attempted;
	f->completed = r->completed;
	f->failed = r->failed;
	f->active = active;
	f->hs_ok = r->hs_ok;
	f->hs_failed = r->hs_failed;
	f->srtp_sent = r->srtp.n[SRTP_PACKETS_SENT];
	f->srtp_received = r->srtp.n[SRTP_PACKETS_RECEIVED];
	f->srtp_auth_failures = r->srtp.n[SRTP_AUTH_FAILURES];
	memcpy(f->reasons, r->reasons, sizeof(f->reasons));
	f->n_reasons = r->n_reasons;
	f->invite_to_200 = r->lat[LAT_INVITE_TO_200];
}

void metrics_publish(struct metrics_slot *s, const struct result *r, uint64_t active)
{
	if (pthread_mutex_trylock(&s->lock))
		return;
	metrics_figures_of(&s->f, r, active);
	pthread_mutex_unlock(&s->lock);
}

void metrics_publish_final(struct metrics_board *b, const struct result *r)
{
	pthread_mutex_lock(&b->lock);
	metrics_figures_of(&b->final, r, 0);
	b->has_final = true;
	pthread_mutex_unlock(&b->lock);
}

static void add_figures(struct metrics_figures *d, const struct metrics_figures *s)
{
	d->started += s->started;
	d->completed += s->completed;
	d->failed += s->failed;
	d->active += s->active;
	d->hs_ok += s->hs_ok;
	d->hs_failed += s->hs_failed;
	d->srtp_sent += s->srtp_sent;
	d->srtp_received += s->srtp_received;
	d->srtp_auth_failures += s->srtp_auth_failures;
	for (unsigned i = 0; i < s->n_reasons; i++)
		reason_table_add(d->reasons, &d->n_reasons, RESULT_MAX_REASONS, s->reasons[i].name,
				 s->reasons[i].n);
	hist_merge(&d->invite_to_200, &s->invite_to_200);
}

static void family(struct tl_sb *b, const char *name, const char *type, const char *help)
{
	tl_sb_fmt(b, "# HELP %s %s\n# TYPE %s %s\n", name, help, name, type);
}

/* One sample: name{role="...",extra} value. */
static void sample(struct tl_sb *b, const char *role, const char *name, const char *extra,
		   uint64_t v)
{
	tl_sb_fmt(b, "%s{role=\"%s\"%s%s} %llu\n", name, role, extra[0] ? "," : "", extra,
		  (unsigned long long)v);
}

/* The latency histogram at bounds that are edges of its own buckets: each power of two
 * from 128 us to 32 s and its quarters, so every cumulative count is exact (a value is
 * counted below the first bound above it). */
static void histogram(struct tl_sb *b, const char *role, const char *name, const struct hist *h)
{
	uint64_t cum = 0;
	size_t next = 0;
	for (unsigned k = 7; k <= 25; k++) {
		for (unsigned q = 4; q < 8; q++) {
			uint64_t edge = (uint64_t)q << (k - 2);
			size_t first_above = hist_bucket_of(edge);
			for (; next < first_above; next++)
				cum += h->buckets[next];
			tl_sb_fmt(b, "%s_bucket{role=\"%s\",le=\"%g\"} %llu\n", name, role, edge / 1e6,
				  (unsigned long long)cum);
		}
	}
	tl_sb_fmt(b, "%s_bucket{role=\"%s\",le=\"+Inf\"} %llu\n", name, role,
		  (unsigned long long)h->count);
	tl_sb_fmt(b, "%s_sum{role=\"%s\"} %.6f\n", name, role, h->sum / 1e6);
	tl_sb_fmt(b, "%s_count{role=\"%s\"} %llu\n", name, role, (unsigned long long)h->count);
}

/* A failure reason as a label value: the names are ours ([a-z0-9_]), escaped anyway. */
static void reason_label(char *out, size_t cap, const char *reason)
{
	struct tl_sb b = tl_sb_init(out, cap);
	tl_sb_cstr(&b, "reason=\"");
	for (const char *p = reason; *p; p++) {
		if (*p == '"' || *p == '\\')
			tl_sb_put(&b, "\\", 1);
		tl_sb_put(&b, p, 1);
	}
	tl_sb_cstr(&b, "\"");
}

char *metrics_text(struct metrics_board *b, size_t *len)
{
	static const size_t cap = 64 * 1024;
	struct metrics_figures *f = calloc(1, sizeof(*f));
	char *buf = malloc(cap);
	if (!f || !buf) {
		free(f);
		free(buf);
		return NULL;
	}
	pthread_mutex_lock(&b->lock);
	bool final = b->has_final;
	if (final)
		*f = b->final;
	pthread_mutex_unlock(&b->lock);
	for (unsigned i = 0; !final && i < b->n; i++) {
		pthread_mutex_lock(&b->slots[i].lock);
		add_figures(f, &b->slots[i].f);
		pthread_mutex_unlock(&b->slots[i].lock);
	}
	const char *r = b->role;
	struct tl_sb s = tl_sb_init(buf, cap);
	family(&s, "trunkload_calls_started_total", "counter", "Calls started (the responder: INVITEs received).");
	sample(&s, r, "trunkload_calls_started_total", "", f->started);
	family(&s, "trunkload_calls_completed_total", "counter", "Calls whose flow ran to its end.");
	sample(&s, r, "trunkload_calls_completed_total", "", f->completed);
	family(&s, "trunkload_calls_failed_total", "counter", "Calls that failed, by reason.");
	for (unsigned i = 0; i < f->n_reasons; i++) {
		char label[80];
		reason_label(label, sizeof(label), f->reasons[i].name);
		sample(&s, r, "trunkload_calls_failed_total", label, f->reasons[i].n);
	}
	family(&s, "trunkload_calls_active", "gauge", "Calls in progress.");
	sample(&s, r, "trunkload_calls_active", "", f->active);
	family(&s, "trunkload_tls_handshakes_total", "counter", "TLS handshakes, by outcome.");
	sample(&s, r, "trunkload_tls_handshakes_total", "outcome=\"ok\"", f->hs_ok);
	sample(&s, r, "trunkload_tls_handshakes_total", "outcome=\"failed\"", f->hs_failed);
	family(&s, "trunkload_srtp_packets_total", "counter", "SRTP packets sent and received (authenticated).");
	sample(&s, r, "trunkload_srtp_packets_total", "direction=\"sent\"", f->srtp_sent);
	sample(&s, r, "trunkload_srtp_packets_total", "direction=\"received\"", f->srtp_received);
	family(&s, "trunkload_srtp_auth_failures_total", "counter", "SRTP packets that failed authentication.");
	sample(&s, r, "trunkload_srtp_auth_failures_total", "", f->srtp_auth_failures);
	family(&s, "trunkload_invite_to_200_seconds", "histogram",
	       "From a call's scheduled start to the 200 OK to its INVITE.");
	histogram(&s, r, "trunkload_invite_to_200_seconds", &f->invite_to_200);
	family(&s, "trunkload_run_finished", "gauge", "1 once the run ended: the figures are final.");
	sample(&s, r, "trunkload_run_finished", "", final);
	free(f);
	if (s.cut) {
		free(buf);
		return NULL;
	}
	*len = s.n;
	return buf;
}
