/* Integration-test helpers: child processes on loopback with bounded waits, a scratch
 * directory, and checks on a finished report.json.
 *
 * Every child started here is registered; proc_cleanup_all() stops them all (SIGTERM,
 * bounded wait, SIGKILL) and runs at exit as well. A failed CU_ASSERT_FATAL jumps out
 * of a case without reaching its own clean-up, so each case starts with
 * proc_cleanup_all() too. Children also get SIGKILL if the test program dies. */
#ifndef TL_PROC_H
#define TL_PROC_H
#include <stdbool.h>
#include <sys/socket.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

/* Status values returned by proc_run / proc_wait / proc_stop besides 0-255. */
#define PROC_SIGNALED 128 /* 128 + signal number when the child died of a signal */

/* An argv built piece by piece: args_add(&a, "127.0.0.1:%u", port). */
struct proc_args {
	char *v[64];
	int n;
	char buf[8192];
	size_t used;
};

/* Appends one formatted argument; v stays NULL-terminated. Aborts the program on
 * overflow (a test bug, never a runtime condition). */
void args_add(struct proc_args *a, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Appends each string of a NULL-terminated list (list may be NULL). */
void args_add_list(struct proc_args *a, const char *const *list);

/* True when name is an executable file in PATH (or name is a path to one). */
bool proc_have(const char *name);

/* Starts argv (PATH searched) with stdout and stderr written to log (truncated).
 * stdin is /dev/null, or with keep_stdin an empty pipe held open until the child is
 * stopped (for programs that quit at end of input, such as openssl s_server).
 * Returns the pid (registered for clean-up) or -errno. */
pid_t proc_spawn(char *const argv[], const char *log, bool keep_stdin);

/* Waits until proc_lo_ip():port (or the family's any address) is in LISTEN state, polling every
 * 20 ms for at most timeout_ms; it reads /proc/net/tcp rather than connecting, so
 * the peer under test never sees a stray connection. 0 when listening, -ECHILD when
 * pid exited first (it is reaped and unregistered), -ETIMEDOUT. */
int proc_wait_port(pid_t pid, uint16_t port, int timeout_ms);
/* The same for ip:port (an address of either family, without brackets). */
int proc_wait_listen(pid_t pid, const char *ip, uint16_t port, int timeout_ms);

/* Waits up to timeout_ms for pid to exit, without signalling it. Returns its exit
 * status (0-255, or PROC_SIGNALED + signal) and unregisters it, or -ETIMEDOUT. */
int proc_wait(pid_t pid, int timeout_ms);

/* Sends sig, waits up to timeout_ms, then SIGKILL and reaps. Returns the status as
 * proc_wait does (a SIGKILLed child reports PROC_SIGNALED + SIGKILL). */
int proc_stop(pid_t pid, int sig, int timeout_ms);

/* Runs argv to completion with stdout in out_file (NULL: /dev/null) and stderr in
 * err_file (NULL: with stdout). Kills it after timeout_ms. Returns the status as
 * proc_wait does, -ETIMEDOUT when it had to be killed, or -errno when it could not
 * start. *seconds (if not NULL) gets the time it ran. */
int proc_run(char *const argv[], const char *out_file, const char *err_file, int timeout_ms,
	     double *seconds);

/* Stops every registered child (SIGTERM, 2 s, SIGKILL). Safe to call any time. */
void proc_cleanup_all(void);

/* CPU time (user + system) that pid's live threads have used so far, in seconds, to
 * the nanosecond where /proc/PID/task/TID/schedstat exists (else in clock ticks from
 * /proc/PID/stat); -1 when pid is gone. */
double proc_cpu_seconds(pid_t pid);

/* Resident memory of pid (VmRSS of /proc/PID/status) in KiB; -1 when pid is gone. */
long proc_rss_kib(pid_t pid);

/* The loopback the tests run over: 127.0.0.1, or ::1 when TL_TEST_IPV6=1 is in the
 * environment (ctest runs the trunk and media tests both ways). proc_lo_host is the
 * address as it goes before ":port" ("[::1]"), proc_lo_ip as it is ("::1"). */
bool proc_ipv6(void);
/* Whether TL_TEST_SHARED_MEDIA=1: every trunkload run and uas spawned gets
 * --shared-media-ports (ctest runs the media tests so too). */
bool proc_shared_media(void);
const char *proc_lo_host(void);
const char *proc_lo_ip(void);

/* The loopback's address with port into out; its length. */
socklen_t proc_lo_addr(uint16_t port, struct sockaddr_storage *out);

/* A port of the loopback free for TCP and UDP, below the ephemeral range (where no
 * outgoing connection takes it before the listener binds), or 0 when none was found. */
uint16_t proc_free_port(void);

/* n distinct free TCP ports in ports (two calls of proc_free_port may return the same
 * one); false when 20 tries found none for one of them. */
bool proc_free_ports(uint16_t *ports, size_t n);

/* Packets of the capture file that tshark (no key log, no settings) lists for filter
 * (-Y; NULL: all), or -1 after showing why tshark failed. */
int proc_tshark_count(const char *file, const char *filter);

/* Whether port can be bound on the loopback (proc_lo_ip) for this socket type
 * (SOCK_STREAM, SOCK_DGRAM) right now: a peer that listens on UDP too needs that half free. */
bool proc_can_bind(uint16_t port, int type);

/* Sleeps ms milliseconds: the step of a bounded poll. */
void proc_nap_ms(int ms);

/* Creates the scratch directory (mkdtemp under TMPDIR or /tmp) once; removed with
 * everything in it at exit. Returns its path, or NULL. */
const char *proc_tmpdir(void);

/* out = "<tmpdir>/<name>". Returns out. */
char *proc_path(char *out, size_t cap, const char *name);

/* The whole file as a NUL-terminated malloc'd string (caller frees), or NULL. */
char *proc_read_file(const char *path);

/* Prints the last `max` bytes of a log to stderr under a title: context for a failed
 * assertion. */
void proc_show_log(const char *title, const char *path, size_t max);

/* The number at a dotted path ("calls.completed"; a number indexes an array:
 * "calls.by_to_prefix.0.calls") in a JSON file: 0, or -ENOENT when
 * the file, the key or a number there is missing. */
int proc_json_number(const char *file, const char *dotted, double *out);
/* A JSON file parsed (the caller frees it with cJSON_Delete), NULL when it cannot be
 * read or parsed. */
struct cJSON;
struct cJSON *proc_load_json(const char *file);
/* The same number, or -1 when it is not there (the figures checked are never negative). */
double proc_json_value(const char *file, const char *dotted);
/* Member key of object o: its number (-1 when missing or not a number), its string ("" when
 * missing or not a string). */
double proc_num(const struct cJSON *o, const char *key);
const char *proc_str(const struct cJSON *o, const char *key);
/* Writes text into path (created or truncated). 0, or -errno. */
int proc_write_file(const char *path, const char *text);

/* One expectation on report.json, for tables of checks. */
enum proc_op { X_EQ, X_GE, X_LE, X_STR, X_TRUE, X_KEY_PREFIX };
struct proc_expect {
	const char *path; /* dotted; X_KEY_PREFIX: an object whose keys are searched */
	enum proc_op op;
	double n;         /* X_EQ, X_GE, X_LE */
	const char *s;    /* X_STR: the string; X_KEY_PREFIX: the key prefix */
};
#define EXPECT_EQ(p, v) { (p), X_EQ, (v), NULL }
#define EXPECT_GE(p, v) { (p), X_GE, (v), NULL }
#define EXPECT_LE(p, v) { (p), X_LE, (v), NULL }
#define EXPECT_STR(p, v) { (p), X_STR, 0, (v) }
#define EXPECT_TRUE(p) { (p), X_TRUE, 0, NULL }
#define EXPECT_KEY_PREFIX(p, v) { (p), X_KEY_PREFIX, 0, (v) }

/* Checks each expectation (until one with a NULL path) against the JSON file, one
 * CUnit assertion each, whose message names the path, the expectation and the value
 * seen. Returns the number that failed (the file missing counts as one). */
int proc_expect_json(const char *file, const struct proc_expect *want);

/* The check named name in a report.json: its status ("pass", "fail", "warn") into
 * status and its observed text into observed (both cut to fit). 0, or -ENOENT when
 * the file or the check is missing. */
int proc_report_check(const char *file, const char *name, char *status, size_t status_cap,
		      char *observed, size_t observed_cap);

/* Prints the checks of a report.json that did not pass to stderr: context for a
 * failed assertion on the verdict. */
void proc_show_failed_checks(const char *file);

/* How many checks of a report.json failed, not counting the one named except (may be
 * NULL); -1 when the file has no checks. */
int proc_failed_checks(const char *file, const char *except);

/* Prints the value at a dotted path of a JSON file to stderr ("(missing)" when it is
 * not there): context for a failed assertion, such as calls.failures. */
void proc_show_json(const char *file, const char *dotted);

/* Makes a lab PKI with `trunkload pki` (TL_BINARY) in <scratch dir>/<name> and writes
 * its path to dir. 0, or -1 after showing what trunkload said. */
int lab_pki(const char *name, char *dir, size_t cap);

/* Appends `--cert <pki>/<name>.crt --key <pki>/<name>.key`: an identity of the lab. A
 * chain file's name ("server-ica-chain") takes its leaf's key ("server-ica.key"). */
void args_identity(struct proc_args *a, const char *pki, const char *name);

/* Appends the lab's client identity, `--ca <pki>/ca.crt` and `--report-dir dir`: what
 * every run against a lab responder carries. */
void args_lab_client(struct proc_args *a, const char *pki, const char *dir);

/* Starts `trunkload uas` (TL_BINARY) on a free port of the loopback with one worker, the
 * lab's <cert>.crt/.key and ca.crt, and extra flags (may be NULL); waits until it
 * listens. Sets *port. Returns the pid, or a negative errno after showing the log. */
pid_t lab_uas(const char *pki, const char *cert, const char *const *extra, const char *log,
	      uint16_t *port);

/* Appends SIPp's transport and addresses: TCP (-t t1), its SIP port sip_port, and its
 * SIP, media and control sockets all on 127.0.0.1 (free ports for media and control;
 * the control port would otherwise be 8888 on every address). 0, or -EADDRNOTAVAIL. */
int args_sipp_loopback(struct proc_args *a, uint16_t sip_port);

/* The number in column `column` (e.g. "SuccessfulCall(C)") of the last row of a SIPp
 * statistics file (-trace_stat -stf FILE: a header row, then one row per dump), or -1
 * when the file, the column or a number there is missing. */
long proc_sipp_stat(const char *csv, const char *column);

/* A template variable: @name@ in a template becomes value. */
struct proc_var {
	const char *name; /* without the @s */
	const char *value;
};

/* Writes template tmpl to out with each @NAME@ of vars (until a NULL name) replaced.
 * 0, or -errno. */
int proc_template(const char *tmpl, const char *out, const struct proc_var *vars);

/* A CUnit assertion with a formatted message (CUnit copies the message). */
void proc_check(bool ok, const char *file, unsigned line, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));
#define CHECK(cond, ...) proc_check((cond), __FILE__, __LINE__, __VA_ARGS__)

#endif
