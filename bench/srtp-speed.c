/* srtp-speed: protect and unprotect rates for one 172-byte RTP packet (12-byte
 * header + 160 bytes of PCMU, 20 ms), first with libsrtp2 as Debian builds it
 * (NSS) for AES_CM_128_HMAC_SHA1_80 and AEAD_AES_128_GCM, then with the
 * OpenSSL primitives of srtp_ossl_install() for both suites.
 * Each figure is the median of 5 runs of about 0.5 s; packets go through in
 * batches so that building them stays outside the timed loops.
 *
 * Build and run from the repository root:
 *   gcc -std=c17 -D_GNU_SOURCE -O2 -Wall -Wextra -Iengine bench/srtp-speed.c \
 *       engine/srtp_ossl.c engine/srtp_ossl_gcm.c engine/srtp_session.c engine/sdes.c engine/rtp.c \
 *       -lsrtp2 -lssl -lcrypto -lm -o /tmp/srtp-speed && /tmp/srtp-speed
 */
#include "rtp.h"
#include "sdes.h"
#include "srtp_ossl.h"
#include "srtp_session.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define RUNS 5
#define RUN_SECONDS 0.5
#define BATCH 1024
#define PKT_CAP (RTP_HEADER + 160 + SRTP_MAX_OVERHEAD)

struct rate {
	double protect, unprotect; /* packets per second */
};

static double now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return (x > y) - (x < y);
}

static struct sdes_crypto key_for(enum sdes_suite suite)
{
	struct sdes_crypto c;
	memset(&c, 0, sizeof(c));
	c.tag = 1;
	c.suite = suite;
	c.key_len = sdes_suite_key_len(suite);
	for (size_t i = 0; i < c.key_len; i++)
		c.key[i] = (uint8_t)(0xa5 ^ (17 * i));
	return c;
}

/* One run: fresh sessions, batches until RUN_SECONDS of timed work. */
static int run_once(enum sdes_suite suite, struct rate *out)
{
	uint8_t(*pkt)[PKT_CAP] = malloc(sizeof(*pkt) * BATCH);
	size_t len[BATCH];
	struct sdes_crypto c = key_for(suite);
	struct srtp_session tx, rx;
	if (!pkt || srtp_session_init(&tx, &c, true) || srtp_session_init(&rx, &c, false)) {
		fprintf(stderr, "srtp-speed: cannot set up %s\n", sdes_suite_name(suite));
		return -1; /* a benchmark that exits: nothing to free */
	}
	static const uint8_t rnd[10] = { 1, 2, 3, 4, 0xff, 0x00, 9, 8, 7, 6 };
	struct rtp_sender snd;
	rtp_sender_init(&snd, 0, 20, rnd);

	double t_prot = 0, t_unprot = 0;
	long packets = 0;
	int bad = 0;
	while (t_prot + t_unprot < RUN_SECONDS && !bad) {
		for (int i = 0; i < BATCH; i++)
			len[i] = (size_t)rtp_build_next(&snd, pkt[i], PKT_CAP);
		double t0 = now();
		for (int i = 0; i < BATCH; i++)
			bad |= srtp_session_protect(&tx, pkt[i], &len[i], PKT_CAP) != 0;
		double t1 = now();
		for (int i = 0; i < BATCH; i++)
			bad |= srtp_session_unprotect(&rx, pkt[i], &len[i]) != SRTP_OK;
		double t2 = now();
		t_prot += t1 - t0;
		t_unprot += t2 - t1;
		packets += BATCH;
	}
	srtp_session_free(&tx);
	srtp_session_free(&rx);
	free(pkt);
	if (bad) {
		fprintf(stderr, "srtp-speed: %s: protect or unprotect failed\n",
			sdes_suite_name(suite));
		return -1;
	}
	out->protect = (double)packets / t_prot;
	out->unprotect = (double)packets / t_unprot;
	return 0;
}

static int measure(enum sdes_suite suite, struct rate *median)
{
	double p[RUNS], u[RUNS];
	for (int r = 0; r < RUNS; r++) {
		struct rate one;
		if (run_once(suite, &one))
			return -1;
		p[r] = one.protect;
		u[r] = one.unprotect;
	}
	qsort(p, RUNS, sizeof(p[0]), cmp_double);
	qsort(u, RUNS, sizeof(u[0]), cmp_double);
	median->protect = p[RUNS / 2];
	median->unprotect = u[RUNS / 2];
	return 0;
}

static void row(const char *suite, const char *prims, const struct rate *r)
{
	printf("%-24s %-10s %12.0f %8.0f %12.0f %8.0f\n", suite, prims, r->protect,
	       1e9 / r->protect, r->unprotect, 1e9 / r->unprotect);
}

int main(void)
{
	pcmu_tone_init();
	if (srtp_session_global_init()) {
		fprintf(stderr, "srtp-speed: libsrtp2 init failed\n");
		return 1;
	}
	struct rate cm_stock, gcm_stock, cm_ossl, gcm_ossl;
	if (measure(SDES_AES_CM_128_HMAC_SHA1_80, &cm_stock) ||
	    measure(SDES_AEAD_AES_128_GCM, &gcm_stock))
		return 1;
	if (srtp_ossl_install()) {
		fprintf(stderr, "srtp-speed: srtp_ossl_install failed\n");
		return 1;
	}
	if (measure(SDES_AES_CM_128_HMAC_SHA1_80, &cm_ossl) ||
	    measure(SDES_AEAD_AES_128_GCM, &gcm_ossl))
		return 1;

	printf("172-byte RTP packet, median of %d runs of %.1f s\n", RUNS, RUN_SECONDS);
	printf("%-24s %-10s %12s %8s %12s %8s\n", "suite", "primitives", "protect/s", "ns",
	       "unprotect/s", "ns");
	row("AES_CM_128_HMAC_SHA1_80", "libsrtp2", &cm_stock);
	row("AEAD_AES_128_GCM", "libsrtp2", &gcm_stock);
	row("AES_CM_128_HMAC_SHA1_80", "OpenSSL", &cm_ossl);
	row("AEAD_AES_128_GCM", "OpenSSL", &gcm_ossl);
	printf("AES_CM_128_HMAC_SHA1_80 OpenSSL / libsrtp2: protect x%.2f, unprotect x%.2f\n",
	       cm_ossl.protect / cm_stock.protect, cm_ossl.unprotect / cm_stock.unprotect);
	printf("AEAD_AES_128_GCM OpenSSL / libsrtp2: protect x%.2f, unprotect x%.2f\n",
	       gcm_ossl.protect / gcm_stock.protect, gcm_ossl.unprotect / gcm_stock.unprotect);
	return 0;
}
