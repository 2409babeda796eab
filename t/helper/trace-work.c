/*
 * trace-work - a known sequence of file calls in the working directory,
 * for t/ior-trace.bats (installed there as "work", the COMM its records
 * carry; trace_work, and strace -c for the counts).
 *
 * Opens ./data and preads 100 bytes at 7, lseeks to 5 and readvs 10+20
 * bytes, dup2s it to 9; opens ./missing (ENOENT); two threads each open
 * and read 10 bytes of data; a forked child creates ./new, writes
 * "hello" and exits 3; then mkdir d, rename new to d/moved, unlink it,
 * rmdir d.  Exits 7.
 */
#define _GNU_SOURCE
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <sys/stat.h>
#include <sys/uio.h>
#include <sys/wait.h>
#include <unistd.h>

static void *reader(void *arg)
{
	char b[10];
	int fd = open("data", O_RDONLY);

	read(fd, b, sizeof(b));
	close(fd);
	return arg;
}

int main(void)
{
	char b[100];
	struct iovec iov[2] = { { b, 10 }, { b + 10, 20 } };
	pthread_t t[2];
	pid_t pid;
	int fd, st;

	fd = open("data", O_RDONLY);
	pread(fd, b, 100, 7);
	lseek(fd, 5, SEEK_SET);
	readv(fd, iov, 2);
	dup2(fd, 9);
	open("missing", O_RDONLY);
	for (int i = 0; i < 2; i++)
		pthread_create(&t[i], NULL, reader, NULL);
	for (int i = 0; i < 2; i++)
		pthread_join(t[i], NULL);
	pid = fork();
	if (pid == 0) {
		fd = open("new", O_WRONLY | O_CREAT | O_TRUNC, 0600);
		write(fd, "hello", 5);
		_exit(3);
	}
	waitpid(pid, &st, 0);
	mkdir("d", 0755);
	rename("new", "d/moved");
	unlink("d/moved");
	rmdir("d");
	return 7;
}
