/*
 * task.h - processes and threads: one replay process per captured
 * process, one thread per captured thread, each issuing its thread's ops
 * in order. The master forks the initial processes; the others start at
 * their sched:fork.
 */
#ifndef REPLAY_TASK_H
#define REPLAY_TASK_H

#include <linux/aio_abi.h>
#include <stdint.h>
#include <sys/uio.h>

#include "issue.h"
#include "mappings.h"

struct vfd_table;

/*
 * A replay thread's own, on its stack, freed as it ends: where it reads
 * into, its iovecs, the pipe splice goes through when one side is
 * unknown, a file handle, an io_submit's iocbs and the events a reap
 * takes. (A process forked by a thread is never a copy of a process with
 * other threads, spawn.h: no thread's state outlives it there.)
 */
struct thread_state {
	char *rbuf;
	struct iovec *iov;
	int pipe[2];		/* -1 until a splice needs it */
	int null;		/* /dev/null: where spliced data drains */
	size_t pipesz;
	size_t piped;		/* bytes left in the pipe */
	union handle_buf hb;	/* name_to_handle_at, open_by_handle_at */
	struct iocb **iocbp;	/* an io_submit's requests */
	uint32_t nbatch;	/* how many */
	struct io_event *events;
};

/*
 * In a process just forked: its first thread runs thread t, with the
 * descriptor table fds (NULL: the one the forking thread had), and ends
 * the process once every thread of it has done its ops.
 */
_Noreturn void run_process(uint32_t t, struct vfd_table *fds);

/* The master, before the first fork: what every process inherits. */
void replay_setup(void);
/*
 * Fork the initial processes and wait for every replay process; TIME 0 is
 * t0 (CLOCK_MONOTONIC, ns). Returns the ns from TIME 0 to the end.
 */
uint64_t replay(uint64_t t0);
issue_fn issue_task;

#endif
