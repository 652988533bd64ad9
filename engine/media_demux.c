#include "media_demux.h"
#include <errno.h>
#include <stdlib.h>
#include <string.h>

int demux_init(struct media_demux *d, uint32_t n_ids)
{
	memset(d, 0, sizeof(*d));
	uint32_t nb = 16;
	while (nb < 2ull * n_ids && nb < (1u << 30))
		nb *= 2;
	d->head = malloc(nb * sizeof(*d->head));
	d->next = calloc(n_ids ? n_ids : 1, sizeof(*d->next));
	d->key = calloc(n_ids ? n_ids : 1, sizeof(*d->key));
	d->bound = calloc(n_ids ? n_ids : 1, sizeof(*d->bound));
	if (!d->head || !d->next || !d->key || !d->bound) {
		demux_free(d);
		return -ENOMEM;
	}
	memset(d->head, 0xff, nb * sizeof(*d->head));
	d->n_ids = n_ids;
	d->mask = nb - 1;
	return 0;
}

void demux_free(struct media_demux *d)
{
	free(d->head);
	free(d->next);
	free(d->key);
	free(d->bound);
	memset(d, 0, sizeof(*d));
}

struct demux_key demux_key_of(const union tl_sockaddr *from, uint32_t ssrc)
{
	struct demux_key k = { .ssrc = ssrc };
	if (from->sa.sa_family == AF_INET) {
		memcpy(k.addr, &from->in.sin_addr, 4);
		k.port = from->in.sin_port;
		k.family = 4;
	} else if (from->sa.sa_family == AF_INET6) {
		memcpy(k.addr, &from->in6.sin6_addr, 16);
		k.port = from->in6.sin6_port;
		k.family = 6;
	}
	return k;
}

static bool same_key(const struct demux_key *a, const struct demux_key *b)
{
	return a->ssrc == b->ssrc && a->port == b->port && a->family == b->family &&
	       !memcmp(a->addr, b->addr, a->family == 6 ? 16 : 4);
}

static uint32_t bucket(const struct media_demux *d, const struct demux_key *k)
{
	uint32_t a;
	memcpy(&a, k->addr + (k->family == 6 ? 12 : 0), 4);
	uint64_t h = ((uint64_t)k->ssrc << 32 | (uint64_t)k->port << 16 | k->family) ^ a;
	h *= 0x9e3779b97f4a7c15ull;
	return (uint32_t)(h >> 32) & d->mask;
}

void demux_unbind(struct media_demux *d, uint32_t id)
{
	if (id >= d->n_ids || !d->bound[id])
		return;
	uint32_t *at = &d->head[bucket(d, &d->key[id])];
	while (*at != id)
		at = &d->next[*at];
	*at = d->next[id];
	d->bound[id] = false;
}

void demux_bind(struct media_demux *d, uint32_t id, const struct demux_key *k)
{
	if (id >= d->n_ids)
		return;
	demux_unbind(d, id);
	uint32_t b = bucket(d, k);
	d->key[id] = *k;
	d->next[id] = d->head[b];
	d->head[b] = id;
	d->bound[id] = true;
}

bool demux_key_at(const struct media_demux *d, uint32_t id, struct demux_key *k)
{
	if (id >= d->n_ids || !d->bound[id])
		return false;
	*k = d->key[id];
	return true;
}

uint32_t demux_find(const struct media_demux *d, const struct demux_key *k)
{
	if (!d->head || !k->family)
		return DEMUX_NONE;
	for (uint32_t id = d->head[bucket(d, k)]; id != DEMUX_NONE; id = d->next[id])
		if (same_key(&d->key[id], k))
			return id;
	return DEMUX_NONE;
}
