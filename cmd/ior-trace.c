/*
 * ior-trace - capture the file system calls of chosen processes with eBPF
 * and write them as an ior-format(5) trace stream.
 *
 * The BPF side (bpf/ior-trace.bpf.c) pairs enter and exit in the kernel;
 * this side chooses the processes, reports what they hold open when
 * capture starts, launches a command, and formats the ring buffer.
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <limits.h>
#include <poll.h>
#include <regex.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/utsname.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <linux/types.h>
#include <linux/io_uring.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "ior.h"
#include "ior-trace.h"
#include "ior-trace.skel.h"

#define AT_FDCWD_ARG (-100)
#define CSIGNAL_MASK 0xffull	/* exit signal in clone's flags: not a flag */
#define POLL_MS 100


static struct ior_out out;
static struct ior_trace_bpf *skel;
static uint64_t mono0;		/* CLOCK_MONOTONIC ns of TIME 0 */
static uint64_t nrecords;
static uint64_t nrights_lost;	/* received descriptors gone before /proc */
static regex_t comm_re;
static bool comm_mode;
static volatile sig_atomic_t stop_signal, child_exited;

static void usage(FILE *f, int code)
{
	fprintf(f, "usage: %s [-o FILE] [-p PID] [-c REGEX] [-d SECONDS] "
		"[-- COMMAND [ARG ...]]\n", ior_progname());
	exit(code);
}

static uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + ts.tv_nsec;
}

static uint64_t rel_time(uint64_t t)
{
	return t > mono0 ? t - mono0 : 0;
}

/*
 * Set TIME 0 to now and return the wall-clock time of that instant: the
 * monotonic reading bracketed most tightly by two wall-clock readings.
 */
static uint64_t set_epoch(void)
{
	struct timespec r1, m, r2;
	uint64_t best = UINT64_MAX, wall = 0;

	for (int i = 0; i < 5; i++) {
		clock_gettime(CLOCK_REALTIME, &r1);
		clock_gettime(CLOCK_MONOTONIC, &m);
		clock_gettime(CLOCK_REALTIME, &r2);
		uint64_t a = r1.tv_sec * 1000000000ull + r1.tv_nsec;
		uint64_t b = r2.tv_sec * 1000000000ull + r2.tv_nsec;

		if (b - a < best) {
			best = b - a;
			wall = a + (b - a) / 2;
			mono0 = m.tv_sec * 1000000000ull + m.tv_nsec;
		}
	}
	return wall;
}

/* ---- writing records ---- */

static void put_head(uint64_t t, uint32_t pid, uint32_t tid, const char *comm,
		     const char *call, int64_t ret, uint64_t dur)
{
	char ecomm[IOR_COMM_LEN * 4 + 1];
	size_t n = strnlen(comm, IOR_COMM_LEN);
	struct ior_rec r;

	if (n == 0)
		strcpy(ecomm, "-");
	else
		ior_escape(ecomm, comm, n);
	r.time_ns = t;
	r.pid = pid;
	r.tid = tid;
	r.comm = ecomm;
	r.call = (char *)call;
	r.ret = ret;
	r.dur = dur;
	ior_put_head(&out, &r);
	nrecords++;
}

static void put_flags(const char *key, const struct ior_flag *t, uint64_t v)
{
	char buf[512];

	ior_flags_format(buf, sizeof(buf), t, v);
	ior_put_kv(&out, key, buf);
}

/*
 * key=0NNN: octal with a leading zero, as modes are written. The kernel
 * takes a mode as umode_t (16 bits): bits above, which callers leave as
 * garbage when no file is created, mean nothing.
 */
static void put_octal(const char *key, uint64_t v)
{
	char buf[24], *p = buf + sizeof(buf);

	v &= 0177777;
	*--p = 0;
	do {
		*--p = '0' + (v & 7);
		v >>= 3;
	} while (v);
	if (*p != '0')
		*--p = '0';
	ior_put_kv(&out, key, p);
}

static void put_hex(const char *key, uint64_t v)
{
	char buf[24];

	snprintf(buf, sizeof(buf), "%#llx", (unsigned long long)v);
	ior_put_kv(&out, key, v ? buf : "0x0");
}

/* key=MAJOR:MINOR of a device number encoded as st_dev is. */
static void put_dev(const char *key, uint64_t dev)
{
	char buf[32];

	snprintf(buf, sizeof(buf), "%u:%u", major(dev), minor(dev));
	ior_put_kv(&out, key, buf);
}

static void put_dirfd(const char *key, uint64_t arg)
{
	if ((int)arg == AT_FDCWD_ARG)
		ior_put_kv(&out, key, "AT_FDCWD");
	else
		ior_put_kv_i64(&out, key, (int)arg);
}

static const char *ft_name(uint32_t mode)
{
	switch (mode & S_IFMT) {
	case S_IFREG: return "reg";
	case S_IFDIR: return "dir";
	case S_IFLNK: return "lnk";
	case S_IFIFO: return "fifo";
	case S_IFSOCK: return "sock";
	case S_IFCHR: return "chr";
	case S_IFBLK: return "blk";
	}
	return NULL;
}

static void put_ft(uint32_t mode)
{
	const char *ft = ft_name(mode);

	if (ft)
		ior_put_kv(&out, "ft", ft);
}

/* fmode nlink uid gid: what the file was seen to be. */
static void put_owner(const struct ior_event *e)
{
	put_octal("fmode", e->mode & 07777);
	ior_put_kv_i64(&out, "nlink", e->nlink);
	ior_put_kv_i64(&out, "uid", e->uid);
	ior_put_kv_i64(&out, "gid", e->gid);
}

/* ino size ft fs fmode nlink uid gid dev of a successful open. */
static void put_file(const struct ior_event *e)
{
	ior_put_kv_i64(&out, "ino", e->ino);
	ior_put_kv_i64(&out, "size", e->size);
	put_ft(e->mode);
	if (e->fs[0])
		ior_put_kv_esc(&out, "fs", e->fs);
	put_owner(e);
	put_dev("dev", e->dev);
}

/*
 * ---- what each traced process sees: its cwd, its root, its directories ----
 *
 * A dirfd-relative path is resolved when its record is formatted, after
 * the call: the process may have closed the dirfd, or exited, by then.
 * So the directories it opens (the descriptors a *at call may name) and
 * its working directory are learned from the stream itself and kept per
 * process, /proc serving only for what the stream never showed. Bounded
 * by live processes and their open directory descriptors.
 */
struct dir_fd {
	int fd;
	bool cloexec;
	char *path;		/* absolute, in the process's root */
};

struct proc {
	struct proc *next;	/* in its hash chain */
	int pid;
	int root;		/* 1: its root is /, 0: another, -1: unknown */
	char *cwd;		/* NULL: unknown */
	struct dir_fd *dirs;
	size_t ndirs, cap;
};

#define PROC_BUCKETS 1024
static struct proc *procs[PROC_BUCKETS];

static char *xstrdup(const char *s)
{
	char *d = strdup(s);

	if (!d)
		ior_err(IOR_EXIT_SYS, "strdup");
	return d;
}

static struct proc **proc_slot(int pid)
{
	struct proc **pp = &procs[(unsigned)pid % PROC_BUCKETS];

	while (*pp && (*pp)->pid != pid)
		pp = &(*pp)->next;
	return pp;
}

static struct proc *proc_find(int pid)
{
	return *proc_slot(pid);
}

static struct proc *proc_get(int pid)
{
	struct proc **pp = proc_slot(pid);

	if (!*pp) {
		if (!(*pp = calloc(1, sizeof(**pp))))
			ior_err(IOR_EXIT_SYS, "calloc");
		(*pp)->pid = pid;
		(*pp)->root = -1;
	}
	return *pp;
}

static void proc_drop(int pid)
{
	struct proc **pp = proc_slot(pid), *p = *pp;

	if (!p)
		return;
	*pp = p->next;
	for (size_t i = 0; i < p->ndirs; i++)
		free(p->dirs[i].path);
	free(p->dirs);
	free(p->cwd);
	free(p);
}

static struct dir_fd *dir_find(struct proc *p, int fd)
{
	for (size_t i = 0; p && i < p->ndirs; i++)
		if (p->dirs[i].fd == fd)
			return &p->dirs[i];
	return NULL;
}

static void dir_del(struct proc *p, int fd)
{
	struct dir_fd *d = dir_find(p, fd);

	if (!d)
		return;
	free(d->path);
	*d = p->dirs[--p->ndirs];
}

static void dir_set(struct proc *p, int fd, const char *path, bool cloexec)
{
	dir_del(p, fd);
	if (p->ndirs == p->cap) {
		p->cap = p->cap ? 2 * p->cap : 8;
		if (!(p->dirs = realloc(p->dirs, p->cap * sizeof(*p->dirs))))
			ior_err(IOR_EXIT_SYS, "realloc");
	}
	p->dirs[p->ndirs++] = (struct dir_fd){ fd, cloexec, xstrdup(path) };
}

static void cwd_set(struct proc *p, const char *path)
{
	free(p->cwd);
	p->cwd = path ? xstrdup(path) : NULL;
}

/* A fork: the child starts with its parent's view. */
static void proc_fork(int ppid, int cpid)
{
	struct proc *p = proc_find(ppid), *c;

	proc_drop(cpid);	/* a reused pid */
	if (!p)
		return;
	c = proc_get(cpid);
	c->root = p->root;
	cwd_set(c, p->cwd);
	for (size_t i = 0; i < p->ndirs; i++)
		dir_set(c, p->dirs[i].fd, p->dirs[i].path, p->dirs[i].cloexec);
}

/* An exec closes the close-on-exec descriptors. */
static void proc_exec(int pid)
{
	struct proc *p = proc_find(pid);

	for (size_t i = 0; p && i < p->ndirs;)
		if (p->dirs[i].cloexec)
			dir_del(p, p->dirs[i].fd);
		else
			i++;
}

/* readlink(2) of /proc/PID/WHAT into buf: an absolute path, or -1. */
static int proc_link(int pid, const char *what, char *buf, size_t cap)
{
	char where[64];
	ssize_t n;

	snprintf(where, sizeof(where), "/proc/%d/%s", pid, what);
	if ((n = readlink(where, buf, cap - 1)) < 0 || buf[0] != '/')
		return -1;
	buf[n] = 0;
	return 0;
}

/* The directory dirfd (or the cwd) of process p names, or NULL. */
static const char *dir_of(struct proc *p, int dirfd, char *buf, size_t cap)
{
	struct dir_fd *d;
	char what[32];

	if (dirfd == AT_FDCWD_ARG) {
		if (!p->cwd && proc_link(p->pid, "cwd", buf, cap) == 0)
			cwd_set(p, buf);	/* changes only by chdir: traced */
		return p->cwd;
	}
	if ((d = dir_find(p, dirfd)))
		return d->path;
	snprintf(what, sizeof(what), "fd/%d", dirfd);
	return proc_link(p->pid, what, buf, cap) == 0 ? buf : NULL;
}

/*
 * The absolute path, in the process's root, that dirfd and path name
 * for process pid, into buf; -1 when unknown or too long.
 */
static int abs_path(int pid, int dirfd, const char *path, char *buf,
		    size_t cap)
{
	char tmp[IOR_PATH_MAX];
	const char *base = "/";

	if (path[0] != '/' &&
	    !(base = dir_of(proc_get(pid), dirfd, tmp, sizeof(tmp))))
		return -1;
	return ior_path_join(buf, cap, base, path) < 0 ? -1 : 0;
}

/*
 * Where ior-trace finds what dirfd and path named for process pid: the
 * absolute path itself when the process's root is /, else that path
 * under /proc/PID/root.
 */
static int where_is(int pid, int dirfd, const char *path, char *buf,
		    size_t cap)
{
	char abs[IOR_PATH_MAX], root[IOR_PATH_MAX];
	struct proc *p;

	if (abs_path(pid, dirfd, path, abs, sizeof(abs)) < 0)
		return -1;
	p = proc_get(pid);
	if (p->root < 0)	/* gone already: most likely / */
		p->root = proc_link(pid, "root", root, sizeof(root)) < 0 ||
			  strcmp(root, "/") == 0;
	if (p->root)
		return snprintf(buf, cap, "%s", abs) < (int)cap ? 0 : -1;
	return snprintf(buf, cap, "/proc/%d/root%s", pid, abs) < (int)cap ?
	       0 : -1;
}

/* Keys put_attrs leaves out: those the call's own arguments use. */
#define NO_SIZE 1
#define NO_OWNER 2

/* size ft fmode nlink uid gid ino dev, as stat records have them. */
static void put_attrs(uint64_t size, uint32_t mode, uint32_t nlink,
		      uint32_t uid, uint32_t gid, uint64_t ino, uint64_t dev,
		      int skip)
{
	if (!(skip & NO_SIZE))
		ior_put_kv_i64(&out, "size", size);
	put_ft(mode);
	put_octal("fmode", mode & 07777);
	ior_put_kv_i64(&out, "nlink", nlink);
	if (!(skip & NO_OWNER)) {
		ior_put_kv_i64(&out, "uid", uid);
		ior_put_kv_i64(&out, "gid", gid);
	}
	ior_put_kv_i64(&out, "ino", ino);
	put_dev("dev", dev);
}

/* size ft fmode nlink uid gid ino dev of a successful stat. */
static void put_stat(const struct ior_event *e)
{
	put_attrs(e->size, e->mode, e->nlink, e->uid, e->gid, e->ino, e->dev,
		  0);
}

/*
 * The attributes of the file a successful path call named (dirfd, path),
 * as it is now, right after the call: with stat(2) when the call follows
 * a final symbolic link, else lstat(2). Keys the call already has as
 * arguments (skip) are left out.
 */
static void put_path_attrs(const struct ior_event *e, int dirfd,
			   const char *path, bool follow, int skip)
{
	char where[64 + IOR_PATH_MAX];
	struct stat st;

	if (e->ret < 0 || !path[0] ||
	    where_is(e->pid, dirfd, path, where, sizeof(where)) < 0 ||
	    (follow ? stat(where, &st) : lstat(where, &st)) < 0)
		return;
	put_attrs(st.st_size, st.st_mode, st.st_nlink, st.st_uid, st.st_gid,
		  st.st_ino, st.st_dev, skip);
}

static void put_err(int64_t ret)
{
	const char *name;

	if (ret >= 0)
		return;
	name = ior_errno_name(-ret);
	if (name)
		ior_put_kv(&out, "err", name);
	else
		ior_put_kv_i64(&out, "err", -ret);
}

/*
 * path2 of a stat that found a symbolic link (it did not follow it): the
 * link's target, read now, through the process's view of the file system:
 * its root, its working directory or its descriptor dirfd.
 */
static void put_link_target(const struct ior_event *e, int dirfd,
			    const char *path)
{
	char where[64 + IOR_PATH_MAX], target[IOR_PATH_MAX];
	ssize_t n;

	if (!S_ISLNK(e->mode) || !path[0] ||
	    where_is(e->pid, dirfd, path, where, sizeof(where)) < 0 ||
	    (n = readlink(where, target, sizeof(target) - 1)) < 0)
		return;
	target[n] = 0;
	ior_put_kv_esc(&out, "path2", target);
}

/*
 * What descriptor fd of process pid refers to, or -1: it is gone, or
 * (ino not 0) refers to another inode than ino, closed and reused.
 */
static int fd_target(int pid, int fd, uint64_t ino, char *buf, size_t cap)
{
	char path[64];
	struct stat st;
	ssize_t n;

	snprintf(path, sizeof(path), "/proc/%d/fd/%d", pid, fd);
	if ((n = readlink(path, buf, cap - 1)) < 0 ||
	    (ino && (stat(path, &st) < 0 || st.st_ino != ino)))
		return -1;
	buf[n] = 0;
	return 0;
}

/* A time of the utime calls: seconds with nine decimals, now or omit. */
static void put_utime(const char *key, int64_t sec, int64_t nsec)
{
	char buf[48];

	if (nsec == UTIME_NOW)
		ior_put_kv(&out, key, "now");
	else if (nsec == UTIME_OMIT)
		ior_put_kv(&out, key, "omit");
	else {
		snprintf(buf, sizeof(buf), "%lld.%09lld", (long long)sec,
			 (long long)nsec);
		ior_put_kv(&out, key, buf);
	}
}

/* atime and mtime, from the user struct BPF read, when one was given. */
static void put_utimes(const struct ior_event *e, uint64_t ptr)
{
	const __s64 *v = e->val;

	if (!ptr)
		return;
	switch (e->nr) {
	case IOR_NR_utime:		/* struct utimbuf */
		put_utime("atime", v[0], 0);
		put_utime("mtime", v[1], 0);
		break;
	case IOR_NR_utimes:		/* struct timeval[2] */
	case IOR_NR_futimesat:
		put_utime("atime", v[0], v[1] * 1000);
		put_utime("mtime", v[2], v[3] * 1000);
		break;
	default:			/* struct timespec[2] */
		put_utime("atime", v[0], v[1]);
		put_utime("mtime", v[2], v[3]);
		break;
	}
}

/* fcntl's cmd, and its argument in the form the command gives it. */
static void put_fcntl(const struct ior_event *e)
{
	uint64_t cmd = (uint32_t)e->args[1], arg = e->args[2];
	char buf[512];
	bool skip;

	put_flags("cmd", ior_fcntl_cmds, cmd);
	switch (cmd) {
	case F_GETFD: case F_GETFL: case F_GETOWN: case F_GETSIG:
	case F_GETLEASE: case F_GETPIPE_SZ: case F_GET_SEALS:
	case F_GETOWN_EX: case F_SETOWN_EX:	/* no argument, or a pointer */
		break;
	case F_SETFD:
		put_flags("arg", ior_fd_flags, (uint32_t)arg);
		break;
	case F_SETFL:
		/* it ignores the access mode: no O_RDONLY for a 0 there */
		ior_flags_format(buf, sizeof(buf), ior_open_flags, (uint32_t)arg);
		skip = (arg & O_ACCMODE) == 0 && !strncmp(buf, "O_RDONLY|", 9);
		ior_put_kv(&out, "arg", buf + (skip ? 9 : 0));
		break;
	case F_GETLK: case F_SETLK: case F_SETLKW:
	case F_OFD_GETLK: case F_OFD_SETLK: case F_OFD_SETLKW:
		put_flags("ltype", ior_lock_types, (uint16_t)e->val[0]);
		put_flags("whence", ior_whence_names, (uint16_t)e->val[1]);
		ior_put_kv_i64(&out, "offset", e->val[2]);
		ior_put_kv_i64(&out, "len", e->val[3]);
		break;
	default:
		ior_put_kv_i64(&out, "arg", (int64_t)arg);
		break;
	}
}

/* xattr calls: the path (or fd), the name, and what each one has. */
static void put_xattr(const struct ior_event *e, const char *path,
		      const char *path2, const char *value)
{
	const __u64 *a = e->args;
	const char *name = path2;

	switch (e->nr) {
	case IOR_NR_fsetxattr: case IOR_NR_fgetxattr: case IOR_NR_fremovexattr:
		ior_put_kv_i64(&out, "fd", (int)a[0]);
		name = path;
		break;
	default:
		ior_put_kv_esc(&out, "path", path);
		break;
	}
	ior_put_kv_esc(&out, "name", name);
	switch (e->nr) {
	case IOR_NR_setxattr: case IOR_NR_lsetxattr: case IOR_NR_fsetxattr:
		ior_put_kv_i64(&out, "count", a[3]);
		put_flags("flags", ior_xattr_flags, (uint32_t)a[4]);
		if (e->has_value) {
			ior_puts(&out, " value=");
			ior_put_esc(&out, value, e->len3);
		}
		break;
	case IOR_NR_getxattr: case IOR_NR_lgetxattr: case IOR_NR_fgetxattr:
		ior_put_kv_i64(&out, "count", a[3]);
		break;
	}
	switch (e->nr) {
	case IOR_NR_setxattr: case IOR_NR_getxattr: case IOR_NR_removexattr:
		put_path_attrs(e, AT_FDCWD_ARG, path, true, 0);
		break;
	case IOR_NR_lsetxattr: case IOR_NR_lgetxattr: case IOR_NR_lremovexattr:
		put_path_attrs(e, AT_FDCWD_ARG, path, false, 0);
		break;
	}
}

/*
 * ---- Linux AIO: each iocb from its submission to its reaping ----
 *
 * An io_submit's iocbs arrive from its entry (IOR_EV_AIO_SUBMIT), before
 * any of them can complete; its return says how many the kernel took;
 * each io_event that an io_getevents returns names one by its context
 * and user address. The requests in flight are kept here: bounded by
 * what the processes have in flight, and by AIO_MAX.
 */
#define AIO_BUCKETS 4096
#define AIO_MAX (1 << 20)
#define AIO_CHUNK 1024

struct aio_req {
	struct aio_req *next;	/* in its hash chain, or the free list */
	uint64_t ctx, sub, time;
	struct ior_iocb cb;
	uint32_t pid, tid, idx;	/* idx: its place in its io_submit */
	char comm[IOR_COMM_LEN];
};

static struct aio_req *aio_reqs[AIO_BUCKETS], *aio_free;
static size_t aio_live;
static uint64_t aio_lost;	/* iocbs not read, or above AIO_MAX */
static uint64_t aio_unknown;	/* io_events of requests not seen submitted */

static const char *const aio_calls[] = {
	[0] = "aio:pread", [1] = "aio:pwrite", [2] = "aio:fsync",
	[3] = "aio:fdsync", [5] = "aio:poll", [6] = "aio:noop",
	[7] = "aio:preadv", [8] = "aio:pwritev",
};

static struct aio_req **aio_bucket(uint64_t ctx, uint64_t iocb)
{
	uint64_t h = (ctx ^ iocb) * 0x9e3779b97f4a7c15ull;

	return &aio_reqs[h >> 52];	/* 12 bits: AIO_BUCKETS */
}

/*
 * Keep a submitted iocb, after those of the same context and address
 * (the caller may reuse an iocb's memory once io_submit returns): the
 * oldest is reaped first.
 */
static void aio_add(const struct ior_event *e, const struct ior_iocb *cb,
		    uint32_t idx)
{
	struct aio_req **pp = aio_bucket(e->args[0], cb->iocb), *r;

	if (aio_live >= AIO_MAX) {
		aio_lost++;
		return;
	}
	if (!aio_free) {
		struct aio_req *chunk = calloc(AIO_CHUNK, sizeof(*chunk));

		if (!chunk)
			ior_err(IOR_EXIT_SYS, "calloc");
		for (int i = 0; i < AIO_CHUNK; i++) {
			chunk[i].next = aio_free;
			aio_free = &chunk[i];
		}
	}
	r = aio_free;
	aio_free = r->next;
	r->next = NULL;
	r->ctx = e->args[0];
	r->sub = e->args[2];
	r->time = e->time;
	r->cb = *cb;
	r->pid = e->pid;
	r->tid = e->tid;
	r->idx = idx;
	memcpy(r->comm, e->comm, IOR_COMM_LEN);
	while (*pp)
		pp = &(*pp)->next;
	*pp = r;
	aio_live++;
}

static void aio_del(struct aio_req **pp)
{
	struct aio_req *r = *pp;

	*pp = r->next;
	r->next = aio_free;
	aio_free = r;
	aio_live--;
}

static void aio_submitted(const struct ior_event *e)
{
	const struct ior_iocb *cb = (const void *)e->data;

	for (uint32_t i = 0; i < e->len1 / sizeof(*cb); i++) {
		if (cb[i].iocb)
			aio_add(e, &cb[i], i);
		else
			aio_lost++;
	}
}

/*
 * The record of request r: reaped with result ret after dur, or (ret,
 * dur 0) still in flight when its context or the capture ended.
 */
static void write_aio(const struct aio_req *r, int64_t ret, uint64_t dur,
		      bool inflight)
{
	const struct ior_iocb *cb = &r->cb;
	const char *call = NULL;
	char buf[32];
	bool vec = cb->opcode == 7 || cb->opcode == 8;

	if (cb->opcode < sizeof(aio_calls) / sizeof(aio_calls[0]))
		call = aio_calls[cb->opcode];
	if (!call) {
		snprintf(buf, sizeof(buf), "aio:%u", cb->opcode);
		call = buf;
	}
	put_head(rel_time(r->time), r->pid, r->tid, r->comm, call, ret, dur);
	ior_put_kv_i64(&out, "fd", (int)cb->fd);
	ior_put_kv_i64(&out, "offset", cb->offset);
	ior_put_kv_i64(&out, "count", cb->count);
	if (vec)
		ior_put_kv_i64(&out, "iovcnt", cb->nbytes);
	if (cb->rw_flags)
		put_flags("flags", ior_rwf_flags, cb->rw_flags);
	put_hex("ctx", r->ctx);
	ior_put_kv_i64(&out, "sub", r->sub);
	put_hex("iocb", cb->iocb);
	if (inflight)
		ior_put_kv(&out, "inflight", "1");
	put_err(ret);
	ior_putc(&out, '\n');
}

/* The requests of context ctx (all, when ctx is 0) still in flight. */
static void aio_flush(uint64_t ctx)
{
	for (int b = 0; b < AIO_BUCKETS; b++)
		for (struct aio_req **pp = &aio_reqs[b]; *pp;) {
			if (ctx && (*pp)->ctx != ctx) {
				pp = &(*pp)->next;
				continue;
			}
			write_aio(*pp, 0, 0, true);
			aio_del(pp);
		}
}

/* After the record of an AIO call: what it did to the requests. */
static void track_aio(const struct ior_event *e)
{
	const struct ior_io_event *ev = (const void *)e->data;
	struct aio_req **pp;
	uint64_t reaped = e->time + e->dur;

	switch (e->nr) {
	case IOR_NR_io_submit:
		/* the kernel took the first RET iocbs: forget the others */
		if (e->ret >= (int64_t)e->args[1])
			break;
		for (int b = 0; b < AIO_BUCKETS; b++)
			for (pp = &aio_reqs[b]; *pp;)
				if ((*pp)->sub == (uint64_t)e->val[0] &&
				    (int64_t)(*pp)->idx >= e->ret)
					aio_del(pp);
				else
					pp = &(*pp)->next;
		break;
	case IOR_NR_io_getevents:
	case IOR_NR_io_pgetevents:
		for (uint32_t i = 0; i < e->len1 / sizeof(*ev); i++) {
			pp = aio_bucket(e->args[0], ev[i].obj);
			while (*pp && ((*pp)->ctx != e->args[0] ||
				       (*pp)->cb.iocb != ev[i].obj))
				pp = &(*pp)->next;
			if (!*pp) {
				aio_unknown++;
				continue;
			}
			write_aio(*pp, ev[i].res, reaped > (*pp)->time ?
				  reaped - (*pp)->time : 0, false);
			aio_del(pp);
		}
		break;
	case IOR_NR_io_destroy:
		if (e->ret == 0 && e->args[0])
			aio_flush(e->args[0]);
		break;
	}
}

/*
 * ---- io_uring: each request, complete when the kernel posts its CQE ----
 */
static const char *const uring_execs[] = {
	[IOR_EXEC_INLINE] = "inline", [IOR_EXEC_IOWQ] = "iowq",
	[IOR_EXEC_SQPOLL] = "sqpoll",
};

/* Newer than the installed <linux/io_uring.h>. */
#define URING_OP_READ_MULTISHOT 49
#define URING_OP_READV_FIXED 60
#define URING_OP_WRITEV_FIXED 61
#define URING_REGISTER_USE_REGISTERED_RING 0x80000000u

static uint64_t uring_lost;	/* requests not followed, from the kernel */

static void put_uring_fd(const struct ior_event *e)
{
	ior_put_kv_i64(&out, e->args[3] & IOSQE_FIXED_FILE ? "fixed" : "fd",
		       (int)e->args[0]);
}

/* The operation's keys of request e (see struct ior_event). */
static void put_uring_op(const struct ior_event *e, const char *path,
			 bool inflight)
{
	const __u64 *a = e->args;
	uint16_t op = e->nr;
	uint32_t slot = e->val[2];

	switch (op) {
	case IORING_OP_OPENAT:
	case IORING_OP_OPENAT2:
		put_dirfd("dirfd", a[0]);
		ior_put_kv_esc(&out, "path", path);
		put_flags("flags", ior_open_flags, a[1]);
		put_octal("mode", a[2]);
		if (op == IORING_OP_OPENAT2)
			put_flags("resolve", ior_resolve_flags, e->val[0]);
		/* a slot the kernel chose is the result */
		if (slot == IORING_FILE_INDEX_ALLOC && !inflight && e->ret >= 0)
			ior_put_kv_i64(&out, "slot", e->ret);
		else if (slot && slot != IORING_FILE_INDEX_ALLOC)
			ior_put_kv_i64(&out, "slot", slot - 1);
		break;
	case IORING_OP_STATX:
		put_dirfd("dirfd", a[0]);
		ior_put_kv_esc(&out, "path", path);
		put_flags("flags", ior_at_flags, (uint32_t)a[1]);
		put_flags("mask", ior_statx_mask, (uint32_t)a[2]);
		break;
	case IORING_OP_CLOSE:
		if (slot)
			ior_put_kv_i64(&out, "fixed", slot - 1);
		else
			ior_put_kv_i64(&out, "fd", (int)a[0]);
		break;
	case IORING_OP_FSYNC:
		put_uring_fd(e);
		if (a[1] || a[2]) {
			ior_put_kv_i64(&out, "offset", a[1]);
			ior_put_kv_i64(&out, "len", a[2]);
		}
		if (e->val[0] & IORING_FSYNC_DATASYNC)
			ior_put_kv(&out, "datasync", "1");
		break;
	case IORING_OP_FALLOCATE:
		put_uring_fd(e);
		ior_put_kv_i64(&out, "offset", a[1]);
		ior_put_kv_i64(&out, "len", a[2]);
		put_flags("mode", ior_fallocate_flags, (uint32_t)e->val[0]);
		break;
	case IORING_OP_READ:
	case IORING_OP_WRITE:
	case URING_OP_READ_MULTISHOT:
	case IORING_OP_READ_FIXED:
	case IORING_OP_WRITE_FIXED:
	case IORING_OP_READV:
	case IORING_OP_WRITEV:
	case URING_OP_READV_FIXED:
	case URING_OP_WRITEV_FIXED:
		put_uring_fd(e);
		ior_put_kv_i64(&out, "offset", a[1]);
		ior_put_kv_i64(&out, "count", a[2]);
		if (op == IORING_OP_READV || op == IORING_OP_WRITEV ||
		    op == URING_OP_READV_FIXED || op == URING_OP_WRITEV_FIXED)
			ior_put_kv_i64(&out, "iovcnt", e->val[0]);
		if (op == IORING_OP_READ_FIXED || op == IORING_OP_WRITE_FIXED ||
		    op == URING_OP_READV_FIXED || op == URING_OP_WRITEV_FIXED)
			ior_put_kv_i64(&out, "buf", e->val[2]);
		break;
	default:
		put_uring_fd(e);
		break;
	}
}

/* The record of request e: completed, or in flight at the capture's end. */
static void write_uring(const struct ior_event *e, const char *path,
			bool inflight)
{
	uint16_t op = e->nr;
	uint64_t exec = e->val[1];
	char call[32];

	if (op < IOR_URING_OPS)
		snprintf(call, sizeof(call), "uring:%s", ior_uring_ops[op]);
	else
		snprintf(call, sizeof(call), "uring:%u", op);
	put_head(rel_time(e->time), e->pid, e->tid, e->comm, call,
		 inflight ? 0 : e->ret, inflight ? 0 : e->dur);
	if ((int64_t)e->args[5] >= 0)
		ior_put_kv_i64(&out, "ring", (int64_t)e->args[5]);
	put_uring_op(e, path, inflight);
	put_flags("sqe_flags", ior_iosqe_flags, e->args[3]);
	put_hex("user_data", e->args[4]);
	ior_put_kv(&out, "exec", exec < 3 ? uring_execs[exec] : "inline");
	if (e->val[3])
		ior_put_kv_i64(&out, "sub", e->val[3]);
	if (inflight)
		ior_put_kv(&out, "inflight", "1");
	else
		put_err(e->ret);
	ior_putc(&out, '\n');
}

/*
 * After a request's record: a descriptor it opened or closed is no
 * longer the directory it may have been.
 */
static void track_uring(const struct ior_event *e)
{
	uint16_t op = e->nr;

	if (e->val[2] || e->ret < 0)
		return;		/* a registered file, or nothing done */
	if (op == IORING_OP_OPENAT || op == IORING_OP_OPENAT2)
		dir_del(proc_find(e->pid), e->ret);
	else if (op == IORING_OP_CLOSE)
		dir_del(proc_find(e->pid), (int)e->args[0]);
}

/* The io_uring requests still in flight, from the BPF maps that hold them. */
static void uring_flush(int reqs, int paths)
{
	char path[IOR_PATH_MAX];
	uint64_t key, next;
	struct ior_event e;
	bool first = true;

	while (bpf_map_get_next_key(reqs, first ? NULL : &key, &next) == 0) {
		first = false;
		key = next;
		if (bpf_map_lookup_elem(reqs, &key, &e) != 0)
			continue;
		if (bpf_map_lookup_elem(paths, &key, path) != 0)
			path[0] = 0;
		path[sizeof(path) - 1] = 0;
		write_uring(&e, path, true);
	}
}

/*
 * What an io_uring_register registered, at most IOR_RSRC_MAX: fds= of
 * the FILES opcodes (-1: an empty slot), lens= of the BUFFERS ones (0:
 * an empty slot).
 */
static void put_rsrc(const struct ior_event *e)
{
	uint32_t op = e->args[1] & ~URING_REGISTER_USE_REGISTERED_RING;
	bool bufs = op == IORING_REGISTER_BUFFERS ||
		    op == IORING_REGISTER_BUFFERS2;
	size_t size = bufs ? 16 : 4, n = e->len1 / size;

	if (e->val[3])		/* sparse: nothing read */
		n = e->val[0] < IOR_RSRC_MAX ? e->val[0] : IOR_RSRC_MAX;
	if (!n)
		return;
	ior_puts(&out, bufs ? " lens=" : " fds=");
	for (size_t i = 0; i < n; i++) {
		uint64_t len = 0;
		int fd = -1;

		if (i)
			ior_putc(&out, ',');
		if (bufs && !e->val[3])
			memcpy(&len, e->data + i * size + 8, sizeof(len));
		else if (!e->val[3])
			memcpy(&fd, e->data + i * size, sizeof(fd));
		if (bufs)
			ior_put_u64(&out, len);
		else
			ior_put_i64(&out, fd);
	}
}

/* key=A,B,C: the int descriptors in data (recvmsg, io_uring_register). */
static void put_ints(const char *key, const struct ior_event *e)
{
	if (!e->len1)
		return;
	ior_putc(&out, ' ');
	ior_puts(&out, key);
	ior_putc(&out, '=');
	for (unsigned i = 0; i < e->len1 / sizeof(int); i++) {
		int fd;

		memcpy(&fd, e->data + i * sizeof(fd), sizeof(fd));
		if (i)
			ior_putc(&out, ',');
		ior_put_i64(&out, fd);
	}
}

/* A timeout of the AIO calls: seconds with nine decimals. */
static void put_timeout(const struct ior_event *e)
{
	char buf[48];

	if (!e->val[2])
		return;
	snprintf(buf, sizeof(buf), "%lld.%09lld", (long long)e->val[0],
		 (long long)e->val[1]);
	ior_put_kv(&out, "timeout", buf);
}

static void write_syscall(const struct ior_event *e, const char *path,
			  const char *path2)
{
	const __u64 *a = e->args;
	const char *call = ior_syscall_name(e->nr);
	char target[IOR_PATH_MAX];
	bool ok = e->ret >= 0;

	put_head(rel_time(e->time), e->pid, e->tid, e->comm, call ? call : "?",
		 e->ret, e->dur);
	switch (e->nr) {
	case IOR_NR_open:
		ior_put_kv_esc(&out, "path", path);
		put_flags("flags", ior_open_flags, (uint32_t)a[1]);
		put_octal("mode", (uint32_t)a[2]);
		if (ok)
			put_file(e);
		break;
	case IOR_NR_openat:
	case IOR_NR_openat2:
		put_dirfd("dirfd", a[0]);
		ior_put_kv_esc(&out, "path", path);
		put_flags("flags", ior_open_flags, a[2]);
		put_octal("mode", a[3]);
		if (e->nr == IOR_NR_openat2)
			put_flags("resolve", ior_resolve_flags, a[4]);
		if (ok)
			put_file(e);
		break;
	case IOR_NR_creat:
		ior_put_kv_esc(&out, "path", path);
		put_octal("mode", (uint32_t)a[1]);
		if (ok)
			put_file(e);
		break;
	case IOR_NR_open_by_handle_at:
		ior_put_kv_i64(&out, "fd", (int)a[0]);
		put_flags("flags", ior_open_flags, (uint32_t)a[2]);
		if (ok) {
			/* found in the kernel; else, if still open, in /proc */
			if (path[0])
				ior_put_kv_esc(&out, "path", path);
			else if (fd_target(e->pid, e->ret, e->ino, target,
					   sizeof(target)) == 0)
				ior_put_kv_esc(&out, "path", target);
			put_file(e);
		}
		break;
	case IOR_NR_close:
	case IOR_NR_fsync:
	case IOR_NR_fdatasync:
	case IOR_NR_fchdir:
	case IOR_NR_dup:
	case IOR_NR_syncfs:
	case IOR_NR_fstatfs:
		ior_put_kv_i64(&out, "fd", (int)a[0]);
		break;
	case IOR_NR_read:
	case IOR_NR_write:
	case IOR_NR_pread64:
	case IOR_NR_pwrite64:
	case IOR_NR_getdents64:
		ior_put_kv_i64(&out, "fd", (int)a[0]);
		ior_put_kv_i64(&out, "count", a[2]);
		if (e->nr == IOR_NR_pread64 || e->nr == IOR_NR_pwrite64)
			ior_put_kv_i64(&out, "offset", a[3]);
		break;
	case IOR_NR_readv:
	case IOR_NR_writev:
	case IOR_NR_preadv:
	case IOR_NR_pwritev:
		ior_put_kv_i64(&out, "fd", (int)a[0]);
		ior_put_kv_i64(&out, "iovcnt", (int)a[2]);
		ior_put_kv_i64(&out, "count", e->val[0]);
		if (e->nr == IOR_NR_preadv || e->nr == IOR_NR_pwritev)
			ior_put_kv_i64(&out, "offset", a[3]);
		break;
	case IOR_NR_lseek:
		ior_put_kv_i64(&out, "fd", (int)a[0]);
		ior_put_kv_i64(&out, "offset", a[1]);
		put_flags("whence", ior_whence_names, (uint32_t)a[2]);
		break;
	case IOR_NR_stat:
	case IOR_NR_lstat:
		ior_put_kv_esc(&out, "path", path);
		if (ok) {
			put_stat(e);
			put_link_target(e, AT_FDCWD_ARG, path);
		}
		break;
	case IOR_NR_fstat:
		ior_put_kv_i64(&out, "fd", (int)a[0]);
		if (ok)
			put_stat(e);
		break;
	case IOR_NR_newfstatat:
	case IOR_NR_statx:
		put_dirfd("dirfd", a[0]);
		ior_put_kv_esc(&out, "path", path);
		put_flags("flags", ior_at_flags,
			  (uint32_t)a[e->nr == IOR_NR_statx ? 2 : 3]);
		if (e->nr == IOR_NR_statx)
			put_flags("mask", ior_statx_mask, (uint32_t)a[3]);
		if (ok) {
			put_stat(e);
			put_link_target(e, (int)a[0], path);
		}
		break;
	case IOR_NR_mkdir:
	case IOR_NR_chmod:
		ior_put_kv_esc(&out, "path", path);
		put_octal("mode", (uint32_t)a[1]);
		if (e->nr == IOR_NR_chmod)
			put_path_attrs(e, AT_FDCWD_ARG, path, true, 0);
		break;
	case IOR_NR_mkdirat:
	case IOR_NR_fchmodat:
	case IOR_NR_fchmodat2:
		put_dirfd("dirfd", a[0]);
		ior_put_kv_esc(&out, "path", path);
		put_octal("mode", (uint32_t)a[2]);
		if (e->nr == IOR_NR_fchmodat2)
			put_flags("flags", ior_at_flags, (uint32_t)a[3]);
		if (e->nr != IOR_NR_mkdirat)
			put_path_attrs(e, (int)a[0], path, e->nr == IOR_NR_fchmodat ||
				       !(a[3] & AT_SYMLINK_NOFOLLOW), 0);
		break;
	case IOR_NR_fchmod:
		ior_put_kv_i64(&out, "fd", (int)a[0]);
		put_octal("mode", (uint32_t)a[1]);
		break;
	case IOR_NR_rmdir:
	case IOR_NR_unlink:
	case IOR_NR_chdir:
	case IOR_NR_execve:
	case IOR_NR_statfs:
		ior_put_kv_esc(&out, "path", path);
		break;
	case IOR_NR_unlinkat:
		put_dirfd("dirfd", a[0]);
		ior_put_kv_esc(&out, "path", path);
		put_flags("flags", ior_at_flags, (uint32_t)a[2]);
		break;
	case IOR_NR_rename:
	case IOR_NR_link:
	case IOR_NR_symlink:
		ior_put_kv_esc(&out, "path", path);
		ior_put_kv_esc(&out, "path2", path2);
		if (e->nr != IOR_NR_symlink)
			put_path_attrs(e, AT_FDCWD_ARG, path2, false, 0);
		break;
	case IOR_NR_renameat:
	case IOR_NR_renameat2:
	case IOR_NR_linkat:
		put_dirfd("dirfd", a[0]);
		ior_put_kv_esc(&out, "path", path);
		put_dirfd("dirfd2", a[2]);
		ior_put_kv_esc(&out, "path2", path2);
		if (e->nr == IOR_NR_renameat2)
			put_flags("flags", ior_rename_flags, (uint32_t)a[4]);
		else if (e->nr == IOR_NR_linkat)
			put_flags("flags", ior_at_flags, (uint32_t)a[4]);
		put_path_attrs(e, (int)a[2], path2, e->nr == IOR_NR_linkat &&
			       (a[4] & AT_SYMLINK_FOLLOW), 0);
		break;
	case IOR_NR_symlinkat:
		ior_put_kv_esc(&out, "path", path);
		put_dirfd("dirfd2", a[1]);
		ior_put_kv_esc(&out, "path2", path2);
		break;
	case IOR_NR_readlink:
	case IOR_NR_readlinkat:
		if (e->nr == IOR_NR_readlinkat)
			put_dirfd("dirfd", a[0]);
		ior_put_kv_esc(&out, "path", path);
		ior_put_kv_i64(&out, "count",
			       (int)a[e->nr == IOR_NR_readlinkat ? 3 : 2]);
		if (ok && e->len2)
			ior_put_kv_esc(&out, "path2", path2);
		put_path_attrs(e, e->nr == IOR_NR_readlinkat ? (int)a[0] :
			       AT_FDCWD_ARG, path, false, 0);
		break;
	case IOR_NR_truncate:
		ior_put_kv_esc(&out, "path", path);
		ior_put_kv_i64(&out, "size", a[1]);
		put_path_attrs(e, AT_FDCWD_ARG, path, true, NO_SIZE);
		break;
	case IOR_NR_ftruncate:
		ior_put_kv_i64(&out, "fd", (int)a[0]);
		ior_put_kv_i64(&out, "size", a[1]);
		break;
	case IOR_NR_dup2:
	case IOR_NR_dup3:
		ior_put_kv_i64(&out, "fd", (int)a[0]);
		ior_put_kv_i64(&out, "fd2", (int)a[1]);
		if (e->nr == IOR_NR_dup3)
			put_flags("flags", ior_dup3_flags, (uint32_t)a[2]);
		break;
	case IOR_NR_clone:
	case IOR_NR_clone3:
		put_flags("flags", ior_clone_flags, a[0] & ~CSIGNAL_MASK);
		break;
	case IOR_NR_unshare:
		put_flags("flags", ior_clone_flags, a[0]);
		break;
	case IOR_NR_execveat:
		put_dirfd("dirfd", a[0]);
		ior_put_kv_esc(&out, "path", path);
		put_flags("flags", ior_at_flags, (uint32_t)a[4]);
		break;
	case IOR_NR_exit_group:
		ior_put_kv_i64(&out, "code", (int)a[0]);
		break;
	case IOR_NR_access:
		ior_put_kv_esc(&out, "path", path);
		put_flags("amode", ior_access_modes, (uint32_t)a[1]);
		put_path_attrs(e, AT_FDCWD_ARG, path, true, 0);
		break;
	case IOR_NR_faccessat:
	case IOR_NR_faccessat2:
		put_dirfd("dirfd", a[0]);
		ior_put_kv_esc(&out, "path", path);
		put_flags("amode", ior_access_modes, (uint32_t)a[2]);
		if (e->nr == IOR_NR_faccessat2)
			put_flags("flags", ior_faccessat_flags, (uint32_t)a[3]);
		put_path_attrs(e, (int)a[0], path, e->nr == IOR_NR_faccessat ||
			       !(a[3] & AT_SYMLINK_NOFOLLOW), 0);
		break;
	case IOR_NR_chown:
	case IOR_NR_lchown:
	case IOR_NR_fchown:
		if (e->nr == IOR_NR_fchown)
			ior_put_kv_i64(&out, "fd", (int)a[0]);
		else
			ior_put_kv_esc(&out, "path", path);
		ior_put_kv_i64(&out, "uid", (int)a[1]);
		ior_put_kv_i64(&out, "gid", (int)a[2]);
		if (e->nr != IOR_NR_fchown)
			put_path_attrs(e, AT_FDCWD_ARG, path,
				       e->nr == IOR_NR_chown, NO_OWNER);
		break;
	case IOR_NR_fchownat:
		put_dirfd("dirfd", a[0]);
		ior_put_kv_esc(&out, "path", path);
		ior_put_kv_i64(&out, "uid", (int)a[2]);
		ior_put_kv_i64(&out, "gid", (int)a[3]);
		put_flags("flags", ior_at_flags, (uint32_t)a[4]);
		put_path_attrs(e, (int)a[0], path,
			       !(a[4] & AT_SYMLINK_NOFOLLOW), NO_OWNER);
		break;
	case IOR_NR_close_range:
		ior_put_kv_i64(&out, "fd", (uint32_t)a[0]);
		ior_put_kv_i64(&out, "maxfd", (uint32_t)a[1]);
		put_flags("flags", ior_close_range_flags, (uint32_t)a[2]);
		break;
	case IOR_NR_copy_file_range:
	case IOR_NR_splice:
		ior_put_kv_i64(&out, "fd", (int)a[0]);
		if (a[1])
			ior_put_kv_i64(&out, "offset", e->val[0]);
		ior_put_kv_i64(&out, "fd2", (int)a[2]);
		if (a[3])
			ior_put_kv_i64(&out, "offset2", e->val[1]);
		ior_put_kv_i64(&out, "count", a[4]);
		if (e->nr == IOR_NR_splice)
			put_flags("flags", ior_splice_flags, (uint32_t)a[5]);
		else
			ior_put_kv_i64(&out, "flags", (uint32_t)a[5]);
		break;
	case IOR_NR_sendfile64:
		ior_put_kv_i64(&out, "fd2", (int)a[0]);
		ior_put_kv_i64(&out, "fd", (int)a[1]);
		if (a[2])
			ior_put_kv_i64(&out, "offset", e->val[0]);
		ior_put_kv_i64(&out, "count", a[3]);
		break;
	case IOR_NR_fcntl:
		ior_put_kv_i64(&out, "fd", (int)a[0]);
		put_fcntl(e);
		break;
	case IOR_NR_flock:
		ior_put_kv_i64(&out, "fd", (int)a[0]);
		put_flags("op", ior_flock_ops, (uint32_t)a[1]);
		break;
	case IOR_NR_fallocate:
		ior_put_kv_i64(&out, "fd", (int)a[0]);
		put_flags("flags", ior_fallocate_flags, (uint32_t)a[1]);
		ior_put_kv_i64(&out, "offset", a[2]);
		ior_put_kv_i64(&out, "len", a[3]);
		break;
	case IOR_NR_fadvise64:
		ior_put_kv_i64(&out, "fd", (int)a[0]);
		ior_put_kv_i64(&out, "offset", a[1]);
		ior_put_kv_i64(&out, "len", a[2]);
		put_flags("advice", ior_fadvise_advice, (uint32_t)a[3]);
		break;
	case IOR_NR_readahead:
		ior_put_kv_i64(&out, "fd", (int)a[0]);
		ior_put_kv_i64(&out, "offset", a[1]);
		ior_put_kv_i64(&out, "count", a[2]);
		break;
	case IOR_NR_sync_file_range:
		ior_put_kv_i64(&out, "fd", (int)a[0]);
		ior_put_kv_i64(&out, "offset", a[1]);
		ior_put_kv_i64(&out, "len", a[2]);
		put_flags("flags", ior_sync_file_range_flags, (uint32_t)a[3]);
		break;
	case IOR_NR_mknod:
	case IOR_NR_mknodat:
		if (e->nr == IOR_NR_mknodat)
			put_dirfd("dirfd", a[0]);
		ior_put_kv_esc(&out, "path", path);
		a += e->nr == IOR_NR_mknodat;
		put_octal("mode", (uint32_t)a[1]);
		put_dev("rdev", (uint32_t)a[2]);
		break;
	case IOR_NR_utime:
	case IOR_NR_utimes:
		ior_put_kv_esc(&out, "path", path);
		put_utimes(e, a[1]);
		put_path_attrs(e, AT_FDCWD_ARG, path, true, 0);
		break;
	case IOR_NR_utimensat:
	case IOR_NR_futimesat:
		put_dirfd("dirfd", a[0]);
		ior_put_kv_esc(&out, "path", path);
		if (e->nr == IOR_NR_utimensat)
			put_flags("flags", ior_at_flags, (uint32_t)a[3]);
		put_utimes(e, a[2]);
		/* futimesat follows links, as utimes does */
		put_path_attrs(e, (int)a[0], path, e->nr == IOR_NR_futimesat ||
			       !(a[3] & AT_SYMLINK_NOFOLLOW), 0);
		break;
	case IOR_NR_setxattr:
	case IOR_NR_lsetxattr:
	case IOR_NR_fsetxattr:
	case IOR_NR_getxattr:
	case IOR_NR_lgetxattr:
	case IOR_NR_fgetxattr:
	case IOR_NR_removexattr:
	case IOR_NR_lremovexattr:
	case IOR_NR_fremovexattr:
		put_xattr(e, path, path2, e->data + e->len1 + e->len2);
		break;
	case IOR_NR_listxattr:
	case IOR_NR_llistxattr:
		ior_put_kv_esc(&out, "path", path);
		ior_put_kv_i64(&out, "count", a[2]);
		put_path_attrs(e, AT_FDCWD_ARG, path, e->nr == IOR_NR_listxattr,
			       0);
		break;
	case IOR_NR_flistxattr:
		ior_put_kv_i64(&out, "fd", (int)a[0]);
		ior_put_kv_i64(&out, "count", a[2]);
		break;
	case IOR_NR_getcwd:
		ior_put_kv_i64(&out, "count", a[1]);
		if (ok)
			ior_put_kv_esc(&out, "path", path);
		break;
	case IOR_NR_name_to_handle_at:
		put_dirfd("dirfd", a[0]);
		ior_put_kv_esc(&out, "path", path);
		put_flags("flags", ior_at_flags, (uint32_t)a[4]);
		break;
	case IOR_NR_memfd_create:
		ior_put_kv_esc(&out, "path", path);
		put_flags("flags", ior_memfd_flags, (uint32_t)a[1]);
		break;
	case IOR_NR_mmap:
		put_hex("addr", a[0]);
		ior_put_kv_i64(&out, "len", a[1]);
		put_flags("prot", ior_mmap_prot, (uint32_t)a[2]);
		put_flags("flags", ior_mmap_flags, (uint32_t)a[3]);
		ior_put_kv_i64(&out, "fd", (int)a[4]);
		ior_put_kv_i64(&out, "offset", a[5]);
		break;
	case IOR_NR_munmap:
	case IOR_NR_msync:
	case IOR_NR_madvise:
		put_hex("addr", a[0]);
		ior_put_kv_i64(&out, "len", a[1]);
		if (e->nr == IOR_NR_msync)
			put_flags("flags", ior_msync_flags, (uint32_t)a[2]);
		else if (e->nr == IOR_NR_madvise)
			put_flags("advice", ior_madvise_advice, (uint32_t)a[2]);
		break;
	case IOR_NR_io_setup:
		ior_put_kv_i64(&out, "nr", (uint32_t)a[0]);
		if (ok)
			put_hex("ctx", e->val[0]);
		break;
	case IOR_NR_io_destroy:
		put_hex("ctx", a[0]);
		break;
	case IOR_NR_io_submit:
		put_hex("ctx", a[0]);
		ior_put_kv_i64(&out, "nr", (int64_t)a[1]);
		ior_put_kv_i64(&out, "sub", e->val[0]);
		break;
	case IOR_NR_io_getevents:
	case IOR_NR_io_pgetevents:
		put_hex("ctx", a[0]);
		ior_put_kv_i64(&out, "min_nr", (int64_t)a[1]);
		ior_put_kv_i64(&out, "nr", (int64_t)a[2]);
		put_timeout(e);
		if (e->nr == IOR_NR_io_pgetevents)
			ior_put_kv_i64(&out, "sigmask", e->val[3]);
		break;
	case IOR_NR_io_cancel:
		put_hex("ctx", a[0]);
		put_hex("iocb", a[1]);
		break;
	case IOR_NR_io_uring_setup:
		ior_put_kv_i64(&out, "entries", (uint32_t)a[0]);
		put_flags("flags", ior_uring_setup_flags, (uint32_t)e->val[2]);
		if (ok) {
			ior_put_kv_i64(&out, "sq", (uint32_t)e->val[0]);
			ior_put_kv_i64(&out, "cq", (uint32_t)e->val[1]);
		}
		break;
	case IOR_NR_io_uring_enter:
		ior_put_kv_i64(&out, "fd", (int)a[0]);
		ior_put_kv_i64(&out, "to_submit", (uint32_t)a[1]);
		ior_put_kv_i64(&out, "min_complete", (uint32_t)a[2]);
		put_flags("flags", ior_uring_enter_flags, (uint32_t)a[3]);
		if (e->val[0])
			ior_put_kv_i64(&out, "sub", e->val[0]);
		break;
	case IOR_NR_io_uring_register:
		ior_put_kv_i64(&out, "fd", (int)a[0]);
		put_flags("opcode", ior_uring_register_ops, (uint32_t)a[1]);
		ior_put_kv_i64(&out, "nr", (uint32_t)e->val[0]);
		if (e->val[2])
			ior_put_kv_i64(&out, "offset", (uint32_t)e->val[1]);
		put_rsrc(e);
		break;
	case IOR_NR_recvmsg:
		ior_put_kv_i64(&out, "fd", (int)a[0]);
		put_ints("rights", e);
		break;
	}
	put_err(e->ret);
	ior_putc(&out, '\n');
}


/*
 * After a syscall record: what it changed in its process's view (see
 * "what each traced process sees").
 */
static void track(const struct ior_event *e, const char *path)
{
	const __u64 *a = e->args;
	char abs[IOR_PATH_MAX];
	struct proc *p;
	struct dir_fd *d;
	int fd = e->ret, dirfd;
	uint64_t flags;

	switch (e->nr) {
	case IOR_NR_open:
	case IOR_NR_creat:
	case IOR_NR_openat:
	case IOR_NR_openat2:
	case IOR_NR_open_by_handle_at:
		if (e->ret < 0)
			return;
		p = proc_get(e->pid);
		dir_del(p, fd);
		if (!S_ISDIR(e->mode) || e->nr == IOR_NR_creat)
			return;		/* creat opens no directory */
		if (e->nr == IOR_NR_open_by_handle_at) {
			if (path[0] == '/')	/* found in the kernel */
				dir_set(p, fd, path, a[2] & O_CLOEXEC);
			return;
		}
		if (e->nr == IOR_NR_open)
			flags = a[1], dirfd = AT_FDCWD_ARG;
		else
			flags = a[2], dirfd = a[0];
		if (abs_path(e->pid, dirfd, path, abs, sizeof(abs)) == 0)
			dir_set(p, fd, abs, flags & O_CLOEXEC);
		break;
	case IOR_NR_close:
		dir_del(proc_find(e->pid), (int)a[0]);
		break;
	case IOR_NR_close_range:
		if (!(p = proc_find(e->pid)) || e->ret < 0)
			return;
		for (size_t i = 0; i < p->ndirs;) {
			d = &p->dirs[i];
			if ((unsigned)d->fd < (unsigned)a[0] ||
			    (unsigned)d->fd > (unsigned)a[1])
				i++;
			else if (a[2] & CLOSE_RANGE_CLOEXEC)
				d->cloexec = true, i++;
			else
				dir_del(p, d->fd);	/* moves the last here */
		}
		break;
	case IOR_NR_dup:
	case IOR_NR_dup2:
	case IOR_NR_dup3:
	case IOR_NR_fcntl:
		if (!(p = proc_find(e->pid)) || e->ret < 0)
			return;
		if (e->nr == IOR_NR_fcntl && (int)a[1] == F_SETFD) {
			if ((d = dir_find(p, (int)a[0])))
				d->cloexec = a[2] & FD_CLOEXEC;
			return;
		}
		if (e->nr == IOR_NR_fcntl && (int)a[1] != F_DUPFD &&
		    (int)a[1] != F_DUPFD_CLOEXEC)
			return;
		if (fd == (int)a[0])
			return;		/* dup2 onto itself */
		dir_del(p, fd);
		if ((d = dir_find(p, (int)a[0]))) {
			snprintf(abs, sizeof(abs), "%s", d->path);
			dir_set(p, fd, abs, e->nr == IOR_NR_fcntl ?
				(int)a[1] == F_DUPFD_CLOEXEC :
				e->nr == IOR_NR_dup3 && (a[2] & O_CLOEXEC));
		}
		break;
	case IOR_NR_chdir:
		if (e->ret == 0 &&
		    abs_path(e->pid, AT_FDCWD_ARG, path, abs, sizeof(abs)) == 0)
			cwd_set(proc_get(e->pid), abs);
		break;
	case IOR_NR_fchdir:
		if (e->ret == 0) {
			p = proc_get(e->pid);
			d = dir_find(p, (int)a[0]);
			cwd_set(p, d ? d->path : NULL);
		}
		break;
	case IOR_NR_getcwd:
		if (e->ret > 0 && path[0] == '/')
			cwd_set(proc_get(e->pid), path);
		break;
	}
}

/* ---- processes already running: /proc ---- */

static int read_file_line(const char *path, char *buf, size_t cap)
{
	FILE *f = fopen(path, "re");
	int ok;

	if (!f)
		return -1;
	ok = fgets(buf, cap, f) != NULL;
	fclose(f);
	if (!ok)
		return -1;
	buf[strcspn(buf, "\n")] = 0;
	return 0;
}

static int read_comm(int pid, char *comm, size_t cap)
{
	char path[64];

	snprintf(path, sizeof(path), "/proc/%d/comm", pid);
	return read_file_line(path, comm, cap);
}

/* Filesystem type of mount mnt_id in /proc/PID/mountinfo, into fs. */
static void mount_fs(int pid, int mnt_id, char fs[16])
{
	char path[64], line[4096];
	FILE *f;

	fs[0] = 0;
	snprintf(path, sizeof(path), "/proc/%d/mountinfo", pid);
	if (!(f = fopen(path, "re")))
		return;
	while (fgets(line, sizeof(line), f)) {
		char *sep = strstr(line, " - ");

		if (atoi(line) != mnt_id || !sep)
			continue;
		sscanf(sep + 3, "%15s", fs);
		break;
	}
	fclose(f);
}

/* Pseudo files live on mounts that mountinfo does not list. */
static const char *pseudo_fs(const char *target)
{
	if (!strncmp(target, "pipe:", 5))
		return "pipefs";
	if (!strncmp(target, "socket:", 7))
		return "sockfs";
	if (!strncmp(target, "anon_inode:", 11))
		return "anon_inodefs";
	return NULL;
}

/*
 * An ior:fd record for descriptor fd of process pid, from /proc: at the
 * start of capture (tid is pid), or for one received by thread tid.
 */
static void write_fd(int pid, int tid, const char *comm, uint64_t t, int fd)
{
	char path[64], target[PATH_MAX], line[256], fs[16] = "";
	long long pos = 0;
	unsigned long flags = 0;
	int mnt_id = -1;
	struct stat st;
	FILE *f;

	if (fd_target(pid, fd, 0, target, sizeof(target)) < 0)
		return;		/* closed meanwhile */
	snprintf(path, sizeof(path), "/proc/%d/fdinfo/%d", pid, fd);
	if (!(f = fopen(path, "re")))
		return;
	while (fgets(line, sizeof(line), f)) {
		sscanf(line, "pos: %lld", &pos);
		sscanf(line, "flags: %lo", &flags);
		sscanf(line, "mnt_id: %d", &mnt_id);
	}
	fclose(f);

	put_head(t, pid, tid, comm, "ior:fd", 0, 0);
	ior_put_kv_i64(&out, "fd", fd);
	ior_put_kv_esc(&out, "path", target);
	put_flags("flags", ior_open_flags, flags);
	ior_put_kv_i64(&out, "offset", pos);
	snprintf(path, sizeof(path), "/proc/%d/fd/%d", pid, fd);
	if (stat(path, &st) == 0) {
		ior_put_kv_i64(&out, "size", st.st_size);
		ior_put_kv_i64(&out, "ino", st.st_ino);
		put_ft(st.st_mode);
		if (S_ISDIR(st.st_mode) && target[0] == '/')
			dir_set(proc_get(pid), fd, target, flags & O_CLOEXEC);
	}
	if (pseudo_fs(target))
		ior_put_kv(&out, "fs", pseudo_fs(target));
	else if (mnt_id >= 0 && (mount_fs(pid, mnt_id, fs), fs[0]))
		ior_put_kv_esc(&out, "fs", fs);
	ior_putc(&out, '\n');
}

/* ior:cwd and an ior:fd per open descriptor (but skipfd) of process pid. */
static void write_process(int pid, int skipfd)
{
	char path[64], cwd[PATH_MAX], comm[IOR_COMM_LEN + 8];
	uint64_t t = rel_time(now_ns());
	struct dirent *d;
	ssize_t n;
	DIR *dir;

	if (read_comm(pid, comm, sizeof(comm)) < 0)
		return;		/* gone */
	snprintf(path, sizeof(path), "/proc/%d/cwd", pid);
	if ((n = readlink(path, cwd, sizeof(cwd) - 1)) >= 0) {
		cwd[n] = 0;
		put_head(t, pid, pid, comm, "ior:cwd", 0, 0);
		ior_put_kv_esc(&out, "path", cwd);
		ior_putc(&out, '\n');
		cwd_set(proc_get(pid), cwd);
	}
	snprintf(path, sizeof(path), "/proc/%d/fd", pid);
	if (!(dir = opendir(path)))
		return;
	while ((d = readdir(dir))) {
		if (d->d_name[0] < '0' || d->d_name[0] > '9')
			continue;
		if (atoi(d->d_name) != skipfd)
			write_fd(pid, pid, comm, t, atoi(d->d_name));
	}
	closedir(dir);
}

/* A set of pids, grown as needed: bounded by the processes on the host. */
struct pidset {
	int *v;
	size_t n, cap;
};

static bool pidset_has(const struct pidset *s, int pid)
{
	for (size_t i = 0; i < s->n; i++)
		if (s->v[i] == pid)
			return true;
	return false;
}

static bool pidset_add(struct pidset *s, int pid)
{
	if (pidset_has(s, pid))
		return false;
	if (s->n == s->cap) {
		s->cap = s->cap ? 2 * s->cap : 64;
		if (!(s->v = realloc(s->v, s->cap * sizeof(*s->v))))
			ior_err(IOR_EXIT_SYS, "realloc");
	}
	s->v[s->n++] = pid;
	return true;
}

/* Call fn for every process in /proc. */
static void for_each_process(void (*fn)(int pid, void *arg), void *arg)
{
	DIR *dir = opendir("/proc");
	struct dirent *d;

	if (!dir)
		ior_err(IOR_EXIT_SYS, "/proc");
	while ((d = readdir(dir)))
		if (d->d_name[0] >= '1' && d->d_name[0] <= '9')
			fn(atoi(d->d_name), arg);
	closedir(dir);
}

static int parent_of(int pid)
{
	char path[64], line[1024], *p;
	int ppid;

	snprintf(path, sizeof(path), "/proc/%d/stat", pid);
	if (read_file_line(path, line, sizeof(line)) < 0)
		return -1;
	/* comm may hold spaces and parentheses: skip to the last ')' */
	if (!(p = strrchr(line, ')')) || sscanf(p + 1, " %*c %d", &ppid) != 1)
		return -1;
	return ppid;
}

static void add_if_child(int pid, void *arg)
{
	struct pidset *s = arg;
	int ppid = parent_of(pid);

	if (ppid > 0 && pidset_has(s, ppid))
		pidset_add(s, pid);
}

/* Add the descendants of the pids in s, until no more are found. */
static void add_descendants(struct pidset *s)
{
	size_t n;

	do {
		n = s->n;
		for_each_process(add_if_child, s);
	} while (s->n != n);
}

static void add_if_comm(int pid, void *arg)
{
	char comm[IOR_COMM_LEN + 8];

	if (pid != getpid() && read_comm(pid, comm, sizeof(comm)) == 0 &&
	    regexec(&comm_re, comm, 0, NULL, 0) == 0)
		pidset_add(arg, pid);
}

/* The pipeline: processes and the pipes on their stdin and stdout. */
struct pipeline {
	struct pidset procs;
	struct pidset pipes;	/* inode numbers (fit an int on pipefs) */
};

/* The inode of the pipe on descriptor fd of pid, or 0. */
static unsigned pipe_of(int pid, int fd)
{
	char path[64], target[64];
	unsigned ino;
	ssize_t n;

	snprintf(path, sizeof(path), "/proc/%d/fd/%d", pid, fd);
	if ((n = readlink(path, target, sizeof(target) - 1)) < 0)
		return 0;
	target[n] = 0;
	return sscanf(target, "pipe:[%u]", &ino) == 1 ? ino : 0;
}

static void add_if_piped(int pid, void *arg)
{
	struct pipeline *pl = arg;
	unsigned in, out;

	if (pidset_has(&pl->procs, pid))
		return;
	in = pipe_of(pid, 0);
	out = pipe_of(pid, 1);
	if ((in && pidset_has(&pl->pipes, in)) ||
	    (out && pidset_has(&pl->pipes, out))) {
		pidset_add(&pl->procs, pid);
		if (in)
			pidset_add(&pl->pipes, in);
		if (out)
			pidset_add(&pl->pipes, out);
	}
}

/*
 * ior-trace and the processes joined to it by pipes on stdin and stdout,
 * transitively: the whole shell pipeline, whatever its length. Other
 * descriptors are not followed, so inherited side pipes do not spread it.
 */
static void find_pipeline(struct pidset *procs)
{
	struct pipeline pl = { 0 };
	size_t n;

	pidset_add(&pl.procs, getpid());
	for (int fd = 0; fd <= 1; fd++)
		if (pipe_of(getpid(), fd))
			pidset_add(&pl.pipes, pipe_of(getpid(), fd));
	do {
		n = pl.procs.n;
		for_each_process(add_if_piped, &pl);
	} while (pl.procs.n != n);
	free(pl.pipes.v);
	*procs = pl.procs;
}

/* ---- BPF ---- */

/* One slot per possible tid in the threads array: 16 bytes each. */
static uint32_t pid_max(void)
{
	char line[32];
	long v;

	if (read_file_line("/proc/sys/kernel/pid_max", line, sizeof(line)) < 0 ||
	    (v = atol(line)) <= 0)
		return 1 << 22;		/* the kernel's limit */
	return v;
}

/*
 * Set the state of thread tid of a traced (or armed) process in the
 * array the BPF programs test. A call in flight (the second pass) is kept.
 */
static void mark_thread(int tid, uint32_t state)
{
	int fd = bpf_map__fd(skel->maps.threads);
	struct ior_thread th = { 0 };
	uint32_t key = tid;

	if (bpf_map_lookup_elem(fd, &key, &th) < 0) {
		ior_warnx("thread %d: above pid_max, not traced", tid);
		return;
	}
	if (th.state == state)
		return;
	th.state = state;
	th.time = 0;
	if (bpf_map_update_elem(fd, &key, &th, BPF_ANY))
		ior_err(IOR_EXIT_SYS, "threads map");
}

/*
 * Set the state of process pid, then of each of its threads. Threads
 * made after the first step get theirs from the fork program.
 */
static void set_tgid(int pid, uint32_t state)
{
	char path[64];
	struct dirent *d;
	uint32_t key = pid;
	DIR *dir;

	if (bpf_map_update_elem(bpf_map__fd(skel->maps.tgids), &key, &state,
				BPF_ANY))
		ior_err(IOR_EXIT_SYS, "tgids map");
	if (state == IOR_TGID_EXCLUDED)
		return;		/* system-wide: looked up at the first call */
	snprintf(path, sizeof(path), "/proc/%d/task", pid);
	if (!(dir = opendir(path)))
		return;
	while ((d = readdir(dir)))
		if (d->d_name[0] >= '1' && d->d_name[0] <= '9')
			mark_thread(atoi(d->d_name), state);
	closedir(dir);
}

static bool any_traced(void)
{
	int fd = bpf_map__fd(skel->maps.tgids);
	uint32_t key, next, state;
	uint32_t *prev = NULL;

	while (bpf_map_get_next_key(fd, prev, &next) == 0) {
		if (bpf_map_lookup_elem(fd, &next, &state) == 0 &&
		    state != IOR_TGID_EXCLUDED)
			return true;
		key = next;
		prev = &key;
	}
	return false;
}

static uint64_t counter(enum ior_counter which)
{
	int ncpu = libbpf_num_possible_cpus();
	uint64_t vals[ncpu > 0 ? ncpu : 1], sum = 0;
	uint32_t key = which;

	if (ncpu <= 0 || bpf_map_lookup_elem(bpf_map__fd(skel->maps.counters),
					     &key, vals))
		return 0;
	for (int i = 0; i < ncpu; i++)
		sum += vals[i];
	return sum;
}

/* Runs of our programs the kernel skipped (recursion). */
static uint64_t missed_runs(void)
{
	struct bpf_program *prog;
	uint64_t sum = 0;

	bpf_object__for_each_program(prog, skel->obj) {
		struct bpf_prog_info info = { 0 };
		uint32_t len = sizeof(info);

		if (bpf_obj_get_info_by_fd(bpf_program__fd(prog), &info,
					   &len) == 0)
			sum += info.recursion_misses;
	}
	return sum;
}

static void write_exec(const struct ior_event *e, const char *path)
{
	put_head(rel_time(e->time), e->pid, e->tid, e->comm, "sched:exec", 0, 0);
	ior_put_kv_esc(&out, "path", path);
	if (e->args[0] != e->tid)
		ior_put_kv_i64(&out, "otid", e->args[0]);
	ior_putc(&out, '\n');
}

/*
 * The ior:fd record of a descriptor a recvmsg received, from what the
 * kernel said of it then; when its path was not found there, from /proc
 * if the descriptor still refers to the same inode: one closed meanwhile
 * (and perhaps reused) is left out, and counted.
 */
static void write_right(const struct ior_event *e, const char *path)
{
	char target[IOR_PATH_MAX];
	int fd = e->args[0];

	if (!path[0]) {
		if (fd_target(e->pid, fd, e->ino, target, sizeof(target)) < 0)
			nrights_lost++;
		else
			write_fd(e->pid, e->tid, e->comm,
				 rel_time(e->time + e->dur), fd);
		return;
	}
	put_head(rel_time(e->time + e->dur), e->pid, e->tid, e->comm, "ior:fd",
		 0, 0);
	ior_put_kv_i64(&out, "fd", fd);
	ior_put_kv_esc(&out, "path", path);
	put_flags("flags", ior_open_flags, (uint32_t)e->args[2]);
	ior_put_kv_i64(&out, "offset", e->args[1]);
	ior_put_kv_i64(&out, "size", e->size);
	ior_put_kv_i64(&out, "ino", e->ino);
	put_ft(e->mode);
	if (e->fs[0])
		ior_put_kv_esc(&out, "fs", e->fs);
	ior_putc(&out, '\n');
	if (S_ISDIR(e->mode))
		dir_set(proc_get(e->pid), fd, path, e->args[2] & O_CLOEXEC);
}

static int handle_event(void *ctx, void *data, size_t size)
{
	const struct ior_event *e = data;
	struct ior_event small;
	char path[IOR_PATH_MAX], path2[IOR_PATH_MAX];
	char comm[IOR_COMM_LEN + 1];

	(void)ctx;
	if (size < IOR_EV_SMALL)
		return 0;	/* cannot happen: the kernel wrote it */
	if (size < sizeof(*e)) {
		/* a call without strings or file facts: those are zero */
		memset(&small, 0, sizeof(small));
		memcpy(&small, data, IOR_EV_SMALL);
		e = &small;
	} else if (e->len1 > IOR_PATH_MAX || e->len2 > IOR_PATH_MAX ||
		   e->len3 > IOR_VALUE_MAX ||
		   sizeof(*e) + e->len1 + e->len2 + e->len3 > size)
		return 0;
	path[0] = path2[0] = 0;
	if (e->len1)
		memcpy(path, e->data, e->len1), path[e->len1 - 1] = 0;
	if (e->len2)
		memcpy(path2, e->data + e->len1, e->len2), path2[e->len2 - 1] = 0;

	switch (e->kind) {
	case IOR_EV_SYSCALL:
		write_syscall(e, path, path2);
		track(e, path);
		track_aio(e);
		break;
	case IOR_EV_AIO_SUBMIT:
		aio_submitted(e);
		break;
	case IOR_EV_URING:
		write_uring(e, path, false);
		track_uring(e);
		break;
	case IOR_EV_RIGHT:
		write_right(e, path);
		break;
	case IOR_EV_FORK:
		put_head(rel_time(e->time), e->pid, e->tid, e->comm,
			 "sched:fork", 0, 0);
		ior_put_kv_i64(&out, "child", e->args[0]);
		ior_put_kv_i64(&out, "cpid", e->args[1]);
		put_flags("flags", ior_clone_flags, e->args[2]);
		ior_putc(&out, '\n');
		if (e->args[1] != e->pid)
			proc_fork(e->pid, e->args[1]);
		break;
	case IOR_EV_EXEC:
		if (e->args[1]) {
			write_exec(e, path);
			proc_exec(e->pid);
			break;
		}
		/* -c: an untraced process exec'd; is it one of ours now? */
		memcpy(comm, e->comm, IOR_COMM_LEN);
		comm[IOR_COMM_LEN] = 0;
		if (!comm_mode || regexec(&comm_re, comm, 0, NULL, 0) != 0 ||
		    e->pid == (uint32_t)getpid())
			break;
		set_tgid(e->pid, IOR_TGID_TRACED);
		write_exec(e, path);
		write_process(e->pid, -1);
		break;
	case IOR_EV_EXIT:
		put_head(rel_time(e->time), e->pid, e->tid, e->comm,
			 "sched:exit", 0, 0);
		ior_put_kv_i64(&out, "code", (int)e->args[0]);
		ior_put_kv_i64(&out, "group", e->args[1]);
		ior_putc(&out, '\n');
		if (e->args[1])
			proc_drop(e->pid);
		break;
	}
	return 0;
}

/*
 * The reader of the ring buffer. libbpf's moves the reader position
 * after each record: a cache line the BPF programs read at every event,
 * on the traced process's CPU. This one moves it every RELEASE_BYTES.
 */
#define RELEASE_BYTES (1 << 20)

struct ring {
	int epfd;
	unsigned long *cons;		/* reader position: ours */
	const unsigned long *prod;	/* writer position: the kernel's */
	const char *data;		/* mapped twice: records never wrap */
	unsigned long mask;
};

static void ring_open(struct ring *r, int map_fd)
{
	long page = sysconf(_SC_PAGESIZE);
	/* edge-triggered: sleep until the kernel wakes us, not while data waits */
	struct epoll_event ev = { .events = EPOLLIN | EPOLLET };
	void *p;

	r->mask = IOR_RINGBUF_SIZE - 1;
	p = mmap(NULL, page, PROT_READ | PROT_WRITE, MAP_SHARED, map_fd, 0);
	if (p == MAP_FAILED)
		ior_err(IOR_EXIT_SYS, "ring buffer");
	r->cons = p;
	p = mmap(NULL, page + 2 * IOR_RINGBUF_SIZE, PROT_READ, MAP_SHARED,
		 map_fd, page);
	if (p == MAP_FAILED)
		ior_err(IOR_EXIT_SYS, "ring buffer");
	r->prod = p;
	r->data = (const char *)p + page;
	if ((r->epfd = epoll_create1(EPOLL_CLOEXEC)) < 0 ||
	    epoll_ctl(r->epfd, EPOLL_CTL_ADD, map_fd, &ev) < 0)
		ior_err(IOR_EXIT_SYS, "ring buffer");
}

/* Handle every record written so far; return how many. */
static size_t ring_consume(struct ring *r)
{
	unsigned long cons = *r->cons, released = cons, prod;
	size_t n = 0;
	uint32_t len;

	prod = __atomic_load_n(r->prod, __ATOMIC_ACQUIRE);
	while (cons < prod) {
		const char *rec = r->data + (cons & r->mask);

		len = __atomic_load_n((const uint32_t *)rec, __ATOMIC_ACQUIRE);
		if (len & BPF_RINGBUF_BUSY_BIT)
			break;		/* being written */
		if (!(len & BPF_RINGBUF_DISCARD_BIT)) {
			handle_event(NULL, (void *)(rec + BPF_RINGBUF_HDR_SZ),
				     len);
			n++;
		}
		len &= ~(BPF_RINGBUF_BUSY_BIT | BPF_RINGBUF_DISCARD_BIT);
		cons += (len + BPF_RINGBUF_HDR_SZ + 7) & ~7ul;
		if (cons - released >= RELEASE_BYTES) {
			__atomic_store_n(r->cons, cons, __ATOMIC_RELEASE);
			released = cons;
		}
		if (cons == prod)
			prod = __atomic_load_n(r->prod, __ATOMIC_ACQUIRE);
	}
	__atomic_store_n(r->cons, cons, __ATOMIC_RELEASE);
	return n;
}

/* Wait up to ms for a wakeup, then handle what is there. */
static int ring_poll(struct ring *r, int ms)
{
	struct epoll_event ev;

	if (epoll_wait(r->epfd, &ev, 1, ms) < 0 && errno != EINTR)
		ior_err(IOR_EXIT_SYS, "ring buffer");
	return ring_consume(r);
}

static int print_libbpf(enum libbpf_print_level level, const char *fmt,
			va_list ap)
{
	return level == LIBBPF_WARN ? vfprintf(stderr, fmt, ap) : 0;
}

static void on_signal(int sig)
{
	if (sig == SIGCHLD)
		child_exited = 1;
	else
		stop_signal = 1;
}

/*
 * Fork cmd, held until a byte is written to *gate; *held is the child's
 * end, a descriptor the command never sees (close-on-exec). With the
 * trace on stdout, the command's stdout goes to stderr instead.
 */
static pid_t start_command(char **cmd, bool trace_on_stdout, int *gate,
			   int *held)
{
	int p[2];
	pid_t pid;
	ssize_t n;
	char c;

	if (pipe2(p, O_CLOEXEC) < 0)
		ior_err(IOR_EXIT_SYS, "pipe");
	if ((pid = fork()) < 0)
		ior_err(IOR_EXIT_SYS, "fork");
	if (pid == 0) {
		close(p[1]);
		if (trace_on_stdout && dup2(2, 1) < 0)
			_exit(127);
		do
			n = read(p[0], &c, 1);
		while (n < 0 && errno == EINTR);
		if (n != 1)	/* ior-trace failed before attaching */
			_exit(127);
		execvp(cmd[0], cmd);
		ior_warn("%s", cmd[0]);
		_exit(127);
	}
	close(p[0]);
	*gate = p[1];
	*held = p[0];
	return pid;
}

int main(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "output", required_argument, NULL, 'o' },
		{ "pid", required_argument, NULL, 'p' },
		{ "comm", required_argument, NULL, 'c' },
		{ "duration", required_argument, NULL, 'd' },
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, 'V' },
		{ NULL, 0, NULL, 0 },
	};
	struct pidset pids = { 0 }, excluded = { 0 };
	const char *output = NULL;
	double duration = 0;
	uint64_t deadline = 0, wall0;
	pid_t child = -1;
	int ch, gate = -1, held = -1, outfd = 1, status = 0, exit_code = 0, err;
	int ncpu;
	bool trace_all, out_is_pipe, child_reaped = false;
	struct stat st;
	struct ring rb;
	struct utsname uts;
	char *end;
	long v;

	ior_setprogname(argv[0]);
	while ((ch = getopt_long(argc, argv, "+o:p:c:d:h", longopts, NULL)) != -1) {
		switch (ch) {
		case 'o':
			output = optarg;
			break;
		case 'p':
			errno = 0;
			v = strtol(optarg, &end, 10);
			if (errno || *end || v <= 0 || v > INT_MAX) {
				ior_warnx("bad pid: %s", optarg);
				usage(stderr, IOR_EXIT_USAGE);
			}
			pidset_add(&pids, v);
			break;
		case 'c':
			if (comm_mode)
				usage(stderr, IOR_EXIT_USAGE);
			if ((err = regcomp(&comm_re, optarg, REG_EXTENDED | REG_NOSUB))) {
				char msg[256];

				regerror(err, &comm_re, msg, sizeof(msg));
				ior_warnx("bad regex %s: %s", optarg, msg);
				usage(stderr, IOR_EXIT_USAGE);
			}
			comm_mode = true;
			break;
		case 'd':
			duration = strtod(optarg, &end);
			if (*end || !(duration > 0)) {
				ior_warnx("bad duration: %s", optarg);
				usage(stderr, IOR_EXIT_USAGE);
			}
			break;
		case 'h':
			usage(stdout, 0);
			break;
		case 'V':
			ior_version();
		default:
			usage(stderr, IOR_EXIT_USAGE);
		}
	}
	for (size_t i = 0; i < pids.n; i++) {
		char path[64];

		snprintf(path, sizeof(path), "/proc/%d", pids.v[i]);
		if (pids.v[i] == getpid() || access(path, F_OK) < 0)
			ior_errx(IOR_EXIT_SYS, "no such process: %d", pids.v[i]);
	}
	trace_all = pids.n == 0 && !comm_mode && optind == argc;

	/* Before anything else is open, so the command inherits only ours. */
	if (optind < argc)
		child = start_command(argv + optind, !output, &gate, &held);
	if (output && (outfd = open(output, O_WRONLY | O_CREAT | O_TRUNC |
				    O_CLOEXEC, 0644)) < 0)
		ior_err(IOR_EXIT_SYS, "%s", output);
	ior_out_init(&out, outfd, output);
	out.survive_epipe = 1;	/* a closed reader stops the capture, cleanly */
	out_is_pipe = fstat(outfd, &st) == 0 && S_ISFIFO(st.st_mode);

	struct sigaction sa = { .sa_handler = on_signal };
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGCHLD, &sa, NULL);

	libbpf_set_print(print_libbpf);
	if (!(skel = ior_trace_bpf__open()))
		ior_err(IOR_EXIT_SYS, "cannot open the BPF object");
	skel->rodata->trace_all = trace_all;
	skel->rodata->notify_exec = comm_mode;
	if ((ncpu = libbpf_num_possible_cpus()) > 0)
		skel->rodata->wakeup_bytes = IOR_RINGBUF_SIZE / 4 / ncpu;
	bpf_map__set_max_entries(skel->maps.threads, pid_max());
	if ((err = ior_trace_bpf__load(skel)))
		ior_errx(IOR_EXIT_SYS, "cannot load the BPF programs: %s "
			 "(ior-trace needs root and a kernel with BTF)",
			 strerror(-err));

	/* Choose the processes before attaching: nothing is missed. */
	if (trace_all) {
		find_pipeline(&excluded);
		for (size_t i = 0; i < excluded.n; i++)
			set_tgid(excluded.v[i], IOR_TGID_EXCLUDED);
	}
	if (comm_mode)
		for_each_process(add_if_comm, &pids);
	add_descendants(&pids);
	for (size_t i = 0; i < pids.n; i++)
		set_tgid(pids.v[i], IOR_TGID_TRACED);
	if (child > 0)
		set_tgid(child, IOR_TGID_ARMED);

	wall0 = set_epoch();
	if ((err = ior_trace_bpf__attach(skel)))
		ior_errx(IOR_EXIT_SYS, "cannot attach the BPF programs: %s",
			 strerror(-err));
	/*
	 * Threads and children made before the fork program was attached
	 * have no state yet: look again, now that later ones are followed.
	 */
	if (pids.n) {
		add_descendants(&pids);
		for (size_t i = 0; i < pids.n; i++)
			set_tgid(pids.v[i], IOR_TGID_TRACED);
	}
	ring_open(&rb, bpf_map__fd(skel->maps.events));

	uname(&uts);
	ior_put_magic(&out, IOR_KIND_TRACE);
	ior_puts(&out, "#meta ior-trace host=");
	ior_put_esc(&out, uts.nodename, strlen(uts.nodename));
	ior_puts(&out, " kernel=");
	ior_put_esc(&out, uts.release, strlen(uts.release));
	ior_puts(&out, " epoch=");
	ior_put_time(&out, wall0);
	ior_puts(&out, " argv=");
	for (int i = 0; i < argc; i++) {
		if (i)
			ior_put_esc(&out, " ", 1);
		ior_put_esc(&out, argv[i], strlen(argv[i]));
	}
	ior_putc(&out, '\n');

	/* What the processes hold, after attaching: nothing falls between. */
	for (size_t i = 0; i < pids.n; i++)
		write_process(pids.v[i], -1);
	if (child > 0) {
		write_process(child, held);
		ior_flush(&out);
		if (write(gate, "g", 1) != 1)
			ior_err(IOR_EXIT_SYS, "starting the command");
		close(gate);
	}
	ior_flush(&out);
	if (trace_all)
		ior_warnx("tracing system-wide, without the %zu process%s of "
			  "this pipeline", excluded.n,
			  excluded.n == 1 ? "" : "es");
	else if (child < 0)
		ior_warnx("tracing %zu process%s", pids.n,
			  pids.n == 1 ? "" : "es");

	if (duration > 0)
		deadline = now_ns() + (uint64_t)(duration * 1e9);
	while (!stop_signal) {
		int ms = POLL_MS;

		if (deadline) {
			uint64_t now = now_ns();

			if (now >= deadline)
				break;
			if (deadline - now < (uint64_t)ms * 1000000)
				ms = (deadline - now) / 1000000 + 1;
		}
		err = ring_poll(&rb, ms);
		ior_flush(&out);
		if (out.broken)
			break;		/* the reader went away */
		if (child > 0 && child_exited &&
		    waitpid(child, &status, WNOHANG) == child) {
			child_reaped = true;
			break;
		}
		/* -p alone: stop when all its processes are gone */
		if (err == 0 && child < 0 && !comm_mode && !trace_all &&
		    !any_traced())
			break;
		/* a closed reader, seen before we write to it: stop */
		if (err == 0 && out_is_pipe) {
			struct pollfd pfd = { .fd = outfd };

			if (poll(&pfd, 1, 0) == 1 && (pfd.revents & POLLERR)) {
				out.broken = 1;
				break;
			}
		}
	}
	if (!out.broken) {
		ring_consume(&rb);
		aio_flush(0);
		uring_flush(bpf_map__fd(skel->maps.uring_reqs),
			    bpf_map__fd(skel->maps.uring_paths));
	}

	uint64_t drops = counter(IOR_CNT_DROPS);
	uint64_t unpaired = counter(IOR_CNT_UNPAIRED);
	uint64_t missed = missed_runs();

	if (out.broken)
		ior_warnx("the reader went away: capture stopped after %llu "
			  "records", (unsigned long long)nrecords);
	if (drops || unpaired || missed || out.broken)
		ior_warnx("lost events: drops=%llu unpaired=%llu missed=%llu",
			  (unsigned long long)drops,
			  (unsigned long long)unpaired,
			  (unsigned long long)missed);
	if (nrights_lost)
		ior_warnx("%llu descriptor%s received by recvmsg closed before "
			  "they could be read in /proc: no ior:fd",
			  (unsigned long long)nrights_lost,
			  nrights_lost == 1 ? "" : "s");
	ior_printf(&out, "#stat ior-trace events=%llu drops=%llu unpaired=%llu "
		   "missed=%llu", (unsigned long long)nrecords,
		   (unsigned long long)drops, (unsigned long long)unpaired,
		   (unsigned long long)missed);
	if (nrights_lost)
		ior_printf(&out, " rights_lost=%llu",
			   (unsigned long long)nrights_lost);
	aio_lost += counter(IOR_CNT_AIO_LOST);
	uring_lost = counter(IOR_CNT_URING_LOST);
	if (aio_lost || aio_unknown)
		ior_printf(&out, " aio_lost=%llu aio_unknown=%llu",
			   (unsigned long long)aio_lost,
			   (unsigned long long)aio_unknown);
	if (uring_lost)
		ior_printf(&out, " uring_lost=%llu",
			   (unsigned long long)uring_lost);
	ior_putc(&out, '\n');
	ior_out_close(&out);
	ior_trace_bpf__destroy(skel);
	free(pids.v);
	free(excluded.v);
	if (comm_mode)
		regfree(&comm_re);
	if (child_reaped)
		exit_code = WIFSIGNALED(status) ? 128 + WTERMSIG(status) :
			    WEXITSTATUS(status);
	return exit_code;
}
