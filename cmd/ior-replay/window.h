/*
 * window.h - streaming the program: the window of ops a replay holds.
 *
 * ior-replay's memory follows what is live, not the program's length.
 * Loading (load.c) reads and checks the whole program once, keeping only
 * what must be known before the run (threads and processes, descriptor
 * renumbering, per-thread buffer sizes, the starting tree, the header),
 * and writes each op, parsed, with its strings, to a spool: unlinked
 * temporary files in $TMPDIR (or /tmp), one of the ops, one of the
 * strings the run needs, one of the text only results need (window.c).
 * Standard input is read so too.
 *
 * The run holds a window of W slots (IOR_REPLAY_WINDOW, 32768 by
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
 * AIO requests are streamed too. A request is tied to its io_submit
 * (sub=), which comes before it and issues it, and to the io_getevents
 * that reaped it in the capture (reap=), before or after it. The loader
 * spools each op as it comes; where a later record ties it to one spooled
 * already (the next request of a batch, a reap's count of late
 * requests, the request an io_cancel names), it patches that op in the
 * spool (spool_patch), its links knowing where each op still being tied
 * is; and it measures prog.span, the most ops between tied ops. The
 * window is then at least SPAN_ROOM times the span (a power of 2): room
 * for the tied ops, and for the threads to run on past a request in
 * flight as they run past any slow op. A span no window of WINDOW_MAX
 * covers has the program held whole, said on stderr. At run time:
 *  - an io_submit waits, before it reads its batch, until its last
 *    request is loaded (op.reach): at most span ops after it;
 *  - a request is settled by another op (its reap), maybe before its own
 *    thread reaches its record: its slot is let go only once it is
 *    settled and its thread went past it (op_result.passed), so that the
 *    thread reads its own request as it reads its other ops;
 *  - what aio.c holds for a request (its iocb, in flight) and a reap
 *    (its late requests submitted) is by slot, tagged with the op; a
 *    claim to settle a request carries its generation, so that one meant
 *    for a request let go takes nothing from the op after it in the slot
 *    (shared.h); an io_cancel whose request left the window names an
 *    iocb the kernel does not know, which fails as a finished one does.
 * No deadlock, with e the earliest op not written: e is not a request, or
 * is one whose thread went past it (its thread's earlier ops are written,
 * so done) and that is in flight. Not a request, e is done as above; an
 * io_submit also waits for its requests to be loaded, at most span ops
 * on, and the window reaches e + W - 1. In flight, e completes in the
 * kernel by itself (AIO acts on files), and a reap of its context takes
 * the oldest completions first, waiting for as many as the capture's
 * reaped (each wait bounded): its capture's reap, at most span ops after
 * it, is in the window, and the reaps before that reaped as many as the
 * capture's did, which did not take e. When reaps in the replay take
 * fewer than the capture's (an error, a time out), the process's last
 * thread reaps what is left as it ends; an op further on than the window
 * it waits for then stalls, as a slow op does, and the watchdog (-W)
 * says so.
 *
 * io_uring requests are streamed so too (load-uring.c). A request is
 * tied to its io_uring_enter (sub=), before or after it (its record
 * comes as it completed), or to the first request of its SQPOLL batch
 * (batch=), before it; each submission's requests are linked in
 * submission order, and its queue depth swept, as the records come,
 * patched in the spool. The span covers these ties, and:
 *  - an io_uring_enter, or an SQPOLL batch's first request, waits
 *    before it submits until its last request is loaded (op.reach);
 *  - a request holds its slot until it is settled and its thread went
 *    past it, as AIO's do; what uring.c holds for it is by slot.
 * No deadlock, with e the earliest op not written: e is not a request,
 * as above; or a request not submitted yet, whose thread went past it:
 * its io_uring_enter or lead, of the same thread, at most span ops on,
 * is in the window, and so is its last request, at most span after
 * that; or one in flight, which completes in the kernel by itself. An
 * application reaps a ring's completions from its memory, unseen, so
 * the capture may have no call on the ring for long after: a replay
 * thread that would sleep (for an op not loaded, an op it must follow)
 * takes its process's rings' completions first, and every millisecond
 * as it sleeps (uring_reap_idle), so e is settled by its process's
 * threads, or as the last of them ends.
 */
#ifndef REPLAY_WINDOW_H
#define REPLAY_WINDOW_H

#include <stdint.h>

#include "program.h"

/*
 * Slots, by default: 32768, some 15 MiB (an op's slot is 304 bytes, its
 * result 40, its strings 128 on average). A window of 65536, twice that,
 * made each op of a replay 5-9% slower on this project's machines (as
 * fast as possible: 1550 against 1475 ns a pread, one thread; 0.197
 * against 0.180 s for four readers), more than the threads' caches and
 * TLB hold as they sweep it; 16384 or 8192 were no faster than 32768.
 */
#define WINDOW_OPS (1u << 15)
#define WINDOW_MIN 8u		/* the fewest IOR_REPLAY_WINDOW may ask */
#define WINDOW_MAX (1u << 24)	/* the most */
#define SPAN_ROOM 4u		/* slots a window has for each op of
				   prog.span, at least (see above) */
#define ARENA_PER_OP 128u	/* arena bytes a slot, on average */
/* The most bytes of strings one op has (a line holds fewer). */
#define BLOB_MAX (1u << 16)

/* ---- the spool: the master's, while it loads and as it runs ---- */
void spool_open(void);
/* Op op, whose strings are the len bytes at blob (offset 1 of them is 1). */
void spool_put(const struct prog_op *op, const char *blob, uint32_t len);
/* Where the op the next spool_put writes will be: to patch it later. */
uint64_t spool_op_offset(void);
/* n bytes at field of the op spooled at off become p's (while loading). */
void spool_patch(uint64_t off, size_t field, const void *p, size_t n);
/*
 * n bytes at field of the op spooled at off into p: while loading, or
 * once loaded (op i is at i * sizeof(struct prog_op)).
 */
void spool_peek(uint64_t off, size_t field, void *p, size_t n);
/* Back to the first op: to read the spool (again). */
void spool_rewind(void);
/* The next op and its strings (blob: BLOB_MAX bytes); 0 at the end. */
int spool_get(struct prog_op *op, char *blob, uint32_t *len);
void spool_close(void);
/* An op whose strings were at offset 1 of their blob, now at 1 + delta. */
void op_rebase(struct prog_op *op, size_t delta);

/* ---- the window ---- */
/* IOR_REPLAY_WINDOW, read with the options (a bad one exits 2). */
void window_option(void);
/* Whether a window can hold ops span apart, as SPAN_ROOM asks. */
int window_covers(uint32_t span);
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
