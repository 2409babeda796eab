/*
 * trace-order SCENARIO DIR - processes that depend on each other only
 * through files, told when to go through pipes (which a replay does not
 * have): what ior-gen's ordering by resource must keep, or leave free.
 * In DIR:
 *
 *   mkdirs   the parent makes d0/s ... d7/s, one pair at a time, and after
 *            each tells its child through a pipe, which creates d<i>/s/f
 *            and writes 100 bytes to it: each create must wait for the
 *            mkdirs above it
 *   readers  four children read ./data (which exists) to its end at
 *            once, 64 KiB at a time, each through its own descriptor:
 *            no read waits for another
 *   append   the parent appends 1000 bytes to ./log (which exists,
 *            empty) twenty times; after each it tells its child, which
 *            reads ./log on from where it was, 4096 bytes asked, and
 *            gets exactly those 1000, then says it has read them
 *   seekend  the parent syncs ./other twenty times, then tells its child
 *            and at once appends 4 MiB to ./big (1 MiB, which exists)
 *            with O_DIRECT, whose size changes only when the write is
 *            done; the child, told, looks for the end of ./big (lseek
 *            SEEK_END) while that write runs, and again once told the
 *            write is done
 *
 * and two threads of one process, told when to go by semaphores (a futex
 * no capture has):
 *
 *   closerange  thread 1 opens ./a; thread 2 reads it and opens ./b;
 *            thread 1 closes both with close_range from a's number on;
 *            thread 2 opens ./c, which gets a's number, and reads it;
 *            thread 1 opens ./d, the next number, and reads it (a, c
 *            and d exist, 4096 bytes each)
 *   mapped   thread 1 writes the first 4096 bytes of ./m (8192, which
 *            exists); thread 2 maps ./m shared and writable, stores into
 *            its second half, msyncs and unmaps it; thread 1 reads that
 *            half
 *
 * For the ordering tests of t/ior-gen.bats.
 */
#define _GNU_SOURCE
#include <fcntl.h>
#include <pthread.h>
#include <semaphore.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

static char buf[65536];

static void tell(int fd)
{
	if (write(fd, "x", 1) != 1)
		_exit(3);
}

static void wait_told(int fd)
{
	char c;

	if (read(fd, &c, 1) != 1)
		_exit(3);
}

static int mkdirs(void)
{
	int p[2], fd;
	char path[64];
	pid_t pid;

	if (pipe(p))
		return 3;
	if ((pid = fork()) == 0) {
		for (int i = 0; i < 8; i++) {
			wait_told(p[0]);
			snprintf(path, sizeof(path), "d%d/s/f", i);
			fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
			if (fd < 0 || write(fd, buf, 100) != 100)
				_exit(1);
			close(fd);
		}
		_exit(0);
	}
	for (int i = 0; i < 8; i++) {
		snprintf(path, sizeof(path), "d%d", i);
		if (mkdir(path, 0755))
			return 1;
		snprintf(path, sizeof(path), "d%d/s", i);
		if (mkdir(path, 0755))
			return 1;
		tell(p[1]);
	}
	return waitpid(pid, &fd, 0) == pid && fd == 0 ? 0 : 1;
}

static int readers(void)
{
	pid_t pid[4];
	int p[2], st, bad = 0;

	if (pipe(p))
		return 3;
	for (int i = 0; i < 4; i++) {
		if ((pid[i] = fork()) == 0) {
			char c;
			int fd;

			close(p[1]);
			if (read(p[0], &c, 1) != 0)	/* all go at once */
				_exit(3);
			if ((fd = open("data", O_RDONLY)) < 0)
				_exit(1);
			while (read(fd, buf, sizeof(buf)) > 0)
				;
			close(fd);
			_exit(0);
		}
	}
	close(p[0]);
	close(p[1]);
	for (int i = 0; i < 4; i++)
		bad |= waitpid(pid[i], &st, 0) != pid[i] || st != 0;
	return bad;
}

static int append(void)
{
	int go[2], done[2], fd, st;
	pid_t pid;

	if (pipe(go) || pipe(done))
		return 3;
	if ((pid = fork()) == 0) {
		if ((fd = open("log", O_RDONLY)) < 0)
			_exit(1);
		for (int i = 0; i < 20; i++) {
			wait_told(go[0]);
			if (read(fd, buf, 4096) != 1000)
				_exit(1);
			tell(done[1]);
		}
		_exit(0);
	}
	if ((fd = open("log", O_WRONLY | O_APPEND)) < 0)
		return 1;
	for (int i = 0; i < 20; i++) {
		if (write(fd, buf, 1000) != 1000)
			return 1;
		tell(go[1]);
		wait_told(done[0]);
	}
	return waitpid(pid, &st, 0) == pid && st == 0 ? 0 : 1;
}

static int seekend(void)
{
	const size_t n = 4 << 20;
	int go[2], done[2], fd, o, st;
	void *big;
	pid_t pid;

	if (pipe(go) || pipe(done))
		return 3;
	if ((pid = fork()) == 0) {
		if ((fd = open("big", O_RDONLY)) < 0)
			_exit(1);
		wait_told(go[0]);
		lseek(fd, 0, SEEK_END);		/* while the write runs */
		wait_told(done[0]);
		lseek(fd, 0, SEEK_END);		/* after it */
		_exit(0);
	}
	if (posix_memalign(&big, 4096, n))
		return 3;
	memset(big, 'b', n);
	if ((fd = open("big", O_WRONLY | O_DIRECT)) < 0 ||
	    (o = open("other", O_WRONLY)) < 0)
		return 1;
	for (int i = 0; i < 20; i++)
		if (pwrite(o, buf, 4096, 0) != 4096 || fsync(o))
			return 1;
	tell(go[1]);
	if (pwrite(fd, big, n, 1 << 20) != (ssize_t)n)
		return 1;
	tell(done[1]);
	free(big);
	return waitpid(pid, &st, 0) == pid && st == 0 ? 0 : 1;
}

/* Two threads take turns: each waits on its semaphore, posts the other's. */
static sem_t turn[2];
static int fds[2];		/* the first two files' descriptors */
static int bad;

static void go(int who)
{
	sem_post(&turn[who]);
}

static void wait_turn(int who)
{
	while (sem_wait(&turn[who]))
		;
}

static void *closerange_2(void *unused)
{
	int fd;

	(void)unused;
	wait_turn(1);
	bad |= pread(fds[0], buf, 4096, 0) != 4096;
	bad |= (fds[1] = open("b", O_RDONLY | O_CREAT, 0644)) < 0;
	go(0);
	wait_turn(1);
	fd = open("c", O_RDONLY);
	bad |= fd != fds[0] || read(fd, buf, 4096) != 4096;
	go(0);
	return NULL;
}

static int closerange(void)
{
	pthread_t t;
	int fd;

	if (sem_init(&turn[0], 0, 0) || sem_init(&turn[1], 0, 0) ||
	    (fds[0] = open("a", O_RDONLY)) < 0 ||
	    pthread_create(&t, NULL, closerange_2, NULL))
		return 3;
	go(1);
	wait_turn(0);
	/* glibc 2.36 has the wrapper; the call itself is what is traced */
	bad |= syscall(SYS_close_range, fds[0], ~0U, 0) != 0;
	go(1);
	wait_turn(0);
	fd = open("d", O_RDONLY);
	bad |= fd < 0 || read(fd, buf, 4096) != 4096;
	pthread_join(t, NULL);
	return bad;
}

static void *mapped_2(void *unused)
{
	char *p;

	(void)unused;
	wait_turn(1);
	p = mmap(NULL, 8192, PROT_READ | PROT_WRITE, MAP_SHARED, fds[0], 0);
	if (p == MAP_FAILED) {
		bad = 1;
		go(0);
		return NULL;
	}
	memset(p + 4096, 'm', 4096);
	bad |= msync(p, 8192, MS_SYNC) || munmap(p, 8192);
	go(0);
	return NULL;
}

static int mapped(void)
{
	pthread_t t;

	if (sem_init(&turn[0], 0, 0) || sem_init(&turn[1], 0, 0) ||
	    (fds[0] = open("m", O_RDWR)) < 0 ||
	    pthread_create(&t, NULL, mapped_2, NULL))
		return 3;
	bad |= pwrite(fds[0], buf, 4096, 0) != 4096;
	go(1);
	wait_turn(0);
	bad |= pread(fds[0], buf, 4096, 4096) != 4096 || buf[0] != 'm';
	pthread_join(t, NULL);
	return bad;
}

int main(int argc, char **argv)
{
	if (argc != 3 || chdir(argv[2]))
		return 2;
	memset(buf, 'a', sizeof(buf));
	if (!strcmp(argv[1], "mkdirs"))
		return mkdirs();
	if (!strcmp(argv[1], "readers"))
		return readers();
	if (!strcmp(argv[1], "append"))
		return append();
	if (!strcmp(argv[1], "seekend"))
		return seekend();
	if (!strcmp(argv[1], "closerange"))
		return closerange();
	if (!strcmp(argv[1], "mapped"))
		return mapped();
	return 2;
}
