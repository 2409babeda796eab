/*
 * order.c - after= (order.h): the last operation on each resource is
 * kept with the resource (struct path_ent, struct ofd_ent); here are the
 * submitting calls of requests and the thread exits, for the whole run.
 */
#include <stdlib.h>
#include <string.h>

#include "ior.h"
#include "desc.h"
#include "order.h"
#include "record.h"
#include "tree.h"

/*
 * The submitting calls by sub number: the seq each got, or -1 when it
 * was dropped. Direct-mapped: in-flight requests name recent subs.
 */
#define SUBS (1 << 16)
static struct { uint64_t sub; int64_t seq; } subs[SUBS];

void sub_seen(uint64_t sub)
{
	/* -1 until it is kept */
	subs[sub & (SUBS - 1)].sub = sub;
	subs[sub & (SUBS - 1)].seq = -1;
}

void sub_kept(uint64_t sub, int64_t seq)
{
	subs[sub & (SUBS - 1)].seq = seq;
}

int64_t sub_seq(uint64_t sub)
{
	const int i = sub & (SUBS - 1);

	if (!subs[i].seq || subs[i].sub < sub)
		return 0;
	return subs[i].sub == sub ? subs[i].seq : SUB_GONE;
}

/*
 * Make this record the last operation on a resource; return the previous
 * one if another thread's and later than after. mark is the record's seq,
 * or for a request -(sub + 1): what others wait for is its submitting
 * call, once that call has a seq (ior-gen(1), ORDERING).
 */
static int64_t order_mark(int64_t *last_seq, int64_t *last_tid,
			  const struct ior_rec *r, int64_t after, int64_t mark)
{
	int64_t prev = *last_seq;

	if (prev < 0 && (prev = sub_seq(-(prev + 1))) < 0)
		prev = 0;
	if (*last_tid >= 0 && *last_tid != r->tid && prev > after)
		after = prev;
	*last_seq = mark;
	*last_tid = r->tid;
	return after;
}

int64_t order_after(const struct ior_rec *r, const struct args *a,
		    struct ofd_ent *o, struct path_ent *fe,
		    struct ofd_ent *o2, struct path_ent *fe2, int64_t mark)
{
	struct path_ent *e[4] = {
		a->path ? path_get(a->path) : NULL,
		a->path2 ? path_get(a->path2) : NULL, fe, fe2,
	};
	int64_t after = 0;

	for (int i = 0; i < 4; i++) {
		int dup = !e[i];

		for (int j = 0; j < i && !dup; j++)
			dup = e[j] == e[i];
		if (!dup)
			after = order_mark(&e[i]->last_seq, &e[i]->last_tid, r,
					   after, mark);
	}
	if (o)
		after = order_mark(&o->last_seq, &o->last_tid, r, after, mark);
	if (o2 && o2 != o)
		after = order_mark(&o2->last_seq, &o2->last_tid, r, after,
				   mark);
	return after;
}

/*
 * Joins are not captured (futex), but a thread's exit is: an operation
 * that completed after another thread of its process exited waits for
 * that exit in the replay, so a main thread does not run ahead of the
 * threads it joined. Exits of one process are chained, so waiting for the
 * latest waits for all. Indexed by virtual id (small, dense integers).
 */
struct join {
	int64_t exit_seq, exit_tid;	/* per process: latest thread exit */
	int64_t seen;			/* per thread: latest exit waited for */
};
static struct join *joins;
static size_t njoins;

static struct join *join_of(int64_t id)
{
	if (id < 0 || id > (int64_t)1 << 30)
		return NULL;
	if ((size_t)id >= njoins)
		joins = ior_xgrow(joins, &njoins, id + 1, sizeof(*joins));
	return &joins[id];
}

int64_t join_after(const struct ior_rec *r, int is_exit, int64_t seq)
{
	struct join *p = join_of(r->pid), *t;
	int64_t after = 0, exit_seq, exit_tid;

	if (!p)
		return 0;
	exit_seq = p->exit_seq;	/* join_of may move the table */
	exit_tid = p->exit_tid;
	if (exit_seq && exit_tid != r->tid && (t = join_of(r->tid)) &&
	    t->seen < exit_seq) {
		after = exit_seq;
		t->seen = after;
	}
	if (is_exit) {
		p = join_of(r->pid);
		p->exit_seq = seq;
		p->exit_tid = r->tid;
	}
	return after;
}

void order_cleanup(void)
{
	free(joins);
	joins = NULL;
	njoins = 0;
}
