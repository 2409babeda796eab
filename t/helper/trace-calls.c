/*
 * trace-calls - every call of the file-I/O surface beyond open, read and
 * write, once each (a few twice, with other arguments), in the working
 * directory: access and chmod/chown families, copy_file_range, sendfile,
 * splice, fcntl locks, flags and write-life hints, flock, fallocate, fadvise, readahead,
 * the syncs, getdents64, links, symlinks, readlinks, mknods, utimes,
 * the xattr calls, statfs, getcwd, name_to_handle_at, open_by_handle_at,
 * memfd_create, mmap/msync/madvise/munmap, descriptors passed over a
 * unix socket, close_range, vfork, unshare and the stat family.
 *
 * For t/ior-trace.bats, installed as "calls": trace_calls traces it
 * once and the tests read its records (ccalls), one test compares the
 * counts with strace -c.
 */
#define _GNU_SOURCE
#include <fcntl.h>
#include <sched.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/syscall.h>
#include <sys/sysmacros.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <sys/xattr.h>
#include <unistd.h>
#include <utime.h>

#define SYS_fchmodat2_ 452

/* Pass fds a and b over a unix socket, then a message without any. */
static void pass_fds(int a, int b)
{
	char c = 'x', ctl[CMSG_SPACE(2 * sizeof(int))];
	struct iovec iov = { &c, 1 };
	struct msghdr m = { .msg_iov = &iov, .msg_iovlen = 1,
			    .msg_control = ctl, .msg_controllen = sizeof(ctl) };
	struct cmsghdr *cm = CMSG_FIRSTHDR(&m);
	int sv[2], fds[2] = { a, b };

	socketpair(AF_UNIX, SOCK_STREAM, 0, sv);
	cm->cmsg_level = SOL_SOCKET;
	cm->cmsg_type = SCM_RIGHTS;
	cm->cmsg_len = CMSG_LEN(sizeof(fds));
	memcpy(CMSG_DATA(cm), fds, sizeof(fds));
	sendmsg(sv[0], &m, 0);
	m.msg_controllen = sizeof(ctl);
	recvmsg(sv[1], &m, 0);
	m.msg_control = NULL;
	m.msg_controllen = 0;
	sendmsg(sv[0], &m, 0);
	recvmsg(sv[1], &m, 0);
}

int main(void)
{
	static char buf[8192];
	struct flock fl = { .l_type = F_WRLCK, .l_whence = SEEK_SET,
			    .l_start = 0, .l_len = 100 };
	struct utimbuf ub = { 1000000000, 1100000000 };
	struct timeval tv[2] = { { 1200000000, 5 }, { 1300000000, 7 } };
	struct timespec ts[2] = { { 1400000000, 123456789 }, { 0, UTIME_OMIT } };
	struct file_handle *fh = malloc(sizeof(*fh) + MAX_HANDLE_SZ);
	struct statfs sfs;
	struct stat st;
	struct statx sx;
	loff_t off, off2;
	uint64_t hint;
	int fd, fd2, dfd, p[2], mnt;
	void *m;

	fd = open("f", O_RDWR | O_CREAT | O_TRUNC, 0640);
	write(fd, buf, 4096);
	fd2 = open("g", O_RDWR | O_CREAT | O_TRUNC, 0644);

	syscall(SYS_access, "f", R_OK | W_OK);
	syscall(SYS_faccessat, AT_FDCWD, "f", F_OK);
	syscall(SYS_faccessat2, AT_FDCWD, "f", X_OK, AT_EACCESS);
	syscall(SYS_chmod, "f", 0600);
	syscall(SYS_fchmod, fd, 0604);
	syscall(SYS_fchmodat, AT_FDCWD, "f", 0640);
	syscall(SYS_fchmodat2_, AT_FDCWD, "f", 0644, AT_SYMLINK_NOFOLLOW);
	syscall(SYS_chown, "f", 1, 2);
	syscall(SYS_fchown, fd, -1, 3);
	syscall(SYS_lchown, "f", 4, -1);
	syscall(SYS_fchownat, AT_FDCWD, "f", 0, 0, AT_SYMLINK_NOFOLLOW);

	off = 100;
	off2 = 200;
	syscall(SYS_copy_file_range, fd, &off, fd2, &off2, 300, 0);
	syscall(SYS_copy_file_range, fd, NULL, fd2, NULL, 10, 0);
	off = 50;
	syscall(SYS_sendfile, fd2, fd, &off, 20);
	pipe(p);
	off = 7;
	syscall(SYS_splice, fd, &off, p[1], NULL, 30, SPLICE_F_MOVE);
	syscall(SYS_splice, p[0], NULL, fd2, NULL, 30, 0);

	syscall(SYS_fcntl, fd, F_SETLK, &fl);
	fl = (struct flock){ .l_type = F_RDLCK, .l_whence = SEEK_CUR,
			     .l_start = 10, .l_len = 20 };
	syscall(SYS_fcntl, fd, F_OFD_GETLK, &fl);
	syscall(SYS_fcntl, fd, F_SETFD, FD_CLOEXEC);
	syscall(SYS_fcntl, fd, F_SETFL, O_NONBLOCK);
	syscall(SYS_fcntl, fd, F_DUPFD_CLOEXEC, 20);
	syscall(SYS_fcntl, fd, F_GETFL);
	hint = RWH_WRITE_LIFE_SHORT;	/* as RocksDB gives its files */
	syscall(SYS_fcntl, fd, F_SET_RW_HINT, &hint);
	syscall(SYS_fcntl, fd, F_GET_RW_HINT, &hint);
	syscall(SYS_flock, fd, LOCK_EX | LOCK_NB);
	syscall(SYS_flock, fd, LOCK_UN);
	syscall(SYS_fallocate, fd, FALLOC_FL_KEEP_SIZE, 0, 8192);
	syscall(SYS_fadvise64, fd, 0, 4096, POSIX_FADV_SEQUENTIAL);
	syscall(SYS_readahead, fd, 0, 4096);
	syscall(SYS_sync);
	syscall(SYS_syncfs, fd);
	syscall(SYS_sync_file_range, fd, 0, 4096, SYNC_FILE_RANGE_WRITE);

	mkdir("d", 0755);
	dfd = open("d", O_RDONLY | O_DIRECTORY);
	syscall(SYS_getdents64, dfd, buf, sizeof(buf));
	syscall(SYS_link, "f", "hard");
	syscall(SYS_linkat, AT_FDCWD, "f", dfd, "hard2", 0);
	syscall(SYS_symlink, "f", "soft");
	syscall(SYS_symlinkat, "../f", dfd, "soft2");
	syscall(SYS_readlink, "soft", buf, sizeof(buf));
	syscall(SYS_readlinkat, dfd, "soft2", buf, 3);
	syscall(SYS_mknod, "fifo", S_IFIFO | 0644, 0);
	syscall(SYS_mknodat, dfd, "null", S_IFCHR | 0600, makedev(1, 3));

	syscall(SYS_utime, "f", &ub);
	syscall(SYS_utime, "f", NULL);
	syscall(SYS_utimes, "f", tv);
	syscall(SYS_futimesat, dfd, "hard2", tv);
	syscall(SYS_utimensat, AT_FDCWD, "f", ts, AT_SYMLINK_NOFOLLOW);
	ts[0].tv_nsec = UTIME_NOW;
	ts[1] = (struct timespec){ 1500000000, 1 };
	syscall(SYS_utimensat, fd, NULL, ts, 0);

	syscall(SYS_setxattr, "f", "user.a", "va", 2, XATTR_CREATE);
	syscall(SYS_lsetxattr, "f", "user.b", "vb", 2, 0);
	syscall(SYS_fsetxattr, fd, "user.c", "vc", 2, XATTR_CREATE);
	syscall(SYS_getxattr, "f", "user.a", buf, sizeof(buf));
	syscall(SYS_lgetxattr, "f", "user.b", buf, 64);
	syscall(SYS_fgetxattr, fd, "user.c", buf, 64);
	syscall(SYS_listxattr, "f", buf, sizeof(buf));
	syscall(SYS_llistxattr, "f", buf, 100);
	syscall(SYS_flistxattr, fd, buf, 200);
	syscall(SYS_removexattr, "f", "user.a");
	syscall(SYS_lremovexattr, "f", "user.b");
	syscall(SYS_fremovexattr, fd, "user.c");

	syscall(SYS_statfs, "f", &sfs);
	syscall(SYS_fstatfs, fd, &sfs);
	syscall(SYS_getcwd, buf, sizeof(buf));
	fh->handle_bytes = MAX_HANDLE_SZ;
	syscall(SYS_name_to_handle_at, AT_FDCWD, "g", fh, &mnt, 0);
	syscall(SYS_open_by_handle_at, dfd, fh, O_RDONLY);
	syscall(SYS_memfd_create, "scratch", MFD_CLOEXEC);

	m = (void *)syscall(SYS_mmap, 0, 8192, PROT_READ | PROT_WRITE,
			    MAP_SHARED, fd, 4096);
	syscall(SYS_msync, m, 8192, MS_SYNC);
	syscall(SYS_madvise, m, 8192, MADV_WILLNEED);
	syscall(SYS_munmap, m, 8192);
	syscall(SYS_mmap, 0, 4096, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	pass_fds(fd, fd2);
	syscall(SYS_close_range, 100, ~0U, CLOSE_RANGE_CLOEXEC);
	if (vfork() == 0)
		_exit(0);
	syscall(SYS_unshare, CLONE_FILES | CLONE_FS);

	syscall(SYS_stat, "g", &st);
	syscall(SYS_lstat, "g", &st);
	syscall(SYS_fstat, fd2, &st);
	syscall(SYS_newfstatat, AT_FDCWD, "g", &st, 0);
	syscall(SYS_statx, AT_FDCWD, "g", 0, STATX_BASIC_STATS, &sx);
	return 0;
}
