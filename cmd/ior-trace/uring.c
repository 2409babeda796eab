/*
 * uring.c - io_uring: each request, complete when the kernel posts its
 * CQE (see struct ior_event for what the BPF programs send of it).
 */
#include <stdio.h>
#include <string.h>

#include <linux/types.h>
#include <linux/io_uring.h>
#include <bpf/bpf.h>

#include "decode.h"
#include "output.h"
#include "procview.h"
#include "uring.h"

/* Newer than the installed <linux/io_uring.h>. */
#define URING_OP_READ_MULTISHOT 49
#define URING_OP_READV_FIXED 60
#define URING_OP_WRITEV_FIXED 61
#define URING_REGISTER_USE_REGISTERED_RING 0x80000000u

static const char *const uring_execs[] = {
	[IOR_EXEC_INLINE] = "inline", [IOR_EXEC_IOWQ] = "iowq",
	[IOR_EXEC_SQPOLL] = "sqpoll",
};

static void put_uring_fd(const struct ior_event *e)
{
	ior_put_kv_i64(&trace_out, e->args[3] & IOSQE_FIXED_FILE ? "fixed" :
		       "fd", (int)e->args[0]);
}

/* openat and openat2 requests: like the calls, and the slot they fill. */
static void put_uring_open(const struct ior_event *e, const char *path,
			   bool inflight)
{
	const __u64 *a = e->args;
	uint32_t slot = e->val[2];

	put_dirfd("dirfd", a[0]);
	ior_put_kv_esc(&trace_out, "path", path);
	put_flags("flags", ior_open_flags, a[1]);
	put_octal("mode", a[2]);
	if (ior_open_creates(a[1]))
		put_umask(e);
	if (e->nr == IORING_OP_OPENAT2)
		put_flags("resolve", ior_resolve_flags, e->val[0]);
	/* a slot the kernel chose is the result */
	if (slot == IORING_FILE_INDEX_ALLOC && !inflight && e->ret >= 0)
		ior_put_kv_i64(&trace_out, "slot", e->ret);
	else if (slot && slot != IORING_FILE_INDEX_ALLOC)
		ior_put_kv_i64(&trace_out, "slot", slot - 1);
}

/* The read and write requests: fd offset count [iovcnt] [buf]. */
static void put_uring_rw(const struct ior_event *e)
{
	uint16_t op = e->nr;

	put_uring_fd(e);
	ior_put_kv_i64(&trace_out, "offset", e->args[1]);
	ior_put_kv_i64(&trace_out, "count", e->args[2]);
	if (op == IORING_OP_READV || op == IORING_OP_WRITEV ||
	    op == URING_OP_READV_FIXED || op == URING_OP_WRITEV_FIXED)
		ior_put_kv_i64(&trace_out, "iovcnt", e->val[0]);
	if (op == IORING_OP_READ_FIXED || op == IORING_OP_WRITE_FIXED ||
	    op == URING_OP_READV_FIXED || op == URING_OP_WRITEV_FIXED)
		ior_put_kv_i64(&trace_out, "buf", e->val[2]);
}

/* The operation's keys of request e (see struct ior_event). */
static void put_uring_op(const struct ior_event *e, const char *path,
			 bool inflight)
{
	const __u64 *a = e->args;
	uint32_t slot = e->val[2];

	switch (e->nr) {
	case IORING_OP_OPENAT:
	case IORING_OP_OPENAT2:
		put_uring_open(e, path, inflight);
		break;
	case IORING_OP_STATX:
		put_dirfd("dirfd", a[0]);
		ior_put_kv_esc(&trace_out, "path", path);
		put_flags("flags", ior_at_flags, (uint32_t)a[1]);
		put_flags("mask", ior_statx_mask, (uint32_t)a[2]);
		break;
	case IORING_OP_CLOSE:
		if (slot)
			ior_put_kv_i64(&trace_out, "fixed", slot - 1);
		else
			ior_put_kv_i64(&trace_out, "fd", (int)a[0]);
		break;
	case IORING_OP_FSYNC:
		put_uring_fd(e);
		if (a[1] || a[2]) {
			ior_put_kv_i64(&trace_out, "offset", a[1]);
			ior_put_kv_i64(&trace_out, "len", a[2]);
		}
		if (e->val[0] & IORING_FSYNC_DATASYNC)
			ior_put_kv(&trace_out, "datasync", "1");
		break;
	case IORING_OP_FALLOCATE:
		put_uring_fd(e);
		ior_put_kv_i64(&trace_out, "offset", a[1]);
		ior_put_kv_i64(&trace_out, "len", a[2]);
		put_flags("mode", ior_fallocate_flags, (uint32_t)e->val[0]);
		break;
	case IORING_OP_READ:
	case IORING_OP_WRITE:
	case URING_OP_READ_MULTISHOT:
	case IORING_OP_READ_FIXED:
	case IORING_OP_WRITE_FIXED:
	case IORING_OP_READV:
	case IORING_OP_WRITEV:
	case URING_OP_READV_FIXED:
	case URING_OP_WRITEV_FIXED:
		put_uring_rw(e);
		break;
	default:
		put_uring_fd(e);
		break;
	}
}

/*
 * The CALL of a request of opcode op: "uring:" and its name, made once
 * for each opcode (a snprintf() an event was a twentieth of the
 * tracer's time under a million requests a second), or its number.
 */
static const char *uring_call(uint16_t op, char *buf, size_t size)
{
	static char names[IOR_URING_OPS][32];

	if (op >= IOR_URING_OPS) {
		snprintf(buf, size, "uring:%u", op);
		return buf;
	}
	if (!names[op][0])
		snprintf(names[op], sizeof(names[op]), "uring:%s",
			 ior_uring_ops[op]);
	return names[op];
}

void write_uring(const struct ior_event *e, const char *path, bool inflight)
{
	uint16_t op = e->nr;
	uint64_t exec = e->val[1] & ~(uint64_t)IOR_EXEC_BATCH;
	char buf[32];
	const char *call = uring_call(op, buf, sizeof(buf));

	put_head(rel_time(e->time), e->pid, e->tid, e->comm, call,
		 inflight ? 0 : e->ret, inflight ? 0 : e->dur);
	if ((int64_t)e->args[5] >= 0)
		ior_put_kv_i64(&trace_out, "ring", (int64_t)e->args[5]);
	put_uring_op(e, path, inflight);
	put_flags("sqe_flags", ior_iosqe_flags, e->args[3]);
	put_hex("user_data", e->args[4]);
	ior_put_kv(&trace_out, "exec", exec < 3 ? uring_execs[exec] : "inline");
	if (e->val[3])
		ior_put_kv_i64(&trace_out, e->val[1] & IOR_EXEC_BATCH ?
			       "batch" : "sub", e->val[3]);
	if (inflight)
		ior_put_kv(&trace_out, "inflight", "1");
	else
		put_err(e->ret);
	ior_putc(&trace_out, '\n');
}

void uring_track(const struct ior_event *e)
{
	uint16_t op = e->nr;

	if (e->val[2] || e->ret < 0)
		return;		/* a registered file, or nothing done */
	if (op == IORING_OP_OPENAT || op == IORING_OP_OPENAT2)
		view_forget_fd(e->pid, e->ret);
	else if (op == IORING_OP_CLOSE)
		view_forget_fd(e->pid, (int)e->args[0]);
}

void uring_flush(int reqs_fd, int paths_fd)
{
	char path[IOR_PATH_MAX];
	uint64_t key, next;
	struct ior_event e;
	bool first = true;

	while (bpf_map_get_next_key(reqs_fd, first ? NULL : &key, &next) == 0) {
		first = false;
		key = next;
		if (bpf_map_lookup_elem(reqs_fd, &key, &e) != 0)
			continue;
		if (bpf_map_lookup_elem(paths_fd, &key, path) != 0)
			path[0] = 0;
		path[sizeof(path) - 1] = 0;
		write_uring(&e, path, true);
	}
}

/* X(flags) of io_uring_setup: its IORING_SETUP_*, and the sizes it set. */
void uring_put_setup(const struct call_rec *c)
{
	const struct ior_event *e = c->e;

	put_flags("flags", ior_uring_setup_flags, (uint32_t)e->val[2]);
	if (c->ok) {
		ior_put_kv_i64(&trace_out, "sq", (uint32_t)e->val[0]);
		ior_put_kv_i64(&trace_out, "cq", (uint32_t)e->val[1]);
	}
}

/* X(sub) of io_uring_enter: the number its requests name, if it submits. */
void uring_put_sub(const struct call_rec *c)
{
	if (c->e->val[0])
		ior_put_kv_i64(&trace_out, "sub", c->e->val[0]);
}

/*
 * X(nr) of io_uring_register: how many it registered, the first slot an
 * update replaces, and what, at most IOR_RSRC_MAX: fds= of the FILES
 * opcodes (-1: an empty slot), lens= of the BUFFERS ones (0: an empty
 * slot).
 */
void uring_put_register(const struct call_rec *c)
{
	const struct ior_event *e = c->e;
	uint32_t op = call_reg(c, 1) & ~URING_REGISTER_USE_REGISTERED_RING;
	bool bufs = op == IORING_REGISTER_BUFFERS ||
		    op == IORING_REGISTER_BUFFERS2;
	/* an iovec: 16 bytes, an i386 one 8 (iov_len at 4, 32 bits) */
	size_t isz = call_i386(c) ? 8 : 16, lsz = isz / 2;
	size_t size = bufs ? isz : 4, n = e->len1 / size;

	ior_put_kv_i64(&trace_out, "nr", (uint32_t)e->val[0]);
	if (e->val[2])
		ior_put_kv_i64(&trace_out, "offset", (uint32_t)e->val[1]);
	if (e->val[3])		/* sparse: nothing read */
		n = e->val[0] < IOR_RSRC_MAX ? e->val[0] : IOR_RSRC_MAX;
	if (!n)
		return;
	ior_puts(&trace_out, bufs ? " lens=" : " fds=");
	for (size_t i = 0; i < n; i++) {
		uint64_t len = 0;
		int fd = -1;

		if (i)
			ior_putc(&trace_out, ',');
		if (bufs && !e->val[3])
			memcpy(&len, e->data + i * size + lsz, lsz);
		else if (!e->val[3])
			memcpy(&fd, e->data + i * size, sizeof(fd));
		if (bufs)
			ior_put_u64(&trace_out, len);
		else
			ior_put_i64(&trace_out, fd);
	}
}
