/*
 * ior-workload - the file I/O workloads the end-to-end tests trace.
 *
 *	ior-workload list
 *	ior-workload setup SCENARIO DIR	create the files that exist before capture
 *	ior-workload run SCENARIO DIR	do the I/O (this is what gets traced)
 *	ior-workload SCENARIO DIR	setup, then run
 *
 * Every scenario is deterministic: fixed data, fixed seeds, and the same
 * system calls in the same numbers on every run, so a capture can be
 * compared call for call with strace -c. The run phase therefore uses the
 * libc system call wrappers only (no stdio), and the legacy calls (stat,
 * lstat, fstat) through syscall(2), since glibc maps them to newfstatat.
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
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

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

/* ---- the table of scenarios ---- */

static void no_setup(void)
{
}

static const struct scenario {
	const char *name;
	void (*setup)(void);
	void (*run)(void);
} scenarios[] = {
	{ "threads-share-fd", no_setup, run_threads_share_fd },
	{ "fork-dup2", setup_fork_dup2, run_fork_dup2 },
	{ "dirfd-chdir", setup_dirfd_chdir, run_dirfd_chdir },
	{ "rename-over", setup_rename_over, run_rename_over },
	{ "unlink-open", setup_unlink_open, run_unlink_open },
	{ "read-whole", setup_read_whole, run_read_whole },
	{ "read-chunks", setup_read_chunks, run_read_chunks },
	{ "read-random", setup_read_random, run_read_random },
	{ "lseek-zero", setup_lseek_zero, run_lseek_zero },
	{ "truncate", setup_truncate, run_truncate },
	{ "big-offset", no_setup, run_big_offset },
	{ "stat-family", setup_stat_family, run_stat_family },
	{ "dup-family", no_setup, run_dup_family },
	{ "mixed", setup_mixed, run_mixed },
	{ NULL, NULL, NULL },
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
		"       ior-workload [setup | run] SCENARIO DIR\n");
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
	for (size_t i = 0; i < sizeof(pattern); i++)
		pattern[i] = 'a' + (i * 7 + i / 4096) % 26;

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
