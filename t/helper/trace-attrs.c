/*
 * trace-attrs - path calls on d/t, its symlink d/l and d/r, through a
 * directory descriptor closed before ior-trace reads the records and
 * through a cwd left at once: fchmodat (follows), faccessat2 and
 * fchownat, then in d readlink, truncate, link of the link, rename;
 * then stays alive 0.3 s.
 *
 * For the t/ior-trace.bats test "path calls record the file named,
 * after the call, following links only when the call does"; installed
 * there as "attrs".
 */
#define _GNU_SOURCE
#include <fcntl.h>
#include <stdio.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

int main(void)
{
	char b[64];
	int dfd = open("d", O_RDONLY | O_DIRECTORY);

	syscall(SYS_fchmodat, dfd, "l", 0640);		/* follows */
	syscall(SYS_faccessat2, dfd, "l", F_OK, AT_SYMLINK_NOFOLLOW);
	syscall(SYS_fchownat, dfd, "l", -1, -1, 0);
	close(dfd);	/* gone from /proc before ior-trace reads the records */
	chdir("d");
	syscall(SYS_readlink, "l", b, sizeof(b));
	syscall(SYS_truncate, "t", 3);
	syscall(SYS_link, "l", "h");			/* a link to the link */
	syscall(SYS_rename, "r", "u");
	chdir("/");
	usleep(300000);
	return 0;
}
