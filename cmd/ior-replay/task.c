/*
 * task.c - processes and threads (task.h): the replay processes the
 * master forks and waits for, the threads of each, and the loop each
 * thread runs its ops in.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <linux/futex.h>
#include <poll.h>
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "ior.h"
#include "aio.h"
#include "buffers.h"
#include "fdops.h"
#include "fdtab.h"
#include "issue.h"
#include "mappings.h"
#include "options.h"
#include "order.h"
#include "paths.h"
#include "program.h"
#include "shared.h"
#include "signals.h"
#include "spawn.h"
#include "task.h"
#include "uring.h"
#include "watchdog.h"
#include "window.h"

/* What a new thread starts with: its index and its descriptors. */
struct thread_start {
	uint32_t t;
	struct vfd_table *fds;
};

static void run_thread(uint32_t t);
static void *thread_main(void *arg);

/*
 * A thread of this process is made: counted live now, by its maker, not
 * as it begins to run. Counted as it ran, a thread started late (a busy
 * machine) let one that ended first take itself for the process's last
 * and reap the requests the late one was to reap.
 */
static void thread_made(void)
{
	uring_thread_begin();
	aio_thread_begin();
}

/* The threads of this process, besides its first, still running ops. */
static uint32_t others;

/* Start thread t in this process, sharing the caller's descriptors. */
static void start_thread(uint32_t t)
{
	struct thread_start *ts = malloc(sizeof(*ts));
	pthread_attr_t attr;
	pthread_t pt;
	int e;

	if (!ts)
		fatal("malloc");
	*ts = (struct thread_start){ t, thread_fds };
	spawn_threaded();
	__atomic_add_fetch(&others, 1, __ATOMIC_ACQ_REL);
	thread_made();
	pthread_attr_init(&attr);
	pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
	e = pthread_create(&pt, &attr, thread_main, ts);
	pthread_attr_destroy(&attr);
	if (e) {
		free(ts);
		errno = e;
		fatal("pthread_create");
	}
}

/* sched:fork: a thread in this process, or a new process with our fds. */
static int64_t replay_fork(const struct prog_op *op)
{
	if (op->flags & (CLONE_THREAD | CLONE_FILES))
		start_thread(op->child);
	else
		spawn_fork(op->child);
	return 0;
}

/* sched:fork, sched:exec, and the forks whose task sched:fork made. */
int issue_task(struct thread_state *w, const struct prog_op *op,
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

/*
 * The result slots this process has mapped already (prefault_results), as
 * byte addresses [from, to): set by its first thread before it starts
 * any other, only read after.
 */
static uintptr_t mapped_from, mapped_to;

/*
 * A forked process does not inherit the page table entries of the shared
 * result slots: the first write to each page faults, once in 100 ops,
 * inside the measured loop. As fast as possible, map the slots of ops
 * first..last before the first op instead (streamed, the window's slots
 * they take: their results and ops, and the strings). Not when timed:
 * mapping all the slots between its first and last op could make its
 * first op late, where a fault now and then costs nothing. Failure (a
 * kernel before 5.14) only leaves the faults. Slots this process mapped
 * already are not mapped again: the threads of one process share their
 * page tables, and threads whose ops interleave each span nearly every
 * slot, so that each mapped them all, at once, waiting for each other's
 * page locks (4 readers of one file: 500 sleeps a replay).
 */
static void prefault(const void *from, const void *to, int advice)
{
	uintptr_t pg = sysconf(_SC_PAGESIZE);
	uintptr_t a = (uintptr_t)from & ~(pg - 1);

	madvise((void *)a, (uintptr_t)to - a, advice);
}

/*
 * Mapped is not enough in a virtual machine whose hypervisor keeps page
 * tables of its own (shadow paging, as PVM guests have): there the first
 * read of each page in a process costs 1-2 us, the first write 5 us,
 * even once mapped. A streamed replay's first pass over its window took
 * 170 ns an op more than the passes after it (200000 preads, as fast as
 * possible). So each page is touched here too, before the first op:
 * results written (an atomic add of 0 to a state word leaves it as it
 * is, whoever writes it meanwhile), ops read.
 */
static void touch_slots(uint32_t from, uint32_t to)
{
	uintptr_t pg = sysconf(_SC_PAGESIZE), last = 0, a;

	for (uint32_t s = from; s < to; s++)
		if ((a = (uintptr_t)&sh->res[s].state & ~(pg - 1)) != last) {
			__atomic_fetch_add(&sh->res[s].state, 0,
					   __ATOMIC_RELAXED);
			last = a;
		}
	if (!prog.streamed)
		return;
	for (a = (uintptr_t)&prog.ops[from]; a < (uintptr_t)&prog.ops[to];
	     a = (a | (pg - 1)) + 1)
		(void)*(volatile const char *)a;
}

/* Slots [from, to): their results, and, streamed, their ops. */
static void prefault_slots(uint32_t from, uint32_t to)
{
	prefault(&sh->res[from], &sh->res[to], MADV_POPULATE_WRITE);
	if (prog.streamed)
		prefault(&prog.ops[from], &prog.ops[to], MADV_POPULATE_READ);
	touch_slots(from, to);
}

static void prefault_results(uint32_t first, uint32_t last)
{
	uint32_t n = prog.wmask + 1, lo, hi;
	uintptr_t from, to;

	if (opt.timed || first == NONE)
		return;
	if (last - first >= n - 1) {	/* every slot */
		first = 0;
		last = n - 1;
	}
	/* Streamed, ops first..last may wrap round the window's end. */
	lo = first & prog.wmask;
	hi = last & prog.wmask;
	from = (uintptr_t)&sh->res[lo];
	to = (uintptr_t)&sh->res[hi + 1];
	if (lo <= hi && from >= mapped_from && to <= mapped_to)
		return;
	if (lo <= hi)
		prefault_slots(lo, hi + 1);
	else {
		prefault_slots(lo, n);
		prefault_slots(0, hi + 1);
	}
	if (prog.streamed)
		prefault(prog.arena, prog.arena + prog.arena_len,
			 MADV_POPULATE_READ);
	/* Only the first thread, before it starts another, says what. */
	if (!__atomic_load_n(&others, __ATOMIC_ACQUIRE) && lo <= hi) {
		mapped_from = from;
		mapped_to = to;
	}
}

/* Run the ops of thread t in order, each after what it must follow. */
static void run_thread(uint32_t t)
{
	const struct prog_thread *th = &prog.threads[t];
	struct thread_state ws = { 0 }, *w = &ws;
	/*
	 * --start-at, untimed: nothing before TIME 0 (timed, each op waits
	 * for its own deadline anyway); a thread started later has nothing
	 * to wait for.
	 */
	int at_start = opt.start_at && !opt.timed;
	uint32_t loaded = 0;	/* ops in the window, as last seen */
	struct pending pend = { 0 };	/* its requests gone past unsettled */
	int skip, request;

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
	prefault_results(th->first, th->last);
	note_at(t, AT_BEGUN);
	for (uint32_t i = th->first, next; i != NONE; i = next) {
		const struct prog_op *op;
		struct op_result *res;

		if (i >= loaded)
			loaded = window_wait(i);
		op = op_at(i);
		res = res_at(i);
		/*
		 * Read before op i is done, when its slot is surely its own
		 * (window.h); NONE when the master has not linked it yet.
		 */
		next = __atomic_load_n(&op->next, __ATOMIC_RELAXED);

		/*
		 * Start loading the next op (its first 64 bytes) and its
		 * result slot, each on at most two cache lines, while this
		 * one runs: without it each op of a fast replay began with
		 * cache misses on both. (Here, not in a function of its own:
		 * GCC 12 drops a call that only prefetches.)
		 */
		if (next != NONE) {
			__builtin_prefetch(op_at(next));
			__builtin_prefetch(&op_at(next)->path2);
			__builtin_prefetch(res_at(next), 1);
			__builtin_prefetch(&res_at(next)->claim, 1);
		}

		/*
		 * A request is issued by its io_submit and settled by whatever
		 * replayed call reaps it, which need not be the one that reaped
		 * it in the capture: its record issues nothing, and what its
		 * after= names its io_submit waits for.
		 */
		request = is_aio_request(op->kind) ||
			is_uring_request(op->kind);
		if (is_aio_request(op->kind)) {
			if (op->alone == ALONE_ORPHAN)
				skip_request(i, SKIP_ORPHAN);
			goto on;
		}
		/* So is an io_uring request, unless it has no io_uring_enter. */
		if (is_uring_request(op->kind) && op->target != NONE)
			goto on;

		wait_op(i);
		/* Late when what it waited for was: then at once. */
		if (opt.timed)
			wait_due(due(i));
		else if (at_start) {
			wait_due(0);
			at_start = 0;
		}
		note_at(t, i);
		if (is_uring_request(op->kind))
			uring_alone(w, i);
		else if ((skip = is_plain_rw(op) ? issue_plain_rw(w, op, res) :
			  issue_op(w, op, res))) {
			res->start = now_ns() - sh->t0;
			res->skip = skip;
			finish(i, ST_SKIPPED);
		} else
			finish(i, ST_DONE);
on:
		if (request)	/* its slot is not read again */
			request_passed(&pend, i);
		if (next == NONE && i != th->last)
			next = window_next(t, i);
	}
	note_at(t, AT_ENDED);
	uring_thread_end(&pend);
	if (w->rbuf)
		munmap(w->rbuf, th->maxread);
	free(w->iov);
	aio_thread_end(&pend);
	pending_free(&pend);
	free(w->iocbp);
	free(w->events);
	if (w->pipe[0] >= 0) {
		close(w->pipe[0]);
		close(w->pipe[1]);
		close(w->null);
	}
}

/*
 * The first thread of a process, its ops done, ends the process, once
 * its other threads have done theirs. It must be the last: when it ended
 * first (pthread_exit) it stayed a zombie until the process ended, and
 * LeakSanitizer, checking at the exit of the last thread, tried to stop
 * it and waited for that zombie forever (1 replay in 10 of a ring with an
 * io_uring worker thread in the capture hung so).
 */
static _Noreturn void end_process(void)
{
	uint32_t n;

	while ((n = __atomic_load_n(&others, __ATOMIC_ACQUIRE)))
		futex_wait(&others, n, 0);
	exit(IOR_EXIT_OK);
}

void run_process(uint32_t t, struct vfd_table *fds)
{
	mapped_from = mapped_to = 0;	/* a new process: none (fork) */
	if (fds)
		thread_fds = fds;
	thread_made();
	run_thread(t);
	end_process();
}

static void *thread_main(void *arg)
{
	struct thread_start *ts = arg;
	uint32_t t = ts->t;

	thread_fds = ts->fds;
	free(ts);
	run_thread(t);
	if (!__atomic_sub_fetch(&others, 1, __ATOMIC_ACQ_REL))
		futex(&others, FUTEX_WAKE, 1);
	return NULL;
}

/* An initial process: its first thread runs here, the others beside it. */
static void run_initial(uint32_t first)
{
	uint32_t lo = NONE, hi = 0;

	if (!(thread_fds = vfd_table_copy(NULL)))
		fatal("malloc");
	thread_made();
	/* The slots of all its initial threads, once, before they start. */
	for (uint32_t t = first; t != NONE; t = prog.threads[t].next_initial)
		if (prog.threads[t].first != NONE) {
			if (prog.threads[t].first < lo)
				lo = prog.threads[t].first;
			if (prog.threads[t].last > hi)
				hi = prog.threads[t].last;
		}
	if (lo != NONE)
		prefault_results(lo, hi);
	for (uint32_t t = prog.threads[first].next_initial; t != NONE;
	     t = prog.threads[t].next_initial)
		start_thread(t);
	run_thread(first);
	end_process();
}

void replay_setup(void)
{
	struct rlimit rl;

	shared_map();
	window_make();
	open_rootdir();
	maps_init();
	aio_init();
	uring_init();
	make_wdata();
	/* A replay may hold as many files open as the system allows. */
	if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur < rl.rlim_max) {
		rl.rlim_cur = rl.rlim_max;
		setrlimit(RLIMIT_NOFILE, &rl);
	}
	/* Orphaned replay processes are reaped here, so all are waited for. */
	if (prctl(PR_SET_CHILD_SUBREAPER, 1) < 0)
		ior_err(IOR_EXIT_SYS, "prctl");
	signals_init();
	spawn_init();
	watchdog_init();
	/* Sleeps end when asked, not up to 50 us later (inherited). */
	if ((opt.timed || opt.start_at) && prctl(PR_SET_TIMERSLACK, 1) < 0)
		ior_err(IOR_EXIT_SYS, "prctl");
}

static uint32_t count_done(void)
{
	uint32_t n = window_written();

	for (uint32_t i = n, l = window_loaded(); i < l; i++)
		n += st_done(i);
	return n;
}

/* The master's look at the replay while it waits: ns between looks. */
#define LOOK_NS 1000000000ull

/*
 * Stop the replay: pass sig to every replay process. What they had done
 * is kept; the results are written when all have ended.
 */
static void stop_replay(int sig)
{
	stop_set(STOP_SIGNAL, sig);
	if (sig == SIGKILL)
		ior_warnx("asked again: killing every replay process");
	else
		ior_warnx("SIG%s: stopping the replay", sigabbrev_np(sig));
	signals_pass(sig);
}

/* The watchdog found the replay stalled: kill every replay process. */
static void stop_stalled(void)
{
	stop_set(STOP_STALL, 0);
	signals_pass(SIGKILL);
}

/*
 * A replay process could not be made, or died: stop every waiter (they
 * exit), and the replay, for that reason unless it already was.
 */
static void stop_failed(void)
{
	if (!stopped())
		abort_all();
	stop_set(STOP_FAILED, 0);
}

/*
 * Fork the initial processes and wait for every replay process; TIME 0 is
 * t0. Returns the ns from TIME 0 to the end (or the stop).
 */
uint64_t replay(uint64_t t0)
{
	struct pollfd req = { .fd = spawn_fd(), .events = POLLIN };
	int st, sig;
	uint64_t end, look, tick, now;
	pid_t pid;

	sh->t0 = t0;
	for (uint32_t i = 0; i < prog.ninitial; i++) {
		pid = fork();
		if (pid < 0) {
			ior_warn("fork");
			stop_failed();
			break;
		}
		if (pid == 0) {
			signals_child();
			spawn_in_child();
			signals_wait_go();
			run_initial(prog.initial[i]);
		}
		signals_forked(pid);
	}
	signals_go();
	look = now_ns() + LOOK_NS;
	tick = now_ns() + watchdog_every();
	for (;;) {
		/* Processes forked by a multithreaded one (spawn.h). */
		if (spawn_serve(stopped()) < 0)
			stop_failed();
		pid = waitpid(-1, &st, WNOHANG);
		/* The last may have asked for a fork as it ended. */
		if (pid < 0 && errno == ECHILD &&
		    spawn_serve(stopped()) <= 0)
			break;
		if (pid < 0 && errno == ECHILD)
			continue;
		if (pid < 0)
			ior_err(IOR_EXIT_SYS, "waitpid");
		if (pid > 0) {
			if ((WIFEXITED(st) && WEXITSTATUS(st) == 0) ||
			    stop.why == STOP_SIGNAL || stop.why == STOP_STALL)
				continue;
			if (WIFSIGNALED(st))
				ior_warnx("replay process %d: killed by signal %d",
					  pid, WTERMSIG(st));
			stop_failed();
			continue;
		}
		if ((now = now_ns()) >= tick) {
			if (!stopped() && watchdog_look(now))
				stop_stalled();
			tick = now + watchdog_every();
		}
		if (now >= look) {
			if (opt.verbose)
				ior_warnx("%u of %u ops done", count_done(), prog.nops);
			look = now + LOOK_NS;
		}
		window_feed();
		if ((sig = signals_wait(&req, 1, (look < tick ? look : tick) - now)))
			stop_replay(sig);
	}
	end = stopped() ? stop.at : now_ns();
	return end > sh->t0 ? end - sh->t0 : 0;	/* no ops: before TIME 0 */
}
