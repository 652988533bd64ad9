#include "run.h"
#include "clock.h"
#include "port_range.h"
#include "uac.h"
#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <openssl/rand.h>

struct worker_thread {
	pthread_t tid;
	struct progress progress;
	struct worker w;
	struct uac_config uac;
	struct uas_config uas;
	struct uas_counts uas_counts;
	bool is_uas;
	int rc;
	atomic_bool *done_flag;
	atomic_int *n_done;
};

/* A caller's tables grow with its cap on calls in progress: name it. */
static void name_the_cap(struct worker *w, unsigned calls)
{
	snprintf(w->err, sizeof(w->err), "out of memory for %u calls in progress "
		 "(load.max_concurrent, --max-concurrent)", calls);
}

static void *worker_main(void *arg)
{
	struct worker_thread *t = arg;
	struct worker *w = &t->w;
	/* per_call and handshake: a connection for each call in progress */
	bool conn_per_call = !t->is_uas && scn_conn_per_call(t->uac.scn);
	unsigned conns = t->is_uas ? RUN_UAS_MAX_CONNS :
			 conn_per_call ? t->uac.max_calls + 1 :
			 t->uac.connections * scn_n_dests(t->uac.scn) + 1;
	t->rc = worker_init(w, conns);
	if (t->rc == -ENOMEM && conn_per_call)
		name_the_cap(w, t->uac.max_calls);
	if (!t->rc) {
		if (t->is_uas) {
			struct uas *s = uas_new(w, &t->uas);
			t->rc = s ? worker_run(w) : -ENOMEM;
			if (s) {
				uas_finish(s);
				t->uas_counts = *uas_counts(s);
			}
			uas_free(s);
		} else {
			struct uac *u = uac_new(w, &t->uac);
			if (u) {
				t->rc = worker_run(w);
				uac_finish(u);
				uac_free(u);
			} else {
				t->rc = -ENOMEM;
				name_the_cap(w, t->uac.max_calls);
			}
		}
		worker_free(w);
	}
	if (t->rc && !w->err[0])
		snprintf(w->err, sizeof(w->err), "%s", strerror(-t->rc));
	atomic_fetch_add(t->n_done, 1);
	return NULL;
}

/* How long calls in progress may go on after the first SIGINT/SIGTERM. */
#define DRAIN_GRACE_NS (5 * NS_PER_S)

/* Waits for every thread and reports progress once a second when asked. The first
 * SIGINT/SIGTERM drains (no new call; calls in progress may end within the grace
 * time) when there is a drain flag, else stops; a second one, or the end of the grace
 * time, stops at once. */
/* stop_at: monotonic ns at which the workers are stopped (0: never, but on a signal) */
static bool supervise(struct worker_thread *t, unsigned n, atomic_bool *stop, atomic_int *n_done,
		      const struct run_caller_config *cfg, atomic_bool *drain, uint64_t stop_at)
{
	uint64_t next_report = clock_mono_ns() + NS_PER_S, drain_until = 0;
	sigset_t set;
	sigemptyset(&set);
	sigaddset(&set, SIGINT);
	sigaddset(&set, SIGTERM);
	bool interrupted = false;
	struct timespec ts = { 0, 100 * 1000000L };
	while (atomic_load(n_done) < (int)n) {
		int sig = sigtimedwait(&set, NULL, &ts);
		if (sig == SIGINT || sig == SIGTERM) {
			if (drain && !interrupted) {
				atomic_store(drain, true);
				drain_until = clock_mono_ns() + DRAIN_GRACE_NS;
			} else {
				atomic_store(stop, true);
			}
			interrupted = true;
		}
		if ((drain_until && clock_mono_ns() >= drain_until) || (stop_at && clock_mono_ns() >= stop_at))
			atomic_store(stop, true);
		if (cfg && cfg->progress_cb && clock_mono_ns() >= next_report) {
			next_report += NS_PER_S;
			struct progress_snapshot snap = { 0 };
			for (unsigned i = 0; i < n; i++)
				progress_add(&snap, &t[i].progress);
			cfg->progress_cb(&snap, cfg->progress_arg);
		}
	}
	for (unsigned i = 0; i < n; i++)
		pthread_join(t[i].tid, NULL);
	return interrupted;
}

static void block_signals(sigset_t *old)
{
	sigset_t set;
	sigemptyset(&set);
	sigaddset(&set, SIGINT);
	sigaddset(&set, SIGTERM);
	pthread_sigmask(SIG_BLOCK, &set, old);
}

int run_caller(const struct run_caller_config *cfg, struct result *out, char *err, size_t errlen)
{
	const struct scenario *s = cfg->scn;
	unsigned n = cfg->threads ? cfg->threads : 1;
	if (!scn_conn_per_call(s) && n > s->connections)
		n = s->connections; /* each worker owns at least one trunk connection */
	if (n > s->max_concurrent)
		n = s->max_concurrent;
	struct worker_thread *t = calloc(n, sizeof(*t));
	if (!t) {
		snprintf(err, errlen, "out of memory");
		return -ENOMEM;
	}
	atomic_bool stop = false, drain = false;
	atomic_int n_done = 0;
	unsigned char rnd[4];
	RAND_bytes(rnd, sizeof(rnd));
	uint64_t seed = 0;
	RAND_bytes((unsigned char *)&seed, sizeof(seed));
	char run_id[16];
	snprintf(run_id, sizeof(run_id), "%02x%02x%02x%02x", rnd[0], rnd[1], rnd[2], rnd[3]);

	sigset_t old;
	block_signals(&old);
	unsigned started = 0;
	int rc = 0;
	for (unsigned i = 0; i < n; i++) {
		struct worker_thread *wt = &t[i];
		wt->w.id = (int)i;
		wt->w.ctx = cfg->ctx;
		wt->w.tls = cfg->ctx != NULL;
		wt->w.listen_fd = -1;
		wt->w.stop = &stop;
		wt->w.drain = &drain;
		wt->w.resume = cfg->resume;
		wt->w.capture = cfg->capture;
		wt->w.lean = scn_conn_per_call(s);
		wt->w.src = s->source_range;
		wt->w.src_next = s->source_range.n ? i % s->source_range.n : 0;
		wt->n_done = &n_done;
		result_init(&wt->w.res);
		wt->uac = (struct uac_config){
			.scn = s, .targets = cfg->targets, .target_lens = cfg->target_lens,
			.worker_id = i, .n_workers = n,
			.connections = s->connections / n + (i < s->connections % n),
			.max_calls = s->max_concurrent / n + (i < s->max_concurrent % n),
			.shard = cfg->shard, .shards = cfg->shards ? cfg->shards : 1,
			.numbers = cfg->numbers, .seed = seed, .start_at = cfg->start_at,
		};
		/* each worker its own share of the RTP port range */
		if (port_range_share(cfg->media_port_lo, cfg->media_port_hi, i, n,
				     &wt->uac.media_port_lo, &wt->uac.media_port_hi)) {
			snprintf(err, errlen, "%u RTP ports (%u-%u) are too few for %u workers",
				 cfg->media_port_hi - cfg->media_port_lo + 1u, cfg->media_port_lo,
				 cfg->media_port_hi, n);
			rc = -ENOSPC;
			atomic_store(&stop, true);
			break;
		}
		memcpy(wt->uac.run_id, run_id, sizeof(run_id));
		wt->uac.list_keys = cfg->list_keys ? RESULT_MAX_KEYS / n : 0;
		wt->uac.progress = &wt->progress;
		wt->uac.trace = cfg->trace;
		wt->uac.trace.mem = cfg->trace.mem / n;
		wt->uac.metrics = cfg->metrics && i < cfg->metrics->n ? &cfg->metrics->slots[i] : NULL;
		if (pthread_create(&wt->tid, NULL, worker_main, wt)) {
			rc = -EAGAIN;
			atomic_store(&stop, true);
			break;
		}
		started++;
	}
	bool interrupted = supervise(t, started, &stop, &n_done, cfg, &drain, 0);
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	for (unsigned i = 0; i < started; i++) {
		if (t[i].rc && !rc) {
			rc = t[i].rc;
			snprintf(err, errlen, "worker %u: %s", i, t[i].w.err);
		}
		result_merge(out, &t[i].w.res);
		result_free(&t[i].w.res);
	}
	out->interrupted |= interrupted;
	if (rc == -EAGAIN && !started)
		snprintf(err, errlen, "cannot start a worker thread");
	free(t);
	return rc;
}

static void counts_add(struct uas_counts *d, const struct uas_counts *s)
{
	d->connections += s->connections;
	d->invites += s->invites;
	d->answered += s->answered;
	d->refused += s->refused;
	d->not_acceptable += s->not_acceptable;
	d->acks += s->acks;
	d->byes += s->byes;
	d->cancels += s->cancels;
	d->options += s->options;
	d->other += s->other;
	d->media_failed += s->media_failed;
	d->delayed_offers += s->delayed_offers;
	d->reinvites += s->reinvites;
	d->updates += s->updates;
	d->too_brief += s->too_brief;
	d->bad_answers += s->bad_answers;
	d->expired += s->expired;
	d->no_dialog += s->no_dialog;
	d->busy += s->busy;
	d->overloaded += s->overloaded;
	d->not_routed += s->not_routed;
	d->rang_out += s->rang_out;
	d->hangups += s->hangups;
	d->early_media += s->early_media;
	d->reliable_provisionals += s->reliable_provisionals;
	d->pracks += s->pracks;
	d->refreshes_sent += s->refreshes_sent;
	d->refreshes_received += s->refreshes_received;
}

int run_responder(const struct run_responder_config *cfg, struct uas_counts *counts,
		  struct result *out, char *err, size_t errlen)
{
	atomic_bool stop = false;
	atomic_int n_done = 0;
	unsigned n = cfg->n_listen ? cfg->n_listen : 1;
	struct worker_thread *t = calloc(n, sizeof(*t));
	if (!t) {
		snprintf(err, errlen, "out of memory");
		return -ENOMEM;
	}
	struct accept_spread spread = { .n = n, .slot = calloc(n, sizeof(*spread.slot)) };
	_Atomic uint64_t traces_started = 0; /* --trace all:N over all the workers */
	if (!spread.slot) {
		free(t);
		snprintf(err, errlen, "out of memory");
		return -ENOMEM;
	}
	for (unsigned i = 0; i < n; i++) {
		atomic_init(&spread.slot[i].ring_fd, -1);
		atomic_init(&spread.slot[i].load, 0);
	}
	sigset_t old;
	block_signals(&old);
	int rc = 0;
	unsigned started = 0;
	for (unsigned i = 0; i < n; i++) {
		struct worker_thread *wt = &t[i];
		wt->is_uas = true;
		wt->uas = cfg->uas;
		wt->uas.metrics = cfg->metrics && i < cfg->metrics->n ? &cfg->metrics->slots[i] : NULL;
		/* --trace: each worker its share of the memory; all:N's calls are counted over all */
		wt->uas.trace.mem = cfg->uas.trace.mem / n;
		wt->uas.traces_started = &traces_started;
		/* each worker its own share of the RTP ports; too few for a share: none */
		if (cfg->uas.media_port_lo &&
		    port_range_share(cfg->uas.media_port_lo, cfg->uas.media_port_hi, i, n,
				     &wt->uas.media_port_lo, &wt->uas.media_port_hi))
			wt->uas.media_port_lo = wt->uas.media_port_hi = 0;
		wt->w.id = (int)i;
		wt->w.ctx = cfg->ctx;
		wt->w.tls = cfg->ctx != NULL;
		wt->w.server = true;
		wt->w.capture = cfg->capture;
		wt->w.listen_fd = cfg->listen_fds[i];
		wt->w.spread = n > 1 ? &spread : NULL;
		wt->w.stop = &stop;
		wt->w.stop_grace_ns = NS_PER_S;
		wt->n_done = &n_done;
		result_init(&wt->w.res);
		if (pthread_create(&wt->tid, NULL, worker_main, wt)) {
			rc = -EAGAIN;
			atomic_store(&stop, true);
			break;
		}
		started++;
	}
	supervise(t, started, &stop, &n_done, NULL, NULL,
		  cfg->duration_s > 0 ? clock_mono_ns() + (uint64_t)(cfg->duration_s * 1e9) : 0);
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	memset(counts, 0, sizeof(*counts));
	for (unsigned i = 0; i < started; i++) {
		if (!rc && t[i].rc) {
			rc = t[i].rc;
			snprintf(err, errlen, "%s", t[i].w.err);
		}
		counts_add(counts, &t[i].uas_counts);
		result_merge(out, &t[i].w.res);
		result_free(&t[i].w.res);
	}
	if (rc == -EAGAIN)
		snprintf(err, errlen, "cannot start a worker thread");
	free(spread.slot);
	free(t);
	return rc;
}
