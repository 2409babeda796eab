/*
 * results.h - the result stream: every op in program order with the
 * replay's RET and DUR beside the captured ones, and the counts, written
 * once the replay ended. A streamed replay (window.h) sets each op's
 * result aside on disk as soon as it and every op before it are done,
 * and formats the lines from there and from the program's spool.
 */
#ifndef REPLAY_RESULTS_H
#define REPLAY_RESULTS_H

#include <stdint.h>

/*
 * Before the first fork, and before waiting for TIME 0: the file a
 * streamed program's results are set aside in, so that no replay process
 * is left holding it and nothing is done between TIME 0 and the start.
 */
void results_prepare(void);
/* The header, before the replay runs; start: TIME 0, in ns of the epoch. */
void results_begin(uint64_t start);
/* Op i's line, held whole (the master, in order: window.c). */
void result_put(uint32_t i);
/*
 * Streamed: the results of ops [from, to), as their slots are let go
 * (the master, in order), set aside on disk, for results_end.
 */
void results_set_aside(uint32_t from, uint32_t to);
/* In a process the master forked: the results' file is the master's. */
void results_in_child(void);
/*
 * The replay ended: the lines not written yet, then the trailer; wall_ns
 * is the replay's length. Returns 1 when the replay diverged from the
 * capture (an operation skipped, stopped or mismatched), said in one
 * line on stderr; else 0.
 */
int results_end(uint64_t wall_ns, uint64_t start);

#endif
