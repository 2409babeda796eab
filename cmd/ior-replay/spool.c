/*
 * spool.c - files in $TMPDIR written, then read back in order (spool.h).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "ior.h"
#include "spool.h"

/*
 * 64 KiB: what a read brings in is still in the CPU's cache as the
 * records are copied out of it. With 1 MiB the master spent half its
 * time in the kernel's copy: loading the 135000 ops the bench's replay
 * of 200000 loads while it runs took it 37 ms, 22-30 ms so.
 */
#define SPOOL_BUF (1u << 16)
#define SPOOL_FD 512		/* the lowest descriptor it takes, if it can */

/*
 * An unlinked file: nothing to clean up whatever ends the replay. A
 * file system without O_TMPFILE gets a named file, unlinked at once.
 */
void spool_file_open(struct spool *s, const char *what)
{
	const char *dir = getenv("TMPDIR");
	char *name;
	int hi;

	if (!dir || !*dir)
		dir = "/tmp";
	*s = (struct spool){ .what = what };
	s->fd = open(dir, O_TMPFILE | O_RDWR | O_CLOEXEC, 0600);
	if (s->fd < 0 && (errno == EOPNOTSUPP || errno == EISDIR)) {
		if (asprintf(&name, "%s/ior-replay.XXXXXX", dir) < 0)
			ior_err(IOR_EXIT_SYS, "malloc");
		s->fd = mkostemp(name, O_CLOEXEC);
		if (s->fd >= 0)
			unlink(name);
		free(name);
	}
	if (s->fd < 0)
		ior_err(IOR_EXIT_SYS, "%s: a file to spool %s to", dir, what);
	/*
	 * Out of the way of the low numbers: replay processes close it
	 * (spool_file_drop), and the descriptors their opens get must be
	 * the ones they got without a spool.
	 */
	if ((hi = fcntl(s->fd, F_DUPFD_CLOEXEC, SPOOL_FD)) >= 0) {
		close(s->fd);
		s->fd = hi;
	}
	s->buf = ior_xmalloc(SPOOL_BUF);
}

/* n bytes at p straight to the file, not through the buffer. */
static void write_all(struct spool *s, const char *p, size_t n)
{
	ssize_t k;

	while (n) {
		k = write(s->fd, p, n);
		if (k < 0 && errno == EINTR)
			continue;
		if (k <= 0)
			ior_err(IOR_EXIT_SYS, "spooling %s", s->what);
		p += k;
		n -= k;
		s->flushed += k;
	}
}

static void spool_flush(struct spool *s)
{
	write_all(s, s->buf, s->len);
	s->len = 0;
}

/*
 * Many bytes at once (the results of a chunk of ops set aside while the
 * replay runs) go to the file as they are: copying them to the buffer
 * first was a copy more of the master's, taken from the replay's threads.
 */
#define WRITE_DIRECT (SPOOL_BUF / 4)

void spool_file_write(struct spool *s, const void *p, size_t n)
{
	if (n >= WRITE_DIRECT) {
		spool_flush(s);
		write_all(s, p, n);
		return;
	}
	while (n) {
		size_t k = SPOOL_BUF - s->len;

		if (!k) {
			spool_flush(s);
			continue;
		}
		if (k > n)
			k = n;
		memcpy(s->buf + s->len, p, k);
		s->len += k;
		p = (const char *)p + k;
		n -= k;
	}
}

uint64_t spool_file_tell(const struct spool *s)
{
	return s->flushed + s->len;
}

/*
 * n bytes at offset at of the spool, written from b (patch) or read into
 * it: the part in the file by pwrite or pread, the rest in the buffer.
 * Reading, the buffer holds what was read, all of it in the file.
 */
static void spool_file_at(struct spool *s, uint64_t at, char *b, size_t n,
			  int patch)
{
	int all_in_file = !patch && s->reading;
	ssize_t k;

	while (n && (all_in_file || at < s->flushed)) {
		size_t m = all_in_file || s->flushed - at >= n ? n :
			s->flushed - at;

		k = patch ? pwrite(s->fd, b, m, at) : pread(s->fd, b, m, at);
		if (k < 0 && errno == EINTR)
			continue;
		if (k <= 0)
			ior_err(IOR_EXIT_SYS, patch ? "spooling %s" :
				"reading the spooled %s", s->what);
		at += k;
		b += k;
		n -= k;
	}
	if (n && patch)
		memcpy(s->buf + (at - s->flushed), b, n);
	else if (n)
		memcpy(b, s->buf + (at - s->flushed), n);
}

void spool_file_patch(struct spool *s, uint64_t at, const void *p, size_t n)
{
	spool_file_at(s, at, (char *)p, n, 1);	/* only read from */
}

void spool_file_peek(const struct spool *s, uint64_t at, void *p, size_t n)
{
	spool_file_at((struct spool *)s, at, p, n, 0);	/* only read */
}

void spool_file_rewind(struct spool *s)
{
	if (!s->reading)
		spool_flush(s);
	if (lseek(s->fd, 0, SEEK_SET) < 0)
		ior_err(IOR_EXIT_SYS, "reading the spooled %s", s->what);
	s->len = s->off = 0;
	s->reading = 1;
}

/* Up to n of the bytes the buffer holds still, to *p, moved past them. */
static size_t take_buffered(struct spool *s, void **p, size_t n)
{
	size_t k = s->len - s->off;

	if (k > n)
		k = n;
	memcpy(*p, s->buf + s->off, k);
	s->off += k;
	*p = (char *)*p + k;
	return k;
}

int spool_file_read(struct spool *s, void *p, size_t n, int first)
{
	ssize_t r;

	while (n) {
		size_t k = s->len - s->off;

		if (!k) {
			r = read(s->fd, s->buf, SPOOL_BUF);
			if (r < 0 && errno == EINTR)
				continue;
			if (r < 0)
				ior_err(IOR_EXIT_SYS, "reading the spooled %s",
					s->what);
			if (r == 0 && first)
				return 0;
			if (r == 0)
				ior_errx(IOR_EXIT_SYS, "the spooled %s is cut short",
					 s->what);
			s->len = r;
			s->off = 0;
			continue;
		}
		k = take_buffered(s, &p, n);
		n -= k;
		first = 0;
	}
	return 1;
}

void spool_file_read_into(struct spool *s, void *p, size_t n)
{
	ssize_t r;

	n -= take_buffered(s, &p, n);
	while (n) {
		r = read(s->fd, p, n);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0)
			ior_err(IOR_EXIT_SYS, "reading the spooled %s", s->what);
		if (r == 0)
			ior_errx(IOR_EXIT_SYS, "the spooled %s is cut short",
				 s->what);
		p = (char *)p + r;
		n -= r;
	}
}

void spool_file_close(struct spool *s)
{
	if (s->fd >= 0)
		close(s->fd);
	free(s->buf);
	*s = (struct spool){ .fd = -1 };
}

void spool_file_drop(struct spool *s)
{
	if (s->fd >= 0)
		close(s->fd);
	s->fd = -1;
}
