/*
 * results.h - the result stream: every op in program order with the
 * replay's RET and DUR beside the captured ones, and the counts.
 */
#ifndef REPLAY_RESULTS_H
#define REPLAY_RESULTS_H

#include <stdint.h>

/*
 * wall_ns: the replay's length; start: TIME 0, in ns of the epoch.
 * Returns 1 when the replay diverged from the capture (an operation
 * skipped, stopped or mismatched), said in one line on stderr; else 0.
 */
int write_results(uint64_t wall_ns, uint64_t start);

#endif
