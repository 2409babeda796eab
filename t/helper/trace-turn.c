/*
 * trace-turn COUNT N - N preads of COUNT bytes of ./data at offset 0,
 * each followed by sched_yield(), so that processes on one CPU take
 * turns at each call.
 *
 * For the t/ior-trace.bats test that two processes taking turns on one
 * CPU each have their own PID, TID and COMM in their records; installed
 * there as "turn-a" and "turn-b".
 */
#include <fcntl.h>
#include <sched.h>
#include <stdlib.h>
#include <unistd.h>

int main(int argc, char **argv)
{
	static char b[4096];
	int fd = open("data", O_RDONLY);

	if (argc != 3 || fd < 0)
		return 2;
	for (int i = 0; i < atoi(argv[2]); i++) {
		pread(fd, b, atoi(argv[1]), 0);
		sched_yield();
	}
	return 0;
}
