// SPDX-License-Identifier: GPL-2.0
/*
 * ior-trace-uring.bpf.c - io_uring: each request from its submission to
 * its completion, from the io_uring tracepoints.
 *
 * A request is submitted by the task that calls io_uring_enter, or by
 * the ring's SQPOLL thread, a thread of the same process; both are
 * current here. io_init_req has prepared it: its command (struct io_rw,
 * io_open ..., over the request's first bytes) holds the operation's
 * arguments, the kernel's copy of a path included, and cqe.fd the
 * descriptor or fixed index. Requests that post no completion on
 * success (IOSQE_CQE_SKIP_SUCCESS) cannot be followed.
 */
#include "ior-trace.bpf.h"

static __always_inline bool is_rw_op(__u8 op)
{
	return op == IORING_OP_READV || op == IORING_OP_WRITEV ||
	       op == IORING_OP_READ_FIXED || op == IORING_OP_WRITE_FIXED ||
	       op == IORING_OP_READ || op == IORING_OP_WRITE ||
	       op == IORING_OP_READ_MULTISHOT ||
	       op == IORING_OP_READV_FIXED || op == IORING_OP_WRITEV_FIXED;
}

static __always_inline bool is_vec_op(__u8 op)
{
	return op == IORING_OP_READV || op == IORING_OP_WRITEV ||
	       op == IORING_OP_READV_FIXED || op == IORING_OP_WRITEV_FIXED;
}

#define RING_SCAN_MAX 65536	/* descriptors looked at for a ring's */

/* A search of the task's descriptors for ring ctx's: bpf_loop's state. */
struct ring_scan {
	struct file **fds;
	__u64 ctx;
	__u32 max;
	__s64 fd;
};

static long scan_step(__u32 i, void *arg)
{
	struct ring_scan *s = arg;
	struct file *f = NULL;

	if (i >= s->max)
		return 1;
	if (bpf_probe_read_kernel(&f, sizeof(f), &s->fds[i]) || !f ||
	    (__u64)BPF_CORE_READ(f, private_data) != s->ctx)
		return 0;
	s->fd = i;
	return 1;
}

/*
 * Ring ctx: its descriptor from io_uring_setup, or the enter that
 * submits (its number is the same in both ABIs, its registers are not);
 * else, once, from the task's descriptors: a ring set up before capture
 * began whose requests its SQPOLL thread submits, or entered by its
 * registered index. NULL when the map has no room.
 */
static __always_inline struct ior_ring *ring_of(struct task_struct *task,
						__u64 ctx)
{
	struct ior_ring *r = bpf_map_lookup_elem(&uring_rings, &ctx), n = {};
	struct ring_scan s = { .ctx = ctx, .fd = -1 };
	struct pt_regs *regs;
	bool i386 = task_abi(task) == IOR_ABI_I386;

	if (r)
		return r;
	regs = (struct pt_regs *)bpf_task_pt_regs(task);
	if (BPF_CORE_READ(regs, orig_ax) == IOR_NR_io_uring_enter &&
	    !((i386 ? BPF_CORE_READ(regs, si) : BPF_CORE_READ(regs, r10)) &
	      IORING_ENTER_REGISTERED_RING)) {
		s.fd = i386 ? (int)BPF_CORE_READ(regs, bx) : BPF_CORE_READ(regs, di);
	} else {
		s.fds = BPF_CORE_READ(task, files, fdt, fd);
		s.max = BPF_CORE_READ(task, files, fdt, max_fds);
		bpf_loop(RING_SCAN_MAX, scan_step, &s, 0);
	}
	n.fd = s.fd;
	bpf_map_update_elem(&uring_rings, &ctx, &n, BPF_ANY);
	return bpf_map_lookup_elem(&uring_rings, &ctx);
}

/*
 * The batch of ring ctx's SQPOLL thread that a request it submits is
 * in: one io_submit_sqes() call, which takes submit_nr SQEs from the
 * ring's head on; a request whose SQE lies beyond them starts the next.
 * A number of the sequence of io_submit's and io_uring_enter's subs.
 */
static __always_inline __u64 sqpoll_batch(struct ior_ring *r,
					  struct io_ring_ctx *ctx)
{
	__u32 head = ctx->cached_sq_head - 1;	/* this request's SQE */

	if (!r->sub || (__s32)(head - r->batch_end) >= 0) {
		r->sub = __sync_fetch_and_add(&aio_sub_last, 1) + 1;
		r->batch_end = head + ctx->submit_state.submit_nr;
	}
	return r->sub;
}

/*
 * The sub of the io_uring_enter that task is in, or 0: the requests an
 * enter submits are submitted in it, before it returns. An enter that
 * began before capture (its entry unseen) takes its sub, and its start,
 * as it submits: its exit then writes it, and its requests have their
 * enter.
 */
static __always_inline __u64 enter_sub(struct task_struct *task)
{
	__u32 tid = task->pid;
	struct ior_thread *th = bpf_map_lookup_elem(&threads, &tid);
	struct pt_regs *regs;

	if (!th || th->state != IOR_TGID_TRACED)
		return 0;
	regs = (struct pt_regs *)bpf_task_pt_regs(task);
	if (BPF_CORE_READ(regs, orig_ax) != IOR_NR_io_uring_enter)
		return 0;
	if (!th->time) {
		th->time = bpf_ktime_get_ns();
		th->sub = __sync_fetch_and_add(&aio_sub_last, 1) + 1;
	}
	return th->sub;
}

/*
 * The operation's keys of request req (see struct ior_event), from the
 * command its prep filled in; the kernel's copy of its path, or NULL.
 */
static __always_inline const char *read_op(struct ior_event *e,
					   struct io_kiocb *req, __u8 op)
{
	struct io_rw *rw = (void *)req;
	struct io_sync *sync = (void *)req;
	struct io_open *open = (void *)req;
	struct io_statx *sx = (void *)req;
	struct io_close *cl = (void *)req;
	__u64 addr;

	switch (op) {
	case IORING_OP_FSYNC:
	case IORING_OP_FALLOCATE:
		e->args[1] = BPF_CORE_READ(sync, off);
		e->args[2] = BPF_CORE_READ(sync, len);
		e->val[0] = op == IORING_OP_FSYNC ? BPF_CORE_READ(sync, flags) :
						    BPF_CORE_READ(sync, mode);
		return NULL;
	case IORING_OP_OPENAT:
	case IORING_OP_OPENAT2:
		e->args[0] = BPF_CORE_READ(open, dfd);
		/* the kernel adds O_LARGEFILE: the program did not ask */
		e->args[1] = BPF_CORE_READ(open, how.flags) & ~O_LARGEFILE;
		e->args[2] = BPF_CORE_READ(open, how.mode);
		e->val[0] = BPF_CORE_READ(open, how.resolve);
		e->val[2] = BPF_CORE_READ(open, file_slot);
		return BPF_CORE_READ(open, filename, name);
	case IORING_OP_STATX:
		e->args[0] = BPF_CORE_READ(sx, dfd);
		e->args[1] = BPF_CORE_READ(sx, flags);
		e->args[2] = BPF_CORE_READ(sx, mask);
		return BPF_CORE_READ(sx, filename, name);
	case IORING_OP_CLOSE:
		e->args[0] = BPF_CORE_READ(cl, fd);
		e->val[2] = BPF_CORE_READ(cl, file_slot);
		return NULL;
	}
	if (!is_rw_op(op))
		return NULL;
	e->args[1] = BPF_CORE_READ(rw, kiocb.ki_pos);
	e->args[2] = BPF_CORE_READ(rw, len);
	if (is_vec_op(op)) {
		addr = BPF_CORE_READ(rw, addr);
		e->val[0] = e->args[2];
		/* a ring of a 32-bit process takes its iovecs */
		e->args[2] = iov_sum(addr, e->val[0],
				     BPF_CORE_READ_BITFIELD_PROBED(req->ctx, compat));
	}
	e->val[2] = req->buf_index;
	return NULL;
}

/*
 * The IOSQE_* flags the program gave the request. The kernel adds
 * IOSQE_ASYNC itself to operations that would block (fsync, statx, opens
 * that create), so they are read from the SQE the request was made from:
 * io_get_sqe took the one at the ring's cached head, then advanced it.
 * The SQE is shared with the program; when it no longer matches the
 * request, the kernel's copy is all there is.
 */
static __always_inline __u8 sqe_flags(struct io_kiocb *req)
{
	struct io_ring_ctx *ctx = req->ctx;
	struct io_uring_sqe *sqes;
	__u32 flags = ctx->flags, head;
	__u64 user_data = 0;
	__u8 f = 0, op = 0xff;

	if (flags & IORING_SETUP_SQE_MIXED)
		return req->flags & IOSQE_FLAGS;
	head = (ctx->cached_sq_head - 1) & (ctx->sq_entries - 1);
	if (!(flags & IORING_SETUP_NO_SQARRAY) &&
	    bpf_probe_read_kernel(&head, sizeof(head), ctx->sq_array + head))
		return req->flags & IOSQE_FLAGS;
	if (flags & IORING_SETUP_SQE128)
		head <<= 1;
	sqes = ctx->sq_sqes;
	if (head >= 2 * ctx->sq_entries ||
	    bpf_probe_read_kernel(&op, 1, &sqes[head].opcode) ||
	    bpf_probe_read_kernel(&user_data, 8, &sqes[head].user_data) ||
	    bpf_probe_read_kernel(&f, 1, &sqes[head].flags) ||
	    op != req->opcode || user_data != req->cqe.user_data)
		return req->flags & IOSQE_FLAGS;
	return f & IOSQE_FLAGS;
}

SEC("tp_btf/io_uring_submit_req")
int BPF_PROG(ior_uring_submit, struct io_kiocb *req)
{
	struct task_struct *task = bpf_get_current_task_btf();
	__u64 key = (__u64)req;
	struct ior_event *e;
	struct ior_ring *r;
	const char *path;
	__u32 zero = 0;
	long n;

	if (!uring_ops || is_self(task) ||
	    tgid_state(task->tgid) != IOR_TGID_TRACED)
		return 0;
	if (req->flags & REQ_F_CQE_SKIP) {
		count(IOR_CNT_URING_LOST);
		return 0;
	}
	/* the scratch buffer: too large for the stack */
	if (!(e = bpf_map_lookup_elem(&scratch, &zero)))
		return 0;
	__builtin_memset(e, 0, sizeof(*e));
	fill_head(e, IOR_EV_URING, bpf_ktime_get_ns(), task);
	r = ring_of(task, (__u64)req->ctx);
	if (task->flags & PF_IO_WORKER) {
		/* the ring's SQPOLL thread: written as the process */
		e->tid = task->tgid;
		__builtin_memcpy(e->comm, task->group_leader->comm,
				 sizeof(e->comm));
		e->val[1] = IOR_EXEC_SQPOLL | IOR_EXEC_BATCH;
		if (r)
			e->val[3] = sqpoll_batch(r, req->ctx);
	} else {
		e->val[1] = IOR_EXEC_INLINE;
		e->val[3] = enter_sub(task);
	}
	e->nr = req->opcode;
	e->args[0] = req->cqe.fd;
	e->args[1] = -1;
	path = read_op(e, req, req->opcode);
	/* an open that may create: its submitter's umask, which it applies */
	if (req->opcode == IORING_OP_OPENAT || req->opcode == IORING_OP_OPENAT2)
		e->umask = IOR_UMASK_READ | (task->fs->umask & 0777);
	e->args[3] = sqe_flags(req);
	e->args[4] = req->cqe.user_data;
	e->args[5] = r ? r->fd : -1;
	if (path) {
		/* read now: the kernel frees its copy once the open is done */
		n = bpf_probe_read_kernel_str(e->data, IOR_PATH_MAX, path);
		if (n > 0 &&
		    bpf_map_update_elem(&uring_paths, &key, e->data, BPF_ANY)) {
			count(IOR_CNT_URING_LOST);
			return 0;
		}
	}
	if (bpf_map_update_elem(&uring_reqs, &key, e, BPF_ANY)) {
		count(IOR_CNT_URING_LOST);
		if (path)
			bpf_map_delete_elem(&uring_paths, &key);
	}
	return 0;
}

/*
 * The two programs below act only on requests that ior_uring_submit
 * kept, never ior-trace's own: they test no task, as the current one
 * may be any (an io-wq worker, or whichever an interrupt completes on).
 */
SEC("tp_btf/io_uring_queue_async_work")
int BPF_PROG(ior_uring_async, struct io_kiocb *req, int rw)
{
	__u64 key = (__u64)req;
	struct ior_event *e = bpf_map_lookup_elem(&uring_reqs, &key);

	if (e)
		e->val[1] = IOR_EXEC_IOWQ | (e->val[1] & IOR_EXEC_BATCH);
	return 0;
}

SEC("tp_btf/io_uring_complete")
int BPF_PROG(ior_uring_complete, struct io_ring_ctx *rctx, void *req,
	     struct io_uring_cqe *cqe)
{
	__u64 key = (__u64)req;
	struct ior_event *e = bpf_map_lookup_elem(&uring_reqs, &key), *w;
	struct uring_path *p;
	__u32 zero = 0;
	long n;

	if (!e)
		return 0;
	p = bpf_map_lookup_elem(&uring_paths, &key);
	e->ret = cqe->res;
	e->dur = bpf_ktime_get_ns() - e->time;
	if (p && (w = bpf_map_lookup_elem(&scratch, &zero))) {
		/* whole, with its path */
		__builtin_memcpy(w, e, sizeof(*w));
		n = bpf_probe_read_kernel_str(w->data, IOR_PATH_MAX, p->path);
		w->len1 = n > 0 ? n : 0;
		output(w);
	} else if (bpf_ringbuf_output(&events, e, IOR_EV_SMALL,
				      wakeup(IOR_EV_SMALL, false))) {
		count(IOR_CNT_DROPS);
	}
	if (p)
		bpf_map_delete_elem(&uring_paths, &key);
	bpf_map_delete_elem(&uring_reqs, &key);
	return 0;
}
