#include "cli.h"
#include "pki.h"
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static int free_port(void)
{
	int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	struct sockaddr_in a = { .sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
	socklen_t len = sizeof(a);
	int port = -1;
	if (fd >= 0 && !bind(fd, (struct sockaddr *)&a, sizeof(a)) &&
	    !getsockname(fd, (struct sockaddr *)&a, &len))
		port = ntohs(a.sin_port);
	if (fd >= 0)
		close(fd);
	return port;
}

static bool listening(int port)
{
	int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	struct sockaddr_in a = { .sin_family = AF_INET, .sin_port = htons((uint16_t)port),
				 .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
	bool ok = fd >= 0 && connect(fd, (struct sockaddr *)&a, sizeof(a)) == 0;
	if (fd >= 0)
		close(fd);
	return ok;
}

static void sleep_ms(long ms)
{
	struct timespec ts = { ms / 1000, (ms % 1000) * 1000000L };
	nanosleep(&ts, NULL);
}

static void stop_child(pid_t pid)
{
	kill(pid, SIGTERM);
	for (int i = 0; i < 100; i++) {
		if (waitpid(pid, NULL, WNOHANG) == pid)
			return;
		sleep_ms(50);
	}
	kill(pid, SIGKILL);
	waitpid(pid, NULL, 0);
}

int cmd_demo(int argc, char **argv)
{
	if (argc > 1) {
		if (!strcmp(argv[1], "--help")) {
			puts("usage: trunkload demo\n\n"
			     "Makes a lab PKI in a temporary directory, starts 'trunkload uas' on a free\n"
			     "loopback port, runs scenarios/basic-call.json against it over mutual TLS and\n"
			     "prints the report. The directory (PKI, responder log, report.json) is kept.");
			return EXIT_PASS;
		}
		return cli_usage_error("demo", "takes no arguments (see trunkload demo --help)");
	}
	char scenario[PATH_MAX];
	if (cli_find_scenario("basic-call.json", scenario, sizeof(scenario)))
		return cli_usage_error("demo", "cannot find scenarios/basic-call.json");
	char dir[] = "/tmp/trunkload-demo-XXXXXX";
	if (!mkdtemp(dir)) {
		fprintf(stderr, "trunkload demo: cannot make a temporary directory: %s\n", strerror(errno));
		return EXIT_CANNOT;
	}
	char pki[PATH_MAX], err[512];
	snprintf(pki, sizeof(pki), "%s/pki", dir);
	if (pki_make_lab(pki, PKI_KEY_EC, "uas.trunkload.test", "uac.trunkload.test", false, err,
			 sizeof(err))) {
		fprintf(stderr, "trunkload demo: %s\n", err);
		return EXIT_CANNOT;
	}
	printf("demo: lab PKI in %s (EC P-256 CA, server uas.trunkload.test, client uac.trunkload.test)\n", pki);

	int port = free_port();
	char listen[32], cert[PATH_MAX + 16], key[PATH_MAX + 16], ca[PATH_MAX + 16], log[PATH_MAX + 16];
	snprintf(listen, sizeof(listen), "127.0.0.1:%d", port);
	snprintf(cert, sizeof(cert), "%s/server.crt", pki);
	snprintf(key, sizeof(key), "%s/server.key", pki);
	snprintf(ca, sizeof(ca), "%s/ca.crt", pki);
	snprintf(log, sizeof(log), "%s/uas.log", dir);
	fflush(stdout);
	pid_t pid = fork();
	if (pid == 0) {
		int fd = open(log, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
		if (fd >= 0) {
			dup2(fd, 1);
			dup2(fd, 2);
		}
		execl("/proc/self/exe", "trunkload", "uas", "--listen", listen, "--cert", cert, "--key",
		      key, "--ca", ca, (char *)NULL);
		_exit(127);
	}
	if (pid < 0) {
		fprintf(stderr, "trunkload demo: fork: %s\n", strerror(errno));
		return EXIT_CANNOT;
	}
	bool up = false;
	for (int i = 0; i < 100 && !up; i++) {
		if (waitpid(pid, NULL, WNOHANG) == pid)
			break;
		up = port > 0 && listening(port);
		if (!up)
			sleep_ms(50);
	}
	if (!up) {
		stop_child(pid);
		fprintf(stderr, "trunkload demo: the responder did not start (see %s)\n", log);
		return EXIT_CANNOT;
	}
	printf("demo: responder 'trunkload uas' (pid %d) on %s\n", (int)pid, listen);
	printf("demo: running %s\n\n", scenario);
	fflush(stdout);

	char ccert[PATH_MAX + 16], ckey[PATH_MAX + 16], report[PATH_MAX + 16];
	snprintf(ccert, sizeof(ccert), "%s/client.crt", pki);
	snprintf(ckey, sizeof(ckey), "%s/client.key", pki);
	snprintf(report, sizeof(report), "%s/report", dir);
	char *run_argv[] = { "run", scenario, "--target", listen, "--cert", ccert, "--key", ckey,
			     "--ca", ca, "--report-dir", report, NULL };
	int status = cmd_run(12, run_argv);
	fflush(stdout);
	stop_child(pid);

	FILE *f = fopen(log, "r");
	char line[1024];
	printf("\ndemo: the responder's own account:\n");
	while (f && fgets(line, sizeof(line), f))
		printf("  %s", line);
	if (f)
		fclose(f);
	printf("demo: files kept in %s (pki/, uas.log, report/report.json)\n", dir);
	return status;
}
