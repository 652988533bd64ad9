#include "cli.h"
#include "str.h"
#include "call_trace.h"
#include <sys/resource.h>
#include <pthread.h>
#include <signal.h>
#include <time.h>
#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

int cli_u64(const char *s, uint64_t lo, uint64_t hi, uint64_t *out)
{
	if (!s || !*s || *s == '-')
		return -EINVAL;
	char *end;
	errno = 0;
	unsigned long long v = strtoull(s, &end, 10);
	if (errno || *end || v < lo || v > hi)
		return -EINVAL;
	*out = v;
	return 0;
}

int cli_double(const char *s, double lo, double hi, double *out)
{
	if (!s || !*s)
		return -EINVAL;
	char *end;
	errno = 0;
	double v = strtod(s, &end);
	if (errno || *end || !isfinite(v) || v < lo || v > hi)
		return -EINVAL;
	*out = v;
	return 0;
}

int cli_usage_error(const char *cmd, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	fprintf(stderr, "trunkload %s: ", cmd);
	vfprintf(stderr, fmt, ap);
	fprintf(stderr, "\n");
	va_end(ap);
	return EXIT_USAGE;
}

int cli_find_scenario(const char *name, char *out, size_t cap)
{
	char exe[PATH_MAX];
	ssize_t n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
	exe[n > 0 ? n : 0] = 0;
	char *slash = strrchr(exe, '/');
	if (slash)
		*slash = 0;
	const char *dirs[] = { "scenarios", TRUNKLOAD_SOURCE_DIR "/scenarios", TRUNKLOAD_SCENARIO_DIR };
	char cand[PATH_MAX + 64];
	snprintf(cand, sizeof(cand), "%s/../share/trunkload/scenarios/%s", exe, name);
	if (access(cand, R_OK) == 0 && strlen(cand) < cap) {
		snprintf(out, cap, "%s", cand);
		return 0;
	}
	for (size_t i = 0; i < sizeof(dirs) / sizeof(dirs[0]); i++) {
		snprintf(cand, sizeof(cand), "%s/%s", dirs[i], name);
		if (access(cand, R_OK) == 0 && strlen(cand) < cap) {
			snprintf(out, cap, "%s", cand);
			return 0;
		}
	}
	return -ENOENT;
}

int cli_port_range(const char *s, uint16_t *lo, uint16_t *hi)
{
	char a[8], b[8];
	const char *dash = strchr(s, '-');
	if (!dash || dash - s >= (long)sizeof(a) || strlen(dash + 1) >= sizeof(b))
		return -EINVAL;
	memcpy(a, s, (size_t)(dash - s));
	a[dash - s] = 0;
	strcpy(b, dash + 1);
	uint64_t l, h;
	if (cli_u64(a, 1024, 65534, &l) || cli_u64(b, 1025, 65535, &h) || l % 2 || h < l + 1)
		return -EINVAL;
	*lo = (uint16_t)l;
	*hi = (uint16_t)h;
	return 0;
}

unsigned cli_default_threads(void)
{
	long n = sysconf(_SC_NPROCESSORS_ONLN);
	return n > 0 ? (unsigned)(n > 64 ? 64 : n) : 1;
}

void cli_warn_key_mode(const char *cmd, const char *path)
{
	struct stat st;
	if (path && *path && stat(path, &st) == 0 && (st.st_mode & 077))
		fprintf(stderr, "trunkload %s: warning: private key %s can be read by others (mode %03o): "
				"chmod 600 %s\n", cmd, path, (unsigned)(st.st_mode & 0777), path);
}

int cli_make_dir(const char *dir)
{
	char path[4096];
	if ((size_t)snprintf(path, sizeof(path), "%s", dir) >= sizeof(path))
		return -ENAMETOOLONG;
	for (char *p = path + 1; *p; p++) {
		if (*p != '/')
			continue;
		*p = 0;
		if (mkdir(path, 0755) && errno != EEXIST)
			return -errno;
		*p = '/';
	}
	if (mkdir(path, 0755) && errno != EEXIST)
		return -errno;
	return 0;
}

uint64_t cli_raise_fd_limit(uint64_t want)
{
	struct rlimit rl;
	if (getrlimit(RLIMIT_NOFILE, &rl))
		return 0;
	if (rl.rlim_cur >= want)
		return rl.rlim_cur;
	if (rl.rlim_max < want) { /* root may raise the hard limit up to fs.nr_open */
		struct rlimit more = { want, want };
		FILE *f = fopen("/proc/sys/fs/nr_open", "r");
		unsigned long long nr_open;
		if (f && fscanf(f, "%llu", &nr_open) == 1 && nr_open < want)
			more.rlim_cur = more.rlim_max = nr_open;
		if (f)
			fclose(f);
		if (more.rlim_max > rl.rlim_max && setrlimit(RLIMIT_NOFILE, &more) == 0)
			return more.rlim_cur;
	}
	rl.rlim_cur = rl.rlim_max < want ? rl.rlim_max : want;
	setrlimit(RLIMIT_NOFILE, &rl);
	getrlimit(RLIMIT_NOFILE, &rl);
	return rl.rlim_cur;
}

void cli_join_args(char *out, size_t cap, int argc, char **argv)
{
	struct tl_sb b = tl_sb_init(out, cap);
	TL_SB_LIT(&b, "trunkload");
	for (int i = 0; i < argc; i++) {
		TL_SB_LIT(&b, " ");
		tl_sb_cstr(&b, argv[i]);
	}
	tl_sb_mark_cut(&b);
}

int cli_next_option(int argc, char **argv, const struct option *opts, const char *cmd)
{
	int idx = -1;
	int opt = getopt_long(argc, argv, ":", opts, &idx);
	/* "--rate --calls 3" would take "--calls" as the rate: say what happened */
	if (opt > 0 && opt != '?' && opt != ':' && optarg && idx >= 0 && !strncmp(optarg, "--", 2) &&
	    optarg[2] && opts[idx].has_arg == required_argument) {
		cli_usage_error(cmd, "--%s needs a value (it was followed by the option %s)",
				opts[idx].name, optarg);
		return '!';
	}
	return opt;
}

bool cli_pause(double s)
{
	sigset_t set, old;
	sigemptyset(&set);
	sigaddset(&set, SIGINT);
	sigaddset(&set, SIGTERM);
	pthread_sigmask(SIG_BLOCK, &set, &old);
	struct timespec ts = { (time_t)s, (long)((s - (double)(time_t)s) * 1e9) };
	int sig = s > 0 ? sigtimedwait(&set, NULL, &ts) : -1;
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	return sig < 0;
}

int cli_trace_option(const char *cmd, const char *arg, struct trace_plan *t)
{
	uint64_t n = 10;
	const char *colon = strchr(arg, ':');
	size_t word = colon ? (size_t)(colon - arg) : strlen(arg);
	bool all = word == 3 && !strncmp(arg, "all", 3);
	if ((!all && (word != 6 || strncmp(arg, "failed", 6))) || (all && !colon) ||
	    (colon && cli_u64(colon + 1, 1, 1000000, &n)))
		return cli_usage_error(cmd, "--trace: expected failed, failed:N or all:N (N 1-1000000), "
					    "got \"%s\"", arg);
	t->mode = all ? TRACE_ALL : TRACE_FAILED;
	t->n = (unsigned)n;
	return 0;
}

int cli_trace_mem_option(const char *cmd, const char *arg, struct trace_plan *t)
{
	uint64_t mib;
	if (cli_u64(arg, 1, 65536, &mib))
		return cli_usage_error(cmd, "--trace-mem: expected MiB 1-65536, got \"%s\"", arg);
	t->mem = (size_t)mib << 20;
	return 0;
}
