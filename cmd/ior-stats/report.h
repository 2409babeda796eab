/*
 * report.h - the per-call table of a stream, or of two side by side
 * (--compare).
 */
#ifndef STATS_REPORT_H
#define STATS_REPORT_H

#include "ior.h"

struct stats;

/* The calls of st in the table's order: by -s, async requests last. */
void sort_calls(struct stats *st);
/* The per-call table of st; the exit status (IOR_EXIT_NONE: nothing). */
int report(struct stats *st, struct ior_out *o);
/*
 * Streams sa (named na) and sb side by side; IOR_EXIT_NONE when a call
 * differs in count, bytes or requests in flight at the end.
 */
int compare(struct stats *sa, struct stats *sb, const char *na,
	    const char *nb, struct ior_out *o);

#endif
