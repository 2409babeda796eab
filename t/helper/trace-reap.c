/*
 * trace-reap MODE FILE - Linux AIO reaped in ways that test how ior-trace
 * pairs each completion with its request, through syscall(2), on FILE
 * (created). Exits 0 when every call did what it should, 2..25 naming
 * the step that did not.
 *
 *   many     one io_submit of 300 pwrites, reaped by one io_getevents
 *            of 300 events: more than one event of the ring buffer holds
 *   blocked  a reaper thread waits in io_getevents for 4 events, a poll
 *            of a pipe among them submitted already; prints "PID TID"
 *            (the process, the reaper) and waits for SIGUSR1, for
 *            ior-trace -p to attach while the reaper waits. Then the
 *            pipe is written and 3 pwrites submitted, one io_submit
 *            each; 4 more rounds of 3 pwrites on the same 3 iocbs
 *            follow, each round reaped by the reaper (min_nr 3) before
 *            the next is submitted
 *   race     one io_submit of a pwrite to FILE and one to a full pipe:
 *            a reaper thread reaps the first (io_getevents, min_nr 1),
 *            then empties the pipe, which lets the io_submit return,
 *            and reaps the second: the first reap returns before the
 *            io_submit of what it reaped does
 *   stuck    prints its PID and waits for SIGUSR1 (for ior-trace -p to
 *            attach), then submits a pwrite to FILE and one to a full
 *            pipe that nobody empties: the io_submit never returns
 *   twice    one iocb, a poll of a pipe, submitted twice while the first
 *            is in flight, with the same aio_data; then the pipe is
 *            written and both are reaped
 *
 * For the AIO pairing tests of t/ior-trace.bats, installed as "reap".
 */
#define _GNU_SOURCE
#include <linux/aio_abi.h>
#include <poll.h>
#include <pthread.h>
#include <semaphore.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <fcntl.h>
#include <sys/syscall.h>
#include <unistd.h>

#define MANY 300
#define ROUNDS 5

static aio_context_t ctx;
static sem_t started;		/* the reaper's tid is known */
static sem_t reaped;		/* the reaper's rounds done */
static long reaper_tid;
static int reaper_failed;

static void prep(struct iocb *cb, int op, int fd, void *buf, long n, long off)
{
	memset(cb, 0, sizeof(*cb));
	cb->aio_lio_opcode = op;
	cb->aio_fildes = fd;
	cb->aio_buf = (unsigned long)buf;
	cb->aio_nbytes = n;
	cb->aio_offset = off;
}

static long submit(struct iocb **cbs, long n)
{
	return syscall(SYS_io_submit, ctx, n, cbs);
}

static long getevents(long min, long nr, struct io_event *ev)
{
	return syscall(SYS_io_getevents, ctx, min, nr, ev, NULL);
}

static int run_many(int fd)
{
	static struct iocb cb[MANY];
	static struct iocb *cbs[MANY];
	static struct io_event ev[MANY];
	static char buf[100];

	memset(buf, 'm', sizeof(buf));
	if (syscall(SYS_io_setup, 512, &ctx) < 0)
		return 2;
	for (int i = 0; i < MANY; i++) {
		prep(&cb[i], IOCB_CMD_PWRITE, fd, buf, sizeof(buf), i * 100L);
		cb[i].aio_data = i;
		cbs[i] = &cb[i];
	}
	if (submit(cbs, MANY) != MANY)
		return 3;
	if (getevents(MANY, MANY, ev) != MANY)
		return 4;
	return syscall(SYS_io_destroy, ctx) ? 5 : 0;
}

/* The reaper of "blocked": 4 events, then 3 a round. */
static void *reaper(void *arg)
{
	struct io_event ev[4];

	(void)arg;
	reaper_tid = syscall(SYS_gettid);
	sem_post(&started);
	for (int r = 0; r < ROUNDS; r++) {
		long want = r ? 3 : 4;

		if (getevents(want, want, ev) != want) {
			reaper_failed = 1;
			return NULL;
		}
		sem_post(&reaped);
	}
	return NULL;
}

static int run_blocked(int fd)
{
	struct iocb cb[4], *cbs[4] = { &cb[0], &cb[1], &cb[2], &cb[3] };
	static char buf[3][512];
	pthread_t t;
	sigset_t usr1;
	int p[2], sig;

	sigemptyset(&usr1);
	sigaddset(&usr1, SIGUSR1);
	pthread_sigmask(SIG_BLOCK, &usr1, NULL);
	if (pipe(p) < 0 || sem_init(&reaped, 0, 0) < 0 ||
	    sem_init(&started, 0, 0) < 0)
		return 6;
	if (syscall(SYS_io_setup, 16, &ctx) < 0)
		return 7;
	prep(&cb[3], IOCB_CMD_POLL, p[0], NULL, 0, 0);
	cb[3].aio_buf = POLLIN;
	if (submit(&cbs[3], 1) != 1)
		return 8;
	if (pthread_create(&t, NULL, reaper, NULL))
		return 9;
	while (sem_wait(&started))
		;
	printf("%d %ld\n", getpid(), reaper_tid);
	fflush(stdout);
	if (sigwait(&usr1, &sig))
		return 10;
	if (write(p[1], "x", 1) != 1)
		return 11;
	for (int r = 0; r < ROUNDS; r++) {
		for (int i = 0; i < 3; i++) {
			memset(buf[i], 'a' + r, sizeof(buf[i]));
			prep(&cb[i], IOCB_CMD_PWRITE, fd, buf[i], sizeof(buf[i]),
			     (r * 3 + i) * 512L);
			cb[i].aio_data = i;
			if (submit(&cbs[i], 1) != 1)
				return 12;
		}
		while (sem_wait(&reaped))
			;
	}
	if (pthread_join(t, NULL) || reaper_failed)
		return 13;
	return syscall(SYS_io_destroy, ctx) ? 14 : 0;
}

/*
 * "race": the io_submit's second iocb writes to a full pipe, and the
 * kernel runs a pipe's AIO inside io_submit: it returns only once the
 * reaper, which reaped the first iocb's write, has emptied the pipe.
 */
static int race_pipe[2];

static void *race_reaper(void *arg)
{
	static char buf[65536];
	struct io_event ev[2];
	long got = 0, n;

	(void)arg;
	if (getevents(1, 2, ev) != 1) {		/* the file's write */
		reaper_failed = 1;
		return NULL;
	}
	while (got < 65536 && (n = read(race_pipe[0], buf, sizeof(buf))) > 0)
		got += n;
	if (getevents(1, 2, ev) != 1)		/* the pipe's */
		reaper_failed = 1;
	return NULL;
}

static int run_race(int fd)
{
	struct iocb cb[2], *cbs[2] = { &cb[0], &cb[1] };
	static char buf[4096];
	pthread_t t;

	memset(buf, 'r', sizeof(buf));
	if (pipe(race_pipe) < 0 || fcntl(race_pipe[1], F_SETFL, O_NONBLOCK) < 0)
		return 20;
	while (write(race_pipe[1], buf, sizeof(buf)) > 0)
		;
	if (fcntl(race_pipe[1], F_SETFL, 0) < 0 ||
	    syscall(SYS_io_setup, 8, &ctx) < 0)
		return 21;
	prep(&cb[0], IOCB_CMD_PWRITE, fd, buf, sizeof(buf), 0);
	prep(&cb[1], IOCB_CMD_PWRITE, race_pipe[1], buf, sizeof(buf), 0);
	if (pthread_create(&t, NULL, race_reaper, NULL))
		return 22;
	if (submit(cbs, 2) != 2)
		return 23;
	if (pthread_join(t, NULL) || reaper_failed)
		return 24;
	return syscall(SYS_io_destroy, ctx) ? 25 : 0;
}

static int run_stuck(int fd)
{
	struct iocb cb[2], *cbs[2] = { &cb[0], &cb[1] };
	static char buf[4096];
	sigset_t usr1;
	int sig;

	sigemptyset(&usr1);
	sigaddset(&usr1, SIGUSR1);
	sigprocmask(SIG_BLOCK, &usr1, NULL);
	memset(buf, 's', sizeof(buf));
	if (pipe(race_pipe) < 0 || fcntl(race_pipe[1], F_SETFL, O_NONBLOCK) < 0)
		return 20;
	while (write(race_pipe[1], buf, sizeof(buf)) > 0)
		;
	if (fcntl(race_pipe[1], F_SETFL, 0) < 0 ||
	    syscall(SYS_io_setup, 8, &ctx) < 0)
		return 21;
	printf("%d\n", getpid());
	fflush(stdout);
	if (sigwait(&usr1, &sig))
		return 10;
	prep(&cb[0], IOCB_CMD_PWRITE, fd, buf, sizeof(buf), 0);
	prep(&cb[1], IOCB_CMD_PWRITE, race_pipe[1], buf, sizeof(buf), 0);
	submit(cbs, 2);
	return 23;
}

static int run_twice(void)
{
	struct iocb cb, *cbs[1] = { &cb };
	struct io_event ev[2];
	int p[2];

	if (pipe(p) < 0)
		return 15;
	if (syscall(SYS_io_setup, 8, &ctx) < 0)
		return 16;
	prep(&cb, IOCB_CMD_POLL, p[0], NULL, 0, 0);
	cb.aio_buf = POLLIN;
	cb.aio_data = 7;
	if (submit(cbs, 1) != 1 || submit(cbs, 1) != 1)
		return 17;
	if (write(p[1], "x", 1) != 1)
		return 18;
	if (getevents(2, 2, ev) != 2)
		return 19;
	return syscall(SYS_io_destroy, ctx) ? 14 : 0;
}

int main(int argc, char **argv)
{
	int fd;

	if (argc != 3)
		return 2;
	if ((fd = open(argv[2], O_RDWR | O_CREAT | O_TRUNC, 0644)) < 0)
		return 2;
	if (!strcmp(argv[1], "many"))
		return run_many(fd);
	if (!strcmp(argv[1], "blocked"))
		return run_blocked(fd);
	if (!strcmp(argv[1], "race"))
		return run_race(fd);
	if (!strcmp(argv[1], "stuck"))
		return run_stuck(fd);
	if (!strcmp(argv[1], "twice"))
		return run_twice();
	return 2;
}
