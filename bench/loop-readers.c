/*
 * loop-readers - the reference of the replay-parallelism benchmark: the
 * preads of bench/gen-parallel.c's capture made by a plain C program,
 * THREADS threads each opening FILE on a descriptor of its own and
 * reading 4096 bytes CALLS times, at the offsets the capture gives
 * them. Prints the seconds from the first thread's start to the last
 * one's end: what this machine makes of that many readers, which the
 * replay is held to.
 *
 * One reader reads in the main thread, alone in its process, as the
 * replay of a one-thread capture does: the kernel takes a reference on
 * the file at each call of a process whose threads share their
 * descriptors (fdget), which costs a pread 50-60 ns on the 2-CPU virtual
 * machines ior is measured on. Read from a second thread, the one-reader
 * time paid it and the replay's did not, and the reference's speedup was
 * 1.95-2.0x where a single-threaded one is 1.85x.
 *
 *	loop-readers THREADS CALLS FILE
 */
#define _GNU_SOURCE
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>
#include <unistd.h>

#define FILE_SIZE (1 << 20)	/* gen-parallel.c's */

static long threads, calls;
static const char *path;

static void *reader(void *arg)
{
	long k = (long)arg;
	char buf[4096];
	int fd = open(path, O_RDONLY);

	if (fd < 0) {
		perror(path);
		exit(1);
	}
	for (long i = 0; i < calls; i++)
		if (pread(fd, buf, sizeof(buf), (i * threads + k) * 4096 % FILE_SIZE) < 0) {
			perror("pread");
			exit(1);
		}
	close(fd);
	return NULL;
}

int main(int argc, char *argv[])
{
	pthread_t t[64];
	struct timespec a, b;

	if (argc != 4 || (threads = atol(argv[1])) < 1 || threads > 64 ||
	    (calls = atol(argv[2])) < 1) {
		fprintf(stderr, "usage: loop-readers THREADS(1-64) CALLS FILE\n");
		return 2;
	}
	path = argv[3];
	clock_gettime(CLOCK_MONOTONIC, &a);
	if (threads == 1)
		reader((void *)0);
	for (long k = 0; threads > 1 && k < threads; k++)
		if (pthread_create(&t[k], NULL, reader, (void *)k)) {
			fprintf(stderr, "pthread_create failed\n");
			return 1;
		}
	for (long k = 0; threads > 1 && k < threads; k++)
		pthread_join(t[k], NULL);
	clock_gettime(CLOCK_MONOTONIC, &b);
	printf("%.4f\n", (b.tv_sec - a.tv_sec) + (b.tv_nsec - a.tv_nsec) / 1e9);
	return 0;
}
