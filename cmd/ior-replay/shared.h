/*
 * shared.h - what every replay process sees: one shared anonymous
 * mapping, made by the master before the first fork, with the result
 * and done-flag of each op of the window (window.h), so that an op in
 * one process can wait for an op of another, and the master can write
 * each result.
 */
#ifndef REPLAY_SHARED_H
#define REPLAY_SHARED_H

#include <stdint.h>
#include <time.h>

#include "program.h"

/*
 * An op's state: a futex word that waiters sleep on (order.h). Its low
 * ST_BITS are the state, the others the op's generation (st_gen): which
 * of the ops that share its slot it is, so that a waiter never takes the
 * word of the op after for that of the op it waits for (window.h).
 */
enum { ST_PENDING, ST_WAITED, ST_DONE, ST_SKIPPED, ST_ABORT };
#define ST_BITS 3
#define ST_MASK 7u

/* Why an operation was not issued (skip= in the result). */
enum skip { SKIP_NONE, SKIP_NOFD, SKIP_NOMAP, SKIP_UNSAFE, SKIP_UNSUPPORTED,
	    SKIP_ORPHAN };

struct op_result {
	uint64_t start;		/* ns since the replay started */
	int64_t ret;
	uint64_t dur;
	uint32_t state;		/* ST_*: a futex word */
	uint32_t skip;		/* ST_SKIPPED: why (enum skip) */
	uint32_t claim;		/* a request: who settled it (enum claim),
				   with its generation, as state: a claim
				   meant for an op written never takes
				   the op after it in the slot */
	uint32_t passed;	/* a request: its generation | 1 once its
				   own thread went past its record, which
				   reads its slot (window.h) */
};
_Static_assert(sizeof(struct op_result) == 40,
	       "the results let go are set aside 40 bytes an op (window.h)");

/*
 * A request is settled once, by whoever comes first: the call that
 * reaps it, its submission (not submitted), or its thread's end while
 * it is still in flight (written with inflight=1). In op_result.claim,
 * under the op's generation (st_gen): at most ST_MASK.
 */
enum claim { CL_NONE, CL_REAPED, CL_SUBMIT, CL_INFLIGHT };

struct shared {
	uint64_t t0;		/* CLOCK_MONOTONIC at the start */
	uint32_t abort;
	uint32_t go;		/* the first processes may start (signals.h) */
	uint32_t uring_dropped;	/* rings set up without some captured flags */
	/* The window (window.h), each on a cache line of its own. */
	uint32_t loaded __attribute__((aligned(64)));	/* ops [0, loaded) are
							   in their slots: a
							   futex word */
	uint32_t sleepers;	/* threads asleep on loaded */
	uint32_t want __attribute__((aligned(64)));	/* the op whose end
							   kicks the master;
							   NONE: none */
	struct op_result res[] __attribute__((aligned(64)));
};
extern struct shared *sh;

/* Op i's generation, in its state word. */
static inline uint32_t st_gen(uint32_t i)
{
	return (i >> prog.wshift) << ST_BITS;
}

/* Op i's result, in its slot (loaded, and not written yet). */
static inline struct op_result *res_at(uint32_t i)
{
	return &sh->res[i & prog.wmask];
}

/*
 * Whether op i still holds its slot: loaded, and not written yet (op
 * i + W has not taken the slot). What is done with an op's slot after
 * it was written (an io_cancel naming a request long reaped, a late
 * request counted by its reap) checks this first.
 */
static inline int op_live(uint32_t i)
{
	return (__atomic_load_n(&res_at(i)->state, __ATOMIC_ACQUIRE) &
		~ST_MASK) == st_gen(i);
}

/*
 * The index of op, in its slot and live (its own thread issues it): its
 * slot, and which of the ops sharing it, by its generation.
 */
static inline uint32_t op_index(const struct prog_op *op)
{
	uint32_t s = op - prog.ops;
	uint32_t v = __atomic_load_n(&sh->res[s].state, __ATOMIC_ACQUIRE);

	return ((v & ~ST_MASK) >> ST_BITS << prog.wshift) | s;
}

/* Whether op i is done or skipped (or given up): loaded and unwritten. */
static inline int st_done(uint32_t i)
{
	uint32_t v = __atomic_load_n(&res_at(i)->state, __ATOMIC_ACQUIRE);

	return (v & ~ST_MASK) != st_gen(i) || (v & ST_MASK) >= ST_DONE;
}

/* The clock of TIME 0 and of every result: the same in every process. */
static inline uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000000000ull + ts.tv_nsec;
}

long futex(uint32_t *word, int op, uint32_t val);
/*
 * FUTEX_WAIT while *word is val: at most ns, or until woken when ns is 0.
 * A thread that has reaped its process's rings waits URING_IDLE_NS when
 * requests are still in flight there (uring_reap_idle's answer).
 */
long futex_wait(uint32_t *word, uint32_t val, long ns);
/* Make the mapping, for every slot of the window (the master, once). */
void shared_map(void);
/*
 * A failure ends the whole replay: every waiter is woken to exit, since
 * what it waits for may never be done. fatal() says what failed, aborts
 * and exits the calling process.
 */
void abort_all(void);
_Noreturn void fatal(const char *what);

/* Who settled op i's request (enum claim); CL_NONE: none yet. */
static inline enum claim claim_of(const struct op_result *res)
{
	return __atomic_load_n(&res->claim, __ATOMIC_ACQUIRE) & ST_MASK;
}

/*
 * Settling a request (AIO or io_uring) that may be reaped by any call.
 * A request j whose slot holds another op by now was settled: each of
 * these leaves the slot alone.
 */
int claim(uint32_t j, enum claim how);
void settled(uint32_t j, int64_t ret, uint64_t end);
void settle(uint32_t j, enum claim how, int64_t ret, uint64_t end);
void skip_request(uint32_t j, int why);

/*
 * The requests a thread went past at their records, not settled then:
 * those its end settles in flight if nothing did meanwhile. As many as
 * it had in flight, not as its program holds.
 */
struct pending {
	uint32_t *j;
	uint32_t n, cap;
};
/*
 * Its thread went past request i's record (reading its slot): held in p
 * if not settled yet, and from now on its slot may be let go once it is.
 */
void request_passed(struct pending *p, uint32_t i);
/* fn on each of those still not settled. */
void pending_each(struct pending *p, void (*fn)(uint32_t j));
void pending_free(struct pending *p);

#endif
