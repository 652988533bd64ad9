/* When each call of an open-loop run is due: a linear ramp up to the scenario's
 * rate over ramp_s, then that rate until duration_s or the call count ends it; or,
 * with load.stages, each stage's ramp from the rate before it and its hold. */
#ifndef TL_LOAD_SCHEDULE_H
#define TL_LOAD_SCHEDULE_H
#include <stdbool.h>
#include <stdint.h>
#include "scenario.h"

/* Seconds from the start at which call k (counted over all workers) is due. */
double load_call_offset_s(const struct scenario *s, uint64_t k);
/* The stage (load.stages) that second t of the run falls in: the last one past the
 * end, 0 without stages. */
unsigned load_stage_at(const struct scenario *s, double t);
/* Whether call k falls after the end of the run. */
bool load_schedule_over(const struct scenario *s, uint64_t k);

#endif
