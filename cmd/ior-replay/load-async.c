/*
 * load-async.c - loading AIO and io_uring records: each request is tied
 * to the io_submit or io_uring_enter that issues it (sub=), an io_cancel
 * to the request it names, and each io_uring_enter gets the queue depth
 * the capture kept. AIO's ties are made as the records come, spooled
 * (window.h), and so are io_uring's (load-uring.c); io_uring's passes
 * here over all of the program held (link_uring, find_depths) are for a
 * program held whole from its first io_uring record (IOR_REPLAY_HOLD),
 * and, the depths, when a streamed sweep cannot find them.
 */
#define _GNU_SOURCE
#include <liburing.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ior.h"
#include "load.h"
#include "program.h"
#include "window.h"

/* The hash of (a, b): a sub (b = 0), or a context and an iocb address. */
static uint64_t link_key(uint64_t a, uint64_t b)
{
	return ior_hash_u64(a ^ b * 0x100000001b3ull);
}

/*
 * Whether the op being loaded is within l's reach (load.h). An SQPOLL
 * batch's link is let go by its own rule (BATCH_REACH).
 */
static int link_in_reach(const struct sub_links *t, const struct sub_link *l)
{
	return (t == &ld.subs && l->b) || prog.nops - l->at <= LINK_REACH;
}

static void link_expire(struct sub_links *t, struct sub_link *l);

/* A new link is UNSEEN; one out of reach is let go, and made anew. */
struct sub_link *link_get(struct sub_links *t, uint64_t a, uint64_t b,
				 int make)
{
	uint64_t h = link_key(a, b);
	size_t i = ior_hashmap_home(&t->map, h);
	struct sub_link *l;

	while ((l = ior_hashmap_next(&t->map, h, &i)))
		if (l->a == a && l->b == b) {
			if (link_in_reach(t, l))
				return l;
			link_expire(t, l);
			break;
		}
	if (!make)
		return NULL;
	if (t->free) {
		l = t->free;
		t->free = l->next_free;
	} else {
		if (!t->blocks || t->used == LINK_BLOCK) {
			struct link_block *k = ior_xmalloc(sizeof(*k));

			k->next = t->blocks;
			t->blocks = k;
			t->used = 0;
		}
		l = &t->blocks->link[t->used++];
	}
	*l = (struct sub_link){ .a = a, .b = b, .at = prog.nops, .op = UNSEEN,
				.head = NONE, .tail = NONE };
	ior_hashmap_add(&t->map, h, l);
	return l;
}

/*
 * Spooled, an io_submit's or a reap's link once as many requests as its
 * RET says named it: let go, no other record can use it (a sub, a reap
 * is one call's). Held whole, links stay until link_aio, as the checks
 * of a sub used twice have them.
 */
static void link_done(struct sub_links *t, struct sub_link *l)
{
	if (!ld.spool || l->op == UNSEEN || l->cret <= 0 ||
	    (t == &ld.subs ? l->nreq : l->count) < (uint64_t)l->cret)
		return;
	link_release(t, l);
}

/* l, out of its map, to be made again. */
static void link_free(struct sub_links *t, struct sub_link *l)
{
	free(l->mem);
	l->mem = NULL;
	l->next_free = t->free;
	t->free = l;
}

void link_release(struct sub_links *t, struct sub_link *l)
{
	if (!ior_hashmap_del(&t->map, link_key(l->a, l->b), l))
		ior_errx(IOR_EXIT_SYS, "a link not in its map");
	link_free(t, l);
}

static void link_unseen(const struct sub_link *l, uint32_t **v, size_t *cap);

/*
 * What is let go with a link out of reach: the requests of an
 * io_uring_enter that never came are orphans, as once all is loaded.
 * The others' ties are made already.
 */
static void link_settle(struct sub_links *t, const struct sub_link *l)
{
	if (t != &ld.subs || l->b || l->op != UNSEEN)
		return;
	if (ld.spool)
		uring_orphans(l);
	else if (l->head != NONE)
		link_unseen(l, NULL, NULL);
}

static void link_expire(struct sub_links *t, struct sub_link *l)
{
	link_settle(t, l);
	link_release(t, l);
}

static int link_expired(void *val, void *arg)
{
	struct sub_links *t = arg;
	struct sub_link *l = val;

	if (link_in_reach(t, l))
		return 0;
	link_settle(t, l);
	link_free(t, l);
	return 1;
}

void links_expire(void)
{
	ior_hashmap_drop_if(&ld.subs.map, link_expired, &ld.subs);
	ior_hashmap_drop_if(&ld.reaps.map, link_expired, &ld.reaps);
	ior_hashmap_drop_if(&ld.iocbs.map, link_expired, &ld.iocbs);
}

static void links_free(struct sub_links *t)
{
	for (struct link_block *k = t->blocks, *next; k; k = next) {
		unsigned n = k == t->blocks ? t->used : LINK_BLOCK;

		next = k->next;
		for (unsigned i = 0; i < n; i++)
			free(k->link[i].mem);
		free(k);
	}
	ior_hashmap_free(&t->map);
	*t = (struct sub_links){ 0 };
}

/*
 * A count the kernel takes as 32 bits (io_setup's nr, a ring's entries):
 * a larger one is refused, not cut to its low bits. An optional one
 * that is absent is 0.
 */
static uint32_t u32_of(const struct args *a, int k, int optional)
{
	int64_t v;

	if (optional && !a->val[k])
		return 0;
	v = arg_int(a, k);
	if (v < 0 || v > UINT32_MAX)
		ior_bad(a->in, key_name[k], "out of range 0..%u", UINT32_MAX);
	return v;
}

/*
 * A field (f, its offsetof) of op i, loaded already, set to v: in the
 * program held in memory, or in the spool, at the op's offset off.
 */
static void patch(uint32_t i, uint64_t off, size_t f, const void *v,
		  size_t n)
{
	if (ld.spool)
		spool_patch(off, f, v, n);
	else
		memcpy((char *)&prog.ops[i] + f, v, n);
}

static void patch_u32(uint32_t i, uint64_t off, size_t f, uint32_t v)
{
	patch(i, off, f, &v, sizeof(v));
}

/* Ops from and to are tied: the window must hold both (window.h). */
static void span_note(uint32_t from, uint32_t to)
{
	if (to - from > ld.span)
		ld.span = to - from;
}

/*
 * The request each io_cancel names: the last one submitted before it
 * with the same context and iocb address. Held whole, link_aio finds it
 * once all is loaded; spooled, as each comes: a request of an io_submit
 * before an io_cancel, which comes after it, is its own if it is the
 * latest so far.
 */
static void cancel_note(struct prog_op *op)
{
	struct sub_link *l;

	if (!ld.spool)
		return;
	l = link_get(&ld.iocbs, op->addr, op->arg, 1);
	l->at = prog.nops;	/* its reach: from the last record naming it */
	if (op->kind == IOR_REPLAY_IO_CANCEL) {
		op->target = l->op != UNSEEN ? l->op : NONE;
		l->tail = prog.nops;
		l->tail_off = ld.op_off;
		l->count = l->op != UNSEEN ? l->head + 1 : 0;
		return;
	}
	if (l->op == UNSEEN || op->target >= l->head) {
		l->op = prog.nops;
		l->head = op->target;
	}
	if (l->tail != NONE && op->target < l->tail &&
	    op->target + 1 >= l->count) {
		patch_u32(l->tail, l->tail_off, offsetof(struct prog_op, target),
			  prog.nops);
		l->count = op->target + 1;
	}
}

/*
 * Request op joins the batch of its io_submit, link l: linked from the
 * one before, and its thread's arrays sized for the batch (held whole,
 * link_aio does it again).
 */
static void aio_join(struct sub_link *l, struct prog_op *op,
		     struct prog_thread *th)
{
	if (l->tail == NONE)
		patch_u32(l->op, l->off, offsetof(struct prog_op, batch),
			  prog.nops);
	else
		patch_u32(l->tail, l->tail_off, offsetof(struct prog_op, batch),
			  prog.nops);
	patch_u32(l->op, l->off, offsetof(struct prog_op, reach), prog.nops);
	l->tail = prog.nops;
	l->tail_off = ld.op_off;
	span_note(l->op, prog.nops);
	l->nreq++;
	l->iov += iov_room(op->iovcnt);
	if (l->iov > IOV_LIMIT)
		ior_errx(IOR_EXIT_DATA, "io_submit seq=%lld: more than %d iovecs",
			 (long long)l->seq, IOV_LIMIT);
	if (l->nreq > th->maxbatch)
		th->maxbatch = l->nreq;
	if (l->iov > th->maxiov)
		th->maxiov = l->iov;
}

/*
 * Request op names reap: counted for its io_getevents; when that came
 * first (its io_submit returned after the reap did), a late one of it.
 */
static void aio_reap_note(const struct args *a, struct prog_op *op)
{
	struct sub_link *l = link_get(&ld.reaps, arg_uint(a, K_reap), 0, 1);

	if (!l->count++)
		l->first = prog.nops;
	if (l->op == UNSEEN)
		return;
	l->late++;
	patch(l->op, l->off, offsetof(struct prog_op, count),
	      &(uint64_t){ l->count }, sizeof(uint64_t));
	patch_u32(l->op, l->off, offsetof(struct prog_op, late), l->late);
	op->late = l->op + 1;
	span_note(l->op, prog.nops);
	link_done(&ld.reaps, l);
}

/* The AIO calls' arguments; op is ops[nops], of thread th. */
void parse_aio(const struct args *a, struct prog_op *op,
	       struct prog_thread *th)
{
	const struct ior_in *in = a->in;
	const struct ior_rec *r = a->r;
	struct sub_link *l;
	uint64_t sub;

	switch (op->kind) {
	case IOR_REPLAY_IO_SETUP:
		op->len = u32_of(a, K_nr, 0);
		if (r->ret >= 0)
			op->addr = arg_hex(a, K_ctx);
		return;
	case IOR_REPLAY_IO_DESTROY:
		op->addr = arg_hex(a, K_ctx);
		return;
	case IOR_REPLAY_IO_SUBMIT:
		op->addr = arg_hex(a, K_ctx);
		sub = arg_uint(a, K_sub);
		l = link_get(&ld.subs, sub, 0, 1);
		if (l->op != UNSEEN || l->head != NONE)
			ior_bad(in, "sub", "sub=%llu is used twice",
				(unsigned long long)sub);
		l->op = prog.nops;
		l->off = ld.op_off;
		l->tid = r->tid;
		l->kind = op->kind;
		l->seq = op->seq;
		l->cret = r->ret;
		return;
	case IOR_REPLAY_IO_GETEVENTS:
	case IOR_REPLAY_IO_PGETEVENTS:
		op->addr = arg_hex(a, K_ctx);
		op->offset = arg_int(a, K_min_nr);
		op->len = arg_int(a, K_nr);
		if (op->len > EVENTS_MAX)	/* the ring holds no more */
			op->len = EVENTS_MAX;
		if (op->len > th->maxevents)
			th->maxevents = op->len;
		if (a->val[K_timeout]) {
			op->ts[0] = time_of(a, K_timeout);
			op->opt |= HAS_TIMES;
		}
		if (op->kind == IOR_REPLAY_IO_PGETEVENTS)
			op->mask = !!arg_uint(a, K_sigmask);
		/*
		 * The requests it reaped name it: those that come before it,
		 * and those whose io_submit returned after it did.
		 */
		if (a->val[K_reap]) {
			l = link_get(&ld.reaps, arg_uint(a, K_reap), 0, 1);
			op->count = l->count;
			op->opt |= HAS_REAP;
			l->op = prog.nops;
			l->off = ld.op_off;
			l->cret = r->ret;
			if (l->count)
				span_note(l->first, prog.nops);
			link_done(&ld.reaps, l);
		}
		return;
	case IOR_REPLAY_IO_CANCEL:
		op->addr = arg_hex(a, K_ctx);
		op->arg = arg_hex(a, K_iocb);
		cancel_note(op);
		return;
	default:
		break;
	}
	if (!is_aio_request(op->kind))
		return;
	op->addr = arg_hex(a, K_ctx);
	op->arg = arg_hex(a, K_iocb);
	op->flags = opt_flags(a, K_flags, ior_rwf_flags);
	sub = arg_uint(a, K_sub);
	/* No io_submit of its thread before it: never issued (skip=orphan). */
	if (!(l = link_get(&ld.subs, sub, 0, 0)) || l->op == UNSEEN ||
	    l->kind != IOR_REPLAY_IO_SUBMIT || l->tid != r->tid) {
		op->alone = ALONE_ORPHAN;
		return;
	}
	op->target = l->op;
	aio_join(l, op, th);
	link_done(&ld.subs, l);
	prog.naio++;
	if (a->val[K_reap])
		aio_reap_note(a, op);
	cancel_note(op);
}

#define LIST_MAX 65536		/* most entries of an fds, vfds or lens list */

/*
 * A list's entry as the replay keeps it: a vfd or a descriptor number
 * renumbered (load.h), NOFD for a descriptor it cannot have (above
 * FD_MAX); a -2 of fds (a slot a files update skips) FILES_SKIP; another
 * negative one (an empty slot) is -1; lens as they are.
 */
#define NOFD (-2)
static int64_t list_entry(int k, int64_t x)
{
	if (k == K_fds && x == -2)
		return FILES_SKIP;
	if (x < 0 || k == K_lens)
		return x < 0 ? -1 : x;
	if (k == K_vfds)
		return vfd_renumber(x);
	return x < FD_MAX ? fd_renumber(x) : NOFD;
}

/*
 * A comma-separated list of integers (fds, vfds, lens), checked: each
 * between lo and hi. Kept in the arena, with its entries as the replay
 * keeps them (list_entry); *n is its length, *sum the sum of its entries
 * that are not negative.
 */
static size_t list_of(const struct args *a, int k, int64_t lo, int64_t hi,
		      uint32_t *n, uint64_t *sum)
{
	const struct ior_in *in = a->in;
	const char *key = key_name[k], *v = a->val[k];
	char buf[24], *out = NULL;
	size_t len = 0, cap = 0, off;
	uint32_t m = 0;

	*sum = 0;
	if (!v)
		return 0;
	for (const char *p = v, *e; ; p = e + 1) {
		int64_t x;

		e = strchr(p, ',');
		if (!e)
			e = p + strlen(p);
		if ((size_t)(e - p) >= sizeof(buf) || m == LIST_MAX)
			ior_bad(in, key, "not a list of at most %d numbers",
				LIST_MAX);
		memcpy(buf, p, e - p);
		buf[e - p] = 0;
		x = ior_int(in, key, buf);
		if (x < lo || x > hi)
			ior_bad(in, key, "%lld out of range %lld..%lld",
				(long long)x, (long long)lo, (long long)hi);
		if (x > 0)
			*sum += x;
		out = ior_xgrow(out, &cap, len + sizeof(buf), 1);
		len += snprintf(out + len, sizeof(buf), "%s%lld", m ? "," : "",
				(long long)list_entry(k, x));
		m++;
		if (!*e)
			break;
	}
	*n = m;
	off = arena_add(out, len);
	free(out);
	return off;
}

/* A registered file index (fixed=, slot=), checked. */
static int32_t index_of(const struct args *a, int k)
{
	int64_t v = arg_int(a, k);

	if (v < 0 || v > INT32_MAX)
		ior_bad(a->in, key_name[k], "not a registered file index");
	return v;
}

/*
 * The requests that came before their io_uring_enter, op (of thread
 * tid), are its own; one of another thread is not: never issued
 * (skip=orphan).
 */
static void enter_takes(struct sub_link *l, struct prog_op *op, int64_t tid)
{
	uint32_t *to = &op->batch, next;

	l->tail = NONE;
	for (uint32_t j = l->head; j != NONE; j = next) {
		next = prog.ops[j].batch;
		prog.ops[j].batch = NONE;
		if (prog.ops[j].tid != tid) {
			prog.ops[j].alone = ALONE_ORPHAN;
			continue;
		}
		prog.ops[j].target = prog.nops;
		*to = l->tail = j;
		to = &prog.ops[j].batch;
	}
	l->head = op->batch;
}

/*
 * The ior:fd of a ring set up before capture: an io_uring_setup of its
 * entries, cq and setup flags, bound to its fd and vfd, with an empty
 * table of files slots (in mask) and buffers of lens (in name, their
 * number in iovcnt), as io_uring_register would register them.
 */
void parse_ring_fd(const struct args *a, struct prog_op *op)
{
	int64_t files = opt_int(a, K_files, 0);
	uint64_t sum;
	uint32_t n = 0;

	op->kind = IOR_REPLAY_URING_SETUP;
	op->len = arg_uint(a, K_entries);
	op->offset = opt_int(a, K_cq, 0);
	op->flags = opt_flags(a, K_setup, ior_uring_setup_flags);
	if (files < 0 || files > LIST_MAX)
		ior_bad(a->in, "files", "out of range 0..%d", LIST_MAX);
	op->mask = files;
	op->name = list_of(a, K_lens, 0, 1 << 30, &n, &sum);
	if (sum > REGBUF_MAX)	/* as io_uring_register's */
		ior_bad(a->in, "lens", "more than %llu bytes in all",
			(unsigned long long)REGBUF_MAX);
	op->iovcnt = n;
}

/* io_uring_setup, io_uring_enter, io_uring_register, ior:fixed: keys. */
void parse_uring_call(const struct args *a, struct prog_op *op)
{
	const struct ior_in *in = a->in;
	const struct ior_rec *r = a->r;
	struct sub_link *l;
	uint64_t sub;
	uint32_t n = 0, nv = 0, nl = 0;
	uint64_t sum;

	switch (op->kind) {
	case IOR_REPLAY_URING_SETUP:
		op->len = u32_of(a, K_entries, 0);
		op->count = u32_of(a, K_sq, 1);
		op->offset = u32_of(a, K_cq, 1);
		return;
	case IOR_REPLAY_URING_ENTER:
		op->count = arg_uint(a, K_to_submit);
		op->len = arg_uint(a, K_min_complete);
		if (!a->val[K_sub])
			return;
		sub = arg_uint(a, K_sub);
		l = link_get(&ld.subs, sub, 0, 1);
		if (l->op != UNSEEN)
			ior_bad(in, "sub", "sub=%llu is used twice",
				(unsigned long long)sub);
		if (ld.spool) {
			uring_enter_takes(l, op, r->tid);
			return;
		}
		l->op = prog.nops;
		/* Its requests may have completed, and come, before it. */
		enter_takes(l, op, r->tid);
		return;
	case IOR_REPLAY_URING_REGISTER:
		op->cmd = arg_flags(a, K_opcode, ior_uring_register_ops);
		op->count = arg_uint(a, K_nr);
		op->offset = opt_int(a, K_offset, 0);
		op->path = list_of(a, K_fds, -2, INT32_MAX, &n, &sum);
		op->path2 = list_of(a, K_vfds, -1, VFD_MAX - 1, &nv, &sum);
		if (nv != n)
			ior_bad(in, "vfds", "%u entries where fds has %u", nv, n);
		/* The kernel pins registered buffers: so many bytes in all. */
		op->name = list_of(a, K_lens, 0, 1 << 30, &nl, &sum);
		if (sum > REGBUF_MAX)
			ior_bad(in, "lens", "more than %llu bytes in all",
				(unsigned long long)REGBUF_MAX);
		op->iovcnt = op->name ? nl : n;
		return;
	case IOR_REPLAY_URING_FIXED:	/* path and flags: the row's */
		op->ring = fd_of(a, K_ring);
		op->fixed = index_of(a, K_fixed);
		return;
	default:
		return;
	}
}

static void batch_settle(struct sub_link *l);

/* A uring:* request's keys; op is ops[nops], of thread th. */
void parse_uring(const struct args *a, struct prog_op *op)
{
	const struct ior_in *in = a->in;
	const struct ior_rec *r = a->r;
	const char *v;
	struct sub_link *l;
	uint64_t sub;

	op->ring = op->fixed = -1;
	op->ctime = r->time_ns;
	if (a->val[K_ring])
		op->ring = fd_of(a, K_ring);
	if (a->val[K_fixed]) {
		op->fixed = index_of(a, K_fixed);
	} else if (a->val[K_fd]) {
		op->num = fd_of(a, K_fd);
		op->fd = vfd_of(a, K_vfd);
	}
	op->sqe = opt_flags(a, K_sqe_flags, ior_iosqe_flags);
	op->offset = opt_int(a, K_offset, -1);
	op->count = opt_int(a, K_count, 0);
	if (op->count > BUF_MAX)	/* a request's buffer: at most this */
		op->count = BUF_MAX;
	op->iovcnt = opt_int(a, K_iovcnt, 0);
	if (op->iovcnt > IOV_LIMIT)
		ior_bad(in, "iovcnt", "more than %d", IOV_LIMIT);
	switch (op->kind) {
	case IOR_REPLAY_UR_READV: case IOR_REPLAY_UR_WRITEV:
		if (!op->iovcnt)
			ior_bad(in, "iovcnt", "missing for %s", r->call);
		break;
	case IOR_REPLAY_UR_READ_FIXED: case IOR_REPLAY_UR_WRITE_FIXED:
		op->arg = opt_int(a, K_buf, -1);
		break;
	case IOR_REPLAY_UR_FSYNC:
		op->len = opt_int(a, K_len, 0);
		if (op->offset < 0)
			op->offset = 0;
		if (opt_int(a, K_datasync, 0))
			op->flags = IORING_FSYNC_DATASYNC;
		break;
	case IOR_REPLAY_UR_FALLOCATE:
		op->len = arg_int(a, K_len);
		op->mode = opt_flags(a, K_mode, ior_fallocate_flags);
		break;
	case IOR_REPLAY_UR_OPENAT: case IOR_REPLAY_UR_OPENAT2:
		op->path = path_of(a, K_path);
		op->flags = opt_flags(a, K_flags, ior_open_flags);
		if (a->val[K_mode])
			op->mode = ior_mode(in, "mode", a->val[K_mode]);
		op->cmd = opt_flags(a, K_resolve, ior_resolve_flags);
		if (a->val[K_slot]) {
			op->fixed = index_of(a, K_slot);
		} else if (r->ret >= 0) {	/* a new descriptor, as openat */
			if (r->ret >= FD_MAX)
				ior_bad(in, "RET", "descriptor above %d",
					FD_MAX - 1);
			op->num = fd_renumber(r->ret);
			op->fd = vfd_of(a, K_vfd);
			op->anyret = 1;
		}
		break;
	case IOR_REPLAY_UR_STATX:
		op->path = path_of(a, K_path);
		op->flags = opt_flags(a, K_flags, ior_at_flags);
		op->mask = opt_flags(a, K_mask, ior_statx_mask);
		if (!op->path && (op->flags & AT_EMPTY_PATH))
			op->fd = vfd_of(a, K_vfd);
		break;
	case IOR_REPLAY_UR_OTHER:
		op->name = arena_add(r->call, strlen(r->call));
		break;
	default:
		break;
	}
	prog.nuring++;
	/*
	 * An SQPOLL thread's batch is a link of its own, (batch, 1): the
	 * numbers are one sequence with the calls' subs. Without either,
	 * a request is issued alone (an SQPOLL ring's, captured before
	 * batch= was).
	 */
	if (!(v = a->val[K_sub]) && !a->val[K_batch])
		return;
	sub = ior_uint(in, v ? "sub" : "batch", v ? v : a->val[K_batch]);
	if (ld.spool) {
		uring_join(a, op, sub, !v);
		return;
	}
	l = link_get(&ld.subs, sub, !v, 1);
	/* as streamed: this one leads a batch of its own (load.h) */
	if (!v && l->head != NONE && batch_out_of_reach(l->head))
		batch_settle(l);
	if (l->op != UNSEEN) {
		/* not its thread's io_uring_enter: never issued */
		if (prog.ops[l->op].kind != IOR_REPLAY_URING_ENTER ||
		    prog.ops[l->op].tid != r->tid) {
			op->alone = ALONE_ORPHAN;
			return;
		}
		op->target = l->op;
	}
	if (l->tail == NONE) {
		l->head = prog.nops;
		if (l->op != UNSEEN)
			prog.ops[l->op].batch = prog.nops;
	} else
		prog.ops[l->tail].batch = prog.nops;
	l->tail = prog.nops;
}

static int by_submission(const void *a, const void *b)
{
	uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;

	if (prog.ops[x].ctime != prog.ops[y].ctime)
		return prog.ops[x].ctime < prog.ops[y].ctime ? -1 : 1;
	return x < y ? -1 : x > y;
}

/* The requests of a chain from first on, in submission order, into *v. */
static uint32_t chain_sorted(uint32_t first, uint32_t **v, size_t *cap)
{
	uint32_t n = 0;

	for (uint32_t j = first; j != NONE; j = prog.ops[j].batch) {
		*v = ior_xgrow(*v, cap, n + 1, sizeof(**v));
		(*v)[n++] = j;
	}
	if (n)		/* (an SQPOLL batch of one: nothing after its first) */
		qsort(*v, n, sizeof(**v), by_submission);
	return n;
}

/* Link the n requests of v in their order, each to the next by batch. */
static void chain_link(const uint32_t *v, uint32_t n)
{
	for (uint32_t k = 0; k < n; k++)
		prog.ops[v[k]].batch = k + 1 < n ? v[k + 1] : NONE;
}

/*
 * A sub no io_uring_enter of the program has: an SQPOLL thread's batch
 * is submitted by its first request in the program (the head of its
 * link), the others after it in submission order; the requests of a
 * call not in the program are never issued (skip=orphan).
 */
static void link_unseen(const struct sub_link *l, uint32_t **v, size_t *cap)
{
	uint32_t lead = l->head, n;

	if (!l->b) {
		for (uint32_t j = lead, next; j != NONE; j = next) {
			next = prog.ops[j].batch;
			prog.ops[j].batch = NONE;
			prog.ops[j].alone = ALONE_ORPHAN;
		}
		return;
	}
	n = chain_sorted(prog.ops[lead].batch, v, cap);
	prog.ops[lead].alone = ALONE_LEAD;
	prog.ops[lead].batch = n ? (*v)[0] : NONE;
	chain_link(*v, n);
	for (uint32_t k = 0; k < n; k++)
		prog.ops[(*v)[k]].target = lead;
}

/*
 * An SQPOLL batch's requests so far, settled as link_uring settles it;
 * its link then waits for a batch's first request again.
 */
static void batch_settle(struct sub_link *l)
{
	uint32_t *v = NULL;
	size_t cap = 0;

	link_unseen(l, &v, &cap);
	free(v);
	l->head = l->tail = NONE;
}

/*
 * After loading: each io_uring_enter's requests are in the order they
 * were submitted (TIME, then program order), not the order they
 * completed; so are an SQPOLL batch's, after its first; and the
 * requests of subs no io_uring_enter has are settled (link_unseen).
 */
void link_uring(void)
{
	uint32_t *v = NULL;
	size_t cap = 0;

	for (size_t i = 0; i < ld.subs.map.cap; i++) {
		const struct sub_link *l = ld.subs.map.slot[i].val;

		if (l && l->op == UNSEEN && l->head != NONE)
			link_unseen(l, &v, &cap);
	}
	for (uint32_t i = 0; i < prog.nops; i++) {
		uint32_t n;

		if (prog.ops[i].kind != IOR_REPLAY_URING_ENTER || prog.ops[i].batch == NONE)
			continue;
		n = chain_sorted(prog.ops[i].batch, &v, &cap);
		prog.ops[i].batch = v[0];
		chain_link(v, n);
	}
	free(v);
}

/* An io_uring request's start or end, by process, then ring. */
struct req_time {
	int64_t pid;
	int64_t key;		/* the ring's captured number */
	uint64_t t;
	uint32_t op;		/* the request */
};

static int by_when(const void *a, const void *b)
{
	const struct req_time *x = a, *y = b;

	if (x->pid != y->pid)
		return x->pid < y->pid ? -1 : 1;
	if (x->key != y->key)
		return x->key < y->key ? -1 : 1;
	if (x->t != y->t)
		return x->t < y->t ? -1 : 1;
	/* equal times in program order, as the streamed sweep has them */
	return (x->op > y->op) - (x->op < y->op);
}

static int same_queue(const struct req_time *x, const struct req_time *y)
{
	return x->pid == y->pid && x->key == y->key;
}

/*
 * After loading: the queue depth of each io_uring_enter (and of the
 * first request of each SQPOLL batch, which submits it), the most
 * requests of its ring that the capture had in flight as it submitted
 * one of its own (that one included). An application keeps its depth
 * (fio's iodepth) by reaping before it submits more, and it reaps a
 * ring's completions from memory, unseen by the trace: the replay keeps
 * the depth by holding no more in flight. (AIO's reaps are system calls,
 * replayed as captured.) The starts and the ends of each ring's requests
 * are swept, both sorted.
 */
void find_depths(void)
{
	struct req_time *st, *en;
	uint32_t n = 0;

	if (!prog.nuring)
		return;
	/* from none: a streamed sweep given up may have left some */
	for (uint32_t i = 0; i < prog.nops; i++)
		prog.ops[i].depth = 0;
	st = ior_xreallocarray(NULL, prog.nuring, sizeof(*st));
	en = ior_xreallocarray(NULL, prog.nuring, sizeof(*en));
	for (uint32_t i = 0; i < prog.nops && n < prog.nuring; i++) {
		const struct prog_op *op = &prog.ops[i];
		uint64_t end;

		if (!is_uring_request(op->kind) ||
		    (op->target == NONE && op->alone != ALONE_LEAD))
			continue;
		end = op->cinflight || op->ctime + op->cdur < op->ctime ?
			UINT64_MAX : op->ctime + op->cdur;
		st[n] = (struct req_time){ op->pid, op->ring, op->ctime, i };
		en[n] = (struct req_time){ op->pid, op->ring, end, i };
		n++;
	}
	qsort(st, n, sizeof(*st), by_when);
	qsort(en, n, sizeof(*en), by_when);
	/* the same requests in both: each queue is one run in each */
	for (uint32_t k = 0, e = 0; k < n; ) {
		uint32_t k0 = k, e0 = e;

		for (; k < n && same_queue(&st[k], &st[k0]); k++) {
			uint32_t s = prog.ops[st[k].op].target;
			/* its io_uring_enter, or its SQPOLL batch's first */
			struct prog_op *sub = &prog.ops[s != NONE ? s : st[k].op];
			int64_t inflight;

			while (e < n && same_queue(&en[e], &st[k0]) &&
			       en[e].t <= st[k].t)
				e++;
			/* (ends of requests of no duration may lead a tie) */
			inflight = (int64_t)(k + 1 - k0) - (e - e0);
			if (inflight > sub->depth)
				sub->depth = inflight;
		}
		while (e < n && same_queue(&en[e], &st[k0]))
			e++;
	}
	free(en);
	free(st);
}

void aio_spooled(void)
{
	links_free(&ld.subs);
	links_free(&ld.reaps);
	links_free(&ld.iocbs);
}

/*
 * After loading: size each thread's iocb and iovec arrays by its largest
 * io_submit, and find the request each io_cancel names: the last one
 * submitted before it with the same context and iocb address.
 */
void link_aio(void)
{
	struct sub_links iocbs = { 0 };
	struct sub_link *l;

	links_free(&ld.subs);
	links_free(&ld.reaps);
	links_free(&ld.iocbs);
	for (uint32_t i = 0; i < prog.nops; i++) {
		struct prog_thread *th = &prog.threads[thread_index(prog.ops[i].tid)];
		uint64_t n = 0, iov = 0;

		if (prog.ops[i].kind == IOR_REPLAY_IO_CANCEL) {
			l = link_get(&iocbs, prog.ops[i].addr, prog.ops[i].arg, 0);
			prog.ops[i].target = l ? l->op : NONE;
		}
		if (prog.ops[i].kind != IOR_REPLAY_IO_SUBMIT)
			continue;
		for (uint32_t j = prog.ops[i].batch; j != NONE; j = prog.ops[j].batch) {
			n++;
			iov += iov_room(prog.ops[j].iovcnt);
			l = link_get(&iocbs, prog.ops[j].addr, prog.ops[j].arg, 1);
			l->op = j;
		}
		if (iov > IOV_LIMIT)
			ior_errx(IOR_EXIT_DATA, "io_submit seq=%lld: more than %d iovecs",
				 (long long)prog.ops[i].seq, IOV_LIMIT);
		if (n > th->maxbatch)
			th->maxbatch = n;
		if (iov > th->maxiov)
			th->maxiov = iov;
	}
	links_free(&iocbs);
}
