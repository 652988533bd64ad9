/* The verdict: texts that do not fit are cut and marked, never written past their
 * end; name checks follow the one rule of cert_name.h; a run that could not be
 * carried out fails run.completed; more checks than the verdict holds fail it. */
#include "tl_test.h"
#include "verdict.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

struct fixture {
	struct scenario scn;
	struct result res;
	struct verdict v;
};

static struct fixture *fx_new(void)
{
	struct fixture *x = calloc(1, sizeof(*x));
	CU_ASSERT_PTR_NOT_NULL_FATAL(x);
	scenario_default(&x->scn);
	result_init(&x->res);
	x->res.attempted = x->res.completed = 10;
	x->res.hs_ok = 1;
	return x;
}

static const struct check *find(const struct verdict *v, const char *name)
{
	for (unsigned i = 0; i < v->n_checks; i++)
		if (!strcmp(v->checks[i].name, name))
			return &v->checks[i];
	return NULL;
}

static bool ends_with(const char *s, const char *tail)
{
	size_t n = strlen(s), t = strlen(tail);
	return n >= t && !memcmp(s + n - t, tail, t);
}

/* A far end expected to show eight findings shows every finding there is, and more:
 * both lists are longer than their texts; each is cut, marked, and stays inside. */
static void test_all_finding_codes(void)
{
	static const char json[] =
		"{\"tls\": {\"expect_peer\": {\"findings\": [\"no_forward_secrecy\", \"old_tls_version\","
		" \"sha1_signature\", \"no_client_auth\", \"no_server_auth\", \"not_yet_valid\","
		" \"name_mismatch\", \"expires_soon\"]}}}";
	struct fixture *x = fx_new();
	struct scenario_errors errs = { 0 };
	CU_ASSERT_EQUAL_FATAL(scenario_load_buf(json, strlen(json), "all.json", &x->scn, &errs), 0);
	CU_ASSERT_EQUAL(x->scn.n_expect_findings, 8);
	struct tls_peer *p = &x->res.peer;
	p->seen = true;
	p->n_chain = 1;
	for (unsigned i = 0; finding_codes[i]; i++) {
		struct finding *f = &p->findings[p->n_findings++];
		snprintf(f->code, sizeof(f->code), "%s", finding_codes[i]);
		f->severity = FINDING_WARNING;
		snprintf(f->message, sizeof(f->message), "finding %u", i);
	}
	CU_ASSERT_EQUAL(p->n_findings, 19);
	while (p->n_findings < FINDINGS_MAX) { /* codes of a later version, as long as they come */
		struct finding *f = &p->findings[p->n_findings];
		snprintf(f->code, sizeof(f->code), "a_later_finding_code_%02u", p->n_findings++);
		f->severity = FINDING_INFO;
	}
	verdict_judge(&x->scn, &x->res, &x->v);
	const struct check *c = find(&x->v, "tls.peer.findings");
	CU_ASSERT_PTR_NOT_NULL_FATAL(c);
	CU_ASSERT(strlen(c->expected) < sizeof(c->expected));
	CU_ASSERT(strlen(c->observed) < sizeof(c->observed));
	CU_ASSERT(ends_with(c->expected, "..."));
	CU_ASSERT(ends_with(c->observed, "..."));
	CU_ASSERT(!strncmp(c->expected, "no_forward_secrecy, old_tls_version, sha1_signature", 51));
	CU_ASSERT(!strncmp(c->observed, "expired, not_yet_valid, expires_soon, untrusted", 47));
	CU_ASSERT_EQUAL(c->status, CHECK_PASS);
	/* the checks after it are whole: nothing ran into them */
	const struct check *next = c + 1;
	CU_ASSERT(next < x->v.checks + x->v.n_checks);
	CU_ASSERT(!strncmp(next->name, "tls.", 4) || !strncmp(next->name, "calls.", 6));
	free(x);
}

/* Alert and version lists are cut the same way. */
static void test_long_lists_cut(void)
{
	struct fixture *x = fx_new();
	x->scn.expect_handshake = SCN_HS_REJECTED;
	x->res.hs_ok = 0;
	for (unsigned a = 1; a < 256; a++)
		x->res.alerts.received[a] = 1000000 + a;
	verdict_judge(&x->scn, &x->res, &x->v);
	const struct check *c = find(&x->v, "tls.handshake");
	CU_ASSERT_PTR_NOT_NULL_FATAL(c);
	CU_ASSERT(strlen(c->observed) < sizeof(c->observed));
	CU_ASSERT_PTR_NOT_NULL(strstr(c->observed, "..."));

	struct fixture *y = fx_new();
	y->scn.expect_versions = TL_TLS1_0 | TL_TLS1_1 | TL_TLS1_2 | TL_TLS1_3;
	for (unsigned i = 0; i < RESULT_MAX_NAMES; i++) {
		char name[48];
		snprintf(name, sizeof(name), "SomeVeryLongVersionName-%u", i);
		result_name_add(y->res.versions, name, 123456789);
	}
	verdict_judge(&y->scn, &y->res, &y->v);
	c = find(&y->v, "tls.version");
	CU_ASSERT_PTR_NOT_NULL_FATAL(c);
	CU_ASSERT_STRING_EQUAL(c->expected, "one of TLSv1 or TLSv1.1 or TLSv1.2 or TLSv1.3");
	CU_ASSERT(ends_with(c->observed, "..."));
	CU_ASSERT_EQUAL(c->status, CHECK_FAIL);
	free(x);
	free(y);
}

/* tls.expect_peer.names and .subject_cn: case-insensitive, wildcards in the
 * left-most label only, as the handshake's own check does. */
static void test_names_one_rule(void)
{
	static const struct {
		const char *cn, *san, *names;
		bool pass;
	} cases[] = {
		{ "cucm-b.example.com", "", "CUCM-B.Example.COM", true },
		{ "other", "DNS:Trunk.Example.com", "trunk.example.com", true },
		{ "other", "DNS:*.example.com", "cucm-b.example.com", true },
		{ "other", "DNS:*.example.com", "a.b.example.com", false },
		{ "other", "DNS:*.com", "example.com", false },
		{ "other", "DNS:cucm-b.example.com.evil, DNS:x", "cucm-b.example.com", false },
		{ "other", "IP:127.0.0.1", "127.0.0.1", true },
		{ "other", "DNS:a.example.com", "b.example.com, a.example.com", true },
		/* RFC 6125: no CN where a name SAN exists; RFC 5922: a SIP domain URI */
		{ "cucm-b.example.com", "DNS:x.example.com", "cucm-b.example.com", false },
		{ "other", "URI:sip:example.com", "example.com", true },
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct fixture *x = fx_new();
		struct tls_peer *p = &x->res.peer;
		p->seen = true;
		p->n_chain = 1;
		snprintf(p->chain[0].subject_cn, sizeof(p->chain[0].subject_cn), "%s", cases[i].cn);
		snprintf(p->chain[0].san, sizeof(p->chain[0].san), "%s", cases[i].san);
		snprintf(x->scn.expect_names, sizeof(x->scn.expect_names), "%s", cases[i].names);
		if (!strchr(cases[i].names, ','))
			snprintf(x->scn.expect_subject_cn, sizeof(x->scn.expect_subject_cn), "%s",
				 cases[i].names);
		verdict_judge(&x->scn, &x->res, &x->v);
		const struct check *c = find(&x->v, "tls.peer.names");
		CU_ASSERT_PTR_NOT_NULL_FATAL(c);
		enum check_status want = cases[i].pass ? CHECK_PASS : CHECK_FAIL;
		if (c->status != want)
			fprintf(stderr, "case %zu: names %s against CN %s SAN %s: %s\n", i, cases[i].names,
				cases[i].cn, cases[i].san, check_status_name(c->status));
		CU_ASSERT_EQUAL(c->status, want);
		c = find(&x->v, "tls.peer.subject_cn");
		if (x->scn.expect_subject_cn[0]) {
			CU_ASSERT_PTR_NOT_NULL_FATAL(c);
			CU_ASSERT_EQUAL(c->status, want);
		}
		free(x);
	}
}

/* A far end of several certificates (a cluster's nodes): each distinct one is judged.
 * A pinned serial passes only when every node presents one of the pins, and the first
 * that does not is named with where it came from; a finding is one check however many
 * certificates have it. */
static void test_every_certificate_judged(void)
{
	static const struct { const char *serial, *where; bool expired; } nodes[] = {
		{ "0A", "127.0.0.2:5061", false },
		{ "0B", "127.0.0.3:5061", true },
		{ "0C", "127.0.0.4:5061", true },
	};
	struct fixture *x = fx_new();
	struct result *r = &x->res;
	r->peer.seen = true;
	r->peer.n_chain = 1;
	snprintf(r->peer.chain[0].serial, sizeof(r->peer.chain[0].serial), "0A");
	for (unsigned i = 0; i < 3; i++) {
		unsigned char key[PEER_KEY_LEN];
		memset(key, (int)i + 1, sizeof(key));
		struct peer_seen *p = result_peer_add(r, key);
		CU_ASSERT_PTR_NOT_NULL_FATAL(p);
		p->handshakes = 1;
		snprintf(p->where, sizeof(p->where), "%s", nodes[i].where);
		p->peer.seen = true;
		p->peer.n_chain = 1;
		snprintf(p->peer.chain[0].serial, sizeof(p->peer.chain[0].serial), "%s", nodes[i].serial);
		p->peer.chain[0].days_left = nodes[i].expired ? -3 : 300;
		if (nodes[i].expired) {
			p->peer.n_findings = 1;
			snprintf(p->peer.findings[0].code, sizeof(p->peer.findings[0].code), "expired");
			p->peer.findings[0].severity = FINDING_ERROR;
		}
	}
	snprintf(x->scn.expect_serial, sizeof(x->scn.expect_serial), "0a");
	x->scn.expect_min_days_valid = 30;
	verdict_judge(&x->scn, r, &x->v);
	const struct check *c = find(&x->v, "tls.peer.serial");
	CU_ASSERT_PTR_NOT_NULL_FATAL(c);
	CU_ASSERT_EQUAL(c->status, CHECK_FAIL);
	/* serials are shown as pins compare them: leading zeros dropped */
	CU_ASSERT_EQUAL(strncmp(c->observed, "B (from 127.0.0.3:5061); 1 more of the 3", 40), 0);
	c = find(&x->v, "tls.peer.days_left");
	CU_ASSERT_PTR_NOT_NULL_FATAL(c);
	CU_ASSERT_EQUAL(c->status, CHECK_FAIL);
	c = find(&x->v, "tls.finding.expired");
	CU_ASSERT_PTR_NOT_NULL_FATAL(c);
	CU_ASSERT_EQUAL(c->status, CHECK_FAIL);
	CU_ASSERT_PTR_NOT_NULL(strstr(c->observed, "(from 127.0.0.3:5061 and other certificates)"));
	unsigned expired_checks = 0;
	for (unsigned i = 0; i < x->v.n_checks; i++)
		expired_checks += !strcmp(x->v.checks[i].name, "tls.finding.expired");
	CU_ASSERT_EQUAL(expired_checks, 1);

	/* a list of pins, one per node: every node presents one of them */
	memset(&x->v, 0, sizeof(x->v));
	snprintf(x->scn.expect_serial, sizeof(x->scn.expect_serial), "0a,0B, 0C");
	verdict_judge(&x->scn, r, &x->v);
	c = find(&x->v, "tls.peer.serial");
	CU_ASSERT_PTR_NOT_NULL_FATAL(c);
	CU_ASSERT_EQUAL(c->status, CHECK_PASS);
	CU_ASSERT_PTR_NOT_NULL(strstr(c->observed, "all 3 certificates"));
	result_free(r);
	free(x);
}

/* A run that could not be carried out never passes run.completed. */
static void test_could_not_run_fails(void)
{
	struct fixture *x = fx_new();
	x->res.attempted = x->res.completed = 0;
	x->res.could_not_run = -ENOENT;
	snprintf(x->res.could_not_run_why, sizeof(x->res.could_not_run_why),
		 "sbc.invalid: Name or service not known");
	verdict_judge(&x->scn, &x->res, &x->v);
	const struct check *c = find(&x->v, "run.completed");
	CU_ASSERT_PTR_NOT_NULL_FATAL(c);
	CU_ASSERT_EQUAL(c->status, CHECK_FAIL);
	CU_ASSERT_PTR_NOT_NULL(strstr(c->observed, "sbc.invalid"));
	CU_ASSERT_FALSE(x->v.pass);
	free(x);
}

/* The tester's schedule lag: 100 calls, `late` of them started lag_us behind. */
static const struct check *judge_lag(struct fixture *x, unsigned late, uint64_t lag_us)
{
	for (unsigned i = 0; i < 100; i++)
		hist_record(&x->res.tester.schedule_lag, i < late ? lag_us : 200);
	verdict_judge(&x->scn, &x->res, &x->v);
	return find(&x->v, "tester.schedule_lag");
}

/* A tester behind its schedule says so: pass, warn above 10 ms, fail above 100 ms (by
 * p99); a threshold on tester.schedule_lag_ms replaces the check; no call, no check. */
static void test_schedule_lag(void)
{
	static const struct {
		unsigned late;
		uint64_t lag_us;
		enum check_status want;
	} cases[] = {
		{ 0, 0, CHECK_PASS },
		{ 50, 9000, CHECK_PASS },
		{ 1, 500000, CHECK_PASS },   /* one call in a hundred: not the p99 */
		{ 2, 20000, CHECK_WARN },
		{ 2, 150000, CHECK_FAIL },
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct fixture *x = fx_new();
		const struct check *c = judge_lag(x, cases[i].late, cases[i].lag_us);
		CU_ASSERT_PTR_NOT_NULL_FATAL(c);
		CU_ASSERT_EQUAL(c->status, cases[i].want);
		bool says = strstr(c->observed, "trunkload could not keep its own schedule: "
						"the latency figures include its delay") != NULL;
		CU_ASSERT_EQUAL(says, cases[i].want != CHECK_PASS);
		CU_ASSERT_EQUAL(x->v.pass, cases[i].want != CHECK_FAIL);
		free(x);
	}
	struct fixture *x = fx_new();
	struct threshold *t = &x->scn.thresholds[x->scn.n_thresholds++];
	snprintf(t->metric, sizeof(t->metric), "tester.schedule_lag_ms");
	snprintf(t->stat, sizeof(t->stat), "p99");
	t->has_max = true;
	t->max = 500;
	CU_ASSERT_PTR_NULL(judge_lag(x, 2, 150000));
	const struct check *c = find(&x->v, "tester.schedule_lag_ms.p99");
	CU_ASSERT_PTR_NOT_NULL_FATAL(c);
	CU_ASSERT_EQUAL(c->status, CHECK_PASS);
	free(x);
	x = fx_new();
	verdict_judge(&x->scn, &x->res, &x->v);
	CU_ASSERT_PTR_NULL(find(&x->v, "tester.schedule_lag"));
	free(x);
}

/* Every threshold and every finding at once: all are judged, none is lost. */
static void test_every_check_fits(void)
{
	struct fixture *x = fx_new();
	for (unsigned i = 0; i < SCN_MAX_THRESHOLDS; i++) {
		struct threshold *t = &x->scn.thresholds[x->scn.n_thresholds++];
		snprintf(t->metric, sizeof(t->metric), "calls.attempted");
		t->has_min = true;
		t->min = 1;
	}
	struct tls_peer *p = &x->res.peer;
	p->seen = true;
	p->n_chain = 1;
	for (unsigned i = 0; i < FINDINGS_MAX; i++) {
		struct finding *f = &p->findings[p->n_findings++];
		snprintf(f->code, sizeof(f->code), "code%u", i);
		f->severity = FINDING_WARNING;
	}
	snprintf(x->scn.expect_names, sizeof(x->scn.expect_names), "a");
	snprintf(x->scn.expect_issuer, sizeof(x->scn.expect_issuer), "a");
	snprintf(x->scn.expect_serial, sizeof(x->scn.expect_serial), "01");
	snprintf(x->scn.expect_sha256, sizeof(x->scn.expect_sha256), "AB");
	snprintf(x->scn.expect_subject_cn, sizeof(x->scn.expect_subject_cn), "a");
	x->scn.expect_min_key_bits = 2048;
	x->scn.expect_min_days_valid = 1;
	x->scn.expect_versions = TL_TLS1_3;
	x->res.concurrency_cap_hits = 1;
	x->res.srtp.n[SRTP_STREAMS] = 1;
	hist_record(&x->res.tester.schedule_lag, 1);
	verdict_judge(&x->scn, &x->res, &x->v);
	CU_ASSERT_EQUAL(x->v.lost, 0);
	CU_ASSERT(x->v.n_checks <= VERDICT_MAX_CHECKS);
	CU_ASSERT(x->v.n_checks >= SCN_MAX_THRESHOLDS + FINDINGS_MAX);
	free(x);
}

int main(void)
{
	static const struct tl_case cases[] = {
		{ "every finding code at once: cut and marked", test_all_finding_codes },
		{ "alert and version lists cut and marked", test_long_lists_cut },
		{ "expected names: the one rule", test_names_one_rule },
		{ "every distinct certificate judged", test_every_certificate_judged },
		{ "could not run fails run.completed", test_could_not_run_fails },
		{ "every check fits", test_every_check_fits },
		{ "the tester's schedule lag", test_schedule_lag },
	};
	return tl_run("verdict", TL_CASES(cases));
}
