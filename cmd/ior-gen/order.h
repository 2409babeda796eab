/*
 * order.h - after=: the operations of other threads each operation waits
 * for in the replay (ior-gen(1), ORDERING): the last one on each resource
 * it touches, the submitting call of a request, a thread exit it came
 * after.
 */
#ifndef GEN_ORDER_H
#define GEN_ORDER_H

#include <stdint.h>

#include "ior.h"

struct args;
struct ofd_ent;
struct path_ent;

/*
 * The after= of an operation: the seqs of other threads' operations it
 * waits for, each once, in the order found (0 is none: not added).
 */
#define AFTER_MAX 1024
struct after_list {
	int n;
	int64_t seq[AFTER_MAX];
};
void after_add(struct after_list *l, int64_t seq);

#define SUB_GONE (-2)		/* seen, then pushed out by a later one */

/*
 * The calls that submit AIO and io_uring requests (io_submit and
 * io_uring_enter), by their sub number: sub_seen when one is read (not
 * kept yet), sub_kept with its seq once kept; sub_seq the seq a call got:
 * -1 dropped, 0 not seen yet, or SUB_GONE.
 */
void sub_seen(uint64_t sub);
void sub_kept(uint64_t sub, int64_t seq);
int64_t sub_seq(uint64_t sub);

/*
 * The most recent operation of another thread on a resource this record
 * touches (its paths, files and descriptions), or that made, removed or
 * renamed the directory of one of its paths (order_name); then this
 * record, mark, becomes the last on each of them. mark is the record's
 * seq, or for a request -(sub + 1): what others wait for is its
 * submitting call.
 */
/*
 * r, as op, made, removed or renamed the names of its paths (when it
 * succeeded): mark is what the names beneath them wait for.
 */
void order_name(const struct ior_rec *r, const struct args *a,
		enum ior_tree op, int64_t mark);
int64_t order_after(const struct ior_in *in, const struct ior_rec *r,
		    const struct args *a,
		    struct ofd_ent *o, struct path_ent *fe,
		    struct ofd_ent *o2, struct path_ent *fe2, int64_t mark);
/*
 * The thread exit operation seq waits for (0: none); a thread exit
 * (is_exit) becomes its process's latest.
 */
int64_t join_after(const struct ior_rec *r, int is_exit, int64_t seq);
/* A thread exit (group: its process's) after its op: forget what it was. */
void join_exit(const struct ior_rec *r, int group);
/* Free the tables (at the end). */
void order_cleanup(void);

#endif
