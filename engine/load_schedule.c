#include "load_schedule.h"
#include <math.h>

/* Over the ramp, calls due by t are rate * t^2 / (2 ramp_s): solved for t. */
static double single_offset_s(const struct scenario *s, uint64_t k)
{
	double ramp_calls = s->rate * s->ramp_s / 2.0;
	if (s->ramp_s > 0 && (double)k < ramp_calls)
		return sqrt(2.0 * s->ramp_s * (double)k / s->rate);
	return s->ramp_s + ((double)k - (s->ramp_s > 0 ? ramp_calls : 0)) / s->rate;
}

/* Within a segment whose rate goes from r0 to r1 over len seconds, the time by which
 * n calls are due: n = r0 t + (r1 - r0) t^2 / (2 len), solved in a form that stays
 * exact when the rate hardly changes. */
static double segment_time(double r0, double r1, double len, double n)
{
	double a = len > 0 ? (r1 - r0) / (2.0 * len) : 0;
	double disc = r0 * r0 + 4.0 * a * n;
	double root = sqrt(disc > 0 ? disc : 0);
	return r0 + root > 0 ? 2.0 * n / (r0 + root) : 0;
}

/* Stages: a ramp from the previous rate, then a hold; the call falls in the segment
 * whose calls reach past k. Past the last, calls go on at the last rate. */
static double staged_offset_s(const struct scenario *s, uint64_t k)
{
	double t = 0, before = 0, prev = 0, n = (double)k;
	for (unsigned i = 0; i < s->n_stages; i++) {
		const struct load_stage *g = &s->stages[i];
		double ramp_calls = (prev + g->rate) / 2.0 * g->ramp_s;
		if (n < before + ramp_calls)
			return t + segment_time(prev, g->rate, g->ramp_s, n - before);
		before += ramp_calls;
		t += g->ramp_s;
		double hold_calls = g->rate * g->duration_s;
		if (n < before + hold_calls)
			return t + (n - before) / g->rate;
		before += hold_calls;
		t += g->duration_s;
		prev = g->rate;
	}
	return t + (prev > 0 ? (n - before) / prev : 0);
}

double load_call_offset_s(const struct scenario *s, uint64_t k)
{
	return s->n_stages ? staged_offset_s(s, k) : single_offset_s(s, k);
}

unsigned load_stage_at(const struct scenario *s, double t)
{
	double end = 0;
	for (unsigned i = 0; i < s->n_stages; i++) {
		end += s->stages[i].ramp_s + s->stages[i].duration_s;
		if (t < end)
			return i;
	}
	return s->n_stages ? s->n_stages - 1 : 0;
}

bool load_schedule_over(const struct scenario *s, uint64_t k)
{
	if (s->calls && k >= s->calls)
		return true;
	return s->duration_s > 0 && load_call_offset_s(s, k) >= s->duration_s;
}
