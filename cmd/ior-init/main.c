/*
 * ior-init - build the starting file tree of a replay program under a
 * root directory: what is beneath the root and not in the tree removed
 * first (clean.c), then directories, then files in parallel (their
 * contents: fill.c), then hard links, then symlinks. Every path is
 * resolved beneath the root (root.h), so an untrusted program cannot
 * reach anything outside it.
 * Running it twice changes nothing the second time; running it on a
 * root a replay has used brings the tree back: what the replay made is
 * removed, and sizes, modes, owners and file contents are restored.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <inttypes.h>
#include <limits.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <time.h>
#include <unistd.h>

#include "ior.h"
#include "clean.h"
#include "fill.h"
#include "root.h"

#define MAX_JOBS 1024

enum entry_type { T_DIR, T_FILE, T_HLINK, T_SYMLINK, NTYPE };
enum result { R_MADE, R_FIXED, R_KEPT, R_FAILED };

struct entry {
	size_t path, path2;	/* offsets into the name pool */
	uint64_t size;
	mode_t mode;
	uid_t uid;		/* (uid_t)-1: not given */
	gid_t gid;
	uint32_t links;		/* a file's or symlink's: 1, and one for
				   each init:link to it */
};

struct list {
	struct entry *v;
	size_t n, cap;
};

/* The tree to build: only init records are kept, never operations. */
static struct list dirs, files, hardlinks, symlinks;
static char *pool;
static size_t pool_len, pool_cap;
static uint64_t total_bytes;

static struct ior_root root;
static int dry, verbose;
static int privileged;		/* --privileged: setuid and setgid bits */
static int no_space_check;	/* --no-space-check */
static int as_root;		/* owners are set only by root */
static struct ior_out out;

static struct {
	atomic_ulong made[NTYPE], fixed, kept, failed;
	atomic_ulong setid_stripped;	/* modes given without those bits */
	atomic_ulong restored;		/* files whose content was rewritten */
	atomic_ulong unchecked;		/* files whose content could not be read */
	unsigned long removed;		/* entries not in the tree, removed */
	unsigned long unremoved;	/* ... that could not be */
	atomic_ullong bytes_made;	/* sizes of files created */
	atomic_ulong files_done;
} count;

static pthread_mutex_t msg_lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_mutex_t done_lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t done_cond = PTHREAD_COND_INITIALIZER;
static int workers_left;
static atomic_size_t next_file;

static void usage(FILE *f, int code)
{
	fprintf(f, "usage: %s -C DIR [-nv] [-j JOBS] [--fill random|zero|sparse] [--no-space-check] [--privileged] [FILE]\n",
		ior_progname());
	exit(code);
}

/* ---- reading the program ---- */

static size_t pool_add(const struct ior_in *in, const char *key,
		       const char *val)
{
	size_t at = pool_len, n;

	pool = ior_xgrow(pool, &pool_cap, pool_len + PATH_MAX, 1);
	n = ior_val_unescape(in, key, val, pool + at, PATH_MAX);
	if (n == 0)
		ior_bad(in, key, "empty path");
	pool_len += n + 1;
	return at;
}

/* Mode of an init record: permission bits only, at most 07777. */
static mode_t parse_mode(const struct ior_in *in, const char *s)
{
	unsigned m = ior_mode(in, "mode", s);

	if (m > 07777)
		ior_bad(in, "mode", "not a permission mode like 0644: \"%.40s\"",
			s);
	return m;
}

/* uid= or gid= of an init record: absent is -1, "unchanged". */
static unsigned owner_of(const struct ior_in *in, const struct ior_rec *r,
			 const char *key)
{
	const char *v = ior_get(r, key);

	return v ? ior_owner(in, key, v, 0) : (unsigned)-1;
}

static struct entry *list_add(struct list *l)
{
	l->v = ior_xgrow(l->v, &l->cap, l->n + 1, sizeof(*l->v));
	return memset(&l->v[l->n++], 0, sizeof(*l->v));
}

static void read_program(const char *path)
{
	struct ior_in in;
	struct ior_rec r;
	struct entry *e;
	int k;

	ior_in_open(&in, path);
	while ((k = ior_read(&in, &r)) != IOR_EOF) {
		if (k == IOR_META) {
			/* Also a concatenated stream's later magic lines. */
			if (ior_is_magic(in.line) &&
			    strcmp(strrchr(in.line, ' ') + 1, "replay"))
				ior_bad(&in, NULL, "a %s stream is not a replay program (ior-init reads the output of ior-gen)",
					strrchr(in.line, ' ') + 1);
			continue;
		}
		if (strncmp(r.call, "init:", 5))
			continue;
		switch (ior_call_find(r.call)) {
		case IOR_C_init_dir:
			e = list_add(&dirs);
			e->mode = parse_mode(&in, ior_need(&in, &r, "mode"));
			break;
		case IOR_C_init_file:
			e = list_add(&files);
			e->size = ior_uint(&in, "size", ior_need(&in, &r, "size"));
			if (e->size > INT64_MAX)
				ior_bad(&in, "size", "too large");
			e->mode = parse_mode(&in, ior_need(&in, &r, "mode"));
			total_bytes += e->size;
			break;
		case IOR_C_init_symlink:
			e = list_add(&symlinks);
			e->path2 = pool_add(&in, "path2", ior_need(&in, &r, "path2"));
			break;
		case IOR_C_init_link:
			e = list_add(&hardlinks);
			e->path2 = pool_add(&in, "path2", ior_need(&in, &r, "path2"));
			break;
		default:
			ior_bad(&in, "CALL", "unknown init record \"%.40s\"", r.call);
		}
		e->path = pool_add(&in, "path", ior_need(&in, &r, "path"));
		e->uid = owner_of(&in, &r, "uid");
		e->gid = owner_of(&in, &r, "gid");
	}
	ior_in_close(&in);
}

/*
 * The links the program gives each file and symlink: 1, and one for each
 * init:link to it, or to a link to it. An entry with more may also be a
 * name outside the root (foreign()).
 */
static struct ior_hashmap by_path;	/* hash of a path -> its entries */

static int is_link(const struct entry *e)
{
	return e >= hardlinks.v && e < hardlinks.v + hardlinks.n;
}

/* path, normalised into norm (PATH_MAX bytes); returns its hash. */
static uint64_t norm_path(const char *path, char *norm)
{
	if (ior_path_join(norm, PATH_MAX, "/", path) < 0)
		snprintf(norm, PATH_MAX, "%s", path);
	return ior_hash_str(norm);
}

/* The file, symlink or link entry at path, or NULL. */
static struct entry *entry_at(const char *path)
{
	char norm[PATH_MAX], other[PATH_MAX];
	uint64_t h = norm_path(path, norm);
	size_t i = ior_hashmap_home(&by_path, h);
	struct entry *e;

	while ((e = ior_hashmap_next(&by_path, h, &i))) {
		norm_path(pool + e->path, other);
		if (!strcmp(norm, other))
			return e;
	}
	return NULL;
}

/* The tree clean_root keeps: every entry of the program and its parents. */
static void tree_of_program(void)
{
	for (size_t i = 0; i < dirs.n; i++)
		tree_add(pool + dirs.v[i].path, TREE_DIR);
	for (size_t i = 0; i < files.n; i++)
		tree_add(pool + files.v[i].path, TREE_REG);
	for (size_t i = 0; i < hardlinks.n; i++)
		tree_add(pool + hardlinks.v[i].path, TREE_REG);
	for (size_t i = 0; i < symlinks.n; i++)
		tree_add(pool + symlinks.v[i].path, TREE_LNK);
}

static void count_links(void)
{
	struct list *lists[] = { &files, &symlinks, &hardlinks };

	for (size_t l = 0; l < 3; l++)
		for (size_t i = 0; i < lists[l]->n; i++) {
			struct entry *e = &lists[l]->v[i];
			char norm[PATH_MAX];

			e->links = 1;
			ior_hashmap_add(&by_path, norm_path(pool + e->path, norm),
					e);
		}
	for (size_t i = 0; i < hardlinks.n; i++) {
		struct entry *t = entry_at(pool + hardlinks.v[i].path2);

		/* A link to a link: to what that one links, 40 deep at most. */
		for (int hop = 0; t && is_link(t) && hop < 40; hop++)
			t = entry_at(pool + t->path2);
		if (t && !is_link(t))
			t->links++;
	}
	ior_hashmap_free(&by_path);
}

/*
 * Without --privileged no entry gets setuid or setgid bits: a program is
 * untrusted, and a local user may own files in the root (a copy of a
 * binary planted where the program has a file of root's, say).
 */
static void strip_setid(struct list *l)
{
	for (size_t i = 0; i < l->n; i++)
		if (l->v[i].mode & (S_ISUID | S_ISGID)) {
			l->v[i].mode &= ~(S_ISUID | S_ISGID);
			count.setid_stripped++;
		}
}

/* ---- messages ---- */

static const char *type_name(mode_t m)
{
	switch (m & S_IFMT) {
	case S_IFDIR: return "a directory";
	case S_IFREG: return "a regular file";
	case S_IFLNK: return "a symlink";
	case S_IFIFO: return "a fifo";
	case S_IFSOCK: return "a socket";
	default: return "a device";
	}
}

static enum result fail(const char *what, const char *path, const char *why)
{
	char shown[4 * PATH_MAX + 1];

	ior_escape(shown, path, strlen(path));
	pthread_mutex_lock(&msg_lock);
	ior_warnx("%s: cannot make %s: %s", shown, what, why);
	pthread_mutex_unlock(&msg_lock);
	return R_FAILED;
}

static enum result fail_in_way(const char *what, const char *path, mode_t m)
{
	char why[64];

	snprintf(why, sizeof(why), "%s is in the way", type_name(m));
	return fail(what, path, why);
}

/* A dry-run line: VERB PATH [ARG] [MODE]. */
static void plan(const char *verb, const char *path, const char *arg,
		 const struct entry *e, int with_mode)
{
	ior_puts(&out, verb);
	ior_putc(&out, ' ');
	ior_put_esc(&out, path, strlen(path));
	if (arg) {
		ior_putc(&out, ' ');
		ior_put_esc(&out, arg, strlen(arg));
	}
	if (with_mode)
		ior_printf(&out, " 0%o", (unsigned)e->mode);
	ior_putc(&out, '\n');
}

/* ---- making entries ---- */

static int has_owner(const struct entry *e)
{
	return as_root && (e->uid != (uid_t)-1 || e->gid != (gid_t)-1);
}

/* The owner the program gives e differs from st's (only root sets one). */
static int owner_wrong(const struct entry *e, const struct stat *st)
{
	return as_root && ((e->uid != (uid_t)-1 && st->st_uid != e->uid) ||
			   (e->gid != (gid_t)-1 && st->st_gid != e->gid));
}

/* An entry made now is owned by us: would it need a chown? */
static int new_owner_wrong(const struct entry *e)
{
	struct stat st = { .st_uid = geteuid(), .st_gid = getegid() };

	return owner_wrong(e, &st);
}

/*
 * Why ior-init may not change the existing entry of stat st (opened
 * beneath the root without following it, its type checked), or NULL.
 * It changes the owner, mode or size only of an entry it could have
 * made:
 *  - one that belongs to the user ior-init runs as, or (as root) to the
 *    owner the program gives it. One another user owns may have been
 *    planted there: a copy of a binary in a directory the program gives
 *    that user, which a chown to root and a chmod 04755 would make
 *    setuid-root.
 *  - a file or symlink with no more links than the program gives it. A
 *    user may hard-link into a directory of theirs a file from outside
 *    the root, one they own or may write (fs.protected_hardlinks), which
 *    a chown would then give away.
 * Such an entry is reported and left as it is; removed, it is made anew
 * by the next run.
 */
static const char *foreign(const struct entry *e, const struct stat *st,
			   char *why, size_t cap)
{
	if (st->st_uid != geteuid() &&
	    !(as_root && e->uid != (uid_t)-1 && st->st_uid == e->uid))
		snprintf(why, cap, "owned by uid %u, neither ior-init's user nor the program's owner: left as it is",
			 (unsigned)st->st_uid);
	else if (!S_ISDIR(st->st_mode) && st->st_nlink > e->links)
		snprintf(why, cap, "%ju links where the program makes %u: left as it is",
			 (uintmax_t)st->st_nlink, (unsigned)e->links);
	else
		return NULL;
	return why;
}

/* The entry of stat st, made by this run, is still the one it made. */
static int still_ours(const struct stat *st)
{
	return st->st_uid == geteuid();
}

/* A dry-run line: chown PATH UID:GID (-1 for one left as it is). */
static void plan_chown(const char *path, const struct entry *e)
{
	char ids[32];

	snprintf(ids, sizeof(ids), "%d:%d", (int)e->uid, (int)e->gid);
	plan("chown", path, ids, e, 0);
}

/* Make one missing parent p, unless a directory is already there. */
static int ensure_dir(const char *p)
{
	char name[NAME_MAX + 1];
	int fd, pfd, e = 0;

	fd = ior_root_openat(&root, p, O_PATH | O_DIRECTORY | O_CLOEXEC, 0);
	if (fd >= 0)
		return close(fd), 0;
	if (fd != -ENOENT)
		return fd;
	if ((pfd = ior_root_parent(&root, p, name, sizeof(name))) < 0)
		return pfd;
	if (mkdirat(pfd, name, 0755) == 0)
		atomic_fetch_add(&count.made[T_DIR], 1);
	else if (errno != EEXIST)
		e = -errno;
	close(pfd);
	if (e)
		return e;
	/* A dangling symlink in the way still leaves no directory. */
	fd = ior_root_openat(&root, p, O_PATH | O_DIRECTORY | O_CLOEXEC, 0);
	if (fd == -ENOENT)
		return -ENOTDIR;
	return fd < 0 ? fd : (close(fd), 0);
}

/* Make the missing parents of path, component by component, as 0755. */
static int make_parents(const char *path)
{
	char norm[PATH_MAX];
	int e;

	if (ior_path_join(norm, sizeof(norm), "/", path) < 0)
		return -ENAMETOOLONG;
	for (char *s = norm + 1; (s = strchr(s, '/')); s++) {
		*s = 0;
		e = ensure_dir(norm);
		*s = '/';
		if (e < 0)
			return e;
	}
	return 0;
}

/*
 * The directory holding path's last component, made if missing. -ENOENT
 * in a dry run (or with no root yet) means it would be made.
 */
static int parent_dir(const char *path, char *name, size_t cap)
{
	int fd, e;

	if (root.fd < 0)
		return -ENOENT;
	fd = ior_root_parent(&root, path, name, cap);
	if (fd != -ENOENT || dry)
		return fd;
	if ((e = make_parents(path)) < 0)
		return e;
	return ior_root_parent(&root, path, name, cap);
}

/*
 * e as it is given to the existing regular file of stat st. With
 * --privileged, a file gets setuid or setgid bits it does not have only
 * when no other user can have written it since it was made: it is root's
 * and neither its group nor others may write it. (A user's write clears
 * those bits; a re-run would put them back on the user's content.)
 * Other files keep the bits they have and get no more (*held). Without
 * --privileged e has none (strip_setid).
 */
static struct entry over(const struct entry *e, const struct stat *st,
			 int *held)
{
	struct entry w = *e;
	mode_t add = e->mode & (S_ISUID | S_ISGID) & ~st->st_mode;

	*held = add && (st->st_uid != 0 || (st->st_mode & (S_IWGRP | S_IWOTH)));
	if (*held)
		w.mode &= ~add;
	return w;
}

/*
 * Give the entry fd, of stat st, the owner and mode e says. fd was opened
 * beneath the root without following its last component, and every
 * change goes through it: a name could be swapped for a symlink between
 * a check and a change by name (a directory the program gives a local
 * user is theirs to rename in). made: this run made it, so both are set
 * whatever st says (a setgid parent passes its bit on). A chown clears
 * setuid and setgid bits: the mode is set after it.
 */
static int set_owner_mode(int fd, const struct entry *e, const struct stat *st,
			  int made)
{
	int chowned = 0, err;

	if (made ? has_owner(e) : owner_wrong(e, st)) {
		if ((err = ior_fd_chown(fd, e->uid, e->gid)) < 0)
			return err;
		chowned = 1;
	}
	if (made || chowned || (st->st_mode & 07777) != e->mode)
		return ior_fd_chmod(fd, e->mode);
	return 0;
}

static enum result make_dir(const struct entry *e)
{
	const char *path = pool + e->path;
	char name[NAME_MAX + 1], why[128];
	struct stat st;
	int pfd = parent_dir(path, name, sizeof(name)), fd, made = 0, err;
	enum result res;

	if (pfd == -ENOENT && dry) {
		plan("mkdir", path, NULL, e, 1);
		return R_MADE;
	}
	if (pfd < 0)
		return fail("directory", path, strerror(-pfd));
	fd = openat(pfd, name, O_PATH | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0 && errno == ENOENT && dry) {
		plan("mkdir", path, NULL, e, 1);
		if (new_owner_wrong(e))
			plan_chown(path, e);
		close(pfd);
		return R_MADE;
	}
	if (fd < 0 && errno == ENOENT) {
		/* Made without the bits the chmod on its descriptor adds. */
		if (mkdirat(pfd, name, e->mode & 01777) == 0)
			made = 1;
		if (made || errno == EEXIST)	/* else fails with its errno */
			fd = openat(pfd, name, O_PATH | O_NOFOLLOW | O_CLOEXEC);
	}
	err = fd < 0 ? errno : 0;
	close(pfd);
	if (fd < 0)
		return fail("directory", path, strerror(err));
	if (fstat(fd, &st) < 0) {
		res = fail("directory", path, strerror(errno));
	} else if (!S_ISDIR(st.st_mode)) {
		res = fail_in_way("directory", path, st.st_mode);
	} else if (made && !still_ours(&st)) {
		res = fail("directory", path, "changed while being made");
	} else if (!made && (st.st_mode & 07777) == e->mode &&
		   !owner_wrong(e, &st)) {
		res = R_KEPT;
	} else if (!made && foreign(e, &st, why, sizeof(why))) {
		res = fail("directory", path, why);
	} else if (dry) {
		if (owner_wrong(e, &st))
			plan_chown(path, e);
		if ((st.st_mode & 07777) != e->mode)
			plan("chmod", path, NULL, e, 1);
		res = R_FIXED;
	} else if ((err = set_owner_mode(fd, e, &st, made)) < 0) {
		res = fail("directory", path, strerror(-err));
	} else {
		res = made ? R_MADE : R_FIXED;
	}
	close(fd);
	return res;
}

/*
 * Remove the file fd that this run made at path and could not finish
 * (the disk filled, say), so that no partial file is left silently.
 * Removed by name, once the name is checked to be still that file: at
 * worst another entry of the same directory, inside the root. Returns
 * what became of it, for the message.
 */
static const char *remove_made(const char *path, int fd)
{
	char name[NAME_MAX + 1];
	struct stat st, at;
	int pfd = ior_root_parent(&root, path, name, sizeof(name)), gone;

	if (pfd < 0)
		return "partly written, left as it is";
	gone = fstat(fd, &st) == 0 &&
		fstatat(pfd, name, &at, AT_SYMLINK_NOFOLLOW) == 0 &&
		st.st_dev == at.st_dev && st.st_ino == at.st_ino &&
		unlinkat(pfd, name, 0) == 0;
	close(pfd);
	return gone ? "removed" : "partly written, left as it is";
}

static enum result create_file(const struct entry *e, uint64_t *buf,
			       uint64_t *wrote)
{
	const char *path = pool + e->path;
	int flags = O_CREAT | O_EXCL | O_NOFOLLOW | O_WRONLY | O_CLOEXEC;
	/* Made without the bits the fchmod at the end adds. */
	int fd = ior_root_openat(&root, path, flags, e->mode & 0777), err;

	if (fd == -ENOENT) {
		if ((err = make_parents(path)) < 0)
			return fail("file", path, strerror(-err));
		fd = ior_root_openat(&root, path, flags, e->mode & 0777);
	}
	if (fd < 0)
		return fail("file", path, strerror(-fd));
	err = fill_range(fd, path, 0, e->size, buf, wrote);
	if (!err && has_owner(e) && fchown(fd, e->uid, e->gid) < 0)
		err = -errno;
	/* After the writes and chown: both clear setuid and setgid bits. */
	if (!err && fchmod(fd, e->mode) < 0)
		err = -errno;
	if (err) {
		char why[128];

		snprintf(why, sizeof(why), "%s (%s)", strerror(-err),
			 remove_made(path, fd));
		close(fd);
		return fail("file", path, why);
	}
	close(fd);
	atomic_fetch_add(&count.bytes_made, e->size);
	return R_MADE;
}

/*
 * An existing regular file, held by fd (O_PATH, opened without following
 * it), of stat st, that ior-init could have made (not foreign()): fix its
 * size, owner and mode, and its content where it differs from what
 * --fill makes (a replay wrote into it). It is opened for reading and
 * writing, and checked to be the same file. A file that cannot be opened
 * so for want of permission (a read-only one, ior-init not root) keeps
 * its content, counted; a dry run reads no content. Returns R_KEPT when
 * nothing needed changing.
 */
static enum result fix_file(const struct entry *e, int fd,
			    const struct stat *st, uint64_t *buf,
			    uint64_t *wrote)
{
	const char *path = pool + e->path;
	int resize = (uint64_t)st->st_size != e->size;
	int meta = resize || (st->st_mode & 07777) != e->mode ||
		owner_wrong(e, st);
	uint64_t *rbuf = buf ? buf + (FILL_BLOCK + 8) / 8 : NULL;
	uint64_t keep = resize && (uint64_t)st->st_size < e->size ?
		(uint64_t)st->st_size : e->size;
	int restored = 0, wfd, err = 0;
	struct stat wst;

	if (dry) {
		if (!meta)
			return R_KEPT;
		if (resize) {
			char size[24];

			snprintf(size, sizeof(size), "%" PRIu64, e->size);
			plan("resize", path, size, e, 0);
		}
		if (owner_wrong(e, st))
			plan_chown(path, e);
		if ((st->st_mode & 07777) != e->mode)
			plan("chmod", path, NULL, e, 1);
		return R_FIXED;
	}
	wfd = ior_root_openat(&root, path, O_RDWR | O_NOFOLLOW | O_NONBLOCK |
			      O_CLOEXEC, 0);
	if (wfd == -EACCES && !resize) {
		atomic_fetch_add(&count.unchecked, 1);
	} else if (wfd < 0) {
		return fail("file", path, strerror(-wfd));
	} else {
		if (fstat(wfd, &wst) < 0 || wst.st_ino != st->st_ino ||
		    wst.st_dev != st->st_dev) {
			close(wfd);
			return fail("file", path, "changed while being fixed");
		}
		if ((uint64_t)st->st_size > e->size)
			err = ftruncate(wfd, (off_t)e->size) < 0 ? -errno : 0;
		if (!err)
			err = restore_range(wfd, path, keep, buf, rbuf, &restored);
		if (!err && (uint64_t)st->st_size < e->size)
			err = fill_range(wfd, path, st->st_size, e->size, buf,
					 wrote);
		/* An extension that failed half way is taken back. */
		if (err && (uint64_t)st->st_size < e->size) {
			char why[160];

			snprintf(why, sizeof(why), "%s (%s %jd bytes)",
				 strerror(-err),
				 ftruncate(wfd, st->st_size) == 0 ?
				 "put back to its" : "partly extended from its",
				 (intmax_t)st->st_size);
			close(wfd);
			return fail("file", path, why);
		}
		close(wfd);
		if (restored)
			atomic_fetch_add(&count.restored, 1);
	}
	/* After the writes: they clear setuid and setgid bits. */
	if (!err)
		err = set_owner_mode(fd, e, st, 0);
	if (err)
		return fail("file", path, strerror(-err));
	return meta || restored ? R_FIXED : R_KEPT;
}

static enum result make_file(const struct entry *e, uint64_t *buf,
			     uint64_t *wrote)
{
	const char *path = pool + e->path;
	enum result res;
	char size[24], why[128];
	struct stat st;
	int fd;

	fd = root.fd < 0 ? -ENOENT :
		ior_root_openat(&root, path, O_PATH | O_NOFOLLOW | O_CLOEXEC, 0);
	if (fd == -ENOENT) {
		if (!dry)
			return create_file(e, buf, wrote);
		snprintf(size, sizeof(size), "%" PRIu64, e->size);
		plan("create", path, size, e, 1);
		if (new_owner_wrong(e))
			plan_chown(path, e);
		atomic_fetch_add(&count.bytes_made, e->size);
		return R_MADE;
	}
	if (fd < 0)
		return fail("file", path, strerror(-fd));
	if (fstat(fd, &st) < 0) {
		res = fail("file", path, strerror(errno));
	} else if (!S_ISREG(st.st_mode)) {
		res = fail_in_way("file", path, st.st_mode);
	} else {
		int held;
		struct entry w = over(e, &st, &held);

		int right = (uint64_t)st.st_size == w.size &&
			(st.st_mode & 07777) == w.mode && !owner_wrong(&w, &st);

		/* A foreign file's content is neither read nor written. */
		if (foreign(&w, &st, why, sizeof(why)))
			res = right ? R_KEPT : (held = 0, fail("file", path, why));
		else
			res = fix_file(&w, fd, &st, buf, wrote);
		if (held)
			atomic_fetch_add(&count.setid_stripped, 1);
	}
	close(fd);
	return res;
}

/*
 * The owner of the symlink pfd/name itself, after it was made or found,
 * changed through a descriptor of it: a kept link whose owner is fixed
 * counts as fixed.
 */
static enum result symlink_owner(int pfd, const char *name, const char *path,
				 const struct entry *e, enum result res)
{
	struct stat st;
	char why[128];
	int fd, err;

	if (res == R_FAILED || !has_owner(e))
		return res;
	fd = openat(pfd, name, O_PATH | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0 && (!dry || errno != ENOENT))
		return fail("symlink", path, strerror(errno));
	if (fd < 0) {			/* it would be made by us */
		if (new_owner_wrong(e))
			plan_chown(path, e);
		return res;
	}
	if (fstat(fd, &st) < 0) {
		res = fail("symlink", path, strerror(errno));
	} else if (!S_ISLNK(st.st_mode) ||
		   (res == R_MADE && !dry && !still_ours(&st))) {
		res = fail("symlink", path, "changed while being made");
	} else if (owner_wrong(e, &st)) {
		if (res != R_MADE && foreign(e, &st, why, sizeof(why)))
			res = fail("symlink", path, why);
		else if (dry)
			plan_chown(path, e);
		else if ((err = ior_fd_chown(fd, e->uid, e->gid)) < 0)
			res = fail("symlink", path, strerror(-err));
		if (res == R_KEPT)
			res = R_FIXED;
	}
	close(fd);
	return res;
}

static enum result make_symlink(const struct entry *e)
{
	const char *path = pool + e->path, *target = pool + e->path2;
	char name[NAME_MAX + 1], old[PATH_MAX];
	int pfd = parent_dir(path, name, sizeof(name));
	enum result res;
	struct stat st;
	ssize_t n;

	if (pfd == -ENOENT && dry) {
		plan("symlink", path, target, e, 0);
		return R_MADE;
	}
	if (pfd < 0)
		return fail("symlink", path, strerror(-pfd));
	n = readlinkat(pfd, name, old, sizeof(old));
	if (n >= 0 && (size_t)n == strlen(target) && !memcmp(old, target, n)) {
		res = R_KEPT;
	} else if (n >= 0) {
		if (dry)
			plan("replace", path, target, e, 0), res = R_FIXED;
		else if (unlinkat(pfd, name, 0) < 0 ||
			 symlinkat(target, pfd, name) < 0)
			res = fail("symlink", path, strerror(errno));
		else
			res = R_FIXED;
	} else if (errno == EINVAL) {
		if (fstatat(pfd, name, &st, AT_SYMLINK_NOFOLLOW) < 0)
			res = fail("symlink", path, strerror(errno));
		else
			res = fail_in_way("symlink", path, st.st_mode);
	} else if (errno != ENOENT) {
		res = fail("symlink", path, strerror(errno));
	} else if (dry) {
		plan("symlink", path, target, e, 0), res = R_MADE;
	} else if (symlinkat(target, pfd, name) < 0) {
		res = fail("symlink", path, strerror(errno));
	} else {
		res = R_MADE;
	}
	res = symlink_owner(pfd, name, path, e, res);
	close(pfd);
	return res;
}

/*
 * A hard link path to the entry path2 made before it. Both names are
 * resolved beneath the root and neither is followed if a symlink: linkat
 * links what path2 is, inside the root. A regular file of its own at
 * path is replaced, as a symlink with another target is.
 */
static enum result make_hardlink(const struct entry *e)
{
	const char *path = pool + e->path, *target = pool + e->path2;
	char name[NAME_MAX + 1], name2[NAME_MAX + 1];
	char why[4 * PATH_MAX + 64];
	int pfd = parent_dir(path, name, sizeof(name)), ppfd, err;
	enum result res;
	struct stat st, st2;

	if (pfd == -ENOENT && dry) {
		plan("link", path, target, e, 0);
		return R_MADE;
	}
	if (pfd < 0)
		return fail("link", path, strerror(-pfd));
	ppfd = ior_root_parent(&root, target, name2, sizeof(name2));
	err = ppfd < 0 ? -ppfd :
		fstatat(ppfd, name2, &st2, AT_SYMLINK_NOFOLLOW) < 0 ? errno : 0;
	if (err == ENOENT && dry) {
		/* made by the files before it */
		plan("link", path, target, e, 0), res = R_MADE;
	} else if (err) {
		size_t n = ior_escape(why, target, strlen(target));

		snprintf(why + n, sizeof(why) - n, ": %s", strerror(err));
		res = fail("link", path, why);
	} else if (fstatat(pfd, name, &st, AT_SYMLINK_NOFOLLOW) == 0) {
		if (st.st_dev == st2.st_dev && st.st_ino == st2.st_ino)
			res = R_KEPT;
		else if (!S_ISREG(st.st_mode))
			res = fail_in_way("link", path, st.st_mode);
		else if (dry)
			plan("relink", path, target, e, 0), res = R_FIXED;
		else if (unlinkat(pfd, name, 0) < 0 ||
			 linkat(ppfd, name2, pfd, name, 0) < 0)
			res = fail("link", path, strerror(errno));
		else
			res = R_FIXED;
	} else if (errno != ENOENT) {
		res = fail("link", path, strerror(errno));
	} else if (dry) {
		plan("link", path, target, e, 0), res = R_MADE;
	} else if (linkat(ppfd, name2, pfd, name, 0) < 0) {
		res = fail("link", path, strerror(errno));
	} else {
		res = R_MADE;
	}
	if (ppfd >= 0)
		close(ppfd);
	close(pfd);
	return res;
}

static void tally(enum entry_type t, enum result r)
{
	switch (r) {
	case R_MADE: atomic_fetch_add(&count.made[t], 1); break;
	case R_FIXED: atomic_fetch_add(&count.fixed, 1); break;
	case R_KEPT: atomic_fetch_add(&count.kept, 1); break;
	case R_FAILED: atomic_fetch_add(&count.failed, 1); break;
	}
}

/*
 * Refuse, before anything is made, to write more file data than the
 * root's file system has free: --fill random or zero writes every byte,
 * and would otherwise fill the disk and fail half way. What a file needs
 * is its size in blocks less what it has; a missing parent or an entry in
 * the way counts as nothing there. Files beneath another file system
 * mounted inside the root are counted against the root's.
 */
static void check_space(void)
{
	struct statvfs sv;
	uint64_t need = 0, avail, bs;

	if (fstatvfs(root.fd, &sv) < 0)
		ior_err(IOR_EXIT_SYS, "%s", root.dir);
	bs = sv.f_frsize ? sv.f_frsize : sv.f_bsize ? sv.f_bsize : 1;
	avail = (uint64_t)sv.f_bavail * bs;
	for (size_t i = 0; i < files.n; i++) {
		const struct entry *e = &files.v[i];
		uint64_t has = 0, more;
		struct stat st;
		int fd = ior_root_openat(&root, pool + e->path,
					 O_PATH | O_NOFOLLOW | O_CLOEXEC, 0);

		if (fd >= 0) {
			if (fstat(fd, &st) == 0 && S_ISREG(st.st_mode))
				has = st.st_size;
			close(fd);
		}
		if (e->size <= has)
			continue;
		more = (e->size + bs - 1) / bs - (has + bs - 1) / bs;
		need = more > (UINT64_MAX - need) / bs ? UINT64_MAX :
			need + more * bs;
	}
	if (need > avail)
		ior_errx(IOR_EXIT_SYS, "%s: %" PRIu64 " bytes to write, %" PRIu64 " free on its file system (--no-space-check writes anyway)",
			 root.dir, need, avail);
}

/* ---- files in parallel ---- */

static void *file_worker(void *arg)
{
	uint64_t *buf = arg;
	size_t i;

	while ((i = atomic_fetch_add(&next_file, 1)) < files.n) {
		const struct entry *e = &files.v[i];
		uint64_t wrote = 0;

		tally(T_FILE, make_file(e, buf, &wrote));
		/* Count what needed no writing as done too. */
		atomic_fetch_add(&fill_bytes_done, e->size - wrote);
		atomic_fetch_add(&count.files_done, 1);
	}
	pthread_mutex_lock(&done_lock);
	workers_left--;
	pthread_cond_signal(&done_cond);
	pthread_mutex_unlock(&done_lock);
	return NULL;
}

static void progress(void)
{
	pthread_mutex_lock(&msg_lock);
	ior_warnx("files %lu/%zu, %llu/%llu MiB",
		  (unsigned long)count.files_done, files.n,
		  (unsigned long long)fill_bytes_done >> 20,
		  (unsigned long long)total_bytes >> 20);
	pthread_mutex_unlock(&msg_lock);
}

static void make_files(long jobs)
{
	pthread_t tid[MAX_JOBS];
	uint64_t *bufs[MAX_JOBS];
	struct timespec next;
	int e;

	if ((size_t)jobs > files.n)
		jobs = files.n ? (long)files.n : 1;
	workers_left = jobs;
	for (long i = 0; i < jobs; i++) {
		/* zeroed, and never written for --fill zero or sparse; the
		   second half is what fix_file reads */
		bufs[i] = ior_xcalloc(2, FILL_BLOCK + 8);
		if ((e = pthread_create(&tid[i], NULL, file_worker, bufs[i]))) {
			errno = e;
			ior_err(IOR_EXIT_SYS, "pthread_create");
		}
	}
	/* Report progress twice a second until the workers are done. */
	clock_gettime(CLOCK_REALTIME, &next);
	pthread_mutex_lock(&done_lock);
	while (workers_left > 0) {
		next.tv_nsec += 500000000;
		if (next.tv_nsec >= 1000000000) {
			next.tv_sec++;
			next.tv_nsec -= 1000000000;
		}
		while (workers_left > 0 &&
		       pthread_cond_timedwait(&done_cond, &done_lock, &next) != ETIMEDOUT)
			;
		if (workers_left > 0 && verbose)
			progress();
	}
	pthread_mutex_unlock(&done_lock);
	for (long i = 0; i < jobs; i++) {
		pthread_join(tid[i], NULL);
		free(bufs[i]);
	}
}

int main(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "directory", required_argument, NULL, 'C' },
		{ "jobs", required_argument, NULL, 'j' },
		{ "fill", required_argument, NULL, 'f' },
		{ "dry-run", no_argument, NULL, 'n' },
		{ "verbose", no_argument, NULL, 'v' },
		{ "privileged", no_argument, NULL, 'P' },
		{ "no-space-check", no_argument, NULL, 'S' },
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, 'V' },
		{ NULL, 0, NULL, 0 },
	};
	const char *dir = NULL;
	long jobs = sysconf(_SC_NPROCESSORS_ONLN);
	char *end;
	int c, e, ours = 0;

	ior_setprogname(argv[0]);
	while ((c = getopt_long(argc, argv, "C:j:nvh", longopts, NULL)) != -1) {
		switch (c) {
		case 'C':
			dir = optarg;
			break;
		case 'j':
			errno = 0;
			jobs = strtol(optarg, &end, 10);
			if (errno || end == optarg || *end || jobs < 1 ||
			    jobs > MAX_JOBS) {
				ior_warnx("-j: not a number of jobs from 1 to %d: %s",
					  MAX_JOBS, optarg);
				usage(stderr, IOR_EXIT_USAGE);
			}
			break;
		case 'f':
			if (!strcmp(optarg, "random"))
				fill = FILL_RANDOM;
			else if (!strcmp(optarg, "zero"))
				fill = FILL_ZERO;
			else if (!strcmp(optarg, "sparse"))
				fill = FILL_SPARSE;
			else {
				ior_warnx("--fill: expected random, zero or sparse: %s",
					  optarg);
				usage(stderr, IOR_EXIT_USAGE);
			}
			break;
		case 'n':
			dry = 1;
			break;
		case 'v':
			verbose = 1;
			break;
		case 'P':
			privileged = 1;
			break;
		case 'S':
			no_space_check = 1;
			break;
		case 'h':
			usage(stdout, IOR_EXIT_OK);
			break;
		case 'V':
			ior_version();
		default:
			usage(stderr, IOR_EXIT_USAGE);
		}
	}
	if (jobs < 1)
		jobs = 1;
	else if (jobs > MAX_JOBS)
		jobs = MAX_JOBS;
	if (!dir || !*dir || argc - optind > 1) {
		if (!dir || !*dir)
			ior_warnx("-C DIR is required");
		usage(stderr, IOR_EXIT_USAGE);
	}

	/* What it restores is root's to give. */
	if (privileged && geteuid() != 0) {
		ior_warnx("--privileged: only root may set setuid and setgid bits");
		usage(stderr, IOR_EXIT_USAGE);
	}

	/* The whole program is checked before anything is made. */
	read_program(optind < argc ? argv[optind] : NULL);
	count_links();
	tree_of_program();
	if (!privileged) {
		strip_setid(&dirs);
		strip_setid(&files);
	}

	ior_out_init(&out, STDOUT_FILENO, "<stdout>");
	if ((e = ior_root_open(&root, dir, !dry)) < 0) {
		if (!(dry && e == -ENOENT))
			ior_errx(IOR_EXIT_SYS, "%s: %s", dir, strerror(-e));
		plan("mkdir", dir, NULL, &(struct entry){ .mode = 0755 }, 1);
	}
	/* Modes are set exactly as the program says. */
	umask(0);
	as_root = geteuid() == 0;
	if (!dry && fill != FILL_SPARSE && !no_space_check)
		check_space();
	/* What a replay made, or anything else not in the tree, goes first. */
	if (root.fd >= 0)
		count.removed = clean_root(&root, dry, &out, &count.unremoved,
					   &ours);
	else
		ours = 1;	/* made now: empty */

	for (size_t i = 0; i < dirs.n; i++)
		tally(T_DIR, make_dir(&dirs.v[i]));
	if (dry)
		for (size_t i = 0; i < files.n; i++)
			tally(T_FILE, make_file(&files.v[i], NULL, NULL));
	else
		make_files(jobs);
	for (size_t i = 0; i < hardlinks.n; i++)
		tally(T_HLINK, make_hardlink(&hardlinks.v[i]));
	for (size_t i = 0; i < symlinks.n; i++)
		tally(T_SYMLINK, make_symlink(&symlinks.v[i]));
	ior_out_close(&out);
	if (!dry && ours)
		mark_root(&root);

	if (verbose)
		ior_warnx("%lu dirs, %lu files (%llu bytes), %lu links, %lu symlinks %s; %lu %s; %lu already right; %lu removed; %lu contents restored; %lu failed",
			  (unsigned long)count.made[T_DIR],
			  (unsigned long)count.made[T_FILE],
			  (unsigned long long)count.bytes_made,
			  (unsigned long)count.made[T_HLINK],
			  (unsigned long)count.made[T_SYMLINK],
			  dry ? "to create" : "created",
			  (unsigned long)count.fixed,
			  dry ? "to fix" : "fixed",
			  (unsigned long)count.kept,
			  count.removed, (unsigned long)count.restored,
			  (unsigned long)count.failed);
	ior_root_close(&root);
	if (!dry && (count.removed || count.restored))
		ior_warnx("%s: back to the program's tree: %lu entries not in it removed, %lu files' contents restored",
			  dir, count.removed, (unsigned long)count.restored);
	if (count.unchecked)
		ior_warnx("%lu files' contents not checked: ior-init may not open them for reading and writing",
			  (unsigned long)count.unchecked);
	if (count.setid_stripped)
		ior_warnx("%lu modes without their setuid and setgid bits (--privileged keeps them)",
			  (unsigned long)count.setid_stripped);
	if (count.unremoved)
		ior_warnx("%lu entries not in the program's tree could not be removed",
			  count.unremoved);
	if (count.failed)
		ior_warnx("%lu entries could not be made",
			  (unsigned long)count.failed);
	if (count.failed || count.unremoved)
		return IOR_EXIT_NONE;
	return IOR_EXIT_OK;
}
