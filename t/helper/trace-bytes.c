/*
 * trace-bytes - move exactly known bytes to and from two files of the
 * current directory, so that the tables of ior-stats can be checked
 * against what the program did:
 *
 *   data: 3 pwrite64 of 4096 bytes (12288 written), fsync, then a
 *         pread64 of 8192 and a read of 4096 from offset 0 (12288 read)
 *   log:  2 write, of 600 and 400 bytes (1000 written)
 *
 * For the t/ior-stats.bats tests of -r files and -r flame -W bytes;
 * installed there as "bytes".
 */
#include <fcntl.h>
#include <string.h>
#include <unistd.h>

static char buf[8192];

int main(void)
{
	int d = open("data", O_RDWR | O_CREAT | O_TRUNC, 0644);
	int l = open("log", O_WRONLY | O_CREAT | O_TRUNC, 0644);

	if (d < 0 || l < 0)
		return 1;
	memset(buf, 'x', sizeof(buf));
	for (int i = 0; i < 3; i++)
		if (pwrite(d, buf, 4096, i * 4096) != 4096)
			return 1;
	if (fsync(d) < 0)
		return 1;
	if (write(l, buf, 600) != 600 || write(l, buf, 400) != 400)
		return 1;
	if (pread(d, buf, 8192, 0) != 8192 || read(d, buf, 4096) != 4096)
		return 1;
	close(l);
	close(d);
	return 0;
}
