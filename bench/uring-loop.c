/*
 * uring-loop - the workload of the capture pipeline's zero-loss row: N
 * one-byte reads of FILE at offset 0 through one io_uring, BATCH to an
 * io_uring_enter, offered at RATE events a second (0: as fast as it
 * can). Each read is an event of ior-trace's, and each io_uring_enter
 * one more, so that a batch is BATCH + 1 events.
 *
 * The rate is kept a slice at a time: after each slice of SLICE reads
 * the loop sleeps to the slice's deadline, if it is early. A sleep a
 * batch would be too short: on this project's guests a timer sleep of
 * some 30 us cost as much CPU as it slept, which the stages it shares
 * the machine with need. A slice is about a millisecond at a million
 * events a second, a burst that the ring buffer (16 MiB or more) takes
 * many times over.
 *
 * Writes to RESULT (not stdout, which may carry a trace stream) the
 * events a second it reached, from its first read to its last reap.
 *
 *	uring-loop N FILE RATE RESULT
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <liburing.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#define BATCH 32
#define SLICE 1024	/* a multiple of BATCH */

static long long now_ns(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return t.tv_sec * 1000000000LL + t.tv_nsec;
}

/* Sleep to the deadline t (CLOCK_MONOTONIC ns), if it is ahead. */
static void sleep_to(long long t)
{
	struct timespec d = { .tv_sec = t / 1000000000LL,
			      .tv_nsec = t % 1000000000LL };

	while (clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &d, NULL) == EINTR)
		;
}

int main(int argc, char *argv[])
{
	static char buf[BATCH];
	struct io_uring ring;
	long long t0, t1;
	double rate, events;
	FILE *res;
	long n;
	int fd, err;

	if (argc != 5 || (n = atol(argv[1])) <= 0 || (rate = atof(argv[3])) < 0) {
		fprintf(stderr, "usage: uring-loop N FILE RATE RESULT\n");
		return 2;
	}
	n = (n + BATCH - 1) / BATCH * BATCH;
	if ((fd = open(argv[2], O_RDONLY)) < 0) {
		perror(argv[2]);
		return 1;
	}
	if ((err = io_uring_queue_init(BATCH, &ring, 0)) < 0) {
		fprintf(stderr, "uring-loop: io_uring_queue_init: %s\n", strerror(-err));
		return 1;
	}
	t0 = now_ns();
	for (long done = 0; done < n; done += BATCH) {
		struct io_uring_cqe *cqe;
		unsigned head, k = 0;

		/* events so far, (done / BATCH) * (BATCH + 1), at the rate */
		if (rate > 0 && done % SLICE == 0)
			sleep_to(t0 + (long long)(done / BATCH * (BATCH + 1) * 1e9 / rate));
		for (int i = 0; i < BATCH; i++)
			io_uring_prep_read(io_uring_get_sqe(&ring), fd, buf + i, 1, 0);
		if ((err = io_uring_submit_and_wait(&ring, BATCH)) < 0) {
			fprintf(stderr, "uring-loop: io_uring_enter: %s\n", strerror(-err));
			return 1;
		}
		io_uring_for_each_cqe(&ring, head, cqe) {
			if (cqe->res != 1) {
				fprintf(stderr, "uring-loop: read: %d\n", cqe->res);
				return 1;
			}
			k++;
		}
		io_uring_cq_advance(&ring, k);
	}
	t1 = now_ns();
	events = (double)n / BATCH * (BATCH + 1);
	if (!(res = fopen(argv[4], "w"))) {
		perror(argv[4]);
		return 1;
	}
	fprintf(res, "%.0f\n", events * 1e9 / (double)(t1 - t0));
	return fclose(res) ? 1 : 0;
}
