/*
 * exec.c - run one reader on one input, bounded, and judge what it did.
 *
 * The reader runs in its own process group, in the scratch directory,
 * with standard input from /dev/null and its output in files there.  As
 * root it runs as uid and gid 65534 with no supplementary groups and no
 * new privileges, so that a replay program that escaped its root could
 * not hurt the machine.  Limits: no core files, files of at most
 * fsize_mb (SIGXFSZ ignored: a write past it fails with EFBIG), CPU
 * time, and as uid 65534 a number of processes.  The sanitizers write
 * their reports to files in the scratch directory and exit 86; ASan
 * itself refuses an allocation larger than the memory bound and stops
 * a process whose resident set grows past it.  The driver is a child
 * subreaper: processes a reader leaves behind come back to it, are
 * counted and killed.
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <grp.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <poll.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "fuzz.h"

#define NOBODY 65534
#define ERR_KEEP 65536		/* bytes of standard error kept */
#define REPORT_KEEP 65536	/* bytes of sanitizer reports kept */

static struct exec_cfg cfg;
static char root[4096], report_dir[4096], out_path[4096], err_path[4096];
static char asan_opts[8192], ubsan_opts[8192];

static void path_in(char *dst, size_t n, const char *name)
{
	if ((size_t)snprintf(dst, n, "%s/%s", cfg.work, name) >= n)
		die("%s: path too long", cfg.work);
}

static int rm_one(const char *p, const struct stat *st, int flag, struct FTW *ftw)
{
	(void)st;
	(void)ftw;
	if (flag == FTW_DP)
		return rmdir(p) < 0 && errno != ENOENT;
	return unlink(p) < 0 && errno != ENOENT;
}

int rm_tree(const char *path)
{
	struct stat st;

	if (lstat(path, &st) < 0)
		return errno == ENOENT ? 0 : -1;
	if (!S_ISDIR(st.st_mode))
		return unlink(path);
	/* a replay may leave directories without search permission: root
	 * passes them, uid 65534 does not, and only root runs this */
	return nftw(path, rm_one, 64, FTW_DEPTH | FTW_PHYS) ? -1 : 0;
}

const char *exec_root(void)
{
	return root;
}

const char *exec_out(void)
{
	return out_path;
}

void exec_fresh_root(void)
{
	if (rm_tree(root) < 0)
		die("%s: cannot remove: %s", root, strerror(errno));
	if (mkdir(root, 0755) < 0)
		die("%s: %s", root, strerror(errno));
	if (cfg.nobody && chown(root, NOBODY, NOBODY) < 0)
		die("%s: chown: %s", root, strerror(errno));
}

void exec_setup(const struct exec_cfg *c)
{
	cfg = *c;
	path_in(root, sizeof(root), "root");
	path_in(report_dir, sizeof(report_dir), "report");
	path_in(out_path, sizeof(out_path), "out");
	path_in(err_path, sizeof(err_path), "err");
	if (chmod(cfg.work, 0755) < 0)
		die("%s: %s", cfg.work, strerror(errno));
	rm_tree(report_dir);
	if (mkdir(report_dir, 0755) < 0)
		die("%s: %s", report_dir, strerror(errno));
	if (cfg.nobody && chown(report_dir, NOBODY, NOBODY) < 0)
		die("%s: chown: %s", report_dir, strerror(errno));
	exec_fresh_root();
	snprintf(asan_opts, sizeof(asan_opts),
		 "exitcode=86:log_path=%s/report:detect_leaks=1:"
		 "allocator_may_return_null=0:max_allocation_size_mb=%ld:"
		 "hard_rss_limit_mb=%ld:disable_coredump=1:abort_on_error=0",
		 report_dir, cfg.rss_mb, cfg.rss_mb);
	snprintf(ubsan_opts, sizeof(ubsan_opts),
		 "exitcode=86:log_path=%s/report:print_stacktrace=1:halt_on_error=1",
		 report_dir);
	if (prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0) < 0)
		die("prctl(PR_SET_CHILD_SUBREAPER): %s", strerror(errno));
	if (cfg.escape_probe)
		rm_tree(cfg.escape_probe);
}

void exec_cleanup(void)
{
	rm_tree(root);
	rm_tree(report_dir);
	unlink(out_path);
	unlink(err_path);
}

void outcome_free(struct outcome *o)
{
	buf_free(&o->err);
	buf_free(&o->report);
	buf_free(&o->tasks);
}

static double now(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return t.tv_sec + t.tv_nsec / 1e9;
}

static long rss_kb(pid_t pid)
{
	char path[64], line[256];
	long kb = 0;
	FILE *f;

	snprintf(path, sizeof(path), "/proc/%d/status", (int)pid);
	f = fopen(path, "re");
	if (!f)
		return 0;
	while (fgets(line, sizeof(line), f))
		if (sscanf(line, "VmRSS: %ld", &kb) == 1)
			break;
	fclose(f);
	return kb;
}

static _Noreturn void child(const char *prog, char *const argv[])
{
	struct rlimit rl;
	int fd;

	setpgid(0, 0);
	prctl(PR_SET_PDEATHSIG, SIGKILL, 0, 0, 0);
	fd = open("/dev/null", O_RDONLY);
	if (fd < 0 || dup2(fd, 0) < 0)
		_exit(127);
	fd = open(out_path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
	if (fd < 0 || dup2(fd, 1) < 0)
		_exit(127);
	fd = open(err_path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
	if (fd < 0 || dup2(fd, 2) < 0)
		_exit(127);
	for (fd = 3; fd < 1024; fd++)
		close(fd);
	/*
	 * The reader, opened while still root: a build in a directory only
	 * root may enter (a clone under mktemp -d, 0700) is one that uid
	 * 65534 could not exec by its name. Not close-on-exec, so that a
	 * script's interpreter can open it as /dev/fd/N.
	 */
	fd = open(prog, O_PATH);
	if (fd < 0)
		_exit(127);
	sigset_t none;

	sigemptyset(&none);
	sigprocmask(SIG_SETMASK, &none, NULL);
	for (int s = 1; s < NSIG; s++)
		signal(s, SIG_DFL);
	signal(SIGXFSZ, SIG_IGN);
	rl.rlim_cur = rl.rlim_max = 0;
	setrlimit(RLIMIT_CORE, &rl);
	rl.rlim_cur = rl.rlim_max = (rlim_t)cfg.fsize_mb << 20;
	setrlimit(RLIMIT_FSIZE, &rl);
	rl.rlim_cur = rl.rlim_max = cfg.timeout_ms / 1000 + 5;
	setrlimit(RLIMIT_CPU, &rl);
	setenv("ASAN_OPTIONS", asan_opts, 1);
	setenv("UBSAN_OPTIONS", ubsan_opts, 1);
	setenv("LSAN_OPTIONS", "", 1);
	if (chdir(cfg.work) < 0)
		_exit(127);
	if (cfg.nobody) {
		rl.rlim_cur = rl.rlim_max = 1024;
		setrlimit(RLIMIT_NPROC, &rl);
		if (setgroups(0, NULL) < 0 || setgid(NOBODY) < 0 || setuid(NOBODY) < 0)
			_exit(127);
		prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0);
	}
	syscall(SYS_execveat, fd, "", argv, environ, AT_EMPTY_PATH);
	_exit(127);
}

/* Kill every child of ours (processes left behind were given to us). */
static void kill_children(void)
{
	DIR *d = opendir("/proc");
	struct dirent *e;
	char path[300], line[256];
	pid_t self = getpid();

	if (!d)
		return;
	while ((e = readdir(d))) {
		int ppid = -1;
		FILE *f;

		if (e->d_name[0] < '1' || e->d_name[0] > '9')
			continue;
		snprintf(path, sizeof(path), "/proc/%s/status", e->d_name);
		f = fopen(path, "re");
		if (!f)
			continue;
		while (fgets(line, sizeof(line), f))
			if (sscanf(line, "PPid: %d", &ppid) == 1)
				break;
		fclose(f);
		if (ppid == self)
			kill(atoi(e->d_name), SIGKILL);
	}
	closedir(d);
}

/* What the tasks of process group pgid were doing, into b: one line a
 * thread, "PID/TID COMM STATE WCHAN", then its kernel stack. */
static void snapshot(pid_t pgid, struct buf *b)
{
	DIR *d = opendir("/proc"), *td;
	struct dirent *e, *t;
	char path[600], line[512];
	struct buf s = { 0 };

	if (!d)
		return;
	while ((e = readdir(d))) {
		int pid = atoi(e->d_name);

		if (pid <= 0 || getpgid(pid) != pgid)
			continue;
		snprintf(path, sizeof(path), "/proc/%d/task", pid);
		if (!(td = opendir(path)))
			continue;
		while ((t = readdir(td))) {
			char comm[64] = "?", state = '?', *rp;

			if (t->d_name[0] == '.')
				continue;
			snprintf(path, sizeof(path), "/proc/%d/task/%s/stat", pid, t->d_name);
			if (buf_load(&s, path) == 0 && (rp = strrchr(s.p, ')'))) {
				char *lp = strchr(s.p, '(');

				if (lp && rp - lp - 1 < (long)sizeof(comm)) {
					memcpy(comm, lp + 1, rp - lp - 1);
					comm[rp - lp - 1] = 0;
				}
				state = rp[2];
			}
			snprintf(path, sizeof(path), "/proc/%d/task/%s/wchan", pid, t->d_name);
			if (buf_load(&s, path) < 0)
				buf_set(&s, "?", 1);
			snprintf(line, sizeof(line), "%d/%s %s %c %.100s\n", pid, t->d_name, comm,
				 state, s.p);
			buf_adds(b, line);
			snprintf(path, sizeof(path), "/proc/%d/task/%s/stack", pid, t->d_name);
			if (buf_load(&s, path) == 0)
				buf_add(b, s.p, s.len < 2048 ? s.len : 2048);
		}
		closedir(td);
	}
	closedir(d);
	buf_free(&s);
}

/* Reap what is left: 1 when something still ran after a grace period. */
static int reap_rest(pid_t pgid)
{
	int left = 0;
	double until = now() + 0.3;

	for (;;) {
		pid_t r = waitpid(-1, NULL, WNOHANG);

		if (r > 0)
			continue;
		if (r < 0)	/* ECHILD: nothing left */
			return left;
		if (now() > until) {
			left = 1;
			kill(-pgid, SIGKILL);
			kill_children();
			until = now() + 3600;
		}
		usleep(2000);
	}
}

static void load_reports(struct buf *rep)
{
	DIR *d = opendir(report_dir);
	struct dirent *e;
	struct buf b = { 0 };
	char path[8192];

	rep->len = 0;
	buf_add(rep, "", 0);
	if (!d)
		return;
	while ((e = readdir(d))) {
		if (e->d_name[0] == '.')
			continue;
		snprintf(path, sizeof(path), "%s/%s", report_dir, e->d_name);
		if (buf_load(&b, path) == 0 && rep->len < REPORT_KEEP)
			buf_add(rep, b.p, b.len < REPORT_KEEP ? b.len : REPORT_KEEP);
		unlink(path);
	}
	closedir(d);
	buf_free(&b);
}

void run_prog(const char *prog, char *const argv[], struct outcome *o)
{
	struct rusage ru = { 0 };
	int st = 0, delay = 500;
	double t0 = now(), next_rss = t0 + 0.05;
	pid_t pid;

	outcome_free(o);
	memset(o, 0, sizeof(*o));
	load_reports(&o->report);	/* empties the directory */
	pid = fork();
	if (pid < 0)
		die("fork: %s", strerror(errno));
	if (pid == 0)
		child(prog, argv);
	setpgid(pid, pid);
	/* a pidfd wakes us when the reader ends; without, sleeps that grow */
	int pfd = (int)syscall(SYS_pidfd_open, pid, 0);

	for (;;) {
		pid_t r = wait4(pid, &st, WNOHANG, &ru);

		if (r == pid)
			break;
		if (r < 0 && errno != EINTR)
			die("wait4: %s", strerror(errno));
		double t = now();

		if (t - t0 > cfg.timeout_ms / 1000.0) {
			o->timed_out = 1;
		} else if (t > next_rss) {
			next_rss = t + 0.05;
			o->rss_killed = rss_kb(pid) > cfg.rss_mb * 1024;
		}
		if (o->timed_out || o->rss_killed) {
			if (o->timed_out)
				snapshot(pid, &o->tasks);
			kill(-pid, SIGKILL);
			kill(pid, SIGKILL);
			while (wait4(pid, &st, 0, &ru) < 0 && errno == EINTR)
				;
			break;
		}
		if (pfd >= 0) {
			struct pollfd p = { .fd = pfd, .events = POLLIN };

			poll(&p, 1, 50);
		} else {
			usleep(delay);
			if (delay < 20000)
				delay *= 2;
		}
	}
	if (pfd >= 0)
		close(pfd);
	o->seconds = now() - t0;
	o->maxrss_kb = ru.ru_maxrss;
	if (WIFEXITED(st)) {
		o->exited = 1;
		o->code = WEXITSTATUS(st);
	} else {
		o->sig = WTERMSIG(st);
	}
	o->orphans = reap_rest(pid) && !o->timed_out && !o->rss_killed;
	buf_load(&o->err, err_path);
	if (o->err.len > ERR_KEEP)
		o->err.len = ERR_KEEP;
	load_reports(&o->report);
	/* UBSan beside ASan writes to standard error whatever log_path says */
	if (o->err.len && (strstr(o->err.p, "runtime error: ") || strstr(o->err.p, "==ERROR: ")))
		buf_add(&o->report, o->err.p, o->err.len);
	if (cfg.escape_probe) {
		struct stat sb;

		if (lstat(cfg.escape_probe, &sb) == 0) {
			o->escaped = 1;
			rm_tree(cfg.escape_probe);
		}
	}
}

/* ---- the verdict ---- */

/* Copy s to d (size n) with runs of digits as one '#' and each input's
 * path as IN, up to the first newline. */
static void normalise(char *d, size_t n, const char *s, size_t len,
		      const char *const inputs[])
{
	size_t o = 0;

	for (size_t i = 0; i < len && s[i] != '\n' && o + 3 < n;) {
		size_t k;

		for (k = 0; inputs && inputs[k]; k++) {
			size_t l = strlen(inputs[k]);

			if (l && i + l <= len && !memcmp(s + i, inputs[k], l))
				break;
		}
		if (inputs && inputs[k]) {
			memcpy(d + o, "IN", 2);
			o += 2;
			i += strlen(inputs[k]);
		} else if (s[i] >= '0' && s[i] <= '9') {
			d[o++] = '#';
			while (i < len && s[i] >= '0' && s[i] <= '9')
				i++;
		} else {
			d[o++] = s[i++];
		}
	}
	d[o] = 0;
}

static const char *memfind(const struct buf *b, const char *needle)
{
	return b->len ? strstr(b->p, needle) : NULL;
}

/* The first stack frame in ior's own code: "FUNC FILE:LINE". */
static void first_frame(const struct buf *rep, char *d, size_t n)
{
	const char *p = rep->p, *end = rep->p + rep->len;

	*d = 0;
	while (p && p < end) {
		const char *nl = memchr(p, '\n', end - p), *in;

		if (!nl)
			nl = end;
		in = memmem(p, nl - p, " in ", 4);
		if (in && memmem(p, nl - p, "#", 1)) {
			const char *src = NULL;

			for (const char *q = in; q < nl; q++)
				if ((!strncmp(q, "cmd/", 4) || !strncmp(q, "lib/", 4) ||
				     !strncmp(q, "t/helper/", 9)) && (q[-1] == '/' || q[-1] == ' ')) {
					src = q;
					break;
				}
			/* the allocation wrappers: the caller says more */
			if (src && !strncmp(src, "lib/alloc.c", 11))
				src = NULL;
			else if (src) {
				const char *fn = in + 4, *fe = memchr(fn, ' ', nl - fn);
				const char *colon = memchr(src, ':', nl - src);
				const char *ce = colon ? colon + 1 : nl;

				while (ce < nl && *ce >= '0' && *ce <= '9')
					ce++;
				if (fe)
					snprintf(d, n, "%.*s %.*s", (int)(fe - fn), fn,
						 (int)(ce - src), src);
				return;
			}
		}
		p = nl + 1;
	}
}

static int one_line_error(const struct outcome *o, const char *tool,
			  const char *const inputs[])
{
	const char *s = o->err.p;
	size_t tl = strlen(tool);

	if (!o->err.len || memchr(s, '\n', o->err.len) != s + o->err.len - 1)
		return 0;
	if (strncmp(s, tool, tl) || strncmp(s + tl, ": ", 2))
		return 0;
	s += tl + 2;
	for (size_t k = 0; inputs[k]; k++) {
		size_t l = strlen(inputs[k]);
		const char *p = s + l;

		if (strncmp(s, inputs[k], l) || *p != ':')
			continue;
		p++;
		if (*p < '0' || *p > '9')
			continue;
		while (*p >= '0' && *p <= '9')
			p++;
		if (p[0] == ':' && p[1] == ' ' && p[2] && p[2] != '\n')
			return 1;
	}
	return 0;
}

const char *judge(const struct outcome *o, const char *tool,
		  const char *const inputs[], char *sig, size_t sigsz)
{
	static char cls[128];
	char frame[512] = "", line[512] = "";
	const char *p;

	normalise(line, sizeof(line), o->err.p ? o->err.p : "", o->err.len, inputs);
	if (memfind(&o->report, "ERROR: ") || memfind(&o->report, "runtime error:") ||
	    memfind(&o->report, "fatal error")) {
		first_frame(&o->report, frame, sizeof(frame));
		if (memfind(&o->report, "LeakSanitizer")) {
			snprintf(cls, sizeof(cls), "leak");
		} else if (memfind(&o->report, "allocation-size-too-big") ||
			   memfind(&o->report, "requested allocation size") ||
			   memfind(&o->report, "rss limit") ||
			   memfind(&o->report, "out of memory") ||
			   memfind(&o->report, "out-of-memory")) {
			snprintf(cls, sizeof(cls), "memory");
		} else if ((p = memfind(&o->report, "AddressSanitizer: "))) {
			p += strlen("AddressSanitizer: ");
			size_t n = strcspn(p, " \n(");

			snprintf(cls, sizeof(cls), "asan-%.*s", (int)(n > 60 ? 60 : n), p);
		} else if ((p = memfind(&o->report, "runtime error: "))) {
			const char *b = p;

			while (b > o->report.p && b[-1] != '\n')
				b--;
			snprintf(cls, sizeof(cls), "ubsan");
			if (!*frame) {
				normalise(frame, sizeof(frame), b, strcspn(b, "\n"), NULL);
				frame[80 < sizeof(frame) ? 80 : 0] = 0;
			}
		} else {
			snprintf(cls, sizeof(cls), "sanitizer");
		}
		if (!*frame)
			normalise(frame, sizeof(frame), o->report.p, 0, NULL);
		snprintf(sig, sigsz, "%s %s", cls, frame);
		return cls;
	}
	if (o->escaped)
		snprintf(cls, sizeof(cls), "escape");
	else if (o->timed_out)
		snprintf(cls, sizeof(cls), "hang");
	else if (o->rss_killed || o->maxrss_kb > cfg.rss_mb * 1024)
		snprintf(cls, sizeof(cls), "memory");
	else if (!o->exited)
		snprintf(cls, sizeof(cls), "signal-%s", sigabbrev_np(o->sig) ? sigabbrev_np(o->sig) : "?");
	else if (o->code != 0 && o->code != 1 && o->code != 3 && o->code != 4)
		snprintf(cls, sizeof(cls), "exit-%d", o->code);
	else if (o->orphans)
		snprintf(cls, sizeof(cls), "orphans");
	else if (o->code == 3 && !one_line_error(o, tool, inputs))
		snprintf(cls, sizeof(cls), "message");
	else
		return NULL;
	snprintf(sig, sigsz, "%s %s", cls, line);
	return cls;
}

uint64_t outcome_shape(const struct outcome *o, const char *const inputs[],
		       char *line, size_t n)
{
	uint64_t h = 0xcbf29ce484222325ULL;

	normalise(line, n, o->err.p ? o->err.p : "", o->err.len, inputs);
	/* the message, not the value it quotes */
	line[strcspn(line, "\"")] = 0;
	h = (h ^ (uint64_t)(o->exited ? o->code : 1000 + o->sig)) * 0x100000001b3ULL;
	for (const char *p = line; *p; p++)
		h = (h ^ (unsigned char)*p) * 0x100000001b3ULL;
	return h;
}
