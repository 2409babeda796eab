/*
 * load.h - what the two halves of loading share: load.c reads the calls
 * and their arguments, load-async.c the AIO and io_uring records and what
 * ties them together. All of it is the master's, and only while it loads.
 */
#ifndef REPLAY_LOAD_H
#define REPLAY_LOAD_H

#include <stdint.h>
#include <time.h>

#include "ior.h"
#include "program.h"
#include "window.h"

/*
 * AIO and io_uring requests are tied to their io_submit or io_uring_enter
 * by sub=, an io_cancel to the request it names by context and iocb
 * address, and an AIO request to the io_getevents that reaped it by
 * reap= (counted): links from (a, b) to an op, found by an ior_hashmap,
 * used while loading only. Links are made in blocks, one malloc for many;
 * spooled, one whose requests all came is let go (link_done), to be made
 * again: the links follow what is in flight, not the program's length.
 *
 * Nor does a link that nothing completes stay: a request whose
 * io_uring_enter is not in the program, a call some of whose requests
 * ior-gen dropped, an iocb address never used again. A record more than
 * LINK_REACH ops after the first that named its sub or reap, or after
 * the last that named its iocb, is not tied to it (a request is then
 * issued by no call: skip=orphan): no window could hold both (window.h).
 * Each link counts its reach from at; every LINK_SWEEP ops the links
 * out of reach are let go (links_expire), so the loader holds the links
 * of the last LINK_REACH + LINK_SWEEP ops at most. SQPOLL batches have
 * a reach of their own (BATCH_REACH).
 */
#define LINK_REACH (WINDOW_MAX / SPAN_ROOM - 1)
#define LINK_SWEEP (1u << 20)
#define UNSEEN (NONE - 1)	/* requests name a sub not seen yet */
struct sub_link {
	uint64_t a, b;
	uint32_t at;		/* the op its reach counts from */
	uint32_t op;		/* UNSEEN: not seen yet */
	uint32_t head, tail;	/* the first and last request of its batch */
	uint32_t count;		/* a reap: the requests that name it */
	/*
	 * An AIO program is spooled as it loads (window.h): what the
	 * requests that come later need of the op, which is in the spool,
	 * and where to patch it and its last request (spool_patch).
	 */
	uint64_t off, tail_off;	/* op's and tail's spool offsets */
	int64_t tid;		/* op's thread, and its kind */
	uint8_t kind;
	uint32_t late;		/* a reap: the requests that name it after
				   it (op.late) */
	uint32_t first;		/* a reap: the first request naming it */
	uint32_t nreq;		/* an io_submit: its requests, and */
	uint64_t iov;		/* their iovecs */
	int64_t seq;		/* its seq, for messages */
	int64_t cret;		/* op's RET: spooled, the link is let go
				   once as many requests named it */
	struct sub_link *next_free;	/* let go: the next let go */
	/*
	 * Streamed, an io_uring_enter's or SQPOLL batch's requests so far,
	 * in submission order (load-uring.c); those of an io_uring_enter
	 * not seen yet, not tied yet.
	 */
	struct ur_member *mem;
	size_t memcap;
	uint32_t nmem;
};
/* A request of an io_uring_enter or SQPOLL batch, as the loader keeps it. */
struct ur_member {
	uint64_t ctime, end;	/* submitted, completed (UINT64_MAX: not) */
	uint64_t off;		/* its spool offset */
	int64_t pid, tid;
	uint32_t op;
	int32_t ring;
};
#define LINK_BLOCK 256
struct link_block {
	struct link_block *next;
	struct sub_link link[LINK_BLOCK];
};
struct sub_links {
	struct ior_hashmap map;		/* hash of (a, b) -> its link */
	struct link_block *blocks;	/* the newest first */
	unsigned used;			/* links made of blocks->link */
	struct sub_link *free;		/* let go, to be made again */
};

/*
 * The master's while it loads the program; freed before the replay. The
 * maps are keyed by what the program says (ids, numbers), valued by an
 * index + 1: their memory follows how many there are, not their values.
 */
struct loader {
	size_t ops_cap, threads_cap, arena_cap, meta_cap, fdnum_cap, tree_cap;
	struct ior_hashmap thread_of;	/* vtid -> thread index + 1 */
	struct ior_hashmap vfds;	/* vfd -> renumbered + 1 */
	struct ior_hashmap nums;	/* descriptor number -> renumbered + 1 */
	int64_t last_tid, last_vfd, last_fd;	/* the last looked up (vfd
						   and fd + 1; 0: none) */
	uint32_t last_tid_is;			/* and what each was */
	int32_t last_vfd_is, last_fd_is;
	struct sub_links subs;	/* sub -> io_submit or io_uring_enter */
	struct sub_links reaps;	/* reap -> its io_getevents, once seen,
				   and how many requests name it */
	/*
	 * Spooled, (context, iocb) -> the last AIO request made with them,
	 * of the latest io_submit (head), and the last io_cancel naming
	 * them (tail, tail_off), whose request is that of io_submit count - 1.
	 */
	struct sub_links iocbs;
	uint64_t op_off;	/* spooled: the op being loaded's offset */
	/*
	 * Spooling (window.h): each op, once read, goes to the spool with
	 * its strings (the arena holds only its own); scratch is the op.
	 * Ties no window covers have the whole program held in memory
	 * (unspool), once all is read; so does IOR_REPLAY_HOLD, from the
	 * first io_uring record.
	 */
	int spool;
	struct prog_op scratch;
	/*
	 * The most ops between a request and what it is tied to: its
	 * io_submit or io_uring_enter (or SQPOLL lead), the reap it names
	 * (window.h).
	 */
	uint32_t span;
	/*
	 * io_uring: held whole from the start (IOR_REPLAY_HOLD, for tests:
	 * the passes over all of the program, link_uring and find_depths);
	 * else its ties and queue depths made as records come
	 * (load-uring.c), which, when its requests came too far out of
	 * their submission order for the sweep of depths, says so here.
	 */
	int hold;
	int uring_disorder;
	int64_t last_seq;
	/*
	 * Where each seq is: runs of ops numbered seq, seq + 1 ... from
	 * index; a new run where a seq skips some. As many as the gaps.
	 */
	struct seq_run { int64_t seq; uint32_t index; } *runs;
	size_t nruns, runs_cap;
};
extern struct loader ld;

/* Keep n bytes of s (and a NUL) in the arena; returns their offset. */
size_t arena_add(const char *s, size_t n);

/*
 * The keys the loader reads. A record's are found in one pass
 * (ior_keys_values) as it is loaded, not looked up one at a time.
 */
#define LOAD_KEYS(X) \
	X(seq) X(after) X(fd) X(vfd) X(fd2) X(vfd2) X(dirfd) X(path) \
	X(path2) X(name) X(value) X(flags) X(mask) X(amode) X(mode) X(uid) \
	X(gid) X(atime) X(mtime) X(whence) X(offset) X(offset2) X(size) \
	X(len) X(addr) X(count) X(iovcnt) X(advice) X(op) X(prot) X(cmd) \
	X(arg) X(ltype) X(maxfd) X(child) X(cpid) X(inflight) X(nr) X(ctx) \
	X(sub) X(iocb) X(min_nr) X(timeout) X(sigmask) X(entries) X(sq) \
	X(cq) X(to_submit) X(min_complete) X(opcode) X(fds) X(vfds) X(lens) \
	X(ring) X(fixed) X(sqe_flags) X(buf) X(datasync) X(resolve) X(slot) \
	X(fmode) X(umask) X(hint) X(batch) X(setup) X(files) \
	X(reap)
enum load_key {
#define LOAD_KEY(k) K_##k,
	LOAD_KEYS(LOAD_KEY)
#undef LOAD_KEY
	NKEYS
};
extern const char *const key_name[NKEYS];

/* A record being loaded, and the values of its keys. */
struct args {
	const struct ior_in *in;
	const struct ior_rec *r;
	const char *val[NKEYS];		/* by K_*: NULL when absent */
};

/*
 * Key k through lib's parsers. A key the call must have is refused by
 * ior_need() when absent; an optional one (opt_*) has a default.
 */
static inline const char *arg_need(const struct args *a, int k)
{
	return a->val[k] ? a->val[k] : ior_need(a->in, a->r, key_name[k]);
}

static inline int64_t arg_int(const struct args *a, int k)
{
	return ior_int(a->in, key_name[k], arg_need(a, k));
}

static inline uint64_t arg_uint(const struct args *a, int k)
{
	return ior_uint(a->in, key_name[k], arg_need(a, k));
}

static inline uint64_t arg_hex(const struct args *a, int k)
{
	return ior_hex(a->in, key_name[k], arg_need(a, k));
}

static inline int64_t opt_int(const struct args *a, int k, int64_t dflt)
{
	return a->val[k] ? ior_int(a->in, key_name[k], a->val[k]) : dflt;
}

/*
 * Flags: an empty value ("flags="), as a replay program may have, is 0,
 * as an absent one is (ior_flags() would refuse it).
 */
static inline uint64_t opt_flags(const struct args *a, int k,
				 const struct ior_flag *t)
{
	const char *v = a->val[k];

	return ior_flags(a->in, key_name[k], v && *v ? v : NULL, t);
}

static inline uint64_t arg_flags(const struct args *a, int k,
				 const struct ior_flag *t)
{
	arg_need(a, k);
	return opt_flags(a, k, t);
}

/*
 * The keys ior-replay reads its own way, each checked: a malformed one
 * exits through ior_bad() naming the line and key.
 */
int32_t fd_of(const struct args *a, int k);
int32_t vfd_of(const struct args *a, int k);
/* A captured number (0..FD_MAX-1) or vfd (0..VFD_MAX-1), renumbered. */
int32_t fd_renumber(int64_t fd);
int32_t vfd_renumber(int64_t vfd);
/* The thread of virtual tid vtid: its index in prog.threads. */
uint32_t thread_index(int64_t vtid);
size_t path_of(const struct args *a, int k);
struct timespec time_of(const struct args *a, int k);

/*
 * The AIO calls' keys; op is the op of index prog.nops, of thread th:
 * spooled, ld.scratch, and the ops it ties to are patched in the spool
 * (ld.op_off, sub_link.off); held whole, prog.ops[prog.nops].
 */
void parse_aio(const struct args *a, struct prog_op *op,
	       struct prog_thread *th);
/*
 * io_uring_setup, io_uring_enter, io_uring_register and ior:fixed: their
 * keys; and the ior:fd of a ring set up before capture, made a setup.
 */
void parse_uring_call(const struct args *a, struct prog_op *op);
void parse_ring_fd(const struct args *a, struct prog_op *op);
/* A uring:* request's keys; op is prog.ops[prog.nops]. */
void parse_uring(const struct args *a, struct prog_op *op);
/* The link of (a, b) in t; a new one if make, else NULL (load-async.c). */
struct sub_link *link_get(struct sub_links *t, uint64_t a, uint64_t b,
			  int make);
/* Let link l of t go: no record can name it any more. */
void link_release(struct sub_links *t, struct sub_link *l);
/* Let go the links out of reach (LINK_REACH): every LINK_SWEEP ops. */
void links_expire(void);
/*
 * Streamed (load-uring.c): request op, of sub= sub (or batch= sub),
 * joins its io_uring_enter or SQPOLL batch at its place in submission
 * order; an io_uring_enter of sub= takes the requests of sub that came
 * before it, in their order; once all is loaded, uring_spooled settles
 * the subs no io_uring_enter had, and ends the sweep of queue depths.
 */
/*
 * Requests held back from the sweep of queue depths, in TIME order: a
 * request may come after this many others submitted after it and still
 * be swept in its place (load-uring.c).
 */
#define UR_REORDER 16384u
/*
 * No count says when the last request of an SQPOLL batch came (an
 * io_uring_enter's RET does): one that comes more than BATCH_REACH ops
 * after the batch's first leads a batch of its own, streamed or held
 * whole. So the loader keeps the batches of the last BATCH_REACH ops,
 * not all of the program's, and their ties stay within what a window of
 * WINDOW_OPS covers (window.h).
 */
#define BATCH_REACH (WINDOW_OPS / SPAN_ROOM - 1)

/* Whether the op being loaded is past the reach of a batch led by head. */
static inline int batch_out_of_reach(uint32_t head)
{
	return prog.nops - head > BATCH_REACH;
}
void uring_join(const struct args *a, struct prog_op *op, uint64_t sub,
		int batch);
void uring_enter_takes(struct sub_link *l, struct prog_op *op, int64_t tid);
/* Streamed: the requests of l, whose io_uring_enter never came, orphans. */
void uring_orphans(const struct sub_link *l);
void uring_spooled(void);
/* An AIO program spooled: the window, and the loader's links, freed. */
void aio_spooled(void);
/* Once every op is loaded: the ties between calls and requests. */
void link_uring(void);
void find_depths(void);
void link_aio(void);

#endif
