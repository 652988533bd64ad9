/* Scenario: one test described in JSON, loaded into a validated plan.
 * The only engine file that sees cJSON is scenario.c. */
#ifndef TL_SCENARIO_H
#define TL_SCENARIO_H
#include <stdint.h>
#include <stdbool.h>
#include <limits.h>
#include "net_addr.h"
#include "sip_parse.h"
#include "sdes.h"
#include "session_timer.h"
#include "tls_facts.h"
#include "numbers.h"
#include "dtmf.h"
#include "dest_pick.h"

#define SCN_MAX_FLOW 32
#define SCN_MAX_THRESHOLDS 32
#define SCN_MAX_SUITES 8
#define SCN_MAX_CONCURRENT 10000000u /* each slot is memory the caller allocates up front */
#define SCN_MAX_ERRORS 16
#define SCN_MAX_HEADERS 24        /* header lines of call.headers and the send steps */
#define SCN_MAX_HEADER_CHECKS 16  /* headers the expect steps check */
#define SCN_HEADER_NAME 64
#define SCN_HEADER_VALUE 256
#define SCN_MAX_CODECS 2
#define SCN_SIPS_PORT 5061        /* SIP over TLS, when a destination names no port */

enum scn_transport { SCN_TLS = 0, SCN_TCP };
enum scn_mode { SCN_TRUNK = 0, SCN_PER_CALL, SCN_HANDSHAKE };
enum scn_expect_handshake { SCN_HS_OK = 0, SCN_HS_REJECTED };

enum scn_direction { SCN_SENDRECV = 0, SCN_SENDONLY, SCN_RECVONLY, SCN_INACTIVE };

enum flow_kind { FLOW_SEND = 1, FLOW_EXPECT, FLOW_PAUSE, FLOW_MEDIA, FLOW_DTMF, FLOW_EXPECT_DTMF };

struct flow_step {
	enum flow_kind kind;
	enum sip_method method; /* FLOW_SEND: INVITE, ACK, BYE, CANCEL or OPTIONS */
	bool sdp_offer;         /* FLOW_SEND INVITE: "sdp": "offer" (default true for INVITE;
				 * "none" is a delayed offer: the 2xx offers, the ACK answers) */
	bool sdp_answer;        /* FLOW_SEND ACK: "sdp": "answer" (our answer to the 2xx's offer) */
	bool has_direction;     /* FLOW_SEND re-INVITE: "direction" (hold, resume) ... */
	enum scn_direction direction; /* ... what our offer says from then on */
	bool rekey;             /* FLOW_SEND re-INVITE: "rekey": new SDES keys in the offer */
	int status;             /* FLOW_EXPECT: 100..699, or 0 with request set */
	enum sip_method request; /* FLOW_EXPECT of the far end's request: SIP_BYE ("expect": "BYE") */
	bool optional;          /* FLOW_EXPECT */
	uint32_t timeout_ms;    /* FLOW_EXPECT, FLOW_EXPECT_DTMF: default 5000 */
	uint32_t ms;            /* FLOW_PAUSE; FLOW_MEDIA: duration_ms (-1u = use scenario media_ms);
				 * FLOW_DTMF: each digit's duration_ms (default 100) */
	uint32_t gap_ms;        /* FLOW_DTMF: audio between two digits (default 100) */
	char digits[DTMF_MAX_DIGITS + 1]; /* FLOW_DTMF: what we send; FLOW_EXPECT_DTMF: what the
					   * far end must send us */
	/* FLOW_SEND: its "headers", scenario.headers[hdr_first, +hdr_n); FLOW_EXPECT: its
	 * "headers" checks, scenario.header_checks[chk_first, +chk_n) */
	uint8_t hdr_first, hdr_n, chk_first, chk_n;
};

/* A header line we add: "name: value", the value a template ({from}, {call_id}, ...). */
struct scn_header {
	char name[SCN_HEADER_NAME];
	char value[SCN_HEADER_VALUE];
};

/* A header the far end must send: one of its values matches pattern (POSIX ERE). */
struct scn_header_check {
	char name[SCN_HEADER_NAME];
	char pattern[SCN_HEADER_VALUE];
};

/* call.numbers: named columns of numbers that templates name as {column}; call k of
 * the run takes its value numbers_pick(k, ...) of each. */
struct scn_number_col {
	char name[NUMBERS_NAME_MAX];
	bool from_csv;            /* a column of the CSV file, else a range */
	unsigned csv_col;         /* from_csv: its index in the file */
	struct number_range range;
	bool random;              /* "order": "random" (default sequential) */
};
struct scn_numbers {
	unsigned n_cols;
	struct scn_number_col cols[NUMBERS_MAX_COLUMNS];
	char csv[PATH_MAX];       /* "" = no file; relative to the scenario's directory */
	bool csv_random;
	uint64_t csv_rows;        /* as loaded when the scenario was checked */
	unsigned prefix_digits;   /* calls.by_to_prefix: digits of the called number, default 4 */
};

/* The responder's behaviour (a file with "role": "uas", for trunkload uas --scenario). */
enum scn_role { SCN_ROLE_RUN = 0, SCN_ROLE_UAS };
#define SCN_MAX_OUTCOMES 8
#define SCN_MAX_ROUTES 16
#define SCN_NO_ANSWER 0     /* an outcome's status: ring until the caller cancels */

/* Milliseconds drawn uniformly from [min, max] for each call (min == max: fixed). */
struct scn_span {
	uint32_t min, max;
};

struct scn_outcome {
	int status;          /* 200, 300-699, or SCN_NO_ANSWER */
	uint32_t weight;
};

/* answer: how an INVITE is answered; a route's answer overrides what it names. */
struct scn_answer {
	bool has_ring, has_outcomes, has_hangup;
	bool early_media;                /* (answer only) 183 with our answer and media, then
					  * the 200 after ring_ms */
	bool reliable_provisional;       /* (answer only) that 183 with Require: 100rel */
	struct scn_span ring_ms;         /* from the 180 to the 200 */
	struct scn_span hangup_after_ms; /* from the 200 to our BYE (has_hangup) */
	struct scn_outcome outcomes[SCN_MAX_OUTCOMES];
	unsigned n_outcomes;             /* default: 200 alone */
};

struct scn_route {
	char user[SCN_HEADER_VALUE];     /* POSIX ERE on the Request-URI's user part */
	struct scn_answer answer;
};

struct scn_uas {
	struct scn_answer answer;
	struct scn_route routes[SCN_MAX_ROUTES];
	unsigned n_routes;               /* 0: every INVITE gets answer */
	int routes_default;              /* the status for an INVITE no route matches (404) */
	enum sdes_suite offer_crypto[SCN_MAX_SUITES]; /* answer.offer_crypto: what a delayed
						       * offer gets from us, in order */
	unsigned n_offer_crypto;         /* 0: CUCM's order of what we accept */
	bool has_session_timer;          /* session_timer (the scenario's session_timer) */
	double max_cps;                  /* answer.max_cps: INVITEs beyond this rate are refused
					  * 503, as by an overloaded far end; 0: no limit */
	uint32_t max_calls;              /* answer.max_calls: calls in progress at once beyond
					  * which INVITEs are refused 503; 0: no limit */
	/* options: how OPTIONS outside a dialog (a trunk's keepalive) are answered: status
	 * (SCN_NO_ANSWER: not at all) from after_s for for_s seconds after the start (for_s
	 * 0: from then on), 200 otherwise */
	struct scn_options {
		bool set;
		int status;
		double after_s, for_s;
	} options;
};

/* A threshold names a metric of the report, e.g. "calls.failed_pct",
 * "calls.cps", "latency_ms.invite_to_200" (with stat "p99"), "srtp.auth_failures". */
struct threshold {
	char metric[64];
	char at[272];  /* "HOST:PORT" of one of target.hosts ("metric@HOST:PORT"), "" the run's */
	char stat[8];  /* "" for plain numbers; for latency: "p50" "p90" "p99" "p999" "max" "min" */
	bool has_min, has_max;
	double min, max;
};

struct scenario {
	char name[128];
	char path[PATH_MAX];           /* the file it came from ("" for built-in) */
	enum scn_role role;            /* "role": "uas" marks a responder's behaviour; the
					* run's sections (target ... call) are refused there */
	struct scn_uas uas;            /* role uas: answer, routes, routes_default */

	char host[256];                /* target.host, default "127.0.0.1" (with target.hosts:
					* the first of them) */
	uint16_t port;                 /* target.port, default 5061 */
	char server_name[256];         /* target.server_name; "" = verify against host */
	enum scn_family { SCN_FAMILY_ANY, SCN_FAMILY_IPV4, SCN_FAMILY_IPV6 } family; /* target.family */
	/* target.resolve srv (or --target sips:DOMAIN): target.host is a domain whose NAPTR and
	 * SRV records name the destinations (RFC 3263), put in dests when the run starts */
	enum scn_resolve { SCN_RESOLVE_ADDRESS, SCN_RESOLVE_SRV } resolve;
	char resolved_from[256];       /* the domain the destinations came from ("" none) */
	char addresses[DEST_MAX][TL_HOSTPORT_TEXT]; /* each destination's address, once known */
	/* target.hosts: a trunk's destinations (a cluster's nodes), each "HOST:PORT" or
	 * {host, port, weight, server_name}; n_dests 0: host and port alone */
	struct scn_dest {
		char host[256];
		uint16_t port;
		uint32_t weight;        /* target.distribution weighted; default 1 */
		bool has_weight;
		uint16_t priority;      /* from an SRV record (target.resolve srv) */
		char server_name[256];  /* its own; "" = target.server_name, else its host */
	} dests[DEST_MAX];
	unsigned n_dests;
	enum dest_policy distribution; /* target.distribution, default round_robin */

	char cert[PATH_MAX], key[PATH_MAX], ca[PATH_MAX]; /* relative paths resolved against the file's directory */
	char crl[PATH_MAX];     /* tls.crl: CRLs (PEM) the far end's chain is checked against, "" none */
	unsigned tls_versions;         /* SCN_TLS1_* bits; default 1.2|1.3 */
	char ciphers[256];             /* "" = OpenSSL default */
	int security_level;            /* -1 = OpenSSL default */
	enum scn_expect_handshake expect_handshake;
	char expect_subject_cn[256];   /* tls.expect_peer.subject_cn; "" = no check */
	int expect_min_days_valid;     /* tls.expect_peer.min_days_valid; -1 = no check */
	char expect_names[256];        /* tls.expect_peer.names: one of these carried (cert_name.h) */
	bool expect_both_roles;        /* tls.expect_peer.both_roles: no_client_auth and
					* no_server_auth fail */
	char expect_issuer[256];       /* tls.expect_peer.issuer: contained in the issuer */
	/* tls.expect_peer.serial and .sha256: hex, colons ignored; one or, for a cluster
	 * whose nodes each have their own certificate, several ("," between them) */
	char expect_serial[16 * 42];
	char expect_sha256[16 * 97];
	int expect_min_key_bits;       /* tls.expect_peer.min_key_bits; -1 = no check */
	unsigned expect_versions;      /* tls.expect_peer.versions: SCN_TLS1_* allowed; 0 = any */
	char expect_findings[8][24];   /* tls.expect_peer.findings: codes the far end must show */
	unsigned n_expect_findings;
	char expect_alert[32];         /* tls.expect_alert: with expect_handshake rejected, the
					* alert the refusal must come with ("" = any refusal) */

	enum scn_transport transport;  /* transport.type "tls" | "tcp", default tls */
	enum scn_mode mode;            /* transport.mode, default trunk */
	unsigned connections;          /* transport.connections, default 1 */
	uint32_t options_ping_s;       /* transport.options_ping_s: each trunk connection sends
					* OPTIONS this often, as CUCM's SIP profile does (60 s
					* there); 0: none */
	char source[96];               /* transport.source "A" or "A-B" (IPv4 or IPv6); "" = the
					* kernel's choice */
	struct tl_addr_range source_range; /* its first address and how many */

	double rate;                   /* load.rate calls/s, default 10 */
	double ramp_s;                 /* load.ramp_s, default 0 */
	uint64_t calls;                /* load.calls; 0 = bounded by duration only */
	double duration_s;             /* load.duration_s; 0 = bounded by calls only */
	/* load.stages: the rate moves from the previous stage's (0 before the first) to
	 * rate over ramp_s, then holds for duration_s (k6's ramping arrival rate). With
	 * stages, rate is the highest of them and duration_s their total. */
#define SCN_MAX_STAGES 32
	struct load_stage {
		double rate, ramp_s, duration_s;
	} stages[SCN_MAX_STAGES];
	unsigned n_stages;
	uint32_t max_concurrent;       /* load.max_concurrent, default 10000 */
	uint32_t hold_ms;              /* load.hold_ms: handshake mode keeps each connection open
					* this long after its handshake (0: close at once) */

	char from[256], to[256];       /* call.from / call.to; {local_host} {target_host} {target_port} expand */
	struct scn_session_timer {     /* call.session_timer (RFC 4028); expires_s 0: none */
		uint32_t expires_s, min_se_s;
		enum st_refresher refresher; /* who we ask to refresh; NONE: the far end decides */
		enum sip_method method;      /* how we refresh: SIP_INVITE or SIP_UPDATE */
	} session_timer;
	struct flow_step flow[SCN_MAX_FLOW];
	unsigned n_flow;
	/* call.headers (on the INVITE) are headers[0, n_call_headers); then each send step's */
	struct scn_header headers[SCN_MAX_HEADERS];
	unsigned n_headers, n_call_headers;
	struct scn_header_check header_checks[SCN_MAX_HEADER_CHECKS];
	unsigned n_header_checks;
	struct scn_numbers numbers;    /* call.numbers; n_cols 0 = none */

	int ptime_ms;                  /* media.ptime_ms, default 20 */
	uint8_t codecs[SCN_MAX_CODECS]; /* media.codecs (or media.codec): payload types, 0 PCMU,
					 * 8 PCMA, in offer order; default PCMU */
	unsigned n_codecs;
	enum sdes_suite suites[SCN_MAX_SUITES]; /* media.crypto, in offer order */
	unsigned n_suites;             /* default: AES_CM_128_HMAC_SHA1_80, AES_CM_128_HMAC_SHA1_32 */
	int32_t media_ms;              /* --media-ms; -1 = each media step's own duration */
	enum scn_direction direction;  /* media.direction: what we do, default sendrecv */
	uint64_t key_lifetime;         /* media.key_lifetime: packets our keys are offered for
					* (RFC 4568 "|2^n"); 0 = none */
	bool rekey_on_lifetime;        /* media.rekey_on_lifetime (default true): a re-INVITE with
					* new keys before the lifetime; false: the stream ends at it */
	bool shared_media_ports;       /* media.ports "shared" (--shared-media-ports): one RTP
					* and RTCP port per worker for all its calls */

	struct threshold thresholds[SCN_MAX_THRESHOLDS];
	unsigned n_thresholds;
};

struct scenario_errors {
	unsigned n;
	char msg[SCN_MAX_ERRORS][320]; /* "file: call.flow[3].expect: expected ..., got ..." */
};

/* Fills *s with the built-in basic call: INVITE (offer), 100?, 180?, 200, ACK,
 * media 3000 ms, BYE, 200; defaults as documented above. */
void scenario_default(struct scenario *s);

/* Loads and validates a scenario file on top of scenario_default().
 * Returns 0, or -EINVAL with every problem found listed in *errs (at most
 * SCN_MAX_ERRORS; each names the file, the JSON path and what was expected),
 * or -errno when the file cannot be read (errs->msg[0] says so). */
int scenario_load_file(const char *path, struct scenario *s, struct scenario_errors *errs);

/* Same over a buffer; `name` is used in messages and to resolve relative paths
 * (its directory). */
int scenario_load_buf(const char *json, size_t len, const char *name,
		      struct scenario *s, struct scenario_errors *errs);

/* Checks cross-field rules after flags were applied (calls or duration set,
 * rate > 0, connections >= 1, at least one suite, ...). Same error convention. */
int scenario_validate(const struct scenario *s, struct scenario_errors *errs);

/* Parses "A" or "A-B" (both IPv4 or both IPv6, A <= B, at most 65536 addresses, the same
 * but for their last 16 bits) into the first address and the count. 0 or -EINVAL. */
int scn_parse_source(const char *text, struct tl_addr_range *out);

const char *scn_mode_name(enum scn_mode m);
/* Whether each call has a connection of its own: per_call and handshake modes, and a
 * negative test (each call one connection attempt), else the calls share the trunk. */
bool scn_conn_per_call(const struct scenario *s);
/* Whether calls run the flow (not in handshake mode, not in a negative test, where
 * each call is a connection attempt alone). */
bool scn_runs_flow(const struct scenario *s);
/* Whether the flow that runs sends a request of method m. */
bool scn_flow_sends(const struct scenario *s, enum sip_method m);
/* Whether calls have a media phase (a media step that lasts, --media-ms counted, or
 * DTMF, which travels in the media). */
bool scn_has_media(const struct scenario *s);
/* Whether the flow that runs has a step of kind (FLOW_DTMF, FLOW_EXPECT_DTMF). */
bool scn_has_dtmf(const struct scenario *s, enum flow_kind kind);
/* The name the far end's certificate must carry: server_name, else the host. */
const char *scn_server_name(const struct scenario *s);
/* The trunk's destinations: target.hosts, or target.host and port as the only one. */
unsigned scn_n_dests(const struct scenario *s);
struct scn_dest_view {
	const char *host, *server_name; /* server_name: its own, target.server_name, its host */
	uint16_t port;
	uint32_t weight;
	uint16_t priority;
};
/* Destination i (< scn_n_dests). */
struct scn_dest_view scn_dest(const struct scenario *s, unsigned i);
/* --target: "HOST:PORT[,HOST:PORT...]" (HOST alone: 5061) replaces the destinations;
 * one alone is target.host and port; "sips:DOMAIN" (or "sip:DOMAIN") alone is a domain to
 * resolve as RFC 3263 says (target.resolve srv), with a port or an address an address. 0; -EINVAL or -ERANGE (a port outside 1-65535) for
 * the item at *bad_item (*bad_len bytes), -E2BIG past DEST_MAX, -EEXIST for one named
 * twice. */
int scn_set_targets(struct scenario *s, const char *list, const char **bad_item, size_t *bad_len);
/* The index of the destination "HOST:PORT" names (as target.hosts and the
 * metric@HOST:PORT of a threshold write it), -1 if none. */
int scn_dest_index(const struct scenario *s, const char *hostport);
/* Whether a call's From or To names something of the call itself (a number, its
 * index, its Call-ID), so that each call's URIs are written anew. */
bool scn_uris_per_call(const struct scenario *s);
/* "sendrecv", "sendonly", "recvonly", "inactive" */
const char *scn_direction_name(enum scn_direction d);

#endif
