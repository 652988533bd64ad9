#include "cli.h"
#include "scenario.h"
#include <stdio.h>
#include <string.h>

int cmd_check(int argc, char **argv)
{
	if (argc == 2 && !strcmp(argv[1], "--help")) {
		puts("usage: trunkload check SCENARIO.json\n\n"
		     "Validates a scenario file without running it: every problem is listed with\n"
		     "the file, the JSON path and what was expected. Exit 0 valid, 2 invalid.");
		return EXIT_PASS;
	}
	if (argc != 2)
		return cli_usage_error("check", "expected one scenario file (see trunkload check --help)");
	static struct scenario s;
	struct scenario_errors errs = { 0 };
	scenario_default(&s);
	int rc = scenario_load_file(argv[1], &s, &errs);
	if (!rc)
		rc = scenario_validate(&s, &errs);
	if (rc) {
		for (unsigned i = 0; i < errs.n; i++)
			fprintf(stderr, "%s\n", errs.msg[i]);
		return EXIT_USAGE;
	}
	printf("%s: valid: \"%s\", %u flow steps, rate %g calls/s, %u threshold%s\n", argv[1], s.name,
	       s.n_flow, s.rate, s.n_thresholds, s.n_thresholds == 1 ? "" : "s");
	return EXIT_PASS;
}
