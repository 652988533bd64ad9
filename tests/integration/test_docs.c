/* Every flag that a command's --help names is documented in the README and in the man
 * page, so the three cannot drift apart unnoticed. */
#include "proc.h"
#include "tl_test.h"
#include <ctype.h>
#include <glob.h>
#include <stdlib.h>
#include <string.h>

static char *readme, *manual;

/* The man page writes a dash as "\-" and switches fonts with "\fB": read it as text. */
static char *unescape(char *s)
{
	char *w = s;
	for (char *r = s; s && *r; r++) {
		if (r[0] == '\\' && r[1] == 'f' && r[2]) {
			r += 2;
			continue;
		}
		if (*r != '\\')
			*w++ = *r;
	}
	if (s)
		*w = 0;
	return s;
}

static bool has_flag(const char *text, const char *flag)
{
	size_t n = strlen(flag);
	for (const char *p = strstr(text, flag); p; p = strstr(p + 1, flag))
		if (!isalnum((unsigned char)p[n]) && p[n] != '-')
			return true;
	return false;
}

static void check_command(const char *const *cmd)
{
	char out[512], name[64];
	snprintf(name, sizeof(name), "help-%s-%s.out", cmd[0], cmd[1] ? cmd[1] : "");
	proc_path(out, sizeof(out), name);
	struct proc_args a = { 0 };
	args_add(&a, "%s", TL_BINARY);
	args_add_list(&a, cmd);
	args_add(&a, "--help");
	int rc = proc_run(a.v, out, NULL, 30000, NULL);
	CHECK(rc == 0, "trunkload %s --help exits 0 (got %d)", cmd[0], rc);
	char *help = proc_read_file(out);
	CU_ASSERT_FATAL(help != NULL);
	unsigned flags = 0;
	for (char *p = strstr(help, "--"); p; p = strstr(p + 2, "--")) {
		char flag[64];
		size_t n = 2;
		while (n < sizeof(flag) - 1 && (isalnum((unsigned char)p[n]) || p[n] == '-'))
			n++;
		if (n <= 2 || !isalpha((unsigned char)p[2]))
			continue;
		memcpy(flag, p, n);
		flag[n] = 0;
		flags++;
		CHECK(has_flag(readme, flag), "README.md documents %s of trunkload %s", flag, cmd[0]);
		CHECK(has_flag(manual, flag), "the man page documents %s of trunkload %s", flag, cmd[0]);
	}
	CHECK(flags > 0 || !strcmp(cmd[0], "check") || !strcmp(cmd[0], "demo") ||
	      (cmd[1] && !strcmp(cmd[1], "show")),
	      "trunkload %s --help names its flags", cmd[0]);
	free(help);
}

static void every_flag_is_documented(void)
{
	static const char *const cmds[][3] = {
		{ "run" }, { "uas" }, { "probe" }, { "pki" }, { "pki", "csr" }, { "pki", "show" },
		{ "check" }, { "demo" }, { "merge" },
	};
	for (size_t i = 0; i < sizeof(cmds) / sizeof(cmds[0]); i++)
		check_command(cmds[i]);
}

/* Every shipped scenario is valid: `trunkload check` accepts it. */
static void shipped_scenarios_are_valid(void)
{
	glob_t g;
	int rc = glob(TL_SOURCE_DIR "/scenarios/*.json", 0, NULL, &g);
	if (!rc)
		rc = glob(TL_SOURCE_DIR "/scenarios/negative/*.json", GLOB_APPEND, NULL, &g);
	CU_ASSERT_FATAL(rc == 0 && g.gl_pathc >= 8);
	for (size_t i = 0; i < g.gl_pathc; i++) {
		if (strstr(g.gl_pathv[i], "schema.json"))
			continue;
		char out[512];
		proc_path(out, sizeof(out), "check.out");
		char *argv[] = { (char *)TL_BINARY, (char *)"check", g.gl_pathv[i], NULL };
		int st = proc_run(argv, out, NULL, 30000, NULL);
		CHECK(st == 0, "trunkload check %s exits 0 (got %d)", g.gl_pathv[i], st);
		if (st)
			proc_show_log("check", out, 1000);
	}
	globfree(&g);
}

static const struct tl_case cases[] = {
	{ "every_flag_is_documented", every_flag_is_documented },
	{ "shipped_scenarios_are_valid", shipped_scenarios_are_valid },
};

int main(void)
{
	if (!proc_tmpdir())
		return 1;
	readme = proc_read_file(TL_SOURCE_DIR "/README.md");
	manual = unescape(proc_read_file(TL_SOURCE_DIR "/engine/cli/trunkload.1"));
	if (!readme || !manual) {
		fprintf(stderr, "test_docs: cannot read README.md or engine/cli/trunkload.1\n");
		return 1;
	}
	int rc = tl_run("docs", TL_CASES(cases));
	free(readme);
	free(manual);
	return rc;
}
