/*
 * rw-hint FILE - print the write-life hint the kernel keeps for FILE's
 * inode (fcntl F_GET_RW_HINT), a number (RWH_WRITE_LIFE_SHORT is 2): what
 * a replay's F_SET_RW_HINT set, seen without the replay's own results.
 * For t/ior-replay.bats.
 */
#define _GNU_SOURCE
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <unistd.h>

int main(int argc, char **argv)
{
	uint64_t hint = 0;
	int fd;

	if (argc != 2) {
		fprintf(stderr, "usage: rw-hint FILE\n");
		return 2;
	}
	fd = open(argv[1], O_RDONLY);
	if (fd < 0 || fcntl(fd, F_GET_RW_HINT, &hint) < 0) {
		perror(argv[1]);
		return 1;
	}
	printf("%llu\n", (unsigned long long)hint);
	close(fd);
	return 0;
}
