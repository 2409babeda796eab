/*
 * trace-setxattr - set three user xattrs on ./f: a 5-byte value with a
 * space, a control byte and a backslash (setxattr), an empty one
 * (fsetxattr) and one of 2000 bytes (lsetxattr).
 *
 * For the t/ior-trace.bats test "setxattr calls record the value set,
 * escaped, unless it is over 1024 bytes"; installed there as "value".
 */
#include <fcntl.h>
#include <string.h>
#include <sys/xattr.h>

int main(void)
{
	static char big[2000];
	int fd = open("f", O_RDONLY);

	memset(big, 'x', sizeof(big));
	setxattr("f", "user.bin", "a b\001\\", 5, 0);
	fsetxattr(fd, "user.empty", "", 0, 0);
	lsetxattr("f", "user.big", big, sizeof(big), 0);
	return 0;
}
