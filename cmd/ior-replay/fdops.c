/*
 * fdops.c - the calls on descriptors (fdops.h), and copies between two,
 * either of which may be a pipe or socket the replay does not have.
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <stdint.h>
#include <string.h>
#include <sys/file.h>
#include <sys/mman.h>
#include <sys/sendfile.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/syscall.h>
#include <sys/uio.h>
#include <sys/xattr.h>
#include <unistd.h>

#include "ior.h"
#include "buffers.h"
#include "fdops.h"
#include "fdtab.h"
#include "issue.h"
#include "program.h"
#include "shared.h"
#include "task.h"
#include "uring.h"

static int64_t fchdir_check(int fd)
{
	struct stat st;

	if (fstat(fd, &st) < 0)
		return -errno;
	return S_ISDIR(st.st_mode) ? 0 : -ENOTDIR;
}

/* The thread's pipe for splice, made when first needed. */
static void need_pipe(struct thread_state *w)
{
	long sz;

	if (w->pipe[0] >= 0)
		return;
	if (pipe2(w->pipe, O_CLOEXEC) < 0)
		fatal("pipe2");
	if ((w->null = open("/dev/null", O_WRONLY | O_CLOEXEC)) < 0)
		fatal("/dev/null");
	/* Room for a whole transfer where the system allows it. */
	sz = fcntl(w->pipe[1], F_SETPIPE_SZ, 1 << 20);
	w->pipesz = sz > 0 ? (size_t)sz : 65536;
}

/* Empty the pipe of what a splice left in it. */
static void drain_pipe(struct thread_state *w)
{
	while (w->piped) {
		ssize_t n = splice(w->pipe[0], NULL, w->null, NULL, w->piped, 0);

		if (n <= 0)
			fatal("splice to /dev/null");
		w->piped -= n;
	}
}

/* One call of kind (is_rw) moving n bytes, at off if positioned. */
static int64_t rw_part(struct thread_state *w, unsigned kind, int fd,
		       uint32_t iovcnt, size_t n, off_t off)
{
	int reads = kind == IOR_REPLAY_READ || kind == IOR_REPLAY_PREAD ||
		kind == IOR_REPLAY_READV || kind == IOR_REPLAY_PREADV;

	if (kind >= IOR_REPLAY_READV)
		fill_iov(w->iov, iovcnt, reads ? w->rbuf : wdata, n);
	switch (kind) {
	case IOR_REPLAY_READ:
		return neg(read(fd, w->rbuf, n));
	case IOR_REPLAY_WRITE:
		return neg(write(fd, wdata, n));
	case IOR_REPLAY_PREAD:
		return neg(pread(fd, w->rbuf, n, off));
	case IOR_REPLAY_PWRITE:
		return neg(pwrite(fd, wdata, n, off));
	case IOR_REPLAY_READV:
		return neg(readv(fd, w->iov, iovcnt));
	case IOR_REPLAY_WRITEV:
		return neg(writev(fd, w->iov, iovcnt));
	case IOR_REPLAY_PREADV:
		return neg(preadv(fd, w->iov, iovcnt, off));
	default:
		return neg(pwritev(fd, w->iov, iovcnt, off));
	}
}

/*
 * A read or write (kind: is_rw) of count bytes, more than a buffer holds
 * (BUF_MAX): calls of BUF_MAX bytes at most, each where the last ended
 * (from off when positioned), until count bytes have moved, or one call
 * moves less than it was asked (the end of the file, a full disk) or
 * fails. Returns the bytes moved, or the first call's error.
 */
static int64_t issue_rw(struct thread_state *w, unsigned kind, int fd,
			uint32_t iovcnt, uint64_t count, off_t off)
{
	uint64_t done = 0;
	int64_t r = 0;

	while (done < count) {
		size_t n = count - done < BUF_MAX ? count - done : BUF_MAX;

		r = rw_part(w, kind, fd, iovcnt, n,
			    (off_t)((uint64_t)off + done));
		if (r <= 0)
			break;
		done += r;
		if ((uint64_t)r < n)
			break;
	}
	return done ? (int64_t)done : r;
}

/*
 * copy_file_range, sendfile64 and splice with real source src and
 * destination dst, either -1 when the capture's was a pipe or socket the
 * replay does not have: then only the file side's I/O is done, a read of
 * the source or a write of the destination, through the thread's pipe
 * for splice.
 */
static int64_t copy_fds(unsigned c, const struct prog_op *op, struct thread_state *w,
			int src, int dst)
{
	loff_t off = op->offset, off2 = op->offset2;
	loff_t *po = op->opt & HAS_OFF ? &off : NULL;
	loff_t *po2 = op->opt & HAS_OFF2 ? &off2 : NULL;
	size_t n = op->count;
	int64_t r;

	if (src >= 0 && dst >= 0) {
		if (c == IOR_REPLAY_COPY_FILE_RANGE)
			return neg(copy_file_range(src, po, dst, po2, n, op->flags));
		if (c == IOR_REPLAY_SENDFILE)
			return neg(sendfile(dst, src, po, n));
		return neg(splice(src, po, dst, po2, n, op->flags));
	}
	if (c == IOR_REPLAY_SPLICE && src >= 0) {
		r = neg(splice(src, po, w->pipe[1], NULL,
			       n < w->pipesz ? n : w->pipesz, op->flags));
		w->piped += r > 0 ? r : 0;
		return r;
	}
	if (c == IOR_REPLAY_SPLICE) {
		r = neg(splice(w->pipe[0], NULL, dst, po2, w->piped, op->flags));
		w->piped -= r > 0 ? r : 0;
		return r;
	}
	if (dst < 0)
		return issue_rw(w, po ? IOR_REPLAY_PREAD : IOR_REPLAY_READ, src,
				0, n, off);
	return issue_rw(w, po2 ? IOR_REPLAY_PWRITE : IOR_REPLAY_WRITE, dst, 0,
			n, off2);
}

/*
 * fcntl, by the form of its command's argument (ior.h: IOR_FCNTL_CMDS).
 * A command without one, or with a pointer to what the kernel writes
 * (F_GET_RW_HINT, F_GETOWN_EX ...), is given a zeroed buffer of the
 * replay's own, larger than any of those.
 */
static int64_t fcntl_op(const struct prog_op *op, int fd)
{
	struct flock fl = {
		.l_type = op->ltype, .l_whence = op->whence,
		.l_start = op->offset, .l_len = op->len,
	};
	uint64_t out[4] = { 0 }, hint = op->arg;

	switch (ior_fcntl_cmd(op->cmd)->arg) {
	case IOR_FCNTL_ARG_LOCK:
		return neg(fcntl(fd, op->cmd, &fl));
	case IOR_FCNTL_ARG_HINT:
		return neg(fcntl(fd, op->cmd, &hint));
	case IOR_FCNTL_ARG_NONE:
		return neg(fcntl(fd, op->cmd, out));
	default:
		break;
	}
	if (op->cmd == F_DUPFD || op->cmd == F_DUPFD_CLOEXEC)
		return neg(fcntl(fd, op->cmd, 0));	/* numbers differ */
	return neg(fcntl(fd, op->cmd, op->arg));
}

/* dup2 and dup3: the numbers differ in the replay, so a dup does. */
static int64_t dup_to(const struct prog_op *op, int fd)
{
	int three = op->kind == IOR_REPLAY_DUP3;

	if (op->num == op->num2)	/* dup2 checks it, dup3 refuses it */
		return three ? neg(dup3(fd, fd, op->flags)) : neg(dup2(fd, fd));
	if (three && (op->flags & O_CLOEXEC))
		return neg(fcntl(fd, F_DUPFD_CLOEXEC, 0));
	return neg(dup(fd));
}

/* The calls that read, write or sync data, and the rest on a descriptor. */
static int64_t fd_call(struct thread_state *w, const struct prog_op *op, int fd)
{
	const char *v;
	size_t vlen;

	switch (op->kind) {
	case IOR_REPLAY_READ:
	case IOR_REPLAY_WRITE:
	case IOR_REPLAY_PREAD:
	case IOR_REPLAY_PWRITE:
		return plain_rw(w, op, fd);
	case IOR_REPLAY_READV:
		return neg(readv(fd, w->iov, op->iovcnt));
	case IOR_REPLAY_WRITEV:
		return neg(writev(fd, w->iov, op->iovcnt));
	case IOR_REPLAY_PREADV:
		return neg(preadv(fd, w->iov, op->iovcnt, op->offset));
	case IOR_REPLAY_PWRITEV:
		return neg(pwritev(fd, w->iov, op->iovcnt, op->offset));
	case IOR_REPLAY_LSEEK:
		return neg(lseek(fd, op->offset, op->whence));
	case IOR_REPLAY_CLOSE:
		return ring_close(fd) ? 0 : neg(close(fd));
	case IOR_REPLAY_FSYNC:
		return neg(fsync(fd));
	case IOR_REPLAY_FDATASYNC:
		return neg(fdatasync(fd));
	case IOR_REPLAY_SYNCFS:
		return neg(syncfs(fd));
	case IOR_REPLAY_SYNC_FILE_RANGE:
		return neg(sync_file_range(fd, op->offset, op->len, op->flags));
	case IOR_REPLAY_SYNC:
		sync();
		return 0;
	case IOR_REPLAY_FSTAT: {
		struct stat st;

		return neg(fstat(fd, &st));
	}
	case IOR_REPLAY_FSTATFS: {
		struct statfs sfs;

		return neg(fstatfs(fd, &sfs));
	}
	case IOR_REPLAY_FTRUNCATE:
		return neg(ftruncate(fd, op->offset));
	case IOR_REPLAY_FALLOCATE:
		return neg(fallocate(fd, op->flags, op->offset, op->len));
	case IOR_REPLAY_FADVISE:	/* returns the error, not -1 */
		return -posix_fadvise(fd, op->offset, op->len, op->arg);
	case IOR_REPLAY_READAHEAD:
		return neg(readahead(fd, op->offset, op->count));
	case IOR_REPLAY_GETDENTS:
		return neg(getdents64(fd, w->rbuf, op->count));
	case IOR_REPLAY_FCHDIR:
		return fchdir_check(fd);
	case IOR_REPLAY_FCHMOD:
		return neg(fchmod(fd, op->mode));
	case IOR_REPLAY_FCHOWN:
		return neg(fchown(fd, op->uid, op->gid));
	case IOR_REPLAY_FSETXATTR:
		v = xattr_value(op, &vlen);
		return neg(fsetxattr(fd, str(op->name), v, vlen, op->flags));
	case IOR_REPLAY_FGETXATTR:
		return neg(fgetxattr(fd, str(op->name), w->rbuf, op->count));
	case IOR_REPLAY_FLISTXATTR:
		return neg(flistxattr(fd, w->rbuf, op->count));
	case IOR_REPLAY_FREMOVEXATTR:
		return neg(fremovexattr(fd, str(op->name)));
	case IOR_REPLAY_FCNTL:
		return fcntl_op(op, fd);
	case IOR_REPLAY_FLOCK:
		return neg(flock(fd, op->arg));
	case IOR_REPLAY_DUP:
		return neg(dup(fd));
	case IOR_REPLAY_DUP2: case IOR_REPLAY_DUP3:
		return dup_to(op, fd);
	case IOR_REPLAY_CLOSE_RANGE:
		close_numbers(op);
		return 0;
	case IOR_REPLAY_UNSHARE: {
		/* Only what concerns files; namespaces are not replayed. */
		int64_t r = neg(unshare(op->flags & CLONE_FS));

		if (r == 0 && (op->flags & CLONE_FILES))
			unshare_files();
		return r;
	}
	case IOR_REPLAY_MEMFD: {
		const char *path = str(op->path), *name = strrchr(path, '/');

		return neg(memfd_create(name ? name + 1 : path, op->flags));
	}
	case IOR_REPLAY_GETCWD:
		return neg(syscall(SYS_getcwd, w->rbuf, op->count));
	default:	/* not a kind of issue_on_fd */
		return -ENOSYS;
	}
}

/* Keep the descriptor table as the capture's was, after call r. */
static void fd_called(const struct prog_op *op, int64_t r)
{
	switch (op->kind) {
	case IOR_REPLAY_MEMFD:
		bind_new(op->cret >= 0 ? op->fd : -1, op->num, r,
			 !!(op->flags & MFD_CLOEXEC));
		break;
	case IOR_REPLAY_DUP:
		bind_new(op->cret >= 0 ? op->fd2 : -1, op->num2, r, 0);
		break;
	case IOR_REPLAY_DUP2: case IOR_REPLAY_DUP3:
		if (op->num != op->num2) {
			if (op->cret >= 0)
				displace(op->num2);
			bind_new(op->cret >= 0 ? op->fd2 : -1, op->num2, r,
				 !!(op->flags & O_CLOEXEC) &&
				 op->kind == IOR_REPLAY_DUP3);
		}
		break;
	case IOR_REPLAY_FCNTL:
		if (op->cmd == F_DUPFD || op->cmd == F_DUPFD_CLOEXEC)
			bind_new(op->cret >= 0 ? op->fd2 : -1, op->num2, r,
				 op->cmd == F_DUPFD_CLOEXEC);
		else if (op->cmd == F_SETFD && r == 0)
			thread_fds->cloexec[op->fd] = op->arg & FD_CLOEXEC;
		break;
	case IOR_REPLAY_CLOSE:		/* the descriptor is gone even on error */
		forget_fd(op->fd, op->num);
		break;
	default:
		break;
	}
}

/*
 * A call on the descriptor op->fd (or on none: sync, getcwd, memfd_create,
 * unshare, close_range).
 */
int issue_on_fd(struct thread_state *w, const struct prog_op *op,
		struct op_result *res)
{
	int fd = -1;
	uint64_t t1, t2;
	int64_t r;

	if (op->byfd && (fd = real_fd(op->fd)) < 0)
		return SKIP_NOFD;
	if (op->count > BUF_MAX && is_rw(op->kind)) {
		t1 = now_ns();
		r = issue_rw(w, op->kind, fd, op->iovcnt, op->count, op->offset);
		t2 = now_ns();
		issued(res, t1, t2, r);
		return 0;
	}
	if (op->kind == IOR_REPLAY_READV || op->kind == IOR_REPLAY_PREADV)
		fill_iov(w->iov, op->iovcnt, w->rbuf, op->count);
	else if (op->kind == IOR_REPLAY_WRITEV || op->kind == IOR_REPLAY_PWRITEV)
		fill_iov(w->iov, op->iovcnt, wdata, op->count);
	t1 = now_ns();
	r = fd_call(w, op, fd);
	t2 = now_ns();
	issued(res, t1, t2, r);
	fd_called(op, r);
	return 0;
}

/*
 * A copy from op->fd to op->fd2, either of which the replay may not have
 * (the capture's pipe or socket): then the other side's I/O alone.
 */
int issue_copy(struct thread_state *w, const struct prog_op *op,
	       struct op_result *res)
{
	int splicing = op->kind == IOR_REPLAY_SPLICE;
	int src = real_fd(op->fd), dst = real_fd(op->fd2);
	uint64_t t1, t2;
	int64_t r;

	/* A side the capture knew must be open; one must be known. */
	if ((op->fd >= 0 && src < 0) || (op->fd2 >= 0 && dst < 0) ||
	    (src < 0 && dst < 0))
		return SKIP_NOFD;
	if (splicing && (src < 0 || dst < 0))
		need_pipe(w);
	if (splicing && src < 0) {	/* what the pipe held */
		size_t n = op->count < w->pipesz ? op->count : w->pipesz;

		if (n && write(w->pipe[1], wdata, n) != (ssize_t)n)
			fatal("write to pipe");
		w->piped = n;
	}
	t1 = now_ns();
	r = copy_fds(op->kind, op, w, src, dst);
	t2 = now_ns();
	issued(res, t1, t2, r);
	if (splicing)
		drain_pipe(w);
	return 0;
}
