/*
 * trace-ring - io_uring's other operations, registered files and
 * buffers, and an SQPOLL ring, with liburing, on ./ring.data (created):
 * see the comment above main.  Exits 0 when each step had the result
 * expected, 2..22 naming the step that did not.
 *
 * For the t/ior-trace.bats tests of openat, close, fsync, fallocate and
 * statx through the ring, io_uring_register, fixed files and buffers,
 * SQPOLL and uring_lost (trace_ring, rcalls); installed as "ring".
 */
#define _GNU_SOURCE
#include <fcntl.h>
#include <liburing.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

static struct io_uring ring, sq;

/* Submit the n requests queued and return the result of the last. */
static int run(struct io_uring *r, int n)
{
	struct io_uring_cqe *cqe;
	int res = 0;

	if (io_uring_submit(r) != n)
		return -1000;
	for (int i = 0; i < n; i++) {
		if (io_uring_wait_cqe(r, &cqe))
			return -1000;
		res = cqe->res;
		io_uring_cqe_seen(r, cqe);
	}
	return res;
}

/*
 * Through a ring of 8: openat of ring.data, a batch of a write linked
 * to an fsync (datasync) linked to a fallocate, a read, a statx, a
 * close, and a read on the closed descriptor; a sparse table of 4
 * registered files, an openat into slot 1, a write to it and its
 * close; slot 2 updated to a plain descriptor and read through; two
 * registered buffers written and read through; two failing
 * io_uring_register; then, through a second ring with an SQPOLL
 * thread, a write and a read back, and a write that posts no completion.
 */
int main(void)
{
	static char a[4096], r[1000], b0[4096], b1[8192];
	struct iovec iov[2] = { { b0, sizeof(b0) }, { b1, sizeof(b1) } };
	struct io_uring_sqe *sqe;
	struct statx stx;
	int fd, pfd, wfd;

	memset(a, 'r', sizeof(a));
	if (io_uring_queue_init(8, &ring, 0) < 0)
		return 2;
	io_uring_prep_openat(io_uring_get_sqe(&ring), AT_FDCWD, "ring.data",
			     O_RDWR | O_CREAT | O_TRUNC, 0640);
	if ((fd = run(&ring, 1)) < 0)
		return 3;
	sqe = io_uring_get_sqe(&ring);
	io_uring_prep_write(sqe, fd, a, sizeof(a), 0);
	sqe->flags |= IOSQE_IO_LINK;
	sqe = io_uring_get_sqe(&ring);
	io_uring_prep_fsync(sqe, fd, IORING_FSYNC_DATASYNC);
	sqe->flags |= IOSQE_IO_LINK;
	io_uring_prep_fallocate(io_uring_get_sqe(&ring), fd, 0, 0, 16384);
	if (run(&ring, 3) != 0)
		return 4;
	io_uring_prep_read(io_uring_get_sqe(&ring), fd, r, 100, 10);
	if (run(&ring, 1) != 100)
		return 5;
	io_uring_prep_statx(io_uring_get_sqe(&ring), AT_FDCWD, "ring.data",
			    AT_SYMLINK_NOFOLLOW, STATX_SIZE, &stx);
	if (run(&ring, 1) != 0 || stx.stx_size != 16384)
		return 6;
	io_uring_prep_close(io_uring_get_sqe(&ring), fd);
	if (run(&ring, 1) != 0)
		return 7;
	io_uring_prep_read(io_uring_get_sqe(&ring), fd, r, 10, 0);
	if (run(&ring, 1) != -EBADF)
		return 8;

	if (io_uring_register_files_sparse(&ring, 4))
		return 9;
	io_uring_prep_openat_direct(io_uring_get_sqe(&ring), AT_FDCWD,
				    "ring.data", O_RDWR, 0, 1);
	if (run(&ring, 1) != 0)
		return 10;
	sqe = io_uring_get_sqe(&ring);
	io_uring_prep_write(sqe, 1, a, 100, 4096);
	sqe->flags |= IOSQE_FIXED_FILE;
	if (run(&ring, 1) != 100)
		return 11;
	io_uring_prep_close_direct(io_uring_get_sqe(&ring), 1);
	if (run(&ring, 1) != 0)
		return 12;
	if ((pfd = open("ring.data", O_RDONLY)) < 0 ||
	    io_uring_register_files_update(&ring, 2, &pfd, 1) != 1)
		return 13;
	sqe = io_uring_get_sqe(&ring);
	io_uring_prep_read(sqe, 2, r, 10, 0);
	sqe->flags |= IOSQE_FIXED_FILE;
	if (run(&ring, 1) != 10)
		return 14;
	if ((wfd = open("ring.data", O_RDWR)) < 0 ||
	    io_uring_register_buffers(&ring, iov, 2))
		return 15;
	io_uring_prep_write_fixed(io_uring_get_sqe(&ring), wfd, b1, 512, 0, 1);
	if (run(&ring, 1) != 512)
		return 16;
	io_uring_prep_read_fixed(io_uring_get_sqe(&ring), wfd, b0, 1000, 0, 0);
	if (run(&ring, 1) != 1000)
		return 17;
	if (syscall(SYS_io_uring_register, ring.ring_fd, 255, NULL, 0) >= 0 ||
	    syscall(SYS_io_uring_register, 1000, IORING_REGISTER_FILES, &pfd, 1) >= 0)
		return 18;

	if (io_uring_queue_init(8, &sq, IORING_SETUP_SQPOLL) < 0)
		return 19;
	io_uring_prep_write(io_uring_get_sqe(&sq), wfd, a, 300, 8192);
	if (run(&sq, 1) != 300)
		return 20;
	io_uring_prep_read(io_uring_get_sqe(&sq), wfd, r, 200, 8192);
	if (run(&sq, 1) != 200)
		return 21;
	sqe = io_uring_get_sqe(&sq);
	io_uring_prep_write(sqe, wfd, a, 10, 0);
	sqe->flags |= IOSQE_CQE_SKIP_SUCCESS;
	if (io_uring_submit(&sq) != 1)
		return 22;
	usleep(100000);
	io_uring_queue_exit(&sq);
	io_uring_queue_exit(&ring);
	return 0;
}
