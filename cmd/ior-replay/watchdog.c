/*
 * watchdog.c - the stall watchdog (watchdog.h).
 *
 * A thread notes an op just before it issues it, after its waits for
 * after= and for its time: a note that changes means that the thread's
 * previous op is done. A note that stays names either an op still in its
 * call, or a done op after which the thread waits for its next (its
 * after=, or, timed, its time). Timed, a thread waiting for an op whose
 * time has not come is not stalled: the clock of a stall starts at the
 * latest of the last change of any note and the deadline of each
 * thread's next op, up to now.
 */
#define _GNU_SOURCE
#include <stdint.h>
#include <stdlib.h>
#include <sys/mman.h>

#include "ior.h"
#include "options.h"
#include "order.h"
#include "program.h"
#include "shared.h"
#include "watchdog.h"
#include "window.h"

struct thread_at *thread_at;

static uint32_t *seen;		/* the notes at the last look */
static uint64_t last;		/* when the replay last moved */

void watchdog_init(void)
{
	size_t size = (size_t)prog.nthreads * sizeof(*thread_at);

	thread_at = mmap(NULL, size ? size : 1, PROT_READ | PROT_WRITE,
			 MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (thread_at == MAP_FAILED)
		ior_err(IOR_EXIT_SYS, "mmap %zu bytes", size);
	seen = ior_xcalloc(prog.nthreads ? prog.nthreads : 1, sizeof(*seen));
	for (uint32_t t = 0; t < prog.nthreads; t++)
		thread_at[t].at = seen[t] = AT_IDLE;
	last = now_ns();
}

/* Op i is done; an op written (window.h) was. */
static int done(uint32_t i)
{
	return i < window_written() || st_done(i);
}

/* Its io_submit or io_uring_enter issues it: its thread passes it by. */
static int passed_by(uint32_t i)
{
	const struct prog_op *op = op_at(i);

	return is_aio_request(op->kind) ||
		(is_uring_request(op->kind) && op->target != NONE);
}

/*
 * The op thread t, whose note is a, has not done yet: the one in its
 * call, or the next it issues. NONE: none (not started, or ended), or
 * not known: streamed, an op not in the window now (its thread waits
 * for the window to move on).
 */
static uint32_t pending(uint32_t t, uint32_t a)
{
	uint32_t n;

	if (a == AT_IDLE || a == AT_ENDED)
		return NONE;
	if (a == AT_BEGUN)
		n = prog.threads[t].first;
	else if (!done(a))
		return a;
	else if (a < window_written() || (n = op_at(a)->next) == NONE)
		n = window_after(t, a);
	while (n != NONE && n < window_loaded() && passed_by(n))
		n = op_at(n)->next;
	return n < window_loaded() ? n : NONE;
}

static const char *call_name(const struct prog_op *op)
{
	return op->kind == IOR_REPLAY_UR_OTHER ? str(op->name) :
		ior_calls[op->row].name;
}

/* Say, for each thread still at an op, where it is stuck. */
static void report(void)
{
	int none = 1;

	ior_warnx("stalled: no operation done in %g s; stopping the replay",
		  opt.watchdog);
	for (uint32_t t = 0; t < prog.nthreads; t++) {
		uint32_t n = pending(t, seen[t]), w = NONE;
		const struct prog_op *op;

		if (n == NONE)
			continue;
		none = 0;
		op = op_at(n);
		if (op->after && !done(op->after - 1))
			w = op->after - 1;
		else if (op->after2 && !done(op->after2 - 1))
			w = op->after2 - 1;
		if (n == seen[t])
			ior_warnx("stuck: seq=%lld pid=%lld tid=%lld %s, in its call",
				  (long long)op->seq, (long long)op->pid,
				  (long long)op->tid, call_name(op));
		else if (w != NONE)
			ior_warnx("stuck: seq=%lld pid=%lld tid=%lld %s, waiting for seq=%lld",
				  (long long)op->seq, (long long)op->pid,
				  (long long)op->tid, call_name(op),
				  (long long)op_at(w)->seq);
		else
			ior_warnx("stuck: seq=%lld pid=%lld tid=%lld %s, not begun",
				  (long long)op->seq, (long long)op->pid,
				  (long long)op->tid, call_name(op));
	}
	/*
	 * Streamed, the ops after the window wait for its first to be done:
	 * an op that waits for one further on than the window is long
	 * never is (window.h).
	 */
	if (window_full()) {
		const struct prog_op *op = op_at(window_written());

		ior_warnx("stuck: the window of %u ops is full behind seq=%lld pid=%lld tid=%lld %s (IOR_REPLAY_WINDOW)",
			  prog.wmask + 1, (long long)op->seq, (long long)op->pid,
			  (long long)op->tid, call_name(op));
	} else if (none)
		ior_warnx("stuck: no thread at an operation: a replay process has not ended");
}

int watchdog_look(uint64_t now)
{
	uint64_t limit = opt.watchdog * 1e9;
	int moved = 0;

	for (uint32_t t = 0; t < prog.nthreads; t++) {
		uint32_t a = __atomic_load_n(&thread_at[t].at, __ATOMIC_RELAXED);

		if (a != seen[t]) {
			seen[t] = a;
			moved = 1;
		}
	}
	if (moved)
		last = now;
	for (uint32_t t = 0; opt.timed && t < prog.nthreads; t++) {
		uint32_t n = pending(t, seen[t]);
		uint64_t d;

		if (n == NONE)
			continue;
		d = sh->t0 + due(n);
		if (d > last)
			last = d < now ? d : now;
	}
	if (!limit || now - last < limit)
		return 0;
	report();
	return 1;
}

uint64_t watchdog_every(void)
{
	uint64_t every = opt.watchdog * 1e8;

	if (!every || every > 1000000000)
		return 1000000000;
	return every < 10000000 ? 10000000 : every;
}

static int by_index(const void *a, const void *b)
{
	uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;

	return (x > y) - (x < y);
}

uint32_t *in_their_call(uint32_t *n)
{
	uint32_t *ops = ior_xcalloc(prog.nthreads ? prog.nthreads : 1,
				    sizeof(*ops));

	*n = 0;
	for (uint32_t t = 0; t < prog.nthreads; t++) {
		uint32_t a = __atomic_load_n(&thread_at[t].at, __ATOMIC_RELAXED);

		if (a < prog.nops && !done(a))
			ops[(*n)++] = a;
	}
	qsort(ops, *n, sizeof(*ops), by_index);
	return ops;
}
