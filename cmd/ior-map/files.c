/*
 * files.c - open file descriptions and descriptor tables (files.h), and
 * what the records that open, duplicate and close descriptors do to them.
 * The descriptions kept for reuse and the vfd and ofd counters live here
 * for the whole run.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "ior.h"
#include "files.h"
#include "proc.h"
#include "record.h"
#include "uring.h"

static struct ofd *ofd_free;	/* freed descriptions, for reuse */
static uint64_t next_vfd = 1, next_ofd = 1;

struct ofd *ofd_new(const char *path, size_t len, int abs)
{
	struct ofd *o = ofd_free;
	/* the path, its escaped form, the tail: " ofd=" 20 digits " file=" */
	size_t need = len + 1 + 4 * len + 1 + 5 + 20 + 6 + 4 * len + 1;
	size_t lesc;

	if (o)
		ofd_free = o->next_free;
	else
		o = ior_xcalloc(1, sizeof(*o));
	if (o->cap < need) {
		o->path = ior_xrealloc(o->path, need);
		o->cap = need;
	}
	memcpy(o->path, path, len + 1);
	o->esc = o->path + len + 1;
	lesc = ior_escape(o->esc, path, len);
	o->id = next_ofd++;
	o->refs = 0;
	o->abs = abs;
	o->tail = o->esc + lesc + 1;
	o->tail_len = sprintf(o->tail, " ofd=%llu", (unsigned long long)o->id);
	o->esc_checked = 0;
	if (abs) {
		memcpy(o->tail + o->tail_len, " file=", 6);
		memcpy(o->tail + o->tail_len + 6, o->esc, lesc + 1);
		o->tail_len += 6 + lesc;
	}
	o->ring = NULL;
	return o;
}

void ofd_discard(struct ofd *o)
{
	o->next_free = ofd_free;
	ofd_free = o;
}

void ofd_unref(struct ofd *o)
{
	if (--o->refs == 0) {
		/* The ring's last descriptor is gone: so are its files. */
		if (o->ring) {
			ring_free(o->ring);
			o->ring = NULL;
		}
		ofd_discard(o);
	}
}

uint64_t vfd_peek(void)
{
	return next_vfd;
}

uint64_t vfd_new(void)
{
	return next_vfd++;
}

struct fd_slot *fd_get(const struct task_files *t, int64_t fd)
{
	return slot_get(&t->fds, fd);
}

int fd_close(struct task_files *t, int64_t fd)
{
	return slot_clear(&t->fds, fd);
}

struct fd_slot *fd_install(struct task_files *t, int64_t fd, struct ofd *o,
			   int cloexec)
{
	if (fd < 0 || fd >= FD_MAX) {
		if (!o->refs)	/* a new description nothing refers to */
			ofd_discard(o);
		return NULL;
	}
	return slot_set(&t->fds, fd, next_vfd++, o, cloexec);
}

struct task_files *files_new(void)
{
	struct task_files *t = ior_xcalloc(1, sizeof(*t));

	t->refs = 1;
	return t;
}

struct task_files *files_copy(const struct task_files *src)
{
	struct task_files *t = files_new();

	slots_copy(&t->fds, &src->fds);
	return t;
}

void files_unref(struct task_files *t)
{
	if (--t->refs > 0)
		return;
	slots_free(&t->fds);
	free(t);
}

void files_cleanup(void)
{
	while (ofd_free) {
		struct ofd *o = ofd_free;

		ofd_free = o->next_free;
		free(o->path);
		free(o);
	}
}

/* ---- records that open, duplicate and close descriptors ---- */

void add_open(struct recinfo *ri, struct task *t, int64_t fd,
	      const char *path, int cloexec)
{
	struct ofd *o = ofd_new(path, strlen(path), path[0] == '/');
	struct fd_slot *s;

	if (fd_close(t->files, fd))
		counts.implicit_close++;
	s = fd_install(t->files, fd, o, cloexec);
	if (s) {
		ri->ofd = s->ofd;
		ri->vfd = s->vfd;
	}
}

void add_dup(struct recinfo *ri, struct task *t, int64_t fd, int cloexec,
	     int missed)
{
	struct fd_slot *s;

	if (fd_close(t->files, fd) && missed)
		counts.implicit_close++;
	s = fd_install(t->files, fd, ri->ofd, cloexec);
	if (s)
		ri->vfd2 = s->vfd;
}

/*
 * A dup of a descriptor not in the table (a pipe or socket from a call
 * not captured): descriptor fd is now on something unknown, and what the
 * table had there is gone, as for add_dup.
 */
static void drop_dup(struct task *t, int64_t fd, int missed)
{
	if (fd_close(t->files, fd) && missed)
		counts.implicit_close++;
}

void do_dup(const struct ior_in *in, const struct ior_rec *r,
	    struct recinfo *ri, struct task *t, enum ior_map c)
{
	if (c == IOR_MAP_DUP) {
		if (r->ret >= 0 && ri->ofd)
			add_dup(ri, t, r->ret, 0, 1);
		else if (r->ret >= 0)
			drop_dup(t, r->ret, 1);
		return;
	}
	/* dup2 and dup3; dup2(fd, fd) changes nothing. */
	if (ri->fd < 0)
		ior_bad(in, "fd", "missing for %s", r->call);
	if (r->ret < 0 || r->ret == ior_kv_int(in, r, ri->fd))
		return;
	if (ri->ofd)
		add_dup(ri, t, r->ret, c == IOR_MAP_DUP3 &&
			kv_has_flag(in, r, ri->flags, ior_open_flags, O_CLOEXEC),
			0);
	else
		drop_dup(t, r->ret, 0);
}

/* fcntl: F_DUPFD and F_DUPFD_CLOEXEC duplicate, F_SETFD sets FD_CLOEXEC. */
void do_fcntl(const struct ior_in *in, const struct ior_rec *r,
	      struct recinfo *ri, struct task *t)
{
	int i = ior_find(r, "cmd"), arg = ior_find(r, "arg");
	uint64_t cmd;

	if (i < 0)
		ior_bad(in, "cmd", "missing");
	cmd = ior_kv_flags(in, r, i, ior_fcntl_cmds);
	if (r->ret < 0)
		return;
	if ((cmd == F_DUPFD || cmd == F_DUPFD_CLOEXEC) && !ri->ofd)
		drop_dup(t, r->ret, 1);
	if (!ri->ofd)
		return;
	if (cmd == F_DUPFD || cmd == F_DUPFD_CLOEXEC)
		add_dup(ri, t, r->ret, cmd == F_DUPFD_CLOEXEC, 1);
	else if (cmd == F_SETFD && arg >= 0)
		fd_get(t->files, ior_kv_int(in, r, ri->fd))->cloexec =
			kv_has_flag(in, r, arg, ior_fd_flags, FD_CLOEXEC);
}

/* Mark a descriptor close-on-exec, and keep it. */
static int set_cloexec(struct fd_slot *f)
{
	f->cloexec = 1;
	return 0;
}

/* close_range: close fd..maxfd, or mark them close-on-exec. */
void do_close_range(const struct ior_in *in, const struct ior_rec *r,
		    struct recinfo *ri, struct task *t)
{
	int i = ior_find(r, "maxfd");
	uint64_t flags = ior_kv_flags(in, r, ri->flags, ior_close_range_flags);
	int64_t fd, maxfd;

	if (ri->fd < 0 || i < 0)
		ior_bad(in, ri->fd < 0 ? "fd" : "maxfd", "missing");
	fd = ior_kv_int(in, r, ri->fd);
	maxfd = ior_kv_int(in, r, i);
	if (r->ret < 0)
		return;
	if (flags & CLOSE_RANGE_UNSHARE)
		unshare_files(t);
	slots_clear_if(&t->files->fds, fd, maxfd,
		       flags & CLOSE_RANGE_CLOEXEC ? set_cloexec : NULL);
}

/* open, creat, openat, openat2, open_by_handle_at, ior:fd, memfd_create */
void do_open(const struct ior_in *in, const struct ior_rec *r,
	     struct recinfo *ri, struct task *t, enum ior_map c)
{
	static char name[PATH_BUF];
	const char *path = ri->path[0] >= 0 ? ri->raw[0] : "";

	switch (c) {
	case IOR_MAP_IORFD:
		if (ri->fd < 0)
			ior_bad(in, "fd", "missing");
		add_open(ri, t, ior_kv_int(in, r, ri->fd), path,
			 kv_has_flag(in, r, ri->flags, ior_open_flags, O_CLOEXEC));
		/* a ring set up before capture: as io_uring_setup's */
		if (ri->ofd && ior_find(r, "entries") >= 0)
			ri->ofd->ring = ring_new();
		break;
	case IOR_MAP_MEMFD:
		/* Not a path: the file is written only when absolute. */
		if (r->ret >= 0) {
			snprintf(name, sizeof(name), "memfd:%s", path);
			add_open(ri, t, r->ret, name,
				 kv_has_flag(in, r, ri->flags, ior_memfd_flags,
					     MFD_CLOEXEC));
		}
		break;
	default:
		if (r->ret >= 0)
			add_open(ri, t, r->ret, path,
				 kv_has_flag(in, r, ri->flags, ior_open_flags, O_CLOEXEC));
		break;
	}
}
