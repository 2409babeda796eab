/*
 * calls.h - everything ior knows about each call, one row per call, in the
 * manner of strace's linux/x86_64/syscallent.h and OpenBSD's
 * sys/kern/syscalls.master. Every tool, and the BPF program, reads it:
 * adding a call is a row here, plus a handler only where its meaning is
 * new. ior-format(5) lists the same calls (t/calls.bats checks it).
 *
 * The file defines no macro of its own: its includer defines the three
 * row macros (and the argument forms it needs) and undefines them after.
 *
 *   SYS(name, x86_64, i386, capture, family, follow, map, tree, replay, ret, args...)
 *	a system call, written CALL=name in a stream. x86_64 and i386 are
 *	its numbers (-1: none in that ABI with this name and meaning).
 *   SYS32(ident, "name", i386, native, capture, args...)
 *	a call only the i386 (ia32) ABI has under this name, or one whose
 *	arguments there differ from its x86_64 twin's (16-bit owners, an
 *	offset in pages): decoded with its own argument layout, written as
 *	strace names it, and handled everywhere else as the native row.
 *   REC(ident, "name", follow, map, tree, replay, ret, keys...)
 *	a record that is not a system call: a process event (sched:), a
 *	tracer fact (ior:), an async request (aio:, uring:), a tree entry
 *	(init:). "uring:" stands for every io_uring operation without a
 *	row of its own.
 *
 * Columns:
 *   capture  how ior-trace reads it in the kernel (enum ior_call_class):
 *	    REGS from the registers at exit; FULL with strings or file facts
 *	    read at exit; ENTRY with user memory the call changes, also read
 *	    at entry.
 *   family   the family ior-trace -e trace=%NAME selects it by (enum
 *	    ior_family): FILES data and descriptors (open, read, write,
 *	    sync, map, close), META names and attributes (stat, rename,
 *	    mkdir, chmod, xattrs), AIO Linux AIO, URING io_uring, PROC
 *	    processes (clone, exec, exit). An i386 row is its native row's.
 *   follow   whether a call on a path follows a symbolic link in its last
 *	    component: FOLLOW, NOFOLLOW, AT_FOLLOW (only with
 *	    AT_SYMLINK_FOLLOW in flags), AT_NOFOLLOW (unless
 *	    AT_SYMLINK_NOFOLLOW); NONE for calls on no path.
 *   map      what it does to ior-map's model of descriptors and processes
 *	    (enum ior_map): NONE for nothing beyond naming its descriptors
 *	    and paths.
 *   tree     its role in ior-gen's inference of the starting tree
 *	    (enum ior_tree); UNSUPPORTED records are dropped.
 *   replay   how ior-replay issues it (enum ior_replay); NONE: it cannot,
 *	    so ior-gen drops it (dropped.unsupported).
 *   ret      what RET is (enum ior_ret): VAL a number or 0, FD a new
 *	    descriptor, ADDR an address, PID a task id, NOCMP a value that
 *	    depends on where the call runs (not compared with a replay's),
 *	    READ/WRITE/COPY bytes read, written, or both (counted as such by
 *	    ior-stats).
 *
 * Arguments, in the order ior-trace writes them (KEY=VALUE):
 *   A(type, key, reg)        register reg (x86_64 order; on i386 each
 *                            earlier LOFF takes two) as type
 *   F(key, reg, table)       register reg as symbolic flags, ior_<table>
 *   V(type, key, val)        a value the BPF program read into val[val]
 *   O(key, reg, val)         an optional offset: val[val], written only
 *                            when the pointer in register reg is not NULL
 *   X(key)                   written by the call's own code in ior-trace;
 *                            X(umask) also has the BPF program read the
 *                            caller's umask at the call's entry
 *   K(type, key)             a key of a REC row
 * Types: FD, DIRFD, PATH (resolved by ior-map), LINK (a symbolic link's
 * target: never resolved), NAME (an xattr name), MODE (octal), INT (int),
 * UINT (unsigned int), LONG (long, off_t), SIZE (size_t), RBUF/WBUF (a
 * size_t count of bytes read into, or written from, a buffer), LOFF
 * (loff_t: 64 bits, in two registers on i386), HEX (an address), DEV
 * (major:minor), FLAGS (symbolic).
 */

/*   name               x86_64 i386 capture family follow       map          tree         replay       ret    args */
SYS(read,                    0,   3, REGS,  FILES, NONE,        NONE,        READ,        READ,        READ,  A(FD, fd, 0), A(RBUF, count, 2))
SYS(write,                   1,   4, REGS,  FILES, NONE,        NONE,        WRITE,       WRITE,       WRITE, A(FD, fd, 0), A(WBUF, count, 2))
SYS(open,                    2,   5, FULL,  FILES, FOLLOW,      OPEN,        OPEN,        OPEN,        FD,    A(PATH, path, 0), F(flags, 1, open_flags), A(MODE, mode, 2), X(umask), X(file))
SYS(close,                   3,   6, REGS,  FILES, NONE,        CLOSE,       CLOSE,       CLOSE,       VAL,   A(FD, fd, 0))
SYS(stat,                    4, 106, FULL,  META,  FOLLOW,      STAT,        STAT,        STAT,        VAL,   A(PATH, path, 0), X(stat))
SYS(fstat,                   5, 108, FULL,  META,  NONE,        NONE,        FSTAT,       FSTAT,       VAL,   A(FD, fd, 0), X(stat))
SYS(lstat,                   6, 107, FULL,  META,  NOFOLLOW,    STAT,        STAT,        STAT,        VAL,   A(PATH, path, 0), X(stat))
SYS(lseek,                   8,  19, REGS,  FILES, NONE,        NONE,        LSEEK,       LSEEK,       VAL,   A(FD, fd, 0), A(LONG, offset, 1), F(whence, 2, whence_names))
SYS(mmap,                    9,  -1, REGS,  FILES, NONE,        MMAP,        MMAP,        MMAP,        ADDR,  A(HEX, addr, 0), A(SIZE, len, 1), F(prot, 2, mmap_prot), F(flags, 3, mmap_flags), A(FD, fd, 4), A(LONG, offset, 5))
SYS(munmap,                 11,  91, REGS,  FILES, NONE,        MUNMAP,      MAPPING,     MUNMAP,      VAL,   A(HEX, addr, 0), A(SIZE, len, 1))
SYS(pread64,                17, 180, REGS,  FILES, NONE,        NONE,        PREAD,       PREAD,       READ,  A(FD, fd, 0), A(RBUF, count, 2), A(LOFF, offset, 3))
SYS(pwrite64,               18, 181, REGS,  FILES, NONE,        NONE,        PWRITE,      PWRITE,      WRITE, A(FD, fd, 0), A(WBUF, count, 2), A(LOFF, offset, 3))
SYS(readv,                  19, 145, FULL,  FILES, NONE,        NONE,        READ,        READV,       READ,  A(FD, fd, 0), A(INT, iovcnt, 2), V(RBUF, count, 0))
SYS(writev,                 20, 146, FULL,  FILES, NONE,        NONE,        WRITE,       WRITEV,      WRITE, A(FD, fd, 0), A(INT, iovcnt, 2), V(WBUF, count, 0))
SYS(access,                 21,  33, FULL,  META,  FOLLOW,      NONE,        TOUCH,       ACCESS,      VAL,   A(PATH, path, 0), F(amode, 1, access_modes), X(attrs))
SYS(msync,                  26, 144, REGS,  FILES, NONE,        MRANGE,      MAPPING,     MSYNC,       VAL,   A(HEX, addr, 0), A(SIZE, len, 1), F(flags, 2, msync_flags))
SYS(madvise,                28, 219, REGS,  FILES, NONE,        MRANGE,      MAPPING,     MADVISE,     VAL,   A(HEX, addr, 0), A(SIZE, len, 1), F(advice, 2, madvise_advice))
SYS(dup,                    32,  41, REGS,  FILES, NONE,        DUP,         DUP,         DUP,         FD,    A(FD, fd, 0))
SYS(dup2,                   33,  63, REGS,  FILES, NONE,        DUP2,        DUP,         DUP2,        FD,    A(FD, fd, 0), A(FD, fd2, 1))
SYS(sendfile64,             40, 239, ENTRY, FILES, NONE,        XFER,        XFER,        SENDFILE,    COPY,  A(FD, fd2, 0), A(FD, fd, 1), O(offset, 2, 0), A(SIZE, count, 3))
SYS(recvmsg,                47, 372, FULL,  FILES, NONE,        NONE,        IPC,         NONE,        VAL,   A(FD, fd, 0), X(rights))
SYS(clone,                  56, 120, REGS,  PROC,  NONE,        NONE,        PROCESS,     NONE,        PID,   X(flags))
SYS(fork,                   57,   2, REGS,  PROC,  NONE,        NONE,        PROCESS,     NOOP,        PID)
SYS(vfork,                  58, 190, REGS,  PROC,  NONE,        NONE,        NOTREE,      NOOP,        PID)
SYS(execve,                 59,  11, ENTRY, PROC,  FOLLOW,      NONE,        PROCESS,     NONE,        VAL,   A(PATH, path, 0))
SYS(exit_group,            231, 252, REGS,  PROC,  NONE,        NONE,        PROCESS,     NONE,        VAL,   A(INT, code, 0))
SYS(fcntl,                  72,  55, ENTRY, FILES, NONE,        FCNTL,       FCNTL,       FCNTL,       VAL,   A(FD, fd, 0), X(cmd))
SYS(flock,                  73, 143, REGS,  FILES, NONE,        NONE,        FDOP,        FLOCK,       VAL,   A(FD, fd, 0), F(op, 1, flock_ops))
SYS(fsync,                  74, 118, REGS,  FILES, NONE,        NONE,        SYNC,        FSYNC,       VAL,   A(FD, fd, 0))
SYS(fdatasync,              75, 148, REGS,  FILES, NONE,        NONE,        SYNC,        FDATASYNC,   VAL,   A(FD, fd, 0))
SYS(truncate,               76,  92, FULL,  FILES, FOLLOW,      NONE,        TRUNCATE,    TRUNCATE,    VAL,   A(PATH, path, 0), A(LONG, size, 1), X(attrs))
SYS(ftruncate,              77,  93, REGS,  FILES, NONE,        NONE,        FTRUNCATE,   FTRUNCATE,   VAL,   A(FD, fd, 0), A(LONG, size, 1))
SYS(getcwd,                 79, 183, FULL,  META,  NONE,        GETCWD,      GETCWD,      GETCWD,      NOCMP,  A(RBUF, count, 1), X(path))
SYS(chdir,                  80,  12, FULL,  META,  FOLLOW,      CHDIR,       CHDIR,       CHDIR,       VAL,   A(PATH, path, 0))
SYS(fchdir,                 81, 133, REGS,  META,  NONE,        FCHDIR,      FCHDIR,      FCHDIR,      VAL,   A(FD, fd, 0))
SYS(rename,                 82,  38, FULL,  META,  NOFOLLOW,    NONE,        RENAME,      RENAME,      VAL,   A(PATH, path, 0), A(PATH, path2, 1), X(attrs))
SYS(mkdir,                  83,  39, FULL,  META,  NOFOLLOW,    NONE,        MKDIR,       MKDIR,       VAL,   A(PATH, path, 0), A(MODE, mode, 1), X(umask))
SYS(rmdir,                  84,  40, FULL,  META,  NOFOLLOW,    NONE,        RMDIR,       RMDIR,       VAL,   A(PATH, path, 0))
SYS(creat,                  85,   8, FULL,  FILES, FOLLOW,      OPEN,        CREAT,       OPEN,        FD,    A(PATH, path, 0), A(MODE, mode, 1), X(umask), X(file))
SYS(link,                   86,   9, FULL,  META,  NOFOLLOW,    NONE,        LINK,        LINK,        VAL,   A(PATH, path, 0), A(PATH, path2, 1), X(attrs))
SYS(unlink,                 87,  10, FULL,  META,  NOFOLLOW,    NONE,        UNLINK,      UNLINK,      VAL,   A(PATH, path, 0))
SYS(symlink,                88,  83, FULL,  META,  NOFOLLOW,    SYMLINK,     SYMLINK,     SYMLINK,     VAL,   A(LINK, path, 0), A(PATH, path2, 1))
SYS(readlink,               89,  85, FULL,  META,  NOFOLLOW,    READLINK,    READLINK,    READLINK,    VAL,   A(PATH, path, 0), A(RBUF, count, 2), X(path2), X(attrs))
SYS(chmod,                  90,  15, FULL,  META,  FOLLOW,      NONE,        CHMOD,       CHMOD,       VAL,   A(PATH, path, 0), A(MODE, mode, 1), X(attrs))
SYS(fchmod,                 91,  94, REGS,  META,  NONE,        NONE,        CHMOD,       FCHMOD,      VAL,   A(FD, fd, 0), A(MODE, mode, 1))
SYS(chown,                  92,  -1, FULL,  META,  FOLLOW,      NONE,        CHOWN,       CHOWN,       VAL,   A(PATH, path, 0), A(INT, uid, 1), A(INT, gid, 2), X(attrs))
SYS(fchown,                 93,  -1, REGS,  META,  NONE,        NONE,        CHOWN,       FCHOWN,      VAL,   A(FD, fd, 0), A(INT, uid, 1), A(INT, gid, 2))
SYS(lchown,                 94,  -1, FULL,  META,  NOFOLLOW,    NONE,        CHOWN,       CHOWN,       VAL,   A(PATH, path, 0), A(INT, uid, 1), A(INT, gid, 2), X(attrs))
SYS(utime,                 132,  30, FULL,  META,  FOLLOW,      NONE,        TOUCH,       UTIMES,      VAL,   A(PATH, path, 0), X(times), X(attrs))
SYS(mknod,                 133,  14, FULL,  META,  NOFOLLOW,    NONE,        MKNOD,       MKNOD,       VAL,   A(PATH, path, 0), A(MODE, mode, 1), X(umask), A(DEV, rdev, 2))
SYS(statfs,                137,  99, FULL,  META,  FOLLOW,      NONE,        NOTREE,      STATFS,      VAL,   A(PATH, path, 0))
SYS(fstatfs,               138, 100, REGS,  META,  NONE,        NONE,        FDOP,        FSTATFS,     VAL,   A(FD, fd, 0))
SYS(sync,                  162,  36, REGS,  FILES, NONE,        NONE,        NOTREE,      SYNC,        VAL)
SYS(readahead,             187, 225, REGS,  FILES, NONE,        NONE,        FDOP,        READAHEAD,   VAL,   A(FD, fd, 0), A(LOFF, offset, 1), A(SIZE, count, 2))
SYS(setxattr,              188, 226, FULL,  META,  FOLLOW,      NONE,        TOUCH,       SETXATTR,    VAL,   A(PATH, path, 0), A(NAME, name, 1), A(WBUF, count, 3), F(flags, 4, xattr_flags), X(value), X(attrs))
SYS(lsetxattr,             189, 227, FULL,  META,  NOFOLLOW,    NONE,        TOUCH,       SETXATTR,    VAL,   A(PATH, path, 0), A(NAME, name, 1), A(WBUF, count, 3), F(flags, 4, xattr_flags), X(value), X(attrs))
SYS(fsetxattr,             190, 228, FULL,  META,  NONE,        NONE,        FDOP,        FSETXATTR,   VAL,   A(FD, fd, 0), A(NAME, name, 1), A(WBUF, count, 3), F(flags, 4, xattr_flags), X(value))
SYS(getxattr,              191, 229, FULL,  META,  FOLLOW,      NONE,        TOUCH,       GETXATTR,    VAL,   A(PATH, path, 0), A(NAME, name, 1), A(RBUF, count, 3), X(attrs))
SYS(lgetxattr,             192, 230, FULL,  META,  NOFOLLOW,    NONE,        TOUCH,       GETXATTR,    VAL,   A(PATH, path, 0), A(NAME, name, 1), A(RBUF, count, 3), X(attrs))
SYS(fgetxattr,             193, 231, FULL,  META,  NONE,        NONE,        FDOP,        FGETXATTR,   VAL,   A(FD, fd, 0), A(NAME, name, 1), A(RBUF, count, 3))
SYS(listxattr,             194, 232, FULL,  META,  FOLLOW,      NONE,        TOUCH,       LISTXATTR,   VAL,   A(PATH, path, 0), A(RBUF, count, 2), X(attrs))
SYS(llistxattr,            195, 233, FULL,  META,  NOFOLLOW,    NONE,        TOUCH,       LISTXATTR,   VAL,   A(PATH, path, 0), A(RBUF, count, 2), X(attrs))
SYS(flistxattr,            196, 234, REGS,  META,  NONE,        NONE,        FDOP,        FLISTXATTR,  VAL,   A(FD, fd, 0), A(RBUF, count, 2))
SYS(removexattr,           197, 235, FULL,  META,  FOLLOW,      NONE,        TOUCH,       REMOVEXATTR, VAL,   A(PATH, path, 0), A(NAME, name, 1), X(attrs))
SYS(lremovexattr,          198, 236, FULL,  META,  NOFOLLOW,    NONE,        TOUCH,       REMOVEXATTR, VAL,   A(PATH, path, 0), A(NAME, name, 1), X(attrs))
SYS(fremovexattr,          199, 237, FULL,  META,  NONE,        NONE,        FDOP,        FREMOVEXATTR, VAL,  A(FD, fd, 0), A(NAME, name, 1))
SYS(io_setup,              206, 245, FULL,  AIO,   NONE,        NONE,        NOTREE,      IO_SETUP,    VAL,   A(UINT, nr, 0), X(ctx))
SYS(io_destroy,            207, 246, REGS,  AIO,   NONE,        NONE,        NOTREE,      IO_DESTROY,  VAL,   A(HEX, ctx, 0))
SYS(io_getevents,          208, 247, FULL,  AIO,   NONE,        NONE,        NOTREE,      IO_GETEVENTS, VAL,  A(HEX, ctx, 0), A(LONG, min_nr, 1), A(LONG, nr, 2), X(timeout), X(reap))
SYS(io_submit,             209, 248, ENTRY, AIO,   NONE,        NONE,        NOTREE,      IO_SUBMIT,   VAL,   A(HEX, ctx, 0), A(LONG, nr, 1), V(LONG, sub, 0))
SYS(io_cancel,             210, 249, REGS,  AIO,   NONE,        NONE,        NOTREE,      IO_CANCEL,   VAL,   A(HEX, ctx, 0), A(HEX, iocb, 1))
SYS(getdents64,            217, 220, REGS,  META,  NONE,        NONE,        GETDENTS,    GETDENTS,    VAL,   A(FD, fd, 0), A(RBUF, count, 2))
SYS(fadvise64,             221, 250, REGS,  FILES, NONE,        NONE,        FDOP,        FADVISE,     VAL,   A(FD, fd, 0), A(LOFF, offset, 1), A(SIZE, len, 2), F(advice, 3, fadvise_advice))
SYS(utimes,                235, 271, FULL,  META,  FOLLOW,      NONE,        TOUCH,       UTIMES,      VAL,   A(PATH, path, 0), X(times), X(attrs))
SYS(openat,                257, 295, FULL,  FILES, FOLLOW,      OPEN,        OPEN,        OPEN,        FD,    A(DIRFD, dirfd, 0), A(PATH, path, 1), F(flags, 2, open_flags), A(MODE, mode, 3), X(umask), X(file))
SYS(mkdirat,               258, 296, FULL,  META,  NOFOLLOW,    NONE,        MKDIR,       MKDIR,       VAL,   A(DIRFD, dirfd, 0), A(PATH, path, 1), A(MODE, mode, 2), X(umask))
SYS(mknodat,               259, 297, FULL,  META,  NOFOLLOW,    NONE,        MKNOD,       MKNOD,       VAL,   A(DIRFD, dirfd, 0), A(PATH, path, 1), A(MODE, mode, 2), X(umask), A(DEV, rdev, 3))
SYS(fchownat,              260, 298, FULL,  META,  AT_NOFOLLOW, NONE,        CHOWN,       CHOWN,       VAL,   A(DIRFD, dirfd, 0), A(PATH, path, 1), A(INT, uid, 2), A(INT, gid, 3), F(flags, 4, at_flags), X(attrs))
SYS(futimesat,             261, 299, FULL,  META,  FOLLOW,      NONE,        TOUCH,       UTIMES,      VAL,   A(DIRFD, dirfd, 0), A(PATH, path, 1), X(times), X(attrs))
SYS(newfstatat,            262,  -1, FULL,  META,  AT_NOFOLLOW, STAT,        STAT,        STAT,        VAL,   A(DIRFD, dirfd, 0), A(PATH, path, 1), F(flags, 3, at_flags), X(stat))
SYS(unlinkat,              263, 301, FULL,  META,  NOFOLLOW,    NONE,        UNLINK,      UNLINK,      VAL,   A(DIRFD, dirfd, 0), A(PATH, path, 1), F(flags, 2, at_flags))
SYS(renameat,              264, 302, FULL,  META,  NOFOLLOW,    NONE,        RENAME,      RENAME,      VAL,   A(DIRFD, dirfd, 0), A(PATH, path, 1), A(DIRFD, dirfd2, 2), A(PATH, path2, 3), X(attrs))
SYS(linkat,                265, 303, FULL,  META,  AT_FOLLOW,   NONE,        LINK,        LINK,        VAL,   A(DIRFD, dirfd, 0), A(PATH, path, 1), A(DIRFD, dirfd2, 2), A(PATH, path2, 3), F(flags, 4, at_flags), X(attrs))
SYS(symlinkat,             266, 304, FULL,  META,  NOFOLLOW,    SYMLINK,     SYMLINK,     SYMLINK,     VAL,   A(LINK, path, 0), A(DIRFD, dirfd2, 1), A(PATH, path2, 2))
SYS(readlinkat,            267, 305, FULL,  META,  NOFOLLOW,    READLINK,    READLINK,    READLINK,    VAL,   A(DIRFD, dirfd, 0), A(PATH, path, 1), A(RBUF, count, 3), X(path2), X(attrs))
SYS(fchmodat,              268, 306, FULL,  META,  FOLLOW,      NONE,        CHMOD,       CHMOD,       VAL,   A(DIRFD, dirfd, 0), A(PATH, path, 1), A(MODE, mode, 2), X(attrs))
SYS(faccessat,             269, 307, FULL,  META,  FOLLOW,      NONE,        TOUCH,       ACCESS,      VAL,   A(DIRFD, dirfd, 0), A(PATH, path, 1), F(amode, 2, access_modes), X(attrs))
SYS(unshare,               272, 310, REGS,  PROC,  NONE,        UNSHARE,     NOTREE,      UNSHARE,     VAL,   F(flags, 0, clone_flags))
SYS(splice,                275, 313, ENTRY, FILES, NONE,        XFER,        XFER,        SPLICE,      COPY,  A(FD, fd, 0), O(offset, 1, 0), A(FD, fd2, 2), O(offset2, 3, 1), A(SIZE, count, 4), F(flags, 5, splice_flags))
SYS(sync_file_range,       277, 314, REGS,  FILES, NONE,        NONE,        FDOP,        SYNC_FILE_RANGE, VAL, A(FD, fd, 0), A(LOFF, offset, 1), A(LOFF, len, 2), F(flags, 3, sync_file_range_flags))
SYS(utimensat,             280, 320, FULL,  META,  AT_NOFOLLOW, NONE,        TOUCH,       UTIMES,      VAL,   A(DIRFD, dirfd, 0), A(PATH, path, 1), F(flags, 3, at_flags), X(times), X(attrs))
SYS(fallocate,             285, 324, REGS,  FILES, NONE,        NONE,        FTRUNCATE,   FALLOCATE,   VAL,   A(FD, fd, 0), F(flags, 1, fallocate_flags), A(LOFF, offset, 2), A(LOFF, len, 3))
SYS(dup3,                  292, 330, REGS,  FILES, NONE,        DUP3,        DUP,         DUP3,        FD,    A(FD, fd, 0), A(FD, fd2, 1), F(flags, 2, dup3_flags))
SYS(preadv,                295, 333, FULL,  FILES, NONE,        NONE,        PREAD,       PREADV,      READ,  A(FD, fd, 0), A(INT, iovcnt, 2), V(RBUF, count, 0), A(LOFF, offset, 3))
SYS(pwritev,               296, 334, FULL,  FILES, NONE,        NONE,        PWRITE,      PWRITEV,     WRITE, A(FD, fd, 0), A(INT, iovcnt, 2), V(WBUF, count, 0), A(LOFF, offset, 3))
SYS(name_to_handle_at,     303, 341, FULL,  META,  AT_FOLLOW,   NONE,        TOUCH,       NAME_TO_HANDLE, VAL, A(DIRFD, dirfd, 0), A(PATH, path, 1), F(flags, 4, at_flags))
SYS(open_by_handle_at,     304, 342, FULL,  FILES, NONE,        OPEN_BY_HANDLE, HANDLE,   OPEN_BY_HANDLE, FD, A(INT, fd, 0), F(flags, 2, open_flags), X(file))
SYS(syncfs,                306, 344, REGS,  FILES, NONE,        NONE,        FDOP,        SYNCFS,      VAL,   A(FD, fd, 0))
SYS(renameat2,             316, 353, FULL,  META,  NOFOLLOW,    NONE,        RENAME,      RENAME,      VAL,   A(DIRFD, dirfd, 0), A(PATH, path, 1), A(DIRFD, dirfd2, 2), A(PATH, path2, 3), F(flags, 4, rename_flags), X(attrs))
SYS(memfd_create,          319, 356, FULL,  FILES, NONE,        MEMFD,       MEMFD,       MEMFD,       FD,    A(NAME, path, 0), F(flags, 1, memfd_flags))
SYS(execveat,              322, 358, ENTRY, PROC,  AT_FOLLOW,   NONE,        PROCESS,     NONE,        VAL,   A(DIRFD, dirfd, 0), A(PATH, path, 1), F(flags, 4, at_flags))
SYS(copy_file_range,       326, 377, ENTRY, FILES, NONE,        XFER,        XFER,        COPY_FILE_RANGE, COPY, A(FD, fd, 0), O(offset, 1, 0), A(FD, fd2, 2), O(offset2, 3, 1), A(SIZE, count, 4), A(UINT, flags, 5))
SYS(statx,                 332, 383, FULL,  META,  AT_NOFOLLOW, STAT,        STAT,        STATX,       VAL,   A(DIRFD, dirfd, 0), A(PATH, path, 1), F(flags, 2, at_flags), F(mask, 3, statx_mask), X(stat))
SYS(io_pgetevents,         333, 385, FULL,  AIO,   NONE,        NONE,        NOTREE,      IO_PGETEVENTS, VAL, A(HEX, ctx, 0), A(LONG, min_nr, 1), A(LONG, nr, 2), X(timeout), X(sigmask), X(reap))
SYS(io_uring_setup,        425, 425, FULL,  URING, NONE,        URING_SETUP, RING,        URING_SETUP, FD,    A(UINT, entries, 0), X(flags))
SYS(io_uring_enter,        426, 426, REGS,  URING, NONE,        URING_ENTER, NOTREE,      URING_ENTER, VAL,   A(FD, fd, 0), A(UINT, to_submit, 1), A(UINT, min_complete, 2), F(flags, 3, uring_enter_flags), X(sub))
SYS(io_uring_register,     427, 427, FULL,  URING, NONE,        URING_REGISTER, NOTREE,   URING_REGISTER, VAL, A(FD, fd, 0), F(opcode, 1, uring_register_ops), X(nr))
SYS(clone3,                435, 435, REGS,  PROC,  NONE,        NONE,        PROCESS,     NONE,        PID,   X(flags))
SYS(close_range,           436, 436, REGS,  FILES, NONE,        CLOSE_RANGE, CLOSE_RANGE, CLOSE_RANGE, VAL,   A(UINT, fd, 0), A(UINT, maxfd, 1), F(flags, 2, close_range_flags))
SYS(openat2,               437, 437, FULL,  FILES, FOLLOW,      OPEN,        OPEN,        OPEN,        FD,    A(DIRFD, dirfd, 0), A(PATH, path, 1), F(flags, 2, open_flags), A(MODE, mode, 3), X(umask), F(resolve, 4, resolve_flags), X(file))
SYS(faccessat2,            439, 439, FULL,  META,  AT_NOFOLLOW, NONE,        TOUCH,       ACCESS,      VAL,   A(DIRFD, dirfd, 0), A(PATH, path, 1), F(amode, 2, access_modes), F(flags, 3, faccessat_flags), X(attrs))
SYS(fchmodat2,             452, 452, FULL,  META,  AT_NOFOLLOW, NONE,        CHMOD,       CHMOD,       VAL,   A(DIRFD, dirfd, 0), A(PATH, path, 1), A(MODE, mode, 2), F(flags, 3, at_flags), X(attrs))

/*     ident          name            i386 native      capture  args (i386 registers) */
SYS32(_llseek,       "_llseek",        140, lseek,      FULL,    A(FD, fd, 0), X(offset), F(whence, 4, whence_names))
SYS32(getdents,      "getdents",       141, getdents64, REGS,    A(FD, fd, 0), A(RBUF, count, 2))
SYS32(mmap2,         "mmap2",          192, mmap,       REGS,    A(HEX, addr, 0), A(SIZE, len, 1), F(prot, 2, mmap_prot), F(flags, 3, mmap_flags), A(FD, fd, 4), X(offset))
SYS32(truncate64,    "truncate64",     193, truncate,   FULL,    A(PATH, path, 0), A(LOFF, size, 1), X(attrs))
SYS32(ftruncate64,   "ftruncate64",    194, ftruncate,  REGS,    A(FD, fd, 0), A(LOFF, size, 1))
SYS32(stat64,        "stat64",         195, stat,       FULL,    A(PATH, path, 0), X(stat))
SYS32(lstat64,       "lstat64",        196, lstat,      FULL,    A(PATH, path, 0), X(stat))
SYS32(fstat64,       "fstat64",        197, fstat,      FULL,    A(FD, fd, 0), X(stat))
SYS32(fstatat64,     "fstatat64",      300, newfstatat, FULL,    A(DIRFD, dirfd, 0), A(PATH, path, 1), F(flags, 3, at_flags), X(stat))
SYS32(chown16,       "chown",          182, chown,      FULL,    A(PATH, path, 0), X(uid), X(gid), X(attrs))
SYS32(lchown16,      "lchown",          16, lchown,     FULL,    A(PATH, path, 0), X(uid), X(gid), X(attrs))
SYS32(fchown16,      "fchown",          95, fchown,     REGS,    A(FD, fd, 0), X(uid), X(gid))
SYS32(chown32,       "chown32",        212, chown,      FULL,    A(PATH, path, 0), A(INT, uid, 1), A(INT, gid, 2), X(attrs))
SYS32(lchown32,      "lchown32",       198, lchown,     FULL,    A(PATH, path, 0), A(INT, uid, 1), A(INT, gid, 2), X(attrs))
SYS32(fchown32,      "fchown32",       207, fchown,     REGS,    A(FD, fd, 0), A(INT, uid, 1), A(INT, gid, 2))
SYS32(fcntl64,       "fcntl64",        221, fcntl,      ENTRY,   A(FD, fd, 0), X(cmd))
SYS32(statfs64,      "statfs64",       268, statfs,     FULL,    A(PATH, path, 0))
SYS32(fstatfs64,     "fstatfs64",      269, fstatfs,    REGS,    A(FD, fd, 0))
SYS32(fadvise64_64,  "fadvise64_64",   272, fadvise64,  REGS,    A(FD, fd, 0), A(LOFF, offset, 1), A(LOFF, len, 3), F(advice, 5, fadvise_advice))
SYS32(sendfile,      "sendfile",       187, sendfile64, ENTRY,   A(FD, fd2, 0), A(FD, fd, 1), O(offset, 2, 0), A(SIZE, count, 3))
SYS32(socketcall,    "socketcall",     102, recvmsg,    FULL,    A(INT, call, 0), A(HEX, args, 1))

/*   ident               name                    follow    map             tree         replay         ret    keys */
REC(sched_fork,         "sched:fork",            NONE,     FORK,           SCHED,       FORK,          VAL,   K(INT, child), K(INT, cpid), K(FLAGS, flags))
REC(sched_exec,         "sched:exec",            NONE,     EXEC,           SCHED,       EXEC,          VAL,   K(PATH, path), K(INT, otid))
REC(sched_exit,         "sched:exit",            NONE,     EXIT,           SCHED,       NOOP,          VAL,   K(INT, code), K(INT, group))
REC(ior_fd,             "ior:fd",                NONE,     IORFD,          IORFD,       IORFD,         FD,    K(INT, fd), K(PATH, path), K(FLAGS, flags), K(LONG, offset))
REC(ior_cwd,            "ior:cwd",               NONE,     IORCWD,         CWD,         NONE,          VAL,   K(PATH, path))
REC(ior_lstat,          "ior:lstat",             NONE,     NONE,           STAT,        NONE,          VAL,   K(PATH, path), K(LINK, path2))
REC(ior_fixed,          "ior:fixed",             NONE,     URING_FIXED,    IORFD,       URING_FIXED,   VAL,   K(INT, ring), K(INT, fixed), K(PATH, path), K(FLAGS, flags))
REC(ior_aio,            "ior:aio",               NONE,     NONE,           NOTREE,      IO_SETUP,      VAL,   K(HEX, ctx), K(UINT, nr))
REC(init_dir,           "init:dir",              NONE,     INIT,           UNSUPPORTED, NONE,          VAL,   K(PATH, path), K(MODE, mode))
REC(init_file,          "init:file",             NONE,     INIT,           UNSUPPORTED, NONE,          VAL,   K(PATH, path), K(LONG, size), K(MODE, mode))
REC(init_symlink,       "init:symlink",          NONE,     INIT,           UNSUPPORTED, NONE,          VAL,   K(PATH, path), K(LINK, path2))
REC(init_link,          "init:link",             NONE,     INIT,           UNSUPPORTED, NONE,          VAL,   K(PATH, path), K(PATH, path2))
REC(aio_pread,          "aio:pread",             NONE,     NONE,           PREAD,       AIO_PREAD,     READ,  K(FD, fd), K(RBUF, count), K(LOFF, offset))
REC(aio_pwrite,         "aio:pwrite",            NONE,     NONE,           PWRITE,      AIO_PWRITE,    WRITE, K(FD, fd), K(WBUF, count), K(LOFF, offset))
REC(aio_preadv,         "aio:preadv",            NONE,     NONE,           PREAD,       AIO_PREADV,    READ,  K(FD, fd), K(INT, iovcnt), K(RBUF, count), K(LOFF, offset))
REC(aio_pwritev,        "aio:pwritev",           NONE,     NONE,           PWRITE,      AIO_PWRITEV,   WRITE, K(FD, fd), K(INT, iovcnt), K(WBUF, count), K(LOFF, offset))
REC(aio_fsync,          "aio:fsync",             NONE,     NONE,           SYNC,        AIO_FSYNC,     VAL,   K(FD, fd))
REC(aio_fdsync,         "aio:fdsync",            NONE,     NONE,           SYNC,        AIO_FDSYNC,    VAL,   K(FD, fd))
REC(aio_poll,           "aio:poll",              NONE,     NONE,           FDOP,        AIO_POLL,      VAL,   K(FD, fd))
REC(aio_noop,           "aio:noop",              NONE,     NONE,           FDOP,        AIO_NOOP,      VAL,   K(FD, fd))
REC(uring_nop,          "uring:nop",             NONE,     URING,          NOTREE,      UR_NOP,        VAL)
REC(uring_read,         "uring:read",            NONE,     URING,          PREAD,       UR_READ,       READ,  K(FD, fd), K(RBUF, count), K(LOFF, offset))
REC(uring_write,        "uring:write",           NONE,     URING,          PWRITE,      UR_WRITE,      WRITE, K(FD, fd), K(WBUF, count), K(LOFF, offset))
REC(uring_readv,        "uring:readv",           NONE,     URING,          PREAD,       UR_READV,      READ,  K(FD, fd), K(RBUF, count), K(LOFF, offset))
REC(uring_writev,       "uring:writev",          NONE,     URING,          PWRITE,      UR_WRITEV,     WRITE, K(FD, fd), K(WBUF, count), K(LOFF, offset))
REC(uring_read_fixed,   "uring:read_fixed",      NONE,     URING,          PREAD,       UR_READ_FIXED, READ,  K(FD, fd), K(RBUF, count), K(LOFF, offset))
REC(uring_write_fixed,  "uring:write_fixed",     NONE,     URING,          PWRITE,      UR_WRITE_FIXED, WRITE, K(FD, fd), K(WBUF, count), K(LOFF, offset))
REC(uring_fsync,        "uring:fsync",           NONE,     URING,          SYNC,        UR_FSYNC,      VAL,   K(FD, fd))
REC(uring_fallocate,    "uring:fallocate",       NONE,     URING,          FTRUNCATE,   UR_FALLOCATE,  VAL,   K(FD, fd), K(LOFF, offset), K(LOFF, len))
REC(uring_openat,       "uring:openat",          FOLLOW,   URING_OPEN,     OPEN,        UR_OPENAT,     FD,    K(DIRFD, dirfd), K(PATH, path), K(FLAGS, flags), K(MODE, mode), K(MODE, umask))
REC(uring_openat2,      "uring:openat2",         FOLLOW,   URING_OPEN,     OPEN,        UR_OPENAT2,    FD,    K(DIRFD, dirfd), K(PATH, path), K(FLAGS, flags), K(MODE, mode), K(MODE, umask))
REC(uring_close,        "uring:close",           NONE,     URING_CLOSE,    CLOSE,       UR_CLOSE,      VAL,   K(FD, fd))
REC(uring_statx,        "uring:statx",           AT_NOFOLLOW, URING,       STAT,        UR_STATX,      VAL,   K(DIRFD, dirfd), K(PATH, path), K(FLAGS, flags), K(FLAGS, mask))
/* Captured, not issued by the replay (skip=unsupported), counted as bytes. */
REC(uring_read_multishot, "uring:read_multishot",  NONE,     URING,          UNSUPPORTED, UR_OTHER,      READ,  K(FD, fd), K(RBUF, count), K(LOFF, offset))
REC(uring_readv_fixed,  "uring:readv_fixed",     NONE,     URING,          UNSUPPORTED, UR_OTHER,      READ,  K(FD, fd), K(RBUF, count), K(LOFF, offset))
REC(uring_writev_fixed, "uring:writev_fixed",    NONE,     URING,          UNSUPPORTED, UR_OTHER,      WRITE, K(FD, fd), K(WBUF, count), K(LOFF, offset))
REC(uring_fixed_fd_install, "uring:fixed_fd_install", NONE, URING_INSTALL, UNSUPPORTED, UR_OTHER,      FD,    K(FD, fd))
REC(uring_other,        "uring:",                NONE,     URING,          UNSUPPORTED, UR_OTHER,      VAL)
