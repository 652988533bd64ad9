/* DTMF as RFC 4733 telephone-events inside an RTP stream: the digits we send and the
 * ones the far end sends. Pure: no I/O, no allocation. The sender shares its stream's
 * SSRC and sequence numbers (rtp.h); while it plays a digit, event packets take the
 * place of the audio ones. */
#ifndef TL_DTMF_H
#define TL_DTMF_H
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "rtp.h"

#define DTMF_MAX_DIGITS 32
#define DTMF_MAX_DURATION_MS 5000 /* the 16-bit duration field holds 8.19 s at 8 kHz */
#define DTMF_END_PACKETS 3        /* the end of an event goes out three times (2.5.1.4) */
#define DTMF_EVENT_LEN 4
#define DTMF_VOLUME 10            /* -10 dBm0 */

/* The event code of a digit (0-9 * # A-D, RFC 4733 3.2), -1 for any other character. */
int dtmf_code(char digit);
/* The digit of event code 0..15, 0 for any other. */
char dtmf_digit(uint8_t code);
/* Whether s is 1..DTMF_MAX_DIGITS digits, each one dtmf_code() knows. */
bool dtmf_valid(const char *s);

struct dtmf_sender {
	char queue[DTMF_MAX_DIGITS + 1]; /* digits still to play, the first one playing */
	unsigned n;
	uint32_t duration, gap;          /* samples: of each digit, of the audio between two */
	uint32_t elapsed;                /* samples of the digit playing so far */
	unsigned ends;                   /* end packets of it sent */
	uint32_t ts;                     /* its timestamp: where it started */
	uint32_t quiet;                  /* samples of audio still due before the next digit */
	bool playing;
	uint64_t digits_sent;            /* digits whose (first) end packet went out */
};

/* Queues digits to play for duration_ms each with gap_ms of audio between them (and
 * before the first, when a digit played just before). 0, -EINVAL for a character that
 * is no digit or a duration past DTMF_MAX_DURATION_MS, -ENOSPC when the queue would
 * hold more than DTMF_MAX_DIGITS. */
int dtmf_queue(struct dtmf_sender *d, const char *digits, uint32_t duration_ms, uint32_t gap_ms);
/* Whether the next packet of the stream is an event packet (digits are queued and no
 * gap is due). Each packet slot of the stream calls either this one's dtmf_build_next
 * or rtp_build_next, and then dtmf_after_audio for an audio one. */
bool dtmf_due(const struct dtmf_sender *d);
/* Writes the next event packet of the digit playing into buf with the stream's SSRC,
 * next sequence number and payload type pt, and advances the stream (its seq, and its
 * ts by a packet's time so that audio after the digit keeps the clock). Returns the
 * length, or -ENOSPC. */
int dtmf_build_next(struct dtmf_sender *d, struct rtp_sender *s, uint8_t pt, uint8_t *buf,
		    size_t cap);
/* An audio packet of samples went out: counts it against the gap due. */
void dtmf_after_audio(struct dtmf_sender *d, uint32_t samples);

/* What the far end sent: one digit per event, an event being the packets that share a
 * timestamp (RFC 4733 2.5.2.1), whatever the end packets repeat or lose. */
struct dtmf_receiver {
	char digits[DTMF_MAX_DIGITS + 1];
	unsigned n;
	uint64_t received;      /* digits, also those past the DTMF_MAX_DIGITS kept */
	uint64_t other_events;  /* events that are no digit (codes past 15: tones, flash) */
	uint64_t bad;           /* payloads shorter than an event */
	bool started;
	uint32_t ts;            /* of the last event */
	uint8_t code;
	bool ended;             /* its end was seen */
	uint16_t duration;      /* its duration field, samples */
};

enum dtmf_seen {
	DTMF_NOTHING = 0,   /* a packet of an event already counted */
	DTMF_NEW_DIGIT,     /* the first packet of a digit */
	DTMF_DIGIT_ENDED,   /* the first end packet of the digit (its duration is final) */
};
/* Takes the payload of one telephone-event packet with its RTP timestamp. */
enum dtmf_seen dtmf_receive(struct dtmf_receiver *r, const uint8_t *payload, size_t len,
			    uint32_t ts);

/* How many of want's digits got differs from: a different digit in the same place,
 * or one missing; digits got beyond want count as well. */
unsigned dtmf_mismatched(const char *want, const char *got);

#endif
