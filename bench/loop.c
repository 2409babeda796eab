/*
 * loop - the traced process of the capture-cost benchmark: N calls of
 * pread(fd, buf, 1, 0), timed inside the process so that start-up and
 * tracer attach do not count. Writes nanoseconds per call to RESULT (not
 * to stdout, which may carry a trace stream), and on a second line the
 * CPU seconds (user + system) it used, whoever else runs with it.
 *
 *	loop N FILE RESULT
 */
#define _GNU_SOURCE
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/resource.h>
#include <time.h>
#include <unistd.h>

int main(int argc, char *argv[])
{
	struct timespec t0, t1;
	struct rusage ru;
	FILE *res;
	long n;
	char c;
	int fd;

	if (argc != 4 || (n = atol(argv[1])) <= 0) {
		fprintf(stderr, "usage: loop N FILE RESULT\n");
		return 2;
	}
	if ((fd = open(argv[2], O_RDONLY)) < 0) {
		perror(argv[2]);
		return 1;
	}
	clock_gettime(CLOCK_MONOTONIC, &t0);
	for (long i = 0; i < n; i++)
		if (pread(fd, &c, 1, 0) != 1) {
			perror("pread");
			return 1;
		}
	clock_gettime(CLOCK_MONOTONIC, &t1);
	if (!(res = fopen(argv[3], "w"))) {
		perror(argv[3]);
		return 1;
	}
	fprintf(res, "%.1f\n", ((t1.tv_sec - t0.tv_sec) * 1e9 +
				(t1.tv_nsec - t0.tv_nsec)) / n);
	if (getrusage(RUSAGE_SELF, &ru) == 0)
		fprintf(res, "%.6f\n", ru.ru_utime.tv_sec + ru.ru_stime.tv_sec +
			(ru.ru_utime.tv_usec + ru.ru_stime.tv_usec) / 1e6);
	return fclose(res) ? 1 : 0;
}
