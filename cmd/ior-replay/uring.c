/*
 * uring.c - io_uring (uring.h). An io_uring_enter issues the requests of
 * its sub, each as captured, on the replay's descriptors, registered
 * files and buffers, keeping the queue depth the capture kept; each
 * request is settled as its completion is reaped.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <linux/futex.h>
#include <liburing.h>
#include <pthread.h>
#include <signal.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/uio.h>
#include <unistd.h>

#include "ior.h"
#include "buffers.h"
#include "fdtab.h"
#include "issue.h"
#include "paths.h"
#include "program.h"
#include "shared.h"
#include "task.h"
#include "uring.h"
#include "uring-ring.h"

#define URING_WAIT_NS 5000000000ll	/* the longest wait for completions */

/*
 * Setup flags the replay cannot honour, dropped before the first try:
 * another ring's workers and the SQPOLL thread's CPU (not captured), and
 * the ring layouts liburing 2.3 cannot map (NO_MMAP, REGISTERED_FD_ONLY,
 * NO_SQARRAY).
 */
#define SETUP_DROP (IORING_SETUP_ATTACH_WQ | IORING_SETUP_SQ_AFF | \
		    0x4000u | 0x8000u | 0x10000u)

#define NOP_INJECT_RESULT 1u		/* IORING_NOP_INJECT_RESULT (Linux 6.8) */

/*
 * What a request needs until it completes; one per slot of the window
 * (window.h), as the ops: request j's at j & prog.wmask. A request
 * holds its slot until it is settled; one settled in flight (its
 * thread ended first) may complete after its slot went to a later op:
 * its completion is known by op, and leaves the slot alone when another
 * request of this process took it.
 */
struct ring_req {
	struct open_how how;
	struct statx *stx;	/* statx's buffer */
	struct iovec *iov;	/* readv, writev */
	struct vfd_table *tab;	/* the submitter's: an open binds its fd there */
	int64_t tid;		/* its thread's vtid (thread_mine) */
	uint32_t of;		/* index + 1 of the request it was made
				   for; 0: none */
	int pathfd;		/* statx's O_PATH descriptor, or -1 */
	int err;		/* statx's path failed: its errno, negative */
	uint8_t opens;		/* an openat whose new descriptor it binds */
	uint64_t end;		/* its completion seen, ns since t0; or
				   END_UNSEEN(op): not yet */
};

/*
 * Not seen complete yet: a value of its own for each op, so that a
 * reaper reading a completion of a request whose slot another took
 * writes nothing there (reaper_main).
 */
#define END_UNSEEN(j) ((1ull << 63) | (j))

/*
 * A replay process's rings, and what their requests hold (a private
 * mapping made before the first fork, by op index). One lock for them
 * all, held while a ring is used: liburing's rings are not thread-safe,
 * and a completion may bind a descriptor (through bind_fd, which may
 * close a ring: recursive).
 */
static struct process_rings {
	struct replay_ring **rings;
	uint32_t nrings;
	size_t rings_cap;
	struct ring_req *reqs;		/* by op index */
	pthread_mutex_t lock;
} prings = { .lock = PTHREAD_RECURSIVE_MUTEX_INITIALIZER_NP };

static int live_threads;	/* replay threads of this process running */
static __thread int rings_held;	/* the calling thread's holds of the lock */

static void lock_rings(void)
{
	pthread_mutex_lock(&prings.lock);
	rings_held++;
}

/* The lock if it is free (or already the caller's): whether it took it. */
static int trylock_rings(void)
{
	if (pthread_mutex_trylock(&prings.lock))
		return 0;
	rings_held++;
	return 1;
}

static void unlock_rings(void)
{
	rings_held--;
	pthread_mutex_unlock(&prings.lock);
}

/* In a forked child: a recursive lock is its owner's, a thread now gone. */
static void reset_rings_lock(void)
{
	prings.lock = (pthread_mutex_t)PTHREAD_RECURSIVE_MUTEX_INITIALIZER_NP;
	rings_held = 0;
	live_threads = 0;	/* the forking thread begins anew */
}

/*
 * Before the first fork: what requests hold, a private mapping by op
 * index (a request belongs to the process that submits it), and the
 * lock, which a forked child takes anew.
 */
void uring_init(void)
{
	pthread_atfork(lock_rings, unlock_rings, reset_rings_lock);
	if (!prog.nuring)
		return;
	prings.reqs = mmap(NULL, (size_t)(prog.wmask + 1) * sizeof(*prings.reqs),
			   PROT_READ | PROT_WRITE,
			   MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	if (prings.reqs == MAP_FAILED)
		ior_err(IOR_EXIT_SYS, "mmap");
}

/* Whether descriptors a and b of this process share one open file. */
static int same_file(int a, int b)
{
	return a == b || syscall(SYS_kcmp, getpid(), getpid(), 0 /* KCMP_FILE */,
				 a, b) == 0;
}

/*
 * The ring whose real descriptor is fd, or (with dup) one of its copies;
 * called with rings_lock held.
 */
static struct replay_ring *ring_find(int fd, int copies)
{
	for (uint32_t i = 0; fd >= 0 && i < prings.nrings; i++)
		if (prings.rings[i]->ring.ring_fd == fd)
			return prings.rings[i];
	for (uint32_t i = 0; fd >= 0 && copies && i < prings.nrings; i++)
		if (same_file(prings.rings[i]->ring.ring_fd, fd))
			return prings.rings[i];
	return NULL;
}

/* The ring a captured ring number names in this thread, or NULL. */
static struct replay_ring *ring_of_num(int32_t num)
{
	if (num < 0 || num > prog.maxfd)
		return NULL;
	return ring_find(real_fd(__atomic_load_n(&thread_fds->numvfd[num],
						 __ATOMIC_RELAXED)), 1);
}

/* Request j's slot of what requests hold. */
static struct ring_req *req_of(uint32_t j)
{
	return &prings.reqs[j & prog.wmask];
}

static int64_t *thread_mine(struct replay_ring *u, int64_t vtid);

/*
 * Request j of ring u completed with res: free what it held, bind an
 * open's new descriptor in its submitter's table, and settle it. A
 * completion whose slot another request took was settled already.
 */
static void uring_done(struct replay_ring *u, uint32_t j, int64_t res,
		       uint64_t end)
{
	struct ring_req *q = req_of(j);
	int opened;

	if (j >= prog.nops || q->of != j + 1)
		return;
	opened = q->opens && res >= 0;
	(*thread_mine(u, q->tid))--;
	q->of = 0;
	if (q->pathfd >= 0)
		close(q->pathfd);
	q->pathfd = -1;
	if (q->err)
		res = q->err;
	q->err = 0;
	free(q->stx);
	free(q->iov);
	q->stx = NULL;
	q->iov = NULL;
	/* when the ring's reaper saw its completion, if it did */
	if (!(__atomic_load_n(&q->end, __ATOMIC_ACQUIRE) >> 63))
		end = q->end;
	if (!claim(j, CL_REAPED)) {
		if (opened)
			close(res);
		return;
	}
	if (opened) {
		/* bind_new acts on the calling thread's table: lend it. */
		struct vfd_table *mine = thread_fds;
		const struct prog_op *rq = op_at(j);	/* claimed: live */

		thread_fds = q->tab;
		bind_new(rq->cret >= 0 ? rq->fd : -1, rq->num, res,
			 !!(rq->flags & O_CLOEXEC));
		thread_fds = mine;
	}
	settled(j, res, end);
}

/*
 * The requests thread vtid has made on ring u and that are not reaped
 * yet: while it has none, it does not wait for room (uring_make_room).
 */
static int64_t *thread_mine(struct replay_ring *u, int64_t vtid)
{
	int64_t *n = ior_hashmap_get(&u->mine, (uint64_t)vtid);

	if (!n) {
		if (!(n = calloc(1, sizeof(*n))))
			fatal("calloc");
		ior_hashmap_put(&u->mine, (uint64_t)vtid, n);
	}
	return n;
}

static void mine_free(struct replay_ring *u)
{
	for (size_t i = 0; i < u->mine.cap; i++)
		free(u->mine.slot[i].val);
	ior_hashmap_free(&u->mine);
}

/* Take every completion the ring holds; with rings_lock held. */
static void uring_reap(struct replay_ring *u)
{
	struct io_uring_cqe *cqe;
	uint64_t end = now_ns() - sh->t0;
	unsigned head, n = 0;

	io_uring_for_each_cqe(&u->ring, head, cqe) {
		uring_done(u, io_uring_cqe_get_data64(cqe), cqe->res, end);
		n++;
	}
	io_uring_cq_advance(&u->ring, n);
	u->outstanding -= n;
	u->reaped += n;
}

/* Wait, at most URING_WAIT_NS, for n completions, then reap them all. */
static int64_t uring_wait(struct replay_ring *u, unsigned n)
{
	struct __kernel_timespec ts = { URING_WAIT_NS / 1000000000, 0 };
	struct io_uring_cqe *cqe;
	int64_t r = 0;

	if (n > u->outstanding)		/* never wait for what cannot come */
		n = u->outstanding > 0 ? u->outstanding : 0;
	if (n)
		r = io_uring_wait_cqes(&u->ring, &cqe, n, &ts, NULL);
	uring_reap(u);
	return r;
}

/* Reap what is in flight, each wait bounded. */
static void uring_drain(struct replay_ring *u)
{
	while (u->outstanding > 0 && uring_wait(u, 1) == 0)
		;
}

/*
 * Wake the threads waiting on ring u with the lock released: something
 * may have completed, or the ring closed. (A waiter counts itself in
 * waiters before it reads posted, and the bump comes before waiters is
 * read, both sequentially consistent: a waiter either sees the new
 * posted or is woken.)
 */
static void posted_bump(struct replay_ring *u)
{
	__atomic_add_fetch(&u->reaper.posted, 1, __ATOMIC_SEQ_CST);
	if (__atomic_load_n(&u->waiters, __ATOMIC_SEQ_CST))
		syscall(SYS_futex, &u->reaper.posted, FUTEX_WAKE_PRIVATE, INT_MAX,
			NULL, NULL, 0);
}

/*
 * Whether a wait for completions on ring u may release the lock: the
 * process has other replay threads, which may submit on the ring or
 * reap it meanwhile, as the application's did while one of its threads
 * waited in the kernel (InnoDB reaps in one thread and submits in
 * others); the ring has a reaper to say when a completion is posted;
 * and the lock is held once, so that releasing it releases it. A
 * thread alone in its process waits in the kernel as it was captured,
 * in the call it was captured in.
 */
static int can_wait_unlocked(const struct replay_ring *u)
{
	return rings_held == 1 && u->reaper.owner == getpid() &&
	       __atomic_load_n(&live_threads, __ATOMIC_RELAXED) > 1;
}

/*
 * With the lock held once: wait until the ring's completions reaped by
 * any thread reach goal, with the lock released while asleep, at most
 * URING_WAIT_NS, or until nothing is in flight that could bring them.
 * Returns 0, or -1 if the ring was closed meanwhile: u is then gone.
 */
static int wait_unlocked(struct replay_ring *u, uint64_t goal)
{
	uint64_t t0 = now_ns();

	u->waiters++;
	for (;;) {
		uint32_t p = __atomic_load_n(&u->reaper.posted, __ATOMIC_SEQ_CST);
		uint64_t waited;
		struct timespec ts;

		if (!u->closed)
			uring_reap(u);
		waited = now_ns() - t0;
		if (u->closed || u->reaped >= goal || u->outstanding <= 0 ||
		    waited >= URING_WAIT_NS)
			break;
		ts.tv_sec = (URING_WAIT_NS - waited) / 1000000000;
		ts.tv_nsec = (URING_WAIT_NS - waited) % 1000000000;
		unlock_rings();
		syscall(SYS_futex, &u->reaper.posted, FUTEX_WAIT_PRIVATE, p, &ts,
			NULL, 0);
		lock_rings();
	}
	if (--u->waiters == 0 && u->closed) {
		free(u);
		return -1;
	}
	return u->closed ? -1 : 0;
}

/*
 * The reaper: the completion time of a request is when the kernel posts
 * its CQE, as the capture's is, not when the replay reaps it, which may
 * be much later (an application reaps from the ring's memory, unseen,
 * so the replay reaps at its next call on the ring). The ring signals an
 * eventfd of its own as it posts CQEs (IORING_REGISTER_EVENTFD); a
 * thread per ring waits on it and writes the time it woke on each CQE's
 * request that is new since it last looked. It consumes nothing: the
 * replay reaps as before, and a request reaped first keeps its reaping
 * time. (Waiting in io_uring_enter for the tail to pass what it has seen
 * cannot be said exactly: the kernel counts from the head, which the
 * replay moves meanwhile.) A CQE it reads may have been reaped and its
 * slot reused: then it is a newer one, posted by now, or one that is
 * settled, whose time no longer counts.
 */
static void *reaper_main(void *arg)
{
	struct replay_ring *u = arg;
	struct io_uring_cq *cq = &u->ring.cq;
	unsigned seen = u->reaper.seen, head, tail;
	unsigned shift = io_uring_cqe_shift(&u->ring);
	uint64_t n;

	while (read(u->reaper.efd, &n, sizeof(n)) == sizeof(n) || errno == EINTR) {
		uint64_t t = now_ns() - sh->t0;

		if (__atomic_load_n(&u->reaper.stop, __ATOMIC_ACQUIRE))
			break;
		head = __atomic_load_n(cq->khead, __ATOMIC_ACQUIRE);
		tail = __atomic_load_n(cq->ktail, __ATOMIC_ACQUIRE);
		if ((int)(head - seen) > 0)
			seen = head;	/* reaped before it was seen */
		for (; seen != tail; seen++) {
			uint64_t j = __atomic_load_n(&cq->cqes[(seen & cq->ring_mask)
						     << shift].user_data, __ATOMIC_RELAXED);
			uint64_t none = END_UNSEEN(j);

			if (j < prog.nops)
				__atomic_compare_exchange_n(&req_of(j)->end, &none,
					t, 0, __ATOMIC_RELEASE, __ATOMIC_RELAXED);
		}
		posted_bump(u);
	}
	return NULL;
}

/*
 * Start ring u's reaper, unless completions on it are only the
 * submitter's to see (IORING_SETUP_DEFER_TASKRUN) or are polled
 * (IORING_SETUP_IOPOLL). Without one, a request's completion time is its
 * reaping.
 */
static void reaper_start(struct replay_ring *u)
{
	sigset_t all, old;

	if (!prog.nuring ||
	    (u->ring.flags & (IORING_SETUP_IOPOLL | IORING_SETUP_DEFER_TASKRUN)))
		return;
	if ((u->reaper.efd = eventfd(0, EFD_CLOEXEC)) < 0)
		return;
	if (io_uring_register_eventfd(&u->ring, u->reaper.efd) < 0) {
		close(u->reaper.efd);
		return;
	}
	u->reaper.seen = __atomic_load_n(u->ring.cq.ktail, __ATOMIC_ACQUIRE);
	sigfillset(&all);
	pthread_sigmask(SIG_SETMASK, &all, &old);	/* it takes no signal */
	if (!pthread_create(&u->reaper.thread, NULL, reaper_main, u))
		u->reaper.owner = getpid();
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	if (!u->reaper.owner) {
		io_uring_unregister_eventfd(&u->ring);
		close(u->reaper.efd);
	}
}

/*
 * Stop ring u's reaper, in the process that started it (a forked child
 * has none): woken through its eventfd, it sees stop and returns. Then
 * the ring signals no more.
 */
static void reaper_stop(struct replay_ring *u)
{
	uint64_t one = 1;

	if (u->reaper.owner != getpid())
		return;
	__atomic_store_n(&u->reaper.stop, 1, __ATOMIC_RELEASE);
	if (write(u->reaper.efd, &one, sizeof(one)) != sizeof(one))
		fatal("eventfd");
	pthread_join(u->reaper.thread, NULL);
	io_uring_unregister_eventfd(&u->ring);
	close(u->reaper.efd);
	u->reaper.owner = 0;
}

/*
 * If fd is a ring's, and its last descriptor in the thread's table, the
 * ring is closing: reap what it has in flight, then tear it down (which
 * closes fd). A copy left open (a dup) keeps the ring, used through it.
 * Returns whether fd was a ring's, and closed.
 */
int ring_close(int fd)
{
	struct replay_ring *u;

	if (!__atomic_load_n(&prings.nrings, __ATOMIC_RELAXED))
		return 0;
	lock_rings();
	if ((u = ring_find(fd, 0))) {
		for (int32_t v = 0; v <= prog.maxvfd; v++) {
			int other = real_fd(v);

			if (other < 0 || other == fd || !same_file(fd, other))
				continue;
			u->ring.ring_fd = other;
			if (u->ring.enter_ring_fd == fd)
				u->ring.enter_ring_fd = other;
			close(fd);
			unlock_rings();
			return 1;
		}
		uring_drain(u);
		reaper_stop(u);
		io_uring_queue_exit(&u->ring);
		uring_free_bufs(u);
		mine_free(u);
		for (uint32_t i = 0; i < prings.nrings; i++)
			if (prings.rings[i] == u)
				prings.rings[i] = prings.rings[--prings.nrings];
		if (u->waiters) {	/* the last of them frees it */
			u->closed = 1;
			posted_bump(u);
		} else {
			free(u);
		}
	}
	unlock_rings();
	return u != NULL;
}

/*
 * io_uring_setup with the captured entries and flags. A captured failure
 * is issued as it was, to fail the same way; a success makes a ring, with
 * the flag bits this kernel refuses dropped one by one (counted), and
 * the tables of a ring set up before capture.
 */
static int64_t uring_setup(const struct prog_op *op)
{
	struct io_uring_params p;
	uint32_t flags = op->flags & ~SETUP_DROP;
	struct replay_ring *u, **rings;
	int r;

	memset(&p, 0, sizeof(p));
	if (op->cret < 0) {
		p.flags = op->flags;
		p.cq_entries = op->offset;
		r = syscall(SYS_io_uring_setup, (unsigned)op->len, &p);
		if (r >= 0)
			close(r);
		return neg(r);
	}
	if (!(u = calloc(1, sizeof(*u))))
		fatal("calloc");
	for (;;) {
		memset(&p, 0, sizeof(p));
		p.flags = flags;
		p.cq_entries = op->offset;
		r = io_uring_queue_init_params(op->len, &u->ring, &p);
		if ((r != -EINVAL && r != -EPERM) || !flags)
			break;
		flags &= ~(1u << (31 - __builtin_clz(flags)));
	}
	if (flags != op->flags)
		__atomic_add_fetch(&sh->uring_dropped, 1, __ATOMIC_RELAXED);
	if (r < 0) {
		free(u);
		return r;
	}
	if ((r = ring_tables(u, op)) < 0) {
		io_uring_queue_exit(&u->ring);
		uring_free_bufs(u);
		free(u);
		return r;
	}
	reaper_start(u);
	lock_rings();
	if (!(rings = ior_grow(prings.rings, &prings.rings_cap,
			       prings.nrings + 1, sizeof(*rings))))
		fatal("realloc");
	prings.rings = rings;
	prings.rings[prings.nrings] = u;
	__atomic_store_n(&prings.nrings, prings.nrings + 1, __ATOMIC_RELAXED);
	unlock_rings();
	return u->ring.ring_fd;
}

/* A path of the program, relative to the root for an *at call on it. */
static const char *in_root(const char *path)
{
	while (*path == '/')
		path++;
	return *path ? path : ".";
}

/*
 * Submit the SQEs made since the last submission: they are outstanding.
 * On an SQPOLL ring, io_uring_submit counts the SQEs its thread has not
 * taken yet, earlier ones included: the SQEs made are counted instead.
 */
static int uring_submit(struct replay_ring *u)
{
	int k = io_uring_submit(&u->ring);

	if (u->ring.flags & IORING_SETUP_SQPOLL)
		u->outstanding += k < 0 ? 0 : u->prepped;
	else if (k > 0)
		u->outstanding += k;
	u->prepped = 0;
	return k;
}

/* Whether a request acts on a descriptor or registered file. */
static int uses_fd(const struct prog_op *rq)
{
	switch (rq->kind) {
	case IOR_REPLAY_UR_NOP: case IOR_REPLAY_UR_OPENAT: case IOR_REPLAY_UR_OPENAT2:
		return 0;
	case IOR_REPLAY_UR_CLOSE:
		return rq->fixed < 0;
	case IOR_REPLAY_UR_STATX:	/* on its dirfd only with an empty path */
		return rq->fd >= 0;
	default:
		return 1;
	}
}

/*
 * An SQE for request j on ring u, as captured: its operation on the
 * replay's descriptor, registered file or buffer, its IOSQE_* flags, and
 * its index as user_data. Returns 0, or why it cannot be (enum skip).
 */
static int uring_prep(struct replay_ring *u, struct thread_state *w, uint32_t j)
{
	const struct prog_op *rq = op_at(j);
	struct ring_req *q = req_of(j);
	struct io_uring_sqe *sqe;
	unsigned sqef = rq->sqe & ~IOSQE_CQE_SKIP_SUCCESS;	/* needs its CQE */
	int fd = -1, pathfd = -1, err = 0;
	void *buf;
	size_t n;

	if (rq->kind == IOR_REPLAY_UR_OTHER || (rq->sqe & IOSQE_BUFFER_SELECT))
		return SKIP_UNSUPPORTED;	/* no provided buffers */
	if (uses_fd(rq)) {
		if (rq->fixed >= 0) {
			fd = rq->fixed;
			sqef |= IOSQE_FIXED_FILE;
		} else if ((fd = real_fd(rq->fd)) < 0)
			return SKIP_NOFD;
	}
	if (rq->kind == IOR_REPLAY_UR_STATX && fd < 0) {
		int nofollow = rq->flags & AT_SYMLINK_NOFOLLOW ? O_NOFOLLOW : 0;

		/* Resolved beneath the root; a failure is the request's result. */
		pathfd = ior_root_openat(&root, str(rq->path),
					 O_PATH | O_CLOEXEC | nofollow, 0);
		if (pathfd < 0) {
			err = pathfd;
			pathfd = -1;
		}
	}
	if (!(sqe = io_uring_get_sqe(&u->ring))) {
		/* The ring is smaller than the batch: submit what it holds.
		 * An SQPOLL ring's thread takes the entries when it runs, not
		 * at the submit: wait for it to leave room (on a busy machine
		 * it had not, and requests were lost as skip=nofd). */
		uring_submit(u);
		sqe = io_uring_get_sqe(&u->ring);
		if (!sqe && (u->ring.flags & IORING_SETUP_SQPOLL) &&
		    io_uring_sqring_wait(&u->ring) >= 0)
			sqe = io_uring_get_sqe(&u->ring);
		if (!sqe) {
			if (pathfd >= 0)
				close(pathfd);
			return SKIP_NOFD;
		}
	}
	u->prepped++;
	q->pathfd = pathfd;
	q->err = err;
	q->tab = thread_fds;
	q->tid = rq->tid;
	q->of = j + 1;
	q->opens = (rq->kind == IOR_REPLAY_UR_OPENAT ||
		    rq->kind == IOR_REPLAY_UR_OPENAT2) && rq->fixed < 0;
	q->stx = NULL;
	q->iov = NULL;
	__atomic_store_n(&q->end, END_UNSEEN(j), __ATOMIC_RELAXED);
	switch (rq->kind) {
	case IOR_REPLAY_UR_READ:
		io_uring_prep_read(sqe, fd, w->rbuf, rq->count, rq->offset);
		break;
	case IOR_REPLAY_UR_WRITE:
		io_uring_prep_write(sqe, fd, wdata, rq->count, rq->offset);
		break;
	case IOR_REPLAY_UR_READV: case IOR_REPLAY_UR_WRITEV:
		if (!(q->iov = calloc(iov_room(rq->iovcnt) + 1, sizeof(*q->iov))))
			fatal("calloc");
		buf = rq->kind == IOR_REPLAY_UR_READV ? w->rbuf : wdata;
		fill_iov(q->iov, rq->iovcnt, buf, rq->count);
		if (rq->kind == IOR_REPLAY_UR_READV)
			io_uring_prep_readv(sqe, fd, q->iov, rq->iovcnt, rq->offset);
		else
			io_uring_prep_writev(sqe, fd, q->iov, rq->iovcnt, rq->offset);
		break;
	case IOR_REPLAY_UR_READ_FIXED: case IOR_REPLAY_UR_WRITE_FIXED:
		/* A buffer never registered: the kernel refuses the index. */
		buf = rq->arg >= 0 && rq->arg < u->nbufs ? u->bufs[rq->arg] : NULL;
		n = buf && rq->count > u->buflens[rq->arg] ?
			u->buflens[rq->arg] : rq->count;
		if (rq->kind == IOR_REPLAY_UR_READ_FIXED)
			io_uring_prep_read_fixed(sqe, fd, buf, n, rq->offset,
						 rq->arg);
		else
			io_uring_prep_write_fixed(sqe, fd, buf, n, rq->offset,
						  rq->arg);
		break;
	case IOR_REPLAY_UR_FSYNC:
		io_uring_prep_fsync(sqe, fd, rq->flags);
		sqe->off = rq->offset;
		sqe->len = rq->len;
		break;
	case IOR_REPLAY_UR_FALLOCATE:
		io_uring_prep_fallocate(sqe, fd, rq->mode, rq->offset, rq->len);
		break;
	case IOR_REPLAY_UR_OPENAT: case IOR_REPLAY_UR_OPENAT2:
		/* openat2 beneath the root, whatever the capture used. */
		q->how = (struct open_how){ .flags = rq->flags,
			.mode = ior_open_creates(rq->flags) ?
				rq->mode & 07777 : 0,
			.resolve = rq->cmd | RESOLVE_IN_ROOT |
				RESOLVE_NO_MAGICLINKS };
		if (rq->fixed >= 0)
			io_uring_prep_openat2_direct(sqe, root.fd,
				in_root(str(rq->path)), &q->how, rq->fixed);
		else
			io_uring_prep_openat2(sqe, root.fd,
				in_root(str(rq->path)), &q->how);
		sqef &= ~IOSQE_FIXED_FILE;
		break;
	case IOR_REPLAY_UR_CLOSE:
		if (rq->fixed >= 0) {
			io_uring_prep_close_direct(sqe, rq->fixed);
			sqef &= ~IOSQE_FIXED_FILE;
			break;
		}
		io_uring_prep_close(sqe, fd);
		/* The ring closes it: the table forgets it now. */
		forget_fd(rq->fd, rq->num);
		break;
	case IOR_REPLAY_UR_STATX:
		if (q->err) {
			/*
			 * Submitted still, in its batch, as a NOP that fails
			 * with the error (and so breaks a link as the statx
			 * did); the result is the error whatever the NOP's.
			 */
			io_uring_prep_nop(sqe);
			sqe->rw_flags = NOP_INJECT_RESULT;
			sqe->len = q->err;
			break;
		}
		if (!(q->stx = malloc(sizeof(*q->stx))))
			fatal("malloc");
		if (fd >= 0)	/* AT_EMPTY_PATH on a descriptor */
			io_uring_prep_statx(sqe, fd, "", rq->flags, rq->mask, q->stx);
		else
			io_uring_prep_statx(sqe, pathfd, "", AT_EMPTY_PATH |
				(rq->flags & ~AT_SYMLINK_NOFOLLOW), rq->mask,
				q->stx);
		break;
	default:
		io_uring_prep_nop(sqe);
		break;
	}
	io_uring_sqe_set_flags(sqe, sqef);
	io_uring_sqe_set_data64(sqe, j);
	res_at(j)->start = now_ns() - sh->t0;
	(*thread_mine(u, rq->tid))++;
	return 0;
}

/*
 * Before the requests of a submission (from first on, by batch) are
 * made: reap, each wait bounded, until they fit in the ring's captured
 * queue depth with those still in flight, or until none of their
 * thread's own is in flight. An application keeps its depth by waiting
 * for its own completions (fio); a thread of one that shares a ring
 * among threads (InnoDB) does not wait for another's. Replayed as fast
 * as possible, the threads shift against each other: a submission may
 * meet more of another thread's requests in flight than it did in the
 * capture, and waiting for those could be waiting for one that only it
 * can end. Returns 0, or -1 if the ring was closed meanwhile (u is gone).
 */
static int uring_make_room(struct replay_ring *u, uint32_t first,
			   uint32_t depth)
{
	int64_t n = 0, *mine;

	for (uint32_t j = first; j != NONE; j = op_at(j)->batch)
		n++;
	if (!n)
		return 0;
	mine = thread_mine(u, op_at(first)->tid);
	uring_reap(u);
	while (*mine > 0 && u->outstanding > 0 &&
	       u->outstanding + n > (depth > n ? depth : n)) {
		uint64_t goal = u->reaped + 1;

		if (!can_wait_unlocked(u)) {
			if (uring_wait(u, 1))
				break;
		} else if (wait_unlocked(u, goal)) {
			return -1;
		} else if (u->reaped < goal) {
			break;	/* waited long enough */
		}
	}
	return 0;
}

/* The SQEs of a submission's requests, from first on; how many. */
static unsigned uring_prep_batch(struct replay_ring *u, struct thread_state *w,
				 uint32_t first)
{
	unsigned n = 0;
	int skip;

	for (uint32_t j = first; j != NONE; j = op_at(j)->batch) {
		if ((skip = uring_prep(u, w, j)))
			skip_request(j, skip);
		else
			n++;
	}
	return n;
}

/*
 * io_uring_enter: the n requests of its sub, prepared, submitted in one
 * call with the captured min_complete (never more than can come, and
 * bounded in time), then every completion the ring holds is reaped.
 */
static int64_t uring_enter(struct replay_ring *u, const struct prog_op *op, unsigned n)
{
	struct __kernel_timespec ts = { URING_WAIT_NS / 1000000000, 0 };
	struct io_uring_cqe *cqe;
	unsigned want;
	int64_t r;

	/* Refused arguments (unknown flags): refused again, nothing entered. */
	if (op->cret == -EINVAL && !n)
		return neg(syscall(SYS_io_uring_enter, u->ring.ring_fd, 0, 0,
				   op->flags & ~IORING_ENTER_REGISTERED_RING,
				   NULL, 0));
	want = (op->flags & IORING_ENTER_GETEVENTS) ? op->len : 0;
	if (want > u->outstanding + n)
		want = u->outstanding + n;
	/*
	 * An SQPOLL ring's requests have no sub: each was submitted alone at
	 * its place (uring_alone). Its io_uring_enter with to_submit is
	 * issued as captured all the same, after a bounded wait for what it
	 * waited for: on such a ring the kernel returns to_submit, as it did
	 * in the capture (liburing, with nothing to submit, would return 0
	 * and make no call).
	 */
	if ((u->ring.flags & IORING_SETUP_SQPOLL) && !n && op->count) {
		if (want)
			io_uring_wait_cqes(&u->ring, &cqe, want, &ts, NULL);
		r = neg(syscall(SYS_io_uring_enter, u->ring.ring_fd, op->count,
				0, op->flags & IORING_ENTER_SQ_WAKEUP, NULL, 0));
		uring_reap(u);
		return r;
	}
	if (!op->count && want && can_wait_unlocked(u)) {
		if (!wait_unlocked(u, u->reaped + want))
			uring_reap(u);
		return 0;
	}
	if (!op->count) {	/* only waits for completions */
		r = want ? io_uring_wait_cqes(&u->ring, &cqe, want, &ts, NULL) :
			neg(syscall(SYS_io_uring_enter, u->ring.ring_fd, 0, 0,
				    op->flags & IORING_ENTER_GETEVENTS, NULL, 0));
		uring_reap(u);
		return r == -ETIME ? 0 : r;
	}
	u->prepped = 0;
	if (want && can_wait_unlocked(u)) {
		uint64_t goal = u->reaped + want;

		if ((r = io_uring_submit(&u->ring)) > 0)
			u->outstanding += r;
		if (r >= 0 && wait_unlocked(u, goal))
			return r;
		uring_reap(u);
		return r;
	}
	r = want ? io_uring_submit_and_wait_timeout(&u->ring, &cqe, want, &ts,
						    NULL) :
		io_uring_submit(&u->ring);
	if (r == -ETIME)	/* submitted, then the wait timed out */
		r = n;
	if (r > 0)
		u->outstanding += r;
	uring_reap(u);
	return r;
}

/*
 * The first request of an SQPOLL thread's batch: the batch (j and, by
 * batch, the others) submitted as the thread took it, at the captured
 * depth, and not waited for: the ring's thread does not wait either.
 */
static int uring_lead(struct replay_ring *u, struct thread_state *w,
		      uint32_t j)
{
	if (uring_make_room(u, j, op_at(j)->depth))
		return SKIP_NOFD;	/* the ring closed meanwhile */
	if (uring_prep_batch(u, w, j))
		uring_submit(u);
	uring_reap(u);
	return 0;
}

/*
 * A request not issued by an io_uring_enter: the first of an SQPOLL
 * batch, which submits the batch; one without sub nor batch (an SQPOLL
 * ring's, captured before batch= was), submitted alone at its place and
 * waited for; or one whose call is not in the program, never issued.
 */
void uring_alone(struct thread_state *w, uint32_t j)
{
	struct replay_ring *u;
	int skip = 0;

	const struct prog_op *rq = op_at(j);

	if (rq->alone == ALONE_ORPHAN) {
		skip_request(j, SKIP_ORPHAN);
		return;
	}
	lock_rings();
	if (!(u = ring_of_num(rq->ring)))
		skip = SKIP_NOFD;
	else if (rq->alone == ALONE_LEAD)
		skip = uring_lead(u, w, j);
	else if (!(skip = uring_prep(u, w, j))) {
		uring_submit(u);
		for (uint64_t t = now_ns(); claim_of(res_at(j)) == CL_NONE &&
		     now_ns() - t < URING_WAIT_NS && u->outstanding > 0; )
			uring_wait(u, 1);
	}
	unlock_rings();
	for (uint32_t i = j; skip > 0 && i != NONE; i = op_at(i)->batch)
		skip_request(i, skip);
}

/*
 * A request in flight on a ring the process makes no call on for long
 * would hold the window's earliest slot until its thread ended: an
 * application reaps from the ring's memory, unseen, so the capture may
 * have no call on the ring for as long. Its completion is taken when a
 * thread of the process would sleep instead; its time is the reaper's.
 */
int uring_reap_idle(void)
{
	int out = 0;

	if (!prog.streamed || !__atomic_load_n(&prings.nrings, __ATOMIC_RELAXED))
		return 0;
	/*
	 * Never wait for the lock: its holder is using the rings and reaps
	 * them, and every thread of a busy process sleeping here in turn,
	 * each millisecond, would queue on it behind the submitters (an
	 * InnoDB replay waited 57,000 times for it, 15,000 without these).
	 * Busy, look again after the sleep.
	 */
	if (!trylock_rings())
		return 1;
	for (uint32_t i = 0; i < prings.nrings; i++) {
		uring_reap(prings.rings[i]);
		out |= prings.rings[i]->outstanding > 0;
	}
	unlock_rings();
	/* nothing in flight: what is submitted later, its thread reaps */
	return out;
}

void uring_thread_begin(void)
{
	__atomic_add_fetch(&live_threads, 1, __ATOMIC_RELAXED);
}

/* A request its thread left unsettled: in flight. */
static void left_in_flight(uint32_t j)
{
	if (is_uring_request(op_at(j)->kind))
		settle(j, CL_INFLIGHT, 0, 0);
}

/*
 * A thread ends: its requests must not outlive its buffers. Reap what
 * the process's rings hold (bounded); what is still out is in flight
 * (of those it went past unsettled, pend). The process's last thread
 * stops the rings' reapers: the process ends when its last thread does.
 */
void uring_thread_end(struct pending *pend)
{
	int last = __atomic_sub_fetch(&live_threads, 1, __ATOMIC_ACQ_REL) == 0;

	if (!prog.nuring)
		return;
	lock_rings();
	for (uint32_t i = 0; i < prings.nrings; i++) {
		uring_drain(prings.rings[i]);
		if (last)
			reaper_stop(prings.rings[i]);
	}
	unlock_rings();
	pending_each(pend, left_in_flight);
}

/*
 * io_uring_setup, io_uring_enter with the requests of its sub, and
 * io_uring_register. A ring never set up in the replay is as a descriptor
 * never opened; a call that failed on a descriptor that is no ring
 * (EOPNOTSUPP) is issued on the replay's descriptor, to fail again.
 */
int issue_uring(struct thread_state *w, const struct prog_op *op,
		struct op_result *res)
{
	struct replay_ring *u = NULL;
	unsigned nsqe = 0;
	int fd = -1, skip = 0;
	uint64_t t1, t2;
	int64_t r;

	if (op->kind == IOR_REPLAY_URING_FIXED) {
		lock_rings();
		if (!(u = ring_of_num(op->ring))) {
			unlock_rings();
			return SKIP_NOFD;
		}
		t1 = now_ns();
		r = uring_fixed(u, op);
		t2 = now_ns();
		unlock_rings();
		issued(res, t1, t2, r);
		return 0;
	}
	if (op->kind != IOR_REPLAY_URING_SETUP) {
		lock_rings();	/* held until the call is done (but while
				   wait_unlocked sleeps) */
		u = ring_find(real_fd(op->fd), 1);
		if (u && op->kind == IOR_REPLAY_URING_ENTER) {
			if (uring_make_room(u, op->batch, op->depth))
				u = NULL;	/* the ring closed meanwhile */
			else
				nsqe = uring_prep_batch(u, w, op->batch);
		}
		if (!u) {
			unlock_rings();
			for (uint32_t j = op->batch; j != NONE; j = op_at(j)->batch)
				skip_request(j, SKIP_NOFD);
			if (op->cret >= 0 || real_fd(op->fd) < 0)
				return SKIP_NOFD;
		}
	}
	if (op->byfd && (fd = real_fd(op->fd)) < 0)
		return SKIP_NOFD;
	t1 = now_ns();
	if (op->kind == IOR_REPLAY_URING_SETUP)
		r = uring_setup(op);
	else if (op->kind == IOR_REPLAY_URING_ENTER)
		r = u ? uring_enter(u, op, nsqe) :
			neg(syscall(SYS_io_uring_enter, fd, 0, 0, 0, NULL, 0));
	else
		r = u ? uring_register(u, op, &skip) :
			neg(syscall(SYS_io_uring_register, fd,
				    op->cmd & ~REGISTER_USE_RING, NULL, 0));
	t2 = now_ns();
	if (u)
		unlock_rings();
	if (skip)
		return skip;
	issued(res, t1, t2, r);
	/* The ring's descriptor is close-on-exec. */
	if (op->kind == IOR_REPLAY_URING_SETUP && r >= 0 && op->fd >= 0) {
		bind_fd(op->fd, r, 1);
		bind_num(op->num, op->fd);
	} else if (op->kind == IOR_REPLAY_URING_SETUP && r >= 0)
		ring_close(r);
	return 0;
}
