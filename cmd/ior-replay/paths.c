/*
 * paths.c - the calls on paths beneath the root (paths.h). A call that
 * follows a symlink in its last component (the row's follow column)
 * resolves the path beneath the root to an O_PATH descriptor and acts on
 * that very file; one that does not acts on the name in its parent
 * directory, resolved beneath the root.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/syscall.h>
#include <sys/xattr.h>
#include <unistd.h>

#include "ior.h"
#include "root.h"
#include "buffers.h"
#include "fdtab.h"
#include "issue.h"
#include "mappings.h"
#include "paths.h"
#include "program.h"
#include "shared.h"
#include "task.h"

struct ior_root root;
int rootdir = -1;

/*
 * open_by_handle_at needs a mount descriptor that is not O_PATH; without
 * one (an unreadable root) it fails with EBADF.
 */
void open_rootdir(void)
{
	rootdir = ior_root_openat(&root, "/", O_RDONLY | O_DIRECTORY | O_CLOEXEC, 0);
}

static const struct timespec *times_of(const struct prog_op *op)
{
	return op->opt & HAS_TIMES ? op->ts : NULL;
}

/*
 * setxattrat(2) and its kind (Linux 6.13): the l*xattr calls act on a
 * name in its parent directory, which the path-based calls cannot.
 */
#ifndef SYS_setxattrat
#define SYS_setxattrat 463
#define SYS_getxattrat 464
#define SYS_listxattrat 465
#define SYS_removexattrat 466
#endif

struct xattrat_args {
	uint64_t value;
	uint32_t size;
	uint32_t flags;
};

/* name_to_handle_at on d and name, keeping the handle in w. */
static int64_t make_handle(struct thread_state *w, const struct prog_op *op, int d,
			   const char *name, int flags)
{
	int mnt;

	/* A capture that asked for the size first asked with no room. */
	w->hb.fh.handle_bytes = op->cret == -EOVERFLOW ? 0 : MAX_HANDLE_SZ;
	return neg(name_to_handle_at(d, name, &w->hb.fh, &mnt, flags));
}

/*
 * Link the file descriptor fd holds (even an O_PATH one) as path2:
 * linkat with AT_EMPTY_PATH would need CAP_DAC_READ_SEARCH, its /proc
 * name does not.
 */
static int64_t link_fd(int fd, const struct prog_op *op)
{
	char proc[64], name2[NAME_MAX + 1];
	int d2 = ior_root_parent(&root, str(op->path2), name2, sizeof(name2));
	int64_t r;

	if (d2 < 0)
		return d2;
	snprintf(proc, sizeof(proc), "/proc/thread-self/fd/%d", fd);
	r = neg(linkat(AT_FDCWD, proc, d2, name2, AT_SYMLINK_FOLLOW));
	close(d2);
	return r;
}

/*
 * The calls that follow a symlink in the last component: the path is
 * resolved beneath the root to an O_PATH descriptor and the call acts on
 * that very file, through the descriptor or its /proc name, never through
 * a name that could be looked up again outside the root.
 */
static int64_t follow(const struct prog_op *op, struct thread_state *w)
{
	int fd = ior_root_openat(&root, str(op->path), O_PATH | O_CLOEXEC, 0);
	char proc[64];
	const char *name = str(op->name), *v;
	size_t vlen;
	int64_t r;

	if (fd < 0)
		return fd;
	snprintf(proc, sizeof(proc), "/proc/thread-self/fd/%d", fd);
	switch (op->kind) {
	case IOR_REPLAY_STATX: {
		struct statx stx;

		r = neg(statx(fd, "", AT_EMPTY_PATH, op->mask, &stx));
		break;
	}
	case IOR_REPLAY_ACCESS:
		r = neg(faccessat(AT_FDCWD, proc, op->mode,
				  op->flags & AT_EACCESS));
		break;
	case IOR_REPLAY_CHMOD:
		r = neg(chmod(proc, op->mode));
		break;
	case IOR_REPLAY_CHOWN:
		r = neg(fchownat(fd, "", op->uid, op->gid, AT_EMPTY_PATH));
		break;
	case IOR_REPLAY_UTIMES:
		r = neg(utimensat(AT_FDCWD, proc, times_of(op), 0));
		break;
	case IOR_REPLAY_SETXATTR:
		v = xattr_value(op, &vlen);
		r = neg(setxattr(proc, name, v, vlen, op->flags));
		break;
	case IOR_REPLAY_GETXATTR:
		r = neg(getxattr(proc, name, w->rbuf, op->count));
		break;
	case IOR_REPLAY_LISTXATTR:
		r = neg(listxattr(proc, w->rbuf, op->count));
		break;
	case IOR_REPLAY_REMOVEXATTR:
		r = neg(removexattr(proc, name));
		break;
	case IOR_REPLAY_STATFS: {
		struct statfs sfs;

		r = neg(fstatfs(fd, &sfs));
		break;
	}
	case IOR_REPLAY_LINK:	/* AT_SYMLINK_FOLLOW: link what it names */
		r = link_fd(fd, op);
		break;
	case IOR_REPLAY_NAME_TO_HANDLE:
		r = make_handle(w, op, fd, "", AT_EMPTY_PATH);
		break;
	default: {
		struct stat st;

		r = neg(fstat(fd, &st));
		break;
	}
	}
	close(fd);
	return r;
}

/*
 * The calls that act on a name: under its parent, never following it.
 * (A symlink's path is its target: the link is path2.)
 */
static int64_t at_name(const struct prog_op *op, struct thread_state *w)
{
	char name[NAME_MAX + 1], name2[NAME_MAX + 1];
	unsigned c = op->kind;
	const char *path = str(c == IOR_REPLAY_SYMLINK ? op->path2 : op->path);
	int d2 = -1, d = ior_root_parent(&root, path, name, sizeof(name));
	struct xattrat_args xa = { .size = op->count, .flags = op->flags };
	const char *xname = str(op->name);
	size_t vlen;
	int64_t r;

	if (d < 0)
		return d;
	switch (c) {
	case IOR_REPLAY_MKDIR:
		r = neg(mkdirat(d, name, op->mode));
		break;
	case IOR_REPLAY_RMDIR:
		r = neg(unlinkat(d, name, AT_REMOVEDIR));
		break;
	case IOR_REPLAY_UNLINK:
		r = neg(unlinkat(d, name, op->flags & AT_REMOVEDIR));
		break;
	case IOR_REPLAY_RENAME:
	case IOR_REPLAY_LINK:
		d2 = ior_root_parent(&root, str(op->path2), name2, sizeof(name2));
		if (d2 < 0)
			r = d2;
		else if (c == IOR_REPLAY_RENAME)	/* flags: 0 but RENAME_* */
			r = neg(renameat2(d, name, d2, name2, op->flags));
		else
			r = neg(linkat(d, name, d2, name2, 0));
		if (d2 >= 0)
			close(d2);
		break;
	case IOR_REPLAY_STATX: {
		struct statx stx;

		r = neg(statx(d, name, AT_SYMLINK_NOFOLLOW, op->mask, &stx));
		break;
	}
	case IOR_REPLAY_ACCESS:
		r = neg(faccessat(d, name, op->mode, op->flags & ~AT_EMPTY_PATH));
		break;
	case IOR_REPLAY_CHMOD:	/* not glibc's: see ior_chmod_nofollow */
		r = ior_chmod_nofollow(d, name, op->mode);
		break;
	case IOR_REPLAY_CHOWN:
		r = neg(fchownat(d, name, op->uid, op->gid, AT_SYMLINK_NOFOLLOW));
		break;
	case IOR_REPLAY_UTIMES:
		r = neg(utimensat(d, name, times_of(op), AT_SYMLINK_NOFOLLOW));
		break;
	case IOR_REPLAY_SETXATTR:
		xa.value = (uintptr_t)xattr_value(op, &vlen);
		xa.size = vlen;
		r = neg(syscall(SYS_setxattrat, d, name, AT_SYMLINK_NOFOLLOW,
				xname, &xa, sizeof(xa)));
		break;
	case IOR_REPLAY_GETXATTR:
		xa.value = (uintptr_t)w->rbuf;
		xa.flags = 0;
		r = neg(syscall(SYS_getxattrat, d, name, AT_SYMLINK_NOFOLLOW,
				xname, &xa, sizeof(xa)));
		break;
	case IOR_REPLAY_LISTXATTR:
		r = neg(syscall(SYS_listxattrat, d, name, AT_SYMLINK_NOFOLLOW,
				w->rbuf, op->count));
		break;
	case IOR_REPLAY_REMOVEXATTR:
		r = neg(syscall(SYS_removexattrat, d, name, AT_SYMLINK_NOFOLLOW,
				xname));
		break;
	case IOR_REPLAY_READLINK:
		r = neg(readlinkat(d, name, w->rbuf, op->count));
		break;
	case IOR_REPLAY_SYMLINK:	/* the target is text: resolved IN_ROOT later */
		r = neg(symlinkat(str(op->path), d, name));
		break;
	case IOR_REPLAY_MKNOD:
		r = neg(mknodat(d, name, op->mode, 0));
		break;
	case IOR_REPLAY_NAME_TO_HANDLE:
		r = make_handle(w, op, d, name, 0);
		break;
	default: {
		struct stat st;

		r = neg(fstatat(d, name, &st, AT_SYMLINK_NOFOLLOW));
		break;
	}
	}
	close(d);
	return r;
}

/* A call on a path: following its last component or on the name. */
static int64_t on_path(const struct prog_op *op, struct thread_state *w)
{
	return op->follows ? follow(op, w) : at_name(op, w);
}

static int64_t open_in_root(const char *path, int flags, int mode)
{
	return ior_root_openat(&root, path, flags, mode);
}

/*
 * Opened without blocking: a FIFO (a local user may put one there) would
 * wait for a reader. truncate(2) of a FIFO or socket fails with EINVAL;
 * their open fails with ENXIO without a reader, their ftruncate with one.
 */
static int64_t truncate_in_root(const char *path, off_t size)
{
	int fd = ior_root_openat(&root, path,
				 O_WRONLY | O_NONBLOCK | O_CLOEXEC, 0);
	int64_t r;

	if (fd == -ENXIO)
		return -EINVAL;
	if (fd < 0)
		return fd;
	r = neg(ftruncate(fd, size));
	close(fd);
	return r;
}

static int64_t chdir_in_root(const char *path)
{
	int fd = ior_root_openat(&root, path, O_PATH | O_DIRECTORY | O_CLOEXEC, 0);

	/* Paths are absolute: the directory is only checked, not kept. */
	if (fd < 0)
		return fd;
	close(fd);
	return 0;
}

/*
 * An ior:fd with O_TMPFILE, a file without a name when capture started
 * (ior-gen(1) gives the flag to one unlinked too): a file of its own,
 * without a name, in the directory of its path, written as long as the
 * capture's. O_TMPFILE needs write access: a read-only one is opened for
 * reading and writing.
 */
static int anon_open(const struct prog_op *op, int flags)
{
	const char *path = str(op->path), *slash = strrchr(path, '/');
	char dir[IOR_PROG_PATH_MAX];
	size_t n = slash ? (size_t)(slash - path) : 0;
	int64_t off = 0;
	ssize_t w;
	int fd, e;

	memcpy(dir, path, n);	/* a path of the program: shorter than dir */
	dir[n] = 0;		/* "": the root */
	if ((flags & O_ACCMODE) == O_RDONLY)
		flags = (flags & ~O_ACCMODE) | O_RDWR;
	if ((fd = ior_root_openat(&root, dir, flags, 0600)) < 0)
		return fd;
	while (off < op->len) {
		n = (uint64_t)(op->len - off) < prog.maxwrite ?
			(size_t)(op->len - off) : prog.maxwrite;
		if ((w = pwrite(fd, wdata, n, off)) < 0 && errno == EINTR)
			continue;
		if (w <= 0) {
			e = w < 0 ? errno : ENOSPC;
			close(fd);
			return -e;
		}
		off += w;
	}
	return fd;
}

static int64_t ior_fd_open(const struct prog_op *op)
{
	int flags = op->flags & ~(O_CREAT | O_TRUNC | O_EXCL);
	int fd = (flags & __O_TMPFILE) == __O_TMPFILE ? anon_open(op, flags) :
		ior_root_openat(&root, str(op->path), flags, 0);

	if (fd < 0)
		return fd;
	bind_fd(op->fd, fd, !!(flags & O_CLOEXEC));
	bind_num(op->num, op->fd);
	if (op->offset && lseek(fd, op->offset, SEEK_SET) < 0)
		return -errno;
	return 0;
}

static int64_t path_call(struct thread_state *w, const struct prog_op *op, int fd)
{
	const char *path = str(op->path);

	switch (op->kind) {
	case IOR_REPLAY_OPEN:
		return open_in_root(path, op->flags, op->mode);
	case IOR_REPLAY_STAT:
		if (op->byfd) {	/* AT_EMPTY_PATH on a descriptor */
			struct stat st;

			return neg(fstat(fd, &st));
		}
		return on_path(op, w);
	case IOR_REPLAY_STATX:
		if (op->byfd) {
			struct statx stx;

			return neg(statx(fd, "", AT_EMPTY_PATH, op->mask, &stx));
		}
		return on_path(op, w);
	case IOR_REPLAY_CHOWN:
		if (op->byfd)
			return neg(fchownat(fd, "", op->uid, op->gid, AT_EMPTY_PATH));
		return on_path(op, w);
	case IOR_REPLAY_UTIMES:
		if (op->byfd)	/* futimens */
			return neg(futimens(fd, times_of(op)));
		return on_path(op, w);
	case IOR_REPLAY_LINK:
		if (op->byfd)	/* AT_EMPTY_PATH: link the open file */
			return link_fd(fd, op);
		return on_path(op, w);
	case IOR_REPLAY_TRUNCATE:
		return truncate_in_root(path, op->offset);
	case IOR_REPLAY_CHDIR:
		return chdir_in_root(path);
	case IOR_REPLAY_IORFD:
		return ior_fd_open(op);
	default:
		return on_path(op, w);
	}
}

/*
 * A call on a path (or two) beneath the root, or, with an empty path and
 * AT_EMPTY_PATH, on the descriptor its dirfd names (op->byfd).
 */
int issue_on_path(struct thread_state *w, const struct prog_op *op,
		  struct op_result *res)
{
	int fd = -1;
	uint64_t t1, t2;
	int64_t r;

	if (op->byfd && (fd = real_fd(op->fd)) < 0)
		return SKIP_NOFD;
	/* An empty path names nothing (the root helpers would take the root). */
	if (!op->path && !op->byfd) {
		res->start = now_ns() - sh->t0;
		res->ret = -ENOENT;
		res->dur = 0;
		return 0;
	}
	t1 = now_ns();
	r = path_call(w, op, fd);
	t2 = now_ns();
	issued(res, t1, t2, r);
	if (op->kind == IOR_REPLAY_OPEN)
		bind_new(op->cret >= 0 ? op->fd : -1, op->num, r,
			 !!(op->flags & O_CLOEXEC));
	else if (op->kind == IOR_REPLAY_NAME_TO_HANDLE && r == 0)
		handle_keep(op, &w->hb);
	return 0;
}
