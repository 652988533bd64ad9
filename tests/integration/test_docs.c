/* Every flag that a command's --help names is documented in the README and in the man
 * page, so the three cannot drift apart unnoticed. */
#include "proc.h"
#include "tl_test.h"
#include <ctype.h>
#include <glob.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

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

/* Copies a file; 0 or -1. */
static int copy_file(const char *from, const char *to)
{
	char *text = proc_read_file(from);
	FILE *f = text ? fopen(to, "w") : NULL;
	int rc = f && fputs(text, f) >= 0 ? 0 : -1;
	if (f && fclose(f))
		rc = -1;
	free(text);
	return rc;
}

/* Every shipped scenario (and responder's behaviour) is valid: `trunkload check` accepts it where the lab its
 * paths name exists (a copy of scenarios/ next to a lab made by `trunkload pki lab`,
 * as the README tells users to make one in the repository root). The renewal check
 * ships with empty pins on purpose and says so. */
static void shipped_scenarios_are_valid(void)
{
	char root[512], dir[600], lab[600];
	proc_path(root, sizeof(root), "repo");
	snprintf(dir, sizeof(dir), "%s/scenarios", root);
	CU_ASSERT_FATAL(mkdir(root, 0700) == 0 && mkdir(dir, 0700) == 0);
	snprintf(dir, sizeof(dir), "%s/scenarios/negative", root);
	CU_ASSERT_FATAL(mkdir(dir, 0700) == 0);
	snprintf(dir, sizeof(dir), "%s/scenarios/uas", root);
	CU_ASSERT_FATAL(mkdir(dir, 0700) == 0);
	snprintf(lab, sizeof(lab), "%s/lab", root);
	char *pki[] = { (char *)TL_BINARY, (char *)"pki", lab, NULL };
	CU_ASSERT_FATAL(proc_run(pki, NULL, NULL, 60000, NULL) == 0);

	glob_t g;
	int rc = glob(TL_SOURCE_DIR "/scenarios/*.json", 0, NULL, &g);
	if (!rc)
		rc = glob(TL_SOURCE_DIR "/scenarios/negative/*.json", GLOB_APPEND, NULL, &g);
	if (!rc) /* the responder's behaviours */
		rc = glob(TL_SOURCE_DIR "/scenarios/uas/*.json", GLOB_APPEND, NULL, &g);
	CU_ASSERT_FATAL(rc == 0 && g.gl_pathc >= 8);
	for (size_t i = 0; i < g.gl_pathc; i++) {
		if (strstr(g.gl_pathv[i], "schema.json"))
			continue;
		char copy[1200], out[512];
		snprintf(copy, sizeof(copy), "%s/%s", root,
			 g.gl_pathv[i] + strlen(TL_SOURCE_DIR "/"));
		CU_ASSERT_FATAL(copy_file(g.gl_pathv[i], copy) == 0);
		proc_path(out, sizeof(out), "check.out");
		char *argv[] = { (char *)TL_BINARY, (char *)"check", copy, NULL };
		int st = proc_run(argv, out, NULL, 30000, NULL);
		bool renewal = strstr(copy, "renewal-check.json") != NULL;
		char *said = proc_read_file(out);
		if (renewal)
			CHECK(st == 2 && said && strstr(said, "tls.expect_peer.serial is empty: put"),
			      "trunkload check %s exits 2 and asks for the serial (got %d)", copy, st);
		else
			CHECK(st == 0, "trunkload check %s exits 0 (got %d)", copy, st);
		if (st != (renewal ? 2 : 0))
			proc_show_log("check", out, 1000);
		free(said);
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
