/*
 * ior-trace.h - what the BPF programs of ior-trace and its userspace share:
 * the event layout in the ring buffer, map values and limits.
 * Included by the BPF programs (after vmlinux.h) and by cmd/ior-trace/
 * (after <linux/types.h>); both find lib/calls.h on their include path.
 */
#ifndef IOR_TRACE_H
#define IOR_TRACE_H

#define IOR_PATH_MAX 4096		/* longest path read, with its NUL */
#define IOR_COMM_LEN 16
#define IOR_FS_LEN 16
#define IOR_NR_MAX 512			/* syscall numbers below this are traced */
#define IOR_UIO_MAXIOV 1024		/* iovecs of one vector: UIO_MAXIOV */
#define IOR_IOV_CHUNK 16		/* of them, read at once */
#define IOR_RIGHTS_MAX 8		/* descriptors of one recvmsg reported */
#define IOR_VALUE_MAX 1024		/* longest xattr value recorded */
/*
 * The ring buffer: IOR_RINGBUF_CPU a CPU, a power of two from
 * IOR_RINGBUF_MIN to IOR_RINGBUF_MAX (set by userspace before load).
 * Not larger: a program writes each record where the ring was written a
 * whole ring's bytes before, in lines long gone from the caches (64 MiB
 * cost a traced call some 300 ns more than 16 MiB here); not smaller:
 * what it holds is what the reader may fall behind before drops (8 MiB
 * dropped events of bench's ior-trace | ior-map | ior-gen on 2 busy CPUs).
 */
#define IOR_RINGBUF_CPU (8 << 20)
#define IOR_RINGBUF_MIN (16 << 20)
#define IOR_RINGBUF_MAX (64 << 20)
#define IOR_MAX_TASKS 65536		/* processes tracked at once */
#define IOR_AIO_SUBMIT_MAX 64		/* iocbs of one IOR_EV_AIO_SUBMIT */
#define IOR_AIO_SUBMIT_ALL 65536	/* iocbs of one io_submit read */
#define IOR_AIO_EVENTS_MAX 256		/* io_events of one IOR_EV_AIO_EVENTS */
#define IOR_RSRC_MAX 64			/* files or buffers of one
					   io_uring_register read */
#define IOR_URING_MAX 16384		/* io_uring requests in flight followed */
#define IOR_URING_PATHS 1024		/* of them, openat and statx requests */
#define IOR_RINGS_MAX 1024		/* io_uring rings whose descriptor is known */

/*
 * The x86_64 number of each system call of the table (lib/calls.h), as
 * IOR_NR_name, and its i386 number, as IOR_NR32_name (-1: none).
 */
enum ior_nr {
#define SYS(name, nr64, nr32, ...) IOR_NR_##name = nr64, IOR_NR32_##name = nr32,
#define SYS32(ident, name, nr32, ...) IOR_NR32_##ident = nr32,
#define REC(...)
#include "calls.h"
#undef SYS
#undef SYS32
#undef REC
};

/*
 * How a call is captured (the capture column of lib/calls.h, enum
 * ior_capture in lib/ior.h, whose values these are): not at all; from
 * the registers alone at exit, on the stack; with strings or file facts
 * read at exit, in a whole event; or with user memory that the kernel
 * changes also read at entry (into map "entries").
 */
enum ior_call_class {
	IOR_CALL_NONE = 0,	/* not traced */
	IOR_CALL_REGS,
	IOR_CALL_FULL,
	IOR_CALL_ENTRY,
};

/*
 * The ABI of a system call: the task's compat state when it made it. An
 * i386 call has the i386 number, its arguments in the i386 registers
 * (ebx, ecx, edx, esi, edi, ebp), each 32 bits.
 */
enum ior_abi {
	IOR_ABI_X86_64 = 0,
	IOR_ABI_I386 = 1,
	IOR_ABIS
};

/*
 * What the BPF programs know of each call, by ABI and number, in the
 * rodata array call_cap: filled by ior-trace from lib/calls.h before
 * load.
 */
struct ior_call_cap {
	__u8 cls;		/* enum ior_call_class */
	__u8 str[2];		/* 1 + the register of its first and second
				   string argument (types PATH, LINK, NAME),
				   read at exit; 0: none */
	__u8 ret_file;		/* 1: RET is a descriptor whose file facts
				   are read (an open) */
	__u16 native;		/* the x86_64 number of the row it is
				   handled as: what the programs name */
	__u8 umask;		/* 1: it may create a file (X(umask) in its
				   row): its caller's umask is read at entry */
	__u8 bytes;		/* 1: RET is a byte count (its row's ret is
				   READ, WRITE or COPY): -a, --sample add it */
	__u32 sample;		/* --sample: one in sample is written, all
				   counted in "sampled"; 0: not sampled */
};

/* What a process is, in the map "tgids" and in each thread's ior_thread. */
enum ior_tgid_state {
	IOR_TGID_UNKNOWN = 0,	/* system-wide: not yet looked up */
	IOR_TGID_TRACED = 1,
	IOR_TGID_ARMED = 2,	/* launched command: traced from its exec on */
	IOR_TGID_EXCLUDED = 3,	/* never traced, nor its children: our
				   pipeline, a stage reading the trace */
	IOR_TGID_TRACER = 4,	/* another ior-trace: never traced, but what
				   it starts is as if it had no state */
};

enum ior_ev_kind {
	IOR_EV_SYSCALL,
	IOR_EV_FORK,		/* args: child tid, child tgid, CLONE_* shared */
	IOR_EV_EXEC,		/* args: old tid, traced?; path: filename */
	IOR_EV_EXIT,		/* args: code, group dead */
	IOR_EV_RIGHT,		/* after a recvmsg, one per descriptor received:
				   args: fd, f_pos, f_flags (with O_CLOEXEC);
				   path: the file's, when found in the kernel */
	IOR_EV_AIO_SUBMIT,	/* at io_submit's entry: args: ctx, nr, sub,
				   the index of its first iocb; data: len1
				   bytes of struct ior_iocb (at most
				   IOR_AIO_SUBMIT_MAX: a larger io_submit
				   makes several) */
	IOR_EV_AIO_EVENTS,	/* before an io_getevents or io_pgetevents
				   that returned events: args: ctx, the
				   reap's number, the index of the first;
				   time, dur: the reap's; data: len1 bytes
				   of struct ior_io_event (at most
				   IOR_AIO_EVENTS_MAX: more make several) */
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
 * With the exec in val[1] of an io_uring request: its SQPOLL thread
 * submitted it (it stays when an io-wq worker runs it), and val[3] is
 * that thread's batch, not an io_uring_enter's sub.
 */
#define IOR_EXEC_BATCH 0x100

/*
 * One iocb of an io_submit, read at its entry (the caller may reuse the
 * memory once the call returns). count is aio_nbytes, or for the vector
 * commands the bytes over all their iovecs (aio_nbytes is then the
 * iovec count).
 */
struct ior_iocb {
	__u64 iocb;		/* its user address: io_event's obj */
	__u64 data;		/* aio_data: io_event's data */
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
	IOR_CNT_AIO_LOST,	/* iocbs or io_events not read (beyond
				   IOR_AIO_SUBMIT_ALL, unreadable) or not
				   written (the ring buffer full) */
	IOR_CNT_URING_LOST,	/* io_uring requests beyond IOR_URING_MAX or
				   IOR_URING_PATHS, or without a completion
				   (IOSQE_CQE_SKIP_SUCCESS) */
	IOR_CNT_AGG_LOST,	/* -a: calls not counted, no free slot
				   of "aggs" where their pair may go */
	IOR_CNT_NR,
};

/*
 * Aggregate mode (-a): per process and call, in the per-CPU array
 * "aggs", an open-addressed table on each CPU: a pair takes the first
 * slot from its hash on (IOR_AGG_PROBES at most) that holds it or is
 * free. An array, not a hash map: its lookup is inlined, where a hash
 * map's costs a call and a hash, half the exit program's time. The
 * table has two halves of agg_half slots, one per generation
 * (agg_gen): userspace flips it, then reads and clears the half of the
 * one before, so that each drain is the delta of one interval, its
 * least and greatest latency included. A pair may sit at a different
 * slot on each CPU: userspace adds them up by key.
 */
#define IOR_AGG_BUCKETS 40	/* log2 ns: bucket 39 takes every longer */
#define IOR_AGG_MEMORY (32 << 20)	/* bytes of "aggs" over the CPUs, */
#define IOR_AGG_HALF_MAX 4096	/* but at most this many slots a half */
#define IOR_AGG_PROBES 8

struct ior_agg_key {
	__u32 tgid;
	__s16 nr;		/* the call's number in its ABI */
	__u8 abi;
	__u8 gen;
};

struct ior_agg {
	__u64 count, errors, bytes;	/* count 0: the slot is free */
	__u64 lat_total, lat_min, lat_max;
	__u64 hist[IOR_AGG_BUCKETS];
	char comm[IOR_COMM_LEN];	/* when it was first counted */
	union {
		struct ior_agg_key key;	/* the pair the slot holds */
		__u64 key_bits;		/* the same, compared at once */
	};
};

/*
 * Sampling (--sample): every call of a sampled row counted, by ABI and
 * number (index abi * IOR_NR_MAX + nr), in the per-CPU array "sampled".
 */
struct ior_sampled {
	__u64 count, errors, bytes;
	__u64 written;		/* of them, events written */
};

/*
 * Per thread, in the array "threads" indexed by tid (pid_max entries):
 * whether its process is traced, and the entry time of the call in
 * flight. Arguments are not kept: at exit the registers still hold them.
 * An io_uring_enter that submits takes its sub number at entry, and the
 * requests it submits take it from here. A call that may create a file
 * keeps its task's umask from entry to exit: the umask it applies.
 */
struct ior_thread {
	__u64 time;		/* 0: no call in flight */
	__u64 sub;		/* of the io_uring_enter in flight; 0: none */
	__u32 state;		/* enum ior_tgid_state */
	__u32 umask;		/* of the call in flight that may create a
				   file: its task's umask at entry */
};

/*
 * One event. Syscall arguments are raw, in the registers of the call's
 * ABI (abi; an i386 call's are 32 bits, zero-extended), except: openat2
 * has struct open_how's flags, mode and resolve in args[2..4]; clone3 has
 * clone_args' flags in args[0]; an i386 socketcall(SYS_RECVMSG) comes as
 * the i386 recvmsg it makes, its arguments read from its array. What is
 * read from user memory is read in the layout of the call's ABI and
 * written here as for x86_64 (val, the file facts); an i386 _llseek has
 * in ret, on success, the offset it set, as lseek returns it. Calls captured from the registers end at IOR_EV_SMALL:
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
 * io_getevents and io_pgetevents have in size the reap's number (0: it
 * returned no event): its io_events came before it, in IOR_EV_AIO_EVENTS
 * events naming it. One that was already waiting when capture began has
 * time 0 and dur the time of its exit.
 *
 * An io_uring request (IOR_EV_URING) has TIME its submission; nr its
 * IORING_OP_* opcode; args[3..5] its IOSQE_* flags, user_data and its
 * ring's descriptor (-1: unknown); val[1] enum ior_uring_exec (and
 * IOR_EXEC_BATCH), val[3] the sub of its io_uring_enter or its SQPOLL
 * thread's batch (0: none); and its operation's keys:
 *   read, write and the other rw ops: args fd (or fixed index),
 *     offset (-1: the file position), count; val[0] iovcnt (vector ops),
 *     val[2] buffer index (fixed-buffer ops);
 *   IORING_OP_FSYNC, IORING_OP_FALLOCATE: args fd, offset, len; val[0]
 *     IORING_FSYNC_* or the allocation mode;
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
	__u8 kind;		/* enum ior_ev_kind */
	__u8 abi;		/* enum ior_abi of a system call */
	__s16 nr;		/* syscall number, in its ABI */
	__u16 len1, len2;
	char comm[IOR_COMM_LEN];
	/* IOR_EV_SMALL ends here */
	/*
	 * Values read from user memory, by call:
	 *   readv, writev, preadv, pwritev: [0] bytes over the iovecs;
	 *   copy_file_range, splice: [0] *off_in, [1] *off_out, at entry;
	 *   sendfile64: [0] *offset, at entry;
	 *   fcntl lock commands: the lock's l_type, l_whence, l_start,
	 *   l_len, at entry; F_SET_RW_HINT, F_SET_FILE_RW_HINT: [0] the
	 *   hint, [1] 1 when it could be read, at entry;
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
	__u16 has_value;	/* an xattr value was read (len3 may be 0) */
	__u16 umask;		/* of a call or io_uring open that may create
				   a file: IOR_UMASK_READ | the umask of its
				   task, read at its entry or submission */
	char data[];
};

#define IOR_UMASK_READ 0x8000	/* in umask: it was read */

#define IOR_EV_SMALL __builtin_offsetof(struct ior_event, size)

#endif
