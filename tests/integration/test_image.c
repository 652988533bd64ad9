/* The container image without a registry: container/build-image.sh makes a Debian 12
 * root file system (mmdebstrap) holding trunkload and what it needs at run time, and
 * that trunkload runs there (chroot). The Containerfile installs the packages .ci/deps
 * names, at build time and at run time. */
#include "proc.h"
#include "tl_test.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define BUILD_MS (15 * 60 * 1000) /* mostly Debian's packages coming over the network */

/* The two package lists of the Containerfile against BUILD_DEPS and RUNTIME_DEPS. */
static void containerfile_matches_deps(void)
{
	static const char check[] =
		"import re, subprocess, sys\n"
		"src = sys.argv[1]\n"
		"def deps(var):\n"
		"    out = subprocess.run(['bash', '-c', '. %s/.ci/deps; echo $%s' % (src, var)],\n"
		"                         capture_output=True, text=True, check=True).stdout\n"
		"    return sorted(out.split())\n"
		"t = open(src + '/container/Containerfile').read().replace('\\\\\\n', ' ')\n"
		"lists = re.findall(r'apt-get install -y --no-install-recommends ([^&]*)&&', t)\n"
		"assert len(lists) == 2, lists\n"
		"assert sorted(lists[0].split()) == deps('BUILD_DEPS'), (lists[0], deps('BUILD_DEPS'))\n"
		"assert sorted(lists[1].split()) == deps('RUNTIME_DEPS'), (lists[1], deps('RUNTIME_DEPS'))\n"
		"print('ok')\n";
	char out[600];
	proc_path(out, sizeof(out), "containerfile.out");
	char *argv[] = { "python3", "-c", (char *)check, TL_SOURCE_DIR, NULL };
	int rc = proc_run(argv, out, NULL, 20000, NULL);
	char *text = proc_read_file(out);
	CHECK(rc == 0 && text && strstr(text, "ok"),
	      "the Containerfile installs BUILD_DEPS to build and RUNTIME_DEPS to run: %s", text ? text : "");
	free(text);
}

static void rootfs_runs_trunkload(void)
{
	char tar[600], log[600], root[600], help[600], build[600];
	proc_path(tar, sizeof(tar), "rootfs.tar");
	proc_path(log, sizeof(log), "build-image.log");
	proc_path(root, sizeof(root), "rootfs");
	proc_path(help, sizeof(help), "help.txt");
	/* the test's own build (TL_BINARY's directory), used as it is */
	snprintf(build, sizeof(build), "%s", TL_BINARY);
	*strrchr(build, '/') = '\0';
	char env[700];
	snprintf(env, sizeof(env), "BUILD=%s", build);
	char *argv[] = { "env", env, "bash", TL_SOURCE_DIR "/container/build-image.sh", tar, NULL };
	int rc = proc_run(argv, log, NULL, BUILD_MS, NULL);
	CHECK(rc == 0, "container/build-image.sh exits 0 (got %d)", rc);
	if (rc) {
		proc_show_log("build-image.sh", log, 4000);
		return;
	}
	char cmd[2600];
	snprintf(cmd, sizeof(cmd), "mkdir -p '%s' && tar -C '%s' -xf '%s' && chroot '%s' "
		 "/usr/local/bin/trunkload run --help", root, root, tar, root);
	char *sh[] = { "sh", "-c", cmd, NULL };
	rc = proc_run(sh, help, NULL, 60000, NULL);
	char *text = proc_read_file(help);
	CHECK(rc == 0 && text && strstr(text, "usage: trunkload run"),
	      "trunkload runs in the image's root file system (exit %d)", rc);
	free(text);
	snprintf(cmd, sizeof(cmd), "%s/usr/local/share/man/man1/trunkload.1", root);
	CHECK(access(cmd, R_OK) == 0, "the man page is installed too");
}

int main(void)
{
#ifdef TL_SANITIZED
	fprintf(stderr, "test_image: SKIPPED in the sanitizer build: it packages the plain one\n");
	return 77;
#endif
	if (!proc_have("mmdebstrap") || getuid() != 0) {
		fprintf(stderr, "test_image: SKIPPED: needs mmdebstrap (apt-get install mmdebstrap) and "
				"root (chroot)\n");
		return 77;
	}
	if (!proc_tmpdir())
		return 1;
	static const struct tl_case cases[] = {
		{ "containerfile_matches_deps", containerfile_matches_deps },
		{ "rootfs_runs_trunkload", rootfs_runs_trunkload },
	};
	return tl_run("image", TL_CASES(cases));
}
