/*
 * events.c - each event of the ring, made into records, and what it
 * changes in the view of its process.
 */
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <fcntl.h>

#include "aio.h"
#include "capture.h"
#include "decode.h"
#include "events.h"
#include "options.h"
#include "output.h"
#include "pathinfo.h"
#include "procfs.h"
#include "procview.h"
#include "syscall.h"
#include "uring.h"

static const struct trace_opts *opts;
static uint64_t nrights_lost;	/* received descriptors gone before /proc */
static uint64_t nundecoded;

void events_init(const struct trace_opts *o)
{
	opts = o;
	decode_init(view_tracks, aio_tracks);
	syscall_init();
}

uint64_t rights_lost(void)
{
	return nrights_lost;
}

uint64_t calls_undecoded(void)
{
	return nundecoded;
}

static void write_exec(const struct ior_event *e, const char *path)
{
	put_head(rel_time(e->time), e->pid, e->tid, e->comm, "sched:exec", 0, 0);
	ior_put_kv_esc(&trace_out, "path", path);
	if (e->args[0] != e->tid)
		ior_put_kv_i64(&trace_out, "otid", e->args[0]);
	ior_putc(&trace_out, '\n');
}

/*
 * A pipe's or a socket's name, as /proc gives it ("pipe:[INO]"), from
 * what the kernel said of the file: into buf, and true; false for any
 * other file.
 */
static bool anon_name(const struct ior_event *e, char *buf, size_t cap)
{
	const char *kind = NULL;

	if (S_ISFIFO(e->mode) && !strncmp(e->fs, "pipefs", sizeof(e->fs)))
		kind = "pipe";
	else if (S_ISSOCK(e->mode) && !strncmp(e->fs, "sockfs", sizeof(e->fs)))
		kind = "socket";
	if (!kind)
		return false;
	snprintf(buf, cap, "%s:[%llu]", kind, (unsigned long long)e->ino);
	return true;
}

/*
 * The ior:fd record of a descriptor a recvmsg received, from what the
 * kernel said of it then (a pipe or a socket is named by its inode);
 * when its path was not found there, from /proc if the descriptor still
 * refers to the same inode: one closed meanwhile (and perhaps reused) is
 * left out, and counted.
 */
static void write_right(const struct ior_event *e, const char *path)
{
	char target[IOR_PATH_MAX];
	int fd = e->args[0];

	if (!path[0] && anon_name(e, target, sizeof(target)))
		path = target;
	if (!path[0]) {
		if (fd_target(e->pid, fd, e->ino, target, sizeof(target)) < 0)
			nrights_lost++;
		else
			write_fd(e->pid, e->tid, e->comm,
				 rel_time(e->time + e->dur), fd);
		return;
	}
	describe_path(&(struct path_who){ rel_time(e->time + e->dur), e->pid,
					   e->tid, e->comm }, path, false);
	put_head(rel_time(e->time + e->dur), e->pid, e->tid, e->comm, "ior:fd",
		 0, 0);
	ior_put_kv_i64(&trace_out, "fd", fd);
	ior_put_kv_esc(&trace_out, "path", path);
	put_flags("flags", ior_open_flags, (uint32_t)e->args[2]);
	ior_put_kv_i64(&trace_out, "offset", e->args[1]);
	ior_put_kv_i64(&trace_out, "size", e->size);
	ior_put_kv_i64(&trace_out, "ino", e->ino);
	put_ft(e->mode);
	if (e->fs[0])
		ior_put_kv_esc(&trace_out, "fs", e->fs);
	put_octal("fmode", e->mode & 07777);
	ior_put_kv_i64(&trace_out, "nlink", e->nlink);
	ior_put_kv_i64(&trace_out, "uid", e->uid);
	ior_put_kv_i64(&trace_out, "gid", e->gid);
	put_dev("dev", e->dev);
	ior_putc(&trace_out, '\n');
	if (S_ISDIR(e->mode))
		view_set_dir(e->pid, fd, path, e->args[2] & O_CLOEXEC);
}

static void write_fork(const struct ior_event *e)
{
	put_head(rel_time(e->time), e->pid, e->tid, e->comm, "sched:fork", 0, 0);
	ior_put_kv_i64(&trace_out, "child", e->args[0]);
	ior_put_kv_i64(&trace_out, "cpid", e->args[1]);
	put_flags("flags", ior_clone_flags, e->args[2]);
	ior_putc(&trace_out, '\n');
	if (e->args[1] != e->pid)
		view_fork(e->pid, e->args[1]);
}

static void write_exit(const struct ior_event *e)
{
	put_head(rel_time(e->time), e->pid, e->tid, e->comm, "sched:exit", 0, 0);
	ior_put_kv_i64(&trace_out, "code", (int)e->args[0]);
	ior_put_kv_i64(&trace_out, "group", e->args[1]);
	ior_putc(&trace_out, '\n');
	if (e->args[1])
		view_drop(e->pid);
}

/* An exec: of a traced process; or, with -c, one that may be ours now. */
static void on_exec(const struct ior_event *e, const char *path)
{
	char comm[IOR_COMM_LEN + 1];

	if (e->args[1]) {
		write_exec(e, path);
		view_exec(e->pid);
		return;
	}
	memcpy(comm, e->comm, IOR_COMM_LEN);
	comm[IOR_COMM_LEN] = 0;
	if (!opts->comm_mode || !comm_matches(opts, comm) ||
	    e->pid == (uint32_t)getpid() || pidset_has(&opts->skip, e->pid))
		return;
	set_tgid(e->pid, IOR_TGID_TRACED);
	if (opts->agg_ns)	/* counted from now on, not written */
		return;
	write_exec(e, path);
	write_process(e->pid, -1);
}

static void on_syscall(const struct ior_event *e, const char *path,
		       const char *path2)
{
	struct ior_event early;
	struct call_rec c;

	e = aio_early(e, &early);
	if (!call_decode(&c, e, path, path2)) {
		nundecoded++;
		return;
	}
	write_syscall(&c);
	if (c.info->after & AFTER_VIEW)
		view_track(&c);
	if (c.info->after & AFTER_AIO)
		aio_track(&c);
}

void handle_event(const void *data, size_t size)
{
	const struct ior_event *e = data;
	struct ior_event small;
	char path[IOR_PATH_MAX], path2[IOR_PATH_MAX];

	if (size < IOR_EV_SMALL)
		return;		/* cannot happen: the kernel wrote it */
	/* -a: the programs write only the execs -c must look at */
	if (opts->agg_ns && e->kind != IOR_EV_EXEC)
		return;
	if (e->kind == IOR_EV_AIO_EVENTS) {	/* io_events, not strings */
		if (size >= sizeof(*e) && sizeof(*e) + e->len1 <= size)
			aio_reaped(e);
		return;
	}
	if (size < sizeof(*e)) {
		/* a call without strings or file facts: those are zero */
		memset(&small, 0, sizeof(small));
		memcpy(&small, data, IOR_EV_SMALL);
		e = &small;
	} else if (e->len1 > IOR_PATH_MAX || e->len2 > IOR_PATH_MAX ||
		   e->len3 > IOR_VALUE_MAX ||
		   sizeof(*e) + e->len1 + e->len2 + e->len3 > size)
		return;
	path[0] = path2[0] = 0;
	if (e->len1)
		memcpy(path, e->data, e->len1), path[e->len1 - 1] = 0;
	if (e->len2)
		memcpy(path2, e->data + e->len1, e->len2), path2[e->len2 - 1] = 0;

	switch (e->kind) {
	case IOR_EV_SYSCALL:
		on_syscall(e, path, path2);
		break;
	case IOR_EV_AIO_SUBMIT:
		aio_submitted(e);
		break;
	case IOR_EV_URING:
		write_uring(e, path, false);
		uring_track(e);
		break;
	case IOR_EV_RIGHT:
		write_right(e, path);
		break;
	case IOR_EV_FORK:
		write_fork(e);
		break;
	case IOR_EV_EXEC:
		on_exec(e, path);
		break;
	case IOR_EV_EXIT:
		write_exit(e);
		break;
	}
}
