/*
 * uring-ring.h - a replay process's io_uring ring, as uring.c (submission,
 * completion, setup) and uring-register.c (registered files and
 * buffers) share it. Private to those two files; called with the
 * process's rings lock held (uring.c).
 */
#ifndef REPLAY_URING_RING_H
#define REPLAY_URING_RING_H

#include <liburing.h>
#include <pthread.h>
#include <stdint.h>
#include <sys/types.h>

#include "ior.h"
#include "program.h"

#define REGISTER_USE_RING 0x80000000u	/* the opcode's registered-ring bit */

/*
 * A ring's completion watcher (see reaper_main): a thread of the process
 * that set the ring up, while the ring lives.
 */
struct reaper {
	pthread_t thread;
	pid_t owner;		/* its process; 0: none */
	int efd;		/* the eventfd the ring signals */
	unsigned seen;		/* the CQ tail as it started */
	int stop;
	uint32_t posted;	/* bumped each time it wakes: a futex word
				   that wait_unlocked sleeps on */
};

/* A ring of a replay process, found by its real descriptor. */
struct replay_ring {
	struct io_uring ring;
	struct reaper reaper;
	int64_t outstanding;	/* submitted, not yet reaped */
	struct ior_hashmap mine;	/* by vtid: the thread's requests made
					   and not yet reaped, an int64_t * */
	uint64_t reaped;	/* completions reaped, by any thread */
	int waiters;		/* threads in wait_unlocked */
	int closed;		/* closed while some waited: the last frees it */
	unsigned prepped;	/* SQEs made since the last submission */
	char **bufs;		/* registered buffers, in bufmem */
	size_t *buflens;
	uint32_t nbufs;
	char *bufmem;		/* one mapping for them all */
	size_t bufmem_len;
};

/* Unmap ring u's registered buffers and forget them. */
void uring_free_bufs(struct replay_ring *u);
/*
 * Buffers of op's captured lengths for ring u, replacing any it had:
 * their iovecs (the caller frees them).
 */
struct iovec *bufs_of(struct replay_ring *u, const struct prog_op *op);
/* The registered tables of a ring set up before capture (its ior:fd). */
int ring_tables(struct replay_ring *u, const struct prog_op *op);
/* ior:fixed: its file in its slot of ring u's table. */
int64_t uring_fixed(struct replay_ring *u, const struct prog_op *op);
/* io_uring_register on ring u; *skip set when it is not issued. */
int64_t uring_register(struct replay_ring *u, const struct prog_op *op, int *skip);

#endif
