/* libFuzzer target: the scenario loader (engine/scenario.c, over cJSON).
 *
 * The input is a scenario file. Loading either succeeds with no error message,
 * and then the plan passes scenario_validate and keeps its counts within their
 * arrays, or fails with -EINVAL and 1..SCN_MAX_ERRORS terminated messages that
 * name the file. Loading without an error list must give the same answer. */
#include "fuzz.h"
#include "scenario.h"
#include <errno.h>
#include <string.h>

#define NAME "scenarios/fuzz.json"

static bool terminated(const char *s, size_t cap)
{
	return memchr(s, '\0', cap) != NULL;
}

static void check_plan(const struct scenario *s)
{
	FUZZ_CHECK(terminated(s->name, sizeof(s->name)));
	FUZZ_CHECK(terminated(s->host, sizeof(s->host)));
	FUZZ_CHECK(terminated(s->server_name, sizeof(s->server_name)));
	FUZZ_CHECK(terminated(s->cert, sizeof(s->cert)));
	FUZZ_CHECK(terminated(s->key, sizeof(s->key)));
	FUZZ_CHECK(terminated(s->ca, sizeof(s->ca)));
	FUZZ_CHECK(terminated(s->from, sizeof(s->from)));
	FUZZ_CHECK(terminated(s->to, sizeof(s->to)));
	FUZZ_CHECK(terminated(s->expect_alert, sizeof(s->expect_alert)));
	FUZZ_CHECK(strcmp(s->path, NAME) == 0);
	FUZZ_CHECK(s->n_flow <= SCN_MAX_FLOW);
	FUZZ_CHECK(s->n_thresholds <= SCN_MAX_THRESHOLDS);
	FUZZ_CHECK(s->n_expect_findings <= 8);
	FUZZ_CHECK(s->n_suites >= 1 && s->n_suites <= SCN_MAX_SUITES);
	for (unsigned i = 0; i < s->n_suites; i++)
		FUZZ_CHECK(s->suites[i] < SDES_SUITE_COUNT);
	for (unsigned i = 0; i < s->n_flow; i++)
		FUZZ_CHECK(s->flow[i].kind >= FLOW_SEND && s->flow[i].kind <= FLOW_MEDIA);
	for (unsigned i = 0; i < s->n_thresholds; i++) {
		FUZZ_CHECK(terminated(s->thresholds[i].metric, sizeof(s->thresholds[i].metric)));
		FUZZ_CHECK(terminated(s->thresholds[i].stat, sizeof(s->thresholds[i].stat)));
	}
	FUZZ_CHECK(scn_mode_name(s->mode) != NULL);
	FUZZ_CHECK(scn_direction_name(s->direction) != NULL);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *json = (const char *)data;
	struct scenario s;
	struct scenario_errors errs;

	memset(&errs, 0xA5, sizeof(errs)); /* stale garbage must not leak through */
	int rc = scenario_load_buf(json, size, NAME, &s, &errs);
	FUZZ_CHECK(rc == 0 || rc == -EINVAL);
	if (rc == 0) {
		FUZZ_CHECK(errs.n == 0);
		check_plan(&s);
		FUZZ_CHECK(scenario_validate(&s, &errs) == 0 && errs.n == 0);
	} else {
		FUZZ_CHECK(errs.n >= 1 && errs.n <= SCN_MAX_ERRORS);
		for (unsigned i = 0; i < errs.n; i++) {
			FUZZ_CHECK(terminated(errs.msg[i], sizeof(errs.msg[i])));
			FUZZ_CHECK(strncmp(errs.msg[i], NAME, strlen(NAME)) == 0);
		}
	}

	struct scenario quiet;
	FUZZ_CHECK(scenario_load_buf(json, size, NAME, &quiet, NULL) == rc);

	scenario_default(&s);
	FUZZ_CHECK(scenario_validate(&s, &errs) == 0);
	return 0;
}
