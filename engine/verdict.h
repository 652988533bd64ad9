/* Judges a finished result against the scenario's thresholds and expectations. */
#ifndef TL_VERDICT_H
#define TL_VERDICT_H
#include <stdbool.h>
#include "result.h"
#include "scenario.h"

/* every check verdict_judge can add: thresholds, one per finding, and the fixed ones */
#define VERDICT_MAX_CHECKS (SCN_MAX_THRESHOLDS + FINDINGS_MAX + 24)

enum check_status { CHECK_PASS = 0, CHECK_FAIL, CHECK_WARN };

struct check {
	char name[96];
	enum check_status status;
	char expected[96], observed[256];
};

struct verdict {
	bool pass;
	struct check checks[VERDICT_MAX_CHECKS];
	unsigned n_checks;
	unsigned lost;      /* checks beyond VERDICT_MAX_CHECKS: the verdict fails */
	struct check spare; /* where they were judged */
};

/* A report metric by name ("calls.cps", "latency_ms.invite_to_200" with stat
 * "p99", ...). Returns 0 and sets *v, or -ENOENT for unknown names. */
int verdict_metric(const struct result *r, const char *metric, const char *stat, double *v);

void verdict_judge(const struct scenario *s, const struct result *r, struct verdict *v);
const char *check_status_name(enum check_status s);

#endif
