/*
 * gen-replay - write the replay program (ior-format(5), kind replay) of
 * the replay benchmarks: one thread opens /f, makes N calls of
 * pread64(fd, buf, 1, 0), the calls of bench/loop.c, GAP nanoseconds
 * apart in captured time, and closes it. With "aio", each read is an
 * AIO request instead: an io_submit of one aio:pread of 1 byte, reaped
 * by the io_getevents after it (3 ops a read), on one context. With
 * "uring", an io_uring request: an io_uring_enter that submits one
 * uring:read of 1 byte and waits for it, then the request (2 ops a
 * read), on one ring. With "sqpoll", a request an SQPOLL thread took
 * from its ring, four a batch (batch=), submitted together (1 op a
 * read).
 *
 *	gen-replay N GAP [aio|uring|sqpoll]
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* A captured TIME: seconds with nanosecond decimals. */
static void put_time(unsigned long long ns)
{
	printf("%llu.%09llu", ns / 1000000000, ns % 1000000000);
}

/* Read i at ns, as an io_submit, its request and the reap of it. */
static void put_aio(unsigned long long i, unsigned long long ns,
		    unsigned long long *seq)
{
	printf(" 1 1 bench io_submit 1 300 seq=%llu ctx=0x7f0000 nr=1 sub=%llu\n",
	       (*seq)++, i);
	put_time(ns);
	printf(" 1 1 bench aio:pread 1 300 seq=%llu fd=3 offset=0 count=1 ctx=0x7f0000 sub=%llu iocb=0x1000 reap=%llu vfd=1\n",
	       (*seq)++, i, i);
	put_time(ns);
	printf(" 1 1 bench io_getevents 1 300 seq=%llu ctx=0x7f0000 min_nr=1 nr=1 reap=%llu\n",
	       (*seq)++, i);
}

/* Read i at ns, as an io_uring_enter and its request. */
static void put_uring(unsigned long long i, unsigned long long ns,
		      unsigned long long *seq)
{
	printf(" 1 1 bench io_uring_enter 1 300 seq=%llu fd=4 to_submit=1 min_complete=1 flags=IORING_ENTER_GETEVENTS sub=%llu vfd=2\n",
	       (*seq)++, i);
	put_time(ns);
	printf(" 1 1 bench uring:read 1 300 seq=%llu ring=4 fd=3 offset=0 count=1 sqe_flags= sub=%llu vfd=1\n",
	       (*seq)++, i);
}

/* Read i, of the SQPOLL thread's batch of four it is in. */
static void put_sqpoll(unsigned long long i, unsigned long long *seq)
{
	printf(" 1 1 bench uring:read 1 300 seq=%llu ring=4 fd=3 offset=0 count=1 sqe_flags= user_data=0x%llx exec=sqpoll batch=%llu vfd=1\n",
	       *seq, *seq, (i + 3) / 4);
	(*seq)++;
}

int main(int argc, char *argv[])
{
	unsigned long long n, gap, seq = 1;
	int aio = argc == 4 && !strcmp(argv[3], "aio");
	int sqpoll = argc == 4 && !strcmp(argv[3], "sqpoll");
	int uring = sqpoll || (argc == 4 && !strcmp(argv[3], "uring"));

	if ((argc != 3 && !aio && !uring) ||
	    (n = strtoull(argv[1], NULL, 10)) == 0) {
		fprintf(stderr, "usage: gen-replay N GAP [aio|uring|sqpoll]\n");
		return 2;
	}
	gap = strtoull(argv[2], NULL, 10);
	printf("#ior 1 replay\n");
	printf("0.000000000 1 1 bench openat 3 1000 seq=%llu dirfd=AT_FDCWD path=/f flags=O_RDONLY mode=0 vfd=1\n",
	       seq++);
	if (aio)
		printf("0.000000000 1 1 bench io_setup 0 300 seq=%llu nr=1 ctx=0x7f0000\n",
		       seq++);
	if (uring)
		printf("0.000000000 1 1 bench io_uring_setup 4 300 seq=%llu entries=8 flags=%s sq=8 cq=16 vfd=2\n",
		       seq++, sqpoll ? "IORING_SETUP_SQPOLL" : "");
	for (unsigned long long i = 1; i <= n; i++) {
		/* a batch's four at its first's time: submitted together */
		put_time((sqpoll ? (i - 1) / 4 * 4 + 1 : i) * gap);
		if (sqpoll)
			put_sqpoll(i, &seq);
		else if (aio)
			put_aio(i, i * gap, &seq);
		else if (uring)
			put_uring(i, i * gap, &seq);
		else
			printf(" 1 1 bench pread64 1 300 seq=%llu fd=3 count=1 offset=0 vfd=1\n",
			       seq++);
	}
	put_time((n + 1) * gap);
	printf(" 1 1 bench close 0 300 seq=%llu fd=3 vfd=1\n", seq++);
	if (uring) {
		put_time((n + 1) * gap);
		printf(" 1 1 bench close 0 300 seq=%llu fd=4 vfd=2\n", seq);
	}
	return fflush(stdout) ? 1 : 0;
}
