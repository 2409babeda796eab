/*
 * window.h - streaming the program: the window of ops a replay holds.
 *
 * ior-replay's memory follows what is live, not the program's length.
 * Loading (load.c) reads and checks the whole program once, keeping only
 * what must be known before the run (threads and processes, descriptor
 * renumbering, per-thread buffer sizes, the starting tree, the header),
 * and writes each op, parsed, with its strings, to a spool: an unlinked
 * temporary file in $TMPDIR (or /tmp). Standard input is read so too.
 *
 * The run holds a window of W slots (IOR_REPLAY_WINDOW, 65536 by
 * default): op i lives in slot i & (W - 1), with its result, its
 * strings in a ring arena beside. The slots are a shared mapping made
 * before the first fork; the master fills them from the spool as the
 * replay goes (window_feed) and sets each op's result aside, in program
 * order, as soon as it is done; only then is its slot given to op
 * i + W. So ops [written, loaded) are in the window, and a thread that
 * reaches an op not loaded yet waits for it (window_wait).
 *
 * What the master does while the replay runs takes a CPU from its
 * threads on a machine they keep busy, and under SCHED_FIFO it runs
 * only when a thread sleeps, starved of ops: so it does the least it
 * can then. Results are set aside, not written: the slots of results
 * of the ops let go (40 bytes an op), copied as they are to a file of
 * their own (results.c, spool.h); formatting and writing 200000 lines
 * took a third of the span of 4 threads reading one file on 2 CPUs.
 * The lines are written, and the trailer's counts made, once the replay
 * ended, from those results and the program's spool read again, in
 * program order; memory stays one buffer of each, and the disk holds 40
 * bytes an op more than the spool's. The master sets aside and loads a
 * chunk of ops at a time, each loaded chunk handed to the threads at
 * once (window_feed).
 *
 * Why a slot is never read for the wrong op:
 *  - an op's own thread reads its slot before the op is done, and it
 *    cannot be written before then;
 *  - a thread finds its next op through op.next, which it reads before
 *    the op it is at is done, or, when the master had not linked it yet,
 *    through the newest op loaded of the thread and the op.prev links
 *    back from it (window_next): ops the thread has not run, so not
 *    done, so still in their slots;
 *  - whoever waits for op j (after=) reads its result's state word,
 *    which carries j's generation (shared.h): a slot given to j + W no
 *    longer says j is pending, and j was done before it was written.
 * No deadlock: every op below loaded can be done without loading more
 * (its thread's earlier ops and what its after= names are earlier), so
 * the earliest op not written is always done in the end.
 *
 * A program with AIO or io_uring requests is held whole (its window is
 * all of it): a request is tied to calls anywhere in the program, and
 * may be settled long after its place (load-async.c, aio.c, uring.c).
 */
#ifndef REPLAY_WINDOW_H
#define REPLAY_WINDOW_H

#include <stdint.h>

#include "program.h"

#define WINDOW_OPS (1u << 16)	/* slots, by default */
#define WINDOW_MIN 8u		/* the fewest IOR_REPLAY_WINDOW may ask */
#define WINDOW_MAX (1u << 24)	/* the most */
#define ARENA_PER_OP 128u	/* arena bytes a slot, on average */
/* The most bytes of strings one op has (a line holds fewer). */
#define BLOB_MAX (1u << 16)

/* ---- the spool: the master's, while it loads and as it runs ---- */
void spool_open(void);
/* Op op, whose strings are the len bytes at blob (offset 1 of them is 1). */
void spool_put(const struct prog_op *op, const char *blob, uint32_t len);
/* Back to the first op: to read the spool (again). */
void spool_rewind(void);
/* The next op and its strings (blob: BLOB_MAX bytes); 0 at the end. */
int spool_get(struct prog_op *op, char *blob, uint32_t *len);
/* The same in two steps: the op and its strings' length, then them. */
int spool_get_op(struct prog_op *op, uint32_t *len);
void spool_get_strings(char *blob, uint32_t len);
void spool_close(void);
/* An op whose strings were at offset 1 of their blob, now at 1 + delta. */
void op_rebase(struct prog_op *op, size_t delta);

/* ---- the window ---- */
/* IOR_REPLAY_WINDOW, read with the options (a bad one exits 2). */
void window_option(void);
/* Once loaded: its slots (prog.wmask, prog.wshift). */
void window_plan(void);
/* Each op of the spool in turn, its strings at str() (limits.c). */
void window_scan(void (*fn)(const struct prog_op *op));
/* The master, before the first fork: the slots and their arena. */
void window_make(void);
/*
 * The master, as it waits: set the results of the ops done aside, in
 * order, and fill the slots they free. It sleeps, then, until a kick (on the
 * socket fork requests come on: spawn_kick) or its next look.
 */
void window_feed(void);
/* The replay has ended: every result not set aside yet, in order. */
void window_drain(void);
/* In a process the master forked: the spool and results are the master's. */
void window_in_child(void);
/* The master: ops [0, written) written; [written, loaded) in the window. */
uint32_t window_written(void);
uint32_t window_loaded(void);
/* The master: whether ops wait to be loaded till op written is done. */
int window_full(void);
/* The master: thread t's op after its op i, once loaded; else NONE. */
uint32_t window_after(uint32_t t, uint32_t i);

/* ---- replay threads ---- */
/* Wait until op i is in its slot; returns how many ops are loaded. */
uint32_t window_wait(uint32_t i);
/* Thread t's op after op i, which was not linked when i began. */
uint32_t window_next(uint32_t t, uint32_t i);
/* Wake the master (finish() of the op it waits for, a starved thread). */
void window_kick(void);

#endif
