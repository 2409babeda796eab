/*
 * shared.c - the state every replay process sees (shared.h): made once by
 * the master, before the first fork.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <limits.h>
#include <linux/futex.h>
#include <stdint.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "ior.h"
#include "order.h"
#include "program.h"
#include "shared.h"

struct shared *sh;

/* Results in the window: its slots, or every op of a program held whole. */
static uint32_t nres(void)
{
	return prog.streamed ? prog.wmask + 1 : prog.nops;
}

/* The mapping: the master's, before the first fork. */
void shared_map(void)
{
	size_t size = sizeof(*sh) + (size_t)nres() * sizeof(sh->res[0]);

	sh = mmap(NULL, size, PROT_READ | PROT_WRITE,
		  MAP_SHARED | MAP_ANONYMOUS | MAP_POPULATE, -1, 0);
	if (sh == MAP_FAILED)
		ior_err(IOR_EXIT_SYS, "mmap %zu bytes", size);
}

long futex(uint32_t *word, int op, uint32_t val)
{
	return syscall(SYS_futex, word, op, val, NULL, NULL, 0);
}

/*
 * Stop every waiter: after a failure the ops they wait for may never be
 * done. Each waiter then exits.
 */
void abort_all(void)
{
	__atomic_store_n(&sh->abort, 1, __ATOMIC_SEQ_CST);
	for (uint32_t s = 0, n = nres(); s < n; s++) {
		uint32_t *w = &sh->res[s].state;
		uint32_t v = __atomic_load_n(w, __ATOMIC_ACQUIRE);

		while ((v & ST_MASK) < ST_DONE && !__atomic_compare_exchange_n(w,
				&v, (v & ~ST_MASK) | ST_ABORT, 0,
				__ATOMIC_ACQ_REL, __ATOMIC_ACQUIRE))
			;
		if ((v & ST_MASK) == ST_WAITED)
			futex(w, FUTEX_WAKE, INT_MAX);
	}
	/* and the threads that wait for the window (window.h) */
	futex(&sh->loaded, FUTEX_WAKE, INT_MAX);
}

/* A system error inside a replay process ends the whole replay. */
_Noreturn void fatal(const char *what)
{
	ior_warn("%s", what);
	abort_all();
	_exit(IOR_EXIT_SYS);
}

/* Take request j to settle it; false when someone already has. */
int claim(uint32_t j, enum claim how)
{
	uint32_t none = CL_NONE;

	return __atomic_compare_exchange_n(&sh->res[j].claim, &none, how, 0,
					   __ATOMIC_ACQ_REL, __ATOMIC_ACQUIRE);
}

/* A claimed request j is done: RET ret, DUR up to end. */
void settled(uint32_t j, int64_t ret, uint64_t end)
{
	struct op_result *res = &sh->res[j];

	res->ret = ret;
	res->dur = end > res->start ? end - res->start : 0;
	finish(j, ST_DONE);
}

/* Settle request j unless already settled. */
void settle(uint32_t j, enum claim how, int64_t ret, uint64_t end)
{
	if (claim(j, how))
		settled(j, ret, end);
}

/* Request j cannot be submitted: why (enum skip). */
void skip_request(uint32_t j, int why)
{
	struct op_result *res = &sh->res[j];

	if (!claim(j, CL_SUBMIT))
		return;
	res->start = now_ns() - sh->t0;
	res->skip = why;
	finish(j, ST_SKIPPED);
}
