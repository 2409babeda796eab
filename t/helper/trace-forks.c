/*
 * trace-forks N - N children one after another, each pinned to CPU 1 to
 * pread 1001 + i bytes of ./data (count 1001, 1002 ...), then back on
 * CPU 0 to exit, where the parent forks the next one: likely on the
 * kernel stack the last one freed.
 *
 * For the t/ior-trace.bats test that a process on the kernel stack of
 * one gone is not taken for it; installed there as "reuse".
 */
#define _GNU_SOURCE
#include <fcntl.h>
#include <sched.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <unistd.h>

static void pin(int cpu)
{
	cpu_set_t set;

	CPU_ZERO(&set);
	CPU_SET(cpu, &set);
	sched_setaffinity(0, sizeof(set), &set);
}

int main(int argc, char **argv)
{
	static char b[4096];
	int fd = open("data", O_RDONLY);
	pid_t pid;

	if (argc != 2 || fd < 0)
		return 2;
	pin(0);
	for (int i = 0; i < atoi(argv[1]); i++) {
		if ((pid = fork()) == 0) {
			pin(1);
			pread(fd, b, 1001 + i, 0);
			pin(0);
			_exit(0);
		}
		waitpid(pid, NULL, 0);
	}
	return 0;
}
