/* The Kubernetes example is valid YAML, an Indexed Job whose completion index is the
 * shard number, whose pods serve --metrics where the scrape annotations and the
 * PodMonitor look, and a merge Job over the shard reports. (test_metrics checks the
 * Grafana dashboard's series against a real scrape.) */
#include "proc.h"
#include "tl_test.h"
#include <stdlib.h>
#include <string.h>

#define MANIFEST TL_SOURCE_DIR "/scenarios/kubernetes/indexed-job.yaml"

/* Debian's python3-yaml serves Debian's python3, which may not be the first in PATH */
static const char *python(void)
{
	return proc_have("/usr/bin/python3") ? "/usr/bin/python3" : "python3";
}

static void manifest_is_valid(void)
{
	static const char check[] =
		"import sys, yaml\n"
		"docs = [d for d in yaml.safe_load_all(open(sys.argv[1])) if d]\n"
		"jobs = {d['metadata']['name']: d for d in docs if d['kind'] == 'Job'}\n"
		"s = jobs['trunkload-shards']['spec']\n"
		"assert s['completionMode'] == 'Indexed', 'not an Indexed Job'\n"
		"n = s['completions']\n"
		"args = ' '.join(s['template']['spec']['containers'][0]['args'])\n"
		"assert '--shard \"${JOB_COMPLETION_INDEX}/%d\"' % n in args, 'shard not wired: ' + args\n"
		"assert '--start-at \"${START_AT}\"' in args, 'no common start: ' + args\n"
		"env = {e['name']: e['value'] for e in s['template']['spec']['containers'][0]['env']}\n"
		"assert env.get('START_AT') == '@START_AT@', env\n"
		"assert '--metrics 0.0.0.0:9464' in args, 'no metrics: ' + args\n"
		"t = s['template']\n"
		"a = t['metadata']['annotations']\n"
		"assert a['prometheus.io/scrape'] == 'true' and a['prometheus.io/port'] == '9464', a\n"
		"ports = {p['name']: p['containerPort'] for p in t['spec']['containers'][0]['ports']}\n"
		"assert ports.get('metrics') == 9464, ports\n"
		"pm = [d for d in docs if d['kind'] == 'PodMonitor'][0]['spec']\n"
		"assert all(t['metadata']['labels'].get(k) == v for k, v in pm['selector']['matchLabels'].items()), pm\n"
		"assert pm['podMetricsEndpoints'][0]['port'] == 'metrics', pm\n"
		"m = ' '.join(jobs['trunkload-merge']['spec']['template']['spec']['containers'][0]['args'])\n"
		"assert 'trunkload merge' in m and 'shard-*/report.json' in m, m\n"
		"print('ok', n, 'shards')\n";
	char out[512];
	proc_path(out, sizeof(out), "manifest.out");
	char *argv[] = { (char *)python(), (char *)"-c", (char *)check, (char *)MANIFEST, NULL };
	int rc = proc_run(argv, out, NULL, 30000, NULL);
	char *text = proc_read_file(out);
	CHECK(rc == 0 && text && strstr(text, "ok 3 shards"), "the manifest checks out: %s",
	      text ? text : "(no output)");
	free(text);
}

static const struct tl_case cases[] = {
	{ "manifest_is_valid", manifest_is_valid },
};

int main(void)
{
	char *argv[] = { (char *)python(), (char *)"-c", (char *)"import yaml", NULL };
	if (proc_run(argv, NULL, NULL, 30000, NULL) != 0) {
		fprintf(stderr, "test_manifest: SKIPPED: python3 with the yaml module (python3-yaml) is missing\n");
		return 77;
	}
	if (!proc_tmpdir())
		return 1;
	return tl_run("manifest", TL_CASES(cases));
}
