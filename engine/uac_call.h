/* The caller's parts and what they share (private to uac*.c): a call's state, the
 * trunk connections, the caller itself. uac.c holds a call's life and the role,
 * uac_send.c what a call sends, uac_flow.c how responses, the far end's requests
 * and timers move a call through its flow, uac_conns.c the connections under the
 * calls, uac_schedule.c the pace of new calls and the figures of each second. */
#ifndef TL_UAC_CALL_H
#define TL_UAC_CALL_H
#include "uac.h"
#include "media.h"
#include "slot_stack.h"
#include "expand.h"
#include "ua_session.h"
#include <regex.h>

enum timer_kind { T_STEP = 1, T_RECONNECT, T_STARTUP, T_HANDSHAKE, T_HOLD, T_IDLE_HOLD, T_SESSION,
		  T_GLARE, T_PING };
/* A re-INVITE refused with 491 goes again this many times at most. */
#define GLARE_RETRIES 3

/* A connection of our own that is not up by then has timed out; an accepted one is
 * held this long for a TLS 1.3 refusal, which comes after our handshake finished. */
#define HANDSHAKE_TIMEOUT_NS (10 * NS_PER_S)
#define REFUSAL_WAIT_NS (1 * NS_PER_S)
/* Trunk connections not all up by then: the run starts with those that are. */
#define STARTUP_TIMEOUT_NS (10 * NS_PER_S)

/* What the session's own messages are told to (ua_io.sent): the call, whose trace may
 * be dropped meanwhile. */
struct trace_tap {
	struct uac *u;
	struct call *k;
};

struct call {
	uint32_t gen, timer_seq;
	uint64_t number;      /* its index in the run, shards included: {call_number} */
	uint32_t st_seq;      /* the session timer's own sequence */
	bool active;
	uint8_t step;
	uint32_t conn_slot, conn_gen;
	uint8_t dest;         /* the destination (target.hosts) it was placed on */
	uint64_t t_sched, t_invite, t_request; /* t_request: the last BYE or OPTIONS sent */
	uint32_t invite_cseq, last_cseq, txn;
	enum sip_method last_method;
	bool invite_sent, invite_final, got_2xx, acked, bye_sent, seen_100, seen_180;
	bool retried_422;     /* the INVITE went again once with the far end's Min-SE */
	bool reinvite;        /* the INVITE transaction under way is a re-INVITE */
	bool early_answer;    /* a provisional response answered our offer (early media) */
	uint8_t glare_retries; /* of the re-INVITE under way, refused with 491 (RFC 3261 14.1) */
	uint32_t rseq_acked;  /* the last reliable provisional response PRACKed (RFC 3262) */
	char branch_prack[64];
	uint8_t dir;          /* enum scn_direction: what our offers say (a re-INVITE moves it) */
	uint8_t pt;           /* the codec agreed (RTP payload type) */
	uint8_t dtmf_from;    /* digits of the far end's that earlier expect_dtmf steps took */
	uint64_t step_deadline; /* a dtmf or expect_dtmf step fails past it */
	uint32_t session_expires; /* what our INVITE asks for (0: no session timer) */
	char call_id[64], from_tag[20];
	char branch_invite[64], branch_last[64];
	struct ua_session ss; /* the dialog, the offer/answer and the session timer */
	bool dialog_ready;    /* ss.dlg holds our side (set at the first request) */
	bool far_end_bye;     /* the far end's BYE ended the dialog, not ours */
	bool has_media;
	uint32_t media_slot;
	uint16_t media_port;
	bool own_conn, conn_up, got_sip; /* per_call and handshake modes: the call's connection */
	bool decided;         /* a negative test: this attempt's outcome is counted */
	bool cancelling;      /* failed and cancelled: awaits the INVITE's final response, to
			       * acknowledge it (and end with BYE a 2xx that crossed the CANCEL) */
	struct trace_hold trace;  /* --trace: owned while the call runs */
	struct trace_tap tap;     /* for the session's messages, while traced */
};

struct trunk {
	uint32_t slot, gen;
	uint8_t dest;         /* the destination it connects to */
	bool open, up, ever_up, got_sip;
	bool in_service;      /* its last ping was answered (or none was sent): it takes calls */
	bool ping_out;        /* a ping awaits its answer */
	uint32_t ping_seq;    /* the current ping timer's; the CSeq and Call-ID of the last ping */
	uint64_t ping_sent, next_ping; /* monotonic ns */
	int oos_event;        /* while out of service: its event in the report, or -1 */
};

/* A destination of the trunk (target.hosts), as this worker sees it. */
struct uac_dest {
	char verify_name[256];   /* SNI and the name its certificate must carry */
	unsigned trunks_usable;      /* trunk mode: its connections up and in service now */
	unsigned next_trunk;     /* trunk mode: where the next call's search for one starts */
	uint64_t down_until;     /* a connection per call: one was refused; skipped till then */
	char from_uri[300], to_uri[300], ruri[320]; /* its calls' URIs, unless per call */
	bool uris_ready;
};
/* A destination that refused a call's own connection gets no call for this long
 * (unless none is left), as a trunk's connection is retried after a second. */
#define DEST_RETRY_NS NS_PER_S

struct uac {
	struct worker *w;
	struct uac_config cfg;
	const struct scenario *scn;
	struct uac_dest dests[DEST_MAX];
	unsigned n_dests;
	struct dest_picker picker; /* target.distribution over the destinations */
	struct trunk *trunks;      /* trunk i goes to destination i % n_dests */
	unsigned n_trunks, n_settled, rr;
	struct call *calls;
	uint32_t n_calls, active;
	struct slot_stack slots; /* the free ones of calls[] */
	bool started, sched_done, closing;
	uint64_t t0, t_startup;
	uint64_t start_mono;      /* --start-at on the monotonic clock, 0: at once */
	uint64_t k; /* global index of the next call this worker starts */
	uint64_t last_sched; /* scheduled start of the latest call started */
	int last_sec;
	struct hist sec_hist;
	uint64_t sec_lag_us;  /* this second's worst schedule lag */
	bool uris_per_call;   /* From or To names something of each call */
	regex_t *checks;      /* the scenario's header_checks, compiled */
	struct media_pool media;
	bool media_on;        /* the flow has a media phase: calls get RTP sockets */
	bool per_conn;        /* per_call or handshake mode: a connection per call */
	bool expect_refusal;  /* tls.expect_handshake "rejected": each call is one attempt */
	uint64_t connect_failures;
	struct trace_book traces; /* --trace */
};

/* uac.c: a call's life */
void uac_call_start(struct uac *u, uint64_t t_sched);
struct call *uac_call_by_id(struct uac *u, struct tl_str id);
uint32_t uac_call_slot(const struct uac *u, const struct call *k);
struct conn *uac_call_conn(struct uac *u, struct call *k); /* its connection, if up */
void uac_uris_prepare(struct uac *u, unsigned dest, const struct conn *c);
/* A call's From, To and request URI: the connection's, or written for this call
 * into buf. */
struct call_uris {
	const char *from, *to, *ruri;
	char from_buf[300], to_buf[300], ruri_buf[320];
};
void uac_call_uris(struct uac *u, const struct call *k, const struct conn *c, struct call_uris *out);
/* What a template names for this call on connection c. */
struct expand_vars uac_expand_vars(const struct uac *u, const struct call *k, const struct conn *c);
void uac_lat(struct uac *u, enum lat_interval i, uint64_t from);
/* The call's INVITE to 200 OK, for the run and for its destination. */
void uac_lat_invite_to_200(struct uac *u, const struct call *k);
void uac_count_outcome(struct uac *u, struct call *k, enum hs_outcome o);
/* clean_up: what the dialog needs to end on the wire (ACK, BYE, CANCEL) is sent */
void uac_call_fail(struct uac *u, struct call *k, const char *reason, bool clean_up);
void uac_call_done(struct uac *u, struct call *k);
void uac_arm_kind(struct uac *u, struct call *k, uint64_t at, enum timer_kind kind);
/* A response to a call that failed and was cancelled: the INVITE's final response is
 * acknowledged (a 2xx also ended with BYE), then the call is let go. */
void uac_cancelled_response(struct uac *u, struct call *k, const struct sip_msg *m);

/* uac_send.c */
struct ua_io uac_call_io(struct uac *u, struct call *k, struct conn *c, char *contact, size_t cap);
/* st: the flow step that sends it (its headers go along), or NULL */
int uac_send_request(struct uac *u, struct call *k, enum sip_method m, bool offer,
		     const struct flow_step *st);
int uac_send_ack(struct uac *u, struct call *k, bool answer, const struct flow_step *st,
		 const char **why);
void uac_send_error_ack(struct uac *u, struct call *k, const struct sip_msg *m);
/* The PRACK of the reliable provisional response numbered rseq (RFC 3262 7.2). */
int uac_send_prack(struct uac *u, struct call *k, uint32_t rseq);

/* uac_flow.c */
/* Whether media flows our way, or the far end's, after the last offer and answer. */
bool uac_we_receive(const struct call *k);
bool uac_we_send(const struct call *k);
void uac_call_advance(struct uac *u, struct call *k);
const char *uac_media_from_neg(struct uac *u, struct call *k);
void uac_on_response(struct uac *u, struct conn *c, const struct sip_msg *m);
void uac_on_request(struct uac *u, struct conn *c, const struct sip_msg *m);
void uac_flow_timer(struct uac *u, struct call *k);
void uac_session_deadline(struct uac *u, struct call *k, uint32_t seq);
void uac_glare_timer(struct uac *u, struct call *k);

/* uac_conns.c */
struct conn *uac_pick_trunk(struct uac *u, struct trunk **out);
/* The destination of a call with a connection of its own (target.distribution over
 * those that did not refuse one lately). */
unsigned uac_pick_dest(struct uac *u);
/* Its figures, when the trunk has several destinations (else NULL). */
struct dest_result *uac_dest_result(struct uac *u, unsigned dest);
void uac_open_trunk(struct uac *u, struct trunk *t);
void uac_trunk_reconnect(struct uac *u, uint32_t trunk);
/* A trunk connection's state: it takes calls when up and in service, which its
 * destination counts (and counts it going down when none is left). */
void uac_trunk_state(struct uac *u, struct trunk *t, bool up, bool in_service);
/* Connects trunk again in a second (a connection lost, or one down from the start). */
void uac_trunk_retry(struct uac *u, unsigned trunk);
void uac_conn_timer(struct uac *u, struct call *k, enum timer_kind kind);
void uac_conn_up(struct worker *w, struct conn *c);
void uac_conn_msg(struct worker *w, struct conn *c, const struct sip_msg *m);
void uac_conn_down(struct worker *w, struct conn *c, int err, const char *why);

/* uac_keepalive.c: transport.options_ping_s */
/* The trunk connection came up: ping it now, then every interval. */
void uac_ping_start(struct uac *u, struct trunk *t);
void uac_ping_timer(struct uac *u, uint32_t trunk, uint32_t seq);
/* Whether m answers one of our pings (then it is taken). */
bool uac_ping_response(struct uac *u, struct conn *c, const struct sip_msg *m);

/* uac_trace.c: --trace */
void uac_trace_begin(struct uac *u, struct call *k);
/* One message of the call: sent or received over c, in one or two pieces. */
void uac_trace_msg(struct uac *u, struct call *k, const struct conn *c, bool sent, const char *a,
		   size_t alen, const char *b, size_t blen);
/* The call failed for reason (said once). */
void uac_trace_failed(struct uac *u, struct call *k, const char *reason);
/* The call ended (its trace's reason says how): its trace is kept or let go. */
void uac_trace_end(struct uac *u, struct call *k);
/* For ua_io.sent: a message the call's session sent. */
void uac_trace_sent(void *tap, const struct conn *c, const char *msg, size_t len);
/* A received message, head and body, into the call's trace. */
void uac_trace_received(struct uac *u, struct call *k, const struct conn *c, const struct sip_msg *m);

/* uac_schedule.c */
uint64_t uac_schedule_tick(struct worker *w, uint64_t now);
void uac_second_rollover(struct uac *u, uint64_t now);
void uac_steady_window(struct uac *u);

#endif
