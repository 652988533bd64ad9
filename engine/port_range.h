/* Splitting an RTP port range between shards and workers, the one way everywhere:
 * RTP on even ports, RTCP on the odd one above. */
#ifndef TL_PORT_RANGE_H
#define TL_PORT_RANGE_H
#include <errno.h>
#include <stdint.h>

/* Share i of n of [lo, hi] (lo even): an even number of ports starting on an even
 * port, shares side by side. 0, or -ENOSPC when a share would hold no port pair. */
static inline int port_range_share(uint16_t lo, uint16_t hi, unsigned i, unsigned n,
				   uint16_t *share_lo, uint16_t *share_hi)
{
	unsigned span = n && hi >= lo ? ((unsigned)(hi - lo + 1) / n) & ~1u : 0;
	if (span < 2)
		return -ENOSPC;
	*share_lo = (uint16_t)(lo + i * span);
	*share_hi = (uint16_t)(*share_lo + span - 1);
	return 0;
}

#endif
