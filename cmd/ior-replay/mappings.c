/*
 * mappings.c - a replay process's mappings and handles (mappings.h), and
 * the calls on them: mmap, munmap, msync, madvise, open_by_handle_at.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdint.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "ior.h"
#include "fdtab.h"
#include "issue.h"
#include "mappings.h"
#include "paths.h"
#include "program.h"
#include "shared.h"
#include "task.h"

/*
 * A file mapping: the captured range, where the replay mapped it, and
 * whether it is private (map_prot).
 */
struct replay_mapping {
	uint64_t caddr, len;
	char *raddr;
	int priv;
};

/* A handle name_to_handle_at made, by the path it was made for. */
struct kept_handle {
	size_t path;
	union handle_buf hb;
};

/*
 * A replay process's mappings and handles, shared by its threads. A
 * process forked by another starts with a copy, as with the mappings.
 */
static struct process_maps {
	struct replay_mapping *maps;
	size_t nmaps, maps_cap;
	struct kept_handle *handles;
	size_t nhandles, handles_cap;
	pthread_mutex_t lock;	/* held across fork: a child gets it free */
} pmaps = { .lock = PTHREAD_MUTEX_INITIALIZER };

static void lock_maps(void)
{
	pthread_mutex_lock(&pmaps.lock);
}

static void unlock_maps(void)
{
	pthread_mutex_unlock(&pmaps.lock);
}

/* Before the first fork: a child gets the lock free. */
void maps_init(void)
{
	pthread_atfork(lock_maps, unlock_maps, unlock_maps);
}

static uint64_t page_end(uint64_t addr, uint64_t len)
{
	uint64_t pg = sysconf(_SC_PAGESIZE);

	if (addr > UINT64_MAX - pg || len > UINT64_MAX - pg - addr)
		return UINT64_MAX & ~(pg - 1);
	return (addr + len + pg - 1) & ~(pg - 1);
}

static void maps_add(uint64_t caddr, uint64_t end, char *raddr, int priv)
{
	struct replay_mapping *m = ior_grow(pmaps.maps, &pmaps.maps_cap,
					    pmaps.nmaps + 1, sizeof(*m));

	if (!m)
		fatal("realloc");
	pmaps.maps = m;
	pmaps.maps[pmaps.nmaps++] = (struct replay_mapping){ caddr, end - caddr,
							     raddr, priv };
}

/* Unmap [x, y) of mapping i, which holds it; the rest stays known. */
static int64_t unmap_part(size_t i, uint64_t x, uint64_t y)
{
	struct replay_mapping m = pmaps.maps[i];
	uint64_t end = m.caddr + m.len;
	int64_t r = neg(munmap(m.raddr + (x - m.caddr), y - x));

	if (x == m.caddr && y == end)
		pmaps.maps[i] = pmaps.maps[--pmaps.nmaps];
	else if (x == m.caddr)
		pmaps.maps[i] = (struct replay_mapping){ y, end - y,
			m.raddr + (y - m.caddr), m.priv };
	else {
		pmaps.maps[i].len = x - m.caddr;
		if (y < end)
			maps_add(y, end, m.raddr + (y - m.caddr), m.priv);
	}
	return r;
}

/*
 * munmap, msync or madvise of the captured range [addr, end): done on the
 * replay's part of each mapping in it. Called with pmaps.lock held.
 * Returns the first error, or 0.
 */
static int64_t on_maps(unsigned c, uint64_t addr, uint64_t end,
		       const struct prog_op *op)
{
	int64_t r = 0, e;

	/* Backwards: unmap_part moves only entries already visited. */
	for (size_t i = pmaps.nmaps; i-- > 0; ) {
		uint64_t lo = pmaps.maps[i].caddr, hi = lo + pmaps.maps[i].len;
		uint64_t x = addr > lo ? addr : lo, y = end < hi ? end : hi;
		char *p = pmaps.maps[i].raddr + (x - lo);

		if (x >= y)
			continue;
		if (c == IOR_REPLAY_MSYNC)
			e = neg(msync(p, y - x, op->flags));
		else if (c == IOR_REPLAY_MADVISE)
			e = neg(madvise(p, y - x, op->arg == MADV_POPULATE_WRITE &&
					pmaps.maps[i].priv ?
					MADV_POPULATE_READ : op->arg));
		else
			e = unmap_part(i, x, y);
		if (e < 0 && !r)
			r = e;
	}
	return r;
}

/* True when a mapping of the replay's covers part of [addr, end). */
static int maps_cover(uint64_t addr, uint64_t end)
{
	for (size_t i = 0; i < pmaps.nmaps; i++)
		if (pmaps.maps[i].caddr < end && addr < pmaps.maps[i].caddr + pmaps.maps[i].len)
			return 1;
	return 0;
}

/*
 * A mapping's protection as the replay maps it: a private one without
 * PROT_WRITE. The replay never writes through a mapping, but the kernel
 * would make a private copy of every page for a write fault
 * (MAP_POPULATE, MADV_POPULATE_WRITE, which reads instead): memory the
 * size of the mapping, which the program sets.
 */
static int map_private(const struct prog_op *op)
{
	return (op->flags & MAP_TYPE) == MAP_PRIVATE;
}

static int map_prot(const struct prog_op *op)
{
	return map_private(op) ? op->arg & ~PROT_WRITE : op->arg;
}

/* After mmap: the replay's mapping p stands for the captured one. */
static void map_done(const struct prog_op *op, int64_t r)
{
	uint64_t end = page_end(op->cret, op->len);

	lock_maps();
	/* The capture's kernel gave this range: nothing else is there now. */
	if (op->cret >= 0)
		on_maps(IOR_REPLAY_MUNMAP, op->cret, end, op);
	if (r >= 0 && op->cret >= 0)
		maps_add(op->cret, end, (char *)(uintptr_t)r, map_private(op));
	else if (r >= 0)
		munmap((void *)(uintptr_t)r, op->len);
	unlock_maps();
}

/* sched:exec: the old program's mappings are gone. */
void unmap_all(void)
{
	lock_maps();
	on_maps(IOR_REPLAY_MUNMAP, 0, UINT64_MAX, NULL);
	unlock_maps();
}

void handle_keep(const struct prog_op *op, const union handle_buf *hb)
{
	struct kept_handle *h;
	size_t i;

	lock_maps();
	for (i = 0; i < pmaps.nhandles; i++)
		if (!strcmp(str(pmaps.handles[i].path), str(op->path)))
			break;
	if (i == pmaps.nhandles) {
		if (!(h = ior_grow(pmaps.handles, &pmaps.handles_cap,
				   pmaps.nhandles + 1, sizeof(*h))))
			fatal("realloc");
		pmaps.handles = h;
		pmaps.nhandles++;
	}
	pmaps.handles[i].path = op->path;
	pmaps.handles[i].hb = *hb;
	unlock_maps();
}

/*
 * The handle for open_by_handle_at of op->path: the one name_to_handle_at
 * made, else one made now. Without a path (the captured call failed) the
 * handle is empty and the call fails.
 */
static void handle_find(struct thread_state *w, const struct prog_op *op)
{
	size_t i;
	int fd;

	lock_maps();
	for (i = 0; i < pmaps.nhandles; i++)
		if (!strcmp(str(pmaps.handles[i].path), str(op->path)))
			break;
	if (i < pmaps.nhandles)
		w->hb = pmaps.handles[i].hb;
	unlock_maps();
	if (i < pmaps.nhandles)
		return;
	w->hb.fh.handle_bytes = 0;
	if (!op->path)
		return;
	fd = ior_root_openat(&root, str(op->path), O_PATH | O_CLOEXEC, 0);
	if (fd < 0)
		return;
	w->hb.fh.handle_bytes = MAX_HANDLE_SZ;
	if (name_to_handle_at(fd, "", &w->hb.fh, &(int){ 0 }, AT_EMPTY_PATH) < 0)
		w->hb.fh.handle_bytes = 0;
	close(fd);
}

int issue_on_map(struct thread_state *w, const struct prog_op *op,
		 struct op_result *res)
{
	int fd = -1;
	uint64_t t1, t2;
	int64_t r;

	if (op->byfd && (fd = real_fd(op->fd)) < 0)
		return SKIP_NOFD;
	if (op->kind == IOR_REPLAY_OPEN_BY_HANDLE)
		handle_find(w, op);
	else if (op->kind != IOR_REPLAY_MMAP) {	/* on a captured range */
		int known;

		lock_maps();
		known = maps_cover(op->addr, page_end(op->addr, op->len));
		unlock_maps();
		if (!known)
			return SKIP_NOMAP;
	}
	t1 = now_ns();
	if (op->kind == IOR_REPLAY_OPEN_BY_HANDLE)
		r = neg(open_by_handle_at(rootdir, &w->hb.fh, op->flags));
	else if (op->kind == IOR_REPLAY_MMAP) {
		void *p = mmap(NULL, op->len, map_prot(op),
			       op->flags & ~(MAP_FIXED | MAP_FIXED_NOREPLACE),
			       fd, op->offset);

		r = p == MAP_FAILED ? -errno : (int64_t)(uintptr_t)p;
	} else {
		lock_maps();
		r = on_maps(op->kind, op->addr, page_end(op->addr, op->len), op);
		unlock_maps();
	}
	t2 = now_ns();
	issued(res, t1, t2, r);
	if (op->kind == IOR_REPLAY_OPEN_BY_HANDLE)
		bind_new(op->cret >= 0 ? op->fd : -1, op->num, r,
			 !!(op->flags & O_CLOEXEC));
	else if (op->kind == IOR_REPLAY_MMAP)
		map_done(op, r);
	return 0;
}
