#include "uac_call.h"
#include "net_addr.h"
#include "clock.h"
#include "load_schedule.h"
#include <stdio.h>

static void publish(struct uac *u)
{
	struct progress *p = u->cfg.progress;
	const struct result *r = &u->w->res;
	if (u->cfg.metrics)
		metrics_publish(u->cfg.metrics, r, u->active);
	if (!p)
		return;
	atomic_store_explicit(&p->started, r->attempted, memory_order_relaxed);
	atomic_store_explicit(&p->completed, r->completed, memory_order_relaxed);
	atomic_store_explicit(&p->failed, r->failed, memory_order_relaxed);
	atomic_store_explicit(&p->active, u->active, memory_order_relaxed);
	atomic_store_explicit(&p->hs_ok, r->hs_ok, memory_order_relaxed);
	atomic_store_explicit(&p->hs_failed, r->hs_failed, memory_order_relaxed);
	atomic_store_explicit(&p->auth_failures, r->srtp.n[SRTP_AUTH_FAILURES], memory_order_relaxed);
	atomic_store_explicit(&p->p99_us, hist_percentile(&r->lat[LAT_INVITE_TO_200], 99),
			      memory_order_relaxed);
	atomic_store_explicit(&p->lag_us, u->sec_lag_us, memory_order_relaxed);
	atomic_store_explicit(&p->t0_ns, u->t0, memory_order_relaxed);
}

void uac_second_rollover(struct uac *u, uint64_t now)
{
	if ((int)((now - u->t0) / NS_PER_S) > u->last_sec)
		publish(u);
	int sec = (int)((now - u->t0) / NS_PER_S);
	while (u->last_sec < sec) {
		struct ts_row *row = result_ts_row(&u->w->res, (unsigned)u->last_sec);
		if (row) {
			row->active = u->active;
			row->p99_us = hist_percentile(&u->sec_hist, 99);
			row->lag_max_us = u->sec_lag_us;
		}
		hist_init(&u->sec_hist);
		u->sec_lag_us = 0;
		u->last_sec++;
	}
}

void uac_steady_window(struct uac *u)
{
	uint64_t ramp_end = u->t0 + (uint64_t)(u->scn->ramp_s * 1e9);
	if (u->last_sched >= ramp_end)
		u->w->res.steady_window_s = (double)(u->last_sched - ramp_end) / 1e9 +
					    u->cfg.n_workers / u->scn->rate;
}

#define START_BATCH 256

/* The schedule's second 0, and when that was on the wall clock (for merge). */
static void start_schedule(struct uac *u, uint64_t now)
{
	u->started = true;
	u->t0 = now;
	u->w->res.schedule_wall_s = clock_wall_s() - (double)(clock_mono_ns() - now) / 1e9;
}

uint64_t uac_schedule_tick(struct worker *w, uint64_t now)
{
	struct uac *u = w->role_arg;
	if (!u->started && u->per_conn) {
		if (now < u->start_mono)
			return u->start_mono;
		start_schedule(u, now);
	}
	if (!u->started) {
		if (u->n_settled < u->n_trunks && now < u->t_startup + STARTUP_TIMEOUT_NS)
			return u->t_startup + STARTUP_TIMEOUT_NS;
		/* connections up first, then the shards' common start */
		if (now < u->start_mono)
			return u->start_mono;
		start_schedule(u, now);
		bool any = false;
		for (unsigned i = 0; i < u->n_trunks; i++)
			any |= u->trunks[i].up;
		if (!any) {
			snprintf(w->res.aborted, sizeof(w->res.aborted),
				 "no trunk connection came up: no call was placed");
			if (!w->res.could_not_run && !w->res.hs_failed) {
				/* several destinations: the first refusal says why */
				bool told = w->res.could_not_run_why[0];
				w->res.could_not_run = told ? -ECONNREFUSED : -ETIMEDOUT;
				char hp[300];
				if (!told)
					snprintf(w->res.could_not_run_why, sizeof(w->res.could_not_run_why),
						 "%.130s: no connection within %llu s",
						 tl_hostport_text(u->scn->host, u->scn->port, hp, sizeof(hp)),
						 (unsigned long long)(STARTUP_TIMEOUT_NS / NS_PER_S));
			}
			u->sched_done = true;
		}
		/* a destination down from the start is tried again each second, as later */
		for (unsigned i = 0; !u->sched_done && i < u->n_trunks; i++)
			if (!u->trunks[i].open)
				uac_trunk_retry(u, i);
	}
	if (u->t0)
		uac_second_rollover(u, now);
	if (!u->sched_done && w->drain && atomic_load(w->drain)) {
		u->sched_done = true; /* interrupted: calls in progress may still end */
		w->res.interrupted = true;
	}
	for (unsigned started = 0; !u->sched_done; started++) {
		if (load_schedule_over(u->scn, u->k)) {
			u->sched_done = true;
			break;
		}
		uint64_t at = u->t0 + (uint64_t)(load_call_offset_s(u->scn, u->k) * 1e9);
		if (at > now)
			return at;
		/* behind the schedule, the calls due are started a batch per turn, with the
		 * responses that came meanwhile read in between: one turn that starts them
		 * all holds those responses back and makes the next turn later still */
		if (started == START_BATCH)
			return now;
		uac_call_start(u, at);
		u->last_sched = at;
		u->k += u->cfg.n_workers;
	}
	if (u->sched_done && !u->active && !u->closing) {
		u->closing = true;
		uac_steady_window(u);
		/* per_call/handshake: nothing ever connected, every try refused */
		if (u->per_conn && !w->res.could_not_run && u->connect_failures &&
		    u->connect_failures == w->res.attempted && !w->res.hs_ok && !w->res.hs_failed)
			w->res.could_not_run = -ECONNREFUSED;
		w->res.elapsed_s = (double)(now - u->t0) / 1e9;
		for (unsigned i = 0; i < u->n_trunks; i++) {
			struct conn *c = u->trunks[i].open ?
				worker_conn(w, u->trunks[i].slot, u->trunks[i].gen) : NULL;
			if (c)
				worker_close(w, c);
		}
	}
	return u->sched_done ? 0 : now + NS_PER_S;
}
