/*
 * record.c - one record through ior-map (record.h): its keys, its paths
 * made absolute, its descriptors named by vfd and ofd, the model updated
 * by what the table of calls says its call does, and the record written.
 */
#include <errno.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>

#include "ior.h"
#include "files.h"
#include "filter.h"
#include "mapping.h"
#include "proc.h"
#include "record.h"
#include "uring.h"

struct map_counts counts;

/* ---- what the table of calls says ---- */

/*
 * What ior-map takes from a call's row: what the call does to the model
 * (the map column), which of its path keys are path names to make
 * absolute, and whether its fd is a descriptor. Computed once per row.
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

/*
 * The keys found in a record: those ior-gen's check reads, whose values
 * check_written() takes, then two of ior-map's own; struct recinfo's
 * keys (K_*) are among them, where own_key[] says.
 */
#define MAP_KEYS(X) IOR_CHECK_KEYS(X) X(dirfd2) X(otid)
enum {
#define MAP_KEY(k) MK_##k,
	MAP_KEYS(MAP_KEY)
#undef MAP_KEY
	NMAPKEYS
};
#define MAP_NAME(k) #k,
static const char *const key_names[NMAPKEYS] = { MAP_KEYS(MAP_NAME) };
#undef MAP_NAME
static const uint8_t own_key[NKEYS] = {
	[K_PATH] = MK_path, [K_PATH2] = MK_path2, [K_DIRFD] = MK_dirfd,
	[K_DIRFD2] = MK_dirfd2, [K_FD] = MK_fd, [K_FLAGS] = MK_flags,
	[K_CHILD] = MK_child, [K_CPID] = MK_cpid, [K_OTID] = MK_otid,
	[K_GROUP] = MK_group, [K_RING] = MK_ring, [K_FIXED] = MK_fixed,
	[K_SLOT] = MK_slot,
};
static struct ior_keys keys;
static int8_t own_of[NMAPKEYS];	/* the K_ a key of keys is, or -1 */
/*
 * The values of the keys found in the record being mapped, the others
 * NULL: kept so between records, each record clearing those it set.
 */
static const char *vals[NMAPKEYS];

void record_init(void)
{
	/* struct recinfo's named keys lie over at[], in the order of K_ */
	_Static_assert(offsetof(struct recinfo, dirfd) ==
		       K_DIRFD * sizeof(int) &&
		       offsetof(struct recinfo, fd) == K_FD * sizeof(int) &&
		       offsetof(struct recinfo, group) == K_GROUP * sizeof(int),
		       "struct recinfo's keys");
	/* the check's keys first, as ior_check_rec_vals() reads them */
	_Static_assert((int)MK_group == (int)IOR_CK_group &&
		       (int)MK_dirfd2 == IOR_CHECK_NKEYS, "ior-map's keys");
	for (int c = 0; c < IOR_NCALLS; c++) {
		const struct ior_call *row = &ior_calls[c];
		int t = key_type(row, "fd");

		models[c].map = row->map;
		models[c].join[0] = join_of(row, 0);
		models[c].join[1] = join_of(row, 1);
		/* ior:fd's fd is new, close_range's a bound, a handle's a mount */
		models[c].fd_is_desc = t < 0 || t == IOR_ARG_FD;
	}
	ior_keys_init(&keys, key_names, NMAPKEYS);
	memset(own_of, -1, sizeof(own_of));
	for (int k = 0; k < NKEYS; k++)
		own_of[own_key[k]] = k;
}

/*
 * The model of a call, *row its row (or -1); a record the table does not
 * know is none.
 */
static const struct call_model *model_of(const struct ior_rec *r, int *row)
{
	int c = *row = ior_call_find_rec(r);

	if (c >= 0)
		return &models[c];
	/* an init: record is a tree entry, whatever its kind */
	return strncmp(r->call, "init:", 5) ? &unknown_call : &unknown_init;
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

/* ---- paths ---- */

static char pathbuf[2][PATH_BUF], tmp[PATH_BUF];
static char escbuf[2][4 * PATH_BUF];	/* a path resolved, as written */

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
	const struct fd_slot *s;
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

/*
 * Unescape path k (0: path, 1: path2) into pathbuf[k] and, if join, make
 * it absolute against its dirfd's file or the cwd. An unknown base keeps
 * the path as captured.
 */
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
			const struct fd_slot *s = fd_get(t->files, dfd);

			if (s && s->ofd->abs)
				base = s->ofd->path;
		} else if (t->fs->known)
			base = t->fs->cwd;
		if (!base) {
			counts.unknown_cwd++;
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
	ior_escape(escbuf[k], pathbuf[k], strlen(pathbuf[k]));
}

/* ---- descriptors ---- */

/* The descriptions of the record's descriptors: fd, and fd2 of a copy. */
static void find_descriptors(const struct ior_in *in, const struct ior_rec *r,
			     struct recinfo *ri, const struct task *t,
			     const struct call_model *m)
{
	enum ior_map c = m->map;
	int ring_ctl = c == IOR_MAP_URING_SETUP || c == IOR_MAP_URING_ENTER ||
		c == IOR_MAP_URING_REGISTER;
	struct fd_slot *s;

	/* fstat(fd) is newfstatat(fd, "", AT_EMPTY_PATH): it uses dirfd. */
	if (ri->fd < 0 && ri->dirfd[0] >= 0 && ri->path[0] >= 0 &&
	    !r->kv[ri->path[0]].val[0] &&
	    strcmp(r->kv[ri->dirfd[0]].val, "AT_FDCWD"))
		ri->fd = ri->dirfd[0];
	/* The descriptor used; not the index of a registered ring. */
	if (ri->fd >= 0 && m->fd_is_desc &&
	    !(ring_ctl && ring_fd_is_index(in, r, ri, c))) {
		if ((s = fd_get(t->files, ior_kv_int(in, r, ri->fd)))) {
			ri->ofd = s->ofd;
			ri->vfd = s->vfd;
		} else
			counts.unknown_fd++;
	}
	if (c == IOR_MAP_XFER) {
		int i = ior_find(r, "fd2");

		s = i < 0 ? NULL : fd_get(t->files, ior_kv_int(in, r, i));
		if (s) {
			ri->ofd2 = s->ofd;
			ri->vfd2 = s->vfd;
		} else
			counts.unknown_fd++;
	}
}

/* What the call does to the model. */
static void apply(const struct ior_in *in, const struct ior_rec *r,
		  struct recinfo *ri, struct task *t, struct ring_files *g,
		  enum ior_map c)
{
	switch (c) {
	case IOR_MAP_URING_SETUP:
	case IOR_MAP_URING_REGISTER:
	case IOR_MAP_URING_OPEN:
	case IOR_MAP_URING_CLOSE:
	case IOR_MAP_URING_INSTALL:
	case IOR_MAP_URING_FIXED:
		do_uring(in, r, ri, t, g, c);
		break;
	case IOR_MAP_OPEN:
	case IOR_MAP_OPEN_BY_HANDLE:
	case IOR_MAP_IORFD:
	case IOR_MAP_MEMFD:
		do_open(in, r, ri, t, c);
		break;
	case IOR_MAP_CLOSE:
		/* close(2) releases the descriptor even when it fails. */
		if (ri->fd >= 0 && r->ret != -EBADF)
			fd_close(t->files, ior_kv_int(in, r, ri->fd));
		break;
	case IOR_MAP_DUP:
	case IOR_MAP_DUP2:
	case IOR_MAP_DUP3:
		do_dup(in, r, ri, t, c);
		break;
	case IOR_MAP_FCNTL:
		do_fcntl(in, r, ri, t);
		break;
	case IOR_MAP_CLOSE_RANGE:
		do_close_range(in, r, ri, t);
		break;
	case IOR_MAP_UNSHARE:
		do_unshare(in, r, ri, t);
		break;
	case IOR_MAP_MMAP:
	case IOR_MAP_MUNMAP:
	case IOR_MAP_MRANGE:
		do_mapping(in, r, ri, t, c);
		break;
	case IOR_MAP_GETCWD:
	case IOR_MAP_CHDIR:
	case IOR_MAP_FCHDIR:
	case IOR_MAP_IORCWD:
		do_cwd(r, ri, t, c);
		break;
	case IOR_MAP_FORK:
		do_fork(in, r, ri, t);
		break;
	case IOR_MAP_EXEC:
		do_exec(t);
		break;
	default:
		break;
	}
}

/* ---- writing ---- */

/*
 * Arguments i to j - 1 of r as read from in: the reader split the line
 * in place, ending each key and value with a NUL, so one copy of those
 * bytes with the '=' and ' ' put back writes them again. The last
 * argument ends where the line does (a line holds no NUL byte).
 */
static void put_args(struct ior_out *out, const struct ior_in *in,
		     const struct ior_rec *r, int i, int j)
{
	const char *base = r->kv[i].key;
	const char *end = j == r->nkv ? in->line + in->linelen :
		r->kv[j - 1].val + strlen(r->kv[j - 1].val);
	size_t n = end - base;
	char *d = ior_reserve(out, n + 1 + 15);

	*d++ = ' ';
	ior_copy16(d, base, n);
	for (int k = i; k < j; k++) {
		d[r->kv[k].val - 1 - base] = '=';
		if (k + 1 < j)
			d[r->kv[k + 1].key - 1 - base] = ' ';
	}
	out->len += n + 1;
}

/* " vfd=N" and the description's " ofd=N file=PATH", in one copy. */
static void put_vfd_tail(struct ior_out *out, uint64_t vfd,
			 const struct ofd *o)
{
	char *d;
	size_t n;

	if (o->tail_len > IOR_LINE_MAX) {	/* more than one reserve */
		ior_put_kv_i64(out, "vfd", vfd);
		ior_put(out, o->tail, o->tail_len);
		return;
	}
	d = ior_reserve(out, 5 + 20 + o->tail_len);
	memcpy(d, " vfd=", 5);
	n = 5 + ior_fmt_u64(d + 5, vfd);
	memcpy(d + n, o->tail, o->tail_len);
	out->len += n + o->tail_len;
}

static void put_record(struct ior_out *out, const struct ior_in *in,
		       const struct ior_rec *r, const struct recinfo *ri)
{
	int from = 0;	/* the first argument not written yet */
	/* most records change none: all are written as read, below */
	int changes = ri->resolved[0] || ri->resolved[1] || ri->kchild ||
		ri->otid_v;

	/* the columns but PID and TID as read, where they read as written */
	ior_put_head_read(out, in, r, 0);
	for (int i = 0; changes && i < r->nkv; i++) {
		const char *k = r->kv[i].key;
		int changed = 1;

		if (i == ri->path[0] && ri->resolved[0])
			;
		else if (i == ri->path[1] && ri->resolved[1])
			;
		else if (i == ri->child && ri->kchild)
			;
		else if (i == ri->cpid && ri->kchild)
			;
		else if (i == ri->otid && ri->otid_v)
			;
		else
			changed = 0;
		if (!changed)
			continue;
		/* those before it as read, then it as mapped */
		if (from < i)
			put_args(out, in, r, from, i);
		from = i + 1;
		if (i == ri->path[0])
			ior_put_kv(out, k, escbuf[0]);
		else if (i == ri->path[1])
			ior_put_kv(out, k, escbuf[1]);
		else if (i == ri->child)
			ior_put_kv_i64(out, k, ri->child_v);
		else if (i == ri->cpid)
			ior_put_kv_i64(out, k, ri->cpid_v);
		else
			ior_put_kv_i64(out, k, ri->otid_v);
	}
	if (from < r->nkv)
		put_args(out, in, r, from, r->nkv);
	if (ri->kchild)
		ior_put_kv_i64(out, "kchild", ri->kchild);
	if (ri->ofd)
		put_vfd_tail(out, ri->vfd, ri->ofd);
	if (ri->vfd2 >= 0)
		ior_put_kv_i64(out, "vfd2", ri->vfd2);
	if (ri->vfds)
		ior_put_kv(out, "vfds", ri->vfds);
	if (ri->ofd2) {
		ior_put_kv_i64(out, "ofd2", ri->ofd2->id);
		if (ri->ofd2->abs)
			ior_put_kv(out, "file2", ri->ofd2->esc);
	}
	ior_putc(out, '\n');
}

/*
 * What ior-gen requires of a record (ior_check_rec_vals, ior_sub_once),
 * checked on the values put_record() writes: the resolved paths, the
 * mapped child, and the keys ior-map adds where it adds them (the last
 * of a key repeated is the one read); its own vfds and ofds are in range
 * already.
 */
static void check_written(const struct ior_in *in, const struct ior_rec *r,
			  const struct recinfo *ri, int row, const char **val)
{
	static char child[24], cpid[24];
	static struct ior_subs subs;	/* those written, each once */
	uint64_t sub;
	int n = r->nkv + !!ri->kchild + (ri->vfd2 >= 0) + !!ri->vfds;

	if (ri->ofd)
		n += 2 + !!ri->ofd->abs;
	if (ri->ofd2)
		n += 1 + !!ri->ofd2->abs;
	/* room left for what ior-gen and ior-replay add (ior.h) */
	if (n > IOR_MAP_KV_MAX)
		ior_bad(in, "arguments", "%d with the keys ior-map adds; at most %d",
			n, IOR_MAP_KV_MAX);

	for (int k = 0; k < 2; k++)
		if (ri->resolved[k])
			val[k ? IOR_CK_path2 : IOR_CK_path] = escbuf[k];
	/* the child's keys that it has, mapped (put_record() adds none) */
	if (ri->kchild && ri->child >= 0) {
		snprintf(child, sizeof(child), "%lld", (long long)ri->child_v);
		val[IOR_CK_child] = child;
	}
	if (ri->kchild && ri->cpid >= 0) {
		snprintf(cpid, sizeof(cpid), "%lld", (long long)ri->cpid_v);
		val[IOR_CK_cpid] = cpid;
	}
	/*
	 * file= and file2= as the description's path: checked once, the
	 * same bytes pass again (NULL: none to check)
	 */
	if (ri->ofd) {
		val[IOR_CK_vfd] = val[IOR_CK_ofd] = NULL;
		if (ri->ofd->abs)
			val[IOR_CK_file] = ri->ofd->esc_checked ? NULL :
				ri->ofd->esc;
	}
	if (ri->vfd2 >= 0)
		val[IOR_CK_vfd2] = NULL;
	if (ri->vfds)
		val[IOR_CK_vfds] = ri->vfds;
	if (ri->ofd2) {
		val[IOR_CK_ofd2] = NULL;
		if (ri->ofd2->abs)
			val[IOR_CK_file2] = ri->ofd2->esc_checked ? NULL :
				ri->ofd2->esc;
	}
	ior_check_rec_vals(in, r, row, val);
	ior_sub_once(in, &subs, row, val[IOR_CK_sub], &sub);
	if (ri->ofd && ri->ofd->abs)
		ri->ofd->esc_checked = 1;
	if (ri->ofd2 && ri->ofd2->abs)
		ri->ofd2->esc_checked = 1;
}

/* The values check_written() set, NULL again as the record found them. */
static void written_unmark(const char **val)
{
	val[IOR_CK_path] = val[IOR_CK_path2] = NULL;
	val[IOR_CK_child] = val[IOR_CK_cpid] = NULL;
	val[IOR_CK_file] = val[IOR_CK_file2] = val[IOR_CK_vfds] = NULL;
}

/* Whether the record is written: the filters, but what later stages need. */
static int kept(const struct filters *fs, const struct ior_in *in,
		const struct ior_rec *r, const struct recinfo *ri,
		enum ior_map c)
{
	/* no filter: every record, without asking each filter (the usual) */
	if (!fs->path_inc.n && !fs->path_exc.n && !fs->comm_inc.n &&
	    !fs->comm_exc.n)
		return 1;
	if (c == IOR_MAP_IORCWD || !strncmp(r->call, "sched:", 6))
		return 1;	/* later stages need the process structure */
	/*
	 * the requests need their ring, also one set up before capture; a
	 * close_range names no file, but closes those of the records kept
	 */
	if (c == IOR_MAP_URING_SETUP || c == IOR_MAP_URING_ENTER ||
	    c == IOR_MAP_URING_REGISTER || c == IOR_MAP_CLOSE_RANGE ||
	    (c == IOR_MAP_IORFD && ri->ofd && ri->ofd->ring))
		return comm_kept(fs, in, r->comm);
	return comm_kept(fs, in, r->comm) && path_kept(fs, in, ri);
}

void map_record(const struct ior_in *in, struct ior_rec *r,
		const struct filters *fs, struct ior_out *out)
{
	int row;
	const struct call_model *m = model_of(r, &row);
	enum ior_map c = m->map;
	struct recinfo ri = { .vfd2 = -1, .fixed = -1 };
	struct ring_files *g = NULL;
	uint8_t kof[IOR_KV_MAX];
	struct task *t;

	counts.records++;
	memset(ri.at, -1, sizeof(ri.at));
	ior_keys_mark(&keys, r, vals, kof);
	for (int i = 0; i < r->nkv; i++)
		if (kof[i] != IOR_KEY_NONE && own_of[kof[i]] >= 0)
			ri.at[own_of[kof[i]]] = i;
	t = c == IOR_MAP_EXEC ? exec_task(in, r, &ri) : task_get(r->pid, r->tid);
	r->pid = t->proc->vpid;
	r->tid = t->vtid;
	for (int k = 0; k < 2; k++)
		if (ri.path[k] >= 0)
			resolve(in, r, &ri, t, k,
				joined(m, k, r->kv[ri.path[k]].val));
	find_descriptors(in, r, &ri, t, m);
	if (c == IOR_MAP_URING || c == IOR_MAP_URING_OPEN ||
	    c == IOR_MAP_URING_CLOSE || c == IOR_MAP_URING_INSTALL)
		g = uring_request(in, r, &ri, t);
	apply(in, r, &ri, t, g, c);
	/* Ids are never reused: past a replay program's, none is left. */
	if (vid_peek() > IOR_PROG_ID_MAX)
		ior_bad(in, "TID", "more than %d tasks: a replay program numbers no more",
			IOR_PROG_ID_MAX - 1);
	if (vfd_peek() > IOR_PROG_VFD_MAX)
		ior_bad(in, "fd", "more than %d descriptors opened: a replay program numbers no more",
			IOR_PROG_VFD_MAX - 1);
	if (kept(fs, in, r, &ri, c)) {
		check_written(in, r, &ri, row, vals);
		put_record(out, in, r, &ri);
		counts.written++;
	} else
		counts.filtered++;
	ior_keys_unmark(r, vals, kof);
	written_unmark(vals);
	if (c == IOR_MAP_EXIT)
		do_exit(in, r, &ri, t);
}
