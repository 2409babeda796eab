/*
 * ior-workload32 - a 32-bit (ia32) program doing file I/O, built with
 * gcc -m32 (Makefile), for t/ia32.bats: ior-trace must decode its calls
 * with the i386 numbers and argument layouts and name them as strace
 * does, and the replay must rebuild what it leaves.
 *
 *	ior-workload32 DIR
 *
 * In DIR it makes d/, writes d/f (a write, a pwrite64 above 4 GiB, a
 * pread64 there, an _llseek, an fdatasync), asks statfs64 and fstatfs64,
 * locks a range above 4 GiB (fcntl64), truncates the file (ftruncate64),
 * maps it shared and msyncs it, stats it with the i386 stat and stat64,
 * reads it with readv, passes its descriptor over a socket pair (recvmsg,
 * and socketcall's SYS_RECVMSG), symlinks d/l to it, changes owners
 * with the 16-bit lchown and chown32, renames it d/g, lists d/ with
 * getdents64 and unlinks d/l. It leaves d/ and d/g (8192 bytes).
 */
#define _GNU_SOURCE
#define _FILE_OFFSET_BITS 64
#include <dirent.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/syscall.h>
#include <sys/uio.h>
#include <unistd.h>

#define GIB (1024LL * 1024 * 1024)
#define SOCKETCALL_RECVMSG 17

static void check(int ok, const char *what)
{
	if (!ok) {
		perror(what);
		exit(1);
	}
}

/*
 * Send fd over sock[0] and receive it on sock[1]: by recvmsg, or by
 * socketcall(SYS_RECVMSG).
 */
static void pass_fd(int sock[2], int fd, int by_socketcall)
{
	char c = 'x', ctl[CMSG_SPACE(sizeof(int))];
	struct iovec iov = { &c, 1 };
	struct msghdr m = {
		.msg_iov = &iov, .msg_iovlen = 1,
		.msg_control = ctl, .msg_controllen = sizeof(ctl),
	};
	struct cmsghdr *cm = CMSG_FIRSTHDR(&m);
	unsigned long args[3] = { sock[1], (unsigned long)&m, 0 };
	int got;

	cm->cmsg_level = SOL_SOCKET;
	cm->cmsg_type = SCM_RIGHTS;
	cm->cmsg_len = CMSG_LEN(sizeof(int));
	memcpy(CMSG_DATA(cm), &fd, sizeof(int));
	check(sendmsg(sock[0], &m, 0) == 1, "sendmsg");
	m.msg_controllen = sizeof(ctl);
	if (by_socketcall)
		check(syscall(SYS_socketcall, SOCKETCALL_RECVMSG, args) == 1,
		      "socketcall");
	else
		check(recvmsg(sock[1], &m, 0) == 1, "recvmsg");
	memcpy(&got, CMSG_DATA(CMSG_FIRSTHDR(&m)), sizeof(int));
	check(close(got) == 0, "close");
}

/* The file's kernel stat buffers: the i386 stat's and stat64's. */
static void stat_both(const char *path)
{
	unsigned char st[64], st64[96];

	check(syscall(SYS_stat, path, st) == 0, "stat");
	check(syscall(SYS_stat64, path, st64) == 0, "stat64");
}

int main(int argc, char **argv)
{
	struct flock fl = { .l_type = F_WRLCK, .l_whence = SEEK_SET,
			    .l_start = 4 * GIB, .l_len = 100 };
	char buf[32], *map;
	struct iovec iov[2] = { { buf, 5 }, { buf + 5, 12 } };
	struct statfs sfs;
	struct dirent *de;
	int fd, sock[2], n = 0;
	DIR *dir;

	check(argc == 2 && chdir(argv[1]) == 0, "chdir");
	check(mkdir("d", 0750) == 0, "mkdir");
	fd = open("d/f", O_RDWR | O_CREAT | O_TRUNC, 0640);
	check(fd >= 0, "open");
	check(write(fd, "hello, world", 12) == 12, "write");
	check(pwrite(fd, "far", 3, 5 * GIB) == 3, "pwrite64");
	check(pread(fd, buf, 3, 5 * GIB) == 3, "pread64");
	check(lseek(fd, 4 * GIB + 100, SEEK_SET) == 4 * GIB + 100, "_llseek");
	check(fdatasync(fd) == 0, "fdatasync");
	check(statfs("d", &sfs) == 0, "statfs64");
	check(fstatfs(fd, &sfs) == 0, "fstatfs64");
	check(fcntl(fd, F_SETLK, &fl) == 0, "fcntl64");
	check(ftruncate(fd, 8192) == 0, "ftruncate64");
	map = mmap(NULL, 8192, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 4096);
	check(map != MAP_FAILED, "mmap2");
	memcpy(map, "mapped", 6);
	check(msync(map, 4096, MS_SYNC) == 0, "msync");
	check(munmap(map, 8192) == 0, "munmap");
	stat_both("d/f");
	check(lseek(fd, 0, SEEK_SET) == 0, "_llseek");
	check(readv(fd, iov, 2) == 17, "readv");
	check(socketpair(AF_UNIX, SOCK_STREAM, 0, sock) == 0, "socketpair");
	pass_fd(sock, fd, 0);
	pass_fd(sock, fd, 1);
	check(symlink("f", "d/l") == 0, "symlink");
	/* the 16-bit lchown (-1: the group unchanged), then chown32 */
	check(syscall(SYS_lchown, "d/l", 1234, -1) == 0, "lchown");
	check(chown("d/f", 70000, 70001) == 0, "chown32");
	check(rename("d/f", "d/g") == 0, "rename");
	check((dir = opendir("d")) != NULL, "opendir");
	while ((de = readdir(dir)))
		n++;
	check(closedir(dir) == 0, "closedir");
	check(n == 4, "getdents64");
	check(unlink("d/l") == 0, "unlink");
	check(close(fd) == 0, "close");
	return 0;
}
