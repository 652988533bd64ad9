#include "load_schedule.h"
#include <math.h>

/* Over the ramp, calls due by t are rate * t^2 / (2 ramp_s): solved for t. */
double load_call_offset_s(const struct scenario *s, uint64_t k)
{
	double ramp_calls = s->rate * s->ramp_s / 2.0;
	if (s->ramp_s > 0 && (double)k < ramp_calls)
		return sqrt(2.0 * s->ramp_s * (double)k / s->rate);
	return s->ramp_s + ((double)k - (s->ramp_s > 0 ? ramp_calls : 0)) / s->rate;
}

bool load_schedule_over(const struct scenario *s, uint64_t k)
{
	if (s->calls && k >= s->calls)
		return true;
	return s->duration_s > 0 && load_call_offset_s(s, k) >= s->duration_s;
}
