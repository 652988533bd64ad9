/* The command line as a user meets it: each case runs trunkload with some arguments
 * and checks the exit status and a fragment of what it said. */
#include "proc.h"
#include "tl_test.h"
#include <stdlib.h>
#include <string.h>

#define RUN_MS 30000

/* Runs argv; checks the exit status and that the output (stdout and stderr) holds
 * fragment. */
static void expect(const char *name, char *const *argv, int want_exit, const char *fragment)
{
	char out[512], file[96];
	snprintf(file, sizeof(file), "cli-%s.out", name);
	proc_path(out, sizeof(out), file);
	int rc = proc_run(argv, out, NULL, RUN_MS, NULL);
	char *text = proc_read_file(out);
	CHECK(rc == want_exit, "%s: exit %d (got %d)", name, want_exit, rc);
	CHECK(text && strstr(text, fragment), "%s: says \"%s\"", name, fragment);
	if (rc != want_exit || !text || !strstr(text, fragment))
		proc_show_log(name, out, 2000);
	free(text);
}

/* argv of trunkload run with `n` copies of --rate 5 before the given tail. */
static char **run_with_repeats(unsigned n, const char *const *tail)
{
	size_t k = 0, tail_n = 0;
	while (tail[tail_n])
		tail_n++;
	char **v = calloc(2 + 2 * n + tail_n + 1, sizeof(*v));
	CU_ASSERT_PTR_NOT_NULL_FATAL(v);
	v[k++] = (char *)TL_BINARY;
	v[k++] = (char *)"run";
	for (unsigned i = 0; i < n; i++) {
		v[k++] = (char *)"--rate";
		v[k++] = (char *)"5";
	}
	for (size_t i = 0; i < tail_n; i++)
		v[k++] = (char *)tail[i];
	return v;
}

/* The 71st option is read like the first: a bad value there is named (before, all
 * past the 64th were dropped without a word and the run went on). */
static void test_many_options_all_read(void)
{
	static const char *const tail[] = { "--calls", "0", NULL };
	char **v = run_with_repeats(70, tail);
	expect("many-options", v, 2, "--calls: expected a whole number >= 1, got \"0\"");
	free(v);
}

/* Past what a run keeps, it says so instead of dropping any. */
static void test_too_many_options(void)
{
	static const char *const tail[] = { NULL };
	char **v = run_with_repeats(300, tail);
	expect("too-many-options", v, 2, "too many options");
	free(v);
}

int main(void)
{
	static const struct tl_case cases[] = {
		{ "many_options_all_read", test_many_options_all_read },
		{ "too_many_options", test_too_many_options },
	};
	return tl_run("cli", TL_CASES(cases));
}
