/* Which stream a datagram on a shared media socket belongs to: a table from the far
 * end's address, port and SSRC to a stream's id. Pure: no sockets, no SRTP. */
#ifndef TL_MEDIA_DEMUX_H
#define TL_MEDIA_DEMUX_H
#include <stdbool.h>
#include <stdint.h>
#include "net_addr.h"

#define DEMUX_NONE UINT32_MAX

struct demux_key {
	uint8_t addr[16];   /* IPv4 in the first 4 bytes */
	uint16_t port;      /* network order */
	uint8_t family;     /* 4 or 6; 0: not a usable address */
	uint32_t ssrc;
};

struct media_demux {
	uint32_t *head;          /* per bucket: the first id, DEMUX_NONE when empty */
	uint32_t *next;          /* per id: the next id in its bucket */
	struct demux_key *key;   /* per id: what it is bound to */
	bool *bound;             /* per id */
	uint32_t n_ids, mask;
};

/* Room for ids 0 .. n_ids - 1. 0 or -ENOMEM. */
int demux_init(struct media_demux *d, uint32_t n_ids);
void demux_free(struct media_demux *d);
/* The key of a datagram from `from` carrying ssrc. */
struct demux_key demux_key_of(const union tl_sockaddr *from, uint32_t ssrc);
/* Binds id to k (moving it if bound elsewhere). A key bound twice finds the later id. */
void demux_bind(struct media_demux *d, uint32_t id, const struct demux_key *k);
void demux_unbind(struct media_demux *d, uint32_t id);
/* What id is bound to: true and *k, or false when it is not bound. */
bool demux_key_at(const struct media_demux *d, uint32_t id, struct demux_key *k);
/* The id bound to k, or DEMUX_NONE. */
uint32_t demux_find(const struct media_demux *d, const struct demux_key *k);

#endif
