/* What a run measured: counters, histograms, TLS facts, time series.
 * Each worker fills its own; run.c merges them into one when the run ends. */
#ifndef TL_RESULT_H
#define TL_RESULT_H
#include <stdbool.h>
#include <stdint.h>
#include "emodel.h"
#include "hist.h"
#include "tls_facts.h"
#include "prefix_count.h"

enum lat_interval {
	LAT_TLS_HANDSHAKE = 0,
	LAT_INVITE_TO_100,
	LAT_INVITE_TO_180,
	LAT_INVITE_TO_200,
	LAT_BYE_TO_200,
	LAT_INVITE_TO_200_SENT, /* uncorrected: from the INVITE actually sent */
	LAT_ANSWER_TO_MEDIA,    /* from the 200 OK (or our answer) to the first good SRTP packet */
	LAT_OPTIONS_TO_200,     /* an OPTIONS' round trip, from when it was sent */
	LAT_INVITE_TO_FINAL,    /* to the INVITE's final response, whatever it was (a refused call too) */
	LAT_INVITE_TO_ACK,      /* the responder: from an INVITE received to the ACK of its 2xx */
	LAT_COUNT
};
const char *lat_interval_name(enum lat_interval i);

#define RESULT_MAX_REASONS 48
#define RESULT_MAX_NAMES 16

/* A failure reason: a static string ("timeout_200", "tls_rejected", "sdp_no_crypto")
 * or a status ("status_486") kept by code. */
struct reason_count {
	char name[32];
	uint64_t n;
};

struct name_count {
	char name[48];
	uint64_t n;
};

/* SRTP media, summed over streams. */
enum srtp_counter {
	SRTP_STREAMS, SRTP_PACKETS_SENT, SRTP_PACKETS_RECEIVED, SRTP_AUTH_FAILURES,
	SRTP_REPLAY_FAILURES, SRTP_BAD_PACKETS, SRTP_UNEXPECTED_SSRC, SRTP_UNEXPECTED_SOURCE,
	SRTP_EARLY_PACKETS, SRTP_LOST, SRTP_EXPECTED, SRTP_LATE_SENDS, SRTP_SEND_ERRORS,
	SRTP_RTCP_SENT, SRTP_RTCP_RECEIVED, SRTP_RTCP_AUTH_FAILURES, SRTP_STREAMS_RECEIVING,
	SRTP_SILENT_STREAMS, SRTP_STALE_KEY_PACKETS, SRTP_REORDERED, SRTP_DUPLICATES,
	SRTP_REKEYS,          /* our key replaced within a stream (a rekey of ours or the far end's) */
	SRTP_LIFETIME_ENDED,  /* streams we stopped sending at the lifetime of our key */
	SRTP_COUNTERS
};
/* The report key of a counter ("packets_received", ...). */
const char *srtp_counter_name(enum srtp_counter c);

/* What the far end's RTCP receiver reports said about the media we sent (RFC 3550 6.4),
 * each stream's last report: its cumulative lost of the packets it expected, its
 * jitter, and the round trips from LSR/DLSR (all of them). */
struct srtp_far_end {
	uint64_t streams, reports, expected, rtt_samples;
	int64_t lost;
	double jitter_ms_sum, jitter_ms_max, rtt_ms_sum, rtt_ms_max;
};

/* The far end's lost as a percentage of what it expected (0 when it expected nothing). */
double srtp_far_end_lost_pct(const struct srtp_far_end *f);

struct srtp_result {
	uint64_t n[SRTP_COUNTERS]; /* n[SRTP_LOST] is signed (RFC 3550): read it as int64_t */
	double jitter_ms_sum, jitter_ms_max; /* over streams that received packets */
	struct mos_tally mos;      /* one E-model MOS per stream that received packets */
	struct srtp_far_end far_end;
	char suite[40];
};

/* DTMF (RFC 4733 telephone-events in the media), summed over calls: digits we sent
 * whole, digits the far end sent us, digits expected of it (checked) and those of them
 * that came otherwise or not at all (mismatched). */
enum dtmf_count { DTMF_COUNT_SENT, DTMF_COUNT_RECEIVED, DTMF_COUNT_CHECKED, DTMF_COUNT_MISMATCHED,
		  DTMF_COUNTS };
/* The report key of a count ("sent", ...). */
const char *dtmf_count_name(enum dtmf_count c);

/* How each TLS handshake attempt ended, from our side of the wire. */
enum hs_outcome {
	HS_ACCEPTED,       /* handshake done and not refused within the hold time */
	HS_REFUSED_ALERT,  /* the far end sent an alert (during or right after the handshake) */
	HS_REFUSED_RESET,  /* the far end reset the connection */
	HS_REFUSED_CLOSE,  /* the far end closed without an alert */
	HS_TIMEOUT,        /* no handshake within the time allowed */
	HS_WE_REFUSED,     /* we refused the far end (its certificate did not verify) */
	HS_CONNECT_FAILED, /* no TCP connection */
	HS_UNDECIDED,      /* ended before the far end decided: not started for lack of a local
			    * resource (the concurrency cap, descriptors), interrupted */
	HS_OUTCOMES
};
const char *hs_outcome_name(enum hs_outcome o);

/* One call's SRTP keys, when the run was asked to list them (--srtp-keys): with a
 * capture, they let a trace tool decrypt the media. */
struct srtp_key_row {
	char call_id[64], suite[32];
	char tx[64], rx[64];   /* inline key||salt, base64: ours and the far end's */
	uint16_t local_port;
	char remote[56];       /* where our RTP went: "ip:port" or "[v6]:port" */
};
#define RESULT_MAX_KEYS 1000

/* The tester's own health: whether trunkload kept its schedule and read its sockets,
 * so that the latency figures belong to the far end. */
#define TESTER_LONG_TURN_US 10000 /* a loop turn longer than this is counted */
#define TESTER_LAG_SHOWN_US 10000 /* the progress line shows a schedule lag above this */
/* The check tester.schedule_lag: its p99 warns above the first, fails above the second */
#define TESTER_LAG_WARN_MS 10.0
#define TESTER_LAG_FAIL_MS 100.0
struct tester_health {
	struct hist schedule_lag;     /* caller: a call's scheduled start to its start, µs */
	uint64_t turns, long_turns, worst_turn_us; /* the loop's turns (their work, not waits) */
	uint64_t enobufs_rearms;      /* receives ended for want of buffers, armed again */
	uint64_t tcp_samples;         /* TCP_INFO samples of connections that were up ... */
	uint64_t zero_window_ours;    /* ... with the window we advertise at zero */
	uint64_t zero_window_far_end; /* ... with the far end's window at zero */
	uint64_t window_unknown;      /* ... where the kernel does not tell our window */
	unsigned workers;
	double cpu_s, wall_s;         /* the workers' CPU and wall time, summed */
	double busiest_worker_pct;    /* the busiest worker's CPU over its wall time */
};

/* One distinct certificate the far end presented (a cluster's nodes each have their own;
 * a renewal may have reached some of them only). */
#define RESULT_MAX_PEERS 8
#define PEER_KEY_LEN 32
struct peer_seen {
	unsigned char key[PEER_KEY_LEN]; /* SHA-256 of its leaf */
	uint64_t handshakes;      /* handshakes (finished or refused) that presented it */
	char where[64];           /* the first far-end address it came from, "ADDR:PORT" */
	struct tls_peer peer;     /* its chain, the facts of its first handshake, findings */
};

/* One destination of a trunk with several (target.hosts): the calls placed there and
 * how its connections fared. */
#define DEST_MAX_REASONS 8
struct dest_result {
	uint64_t calls, completed, failed;
	uint64_t connections_up;    /* connections (with TLS: handshakes) that came up */
	uint64_t connect_failures;  /* no TCP connection */
	uint64_t tls_failures;      /* TCP up, the handshake failed or was refused */
	uint64_t went_down;         /* times it stopped taking calls: its last trunk connection
				     * lost, or (a connection per call) a connection refused */
	struct reason_count reasons[DEST_MAX_REASONS];
	unsigned n_reasons;
	struct hist invite_to_200;
};

/* transport.options_ping_s: the trunk's keepalive, and each time a trunk connection went
 * out of service (a ping unanswered, or answered 408 or 503) until a ping was answered
 * again. */
#define RESULT_MAX_OOS 64
struct oos_event {
	double at_s, back_s;   /* since the schedule started; back_s < 0: still out at the end */
	unsigned worker, trunk; /* which trunk connection */
	char where[64];        /* its destination, "HOST:PORT" */
	char reason[24];       /* "timeout", "status_408", "status_503" */
};
struct trunk_keepalive {
	uint64_t pings, answered, failed;
	struct oos_event *events; /* owned; at most RESULT_MAX_OOS */
	unsigned n_events;
	uint64_t events_untold;   /* past that many */
};

/* --trace: the SIP messages of a call, as sent and received (inside TLS), with when,
 * which way and over which connection; kept for the calls it picks. */
struct trace_kept {
	char call_id[64], reason[32]; /* reason "completed" for a call that did not fail */
	char *text;                   /* owned; text[len] is a NUL */
	size_t len;
};

/* One stage of load.stages: the calls scheduled in it, however late they ended. */
struct stage_result {
	uint64_t started, completed, failed;
	struct hist invite_to_200;
};

/* run --find-capacity: the highest rate at which every check held, and the trial that
 * failed above it (the trials are the run's stages). */
struct capacity_found {
	bool searched;
	double cps;             /* 0: even the first trial failed */
	double concurrent;      /* --find-capacity concurrent: the calls held at once, else 0 */
	bool max_reached;       /* --max passed: the capacity is higher */
	bool unfinished;        /* the trials ran out before the bisection came within 5 % */
	unsigned failed_stage;  /* 1-based stage of the lowest failing rate, 0: none failed */
	double failed_cps, failed_concurrent;
	char threshold[160];    /* its first failing check: "name: expected ..., observed ..." */
};

struct ts_row { /* one second of the run */
	uint64_t started, completed, failed, active, p99_us;
	uint64_t lag_max_us; /* the latest any call of the second started (schedule lag) */
};

struct result {
	uint64_t attempted, completed, failed, max_concurrent, concurrency_cap_hits;
	uint64_t stray_responses; /* SIP responses that matched no call or transaction of ours */
	uint64_t ended_by_us, ended_by_far_end; /* whose BYE ended a call */
	uint64_t refreshes_by_us, refreshes_by_far_end; /* RFC 4028 refreshes that succeeded */
	struct reason_count reasons[RESULT_MAX_REASONS];
	unsigned n_reasons;
	struct hist lat[LAT_COUNT];

	struct srtp_result srtp;
	uint64_t dtmf[DTMF_COUNTS];
	struct tester_health tester;

	uint64_t hs_ok, hs_failed, hs_resumed;
	uint64_t hs_outcome[HS_OUTCOMES];  /* a negative test: each attempt in exactly one */
	struct tls_alerts alerts;
	struct name_count versions[RESULT_MAX_NAMES], ciphers[RESULT_MAX_NAMES];
	struct tls_peer peer;   /* from the first handshake, or the first refused one when none succeeded */
	struct peer_seen *peers; /* owned; every distinct certificate, at most RESULT_MAX_PEERS */
	unsigned n_peers;
	uint64_t peers_untold;  /* handshakes with certificates past that many */
	struct stage_result *stages; /* owned; one per load.stages stage, NULL without */
	unsigned n_stages;
	struct dest_result *dests;   /* owned; one per destination when there are several */
	unsigned n_dests;
	struct capacity_found capacity;
	struct trunk_keepalive keepalive;
	struct trace_kept *traces;  /* owned */
	unsigned n_traces, cap_traces;
	uint64_t traces_dropped;    /* calls it would have kept, past --trace-mem */
	struct {                    /* --pcap: the run's capture (set by the CLI at the end) */
		char file[512];     /* "": none */
		uint64_t packets, bytes, dropped, max_bytes;
	} pcap;
	char first_tls_error[200];

	struct srtp_key_row *keys; /* owned; NULL unless keys are listed */
	unsigned n_keys, cap_keys;

	struct prefix_table by_to_prefix; /* owned; calls by called-number prefix (call.numbers) */

	struct ts_row *ts; /* owned; one row per second */
	unsigned n_ts, cap_ts;

	double schedule_wall_s; /* wall clock (epoch s) the schedule began (the earliest
				 * worker's), 0: unknown */
	double elapsed_s;
	/* achieved rate: calls scheduled after the ramp that completed, over the
	 * time those calls were being started */
	uint64_t steady_completed;
	double steady_window_s;
	bool interrupted;
	char aborted[96];       /* why the schedule stopped early ("" when it ran) */
	int could_not_run;      /* negative errno when the run could not be carried out */
	char could_not_run_why[256];
};

void result_init(struct result *r);
void result_free(struct result *r);
/* The entry of the certificate with this key, NULL if none. */
struct peer_seen *result_peer_find(struct result *r, const unsigned char key[PEER_KEY_LEN]);
/* A new, zeroed entry for key (its handshakes 0); NULL when RESULT_MAX_PEERS are held
 * (peers_untold counts it) or memory is short. */
struct peer_seen *result_peer_add(struct result *r, const unsigned char key[PEER_KEY_LEN]);
/* A finding about the far end, once per code over every certificate it presented. */
struct finding_seen {
	const struct finding *f;  /* the first of its code (borrowed from r) */
	const char *where;        /* the far-end address of that certificate, "" unknown */
	unsigned certificates;    /* how many distinct certificates had it */
};
/* The union of the findings of the first handshake and of every distinct certificate,
 * in that order, one per code: at most max into out. Returns how many. */
unsigned result_findings(const struct result *r, struct finding_seen *out, unsigned max);

/* Keeps a call's trace: text (malloc'd, a NUL at text[len]) becomes the result's. 0 or
 * -ENOMEM (then the caller still owns text). */
int result_trace_add(struct result *r, const char *call_id, const char *reason, char *text,
		     size_t len);
/* How many traces are kept for reason. */
unsigned result_traces_of(const struct result *r, const char *reason);
/* A new out-of-service event (zeroed, back_s -1); NULL when RESULT_MAX_OOS are held
 * (events_untold counts it) or memory is short. */
struct oos_event *result_oos_add(struct result *r);
/* Makes room for n stages (zeroed; kept when as many are there). 0 or -ENOMEM. */
int result_stages_reserve(struct result *r, unsigned n);
/* The same for n destinations. */
int result_dests_reserve(struct result *r, unsigned n);

/* Trunk connections out of service at any time in second t of the run (from the
 * keepalive's events, as the time series shows them). */
unsigned result_out_of_service_in(const struct trunk_keepalive *k, unsigned t);

/* One more handshake with the certificate of src: counted on its entry, or src copied. */
void result_peer_merge(struct result *dst, const struct peer_seen *src);

/* Adds one occurrence of a failure reason (names longer than 31 bytes are cut). */
void result_fail(struct result *r, const char *reason);
/* Adds n occurrences; a full table counts new reasons in its last slot, "other". */
void result_reason_add(struct result *r, const char *reason, uint64_t n);
/* The same over any table of max reasons, *used of them taken. */
void reason_table_add(struct reason_count *tab, unsigned *used, unsigned max, const char *reason,
		      uint64_t n);
void result_name_add(struct name_count *tab, const char *name, uint64_t n);
/* The row for second `sec` (grown as needed; NULL only when out of memory). */
struct ts_row *result_ts_row(struct result *r, unsigned sec);
/* Moves the rows seconds later (empty rows before them): a shard that started its
 * schedule that many seconds after the first, lined up with it. 0 or -ENOMEM. */
int result_ts_shift(struct result *r, unsigned seconds);
/* The row of the second `now` falls in, counted from t0 (monotonic ns; before t0: 0). */
struct ts_row *result_ts_row_at(struct result *r, uint64_t t0, uint64_t now);
/* Room for up to cap SRTP key rows. 0 or -ENOMEM. */
int result_keys_reserve(struct result *r, unsigned cap);
/* dst += src, for every counter, histogram, table and row. */
void result_merge(struct result *dst, const struct result *src);
#endif
