/*
 * timeline.h - operations per interval of time (-r time): calls, errors,
 * bytes read and written, and latency percentiles of each interval.
 *
 * Records are kept on a fixed grid of TL_STEPS steps, each with a
 * histogram of its latencies, that grows to cover every record seen: the
 * step is a power of ten ns (with -i, the interval, doubled as needed),
 * multiplied by ten (two) when a record falls outside, the steps merged.
 * Memory is the grid: fixed, whatever the stream.
 */
#ifndef STATS_TIMELINE_H
#define STATS_TIMELINE_H

#include <stdint.h>

#include "ior.h"
#include "callstats.h"

#define TL_STEPS 1024
/*
 * A step's histogram: the log-linear one of callstats.h with its
 * sub-buckets paired, 8 a power of two, percentiles within 6.3%.
 */
#define TL_NBUCKET (NBUCKET / 2)

struct tl_step {
	uint64_t count, errors, rd, wr, sum, max;
	uint64_t min;		/* valid when count */
	uint64_t hist[TL_NBUCKET];
};

struct timeline {
	uint64_t step;		/* ns per step; 0: nothing yet */
	uint64_t origin;	/* time of step 0, a multiple of step */
	int lo, hi;		/* the steps used */
	struct tl_step *s;	/* TL_STEPS of them */
};

void timeline_add(struct timeline *tl, const struct ior_rec *r,
		  const struct call_stats *c);
/* The table of a, or of a and b side by side; the exit status. */
int timeline_report(struct timeline *a, struct timeline *b, struct ior_out *o);
void timeline_free(struct timeline *tl);

#endif
