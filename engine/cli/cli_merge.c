/* trunkload merge: shard reports into one report, judged again.
 *
 * Everything that adds up is added (report_read_json gives each report back as a
 * result, result_merge adds them), so percentiles come from the merged histogram,
 * never from averaging the shards' percentiles. */
#include "cli.h"
#include "wall_time.h"
#include "report.h"
#include "scenario.h"
#include "verdict.h"
#include <cjson/cJSON.h>
#include <errno.h>
#include <math.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

static const char merge_help[] =
	"usage: trunkload merge REPORT.json... [--report-dir DIR] [--quiet]\n"
	"\n"
	"Combines the report.json files of the shards of one run (trunkload run --shard I/N on\n"
	"one machine each) into one report, exactly: calls, failures, TLS and SRTP counters\n"
	"add; latency histograms add bucket by bucket and the percentiles are taken from the\n"
	"merged histogram; time series rows add by wall-clock second, each shard's from the\n"
	"second its schedule started (schedule_started_at; --start-at makes them start\n"
	"together), and the spread of those starts is printed (p99_ms of a second is the\n"
	"worst shard's); load.stages figures add stage by stage; the distinct certificates\n"
	"seen add their handshakes. calls.cps is the sum of the shards' achieved rates, and\n"
	"calls.max_concurrent the sum of their peaks (an upper bound), as the shards run at\n"
	"the same time. The scenario's thresholds are judged again on the merged result: the\n"
	"scenario is read from the first report's scenario_file when that file is there,\n"
	"otherwise only the built-in checks apply. Target and name come from the first report,\n"
	"and the shards' connections add up; reports that ran against another target or\n"
	"another scenario than the first are merged with a warning.\n"
	"\n"
	"  --report-dir DIR        where the merged report.json, report.html, junit.xml and\n"
	"                          timeseries.csv go (default: trunkload-merged)\n"
	"  --quiet                 no summary on stdout\n"
	"\n"
	"exit status: 0 every check held, 1 a check failed, 2 bad usage or a report that\n"
	"cannot be read (the message names the file and the key).\n";

enum { O_REPORT_DIR = 256, O_QUIET, O_HELP };

static const struct option merge_options[] = {
	{ "report-dir", required_argument, NULL, O_REPORT_DIR },
	{ "quiet", no_argument, NULL, O_QUIET },
	{ "help", no_argument, NULL, O_HELP },
	{ 0 },
};

/* What a report says about the run besides its result: for the merged report's
 * scenario, which the result does not carry. */
struct meta {
	char name[128], scenario_file[4096], host[256], server_name[256], transport[8], mode[16];
	char shard[32]; /* "I/N", "" when the run was not a shard */
	double port, connections, rate, calls, ramp_s, duration_s, max_concurrent;
	double started_at; /* 0: unknown */
	double schedule_at; /* second 0 of its schedule, to the millisecond; 0: unknown */
	struct scn_dest dests[DEST_MAX]; /* target.destinations, when there were several */
	unsigned n_dests;
	char distribution[16];
};

static void str_at(const cJSON *o, const char *key, char *out, size_t cap)
{
	const cJSON *j = cJSON_GetObjectItemCaseSensitive(o, key);
	if (cJSON_IsString(j))
		snprintf(out, cap, "%s", j->valuestring);
}

static void num_at(const cJSON *o, const char *key, double *out)
{
	const cJSON *j = cJSON_GetObjectItemCaseSensitive(o, key);
	if (cJSON_IsNumber(j) && j->valuedouble >= 0)
		*out = j->valuedouble;
}

/* target.destinations[]: who they were (the figures are report_read's). */
static void dests_at(const cJSON *t, struct meta *m)
{
	const cJSON *arr = cJSON_GetObjectItemCaseSensitive(t, "destinations"), *it;
	str_at(t, "distribution", m->distribution, sizeof(m->distribution));
	cJSON_ArrayForEach(it, arr) {
		if (m->n_dests == DEST_MAX)
			break;
		struct scn_dest *d = &m->dests[m->n_dests];
		double port = 0, weight = 1;
		*d = (struct scn_dest){ 0 };
		str_at(it, "host", d->host, sizeof(d->host));
		str_at(it, "server_name", d->server_name, sizeof(d->server_name));
		num_at(it, "port", &port);
		num_at(it, "weight", &weight);
		if (!d->host[0] || port < 1 || port > 65535)
			continue;
		d->port = (uint16_t)port;
		d->weight = weight >= 1 && weight <= 1e6 ? (uint32_t)weight : 1;
		m->n_dests++;
	}
}

/* Descriptive fields only, read leniently: report_read_json has already refused a
 * damaged file. */
static int read_meta(const char *path, struct meta *m)
{
	memset(m, 0, sizeof(*m));
	FILE *f = fopen(path, "rb");
	char *text = NULL;
	size_t cap = 0;
	if (!f)
		return -errno;
	ssize_t n = getdelim(&text, &cap, 0, f);
	fclose(f);
	cJSON *root = n > 0 ? cJSON_ParseWithLength(text, (size_t)n) : NULL;
	free(text);
	if (!root)
		return -EBADMSG;
	str_at(root, "scenario", m->name, sizeof(m->name));
	str_at(root, "scenario_file", m->scenario_file, sizeof(m->scenario_file));
	str_at(root, "shard", m->shard, sizeof(m->shard));
	const cJSON *t = cJSON_GetObjectItemCaseSensitive(root, "target");
	str_at(t, "host", m->host, sizeof(m->host));
	str_at(t, "server_name", m->server_name, sizeof(m->server_name));
	str_at(t, "transport", m->transport, sizeof(m->transport));
	str_at(t, "mode", m->mode, sizeof(m->mode));
	num_at(t, "port", &m->port);
	num_at(t, "connections", &m->connections);
	dests_at(t, m);
	const cJSON *l = cJSON_GetObjectItemCaseSensitive(root, "load");
	num_at(l, "rate", &m->rate);
	num_at(l, "calls", &m->calls);
	num_at(l, "ramp_s", &m->ramp_s);
	num_at(l, "duration_s", &m->duration_s);
	num_at(l, "max_concurrent", &m->max_concurrent);
	char when[40] = "";
	str_at(root, "started_at", when, sizeof(when));
	struct tm tm = { 0 };
	const char *end = strptime(when, "%Y-%m-%dT%H:%M:%SZ", &tm);
	if (end && !*end)
		m->started_at = (double)timegm(&tm);
	char sched[40] = "";
	str_at(root, "schedule_started_at", sched, sizeof(sched));
	if (!sched[0] || wall_time_parse(sched, &m->schedule_at))
		m->schedule_at = 0;
	cJSON_Delete(root);
	return 0;
}

/* The merged run's scenario: the first shard's file when it can be read (its
 * thresholds are judged again), else the built-in checks; then what the shards'
 * reports say was run, since flags may have overridden the file. A shard's report
 * shows its own share of the load (run --shard), so rate, calls and the concurrency
 * cap add up. */
static int merged_scenario(struct scenario *s, const struct meta *m, unsigned n)
{
	struct scenario_errors errs = { 0 };
	scenario_default(s);
	if (m[0].scenario_file[0] && access(m[0].scenario_file, R_OK) == 0) {
		if (scenario_load_file(m[0].scenario_file, s, &errs)) {
			for (unsigned i = 0; i < errs.n; i++)
				fprintf(stderr, "%s\n", errs.msg[i]);
			return cli_usage_error("merge", "%s: the scenario of the first report is no "
					       "longer valid", m[0].scenario_file);
		}
	} else {
		if (m[0].scenario_file[0])
			fprintf(stderr, "trunkload merge: note: %s cannot be read here: only the "
					"built-in checks are judged\n", m[0].scenario_file);
		if (m[0].name[0])
			snprintf(s->name, sizeof(s->name), "%s", m[0].name);
		snprintf(s->path, sizeof(s->path), "%s", m[0].scenario_file);
	}
	if (m[0].host[0])
		snprintf(s->host, sizeof(s->host), "%s", m[0].host);
	if (m[0].port >= 1 && m[0].port <= 65535)
		s->port = (uint16_t)m[0].port;
	snprintf(s->server_name, sizeof(s->server_name), "%s", m[0].server_name);
	if (m[0].n_dests > 1) { /* each with the name its certificate was checked against */
		memcpy(s->dests, m[0].dests, sizeof(s->dests));
		s->n_dests = m[0].n_dests;
		s->server_name[0] = '\0';
		for (int p = DEST_ROUND_ROBIN; p <= DEST_FAILOVER; p++)
			if (!strcmp(m[0].distribution, dest_policy_name((enum dest_policy)p)))
				s->distribution = (enum dest_policy)p;
	}
	if (m[0].transport[0])
		s->transport = strcmp(m[0].transport, "tcp") ? SCN_TLS : SCN_TCP;
	if (!strcmp(m[0].mode, "per_call"))
		s->mode = SCN_PER_CALL;
	else if (!strcmp(m[0].mode, "handshake"))
		s->mode = SCN_HANDSHAKE;
	else if (m[0].mode[0])
		s->mode = SCN_TRUNK;
	double rate = 0, calls = 0, cap = 0, conns = 0;
	for (unsigned i = 0; i < n; i++) {
		rate += m[i].rate;
		calls += m[i].calls;
		cap += m[i].max_concurrent;
		conns += m[i].connections; /* each shard opened its own */
	}
	if (conns >= 1 && conns <= 65535)
		s->connections = (unsigned)conns;
	s->rate = rate;
	s->calls = (uint64_t)calls;
	if (cap >= 1 && cap <= UINT32_MAX)
		s->max_concurrent = (uint32_t)cap;
	s->ramp_s = m[0].ramp_s;
	s->duration_s = m[0].duration_s;
	return 0;
}

static bool same_file(const char *a, const char *b)
{
	struct stat x, y;
	return !stat(a, &x) && !stat(b, &y) && x.st_dev == y.st_dev && x.st_ino == y.st_ino;
}

/* Shards of one run are I/N for every I once, against one target with one
 * scenario: anything else is worth a word, though it may be meant (a rerun shard,
 * shards of a shard). */
static void warn_shards(char **files, const struct meta *m, unsigned n)
{
	for (unsigned i = 1; i < n; i++) {
		if (strcmp(m[i].host, m[0].host) || m[i].port != m[0].port)
			fprintf(stderr, "trunkload merge: warning: %s ran against %s:%.0f, %s against "
					"%s:%.0f: these are not shards of one run\n", files[0], m[0].host,
				m[0].port, files[i], m[i].host, m[i].port);
		if (strcmp(m[i].name, m[0].name) || strcmp(m[i].scenario_file, m[0].scenario_file))
			fprintf(stderr, "trunkload merge: warning: %s ran scenario %s (%s), %s ran %s "
					"(%s): the merged result mixes them\n", files[0], m[0].name,
				m[0].scenario_file[0] ? m[0].scenario_file : "built-in", files[i],
				m[i].name, m[i].scenario_file[0] ? m[i].scenario_file : "built-in");
	}
	unsigned total = 0;
	for (unsigned i = 0; i < n; i++) {
		unsigned idx, count;
		if (sscanf(m[i].shard, "%u/%u", &idx, &count) == 2)
			total = count;
		for (unsigned k = 0; m[i].shard[0] && k < i; k++)
			if (!strcmp(m[i].shard, m[k].shard))
				fprintf(stderr, "trunkload merge: warning: %s and %s are both shard %s\n",
					files[k], files[i], m[i].shard);
	}
	if (total && total != n)
		fprintf(stderr, "trunkload merge: warning: the run had %u shards, %u report%s given\n",
			total, n, n == 1 ? " is" : "s are");
}

/* Reads every report and adds it to *total; *cps gets the sum of their achieved
 * rates. EXIT_PASS or EXIT_USAGE (with the one-line reason printed). */
/* When each shard's second 0 was: its schedule's start where every report says it,
 * else its run's start (whole seconds, older reports). Sets *first to the earliest
 * and returns the spread (the skew). */
static double shard_starts(const struct meta *meta, unsigned n, double *at, double *first)
{
	bool exact = true;
	for (unsigned i = 0; i < n; i++)
		exact &= meta[i].schedule_at > 0;
	double lo = 0, hi = 0;
	for (unsigned i = 0; i < n; i++) {
		at[i] = exact ? meta[i].schedule_at : meta[i].started_at;
		if (at[i] > 0 && (!lo || at[i] < lo))
			lo = at[i];
		if (at[i] > hi)
			hi = at[i];
	}
	*first = lo;
	return lo > 0 ? hi - lo : 0;
}

static int read_all(char **files, unsigned n, struct result *total, struct meta *meta,
		    double *cps, double *skew_s)
{
	struct result *one = malloc(sizeof(*one));
	double *at = calloc(n, sizeof(*at));
	if (!one || !at) {
		free(one);
		free(at);
		return cli_usage_error("merge", "out of memory");
	}
	int status = EXIT_PASS;
	*cps = 0;
	for (unsigned i = 0; i < n && status == EXIT_PASS; i++) {
		if (!read_meta(files[i], &meta[i]))
			continue;
		/* the reader says precisely what is wrong with it */
		char err[512] = "";
		result_init(one);
		if (!report_read_json(files[i], one, err, sizeof(err)))
			snprintf(err, sizeof(err), "%s: unreadable", files[i]);
		result_free(one);
		status = cli_usage_error("merge", "%s", err);
	}
	double first = 0;
	*skew_s = status == EXIT_PASS ? shard_starts(meta, n, at, &first) : 0;
	for (unsigned i = 0; i < n && status == EXIT_PASS; i++) {
		char err[512] = "";
		result_init(one);
		int rc = report_read_json(files[i], one, err, sizeof(err));
		/* per-second rows by wall clock: a later shard's second 0 is a later second */
		double late = at[i] > 0 && first > 0 ? at[i] - first : 0;
		if (!rc && result_ts_shift(one, (unsigned)llround(late))) {
			rc = -ENOMEM;
			snprintf(err, sizeof(err), "out of memory");
		}
		if (rc) {
			status = cli_usage_error("merge", "%s", err);
		} else {
			double v = 0;
			verdict_metric(one, "calls.cps", "", &v);
			*cps += v;
			result_merge(total, one);
			if (strcmp(meta[i].name, meta[0].name))
				fprintf(stderr, "trunkload merge: warning: %s is a report of scenario "
						"\"%s\", %s of \"%s\"\n", files[i], meta[i].name,
					files[0], meta[0].name);
		}
		result_free(one);
	}
	free(one);
	free(at);
	return status;
}

int cmd_merge(int argc, char **argv)
{
	const char *report_dir = "trunkload-merged";
	bool quiet = false;
	optind = 1;
	opterr = 0;
	int opt;
	while ((opt = cli_next_option(argc, argv, merge_options, "merge")) != -1) {
		if (opt == '!')
			return EXIT_USAGE;
		if (opt == O_HELP) {
			fputs(merge_help, stdout);
			return EXIT_PASS;
		}
		if (opt == '?')
			return cli_usage_error("merge", "unknown option '%s' (see trunkload merge --help)",
					       argv[optind - 1]);
		if (opt == ':')
			return cli_usage_error("merge", "option '%s' needs a value", argv[optind - 1]);
		if (opt == O_REPORT_DIR)
			report_dir = optarg;
		else if (opt == O_QUIET)
			quiet = true;
	}
	char **files = argv + optind;
	unsigned n = (unsigned)(argc - optind);
	if (!n)
		return cli_usage_error("merge", "expected one or more report.json files (see "
						"trunkload merge --help)");
	char out[4200];
	snprintf(out, sizeof(out), "%s/report.json", report_dir);
	for (unsigned i = 0; i < n; i++) {
		for (unsigned k = 0; k < i; k++)
			if (same_file(files[i], files[k]))
				return cli_usage_error("merge", "%s and %s are the same report: it would "
						       "be counted twice", files[k], files[i]);
		if (same_file(files[i], out))
			return cli_usage_error("merge", "--report-dir %s: the merged report would "
					       "overwrite %s", report_dir, files[i]);
	}

	static struct result total;
	static struct scenario scn;
	static struct verdict v;
	struct meta *meta = calloc(n, sizeof(*meta));
	if (!meta)
		return cli_usage_error("merge", "out of memory");
	double cps = 0, skew_s = 0;
	result_init(&total);
	int status = read_all(files, n, &total, meta, &cps, &skew_s);
	if (status == EXIT_PASS) {
		warn_shards(files, meta, n);
		status = merged_scenario(&scn, meta, n);
	}
	double started = 0;
	for (unsigned i = 0; i < n; i++)
		if (meta[i].started_at > 0 && (!started || meta[i].started_at < started))
			started = meta[i].started_at;
	free(meta);
	int rc = status == EXIT_PASS ? cli_make_dir(report_dir) : 0;
	if (rc)
		status = cli_usage_error("merge", "--report-dir %s: %s", report_dir, strerror(-rc));
	if (status != EXIT_PASS) {
		result_free(&total);
		return status;
	}
	/* The shards ran side by side, so their achieved rates add. The report does not
	 * keep a shard's steady window, so the merged one is set to give that sum:
	 * calls.cps = steady_completed / steady_window_s. */
	total.steady_completed = cps > 0 ? total.completed : 0;
	total.steady_window_s = cps > 0 && total.completed ? (double)total.completed / cps : 0;

	verdict_judge(&scn, &total, &v);
	char command[2048], err[512] = "";
	cli_join_args(command, sizeof(command), argc, argv);
	struct report rep = { .scn = &scn, .res = &total, .verdict = &v, .command = command,
			      .started_at = started ? started : (double)time(NULL),
			      .version = TRUNKLOAD_VERSION };
	status = v.pass ? EXIT_PASS : EXIT_FAIL;
	bool json_written;
	if (report_write_all(report_dir, &rep, &json_written, err, sizeof(err))) {
		fprintf(stderr, "trunkload merge: cannot write the report: %s\n", err);
		if (!json_written)
			status = EXIT_FAIL;
	}
	if (!quiet) {
		report_print_text(stdout, &rep);
		printf("merged     %u report%s", n, n == 1 ? "" : "s");
		if (n > 1)
			printf(", their schedules started %.3f s apart (per-second rows lined up by "
			       "wall clock)", skew_s);
		printf("\n");
		printf("report     %s\n", out);
	}
	result_free(&total);
	return status;
}
