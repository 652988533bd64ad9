/* The metrics endpoint: GET /metrics over HTTP (libmicrohttpd, its own thread). */
#ifndef TL_METRICS_HTTP_H
#define TL_METRICS_HTTP_H
#include <stddef.h>
#include "metrics.h"

struct metrics_http;

/* Serves board at "ADDR:PORT" (IPv4; 0.0.0.0 for every interface). Call with SIGINT
 * and SIGTERM blocked: its thread keeps the mask, so the signals stay the run's.
 * NULL with err saying why (the address, or the port taken). */
struct metrics_http *metrics_http_start(const char *addr_port, struct metrics_board *board,
					char *err, size_t errlen);
void metrics_http_stop(struct metrics_http *m);

#endif
