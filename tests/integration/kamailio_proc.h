/* Kamailio (Debian kamailio, kamailio-tls-modules) under an integration test: found,
 * started in the foreground, stopped with every worker it forked.
 *
 * Kamailio forks its workers from the main process and they outlive it; it is started
 * through setsid so that they share one process group, which kamailio_stop() kills and
 * checks, and a watchdog kills if the test program dies first. */
#ifndef TL_KAMAILIO_PROC_H
#define TL_KAMAILIO_PROC_H
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

struct kamailio {
	pid_t pid;      /* the main process, our child; 0 once reaped */
	pid_t pgid;     /* its process group (setsid): the workers too */
	pid_t watchdog; /* kills the group if we die first */
	char log[600];  /* its stderr: <dir>/kamailio.log */
};

/* The kamailio binary: in PATH, or in an sbin directory a plain user's PATH lacks;
 * NULL when not installed. */
const char *kamailio_binary(void);

/* The first Kamailio module directory that holds <name>.so for each of the n modules,
 * in out; false if none does (the tls module is a package of its own). */
bool kamailio_module_dir(const char *const *modules, size_t n, char *out, size_t cap);

/* Starts `kamailio -DD -E -f cfg` in its own process group, working directory dir
 * (its pid file and log go there), and waits up to timeout_ms until each of the
 * n_ports TCP/TLS ports listens on 127.0.0.1. 0 when running, or -1 after saying why
 * on stderr, with nothing of it left running. */
int kamailio_start(struct kamailio *k, const char *binary, const char *dir, const char *cfg,
		   const uint16_t *ports, size_t n_ports, int timeout_ms);

/* Stops Kamailio and every worker it forked (SIGTERM, then SIGKILL), each wait at most
 * timeout_ms. Returns the number of processes that survived SIGKILL (0 expected).
 * Safe on a kamailio never started. */
int kamailio_stop(struct kamailio *k, int timeout_ms);

#endif
