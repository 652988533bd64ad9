/* bench/hiccup: how long this machine keeps a thread that wants to run from running.
 *
 * hiccup SECONDS
 * One thread per CPU this process may run on, pinned to it, real-time priority
 * (SCHED_FIFO; needs root or CAP_SYS_NICE, else its lines say realtime=0), wakes
 * every millisecond at an absolute deadline and records how late it woke. A real-time
 * thread preempts every ordinary one at once, so what it still waits is time the CPU was
 * not the guest's to give (the host ran something else) or that the kernel kept for
 * itself (interrupts, softirqs). Prints, per CPU and over all: wakeups, how many were
 * later than 1, 5 and 20 ms, the worst and when it came (seconds from start). Ends after
 * SECONDS or at SIGTERM/SIGINT, and prints what it saw either way. */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>
#include <unistd.h>

#define PERIOD_NS 1000000LL
#define MAX_CPUS 256
#define MAX_SECONDS (7 * 24 * 3600.0)

static volatile sig_atomic_t stop;

static void on_stop(int sig)
{
	(void)sig;
	stop = 1;
}

struct probe {
	int cpu;
	int64_t end_ns;
	int64_t start_ns;
	long wakeups, over_1ms, over_5ms, over_20ms;
	int64_t worst_ns, worst_at_ns;
	int pinned, realtime;
};

static int64_t now_ns(void)
{
	struct timespec t;
	clock_gettime(CLOCK_MONOTONIC, &t);
	return (int64_t)t.tv_sec * 1000000000LL + t.tv_nsec;
}

static void *run_probe(void *arg)
{
	struct probe *p = arg;
	cpu_set_t set;
	CPU_ZERO(&set);
	CPU_SET(p->cpu, &set);
	p->pinned = pthread_setaffinity_np(pthread_self(), sizeof set, &set) == 0;
	struct sched_param sp = { .sched_priority = 50 };
	p->realtime = pthread_setschedparam(pthread_self(), SCHED_FIFO, &sp) == 0;

	int64_t due = now_ns() + PERIOD_NS;
	while (due < p->end_ns && !stop) {
		struct timespec t = { .tv_sec = due / 1000000000LL, .tv_nsec = due % 1000000000LL };
		clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &t, NULL);
		int64_t late = now_ns() - due;
		p->wakeups++;
		p->over_1ms += late > 1000000LL;
		p->over_5ms += late > 5000000LL;
		p->over_20ms += late > 20000000LL;
		if (late > p->worst_ns) {
			p->worst_ns = late;
			p->worst_at_ns = due - p->start_ns;
		}
		due += PERIOD_NS;
		if (due < now_ns()) /* a long stall: count it once, not once per missed tick */
			due = now_ns() + PERIOD_NS;
	}
	return NULL;
}

/* key=value, one probe per line, so a script reads fields by name (as ceiling prints) */
static void print_probe(const char *name, const struct probe *p)
{
	printf("%-4s wakeups=%ld late_1ms=%ld late_5ms=%ld late_20ms=%ld worst_ms=%.2f worst_at_s=%.2f"
	       " realtime=%d pinned=%d\n",
	       name, p->wakeups, p->over_1ms, p->over_5ms, p->over_20ms, (double)p->worst_ns / 1e6,
	       (double)p->worst_at_ns / 1e9, p->realtime ? 1 : 0, p->pinned ? 1 : 0);
}

int main(int argc, char **argv)
{
	char *end = NULL;
	double secs = argc > 1 ? strtod(argv[1], &end) : 0;
	if (argc != 2 || !end || *end || !(secs > 0 && secs <= MAX_SECONDS)) {
		fprintf(stderr, "usage: hiccup SECONDS (more than 0, at most a week)\n");
		return 2;
	}
	cpu_set_t allowed;
	if (sched_getaffinity(0, sizeof allowed, &allowed) != 0) {
		perror("hiccup: sched_getaffinity");
		return 1;
	}
	struct sigaction sa = { .sa_handler = on_stop };
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);

	static struct probe probes[MAX_CPUS];
	pthread_t threads[MAX_CPUS];
	int n = 0;
	int64_t start = now_ns();
	for (int cpu = 0; cpu < CPU_SETSIZE && n < MAX_CPUS; cpu++) {
		if (!CPU_ISSET(cpu, &allowed))
			continue;
		probes[n] = (struct probe){ .cpu = cpu, .start_ns = start,
					    .end_ns = start + (int64_t)(secs * 1e9) };
		if (pthread_create(&threads[n], NULL, run_probe, &probes[n]) != 0) {
			fprintf(stderr, "hiccup: cannot start a thread for CPU %d\n", cpu);
			return 1;
		}
		n++;
	}
	if (n == MAX_CPUS && CPU_COUNT(&allowed) > MAX_CPUS)
		fprintf(stderr, "hiccup: measuring the first %d of %d CPUs\n", MAX_CPUS, CPU_COUNT(&allowed));
	struct probe all = { .pinned = 1, .realtime = 1 };
	for (int i = 0; i < n; i++) {
		pthread_join(threads[i], NULL);
		char name[16];
		snprintf(name, sizeof name, "cpu%d", probes[i].cpu);
		print_probe(name, &probes[i]);
		all.wakeups += probes[i].wakeups;
		all.over_1ms += probes[i].over_1ms;
		all.over_5ms += probes[i].over_5ms;
		all.over_20ms += probes[i].over_20ms;
		all.pinned &= probes[i].pinned;
		all.realtime &= probes[i].realtime;
		if (probes[i].worst_ns > all.worst_ns) {
			all.worst_ns = probes[i].worst_ns;
			all.worst_at_ns = probes[i].worst_at_ns;
		}
	}
	print_probe("all", &all);
	return 0;
}
