/* root.c - resolving replay paths beneath a root directory (openat2). */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <linux/openat2.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "ior.h"
#include "root.h"

#ifndef SYS_fchmodat2
#define SYS_fchmodat2 452
#endif

/* Magic links (/proc/self/fd/N) could name files outside the root. */
#define IN_ROOT (RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS)

static int openat2_in_root(int rootfd, const char *path, int flags,
			   mode_t mode)
{
	struct open_how how = {
		.flags = (unsigned)flags,
		.mode = ior_open_creates(flags) ? (mode & 07777) : 0,
		.resolve = IN_ROOT,
	};
	/* Absolute paths are taken relative to the root; "" means the root. */
	while (*path == '/')
		path++;
	if (!*path)
		path = ".";
	for (;;) {
		long fd = syscall(SYS_openat2, rootfd, path, &how, sizeof(how));

		if (fd >= 0)
			return (int)fd;
		if (errno != EAGAIN && errno != EINTR)
			return -errno;
		/* EAGAIN: a concurrent rename raced the lookup; try again. */
	}
}

static int mkdir_p(const char *dir)
{
	char buf[PATH_MAX];
	size_t n = strlen(dir);

	if (n == 0 || n >= sizeof(buf))
		return -ENAMETOOLONG;
	memcpy(buf, dir, n + 1);
	for (char *p = buf + 1; ; p++) {
		if (*p == '/' || !*p) {
			char c = *p;

			*p = 0;
			if (mkdir(buf, 0755) < 0 && errno != EEXIST)
				return -errno;
			*p = c;
			if (!c)
				break;
		}
	}
	return 0;
}

int ior_root_open(struct ior_root *r, const char *dir, int create)
{
	int e;

	r->dir = dir;
	r->fd = -1;
	if (create && (e = mkdir_p(dir)) < 0)
		return e;
	r->fd = open(dir, O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (r->fd < 0)
		return -errno;
	return 0;
}

void ior_root_close(struct ior_root *r)
{
	if (r->fd >= 0)
		close(r->fd);
	r->fd = -1;
}

int ior_root_openat(const struct ior_root *r, const char *path, int flags,
		    mode_t mode)
{
	return openat2_in_root(r->fd, path, flags, mode);
}

int ior_root_parent(const struct ior_root *r, const char *path, char *name,
		    size_t cap)
{
	char norm[PATH_MAX];
	long n = ior_path_join(norm, sizeof(norm), "/", path);
	char *slash;
	int fd;

	if (n < 0)
		return -ENAMETOOLONG;
	if (n == 1) {		/* the root itself */
		if (cap < 2)
			return -ENAMETOOLONG;
		strcpy(name, ".");
		fd = fcntl(r->fd, F_DUPFD_CLOEXEC, 0);
		return fd < 0 ? -errno : fd;
	}
	slash = strrchr(norm, '/');
	if (strlen(slash + 1) >= cap)
		return -ENAMETOOLONG;
	strcpy(name, slash + 1);
	if (slash == norm)
		slash[1] = 0;	/* parent is "/" */
	else
		*slash = 0;
	return openat2_in_root(r->fd, norm, O_PATH | O_DIRECTORY | O_CLOEXEC, 0);
}

/* chmod through the descriptor's own /proc name: it is that file. */
static int chmod_proc(int fd, mode_t mode)
{
	char proc[64];

	snprintf(proc, sizeof(proc), "/proc/thread-self/fd/%d", fd);
	return chmod(proc, mode) < 0 ? -errno : 0;
}

int ior_fd_chmod(int fd, mode_t mode)
{
	if (fchmod(fd, mode) == 0)
		return 0;
	if (errno != EBADF)		/* EBADF: an O_PATH descriptor */
		return -errno;
	if (syscall(SYS_fchmodat2, fd, "", mode, AT_EMPTY_PATH) == 0)
		return 0;
	if (errno != ENOSYS && errno != EINVAL)	/* before Linux 6.6 */
		return -errno;
	return chmod_proc(fd, mode);
}

int ior_fd_chown(int fd, uid_t uid, gid_t gid)
{
	return fchownat(fd, "", uid, gid, AT_EMPTY_PATH) < 0 ? -errno : 0;
}

int ior_chmod_nofollow(int d, const char *name, mode_t mode)
{
	struct stat st;
	int fd, e;

	if (syscall(SYS_fchmodat2, d, name, mode, AT_SYMLINK_NOFOLLOW) == 0)
		return 0;
	if (errno != ENOSYS)
		return -errno;
	fd = openat(d, name, O_PATH | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	if (fstat(fd, &st) < 0)
		e = -errno;
	else if (S_ISLNK(st.st_mode))
		e = -EOPNOTSUPP;
	else
		e = chmod_proc(fd, mode);
	close(fd);
	return e;
}

/* A walk's state: the callbacks and the path of where it is. */
struct walk {
	const struct ior_walk *w;
	char path[PATH_MAX];
};

static void walk_fail(struct walk *k, size_t len, int why)
{
	k->path[len] = 0;
	k->w->fail(k->w->arg, len ? k->path : "/", why);
}

/*
 * The entries of the directory dfd (closed here), of stat dst, whose
 * path is path[0, len), depth directories beneath the root, marked mark.
 */
static void walk_dir(struct walk *k, int dfd, const struct stat *dst,
		     size_t len, int depth, int mark)
{
	const struct ior_walk *w = k->w;
	DIR *d = fdopendir(dfd);
	struct ior_walk_entry e;
	struct dirent *de;
	struct stat st;
	size_t nlen;
	int fd, inner;

	if (!d) {
		int why = -errno;

		close(dfd);
		walk_fail(k, len, why);
		return;
	}
	if (depth > IOR_WALK_DEPTH) {
		closedir(d);
		walk_fail(k, len, IOR_WALK_TOO_DEEP);
		return;
	}
	while ((de = readdir(d))) {
		if (!strcmp(de->d_name, ".") || !strcmp(de->d_name, ".."))
			continue;
		nlen = strlen(de->d_name);
		if (len + 1 + nlen >= PATH_MAX) {
			walk_fail(k, len, IOR_WALK_NAME_LONG);
			continue;
		}
		k->path[len] = '/';
		memcpy(k->path + len + 1, de->d_name, nlen + 1);
		if (fstatat(dirfd(d), de->d_name, &st, AT_SYMLINK_NOFOLLOW) < 0) {
			if (errno != ENOENT)	/* gone meanwhile: nothing to do */
				w->fail(w->arg, k->path, -errno);
			continue;
		}
		e = (struct ior_walk_entry){
			.dfd = dirfd(d), .name = de->d_name, .path = k->path,
			.len = len + 1 + nlen, .st = &st, .dst = dst,
			.mark = mark,
		};
		inner = mark;
		if (w->entry(w->arg, &e, &inner) != IOR_WALK_INTO ||
		    !S_ISDIR(st.st_mode))
			continue;
		fd = openat(dirfd(d), de->d_name, O_RDONLY | O_DIRECTORY |
			    O_NOFOLLOW | O_CLOEXEC);
		if (fd < 0) {
			w->fail(w->arg, k->path, -errno);
			continue;
		}
		walk_dir(k, fd, &st, e.len, depth + 1, inner);
		k->path[e.len] = 0;
		if (w->left)
			w->left(w->arg, &e, inner);
	}
	k->path[len] = 0;
	closedir(d);
}

int ior_root_walk(const struct ior_root *r, int mark, const struct ior_walk *w)
{
	struct walk k = { .w = w };
	struct stat st;
	int fd = ior_root_openat(r, "/", O_RDONLY | O_DIRECTORY | O_CLOEXEC, 0);
	int why;

	if (fd < 0)
		return fd;
	if (fstat(fd, &st) < 0) {
		why = -errno;
		close(fd);
		walk_fail(&k, 0, why);
		return 0;
	}
	walk_dir(&k, fd, &st, 0, 0, mark);
	return 0;
}
