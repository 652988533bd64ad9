/* scenario: shipped files, defaults, every kind of bad input and its message,
 * relative paths, cross-field validation. */
#include "tl_test.h"
#include "check.h"
#include "scenario.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#ifndef TL_SOURCE_DIR
#error "TL_SOURCE_DIR must name the source tree"
#endif

static struct scenario scn;
static struct scenario_errors errs;

static int load(const char *json, const char *name)
{
	return scenario_load_buf(json, strlen(json), name, &scn, &errs);
}

static bool has_error(const char *want)
{
	for (unsigned i = 0; i < errs.n; i++)
		if (strstr(errs.msg[i], want))
			return true;
	return false;
}

static void dump_errors(const char *what)
{
	fprintf(stderr, "\n  %s: %u error(s)\n", what, errs.n);
	for (unsigned i = 0; i < errs.n; i++)
		fprintf(stderr, "    %s\n", errs.msg[i]);
}

/* ---- shipped scenarios ---- */

static void test_shipped_basic_call(void)
{
	int rc = scenario_load_file(TL_SOURCE_DIR "/scenarios/basic-call.json", &scn, &errs);
	if (rc)
		dump_errors("basic-call.json");
	CU_ASSERT_EQUAL_FATAL(rc, 0);
	CU_ASSERT_EQUAL(errs.n, 0);
	CU_ASSERT_STRING_EQUAL(scn.name, "basic-call");
	CU_ASSERT_STRING_EQUAL(scn.server_name, "uas.trunkload.test");
	CU_ASSERT_EQUAL(scn.rate, 20);
	CU_ASSERT_EQUAL(scn.calls, 100);
	CU_ASSERT_EQUAL(scn.duration_s, 0);
	CU_ASSERT_STRING_EQUAL(scn.cert, "");
	CU_ASSERT_EQUAL(scn.n_flow, 8);
	CU_ASSERT_EQUAL(scn.flow[5].kind, FLOW_MEDIA);
	CU_ASSERT_EQUAL(scn.flow[5].ms, 3000);
	CU_ASSERT_EQUAL_FATAL(scn.n_thresholds, 2);
	CU_ASSERT_STRING_EQUAL(scn.thresholds[0].metric, "calls.failed_pct");
	CU_ASSERT_STRING_EQUAL(scn.thresholds[0].stat, "");
	CU_ASSERT(scn.thresholds[0].has_max && !scn.thresholds[0].has_min);
	CU_ASSERT_EQUAL(scn.thresholds[0].max, 0);
	CU_ASSERT_STRING_EQUAL(scn.thresholds[1].metric, "latency_ms.invite_to_200");
	CU_ASSERT_STRING_EQUAL(scn.thresholds[1].stat, "p99");
	CU_ASSERT_EQUAL(scn.thresholds[1].max, 1000);
	CU_ASSERT_EQUAL(scenario_validate(&scn, &errs), 0);
}

static void test_shipped_trunk_capacity(void)
{
	int rc = scenario_load_file(TL_SOURCE_DIR "/scenarios/trunk-capacity.json", &scn, &errs);
	if (rc)
		dump_errors("trunk-capacity.json");
	CU_ASSERT_EQUAL_FATAL(rc, 0);
	CU_ASSERT_STRING_EQUAL(scn.name, "trunk-capacity");
	CU_ASSERT_STRING_EQUAL(scn.server_name, "uas.trunkload.test");
	CU_ASSERT_EQUAL(scn.mode, SCN_TRUNK);
	CU_ASSERT_EQUAL(scn.connections, 4);
	CU_ASSERT_EQUAL(scn.rate, 200);
	CU_ASSERT_EQUAL(scn.ramp_s, 5);
	CU_ASSERT_EQUAL(scn.duration_s, 60);
	CU_ASSERT_EQUAL(scn.calls, 0); /* the duration alone bounds the run */
	CU_ASSERT_EQUAL(scn.max_concurrent, 5000);
	CU_ASSERT_EQUAL(scn.flow[5].kind, FLOW_MEDIA);
	CU_ASSERT_EQUAL(scn.flow[5].ms, 0);
	CU_ASSERT_STRING_EQUAL(scn.cert, "");
	CU_ASSERT_EQUAL_FATAL(scn.n_thresholds, 3);
	for (unsigned i = 0; i < scn.n_thresholds; i++)
		CU_ASSERT(strcmp(scn.thresholds[i].metric, "calls.cps") != 0);
	CU_ASSERT_STRING_EQUAL(scn.thresholds[2].metric, "latency_ms.tls_handshake");
	CU_ASSERT_EQUAL(scn.thresholds[2].max, 100);
	CU_ASSERT_EQUAL(scenario_validate(&scn, &errs), 0);
}

/* ---- defaults ---- */

static void test_default(void)
{
	static const struct flow_step want[] = {
		{ .kind = FLOW_SEND, .method = SIP_INVITE, .sdp_offer = true },
		{ .kind = FLOW_EXPECT, .status = 100, .optional = true, .timeout_ms = 5000 },
		{ .kind = FLOW_EXPECT, .status = 180, .optional = true, .timeout_ms = 5000 },
		{ .kind = FLOW_EXPECT, .status = 200, .timeout_ms = 5000 },
		{ .kind = FLOW_SEND, .method = SIP_ACK },
		{ .kind = FLOW_MEDIA, .ms = 3000 },
		{ .kind = FLOW_SEND, .method = SIP_BYE },
		{ .kind = FLOW_EXPECT, .status = 200, .timeout_ms = 5000 },
	};
	scenario_default(&scn);
	CU_ASSERT_STRING_EQUAL(scn.path, "");
	CU_ASSERT_STRING_EQUAL(scn.host, "127.0.0.1");
	CU_ASSERT_EQUAL(scn.port, 5061);
	CU_ASSERT_STRING_EQUAL(scn.server_name, "uas.trunkload.test");
	CU_ASSERT_EQUAL(scn.tls_versions, TL_TLS1_2 | TL_TLS1_3);
	CU_ASSERT_EQUAL(scn.security_level, -1);
	CU_ASSERT_EQUAL(scn.expect_handshake, SCN_HS_OK);
	CU_ASSERT_EQUAL(scn.expect_min_days_valid, -1);
	CU_ASSERT_EQUAL(scn.transport, SCN_TLS);
	CU_ASSERT_EQUAL(scn.mode, SCN_TRUNK);
	CU_ASSERT_EQUAL(scn.connections, 1);
	CU_ASSERT_EQUAL(scn.rate, 10);
	CU_ASSERT_EQUAL(scn.calls, 10);
	CU_ASSERT_EQUAL(scn.max_concurrent, 10000);
	CU_ASSERT_STRING_EQUAL(scn.from, "sip:1018@{local_host}");
	CU_ASSERT_STRING_EQUAL(scn.to, "sip:9898@{target_host}:{target_port}");
	CU_ASSERT_EQUAL(scn.ptime_ms, 20);
	CU_ASSERT_EQUAL(scn.n_suites, 2);
	CU_ASSERT_EQUAL(scn.suites[0], SDES_AES_CM_128_HMAC_SHA1_80);
	CU_ASSERT_EQUAL(scn.suites[1], SDES_AES_CM_128_HMAC_SHA1_32);
	CU_ASSERT_EQUAL(scn.media_ms, -1);
	CU_ASSERT_EQUAL(scn.n_thresholds, 0);
	CU_ASSERT_EQUAL_FATAL(scn.n_flow, sizeof(want) / sizeof(want[0]));
	for (unsigned i = 0; i < scn.n_flow; i++) {
		CU_ASSERT_EQUAL(scn.flow[i].kind, want[i].kind);
		CU_ASSERT_EQUAL(scn.flow[i].method, want[i].method);
		CU_ASSERT_EQUAL(scn.flow[i].sdp_offer, want[i].sdp_offer);
		CU_ASSERT_EQUAL(scn.flow[i].status, want[i].status);
		CU_ASSERT_EQUAL(scn.flow[i].optional, want[i].optional);
		CU_ASSERT_EQUAL(scn.flow[i].timeout_ms, want[i].timeout_ms);
		CU_ASSERT_EQUAL(scn.flow[i].ms, want[i].ms);
	}
	CU_ASSERT_EQUAL(scenario_validate(&scn, &errs), 0);
	CU_ASSERT_STRING_EQUAL(scn_mode_name(SCN_PER_CALL), "per_call");
}

/* An empty file is the built-in call, named for the file. */
static void test_empty_object_is_default(void)
{
	struct scenario def;
	scenario_default(&def);
	CU_ASSERT_EQUAL_FATAL(load("{}", "dir/my-test.json"), 0);
	CU_ASSERT_STRING_EQUAL(scn.name, "my-test");
	CU_ASSERT_STRING_EQUAL(scn.path, "dir/my-test.json");
	memcpy(def.name, scn.name, sizeof(def.name));
	memcpy(def.path, scn.path, sizeof(def.path));
	CU_ASSERT(memcmp(&def, &scn, sizeof(def)) == 0);
}

/* A target host without a server_name is checked under its own name; a target that
 * only moves the port keeps the lab's name for the lab's host. */
static void test_server_name_follows_host(void)
{
	CU_ASSERT_EQUAL_FATAL(load("{ \"target\": { \"host\": \"cucm-b.example.com\" } }", "/t.json"), 0);
	CU_ASSERT_STRING_EQUAL(scn.host, "cucm-b.example.com");
	CU_ASSERT_STRING_EQUAL(scn.server_name, "");
	CU_ASSERT_EQUAL_FATAL(load("{ \"target\": { \"port\": 5062 } }", "/t.json"), 0);
	CU_ASSERT_STRING_EQUAL(scn.host, "127.0.0.1");
	CU_ASSERT_STRING_EQUAL(scn.server_name, "uas.trunkload.test");
}

/* target.hosts: a trunk's destinations, each with its name and weight; --target's list;
 * what is refused, naming the key. */
static void test_destinations(void)
{
	CU_ASSERT_EQUAL_FATAL(load("{ \"target\": { \"hosts\": [\"10.0.0.2:5062\", \"cucm-c\",\n"
				   "  {\"host\": \"10.0.0.4\", \"weight\": 3, \"server_name\": \"n4.example\"}],\n"
				   "  \"distribution\": \"weighted\", \"server_name\": \"cluster.example\" },\n"
				   " \"thresholds\": { \"calls.failed_pct@10.0.0.4:5061\": {\"max\": 1},\n"
				   "  \"latency_ms.invite_to_200@cucm-c\": {\"p99\": {\"max\": 50}} } }",
				   "/t.json"), 0);
	CU_ASSERT_EQUAL(scn_n_dests(&scn), 3);
	CU_ASSERT_EQUAL(scn.distribution, DEST_WEIGHTED);
	CU_ASSERT_STRING_EQUAL(scn.host, "10.0.0.2"); /* the first, for what names one target */
	CU_ASSERT_EQUAL(scn.port, 5062);
	struct scn_dest_view d = scn_dest(&scn, 1);
	CU_ASSERT(!strcmp(d.host, "cucm-c") && d.port == 5061 && d.weight == 1 &&
		  !strcmp(d.server_name, "cluster.example"));
	d = scn_dest(&scn, 2);
	CU_ASSERT(d.weight == 3 && !strcmp(d.server_name, "n4.example"));
	CU_ASSERT_EQUAL(scn_dest_index(&scn, "10.0.0.4"), 2);
	CU_ASSERT_EQUAL(scn_dest_index(&scn, "10.0.0.4:5062"), -1);
	CU_ASSERT_STRING_EQUAL(scn.thresholds[0].metric, "calls.failed_pct");
	CU_ASSERT_STRING_EQUAL(scn.thresholds[0].at, "10.0.0.4:5061");
	CU_ASSERT_STRING_EQUAL(scn.thresholds[1].metric, "latency_ms.invite_to_200");
	CU_ASSERT_STRING_EQUAL(scn.thresholds[1].stat, "p99");
	/* without a name of their own, each is checked against its host */
	CU_ASSERT_EQUAL_FATAL(load("{ \"target\": { \"hosts\": [\"a:5061\", \"b:5061\"] } }", "/t.json"), 0);
	CU_ASSERT_STRING_EQUAL(scn_dest(&scn, 1).server_name, "b");

	const char *list, *bad_item;
	size_t bad_len;
	scenario_default(&scn);
	CU_ASSERT(scn_set_targets(&scn, "127.0.0.2:5070,127.0.0.3", &bad_item, &bad_len) == 0);
	CU_ASSERT(scn_n_dests(&scn) == 2 && scn_dest(&scn, 1).port == 5061 && scn.port == 5070);
	CU_ASSERT(scn_set_targets(&scn, "127.0.0.9:5061", &bad_item, &bad_len) == 0);
	CU_ASSERT(scn_n_dests(&scn) == 1 && !strcmp(scn.host, "127.0.0.9"));
	list = "a:1,b:0";
	CU_ASSERT(scn_set_targets(&scn, list, &bad_item, &bad_len) == -ERANGE);
	CU_ASSERT(bad_item == list + 4 && bad_len == 3);
	CU_ASSERT(scn_set_targets(&scn, "a:1,,b", &bad_item, &bad_len) == -EINVAL && bad_len == 0);
	CU_ASSERT(scn_set_targets(&scn, "a:1,b:2,A:1", &bad_item, &bad_len) == -EEXIST); /* names: any case */
	CU_ASSERT(scn_set_targets(&scn, "a,b,c,d,e,f,g,h,i,j,k,l,m,n,o,p,q", &bad_item, &bad_len) == -E2BIG);
	/* sips:DOMAIN: resolved by NAPTR and SRV; with a port or an address, dialled as is
	 * (RFC 3263 4.2) */
	CU_ASSERT(scn_set_targets(&scn, "sips:Example.com", &bad_item, &bad_len) == 0);
	CU_ASSERT(scn.resolve == SCN_RESOLVE_SRV && !strcmp(scn.host, "Example.com") && scn_n_dests(&scn) == 1);
	CU_ASSERT(scn_set_targets(&scn, "sips:example.com:5070", &bad_item, &bad_len) == 0);
	CU_ASSERT(scn.resolve == SCN_RESOLVE_ADDRESS && scn.port == 5070);
	CU_ASSERT(scn_set_targets(&scn, "sip:[2001:db8::1]", &bad_item, &bad_len) == 0);
	CU_ASSERT(scn.resolve == SCN_RESOLVE_ADDRESS && !strcmp(scn.host, "2001:db8::1") && scn.port == 5061);
	CU_ASSERT(scn_set_targets(&scn, "sips:192.0.2.1", &bad_item, &bad_len) == 0 &&
		  scn.resolve == SCN_RESOLVE_ADDRESS);
	CU_ASSERT(scn_set_targets(&scn, "sips:a.test,b.test", &bad_item, &bad_len) == -EINVAL);
	CU_ASSERT(scn_set_targets(&scn, "sips:alice@a.test", &bad_item, &bad_len) == -EINVAL);
	CU_ASSERT(scn_set_targets(&scn, "127.0.0.9", &bad_item, &bad_len) == 0 &&
		  scn.resolve == SCN_RESOLVE_ADDRESS); /* a list again: addresses */
	CU_ASSERT_EQUAL_FATAL(load("{\"target\": {\"host\": \"trunk.test\", \"resolve\": \"srv\"}}", "/t.json"), 0);
	CU_ASSERT(scn.resolve == SCN_RESOLVE_SRV);

	static const struct {
		const char *json, *error;
	} bad[] = {
		{ "{\"target\": {\"host\": \"x\", \"hosts\": [\"a\"]}}",
		  "target.hosts: expected either target.hosts or target.host and port, got both" },
		{ "{\"target\": {\"hosts\": []}}", "target.hosts: expected a list of 1-16 destinations" },
		{ "{\"target\": {\"hosts\": [\"a:99999\"]}}", "target.hosts[0]: expected \"HOST:PORT\"" },
		{ "{\"target\": {\"hosts\": [{\"port\": 5061}]}}", "target.hosts[0].host: missing" },
		{ "{\"target\": {\"hosts\": [\"a\", \"A:5061\"]}}",
		  "target.hosts[1]: expected each destination once, got A:5061 again (target.hosts[0])" },
		{ "{\"target\": {\"hosts\": [{\"host\": \"a\", \"weight\": 2}, \"b\"]}}",
		  "target.hosts[0].weight: expected target.distribution \"weighted\" for weights, got \"round_robin\"" },
		{ "{\"target\": {\"host\": \"t.test\", \"port\": 5070, \"resolve\": \"srv\"}}",
		  "target.resolve: srv takes target.host, a domain, alone (its SRV records name the hosts, "
		  "ports, priorities and weights), got target.port too" },
		{ "{\"target\": {\"resolve\": \"naptr\"}}", "target.resolve: expected address or srv, got \"naptr\"" },
		{ "{\"target\": {\"distribution\": \"random\"}}",
		  "target.distribution: expected round_robin, weighted or failover" },
		{ "{\"thresholds\": {\"srtp.lost@a:5061\": {\"max\": 0}}}",
		  "thresholds.srtp.lost@a:5061: expected METRIC@HOST:PORT with a metric a destination has" },
	};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		CU_ASSERT(load(bad[i].json, "/t.json") != 0);
		CHECK(has_error(bad[i].error), "%s gives \"%s\" (first: %s)", bad[i].json, bad[i].error,
		      errs.n ? errs.msg[0] : "none");
	}
	/* a threshold's destination is looked up once the flags (--target) are applied */
	CU_ASSERT_EQUAL_FATAL(load("{\"target\": {\"hosts\": [\"a\", \"b\"]}, \"thresholds\": "
				   "{\"calls.failed@c:5061\": {\"max\": 0}}}", "/t.json"), 0);
	CU_ASSERT(scenario_validate(&scn, &errs) != 0);
	CU_ASSERT(has_error("/t.json: thresholds.calls.failed@c:5061: expected one of the target's "
			    "destinations (a:5061, b:5061), got c:5061"));
	CU_ASSERT(scn_set_targets(&scn, "a,c", &bad_item, &bad_len) == 0);
	CU_ASSERT(scenario_validate(&scn, &errs) == 0);
}

/* transport.options_ping_s on a trunk; a responder's answer to pings. */
static void test_keepalive_keys(void)
{
	CU_ASSERT_EQUAL_FATAL(load("{ \"transport\": { \"options_ping_s\": 60 } }", "/t.json"), 0);
	CU_ASSERT_EQUAL(scn.options_ping_s, 60);
	CU_ASSERT(load("{ \"transport\": { \"mode\": \"per_call\", \"options_ping_s\": 5 } }", "/t.json"));
	CU_ASSERT(has_error("transport.options_ping_s: expected with transport.mode trunk only"));
	CU_ASSERT(load("{ \"transport\": { \"options_ping_s\": 3601 } }", "/t.json"));
	CU_ASSERT(has_error("transport.options_ping_s: expected seconds 0-3600"));
	CU_ASSERT_EQUAL_FATAL(load("{ \"role\": \"uas\", \"options\": { \"status\": \"no_answer\", "
				   "\"after_s\": 2, \"for_s\": 3 } }", "/u.json"), 0);
	CU_ASSERT(scn.uas.options.set && scn.uas.options.status == SCN_NO_ANSWER &&
		  scn.uas.options.after_s == 2 && scn.uas.options.for_s == 3);
	CU_ASSERT(load("{ \"role\": \"uas\", \"options\": { \"status\": 100 } }", "/u.json"));
	CU_ASSERT(has_error("options.status: expected a status 200-699 or \"no_answer\", got 100"));
	CU_ASSERT(load("{ \"options\": { \"status\": 503 } }", "/r.json"));
	CU_ASSERT(has_error("options: expected only in a responder's behaviour"));
}

/* Values a file sets, one per key, read back. */
static void test_values(void)
{
	const char *json =
		"{ \"name\": \"neg\", \"description\": \"x\",\n"
		"  \"target\": { \"host\": \"sbc.example\", \"port\": 5062, \"server_name\": \"\" },\n"
		"  \"tls\": { \"cert\": \"/c.crt\", \"key\": \"/c.key\", \"ca\": \"/ca.crt\",\n"
		"    \"versions\": [\"TLSv1\", \"TLSv1.1\"], \"ciphers\": \"AES128-SHA\", \"security_level\": 0,\n"
		"    \"expect_peer\": { \"subject_cn\": \"cucm-b\", \"min_days_valid\": 30 },\n"
		"    \"expect_handshake\": \"rejected\" },\n"
		"  \"transport\": { \"type\": \"tls\", \"mode\": \"per_call\", \"connections\": 2,\n"
		"    \"source\": \"10.0.0.254-10.0.1.2\" },\n"
		"  \"load\": { \"rate\": 0.5, \"ramp_s\": 2.5, \"calls\": 7, \"duration_s\": 9, \"max_concurrent\": 3 },\n"
		"  \"call\": { \"from\": \"sip:a@b\", \"to\": \"sip:c@d\", \"flow\": [\n"
		"    { \"send\": \"INVITE\", \"sdp\": \"none\" }, { \"expect\": 180, \"timeout_ms\": 100 },\n"
		"    { \"send\": \"CANCEL\" }, { \"expect\": 200 }, { \"expect\": 487, \"optional\": false },\n"
		"    { \"pause_ms\": 250 } ] },\n"
		"  \"media\": { \"codec\": \"PCMU\", \"ptime_ms\": 30, \"crypto\": [\"AEAD_AES_256_GCM\"] },\n"
		"  \"thresholds\": { \"calls.cps\": { \"min\": 0.4, \"max\": 0.6 },\n"
		"    \"latency_ms.tls_handshake\": { \"p50\": { \"max\": 5 }, \"max\": { \"max\": 50 } } } }";
	int rc = load(json, "/etc/neg.json");
	if (rc)
		dump_errors("values");
	CU_ASSERT_EQUAL_FATAL(rc, 0);
	CU_ASSERT_STRING_EQUAL(scn.name, "neg");
	CU_ASSERT_STRING_EQUAL(scn.host, "sbc.example");
	CU_ASSERT_EQUAL(scn.port, 5062);
	CU_ASSERT_STRING_EQUAL(scn.server_name, "");
	CU_ASSERT_STRING_EQUAL(scn.cert, "/c.crt");
	CU_ASSERT_STRING_EQUAL(scn.key, "/c.key");
	CU_ASSERT_STRING_EQUAL(scn.ca, "/ca.crt");
	CU_ASSERT_EQUAL(scn.tls_versions, TL_TLS1_0 | TL_TLS1_1);
	CU_ASSERT_STRING_EQUAL(scn.ciphers, "AES128-SHA");
	CU_ASSERT_EQUAL(scn.security_level, 0);
	CU_ASSERT_STRING_EQUAL(scn.expect_subject_cn, "cucm-b");
	CU_ASSERT_EQUAL(scn.expect_min_days_valid, 30);
	CU_ASSERT_EQUAL(scn.expect_handshake, SCN_HS_REJECTED);
	CU_ASSERT_EQUAL(scn.mode, SCN_PER_CALL);
	CU_ASSERT_EQUAL(scn.connections, 2);
	CU_ASSERT_STRING_EQUAL(scn.source, "10.0.0.254-10.0.1.2");
	CU_ASSERT_EQUAL(scn.source_range.family, AF_INET);
	CU_ASSERT_EQUAL(memcmp(scn.source_range.first, "\x0a\x00\x00\xfe", 4), 0);
	CU_ASSERT_EQUAL(scn.source_range.n, 5);
	CU_ASSERT_EQUAL(scn.rate, 0.5);
	CU_ASSERT_EQUAL(scn.ramp_s, 2.5);
	CU_ASSERT_EQUAL(scn.calls, 7);
	CU_ASSERT_EQUAL(scn.duration_s, 9);
	CU_ASSERT_EQUAL(scn.max_concurrent, 3);
	CU_ASSERT_STRING_EQUAL(scn.from, "sip:a@b");
	CU_ASSERT_STRING_EQUAL(scn.to, "sip:c@d");
	CU_ASSERT_EQUAL_FATAL(scn.n_flow, 6);
	CU_ASSERT_FALSE(scn.flow[0].sdp_offer);
	CU_ASSERT_EQUAL(scn.flow[1].timeout_ms, 100);
	CU_ASSERT_EQUAL(scn.flow[2].method, SIP_CANCEL);
	CU_ASSERT_EQUAL(scn.flow[3].timeout_ms, 5000);
	CU_ASSERT_EQUAL(scn.flow[4].status, 487);
	CU_ASSERT_EQUAL(scn.flow[5].kind, FLOW_PAUSE);
	CU_ASSERT_EQUAL(scn.flow[5].ms, 250);
	CU_ASSERT_EQUAL(scn.ptime_ms, 30);
	CU_ASSERT_EQUAL(scn.n_suites, 1);
	CU_ASSERT_EQUAL(scn.suites[0], SDES_AEAD_AES_256_GCM);
	CU_ASSERT_EQUAL_FATAL(scn.n_thresholds, 3);
	CU_ASSERT(scn.thresholds[0].has_min && scn.thresholds[0].has_max);
	CU_ASSERT_EQUAL(scn.thresholds[0].min, 0.4);
	CU_ASSERT_STRING_EQUAL(scn.thresholds[1].stat, "p50");
	CU_ASSERT_STRING_EQUAL(scn.thresholds[2].metric, "latency_ms.tls_handshake");
	CU_ASSERT_STRING_EQUAL(scn.thresholds[2].stat, "max");
	CU_ASSERT_EQUAL(scn.thresholds[2].max, 50);
}

/* ---- bad input: one error each, its path and message ---- */

static const struct {
	const char *json;
	const char *want; /* after "scn.json: " */
} bad_cases[] = {
	/* the brief's examples */
	{ "{\"load\": {\"rate\": \"fast\"}}", "load.rate: expected a number > 0, got \"fast\"" },
	{ "{\"call\": {\"flow\": [{\"send\": \"INVITE\"}, {\"expect\": 100}, {\"expect\": 180},"
	  " {\"expect\": 42}]}}", "call.flow[3].expect: expected a status code 100-699 or \"BYE\", got 42" },
	{ "{\"tls\": {\"versions\": [\"TLSv1.2\", \"SSLv3\"]}}",
	  "tls.versions[1]: expected one of TLSv1.0 TLSv1.1 TLSv1.2 TLSv1.3, got \"SSLv3\"" },
	{ "{\"bogus\": 1}", "bogus: unknown key" },
	/* top level and syntax */
	{ "[1, 2]", "(top level): expected an object, got [1,2]" },
	{ "{\n  \"load\": {\n    \"rate\": 10,\n  }\n}", "line 4, column 3: expected valid JSON, got \"}\"" },
	{ "{\"name\": \"a\"} x", "line 1, column 15: expected end of file after the top-level value, got \"x\"" },
	{ "", "line 1, column 1: expected valid JSON, got end of file" },
	{ "{\"name\": \"caf\xc3\xa9\", \"x\" 1}", "line 1, column 22: expected valid JSON, got \"1}\"" },
	{ "{\"name\": \"a\", \"name\": \"b\"}", "name: expected each key once, got it again" },
	{ "{\"name\": \"\"}", "name: expected a non-empty string, got \"\"" },
	{ "{\"name\": \"" "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
	  "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa\"}",
	  "name: expected a string of at most 127 bytes, got 128 bytes" },
	{ "{\"description\": [\"x\"]}", "description: expected a string, got [\"x\"]" },
	{ "{\"Name\": \"x\"}", "Name: unknown key" },
	/* target */
	{ "{\"target\": []}", "target: expected an object, got []" },
	{ "{\"target\": {\"port\": \"5061\"}}", "target.port: expected a port number 1-65535, got \"5061\"" },
	{ "{\"target\": {\"port\": 70000}}", "target.port: expected a port number 1-65535, got 70000" },
	{ "{\"target\": {\"port\": 5061.5}}", "target.port: expected a port number 1-65535, got 5061.5" },
	{ "{\"target\": {\"host\": \"\"}}", "target.host: expected a non-empty string, got \"\"" },
	{ "{\"target\": {\"host\": null}}", "target.host: expected a non-empty string, got null" },
	{ "{\"target\": {\"hots\": \"x\"}}", "target.hots: unknown key" },
	/* tls */
	{ "{\"tls\": {\"cert\": 5, \"key\": \"k\"}}", "tls.cert: expected a non-empty string, got 5" },
	{ "{\"tls\": {\"versions\": []}}", "tls.versions: expected a non-empty array of TLS versions, got []" },
	{ "{\"tls\": {\"versions\": \"TLSv1.3\"}}", "tls.versions: expected a non-empty array of TLS versions, got \"TLSv1.3\"" },
	{ "{\"tls\": {\"security_level\": 6}}", "tls.security_level: expected an integer 0-5, got 6" },
	{ "{\"tls\": {\"ciphers\": false}}", "tls.ciphers: expected a string, got false" },
	{ "{\"tls\": {\"expect_handshake\": \"refused\"}}", "tls.expect_handshake: expected one of ok rejected, got \"refused\"" },
	{ "{\"tls\": {\"expect_peer\": \"cucm\"}}", "tls.expect_peer: expected an object, got \"cucm\"" },
	{ "{\"tls\": {\"expect_peer\": {\"min_days_valid\": -1}}}", "tls.expect_peer.min_days_valid: expected an integer 0-100000, got -1" },
	{ "{\"tls\": {\"expect_peer\": {\"subject\": \"x\"}}}", "tls.expect_peer.subject: unknown key" },
	/* transport */
	{ "{\"transport\": {\"type\": \"udp\"}}", "transport.type: expected one of tls tcp, got \"udp\"" },
	{ "{\"transport\": {\"mode\": \"trunks\"}}", "transport.mode: expected one of trunk per_call handshake, got \"trunks\"" },
	{ "{\"transport\": {\"connections\": 0}}", "transport.connections: expected an integer 1-65535, got 0" },
	{ "{\"transport\": {\"source\": \"10.0.0.5-10.0.0.1\"}}",
	  "transport.source: expected an IP address or a range A-B (the same but for the last 16 bits), got \"10.0.0.5-10.0.0.1\"" },
	{ "{\"transport\": {\"source\": \"localhost\"}}",
	  "transport.source: expected an IP address or a range A-B (the same but for the last 16 bits), got \"localhost\"" },
	{ "{\"transport\": {\"source\": \"10.0.0.1-2001:db8::1\"}}",
	  "transport.source: expected an IP address or a range A-B (the same but for the last 16 bits), got \"10.0.0.1-2001:db8::1\"" },
	{ "{\"transport\": {\"source\": \"2001:db8::1-2001:db9::1\"}}",
	  "transport.source: expected an IP address or a range A-B (the same but for the last 16 bits), got \"2001:db8::1-2001:db9::1\"" },
	{ "{\"target\": {\"family\": \"ip6\"}}", "target.family: expected any, ipv4 or ipv6, got \"ip6\"" },
	{ "{\"load\": {\"hold_ms\": 5}}",
	  "load.hold_ms: expected with transport.mode handshake only (a call's own pause steps hold it otherwise), got mode trunk" },
	{ "{\"load\": {\"hold_ms\": -1}}", "load.hold_ms: expected milliseconds 0-86400000, got -1" },
	/* load */
	{ "{\"load\": {\"rate\": 0}}", "load.rate: expected a number > 0, got 0" },
	{ "{\"load\": {\"rate\": 1e12}}", "load.rate: expected at most 10000000 calls/s, got 1e+12" },
	{ "{\"load\": {\"calls\": 1.5}}", "load.calls: expected an integer >= 0, got 1.5" },
	{ "{\"load\": {\"calls\": -3}}", "load.calls: expected an integer >= 0, got -3" },
	{ "{\"load\": {\"ramp_s\": -1}}", "load.ramp_s: expected a number >= 0 and <= 31536000, got -1" },
	{ "{\"load\": {\"duration_s\": \"60\"}}", "load.duration_s: expected a number >= 0 and <= 31536000, got \"60\"" },
	{ "{\"load\": {\"max_concurrent\": 0}}", "load.max_concurrent: expected an integer 1-10000000, got 0" },
	{ "{\"load\": {\"max_concurrent\": 4000000000}}", "load.max_concurrent: expected an integer 1-10000000, got 4000000000" },
	{ "{\"load\": {\"rte\": 5}}", "load.rte: unknown key" },
	/* call */
	{ "{\"call\": {\"from\": \"\"}}", "call.from: expected a non-empty string, got \"\"" },
	{ "{\"call\": {\"flow\": {}}}", "call.flow: expected an array of steps, got {}" },
	{ "{\"call\": {\"flow\": []}}", "call.flow: expected 1-32 steps, got 0" },
	{ "{\"call\": {\"flow\": [1]}}", "call.flow[0]: expected a step object such as {\"send\": \"INVITE\"}, got 1" },
	{ "{\"call\": {\"flow\": [{\"send\": \"REGISTER\"}]}}",
	  "call.flow[0].send: expected one of INVITE ACK BYE CANCEL OPTIONS UPDATE, got \"REGISTER\"" },
	{ "{\"call\": {\"flow\": [{\"send\": \"invite\"}]}}",
	  "call.flow[0].send: expected one of INVITE ACK BYE CANCEL OPTIONS UPDATE, got \"invite\"" },
	{ "{\"call\": {\"flow\": [{\"send\": \"INVITE\", \"expect\": 200}]}}",
	  "call.flow[0]: expected exactly one of send, expect, pause_ms, media, dtmf, expect_dtmf, got {\"send\":\"INVITE\",\"expect\":200}" },
	{ "{\"call\": {\"flow\": [{\"sned\": \"INVITE\"}]}}",
	  "call.flow[0]: expected exactly one of send, expect, pause_ms, media, dtmf, expect_dtmf, got {\"sned\":\"INVITE\"}" },
	{ "{\"call\": {\"flow\": [{\"Send\": \"INVITE\"}]}}",
	  "call.flow[0]: expected exactly one of send, expect, pause_ms, media, dtmf, expect_dtmf, got {\"Send\":\"INVITE\"}" },
	{ "{\"load\": {\"Duration_s\": 60}}", "load.Duration_s: unknown key" },
	{ "{\"call\": {\"flow\": [{\"send\": \"INVITE\", \"timeout_ms\": 5}]}}",
	  "call.flow[0].timeout_ms: unknown key (a send step takes send, sdp, headers, direction, rekey)" },
	{ "{\"call\": {\"flow\": [{\"send\": \"INVITE\", \"sdp\": \"answer\"}]}}",
	  "call.flow[0].sdp: expected offer or none (only ACK carries an answer), got \"answer\"" },
	{ "{\"call\": {\"flow\": [{\"send\": \"INVITE\"}, {\"expect\": 200}, {\"send\": \"ACK\", \"sdp\": \"offer\"}]}}",
	  "call.flow[2].sdp: expected none (only INVITE and UPDATE carry an offer), got \"offer\"" },
	{ "{\"call\": {\"flow\": [{\"send\": \"INVITE\"}, {\"expect\": 200, \"optional\": \"yes\"}]}}",
	  "call.flow[1].optional: expected true or false, got \"yes\"" },
	{ "{\"call\": {\"flow\": [{\"send\": \"INVITE\"}, {\"expect\": 200, \"timeout_ms\": 0}]}}",
	  "call.flow[1].timeout_ms: expected an integer 1-600000, got 0" },
	{ "{\"call\": {\"flow\": [{\"send\": \"INVITE\"}, {\"pause_ms\": -5}]}}",
	  "call.flow[1].pause_ms: expected an integer 0-86400000, got -5" },
	{ "{\"call\": {\"flow\": [{\"send\": \"INVITE\"}, {\"expect\": 200}, {\"send\": \"ACK\"}, {\"media\": {}}]}}",
	  "call.flow[3].media.duration_ms: expected an integer 0-86400000, got nothing" },
	{ "{\"call\": {\"flow\": [{\"send\": \"INVITE\"}, {\"expect\": 200}, {\"send\": \"ACK\"}, {\"media\": 3000}]}}",
	  "call.flow[3].media: expected an object, got 3000" },
	/* flow order (cross-field) */
	{ "{\"call\": {\"flow\": [{\"expect\": 200}]}}",
	  "call.flow[0]: expected the flow to start with {\"send\": \"INVITE\"} or {\"send\": \"OPTIONS\"}, got {\"expect\": 200}" },
	{ "{\"call\": {\"flow\": [{\"send\": \"INVITE\"}, {\"expect\": 180}, {\"send\": \"ACK\"}]}}",
	  "call.flow[2].send: expected ACK only right after an expect of a 2xx to INVITE, got \"ACK\"" },
	{ "{\"call\": {\"flow\": [{\"send\": \"INVITE\"}, {\"expect\": 200, \"optional\": true}, {\"send\": \"ACK\"}]}}",
	  "call.flow[2].send: expected ACK only right after" },
	{ "{\"call\": {\"flow\": [{\"send\": \"INVITE\"}, {\"expect\": 486}, {\"send\": \"ACK\"}]}}",
	  "call.flow[2].send: expected ACK only right after" },
	{ "{\"call\": {\"flow\": [{\"send\": \"INVITE\"}, {\"expect\": 486}, {\"send\": \"BYE\"}]}}",
	  "call.flow[2].send: expected BYE only in a call answered with a 2xx to INVITE, got \"BYE\"" },
	{ "{\"call\": {\"flow\": [{\"send\": \"INVITE\"}, {\"expect\": 180}, {\"send\": \"BYE\"}]}}",
	  "call.flow[2].send: expected an expect of the final response before sending another request, got \"BYE\"" },
	{ "{\"call\": {\"flow\": [{\"send\": \"INVITE\"}, {\"expect\": 200}, {\"send\": \"CANCEL\"}]}}",
	  "call.flow[2].send: expected CANCEL only while an INVITE awaits its final response, got \"CANCEL\"" },
	{ "{\"call\": {\"flow\": [{\"send\": \"INVITE\"}, {\"expect\": 200}, {\"send\": \"ACK\"}, {\"expect\": 200}]}}",
	  "call.flow[3].expect: expected a request awaiting a response before it, got 200 with none outstanding" },
	{ "{\"call\": {\"flow\": [{\"send\": \"INVITE\"}, {\"media\": {\"duration_ms\": 10}}]}}",
	  "call.flow[1].media: expected media only in a call answered with a 2xx to an INVITE with an SDP offer" },
	{ "{\"call\": {\"flow\": [{\"send\": \"INVITE\", \"sdp\": \"none\"}, {\"expect\": 200}, {\"send\": \"ACK\"},"
	  " {\"media\": {\"duration_ms\": 10}}]}}",
	  "call.flow[3].media: expected media only in a call answered with a 2xx to an INVITE with an SDP offer, or whose 2xx offer the ACK answered" },
	{ "{\"call\": {\"flow\": [{\"send\": \"INVITE\"}, {\"expect\": 200}, {\"send\": \"ACK\", \"sdp\": \"answer\"},"
	  " {\"send\": \"BYE\"}, {\"expect\": 200}]}}",
	  "call.flow[2].sdp: expected none: the INVITE offered, its 2xx answered, got \"answer\"" },
	{ "{\"call\": {\"flow\": [{\"send\": \"INVITE\"}, {\"expect\": \"BYE\"}]}}",
	  "call.flow[1].expect: expected the far end's BYE only in a call answered with a 2xx to INVITE" },
	{ "{\"call\": {\"flow\": [{\"send\": \"INVITE\"}, {\"expect\": \"CANCEL\"}]}}",
	  "call.flow[1].expect: expected a status code 100-699 or \"BYE\", got \"CANCEL\"" },
	{ "{\"call\": {\"session_timer\": {\"expires_s\": 1}}}",
	  "call.session_timer.expires_s: expected seconds 2-86400, got 1" },
	{ "{\"call\": {\"session_timer\": {\"expires_s\": 90, \"min_se_s\": 120}}}",
	  "call.session_timer.min_se_s: expected at most expires_s (90), got 120" },
	{ "{\"call\": {\"session_timer\": {\"refresher\": \"proxy\"}}}",
	  "call.session_timer.refresher: expected one of uac uas, got \"proxy\"" },
	{ "{\"call\": {\"flow\": [{\"send\": \"INVITE\"}, {\"expect\": 200}, {\"send\": \"ACK\"}, {\"send\": \"BYE\"},"
	  " {\"expect\": 200}, {\"media\": {\"duration_ms\": 10}}]}}",
	  "call.flow[5].media: expected media only in a call answered" },
	/* media */
	{ "{\"media\": {\"codec\": \"G729\"}}", "media.codec: expected PCMU or PCMA, got \"G729\"" },
	{ "{\"media\": {\"codecs\": [\"PCMA\", \"G729\"]}}", "media.codecs[1]: expected PCMU or PCMA, got \"G729\"" },
	{ "{\"media\": {\"codecs\": [\"PCMA\", \"PCMA\"]}}", "media.codecs[1]: expected each codec once, got \"PCMA\" again" },
	{ "{\"media\": {\"codecs\": []}}", "media.codecs: expected a list of 1-2 codecs such as [\"PCMA\", \"PCMU\"], got []" },
	{ "{\"media\": {\"codec\": \"PCMU\", \"codecs\": [\"PCMA\"]}}", "media.codecs: expected codec or codecs, not both, got both" },
	{ "{\"media\": {\"ptime_ms\": 25}}", "media.ptime_ms: expected a multiple of 10 from 10 to 60, got 25" },
	{ "{\"media\": {\"ptime_ms\": 70}}", "media.ptime_ms: expected a multiple of 10 from 10 to 60, got 70" },
	{ "{\"media\": {\"key_lifetime\": \"2^5\"}}", "media.key_lifetime: expected packets from 64 to 2^48: a number, or \"2^N\" with N from 6 to 48, got \"2^5\"" },
	{ "{\"media\": {\"key_lifetime\": \"2^49\"}}", "media.key_lifetime: expected packets from 64 to 2^48" },
	{ "{\"media\": {\"key_lifetime\": \"3^10\"}}", "media.key_lifetime: expected packets from 64 to 2^48" },
	{ "{\"media\": {\"key_lifetime\": \"2^10x\"}}", "media.key_lifetime: expected packets from 64 to 2^48" },
	{ "{\"media\": {\"key_lifetime\": 63}}", "media.key_lifetime: expected packets from 64 to 2^48: a number, or \"2^N\" with N from 6 to 48, got 63" },
	{ "{\"media\": {\"key_lifetime\": 100.5}}", "media.key_lifetime: expected packets from 64 to 2^48" },
	{ "{\"media\": {\"rekey_on_lifetime\": \"no\"}}", "media.rekey_on_lifetime: expected true or false, got \"no\"" },
	{ "{\"media\": {\"ports\": \"per_worker\"}}", "media.ports: expected per_call or shared, got \"per_worker\"" },
	{ "{\"media\": {\"crypto\": []}}", "media.crypto: expected a non-empty array of SRTP suite names, got []" },
	{ "{\"media\": {\"crypto\": [\"AES_CM_128_HMAC_SHA1_80\", \"AES_CM_128_HMAC_SHA1_81\"]}}",
	  "media.crypto[1]: expected an SDES suite name such as AES_CM_128_HMAC_SHA1_80 or AEAD_AES_128_GCM, got \"AES_CM_128_HMAC_SHA1_81\"" },
	{ "{\"media\": {\"crypto\": [\"AEAD_AES_128_GCM\", \"AEAD_AES_128_GCM\"]}}",
	  "media.crypto[1]: expected each suite once, got \"AEAD_AES_128_GCM\"" },
	{ "{\"media\": {\"crypto\": [1,2,3,4,5,6,7,8,9]}}", "media.crypto: expected at most 8 suites, got 9" },
	/* thresholds */
	{ "{\"thresholds\": {\"calls.cpss\": {\"min\": 1}}}", "thresholds.calls.cpss: unknown key (not a known metric)" },
	{ "{\"thresholds\": {\"calls.cps\": 5}}", "thresholds.calls.cps: expected an object with min and/or max, got 5" },
	{ "{\"thresholds\": {\"calls.cps\": {}}}", "thresholds.calls.cps: expected an object with min and/or max, got {}" },
	{ "{\"thresholds\": {\"calls.cps\": {\"min\": 10, \"max\": 5}}}", "thresholds.calls.cps: expected min <= max, got min 10 > max 5" },
	{ "{\"thresholds\": {\"calls.cps\": {\"maximum\": 1}}}", "thresholds.calls.cps.maximum: unknown key (a threshold takes min, max)" },
	{ "{\"thresholds\": {\"srtp.lost\": {\"max\": -1}}}", "thresholds.srtp.lost.max: expected a number >= 0, got -1" },
	{ "{\"thresholds\": {\"srtp.lost\": {\"max\": \"0\"}}}", "thresholds.srtp.lost.max: expected a number >= 0, got \"0\"" },
	{ "{\"thresholds\": {\"latency_ms.invite_to_200\": {\"p95\": {\"max\": 1}}}}",
	  "thresholds.latency_ms.invite_to_200.p95: unknown key (latency stats: p50 p90 p99 p999 min max)" },
	{ "{\"thresholds\": {\"latency_ms.invite_to_200\": {\"max\": 200}}}",
	  "thresholds.latency_ms.invite_to_200.max: expected an object with min and/or max, got 200" },
	{ "{\"thresholds\": {\"latency_ms.invite_to_200\": {}}}",
	  "thresholds.latency_ms.invite_to_200: expected an object of stats such as {\"p99\": {\"max\": 200}}, got {}" },
	{ "{\"thresholds\": {\"latency_ms.invite_to_300\": {\"p99\": {\"max\": 1}}}}",
	  "thresholds.latency_ms.invite_to_300: unknown key" },
	{ "{\"thresholds\": {\"calls.failed\": {\"max\": 0}, \"calls.failed\": {\"max\": 1}}}",
	  "thresholds.calls.failed: expected each key once, got it again" },
	/* call.headers, step headers, header checks (issue 16) */
	{ "{\"call\": {\"headers\": {\"X-A\": \"1\\r\\nVia: evil\"}}}",
	  "call.headers.X-A: expected a value on one line (a line break would start a header of its own), got a carriage return or line feed" },
	{ "{\"call\": {\"headers\": {\"X-A: b\": \"1\"}}}",
	  "call.headers: expected a header name of at most 63 letters, digits and -.!%*_+`'~ (no colon, space or line break), got \"X-A: b\"" },
	{ "{\"call\": {\"headers\": {\"X-A\\r\\nB\": \"1\"}}}",
	  "call.headers: expected a header name of at most 63 letters" },
	{ "{\"call\": {\"headers\": {\"call-id\": \"1\"}}}",
	  "call.headers.call-id: expected a header trunkload does not write itself" },
	{ "{\"call\": {\"headers\": {\"X-A\": 5}}}",
	  "call.headers.X-A: expected a string (the header's value), got 5" },
	{ "{\"call\": {\"headers\": {\"X-A\": \"{nosuch}\"}}}",
	  "call.headers.X-A: expected {NAME} to name local_host, target_host, target_port, call_number, call_id, shard, got {nosuch}" },
	{ "{\"call\": {\"to\": \"sip:{to@h\"}}",
	  "call.to: expected each { closed by } around a name, got \"{to@h\"" },
	{ "{\"call\": {\"flow\": [{\"send\": \"INVITE\", \"headers\": {\"Reason\": \"{to}\"}}, {\"expect\": 200}]}}",
	  "call.flow[0].headers.Reason: expected {NAME} to name" },
	{ "{\"call\": {\"flow\": [{\"send\": \"INVITE\"}, {\"expect\": 200, \"headers\": {\"Server\": \"(\"}}]}}",
	  "call.flow[1].headers.Server: expected a regular expression (POSIX extended), got \"(\"" },
	{ "{\"call\": {\"flow\": [{\"send\": \"INVITE\"}, {\"expect\": 200, \"headers\": {\"Server\": true}}]}}",
	  "call.flow[1].headers.Server: expected a regular expression (POSIX extended) as a string, got true" },
	/* re-INVITEs */
	{ "{\"call\": {\"flow\": [{\"send\": \"INVITE\", \"direction\": \"sendonly\"}, {\"expect\": 200}]}}",
	  "call.flow[0].direction: expected only on a re-INVITE, in a call answered with a 2xx" },
	{ "{\"call\": {\"flow\": [{\"send\": \"INVITE\"}, {\"expect\": 200}, {\"send\": \"ACK\"},"
	  " {\"send\": \"BYE\", \"rekey\": true}, {\"expect\": 200}]}}",
	  "call.flow[3].rekey: expected only on a re-INVITE or an UPDATE, got it on BYE" },
	{ "{\"call\": {\"flow\": [{\"send\": \"INVITE\"}, {\"expect\": 200}, {\"send\": \"ACK\"},"
	  " {\"send\": \"INVITE\", \"sdp\": \"none\", \"rekey\": true}, {\"expect\": 200}, {\"send\": \"ACK\"}]}}",
	  "call.flow[3].rekey: expected with \"sdp\": \"offer\" (new keys go in our offer), got \"sdp\": \"none\"" },
	{ "{\"call\": {\"flow\": [{\"send\": \"INVITE\"}, {\"expect\": 200}, {\"send\": \"ACK\"},"
	  " {\"send\": \"INVITE\", \"direction\": \"hold\"}, {\"expect\": 200}, {\"send\": \"ACK\"}]}}",
	  "call.flow[3].direction: expected one of sendrecv sendonly recvonly inactive, got \"hold\"" },
	/* a responder's behaviour (role uas) */
	{ "{\"role\": \"uas\", \"load\": {\"rate\": 5}}",
	  "load: expected only in a run's scenario (this file has \"role\": \"uas\"), got it in a responder's behaviour" },
	{ "{\"routes\": [{\"user\": \"^98\"}]}",
	  "routes: expected only in a responder's behaviour (\"role\": \"uas\"), got it in a run's scenario" },
	{ "{\"role\": \"uac\"}", "role: expected run or uas, got \"uac\"" },
	{ "{\"role\": \"uas\", \"answer\": {\"ring_ms\": {\"min\": 300, \"max\": 100}}}",
	  "answer.ring_ms: expected min <= max, got min 300 > max 100" },
	{ "{\"role\": \"uas\", \"answer\": {\"ring_ms\": {\"min\": 300}}}",
	  "answer.ring_ms: expected both min and max, got min alone" },
	{ "{\"role\": \"uas\", \"answer\": {\"hangup_after_ms\": -1}}",
	  "answer.hangup_after_ms: expected milliseconds 0-86400000, or {\"min\": MS, \"max\": MS}, got -1" },
	{ "{\"role\": \"uas\", \"answer\": {\"outcomes\": [{\"status\": 180, \"weight\": 1}]}}",
	  "answer.outcomes[0].status: expected 200, a refusal 300-699 or \"no_answer\", got 180" },
	{ "{\"role\": \"uas\", \"answer\": {\"outcomes\": [{\"status\": 486}]}}",
	  "answer.outcomes[0].weight: expected an integer 0-1000000, got nothing" },
	{ "{\"role\": \"uas\", \"answer\": {\"outcomes\": [{\"status\": 486, \"weight\": 0}]}}",
	  "answer.outcomes: expected weights that add up to more than 0, got 0" },
	{ "{\"role\": \"uas\", \"answer\": {\"outcomes\": []}}",
	  "answer.outcomes: expected a list of 1-8 {\"status\": ..., \"weight\": ...}, got []" },
	{ "{\"role\": \"uas\", \"answer\": {\"ring\": 5}}", "answer.ring: unknown key" },
	{ "{\"role\": \"uas\", \"routes\": [{\"user\": \"(98\"}]}",
	  "routes[0].user: expected a regular expression (POSIX extended) on the Request-URI's user part, got a bad one" },
	{ "{\"role\": \"uas\", \"routes\": [{\"user\": \"^98\", \"status\": 404}]}",
	  "routes[0].status: unknown key (a route takes user and the keys of answer)" },
	{ "{\"role\": \"uas\", \"routes_default\": 200}", "routes_default: expected a refusal 400-699, got 200" },
	{ "{\"role\": \"uas\", \"answer\": {\"offer_crypto\": [\"AES_CM_128_HMAC_SHA1_80\", \"AES_CM_128_HMAC_SHA1_80\"]}}",
	  "answer.offer_crypto[1]: expected each suite once, got \"AES_CM_128_HMAC_SHA1_80\"" },
	{ "{\"role\": \"uas\", \"session_timer\": {\"expires_s\": 60, \"min_se_s\": 90}}",
	  "session_timer.min_se_s: expected at most expires_s (60), got 90" },
	{ "{\"session_timer\": {\"expires_s\": 60}}",
	  "session_timer: expected only in a responder's behaviour (\"role\": \"uas\"), got it in a run's scenario" },
	/* DTMF */
	{ "{\"call\": {\"flow\": [{\"send\": \"INVITE\"}, {\"expect\": 200}, {\"send\": \"ACK\"},"
	  " {\"dtmf\": \"10 18\"}]}}",
	  "call.flow[3].dtmf: expected 1 to 32 DTMF digits (0-9 * # A-D) as a string, got \"10 18\"" },
	{ "{\"call\": {\"flow\": [{\"send\": \"INVITE\"}, {\"expect\": 200}, {\"send\": \"ACK\"},"
	  " {\"dtmf\": 1018}]}}",
	  "call.flow[3].dtmf: expected 1 to 32 DTMF digits (0-9 * # A-D) as a string, got 1018" },
	{ "{\"call\": {\"flow\": [{\"send\": \"INVITE\"}, {\"expect\": 200}, {\"send\": \"ACK\"},"
	  " {\"dtmf\": \"1\", \"duration_ms\": 10}]}}",
	  "call.flow[3].duration_ms: expected an integer 20-5000, got 10" },
	{ "{\"call\": {\"flow\": [{\"send\": \"INVITE\"}, {\"expect\": 200}, {\"send\": \"ACK\"},"
	  " {\"dtmf\": \"1\", \"timeout_ms\": 10}]}}",
	  "call.flow[3].timeout_ms: unknown key (a dtmf step takes dtmf, duration_ms, gap_ms)" },
	{ "{\"call\": {\"flow\": [{\"send\": \"INVITE\"}, {\"expect\": 200}, {\"send\": \"ACK\"},"
	  " {\"expect_dtmf\": \"\"}]}}",
	  "call.flow[3].expect_dtmf: expected 1 to 32 DTMF digits (0-9 * # A-D) as a string, got \"\"" },
	{ "{\"call\": {\"flow\": [{\"send\": \"INVITE\"}, {\"dtmf\": \"1\"}, {\"expect\": 200}]}}",
	  "call.flow[1]: expected DTMF only in a call answered with a 2xx to an INVITE with an SDP offer" },
	{ "{\"call\": {\"flow\": [{\"send\": \"INVITE\"}, {\"expect\": 200}, {\"send\": \"ACK\"},"
	  " {\"dtmf\": \"1\", \"expect_dtmf\": \"1\"}]}}",
	  "call.flow[3]: expected exactly one of send, expect, pause_ms, media, dtmf, expect_dtmf" },
	/* call.numbers */
	{ "{\"call\": {\"numbers\": {\"to\": {\"range\": \"1999-1000\"}}}}",
	  "call.numbers.to.range: expected a range FROM-TO of decimal numbers with FROM <= TO, got \"1999-1000\"" },
	{ "{\"call\": {\"numbers\": {\"to\": {\"range\": 5}}}}",
	  "call.numbers.to.range: expected a range such as \"1000-1999\", got 5" },
	{ "{\"call\": {\"numbers\": {\"to\": {\"range\": \"1-2\", \"order\": \"shuffled\"}}}}",
	  "call.numbers.to.order: expected one of sequential random, got \"shuffled\"" },
	{ "{\"call\": {\"numbers\": {\"to\": {\"range\": \"1-2\", \"ranges\": \"1-2\"}}}}",
	  "call.numbers.to.ranges: unknown key (a column takes range, order)" },
	{ "{\"call\": {\"numbers\": {\"call_id\": {\"range\": \"1-2\"}}}}",
	  "call.numbers.call_id: expected a column name of its own, got \"call_id\", one of trunkload's" },
	{ "{\"call\": {\"numbers\": {\"9to\": {\"range\": \"1-2\"}}}}",
	  "call.numbers.9to: expected a column name of letters, digits and _" },
	{ "{\"call\": {\"numbers\": {\"order\": \"random\", \"to\": {\"range\": \"1-2\"}}}}",
	  "call.numbers.order: expected with csv only (a range has an order of its own), got it without" },
	{ "{\"call\": {\"numbers\": {\"prefix_digits\": 16, \"to\": {\"range\": \"1-2\"}}}}",
	  "call.numbers.prefix_digits: expected an integer 1-15, got 16" },
	{ "{\"call\": {\"numbers\": {}}}",
	  "call.numbers: expected at least one column (a range or csv), got none" },
	{ "{\"call\": {\"numbers\": {\"csv\": \"/nonexistent/numbers.csv\"}}}",
	  "call.numbers.csv: /nonexistent/numbers.csv: " },
	{ "{\"call\": {\"numbers\": {\"to\": {\"range\": \"1-2\"}}, \"to\": \"sip:{too}@h\"}}",
	  "call.to: expected {NAME} to name local_host, target_host, target_port, call_number, call_id, shard or a column of call.numbers, got {too}" },
	/* cross-field rules */
	{ "{\"load\": {\"calls\": 0}}", "load: expected calls or duration_s > 0, got neither" },
	{ "{\"tls\": {\"cert\": \"c.crt\"}}", "tls.key: expected a key file together with tls.cert, got nothing" },
	{ "{\"tls\": {\"key\": \"c.key\"}}", "tls.cert: expected a certificate file together with tls.key, got nothing" },
	{ "{\"transport\": {\"type\": \"tcp\", \"mode\": \"handshake\"}}",
	  "transport.mode: expected trunk or per_call with transport.type tcp, got \"handshake\"" },
	{ "{\"transport\": {\"type\": \"tcp\"}, \"tls\": {\"expect_handshake\": \"rejected\"}}",
	  "tls.expect_handshake: expected ok with transport.type tcp, got \"rejected\"" },
};

static void test_bad_inputs(void)
{
	for (size_t i = 0; i < sizeof(bad_cases) / sizeof(bad_cases[0]); i++) {
		char want[512];
		snprintf(want, sizeof(want), "scn.json: %s", bad_cases[i].want);
		int rc = load(bad_cases[i].json, "scn.json");
		bool ok = rc == -EINVAL && errs.n == 1 && strstr(errs.msg[0], want);
		if (!ok) {
			fprintf(stderr, "\n  case %zu: %s\n  want rc %d, 1 error: %s\n  got rc %d",
				i, bad_cases[i].json, -EINVAL, want, rc);
			dump_errors("got");
		}
		CU_ASSERT(ok);
	}
}

/* Numbers and headers as the route-pattern test writes them; a CSV beside the file. */
static void test_numbers_and_headers(void)
{
	char dir[] = "/tmp/tl_scn_XXXXXX", path[80], csv[80];
	CU_ASSERT_PTR_NOT_NULL_FATAL(mkdtemp(dir));
	snprintf(csv, sizeof(csv), "%s/numbers.csv", dir);
	snprintf(path, sizeof(path), "%s/scn.json", dir);
	FILE *f = fopen(csv, "w");
	CU_ASSERT_PTR_NOT_NULL_FATAL(f);
	fputs("caller,called\n1018,9898\n1019,9899\n", f);
	fclose(f);
	CU_ASSERT_EQUAL(load("{\"call\": {\"numbers\": {\"csv\": \"numbers.csv\", \"order\": \"random\","
			     " \"ext\": {\"range\": \"0100-0199\"}}, \"from\": \"sip:{caller}@{local_host}\","
			     " \"to\": \"sip:{called}@{target_host}\", \"headers\": {\"X-Ext\": \"{ext}\"},"
			     " \"flow\": [{\"send\": \"INVITE\"}, {\"expect\": 200, \"headers\": {\"Server\": \"^C\"}},"
			     " {\"send\": \"ACK\", \"headers\": {\"X-B\": \"{call_number}\"}},"
			     " {\"send\": \"BYE\", \"headers\": {\"Reason\": \"Q.850;cause=16\"}}, {\"expect\": 200}]}}",
			     path), 0);
	if (errs.n)
		dump_errors("numbers and headers");
	CU_ASSERT_EQUAL(scn.numbers.n_cols, 3);
	CU_ASSERT_STRING_EQUAL(scn.numbers.csv, csv);
	CU_ASSERT(scn.numbers.csv_random);
	CU_ASSERT_EQUAL(scn.numbers.csv_rows, 2);
	CU_ASSERT_EQUAL(scn.numbers.prefix_digits, 4);
	CU_ASSERT_EQUAL(scn.n_call_headers, 1);
	CU_ASSERT_EQUAL(scn.n_headers, 3);
	CU_ASSERT_EQUAL(scn.flow[2].hdr_first, 1);
	CU_ASSERT_EQUAL(scn.flow[2].hdr_n, 1);
	CU_ASSERT_STRING_EQUAL(scn.headers[2].name, "Reason");
	CU_ASSERT_EQUAL(scn.flow[1].chk_n, 1);
	CU_ASSERT_STRING_EQUAL(scn.header_checks[0].pattern, "^C");
	CU_ASSERT(scn_uris_per_call(&scn));
	/* a bad file is named with its line */
	f = fopen(csv, "w");
	CU_ASSERT_PTR_NOT_NULL_FATAL(f);
	fputs("caller,called\n1018,9898\n1019\n", f);
	fclose(f);
	CU_ASSERT_EQUAL(load("{\"call\": {\"numbers\": {\"csv\": \"numbers.csv\"}}}", path), -EINVAL);
	CU_ASSERT(has_error("call.numbers.csv: /tmp/tl_scn_"));
	CU_ASSERT(has_error("numbers.csv: line 3: expected 2 fields (caller,called), got 1"));
	f = fopen(csv, "w");
	CU_ASSERT_PTR_NOT_NULL_FATAL(f);
	fclose(f);
	CU_ASSERT_EQUAL(load("{\"call\": {\"numbers\": {\"csv\": \"numbers.csv\"}}}", path), -EINVAL);
	CU_ASSERT(has_error("empty file"));
	unlink(csv);
	rmdir(dir);
	/* the plain flow keeps its URIs per connection */
	CU_ASSERT_EQUAL(load("{}", "scn.json"), 0);
	CU_ASSERT(!scn_uris_per_call(&scn));
}

/* Flows that are unusual but meaningful load without error. */
/* media.key_lifetime in either form; rekey_on_lifetime defaults to true */
static void test_key_lifetime(void)
{
	CU_ASSERT_EQUAL(load("{\"media\": {\"key_lifetime\": \"2^10\"}}", "kl.json"), 0);
	CU_ASSERT(scn.key_lifetime == 1024 && scn.rekey_on_lifetime);
	CU_ASSERT_EQUAL(load("{\"media\": {\"key_lifetime\": 1000, \"rekey_on_lifetime\": false}}", "kl.json"), 0);
	CU_ASSERT(scn.key_lifetime == 1000 && !scn.rekey_on_lifetime);
	CU_ASSERT_EQUAL(load("{\"media\": {\"key_lifetime\": \"2^48\"}}", "kl.json"), 0);
	CU_ASSERT(scn.key_lifetime == 1ull << 48);
	CU_ASSERT_EQUAL(load("{}", "kl.json"), 0);
	CU_ASSERT(scn.key_lifetime == 0);
	CU_ASSERT(!scn.shared_media_ports); /* media.ports per_call by default */
	CU_ASSERT_EQUAL(load("{\"media\": {\"ports\": \"shared\"}}", "kl.json"), 0);
	CU_ASSERT(scn.shared_media_ports);
}

static void test_good_flows(void)
{
	static const char *const flows[] = {
		/* CANCEL while ringing: 200 to the CANCEL, 487 to the INVITE */
		"[{\"send\": \"INVITE\"}, {\"expect\": 180}, {\"send\": \"CANCEL\"}, {\"expect\": 200}, {\"expect\": 487}]",
		/* a delayed ACK */
		"[{\"send\": \"INVITE\"}, {\"expect\": 200}, {\"pause_ms\": 500}, {\"send\": \"ACK\"}, {\"send\": \"BYE\"}, {\"expect\": 200}]",
		/* a negative test: the far end refuses the call */
		"[{\"send\": \"INVITE\"}, {\"expect\": 100, \"optional\": true}, {\"expect\": 486}]",
		/* OPTIONS inside a call, a re-INVITE, media again */
		"[{\"send\": \"INVITE\"}, {\"expect\": 200}, {\"send\": \"ACK\"}, {\"send\": \"OPTIONS\"}, {\"expect\": 200},"
		" {\"send\": \"INVITE\"}, {\"expect\": 200}, {\"send\": \"ACK\"}, {\"media\": {\"duration_ms\": 0}},"
		" {\"send\": \"BYE\"}, {\"expect\": 200}]",
		/* delayed offer: the 2xx offers, the ACK answers, then media */
		"[{\"send\": \"INVITE\", \"sdp\": \"none\"}, {\"expect\": 200}, {\"send\": \"ACK\", \"sdp\": \"answer\"},"
		" {\"media\": {\"duration_ms\": 10}}, {\"send\": \"BYE\"}, {\"expect\": 200}]",
		/* the far end hangs up */
		"[{\"send\": \"INVITE\"}, {\"expect\": 200}, {\"send\": \"ACK\"}, {\"media\": {\"duration_ms\": 10}},"
		" {\"expect\": \"BYE\", \"timeout_ms\": 15000}]",
	};
	for (size_t i = 0; i < sizeof(flows) / sizeof(flows[0]); i++) {
		char json[1024];
		snprintf(json, sizeof(json), "{\"call\": {\"flow\": %s}}", flows[i]);
		int rc = load(json, "scn.json");
		if (rc)
			dump_errors(flows[i]);
		CU_ASSERT_EQUAL(rc, 0);
	}
	/* the steps as read */
	CU_ASSERT_EQUAL_FATAL(load("{\"call\": {\"flow\": [{\"send\": \"INVITE\", \"sdp\": \"none\"}, {\"expect\": 200},"
				   " {\"send\": \"ACK\", \"sdp\": \"answer\"}, {\"expect\": \"BYE\", \"timeout_ms\": 9000}],"
				   " \"session_timer\": {\"expires_s\": 6, \"refresher\": \"uas\", \"method\": \"UPDATE\"}}}",
				   "scn.json"), 0);
	CU_ASSERT_FALSE(scn.flow[0].sdp_offer);
	CU_ASSERT_TRUE(scn.flow[2].sdp_answer);
	CU_ASSERT_EQUAL(scn.flow[3].kind, FLOW_EXPECT);
	CU_ASSERT_EQUAL(scn.flow[3].request, SIP_BYE);
	CU_ASSERT_EQUAL(scn.flow[3].status, 0);
	CU_ASSERT_EQUAL(scn.flow[3].timeout_ms, 9000);
	CU_ASSERT_EQUAL(scn.session_timer.expires_s, 6);
	CU_ASSERT_EQUAL(scn.session_timer.min_se_s, 6); /* the default floor gives way */
	CU_ASSERT_EQUAL(scn.session_timer.refresher, ST_REFRESHER_UAS);
	CU_ASSERT_EQUAL(scn.session_timer.method, SIP_UPDATE);
	CU_ASSERT_EQUAL_FATAL(load("{\"call\": {\"session_timer\": {}}}", "scn.json"), 0);
	CU_ASSERT_EQUAL(scn.session_timer.expires_s, 1800);
	CU_ASSERT_EQUAL(scn.session_timer.min_se_s, 90);
	CU_ASSERT_EQUAL(scn.session_timer.refresher, ST_REFRESHER_NONE);
	CU_ASSERT_EQUAL(scn.session_timer.method, SIP_INVITE);
	/* In handshake mode the flow is not used, so its order is not checked. */
	CU_ASSERT_EQUAL(load("{\"transport\": {\"mode\": \"handshake\"}, \"call\": {\"flow\": [{\"expect\": 200}]}}",
			     "scn.json"), 0);
}

/* Every error in a file is reported, in file order. */
static void test_several_errors(void)
{
	static const char *const want[] = {
		"scn.json: bogus: unknown key",
		"scn.json: target.port: expected a port number 1-65535, got 0",
		"scn.json: tls.versions[0]: expected one of TLSv1.0 TLSv1.1 TLSv1.2 TLSv1.3, got \"SSLv3\"",
		"scn.json: tls.versions[2]: expected one of TLSv1.0 TLSv1.1 TLSv1.2 TLSv1.3, got 3",
		"scn.json: load.rate: expected a number > 0, got \"fast\"",
		"scn.json: call.flow[1].expect: expected a status code 100-699 or \"BYE\", got 42",
		"scn.json: thresholds.calls.cps: expected an object with min and/or max, got 1",
	};
	const char *json =
		"{ \"bogus\": true, \"target\": { \"port\": 0 },\n"
		"  \"tls\": { \"versions\": [\"SSLv3\", \"TLSv1.3\", 3] },\n"
		"  \"load\": { \"rate\": \"fast\" },\n"
		"  \"call\": { \"flow\": [ { \"send\": \"INVITE\" }, { \"expect\": 42 } ] },\n"
		"  \"thresholds\": { \"calls.cps\": 1 } }";
	CU_ASSERT_EQUAL(load(json, "scn.json"), -EINVAL);
	CU_ASSERT_EQUAL_FATAL(errs.n, sizeof(want) / sizeof(want[0]));
	for (unsigned i = 0; i < errs.n; i++)
		CU_ASSERT_STRING_EQUAL(errs.msg[i], want[i]);
}

/* More errors than fit: the last slot says how many there were. */
static void test_too_many_errors(void)
{
	char json[1024] = "{";
	for (int i = 0; i < 20; i++)
		snprintf(json + strlen(json), sizeof(json) - strlen(json), "%s\"bogus%d\": 1",
			 i ? ", " : "", i);
	strcat(json, "}");
	CU_ASSERT_EQUAL(load(json, "scn.json"), -EINVAL);
	CU_ASSERT_EQUAL_FATAL(errs.n, SCN_MAX_ERRORS);
	CU_ASSERT_STRING_EQUAL(errs.msg[0], "scn.json: bogus0: unknown key");
	CU_ASSERT_STRING_EQUAL(errs.msg[SCN_MAX_ERRORS - 2], "scn.json: bogus14: unknown key");
	CU_ASSERT(strstr(errs.msg[SCN_MAX_ERRORS - 1], "expected at most 16 errors, got 20") != NULL);
}

/* ---- paths, files, buffers ---- */

static void test_relative_paths(void)
{
	static const struct {
		const char *file, *cert, *want;
	} cases[] = {
		{ "/etc/trunkload/scn.json", "pki/client.crt", "/etc/trunkload/pki/client.crt" },
		{ "/etc/trunkload/scn.json", "/abs/client.crt", "/abs/client.crt" },
		{ "scn.json", "pki/client.crt", "pki/client.crt" },
		{ "dir/sub/scn.json", "../client.crt", "dir/sub/../client.crt" },
		{ "/scn.json", "client.crt", "/client.crt" },
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		char json[512];
		snprintf(json, sizeof(json),
			 "{\"tls\": {\"cert\": \"%s\", \"key\": \"%s\", \"ca\": \"%s\"}}",
			 cases[i].cert, cases[i].cert, cases[i].cert);
		CU_ASSERT_EQUAL_FATAL(load(json, cases[i].file), 0);
		CU_ASSERT_STRING_EQUAL(scn.cert, cases[i].want);
		CU_ASSERT_STRING_EQUAL(scn.key, cases[i].want);
		CU_ASSERT_STRING_EQUAL(scn.ca, cases[i].want);
	}
	/* A resolved path that does not fit is an error, not a truncation. */
	char dir[PATH_MAX], json[PATH_MAX];
	memset(dir, 'd', 4000);
	strcpy(dir + 4000, "/scn.json");
	snprintf(json, sizeof(json), "{\"tls\": {\"ca\": \"%0200d\"}}", 0);
	CU_ASSERT_EQUAL(load(json, dir), -EINVAL);
	CU_ASSERT(has_error("tls.ca: expected a path of at most 4095 bytes, got 4201 bytes"));
}

static void test_load_file(void)
{
	char dir[] = "/tmp/tl_scn_XXXXXX", path[64];
	CU_ASSERT_PTR_NOT_NULL_FATAL(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/neg-expired.json", dir);
	FILE *f = fopen(path, "w");
	CU_ASSERT_PTR_NOT_NULL_FATAL(f);
	fputs("{\"tls\": {\"cert\": \"pki/expired.crt\", \"key\": \"pki/expired.key\"}}\n", f);
	fclose(f);

	CU_ASSERT_EQUAL(scenario_load_file(path, &scn, &errs), 0);
	char want[160];
	snprintf(want, sizeof(want), "%s/pki/expired.crt", dir);
	CU_ASSERT_STRING_EQUAL(scn.cert, want);
	CU_ASSERT_STRING_EQUAL(scn.name, "neg-expired");
	CU_ASSERT_STRING_EQUAL(scn.path, path);

	/* The file's name opens every message. */
	f = fopen(path, "w");
	fputs("{\"load\": {\"rate\": -1}}", f);
	fclose(f);
	CU_ASSERT_EQUAL(scenario_load_file(path, &scn, &errs), -EINVAL);
	snprintf(want, sizeof(want), "%s: load.rate: expected a number > 0, got -1", path);
	CU_ASSERT_EQUAL(errs.n, 1);
	CU_ASSERT_STRING_EQUAL(errs.msg[0], want);
	unlink(path);

	CU_ASSERT_EQUAL(scenario_load_file(path, &scn, &errs), -ENOENT);
	CU_ASSERT_EQUAL(errs.n, 1);
	CU_ASSERT(strstr(errs.msg[0], "cannot read: No such file or directory") != NULL);
	CU_ASSERT_EQUAL(scenario_load_file(dir, &scn, &errs), -EISDIR);
	rmdir(dir);
}

/* The buffer need not end in NUL (ASan checks there is no over-read), *s is
 * untouched on failure, and errs may be NULL. */
static void test_buffer_contract(void)
{
	const char *json = "{\"load\": {\"rate\": 33}}";
	size_t n = strlen(json);
	char *copy = malloc(n);
	memcpy(copy, json, n);
	CU_ASSERT_EQUAL(scenario_load_buf(copy, n, "scn.json", &scn, &errs), 0);
	CU_ASSERT_EQUAL(scn.rate, 33);
	/* Every prefix is either a syntax error or (never) a success, and never over-reads. */
	for (size_t k = 0; k < n; k++) {
		char *pre = malloc(k ? k : 1);
		memcpy(pre, json, k);
		CU_ASSERT_EQUAL(scenario_load_buf(pre, k, "scn.json", &scn, &errs), -EINVAL);
		CU_ASSERT(errs.n == 1 && strstr(errs.msg[0], "scn.json: line 1, column ") != NULL);
		free(pre);
	}
	free(copy);

	struct scenario before;
	memset(&scn, 0x5a, sizeof(scn));
	memcpy(&before, &scn, sizeof(scn));
	CU_ASSERT_EQUAL(load("{\"load\": {\"rate\": 0}}", "scn.json"), -EINVAL);
	CU_ASSERT(memcmp(&before, &scn, sizeof(scn)) == 0);
	CU_ASSERT_EQUAL(scenario_load_buf("{\"bogus\": 1}", 12, "scn.json", &scn, NULL), -EINVAL);
	CU_ASSERT_EQUAL(scenario_load_buf("{}", 2, "scn.json", &scn, NULL), 0);
}

/* ---- scenario_validate after flags ---- */

static void set_rate0(struct scenario *s) { s->rate = 0; }
static void set_no_bound(struct scenario *s) { s->calls = 0; s->duration_s = 0; }
static void set_duration_only(struct scenario *s) { s->calls = 0; s->duration_s = 30; }
static void set_conn0(struct scenario *s) { s->connections = 0; }
static void set_no_suites(struct scenario *s) { s->n_suites = 0; }
static void set_ptime(struct scenario *s) { s->ptime_ms = 25; }
static void set_port0(struct scenario *s) { s->port = 0; }
static void set_no_versions(struct scenario *s) { s->tls_versions = 0; }
static void set_seclevel(struct scenario *s) { s->security_level = 9; }
static void set_media_unset(struct scenario *s) { s->flow[5].ms = UINT32_MAX; }
static void set_media_unset_flag(struct scenario *s) { s->flow[5].ms = UINT32_MAX; s->media_ms = 100; }
static void set_handshake_no_flow(struct scenario *s) { s->mode = SCN_HANDSHAKE; s->n_flow = 0; }
static void set_no_flow(struct scenario *s) { s->n_flow = 0; }
static void set_max_conc0(struct scenario *s) { s->max_concurrent = 0; }

static void test_validate(void)
{
	static const struct {
		void (*change)(struct scenario *s);
		const char *want; /* NULL: valid */
	} cases[] = {
		{ set_rate0, "the built-in basic-call (no scenario file): load.rate: expected a number > 0 and at most 10000000, got 0" },
		{ set_no_bound, "the built-in basic-call (no scenario file): load: expected calls or duration_s > 0, got neither" },
		{ set_duration_only, NULL },
		{ set_conn0, "the built-in basic-call (no scenario file): transport.connections: expected an integer 1-65535, got 0" },
		{ set_no_suites, "the built-in basic-call (no scenario file): media.crypto: expected 1-8 SRTP suites, got 0" },
		{ set_ptime, "the built-in basic-call (no scenario file): media.ptime_ms: expected a multiple of 10 from 10 to 60, got 25" },
		{ set_port0, "the built-in basic-call (no scenario file): target.port: expected a port number 1-65535, got 0" },
		{ set_no_versions, "the built-in basic-call (no scenario file): tls.versions: expected at least one TLS version, got none" },
		{ set_seclevel, "the built-in basic-call (no scenario file): tls.security_level: expected an integer 0-5, got 9" },
		{ set_media_unset, "the built-in basic-call (no scenario file): call.flow[5].media.duration_ms: expected a duration (or --media-ms), got nothing" },
		{ set_media_unset_flag, NULL },
		{ set_handshake_no_flow, NULL },
		{ set_no_flow, "the built-in basic-call (no scenario file): call.flow: expected at least one step, got none" },
		{ set_max_conc0, "the built-in basic-call (no scenario file): load.max_concurrent: expected an integer 1-10000000, got 0" },
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		scenario_default(&scn);
		cases[i].change(&scn);
		int rc = scenario_validate(&scn, &errs);
		if (!cases[i].want) {
			CU_ASSERT_EQUAL(rc, 0);
			CU_ASSERT_EQUAL(errs.n, 0);
			continue;
		}
		bool ok = rc == -EINVAL && errs.n == 1 && strcmp(errs.msg[0], cases[i].want) == 0;
		if (!ok) {
			fprintf(stderr, "\n  validate case %zu: want %s", i, cases[i].want);
			dump_errors("got");
		}
		CU_ASSERT(ok);
	}
	/* A loaded file names itself in validate's messages. */
	CU_ASSERT_EQUAL_FATAL(load("{}", "x/scn.json"), 0);
	scn.rate = -1;
	CU_ASSERT_EQUAL(scenario_validate(&scn, &errs), -EINVAL);
	CU_ASSERT(has_error("x/scn.json: load.rate: expected a number > 0"));
}

/* A key error and a rule across fields both show, but not what follows from the
 * key error itself; an empty pin says what belongs there. */
static void test_key_and_rule_errors(void)
{
	CU_ASSERT_EQUAL(load("{\"tls\": {\"cert\": \"c.crt\", \"certfile\": \"x\"}}", "s.json"), -EINVAL);
	CU_ASSERT_EQUAL(errs.n, 2);
	CU_ASSERT(has_error("s.json: tls.certfile:"));
	CU_ASSERT(has_error("s.json: tls.key: expected a key file together with tls.cert"));
	CU_ASSERT_EQUAL(load("{\"tls\": {\"cert\": 5, \"key\": \"k\"}}", "s.json"), -EINVAL);
	CU_ASSERT_EQUAL(errs.n, 1);
	static const char *const pins[] = { "serial", "sha256", "names", "issuer", "subject_cn" };
	for (size_t i = 0; i < sizeof(pins) / sizeof(pins[0]); i++) {
		char json[128], want[96];
		snprintf(json, sizeof(json), "{\"tls\": {\"expect_peer\": {\"%s\": \"\"}}}", pins[i]);
		snprintf(want, sizeof(want), "tls.expect_peer.%s is empty: put ", pins[i]);
		CU_ASSERT_EQUAL(load(json, "s.json"), -EINVAL);
		CU_ASSERT(has_error(want));
	}
}

static void test_uas_behaviour(void)
{
	CU_ASSERT_EQUAL(load("{\"role\": \"uas\", \"name\": \"far\", \"answer\": {\"ring_ms\": 2000,"
			     " \"outcomes\": [{\"status\": 200, \"weight\": 98}, {\"status\": 486, \"weight\": 1},"
			     " {\"status\": \"no_answer\", \"weight\": 1}], \"hangup_after_ms\": {\"min\": 30000,"
			     " \"max\": 120000}}, \"routes\": [{\"user\": \"^9898$\"}, {\"user\": \"^1[0-9]{3}$\","
			     " \"ring_ms\": {\"min\": 0, \"max\": 10}, \"outcomes\": [{\"status\": 503, \"weight\": 1}]}],"
			     " \"routes_default\": 480, \"thresholds\": {\"calls.failed_pct\": {\"max\": 3}}}",
			     "uas.json"), 0);
	if (errs.n)
		dump_errors("uas behaviour");
	const struct scn_uas *u = &scn.uas;
	CU_ASSERT_EQUAL(scn.role, SCN_ROLE_UAS);
	CU_ASSERT(u->answer.has_ring && u->answer.ring_ms.min == 2000 && u->answer.ring_ms.max == 2000);
	CU_ASSERT(u->answer.has_hangup && u->answer.hangup_after_ms.min == 30000 &&
		  u->answer.hangup_after_ms.max == 120000);
	CU_ASSERT_EQUAL_FATAL(u->answer.n_outcomes, 3);
	CU_ASSERT(u->answer.outcomes[1].status == 486 && u->answer.outcomes[1].weight == 1);
	CU_ASSERT_EQUAL(u->answer.outcomes[2].status, SCN_NO_ANSWER);
	CU_ASSERT_EQUAL_FATAL(u->n_routes, 2);
	CU_ASSERT_STRING_EQUAL(u->routes[0].user, "^9898$");
	CU_ASSERT(!u->routes[0].answer.has_ring && !u->routes[0].answer.has_outcomes);
	CU_ASSERT(u->routes[1].answer.has_ring && u->routes[1].answer.ring_ms.max == 10);
	CU_ASSERT(u->routes[1].answer.has_outcomes && u->routes[1].answer.outcomes[0].status == 503);
	CU_ASSERT_EQUAL(u->routes_default, 480);
	CU_ASSERT_EQUAL(scn.n_thresholds, 1);
	/* its session timer and the suites it offers to a delayed offer */
	CU_ASSERT_EQUAL(load("{\"role\": \"uas\", \"answer\": {\"offer_crypto\": [\"AEAD_AES_128_GCM\","
			     " \"AES_CM_128_HMAC_SHA1_80\"]}, \"session_timer\": {\"expires_s\": 600,"
			     " \"refresher\": \"uas\", \"method\": \"UPDATE\"}}", "uas.json"), 0);
	if (errs.n)
		dump_errors("uas timer and offer");
	CU_ASSERT(scn.uas.n_offer_crypto == 2 && scn.uas.offer_crypto[0] == SDES_AEAD_AES_128_GCM);
	CU_ASSERT(scn.uas.has_session_timer && scn.session_timer.expires_s == 600 &&
		  scn.session_timer.min_se_s == 90 && scn.session_timer.refresher == ST_REFRESHER_UAS &&
		  scn.session_timer.method == SIP_UPDATE);
	/* the defaults: every INVITE answered 200 at once, 404 when routes match nothing */
	CU_ASSERT_EQUAL(load("{\"role\": \"uas\"}", "uas.json"), 0);
	CU_ASSERT(scn.uas.answer.n_outcomes == 0 && !scn.uas.answer.has_ring && scn.uas.routes_default == 404);
}

int main(void)
{
	static const struct tl_case cases[] = {
		{ "shipped basic-call.json", test_shipped_basic_call },
		{ "shipped trunk-capacity.json", test_shipped_trunk_capacity },
		{ "built-in default", test_default },
		{ "{} is the default", test_empty_object_is_default },
		{ "every key read back", test_values },
		{ "a target host is checked under its own name", test_server_name_follows_host },
		{ "bad inputs: path and message", test_bad_inputs },
		{ "unusual but meaningful flows", test_good_flows },
		{ "media.key_lifetime", test_key_lifetime },
		{ "several errors all reported", test_several_errors },
		{ "a key error and a rule across fields", test_key_and_rule_errors },
		{ "too many errors", test_too_many_errors },
		{ "numbers and headers", test_numbers_and_headers },
		{ "relative paths", test_relative_paths },
		{ "load from file", test_load_file },
		{ "buffer contract", test_buffer_contract },
		{ "validate after flags", test_validate },
		{ "a responder's behaviour", test_uas_behaviour },
		{ "several destinations", test_destinations },
		{ "keepalive pings", test_keepalive_keys },
	};
	return tl_run("scenario", TL_CASES(cases));
}
