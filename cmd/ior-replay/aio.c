/*
 * aio.c - Linux AIO (aio.h). An io_submit issues the requests of its sub;
 * each is settled once, by whichever replayed call reaps it (which need
 * not be the one that reaped it in the capture), and is in flight when
 * nothing does.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <linux/aio_abi.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include "ior.h"
#include "aio.h"
#include "buffers.h"
#include "fdtab.h"
#include "issue.h"
#include "program.h"
#include "shared.h"
#include "task.h"

/*
 * The replay's requests, one per slot of the window (window.h), as the
 * ops: request j's at j & prog.wmask, while j is in the window. Each
 * iocb must stay where io_submit saw it until an io_cancel names it,
 * and a request holds its slot until it is settled. A private mapping:
 * a request belongs to the process that submits it. Requests in flight
 * are linked per context, for io_destroy.
 */
struct aio_slot {
	struct iocb cb;
	uint32_t prev, next;	/* in flight on its context */
	uint32_t of;		/* index + 1 of the request it was made
				   for; 0: none */
	uint32_t late_of;	/* the reap late_in counts for */
	uint32_t late_in;	/* at a reap's slot: how many of its late
				   requests (op.late) were submitted, or
				   will never be */
	uint8_t linked;
};


#define AIO_WAIT_NS 5000000000ll	/* the longest wait for events */
#define GONE_MAX 64		/* destroyed contexts remembered */

/*
 * A captured AIO context and the replay process's own. A context the
 * replay destroyed stays known (real 0, which the kernel refuses), so that
 * the calls made on it fail as captured; only the last GONE_MAX.
 */
struct bound_ctx {
	uint64_t captured;
	aio_context_t real;	/* 0: destroyed */
	int64_t outstanding;	/* submitted, not yet reaped */
	uint32_t head;		/* the requests in flight; NONE: none */
	uint64_t gone;		/* destroyed: in which order; 0: live */
};

/*
 * A replay process's AIO: its requests and contexts, shared by its
 * threads. The requests are a private mapping made before the first
 * fork: each process has its own, where the iocbs it submits stay.
 */
static struct process_aio {
	struct aio_slot *slots;		/* by op index */
	struct bound_ctx *ctxs;
	size_t nctxs, ctxs_cap;
	uint64_t ngone;			/* contexts destroyed so far */
	pthread_mutex_t lock;	/* held across fork: a child gets it free */
} paio = { .lock = PTHREAD_MUTEX_INITIALIZER };

/* Request or reap j's slot. */
static struct aio_slot *slot_of(uint32_t j)
{
	return &paio.slots[j & prog.wmask];
}

static void lock_aio(void)
{
	pthread_mutex_lock(&paio.lock);
}

static void unlock_aio(void)
{
	pthread_mutex_unlock(&paio.lock);
}

/* Replay threads of this process running (aio_thread_begin). */
static int aio_live;

/*
 * In a forked child: the kernel gave it none of its parent's contexts,
 * and the requests in flight on them are the parent's to settle; its
 * forking thread begins anew.
 */
static void aio_child(void)
{
	for (size_t i = 0; i < paio.nctxs; i++) {
		paio.ctxs[i].head = NONE;
		paio.ctxs[i].outstanding = 0;
	}
	aio_live = 0;
	unlock_aio();
}

/*
 * Before the first fork: the requests' iocbs, a private mapping (a
 * request belongs to the process that submits it), and the lock.
 */
void aio_init(void)
{
	pthread_atfork(lock_aio, unlock_aio, aio_child);
	if (!prog.naio)
		return;
	paio.slots = mmap(NULL, (size_t)(prog.wmask + 1) * sizeof(*paio.slots),
			  PROT_READ | PROT_WRITE,
			  MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	if (paio.slots == MAP_FAILED)
		ior_err(IOR_EXIT_SYS, "mmap");
}

/* The context the capture named captured, or NULL; with paio.lock held. */
static struct bound_ctx *ctx_of(uint64_t captured)
{
	for (size_t i = 0; i < paio.nctxs; i++)
		if (paio.ctxs[i].captured == captured)
			return &paio.ctxs[i];
	return NULL;
}

/* Whether the replay set up captured (*real: 0 once destroyed). */
static int ctx_find(uint64_t captured, aio_context_t *real)
{
	struct bound_ctx *c;

	lock_aio();
	if ((c = ctx_of(captured)))
		*real = c->real;
	unlock_aio();
	return c != NULL;
}

static void ctx_bind(uint64_t captured, aio_context_t real)
{
	struct bound_ctx *c;

	lock_aio();
	if (!(c = ctx_of(captured))) {
		struct bound_ctx *p = ior_grow(paio.ctxs, &paio.ctxs_cap,
					       paio.nctxs + 1, sizeof(*p));

		if (!p)
			fatal("realloc");
		paio.ctxs = p;
		c = &paio.ctxs[paio.nctxs++];
	}
	*c = (struct bound_ctx){ captured, real, 0, NONE, 0 };
	unlock_aio();
}

static void req_unlink(struct bound_ctx *c, uint32_t j)
{
	struct aio_slot *q = slot_of(j);

	if (!q->linked || q->of != j + 1)
		return;
	if (q->prev != NONE)
		slot_of(q->prev)->next = q->next;
	else
		c->head = q->next;
	if (q->next != NONE)
		slot_of(q->next)->prev = q->prev;
	q->linked = 0;
	c->outstanding--;
}

/*
 * io_destroy returned: the kernel finished the context's requests, and
 * their events are gone. Those nothing reaped are in flight, as ior-trace
 * writes them. The context is kept as destroyed.
 */
static void ctx_destroyed(uint64_t captured)
{
	struct bound_ctx *c, *old = NULL;
	size_t dead = 0;

	lock_aio();
	if ((c = ctx_of(captured))) {
		while (c->head != NONE) {
			uint32_t j = c->head;

			req_unlink(c, j);
			settle(j, CL_INFLIGHT, 0, 0);
		}
		c->real = 0;
		c->gone = ++paio.ngone;
	}
	for (size_t i = 0; i < paio.nctxs; i++)
		if (paio.ctxs[i].gone) {
			dead++;
			if (!old || paio.ctxs[i].gone < old->gone)
				old = &paio.ctxs[i];
		}
	if (dead > GONE_MAX)
		*old = paio.ctxs[--paio.nctxs];
	unlock_aio();
}

/*
 * A late request j (op.late) was submitted, or never will be: its reap
 * no longer waits for it to be. With paio.lock held. The reap's slot
 * counts for it (late_of) from the first of its late requests on; a reap
 * already let go has nothing to count.
 */
static void late_in(uint32_t j)
{
	uint32_t r = op_at(j)->late;
	struct aio_slot *q;

	if (!r || !op_live(r - 1))
		return;
	q = slot_of(r - 1);
	if (q->late_of != r) {
		q->late_of = r;
		q->late_in = 0;
	}
	q->late_in++;
}

/* How many of reap i's late requests late_in counted; paio.lock held. */
static uint32_t late_seen(uint32_t i)
{
	const struct aio_slot *q = slot_of(i);

	return q->late_of == i + 1 ? q->late_in : 0;
}

/*
 * The min_nr and nr to replay. A call that reaped requests of the
 * program names them (reap=): it reaps and waits for as many, since its
 * after= had the requests submitted first; one that reaped nothing
 * reaps nothing, and none more than its nr. Without reap= (an older
 * program), as many events as the captured call reaped (at least its
 * min_nr). Never a wait for more
 * than the context has in flight in the replay, and the late requests
 * of the call not submitted yet (they come after it in the program:
 * their io_submit returned after the call did): its requests may have
 * been reaped by another of its calls. An invalid min_nr is kept, to
 * fail as captured.
 */
static long ctx_min_nr(uint64_t captured, uint32_t i, const struct prog_op *op,
		       long *nr)
{
	struct bound_ctx *c;
	long min = op->offset;
	int64_t late = 0;

	*nr = op->len;
	if (min < 0 || min > op->len)
		return min;
	if (op->cret == 0 || (op->opt & HAS_REAP)) {
		*nr = min = op->cret == 0 ? 0 : op->count;
		/* the events' buffer holds nr: more may name it (malformed) */
		if (*nr > op->len)
			*nr = min = op->len;
	} else if (op->cret > 0 && op->cret <= op->len) {
		*nr = op->cret;
		if (min < op->cret)
			min = op->cret;
	}
	lock_aio();
	if (op->late)
		late = op->late - late_seen(i);
	if ((c = ctx_of(captured)) && c->outstanding + late < min)
		min = c->outstanding + late;
	unlock_aio();
	return min;
}

/* The timeout of a wait: the captured one, at most AIO_WAIT_NS. */
static const struct timespec *wait_bound(const struct prog_op *op,
					 struct timespec *ts)
{
	if ((op->opt & HAS_TIMES) && op->ts[0].tv_sec < AIO_WAIT_NS / 1000000000)
		return op->ts;
	*ts = (struct timespec){ AIO_WAIT_NS / 1000000000, 0 };
	return ts;
}

/*
 * The iocbs of an io_submit, one per request of its batch whose descriptor
 * is open, with the thread's read buffer or the write data.
 */
static void aio_prepare(struct thread_state *w, const struct prog_op *op)
{
	struct iovec *iov = w->iov;

	w->nbatch = 0;
	for (uint32_t j = op->batch; j != NONE; j = op_at(j)->batch) {
		const struct prog_op *rq = op_at(j);
		struct aio_slot *q = slot_of(j);
		struct iocb *cb = &q->cb;
		int fd = real_fd(rq->fd);
		char *buf = rq->kind == IOR_REPLAY_AIO_PREAD || rq->kind == IOR_REPLAY_AIO_PREADV ?
			w->rbuf : wdata;

		q->of = j + 1;
		q->linked = 0;
		if (fd < 0) {
			skip_request(j, SKIP_NOFD);
			lock_aio();
			late_in(j);
			unlock_aio();
			continue;
		}
		memset(cb, 0, sizeof(*cb));
		cb->aio_data = j;	/* what io_getevents hands back */
		cb->aio_fildes = fd;
		switch (rq->kind) {
		case IOR_REPLAY_AIO_PREAD: case IOR_REPLAY_AIO_PWRITE:
			cb->aio_lio_opcode = rq->kind == IOR_REPLAY_AIO_PREAD ?
				IOCB_CMD_PREAD : IOCB_CMD_PWRITE;
			cb->aio_buf = (uintptr_t)buf;
			cb->aio_nbytes = rq->count;
			cb->aio_offset = rq->offset;
			cb->aio_rw_flags = rq->flags;
			break;
		case IOR_REPLAY_AIO_PREADV: case IOR_REPLAY_AIO_PWRITEV:
			cb->aio_lio_opcode = rq->kind == IOR_REPLAY_AIO_PREADV ?
				IOCB_CMD_PREADV : IOCB_CMD_PWRITEV;
			/* io_submit copies the iovecs: one array per batch */
			fill_iov(iov, rq->iovcnt, buf, rq->count);
			cb->aio_buf = (uintptr_t)iov;
			cb->aio_nbytes = rq->iovcnt;
			cb->aio_offset = rq->offset;
			cb->aio_rw_flags = rq->flags;
			iov += iov_room(rq->iovcnt);
			break;
		case IOR_REPLAY_AIO_FSYNC:
			cb->aio_lio_opcode = IOCB_CMD_FSYNC;
			break;
		case IOR_REPLAY_AIO_FDSYNC:
			cb->aio_lio_opcode = IOCB_CMD_FDSYNC;
			break;
		case IOR_REPLAY_AIO_POLL:	/* a file is always ready */
			cb->aio_lio_opcode = IOCB_CMD_POLL;
			cb->aio_buf = POLLIN | POLLOUT;
			break;
		default:
			cb->aio_lio_opcode = IOCB_CMD_NOOP;
			break;
		}
		w->iocbp[w->nbatch++] = cb;
	}
}

/* Events reaped at end (ns since the start) settle their requests. */
static void aio_reap(uint64_t captured, const struct io_event *ev, int64_t n,
		     uint64_t end)
{
	struct bound_ctx *c;

	lock_aio();
	c = ctx_of(captured);
	for (int64_t i = 0; i < n; i++) {
		uint64_t j = ev[i].data;

		if (j >= prog.nops || !op_live(j) ||
		    !is_aio_request(op_at(j)->kind))
			continue;
		if (c)
			req_unlink(c, j);
		settle(j, CL_REAPED, ev[i].res, end);
	}
	unlock_aio();
}

/*
 * The prepared iocbs are submitted now: each is in flight from here,
 * linked to its context before io_submit so that no reap comes first.
 */
static void aio_submitting(struct thread_state *w, uint64_t captured)
{
	uint64_t start = now_ns() - sh->t0;
	struct bound_ctx *c;

	lock_aio();
	c = ctx_of(captured);
	for (uint32_t k = 0; k < w->nbatch; k++) {
		uint32_t j = w->iocbp[k]->aio_data;
		struct aio_slot *q = slot_of(j);

		res_at(j)->start = start;
		late_in(j);
		if (!c || !c->real)
			continue;
		q->prev = NONE;
		q->next = c->head;
		if (c->head != NONE)
			slot_of(c->head)->prev = j;
		c->head = j;
		q->linked = 1;
		c->outstanding++;
	}
	unlock_aio();
}

/*
 * io_submit of the prepared iocbs. When the kernel has no room for some
 * that the capture's call accepted (EAGAIN: the replay holds more in
 * flight, its reaps having taken fewer), reap some, each wait bounded,
 * and submit the rest. Returns how many were accepted, or the error.
 */
static int64_t aio_submit(struct thread_state *w, const struct prog_op *op,
			  aio_context_t ctx)
{
	struct timespec ts = { AIO_WAIT_NS / 1000000000, 0 };
	struct io_event ev[64];
	int64_t done = 0, r, n;

	for (;;) {
		r = neg(syscall(SYS_io_submit, ctx, (long)(w->nbatch - done),
				w->iocbp + done));
		if (r > 0)
			done += r;
		if (done >= w->nbatch || done >= op->cret ||
		    (r < 0 && r != -EAGAIN) || r == 0)
			break;
		if (r > 0)	/* the next call tells why it stopped */
			continue;
		n = syscall(SYS_io_getevents, ctx, 1L, 64L, ev, &ts);
		if (n <= 0)
			break;
		aio_reap(op->addr, ev, n, now_ns() - sh->t0);
	}
	return done ? done : r;
}

/*
 * Requests io_submit did not accept. The kernel tells the errno of the
 * first only when it accepted none; otherwise it is taken as EAGAIN.
 */
static void aio_unaccepted(const struct thread_state *w, uint64_t captured,
			   int64_t r)
{
	struct bound_ctx *c;

	lock_aio();
	c = ctx_of(captured);
	for (uint32_t k = r > 0 ? r : 0; k < w->nbatch; k++) {
		uint32_t j = w->iocbp[k]->aio_data;

		if (c)
			req_unlink(c, j);
		settle(j, CL_SUBMIT, r < 0 ? r : -EAGAIN, 0);
	}
	unlock_aio();
}

/*
 * io_setup: a captured EINVAL fails again as io_setup refuses a context
 * id that is not 0 (nr_events 0 fails by itself); a context the capture
 * did not make is not kept.
 */
static int64_t aio_setup(const struct prog_op *op)
{
	aio_context_t made = op->cret == -EINVAL;
	int64_t r = neg(syscall(SYS_io_setup, (unsigned)op->len, &made));

	if (r == 0 && op->cret >= 0 && op->addr)
		ctx_bind(op->addr, made);
	else if (r == 0)
		syscall(SYS_io_destroy, made);
	return r;
}

/* io_getevents and io_pgetevents, on the replay's context ctx. */
static int64_t aio_getevents(struct thread_state *w, const struct prog_op *op,
			     aio_context_t ctx)
{
	/* The mask the capture passed is not known: the thread's own. */
	sigset_t set;
	struct { const sigset_t *set; size_t size; } sig = { &set, _NSIG / 8 };
	struct timespec wait;
	long min_nr, nr;

	min_nr = ctx_min_nr(op->addr, op_index(op), op, &nr);
	if (op->kind == IOR_REPLAY_IO_GETEVENTS)
		return neg(syscall(SYS_io_getevents, ctx, min_nr, nr, w->events,
				   wait_bound(op, &wait)));
	if (op->mask)
		pthread_sigmask(SIG_BLOCK, NULL, &set);
	return neg(syscall(SYS_io_pgetevents, ctx, min_nr, nr, w->events,
			   wait_bound(op, &wait), op->mask ? &sig : NULL));
}

/*
 * The iocb an io_cancel names: its request's, while the request holds
 * its slot and was made there by this process; else one the replay never
 * submitted, which the kernel refuses as it refuses a request it has
 * finished (one let go was settled).
 */
static struct iocb *cancel_cb(const struct prog_op *op, struct iocb *none)
{
	uint32_t j = op->target;
	struct iocb *cb = none;

	if (j == NONE || !op_live(j))
		return none;
	lock_aio();
	if (slot_of(j)->of == j + 1)
		cb = &slot_of(j)->cb;
	unlock_aio();
	return cb;
}

int issue_aio(struct thread_state *w, const struct prog_op *op,
	      struct op_result *res)
{
	aio_context_t ctx = 0;
	struct iocb none;
	struct io_event ev;
	uint64_t t1, t2;
	int64_t r;

	/* A context never set up in the replay is as a descriptor never opened. */
	if (op->kind != IOR_REPLAY_IO_SETUP && !ctx_find(op->addr, &ctx)) {
		for (uint32_t j = op->kind == IOR_REPLAY_IO_SUBMIT ? op->batch :
		     NONE; j != NONE; j = op_at(j)->batch)
			skip_request(j, SKIP_NOFD);
		return SKIP_NOFD;
	}
	if (op->kind == IOR_REPLAY_IO_SUBMIT) {
		aio_prepare(w, op);
		aio_submitting(w, op->addr);
	}
	/* An iocb the replay never submitted: the kernel refuses it. */
	memset(&none, 0, sizeof(none));
	t1 = now_ns();
	switch (op->kind) {
	case IOR_REPLAY_IO_SETUP:
		r = aio_setup(op);
		break;
	case IOR_REPLAY_IO_DESTROY:
		r = neg(syscall(SYS_io_destroy, ctx));
		break;
	case IOR_REPLAY_IO_SUBMIT:
		r = aio_submit(w, op, ctx);
		break;
	case IOR_REPLAY_IO_CANCEL:
		r = neg(syscall(SYS_io_cancel, ctx, cancel_cb(op, &none), &ev));
		break;
	default:
		r = aio_getevents(w, op, ctx);
		break;
	}
	t2 = now_ns();
	issued(res, t1, t2, r);
	if (op->kind == IOR_REPLAY_IO_DESTROY && r == 0)
		ctx_destroyed(op->addr);
	else if (op->kind == IOR_REPLAY_IO_SUBMIT)
		aio_unaccepted(w, op->addr, r);
	else if (op->kind == IOR_REPLAY_IO_GETEVENTS ||
		 op->kind == IOR_REPLAY_IO_PGETEVENTS)
		aio_reap(op->addr, w->events, r, t2 - sh->t0);
	return 0;
}

void aio_thread_begin(void)
{
	__atomic_add_fetch(&aio_live, 1, __ATOMIC_RELAXED);
}

/* Whether a request the capture reaped is still in flight on c. */
static int owed(const struct bound_ctx *c)
{
	for (uint32_t j = c->head; j != NONE; j = slot_of(j)->next)
		if (!op_at(j)->cinflight)
			return 1;
	return 0;
}

/*
 * The process's last thread ends. The kernel hands a reap whichever
 * events came first, so the program's reaps may have taken requests the
 * capture's had not (those in flight when it ended) in place of some it
 * had: as long as one the capture reaped is in flight, reap what comes,
 * each wait bounded. What is still out then is in flight.
 */
static void aio_process_end(void)
{
	struct timespec ts = { AIO_WAIT_NS / 1000000000, 0 };
	struct io_event ev[64];

	for (size_t k = 0; k < paio.nctxs; k++) {
		struct bound_ctx *c = &paio.ctxs[k];
		uint64_t captured = c->captured;
		aio_context_t real = c->real;
		int64_t n = 1;

		while (real && n > 0 && owed(c)) {
			unlock_aio();
			n = syscall(SYS_io_getevents, real, 1L, 64L, ev, &ts);
			if (n > 0)
				aio_reap(captured, ev, n, now_ns() - sh->t0);
			lock_aio();
			c = &paio.ctxs[k];
		}
		while (c->head != NONE) {
			uint32_t j = c->head;

			req_unlink(c, j);
			settle(j, CL_INFLIGHT, 0, 0);
		}
	}
}

/* A request its thread left unsettled, not in flight on a context. */
static void unsubmitted(uint32_t j)
{
	if (!is_aio_request(op_at(j)->kind))
		return;
	if (slot_of(j)->of != j + 1 || !slot_of(j)->linked)
		settle(j, CL_INFLIGHT, 0, 0);
}

/*
 * Thread t ends. Its requests submitted and not reaped yet are left to
 * the process's other threads: a reaper thread reaps what others
 * submitted, also after they ended. Its requests never submitted are in
 * flight (those it went past unsettled: pend), and as the process's last
 * thread ends, aio_process_end.
 */
void aio_thread_end(struct pending *pend)
{
	int last = __atomic_sub_fetch(&aio_live, 1, __ATOMIC_ACQ_REL) == 0;

	if (!prog.naio)
		return;
	lock_aio();
	pending_each(pend, unsubmitted);
	if (last)
		aio_process_end();
	unlock_aio();
}
