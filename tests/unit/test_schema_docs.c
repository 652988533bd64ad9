/* The README's scenario reference keeps up with the JSON Schema: every key the schema
 * documents is named in the README (and every schema key has a description). */
#include "tl_test.h"
#include <cjson/cJSON.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static char *slurp(const char *path)
{
	FILE *f = fopen(path, "rb");
	if (!f)
		return NULL;
	fseek(f, 0, SEEK_END);
	long n = ftell(f);
	rewind(f);
	char *s = malloc((size_t)n + 1);
	if (s && fread(s, 1, (size_t)n, f) == (size_t)n)
		s[n] = 0;
	else {
		free(s);
		s = NULL;
	}
	fclose(f);
	return s;
}

static char *readme;
static unsigned leaves;

static bool mentioned(const char *path)
{
	char want[300];
	const char *last = strrchr(path, '.');
	last = last ? last + 1 : path;
	if (!strncmp(path, "thresholds.", 11)) {
		/* a metric: named whole, or a latency interval by its name */
		snprintf(want, sizeof(want), "`%s`", path + 11);
		if (strstr(readme, want))
			return true;
		snprintf(want, sizeof(want), "`%s`", last);
		return !strncmp(path + 11, "latency_ms.", 11) && strstr(readme, want);
	}
	snprintf(want, sizeof(want), "`%s`", path);
	if (strstr(readme, want))
		return true;
	snprintf(want, sizeof(want), "`%s[]`", path); /* an array of steps */
	if (strstr(readme, want))
		return true;
	snprintf(want, sizeof(want), "`.%s`", last);
	if (strstr(readme, want))
		return true;
	snprintf(want, sizeof(want), "`%s`", last);
	return strstr(readme, want) != NULL;
}

static void walk(const cJSON *node, const char *path)
{
	const cJSON *props = cJSON_GetObjectItemCaseSensitive(node, "properties");
	if (props) {
		const cJSON *p;
		cJSON_ArrayForEach(p, props) {
			char sub[300];
			snprintf(sub, sizeof(sub), "%s%s%s", path, *path ? "." : "", p->string);
			walk(p, sub);
		}
		return;
	}
	leaves++;
	char msg[400];
	snprintf(msg, sizeof(msg), "README.md names the scenario key %s", path);
	CU_assertImplementation(mentioned(path), __LINE__, msg, __FILE__, "", CU_FALSE);
	snprintf(msg, sizeof(msg), "the schema describes %s", path);
	CU_assertImplementation(cJSON_IsString(cJSON_GetObjectItemCaseSensitive(node, "description")),
				__LINE__, msg, __FILE__, "", CU_FALSE);
}

static void every_key_documented(void)
{
	char *text = slurp(TL_SOURCE_DIR "/scenarios/scenario.schema.json");
	readme = slurp(TL_SOURCE_DIR "/README.md");
	CU_ASSERT_FATAL(text && readme);
	cJSON *schema = cJSON_Parse(text);
	CU_ASSERT_FATAL(schema != NULL);
	walk(schema, "");
	CU_ASSERT(leaves > 40);
	cJSON_Delete(schema);
	free(text);
	free(readme);
}

int main(void)
{
	static const struct tl_case cases[] = {
		{ "every_key_documented", every_key_documented },
	};
	return tl_run("schema_docs", TL_CASES(cases));
}
