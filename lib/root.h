/*
 * root.h - acting only inside a replay root. Every path of a replay
 * program is resolved as if the root were "/": openat2(2) with
 * RESOLVE_IN_ROOT, so neither ".." nor any symlink (including ones the
 * replay itself creates) can lead outside it.
 */
#ifndef IOR_ROOT_H
#define IOR_ROOT_H

#include <stddef.h>
#include <sys/stat.h>
#include <sys/types.h>

struct ior_root {
	int fd;			/* O_PATH descriptor of the root directory */
	const char *dir;	/* as given, for messages */
};

/*
 * Open dir as a root; with create, make it (and its parents) first.
 * Returns 0 or -errno.
 */
int ior_root_open(struct ior_root *r, const char *dir, int create);
void ior_root_close(struct ior_root *r);

/*
 * open(2) path beneath the root. flags and mode as for open; returns a
 * descriptor or -errno.
 */
int ior_root_openat(const struct ior_root *r, const char *path, int flags,
		    mode_t mode);

/*
 * Resolve the directory that holds path's last component, beneath the
 * root, for the *at calls that act on a name without following it
 * (making, removing or renaming it, or fstatat with AT_SYMLINK_NOFOLLOW).
 * The path is normalised lexically first, so the
 * last component is never "." or "..". Copies that component into name
 * (cap bytes) and returns an O_PATH directory descriptor or -errno. The
 * root itself has no parent: its last component is ".", which is returned
 * with the root's own descriptor duplicated.
 */
int ior_root_parent(const struct ior_root *r, const char *path, char *name,
		    size_t cap);

/*
 * Metadata changes on the file a descriptor holds (an O_PATH one too),
 * never through a name that could be looked up again: a local user who
 * can rename entries in a directory of the root could swap a symlink in
 * between a check and a change by name. Each returns 0 or -errno.
 */
int ior_fd_chmod(int fd, mode_t mode);
int ior_fd_chown(int fd, uid_t uid, gid_t gid);

/*
 * fchmodat(d, name, mode, AT_SYMLINK_NOFOLLOW), failing with EOPNOTSUPP
 * on a symlink. Not glibc's: before fchmodat2(2) it goes through
 * /proc/self/fd, which names another table's descriptor in a thread
 * that unshared its own.
 */
int ior_chmod_nofollow(int d, const char *name, mode_t mode);

/*
 * The walk of the tree beneath the root (ior_root_walk). Each directory
 * is opened beneath its parent's descriptor with O_NOFOLLOW |
 * O_DIRECTORY and each entry looked at with fstatat(AT_SYMLINK_NOFOLLOW):
 * no symlink is followed and no name is looked up again from the root,
 * whatever a local user renames meanwhile. Directories more than
 * IOR_WALK_DEPTH beneath the root are not walked.
 */
#define IOR_WALK_DEPTH 256

/* What a walk could not do, besides a -errno (struct ior_walk's fail). */
enum {
	IOR_WALK_TOO_DEEP = 1,	/* a directory is past IOR_WALK_DEPTH */
	IOR_WALK_NAME_LONG,	/* a name in it makes a path of PATH_MAX */
};

/* The entry a walk is at. */
struct ior_walk_entry {
	int dfd;		/* its directory, opened beneath the root */
	const char *name;	/* its name in dfd, to act on it by *at calls */
	const char *path;	/* from the root, "/a/b": for messages and look-ups */
	size_t len;		/* strlen(path) */
	const struct stat *st;	/* its own, the symlink when it is one */
	const struct stat *dst;	/* dfd's */
	int mark;		/* what its directory was walked into with */
};

/* Answers of struct ior_walk's entry. */
enum { IOR_WALK_SKIP, IOR_WALK_INTO };

struct ior_walk {
	/*
	 * Each entry but "." and "..". Returns IOR_WALK_INTO to walk into
	 * it (a directory), with *mark (its own mark to begin with) as the
	 * mark of the entries met there; else IOR_WALK_SKIP.
	 */
	int (*entry)(void *arg, const struct ior_walk_entry *e, int *mark);
	/*
	 * A directory walked into, once its entries are done (or could not
	 * be read), with the mark they had; may be NULL. Not called when it
	 * could not be opened.
	 */
	void (*left)(void *arg, const struct ior_walk_entry *e, int mark);
	/*
	 * path (from the root, "/" for the root) could not be walked: why
	 * is a -errno or an IOR_WALK_ code.
	 */
	void (*fail)(void *arg, const char *path, int why);
	void *arg;
};

/*
 * Walk the tree beneath the root, depth first, its entries marked mark.
 * Returns 0, or -errno when the root cannot be opened.
 */
int ior_root_walk(const struct ior_root *r, int mark, const struct ior_walk *w);

#endif
