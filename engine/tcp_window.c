#include "tcp_window.h"
#include <errno.h>
#include <linux/tcp.h>
#include <netinet/in.h>
#include <stddef.h>
#include <string.h>
#include <sys/socket.h>

/* Our window follows the far end's in struct tcp_info since Linux 6.2 (tcpi_rcv_wnd);
 * the headers this builds with may be older, so it is read by its place. */
#define FAR_END_AT offsetof(struct tcp_info, tcpi_snd_wnd)
#define OURS_AT (FAR_END_AT + sizeof(uint32_t))

int tcp_windows_read(int fd, struct tcp_windows *out)
{
	unsigned char info[sizeof(struct tcp_info) + 64];
	socklen_t len = sizeof(info);
	if (getsockopt(fd, IPPROTO_TCP, TCP_INFO, info, &len))
		return -errno;
	if (len < FAR_END_AT + sizeof(uint32_t))
		return -EOPNOTSUPP;
	memcpy(&out->far_end, info + FAR_END_AT, sizeof(uint32_t));
	out->ours_known = len >= OURS_AT + sizeof(uint32_t);
	out->ours = 0;
	if (out->ours_known)
		memcpy(&out->ours, info + OURS_AT, sizeof(uint32_t));
	return 0;
}
