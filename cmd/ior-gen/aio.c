/*
 * aio.c - after= of Linux AIO across threads (aio.h).
 *
 * The records of the requests a reap returned come before the reap's
 * record and name it (reap=, ior-format(5)); each names its submitting
 * call (sub=), whose seq is known by then. So a reap's record finds here,
 * by its number, the latest submission of each other thread whose
 * requests it reaped: it waits for those. A program that reuses an iocb
 * does so once the iocb's request was reaped: a request on an iocb that
 * another thread's reap returned last waits, with its submitting call,
 * for that reap. And io_destroy waits for the latest submission of each
 * other thread on its context. Memory: the reaps whose record has not
 * come yet, and the iocbs and submitting threads of each live context.
 */
#include <stdlib.h>

#include "ior.h"
#include "aio.h"
#include "order.h"
#include "record.h"

/* Of a reap: the latest submission of a thread whose requests it reaped. */
struct need {
	int64_t tid, seq;
};

/* An iocb by its context and address. */
struct iocb_key {
	uint64_t ctx, iocb;
};

/* A reap whose record has not come yet. */
struct reap_ent {
	uint64_t reap;
	struct need *need;
	size_t nneed, needcap;
	struct iocb_key *iocbs;		/* the iocbs of the requests it reaped */
	size_t niocbs, iocbcap;
};

/* The reap of an iocb's latest request: its seq and thread, once known. */
struct iocb_ent {
	uint64_t ctx, iocb, reap;	/* reap: 0 when none reaped it */
	int64_t seq, tid;		/* seq 0: not known (yet) */
};

/* The latest io_submit of a thread on a context. */
struct submit_ent {
	uint64_t ctx;
	int64_t tid, seq;
};

static struct ior_hashmap reaps, iocbs, submits;

/*
 * The reaps whose record came, by number, direct-mapped: a request
 * reaped before its io_submit returned comes after that io_submit's
 * record, so after its reap's.
 */
#define SEEN 4096
static struct { uint64_t reap; int64_t seq, tid; } seen[SEEN];

static uint64_t pair_key(uint64_t a, uint64_t b)
{
	return ior_hash_u64(a ^ ior_hash_u64(b));
}

static struct iocb_ent *iocb_get(uint64_t ctx, uint64_t iocb, int make)
{
	uint64_t k = pair_key(ctx, iocb);
	size_t i = iocbs.cap ? ior_hashmap_home(&iocbs, k) : 0;
	struct iocb_ent *e;

	while ((e = ior_hashmap_next(&iocbs, k, &i)))
		if (e->ctx == ctx && e->iocb == iocb)
			return e;
	if (!make)
		return NULL;
	e = ior_xcalloc(1, sizeof(*e));
	e->ctx = ctx;
	e->iocb = iocb;
	ior_hashmap_add(&iocbs, k, e);
	return e;
}

static struct submit_ent *submit_get(uint64_t ctx, int64_t tid)
{
	uint64_t k = pair_key(ctx, tid);
	size_t i = submits.cap ? ior_hashmap_home(&submits, k) : 0;
	struct submit_ent *e;

	while ((e = ior_hashmap_next(&submits, k, &i)))
		if (e->ctx == ctx && e->tid == tid)
			return e;
	e = ior_xcalloc(1, sizeof(*e));
	e->ctx = ctx;
	e->tid = tid;
	ior_hashmap_add(&submits, k, e);
	return e;
}

static struct reap_ent *reap_get(uint64_t reap, int make)
{
	uint64_t k = ior_hash_u64(reap);
	size_t i = reaps.cap ? ior_hashmap_home(&reaps, k) : 0;
	struct reap_ent *e;

	while ((e = ior_hashmap_next(&reaps, k, &i)))
		if (e->reap == reap)
			return e;
	if (!make)
		return NULL;
	e = ior_xcalloc(1, sizeof(*e));
	e->reap = reap;
	ior_hashmap_add(&reaps, k, e);
	return e;
}

static void reap_free(struct reap_ent *e)
{
	free(e->need);
	free(e->iocbs);
	free(e);
}

/*
 * A request of thread tid submitted by operation sseq (0: not seen yet,
 * nothing to wait for) on iocb ctx, iocb was reaped by e.
 */
static void reaped(struct reap_ent *e, int64_t tid, int64_t sseq,
		   uint64_t ctx, uint64_t iocb)
{
	size_t i;

	for (i = 0; i < e->nneed && e->need[i].tid != tid; i++)
		;
	if (sseq > 0 && i == e->nneed) {
		e->need = ior_xgrow(e->need, &e->needcap, i + 1,
				    sizeof(*e->need));
		e->need[e->nneed++] = (struct need){ tid, 0 };
	}
	if (sseq > 0 && sseq > e->need[i].seq)
		e->need[i].seq = sseq;
	e->iocbs = ior_xgrow(e->iocbs, &e->iocbcap, e->niocbs + 1,
			     sizeof(*e->iocbs));
	e->iocbs[e->niocbs++] = (struct iocb_key){ ctx, iocb };
}

/* A reap's record, seq in the program, of thread tid: what it waits for. */
static void reap_order(struct after_list *l, uint64_t reap, int64_t tid,
		       int64_t seq)
{
	struct reap_ent *e = reap_get(reap, 0);
	struct iocb_ent *ie;

	seen[reap & (SEEN - 1)].reap = reap;
	seen[reap & (SEEN - 1)].seq = seq;
	seen[reap & (SEEN - 1)].tid = tid;
	if (!e)
		return;
	for (size_t i = 0; i < e->nneed; i++)
		if (e->need[i].tid != tid)
			after_add(l, e->need[i].seq);
	for (size_t i = 0; i < e->niocbs; i++) {
		ie = iocb_get(e->iocbs[i].ctx, e->iocbs[i].iocb, 0);
		if (ie && ie->reap == reap) {
			ie->seq = seq;
			ie->tid = tid;
		}
	}
	ior_hashmap_del(&reaps, ior_hash_u64(reap), e);
	reap_free(e);
}

static int of_ctx(void *val, void *arg)
{
	uint64_t ctx = *(const uint64_t *)arg;

	if (*(const uint64_t *)val != ctx)	/* ctx: each entry's first */
		return 0;
	free(val);
	return 1;
}

static int by_seq(const void *a, const void *b)
{
	int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;

	return (x > y) - (x < y);
}

/*
 * io_destroy of ctx by thread tid: after the others' submissions on it,
 * in program order.
 */
static void destroy_order(struct after_list *l, uint64_t ctx, int64_t tid)
{
	int64_t *v = NULL;
	size_t n = 0, cap = 0;

	for (size_t i = 0; i < submits.cap; i++) {
		const struct submit_ent *s = submits.slot[i].val;

		if (s && s->ctx == ctx && s->tid != tid) {
			v = ior_xgrow(v, &cap, n + 1, sizeof(*v));
			v[n++] = s->seq;
		}
	}
	if (n)
		qsort(v, n, sizeof(*v), by_seq);
	for (size_t i = 0; i < n; i++)
		after_add(l, v[i]);
	free(v);
	ior_hashmap_drop_if(&submits, of_ctx, &ctx);
	ior_hashmap_drop_if(&iocbs, of_ctx, &ctx);
}

void aio_order(struct after_list *l, const struct ior_in *in,
	       const struct ior_rec *r, const struct args *a, int call,
	       int64_t seq, int64_t sseq)
{
	uint64_t ctx, iocb, reap;
	struct iocb_ent *ie;
	unsigned replay;

	if (call < 0 || !a->ctx)
		return;
	ctx = ior_hex(in, "ctx", a->ctx);
	switch (call) {
	case IOR_C_io_submit:
		submit_get(ctx, r->tid)->seq = seq;
		return;
	case IOR_C_io_getevents:
	case IOR_C_io_pgetevents:
		if (a->reap)
			reap_order(l, ior_uint(in, "reap", a->reap), r->tid, seq);
		return;
	case IOR_C_io_destroy:
		if (r->ret == 0)
			destroy_order(l, ctx, r->tid);
		return;
	}
	replay = ior_calls[call].replay;
	if (replay < IOR_REPLAY_AIO_PREAD || replay > IOR_REPLAY_AIO_NOOP ||
	    !a->iocb)
		return;
	/* a request: after the reap another thread made of its iocb */
	iocb = ior_hex(in, "iocb", a->iocb);
	ie = iocb_get(ctx, iocb, 1);
	if (ie->seq > 0 && ie->tid != r->tid && sseq > 0 && ie->seq < sseq)
		after_add(l, ie->seq);
	ie->reap = 0;
	ie->seq = 0;
	if (!a->reap)
		return;		/* in flight, or its pairing unknown */
	reap = ior_uint(in, "reap", a->reap);
	ie->reap = reap;
	if (seen[reap & (SEEN - 1)].reap == reap) {	/* its reap came */
		ie->seq = seen[reap & (SEEN - 1)].seq;
		ie->tid = seen[reap & (SEEN - 1)].tid;
		return;
	}
	reaped(reap_get(reap, 1), r->tid, sseq, ctx, iocb);
}

static int drop_reap(void *val, void *arg)
{
	(void)arg;
	reap_free(val);
	return 1;
}

static int drop_any(void *val, void *arg)
{
	(void)arg;
	free(val);
	return 1;
}

void aio_cleanup(void)
{
	ior_hashmap_drop_if(&reaps, drop_reap, NULL);
	ior_hashmap_drop_if(&iocbs, drop_any, NULL);
	ior_hashmap_drop_if(&submits, drop_any, NULL);
	ior_hashmap_free(&reaps);
	ior_hashmap_free(&iocbs);
	ior_hashmap_free(&submits);
}
