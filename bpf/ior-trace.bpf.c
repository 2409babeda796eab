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
 * sendfile64, fcntl's struct flock) is read at entry. Which calls are
 * traced, and how, is the table call_class.
 * The sched tracepoints follow forks, execs and exits.
 *
 * Every helper call costs (return thunks on this kernel's CPUs): a traced
 * read makes five (the task, the clock twice, the ring's reserve and
 * submit), the untraced filter one. Per-thread state is an array indexed
 * by tid, whose lookup the verifier inlines; the common calls are written
 * in place in the ring.
 */
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

/* Set by userspace before load. */
const volatile bool trace_all = false;	/* all but IOR_TGID_EXCLUDED */
const volatile bool notify_exec = false;	/* -c: report every exec */
/* bytes a CPU writes between wakeups of the reader: see wakeup() */
const volatile __u64 wakeup_bytes = IOR_RINGBUF_SIZE / 4;

/*
 * The calls traced, and how (enum ior_call_class): everything in
 * ior-format(5)'s table. Set in the object, so that the knowledge of what
 * each call reads stays here.
 */
const volatile __u8 call_class[IOR_NR_MAX] = {
	[IOR_NR_read] = IOR_CALL_REGS, [IOR_NR_write] = IOR_CALL_REGS,
	[IOR_NR_pread64] = IOR_CALL_REGS, [IOR_NR_pwrite64] = IOR_CALL_REGS,
	[IOR_NR_lseek] = IOR_CALL_REGS, [IOR_NR_close] = IOR_CALL_REGS,
	[IOR_NR_fsync] = IOR_CALL_REGS, [IOR_NR_fdatasync] = IOR_CALL_REGS,
	[IOR_NR_ftruncate] = IOR_CALL_REGS, [IOR_NR_fchdir] = IOR_CALL_REGS,
	[IOR_NR_dup] = IOR_CALL_REGS, [IOR_NR_dup2] = IOR_CALL_REGS,
	[IOR_NR_dup3] = IOR_CALL_REGS, [IOR_NR_clone] = IOR_CALL_REGS,
	[IOR_NR_clone3] = IOR_CALL_REGS, [IOR_NR_fork] = IOR_CALL_REGS,
	[IOR_NR_vfork] = IOR_CALL_REGS, [IOR_NR_exit_group] = IOR_CALL_REGS,
	[IOR_NR_fchmod] = IOR_CALL_REGS, [IOR_NR_fchown] = IOR_CALL_REGS,
	[IOR_NR_close_range] = IOR_CALL_REGS, [IOR_NR_flock] = IOR_CALL_REGS,
	[IOR_NR_fallocate] = IOR_CALL_REGS,
	[IOR_NR_fadvise64] = IOR_CALL_REGS,
	[IOR_NR_readahead] = IOR_CALL_REGS, [IOR_NR_sync] = IOR_CALL_REGS,
	[IOR_NR_syncfs] = IOR_CALL_REGS,
	[IOR_NR_sync_file_range] = IOR_CALL_REGS,
	[IOR_NR_getdents64] = IOR_CALL_REGS,
	[IOR_NR_flistxattr] = IOR_CALL_REGS,
	[IOR_NR_fstatfs] = IOR_CALL_REGS, [IOR_NR_mmap] = IOR_CALL_REGS,
	[IOR_NR_munmap] = IOR_CALL_REGS, [IOR_NR_msync] = IOR_CALL_REGS,
	[IOR_NR_madvise] = IOR_CALL_REGS, [IOR_NR_unshare] = IOR_CALL_REGS,
	[IOR_NR_open] = IOR_CALL_FULL, [IOR_NR_openat] = IOR_CALL_FULL,
	[IOR_NR_openat2] = IOR_CALL_FULL, [IOR_NR_creat] = IOR_CALL_FULL,
	[IOR_NR_stat] = IOR_CALL_FULL, [IOR_NR_lstat] = IOR_CALL_FULL,
	[IOR_NR_fstat] = IOR_CALL_FULL, [IOR_NR_newfstatat] = IOR_CALL_FULL,
	[IOR_NR_statx] = IOR_CALL_FULL, [IOR_NR_readv] = IOR_CALL_FULL,
	[IOR_NR_writev] = IOR_CALL_FULL, [IOR_NR_preadv] = IOR_CALL_FULL,
	[IOR_NR_pwritev] = IOR_CALL_FULL, [IOR_NR_mkdir] = IOR_CALL_FULL,
	[IOR_NR_mkdirat] = IOR_CALL_FULL, [IOR_NR_rmdir] = IOR_CALL_FULL,
	[IOR_NR_unlink] = IOR_CALL_FULL, [IOR_NR_unlinkat] = IOR_CALL_FULL,
	[IOR_NR_rename] = IOR_CALL_FULL, [IOR_NR_renameat] = IOR_CALL_FULL,
	[IOR_NR_renameat2] = IOR_CALL_FULL,
	[IOR_NR_truncate] = IOR_CALL_FULL, [IOR_NR_chdir] = IOR_CALL_FULL,
	[IOR_NR_access] = IOR_CALL_FULL, [IOR_NR_faccessat] = IOR_CALL_FULL,
	[IOR_NR_faccessat2] = IOR_CALL_FULL, [IOR_NR_chmod] = IOR_CALL_FULL,
	[IOR_NR_fchmodat] = IOR_CALL_FULL,
	[IOR_NR_fchmodat2] = IOR_CALL_FULL, [IOR_NR_chown] = IOR_CALL_FULL,
	[IOR_NR_lchown] = IOR_CALL_FULL, [IOR_NR_fchownat] = IOR_CALL_FULL,
	[IOR_NR_link] = IOR_CALL_FULL, [IOR_NR_linkat] = IOR_CALL_FULL,
	[IOR_NR_symlink] = IOR_CALL_FULL, [IOR_NR_symlinkat] = IOR_CALL_FULL,
	[IOR_NR_readlink] = IOR_CALL_FULL,
	[IOR_NR_readlinkat] = IOR_CALL_FULL, [IOR_NR_mknod] = IOR_CALL_FULL,
	[IOR_NR_mknodat] = IOR_CALL_FULL, [IOR_NR_utime] = IOR_CALL_FULL,
	[IOR_NR_utimes] = IOR_CALL_FULL, [IOR_NR_utimensat] = IOR_CALL_FULL,
	[IOR_NR_futimesat] = IOR_CALL_FULL,
	[IOR_NR_setxattr] = IOR_CALL_FULL,
	[IOR_NR_lsetxattr] = IOR_CALL_FULL,
	[IOR_NR_fsetxattr] = IOR_CALL_FULL,
	[IOR_NR_getxattr] = IOR_CALL_FULL,
	[IOR_NR_lgetxattr] = IOR_CALL_FULL,
	[IOR_NR_fgetxattr] = IOR_CALL_FULL,
	[IOR_NR_listxattr] = IOR_CALL_FULL,
	[IOR_NR_llistxattr] = IOR_CALL_FULL,
	[IOR_NR_removexattr] = IOR_CALL_FULL,
	[IOR_NR_lremovexattr] = IOR_CALL_FULL,
	[IOR_NR_fremovexattr] = IOR_CALL_FULL,
	[IOR_NR_statfs] = IOR_CALL_FULL, [IOR_NR_getcwd] = IOR_CALL_FULL,
	[IOR_NR_name_to_handle_at] = IOR_CALL_FULL,
	[IOR_NR_open_by_handle_at] = IOR_CALL_FULL,
	[IOR_NR_memfd_create] = IOR_CALL_FULL,
	[IOR_NR_recvmsg] = IOR_CALL_FULL,
	[IOR_NR_execve] = IOR_CALL_ENTRY, [IOR_NR_execveat] = IOR_CALL_ENTRY,
	[IOR_NR_fcntl] = IOR_CALL_ENTRY,
	[IOR_NR_copy_file_range] = IOR_CALL_ENTRY,
	[IOR_NR_splice] = IOR_CALL_ENTRY,
	[IOR_NR_sendfile64] = IOR_CALL_ENTRY,
	[IOR_NR_io_setup] = IOR_CALL_FULL, [IOR_NR_io_destroy] = IOR_CALL_REGS,
	[IOR_NR_io_submit] = IOR_CALL_ENTRY,
	[IOR_NR_io_getevents] = IOR_CALL_FULL,
	[IOR_NR_io_pgetevents] = IOR_CALL_FULL,
	[IOR_NR_io_cancel] = IOR_CALL_REGS,
	[IOR_NR_io_uring_setup] = IOR_CALL_FULL,
	[IOR_NR_io_uring_enter] = IOR_CALL_REGS,
	[IOR_NR_io_uring_register] = IOR_CALL_FULL,
};

/* The number of the last io_submit: its record and its requests' name it. */
__u64 aio_sub_last;

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, IOR_MAX_TASKS);
	__type(key, __u32);
	__type(value, __u32);		/* enum ior_tgid_state */
} tgids SEC(".maps");

/* Sized to pid_max by userspace before load. */
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);		/* tid */
	__type(value, struct ior_thread);
} threads SEC(".maps");

/*
 * A call of class IOR_CALL_ENTRY in flight: its arguments (a successful
 * execve resets the registers) and what its user memory held at entry.
 */
struct entry_state {
	__u64 args[6];
	__s64 nr;
	__s64 val[4];		/* as ior_event's val */
};

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 8192);
	__type(key, __u32);		/* tid */
	__type(value, struct entry_state);
} entries SEC(".maps");

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
} exec_paths SEC(".maps");

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
} scratch SEC(".maps");

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
} uring_reqs SEC(".maps");

/* The path of each openat, openat2 and statx request in uring_reqs. */
struct uring_path {
	char path[IOR_PATH_MAX];
};

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, IOR_URING_PATHS);
	__type(key, __u64);
	__type(value, struct uring_path);
} uring_paths SEC(".maps");

/* The descriptor of each io_uring ring, by its struct io_ring_ctx. */
struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, IOR_RINGS_MAX);
	__type(key, __u64);
	__type(value, __s64);
} uring_rings SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, IOR_CNT_NR);
	__type(key, __u32);
	__type(value, __u64);
} counters SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, IOR_RINGBUF_SIZE);
} events SEC(".maps");

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

/* How call nr is traced: IOR_CALL_NONE when it is not. */
static __always_inline __u8 class_of(long nr)
{
	return nr >= 0 && nr < IOR_NR_MAX ? call_class[nr & (IOR_NR_MAX - 1)] :
					    IOR_CALL_NONE;
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
	th->state = st && *st == IOR_TGID_EXCLUDED ? IOR_TGID_EXCLUDED :
						    IOR_TGID_TRACED;
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

static __always_inline void output(struct ior_event *e)
{
	__u64 size = sizeof(*e) + e->len1 + e->len2 + e->len3;
	bool now = e->kind == IOR_EV_EXEC || (e->mode & S_IFMT) == S_IFLNK ||
		   e->nr == IOR_NR_open_by_handle_at || e->nr == IOR_NR_recvmsg;

	if (size > SCRATCH_SIZE)
		return;
	if (bpf_ringbuf_output(&events, e, size, wakeup(size, now)))
		count(IOR_CNT_DROPS);
}

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

/* A walk up from a file to the task's root, one bpf_loop() step a level. */
struct walk {
	struct dentry *d, *root_d;
	struct vfsmount *vmnt, *root_m;
	__u32 pos;		/* start of the path written so far */
	int done;		/* 1: at the root, -1: failed */
};

static long walk_step(__u64 i, void *ctx)
{
	struct walk *w = ctx;
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
	struct walk w = {};
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

static __always_inline __u64 iov_sum(__u64 iov, __u64 cnt)
{
	__u64 sum = 0, len;

	for (int i = 0; i < IOR_IOV_MAX; i++) {
		if (i >= cnt)
			break;
		len = 0;
		bpf_probe_read_user(&len, sizeof(len), (void *)(iov + i * 16 + 8));
		sum += len;
	}
	return sum;
}

/* The six arguments of a call, from the registers. */
static __always_inline void get_args(__u64 *a, struct pt_regs *regs)
{
	a[0] = regs->di;
	a[1] = regs->si;
	a[2] = regs->dx;
	a[3] = regs->r10;
	a[4] = regs->r8;
	a[5] = regs->r9;
}

/*
 * The event of a call captured from the registers: IOR_EV_SMALL bytes
 * written in place in the ring, every field of them set (the ring is not
 * cleared). Building it on the stack and copying it with
 * bpf_ringbuf_output() costs more. sub is io_uring_enter's.
 */
static __always_inline void output_small(struct task_struct *task,
					 struct pt_regs *regs, long nr,
					 long ret, __u64 time, __u64 dur,
					 __u64 sub)
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
	get_args(e->args, regs);
	e->val[0] = sub;
	e->val[1] = e->val[2] = e->val[3] = 0;
	if (nr == IOR_NR_clone3) {
		e->args[0] = 0;
		bpf_probe_read_user(&e->args[0], sizeof(e->args[0]),
				    (void *)regs->di);
	}
	bpf_ringbuf_submit(e, wakeup(IOR_EV_SMALL, false));
}

/*
 * What an io_uring_register registered (see struct ior_event): the
 * descriptors of the FILES opcodes, the iovecs of the BUFFERS ones. The
 * *2 opcodes and FILES_UPDATE point to a structure that points to them.
 */
static __always_inline void read_rsrc(struct ior_event *e, __u64 *a)
{
	struct io_uring_rsrc_register rr;
	struct io_uring_rsrc_update2 up;
	__u64 data = a[2], n = a[3], size = 4;

	e->val[0] = n;
	switch (a[1] & ~IORING_REGISTER_USE_REGISTERED_RING) {
	case IORING_REGISTER_FILES:
		break;
	case IORING_REGISTER_BUFFERS:
		size = 16;	/* struct iovec */
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
			size = 16;
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

/* Where output_submit keeps the iocb pointers, after the iocbs read. */
#define IOCB_PTRS (2 * IOR_PATH_MAX)

/* Iocb number i of the io_submit in this CPU's scratch event. */
static long read_iocb(__u64 i, void *ctx)
{
	struct {
		__u64 data;
		__u32 key, rw_flags;
		__u16 opcode;
		__s16 prio;
		__u32 fd;
		__u64 buf, nbytes;
		__s64 offset;
	} cb;
	struct ior_event *e;
	struct ior_iocb *r;
	__u32 zero = 0;
	__u64 p;

	if (!(e = bpf_map_lookup_elem(&scratch, &zero)))
		return 1;
	p = *(__u64 *)(e->data + IOCB_PTRS + (i & (IOR_AIO_SUBMIT_MAX - 1)) * 8);
	r = (void *)(e->data + (i & (IOR_AIO_SUBMIT_MAX - 1)) * sizeof(*r));
	if (bpf_probe_read_user(&cb, sizeof(cb), (void *)p))
		return 0;	/* iocb 0: unread, and counted in userspace */
	r->iocb = p;
	r->offset = cb.offset;
	r->nbytes = cb.nbytes;
	r->count = cb.nbytes;
	r->fd = cb.fd;
	r->rw_flags = cb.rw_flags;
	r->opcode = cb.opcode;
	if (cb.opcode == IOCB_CMD_PREADV || cb.opcode == IOCB_CMD_PWRITEV)
		r->count = iov_sum(cb.buf, cb.nbytes);
	return 0;
}

/*
 * At io_submit's entry, the iocbs it is given, while the caller's
 * memory still holds them: an IOR_EV_AIO_SUBMIT that userspace keeps
 * until their io_events are reaped.
 */
static __always_inline void output_submit(struct task_struct *task,
					  __u64 *a, __u64 sub, __u64 time)
{
	struct ior_event *e;
	long nr = a[1];
	__u32 n;
	__u64 *c;

	if (nr <= 0 || !(e = new_event(IOR_EV_AIO_SUBMIT, time, task)))
		return;
	if (nr > IOR_AIO_SUBMIT_MAX && (c = counter(IOR_CNT_AIO_LOST)))
		*c += nr - IOR_AIO_SUBMIT_MAX;
	n = nr > IOR_AIO_SUBMIT_MAX ? IOR_AIO_SUBMIT_MAX : nr;
	if (bpf_probe_read_user(e->data + IOCB_PTRS, n * 8, (void *)a[2]))
		return;
	bpf_loop(n, read_iocb, NULL, 0);
	e->nr = IOR_NR_io_submit;
	e->args[0] = a[0];
	e->args[1] = nr;
	e->args[2] = sub;
	e->len1 = n * sizeof(struct ior_iocb);
	output(e);
}

static __always_inline bool is_lock_cmd(__u64 cmd)
{
	return (cmd >= F_GETLK && cmd <= F_SETLKW) ||
	       (cmd >= F_OFD_GETLK && cmd <= F_OFD_SETLKW);
}

/* Keep the arguments of call id, and the user memory the kernel changes. */
static __always_inline bool save_entry(long id, struct pt_regs *regs,
				       struct task_struct *task, __u64 time)
{
	__u32 tid = task->pid;
	struct entry_state s = {};
	struct {
		short type, whence;
		long start, len;
	} fl;

	get_args(s.args, regs);
	s.nr = id;
	switch (id) {
	case IOR_NR_copy_file_range:
	case IOR_NR_splice:
		if (s.args[1])
			bpf_probe_read_user(&s.val[0], 8, (void *)s.args[1]);
		if (s.args[3])
			bpf_probe_read_user(&s.val[1], 8, (void *)s.args[3]);
		break;
	case IOR_NR_sendfile64:
		if (s.args[2])
			bpf_probe_read_user(&s.val[0], 8, (void *)s.args[2]);
		break;
	case IOR_NR_fcntl:
		/* F_GETLK overwrites the lock it is given with its answer */
		if (is_lock_cmd(s.args[1]) &&
		    !bpf_probe_read_user(&fl, sizeof(fl), (void *)s.args[2])) {
			s.val[0] = fl.type;
			s.val[1] = fl.whence;
			s.val[2] = fl.start;
			s.val[3] = fl.len;
		}
		break;
	case IOR_NR_io_submit:
		s.val[0] = __sync_fetch_and_add(&aio_sub_last, 1) + 1;
		break;
	}
	if (bpf_map_update_elem(&entries, &tid, &s, BPF_ANY)) {
		count(IOR_CNT_DROPS);
		return false;
	}
	if (id == IOR_NR_io_submit)
		output_submit(task, s.args, s.val[0], time);
	return true;
}

/*
 * recvmsg is traced for the descriptors it passes: an event only when
 * the first control message of its user msghdr is SCM_RIGHTS.
 */
static __always_inline void output_rights(struct task_struct *task,
					  struct pt_regs *regs, long ret,
					  __u64 time, __u64 dur)
{
	__u64 msg = regs->si;
	__u64 ctl[2];		/* msg_control, msg_controllen */
	struct {
		__u64 len;
		int level, type;
	} cm;
	int fds[IOR_RIGHTS_MAX];
	struct fdtable *fdt;
	struct ior_event *e;
	struct file *f;
	__u64 n, bits;
	__u32 fd;

	if (bpf_probe_read_user(ctl, sizeof(ctl), (void *)(msg + 32)) ||
	    ctl[1] < sizeof(cm) + 4 ||
	    bpf_probe_read_user(&cm, sizeof(cm), (void *)ctl[0]) ||
	    cm.level != SOL_SOCKET || cm.type != SCM_RIGHTS ||
	    cm.len < sizeof(cm) + 4)
		return;
	n = (cm.len - sizeof(cm)) / 4;
	if (n > IOR_RIGHTS_MAX)
		n = IOR_RIGHTS_MAX;
	if (bpf_probe_read_user(fds, n * 4, (void *)(ctl[0] + sizeof(cm))) ||
	    !(e = new_event(IOR_EV_SYSCALL, time, task)))
		return;
	e->dur = dur;
	e->ret = ret;
	e->nr = IOR_NR_recvmsg;
	get_args(e->args, regs);
	__builtin_memcpy(e->data, fds, sizeof(fds));
	e->len1 = n * sizeof(fds[0]);
	output(e);
	/* then each descriptor, as its ior:fd will say, found now */
	fdt = BPF_CORE_READ(task, files, fdt);
	for (int i = 0; i < IOR_RIGHTS_MAX && i < n; i++) {
		fd = fds[i];
		if (!(f = task_file(fd)) ||
		    !(e = new_event(IOR_EV_RIGHT, time, task)))
			return;
		e->dur = dur;
		e->nr = IOR_NR_recvmsg;
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
		output(e);
	}
}

/*
 * io_getevents and io_pgetevents: the timeout, whether a signal mask
 * was given, and the io_events returned.
 */
static __always_inline void read_events(struct ior_event *e, __u64 *a,
					long ret)
{
	__u64 sig[2];	/* struct __aio_sigset: sigmask, sigsetsize */
	__u32 n;
	__u64 *c;

	if (a[4] && !bpf_probe_read_user(e->val, 16, (void *)a[4]))
		e->val[2] = 1;
	if (e->nr == IOR_NR_io_pgetevents && a[5] &&
	    !bpf_probe_read_user(sig, sizeof(sig), (void *)a[5]) && sig[0])
		e->val[3] = 1;
	if (ret <= 0)
		return;
	if (ret > IOR_AIO_EVENTS_MAX && (c = counter(IOR_CNT_AIO_LOST)))
		*c += ret - IOR_AIO_EVENTS_MAX;
	n = ret > IOR_AIO_EVENTS_MAX ? IOR_AIO_EVENTS_MAX : ret;
	if (!bpf_probe_read_user(e->data, n * sizeof(struct ior_io_event),
				 (void *)a[3]))
		e->len1 = n * sizeof(struct ior_io_event);
}

/*
 * Whether the ring that io_uring_enter is given has an SQPOLL thread:
 * the enter then submits nothing itself, it wakes the thread. A ring
 * given by its registered index is taken to have none.
 */
static __always_inline bool sqpoll_ring(struct pt_regs *regs)
{
	struct io_ring_ctx *ctx;

	if (regs->r10 & IORING_ENTER_REGISTERED_RING)
		return false;
	ctx = BPF_CORE_READ(task_file(regs->di), private_data);
	return BPF_CORE_READ(ctx, flags) & IORING_SETUP_SQPOLL;
}

SEC("tp_btf/sys_enter")
int BPF_PROG(ior_sys_enter, struct pt_regs *regs, long id)
{
	struct task_struct *task;
	struct ior_thread *th;
	__u8 cls = class_of(id);
	__u32 tid;

	if (cls == IOR_CALL_NONE)
		return 0;
	/* anonymous memory is no file I/O: the mmaps of malloc */
	if (id == IOR_NR_mmap &&
	    ((regs->r10 & MAP_ANONYMOUS) || (int)regs->r8 < 0))
		return 0;
	task = bpf_get_current_task_btf();
	tid = task->pid;
	if (!(th = traced_thread(tid, task->tgid, true)))
		return 0;
	if (th->time)
		count(IOR_CNT_UNPAIRED);
	th->time = bpf_ktime_get_ns();
	/* one sequence with io_submit's; the requests it submits take it */
	if (id == IOR_NR_io_uring_enter)
		th->sub = (__u32)regs->si && !sqpoll_ring(regs) ?
			  __sync_fetch_and_add(&aio_sub_last, 1) + 1 : 0;
	if (id == IOR_NR_exit_group) {	/* never returns */
		output_small(task, regs, id, 0, th->time, 0, 0);
		th->time = 0;
	} else if (cls == IOR_CALL_ENTRY &&
		   !save_entry(id, regs, task, th->time)) {
		th->time = 0;		/* lost, and counted */
	}
	return 0;
}

SEC("tp_btf/sys_exit")
int BPF_PROG(ior_sys_exit, struct pt_regs *regs, long ret)
{
	long nr = regs->orig_ax;
	__u8 cls = class_of(nr);
	struct task_struct *task;
	struct entry_state *sv;
	struct ior_thread *th;
	struct ior_event *e;
	struct exec_path *xp;
	__u64 *a, time, dur;
	__u32 tid;

	if (cls == IOR_CALL_NONE)
		return 0;
	task = bpf_get_current_task_btf();
	tid = task->pid;
	/*
	 * No entry time: the thread's first traced call is this exit, that
	 * is a call in flight when tracing began, a new child returning
	 * from clone, or the exec that made a process traced. Not a loss.
	 */
	if (!(th = traced_thread(tid, task->tgid, false)) || !th->time)
		return 0;
	time = th->time;
	th->time = 0;
	dur = bpf_ktime_get_ns() - time;

	if (cls == IOR_CALL_REGS) {
		output_small(task, regs, nr, ret, time, dur,
			     nr == IOR_NR_io_uring_enter ? th->sub : 0);
		return 0;
	}
	if (nr == IOR_NR_recvmsg) {
		if (ret >= 0)
			output_rights(task, regs, ret, time, dur);
		return 0;
	}
	if (!(e = new_event(IOR_EV_SYSCALL, time, task)))
		return 0;
	e->dur = dur;
	e->ret = ret;
	e->nr = nr;
	a = e->args;
	/*
	 * A successful exec has reset the registers, and x86 reports a
	 * successful execveat's exit as execve's: take the entry's.
	 */
	if (cls == IOR_CALL_ENTRY &&
	    (sv = bpf_map_lookup_elem(&entries, &tid))) {
		nr = e->nr = sv->nr;
		__builtin_memcpy(a, sv->args, sizeof(e->args));
		__builtin_memcpy(e->val, sv->val, sizeof(e->val));
		bpf_map_delete_elem(&entries, &tid);
	} else {
		get_args(a, regs);
	}
	switch (nr) {
	case IOR_NR_open:
	case IOR_NR_creat:
		read_paths(e, a[0], 0);
		if (ret >= 0)
			read_file(e, ret);
		break;
	case IOR_NR_openat:
		read_paths(e, a[1], 0);
		if (ret >= 0)
			read_file(e, ret);
		break;
	case IOR_NR_openat2: {
		__u64 how[3] = {};

		bpf_probe_read_user(how, sizeof(how), (void *)a[2]);
		a[2] = how[0];
		a[3] = how[1];
		a[4] = how[2];
		read_paths(e, a[1], 0);
		if (ret >= 0)
			read_file(e, ret);
		break;
	}
	case IOR_NR_open_by_handle_at:
		if (ret >= 0) {
			read_file(e, ret);
			read_file_path(e, task_file(ret));
		}
		break;
	case IOR_NR_stat:
	case IOR_NR_lstat:
		read_paths(e, a[0], 0);
		if (ret == 0)
			read_stat(e, a[1]);
		break;
	case IOR_NR_fstat:
		if (ret == 0)
			read_stat(e, a[1]);
		break;
	case IOR_NR_newfstatat:
		read_paths(e, a[1], 0);
		if (ret == 0)
			read_stat(e, a[2]);
		break;
	case IOR_NR_statx:
		read_paths(e, a[1], 0);
		if (ret == 0)
			read_statx(e, a[4]);
		break;
	case IOR_NR_readv:
	case IOR_NR_writev:
	case IOR_NR_preadv:
	case IOR_NR_pwritev:
		e->val[0] = iov_sum(a[1], a[2]);
		break;
	case IOR_NR_mkdir:
	case IOR_NR_rmdir:
	case IOR_NR_unlink:
	case IOR_NR_truncate:
	case IOR_NR_chdir:
	case IOR_NR_access:
	case IOR_NR_chmod:
	case IOR_NR_chown:
	case IOR_NR_lchown:
	case IOR_NR_mknod:
	case IOR_NR_statfs:
	case IOR_NR_listxattr:
	case IOR_NR_llistxattr:
	case IOR_NR_memfd_create:
		read_paths(e, a[0], 0);
		break;
	case IOR_NR_mkdirat:
	case IOR_NR_unlinkat:
	case IOR_NR_faccessat:
	case IOR_NR_faccessat2:
	case IOR_NR_fchmodat:
	case IOR_NR_fchmodat2:
	case IOR_NR_fchownat:
	case IOR_NR_mknodat:
	case IOR_NR_name_to_handle_at:
	case IOR_NR_fgetxattr:		/* the name, written as path */
	case IOR_NR_fremovexattr:
		read_paths(e, a[1], 0);
		break;
	case IOR_NR_setxattr:		/* path, name and value */
	case IOR_NR_lsetxattr:
		read_paths(e, a[0], a[1]);
		read_value(e, a[2], a[3]);
		break;
	case IOR_NR_fsetxattr:		/* the name, written as path */
		read_paths(e, a[1], 0);
		read_value(e, a[2], a[3]);
		break;
	case IOR_NR_rename:
	case IOR_NR_link:
	case IOR_NR_symlink:
	case IOR_NR_getxattr:
	case IOR_NR_lgetxattr:
	case IOR_NR_removexattr:
	case IOR_NR_lremovexattr:
		read_paths(e, a[0], a[1]);
		break;
	case IOR_NR_renameat:
	case IOR_NR_renameat2:
	case IOR_NR_linkat:
		read_paths(e, a[1], a[3]);
		break;
	case IOR_NR_symlinkat:
		read_paths(e, a[0], a[2]);
		break;
	case IOR_NR_readlink:
		read_paths(e, a[0], 0);
		read_path2_bytes(e, a[1], ret);
		break;
	case IOR_NR_readlinkat:
		read_paths(e, a[1], 0);
		read_path2_bytes(e, a[2], ret);
		break;
	case IOR_NR_getcwd:
		if (ret > 0)
			read_paths(e, a[0], 0);
		break;
	case IOR_NR_utime:
		read_paths(e, a[0], 0);
		if (a[1])
			bpf_probe_read_user(e->val, 16, (void *)a[1]);
		break;
	case IOR_NR_utimes:
		read_paths(e, a[0], 0);
		if (a[1])
			bpf_probe_read_user(e->val, 32, (void *)a[1]);
		break;
	case IOR_NR_utimensat:
	case IOR_NR_futimesat:
		read_paths(e, a[1], 0);
		if (a[2])
			bpf_probe_read_user(e->val, 32, (void *)a[2]);
		break;
	case IOR_NR_io_setup:
		if (ret == 0)
			bpf_probe_read_user(&e->val[0], 8, (void *)a[1]);
		break;
	case IOR_NR_io_getevents:
	case IOR_NR_io_pgetevents:
		read_events(e, a, ret);
		break;
	case IOR_NR_io_uring_setup: {
		__u32 p[3];	/* sq_entries, cq_entries, flags */
		__u64 ctx;

		if (!bpf_probe_read_user(p, sizeof(p), (void *)a[1])) {
			e->val[0] = p[0];
			e->val[1] = p[1];
			e->val[2] = p[2];
		}
		/* the ring's requests name it by its context */
		if (ret >= 0 &&
		    (ctx = (__u64)BPF_CORE_READ(task_file(ret), private_data)))
			bpf_map_update_elem(&uring_rings, &ctx, &ret, BPF_ANY);
		break;
	}
	case IOR_NR_io_uring_register:
		read_rsrc(e, a);
		break;
	case IOR_NR_execve:
	case IOR_NR_execveat:
		if (ret < 0) {
			read_paths(e, a[nr == IOR_NR_execve ? 0 : 1], 0);
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
	output(e);
	return 0;
}

SEC("tp_btf/sched_process_fork")
int BPF_PROG(ior_fork, struct task_struct *parent, struct task_struct *child)
{
	__u32 ptgid = parent->tgid, ctgid = child->tgid;
	__u32 state = tgid_state(ptgid);
	struct ior_event *e;
	__u64 flags = 0;

	if (state == IOR_TGID_EXCLUDED) {
		/* the children of our own pipeline stay out too */
		if (ctgid != ptgid)
			bpf_map_update_elem(&tgids, &ctgid, &state, BPF_ANY);
		set_thread(child->pid, state);
		return 0;
	}
	if (state != IOR_TGID_TRACED)
		return 0;
	if (ctgid != ptgid && !trace_all)
		bpf_map_update_elem(&tgids, &ctgid, &state, BPF_ANY);
	set_thread(child->pid, state);

	if (child->mm == parent->mm)
		flags |= CLONE_VM;
	if (child->fs == parent->fs)
		flags |= CLONE_FS;
	if (child->files == parent->files)
		flags |= CLONE_FILES;
	if (ctgid == ptgid)
		flags |= CLONE_THREAD;
	e = new_event(IOR_EV_FORK, bpf_ktime_get_ns(), parent);
	if (!e)
		return 0;
	e->args[0] = child->pid;
	e->args[1] = ctgid;
	e->args[2] = flags;
	output(e);
	return 0;
}

SEC("tp_btf/sched_process_exec")
int BPF_PROG(ior_exec, struct task_struct *p, pid_t old_pid,
	     struct linux_binprm *bprm)
{
	__u32 tgid = p->tgid, tid = p->pid, state = tgid_state(tgid);
	__u32 traced = IOR_TGID_TRACED, old = old_pid;
	struct ior_thread *th;
	struct entry_state *sv;
	struct ior_event *e;
	__u64 time = 0;
	long n;

	if (state == IOR_TGID_ARMED) {
		bpf_map_update_elem(&tgids, &tgid, &traced, BPF_ANY);
		set_thread(tid, IOR_TGID_TRACED);
	} else if (state != IOR_TGID_TRACED) {
		if (!notify_exec)
			return 0;
		traced = 0;
	}
	if (traced && old != tid) {
		/* a thread exec'd: it returns from execve as the leader */
		if ((th = bpf_map_lookup_elem(&threads, &old))) {
			time = th->time;
			th->time = 0;
			th->state = IOR_TGID_UNKNOWN;
		}
		if ((th = bpf_map_lookup_elem(&threads, &tid))) {
			th->time = time;
			th->state = IOR_TGID_TRACED;
		}
		if ((sv = bpf_map_lookup_elem(&entries, &old))) {
			bpf_map_update_elem(&entries, &tid, sv, BPF_ANY);
			bpf_map_delete_elem(&entries, &old);
		}
	}
	e = new_event(IOR_EV_EXEC, bpf_ktime_get_ns(), p);
	if (!e)
		return 0;
	e->args[0] = old;
	e->args[1] = traced != 0;
	n = bpf_probe_read_kernel_str(e->data, IOR_PATH_MAX,
				      BPF_CORE_READ(bprm, filename));
	e->len1 = n > 0 ? n : 0;
	if (traced)
		bpf_map_update_elem(&exec_paths, &tid, e->data, BPF_ANY);
	output(e);
	return 0;
}

SEC("tp_btf/sched_process_exit")
int BPF_PROG(ior_exit, struct task_struct *p, bool group_dead)
{
	__u32 tgid = p->tgid, tid = p->pid;
	int code = p->exit_code;
	struct ior_event *e;

	set_thread(tid, IOR_TGID_UNKNOWN);	/* its tid may be reused */
	if (tgid_state(tgid) == IOR_TGID_TRACED) {
		bpf_map_delete_elem(&exec_paths, &tid);
		bpf_map_delete_elem(&entries, &tid);
		e = new_event(IOR_EV_EXIT, bpf_ktime_get_ns(), p);
		if (e) {
			/* like a shell: 128+N when killed by signal N */
			e->args[0] = code & 0x7f ? 128 + (code & 0x7f) : code >> 8;
			e->args[1] = group_dead;
			output(e);
		}
	}
	if (group_dead)
		bpf_map_delete_elem(&tgids, &tgid);
	return 0;
}

/*
 * ---- io_uring: each request from its submission to its completion ----
 *
 * A request is submitted by the task that calls io_uring_enter, or by
 * the ring's SQPOLL thread, a thread of the same process; both are
 * current here. io_init_req has prepared it: its command (struct io_rw,
 * io_open ..., over the request's first bytes) holds the operation's
 * arguments, the kernel's copy of a path included, and cqe.fd the
 * descriptor or fixed index. Requests that post no completion on
 * success (IOSQE_CQE_SKIP_SUCCESS) cannot be followed.
 */
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

/* The descriptor of ring ctx, or -1: from io_uring_setup, or the enter. */
static __always_inline __s64 ring_fd(struct task_struct *task, __u64 ctx)
{
	struct pt_regs *regs;
	__s64 *fd = bpf_map_lookup_elem(&uring_rings, &ctx), r;

	if (fd)
		return *fd;
	regs = (struct pt_regs *)bpf_task_pt_regs(task);
	if (BPF_CORE_READ(regs, orig_ax) != IOR_NR_io_uring_enter ||
	    BPF_CORE_READ(regs, r10) & IORING_ENTER_REGISTERED_RING)
		return -1;
	r = BPF_CORE_READ(regs, di);
	bpf_map_update_elem(&uring_rings, &ctx, &r, BPF_ANY);
	return r;
}

/*
 * The sub of the io_uring_enter that task is in, or 0: the requests an
 * enter submits are submitted in it, before it returns.
 */
static __always_inline __u64 enter_sub(struct task_struct *task)
{
	__u32 tid = task->pid;
	struct ior_thread *th = bpf_map_lookup_elem(&threads, &tid);
	struct pt_regs *regs;

	if (!th || !th->time || !th->sub)
		return 0;
	regs = (struct pt_regs *)bpf_task_pt_regs(task);
	return BPF_CORE_READ(regs, orig_ax) == IOR_NR_io_uring_enter ?
	       th->sub : 0;
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
		e->args[2] = iov_sum(addr, e->val[0]);
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
	const char *path;
	__u32 zero = 0;
	long n;

	if (tgid_state(task->tgid) != IOR_TGID_TRACED)
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
	if (task->flags & PF_IO_WORKER) {
		/* the ring's SQPOLL thread: written as the process */
		e->tid = task->tgid;
		__builtin_memcpy(e->comm, task->group_leader->comm,
				 sizeof(e->comm));
		e->val[1] = IOR_EXEC_SQPOLL;
	} else {
		e->val[1] = IOR_EXEC_INLINE;
		e->val[3] = enter_sub(task);
	}
	e->nr = req->opcode;
	e->args[0] = req->cqe.fd;
	e->args[1] = -1;
	path = read_op(e, req, req->opcode);
	e->args[3] = sqe_flags(req);
	e->args[4] = req->cqe.user_data;
	e->args[5] = ring_fd(task, (__u64)req->ctx);
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

SEC("tp_btf/io_uring_queue_async_work")
int BPF_PROG(ior_uring_async, struct io_kiocb *req, int rw)
{
	__u64 key = (__u64)req;
	struct ior_event *e = bpf_map_lookup_elem(&uring_reqs, &key);

	if (e)
		e->val[1] = IOR_EXEC_IOWQ;
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

char LICENSE[] SEC("license") = "GPL";
