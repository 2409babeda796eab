/*
 * fdtab.h - descriptor tables: which of the replay's descriptors stands
 * for each of the capture's. Ops name descriptors by vfd (ior-map's
 * stream-unique id), not by number: a number another thread's open reuses
 * must not be taken for the descriptor closed before.
 */
#ifndef REPLAY_FDTAB_H
#define REPLAY_FDTAB_H

#include <stdint.h>

#include "program.h"

/*
 * A descriptor table, shared by the threads of a replay process (unless
 * one unshares it): vfd -> real descriptor, and captured number -> vfd
 * (to close what a dup2 onto a number displaces).
 */
struct vfd_table {
	int *real;
	uint8_t *cloexec;
	int32_t *numvfd;
	struct vfd_table *next;	/* every table of the process */
};

/*
 * The calling thread's table: its process's, unless the thread unshared
 * it. (Set by each thread as it starts; lent by io_uring's completions.)
 */
extern __thread struct vfd_table *thread_fds;

/* The replay's descriptor for vfd fd, or -1. */
static inline int real_fd(int32_t fd)
{
	return fd < 0 ? -1 : __atomic_load_n(&thread_fds->real[fd],
					     __ATOMIC_RELAXED);
}

/*
 * What a call did to the capture's table, done to the calling thread's:
 * vfd fd is now the replay's descriptor real (what it was is closed);
 * captured number num now names vfd; what num named is closed (dup2 onto
 * it); vfd was closed by someone else (close, a ring), forget it; a call
 * made descriptor r where the capture made vfd fd, number num (fd -1:
 * the capture made none, close r); exec closes the close-on-exec ones.
 */
void bind_fd(int32_t fd, int real, int cloexec);
void bind_num(int32_t num, int32_t vfd);
void displace(int32_t num);
void forget_fd(int32_t vfd, int32_t num);
void bind_new(int32_t fd, int32_t num, int64_t r, int cloexec);
void close_on_exec(void);
/* A new table: a copy of from, or (NULL) an empty one; NULL if no memory. */
struct vfd_table *vfd_table_copy(const struct vfd_table *from);
/* unshare(CLONE_FILES): the calling thread gets a copy of its own. */
void unshare_files(void);
/* close_range on the capture's numbers: the replay's own stay open. */
void close_numbers(const struct prog_op *op);

#endif
