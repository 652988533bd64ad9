/* Which destination of a trunk's list the next call goes to, as a SIP trunk's
 * destination list spreads its calls: in turn, by weight, to the first that is up, or as
 * DNS SRV records say (RFC 2782: the best priority that is up, by weight within it). */
#ifndef TL_DEST_PICK_H
#define TL_DEST_PICK_H
#include <stdint.h>

#define DEST_MAX 16 /* a CUCM trunk names at most 16 destinations */

enum dest_policy { DEST_ROUND_ROBIN = 0, DEST_WEIGHTED, DEST_FAILOVER, DEST_SRV };

struct dest_picker {
	enum dest_policy policy;
	unsigned n;
	uint32_t weight[DEST_MAX];
	uint16_t priority[DEST_MAX]; /* DEST_SRV: lower first */
	int64_t current[DEST_MAX]; /* smooth weighted round robin: each one's credit */
	unsigned next;             /* round robin: where the next turn starts */
};

/* n destinations (1..DEST_MAX); weights (each >= 1) matter to DEST_WEIGHTED and DEST_SRV
 * only and may be NULL otherwise, priorities to DEST_SRV only (NULL: all alike). */
void dest_picker_init(struct dest_picker *p, enum dest_policy policy, unsigned n,
		      const uint32_t *weights, const uint16_t *priorities);

/* The destination of the next call among those whose bit is set in usable: the next
 * in turn, the one owed most by weight (smooth weighted round robin: over any window
 * each gets its share, evenly interleaved), or the first in the list. -1 when usable
 * has no destination. */
int dest_pick(struct dest_picker *p, uint32_t usable);

/* "round_robin", "weighted", "failover", "srv" */
const char *dest_policy_name(enum dest_policy policy);

#endif
