/*
 * fdtab.c - descriptor tables (fdtab.h): a process's, shared by its
 * threads, and a thread's own once it unshares them.
 */
#define _GNU_SOURCE
#include <sched.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <linux/close_range.h>

#include "ior.h"
#include "fdtab.h"
#include "program.h"
#include "shared.h"
#include "uring.h"

__thread struct vfd_table *thread_fds;

/*
 * Tables live as long as their process: listed here so that they stay
 * reachable (for leak checkers) after the thread that made one is gone.
 */
static struct vfd_table *all_tabs;

void bind_fd(int32_t fd, int real, int cloexec)
{
	int old;

	if (fd < 0)
		return;
	old = __atomic_exchange_n(&thread_fds->real[fd], real, __ATOMIC_RELAXED);
	if (old >= 0 && !ring_close(old))
		close(old);
	thread_fds->cloexec[fd] = cloexec;
}

/* Note that captured number num now names vfd (-1: nothing). */
void bind_num(int32_t num, int32_t vfd)
{
	if (num >= 0)
		__atomic_store_n(&thread_fds->numvfd[num], vfd, __ATOMIC_RELAXED);
}

/* The vfd that captured number num names, and forget it. */
static int32_t take_num(int32_t num)
{
	return __atomic_exchange_n(&thread_fds->numvfd[num], -1, __ATOMIC_RELAXED);
}

/* Close what the capture's descriptor number num named, if anything. */
void displace(int32_t num)
{
	if (num >= 0)
		bind_fd(take_num(num), -1, 0);
}

/*
 * The descriptor vfd, captured number num, was closed by a call (close,
 * or a ring's): the table forgets it, closing nothing.
 */
void forget_fd(int32_t vfd, int32_t num)
{
	__atomic_store_n(&thread_fds->real[vfd], -1, __ATOMIC_RELAXED);
	if (num >= 0)
		__atomic_compare_exchange_n(&thread_fds->numvfd[num], &vfd, -1, 0,
					    __ATOMIC_RELAXED, __ATOMIC_RELAXED);
}

/* Bind the descriptor a call made where the capture had one, else drop it. */
void bind_new(int32_t fd, int32_t num, int64_t r, int cloexec)
{
	if (r < 0)
		return;
	if (fd >= 0) {
		bind_fd(fd, r, cloexec);
		bind_num(num, fd);
	} else
		close(r);
}

void close_on_exec(void)
{
	for (int32_t fd = 0; fd <= prog.maxvfd; fd++)
		if (thread_fds->cloexec[fd] && real_fd(fd) >= 0)
			bind_fd(fd, -1, 0);
}

/* A table for a thread that has unshared its descriptors: a copy. */
struct vfd_table *vfd_table_copy(const struct vfd_table *from)
{
	size_t nv = prog.maxvfd + 2, nn = prog.maxfd + 2;
	struct vfd_table *t = malloc(sizeof(*t));

	if (!t || !(t->real = malloc(nv * sizeof(*t->real))) ||
	    !(t->cloexec = malloc(nv)) ||
	    !(t->numvfd = malloc(nn * sizeof(*t->numvfd))))
		return NULL;
	/* Lock-free: a fork may happen at any moment in another thread. */
	t->next = __atomic_load_n(&all_tabs, __ATOMIC_RELAXED);
	while (!__atomic_compare_exchange_n(&all_tabs, &t->next, t, 1,
					    __ATOMIC_RELEASE, __ATOMIC_RELAXED))
		;
	if (!from) {
		for (size_t i = 0; i < nv; i++)
			t->real[i] = -1;
		memset(t->cloexec, 0, nv);
		for (size_t i = 0; i < nn; i++)
			t->numvfd[i] = -1;
		return t;
	}
	memcpy(t->real, from->real, nv * sizeof(*t->real));
	memcpy(t->cloexec, from->cloexec, nv);
	memcpy(t->numvfd, from->numvfd, nn * sizeof(*t->numvfd));
	return t;
}

/* unshare(CLONE_FILES): this thread gets its own copy of the table. */
void unshare_files(void)
{
	struct vfd_table *t;

	if (unshare(CLONE_FILES) < 0)
		fatal("unshare");
	if (!(t = vfd_table_copy(thread_fds)))
		fatal("malloc");
	thread_fds = t;
}

/*
 * close_range closes (or marks close-on-exec) the descriptors the
 * capture's numbers fd..maxfd name; the replay's own stay open. The
 * table knows the numbers renumbered: each is looked at.
 */
void close_numbers(const struct prog_op *op)
{
	if (op->flags & CLOSE_RANGE_UNSHARE)
		unshare_files();
	for (int32_t n = 0; n <= prog.maxfd; n++) {
		int32_t v;

		if (prog.fdnum[n] < op->num || prog.fdnum[n] > op->len)
			continue;
		v = __atomic_load_n(&thread_fds->numvfd[n], __ATOMIC_RELAXED);
		if (v < 0)
			continue;
		if (op->flags & CLOSE_RANGE_CLOEXEC)
			thread_fds->cloexec[v] = 1;
		else
			bind_fd(take_num(n), -1, 0);
	}
}
