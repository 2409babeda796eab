/*
 * ior-gen - turn a map stream into a replay program: infer the file tree
 * that must exist before the replay starts, drop what cannot be replayed
 * (and count why), number the operations and note cross-thread ordering.
 *
 * The tree must precede the operations but depends on the whole stream,
 * so the kept operations are spooled to an unlinked temporary file while
 * the tree is inferred, then the tree is written and the spool copied.
 * Memory grows with the number of distinct paths and open files, never
 * with the length of the stream.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/sendfile.h>
#include <sys/stat.h>

#include "ior.h"

/* Why a record was dropped; each has a counter in the trailer. */
enum drop {
	DROP_PSEUDO, DROP_UNKNOWN_FD, DROP_FAILED, DROP_PROCESS, DROP_CWD,
	DROP_UNSUPPORTED, DROP_DEVICE, DROP_ANON_MAPPING, DROP_IPC, NDROP,
};
static const char *const drop_names[NDROP] = {
	"pseudo", "unknown_fd", "failed_unreplayable", "process", "cwd",
	"unsupported", "device", "anon_mapping", "ipc",
};

static const char *const pseudo_fs[] = {
	"proc", "sysfs", "devtmpfs", "devpts", "cgroup", "cgroup2", "debugfs",
	"tracefs", "securityfs", "bpf", "pipefs", "sockfs", "anon_inodefs",
	"nsfs", NULL,
};
static const char *const special_ft[] = {
	"fifo", "sock", "chr", "blk", NULL,
};

/* A path's fate, decided by the first record that references it. */
enum state { ST_UNDECIDED, ST_EXISTED, ST_CREATED, ST_ABSENT };
enum type { TY_UNKNOWN, TY_FILE, TY_DIR, TY_LNK };

struct path_ent {
	struct path_ent *next;		/* hash chain */
	uint64_t hash;
	uint64_t size;			/* inferred size before the capture */
	int64_t last_seq, last_tid;	/* last operation on it, for after= */
	unsigned char state, type;
	unsigned char frozen;		/* written, truncated, removed: stop sizing */
	/* What it was seen to be before the trace changed it (fmode...). */
	unsigned has_mode:1, has_owner:1, has_ino:1, attr_lnk:1;
	/* chmod, chown, removal or rename: later sightings are not the start */
	unsigned mode_lock:1, owner_lock:1, ino_lock:1;
	unsigned mode;
	uint32_t uid, gid;
	uint64_t ino, dev;
	struct path_ent *ino_next;	/* chain of the inode table */
	struct path_ent *link_to;	/* first name seen of the same inode */
	char *target;			/* symlink: its target (escaped), or NULL */
	char path[];			/* escaped, as in the stream */
};

struct ofd_ent {
	struct ofd_ent *next;
	int64_t id, owner, refs;
	int64_t pos;			/* file position; -1 when unknown */
	int64_t last_seq, last_tid;
	struct path_ent *file;
	unsigned char pseudo;		/* unreplayable: drop all its records */
	unsigned char memfd;		/* memfd_create: no path, kept */
};

struct table {
	void **bucket;
	size_t nbucket, n;
};

static struct table paths, ofds, inodes;
static struct ofd_ent *ofd_free;	/* recycled entries */
static int64_t seq;
/*
 * seq in decimal, counted up with it: every kept operation writes its
 * seq, and adding one to text is cheaper than formatting a number.
 */
static char seq_text[24] = "0";
static size_t seq_len = 1;
static unsigned long nrecords, ndrop[NDROP];

/*
 * The keys ior-gen looks at, found in one pass over a record. A path2
 * that is a link's content (stat, readlink) is moved to target, and
 * symlink's and memfd_create's path is dropped: they name no entry.
 */
struct args {
	const char *path, *path2, *target, *file, *fs, *ft, *fd, *vfd, *ofd;
	const char *file2, *vfd2, *ofd2, *offset2;
	const char *flags, *size, *offset, *group, *mode, *cmd, *sub, *fixed;
	const char *fmode, *uid, *gid, *ino, *dev;
	int input_seq;		/* the input has seq= or after=: replaced */
};

static void usage(FILE *fp, int code)
{
	fprintf(fp, "usage: %s [-h] [--version] [file ...]\n",
		ior_progname());
	exit(code);
}

/* FNV-1a. */
static uint64_t hash_mem(const char *s, size_t len)
{
	uint64_t h = 1469598103934665603ull;

	for (size_t i = 0; i < len; i++)
		h = (h ^ (unsigned char)s[i]) * 1099511628211ull;
	return h;
}

static uint64_t hash_int(int64_t v)
{
	uint64_t h = (uint64_t)v * 0x9e3779b97f4a7c15ull;

	return h ^ h >> 29;
}

static void *xcalloc(size_t n, size_t sz)
{
	void *p = calloc(n, sz);

	if (!p)
		ior_err(IOR_EXIT_SYS, "calloc");
	return p;
}

/* Double the buckets; hash_of gives an entry's hash. */
static void table_grow(struct table *t, uint64_t (*hash_of)(void *),
		       void **(*next_of)(void *))
{
	size_t nb = t->nbucket ? t->nbucket * 2 : 1024;
	void **b = xcalloc(nb, sizeof(*b));

	for (size_t i = 0; i < t->nbucket; i++) {
		void *e = t->bucket[i];

		while (e) {
			void *next = *next_of(e);
			size_t j = hash_of(e) & (nb - 1);

			*next_of(e) = b[j];
			b[j] = e;
			e = next;
		}
	}
	free(t->bucket);
	t->bucket = b;
	t->nbucket = nb;
}

static uint64_t path_hash_of(void *e)
{
	return ((struct path_ent *)e)->hash;
}

static void **path_next_of(void *e)
{
	return (void **)&((struct path_ent *)e)->next;
}

static uint64_t ofd_hash_of(void *e)
{
	return hash_int(((struct ofd_ent *)e)->id);
}

static void **ofd_next_of(void *e)
{
	return (void **)&((struct ofd_ent *)e)->next;
}

/* The entry of path (len bytes), created on first sight. */
static struct path_ent *path_get_n(const char *path, size_t len)
{
	uint64_t h = hash_mem(path, len);
	struct path_ent *e;

	if (paths.nbucket)
		for (e = paths.bucket[h & (paths.nbucket - 1)]; e; e = e->next)
			if (e->hash == h && !strncmp(e->path, path, len) &&
			    !e->path[len])
				return e;
	if (paths.n >= paths.nbucket)
		table_grow(&paths, path_hash_of, path_next_of);
	e = malloc(sizeof(*e) + len + 1);
	if (!e)
		ior_err(IOR_EXIT_SYS, "malloc");
	memset(e, 0, sizeof(*e));
	e->hash = h;
	e->last_tid = -1;
	memcpy(e->path, path, len);
	e->path[len] = 0;
	e->next = paths.bucket[h & (paths.nbucket - 1)];
	paths.bucket[h & (paths.nbucket - 1)] = e;
	paths.n++;
	return e;
}

static struct path_ent *path_get(const char *path)
{
	return path_get_n(path, strlen(path));
}

static uint64_t ino_hash(uint64_t dev, uint64_t ino)
{
	return hash_int((int64_t)(ino ^ dev * 0x100000001b3ull));
}

static uint64_t ino_hash_of(void *e)
{
	return ino_hash(((struct path_ent *)e)->dev, ((struct path_ent *)e)->ino);
}

static void **ino_next_of(void *e)
{
	return (void **)&((struct path_ent *)e)->ino_next;
}

/*
 * e is a file that existed with inode dev:ino: the first name seen of an
 * inode is its entry in the tree, later ones become hard links to it.
 */
static void saw_inode(struct path_ent *e, uint64_t dev, uint64_t ino)
{
	uint64_t h = ino_hash(dev, ino);
	struct path_ent *f;

	e->has_ino = 1;
	if (inodes.nbucket)
		for (f = inodes.bucket[h & (inodes.nbucket - 1)]; f;
		     f = f->ino_next)
			if (f->ino == ino && f->dev == dev) {
				e->link_to = f;
				return;
			}
	if (inodes.n >= inodes.nbucket)
		table_grow(&inodes, ino_hash_of, ino_next_of);
	e->dev = dev;
	e->ino = ino;
	e->ino_next = inodes.bucket[h & (inodes.nbucket - 1)];
	inodes.bucket[h & (inodes.nbucket - 1)] = e;
	inodes.n++;
}

static struct ofd_ent *ofd_find(int64_t id)
{
	if (!ofds.nbucket)
		return NULL;
	for (struct ofd_ent *o = ofds.bucket[hash_int(id) & (ofds.nbucket - 1)];
	     o; o = o->next)
		if (o->id == id)
			return o;
	return NULL;
}

/* A new open file description (or a fresh start for a reused id). */
static struct ofd_ent *ofd_new(int64_t id, int64_t owner)
{
	struct ofd_ent *o = ofd_find(id);

	if (!o) {
		if (ofds.n >= ofds.nbucket)
			table_grow(&ofds, ofd_hash_of, ofd_next_of);
		if ((o = ofd_free))
			ofd_free = o->next;
		else
			o = xcalloc(1, sizeof(*o));
		o->id = id;
		o->next = ofds.bucket[hash_int(id) & (ofds.nbucket - 1)];
		ofds.bucket[hash_int(id) & (ofds.nbucket - 1)] = o;
		ofds.n++;
	}
	o->owner = owner;
	o->refs = 1;
	o->pos = 0;
	o->last_seq = 0;
	o->last_tid = -1;
	o->file = NULL;
	o->pseudo = 0;
	o->memfd = 0;
	return o;
}

static void ofd_remove(struct ofd_ent *o)
{
	struct ofd_ent **pp = (struct ofd_ent **)
		&ofds.bucket[hash_int(o->id) & (ofds.nbucket - 1)];

	while (*pp != o)
		pp = &(*pp)->next;
	*pp = o->next;
	o->next = ofd_free;
	ofd_free = o;
	ofds.n--;
}

/* A process is gone: so are the descriptions it opened. */
static void ofd_drop_owner(int64_t pid)
{
	for (size_t i = 0; i < ofds.nbucket; i++) {
		struct ofd_ent *o = ofds.bucket[i], *next;

		for (; o; o = next) {
			next = o->next;
			if (o->owner == pid)
				ofd_remove(o);
		}
	}
}

static int in_list(const char *s, const char *const *list)
{
	for (; *list; list++)
		if (!strcmp(s, *list))
			return 1;
	return 0;
}

static int under(const char *path, const char *dir, size_t n)
{
	return !strncmp(path, dir, n) && (path[n] == 0 || path[n] == '/');
}

static int pseudo_path(const char *p)
{
	/* Looked at for most records: the second byte rules most paths out. */
	if (!p || p[0] != '/')
		return 0;
	switch (p[1]) {
	case 'p': return under(p, "/proc", 5);
	case 's': return under(p, "/sys", 4);
	case 'd': return under(p, "/dev", 4);
	}
	return 0;
}

/* A path that can be created under a root: absolute, not "/". */
static int treeable(const struct path_ent *e)
{
	return e->path[0] == '/' && e->path[1];
}

static void existed(struct path_ent *e, enum type ty);

/* Every ancestor of e that nothing else decided existed as a directory. */
static void parents_existed(struct path_ent *e)
{
	const char *slash = strrchr(e->path, '/');

	if (!slash || slash == e->path)
		return;
	existed(path_get_n(e->path, slash - e->path), TY_DIR);
}

static void existed(struct path_ent *e, enum type ty)
{
	if (!treeable(e))
		return;
	if (e->state == ST_UNDECIDED) {
		e->state = ST_EXISTED;
		e->type = ty;
		parents_existed(e);
	} else if (e->state == ST_EXISTED && ty != TY_UNKNOWN &&
		   (e->type == TY_UNKNOWN || ty == TY_DIR)) {
		/* An ancestor of anything is a directory. */
		e->type = ty;
	}
}

/*
 * The trace creates e: it is not in the tree, but its parent is (also
 * when an earlier failure showed e missing).
 */
static void created(struct path_ent *e)
{
	if (!treeable(e) || (e->state != ST_UNDECIDED &&
			     e->state != ST_ABSENT))
		return;
	e->state = ST_CREATED;
	parents_existed(e);
}

static void absent(struct path_ent *e)
{
	if (e->state == ST_UNDECIDED)
		e->state = ST_ABSENT;
}

/*
 * Data seen in a pre-existing file up to end: it was at least that big,
 * unless the trace changed the data, through this name or its inode's
 * first one.
 */
static void saw_size(struct path_ent *e, uint64_t end)
{
	if (e && e->state == ST_EXISTED && !e->frozen &&
	    !(e->link_to && e->link_to->frozen) && end > e->size)
		e->size = end;
}

/* The trace changes the data: of every name of the inode. */
static void freeze(struct path_ent *e)
{
	if (!e)
		return;
	e->frozen = 1;
	if (e->link_to)
		e->link_to->frozen = 1;
}

/* Removed or replaced: nothing seen later is the entry of the start. */
static void replaced(struct path_ent *e)
{
	e->frozen = 1;
	e->mode_lock = e->owner_lock = e->ino_lock = 1;
}

/* chmod and chown change what later sightings show. */
static void attr_changed(enum ior_tree op, struct path_ent *e)
{
	if (e && op == IOR_TREE_CHMOD)
		e->mode_lock = 1;
	else if (e && op == IOR_TREE_CHOWN)
		e->owner_lock = 1;
}

static enum type type_of(const char *ft, enum type dflt)
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
static void saw_link(struct path_ent *e, const char *target)
{
	if (e->state != ST_EXISTED || e->target || !target)
		return;
	if (e->type == TY_UNKNOWN || (e->type == TY_FILE && !e->frozen))
		e->type = TY_LNK;
	if (e->type == TY_LNK && !(e->target = strdup(target)))
		ior_err(IOR_EXIT_SYS, "strdup");
}

/* Failures that depend on the traced process, not on the file tree. */
static int unreplayable_errno(int64_t ret)
{
	switch (-ret) {
	case EINTR: case EAGAIN: case EFAULT: case EBADF: case ENOMEM:
	case EIO: case ENOSPC: case EDQUOT:
	case 512: case 513: case 514: case 515: case 516:	/* ERESTART* */
		return 1;
	}
	return 0;
}

/* Is the key k, of len bytes, name? Inlined: no call per key. */
static inline int key_is(const char *k, size_t len, const char *name)
{
	return len == strlen(name) && !memcmp(k, name, len);
}

static void get_args(const struct ior_rec *r, struct args *a)
{
	memset(a, 0, sizeof(*a));
	for (int i = 0; i < r->nkv; i++) {
		const char *k = r->kv[i].key, *v = r->kv[i].val;
		size_t len = v - k - 1;	/* the reader ended k at its '=' */

		switch (k[0]) {
		case 'p':
			if (key_is(k, len, "path"))
				a->path = v;
			else if (key_is(k, len, "path2"))
				a->path2 = v;
			break;
		case 'f':
			if (key_is(k, len, "file"))
				a->file = v;
			else if (key_is(k, len, "fd"))
				a->fd = v;
			else if (key_is(k, len, "fs"))
				a->fs = v;
			else if (key_is(k, len, "ft"))
				a->ft = v;
			else if (key_is(k, len, "flags"))
				a->flags = v;
			else if (key_is(k, len, "file2"))
				a->file2 = v;
			else if (key_is(k, len, "fmode"))
				a->fmode = v;
			else if (key_is(k, len, "fixed"))
				a->fixed = v;
			break;
		case 'v':
			if (key_is(k, len, "vfd"))
				a->vfd = v;
			else if (key_is(k, len, "vfd2"))
				a->vfd2 = v;
			break;
		case 'o':
			if (key_is(k, len, "ofd"))
				a->ofd = v;
			else if (key_is(k, len, "offset"))
				a->offset = v;
			else if (key_is(k, len, "ofd2"))
				a->ofd2 = v;
			else if (key_is(k, len, "offset2"))
				a->offset2 = v;
			break;
		case 's':
			if (key_is(k, len, "size"))
				a->size = v;
			else if (key_is(k, len, "sub"))
				a->sub = v;
			else if (key_is(k, len, "seq"))
				a->input_seq = 1;
			break;
		case 'g':
			if (key_is(k, len, "group"))
				a->group = v;
			else if (key_is(k, len, "gid"))
				a->gid = v;
			break;
		case 'u':
			if (key_is(k, len, "uid"))
				a->uid = v;
			break;
		case 'i':
			if (key_is(k, len, "ino"))
				a->ino = v;
			break;
		case 'd':
			if (key_is(k, len, "dev"))
				a->dev = v;
			break;
		case 'm':
			if (key_is(k, len, "mode"))
				a->mode = v;
			break;
		case 'c':
			if (key_is(k, len, "cmd"))
				a->cmd = v;
			break;
		case 'a':
			if (key_is(k, len, "after"))
				a->input_seq = 1;
			break;
		}
	}
}

static uint64_t flags_of(const struct ior_in *in, const char *key,
			 const char *s, const struct ior_flag *t)
{
	uint64_t v = 0;

	if (s && ior_flags_parse(t, s, &v) < 0)
		ior_bad(in, key, "unknown flag in \"%.40s\"", s);
	return v;
}

static uint64_t uint_of(const struct ior_in *in, const char *key,
			const char *s)
{
	return s ? ior_uint(in, key, s) : 0;
}

/* A uid or gid: 0 to 2^32 - 2 (-1 means none). */
static uint32_t id_of(const struct ior_in *in, const char *key, const char *s)
{
	uint64_t v = ior_uint(in, key, s);

	if (v >= UINT32_MAX)
		ior_bad(in, key, "out of range: \"%.40s\"", s);
	return (uint32_t)v;
}

/* A device number MAJOR:MINOR as one key. */
static uint64_t dev_of(const struct ior_in *in, const char *s)
{
	char major[24];
	const char *colon = strchr(s, ':');

	if (!colon || colon == s || (size_t)(colon - s) >= sizeof(major))
		ior_bad(in, "dev", "not MAJOR:MINOR: \"%.40s\"", s);
	memcpy(major, s, colon - s);
	major[colon - s] = 0;
	return ior_uint(in, "dev", major) << 32 |
		(ior_uint(in, "dev", colon + 1) & 0xffffffffu);
}

/*
 * A successful open or stat shows what e was: its mode, owner and inode,
 * taken from the first sighting before the trace changed them. A sighting
 * of the link itself (ft=lnk) beats one through it.
 */
static void saw_attrs(const struct ior_in *in, struct path_ent *e,
		      const struct args *a)
{
	int lnk = type_of(a->ft, TY_UNKNOWN) == TY_LNK;
	int took = 0;

	if (!e || e->state != ST_EXISTED)
		return;
	if (a->fmode && !e->mode_lock &&
	    (!e->has_mode || (lnk && !e->attr_lnk))) {
		e->mode = ior_mode(in, "fmode", a->fmode) & 07777;
		e->has_mode = took = 1;
	}
	if (a->uid && a->gid && !e->owner_lock &&
	    (!e->has_owner || (lnk && !e->attr_lnk))) {
		e->uid = id_of(in, "uid", a->uid);
		e->gid = id_of(in, "gid", a->gid);
		e->has_owner = took = 1;
	}
	if (lnk && took)
		e->attr_lnk = 1;
	/* Only files: directories and links are never hard-linked here. */
	if (a->ino && a->dev && !e->ino_lock && !e->has_ino &&
	    type_of(a->ft, TY_UNKNOWN) == TY_FILE)
		saw_inode(e, dev_of(in, a->dev), ior_uint(in, "ino", a->ino));
}

/*
 * An open of a FIFO the capture made, without blocking: the replay makes
 * the FIFO too (mknod), and such an open neither waits for a peer nor
 * fares otherwise than in the capture.
 */
static int replayable_fifo(const struct args *a)
{
	uint64_t f;

	if (!a->ft || strcmp(a->ft, "fifo") || !a->path || !a->flags ||
	    ior_flags_parse(ior_open_flags, a->flags, &f) < 0 ||
	    !(f & O_NONBLOCK))
		return 0;
	return path_get(a->path)->state == ST_CREATED;
}

/* Is the record about something a replay cannot recreate? */
static int is_pseudo(const struct args *a, const struct ofd_ent *o)
{
	return pseudo_path(a->path) || pseudo_path(a->path2) ||
		(a->file && !(o && o->memfd) &&
		 (a->file[0] != '/' || pseudo_path(a->file))) ||
		(a->fs && in_list(a->fs, pseudo_fs)) ||
		(a->ft && in_list(a->ft, special_ft) && !replayable_fifo(a)) ||
		(o && o->pseudo);
}

/*
 * One side of copy_file_range, sendfile64 or splice: a replayable file,
 * or something the replay stands in for (a pipe, a socket).
 */
static int side_replayable(const char *vfd, const char *file,
			   const struct ofd_ent *o)
{
	if (!vfd || (o && o->pseudo))
		return 0;
	return (o && o->memfd) ||
		(file && file[0] == '/' && !pseudo_path(file));
}

/* Open-like records create descriptions; remember even unreplayable ones. */
static struct ofd_ent *track_open(const struct ior_in *in,
				  const struct ior_rec *r, enum ior_tree op,
				  const struct args *a)
{
	int64_t id;

	if (!a->ofd || r->ret < 0 || (op != IOR_TREE_OPEN && op != IOR_TREE_CREAT &&
				      op != IOR_TREE_IORFD && op != IOR_TREE_MEMFD &&
				      op != IOR_TREE_HANDLE && op != IOR_TREE_RING))
		return NULL;
	id = ior_int(in, "ofd", a->ofd);
	/* open_by_handle_at's fd is the mount's: its ofd is not the new one. */
	if (op == IOR_TREE_HANDLE && ofd_find(id))
		return NULL;
	return ofd_new(id, r->pid);
}

/* dup, dup2, dup3, fcntl F_DUPFD*: one more descriptor on o. */
static int is_dup(const struct ior_in *in, const struct ior_rec *r,
		  enum ior_tree op, const struct args *a)
{
	uint64_t cmd;

	if (r->ret < 0 || (op != IOR_TREE_DUP && op != IOR_TREE_FCNTL))
		return 0;
	if (op == IOR_TREE_DUP)
		return 1;
	cmd = flags_of(in, "cmd", a->cmd, ior_fcntl_cmds);
	return a->cmd && (cmd == F_DUPFD || cmd == F_DUPFD_CLOEXEC);
}

/*
 * A lock refused because another description holds it: flock with
 * LOCK_NB, fcntl F_SETLK and F_OFD_SETLK failing with EAGAIN. The replay
 * reproduces it: the holder's lock and unlock touch the same file, so
 * they are ordered before and after the refused call as in the capture.
 */
static int lock_conflict(const struct ior_in *in, const struct ior_rec *r,
			 const struct ior_call *row, const struct args *a)
{
	uint64_t cmd;

	if (r->ret != -EAGAIN || !row)
		return 0;
	if (row->replay == IOR_REPLAY_FLOCK)
		return 1;
	if (row->tree != IOR_TREE_FCNTL || !a->cmd)
		return 0;
	cmd = flags_of(in, "cmd", a->cmd, ior_fcntl_cmds);
	return cmd == F_SETLK || cmd == F_OFD_SETLK;
}

static void track_close(enum ior_tree op, struct ofd_ent *o)
{
	if (o && op == IOR_TREE_CLOSE && --o->refs <= 0)
		ofd_remove(o);
}

/* Learn from an open, creat or ior:fd record what existed before. */
static void infer_open(const struct ior_in *in, const struct ior_rec *r,
		       enum ior_tree op, const struct args *a, struct ofd_ent *o)
{
	const char *p = a->path ? a->path : a->file;
	struct path_ent *e;
	uint64_t fl, size;

	if (!p)
		return;
	e = path_get(p);
	fl = op == IOR_TREE_CREAT ? (uint64_t)(O_CREAT | O_WRONLY | O_TRUNC) :
		flags_of(in, "flags", a->flags, ior_open_flags);
	if (op == IOR_TREE_HANDLE)
		fl &= ~(uint64_t)(O_CREAT | O_TRUNC);	/* it opens, never creates */
	if (r->ret < 0) {
		if (r->ret == -ENOENT)
			absent(e);
		else if (r->ret == -EEXIST)
			existed(e, TY_UNKNOWN);
		else if (r->ret == -EISDIR)
			existed(e, TY_DIR);
		return;
	}
	size = uint_of(in, "size", a->size);
	if (op == IOR_TREE_IORFD) {
		existed(e, type_of(a->ft, TY_FILE));
		saw_size(e, size);
		saw_attrs(in, e, a);
		if (o) {
			o->file = e;
			o->pos = uint_of(in, "offset", a->offset);
		}
		return;
	}
	if ((fl & O_TMPFILE) == O_TMPFILE) {
		/* An unnamed file in directory p. */
		existed(e, TY_DIR);
		return;
	}
	if (!(fl & O_CREAT))
		existed(e, type_of(a->ft, fl & O_DIRECTORY ? TY_DIR : TY_FILE));
	else if (!(fl & O_EXCL) && size > 0 && !(fl & O_TRUNC))
		existed(e, TY_FILE);
	else
		created(e);
	saw_size(e, size);
	saw_attrs(in, e, a);
	if (fl & O_TRUNC)
		freeze(e);
	if (o) {
		o->file = e;
		if (fl & O_APPEND)
			o->pos = -1;	/* writes go to an end we do not know */
	}
}

/*
 * rename, link, chmod, access, the utime and xattr calls... carry what
 * their file was right after the call: its type and size hold from before
 * (but a truncate's), its mode and owner too (but chmod's and chown's), so
 * a file the application never opened or stat'ed gets them in the tree.
 */
static void saw_after(const struct ior_in *in, enum ior_tree op,
		      struct path_ent *e, const struct args *a)
{
	enum type t = type_of(a->ft, TY_UNKNOWN);

	existed(e, t);
	if (t == TY_FILE && op != IOR_TREE_TRUNCATE && a->size)
		saw_size(e, uint_of(in, "size", a->size));
	if (op != IOR_TREE_CHMOD && op != IOR_TREE_CHOWN)
		saw_attrs(in, e, a);
}

/* Learn from a record about paths (no descriptor). */
static void infer_path(const struct ior_in *in, const struct ior_rec *r,
		       enum ior_tree op, const struct args *a)
{
	struct path_ent *e = a->path ? path_get(a->path) : NULL;
	struct path_ent *e2 = a->path2 ? path_get(a->path2) : NULL;
	uint64_t fl;

	if (op == IOR_TREE_SYMLINK && e2) {
		/* path is the link's content: only path2 is an entry */
		if (r->ret >= 0)
			created(e2);
		else if (r->ret == -EEXIST)
			existed(e2, TY_UNKNOWN);
		else if (r->ret == -ENOENT)
			absent(e2);
		return;
	}
	if (!e)
		return;
	if (r->ret < 0) {
		if (r->ret == -ENOENT)
			absent(e);
		else if (r->ret == -EEXIST && op == IOR_TREE_MKDIR)
			existed(e, TY_DIR);
		else if (r->ret == -EEXIST && op == IOR_TREE_MKNOD)
			existed(e, TY_UNKNOWN);
		else if (r->ret == -EEXIST && (op == IOR_TREE_RENAME ||
					       op == IOR_TREE_LINK) && e2)
			existed(e2, TY_UNKNOWN);
		else if (r->ret == -ENOTEMPTY && op == IOR_TREE_RMDIR)
			existed(e, TY_DIR);
		else if (r->ret == -EISDIR && op == IOR_TREE_UNLINK)
			existed(e, TY_DIR);
		else if (r->ret == -EINVAL && op == IOR_TREE_READLINK)
			existed(e, TY_UNKNOWN);	/* there, not a symlink */
		return;
	}
	/* What a path call's file was right after it (ior-format(5)). */
	if (a->ft && op != IOR_TREE_STAT)
		saw_after(in, op, e, a);
	switch (op) {
	case IOR_TREE_STAT:
		existed(e, type_of(a->ft, TY_UNKNOWN));
		/* an existing symlink, with its target (ior-format(5)) */
		if (type_of(a->ft, TY_UNKNOWN) == TY_LNK)
			saw_link(e, a->target);
		if (type_of(a->ft, TY_FILE) == TY_FILE)
			saw_size(e, uint_of(in, "size", a->size));
		saw_attrs(in, e, a);
		break;
	case IOR_TREE_READLINK:
		existed(e, TY_LNK);
		saw_link(e, a->target);
		break;
	case IOR_TREE_TOUCH:
	case IOR_TREE_CHMOD:
	case IOR_TREE_CHOWN:
		existed(e, TY_UNKNOWN);
		attr_changed(op, e);
		break;
	case IOR_TREE_LINK:
		existed(e, TY_FILE);
		if (e2)
			created(e2);
		break;
	case IOR_TREE_MKDIR:
	case IOR_TREE_MKNOD:
		created(e);
		break;
	case IOR_TREE_GETCWD:
		existed(e, TY_DIR);
		break;
	case IOR_TREE_RMDIR:
	case IOR_TREE_CHDIR:
		existed(e, TY_DIR);
		if (op == IOR_TREE_RMDIR)
			replaced(e);
		break;
	case IOR_TREE_UNLINK:
		fl = flags_of(in, "flags", a->flags, ior_at_flags);
		existed(e, fl & 0x200 ? TY_DIR : TY_FILE);	/* AT_REMOVEDIR */
		replaced(e);
		break;
	case IOR_TREE_TRUNCATE:
		existed(e, TY_FILE);
		freeze(e);
		break;
	case IOR_TREE_RENAME:
		existed(e, TY_UNKNOWN);
		replaced(e);
		if (!e2)
			break;
		fl = flags_of(in, "flags", a->flags, ior_rename_flags);
		if (fl & 2)		/* RENAME_EXCHANGE: both existed */
			existed(e2, TY_UNKNOWN);
		else
			created(e2);
		/* Replaced: later sizes are the new file's, not the old. */
		replaced(e2);
		break;
	default:
		break;
	}
}

/* The entry of a file= value, through its description when it matches. */
static struct path_ent *file_ent(const char *file, const struct ofd_ent *o)
{
	if (!file)
		return NULL;
	if (o && o->file && !strcmp(o->file->path, file))
		return o->file;
	return path_get(file);
}

/* Learn from a record on a descriptor: positions, sizes, writes. */
static void infer_fd(const struct ior_in *in, const struct ior_rec *r,
		     enum ior_tree op, const struct args *a, struct ofd_ent *o,
		     struct path_ent *fe)
{
	struct path_ent *e;
	uint64_t off;

	if (fe && r->ret >= 0) {
		existed(fe, op == IOR_TREE_GETDENTS ? TY_DIR : TY_UNKNOWN);
		attr_changed(op, fe);
	}
	if (r->ret < 0)
		return;
	if (!o) {
		/*
		 * A description ior-gen no longer follows: a registered file
		 * whose descriptor was closed. No position, but its file.
		 */
		if (op == IOR_TREE_PREAD && r->ret > 0)
			saw_size(fe, uint_of(in, "offset", a->offset) + r->ret);
		else if (op == IOR_TREE_WRITE || op == IOR_TREE_PWRITE ||
			 op == IOR_TREE_FTRUNCATE)
			freeze(fe);
		return;
	}
	e = o->file;
	switch (op) {
	case IOR_TREE_READ:
		if (o->pos >= 0) {
			o->pos += r->ret;
			saw_size(e, o->pos);
		}
		break;
	case IOR_TREE_WRITE:
		if (o->pos >= 0)
			o->pos += r->ret;
		freeze(e);
		break;
	case IOR_TREE_PREAD:
		off = uint_of(in, "offset", a->offset);
		if (r->ret > 0)
			saw_size(e, off + r->ret);
		break;
	case IOR_TREE_PWRITE:
	case IOR_TREE_FTRUNCATE:
		freeze(e);
		break;
	case IOR_TREE_LSEEK:
		o->pos = r->ret;
		break;
	case IOR_TREE_FSTAT:
		if (e && type_of(a->ft, TY_FILE) == TY_FILE)
			saw_size(e, uint_of(in, "size", a->size));
		else if (e)
			existed(e, type_of(a->ft, TY_UNKNOWN));
		saw_attrs(in, e, a);
		break;
	case IOR_TREE_FCHDIR:
	case IOR_TREE_GETDENTS:
		if (e)
			existed(e, TY_DIR);
		break;
	default:
		if (is_dup(in, r, op, a))
			o->refs++;
		break;
	}
}

/*
 * copy_file_range, sendfile64, splice: fd is the source, fd2 the
 * destination. A side the replay stands in for has o and fe NULL.
 */
static void infer_xfer(const struct ior_in *in, const struct ior_rec *r,
		       const struct args *a, struct ofd_ent *o,
		       struct path_ent *fe, struct ofd_ent *o2,
		       struct path_ent *fe2)
{
	if (r->ret < 0)
		return;
	if (fe)
		existed(fe, TY_UNKNOWN);
	if (fe2)
		existed(fe2, TY_UNKNOWN);
	if (o && a->offset)
		saw_size(o->file, uint_of(in, "offset", a->offset) + r->ret);
	else if (o && o->pos >= 0) {
		o->pos += r->ret;
		saw_size(o->file, o->pos);
	}
	if (o2 && !a->offset2 && o2->pos >= 0)
		o2->pos += r->ret;
	if (o2)
		freeze(o2->file);
}

/*
 * The calls that submit AIO and io_uring requests (io_submit and
 * io_uring_enter), by their sub number: the seq each got, or -1 when it
 * was dropped. Direct-mapped: in-flight requests name recent subs.
 */
#define SUBS (1 << 16)
#define SUB_GONE (-2)		/* seen, then pushed out by a later one */
static struct { uint64_t sub; int64_t seq; } subs[SUBS];

/* The seq of submitting call sub, -1: dropped, 0: not seen yet, SUB_GONE. */
static int64_t sub_seq(uint64_t sub)
{
	const int i = sub & (SUBS - 1);

	if (!subs[i].seq || subs[i].sub < sub)
		return 0;
	return subs[i].sub == sub ? subs[i].seq : SUB_GONE;
}

/*
 * Make this record the last operation on a resource; return the previous
 * one if another thread's and later than after. mark is the record's seq,
 * or for a request -(sub + 1): what others wait for is its submitting
 * call, once that call has a seq (ior-gen(1), ORDERING).
 */
static int64_t order_mark(int64_t *last_seq, int64_t *last_tid,
			  const struct ior_rec *r, int64_t after, int64_t mark)
{
	int64_t prev = *last_seq;

	if (prev < 0 && (prev = sub_seq(-(prev + 1))) < 0)
		prev = 0;
	if (*last_tid >= 0 && *last_tid != r->tid && prev > after)
		after = prev;
	*last_seq = mark;
	*last_tid = r->tid;
	return after;
}

/*
 * after=: the most recent operation of another thread on a resource this
 * record touches; then this record becomes the last on each of them.
 */
static int64_t order_after(const struct ior_rec *r, const struct args *a,
			   struct ofd_ent *o, struct path_ent *fe,
			   struct ofd_ent *o2, struct path_ent *fe2, int64_t mark)
{
	struct path_ent *e[4] = {
		a->path ? path_get(a->path) : NULL,
		a->path2 ? path_get(a->path2) : NULL, fe, fe2,
	};
	int64_t after = 0;

	for (int i = 0; i < 4; i++) {
		int dup = !e[i];

		for (int j = 0; j < i && !dup; j++)
			dup = e[j] == e[i];
		if (!dup)
			after = order_mark(&e[i]->last_seq, &e[i]->last_tid, r,
					   after, mark);
	}
	if (o)
		after = order_mark(&o->last_seq, &o->last_tid, r, after, mark);
	if (o2 && o2 != o)
		after = order_mark(&o2->last_seq, &o2->last_tid, r, after,
				   mark);
	return after;
}

/*
 * Joins are not captured (futex), but a thread's exit is: an operation
 * that completed after another thread of its process exited waits for
 * that exit in the replay, so a main thread does not run ahead of the
 * threads it joined. Exits of one process are chained, so waiting for the
 * latest waits for all. Indexed by virtual id (small, dense integers).
 */
struct join {
	int64_t exit_seq, exit_tid;	/* per process: latest thread exit */
	int64_t seen;			/* per thread: latest exit waited for */
};
static struct join *joins;
static size_t njoins;

static struct join *join_of(int64_t id)
{
	if (id < 0 || id > (int64_t)1 << 30)
		return NULL;
	if ((size_t)id >= njoins) {
		size_t n = njoins ? njoins : 1024;

		while (n <= (size_t)id)
			n *= 2;
		joins = realloc(joins, n * sizeof(*joins));
		if (!joins)
			ior_err(IOR_EXIT_SYS, "realloc");
		memset(joins + njoins, 0, (n - njoins) * sizeof(*joins));
		njoins = n;
	}
	return &joins[id];
}

/* The exit this operation waits for (0: none); an exit becomes the latest. */
static int64_t join_after(const struct ior_rec *r, int is_thread_exit)
{
	struct join *p = join_of(r->pid), *t;
	int64_t after = 0, exit_seq, exit_tid;

	if (!p)
		return 0;
	exit_seq = p->exit_seq;	/* join_of may move the table */
	exit_tid = p->exit_tid;
	if (exit_seq && exit_tid != r->tid && (t = join_of(r->tid)) &&
	    t->seen < exit_seq) {
		after = exit_seq;
		t->seen = after;
	}
	if (is_thread_exit) {
		p = join_of(r->pid);
		p->exit_seq = seq;
		p->exit_tid = r->tid;
	}
	return after;
}

/*
 * Is column s (n bytes, a number the reader accepted) written as
 * ior_put_head() writes it: no leading zero, no "-0", nine decimals?
 */
static int canonical_int(const char *s, size_t n)
{
	if (s[0] == '-')
		return s[1] != '0';
	return s[0] != '0' || n == 1;
}

static int canonical_time(const char *s, size_t n)
{
	return n >= 11 && s[n - 10] == '.' && (s[0] != '0' || n == 11);
}

/*
 * The seven columns. The reader split the line in place, ending each
 * column with a NUL: copying those bytes with the spaces put back is
 * cheaper than formatting the numbers again, and the same when each
 * number is written as ior_put_head() would write it (else it does).
 * The caller checks that the line fits ior_reserve().
 */
static void put_head(struct ior_out *out, const struct ior_in *in,
		     const struct ior_rec *r)
{
	const char *s = in->line;
	const char *end = r->nkv ? r->kv[0].key - 1 : s + in->linelen;
	const char *col[8];	/* where each column starts; col[7]: its end */
	char *d;

	col[0] = s;
	col[1] = col[0] + strlen(col[0]) + 1;
	col[2] = col[1] + strlen(col[1]) + 1;
	col[3] = r->comm;
	col[4] = r->call;
	col[5] = col[4] + strlen(col[4]) + 1;
	col[6] = col[5] + strlen(col[5]) + 1;
	col[7] = end + 1;
	if (!canonical_time(col[0], col[1] - col[0] - 1) ||
	    !canonical_int(col[1], col[2] - col[1] - 1) ||
	    !canonical_int(col[2], col[3] - col[2] - 1) ||
	    !canonical_int(col[5], col[6] - col[5] - 1) ||
	    !canonical_int(col[6], col[7] - col[6] - 1)) {
		ior_put_head(out, r);
		return;
	}
	d = ior_reserve(out, end - s);
	memcpy(d, s, end - s);
	for (int i = 1; i < 7; i++)
		d[col[i] - 1 - s] = ' ';
	out->len += end - s;
}

/*
 * The arguments as read: the reader split the line in place, ending each
 * key and value with a NUL, so one copy of those bytes with the '=' and
 * ' ' put back is the arguments written again, without a call per key.
 */
static void put_args(struct ior_out *out, const struct ior_in *in,
		     const struct ior_rec *r)
{
	const char *base = r->kv[0].key;
	size_t n = in->line + in->linelen - base;
	char *d = ior_reserve(out, n + 1);

	*d++ = ' ';
	memcpy(d, base, n);
	for (int i = 0; i < r->nkv; i++) {
		d[r->kv[i].val - 1 - base] = '=';
		if (i + 1 < r->nkv)
			d[r->kv[i + 1].key - 1 - base] = ' ';
	}
	out->len += n + 1;
}

/* The next operation: seq and its text count up. */
static void seq_next(void)
{
	size_t i = seq_len;

	seq++;
	while (i > 0 && seq_text[i - 1] == '9')
		seq_text[--i] = '0';
	if (i > 0) {
		seq_text[i - 1]++;
	} else {
		memmove(seq_text + 1, seq_text, seq_len++);
		seq_text[0] = '1';
	}
}

/* A request is issued by its submitting call: it waits for no exit. */
static void put_op(struct ior_out *out, const struct ior_in *in,
		   const struct ior_rec *r, const struct args *a, int call,
		   int64_t after, int request)
{
	int64_t joined = request ? 0 : join_after(r, call == IOR_C_sched_exit);
	/* copied when it fits ior_reserve(): the reader passes longer lines */
	int copy = in->linelen <= IOR_LINE_MAX;
	char *d;

	if (copy)
		put_head(out, in, r);
	else
		ior_put_head(out, r);
	d = ior_reserve(out, 5 + seq_len);
	memcpy(d, " seq=", 5);
	memcpy(d + 5, seq_text, seq_len);
	out->len += 5 + seq_len;
	if (after && joined && joined != after)
		ior_printf(out, " after=%lld,%lld", (long long)after,
			   (long long)joined);
	else if (after || joined) {
		ior_put(out, " after=", 7);
		ior_put_i64(out, after ? after : joined);
	}
	if (r->nkv && !a->input_seq && copy) {
		put_args(out, in, r);
	} else {
		for (int i = 0; i < r->nkv; i++) {
			const char *k = r->kv[i].key;

			/* seq and after are ours: an input's own are replaced. */
			if (!strcmp(k, "seq") || !strcmp(k, "after"))
				continue;
			ior_put_kv(out, k, r->kv[i].val);
		}
	}
	ior_putc(out, '\n');
}

/*
 * Records dropped whatever their files: what the replay does not do, and
 * what needs no file (an anonymous mapping) or makes a device. DROP_NONE
 * when the record goes on to the other checks.
 */
#define DROP_NONE NDROP
static enum drop drop_by_call(const struct ior_in *in,
			      const struct ior_call *row, const struct args *a)
{
	enum ior_tree op = row ? row->tree : IOR_TREE_UNSUPPORTED;
	unsigned type;

	switch (op) {
	case IOR_TREE_PROCESS: return DROP_PROCESS;
	case IOR_TREE_CWD: return DROP_CWD;
	case IOR_TREE_IPC: return DROP_IPC;
	case IOR_TREE_UNSUPPORTED: return DROP_UNSUPPORTED;
	case IOR_TREE_MMAP:
		if (!a->vfd && (!a->fd || !strcmp(a->fd, "-1")))
			return DROP_ANON_MAPPING;
		break;
	case IOR_TREE_MAPPING:
		if (!a->vfd && !a->file)
			return DROP_ANON_MAPPING;
		break;
	case IOR_TREE_MKNOD:
		type = a->mode ? ior_mode(in, "mode", a->mode) & S_IFMT : 0;
		if (type != 0 && type != S_IFREG && type != S_IFIFO)
			return DROP_DEVICE;
		break;
	default:
		break;
	}
	/* What ior-replay cannot issue is not kept: the two never disagree. */
	if (row->replay == IOR_REPLAY_NONE)
		return DROP_UNSUPPORTED;
	return DROP_NONE;
}

/* Decide the fate of one record: drop it (counted) or spool it. */
static void gen_record(const struct ior_in *in, struct ior_rec *r,
		       struct ior_out *spool)
{
	int call = ior_call_find(r->call);
	const struct ior_call *row = call < 0 ? NULL : &ior_calls[call];
	enum ior_tree op = row ? row->tree : IOR_TREE_UNSUPPORTED;
	struct ofd_ent *o = NULL, *o2 = NULL;
	struct path_ent *fe, *fe2 = NULL;
	struct args a;
	enum drop why;
	int64_t after, sseq;
	uint64_t sub = 0;
	int request = 0;

	nrecords++;
	get_args(r, &a);
	if (a.sub) {
		/* A request names its submitting call; that call has a sub too. */
		sub = ior_uint(in, "sub", a.sub);
		request = !strncmp(r->call, "aio:", 4) ||
			!strncmp(r->call, "uring:", 6);
		if (!request) {
			/* -1 until it is kept, below */
			subs[sub & (SUBS - 1)].sub = sub;
			subs[sub & (SUBS - 1)].seq = -1;
		}
	}
	/* A request on the file position (offset -1) is a read or a write. */
	if ((op == IOR_TREE_PREAD || op == IOR_TREE_PWRITE) && a.offset &&
	    !strcmp(a.offset, "-1"))
		op = op == IOR_TREE_PREAD ? IOR_TREE_READ : IOR_TREE_WRITE;
	if ((why = drop_by_call(in, row, &a)) != DROP_NONE) {
		ndrop[why]++;
		return;
	}
	/* A request of a dropped call: the replay has no ring or context. */
	if (request && sub_seq(sub) == -1) {
		ndrop[DROP_UNKNOWN_FD]++;
		return;
	}
	if (op == IOR_TREE_STAT || op == IOR_TREE_READLINK) {
		a.target = a.path2;
		a.path2 = NULL;
	} else if (op == IOR_TREE_SYMLINK || op == IOR_TREE_MEMFD) {
		a.path = NULL;
	}
	if (a.ofd)
		o = ofd_find(ior_int(in, "ofd", a.ofd));
	if (op == IOR_TREE_XFER) {
		/* Kept when one side is a file; the replay stands in for the other. */
		if (a.ofd2)
			o2 = ofd_find(ior_int(in, "ofd2", a.ofd2));
		if (!side_replayable(a.vfd, a.file, o))
			o = NULL, a.file = NULL;
		if (!side_replayable(a.vfd2, a.file2, o2))
			o2 = NULL, a.file2 = NULL;
		if (!a.file && !a.file2 && !(o && o->memfd) &&
		    !(o2 && o2->memfd)) {
			ndrop[a.vfd || a.vfd2 ? DROP_PSEUDO : DROP_UNKNOWN_FD]++;
			return;
		}
	} else if (op != IOR_TREE_CLOSE_RANGE) {
		/* close_range names a range, not one descriptor: always kept. */
		if (is_pseudo(&a, o)) {
			struct ofd_ent *n = track_open(in, r, op, &a);

			if (n)
				n->pseudo = 1;
			else if (o && is_dup(in, r, op, &a))
				o->refs++;
			track_close(op, o);
			ndrop[DROP_PSEUDO]++;
			return;
		}
		if ((a.fd || a.fixed) && !a.vfd) {
			ndrop[DROP_UNKNOWN_FD]++;
			return;
		}
	}
	/*
	 * An io_uring_register that failed on a descriptor of its fds= is
	 * replayable: the replay registers a closed descriptor in its place.
	 */
	if (r->ret < 0 && unreplayable_errno(r->ret) &&
	    !(r->ret == -EBADF && ior_get(r, "fds") &&
	      call == IOR_C_io_uring_register) &&
	    !lock_conflict(in, r, row, &a)) {
		ndrop[DROP_FAILED]++;
		return;
	}
	seq_next();
	if (a.sub && !request)
		subs[sub & (SUBS - 1)].seq = seq;
	if (op == IOR_TREE_SCHED) {
		/* Process structure: no file, no ordering by resource. */
		put_op(spool, in, r, &a, call, 0, 0);
		if (call == IOR_C_sched_exit && a.group &&
		    ior_int(in, "group", a.group) == 1)
			ofd_drop_owner(r->pid);
		return;
	}
	if (op == IOR_TREE_OPEN || op == IOR_TREE_CREAT || op == IOR_TREE_IORFD ||
	    op == IOR_TREE_MEMFD || op == IOR_TREE_HANDLE || op == IOR_TREE_RING) {
		struct ofd_ent *n = track_open(in, r, op, &a);

		if (n && op == IOR_TREE_MEMFD)
			n->memfd = 1;
		else
			infer_open(in, r, op, &a, n);
		o = n ? n : o;
		/* a memfd names no entry; a handle's fd is the mount's */
		fe = (o && o->memfd) || (op == IOR_TREE_HANDLE && !n) ? NULL :
			file_ent(a.file, o);
	} else if (op == IOR_TREE_XFER) {
		fe = file_ent(a.file, o);
		fe2 = file_ent(a.file2, o2);
		infer_xfer(in, r, &a, o, fe, o2, fe2);
	} else {
		/* A memfd's file= (if any) names no entry of the tree. */
		fe = o && o->memfd ? NULL : file_ent(a.file, o);
		if (a.fd || a.fixed)
			infer_fd(in, r, op, &a, o, fe);
		else if (op == IOR_TREE_STAT && a.path && !*a.path && a.vfd)
			infer_fd(in, r, IOR_TREE_FSTAT, &a, o, fe);	/* AT_EMPTY_PATH */
		else if (op != IOR_TREE_NOTREE && op != IOR_TREE_CLOSE_RANGE) {
			infer_path(in, r, op, &a);
			/* AT_EMPTY_PATH and futimens: the descriptor's file */
			if (fe && r->ret >= 0) {
				existed(fe, TY_UNKNOWN);
				attr_changed(op, fe);
			}
		}
	}
	if (!request) {
		after = order_after(r, &a, o, fe, o2, fe2, seq);
	} else {
		/*
		 * Waited for before its submitting call: only what completed
		 * before that call, or, when the call is not seen yet (the
		 * request completed inside it), before the request.
		 */
		after = order_after(r, &a, o, fe, o2, fe2, -(int64_t)sub - 1);
		sseq = sub_seq(sub);
		if (sseq == SUB_GONE || (sseq > 0 && after >= sseq))
			after = 0;
	}
	put_op(spool, in, r, &a, call, after, request);
	track_close(op, o);
}

/* Spool file for the operations: unlinked, in $TMPDIR. */
static int spool_open(void)
{
	const char *dir = getenv("TMPDIR");
	char tmpl[4096];
	int fd;

	if (!dir || !*dir)
		dir = "/tmp";
	fd = open(dir, O_TMPFILE | O_RDWR | O_CLOEXEC, 0600);
	if (fd >= 0)
		return fd;
	/* Filesystems without O_TMPFILE: create and unlink at once. */
	if (snprintf(tmpl, sizeof(tmpl), "%s/ior-gen.XXXXXX", dir) >=
	    (int)sizeof(tmpl))
		ior_errx(IOR_EXIT_SYS, "%s: directory name too long", dir);
	fd = mkostemp(tmpl, O_CLOEXEC);
	if (fd < 0)
		ior_err(IOR_EXIT_SYS, "%s", tmpl);
	unlink(tmpl);
	return fd;
}

/*
 * Copy the spool's bytes [from, to) to out: in the kernel where it can
 * (sendfile), through a buffer where it cannot (a terminal, say).
 */
static void spool_copy(int fd, off_t from, off_t to, struct ior_out *out)
{
	static char buf[1 << 16];

	ior_flush(out);
	while (from < to) {
		ssize_t n = sendfile(out->fd, fd, &from, to - from);

		if (n > 0 || (n < 0 && errno == EINTR))
			continue;
		if (n < 0 && errno == EPIPE)
			exit(0);
		if (n == 0)
			ior_errx(IOR_EXIT_SYS, "spool file: unexpected end");
		if (errno != EINVAL && errno != ENOSYS)
			ior_err(IOR_EXIT_SYS, "%s", out->name);
		break;
	}
	while (from < to) {
		size_t want = to - from > (off_t)sizeof(buf) ?
			sizeof(buf) : (size_t)(to - from);
		ssize_t n = pread(fd, buf, want, from);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			ior_err(IOR_EXIT_SYS, "reading the spool file");
		ior_put(out, buf, n);
		from += n;
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

/* The tree's counters, for the trailer. */
struct tree_count {
	unsigned long dirs, files, symlinks, links, skipped;
};

/* The name e is a hard link to, or NULL when e is a file of its own. */
static const struct path_ent *link_of(const struct path_ent *e)
{
	const struct path_ent *f = e->link_to;

	return e->type == TY_FILE && f && f != e && f->state == ST_EXISTED &&
		f->type == TY_FILE ? f : NULL;
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
static void put_tree(struct ior_out *out, struct tree_count *c)
{
	struct path_ent **v = xcalloc(paths.n ? paths.n : 1, sizeof(*v));
	const struct path_ent *f;
	size_t n = 0;

	for (size_t i = 0; i < paths.nbucket; i++)
		for (struct path_ent *e = paths.bucket[i]; e; e = e->next)
			if (e->state == ST_EXISTED)
				v[n++] = e;
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
		if (!(f = link_of(v[i])))
			continue;
		ior_puts(out, "0.000000000 0 0 - init:link 0 0");
		ior_put_kv(out, "path", v[i]->path);
		ior_put_kv(out, "path2", f->path);
		ior_putc(out, '\n');
		c->links++;
	}
	free(v);
}

int main(int argc, char *argv[])
{
	static const struct option longopts[] = {
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, 'V' },
		{ NULL, 0, NULL, 0 },
	};
	struct ior_out out, spool;
	struct ior_rec r;
	struct ior_in in;
	off_t hdr_end = -1, end;
	struct tree_count tree = { 0 };
	unsigned long dropped = 0;
	int ch, sfd;

	ior_setprogname(argv[0]);
	while ((ch = getopt_long(argc, argv, "h", longopts, NULL)) != -1) {
		switch (ch) {
		case 'h':
			usage(stdout, IOR_EXIT_OK);
			break;
		case 'V':
			ior_version();
		default:
			usage(stderr, IOR_EXIT_USAGE);
		}
	}
	argc -= optind;
	argv += optind;

	sfd = spool_open();
	ior_out_init(&spool, sfd, "spool file");
	for (int i = 0; i < (argc ? argc : 1); i++) {
		int kind;

		ior_in_open(&in, argc ? argv[i] : NULL);
		while ((kind = ior_read(&in, &r)) != IOR_EOF) {
			if (kind == IOR_REC) {
				/* Input metadata before the first record is the header. */
				if (hdr_end < 0)
					hdr_end = lseek(sfd, 0, SEEK_CUR) +
						spool.len;
				gen_record(&in, &r, &spool);
			} else if (ior_is_magic(in.line)) {
				if (in.kind != IOR_KIND_MAP)
					ior_bad(&in, NULL, "a %s stream: ior-gen reads a map stream (from ior-map)",
						ior_kind_name(in.kind));
			} else {
				ior_put(&spool, in.line, in.linelen);
				ior_putc(&spool, '\n');
			}
		}
		ior_in_close(&in);
	}
	ior_flush(&spool);
	end = lseek(sfd, 0, SEEK_CUR);
	if (end < 0)
		ior_err(IOR_EXIT_SYS, "spool file");
	if (hdr_end < 0)
		hdr_end = end;

	ior_out_init(&out, 1, NULL);
	ior_put_magic(&out, IOR_KIND_REPLAY);
	spool_copy(sfd, 0, hdr_end, &out);
	ior_printf(&out, "#meta ior-gen version=%s\n", IOR_VERSION_STRING);
	put_tree(&out, &tree);
	spool_copy(sfd, hdr_end, end, &out);
	ior_out_close(&spool);
	for (int i = 0; i < NDROP; i++)
		dropped += ndrop[i];
	ior_printf(&out, "#stat ior-gen records=%lu ops=%lld dropped=%lu",
		   nrecords, (long long)seq, dropped);
	for (int i = 0; i < NDROP; i++)
		ior_printf(&out, " dropped.%s=%lu", drop_names[i], ndrop[i]);
	ior_printf(&out, " tree.dirs=%lu tree.files=%lu tree.symlinks=%lu "
		   "tree.links=%lu tree.symlinks_skipped=%lu\n",
		   tree.dirs, tree.files, tree.symlinks, tree.links, tree.skipped);
	ior_out_close(&out);
	close(sfd);
	return IOR_EXIT_OK;
}
