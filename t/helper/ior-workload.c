/*
 * ior-workload - the file I/O workloads the end-to-end tests trace.
 *
 *	ior-workload list
 *	ior-workload setup SCENARIO DIR	create the files that exist before capture
 *	ior-workload run SCENARIO DIR	do the I/O (this is what gets traced)
 *	ior-workload SCENARIO DIR	setup, then run
 *	ior-workload resume SCENARIO DIR ARG...
 *					continue a scenario after it executed
 *					this program again (internal)
 *
 * Every scenario is deterministic: fixed data, fixed seeds, and the same
 * system calls in the same numbers on every run, so a capture can be
 * compared call for call with strace -c. The run phase therefore uses the
 * libc system call wrappers only (no stdio), and the legacy calls (stat,
 * lstat, fstat) through syscall(2), since glibc maps them to newfstatat.
 * Linux AIO goes through syscall(2) (glibc wraps none of it), io_uring
 * through liburing, one io_uring_enter per batch.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sched.h>
#include <semaphore.h>
#include <dirent.h>
#include <signal.h>
#include <sys/file.h>
#include <sys/mman.h>
#include <sys/sendfile.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/syscall.h>
#include <sys/time.h>
#include <sys/uio.h>
#include <sys/wait.h>
#include <sys/xattr.h>
#include <linux/aio_abi.h>
#include <linux/openat2.h>
#include <liburing.h>
#include <poll.h>
#include <unistd.h>
#include <utime.h>

#define KiB 1024
#define MiB (1024 * 1024)

static char pattern[MiB];	/* what every write writes: fixed bytes */
static const char *dir;		/* absolute directory of the scenario */

static _Noreturn void die(const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "ior-workload: ");
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	exit(1);
}

/* Check a call that must succeed; rv < 0 is a failure with errno set. */
static long check(long rv, const char *what, int line)
{
	if (rv < 0)
		die("line %d: %s: %s", line, what, strerror(errno));
	return rv;
}
#define X(call) check((call), #call, __LINE__)

/* Check a call that must fail with errno e (a missing file, a bad fd). */
static void check_fails(long rv, int e, const char *what, int line)
{
	if (rv >= 0 || errno != e)
		die("line %d: %s: expected %s, got %ld (%s)", line, what,
		    strerror(e), rv, strerror(errno));
}
#define FAILS(call, e) check_fails((call), (e), #call, __LINE__)

/* Check a transfer of exactly n bytes. */
static void check_n(long rv, long n, const char *what, int line)
{
	check(rv, what, line);
	if (rv != n)
		die("line %d: %s: transferred %ld of %ld bytes", line, what, rv, n);
}
#define N(call, n) check_n((call), (n), #call, __LINE__)

/* dir/name into p (PATH_MAX bytes). */
static char *in_dir(char *p, const char *name)
{
	if (snprintf(p, PATH_MAX, "%s/%s", dir, name) >= PATH_MAX)
		die("%s/%s: path too long", dir, name);
	return p;
}

/* A deterministic pseudo-random sequence (64-bit LCG, Knuth's MMIX). */
static uint64_t next_rand(uint64_t *s)
{
	*s = *s * 6364136223846793005ull + 1442695040888963407ull;
	return *s >> 33;
}

/* Create dir/name holding size bytes of the pattern. */
static void make_file(const char *name, long size)
{
	char p[PATH_MAX];
	int fd = X(open(in_dir(p, name), O_WRONLY | O_CREAT | O_TRUNC, 0644));

	for (long off = 0; off < size; off += MiB) {
		long n = size - off < MiB ? size - off : MiB;

		N(write(fd, pattern, n), n);
	}
	X(close(fd));
}

static void make_dir(const char *name)
{
	char p[PATH_MAX];

	if (mkdir(in_dir(p, name), 0755) < 0 && errno != EEXIST)
		die("mkdir %s: %s", p, strerror(errno));
}

/* Compare n bytes read back at file offset off with what was written. */
static void check_data(const char *buf, long n, long off, const char *what)
{
	if (memcmp(buf, pattern + off % MiB, n))
		die("%s: data read back differs at offset %ld", what, off);
}

/* ---- threads-share-fd: 4 threads pwrite disjoint ranges of one fd ---- */

#define SHARE_THREADS 4
#define SHARE_CHUNKS 16		/* 4 KiB chunks per thread */

static int share_fd;

static void *share_writer(void *arg)
{
	long t = (long)arg;

	for (long i = 0; i < SHARE_CHUNKS; i++) {
		long off = (t * SHARE_CHUNKS + i) * 4 * KiB;

		N(pwrite(share_fd, pattern + off, 4 * KiB, off), 4 * KiB);
	}
	return NULL;
}

static void run_threads_share_fd(void)
{
	static char buf[SHARE_THREADS * SHARE_CHUNKS * 4 * KiB];
	pthread_t th[SHARE_THREADS];
	char p[PATH_MAX];

	share_fd = X(open(in_dir(p, "shared.dat"),
			  O_RDWR | O_CREAT | O_TRUNC, 0644));
	for (long t = 0; t < SHARE_THREADS; t++)
		if ((errno = pthread_create(&th[t], NULL, share_writer, (void *)t)))
			die("pthread_create: %s", strerror(errno));
	for (int t = 0; t < SHARE_THREADS; t++)
		pthread_join(th[t], NULL);
	X(fsync(share_fd));
	N(pread(share_fd, buf, sizeof(buf), 0), (long)sizeof(buf));
	check_data(buf, sizeof(buf), 0, "shared.dat");
	X(close(share_fd));
}

/* ---- fork-dup2: a child logs through fd 1 dup2'ed onto the log ---- */

static void run_fork_dup2(void)
{
	char p[PATH_MAX];
	int fd, status;
	pid_t pid;

	fd = X(open(in_dir(p, "app.log"), O_WRONLY | O_CREAT | O_APPEND, 0644));
	N(write(fd, "parent: start\n", 14), 14);
	pid = X(fork());
	if (pid == 0) {
		X(dup2(fd, 1));
		X(close(fd));
		for (int i = 0; i < 5; i++)
			N(write(1, "child: working\n", 15), 15);
		_exit(0);
	}
	X(waitpid(pid, &status, 0));
	if (!WIFEXITED(status) || WEXITSTATUS(status))
		die("fork-dup2: child failed");
	N(write(fd, "parent: done\n", 13), 13);
	X(close(fd));
}

static void setup_fork_dup2(void)
{
	make_file("app.log", 100);
}

/* ---- dirfd-chdir: *at calls relative to a directory fd, fchdir ---- */

static void setup_dirfd_chdir(void)
{
	make_dir("work");
	make_file("work/old.txt", 3000);
}

static void run_dirfd_chdir(void)
{
	char buf[4 * KiB];
	int dfd, fd;

	X(chdir(dir));
	dfd = X(open("work", O_RDONLY | O_DIRECTORY));
	fd = X(openat(dfd, "new.txt", O_WRONLY | O_CREAT | O_TRUNC, 0644));
	N(write(fd, pattern, 2000), 2000);
	X(close(fd));
	X(mkdirat(dfd, "sub", 0755));
	fd = X(openat(dfd, "sub/inner.txt", O_WRONLY | O_CREAT | O_EXCL, 0600));
	N(write(fd, pattern, 500), 500);
	X(close(fd));
	X(renameat(dfd, "new.txt", dfd, "sub/moved.txt"));
	fd = X(openat(dfd, "old.txt", O_RDONLY));
	N(read(fd, buf, sizeof(buf)), 3000);
	X(close(fd));
	X(unlinkat(dfd, "old.txt", 0));
	X(mkdirat(dfd, "gone", 0755));
	X(unlinkat(dfd, "gone", AT_REMOVEDIR));
	FAILS(openat(dfd, "missing.txt", O_RDONLY), ENOENT);
	X(fchdir(dfd));
	fd = X(open("sub/moved.txt", O_RDONLY));
	N(read(fd, buf, sizeof(buf)), 2000);
	check_data(buf, 2000, 0, "sub/moved.txt");
	X(close(fd));
	X(chdir(".."));
	X(close(dfd));
}

/* ---- rename-over: the atomic save pattern ---- */

static void setup_rename_over(void)
{
	make_file("config.json", 5000);
}

static void run_rename_over(void)
{
	char p[PATH_MAX], tmp[PATH_MAX], buf[8 * KiB];
	int fd;

	fd = X(open(in_dir(p, "config.json"), O_RDONLY));
	N(read(fd, buf, sizeof(buf)), 5000);
	X(close(fd));
	fd = X(open(in_dir(tmp, "config.json.tmp"),
		    O_WRONLY | O_CREAT | O_TRUNC, 0644));
	N(write(fd, pattern, 4000), 4000);
	N(write(fd, pattern + 4000, 3000), 3000);
	X(fsync(fd));
	X(close(fd));
	X(rename(tmp, p));
	fd = X(open(dir, O_RDONLY | O_DIRECTORY));
	X(fsync(fd));
	X(close(fd));
	fd = X(open(p, O_RDONLY));
	N(read(fd, buf, sizeof(buf)), 7000);
	check_data(buf, 7000, 0, "config.json");
	X(close(fd));
}

/* ---- unlink-open: I/O through descriptors of unlinked files ---- */

static void setup_unlink_open(void)
{
	make_file("victim.dat", 20000);
}

static void run_unlink_open(void)
{
	char p[PATH_MAX], buf[8 * KiB];
	int fd;

	fd = X(open(in_dir(p, "victim.dat"), O_RDWR));
	X(unlink(p));
	N(read(fd, buf, sizeof(buf)), (long)sizeof(buf));
	N(pwrite(fd, pattern, 1000, 30000), 1000);
	N(pread(fd, buf, 1000, 30000), 1000);
	X(close(fd));

	fd = X(open(in_dir(p, "scratch.tmp"), O_RDWR | O_CREAT | O_TRUNC, 0600));
	N(write(fd, pattern, 8 * KiB), 8 * KiB);
	X(unlink(p));
	N(write(fd, pattern + 8 * KiB, 4 * KiB), 4 * KiB);
	X(lseek(fd, 0, SEEK_SET));
	N(read(fd, buf, sizeof(buf)), (long)sizeof(buf));
	check_data(buf, sizeof(buf), 0, "scratch.tmp");
	X(close(fd));
	FAILS(open(p, O_RDONLY), ENOENT);
}

/* ---- read-whole, read-chunks, read-random: reading existing files ---- */

#define WHOLE_SIZE MiB
#define CHUNKS_SIZE 300000
#define RANDOM_SIZE MiB
#define RANDOM_READS 200

static void setup_read_whole(void)
{
	make_file("whole.bin", WHOLE_SIZE);
}

static void run_read_whole(void)
{
	static char buf[WHOLE_SIZE + 1];
	char p[PATH_MAX];
	int fd = X(open(in_dir(p, "whole.bin"), O_RDONLY));

	N(read(fd, buf, sizeof(buf)), WHOLE_SIZE);
	N(read(fd, buf, sizeof(buf)), 0);
	X(close(fd));
	check_data(buf, WHOLE_SIZE, 0, "whole.bin");
}

static void setup_read_chunks(void)
{
	make_file("chunks.bin", CHUNKS_SIZE);
}

static void run_read_chunks(void)
{
	char p[PATH_MAX], buf[4 * KiB];
	long n, total = 0;
	int fd = X(open(in_dir(p, "chunks.bin"), O_RDONLY));

	while ((n = X(read(fd, buf, sizeof(buf)))) > 0)
		total += n;
	if (total != CHUNKS_SIZE)
		die("chunks.bin: read %ld bytes, expected %d", total, CHUNKS_SIZE);
	X(close(fd));
}

static void setup_read_random(void)
{
	make_file("random.bin", RANDOM_SIZE);
}

static void run_read_random(void)
{
	char p[PATH_MAX], buf[4 * KiB];
	uint64_t seed = 42;
	int fd = X(open(in_dir(p, "random.bin"), O_RDONLY));

	for (int i = 0; i < RANDOM_READS; i++) {
		long off = next_rand(&seed) % (RANDOM_SIZE - sizeof(buf));

		N(pread(fd, buf, sizeof(buf), off), (long)sizeof(buf));
		check_data(buf, sizeof(buf), off, "random.bin");
	}
	N(pread(fd, buf, sizeof(buf), RANDOM_SIZE), 0);
	X(close(fd));
}

/* ---- lseek-zero: rewind, seek to the end, append after a seek ---- */

static void setup_lseek_zero(void)
{
	make_file("seek.dat", 10000);
}

static void run_lseek_zero(void)
{
	char p[PATH_MAX], buf[4 * KiB];
	int fd = X(open(in_dir(p, "seek.dat"), O_RDWR));

	N(read(fd, buf, sizeof(buf)), (long)sizeof(buf));
	N(lseek(fd, 0, SEEK_SET), 0);
	N(read(fd, buf, sizeof(buf)), (long)sizeof(buf));
	N(lseek(fd, 0, SEEK_CUR), (long)sizeof(buf));
	N(lseek(fd, 0, SEEK_END), 10000);
	N(write(fd, pattern, 100), 100);
	N(lseek(fd, -50, SEEK_CUR), 10050);
	N(read(fd, buf, sizeof(buf)), 50);
	FAILS(lseek(fd, -1, SEEK_SET), EINVAL);
	X(close(fd));
}

/* ---- truncate: shorter and longer, by path and by descriptor ---- */

static void setup_truncate(void)
{
	make_file("shrink.dat", 50000);
	make_file("grow.dat", 1000);
	make_file("fshrink.dat", 40000);
	make_file("fgrow.dat", 100);
}

static void run_truncate(void)
{
	char p[PATH_MAX];
	int fd;

	X(truncate(in_dir(p, "shrink.dat"), 1234));
	X(truncate(in_dir(p, "grow.dat"), 70000));
	FAILS(truncate(in_dir(p, "missing.dat"), 10), ENOENT);
	fd = X(open(in_dir(p, "fshrink.dat"), O_RDWR));
	X(ftruncate(fd, 10));
	X(close(fd));
	fd = X(open(in_dir(p, "fgrow.dat"), O_RDWR));
	X(ftruncate(fd, MiB));
	N(pwrite(fd, pattern, 100, MiB), 100);
	X(close(fd));
}

/* ---- big-offset: offsets above 2 GiB in a sparse file ---- */

#define BIG_OFFSET (3ll * 1024 * MiB + 17)

static void run_big_offset(void)
{
	char p[PATH_MAX], buf[4 * KiB];
	int fd = X(open(in_dir(p, "sparse.img"), O_RDWR | O_CREAT | O_TRUNC, 0644));

	N(pwrite(fd, pattern, sizeof(buf), BIG_OFFSET), (long)sizeof(buf));
	N(pread(fd, buf, sizeof(buf), BIG_OFFSET), (long)sizeof(buf));
	check_data(buf, sizeof(buf), 0, "sparse.img");
	N(lseek(fd, 0, SEEK_END), BIG_OFFSET + (long)sizeof(buf));
	N(lseek(fd, BIG_OFFSET, SEEK_SET), BIG_OFFSET);
	N(read(fd, buf, sizeof(buf)), (long)sizeof(buf));
	X(close(fd));
}

/* ---- stat-family: every stat call on existing and missing paths ---- */

static void setup_stat_family(void)
{
	char p[PATH_MAX];

	make_file("exists.txt", 777);
	make_dir("dir");
	if (symlink("exists.txt", in_dir(p, "link")) < 0 && errno != EEXIST)
		die("symlink %s: %s", p, strerror(errno));
}

static void run_stat_family(void)
{
	char p[PATH_MAX], lnk[PATH_MAX], miss[PATH_MAX];
	struct stat st;
	struct statx sx;
	int fd, dfd;

	in_dir(p, "exists.txt");
	in_dir(lnk, "link");
	in_dir(miss, "missing.txt");
	X(syscall(SYS_stat, p, &st));
	if (st.st_size != 777)
		die("stat %s: size %ld, expected 777", p, (long)st.st_size);
	X(syscall(SYS_lstat, lnk, &st));
	X(syscall(SYS_stat, lnk, &st));
	FAILS(syscall(SYS_stat, miss, &st), ENOENT);
	FAILS(syscall(SYS_lstat, miss, &st), ENOENT);
	X(fstatat(AT_FDCWD, p, &st, 0));
	X(fstatat(AT_FDCWD, lnk, &st, AT_SYMLINK_NOFOLLOW));
	FAILS(fstatat(AT_FDCWD, miss, &st, 0), ENOENT);
	X(statx(AT_FDCWD, p, 0, STATX_BASIC_STATS, &sx));
	FAILS(statx(AT_FDCWD, miss, 0, STATX_BASIC_STATS, &sx), ENOENT);
	fd = X(open(p, O_RDONLY));
	X(syscall(SYS_fstat, fd, &st));
	X(close(fd));
	dfd = X(open(dir, O_RDONLY | O_DIRECTORY));
	X(fstatat(dfd, "exists.txt", &st, 0));
	X(statx(dfd, "dir", AT_SYMLINK_NOFOLLOW, STATX_BASIC_STATS, &sx));
	FAILS(statx(dfd, "missing.txt", 0, STATX_SIZE, &sx), ENOENT);
	X(close(dfd));
}

/* ---- dup-family: writes through dup, dup2 and dup3 copies ---- */

static void run_dup_family(void)
{
	char p[PATH_MAX];
	int fd, a, b, c;

	fd = X(open(in_dir(p, "dup.log"), O_WRONLY | O_CREAT | O_TRUNC, 0644));
	a = X(dup(fd));
	b = X(dup2(fd, 20));
	c = X(dup3(fd, 21, O_CLOEXEC));
	FAILS(dup2(99, 22), EBADF);
	X(close(fd));
	N(write(a, "via dup\n", 8), 8);
	N(write(b, "via dup2\n", 9), 9);
	N(write(c, "via dup3\n", 9), 9);
	X(close(a));
	N(write(b, "dup2 after close\n", 17), 17);
	X(close(b));
	N(write(c, "dup3 last\n", 10), 10);
	X(close(c));
	FAILS(close(c), EBADF);
}

/* ---- mixed: the demo, a small threaded and forking application ---- */

#define MIXED_THREADS 3
#define MIXED_FILES 4		/* output files per thread */
#define MIXED_CHUNK (64 * KiB)

static const long mixed_input_size[MIXED_THREADS] = { 200000, 150000, 65537 };

static void setup_mixed(void)
{
	char name[64];

	make_dir("input");
	for (int t = 0; t < MIXED_THREADS; t++) {
		snprintf(name, sizeof(name), "input/in-%d.dat", t);
		make_file(name, mixed_input_size[t]);
	}
}

/* A worker: read its input in chunks, then save several outputs. */
static void *mixed_worker(void *arg)
{
	static char bufs[MIXED_THREADS][MIXED_CHUNK];
	long t = (long)arg;
	char *buf = bufs[t];
	char name[64], p[PATH_MAX], tmp[PATH_MAX];
	long n, total = 0;
	int fd;

	snprintf(name, sizeof(name), "input/in-%ld.dat", t);
	fd = X(open(in_dir(p, name), O_RDONLY));
	while ((n = X(read(fd, buf, MIXED_CHUNK))) > 0)
		total += n;
	X(close(fd));
	if (total != mixed_input_size[t])
		die("%s: read %ld bytes", p, total);

	snprintf(name, sizeof(name), "out/t%ld", t);
	X(mkdir(in_dir(p, name), 0755));
	for (int i = 0; i < MIXED_FILES; i++) {
		long size = 8 * KiB * (i + 1) + t * 100;

		snprintf(name, sizeof(name), "out/t%ld/part-%d.tmp", t, i);
		fd = X(open(in_dir(tmp, name), O_RDWR | O_CREAT | O_TRUNC, 0644));
		N(write(fd, pattern, size), size);
		X(fdatasync(fd));
		N(pread(fd, buf, size, 0), size);
		X(close(fd));
		snprintf(name, sizeof(name), "out/t%ld/part-%d.dat", t, i);
		X(rename(tmp, in_dir(p, name)));
	}
	return NULL;
}

/* The forked child: read every output, write a summary. */
static void mixed_summarise(void)
{
	static char buf[MIXED_CHUNK];
	char name[64], p[PATH_MAX];
	long n, total = 0;
	int fd, out;

	for (int t = 0; t < MIXED_THREADS; t++)
		for (int i = 0; i < MIXED_FILES; i++) {
			snprintf(name, sizeof(name), "out/t%d/part-%d.dat", t, i);
			fd = X(open(in_dir(p, name), O_RDONLY));
			while ((n = X(read(fd, buf, 16 * KiB))) > 0)
				total += n;
			X(close(fd));
		}
	out = X(open(in_dir(p, "out/summary.txt"), O_WRONLY | O_CREAT | O_TRUNC, 0644));
	n = snprintf(buf, sizeof(buf), "files=%d bytes=%ld\n",
		     MIXED_THREADS * MIXED_FILES, total);
	N(write(out, buf, n), n);
	X(fsync(out));
	X(close(out));
}

static void run_mixed(void)
{
	pthread_t th[MIXED_THREADS];
	char p[PATH_MAX];
	struct stat st;
	int status;
	pid_t pid;

	X(mkdir(in_dir(p, "out"), 0755));
	for (long t = 0; t < MIXED_THREADS; t++)
		if ((errno = pthread_create(&th[t], NULL, mixed_worker, (void *)t)))
			die("pthread_create: %s", strerror(errno));
	for (int t = 0; t < MIXED_THREADS; t++)
		pthread_join(th[t], NULL);
	pid = X(fork());
	if (pid == 0) {
		mixed_summarise();
		_exit(0);
	}
	X(waitpid(pid, &status, 0));
	if (!WIFEXITED(status) || WEXITSTATUS(status))
		die("mixed: child failed");
	X(fstatat(AT_FDCWD, in_dir(p, "out/summary.txt"), &st, 0));
}

/*
 * ---- issue 3: the rest of the file-I/O surface and the process model ----
 *
 * A scenario's run phase first looks at (lstat) every entry its setup
 * made, as applications do before using them, so that the capture holds
 * their types, sizes, modes and link counts and the starting tree can be
 * inferred from it.
 */

static void look(const char *name)
{
	char p[PATH_MAX];
	struct stat st;

	X(fstatat(AT_FDCWD, in_dir(p, name), &st, AT_SYMLINK_NOFOLLOW));
}

static int open_dir(void)
{
	return X(open(dir, O_RDONLY | O_DIRECTORY));
}

static void make_link(const char *target, const char *name)
{
	char p[PATH_MAX];

	if (symlink(target, in_dir(p, name)) < 0 && errno != EEXIST)
		die("symlink %s: %s", p, strerror(errno));
}

static void set_mode(const char *name, mode_t mode)
{
	char p[PATH_MAX];

	X(chmod(in_dir(p, name), mode));
}

/* Create dir/name fresh with size bytes and return it open read-write. */
static int create_file(const char *name, long size)
{
	char p[PATH_MAX];
	int fd = X(open(in_dir(p, name), O_RDWR | O_CREAT | O_TRUNC, 0644));

	if (size)
		N(write(fd, pattern, size), size);
	return fd;
}

/* ---- access-family: access, faccessat, faccessat2 ---- */

static void setup_access_family(void)
{
	make_file("present.txt", 10);
	set_mode("present.txt", 0640);
	make_dir("d");
}

static void run_access_family(void)
{
	char p[PATH_MAX], miss[PATH_MAX];
	int dfd;

	look("present.txt");
	look("d");
	in_dir(miss, "missing.txt");
	X(syscall(SYS_access, in_dir(p, "present.txt"), R_OK | W_OK));
	FAILS(syscall(SYS_access, miss, F_OK), ENOENT);
	dfd = open_dir();
	X(syscall(SYS_faccessat, dfd, "present.txt", F_OK));
	X(syscall(SYS_faccessat, dfd, "d", X_OK));
	FAILS(syscall(SYS_faccessat, dfd, "missing.txt", R_OK), ENOENT);
	X(syscall(SYS_faccessat2, AT_FDCWD, p, R_OK, AT_EACCESS));
	X(syscall(SYS_faccessat2, dfd, "d", F_OK, AT_SYMLINK_NOFOLLOW));
	FAILS(syscall(SYS_faccessat2, AT_FDCWD, miss, F_OK, AT_EACCESS), ENOENT);
	X(close(dfd));
}

/* ---- chmod-chown: every chmod and chown call ---- */

#ifndef SYS_fchmodat2
#define SYS_fchmodat2 452
#endif

static void setup_chmod_chown(void)
{
	make_file("a.txt", 100);
	make_file("b.txt", 200);
	make_file("c.txt", 300);
	make_file("d.txt", 400);
	make_link("a.txt", "ln");
}

static void run_chmod_chown(void)
{
	char p[PATH_MAX];
	int fd, dfd;

	look("a.txt");
	look("b.txt");
	look("c.txt");
	look("d.txt");
	look("ln");
	X(syscall(SYS_chmod, in_dir(p, "a.txt"), 0600));
	X(syscall(SYS_chown, p, 1, 1));
	fd = X(open(in_dir(p, "b.txt"), O_RDONLY));
	X(fchmod(fd, 0640));
	X(fchown(fd, 2, 2));
	X(close(fd));
	dfd = open_dir();
	X(syscall(SYS_fchmodat, dfd, "c.txt", 0700));
	X(fchownat(dfd, "c.txt", -1, 3, 0));
	X(syscall(SYS_fchmodat2, dfd, "d.txt", 0604, 0));
	FAILS(syscall(SYS_fchmodat2, dfd, "ln", 0600, AT_SYMLINK_NOFOLLOW), EOPNOTSUPP);
	X(syscall(SYS_lchown, in_dir(p, "ln"), 4, 4));
	X(fchownat(dfd, "d.txt", 5, 5, AT_SYMLINK_NOFOLLOW));
	FAILS(syscall(SYS_chmod, in_dir(p, "missing.txt"), 0644), ENOENT);
	X(close(dfd));
}

/* ---- close-range: close and mark close-on-exec a range of fds ---- */

static void run_close_range(void)
{
	char name[16];
	int fd[5];

	for (int i = 0; i < 5; i++) {
		snprintf(name, sizeof(name), "r%d.dat", i);
		fd[i] = create_file(name, 100 * (i + 1));
	}
	X(close_range(fd[1], fd[3], 0));
	FAILS(write(fd[2], pattern, 10), EBADF);
	N(write(fd[4], pattern, 10), 10);
	X(close_range(fd[4], fd[4], CLOSE_RANGE_CLOEXEC));
	N(write(fd[4], pattern, 10), 10);
	X(close_range(fd[0], fd[0], 0));
	X(close(fd[4]));
	FAILS(close(fd[0]), EBADF);
}

/* ---- copy-range: copy_file_range, sendfile, splice through a pipe ---- */

static void setup_copy_range(void)
{
	make_file("src.dat", 100000);
}

static void run_copy_range(void)
{
	char p[PATH_MAX];
	loff_t in, out;
	off_t off;
	int src, dst, pfd[2];

	look("src.dat");
	src = X(open(in_dir(p, "src.dat"), O_RDONLY));
	dst = X(open(in_dir(p, "copy.dat"), O_WRONLY | O_CREAT | O_TRUNC, 0644));
	N(copy_file_range(src, NULL, dst, NULL, 30000, 0), 30000);
	in = 50000;
	out = 60000;
	N(copy_file_range(src, &in, dst, &out, 10000, 0), 10000);
	X(close(dst));
	dst = X(open(in_dir(p, "sent.dat"), O_WRONLY | O_CREAT | O_TRUNC, 0644));
	off = 0;
	N(sendfile(dst, src, &off, 20000), 20000);
	N(sendfile(dst, src, NULL, 5000), 5000);	/* from src's position, 30000 */
	X(close(dst));
	dst = X(open(in_dir(p, "spliced.dat"), O_WRONLY | O_CREAT | O_TRUNC, 0644));
	X(pipe(pfd));
	in = 8192;
	N(splice(src, &in, pfd[1], NULL, 8192, 0), 8192);
	out = 100;
	N(splice(pfd[0], NULL, dst, &out, 8192, 0), 8192);
	X(close(pfd[0]));
	X(close(pfd[1]));
	X(close(dst));
	X(close(src));
}

/* ---- fcntl-locks: record and OFD locks, dup, fd and file flags ---- */

static void lock(int fd, int cmd, short type, off_t start, off_t len)
{
	struct flock fl = { .l_type = type, .l_whence = SEEK_SET,
			    .l_start = start, .l_len = len };

	X(fcntl(fd, cmd, &fl));
}

/* F_GETLK: the type of the lock that would block a F_WRLCK on the range. */
static short lock_held(int fd, int cmd, off_t start, off_t len)
{
	struct flock fl = { .l_type = F_WRLCK, .l_whence = SEEK_SET,
			    .l_start = start, .l_len = len };

	X(fcntl(fd, cmd, &fl));
	return fl.l_type;
}

static void run_fcntl_locks(void)
{
	struct flock fl = { .l_type = F_WRLCK, .l_whence = SEEK_SET, .l_len = 100 };
	struct stat st;
	int fd, a, b, status;
	pid_t pid;

	fd = create_file("locked.db", 4096);
	lock(fd, F_SETLK, F_WRLCK, 0, 100);
	lock(fd, F_SETLKW, F_RDLCK, 200, 50);
	if (lock_held(fd, F_GETLK, 0, 0) != F_UNLCK)
		die("fcntl-locks: own lock reported as conflicting");
	lock(fd, F_OFD_SETLK, F_WRLCK, 1000, 10);
	lock(fd, F_OFD_SETLKW, F_RDLCK, 2000, 10);
	if (lock_held(fd, F_OFD_GETLK, 1000, 2000) != F_UNLCK)
		die("fcntl-locks: own OFD lock reported as conflicting");
	pid = X(fork());
	if (pid == 0) {
		if (lock_held(fd, F_GETLK, 0, 10) != F_WRLCK)
			die("fcntl-locks: the parent's lock is not seen");
		FAILS(fcntl(fd, F_SETLK, &fl), EAGAIN);
		_exit(0);
	}
	X(waitpid(pid, &status, 0));
	if (!WIFEXITED(status) || WEXITSTATUS(status))
		die("fcntl-locks: child failed");
	lock(fd, F_SETLK, F_UNLCK, 0, 0);
	lock(fd, F_OFD_SETLK, F_UNLCK, 0, 0);
	a = X(fcntl(fd, F_DUPFD, 10));
	b = X(fcntl(fd, F_DUPFD_CLOEXEC, 20));
	if (a < 10 || b < 20)
		die("fcntl-locks: F_DUPFD returned %d and %d", a, b);
	X(fcntl(a, F_SETFD, FD_CLOEXEC));
	X(fcntl(b, F_SETFD, 0));
	X(fcntl(fd, F_SETFL, O_APPEND));
	N(write(a, pattern, 1000), 1000);	/* appends: the flag is shared */
	X(close(fd));
	N(write(b, pattern, 24), 24);
	X(fstat(b, &st));
	if (st.st_size != 5120)
		die("fcntl-locks: size %ld, expected 5120", (long)st.st_size);
	X(close(a));
	X(close(b));
	FAILS(fcntl(a, F_SETFD, 0), EBADF);
}

/* ---- fcntl-rw-hint: a write-life hint, as RocksDB gives its files ---- */

static void run_fcntl_rw_hint(void)
{
	uint64_t hint = RWH_WRITE_LIFE_SHORT, got = 0;
	int fd = create_file("000042.sst", 0);

	X(fcntl(fd, F_SET_RW_HINT, &hint));
	N(write(fd, pattern, 64 * KiB), 64 * KiB);
	X(fcntl(fd, F_GET_RW_HINT, &got));
	if (got != hint)
		die("fcntl-rw-hint: hint %llu, expected %llu",
		    (unsigned long long)got, (unsigned long long)hint);
	X(fdatasync(fd));
	X(close(fd));
}

/* ---- flock: shared, exclusive, non-blocking conflicts, unlock ---- */

static void run_flock(void)
{
	char p[PATH_MAX];
	int a, b;

	a = create_file("flocked", 512);
	b = X(open(in_dir(p, "flocked"), O_RDWR));
	X(flock(a, LOCK_SH));
	X(flock(a, LOCK_EX | LOCK_NB));
	FAILS(flock(b, LOCK_EX | LOCK_NB), EWOULDBLOCK);
	FAILS(flock(b, LOCK_SH | LOCK_NB), EWOULDBLOCK);
	N(write(a, pattern, 100), 100);
	X(flock(a, LOCK_UN));
	X(flock(b, LOCK_EX));
	N(pwrite(b, pattern, 100, 512), 100);
	X(flock(b, LOCK_UN));
	X(close(b));
	X(close(a));
}

/* ---- fallocate-fadvise: space, hints and syncs ---- */

static void setup_fallocate_fadvise(void)
{
	make_file("existing.dat", 200000);
}

/* posix_fadvise returns the error instead of setting errno. */
static void advise(int fd, off_t off, off_t len, int advice)
{
	if ((errno = posix_fadvise(fd, off, len, advice)))
		die("posix_fadvise %d: %s", advice, strerror(errno));
}

static void run_fallocate_fadvise(void)
{
	char p[PATH_MAX], buf[4 * KiB];
	struct stat st;
	int fd;

	look("existing.dat");
	fd = create_file("alloc.dat", 0);
	X(fallocate(fd, 0, 0, 65536));
	X(fallocate(fd, FALLOC_FL_KEEP_SIZE, 65536, 65536));
	X(fallocate(fd, FALLOC_FL_PUNCH_HOLE | FALLOC_FL_KEEP_SIZE, 4096, 8192));
	N(pwrite(fd, pattern, 4096, 0), 4096);
	X(sync_file_range(fd, 0, 4096, SYNC_FILE_RANGE_WRITE));
	X(sync_file_range(fd, 0, 0, SYNC_FILE_RANGE_WAIT_BEFORE |
			  SYNC_FILE_RANGE_WRITE | SYNC_FILE_RANGE_WAIT_AFTER));
	X(fstat(fd, &st));
	if (st.st_size != 65536)
		die("alloc.dat: size %ld, expected 65536", (long)st.st_size);
	X(syncfs(fd));
	X(close(fd));
	fd = X(open(in_dir(p, "existing.dat"), O_RDONLY));
	advise(fd, 0, 0, POSIX_FADV_SEQUENTIAL);
	X(readahead(fd, 0, 65536));
	N(read(fd, buf, sizeof(buf)), (long)sizeof(buf));
	advise(fd, 0, 4096, POSIX_FADV_DONTNEED);
	advise(fd, 100000, 50000, POSIX_FADV_WILLNEED);
	N(pread(fd, buf, sizeof(buf), 100000), (long)sizeof(buf));
	X(close(fd));
	sync();
}

/* ---- getdents: list a directory, then stat what it holds ---- */

static void setup_getdents(void)
{
	make_dir("list");
	make_file("list/a", 1);
	make_file("list/bb", 22);
	make_file("list/ccc", 333);
	make_dir("list/sub");
	make_link("a", "list/to-a");
}

static void run_getdents(void)
{
	char p[PATH_MAX], buf[4 * KiB];
	long n;
	int fd, entries = 0;
	struct stat st;

	look("list");
	fd = X(open(in_dir(p, "list"), O_RDONLY | O_DIRECTORY));
	while ((n = X(syscall(SYS_getdents64, fd, buf, sizeof(buf)))) > 0)
		for (long off = 0; off < n; entries++) {
			struct dirent64 *d = (struct dirent64 *)(buf + off);

			if (strcmp(d->d_name, ".") && strcmp(d->d_name, ".."))
				X(fstatat(fd, d->d_name, &st, AT_SYMLINK_NOFOLLOW));
			off += d->d_reclen;
		}
	if (entries != 7)
		die("getdents: %d entries, expected 7", entries);
	X(close(fd));
}

/* ---- links: hard and symbolic links, reading them back ---- */

static void setup_links(void)
{
	make_file("target.txt", 1234);
}

static void run_links(void)
{
	char p[PATH_MAX], q[PATH_MAX], buf[PATH_MAX];
	int dfd;

	look("target.txt");
	X(syscall(SYS_link, in_dir(p, "target.txt"), in_dir(q, "hard1")));
	FAILS(syscall(SYS_link, p, q), EEXIST);
	dfd = open_dir();
	X(linkat(AT_FDCWD, p, dfd, "hard2", 0));
	X(syscall(SYS_symlink, "target.txt", in_dir(q, "soft1")));
	X(symlinkat("target.txt", dfd, "soft2"));
	X(symlinkat("nowhere", dfd, "dangling"));
	X(linkat(dfd, "soft1", dfd, "hard3", AT_SYMLINK_FOLLOW));
	N(syscall(SYS_readlink, q, buf, sizeof(buf)), 10);
	N(readlinkat(dfd, "soft2", buf, sizeof(buf)), 10);
	N(readlinkat(dfd, "dangling", buf, 3), 3);
	FAILS(syscall(SYS_readlink, p, buf, sizeof(buf)), EINVAL);
	X(close(dfd));
}

/*
 * ---- through-links: files reached through symbolic links that existed
 * before, as /lib on Debian 12 and /etc/localtime ----
 * lnk -> priv, a directory of mode 0700 (owned by 65534 when setup runs
 * as root) that the run never names itself; zone -> priv/f; abs -> DIR/
 * priv/sub, an absolute target. The run reads through each.
 */

static void setup_through_links(void)
{
	char p[PATH_MAX], q[PATH_MAX];

	make_dir("priv");
	make_dir("priv/sub");
	make_file("priv/f", 3000);
	make_file("priv/sub/g", 5000);
	X(chmod(in_dir(p, "priv/f"), 0600));
	X(chmod(in_dir(p, "priv"), 0700));
	if (geteuid() == 0) {
		X(chown(in_dir(p, "priv/f"), 65534, 65534));
		X(chown(in_dir(p, "priv"), 65534, 65534));
	}
	X(symlink("priv", in_dir(p, "lnk")));
	X(symlink("priv/f", in_dir(p, "zone")));
	X(symlink(in_dir(q, "priv/sub"), in_dir(p, "abs")));
}

static void run_through_links(void)
{
	char p[PATH_MAX], buf[8 * KiB];
	int fd;

	fd = X(open(in_dir(p, "lnk/f"), O_RDONLY));
	N(read(fd, buf, sizeof(buf)), 3000);
	X(close(fd));
	fd = X(open(in_dir(p, "zone"), O_RDONLY | O_CLOEXEC));
	N(read(fd, buf, sizeof(buf)), 3000);
	X(close(fd));
	fd = X(open(in_dir(p, "abs/g"), O_RDWR));
	N(pread(fd, buf, 4096, 1000), 4000);
	N(write(fd, pattern, 100), 100);
	X(close(fd));
}

/* ---- mknod-fifo: FIFOs by mknod and mknodat, used once ---- */

static void run_mknod_fifo(void)
{
	char p[PATH_MAX], buf[128];
	int dfd, fd;

	X(syscall(SYS_mknod, in_dir(p, "fifo1"), S_IFIFO | 0640, 0));
	dfd = open_dir();
	X(mknodat(dfd, "fifo2", S_IFIFO | 0600, 0));
	FAILS(mknodat(dfd, "fifo2", S_IFIFO | 0600, 0), EEXIST);
	X(close(dfd));
	fd = X(open(p, O_RDWR | O_NONBLOCK));	/* no peer needed */
	N(write(fd, pattern, 100), 100);
	N(read(fd, buf, sizeof(buf)), 100);
	X(close(fd));
}

/* ---- utimes: every way of setting a file's times ---- */

static void setup_utimes(void)
{
	make_file("u1", 1);
	make_file("u2", 2);
	make_file("u3", 3);
	make_file("u4", 4);
	make_file("u5", 5);
	make_link("u1", "ul");
}

static void run_utimes(void)
{
	struct utimbuf ub = { .actime = 1000000000, .modtime = 1000000001 };
	struct timeval tv[2] = { { 1100000000, 250000 }, { 1100000001, 500000 } };
	struct timespec ts[2] = { { 1200000000, 5 }, { 0, UTIME_OMIT } };
	struct timespec now[2] = { { 0, UTIME_NOW }, { 1300000000, 0 } };
	char p[PATH_MAX];
	int dfd, fd;

	look("u1");
	look("u2");
	look("u3");
	look("u4");
	look("u5");
	look("ul");
	X(syscall(SYS_utime, in_dir(p, "u1"), NULL));
	X(syscall(SYS_utime, p, &ub));
	X(syscall(SYS_utimes, in_dir(p, "u2"), tv));
	X(utimensat(AT_FDCWD, in_dir(p, "u3"), ts, 0));
	dfd = open_dir();
	X(utimensat(dfd, "ul", now, AT_SYMLINK_NOFOLLOW));
	fd = X(openat(dfd, "u4", O_RDONLY));
	X(futimens(fd, NULL));
	X(close(fd));
	X(syscall(SYS_futimesat, dfd, "u5", tv));
	FAILS(utimensat(dfd, "missing", NULL, 0), ENOENT);
	X(close(dfd));
}

/* ---- xattrs: the twelve extended attribute calls on user.* ---- */

static void setup_xattrs(void)
{
	make_file("x.dat", 100);
	make_file("y.dat", 200);
}

static void run_xattrs(void)
{
	char p[PATH_MAX], q[PATH_MAX], buf[256];
	int fd;

	look("x.dat");
	look("y.dat");
	in_dir(p, "x.dat");
	in_dir(q, "y.dat");
	if (setxattr(p, "user.a", "one", 3, XATTR_CREATE) < 0 && errno == ENOTSUP)
		die("%s: the file system has no user xattrs", dir);
	X(lsetxattr(q, "user.b", "two!", 4, 0));
	fd = X(open(p, O_RDWR));
	X(fsetxattr(fd, "user.keep", "kept", 4, 0));
	X(fsetxattr(fd, "user.gone", "x", 1, 0));
	FAILS(fsetxattr(fd, "user.none", "x", 1, XATTR_REPLACE), ENODATA);
	N(getxattr(p, "user.a", NULL, 0), 3);
	N(getxattr(p, "user.a", buf, sizeof(buf)), 3);
	FAILS(getxattr(p, "user.missing", buf, sizeof(buf)), ENODATA);
	N(lgetxattr(q, "user.b", buf, sizeof(buf)), 4);
	N(fgetxattr(fd, "user.keep", buf, sizeof(buf)), 4);
	N(listxattr(p, buf, sizeof(buf)), 27);	/* user.a user.keep user.gone */
	N(llistxattr(q, buf, sizeof(buf)), 7);
	N(flistxattr(fd, NULL, 0), 27);
	X(removexattr(p, "user.a"));
	X(lremovexattr(q, "user.b"));
	X(fremovexattr(fd, "user.gone"));
	FAILS(removexattr(p, "user.a"), ENODATA);
	X(close(fd));
}

/* ---- statfs: by path and by descriptor ---- */

static void run_statfs(void)
{
	char p[PATH_MAX];
	struct statfs sf;
	int fd;

	X(statfs(dir, &sf));
	fd = create_file("f.dat", 10);
	X(fstatfs(fd, &sf));
	X(close(fd));
	FAILS(statfs(in_dir(p, "missing"), &sf), ENOENT);
}

/* ---- getcwd: after chdir, and into a buffer too small ---- */

static void run_getcwd(void)
{
	char buf[PATH_MAX];

	X(mkdir(in_dir(buf, "sub"), 0755));
	X(chdir(dir));
	X(syscall(SYS_getcwd, buf, sizeof(buf)));
	if (strcmp(buf, dir))
		die("getcwd: %s, expected %s", buf, dir);
	X(chdir("sub"));
	X(syscall(SYS_getcwd, buf, sizeof(buf)));
	FAILS(syscall(SYS_getcwd, buf, 1), ERANGE);
	make_file("sub/here.txt", 10);
	X(chdir("/"));
}

/* ---- handles: name_to_handle_at and open_by_handle_at (root) ---- */

static void setup_handles(void)
{
	make_file("handled.dat", 3000);
}

static void run_handles(void)
{
	char p[PATH_MAX], buf[4 * KiB];
	static struct file_handle *fh;
	int mount_id, mfd, fd;

	look("handled.dat");
	if (!fh && !(fh = malloc(sizeof(*fh) + MAX_HANDLE_SZ)))
		die("malloc: %s", strerror(errno));
	fh->handle_bytes = MAX_HANDLE_SZ;
	X(name_to_handle_at(AT_FDCWD, in_dir(p, "handled.dat"), fh, &mount_id, 0));
	mfd = open_dir();
	fd = X(open_by_handle_at(mfd, fh, O_RDONLY));
	N(read(fd, buf, 2000), 2000);
	X(close(fd));
	fh->handle_bytes = MAX_HANDLE_SZ;
	FAILS(name_to_handle_at(AT_FDCWD, in_dir(p, "missing"), fh, &mount_id, 0), ENOENT);
	X(close(mfd));
}

/* ---- memfd: an anonymous file built in memory, then saved ---- */

static void run_memfd(void)
{
	char buf[8 * KiB];
	struct stat st;
	int mfd, fd;

	mfd = X(memfd_create("ior-buffer", MFD_CLOEXEC));
	N(write(mfd, pattern, sizeof(buf)), (long)sizeof(buf));
	X(ftruncate(mfd, 6000));
	X(fstat(mfd, &st));
	N(lseek(mfd, 0, SEEK_SET), 0);
	N(read(mfd, buf, sizeof(buf)), 6000);
	X(close(mfd));
	fd = create_file("saved.dat", 0);
	N(write(fd, buf, 6000), 6000);
	X(close(fd));
}

/* ---- mmap-msync: write a file through a shared mapping ---- */

static void setup_mmap_msync(void)
{
	make_file("map.dat", 65536);
}

static void run_mmap_msync(void)
{
	char p[PATH_MAX];
	struct stat st;
	char *m;
	int fd;

	look("map.dat");
	fd = X(open(in_dir(p, "map.dat"), O_RDWR));
	X(fstat(fd, &st));
	m = mmap(NULL, st.st_size, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	if (m == MAP_FAILED)
		die("mmap %s: %s", p, strerror(errno));
	X(madvise(m, st.st_size, MADV_SEQUENTIAL));
	memcpy(m + 8192, pattern + 100, 4096);
	X(msync(m + 8192, 4096, MS_SYNC));
	memcpy(m, pattern + 200, 100);
	X(msync(m, st.st_size, MS_ASYNC));
	X(munmap(m, st.st_size));
	m = mmap(NULL, 8192, PROT_READ, MAP_PRIVATE, fd, 4096);
	if (m == MAP_FAILED)
		die("mmap %s: %s", p, strerror(errno));
	check_data(m + 4096, 4096, 100, "map.dat");
	X(madvise(m, 8192, MADV_DONTNEED));
	X(munmap(m, 8192));
	X(close(fd));
}

/* ---- unshare: a thread unshares its fd table, then closes a shared fd ---- */

static int unshare_fd;

static void *unshare_thread(void *arg)
{
	(void)arg;
	X(unshare(CLONE_FILES));
	X(close(unshare_fd));	/* its own copy only */
	make_file("thread.dat", 300);
	return NULL;
}

static void run_unshare(void)
{
	pthread_t th;

	unshare_fd = create_file("main.dat", 100);
	if ((errno = pthread_create(&th, NULL, unshare_thread, NULL)))
		die("pthread_create: %s", strerror(errno));
	pthread_join(th, NULL);
	N(write(unshare_fd, pattern, 200), 200);	/* still open here */
	X(close(unshare_fd));
}

/* ---- fork-inherit: parent and child share an inherited offset ---- */

static void run_fork_inherit(void)
{
	int fd, status;
	pid_t pid;

	fd = create_file("shared.log", 100);
	pid = X(fork());
	if (pid == 0) {
		N(write(fd, pattern, 200), 200);
		make_file("child.log", 50);
		X(close(fd));
		_exit(0);
	}
	X(waitpid(pid, &status, 0));
	if (!WIFEXITED(status) || WEXITSTATUS(status))
		die("fork-inherit: child failed");
	N(write(fd, pattern, 50), 50);
	N(lseek(fd, 0, SEEK_CUR), 350);
	X(close(fd));
}

/* ---- clone-files: a process sharing the fd table closes the parent's fd ---- */

#define CLONE_FD 40

static int clone_files_fd;

static int clone_files_child(void *arg)
{
	int fd;

	(void)arg;
	N(write(clone_files_fd, pattern, 100), 100);
	fd = create_file("from-child.dat", 0);
	X(dup2(fd, CLONE_FD));
	X(close(fd));
	X(close(clone_files_fd));
	return 0;
}

static void run_clone_files(void)
{
	static char stack[256 * KiB];
	int status;
	pid_t pid;

	clone_files_fd = create_file("parent.dat", 10);
	pid = X(clone(clone_files_child, stack + sizeof(stack),
		      CLONE_FILES | SIGCHLD, NULL));
	X(waitpid(pid, &status, 0));
	if (!WIFEXITED(status) || WEXITSTATUS(status))
		die("clone-files: child failed");
	FAILS(write(clone_files_fd, pattern, 10), EBADF);
	N(write(CLONE_FD, pattern, 500), 500);	/* opened by the child */
	X(close(CLONE_FD));
}

/* ---- clone-fs: threads share the working directory ---- */

static void *clone_fs_thread(void *arg)
{
	(void)arg;
	X(chdir("sub"));
	X(close(X(open("by-thread.txt", O_WRONLY | O_CREAT | O_TRUNC, 0644))));
	return NULL;
}

static void run_clone_fs(void)
{
	char p[PATH_MAX];
	pthread_t th;
	int fd;

	X(mkdir(in_dir(p, "sub"), 0755));
	X(chdir(dir));
	if ((errno = pthread_create(&th, NULL, clone_fs_thread, NULL)))
		die("pthread_create: %s", strerror(errno));
	pthread_join(th, NULL);
	fd = X(open("by-main.txt", O_WRONLY | O_CREAT | O_TRUNC, 0644));
	N(write(fd, pattern, 77), 77);	/* in sub: the thread moved us */
	X(close(fd));
	X(chdir("/"));
}

/*
 * Scenarios that execute this program again continue in resume(): argv is
 * "resume SCENARIO DIR ARG...". /proc/self/exe is this binary.
 */
static void exec_self(const char *scen, const char *arg1, const char *arg2)
{
	char *argv[] = { "ior-workload", "resume", (char *)scen, (char *)dir,
			 (char *)arg1, (char *)arg2, NULL };

	execv("/proc/self/exe", argv);
	die("execv /proc/self/exe: %s", strerror(errno));
}

/* ---- vfork-exec: a vforked child executes this program, which writes ---- */

static void run_vfork_exec(void)
{
	char p[PATH_MAX], buf[256];
	int status, fd;
	pid_t pid;

	pid = X(vfork());
	if (pid == 0) {
		char *argv[] = { "ior-workload", "resume", "vfork-exec",
				 (char *)dir, NULL };

		execv("/proc/self/exe", argv);
		_exit(127);
	}
	X(waitpid(pid, &status, 0));
	if (!WIFEXITED(status) || WEXITSTATUS(status))
		die("vfork-exec: child failed");
	fd = X(open(in_dir(p, "by-child.txt"), O_RDONLY));
	N(read(fd, buf, sizeof(buf)), 123);
	X(close(fd));
}

static void resume_vfork_exec(char **arg)
{
	(void)arg;
	make_file("by-child.txt", 123);
}

/* ---- exec-cloexec: O_CLOEXEC descriptors close at exec, others stay ---- */

static void run_exec_cloexec(void)
{
	char p[PATH_MAX], a[16], b[16];
	int fa, fb;

	fa = X(open(in_dir(p, "cloexec.dat"), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644));
	fb = create_file("kept.dat", 0);
	N(write(fa, pattern, 100), 100);
	N(write(fb, pattern, 100), 100);
	snprintf(a, sizeof(a), "%d", fa);
	snprintf(b, sizeof(b), "%d", fb);
	exec_self("exec-cloexec", a, b);
}

static void resume_exec_cloexec(char **arg)
{
	int fa = atoi(arg[0]), fb = atoi(arg[1]);

	FAILS(write(fa, pattern, 10), EBADF);
	N(write(fb, pattern, 900), 900);
	X(close(fb));
}

/* ---- thread-exit: a thread's fds outlive it ---- */

static int thread_exit_fd;

static void *thread_exit_thread(void *arg)
{
	(void)arg;
	thread_exit_fd = create_file("from-thread.dat", 1000);
	return NULL;
}

static void run_thread_exit(void)
{
	pthread_t th;
	int fd;

	fd = create_file("main.dat", 10);
	if ((errno = pthread_create(&th, NULL, thread_exit_thread, NULL)))
		die("pthread_create: %s", strerror(errno));
	pthread_join(th, NULL);
	N(write(thread_exit_fd, pattern, 1000), 1000);
	X(close(thread_exit_fd));
	N(write(fd, pattern, 10), 10);
	X(close(fd));
}

/* ---- fd-reuse: a closed number comes back for another file ---- */

static void setup_fd_reuse(void)
{
	make_file("first.dat", 4000);
}

static void run_fd_reuse(void)
{
	char p[PATH_MAX], buf[4 * KiB];
	int a, b, d;

	look("first.dat");
	a = X(open(in_dir(p, "first.dat"), O_RDONLY));
	N(read(a, buf, 1000), 1000);
	X(close(a));
	b = create_file("second.dat", 2000);
	if (b != a)
		die("fd-reuse: got %d after closing %d", b, a);
	d = X(dup(b));
	X(close(b));
	a = X(open(in_dir(p, "first.dat"), O_RDONLY));
	if (a != b)
		die("fd-reuse: got %d after closing %d", a, b);
	N(read(a, buf, sizeof(buf)), 4000);	/* from 0: a new open */
	N(write(d, pattern, 500), 500);
	X(close(d));
	X(close(a));
}

/* ---- rename-open: a file renamed over keeps its readers ---- */

static void setup_rename_open(void)
{
	make_file("live.txt", 5000);
}

static void run_rename_open(void)
{
	char p[PATH_MAX], q[PATH_MAX], buf[4 * KiB];
	struct stat st;
	int old, fd;

	look("live.txt");
	old = X(open(in_dir(p, "live.txt"), O_RDONLY));
	N(read(old, buf, 1000), 1000);
	make_file("live.txt.new", 3000);
	X(rename(in_dir(q, "live.txt.new"), p));
	N(read(old, buf, sizeof(buf)), 4000);	/* the old file, to its end */
	X(fstat(old, &st));
	if (st.st_size != 5000)
		die("rename-open: old file has %ld bytes", (long)st.st_size);
	X(close(old));
	fd = X(open(p, O_RDONLY));
	N(read(fd, buf, sizeof(buf)), 3000);
	X(close(fd));
}

/* ---- hardlinks: a pre-existing pair of names for one file ---- */

static void setup_hardlinks(void)
{
	char p[PATH_MAX], q[PATH_MAX];

	make_file("orig.dat", 7000);
	if (link(in_dir(p, "orig.dat"), in_dir(q, "alias.dat")) < 0 && errno != EEXIST)
		die("link %s: %s", q, strerror(errno));
}

static void run_hardlinks(void)
{
	char p[PATH_MAX], buf[8 * KiB];
	int a, b;

	look("orig.dat");
	look("alias.dat");
	a = X(open(in_dir(p, "orig.dat"), O_RDONLY));
	N(read(a, buf, sizeof(buf)), 7000);
	b = X(open(in_dir(p, "alias.dat"), O_WRONLY | O_APPEND));
	N(write(b, pattern, 100), 100);
	N(pread(a, buf, sizeof(buf), 0), 7100);	/* one file, two names */
	X(close(b));
	X(close(a));
}

/* ---- scm-rights: a descriptor passed to a child over a unix socket ---- */

static void setup_scm_rights(void)
{
	make_file("passed.dat", 3000);
}

static void scm_rights_child(int sock)
{
	char buf[4 * KiB], data[1];
	char cbuf[CMSG_SPACE(sizeof(int))];
	struct iovec iov = { data, 1 };
	struct msghdr msg = { .msg_iov = &iov, .msg_iovlen = 1,
			      .msg_control = cbuf, .msg_controllen = sizeof(cbuf) };
	struct cmsghdr *c;
	int fd;

	N(recvmsg(sock, &msg, 0), 1);
	c = CMSG_FIRSTHDR(&msg);
	if (!c || c->cmsg_type != SCM_RIGHTS)
		die("scm-rights: no descriptor received");
	memcpy(&fd, CMSG_DATA(c), sizeof(fd));
	N(read(fd, buf, sizeof(buf)), 3000);
	X(close(fd));
	make_file("child-read.txt", 3000);
}

static void run_scm_rights(void)
{
	char p[PATH_MAX], cbuf[CMSG_SPACE(sizeof(int))];
	struct iovec iov = { "f", 1 };
	struct msghdr msg = { .msg_iov = &iov, .msg_iovlen = 1,
			      .msg_control = cbuf, .msg_controllen = sizeof(cbuf) };
	struct cmsghdr *c;
	int sv[2], fd, status;
	pid_t pid;

	look("passed.dat");
	X(socketpair(AF_UNIX, SOCK_STREAM, 0, sv));
	pid = X(fork());
	if (pid == 0) {
		X(close(sv[0]));
		scm_rights_child(sv[1]);
		_exit(0);
	}
	X(close(sv[1]));
	fd = X(open(in_dir(p, "passed.dat"), O_RDONLY));
	memset(cbuf, 0, sizeof(cbuf));
	c = CMSG_FIRSTHDR(&msg);
	c->cmsg_level = SOL_SOCKET;
	c->cmsg_type = SCM_RIGHTS;
	c->cmsg_len = CMSG_LEN(sizeof(int));
	memcpy(CMSG_DATA(c), &fd, sizeof(fd));
	N(sendmsg(sv[0], &msg, 0), 1);
	X(close(fd));
	X(waitpid(pid, &status, 0));
	if (!WIFEXITED(status) || WEXITSTATUS(status))
		die("scm-rights: child failed");
	X(close(sv[0]));
}

/*
 * ---- held-open: files open at odd offsets before the capture starts ----
 * The run phase opens and positions its files, then waits for SIGUSR1:
 * the test starts ior-trace -p meanwhile, then signals. priv/held-c.dat
 * (mode 0600, in a directory of mode 0700, both owned by 65534 when
 * setup runs as root) is named by no call after that.
 */

static void setup_held_open(void)
{
	char p[PATH_MAX];

	make_file("held-a.dat", 10000);
	make_file("held-b.dat", 5000);
	make_dir("priv");
	make_file("priv/held-c.dat", 2000);
	X(chmod(in_dir(p, "priv/held-c.dat"), 0600));
	X(chmod(in_dir(p, "priv"), 0700));
	if (geteuid() == 0) {
		X(chown(in_dir(p, "priv/held-c.dat"), 65534, 65534));
		X(chown(in_dir(p, "priv"), 65534, 65534));
	}
}

static void run_held_open(void)
{
	char p[PATH_MAX], buf[4 * KiB];
	sigset_t usr1;
	int a, b, c, log, sig;

	sigemptyset(&usr1);
	sigaddset(&usr1, SIGUSR1);
	if ((errno = pthread_sigmask(SIG_BLOCK, &usr1, NULL)))
		die("pthread_sigmask: %s", strerror(errno));
	a = X(open(in_dir(p, "held-a.dat"), O_RDONLY));
	N(lseek(a, 9000, SEEK_SET), 9000);
	b = X(open(in_dir(p, "held-b.dat"), O_RDWR));
	N(lseek(b, 4950, SEEK_SET), 4950);
	c = X(open(in_dir(p, "priv/held-c.dat"), O_RDONLY));
	log = X(open(in_dir(p, "held.log"), O_WRONLY | O_CREAT | O_APPEND | O_TRUNC, 0644));
	N(write(log, pattern, 333), 333);
	if ((errno = sigwait(&usr1, &sig)))
		die("sigwait: %s", strerror(errno));
	N(read(a, buf, sizeof(buf)), 1000);	/* from 9000 to the end */
	N(write(b, pattern, 100), 100);		/* 4950: grows to 5050 */
	N(write(log, pattern, 50), 50);
	N(read(c, buf, sizeof(buf)), 2000);
	X(close(log));
	X(close(c));
	X(close(b));
	X(close(a));
}

/*
 * ---- held-pipes: a pipe and a socket pair open before the capture
 * starts, as a server's (PostgreSQL's postmaster's) ----
 * The run phase makes them and opens held-pipes.log, then waits for
 * SIGUSR1 (the test starts ior-trace -p meanwhile). Then two children,
 * one after the other, each close the descriptors it inherited and write
 * to the log; the first reads the pipe before it does. The parent closes
 * the socket pair between them, the pipe at the end.
 */

static void held_pipes_child(const int *fds, int nfds, int log, int nth)
{
	char c;
	pid_t pid = X(fork());
	int status;

	if (pid == 0) {
		if (nth == 1)
			N(read(fds[0], &c, 1), 1);
		for (int i = 0; i < nfds; i++)
			X(close(fds[i]));
		N(write(log, pattern, 100), 100);
		_exit(0);
	}
	X(waitpid(pid, &status, 0));
	if (!WIFEXITED(status) || WEXITSTATUS(status))
		die("held-pipes: child failed");
}

static void run_held_pipes(void)
{
	char p[PATH_MAX];
	sigset_t usr1;
	int fds[4], log, sig;

	sigemptyset(&usr1);
	sigaddset(&usr1, SIGUSR1);
	if ((errno = pthread_sigmask(SIG_BLOCK, &usr1, NULL)))
		die("pthread_sigmask: %s", strerror(errno));
	X(pipe(fds));
	X(socketpair(AF_UNIX, SOCK_STREAM, 0, fds + 2));
	N(write(fds[1], "x", 1), 1);
	log = X(open(in_dir(p, "held-pipes.log"), O_WRONLY | O_CREAT | O_APPEND | O_TRUNC, 0644));
	if ((errno = sigwait(&usr1, &sig)))
		die("sigwait: %s", strerror(errno));
	held_pipes_child(fds, 4, log, 1);
	X(close(fds[2]));
	X(close(fds[3]));
	held_pipes_child(fds, 2, log, 2);
	X(close(fds[0]));
	X(close(fds[1]));
	N(write(log, pattern, 10), 10);
	X(close(log));
}

/*
 * ---- held-anon: files without a name open before the capture starts,
 * as MariaDB's temporary files ----
 * The run phase opens an O_TMPFILE file in the directory and writes 5000
 * bytes to it (its position left at 1000), opens gone.dat and unlinks
 * it, opens held-anon.log, then waits for SIGUSR1 (the test starts
 * ior-trace -p meanwhile). Then it reads both files, writes the first,
 * and closes all.
 */

static void setup_held_anon(void)
{
	make_file("gone.dat", 3000);
}

static void run_held_anon(void)
{
	char p[PATH_MAX], buf[8 * KiB];
	sigset_t usr1;
	int tmp, gone, log, sig;

	sigemptyset(&usr1);
	sigaddset(&usr1, SIGUSR1);
	if ((errno = pthread_sigmask(SIG_BLOCK, &usr1, NULL)))
		die("pthread_sigmask: %s", strerror(errno));
	tmp = X(open(dir, O_TMPFILE | O_RDWR, 0600));
	N(write(tmp, pattern, 5000), 5000);
	N(lseek(tmp, 1000, SEEK_SET), 1000);
	gone = X(open(in_dir(p, "gone.dat"), O_RDONLY));
	X(unlink(p));
	log = X(open(in_dir(p, "held-anon.log"), O_WRONLY | O_CREAT | O_APPEND | O_TRUNC, 0644));
	if ((errno = sigwait(&usr1, &sig)))
		die("sigwait: %s", strerror(errno));
	N(read(tmp, buf, sizeof(buf)), 4000);		/* from 1000 to the end */
	N(pread(tmp, buf, 100, 4950), 50);
	N(pwrite(tmp, pattern, 100, 5000), 100);	/* grows it to 5100 */
	N(read(gone, buf, 1000), 1000);
	N(pread(gone, buf, sizeof(buf), 2500), 500);
	N(write(log, pattern, 10), 10);
	X(close(gone));
	X(close(tmp));
	X(close(log));
}

/*
 * ---- Linux AIO: io_setup, io_submit, io_getevents, io_pgetevents,
 * io_cancel, io_destroy, through syscall(2): glibc wraps none of them ----
 * Each iocb's aio_data holds the result it must complete with, so that
 * every reaped event is checked against it.
 */

static aio_context_t aio_setup(unsigned nr)
{
	aio_context_t ctx = 0;

	X(syscall(SYS_io_setup, nr, &ctx));
	return ctx;
}

static void iocb_prep(struct iocb *cb, int op, int fd, const void *buf,
		      long n, long off, long res)
{
	memset(cb, 0, sizeof(*cb));
	cb->aio_lio_opcode = op;
	cb->aio_fildes = fd;
	cb->aio_buf = (uintptr_t)buf;
	cb->aio_nbytes = n;
	cb->aio_offset = off;
	cb->aio_data = res;
}

/* Submit n iocbs in one io_submit; all must be accepted. */
static void aio_submit(aio_context_t ctx, struct iocb **cbs, long n)
{
	N(syscall(SYS_io_submit, ctx, n, cbs), n);
}

/* Check n reaped events against the results their iocbs expect. */
static void aio_check(const struct io_event *ev, long n, const char *what)
{
	for (long i = 0; i < n; i++)
		if (ev[i].res != (long long)ev[i].data)
			die("%s: an iocb completed with %lld, expected %lld",
			    what, (long long)ev[i].res, (long long)ev[i].data);
}

/* Reap exactly n events with io_getevents (min_nr n, no timeout). */
static void aio_reap(aio_context_t ctx, long n, const char *what)
{
	struct io_event ev[16];

	N(syscall(SYS_io_getevents, ctx, n, 16, ev, NULL), n);
	aio_check(ev, n, what);
}

/* ---- aio-setup: contexts made, refused and destroyed ---- */

static void run_aio_setup(void)
{
	aio_context_t ctx = 0, ctx2;
	int fd;

	fd = create_file("ctx.dat", 100);
	FAILS(syscall(SYS_io_setup, 0, &ctx), EINVAL);	/* nr_events 0 */
	ctx = aio_setup(64);
	ctx2 = ctx;
	FAILS(syscall(SYS_io_setup, 8, &ctx2), EINVAL);	/* *ctxp not 0 */
	N(syscall(SYS_io_submit, ctx, 0, NULL), 0);	/* nothing to submit */
	X(syscall(SYS_io_destroy, ctx));
	FAILS(syscall(SYS_io_destroy, ctx), EINVAL);	/* already gone */
	X(close(fd));
}

/* ---- aio-submit: one pwrite, submitted and reaped ---- */

static void run_aio_submit(void)
{
	struct iocb cb, *cbs[1] = { &cb };
	aio_context_t ctx;
	int fd;

	fd = create_file("one.dat", 0);
	ctx = aio_setup(8);
	iocb_prep(&cb, IOCB_CMD_PWRITE, fd, pattern, 4096, 0, 4096);
	aio_submit(ctx, cbs, 1);
	aio_reap(ctx, 1, "aio-submit");
	X(syscall(SYS_io_destroy, ctx));
	X(close(fd));
}

/*
 * ---- aio-batch: batched writes and an fdsync, then reads back ----
 * One io_submit of four pwrites, a pwritev of two iovecs and an fdsync,
 * reaped with io_getevents; one of a pread and a preadv of three iovecs,
 * reaped with io_pgetevents given a timeout and a signal mask.
 */

static void run_aio_batch(void)
{
	static char rd[4 * 4096], rv[3][2000];
	struct iocb cb[6], *cbs[6];
	struct iovec wv[2] = { { pattern + 16384, 1000 }, { pattern + 17384, 3000 } };
	struct iovec riov[3] = { { rv[0], 2000 }, { rv[1], 2000 }, { rv[2], 2000 } };
	struct io_event ev[8];
	struct timespec ts = { 5, 0 };
	sigset_t mask;
	struct { const sigset_t *set; size_t size; } sig = { &mask, _NSIG / 8 };
	aio_context_t ctx;
	int fd;

	for (int i = 0; i < 6; i++)
		cbs[i] = &cb[i];
	fd = create_file("batch.dat", 0);
	ctx = aio_setup(16);
	for (int i = 0; i < 4; i++)
		iocb_prep(&cb[i], IOCB_CMD_PWRITE, fd, pattern + i * 4096, 4096,
			  i * 4096, 4096);
	iocb_prep(&cb[4], IOCB_CMD_PWRITEV, fd, wv, 2, 16384, 4000);
	iocb_prep(&cb[5], IOCB_CMD_FDSYNC, fd, NULL, 0, 0, 0);
	aio_submit(ctx, cbs, 6);
	aio_reap(ctx, 6, "aio-batch writes");

	iocb_prep(&cb[0], IOCB_CMD_PREAD, fd, rd, sizeof(rd), 0, sizeof(rd));
	iocb_prep(&cb[1], IOCB_CMD_PREADV, fd, riov, 3, 16384, 4000);
	aio_submit(ctx, cbs, 2);
	sigemptyset(&mask);
	sigaddset(&mask, SIGUSR1);
	N(syscall(SYS_io_pgetevents, ctx, 2, 8, ev, &ts, &sig), 2);
	aio_check(ev, 2, "aio-batch reads");
	check_data(rd, sizeof(rd), 0, "batch.dat");
	check_data(rv[0], 4000, 16384, "batch.dat");	/* rv is contiguous */
	X(syscall(SYS_io_destroy, ctx));
	X(close(fd));
}

/* ---- aio-cancel: io_cancel of an iocb that already completed ---- */

static void run_aio_cancel(void)
{
	struct iocb cb, *cbs[1] = { &cb };
	struct io_event ev;
	aio_context_t ctx;
	int fd;

	fd = create_file("cancel.dat", 0);
	ctx = aio_setup(8);
	iocb_prep(&cb, IOCB_CMD_PWRITE, fd, pattern, 2048, 0, 2048);
	aio_submit(ctx, cbs, 1);
	aio_reap(ctx, 1, "aio-cancel");
	FAILS(syscall(SYS_io_cancel, ctx, &cb, &ev), EINVAL);
	X(syscall(SYS_io_destroy, ctx));
	X(close(fd));
}

/*
 * ---- aio-destroy: io_destroy with requests in flight ----
 * Two pwrites are submitted and never reaped; a poll for input on a FIFO
 * that nobody writes never completes by itself: io_destroy cancels it.
 * Before them, a pwrite is reaped.
 */

static void run_aio_destroy(void)
{
	struct iocb cb[4], *cbs[4] = { &cb[0], &cb[1], &cb[2], &cb[3] };
	char p[PATH_MAX];
	aio_context_t ctx;
	int fd, fifo;

	fd = create_file("destroy.dat", 0);
	X(mknod(in_dir(p, "wait.fifo"), S_IFIFO | 0600, 0));
	/* Read-only: a poll waits on one queue. Never had a writer: no HUP. */
	fifo = X(open(p, O_RDONLY | O_NONBLOCK));
	ctx = aio_setup(8);
	iocb_prep(&cb[0], IOCB_CMD_PWRITE, fd, pattern, 3000, 0, 3000);
	aio_submit(ctx, cbs, 1);
	aio_reap(ctx, 1, "aio-destroy");
	iocb_prep(&cb[1], IOCB_CMD_PWRITE, fd, pattern + 3000, 1000, 3000, 1000);
	iocb_prep(&cb[2], IOCB_CMD_PWRITE, fd, pattern + 4000, 1000, 4000, 1000);
	aio_submit(ctx, &cbs[1], 2);
	iocb_prep(&cb[3], IOCB_CMD_POLL, fifo, NULL, 0, 0, 0);
	cb[3].aio_buf = POLLIN;
	aio_submit(ctx, &cbs[3], 1);
	X(syscall(SYS_io_destroy, ctx));
	X(close(fifo));
	X(close(fd));
}

/*
 * ---- aio-reaper: one thread submits, another reaps ----
 * As MariaDB's InnoDB does on libaio: the main thread submits pwrites,
 * one io_submit each, on 4 iocbs it reuses round after round; a reaper
 * thread reaps each round with io_getevents(min_nr 4), and the main
 * thread reuses the iocbs only once their round is reaped (a semaphore:
 * a futex, not traced). Each round is the same calls; the depth is 4.
 */

#define REAPER_ROUNDS 8
#define REAPER_DEPTH 4

static aio_context_t reaper_ctx;
static sem_t reaper_done;	/* rounds reaped */

static void *reaper_thread(void *arg)
{
	struct io_event ev[REAPER_DEPTH];

	(void)arg;
	for (int r = 0; r < REAPER_ROUNDS; r++) {
		N(syscall(SYS_io_getevents, reaper_ctx, REAPER_DEPTH,
			  REAPER_DEPTH, ev, NULL), REAPER_DEPTH);
		aio_check(ev, REAPER_DEPTH, "aio-reaper");
		sem_post(&reaper_done);
	}
	return NULL;
}

static void run_aio_reaper(void)
{
	struct iocb cb[REAPER_DEPTH], *cbs[REAPER_DEPTH];
	pthread_t th;
	int fd;

	fd = create_file("reaper.dat", 0);
	reaper_ctx = aio_setup(64);
	X(sem_init(&reaper_done, 0, 0));
	if ((errno = pthread_create(&th, NULL, reaper_thread, NULL)))
		die("pthread_create: %s", strerror(errno));
	for (int r = 0; r < REAPER_ROUNDS; r++) {
		for (int i = 0; i < REAPER_DEPTH; i++) {
			long off = (r * REAPER_DEPTH + i) * 4096L;

			cbs[i] = &cb[i];
			iocb_prep(&cb[i], IOCB_CMD_PWRITE, fd, pattern + off,
				  4096, off, 4096);
			aio_submit(reaper_ctx, &cbs[i], 1);
		}
		while (sem_wait(&reaper_done) < 0)
			if (errno != EINTR)
				die("sem_wait: %s", strerror(errno));
	}
	pthread_join(th, NULL);
	X(syscall(SYS_io_destroy, reaper_ctx));
	X(close(fd));
}

/*
 * ---- vec-wide: vector I/O over many iovecs, up to UIO_MAXIOV ----
 * pwritev of 32 iovecs of 8 KiB (PostgreSQL's WAL zero-fill) and of
 * 1024 of 256 bytes, writev of 1024 of 64 bytes, readv and preadv of
 * 1024 and 32 back; an AIO pwritev of 64 iovecs and preadv of 1024. Every
 * byte of every vector counts, in the capture and in the replay.
 */

/* n iovecs of len bytes each, over buf. */
static struct iovec *wide_iov(struct iovec *iov, int n, char *buf, long len)
{
	for (int i = 0; i < n; i++) {
		iov[i].iov_base = buf + i * len;
		iov[i].iov_len = len;
	}
	return iov;
}

static void run_vec_wide(void)
{
	static struct iovec iov[1024];
	static char rd[512 * KiB];
	struct iocb cb, *cbs[1] = { &cb };
	aio_context_t ctx;
	int fd;

	fd = create_file("wide.dat", 0);
	N(pwritev(fd, wide_iov(iov, 32, pattern, 8 * KiB), 32, 0), 256 * KiB);
	N(pwritev(fd, wide_iov(iov, 1024, pattern, 256), 1024, 256 * KiB),
	  256 * KiB);
	X(lseek(fd, 512 * KiB, SEEK_SET));
	N(writev(fd, wide_iov(iov, 1024, pattern, 64), 1024), 64 * KiB);
	X(lseek(fd, 0, SEEK_SET));
	N(readv(fd, wide_iov(iov, 1024, rd, 256), 1024), 256 * KiB);
	check_data(rd, 256 * KiB, 0, "wide.dat");
	N(preadv(fd, wide_iov(iov, 32, rd, 8 * KiB), 32, 256 * KiB), 256 * KiB);

	ctx = aio_setup(4);
	iocb_prep(&cb, IOCB_CMD_PWRITEV, fd, wide_iov(iov, 64, pattern, 4 * KiB),
		  64, 576 * KiB, 256 * KiB);
	aio_submit(ctx, cbs, 1);
	aio_reap(ctx, 1, "vec-wide pwritev");
	iocb_prep(&cb, IOCB_CMD_PREADV, fd, wide_iov(iov, 1024, rd, 512), 1024,
		  0, 512 * KiB);
	aio_submit(ctx, cbs, 1);
	aio_reap(ctx, 1, "vec-wide preadv");
	X(syscall(SYS_io_destroy, ctx));
	X(close(fd));
}

/*
 * ---- io_uring, through liburing ----
 * Each batch is submitted and waited for with one io_uring_enter
 * (io_uring_submit_and_wait), so that the calls are the same on every
 * run; its completions are then taken from the ring without a call. Each
 * request's user_data holds its index and, in the low 32 bits, the
 * result it must complete with.
 */

static uint64_t ud(unsigned i, int res)
{
	return (uint64_t)i << 32 | (uint32_t)res;
}

static struct io_uring_sqe *sqe_get(struct io_uring *ring)
{
	struct io_uring_sqe *sqe = io_uring_get_sqe(ring);

	if (!sqe)
		die("io_uring_get_sqe: the submission queue is full");
	return sqe;
}

static void uring_init(struct io_uring *ring, unsigned entries, unsigned flags)
{
	int rv = io_uring_queue_init(entries, ring, flags);

	if (rv < 0)
		die("io_uring_queue_init: %s", strerror(-rv));
}

/* Submit the prepared requests (n of them) and check their results. */
static void uring_run(struct io_uring *ring, unsigned n, const char *what)
{
	struct io_uring_cqe *cqe;
	int rv = io_uring_submit_and_wait(ring, n);

	if (rv < 0)
		die("%s: io_uring_submit_and_wait: %s", what, strerror(-rv));
	for (unsigned i = 0; i < n; i++) {
		if ((rv = io_uring_peek_cqe(ring, &cqe)) < 0)
			die("%s: %u of %u completions: %s", what, i, n, strerror(-rv));
		if (cqe->res != (int32_t)cqe->user_data)
			die("%s: request %u completed with %d, expected %d", what,
			    (unsigned)(cqe->user_data >> 32), cqe->res,
			    (int32_t)cqe->user_data);
		io_uring_cqe_seen(ring, cqe);
	}
}

/* One request: submit it, wait for it, return its result. */
static int uring_one(struct io_uring *ring, const char *what)
{
	struct io_uring_cqe *cqe;
	int rv = io_uring_submit_and_wait(ring, 1);

	if (rv < 0 || (rv = io_uring_peek_cqe(ring, &cqe)) < 0)
		die("%s: %s", what, strerror(-rv));
	rv = cqe->res;
	io_uring_cqe_seen(ring, cqe);
	return rv;
}

/* ---- uring-setup: rings made and refused; register and enter ---- */

static void run_uring_setup(void)
{
	struct io_uring_params up;
	struct iovec iov = { pattern, 4096 };
	int ring, fd, bad[2];

	fd = create_file("ring.dat", 100);
	memset(&up, 0, sizeof(up));
	FAILS(syscall(SYS_io_uring_setup, 0, &up), EINVAL);	/* no entries */
	memset(&up, 0, sizeof(up));
	up.flags = 1u << 31;					/* unknown flag */
	FAILS(syscall(SYS_io_uring_setup, 8, &up), EINVAL);
	memset(&up, 0, sizeof(up));
	up.flags = IORING_SETUP_CLAMP;
	ring = X(syscall(SYS_io_uring_setup, 100000, &up));	/* clamped */
	bad[0] = fd;
	bad[1] = 999;						/* not open */
	FAILS(syscall(SYS_io_uring_register, ring, IORING_REGISTER_FILES, bad, 2), EBADF);
	X(syscall(SYS_io_uring_register, ring, IORING_REGISTER_FILES, &fd, 1));
	X(syscall(SYS_io_uring_register, ring, IORING_UNREGISTER_FILES, NULL, 0));
	X(syscall(SYS_io_uring_register, ring, IORING_REGISTER_BUFFERS, &iov, 1));
	FAILS(syscall(SYS_io_uring_register, ring, 9999, NULL, 0), EINVAL);
	N(syscall(SYS_io_uring_enter, ring, 0, 0, IORING_ENTER_GETEVENTS, NULL, 0), 0);
	FAILS(syscall(SYS_io_uring_enter, ring, 0, 0, 1u << 31, NULL, 0), EINVAL);
	FAILS(syscall(SYS_io_uring_enter, fd, 0, 0, 0, NULL, 0), EOPNOTSUPP);	/* not a ring */
	X(close(ring));
	X(close(fd));
}

/*
 * ---- uring-files: openat, write, read and close through the ring ----
 * A plain open then gets the number the ring's close freed, and the
 * ring's openat the number a plain close freed.
 */

static void run_uring_files(void)
{
	static char buf[5000];
	char p[PATH_MAX];
	struct io_uring ring;
	struct io_uring_sqe *sqe;
	int a, b, c, d;

	uring_init(&ring, 8, 0);
	sqe = sqe_get(&ring);
	io_uring_prep_openat(sqe, AT_FDCWD, in_dir(p, "ring-a.dat"),
			     O_RDWR | O_CREAT | O_TRUNC, 0644);
	a = uring_one(&ring, "uring-files: openat");
	if (a < 0)
		die("uring-files: openat: %s", strerror(-a));
	sqe = sqe_get(&ring);
	io_uring_prep_write(sqe, a, pattern, 5000, 0);
	sqe->flags |= IOSQE_IO_LINK;		/* the read runs after it */
	sqe->user_data = ud(0, 5000);
	sqe = sqe_get(&ring);
	io_uring_prep_read(sqe, a, buf, 1000, 4000);
	sqe->user_data = ud(1, 1000);
	uring_run(&ring, 2, "uring-files: write, read");
	check_data(buf, 1000, 4000, "ring-a.dat");
	sqe = sqe_get(&ring);
	io_uring_prep_close(sqe, a);
	sqe->user_data = ud(0, 0);
	uring_run(&ring, 1, "uring-files: close");

	b = create_file("plain-b.dat", 300);
	if (b != a)
		die("uring-files: plain open got %d after the ring closed %d", b, a);
	X(close(b));

	c = create_file("plain-c.dat", 200);
	X(close(c));
	sqe = sqe_get(&ring);
	io_uring_prep_openat(sqe, AT_FDCWD, in_dir(p, "ring-d.dat"),
			     O_WRONLY | O_CREAT | O_TRUNC, 0644);
	d = uring_one(&ring, "uring-files: openat");
	if (d != c)
		die("uring-files: the ring's openat got %d after closing %d", d, c);
	sqe = sqe_get(&ring);
	io_uring_prep_write(sqe, d, pattern, 700, 0);
	sqe->user_data = ud(0, 700);
	uring_run(&ring, 1, "uring-files: write");
	sqe = sqe_get(&ring);
	io_uring_prep_close(sqe, d);
	sqe->user_data = ud(0, 0);
	uring_run(&ring, 1, "uring-files: close");
	io_uring_queue_exit(&ring);
}

/*
 * ---- uring-link: linked requests ----
 * A chain of two writes and an fsync in one submission; then a chain
 * whose head fails (an openat of a missing file): the write linked to it
 * is cancelled, so link.dat keeps its size.
 */

static void run_uring_link(void)
{
	char p[PATH_MAX];
	struct io_uring ring;
	struct io_uring_sqe *sqe;
	int fd;

	fd = create_file("link.dat", 0);
	uring_init(&ring, 8, 0);
	sqe = sqe_get(&ring);
	io_uring_prep_write(sqe, fd, pattern, 4096, 0);
	sqe->flags |= IOSQE_IO_LINK;
	sqe->user_data = ud(0, 4096);
	sqe = sqe_get(&ring);
	io_uring_prep_write(sqe, fd, pattern + 4096, 4096, 4096);
	sqe->flags |= IOSQE_IO_LINK;
	sqe->user_data = ud(1, 4096);
	sqe = sqe_get(&ring);
	io_uring_prep_fsync(sqe, fd, 0);
	sqe->user_data = ud(2, 0);
	uring_run(&ring, 3, "uring-link: chain");

	sqe = sqe_get(&ring);
	io_uring_prep_openat(sqe, AT_FDCWD, in_dir(p, "missing.dat"), O_RDONLY, 0);
	sqe->flags |= IOSQE_IO_LINK;
	sqe->user_data = ud(0, -ENOENT);
	sqe = sqe_get(&ring);
	io_uring_prep_write(sqe, fd, pattern, 100, 8192);
	sqe->user_data = ud(1, -ECANCELED);
	uring_run(&ring, 2, "uring-link: failing head");
	io_uring_queue_exit(&ring);
	X(close(fd));
}

/*
 * ---- uring-fixed: registered files ----
 * Two files registered, their descriptors closed, then written and read
 * by index; slot 1 updated to a third file; a file opened directly into
 * slot 2 and closed there. A plain open meanwhile reuses the number of a
 * closed registered descriptor: it is another file.
 */

static void run_uring_fixed(void)
{
	static char buf[2000];
	char p[PATH_MAX];
	struct io_uring ring;
	struct io_uring_sqe *sqe;
	int fds[3], a, up;

	uring_init(&ring, 8, 0);
	fds[0] = create_file("fixed-a.dat", 0);
	fds[1] = create_file("fixed-b.dat", 0);
	fds[2] = -1;
	X(io_uring_register_files(&ring, fds, 3));
	a = fds[0];
	X(close(fds[0]));
	X(close(fds[1]));
	sqe = sqe_get(&ring);
	io_uring_prep_write(sqe, 0, pattern, 3000, 0);
	sqe->flags |= IOSQE_FIXED_FILE | IOSQE_IO_LINK;
	sqe->user_data = ud(0, 3000);
	sqe = sqe_get(&ring);
	io_uring_prep_read(sqe, 0, buf, 2000, 1000);
	sqe->flags |= IOSQE_FIXED_FILE;
	sqe->user_data = ud(1, 2000);
	sqe = sqe_get(&ring);
	io_uring_prep_write(sqe, 1, pattern, 1500, 0);
	sqe->flags |= IOSQE_FIXED_FILE;
	sqe->user_data = ud(2, 1500);
	uring_run(&ring, 3, "uring-fixed: by index");
	check_data(buf, 2000, 1000, "fixed-a.dat");

	fds[0] = create_file("plain.dat", 50);	/* the number fixed-a.dat had */
	if (fds[0] != a)
		die("uring-fixed: plain open got %d after closing %d", fds[0], a);
	up = create_file("fixed-c.dat", 0);
	X(io_uring_register_files_update(&ring, 1, &up, 1));
	X(close(up));
	X(close(fds[0]));
	sqe = sqe_get(&ring);
	io_uring_prep_write(sqe, 1, pattern, 2500, 0);
	sqe->flags |= IOSQE_FIXED_FILE;
	sqe->user_data = ud(0, 2500);
	uring_run(&ring, 1, "uring-fixed: updated slot");

	sqe = sqe_get(&ring);
	io_uring_prep_openat_direct(sqe, AT_FDCWD, in_dir(p, "fixed-d.dat"),
				    O_RDWR | O_CREAT | O_TRUNC, 0644, 2);
	sqe->user_data = ud(0, 0);
	uring_run(&ring, 1, "uring-fixed: direct open");
	sqe = sqe_get(&ring);
	io_uring_prep_write(sqe, 2, pattern, 800, 0);
	sqe->flags |= IOSQE_FIXED_FILE | IOSQE_IO_LINK;
	sqe->user_data = ud(0, 800);
	sqe = sqe_get(&ring);
	io_uring_prep_close_direct(sqe, 2);
	sqe->user_data = ud(1, 0);
	uring_run(&ring, 2, "uring-fixed: write, close slot 2");
	X(io_uring_unregister_files(&ring));
	io_uring_queue_exit(&ring);
}

/* ---- uring-buffers: registered buffers, read_fixed and write_fixed ---- */

static void run_uring_buffers(void)
{
	static char b0[8192], b1[4096];
	struct iovec iov[2] = { { b0, sizeof(b0) }, { b1, sizeof(b1) } };
	struct io_uring ring;
	struct io_uring_sqe *sqe;
	int fd;

	fd = create_file("buffers.dat", 0);
	uring_init(&ring, 8, 0);
	X(io_uring_register_buffers(&ring, iov, 2));
	memcpy(b0, pattern, sizeof(b0));
	memcpy(b1, pattern + sizeof(b0), sizeof(b1));
	sqe = sqe_get(&ring);
	io_uring_prep_write_fixed(sqe, fd, b0, sizeof(b0), 0, 0);
	sqe->user_data = ud(0, sizeof(b0));
	sqe = sqe_get(&ring);
	io_uring_prep_write_fixed(sqe, fd, b1, sizeof(b1), sizeof(b0), 1);
	sqe->user_data = ud(1, sizeof(b1));
	uring_run(&ring, 2, "uring-buffers: write_fixed");
	memset(b1, 0, sizeof(b1));
	sqe = sqe_get(&ring);
	io_uring_prep_read_fixed(sqe, fd, b1, sizeof(b1), 2048, 1);
	sqe->user_data = ud(0, sizeof(b1));
	uring_run(&ring, 1, "uring-buffers: read_fixed");
	check_data(b1, sizeof(b1), 2048, "buffers.dat");
	X(io_uring_unregister_buffers(&ring));
	io_uring_queue_exit(&ring);
	X(close(fd));
}

/* ---- uring-fsync: fsync, a datasync of a range, fallocate ---- */

static void run_uring_fsync(void)
{
	struct io_uring ring;
	struct io_uring_sqe *sqe;
	int fd;

	fd = create_file("sync.dat", 0);
	uring_init(&ring, 8, 0);
	sqe = sqe_get(&ring);
	io_uring_prep_write(sqe, fd, pattern, 65536, 0);
	sqe->flags |= IOSQE_IO_LINK;
	sqe->user_data = ud(0, 65536);
	sqe = sqe_get(&ring);
	io_uring_prep_fsync(sqe, fd, 0);
	sqe->user_data = ud(1, 0);
	uring_run(&ring, 2, "uring-fsync: write, fsync");
	sqe = sqe_get(&ring);
	io_uring_prep_fsync(sqe, fd, IORING_FSYNC_DATASYNC);
	sqe->off = 4096;
	sqe->len = 8192;
	sqe->user_data = ud(0, 0);
	uring_run(&ring, 1, "uring-fsync: datasync of a range");
	sqe = sqe_get(&ring);
	io_uring_prep_fallocate(sqe, fd, 0, 65536, 1 * MiB);
	sqe->user_data = ud(0, 0);
	uring_run(&ring, 1, "uring-fsync: fallocate");
	io_uring_queue_exit(&ring);
	X(close(fd));
}

/*
 * ---- uring-statx: statx through the ring ----
 * Of a file the ring created and wrote, and of a missing file.
 */

static void run_uring_statx(void)
{
	char p[PATH_MAX], q[PATH_MAX];
	struct io_uring ring;
	struct io_uring_sqe *sqe;
	struct statx stx;
	int fd;

	uring_init(&ring, 8, 0);
	sqe = sqe_get(&ring);
	io_uring_prep_openat(sqe, AT_FDCWD, in_dir(p, "stat-me.dat"),
			     O_WRONLY | O_CREAT | O_TRUNC, 0640);
	fd = uring_one(&ring, "uring-statx: openat");
	if (fd < 0)
		die("uring-statx: openat: %s", strerror(-fd));
	sqe = sqe_get(&ring);
	io_uring_prep_write(sqe, fd, pattern, 12345, 0);
	sqe->flags |= IOSQE_IO_LINK;
	sqe->user_data = ud(0, 12345);
	sqe = sqe_get(&ring);
	io_uring_prep_close(sqe, fd);
	sqe->user_data = ud(1, 0);
	uring_run(&ring, 2, "uring-statx: write, close");
	sqe = sqe_get(&ring);
	io_uring_prep_statx(sqe, AT_FDCWD, p, 0, STATX_BASIC_STATS, &stx);
	sqe->user_data = ud(0, 0);
	sqe = sqe_get(&ring);
	io_uring_prep_statx(sqe, AT_FDCWD, in_dir(q, "missing.dat"),
			    AT_SYMLINK_NOFOLLOW, STATX_SIZE, &stx);
	sqe->user_data = ud(1, -ENOENT);
	uring_run(&ring, 2, "uring-statx: statx");
	io_uring_queue_exit(&ring);
}

/*
 * ---- uring-sqpoll: a ring whose requests a kernel thread submits ----
 * Four writes and a read back; SQPOLL needs no privilege since Linux
 * 5.11.
 */

static void run_uring_sqpoll(void)
{
	static char buf[4096];
	struct io_uring ring;
	struct io_uring_params up;
	struct io_uring_sqe *sqe;
	int fd, rv;

	fd = create_file("sqpoll.dat", 0);
	memset(&up, 0, sizeof(up));
	up.flags = IORING_SETUP_SQPOLL;
	up.sq_thread_idle = 2000;	/* ms: stays awake for the whole run */
	if ((rv = io_uring_queue_init_params(8, &ring, &up)) < 0)
		die("uring-sqpoll: io_uring_queue_init_params: %s", strerror(-rv));
	for (int i = 0; i < 4; i++) {
		sqe = sqe_get(&ring);
		io_uring_prep_write(sqe, fd, pattern + i * 4096, 4096, i * 4096);
		sqe->user_data = ud(i, 4096);
	}
	uring_run(&ring, 4, "uring-sqpoll: writes");
	sqe = sqe_get(&ring);
	io_uring_prep_read(sqe, fd, buf, sizeof(buf), 8192);
	sqe->user_data = ud(0, sizeof(buf));
	uring_run(&ring, 1, "uring-sqpoll: read");
	check_data(buf, sizeof(buf), 8192, "sqpoll.dat");
	io_uring_queue_exit(&ring);
	X(close(fd));
}

/*
 * ---- umask: an application's umask narrows the modes it asks for ----
 * Under umask 027, every call that creates asks for the widest mode, as
 * git and tar do: mkdir and mkdirat 0777, open, creat, openat2, an
 * unnamed O_TMPFILE file and an openat through the ring 0666, mknod and
 * mknodat FIFOs 0666. The directories get 0750, the others 0640. The
 * caller's umask is given back at the end (all runs every scenario).
 */

static void run_umask(void)
{
	struct open_how how = { .flags = O_WRONLY | O_CREAT | O_EXCL,
				.mode = 0666 };
	char p[PATH_MAX];
	struct io_uring ring;
	struct io_uring_sqe *sqe;
	mode_t old = umask(027);
	int dfd, fd;

	X(mkdir(in_dir(p, "d"), 0777));
	dfd = X(open(p, O_RDONLY | O_DIRECTORY));
	X(mkdirat(dfd, "e", 0777));
	X(close(X(open(in_dir(p, "f"), O_WRONLY | O_CREAT | O_EXCL, 0666))));
	X(close(X(syscall(SYS_creat, in_dir(p, "g"), 0666))));
	X(close(X(syscall(SYS_openat2, dfd, "h", &how, sizeof(how)))));
	X(close(X(openat(dfd, ".", O_WRONLY | O_TMPFILE, 0666))));
	X(syscall(SYS_mknod, in_dir(p, "p"), S_IFIFO | 0666, 0));
	X(mknodat(dfd, "q", S_IFIFO | 0666, 0));
	uring_init(&ring, 4, 0);
	sqe = sqe_get(&ring);
	io_uring_prep_openat(sqe, dfd, "u", O_WRONLY | O_CREAT | O_EXCL, 0666);
	fd = uring_one(&ring, "umask: openat");
	if (fd < 0)
		die("umask: openat: %s", strerror(-fd));
	io_uring_queue_exit(&ring);
	X(close(fd));
	X(close(dfd));
	umask(old);
}

/*
 * ---- async-held: rings and a context set up before the capture ----
 * The run phase sets up a plain ring, an SQPOLL ring with two registered
 * files (the first still open as a descriptor, the second's descriptor
 * closed) and 16 registered buffers, and an AIO context; it makes
 * async-held.ready and waits for SIGUSR1 (at most 2 minutes): the test
 * attaches ior-trace -p meanwhile, then signals. Then the I/O, O_DIRECT where the requests
 * must wait for the device (the test checks the file system allows it):
 * - the plain ring: 8 rounds of 4 writes, each round submitted without
 *   waiting and reaped from the ring's memory 20 ms later, as MariaDB
 *   reaps (the kernel completed them long before);
 * - the SQPOLL ring: 4 rounds of 16 reads of the first registered file
 *   into the registered buffers, made available to its thread 8 at a
 *   time, all 16 in flight before any is reaped; then 4 writes through
 *   the second registered file;
 * - the AIO context: 4 io_submit of 4 writes, each reaped by one
 *   io_getevents.
 */

#define HELD_BLOCK 4096

static void setup_async_held(void)
{
	make_file("held-sq.dat", 1 * MiB);
	make_file("held-ring.dat", 0);
	make_file("held-sqw.dat", 0);
	make_file("held-aio.dat", 0);
}

/* The next completion, from the ring's memory if it is there; checked. */
static void held_reap(struct io_uring *ring, const char *what)
{
	struct io_uring_cqe *cqe;
	int rv;

	if ((rv = io_uring_peek_cqe(ring, &cqe)) < 0 &&
	    (rv = io_uring_wait_cqe(ring, &cqe)) < 0)
		die("%s: %s", what, strerror(-rv));
	if (cqe->res != (int32_t)cqe->user_data)
		die("%s: request %u completed with %d, expected %d", what,
		    (unsigned)(cqe->user_data >> 32), cqe->res,
		    (int32_t)cqe->user_data);
	io_uring_cqe_seen(ring, cqe);
}

static void run_async_held(void)
{
	static const struct timespec gap = { 0, 20000000 };
	static const struct timespec held_wait = { 120, 0 };
	struct iovec iov[16];
	struct io_uring ring, sq;
	struct io_uring_params up;
	struct io_uring_sqe *sqe;
	struct iocb cb[4], *cbs[4];
	char p[PATH_MAX], *buf;
	int fds[2], wfd, afd, rv;
	aio_context_t ctx;
	sigset_t usr1;

	sigemptyset(&usr1);
	sigaddset(&usr1, SIGUSR1);
	if ((errno = pthread_sigmask(SIG_BLOCK, &usr1, NULL)))
		die("pthread_sigmask: %s", strerror(errno));
	if ((errno = posix_memalign((void **)&buf, HELD_BLOCK, 16 * HELD_BLOCK)))
		die("posix_memalign: %s", strerror(errno));
	memcpy(buf, pattern, 16 * HELD_BLOCK);
	wfd = X(open(in_dir(p, "held-ring.dat"), O_WRONLY | O_DIRECT));
	fds[0] = X(open(in_dir(p, "held-sq.dat"), O_RDONLY | O_DIRECT));
	fds[1] = X(open(in_dir(p, "held-sqw.dat"), O_RDWR));
	afd = X(open(in_dir(p, "held-aio.dat"), O_WRONLY));
	uring_init(&ring, 16, 0);
	memset(&up, 0, sizeof(up));
	up.flags = IORING_SETUP_SQPOLL;
	up.sq_thread_idle = 2000;	/* ms: awake through each round */
	if ((rv = io_uring_queue_init_params(16, &sq, &up)) < 0)
		die("async-held: io_uring_queue_init_params: %s", strerror(-rv));
	if ((rv = io_uring_register_files(&sq, fds, 2)) < 0)
		die("async-held: io_uring_register_files: %s", strerror(-rv));
	for (int i = 0; i < 16; i++)
		iov[i] = (struct iovec){ buf + i * HELD_BLOCK, HELD_BLOCK };
	if ((rv = io_uring_register_buffers(&sq, iov, 16)) < 0)
		die("async-held: io_uring_register_buffers: %s", strerror(-rv));
	X(close(fds[1]));	/* registered, it stays open in the ring */
	ctx = aio_setup(32);
	X(close(X(open(in_dir(p, "async-held.ready"), O_WRONLY | O_CREAT, 0644))));
	if (sigtimedwait(&usr1, NULL, &held_wait) < 0)
		die("async-held: no SIGUSR1 in %ld s: %s", (long)held_wait.tv_sec,
		    strerror(errno));

	for (int r = 0; r < 8; r++) {
		for (int i = 0; i < 4; i++) {
			sqe = sqe_get(&ring);
			io_uring_prep_write(sqe, wfd, buf + i * HELD_BLOCK, HELD_BLOCK,
					    (r * 4 + i) * HELD_BLOCK);
			sqe->user_data = ud(i, HELD_BLOCK);
		}
		N(io_uring_submit(&ring), 4);
		X(nanosleep(&gap, NULL));
		for (int i = 0; i < 4; i++)
			held_reap(&ring, "async-held: plain ring");
	}
	for (int r = 0; r < 4; r++) {
		for (int i = 0; i < 16; i++) {
			sqe = sqe_get(&sq);
			io_uring_prep_read_fixed(sqe, 0, buf + i * HELD_BLOCK,
						 HELD_BLOCK, (r * 16 + i) * HELD_BLOCK, i);
			sqe->flags |= IOSQE_FIXED_FILE;
			sqe->user_data = ud(i, HELD_BLOCK);
			/* counts what its thread has not taken yet */
			if (i % 8 == 7)
				X(io_uring_submit(&sq));
		}
		for (int i = 0; i < 16; i++)
			held_reap(&sq, "async-held: SQPOLL reads");
	}
	for (int i = 0; i < 4; i++) {
		sqe = sqe_get(&sq);
		io_uring_prep_write_fixed(sqe, 1, buf + i * HELD_BLOCK, HELD_BLOCK,
					  i * HELD_BLOCK, i);
		sqe->flags |= IOSQE_FIXED_FILE;
		sqe->user_data = ud(i, HELD_BLOCK);
	}
	X(io_uring_submit(&sq));
	for (int i = 0; i < 4; i++)
		held_reap(&sq, "async-held: SQPOLL writes");
	for (int r = 0; r < 4; r++) {
		for (int i = 0; i < 4; i++) {
			iocb_prep(&cb[i], IOCB_CMD_PWRITE, afd, pattern, HELD_BLOCK,
				  (r * 4 + i) * HELD_BLOCK, HELD_BLOCK);
			cbs[i] = &cb[i];
		}
		aio_submit(ctx, cbs, 4);
		aio_reap(ctx, 4, "async-held: AIO writes");
	}
	X(syscall(SYS_io_destroy, ctx));
	io_uring_queue_exit(&sq);
	io_uring_queue_exit(&ring);
	X(close(afd));
	X(close(fds[0]));
	X(close(wfd));
	free(buf);
}

/* ---- the table of scenarios ---- */

static void no_setup(void)
{
}

/*
 * resume, when set, is where the scenario continues after executing this
 * program again. "all" leaves out the scenarios that are alone: those that
 * do not return (they execute) or wait for the test (held-*,
 * async-held).
 */
static const struct scenario {
	const char *name;
	void (*setup)(void);
	void (*run)(void);
	void (*resume)(char **arg);
	int alone;
} scenarios[] = {
	{ "threads-share-fd", no_setup, run_threads_share_fd, NULL, 0 },
	{ "fork-dup2", setup_fork_dup2, run_fork_dup2, NULL, 0 },
	{ "dirfd-chdir", setup_dirfd_chdir, run_dirfd_chdir, NULL, 0 },
	{ "rename-over", setup_rename_over, run_rename_over, NULL, 0 },
	{ "unlink-open", setup_unlink_open, run_unlink_open, NULL, 0 },
	{ "read-whole", setup_read_whole, run_read_whole, NULL, 0 },
	{ "read-chunks", setup_read_chunks, run_read_chunks, NULL, 0 },
	{ "read-random", setup_read_random, run_read_random, NULL, 0 },
	{ "lseek-zero", setup_lseek_zero, run_lseek_zero, NULL, 0 },
	{ "truncate", setup_truncate, run_truncate, NULL, 0 },
	{ "big-offset", no_setup, run_big_offset, NULL, 0 },
	{ "stat-family", setup_stat_family, run_stat_family, NULL, 0 },
	{ "dup-family", no_setup, run_dup_family, NULL, 0 },
	{ "mixed", setup_mixed, run_mixed, NULL, 0 },
	{ "access-family", setup_access_family, run_access_family, NULL, 0 },
	{ "chmod-chown", setup_chmod_chown, run_chmod_chown, NULL, 0 },
	{ "close-range", no_setup, run_close_range, NULL, 0 },
	{ "copy-range", setup_copy_range, run_copy_range, NULL, 0 },
	{ "fcntl-locks", no_setup, run_fcntl_locks, NULL, 0 },
	{ "fcntl-rw-hint", no_setup, run_fcntl_rw_hint, NULL, 0 },
	{ "flock", no_setup, run_flock, NULL, 0 },
	{ "fallocate-fadvise", setup_fallocate_fadvise, run_fallocate_fadvise, NULL, 0 },
	{ "getdents", setup_getdents, run_getdents, NULL, 0 },
	{ "links", setup_links, run_links, NULL, 0 },
	{ "through-links", setup_through_links, run_through_links, NULL, 0 },
	{ "mknod-fifo", no_setup, run_mknod_fifo, NULL, 0 },
	{ "utimes", setup_utimes, run_utimes, NULL, 0 },
	{ "xattrs", setup_xattrs, run_xattrs, NULL, 0 },
	{ "statfs", no_setup, run_statfs, NULL, 0 },
	{ "getcwd", no_setup, run_getcwd, NULL, 0 },
	{ "handles", setup_handles, run_handles, NULL, 0 },
	{ "memfd", no_setup, run_memfd, NULL, 0 },
	{ "mmap-msync", setup_mmap_msync, run_mmap_msync, NULL, 0 },
	{ "unshare", no_setup, run_unshare, NULL, 0 },
	{ "fork-inherit", no_setup, run_fork_inherit, NULL, 0 },
	{ "clone-files", no_setup, run_clone_files, NULL, 0 },
	{ "clone-fs", no_setup, run_clone_fs, NULL, 0 },
	{ "thread-exit", no_setup, run_thread_exit, NULL, 0 },
	{ "fd-reuse", setup_fd_reuse, run_fd_reuse, NULL, 0 },
	{ "rename-open", setup_rename_open, run_rename_open, NULL, 0 },
	{ "hardlinks", setup_hardlinks, run_hardlinks, NULL, 0 },
	{ "scm-rights", setup_scm_rights, run_scm_rights, NULL, 0 },
	{ "aio-setup", no_setup, run_aio_setup, NULL, 0 },
	{ "aio-submit", no_setup, run_aio_submit, NULL, 0 },
	{ "aio-batch", no_setup, run_aio_batch, NULL, 0 },
	{ "aio-cancel", no_setup, run_aio_cancel, NULL, 0 },
	{ "aio-destroy", no_setup, run_aio_destroy, NULL, 0 },
	{ "aio-reaper", no_setup, run_aio_reaper, NULL, 0 },
	{ "vec-wide", no_setup, run_vec_wide, NULL, 0 },
	{ "uring-setup", no_setup, run_uring_setup, NULL, 0 },
	{ "uring-files", no_setup, run_uring_files, NULL, 0 },
	{ "uring-link", no_setup, run_uring_link, NULL, 0 },
	{ "uring-fixed", no_setup, run_uring_fixed, NULL, 0 },
	{ "uring-buffers", no_setup, run_uring_buffers, NULL, 0 },
	{ "uring-fsync", no_setup, run_uring_fsync, NULL, 0 },
	{ "uring-statx", no_setup, run_uring_statx, NULL, 0 },
	{ "uring-sqpoll", no_setup, run_uring_sqpoll, NULL, 0 },
	{ "umask", no_setup, run_umask, NULL, 0 },
	{ "held-open", setup_held_open, run_held_open, NULL, 1 },
	{ "async-held", setup_async_held, run_async_held, NULL, 1 },
	{ "held-pipes", no_setup, run_held_pipes, NULL, 1 },
	{ "held-anon", setup_held_anon, run_held_anon, NULL, 1 },
	{ "vfork-exec", no_setup, run_vfork_exec, resume_vfork_exec, 1 },
	{ "exec-cloexec", no_setup, run_exec_cloexec, resume_exec_cloexec, 1 },
	{ NULL, NULL, NULL, NULL, 0 },
};

/* mkdir -p, for the setup phase. */
static void make_path(const char *path)
{
	char p[PATH_MAX];

	if (snprintf(p, sizeof(p), "%s", path) >= (int)sizeof(p))
		die("%s: path too long", path);
	for (char *s = p + 1; *s; s++)
		if (*s == '/') {
			*s = 0;
			if (mkdir(p, 0755) < 0 && errno != EEXIST)
				die("mkdir %s: %s", p, strerror(errno));
			*s = '/';
		}
	if (mkdir(p, 0755) < 0 && errno != EEXIST)
		die("mkdir %s: %s", p, strerror(errno));
}

static void do_phase(const struct scenario *sc, int setup)
{
	if (setup) {
		make_path(dir);
		sc->setup();
	} else {
		sc->run();
	}
}

/* all: every scenario in turn, each in DIR/NAME. */
static void do_all(const char *top, int setup)
{
	static char sub[PATH_MAX];

	for (const struct scenario *sc = scenarios; sc->name; sc++) {
		if (sc->alone)
			continue;
		if (snprintf(sub, sizeof(sub), "%s/%s", top, sc->name) >= PATH_MAX)
			die("%s/%s: path too long", top, sc->name);
		dir = sub;
		do_phase(sc, setup);
	}
}

static _Noreturn void usage(int code)
{
	fprintf(code ? stderr : stdout,
		"usage: ior-workload list\n"
		"       ior-workload [setup | run] SCENARIO DIR\n"
		"       ior-workload resume SCENARIO DIR ARG...\n");
	exit(code);
}

int main(int argc, char *argv[])
{
	static char absdir[PATH_MAX];
	const struct scenario *sc;
	int phases = 3;		/* 1: setup, 2: run */

	if (argc == 2 && !strcmp(argv[1], "list")) {
		for (sc = scenarios; sc->name; sc++)
			printf("%s\n", sc->name);
		printf("all\n");
		return 0;
	}
	if (argc == 2 && (!strcmp(argv[1], "-h") || !strcmp(argv[1], "--help")))
		usage(0);
	for (size_t i = 0; i < sizeof(pattern); i++)
		pattern[i] = 'a' + (i * 7 + i / 4096) % 26;
	if (argc >= 4 && !strcmp(argv[1], "resume")) {
		for (sc = scenarios; sc->name; sc++)
			if (sc->resume && !strcmp(sc->name, argv[2]))
				break;
		if (!sc->name)
			usage(2);
		dir = argv[3];
		sc->resume(argv + 4);
		return 0;
	}
	if (argc == 4 && !strcmp(argv[1], "setup"))
		phases = 1;
	else if (argc == 4 && !strcmp(argv[1], "run"))
		phases = 2;
	else if (argc != 3)
		usage(2);
	argv += argc - 2;

	/* Absolute, so that dirfd-chdir's chdir does not move later paths. */
	if (argv[1][0] == '/') {
		dir = argv[1];
	} else {
		char cwd[PATH_MAX];

		if (!getcwd(cwd, sizeof(cwd)))
			die("getcwd: %s", strerror(errno));
		if (snprintf(absdir, sizeof(absdir), "%s/%s", cwd, argv[1]) >= PATH_MAX)
			die("%s: path too long", argv[1]);
		dir = absdir;
	}
	for (int ph = 1; ph <= 2; ph++) {
		if (!(phases & ph))
			continue;
		if (!strcmp(argv[0], "all")) {
			const char *top = dir;

			do_all(top, ph == 1);
			dir = top;
			continue;
		}
		for (sc = scenarios; sc->name; sc++)
			if (!strcmp(sc->name, argv[0]))
				break;
		if (!sc->name) {
			fprintf(stderr, "ior-workload: %s: no such scenario\n", argv[0]);
			usage(2);
		}
		do_phase(sc, ph == 1);
	}
	return 0;
}
