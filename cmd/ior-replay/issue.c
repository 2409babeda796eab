/*
 * issue.c - which handler issues each kind of op (issue.h): the replay
 * column of the table of calls, mapped to the concern that serves it.
 */
#define _GNU_SOURCE
#include <stdint.h>

#include "ior.h"
#include "aio.h"
#include "fdops.h"
#include "issue.h"
#include "mappings.h"
#include "paths.h"
#include "task.h"
#include "uring.h"

/*
 * The handler of each kind (the replay column of the table). Requests of
 * AIO and io_uring have none: their io_submit or io_uring_enter issues
 * them.
 */
issue_fn *const handler_of[IOR_REPLAY_UR_OTHER + 1] = {
	[IOR_REPLAY_NOOP] = issue_task, [IOR_REPLAY_FORK] = issue_task,
	[IOR_REPLAY_EXEC] = issue_task,
	/* on paths beneath the root */
	[IOR_REPLAY_OPEN] = issue_on_path, [IOR_REPLAY_STAT] = issue_on_path,
	[IOR_REPLAY_STATX] = issue_on_path, [IOR_REPLAY_ACCESS] = issue_on_path,
	[IOR_REPLAY_CHMOD] = issue_on_path, [IOR_REPLAY_CHOWN] = issue_on_path,
	[IOR_REPLAY_UTIMES] = issue_on_path, [IOR_REPLAY_MKDIR] = issue_on_path,
	[IOR_REPLAY_RMDIR] = issue_on_path, [IOR_REPLAY_UNLINK] = issue_on_path,
	[IOR_REPLAY_RENAME] = issue_on_path, [IOR_REPLAY_LINK] = issue_on_path,
	[IOR_REPLAY_SYMLINK] = issue_on_path,
	[IOR_REPLAY_READLINK] = issue_on_path,
	[IOR_REPLAY_MKNOD] = issue_on_path,
	[IOR_REPLAY_SETXATTR] = issue_on_path,
	[IOR_REPLAY_GETXATTR] = issue_on_path,
	[IOR_REPLAY_LISTXATTR] = issue_on_path,
	[IOR_REPLAY_REMOVEXATTR] = issue_on_path,
	[IOR_REPLAY_STATFS] = issue_on_path,
	[IOR_REPLAY_NAME_TO_HANDLE] = issue_on_path,
	[IOR_REPLAY_TRUNCATE] = issue_on_path,
	[IOR_REPLAY_CHDIR] = issue_on_path, [IOR_REPLAY_IORFD] = issue_on_path,
	/* on descriptors */
	[IOR_REPLAY_CLOSE] = issue_on_fd, [IOR_REPLAY_READ] = issue_on_fd,
	[IOR_REPLAY_WRITE] = issue_on_fd, [IOR_REPLAY_PREAD] = issue_on_fd,
	[IOR_REPLAY_PWRITE] = issue_on_fd, [IOR_REPLAY_READV] = issue_on_fd,
	[IOR_REPLAY_WRITEV] = issue_on_fd, [IOR_REPLAY_PREADV] = issue_on_fd,
	[IOR_REPLAY_PWRITEV] = issue_on_fd, [IOR_REPLAY_LSEEK] = issue_on_fd,
	[IOR_REPLAY_FSYNC] = issue_on_fd, [IOR_REPLAY_FDATASYNC] = issue_on_fd,
	[IOR_REPLAY_FSTAT] = issue_on_fd, [IOR_REPLAY_FTRUNCATE] = issue_on_fd,
	[IOR_REPLAY_FCHDIR] = issue_on_fd, [IOR_REPLAY_DUP] = issue_on_fd,
	[IOR_REPLAY_DUP2] = issue_on_fd, [IOR_REPLAY_DUP3] = issue_on_fd,
	[IOR_REPLAY_FCHMOD] = issue_on_fd, [IOR_REPLAY_FCHOWN] = issue_on_fd,
	[IOR_REPLAY_FSETXATTR] = issue_on_fd,
	[IOR_REPLAY_FGETXATTR] = issue_on_fd,
	[IOR_REPLAY_FLISTXATTR] = issue_on_fd,
	[IOR_REPLAY_FREMOVEXATTR] = issue_on_fd,
	[IOR_REPLAY_FSTATFS] = issue_on_fd,
	[IOR_REPLAY_CLOSE_RANGE] = issue_on_fd, [IOR_REPLAY_FCNTL] = issue_on_fd,
	[IOR_REPLAY_FLOCK] = issue_on_fd, [IOR_REPLAY_FALLOCATE] = issue_on_fd,
	[IOR_REPLAY_FADVISE] = issue_on_fd, [IOR_REPLAY_READAHEAD] = issue_on_fd,
	[IOR_REPLAY_SYNC] = issue_on_fd, [IOR_REPLAY_SYNCFS] = issue_on_fd,
	[IOR_REPLAY_SYNC_FILE_RANGE] = issue_on_fd,
	[IOR_REPLAY_GETDENTS] = issue_on_fd, [IOR_REPLAY_GETCWD] = issue_on_fd,
	[IOR_REPLAY_MEMFD] = issue_on_fd, [IOR_REPLAY_UNSHARE] = issue_on_fd,
	[IOR_REPLAY_COPY_FILE_RANGE] = issue_copy,
	[IOR_REPLAY_SENDFILE] = issue_copy, [IOR_REPLAY_SPLICE] = issue_copy,
	/* on mappings and handles */
	[IOR_REPLAY_MMAP] = issue_on_map, [IOR_REPLAY_MUNMAP] = issue_on_map,
	[IOR_REPLAY_MSYNC] = issue_on_map, [IOR_REPLAY_MADVISE] = issue_on_map,
	[IOR_REPLAY_OPEN_BY_HANDLE] = issue_on_map,
	/* AIO and io_uring */
	[IOR_REPLAY_IO_SETUP] = issue_aio, [IOR_REPLAY_IO_DESTROY] = issue_aio,
	[IOR_REPLAY_IO_SUBMIT] = issue_aio,
	[IOR_REPLAY_IO_GETEVENTS] = issue_aio,
	[IOR_REPLAY_IO_PGETEVENTS] = issue_aio,
	[IOR_REPLAY_IO_CANCEL] = issue_aio,
	[IOR_REPLAY_URING_SETUP] = issue_uring,
	[IOR_REPLAY_URING_ENTER] = issue_uring,
	[IOR_REPLAY_URING_REGISTER] = issue_uring,
	[IOR_REPLAY_URING_FIXED] = issue_uring,
};
