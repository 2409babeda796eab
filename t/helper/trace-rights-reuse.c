/*
 * trace-rights-reuse - pass ./passed and a pipe's read end to itself
 * over a unix socket, close both received descriptors at once and open
 * ./other twice to take their numbers again, then stay alive 0.3 s.
 *
 * For the t/ior-trace.bats test "a received file or pipe closed and
 * reused at once is named from the kernel, never misnamed";
 * installed there as "reuse".
 */
#include <fcntl.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

int main(void)
{
	int p[2], sv[2], fds[2];
	char c = 'x', ctl[CMSG_SPACE(sizeof(fds))];
	struct iovec iov = { &c, 1 };
	struct msghdr m = { .msg_iov = &iov, .msg_iovlen = 1,
			    .msg_control = ctl, .msg_controllen = sizeof(ctl) };
	struct cmsghdr *cm = CMSG_FIRSTHDR(&m);

	pipe(p);
	fds[0] = open("passed", O_RDONLY);
	fds[1] = p[0];
	socketpair(AF_UNIX, SOCK_STREAM, 0, sv);
	cm->cmsg_level = SOL_SOCKET;
	cm->cmsg_type = SCM_RIGHTS;
	cm->cmsg_len = CMSG_LEN(sizeof(fds));
	memcpy(CMSG_DATA(cm), fds, sizeof(fds));
	sendmsg(sv[0], &m, 0);
	close(fds[0]);
	close(fds[1]);
	recvmsg(sv[1], &m, 0);
	memcpy(fds, CMSG_DATA(cm), sizeof(fds));
	close(fds[0]);
	close(fds[1]);
	open("other", O_RDONLY);	/* take the same numbers */
	open("other", O_RDONLY);
	usleep(300000);
	return 0;
}
