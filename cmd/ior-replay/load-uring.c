/*
 * load-uring.c - a program with io_uring records, streamed (window.h):
 * each request's ties and each submission's queue depth made as the
 * records come, in memory that follows what is in flight, not the
 * program's length; what they give is what link_uring and find_depths
 * (load-async.c) give over all of the program held in memory.
 *
 * Request records come as their requests completed, so some come before
 * the io_uring_enter that submitted them, and those of a submission out
 * of the order they were submitted in. A submission's requests (its
 * sub=, or an SQPOLL thread's batch=) are kept in memory in submission
 * order (TIME, then program order) as they come: each joins at its
 * place, and the ops before and after it there are patched in the spool
 * (op.batch). An io_uring_enter's requests that came before it are tied
 * when it comes; its link is let go once as many requests as its RET
 * (the SQEs the kernel took) named it, as an io_submit's is. An SQPOLL
 * batch's first request submits the batch: it is known at once; its
 * link is let go BATCH_REACH ops after that one (load.h). The
 * requests of a sub no io_uring_enter of the program has are orphans,
 * settled once out of reach (LINK_REACH, load.h) or all is loaded.
 *
 * Queue depths: each ring's requests, by process, are swept in
 * submission order, with the completion times of those in flight in a
 * heap (per queue): as many as the capture had in flight. Records come
 * nearly in submission order: those that came are held in a heap of at
 * most UR_REORDER, the earliest taken from it into the sweep as more
 * come. One that comes after a later one of its queue was swept cannot
 * be swept in its place: then the depths are found over the whole
 * program, held in memory (load.c says so on stderr).
 */
#define _GNU_SOURCE
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "ior.h"
#include "load.h"
#include "program.h"
#include "window.h"

/* ---- the ops tied: the one being loaded, or one spooled ---- */

static void tie(uint32_t i, uint64_t off, size_t f, const void *v, size_t n)
{
	if (i == prog.nops)
		memcpy((char *)&ld.scratch + f, v, n);
	else
		spool_patch(off, f, v, n);
}

static void tie_u32(uint32_t i, uint64_t off, size_t f, uint32_t v)
{
	tie(i, off, f, &v, sizeof(v));
}

static uint32_t tied_u32(uint32_t i, uint64_t off, size_t f)
{
	uint32_t v;

	if (i == prog.nops)
		memcpy(&v, (char *)&ld.scratch + f, sizeof(v));
	else
		spool_peek(off, f, &v, sizeof(v));
	return v;
}

static void span_of(uint32_t a, uint32_t b)
{
	uint32_t d = a < b ? b - a : a - b;

	if (d > ld.span)
		ld.span = d;
}

/* ---- the sweep of queue depths ---- */

/* A request in the sweep: its queue, its times, its submission's op. */
struct sweep_req {
	uint64_t t, end;
	uint64_t sub_off;
	int64_t pid;
	uint32_t op, sub;
	int32_t ring;
};

/* A ring's requests, by process: the sweep is at time gt. */
struct queue {
	int64_t pid;
	int32_t ring;
	uint64_t *ends;		/* a min-heap: completions of those in flight */
	size_t nends, ends_cap;
	int begun;
	uint64_t gt;		/* the group of requests submitted at gt */
	uint32_t glast;		/* its last op */
	struct sweep_req *g;
	size_t ng, g_cap;
};

static struct {
	struct sweep_req *held;	/* a min-heap by (t, op) */
	size_t nheld, held_cap;
	struct ior_hashmap queues;	/* hash of (pid, ring) -> queue */
	struct queue **all;
	size_t nall, all_cap;
	uint32_t last_sub;	/* the last depth patched, and its value */
	uint32_t last_depth;
} sw = { .last_sub = NONE };

static int req_before(const struct sweep_req *x, const struct sweep_req *y)
{
	return x->t != y->t ? x->t < y->t : x->op < y->op;
}

static void held_push(const struct sweep_req *r)
{
	size_t i = sw.nheld++;

	sw.held = ior_xgrow(sw.held, &sw.held_cap, sw.nheld, sizeof(*sw.held));
	for (; i && req_before(r, &sw.held[(i - 1) / 2]); i = (i - 1) / 2)
		sw.held[i] = sw.held[(i - 1) / 2];
	sw.held[i] = *r;
}

static struct sweep_req held_pop(void)
{
	struct sweep_req top = sw.held[0], last = sw.held[--sw.nheld];
	size_t i = 0, c;

	while ((c = 2 * i + 1) < sw.nheld) {
		if (c + 1 < sw.nheld && req_before(&sw.held[c + 1], &sw.held[c]))
			c++;
		if (!req_before(&sw.held[c], &last))
			break;
		sw.held[i] = sw.held[c];
		i = c;
	}
	if (sw.nheld)
		sw.held[i] = last;
	return top;
}

static void ends_push(struct queue *q, uint64_t e)
{
	size_t i = q->nends++;

	q->ends = ior_xgrow(q->ends, &q->ends_cap, q->nends, sizeof(*q->ends));
	for (; i && e < q->ends[(i - 1) / 2]; i = (i - 1) / 2)
		q->ends[i] = q->ends[(i - 1) / 2];
	q->ends[i] = e;
}

static void ends_pop(struct queue *q)
{
	uint64_t last = q->ends[--q->nends];
	size_t i = 0, c;

	while ((c = 2 * i + 1) < q->nends) {
		if (c + 1 < q->nends && q->ends[c + 1] < q->ends[c])
			c++;
		if (q->ends[c] >= last)
			break;
		q->ends[i] = q->ends[c];
		i = c;
	}
	if (q->nends)
		q->ends[i] = last;
}

static struct queue *queue_of(int64_t pid, int32_t ring)
{
	uint64_t h = ior_hash_u64((uint64_t)pid * 0x100000001b3ull ^
				  (uint32_t)ring);
	size_t i = ior_hashmap_home(&sw.queues, h);
	struct queue *q;

	while ((q = ior_hashmap_next(&sw.queues, h, &i)))
		if (q->pid == pid && q->ring == ring)
			return q;
	q = ior_xcalloc(1, sizeof(*q));
	q->pid = pid;
	q->ring = ring;
	ior_hashmap_add(&sw.queues, h, q);
	sw.all = ior_xgrow(sw.all, &sw.all_cap, sw.nall + 1, sizeof(*sw.all));
	sw.all[sw.nall++] = q;
	return q;
}

/* Submission sub (at spool offset off) had d requests in flight. */
static void depth_raise(uint32_t sub, uint64_t off, int64_t d)
{
	uint32_t now = sw.last_sub == sub ? sw.last_depth :
		tied_u32(sub, off, offsetof(struct prog_op, depth));

	sw.last_sub = sub;
	sw.last_depth = now;
	if (d <= now)
		return;
	tie_u32(sub, off, offsetof(struct prog_op, depth), d);
	sw.last_depth = d;
}

/*
 * The group of q's requests submitted at q->gt, in program order: each
 * has those in flight once the group's are and those completed by then
 * are not, less the ones of the group after it (find_depths).
 */
static void group_end(struct queue *q)
{
	uint64_t l;

	for (size_t k = 0; k < q->ng; k++)
		ends_push(q, q->g[k].end);
	while (q->nends && q->ends[0] <= q->gt)
		ends_pop(q);
	l = q->nends;
	for (size_t k = 0; k < q->ng; k++)
		depth_raise(q->g[k].sub, q->g[k].sub_off,
			    (int64_t)l - (int64_t)q->ng + (int64_t)k + 1);
	q->ng = 0;
}

static void sweep(const struct sweep_req *r)
{
	struct queue *q = queue_of(r->pid, r->ring);

	if (q->begun && (r->t < q->gt || (r->t == q->gt && r->op < q->glast))) {
		ld.uring_disorder = 1;	/* came too late to be swept */
		return;
	}
	if (q->begun && r->t != q->gt)
		group_end(q);
	q->begun = 1;
	q->gt = r->t;
	q->glast = r->op;
	q->g = ior_xgrow(q->g, &q->g_cap, q->ng + 1, sizeof(*q->g));
	q->g[q->ng++] = *r;
}

/* Request m, submitted by op sub (at spool offset off), is swept in time. */
static void sweep_add(const struct ur_member *m, uint32_t sub, uint64_t off)
{
	struct sweep_req r = { m->ctime, m->end, off, m->pid, m->op, sub,
			       m->ring };

	if (ld.uring_disorder)
		return;
	held_push(&r);
	while (sw.nheld > UR_REORDER) {
		r = held_pop();
		sweep(&r);
	}
}

static void sweep_end(void)
{
	struct sweep_req r;

	while (sw.nheld) {
		r = held_pop();
		sweep(&r);
	}
	for (size_t i = 0; i < sw.nall; i++) {
		if (sw.all[i]->ng && !ld.uring_disorder)
			group_end(sw.all[i]);
		free(sw.all[i]->ends);
		free(sw.all[i]->g);
		free(sw.all[i]);
	}
	free(sw.all);
	free(sw.held);
	ior_hashmap_free(&sw.queues);
	memset(&sw, 0, sizeof(sw));
	sw.last_sub = NONE;
}

/* ---- a submission's requests, in submission order ---- */

static struct ur_member member_of(const struct args *a,
				  const struct prog_op *op)
{
	uint64_t end = op->ctime + op->cdur;

	/* in flight as the capture ended: never completed (find_depths) */
	if (a->val[K_inflight] && strcmp(a->val[K_inflight], "0"))
		end = UINT64_MAX;
	if (end < op->ctime)
		end = UINT64_MAX;
	return (struct ur_member){ op->ctime, end, ld.op_off, a->r->pid,
				   a->r->tid, prog.nops, op->ring };
}

/* The op a link's requests follow: its io_uring_enter, its SQPOLL lead. */
static uint32_t head_of(const struct sub_link *l)
{
	return l->b ? l->head : l->op;
}

/* Member k of l is tied: from the one before it (or l's head), to the next. */
static void chain_tie(const struct sub_link *l, uint32_t k)
{
	const struct ur_member *m = &l->mem[k];

	if (k)
		tie_u32(m[-1].op, m[-1].off, offsetof(struct prog_op, batch),
			m->op);
	else
		tie_u32(head_of(l), l->off, offsetof(struct prog_op, batch),
			m->op);
	tie_u32(m->op, m->off, offsetof(struct prog_op, batch),
		k + 1 < l->nmem ? m[1].op : NONE);
}

/* Member m joins l's, at its place in submission order; where it is. */
static uint32_t member_add(struct sub_link *l, const struct ur_member *m)
{
	uint32_t k = l->nmem;

	/* room from 2 on, not ior_grow's 16: most subs have one or two */
	if (!l->memcap) {
		l->mem = ior_xmalloc(2 * sizeof(*l->mem));
		l->memcap = 2;
	}
	l->mem = ior_xgrow(l->mem, &l->memcap, k + 1, sizeof(*l->mem));
	/* m is the latest in the program: after those of its TIME */
	while (k && l->mem[k - 1].ctime > m->ctime)
		k--;
	memmove(l->mem + k + 1, l->mem + k, (l->nmem - k) * sizeof(*l->mem));
	l->mem[k] = *m;
	l->nmem++;
	return k;
}

/* Request m, of l's head, joins its requests tied, and is swept. */
static void chain_join(struct sub_link *l, const struct ur_member *m)
{
	uint32_t k = member_add(l, m), h = head_of(l);

	tie_u32(m->op, m->off, offsetof(struct prog_op, target), h);
	chain_tie(l, k);
	/* the window holds the last before its head runs (order.c) */
	tie_u32(h, l->off, offsetof(struct prog_op, reach), m->op);
	span_of(h, m->op);
	sweep_add(m, h, l->off);
}

/* An io_uring_enter's link, once all its requests came, is let go. */
static void enter_done(struct sub_link *l)
{
	if (l->cret > 0 && l->nreq >= (uint64_t)l->cret)
		link_release(&ld.subs, l);
}

/*
 * SQPOLL batches, by their first request, oldest first: a batch's link
 * is let go once BATCH_REACH ops came after its first (load.h).
 */
static struct batch_lead {
	struct sub_link *l;
	uint32_t head;
} *leads;
static size_t nleads, leads_first, leads_cap;

static void batch_led(struct sub_link *l)
{
	if (leads_first && leads_first == nleads)
		nleads = leads_first = 0;
	else if (leads_first > 1024 && 2 * leads_first > nleads) {
		nleads -= leads_first;
		memmove(leads, leads + leads_first, nleads * sizeof(*leads));
		leads_first = 0;
	}
	leads = ior_xgrow(leads, &leads_cap, nleads + 1, sizeof(*leads));
	leads[nleads++] = (struct batch_lead){ l, l->head };
}

/*
 * Let go the batches led more than BATCH_REACH ops ago: each entry is
 * its link's own (only this lets a batch's link go), so it is released
 * once.
 */
static void batches_expire(void)
{
	while (leads_first < nleads &&
	       batch_out_of_reach(leads[leads_first].head))
		link_release(&ld.subs, leads[leads_first++].l);
}

void uring_join(const struct args *a, struct prog_op *op, uint64_t sub,
		int batch)
{
	struct sub_link *l;
	struct ur_member m = member_of(a, op);

	if (batch)
		batches_expire();
	l = link_get(&ld.subs, sub, batch, 1);
	if (batch && l->head == NONE) {
		/* an SQPOLL batch's first request: it submits the batch */
		op->alone = ALONE_LEAD;
		l->head = prog.nops;
		l->off = ld.op_off;
		batch_led(l);
		sweep_add(&m, prog.nops, ld.op_off);
		return;
	}
	if (batch) {
		chain_join(l, &m);
		return;
	}
	if (l->op == UNSEEN) {		/* tied once its call comes */
		member_add(l, &m);
		return;
	}
	/* not its thread's io_uring_enter: never issued */
	if (l->kind != IOR_REPLAY_URING_ENTER || l->tid != a->r->tid) {
		op->alone = ALONE_ORPHAN;
		return;
	}
	chain_join(l, &m);
	l->nreq++;
	enter_done(l);
}

void uring_enter_takes(struct sub_link *l, struct prog_op *op, int64_t tid)
{
	uint32_t n = 0;

	l->op = prog.nops;
	l->off = ld.op_off;
	l->kind = op->kind;
	l->tid = tid;
	l->seq = op->seq;
	l->cret = op->cret;
	/* those of another thread are not its own: never issued */
	for (uint32_t k = 0; k < l->nmem; k++) {
		if (l->mem[k].tid == tid)
			l->mem[n++] = l->mem[k];
		else
			tie(l->mem[k].op, l->mem[k].off,
			    offsetof(struct prog_op, alone),
			    &(uint8_t){ ALONE_ORPHAN }, sizeof(uint8_t));
	}
	l->nmem = n;
	for (uint32_t k = 0; k < n; k++) {
		tie_u32(l->mem[k].op, l->mem[k].off,
			offsetof(struct prog_op, target), l->op);
		chain_tie(l, k);
		span_of(l->op, l->mem[k].op);
		sweep_add(&l->mem[k], l->op, l->off);
	}
	l->nreq = n;
	enter_done(l);
}

void uring_orphans(const struct sub_link *l)
{
	for (uint32_t k = 0; k < l->nmem; k++)
		tie(l->mem[k].op, l->mem[k].off, offsetof(struct prog_op, alone),
		    &(uint8_t){ ALONE_ORPHAN }, sizeof(uint8_t));
}

void uring_spooled(void)
{
	struct sub_link *l;

	/* requests of a sub no io_uring_enter of the program has */
	for (size_t i = 0; i < ld.subs.map.cap; i++)
		if ((l = ld.subs.map.slot[i].val) && !l->b &&
		    l->op == UNSEEN)
			uring_orphans(l);
	free(leads);
	leads = NULL;
	nleads = leads_first = leads_cap = 0;
	sweep_end();
}
