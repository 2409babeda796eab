/*
 * trace-uring FILE - reads and writes on FILE (created) through one
 * io_uring with liburing: see the comment above main.  Exits 0 when
 * each completion had the result expected, 2..8 naming the step that
 * did not.
 *
 * For the t/ior-trace.bats tests of io_uring requests (trace_uring,
 * ucalls), installed as "uring".
 */
#include <fcntl.h>
#include <liburing.h>
#include <string.h>
#include <unistd.h>

static int wait_n(struct io_uring *ring, int n, int res)
{
	struct io_uring_cqe *cqe;

	for (int i = 0; i < n; i++) {
		if (io_uring_wait_cqe(ring, &cqe) || cqe->res != res)
			return -1;
		io_uring_cqe_seen(ring, cqe);
	}
	return 0;
}

/*
 * Through one ring: a write of 4096 bytes at 8192 and a read of 100 at
 * 8200, each waited for; 16 writes of 512 bytes from 16384 in one
 * submission, the first linked to the second; a read of 10 bytes at 0
 * through the file registered at index 0.
 */
int main(int argc, char **argv)
{
	static char a[4096], r[100];
	struct io_uring ring;
	struct io_uring_sqe *sqe;
	int fd;

	if (argc != 2)
		return 2;
	memset(a, 'u', sizeof(a));
	if ((fd = open(argv[1], O_RDWR | O_CREAT | O_TRUNC, 0644)) < 0 ||
	    io_uring_queue_init(32, &ring, 0) < 0)
		return 3;
	sqe = io_uring_get_sqe(&ring);
	io_uring_prep_write(sqe, fd, a, sizeof(a), 8192);
	sqe->user_data = 0x1234;
	if (io_uring_submit(&ring) != 1 || wait_n(&ring, 1, sizeof(a)))
		return 4;
	sqe = io_uring_get_sqe(&ring);
	io_uring_prep_read(sqe, fd, r, sizeof(r), 8200);
	sqe->user_data = 0x5678;
	if (io_uring_submit(&ring) != 1 || wait_n(&ring, 1, sizeof(r)))
		return 5;
	for (int i = 0; i < 16; i++) {
		sqe = io_uring_get_sqe(&ring);
		io_uring_prep_write(sqe, fd, a, 512, 16384 + i * 512);
		sqe->user_data = 100 + i;
		if (i == 0)
			sqe->flags |= IOSQE_IO_LINK;
	}
	if (io_uring_submit(&ring) != 16 || wait_n(&ring, 16, 512))
		return 6;
	if (io_uring_register_files(&ring, &fd, 1))
		return 7;
	sqe = io_uring_get_sqe(&ring);
	io_uring_prep_read(sqe, 0, r, 10, 0);
	sqe->flags |= IOSQE_FIXED_FILE;
	if (io_uring_submit(&ring) != 1 || wait_n(&ring, 1, 10))
		return 8;
	io_uring_queue_exit(&ring);
	return 0;
}
