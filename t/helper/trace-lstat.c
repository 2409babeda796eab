/*
 * trace-lstat - lstat and then stat ./lnk (a symlink the test makes),
 * and stay alive 0.3 s so that ior-trace can read the link's target.
 *
 * For the t/ior-trace.bats test "a stat that did not follow a symlink
 * records the link's target as path2"; installed there as "stat".
 */
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

int main(void)
{
	struct stat st;

	syscall(SYS_lstat, "lnk", &st);
	syscall(SYS_stat, "lnk", &st);
	usleep(300000);	/* ior-trace reads the link while we live */
	return 0;
}
