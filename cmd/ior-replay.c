/*
 * ior-replay - run a replay program beneath a root directory and write
 * the result stream.
 *
 * The whole program is parsed and checked first; nothing runs unless all
 * of it is valid. Then one process is forked per captured process and one
 * thread started per captured thread: initial processes by the master,
 * the others at their sched:fork. Each thread issues its operations in
 * order; an operation with after=M first waits until operation M is done.
 * Done-flags and results live in a shared anonymous mapping, waited on
 * with futexes, so they are seen across processes. When every replay
 * process has ended the master writes the results in program order.
 *
 * Every path is resolved beneath the root (root.h): nothing outside it
 * can be reached, whatever the program says.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <limits.h>
#include <linux/futex.h>
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/uio.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "ior.h"
#include "root.h"

#define NONE UINT32_MAX
#define ID_MAX (1 << 22)	/* largest virtual pid or tid accepted */
#define FD_MAX (1 << 20)	/* largest captured descriptor bound */
#define VFD_MAX (1 << 28)	/* largest vfd */
#define IOV_LIMIT (1 << 20)	/* largest iovcnt accepted */
#define RW_MAX 0x7ffff000ull	/* the kernel moves no more in one call */
#define SPIN 1000		/* polls before sleeping on a futex */

/* ---- the calls a replay program may hold ---- */

enum call {
	C_OPEN, C_OPENAT, C_OPENAT2, C_CREAT, C_CLOSE,
	C_READ, C_WRITE, C_PREAD, C_PWRITE,
	C_READV, C_WRITEV, C_PREADV, C_PWRITEV,
	C_LSEEK, C_FSYNC, C_FDATASYNC,
	C_STAT, C_LSTAT, C_FSTAT, C_NEWFSTATAT, C_STATX,
	C_MKDIR, C_MKDIRAT, C_RMDIR, C_UNLINK, C_UNLINKAT,
	C_RENAME, C_RENAMEAT, C_RENAMEAT2,
	C_TRUNCATE, C_FTRUNCATE, C_CHDIR, C_FCHDIR,
	C_DUP, C_DUP2, C_DUP3,
	C_FORK, C_EXEC, C_EXIT, C_IORFD,
};

/* Arguments a call needs (A_*), and whether RET is a descriptor. */
enum {
	A_FD = 1 << 0, A_FD2 = 1 << 1, A_PATH = 1 << 2, A_PATH2 = 1 << 3,
	A_OFLAGS = 1 << 4, A_ATFLAGS = 1 << 5, A_RENFLAGS = 1 << 6,
	A_MODE = 1 << 7, A_COUNT = 1 << 8, A_OFFSET = 1 << 9,
	A_IOVCNT = 1 << 10, A_WHENCE = 1 << 11, A_SIZE = 1 << 12,
	A_MASK = 1 << 13, A_FORK = 1 << 14,
	RET_FD = 1 << 15,	/* RET is a descriptor: its number may differ */
	READS = 1 << 16,	/* needs a read buffer of count bytes */
	WRITES = 1 << 17,	/* needs count bytes of data */
};

static const struct callinfo {
	const char *name;
	unsigned need;
} calls[] = {
	[C_OPEN] = { "open", A_PATH | A_OFLAGS | RET_FD },
	[C_OPENAT] = { "openat", A_PATH | A_OFLAGS | RET_FD },
	[C_OPENAT2] = { "openat2", A_PATH | A_OFLAGS | RET_FD },
	[C_CREAT] = { "creat", A_PATH | A_MODE | RET_FD },
	[C_CLOSE] = { "close", A_FD },
	[C_READ] = { "read", A_FD | A_COUNT | READS },
	[C_WRITE] = { "write", A_FD | A_COUNT | WRITES },
	[C_PREAD] = { "pread64", A_FD | A_COUNT | A_OFFSET | READS },
	[C_PWRITE] = { "pwrite64", A_FD | A_COUNT | A_OFFSET | WRITES },
	[C_READV] = { "readv", A_FD | A_IOVCNT | A_COUNT | READS },
	[C_WRITEV] = { "writev", A_FD | A_IOVCNT | A_COUNT | WRITES },
	[C_PREADV] = { "preadv", A_FD | A_IOVCNT | A_COUNT | A_OFFSET | READS },
	[C_PWRITEV] = { "pwritev", A_FD | A_IOVCNT | A_COUNT | A_OFFSET | WRITES },
	[C_LSEEK] = { "lseek", A_FD | A_OFFSET | A_WHENCE },
	[C_FSYNC] = { "fsync", A_FD },
	[C_FDATASYNC] = { "fdatasync", A_FD },
	[C_STAT] = { "stat", A_PATH },
	[C_LSTAT] = { "lstat", A_PATH },
	[C_FSTAT] = { "fstat", A_FD },
	[C_NEWFSTATAT] = { "newfstatat", A_PATH | A_ATFLAGS },
	[C_STATX] = { "statx", A_PATH | A_ATFLAGS | A_MASK },
	[C_MKDIR] = { "mkdir", A_PATH | A_MODE },
	[C_MKDIRAT] = { "mkdirat", A_PATH | A_MODE },
	[C_RMDIR] = { "rmdir", A_PATH },
	[C_UNLINK] = { "unlink", A_PATH },
	[C_UNLINKAT] = { "unlinkat", A_PATH | A_ATFLAGS },
	[C_RENAME] = { "rename", A_PATH | A_PATH2 },
	[C_RENAMEAT] = { "renameat", A_PATH | A_PATH2 },
	[C_RENAMEAT2] = { "renameat2", A_PATH | A_PATH2 | A_RENFLAGS },
	[C_TRUNCATE] = { "truncate", A_PATH | A_SIZE },
	[C_FTRUNCATE] = { "ftruncate", A_FD | A_SIZE },
	[C_CHDIR] = { "chdir", A_PATH },
	[C_FCHDIR] = { "fchdir", A_FD },
	[C_DUP] = { "dup", A_FD | RET_FD },
	[C_DUP2] = { "dup2", A_FD | A_FD2 | RET_FD },
	[C_DUP3] = { "dup3", A_FD | A_FD2 | A_OFLAGS | RET_FD },
	[C_FORK] = { "sched:fork", A_FORK },
	[C_EXEC] = { "sched:exec", 0 },
	[C_EXIT] = { "sched:exit", 0 },
	[C_IORFD] = { "ior:fd", A_FD | A_PATH | A_OFLAGS | A_OFFSET | RET_FD },
};
#define NCALLS (sizeof(calls) / sizeof(calls[0]))

/* statx(2) mask bits, for a symbolic mask= value. */
static const struct ior_flag statx_mask[] = {
	{ "STATX_BASIC_STATS", 0x7ff, 0 },
	{ "STATX_TYPE", 0x1, 0 },
	{ "STATX_MODE", 0x2, 0 },
	{ "STATX_NLINK", 0x4, 0 },
	{ "STATX_UID", 0x8, 0 },
	{ "STATX_GID", 0x10, 0 },
	{ "STATX_ATIME", 0x20, 0 },
	{ "STATX_MTIME", 0x40, 0 },
	{ "STATX_CTIME", 0x80, 0 },
	{ "STATX_INO", 0x100, 0 },
	{ "STATX_SIZE", 0x200, 0 },
	{ "STATX_BLOCKS", 0x400, 0 },
	{ "STATX_BTIME", 0x800, 0 },
	{ "STATX_MNT_ID", 0x1000, 0 },
	{ "STATX_DIOALIGN", 0x2000, 0 },
	{ NULL, 0, 0 },
};

/* ---- the program, parsed once by the master ---- */

/* One operation. Strings live in the arena. */
struct op {
	int64_t seq, pid, tid;	/* tid, pid: virtual ids, for the result */
	int64_t cret;		/* captured RET */
	uint64_t cdur;		/* captured DUR */
	int64_t offset;		/* offset, ior:fd offset, truncate size */
	uint64_t count;
	uint64_t flags;		/* O_*, AT_*, RENAME_* or CLONE_* by call */
	size_t comm, text;	/* escaped COMM; the record's key=value text */
	size_t path, path2;	/* unescaped; 0 is the empty string */
	uint32_t textlen;
	uint32_t after;		/* index + 1 of the op to wait for; 0: none */
	uint32_t next;		/* next op of the same thread, or NONE */
	uint32_t child;		/* sched:fork: thread index of the new task */
	int32_t fd, fd2;	/* vfds: the descriptor used, dup's new one; -1: none */
	int32_t num, num2;	/* their captured numbers; -1: none */
	uint32_t mode, mask, iovcnt;
	uint8_t call, whence;
	uint8_t byfd;		/* acts on the descriptor fd */
	uint8_t waited;		/* some op has after= it */
};

struct thread {
	int64_t vtid, vpid;
	uint32_t first, last;	/* its ops, linked by op.next */
	uint32_t next_initial;	/* next initial thread of the same process */
	uint32_t maxiov;
	uint64_t maxread;	/* read buffer it needs */
	size_t comm;		/* last COMM seen, to share arena copies */
	int forked;		/* announced by a sched:fork */
};

static struct op *ops;
static uint32_t nops, ops_cap;
static struct thread *threads;
static uint32_t nthreads, threads_cap;
static uint32_t *thread_of;	/* vtid -> thread index + 1 */
static uint32_t thread_of_cap;
static uint32_t *initial;	/* first thread of each initial process */
static uint32_t ninitial;
static char *arena;
static size_t arena_len, arena_cap;
static char *meta;		/* input metadata lines, passed through */
static size_t meta_len, meta_cap;
static uint64_t maxwrite;
static int32_t maxfd = -1;	/* largest captured descriptor number */
static int32_t maxvfd = -1;	/* largest vfd */

static struct ior_root root;
static int verbose;

static void *xrealloc(void *p, size_t n)
{
	p = realloc(p, n);
	if (!p)
		ior_err(IOR_EXIT_SYS, "realloc");
	return p;
}

static void grow(void **p, size_t *cap, size_t need, size_t size)
{
	if (need <= *cap)
		return;
	size_t n = *cap ? *cap : 1024;

	while (n < need)
		n *= 2;
	*p = xrealloc(*p, n * size);
	*cap = n;
}

/* Append n bytes and a NUL to a byte buffer; returns their offset. */
static size_t buf_add(char **buf, size_t *len, size_t *cap, const char *s,
		      size_t n)
{
	size_t off = *len;

	grow((void **)buf, cap, off + n + 1, 1);
	memcpy(*buf + off, s, n);
	(*buf)[off + n] = 0;
	*len = off + n + 1;
	return off;
}

static size_t arena_add(const char *s, size_t n)
{
	return buf_add(&arena, &arena_len, &arena_cap, s, n);
}

static const char *str(size_t off)
{
	return arena + off;
}

/* ---- parsing ---- */

static enum call call_of(const struct ior_in *in, const char *name)
{
	for (size_t i = 0; i < NCALLS; i++)
		if (!strcmp(calls[i].name, name))
			return i;
	ior_bad(in, "CALL", "\"%.40s\" cannot be replayed", name);
}

static const char *need(const struct ior_in *in, const struct ior_rec *r,
			const char *key)
{
	const char *v = ior_get(r, key);

	if (!v)
		ior_bad(in, key, "missing for %s", r->call);
	return v;
}

static uint64_t flags_of(const struct ior_in *in, const struct ior_rec *r,
			 const char *key, const struct ior_flag *t)
{
	const char *v = need(in, r, key);
	uint64_t f;

	if (!*v)		/* no flags set */
		return 0;
	if (ior_flags_parse(t, v, &f) < 0)
		ior_bad(in, key, "bad flags \"%.40s\"", v);
	return f;
}

static uint32_t mode_of(const struct ior_in *in, const struct ior_rec *r)
{
	const char *v = need(in, r, "mode");
	uint32_t m = 0;

	if (!*v)
		ior_bad(in, "mode", "empty");
	for (const char *p = v; *p; p++) {
		if (*p < '0' || *p > '7' || m > 07777)
			ior_bad(in, "mode", "not an octal mode: \"%.40s\"", v);
		m = m * 8 + (*p - '0');
	}
	if (m > 07777)
		ior_bad(in, "mode", "not an octal mode: \"%.40s\"", v);
	return m;
}

/* A captured descriptor that can be bound: 0..FD_MAX, else -1. */
static int32_t fd_of(const struct ior_in *in, const char *key, const char *v)
{
	int64_t fd = ior_int(in, key, v);

	if (fd < 0 || fd >= FD_MAX)
		return -1;
	if (fd > maxfd)
		maxfd = fd;
	return fd;
}

/*
 * The vfd of key (ior-map's stream-unique descriptor id), -1 when absent.
 * The replay's table is keyed by vfd, not by number: a number reused by
 * another thread's open must not be confused with the closed descriptor.
 */
static int32_t vfd_of(const struct ior_in *in, const struct ior_rec *r,
		      const char *key)
{
	const char *v = ior_get(r, key);
	int64_t vfd;

	if (!v)
		return -1;
	vfd = ior_int(in, key, v);
	if (vfd < 0 || vfd >= VFD_MAX)
		ior_bad(in, key, "out of range 0..%d", VFD_MAX - 1);
	if (vfd > maxvfd)
		maxvfd = vfd;
	return vfd;
}

static size_t path_of(const struct ior_in *in, const struct ior_rec *r,
		      const char *key)
{
	char buf[PATH_MAX];
	size_t n = ior_val_unescape(in, key, need(in, r, key), buf, sizeof(buf));

	return n ? arena_add(buf, n) : 0;
}

static uint32_t thread_get(const struct ior_in *in, int64_t vtid,
			   int64_t vpid, int forked)
{
	uint32_t t;

	if (vtid < 1 || vtid >= ID_MAX || vpid < 1 || vpid >= ID_MAX)
		ior_bad(in, forked ? "child" : "TID",
			"virtual id out of range 1..%d", ID_MAX - 1);
	if ((uint64_t)vtid < thread_of_cap && thread_of[vtid]) {
		if (forked)
			ior_bad(in, "child", "task %lld already exists",
				(long long)vtid);
		return thread_of[vtid] - 1;
	}
	size_t cap = thread_of_cap, tcap = threads_cap;

	grow((void **)&thread_of, &cap, vtid + 1, sizeof(*thread_of));
	memset(thread_of + thread_of_cap, 0,
	       (cap - thread_of_cap) * sizeof(*thread_of));
	thread_of_cap = cap;
	grow((void **)&threads, &tcap, nthreads + 1, sizeof(*threads));
	threads_cap = tcap;
	t = nthreads++;
	threads[t] = (struct thread){ .vtid = vtid, .vpid = vpid,
		.first = NONE, .last = NONE, .next_initial = NONE,
		.comm = SIZE_MAX, .forked = forked };
	thread_of[vtid] = t + 1;
	return t;
}

/* Index of the op numbered seq (ops are sorted by seq). */
static uint32_t op_by_seq(const struct ior_in *in, int64_t seq)
{
	uint32_t lo = 0, hi = nops;

	while (lo < hi) {
		uint32_t mid = lo + (hi - lo) / 2;

		if (ops[mid].seq < seq)
			lo = mid + 1;
		else
			hi = mid;
	}
	if (lo == nops || ops[lo].seq != seq)
		ior_bad(in, "after", "no operation seq=%lld before this one",
			(long long)seq);
	return lo;
}

/* The record's key=value arguments as they were written. */
static void keep_text(struct op *op, const struct ior_rec *r)
{
	char line[IOR_LINE_MAX + 1];
	size_t n = 0;

	for (int i = 0; i < r->nkv; i++) {
		size_t k = strlen(r->kv[i].key), v = strlen(r->kv[i].val);

		if (i)
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

static void parse_args(const struct ior_in *in, const struct ior_rec *r,
		       struct op *op, struct thread *th)
{
	unsigned nd = calls[op->call].need;

	op->fd = op->fd2 = op->num = op->num2 = -1;
	if (nd & A_FD) {
		op->num = fd_of(in, "fd", need(in, r, "fd"));
		op->fd = vfd_of(in, r, "vfd");
		op->byfd = op->call != C_IORFD;
		if (op->call == C_IORFD && op->num < 0)
			ior_bad(in, "fd", "out of range 0..%d", FD_MAX - 1);
		if (op->call == C_IORFD && op->fd < 0)
			ior_bad(in, "vfd", "missing");
	}
	if (nd & A_FD2) {
		op->num2 = fd_of(in, "fd2", need(in, r, "fd2"));
		op->fd2 = vfd_of(in, r, "vfd2");
	}
	if (nd & A_PATH)
		op->path = path_of(in, r, "path");
	if (nd & A_PATH2)
		op->path2 = path_of(in, r, "path2");
	if (nd & A_OFLAGS)
		op->flags = flags_of(in, r, "flags", ior_open_flags);
	if (nd & A_ATFLAGS)
		op->flags = flags_of(in, r, "flags", ior_at_flags);
	if (nd & A_RENFLAGS)
		op->flags = flags_of(in, r, "flags", ior_rename_flags);
	if (nd & A_MASK)
		op->mask = flags_of(in, r, "mask", statx_mask);
	if (nd & A_WHENCE) {
		uint64_t wh = flags_of(in, r, "whence", ior_whence_names);

		if (wh > UINT8_MAX)
			ior_bad(in, "whence", "out of range");
		op->whence = wh;
	}
	if (nd & A_OFFSET)
		op->offset = ior_int(in, "offset", need(in, r, "offset"));
	if (nd & A_SIZE)
		op->offset = ior_int(in, "size", need(in, r, "size"));
	if (nd & A_COUNT) {
		op->count = ior_uint(in, "count", need(in, r, "count"));
		if (op->count > RW_MAX)
			op->count = RW_MAX;
	}
	if (nd & A_IOVCNT) {
		op->iovcnt = ior_uint(in, "iovcnt", need(in, r, "iovcnt"));
		if (op->iovcnt > IOV_LIMIT)
			ior_bad(in, "iovcnt", "more than %d", IOV_LIMIT);
		if (op->iovcnt > th->maxiov)
			th->maxiov = op->iovcnt;
	}
	if ((nd & A_MODE) || ((nd & A_OFLAGS) && ior_get(r, "mode")))
		op->mode = mode_of(in, r);
	if (op->call == C_CREAT)
		op->flags = O_CREAT | O_WRONLY | O_TRUNC;
	if ((nd & READS) && op->count > th->maxread)
		th->maxread = op->count;
	if ((nd & WRITES) && op->count > maxwrite)
		maxwrite = op->count;
	/* fstatat(fd, "", AT_EMPTY_PATH) acts on the descriptor dirfd. */
	if ((op->call == C_NEWFSTATAT || op->call == C_STATX) &&
	    (op->flags & AT_EMPTY_PATH) && op->path == 0) {
		const char *d = need(in, r, "dirfd");

		/* ior-map gives such a call the vfd of its dirfd. */
		op->num = strcmp(d, "AT_FDCWD") ? fd_of(in, "dirfd", d) : -1;
		op->fd = vfd_of(in, r, "vfd");
		op->byfd = 1;
	}
	if ((nd & RET_FD) && op->call != C_IORFD && r->ret >= 0) {
		if (r->ret >= FD_MAX)
			ior_bad(in, "RET", "descriptor above %d", FD_MAX - 1);
		if (r->ret > maxfd)
			maxfd = r->ret;
		if (op->call == C_DUP) {
			op->num2 = r->ret;
			op->fd2 = vfd_of(in, r, "vfd2");
		} else if (op->call != C_DUP2 && op->call != C_DUP3) {
			op->num = r->ret;	/* an open's new descriptor */
			op->fd = vfd_of(in, r, "vfd");
		}
	}
}

static void parse_fork(const struct ior_in *in, const struct ior_rec *r,
		       struct op *op)
{
	int64_t child = ior_int(in, "child", need(in, r, "child"));
	int64_t cpid = ior_int(in, "cpid", need(in, r, "cpid"));

	op->flags = flags_of(in, r, "flags", ior_clone_flags);
	op->child = thread_get(in, child, cpid, 1);
}

static void parse_op(const struct ior_in *in, const struct ior_rec *r)
{
	const char *s = ior_get(r, "seq");
	struct op *op;
	struct thread *th;
	uint32_t t;

	if (!s)
		ior_bad(in, "seq", "missing: not an operation of a replay program");
	if (nops == NONE - 1)
		ior_bad(in, NULL, "too many operations");
	size_t cap = ops_cap;

	grow((void **)&ops, &cap, nops + 1, sizeof(*ops));
	ops_cap = cap;
	op = &ops[nops];
	memset(op, 0, sizeof(*op));
	op->seq = ior_int(in, "seq", s);
	if (op->seq < 1 || (nops && op->seq <= ops[nops - 1].seq))
		ior_bad(in, "seq", "not increasing");
	op->call = call_of(in, r->call);
	op->pid = r->pid;
	op->tid = r->tid;
	op->cret = r->ret;
	op->cdur = r->dur;
	op->next = NONE;
	if ((s = ior_get(r, "after"))) {
		int64_t a = ior_int(in, "after", s);

		if (a >= op->seq)
			ior_bad(in, "after", "names a later operation");
		op->after = op_by_seq(in, a) + 1;
		ops[op->after - 1].waited = 1;
	}
	t = thread_get(in, r->tid, r->pid, 0);
	if (op->call == C_FORK)
		parse_fork(in, r, op);	/* may move threads[] */
	else
		parse_args(in, r, op, &threads[t]);
	th = &threads[t];
	if (th->comm == SIZE_MAX || strcmp(str(th->comm), r->comm))
		th->comm = arena_add(r->comm, strlen(r->comm));
	op->comm = th->comm;
	keep_text(op, r);
	if (th->last == NONE)
		th->first = nops;
	else
		ops[th->last].next = nops;
	th->last = nops;
	nops++;
}

/* Group the threads nothing forked by process: the master forks those. */
static void find_initial(void)
{
	uint32_t *last;		/* vpid -> its last initial thread + 1 */
	int64_t maxpid = 0;

	for (uint32_t t = 0; t < nthreads; t++)
		if (threads[t].vpid > maxpid)
			maxpid = threads[t].vpid;
	last = calloc(maxpid + 1, sizeof(*last));
	initial = malloc((nthreads + 1) * sizeof(*initial));
	if (!last || !initial)
		ior_err(IOR_EXIT_SYS, "malloc");
	for (uint32_t t = 0; t < nthreads; t++) {
		int64_t pid = threads[t].vpid;

		if (threads[t].forked)
			continue;
		if (last[pid])
			threads[last[pid] - 1].next_initial = t;
		else
			initial[ninitial++] = t;
		last[pid] = t + 1;
	}
	free(last);
}

static void load_program(const char *path)
{
	struct ior_in in;
	struct ior_rec r;
	int k;

	ior_in_open(&in, path);
	arena_add("", 0);	/* offset 0: the empty string */
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
			buf_add(&meta, &meta_len, &meta_cap, in.line, in.linelen);
			meta[meta_len - 1] = '\n';
			continue;
		}
		if (!strncmp(r.call, "init:", 5))
			continue;	/* the starting tree: ior-init's job */
		parse_op(&in, &r);
	}
	ior_in_close(&in);
	find_initial();
}

/* ---- shared state: done-flags and results, seen by every process ---- */

enum { ST_PENDING, ST_WAITED, ST_DONE, ST_SKIPPED, ST_ABORT };

struct result {
	uint64_t start;		/* ns since the replay started */
	int64_t ret;
	uint64_t dur;
	uint32_t state;		/* ST_*: a futex word */
	uint32_t pad;
};

static struct shared {
	uint64_t t0;		/* CLOCK_MONOTONIC at the start */
	uint32_t abort;
	struct result res[];
} *sh;

static char *wdata;		/* what writes write: random, made once */

/*
 * Per replay process, shared by its threads: vfd -> real descriptor, and
 * captured number -> vfd (to close what a dup2 onto a number displaces).
 */
static int *fdmap;
static uint8_t *fdcloexec;
static int32_t *numvfd;

static uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000000000ull + ts.tv_nsec;
}

static long futex(uint32_t *word, int op, uint32_t val)
{
	return syscall(SYS_futex, word, op, val, NULL, NULL, 0);
}

/*
 * Stop every waiter: after a failure the ops they wait for may never be
 * done. Each waiter then exits.
 */
static void abort_all(void)
{
	__atomic_store_n(&sh->abort, 1, __ATOMIC_SEQ_CST);
	for (uint32_t i = 0; i < nops; i++) {
		uint32_t *w = &sh->res[i].state;
		uint32_t v = __atomic_load_n(w, __ATOMIC_ACQUIRE);

		while (v < ST_DONE && !__atomic_compare_exchange_n(w, &v,
				ST_ABORT, 0, __ATOMIC_ACQ_REL, __ATOMIC_ACQUIRE))
			;
		if (v == ST_WAITED)
			futex(w, FUTEX_WAKE, INT_MAX);
	}
}

/* A system error inside a replay process ends the whole replay. */
static _Noreturn void fatal(const char *what)
{
	ior_warn("%s", what);
	abort_all();
	_exit(IOR_EXIT_SYS);
}

static void wait_done(uint32_t i)
{
	uint32_t *w = &sh->res[i].state;
	uint32_t v;
	int n = 0;

	/* Spin a little: the op is often about to be done. Then sleep. */
	while ((v = __atomic_load_n(w, __ATOMIC_ACQUIRE)) < ST_DONE) {
		if (n++ < SPIN)
			__builtin_ia32_pause();
		else if (v == ST_WAITED || __atomic_compare_exchange_n(w, &v,
				ST_WAITED, 0, __ATOMIC_ACQ_REL, __ATOMIC_ACQUIRE))
			futex(w, FUTEX_WAIT, ST_WAITED);
	}
	if (__atomic_load_n(&sh->abort, __ATOMIC_ACQUIRE))
		_exit(IOR_EXIT_SYS);
}

static void finish(uint32_t i, uint32_t state)
{
	uint32_t *w = &sh->res[i].state;

	/* Only an op named by some after= can have a sleeper to wake. */
	if (!ops[i].waited) {
		__atomic_store_n(w, state, __ATOMIC_RELEASE);
		return;
	}
	if (__atomic_exchange_n(w, state, __ATOMIC_ACQ_REL) == ST_WAITED)
		futex(w, FUTEX_WAKE, INT_MAX);
}

/* ---- descriptors ---- */

static int real_fd(int32_t fd)
{
	return fd < 0 ? -1 : __atomic_load_n(&fdmap[fd], __ATOMIC_RELAXED);
}

static void bind_fd(int32_t fd, int real, int cloexec)
{
	int old;

	if (fd < 0)
		return;
	old = __atomic_exchange_n(&fdmap[fd], real, __ATOMIC_RELAXED);
	if (old >= 0)
		close(old);
	fdcloexec[fd] = cloexec;
}

/* Note that captured number num now names vfd (-1: nothing). */
static void bind_num(int32_t num, int32_t vfd)
{
	if (num >= 0)
		__atomic_store_n(&numvfd[num], vfd, __ATOMIC_RELAXED);
}

/* Close what the capture's descriptor number num named, if anything. */
static void displace(int32_t num)
{
	if (num >= 0)
		bind_fd(__atomic_exchange_n(&numvfd[num], -1, __ATOMIC_RELAXED),
			-1, 0);
}

/* Bind the descriptor a call made where the capture had one, else drop it. */
static void bind_new(int32_t fd, int32_t num, int64_t r, int cloexec)
{
	if (r < 0)
		return;
	if (fd >= 0) {
		bind_fd(fd, r, cloexec);
		bind_num(num, fd);
	} else
		close(r);
}

static void close_on_exec(void)
{
	for (int32_t fd = 0; fd <= maxvfd; fd++)
		if (fdcloexec[fd] && real_fd(fd) >= 0)
			bind_fd(fd, -1, 0);
}

/* ---- the calls ---- */

/* Per thread: a buffer for reads and room for iovecs. */
struct worker {
	char *rbuf;
	struct iovec *iov;
};

static int64_t neg(int64_t r)
{
	return r < 0 ? -errno : r;
}

/* Split count bytes of buf over n iovecs. */
static void fill_iov(struct iovec *iov, uint32_t n, char *buf, uint64_t count)
{
	for (uint32_t i = 0; i < n; i++) {
		size_t len = count / n + (i == n - 1 ? count % n : 0);

		iov[i].iov_base = buf;
		iov[i].iov_len = len;
		buf += len;
	}
}

static int64_t stat_follow(const char *path, int use_statx, unsigned mask)
{
	int fd = ior_root_openat(&root, path, O_PATH | O_CLOEXEC, 0);
	int64_t r;

	if (fd < 0)
		return fd;
	if (use_statx) {
		struct statx stx;

		r = neg(statx(fd, "", AT_EMPTY_PATH, mask, &stx));
	} else {
		struct stat st;

		r = neg(fstat(fd, &st));
	}
	close(fd);
	return r;
}

/* The *at calls that act on a name: under its parent, never following it. */
static int64_t at_name(enum call c, const struct op *op)
{
	char name[NAME_MAX + 1], name2[NAME_MAX + 1];
	int d2 = -1, d = ior_root_parent(&root, str(op->path), name,
					 sizeof(name));
	int64_t r;

	if (d < 0)
		return d;
	switch (c) {
	case C_MKDIR:
		r = neg(mkdirat(d, name, op->mode));
		break;
	case C_UNLINK:
		r = neg(unlinkat(d, name, op->flags & AT_REMOVEDIR));
		break;
	case C_RENAME:
		d2 = ior_root_parent(&root, str(op->path2), name2, sizeof(name2));
		r = d2 < 0 ? d2 : neg(renameat2(d, name, d2, name2, op->flags));
		if (d2 >= 0)
			close(d2);
		break;
	case C_STATX: {
		struct statx stx;

		r = neg(statx(d, name, AT_SYMLINK_NOFOLLOW, op->mask, &stx));
		break;
	}
	default: {
		struct stat st;

		r = neg(fstatat(d, name, &st, AT_SYMLINK_NOFOLLOW));
		break;
	}
	}
	close(d);
	return r;
}

static int64_t open_in_root(const char *path, int flags, int mode)
{
	return ior_root_openat(&root, path, flags, mode);
}

static int64_t truncate_in_root(const char *path, off_t size)
{
	int fd = ior_root_openat(&root, path, O_WRONLY | O_CLOEXEC, 0);
	int64_t r;

	if (fd < 0)
		return fd;
	r = neg(ftruncate(fd, size));
	close(fd);
	return r;
}

static int64_t chdir_in_root(const char *path)
{
	int fd = ior_root_openat(&root, path, O_PATH | O_DIRECTORY | O_CLOEXEC, 0);

	/* Paths are absolute: the directory is only checked, not kept. */
	if (fd < 0)
		return fd;
	close(fd);
	return 0;
}

static int64_t fchdir_check(int fd)
{
	struct stat st;

	if (fstat(fd, &st) < 0)
		return -errno;
	return S_ISDIR(st.st_mode) ? 0 : -ENOTDIR;
}

static int64_t ior_fd_open(const struct op *op)
{
	int flags = op->flags & ~(O_CREAT | O_TRUNC | O_EXCL);
	int fd = ior_root_openat(&root, str(op->path), flags, 0);

	if (fd < 0)
		return fd;
	bind_fd(op->fd, fd, !!(flags & O_CLOEXEC));
	bind_num(op->num, op->fd);
	if (op->offset && lseek(fd, op->offset, SEEK_SET) < 0)
		return -errno;
	return 0;
}

static void run_thread(uint32_t t);
static void *thread_main(void *arg);

static void start_thread(uint32_t t)
{
	pthread_attr_t attr;
	pthread_t pt;
	int e;

	pthread_attr_init(&attr);
	pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
	e = pthread_create(&pt, &attr, thread_main, (void *)(uintptr_t)t);
	pthread_attr_destroy(&attr);
	if (e) {
		errno = e;
		fatal("pthread_create");
	}
}

/* sched:fork: a thread in this process, or a new process with our fds. */
static int64_t replay_fork(const struct op *op)
{
	pid_t pid;

	if (op->flags & (CLONE_THREAD | CLONE_FILES)) {
		start_thread(op->child);
		return 0;
	}
	pid = fork();
	if (pid < 0)
		fatal("fork");
	if (pid == 0) {
		/* The forking thread is the child process's only thread. */
		run_thread(op->child);
		pthread_exit(NULL);
	}
	return 0;
}

/*
 * Issue one op: the call's own time is measured, not the set-up. Returns 0,
 * or -1 when the op cannot be issued (no real descriptor).
 */
static int replay_op(struct worker *w, const struct op *op, struct result *res)
{
	enum call c = op->call;
	const char *path = str(op->path);
	int fd = -1;
	uint64_t t1, t2;
	int64_t r = 0;	/* every call sets it; the compiler cannot tell */

	if (op->byfd && (fd = real_fd(op->fd)) < 0)
		return -1;
	if (c == C_READV || c == C_PREADV)
		fill_iov(w->iov, op->iovcnt, w->rbuf, op->count);
	else if (c == C_WRITEV || c == C_PWRITEV)
		fill_iov(w->iov, op->iovcnt, wdata, op->count);
	/* An empty path names nothing (the root helpers would take the root). */
	if ((calls[c].need & A_PATH) && !*path && !op->byfd) {
		res->start = now_ns() - sh->t0;
		res->ret = -ENOENT;
		res->dur = 0;
		return 0;
	}

	t1 = now_ns();
	switch (c) {
	case C_OPEN: case C_OPENAT: case C_OPENAT2: case C_CREAT:
		r = open_in_root(path, op->flags, op->mode);
		break;
	case C_CLOSE:
		r = neg(close(fd));
		break;
	case C_READ:
		r = neg(read(fd, w->rbuf, op->count));
		break;
	case C_WRITE:
		r = neg(write(fd, wdata, op->count));
		break;
	case C_PREAD:
		r = neg(pread(fd, w->rbuf, op->count, op->offset));
		break;
	case C_PWRITE:
		r = neg(pwrite(fd, wdata, op->count, op->offset));
		break;
	case C_READV:
		r = neg(readv(fd, w->iov, op->iovcnt));
		break;
	case C_WRITEV:
		r = neg(writev(fd, w->iov, op->iovcnt));
		break;
	case C_PREADV:
		r = neg(preadv(fd, w->iov, op->iovcnt, op->offset));
		break;
	case C_PWRITEV:
		r = neg(pwritev(fd, w->iov, op->iovcnt, op->offset));
		break;
	case C_LSEEK:
		r = neg(lseek(fd, op->offset, op->whence));
		break;
	case C_FSYNC:
		r = neg(fsync(fd));
		break;
	case C_FDATASYNC:
		r = neg(fdatasync(fd));
		break;
	case C_FSTAT: {
		struct stat st;

		r = neg(fstat(fd, &st));
		break;
	}
	case C_STAT:
		r = stat_follow(path, 0, 0);
		break;
	case C_LSTAT:
		r = at_name(C_LSTAT, op);
		break;
	case C_NEWFSTATAT:
	case C_STATX:
		if (op->byfd) {	/* AT_EMPTY_PATH on a descriptor */
			if (c == C_STATX) {
				struct statx stx;

				r = neg(statx(fd, "", AT_EMPTY_PATH, op->mask, &stx));
			} else {
				struct stat st;

				r = neg(fstat(fd, &st));
			}
		} else if (op->flags & AT_SYMLINK_NOFOLLOW)
			r = at_name(c, op);
		else
			r = stat_follow(path, c == C_STATX, op->mask);
		break;
	case C_MKDIR: case C_MKDIRAT:
		r = at_name(C_MKDIR, op);
		break;
	case C_RMDIR:
	case C_UNLINK: case C_UNLINKAT: {
		struct op o = *op;

		if (c == C_RMDIR)
			o.flags = AT_REMOVEDIR;
		else if (c == C_UNLINK)
			o.flags = 0;
		r = at_name(C_UNLINK, &o);
		break;
	}
	case C_RENAME: case C_RENAMEAT: case C_RENAMEAT2:
		r = at_name(C_RENAME, op);
		break;
	case C_TRUNCATE:
		r = truncate_in_root(path, op->offset);
		break;
	case C_FTRUNCATE:
		r = neg(ftruncate(fd, op->offset));
		break;
	case C_CHDIR:
		r = chdir_in_root(path);
		break;
	case C_FCHDIR:
		r = fchdir_check(fd);
		break;
	case C_DUP:
		r = neg(dup(fd));
		break;
	case C_DUP2:
	case C_DUP3:
		if (op->num == op->num2)	/* dup2 checks it, dup3 refuses it */
			r = c == C_DUP2 ? neg(dup2(fd, fd)) :
				neg(dup3(fd, fd, op->flags));
		else if (c == C_DUP3 && (op->flags & O_CLOEXEC))
			r = neg(fcntl(fd, F_DUPFD_CLOEXEC, 0));
		else
			r = neg(dup(fd));
		break;
	case C_FORK:
		r = replay_fork(op);
		break;
	case C_EXEC:
		close_on_exec();
		r = 0;
		break;
	case C_EXIT:
		r = 0;
		break;
	case C_IORFD:
		r = ior_fd_open(op);
		break;
	}
	t2 = now_ns();
	res->start = t1 - sh->t0;
	res->ret = r;
	res->dur = t2 - t1;

	/* Keep the descriptor table as the capture's was. */
	switch (c) {
	case C_OPEN: case C_OPENAT: case C_OPENAT2: case C_CREAT:
		bind_new(op->cret >= 0 ? op->fd : -1, op->num, r,
			 !!(op->flags & O_CLOEXEC));
		break;
	case C_DUP:
		bind_new(op->cret >= 0 ? op->fd2 : -1, op->num2, r, 0);
		break;
	case C_DUP2:
	case C_DUP3:
		if (op->num != op->num2) {
			if (op->cret >= 0)
				displace(op->num2);
			bind_new(op->cret >= 0 ? op->fd2 : -1, op->num2, r,
				 !!(op->flags & O_CLOEXEC) && c == C_DUP3);
		}
		break;
	case C_CLOSE:		/* the descriptor is gone even on error */
		bind_fd(op->fd, -1, 0);
		if (op->num >= 0)
			__atomic_compare_exchange_n(&numvfd[op->num],
				&(int32_t){ op->fd }, -1, 0, __ATOMIC_RELAXED,
				__ATOMIC_RELAXED);
		break;
	default:
		break;
	}
	return 0;
}

/* ---- threads and processes ---- */

static void *map_buf(uint64_t size)
{
	void *p;

	if (!size)
		return NULL;
	p = mmap(NULL, size, PROT_READ | PROT_WRITE,
		 MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	if (p == MAP_FAILED)
		fatal("mmap");
	return p;
}

/* Run the ops of thread t in order, each after what it must follow. */
static void run_thread(uint32_t t)
{
	const struct thread *th = &threads[t];
	struct worker w = { map_buf(th->maxread), NULL };

	if (th->maxiov && !(w.iov = calloc(th->maxiov, sizeof(*w.iov))))
		fatal("calloc");
	for (uint32_t i = th->first; i != NONE; i = ops[i].next) {
		struct result *res = &sh->res[i];

		if (ops[i].after)
			wait_done(ops[i].after - 1);
		if (replay_op(&w, &ops[i], res) < 0) {
			res->start = now_ns() - sh->t0;
			finish(i, ST_SKIPPED);
		} else
			finish(i, ST_DONE);
	}
	if (w.rbuf)
		munmap(w.rbuf, th->maxread);
	free(w.iov);
}

static void *thread_main(void *arg)
{
	run_thread((uintptr_t)arg);
	return NULL;
}

/* An initial process: its first thread runs here, the others beside it. */
static void run_initial(uint32_t first)
{
	for (uint32_t t = threads[first].next_initial; t != NONE;
	     t = threads[t].next_initial)
		start_thread(t);
	run_thread(first);
	/* The process ends, with status 0, when its last thread does. */
	pthread_exit(NULL);
}

/* Random bytes that do not compress: what every write writes. */
static void make_wdata(void)
{
	uint64_t x = 0x9e3779b97f4a7c15ull ^ (uint64_t)getpid();
	uint64_t *p;

	if (!maxwrite)
		return;
	wdata = map_buf((maxwrite + 7) & ~7ull);
	p = (uint64_t *)wdata;
	for (uint64_t i = 0; i < (maxwrite + 7) / 8; i++) {
		x ^= x >> 12;
		x ^= x << 25;
		x ^= x >> 27;
		p[i] = x * 0x2545f4914f6cdd1dull;
	}
}

static void setup(void)
{
	size_t size = sizeof(*sh) + (size_t)nops * sizeof(sh->res[0]);
	struct rlimit rl;

	sh = mmap(NULL, size, PROT_READ | PROT_WRITE,
		  MAP_SHARED | MAP_ANONYMOUS | MAP_POPULATE, -1, 0);
	if (sh == MAP_FAILED)
		ior_err(IOR_EXIT_SYS, "mmap %zu bytes", size);
	/* One slot more than needed: an empty table is not malloc(0). */
	fdmap = malloc((maxvfd + 2) * sizeof(*fdmap));
	fdcloexec = calloc(maxvfd + 2, 1);
	numvfd = malloc((maxfd + 2) * sizeof(*numvfd));
	if (!fdmap || !fdcloexec || !numvfd)
		ior_err(IOR_EXIT_SYS, "malloc");
	for (int32_t fd = 0; fd <= maxvfd; fd++)
		fdmap[fd] = -1;
	for (int32_t fd = 0; fd <= maxfd; fd++)
		numvfd[fd] = -1;
	make_wdata();
	/* A replay may hold as many files open as the system allows. */
	if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur < rl.rlim_max) {
		rl.rlim_cur = rl.rlim_max;
		setrlimit(RLIMIT_NOFILE, &rl);
	}
	/* Orphaned replay processes are reaped here, so all are waited for. */
	if (prctl(PR_SET_CHILD_SUBREAPER, 1) < 0)
		ior_err(IOR_EXIT_SYS, "prctl");
}

static uint32_t count_done(void)
{
	uint32_t n = 0;

	for (uint32_t i = 0; i < nops; i++)
		n += __atomic_load_n(&sh->res[i].state, __ATOMIC_RELAXED) >= ST_DONE;
	return n;
}

/* Fork the initial processes and wait for every replay process. */
static uint64_t replay(void)
{
	const struct timespec second = { 1, 0 };
	sigset_t chld, old;
	int failed = 0, st;
	pid_t pid;

	/* SIGCHLD is taken with sigtimedwait: progress between exits. */
	sigemptyset(&chld);
	sigaddset(&chld, SIGCHLD);
	sigprocmask(SIG_BLOCK, &chld, &old);
	sh->t0 = now_ns();
	for (uint32_t i = 0; i < ninitial; i++) {
		pid = fork();
		if (pid < 0) {
			ior_warn("fork");
			abort_all();
			failed = 1;
			break;
		}
		if (pid == 0) {
			sigprocmask(SIG_SETMASK, &old, NULL);
			run_initial(initial[i]);
		}
	}
	for (;;) {
		pid = waitpid(-1, &st, WNOHANG);
		if (pid < 0)
			break;
		if (pid == 0) {
			if (sigtimedwait(&chld, NULL, &second) < 0 &&
			    errno == EAGAIN && verbose)
				ior_warnx("%u of %u ops done", count_done(), nops);
			continue;
		}
		if (WIFEXITED(st) && WEXITSTATUS(st) == 0)
			continue;
		if (WIFSIGNALED(st))
			ior_warnx("replay process %d: killed by signal %d", pid,
				  WTERMSIG(st));
		if (!failed)
			abort_all();
		failed = 1;
	}
	if (errno != ECHILD)
		ior_err(IOR_EXIT_SYS, "waitpid");
	if (failed)
		ior_errx(IOR_EXIT_SYS, "replay failed");
	return now_ns() - sh->t0;
}

/* ---- the result stream ---- */

static int mismatched(const struct op *op, int64_t ret)
{
	if ((ret < 0) != (op->cret < 0))
		return 1;
	if (ret < 0 || !(calls[op->call].need & RET_FD))
		return ret != op->cret;
	return 0;
}

static void write_results(const char *dir, uint64_t wall_ns, uint64_t start)
{
	struct ior_out out;
	uint64_t errors = 0, mism = 0, skipped = 0;

	ior_out_init(&out, STDOUT_FILENO, NULL);
	ior_put_magic(&out, IOR_KIND_RESULT);
	ior_put(&out, meta, meta_len);
	ior_puts(&out, "#meta ior-replay");
	ior_put_kv_esc(&out, "root", dir);
	ior_puts(&out, " start=");
	ior_put_time(&out, start);
	ior_putc(&out, '\n');
	for (uint32_t i = 0; i < nops; i++) {
		const struct op *op = &ops[i];
		const struct result *res = &sh->res[i];
		int skip = res->state == ST_SKIPPED;

		ior_put_time(&out, res->start);
		ior_putc(&out, ' ');
		ior_put_i64(&out, op->pid);
		ior_putc(&out, ' ');
		ior_put_i64(&out, op->tid);
		ior_putc(&out, ' ');
		ior_puts(&out, str(op->comm));
		ior_putc(&out, ' ');
		ior_puts(&out, calls[op->call].name);
		ior_putc(&out, ' ');
		ior_put_i64(&out, skip ? 0 : res->ret);
		ior_putc(&out, ' ');
		ior_put_u64(&out, skip ? 0 : res->dur);
		ior_putc(&out, ' ');
		ior_put(&out, str(op->text), op->textlen);
		ior_put_kv_i64(&out, "cret", op->cret);
		ior_put_kv_i64(&out, "cdur", op->cdur);
		if (skip) {
			ior_puts(&out, " skip=nofd");
			skipped++;
		} else {
			errors += res->ret < 0;
			mism += mismatched(op, res->ret);
		}
		ior_putc(&out, '\n');
	}
	ior_printf(&out, "#stat ior-replay ops=%u errors=%llu mismatched=%llu skipped=%llu wall_ns=%llu\n",
		   nops, (unsigned long long)errors, (unsigned long long)mism,
		   (unsigned long long)skipped, (unsigned long long)wall_ns);
	ior_out_close(&out);
	if (verbose)
		ior_warnx("%u ops in %.3f s: %llu errors, %llu mismatched, %llu skipped",
			  nops, wall_ns / 1e9, (unsigned long long)errors,
			  (unsigned long long)mism, (unsigned long long)skipped);
}

static void usage(FILE *f, int code)
{
	fprintf(f, "usage: %s -C DIR [-nv] [FILE]\n", ior_progname());
	exit(code);
}

int main(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "directory", required_argument, NULL, 'C' },
		{ "dry-run", no_argument, NULL, 'n' },
		{ "verbose", no_argument, NULL, 'v' },
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, 'V' },
		{ NULL, 0, NULL, 0 },
	};
	const char *dir = NULL;
	struct timespec wall;
	uint64_t wall_ns;
	int c, e, dry = 0;

	ior_setprogname(argv[0]);
	while ((c = getopt_long(argc, argv, "C:nvh", longopts, NULL)) != -1) {
		switch (c) {
		case 'C':
			dir = optarg;
			break;
		case 'n':
			dry = 1;
			break;
		case 'v':
			verbose = 1;
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
	if (!dir || !*dir || argc - optind > 1) {
		if (!dir || !*dir)
			ior_warnx("-C DIR is required");
		usage(stderr, IOR_EXIT_USAGE);
	}
	if ((e = ior_root_open(&root, dir, 0)) < 0)
		ior_errx(IOR_EXIT_SYS, "%s: %s (run ior-init first)", dir,
			 strerror(-e));

	/* All of the program is checked before any of it runs. */
	load_program(optind < argc ? argv[optind] : NULL);
	if (verbose)
		ior_warnx("%u ops, %u threads, %u initial processes", nops,
			  nthreads, ninitial);
	if (dry)
		return IOR_EXIT_OK;

	setup();
	clock_gettime(CLOCK_REALTIME, &wall);
	wall_ns = replay();
	write_results(dir, wall_ns,
		      wall.tv_sec * 1000000000ull + wall.tv_nsec);
	return IOR_EXIT_OK;
}
