/*
 * cache.c - the page cache state of the tree under the root when the
 * replay starts (--cache, cache.h).
 *
 * The tree is walked by ior_root_walk (root.h): each directory opened
 * beneath its parent with O_NOFOLLOW | O_DIRECTORY; each regular file
 * opened here with O_PATH | O_NOFOLLOW, checked again by fstat, and
 * only then reopened for reading through its own descriptor (its
 * /proc/thread-self/fd name, which is that inode and no other): no
 * symlink is followed, nothing outside the root is read, and no FIFO or
 * device a local user swapped in is opened.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "ior.h"
#include "cache.h"
#include "options.h"
#include "paths.h"

#define READ_BLOCK (1 << 20)	/* bytes per read of --cache warm */

static const char *const cache_names[] = {
	[CACHE_COLD] = "cold", [CACHE_COLD_ALL] = "cold-all",
	[CACHE_WARM] = "warm",
};

struct walk {
	enum cache_mode mode;
	char *buf;		/* warm: what is read, thrown away */
	unsigned long files, failed, deep;
};

int cache_parse(const char *s, enum cache_mode *mode)
{
	for (size_t i = 0; i < sizeof(cache_names) / sizeof(*cache_names); i++)
		if (!strcmp(s, cache_names[i])) {
			*mode = (enum cache_mode)i;
			return 0;
		}
	return -1;
}

const char *cache_name(enum cache_mode mode)
{
	return cache_names[mode];
}

/* Read all of fd through, so that its pages are in the cache. */
static int read_through(int fd, char *buf)
{
	off_t at = 0;
	ssize_t n;

	(void)posix_fadvise(fd, 0, 0, POSIX_FADV_WILLNEED);
	while ((n = pread(fd, buf, READ_BLOCK, at)) != 0) {
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return -1;
		at += n;
	}
	return 0;
}

/* The regular file held by the O_PATH descriptor pfd. */
static void one_file(struct walk *w, int pfd)
{
	char proc[64];
	int fd, e;

	snprintf(proc, sizeof(proc), "/proc/thread-self/fd/%d", pfd);
	fd = open(proc, O_RDONLY | O_NONBLOCK | O_NOCTTY | O_CLOEXEC);
	if (fd < 0) {
		w->failed++;
		return;
	}
	if (w->mode == CACHE_WARM) {
		e = read_through(fd, w->buf);
	} else {
		/* Dirty pages are written first: only clean ones are dropped. */
		e = fsync(fd) < 0 && errno != EINVAL ? -1 : 0;
		if (posix_fadvise(fd, 0, 0, POSIX_FADV_DONTNEED) != 0)
			e = -1;
	}
	close(fd);
	w->files++;
	w->failed += e < 0;
}

/*
 * An entry of the root: a directory is walked into, a regular file
 * opened O_PATH | O_NOFOLLOW and checked by fstat again, since it may
 * have been swapped meanwhile; anything else is left.
 */
static int cache_entry(void *arg, const struct ior_walk_entry *e, int *mark)
{
	struct walk *w = arg;
	struct stat st;
	int fd;

	(void)mark;
	if (S_ISDIR(e->st->st_mode))
		return IOR_WALK_INTO;
	if (!S_ISREG(e->st->st_mode))
		return IOR_WALK_SKIP;
	fd = openat(e->dfd, e->name, O_PATH | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0) {
		w->failed += errno != ENOENT;
		return IOR_WALK_SKIP;
	}
	if (fstat(fd, &st) == 0 && S_ISREG(st.st_mode))
		one_file(w, fd);
	close(fd);
	return IOR_WALK_SKIP;
}

/* What the walk could not do: counted, and said once at the end. */
static void cache_failed(void *arg, const char *path, int why)
{
	struct walk *w = arg;

	(void)path;
	if (why == IOR_WALK_TOO_DEEP)
		w->deep++;
	else
		w->failed++;
}

/* Write all of the machine's dirty pages, then drop every clean one. */
static void drop_all(void)
{
	int fd;

	sync();
	fd = open("/proc/sys/vm/drop_caches", O_WRONLY | O_CLOEXEC);
	if (fd < 0 || write(fd, "3\n", 2) != 2)
		ior_warn("--cache cold-all: /proc/sys/vm/drop_caches");
	if (fd >= 0)
		close(fd);
}

void cache_prepare(void)
{
	struct walk w = { .mode = opt.cache };
	const struct ior_walk walk = {
		.entry = cache_entry, .fail = cache_failed, .arg = &w,
	};
	int e;

	if (w.mode == CACHE_WARM)
		w.buf = ior_xmalloc(READ_BLOCK);
	e = ior_root_walk(&root, 0, &walk);
	free(w.buf);
	if (e < 0)
		ior_errx(IOR_EXIT_SYS, "%s: %s", opt.dir, strerror(-e));
	if (w.mode == CACHE_COLD_ALL)
		drop_all();
	if (w.failed)
		ior_warnx("--cache %s: %lu entries of %s could not be %s",
			  cache_name(w.mode), w.failed, opt.dir,
			  w.mode == CACHE_WARM ? "read in" :
			  "dropped from the page cache");
	if (w.deep)
		ior_warnx("--cache %s: %lu directories more than %d deep in %s left as they are",
			  cache_name(w.mode), w.deep, IOR_WALK_DEPTH, opt.dir);
	if (opt.verbose)
		ior_warnx("--cache %s: %lu files", cache_name(w.mode), w.files);
}
