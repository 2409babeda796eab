/*
 * shared.c - the state every replay process sees (shared.h): made once by
 * the master, before the first fork.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <limits.h>
#include <linux/futex.h>
#include <stdint.h>
#include <stdlib.h>
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

long futex_wait(uint32_t *word, uint32_t val, long ns)
{
	struct timespec ts = { ns / 1000000000, ns % 1000000000 };

	return syscall(SYS_futex, word, FUTEX_WAIT, val, ns ? &ts : NULL,
		       NULL, 0);
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
	uint32_t none = st_gen(j) | CL_NONE;

	return __atomic_compare_exchange_n(&res_at(j)->claim, &none,
					   st_gen(j) | how, 0,
					   __ATOMIC_ACQ_REL, __ATOMIC_ACQUIRE);
}

/* A claimed request j is done: RET ret, DUR up to end. */
void settled(uint32_t j, int64_t ret, uint64_t end)
{
	struct op_result *res = res_at(j);

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
	struct op_result *res = res_at(j);

	if (!claim(j, CL_SUBMIT))
		return;
	res->start = now_ns() - sh->t0;
	res->skip = why;
	finish(j, ST_SKIPPED);
}

/*
 * Whether request j is settled, or was let go (its slot holds another
 * op): either way, nothing more to do for it.
 */
static int settled_or_gone(uint32_t j)
{
	uint32_t c = __atomic_load_n(&res_at(j)->claim, __ATOMIC_ACQUIRE);

	return c != (st_gen(j) | CL_NONE);
}

/* Request j went past: held if not settled yet. */
static void pending_add(struct pending *p, uint32_t j)
{
	uint32_t k = 0;
	uint32_t *v;

	if (settled_or_gone(j))
		return;
	if (p->n == p->cap) {	/* full: keep what is still unsettled */
		for (uint32_t i = 0; i < p->n; i++)
			if (!settled_or_gone(p->j[i]))
				p->j[k++] = p->j[i];
		p->n = k;
		/* still more than half full: room for as many again */
		if (!p->cap || p->n * 2 > p->cap) {
			if (!(v = realloc(p->j, (p->cap ? p->cap * 2 : 16) *
					  sizeof(*v))))
				fatal("realloc");
			p->j = v;
			p->cap = p->cap ? p->cap * 2 : 16;
		}
	}
	p->j[p->n++] = j;
}

void request_passed(struct pending *p, uint32_t i)
{
	pending_add(p, i);
	__atomic_store_n(&res_at(i)->passed, st_gen(i) | 1, __ATOMIC_SEQ_CST);
	/* the master may wait for it, settled before (window_feed) */
	if (prog.streamed && __atomic_load_n(&sh->want, __ATOMIC_SEQ_CST) == i)
		window_kick();
}

void pending_each(struct pending *p, void (*fn)(uint32_t j))
{
	for (uint32_t i = 0; i < p->n; i++)
		if (!settled_or_gone(p->j[i]))
			fn(p->j[i]);
}

void pending_free(struct pending *p)
{
	free(p->j);
	*p = (struct pending){ 0 };
}
