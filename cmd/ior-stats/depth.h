/*
 * depth.h - the number of async requests in flight over time, and its
 * table.
 */
#ifndef STATS_DEPTH_H
#define STATS_DEPTH_H

#include <stdint.h>

#include "ior.h"

/*
 * Each async request (aio:*, uring:*) is the interval [TIME, TIME+DUR).
 * Records come in order of completion, not of TIME, so the intervals are
 * added to a fixed grid of STEPS equal steps that covers every interval
 * seen: when one falls outside, the grid is widened (the step multiplied
 * by its factor, the steps merged) or moved. Per step it keeps the
 * requests submitted, the time requests were in flight within it (whose
 * sum over a row, divided by the row's length, is the mean depth), and
 * the number in flight at its start (exact at that instant). A row of the
 * table is whole steps, at least 10 of them unless a step is 1ns. Memory
 * is the grid: fixed, whatever the stream.
 */
#define STEPS 6400
#define ROWS 32

struct depth {
	uint64_t step;		/* ns per step */
	uint64_t origin;	/* time of step 0, a multiple of step */
	uint64_t lo, hi;	/* earliest start and latest end seen */
	uint64_t last;		/* latest start seen */
	uint64_t nreq;
	uint64_t subs[STEPS + 1];	/* requests submitted in the step */
	double busy[STEPS + 1];	/* ns in flight in the step (partial cover) */
	int64_t full[STEPS + 1];	/* delta: requests covering whole steps */
	int64_t edge[STEPS + 1];	/* delta: requests in flight at step starts */
};

/* Add the request [s, e) to d. */
void depth_add(struct depth *d, uint64_t s, uint64_t e);
/*
 * The table of requests in flight over time, of a, or of a and b side by
 * side. Returns 1 when it was printed, 0 when there are no requests.
 */
int depth_report(struct depth *a, struct depth *b, int blank,
		 struct ior_out *o);

/*
 * A row's start t in seconds with the decimals its length len needs (with
 * -t, in ns), into a cell.
 */
void put_row_time(char *dst, uint64_t t, uint64_t len);

#endif
