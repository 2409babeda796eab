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
#include "record.h"

struct ofd_ent;
struct path_ent;

/*
 * The after= of an operation: the seqs of other threads' operations it
 * waits for, each once, in the order found (0 is none: not added);
 * kinds, the WAIT_ kinds they were added on account of (cur, the one
 * of those being added).
 */
#define AFTER_MAX 1024
enum {
	WAIT_NAME = 1, WAIT_OFD = 2, WAIT_DATA = 4, WAIT_SIZE = 8,
	WAIT_FD = 16, WAIT_ASYNC = 32,
};
#define WAIT_KINDS 6
struct after_list {
	int n;
	unsigned kinds, cur;
	int64_t seq[AFTER_MAX];
};
static inline void after_init(struct after_list *l)
{
	l->n = 0;
	l->kinds = l->cur = 0;
}
void after_add_seq(struct after_list *l, int64_t seq);
/* after_add_seq(), of a seq that is one: most records add a 0, no call. */
static inline void after_add(struct after_list *l, int64_t seq)
{
	if (seq > 0)
		after_add_seq(l, seq);
}

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
 * Into l, the operations of other threads this record (op, call: its
 * row) must follow on the resources it touches (ior-gen(1),
 * "Operations"): its names and the directories above them, its
 * descriptor numbers, its descriptions o and o2, its files fe and fe2
 * (data and size); then it is kept as their latest access. mark is the
 * record's seq, or for a request -(sub + 1): what others wait for is its
 * submitting call. Only seqs below limit are added (0: any; SUB_GONE:
 * none).
 */
void order_after(struct after_list *l, const struct ior_in *in,
		 const struct ior_rec *r, const struct args *a,
		 enum ior_tree op, int call,
		 struct ofd_ent *o, struct path_ent *fe,
		 struct ofd_ent *o2, struct path_ent *fe2, int64_t mark,
		 int64_t limit);
/*
 * Every record, before it is decided (call: its row, op its tree
 * column): one that may share a descriptor or name one after its close
 * (a fork, a registered file) keeps every vfd's accesses from then on
 * (vfds_shared, order.c). Inline: asked of every record, most often
 * once it is set, or of a record that sets nothing.
 */
extern int vfds_shared;
static inline void order_note_sharing(int call, enum ior_tree op,
				      const struct args *a)
{
	if (!vfds_shared &&
	    (call == IOR_C_sched_fork || call == IOR_C_vfork ||
	     op == IOR_TREE_PROCESS || call == IOR_C_io_uring_register ||
	     call == IOR_C_ior_fixed || a->fixed || a->vfds))
		vfds_shared = 1;
}
/* Count the operation of l in the trailer's wait.* */
void order_count(const struct after_list *l);
/* The trailer's wait.* keys. */
void put_waits(struct ior_out *out);
/* A description is new: what was done through the old one is not its. */
void order_ofd_new(struct ofd_ent *o);
/*
 * The thread exit operation seq waits for (0: none); a thread exit
 * (is_exit) becomes its process's latest. Until a thread exits there
 * is none to wait for (join_procs, the processes that have one): no
 * call, for every record of most streams.
 */
extern size_t join_procs;
int64_t join_wait(const struct ior_rec *r, int is_exit, int64_t seq);
static inline int64_t join_after(const struct ior_rec *r, int is_exit,
				 int64_t seq)
{
	return is_exit || join_procs ? join_wait(r, is_exit, seq) : 0;
}
/* A thread exit (group: its process's) after its op: forget what it was. */
void join_exit(const struct ior_rec *r, int group);
/* Free the tables (at the end). */
void order_cleanup(void);

#endif
