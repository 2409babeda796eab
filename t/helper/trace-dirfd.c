/*
 * trace-dirfd - fstatat d/lnk (a symlink) through a duplicate, at 50, of
 * a directory descriptor, closed right after; then lstat lnk from a cwd
 * of d left at once; then stays alive 0.3 s, when /proc has neither
 * descriptor nor cwd.
 *
 * For the t/ior-trace.bats test "a path relative to a directory
 * descriptor closed at once, or to a cwd left, is still resolved";
 * installed there as "dirfd".
 */
#define _GNU_SOURCE
#include <fcntl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

int main(void)
{
	struct stat st;
	int dfd = open("d", O_RDONLY | O_DIRECTORY), dup;

	dup = fcntl(dfd, F_DUPFD_CLOEXEC, 50);
	close(dfd);
	fstatat(dup, "lnk", &st, AT_SYMLINK_NOFOLLOW);
	close(dup);
	chdir("d");
	syscall(SYS_lstat, "lnk", &st);
	chdir("/");
	usleep(300000);	/* alive: /proc has neither descriptor nor cwd */
	return 0;
}
