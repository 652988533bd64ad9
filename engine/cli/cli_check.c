#include "cli.h"
#include "scenario.h"
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

/* A scenario's files must be there to be valid: a run would fail on them at once.
 * Prints each one that is not a readable file; returns how many. */
static unsigned missing_files(const char *file, const struct scenario *s)
{
	const struct {
		const char *key, *path;
	} f[] = { { "tls.cert", s->cert }, { "tls.key", s->key }, { "tls.ca", s->ca } };
	unsigned bad = 0;
	for (size_t i = 0; s->transport == SCN_TLS && i < sizeof(f) / sizeof(f[0]); i++) {
		struct stat st;
		if (!f[i].path[0])
			continue;
		const char *why = stat(f[i].path, &st) ? strerror(errno) :
				  S_ISDIR(st.st_mode) ? "is a directory" : NULL;
		FILE *fp = why ? NULL : fopen(f[i].path, "r");
		if (!why && !fp)
			why = strerror(errno);
		if (fp)
			fclose(fp);
		if (why) {
			fprintf(stderr, "%s: %s: cannot read %s: %s\n", file, f[i].key, f[i].path, why);
			bad++;
		}
	}
	return bad;
}

int cmd_check(int argc, char **argv)
{
	if (argc == 2 && !strcmp(argv[1], "--help")) {
		puts("usage: trunkload check SCENARIO.json\n\n"
		     "Validates a scenario file without running it (a run's, or a responder's\n"
		     "behaviour for trunkload uas --scenario, marked \"role\": \"uas\"): every problem is listed with\n"
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
	if (missing_files(argv[1], &s))
		return EXIT_USAGE;
	if (s.role == SCN_ROLE_UAS)
		printf("%s: valid: \"%s\", a responder's behaviour (trunkload uas --scenario): %u "
		       "route%s, %u outcome%s, %u threshold%s\n", argv[1], s.name, s.uas.n_routes,
		       s.uas.n_routes == 1 ? "" : "s", s.uas.answer.n_outcomes ? s.uas.answer.n_outcomes : 1,
		       s.uas.answer.n_outcomes == 1 || !s.uas.answer.n_outcomes ? "" : "s", s.n_thresholds,
		       s.n_thresholds == 1 ? "" : "s");
	else
		printf("%s: valid: \"%s\", %u flow steps, rate %g calls/s, %u threshold%s\n", argv[1],
		       s.name, s.n_flow, s.rate, s.n_thresholds, s.n_thresholds == 1 ? "" : "s");
	return EXIT_PASS;
}
