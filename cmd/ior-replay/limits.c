/*
 * limits.c - the program against the machine, before anything runs
 * (limits.h).
 *
 * Tasks: a replay runs a task (a process or a thread) for each captured
 * thread, and a replay process keeps the children it forked until it
 * ends, so all of them may be alive at once. The kernel refuses a fork
 * past RLIMIT_NPROC (for a user without CAP_SYS_RESOURCE or
 * CAP_SYS_ADMIN, counting every task of the user), kernel.pid_max and
 * kernel.threads-max (every task of the machine), and the pids.max of
 * each cgroup the replay is in.
 *
 * Mappings: a replay process holds at most what the master had when it
 * forked, a few of its own, three for each of its threads (a stack, its
 * guard, a buffer), and the program's file mappings it holds at once:
 * each mmap that succeeded in the capture counts until a munmap that did,
 * a forked child starts with its parent's, an exec drops them all. The
 * kernel refuses a mapping past vm.max_map_count.
 *
 * Bytes: an upper bound of what the program adds to the filesystem of the
 * root, against its free space. Each file is followed in program order,
 * through its names (rename, link, unlink) and its descriptors (open,
 * dup, lseek): a write at an offset adds what lies past the end of the
 * file (at most its count: a hole is not allocated), a write at the file
 * position all its bytes, a fallocate all its length, a truncate what it
 * grows the file by; writes within a file are taken to need no room.
 * Files of the starting tree have the size its init:file records give.
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <linux/capability.h>
#include <linux/falloc.h>
#include <sched.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/statvfs.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "ior.h"
#include "limits.h"
#include "options.h"
#include "paths.h"	/* root */
#include "program.h"
#include "window.h"

/* What each replay process adds to the master's mappings, beside threads. */
#define OWN_MAPS 8

/* The program needs more than the machine has: refuse, or say so. */
__attribute__((format(printf, 1, 2)))
static void over(const char *fmt, ...)
{
	char msg[1024];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	if (!opt.ignore_limits)
		ior_errx(IOR_EXIT_SYS, "%s (--ignore-limits to go on)", msg);
	ior_warnx("%s; going on (--ignore-limits)", msg);
}

/* A number that a file of /proc or /sys holds; "max" is UINT64_MAX. */
static int read_num(const char *path, uint64_t *v)
{
	char buf[64], *end;
	FILE *f = fopen(path, "re");
	int ok;

	if (!f)
		return -1;
	ok = fgets(buf, sizeof(buf), f) != NULL;
	fclose(f);
	if (!ok)
		return -1;
	if (!strncmp(buf, "max", 3)) {
		*v = UINT64_MAX;
		return 0;
	}
	*v = strtoull(buf, &end, 10);
	return end == buf ? -1 : 0;
}

/* ---- tasks ---- */

/* Whether the calling process has capability cap in effect. */
static int has_cap(int cap)
{
	struct __user_cap_header_struct h = { _LINUX_CAPABILITY_VERSION_3, 0 };
	struct __user_cap_data_struct d[2];

	if (syscall(SYS_capget, &h, d) < 0)
		return 0;
	return !!(d[cap / 32].effective & (1u << (cap % 32)));
}

/* The tasks (threads) of the processes whose real uid is uid. */
static uint64_t tasks_of_uid(uid_t uid)
{
	DIR *d = opendir("/proc");
	struct dirent *e;
	uint64_t n = 0;

	if (!d)
		return 0;
	while ((e = readdir(d))) {
		char path[300], line[256];
		unsigned ruid = 0, threads = 0;
		int mine = 0;
		FILE *f;

		if (e->d_name[0] < '1' || e->d_name[0] > '9')
			continue;
		snprintf(path, sizeof(path), "/proc/%s/status", e->d_name);
		if (!(f = fopen(path, "re")))
			continue;	/* gone meanwhile */
		while (fgets(line, sizeof(line), f))
			if (sscanf(line, "Uid: %u", &ruid) == 1)
				mine = ruid == uid;
			else if (sscanf(line, "Threads: %u", &threads) == 1)
				break;
		fclose(f);
		if (mine)
			n += threads;
	}
	closedir(d);
	return n;
}

/* The pids.max of each cgroup (v2) the replay is in, from its own up. */
static void check_cgroups(uint64_t need)
{
	char line[4096], dir[4200], file[4300];
	FILE *f = fopen("/proc/self/cgroup", "re");
	size_t top = strlen("/sys/fs/cgroup");
	int found = 0;

	if (!f)
		return;
	while (!found && fgets(line, sizeof(line), f))
		found = !strncmp(line, "0::", 3);
	fclose(f);
	if (!found)
		return;
	line[strcspn(line, "\n")] = 0;
	snprintf(dir, sizeof(dir), "/sys/fs/cgroup%s", line + 3);
	while (strlen(dir) > top) {
		uint64_t max, cur;
		char *slash;

		snprintf(file, sizeof(file), "%s/pids.max", dir);
		if (read_num(file, &max) == 0 && max != UINT64_MAX) {
			snprintf(file, sizeof(file), "%s/pids.current", dir);
			if (read_num(file, &cur) == 0 && cur + need > max) {
				over("the program needs %" PRIu64 " tasks (processes and threads); pids.max of cgroup %s is %" PRIu64 ", with %" PRIu64 " in use",
				     need, dir + top, max, cur);
				return;
			}
		}
		if (!(slash = strrchr(dir, '/')))
			break;
		*slash = 0;
	}
}

/*
 * Every captured thread is a task of the replay, and all may be alive at
 * once: against the limits on tasks of the user, the machine and the
 * cgroups.
 */
static void check_tasks(void)
{
	uint64_t need = prog.nthreads, all = 0, lim, mine;
	struct rlimit rl;
	FILE *f;

	if (!need)
		return;
	if (getuid() != 0 && !has_cap(CAP_SYS_RESOURCE) &&
	    !has_cap(CAP_SYS_ADMIN) && getrlimit(RLIMIT_NPROC, &rl) == 0 &&
	    rl.rlim_cur != RLIM_INFINITY &&
	    (mine = tasks_of_uid(getuid())) + need > rl.rlim_cur)
		over("the program needs %" PRIu64 " tasks (processes and threads); RLIMIT_NPROC of uid %u is %" PRIu64 ", with %" PRIu64 " in use",
		     need, (unsigned)getuid(), (uint64_t)rl.rlim_cur, mine);
	/* The fourth field of loadavg: running/all tasks of the machine. */
	if ((f = fopen("/proc/loadavg", "re"))) {
		if (fscanf(f, "%*s %*s %*s %*u/%" SCNu64, &all) != 1)
			all = 0;
		fclose(f);
	}
	if (read_num("/proc/sys/kernel/pid_max", &lim) == 0 && all + need > lim)
		over("the program needs %" PRIu64 " tasks (processes and threads); kernel.pid_max is %" PRIu64 ", with %" PRIu64 " in use",
		     need, lim, all);
	if (read_num("/proc/sys/kernel/threads-max", &lim) == 0 && all + need > lim)
		over("the program needs %" PRIu64 " tasks (processes and threads); kernel.threads-max is %" PRIu64 ", with %" PRIu64 " in use",
		     need, lim, all);
	check_cgroups(need);
}

/* ---- mappings ---- */

/* The master's mappings now: the lines of /proc/self/maps. */
static uint64_t own_maps(void)
{
	FILE *f = fopen("/proc/self/maps", "re");
	uint64_t n = 0;
	int c;

	if (!f)
		return 0;
	while ((c = getc(f)) != EOF)
		n += c == '\n';
	fclose(f);
	return n;
}

/*
 * The mappings of each replay process, as the ops go (see the top).
 * Replay processes are numbered: the initial ones, then one for each
 * sched:fork that makes a process (not a thread: CLONE_THREAD or
 * CLONE_FILES). By thread index: proc; by process: the rest.
 */
static struct maps {
	struct ior_hashmap thread_of;	/* vtid -> thread index + 1 */
	uint32_t *proc, *first;
	uint64_t *live, *peak;
	uint32_t np;
} mp;

static void maps_start(void)
{
	uint32_t n = prog.nthreads;

	mp.proc = ior_xreallocarray(NULL, n + 1, sizeof(*mp.proc));
	mp.first = ior_xcalloc(n + 1, sizeof(*mp.first));
	mp.live = ior_xcalloc(n + 1, sizeof(*mp.live));
	mp.peak = ior_xcalloc(n + 1, sizeof(*mp.peak));
	for (uint32_t t = 0; t < n; t++) {
		mp.proc[t] = NONE;
		ior_hashmap_put(&mp.thread_of, prog.threads[t].vtid,
				(void *)(uintptr_t)(t + 1));
	}
	for (uint32_t i = 0; i < prog.ninitial; i++, mp.np++) {
		mp.first[mp.np] = prog.initial[i];
		for (uint32_t t = prog.initial[i]; t != NONE;
		     t = prog.threads[t].next_initial)
			mp.proc[t] = mp.np;
	}
}

/* One op's part in the mappings of its replay process. */
static void maps_op(const struct prog_op *op)
{
	uint32_t t, p;

	switch (op->kind) {
	case IOR_REPLAY_FORK: case IOR_REPLAY_MMAP: case IOR_REPLAY_MUNMAP:
	case IOR_REPLAY_EXEC:
		break;
	default:
		return;
	}
	t = (uintptr_t)ior_hashmap_get(&mp.thread_of, op->tid) - 1;
	if ((p = mp.proc[t]) == NONE)
		return;
	switch (op->kind) {
	case IOR_REPLAY_FORK:
		if (op->flags & (CLONE_THREAD | CLONE_FILES)) {
			mp.proc[op->child] = p;
			break;
		}
		mp.first[mp.np] = op->child;
		mp.live[mp.np] = mp.peak[mp.np] = mp.live[p];
		mp.proc[op->child] = mp.np++;
		break;
	case IOR_REPLAY_MMAP:
		if (op->cret >= 0 && ++mp.live[p] > mp.peak[p])
			mp.peak[p] = mp.live[p];
		break;
	case IOR_REPLAY_MUNMAP:
		if (op->cret == 0 && mp.live[p])
			mp.live[p]--;
		break;
	default:	/* exec */
		mp.live[p] = 0;
		break;
	}
}

/* The most mappings a replay process holds, against vm.max_map_count. */
static void maps_check(void)
{
	uint64_t base = own_maps() + OWN_MAPS, need = 0, max;
	uint32_t worst = 0;

	/* live: now the threads of each process */
	memset(mp.live, 0, (prog.nthreads + 1) * sizeof(*mp.live));
	for (uint32_t t = 0; t < prog.nthreads; t++)
		if (mp.proc[t] != NONE)
			mp.live[mp.proc[t]]++;
	for (uint32_t p = 0; p < mp.np; p++)
		if (base + 3 * mp.live[p] + mp.peak[p] > need) {
			need = base + 3 * mp.live[p] + mp.peak[p];
			worst = p;
		}
	if (mp.np && read_num("/proc/sys/vm/max_map_count", &max) == 0 &&
	    need > max)
		over("process %" PRId64 " of the program needs up to %" PRIu64 " mappings at once; vm.max_map_count is %" PRIu64,
		     prog.threads[mp.first[worst]].vpid, need, max);
	if (opt.verbose && mp.np)
		ior_warnx("%u processes; up to %" PRIu64 " mappings in one",
			  mp.np, need);
	ior_hashmap_free(&mp.thread_of);
	free(mp.peak);
	free(mp.live);
	free(mp.first);
	free(mp.proc);
	mp = (struct maps){ 0 };
}

/* ---- bytes ---- */

/* A file, as the program changes it. */
struct fobj {
	struct fobj *next;	/* every one, to free them */
	int64_t size;		/* its size, at most */
};

/* A name of a file: its own copy (the op that named it is not kept). */
struct fname {
	struct fname *next;	/* every one, to free them */
	char *path;
	struct fobj *obj;	/* NULL: nothing (but a directory, perhaps) */
};

/* What each vfd stands for. */
enum { V_UNKNOWN, V_NOWRITE, V_FILE };

static struct sizes {
	struct ior_hashmap names;	/* hash of a path -> its fnames */
	struct fname *fnames;
	struct fobj *fobjs;
	struct fobj **vobj;		/* by vfd */
	uint8_t *vstate;		/* by vfd: V_* */
	int64_t *vseek;			/* by vfd: lseek's last offset */
	uint64_t need;
} sz;

static void need_more(uint64_t n)
{
	sz.need = n > UINT64_MAX - sz.need ? UINT64_MAX : sz.need + n;
}

static int64_t sat_add(int64_t a, uint64_t b)
{
	return b > (uint64_t)(INT64_MAX - a) ? INT64_MAX : a + (int64_t)b;
}

static struct fobj *new_obj(int64_t size)
{
	struct fobj *o = ior_xcalloc(1, sizeof(*o));

	o->size = size;
	o->next = sz.fobjs;
	sz.fobjs = o;
	return o;
}

static struct fname *name_of(const char *path)
{
	uint64_t h = ior_hash_str(path);
	size_t i = ior_hashmap_home(&sz.names, h);
	struct fname *n;

	while ((n = ior_hashmap_next(&sz.names, h, &i)))
		if (!strcmp(n->path, path))
			return n;
	n = ior_xcalloc(1, sizeof(*n));
	if (!(n->path = strdup(path)))
		ior_err(IOR_EXIT_SYS, "strdup");
	n->next = sz.fnames;
	sz.fnames = n;
	ior_hashmap_add(&sz.names, h, n);
	return n;
}

/* vfd was opened on path with flags (the open succeeded in the capture). */
static void opened(int32_t vfd, size_t path, uint64_t flags)
{
	struct fname *n = name_of(str(path));
	int tmp = (flags & __O_TMPFILE) == __O_TMPFILE;
	struct fobj *o = tmp ? NULL : n->obj;
	int wr = (flags & O_ACCMODE) != O_RDONLY && !(flags & O_PATH);

	if (!o) {	/* made now: an O_TMPFILE, or created anew */
		o = new_obj(0);
		if (!tmp)
			n->obj = o;
	}
	if (wr && (flags & O_TRUNC))
		o->size = 0;
	sz.vobj[vfd] = o;
	sz.vstate[vfd] = wr ? V_FILE : V_NOWRITE;
	sz.vseek[vfd] = 0;
}

/* A dup: vfd2 stands for what vfd does. */
static void duped(int32_t vfd, int32_t vfd2)
{
	if (vfd < 0 || vfd2 < 0)
		return;
	sz.vobj[vfd2] = sz.vobj[vfd];
	sz.vstate[vfd2] = sz.vstate[vfd];
	sz.vseek[vfd2] = sz.vseek[vfd];
}

/*
 * The file a call on vfd changes, in *o: 0 when it changes none (no
 * descriptor: not issued; one not open for writing: it fails), 1 an
 * unknown one (*o NULL), 2 a file the program opened.
 */
static int target(int32_t vfd, struct fobj **o)
{
	*o = NULL;
	if (vfd < 0 || sz.vstate[vfd] == V_NOWRITE)
		return 0;
	*o = sz.vobj[vfd];
	return *o ? 2 : 1;
}

/* c bytes written on vfd, at off (-1: at the file position). */
static void wrote(int32_t vfd, int64_t off, uint64_t c)
{
	struct fobj *o;
	int64_t size, start, end;

	switch (target(vfd, &o)) {
	case 0:
		return;
	case 1:
		need_more(c);
		return;
	}
	size = o->size;
	if (off < 0) {
		start = size > sz.vseek[vfd] ? size : sz.vseek[vfd];
		need_more(c);
		o->size = sat_add(start, c);
		return;
	}
	end = sat_add(off, c);
	if (end > size) {
		need_more((uint64_t)(end - size) < c ? (uint64_t)(end - size) : c);
		o->size = end;
	}
}

/* A truncate to len of o (NULL: an unknown file). */
static void resized(struct fobj *o, int64_t len)
{
	int64_t size;

	if (len < 0)
		return;
	if (!o) {
		need_more(len);
		return;
	}
	size = o->size;
	if (len > size)
		need_more(len - size);
	o->size = len;
}

/* A fallocate of mode over [off, off + len) of o (NULL: unknown). */
static void allocated(struct fobj *o, uint64_t mode, int64_t off, int64_t len)
{
	int64_t size;

	if (len <= 0 || off < 0 ||
	    (mode & (FALLOC_FL_PUNCH_HOLE | FALLOC_FL_COLLAPSE_RANGE)))
		return;
	need_more(len);
	if (!o)
		return;
	size = o->size;
	if (mode & FALLOC_FL_INSERT_RANGE)
		o->size = sat_add(size, len);
	else if (!(mode & FALLOC_FL_KEEP_SIZE) && sat_add(off, len) > size)
		o->size = sat_add(off, len);
}

/* rename (RENAME_EXCHANGE: both ways) and link of path to path2. */
static void renamed(size_t path, size_t path2, int exchange, int keep)
{
	struct fname *a = name_of(str(path)), *b = name_of(str(path2));
	struct fobj *ob = b->obj;

	b->obj = a->obj;
	if (exchange)
		a->obj = ob;
	else if (!keep)
		a->obj = NULL;
}

/* One op's part in the bytes the program adds. */
static void size_op(const struct prog_op *op)
{
	struct fobj *o;

	switch (op->kind) {
	case IOR_REPLAY_UR_OPENAT: case IOR_REPLAY_UR_OPENAT2:
		if (op->fixed >= 0)	/* into a registered slot */
			break;
		/* fall through */
	case IOR_REPLAY_OPEN: case IOR_REPLAY_OPEN_BY_HANDLE:
		if (op->fd >= 0 && op->cret >= 0 && op->path)
			opened(op->fd, op->path, op->flags);
		break;
	case IOR_REPLAY_IORFD:	/* opened again, without creating */
		opened(op->fd, op->path,
		       op->flags & ~(uint64_t)(O_CREAT | O_TRUNC | O_EXCL));
		/* but a file without a name (O_TMPFILE): made, its size written */
		if ((op->flags & __O_TMPFILE) == __O_TMPFILE && op->fd >= 0) {
			sz.vobj[op->fd]->size = op->len;
			need_more(op->len);
		}
		break;
	case IOR_REPLAY_MEMFD: case IOR_REPLAY_URING_SETUP:	/* not files */
		if (op->fd >= 0)
			sz.vstate[op->fd] = V_NOWRITE;
		break;
	case IOR_REPLAY_DUP: case IOR_REPLAY_DUP2: case IOR_REPLAY_DUP3:
	case IOR_REPLAY_FCNTL:
		if (op->cret >= 0)
			duped(op->fd, op->fd2);
		break;
	case IOR_REPLAY_LSEEK:
		if (op->fd >= 0 && op->cret >= 0)
			sz.vseek[op->fd] = op->cret;
		break;
	case IOR_REPLAY_WRITE: case IOR_REPLAY_WRITEV:
		wrote(op->fd, -1, op->count);
		break;
	case IOR_REPLAY_PWRITE: case IOR_REPLAY_PWRITEV:
	case IOR_REPLAY_AIO_PWRITE: case IOR_REPLAY_AIO_PWRITEV:
		if (op->offset >= 0)	/* else it fails */
			wrote(op->fd, op->offset, op->count);
		break;
	case IOR_REPLAY_COPY_FILE_RANGE: case IOR_REPLAY_SENDFILE:
	case IOR_REPLAY_SPLICE:
		wrote(op->fd2, op->opt & HAS_OFF2 ? op->offset2 : -1, op->count);
		break;
	case IOR_REPLAY_UR_WRITE: case IOR_REPLAY_UR_WRITEV:
	case IOR_REPLAY_UR_WRITE_FIXED:
		if (op->fixed >= 0)
			need_more(op->count);
		else
			wrote(op->fd, op->offset, op->count);
		break;
	case IOR_REPLAY_FTRUNCATE:
		if (target(op->fd, &o))
			resized(o, op->offset);
		break;
	case IOR_REPLAY_TRUNCATE:
		if ((o = name_of(str(op->path))->obj))
			resized(o, op->offset);
		break;
	case IOR_REPLAY_FALLOCATE:
		if (target(op->fd, &o))
			allocated(o, op->flags, op->offset, op->len);
		break;
	case IOR_REPLAY_UR_FALLOCATE:
		if (op->fixed >= 0)
			allocated(NULL, op->mode, op->offset, op->len);
		else if (target(op->fd, &o))
			allocated(o, op->mode, op->offset, op->len);
		break;
	case IOR_REPLAY_RENAME:
		if (op->cret == 0)
			renamed(op->path, op->path2, !!(op->flags & RENAME_EXCHANGE), 0);
		break;
	case IOR_REPLAY_LINK:
		if (op->cret == 0)
			renamed(op->path, op->path2, 0, 1);
		break;
	case IOR_REPLAY_UNLINK:
		if (op->cret == 0 && !(op->flags & AT_REMOVEDIR))
			name_of(str(op->path))->obj = NULL;
		break;
	default:
		break;
	}
}

/* "N bytes (X.Y GiB)" */
static const char *human(uint64_t n, char *buf, size_t cap)
{
	static const char *const unit[] = { "bytes", "KiB", "MiB", "GiB", "TiB", "PiB", "EiB" };
	double x = n;
	int u = 0;

	while (x >= 1024 && u < 6) {
		x /= 1024;
		u++;
	}
	if (u)
		snprintf(buf, cap, "%" PRIu64 " bytes (%.1f %s)", n, x, unit[u]);
	else
		snprintf(buf, cap, "%" PRIu64 " bytes", n);
	return buf;
}

/* The vfds, and the files of the starting tree, at their sizes. */
static void bytes_start(void)
{
	size_t nv = (size_t)prog.maxvfd + 1;

	sz.vobj = ior_xcalloc(nv, sizeof(*sz.vobj));
	sz.vstate = ior_xcalloc(nv, sizeof(*sz.vstate));
	sz.vseek = ior_xcalloc(nv, sizeof(*sz.vseek));
	for (uint32_t i = 0; i < prog.ntree; i++) {
		const struct tree_file *f = &prog.tree[i];

		name_of(f->path)->obj = f->path2 ? name_of(f->path2)->obj :
			new_obj(f->size > INT64_MAX ? INT64_MAX : (int64_t)f->size);
		free(f->path);
		free(f->path2);
	}
	free(prog.tree);
	prog.tree = NULL;
	prog.ntree = 0;
}

/* The bytes the program may add (see the top), against the free space. */
static void bytes_check(void)
{
	char a[64], b[64];
	struct statvfs sv;
	uint64_t avail;

	if (opt.verbose)
		ior_warnx("up to %s added beneath %s", human(sz.need, a, sizeof(a)),
			  opt.dir);
	/* root may take the blocks the filesystem reserves for it */
	if (sz.need && fstatvfs(root.fd, &sv) == 0) {
		avail = (geteuid() == 0 ? sv.f_bfree : sv.f_bavail) *
			(uint64_t)sv.f_frsize;
		if (sz.need > avail)
			over("the program may add up to %s to the filesystem of %s, which has %s free",
			     human(sz.need, a, sizeof(a)), opt.dir,
			     human(avail, b, sizeof(b)));
	}
	for (struct fname *n = sz.fnames, *next; n; n = next) {
		next = n->next;
		free(n->path);
		free(n);
	}
	for (struct fobj *o = sz.fobjs, *next; o; o = next) {
		next = o->next;
		free(o);
	}
	ior_hashmap_free(&sz.names);
	free(sz.vobj);
	free(sz.vstate);
	free(sz.vseek);
	sz = (struct sizes){ 0 };
}

static void limits_op(const struct prog_op *op)
{
	maps_op(op);
	size_op(op);
}

/* One pass over the ops (streamed: over the spool), for the mappings and the bytes. */
void check_limits(void)
{
	check_tasks();
	maps_start();
	bytes_start();
	if (prog.streamed)
		window_scan(limits_op);
	else
		for (uint32_t i = 0; i < prog.nops; i++)
			limits_op(&prog.ops[i]);
	maps_check();
	bytes_check();
}
