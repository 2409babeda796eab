/*
 * trace-aio FILE [leave] - Linux AIO and io_uring's own calls through
 * syscall(2), on FILE (created): see the comment above main.  With a
 * second argument it exits with a poll still in flight, without
 * io_destroy.  Exits 0 when every call did what it should, 2..16
 * naming the step that did not.
 *
 * For the io_setup ... io_destroy and io_uring_setup/register/enter
 * tests of t/ior-trace.bats (trace_aio, acalls), installed as "aio".
 */
#define _GNU_SOURCE
#include <linux/aio_abi.h>
#include <linux/io_uring.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <fcntl.h>
#include <sys/syscall.h>
#include <sys/uio.h>
#include <time.h>
#include <unistd.h>

static long sys(long nr, long a, long b, long c, long d, long e, long f)
{
	return syscall(nr, a, b, c, d, e, f);
}

static void prep(struct iocb *cb, int op, int fd, void *buf, long n, long off)
{
	memset(cb, 0, sizeof(*cb));
	cb->aio_lio_opcode = op;
	cb->aio_fildes = fd;
	cb->aio_buf = (unsigned long)buf;
	cb->aio_nbytes = n;
	cb->aio_offset = off;
}

/*
 * Batched AIO writes, an fdsync and reads read back with io_getevents and
 * io_pgetevents; an iocb the kernel refuses; io_cancel of a finished
 * iocb; io_destroy with a poll in flight (with a second argument: exit
 * with it in flight); then io_uring's calls.
 */
int main(int argc, char **argv)
{
	aio_context_t ctx = 0, bad = 0;
	struct iocb cb[4], *cbs[4] = { &cb[0], &cb[1], &cb[2], &cb[3] };
	struct io_event ev[8];
	static char a[4096], b[100], c[300], r1[4096], r2[400];
	struct iovec iov[2] = { { b, sizeof(b) }, { c, sizeof(c) } };
	struct iovec riov[1] = { { r2, sizeof(r2) } };
	struct timespec ts = { 1, 500 };
	sigset_t mask;
	struct { const sigset_t *m; size_t n; } sig = { &mask, 8 };
	int fd;

	if (argc != 2 && argc != 3)
		return 2;
	memset(a, 'a', sizeof(a));
	fd = open(argv[1], O_RDWR | O_CREAT | O_TRUNC, 0644);
	if (sys(SYS_io_setup, -1, (long)&bad, 0, 0, 0, 0) >= 0)
		return 3;
	if (sys(SYS_io_setup, 8, (long)&ctx, 0, 0, 0, 0) < 0)
		return 4;
	prep(&cb[0], IOCB_CMD_PWRITE, fd, a, sizeof(a), 0);
	prep(&cb[1], IOCB_CMD_PWRITEV, fd, iov, 2, 4096);
	cb[1].aio_rw_flags = RWF_DSYNC;
	prep(&cb[2], IOCB_CMD_FDSYNC, fd, NULL, 0, 0);
	if (sys(SYS_io_submit, ctx, 3, (long)cbs, 0, 0, 0) != 3)
		return 5;
	if (sys(SYS_io_getevents, ctx, 3, 8, (long)ev, 0, 0) != 3)
		return 15;
	prep(&cb[0], IOCB_CMD_PREAD, fd, r1, sizeof(r1), 0);
	prep(&cb[1], IOCB_CMD_PREADV, fd, riov, 1, 4096);
	prep(&cb[2], IOCB_CMD_PREAD, -1, r1, 10, 0);	/* bad fd: rejected */
	if (sys(SYS_io_submit, ctx, 3, (long)cbs, 0, 0, 0) != 2)
		return 6;
	sigemptyset(&mask);
	if (sys(SYS_io_pgetevents, ctx, 2, 8, (long)ev, (long)&ts, (long)&sig) != 2)
		return 16;
	if (sys(SYS_io_cancel, ctx, (long)&cb[0], (long)ev, 0, 0, 0) == 0)
		return 7;
	/* a poll of an empty pipe never completes: in flight at io_destroy */
	int p[2];
	if (pipe(p) < 0)
		return 10;
	prep(&cb[3], IOCB_CMD_POLL, p[0], NULL, 0, 0);
	cb[3].aio_buf = POLLIN;
	if (sys(SYS_io_submit, ctx, 1, (long)&cbs[3], 0, 0, 0) != 1)
		return 8;
	if (argc == 3)		/* leave it in flight: exit without io_destroy */
		return 0;
	if (sys(SYS_io_destroy, ctx, 0, 0, 0, 0, 0) != 0)
		return 9;

	struct io_uring_params up;
	int ring, fds[2] = { fd, p[1] };

	memset(&up, 0, sizeof(up));
	if (sys(SYS_io_uring_setup, 0, (long)&up, 0, 0, 0, 0) >= 0)
		return 11;
	memset(&up, 0, sizeof(up));
	up.flags = IORING_SETUP_CLAMP;
	if ((ring = sys(SYS_io_uring_setup, 5, (long)&up, 0, 0, 0, 0)) < 0)
		return 12;
	if (sys(SYS_io_uring_register, ring, IORING_REGISTER_FILES, (long)fds,
		2, 0, 0) != 0)
		return 13;
	if (sys(SYS_io_uring_enter, ring, 0, 0, IORING_ENTER_GETEVENTS, 0, 0) != 0)
		return 14;
	return 0;
}
