/*
 * load.c - loading the program: each record's row of the table of calls
 * (lib/calls.h) says how it is issued (its replay column, the op's kind)
 * and which keys it needs, derived from the row's arguments; each key is
 * checked as it is read. All of the program is read before any of it
 * runs; its ops go to the spool as they are read (window.h), or, when
 * no window can hold what ties its requests together, are held in
 * memory.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <time.h>

#include "ior.h"
#include "load.h"
#include "options.h"
#include "program.h"
#include "shared.h"
#include "window.h"

struct program prog = { .maxfd = -1, .maxvfd = -1 };
struct loader ld;

#define KEY_NAME(k) #k,
const char *const key_name[NKEYS] = { LOAD_KEYS(KEY_NAME) };
#undef KEY_NAME
static struct ior_keys keys;
_Static_assert(NKEYS <= IOR_KEYS_MAX, "the loader's keys fit a key set");

/* ---- the calls a replay program may hold: the table's rows ---- */

/*
 * What a row needs parsed: the keys lib derives from its arguments and
 * kind (ior_row_need: IOR_NEED_*, what lib/check.c checks), then, from
 * IOR_NEED_TOOL on, what the loader makes of its RET and buffers.
 */
enum {
	A_PAIR = IOR_NEED_TOOL << 0,	/* fd and fd2 may be pipes or sockets */
	NOCMP = IOR_NEED_TOOL << 1,	/* RET, an address, a pid: no compare */
	READS = IOR_NEED_TOOL << 2,	/* needs a read buffer of count bytes */
	WRITES = IOR_NEED_TOOL << 3,	/* needs count bytes of data */
	AIO = IOR_NEED_TOOL << 4,	/* an AIO request: by its io_submit */
	A_CREAT = IOR_NEED_TOOL << 5,	/* an open without flags=: creat's */
};

struct row_need {
	unsigned need;
	const struct ior_flag *flags;	/* names of its flags= key, if any */
	const struct ior_flag *argt;	/* IOR_NEED_ARG: names of that key */
	int argkey;			/* IOR_NEED_ARG: K_advice, _op, _prot */
};

/* The loader's key (K_*) of a key lib checks (IOR_CK_*), by its name. */
static int load_key(int ck)
{
#define CHECK_NAME(k) #k,
	static const char *const check_name[] = { IOR_CHECK_KEYS(CHECK_NAME) };
#undef CHECK_NAME

	for (int k = 0; k < NKEYS; k++)
		if (!strcmp(key_name[k], check_name[ck]))
			return k;
	ior_errx(IOR_EXIT_SYS, "%s: a key lib checks, unknown to the loader",
		 check_name[ck]);
}

/*
 * What row needs: lib's keys, and, from its row, whether its RET is
 * compared and which buffers it reads into or writes from.
 */
static void need_of_row(int row, struct row_need *n)
{
	const struct ior_call *c = &ior_calls[row];
	unsigned kind = c->replay;
	struct ior_need lib;

	ior_row_need(row, &lib);
	*n = (struct row_need){
		.need = lib.bits, .flags = lib.flags, .argt = lib.argt,
		.argkey = lib.bits & IOR_NEED_ARG ? load_key(lib.argkey) : 0,
	};
	if (kind == IOR_REPLAY_FORK || kind == IOR_REPLAY_EXEC)
		return;	/* parse_fork; exec's path is not the replay's */
	for (int i = 0; i < c->nargs; i++) {
		if (c->args[i].type == IOR_ARG_RBUF)
			n->need |= READS;
		if (c->args[i].type == IOR_ARG_WBUF)
			n->need |= WRITES;
	}
	if (n->need & IOR_NEED_URING)	/* parse_uring: fd may be fixed */
		return;
	switch (c->ret) {
	case IOR_RET_ADDR: case IOR_RET_PID: case IOR_RET_NOCMP:
		n->need |= NOCMP;
		break;
	case IOR_RET_COPY:	/* between two descriptors, either unknown */
		n->need |= A_PAIR | READS | WRITES;
		break;
	default:
		break;
	}
	if (is_aio_request(kind))
		n->need |= AIO;
	if (kind == IOR_REPLAY_OPEN && !n->flags)
		n->need |= A_CREAT;
}

/* What row needs, derived on first use (the master only, loading). */
static const struct row_need *need_of(int row)
{
	static struct row_need needs[IOR_NCALLS];
	static uint8_t known[IOR_NCALLS];

	if (!known[row]) {
		need_of_row(row, &needs[row]);
		known[row] = 1;
	}
	return &needs[row];
}

/* Whether a call on a path follows a symlink in its last component. */
static int follows_of(int row, uint64_t flags)
{
	switch (ior_calls[ior_calls[row].native].follow) {
	case IOR_FOLLOW_NOFOLLOW:
		return 0;
	case IOR_FOLLOW_AT_FOLLOW:
		return !!(flags & AT_SYMLINK_FOLLOW);
	case IOR_FOLLOW_AT_NOFOLLOW:
		return !(flags & AT_SYMLINK_NOFOLLOW);
	default:
		return 1;
	}
}

/*
 * Append n bytes and a NUL to a byte buffer; returns their offset. (Like
 * the ops, a buffer is filled in order and holds a few bytes for every
 * op: it grows without ior_xgrow's zeroing of its spare room.)
 */
static size_t buf_add(char **buf, size_t *len, size_t *cap, const char *s,
		      size_t n)
{
	size_t off = *len;

	if (!(*buf = ior_grow(*buf, cap, off + n + 1, 1)))
		ior_err(IOR_EXIT_SYS, "realloc");
	memcpy(*buf + off, s, n);
	(*buf)[off + n] = 0;
	*len = off + n + 1;
	return off;
}

size_t arena_add(const char *s, size_t n)
{
	return buf_add(&prog.arena, &prog.arena_len, &ld.arena_cap, s, n);
}

/*
 * The row of a record's CALL, refused unless ior-replay can issue it (its
 * replay column). An i386 call is issued as its x86_64 twin (*native),
 * and keeps its own row, whose name the result is written with.
 */
static int row_of(const struct ior_in *in, const char *name, int *native)
{
	int row = ior_call_find(name);

	/* Other io_uring operations are known, and skipped as unsupported. */
	if (row == IOR_C_uring_other) {
		size_t i = 0;

		while (i < IOR_URING_OPS && strcmp(ior_uring_ops[i], name + 6))
			i++;
		if (i == IOR_URING_OPS)
			row = -1;
	}
	if (row < 0 || ior_calls[row].replay == IOR_REPLAY_NONE)
		ior_bad(in, "CALL", "\"%.40s\" cannot be replayed", name);
	*native = row;
	if (strcmp(ior_calls[row].name, name))
		for (int i = 0; i < IOR_NCALLS; i++)
			if (ior_calls[i].native == row &&
			    !strcmp(ior_calls[i].name, name))
				return i;
	return row;
}

/*
 * The index that id has in m (stored + 1), a new one (the next after
 * *max) when it has none yet.
 */
static int32_t renumber(struct ior_hashmap *m, int64_t id, int32_t *max)
{
	void *v = ior_hashmap_get(m, (uint64_t)id);

	if (v)
		return (int32_t)((uintptr_t)v - 1);
	++*max;
	ior_hashmap_put(m, (uint64_t)id, (void *)(uintptr_t)(*max + 1));
	return *max;
}

int32_t fd_renumber(int64_t fd)
{
	int32_t n;

	if (ld.last_fd == fd + 1)	/* most often the last one's */
		return ld.last_fd_is;
	n = renumber(&ld.nums, fd, &prog.maxfd);
	if ((size_t)n >= ld.fdnum_cap)
		prog.fdnum = ior_xgrow(prog.fdnum, &ld.fdnum_cap, n + 1,
				       sizeof(*prog.fdnum));
	prog.fdnum[n] = fd;
	ld.last_fd = fd + 1;
	ld.last_fd_is = n;
	return n;
}

int32_t vfd_renumber(int64_t vfd)
{
	/* Most records use the vfd the one before used. */
	if (ld.last_vfd != vfd + 1) {
		ld.last_vfd = vfd + 1;
		ld.last_vfd_is = renumber(&ld.vfds, vfd, &prog.maxvfd);
	}
	return ld.last_vfd_is;
}

/* A captured descriptor that can be bound (0..FD_MAX-1), else -1. */
int32_t fd_of(const struct args *a, int k)
{
	int64_t fd = arg_int(a, k);

	if (fd < 0 || fd >= FD_MAX)
		return -1;
	return fd_renumber(fd);
}

/*
 * The vfd of key (ior-map's stream-unique descriptor id), -1 when absent.
 * The replay's table is keyed by vfd, not by number: a number reused by
 * another thread's open must not be confused with the closed descriptor.
 */
int32_t vfd_of(const struct args *a, int k)
{
	int64_t vfd;

	if (!a->val[k])
		return -1;
	vfd = arg_int(a, k);
	if (vfd < 0 || vfd >= VFD_MAX)
		ior_bad(a->in, key_name[k], "out of range 0..%d", VFD_MAX - 1);
	return vfd_renumber(vfd);
}

size_t path_of(const struct args *a, int k)
{
	char buf[PATH_MAX];
	size_t n = ior_val_unescape(a->in, key_name[k], arg_need(a, k), buf,
				    sizeof(buf));

	return n ? arena_add(buf, n) : 0;
}

/* setxattr's value, when captured: binary (ACLs hold NUL bytes). */
static void value_bytes(const struct args *a, struct prog_op *op)
{
	const struct ior_in *in = a->in;
	const char *v = a->val[K_value];
	char buf[4096];
	size_t n;
	long len;

	if (!v)
		return;
	n = strlen(v);
	if (n >= sizeof(buf))
		ior_bad(in, "value", "longer than %zu bytes", sizeof(buf) - 1);
	memcpy(buf, v, n + 1);
	if ((len = ior_unescape(buf)) < 0)
		ior_bad(in, "value", "malformed escape in \"%.40s\"", v);
	op->value = arena_add(buf, len);
	op->valuelen = len;
}

/* The thread of vtid, which exists; the last found is kept. */
uint32_t thread_index(int64_t vtid)
{
	/* Most records are of the thread the one before was. */
	if (ld.last_tid != vtid) {
		ld.last_tid_is = (uintptr_t)ior_hashmap_get(&ld.thread_of, vtid) - 1;
		ld.last_tid = vtid;
	}
	return ld.last_tid_is;
}

static uint32_t thread_get(const struct ior_in *in, int64_t vtid,
			   int64_t vpid, int forked)
{
	uint32_t t;

	if (vtid < 1 || vtid >= ID_MAX || vpid < 1 || vpid >= ID_MAX)
		ior_bad(in, forked ? "child" : "TID",
			"virtual id out of range 1..%d", ID_MAX - 1);
	if ((vtid == ld.last_tid && !forked) ||
	    ior_hashmap_get(&ld.thread_of, vtid)) {
		if (forked)
			ior_bad(in, "child", "task %lld already exists",
				(long long)vtid);
		return thread_index(vtid);
	}
	prog.threads = ior_xgrow(prog.threads, &ld.threads_cap,
				 prog.nthreads + 1, sizeof(*prog.threads));
	t = prog.nthreads++;
	prog.threads[t] = (struct prog_thread){ .vtid = vtid, .vpid = vpid,
		.first = NONE, .last = NONE, .next_initial = NONE,
		.comm = SIZE_MAX, .forked = forked };
	ior_hashmap_put(&ld.thread_of, vtid, (void *)(uintptr_t)(t + 1));
	return t;
}

/* A new op numbered seq, at index prog.nops: where seqs are. */
static void seq_note(int64_t seq)
{
	if (ld.nruns && seq == ld.last_seq + 1)
		return;
	ld.runs = ior_xgrow(ld.runs, &ld.runs_cap, ld.nruns + 1,
			    sizeof(*ld.runs));
	ld.runs[ld.nruns++] = (struct seq_run){ seq, prog.nops };
}

/* Index of the op numbered seq (ops are sorted by seq). */
static uint32_t op_by_seq(const struct ior_in *in, int64_t seq)
{
	size_t lo = 0, hi = ld.nruns;
	uint64_t i;

	/* the last run that starts at or before seq */
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (ld.runs[mid].seq <= seq)
			lo = mid + 1;
		else
			hi = mid;
	}
	if (lo == 0)
		goto none;
	i = ld.runs[lo - 1].index + (uint64_t)(seq - ld.runs[lo - 1].seq);
	if (i < (lo < ld.nruns ? ld.runs[lo].index : prog.nops))
		return i;
none:
	ior_bad(in, "after", "no operation seq=%lld before this one",
		(long long)seq);
}

/*
 * after=M[,N...]: the operations op waits for (earlier ones), at most
 * AFTER_MAX; more than two are a list in the arena (program.h). An op
 * held in memory is marked waited; one spooled may always be (window.c).
 */
static void parse_after(const struct ior_in *in, const char *s,
			struct prog_op *op)
{
	uint32_t list[AFTER_MAX];
	char buf[24];
	uint32_t n = 0;
	size_t off;

	for (const char *p = s, *e; ; p = e + 1) {
		int64_t a;

		e = strchr(p, ',');
		if (!e)
			e = p + strlen(p);
		if ((size_t)(e - p) >= sizeof(buf))
			ior_bad(in, "after", "not a number: \"%.24s\"", p);
		if (n == AFTER_MAX)
			ior_bad(in, "after", "more than %d operations", AFTER_MAX);
		memcpy(buf, p, e - p);
		buf[e - p] = 0;
		a = ior_int(in, "after", buf);
		if (a >= op->seq)
			ior_bad(in, "after", "names a later operation");
		list[n] = op_by_seq(in, a) + 1;
		if (!ld.spool)
			prog.ops[list[n] - 1].waited = 1;
		n++;
		if (!*e)
			break;
	}
	op->after = list[0];
	if (n == 2)
		op->after2 = list[1];
	if (n <= 2)
		return;
	list[0] = n - 1;	/* how many more, then each */
	off = arena_add((const char *)list, n * sizeof(*list));
	if (off >= AFTER_LIST)
		ior_bad(in, "after", "too many lists of operations");
	op->after2 = AFTER_LIST | off;
}

/*
 * The record's key=value arguments as they were written, but a request's
 * inflight: the result's is the replay's, the captured one is cinflight.
 */
static void keep_text(struct prog_op *op, const struct args *a)
{
	const struct ior_rec *r = a->r;
	int skip = a->val[K_inflight] &&
		(is_aio_request(op->kind) || is_uring_request(op->kind));
	char line[IOR_LINE_MAX + 1];
	size_t n = 0;

	for (int i = 0; i < r->nkv; i++) {
		size_t k = strlen(r->kv[i].key), v = strlen(r->kv[i].val);

		if (skip && !strcmp(r->kv[i].key, "inflight")) {
			op->cinflight = strcmp(r->kv[i].val, "0") != 0;
			continue;
		}
		if (n)
			line[n++] = ' ';
		memcpy(line + n, r->kv[i].key, k);
		n += k;
		line[n++] = '=';
		memcpy(line + n, r->kv[i].val, v);
		n += v;
	}
	op->text = arena_add(line, n);
	op->textlen = n;
}

/* A value of a table of values (not flags): unknown ones are refused. */
static uint64_t value_of(const struct args *a, int k,
			 const struct ior_flag *t)
{
	const char *v = arg_need(a, k);
	uint64_t x;

	if (ior_flags_parse(t, v, &x) == 0)
		for (; t->name; t++)
			if (t->value == x)
				return x;
	ior_bad(a->in, key_name[k], "unknown value \"%.40s\"", v);
}

/* atime, mtime: seconds with up to nine decimals, "now" or "omit". */
struct timespec time_of(const struct args *a, int k)
{
	const char *v = arg_need(a, k);
	uint64_t ns;

	if (!strcmp(v, "now"))
		return (struct timespec){ 0, UTIME_NOW };
	if (!strcmp(v, "omit"))
		return (struct timespec){ 0, UTIME_OMIT };
	ns = ior_time(a->in, key_name[k], v);
	return (struct timespec){ ns / 1000000000, ns % 1000000000 };
}

/* mknod's mode: permission and type bits; device nodes are refused. */
static uint32_t node_mode_of(const struct args *a)
{
	const char *v = arg_need(a, K_mode);
	uint32_t m = ior_mode(a->in, "mode", v);

	switch (m & S_IFMT) {
	case 0: case S_IFREG: case S_IFIFO: case S_IFSOCK:
		return m;
	default:
		ior_bad(a->in, "mode", "%s: device nodes are not replayed", v);
	}
}

/* A descriptor-sized captured number (close_range's bounds). */
static int64_t bound_of(const struct args *a, int k)
{
	uint64_t v = arg_uint(a, k);

	return v > INT32_MAX ? INT32_MAX : (int64_t)v;
}

/*
 * fcntl: the command, its argument and lock, as its row of the commands
 * says (ior.h: IOR_FCNTL_CMDS). A command that would make the kernel
 * signal the replay (F_SETOWN, F_SETSIG, F_NOTIFY, F_SETLEASE ...) is
 * never issued, nor one the replay cannot issue: a number the uapi names
 * no command by, a hint that was not captured. A cmd that is neither a
 * name nor a number is refused.
 */
static void parse_fcntl(const struct args *a, struct prog_op *op)
{
	const struct ior_rec *r = a->r;
	const char *v = arg_need(a, K_cmd);
	const struct ior_fcntl_cmd *row;
	uint64_t cmd;

	if (ior_flags_parse(ior_fcntl_cmds, v, &cmd) < 0)
		ior_bad(a->in, "cmd", "unknown value \"%.40s\"", v);
	row = ior_fcntl_cmd(cmd);
	switch (ior_fcntl_replay(row, a->val[K_hint] != NULL)) {
	case IOR_FCNTL_UNSAFE:
		op->never = SKIP_UNSAFE;
		break;
	case IOR_FCNTL_NONE:
		op->never = SKIP_UNSUPPORTED;
		break;
	default:
		break;
	}
	if (!row)
		return;
	op->cmd = cmd;
	switch (row->arg) {
	case IOR_FCNTL_ARG_FDFL:
		op->arg = arg_flags(a, K_arg, ior_fd_flags);
		break;
	case IOR_FCNTL_ARG_FL:
		op->arg = arg_flags(a, K_arg, ior_open_flags);
		break;
	case IOR_FCNTL_ARG_LOCK:
		op->ltype = value_of(a, K_ltype, ior_lock_types);
		op->whence = value_of(a, K_whence, ior_whence_names);
		op->offset = arg_int(a, K_offset);
		op->len = arg_int(a, K_len);
		break;
	case IOR_FCNTL_ARG_HINT:	/* the kernel checks it, as it did */
		if (a->val[K_hint])
			op->arg = arg_flags(a, K_hint, ior_rw_hints);
		break;
	case IOR_FCNTL_ARG_INT:
		if (op->cmd == F_ADD_SEALS || op->cmd == F_SETPIPE_SZ)
			op->arg = arg_int(a, K_arg);
		break;
	default:
		break;
	}
	if ((op->cmd == F_DUPFD || op->cmd == F_DUPFD_CLOEXEC) && r->ret >= 0) {
		/* the new descriptor, as for dup */
		if (r->ret >= FD_MAX)
			ior_bad(a->in, "RET", "descriptor above %d", FD_MAX - 1);
		op->num2 = fd_renumber(r->ret);
		op->fd2 = vfd_of(a, K_vfd2);
	}
	if (op->cmd == F_DUPFD || op->cmd == F_DUPFD_CLOEXEC)
		op->anyret = 1;
}

/* The arguments of the calls that need more than the common keys. */
static void parse_special(const struct args *a, struct prog_op *op)
{
	switch (op->kind) {
	case IOR_REPLAY_FCNTL:
		parse_fcntl(a, op);
		break;
	case IOR_REPLAY_MKNOD:
		op->mode = node_mode_of(a);
		break;
	case IOR_REPLAY_RENAME:	/* a whiteout is a device node, 0:0 */
		if (op->flags & RENAME_WHITEOUT)
			ior_bad(a->in, "flags", "%s: makes a whiteout, a device node, which is not replayed",
				a->val[K_flags]);
		break;
	case IOR_REPLAY_OPEN_BY_HANDLE:	/* the file it opened, when it did */
		if (a->val[K_path])
			op->path = path_of(a, K_path);
		break;
	case IOR_REPLAY_CLOSE_RANGE:
		op->num = bound_of(a, K_fd);
		op->len = bound_of(a, K_maxfd);
		break;
	default:
		break;
	}
}

/*
 * The mode a call that creates gives its file, the replay's own umask
 * being 0 (main.c), as ior-init's: the one the capture's file got. An
 * open's fmode is what its file was seen to get: the mode argument less
 * the application's umask, or what a default ACL gave instead; a file
 * that was there already kept its mode whatever the argument, and
 * fmode's bits are then the ones it had. Without fmode (mkdir, mknod,
 * io_uring's opens, an open whose file could not be stat'ed), the mode
 * argument less the umask the capture saw the call apply. A record
 * without either (written by hand, or captured before ior-trace wrote
 * umask) gives the mode as it is written: it says what it means.
 */
static void creation_mode(const struct args *a, struct prog_op *op)
{
	unsigned mask;

	switch (op->kind) {
	case IOR_REPLAY_OPEN: case IOR_REPLAY_UR_OPENAT:
	case IOR_REPLAY_UR_OPENAT2:
		if (!ior_open_creates(op->flags))
			return;
		if (a->val[K_fmode]) {
			op->mode &= ior_mode(a->in, "fmode", a->val[K_fmode]) &
				07777;
			return;
		}
		break;
	case IOR_REPLAY_MKDIR: case IOR_REPLAY_MKNOD:
		break;
	default:
		return;
	}
	if (!a->val[K_umask])
		return;
	mask = ior_mode(a->in, "umask", a->val[K_umask]);
	if (mask > 0777)
		ior_bad(a->in, "umask", "not a umask, 0000 to 0777: \"%.40s\"",
			a->val[K_umask]);
	op->mode &= ~mask;
}

/*
 * What the replay never does unless --privileged, whatever the program
 * says: give a mode setuid or setgid bits (a user's file chowned to root
 * by one operation and made 04755 by the next would be setuid-root), or
 * set a security.* or trusted.* extended attribute (security.capability
 * gives a file capabilities). The bits are dropped from the mode of
 * chmod, fchmod, mkdir, mknod and of opens that create; such a setxattr
 * is skipped as unsafe. Both are counted for the trailer.
 */
static void guard_op(struct prog_op *op)
{
	const char *name;

	if (opt.privileged)
		return;
	switch (op->kind) {
	case IOR_REPLAY_OPEN: case IOR_REPLAY_UR_OPENAT:
	case IOR_REPLAY_UR_OPENAT2:
		if (!ior_open_creates(op->flags))
			break;
		/* fall through */
	case IOR_REPLAY_CHMOD: case IOR_REPLAY_FCHMOD: case IOR_REPLAY_MKDIR:
	case IOR_REPLAY_MKNOD:
		if (op->mode & (S_ISUID | S_ISGID)) {
			op->mode &= ~(S_ISUID | S_ISGID);
			prog.setid_stripped++;
		}
		break;
	case IOR_REPLAY_SETXATTR: case IOR_REPLAY_FSETXATTR:
		name = str(op->name);
		if (!strncmp(name, "security.", 9) ||
		    !strncmp(name, "trusted.", 8)) {
			op->never = SKIP_UNSAFE;
			prog.xattrs_refused++;
		}
		break;
	default:
		break;
	}
}

/*
 * A table of values, not of flags: a value it does not name is refused
 * (lseek's whence; madvise's advice, where MADV_HWPOISON and the like
 * would harm; an fadvise advice is harmless: the kernel checks it).
 */
static int is_value_table(const struct ior_flag *t)
{
	return t == ior_whence_names || t == ior_madvise_advice ||
		t == ior_fcntl_cmds || t == ior_lock_types;
}

/*
 * An ior:fd with O_TMPFILE: a file without a name, made anew and written
 * size bytes long (paths.c), ANON_CHUNK bytes of wdata at a time.
 */
static void anon_size(const struct args *a, struct prog_op *op)
{
	uint64_t size;

	if ((op->flags & __O_TMPFILE) != __O_TMPFILE || !a->val[K_size])
		return;
	size = ior_uint(a->in, "size", a->val[K_size]);
	if (size > INT64_MAX)
		ior_bad(a->in, "size", "out of range 0..%lld",
			(long long)INT64_MAX);
	op->len = size;
	if (size > prog.maxwrite)
		prog.maxwrite = size < ANON_CHUNK ? size : ANON_CHUNK;
}

static void parse_args(const struct args *a, struct prog_op *op,
		       struct prog_thread *th)
{
	const struct ior_in *in = a->in;
	const struct ior_rec *r = a->r;
	const struct row_need *ci = need_of(ior_calls[op->row].native);
	unsigned nd = ci->need;

	op->fd = op->fd2 = op->num = op->num2 = -1;
	op->anyret = !!(nd & (IOR_NEED_RETFD | NOCMP));
	if (nd & IOR_NEED_FD) {
		op->num = fd_of(a, K_fd);
		op->fd = vfd_of(a, K_vfd);
		/* Copies substitute for a side they do not know. */
		op->byfd = op->kind != IOR_REPLAY_IORFD && !(nd & A_PAIR);
		if (op->kind == IOR_REPLAY_IORFD && op->num < 0)
			ior_bad(in, "fd", "out of range 0..%d", FD_MAX - 1);
		if (op->kind == IOR_REPLAY_IORFD && op->fd < 0)
			ior_bad(in, "vfd", "missing");
	}
	if (nd & IOR_NEED_FD2) {
		op->num2 = fd_of(a, K_fd2);
		op->fd2 = vfd_of(a, K_vfd2);
	}
	if (nd & IOR_NEED_PATH)
		op->path = path_of(a, K_path);
	if (nd & IOR_NEED_PATH2)
		op->path2 = path_of(a, K_path2);
	if (nd & IOR_NEED_NAME) {
		op->name = path_of(a, K_name);
		value_bytes(a, op);
	}
	if (ci->flags)
		op->flags = arg_flags(a, K_flags, ci->flags);
	if (op->kind == IOR_REPLAY_IORFD)
		anon_size(a, op);
	if (nd & IOR_NEED_MASK)
		op->mask = arg_flags(a, K_mask, ior_statx_mask);
	if (nd & IOR_NEED_AMODE)
		op->mode = arg_flags(a, K_amode, ior_access_modes);
	if (nd & IOR_NEED_OWNER) {
		op->uid = ior_owner(in, "uid", arg_need(a, K_uid), 1);
		op->gid = ior_owner(in, "gid", arg_need(a, K_gid), 1);
	}
	if ((nd & IOR_NEED_TIMES) && (a->val[K_atime] || a->val[K_mtime])) {
		op->ts[0] = time_of(a, K_atime);
		op->ts[1] = time_of(a, K_mtime);
		op->opt |= HAS_TIMES;
	}
	if (nd & IOR_NEED_WHENCE)
		op->whence = value_of(a, K_whence, ior_whence_names);
	if (nd & IOR_NEED_OFFSET)
		op->offset = arg_int(a, K_offset);
	if ((nd & IOR_NEED_OPTOFF) && a->val[K_offset]) {
		op->offset = arg_int(a, K_offset);
		op->opt |= HAS_OFF;
	}
	if ((nd & IOR_NEED_OPTOFF) && a->val[K_offset2]) {
		op->offset2 = arg_int(a, K_offset2);
		op->opt |= HAS_OFF2;
	}
	if (nd & IOR_NEED_SIZE)
		op->offset = arg_int(a, K_size);
	if (nd & IOR_NEED_LEN)
		op->len = arg_int(a, K_len);
	if (nd & IOR_NEED_ADDR)
		op->addr = arg_hex(a, K_addr);
	if (nd & IOR_NEED_COUNT) {
		op->count = arg_uint(a, K_count);
		if (op->count > RW_MAX)
			op->count = RW_MAX;
		/* but reads, writes and copies, issued in parts (issue_rw) */
		if ((nd & (READS | WRITES)) && op->count > BUF_MAX &&
		    !is_rw(op->kind) && !(nd & A_PAIR))
			op->count = BUF_MAX;
	}
	if (nd & IOR_NEED_IOVCNT) {
		op->iovcnt = arg_uint(a, K_iovcnt);
		if (op->iovcnt > IOV_LIMIT)
			ior_bad(in, "iovcnt", "more than %d", IOV_LIMIT);
		if (iov_room(op->iovcnt) > th->maxiov)
			th->maxiov = iov_room(op->iovcnt);
	}
	/*
	 * Type bits are accepted (git passes them to chmod) and passed on:
	 * the kernel ignores them, as it did in the capture.
	 */
	if ((nd & IOR_NEED_MODE) || (ci->flags == ior_open_flags && a->val[K_mode]))
		op->mode = ior_mode(in, "mode", arg_need(a, K_mode));
	if (nd & A_CREAT)
		op->flags = O_CREAT | O_WRONLY | O_TRUNC;
	if (nd & IOR_NEED_ARG)
		op->arg = is_value_table(ci->argt) ?
			value_of(a, ci->argkey, ci->argt) :
			arg_flags(a, ci->argkey, ci->argt);
	parse_special(a, op);
	parse_aio(a, op, th);
	if (nd & IOR_NEED_URING)
		parse_uring(a, op);
	else
		parse_uring_call(a, op);
	if ((nd & READS) && op->count > th->maxread)
		th->maxread = op->count < BUF_MAX ? op->count : BUF_MAX;
	if ((nd & WRITES) && op->count > prog.maxwrite)
		prog.maxwrite = op->count < BUF_MAX ? op->count : BUF_MAX;
	/*
	 * fstatat(fd, "", AT_EMPTY_PATH) and its kind act on the descriptor
	 * dirfd; so does utimensat(fd, NULL), which is futimens.
	 */
	if ((nd & IOR_NEED_EMPTY) && op->path == 0 &&
	    ((op->flags & AT_EMPTY_PATH) || op->kind == IOR_REPLAY_UTIMES)) {
		/* ior-map gives such a call the vfd of its dirfd. */
		op->num = strcmp(arg_need(a, K_dirfd), "AT_FDCWD") ?
			fd_of(a, K_dirfd) : -1;
		op->fd = vfd_of(a, K_vfd);
		op->byfd = 1;
	}
	op->follows = follows_of(op->row, op->flags);
	if ((nd & IOR_NEED_RETFD) && op->kind != IOR_REPLAY_IORFD && r->ret >= 0) {
		if (r->ret >= FD_MAX)
			ior_bad(in, "RET", "descriptor above %d", FD_MAX - 1);
		if (op->kind == IOR_REPLAY_DUP) {
			op->num2 = fd_renumber(r->ret);
			op->fd2 = vfd_of(a, K_vfd2);
		} else if (op->kind != IOR_REPLAY_DUP2 && op->kind != IOR_REPLAY_DUP3) {
			op->num = fd_renumber(r->ret);	/* an open's new one */
			op->fd = vfd_of(a, K_vfd);
		}
	}
	if (op->kind == IOR_REPLAY_IORFD && a->val[K_entries])
		parse_ring_fd(a, op);	/* a ring set up before capture */
}

static void parse_fork(const struct args *a, struct prog_op *op)
{
	int64_t child = arg_int(a, K_child);
	int64_t cpid = arg_int(a, K_cpid);

	op->flags = arg_flags(a, K_flags, ior_clone_flags);
	op->child = thread_get(a->in, child, cpid, 1);
}

/*
 * Whether a record is of io_uring (their kinds come last), or the ior:fd
 * of a ring set up before capture, in a program held whole from its
 * first such record on (IOR_REPLAY_HOLD, for tests): its requests are
 * then tied, and its queue depths found, by the passes over all of the
 * program (link_uring, find_depths), what the ties made as the records
 * come (load-uring.c) must equal.
 */
static int holds_whole(unsigned kind, const struct args *a)
{
	return ld.hold && (kind >= IOR_REPLAY_URING_SETUP ||
		(kind == IOR_REPLAY_IORFD && a->val[K_entries]));
}

/*
 * From spooling to holding the program: every op spooled so far read
 * back into prog.ops, with its strings into the arena, and linked to its
 * thread's op before it and to what its after= names, as if it had been
 * held from the start.
 */
static void unspool(void)
{
	char *blob = ior_xmalloc(BLOB_MAX);
	struct prog_op op;
	uint32_t len, n = 0;

	spool_rewind();
	prog.arena_len = 1;
	while (spool_get(&op, blob, &len)) {
		size_t at = prog.arena_len;

		if (!(prog.arena = ior_grow(prog.arena, &ld.arena_cap,
					    at + len, 1)))
			ior_err(IOR_EXIT_SYS, "realloc");
		memcpy(prog.arena + at, blob, len);
		prog.arena_len = at + len;
		op_rebase(&op, at - 1);
		if (!(prog.ops = ior_grow(prog.ops, &ld.ops_cap, n + 1,
					  sizeof(*prog.ops))))
			ior_err(IOR_EXIT_SYS, "realloc");
		op.next = NONE;
		if (op.prev != NONE)
			prog.ops[op.prev].next = n;
		if (op.after)
			prog.ops[op.after - 1].waited = 1;
		if (op.after2 & AFTER_LIST) {
			const char *l = str(op.after2 & ~AFTER_LIST);
			uint32_t k, j;

			memcpy(&k, l, sizeof(k));
			while (k) {
				memcpy(&j, l + k-- * sizeof(j), sizeof(j));
				prog.ops[j - 1].waited = 1;
			}
		} else if (op.after2)
			prog.ops[op.after2 - 1].waited = 1;
		prog.ops[n++] = op;
	}
	if (n != prog.nops)
		ior_errx(IOR_EXIT_SYS, "the spooled program is cut short");
	free(blob);
	spool_close();
	ld.spool = 0;
	for (uint32_t t = 0; t < prog.nthreads; t++)
		prog.threads[t].comm = SIZE_MAX;
}

static void parse_op(const struct ior_in *in, const struct ior_rec *r)
{
	struct args a = { in, r, { NULL } };
	struct prog_op *op;
	struct prog_thread *th;
	uint32_t t;
	int64_t seq;
	int row, call;

	ior_keys_values(&keys, r, a.val);
	if (!a.val[K_seq])
		ior_bad(in, "seq", "missing: not an operation of a replay program");
	if (prog.nops == AFTER_LIST - 1)
		ior_bad(in, NULL, "too many operations");
	seq = arg_int(&a, K_seq);
	if (seq < 1 || (prog.nops && seq <= ld.last_seq))
		ior_bad(in, "seq", "not increasing");
	call = row_of(in, r->call, &row);
	if (ld.spool && holds_whole(ior_calls[row].replay, &a))
		unspool();
	if (ld.spool) {
		op = &ld.scratch;
		ld.op_off = spool_op_offset();
	} else {
		/*
		 * Not ior_xgrow: zeroing the spare room, up to as many ops
		 * again, would cost a page fault every 4 KiB of it (a quarter
		 * more time to load a program of just over 2^20 ops).
		 */
		if (!(prog.ops = ior_grow(prog.ops, &ld.ops_cap, prog.nops + 1,
					  sizeof(*prog.ops))))
			ior_err(IOR_EXIT_SYS, "realloc");
		op = &prog.ops[prog.nops];
	}
	memset(op, 0, sizeof(*op));
	seq_note(seq);
	ld.last_seq = seq;
	op->seq = seq;
	op->row = call;
	op->kind = ior_calls[row].replay;
	op->pid = r->pid;
	op->tid = r->tid;
	op->cret = r->ret;
	op->cdur = r->dur;
	op->ctime = r->time_ns;
	op->next = op->batch = op->target = op->reach = NONE;
	if (a.val[K_after])
		parse_after(in, a.val[K_after], op);
	t = thread_get(in, r->tid, r->pid, 0);
	if (op->kind == IOR_REPLAY_FORK)
		parse_fork(&a, op);	/* may move threads[] */
	else
		parse_args(&a, op, &prog.threads[t]);
	creation_mode(&a, op);
	guard_op(op);
	th = &prog.threads[t];
	/* Held whole, a thread's ops share a copy of its COMM. */
	if (ld.spool || th->comm == SIZE_MAX || strcmp(str(th->comm), r->comm))
		th->comm = arena_add(r->comm, strlen(r->comm));
	op->comm = th->comm;
	keep_text(op, &a);
	op->thread = t;
	op->prev = th->last;
	if (th->last == NONE)
		th->first = prog.nops;
	else if (!ld.spool)
		prog.ops[th->last].next = prog.nops;
	th->last = prog.nops;
	if (!prog.nops || op->ctime < prog.ctime0)
		prog.ctime0 = op->ctime;
	if (ld.spool) {
		/* its strings: all the arena holds but offset 0 */
		spool_put(op, prog.arena + 1, prog.arena_len - 1);
		prog.arena_len = 1;
	}
	prog.nops++;
	if (!(prog.nops & (LINK_SWEEP - 1)))
		links_expire();
}

/*
 * The starting tree is ior-init's to make and check: its files are kept
 * only for what limits.c adds up, and a record it cannot read is left
 * out, not refused.
 */
static void tree_file(const struct ior_rec *r, int link)
{
	const char *v[NKEYS] = { NULL };
	char path[PATH_MAX], path2[PATH_MAX], *end;
	struct tree_file f = { 0 };
	long n;

	ior_keys_values(&keys, r, v);
	if (!v[K_path] || strlen(v[K_path]) >= sizeof(path) ||
	    (link ? !v[K_path2] || strlen(v[K_path2]) >= sizeof(path2) :
	     !v[K_size]))
		return;
	strcpy(path, v[K_path]);
	if ((n = ior_unescape(path)) <= 0 || memchr(path, 0, n))
		return;
	if (link) {
		strcpy(path2, v[K_path2]);
		if ((n = ior_unescape(path2)) <= 0 || memchr(path2, 0, n))
			return;
	} else {
		errno = 0;
		f.size = strtoull(v[K_size], &end, 10);
		if (*end || errno || v[K_size][0] == '-')
			return;
	}
	if (!(f.path = strdup(path)) || (link && !(f.path2 = strdup(path2))))
		ior_err(IOR_EXIT_SYS, "strdup");
	prog.tree = ior_xgrow(prog.tree, &ld.tree_cap, prog.ntree + 1,
			      sizeof(*prog.tree));
	prog.tree[prog.ntree++] = f;
}

/*
 * IOR_REPLAY_TIES=FILE, for tests: each io_uring op's ties and depth as
 * loaded, one line an op (its index, then batch, target, depth and
 * alone), to compare a program streamed with the same held whole
 * (IOR_REPLAY_HOLD).
 */
static FILE *ties_out;
static uint32_t ties_i;

static void tie_line(const struct prog_op *op)
{
	if (op->kind >= IOR_REPLAY_URING_SETUP)
		fprintf(ties_out, "%u %s %d %d %u %u\n", ties_i, op->kind ==
			IOR_REPLAY_URING_ENTER ? "enter" : "req",
			(int)op->batch, (int)op->target, op->depth, op->alone);
	ties_i++;
}

static void ties_dump(void)
{
	const char *path = getenv("IOR_REPLAY_TIES");

	if (!path || !*path)
		return;
	if (!(ties_out = fopen(path, "w")))
		ior_err(IOR_EXIT_SYS, "%s", path);
	ties_i = 0;
	if (prog.streamed)
		window_scan(tie_line);
	else
		for (uint32_t i = 0; i < prog.nops; i++)
			tie_line(&prog.ops[i]);
	if (fclose(ties_out))
		ior_err(IOR_EXIT_SYS, "%s", path);
}

/* Group the threads nothing forked by process: the master forks those. */
static void find_initial(void)
{
	struct ior_hashmap last = { 0 };	/* vpid -> its last initial
						   thread + 1 */

	prog.initial = ior_xreallocarray(NULL, prog.nthreads + 1,
					 sizeof(*prog.initial));
	for (uint32_t t = 0; t < prog.nthreads; t++) {
		int64_t pid = prog.threads[t].vpid;
		uintptr_t l;

		if (prog.threads[t].forked)
			continue;
		if ((l = (uintptr_t)ior_hashmap_get(&last, pid)))
			prog.threads[l - 1].next_initial = t;
		else
			prog.initial[prog.ninitial++] = t;
		ior_hashmap_put(&last, pid, (void *)(uintptr_t)(t + 1));
	}
	ior_hashmap_free(&last);
}

void load_program(const char *path)
{
	struct ior_in in;
	struct ior_rec r;
	int k, held;

	ior_in_open(&in, path);
	ior_keys_init(&keys, key_name, NKEYS);
	arena_add("", 0);	/* offset 0: the empty string */
	spool_open();
	ld.spool = 1;
	ld.hold = getenv("IOR_REPLAY_HOLD") && *getenv("IOR_REPLAY_HOLD");
	while ((k = ior_read(&in, &r)) != IOR_EOF) {
		if (k == IOR_META) {
			if (in.kind != IOR_KIND_REPLAY)
				ior_bad(&in, NULL, "a %s stream is not a replay program",
					ior_kind_name(in.kind));
			if (in.lineno == 1)
				continue;
			if (ior_is_magic(in.line)) {
				if (strcmp(in.line, "#ior 1 replay"))
					ior_bad(&in, NULL, "concatenated stream is not a replay program");
				continue;
			}
			buf_add(&prog.meta, &prog.meta_len, &ld.meta_cap, in.line, in.linelen);
			prog.meta[prog.meta_len - 1] = '\n';
			continue;
		}
		if (!strcmp(r.call, "init:file") || !strcmp(r.call, "init:link"))
			tree_file(&r, r.call[5] == 'l');
		if (!strncmp(r.call, "init:", 5))
			continue;	/* the starting tree: ior-init's job */
		/* its result's line, with the keys it gets, must fit a line */
		if (in.linelen > IOR_PROG_LINE_MAX)
			ior_bad(&in, "line", "%zu bytes, with no room for the keys ior-replay adds; at most %d",
				in.linelen, IOR_PROG_LINE_MAX);
		if (r.nkv > IOR_PROG_KV_MAX)
			ior_bad(&in, "arguments", "%d, with no room for the keys ior-replay adds; at most %d",
				r.nkv, IOR_PROG_KV_MAX);
		parse_op(&in, &r);
	}
	held = !ld.spool;	/* from an io_uring record on (IOR_REPLAY_HOLD) */
	if (ld.spool)
		uring_spooled();
	if (ld.spool && !window_covers(ld.span)) {
		ior_warnx("requests %u ops away from their calls: more than a window holds; the program is held whole",
			  ld.span);
		unspool();
	} else if (ld.spool && ld.uring_disorder) {
		ior_warnx("io_uring requests more than %u out of their submission order: the program is held whole",
			  UR_REORDER);
		unspool();
	}
	prog.streamed = ld.spool;
	prog.span = ld.span;
	if (held)
		link_uring();
	ior_in_close(&in);
	if (!prog.streamed) {
		link_aio();
		if (held || ld.uring_disorder)
			find_depths();
	} else
		aio_spooled();
	find_initial();
	window_plan();
	ties_dump();
	free(ld.runs);
	ior_hashmap_free(&ld.thread_of);
	ior_hashmap_free(&ld.vfds);
	ior_hashmap_free(&ld.nums);
	ld = (struct loader){ 0 };
}
