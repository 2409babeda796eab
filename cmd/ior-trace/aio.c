/*
 * aio.c - Linux AIO: each iocb from its submission to its reaping.
 *
 * An io_submit's iocbs arrive from its entry (IOR_EV_AIO_SUBMIT), before
 * any of them can complete; its return says how many the kernel took.
 * The io_events a reap returned arrive before the reap's own event
 * (IOR_EV_AIO_EVENTS, naming it by its number), each naming its request
 * as the program does: by context, iocb address and aio_data. The
 * kernel's own request is not seen (Linux AIO has no tracepoint), so two
 * requests in flight at once under one such name cannot be told apart:
 * both are written with pair=unknown (ior-format(5)). A request is
 * written after its io_submit's record: one reaped before its io_submit
 * returned (another thread's reap can be that quick) waits for it. The
 * requests in flight are kept here: bounded by what the processes have
 * in flight, and by AIO_MAX.
 */
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "aio.h"
#include "decode.h"
#include "output.h"

#define AIO_BUCKETS 4096
#define AIO_MAX (1 << 20)
#define AIO_CHUNK 1024

/* A submitted iocb not yet reaped. */
struct aio_pending {
	struct aio_pending *next;	/* in its hash chain, or the free list */
	uint64_t ctx, sub, time;
	struct ior_iocb cb;
	uint32_t pid, tid, idx;	/* idx: its place in its io_submit */
	bool twin;		/* submitted while another of its name was
				   in flight: its completion is not known */
	bool open;		/* its io_submit has not returned */
	bool done;		/* reaped while open: res, reaped, reap */
	int64_t res;
	uint64_t reaped, reap;
	char comm[IOR_COMM_LEN];
};

/* An io_submit that has not returned, and its requests. */
struct aio_open {
	uint64_t sub;
	struct aio_pending **req;
	size_t n, cap;
};

static struct aio_pending *pending[AIO_BUCKETS], *free_list;
static struct aio_open *opens;
static size_t nopens, opens_cap;
static size_t nlive;
static uint64_t nlost;		/* iocbs not read, or above AIO_MAX */
static uint64_t nunknown;	/* io_events of requests not seen submitted */
static uint64_t nunpaired;	/* requests written with pair=unknown */

static const char *const aio_calls[] = {
	[0] = "aio:pread", [1] = "aio:pwrite", [2] = "aio:fsync",
	[3] = "aio:fdsync", [5] = "aio:poll", [6] = "aio:noop",
	[7] = "aio:preadv", [8] = "aio:pwritev",
};

uint64_t aio_lost(void)
{
	return nlost;
}

uint64_t aio_unknown(void)
{
	return nunknown;
}

uint64_t aio_unpaired(void)
{
	return nunpaired;
}

/* A request's name, as an io_event gives it: context, address, aio_data. */
static struct aio_pending **aio_bucket(uint64_t ctx, uint64_t iocb,
				       uint64_t data)
{
	uint64_t h = (ctx ^ iocb ^ data * 0x100000001b3ull) *
		     0x9e3779b97f4a7c15ull;

	return &pending[h >> 52];	/* 12 bits: AIO_BUCKETS */
}

/*
 * The pending request of that name not reaped yet, or where one goes:
 * NULL at *pp.
 */
static struct aio_pending **aio_find(uint64_t ctx, uint64_t iocb,
				     uint64_t data)
{
	struct aio_pending **pp = aio_bucket(ctx, iocb, data);

	while (*pp && ((*pp)->ctx != ctx || (*pp)->cb.iocb != iocb ||
		       (*pp)->cb.data != data || (*pp)->done))
		pp = &(*pp)->next;
	return pp;
}

/* The io_submit sub that has not returned: NULL, or a new one if make. */
static struct aio_open *open_of(uint64_t sub, bool make)
{
	for (size_t i = 0; i < nopens; i++)
		if (opens[i].sub == sub)
			return &opens[i];
	if (!make)
		return NULL;
	opens = ior_xgrow(opens, &opens_cap, nopens + 1, sizeof(*opens));
	opens[nopens] = (struct aio_open){ .sub = sub };
	return &opens[nopens++];
}

static void open_end(struct aio_open *o)
{
	free(o->req);
	*o = opens[--nopens];
}

static void aio_del(struct aio_pending **pp)
{
	struct aio_pending *r = *pp;
	struct aio_open *o;

	if (r->open && (o = open_of(r->sub, false)))
		for (size_t i = 0; i < o->n; i++)
			if (o->req[i] == r) {
				o->req[i] = o->req[--o->n];
				break;
			}
	*pp = r->next;
	r->next = free_list;
	free_list = r;
	nlive--;
}

/* Where request r is in its hash chain. */
static struct aio_pending **aio_slot(const struct aio_pending *r)
{
	struct aio_pending **pp = aio_bucket(r->ctx, r->cb.iocb, r->cb.data);

	while (*pp != r)
		pp = &(*pp)->next;
	return pp;
}

/* How a request's record ends. */
enum aio_end {
	AIO_REAPED,	/* by the reap numbered reap */
	AIO_INFLIGHT,	/* its context or the capture ended first */
	AIO_TWINNED,	/* another of its name was submitted: not known */
};

/*
 * The record of request r: reaped with result ret after dur, or (ret,
 * dur 0) still in flight when its context or the capture ended, or
 * when a request of its name was submitted.
 */
static void write_aio(const struct aio_pending *r, int64_t ret, uint64_t dur,
		      uint64_t reap, enum aio_end end)
{
	const struct ior_iocb *cb = &r->cb;
	const char *call = NULL;
	char buf[32];
	bool vec = cb->opcode == 7 || cb->opcode == 8;

	if (cb->opcode < sizeof(aio_calls) / sizeof(aio_calls[0]))
		call = aio_calls[cb->opcode];
	if (!call) {
		snprintf(buf, sizeof(buf), "aio:%u", cb->opcode);
		call = buf;
	}
	put_head(rel_time(r->time), r->pid, r->tid, r->comm, call, ret, dur);
	ior_put_kv_i64(&trace_out, "fd", (int)cb->fd);
	ior_put_kv_i64(&trace_out, "offset", cb->offset);
	ior_put_kv_i64(&trace_out, "count", cb->count);
	if (vec)
		ior_put_kv_i64(&trace_out, "iovcnt", cb->nbytes);
	if (cb->rw_flags)
		put_flags("flags", ior_rwf_flags, cb->rw_flags);
	put_hex("ctx", r->ctx);
	ior_put_kv_i64(&trace_out, "sub", r->sub);
	put_hex("iocb", cb->iocb);
	if (end == AIO_REAPED)
		ior_put_kv_i64(&trace_out, "reap", reap);
	if (r->twin || end == AIO_TWINNED) {
		ior_put_kv(&trace_out, "pair", "unknown");
		nunpaired++;
	}
	if (end == AIO_INFLIGHT)
		ior_put_kv(&trace_out, "inflight", "1");
	put_err(ret);
	ior_putc(&trace_out, '\n');
}

/*
 * Keep a submitted iocb. One of the same name still in flight cannot be
 * told from it any more: it is written now, and the new one's record
 * will say so too.
 */
static void aio_add(const struct ior_event *e, const struct ior_iocb *cb,
		    uint32_t idx)
{
	struct aio_pending **pp = aio_find(e->args[0], cb->iocb, cb->data), *r;
	bool twin = *pp != NULL;
	struct aio_open *o;

	if (twin) {
		write_aio(*pp, 0, 0, 0, AIO_TWINNED);
		aio_del(pp);
	}
	if (nlive >= AIO_MAX) {
		nlost++;
		return;
	}
	if (!free_list) {
		struct aio_pending *chunk = calloc(AIO_CHUNK, sizeof(*chunk));

		if (!chunk)
			ior_err(IOR_EXIT_SYS, "calloc");
		for (int i = 0; i < AIO_CHUNK; i++) {
			chunk[i].next = free_list;
			free_list = &chunk[i];
		}
	}
	r = free_list;
	free_list = r->next;
	r->next = NULL;
	r->ctx = e->args[0];
	r->sub = e->args[2];
	r->time = e->time;
	r->cb = *cb;
	r->pid = e->pid;
	r->tid = e->tid;
	r->idx = idx;
	r->twin = twin;
	r->open = true;
	r->done = false;
	memcpy(r->comm, e->comm, IOR_COMM_LEN);
	*aio_find(r->ctx, cb->iocb, cb->data) = r;
	nlive++;
	o = open_of(r->sub, true);
	o->req = ior_xgrow(o->req, &o->cap, o->n + 1, sizeof(*o->req));
	o->req[o->n++] = r;
}

void aio_submitted(const struct ior_event *e)
{
	const struct ior_iocb *cb = (const void *)e->data;

	for (uint32_t i = 0; i < e->len1 / sizeof(*cb); i++) {
		if (cb[i].iocb)
			aio_add(e, &cb[i], e->args[3] + i);
		else
			nlost++;
	}
}

/* The record of request r, reaped while its io_submit had not returned. */
static void write_done(const struct aio_pending *r)
{
	write_aio(r, r->res, r->reaped > r->time ? r->reaped - r->time : 0,
		  r->reap, AIO_REAPED);
}

void aio_flush(uint64_t ctx)
{
	for (int b = 0; b < AIO_BUCKETS; b++)
		for (struct aio_pending **pp = &pending[b]; *pp;) {
			if (ctx && (*pp)->ctx != ctx) {
				pp = &(*pp)->next;
				continue;
			}
			/*
			 * At the end, an io_submit still in the kernel is not
			 * written, as no call in flight is: nor its requests.
			 */
			if (!ctx && (*pp)->open)
				;
			else if ((*pp)->done)
				write_done(*pp);
			else
				write_aio(*pp, 0, 0, 0, AIO_INFLIGHT);
			aio_del(pp);
		}
}

/*
 * io_submit returned: the kernel took its first RET iocbs (none when RET
 * < 0), so forget the others; write those already reaped.
 */
static void aio_returned(const struct ior_event *e)
{
	struct aio_open *o = open_of(e->val[0], false);
	struct aio_pending *r;

	if (!o)
		return;
	for (size_t i = 0; i < o->n; i++) {
		r = o->req[i];
		r->open = false;
		if ((int64_t)r->idx >= e->ret) {
			aio_del(aio_slot(r));
		} else if (r->done) {
			write_done(r);
			aio_del(aio_slot(r));
		}
	}
	open_end(o);
}

void aio_reaped(const struct ior_event *e)
{
	const struct ior_io_event *ev = (const void *)e->data;
	uint64_t reaped = e->time + e->dur;
	struct aio_pending **pp;

	for (uint32_t i = 0; i < e->len1 / sizeof(*ev); i++) {
		pp = aio_find(e->args[0], ev[i].obj, ev[i].data);
		if (!*pp) {
			nunknown++;
			continue;
		}
		if ((*pp)->open) {	/* written once its io_submit returns */
			(*pp)->done = true;
			(*pp)->res = ev[i].res;
			(*pp)->reaped = reaped;
			(*pp)->reap = e->args[1];
			continue;
		}
		write_aio(*pp, ev[i].res, reaped > (*pp)->time ?
			  reaped - (*pp)->time : 0, e->args[1], AIO_REAPED);
		aio_del(pp);
	}
}

const struct ior_event *aio_early(const struct ior_event *e,
				  struct ior_event *copy)
{
	if (e->time || !e->size)
		return e;
	memcpy(copy, e, sizeof(*copy));
	copy->dur = rel_time(e->dur);
	return copy;
}

bool aio_tracks(const struct ior_call *c)
{
	int id = c - ior_calls;

	return id == IOR_C_io_submit || id == IOR_C_io_destroy;
}

void aio_track(const struct call_rec *c)
{
	const struct ior_event *e = c->e;

	switch (c->row->native) {
	case IOR_C_io_submit:
		aio_returned(e);
		break;
	case IOR_C_io_destroy:
		if (e->ret == 0 && e->args[0])
			aio_flush(e->args[0]);
		break;
	}
}

/* X(ctx) of io_setup: the context it made. */
void aio_put_ctx(const struct call_rec *c)
{
	if (c->ok)
		put_hex("ctx", c->e->val[0]);
}

/* X(timeout) of the reaps: seconds with nine decimals, when one was given. */
void aio_put_timeout(const struct call_rec *c)
{
	const struct ior_event *e = c->e;
	char buf[48];

	if (!e->val[2])
		return;
	snprintf(buf, sizeof(buf), "%lld.%09lld", (long long)e->val[0],
		 (long long)e->val[1]);
	ior_put_kv(&trace_out, "timeout", buf);
}

/*
 * X(reap) of the reaps: the number the records of the requests it
 * reaped name, when it reaped any; early=1 when it was already waiting
 * as the capture began.
 */
void aio_put_reap(const struct call_rec *c)
{
	if (!c->e->size)
		return;
	ior_put_kv_i64(&trace_out, "reap", c->e->size);
	if (!c->e->time)
		ior_put_kv(&trace_out, "early", "1");
}

/* X(sigmask) of io_pgetevents: 1 when a signal mask was given. */
void aio_put_sigmask(const struct call_rec *c)
{
	ior_put_kv_i64(&trace_out, "sigmask", c->e->val[3]);
}
