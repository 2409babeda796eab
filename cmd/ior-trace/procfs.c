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
#include <time.h>
#include <unistd.h>

#include <linux/types.h>
#include <linux/io_uring.h>

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

#define LENS_MAX 4096		/* registered buffers written of a ring */
#define RING_TRIES 200		/* reads of a busy ring's fdinfo */

/*
 * What /proc/PID/fdinfo shows of an io_uring ring: its queue sizes,
 * whether it has an SQPOLL thread, its registered files (their paths,
 * kept at f's position) and the lengths of its registered buffers.
 */
struct ring_info {
	unsigned sqmask, cqmask, nfiles, nbufs;
	int sqthread;
	int shown;		/* fdinfo showed them (SqMask) */
	char *files;		/* the file list's lines, "N: PATH\n" ...
				   (malloc'ed), or NULL */
	size_t files_len;
	char *lens;		/* "L,L,..." (malloc'ed), or NULL */
};

/* What ri holds: freed, ri emptied. */
static void ring_info_free(struct ring_info *ri)
{
	free(ri->files);
	free(ri->lens);
	*ri = (struct ring_info){ .sqthread = -1 };
}

/* One line of the file list, kept as it is. */
static void ring_file(struct ring_info *ri, const char *line, size_t *cap)
{
	size_t n = strlen(line);

	ri->files = ior_xgrow(ri->files, cap, ri->files_len + n + 1, 1);
	memcpy(ri->files + ri->files_len, line, n + 1);
	ri->files_len += n;
}

/* One registered buffer of an fdinfo line "N: 0xADDR/LEN" or "N: <none>". */
static void ring_buf(struct ring_info *ri, const char *line, size_t *len,
		     size_t *cap)
{
	unsigned long long addr;
	unsigned n = 0;
	char num[16];

	if (ri->nbufs >= LENS_MAX)
		return;
	if (sscanf(line, " %*u: 0x%llx/%u", &addr, &n) != 2)
		n = 0;		/* an empty slot */
	snprintf(num, sizeof(num), "%s%u", ri->nbufs ? "," : "", n);
	ri->lens = ior_xgrow(ri->lens, cap, *len + strlen(num) + 1, 1);
	memcpy(ri->lens + *len, num, strlen(num) + 1);
	*len += strlen(num);
	ri->nbufs++;
}

/*
 * The ring facts of fdinfo f, read to its end. The file list is kept
 * from this read: a read again (the file regenerated) may come when the
 * kernel does not get the ring's lock, and show none.
 */
static void read_ring(FILE *f, struct ring_info *ri)
{
	size_t lcap = 0, len = 0, cap = 0, fcap = 0;
	char *line = NULL;
	int in_bufs = 0, in_files = 0;

	while (getline(&line, &lcap, f) > 0) {
		if (in_bufs && line[0] == ' ') {
			ring_buf(ri, line, &len, &cap);
			continue;
		}
		if (in_files && line[0] == ' ') {
			ring_file(ri, line, &fcap);
			continue;
		}
		in_bufs = in_files = 0;
		ri->shown |= sscanf(line, "SqMask: %x", &ri->sqmask) == 1;
		sscanf(line, "CqMask: %x", &ri->cqmask);
		sscanf(line, "SqThread: %d", &ri->sqthread);
		if (sscanf(line, "UserFiles: %u", &ri->nfiles) == 1)
			in_files = 1;
		if (!strncmp(line, "UserBufs:", 9))
			in_bufs = 1;
	}
	free(line);
}

/* The keys of a ring's ior:fd: entries cq setup [files] [lens]. */
static void put_ring(const struct ring_info *ri)
{
	unsigned setup = 0;

	if (ri->sqthread >= 0)
		setup |= IORING_SETUP_SQPOLL;
	if (ri->cqmask != 2 * ri->sqmask + 1)
		setup |= IORING_SETUP_CQSIZE;
	ior_put_kv_i64(&trace_out, "entries", ri->sqmask + 1);
	ior_put_kv_i64(&trace_out, "cq", ri->cqmask + 1);
	put_flags("setup", ior_uring_setup_flags, setup);
	if (ri->nfiles)
		ior_put_kv_i64(&trace_out, "files", ri->nfiles);
	if (ri->lens)
		ior_put_kv(&trace_out, "lens", ri->lens);
}

/* A path as seq_file_path writes it: " \t\n\\" as \ooo, undone in place. */
static void unoctal(char *s)
{
	char *d = s;

	for (; *s; s++, d++) {
		if (s[0] == '\\' && s[1] >= '0' && s[1] <= '3' &&
		    s[2] >= '0' && s[2] <= '7' && s[3] >= '0' && s[3] <= '7') {
			*d = (s[1] - '0') << 6 | (s[2] - '0') << 3 | (s[3] - '0');
			s += 3;
		} else
			*d = *s;
	}
	*d = 0;
}

/*
 * The open flags of a descriptor of process pid on the file st is, or
 * O_RDWR when it has none: a registered file's own do not show.
 */
static unsigned long flags_of_file(int pid, const struct stat *st)
{
	char path[64], line[256];
	unsigned long flags = O_RDWR, f;
	struct stat fst;
	struct dirent *d;
	FILE *fi;
	DIR *dir;

	snprintf(path, sizeof(path), "/proc/%d/fd", pid);
	if (!(dir = opendir(path)))
		return flags;
	while ((d = readdir(dir))) {
		snprintf(path, sizeof(path), "/proc/%d/fd/%.16s", pid, d->d_name);
		if (d->d_name[0] < '0' || d->d_name[0] > '9' ||
		    stat(path, &fst) < 0 || fst.st_dev != st->st_dev ||
		    fst.st_ino != st->st_ino)
			continue;
		snprintf(path, sizeof(path), "/proc/%d/fdinfo/%.16s", pid, d->d_name);
		if (!(fi = fopen(path, "re")))
			continue;
		while (fgets(line, sizeof(line), fi))
			if (sscanf(line, "flags: %lo", &f) == 1)
				flags = f;
		fclose(fi);
		break;
	}
	closedir(dir);
	return flags;
}

/*
 * An ior:fixed record for each file of ring fd's registered file table,
 * as its fdinfo listed them (ri->files): "N: PATH".
 */
static void write_fixed(int pid, int tid, const char *comm, uint64_t t,
			int fd, struct ring_info *ri)
{
	char *line, *next, *p;
	struct stat st;
	unsigned slot;
	int n;

	for (line = ri->nfiles ? ri->files : NULL; line && *line; line = next) {
		if ((next = strchr(line, '\n')))
			*next++ = 0;
		else
			next = line + strlen(line);
		if (sscanf(line, " %u: %n", &slot, &n) != 1)
			continue;
		p = line + n;
		unoctal(p);
		put_head(t, pid, tid, comm, "ior:fixed", 0, 0);
		ior_put_kv_i64(&trace_out, "ring", fd);
		ior_put_kv_i64(&trace_out, "fixed", slot);
		ior_put_kv_esc(&trace_out, "path", p);
		if (stat(p, &st) == 0) {
			put_flags("flags", ior_open_flags, flags_of_file(pid, &st));
			ior_put_kv_i64(&trace_out, "size", st.st_size);
			ior_put_kv_i64(&trace_out, "ino", st.st_ino);
			put_ft(st.st_mode);
		} else
			put_flags("flags", ior_open_flags, O_RDWR);
		ior_putc(&trace_out, '\n');
	}
}

/*
 * /proc/PID/fdinfo/FD at path: pos, flags, mnt_id and, for a ring, its
 * facts (ri->shown). The kernel shows a ring's only when it takes the
 * ring's lock at once: a busy ring (its SQPOLL thread holds the lock as
 * it submits) is read again, up to RING_TRIES times, a millisecond apart.
 * Returns the file, read to its end, or NULL.
 */
static FILE *read_fdinfo(const char *path, int ring, long long *pos,
			 unsigned long *flags, int *mnt_id, struct ring_info *ri)
{
	static const struct timespec ms = { 0, 1000000 };
	char line[256];
	FILE *f = NULL;

	for (int i = 0; i < (ring ? RING_TRIES : 1); i++) {
		if (f) {
			fclose(f);
			nanosleep(&ms, NULL);
		}
		if (!(f = fopen(path, "re"))) {
			ring_info_free(ri);
			return NULL;
		}
		*mnt_id = -1;
		while ((!ring || *mnt_id < 0) && fgets(line, sizeof(line), f)) {
			sscanf(line, "pos: %lld", pos);
			sscanf(line, "flags: %lo", flags);
			sscanf(line, "mnt_id: %d", mnt_id);
		}
		if (!ring)
			break;
		ring_info_free(ri);
		read_ring(f, ri);
		if (ri->shown)
			break;
	}
	return f;
}

void write_fd(int pid, int tid, const char *comm, uint64_t t, int fd)
{
	struct ring_info ri = { .sqthread = -1 };
	char path[64], target[PATH_MAX], fs[16] = "";
	long long pos = 0;
	unsigned long flags = 0;
	int mnt_id = -1, ring;
	struct stat st;
	bool known;
	FILE *f;

	if (fd_target(pid, fd, 0, target, sizeof(target)) < 0)
		return;		/* closed meanwhile */
	snprintf(path, sizeof(path), "/proc/%d/fdinfo/%d", pid, fd);
	ring = !strcmp(target, "anon_inode:[io_uring]");
	if (!(f = read_fdinfo(path, ring, &pos, &flags, &mnt_id, &ri)))
		return;
	if (ring && !ri.shown) {
		ior_warnx("process %d: descriptor %d: a ring /proc tells nothing of (busy): its requests will be dropped",
			  pid, fd);
		ring = 0;
	}

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
	if (ring)
		put_ring(&ri);
	ior_putc(&trace_out, '\n');
	fclose(f);
	if (ring)
		write_fixed(pid, tid, comm, t, fd, &ri);
	ring_info_free(&ri);
}

/*
 * An ior:aio record for each AIO context of process pid: its id is the
 * address of its ring's mapping, /[aio], whose size tells the largest
 * nr_events that makes a ring as large: ioctx_alloc doubles nr_events
 * (at least 4 per possible CPU), aio_setup_ring adds 2 and a 32-byte
 * header, of as many 32-byte io_events, and rounds up to pages.
 */
static void write_aio(int pid, const char *comm, uint64_t t)
{
	unsigned long long start, end;
	char path[64], line[512];
	FILE *f;

	snprintf(path, sizeof(path), "/proc/%d/maps", pid);
	if (!(f = fopen(path, "re")))
		return;
	while (fgets(line, sizeof(line), f)) {
		if (!strstr(line, " /[aio]") ||
		    sscanf(line, "%llx-%llx", &start, &end) != 2 ||
		    end - start < 4 * 32)
			continue;
		put_head(t, pid, pid, comm, "ior:aio", 0, 0);
		put_hex("ctx", start);
		ior_put_kv_i64(&trace_out, "nr", ((end - start) / 32 - 3) / 2);
		ior_putc(&trace_out, '\n');
	}
	fclose(f);
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
	write_aio(pid, comm, t);
}
