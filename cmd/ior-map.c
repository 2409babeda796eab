/*
 * ior-map - turn a trace stream into a map stream: virtual pid/tid ids,
 * per-task descriptor tables and working directories, absolute paths,
 * virtual descriptor (vfd) and open file description (ofd) ids, file
 * mappings, and PCRE2 filters on paths and command names. See ior-map(1).
 */
#define _GNU_SOURCE
#define PCRE2_CODE_UNIT_WIDTH 8

#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <pcre2.h>
#include <sched.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "ior.h"

#define FD_MAX (1 << 20)	/* descriptors above are not tracked */
#define PATH_BUF (IOR_LINE_MAX + 1)
#define PAGE_SIZE 4096		/* mmap and munmap round lengths up to pages */
#define RING_SLOTS_MAX (1 << 16)	/* registered files followed per ring */
#define REGISTER_FILES_SKIP (-2)	/* an update leaves the slot alone */

struct ofd;

/* A registered file: the description it holds, and the vfd it came from. */
struct fixed {
	uint64_t vfd;
	struct ofd *ofd;	/* NULL: an empty slot */
};

/* The registered files of an io_uring ring. */
struct ring {
	int cap;
	struct fixed *slot;
};

/* An open file description: shared by dups and forked copies. */
struct ofd {
	uint64_t id;
	int refs;
	int abs;		/* path is absolute (else as captured) */
	size_t cap;
	char *path;		/* raw path, NUL, its escaped form, NUL */
	char *esc;
	struct ring *ring;	/* an io_uring ring's description: its files */
	struct ofd *next_free;
};

struct fdslot {
	uint64_t vfd;
	struct ofd *ofd;	/* NULL: the descriptor is closed */
	int cloexec;
};

/* A descriptor table, shared by tasks created with CLONE_FILES. */
struct fdtab {
	int refs;
	int cap;
	struct fdslot *slot;
};

/* A working directory, shared by tasks created with CLONE_FS. */
struct fs {
	int refs;
	int known;
	size_t cap;
	char *cwd;
};

/* A file mapping [start, end) of a process, holding a reference to its ofd. */
struct mapping {
	uint64_t start, end;
	uint64_t vfd;
	struct ofd *ofd;
};

struct proc;

struct task {
	int64_t ktid, vtid;
	struct proc *proc;
	struct task *prev, *next;	/* the process's tasks */
	struct fdtab *files;
	struct fs *fs;
};

struct proc {
	int64_t kpid, vpid;
	int vpid_used;		/* vpid was given to the leader task */
	struct task *tasks;	/* never empty while the process exists */
	int nmap, capmap;
	struct mapping *map;	/* sorted by start, not overlapping */
};

/* Open addressing hash from a kernel id to a pointer (linear probing). */
struct idmap {
	size_t cap, n;		/* cap is a power of two */
	struct { int64_t key; void *val; } *e;
};

/* A set of regular expressions: a value matches if any matches. */
struct filter {
	int n;
	pcre2_code **re;
	const char **pat;
};

/* What a record holds, found in one pass over its arguments. */
struct recinfo {
	int path[2], dirfd[2];	/* kv indices of path/path2, dirfd/dirfd2 */
	int fd, flags, child, cpid, otid, group;
	int resolved[2];	/* path/path2 rewritten from pathbuf */
	char *raw[2];		/* unescaped path/path2 (for the filters) */
	struct ofd *ofd;	/* descriptor used by the record (key fd) */
	uint64_t vfd;
	int64_t vfd2;		/* new descriptor of dup*, or fd2's; or -1 */
	struct ofd *ofd2;	/* fd2 of copy_file_range, sendfile64, splice */
	int64_t child_v, cpid_v, otid_v, kchild;
	int64_t fixed;		/* a uring: request's registered file, or -1 */
	int vfds;		/* write vfds (io_uring_register) */
};

static struct ior_out out;
static struct idmap tasks, procs;
static struct ofd *ofd_free;
static int64_t next_vid = 1;
static uint64_t next_vfd = 1, next_ofd = 1;
static struct filter inc, exc, comm_inc, comm_exc;
static pcre2_match_data *md;
static char pathbuf[2][PATH_BUF], tmp[PATH_BUF], vfds[PATH_BUF];
static int64_t fdlist[IOR_LINE_MAX / 2];	/* fds= of io_uring_register */
static struct {
	uint64_t records, written, filtered, unknown_fd, unknown_cwd,
		 implicit_close, fixed_overflow;
} st;

static void usage(FILE *f)
{
	fprintf(f, "usage: %s [-i regex] [-x regex] [-c regex] [-X regex] [file ...]\n"
		"  -i, --include REGEX       keep only file records with a matching path\n"
		"  -x, --exclude REGEX       drop file records with a matching path\n"
		"  -c, --comm REGEX          keep only records of a matching command name\n"
		"  -X, --exclude-comm REGEX  drop records of a matching command name\n"
		"  -h, --help                print this help\n"
		"      --version             print the version\n",
		ior_progname());
}

static void *xcalloc(size_t n, size_t size)
{
	void *p = calloc(n, size);

	if (!p)
		ior_err(IOR_EXIT_SYS, "calloc");
	return p;
}

static void *xrealloc(void *p, size_t size)
{
	p = realloc(p, size);
	if (!p)
		ior_err(IOR_EXIT_SYS, "realloc");
	return p;
}

/* ---- id maps ---- */

static size_t idmap_slot(const struct idmap *m, int64_t key)
{
	return ((uint64_t)key * 0x9e3779b97f4a7c15ull >> 20) & (m->cap - 1);
}

static void *idmap_get(const struct idmap *m, int64_t key)
{
	if (!m->cap)
		return NULL;
	for (size_t i = idmap_slot(m, key);; i = (i + 1) & (m->cap - 1)) {
		if (!m->e[i].val)
			return NULL;
		if (m->e[i].key == key)
			return m->e[i].val;
	}
}

static void idmap_put(struct idmap *m, int64_t key, void *val);

static void idmap_grow(struct idmap *m)
{
	struct idmap old = *m;

	m->cap = old.cap ? old.cap * 2 : 64;
	m->n = 0;
	m->e = xcalloc(m->cap, sizeof(*m->e));
	for (size_t i = 0; i < old.cap; i++)
		if (old.e[i].val)
			idmap_put(m, old.e[i].key, old.e[i].val);
	free(old.e);
}

/* Set key to val (replacing). */
static void idmap_put(struct idmap *m, int64_t key, void *val)
{
	size_t i;

	if (2 * (m->n + 1) > m->cap)
		idmap_grow(m);
	for (i = idmap_slot(m, key); m->e[i].val; i = (i + 1) & (m->cap - 1))
		if (m->e[i].key == key) {
			m->e[i].val = val;
			return;
		}
	m->e[i].key = key;
	m->e[i].val = val;
	m->n++;
}

/* Remove key if it maps to val; backward shift keeps probe chains whole. */
static void idmap_del(struct idmap *m, int64_t key, const void *val)
{
	size_t i, j, mask = m->cap - 1;

	if (!m->cap)
		return;
	for (i = idmap_slot(m, key); m->e[i].val; i = (i + 1) & mask)
		if (m->e[i].key == key)
			break;
	if (m->e[i].val != val)
		return;
	m->e[i].val = NULL;
	m->n--;
	for (j = (i + 1) & mask; m->e[j].val; j = (j + 1) & mask) {
		size_t h = idmap_slot(m, m->e[j].key);

		/* Move j back to the hole unless its home lies in (i, j]. */
		if (i <= j ? (h > i && h <= j) : (h > i || h <= j))
			continue;
		m->e[i] = m->e[j];
		m->e[j].val = NULL;
		i = j;
	}
}

/* ---- open file descriptions and descriptor tables ---- */

/* A new description (refs 0: fd_install takes the reference). */
static struct ofd *ofd_new(const char *raw, size_t len, int abs)
{
	struct ofd *o = ofd_free;
	size_t need = len + 1 + 4 * len + 1;

	if (o)
		ofd_free = o->next_free;
	else
		o = xcalloc(1, sizeof(*o));
	/* Freed descriptions keep their buffer: no malloc in steady state. */
	if (o->cap < need) {
		o->path = xrealloc(o->path, need);
		o->cap = need;
	}
	memcpy(o->path, raw, len + 1);
	o->esc = o->path + len + 1;
	ior_escape(o->esc, raw, len);
	o->id = next_ofd++;
	o->refs = 0;
	o->abs = abs;
	o->ring = NULL;
	return o;
}

static void ring_free(struct ring *g);

static void ofd_unref(struct ofd *o)
{
	if (--o->refs == 0) {
		/* The ring's last descriptor is gone: so are its files. */
		if (o->ring) {
			ring_free(o->ring);
			o->ring = NULL;
		}
		o->next_free = ofd_free;
		ofd_free = o;
	}
}

static struct fdslot *fd_get(const struct fdtab *t, int64_t fd)
{
	if (fd < 0 || fd >= t->cap || !t->slot[fd].ofd)
		return NULL;
	return &t->slot[fd];
}

/* Close fd if open; returns 1 if it was. */
static int fd_close(struct fdtab *t, int64_t fd)
{
	struct fdslot *s = fd_get(t, fd);

	if (!s)
		return 0;
	ofd_unref(s->ofd);
	s->ofd = NULL;
	return 1;
}

/* Install o at fd (closed by the caller) with a new vfd; NULL if untracked. */
static struct fdslot *fd_install(struct fdtab *t, int64_t fd, struct ofd *o,
				 int cloexec)
{
	if (fd < 0 || fd >= FD_MAX) {
		if (!o->refs) {	/* a new description nothing refers to */
			o->next_free = ofd_free;
			ofd_free = o;
		}
		return NULL;
	}
	if (fd >= t->cap) {
		int cap = t->cap ? t->cap : 16;

		while (cap <= fd)
			cap *= 2;
		t->slot = xrealloc(t->slot, cap * sizeof(*t->slot));
		memset(t->slot + t->cap, 0, (cap - t->cap) * sizeof(*t->slot));
		t->cap = cap;
	}
	t->slot[fd].vfd = next_vfd++;
	t->slot[fd].ofd = o;
	t->slot[fd].cloexec = cloexec;
	o->refs++;
	return &t->slot[fd];
}

static struct fdtab *fdtab_new(void)
{
	struct fdtab *t = xcalloc(1, sizeof(*t));

	t->refs = 1;
	return t;
}

/* A copy keeps the vfd and ofd of every descriptor, as fork(2) does. */
static struct fdtab *fdtab_copy(const struct fdtab *src)
{
	struct fdtab *t = fdtab_new();

	if (src->cap) {
		t->cap = src->cap;
		t->slot = xcalloc(t->cap, sizeof(*t->slot));
		memcpy(t->slot, src->slot, t->cap * sizeof(*t->slot));
		for (int i = 0; i < t->cap; i++)
			if (t->slot[i].ofd)
				t->slot[i].ofd->refs++;
	}
	return t;
}

static void fdtab_unref(struct fdtab *t)
{
	if (--t->refs > 0)
		return;
	for (int i = 0; i < t->cap; i++)
		if (t->slot[i].ofd)
			ofd_unref(t->slot[i].ofd);
	free(t->slot);
	free(t);
}

/* ---- io_uring rings: their registered files ---- */

/* Slot i of g, or NULL when it is empty or out of range. */
static struct fixed *ring_get(const struct ring *g, int64_t i)
{
	if (!g || i < 0 || i >= g->cap || !g->slot[i].ofd)
		return NULL;
	return &g->slot[i];
}

static void ring_clear_slot(struct ring *g, int64_t i)
{
	struct fixed *f = ring_get(g, i);

	if (f) {
		ofd_unref(f->ofd);
		f->ofd = NULL;
	}
}

/*
 * Register o (from descriptor vfd) at slot i. A ring's own description
 * is never held by a slot (the kernel refuses it): no reference cycles.
 */
static void ring_set(struct ring *g, int64_t i, uint64_t vfd, struct ofd *o)
{
	if (i < 0 || o->ring)
		return;
	if (i >= RING_SLOTS_MAX) {
		st.fixed_overflow++;
		return;
	}
	if (i >= g->cap) {
		int cap = g->cap ? g->cap : 16;

		while (cap <= i)
			cap *= 2;
		g->slot = xrealloc(g->slot, cap * sizeof(*g->slot));
		memset(g->slot + g->cap, 0, (cap - g->cap) * sizeof(*g->slot));
		g->cap = cap;
	}
	o->refs++;		/* before the old one goes: it may be o */
	ring_clear_slot(g, i);
	g->slot[i].vfd = vfd;
	g->slot[i].ofd = o;
}

static void ring_clear(struct ring *g)
{
	for (int i = 0; i < g->cap; i++)
		ring_clear_slot(g, i);
}

static void ring_free(struct ring *g)
{
	ring_clear(g);
	free(g->slot);
	free(g);
}

/* The ring of descriptor fd of t, or NULL. */
static struct ring *ring_of(const struct task *t, int64_t fd)
{
	const struct fdslot *s = fd_get(t->files, fd);

	return s ? s->ofd->ring : NULL;
}

/* ---- working directories ---- */

static struct fs *fs_new(void)
{
	struct fs *f = xcalloc(1, sizeof(*f));

	f->refs = 1;
	return f;
}

static void fs_set(struct fs *f, const char *cwd)
{
	size_t n = strlen(cwd) + 1;

	if (f->cap < n) {
		f->cwd = xrealloc(f->cwd, n);
		f->cap = n;
	}
	memcpy(f->cwd, cwd, n);
	f->known = 1;
}

static struct fs *fs_copy(const struct fs *src)
{
	struct fs *f = fs_new();

	if (src->known)
		fs_set(f, src->cwd);
	return f;
}

static void fs_unref(struct fs *f)
{
	if (--f->refs > 0)
		return;
	free(f->cwd);
	free(f);
}

/* ---- file mappings ---- */

/* Index of the first mapping of p that ends after a. */
static int map_after(const struct proc *p, uint64_t a)
{
	int lo = 0, hi = p->nmap;

	while (lo < hi) {
		int mid = lo + (hi - lo) / 2;

		if (p->map[mid].end > a)
			hi = mid;
		else
			lo = mid + 1;
	}
	return lo;
}

/* The lowest mapping overlapping [a, b), or NULL. */
static struct mapping *map_find(const struct proc *p, uint64_t a, uint64_t b)
{
	int i = map_after(p, a);

	return i < p->nmap && p->map[i].start < b ? &p->map[i] : NULL;
}

/* Make room for one mapping at index i. */
static struct mapping *map_insert(struct proc *p, int i)
{
	if (p->nmap == p->capmap) {
		p->capmap = p->capmap ? 2 * p->capmap : 8;
		p->map = xrealloc(p->map, p->capmap * sizeof(*p->map));
	}
	memmove(p->map + i + 1, p->map + i, (p->nmap - i) * sizeof(*p->map));
	p->nmap++;
	return &p->map[i];
}

/* Unmap [a, b): drop, trim or split the mappings it overlaps, as munmap(2). */
static void map_remove(struct proc *p, uint64_t a, uint64_t b)
{
	int i = map_after(p, a), j;
	struct mapping *m;

	if (i == p->nmap || p->map[i].start >= b)
		return;
	m = &p->map[i];
	if (m->start < a && m->end > b) {	/* a hole in the middle */
		m = map_insert(p, i + 1);
		*m = p->map[i];
		m->start = b;
		m->ofd->refs++;
		p->map[i].end = a;
		return;
	}
	if (m->start < a)
		p->map[i++].end = a;
	for (j = i; j < p->nmap && p->map[j].end <= b; j++)
		ofd_unref(p->map[j].ofd);
	memmove(p->map + i, p->map + j, (p->nmap - j) * sizeof(*p->map));
	p->nmap -= j - i;
	if (i < p->nmap && p->map[i].start < b)
		p->map[i].start = b;
}

/* Map [a, b) to a descriptor's file, replacing what was there (MAP_FIXED). */
static void map_add(struct proc *p, uint64_t a, uint64_t b, uint64_t vfd,
		    struct ofd *o)
{
	struct mapping *m;

	map_remove(p, a, b);
	m = map_insert(p, map_after(p, a));
	m->start = a;
	m->end = b;
	m->vfd = vfd;
	m->ofd = o;
	o->refs++;
}

static void map_clear(struct proc *p)
{
	for (int i = 0; i < p->nmap; i++)
		ofd_unref(p->map[i].ofd);
	p->nmap = 0;
}

/* A forked child's address space is a copy of its parent's. */
static void map_copy(struct proc *dst, const struct proc *src)
{
	for (int i = 0; i < src->nmap; i++) {
		struct mapping *m = map_insert(dst, dst->nmap);

		*m = src->map[i];
		m->ofd->refs++;
	}
}

/* ---- tasks and processes ---- */

static struct proc *proc_new(int64_t kpid)
{
	struct proc *p = xcalloc(1, sizeof(*p));

	p->kpid = kpid;
	p->vpid = next_vid++;
	idmap_put(&procs, kpid, p);
	return p;
}

static struct task *task_new(struct proc *p, int64_t ktid, int64_t vtid,
			     struct fdtab *files, struct fs *fs)
{
	struct task *t = xcalloc(1, sizeof(*t));

	t->ktid = ktid;
	t->vtid = vtid;
	t->proc = p;
	t->files = files;
	t->fs = fs;
	t->next = p->tasks;
	if (p->tasks)
		p->tasks->prev = t;
	p->tasks = t;
	idmap_put(&tasks, ktid, t);
	return t;
}

/* Free a task, and its process with its last task. */
static void task_free(struct task *t)
{
	struct proc *p = t->proc;

	idmap_del(&tasks, t->ktid, t);
	if (t->prev)
		t->prev->next = t->next;
	else
		p->tasks = t->next;
	if (t->next)
		t->next->prev = t->prev;
	fdtab_unref(t->files);
	fs_unref(t->fs);
	free(t);
	if (!p->tasks) {
		idmap_del(&procs, p->kpid, p);
		map_clear(p);
		free(p->map);
		free(p);
	}
}

static void proc_free(struct proc *p)
{
	struct task *t;
	int last;

	do {
		t = p->tasks;
		last = !t->next;
		task_free(t);
	} while (!last);
}

/*
 * The task of a record. A task not announced by sched:fork joins the
 * live process of its kernel pid (sharing its table and cwd, as threads
 * do) or starts a new one. The leader gets vtid == vpid.
 */
static struct task *task_get(int64_t kpid, int64_t ktid)
{
	struct task *t = idmap_get(&tasks, ktid);
	struct proc *p;
	struct fdtab *files;
	struct fs *fs;
	int64_t vtid;

	if (t && t->proc->kpid == kpid)
		return t;
	if (t)
		task_free(t);	/* exit missed, kernel id reused */
	p = idmap_get(&procs, kpid);
	if (p) {
		files = p->tasks->files;
		fs = p->tasks->fs;
		files->refs++;
		fs->refs++;
	} else {
		p = proc_new(kpid);
		files = fdtab_new();
		fs = fs_new();
	}
	if (ktid == kpid && !p->vpid_used) {
		p->vpid_used = 1;
		vtid = p->vpid;
	} else
		vtid = next_vid++;
	return task_new(p, ktid, vtid, files, fs);
}

/* ---- filters ---- */

static void filter_add(struct filter *f, int opt, const char *pat)
{
	int errcode;
	PCRE2_SIZE off;
	pcre2_code *re;

	re = pcre2_compile((PCRE2_SPTR)pat, PCRE2_ZERO_TERMINATED, 0, &errcode,
			   &off, NULL);
	if (!re) {
		PCRE2_UCHAR msg[256];

		pcre2_get_error_message(errcode, msg, sizeof(msg));
		ior_errx(IOR_EXIT_USAGE, "-%c: %s at offset %zu in \"%s\"",
			 opt, (char *)msg, (size_t)off, pat);
	}
	pcre2_jit_compile(re, PCRE2_JIT_COMPLETE);	/* else interpreted */
	f->re = xrealloc(f->re, (f->n + 1) * sizeof(*f->re));
	f->pat = xrealloc(f->pat, (f->n + 1) * sizeof(*f->pat));
	f->re[f->n] = re;
	f->pat[f->n] = pat;
	f->n++;
}

static int filter_match(const struct filter *f, const char *s)
{
	for (int i = 0; i < f->n; i++)
		if (pcre2_match(f->re[i], (PCRE2_SPTR)s, strlen(s), 0, 0, md,
				NULL) >= 0)
			return 1;
	return 0;
}

/* Comm filters, remembering the last escaped comm: it rarely changes. */
static int comm_kept(const struct ior_in *in, const char *comm)
{
	static char last[PATH_BUF];
	static int last_kept;
	static char raw[PATH_BUF];

	if (!comm_inc.n && !comm_exc.n)
		return 1;
	if (last[0] && !strcmp(last, comm))
		return last_kept;
	ior_val_unescape(in, "COMM", comm, raw, sizeof(raw));
	last_kept = (!comm_inc.n || filter_match(&comm_inc, raw)) &&
		    !filter_match(&comm_exc, raw);
	snprintf(last, sizeof(last), "%s", comm);
	return last_kept;
}

/* Path filters apply to file records: those with a path or a descriptor. */
static int path_kept(const struct recinfo *ri)
{
	const char *s[4];
	int n = 0;

	if (ri->path[0] < 0 && ri->path[1] < 0 && ri->fd < 0 && !ri->ofd)
		return 1;
	for (int k = 0; k < 2; k++)
		if (ri->path[k] >= 0)
			s[n++] = ri->raw[k];
	if (ri->ofd)
		s[n++] = ri->ofd->path;
	if (ri->ofd2)
		s[n++] = ri->ofd2->path;
	for (int i = 0; i < n; i++)
		if (filter_match(&exc, s[i]))
			return 0;
	if (!inc.n)
		return 1;
	for (int i = 0; i < n; i++)
		if (filter_match(&inc, s[i]))
			return 1;
	return 0;
}

/* ---- records ---- */

/*
 * What the table of calls says of a record's call, as ior-map uses it:
 * what the call does to the model (the row's map column), which of its
 * path keys are path names to make absolute, and whether its fd is a
 * descriptor. Computed once per row.
 */
enum join { JOIN, JOIN_NEVER, JOIN_ABSOLUTE };
struct call_model {
	enum ior_map map;
	enum join join[2];	/* path, path2 */
	int fd_is_desc;		/* fd= names a descriptor */
};

static struct call_model models[IOR_NCALLS];
static const struct call_model unknown_call = { IOR_MAP_NONE,
	{ JOIN, JOIN }, 1 };
static const struct call_model unknown_init = { IOR_MAP_INIT,
	{ JOIN_NEVER, JOIN_NEVER }, 1 };

/* The type the row gives key, or -1 when it lists no such key. */
static int key_type(const struct ior_call *row, const char *key)
{
	for (int i = 0; i < row->nargs; i++)
		if (!strcmp(row->args[i].key, key))
			return row->args[i].type;
	return -1;
}

/*
 * Whether path k (0: path, 1: path2) of a call is made absolute: a key
 * the row types PATH (not LINK, a symlink's target, nor NAME, nor one
 * its tracer writes, as readlink's path2), or one it does not list. Not:
 * init:* paths (already rooted), a stat's path2 (the target of the link
 * it found), the directory getcwd returned, a memfd's name; and the name
 * of a descriptor ior:fd or open_by_handle_at found only when absolute
 * ("pipe:[42]" is no path).
 */
static enum join join_of(const struct ior_call *row, int k)
{
	int t;

	switch (row->map) {
	case IOR_MAP_INIT:
	case IOR_MAP_GETCWD:
	case IOR_MAP_MEMFD:
		return JOIN_NEVER;
	case IOR_MAP_IORFD:
	case IOR_MAP_OPEN_BY_HANDLE:
		return JOIN_ABSOLUTE;
	case IOR_MAP_STAT:
		if (k == 1)
			return JOIN_NEVER;
		break;
	default:
		break;
	}
	t = key_type(row, k ? "path2" : "path");
	return t < 0 || t == IOR_ARG_PATH ? JOIN : JOIN_NEVER;
}

static void models_init(void)
{
	for (int c = 0; c < IOR_NCALLS; c++) {
		const struct ior_call *row = &ior_calls[c];
		int t = key_type(row, "fd");

		models[c].map = row->map;
		models[c].join[0] = join_of(row, 0);
		models[c].join[1] = join_of(row, 1);
		/* ior:fd's fd is new, close_range's a bound, a handle's a mount */
		models[c].fd_is_desc = t < 0 || t == IOR_ARG_FD;
	}
}

/* The model of a call; a record the table does not know is none. */
static const struct call_model *model_of(const char *name)
{
	int c = ior_call_find(name);

	if (c >= 0)
		return &models[c];
	/* an init: record is a tree entry, whatever its kind */
	return strncmp(name, "init:", 5) ? &unknown_call : &unknown_init;
}

static void scan_keys(const struct ior_rec *r, struct recinfo *ri)
{
	memset(ri, 0, sizeof(*ri));
	ri->path[0] = ri->path[1] = ri->dirfd[0] = ri->dirfd[1] = -1;
	ri->fd = ri->flags = ri->child = ri->cpid = ri->otid = -1;
	ri->group = -1;
	ri->vfd2 = ri->fixed = -1;
	for (int i = 0; i < r->nkv; i++) {
		const char *k = r->kv[i].key;

		switch (k[0]) {	/* most keys need one comparison or none */
		case 'f':
			if (!strcmp(k, "fd"))
				ri->fd = i;
			else if (!strcmp(k, "flags"))
				ri->flags = i;
			break;
		case 'p':
			if (!strcmp(k, "path"))
				ri->path[0] = i;
			else if (!strcmp(k, "path2"))
				ri->path[1] = i;
			break;
		case 'd':
			if (!strcmp(k, "dirfd"))
				ri->dirfd[0] = i;
			else if (!strcmp(k, "dirfd2"))
				ri->dirfd[1] = i;
			break;
		case 'c':
			if (!strcmp(k, "child"))
				ri->child = i;
			else if (!strcmp(k, "cpid"))
				ri->cpid = i;
			break;
		case 'o':
			if (!strcmp(k, "otid"))
				ri->otid = i;
			break;
		case 'g':
			if (!strcmp(k, "group"))
				ri->group = i;
			break;
		}
	}
}

static int64_t kv_int(const struct ior_in *in, const struct ior_rec *r, int i)
{
	return ior_int(in, r->kv[i].key, r->kv[i].val);
}

/* Value of argument i parsed with name table t; 0 when absent. */
static uint64_t kv_flags(const struct ior_in *in, const struct ior_rec *r,
			 int i, const struct ior_flag *t)
{
	uint64_t v;

	if (i < 0)
		return 0;
	if (ior_flags_parse(t, r->kv[i].val, &v) < 0)
		ior_bad(in, r->kv[i].key, "bad value \"%.40s\"", r->kv[i].val);
	return v;
}

static int has_flag(const struct ior_in *in, const struct ior_rec *r, int i,
		    const struct ior_flag *t, uint64_t bit)
{
	return (kv_flags(in, r, i, t) & bit) != 0;
}

/* An address argument: hex digits, with or without 0x. */
static uint64_t kv_hex(const struct ior_in *in, const struct ior_rec *r, int i)
{
	return ior_hex(in, r->kv[i].key, r->kv[i].val);
}

/*
 * The end of a range starting at a, from key len rounded up to pages as
 * mmap(2) and munmap(2) do; 0 when len is absent.
 */
static uint64_t range_end(const struct ior_in *in, const struct ior_rec *r,
			  uint64_t a)
{
	int i = ior_find(r, "len");
	int64_t n;
	uint64_t len;

	if (i < 0)
		return 0;
	if ((n = kv_int(in, r, i)) < 0)
		ior_bad(in, "len", "negative");
	len = ((uint64_t)n + PAGE_SIZE - 1) & ~(uint64_t)(PAGE_SIZE - 1);
	return a + len < a ? UINT64_MAX : a + len;
}

/*
 * Unescape path k (0: path, 1: path2) into pathbuf[k] and, if join, make
 * it absolute against its dirfd's file or the cwd. An unknown base keeps
 * the path as captured.
 */
/*
 * A path through the task's own descriptors, /proc/self/fd/N[/rest] or
 * /proc/thread-self/fd/N[/rest] (tar and coreutils chmod this way), names
 * the descriptor's file: rewrite it to that file's path, so the replay
 * acts on the same file beneath its root.
 */
static void proc_fd_path(const struct ior_in *in, const char *key,
			 const struct task *t, char *path)
{
	static const char *const pre[] = {
		"/proc/self/fd/", "/proc/thread-self/fd/",
	};
	const struct fdslot *s;
	char *p = NULL, *rest;
	int64_t fd = 0;

	for (size_t i = 0; i < sizeof(pre) / sizeof(pre[0]); i++)
		if (!strncmp(path, pre[i], strlen(pre[i])))
			p = path + strlen(pre[i]);
	if (!p || *p < '0' || *p > '9')
		return;
	for (rest = p; *rest >= '0' && *rest <= '9' && fd < INT32_MAX; rest++)
		fd = fd * 10 + (*rest - '0');
	if ((*rest && *rest != '/') || !(s = fd_get(t->files, fd)) ||
	    !s->ofd->abs)
		return;
	memcpy(tmp, rest, strlen(rest) + 1);
	if (ior_path_join(path, PATH_BUF, s->ofd->path, *tmp ? tmp + 1 : "") < 0)
		ior_bad(in, key, "absolute path longer than %d bytes",
			IOR_LINE_MAX);
}

static void resolve(const struct ior_in *in, const struct ior_rec *r,
		    struct recinfo *ri, const struct task *t, int k, int join)
{
	const struct ior_kv *kv = &r->kv[ri->path[k]];
	const char *base = NULL;

	ior_val_unescape(in, kv->key, kv->val, tmp, sizeof(tmp));
	ri->raw[k] = pathbuf[k];
	if (join && tmp[0] != '/') {
		const char *d = ri->dirfd[k] >= 0 ? r->kv[ri->dirfd[k]].val : NULL;
		int64_t dfd;

		if (d && strcmp(d, "AT_FDCWD") &&
		    (dfd = ior_int(in, r->kv[ri->dirfd[k]].key, d)) != -100) {
			const struct fdslot *s = fd_get(t->files, dfd);

			if (s && s->ofd->abs)
				base = s->ofd->path;
		} else if (t->fs->known)
			base = t->fs->cwd;
		if (!base) {
			st.unknown_cwd++;
			join = 0;
		}
	}
	if (!join) {
		memcpy(pathbuf[k], tmp, strlen(tmp) + 1);
		return;
	}
	if (ior_path_join(pathbuf[k], PATH_BUF, base, tmp) < 0)
		ior_bad(in, kv->key, "absolute path longer than %d bytes",
			IOR_LINE_MAX);
	ri->resolved[k] = 1;
	proc_fd_path(in, kv->key, t, pathbuf[k]);
}

/*
 * New descriptor fd on a new description of path: an open, ior:fd,
 * open_by_handle_at, memfd_create. The record gets its keys.
 */
static void add_open(struct recinfo *ri, struct task *t, int64_t fd,
		     const char *path, int cloexec)
{
	struct ofd *o = ofd_new(path, strlen(path), path[0] == '/');
	struct fdslot *s;

	if (fd_close(t->files, fd))
		st.implicit_close++;
	s = fd_install(t->files, fd, o, cloexec);
	if (s) {
		ri->ofd = s->ofd;
		ri->vfd = s->vfd;
	}
}

/*
 * New descriptor fd on the description of the record's fd: dup, dup2,
 * dup3, fcntl F_DUPFD. The record gets vfd2. A target still open is
 * closed: dup2 and dup3 do that, dup and F_DUPFD pick a free one, so
 * for them it was a missed close.
 */
static void add_dup(struct recinfo *ri, struct task *t, int64_t fd,
		    int cloexec, int missed)
{
	struct fdslot *s;

	if (fd_close(t->files, fd) && missed)
		st.implicit_close++;
	s = fd_install(t->files, fd, ri->ofd, cloexec);
	if (s)
		ri->vfd2 = s->vfd;
}

/*
 * A dup of a descriptor not in the table (a pipe or socket from a call
 * not captured): descriptor fd is now on something unknown, and what the
 * table had there is gone, as for add_dup.
 */
static void drop_dup(struct task *t, int64_t fd, int missed)
{
	if (fd_close(t->files, fd) && missed)
		st.implicit_close++;
}

/* fcntl: F_DUPFD and F_DUPFD_CLOEXEC duplicate, F_SETFD sets FD_CLOEXEC. */
static void do_fcntl(const struct ior_in *in, const struct ior_rec *r,
		     struct recinfo *ri, struct task *t)
{
	int i = ior_find(r, "cmd"), arg = ior_find(r, "arg");
	uint64_t cmd;

	if (i < 0)
		ior_bad(in, "cmd", "missing");
	cmd = kv_flags(in, r, i, ior_fcntl_cmds);
	if (r->ret < 0)
		return;
	if ((cmd == F_DUPFD || cmd == F_DUPFD_CLOEXEC) && !ri->ofd)
		drop_dup(t, r->ret, 1);
	if (!ri->ofd)
		return;
	if (cmd == F_DUPFD || cmd == F_DUPFD_CLOEXEC)
		add_dup(ri, t, r->ret, cmd == F_DUPFD_CLOEXEC, 1);
	else if (cmd == F_SETFD && arg >= 0)
		fd_get(t->files, kv_int(in, r, ri->fd))->cloexec =
			has_flag(in, r, arg, ior_fd_flags, FD_CLOEXEC);
}

/* Give the task its own copy of a shared table. */
static void unshare_files(struct task *t)
{
	struct fdtab *f = t->files;

	if (f->refs > 1) {
		t->files = fdtab_copy(f);
		fdtab_unref(f);
	}
}

/* close_range: close fd..maxfd, or mark them close-on-exec. */
static void do_close_range(const struct ior_in *in, const struct ior_rec *r,
			   struct recinfo *ri, struct task *t)
{
	int i = ior_find(r, "maxfd");
	uint64_t flags = kv_flags(in, r, ri->flags, ior_close_range_flags);
	int64_t fd, maxfd;

	if (ri->fd < 0 || i < 0)
		ior_bad(in, ri->fd < 0 ? "fd" : "maxfd", "missing");
	fd = kv_int(in, r, ri->fd);
	maxfd = kv_int(in, r, i);
	if (r->ret < 0)
		return;
	if (flags & CLOSE_RANGE_UNSHARE)
		unshare_files(t);
	if (fd < 0)
		fd = 0;
	if (maxfd >= t->files->cap)
		maxfd = t->files->cap - 1;
	for (; fd <= maxfd; fd++) {
		if (!(flags & CLOSE_RANGE_CLOEXEC))
			fd_close(t->files, fd);
		else if (fd_get(t->files, fd))
			t->files->slot[fd].cloexec = 1;
	}
}

/* unshare: CLONE_FILES copies the table, CLONE_FS the cwd. */
static void do_unshare(const struct ior_in *in, const struct ior_rec *r,
		       struct recinfo *ri, struct task *t)
{
	uint64_t flags = kv_flags(in, r, ri->flags, ior_clone_flags);

	if (r->ret < 0)
		return;
	if (flags & CLONE_FILES)
		unshare_files(t);
	if ((flags & CLONE_FS) && t->fs->refs > 1) {
		struct fs *f = t->fs;

		t->fs = fs_copy(f);
		fs_unref(f);
	}
}

/*
 * munmap, msync, madvise: the record gets the keys of the lowest file
 * mapping its range overlaps; a successful munmap then unmaps the range.
 */
static void do_mrange(const struct ior_in *in, const struct ior_rec *r,
		      struct recinfo *ri, const struct task *t, enum ior_map c)
{
	int i = ior_find(r, "addr");
	uint64_t a, b;
	struct mapping *m;

	if (i < 0)
		return;
	a = kv_hex(in, r, i);
	b = range_end(in, r, a);
	if ((m = map_find(t->proc, a, b > a ? b : a + 1))) {
		ri->ofd = m->ofd;
		ri->vfd = m->vfd;
	}
	if (c == IOR_MAP_MUNMAP && r->ret == 0 && b > a)
		map_remove(t->proc, a, b);
}

static void do_fork(const struct ior_in *in, const struct ior_rec *r,
		    struct recinfo *ri, struct task *parent)
{
	int thread, files, fs;
	int64_t kchild, kcpid;
	struct task *old;
	struct proc *p;
	int64_t vtid;

	if (ri->child < 0)
		ior_bad(in, "child", "missing");
	kchild = kv_int(in, r, ri->child);
	thread = has_flag(in, r, ri->flags, ior_clone_flags, CLONE_THREAD);
	files = has_flag(in, r, ri->flags, ior_clone_flags, CLONE_FILES);
	fs = has_flag(in, r, ri->flags, ior_clone_flags, CLONE_FS);
	kcpid = ri->cpid >= 0 ? kv_int(in, r, ri->cpid) :
		thread ? parent->proc->kpid : kchild;
	if (kchild == parent->ktid)
		ior_bad(in, "child", "the forking task itself");
	if (!thread && kcpid == parent->proc->kpid)
		ior_bad(in, "cpid", "a new process with its parent's pid");
	if ((old = idmap_get(&tasks, kchild)))
		task_free(old);	/* its exit was missed */
	if (thread) {
		p = parent->proc;
		vtid = next_vid++;
	} else {
		if ((p = idmap_get(&procs, kcpid)))
			proc_free(p);	/* its exit was missed */
		p = proc_new(kcpid);
		p->vpid_used = 1;
		vtid = p->vpid;
	}
	if (files)
		parent->files->refs++;
	if (fs)
		parent->fs->refs++;
	task_new(p, kchild, vtid,
		 files ? parent->files : fdtab_copy(parent->files),
		 fs ? parent->fs : fs_copy(parent->fs));
	if (!thread)
		map_copy(p, parent->proc);
	ri->child_v = vtid;
	ri->cpid_v = p->vpid;
	ri->kchild = kchild;
}

/*
 * exec unshares the table, as the kernel does, closes O_CLOEXEC and
 * starts a new address space.
 */
static void do_exec(struct task *t)
{
	struct fdtab *f;

	unshare_files(t);
	f = t->files;
	for (int i = 0; i < f->cap; i++)
		if (f->slot[i].ofd && f->slot[i].cloexec)
			fd_close(f, i);
	map_clear(t->proc);
}

/*
 * The task of a sched:exec record. A non-leader thread that executes
 * takes its leader's kernel tid (otid is its old one): it keeps its vtid.
 */
static struct task *exec_task(const struct ior_in *in, struct ior_rec *r,
			      struct recinfo *ri)
{
	struct task *t, *old;
	int64_t otid;

	if (ri->otid < 0)
		return task_get(r->pid, r->tid);
	otid = kv_int(in, r, ri->otid);
	t = idmap_get(&tasks, otid);
	if (otid == r->tid || !t || t->proc->kpid != r->pid) {
		t = task_get(r->pid, r->tid);
	} else {
		if ((old = idmap_get(&tasks, r->tid)))
			task_free(old);	/* the old leader, exit not seen yet */
		idmap_del(&tasks, otid, t);
		t->ktid = r->tid;
		idmap_put(&tasks, t->ktid, t);
	}
	ri->otid_v = t->vtid;
	return t;
}

/*
 * Whether the fd of io_uring_register or io_uring_enter is an index into
 * the ring descriptors registered with IORING_REGISTER_RING_FDS, not a
 * descriptor: those are not followed.
 */
static int ring_fd_is_index(const struct ior_in *in, const struct ior_rec *r,
			    const struct recinfo *ri, enum ior_map c)
{
	if (c == IOR_MAP_URING_REGISTER)
		return (kv_flags(in, r, ior_find(r, "opcode"),
				 ior_uring_register_ops) & 0x80000000u) != 0;
	return has_flag(in, r, ri->flags, ior_uring_enter_flags,
			0x10);	/* IORING_ENTER_REGISTERED_RING */
}

/* fds= of io_uring_register into fdlist; returns how many. */
static size_t parse_fds(const struct ior_in *in, const char *val)
{
	size_t n = 0;
	char *p, *comma;

	ior_val_unescape(in, "fds", val, tmp, sizeof(tmp));
	if (!tmp[0])
		return 0;
	for (p = tmp;; p = comma + 1) {
		if ((comma = strchr(p, ',')))
			*comma = '\0';
		fdlist[n++] = ior_int(in, "fds", p);
		if (!comma)
			return n;
	}
}

/*
 * io_uring_register: the record gets vfds for its fds (when the line has
 * room), and a success changes the ring's table as the kernel does.
 */
static void do_uring_register(const struct ior_in *in, const struct ior_rec *r,
			      struct recinfo *ri, const struct task *t)
{
	int i = ior_find(r, "fds");
	struct ring *g = ri->ofd ? ri->ofd->ring : NULL;
	size_t n = i < 0 ? 0 : parse_fds(in, r->kv[i].val), len = 0;
	size_t room = IOR_LINE_MAX - 64 - in->linelen;
	int64_t op, off;

	op = kv_flags(in, r, ior_find(r, "opcode"), ior_uring_register_ops) &
		0x7fffffff;
	off = ior_get_int(in, r, "offset", 0);
	for (size_t k = 0; i >= 0 && k < n && len < room; k++) {
		const struct fdslot *s = fd_get(t->files, fdlist[k]);

		len += snprintf(vfds + len, sizeof(vfds) - len, "%s%lld",
				k ? "," : "", s ? (long long)s->vfd : -1LL);
	}
	ri->vfds = i >= 0 && len < room;
	if (i >= 0 && !ri->vfds)
		st.fixed_overflow++;
	if (r->ret < 0 || !g)
		return;
	switch (op) {
	case 2:		/* IORING_REGISTER_FILES */
	case 13:	/* IORING_REGISTER_FILES2 */
	case 3:		/* IORING_UNREGISTER_FILES */
		ring_clear(g);
		off = 0;
		break;
	case 6:		/* IORING_REGISTER_FILES_UPDATE */
	case 14:	/* IORING_REGISTER_FILES_UPDATE2 */
		if ((uint64_t)r->ret < n)	/* it updated the first RET */
			n = r->ret;
		break;
	default:
		return;
	}
	for (size_t k = 0; op != 3 && k < n; k++) {
		const struct fdslot *s = fd_get(t->files, fdlist[k]);

		if (fdlist[k] == REGISTER_FILES_SKIP)
			continue;
		if (s)
			ring_set(g, off + k, s->vfd, s->ofd);
		else
			ring_clear_slot(g, off + k);
	}
}

/*
 * A uring: request: fixed= names a registered file of the ring; the
 * record gets its vfd, ofd and file. Returns the ring's table, or NULL.
 */
static struct ring *uring_request(const struct ior_in *in,
				  const struct ior_rec *r, struct recinfo *ri,
				  const struct task *t)
{
	int i = ior_find(r, "ring"), k = ior_find(r, "fixed");
	struct ring *g = i < 0 ? NULL : ring_of(t, kv_int(in, r, i));
	const struct fixed *f;

	if (k < 0)
		return g;
	ri->fixed = kv_int(in, r, k);
	if ((f = ring_get(g, ri->fixed))) {
		ri->ofd = f->ofd;
		ri->vfd = f->vfd;
	} else
		st.unknown_fd++;
	return g;
}

/*
 * uring:openat and openat2: without slot, a descriptor as openat opens
 * one; with slot, a registered file of the ring, from no descriptor.
 */
static void do_uring_open(const struct ior_in *in, const struct ior_rec *r,
			  struct recinfo *ri, struct task *t, struct ring *g)
{
	const char *path = ri->path[0] >= 0 ? ri->raw[0] : "";
	int i = ior_find(r, "slot");
	int64_t slot;
	struct ofd *o;

	if (r->ret < 0)
		return;
	if (i < 0) {
		add_open(ri, t, r->ret, path,
			 has_flag(in, r, ri->flags, ior_open_flags, O_CLOEXEC));
		return;
	}
	slot = kv_int(in, r, i);
	if (!g) {
		st.unknown_fd++;
		return;
	}
	o = ofd_new(path, strlen(path), path[0] == '/');
	ring_set(g, slot, next_vfd, o);
	if (!o->refs) {		/* out of the table's bounds */
		o->next_free = ofd_free;
		ofd_free = o;
		return;
	}
	ri->ofd = o;
	ri->vfd = next_vfd++;
}

static void put_record(const struct ior_rec *r, const struct recinfo *ri)
{
	ior_put_head(&out, r);
	for (int i = 0; i < r->nkv; i++) {
		const char *k = r->kv[i].key;

		if (i == ri->path[0] && ri->resolved[0])
			ior_put_kv_esc(&out, k, pathbuf[0]);
		else if (i == ri->path[1] && ri->resolved[1])
			ior_put_kv_esc(&out, k, pathbuf[1]);
		else if (i == ri->child && ri->kchild)
			ior_put_kv_i64(&out, k, ri->child_v);
		else if (i == ri->cpid && ri->kchild)
			ior_put_kv_i64(&out, k, ri->cpid_v);
		else if (i == ri->otid && ri->otid_v)
			ior_put_kv_i64(&out, k, ri->otid_v);
		else
			ior_put_kv(&out, k, r->kv[i].val);
	}
	if (ri->kchild)
		ior_put_kv_i64(&out, "kchild", ri->kchild);
	if (ri->ofd) {
		ior_put_kv_i64(&out, "vfd", ri->vfd);
		ior_put_kv_i64(&out, "ofd", ri->ofd->id);
		if (ri->ofd->abs)
			ior_put_kv(&out, "file", ri->ofd->esc);
	}
	if (ri->vfd2 >= 0)
		ior_put_kv_i64(&out, "vfd2", ri->vfd2);
	if (ri->vfds)
		ior_put_kv(&out, "vfds", vfds);
	if (ri->ofd2) {
		ior_put_kv_i64(&out, "ofd2", ri->ofd2->id);
		if (ri->ofd2->abs)
			ior_put_kv(&out, "file2", ri->ofd2->esc);
	}
	ior_putc(&out, '\n');
}

/* Whether path k of a record, with value val, is made absolute. */
static int joined(const struct call_model *m, int k, const char *val)
{
	switch (m->join[k]) {
	case JOIN:
		return val[0] != '\0';	/* not an empty one (AT_EMPTY_PATH) */
	case JOIN_ABSOLUTE:
		return val[0] == '/';
	default:
		return 0;
	}
}

/*
 * Update the model from one record and write it unless filtered.
 * Everything that can reject the record runs before anything is written.
 */
static void map_record(const struct ior_in *in, struct ior_rec *r)
{
	const struct call_model *m = model_of(r->call);
	enum ior_map c = m->map;
	struct recinfo ri;
	struct ring *g = NULL;
	struct task *t;
	int kept, ring_ctl = c == IOR_MAP_URING_SETUP || c == IOR_MAP_URING_ENTER ||
		c == IOR_MAP_URING_REGISTER;

	st.records++;
	scan_keys(r, &ri);
	t = c == IOR_MAP_EXEC ? exec_task(in, r, &ri) : task_get(r->pid, r->tid);
	r->pid = t->proc->vpid;
	r->tid = t->vtid;

	for (int k = 0; k < 2; k++)
		if (ri.path[k] >= 0)
			resolve(in, r, &ri, t, k,
				joined(m, k, r->kv[ri.path[k]].val));
	/* fstat(fd) is newfstatat(fd, "", AT_EMPTY_PATH): it uses dirfd. */
	if (ri.fd < 0 && ri.dirfd[0] >= 0 && ri.path[0] >= 0 &&
	    !r->kv[ri.path[0]].val[0] && strcmp(r->kv[ri.dirfd[0]].val, "AT_FDCWD"))
		ri.fd = ri.dirfd[0];
	/* The descriptor used; not the index of a registered ring. */
	if (ri.fd >= 0 && m->fd_is_desc &&
	    !(ring_ctl && ring_fd_is_index(in, r, &ri, c))) {
		struct fdslot *s = fd_get(t->files, kv_int(in, r, ri.fd));

		if (s) {
			ri.ofd = s->ofd;
			ri.vfd = s->vfd;
		} else
			st.unknown_fd++;
	}
	if (c == IOR_MAP_XFER) {
		int i = ior_find(r, "fd2");
		struct fdslot *s = i < 0 ? NULL :
			fd_get(t->files, kv_int(in, r, i));

		if (s) {
			ri.ofd2 = s->ofd;
			ri.vfd2 = s->vfd;
		} else
			st.unknown_fd++;
	}

	if (c == IOR_MAP_URING || c == IOR_MAP_URING_OPEN || c == IOR_MAP_URING_CLOSE ||
	    c == IOR_MAP_URING_INSTALL)
		g = uring_request(in, r, &ri, t);

	switch (c) {
	case IOR_MAP_URING_SETUP:
		/* The ring is a descriptor: close, dup, fork, exec act on it. */
		if (r->ret >= 0) {
			add_open(&ri, t, r->ret, "anon_inode:[io_uring]", 1);
			if (ri.ofd)
				ri.ofd->ring = xcalloc(1, sizeof(*ri.ofd->ring));
		}
		break;
	case IOR_MAP_URING_REGISTER:
		do_uring_register(in, r, &ri, t);
		break;
	case IOR_MAP_URING_OPEN:
		do_uring_open(in, r, &ri, t, g);
		break;
	case IOR_MAP_URING_CLOSE:
		/* As close(2) for a descriptor; a registered file on success. */
		if (ri.fd >= 0 && r->ret != -EBADF)
			fd_close(t->files, kv_int(in, r, ri.fd));
		else if (ri.fixed >= 0 && r->ret == 0)
			ring_clear_slot(g, ri.fixed);
		break;
	case IOR_MAP_URING_INSTALL:
		/* A descriptor on a registered file (O_CLOEXEC by default). */
		if (r->ret >= 0 && ri.ofd)
			add_dup(&ri, t, r->ret, 1, 1);
		break;
	case IOR_MAP_OPEN:
	case IOR_MAP_OPEN_BY_HANDLE:
		if (r->ret >= 0)
			add_open(&ri, t, r->ret, ri.path[0] >= 0 ? ri.raw[0] : "",
				 has_flag(in, r, ri.flags, ior_open_flags, O_CLOEXEC));
		break;
	case IOR_MAP_IORFD:
		if (ri.fd < 0)
			ior_bad(in, "fd", "missing");
		add_open(&ri, t, kv_int(in, r, ri.fd),
			 ri.path[0] >= 0 ? ri.raw[0] : "",
			 has_flag(in, r, ri.flags, ior_open_flags, O_CLOEXEC));
		break;
	case IOR_MAP_MEMFD:
		/* Not a path: the file is written only when absolute. */
		if (r->ret >= 0) {
			snprintf(tmp, sizeof(tmp), "memfd:%s",
				 ri.path[0] >= 0 ? ri.raw[0] : "");
			add_open(&ri, t, r->ret, tmp,
				 has_flag(in, r, ri.flags, ior_memfd_flags, MFD_CLOEXEC));
		}
		break;
	case IOR_MAP_CLOSE:
		/* close(2) releases the descriptor even when it fails. */
		if (ri.fd >= 0 && r->ret != -EBADF)
			fd_close(t->files, kv_int(in, r, ri.fd));
		break;
	case IOR_MAP_DUP:
		if (r->ret >= 0 && ri.ofd)
			add_dup(&ri, t, r->ret, 0, 1);
		else if (r->ret >= 0)
			drop_dup(t, r->ret, 1);
		break;
	case IOR_MAP_DUP2:
	case IOR_MAP_DUP3:
		/* dup2(fd, fd) changes nothing. */
		if (r->ret < 0 || r->ret == kv_int(in, r, ri.fd))
			break;
		if (ri.ofd)
			add_dup(&ri, t, r->ret, c == IOR_MAP_DUP3 &&
				has_flag(in, r, ri.flags, ior_open_flags, O_CLOEXEC), 0);
		else
			drop_dup(t, r->ret, 0);
		break;
	case IOR_MAP_FCNTL:
		do_fcntl(in, r, &ri, t);
		break;
	case IOR_MAP_CLOSE_RANGE:
		do_close_range(in, r, &ri, t);
		break;
	case IOR_MAP_UNSHARE:
		do_unshare(in, r, &ri, t);
		break;
	case IOR_MAP_MMAP:
		if (r->ret >= 0 && ri.ofd) {
			uint64_t end = range_end(in, r, r->ret);

			if (end > (uint64_t)r->ret)
				map_add(t->proc, r->ret, end, ri.vfd, ri.ofd);
		}
		break;
	case IOR_MAP_MUNMAP:
	case IOR_MAP_MRANGE:
		do_mrange(in, r, &ri, t, c);
		break;
	case IOR_MAP_GETCWD:
		/* What getcwd returned is the cwd. */
		if (r->ret > 0 && !t->fs->known && ri.path[0] >= 0 &&
		    ri.raw[0][0] == '/')
			fs_set(t->fs, ri.raw[0]);
		break;
	case IOR_MAP_CHDIR:
		if (r->ret == 0 && ri.path[0] >= 0) {
			if (ri.resolved[0])
				fs_set(t->fs, pathbuf[0]);
			else
				t->fs->known = 0;
		}
		break;
	case IOR_MAP_FCHDIR:
		if (r->ret == 0) {
			if (ri.ofd && ri.ofd->abs)
				fs_set(t->fs, ri.ofd->path);
			else
				t->fs->known = 0;
		}
		break;
	case IOR_MAP_IORCWD:
		if (ri.resolved[0])
			fs_set(t->fs, pathbuf[0]);
		break;
	case IOR_MAP_FORK:
		do_fork(in, r, &ri, t);
		break;
	case IOR_MAP_EXEC:
		do_exec(t);
		break;
	default:
		break;
	}

	if (c == IOR_MAP_IORCWD || !strncmp(r->call, "sched:", 6))
		kept = 1;	/* later stages need the process structure */
	else if (ring_ctl)
		kept = comm_kept(in, r->comm);	/* the requests need their ring */
	else
		kept = comm_kept(in, r->comm) && path_kept(&ri);
	if (kept) {
		put_record(r, &ri);
		st.written++;
	} else
		st.filtered++;

	if (c == IOR_MAP_EXIT) {
		if (ri.group >= 0 && kv_int(in, r, ri.group) == 1)
			proc_free(t->proc);
		else
			task_free(t);
	}
}

static void put_meta(void)
{
	const struct { const char *key; const struct filter *f; } fl[] = {
		{ "include", &inc }, { "exclude", &exc },
		{ "comm", &comm_inc }, { "exclude_comm", &comm_exc },
	};

	ior_puts(&out, "#meta ior-map version=" IOR_VERSION_STRING);
	for (size_t i = 0; i < sizeof(fl) / sizeof(fl[0]); i++)
		for (int j = 0; j < fl[i].f->n; j++)
			ior_put_kv_esc(&out, fl[i].key, fl[i].f->pat[j]);
	ior_putc(&out, '\n');
}

/*
 * ior_bad() and ior_err() exit directly: write out what was mapped before
 * the bad line. Not ior_flush(): it may call exit() itself.
 */
int main(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "include", required_argument, NULL, 'i' },
		{ "exclude", required_argument, NULL, 'x' },
		{ "comm", required_argument, NULL, 'c' },
		{ "exclude-comm", required_argument, NULL, 'X' },
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, 'V' },
		{ NULL, 0, NULL, 0 },
	};
	struct ior_in in;
	struct ior_rec r;
	int ch, nfiles, meta_done = 0;

	ior_setprogname(argv[0]);
	while ((ch = getopt_long(argc, argv, "i:x:c:X:h", longopts, NULL)) != -1) {
		switch (ch) {
		case 'i':
			filter_add(&inc, ch, optarg);
			break;
		case 'x':
			filter_add(&exc, ch, optarg);
			break;
		case 'c':
			filter_add(&comm_inc, ch, optarg);
			break;
		case 'X':
			filter_add(&comm_exc, ch, optarg);
			break;
		case 'h':
			usage(stdout);
			return IOR_EXIT_OK;
		case 'V':
			ior_version();
		default:
			usage(stderr);
			return IOR_EXIT_USAGE;
		}
	}
	argc -= optind;
	argv += optind;
	md = pcre2_match_data_create(1, NULL);
	if (!md)
		ior_errx(IOR_EXIT_SYS, "pcre2_match_data_create failed");

	models_init();
	ior_out_init(&out, STDOUT_FILENO, NULL);
	nfiles = argc > 0 ? argc : 1;
	for (int f = 0; f < nfiles; f++) {
		int what;

		ior_in_open(&in, argc > 0 ? argv[f] : NULL);
		while ((what = ior_read(&in, &r)) != IOR_EOF) {
			if (what == IOR_META) {
				if (!ior_is_magic(in.line)) {
					ior_puts(&out, in.line);
					ior_putc(&out, '\n');
					continue;
				}
				if (strcmp(strrchr(in.line, ' ') + 1, "trace"))
					ior_bad(&in, NULL, "a %s stream: ior-map reads trace streams",
						strrchr(in.line, ' ') + 1);
				if (f == 0 && in.lineno == 1)
					ior_put_magic(&out, IOR_KIND_MAP);
				continue;
			}
			if (!meta_done) {
				put_meta();
				meta_done = 1;
			}
			map_record(&in, &r);
		}
		ior_in_close(&in);
	}
	if (!meta_done)
		put_meta();
	ior_printf(&out, "#stat ior-map records=%llu written=%llu filtered=%llu "
		   "unknown_fd=%llu unknown_cwd=%llu implicit_close=%llu "
		   "fixed_overflow=%llu\n",
		   (unsigned long long)st.records, (unsigned long long)st.written,
		   (unsigned long long)st.filtered,
		   (unsigned long long)st.unknown_fd,
		   (unsigned long long)st.unknown_cwd,
		   (unsigned long long)st.implicit_close,
		   (unsigned long long)st.fixed_overflow);
	ior_out_close(&out);
	return IOR_EXIT_OK;
}
