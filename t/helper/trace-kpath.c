/*
 * trace-kpath - pass ./passed (at offset 3), /dev/null and the directory
 * ./sub to itself over a unix socket with MSG_CMSG_CLOEXEC, closing each
 * at once on both ends; then name_to_handle_at ./passed and
 * open_by_handle_at it (closed at once); then stay alive 0.3 s.
 *
 * For the t/ior-trace.bats test "descriptors received and closed at
 * once, and handles opened, are named from the kernel"; installed there
 * as "kpath".
 */
#define _GNU_SOURCE
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

int main(void)
{
	int fds[3] = { open("passed", O_RDWR), open("/dev/null", O_WRONLY),
		       open("sub", O_RDONLY | O_DIRECTORY) };
	char c = 'x', ctl[CMSG_SPACE(sizeof(fds))];
	struct iovec iov = { &c, 1 };
	struct msghdr m = { .msg_iov = &iov, .msg_iovlen = 1,
			    .msg_control = ctl, .msg_controllen = sizeof(ctl) };
	struct cmsghdr *cm = CMSG_FIRSTHDR(&m);
	struct file_handle *fh = malloc(sizeof(*fh) + MAX_HANDLE_SZ);
	int sv[2], mnt, dot = open(".", O_RDONLY | O_DIRECTORY);

	lseek(fds[0], 3, SEEK_SET);
	socketpair(AF_UNIX, SOCK_STREAM, 0, sv);
	cm->cmsg_level = SOL_SOCKET;
	cm->cmsg_type = SCM_RIGHTS;
	cm->cmsg_len = CMSG_LEN(sizeof(fds));
	memcpy(CMSG_DATA(cm), fds, sizeof(fds));
	sendmsg(sv[0], &m, 0);
	for (int i = 0; i < 3; i++)
		close(fds[i]);
	recvmsg(sv[1], &m, MSG_CMSG_CLOEXEC);
	memcpy(fds, CMSG_DATA(cm), sizeof(fds));
	for (int i = 0; i < 3; i++)
		close(fds[i]);
	fh->handle_bytes = MAX_HANDLE_SZ;
	name_to_handle_at(AT_FDCWD, "passed", fh, &mnt, 0);
	close(open_by_handle_at(dot, fh, O_RDONLY));
	usleep(300000);
	return 0;
}
