/*
 * order.c - after= (order.h): the resources each operation touches, and
 * how (res.h keeps their recent accesses, with the path entries, the
 * descriptions and here the descriptor numbers); the submitting calls of
 * requests and the thread exits, for the whole run.
 */
#define _GNU_SOURCE
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>
#include <linux/close_range.h>

#include "ior.h"
#include "data.h"
#include "desc.h"
#include "order.h"
#include "record.h"
#include "res.h"
#include "tree.h"

void after_add_seq(struct after_list *l, int64_t seq)
{
	l->kinds |= l->cur;
	if (l->n == AFTER_MAX)
		return;
	for (int i = 0; i < l->n; i++)
		if (l->seq[i] == seq)
			return;
	l->seq[l->n++] = seq;
}

/*
 * The submitting calls by sub number: the seq each got, or -1 when it
 * was dropped. Direct-mapped: in-flight requests name recent subs.
 */
#define SUBS (1 << 16)
static struct { uint64_t sub; int64_t seq; } subs[SUBS];

void sub_seen(uint64_t sub)
{
	/* -1 until it is kept */
	subs[sub & (SUBS - 1)].sub = sub;
	subs[sub & (SUBS - 1)].seq = -1;
}

void sub_kept(uint64_t sub, int64_t seq)
{
	subs[sub & (SUBS - 1)].seq = seq;
}

int64_t sub_seq(uint64_t sub)
{
	const int i = sub & (SUBS - 1);

	if (!subs[i].seq || subs[i].sub < sub)
		return 0;
	return subs[i].sub == sub ? subs[i].seq : SUB_GONE;
}

/* The seq a mark stands for (a request's: its submitting call's), or 0. */
static int64_t mark_seq(int64_t mark)
{
	if (mark < 0 && (mark = sub_seq(-(mark + 1))) < 0)
		mark = 0;
	return mark;
}

/* ---- the waits of one operation ---- */

/*
 * What each thread has waited for, to leave out of after= what its own
 * order implies: by thread (direct-mapped, a slot lost to another
 * thread only makes a wait written twice), the latest seq waited for of
 * up to WAITED_WAYS other threads.
 */
#define WAITED_SLOTS 1024
#define WAITED_WAYS 8
static struct waited {
	int64_t tid;
	/* it waited, with the operation by, for seq of thread of */
	int64_t of[WAITED_WAYS], seq[WAITED_WAYS], by[WAITED_WAYS];
} waited[WAITED_SLOTS];

static struct waited *waited_of(int64_t tid)
{
	struct waited *w = &waited[(uint64_t)tid % WAITED_SLOTS];

	if (w->tid != tid) {
		memset(w, 0, sizeof(*w));
		w->tid = tid;
	}
	return w;
}

/*
 * The operation being ordered, and what it found to wait for: a thread's
 * latest operation stands for its earlier ones.
 */
#define PREDS_MAX 64
struct octx {
	struct after_list *l;
	int64_t limit;			/* waits must be below (0: any) */
	struct waited *w;
	int n;
	struct { int64_t tid, seq; unsigned kinds; } p[PREDS_MAX];
};

static unsigned long wait_ops[WAIT_KINDS], wait_any;

/* u waits for prev, an access of another thread, on account of kind. */
static void wait_acc(struct user *u, const struct acc *prev, unsigned kind)
{
	struct octx *c = u->ctx;
	int64_t seq = mark_seq(prev->mark);
	int i;

	if (seq <= 0 || c->limit == SUB_GONE ||
	    (c->limit > 0 && seq >= c->limit))
		return;
	for (i = 0; i < c->n && c->p[i].tid != prev->tid; i++)
		;
	if (i == c->n) {
		if (c->n == PREDS_MAX) {	/* no room: written at once */
			c->l->cur = kind;
			after_add(c->l, seq);
			c->l->cur = 0;
			return;
		}
		c->n++;
		c->p[i].tid = prev->tid;
		c->p[i].seq = 0;
		c->p[i].kinds = 0;
	}
	if (seq > c->p[i].seq)
		c->p[i].seq = seq;
	c->p[i].kinds |= kind;
}

/*
 * The waits found go to after=, but those the thread's own order
 * implies: it waited for the same or a later operation of that thread,
 * with an operation before this one's: for a request, before its
 * submitting call (limit), which waits for it; by is the operation
 * that waits (a request's: its call).
 */
static void waits_put(struct octx *c, int64_t by)
{
	for (int i = 0; i < c->n; i++) {
		int way = (uint64_t)c->p[i].tid % WAITED_WAYS;
		struct waited *w = c->w;

		if (w->of[way] == c->p[i].tid && w->seq[way] >= c->p[i].seq &&
		    w->by[way] < by)
			continue;
		c->l->cur = c->p[i].kinds;
		after_add(c->l, c->p[i].seq);
		c->l->cur = 0;
		if (by > 0 && (w->of[way] != c->p[i].tid ||
				 w->seq[way] < c->p[i].seq)) {
			w->of[way] = c->p[i].tid;
			w->seq[way] = c->p[i].seq;
			w->by[way] = by;
		}
	}
}

/* ---- names ---- */

static unsigned long names_changed;	/* no change yet: no parent to wait for */

/* Whether an op (that succeeded) changes its path (i 0) or path2 (1). */
static int changes_name(const struct ior_in *in, enum ior_tree op, int i,
			const struct args *a)
{
	uint64_t fl;

	switch (op) {
	case IOR_TREE_MKDIR:
	case IOR_TREE_RMDIR:
	case IOR_TREE_UNLINK:
	case IOR_TREE_MKNOD:
	case IOR_TREE_RENAME:
	case IOR_TREE_SYMLINK:
		return 1;
	case IOR_TREE_LINK:
		return i == 1;
	case IOR_TREE_CREAT:
		return 1;
	case IOR_TREE_OPEN:
		fl = a->flags ? ior_flags(in, "flags", a->flags, ior_open_flags) : 0;
		return (fl & O_CREAT) && (fl & O_TMPFILE) != O_TMPFILE;
	default:
		return 0;
	}
}

/*
 * The directories above e wait for a change of their names, from the
 * top down: found up from e through path_dir(), that keeps each one's
 * on its entry, not by a lookup of each prefix of the path.
 */
static void lookup_parents(struct path_ent *e, struct user *u)
{
	struct path_ent *up[64];
	int n = 0;

	if (!names_changed || e->path[0] != '/')
		return;
	for (struct path_ent *d = path_dir(e); d; d = path_dir(d)) {
		if (n == (int)(sizeof(up) / sizeof(up[0]))) {
			/* deeper: each prefix looked up, as many as there are */
			for (const char *s = strchr(e->path + 1, '/'); s;
			     s = strchr(s + 1, '/')) {
				d = path_get_n(NULL, NULL, e->path, s - e->path);
				if (d->rname)
					res_use(&d->rname, u, ACC_READ, 0,
						RES_END, 0, WAIT_NAME);
			}
			return;
		}
		up[n++] = d;
	}
	while (n--)
		if (up[n]->rname)
			res_use(&up[n]->rname, u, ACC_READ, 0, RES_END, 0,
				WAIT_NAME);
}

/*
 * A directory's list of entries, kept as its size (rsize): changes of
 * names in it do not wait for each other, so they are its "reads", and
 * what reads the list (getdents64, rmdir) its "writes": it waits for
 * the changes before it, and the changes after it wait for it.
 */
static void dir_list(struct path_ent *d, int reads, struct user *u)
{
	res_use(&d->rsize, u, reads ? ACC_WRITE : ACC_READ, 0, RES_END, 1,
		WAIT_SIZE);
}

static void order_names(const struct ior_in *in, const struct ior_rec *r,
			const struct args *a, enum ior_tree op, struct user *u)
{
	const char *p[2] = { a->path, a->path2 };

	if (op == IOR_TREE_IORFD || op == IOR_TREE_RING ||
	    op == IOR_TREE_MEMFD || op == IOR_TREE_HANDLE)
		return;
	for (int i = 0; i < 2; i++) {
		struct path_ent *e, *dir;
		int change;

		if (!p[i] || !*p[i] || (i && p[0] && !strcmp(p[0], p[1])))
			continue;
		e = path_get(in, i ? "path2" : "path", p[i]);
		change = r->ret >= 0 && changes_name(in, op, i, a);
		lookup_parents(e, u);
		res_use(&e->rname, u, change ? ACC_WRITE : ACC_READ, 0,
			RES_END, 1, WAIT_NAME);
		/* rmdir saw the directory empty: it reads its list */
		if (op == IOR_TREE_RMDIR)
			dir_list(e, 1, u);
		if (!change)
			continue;
		names_changed++;
		/* a change of its directory's list of entries */
		if ((dir = path_dir(e)))
			dir_list(dir, 0, u);
	}
}

/* ---- descriptors and their numbers ---- */

/*
 * A descriptor (its vfd: made by one call, used, closed, in whichever
 * processes share it) or a number of a process's table (pid << 32 |
 * number: given by an open or a dup, taken back by a close), listed by
 * the process that first used it, and freed when it exits; a vfd also
 * at its close, while no record has shared one (vfds_shared).
 */
#define VFD_KEY (1ull << 63)
/*
 * The numbers a process's close_ranges took back, as a range resource of
 * the process (its number key with this number, which no descriptor has).
 */
#define RANGES_NUM UINT32_MAX
struct fdnum {
	struct fdnum *next, *prev;	/* the process's */
	uint64_t key;
	int64_t pid;
	struct res *res;
	int64_t vfd;			/* a number's: the vfd it holds, or -1 */
	int gone;			/* its process exited: in dead[] */
};
static struct ior_hashmap fdnums, fdprocs;

static struct fdnum *fdnum_of(int64_t pid, uint64_t key)
{
	struct fdnum *f = ior_hashmap_get(&fdnums, key);

	if (!f) {
		f = ior_xmalloc(sizeof(*f));
		f->key = key;
		f->pid = pid;
		f->res = NULL;
		f->vfd = -1;
		f->gone = 0;
		f->prev = NULL;
		f->next = ior_hashmap_get(&fdprocs, pid);
		if (f->next)
			f->next->prev = f;
		ior_hashmap_put(&fdprocs, pid, f);
		ior_hashmap_put(&fdnums, key, f);
	}
	return f;
}

static struct res **fdnum_res(int64_t pid, uint64_t key)
{
	return &fdnum_of(pid, key)->res;
}

static void fdnum_free(struct fdnum *f)
{
	ior_hashmap_del(&fdnums, f->key, f);
	free(f->res);
	free(f);
}

/*
 * The descriptors of processes gone, kept a while: another process
 * that shared the table (CLONE_FILES) may use one after.
 */
#define DEAD_MAX 4096
static struct fdnum *dead[DEAD_MAX];
static unsigned ndead;

/* A process is gone: so is what it listed. */
static void fdnums_free(int64_t pid)
{
	struct fdnum *f = ior_hashmap_get(&fdprocs, pid);

	if (f)
		ior_hashmap_del(&fdprocs, pid, f);
	while (f) {
		struct fdnum *next = f->next;

		if (f->key & VFD_KEY) {
			struct fdnum **slot = &dead[ndead++ % DEAD_MAX];

			if (*slot)
				fdnum_free(*slot);
			*slot = f;
			f->gone = 1;
		} else {
			fdnum_free(f);
		}
		f = next;
	}
}

/*
 * Whether a record may let a descriptor be named after its close by a
 * record of its own: a fork's child holds the parent's vfds (ior-map(1)),
 * a ring the descriptors registered in it (io_uring_register, ior:fixed,
 * and the requests on them: fixed=, vfds=). Until one comes, a vfd's
 * accesses are forgotten at its close, as none can follow it; after,
 * they are kept until its process exits, as before. So memory follows
 * the descriptors open, not the number ever opened, in a stream of
 * processes that do not fork.
 */
int vfds_shared;		/* set by order_note_sharing() */

/* f, of a process alive, is forgotten. */
static void fdnum_forget(struct fdnum *f)
{
	if (f->next)
		f->next->prev = f->prev;
	if (f->prev)
		f->prev->next = f->next;
	else if (f->next)
		ior_hashmap_put(&fdprocs, f->pid, f->next);
	else
		ior_hashmap_del(&fdprocs, f->pid, f);
	fdnum_free(f);
}

/* vfd, closed by pid: forgotten, if nothing can name it again. */
static void vfd_closed(int64_t pid, int64_t vfd)
{
	struct fdnum *f = ior_hashmap_get(&fdnums, VFD_KEY | (uint64_t)vfd);

	if (!vfds_shared && f && !f->gone && f->pid == pid)
		fdnum_forget(f);
}

/* The descriptor of key k (vfd, vfd2), if any, as kind. */
static void vfd_use(const struct ior_in *in, const struct args *a, int k,
		    const struct ior_rec *r, int kind, struct user *u)
{
	if (a->val[k])
		res_use(fdnum_res(r->pid, VFD_KEY |
				  (uint64_t)arg_int(in, a, k)), u, kind, 0,
			RES_END, 1, WAIT_FD);
}

/* The vfd of key k (vfd, vfd2), or -1. */
static int64_t vfd_of(const struct ior_in *in, const struct args *a, int k)
{
	return a->val[k] ? arg_int(in, a, k) : -1;
}

static unsigned long ranges_closed;	/* none yet: no range to wait for */

/* vfd is closed by pid, through its number: as a close of it. */
static void vfd_close(const struct ior_rec *r, int64_t vfd, struct user *u)
{
	res_use(fdnum_res(r->pid, VFD_KEY | (uint64_t)vfd), u, ACC_WRITE, 0,
		RES_END, 1, WAIT_FD);
	vfd_closed(r->pid, vfd);
}

/*
 * Number fd of the process's table given (to vfd) or taken back (vfd
 * -1). It follows the close_ranges of the process over it, also those
 * from before the number was first seen. A dup2 or dup3 (displace)
 * closes the descriptor that held it.
 */
static void number_change(const struct ior_rec *r, int64_t fd, int64_t vfd,
			  int displace, struct user *u)
{
	const uint64_t key = (uint64_t)r->pid << 32;
	struct fdnum *f, *ranges;

	if (fd < 0 || fd >= RANGES_NUM)
		return;
	f = fdnum_of(r->pid, key | (uint32_t)fd);
	res_use(&f->res, u, ACC_WRITE, 0, RES_END, 1, WAIT_FD);
	if (displace && f->vfd >= 0 && f->vfd != vfd)
		vfd_close(r, f->vfd, u);
	f->vfd = vfd;
	if (ranges_closed && (ranges = ior_hashmap_get(&fdnums, key | RANGES_NUM)))
		res_use(&ranges->res, u, ACC_READ, fd, fd + 1, 0, WAIT_FD);
}

/*
 * close_range: every number of the process's table in fd..maxfd is
 * taken back, and each descriptor there closed (with
 * CLOSE_RANGE_CLOEXEC, marked: not closed). It is kept as one range,
 * for what gives a number of it later: the numbers it closed are
 * forgotten, so that each is walked by one close_range only.
 */
static void numbers_closed(const struct ior_in *in, const struct ior_rec *r,
			   const struct args *a, struct user *u)
{
	const uint64_t key = (uint64_t)r->pid << 32;
	uint64_t lo, hi;
	int cloexec;
	struct fdnum *f, *next;

	if (r->ret < 0 || !a->fd || !a->maxfd)
		return;
	lo = ior_uint(in, "fd", a->fd);
	hi = ior_uint(in, "maxfd", a->maxfd);
	cloexec = a->flags && (ior_flags(in, "flags", a->flags,
			       ior_close_range_flags) & CLOSE_RANGE_CLOEXEC);
	if (lo > hi)
		return;
	hi = hi >= RANGES_NUM ? RANGES_NUM : hi + 1;
	ranges_closed++;
	res_use(fdnum_res(r->pid, key | RANGES_NUM), u, ACC_WRITE, lo, hi, 1,
		WAIT_FD);
	/*
	 * The process's list: what is added as it goes is a vfd, at its
	 * head; what is forgotten, a vfd closed or a number, is unlinked.
	 */
	for (f = ior_hashmap_get(&fdprocs, r->pid); f; f = next) {
		uint64_t n = (uint32_t)f->key;

		if ((f->key & VFD_KEY) || n < lo || n >= hi) {
			next = f->next;
			continue;
		}
		res_use(&f->res, u, ACC_WRITE, 0, RES_END, 1, WAIT_FD);
		if (!cloexec && f->vfd >= 0)
			vfd_close(r, f->vfd, u);
		next = f->next;
		if (!cloexec)
			fdnum_forget(f);
	}
}

static int is_dupfd(const struct ior_in *in, enum ior_tree op,
		    const struct args *a)
{
	uint64_t cmd;

	if (op != IOR_TREE_FCNTL || !a->cmd)
		return 0;
	cmd = ior_flags(in, "cmd", a->cmd, ior_fcntl_cmds);
	return cmd == F_DUPFD || cmd == F_DUPFD_CLOEXEC;
}

static void order_fds(const struct ior_in *in, const struct ior_rec *r,
		      const struct args *a, enum ior_tree op, int call,
		      struct user *u)
{
	int made = op == IOR_TREE_OPEN || op == IOR_TREE_CREAT ||
		op == IOR_TREE_MEMFD || op == IOR_TREE_RING ||
		op == IOR_TREE_IORFD;
	int dup = op == IOR_TREE_DUP || is_dupfd(in, op, a);
	int displace = call == IOR_C_dup2 || call == IOR_C_dup3;

	if (u->mark < 0) {	/* a request uses its descriptor */
		vfd_use(in, a, ARG_vfd, r, ACC_READ, u);
		return;
	}
	vfd_use(in, a, ARG_vfd, r, made || op == IOR_TREE_CLOSE ?
		ACC_WRITE : ACC_READ, u);
	vfd_use(in, a, ARG_vfd2, r, dup ? ACC_WRITE : ACC_READ, u);
	if (op == IOR_TREE_IORFD)
		number_change(r, a->fd ? ior_int(in, "fd", a->fd) : -1,
			      vfd_of(in, a, ARG_vfd), 0, u);
	else if (op == IOR_TREE_CLOSE)
		number_change(r, ior_int(in, "fd", a->fd), -1, 0, u);
	else if (op == IOR_TREE_CLOSE_RANGE)
		numbers_closed(in, r, a, u);
	if (op == IOR_TREE_CLOSE && r->ret >= 0 && a->val[ARG_vfd])
		vfd_closed(r->pid, arg_int(in, a, ARG_vfd));
	else if (r->ret >= 0 && (made || dup || op == IOR_TREE_HANDLE))
		number_change(r, displace ? ior_int(in, "fd2", a->fd2) : r->ret,
			      op == IOR_TREE_HANDLE ? -1 :
			      vfd_of(in, a, dup && a->vfd2 ? ARG_vfd2 : ARG_vfd),
			      displace, u);
}

/* ---- open file descriptions ---- */

static void order_ofd(const struct ior_in *in, const struct args *a,
		      enum ior_tree op, struct ofd_ent *o, int side,
		      struct user *u)
{
	int pos = 0, setfl = 0;

	switch (op) {
	case IOR_TREE_READ:
	case IOR_TREE_WRITE:
	case IOR_TREE_LSEEK:
	case IOR_TREE_GETDENTS:
		pos = 1;
		break;
	case IOR_TREE_XFER:
		pos = !(side ? a->offset2 : a->offset);
		break;
	case IOR_TREE_FCNTL:
		setfl = a->cmd && ior_flags(in, "cmd", a->cmd,
					    ior_fcntl_cmds) == F_SETFL;
		break;
	case IOR_TREE_OPEN:
	case IOR_TREE_CREAT:
	case IOR_TREE_IORFD:
	case IOR_TREE_MEMFD:
	case IOR_TREE_HANDLE:
	case IOR_TREE_RING:
		/* made it: whatever uses it, in any process, comes after */
		setfl = side == 0;
		break;
	default:
		break;
	}
	if (pos || setfl)
		res_use(&o->rpos, u, ACC_WRITE, 0, RES_END, 1, WAIT_OFD);
	res_use(&o->rflags, u, setfl ? ACC_WRITE : ACC_READ, 0, RES_END,
		setfl, WAIT_OFD);
}

/* ---- file data and size ---- */

/*
 * A record's byte count or file offset (count=, offset=, size=, len=), 0
 * when it has none, within 0..INT64_MAX where the ranges of a file lie.
 * Read as lib/check.c reads the key, so that what it let through is read
 * here too: count= unsigned (a size_t, up to 2^64 - 1), the others
 * signed (an loff_t; a negative one is 0).
 */
static uint64_t key_bytes(const struct ior_in *in, const struct args *a,
			  int k)
{
	int64_t s;
	uint64_t n;

	if (!a->val[k])
		return 0;
	if (k == ARG_count)
		n = arg_uint(in, a, ARG_count);
	else
		n = (s = arg_int(in, a, k)) < 0 ? 0 : (uint64_t)s;
	return n > INT64_MAX ? INT64_MAX : n;
}

static uint64_t end_at(uint64_t off, uint64_t n)
{
	return off + n < off || off + n > INT64_MAX ? RES_END : off + n;
}

/*
 * The range [*lo, *hi) an op moved ret bytes of, at the offset of key k
 * (offset, offset2; -1: none) or else at the description's position
 * (after the op): the whole file when not known.
 */
static void range_of(const struct ior_in *in, const struct args *a, int k,
		     const struct ofd_ent *o, int64_t ret,
		     uint64_t *lo, uint64_t *hi)
{
	const char *offset = k < 0 ? NULL : a->val[k];

	*lo = 0;
	*hi = RES_END;
	if (ret < 0)
		return;
	if (offset && strcmp(offset, "-1")) {
		*lo = key_bytes(in, a, k);
		*hi = end_at(*lo, ret);
	} else if (o && o->pos >= ret) {
		*lo = o->pos - ret;
		*hi = o->pos;
	}
}

/* A read of [lo, hi) of f that returned ret of count bytes. */
static void file_read(struct path_ent *f, uint64_t lo, uint64_t hi,
		      int64_t ret, uint64_t count, struct user *u)
{
	if (!f || ret < 0)
		return;
	data_use(&f->rdata, u, ACC_READ, lo, hi, 0, WAIT_DATA);
	if ((uint64_t)ret < count) {	/* it reached the end */
		res_use(&f->rsize, u, ACC_READ, 0, RES_END, 1, WAIT_SIZE);
		if (hi != RES_END)
			f->size_now = hi;
	}
}

/* A write of [lo, hi) of f that wrote ret bytes. */
static void file_write(struct path_ent *f, uint64_t lo, uint64_t hi,
		       int64_t ret, struct user *u)
{
	if (!f || ret < 0)
		return;
	data_use(&f->rdata, u, ACC_WRITE, lo, hi, 1, WAIT_DATA);
	if (ret == 0)
		return;
	if (hi == RES_END || f->size_now < 0 || hi > (uint64_t)f->size_now) {
		res_use(&f->rsize, u, ACC_WRITE, 0, RES_END, 1, WAIT_SIZE);
		if (hi != RES_END && f->size_now >= 0)
			f->size_now = hi;
	}
}

/* The size of f changed to size (-1: not known). */
static void file_resize(struct path_ent *f, int64_t size, uint64_t lo,
			struct user *u)
{
	if (!f)
		return;
	data_use(&f->rdata, u, ACC_WRITE, lo, RES_END, 1, WAIT_DATA);
	res_use(&f->rsize, u, ACC_WRITE, 0, RES_END, 1, WAIT_SIZE);
	f->size_now = size;
}

/* What observed f's size, size (-1: no number). */
static void file_observe(struct path_ent *f, int64_t size, struct user *u)
{
	if (!f)
		return;
	res_use(&f->rsize, u, ACC_READ, 0, RES_END, 1, WAIT_SIZE);
	if (size >= 0)
		f->size_now = size;
}

static int64_t size_key(const struct ior_in *in, const struct args *a)
{
	return a->size ? (int64_t)key_bytes(in, a, ARG_size) : -1;
}

/* The fallocate of [off, off + len), its mode in flags. */
static void file_fallocate(const struct ior_in *in, struct path_ent *f,
			   const struct args *a, struct user *u)
{
	uint64_t lo = key_bytes(in, a, ARG_offset);
	uint64_t hi = end_at(lo, key_bytes(in, a, ARG_len));

	if (!f)
		return;
	data_use(&f->rdata, u, ACC_WRITE, lo, hi, 1, WAIT_DATA);
	if (a->flags && strstr(a->flags, "KEEP_SIZE"))
		return;
	if (hi == RES_END || f->size_now < 0 || hi > (uint64_t)f->size_now) {
		res_use(&f->rsize, u, ACC_WRITE, 0, RES_END, 1, WAIT_SIZE);
		if (f->size_now >= 0 && hi != RES_END)
			f->size_now = hi;
	}
}

/*
 * Mapped I/O: the loads and stores through a mapping are not captured,
 * and the replay makes none. An mmap of a file reads its range (it
 * waits for the writes before it there); the stores through a shared
 * writable mapping reach the file by its msync or munmap, each a write
 * of the ranges the process mapped so (what ior-map gives those calls
 * is the mapping's file, not its offset): by file, the range that
 * covers them, [lo, hi).
 */
struct mapped_w {
	uint64_t lo, hi;
};
static struct ior_hashmap mapped_w;	/* by struct path_ent address */

static void file_mapped(const struct ior_in *in, struct path_ent *f,
			const struct args *a, struct user *u)
{
	uint64_t lo = key_bytes(in, a, ARG_offset);
	uint64_t hi = end_at(lo, key_bytes(in, a, ARG_len));
	uint64_t prot, type;
	struct mapped_w *m;

	if (!f)
		return;
	data_use(&f->rdata, u, ACC_READ, lo, hi, 0, WAIT_DATA);
	prot = a->prot ? ior_flags(in, "prot", a->prot, ior_mmap_prot) : 0;
	type = a->flags ? ior_flags(in, "flags", a->flags, ior_mmap_flags) &
		MAP_TYPE : 0;
	if (!(prot & PROT_WRITE) ||
	    (type != MAP_SHARED && type != MAP_SHARED_VALIDATE))
		return;
	if (!(m = ior_hashmap_get(&mapped_w, (uintptr_t)f))) {
		m = ior_xmalloc(sizeof(*m));
		m->lo = lo;
		m->hi = hi;
		ior_hashmap_put(&mapped_w, (uintptr_t)f, m);
	}
	if (lo < m->lo)
		m->lo = lo;
	if (hi > m->hi)
		m->hi = hi;
}

/* An msync or munmap of a mapping of f: a write, if stores reach f. */
static void file_synced(struct path_ent *f, struct user *u)
{
	struct mapped_w *m;

	if (f && mapped_w.n && (m = ior_hashmap_get(&mapped_w, (uintptr_t)f)))
		data_use(&f->rdata, u, ACC_WRITE, m->lo, m->hi, 1, WAIT_DATA);
}

/* A record lock's fcntl: set, get or let go of one. */
static int is_lock(const struct ior_in *in, const struct args *a)
{
	uint64_t cmd;

	if (!a->cmd)
		return 0;
	cmd = ior_flags(in, "cmd", a->cmd, ior_fcntl_cmds);
	return cmd == F_SETLK || cmd == F_SETLKW || cmd == F_GETLK ||
		cmd == F_OFD_SETLK || cmd == F_OFD_SETLKW || cmd == F_OFD_GETLK;
}

static void order_file(const struct ior_in *in, const struct ior_rec *r,
		       const struct args *a, enum ior_tree op, int call,
		       struct ofd_ent *o, struct path_ent *fe,
		       struct ofd_ent *o2, struct path_ent *fe2, struct user *u)
{
	struct path_ent *pe = a->path && *a->path ? path_get(in, "path", a->path) : fe;
	uint64_t lo, hi, fl;
	int ok = r->ret >= 0;

	switch (op) {
	case IOR_TREE_OPEN:
	case IOR_TREE_CREAT:
	case IOR_TREE_IORFD:
		if (!ok || !fe)
			break;
		fl = op == IOR_TREE_CREAT ? O_TRUNC : a->flags ?
			ior_flags(in, "flags", a->flags, ior_open_flags) : 0;
		if (op != IOR_TREE_IORFD && (fl & O_TRUNC))
			file_resize(fe, 0, 0, u);
		if (a->size)
			fe->size_now = size_key(in, a);
		break;
	case IOR_TREE_READ:
	case IOR_TREE_PREAD:
		range_of(in, a, op == IOR_TREE_PREAD ? ARG_offset : -1,
			 o, r->ret, &lo, &hi);
		file_read(fe, lo, hi, r->ret,
			  key_bytes(in, a, ARG_count), u);
		break;
	case IOR_TREE_WRITE:
	case IOR_TREE_PWRITE:
		range_of(in, a, op == IOR_TREE_PWRITE ? ARG_offset : -1,
			 o, r->ret, &lo, &hi);
		file_write(fe, lo, hi, r->ret, u);
		break;
	case IOR_TREE_XFER:
		range_of(in, a, ARG_offset, o, r->ret, &lo, &hi);
		file_read(fe, lo, hi, r->ret,
			  key_bytes(in, a, ARG_count), u);
		range_of(in, a, ARG_offset2, o2, r->ret, &lo, &hi);
		file_write(fe2, lo, hi, r->ret, u);
		break;
	case IOR_TREE_TRUNCATE:
	case IOR_TREE_FTRUNCATE:
		if (!ok)
			break;
		if (call == IOR_C_fallocate || call == IOR_C_uring_fallocate) {
			file_fallocate(in, fe, a, u);
			break;
		}
		pe = op == IOR_TREE_TRUNCATE ? pe : fe;
		if (pe) {
			int64_t size = size_key(in, a);

			lo = size < 0 ? 0 : pe->size_now >= 0 &&
				pe->size_now < size ? pe->size_now : size;
			file_resize(pe, size, lo, u);
		}
		break;
	case IOR_TREE_LSEEK:
		if (a->whence && ior_flags(in, "whence", a->whence,
					   ior_whence_names) >= SEEK_DATA)
			file_observe(fe, -1, u);
		else if (a->whence && ior_flags(in, "whence", a->whence,
						ior_whence_names) == SEEK_END)
			file_observe(fe, ok && a->offset &&
				     !strcmp(a->offset, "0") ? r->ret : -1, u);
		break;
	case IOR_TREE_STAT:
	case IOR_TREE_FSTAT:
		file_observe(op == IOR_TREE_STAT ? pe : fe,
			     ok && type_of(a->ft, TY_UNKNOWN) == TY_FILE ?
			     size_key(in, a) : -1, u);
		break;
	case IOR_TREE_GETDENTS:
		if (fe)
			dir_list(fe, 1, u);
		break;
	case IOR_TREE_MMAP:
		if (ok)
			file_mapped(in, fe, a, u);
		break;
	case IOR_TREE_MAPPING:
		if (ok && (call == IOR_C_msync || call == IOR_C_munmap))
			file_synced(fe, u);
		break;
	case IOR_TREE_FCNTL:
		if (fe && is_lock(in, a))
			res_use(&fe->rlock, u, ACC_WRITE, 0, RES_END, 1,
				WAIT_DATA);
		break;
	case IOR_TREE_CLOSE:
		/* a close lets go of the process's record locks */
		if (fe && fe->rlock)
			res_use(&fe->rlock, u, ACC_WRITE, 0, RES_END, 1,
				WAIT_DATA);
		break;
	default:
		if (fe && call == IOR_C_flock)
			res_use(&fe->rlock, u, ACC_WRITE, 0, RES_END, 1,
				WAIT_DATA);
		break;
	}
}

void order_after(struct after_list *l, const struct ior_in *in,
		 const struct ior_rec *r, const struct args *a,
		 enum ior_tree op, int call,
		 struct ofd_ent *o, struct path_ent *fe,
		 struct ofd_ent *o2, struct path_ent *fe2, int64_t mark,
		 int64_t limit)
{
	struct octx c;		/* p[] is filled as found: not cleared */

	struct user u = {
		.tid = r->tid, .mark = mark, .start = r->time_ns,
		.end = r->time_ns + r->dur, .wait = wait_acc, .ctx = &c,
	};

	c.l = l;
	c.limit = limit;
	c.w = waited_of(r->tid);
	c.n = 0;
	if (u.end < u.start)
		u.end = UINT64_MAX;
	/*
	 * What the process held before capture (its descriptors, rings,
	 * registered files, AIO contexts and cwd) is read by ior-trace after
	 * it attached, so the record's TIME may be later than calls that
	 * used it: it completed before any of them started.
	 */
	if (call == IOR_C_ior_fd || call == IOR_C_ior_fixed ||
	    call == IOR_C_ior_aio || call == IOR_C_ior_cwd)
		u.start = u.end = 0;
	if (a->path || a->path2)	/* most have none: no names to order */
		order_names(in, r, a, op, &u);
	order_fds(in, r, a, op, call, &u);
	if (o)
		order_ofd(in, a, op, o, 0, &u);
	if (o2 && o2 != o)
		order_ofd(in, a, op, o2, 1, &u);
	order_file(in, r, a, op, call, o, fe, o2, fe2, &u);
	/* a request whose call is not known yet: nothing is implied */
	waits_put(&c, mark >= 0 ? mark : limit > 0 ? limit : 0);
}

void order_count(const struct after_list *l)
{
	if (!l->n)
		return;
	wait_any++;
	for (int k = 0; k < WAIT_KINDS; k++)
		if (l->kinds & 1u << k)
			wait_ops[k]++;
}

void put_waits(struct ior_out *out)
{
	static const char *const names[WAIT_KINDS] = {
		"name", "ofd", "data", "size", "fd", "async",
	};

	for (int k = 0; k < WAIT_KINDS; k++)
		ior_printf(out, " wait.%s=%lu", names[k], wait_ops[k]);
	ior_printf(out, " wait.any=%lu", wait_any);
}

void order_ofd_new(struct ofd_ent *o)
{
	res_clear(o->rpos);
	res_clear(o->rflags);
}

/*
 * Joins are not captured (futex), but a thread's exit is: an operation
 * that completed after another thread of its process exited waits for
 * that exit in the replay, so a main thread does not run ahead of the
 * threads it joined. Exits of one process are chained, so waiting for the
 * latest waits for all. Kept in maps by virtual id, only while they
 * live: a process from its first thread exit to its own exit, a thread
 * from its first wait to its exit (or its process's), so that memory
 * follows the live tasks, never their number or their ids.
 */
struct jproc;
struct jthread {
	int64_t tid;
	int64_t seen;			/* latest exit waited for */
	struct jproc *proc;
	struct jthread *prev, *next;	/* the process's */
};
struct jproc {
	int64_t pid;
	int64_t exit_seq, exit_tid;	/* latest thread exit */
	struct jthread *threads;
	struct jproc *next_spare;
};
static struct ior_hashmap jprocs, jthreads;	/* by vpid, vtid */
/* Freed ones, reused: no malloc and free per short-lived process. */
static struct jproc *jproc_spare;
static struct jthread *jthread_spare;

static void jthread_unlink(struct jthread *t)
{
	if (t->prev)
		t->prev->next = t->next;
	else
		t->proc->threads = t->next;
	if (t->next)
		t->next->prev = t->prev;
}

static void jthread_link(struct jthread *t, struct jproc *p)
{
	t->proc = p;
	t->prev = NULL;
	t->next = p->threads;
	if (p->threads)
		p->threads->prev = t;
	p->threads = t;
}

/* Thread tid of process p, made on first sight (or moved to p). */
static struct jthread *jthread_of(int64_t tid, struct jproc *p)
{
	struct jthread *t = ior_hashmap_get(&jthreads, tid);

	if (!t) {
		if ((t = jthread_spare))
			jthread_spare = t->next;
		else
			t = ior_xmalloc(sizeof(*t));
		t->tid = tid;
		t->seen = 0;
		ior_hashmap_put(&jthreads, tid, t);
		jthread_link(t, p);
	} else if (t->proc != p) {	/* a tid of another process */
		jthread_unlink(t);
		jthread_link(t, p);
		t->seen = 0;
	}
	return t;
}

size_t join_procs;		/* jprocs.n, for join_after() */

int64_t join_wait(const struct ior_rec *r, int is_exit, int64_t seq)
{
	struct jproc *p = ior_hashmap_get(&jprocs, r->pid);
	struct jthread *t;
	int64_t after = 0;

	if (p && p->exit_seq && p->exit_tid != r->tid) {
		t = jthread_of(r->tid, p);
		if (t->seen < p->exit_seq) {
			after = p->exit_seq;
			t->seen = after;
		}
	}
	if (is_exit) {
		if (!p) {
			if ((p = jproc_spare))
				jproc_spare = p->next_spare;
			else
				p = ior_xmalloc(sizeof(*p));
			p->pid = r->pid;
			p->threads = NULL;
			ior_hashmap_put(&jprocs, r->pid, p);
			join_procs = jprocs.n;
		}
		p->exit_seq = seq;
		p->exit_tid = r->tid;
	}
	return after;
}

static void jthread_free(struct jthread *t)
{
	jthread_unlink(t);
	ior_hashmap_del(&jthreads, t->tid, t);
	t->next = jthread_spare;
	jthread_spare = t;
}

static void jproc_free(struct jproc *p)
{
	while (p->threads)
		jthread_free(p->threads);
	ior_hashmap_del(&jprocs, p->pid, p);
	join_procs = jprocs.n;
	p->next_spare = jproc_spare;
	jproc_spare = p;
}

void join_exit(const struct ior_rec *r, int group)
{
	struct jthread *t = ior_hashmap_get(&jthreads, r->tid);
	struct jproc *p = ior_hashmap_get(&jprocs, r->pid);

	if (group && p)
		jproc_free(p);
	else if (t)
		jthread_free(t);
	if (group)
		fdnums_free(r->pid);
}

void order_cleanup(void)
{
	while (fdprocs.n) {
		for (size_t i = 0; i < fdprocs.cap; i++)
			if (fdprocs.slot[i].val) {
				fdnums_free(((struct fdnum *)fdprocs.slot[i].val)->pid);
				break;
			}
	}
	for (int i = 0; i < DEAD_MAX; i++)
		if (dead[i])
			fdnum_free(dead[i]);
	ior_hashmap_free(&fdnums);
	ior_hashmap_free(&fdprocs);
	for (size_t i = 0; i < mapped_w.cap; i++)
		free(mapped_w.slot[i].val);
	ior_hashmap_free(&mapped_w);
	for (size_t i = 0; i < jprocs.cap; i++)
		while (jprocs.slot[i].val)
			jproc_free(jprocs.slot[i].val);
	/* every thread is its process's: none is left */
	ior_hashmap_free(&jprocs);
	ior_hashmap_free(&jthreads);
	while (jproc_spare) {
		struct jproc *p = jproc_spare;

		jproc_spare = p->next_spare;
		free(p);
	}
	while (jthread_spare) {
		struct jthread *t = jthread_spare;

		jthread_spare = t->next;
		free(t);
	}
}
