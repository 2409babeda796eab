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
#define IOR_RIGHTS_MAX 8		/* descriptors of one recvmsg reported */
#define IOR_VALUE_MAX 1024		/* longest xattr value recorded */
#define IOR_RINGBUF_SIZE (64 << 20)	/* large: drops cost more than memory */
#define IOR_MAX_TASKS 65536		/* processes tracked at once */
#define IOR_AIO_SUBMIT_MAX 64		/* iocbs of one io_submit read */
#define IOR_AIO_EVENTS_MAX 128		/* io_events of one reap read */
#define IOR_RSRC_MAX 64			/* files or buffers of one
					   io_uring_register read */
#define IOR_URING_MAX 16384		/* io_uring requests in flight followed */
#define IOR_URING_PATHS 1024		/* of them, openat and statx requests */
#define IOR_RINGS_MAX 1024		/* io_uring rings whose descriptor is known */

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
	IOR_NR_mmap = 9,
	IOR_NR_munmap = 11,
	IOR_NR_pread64 = 17,
	IOR_NR_pwrite64 = 18,
	IOR_NR_readv = 19,
	IOR_NR_writev = 20,
	IOR_NR_access = 21,
	IOR_NR_msync = 26,
	IOR_NR_madvise = 28,
	IOR_NR_dup = 32,
	IOR_NR_dup2 = 33,
	IOR_NR_sendfile64 = 40,
	IOR_NR_recvmsg = 47,
	IOR_NR_clone = 56,
	IOR_NR_fork = 57,
	IOR_NR_vfork = 58,
	IOR_NR_execve = 59,
	IOR_NR_fcntl = 72,
	IOR_NR_flock = 73,
	IOR_NR_fsync = 74,
	IOR_NR_fdatasync = 75,
	IOR_NR_truncate = 76,
	IOR_NR_ftruncate = 77,
	IOR_NR_getcwd = 79,
	IOR_NR_chdir = 80,
	IOR_NR_fchdir = 81,
	IOR_NR_rename = 82,
	IOR_NR_mkdir = 83,
	IOR_NR_rmdir = 84,
	IOR_NR_creat = 85,
	IOR_NR_link = 86,
	IOR_NR_unlink = 87,
	IOR_NR_symlink = 88,
	IOR_NR_readlink = 89,
	IOR_NR_chmod = 90,
	IOR_NR_fchmod = 91,
	IOR_NR_chown = 92,
	IOR_NR_fchown = 93,
	IOR_NR_lchown = 94,
	IOR_NR_utime = 132,
	IOR_NR_mknod = 133,
	IOR_NR_statfs = 137,
	IOR_NR_fstatfs = 138,
	IOR_NR_sync = 162,
	IOR_NR_readahead = 187,
	IOR_NR_setxattr = 188,
	IOR_NR_lsetxattr = 189,
	IOR_NR_fsetxattr = 190,
	IOR_NR_getxattr = 191,
	IOR_NR_lgetxattr = 192,
	IOR_NR_fgetxattr = 193,
	IOR_NR_listxattr = 194,
	IOR_NR_llistxattr = 195,
	IOR_NR_flistxattr = 196,
	IOR_NR_removexattr = 197,
	IOR_NR_lremovexattr = 198,
	IOR_NR_fremovexattr = 199,
	IOR_NR_io_setup = 206,
	IOR_NR_io_destroy = 207,
	IOR_NR_io_getevents = 208,
	IOR_NR_io_submit = 209,
	IOR_NR_io_cancel = 210,
	IOR_NR_getdents64 = 217,
	IOR_NR_fadvise64 = 221,
	IOR_NR_exit_group = 231,
	IOR_NR_utimes = 235,
	IOR_NR_openat = 257,
	IOR_NR_mkdirat = 258,
	IOR_NR_mknodat = 259,
	IOR_NR_fchownat = 260,
	IOR_NR_futimesat = 261,
	IOR_NR_newfstatat = 262,
	IOR_NR_unlinkat = 263,
	IOR_NR_renameat = 264,
	IOR_NR_linkat = 265,
	IOR_NR_symlinkat = 266,
	IOR_NR_readlinkat = 267,
	IOR_NR_fchmodat = 268,
	IOR_NR_faccessat = 269,
	IOR_NR_unshare = 272,
	IOR_NR_splice = 275,
	IOR_NR_sync_file_range = 277,
	IOR_NR_utimensat = 280,
	IOR_NR_fallocate = 285,
	IOR_NR_dup3 = 292,
	IOR_NR_preadv = 295,
	IOR_NR_pwritev = 296,
	IOR_NR_name_to_handle_at = 303,
	IOR_NR_open_by_handle_at = 304,
	IOR_NR_syncfs = 306,
	IOR_NR_renameat2 = 316,
	IOR_NR_memfd_create = 319,
	IOR_NR_execveat = 322,
	IOR_NR_copy_file_range = 326,
	IOR_NR_statx = 332,
	IOR_NR_io_pgetevents = 333,
	IOR_NR_io_uring_setup = 425,
	IOR_NR_io_uring_enter = 426,
	IOR_NR_io_uring_register = 427,
	IOR_NR_clone3 = 435,
	IOR_NR_close_range = 436,
	IOR_NR_openat2 = 437,
	IOR_NR_faccessat2 = 439,
	IOR_NR_fchmodat2 = 452,
};

/*
 * How a call is captured, in the BPF object's table call_class (indexed
 * by number): from the registers alone at exit, on the stack; with
 * strings or file facts read at exit, in a whole event; or with user
 * memory that the kernel changes also read at entry (into map "entries").
 */
enum ior_call_class {
	IOR_CALL_NONE = 0,	/* not traced */
	IOR_CALL_REGS,
	IOR_CALL_FULL,
	IOR_CALL_ENTRY,
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
	IOR_EV_RIGHT,		/* after a recvmsg, one per descriptor received:
				   args: fd, f_pos, f_flags (with O_CLOEXEC);
				   path: the file's, when found in the kernel */
	IOR_EV_AIO_SUBMIT,	/* at io_submit's entry: args: ctx, nr, sub;
				   data: len1 bytes of struct ior_iocb */
	IOR_EV_URING,		/* an io_uring request, at its completion:
				   see struct ior_event */
};

/* Where an io_uring request ran. */
enum ior_uring_exec {
	IOR_EXEC_INLINE,	/* in the submitting task */
	IOR_EXEC_IOWQ,		/* punted to an io-wq worker */
	IOR_EXEC_SQPOLL,	/* submitted by the ring's SQPOLL thread */
};

/*
 * One iocb of an io_submit, read at its entry (the caller may reuse the
 * memory once the call returns). count is aio_nbytes, or for the vector
 * commands the bytes over the first IOR_IOV_MAX iovecs (aio_nbytes is
 * then the iovec count).
 */
struct ior_iocb {
	__u64 iocb;		/* its user address: io_event's obj */
	__s64 offset;
	__u64 nbytes;
	__u64 count;
	__u32 fd;
	__u32 rw_flags;		/* RWF_* */
	__u16 opcode;		/* IOCB_CMD_* */
	__u16 pad[3];
};

/* struct io_event, as io_getevents writes it. */
struct ior_io_event {
	__u64 data;
	__u64 obj;		/* the iocb's user address */
	__s64 res, res2;
};

/* Counters in the per-CPU array "counters". */
enum ior_counter {
	IOR_CNT_DROPS,		/* ring buffer full, or tid above pid_max */
	IOR_CNT_UNPAIRED,	/* exit without enter, or enter overwritten */
	IOR_CNT_WAKE,		/* bytes written since the reader was woken */
	IOR_CNT_AIO_LOST,	/* iocbs or io_events beyond what one call
				   reads */
	IOR_CNT_URING_LOST,	/* io_uring requests beyond IOR_URING_MAX or
				   IOR_URING_PATHS, or without a completion
				   (IOSQE_CQE_SKIP_SUCCESS) */
	IOR_CNT_NR,
};

/*
 * Per thread, in the array "threads" indexed by tid (pid_max entries):
 * whether its process is traced, and the entry time of the call in
 * flight. Arguments are not kept: at exit the registers still hold them.
 * An io_uring_enter that submits takes its sub number at entry, and the
 * requests it submits take it from here.
 */
struct ior_thread {
	__u64 time;		/* 0: no call in flight */
	__u64 sub;		/* of the io_uring_enter in flight; 0: none */
	__u32 state;		/* enum ior_tgid_state */
	__u32 pad;
};

/*
 * One event. Syscall arguments are raw, except: openat2 has struct
 * open_how's flags, mode and resolve in args[2..4]; clone3 has clone_args'
 * flags in args[0]. Calls captured from the registers end at IOR_EV_SMALL:
 * the ring carries no more. Others are whole, and data holds len1 bytes
 * of path then len2 bytes of path2, each with its NUL (recvmsg: len1
 * bytes of int descriptors), then len3 bytes of an xattr value (setxattr
 * calls, when read); the event is written with only those bytes.
 * open_by_handle_at's path is the opened file's, found in the kernel.
 * io_uring_register has in data the int descriptors (the *FILES*
 * opcodes) or struct iovecs (BUFFERS, BUFFERS2) it was given, at most
 * IOR_RSRC_MAX, and in val: [0] the number of entries, [1] the first
 * slot an update replaces, [2] 1 when there is one, [3] 1 when the
 * entries were not read (a sparse table: all empty).
 *
 * An io_uring request (IOR_EV_URING) has TIME its submission; nr its
 * IORING_OP_* opcode; args[3..5] its IOSQE_* flags, user_data and its
 * ring's descriptor (-1: unknown); val[1] enum ior_uring_exec, val[3]
 * the sub of its io_uring_enter (0: none); and its operation's keys:
 *   read, write and the other rw ops: args fd (or fixed index),
 *     offset (-1: the file position), count; val[0] iovcnt (vector ops),
 *     val[2] buffer index (fixed-buffer ops);
 *   fsync, fallocate: args fd, offset, len; val[0] IORING_FSYNC_* or
 *     the fallocate mode;
 *   openat, openat2: args dirfd, open flags, mode; val[0] resolve,
 *     val[2] file_slot (index + 1; 0: none); path in data;
 *   statx: args dirfd, AT_* flags, mask; path in data;
 *   close: args fd; val[2] file_slot;
 *   the others: args[0] fd.
 * Requests with a path are written whole, the others IOR_EV_SMALL.
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
	/*
	 * Values read from user memory, by call:
	 *   readv, writev, preadv, pwritev: [0] bytes over the iovecs;
	 *   copy_file_range, splice: [0] *off_in, [1] *off_out, at entry;
	 *   sendfile64: [0] *offset, at entry;
	 *   fcntl lock commands: struct flock's l_type, l_whence, l_start,
	 *   l_len, at entry;
	 *   utime: struct utimbuf in [0..1]; utimes, futimesat: struct
	 *   timeval[2]; utimensat: struct timespec[2].
	 */
	__s64 val[4];
	__u64 size;		/* file size at open and stat */
	__u64 ino;		/* inode at open and stat */
	__u64 dev;		/* its filesystem's device, encoded as st_dev */
	__u32 mode;		/* i_mode or st_mode; 0 when unknown */
	__u32 nlink, uid, gid;
	char fs[IOR_FS_LEN];
	__u32 len3;
	__u32 has_value;	/* an xattr value was read (len3 may be 0) */
	char data[];
};

#define IOR_EV_SMALL __builtin_offsetof(struct ior_event, size)

#endif
