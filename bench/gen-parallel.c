/*
 * gen-parallel - write a capture (ior-format(5), kind trace) for the
 * replay-parallelism benchmark: one process whose THREADS threads each
 * open /bench/f on a descriptor of their own, make CALLS pread64 calls
 * of 4096 bytes from it, overlapping the other threads' in time as
 * concurrent readers do, and close it.
 *
 *	gen-parallel THREADS CALLS
 */
#include <stdio.h>
#include <stdlib.h>

#define FILE_SIZE (1 << 20)	/* the file read, in bytes */
#define GAP 1000		/* ns between one thread's calls */
#define DUR 900			/* ns each call took */

static void put_head(unsigned long long ns, int tid)
{
	printf("%llu.%09llu 5000 %d app ", ns / 1000000000, ns % 1000000000, tid);
}

int main(int argc, char *argv[])
{
	static char obuf[1 << 20];
	long threads, calls;
	unsigned long long t;

	if (argc != 3 || (threads = atol(argv[1])) < 1 || threads > 64 ||
	    (calls = atol(argv[2])) < 1) {
		fprintf(stderr, "usage: gen-parallel THREADS(1-64) CALLS\n");
		return 2;
	}
	setvbuf(stdout, obuf, _IOFBF, sizeof(obuf));
	printf("#ior 1 trace\n");
	printf("#meta ior-trace host=bench kernel=6.18.0 epoch=1763764907.000000000 argv=gen-parallel\n");
	for (long k = 0; k < threads; k++) {
		put_head(1000 + k, 5000 + k);
		printf("openat %ld %d dirfd=AT_FDCWD path=/bench/f flags=O_RDONLY mode=0 ino=7 size=%d ft=reg fs=ext4\n",
		       3 + k, DUR, FILE_SIZE);
	}
	/* Call i of every thread in turn: each starts before the others end. */
	t = 10000;
	for (long i = 0; i < calls; i++, t += GAP)
		for (long k = 0; k < threads; k++) {
			put_head(t + k * (GAP / threads), 5000 + k);
			printf("pread64 4096 %d fd=%ld count=4096 offset=%ld\n",
			       DUR, 3 + k, (i * threads + k) * 4096 % FILE_SIZE);
		}
	for (long k = 0; k < threads; k++) {
		put_head(t + k, 5000 + k);
		printf("close 0 %d fd=%ld\n", DUR, 3 + k);
	}
	printf("#stat ior-trace events=%ld drops=0 unpaired=0 missed=0\n",
	       threads * (calls + 2));
	return ferror(stdout) || fflush(stdout) ? 1 : 0;
}
