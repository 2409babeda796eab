/*
 * clean.c - a used root brought back to the program's tree (clean.h).
 *
 * The root is walked by ior_root_walk (root.h): each directory opened
 * beneath its parent's descriptor with O_NOFOLLOW | O_DIRECTORY, each
 * entry looked at with fstatat(AT_SYMLINK_NOFOLLOW) and removed here
 * with unlinkat on its parent's descriptor. No symlink is followed and
 * no name is looked up again from the root, so nothing outside the root
 * is removed, whatever a local user renames meanwhile. A directory that
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

/* What the walk could not do, said as a removal that failed. */
static void walk_failed(void *arg, const char *path, int why)
{
	failed(arg, path, why == IOR_WALK_TOO_DEEP ?
	       "too deep beneath the root: left as it is" :
	       why == IOR_WALK_NAME_LONG ?
	       "a name in it is too long: left as it is" : strerror(-why));
}

/*
 * An entry of the root. Its directory's mark says whether it is compared
 * with the tree (1) or removed with its directory (0). One the tree does
 * not hold, or holds as another type, is removed: at once, or, for a
 * directory, once the walk into it has emptied it (removed_dir). A dry
 * run prints the top one of what it removes only, and counts them all.
 */
static int clean_entry(void *arg, const struct ior_walk_entry *e, int *keep)
{
	struct walk *w = arg;
	const struct name *n = e->mark ? find(e->path, ior_hash_str(e->path)) :
		NULL;

	if (n && n->type == type_of(e->st->st_mode))
		return n->type == TREE_DIR ? IOR_WALK_INTO : IOR_WALK_SKIP;
	if (w->dry && e->mark) {
		ior_puts(w->out, "remove ");
		ior_put_esc(w->out, e->path, e->len);
		ior_putc(w->out, '\n');
	}
	if (S_ISDIR(e->st->st_mode)) {
		/* A bind mount of a directory elsewhere is left too. */
		if (e->st->st_dev != e->dst->st_dev ||
		    mount_of(e->dfd, e->name) != mount_of(e->dfd, "")) {
			failed(w, e->path, "a mount point: left as it is");
			return IOR_WALK_SKIP;
		}
		*keep = 0;
		return IOR_WALK_INTO;
	}
	if (!w->dry && unlinkat(e->dfd, e->name, 0) < 0) {
		failed(w, e->path, strerror(errno));
		return IOR_WALK_SKIP;
	}
	w->removed++;
	return IOR_WALK_SKIP;
}

/* A directory walked into: removed, once emptied, unless kept. */
static void removed_dir(void *arg, const struct ior_walk_entry *e, int keep)
{
	struct walk *w = arg;

	if (keep)
		return;
	if (!w->dry && unlinkat(e->dfd, e->name, AT_REMOVEDIR) < 0) {
		failed(w, e->path, strerror(errno));
		return;
	}
	w->removed++;
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
	const struct ior_walk walk = {
		.entry = clean_entry, .left = removed_dir, .fail = walk_failed,
		.arg = &w,
	};
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
	close(fd);
	if ((fd = ior_root_walk(root, 1, &walk)) < 0)
		ior_errx(IOR_EXIT_SYS, "%s: %s", root->dir, strerror(-fd));
	*nfailed += w.failed;
	return w.removed;
}
