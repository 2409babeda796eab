// SPDX-License-Identifier: GPL-2.0
/*
 * ior-trace.bpf.c - capture file system calls of chosen processes.
 *
 * The raw syscall tracepoints (tp_btf/sys_enter, sys_exit) are the
 * cheapest hooks that work without tracefs, kprobes or fentry. At entry a
 * call is filtered by number, then by thread, and its entry time is kept;
 * at exit the pair becomes one event, with the arguments from the
 * registers (still the caller's) and the strings and file facts read then;
 * what the kernel overwrites (the offsets of copy_file_range, splice and
 * sendfile64, fcntl's lock) is read at entry. Which calls are traced, how,
 * and where their strings are is the rodata call_cap, filled from the
 * table of calls (lib/calls.h); this file names a call only for what it
 * reads of it alone. ior-trace.bpf.h has what the programs share.
 */
#include "ior-trace.bpf.h"

/* Read path and path2 (either may be 0) from user memory into e->data. */
static __always_inline void read_paths(struct ior_event *e, __u64 p1, __u64 p2)
{
	long n;
	__u32 off;

	if (p1) {
		n = bpf_probe_read_user_str(e->data, IOR_PATH_MAX, (void *)p1);
		e->len1 = n > 0 ? n : 0;
	}
	if (p2) {
		off = e->len1 & (2 * IOR_PATH_MAX - 1);
		n = bpf_probe_read_user_str(e->data + off, IOR_PATH_MAX, (void *)p2);
		e->len2 = n > 0 ? n : 0;
	}
}

/*
 * Read the len bytes at user address p, a string without its NUL (what
 * readlink returns), as path2.
 */
static __always_inline void read_path2_bytes(struct ior_event *e, __u64 p,
					     long len)
{
	__u32 off = e->len1 & (2 * IOR_PATH_MAX - 1);
	__u32 n = len < IOR_PATH_MAX ? len : IOR_PATH_MAX - 1;

	if (len <= 0 || bpf_probe_read_user(e->data + off, n, (void *)p))
		return;
	e->data[(off + n) & (3 * IOR_PATH_MAX - 1)] = 0;
	e->len2 = n + 1;
}

/*
 * The value of a setxattr call, size bytes at user address p, after path
 * and path2: only a small one (ACLs, capabilities), else none.
 */
static __always_inline void read_value(struct ior_event *e, __u64 p,
				       __u64 size)
{
	__u32 off = e->len1 + e->len2;

	if (size > IOR_VALUE_MAX || off >= 2 * IOR_PATH_MAX ||
	    (size && bpf_probe_read_user(e->data + (off & (2 * IOR_PATH_MAX - 1)),
					 size & (2 * IOR_VALUE_MAX - 1),
					 (void *)p)))
		return;
	e->len3 = size;
	e->has_value = 1;
}

/* A walk up from a file to the task's root, one bpf_loop() step a level. */
struct path_walk {
	struct dentry *d, *root_d;
	struct vfsmount *vmnt, *root_m;
	__u32 pos;		/* start of the path written so far */
	int done;		/* 1: at the root, -1: failed */
};

static long walk_step(__u64 i, void *ctx)
{
	struct path_walk *w = ctx;
	struct dentry *d = w->d, *parent;
	struct vfsmount *vmnt = w->vmnt;
	struct mount *mnt = container_of(vmnt, struct mount, mnt), *up;
	struct ior_event *e;
	__u32 zero = 0, len, pos = w->pos;
	const unsigned char *name;
	bool root;

	if (d == w->root_d && vmnt == w->root_m) {
		w->done = 1;
		return 1;
	}
	w->done = -1;
	parent = BPF_CORE_READ(d, d_parent);
	root = d == BPF_CORE_READ(vmnt, mnt_root);
	if (root || d == parent) {
		up = BPF_CORE_READ(mnt, mnt_parent);
		if (!root || up == mnt)
			return 1;	/* not below the root */
		w->d = BPF_CORE_READ(mnt, mnt_mountpoint);
		w->vmnt = &up->mnt;
		w->done = 0;
		return 0;
	}
	len = BPF_CORE_READ(d, d_name.len);
	name = BPF_CORE_READ(d, d_name.name);
	if (len == 0 || len > NAME_MAX || pos < len + 1 ||
	    !(e = bpf_map_lookup_elem(&scratch, &zero)))
		return 1;
	pos -= len;
	bpf_probe_read_kernel(e->data + IOR_PATH_MAX + (pos & (IOR_PATH_MAX - 1)),
			      len & NAME_MAX, name);
	pos--;
	e->data[IOR_PATH_MAX + (pos & (IOR_PATH_MAX - 1))] = '/';
	w->pos = pos;
	w->d = parent;
	w->done = 0;
	return 0;
}

/*
 * The path of file f, as the current task's root sees it, into the event
 * e (this CPU's scratch buffer) as its path: what /proc/PID/fd would say,
 * read before the task can close the descriptor. Components are written
 * from the end of data's second page, walking up through d_parent and,
 * at a mount's root, to where it is mounted. Nothing when the file is
 * not below the root (a pipe, a socket, outside a chroot) or the walk is
 * too long: userspace falls back to /proc.
 */
static __always_inline void read_file_path(struct ior_event *e,
					   struct file *f)
{
	struct task_struct *task = (void *)bpf_get_current_task();
	struct path_walk w = {};
	long len;

	if (!f)
		return;
	w.root_d = BPF_CORE_READ(task, fs, root.dentry);
	w.root_m = BPF_CORE_READ(task, fs, root.mnt);
	w.d = BPF_CORE_READ(f, f_path.dentry);
	w.vmnt = BPF_CORE_READ(f, f_path.mnt);
	w.pos = IOR_PATH_MAX - 1;
	e->data[IOR_PATH_MAX + IOR_PATH_MAX - 1] = 0;
	bpf_loop(WALK_STEPS, walk_step, &w, 0);
	if (w.done != 1)
		return;
	if (w.pos == IOR_PATH_MAX - 1)	/* the root itself */
		e->data[IOR_PATH_MAX + --w.pos] = '/';
	len = bpf_probe_read_kernel_str(e->data, IOR_PATH_MAX, e->data +
					IOR_PATH_MAX + (w.pos & (IOR_PATH_MAX - 1)));
	e->len1 = len > 0 ? len : 0;
}

/* A user struct stat (x86_64 layout), in one read. */
static __always_inline void read_stat(struct ior_event *e, __u64 buf)
{
	__u64 st[7];	/* dev ino nlink mode|uid gid|pad rdev size */

	if (bpf_probe_read_user(st, sizeof(st), (void *)buf))
		return;
	e->dev = st[0];
	e->ino = st[1];
	e->nlink = st[2];
	e->mode = (__u32)st[3];
	e->uid = st[3] >> 32;
	e->gid = (__u32)st[4];
	e->size = st[6];
}

/* An i386 struct stat (the kernel's compat_stat): 16-bit owners. */
static __always_inline void read_stat32(struct ior_event *e, __u64 buf)
{
	__u32 st[6];	/* dev ino mode|nlink uid|gid rdev size */

	if (bpf_probe_read_user(st, sizeof(st), (void *)buf))
		return;
	e->dev = st[0];
	e->ino = st[1];
	e->mode = st[2] & 0xffff;
	e->nlink = st[2] >> 16;
	e->uid = st[3] & 0xffff;
	e->gid = st[3] >> 16;
	e->size = st[5];
}

/* An i386 struct stat64 (packed, 96 bytes), in one read. */
static __always_inline void read_stat64(struct ior_event *e, __u64 buf)
{
	__u32 st[24];

	if (bpf_probe_read_user(st, sizeof(st), (void *)buf))
		return;
	e->dev = st[0] | (__u64)st[1] << 32;
	e->mode = st[4];
	e->nlink = st[5];
	e->uid = st[6];
	e->gid = st[7];
	e->size = st[11] | (__u64)st[12] << 32;
	e->ino = st[22] | (__u64)st[23] << 32;
}

/*
 * What a stat call of ABI abi wrote at buf: an i386 stat, lstat or fstat
 * writes a struct stat of 32-bit fields, the others a struct stat64.
 */
static __always_inline void read_any_stat(struct ior_event *e, __u64 buf,
					  __u32 abi, long nr)
{
	if (abi == IOR_ABI_X86_64)
		read_stat(e, buf);
	else if (nr == IOR_NR32_stat || nr == IOR_NR32_lstat ||
		 nr == IOR_NR32_fstat)
		read_stat32(e, buf);
	else
		read_stat64(e, buf);
}

/*
 * n longs of ABI abi at user address p (struct utimbuf, struct
 * timeval[2], struct timespec[2] ...), into e->val, each sign-extended;
 * false when there are none.
 */
static __always_inline bool read_longs(struct ior_event *e, __u64 p, int n,
				       __u32 abi)
{
	__s32 w[4];

	if (!p)
		return false;
	if (abi == IOR_ABI_X86_64)
		return !bpf_probe_read_user(e->val, n * 8 & 63, (void *)p);
	if (bpf_probe_read_user(w, n * 4 & 31, (void *)p))
		return false;
	for (int i = 0; i < 4; i++)
		if (i < n)
			e->val[i] = w[i];
	return true;
}

/* A user struct statx, up to stx_dev_minor, in one read. */
static __always_inline void read_statx(struct ior_event *e, __u64 buf)
{
	__u32 sx[36];

	if (bpf_probe_read_user(sx, sizeof(sx), (void *)buf))
		return;
	e->nlink = sx[4];
	e->uid = sx[5];
	e->gid = sx[6];
	e->mode = sx[7] & 0xffff;
	e->ino = sx[8] | (__u64)sx[9] << 32;
	e->size = sx[10] | (__u64)sx[11] << 32;
	e->dev = encode_dev(sx[34], sx[35]);
}

/*
 * The event of a call captured from the registers: IOR_EV_SMALL bytes
 * written in place in the ring, every field of them set (the ring is not
 * cleared). Building it on the stack and copying it with
 * bpf_ringbuf_output() costs more. sub is io_uring_enter's.
 */
static __always_inline void output_small(struct task_struct *task,
					 struct pt_regs *regs, __u32 abi,
					 long nr, __u16 native, long ret,
					 __u64 time, __u64 dur, __u64 sub)
{
	struct ior_event *e = bpf_ringbuf_reserve(&events, IOR_EV_SMALL, 0);

	if (!e) {
		count(IOR_CNT_DROPS);
		return;
	}
	fill_head(e, IOR_EV_SYSCALL, time, task);
	e->dur = dur;
	e->ret = ret;
	e->nr = nr;
	e->abi = abi;
	get_args(e->args, regs, abi);
	e->val[0] = sub;
	e->val[1] = e->val[2] = e->val[3] = 0;
	if (native == IOR_NR_clone3) {
		__u64 p = e->args[0];

		e->args[0] = 0;
		bpf_probe_read_user(&e->args[0], sizeof(e->args[0]), (void *)p);
	}
	bpf_ringbuf_submit(e, wakeup(IOR_EV_SMALL, false));
}

/*
 * What an io_uring_register registered (see struct ior_event): the
 * descriptors of the FILES opcodes, the iovecs of the BUFFERS ones. The
 * *2 opcodes and FILES_UPDATE point to a structure that points to them.
 */
static __always_inline void read_rsrc(struct ior_event *e, __u64 *a,
				      __u32 abi)
{
	struct io_uring_rsrc_register rr;
	struct io_uring_rsrc_update2 up;
	__u64 data = a[2], n = a[3], size = 4, iov = abi ? 8 : 16;

	e->val[0] = n;
	switch (a[1] & ~IORING_REGISTER_USE_REGISTERED_RING) {
	case IORING_REGISTER_FILES:
		break;
	case IORING_REGISTER_BUFFERS:
		size = iov;	/* struct iovec */
		break;
	case IORING_REGISTER_FILES_UPDATE:	/* struct io_uring_files_update */
		if (bpf_probe_read_user(&up, 16, (void *)data))
			return;
		data = up.data;
		e->val[1] = up.offset;
		e->val[2] = 1;
		break;
	case IORING_REGISTER_FILES_UPDATE2:
		if (n != sizeof(up) ||
		    bpf_probe_read_user(&up, sizeof(up), (void *)data))
			return;
		data = up.data;
		n = e->val[0] = up.nr;
		e->val[1] = up.offset;
		e->val[2] = 1;
		break;
	case IORING_REGISTER_FILES2:
	case IORING_REGISTER_BUFFERS2:
		if (n != sizeof(rr) ||
		    bpf_probe_read_user(&rr, sizeof(rr), (void *)data))
			return;
		data = rr.data;
		n = e->val[0] = rr.nr;
		if ((a[1] & 0xff) == IORING_REGISTER_BUFFERS2)
			size = iov;
		break;
	default:
		return;
	}
	if (!data) {		/* a sparse table */
		e->val[3] = 1;
		return;
	}
	if (n > IOR_RSRC_MAX)
		n = IOR_RSRC_MAX;
	if (n && !bpf_probe_read_user(e->data, n * size, (void *)data))
		e->len1 = n * size;
}

/* Where read_iocb keeps the iocb pointers, after the iocbs read. */
#define IOCB_PTRS (2 * IOR_PATH_MAX)

/* The iocbs of an io_submit, read into events of IOR_AIO_SUBMIT_MAX. */
struct submit_walk {
	__u64 ptrs;		/* its user array of iocb pointers */
	__u64 n;		/* how many are read */
	__u64 ctx, nr, sub;	/* its arguments, and its sub */
	__u64 time;
	long sysnr;
	__u32 abi;		/* i386: 32-bit pointers */
	__u32 pad;
};

/*
 * Iocb number i of an io_submit, into this CPU's scratch event: the
 * first of an event starts it (and reads its pointers), the last of an
 * event, or of the call, writes it. An iocb that cannot be read is left
 * with address 0: counted in userspace.
 */
static long read_iocb(__u64 i, void *ctx)
{
	struct submit_walk *w = ctx;
	struct {
		__u64 data;
		__u32 key, rw_flags;
		__u16 opcode;
		__s16 prio;
		__u32 fd;
		__u64 buf, nbytes;
		__s64 offset;
	} cb;
	__u32 k = i & (IOR_AIO_SUBMIT_MAX - 1), zero = 0, psize = w->abi ? 4 : 8;
	struct ior_event *e;
	struct ior_iocb *r;
	__u64 p, left, *c;

	if (k == 0) {
		e = new_event(IOR_EV_AIO_SUBMIT, w->time,
			      bpf_get_current_task_btf());
		if (!e)
			return 1;
		left = w->n - i;
		if (left > IOR_AIO_SUBMIT_MAX)
			left = IOR_AIO_SUBMIT_MAX;
		if (bpf_probe_read_user(e->data + IOCB_PTRS, left * psize,
					(void *)(w->ptrs + i * psize))) {
			if ((c = counter(IOR_CNT_AIO_LOST)))
				*c += w->n - i;
			return 1;
		}
		e->nr = w->sysnr;
		e->abi = w->abi;
		e->args[0] = w->ctx;
		e->args[1] = w->nr;
		e->args[2] = w->sub;
		e->args[3] = i;
	} else if (!(e = bpf_map_lookup_elem(&scratch, &zero))) {
		return 1;
	}
	if (w->abi == IOR_ABI_I386)
		p = *(__u32 *)(e->data + IOCB_PTRS + k * 4);
	else
		p = *(__u64 *)(e->data + IOCB_PTRS + k * 8);
	r = (void *)(e->data + k * sizeof(*r));
	r->iocb = 0;
	if (!bpf_probe_read_user(&cb, sizeof(cb), (void *)p)) {
		r->iocb = p;
		r->data = cb.data;
		r->offset = cb.offset;
		r->nbytes = cb.nbytes;
		r->count = cb.nbytes;
		r->fd = cb.fd;
		r->rw_flags = cb.rw_flags;
		r->opcode = cb.opcode;
		if (cb.opcode == IOCB_CMD_PREADV || cb.opcode == IOCB_CMD_PWRITEV)
			r->count = iov_sum(cb.buf, cb.nbytes, w->abi);
	}
	e->len1 = (k + 1) * sizeof(*r);
	if (k == IOR_AIO_SUBMIT_MAX - 1 || i + 1 == w->n)
		output(e);
	return 0;
}

/*
 * At io_submit's entry, the iocbs it is given, while the caller's
 * memory still holds them: IOR_EV_AIO_SUBMIT events that userspace
 * keeps until their io_events are reaped.
 */
static __always_inline void output_submit(__u64 *a, __u32 abi, long sysnr,
					  __u64 sub, __u64 time)
{
	struct submit_walk w = {
		.ptrs = a[2], .n = a[1], .ctx = a[0], .nr = a[1], .sub = sub,
		.time = time, .sysnr = sysnr, .abi = abi,
	};
	long nr = a[1];
	__u64 *c;

	if (nr <= 0)
		return;
	if (nr > IOR_AIO_SUBMIT_ALL) {
		if ((c = counter(IOR_CNT_AIO_LOST)))
			*c += nr - IOR_AIO_SUBMIT_ALL;
		w.n = IOR_AIO_SUBMIT_ALL;
	}
	bpf_loop(w.n, read_iocb, &w, 0);
}

/* Whether fcntl command cmd of ABI abi takes a lock it may overwrite. */
static __always_inline bool is_lock_cmd(__u64 cmd, __u32 abi)
{
	return (cmd >= F_GETLK && cmd <= F_SETLKW) ||
	       (cmd >= F_OFD_GETLK && cmd <= F_OFD_SETLKW) ||
	       (abi == IOR_ABI_I386 && cmd >= F_GETLK64 && cmd <= F_SETLKW64);
}

/*
 * The lock of an fcntl lock command at user address p, into val: type,
 * whence, start, len. An i386 F_GETLK, F_SETLK and F_SETLKW take a
 * struct flock of 32-bit offsets; its other lock commands a packed
 * struct flock64.
 */
static __always_inline void read_lock(__s64 *val, __u64 p, __u64 cmd,
				      __u32 abi)
{
	struct {
		short type, whence;
		long start, len;
	} fl;
	struct {
		short type, whence;
		__s32 w[4];	/* start, len: 32 bits each, or 64 unaligned */
	} fl32;

	if (abi == IOR_ABI_X86_64) {
		if (bpf_probe_read_user(&fl, sizeof(fl), (void *)p))
			return;
		val[0] = fl.type;
		val[1] = fl.whence;
		val[2] = fl.start;
		val[3] = fl.len;
		return;
	}
	if (bpf_probe_read_user(&fl32, sizeof(fl32), (void *)p))
		return;
	val[0] = fl32.type;
	val[1] = fl32.whence;
	if (cmd >= F_GETLK && cmd <= F_SETLKW) {
		val[2] = fl32.w[0];
		val[3] = fl32.w[1];
	} else {
		val[2] = (__u32)fl32.w[0] | (__u64)fl32.w[1] << 32;
		val[3] = (__u32)fl32.w[2] | (__u64)fl32.w[3] << 32;
	}
}

/*
 * Keep the arguments of call nr of ABI abi (handled as native), and the
 * user memory the kernel changes.
 */
static __always_inline bool save_entry(long nr, __u32 abi, __u16 native,
				       struct pt_regs *regs,
				       struct task_struct *task, __u64 time)
{
	__u32 tid = task->pid;
	struct entry_state s = {};
	__s32 off32;

	get_args(s.args, regs, abi);
	s.nr = nr;
	s.abi = abi;
	switch (native) {
	case IOR_NR_copy_file_range:
	case IOR_NR_splice:
		if (s.args[1])
			bpf_probe_read_user(&s.val[0], 8, (void *)s.args[1]);
		if (s.args[3])
			bpf_probe_read_user(&s.val[1], 8, (void *)s.args[3]);
		break;
	case IOR_NR_sendfile64:
		if (!s.args[2])
			break;
		/* i386's sendfile takes a 32-bit offset, sendfile64 a loff_t */
		if (abi == IOR_ABI_I386 && nr == IOR_NR32_sendfile) {
			if (!bpf_probe_read_user(&off32, 4, (void *)s.args[2]))
				s.val[0] = off32;
		} else {
			bpf_probe_read_user(&s.val[0], 8, (void *)s.args[2]);
		}
		break;
	case IOR_NR_fcntl:
		/* F_GETLK overwrites the lock it is given with its answer */
		if (is_lock_cmd(s.args[1], abi))
			read_lock(s.val, s.args[2], s.args[1], abi);
		/* a write-life hint, a __u64 in either ABI; [1]: it was read */
		else if ((__u32)s.args[1] == F_SET_RW_HINT ||
			 (__u32)s.args[1] == F_SET_FILE_RW_HINT)
			s.val[1] = !bpf_probe_read_user(&s.val[0], 8,
							(void *)s.args[2]);
		break;
	case IOR_NR_io_submit:
		s.val[0] = __sync_fetch_and_add(&aio_sub_last, 1) + 1;
		break;
	}
	if (bpf_map_update_elem(&entries, &tid, &s, BPF_ANY)) {
		count(IOR_CNT_DROPS);
		return false;
	}
	if (native == IOR_NR_io_submit)
		output_submit(s.args, abi, nr, s.val[0], time);
	return true;
}

/*
 * The descriptors a recvmsg received, into fds: when the first control
 * message of its user msghdr (of ABI abi) is SCM_RIGHTS. Returns how
 * many, 0 when none.
 */
static __always_inline __u32 read_rights(int *fds, __u64 msg, __u32 abi)
{
	__u64 ctl[2] = {};	/* msg_control, msg_controllen */
	__u32 ctl32[2];
	struct {
		__u64 len;
		int level, type;
	} cm;
	struct {
		__u32 len;
		int level, type;
	} cm32;
	__u64 hdr, n;

	if (abi == IOR_ABI_I386) {
		if (bpf_probe_read_user(ctl32, sizeof(ctl32), (void *)(msg + 16)) ||
		    bpf_probe_read_user(&cm32, sizeof(cm32), (void *)(__u64)ctl32[0]))
			return 0;
		ctl[0] = ctl32[0];
		ctl[1] = ctl32[1];
		cm.len = cm32.len;
		cm.level = cm32.level;
		cm.type = cm32.type;
		hdr = sizeof(cm32);
	} else {
		if (bpf_probe_read_user(ctl, sizeof(ctl), (void *)(msg + 32)) ||
		    bpf_probe_read_user(&cm, sizeof(cm), (void *)ctl[0]))
			return 0;
		hdr = sizeof(cm);
	}
	if (ctl[1] < hdr + 4 || cm.level != SOL_SOCKET ||
	    cm.type != SCM_RIGHTS || cm.len < hdr + 4)
		return 0;
	n = (cm.len - hdr) / 4;
	if (n > IOR_RIGHTS_MAX)
		n = IOR_RIGHTS_MAX;
	if (bpf_probe_read_user(fds, n * 4, (void *)(ctl[0] + hdr)))
		return 0;
	return n;
}

/*
 * recvmsg is traced for the descriptors it passes: an event only when
 * it received some; then an IOR_EV_RIGHT for each. An i386 socketcall
 * is traced for its SYS_RECVMSG, and written as the i386 recvmsg it
 * makes (as strace names it), with that call's three arguments.
 */
static __always_inline void output_rights(struct task_struct *task,
					  struct pt_regs *regs, __u32 abi,
					  long nr, long ret, __u64 time,
					  __u64 dur)
{
	int fds[IOR_RIGHTS_MAX];
	struct fdtable *fdt;
	struct ior_event *e;
	struct file *f;
	__u64 a[6], bits;
	__u32 fd, n, sub[3];

	get_args(a, regs, abi);
	if (abi == IOR_ABI_I386 && nr == IOR_NR32_socketcall) {
		if (a[0] != SYS_RECVMSG ||
		    bpf_probe_read_user(sub, sizeof(sub), (void *)a[1]))
			return;
		a[0] = sub[0];
		a[1] = sub[1];
		a[2] = sub[2];
		nr = IOR_NR32_recvmsg;
	}
	if (!(n = read_rights(fds, a[1], abi)) ||
	    !(e = new_event(IOR_EV_SYSCALL, time, task)))
		return;
	e->dur = dur;
	e->ret = ret;
	e->nr = nr;
	e->abi = abi;
	__builtin_memcpy(e->args, a, sizeof(a));
	__builtin_memcpy(e->data, fds, sizeof(fds));
	e->len1 = n * sizeof(fds[0]);
	output_wake(e, true);
	/* then each descriptor, as its ior:fd will say, found now */
	fdt = BPF_CORE_READ(task, files, fdt);
	for (int i = 0; i < IOR_RIGHTS_MAX && i < n; i++) {
		fd = fds[i];
		if (!(f = task_file(fd)) ||
		    !(e = new_event(IOR_EV_RIGHT, time, task)))
			return;
		e->dur = dur;
		e->nr = nr;
		e->abi = abi;
		e->args[0] = fd;
		e->args[1] = BPF_CORE_READ(f, f_pos);
		e->args[2] = BPF_CORE_READ(f, f_flags);
		bits = 0;
		bpf_probe_read_kernel(&bits, sizeof(bits),
				      BPF_CORE_READ(fdt, close_on_exec) +
				      (fd & 0xffff) / 64);
		if (bits >> (fd % 64) & 1)
			e->args[2] |= O_CLOEXEC;
		read_file_facts(e, f);
		read_file_path(e, f);
		output_wake(e, true);
	}
}

/* The io_events a reap returned, read into events of IOR_AIO_EVENTS_MAX. */
struct reap_walk {
	__u64 evs;		/* its user array of io_events */
	__u64 n;		/* how many: its RET */
	__u64 ctx, reap;	/* its context, and its number */
	__u64 time, dur;
	long nr;
	__u32 abi;
	__u32 pad;
};

/*
 * Events i * IOR_AIO_EVENTS_MAX on, as an IOR_EV_AIO_EVENTS written
 * before the reap's own event. Those that cannot be read or written are
 * counted lost.
 */
static long read_reaped(__u64 i, void *ctx)
{
	struct reap_walk *w = ctx;
	__u64 first = i * IOR_AIO_EVENTS_MAX, n, size, *c;
	struct ior_event *e;
	__u32 zero = 0;

	if (first >= w->n || !(e = bpf_map_lookup_elem(&aio_events, &zero)))
		return 1;
	n = w->n - first;
	if (n > IOR_AIO_EVENTS_MAX)
		n = IOR_AIO_EVENTS_MAX;
	__builtin_memset(e, 0, sizeof(*e));
	fill_head(e, IOR_EV_AIO_EVENTS, w->time, bpf_get_current_task_btf());
	e->dur = w->dur;
	e->nr = w->nr;
	e->abi = w->abi;
	e->args[0] = w->ctx;
	e->args[1] = w->reap;
	e->args[2] = first;
	e->len1 = n * sizeof(struct ior_io_event);
	size = sizeof(*e) + n * sizeof(struct ior_io_event);
	if (bpf_probe_read_user(e->data, n * sizeof(struct ior_io_event),
				(void *)(w->evs + first * sizeof(struct ior_io_event)))) {
		if ((c = counter(IOR_CNT_AIO_LOST)))
			*c += n;
		return 0;
	}
	if (bpf_ringbuf_output(&events, e, size, wakeup(size, false))) {
		count(IOR_CNT_DROPS);
		if ((c = counter(IOR_CNT_AIO_LOST)))
			*c += n;
	}
	return 0;
}

/*
 * io_getevents and io_pgetevents: the timeout, whether a signal mask
 * was given, and the io_events returned, every one, in events of their
 * own written first; the call's event names them by its number (size).
 */
static __always_inline void read_events(struct ior_event *e, __u64 *a,
					long ret, __u16 native, __u32 abi)
{
	__u64 sig[2] = {};	/* struct __aio_sigset: sigmask, sigsetsize */
	struct reap_walk w = {
		.evs = a[3], .n = ret, .ctx = a[0], .time = e->time,
		.dur = e->dur, .nr = e->nr, .abi = abi,
	};

	if (read_longs(e, a[4], 2, abi))	/* a struct timespec */
		e->val[2] = 1;
	if (native == IOR_NR_io_pgetevents && a[5] &&
	    !bpf_probe_read_user(sig, abi ? 4 : sizeof(sig), (void *)a[5]) &&
	    sig[0])
		e->val[3] = 1;
	if (ret <= 0)
		return;
	if (ret > 1 << 20)	/* more than any context holds */
		w.n = 1 << 20;
	w.reap = e->size = __sync_fetch_and_add(&aio_reap_last, 1) + 1;
	bpf_loop((w.n + IOR_AIO_EVENTS_MAX - 1) / IOR_AIO_EVENTS_MAX,
		 read_reaped, &w, 0);
}

/*
 * io_uring_setup: the parameters it was given, and the ring's context:
 * the ring's requests name it by its context.
 */
static __always_inline void read_uring_setup(struct ior_event *e, __u64 *a,
					     long ret)
{
	__u32 p[3];	/* sq_entries, cq_entries, flags */
	struct ior_ring r = { .fd = ret };
	__u64 ctx;

	if (!bpf_probe_read_user(p, sizeof(p), (void *)a[1])) {
		e->val[0] = p[0];
		e->val[1] = p[1];
		e->val[2] = p[2];
	}
	if (ret >= 0 &&
	    (ctx = (__u64)BPF_CORE_READ(task_file(ret), private_data)))
		bpf_map_update_elem(&uring_rings, &ctx, &r, BPF_ANY);
}

/*
 * Whether the ring that io_uring_enter is given has an SQPOLL thread:
 * the enter then submits nothing itself, it wakes the thread. A ring
 * given by its registered index is taken to have none.
 */
static __always_inline bool sqpoll_ring(struct pt_regs *regs, __u32 abi)
{
	struct io_ring_ctx *ctx;

	if (arg_reg(regs, abi, 3) & IORING_ENTER_REGISTERED_RING)
		return false;
	ctx = BPF_CORE_READ(task_file(arg_reg(regs, abi, 0)), private_data);
	return BPF_CORE_READ(ctx, flags) & IORING_SETUP_SQPOLL;
}

/* The log2 bucket of a duration in ns (the BPF ISA counts no zeros). */
static __always_inline __u32 log2_bucket(__u64 v)
{
	__u32 b = 0;

	if (v >> 32) {
		v >>= 32;
		b += 32;
	}
	if (v >> 16) {
		v >>= 16;
		b += 16;
	}
	if (v >> 8) {
		v >>= 8;
		b += 8;
	}
	if (v >> 4) {
		v >>= 4;
		b += 4;
	}
	if (v >> 2) {
		v >>= 2;
		b += 2;
	}
	if (v >> 1)
		b += 1;
	return b;
}

/*
 * -a: the slot of "aggs" on this CPU where key counts in this interval:
 * the first from its hash on that holds key, or else the first free one,
 * made key's; NULL when those probed are all taken.
 */
static __always_inline struct ior_agg *agg_slot(const struct ior_agg_key *key,
						__u64 key_bits,
						struct task_struct *task)
{
	__u32 mask = agg_half - 1, base = key->gen ? agg_half : 0, h, idx;
	struct ior_agg *a;

	/* a multiplicative hash of process and call */
	h = (key->tgid ^ ((__u32)key->abi << 9 | (key->nr & 511)) << 16) *
	    2654435761u;
	h ^= h >> 16;
	for (int i = 0; i < IOR_AGG_PROBES; i++) {
		idx = base + ((h + i) & mask);
		if (!(a = bpf_map_lookup_elem(&aggs, &idx)))
			return NULL;
		if (a->count && a->key_bits == key_bits)
			return a;
		if (!a->count) {
			a->key_bits = key_bits;
			__builtin_memcpy(a->comm, task->comm, sizeof(a->comm));
			a->lat_min = ~0ull;
			return a;
		}
	}
	return NULL;
}

/*
 * -a: count a call of the current process in this interval's half of
 * "aggs". A half full where the pair may go loses the call, counted.
 */
static __always_inline void agg_add(struct task_struct *task, __u32 abi,
				    long nr, bool bytes, long ret, __u64 dur)
{
	union {
		struct ior_agg_key key;
		__u64 bits;
	} k = { .key = {
		.tgid = task->tgid, .nr = nr, .abi = abi, .gen = agg_gen & 1,
	} };
	struct ior_agg *a = agg_slot(&k.key, k.bits, task);
	__u32 b;

	if (!a) {
		count(IOR_CNT_AGG_LOST);
		return;
	}
	a->count++;
	if (ret < 0)
		a->errors++;
	else if (bytes)
		a->bytes += ret;
	a->lat_total += dur;
	if (dur < a->lat_min)
		a->lat_min = dur;
	if (dur > a->lat_max)
		a->lat_max = dur;
	b = log2_bucket(dur);
	if (b >= IOR_AGG_BUCKETS)
		b = IOR_AGG_BUCKETS - 1;
	a->hist[b]++;
}

/*
 * --sample: count a call of a sampled row, and say whether its event is
 * one of those not written: all but the first of each cap->sample on
 * this CPU.
 */
static __always_inline bool sample_skip(const volatile struct ior_call_cap *cap,
					__u32 abi, long nr, long ret)
{
	__u32 idx = (abi & 1) * IOR_NR_MAX + (nr & (IOR_NR_MAX - 1));
	struct ior_sampled *sm;
	__u64 every = cap->sample;
	bool skip;

	if (!every || !(sm = bpf_map_lookup_elem(&sampled, &idx)))
		return false;
	skip = sm->count % every != 0;
	sm->count++;
	if (ret < 0)
		sm->errors++;
	else if (cap->bytes)
		sm->bytes += ret;
	if (!skip)
		sm->written++;
	return skip;
}

SEC("tp_btf/sys_enter")
int BPF_PROG(ior_sys_enter, struct pt_regs *regs, long id)
{
	const volatile struct ior_call_cap *cap;
	struct task_struct *task;
	struct ior_thread *th;
	__u32 tid, abi;
	__u16 native;

	if (!any_traced(id))
		return 0;
	task = bpf_get_current_task_btf();
	if (is_self(task))
		return 0;
	abi = task_abi(task);
	cap = cap_of(abi, id);
	if (cap->cls == IOR_CALL_NONE)
		return 0;
	native = cap->native;
	/* anonymous memory is no file I/O: the mmaps of malloc */
	if (native == IOR_NR_mmap &&
	    ((arg_reg(regs, abi, 3) & MAP_ANONYMOUS) ||
	     (int)arg_reg(regs, abi, 4) < 0))
		return 0;
	tid = task->pid;
	if (!(th = traced_thread(tid, task->tgid, true)))
		return 0;
	if (th->time)
		count(IOR_CNT_UNPAIRED);
	th->time = bpf_ktime_get_ns();
	/* -a: the time is all the exit needs (exit_group has none) */
	if (aggregate) {
		if (native == IOR_NR_exit_group) {
			agg_add(task, abi, id, false, 0, 0);
			th->time = 0;
		}
		return 0;
	}
	/* a call that may create a file: the umask it applies (two loads) */
	if (cap->umask)
		th->umask = task->fs->umask;
	/* one sequence with io_submit's; the requests it submits take it */
	if (native == IOR_NR_io_uring_enter)
		th->sub = (__u32)arg_reg(regs, abi, 1) && !sqpoll_ring(regs, abi) ?
			  __sync_fetch_and_add(&aio_sub_last, 1) + 1 : 0;
	if (native == IOR_NR_exit_group) {	/* never returns */
		if (!sample_skip(cap, abi, id, 0))
			output_small(task, regs, abi, id, native, 0, th->time,
				     0, 0);
		th->time = 0;
	} else if (cap->cls == IOR_CALL_ENTRY &&
		   !save_entry(id, abi, native, regs, task, th->time)) {
		th->time = 0;		/* lost, and counted */
	}
	return 0;
}

/* The value of string argument register r (1 + its number), or 0. */
static __always_inline __u64 str_arg(const __u64 *a, __u8 r)
{
	__u32 i = r;

	/* masked where it is used: the verifier sees the bound */
	return i >= 1 && i <= 6 ? a[(i - 1) & 7] : 0;
}

/*
 * What a whole event reads of its call alone, after the strings and the
 * file facts the table asks for (read_table): stat buffers, openat2's
 * how, iovecs, xattr values, the results of readlink and getcwd, times,
 * the AIO and io_uring structures, and the path an exec ran.
 */
static __always_inline void read_own(struct ior_event *e, __u64 *a,
				     __u16 native, long ret, __u32 tid)
{
	__u32 abi = e->abi;
	struct exec_path *xp;

	switch (native) {
	case IOR_NR_openat2: {
		__u64 how[3] = {};

		bpf_probe_read_user(how, sizeof(how), (void *)a[2]);
		a[2] = how[0];
		a[3] = how[1];
		a[4] = how[2];
		break;
	}
	case IOR_NR_open_by_handle_at:	/* the path, found in the kernel */
		if (ret >= 0)
			read_file_path(e, task_file(ret));
		break;
	case IOR_NR_stat:
	case IOR_NR_lstat:
	case IOR_NR_fstat:
		if (ret == 0)
			read_any_stat(e, a[1], abi, e->nr);
		break;
	case IOR_NR_newfstatat:
		if (ret == 0)
			read_any_stat(e, a[2], abi, e->nr);
		break;
	case IOR_NR_statx:
		if (ret == 0)
			read_statx(e, a[4]);
		break;
	case IOR_NR_readv:
	case IOR_NR_writev:
	case IOR_NR_preadv:
	case IOR_NR_pwritev:
		e->val[0] = iov_sum(a[1], a[2], abi);
		break;
	case IOR_NR_setxattr:		/* the value, after path and name */
	case IOR_NR_lsetxattr:
	case IOR_NR_fsetxattr:
		read_value(e, a[2], a[3]);
		break;
	case IOR_NR_readlink:
		read_path2_bytes(e, a[1], ret);
		break;
	case IOR_NR_readlinkat:
		read_path2_bytes(e, a[2], ret);
		break;
	case IOR_NR_getcwd:
		if (ret > 0)
			read_paths(e, a[0], 0);
		break;
	case IOR_NR_utime:		/* struct utimbuf */
		read_longs(e, a[1], 2, abi);
		break;
	case IOR_NR_utimes:		/* struct timeval[2] */
		read_longs(e, a[1], 4, abi);
		break;
	case IOR_NR_utimensat:		/* struct timespec[2] */
	case IOR_NR_futimesat:		/* struct timeval[2] */
		read_longs(e, a[2], 4, abi);
		break;
	case IOR_NR_io_setup:		/* the context, a long */
		if (ret == 0)
			bpf_probe_read_user(&e->val[0], abi ? 4 : 8, (void *)a[1]);
		break;
	case IOR_NR_io_getevents:
	case IOR_NR_io_pgetevents:
		read_events(e, a, ret, native, abi);
		break;
	case IOR_NR_lseek:		/* i386's _llseek: the offset it set */
		if (ret == 0 && abi == IOR_ABI_I386)
			bpf_probe_read_user(&e->ret, 8, (void *)a[3]);
		break;
	case IOR_NR_io_uring_setup:
		read_uring_setup(e, a, ret);
		break;
	case IOR_NR_io_uring_register:
		read_rsrc(e, a, abi);
		break;
	case IOR_NR_execve:
	case IOR_NR_execveat:
		if (ret < 0) {
			read_paths(e, a[native == IOR_NR_execve ? 0 : 1], 0);
			break;
		}
		xp = bpf_map_lookup_elem(&exec_paths, &tid);
		if (xp) {
			long n = bpf_probe_read_kernel_str(e->data, IOR_PATH_MAX,
							   xp->path);
			e->len1 = n > 0 ? n : 0;
			bpf_map_delete_elem(&exec_paths, &tid);
		}
		break;
	}
}

SEC("tp_btf/sys_exit")
int BPF_PROG(ior_sys_exit, struct pt_regs *regs, long ret)
{
	long nr = regs->orig_ax;
	const volatile struct ior_call_cap *cap;
	struct task_struct *task;
	struct entry_state *sv;
	struct ior_thread *th;
	struct ior_event *e;
	__u64 *a, time, dur;
	__u32 tid, abi;
	__u16 native;
	__u8 cls;

	if (!any_traced(nr))
		return 0;
	task = bpf_get_current_task_btf();
	if (is_self(task))
		return 0;
	abi = task_abi(task);
	cap = cap_of(abi, nr);
	if ((cls = cap->cls) == IOR_CALL_NONE)
		return 0;
	native = cap->native;
	tid = task->pid;
	/*
	 * No entry time: the thread's first traced call is this exit, that
	 * is a call in flight when tracing began, a new child returning
	 * from clone, or the exec that made a process traced. Not a loss;
	 * but a reap that was waiting returns events of requests that may
	 * have been submitted since: it is written, with time 0 and dur
	 * its end.
	 */
	th = traced_thread(tid, task->tgid, false);
	if (th && th->time) {
		time = th->time;
		th->time = 0;
		dur = bpf_ktime_get_ns() - time;
		if (aggregate) {
			agg_add(task, abi, nr, cap->bytes, ret, dur);
			return 0;
		}
	} else if (aggregate) {
		return 0;
	} else if (ret > 0 && (native == IOR_NR_io_getevents ||
			       native == IOR_NR_io_pgetevents) &&
		   (th || (th = traced_thread(tid, task->tgid, true)))) {
		time = 0;
		dur = bpf_ktime_get_ns();
	} else {
		return 0;
	}
	if (sample_skip(cap, abi, nr, ret)) {
		if (cls == IOR_CALL_ENTRY)
			bpf_map_delete_elem(&entries, &tid);
		return 0;
	}

	if (cls == IOR_CALL_REGS) {
		output_small(task, regs, abi, nr, native, ret, time, dur,
			     native == IOR_NR_io_uring_enter ? th->sub : 0);
		return 0;
	}
	if (native == IOR_NR_recvmsg) {
		if (ret >= 0)
			output_rights(task, regs, abi, nr, ret, time, dur);
		return 0;
	}
	if (!(e = new_event(IOR_EV_SYSCALL, time, task)))
		return 0;
	e->dur = dur;
	e->ret = ret;
	e->nr = nr;
	e->abi = abi;
	if (cap->umask)
		e->umask = IOR_UMASK_READ | (th->umask & 0777);
	a = e->args;
	/*
	 * A successful exec has reset the registers, and its exit is the new
	 * program's execve (x86 reports a successful execveat's as execve's;
	 * an exec of a 32-bit program as i386's, of a 64-bit one as
	 * x86_64's): take the entry's.
	 */
	if (cls == IOR_CALL_ENTRY &&
	    (sv = bpf_map_lookup_elem(&entries, &tid))) {
		nr = e->nr = sv->nr;
		abi = e->abi = sv->abi;
		cap = cap_of(abi, nr);
		native = cap->native;
		__builtin_memcpy(a, sv->args, sizeof(e->args));
		__builtin_memcpy(e->val, sv->val, sizeof(e->val));
		bpf_map_delete_elem(&entries, &tid);
	} else {
		get_args(a, regs, abi);
	}
	/* what the table says: its string arguments, an open's file */
	if (cap->cls == IOR_CALL_FULL)
		read_paths(e, str_arg(a, cap->str[0]), str_arg(a, cap->str[1]));
	if (cap->ret_file && ret >= 0)
		read_file(e, ret);
	read_own(e, a, native, ret, tid);
	output_wake(e, native == IOR_NR_open_by_handle_at);
	return 0;
}

char LICENSE[] SEC("license") = "GPL";
