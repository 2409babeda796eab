/*
 * tree.c - the entries of the starting tree (tree.h): the table of paths
 * and the one of inodes, how an entry's fate is decided, and the tree
 * written as init: records. Both tables live for the whole run: memory
 * grows with the number of distinct paths, never with the stream.
 */
#include <stdlib.h>
#include <string.h>

#include "ior.h"
#include "tree.h"

static struct ior_hashmap paths;	/* by hash of the path */
static struct ior_hashmap inodes;	/* files that existed, by dev:ino */
static unsigned long nlinks;	/* symlinks known: existed, or an ior:lstat's */

/* The entry of path (len bytes), or NULL: none is made. */
static struct path_ent *path_find_n(const char *path, size_t len)
{
	uint64_t h = ior_hash(path, len);
	size_t i = ior_hashmap_home(&paths, h);
	struct path_ent *e;

	while ((e = ior_hashmap_next(&paths, h, &i)))
		if (!strncmp(e->path, path, len) && !e->path[len])
			return e;
	return NULL;
}

struct path_ent *path_get_n(const struct ior_in *in, const char *key,
			    const char *path, size_t len)
{
	uint64_t h = ior_hash(path, len);
	size_t i = ior_hashmap_home(&paths, h);
	struct path_ent *e;

	while ((e = ior_hashmap_next(&paths, h, &i)))
		if (!strncmp(e->path, path, len) && !e->path[len])
			return e;
	if (in)		/* a whole value: the tree's entries come from these */
		ior_val_check(in, key, path, IOR_PROG_PATH_MAX);
	e = ior_xmalloc(sizeof(*e) + len + 1);
	memset(e, 0, sizeof(*e));
	e->size_now = -1;
	memcpy(e->path, path, len);
	e->path[len] = 0;
	ior_hashmap_add(&paths, h, e);
	return e;
}

struct path_ent *path_get(const struct ior_in *in, const char *key,
			  const char *path)
{
	return path_get_n(in, key, path, strlen(path));
}

struct path_ent *path_dir(struct path_ent *e)
{
	if (!e->dir_known) {
		const char *slash = strrchr(e->path, '/');

		e->dir = !slash || slash == e->path ? NULL :
			path_get_n(NULL, NULL, e->path, slash - e->path);
		e->dir_known = 1;
	}
	return e->dir;
}

/* A symlink that existed, target known, not yet removed or replaced. */
static int leads(const struct path_ent *e)
{
	return e && e->type == TY_LNK && e->target && e->state == ST_EXISTED &&
		!e->frozen;
}

/*
 * A symlink only an ior:lstat showed, and that no call made, removed,
 * found missing or showed as anything else so far: a call that resolved
 * a path through it shows it existed.
 */
static int lstat_leads(const struct path_ent *e)
{
	return e && e->lstat && e->lstat->type == TY_LNK &&
		(e->state == ST_UNDECIDED ||
		 (e->state == ST_EXISTED && e->type == TY_UNKNOWN && !e->gone));
}

#define MAX_LINKS 40		/* as the kernel's MAXSYMLINKS */
#define RESOLVED_MAX IOR_PROG_PATH_MAX	/* escaped: unescaped it is shorter */

/*
 * path (escaped, absolute) with the first link among the n components
 * of it that resolution goes through replaced by its target: into dst,
 * and 1; 0 when it goes through none, -1 when the result is too long.
 * reached: through a link only an ior:lstat showed too, which then
 * existed.
 */
static int through_link(char *dst, const char *path, size_t n, int reached)
{
	static char rest[2 * RESOLVED_MAX];
	struct path_ent *l = NULL;
	size_t i;

	for (i = 1; i <= n; i++)
		if ((i == n || path[i] == '/') && path[i - 1] != '/' &&
		    (l = path_find_n(path, i)) &&
		    (leads(l) || (reached && lstat_leads(l))))
			break;
	if (i > n)
		return 0;
	if (!leads(l)) {	/* only an ior:lstat's: now a call's */
		existed(l, TY_LNK);
		if (!l->target)
			l->target = ior_xstrdup(l->lstat->target);
	}
	/* the target, then what follows the link; from the link's parent */
	if (snprintf(rest, sizeof(rest), "%s%s", l->target, path + i) >=
	    (int)sizeof(rest))
		return -1;
	while (i > 0 && path[i - 1] != '/')
		i--;
	memcpy(dst, path, i);
	dst[i ? i : 1] = 0;
	if (ior_path_join(dst + RESOLVED_MAX, RESOLVED_MAX, i ? dst : "/",
			  rest) < 0)
		return -1;
	memmove(dst, dst + RESOLVED_MAX, strlen(dst + RESOLVED_MAX) + 1);
	return 1;
}

struct path_ent *path_resolve(const struct ior_in *in, const char *key,
			      const char *path, int follow, int reached)
{
	static char buf[2][2 * RESOLVED_MAX];
	const char *p = path;
	int k = 0, r = 1;

	if (!nlinks || path[0] != '/')
		return path_get(in, key, path);
	ior_val_check(in, key, path, IOR_PROG_PATH_MAX);
	for (int hops = 0; r > 0 && hops <= MAX_LINKS; hops++) {
		size_t n = strlen(p);

		if (!follow)	/* its ancestors only */
			while (n > 0 && p[n - 1] != '/')
				n--;
		if ((r = through_link(buf[k], p, n, reached)) > 0) {
			p = buf[k];
			k ^= 1;
		}
	}
	/*
	 * Too long, or too many links (the kernel would fail): the path as
	 * it is written.
	 */
	if (r != 0 || strlen(p) >= RESOLVED_MAX)
		p = path;
	return path_get(in, key, p);
}

static uint64_t ino_key(uint64_t dev, uint64_t ino)
{
	return ior_hash_u64(ino ^ dev * 0x100000001b3ull);
}

/*
 * e is a file that existed with inode dev:ino: the first name seen of an
 * inode is its entry in the tree, later ones become hard links to it.
 */
void saw_inode(struct path_ent *e, uint64_t dev, uint64_t ino)
{
	uint64_t h = ino_key(dev, ino);
	size_t i = ior_hashmap_home(&inodes, h);
	struct path_ent *f;

	e->has_ino = 1;
	while ((f = ior_hashmap_next(&inodes, h, &i)))
		if (f->ino == ino && f->dev == dev) {
			e->link_to = f;
			return;
		}
	e->dev = dev;
	e->ino = ino;
	ior_hashmap_add(&inodes, h, e);
}

/* A path that can be created under a root: absolute, not "/". */
static int treeable(const struct path_ent *e)
{
	return e->path[0] == '/' && e->path[1];
}

/* Every ancestor of e that nothing else decided existed as a directory. */
static void parents_existed(struct path_ent *e)
{
	const char *slash = strrchr(e->path, '/');

	if (!slash || slash == e->path)
		return;
	/* a '/' ends no escape: a parent's path is as well-formed */
	existed(path_get_n(NULL, NULL, e->path, slash - e->path), TY_DIR);
}

void existed_seen(struct path_ent *e, enum ent_type ty)
{
	if (!treeable(e))
		return;
	if (e->state == ST_UNDECIDED) {
		e->state = ST_EXISTED;
		e->type = ty;
		parents_existed(e);
	} else if (e->state == ST_EXISTED && ty != TY_UNKNOWN &&
		   (e->type == TY_UNKNOWN || ty == TY_DIR) && !leads(e)) {
		/* An ancestor of anything is a directory, or a link to one. */
		e->type = ty;
	}
}

/*
 * The trace creates e: it is not in the tree, but its parent is (also
 * when an earlier failure showed e missing).
 */
void created(struct path_ent *e)
{
	if (!treeable(e) || (e->state != ST_UNDECIDED &&
			     e->state != ST_ABSENT))
		return;
	e->state = ST_CREATED;
	parents_existed(e);
}

void absent(struct path_ent *e)
{
	if (e->state == ST_UNDECIDED)
		e->state = ST_ABSENT;
}

/*
 * Data seen in a pre-existing file up to end: it was at least that big,
 * unless the trace changed the data, through this name or its inode's
 * first one.
 */
void saw_size(struct path_ent *e, uint64_t end)
{
	if (e && e->state == ST_EXISTED && !e->frozen &&
	    !(e->link_to && e->link_to->frozen) && end > e->size)
		e->size = end;
}

/* The trace changes the data: of every name of the inode. */
void freeze(struct path_ent *e)
{
	if (!e)
		return;
	e->frozen = 1;
	if (e->link_to)
		e->link_to->frozen = 1;
}

/* Removed or replaced: nothing seen later is the entry of the start. */
void replaced(struct path_ent *e)
{
	e->frozen = 1;
	e->mode_lock = e->owner_lock = e->ino_lock = 1;
	e->gone = 1;
}

/* chmod and chown change what later sightings show. */
void attr_changed(enum ior_tree op, struct path_ent *e)
{
	if (e && op == IOR_TREE_CHMOD)
		e->mode_lock = 1;
	else if (e && op == IOR_TREE_CHOWN)
		e->owner_lock = 1;
}

enum ent_type type_of(const char *ft, enum ent_type dflt)
{
	if (!ft)
		return dflt;
	if (!strcmp(ft, "reg"))
		return TY_FILE;
	if (!strcmp(ft, "dir"))
		return TY_DIR;
	if (!strcmp(ft, "lnk"))
		return TY_LNK;
	return dflt;
}

/*
 * A link's content (escaped) shows e was a symlink; a type guessed from a
 * call that followed it (a stat seeing the target's ft=reg) gives way, a
 * directory with entries beneath it does not.
 */
void saw_link(const struct ior_in *in, struct path_ent *e,
	      const char *target)
{
	/* an empty one is none: no symlink has it */
	if (e->state != ST_EXISTED || e->target || !target || !*target)
		return;
	if (e->type == TY_UNKNOWN || (e->type == TY_FILE && !e->frozen))
		e->type = TY_LNK;
	if (e->type == TY_LNK) {
		/* ior-init makes it: unescaped as a path */
		ior_val_check(in, "path2", target, IOR_PROG_PATH_MAX);
		e->target = ior_xstrdup(target);
		nlinks++;
	}
}

void saw_lstat(const struct ior_in *in, struct path_ent *e, const char *target,
	       int has_mode, unsigned mode, int has_owner, uint32_t uid,
	       uint32_t gid)
{
	struct lstat_seen *l;
	size_t n;

	/* made, found missing or removed by a call before: it is theirs */
	if (e->lstat || !treeable(e) || e->gone ||
	    (e->state != ST_UNDECIDED && e->state != ST_EXISTED))
		return;
	if (target && !*target)
		return;		/* no symlink has an empty target */
	if (target)	/* ior-init makes it: unescaped as a path */
		ior_val_check(in, "path2", target, IOR_PROG_PATH_MAX);
	n = target ? strlen(target) : 0;
	l = ior_xmalloc(sizeof(*l) + n + 1);
	memset(l, 0, sizeof(*l));
	l->type = target ? TY_LNK : TY_DIR;
	l->has_mode = !!has_mode;
	l->mode = mode;
	l->has_owner = !!has_owner;
	l->uid = uid;
	l->gid = gid;
	memcpy(l->target, target ? target : "", n + 1);
	e->lstat = l;
	if (target)
		nlinks++;
}

/*
 * What e's ior:lstat adds to the tree: e existed (the calls say so), and
 * nothing the trace did to it since could be what ior-trace saw: the
 * type, a symlink's target, a mode or owner that no call showed.
 */
static void take_lstat(struct path_ent *e)
{
	const struct lstat_seen *l = e->lstat;

	if (!l || e->gone)
		return;
	if (e->type == TY_UNKNOWN) {
		e->type = l->type;
		if (l->type == TY_LNK && !e->target)
			e->target = ior_xstrdup(l->target);
	}
	if (e->type != l->type)
		return;		/* an ancestor of files is no link here */
	if (l->has_mode && !e->has_mode && !e->mode_lock &&
	    l->type == TY_DIR) {
		e->mode = l->mode;
		e->has_mode = 1;
	}
	/* a link's own owner beats one seen through it */
	if (l->has_owner && !e->owner_lock &&
	    (l->type == TY_LNK ? !e->attr_lnk : !e->has_owner)) {
		e->uid = l->uid;
		e->gid = l->gid;
		e->has_owner = 1;
		e->attr_lnk = l->type == TY_LNK;
	}
}

/* Bytewise, but '/' first, so a directory's contents follow it directly. */
static int path_cmp(const void *pa, const void *pb)
{
	const unsigned char *a = (const unsigned char *)
		(*(struct path_ent *const *)pa)->path;
	const unsigned char *b = (const unsigned char *)
		(*(struct path_ent *const *)pb)->path;

	int ca, cb;

	for (; *a && *a == *b; a++, b++)
		;
	ca = *a == '/' ? 1 : *a ? *a + 1 : 0;
	cb = *b == '/' ? 1 : *b ? *b + 1 : 0;
	return ca - cb;
}

/* The name e is a hard link to, or NULL when e is a file of its own. */
static const struct path_ent *link_of(const struct path_ent *e)
{
	const struct path_ent *f = e->link_to;

	return e->type == TY_FILE && f && f != e && f->state == ST_EXISTED &&
		f->type == TY_FILE ? f : NULL;
}

/*
 * Whether v[i] lies beneath a symlink of the tree (v sorted by path_cmp:
 * a link's contents, when a record named them before the link was known,
 * follow it).
 */
static int beneath_link(struct path_ent **v, size_t i)
{
	static const struct path_ent *l;
	size_t n;

	if (i == 0)
		l = NULL;
	if (l && (n = strlen(l->path), !strncmp(v[i]->path, l->path, n)) &&
	    v[i]->path[n] == '/')
		return 1;
	l = v[i]->type == TY_LNK && v[i]->target ? v[i] : NULL;
	return 0;
}

/* " uid=N gid=N" when the owner was seen. */
static void put_owner(struct ior_out *out, const struct path_ent *e)
{
	if (!e->has_owner)
		return;
	ior_put_kv_i64(out, "uid", e->uid);
	ior_put_kv_i64(out, "gid", e->gid);
}

static void put_mode(struct ior_out *out, const struct path_ent *e,
		     unsigned dflt)
{
	ior_printf(out, " mode=0%o", e->has_mode ? e->mode : dflt);
}

/*
 * The starting tree: what existed before the capture, parents first,
 * then the hard links, whose first names are files by then.
 */
void put_tree(struct ior_out *out, struct tree_count *c)
{
	struct path_ent **v = ior_xcalloc(paths.n, sizeof(*v));
	char *beneath = ior_xcalloc(paths.n + 1, 1);
	const struct path_ent *f;
	size_t n = 0;

	for (size_t i = 0; i < paths.cap; i++) {
		struct path_ent *e = paths.slot[i].val;

		if (e && e->state == ST_EXISTED) {
			take_lstat(e);
			v[n++] = e;
		}
	}
	qsort(v, n, sizeof(*v), path_cmp);
	/* One inode, one size: the largest seen through any of its names. */
	for (size_t i = 0; i < n; i++) {
		struct path_ent *first = v[i]->link_to;

		if (!link_of(v[i]))
			continue;
		if (v[i]->size > first->size)
			first->size = v[i]->size;
		if (!first->has_mode && v[i]->has_mode) {
			first->mode = v[i]->mode;
			first->has_mode = 1;
		}
		if (!first->has_owner && v[i]->has_owner) {
			first->uid = v[i]->uid;
			first->gid = v[i]->gid;
			first->has_owner = 1;
		}
	}
	for (size_t i = 0; i < n; i++) {
		const struct path_ent *e = v[i];

		/* Reached through a link: its entry is the link's target's. */
		if ((beneath[i] = beneath_link(v, i)))
			continue;
		if (e->type == TY_LNK && !e->target) {
			/* Its target is unknown: nothing to create. */
			c->skipped++;
			continue;
		}
		if (link_of(e))
			continue;
		ior_puts(out, "0.000000000 0 0 - ");
		if (e->type == TY_LNK) {
			ior_puts(out, "init:symlink 0 0");
			ior_put_kv(out, "path", e->path);
			ior_put_kv(out, "path2", e->target);
			/* a stat through the link showed its target's owner */
			if (e->attr_lnk)
				put_owner(out, e);
			c->symlinks++;
		} else if (e->type == TY_DIR) {
			ior_puts(out, "init:dir 0 0");
			ior_put_kv(out, "path", e->path);
			put_mode(out, e, 0755);
			put_owner(out, e);
			c->dirs++;
		} else {
			ior_puts(out, "init:file 0 0");
			ior_put_kv(out, "path", e->path);
			ior_put_kv_i64(out, "size", e->size);
			put_mode(out, e, 0644);
			put_owner(out, e);
			c->files++;
		}
		ior_putc(out, '\n');
	}
	for (size_t i = 0; i < n; i++) {
		if (beneath[i] || !(f = link_of(v[i])))
			continue;
		ior_puts(out, "0.000000000 0 0 - init:link 0 0");
		ior_put_kv(out, "path", v[i]->path);
		ior_put_kv(out, "path2", f->path);
		ior_putc(out, '\n');
		c->links++;
	}
	free(beneath);
	free(v);
}

void tree_cleanup(void)
{
	for (size_t i = 0; i < paths.cap; i++) {
		struct path_ent *e = paths.slot[i].val;

		if (e) {
			free(e->target);
			free(e->lstat);
			free(e->rname);
			data_free(e->rdata);
			free(e->rsize);
			free(e->rlock);
			free(e);
		}
	}
	ior_hashmap_free(&paths);
	ior_hashmap_free(&inodes);
}
