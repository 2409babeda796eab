/*
 * order.h - when an op may be issued: after the ops its after= names are
 * done (each done-flag a futex word of the shared mapping, so waits work
 * across processes) and, timed (-T), at its captured time.
 */
#ifndef REPLAY_ORDER_H
#define REPLAY_ORDER_H

#include <limits.h>
#include <linux/futex.h>
#include <stdint.h>

#include "program.h"
#include "shared.h"

#define START_LEAD 10000000ull	/* ns from the first fork to TIME 0 */
#define FORK_LEAD 1000000ull	/* ns more per initial process */

/* Wait until op i is done or skipped; exits if the replay is aborted. */
void wait_done(uint32_t i);
/* The same for each op of the list at arena offset list (AFTER_LIST cleared). */
void wait_list(uint32_t list);
/* Wake the master, which waits for the op that ended (window.h). */
void window_kick(void);

/* Wait for the ops op's after= names. */
static inline void wait_after(const struct prog_op *op)
{
	if (op->after)
		wait_done(op->after - 1);
	if (op->after2 & AFTER_LIST)
		wait_list(op->after2 & ~AFTER_LIST);
	else if (op->after2)
		wait_done(op->after2 - 1);
}

/*
 * The after= of each request of a batch (io_submit, io_uring_enter, or
 * the first request of an SQPOLL batch: those after it).
 */
void wait_batch(const struct prog_op *op);

/*
 * Op i's after=, and, for an io_submit, an io_uring_enter or the first
 * request of an SQPOLL batch, those of the requests it submits (ior-gen
 * names in a request's after= what its submitting call waits for).
 * Inline: each op of a fast replay comes here.
 */
static inline void wait_op(uint32_t i)
{
	const struct prog_op *op = op_at(i);

	wait_after(op);
	if (op->kind == IOR_REPLAY_IO_SUBMIT ||
	    op->kind == IOR_REPLAY_URING_ENTER ||
	    (is_uring_request(op->kind) && op->alone == ALONE_LEAD))
		wait_batch(op);
}

/*
 * Op i is done (or skipped): wake whoever waits for it. Only an op named
 * by some after= can have a sleeper to wake; a streamed op may always
 * have one (op.waited), and the master may wait for it (sh->want).
 * (Inline: each op of a fast replay ends here.)
 */
static inline void finish(uint32_t i, uint32_t state)
{
	uint32_t *w = &res_at(i)->state, gen = st_gen(i);

	if (!op_at(i)->waited) {
		__atomic_store_n(w, gen | state, __ATOMIC_RELEASE);
		return;
	}
	if (__atomic_exchange_n(w, gen | state, __ATOMIC_SEQ_CST) ==
	    (gen | ST_WAITED))
		futex(w, FUTEX_WAKE, INT_MAX);
	if (prog.streamed && __atomic_load_n(&sh->want, __ATOMIC_SEQ_CST) == i)
		window_kick();
}

/* Timed: op i's deadline, in ns after TIME 0; wait until then. */
uint64_t due(uint32_t i);
/* The same for op, wherever it is (results.c: read again from the spool). */
uint64_t due_of(const struct prog_op *op);
void wait_due(uint64_t due);

#endif
