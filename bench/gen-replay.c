/*
 * gen-replay - write the replay program (ior-format(5), kind replay) of
 * the replay benchmarks: one thread opens /f, makes N calls of
 * pread64(fd, buf, 1, 0), the calls of bench/loop.c, GAP nanoseconds
 * apart in captured time, and closes it.
 *
 *	gen-replay N GAP
 */
#include <stdio.h>
#include <stdlib.h>

/* A captured TIME: seconds with nanosecond decimals. */
static void put_time(unsigned long long ns)
{
	printf("%llu.%09llu", ns / 1000000000, ns % 1000000000);
}

int main(int argc, char *argv[])
{
	unsigned long long n, gap, seq = 1;

	if (argc != 3 || (n = strtoull(argv[1], NULL, 10)) == 0) {
		fprintf(stderr, "usage: gen-replay N GAP\n");
		return 2;
	}
	gap = strtoull(argv[2], NULL, 10);
	printf("#ior 1 replay\n");
	printf("0.000000000 1 1 bench openat 3 1000 seq=%llu dirfd=AT_FDCWD path=/f flags=O_RDONLY mode=0 vfd=1\n",
	       seq++);
	for (unsigned long long i = 1; i <= n; i++) {
		put_time(i * gap);
		printf(" 1 1 bench pread64 1 300 seq=%llu fd=3 count=1 offset=0 vfd=1\n",
		       seq++);
	}
	put_time((n + 1) * gap);
	printf(" 1 1 bench close 0 300 seq=%llu fd=3 vfd=1\n", seq);
	return fflush(stdout) ? 1 : 0;
}
