/* Synthetic IP packets for --pcap: what crossed a TLS connection, decrypted, written as
 * the TCP segment it would have been without TLS, and an RTP header as the UDP datagram
 * that carried it. Pure: no socket is touched. */
#ifndef IP_FRAME_H
#define IP_FRAME_H
#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>

/* The most payload one frame carries (an IPv4 packet is at most 65,535 bytes). */
#define IP_FRAME_MAX_PAYLOAD 65000u
/* Room for the headers of any frame: IPv6 (40) and TCP (20). */
#define IP_FRAME_MAX_HEADERS 60u

/* One frame between two IPv4 or two IPv6 addresses (sockaddr_in or sockaddr_in6, with
 * their ports). */
struct ip_frame {
	const struct sockaddr *src, *dst;
	int proto;          /* IPPROTO_TCP or IPPROTO_UDP */
	uint32_t seq, ack;  /* TCP: this segment's first byte, and the other way's next */
	const void *payload;
	size_t len;         /* payload bytes written to the frame */
	size_t wire_len;    /* UDP: the datagram's payload as sent (>= len: only its first
			     * len bytes are captured); TCP: len */
};

/* Writes the IP and TCP or UDP headers and the first f->len payload bytes into out (cap
 * bytes). Returns the bytes written (the captured length; the packet's length on the
 * wire is that plus wire_len - len), or -EINVAL (families differ or are neither IPv4 nor
 * IPv6, payload over IP_FRAME_MAX_PAYLOAD), -ENOSPC (cap too small). Checksums are
 * computed when the whole payload is there, else left 0. */
int ip_frame_build(uint8_t *out, size_t cap, const struct ip_frame *f);

#endif
