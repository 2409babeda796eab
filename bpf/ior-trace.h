/*
 * ior-trace.h - what the BPF programs of ior-trace and its userspace share:
 * the event layout in the ring buffer, map values and limits.
 * Included by bpf/ior-trace.bpf.c (after vmlinux.h) and cmd/ior-trace.c
 * (after <linux/types.h>).
 */
#ifndef IOR_TRACE_H
#define IOR_TRACE_H

#define IOR_PATH_MAX 4096		/* longest path read, with its NUL */
#define IOR_COMM_LEN 16
#define IOR_FS_LEN 16
#define IOR_NR_MAX 512			/* syscall numbers below this are traced */
#define IOR_IOV_MAX 16			/* iovecs summed for readv and friends */
#define IOR_RINGBUF_SIZE (64 << 20)	/* large: drops cost more than memory */
#define IOR_MAX_TASKS 65536		/* processes tracked at once */

/* x86_64 numbers of the system calls ior-trace records (see ior-format(5)). */
enum ior_nr {
	IOR_NR_read = 0,
	IOR_NR_write = 1,
	IOR_NR_open = 2,
	IOR_NR_close = 3,
	IOR_NR_stat = 4,
	IOR_NR_fstat = 5,
	IOR_NR_lstat = 6,
	IOR_NR_lseek = 8,
	IOR_NR_pread64 = 17,
	IOR_NR_pwrite64 = 18,
	IOR_NR_readv = 19,
	IOR_NR_writev = 20,
	IOR_NR_dup = 32,
	IOR_NR_dup2 = 33,
	IOR_NR_clone = 56,
	IOR_NR_fork = 57,
	IOR_NR_vfork = 58,
	IOR_NR_execve = 59,
	IOR_NR_fsync = 74,
	IOR_NR_fdatasync = 75,
	IOR_NR_truncate = 76,
	IOR_NR_ftruncate = 77,
	IOR_NR_chdir = 80,
	IOR_NR_fchdir = 81,
	IOR_NR_rename = 82,
	IOR_NR_mkdir = 83,
	IOR_NR_rmdir = 84,
	IOR_NR_creat = 85,
	IOR_NR_unlink = 87,
	IOR_NR_exit_group = 231,
	IOR_NR_openat = 257,
	IOR_NR_mkdirat = 258,
	IOR_NR_newfstatat = 262,
	IOR_NR_unlinkat = 263,
	IOR_NR_renameat = 264,
	IOR_NR_dup3 = 292,
	IOR_NR_preadv = 295,
	IOR_NR_pwritev = 296,
	IOR_NR_renameat2 = 316,
	IOR_NR_execveat = 322,
	IOR_NR_statx = 332,
	IOR_NR_clone3 = 435,
	IOR_NR_openat2 = 437,
};

/* What a process is, in the map "tgids" and in each thread's ior_thread. */
enum ior_tgid_state {
	IOR_TGID_UNKNOWN = 0,	/* system-wide: not yet looked up */
	IOR_TGID_TRACED = 1,
	IOR_TGID_ARMED = 2,	/* launched command: traced from its exec on */
	IOR_TGID_EXCLUDED = 3,	/* system-wide: this process is never traced */
};

enum ior_ev_kind {
	IOR_EV_SYSCALL,
	IOR_EV_FORK,		/* args: child tid, child tgid, CLONE_* shared */
	IOR_EV_EXEC,		/* args: old tid, traced?; path: filename */
	IOR_EV_EXIT,		/* args: code, group dead */
};

/* Counters in the per-CPU array "counters". */
enum ior_counter {
	IOR_CNT_DROPS,		/* ring buffer full, or tid above pid_max */
	IOR_CNT_UNPAIRED,	/* exit without enter, or enter overwritten */
	IOR_CNT_WAKE,		/* bytes written since the reader was woken */
	IOR_CNT_NR,
};

/*
 * Per thread, in the array "threads" indexed by tid (pid_max entries):
 * whether its process is traced, and the entry time of the call in
 * flight. Arguments are not kept: at exit the registers still hold them.
 */
struct ior_thread {
	__u64 time;		/* 0: no call in flight */
	__u32 state;		/* enum ior_tgid_state */
	__u32 pad;
};

/*
 * One event. Syscall arguments are raw, except: openat2 has struct
 * open_how's flags, mode and resolve in args[2..4]; clone3 has clone_args'
 * flags in args[0]. Calls without strings or file facts (read, write,
 * close, lseek...) end at IOR_EV_SMALL: the ring carries no more. Others
 * are whole, and data holds len1 bytes of path then len2 bytes of path2,
 * each with its NUL; the event is written with only those bytes.
 */
struct ior_event {
	__u64 time;		/* entry, CLOCK_MONOTONIC ns */
	__u64 dur;
	__s64 ret;
	__u64 args[6];
	__u32 pid, tid;
	__u16 kind;		/* enum ior_ev_kind */
	__s16 nr;		/* syscall number */
	__u16 len1, len2;
	char comm[IOR_COMM_LEN];
	/* IOR_EV_SMALL ends here */
	__u64 size;		/* file size at open and stat */
	__u64 ino;		/* inode at open */
	__u64 iovsum;		/* bytes over the iovecs of readv and friends */
	__u32 mode;		/* i_mode or st_mode; 0 when unknown */
	char fs[IOR_FS_LEN];
	char data[];
};

#define IOR_EV_SMALL __builtin_offsetof(struct ior_event, size)

#endif
