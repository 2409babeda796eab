/*
 * fill.c - file contents as --fill makes them (fill.h).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdatomic.h>
#include <stdint.h>
#include <string.h>
#include <unistd.h>

#include "ior.h"
#include "fill.h"

enum fill fill = FILL_RANDOM;
atomic_ullong fill_bytes_done;

/* splitmix64 of a counter: word i of a file depends on seed and i only,
 * so any range can be made without the ones before it, and no two
 * blocks are alike. */
static void fill_random(uint64_t *w, uint64_t seed, uint64_t index, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		uint64_t z = seed + (index + i + 1) * 0x9e3779b97f4a7c15ull;

		z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
		z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
		w[i] = z ^ (z >> 31);
	}
}

/* Fill [from, to) of fd per --fill; buf holds FILL_BLOCK + 8 bytes. */
int fill_range(int fd, const char *path, uint64_t from, uint64_t to,
	       uint64_t *buf, uint64_t *wrote)
{
	uint64_t seed = ior_hash_str(path);

	if (fill == FILL_SPARSE)
		return ftruncate(fd, (off_t)to) < 0 ? -errno : 0;
	while (from < to) {
		size_t n = to - from < FILL_BLOCK ? to - from : FILL_BLOCK;
		const char *p = (const char *)buf;
		ssize_t w;

		if (fill == FILL_RANDOM) {
			size_t skip = from % 8;

			fill_random(buf, seed, from / 8, (skip + n + 7) / 8);
			p += skip;
		}
		w = pwrite(fd, p, n, (off_t)from);
		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			return w < 0 ? -errno : -EIO;
		from += w;
		*wrote += w;
		atomic_fetch_add(&fill_bytes_done, w);
	}
	return 0;
}

/* Write n bytes of p at offset at of fd: 0 or -errno. */
static int write_all(int fd, const void *p, size_t n, uint64_t at)
{
	while (n) {
		ssize_t w = pwrite(fd, p, n, (off_t)at);

		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			return w < 0 ? -errno : -EIO;
		p = (const char *)p + w;
		n -= w;
		at += w;
	}
	return 0;
}

/*
 * Compare [0, to) of fd with what --fill makes there, and rewrite each
 * block that differs: a replay may have written into the file. buf
 * (FILL_BLOCK + 8 bytes) gets what is wanted, rbuf what is there.
 * Returns 0 or -errno; *restored: whether anything was rewritten.
 */
int restore_range(int fd, const char *path, uint64_t to, uint64_t *buf,
		  uint64_t *rbuf, int *restored)
{
	uint64_t seed = ior_hash_str(path), from = 0;

	while (from < to) {
		size_t n = to - from < FILL_BLOCK ? to - from : FILL_BLOCK;
		size_t got = 0;
		ssize_t r;

		while (got < n) {
			r = pread(fd, (char *)rbuf + got, n - got,
				  (off_t)(from + got));
			if (r < 0 && errno == EINTR)
				continue;
			if (r < 0)
				return -errno;
			if (r == 0)
				break;
			got += r;
		}
		if (fill == FILL_RANDOM)
			fill_random(buf, seed, from / 8, (n + 7) / 8);
		if (got < n || memcmp(rbuf, buf, n)) {
			/* Sparse: a hole again, or zeros where none can be. */
			if (fill != FILL_SPARSE ||
			    fallocate(fd, FALLOC_FL_PUNCH_HOLE | FALLOC_FL_KEEP_SIZE,
				      (off_t)from, (off_t)n) < 0) {
				int e = write_all(fd, buf, n, from);

				if (e < 0)
					return e;
			}
			*restored = 1;
		}
		from += n;
	}
	return 0;
}
