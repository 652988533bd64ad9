/* The roles when a step of theirs fails: a call whose timer cannot be armed, a
 * responder whose SRTP stream cannot be set up. Each must end the call with a reason
 * (never hang, never answer as if all were well). Faults are put into the library
 * at link time (ld --wrap, see tests/CMakeLists.txt); everything else is real: a
 * worker, its ring, loopback TCP. */
#include "tl_test.h"
#include "clock.h"
#include "media.h"
#include "rtp.h"
#include "sdp.h"
#include "sip_build.h"
#include "srtp_ossl.h"
#include "timer.h"
#include "uac.h"
#include "uas.h"

#include <arpa/inet.h>
#include <errno.h>
#include <poll.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* ---- the faults ---------------------------------------------------------- */

static uint64_t fail_timers_beyond_ns; /* timer_push fails for deadlines later than now + this (0: never) */
static int fail_rx_with, fail_tx_with;  /* media_set_rx / media_start_tx return this (0: work) */

int __real_timer_push(struct timer_heap *h, struct timer_entry t);
int __wrap_timer_push(struct timer_heap *h, struct timer_entry t);
int __wrap_timer_push(struct timer_heap *h, struct timer_entry t)
{
	if (fail_timers_beyond_ns && t.at > clock_mono_ns() + fail_timers_beyond_ns)
		return -ENOMEM;
	return __real_timer_push(h, t);
}

int __real_media_set_rx(struct media_pool *p, uint32_t slot, const struct sdes_crypto *key);
int __wrap_media_set_rx(struct media_pool *p, uint32_t slot, const struct sdes_crypto *key);
int __wrap_media_set_rx(struct media_pool *p, uint32_t slot, const struct sdes_crypto *key)
{
	return fail_rx_with ? fail_rx_with : __real_media_set_rx(p, slot, key);
}

int __real_media_start_tx(struct media_pool *p, uint32_t slot, const struct sdes_crypto *key,
			  int ptime_ms, uint8_t pt, uint64_t at);
int __wrap_media_start_tx(struct media_pool *p, uint32_t slot, const struct sdes_crypto *key,
			  int ptime_ms, uint8_t pt, uint64_t at);
int __wrap_media_start_tx(struct media_pool *p, uint32_t slot, const struct sdes_crypto *key,
			  int ptime_ms, uint8_t pt, uint64_t at)
{
	return fail_tx_with ? fail_tx_with : __real_media_start_tx(p, slot, key, ptime_ms, pt, at);
}

/* ---- helpers -------------------------------------------------------------- */

#define BOUND_MS 5000 /* every case ends well before this, or has hung */

static atomic_bool stop_flag;

static void *stop_after(void *arg)
{
	uint64_t until = clock_mono_ns() + (uint64_t)(uintptr_t)arg * NS_PER_MS;
	while (!atomic_load(&stop_flag) && clock_mono_ns() < until)
		usleep(10000);
	atomic_store(&stop_flag, true);
	return NULL;
}

/* A TCP listener on 127.0.0.1 with a free port. */
static int listener(struct sockaddr_in *at)
{
	int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	*at = (struct sockaddr_in){ .sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
	socklen_t len = sizeof(*at);
	if (fd < 0 || bind(fd, (struct sockaddr *)at, sizeof(*at)) || listen(fd, 16) ||
	    getsockname(fd, (struct sockaddr *)at, &len)) {
		if (fd >= 0)
			close(fd);
		return -1;
	}
	return fd;
}

static uint64_t reason_count(const struct result *r, const char *name)
{
	for (unsigned i = 0; i < r->n_reasons; i++)
		if (!strcmp(r->reasons[i].name, name))
			return r->reasons[i].n;
	return 0;
}

/* ---- the caller: a held connection whose timer cannot be armed ------------ */

static void test_caller_hold_timer(void)
{
	struct sockaddr_in at;
	int lfd = listener(&at);
	CU_ASSERT_FATAL(lfd >= 0);
	static struct scenario scn;
	scenario_default(&scn);
	scn.transport = SCN_TCP;
	scn.mode = SCN_HANDSHAKE;
	scn.hold_ms = 60000; /* held a minute: its timer is the one that fails */
	scn.calls = 1;
	scn.rate = 100;
	scn.max_concurrent = 1;

	static struct worker w;
	memset(&w, 0, sizeof(w));
	w.listen_fd = -1;
	w.stop = &stop_flag;
	w.lean = true;
	w.stop_grace_ns = 200 * NS_PER_MS;
	result_init(&w.res);
	CU_ASSERT_EQUAL_FATAL(worker_init(&w, 4), 0);
	static struct sockaddr_storage target;
	static socklen_t target_len = sizeof(at);
	memcpy(&target, &at, sizeof(at));
	struct uac_config cfg = { .scn = &scn, .worker_id = 0, .n_workers = 1, .max_calls = 1,
				  .media_port_lo = 40000, .media_port_hi = 40099, .targets = &target,
				  .target_lens = &target_len };
	snprintf(cfg.run_id, sizeof(cfg.run_id), "t");
	struct uac *u = uac_new(&w, &cfg);
	CU_ASSERT_PTR_NOT_NULL_FATAL(u);

	atomic_store(&stop_flag, false);
	fail_timers_beyond_ns = 30 * NS_PER_S;
	pthread_t watchdog;
	pthread_create(&watchdog, NULL, stop_after, (void *)(uintptr_t)BOUND_MS);
	uint64_t t0 = clock_mono_ns();
	CU_ASSERT_EQUAL(worker_run(&w), 0);
	double took_ms = (double)(clock_mono_ns() - t0) / 1e6;
	bool hung = atomic_load(&stop_flag);
	atomic_store(&stop_flag, true);
	pthread_join(watchdog, NULL);
	fail_timers_beyond_ns = 0;
	uac_finish(u);

	CU_ASSERT_FALSE(hung);
	CU_ASSERT(took_ms < BOUND_MS / 2);
	CU_ASSERT_EQUAL(w.res.attempted, 1);
	CU_ASSERT_EQUAL(w.res.failed, 1);
	CU_ASSERT_EQUAL(reason_count(&w.res, "out_of_memory"), 1);
	if (reason_count(&w.res, "out_of_memory") != 1)
		fprintf(stderr, "ran %.0f ms; first reason: %s\n", took_ms,
			w.res.n_reasons ? w.res.reasons[0].name : "none");
	uac_free(u);
	worker_free(&w);
	result_free(&w.res);
	close(lfd);
}

/* ---- the responder: an SRTP stream it cannot set up ------------------------ */

struct invite_client {
	struct sockaddr_in to;
	int final_status;
};

/* Sends one INVITE with an SDES offer and reads until the final response. */
static void *invite_once(void *arg)
{
	struct invite_client *ic = arg;
	int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0 || connect(fd, (struct sockaddr *)&ic->to, sizeof(ic->to))) {
		if (fd >= 0)
			close(fd);
		atomic_store(&stop_flag, true);
		return NULL;
	}
	struct sdes_crypto offer = { .tag = 1, .suite = SDES_AES_CM_128_HMAC_SHA1_80 };
	offer.key_len = sdes_suite_key_len(offer.suite);
	memset(offer.key, 7, offer.key_len);
	char sdp[1024], msg[4096];
	struct sdp_params sp = { .addr = "127.0.0.1", .port = 40100, .session_id = 1, .ptime_ms = 20,
				 .crypto = &offer, .n_crypto = 1, .direction = "sendrecv" };
	int sdp_len = sdp_build(sdp, sizeof(sdp), &sp);
	struct sip_request r = {
		.method = SIP_INVITE, .ruri = TL_STR("sip:9898@127.0.0.1"), .transport = TL_STR("TCP"),
		.sent_by = TL_STR("127.0.0.1:1"), .branch = TL_STR("z9hG4bK-faults-1"),
		.from_uri = TL_STR("sip:1018@127.0.0.1"), .from_tag = TL_STR("f1"),
		.to_uri = TL_STR("sip:9898@127.0.0.1"), .call_id = TL_STR("faults-1@test"), .cseq = 1,
		.contact_uri = TL_STR("sip:1018@127.0.0.1:1;transport=tcp"),
		.content_type = TL_STR("application/sdp"),
		.body = { sdp, sdp_len > 0 ? (size_t)sdp_len : 0 },
	};
	int n = sip_build_request(msg, sizeof(msg), &r);
	if (n > 0 && write(fd, msg, (size_t)n) == n) {
		char rx[8192];
		size_t len = 0;
		uint64_t until = clock_mono_ns() + 2 * NS_PER_S;
		while (!ic->final_status && clock_mono_ns() < until && len < sizeof(rx)) {
			struct pollfd pfd = { .fd = fd, .events = POLLIN };
			if (poll(&pfd, 1, 100) <= 0)
				continue;
			ssize_t got = read(fd, rx + len, sizeof(rx) - len);
			if (got <= 0)
				break;
			len += (size_t)got;
			size_t off = 0;
			struct sip_msg m;
			int k;
			while ((k = sip_parse_msg(rx + off, len - off, sizeof(rx), &m)) > 0) {
				if (m.kind == SIP_KIND_RESPONSE && m.status >= 200)
					ic->final_status = m.status;
				off += (size_t)k;
			}
		}
	}
	close(fd);
	atomic_store(&stop_flag, true);
	return NULL;
}

static void responder_case(int rx_err, int tx_err, int want_status)
{
	struct sockaddr_in at;
	int lfd = listener(&at);
	CU_ASSERT_FATAL(lfd >= 0);
	static struct worker w;
	memset(&w, 0, sizeof(w));
	w.listen_fd = lfd;
	w.server = true;
	w.stop = &stop_flag;
	w.stop_grace_ns = 200 * NS_PER_MS;
	result_init(&w.res);
	CU_ASSERT_EQUAL_FATAL(worker_init(&w, 8), 0);
	struct uas_config cfg = { .media_port_lo = 41000, .media_port_hi = 41099, .max_streams = 4 };
	struct uas *s = uas_new(&w, &cfg);
	CU_ASSERT_PTR_NOT_NULL_FATAL(s);

	atomic_store(&stop_flag, false);
	fail_rx_with = rx_err;
	fail_tx_with = tx_err;
	struct invite_client ic = { .to = at };
	pthread_t client, watchdog;
	pthread_create(&client, NULL, invite_once, &ic);
	pthread_create(&watchdog, NULL, stop_after, (void *)(uintptr_t)BOUND_MS);
	CU_ASSERT_EQUAL(worker_run(&w), 0);
	pthread_join(client, NULL);
	pthread_join(watchdog, NULL);
	fail_rx_with = fail_tx_with = 0;
	uas_finish(s);
	const struct uas_counts *n = uas_counts(s);

	CU_ASSERT_EQUAL(ic.final_status, want_status);
	if (ic.final_status != want_status)
		fprintf(stderr, "rx fault %d, tx fault %d: final status %d, want %d\n", rx_err, tx_err,
			ic.final_status, want_status);
	CU_ASSERT_EQUAL(n->invites, 1);
	CU_ASSERT_EQUAL(n->media_failed, want_status == 200 ? 0 : 1);
	CU_ASSERT_EQUAL(n->answered, want_status == 200 ? 1 : 0);
	uas_free(s);
	worker_free(&w);
	result_free(&w.res);
	close(lfd);
}

static void test_responder_rx_key_fails(void)
{
	responder_case(-EINVAL, 0, 500);
}

static void test_responder_tx_fails(void)
{
	responder_case(0, -ENOMEM, 500);
}

/* the same exchange without a fault: the client and the counts are right */
static void test_responder_no_fault(void)
{
	responder_case(0, 0, 200);
}

int main(void)
{
	pcmu_tone_init();
	if (srtp_ossl_install()) {
		fprintf(stderr, "libsrtp2 failed to initialise\n");
		return 1;
	}
	static const struct tl_case cases[] = {
		{ "caller: a hold timer that cannot be armed fails the call", test_caller_hold_timer },
		{ "responder: SRTP receive key that cannot be set answers 500", test_responder_rx_key_fails },
		{ "responder: SRTP sending that cannot start answers 500", test_responder_tx_fails },
		{ "responder: without a fault the call is answered 200", test_responder_no_fault },
	};
	return tl_run("role_faults", TL_CASES(cases));
}
