/*
 * program.h - the replay program as ior-replay holds it: its operations
 * and threads. The master reads and checks all of it (load.c) before
 * anything runs. A program without AIO or io_uring requests is then
 * streamed (window.h): its ops are spooled to a temporary file and
 * brought into a window of slots as the replay goes, op i in slot
 * i & prog.wmask. So is one with AIO or io_uring requests, its window
 * made to hold what ties each request to its calls (window.h). One
 * whose ties no window holds is held whole: its window is the whole
 * program, inherited by every replay process as it is forked.
 */
#ifndef REPLAY_PROGRAM_H
#define REPLAY_PROGRAM_H

#include <fcntl.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include "ior.h"

#define NONE UINT32_MAX
#define ID_MAX (1 << 22)	/* largest virtual pid or tid accepted */
#define FD_MAX (1 << 20)	/* largest captured descriptor bound */
#define FILES_SKIP (-3)	/* fds=-2, kept: a slot an update leaves as it is */
#define VFD_MAX (1 << 28)	/* largest vfd accepted */
#define IOV_LIMIT (1 << 20)	/* largest iovcnt accepted */
#define IOV_KERNEL 1024		/* UIO_MAXIOV: the kernel takes no more */
#define REGBUF_MAX (1ull << 30)	/* most bytes of buffers registered at once */
#define RW_MAX 0x7ffff000ull	/* the kernel moves no more in one call */
/*
 * The largest buffer a call reads into or writes from. A read or write
 * of more (issue_rw) is issued in calls of this many bytes; a request or
 * any other call with a buffer gets one of this size.
 */
#define BUF_MAX (16ull << 20)
/* The bytes an anonymous file of an ior:fd is written in at a time. */
#define ANON_CHUNK (1ull << 20)
#define EVENTS_MAX (1 << 16)	/* most AIO events reaped in one call */

/*
 * One operation. Strings live in the arena. The fields the replay of the
 * common calls reads come first, in the 64 bytes run_thread prefetches.
 */
struct prog_op {
	uint8_t kind;		/* enum ior_replay: how it is issued */
	uint8_t byfd;		/* acts on the descriptor fd */
	uint8_t never;		/* never issued: why (enum skip); 0: it is */
	uint8_t waited;		/* some op has after= it */
	uint32_t after, after2;	/* index + 1 of the ops to wait for; 0: none;
				   after2 AFTER_LIST | i: the ops of
				   prog.afters[i] on */
	uint32_t next;		/* next op of the same thread, or NONE */
	int32_t fd, fd2;	/* vfds: the descriptor used, dup's new one,
				   renumbered (below); -1: none */
	int32_t num, num2;	/* their captured numbers, renumbered; -1 */
	int64_t offset;		/* offset, ior:fd offset, truncate size */
	uint64_t count;		/* io_getevents with HAS_REAP: the requests
				   of the program it reaped in the capture */
	size_t path, path2;	/* unescaped; 0 is the empty string */
	/* the 64 bytes run_thread prefetches end here */
	uint64_t ctime;		/* captured TIME */
	int64_t cret;		/* captured RET */
	int64_t seq, pid, tid;	/* tid, pid: virtual ids, for the result */
	uint64_t cdur;		/* captured DUR */
	int64_t offset2;	/* destination offset of copies */
	int64_t len;		/* len of ranges; close_range: maxfd;
				   ior:fd with O_TMPFILE: its size */
	uint64_t flags;		/* the call's flags= (table by call) */
	uint64_t addr;		/* munmap, msync, madvise: captured address;
				   io_* and aio:*: the captured context */
	int64_t arg;		/* fcntl's arg; a lock op, an advice, a prot;
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
				   io_uring_enter, or the request that
				   submits its SQPOLL batch; io_cancel: the
				   request it cancels; NONE: none */
	uint32_t depth;		/* io_uring_enter, and the first request
				   of an SQPOLL batch: the requests in
				   flight in the capture as it submitted
				   (its queue depth); 0: none */
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
	uint8_t alone;		/* aio:*, uring:*: ALONE_* */
	uint16_t row;		/* its CALL's row of the table */
	uint32_t late;		/* aio:*: index + 1 of the io_getevents or
				   io_pgetevents that reaped it, when that
				   one comes first (its io_submit returned
				   after the reap did); 0: none. Those
				   calls: how many of their requests do */
	uint32_t thread;	/* its thread's index */
	uint32_t prev;		/* the op before it of the same thread, or
				   NONE: what a streamed thread finds its
				   next op by (window.h) */
	uint32_t reach;		/* io_submit: its last request, which the
				   window must hold before it runs; NONE */
};
_Static_assert(offsetof(struct prog_op, path2) + sizeof(size_t) == 64,
	       "run_thread prefetches the first 64 bytes of an op");
_Static_assert(IOR_REPLAY_UR_OTHER <= UINT8_MAX && IOR_NCALLS <= UINT16_MAX,
	       "an op's kind and row fit");

/* op.opt: optional arguments that were given. */
enum { HAS_OFF = 1, HAS_OFF2 = 2, HAS_TIMES = 4, HAS_REAP = 8 };

/*
 * An after= of more than two ops: after names the first, after2 is
 * AFTER_LIST | s, and the arena at s holds, as uint32_t (unaligned),
 * how many more, then each (index + 1): the list travels with its op's
 * strings. Ops, and arena offsets, are fewer than AFTER_LIST.
 */
#define AFTER_LIST 0x80000000u
#define AFTER_MAX 1024		/* ops one after= may name */

/*
 * op.alone: a request issued at its own place in its thread, not by its
 * io_submit or io_uring_enter: the first of an SQPOLL thread's batch,
 * which submits the batch (the others, by batch, its target), or one
 * whose submitting call is not in the program (skip=orphan).
 */
enum { ALONE_NO, ALONE_LEAD, ALONE_ORPHAN };

struct prog_thread {
	int64_t vtid, vpid;
	uint32_t first, last;	/* its ops, linked by op.next (and, as
				   they are loaded, by op.prev) */
	uint32_t next_initial;	/* next initial thread of the same process */
	uint32_t maxiov;	/* iovecs of a call or of an io_submit */
	uint32_t maxbatch;	/* requests of its largest io_submit */
	uint32_t maxevents;	/* events of its largest io_getevents */
	uint64_t maxread;	/* read buffer it needs, at most BUF_MAX */
	size_t comm;		/* last COMM seen, to share arena copies */
	int forked;		/* announced by a sched:fork */
};

/*
 * A file of the starting tree, as its init:file (or, path2 not NULL, an
 * init:link to path2) says: what limits.c starts from. Its own copies of
 * the names: the tree is held whole (it is live state: ior-init makes
 * all of it), the ops' strings are not.
 */
struct tree_file {
	char *path, *path2;
	uint64_t size;
};

/*
 * The program: made by the master as it loads, only read from then on,
 * by every replay process (each inherits it as it is forked). Streamed,
 * ops and arena are the window's shared slots, which the master fills
 * as the replay goes (window.h).
 */
struct program {
	struct prog_op *ops;	/* op i at ops[i & wmask] */
	uint32_t nops;
	uint32_t wmask;		/* the window's slots - 1 (a power of 2 - 1) */
	uint32_t wshift;	/* log2 of its slots */
	int streamed;		/* loaded into the window as the replay goes */
	uint32_t span;		/* the most ops between ops tied together
				   (window.h): what the window must cover */
	struct prog_thread *threads;
	uint32_t nthreads;
	uint32_t *initial;	/* first thread of each initial process */
	uint32_t ninitial;
	char *arena;		/* the ops' strings (str()) */
	size_t arena_len;
	char *meta;		/* input metadata lines, passed through */
	size_t meta_len;
	uint64_t maxwrite;	/* the most bytes a call writes, at most BUF_MAX */
	/*
	 * Vfds and captured descriptor numbers are renumbered as they are
	 * loaded, 0, 1, 2 ... in order of first appearance, so that the
	 * tables indexed by them (fdtab.h) are as large as the program has
	 * distinct ones, whatever their values. fdnum[n] is the captured
	 * number n stands for (close_range's ranges are of those).
	 */
	int32_t maxfd;		/* largest renumbered descriptor number */
	int32_t maxvfd;		/* largest renumbered vfd */
	int32_t *fdnum;
	uint32_t naio;		/* aio:* requests */
	uint32_t nuring;	/* uring:* requests */
	uint32_t setid_stripped;	/* modes without their setuid and
					   setgid bits (guard_op) */
	uint32_t xattrs_refused;	/* security.* and trusted.* setxattr
					   calls not issued */
	uint64_t ctime0;	/* the earliest captured TIME */
	struct tree_file *tree;	/* until check_limits (limits.h) */
	uint32_t ntree;
};
extern struct program prog;

/* A string of the program: an offset into its arena (0: ""). */
static inline const char *str(size_t off)
{
	return prog.arena + off;
}

/* Op i, in its slot of the window (loaded, and not written yet). */
static inline struct prog_op *op_at(uint32_t i)
{
	return &prog.ops[i & prog.wmask];
}

/*
 * An AIO or io_uring request: issued by its io_submit or io_uring_enter,
 * not at its own place (enum ior_replay keeps each kind of request
 * together).
 */
static inline int is_aio_request(unsigned kind)
{
	return kind >= IOR_REPLAY_AIO_PREAD && kind <= IOR_REPLAY_AIO_NOOP;
}

static inline int is_uring_request(unsigned kind)
{
	return kind >= IOR_REPLAY_UR_NOP && kind <= IOR_REPLAY_UR_OTHER;
}

/*
 * The iovecs a call of iovcnt needs the replay to fill: none when the
 * kernel takes no more than IOV_KERNEL, since it refuses such a call
 * (EINVAL) before it reads one.
 */
static inline uint32_t iov_room(uint32_t iovcnt)
{
	return iovcnt > IOV_KERNEL ? 0 : iovcnt;
}

/* read, write and their positioned and vector kinds: issued in parts. */
static inline int is_rw(unsigned kind)
{
	return kind >= IOR_REPLAY_READ && kind <= IOR_REPLAY_PWRITEV;
}

/*
 * Read and check the whole program at path (NULL: standard input) into
 * prog; a malformed one exits with a message naming line and key.
 */
void load_program(const char *path);

#endif
