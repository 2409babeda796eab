/*
 * clean.c - a used root brought back to the program's tree (clean.h).
 *
 * The root is walked from its descriptor: each directory is opened
 * beneath its parent's descriptor with O_NOFOLLOW | O_DIRECTORY, each
 * entry is looked at with fstatat(AT_SYMLINK_NOFOLLOW) and removed with
 * unlinkat on its parent's descriptor. No symlink is followed and no
 * name is looked up again from the root, so nothing outside the root is
 * removed, whatever a local user renames meanwhile. A directory that
 * is not in the tree is emptied the same way, then removed; one that is
 * a mount point is left, and said.
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/xattr.h>
#include <unistd.h>

#include "clean.h"

#define MAX_DEPTH 256		/* directories walked beneath the root */

/*
 * The mark of a root ior-init has made a tree in, on the root directory
 * itself: a root holds the program's tree and what replays of it made,
 * nothing of the user's, only when it was empty (or missing) the first
 * time ior-init ran on it.
 */
#define ROOT_MARK "user.ior-init"

/* The tree: normalised paths in a pool, found by their hash. */
struct name {
	size_t path;		/* offset into names */
	enum tree_type type;
};

static struct name *tree;
static size_t ntree, tree_cap;
static char *names;
static size_t names_len, names_cap;
static struct ior_hashmap by_hash;	/* hash -> index + 1 */

struct walk {
	int rootfd;
	int dry;
	struct ior_out *out;
	unsigned long removed, failed;
};

static const struct name *find(const char *norm, uint64_t h)
{
	size_t i = ior_hashmap_home(&by_hash, h);
	void *v;

	while ((v = ior_hashmap_next(&by_hash, h, &i))) {
		const struct name *n = &tree[(uintptr_t)v - 1];

		if (!strcmp(names + n->path, norm))
			return n;
	}
	return NULL;
}

static void add_norm(const char *norm, enum tree_type t)
{
	uint64_t h = ior_hash_str(norm);
	size_t len = strlen(norm) + 1;

	if (find(norm, h))
		return;
	names = ior_xgrow(names, &names_cap, names_len + len, 1);
	memcpy(names + names_len, norm, len);
	tree = ior_xgrow(tree, &tree_cap, ntree + 1, sizeof(*tree));
	tree[ntree] = (struct name){ .path = names_len, .type = t };
	names_len += len;
	ntree++;
	ior_hashmap_add(&by_hash, h, (void *)(uintptr_t)ntree);
}

void tree_add(const char *path, enum tree_type t)
{
	char norm[PATH_MAX];

	if (ior_path_join(norm, sizeof(norm), "/", path) < 0)
		return;		/* too long to be made: nothing kept for it */
	add_norm(norm, t);
	/* Its parents, made as directories when missing. */
	for (char *s = strrchr(norm, '/'); s && s > norm; s = strrchr(norm, '/')) {
		*s = 0;
		add_norm(norm, TREE_DIR);
	}
}

static enum tree_type type_of(mode_t m)
{
	return S_ISDIR(m) ? TREE_DIR : S_ISLNK(m) ? TREE_LNK : TREE_REG;
}

/*
 * The id of the mount dfd/name (dfd itself for "") is on, or 0 when the
 * kernel does not say. Read at its offset in the kernel's struct statx,
 * 0x90, which glibc's struct has named only since 2.38.
 */
static uint64_t mount_of(int dfd, const char *name)
{
	struct statx sx;
	uint64_t id;

	if (statx(dfd, name, AT_SYMLINK_NOFOLLOW | (*name ? 0 : AT_EMPTY_PATH),
		  STATX_MNT_ID, &sx) < 0 || !(sx.stx_mask & STATX_MNT_ID))
		return 0;
	memcpy(&id, (const char *)&sx + 0x90, sizeof(id));
	return id;
}

static void failed(struct walk *w, const char *path, const char *why)
{
	char shown[4 * PATH_MAX + 1];

	ior_escape(shown, path, strlen(path));
	ior_warnx("%s: cannot remove: %s", shown, why);
	w->failed++;
}

static void walk_dir(struct walk *w, int dfd, const struct stat *dst,
		     char *path, size_t len, int depth, int keep);

/*
 * Remove dfd/name (path, len bytes), of stat st, in the directory of
 * stat dst, and all beneath it. A dry run prints the top one only
 * (top), and counts them all.
 */
static void remove_entry(struct walk *w, int dfd, const char *name,
			 const struct stat *st, const struct stat *dst,
			 char *path, size_t len, int depth, int top)
{
	int fd;

	if (w->dry && top) {
		ior_puts(w->out, "remove ");
		ior_put_esc(w->out, path, len);
		ior_putc(w->out, '\n');
	}
	if (S_ISDIR(st->st_mode)) {
		/* A bind mount of a directory elsewhere is left too. */
		if (st->st_dev != dst->st_dev ||
		    mount_of(dfd, name) != mount_of(dfd, "")) {
			failed(w, path, "a mount point: left as it is");
			return;
		}
		fd = openat(dfd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW |
			    O_CLOEXEC);
		if (fd < 0) {
			failed(w, path, strerror(errno));
			return;
		}
		walk_dir(w, fd, st, path, len, depth + 1, 0);
		path[len] = 0;
		if (!w->dry && unlinkat(dfd, name, AT_REMOVEDIR) < 0) {
			failed(w, path, strerror(errno));
			return;
		}
	} else if (!w->dry && unlinkat(dfd, name, 0) < 0) {
		failed(w, path, strerror(errno));
		return;
	}
	w->removed++;
}

/*
 * The entries of the directory dfd (closed here), of stat dst, whose
 * path is path[0, len), depth directories beneath the root. keep:
 * compare each with the tree and remove those it does not hold (or
 * holds as another type); else remove them all.
 */
static void walk_dir(struct walk *w, int dfd, const struct stat *dst,
		     char *path, size_t len, int depth, int keep)
{
	DIR *d = fdopendir(dfd);
	const struct name *n;
	struct dirent *de;
	struct stat st;
	size_t nlen;
	int fd;

	path[len] = 0;
	if (!d) {
		close(dfd);
		failed(w, len ? path : "/", strerror(errno));
		return;
	}
	if (depth > MAX_DEPTH) {
		closedir(d);
		failed(w, path, "too deep beneath the root: left as it is");
		return;
	}
	while ((de = readdir(d))) {
		if (!strcmp(de->d_name, ".") || !strcmp(de->d_name, ".."))
			continue;
		nlen = strlen(de->d_name);
		if (len + 1 + nlen >= PATH_MAX) {
			path[len] = 0;
			failed(w, path, "a name in it is too long: left as it is");
			continue;
		}
		path[len] = '/';
		memcpy(path + len + 1, de->d_name, nlen + 1);
		if (fstatat(dirfd(d), de->d_name, &st, AT_SYMLINK_NOFOLLOW) < 0) {
			if (errno != ENOENT)
				failed(w, path, strerror(errno));
			continue;
		}
		n = keep ? find(path, ior_hash_str(path)) : NULL;
		if (!n || n->type != type_of(st.st_mode)) {
			remove_entry(w, dirfd(d), de->d_name, &st, dst, path,
				     len + 1 + nlen, depth, keep);
		} else if (n->type == TREE_DIR) {
			fd = openat(dirfd(d), de->d_name, O_RDONLY | O_DIRECTORY |
				    O_NOFOLLOW | O_CLOEXEC);
			if (fd < 0)
				failed(w, path, strerror(errno));
			else
				walk_dir(w, fd, &st, path, len + 1 + nlen,
					 depth + 1, 1);
		}
	}
	path[len] = 0;
	closedir(d);
}

/* Whether the directory fd holds no entry; fd is left open. */
static int dir_empty(int fd)
{
	int dup_fd = openat(fd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	DIR *d = dup_fd < 0 ? NULL : fdopendir(dup_fd);
	struct dirent *de;
	int empty = 1;

	if (!d) {
		if (dup_fd >= 0)
			close(dup_fd);
		return 0;
	}
	while (empty && (de = readdir(d)))
		empty = !strcmp(de->d_name, ".") || !strcmp(de->d_name, "..");
	closedir(d);
	return empty;
}

void mark_root(const struct ior_root *root)
{
	int fd = ior_root_openat(root, "/", O_RDONLY | O_DIRECTORY |
				 O_CLOEXEC, 0);

	/* Unmarked (no user xattrs there), the next run cleans nothing. */
	if (fd >= 0) {
		(void)fsetxattr(fd, ROOT_MARK, "1", 1, 0);
		close(fd);
	}
}

unsigned long clean_root(const struct ior_root *root, int dry,
			 struct ior_out *out, unsigned long *nfailed,
			 int *ours)
{
	struct walk w = { .dry = dry, .out = out };
	char path[PATH_MAX] = "";
	struct stat st, sys;
	int fd = ior_root_openat(root, "/", O_RDONLY | O_DIRECTORY |
				 O_CLOEXEC, 0);

	if (fd < 0)
		ior_errx(IOR_EXIT_SYS, "%s: %s", root->dir, strerror(-fd));
	if (fstat(fd, &st) < 0)
		ior_err(IOR_EXIT_SYS, "%s", root->dir);
	/* The system's own root is never a program's. */
	if (stat("/", &sys) == 0 && sys.st_dev == st.st_dev &&
	    sys.st_ino == st.st_ino)
		ior_errx(IOR_EXIT_USAGE, "%s: the system's root directory cannot be a replay root",
			 root->dir);
	/*
	 * A root ior-init did not make a tree in may hold what is not the
	 * program's, which is not its to remove: it is left, and said.
	 */
	*ours = fgetxattr(fd, ROOT_MARK, NULL, 0) >= 0;
	if (!*ours && !(*ours = dir_empty(fd))) {
		ior_warnx("%s: holds entries, and no ior-init made a tree in it: nothing removed (give an empty directory to bring it back on later runs)",
			  root->dir);
		close(fd);
		return 0;
	}
	walk_dir(&w, fd, &st, path, 0, 0, 1);
	*nfailed += w.failed;
	return w.removed;
}
