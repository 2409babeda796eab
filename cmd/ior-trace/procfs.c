/*
 * procfs.c - what /proc says of a process: the snapshot of the files it
 * holds when capture starts, so that the trace is usable without
 * restarting the application.
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <fcntl.h>
#include <limits.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <linux/types.h>

#include "ior.h"
#include "ior-trace.h"
#include "output.h"
#include "pathinfo.h"
#include "procfs.h"
#include "procview.h"

int read_file_line(const char *path, char *buf, size_t cap)
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

int read_comm(int pid, char *comm, size_t cap)
{
	char path[64];

	snprintf(path, sizeof(path), "/proc/%d/comm", pid);
	return read_file_line(path, comm, cap);
}

int proc_link(int pid, const char *what, char *buf, size_t cap)
{
	char where[64];
	ssize_t n;

	snprintf(where, sizeof(where), "/proc/%d/%s", pid, what);
	if ((n = readlink(where, buf, cap - 1)) < 0 || buf[0] != '/')
		return -1;
	buf[n] = 0;
	return 0;
}

int fd_target(int pid, int fd, uint64_t ino, char *buf, size_t cap)
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

void write_fd(int pid, int tid, const char *comm, uint64_t t, int fd)
{
	char path[64], target[PATH_MAX], line[256], fs[16] = "";
	long long pos = 0;
	unsigned long flags = 0;
	int mnt_id = -1;
	struct stat st;
	bool known;
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

	/* the directories it lives in, first: ior:lstat */
	describe_path(&(struct path_who){ t, pid, tid, comm }, target, false);
	put_head(t, pid, tid, comm, "ior:fd", 0, 0);
	ior_put_kv_i64(&trace_out, "fd", fd);
	ior_put_kv_esc(&trace_out, "path", target);
	put_flags("flags", ior_open_flags, flags);
	ior_put_kv_i64(&trace_out, "offset", pos);
	snprintf(path, sizeof(path), "/proc/%d/fd/%d", pid, fd);
	known = stat(path, &st) == 0;
	if (known) {
		ior_put_kv_i64(&trace_out, "size", st.st_size);
		ior_put_kv_i64(&trace_out, "ino", st.st_ino);
		put_ft(st.st_mode);
		if (S_ISDIR(st.st_mode) && target[0] == '/')
			view_set_dir(pid, fd, target, flags & O_CLOEXEC);
	}
	if (pseudo_fs(target))
		ior_put_kv(&trace_out, "fs", pseudo_fs(target));
	else if (mnt_id >= 0 && (mount_fs(pid, mnt_id, fs), fs[0]))
		ior_put_kv_esc(&trace_out, "fs", fs);
	if (known) {
		/* what the replay's tree needs: the file's mode and owner */
		put_octal("fmode", st.st_mode & 07777);
		ior_put_kv_i64(&trace_out, "nlink", st.st_nlink);
		ior_put_kv_i64(&trace_out, "uid", st.st_uid);
		ior_put_kv_i64(&trace_out, "gid", st.st_gid);
		put_dev("dev", st.st_dev);
	}
	ior_putc(&trace_out, '\n');
}

void write_process(int pid, int skipfd)
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
		describe_path(&(struct path_who){ t, pid, pid, comm }, cwd, true);
		put_head(t, pid, pid, comm, "ior:cwd", 0, 0);
		ior_put_kv_esc(&trace_out, "path", cwd);
		ior_putc(&trace_out, '\n');
		view_set_cwd(pid, cwd);
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
