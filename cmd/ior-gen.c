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

#include "ior.h"

/* What a call does, as far as the tree and the replay are concerned. */
enum op {
	OP_UNSUPPORTED, OP_PROCESS, OP_CWD, OP_OPEN, OP_CREAT, OP_CLOSE,
	OP_READ, OP_WRITE, OP_PREAD, OP_PWRITE, OP_LSEEK, OP_SYNC, OP_STAT,
	OP_FSTAT, OP_MKDIR, OP_RMDIR, OP_UNLINK, OP_RENAME, OP_TRUNCATE,
	OP_FTRUNCATE, OP_CHDIR, OP_FCHDIR, OP_DUP, OP_SCHED, OP_IORFD,
};

static const struct call {
	const char *name;
	enum op op;
} calls[] = {
	{ "open", OP_OPEN }, { "openat", OP_OPEN }, { "openat2", OP_OPEN },
	{ "creat", OP_CREAT }, { "close", OP_CLOSE },
	{ "read", OP_READ }, { "readv", OP_READ },
	{ "write", OP_WRITE }, { "writev", OP_WRITE },
	{ "pread64", OP_PREAD }, { "preadv", OP_PREAD },
	{ "pwrite64", OP_PWRITE }, { "pwritev", OP_PWRITE },
	{ "lseek", OP_LSEEK }, { "fsync", OP_SYNC }, { "fdatasync", OP_SYNC },
	{ "stat", OP_STAT }, { "lstat", OP_STAT }, { "newfstatat", OP_STAT },
	{ "statx", OP_STAT }, { "fstat", OP_FSTAT },
	{ "mkdir", OP_MKDIR }, { "mkdirat", OP_MKDIR }, { "rmdir", OP_RMDIR },
	{ "unlink", OP_UNLINK }, { "unlinkat", OP_UNLINK },
	{ "rename", OP_RENAME }, { "renameat", OP_RENAME },
	{ "renameat2", OP_RENAME },
	{ "truncate", OP_TRUNCATE }, { "ftruncate", OP_FTRUNCATE },
	{ "chdir", OP_CHDIR }, { "fchdir", OP_FCHDIR },
	{ "dup", OP_DUP }, { "dup2", OP_DUP }, { "dup3", OP_DUP },
	{ "sched:fork", OP_SCHED }, { "sched:exec", OP_SCHED },
	{ "sched:exit", OP_SCHED }, { "ior:fd", OP_IORFD },
	/* Process structure comes from sched:*, not from these. */
	{ "clone", OP_PROCESS }, { "clone3", OP_PROCESS },
	{ "fork", OP_PROCESS }, { "vfork", OP_PROCESS },
	{ "execve", OP_PROCESS }, { "execveat", OP_PROCESS },
	{ "exit_group", OP_PROCESS },
	/* Paths are absolute already. */
	{ "ior:cwd", OP_CWD },
};

/* Why a record was dropped; each has a counter in the trailer. */
enum drop {
	DROP_PSEUDO, DROP_UNKNOWN_FD, DROP_FAILED, DROP_PROCESS, DROP_CWD,
	DROP_UNSUPPORTED, NDROP,
};
static const char *const drop_names[NDROP] = {
	"pseudo", "unknown_fd", "failed_unreplayable", "process", "cwd",
	"unsupported",
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
};

struct table {
	void **bucket;
	size_t nbucket, n;
};

static struct table paths, ofds;
static struct ofd_ent *ofd_free;	/* recycled entries */
static int64_t seq;
static unsigned long nrecords, ndrop[NDROP];

/* The keys ior-gen looks at, found in one pass over a record. */
struct args {
	const char *path, *path2, *file, *fs, *ft, *fd, *vfd, *ofd;
	const char *flags, *size, *offset, *group;
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
	return p && (under(p, "/proc", 5) || under(p, "/sys", 4) ||
		     under(p, "/dev", 4));
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

/* Data seen in a pre-existing file up to end: it was at least that big. */
static void saw_size(struct path_ent *e, uint64_t end)
{
	if (e && e->state == ST_EXISTED && !e->frozen && end > e->size)
		e->size = end;
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

static void get_args(const struct ior_rec *r, struct args *a)
{
	memset(a, 0, sizeof(*a));
	for (int i = 0; i < r->nkv; i++) {
		const char *k = r->kv[i].key, *v = r->kv[i].val;

		switch (k[0]) {
		case 'p':
			if (!strcmp(k, "path"))
				a->path = v;
			else if (!strcmp(k, "path2"))
				a->path2 = v;
			break;
		case 'f':
			if (!strcmp(k, "file"))
				a->file = v;
			else if (!strcmp(k, "fd"))
				a->fd = v;
			else if (!strcmp(k, "fs"))
				a->fs = v;
			else if (!strcmp(k, "ft"))
				a->ft = v;
			else if (!strcmp(k, "flags"))
				a->flags = v;
			break;
		case 'v':
			if (!strcmp(k, "vfd"))
				a->vfd = v;
			break;
		case 'o':
			if (!strcmp(k, "ofd"))
				a->ofd = v;
			else if (!strcmp(k, "offset"))
				a->offset = v;
			break;
		case 's':
			if (!strcmp(k, "size"))
				a->size = v;
			break;
		case 'g':
			if (!strcmp(k, "group"))
				a->group = v;
			break;
		}
	}
}

static uint64_t flags_of(const struct ior_in *in, const char *s,
			 const struct ior_flag *t)
{
	uint64_t v = 0;

	if (s && ior_flags_parse(t, s, &v) < 0)
		ior_bad(in, "flags", "unknown flag in \"%.40s\"", s);
	return v;
}

static uint64_t uint_of(const struct ior_in *in, const char *key,
			const char *s)
{
	return s ? ior_uint(in, key, s) : 0;
}

static enum op op_of(const char *call)
{
	static struct { const char *name; enum op op; } slot[256];
	static int ready;
	uint64_t h;

	/* A small open-addressed table: the call name is looked up per line. */
	if (!ready) {
		for (size_t i = 0; i < sizeof(calls) / sizeof(calls[0]); i++) {
			h = hash_mem(calls[i].name, strlen(calls[i].name));
			while (slot[h & 255].name)
				h++;
			slot[h & 255].name = calls[i].name;
			slot[h & 255].op = calls[i].op;
		}
		ready = 1;
	}
	for (h = hash_mem(call, strlen(call)); slot[h & 255].name; h++)
		if (!strcmp(slot[h & 255].name, call))
			return slot[h & 255].op;
	return OP_UNSUPPORTED;
}

/* Is the record about something a replay cannot recreate? */
static int is_pseudo(const struct args *a, const struct ofd_ent *o)
{
	return pseudo_path(a->path) || pseudo_path(a->path2) ||
		(a->file && (a->file[0] != '/' || pseudo_path(a->file))) ||
		(a->fs && in_list(a->fs, pseudo_fs)) ||
		(a->ft && in_list(a->ft, special_ft)) || (o && o->pseudo);
}

/* Open-like records create descriptions; remember even unreplayable ones. */
static struct ofd_ent *track_open(const struct ior_in *in,
				  const struct ior_rec *r, enum op op,
				  const struct args *a)
{
	if (!a->ofd || r->ret < 0 || (op != OP_OPEN && op != OP_CREAT &&
				      op != OP_IORFD))
		return NULL;
	return ofd_new(ior_int(in, "ofd", a->ofd), r->pid);
}

static void track_close(enum op op, struct ofd_ent *o)
{
	if (o && op == OP_CLOSE && --o->refs <= 0)
		ofd_remove(o);
}

/* Learn from an open, creat or ior:fd record what existed before. */
static void infer_open(const struct ior_in *in, const struct ior_rec *r,
		       enum op op, const struct args *a, struct ofd_ent *o)
{
	const char *p = a->path ? a->path : a->file;
	struct path_ent *e;
	uint64_t fl, size;

	if (!p)
		return;
	e = path_get(p);
	fl = op == OP_CREAT ? (uint64_t)(O_CREAT | O_WRONLY | O_TRUNC) :
		flags_of(in, a->flags, ior_open_flags);
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
	if (op == OP_IORFD) {
		existed(e, type_of(a->ft, TY_FILE));
		saw_size(e, size);
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
	if (fl & O_TRUNC)
		e->frozen = 1;
	if (o) {
		o->file = e;
		if (fl & O_APPEND)
			o->pos = -1;	/* writes go to an end we do not know */
	}
}

/* Learn from a record about paths (no descriptor). */
static void infer_path(const struct ior_in *in, const struct ior_rec *r,
		       enum op op, const struct args *a)
{
	struct path_ent *e = a->path ? path_get(a->path) : NULL;
	struct path_ent *e2 = a->path2 ? path_get(a->path2) : NULL;
	uint64_t fl;

	if (!e)
		return;
	if (r->ret < 0) {
		if (r->ret == -ENOENT)
			absent(e);
		else if (r->ret == -EEXIST && op == OP_MKDIR)
			existed(e, TY_DIR);
		else if (r->ret == -EEXIST && op == OP_RENAME && e2)
			existed(e2, TY_UNKNOWN);
		else if (r->ret == -ENOTEMPTY && op == OP_RMDIR)
			existed(e, TY_DIR);
		else if (r->ret == -EISDIR && op == OP_UNLINK)
			existed(e, TY_DIR);
		return;
	}
	switch (op) {
	case OP_STAT:
		existed(e, type_of(a->ft, TY_UNKNOWN));
		/* an existing symlink, with its target (ior-format(5)) */
		if (e->state == ST_EXISTED && e->type == TY_LNK && !e->target &&
		    a->path2 && type_of(a->ft, TY_UNKNOWN) == TY_LNK &&
		    !(e->target = strdup(a->path2)))
			ior_err(IOR_EXIT_SYS, "strdup");
		if (type_of(a->ft, TY_FILE) == TY_FILE)
			saw_size(e, uint_of(in, "size", a->size));
		break;
	case OP_MKDIR:
		created(e);
		break;
	case OP_RMDIR:
	case OP_CHDIR:
		existed(e, TY_DIR);
		e->frozen |= op == OP_RMDIR;
		break;
	case OP_UNLINK:
		fl = flags_of(in, a->flags, ior_at_flags);
		existed(e, fl & 0x200 ? TY_DIR : TY_FILE);	/* AT_REMOVEDIR */
		e->frozen = 1;
		break;
	case OP_TRUNCATE:
		existed(e, TY_FILE);
		e->frozen = 1;
		break;
	case OP_RENAME:
		existed(e, TY_UNKNOWN);
		e->frozen = 1;
		if (!e2)
			break;
		fl = flags_of(in, a->flags, ior_rename_flags);
		if (fl & 2) {		/* RENAME_EXCHANGE: both existed */
			existed(e2, TY_UNKNOWN);
			e2->frozen = 1;
		} else {
			created(e2);
			/* Replaced: later sizes are the new file's, not the old. */
			e2->frozen = 1;
		}
		break;
	default:
		break;
	}
}

/* The entry of the record's file=, through its description when it matches. */
static struct path_ent *file_ent(const struct args *a,
				 const struct ofd_ent *o)
{
	if (!a->file)
		return NULL;
	if (o && o->file && !strcmp(o->file->path, a->file))
		return o->file;
	return path_get(a->file);
}

/* Learn from a record on a descriptor: positions, sizes, writes. */
static void infer_fd(const struct ior_in *in, const struct ior_rec *r,
		     enum op op, const struct args *a, struct ofd_ent *o,
		     struct path_ent *fe)
{
	struct path_ent *e;
	uint64_t off;

	if (fe && r->ret >= 0)
		existed(fe, TY_UNKNOWN);
	if (!o || r->ret < 0)
		return;
	e = o->file;
	switch (op) {
	case OP_READ:
		if (o->pos >= 0) {
			o->pos += r->ret;
			saw_size(e, o->pos);
		}
		break;
	case OP_WRITE:
		if (o->pos >= 0)
			o->pos += r->ret;
		if (e)
			e->frozen = 1;
		break;
	case OP_PREAD:
		off = uint_of(in, "offset", a->offset);
		if (r->ret > 0)
			saw_size(e, off + r->ret);
		break;
	case OP_PWRITE:
	case OP_FTRUNCATE:
		if (e)
			e->frozen = 1;
		break;
	case OP_LSEEK:
		o->pos = r->ret;
		break;
	case OP_FSTAT:
		if (e && type_of(a->ft, TY_FILE) == TY_FILE)
			saw_size(e, uint_of(in, "size", a->size));
		else if (e)
			existed(e, type_of(a->ft, TY_UNKNOWN));
		break;
	case OP_FCHDIR:
		if (e)
			existed(e, TY_DIR);
		break;
	case OP_DUP:
		o->refs++;
		break;
	default:
		break;
	}
}

/*
 * after=: the most recent operation of another thread on a resource this
 * record touches; then this record becomes the last on each of them.
 */
static int64_t order_after(const struct ior_rec *r, const struct args *a,
			   struct ofd_ent *o, struct path_ent *fe)
{
	const char *v[3] = { a->path, a->path2, a->file };
	struct path_ent *e[3] = { NULL, NULL, NULL };
	int64_t after = 0;

	for (int i = 0; i < 3; i++) {
		if (!v[i] || (i > 0 && v[0] && !strcmp(v[i], v[0])) ||
		    (i > 1 && v[1] && !strcmp(v[i], v[1])))
			continue;
		e[i] = i == 2 ? fe : path_get(v[i]);
		if (e[i]->last_tid >= 0 && e[i]->last_tid != r->tid &&
		    e[i]->last_seq > after)
			after = e[i]->last_seq;
		e[i]->last_seq = seq;
		e[i]->last_tid = r->tid;
	}
	if (o) {
		if (o->last_tid >= 0 && o->last_tid != r->tid &&
		    o->last_seq > after)
			after = o->last_seq;
		o->last_seq = seq;
		o->last_tid = r->tid;
	}
	return after;
}

static void put_op(struct ior_out *out, const struct ior_rec *r,
		   int64_t after)
{
	ior_put_head(out, r);
	ior_put_kv_i64(out, "seq", seq);
	if (after)
		ior_put_kv_i64(out, "after", after);
	for (int i = 0; i < r->nkv; i++) {
		const char *k = r->kv[i].key;

		/* seq and after are ours: an input's own are replaced. */
		if ((k[0] == 's' && !strcmp(k, "seq")) ||
		    (k[0] == 'a' && !strcmp(k, "after")))
			continue;
		ior_put_kv(out, k, r->kv[i].val);
	}
	ior_putc(out, '\n');
}

/* Decide the fate of one record: drop it (counted) or spool it. */
static void gen_record(const struct ior_in *in, struct ior_rec *r,
		       struct ior_out *spool)
{
	enum op op = op_of(r->call);
	struct ofd_ent *o = NULL;
	struct path_ent *fe;
	struct args a;
	int64_t after;

	nrecords++;
	if (op == OP_PROCESS || op == OP_CWD || op == OP_UNSUPPORTED) {
		ndrop[op == OP_PROCESS ? DROP_PROCESS : op == OP_CWD ?
		      DROP_CWD : DROP_UNSUPPORTED]++;
		return;
	}
	get_args(r, &a);
	if (a.ofd)
		o = ofd_find(ior_int(in, "ofd", a.ofd));
	if (is_pseudo(&a, o)) {
		struct ofd_ent *n = track_open(in, r, op, &a);

		if (n)
			n->pseudo = 1;
		else if (o && op == OP_DUP && r->ret >= 0)
			o->refs++;
		track_close(op, o);
		ndrop[DROP_PSEUDO]++;
		return;
	}
	if (a.fd && !a.vfd) {
		ndrop[DROP_UNKNOWN_FD]++;
		return;
	}
	if (r->ret < 0 && unreplayable_errno(r->ret)) {
		ndrop[DROP_FAILED]++;
		return;
	}
	seq++;
	if (op == OP_SCHED) {
		/* Process structure: no file, no ordering by resource. */
		put_op(spool, r, 0);
		if (!strcmp(r->call, "sched:exit") && a.group &&
		    ior_int(in, "group", a.group) == 1)
			ofd_drop_owner(r->pid);
		return;
	}
	if (op == OP_OPEN || op == OP_CREAT || op == OP_IORFD) {
		struct ofd_ent *n = track_open(in, r, op, &a);

		infer_open(in, r, op, &a, n);
		o = n ? n : o;
		fe = file_ent(&a, o);
	} else {
		fe = file_ent(&a, o);
		if (a.fd)
			infer_fd(in, r, op, &a, o, fe);
		else
			infer_path(in, r, op, &a);
	}
	after = order_after(r, &a, o, fe);
	put_op(spool, r, after);
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

/* The starting tree: what existed before the capture, parents first. */
static void put_tree(struct ior_out *out, unsigned long *ndirs,
		     unsigned long *nfiles, unsigned long *nsymlinks,
		     unsigned long *nlinks)
{
	struct path_ent **v = xcalloc(paths.n ? paths.n : 1, sizeof(*v));
	size_t n = 0;

	for (size_t i = 0; i < paths.nbucket; i++)
		for (struct path_ent *e = paths.bucket[i]; e; e = e->next)
			if (e->state == ST_EXISTED)
				v[n++] = e;
	qsort(v, n, sizeof(*v), path_cmp);
	for (size_t i = 0; i < n; i++) {
		if (v[i]->type == TY_LNK && !v[i]->target) {
			/* Its target is unknown: nothing to create. */
			(*nlinks)++;
			continue;
		}
		ior_puts(out, "0.000000000 0 0 - ");
		if (v[i]->type == TY_LNK) {
			ior_puts(out, "init:symlink 0 0");
			ior_put_kv(out, "path", v[i]->path);
			ior_put_kv(out, "path2", v[i]->target);
			ior_putc(out, '\n');
			(*nsymlinks)++;
		} else if (v[i]->type == TY_DIR) {
			ior_puts(out, "init:dir 0 0");
			ior_put_kv(out, "path", v[i]->path);
			ior_puts(out, " mode=0755\n");
			(*ndirs)++;
		} else {
			ior_puts(out, "init:file 0 0");
			ior_put_kv(out, "path", v[i]->path);
			ior_put_kv_i64(out, "size", v[i]->size);
			ior_puts(out, " mode=0644\n");
			(*nfiles)++;
		}
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
	unsigned long ndirs = 0, nfiles = 0, nsymlinks = 0, nlinks = 0, dropped = 0;
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
	put_tree(&out, &ndirs, &nfiles, &nsymlinks, &nlinks);
	spool_copy(sfd, hdr_end, end, &out);
	ior_out_close(&spool);
	for (int i = 0; i < NDROP; i++)
		dropped += ndrop[i];
	ior_printf(&out, "#stat ior-gen records=%lu ops=%lld dropped=%lu",
		   nrecords, (long long)seq, dropped);
	for (int i = 0; i < NDROP; i++)
		ior_printf(&out, " dropped.%s=%lu", drop_names[i], ndrop[i]);
	ior_printf(&out, " tree.dirs=%lu tree.files=%lu tree.symlinks=%lu "
		   "tree.symlinks_skipped=%lu\n",
		   ndirs, nfiles, nsymlinks, nlinks);
	ior_out_close(&out);
	close(sfd);
	return IOR_EXIT_OK;
}
