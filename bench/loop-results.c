/*
 * loop-results - bench/loop.c's N calls of pread(fd, buf, 1, 0), each
 * made as a replayer that reports it must: its arguments read from an
 * array of operations, its start and end read from the clock, its start,
 * return and duration stored in an array of results. The least any
 * replay that writes each call's result costs over the bare loop, which
 * ior-replay's as-fast-as-possible row is set beside. Both arrays are a
 * window of WINDOW slots, reused in turn, touched before the loop starts.
 *
 * Writes nanoseconds per call to RESULT.
 *
 *	loop-results N FILE RESULT
 */
#define _GNU_SOURCE
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#define WINDOW 65536	/* a power of two */

struct op {		/* what a call needs, as a replay program gives it */
	int32_t fd;
	uint32_t count;
	int64_t offset;
	char rest[48];	/* the other fields of an op */
};

struct result {
	uint64_t start, dur;
	int64_t ret;
	uint32_t state, pad;
};

static uint64_t now_ns(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return t.tv_sec * 1000000000ull + t.tv_nsec;
}

int main(int argc, char *argv[])
{
	struct op *ops;
	struct result *res;
	uint64_t t0, t1;
	FILE *out;
	char c;
	long n;
	int fd;

	if (argc != 4 || (n = atol(argv[1])) <= 0) {
		fprintf(stderr, "usage: loop-results N FILE RESULT\n");
		return 2;
	}
	if ((fd = open(argv[2], O_RDONLY)) < 0) {
		perror(argv[2]);
		return 1;
	}
	ops = calloc(WINDOW, sizeof(*ops));
	res = calloc(WINDOW, sizeof(*res));
	if (!ops || !res) {
		perror("calloc");
		return 1;
	}
	for (long i = 0; i < WINDOW; i++) {	/* touched: as prefaulted */
		ops[i].fd = fd;
		ops[i].count = 1;
		res[i].state = 1;
	}
	t0 = now_ns();
	for (long i = 0; i < n; i++) {
		const struct op *op = &ops[i & (WINDOW - 1)];
		struct result *r = &res[i & (WINDOW - 1)];
		uint64_t a, b;
		ssize_t got;

		a = now_ns();
		got = pread(op->fd, &c, op->count, op->offset);
		b = now_ns();
		if (got != 1) {
			perror("pread");
			return 1;
		}
		r->start = a - t0;
		r->ret = got;
		r->dur = b - a;
		__atomic_store_n(&r->state, 2, __ATOMIC_RELEASE);
	}
	t1 = now_ns();
	if (!(out = fopen(argv[3], "w"))) {
		perror(argv[3]);
		return 1;
	}
	fprintf(out, "%.1f\n", (double)(t1 - t0) / n);
	return fclose(out) ? 1 : 0;
}
