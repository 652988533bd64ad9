/* The trunkload command: the one place that sees both the engine and reports/. */
#ifndef TL_CLI_H
#define TL_CLI_H
#include <stdbool.h>
#include <stdint.h>
#include <stddef.h>

#define TRUNKLOAD_VERSION "0.1.0"

/* Exit statuses: a contract (DESIGN.md). */
enum {
	EXIT_PASS = 0,
	EXIT_FAIL = 1,     /* the run completed and a check failed */
	EXIT_USAGE = 2,    /* bad usage, invalid scenario, certificate or key */
	EXIT_CANNOT = 3,   /* the run could not be carried out */
};

int cmd_run(int argc, char **argv);
int cmd_uas(int argc, char **argv);
int cmd_pki(int argc, char **argv);
int cmd_check(int argc, char **argv);
int cmd_demo(int argc, char **argv);
int cmd_probe(int argc, char **argv);
int cmd_merge(int argc, char **argv);

/* The SIP-over-TLS port, taken when an address names none. */
#define CLI_SIPS_PORT 5061
/* Strict number parsing: the whole string, within [lo, hi]. 0 or -EINVAL. */
int cli_u64(const char *s, uint64_t lo, uint64_t hi, uint64_t *out);
int cli_double(const char *s, double lo, double hi, double *out);
/* Prints "trunkload CMD: message" to stderr and returns EXIT_USAGE. */
int cli_usage_error(const char *cmd, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* "LO-HI" port range, LO even, LO < HI. 0 or -EINVAL. */
int cli_port_range(const char *s, uint16_t *lo, uint16_t *hi);
/* mkdir -p: creates dir and its missing parents (0755). 0 or -errno. */
int cli_make_dir(const char *dir);
/* Warns on stderr when a private key file can be read by others than its owner. */
void cli_warn_key_mode(const char *cmd, const char *path);
/* Online cores, at least 1: the default number of workers. */
unsigned cli_default_threads(void);
/* Raises the open-files limit (soft, and the hard one where allowed) to at least
 * want; returns the soft limit now in effect, which may be lower. */
uint64_t cli_raise_fd_limit(uint64_t want);
/* "trunkload ARGS..." for the report's command line (cut with "..." when too long). */
void cli_join_args(char *out, size_t cap, int argc, char **argv);
/* getopt_long with ":" short options, and one more check: an option that takes a
 * value followed by another option ("--rate --calls 3") is reported (the message
 * printed) and returns '!'. Otherwise what getopt_long returns. */
struct option;
int cli_next_option(int argc, char **argv, const struct option *opts, const char *cmd);
/* Waits s seconds; false when SIGINT or SIGTERM came meanwhile (taken, not acted on). */
bool cli_pause(double s);
/* --trace failed[:N]|all:N and --trace-mem MiB into t (struct trace_plan). 0, or
 * EXIT_USAGE after saying what is wrong. */
struct trace_plan;
int cli_trace_option(const char *cmd, const char *arg, struct trace_plan *t);
int cli_trace_mem_option(const char *cmd, const char *arg, struct trace_plan *t);
/* A file next to the program or the source tree: the shipped scenarios. */
int cli_find_scenario(const char *name, char *out, size_t cap);

#endif
