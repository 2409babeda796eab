/*
 * tree.h - the starting tree ior-gen infers: one entry per path the
 * stream names, with what the first record to reference it showed it was
 * before the capture (its fate, type, size, mode, owner, inode), and the
 * init: records that recreate what existed.
 */
#ifndef GEN_TREE_H
#define GEN_TREE_H

#include <stddef.h>
#include <stdint.h>

#include "ior.h"
#include "data.h"

/* A path's fate, decided by the first record that references it. */
enum ent_state { ST_UNDECIDED, ST_EXISTED, ST_CREATED, ST_ABSENT };
enum ent_type { TY_UNKNOWN, TY_FILE, TY_DIR, TY_LNK };

/*
 * What an ior:lstat showed of a directory or symbolic link. ior-trace
 * looks after the call, perhaps after later ones: this is the start's
 * only for an entry the calls show existed and did not change (tree.c).
 */
struct lstat_seen {
	unsigned mode;
	uint32_t uid, gid;
	unsigned char type;		/* TY_DIR or TY_LNK */
	unsigned has_mode:1, has_owner:1;
	char target[];			/* a symlink's (escaped), or "" */
};

/* A path of the stream: lives until the end, as the tree depends on all. */
struct path_ent {
	uint64_t size;			/* inferred size before the capture */
	/* recent accesses for after= (res.h): of its name, size, locks */
	struct res *rname, *rsize, *rlock;
	struct data_res *rdata;		/* of its data (data.h) */
	int64_t size_now;		/* its size as the ops go, or -1 */
	unsigned char state, type;
	unsigned char frozen;		/* written, truncated, removed: stop sizing */
	/* What it was seen to be before the trace changed it (fmode...). */
	unsigned has_mode:1, has_owner:1, has_ino:1, attr_lnk:1;
	/* chmod, chown, removal or rename: later sightings are not the start */
	unsigned mode_lock:1, owner_lock:1, ino_lock:1;
	unsigned gone:1;		/* removed or replaced by the trace */
	unsigned dir_known:1;		/* dir is set (path_dir()) */
	unsigned mode;
	uint32_t uid, gid;
	uint64_t ino, dev;
	struct path_ent *link_to;	/* first name seen of the same inode */
	struct path_ent *dir;		/* the directory its path is in */
	char *target;			/* symlink: its target (escaped), or NULL */
	struct lstat_seen *lstat;	/* the first ior:lstat of it, or NULL */
	char path[];			/* escaped, as in the stream */
};

/* The tree's counters, for the trailer. */
struct tree_count {
	unsigned long dirs, files, symlinks, links, skipped;
};

/*
 * The entry of path (len bytes; path_get: a string), made on first sight.
 * A path of key of the input is checked first, as ior-init and ior-replay
 * will unescape it (in NULL: a part of one checked already).
 */
struct path_ent *path_get_n(const struct ior_in *in, const char *key,
			    const char *path, size_t len);
struct path_ent *path_get(const struct ior_in *in, const char *key,
			  const char *path);
/*
 * The entry of the directory e's path is in (its path up to its last
 * slash), made on first use; NULL for a path with no slash but the
 * first. Kept on e: entries live as long as the run.
 */
struct path_ent *path_dir(struct path_ent *e);

/*
 * The entry a record's path names once the symbolic links known to have
 * existed are followed, as the kernel resolves it: those among its
 * ancestors, and its last component when follow. path_get's when none.
 * reached: the call resolved the path (it did not fail with ENOENT...):
 * a symbolic link only an ior:lstat showed, which no call made, removed
 * or found missing before, is followed too, and existed from then on.
 */
struct path_ent *path_resolve(const struct ior_in *in, const char *key,
			      const char *path, int follow, int reached);

/* What a record shows of e: it existed (as ty), the trace created it... */
void existed_seen(struct path_ent *e, enum ent_type ty);
/*
 * existed_seen(), but for what it leaves as it is: a file already seen
 * to exist, of no type told again (most records' files), costs no call.
 */
static inline void existed(struct path_ent *e, enum ent_type ty)
{
	if (ty != TY_UNKNOWN || e->state != ST_EXISTED)
		existed_seen(e, ty);
}
void created(struct path_ent *e);
void absent(struct path_ent *e);
/* Data seen in a pre-existing file up to end. */
void saw_size(struct path_ent *e, uint64_t end);
/* e, a file that existed, is inode dev:ino. */
void saw_inode(struct path_ent *e, uint64_t dev, uint64_t ino);
/* A link's content (escaped, path2 of the input) shows e was a symlink. */
void saw_link(const struct ior_in *in, struct path_ent *e,
	      const char *target);
/*
 * An ior:lstat of e: a directory (target NULL) or a symbolic link to
 * target (escaped, path2 of the input), with the mode and owner it had
 * (has_mode, has_owner). Kept, the first one only, while no call made,
 * removed or found e missing; what the tree takes of it is decided
 * when the tree is written.
 */
void saw_lstat(const struct ior_in *in, struct path_ent *e, const char *target,
	       int has_mode, unsigned mode, int has_owner, uint32_t uid,
	       uint32_t gid);
/* The trace changes the data: of every name of the inode. */
void freeze(struct path_ent *e);
/* Removed or replaced: nothing seen later is the entry of the start. */
void replaced(struct path_ent *e);
/* chmod and chown change what later sightings show. */
void attr_changed(enum ior_tree op, struct path_ent *e);
/* The type an ft= value names, or dflt. */
enum ent_type type_of(const char *ft, enum ent_type dflt);

/*
 * Write the starting tree: what existed before the capture, parents
 * first, then the hard links; count what was written in c.
 */
void put_tree(struct ior_out *out, struct tree_count *c);
/* Free every entry (at the end). */
void tree_cleanup(void);

#endif
