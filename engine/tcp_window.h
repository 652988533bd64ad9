/* The receive windows of a TCP connection, as the kernel reports them (TCP_INFO):
 * the far end's (how much more we may send) and ours (how much more it may send). */
#ifndef TL_TCP_WINDOW_H
#define TL_TCP_WINDOW_H
#include <stdbool.h>
#include <stdint.h>

struct tcp_windows {
	uint32_t far_end, ours;
	bool ours_known; /* kernels before 6.2 report only the far end's */
};

/* 0, or a negative errno (not a TCP socket, or a kernel without the far end's window). */
int tcp_windows_read(int fd, struct tcp_windows *out);

#endif
