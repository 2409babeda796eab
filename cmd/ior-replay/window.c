/*
 * window.c - streaming the program (window.h): the spool the loader
 * writes, the window's slots the master fills from it as the replay
 * goes, and the waits of the threads that run them.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <limits.h>
#include <linux/futex.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#include "ior.h"
#include "order.h"
#include "program.h"
#include "results.h"
#include "shared.h"
#include "spawn.h"
#include "spool.h"
#include "uring.h"
#include "window.h"

/* ---- the spool ---- */

/*
 * Three files, each read in order, for what reads it when. An op's
 * strings are those its loading added to the arena after offset 0,
 * COMM and the key=value text last (load.c): the ones before (paths,
 * names, values, an after= list) are the run's, the two last only the
 * result line's. So the run loads the ops, records of one size that the
 * master reads straight into their slots, many in one read, and the
 * run's strings, 0 bytes for the common calls; the text is read with
 * the rest once the run ended (window_scan). Loading all of each op and
 * its strings, 370 bytes, through a buffer, was most of what the master
 * did while 4 threads read one file on 2 CPUs, taken from them.
 */
static struct spool sp_ops = { .fd = -1 }, sp_str = { .fd = -1 },
	sp_text = { .fd = -1 };

void spool_open(void)
{
	spool_file_open(&sp_ops, "program");
	spool_file_open(&sp_str, "program's strings");
	spool_file_open(&sp_text, "program's text");
}

/* Bytes of op's strings before its COMM: the run's (op as spooled). */
static uint32_t run_strings(const struct prog_op *op)
{
	if (op->comm < 1 || op->comm - 1 > BLOB_MAX)
		ior_errx(IOR_EXIT_SYS, "the spooled program is damaged");
	return op->comm - 1;
}

void spool_put(const struct prog_op *op, const char *blob, uint32_t len)
{
	uint32_t run;

	if (len > BLOB_MAX)	/* a line cannot hold more */
		ior_errx(IOR_EXIT_SYS, "seq=%lld: %u bytes of strings",
			 (long long)op->seq, len);
	/* COMM, then the text with its NUL, end the strings (load.c). */
	if (op->comm < 1 || op->text < op->comm ||
	    op->text + op->textlen != len)
		ior_errx(IOR_EXIT_SYS, "seq=%lld: strings out of order",
			 (long long)op->seq);
	run = run_strings(op);
	spool_file_write(&sp_ops, op, sizeof(*op));
	spool_file_write(&sp_str, blob, run);
	spool_file_write(&sp_text, blob + run, len - run);
}

uint64_t spool_op_offset(void)
{
	return spool_file_tell(&sp_ops);
}

void spool_patch(uint64_t off, size_t field, const void *p, size_t n)
{
	spool_file_patch(&sp_ops, off + field, p, n);
}

void spool_peek(uint64_t off, size_t field, void *p, size_t n)
{
	spool_file_peek(&sp_ops, off + field, p, n);
}

void spool_rewind(void)
{
	spool_file_rewind(&sp_ops);
	spool_file_rewind(&sp_str);
	spool_file_rewind(&sp_text);
}

int spool_get(struct prog_op *op, char *blob, uint32_t *len)
{
	uint32_t run;

	if (!spool_file_read(&sp_ops, op, sizeof(*op), 1))
		return 0;
	run = run_strings(op);
	if (op->text < op->comm || op->text + (uint64_t)op->textlen > BLOB_MAX)
		ior_errx(IOR_EXIT_SYS, "the spooled program is damaged");
	*len = op->text + op->textlen;
	spool_file_read(&sp_str, blob, run, 0);
	spool_file_read(&sp_text, blob + run, *len - run, 0);
	return 1;
}

void spool_close(void)
{
	spool_file_close(&sp_ops);
	spool_file_close(&sp_str);
	spool_file_close(&sp_text);
}

void op_rebase(struct prog_op *op, size_t delta)
{
	size_t *f[] = { &op->path, &op->path2, &op->comm, &op->text,
			&op->name, &op->value };

	for (size_t k = 0; k < sizeof(f) / sizeof(*f); k++)
		if (*f[k])
			*f[k] += delta;
	if (op->after2 & AFTER_LIST)
		op->after2 = AFTER_LIST | ((op->after2 & ~AFTER_LIST) + delta);
}

/* ---- the window: the master's side ---- */

static struct window {
	uint32_t asked;		/* IOR_REPLAY_WINDOW */
	uint32_t slots;		/* W */
	uint32_t loaded, written;	/* the master's own counts */
	char *arena;		/* 1 + asize bytes, shared; [0] is "" */
	uint64_t asize;
	uint64_t ahead, atail;	/* bytes of the arena ever taken, freed */
	uint64_t *aend;		/* by slot: ahead once its op's strings were
				   taken (freed with the op) */
	uint32_t *tail;		/* shared, by thread: its newest op loaded */
	/*
	 * Shared, by slot: its op's prev. A thread that caught up with the
	 * master finds its next op by walking back from its newest
	 * (window_next), over every op of it the master loaded since: here
	 * 4 bytes a step, in its slot's op a cache line (thousands of
	 * steps, 0.3 ms, each time a thread reading one file of 4 caught
	 * up with the master).
	 */
	uint32_t *prevs;
	/* ops of the spool read into their slots from loaded on, not
	   loaded yet (their strings not read, nor they linked) */
	uint32_t unloaded;
	int blocked;		/* the next's strings wait for arena room */
} win;

/*
 * IOR_REPLAY_WINDOW=N: the window's slots (rounded up to a power of 2).
 * For tests, which make it tiny to replay programs much longer than it.
 */
void window_option(void)
{
	const char *v = getenv("IOR_REPLAY_WINDOW");
	unsigned long long n;
	char *end;

	win.asked = WINDOW_OPS;
	if (!v || !*v)
		return;
	errno = 0;
	n = strtoull(v, &end, 10);
	if (*end || errno || n < WINDOW_MIN || n > WINDOW_MAX) {
		ior_warnx("IOR_REPLAY_WINDOW: \"%.40s\": expected %u to %u ops",
			  v, WINDOW_MIN, WINDOW_MAX);
		exit(IOR_EXIT_USAGE);
	}
	for (win.asked = WINDOW_MIN; win.asked < n; win.asked <<= 1)
		;
}

int window_covers(uint32_t span)
{
	return (uint64_t)SPAN_ROOM * (span + 1ull) <= WINDOW_MAX;
}

void window_plan(void)
{
	uint32_t w = 1, shift = 0, most = prog.streamed ? win.asked :
		UINT32_MAX;

	/* room for the ties of AIO requests (window.h) */
	while (most < SPAN_ROOM * (prog.span + 1ull) && most < WINDOW_MAX)
		most <<= 1;

	while (w < prog.nops && w < most) {
		w <<= 1;
		shift++;
	}
	prog.wmask = w - 1;
	prog.wshift = shift;
	win.slots = w;
}

void window_scan(void (*fn)(const struct prog_op *op))
{
	char *scratch = ior_xmalloc(BLOB_MAX + 1), *arena = prog.arena;
	struct prog_op op;
	uint32_t len;

	scratch[0] = 0;
	prog.arena = scratch;
	spool_rewind();
	while (spool_get(&op, scratch + 1, &len))
		fn(&op);
	prog.arena = arena;
	free(scratch);
}

static void *shared_zeroed(size_t size)
{
	void *p = mmap(NULL, size ? size : 1, PROT_READ | PROT_WRITE,
		       MAP_SHARED | MAP_ANONYMOUS, -1, 0);

	if (p == MAP_FAILED)
		ior_err(IOR_EXIT_SYS, "mmap %zu bytes", size);
	return p;
}

void window_make(void)
{
	sh->want = NONE;
	if (!prog.streamed) {	/* all of it in memory, loaded */
		sh->loaded = win.loaded = prog.nops;
		return;
	}
	free(prog.arena);
	win.asize = (uint64_t)win.slots * ARENA_PER_OP;
	if (win.asize < 4 * BLOB_MAX)
		win.asize = 4 * BLOB_MAX;
	prog.ops = shared_zeroed((size_t)win.slots * sizeof(*prog.ops));
	prog.arena = win.arena = shared_zeroed(win.asize + 1);
	prog.arena_len = win.asize + 1;
	win.tail = shared_zeroed(prog.nthreads * sizeof(*win.tail));
	memset(win.tail, 0xff, prog.nthreads * sizeof(*win.tail));	/* NONE */
	win.prevs = shared_zeroed((size_t)win.slots * sizeof(*win.prevs));
	win.aend = ior_xcalloc(win.slots, sizeof(*win.aend));
	spool_rewind();
}

void window_in_child(void)
{
	spool_file_drop(&sp_ops);
	spool_file_drop(&sp_str);
	spool_file_drop(&sp_text);
	results_in_child();
}

uint32_t window_written(void)
{
	return win.written;
}

uint32_t window_loaded(void)
{
	return win.loaded;
}

int window_full(void)
{
	return prog.streamed && win.loaded < prog.nops &&
		win.loaded > win.written &&
		(win.loaded - win.written == win.slots || win.blocked);
}

/*
 * The op of a thread's chain, walked back through op.prev from its op
 * k, that comes right after its op i; the walk stops sooner at an op
 * below floor (let go: its slot may be another op's by now), or one the
 * thread has none before. The ops walked are in their slots: loaded, and
 * from floor on.
 */
static uint32_t chain_after(uint32_t k, uint32_t i, uint32_t floor)
{
	uint32_t p;

	while ((p = win.prevs[k & prog.wmask]) != NONE && p > i && p >= floor)
		k = p;
	return k;
}

/*
 * The first op of thread t after i still in its slot; NONE: none loaded.
 * The watchdog asks after the op a thread issued last, and the requests
 * that follow it in its thread may have been reaped and let go since, their
 * slots taken by ops further on: the walk back from the thread's newest
 * stops at the first op let go, never reading a slot no longer its own.
 */
uint32_t window_after(uint32_t t, uint32_t i)
{
	uint32_t k;

	if (!prog.streamed)
		return op_at(i)->next;
	k = win.tail[t];
	if (k == NONE || k <= i || k < win.written)
		return NONE;
	return chain_after(k, i, win.written);
}

/*
 * Where in the arena len bytes go, at 1 + an offset, or 0: no room yet.
 * Strings are not split at the arena's end: they start over at 1.
 */
static uint64_t arena_take(uint32_t len)
{
	uint64_t at = win.ahead % win.asize, skip = 0;

	if (at + len > win.asize)
		skip = win.asize - at;
	if (win.ahead + skip + len - win.atail > win.asize)
		return 0;
	win.ahead += skip;
	at = win.ahead % win.asize;
	win.ahead += len;
	return 1 + at;
}

/*
 * Ops read from the spool at once, straight into their slots: 37 KiB,
 * still in the cache as each is loaded after.
 */
#define READ_OPS 128u

/* Read the ops after those read already into their slots, as many as fit. */
static void read_ops(void)
{
	uint32_t i = win.loaded, s = i & prog.wmask;
	uint32_t n = READ_OPS;

	if (n > prog.nops - i)
		n = prog.nops - i;
	if (n > win.written + win.slots - i)
		n = win.written + win.slots - i;
	if (n > win.slots - s)
		n = win.slots - s;	/* on from slot 0, the next time */
	/* The slots are free, and no thread looks at one before sh->loaded
	   says its op is loaded. */
	spool_file_read_into(&sp_ops, &prog.ops[s], n * sizeof(*prog.ops));
	win.unloaded = n;
}

/* Load the next op of the spool into its slot; 0: no room for it yet. */
static int load_one(void)
{
	uint32_t i = win.loaded, s = i & prog.wmask, len;
	struct prog_op *op = &prog.ops[s];
	struct op_result *res = &sh->res[s];
	uint64_t at = 1;

	if (!win.unloaded)
		read_ops();
	len = run_strings(op);
	if (len && !(at = arena_take(len))) {
		win.blocked = 1;
		return 0;
	}
	win.blocked = 0;
	win.unloaded--;
	if (len) {	/* else its offsets, all 0, stay so */
		spool_file_read(&sp_str, win.arena + at, len, 0);
		op_rebase(op, at - 1);
	}
	/* COMM and text are the result's: not read till the run ended. */
	op->comm = op->text = 0;
	op->textlen = 0;
	op->next = NONE;
	/* Whether some op waits for it is not known: finish() wakes. */
	op->waited = 1;
	res->start = res->dur = 0;
	res->ret = 0;
	res->skip = res->passed = 0;
	res->claim = st_gen(i) | CL_NONE;
	/*
	 * From the state of the op written before (done or skipped) to
	 * this one's pending, never through a value that says the one
	 * before is pending: a late waiter for it would sleep for good.
	 */
	__atomic_store_n(&res->state, st_gen(i) | ST_PENDING, __ATOMIC_RELEASE);
	win.aend[s] = win.ahead;
	/* Its thread's op before, unless written, leads to it. */
	if (op->prev != NONE && op->prev >= win.written)
		__atomic_store_n(&op_at(op->prev)->next, i, __ATOMIC_RELAXED);
	win.prevs[s] = op->prev;
	__atomic_store_n(&win.tail[op->thread], i, __ATOMIC_RELAXED);
	win.loaded++;
	return 1;
}

/*
 * Load at most max ops, what room there is for; returns how many. Those
 * loaded are the threads' at once: a thread asleep for want of ops runs
 * again while the master goes on.
 */
static uint32_t fill(uint32_t max)
{
	uint32_t from = win.loaded;

	while (win.loaded < prog.nops && win.loaded - from < max &&
	       win.loaded - win.written < win.slots && load_one())
		;
	if (win.loaded != from) {
		__atomic_store_n(&sh->loaded, win.loaded, __ATOMIC_SEQ_CST);
		if (__atomic_load_n(&sh->sleepers, __ATOMIC_SEQ_CST))
			futex(&sh->loaded, FUTEX_WAKE, INT_MAX);
	}
	return win.loaded - from;
}

/*
 * Ops [written, to) are let go: their results written (held whole) or
 * set aside (streamed); their slots and strings are free.
 */
static void let_go(uint32_t to)
{
	if (!prog.streamed) {
		for (; win.written < to; win.written++)
			result_put(win.written);
		return;
	}
	results_set_aside(win.written, to);
	win.atail = win.aend[(to - 1) & prog.wmask];
	win.written = to;
}

/*
 * Whether op i ended as a result is written during the run: done or
 * skipped, and, a request (settled by whoever reaps it), gone past by
 * its own thread, which reads its slot then.
 */
static int ended(uint32_t i)
{
	uint32_t v = __atomic_load_n(&res_at(i)->state, __ATOMIC_SEQ_CST) &
		ST_MASK;
	unsigned kind = op_at(i)->kind;

	if ((is_aio_request(kind) || is_uring_request(kind)) &&
	    __atomic_load_n(&res_at(i)->passed, __ATOMIC_ACQUIRE) !=
	    (st_gen(i) | 1))
		return 0;
	return v == ST_DONE || v == ST_SKIPPED;
}

/*
 * How far the master sets results aside now: up to the op it waited
 * for, which is done and well behind the threads, not on to the ops they
 * are at. A master that went on trailed them, a few ops at a time, on
 * the cache lines the threads were writing (when it wrote lines as it
 * went, with the reader of its output woken as often: 1.3-1.7 us an op
 * against 0.9-1.2 us, on 2 CPUs). All that is done is set aside when a
 * thread starves, or nothing was waited for.
 */
static uint32_t write_limit(void)
{
	uint32_t w = __atomic_load_n(&sh->want, __ATOMIC_SEQ_CST);

	if (w == NONE || __atomic_load_n(&sh->sleepers, __ATOMIC_RELAXED))
		return win.loaded;
	return w + 1 < win.loaded ? w + 1 : win.loaded;
}

/*
 * Ops set aside, then loaded, a chunk at a time: when the master runs
 * only once threads starve (SCHED_FIFO, on a machine they keep busy),
 * they start again after one chunk, not after half a window (4096 ops
 * are half a millisecond of the master's work).
 */
#define FEED_CHUNK 4096u

void window_feed(void)
{
	uint32_t w, limit, n, got, k;

	if (!prog.streamed)
		return;
	for (;;) {
		limit = write_limit();
		do {
			for (n = win.written; n - win.written < FEED_CHUNK &&
			     n < limit && ended(n); n++)
				;
			if ((k = n - win.written))
				let_go(n);
			got = fill(FEED_CHUNK);
		} while (k == FEED_CHUNK || got == FEED_CHUNK);
		/* Fewer than a chunk loaded: all of the program, or no room. */
		if (win.loaded == prog.nops) {
			__atomic_store_n(&sh->want, NONE, __ATOMIC_SEQ_CST);
			return;
		}
		/*
		 * Full: sleep until the op halfway through the window is
		 * done, so that each wake writes and loads many; or, when a
		 * straggler holds the window, until it is.
		 */
		w = win.written + (win.loaded - win.written) / 2;
		if (ended(w))
			w = win.written;
		__atomic_store_n(&sh->want, w, __ATOMIC_SEQ_CST);
		if (!ended(w))
			return;
	}
}

void window_drain(void)
{
	__atomic_store_n(&sh->want, NONE, __ATOMIC_SEQ_CST);
	for (;;) {
		if (prog.streamed)
			fill(UINT32_MAX);
		if (win.written == win.loaded)
			break;
		let_go(win.loaded);
	}
}

/* ---- replay threads ---- */

#define SPIN 1000		/* polls before sleeping */

void window_kick(void)
{
	spawn_kick();
}

/* Sleep until sh->loaded is no longer l (the caller saw it so). */
static void sleep_loaded(uint32_t l)
{
	/* may let the earliest op go (window.h) */
	int inflight = uring_reap_idle();

	__atomic_add_fetch(&sh->sleepers, 1, __ATOMIC_SEQ_CST);
	window_kick();
	if (__atomic_load_n(&sh->loaded, __ATOMIC_SEQ_CST) == l &&
	    !__atomic_load_n(&sh->abort, __ATOMIC_ACQUIRE))
		futex_wait(&sh->loaded, l, inflight ? URING_IDLE_NS : 0);
	__atomic_sub_fetch(&sh->sleepers, 1, __ATOMIC_SEQ_CST);
	if (__atomic_load_n(&sh->abort, __ATOMIC_ACQUIRE))
		_exit(IOR_EXIT_SYS);
}

uint32_t window_wait(uint32_t i)
{
	uint32_t l;
	int n = 0;

	while ((l = __atomic_load_n(&sh->loaded, __ATOMIC_ACQUIRE)) <= i) {
		if (n++ < SPIN)
			__builtin_ia32_pause();
		else
			sleep_loaded(l);
	}
	return l;
}

/*
 * The thread's own walk needs no floor: every op of it after i, not run
 * yet, is not done, so not let go (window.h).
 */
uint32_t window_next(uint32_t t, uint32_t i)
{
	uint32_t l, k;

	for (;;) {
		l = __atomic_load_n(&sh->loaded, __ATOMIC_ACQUIRE);
		k = __atomic_load_n(&win.tail[t], __ATOMIC_RELAXED);
		if (k != NONE && k != i && k < l)
			return chain_after(k, i, 0);
		sleep_loaded(l);
	}
}
