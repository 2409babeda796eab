/*
 * procview.c - what each traced process sees: its cwd, its root, its
 * directories.
 *
 * A dirfd-relative path is resolved when its record is formatted, after
 * the call: the process may have closed the dirfd, or exited, by then.
 * So the directories it opens (the descriptors a *at call may name) and
 * its working directory are learned from the stream itself and kept per
 * process, /proc serving only for what the stream never showed. Bounded
 * by live processes and their open directory descriptors. Which calls
 * open, close, duplicate a descriptor or change directory is the map
 * column of lib/calls.h, as in ior-map.
 */
#define _GNU_SOURCE
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <linux/close_range.h>

#include "decode.h"
#include "output.h"
#include "procfs.h"
#include "procview.h"

struct dir_fd {
	int fd;
	bool cloexec;
	char *path;		/* absolute, in the process's root */
};

/* One traced process's view, in views by pid. */
struct proc_view {
	int pid;
	int root;		/* 1: its root is /, 0: another, -1: unknown */
	char *cwd;		/* NULL: unknown */
	struct dir_fd *dirs;
	size_t ndirs, cap;
};

static struct ior_hashmap views;

static struct proc_view *view_find(int pid)
{
	return ior_hashmap_get(&views, (uint32_t)pid);
}

static struct proc_view *view_get(int pid)
{
	struct proc_view *p = view_find(pid);

	if (!p) {
		p = ior_xcalloc(1, sizeof(*p));
		p->pid = pid;
		p->root = -1;
		ior_hashmap_put(&views, (uint32_t)pid, p);
	}
	return p;
}

void view_drop(int pid)
{
	struct proc_view *p = view_find(pid);

	if (!p)
		return;
	ior_hashmap_del(&views, (uint32_t)pid, p);
	for (size_t i = 0; i < p->ndirs; i++)
		free(p->dirs[i].path);
	free(p->dirs);
	free(p->cwd);
	free(p);
}

static struct dir_fd *dir_find(struct proc_view *p, int fd)
{
	for (size_t i = 0; p && i < p->ndirs; i++)
		if (p->dirs[i].fd == fd)
			return &p->dirs[i];
	return NULL;
}

static void dir_del(struct proc_view *p, int fd)
{
	struct dir_fd *d = dir_find(p, fd);

	if (!d)
		return;
	free(d->path);
	*d = p->dirs[--p->ndirs];
}

static void dir_set(struct proc_view *p, int fd, const char *path,
		    bool cloexec)
{
	dir_del(p, fd);
	p->dirs = ior_xgrow(p->dirs, &p->cap, p->ndirs + 1, sizeof(*p->dirs));
	p->dirs[p->ndirs++] = (struct dir_fd){ fd, cloexec, ior_xstrdup(path) };
}

static void cwd_set(struct proc_view *p, const char *path)
{
	free(p->cwd);
	p->cwd = path ? ior_xstrdup(path) : NULL;
}

void view_set_cwd(int pid, const char *path)
{
	cwd_set(view_get(pid), path);
}

void view_set_dir(int pid, int fd, const char *path, bool cloexec)
{
	dir_set(view_get(pid), fd, path, cloexec);
}

void view_forget_fd(int pid, int fd)
{
	dir_del(view_find(pid), fd);
}

void view_fork(int ppid, int cpid)
{
	struct proc_view *p = view_find(ppid), *c;

	view_drop(cpid);	/* a reused pid */
	if (!p)
		return;
	c = view_get(cpid);
	c->root = p->root;
	cwd_set(c, p->cwd);
	for (size_t i = 0; i < p->ndirs; i++)
		dir_set(c, p->dirs[i].fd, p->dirs[i].path, p->dirs[i].cloexec);
}

void view_exec(int pid)
{
	struct proc_view *p = view_find(pid);

	for (size_t i = 0; p && i < p->ndirs;)
		if (p->dirs[i].cloexec)
			dir_del(p, p->dirs[i].fd);
		else
			i++;
}

/* The directory dirfd (or the cwd) of process p names, or NULL. */
static const char *dir_of(struct proc_view *p, int dirfd, char *buf,
			  size_t cap)
{
	struct dir_fd *d;
	char what[32];

	if (dirfd == AT_FDCWD_ARG) {
		if (!p->cwd && proc_link(p->pid, "cwd", buf, cap) == 0)
			cwd_set(p, buf);	/* changes only by chdir: traced */
		return p->cwd;
	}
	if ((d = dir_find(p, dirfd)))
		return d->path;
	snprintf(what, sizeof(what), "fd/%d", dirfd);
	return proc_link(p->pid, what, buf, cap) == 0 ? buf : NULL;
}

int abs_path(int pid, int dirfd, const char *path, char *buf, size_t cap)
{
	char tmp[IOR_PATH_MAX];
	const char *base = "/";

	if (path[0] != '/' &&
	    !(base = dir_of(view_get(pid), dirfd, tmp, sizeof(tmp))))
		return -1;
	return ior_path_join(buf, cap, base, path) < 0 ? -1 : 0;
}

int where_is(int pid, int dirfd, const char *path, char *buf, size_t cap)
{
	char abs[IOR_PATH_MAX], root[IOR_PATH_MAX];
	struct proc_view *p;

	if (abs_path(pid, dirfd, path, abs, sizeof(abs)) < 0)
		return -1;
	p = view_get(pid);
	if (p->root < 0)	/* gone already: most likely / */
		p->root = proc_link(pid, "root", root, sizeof(root)) < 0 ||
			  strcmp(root, "/") == 0;
	if (p->root)
		return snprintf(buf, cap, "%s", abs) < (int)cap ? 0 : -1;
	return snprintf(buf, cap, "/proc/%d/root%s", pid, abs) < (int)cap ?
	       0 : -1;
}

/* An open that succeeded: descriptor RET is a directory, or no longer. */
static void track_open(const struct call_rec *c)
{
	const struct ior_event *e = c->e;
	const struct row_info *in = c->info;
	struct proc_view *p = view_get(e->pid);
	const char *path = c->str[0];
	char abs[IOR_PATH_MAX];
	uint64_t flags;
	int dirfd;

	dir_del(p, e->ret);
	if (!S_ISDIR(e->mode))
		return;
	if (c->native->map == IOR_MAP_OPEN_BY_HANDLE) {
		/* its path, found in the kernel, is no argument */
		if (path[0] == '/')
			dir_set(p, e->ret, path, call_reg(c, 2) & O_CLOEXEC);
		return;
	}
	flags = in->flags >= 0 ? call_arg(c, in->flags) : 0;
	dirfd = call_dirfd(c);
	if (abs_path(e->pid, dirfd, path, abs, sizeof(abs)) == 0)
		dir_set(p, e->ret, abs, flags & O_CLOEXEC);
}

static void track_close_range(struct proc_view *p, const struct call_rec *c)
{
	unsigned first = call_reg(c, 0), last = call_reg(c, 1);
	struct dir_fd *d;

	for (size_t i = 0; i < p->ndirs;) {
		d = &p->dirs[i];
		if ((unsigned)d->fd < first || (unsigned)d->fd > last)
			i++;
		else if (call_reg(c, 2) & CLOSE_RANGE_CLOEXEC)
			d->cloexec = true, i++;
		else
			dir_del(p, d->fd);	/* moves the last here */
	}
}

/*
 * A new descriptor RET for descriptor register 0 (dup, dup2, dup3 and
 * fcntl's F_DUPFD), close-on-exec or not; or fcntl's F_SETFD.
 */
static void track_dup(struct proc_view *p, const struct call_rec *c)
{
	int map = c->native->map, fd = c->e->ret, old = call_reg(c, 0);
	int cmd = call_reg(c, 1);
	char abs[IOR_PATH_MAX];
	struct dir_fd *d;
	bool cloexec = false;

	if (map == IOR_MAP_FCNTL && cmd == F_SETFD) {
		if ((d = dir_find(p, old)))
			d->cloexec = call_reg(c, 2) & FD_CLOEXEC;
		return;
	}
	if (map == IOR_MAP_FCNTL) {
		if (cmd != F_DUPFD && cmd != F_DUPFD_CLOEXEC)
			return;
		cloexec = cmd == F_DUPFD_CLOEXEC;
	} else if (map == IOR_MAP_DUP3) {
		cloexec = call_reg(c, 2) & O_CLOEXEC;
	}
	if (fd == old)
		return;		/* dup2 onto itself */
	dir_del(p, fd);
	if ((d = dir_find(p, old))) {
		snprintf(abs, sizeof(abs), "%s", d->path);
		dir_set(p, fd, abs, cloexec);
	}
}

bool view_tracks(const struct ior_call *c)
{
	switch (c->map) {
	case IOR_MAP_OPEN: case IOR_MAP_OPEN_BY_HANDLE: case IOR_MAP_CLOSE:
	case IOR_MAP_CLOSE_RANGE: case IOR_MAP_DUP: case IOR_MAP_DUP2:
	case IOR_MAP_DUP3: case IOR_MAP_FCNTL: case IOR_MAP_CHDIR:
	case IOR_MAP_FCHDIR: case IOR_MAP_GETCWD:
		return true;
	}
	return false;
}

void view_track(const struct call_rec *c)
{
	const struct ior_event *e = c->e;
	const char *path = c->str[0];
	char abs[IOR_PATH_MAX];
	struct proc_view *p;
	struct dir_fd *d;

	switch (c->native->map) {
	case IOR_MAP_OPEN:
	case IOR_MAP_OPEN_BY_HANDLE:
		if (e->ret >= 0)
			track_open(c);
		break;
	case IOR_MAP_CLOSE:
		dir_del(view_find(e->pid), (int)call_reg(c, 0));
		break;
	case IOR_MAP_CLOSE_RANGE:
		if ((p = view_find(e->pid)) && e->ret >= 0)
			track_close_range(p, c);
		break;
	case IOR_MAP_DUP:
	case IOR_MAP_DUP2:
	case IOR_MAP_DUP3:
	case IOR_MAP_FCNTL:
		if ((p = view_find(e->pid)) && e->ret >= 0)
			track_dup(p, c);
		break;
	case IOR_MAP_CHDIR:
		if (e->ret == 0 && abs_path(e->pid, AT_FDCWD_ARG, path, abs,
					    sizeof(abs)) == 0)
			cwd_set(view_get(e->pid), abs);
		break;
	case IOR_MAP_FCHDIR:
		if (e->ret == 0) {
			p = view_get(e->pid);
			d = dir_find(p, (int)call_reg(c, 0));
			cwd_set(p, d ? d->path : NULL);
		}
		break;
	case IOR_MAP_GETCWD:
		if (e->ret > 0 && path[0] == '/')
			cwd_set(view_get(e->pid), path);
		break;
	}
}
