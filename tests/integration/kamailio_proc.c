#include "kamailio_proc.h"
#include "proc.h"
#include <dirent.h>
#include <errno.h>
#include <glob.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#define POLL_MS 20

const char *kamailio_binary(void)
{
	static const char *const cands[] = { "kamailio", "/usr/sbin/kamailio",
					     "/usr/local/sbin/kamailio" };
	for (size_t i = 0; i < sizeof(cands) / sizeof(cands[0]); i++)
		if (proc_have(cands[i]))
			return cands[i];
	return NULL;
}

static bool holds_modules(const char *dir, const char *const *modules, size_t n)
{
	for (size_t m = 0; m < n; m++) {
		char so[512];
		snprintf(so, sizeof(so), "%s/%s.so", dir, modules[m]);
		if (access(so, R_OK))
			return false;
	}
	return true;
}

bool kamailio_module_dir(const char *const *modules, size_t n, char *out, size_t cap)
{
	static const char *const patterns[] = { "/usr/lib/*/kamailio/modules",
						"/usr/lib/kamailio/modules",
						"/usr/lib64/kamailio/modules",
						"/usr/local/lib/kamailio/modules",
						"/usr/local/lib64/kamailio/modules" };
	bool found = false;
	for (size_t p = 0; !found && p < sizeof(patterns) / sizeof(patterns[0]); p++) {
		glob_t g;
		if (glob(patterns[p], GLOB_ONLYDIR, NULL, &g))
			continue;
		for (size_t d = 0; !found && d < g.gl_pathc; d++) {
			if (holds_modules(g.gl_pathv[d], modules, n)) {
				snprintf(out, cap, "%s", g.gl_pathv[d]);
				found = true;
			}
		}
		globfree(&g);
	}
	return found;
}

/* Processes of process group pg still alive (zombies do not count). */
static int group_alive(pid_t pg)
{
	DIR *d = opendir("/proc");
	if (!d)
		return 0;
	int n = 0;
	for (struct dirent *e; (e = readdir(d));) {
		if (e->d_name[0] < '1' || e->d_name[0] > '9')
			continue;
		char path[300];
		snprintf(path, sizeof(path), "/proc/%s/stat", e->d_name);
		char *stat = proc_read_file(path);
		/* the command name may hold spaces and parentheses: parse after the last ')' */
		const char *p = stat ? strrchr(stat, ')') : NULL;
		char state;
		int ppid, pgrp;
		if (p && sscanf(p + 1, " %c %d %d", &state, &ppid, &pgrp) == 3 && pgrp == pg &&
		    state != 'Z')
			n++;
		free(stat);
	}
	closedir(d);
	return n;
}

/* Waits up to timeout_ms for group pg to empty; returns how many are left. */
static int group_wait(pid_t pg, int timeout_ms)
{
	int alive = group_alive(pg);
	for (int waited = 0; alive && waited < timeout_ms; waited += POLL_MS) {
		proc_nap_ms(POLL_MS);
		alive = group_alive(pg);
	}
	return alive;
}

/* The group the watchdog kills: its own copy, set before the fork. */
static pid_t watched_pgid;

static void watchdog_fire(int sig)
{
	(void)sig;
	kill(-watched_pgid, SIGKILL);
	_exit(0);
}

/* Forks a child that waits for our death: Kamailio's main process gets SIGKILL with
 * us (proc_spawn), but its workers would live on, so when the test program dies, even
 * by SIGKILL at a ctest timeout, the kernel sends the watchdog SIGTERM
 * (PR_SET_PDEATHSIG) and it kills the whole group. Returns its pid, or -1 (then
 * only the ordinary stop protects us). */
static pid_t start_watchdog(pid_t pgid)
{
	pid_t parent = getpid();
	watched_pgid = pgid;
	pid_t pid = fork();
	if (pid != 0)
		return pid;
	/* also a Ctrl-C or hang-up that reaches our process group but not Kamailio's */
	struct sigaction sa = { .sa_handler = watchdog_fire };
	static const int sigs[] = { SIGTERM, SIGINT, SIGHUP, SIGQUIT };
	for (size_t i = 0; i < sizeof(sigs) / sizeof(sigs[0]); i++)
		sigaction(sigs[i], &sa, NULL);
	prctl(PR_SET_PDEATHSIG, SIGTERM);
	if (getppid() != parent)
		watchdog_fire(0);
	for (;;)
		pause();
}

/* The main process is our child and stays unreaped (a zombie) until the group is
 * empty, so its pid, the group's id, cannot be reused while we signal the group. */
int kamailio_stop(struct kamailio *k, int timeout_ms)
{
	if (k->watchdog > 0) {
		/* SIGKILL: its handler must not run, we stop the group ourselves */
		kill(k->watchdog, SIGKILL);
		waitpid(k->watchdog, NULL, 0);
		k->watchdog = 0;
	}
	pid_t pg = k->pgid;
	if (pg <= 0)
		return 0;
	kill(-pg, SIGTERM);
	int alive = group_wait(pg, timeout_ms);
	if (alive) {
		kill(-pg, SIGKILL);
		alive = group_wait(pg, timeout_ms);
	}
	if (k->pid > 0)
		proc_stop(k->pid, SIGKILL, timeout_ms);
	k->pid = k->pgid = 0;
	return alive;
}

int kamailio_start(struct kamailio *k, const char *binary, const char *dir, const char *cfg,
		   const uint16_t *ports, size_t n_ports, int timeout_ms)
{
	*k = (struct kamailio){ 0 };
	snprintf(k->log, sizeof(k->log), "%s/kamailio.log", dir);
	struct proc_args a = { 0 };
	args_add(&a, "setsid");
	args_add(&a, "%s", binary);
	args_add(&a, "-DD"); /* stay in the foreground, still fork the workers */
	args_add(&a, "-E");
	args_add(&a, "-f");
	args_add(&a, "%s", cfg);
	args_add(&a, "-P");
	args_add(&a, "%s/kamailio.pid", dir);
	args_add(&a, "-w");
	args_add(&a, "%s", dir);
	args_add(&a, "-m");
	args_add(&a, "32");
	args_add(&a, "-M");
	args_add(&a, "8");
	k->pid = proc_spawn(a.v, k->log, false);
	if (k->pid < 0) {
		fprintf(stderr, "kamailio_start: spawn %s: %s\n", binary, strerror(-k->pid));
		k->pid = 0;
		return -1;
	}
	k->pgid = k->pid; /* setsid execs in place: it is not a group leader here */
	k->watchdog = start_watchdog(k->pgid);
	for (size_t i = 0; i < n_ports; i++) {
		int rc = proc_wait_port(k->pid, ports[i], timeout_ms);
		if (rc) {
			fprintf(stderr, "kamailio_start: kamailio does not listen on 127.0.0.1:%u: %s\n",
				ports[i], strerror(-rc));
			proc_show_log("kamailio", k->log, 4000);
			if (rc == -ECHILD)
				k->pid = 0; /* exited and reaped */
			kamailio_stop(k, timeout_ms);
			return -1;
		}
	}
	return 0;
}
