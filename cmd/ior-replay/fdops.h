/*
 * fdops.h - the calls on descriptors: data, sync, attributes, locks,
 * duplicates, and copies between two descriptors.
 */
#ifndef REPLAY_FDOPS_H
#define REPLAY_FDOPS_H

#include <unistd.h>

#include "buffers.h"
#include "fdtab.h"
#include "issue.h"
#include "task.h"

issue_fn issue_on_fd, issue_copy;

/*
 * read, write, pread and pwrite of at most BUF_MAX bytes on a descriptor:
 * the calls most ops are, which run_thread issues inline
 * (issue_plain_rw), not through issue_on_fd().
 */
static inline int is_plain_rw(const struct prog_op *op)
{
	return op->kind >= IOR_REPLAY_READ && op->kind <= IOR_REPLAY_PWRITE &&
		op->byfd && !op->never && op->count <= BUF_MAX;
}

/* One of them on fd: its RET. */
static inline int64_t plain_rw(const struct thread_state *w,
			       const struct prog_op *op, int fd)
{
	switch (op->kind) {
	case IOR_REPLAY_READ:
		return neg(read(fd, w->rbuf, op->count));
	case IOR_REPLAY_WRITE:
		return neg(write(fd, wdata, op->count));
	case IOR_REPLAY_PREAD:
		return neg(pread(fd, w->rbuf, op->count, op->offset));
	default:
		return neg(pwrite(fd, wdata, op->count, op->offset));
	}
}

/*
 * issue_on_fd() of an op is_plain_rw() takes, inline in the loop of ops:
 * no function of the replay's returns between the call and the next op.
 * On this project's machines a return to a caller from before a system
 * call costs more after it (the way back from the kernel likely leaves
 * the return stack buffer refilled, so each such return is mispredicted):
 * through issue_on_fd() and fd_call(), an as-fast-as-possible replay of
 * preads took 1469 ns a call against 1399 inline (medians of 8 runs,
 * interleaved).
 */
static inline int issue_plain_rw(const struct thread_state *w,
				 const struct prog_op *op,
				 struct op_result *res)
{
	int fd = real_fd(op->fd);
	uint64_t t1, t2;
	int64_t r;

	if (fd < 0)
		return SKIP_NOFD;
	t1 = now_ns();
	r = plain_rw(w, op, fd);
	t2 = now_ns();
	issued(res, t1, t2, r);
	return 0;
}

#endif
