/*
 * ior-replay - run a replay program beneath a root directory and write
 * the result stream.
 *
 * The whole program is parsed and checked first; nothing runs unless all
 * of it is valid. Then one process is forked per captured process and one
 * thread started per captured thread: initial processes by the master,
 * the others at their sched:fork. Each thread issues its operations in
 * order, as fast as it can or (-T) each at its captured time; an
 * operation with after=M first waits until operation M is done.
 * Done-flags and results live in a shared anonymous mapping, waited on
 * with futexes, so they are seen across processes. When every replay
 * process has ended the master writes the results in program order.
 *
 * Every path is resolved beneath the root (root.h): nothing outside it
 * can be reached, whatever the program says.
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <limits.h>
#include <linux/aio_abi.h>
#include <linux/futex.h>
#include <liburing.h>
#include <math.h>
#include <poll.h>
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/file.h>
#include <sys/resource.h>
#include <sys/sendfile.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/syscall.h>
#include <sys/uio.h>
#include <sys/wait.h>
#include <sys/xattr.h>
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
#define EVENTS_MAX (1 << 16)	/* most AIO events reaped in one call */
#define SPIN 1000		/* polls before sleeping on a futex */

/* ---- the calls a replay program may hold: the table's rows ---- */

/*
 * What a row needs parsed (A_*) and what its RET is, derived from its
 * arguments (their types and keys) and its ret column once, on first use.
 */
enum {
	A_FD = 1 << 0, A_FD2 = 1 << 1, A_PATH = 1 << 2, A_PATH2 = 1 << 3,
	A_MODE = 1 << 4, A_COUNT = 1 << 5, A_OFFSET = 1 << 6,
	A_IOVCNT = 1 << 7, A_WHENCE = 1 << 8, A_SIZE = 1 << 9,
	A_MASK = 1 << 10, A_AMODE = 1 << 11, A_OWNER = 1 << 12,
	A_NAME = 1 << 13, A_TIMES = 1 << 14, A_LEN = 1 << 15,
	A_OPTOFF = 1 << 16,	/* offset and offset2, each optional */
	A_ADDR = 1 << 17,
	A_PAIR = 1 << 18,	/* fd and fd2 may be pipes or sockets */
	A_EMPTY = 1 << 19,	/* an empty path with a dirfd acts on it */
	RET_FD = 1 << 20,	/* RET is a descriptor: its number may differ */
	NOCMP = 1 << 21,	/* RET is an address or a pid: not compared */
	READS = 1 << 22,	/* needs a read buffer of count bytes */
	WRITES = 1 << 23,	/* needs count bytes of data */
	AIO = 1 << 24,		/* an AIO request: issued by its io_submit */
	URING = 1 << 25,	/* an io_uring request: by its io_uring_enter */
	A_ARG = 1 << 26,	/* advice=, op= or prot=: into op->arg */
	A_CREAT = 1 << 27,	/* an open without flags=: creat's flags */
};

/* The flags of a call that takes a plain number (copy_file_range's). */
static const struct ior_flag no_names[] = { { NULL, 0, 0 } };

struct row_need {
	unsigned need;
	const struct ior_flag *flags;	/* names of its flags= key, if any */
	const struct ior_flag *argt;	/* A_ARG: names of that key */
	const char *argkey;		/* A_ARG: "advice", "op" or "prot" */
};

static int is_aio_request(unsigned kind)
{
	return kind >= IOR_REPLAY_AIO_PREAD && kind <= IOR_REPLAY_AIO_NOOP;
}

static int is_uring_request(unsigned kind)
{
	return kind >= IOR_REPLAY_UR_NOP && kind <= IOR_REPLAY_UR_OTHER;
}

/* One argument of a row: what it asks of the parser. */
static void need_arg(const struct ior_arg *a, struct row_need *n)
{
	const char *k = a->key;

	switch (a->type) {
	case IOR_ARG_FD:
		n->need |= !strcmp(k, "fd") ? A_FD : !strcmp(k, "fd2") ? A_FD2 : 0;
		break;
	case IOR_ARG_PATH: case IOR_ARG_LINK: case IOR_ARG_NAME:
		n->need |= !strcmp(k, "path") ? A_PATH : !strcmp(k, "path2") ?
			A_PATH2 : !strcmp(k, "name") ? A_NAME : 0;
		break;
	case IOR_ARG_FLAGS:
		if (!a->flags)		/* a record's: its handler parses it */
			break;
		if (!strcmp(k, "flags"))
			n->flags = a->flags;
		else if (!strcmp(k, "mask"))
			n->need |= A_MASK;
		else if (!strcmp(k, "amode"))
			n->need |= A_AMODE;
		else if (!strcmp(k, "whence"))
			n->need |= A_WHENCE;
		else if (!strcmp(k, "advice") || !strcmp(k, "op") ||
			 !strcmp(k, "prot")) {
			n->need |= A_ARG;
			n->argt = a->flags;
			n->argkey = k;
		}
		break;
	case IOR_ARG_MODE:
		n->need |= A_MODE;
		break;
	case IOR_ARG_INT: case IOR_ARG_UINT:
		if (!strcmp(k, "uid") || !strcmp(k, "gid"))
			n->need |= A_OWNER;
		else if (!strcmp(k, "iovcnt"))
			n->need |= A_IOVCNT;
		else if (!strcmp(k, "flags"))
			n->flags = no_names;
		break;
	case IOR_ARG_LONG: case IOR_ARG_LOFF: case IOR_ARG_SIZE:
		if (!strcmp(k, "offset") || !strcmp(k, "offset2"))
			n->need |= a->form == IOR_FORM_OPT ? A_OPTOFF : A_OFFSET;
		else if (!strcmp(k, "size"))
			n->need |= A_SIZE;
		else if (!strcmp(k, "len"))
			n->need |= A_LEN;
		else if (!strcmp(k, "count"))
			n->need |= A_COUNT;
		break;
	case IOR_ARG_RBUF: case IOR_ARG_WBUF:
		n->need |= A_COUNT | (a->type == IOR_ARG_RBUF ? READS : WRITES);
		break;
	case IOR_ARG_HEX:
		n->need |= !strcmp(k, "addr") ? A_ADDR : 0;
		break;
	case IOR_ARG_NONE:	/* written by ior-trace's own code */
		n->need |= !strcmp(k, "times") ? A_TIMES : 0;
		break;
	default:
		break;
	}
}

/*
 * What row needs. The keys come from its arguments; a few handlers
 * parse keys of their own (the kinds below).
 */
static void need_of_row(int row, struct row_need *n)
{
	const struct ior_call *c = &ior_calls[row];
	unsigned kind = c->replay;
	int dirfd = 0;

	*n = (struct row_need){ 0 };
	switch (kind) {
	case IOR_REPLAY_FORK:	/* parse_fork */
	case IOR_REPLAY_EXEC:	/* the program's path is not the replay's */
		return;
	default:
		break;
	}
	for (int i = 0; i < c->nargs; i++) {
		if (is_uring_request(kind)) {	/* parse_uring: fd may be fixed */
			if (c->args[i].type == IOR_ARG_RBUF)
				n->need |= READS;
			if (c->args[i].type == IOR_ARG_WBUF)
				n->need |= WRITES;
			continue;
		}
		need_arg(&c->args[i], n);
		dirfd |= c->args[i].type == IOR_ARG_DIRFD &&
			!strcmp(c->args[i].key, "dirfd");
	}
	if (is_uring_request(kind)) {
		n->need |= URING;
		return;
	}
	switch (c->ret) {
	case IOR_RET_FD:
		n->need |= RET_FD;
		break;
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
	switch (kind) {
	case IOR_REPLAY_STAT: case IOR_REPLAY_STATX: case IOR_REPLAY_CHOWN:
	case IOR_REPLAY_LINK: case IOR_REPLAY_UTIMES:
		/* These act on dirfd itself when the path is empty. */
		if (dirfd && n->flags == ior_at_flags)
			n->need |= A_EMPTY;
		break;
	case IOR_REPLAY_OPEN:
		if (!n->flags)
			n->need |= A_CREAT;
		break;
	case IOR_REPLAY_MMAP:	/* where it maps is the kernel's choice */
		n->need &= ~A_ADDR;
		break;
	case IOR_REPLAY_IORFD:	/* a record's fd and flags */
		n->need |= A_FD;
		n->flags = ior_open_flags;
		break;
	case IOR_REPLAY_URING_SETUP:	/* written by ior-trace's own code */
		n->flags = ior_uring_setup_flags;
		break;
	default:
		break;
	}
	/* Beside open flags, mode= matters with O_CREAT only: optional. */
	if (n->flags == ior_open_flags)
		n->need &= ~A_MODE;
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

/* Why an operation was not issued (skip= in the result). */
enum skip { SKIP_NONE, SKIP_NOFD, SKIP_NOMAP, SKIP_UNSAFE, SKIP_UNSUPPORTED };
static const char *const skip_names[] = {
	[SKIP_NOFD] = "nofd", [SKIP_NOMAP] = "nomap", [SKIP_UNSAFE] = "unsafe",
	[SKIP_UNSUPPORTED] = "unsupported",
};

/* ---- the program, parsed once by the master ---- */

/*
 * One operation. Strings live in the arena. The fields the replay of the
 * common calls reads come first, in the 64 bytes run_thread prefetches.
 */
struct prog_op {
	uint8_t kind;		/* enum ior_replay: how it is issued */
	uint8_t byfd;		/* acts on the descriptor fd */
	uint8_t unsafe;		/* never issued: skip=unsafe */
	uint8_t waited;		/* some op has after= it */
	uint32_t after, after2;	/* index + 1 of the ops to wait for; 0: none */
	uint32_t next;		/* next op of the same thread, or NONE */
	int32_t fd, fd2;	/* vfds: the descriptor used, dup's new one; -1: none */
	int32_t num, num2;	/* their captured numbers; -1: none */
	int64_t offset;		/* offset, ior:fd offset, truncate size */
	uint64_t count;
	size_t path, path2;	/* unescaped; 0 is the empty string */
	/* the 64 bytes run_thread prefetches end here */
	uint64_t ctime;		/* captured TIME */
	int64_t cret;		/* captured RET */
	int64_t seq, pid, tid;	/* tid, pid: virtual ids, for the result */
	uint64_t cdur;		/* captured DUR */
	int64_t offset2;	/* destination offset of copies */
	int64_t len;		/* len of ranges; close_range: maxfd */
	uint64_t flags;		/* the call's flags= (table by call) */
	uint64_t addr;		/* munmap, msync, madvise: captured address;
				   io_* and aio:*: the captured context */
	int64_t arg;		/* fcntl arg, flock op, advice, mmap prot;
				   aio:*, io_cancel: the captured iocb */
	struct timespec ts[2];	/* atime, mtime of the utime calls */
	size_t comm, text;	/* escaped COMM; the record's key=value text */
	size_t name;		/* xattr name, unescaped */
	size_t value;		/* setxattr's captured value, or 0: random */
	uint32_t valuelen;
	uint32_t textlen;
	uint32_t child;		/* sched:fork: thread index of the new task */
	uint32_t batch;		/* io_submit, io_uring_enter: its first
				   request; aio:*, uring:*: the next of the
				   same submission; NONE: none */
	uint32_t target;	/* aio:*, uring:*: its io_submit or
				   io_uring_enter; io_cancel: the request it
				   cancels; NONE: none */
	uint32_t depth;		/* io_uring_enter: the requests in flight
				   in the capture as it submitted (its
				   queue depth); 0: none */
	int32_t ring;		/* uring:*: the captured ring number; -1 */
	int32_t fixed;		/* uring:*: registered file index or slot; -1 */
	uint32_t mode, mask, iovcnt;	/* io_pgetevents: mask = sigmask */
	uint32_t uid, gid;	/* chown owners; (uint32_t)-1: unchanged */
	uint32_t cmd;		/* fcntl command */
	uint8_t whence, ltype;
	uint8_t opt;		/* HAS_* */
	uint8_t anyret;		/* only RET's sign is compared */
	uint8_t cinflight;	/* aio:*: in flight when capture ended */
	uint8_t sqe;		/* uring:*: IOSQE_* flags */
	uint8_t follows;	/* on a path: follows a symlink in its last
				   component */
	uint16_t row;		/* its CALL's row of the table */
};

_Static_assert(offsetof(struct prog_op, path2) + sizeof(size_t) == 64,
	       "run_thread prefetches the first 64 bytes of an op");
_Static_assert(IOR_REPLAY_UR_OTHER <= UINT8_MAX && IOR_NCALLS <= UINT16_MAX,
	       "an op's kind and row fit");

/* op.opt: optional arguments that were given. */
enum { HAS_OFF = 1, HAS_OFF2 = 2, HAS_TIMES = 4 };

struct vfd_table;
static void *map_buf(uint64_t size);

struct prog_thread {
	int64_t vtid, vpid;
	uint32_t first, last;	/* its ops, linked by op.next */
	uint32_t next_initial;	/* next initial thread of the same process */
	uint32_t maxiov;	/* iovecs of a call or of an io_submit */
	uint32_t maxbatch;	/* requests of its largest io_submit */
	uint32_t maxevents;	/* events of its largest io_getevents */
	uint64_t maxread;	/* read buffer it needs */
	size_t comm;		/* last COMM seen, to share arena copies */
	int forked;		/* announced by a sched:fork */
};

/*
 * The program: made by the master as it loads, only read from then on,
 * by every replay process (each inherits it as it is forked).
 */
static struct program {
	struct prog_op *ops;	/* in program order (by seq) */
	uint32_t nops;
	struct prog_thread *threads;
	uint32_t nthreads;
	uint32_t *initial;	/* first thread of each initial process */
	uint32_t ninitial;
	char *arena;		/* the ops' strings (str()) */
	size_t arena_len;
	char *meta;		/* input metadata lines, passed through */
	size_t meta_len;
	uint64_t maxwrite;	/* the most bytes a call writes */
	int32_t maxfd;		/* largest captured descriptor number */
	int32_t maxvfd;		/* largest vfd */
	uint32_t naio;		/* aio:* requests */
	uint32_t nuring;	/* uring:* requests */
	uint64_t ctime0;	/* the earliest captured TIME */
} prog = { .maxfd = -1, .maxvfd = -1 };

/*
 * AIO and io_uring requests are tied to their io_submit or io_uring_enter
 * by sub=, and an io_cancel to the request it names by context and iocb
 * address: a small hash of (a, b) -> op, used while loading only.
 */
#define UNSEEN (NONE - 1)	/* requests name a sub not seen yet */
struct sub_link {
	uint64_t a, b;
	uint32_t op;		/* NONE: a free slot; UNSEEN */
	uint32_t head, tail;	/* the first and last request of its batch */
	unsigned long line;	/* where the first request named it */
};
struct sub_links {
	struct sub_link *slot;
	size_t cap, n;
};

/* The master's while it loads the program; freed before the replay. */
static struct loader {
	uint32_t ops_cap, threads_cap;
	size_t arena_cap, meta_cap;
	uint32_t *thread_of;	/* vtid -> thread index + 1 */
	uint32_t thread_of_cap;
	struct sub_links subs;	/* sub -> io_submit or io_uring_enter */
} ld;

/* The command line: set before the first fork, read by every process. */
static struct options {
	const char *dir;	/* -C: the root */
	const char *file;	/* the program; NULL: standard input */
	int dry;		/* -n: load and check only */
	int timed;		/* -T: each op at its captured time */
	double speed;		/* -s: captured times are divided by it */
	int verbose;		/* -v */
} opt = { .speed = 1 };

static struct ior_root root;

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
	return buf_add(&prog.arena, &prog.arena_len, &ld.arena_cap, s, n);
}

static const char *str(size_t off)
{
	return prog.arena + off;
}

/* ---- parsing ---- */

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

static const char *need(const struct ior_in *in, const struct ior_rec *r,
			const char *key)
{
	const char *v = ior_get(r, key);

	if (!v)
		ior_bad(in, key, "missing for %s", r->call);
	return v;
}

/* The symbolic flags of key in r, 0 when absent. */
static uint64_t parse_flags(const struct ior_in *in, const struct ior_rec *r,
			    const char *key, const struct ior_flag *t)
{
	const char *v = ior_get(r, key);
	uint64_t f = 0;

	if (v && *v && ior_flags_parse(t, v, &f) < 0)
		ior_bad(in, key, "bad flags \"%.40s\"", v);
	return f;
}

/* The same, for a key the call must have. */
static uint64_t flags_of(const struct ior_in *in, const struct ior_rec *r,
			 const char *key, const struct ior_flag *t)
{
	need(in, r, key);
	return parse_flags(in, r, key, t);
}

/*
 * A mode argument. Type bits are accepted (git passes them to chmod) and
 * passed on: the kernel ignores them, as it did in the capture.
 */
static uint32_t mode_of(const struct ior_in *in, const struct ior_rec *r)
{
	return ior_mode(in, "mode", need(in, r, "mode"));
}

/* A captured descriptor that can be bound: 0..FD_MAX, else -1. */
static int32_t fd_of(const struct ior_in *in, const char *key, const char *v)
{
	int64_t fd = ior_int(in, key, v);

	if (fd < 0 || fd >= FD_MAX)
		return -1;
	if (fd > prog.maxfd)
		prog.maxfd = fd;
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
	if (vfd > prog.maxvfd)
		prog.maxvfd = vfd;
	return vfd;
}

static size_t path_of(const struct ior_in *in, const struct ior_rec *r,
		      const char *key)
{
	char buf[PATH_MAX];
	size_t n = ior_val_unescape(in, key, need(in, r, key), buf, sizeof(buf));

	return n ? arena_add(buf, n) : 0;
}

/* setxattr's value, when captured: binary (ACLs hold NUL bytes). */
static void value_bytes(const struct ior_in *in, const struct ior_rec *r,
			struct prog_op *op)
{
	const char *v = ior_get(r, "value");
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

static uint32_t thread_get(const struct ior_in *in, int64_t vtid,
			   int64_t vpid, int forked)
{
	uint32_t t;

	if (vtid < 1 || vtid >= ID_MAX || vpid < 1 || vpid >= ID_MAX)
		ior_bad(in, forked ? "child" : "TID",
			"virtual id out of range 1..%d", ID_MAX - 1);
	if ((uint64_t)vtid < ld.thread_of_cap && ld.thread_of[vtid]) {
		if (forked)
			ior_bad(in, "child", "task %lld already exists",
				(long long)vtid);
		return ld.thread_of[vtid] - 1;
	}
	size_t cap = ld.thread_of_cap, tcap = ld.threads_cap;

	grow((void **)&ld.thread_of, &cap, vtid + 1, sizeof(*ld.thread_of));
	memset(ld.thread_of + ld.thread_of_cap, 0,
	       (cap - ld.thread_of_cap) * sizeof(*ld.thread_of));
	ld.thread_of_cap = cap;
	grow((void **)&prog.threads, &tcap, prog.nthreads + 1, sizeof(*prog.threads));
	ld.threads_cap = tcap;
	t = prog.nthreads++;
	prog.threads[t] = (struct prog_thread){ .vtid = vtid, .vpid = vpid,
		.first = NONE, .last = NONE, .next_initial = NONE,
		.comm = SIZE_MAX, .forked = forked };
	ld.thread_of[vtid] = t + 1;
	return t;
}

/* Index of the op numbered seq (ops are sorted by seq). */
static uint32_t op_by_seq(const struct ior_in *in, int64_t seq)
{
	uint32_t lo = 0, hi = prog.nops;

	while (lo < hi) {
		uint32_t mid = lo + (hi - lo) / 2;

		if (prog.ops[mid].seq < seq)
			lo = mid + 1;
		else
			hi = mid;
	}
	if (lo == prog.nops || prog.ops[lo].seq != seq)
		ior_bad(in, "after", "no operation seq=%lld before this one",
			(long long)seq);
	return lo;
}

/* after=M or after=M,N: the operations op waits for (earlier ones). */
static void parse_after(const struct ior_in *in, const char *s,
			struct prog_op *op)
{
	char buf[48], *comma;
	uint32_t *slot[2] = { &op->after, &op->after2 };
	int n = 0;

	if (strlen(s) >= sizeof(buf))
		ior_bad(in, "after", "too long: \"%.40s\"", s);
	strcpy(buf, s);
	for (char *p = buf; p; p = comma ? comma + 1 : NULL, n++) {
		int64_t a;

		if ((comma = strchr(p, ',')))
			*comma = 0;
		if (n == 2)
			ior_bad(in, "after", "more than two operations");
		a = ior_int(in, "after", p);
		if (a >= op->seq)
			ior_bad(in, "after", "names a later operation");
		*slot[n] = op_by_seq(in, a) + 1;
		prog.ops[*slot[n] - 1].waited = 1;
	}
}

/*
 * The record's key=value arguments as they were written, but a request's
 * inflight: the result's is the replay's, the captured one is cinflight.
 */
static void keep_text(struct prog_op *op, const struct ior_rec *r)
{
	char line[IOR_LINE_MAX + 1];
	size_t n = 0;

	for (int i = 0; i < r->nkv; i++) {
		size_t k = strlen(r->kv[i].key), v = strlen(r->kv[i].val);

		if ((is_aio_request(op->kind) || is_uring_request(op->kind)) &&
		    !strcmp(r->kv[i].key, "inflight")) {
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
static uint64_t value_of(const struct ior_in *in, const struct ior_rec *r,
			 const char *key, const struct ior_flag *t)
{
	const char *v = need(in, r, key);
	uint64_t x;

	if (ior_flags_parse(t, v, &x) == 0)
		for (; t->name; t++)
			if (t->value == x)
				return x;
	ior_bad(in, key, "unknown value \"%.40s\"", v);
}

/* An owner argument of the chown calls: -1 leaves it unchanged. */
static uint32_t owner_of(const struct ior_in *in, const struct ior_rec *r,
			 const char *key)
{
	int64_t v = ior_int(in, key, need(in, r, key));

	if (v < -1 || v >= UINT32_MAX)
		ior_bad(in, key, "not an owner: %lld", (long long)v);
	return (uint32_t)v;
}

/* atime, mtime: seconds with up to nine decimals, "now" or "omit". */
static struct timespec time_of(const struct ior_in *in,
			       const struct ior_rec *r, const char *key)
{
	const char *v = need(in, r, key);
	uint64_t ns;

	if (!strcmp(v, "now"))
		return (struct timespec){ 0, UTIME_NOW };
	if (!strcmp(v, "omit"))
		return (struct timespec){ 0, UTIME_OMIT };
	ns = ior_time(in, key, v);
	return (struct timespec){ ns / 1000000000, ns % 1000000000 };
}

/* mknod's mode: permission and type bits; device nodes are refused. */
static uint32_t node_mode_of(const struct ior_in *in, const struct ior_rec *r)
{
	uint32_t m = mode_of(in, r);

	switch (m & S_IFMT) {
	case 0: case S_IFREG: case S_IFIFO: case S_IFSOCK:
		return m;
	default:
		ior_bad(in, "mode", "%s: device nodes are not replayed",
			need(in, r, "mode"));
	}
}

/* A descriptor-sized captured number (close_range's bounds). */
static int64_t bound_of(const struct ior_in *in, const struct ior_rec *r,
			const char *key)
{
	uint64_t v = ior_uint(in, key, need(in, r, key));

	return v > INT32_MAX ? INT32_MAX : (int64_t)v;
}

/* A hexadecimal address: a mapping's, an AIO context or iocb. */
static uint64_t hex_of(const struct ior_in *in, const struct ior_rec *r,
		       const char *key)
{
	return ior_hex(in, key, need(in, r, key));
}

static int is_lock_cmd(uint32_t cmd)
{
	return cmd == F_GETLK || cmd == F_SETLK || cmd == F_SETLKW ||
		cmd == F_OFD_GETLK || cmd == F_OFD_SETLK || cmd == F_OFD_SETLKW;
}

/*
 * fcntl: the command, its argument and lock. Commands that would make the
 * kernel signal the replay (F_SETOWN, F_SETSIG, F_NOTIFY, F_SETLEASE) are
 * never issued.
 */
static void parse_fcntl(const struct ior_in *in, const struct ior_rec *r,
			struct prog_op *op)
{
	op->cmd = value_of(in, r, "cmd", ior_fcntl_cmds);
	switch (op->cmd) {
	case F_DUPFD: case F_DUPFD_CLOEXEC:
		if (r->ret >= 0) {	/* the new descriptor, as for dup */
			if (r->ret >= FD_MAX)
				ior_bad(in, "RET", "descriptor above %d",
					FD_MAX - 1);
			if (r->ret > prog.maxfd)
				prog.maxfd = r->ret;
			op->num2 = r->ret;
			op->fd2 = vfd_of(in, r, "vfd2");
		}
		op->anyret = 1;
		break;
	case F_SETFD:
		op->arg = flags_of(in, r, "arg", ior_fd_flags);
		break;
	case F_SETFL:
		op->arg = flags_of(in, r, "arg", ior_open_flags);
		break;
	case F_ADD_SEALS: case F_SETPIPE_SZ:
		op->arg = ior_int(in, "arg", need(in, r, "arg"));
		break;
	case F_GETFD: case F_GETFL: case F_GETOWN: case F_GETSIG:
	case F_GETLEASE: case F_GET_SEALS: case F_GETPIPE_SZ:
		break;
	default:
		if (!is_lock_cmd(op->cmd))
			op->unsafe = 1;
		break;
	}
	if (is_lock_cmd(op->cmd)) {
		op->ltype = value_of(in, r, "ltype", ior_lock_types);
		op->whence = value_of(in, r, "whence", ior_whence_names);
		op->offset = ior_int(in, "offset", need(in, r, "offset"));
		op->len = ior_int(in, "len", need(in, r, "len"));
	}
}

/* The arguments of the calls that need more than the common keys. */
static void parse_special(const struct ior_in *in, const struct ior_rec *r,
			  struct prog_op *op)
{
	switch (op->kind) {
	case IOR_REPLAY_FCNTL:
		parse_fcntl(in, r, op);
		break;
	case IOR_REPLAY_MKNOD:
		op->mode = node_mode_of(in, r);
		break;
	case IOR_REPLAY_OPEN_BY_HANDLE:	/* the file it opened, when it did */
		if (ior_get(r, "path"))
			op->path = path_of(in, r, "path");
		break;
	case IOR_REPLAY_CLOSE_RANGE:
		op->num = bound_of(in, r, "fd");
		op->len = bound_of(in, r, "maxfd");
		break;
	default:
		break;
	}
}


static struct sub_link *link_get(struct sub_links *t, uint64_t a, uint64_t b,
			     int make)
{
	size_t i;

	if (make && 2 * (t->n + 1) > t->cap) {
		struct sub_links g = { NULL, t->cap ? 2 * t->cap : 64, 0 };

		if (!(g.slot = malloc(g.cap * sizeof(*g.slot))))
			ior_err(IOR_EXIT_SYS, "malloc");
		for (i = 0; i < g.cap; i++)
			g.slot[i].op = NONE;
		for (i = 0; i < t->cap; i++)
			if (t->slot[i].op != NONE)
				*link_get(&g, t->slot[i].a, t->slot[i].b, 1) =
					t->slot[i];
		free(t->slot);
		*t = g;
	}
	if (!t->cap)
		return NULL;
	i = (a * 0x9e3779b97f4a7c15ull ^ b * 0xc2b2ae3d27d4eb4full) &
		(t->cap - 1);
	for (; t->slot[i].op != NONE; i = (i + 1) & (t->cap - 1))
		if (t->slot[i].a == a && t->slot[i].b == b)
			return &t->slot[i];
	if (!make)
		return NULL;
	t->n++;
	t->slot[i] = (struct sub_link){ a, b, UNSEEN, NONE, NONE, 0 };
	return &t->slot[i];
}

/* The AIO calls' arguments; op is ops[nops], of thread th. */
static void parse_aio(const struct ior_in *in, const struct ior_rec *r,
		      struct prog_op *op, struct prog_thread *th)
{
	struct sub_link *l;
	uint64_t sub;

	switch (op->kind) {
	case IOR_REPLAY_IO_SETUP:
		op->len = ior_uint(in, "nr", need(in, r, "nr"));
		if (r->ret >= 0)
			op->addr = hex_of(in, r, "ctx");
		return;
	case IOR_REPLAY_IO_DESTROY:
		op->addr = hex_of(in, r, "ctx");
		return;
	case IOR_REPLAY_IO_SUBMIT:
		op->addr = hex_of(in, r, "ctx");
		sub = ior_uint(in, "sub", need(in, r, "sub"));
		l = link_get(&ld.subs, sub, 0, 1);
		if (l->op != UNSEEN || l->head != NONE)
			ior_bad(in, "sub", "sub=%llu is used twice",
				(unsigned long long)sub);
		l->op = prog.nops;
		return;
	case IOR_REPLAY_IO_GETEVENTS:
	case IOR_REPLAY_IO_PGETEVENTS:
		op->addr = hex_of(in, r, "ctx");
		op->offset = ior_int(in, "min_nr", need(in, r, "min_nr"));
		op->len = ior_int(in, "nr", need(in, r, "nr"));
		if (op->len > EVENTS_MAX)	/* the ring holds no more */
			op->len = EVENTS_MAX;
		if (op->len > th->maxevents)
			th->maxevents = op->len;
		if (ior_get(r, "timeout")) {
			op->ts[0] = time_of(in, r, "timeout");
			op->opt |= HAS_TIMES;
		}
		if (op->kind == IOR_REPLAY_IO_PGETEVENTS)
			op->mask = !!ior_uint(in, "sigmask",
					      need(in, r, "sigmask"));
		return;
	case IOR_REPLAY_IO_CANCEL:
		op->addr = hex_of(in, r, "ctx");
		op->arg = hex_of(in, r, "iocb");
		return;
	default:
		break;
	}
	if (!is_aio_request(op->kind))
		return;
	op->addr = hex_of(in, r, "ctx");
	op->arg = hex_of(in, r, "iocb");
	op->flags = parse_flags(in, r, "flags", ior_rwf_flags);
	sub = ior_uint(in, "sub", need(in, r, "sub"));
	if (!(l = link_get(&ld.subs, sub, 0, 0)) || l->op == UNSEEN ||
	    prog.ops[l->op].kind != IOR_REPLAY_IO_SUBMIT)
		ior_bad(in, "sub", "no io_submit sub=%llu before this request",
			(unsigned long long)sub);
	if (prog.ops[l->op].tid != r->tid)
		ior_bad(in, "sub", "io_submit sub=%llu is another task's",
			(unsigned long long)sub);
	op->target = l->op;
	if (l->tail == NONE)
		prog.ops[l->op].batch = prog.nops;
	else
		prog.ops[l->tail].batch = prog.nops;
	l->tail = prog.nops;
	prog.naio++;
}

/* ---- io_uring: parsing ---- */

#define LIST_MAX 65536		/* most entries of an fds, vfds or lens list */


/*
 * A comma-separated list of integers (fds, vfds, lens), checked: each
 * between lo and hi. Kept in the arena; *n is its length.
 */
static size_t list_of(const struct ior_in *in, const struct ior_rec *r,
		      const char *key, int64_t lo, int64_t hi, uint32_t *n)
{
	const char *v = ior_get(r, key);
	char buf[24];
	uint32_t k = 0;

	if (!v)
		return 0;
	for (const char *p = v, *e; ; p = e + 1) {
		int64_t x;

		e = strchr(p, ',');
		if (!e)
			e = p + strlen(p);
		if ((size_t)(e - p) >= sizeof(buf) || k == LIST_MAX)
			ior_bad(in, key, "not a list of at most %d numbers",
				LIST_MAX);
		memcpy(buf, p, e - p);
		buf[e - p] = 0;
		x = ior_int(in, key, buf);
		if (x < lo || x > hi)
			ior_bad(in, key, "%lld out of range %lld..%lld",
				(long long)x, (long long)lo, (long long)hi);
		if (!strcmp(key, "vfds") && x > prog.maxvfd)
			prog.maxvfd = x;
		k++;
		if (!*e)
			break;
	}
	*n = k;
	return arena_add(v, strlen(v));
}


/* io_uring_setup, io_uring_enter and io_uring_register: their keys. */
static void parse_uring_call(const struct ior_in *in, const struct ior_rec *r,
			     struct prog_op *op)
{
	struct sub_link *l;
	uint64_t sub;
	uint32_t n = 0, nv = 0, nl = 0;

	switch (op->kind) {
	case IOR_REPLAY_URING_SETUP:
		op->len = ior_uint(in, "entries", need(in, r, "entries"));
		op->count = ior_get_int(in, r, "sq", 0);
		op->offset = ior_get_int(in, r, "cq", 0);
		return;
	case IOR_REPLAY_URING_ENTER:
		op->count = ior_uint(in, "to_submit", need(in, r, "to_submit"));
		op->len = ior_uint(in, "min_complete",
				   need(in, r, "min_complete"));
		if (!ior_get(r, "sub"))
			return;
		sub = ior_uint(in, "sub", ior_get(r, "sub"));
		l = link_get(&ld.subs, sub, 0, 1);
		if (l->op != UNSEEN)
			ior_bad(in, "sub", "sub=%llu is used twice",
				(unsigned long long)sub);
		l->op = prog.nops;
		/* Its requests may have completed, and come, before it. */
		op->batch = l->head;
		for (uint32_t j = l->head; j != NONE; j = prog.ops[j].batch) {
			if (prog.ops[j].tid != r->tid)
				ior_bad(in, "sub", "requests of sub=%llu are another task's",
					(unsigned long long)sub);
			prog.ops[j].target = prog.nops;
		}
		return;
	case IOR_REPLAY_URING_REGISTER:
		op->cmd = flags_of(in, r, "opcode", ior_uring_register_ops);
		op->count = ior_uint(in, "nr", need(in, r, "nr"));
		op->offset = ior_get_int(in, r, "offset", 0);
		op->path = list_of(in, r, "fds", -1, INT32_MAX, &n);
		op->path2 = list_of(in, r, "vfds", -1, VFD_MAX - 1, &nv);
		if (nv != n)
			ior_bad(in, "vfds", "%u entries where fds has %u", nv, n);
		op->name = list_of(in, r, "lens", 0, 1 << 30, &nl);
		op->iovcnt = op->name ? nl : n;
		return;
	default:
		return;
	}
}

/* A uring:* request's keys; op is ops[nops], of thread th. */
static void parse_uring(const struct ior_in *in, const struct ior_rec *r,
			struct prog_op *op)
{
	const char *v;
	struct sub_link *l;
	uint64_t sub;

	op->ring = op->fixed = -1;
	op->ctime = r->time_ns;
	if ((v = ior_get(r, "ring")))
		op->ring = fd_of(in, "ring", v);
	if ((v = ior_get(r, "fixed"))) {
		int64_t k = ior_int(in, "fixed", v);

		if (k < 0 || k > INT32_MAX)
			ior_bad(in, "fixed", "not a registered file index");
		op->fixed = k;
	} else if ((v = ior_get(r, "fd"))) {
		op->num = fd_of(in, "fd", v);
		op->fd = vfd_of(in, r, "vfd");
	}
	op->sqe = parse_flags(in, r, "sqe_flags", ior_iosqe_flags);
	op->offset = ior_get_int(in, r, "offset", -1);
	op->count = ior_get_int(in, r, "count", 0);
	if (op->count > RW_MAX)
		op->count = RW_MAX;
	op->iovcnt = ior_get_int(in, r, "iovcnt", 0);
	if (op->iovcnt > IOV_LIMIT)
		ior_bad(in, "iovcnt", "more than %d", IOV_LIMIT);
	switch (op->kind) {
	case IOR_REPLAY_UR_READV: case IOR_REPLAY_UR_WRITEV:
		if (!op->iovcnt)
			ior_bad(in, "iovcnt", "missing for %s", r->call);
		break;
	case IOR_REPLAY_UR_READ_FIXED: case IOR_REPLAY_UR_WRITE_FIXED:
		op->arg = ior_get_int(in, r, "buf", -1);
		break;
	case IOR_REPLAY_UR_FSYNC:
		op->len = ior_get_int(in, r, "len", 0);
		if (op->offset < 0)
			op->offset = 0;
		if (ior_get_int(in, r, "datasync", 0))
			op->flags = IORING_FSYNC_DATASYNC;
		break;
	case IOR_REPLAY_UR_FALLOCATE:
		op->len = ior_int(in, "len", need(in, r, "len"));
		op->mode = parse_flags(in, r, "mode",
				       ior_fallocate_flags);
		break;
	case IOR_REPLAY_UR_OPENAT: case IOR_REPLAY_UR_OPENAT2:
		op->path = path_of(in, r, "path");
		op->flags = parse_flags(in, r, "flags", ior_open_flags);
		if (ior_get(r, "mode"))
			op->mode = mode_of(in, r);
		op->cmd = parse_flags(in, r, "resolve",
				      ior_resolve_flags);
		if ((v = ior_get(r, "slot"))) {
			int64_t k = ior_int(in, "slot", v);

			if (k < 0 || k > INT32_MAX)
				ior_bad(in, "slot", "not a registered file index");
			op->fixed = k;
		} else if (r->ret >= 0) {	/* a new descriptor, as openat */
			if (r->ret >= FD_MAX)
				ior_bad(in, "RET", "descriptor above %d",
					FD_MAX - 1);
			if (r->ret > prog.maxfd)
				prog.maxfd = r->ret;
			op->num = r->ret;
			op->fd = vfd_of(in, r, "vfd");
			op->anyret = 1;
		}
		break;
	case IOR_REPLAY_UR_STATX:
		op->path = path_of(in, r, "path");
		op->flags = parse_flags(in, r, "flags", ior_at_flags);
		op->mask = parse_flags(in, r, "mask", ior_statx_mask);
		if (!op->path && (op->flags & AT_EMPTY_PATH))
			op->fd = vfd_of(in, r, "vfd");
		break;
	case IOR_REPLAY_UR_OTHER:
		op->name = arena_add(r->call, strlen(r->call));
		break;
	default:
		break;
	}
	prog.nuring++;
	if (!(v = ior_get(r, "sub")))
		return;		/* SQPOLL, or no enter seen: issued alone */
	sub = ior_uint(in, "sub", v);
	l = link_get(&ld.subs, sub, 0, 1);
	if (l->op == UNSEEN && l->head == NONE)
		l->line = in->lineno;
	if (l->op != UNSEEN) {
		if (prog.ops[l->op].kind != IOR_REPLAY_URING_ENTER)
			ior_bad(in, "sub", "sub=%llu is not an io_uring_enter",
				(unsigned long long)sub);
		if (prog.ops[l->op].tid != r->tid)
			ior_bad(in, "sub", "io_uring_enter sub=%llu is another task's",
				(unsigned long long)sub);
		op->target = l->op;
	}
	if (l->tail == NONE) {
		l->head = prog.nops;
		if (l->op != UNSEEN)
			prog.ops[l->op].batch = prog.nops;
	} else
		prog.ops[l->tail].batch = prog.nops;
	l->tail = prog.nops;
}

static int by_submission(const void *a, const void *b)
{
	uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;

	if (prog.ops[x].ctime != prog.ops[y].ctime)
		return prog.ops[x].ctime < prog.ops[y].ctime ? -1 : 1;
	return x < y ? -1 : x > y;
}

/*
 * After loading: every sub a request names has its io_uring_enter, and
 * each enter's requests are in the order they were submitted (TIME, then
 * program order), not the order they completed.
 */
static void link_uring(struct ior_in *in)
{
	uint32_t *v = NULL;
	size_t cap = 0;

	for (size_t i = 0; i < ld.subs.cap; i++) {
		struct sub_link *l = &ld.subs.slot[i];

		if (l->op == UNSEEN) {
			in->lineno = l->line;	/* name the first request */
			ior_bad(in, "sub", "no io_uring_enter sub=%llu",
				(unsigned long long)l->a);
		}
	}
	for (uint32_t i = 0; i < prog.nops; i++) {
		uint32_t n = 0;

		if (prog.ops[i].kind != IOR_REPLAY_URING_ENTER || prog.ops[i].batch == NONE)
			continue;
		for (uint32_t j = prog.ops[i].batch; j != NONE; j = prog.ops[j].batch) {
			grow((void **)&v, &cap, n + 1, sizeof(*v));
			v[n++] = j;
		}
		qsort(v, n, sizeof(*v), by_submission);
		prog.ops[i].batch = v[0];
		for (uint32_t k = 0; k < n; k++)
			prog.ops[v[k]].batch = k + 1 < n ? v[k + 1] : NONE;
	}
	free(v);
}

/* An io_uring request's start or end, by process, then ring. */
struct req_time {
	int64_t pid;
	int64_t key;		/* the ring's captured number */
	uint64_t t;
	uint32_t op;		/* the request */
};

static int by_when(const void *a, const void *b)
{
	const struct req_time *x = a, *y = b;

	if (x->pid != y->pid)
		return x->pid < y->pid ? -1 : 1;
	if (x->key != y->key)
		return x->key < y->key ? -1 : 1;
	return (x->t > y->t) - (x->t < y->t);
}

static int same_queue(const struct req_time *x, const struct req_time *y)
{
	return x->pid == y->pid && x->key == y->key;
}

/*
 * After loading: the queue depth of each io_uring_enter, the most
 * requests of its ring that the capture had in flight as it submitted
 * one of its own (that one included). An application keeps its depth
 * (fio's iodepth) by reaping before it submits more, and it reaps a
 * ring's completions from memory, unseen by the trace: the replay keeps
 * the depth by holding no more in flight. (AIO's reaps are system calls,
 * replayed as captured.) The starts and the ends of each ring's requests
 * are swept, both sorted.
 */
static void find_depths(void)
{
	struct req_time *st, *en;
	uint32_t n = 0;

	if (!prog.nuring)
		return;
	st = malloc(prog.nuring * sizeof(*st));
	en = malloc(prog.nuring * sizeof(*en));
	if (!st || !en)
		ior_err(IOR_EXIT_SYS, "malloc");
	for (uint32_t i = 0; i < prog.nops && n < prog.nuring; i++) {
		const struct prog_op *op = &prog.ops[i];
		uint64_t end;

		if (!is_uring_request(op->kind) || op->target == NONE)
			continue;
		end = op->cinflight || op->ctime + op->cdur < op->ctime ?
			UINT64_MAX : op->ctime + op->cdur;
		st[n] = (struct req_time){ op->pid, op->ring, op->ctime, i };
		en[n] = (struct req_time){ op->pid, op->ring, end, i };
		n++;
	}
	qsort(st, n, sizeof(*st), by_when);
	qsort(en, n, sizeof(*en), by_when);
	/* the same requests in both: each queue is one run in each */
	for (uint32_t k = 0, e = 0; k < n; ) {
		uint32_t k0 = k, e0 = e;

		for (; k < n && same_queue(&st[k], &st[k0]); k++) {
			struct prog_op *sub = &prog.ops[prog.ops[st[k].op].target];
			int64_t inflight;

			while (e < n && same_queue(&en[e], &st[k0]) &&
			       en[e].t <= st[k].t)
				e++;
			/* (ends of requests of no duration may lead a tie) */
			inflight = (int64_t)(k + 1 - k0) - (e - e0);
			if (inflight > sub->depth)
				sub->depth = inflight;
		}
		while (e < n && same_queue(&en[e], &st[k0]))
			e++;
	}
	free(en);
	free(st);
}

/*
 * After loading: size each thread's iocb and iovec arrays by its largest
 * io_submit, and find the request each io_cancel names: the last one
 * submitted before it with the same context and iocb address.
 */
static void link_aio(void)
{
	struct sub_links iocbs = { NULL, 0, 0 };
	struct sub_link *l;

	free(ld.subs.slot);
	ld.subs = (struct sub_links){ NULL, 0, 0 };
	for (uint32_t i = 0; i < prog.nops; i++) {
		struct prog_thread *th = &prog.threads[ld.thread_of[prog.ops[i].tid] - 1];
		uint64_t n = 0, iov = 0;

		if (prog.ops[i].kind == IOR_REPLAY_IO_CANCEL) {
			l = link_get(&iocbs, prog.ops[i].addr, prog.ops[i].arg, 0);
			prog.ops[i].target = l ? l->op : NONE;
		}
		if (prog.ops[i].kind != IOR_REPLAY_IO_SUBMIT)
			continue;
		for (uint32_t j = prog.ops[i].batch; j != NONE; j = prog.ops[j].batch) {
			n++;
			iov += prog.ops[j].iovcnt;
			l = link_get(&iocbs, prog.ops[j].addr, prog.ops[j].arg, 1);
			l->op = j;
		}
		if (iov > IOV_LIMIT)
			ior_errx(IOR_EXIT_DATA, "io_submit seq=%lld: more than %d iovecs",
				 (long long)prog.ops[i].seq, IOV_LIMIT);
		if (n > th->maxbatch)
			th->maxbatch = n;
		if (iov > th->maxiov)
			th->maxiov = iov;
	}
	free(iocbs.slot);
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

static void parse_args(const struct ior_in *in, const struct ior_rec *r,
		       struct prog_op *op, struct prog_thread *th)
{
	const struct row_need *ci = need_of(ior_calls[op->row].native);
	unsigned nd = ci->need;

	op->fd = op->fd2 = op->num = op->num2 = -1;
	op->anyret = !!(nd & (RET_FD | NOCMP));
	if (nd & A_FD) {
		op->num = fd_of(in, "fd", need(in, r, "fd"));
		op->fd = vfd_of(in, r, "vfd");
		/* Copies substitute for a side they do not know. */
		op->byfd = op->kind != IOR_REPLAY_IORFD && !(nd & A_PAIR);
		if (op->kind == IOR_REPLAY_IORFD && op->num < 0)
			ior_bad(in, "fd", "out of range 0..%d", FD_MAX - 1);
		if (op->kind == IOR_REPLAY_IORFD && op->fd < 0)
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
	if (nd & A_NAME) {
		op->name = path_of(in, r, "name");
		value_bytes(in, r, op);
	}
	if (ci->flags)
		op->flags = flags_of(in, r, "flags", ci->flags);
	if (nd & A_MASK)
		op->mask = flags_of(in, r, "mask", ior_statx_mask);
	if (nd & A_AMODE)
		op->mode = flags_of(in, r, "amode", ior_access_modes);
	if (nd & A_OWNER) {
		op->uid = owner_of(in, r, "uid");
		op->gid = owner_of(in, r, "gid");
	}
	if ((nd & A_TIMES) && (ior_get(r, "atime") || ior_get(r, "mtime"))) {
		op->ts[0] = time_of(in, r, "atime");
		op->ts[1] = time_of(in, r, "mtime");
		op->opt |= HAS_TIMES;
	}
	if (nd & A_WHENCE)
		op->whence = value_of(in, r, "whence", ior_whence_names);
	if (nd & A_OFFSET)
		op->offset = ior_int(in, "offset", need(in, r, "offset"));
	if ((nd & A_OPTOFF) && ior_get(r, "offset")) {
		op->offset = ior_int(in, "offset", ior_get(r, "offset"));
		op->opt |= HAS_OFF;
	}
	if ((nd & A_OPTOFF) && ior_get(r, "offset2")) {
		op->offset2 = ior_int(in, "offset2", ior_get(r, "offset2"));
		op->opt |= HAS_OFF2;
	}
	if (nd & A_SIZE)
		op->offset = ior_int(in, "size", need(in, r, "size"));
	if (nd & A_LEN)
		op->len = ior_int(in, "len", need(in, r, "len"));
	if (nd & A_ADDR)
		op->addr = hex_of(in, r, "addr");
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
	if ((nd & A_MODE) || (ci->flags == ior_open_flags && ior_get(r, "mode")))
		op->mode = mode_of(in, r);
	if (nd & A_CREAT)
		op->flags = O_CREAT | O_WRONLY | O_TRUNC;
	if (nd & A_ARG)
		op->arg = is_value_table(ci->argt) ?
			value_of(in, r, ci->argkey, ci->argt) :
			flags_of(in, r, ci->argkey, ci->argt);
	parse_special(in, r, op);
	parse_aio(in, r, op, th);
	if (nd & URING)
		parse_uring(in, r, op);
	else
		parse_uring_call(in, r, op);
	if ((nd & READS) && op->count > th->maxread)
		th->maxread = op->count;
	if ((nd & WRITES) && op->count > prog.maxwrite)
		prog.maxwrite = op->count;
	/*
	 * fstatat(fd, "", AT_EMPTY_PATH) and its kind act on the descriptor
	 * dirfd; so does utimensat(fd, NULL), which is futimens.
	 */
	if ((nd & A_EMPTY) && op->path == 0 &&
	    ((op->flags & AT_EMPTY_PATH) || op->kind == IOR_REPLAY_UTIMES)) {
		const char *d = need(in, r, "dirfd");

		/* ior-map gives such a call the vfd of its dirfd. */
		op->num = strcmp(d, "AT_FDCWD") ? fd_of(in, "dirfd", d) : -1;
		op->fd = vfd_of(in, r, "vfd");
		op->byfd = 1;
	}
	op->follows = follows_of(op->row, op->flags);
	if ((nd & RET_FD) && op->kind != IOR_REPLAY_IORFD && r->ret >= 0) {
		if (r->ret >= FD_MAX)
			ior_bad(in, "RET", "descriptor above %d", FD_MAX - 1);
		if (r->ret > prog.maxfd)
			prog.maxfd = r->ret;
		if (op->kind == IOR_REPLAY_DUP) {
			op->num2 = r->ret;
			op->fd2 = vfd_of(in, r, "vfd2");
		} else if (op->kind != IOR_REPLAY_DUP2 && op->kind != IOR_REPLAY_DUP3) {
			op->num = r->ret;	/* an open's new descriptor */
			op->fd = vfd_of(in, r, "vfd");
		}
	}
}

static void parse_fork(const struct ior_in *in, const struct ior_rec *r,
		       struct prog_op *op)
{
	int64_t child = ior_int(in, "child", need(in, r, "child"));
	int64_t cpid = ior_int(in, "cpid", need(in, r, "cpid"));

	op->flags = flags_of(in, r, "flags", ior_clone_flags);
	op->child = thread_get(in, child, cpid, 1);
}

static void parse_op(const struct ior_in *in, const struct ior_rec *r)
{
	const char *s = ior_get(r, "seq");
	struct prog_op *op;
	struct prog_thread *th;
	uint32_t t;
	int row;

	if (!s)
		ior_bad(in, "seq", "missing: not an operation of a replay program");
	if (prog.nops == NONE - 1)
		ior_bad(in, NULL, "too many operations");
	size_t cap = ld.ops_cap;

	grow((void **)&prog.ops, &cap, prog.nops + 1, sizeof(*prog.ops));
	ld.ops_cap = cap;
	op = &prog.ops[prog.nops];
	memset(op, 0, sizeof(*op));
	op->seq = ior_int(in, "seq", s);
	if (op->seq < 1 || (prog.nops && op->seq <= prog.ops[prog.nops - 1].seq))
		ior_bad(in, "seq", "not increasing");
	op->row = row_of(in, r->call, &row);
	op->kind = ior_calls[row].replay;
	op->pid = r->pid;
	op->tid = r->tid;
	op->cret = r->ret;
	op->cdur = r->dur;
	op->ctime = r->time_ns;
	op->next = op->batch = op->target = NONE;
	if ((s = ior_get(r, "after")))
		parse_after(in, s, op);
	t = thread_get(in, r->tid, r->pid, 0);
	if (op->kind == IOR_REPLAY_FORK)
		parse_fork(in, r, op);	/* may move threads[] */
	else
		parse_args(in, r, op, &prog.threads[t]);
	th = &prog.threads[t];
	if (th->comm == SIZE_MAX || strcmp(str(th->comm), r->comm))
		th->comm = arena_add(r->comm, strlen(r->comm));
	op->comm = th->comm;
	keep_text(op, r);
	if (th->last == NONE)
		th->first = prog.nops;
	else
		prog.ops[th->last].next = prog.nops;
	th->last = prog.nops;
	prog.nops++;
}

/* Group the threads nothing forked by process: the master forks those. */
static void find_initial(void)
{
	uint32_t *last;		/* vpid -> its last initial thread + 1 */
	int64_t maxpid = 0;

	for (uint32_t t = 0; t < prog.nthreads; t++)
		if (prog.threads[t].vpid > maxpid)
			maxpid = prog.threads[t].vpid;
	last = calloc(maxpid + 1, sizeof(*last));
	prog.initial = malloc((prog.nthreads + 1) * sizeof(*prog.initial));
	if (!last || !prog.initial)
		ior_err(IOR_EXIT_SYS, "malloc");
	for (uint32_t t = 0; t < prog.nthreads; t++) {
		int64_t pid = prog.threads[t].vpid;

		if (prog.threads[t].forked)
			continue;
		if (last[pid])
			prog.threads[last[pid] - 1].next_initial = t;
		else
			prog.initial[prog.ninitial++] = t;
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
			buf_add(&prog.meta, &prog.meta_len, &ld.meta_cap, in.line, in.linelen);
			prog.meta[prog.meta_len - 1] = '\n';
			continue;
		}
		if (!strncmp(r.call, "init:", 5))
			continue;	/* the starting tree: ior-init's job */
		parse_op(&in, &r);
	}
	link_uring(&in);
	ior_in_close(&in);
	link_aio();
	find_depths();
	find_initial();
	prog.ctime0 = prog.nops ? prog.ops[0].ctime : 0;
	for (uint32_t i = 1; i < prog.nops; i++)
		if (prog.ops[i].ctime < prog.ctime0)
			prog.ctime0 = prog.ops[i].ctime;
	free(ld.thread_of);
	ld = (struct loader){ 0 };
}

/* ---- shared state: done-flags and results, seen by every process ---- */

enum { ST_PENDING, ST_WAITED, ST_DONE, ST_SKIPPED, ST_ABORT };

struct op_result {
	uint64_t start;		/* ns since the replay started */
	int64_t ret;
	uint64_t dur;
	uint32_t state;		/* ST_*: a futex word */
	uint32_t skip;		/* ST_SKIPPED: why (enum skip) */
	uint32_t claim;		/* aio:*: who settled it (enum claim) */
};

/*
 * An AIO request is settled once, by whoever comes first: the io_getevents
 * that reaps it, its io_submit (not submitted), or its own record reached
 * while it is still in flight (written with inflight=1).
 */
enum claim { CL_NONE, CL_REAPED, CL_SUBMIT, CL_INFLIGHT };

static struct shared {
	uint64_t t0;		/* CLOCK_MONOTONIC at the start */
	uint32_t abort;
	uint32_t uring_dropped;	/* rings set up without some captured flags */
	struct op_result res[];
} *sh;

static char *wdata;		/* what writes write: random, made once */

/* What setxattr writes: the captured value, or count random bytes. */
static const char *xattr_value(const struct prog_op *op, size_t *len)
{
	*len = op->value ? op->valuelen : op->count;
	return op->value ? str(op->value) : wdata;
}

/*
 * A descriptor table, shared by the threads of a replay process (unless
 * one unshares it): vfd -> real descriptor, and captured number -> vfd
 * (to close what a dup2 onto a number displaces).
 */
struct vfd_table {
	int *real;
	uint8_t *cloexec;
	int32_t *numvfd;
	struct vfd_table *next;	/* every table of the process */
};
static __thread struct vfd_table *thread_fds;	/* the calling thread's */
/*
 * Tables live as long as their process: listed here so that they stay
 * reachable (for leak checkers) after the thread that made one is gone.
 */
static struct vfd_table *all_tabs;

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
	for (uint32_t i = 0; i < prog.nops; i++) {
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
	if (!prog.ops[i].waited) {
		__atomic_store_n(w, state, __ATOMIC_RELEASE);
		return;
	}
	if (__atomic_exchange_n(w, state, __ATOMIC_ACQ_REL) == ST_WAITED)
		futex(w, FUTEX_WAKE, INT_MAX);
}

/*
 * Timed mode: op i is due (ctime - ctime0) / speed after TIME 0. A thread
 * sleeps until SLEEP_MARGIN before that, then spins: clock_nanosleep
 * wakes it 20-80 us late on the 2-CPU virtual machines ior is measured
 * on, the spin takes the op to its deadline within a microsecond or two.
 * A wider margin spins more: ops closer together than it keep a thread
 * spinning, which the scheduler (or, under SCHED_FIFO, its throttling)
 * makes pay with long stalls. 80 us gave the lowest p99 (bench/run,
 * under SCHED_FIFO; 30, 50 and 100 us did worse).
 */
#define SLEEP_MARGIN 80000ull	/* ns */
#define SLEEP_SLICE 100000000ull	/* ns: longest sleep between looks at abort */
#define DUE_MAX (1ull << 62)	/* ns: later is never */
#define START_LEAD 10000000ull	/* ns from the first fork to TIME 0 */
#define FORK_LEAD 1000000ull	/* ns more per initial process */

static uint64_t due(uint32_t i)
{
	double d = (prog.ops[i].ctime - prog.ctime0) / opt.speed;

	return d < DUE_MAX ? (uint64_t)d : DUE_MAX;
}

static void wait_due(uint64_t due)
{
	uint64_t at = sh->t0 + due, now, wake;
	struct timespec ts;

	while ((now = now_ns()) + SLEEP_MARGIN < at) {
		wake = at - SLEEP_MARGIN;
		if (wake - now > SLEEP_SLICE)
			wake = now + SLEEP_SLICE;
		ts.tv_sec = wake / 1000000000;
		ts.tv_nsec = wake % 1000000000;
		clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &ts, NULL);
		if (__atomic_load_n(&sh->abort, __ATOMIC_ACQUIRE))
			_exit(IOR_EXIT_SYS);
	}
	while (now_ns() < at)
		__builtin_ia32_pause();
}

/* ---- descriptors ---- */

static int real_fd(int32_t fd)
{
	return fd < 0 ? -1 : __atomic_load_n(&thread_fds->real[fd], __ATOMIC_RELAXED);
}

static int ring_close(int fd);

static void bind_fd(int32_t fd, int real, int cloexec)
{
	int old;

	if (fd < 0)
		return;
	old = __atomic_exchange_n(&thread_fds->real[fd], real, __ATOMIC_RELAXED);
	if (old >= 0 && !ring_close(old))
		close(old);
	thread_fds->cloexec[fd] = cloexec;
}

/* Note that captured number num now names vfd (-1: nothing). */
static void bind_num(int32_t num, int32_t vfd)
{
	if (num >= 0)
		__atomic_store_n(&thread_fds->numvfd[num], vfd, __ATOMIC_RELAXED);
}

/* The vfd that captured number num names, and forget it. */
static int32_t take_num(int32_t num)
{
	return __atomic_exchange_n(&thread_fds->numvfd[num], -1, __ATOMIC_RELAXED);
}

/* Close what the capture's descriptor number num named, if anything. */
static void displace(int32_t num)
{
	if (num >= 0)
		bind_fd(take_num(num), -1, 0);
}

/*
 * The descriptor vfd, captured number num, was closed by a call (close,
 * or a ring's): the table forgets it, closing nothing.
 */
static void forget_fd(int32_t vfd, int32_t num)
{
	__atomic_store_n(&thread_fds->real[vfd], -1, __ATOMIC_RELAXED);
	if (num >= 0)
		__atomic_compare_exchange_n(&thread_fds->numvfd[num], &vfd, -1, 0,
					    __ATOMIC_RELAXED, __ATOMIC_RELAXED);
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
	for (int32_t fd = 0; fd <= prog.maxvfd; fd++)
		if (thread_fds->cloexec[fd] && real_fd(fd) >= 0)
			bind_fd(fd, -1, 0);
}

/* A table for a thread that has unshared its descriptors: a copy. */
static struct vfd_table *fdtab_copy(const struct vfd_table *from)
{
	size_t nv = prog.maxvfd + 2, nn = prog.maxfd + 2;
	struct vfd_table *t = malloc(sizeof(*t));

	if (!t || !(t->real = malloc(nv * sizeof(*t->real))) ||
	    !(t->cloexec = malloc(nv)) ||
	    !(t->numvfd = malloc(nn * sizeof(*t->numvfd))))
		return NULL;
	/* Lock-free: a fork may happen at any moment in another thread. */
	t->next = __atomic_load_n(&all_tabs, __ATOMIC_RELAXED);
	while (!__atomic_compare_exchange_n(&all_tabs, &t->next, t, 1,
					    __ATOMIC_RELEASE, __ATOMIC_RELAXED))
		;
	if (!from) {
		for (size_t i = 0; i < nv; i++)
			t->real[i] = -1;
		memset(t->cloexec, 0, nv);
		for (size_t i = 0; i < nn; i++)
			t->numvfd[i] = -1;
		return t;
	}
	memcpy(t->real, from->real, nv * sizeof(*t->real));
	memcpy(t->cloexec, from->cloexec, nv);
	memcpy(t->numvfd, from->numvfd, nn * sizeof(*t->numvfd));
	return t;
}

/* ---- the calls ---- */

/* A file handle with room for any filesystem's. */
union handle_buf {
	struct file_handle fh;
	char room[sizeof(struct file_handle) + MAX_HANDLE_SZ];
};

/* Per thread: buffers, and a pipe for splice when one side is unknown. */
struct thread_state {
	char *rbuf;
	struct iovec *iov;
	int pipe[2];		/* -1 until a splice needs it */
	int null;		/* /dev/null: where spliced data drains */
	size_t pipesz;
	size_t piped;		/* bytes left in the pipe */
	union handle_buf hb;	/* name_to_handle_at, open_by_handle_at */
	struct iocb **iocbp;	/* an io_submit's requests */
	uint32_t nbatch;	/* how many */
	struct io_event *events;
	struct vfd_table *start_table;	/* the descriptors it starts with,
					   from start_thread to thread_main */
};

static int rootdir = -1;	/* the root opened for reading: a mount fd */

/*
 * Each thread's state, by thread index, allocated before the first fork.
 * Here rather than on each thread's stack so that what a thread allocated
 * stays reachable in a process forked by another thread, where that stack
 * is no longer a thread's (LeakSanitizer would call it leaked).
 */
static struct thread_state *thread_states;

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

static const struct timespec *times_of(const struct prog_op *op)
{
	return op->opt & HAS_TIMES ? op->ts : NULL;
}

/*
 * setxattrat(2) and its kind (Linux 6.13): the l*xattr calls act on a
 * name in its parent directory, which the path-based calls cannot.
 */
#ifndef SYS_setxattrat
#define SYS_setxattrat 463
#define SYS_getxattrat 464
#define SYS_listxattrat 465
#define SYS_removexattrat 466
#endif
struct xattrat_args {
	uint64_t value;
	uint32_t size;
	uint32_t flags;
};

/* name_to_handle_at on d and name, keeping the handle in w. */
static int64_t make_handle(struct thread_state *w, const struct prog_op *op, int d,
			   const char *name, int flags)
{
	int mnt;

	/* A capture that asked for the size first asked with no room. */
	w->hb.fh.handle_bytes = op->cret == -EOVERFLOW ? 0 : MAX_HANDLE_SZ;
	return neg(name_to_handle_at(d, name, &w->hb.fh, &mnt, flags));
}

/*
 * Link the file descriptor fd holds (even an O_PATH one) as path2:
 * linkat with AT_EMPTY_PATH would need CAP_DAC_READ_SEARCH, its /proc
 * name does not.
 */
static int64_t link_fd(int fd, const struct prog_op *op)
{
	char proc[64], name2[NAME_MAX + 1];
	int d2 = ior_root_parent(&root, str(op->path2), name2, sizeof(name2));
	int64_t r;

	if (d2 < 0)
		return d2;
	snprintf(proc, sizeof(proc), "/proc/thread-self/fd/%d", fd);
	r = neg(linkat(AT_FDCWD, proc, d2, name2, AT_SYMLINK_FOLLOW));
	close(d2);
	return r;
}

/*
 * The calls that follow a symlink in the last component: the path is
 * resolved beneath the root to an O_PATH descriptor and the call acts on
 * that very file, through the descriptor or its /proc name, never through
 * a name that could be looked up again outside the root.
 */
static int64_t follow(const struct prog_op *op, struct thread_state *w)
{
	int fd = ior_root_openat(&root, str(op->path), O_PATH | O_CLOEXEC, 0);
	char proc[64];
	const char *name = str(op->name), *v;
	size_t vlen;
	int64_t r;

	if (fd < 0)
		return fd;
	snprintf(proc, sizeof(proc), "/proc/thread-self/fd/%d", fd);
	switch (op->kind) {
	case IOR_REPLAY_STATX: {
		struct statx stx;

		r = neg(statx(fd, "", AT_EMPTY_PATH, op->mask, &stx));
		break;
	}
	case IOR_REPLAY_ACCESS:
		r = neg(faccessat(AT_FDCWD, proc, op->mode,
				  op->flags & AT_EACCESS));
		break;
	case IOR_REPLAY_CHMOD:
		r = neg(chmod(proc, op->mode));
		break;
	case IOR_REPLAY_CHOWN:
		r = neg(fchownat(fd, "", op->uid, op->gid, AT_EMPTY_PATH));
		break;
	case IOR_REPLAY_UTIMES:
		r = neg(utimensat(AT_FDCWD, proc, times_of(op), 0));
		break;
	case IOR_REPLAY_SETXATTR:
		v = xattr_value(op, &vlen);
		r = neg(setxattr(proc, name, v, vlen, op->flags));
		break;
	case IOR_REPLAY_GETXATTR:
		r = neg(getxattr(proc, name, w->rbuf, op->count));
		break;
	case IOR_REPLAY_LISTXATTR:
		r = neg(listxattr(proc, w->rbuf, op->count));
		break;
	case IOR_REPLAY_REMOVEXATTR:
		r = neg(removexattr(proc, name));
		break;
	case IOR_REPLAY_STATFS: {
		struct statfs sfs;

		r = neg(fstatfs(fd, &sfs));
		break;
	}
	case IOR_REPLAY_LINK:	/* AT_SYMLINK_FOLLOW: link what it names */
		r = link_fd(fd, op);
		break;
	case IOR_REPLAY_NAME_TO_HANDLE:
		r = make_handle(w, op, fd, "", AT_EMPTY_PATH);
		break;
	default: {
		struct stat st;

		r = neg(fstat(fd, &st));
		break;
	}
	}
	close(fd);
	return r;
}

/*
 * The calls that act on a name: under its parent, never following it.
 * (A symlink's path is its target: the link is path2.)
 */
static int64_t at_name(const struct prog_op *op, struct thread_state *w)
{
	char name[NAME_MAX + 1], name2[NAME_MAX + 1];
	unsigned c = op->kind;
	const char *path = str(c == IOR_REPLAY_SYMLINK ? op->path2 : op->path);
	int d2 = -1, d = ior_root_parent(&root, path, name, sizeof(name));
	struct xattrat_args xa = { .size = op->count, .flags = op->flags };
	const char *xname = str(op->name);
	size_t vlen;
	int64_t r;

	if (d < 0)
		return d;
	switch (c) {
	case IOR_REPLAY_MKDIR:
		r = neg(mkdirat(d, name, op->mode));
		break;
	case IOR_REPLAY_RMDIR:
		r = neg(unlinkat(d, name, AT_REMOVEDIR));
		break;
	case IOR_REPLAY_UNLINK:
		r = neg(unlinkat(d, name, op->flags & AT_REMOVEDIR));
		break;
	case IOR_REPLAY_RENAME:
	case IOR_REPLAY_LINK:
		d2 = ior_root_parent(&root, str(op->path2), name2, sizeof(name2));
		if (d2 < 0)
			r = d2;
		else if (c == IOR_REPLAY_RENAME)	/* flags: 0 but RENAME_* */
			r = neg(renameat2(d, name, d2, name2, op->flags));
		else
			r = neg(linkat(d, name, d2, name2, 0));
		if (d2 >= 0)
			close(d2);
		break;
	case IOR_REPLAY_STATX: {
		struct statx stx;

		r = neg(statx(d, name, AT_SYMLINK_NOFOLLOW, op->mask, &stx));
		break;
	}
	case IOR_REPLAY_ACCESS:
		r = neg(faccessat(d, name, op->mode, op->flags & ~AT_EMPTY_PATH));
		break;
	case IOR_REPLAY_CHMOD:
		r = neg(fchmodat(d, name, op->mode, AT_SYMLINK_NOFOLLOW));
		break;
	case IOR_REPLAY_CHOWN:
		r = neg(fchownat(d, name, op->uid, op->gid, AT_SYMLINK_NOFOLLOW));
		break;
	case IOR_REPLAY_UTIMES:
		r = neg(utimensat(d, name, times_of(op), AT_SYMLINK_NOFOLLOW));
		break;
	case IOR_REPLAY_SETXATTR:
		xa.value = (uintptr_t)xattr_value(op, &vlen);
		xa.size = vlen;
		r = neg(syscall(SYS_setxattrat, d, name, AT_SYMLINK_NOFOLLOW,
				xname, &xa, sizeof(xa)));
		break;
	case IOR_REPLAY_GETXATTR:
		xa.value = (uintptr_t)w->rbuf;
		xa.flags = 0;
		r = neg(syscall(SYS_getxattrat, d, name, AT_SYMLINK_NOFOLLOW,
				xname, &xa, sizeof(xa)));
		break;
	case IOR_REPLAY_LISTXATTR:
		r = neg(syscall(SYS_listxattrat, d, name, AT_SYMLINK_NOFOLLOW,
				w->rbuf, op->count));
		break;
	case IOR_REPLAY_REMOVEXATTR:
		r = neg(syscall(SYS_removexattrat, d, name, AT_SYMLINK_NOFOLLOW,
				xname));
		break;
	case IOR_REPLAY_READLINK:
		r = neg(readlinkat(d, name, w->rbuf, op->count));
		break;
	case IOR_REPLAY_SYMLINK:	/* the target is text: resolved IN_ROOT later */
		r = neg(symlinkat(str(op->path), d, name));
		break;
	case IOR_REPLAY_MKNOD:
		r = neg(mknodat(d, name, op->mode, 0));
		break;
	case IOR_REPLAY_NAME_TO_HANDLE:
		r = make_handle(w, op, d, name, 0);
		break;
	default: {
		struct stat st;

		r = neg(fstatat(d, name, &st, AT_SYMLINK_NOFOLLOW));
		break;
	}
	}
	close(d);
	return r;
}

/* A call on a path: following its last component or on the name. */
static int64_t on_path(const struct prog_op *op, struct thread_state *w)
{
	return op->follows ? follow(op, w) : at_name(op, w);
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

static int64_t ior_fd_open(const struct prog_op *op)
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

/* ---- copies between descriptors ---- */

/* The thread's pipe for splice, made when first needed. */
static void need_pipe(struct thread_state *w)
{
	long sz;

	if (w->pipe[0] >= 0)
		return;
	if (pipe2(w->pipe, O_CLOEXEC) < 0)
		fatal("pipe2");
	if ((w->null = open("/dev/null", O_WRONLY | O_CLOEXEC)) < 0)
		fatal("/dev/null");
	/* Room for a whole transfer where the system allows it. */
	sz = fcntl(w->pipe[1], F_SETPIPE_SZ, 1 << 20);
	w->pipesz = sz > 0 ? (size_t)sz : 65536;
}

/* Empty the pipe of what a splice left in it. */
static void drain_pipe(struct thread_state *w)
{
	while (w->piped) {
		ssize_t n = splice(w->pipe[0], NULL, w->null, NULL, w->piped, 0);

		if (n <= 0)
			fatal("splice to /dev/null");
		w->piped -= n;
	}
}

/*
 * copy_file_range, sendfile64 and splice with real source src and
 * destination dst, either -1 when the capture's was a pipe or socket the
 * replay does not have: then only the file side's I/O is done, a read of
 * the source or a write of the destination, through the thread's pipe
 * for splice.
 */
static int64_t copy_fds(unsigned c, const struct prog_op *op, struct thread_state *w,
			int src, int dst)
{
	loff_t off = op->offset, off2 = op->offset2;
	loff_t *po = op->opt & HAS_OFF ? &off : NULL;
	loff_t *po2 = op->opt & HAS_OFF2 ? &off2 : NULL;
	size_t n = op->count;
	int64_t r;

	if (src >= 0 && dst >= 0) {
		if (c == IOR_REPLAY_COPY_FILE_RANGE)
			return neg(copy_file_range(src, po, dst, po2, n, op->flags));
		if (c == IOR_REPLAY_SENDFILE)
			return neg(sendfile(dst, src, po, n));
		return neg(splice(src, po, dst, po2, n, op->flags));
	}
	if (c == IOR_REPLAY_SPLICE && src >= 0) {
		r = neg(splice(src, po, w->pipe[1], NULL,
			       n < w->pipesz ? n : w->pipesz, op->flags));
		w->piped += r > 0 ? r : 0;
		return r;
	}
	if (c == IOR_REPLAY_SPLICE) {
		r = neg(splice(w->pipe[0], NULL, dst, po2, w->piped, op->flags));
		w->piped -= r > 0 ? r : 0;
		return r;
	}
	if (dst < 0)
		return po ? neg(pread(src, w->rbuf, n, off)) :
			neg(read(src, w->rbuf, n));
	return po2 ? neg(pwrite(dst, wdata, n, off2)) : neg(write(dst, wdata, n));
}

/* ---- mappings and handles, per replay process ---- */

/* A file mapping: the captured range and where the replay mapped it. */
struct replay_mapping {
	uint64_t caddr, len;
	char *raddr;
};

/* A handle name_to_handle_at made, by the path it was made for. */
struct kept_handle {
	size_t path;
	union handle_buf hb;
};

/*
 * A replay process's mappings and handles, shared by its threads. A
 * process forked by another starts with a copy, as with the mappings.
 */
static struct process_maps {
	struct replay_mapping *maps;
	size_t nmaps, maps_cap;
	struct kept_handle *handles;
	size_t nhandles, handles_cap;
	pthread_mutex_t lock;	/* held across fork: a child gets it free */
} pmaps = { .lock = PTHREAD_MUTEX_INITIALIZER };

static void lock_maps(void)
{
	pthread_mutex_lock(&pmaps.lock);
}

static void unlock_maps(void)
{
	pthread_mutex_unlock(&pmaps.lock);
}

static uint64_t page_end(uint64_t addr, uint64_t len)
{
	uint64_t pg = sysconf(_SC_PAGESIZE);

	if (addr > UINT64_MAX - pg || len > UINT64_MAX - pg - addr)
		return UINT64_MAX & ~(pg - 1);
	return (addr + len + pg - 1) & ~(pg - 1);
}

static void maps_add(uint64_t caddr, uint64_t end, char *raddr)
{
	size_t cap = pmaps.maps_cap;

	grow((void **)&pmaps.maps, &cap, pmaps.nmaps + 1, sizeof(*pmaps.maps));
	pmaps.maps_cap = cap;
	pmaps.maps[pmaps.nmaps++] = (struct replay_mapping){ caddr, end - caddr, raddr };
}

/* Unmap [x, y) of mapping i, which holds it; the rest stays known. */
static int64_t unmap_part(size_t i, uint64_t x, uint64_t y)
{
	struct replay_mapping m = pmaps.maps[i];
	uint64_t end = m.caddr + m.len;
	int64_t r = neg(munmap(m.raddr + (x - m.caddr), y - x));

	if (x == m.caddr && y == end)
		pmaps.maps[i] = pmaps.maps[--pmaps.nmaps];
	else if (x == m.caddr)
		pmaps.maps[i] = (struct replay_mapping){ y, end - y, m.raddr + (y - m.caddr) };
	else {
		pmaps.maps[i].len = x - m.caddr;
		if (y < end)
			maps_add(y, end, m.raddr + (y - m.caddr));
	}
	return r;
}

/*
 * munmap, msync or madvise of the captured range [addr, end): done on the
 * replay's part of each mapping in it. Called with pmaps.lock held.
 * Returns the first error, or 0.
 */
static int64_t on_maps(unsigned c, uint64_t addr, uint64_t end,
		       const struct prog_op *op)
{
	int64_t r = 0, e;

	/* Backwards: unmap_part moves only entries already visited. */
	for (size_t i = pmaps.nmaps; i-- > 0; ) {
		uint64_t lo = pmaps.maps[i].caddr, hi = lo + pmaps.maps[i].len;
		uint64_t x = addr > lo ? addr : lo, y = end < hi ? end : hi;
		char *p = pmaps.maps[i].raddr + (x - lo);

		if (x >= y)
			continue;
		if (c == IOR_REPLAY_MSYNC)
			e = neg(msync(p, y - x, op->flags));
		else if (c == IOR_REPLAY_MADVISE)
			e = neg(madvise(p, y - x, op->arg));
		else
			e = unmap_part(i, x, y);
		if (e < 0 && !r)
			r = e;
	}
	return r;
}

/* True when a mapping of the replay's covers part of [addr, end). */
static int maps_cover(uint64_t addr, uint64_t end)
{
	for (size_t i = 0; i < pmaps.nmaps; i++)
		if (pmaps.maps[i].caddr < end && addr < pmaps.maps[i].caddr + pmaps.maps[i].len)
			return 1;
	return 0;
}

/* After mmap: the replay's mapping p stands for the captured one. */
static void map_done(const struct prog_op *op, int64_t r)
{
	uint64_t end = page_end(op->cret, op->len);

	lock_maps();
	/* The capture's kernel gave this range: nothing else is there now. */
	if (op->cret >= 0)
		on_maps(IOR_REPLAY_MUNMAP, op->cret, end, op);
	if (r >= 0 && op->cret >= 0)
		maps_add(op->cret, end, (char *)(uintptr_t)r);
	else if (r >= 0)
		munmap((void *)(uintptr_t)r, op->len);
	unlock_maps();
}

/* sched:exec: the old program's mappings are gone. */
static void unmap_all(void)
{
	lock_maps();
	on_maps(IOR_REPLAY_MUNMAP, 0, UINT64_MAX, NULL);
	unlock_maps();
}

static void handle_keep(const struct prog_op *op, const union handle_buf *hb)
{
	size_t i, cap = pmaps.handles_cap;

	lock_maps();
	for (i = 0; i < pmaps.nhandles; i++)
		if (!strcmp(str(pmaps.handles[i].path), str(op->path)))
			break;
	if (i == pmaps.nhandles) {
		grow((void **)&pmaps.handles, &cap, pmaps.nhandles + 1, sizeof(*pmaps.handles));
		pmaps.handles_cap = cap;
		pmaps.nhandles++;
	}
	pmaps.handles[i].path = op->path;
	pmaps.handles[i].hb = *hb;
	unlock_maps();
}

/*
 * The handle for open_by_handle_at of op->path: the one name_to_handle_at
 * made, else one made now. Without a path (the captured call failed) the
 * handle is empty and the call fails.
 */
static void handle_find(struct thread_state *w, const struct prog_op *op)
{
	size_t i;
	int fd;

	lock_maps();
	for (i = 0; i < pmaps.nhandles; i++)
		if (!strcmp(str(pmaps.handles[i].path), str(op->path)))
			break;
	if (i < pmaps.nhandles)
		w->hb = pmaps.handles[i].hb;
	unlock_maps();
	if (i < pmaps.nhandles)
		return;
	w->hb.fh.handle_bytes = 0;
	if (!op->path)
		return;
	fd = ior_root_openat(&root, str(op->path), O_PATH | O_CLOEXEC, 0);
	if (fd < 0)
		return;
	w->hb.fh.handle_bytes = MAX_HANDLE_SZ;
	if (name_to_handle_at(fd, "", &w->hb.fh, &(int){ 0 }, AT_EMPTY_PATH) < 0)
		w->hb.fh.handle_bytes = 0;
	close(fd);
}

/* ---- descriptor-table calls ---- */

/* unshare(CLONE_FILES): this thread gets its own copy of the table. */
static void unshare_files(void)
{
	struct vfd_table *t;

	if (unshare(CLONE_FILES) < 0)
		fatal("unshare");
	if (!(t = fdtab_copy(thread_fds)))
		fatal("malloc");
	thread_fds = t;
}

/*
 * close_range closes (or marks close-on-exec) the descriptors the
 * capture's numbers fd..maxfd name; the replay's own stay open.
 */
static void close_numbers(const struct prog_op *op)
{
	int64_t hi = op->len < prog.maxfd ? op->len : prog.maxfd;

	if (op->flags & CLOSE_RANGE_UNSHARE)
		unshare_files();
	for (int64_t n = op->num; n <= hi; n++) {
		int32_t v = __atomic_load_n(&thread_fds->numvfd[n], __ATOMIC_RELAXED);

		if (v < 0)
			continue;
		if (op->flags & CLOSE_RANGE_CLOEXEC)
			thread_fds->cloexec[v] = 1;
		else
			bind_fd(take_num(n), -1, 0);
	}
}

/* ---- AIO ---- */

/* Take request j to settle it; false when someone already has. */
static int claim(uint32_t j, enum claim how)
{
	uint32_t none = CL_NONE;

	return __atomic_compare_exchange_n(&sh->res[j].claim, &none, how, 0,
					   __ATOMIC_ACQ_REL, __ATOMIC_ACQUIRE);
}

/* A claimed request j is done: RET ret, DUR up to end. */
static void settled(uint32_t j, int64_t ret, uint64_t end)
{
	struct op_result *res = &sh->res[j];

	res->ret = ret;
	res->dur = end > res->start ? end - res->start : 0;
	finish(j, ST_DONE);
}

/* Settle request j unless already settled. */
static void settle(uint32_t j, enum claim how, int64_t ret, uint64_t end)
{
	if (claim(j, how))
		settled(j, ret, end);
}

/* Request j cannot be submitted: why (enum skip). */
static void skip_request(uint32_t j, int why)
{
	struct op_result *res = &sh->res[j];

	if (!claim(j, CL_SUBMIT))
		return;
	res->start = now_ns() - sh->t0;
	res->skip = why;
	finish(j, ST_SKIPPED);
}

/*
 * The replay's requests, one per aio:* op at the op's index: each iocb
 * must stay where io_submit saw it until an io_cancel names it. A private
 * mapping: a request belongs to the process that submits it. Requests in
 * flight are linked per context, for io_destroy.
 */
struct aio_slot {
	struct iocb cb;
	uint32_t prev, next;	/* in flight on its context */
	uint8_t linked;
};

#define AIO_WAIT_NS 5000000000ll	/* the longest wait for events */
#define GONE_MAX 64		/* destroyed contexts remembered */

/*
 * A captured AIO context and the replay process's own. A context the
 * replay destroyed stays known (real 0, which the kernel refuses), so that
 * the calls made on it fail as captured; only the last GONE_MAX.
 */
struct bound_ctx {
	uint64_t captured;
	aio_context_t real;	/* 0: destroyed */
	int64_t outstanding;	/* submitted, not yet reaped */
	uint32_t head;		/* the requests in flight; NONE: none */
	uint64_t gone;		/* destroyed: in which order; 0: live */
};
/*
 * A replay process's AIO: its requests and contexts, shared by its
 * threads. The requests are a private mapping made before the first
 * fork: each process has its own, where the iocbs it submits stay.
 */
static struct process_aio {
	struct aio_slot *slots;		/* by op index */
	struct bound_ctx *ctxs;
	size_t nctxs, ctxs_cap;
	uint64_t ngone;			/* contexts destroyed so far */
	pthread_mutex_t lock;	/* held across fork: a child gets it free */
} paio = { .lock = PTHREAD_MUTEX_INITIALIZER };

static void lock_aio(void)
{
	pthread_mutex_lock(&paio.lock);
}

static void unlock_aio(void)
{
	pthread_mutex_unlock(&paio.lock);
}

/* The context the capture named captured, or NULL; with paio.lock held. */
static struct bound_ctx *ctx_of(uint64_t captured)
{
	for (size_t i = 0; i < paio.nctxs; i++)
		if (paio.ctxs[i].captured == captured)
			return &paio.ctxs[i];
	return NULL;
}

/* Whether the replay set up captured (*real: 0 once destroyed). */
static int ctx_find(uint64_t captured, aio_context_t *real)
{
	struct bound_ctx *c;

	lock_aio();
	if ((c = ctx_of(captured)))
		*real = c->real;
	unlock_aio();
	return c != NULL;
}

static void ctx_bind(uint64_t captured, aio_context_t real)
{
	struct bound_ctx *c;

	lock_aio();
	if (!(c = ctx_of(captured))) {
		if (paio.nctxs == paio.ctxs_cap) {
			size_t cap = paio.ctxs_cap ? 2 * paio.ctxs_cap : 8;
			struct bound_ctx *p = realloc(paio.ctxs, cap * sizeof(*p));

			if (!p)
				fatal("realloc");
			paio.ctxs = p;
			paio.ctxs_cap = cap;
		}
		c = &paio.ctxs[paio.nctxs++];
	}
	*c = (struct bound_ctx){ captured, real, 0, NONE, 0 };
	unlock_aio();
}

static void req_unlink(struct bound_ctx *c, uint32_t j)
{
	struct aio_slot *q = &paio.slots[j];

	if (!q->linked)
		return;
	if (q->prev != NONE)
		paio.slots[q->prev].next = q->next;
	else
		c->head = q->next;
	if (q->next != NONE)
		paio.slots[q->next].prev = q->prev;
	q->linked = 0;
	c->outstanding--;
}

/*
 * io_destroy returned: the kernel finished the context's requests, and
 * their events are gone. Those nothing reaped are in flight, as ior-trace
 * writes them. The context is kept as destroyed.
 */
static void ctx_destroyed(uint64_t captured)
{
	struct bound_ctx *c, *old = NULL;
	size_t dead = 0;

	lock_aio();
	if ((c = ctx_of(captured))) {
		while (c->head != NONE) {
			uint32_t j = c->head;

			req_unlink(c, j);
			settle(j, CL_INFLIGHT, 0, 0);
		}
		c->real = 0;
		c->gone = ++paio.ngone;
	}
	for (size_t i = 0; i < paio.nctxs; i++)
		if (paio.ctxs[i].gone) {
			dead++;
			if (!old || paio.ctxs[i].gone < old->gone)
				old = &paio.ctxs[i];
		}
	if (dead > GONE_MAX)
		*old = paio.ctxs[--paio.nctxs];
	unlock_aio();
}

/*
 * The min_nr and nr to replay: as many events as the captured call
 * reaped (at least its min_nr), so that the replay keeps the captured
 * depth, but never more than the context's requests still in flight,
 * which the replay's earlier reaps may have taken more of than the
 * capture's did. An invalid min_nr is kept, to fail as captured.
 */
static long ctx_min_nr(uint64_t captured, const struct prog_op *op, long *nr)
{
	struct bound_ctx *c;
	long min = op->offset;

	*nr = op->len;
	if (min < 0 || min > op->len)
		return min;
	if (op->cret > 0 && op->cret <= op->len) {
		*nr = op->cret;
		if (min < op->cret)
			min = op->cret;
	}
	lock_aio();
	if ((c = ctx_of(captured)) && c->outstanding < min)
		min = c->outstanding;
	unlock_aio();
	return min;
}

/* The timeout of a wait: the captured one, at most AIO_WAIT_NS. */
static const struct timespec *wait_bound(const struct prog_op *op,
					 struct timespec *ts)
{
	if ((op->opt & HAS_TIMES) && op->ts[0].tv_sec < AIO_WAIT_NS / 1000000000)
		return op->ts;
	*ts = (struct timespec){ AIO_WAIT_NS / 1000000000, 0 };
	return ts;
}

/*
 * The iocbs of an io_submit, one per request of its batch whose descriptor
 * is open, with the thread's read buffer or the write data.
 */
static void aio_prepare(struct thread_state *w, const struct prog_op *op)
{
	struct iovec *iov = w->iov;

	w->nbatch = 0;
	for (uint32_t j = op->batch; j != NONE; j = prog.ops[j].batch) {
		const struct prog_op *rq = &prog.ops[j];
		struct iocb *cb = &paio.slots[j].cb;
		int fd = real_fd(rq->fd);
		char *buf = rq->kind == IOR_REPLAY_AIO_PREAD || rq->kind == IOR_REPLAY_AIO_PREADV ?
			w->rbuf : wdata;

		if (fd < 0) {
			skip_request(j, SKIP_NOFD);
			continue;
		}
		memset(cb, 0, sizeof(*cb));
		cb->aio_data = j;	/* what io_getevents hands back */
		cb->aio_fildes = fd;
		switch (rq->kind) {
		case IOR_REPLAY_AIO_PREAD: case IOR_REPLAY_AIO_PWRITE:
			cb->aio_lio_opcode = rq->kind == IOR_REPLAY_AIO_PREAD ?
				IOCB_CMD_PREAD : IOCB_CMD_PWRITE;
			cb->aio_buf = (uintptr_t)buf;
			cb->aio_nbytes = rq->count;
			cb->aio_offset = rq->offset;
			cb->aio_rw_flags = rq->flags;
			break;
		case IOR_REPLAY_AIO_PREADV: case IOR_REPLAY_AIO_PWRITEV:
			cb->aio_lio_opcode = rq->kind == IOR_REPLAY_AIO_PREADV ?
				IOCB_CMD_PREADV : IOCB_CMD_PWRITEV;
			/* io_submit copies the iovecs: one array per batch */
			fill_iov(iov, rq->iovcnt, buf, rq->count);
			cb->aio_buf = (uintptr_t)iov;
			cb->aio_nbytes = rq->iovcnt;
			cb->aio_offset = rq->offset;
			cb->aio_rw_flags = rq->flags;
			iov += rq->iovcnt;
			break;
		case IOR_REPLAY_AIO_FSYNC:
			cb->aio_lio_opcode = IOCB_CMD_FSYNC;
			break;
		case IOR_REPLAY_AIO_FDSYNC:
			cb->aio_lio_opcode = IOCB_CMD_FDSYNC;
			break;
		case IOR_REPLAY_AIO_POLL:	/* a file is always ready */
			cb->aio_lio_opcode = IOCB_CMD_POLL;
			cb->aio_buf = POLLIN | POLLOUT;
			break;
		default:
			cb->aio_lio_opcode = IOCB_CMD_NOOP;
			break;
		}
		w->iocbp[w->nbatch++] = cb;
	}
}

/* Events reaped at end (ns since the start) settle their requests. */
static void aio_reap(uint64_t captured, const struct io_event *ev, int64_t n,
		     uint64_t end)
{
	struct bound_ctx *c;

	lock_aio();
	c = ctx_of(captured);
	for (int64_t i = 0; i < n; i++) {
		uint64_t j = ev[i].data;

		if (j >= prog.nops || !is_aio_request(prog.ops[j].kind))
			continue;
		if (c)
			req_unlink(c, j);
		settle(j, CL_REAPED, ev[i].res, end);
	}
	unlock_aio();
}

/*
 * The prepared iocbs are submitted now: each is in flight from here,
 * linked to its context before io_submit so that no reap comes first.
 */
static void aio_submitting(struct thread_state *w, uint64_t captured)
{
	uint64_t start = now_ns() - sh->t0;
	struct bound_ctx *c;

	lock_aio();
	c = ctx_of(captured);
	for (uint32_t k = 0; k < w->nbatch; k++) {
		uint32_t j = w->iocbp[k]->aio_data;
		struct aio_slot *q = &paio.slots[j];

		sh->res[j].start = start;
		if (!c || !c->real)
			continue;
		q->prev = NONE;
		q->next = c->head;
		if (c->head != NONE)
			paio.slots[c->head].prev = j;
		c->head = j;
		q->linked = 1;
		c->outstanding++;
	}
	unlock_aio();
}

/*
 * io_submit of the prepared iocbs. When the kernel has no room for some
 * that the capture's call accepted (EAGAIN: the replay holds more in
 * flight, its reaps having taken fewer), reap some, each wait bounded,
 * and submit the rest. Returns how many were accepted, or the error.
 */
static int64_t aio_submit(struct thread_state *w, const struct prog_op *op,
			  aio_context_t ctx)
{
	struct timespec ts = { AIO_WAIT_NS / 1000000000, 0 };
	struct io_event ev[64];
	int64_t done = 0, r, n;

	for (;;) {
		r = neg(syscall(SYS_io_submit, ctx, (long)(w->nbatch - done),
				w->iocbp + done));
		if (r > 0)
			done += r;
		if (done >= w->nbatch || done >= op->cret ||
		    (r < 0 && r != -EAGAIN) || r == 0)
			break;
		if (r > 0)	/* the next call tells why it stopped */
			continue;
		n = syscall(SYS_io_getevents, ctx, 1L, 64L, ev, &ts);
		if (n <= 0)
			break;
		aio_reap(op->addr, ev, n, now_ns() - sh->t0);
	}
	return done ? done : r;
}

/*
 * Requests io_submit did not accept. The kernel tells the errno of the
 * first only when it accepted none; otherwise it is taken as EAGAIN.
 */
static void aio_unaccepted(const struct thread_state *w, uint64_t captured,
			   int64_t r)
{
	struct bound_ctx *c;

	lock_aio();
	c = ctx_of(captured);
	for (uint32_t k = r > 0 ? r : 0; k < w->nbatch; k++) {
		uint32_t j = w->iocbp[k]->aio_data;

		if (c)
			req_unlink(c, j);
		settle(j, CL_SUBMIT, r < 0 ? r : -EAGAIN, 0);
	}
	unlock_aio();
}

/* ---- io_uring ---- */

#define URING_WAIT_NS 5000000000ll	/* the longest wait for completions */

/*
 * Setup flags the replay cannot honour, dropped before the first try:
 * another ring's workers and the SQPOLL thread's CPU (not captured), and
 * the ring layouts liburing 2.3 cannot map (NO_MMAP, REGISTERED_FD_ONLY,
 * NO_SQARRAY).
 */
#define SETUP_DROP (IORING_SETUP_ATTACH_WQ | IORING_SETUP_SQ_AFF | \
		    0x4000u | 0x8000u | 0x10000u)
#define REGISTER_USE_RING 0x80000000u	/* the opcode's registered-ring bit */
#define NOP_INJECT_RESULT 1u		/* IORING_NOP_INJECT_RESULT (Linux 6.8) */

/* A ring of a replay process, found by its real descriptor. */
struct replay_ring {
	struct io_uring ring;
	int64_t outstanding;	/* submitted, not yet reaped */
	char **bufs;		/* registered buffers */
	size_t *buflens;
	uint32_t nbufs;
};

/* What a request needs until it completes; one per op, by index. */
struct ring_req {
	struct open_how how;
	struct statx *stx;	/* statx's buffer */
	struct iovec *iov;	/* readv, writev */
	struct vfd_table *tab;	/* the submitter's: an open binds its fd there */
	int pathfd;		/* statx's O_PATH descriptor, or -1 */
	int err;		/* statx's path failed: its errno, negative */
};

/*
 * A replay process's rings, and what their requests hold (a private
 * mapping made before the first fork, by op index). One lock for them
 * all, held while a ring is used: liburing's rings are not thread-safe,
 * and a completion may bind a descriptor (through bind_fd, which may
 * close a ring: recursive).
 */
static struct process_rings {
	struct replay_ring **rings;
	uint32_t nrings, rings_cap;
	struct ring_req *reqs;		/* by op index */
	pthread_mutex_t lock;
} prings = { .lock = PTHREAD_RECURSIVE_MUTEX_INITIALIZER_NP };

static void lock_rings(void)
{
	pthread_mutex_lock(&prings.lock);
}

static void unlock_rings(void)
{
	pthread_mutex_unlock(&prings.lock);
}

/* In a forked child: a recursive lock is its owner's, a thread now gone. */
static void reset_rings_lock(void)
{
	prings.lock = (pthread_mutex_t)PTHREAD_RECURSIVE_MUTEX_INITIALIZER_NP;
}

/* Whether descriptors a and b of this process share one open file. */
static int same_file(int a, int b)
{
	return a == b || syscall(SYS_kcmp, getpid(), getpid(), 0 /* KCMP_FILE */,
				 a, b) == 0;
}

/*
 * The ring whose real descriptor is fd, or (with dup) one of its copies;
 * called with rings_lock held.
 */
static struct replay_ring *ring_find(int fd, int copies)
{
	for (uint32_t i = 0; fd >= 0 && i < prings.nrings; i++)
		if (prings.rings[i]->ring.ring_fd == fd)
			return prings.rings[i];
	for (uint32_t i = 0; fd >= 0 && copies && i < prings.nrings; i++)
		if (same_file(prings.rings[i]->ring.ring_fd, fd))
			return prings.rings[i];
	return NULL;
}

/* The ring a captured ring number names in this thread, or NULL. */
static struct replay_ring *ring_of_num(int32_t num)
{
	if (num < 0 || num > prog.maxfd)
		return NULL;
	return ring_find(real_fd(__atomic_load_n(&thread_fds->numvfd[num],
						 __ATOMIC_RELAXED)), 1);
}

/*
 * Request j completed with res: free what it held, bind an open's new
 * descriptor in its submitter's table, and settle it.
 */
static void uring_done(uint32_t j, int64_t res, uint64_t end)
{
	const struct prog_op *rq = &prog.ops[j];
	struct ring_req *q = &prings.reqs[j];
	int opened = (rq->kind == IOR_REPLAY_UR_OPENAT || rq->kind == IOR_REPLAY_UR_OPENAT2) &&
		rq->fixed < 0 && res >= 0;

	if (q->pathfd >= 0)
		close(q->pathfd);
	q->pathfd = -1;
	if (q->err)
		res = q->err;
	q->err = 0;
	free(q->stx);
	free(q->iov);
	q->stx = NULL;
	q->iov = NULL;
	if (!claim(j, CL_REAPED)) {
		if (opened)
			close(res);
		return;
	}
	if (opened) {
		/* bind_new acts on the calling thread's table: lend it. */
		struct vfd_table *mine = thread_fds;

		thread_fds = q->tab;
		bind_new(rq->cret >= 0 ? rq->fd : -1, rq->num, res,
			 !!(rq->flags & O_CLOEXEC));
		thread_fds = mine;
	}
	settled(j, res, end);
}

/* Take every completion the ring holds; with rings_lock held. */
static void uring_reap(struct replay_ring *u)
{
	struct io_uring_cqe *cqe;
	uint64_t end = now_ns() - sh->t0;
	unsigned head, n = 0;

	io_uring_for_each_cqe(&u->ring, head, cqe) {
		uint64_t j = io_uring_cqe_get_data64(cqe);

		if (j < prog.nops && is_uring_request(prog.ops[j].kind))
			uring_done(j, cqe->res, end);
		n++;
	}
	io_uring_cq_advance(&u->ring, n);
	u->outstanding -= n;
}

/* Wait, at most URING_WAIT_NS, for n completions, then reap them all. */
static int64_t uring_wait(struct replay_ring *u, unsigned n)
{
	struct __kernel_timespec ts = { URING_WAIT_NS / 1000000000, 0 };
	struct io_uring_cqe *cqe;
	int64_t r = 0;

	if (n > u->outstanding)		/* never wait for what cannot come */
		n = u->outstanding > 0 ? u->outstanding : 0;
	if (n)
		r = io_uring_wait_cqes(&u->ring, &cqe, n, &ts, NULL);
	uring_reap(u);
	return r;
}

/* Reap what is in flight, each wait bounded. */
static void uring_drain(struct replay_ring *u)
{
	while (u->outstanding > 0 && uring_wait(u, 1) == 0)
		;
}

static void uring_free_bufs(struct replay_ring *u)
{
	for (uint32_t i = 0; i < u->nbufs; i++)
		munmap(u->bufs[i], u->buflens[i] ? u->buflens[i] : 1);
	free(u->bufs);
	free(u->buflens);
	u->bufs = NULL;
	u->buflens = NULL;
	u->nbufs = 0;
}

/*
 * If fd is a ring's, and its last descriptor in the thread's table, the
 * ring is closing: reap what it has in flight, then tear it down (which
 * closes fd). A copy left open (a dup) keeps the ring, used through it.
 * Returns whether fd was a ring's, and closed.
 */
static int ring_close(int fd)
{
	struct replay_ring *u;

	if (!__atomic_load_n(&prings.nrings, __ATOMIC_RELAXED))
		return 0;
	lock_rings();
	if ((u = ring_find(fd, 0))) {
		for (int32_t v = 0; v <= prog.maxvfd; v++) {
			int other = real_fd(v);

			if (other < 0 || other == fd || !same_file(fd, other))
				continue;
			u->ring.ring_fd = other;
			if (u->ring.enter_ring_fd == fd)
				u->ring.enter_ring_fd = other;
			close(fd);
			unlock_rings();
			return 1;
		}
		uring_drain(u);
		io_uring_queue_exit(&u->ring);
		uring_free_bufs(u);
		for (uint32_t i = 0; i < prings.nrings; i++)
			if (prings.rings[i] == u)
				prings.rings[i] = prings.rings[--prings.nrings];
		free(u);
	}
	unlock_rings();
	return u != NULL;
}

/*
 * io_uring_setup with the captured entries and flags. A captured failure
 * is issued as it was, to fail the same way; a success makes a ring, with
 * the flag bits this kernel refuses dropped one by one (counted).
 */
static int64_t uring_setup(const struct prog_op *op)
{
	struct io_uring_params p;
	uint32_t flags = op->flags & ~SETUP_DROP;
	struct replay_ring *u;
	int r;

	memset(&p, 0, sizeof(p));
	if (op->cret < 0) {
		p.flags = op->flags;
		p.cq_entries = op->offset;
		r = syscall(SYS_io_uring_setup, (unsigned)op->len, &p);
		if (r >= 0)
			close(r);
		return neg(r);
	}
	if (!(u = calloc(1, sizeof(*u))))
		fatal("calloc");
	for (;;) {
		memset(&p, 0, sizeof(p));
		p.flags = flags;
		p.cq_entries = op->offset;
		r = io_uring_queue_init_params(op->len, &u->ring, &p);
		if ((r != -EINVAL && r != -EPERM) || !flags)
			break;
		flags &= ~(1u << (31 - __builtin_clz(flags)));
	}
	if (flags != op->flags)
		__atomic_add_fetch(&sh->uring_dropped, 1, __ATOMIC_RELAXED);
	if (r < 0) {
		free(u);
		return r;
	}
	lock_rings();
	if (prings.nrings == prings.rings_cap) {
		prings.rings_cap = prings.rings_cap ? 2 * prings.rings_cap : 8;
		prings.rings = realloc(prings.rings, prings.rings_cap * sizeof(*prings.rings));
		if (!prings.rings)
			fatal("realloc");
	}
	prings.rings[prings.nrings] = u;
	__atomic_store_n(&prings.nrings, prings.nrings + 1, __ATOMIC_RELAXED);
	unlock_rings();
	return u->ring.ring_fd;
}

/* The n numbers of a list kept by list_of. */
static void list_read(const char *s, int64_t *v, uint32_t n)
{
	for (uint32_t i = 0; i < n; i++, s = strchr(s, ',') + 1)
		v[i] = strtoll(s, NULL, 10);
}

/*
 * The replay's descriptors for a file registration: each vfd's (ior-map's
 * vfds, else the captured numbers' current vfds). An empty slot stays
 * empty (-1); an unknown descriptor is an empty slot too, unless the
 * captured call failed: then one never open, to fail again.
 */
static int *files_of(const struct prog_op *op)
{
	int64_t *c = calloc(op->iovcnt + 1, sizeof(*c));
	int64_t *v = calloc(op->iovcnt + 1, sizeof(*v));
	int *fds = calloc(op->iovcnt + 1, sizeof(*fds));

	if (!c || !v || !fds)
		fatal("calloc");
	list_read(str(op->path), c, op->iovcnt);
	if (op->path2)
		list_read(str(op->path2), v, op->iovcnt);
	for (uint32_t i = 0; i < op->iovcnt; i++) {
		int32_t vfd = op->path2 ? v[i] : c[i] >= 0 && c[i] <= prog.maxfd ?
			__atomic_load_n(&thread_fds->numvfd[c[i]], __ATOMIC_RELAXED) : -1;

		fds[i] = c[i] < 0 ? -1 : real_fd(vfd);
		if (c[i] >= 0 && fds[i] < 0)
			fds[i] = op->cret < 0 ? INT32_MAX : -1;
	}
	free(c);
	free(v);
	return fds;
}

/* Buffers of the captured lengths, holding what writes write. */
static struct iovec *bufs_of(struct replay_ring *u, const struct prog_op *op)
{
	int64_t *len = calloc(op->iovcnt + 1, sizeof(*len));
	struct iovec *iov = calloc(op->iovcnt + 1, sizeof(*iov));

	if (!len || !iov)
		fatal("calloc");
	list_read(str(op->name), len, op->iovcnt);
	uring_free_bufs(u);
	u->bufs = calloc(op->iovcnt + 1, sizeof(*u->bufs));
	u->buflens = calloc(op->iovcnt + 1, sizeof(*u->buflens));
	if (!u->bufs || !u->buflens)
		fatal("calloc");
	for (uint32_t i = 0; i < op->iovcnt; i++) {
		char *b = map_buf(len[i] ? len[i] : 1);
		size_t n = (uint64_t)len[i] < prog.maxwrite ? (size_t)len[i] : prog.maxwrite;

		if (n)
			memcpy(b, wdata, n);
		u->bufs[i] = b;
		u->buflens[i] = len[i];
		iov[i] = (struct iovec){ b, len[i] };
	}
	u->nbufs = op->iovcnt;
	free(len);
	return iov;
}

/*
 * io_uring_register: files and buffers as captured, on the replay's
 * descriptors and buffers of the captured sizes; the harmless opcodes as
 * they were; an opcode this kernel does not know, to fail again. Others
 * are not issued (*skip).
 */
static int64_t uring_register(struct replay_ring *u, const struct prog_op *op, int *skip)
{
	unsigned opc = op->cmd & ~REGISTER_USE_RING;
	int fd = u->ring.ring_fd, *fds = NULL;
	struct iovec *iov = NULL;
	int64_t r;

	switch (opc) {
	case IORING_REGISTER_FILES: case IORING_REGISTER_FILES2:
	case IORING_REGISTER_FILES_UPDATE: case IORING_REGISTER_FILES_UPDATE2: {
		uint32_t n = op->path ? op->iovcnt : op->count;
		struct io_uring_rsrc_register rr = { .nr = n };
		struct io_uring_files_update up = { .offset = op->offset };
		struct io_uring_rsrc_update2 up2 = { .offset = op->offset, .nr = n };

		if (op->path)
			fds = files_of(op);
		else
			rr.flags = IORING_RSRC_REGISTER_SPARSE;
		rr.data = up.fds = up2.data = (uintptr_t)fds;
		r = opc == IORING_REGISTER_FILES ?
			syscall(SYS_io_uring_register, fd, opc, fds, n) :
			opc == IORING_REGISTER_FILES2 ?
			syscall(SYS_io_uring_register, fd, opc, &rr, sizeof(rr)) :
			opc == IORING_REGISTER_FILES_UPDATE ?
			syscall(SYS_io_uring_register, fd, opc, &up, n) :
			syscall(SYS_io_uring_register, fd, opc, &up2, sizeof(up2));
		free(fds);
		return neg(r);
	}
	case IORING_REGISTER_BUFFERS: case IORING_REGISTER_BUFFERS2: {
		struct io_uring_rsrc_register rr = { .nr = op->iovcnt };

		iov = bufs_of(u, op);
		rr.data = (uintptr_t)iov;
		r = opc == IORING_REGISTER_BUFFERS ?
			syscall(SYS_io_uring_register, fd, opc, iov, op->iovcnt) :
			syscall(SYS_io_uring_register, fd, opc, &rr, sizeof(rr));
		free(iov);
		if (r < 0) {
			r = -errno;
			uring_free_bufs(u);
		}
		return r;
	}
	case IORING_UNREGISTER_BUFFERS:
		r = neg(syscall(SYS_io_uring_register, fd, opc, NULL, 0));
		if (r == 0)
			uring_free_bufs(u);
		return r;
	case IORING_UNREGISTER_FILES: case IORING_REGISTER_ENABLE_RINGS:
		return neg(syscall(SYS_io_uring_register, fd, opc, NULL, 0));
	case IORING_REGISTER_PROBE: {
		unsigned n = op->count < 256 ? op->count : 256;
		struct io_uring_probe *p = calloc(1, sizeof(*p) +
						  n * sizeof(p->ops[0]));

		if (!p)
			fatal("calloc");
		r = neg(syscall(SYS_io_uring_register, fd, opc, p, n));
		free(p);
		return r;
	}
	case IORING_REGISTER_RING_FDS:	/* liburing enters by the index then */
		return io_uring_register_ring_fd(&u->ring);
	case IORING_UNREGISTER_RING_FDS:
		return io_uring_unregister_ring_fd(&u->ring);
	default:
		for (const struct ior_flag *t = ior_uring_register_ops; t->name; t++)
			if (t->value == opc) {
				*skip = SKIP_UNSUPPORTED;
				return 0;
			}
		return neg(syscall(SYS_io_uring_register, fd, opc, NULL, 0));
	}
}

/* A path of the program, relative to the root for an *at call on it. */
static const char *in_root(const char *path)
{
	while (*path == '/')
		path++;
	return *path ? path : ".";
}

/* Whether a request acts on a descriptor or registered file. */
static int uses_fd(const struct prog_op *rq)
{
	switch (rq->kind) {
	case IOR_REPLAY_UR_NOP: case IOR_REPLAY_UR_OPENAT: case IOR_REPLAY_UR_OPENAT2:
		return 0;
	case IOR_REPLAY_UR_CLOSE:
		return rq->fixed < 0;
	case IOR_REPLAY_UR_STATX:	/* on its dirfd only with an empty path */
		return rq->fd >= 0;
	default:
		return 1;
	}
}

/*
 * An SQE for request j on ring u, as captured: its operation on the
 * replay's descriptor, registered file or buffer, its IOSQE_* flags, and
 * its index as user_data. Returns 0, or why it cannot be (enum skip).
 */
static int uring_prep(struct replay_ring *u, struct thread_state *w, uint32_t j)
{
	const struct prog_op *rq = &prog.ops[j];
	struct ring_req *q = &prings.reqs[j];
	struct io_uring_sqe *sqe;
	unsigned sqef = rq->sqe & ~IOSQE_CQE_SKIP_SUCCESS;	/* needs its CQE */
	int fd = -1, pathfd = -1, err = 0, k;
	void *buf;
	size_t n;

	if (rq->kind == IOR_REPLAY_UR_OTHER || (rq->sqe & IOSQE_BUFFER_SELECT))
		return SKIP_UNSUPPORTED;	/* no provided buffers */
	if (uses_fd(rq)) {
		if (rq->fixed >= 0) {
			fd = rq->fixed;
			sqef |= IOSQE_FIXED_FILE;
		} else if ((fd = real_fd(rq->fd)) < 0)
			return SKIP_NOFD;
	}
	if (rq->kind == IOR_REPLAY_UR_STATX && fd < 0) {
		int nofollow = rq->flags & AT_SYMLINK_NOFOLLOW ? O_NOFOLLOW : 0;

		/* Resolved beneath the root; a failure is the request's result. */
		pathfd = ior_root_openat(&root, str(rq->path),
					 O_PATH | O_CLOEXEC | nofollow, 0);
		if (pathfd < 0) {
			err = pathfd;
			pathfd = -1;
		}
	}
	if (!(sqe = io_uring_get_sqe(&u->ring))) {
		/* The ring is smaller than the batch: submit what it holds. */
		if ((k = io_uring_submit(&u->ring)) > 0)
			u->outstanding += k;
		if (!(sqe = io_uring_get_sqe(&u->ring))) {
			if (pathfd >= 0)
				close(pathfd);
			return SKIP_NOFD;
		}
	}
	q->pathfd = pathfd;
	q->err = err;
	q->tab = thread_fds;
	switch (rq->kind) {
	case IOR_REPLAY_UR_READ:
		io_uring_prep_read(sqe, fd, w->rbuf, rq->count, rq->offset);
		break;
	case IOR_REPLAY_UR_WRITE:
		io_uring_prep_write(sqe, fd, wdata, rq->count, rq->offset);
		break;
	case IOR_REPLAY_UR_READV: case IOR_REPLAY_UR_WRITEV:
		if (!(q->iov = calloc(rq->iovcnt, sizeof(*q->iov))))
			fatal("calloc");
		buf = rq->kind == IOR_REPLAY_UR_READV ? w->rbuf : wdata;
		fill_iov(q->iov, rq->iovcnt, buf, rq->count);
		if (rq->kind == IOR_REPLAY_UR_READV)
			io_uring_prep_readv(sqe, fd, q->iov, rq->iovcnt, rq->offset);
		else
			io_uring_prep_writev(sqe, fd, q->iov, rq->iovcnt, rq->offset);
		break;
	case IOR_REPLAY_UR_READ_FIXED: case IOR_REPLAY_UR_WRITE_FIXED:
		/* A buffer never registered: the kernel refuses the index. */
		buf = rq->arg >= 0 && rq->arg < u->nbufs ? u->bufs[rq->arg] : NULL;
		n = buf && rq->count > u->buflens[rq->arg] ?
			u->buflens[rq->arg] : rq->count;
		if (rq->kind == IOR_REPLAY_UR_READ_FIXED)
			io_uring_prep_read_fixed(sqe, fd, buf, n, rq->offset,
						 rq->arg);
		else
			io_uring_prep_write_fixed(sqe, fd, buf, n, rq->offset,
						  rq->arg);
		break;
	case IOR_REPLAY_UR_FSYNC:
		io_uring_prep_fsync(sqe, fd, rq->flags);
		sqe->off = rq->offset;
		sqe->len = rq->len;
		break;
	case IOR_REPLAY_UR_FALLOCATE:
		io_uring_prep_fallocate(sqe, fd, rq->mode, rq->offset, rq->len);
		break;
	case IOR_REPLAY_UR_OPENAT: case IOR_REPLAY_UR_OPENAT2:
		/* openat2 beneath the root, whatever the capture used. */
		q->how = (struct open_how){ .flags = rq->flags,
			.mode = rq->flags & (O_CREAT | __O_TMPFILE) ?
				rq->mode & 07777 : 0,
			.resolve = rq->cmd | RESOLVE_IN_ROOT |
				RESOLVE_NO_MAGICLINKS };
		if (rq->fixed >= 0)
			io_uring_prep_openat2_direct(sqe, root.fd,
				in_root(str(rq->path)), &q->how, rq->fixed);
		else
			io_uring_prep_openat2(sqe, root.fd,
				in_root(str(rq->path)), &q->how);
		sqef &= ~IOSQE_FIXED_FILE;
		break;
	case IOR_REPLAY_UR_CLOSE:
		if (rq->fixed >= 0) {
			io_uring_prep_close_direct(sqe, rq->fixed);
			sqef &= ~IOSQE_FIXED_FILE;
			break;
		}
		io_uring_prep_close(sqe, fd);
		/* The ring closes it: the table forgets it now. */
		forget_fd(rq->fd, rq->num);
		break;
	case IOR_REPLAY_UR_STATX:
		if (q->err) {
			/*
			 * Submitted still, in its batch, as a NOP that fails
			 * with the error (and so breaks a link as the statx
			 * did); the result is the error whatever the NOP's.
			 */
			io_uring_prep_nop(sqe);
			sqe->rw_flags = NOP_INJECT_RESULT;
			sqe->len = q->err;
			break;
		}
		if (!(q->stx = malloc(sizeof(*q->stx))))
			fatal("malloc");
		if (fd >= 0)	/* AT_EMPTY_PATH on a descriptor */
			io_uring_prep_statx(sqe, fd, "", rq->flags, rq->mask, q->stx);
		else
			io_uring_prep_statx(sqe, pathfd, "", AT_EMPTY_PATH |
				(rq->flags & ~AT_SYMLINK_NOFOLLOW), rq->mask,
				q->stx);
		break;
	default:
		io_uring_prep_nop(sqe);
		break;
	}
	io_uring_sqe_set_flags(sqe, sqef);
	io_uring_sqe_set_data64(sqe, j);
	sh->res[j].start = now_ns() - sh->t0;
	return 0;
}

/*
 * Before an io_uring_enter's requests are made: reap, each wait bounded,
 * until they fit in the captured queue depth with those still in flight.
 */
static void uring_make_room(struct replay_ring *u, const struct prog_op *op)
{
	int64_t n = 0;

	for (uint32_t j = op->batch; j != NONE; j = prog.ops[j].batch)
		n++;
	uring_reap(u);
	while (n && u->outstanding > 0 &&
	       u->outstanding + n > (op->depth > n ? op->depth : n) &&
	       uring_wait(u, 1) == 0)
		;
}

/* The SQEs of an io_uring_enter's requests; returns how many. */
static unsigned uring_prep_batch(struct replay_ring *u, struct thread_state *w,
				 const struct prog_op *op)
{
	unsigned n = 0;
	int skip;

	for (uint32_t j = op->batch; j != NONE; j = prog.ops[j].batch) {
		if ((skip = uring_prep(u, w, j)))
			skip_request(j, skip);
		else
			n++;
	}
	return n;
}

/*
 * io_uring_enter: the n requests of its sub, prepared, submitted in one
 * call with the captured min_complete (never more than can come, and
 * bounded in time), then every completion the ring holds is reaped.
 */
static int64_t uring_enter(struct replay_ring *u, const struct prog_op *op, unsigned n)
{
	struct __kernel_timespec ts = { URING_WAIT_NS / 1000000000, 0 };
	struct io_uring_cqe *cqe;
	unsigned want;
	int64_t r;

	/* Refused arguments (unknown flags): refused again, nothing entered. */
	if (op->cret == -EINVAL && !n)
		return neg(syscall(SYS_io_uring_enter, u->ring.ring_fd, 0, 0,
				   op->flags & ~IORING_ENTER_REGISTERED_RING,
				   NULL, 0));
	want = (op->flags & IORING_ENTER_GETEVENTS) ? op->len : 0;
	if (want > u->outstanding + n)
		want = u->outstanding + n;
	/*
	 * An SQPOLL ring's requests have no sub: each was submitted alone at
	 * its place (uring_alone). Its io_uring_enter with to_submit is
	 * issued as captured all the same, after a bounded wait for what it
	 * waited for: on such a ring the kernel returns to_submit, as it did
	 * in the capture (liburing, with nothing to submit, would return 0
	 * and make no call).
	 */
	if ((u->ring.flags & IORING_SETUP_SQPOLL) && !n && op->count) {
		if (want)
			io_uring_wait_cqes(&u->ring, &cqe, want, &ts, NULL);
		r = neg(syscall(SYS_io_uring_enter, u->ring.ring_fd, op->count,
				0, op->flags & IORING_ENTER_SQ_WAKEUP, NULL, 0));
		uring_reap(u);
		return r;
	}
	if (!op->count) {	/* only waits for completions */
		r = want ? io_uring_wait_cqes(&u->ring, &cqe, want, &ts, NULL) :
			neg(syscall(SYS_io_uring_enter, u->ring.ring_fd, 0, 0,
				    op->flags & IORING_ENTER_GETEVENTS, NULL, 0));
		uring_reap(u);
		return r == -ETIME ? 0 : r;
	}
	r = want ? io_uring_submit_and_wait_timeout(&u->ring, &cqe, want, &ts,
						    NULL) :
		io_uring_submit(&u->ring);
	if (r == -ETIME)	/* submitted, then the wait timed out */
		r = n;
	if (r > 0)
		u->outstanding += r;
	uring_reap(u);
	return r;
}

/*
 * A request without sub (an SQPOLL ring's, or one whose enter was not
 * captured): submitted alone at its place, and waited for.
 */
static void uring_alone(struct thread_state *w, uint32_t j)
{
	struct replay_ring *u;
	int skip;

	lock_rings();
	if (!(u = ring_of_num(prog.ops[j].ring)))
		skip = SKIP_NOFD;
	else if (!(skip = uring_prep(u, w, j))) {
		u->outstanding += io_uring_submit(&u->ring) > 0;
		for (uint64_t t = now_ns(); sh->res[j].claim == CL_NONE &&
		     now_ns() - t < URING_WAIT_NS && u->outstanding > 0; )
			uring_wait(u, 1);
	}
	unlock_rings();
	if (skip > 0)
		skip_request(j, skip);
}

/*
 * A thread ends: its requests must not outlive its buffers. Reap what
 * the process's rings hold (bounded); what is still out is in flight.
 */
static void uring_thread_end(uint32_t t)
{
	lock_rings();
	for (uint32_t i = 0; i < prings.nrings; i++)
		uring_drain(prings.rings[i]);
	unlock_rings();
	for (uint32_t i = prog.threads[t].first; i != NONE; i = prog.ops[i].next)
		if (is_uring_request(prog.ops[i].kind))
			settle(i, CL_INFLIGHT, 0, 0);
}

static int64_t fcntl_op(const struct prog_op *op, int fd)
{
	struct flock fl = {
		.l_type = op->ltype, .l_whence = op->whence,
		.l_start = op->offset, .l_len = op->len,
	};

	if (is_lock_cmd(op->cmd))
		return neg(fcntl(fd, op->cmd, &fl));
	if (op->cmd == F_DUPFD || op->cmd == F_DUPFD_CLOEXEC)
		return neg(fcntl(fd, op->cmd, 0));	/* numbers differ */
	return neg(fcntl(fd, op->cmd, op->arg));
}

static void run_thread(uint32_t t);
static void *thread_main(void *arg);

/* Start thread t in this process, sharing the caller's descriptors. */
static void start_thread(uint32_t t)
{
	pthread_attr_t attr;
	pthread_t pt;
	int e;

	thread_states[t].start_table = thread_fds;
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
static int64_t replay_fork(const struct prog_op *op)
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

/* The result of a call issued at t1 that returned r at t2 (ns). */
static void issued(struct op_result *res, uint64_t t1, uint64_t t2, int64_t r)
{
	res->start = t1 - sh->t0;
	res->ret = r;
	res->dur = t2 - t1;
}

/* ---- the calls on paths beneath the root ---- */

static int64_t path_call(struct thread_state *w, const struct prog_op *op, int fd)
{
	const char *path = str(op->path);

	switch (op->kind) {
	case IOR_REPLAY_OPEN:
		return open_in_root(path, op->flags, op->mode);
	case IOR_REPLAY_STAT:
		if (op->byfd) {	/* AT_EMPTY_PATH on a descriptor */
			struct stat st;

			return neg(fstat(fd, &st));
		}
		return on_path(op, w);
	case IOR_REPLAY_STATX:
		if (op->byfd) {
			struct statx stx;

			return neg(statx(fd, "", AT_EMPTY_PATH, op->mask, &stx));
		}
		return on_path(op, w);
	case IOR_REPLAY_CHOWN:
		if (op->byfd)
			return neg(fchownat(fd, "", op->uid, op->gid, AT_EMPTY_PATH));
		return on_path(op, w);
	case IOR_REPLAY_UTIMES:
		if (op->byfd)	/* futimens */
			return neg(futimens(fd, times_of(op)));
		return on_path(op, w);
	case IOR_REPLAY_LINK:
		if (op->byfd)	/* AT_EMPTY_PATH: link the open file */
			return link_fd(fd, op);
		return on_path(op, w);
	case IOR_REPLAY_TRUNCATE:
		return truncate_in_root(path, op->offset);
	case IOR_REPLAY_CHDIR:
		return chdir_in_root(path);
	case IOR_REPLAY_IORFD:
		return ior_fd_open(op);
	default:
		return on_path(op, w);
	}
}

/*
 * A call on a path (or two) beneath the root, or, with an empty path and
 * AT_EMPTY_PATH, on the descriptor its dirfd names (op->byfd).
 */
static int issue_on_path(struct thread_state *w, const struct prog_op *op,
			 struct op_result *res)
{
	int fd = -1;
	uint64_t t1, t2;
	int64_t r;

	if (op->byfd && (fd = real_fd(op->fd)) < 0)
		return SKIP_NOFD;
	/* An empty path names nothing (the root helpers would take the root). */
	if (!op->path && !op->byfd) {
		res->start = now_ns() - sh->t0;
		res->ret = -ENOENT;
		res->dur = 0;
		return 0;
	}
	t1 = now_ns();
	r = path_call(w, op, fd);
	t2 = now_ns();
	issued(res, t1, t2, r);
	if (op->kind == IOR_REPLAY_OPEN)
		bind_new(op->cret >= 0 ? op->fd : -1, op->num, r,
			 !!(op->flags & O_CLOEXEC));
	else if (op->kind == IOR_REPLAY_NAME_TO_HANDLE && r == 0)
		handle_keep(op, &w->hb);
	return 0;
}

/* ---- the calls on descriptors ---- */

/* dup2 and dup3: the numbers differ in the replay, so a dup does. */
static int64_t dup_to(const struct prog_op *op, int fd)
{
	int three = op->kind == IOR_REPLAY_DUP3;

	if (op->num == op->num2)	/* dup2 checks it, dup3 refuses it */
		return three ? neg(dup3(fd, fd, op->flags)) : neg(dup2(fd, fd));
	if (three && (op->flags & O_CLOEXEC))
		return neg(fcntl(fd, F_DUPFD_CLOEXEC, 0));
	return neg(dup(fd));
}

/* The calls that read, write or sync data, and the rest on a descriptor. */
static int64_t fd_call(struct thread_state *w, const struct prog_op *op, int fd)
{
	const char *v;
	size_t vlen;

	switch (op->kind) {
	case IOR_REPLAY_READ:
		return neg(read(fd, w->rbuf, op->count));
	case IOR_REPLAY_WRITE:
		return neg(write(fd, wdata, op->count));
	case IOR_REPLAY_PREAD:
		return neg(pread(fd, w->rbuf, op->count, op->offset));
	case IOR_REPLAY_PWRITE:
		return neg(pwrite(fd, wdata, op->count, op->offset));
	case IOR_REPLAY_READV:
		return neg(readv(fd, w->iov, op->iovcnt));
	case IOR_REPLAY_WRITEV:
		return neg(writev(fd, w->iov, op->iovcnt));
	case IOR_REPLAY_PREADV:
		return neg(preadv(fd, w->iov, op->iovcnt, op->offset));
	case IOR_REPLAY_PWRITEV:
		return neg(pwritev(fd, w->iov, op->iovcnt, op->offset));
	case IOR_REPLAY_LSEEK:
		return neg(lseek(fd, op->offset, op->whence));
	case IOR_REPLAY_CLOSE:
		return ring_close(fd) ? 0 : neg(close(fd));
	case IOR_REPLAY_FSYNC:
		return neg(fsync(fd));
	case IOR_REPLAY_FDATASYNC:
		return neg(fdatasync(fd));
	case IOR_REPLAY_SYNCFS:
		return neg(syncfs(fd));
	case IOR_REPLAY_SYNC_FILE_RANGE:
		return neg(sync_file_range(fd, op->offset, op->len, op->flags));
	case IOR_REPLAY_SYNC:
		sync();
		return 0;
	case IOR_REPLAY_FSTAT: {
		struct stat st;

		return neg(fstat(fd, &st));
	}
	case IOR_REPLAY_FSTATFS: {
		struct statfs sfs;

		return neg(fstatfs(fd, &sfs));
	}
	case IOR_REPLAY_FTRUNCATE:
		return neg(ftruncate(fd, op->offset));
	case IOR_REPLAY_FALLOCATE:
		return neg(fallocate(fd, op->flags, op->offset, op->len));
	case IOR_REPLAY_FADVISE:	/* returns the error, not -1 */
		return -posix_fadvise(fd, op->offset, op->len, op->arg);
	case IOR_REPLAY_READAHEAD:
		return neg(readahead(fd, op->offset, op->count));
	case IOR_REPLAY_GETDENTS:
		return neg(getdents64(fd, w->rbuf, op->count));
	case IOR_REPLAY_FCHDIR:
		return fchdir_check(fd);
	case IOR_REPLAY_FCHMOD:
		return neg(fchmod(fd, op->mode));
	case IOR_REPLAY_FCHOWN:
		return neg(fchown(fd, op->uid, op->gid));
	case IOR_REPLAY_FSETXATTR:
		v = xattr_value(op, &vlen);
		return neg(fsetxattr(fd, str(op->name), v, vlen, op->flags));
	case IOR_REPLAY_FGETXATTR:
		return neg(fgetxattr(fd, str(op->name), w->rbuf, op->count));
	case IOR_REPLAY_FLISTXATTR:
		return neg(flistxattr(fd, w->rbuf, op->count));
	case IOR_REPLAY_FREMOVEXATTR:
		return neg(fremovexattr(fd, str(op->name)));
	case IOR_REPLAY_FCNTL:
		return fcntl_op(op, fd);
	case IOR_REPLAY_FLOCK:
		return neg(flock(fd, op->arg));
	case IOR_REPLAY_DUP:
		return neg(dup(fd));
	case IOR_REPLAY_DUP2: case IOR_REPLAY_DUP3:
		return dup_to(op, fd);
	case IOR_REPLAY_CLOSE_RANGE:
		close_numbers(op);
		return 0;
	case IOR_REPLAY_UNSHARE: {
		/* Only what concerns files; namespaces are not replayed. */
		int64_t r = neg(unshare(op->flags & CLONE_FS));

		if (r == 0 && (op->flags & CLONE_FILES))
			unshare_files();
		return r;
	}
	case IOR_REPLAY_MEMFD: {
		const char *path = str(op->path), *name = strrchr(path, '/');

		return neg(memfd_create(name ? name + 1 : path, op->flags));
	}
	case IOR_REPLAY_GETCWD:
		return neg(syscall(SYS_getcwd, w->rbuf, op->count));
	default:	/* not a kind of issue_on_fd */
		return -ENOSYS;
	}
}

/* Keep the descriptor table as the capture's was, after call r. */
static void fd_called(const struct prog_op *op, int64_t r)
{
	switch (op->kind) {
	case IOR_REPLAY_MEMFD:
		bind_new(op->cret >= 0 ? op->fd : -1, op->num, r,
			 !!(op->flags & MFD_CLOEXEC));
		break;
	case IOR_REPLAY_DUP:
		bind_new(op->cret >= 0 ? op->fd2 : -1, op->num2, r, 0);
		break;
	case IOR_REPLAY_DUP2: case IOR_REPLAY_DUP3:
		if (op->num != op->num2) {
			if (op->cret >= 0)
				displace(op->num2);
			bind_new(op->cret >= 0 ? op->fd2 : -1, op->num2, r,
				 !!(op->flags & O_CLOEXEC) &&
				 op->kind == IOR_REPLAY_DUP3);
		}
		break;
	case IOR_REPLAY_FCNTL:
		if (op->cmd == F_DUPFD || op->cmd == F_DUPFD_CLOEXEC)
			bind_new(op->cret >= 0 ? op->fd2 : -1, op->num2, r,
				 op->cmd == F_DUPFD_CLOEXEC);
		else if (op->cmd == F_SETFD && r == 0)
			thread_fds->cloexec[op->fd] = op->arg & FD_CLOEXEC;
		break;
	case IOR_REPLAY_CLOSE:		/* the descriptor is gone even on error */
		forget_fd(op->fd, op->num);
		break;
	default:
		break;
	}
}

/*
 * A call on the descriptor op->fd (or on none: sync, getcwd, memfd_create,
 * unshare, close_range).
 */
static int issue_on_fd(struct thread_state *w, const struct prog_op *op,
		       struct op_result *res)
{
	int fd = -1;
	uint64_t t1, t2;
	int64_t r;

	if (op->byfd && (fd = real_fd(op->fd)) < 0)
		return SKIP_NOFD;
	if (op->kind == IOR_REPLAY_READV || op->kind == IOR_REPLAY_PREADV)
		fill_iov(w->iov, op->iovcnt, w->rbuf, op->count);
	else if (op->kind == IOR_REPLAY_WRITEV || op->kind == IOR_REPLAY_PWRITEV)
		fill_iov(w->iov, op->iovcnt, wdata, op->count);
	t1 = now_ns();
	r = fd_call(w, op, fd);
	t2 = now_ns();
	issued(res, t1, t2, r);
	fd_called(op, r);
	return 0;
}

/*
 * A copy from op->fd to op->fd2, either of which the replay may not have
 * (the capture's pipe or socket): then the other side's I/O alone.
 */
static int issue_copy(struct thread_state *w, const struct prog_op *op,
		      struct op_result *res)
{
	int splicing = op->kind == IOR_REPLAY_SPLICE;
	int src = real_fd(op->fd), dst = real_fd(op->fd2);
	uint64_t t1, t2;
	int64_t r;

	/* A side the capture knew must be open; one must be known. */
	if ((op->fd >= 0 && src < 0) || (op->fd2 >= 0 && dst < 0) ||
	    (src < 0 && dst < 0))
		return SKIP_NOFD;
	if (splicing && (src < 0 || dst < 0))
		need_pipe(w);
	if (splicing && src < 0) {	/* what the pipe held */
		size_t n = op->count < w->pipesz ? op->count : w->pipesz;

		if (n && write(w->pipe[1], wdata, n) != (ssize_t)n)
			fatal("write to pipe");
		w->piped = n;
	}
	t1 = now_ns();
	r = copy_fds(op->kind, op, w, src, dst);
	t2 = now_ns();
	issued(res, t1, t2, r);
	if (splicing)
		drain_pipe(w);
	return 0;
}

/* ---- the calls on mappings and handles ---- */

static int issue_on_map(struct thread_state *w, const struct prog_op *op,
			struct op_result *res)
{
	int fd = -1;
	uint64_t t1, t2;
	int64_t r;

	if (op->byfd && (fd = real_fd(op->fd)) < 0)
		return SKIP_NOFD;
	if (op->kind == IOR_REPLAY_OPEN_BY_HANDLE)
		handle_find(w, op);
	else if (op->kind != IOR_REPLAY_MMAP) {	/* on a captured range */
		int known;

		lock_maps();
		known = maps_cover(op->addr, page_end(op->addr, op->len));
		unlock_maps();
		if (!known)
			return SKIP_NOMAP;
	}
	t1 = now_ns();
	if (op->kind == IOR_REPLAY_OPEN_BY_HANDLE)
		r = neg(open_by_handle_at(rootdir, &w->hb.fh, op->flags));
	else if (op->kind == IOR_REPLAY_MMAP) {
		void *p = mmap(NULL, op->len, op->arg,
			       op->flags & ~(MAP_FIXED | MAP_FIXED_NOREPLACE),
			       fd, op->offset);

		r = p == MAP_FAILED ? -errno : (int64_t)(uintptr_t)p;
	} else {
		lock_maps();
		r = on_maps(op->kind, op->addr, page_end(op->addr, op->len), op);
		unlock_maps();
	}
	t2 = now_ns();
	issued(res, t1, t2, r);
	if (op->kind == IOR_REPLAY_OPEN_BY_HANDLE)
		bind_new(op->cret >= 0 ? op->fd : -1, op->num, r,
			 !!(op->flags & O_CLOEXEC));
	else if (op->kind == IOR_REPLAY_MMAP)
		map_done(op, r);
	return 0;
}

/* ---- the AIO calls ---- */

/*
 * io_setup: a captured EINVAL fails again as io_setup refuses a context
 * id that is not 0 (nr_events 0 fails by itself); a context the capture
 * did not make is not kept.
 */
static int64_t aio_setup(const struct prog_op *op)
{
	aio_context_t made = op->cret == -EINVAL;
	int64_t r = neg(syscall(SYS_io_setup, (unsigned)op->len, &made));

	if (r == 0 && op->cret >= 0 && op->addr)
		ctx_bind(op->addr, made);
	else if (r == 0)
		syscall(SYS_io_destroy, made);
	return r;
}

/* io_getevents and io_pgetevents, on the replay's context ctx. */
static int64_t aio_getevents(struct thread_state *w, const struct prog_op *op,
			     aio_context_t ctx)
{
	/* The mask the capture passed is not known: the thread's own. */
	sigset_t set;
	struct { const sigset_t *set; size_t size; } sig = { &set, _NSIG / 8 };
	struct timespec wait;
	long min_nr, nr;

	min_nr = ctx_min_nr(op->addr, op, &nr);
	if (op->kind == IOR_REPLAY_IO_GETEVENTS)
		return neg(syscall(SYS_io_getevents, ctx, min_nr, nr, w->events,
				   wait_bound(op, &wait)));
	if (op->mask)
		pthread_sigmask(SIG_BLOCK, NULL, &set);
	return neg(syscall(SYS_io_pgetevents, ctx, min_nr, nr, w->events,
			   wait_bound(op, &wait), op->mask ? &sig : NULL));
}

static int issue_aio(struct thread_state *w, const struct prog_op *op,
		     struct op_result *res)
{
	aio_context_t ctx = 0;
	struct iocb none;
	struct io_event ev;
	uint64_t t1, t2;
	int64_t r;

	/* A context never set up in the replay is as a descriptor never opened. */
	if (op->kind != IOR_REPLAY_IO_SETUP && !ctx_find(op->addr, &ctx)) {
		for (uint32_t j = op->kind == IOR_REPLAY_IO_SUBMIT ? op->batch :
		     NONE; j != NONE; j = prog.ops[j].batch)
			skip_request(j, SKIP_NOFD);
		return SKIP_NOFD;
	}
	if (op->kind == IOR_REPLAY_IO_SUBMIT) {
		aio_prepare(w, op);
		aio_submitting(w, op->addr);
	}
	/* An iocb the replay never submitted: the kernel refuses it. */
	memset(&none, 0, sizeof(none));
	t1 = now_ns();
	switch (op->kind) {
	case IOR_REPLAY_IO_SETUP:
		r = aio_setup(op);
		break;
	case IOR_REPLAY_IO_DESTROY:
		r = neg(syscall(SYS_io_destroy, ctx));
		break;
	case IOR_REPLAY_IO_SUBMIT:
		r = aio_submit(w, op, ctx);
		break;
	case IOR_REPLAY_IO_CANCEL:
		r = neg(syscall(SYS_io_cancel, ctx, op->target != NONE ?
				&paio.slots[op->target].cb : &none, &ev));
		break;
	default:
		r = aio_getevents(w, op, ctx);
		break;
	}
	t2 = now_ns();
	issued(res, t1, t2, r);
	if (op->kind == IOR_REPLAY_IO_DESTROY && r == 0)
		ctx_destroyed(op->addr);
	else if (op->kind == IOR_REPLAY_IO_SUBMIT)
		aio_unaccepted(w, op->addr, r);
	else if (op->kind == IOR_REPLAY_IO_GETEVENTS ||
		 op->kind == IOR_REPLAY_IO_PGETEVENTS)
		aio_reap(op->addr, w->events, r, t2 - sh->t0);
	return 0;
}

/* ---- the io_uring calls ---- */

/*
 * io_uring_setup, io_uring_enter with the requests of its sub, and
 * io_uring_register. A ring never set up in the replay is as a descriptor
 * never opened; a call that failed on a descriptor that is no ring
 * (EOPNOTSUPP) is issued on the replay's descriptor, to fail again.
 */
static int issue_uring(struct thread_state *w, const struct prog_op *op,
		       struct op_result *res)
{
	struct replay_ring *u = NULL;
	unsigned nsqe = 0;
	int fd = -1, skip = 0;
	uint64_t t1, t2;
	int64_t r;

	if (op->kind != IOR_REPLAY_URING_SETUP) {
		lock_rings();	/* held until the call is done */
		if (!(u = ring_find(real_fd(op->fd), 1))) {
			unlock_rings();
			for (uint32_t j = op->batch; j != NONE; j = prog.ops[j].batch)
				skip_request(j, SKIP_NOFD);
			if (op->cret >= 0 || real_fd(op->fd) < 0)
				return SKIP_NOFD;
		} else if (op->kind == IOR_REPLAY_URING_ENTER) {
			uring_make_room(u, op);
			nsqe = uring_prep_batch(u, w, op);
		}
	}
	if (op->byfd && (fd = real_fd(op->fd)) < 0)
		return SKIP_NOFD;
	t1 = now_ns();
	if (op->kind == IOR_REPLAY_URING_SETUP)
		r = uring_setup(op);
	else if (op->kind == IOR_REPLAY_URING_ENTER)
		r = u ? uring_enter(u, op, nsqe) :
			neg(syscall(SYS_io_uring_enter, fd, 0, 0, 0, NULL, 0));
	else
		r = u ? uring_register(u, op, &skip) :
			neg(syscall(SYS_io_uring_register, fd,
				    op->cmd & ~REGISTER_USE_RING, NULL, 0));
	t2 = now_ns();
	if (u)
		unlock_rings();
	if (skip)
		return skip;
	issued(res, t1, t2, r);
	/* The ring's descriptor is close-on-exec. */
	if (op->kind == IOR_REPLAY_URING_SETUP && r >= 0 && op->fd >= 0) {
		bind_fd(op->fd, r, 1);
		bind_num(op->num, op->fd);
	} else if (op->kind == IOR_REPLAY_URING_SETUP && r >= 0)
		ring_close(r);
	return 0;
}

/* ---- the records of processes ---- */

/* sched:fork, sched:exec, and the forks whose task sched:fork made. */
static int issue_task(struct thread_state *w, const struct prog_op *op,
		      struct op_result *res)
{
	uint64_t t1, t2;
	int64_t r = 0;

	(void)w;
	t1 = now_ns();
	if (op->kind == IOR_REPLAY_FORK)
		r = replay_fork(op);
	else if (op->kind == IOR_REPLAY_EXEC) {
		close_on_exec();
		unmap_all();
	}
	t2 = now_ns();
	issued(res, t1, t2, r);
	return 0;
}

/* ---- one op: its kind's handler ---- */

typedef int issue_fn(struct thread_state *w, const struct prog_op *op,
		     struct op_result *res);

/*
 * The handler of each kind (the replay column of the table). Requests of
 * AIO and io_uring have none: their io_submit or io_uring_enter issues
 * them.
 */
static issue_fn *const handler_of[] = {
	[IOR_REPLAY_NOOP] = issue_task, [IOR_REPLAY_FORK] = issue_task,
	[IOR_REPLAY_EXEC] = issue_task,
	/* on paths beneath the root */
	[IOR_REPLAY_OPEN] = issue_on_path, [IOR_REPLAY_STAT] = issue_on_path,
	[IOR_REPLAY_STATX] = issue_on_path, [IOR_REPLAY_ACCESS] = issue_on_path,
	[IOR_REPLAY_CHMOD] = issue_on_path, [IOR_REPLAY_CHOWN] = issue_on_path,
	[IOR_REPLAY_UTIMES] = issue_on_path, [IOR_REPLAY_MKDIR] = issue_on_path,
	[IOR_REPLAY_RMDIR] = issue_on_path, [IOR_REPLAY_UNLINK] = issue_on_path,
	[IOR_REPLAY_RENAME] = issue_on_path, [IOR_REPLAY_LINK] = issue_on_path,
	[IOR_REPLAY_SYMLINK] = issue_on_path,
	[IOR_REPLAY_READLINK] = issue_on_path,
	[IOR_REPLAY_MKNOD] = issue_on_path,
	[IOR_REPLAY_SETXATTR] = issue_on_path,
	[IOR_REPLAY_GETXATTR] = issue_on_path,
	[IOR_REPLAY_LISTXATTR] = issue_on_path,
	[IOR_REPLAY_REMOVEXATTR] = issue_on_path,
	[IOR_REPLAY_STATFS] = issue_on_path,
	[IOR_REPLAY_NAME_TO_HANDLE] = issue_on_path,
	[IOR_REPLAY_TRUNCATE] = issue_on_path,
	[IOR_REPLAY_CHDIR] = issue_on_path, [IOR_REPLAY_IORFD] = issue_on_path,
	/* on descriptors */
	[IOR_REPLAY_CLOSE] = issue_on_fd, [IOR_REPLAY_READ] = issue_on_fd,
	[IOR_REPLAY_WRITE] = issue_on_fd, [IOR_REPLAY_PREAD] = issue_on_fd,
	[IOR_REPLAY_PWRITE] = issue_on_fd, [IOR_REPLAY_READV] = issue_on_fd,
	[IOR_REPLAY_WRITEV] = issue_on_fd, [IOR_REPLAY_PREADV] = issue_on_fd,
	[IOR_REPLAY_PWRITEV] = issue_on_fd, [IOR_REPLAY_LSEEK] = issue_on_fd,
	[IOR_REPLAY_FSYNC] = issue_on_fd, [IOR_REPLAY_FDATASYNC] = issue_on_fd,
	[IOR_REPLAY_FSTAT] = issue_on_fd, [IOR_REPLAY_FTRUNCATE] = issue_on_fd,
	[IOR_REPLAY_FCHDIR] = issue_on_fd, [IOR_REPLAY_DUP] = issue_on_fd,
	[IOR_REPLAY_DUP2] = issue_on_fd, [IOR_REPLAY_DUP3] = issue_on_fd,
	[IOR_REPLAY_FCHMOD] = issue_on_fd, [IOR_REPLAY_FCHOWN] = issue_on_fd,
	[IOR_REPLAY_FSETXATTR] = issue_on_fd,
	[IOR_REPLAY_FGETXATTR] = issue_on_fd,
	[IOR_REPLAY_FLISTXATTR] = issue_on_fd,
	[IOR_REPLAY_FREMOVEXATTR] = issue_on_fd,
	[IOR_REPLAY_FSTATFS] = issue_on_fd,
	[IOR_REPLAY_CLOSE_RANGE] = issue_on_fd, [IOR_REPLAY_FCNTL] = issue_on_fd,
	[IOR_REPLAY_FLOCK] = issue_on_fd, [IOR_REPLAY_FALLOCATE] = issue_on_fd,
	[IOR_REPLAY_FADVISE] = issue_on_fd, [IOR_REPLAY_READAHEAD] = issue_on_fd,
	[IOR_REPLAY_SYNC] = issue_on_fd, [IOR_REPLAY_SYNCFS] = issue_on_fd,
	[IOR_REPLAY_SYNC_FILE_RANGE] = issue_on_fd,
	[IOR_REPLAY_GETDENTS] = issue_on_fd, [IOR_REPLAY_GETCWD] = issue_on_fd,
	[IOR_REPLAY_MEMFD] = issue_on_fd, [IOR_REPLAY_UNSHARE] = issue_on_fd,
	[IOR_REPLAY_COPY_FILE_RANGE] = issue_copy,
	[IOR_REPLAY_SENDFILE] = issue_copy, [IOR_REPLAY_SPLICE] = issue_copy,
	/* on mappings and handles */
	[IOR_REPLAY_MMAP] = issue_on_map, [IOR_REPLAY_MUNMAP] = issue_on_map,
	[IOR_REPLAY_MSYNC] = issue_on_map, [IOR_REPLAY_MADVISE] = issue_on_map,
	[IOR_REPLAY_OPEN_BY_HANDLE] = issue_on_map,
	/* AIO and io_uring */
	[IOR_REPLAY_IO_SETUP] = issue_aio, [IOR_REPLAY_IO_DESTROY] = issue_aio,
	[IOR_REPLAY_IO_SUBMIT] = issue_aio,
	[IOR_REPLAY_IO_GETEVENTS] = issue_aio,
	[IOR_REPLAY_IO_PGETEVENTS] = issue_aio,
	[IOR_REPLAY_IO_CANCEL] = issue_aio,
	[IOR_REPLAY_URING_SETUP] = issue_uring,
	[IOR_REPLAY_URING_ENTER] = issue_uring,
	[IOR_REPLAY_URING_REGISTER] = issue_uring,
	[IOR_REPLAY_UR_OTHER] = NULL,
};

/*
 * Issue one op: the call's own time is measured, not the set-up. Returns
 * 0, or why the op cannot be issued (enum skip).
 */
static int issue_op(struct thread_state *w, const struct prog_op *op,
		    struct op_result *res)
{
	issue_fn *issue = handler_of[op->kind];

	if (op->unsafe)
		return SKIP_UNSAFE;
	return issue ? issue(w, op, res) : SKIP_UNSUPPORTED;
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

/*
 * A forked process does not inherit the page table entries of the shared
 * result slots: the first write to each page faults, once in 100 ops,
 * inside the measured loop. As fast as possible, map the thread's slots
 * before its first op instead. Not when timed:
 * mapping all the slots between its first and last op could make its
 * first op late, where a fault now and then costs nothing. Failure (a
 * kernel before 5.14) only leaves the faults.
 */
static void prefault_results(const struct prog_thread *th)
{
	uintptr_t pg = sysconf(_SC_PAGESIZE);
	uintptr_t from, to;

	if (opt.timed || th->first == NONE)
		return;
	from = (uintptr_t)&sh->res[th->first] & ~(pg - 1);
	to = (uintptr_t)&sh->res[th->last + 1];
	madvise((void *)from, to - from, MADV_POPULATE_WRITE);
}

/* Run the ops of thread t in order, each after what it must follow. */
static void run_thread(uint32_t t)
{
	const struct prog_thread *th = &prog.threads[t];
	struct thread_state *w = &thread_states[t];
	int skip;

	w->rbuf = map_buf(th->maxread);
	w->pipe[0] = w->pipe[1] = w->null = -1;

	if (th->maxiov && !(w->iov = calloc(th->maxiov, sizeof(*w->iov))))
		fatal("calloc");
	if (th->maxbatch &&
	    !(w->iocbp = calloc(th->maxbatch, sizeof(*w->iocbp))))
		fatal("calloc");
	if (th->maxevents &&
	    !(w->events = calloc(th->maxevents, sizeof(*w->events))))
		fatal("calloc");
	prefault_results(th);
	for (uint32_t i = th->first; i != NONE; i = prog.ops[i].next) {
		struct op_result *res = &sh->res[i];
		uint32_t next = prog.ops[i].next;

		/*
		 * Start loading the next op (its first 64 bytes) and its
		 * result slot, each on at most two cache lines, while this
		 * one runs: without it each op of a fast replay began with
		 * cache misses on both. (Here, not in a function of its own:
		 * GCC 12 drops a call that only prefetches.)
		 */
		if (next != NONE) {
			__builtin_prefetch(&prog.ops[next]);
			__builtin_prefetch(&prog.ops[next].path2);
			__builtin_prefetch(&sh->res[next], 1);
			__builtin_prefetch(&sh->res[next].claim, 1);
		}

		/*
		 * A request is issued by its io_submit and settled by whatever
		 * replayed call reaps it, which need not be the one that reaped
		 * it in the capture: its record issues nothing and waits for
		 * nothing.
		 */
		if (is_aio_request(prog.ops[i].kind))
			continue;
		/* So is an io_uring request, unless it has no io_uring_enter. */
		if (is_uring_request(prog.ops[i].kind) && prog.ops[i].target != NONE)
			continue;

		if (prog.ops[i].after)
			wait_done(prog.ops[i].after - 1);
		if (prog.ops[i].after2)
			wait_done(prog.ops[i].after2 - 1);
		/* Late when what it waited for was: then at once. */
		if (opt.timed)
			wait_due(due(i));
		if (is_uring_request(prog.ops[i].kind))
			uring_alone(w, i);
		else if ((skip = issue_op(w, &prog.ops[i], res))) {
			res->start = now_ns() - sh->t0;
			res->skip = skip;
			finish(i, ST_SKIPPED);
		} else
			finish(i, ST_DONE);
	}
	if (prog.nuring)
		uring_thread_end(t);
	if (w->rbuf)
		munmap(w->rbuf, th->maxread);
	free(w->iov);
	/*
	 * Requests nothing reaped are still in flight as the thread ends.
	 * (Without any, a walk of all its ops again is time for nothing.)
	 */
	for (uint32_t i = prog.naio ? th->first : NONE; i != NONE; i = prog.ops[i].next)
		if (is_aio_request(prog.ops[i].kind))
			settle(i, CL_INFLIGHT, 0, 0);
	free(w->iocbp);
	free(w->events);
	if (w->pipe[0] >= 0) {
		close(w->pipe[0]);
		close(w->pipe[1]);
		close(w->null);
	}
}

static void *thread_main(void *arg)
{
	uint32_t t = (uintptr_t)arg;

	thread_fds = thread_states[t].start_table;
	run_thread(t);
	return NULL;
}

/* An initial process: its first thread runs here, the others beside it. */
static void run_initial(uint32_t first)
{
	if (!(thread_fds = fdtab_copy(NULL)))
		fatal("malloc");
	for (uint32_t t = prog.threads[first].next_initial; t != NONE;
	     t = prog.threads[t].next_initial)
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

	if (!prog.maxwrite)
		return;
	wdata = map_buf((prog.maxwrite + 7) & ~7ull);
	p = (uint64_t *)wdata;
	for (uint64_t i = 0; i < (prog.maxwrite + 7) / 8; i++) {
		x ^= x >> 12;
		x ^= x << 25;
		x ^= x >> 27;
		p[i] = x * 0x2545f4914f6cdd1dull;
	}
}

static void setup(void)
{
	size_t size = sizeof(*sh) + (size_t)prog.nops * sizeof(sh->res[0]);
	struct rlimit rl;

	sh = mmap(NULL, size, PROT_READ | PROT_WRITE,
		  MAP_SHARED | MAP_ANONYMOUS | MAP_POPULATE, -1, 0);
	if (sh == MAP_FAILED)
		ior_err(IOR_EXIT_SYS, "mmap %zu bytes", size);
	if (!(thread_states = calloc(prog.nthreads ? prog.nthreads : 1, sizeof(*thread_states))))
		ior_err(IOR_EXIT_SYS, "calloc");
	/*
	 * open_by_handle_at needs a mount descriptor that is not O_PATH;
	 * without one (an unreadable root) it fails with EBADF.
	 */
	rootdir = ior_root_openat(&root, "/", O_RDONLY | O_DIRECTORY | O_CLOEXEC, 0);
	pthread_atfork(lock_maps, unlock_maps, unlock_maps);
	pthread_atfork(lock_aio, unlock_aio, unlock_aio);
	pthread_atfork(lock_rings, unlock_rings, reset_rings_lock);
	make_wdata();
	if (prog.naio) {
		paio.slots = mmap(NULL, (size_t)prog.nops * sizeof(*paio.slots),
			     PROT_READ | PROT_WRITE,
			     MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
		if (paio.slots == MAP_FAILED)
			ior_err(IOR_EXIT_SYS, "mmap");
	}
	if (prog.nuring) {
		prings.reqs = mmap(NULL, (size_t)prog.nops * sizeof(*prings.reqs),
			     PROT_READ | PROT_WRITE,
			     MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
		if (prings.reqs == MAP_FAILED)
			ior_err(IOR_EXIT_SYS, "mmap");
	}
	/* A replay may hold as many files open as the system allows. */
	if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur < rl.rlim_max) {
		rl.rlim_cur = rl.rlim_max;
		setrlimit(RLIMIT_NOFILE, &rl);
	}
	/* Orphaned replay processes are reaped here, so all are waited for. */
	if (prctl(PR_SET_CHILD_SUBREAPER, 1) < 0)
		ior_err(IOR_EXIT_SYS, "prctl");
	/* Sleeps end when asked, not up to 50 us later (inherited). */
	if (opt.timed && prctl(PR_SET_TIMERSLACK, 1) < 0)
		ior_err(IOR_EXIT_SYS, "prctl");
}

static uint32_t count_done(void)
{
	uint32_t n = 0;

	for (uint32_t i = 0; i < prog.nops; i++)
		n += __atomic_load_n(&sh->res[i].state, __ATOMIC_RELAXED) >= ST_DONE;
	return n;
}

/*
 * Fork the initial processes and wait for every replay process; TIME 0 is
 * lead ns from now. Returns the ns from TIME 0 to the end.
 */
static uint64_t replay(uint64_t lead)
{
	const struct timespec second = { 1, 0 };
	sigset_t chld, old;
	int failed = 0, st;
	uint64_t end;
	pid_t pid;

	/* SIGCHLD is taken with sigtimedwait: progress between exits. */
	sigemptyset(&chld);
	sigaddset(&chld, SIGCHLD);
	sigprocmask(SIG_BLOCK, &chld, &old);
	sh->t0 = now_ns() + lead;
	for (uint32_t i = 0; i < prog.ninitial; i++) {
		pid = fork();
		if (pid < 0) {
			ior_warn("fork");
			abort_all();
			failed = 1;
			break;
		}
		if (pid == 0) {
			sigprocmask(SIG_SETMASK, &old, NULL);
			run_initial(prog.initial[i]);
		}
	}
	for (;;) {
		pid = waitpid(-1, &st, WNOHANG);
		if (pid < 0)
			break;
		if (pid == 0) {
			if (sigtimedwait(&chld, NULL, &second) < 0 &&
			    errno == EAGAIN && opt.verbose)
				ior_warnx("%u of %u ops done", count_done(), prog.nops);
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
	end = now_ns();
	return end > sh->t0 ? end - sh->t0 : 0;	/* no ops: before TIME 0 */
}

/* ---- the result stream ---- */

static int mismatched(const struct prog_op *op, int64_t ret)
{
	if ((ret < 0) != (op->cret < 0))
		return 1;
	if (ret < 0 || !op->anyret)
		return ret != op->cret;
	return 0;
}

/*
 * Timed mode: how late op i was issued, in ns after its deadline. The
 * requests of an io_submit or io_uring_enter go with it: theirs is its
 * lateness. An AIO request that no io_submit names has none (returns 0).
 * *own: the op is one its thread issued at its own place.
 */
static int late_of(uint32_t i, int64_t *late, int *own)
{
	const struct prog_op *op = &prog.ops[i];
	uint32_t at = i;

	if (is_aio_request(op->kind) ||
	    (is_uring_request(op->kind) && op->target != NONE)) {
		if (op->target == NONE)
			return 0;
		at = op->target;
	}
	*own = at == i;
	*late = (int64_t)(sh->res[at].start - due(at));
	return 1;
}

static int by_value(const void *a, const void *b)
{
	int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;

	return (x > y) - (x < y);
}

/* The nearest-rank percentile p of the n sorted values v. */
static int64_t percentile(const int64_t *v, uint32_t n, unsigned p)
{
	uint64_t rank = ((uint64_t)n * p + 99) / 100;

	return n ? v[rank ? rank - 1 : 0] : 0;
}

static void write_results(uint64_t wall_ns, uint64_t start)
{
	struct ior_out out;
	uint64_t errors = 0, mism = 0, skipped = 0;
	int64_t *lates = NULL, late;
	uint32_t nlates = 0;
	int own;

	if (opt.timed && prog.nops && !(lates = malloc((size_t)prog.nops * sizeof(*lates))))
		ior_err(IOR_EXIT_SYS, "malloc");

	ior_out_init(&out, STDOUT_FILENO, NULL);
	ior_put_magic(&out, IOR_KIND_RESULT);
	ior_put(&out, prog.meta, prog.meta_len);
	ior_puts(&out, "#meta ior-replay");
	ior_put_kv_esc(&out, "root", opt.dir);
	ior_puts(&out, " start=");
	ior_put_time(&out, start);
	if (opt.timed)
		ior_printf(&out, " speed=%g", opt.speed);
	ior_putc(&out, '\n');
	for (uint32_t i = 0; i < prog.nops; i++) {
		const struct prog_op *op = &prog.ops[i];
		const struct op_result *res = &sh->res[i];
		int skip = res->state == ST_SKIPPED;

		ior_put_time(&out, res->start);
		ior_putc(&out, ' ');
		ior_put_i64(&out, op->pid);
		ior_putc(&out, ' ');
		ior_put_i64(&out, op->tid);
		ior_putc(&out, ' ');
		ior_puts(&out, str(op->comm));
		ior_putc(&out, ' ');
		ior_puts(&out, op->kind == IOR_REPLAY_UR_OTHER ? str(op->name) :
			 ior_calls[op->row].name);
		ior_putc(&out, ' ');
		ior_put_i64(&out, skip ? 0 : res->ret);
		ior_putc(&out, ' ');
		ior_put_u64(&out, skip ? 0 : res->dur);
		ior_putc(&out, ' ');
		ior_put(&out, str(op->text), op->textlen);
		ior_put_kv_i64(&out, "cret", op->cret);
		ior_put_kv_i64(&out, "cdur", op->cdur);
		if (opt.timed && late_of(i, &late, &own)) {
			ior_put_kv_i64(&out, "late", late);
			if (own)
				lates[nlates++] = late;
		}
		if (op->cinflight)
			ior_puts(&out, " cinflight=1");
		if (res->claim == CL_INFLIGHT)
			ior_puts(&out, " inflight=1");
		if (skip) {
			ior_puts(&out, " skip=");
			ior_puts(&out, skip_names[res->skip]);
			skipped++;
		} else {
			errors += res->ret < 0;
			mism += mismatched(op, res->ret);
		}
		ior_putc(&out, '\n');
	}
	ior_printf(&out, "#stat ior-replay ops=%u errors=%llu mismatched=%llu skipped=%llu uring_flags_dropped=%u wall_ns=%llu",
		   prog.nops, (unsigned long long)errors, (unsigned long long)mism,
		   (unsigned long long)skipped, sh->uring_dropped,
		   (unsigned long long)wall_ns);
	if (opt.timed) {
		if (nlates)
			qsort(lates, nlates, sizeof(*lates), by_value);
		ior_printf(&out, " late_p50=%lld late_p99=%lld late_max=%lld",
			   (long long)percentile(lates, nlates, 50),
			   (long long)percentile(lates, nlates, 99),
			   (long long)(nlates ? lates[nlates - 1] : 0));
	}
	ior_putc(&out, '\n');
	ior_out_close(&out);
	if (opt.verbose)
		ior_warnx("%u ops in %.3f s: %llu errors, %llu mismatched, %llu skipped",
			  prog.nops, wall_ns / 1e9, (unsigned long long)errors,
			  (unsigned long long)mism, (unsigned long long)skipped);
	if (opt.verbose && opt.timed)
		ior_warnx("late: p50 %.1f us, p99 %.1f us, max %.1f us",
			  percentile(lates, nlates, 50) / 1e3,
			  percentile(lates, nlates, 99) / 1e3,
			  (nlates ? lates[nlates - 1] : 0) / 1e3);
	free(lates);
}

static void usage(FILE *f, int code)
{
	fprintf(f, "usage: %s -C DIR [-nTv] [-s FACTOR] [FILE]\n",
		ior_progname());
	exit(code);
}

/* The command line, into opt; a bad one exits with usage. */
static void parse_options(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "directory", required_argument, NULL, 'C' },
		{ "dry-run", no_argument, NULL, 'n' },
		{ "speed", required_argument, NULL, 's' },
		{ "timed", no_argument, NULL, 'T' },
		{ "verbose", no_argument, NULL, 'v' },
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, 'V' },
		{ NULL, 0, NULL, 0 },
	};
	char *end;
	int c;

	while ((c = getopt_long(argc, argv, "C:ns:Tvh", longopts, NULL)) != -1) {
		switch (c) {
		case 'C':
			opt.dir = optarg;
			break;
		case 'n':
			opt.dry = 1;
			break;
		case 's':
			opt.speed = strtod(optarg, &end);
			if (end == optarg || *end || !(opt.speed > 0 && isfinite(opt.speed))) {
				ior_warnx("bad speed: %s (a positive number)", optarg);
				usage(stderr, IOR_EXIT_USAGE);
			}
			opt.timed = 1;
			break;
		case 'T':
			opt.timed = 1;
			break;
		case 'v':
			opt.verbose = 1;
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
	if (!opt.dir || !*opt.dir || argc - optind > 1) {
		if (!opt.dir || !*opt.dir)
			ior_warnx("-C DIR is required");
		usage(stderr, IOR_EXIT_USAGE);
	}
	opt.file = optind < argc ? argv[optind] : NULL;
}

int main(int argc, char **argv)
{
	struct timespec wall;
	uint64_t lead = 0, wall_ns;
	int e;

	ior_setprogname(argv[0]);
	parse_options(argc, argv);
	if ((e = ior_root_open(&root, opt.dir, 0)) < 0)
		ior_errx(IOR_EXIT_SYS, "%s: %s (run ior-init first)", opt.dir,
			 strerror(-e));

	/* All of the program is checked before any of it runs. */
	load_program(opt.file);
	if (opt.verbose)
		ior_warnx("%u ops, %u threads, %u initial processes", prog.nops,
			  prog.nthreads, prog.ninitial);
	if (opt.dry)
		goto out;

	setup();
	/* Timed: TIME 0 once the initial processes have had time to start. */
	if (opt.timed)
		lead = START_LEAD + (uint64_t)prog.ninitial * FORK_LEAD;
	clock_gettime(CLOCK_REALTIME, &wall);
	wall_ns = replay(lead);
	write_results(wall_ns, wall.tv_sec * 1000000000ull + wall.tv_nsec + lead);
out:
	ior_root_close(&root);
	return IOR_EXIT_OK;
}
