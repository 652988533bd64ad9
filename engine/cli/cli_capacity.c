/* run --find-capacity: trials of the scenario at rising rates, doubled from --from until
 * one fails a check, then halved between the highest that held and the lowest that
 * failed until they are within 5 %; a pause between trials lets the far end drain.
 * Searching concurrent calls, a trial of C calls starts C / call_s calls a second for
 * call_s + step_s, so that C are in progress for its last step_s, and holds only if they
 * were. */
#include "cli_capacity.h"
#include "cli.h"
#include "verdict.h"
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

#define CLOSE_ENOUGH 0.05 /* the bisection stops when the failing rate is this near */

/* The first check that failed: what the report names as the reason the trial failed. */
static void first_failure(const struct verdict *v, char *out, size_t cap)
{
	for (unsigned i = 0; i < v->n_checks; i++) {
		const struct check *c = &v->checks[i];
		if (c->status == CHECK_FAIL) {
			snprintf(out, cap, "%s: expected %s, observed %s", c->name, c->expected, c->observed);
			return;
		}
	}
	snprintf(out, cap, "%s", v->lost ? "more checks than the verdict holds" : "none");
}

#define HELD_SHARE 0.95 /* of the concurrent calls a trial aims at, those that must be held */

/* One trial at value (calls/s, or calls in progress): run, judged as a run of its own,
 * added to total as stage n. */
static int trial(const struct scenario *scn, const struct capacity_plan *plan, double value,
		 unsigned n, struct run_caller_config *cfg, struct result *total, unsigned *offset_s,
		 bool *pass, char *why, size_t why_cap, char *err, size_t errlen)
{
	static struct scenario t;
	static struct result r;
	static struct verdict v;
	double rate = plan->concurrent ? value / plan->call_s : value;
	t = *scn;
	t.rate = rate;
	t.ramp_s = 0;
	t.calls = 0;
	t.duration_s = plan->step_s + (plan->concurrent ? plan->call_s : 0);
	if (plan->concurrent && t.max_concurrent < value * 1.5 + 16) /* room above the aim */
		t.max_concurrent = (uint32_t)fmin(value * 1.5 + 16, SCN_MAX_CONCURRENT);
	t.n_stages = 0;
	cfg->scn = &t;
	if (plan->progress_scn)
		*plan->progress_scn = &t;
	result_init(&r);
	int rc = run_caller(cfg, &r, err, errlen);
	if (!rc) {
		verdict_judge(&t, &r, &v);
		*pass = v.pass && !r.could_not_run && !r.interrupted;
		first_failure(&v, why, why_cap);
		if (*pass && plan->concurrent && (double)r.max_concurrent < value * HELD_SHARE) {
			*pass = false;
			snprintf(why, why_cap, "calls.max_concurrent: expected >= %.0f, observed %llu",
				 value * HELD_SHARE, (unsigned long long)r.max_concurrent);
		}
		if (r.could_not_run && !r.completed)
			snprintf(why, why_cap, "could not run: %.140s", r.could_not_run_why);
		struct stage_result *g = result_stages_reserve(total, n + 1) ? NULL : &total->stages[n];
		if (g) {
			g->started = r.attempted;
			g->completed = r.completed;
			g->failed = r.failed;
			hist_merge(&g->invite_to_200, &r.lat[LAT_INVITE_TO_200]);
		}
		/* its seconds after those of the trials before (and their pauses); the run's
		 * time and achieved rate are the trials' together */
		double elapsed = total->elapsed_s + r.elapsed_s + plan->drain_s;
		double window = total->steady_window_s + r.steady_window_s;
		if (*offset_s && result_ts_shift(&r, *offset_s)) {
			rc = -ENOMEM; /* the search ends here, and says why */
			snprintf(err, errlen, "out of memory for the per-second rows of trial %u", n + 1);
		}
		result_merge(total, &r);
		total->elapsed_s = elapsed;
		total->steady_window_s = window;
		*offset_s += (unsigned)ceil(r.elapsed_s + plan->drain_s);
		total->interrupted |= r.interrupted;
		if (!plan->quiet && plan->concurrent)
			fprintf(stderr, "%strunkload run: trial %u: %g concurrent calls (%g calls/s for %g s): "
				"%s%s%s\n", plan->tty ? "\n" : "", n + 1, value, rate, t.duration_s,
				*pass ? "held" : "failed", *pass ? "" : ": ", *pass ? "" : why);
		else if (!plan->quiet)
			fprintf(stderr, "%strunkload run: trial %u: %g calls/s for %g s: %s%s%s\n",
				plan->tty ? "\n" : "", n + 1, rate,
				plan->step_s, *pass ? "held" : "failed", *pass ? "" : ": ", *pass ? "" : why);
	}
	result_free(&r);
	return rc;
}

int capacity_search(const struct scenario *scn, const struct capacity_plan *plan,
		    struct run_caller_config *cfg, struct result *total, struct scenario *shown,
		    char *err, size_t errlen)
{
	*shown = *scn;
	shown->n_stages = 0;
	shown->ramp_s = 0;
	shown->calls = 0;
	shown->duration_s = 0;
	struct capacity_found *cap = &total->capacity;
	*cap = (struct capacity_found){ .searched = true };
	double value = plan->from, held = 0, failed = 0;
	unsigned offset_s = 0;
	int rc = 0;
	unsigned n = 0;
	bool done = false;
	for (; n < SCN_MAX_STAGES && !done; n++) {
		bool pass = false;
		char why[sizeof(cap->threshold)];
		rc = trial(scn, plan, value, n, cfg, total, &offset_s, &pass, why, sizeof(why), err, errlen);
		if (rc) { /* a trial could not start: the search ends, said by rc */
			done = true;
			break;
		}
		double trial_s = plan->step_s + (plan->concurrent ? plan->call_s : 0);
		shown->stages[n] = (struct load_stage){
			.rate = plan->concurrent ? value / plan->call_s : value, .duration_s = trial_s };
		shown->n_stages = n + 1;
		shown->duration_s += trial_s;
		if (pass) {
			held = value;
		} else if (!failed || value < failed) {
			failed = value;
			cap->failed_stage = n + 1;
			cap->failed_cps = plan->concurrent ? value / plan->call_s : value;
			cap->failed_concurrent = plan->concurrent ? value : 0;
			snprintf(cap->threshold, sizeof(cap->threshold), "%s", why);
		}
		if (total->interrupted || (!held && failed)) {
			done = true; /* stopped, or even the first value failed */
		} else if (!failed && value >= plan->max) {
			cap->max_reached = done = true;
		} else if (!failed) {
			value = fmin(value * 2, plan->max);
		} else if ((failed - held) / held <= CLOSE_ENOUGH || (plan->concurrent && failed - held <= 1)) {
			done = true;
		} else { /* calls in progress are whole */
			value = plan->concurrent ? floor((held + failed) / 2) : (held + failed) / 2;
		}
		if (!done && !cli_pause(plan->drain_s)) {
			total->interrupted = done = true;
		}
	}
	cap->unfinished = !done; /* SCN_MAX_STAGES trials, and no answer within 5 % yet */
	cap->concurrent = plan->concurrent ? held : 0;
	cap->cps = plan->concurrent ? held / plan->call_s : held;
	shown->rate = held > 0 ? cap->cps : plan->concurrent ? plan->from / plan->call_s : plan->from;
	cfg->scn = scn;
	if (plan->progress_scn)
		*plan->progress_scn = scn;
	return rc;
}
