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

void after_add(struct after_list *l, int64_t seq)
{
	if (seq <= 0 || l->n == AFTER_MAX)
		return;
	for (int i = 0; i < l->n; i++)
		if (l->seq[i] == seq)
			return;
	l->seq[l->n++] = seq;
}

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

/* The seq a mark stands for (a request's: its submitting call's), or 0. */
static int64_t mark_seq(int64_t mark)
{
	if (mark < 0 && (mark = sub_seq(-(mark + 1))) < 0)
		mark = 0;
	return mark;
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
	int64_t prev = mark_seq(*last_seq);

	if (*last_tid >= 0 && *last_tid != r->tid && prev > after)
		after = prev;
	*last_seq = mark;
	*last_tid = r->tid;
	return after;
}

/*
 * after, or the last operation of another thread that made, removed or
 * renamed the directory of path, if later: whether the name can be
 * reached depends on it. Not marked: names in one directory do not wait
 * for each other.
 */
static int64_t dir_after(const struct ior_rec *r, const char *path,
			 int64_t after)
{
	const char *slash = path ? strrchr(path, '/') : NULL;
	struct path_ent *d;
	int64_t prev;

	if (!slash || slash == path)
		return after;
	/* a '/' ends no escape: a parent's path is as well-formed */
	d = path_get_n(NULL, NULL, path, slash - path);
	prev = mark_seq(d->name_seq);
	if (d->name_tid >= 0 && d->name_tid != r->tid && prev > after)
		after = prev;
	return after;
}

void order_name(const struct ior_rec *r, const struct args *a,
		enum ior_tree op, int64_t mark)
{
	const char *p[2] = { a->path, a->path2 };

	if (r->ret < 0 || (op != IOR_TREE_MKDIR && op != IOR_TREE_RMDIR &&
			   op != IOR_TREE_RENAME && op != IOR_TREE_UNLINK &&
			   op != IOR_TREE_SYMLINK && op != IOR_TREE_LINK &&
			   op != IOR_TREE_MKNOD))
		return;
	for (int i = 0; i < 2; i++) {
		struct path_ent *e;

		if (!p[i])
			continue;
		e = path_get(NULL, NULL, p[i]);
		e->name_seq = mark;
		e->name_tid = r->tid;
	}
}

int64_t order_after(const struct ior_in *in, const struct ior_rec *r,
		    const struct args *a,
		    struct ofd_ent *o, struct path_ent *fe,
		    struct ofd_ent *o2, struct path_ent *fe2, int64_t mark)
{
	struct path_ent *e[4] = {
		a->path ? path_get(in, "path", a->path) : NULL,
		a->path2 ? path_get(in, "path2", a->path2) : NULL, fe, fe2,
	};
	int64_t after = dir_after(r, a->path, dir_after(r, a->path2, 0));

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
 * latest waits for all. Kept in maps by virtual id, only while they
 * live: a process from its first thread exit to its own exit, a thread
 * from its first wait to its exit (or its process's), so that memory
 * follows the live tasks, never their number or their ids.
 */
struct jproc;
struct jthread {
	int64_t tid;
	int64_t seen;			/* latest exit waited for */
	struct jproc *proc;
	struct jthread *prev, *next;	/* the process's */
};
struct jproc {
	int64_t pid;
	int64_t exit_seq, exit_tid;	/* latest thread exit */
	struct jthread *threads;
	struct jproc *next_spare;
};
static struct ior_hashmap jprocs, jthreads;	/* by vpid, vtid */
/* Freed ones, reused: no malloc and free per short-lived process. */
static struct jproc *jproc_spare;
static struct jthread *jthread_spare;

static void jthread_unlink(struct jthread *t)
{
	if (t->prev)
		t->prev->next = t->next;
	else
		t->proc->threads = t->next;
	if (t->next)
		t->next->prev = t->prev;
}

static void jthread_link(struct jthread *t, struct jproc *p)
{
	t->proc = p;
	t->prev = NULL;
	t->next = p->threads;
	if (p->threads)
		p->threads->prev = t;
	p->threads = t;
}

/* Thread tid of process p, made on first sight (or moved to p). */
static struct jthread *jthread_of(int64_t tid, struct jproc *p)
{
	struct jthread *t = ior_hashmap_get(&jthreads, tid);

	if (!t) {
		if ((t = jthread_spare))
			jthread_spare = t->next;
		else
			t = ior_xmalloc(sizeof(*t));
		t->tid = tid;
		t->seen = 0;
		ior_hashmap_put(&jthreads, tid, t);
		jthread_link(t, p);
	} else if (t->proc != p) {	/* a tid of another process */
		jthread_unlink(t);
		jthread_link(t, p);
		t->seen = 0;
	}
	return t;
}

int64_t join_after(const struct ior_rec *r, int is_exit, int64_t seq)
{
	struct jproc *p = ior_hashmap_get(&jprocs, r->pid);
	struct jthread *t;
	int64_t after = 0;

	if (p && p->exit_seq && p->exit_tid != r->tid) {
		t = jthread_of(r->tid, p);
		if (t->seen < p->exit_seq) {
			after = p->exit_seq;
			t->seen = after;
		}
	}
	if (is_exit) {
		if (!p) {
			if ((p = jproc_spare))
				jproc_spare = p->next_spare;
			else
				p = ior_xmalloc(sizeof(*p));
			p->pid = r->pid;
			p->threads = NULL;
			ior_hashmap_put(&jprocs, r->pid, p);
		}
		p->exit_seq = seq;
		p->exit_tid = r->tid;
	}
	return after;
}

static void jthread_free(struct jthread *t)
{
	jthread_unlink(t);
	ior_hashmap_del(&jthreads, t->tid, t);
	t->next = jthread_spare;
	jthread_spare = t;
}

static void jproc_free(struct jproc *p)
{
	while (p->threads)
		jthread_free(p->threads);
	ior_hashmap_del(&jprocs, p->pid, p);
	p->next_spare = jproc_spare;
	jproc_spare = p;
}

void join_exit(const struct ior_rec *r, int group)
{
	struct jthread *t = ior_hashmap_get(&jthreads, r->tid);
	struct jproc *p = ior_hashmap_get(&jprocs, r->pid);

	if (group && p)
		jproc_free(p);
	else if (t)
		jthread_free(t);
}

void order_cleanup(void)
{
	for (size_t i = 0; i < jprocs.cap; i++)
		while (jprocs.slot[i].val)
			jproc_free(jprocs.slot[i].val);
	/* every thread is its process's: none is left */
	ior_hashmap_free(&jprocs);
	ior_hashmap_free(&jthreads);
	while (jproc_spare) {
		struct jproc *p = jproc_spare;

		jproc_spare = p->next_spare;
		free(p);
	}
	while (jthread_spare) {
		struct jthread *t = jthread_spare;

		jthread_spare = t->next;
		free(t);
	}
}
