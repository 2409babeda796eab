/*
 * issue.h - issuing one op. The replay column of its row (its kind)
 * picks the handler: one per concern, each in the file of that concern
 * (paths.c, fdops.c, mappings.c, aio.c, uring.c, task.c). A handler does
 * the set-up, times the call alone, and keeps the descriptor tables as
 * the capture's were.
 */
#ifndef REPLAY_ISSUE_H
#define REPLAY_ISSUE_H

#include <errno.h>
#include <stdint.h>

#include "program.h"
#include "shared.h"

struct thread_state;

/* Returns 0, or why the op cannot be issued (enum skip). */
typedef int issue_fn(struct thread_state *w, const struct prog_op *op,
		     struct op_result *res);

/* By kind; NULL for requests, which their submission issues. */
extern issue_fn *const handler_of[IOR_REPLAY_UR_OTHER + 1];

/*
 * Issue one op (inline: the loop of run_thread calls its handler
 * directly).
 */
static inline int issue_op(struct thread_state *w, const struct prog_op *op,
			   struct op_result *res)
{
	issue_fn *issue = handler_of[op->kind];

	if (op->never)
		return op->never;
	return issue ? issue(w, op, res) : SKIP_UNSUPPORTED;
}

/* A call's return as RET: -errno when it failed. */
static inline int64_t neg(int64_t r)
{
	return r < 0 ? -errno : r;
}

/* The result of a call issued at t1 that returned r at t2 (ns). */
static inline void issued(struct op_result *res, uint64_t t1, uint64_t t2,
			  int64_t r)
{
	res->start = t1 - sh->t0;
	res->ret = r;
	res->dur = t2 - t1;
}

#endif
