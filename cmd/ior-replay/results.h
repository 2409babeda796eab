/*
 * results.h - the result stream: every op in program order with the
 * replay's RET and DUR beside the captured ones, and the counts.
 */
#ifndef REPLAY_RESULTS_H
#define REPLAY_RESULTS_H

#include <stdint.h>

/* wall_ns: the replay's length; start: TIME 0, in ns of the epoch. */
void write_results(uint64_t wall_ns, uint64_t start);

#endif
