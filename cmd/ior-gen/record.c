/*
 * record.c - one record through ior-gen (record.h): what its row says,
 * the drops, what it tells of the tree, its ordering, and the operation
 * written to the spool.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include "ior.h"
#include "aio.h"
#include "desc.h"
#include "drop.h"
#include "infer.h"
#include "order.h"
#include "output.h"
#include "record.h"
#include "tree.h"

static unsigned long nrecords;

/* ---- the keys ---- */

#define ARG_NAME(k) #k,
const char *const arg_names[NARGS] = { ARG_KEYS(ARG_NAME) };
static struct ior_keys keys;

void record_init(void)
{
	/* struct args' named keys lie over val[], in the order of ARG_ */
	_Static_assert(offsetof(struct args, after) ==
		       ARG_after * sizeof(const char *), "struct args' keys");
	/* the checks' keys first, as ior_check_rec_vals() reads them */
	_Static_assert((int)ARG_group == (int)IOR_CK_group &&
		       (int)ARG_fs == IOR_CHECK_NKEYS, "ior-gen's keys");
	ior_keys_init(&keys, arg_names, NARGS);
}

unsigned long records_read(void)
{
	return nrecords;
}

static void get_args(const struct ior_rec *r, struct args *a)
{
	ior_keys_values(&keys, r, a->val);
	a->target = NULL;
	a->input_seq = a->seq || a->after;
	a->rewritten = 0;
}

/* ---- the tasks of the program ---- */

/*
 * The replay makes a task for each tid it meets, and a fork's child must
 * be a new one: the tids of the operations kept so far, one bit each
 * (IOR_PROG_ID_MAX bits, whatever the stream).
 */
static uint64_t *tids_seen;

static inline int tid_seen(int64_t tid, int set)
{
	uint64_t bit = 1ull << (tid & 63);
	int was;

	if (!tids_seen)
		tids_seen = ior_xcalloc(IOR_PROG_ID_MAX / 64, sizeof(*tids_seen));
	was = (tids_seen[tid >> 6] & bit) != 0;
	if (set)
		tids_seen[tid >> 6] |= bit;
	return was;
}

/* r is kept (ior_check_rec_vals: its ids are in range): its tasks are known. */
static void tasks_seen(const struct ior_in *in, const struct ior_rec *r,
		       int call)
{
	int64_t child;

	tid_seen(r->tid, 1);
	if (call != IOR_C_sched_fork)
		return;
	child = ior_int(in, "child", ior_get(r, "child"));
	if (tid_seen(child, 1))
		ior_bad(in, "child", "task %lld already exists",
			(long long)child);
}

void record_cleanup(void)
{
	free(tids_seen);
	tids_seen = NULL;
}

/* ---- requests that come before their submitting call ---- */

/*
 * A request can complete, and so come, before the call that submitted
 * it: an io_uring request inside its io_uring_enter, an AIO request
 * reaped by another thread before its io_submit returned. It waits here,
 * its line copied, until that call is decided, then is decided as if it
 * came after it; one still waiting when the input ends was submitted by
 * a call the stream does not have (dropped.orphan). Few wait at once:
 * the requests of the calls in progress.
 */
struct held {
	struct held *next;
	uint64_t sub;
	unsigned long lineno;
	size_t linelen;
	size_t room;		/* bytes of line[] */
	struct ior_rec r;	/* its arguments to nkv only */
	char line[];		/* as the reader split it */
};
static struct held *held;		/* in the order they came */
static struct held **held_end = &held;
/*
 * Entries decided, for the next requests to take: an io_uring capture
 * holds each request, and a malloc and a free of each cost ior-gen 2% of
 * its time. At most HELD_SPARE are kept, of line room HELD_ROOM or more.
 */
#define HELD_SPARE 64
#define HELD_ROOM 512
static struct held *spare;
static unsigned nspare;
static uint64_t call_sub;		/* the sub of the call just decided */
/* The subs of the calls that submit, each once (ior_sub_once). */
static struct ior_subs submits;

/* A pointer into in's line, moved into the copy line. */
static char *moved(const struct ior_in *in, char *p, char *line)
{
	return line + (p - in->line);
}

/* An entry with room for a line of len bytes and its NUL. */
static struct held *held_new(size_t len)
{
	struct held *h = spare;

	if (h && h->room > len) {
		spare = h->next;
		nspare--;
		return h;
	}
	len = len + 1 > HELD_ROOM ? len + 1 : HELD_ROOM;
	h = ior_xmalloc(sizeof(*h) + len);
	h->room = len;
	return h;
}

static void held_free(struct held *h)
{
	if (nspare == HELD_SPARE) {
		free(h);
		return;
	}
	h->next = spare;
	spare = h;
	nspare++;
}

static void hold(const struct ior_in *in, const struct ior_rec *r,
		 uint64_t sub)
{
	struct held *h = held_new(in->linelen);

	memcpy(h->line, in->line, in->linelen + 1);
	/* the head and the arguments it has: most of kv[] is unused */
	memcpy(&h->r, r, offsetof(struct ior_rec, kv) +
	       r->nkv * sizeof(r->kv[0]));
	h->r.comm = moved(in, r->comm, h->line);
	h->r.call = moved(in, r->call, h->line);
	for (int i = 0; i < r->nkv; i++) {
		h->r.kv[i].key = moved(in, r->kv[i].key, h->line);
		h->r.kv[i].val = moved(in, r->kv[i].val, h->line);
	}
	h->sub = sub;
	h->lineno = in->lineno;
	h->linelen = in->linelen;
	h->next = NULL;
	*held_end = h;
	held_end = &h->next;
}

static void decide(const struct ior_in *in, struct ior_rec *r,
		   struct ior_out *spool);

/* The call of sub is decided: so are the requests waiting for it. */
static void release(const struct ior_in *in, uint64_t sub,
		    struct ior_out *spool)
{
	struct held **p = &held, *h;
	struct ior_in at = *in;

	while ((h = *p)) {
		if (h->sub != sub) {
			p = &h->next;
			continue;
		}
		if (!(*p = h->next))
			held_end = p;
		/* its own line: written from it, and named by its errors */
		at.line = h->line;
		at.linelen = h->linelen;
		at.lineno = h->lineno;
		decide(&at, &h->r, spool);
		held_free(h);
	}
}

/* ---- what a process had before capture ---- */

/*
 * The rings and contexts a process had before capture (a ring's ior:fd,
 * ior:fixed, ior:aio) are set up in the replay by the thread whose
 * records describe them, as it starts. Another thread of the process may
 * use them at once, by a context id or a registered file index that no
 * descriptor orders: its first operation waits for the last of them.
 * By process (virtual pid), that last one; by thread (virtual tid), the
 * threads that have waited.
 */
struct snapshot {
	int64_t seq, tid;
};
static struct ior_hashmap snapshots, snap_waited;

/* Whether a record of call (its row) and op is of these. */
static int is_snapshot(int call, enum ior_tree op)
{
	return call == IOR_C_ior_fixed || call == IOR_C_ior_aio ||
		(call == IOR_C_ior_fd && op == IOR_TREE_RING);
}

static void snap_kept(const struct ior_rec *r, int64_t seq)
{
	struct snapshot *s = ior_hashmap_get(&snapshots, r->pid);

	if (!s) {
		s = ior_xmalloc(sizeof(*s));
		ior_hashmap_put(&snapshots, r->pid, s);
	}
	s->seq = seq;
	s->tid = r->tid;
}

/* after, or the snapshot of r's process if r's thread has not waited. */
static int64_t snap_after(const struct ior_rec *r, int64_t after)
{
	struct snapshot *s;

	if (!snapshots.n || !(s = ior_hashmap_get(&snapshots, r->pid)) ||
	    s->tid == r->tid || ior_hashmap_get(&snap_waited, r->tid))
		return after;
	ior_hashmap_put(&snap_waited, r->tid, s);
	return s->seq > after ? s->seq : after;
}

/* A thread exits, or with group its whole process. */
static void snap_exit(const struct ior_rec *r, int group)
{
	void *v;

	if (!snapshots.n)
		return;
	if ((v = ior_hashmap_get(&snap_waited, r->tid)))
		ior_hashmap_del(&snap_waited, r->tid, v);
	if (group && (v = ior_hashmap_get(&snapshots, r->pid))) {
		ior_hashmap_del(&snapshots, r->pid, v);
		free(v);
	}
}

void gen_finish(void)
{
	while (held) {
		struct held *h = held;

		held = h->next;
		drop_count(DROP_ORPHAN);
		free(h);
	}
	held_end = &held;
	while (spare) {
		struct held *h = spare;

		spare = h->next;
		free(h);
	}
	nspare = 0;
	for (size_t i = 0; i < snapshots.cap; i++)
		free(snapshots.slot[i].val);
	ior_hashmap_free(&snapshots);
	ior_hashmap_free(&snap_waited);
}

/* ---- one record ---- */

/* What a record is, decided before it is kept. */
struct decision {
	int call;			/* its row, or -1 */
	const struct ior_call *row;
	enum ior_tree op;		/* the row's tree column, or as it acts */
	uint64_t sub;			/* its sub=, or 0 */
	int request;			/* an aio: or uring: request */
	int submit;			/* io_submit or io_uring_enter with sub */
	int anon;			/* an ior:fd of a file without a name */
	struct ofd_ent *o, *o2;		/* the descriptions of fd and fd2 */
};

/*
 * Whether the record is dropped (and counted): for what it is, for the
 * files it is on, or for a failure the replay would not reproduce.
 */
static int dropped(const struct ior_in *in, const struct ior_rec *r,
		   struct args *a, struct decision *d)
{
	enum ior_tree op = d->op;
	enum drop why;

	if ((why = drop_by_call(in, d->row, a)) != DROP_NONE) {
		drop_count(why);
		return 1;
	}
	/* A request of a dropped call: the replay has no ring or context. */
	if (d->request && sub_seq(d->sub) == -1) {
		drop_count(DROP_UNKNOWN_FD);
		return 1;
	}
	if (op == IOR_TREE_STAT || op == IOR_TREE_READLINK) {
		a->target = a->path2;
		a->path2 = NULL;
	} else if (op == IOR_TREE_SYMLINK || op == IOR_TREE_MEMFD) {
		a->path = NULL;
	}
	if (a->ofd)
		d->o = ofd_find(arg_int(in, a, ARG_ofd));
	if (op == IOR_TREE_XFER) {
		/* Kept when one side is a file; the replay stands in for the other. */
		if (a->ofd2)
			d->o2 = ofd_find(arg_int(in, a, ARG_ofd2));
		if (!side_replayable(a->vfd, a->file, d->o))
			d->o = NULL, a->file = NULL;
		if (!side_replayable(a->vfd2, a->file2, d->o2))
			d->o2 = NULL, a->file2 = NULL;
		if (!a->file && !a->file2 && !(d->o && d->o->memfd) &&
		    !(d->o2 && d->o2->memfd)) {
			drop_count(a->vfd || a->vfd2 ? DROP_PSEUDO :
				   DROP_UNKNOWN_FD);
			return 1;
		}
	} else if (op != IOR_TREE_CLOSE_RANGE && op != IOR_TREE_RING) {
		/*
		 * close_range names a range, not one descriptor: always kept;
		 * a ring is an anonymous inode the replay makes.
		 */
		if (is_pseudo(in, a, d->o)) {
			struct ofd_ent *n = track_open(in, r, op, a);

			if (n)
				n->pseudo = 1;
			else if (d->o && is_dup(in, r, op, a))
				d->o->refs++;
			track_close(op, d->o);
			drop_count(DROP_PSEUDO);
			return 1;
		}
		if (lost_pathless(d->row, op, a, d->o)) {
			drop_count(DROP_PSEUDO);
			return 1;
		}
		if ((a->fd || a->fixed) && !a->vfd) {
			drop_count(DROP_UNKNOWN_FD);
			return 1;
		}
	} else if (op == IOR_TREE_RING && !a->vfd && (a->fd || r->ret >= 0)) {
		/* a ring the replay could not name: as any unknown descriptor */
		drop_count(DROP_UNKNOWN_FD);
		return 1;
	}
	/*
	 * An io_uring_register that failed on a descriptor of its fds= is
	 * replayable: the replay registers a closed descriptor in its place.
	 */
	if (r->ret < 0 && unreplayable_errno(r->ret) &&
	    !(r->ret == -EBADF && ior_get(r, "fds") &&
	      d->call == IOR_C_io_uring_register) &&
	    !lock_conflict(in, r, d->row, a)) {
		drop_count(DROP_FAILED);
		return 1;
	}
	return 0;
}

/* Whether the record's call follows a symlink in its path's last component. */
static int follows(const struct ior_in *in, const struct ior_call *row,
		   const struct args *a)
{
	int how = row ? ior_calls[row->native].follow : IOR_FOLLOW_NONE;
	const struct ior_flag *t = NULL;
	uint64_t fl;

	if (how == IOR_FOLLOW_FOLLOW)
		return 1;
	if (how != IOR_FOLLOW_AT_FOLLOW && how != IOR_FOLLOW_AT_NOFOLLOW)
		return 0;
	/* AT_SYMLINK_FOLLOW or AT_SYMLINK_NOFOLLOW, in its own flags */
	for (int i = 0; i < row->nargs; i++)
		if (row->args[i].type == IOR_ARG_FLAGS &&
		    !strcmp(row->args[i].key, "flags"))
			t = row->args[i].flags;
	fl = a->flags && t ? ior_flags(in, "flags", a->flags, t) : 0;
	return how == IOR_FOLLOW_AT_FOLLOW ? !!(fl & AT_SYMLINK_FOLLOW) :
		!(fl & AT_SYMLINK_NOFOLLOW);
}

/*
 * An ior:fd of a regular file without a name: an O_TMPFILE, or one
 * unlinked, which the kernel names "DIR/NAME (deleted)" (link count 0).
 */
static int anon_fd(const struct ior_in *in, const struct args *a)
{
	static const char deleted[] = "\\x20(deleted)";
	size_t n = a->path ? strlen(a->path) : 0, d = sizeof(deleted) - 1;

	if (!a->path || a->path[0] != '/' ||
	    type_of(a->ft, TY_FILE) != TY_FILE)
		return 0;
	return (a->nlink && !strcmp(a->nlink, "0")) ||
		(n > d && !strcmp(a->path + n - d, deleted)) ||
		(a->flags && (ior_flags(in, "flags", a->flags, ior_open_flags) &
			      O_TMPFILE) == O_TMPFILE);
}

/*
 * The replay makes a file without a name as an O_TMPFILE in the
 * directory of its path (ior-replay(1)): one unlinked gets the flag.
 */
static void as_tmpfile(const struct ior_in *in, struct ior_rec *r,
		       struct args *a)
{
	static char flags[512];

	if (!a->flags || (ior_flags(in, "flags", a->flags, ior_open_flags) &
			  O_TMPFILE) == O_TMPFILE)
		return;
	if (snprintf(flags, sizeof(flags), "%s%sO_TMPFILE", a->flags,
		     *a->flags ? "|" : "") >= (int)sizeof(flags))
		ior_bad(in, "flags", "longer than %zu bytes", sizeof(flags) - 11);
	for (int i = 0; i < r->nkv; i++)
		if (r->kv[i].val == a->flags)
			r->kv[i].val = flags;
	a->flags = flags;
	a->rewritten = 1;
}

/*
 * What a kept record tells of the tree; fe and fe2 get the entries of
 * its files.
 */
static void infer(const struct ior_in *in, const struct ior_rec *r,
		  const struct args *a, struct decision *d,
		  struct path_ent **fe, struct path_ent **fe2)
{
	enum ior_tree op = d->op;
	struct ofd_ent *o = d->o;

	if (op == IOR_TREE_OPEN || op == IOR_TREE_CREAT ||
	    op == IOR_TREE_IORFD || op == IOR_TREE_MEMFD ||
	    op == IOR_TREE_HANDLE || op == IOR_TREE_RING) {
		struct ofd_ent *n = track_open(in, r, op, a);

		if (n && op == IOR_TREE_MEMFD)
			n->memfd = 1;
		else if (op != IOR_TREE_RING) {	/* a ring is no file */
			if (d->anon)	/* no entry: its directory existed */
				infer_anon(in, a, n);
			else
				infer_open(in, r, op, a, n);
		}
		d->o = o = n ? n : o;
		/* a memfd names no entry; a handle's fd is the mount's */
		*fe = (o && o->memfd) || (op == IOR_TREE_HANDLE && !n) ? NULL :
			file_ent(in, "file", a->file, o);
	} else if (op == IOR_TREE_XFER) {
		*fe = file_ent(in, "file", a->file, o);	/* none: memfd, anon */
		*fe2 = file_ent(in, "file2", a->file2, d->o2);
		infer_xfer(in, r, a, o, *fe, d->o2, *fe2);
	} else {
		/* A memfd's file= (if any) names no entry of the tree. */
		*fe = o && o->memfd ? NULL : file_ent(in, "file", a->file, o);
		if (a->fd || a->fixed)
			infer_fd(in, r, op, a, o, *fe);
		else if (op == IOR_TREE_STAT && a->path && !*a->path && a->vfd)
			infer_fd(in, r, IOR_TREE_FSTAT, a, o, *fe);	/* AT_EMPTY_PATH */
		else if (op != IOR_TREE_NOTREE && op != IOR_TREE_CLOSE_RANGE) {
			infer_path(in, r, op, a, follows(in, d->row, a));
			/* AT_EMPTY_PATH and futimens: the descriptor's file */
			if (*fe && r->ret >= 0) {
				existed(*fe, TY_UNKNOWN);
				attr_changed(op, *fe);
			}
		}
	}
}

/*
 * ior:lstat: a directory or symbolic link on the way to a path, as a
 * stat that did not follow it showed it, some time after its call; no
 * operation. Its path is one ior-trace resolved: no link to follow.
 */
static void lstat_record(const struct ior_in *in, const struct ior_rec *r,
			 struct args *a)
{
	enum ent_type ty = type_of(a->ft, TY_UNKNOWN);

	a->target = a->path2;
	a->path2 = NULL;
	if (is_pseudo(in, a, NULL)) {
		drop_count(DROP_PSEUDO);
		return;
	}
	if (r->ret >= 0 && a->path && (ty == TY_DIR ||
				       (ty == TY_LNK && a->target)))
		infer_lstat(in, a, ty == TY_LNK);
	drop_count(DROP_TREE);
}

void gen_record(const struct ior_in *in, struct ior_rec *r,
		struct ior_out *spool)
{
	nrecords++;
	/* room left for seq=, after= and the keys of the replay's results */
	if (r->nkv > IOR_MAP_KV_MAX)
		ior_bad(in, "arguments", "%d, with no room for the keys ior-gen adds; at most %d",
			r->nkv, IOR_MAP_KV_MAX);
	call_sub = 0;
	decide(in, r, spool);
	if (call_sub && held)
		release(in, call_sub, spool);
}

/* An io_uring request of an SQPOLL thread, captured before batch= was. */
static int sqpoll_alone(const struct args *a)
{
	return a->exec && !strcmp(a->exec, "sqpoll");
}

static void decide(const struct ior_in *in, struct ior_rec *r,
		   struct ior_out *spool)
{
	struct decision d = { .call = ior_call_find_rec(r) };
	struct path_ent *fe = NULL, *fe2 = NULL;
	struct after_list l;
	struct args a;
	int64_t sseq = 0, seq;
	int uring;

	d.row = d.call < 0 ? NULL : &ior_calls[d.call];
	d.op = d.row ? d.row->tree : IOR_TREE_UNSUPPORTED;
	get_args(r, &a);
	order_note_sharing(d.call, d.op, &a);
	/*
	 * What ior-gen reads of a record, and the replay of an operation,
	 * is refused here, whatever becomes of the record: ior-map refuses
	 * the same in what it writes (ior.h).
	 */
	ior_check_rec_nums(in, r, d.call, a.val, &a.nums);
	uring = r->call[0] == 'u' && !strncmp(r->call, "uring:", 6);
	d.request = uring || (r->call[0] == 'a' && !strncmp(r->call, "aio:", 4));
	/*
	 * A request names its submitting call, an io_submit or an
	 * io_uring_enter, by a sub no other such call has; any other
	 * record's sub= means nothing.
	 */
	if (a.sub && ior_sub_once(in, &submits, d.call, a.sub, &d.sub)) {
		d.submit = 1;
		sub_seen(d.sub);
		call_sub = d.sub;
	} else if (a.sub && d.request) {
		/* its mark is -(sub + 1) (order.h): ior_check_rec_vals saw it fit */
		d.sub = ior_uint(in, "sub", a.sub);
		if (sub_seq(d.sub) == 0) {
			hold(in, r, d.sub);	/* its call has not come yet */
			return;
		}
	} else if (uring && !a.sub && !a.batch && !sqpoll_alone(&a)) {
		/* submitted by an enter in progress when capture began */
		drop_count(DROP_ORPHAN);
		return;
	}
	/* The ior:fd of a ring set up before capture: as io_uring_setup. */
	if (d.op == IOR_TREE_IORFD && a.entries)
		d.op = IOR_TREE_RING;
	/* A request on the file position (offset -1) is a read or a write. */
	if ((d.op == IOR_TREE_PREAD || d.op == IOR_TREE_PWRITE) && a.offset &&
	    !strcmp(a.offset, "-1"))
		d.op = d.op == IOR_TREE_PREAD ? IOR_TREE_READ : IOR_TREE_WRITE;
	if (d.call == IOR_C_ior_lstat) {
		lstat_record(in, r, &a);
		return;
	}
	/*
	 * Kept, it holds what the replay requires of an operation
	 * (ior_check_op_vals): ior_check_rec_vals() asked it all, but a vfd
	 * and a node that is no device, and a record without them, or of a
	 * call the replay does not issue, is dropped. A file held without a
	 * name gets O_TMPFILE here: that flags= is checked again.
	 */
	if (dropped(in, r, &a, &d))
		return;
	if (d.op == IOR_TREE_IORFD && (d.anon = anon_fd(in, &a))) {
		as_tmpfile(in, r, &a);
		if (a.rewritten)
			ior_check_op_vals(in, r, d.call, a.val);
	}
	tasks_seen(in, r, d.call);
	if ((uint64_t)seq_last() >= IOR_PROG_OPS_MAX)
		ior_bad(in, NULL, "more than %llu operations: a replay program holds no more",
			IOR_PROG_OPS_MAX);
	seq = seq_next();
	after_init(&l);
	if (d.submit)
		sub_kept(d.sub, seq);
	if (d.op == IOR_TREE_SCHED) {
		/* Process structure: no file, no ordering by resource. */
		after_add(&l, join_after(r, d.call == IOR_C_sched_exit, seq));
		order_count(&l);
		put_op(spool, in, r, &a, &l);
		if (d.call == IOR_C_sched_exit) {
			int group = a.group && ior_int(in, "group", a.group) == 1;

			join_exit(r, group);
			if (group)
				ofd_drop_owner(r->pid);
			snap_exit(r, group);
		}
		return;
	}
	infer(in, r, &a, &d, &fe, &fe2);
	if (!d.request) {
		order_after(&l, in, r, &a, d.op, d.call, d.o, fe, d.o2, fe2,
			    seq, 0);
		after_add(&l, snap_after(r, 0));
	} else {
		/*
		 * Waited for before its submitting call: only what completed
		 * before that call, or, when the call is not seen yet (the
		 * request completed inside it), before the request.
		 */
		sseq = sub_seq(d.sub);
		order_after(&l, in, r, &a, d.op, d.call, d.o, fe, d.o2, fe2,
			    -(int64_t)d.sub - 1, sseq);
	}
	/* A request is issued by its submitting call: it waits for no exit. */
	if (!d.request)
		after_add(&l, join_after(r, d.call == IOR_C_sched_exit, seq));
	l.cur = WAIT_ASYNC;
	if (a.ctx)	/* AIO's calls and requests: no call for the others */
		aio_order(&l, in, r, &a, d.call, seq, d.request ? sseq : 0);
	if (l.n)	/* order_count() counts the operations that wait */
		order_count(&l);
	put_op(spool, in, r, &a, &l);
	if (d.op == IOR_TREE_CLOSE)	/* track_close() acts on a close */
		track_close(d.op, d.o);
	if (is_snapshot(d.call, d.op))
		snap_kept(r, seq);
}
