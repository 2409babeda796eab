/*
 * trace-flood N READY - read one byte of /dev/zero as fast as it can,
 * until killed; after the Nth read, write its pid to READY (a new file,
 * renamed into place, so that it is whole once it exists).
 *
 * For the t/hostile.bats test that SIGTERM ends a capture whose ring
 * buffer a busy workload keeps full: enough reads to fill the ring many
 * times over while the tracer is stopped, then the same pace while it
 * stops.
 */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

int main(int argc, char **argv)
{
	char b[1], tmp[4096];
	long n;
	int fd, out;

	if (argc != 3 || (fd = open("/dev/zero", O_RDONLY)) < 0)
		return 2;
	n = atol(argv[1]);
	for (long i = 0; i < n; i++)
		if (read(fd, b, 1) != 1)
			return 1;
	snprintf(tmp, sizeof(tmp), "%s.tmp", argv[2]);
	if ((out = open(tmp, O_WRONLY | O_CREAT | O_TRUNC, 0644)) < 0 ||
	    dprintf(out, "%d\n", (int)getpid()) < 0 || close(out) < 0 ||
	    rename(tmp, argv[2]) < 0)
		return 1;
	for (;;)
		if (read(fd, b, 1) != 1)
			return 1;
}
