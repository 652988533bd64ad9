#include "metrics_http.h"
#include "net_addr.h"
#include "str.h"
#include <arpa/inet.h>
#include <errno.h>
#include <microhttpd.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

struct metrics_http {
	struct MHD_Daemon *daemon;
	struct metrics_board *board;
};

static enum MHD_Result reply(struct MHD_Connection *c, unsigned status, char *body, size_t len,
			     const char *type)
{
	struct MHD_Response *r = MHD_create_response_from_buffer(len, body, MHD_RESPMEM_MUST_FREE);
	if (!r) {
		free(body);
		return MHD_NO;
	}
	MHD_add_response_header(r, MHD_HTTP_HEADER_CONTENT_TYPE, type);
	enum MHD_Result ok = MHD_queue_response(c, status, r);
	MHD_destroy_response(r);
	return ok;
}

static enum MHD_Result on_request(void *cls, struct MHD_Connection *c, const char *url,
				  const char *method, const char *version, const char *upload,
				  size_t *upload_len, void **state)
{
	(void)version;
	(void)upload;
	(void)upload_len;
	(void)state;
	struct metrics_http *m = cls;
	if (strcmp(method, "GET") && strcmp(method, "HEAD"))
		return reply(c, MHD_HTTP_METHOD_NOT_ALLOWED, strdup("GET /metrics\n"), 13, "text/plain");
	if (strcmp(url, "/metrics"))
		return reply(c, MHD_HTTP_NOT_FOUND, strdup("GET /metrics\n"), 13, "text/plain");
	size_t len = 0;
	char *text = metrics_text(m->board, &len);
	if (!text)
		return reply(c, MHD_HTTP_INTERNAL_SERVER_ERROR, strdup("out of memory\n"), 14, "text/plain");
	return reply(c, MHD_HTTP_OK, text, len, "text/plain; version=0.0.4; charset=utf-8");
}

struct metrics_http *metrics_http_start(const char *addr_port, struct metrics_board *board,
					char *err, size_t errlen)
{
	char host[64];
	uint16_t port;
	union tl_sockaddr sa;
	if (tl_hostport_parse(addr_port, strlen(addr_port), host, sizeof(host), &port, 9464) ||
	    tl_sockaddr_set(&sa, host, port)) {
		snprintf(err, errlen, "expected ADDR:PORT with an IP address (0.0.0.0:9464 or [::]:9464 "
				      "for every interface), got \"%s\"", addr_port);
		return NULL;
	}
	/* bound here first, so that a port in use is said plainly */
	int fd = socket(sa.sa.sa_family, SOCK_STREAM | SOCK_CLOEXEC, 0);
	int one = 1;
	if (fd < 0 || setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one)) ||
	    bind(fd, &sa.sa, tl_sockaddr_len(&sa)) || listen(fd, 64)) {
		snprintf(err, errlen, "%s: %s", addr_port, strerror(errno));
		if (fd >= 0)
			close(fd);
		return NULL;
	}
	struct metrics_http *m = calloc(1, sizeof(*m));
	if (!m) {
		close(fd);
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	m->board = board;
	/* epoll where there is one: select() would refuse sockets past 1023, which a run
	 * with many connections opens */
	m->daemon = MHD_start_daemon(MHD_USE_AUTO_INTERNAL_THREAD, port, NULL, NULL, on_request, m,
				     MHD_OPTION_LISTEN_SOCKET, fd, MHD_OPTION_CONNECTION_LIMIT, 16u,
				     MHD_OPTION_CONNECTION_TIMEOUT, 10u, MHD_OPTION_END);
	if (!m->daemon) {
		close(fd);
		free(m);
		snprintf(err, errlen, "%s: the HTTP server did not start", addr_port);
		return NULL;
	}
	return m;
}

void metrics_http_stop(struct metrics_http *m)
{
	if (!m)
		return;
	MHD_stop_daemon(m->daemon); /* closes the listening socket it was given */
	free(m);
}
