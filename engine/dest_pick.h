/* Which destination of a trunk's list the next call goes to, as a SIP trunk's
 * destination list spreads its calls: in turn, by weight, or to the first that is up. */
#ifndef TL_DEST_PICK_H
#define TL_DEST_PICK_H
#include <stdint.h>

#define DEST_MAX 16 /* a CUCM trunk names at most 16 destinations */

enum dest_policy { DEST_ROUND_ROBIN = 0, DEST_WEIGHTED, DEST_FAILOVER };

struct dest_picker {
	enum dest_policy policy;
	unsigned n;
	uint32_t weight[DEST_MAX];
	int64_t current[DEST_MAX]; /* smooth weighted round robin: each one's credit */
	unsigned next;             /* round robin: where the next turn starts */
};

/* n destinations (1..DEST_MAX); weights (each >= 1) matter to DEST_WEIGHTED only and
 * may be NULL otherwise. */
void dest_picker_init(struct dest_picker *p, enum dest_policy policy, unsigned n,
		      const uint32_t *weights);

/* The destination of the next call among those whose bit is set in usable: the next
 * in turn, the one owed most by weight (smooth weighted round robin: over any window
 * each gets its share, evenly interleaved), or the first in the list. -1 when usable
 * has no destination. */
int dest_pick(struct dest_picker *p, uint32_t usable);

/* "round_robin", "weighted", "failover" */
const char *dest_policy_name(enum dest_policy policy);

#endif
