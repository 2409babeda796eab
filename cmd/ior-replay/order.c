/*
 * order.c - when an op may be issued (order.h): the waits for after=,
 * and the timed mode's deadlines.
 */
#define _GNU_SOURCE
#include <linux/futex.h>
#include <stdint.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "ior.h"
#include "options.h"
#include "order.h"
#include "program.h"
#include "shared.h"
#include "uring.h"
#include "window.h"

#define SPIN 1000		/* polls before sleeping on a futex */

/*
 * Op i is loaded (it is before the op that waits). Its word carries its
 * generation: once its slot holds a later op, i was done and written.
 */
void wait_done(uint32_t i)
{
	uint32_t *w = &res_at(i)->state, gen = st_gen(i);
	uint32_t v;
	int n = 0;

	/* Spin a little: the op is often about to be done. Then sleep. */
	while (((v = __atomic_load_n(w, __ATOMIC_ACQUIRE)) & ~ST_MASK) == gen &&
	       (v & ST_MASK) < ST_DONE) {
		if (n++ < SPIN)
			__builtin_ia32_pause();
		else if (v == (gen | ST_WAITED) ||
			 __atomic_compare_exchange_n(w, &v, gen | ST_WAITED, 0,
				__ATOMIC_ACQ_REL, __ATOMIC_ACQUIRE)) {
			/* may let the earliest op go (window.h) */
			futex_wait(w, gen | ST_WAITED,
				   uring_reap_idle() ? URING_IDLE_NS : 0);
		}
	}
	if (__atomic_load_n(&sh->abort, __ATOMIC_ACQUIRE))
		_exit(IOR_EXIT_SYS);
}

void wait_list(uint32_t list)
{
	const char *l = str(list);
	uint32_t n, j;

	memcpy(&n, l, sizeof(n));
	for (uint32_t k = 1; k <= n; k++) {
		memcpy(&j, l + k * sizeof(j), sizeof(j));
		wait_done(j - 1);
	}
}

void wait_batch(const struct prog_op *op)
{
	/* streamed: its requests, later in the program, in their slots */
	if (prog.streamed && op->reach != NONE)
		window_wait(op->reach);
	for (uint32_t j = op->batch; j != NONE; j = op_at(j)->batch)
		wait_after(op_at(j));
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

uint64_t due_of(const struct prog_op *op)
{
	double d = (op->ctime - prog.ctime0) / opt.speed;

	return d < DUE_MAX ? (uint64_t)d : DUE_MAX;
}

uint64_t due(uint32_t i)
{
	return due_of(op_at(i));
}

void wait_due(uint64_t due)
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
