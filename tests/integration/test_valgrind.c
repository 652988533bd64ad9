/* The caller under valgrind memcheck against the responder: a few mutual-TLS calls
 * with SRTP media on two workers, no memory error and no definite leak. (The responder
 * under memcheck does not see SIGTERM in time; it runs natively here.)
 * (Receive buffers the kernel fills through io_uring are marked as written for
 * valgrind: engine/kernel_wrote.h.) Skipped in the sanitizer build, which valgrind
 * cannot run. */
#include "proc.h"
#include "tl_test.h"
#include <signal.h>
#include <stdlib.h>
#include <string.h>

#define VALGRIND_ERRORS 9

static const char *const memcheck[] = {
	"valgrind", "-q", "--error-exitcode=9", "--leak-check=full",
	"--errors-for-leak-kinds=definite", NULL,
};

static void calls_clean_under_memcheck(void)
{
	char pki[512], log[512], out[512], dir[512];
	proc_path(pki, sizeof(pki), "pki");
	proc_path(log, sizeof(log), "uas.log");
	proc_path(out, sizeof(out), "run.out");
	proc_path(dir, sizeof(dir), "report");
	uint16_t port = proc_free_port();
	struct proc_args u = { 0 };
	args_add(&u, "%s", TL_BINARY);
	args_add(&u, "uas");
	args_add(&u, "--listen");
	args_add(&u, "127.0.0.1:%u", port);
	args_add(&u, "--threads");
	args_add(&u, "1");
	args_add(&u, "--media-ports"); /* a small pool: memcheck makes big allocations slow */
	args_add(&u, "40000-40199");
	args_identity(&u, pki, "server");
	args_add(&u, "--ca");
	args_add(&u, "%s/ca.crt", pki);
	pid_t uas = proc_spawn(u.v, log, false);
	CU_ASSERT_FATAL(uas > 0);
	int rc = proc_wait_port(uas, port, 30000);
	CU_ASSERT_FATAL(rc == 0);

	struct proc_args r = { 0 };
	args_add_list(&r, memcheck);
	args_add(&r, "%s", TL_BINARY);
	args_add(&r, "run");
	args_add(&r, "--target");
	args_add(&r, "127.0.0.1:%u", port);
	args_identity(&r, pki, "client");
	args_add(&r, "--ca");
	args_add(&r, "%s/ca.crt", pki);
	static const char *const flags[] = { "--calls", "5", "--rate", "5", "--media-ms", "500",
					     "--threads", "2", "--connections", "2", "--max-concurrent",
					     "50", "--media-ports", "41000-41199", "--quiet", NULL };
	args_add_list(&r, flags);
	args_add(&r, "--report-dir");
	args_add(&r, "%s", dir);
	rc = proc_run(r.v, out, NULL, 120000, NULL);
	CHECK(rc == 0, "the caller passes under memcheck with no error or leak (exit %d; %d means "
		       "valgrind found one)", rc, VALGRIND_ERRORS);
	if (rc)
		proc_show_log("caller under valgrind", out, 6000);
	proc_stop(uas, SIGTERM, 10000);
}

static const struct tl_case cases[] = {
	{ "calls_clean_under_memcheck", calls_clean_under_memcheck },
};

int main(void)
{
#ifdef TL_SANITIZED
	fprintf(stderr, "test_valgrind: SKIPPED: the sanitizer build cannot run under valgrind\n");
	return 77;
#endif
	if (!proc_have("valgrind")) {
		fprintf(stderr, "test_valgrind: SKIPPED: valgrind is not installed\n");
		return 77;
	}
	if (!proc_tmpdir())
		return 1;
	char pki[512];
	if (lab_pki("pki", pki, sizeof(pki)))
		return 1;
	return tl_run("valgrind", TL_CASES(cases));
}
