/* --keylog: a capture of a trunkload call over mutual TLS, decrypted by tshark with
 * the key log trunkload wrote, shows the INVITE and the rest of the call. */
#include "proc.h"
#include "tl_test.h"
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define TIMEOUT_MS 60000

static void invite_visible_with_keylog(void)
{
	proc_cleanup_all();
	char pki[512], f[600], log[512], cap[512], keys[512], caplog[512], dir[512], out[512];
	proc_path(pki, sizeof(pki), "pki");
	proc_path(log, sizeof(log), "uas.log");
	proc_path(cap, sizeof(cap), "call.pcapng");
	proc_path(keys, sizeof(keys), "keys.log");
	proc_path(caplog, sizeof(caplog), "tshark.log");
	proc_path(dir, sizeof(dir), "report");
	proc_path(out, sizeof(out), "run.out");
	uint16_t port;
	pid_t uas = lab_uas(pki, "server", NULL, log, &port);
	CU_ASSERT_FATAL(uas > 0);

	struct proc_args t = { 0 };
	args_add(&t, "tshark");
	args_add(&t, "-i");
	args_add(&t, "lo");
	args_add(&t, "-f");
	args_add(&t, "tcp port %u", port);
	args_add(&t, "-w");
	args_add(&t, "%s", cap);
	pid_t tshark = proc_spawn(t.v, caplog, false);
	CU_ASSERT_FATAL(tshark > 0);
	bool capturing = false;
	for (int i = 0; i < 100 && !capturing; i++) { /* at most 10 s */
		char *text = proc_read_file(caplog);
		capturing = text && strstr(text, "Capturing on");
		free(text);
		if (!capturing)
			usleep(100000);
	}
	CHECK(capturing, "tshark captures on lo");
	if (!capturing)
		proc_show_log("tshark", caplog, 2000);
	CU_ASSERT_FATAL(capturing);

	struct proc_args r = { 0 };
	args_add(&r, "%s", TL_BINARY);
	args_add(&r, "run");
	args_add(&r, "--target");
	args_add(&r, "127.0.0.1:%u", port);
	args_identity(&r, pki, "client");
	args_add(&r, "--ca");
	args_add(&r, "%s/ca.crt", pki);
	args_add(&r, "--calls");
	args_add(&r, "2");
	args_add(&r, "--media-ms");
	args_add(&r, "0");
	args_add(&r, "--keylog");
	args_add(&r, "%s", keys);
	args_add(&r, "--report-dir");
	args_add(&r, "%s", dir);
	int rc = proc_run(r.v, out, NULL, TIMEOUT_MS, NULL);
	CHECK(rc == 0, "the run exits 0 (got %d)", rc);
	usleep(300000); /* let the last segments reach the capture */
	proc_stop(tshark, SIGINT, 5000);
	proc_stop(uas, SIGTERM, 5000);

	struct stat st;
	CHECK(stat(keys, &st) == 0 && (st.st_mode & 0777) == 0600 && st.st_size > 0,
	      "the key log exists, is not empty and has mode 0600 (mode %o)", st.st_mode & 0777);

	/* decode the TLS on that port, and SIP inside it */
	struct proc_args d = { 0 };
	args_add(&d, "tshark");
	args_add(&d, "-r");
	args_add(&d, "%s", cap);
	args_add(&d, "-o");
	args_add(&d, "tls.keylog_file:%s", keys);
	args_add(&d, "-d");
	args_add(&d, "tcp.port==%u,tls", port);
	args_add(&d, "-d");
	args_add(&d, "tls.port==%u,sip", port);
	args_add(&d, "-Y");
	args_add(&d, "sip");
	args_add(&d, "-T");
	args_add(&d, "fields");
	args_add(&d, "-e");
	args_add(&d, "sip.Method");
	args_add(&d, "-e");
	args_add(&d, "sip.Status-Code");
	snprintf(f, sizeof(f), "%s.decoded", cap);
	rc = proc_run(d.v, f, "/dev/null", TIMEOUT_MS, NULL);
	char *decoded = proc_read_file(f);
	CHECK(rc == 0 && decoded && strstr(decoded, "INVITE"),
	      "tshark with the key log finds the INVITE inside the TLS records");
	CHECK(decoded && strstr(decoded, "BYE") && strstr(decoded, "200"),
	      "and the BYE and the 200 responses");

	/* without the keys nothing of SIP is visible */
	snprintf(f, sizeof(f), "%s.nokeys", cap);
	d.v[4] = (char *)"tls.keylog_file:/dev/null";
	proc_run(d.v, f, "/dev/null", TIMEOUT_MS, NULL);
	char *blind = proc_read_file(f);
	CHECK(blind && !strstr(blind, "INVITE"), "without the key log tshark sees no INVITE");
	if (!decoded || !strstr(decoded, "INVITE"))
		proc_show_log("tshark decode", f, 2000);
	free(decoded);
	free(blind);
	proc_cleanup_all();
}

static const struct tl_case cases[] = {
	{ "invite_visible_with_keylog", invite_visible_with_keylog },
};

int main(void)
{
	if (!proc_have("tshark")) {
		fprintf(stderr, "test_keylog: SKIPPED: tshark is not installed (Debian package tshark)\n");
		return 77;
	}
	if (geteuid() != 0) {
		fprintf(stderr, "test_keylog: SKIPPED: capturing on lo needs root\n");
		return 77;
	}
	if (!proc_tmpdir())
		return 1;
	char dir[512];
	if (lab_pki("pki", dir, sizeof(dir)))
		return 1;
	return tl_run("keylog", TL_CASES(cases));
}
