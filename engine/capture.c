/* The file is classic pcap with link type RAW (an IPv4 or IPv6 header first): libpcap
 * 1.10 writes no pcapng, and one link type must serve both address families. Synthetic
 * TCP frames, not Wireshark's exported-PDU link type: sngrep reads IP frames only, and
 * Wireshark and tshark find SIP in TCP on any port by its heuristics. */
#include "capture.h"
#include "ip_frame.h"
#include <errno.h>
#include <netinet/in.h>
#include <pcap/pcap.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define PCAP_FILE_HEADER 24u
#define PCAP_RECORD_HEADER 16u

struct capture {
	pthread_mutex_t lock;
	pcap_t *dead;         /* what pcap_dump_fopen wants: a link type and a snap length */
	pcap_dumper_t *dump;
	struct capture_stats st;
	bool full;
	uint8_t frame[IP_FRAME_MAX_HEADERS + IP_FRAME_MAX_PAYLOAD];
};

int capture_open(struct capture **out, const char *path, uint64_t max_bytes, char *err,
		 size_t err_cap)
{
	struct capture *cap = calloc(1, sizeof(*cap));
	if (!cap) {
		snprintf(err, err_cap, "out of memory");
		return -ENOMEM;
	}
	cap->st.max_bytes = max_bytes;
	cap->dead = pcap_open_dead(DLT_RAW, (int)sizeof(cap->frame));
	FILE *f = cap->dead ? fopen(path, "wb") : NULL;
	if (!f) {
		int e = cap->dead ? errno : ENOMEM;
		snprintf(err, err_cap, "%s: %s", path, strerror(e));
		if (cap->dead)
			pcap_close(cap->dead);
		free(cap);
		return -e;
	}
	setvbuf(f, NULL, _IOFBF, 1u << 20); /* workers write under a lock: big writes, few */
	cap->dump = pcap_dump_fopen(cap->dead, f);
	if (!cap->dump) {
		snprintf(err, err_cap, "%s: %s", path, pcap_geterr(cap->dead));
		fclose(f);
		pcap_close(cap->dead);
		free(cap);
		return -EIO;
	}
	pthread_mutex_init(&cap->lock, NULL);
	cap->st.bytes = PCAP_FILE_HEADER;
	*out = cap;
	return 0;
}

/* Writes the frame built in cap->frame (caplen bytes, len on the wire); under the lock. */
static void write_frame(struct capture *cap, size_t caplen, size_t len)
{
	if (cap->full || cap->st.bytes + PCAP_RECORD_HEADER + caplen > cap->st.max_bytes) {
		cap->full = true;
		cap->st.dropped++;
		return;
	}
	struct timespec ts;
	clock_gettime(CLOCK_REALTIME, &ts);
	struct pcap_pkthdr h = { .ts = { .tv_sec = ts.tv_sec, .tv_usec = ts.tv_nsec / 1000 },
				 .caplen = (bpf_u_int32)caplen, .len = (bpf_u_int32)len };
	pcap_dump((u_char *)cap->dump, &h, cap->frame);
	cap->st.packets++;
	cap->st.bytes += PCAP_RECORD_HEADER + caplen;
}

void capture_stream(struct capture *cap, const struct sockaddr *src, const struct sockaddr *dst,
		    uint32_t *seq, uint32_t ack, const void *p, size_t n)
{
	pthread_mutex_lock(&cap->lock);
	for (size_t off = 0; off < n;) {
		size_t part = n - off < IP_FRAME_MAX_PAYLOAD ? n - off : IP_FRAME_MAX_PAYLOAD;
		struct ip_frame f = { .src = src, .dst = dst, .proto = IPPROTO_TCP, .seq = *seq,
				      .ack = ack, .payload = (const char *)p + off, .len = part };
		int len = ip_frame_build(cap->frame, sizeof(cap->frame), &f);
		if (len > 0)
			write_frame(cap, (size_t)len, (size_t)len);
		*seq += (uint32_t)part;
		off += part;
	}
	pthread_mutex_unlock(&cap->lock);
}

void capture_datagram(struct capture *cap, const struct sockaddr *src, const struct sockaddr *dst,
		      const void *p, size_t caplen, size_t len)
{
	if (len > IP_FRAME_MAX_PAYLOAD)
		return;
	struct ip_frame f = { .src = src, .dst = dst, .proto = IPPROTO_UDP, .payload = p,
			      .len = caplen < len ? caplen : len, .wire_len = len };
	pthread_mutex_lock(&cap->lock);
	int n = ip_frame_build(cap->frame, sizeof(cap->frame), &f);
	if (n > 0)
		write_frame(cap, (size_t)n, (size_t)n + (f.wire_len - f.len));
	pthread_mutex_unlock(&cap->lock);
}

struct capture_stats capture_stats(struct capture *cap)
{
	pthread_mutex_lock(&cap->lock);
	struct capture_stats st = cap->st;
	pthread_mutex_unlock(&cap->lock);
	return st;
}

int capture_close(struct capture *cap, char *err, size_t err_cap)
{
	if (!cap)
		return 0;
	int rc = 0;
	FILE *f = pcap_dump_file(cap->dump);
	errno = 0;
	if (pcap_dump_flush(cap->dump) || ferror(f)) {
		rc = -EIO;
		snprintf(err, err_cap, "the capture could not be written in full: %s",
			 errno ? strerror(errno) : "write error");
	}
	pcap_dump_close(cap->dump); /* closes f */
	pcap_close(cap->dead);
	pthread_mutex_destroy(&cap->lock);
	free(cap);
	return rc;
}
