#include "proc.h"
#include <CUnit/CUnit.h>
#include <arpa/inet.h>
#include <cjson/cJSON.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define MAX_CHILDREN 16
#define POLL_MS 10

/* The one piece of process-wide state: what to clean up at exit, which a failed
 * CU_ASSERT_FATAL (a longjmp) would otherwise leak. */
static struct {
	pid_t pid[MAX_CHILDREN];
	int stdin_fd[MAX_CHILDREN]; /* our end of a kept-open stdin pipe, or -1 */
	char tmpdir[256];
	bool atexit_set;
} reg;

static void at_exit(void);

static void ensure_atexit(void)
{
	if (!reg.atexit_set) {
		reg.atexit_set = true;
		atexit(at_exit);
	}
}

static double now_s(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

void proc_nap_ms(int ms)
{
	struct timespec ts = { .tv_sec = ms / 1000, .tv_nsec = (long)(ms % 1000) * 1000000L };
	nanosleep(&ts, NULL);
}

void args_add(struct proc_args *a, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	size_t room = sizeof(a->buf) - a->used;
	int n = vsnprintf(a->buf + a->used, room, fmt, ap);
	va_end(ap);
	if (n < 0 || (size_t)n >= room || a->n + 1 >= (int)(sizeof(a->v) / sizeof(a->v[0]))) {
		fprintf(stderr, "args_add: argv too long\n");
		abort();
	}
	a->v[a->n++] = a->buf + a->used;
	a->v[a->n] = NULL;
	a->used += (size_t)n + 1;
}

void args_add_list(struct proc_args *a, const char *const *list)
{
	for (size_t i = 0; list && list[i]; i++)
		args_add(a, "%s", list[i]);
}

bool proc_have(const char *name)
{
	if (strchr(name, '/'))
		return access(name, X_OK) == 0;
	const char *path = getenv("PATH");
	if (!path)
		path = "/usr/local/bin:/usr/bin:/bin";
	char cand[4096];
	for (const char *p = path; *p;) {
		const char *end = strchr(p, ':');
		size_t len = end ? (size_t)(end - p) : strlen(p);
		snprintf(cand, sizeof(cand), "%.*s/%s", (int)len, len ? p : ".", name);
		if (access(cand, X_OK) == 0)
			return true;
		p += len + (end ? 1 : 0);
	}
	return false;
}

static int slot_of(pid_t pid)
{
	for (int i = 0; i < MAX_CHILDREN; i++)
		if (reg.pid[i] == pid)
			return i;
	return -1;
}

static void forget(pid_t pid)
{
	int i = slot_of(pid);
	if (i < 0)
		return;
	if (reg.stdin_fd[i] >= 0)
		close(reg.stdin_fd[i]);
	reg.pid[i] = 0;
	reg.stdin_fd[i] = -1;
}

static int decode(int st)
{
	if (WIFEXITED(st))
		return WEXITSTATUS(st);
	if (WIFSIGNALED(st))
		return PROC_SIGNALED + WTERMSIG(st);
	return -EIO;
}

bool proc_shared_media(void)
{
	const char *v = getenv("TL_TEST_SHARED_MEDIA");
	return v && !strcmp(v, "1");
}

/* proc_shared_media: every trunkload run and uas gets --shared-media-ports. For the
 * child, after fork: argv, or a copy with it. */
static char *const *shared_media_argv(char *const argv[])
{
	static char *more[256];
	if (!proc_shared_media() || strcmp(argv[0], TL_BINARY) || !argv[1] ||
	    (strcmp(argv[1], "run") && strcmp(argv[1], "uas")))
		return argv;
	size_t n = 0;
	while (argv[n] && n < 254) {
		more[n] = argv[n];
		n++;
	}
	more[n++] = "--shared-media-ports";
	more[n] = NULL;
	return more;
}

/* proc_spawn with stderr to its own file (err NULL: with stdout). */
static pid_t spawn_io(char *const argv[], const char *log, const char *err, bool keep_stdin)
{
	ensure_atexit();
	int slot = slot_of(0);
	if (slot < 0)
		return -EMFILE;
	int out = open(log ? log : "/dev/null", O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	if (out < 0)
		return -errno;
	int errfd = err ? open(err, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644)
			: fcntl(out, F_DUPFD_CLOEXEC, 0);
	if (errfd < 0) {
		int e = errno;
		close(out);
		return -e;
	}
	int in[2] = { -1, -1 };
	if (keep_stdin) {
		if (pipe2(in, O_CLOEXEC))
			in[0] = in[1] = -1;
	} else
		in[0] = open("/dev/null", O_RDONLY | O_CLOEXEC);
	if (in[0] < 0) {
		int e = errno;
		close(out);
		close(errfd);
		return -e;
	}
	pid_t parent = getpid();
	pid_t pid = fork();
	if (pid == 0) {
		/* the child dies with the test program, whatever kills it */
		prctl(PR_SET_PDEATHSIG, SIGKILL);
		if (getppid() != parent)
			_exit(127);
		dup2(in[0], 0);
		dup2(out, 1);
		dup2(errfd, 2);
		execvp(argv[0], shared_media_argv(argv));
		dprintf(2, "exec %s: %s\n", argv[0], strerror(errno));
		_exit(127);
	}
	int e = errno;
	close(out);
	close(errfd);
	close(in[0]);
	if (pid < 0) {
		if (in[1] >= 0)
			close(in[1]);
		return -e;
	}
	reg.pid[slot] = pid;
	reg.stdin_fd[slot] = in[1];
	return pid;
}

pid_t proc_spawn(char *const argv[], const char *log, bool keep_stdin)
{
	return spawn_io(argv, log, NULL, keep_stdin);
}

/* waitpid without blocking: the status, or -EAGAIN while it runs. */
static int reap(pid_t pid)
{
	int st;
	pid_t r = waitpid(pid, &st, WNOHANG);
	if (r == 0)
		return -EAGAIN;
	forget(pid);
	return r == pid ? decode(st) : -ECHILD;
}

int proc_wait(pid_t pid, int timeout_ms)
{
	double deadline = now_s() + timeout_ms / 1000.0;
	for (;;) {
		int rc = reap(pid);
		if (rc != -EAGAIN)
			return rc;
		if (now_s() >= deadline)
			return -ETIMEDOUT;
		proc_nap_ms(POLL_MS);
	}
}

int proc_stop(pid_t pid, int sig, int timeout_ms)
{
	if (pid <= 0)
		return -ECHILD;
	kill(pid, sig);
	int rc = proc_wait(pid, timeout_ms);
	if (rc != -ETIMEDOUT)
		return rc;
	kill(pid, SIGKILL);
	/* SIGKILL cannot be ignored; the bound only guards against a stuck kernel */
	rc = proc_wait(pid, 5000);
	forget(pid);
	return rc;
}

int proc_run(char *const argv[], const char *out_file, const char *err_file, int timeout_ms,
	     double *seconds)
{
	double t0 = now_s();
	pid_t pid = spawn_io(argv, out_file, err_file, false);
	if (pid < 0)
		return pid;
	int rc = proc_wait(pid, timeout_ms);
	if (rc == -ETIMEDOUT)
		proc_stop(pid, SIGKILL, 2000);
	if (seconds)
		*seconds = now_s() - t0;
	return rc;
}

void proc_cleanup_all(void)
{
	for (int i = 0; i < MAX_CHILDREN; i++)
		if (reg.pid[i] > 0)
			proc_stop(reg.pid[i], SIGTERM, 2000);
}

/* True when /proc/net/tcp (tcp6) lists a LISTEN socket on ip:port or *:port of ip's
 * family. */
static bool listening(const char *ip, uint16_t port)
{
	unsigned char bytes[16];
	bool v6 = strchr(ip, ':') != NULL;
	if (inet_pton(v6 ? AF_INET6 : AF_INET, ip, bytes) != 1)
		return false;
	FILE *f = fopen(v6 ? "/proc/net/tcp6" : "/proc/net/tcp", "r");
	if (!f)
		return false;
	/* the kernel prints the address as raw big-endian words in host order */
	char want[40] = "";
	for (unsigned w = 0; w < (v6 ? 4u : 1u); w++) {
		uint32_t word;
		memcpy(&word, bytes + 4 * w, 4);
		snprintf(want + 8 * w, sizeof(want) - 8 * w, "%08X", word);
	}
	const char *any = v6 ? "00000000000000000000000000000000" : "00000000";
	char line[512];
	bool found = false;
	while (!found && fgets(line, sizeof(line), f)) {
		char addr[40];
		unsigned lport, state;
		if (sscanf(line, " %*d: %39[0-9A-F]:%4X %*[0-9A-F]:%*4X %2X", addr, &lport, &state) == 3)
			found = lport == port && state == 0x0A && (!strcmp(addr, want) || !strcmp(addr, any));
	}
	fclose(f);
	return found;
}

int proc_wait_listen(pid_t pid, const char *ip, uint16_t port, int timeout_ms)
{
	double deadline = now_s() + timeout_ms / 1000.0;
	for (;;) {
		if (listening(ip, port))
			return 0;
		if (reap(pid) != -EAGAIN)
			return -ECHILD;
		if (now_s() >= deadline)
			return -ETIMEDOUT;
		proc_nap_ms(20);
	}
}

int proc_wait_port(pid_t pid, uint16_t port, int timeout_ms)
{
	return proc_wait_listen(pid, proc_lo_ip(), port, timeout_ms);
}

/* utime + stime of /proc/PID/stat, in seconds (clock ticks). */
static double stat_cpu_seconds(pid_t pid)
{
	char path[64], buf[1024];
	snprintf(path, sizeof(path), "/proc/%d/stat", (int)pid);
	FILE *f = fopen(path, "r");
	size_t n = f ? fread(buf, 1, sizeof(buf) - 1, f) : 0;
	if (f)
		fclose(f);
	buf[n] = 0;
	const char *p = strrchr(buf, ')'); /* the command name may hold spaces */
	unsigned long long ut, st;
	if (!p || sscanf(p + 1, " %*c %*d %*d %*d %*d %*d %*u %*u %*u %*u %*u %llu %llu", &ut, &st) != 2)
		return -1;
	return (double)(ut + st) / (double)sysconf(_SC_CLK_TCK);
}

double proc_cpu_seconds(pid_t pid)
{
	char path[64];
	snprintf(path, sizeof(path), "/proc/%d/task", (int)pid);
	DIR *d = opendir(path);
	if (!d)
		return -1;
	unsigned long long ns = 0;
	bool all = true;
	struct dirent *e;
	while ((e = readdir(d))) {
		if (e->d_name[0] == '.')
			continue;
		char file[320];
		snprintf(file, sizeof(file), "/proc/%d/task/%s/schedstat", (int)pid, e->d_name);
		FILE *f = fopen(file, "r");
		unsigned long long t = 0;
		if (f && fscanf(f, "%llu", &t) == 1)
			ns += t;
		else
			all = false;
		if (f)
			fclose(f);
	}
	closedir(d);
	return all ? (double)ns / 1e9 : stat_cpu_seconds(pid);
}

long proc_rss_kib(pid_t pid)
{
	char path[64], line[256];
	snprintf(path, sizeof(path), "/proc/%d/status", (int)pid);
	FILE *f = fopen(path, "r");
	long kib = -1;
	while (f && kib < 0 && fgets(line, sizeof(line), f))
		if (sscanf(line, "VmRSS: %ld", &kib) != 1)
			kib = -1;
	if (f)
		fclose(f);
	return kib;
}

/* Listening ports come from below the kernel's ephemeral range (32768-60999), where no
 * outgoing connection takes one between our check and the listener's bind, and each
 * program starts at its own place in that span (tests run side by side). Ports handed
 * out are FREE_PORT_STEP apart: a peer that also takes the port above its own (baresip:
 * TLS on SIP's next) finds it free. */
enum { FREE_PORT_LO = 10000, FREE_PORT_SPAN = 20000, FREE_PORT_STEP = 7 };

uint16_t proc_free_port(void)
{
	static unsigned next;
	if (!next)
		next = (unsigned)getpid() * 7919u;
	for (int tries = 0; tries < 200; tries++) {
		uint16_t port = (uint16_t)(FREE_PORT_LO + next % FREE_PORT_SPAN);
		next += FREE_PORT_STEP;
		if (proc_can_bind(port, SOCK_STREAM) && proc_can_bind(port, SOCK_DGRAM))
			return port;
	}
	return 0;
}

bool proc_free_ports(uint16_t *ports, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		int tries = 0;
		bool dup;
		do {
			ports[i] = proc_free_port();
			dup = ports[i] == 0;
			for (size_t j = 0; j < i; j++)
				dup = dup || ports[j] == ports[i];
		} while (dup && ++tries < 20);
		if (dup)
			return false;
	}
	return true;
}

bool proc_ipv6(void)
{
	const char *v = getenv("TL_TEST_IPV6");
	return v && !strcmp(v, "1");
}

const char *proc_lo_host(void)
{
	return proc_ipv6() ? "[::1]" : "127.0.0.1";
}

const char *proc_lo_ip(void)
{
	return proc_ipv6() ? "::1" : "127.0.0.1";
}

socklen_t proc_lo_addr(uint16_t port, struct sockaddr_storage *out)
{
	memset(out, 0, sizeof(*out));
	if (proc_ipv6()) {
		struct sockaddr_in6 *a = (struct sockaddr_in6 *)out;
		*a = (struct sockaddr_in6){ .sin6_family = AF_INET6, .sin6_port = htons(port),
					    .sin6_addr = IN6ADDR_LOOPBACK_INIT };
		return sizeof(*a);
	}
	struct sockaddr_in *a = (struct sockaddr_in *)out;
	*a = (struct sockaddr_in){ .sin_family = AF_INET, .sin_port = htons(port),
				   .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
	return sizeof(*a);
}

bool proc_can_bind(uint16_t port, int type)
{
	bool v6 = proc_ipv6();
	int fd = socket(v6 ? AF_INET6 : AF_INET, type | SOCK_CLOEXEC, 0);
	struct sockaddr_in a = { .sin_family = AF_INET, .sin_port = htons(port),
				 .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
	struct sockaddr_in6 a6 = { .sin6_family = AF_INET6, .sin6_port = htons(port),
				   .sin6_addr = IN6ADDR_LOOPBACK_INIT };
	bool ok = fd >= 0 && (v6 ? bind(fd, (struct sockaddr *)&a6, sizeof(a6)) :
				   bind(fd, (struct sockaddr *)&a, sizeof(a))) == 0;
	if (fd >= 0)
		close(fd);
	return ok;
}

static int rm_one(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	(void)st;
	(void)flag;
	(void)ftw;
	remove(path);
	return 0;
}

static void at_exit(void)
{
	proc_cleanup_all();
	if (reg.tmpdir[0])
		nftw(reg.tmpdir, rm_one, 16, FTW_DEPTH | FTW_PHYS);
}

const char *proc_tmpdir(void)
{
	if (reg.tmpdir[0])
		return reg.tmpdir;
	ensure_atexit();
	const char *base = getenv("TMPDIR");
	char tmpl[sizeof(reg.tmpdir)];
	snprintf(tmpl, sizeof(tmpl), "%s/trunkload-it-XXXXXX", base && *base ? base : "/tmp");
	if (!mkdtemp(tmpl))
		return NULL;
	snprintf(reg.tmpdir, sizeof(reg.tmpdir), "%s", tmpl);
	return reg.tmpdir;
}

char *proc_path(char *out, size_t cap, const char *name)
{
	const char *dir = proc_tmpdir();
	snprintf(out, cap, "%s/%s", dir ? dir : "/nonexistent", name);
	return out;
}

char *proc_read_file(const char *path)
{
	FILE *f = fopen(path, "rb");
	if (!f)
		return NULL;
	size_t cap = 4096, len = 0;
	char *s = malloc(cap);
	while (s) {
		len += fread(s + len, 1, cap - len - 1, f);
		if (len < cap - 1)
			break;
		char *bigger = realloc(s, cap * 2);
		if (!bigger) {
			free(s);
			s = NULL;
			break;
		}
		s = bigger;
		cap *= 2;
	}
	bool bad = ferror(f);
	fclose(f);
	if (!s || bad) {
		free(s);
		return NULL;
	}
	s[len] = 0;
	return s;
}

void proc_show_log(const char *title, const char *path, size_t max)
{
	char *s = proc_read_file(path);
	size_t n = s ? strlen(s) : 0;
	fprintf(stderr, "\n----- %s (%s)%s -----\n%s\n----- end -----\n", title, path,
		n > max ? ", its end" : "", s ? s + (n > max ? n - max : 0) : "(cannot read)");
	free(s);
}

cJSON *proc_load_json(const char *file)
{
	char *text = proc_read_file(file);
	cJSON *root = text ? cJSON_Parse(text) : NULL;
	free(text);
	return root;
}

static const cJSON *at_path(const cJSON *root, const char *dotted)
{
	char key[128];
	const cJSON *cur = root;
	for (const char *p = dotted; cur && *p;) {
		const char *dot = strchr(p, '.');
		size_t len = dot ? (size_t)(dot - p) : strlen(p);
		snprintf(key, sizeof(key), "%.*s", (int)len, p);
		if (cJSON_IsArray(cur) && len && strspn(key, "0123456789") == len)
			cur = cJSON_GetArrayItem(cur, atoi(key));
		else
			cur = cJSON_GetObjectItemCaseSensitive(cur, key);
		p += len + (dot ? 1 : 0);
	}
	return cur;
}

int proc_json_number(const char *file, const char *dotted, double *out)
{
	cJSON *root = proc_load_json(file);
	const cJSON *v = at_path(root, dotted);
	int rc = cJSON_IsNumber(v) ? 0 : -ENOENT;
	if (!rc)
		*out = v->valuedouble;
	cJSON_Delete(root);
	return rc;
}

double proc_json_value(const char *file, const char *dotted)
{
	double v = -1;
	return proc_json_number(file, dotted, &v) ? -1 : v;
}

int proc_write_file(const char *path, const char *text)
{
	FILE *f = fopen(path, "w");
	if (!f)
		return -errno;
	bool ok = fputs(text, f) >= 0;
	if (fclose(f))
		ok = false;
	return ok ? 0 : -EIO;
}

int proc_report_check(const char *file, const char *name, char *status, size_t status_cap,
		      char *observed, size_t observed_cap)
{
	cJSON *root = proc_load_json(file);
	const cJSON *c;
	int rc = -ENOENT;
	cJSON_ArrayForEach(c, cJSON_GetObjectItemCaseSensitive(root, "checks"))
	{
		const char *n = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(c, "name"));
		if (!n || strcmp(n, name))
			continue;
		const char *st = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(c, "status"));
		const char *obs = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(c, "observed"));
		snprintf(status, status_cap, "%s", st ? st : "");
		snprintf(observed, observed_cap, "%s", obs ? obs : "");
		rc = 0;
		break;
	}
	cJSON_Delete(root);
	return rc;
}

void proc_show_failed_checks(const char *file)
{
	cJSON *root = proc_load_json(file);
	const cJSON *c;
	cJSON_ArrayForEach(c, cJSON_GetObjectItemCaseSensitive(root, "checks"))
	{
		const char *st = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(c, "status"));
		if (st && !strcmp(st, "pass"))
			continue;
		const char *n = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(c, "name"));
		const char *e = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(c, "expected"));
		const char *o = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(c, "observed"));
		fprintf(stderr, "%s: %s %s: expected %s, observed %s\n", file, st ? st : "?", n ? n : "?",
			e ? e : "?", o ? o : "?");
	}
	cJSON_Delete(root);
}

int proc_failed_checks(const char *file, const char *except)
{
	cJSON *root = proc_load_json(file);
	const cJSON *checks = cJSON_GetObjectItemCaseSensitive(root, "checks"), *c;
	int n = cJSON_IsArray(checks) ? 0 : -1;
	cJSON_ArrayForEach(c, checks)
	{
		const char *st = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(c, "status"));
		const char *name = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(c, "name"));
		n += st && !strcmp(st, "fail") && !(except && name && !strcmp(name, except));
	}
	cJSON_Delete(root);
	return n;
}

void proc_check(bool ok, const char *file, unsigned line, const char *fmt, ...)
{
	char msg[1024];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	/* said at once too, beside the logs a failing case shows (CUnit's list comes last) */
	if (!ok)
		fprintf(stderr, "CHECK FAILED %s:%u: %s\n", file, line, msg);
	CU_assertImplementation(ok ? CU_TRUE : CU_FALSE, line, msg, file, "", CU_FALSE);
}

/* The value at a path, as text for a failure message. */
static void show(const cJSON *v, char *out, size_t cap)
{
	char *s = v ? cJSON_PrintUnformatted(v) : NULL;
	snprintf(out, cap, "%.200s", s ? s : "(missing)");
	free(s);
}

static bool holds(const struct proc_expect *x, const cJSON *v)
{
	switch (x->op) {
	case X_EQ: return cJSON_IsNumber(v) && v->valuedouble == x->n;
	case X_GE: return cJSON_IsNumber(v) && v->valuedouble >= x->n;
	case X_LE: return cJSON_IsNumber(v) && v->valuedouble <= x->n;
	case X_STR: return cJSON_IsString(v) && !strcmp(v->valuestring, x->s);
	case X_TRUE: return cJSON_IsTrue(v);
	case X_KEY_PREFIX:
		for (const cJSON *c = cJSON_IsObject(v) ? v->child : NULL; c; c = c->next)
			if (c->string && !strncmp(c->string, x->s, strlen(x->s)))
				return true;
		return false;
	}
	return false;
}

static void describe(const struct proc_expect *x, char *out, size_t cap)
{
	switch (x->op) {
	case X_EQ: snprintf(out, cap, "== %g", x->n); break;
	case X_GE: snprintf(out, cap, ">= %g", x->n); break;
	case X_LE: snprintf(out, cap, "<= %g", x->n); break;
	case X_STR: snprintf(out, cap, "== \"%s\"", x->s); break;
	case X_TRUE: snprintf(out, cap, "== true"); break;
	case X_KEY_PREFIX: snprintf(out, cap, "has a key \"%s...\"", x->s); break;
	}
}

int proc_expect_json(const char *file, const struct proc_expect *want)
{
	cJSON *root = proc_load_json(file);
	CHECK(root != NULL, "%s: exists and is JSON", file);
	if (!root)
		return 1;
	int failed = 0;
	for (const struct proc_expect *x = want; x->path; x++) {
		const cJSON *v = at_path(root, x->path);
		bool ok = holds(x, v);
		char expect[160], seen[220];
		describe(x, expect, sizeof(expect));
		show(v, seen, sizeof(seen));
		CHECK(ok, "report %s %s (got %s)", x->path, expect, seen);
		failed += !ok;
	}
	cJSON_Delete(root);
	return failed;
}

void proc_show_json(const char *file, const char *dotted)
{
	cJSON *root = proc_load_json(file);
	char seen[220];
	show(at_path(root, dotted), seen, sizeof(seen));
	fprintf(stderr, "%s: %s = %s\n", file, dotted, root ? seen : "(no JSON file)");
	cJSON_Delete(root);
}

void args_identity(struct proc_args *a, const char *pki, const char *name)
{
	/* a chain file ("server-ica-chain", "server-ica-chain-...") holds its leaf's key */
	const char *chain = strstr(name, "-chain");
	int stem = chain ? (int)(chain - name) : (int)strlen(name);
	args_add(a, "--cert");
	args_add(a, "%s/%s.crt", pki, name);
	args_add(a, "--key");
	args_add(a, "%s/%.*s.key", pki, stem, name);
}

void args_lab_client(struct proc_args *a, const char *pki, const char *dir)
{
	args_add(a, "--ca");
	args_add(a, "%s/ca.crt", pki);
	args_identity(a, pki, "client");
	args_add(a, "--report-dir");
	args_add(a, "%s", dir);
}

pid_t lab_uas(const char *pki, const char *cert, const char *const *extra, const char *log,
	      uint16_t *port)
{
	*port = proc_free_port();
	if (!*port)
		return -EADDRNOTAVAIL;
	struct proc_args a = { 0 };
	args_add(&a, "%s", TL_BINARY);
	args_add(&a, "uas");
	args_add(&a, "--listen");
	args_add(&a, "%s:%u", proc_lo_host(), *port);
	args_add(&a, "--threads");
	args_add(&a, "1");
	args_identity(&a, pki, cert);
	args_add(&a, "--ca");
	args_add(&a, "%s/ca.crt", pki);
	args_add_list(&a, extra);
	pid_t pid = proc_spawn(a.v, log, false);
	if (pid < 0)
		return pid;
	int rc = proc_wait_port(pid, *port, 10000);
	if (rc) {
		proc_show_log("trunkload uas", log, 2000);
		return rc;
	}
	return pid;
}

/* The start of field i of a ';'-separated line, or NULL. SIPp writes empty fields,
 * which strtok would merge, so this counts separators itself. */
static const char *csv_field(const char *line, long i)
{
	for (; line && i > 0; i--) {
		line = strpbrk(line, ";\n");
		line = line && *line == ';' ? line + 1 : NULL;
	}
	return line;
}

long proc_sipp_stat(const char *csv, const char *column)
{
	char *text = proc_read_file(csv);
	if (!text)
		return -1;
	const char *last = NULL;
	for (char *nl = strchr(text, '\n'); nl && nl[1]; nl = strchr(nl + 1, '\n'))
		last = nl + 1;
	long value = -1;
	size_t len = strlen(column);
	for (long i = 0; last; i++) {
		const char *f = csv_field(text, i);
		if (!f || *f == '\n')
			break;
		if (!strncmp(f, column, len) && (f[len] == ';' || f[len] == '\n')) {
			const char *v = csv_field(last, i);
			char *end;
			value = v ? strtol(v, &end, 10) : -1;
			if (!v || end == v || (*end != ';' && *end != '\n' && *end))
				value = -1;
			break;
		}
	}
	free(text);
	return value;
}

int proc_template(const char *tmpl, const char *out, const struct proc_var *vars)
{
	char *text = proc_read_file(tmpl);
	if (!text)
		return -ENOENT;
	FILE *f = fopen(out, "w");
	int rc = f ? 0 : -errno;
	for (const char *p = text; f && *p;) {
		const struct proc_var *v = vars;
		for (; *p == '@' && v->name; v++) {
			size_t len = strlen(v->name);
			if (!strncmp(p + 1, v->name, len) && p[len + 1] == '@')
				break;
		}
		if (*p == '@' && v->name) {
			fputs(v->value, f);
			p += strlen(v->name) + 2;
		} else {
			fputc(*p++, f);
		}
	}
	if (f && fclose(f))
		rc = -errno;
	free(text);
	return rc;
}

int lab_pki(const char *name, char *dir, size_t cap)
{
	char out[600];
	if (!proc_tmpdir())
		return -1;
	proc_path(dir, cap, name);
	snprintf(out, sizeof(out), "%s.out", dir);
	char *argv[] = { (char *)TL_BINARY, (char *)"pki", dir, NULL };
	int rc = proc_run(argv, out, NULL, 60000, NULL);
	if (rc) {
		fprintf(stderr, "trunkload pki %s exited %d\n", dir, rc);
		proc_show_log("trunkload pki", out, 2000);
		return -1;
	}
	return 0;
}

int proc_tshark_count(const char *file, const char *filter)
{
	char out[600], err[600];
	proc_path(out, sizeof(out), "tshark-count.out");
	proc_path(err, sizeof(err), "tshark-count.err");
	struct proc_args a = { 0 };
	args_add_list(&a, (const char *const[]){ "tshark", "-n", "-r", file, NULL });
	if (filter)
		args_add_list(&a, (const char *const[]){ "-Y", filter, NULL });
	if (proc_run(a.v, out, err, 60000, NULL)) {
		proc_show_log("tshark", err, 2000);
		return -1;
	}
	char *text = proc_read_file(out);
	int n = 0;
	for (const char *p = text; p && *p; p++)
		n += *p == '\n';
	free(text);
	return n;
}

double proc_num(const cJSON *o, const char *key)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, key);
	return cJSON_IsNumber(v) ? v->valuedouble : -1;
}

const char *proc_str(const cJSON *o, const char *key)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, key);
	return cJSON_IsString(v) ? v->valuestring : "";
}

int args_sipp_loopback(struct proc_args *a, uint16_t sip_port)
{
	uint16_t media = proc_free_port(), ctrl = proc_free_port();
	if (!media || !ctrl)
		return -EADDRNOTAVAIL;
	args_add_list(a, (const char *const[]){ "-t", "t1", "-i", "127.0.0.1", "-bind_local", "-mi", "127.0.0.1",
						"-ci", "127.0.0.1", NULL });
	args_add(a, "-p");
	args_add(a, "%u", sip_port);
	args_add(a, "-mp");
	args_add(a, "%u", media);
	args_add(a, "-cp");
	args_add(a, "%u", ctrl);
	return 0;
}
