/* --pcap: what a run sent and received, written as a pcap file that Wireshark, tshark
 * and sngrep open without a key log: the plaintext of each TLS connection as the TCP
 * segments it would have been without TLS, between the connection's real addresses and
 * ports, and the RTP header of each SRTP packet as a UDP datagram (its length on the wire
 * kept, its encrypted payload left out). Workers of both roles write to one capture;
 * past max_bytes the file is closed to more packets, which are counted. */
#ifndef CAPTURE_H
#define CAPTURE_H
#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>

struct capture;

struct capture_stats {
	uint64_t packets, bytes; /* written: packets, and the file's size */
	uint64_t dropped;        /* past the size cap */
	uint64_t max_bytes;
};

/* Creates path (truncating it) for a capture of at most max_bytes. Returns 0 and *out
 * (owned by the caller: capture_close), or a negative errno with err saying why. */
int capture_open(struct capture **out, const char *path, uint64_t max_bytes, char *err,
		 size_t err_cap);

/* n bytes of a stream from src to dst: *seq is the sender's sequence number of the first
 * byte, moved past them; ack is the other way's next. Split into segments as needed.
 * Thread-safe. */
void capture_stream(struct capture *cap, const struct sockaddr *src, const struct sockaddr *dst,
		    uint32_t *seq, uint32_t ack, const void *p, size_t n);

/* A datagram of len bytes from src to dst, of which the first caplen are kept.
 * Thread-safe. */
void capture_datagram(struct capture *cap, const struct sockaddr *src, const struct sockaddr *dst,
		      const void *p, size_t caplen, size_t len);

struct capture_stats capture_stats(struct capture *cap);

/* Writes what is buffered and closes the file; frees cap (NULL: nothing). Returns 0, or
 * a negative errno with err saying why the file is incomplete. */
int capture_close(struct capture *cap, char *err, size_t err_cap);

#endif
