/*
 * trace-counts N M K SIZE - a workload of exactly known counts: it
 * creates ./counts.data with one write of 2 * SIZE bytes, then two
 * threads each make N pread64s of SIZE bytes, one pread64 on descriptor
 * -1 (EBADF), M pwrite64s of SIZE bytes and K fdatasyncs. In all:
 * 2N + 2 pread64s (2 errors, 2N * SIZE bytes), 2M pwrite64s (2M * SIZE
 * bytes), 2K fdatasyncs.
 *
 * For the t/ior-trace.bats tests of aggregate mode (-a), sampling
 * (--sample) and call selection (-e), whose counts strace -f -c checks;
 * installed there as "counts".
 */
#include <fcntl.h>
#include <pthread.h>
#include <stdlib.h>
#include <unistd.h>

#define SIZE_MAX_ 65536

static int fd, n, m, k, size;

static void *work(void *arg)
{
	static char bufs[2][SIZE_MAX_];
	char *b = bufs[arg != NULL];
	off_t off = arg != NULL ? size : 0;

	for (int i = 0; i < n; i++)
		if (pread(fd, b, size, 0) != size)
			exit(1);
	if (pread(-1, b, size, 0) != -1)
		exit(1);
	for (int i = 0; i < m; i++)
		if (pwrite(fd, b, size, off) != size)
			exit(1);
	for (int i = 0; i < k; i++)
		if (fdatasync(fd) != 0)
			exit(1);
	return NULL;
}

int main(int argc, char **argv)
{
	static char init[2 * SIZE_MAX_];
	pthread_t t;

	if (argc != 5)
		return 2;
	n = atoi(argv[1]);
	m = atoi(argv[2]);
	k = atoi(argv[3]);
	size = atoi(argv[4]);
	if (n < 0 || m < 0 || k < 0 || size < 1 || size > SIZE_MAX_)
		return 2;
	fd = open("counts.data", O_RDWR | O_CREAT | O_TRUNC, 0644);
	if (fd < 0 || write(fd, init, 2 * size) != 2 * size)
		return 1;
	if (pthread_create(&t, NULL, work, init))
		return 1;
	work(NULL);
	if (pthread_join(t, NULL))
		return 1;
	return 0;
}
