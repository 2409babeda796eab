/* SPDX-License-Identifier: GPL-2.0 */
/*
 * ior-trace.bpf.h - what the BPF programs of ior-trace share: the rodata
 * ior-trace sets before load, the maps, and the helpers every program
 * uses. Each bpf/ior-trace*.bpf.c includes it; bpftool links them into
 * one object, with one skeleton: definitions here are weak, so that the
 * linker keeps one of each.
 *
 *   ior-trace.bpf.c        the system calls (raw syscall tracepoints)
 *   ior-trace-sched.bpf.c  forks, execs and exits (sched tracepoints)
 *   ior-trace-uring.bpf.c  io_uring requests (io_uring tracepoints)
 *
 * Every helper call costs (return thunks on this kernel's CPUs): a traced
 * read makes five (the task, the clock twice, the ring's reserve and
 * submit), the untraced filter one. Per-thread state is an array indexed
 * by tid, whose lookup the verifier inlines; the common calls are written
 * in place in the ring.
 */
#ifndef IOR_TRACE_BPF_H
#define IOR_TRACE_BPF_H

#include "vmlinux.h"
#include <bpf/bpf_core_read.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>

#include "ior-trace.h"

#define EEXIST 17
#define CLONE_VM 0x100
#define CLONE_FS 0x200
#define CLONE_FILES 0x400
#define CLONE_THREAD 0x10000
#define S_IFMT 0170000
#define S_IFLNK 0120000
#define MAP_ANONYMOUS 0x20
#define SOL_SOCKET 1
#define SCM_RIGHTS 1
#define F_GETLK 5
#define F_SETLKW 7
#define F_OFD_GETLK 36
#define F_OFD_SETLKW 38
#define F_GETLK64 12		/* i386: with a struct flock64 */
#define F_SETLKW64 14
#define F_SET_RW_HINT 1036	/* with a pointer to a write-life hint */
#define F_SET_FILE_RW_HINT 1038
#define SYS_RECVMSG 17		/* socketcall's call */
#define O_CLOEXEC 02000000
#define NAME_MAX 255
#define WALK_STEPS 64		/* path components and mounts crossed */
#define IOCB_CMD_PREADV 7
#define IOCB_CMD_PWRITEV 8
#define IORING_SETUP_SQPOLL 0x2
#define IORING_SETUP_SQE128 (1U << 10)
#define IORING_SETUP_NO_SQARRAY (1U << 16)
#define IORING_SETUP_SQE_MIXED (1U << 19)
#define IORING_ENTER_REGISTERED_RING 0x10
#define IORING_REGISTER_USE_REGISTERED_RING 0x80000000u
#define O_LARGEFILE 0100000
#define PF_IO_WORKER 0x10
#define IOSQE_FLAGS 0x7f	/* REQ_F_* bits 0-6 are the IOSQE_* bits */
#define REQ_F_CQE_SKIP (1 << 6)
#define TS_COMPAT 0x0002	/* thread_info.status: an ia32 call active */

/* Set by userspace before load. */
const volatile bool trace_all __weak = false;	/* all but EXCLUDED, TRACER */
/*
 * ior-trace's own process: never traced, whatever the processes chosen
 * (-p 1, -c ''), or its own calls would make events without end. Every
 * program tests it (is_self) before it looks at any state: first, or
 * right after the number filter of the syscall programs.
 */
const volatile __u32 self_tgid __weak = 0;
const volatile bool notify_exec __weak = false;	/* -c: report every exec */
/* io_uring requests are followed (-e selects io_uring_enter) */
const volatile bool uring_ops __weak = true;
/* -a: calls are counted in "aggs", no event written but -c's execs */
const volatile bool aggregate __weak = false;
/* -a: the slots of a half of "aggs", a power of two (set by userspace) */
const volatile __u32 agg_half __weak = 1;
/* -a: the generation of the interval being counted (userspace flips it) */
__u32 agg_gen __weak;
/* bytes a CPU writes between wakeups of the reader: see wakeup() */
const volatile __u64 wakeup_bytes __weak = IOR_RINGBUF_MIN / 4;

/*
 * The calls traced, and how, by ABI and number: the capture column of
 * lib/calls.h and the registers of each call's string arguments, set by
 * userspace from the table; call_any[nr] is 1 when nr is traced in
 * either ABI. The programs name a call (by its x86_64 number, the
 * native one of an i386 call) only where what they read of it is its
 * own (a stat buffer, openat2's how, an xattr value, a readlink result,
 * an exec, AIO and io_uring structures).
 */
const volatile struct ior_call_cap call_cap[IOR_ABIS][IOR_NR_MAX] __weak;
const volatile __u8 call_any[IOR_NR_MAX] __weak;

/*
 * The number of the last io_submit or submitting io_uring_enter: its
 * record and its requests name it.
 */
__u64 aio_sub_last __weak;
/* The number of the last io_getevents or io_pgetevents that reaped. */
__u64 aio_reap_last __weak;

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, IOR_MAX_TASKS);
	__type(key, __u32);
	__type(value, __u32);		/* enum ior_tgid_state */
} tgids SEC(".maps") __weak;

/* Sized to pid_max by userspace before load. */
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);		/* tid */
	__type(value, struct ior_thread);
} threads SEC(".maps") __weak;

/*
 * A call of class IOR_CALL_ENTRY in flight: its arguments (a successful
 * execve resets the registers) and what its user memory held at entry.
 */
struct entry_state {
	__u64 args[6];
	__s64 nr;
	__s64 val[4];		/* as ior_event's val */
	__u32 abi;		/* the ABI of the call (an exec changes it) */
	__u32 pad;
};

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 8192);
	__type(key, __u32);		/* tid */
	__type(value, struct entry_state);
} entries SEC(".maps") __weak;

/*
 * The path of a successful execve, from the kernel's copy at
 * sched_process_exec: at exit the caller's memory is gone.
 */
struct exec_path {
	char path[IOR_PATH_MAX];
};

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 1024);
	__type(key, __u32);		/* tid */
	__type(value, struct exec_path);
} exec_paths SEC(".maps") __weak;

/* Room for an event with path and path2 at any offset below 2*PATH_MAX. */
#define SCRATCH_SIZE (sizeof(struct ior_event) + 3 * IOR_PATH_MAX)

struct scratch {
	char buf[SCRATCH_SIZE];
};

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct scratch);
} scratch SEC(".maps") __weak;

/* The io_events of one IOR_EV_AIO_EVENTS, built on this CPU. */
struct aio_events_buf {
	char buf[sizeof(struct ior_event) +
		 IOR_AIO_EVENTS_MAX * sizeof(struct ior_io_event)];
};

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct aio_events_buf);
} aio_events SEC(".maps") __weak;

/*
 * io_uring requests of traced processes in flight, by request address:
 * the event their completion writes (IOR_EV_SMALL bytes of it, or with
 * the path in uring_paths).
 */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, IOR_URING_MAX);
	__type(key, __u64);
	__type(value, struct ior_event);
} uring_reqs SEC(".maps") __weak;

/* The path of each openat, openat2 and statx request in uring_reqs. */
struct uring_path {
	char path[IOR_PATH_MAX];
};

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, IOR_URING_PATHS);
	__type(key, __u64);
	__type(value, struct uring_path);
} uring_paths SEC(".maps") __weak;

/*
 * An io_uring ring, by its struct io_ring_ctx: its descriptor, and the
 * batch its SQPOLL thread is submitting (ior-trace-uring.bpf.c).
 */
struct ior_ring {
	__s64 fd;		/* -1: not known */
	__u64 sub;		/* the SQPOLL thread's batch; 0: none yet */
	__u32 batch_end;	/* the SQ head at that batch's end */
	__u32 pad;
};

struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, IOR_RINGS_MAX);
	__type(key, __u64);
	__type(value, struct ior_ring);
} uring_rings SEC(".maps") __weak;

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, IOR_CNT_NR);
	__type(key, __u32);
	__type(value, __u64);
} counters SEC(".maps") __weak;

struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, IOR_RINGBUF_MIN);	/* sized by userspace */
} events SEC(".maps") __weak;

/* -a: 2 * agg_half slots, sized by userspace before load (ior-trace.h). */
struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct ior_agg);
} aggs SEC(".maps") __weak;

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, IOR_ABIS * IOR_NR_MAX);
	__type(key, __u32);
	__type(value, struct ior_sampled);
} sampled SEC(".maps") __weak;

/* Whether task is ior-trace's own process: a compare with the rodata. */
static __always_inline bool is_self(const struct task_struct *task)
{
	return task->tgid == self_tgid;
}

static __always_inline __u64 *counter(__u32 which)
{
	return bpf_map_lookup_elem(&counters, &which);
}

static __always_inline void count(__u32 which)
{
	__u64 *c = counter(which);

	if (c)
		(*c)++;
}

/* The ABI of the call task is in. */
static __always_inline __u32 task_abi(struct task_struct *task)
{
	return task->thread_info.status & TS_COMPAT ? IOR_ABI_I386 :
						      IOR_ABI_X86_64;
}

/* Whether number nr is traced in either ABI: the filter of every call. */
static __always_inline bool any_traced(long nr)
{
	return nr >= 0 && nr < IOR_NR_MAX && call_any[nr & (IOR_NR_MAX - 1)];
}

/* How call nr of ABI abi is captured (cls IOR_CALL_NONE: it is not). */
static __always_inline const volatile struct ior_call_cap *
cap_of(__u32 abi, long nr)
{
	return &call_cap[abi & 1][nr & (IOR_NR_MAX - 1)];
}

/*
 * The slot of thread tid if it is traced, else NULL. System-wide, a
 * thread's first call looks its process up in "tgids" (first).
 */
static __always_inline struct ior_thread *traced_thread(__u32 tid, __u32 tgid,
							bool first)
{
	struct ior_thread *th = bpf_map_lookup_elem(&threads, &tid);
	__u32 *st;

	if (!th) {
		if (first)
			count(IOR_CNT_DROPS);	/* tid above pid_max */
		return NULL;
	}
	if (th->state == IOR_TGID_TRACED)
		return th;
	if (!trace_all || !first || th->state != IOR_TGID_UNKNOWN)
		return NULL;
	st = bpf_map_lookup_elem(&tgids, &tgid);
	th->state = st && (*st == IOR_TGID_EXCLUDED || *st == IOR_TGID_TRACER) ?
		    *st : IOR_TGID_TRACED;
	return th->state == IOR_TGID_TRACED ? th : NULL;
}

/* Set the state of thread tid, with no call in flight. */
static __always_inline void set_thread(__u32 tid, __u32 state)
{
	struct ior_thread *th = bpf_map_lookup_elem(&threads, &tid);

	if (th) {
		th->time = 0;
		th->state = state;
	}
}

/* The state of a process: from "tgids", or from trace_all. */
static __always_inline __u32 tgid_state(__u32 tgid)
{
	__u32 *st = bpf_map_lookup_elem(&tgids, &tgid);

	if (st)
		return *st;
	return trace_all ? IOR_TGID_TRACED : IOR_TGID_UNKNOWN;
}

/*
 * Waking the reader per event would cost more than the event: wake it
 * when this CPU has written wakeup_bytes since its last wakeup (it also
 * polls on a timer), or now for an event the reader completes from
 * /proc while the process (its root, cwd, descriptors) still exists: an
 * exec, which -c must see at once, a stat that found a symbolic link, an
 * open_by_handle_at and a recvmsg that brought descriptors. A per-CPU
 * count, not bpf_ringbuf_query(): that reads the reader's position, a
 * cache line the other CPU keeps writing. Userspace sets wakeup_bytes to
 * a quarter of the ring over the CPUs: all of them together wake the
 * reader before the ring is a quarter full, and a wakeup, an
 * interprocessor interrupt that exits to the hypervisor in a VM, is rare.
 */
static __always_inline __u64 wakeup(__u64 size, bool now)
{
	__u64 *c = counter(IOR_CNT_WAKE);

	if (!c)
		return 0;
	*c += size;
	if (!now && *c < wakeup_bytes)
		return BPF_RB_NO_WAKEUP;
	*c = 0;
	return BPF_RB_FORCE_WAKEUP;
}

/* Fill the fields every event has, for the current task. */
static __always_inline void fill_head(struct ior_event *e, __u32 kind,
				      __u64 time, struct task_struct *task)
{
	e->time = time;
	e->kind = kind;
	e->abi = IOR_ABI_X86_64;
	e->pid = task->tgid;
	e->tid = task->pid;
	e->len1 = e->len2 = 0;
	/* two loads, where bpf_get_current_comm() copies a string */
	__builtin_memcpy(e->comm, task->comm, sizeof(e->comm));
}

/*
 * A zeroed whole event in this CPU's scratch buffer: for events with
 * strings, whose length is known only once they are read.
 */
static __always_inline struct ior_event *new_event(__u32 kind, __u64 time,
						   struct task_struct *task)
{
	__u32 zero = 0;
	struct ior_event *e = bpf_map_lookup_elem(&scratch, &zero);

	if (!e)
		return NULL;
	__builtin_memset(e, 0, sizeof(*e));
	fill_head(e, kind, time, task);
	return e;
}

/* Write whole event e, waking the reader now when it must see it now. */
static __always_inline void output_wake(struct ior_event *e, bool now)
{
	__u64 size = sizeof(*e) + e->len1 + e->len2 + e->len3;

	now = now || e->kind == IOR_EV_EXEC || (e->mode & S_IFMT) == S_IFLNK;
	if (size > SCRATCH_SIZE)
		return;
	if (bpf_ringbuf_output(&events, e, size, wakeup(size, now)))
		count(IOR_CNT_DROPS);
}

static __always_inline void output(struct ior_event *e)
{
	output_wake(e, false);
}

/* A device number in the encoding of st_dev (glibc's makedev). */
static __always_inline __u64 encode_dev(__u64 major, __u64 minor)
{
	return (major & 0xfff) << 8 | (major & ~0xfffull) << 32 |
	       (minor & 0xff) | (minor & ~0xffull) << 12;
}

/* The file of descriptor fd of the current task, or NULL. */
static __always_inline struct file *task_file(long fd)
{
	struct task_struct *task = (void *)bpf_get_current_task();
	struct fdtable *fdt = BPF_CORE_READ(task, files, fdt);
	struct file **fds = BPF_CORE_READ(fdt, fd);
	unsigned int max = BPF_CORE_READ(fdt, max_fds);
	struct file *f = NULL;

	if (fd < 0 || fd >= max)
		return NULL;
	bpf_probe_read_kernel(&f, sizeof(f), &fds[fd]);
	return f;
}

/* Size, inode, mode, link count, owner, device and filesystem type of f. */
static __always_inline void read_file_facts(struct ior_event *e,
					    struct file *f)
{
	struct super_block *sb;
	struct inode *ino;
	const char *fs;
	dev_t dev;

	if (!f)
		return;
	ino = BPF_CORE_READ(f, f_inode);
	e->size = BPF_CORE_READ(ino, i_size);
	e->ino = BPF_CORE_READ(ino, i_ino);
	e->mode = BPF_CORE_READ(ino, i_mode);
	e->nlink = BPF_CORE_READ(ino, i_nlink);
	e->uid = BPF_CORE_READ(ino, i_uid.val);
	e->gid = BPF_CORE_READ(ino, i_gid.val);
	sb = BPF_CORE_READ(ino, i_sb);
	dev = BPF_CORE_READ(sb, s_dev);
	e->dev = encode_dev(dev >> 20, dev & 0xfffff);	/* MAJOR, MINOR */
	fs = BPF_CORE_READ(sb, s_type, name);
	bpf_probe_read_kernel_str(e->fs, sizeof(e->fs), fs);
}

/* The same, of descriptor fd of the current task. */
static __always_inline void read_file(struct ior_event *e, long fd)
{
	read_file_facts(e, task_file(fd));
}

/*
 * This CPU's room for a step's iovecs: on the stack of iov_chunk, a
 * callback two calls below sys_enter's (read_iocb, an io_submit's), it
 * made the three frames more than the verifier's 512 bytes, as kernels
 * without a private BPF stack count them. Its own: read_iocb keeps its
 * event in scratch.
 */
struct iov_buf {
	__u64 w[2 * IOR_IOV_CHUNK];
};

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct iov_buf);
} iov_bufs SEC(".maps") __weak;

/* A walk over the iovecs of a vector, IOR_IOV_CHUNK of them a step. */
struct iov_walk {
	__u64 iov, cnt, sum;
	__u32 abi;
	__u32 pad;
};

/*
 * Step i: the lengths of iovecs i * IOR_IOV_CHUNK on, in one read of
 * exactly those (an array may end where its page does). An i386 iovec
 * is two 32-bit words, an x86_64 one two 64-bit words: the length is the
 * second.
 */
static long iov_chunk(__u64 i, void *ctx)
{
	struct iov_walk *w = ctx;
	struct iov_buf *ib;
	__u64 *buf;
	__u32 *b32, zero = 0;
	__u64 first = i * IOR_IOV_CHUNK, n;

	if (first >= w->cnt || !(ib = bpf_map_lookup_elem(&iov_bufs, &zero)))
		return 1;
	buf = ib->w;
	b32 = (__u32 *)buf;
	n = w->cnt - first;
	if (n > IOR_IOV_CHUNK)
		n = IOR_IOV_CHUNK;
	if (w->abi) {
		if (bpf_probe_read_user(buf, n * 8, (void *)(w->iov + first * 8)))
			return 1;
		for (int k = 0; k < IOR_IOV_CHUNK; k++)
			if (k < n)
				w->sum += b32[2 * k + 1];
	} else {
		if (bpf_probe_read_user(buf, n * 16, (void *)(w->iov + first * 16)))
			return 1;
		for (int k = 0; k < IOR_IOV_CHUNK; k++)
			if (k < n)
				w->sum += buf[2 * k + 1];
	}
	return 0;
}

/*
 * The bytes over the cnt iovecs at user address iov (an i386 one: 8
 * bytes), up to UIO_MAXIOV, the most the kernel takes: one read per
 * IOR_IOV_CHUNK of them. Unreadable ones end the sum.
 */
static __always_inline __u64 iov_sum(__u64 iov, __u64 cnt, __u32 abi)
{
	struct iov_walk w = {
		.iov = iov, .cnt = cnt > IOR_UIO_MAXIOV ? IOR_UIO_MAXIOV : cnt,
		.abi = abi,
	};

	if (w.cnt)
		bpf_loop((w.cnt + IOR_IOV_CHUNK - 1) / IOR_IOV_CHUNK, iov_chunk,
			 &w, 0);
	return w.sum;
}

/* The six arguments of a call of ABI abi, from the registers. */
static __always_inline void get_args(__u64 *a, struct pt_regs *regs,
				     __u32 abi)
{
	if (abi == IOR_ABI_I386) {
		a[0] = (__u32)regs->bx;
		a[1] = (__u32)regs->cx;
		a[2] = (__u32)regs->dx;
		a[3] = (__u32)regs->si;
		a[4] = (__u32)regs->di;
		a[5] = (__u32)regs->bp;
		return;
	}
	a[0] = regs->di;
	a[1] = regs->si;
	a[2] = regs->dx;
	a[3] = regs->r10;
	a[4] = regs->r8;
	a[5] = regs->r9;
}

/* Argument i (0, 3, 4: those the programs test at entry) of a call. */
static __always_inline __u64 arg_reg(struct pt_regs *regs, __u32 abi, int i)
{
	if (abi == IOR_ABI_I386)
		return (__u32)(i == 0 ? regs->bx : i == 1 ? regs->cx :
			       i == 3 ? regs->si : regs->di);
	return i == 0 ? regs->di : i == 1 ? regs->si : i == 3 ? regs->r10 :
	       regs->r8;
}

#endif
