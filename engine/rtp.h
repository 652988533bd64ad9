/* RTP and RTCP packets (RFC 3550) for one audio stream, receiver statistics, and
 * the audio we send. Pure: no I/O, no allocation. */
#ifndef TL_RTP_H
#define TL_RTP_H
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define RTP_HEADER 12

struct rtp_sender {
	uint32_t ssrc;
	uint16_t seq;       /* next sequence number */
	uint32_t ts;        /* next timestamp */
	uint8_t pt;         /* payload type (0: PCMU) */
	uint32_t samples;   /* samples per packet: 8 * ptime_ms for 8 kHz */
	uint32_t packets, octets; /* sent so far, for sender reports */
	uint32_t audio_pos; /* where the next payload starts in the tone */
};

/* Initial state: random ssrc, seq and ts come from the caller (rnd). */
void rtp_sender_init(struct rtp_sender *s, uint8_t pt, int ptime_ms, const uint8_t rnd[10]);

/* Writes the next packet (header + samples bytes of PCMU tone) into buf and advances
 * seq/ts/counters. Returns the packet length, or -ENOSPC. */
int rtp_build_next(struct rtp_sender *s, uint8_t *buf, size_t cap);

struct rtp_header {
	uint8_t version, pt;
	bool padding, extension, marker;
	uint8_t cc;
	uint16_t seq;
	uint32_t ts, ssrc;
	size_t header_len;  /* including CSRCs and extension */
	size_t payload_len; /* excluding padding */
};

/* Parses an RTP header. 0, or -EBADMSG (version != 2, too short, bad padding or
 * extension length). */
int rtp_parse(const uint8_t *buf, size_t len, struct rtp_header *h);

/* Receiver statistics for one source (RFC 3550 A.1, A.3 and A.8). */
struct rtp_receiver {
	bool started;
	uint8_t probation;      /* sequential packets still needed before counting (A.1) */
	uint32_t ssrc;
	uint16_t max_seq;
	uint32_t cycles;        /* shifted count of seq wraps (<< 16) */
	uint32_t base_seq;
	uint32_t received;      /* distinct packets, the reordered ones included */
	uint32_t duplicates;    /* packets seen before (A.1 counts them as received) */
	uint32_t reordered;     /* packets that came after a higher number, seen once */
	uint64_t seen[2];       /* the 128 numbers up to max_seq: bit i is max_seq - i */
	uint32_t expected_prior, received_prior; /* at our last report (A.3) */
	uint32_t lsr;           /* the middle 32 bits of the far end's last SR's NTP time */
	uint64_t lsr_at_us;     /* when that SR came (the clock of rtcp_build_sr's now_us) */
	uint32_t clock_rate;    /* 8000 */
	int64_t last_transit;   /* in timestamp units */
	double jitter;          /* in timestamp units, RFC 3550 estimator */
};

void rtp_receiver_init(struct rtp_receiver *r, uint32_t clock_rate);
/* Accounts one authenticated packet with its RTP timestamp, arriving at
 * arrival_us (any monotonic microsecond clock). */
void rtp_receiver_update(struct rtp_receiver *r, uint16_t seq, uint32_t ts, uint64_t arrival_us);
/* The same for a packet whose timestamp is no sampling instant (a telephone-event's is
 * its event's start): counted, but not in the jitter. */
void rtp_receiver_count(struct rtp_receiver *r, uint16_t seq, uint32_t ts, uint64_t arrival_us);
/* Packets expected from the first counted to the highest sequence number seen. */
uint32_t rtp_receiver_expected(const struct rtp_receiver *r);
/* The cumulative number of packets lost as RFC 3550 A.3 defines it: expected minus
 * received, repeats counted as received, so negative when repeats outnumber losses. */
int64_t rtp_receiver_lost(const struct rtp_receiver *r);
/* Packets never received: expected minus the distinct ones received (never negative). */
uint32_t rtp_receiver_missing(const struct rtp_receiver *r);
double rtp_receiver_jitter_ms(const struct rtp_receiver *r);
/* The far end sent a sender report (NTP time ntp) that arrived at arrival_us: our next
 * report block gives its LSR and DLSR, for the far end's round trip. */
void rtp_receiver_note_sr(struct rtp_receiver *r, uint64_t ntp, uint64_t arrival_us);

/* RTCP: a sender report (with one report block about what we receive, if any)
 * followed by an SDES CNAME, as RFC 3550 6.1 asks for compound packets.
 * ntp: the wall clock now in NTP format (seconds << 32 | fraction); now_us: the
 * receiver's clock now. The block's fraction lost is over the interval since the
 * previous report (r keeps where it was). Returns bytes, -ENOSPC, or -EINVAL for a
 * CNAME longer than 255 bytes. */
int rtcp_build_sr(uint8_t *buf, size_t cap, const struct rtp_sender *s, struct rtp_receiver *r,
		  uint64_t ntp, uint64_t now_us, const char *cname);

/* The same from a source that does not send: a receiver report (RR) of ssrc. */
int rtcp_build_rr(uint8_t *buf, size_t cap, uint32_t ssrc, struct rtp_receiver *r, uint64_t now_us,
		  const char *cname);

/* Checks that buf holds a compound RTCP packet (RFC 3550 A.2 validity checks).
 * Returns 0 and the sender SSRC of its first packet, or -EBADMSG. */
int rtcp_validate(const uint8_t *buf, size_t len, uint32_t *ssrc);

/* What a compound RTCP packet says: its sender report's time, and the far end's report
 * block about one of our sources. */
struct rtcp_info {
	bool has_sr;
	uint64_t sr_ntp;            /* the SR's NTP timestamp */
	bool has_block;             /* a block about the source asked for */
	uint8_t fraction_lost;      /* in 1/256 */
	int32_t cumulative_lost;    /* 24-bit signed, widened */
	uint32_t ext_highest_seq, jitter, lsr, dlsr; /* jitter in timestamp units; LSR, DLSR
						      * in 1/65536 s */
};
/* Reads a compound packet that passed rtcp_validate: its first SR, and the first report
 * block (of an SR or RR) about ssrc. 0, or -EBADMSG when it does not validate. */
int rtcp_read(const uint8_t *buf, size_t len, uint32_t ssrc, struct rtcp_info *out);
/* The round trip in ms from a report block that arrived at NTP time ntp_arrival
 * (RFC 3550 6.4.1: arrival - LSR - DLSR); 0 when that is below zero by no more than a
 * far end's clock tick (10 ms) would make it; -1 when the block has no LSR (the far end
 * had no SR of ours yet) or the clocks give a time further below zero. */
double rtcp_rtt_ms(uint32_t lsr, uint32_t dlsr, uint64_t ntp_arrival);

/* G.711 mu-law encoding of one 16-bit linear sample. */
uint8_t pcmu_encode(int16_t sample);
/* G.711 A-law (ITU-T G.711 table 1a, with the even bits inverted as sent). */
uint8_t pcma_encode(int16_t sample);
/* A 400 Hz tone with a 1 s period in PCMU, and the same in PCMA (8000 bytes each,
 * computed once; thread-safe after pcmu_tone_init(), which the program calls before
 * starting workers). */
void pcmu_tone_init(void);
const uint8_t *pcmu_tone(void);
const uint8_t *pcma_tone(void);
/* Payload types of the codecs we send (RFC 3551) */
#define RTP_PT_PCMU 0
#define RTP_PT_PCMA 8
#define PCMU_TONE_LEN 8000

#endif
