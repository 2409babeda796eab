/*
 * util.c - what the rest of ior-fuzz uses: messages, allocation, byte
 * buffers, the random numbers, and the seed corpus.
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "fuzz.h"

/* ---- small utilities ---- */

_Noreturn void die(const char *fmt, ...)
{
	va_list ap;

	fputs("ior-fuzz: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	exit(4);
}

void *xmalloc(size_t n)
{
	void *p = malloc(n ? n : 1);

	if (!p)
		die("out of memory");
	return p;
}

void *xrealloc(void *p, size_t n)
{
	p = realloc(p, n ? n : 1);
	if (!p)
		die("out of memory");
	return p;
}

char *xstrdup(const char *s)
{
	size_t n = strlen(s) + 1;

	return memcpy(xmalloc(n), s, n);
}

void buf_add(struct buf *b, const void *p, size_t n)
{
	if (b->len + n + 1 > b->cap) {
		size_t cap = b->cap ? b->cap : 256;

		while (cap < b->len + n + 1)
			cap *= 2;
		b->p = xrealloc(b->p, cap);
		b->cap = cap;
	}
	if (n)
		memcpy(b->p + b->len, p, n);
	b->len += n;
	b->p[b->len] = 0;
}

void buf_adds(struct buf *b, const char *s)
{
	buf_add(b, s, strlen(s));
}

void buf_set(struct buf *b, const void *p, size_t n)
{
	b->len = 0;
	buf_add(b, p, n);
}

void buf_free(struct buf *b)
{
	free(b->p);
	b->p = NULL;
	b->len = b->cap = 0;
}

int buf_load(struct buf *b, const char *path)
{
	char tmp[65536];
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	ssize_t n;

	if (fd < 0)
		return -1;
	b->len = 0;
	buf_add(b, "", 0);
	while ((n = read(fd, tmp, sizeof(tmp))) > 0)
		buf_add(b, tmp, n);
	close(fd);
	return n < 0 ? -1 : 0;
}

int buf_save(const struct buf *b, const char *path)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	size_t off = 0;

	if (fd < 0)
		return -1;
	while (off < b->len) {
		ssize_t n = write(fd, b->p + off, b->len - off);

		if (n < 0) {
			if (errno == EINTR)
				continue;
			close(fd);
			return -1;
		}
		off += n;
	}
	return close(fd);
}

/* ---- random numbers ---- */

static uint64_t rs[4];

static uint64_t splitmix(uint64_t *x)
{
	uint64_t z = (*x += 0x9e3779b97f4a7c15ULL);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

void rnd_seed(uint64_t seed)
{
	for (int i = 0; i < 4; i++)
		rs[i] = splitmix(&seed);
}

static uint64_t rotl(uint64_t x, int k)
{
	return (x << k) | (x >> (64 - k));
}

uint64_t rnd(void)
{
	uint64_t r = rotl(rs[1] * 5, 7) * 9, t = rs[1] << 17;

	rs[2] ^= rs[0];
	rs[3] ^= rs[1];
	rs[1] ^= rs[2];
	rs[0] ^= rs[3];
	rs[2] ^= t;
	rs[3] = rotl(rs[3], 45);
	return r;
}

size_t rnd_below(size_t n)
{
	return n ? rnd() % n : 0;
}

int rnd_chance(unsigned percent)
{
	return rnd_below(100) < percent;
}

/* ---- the corpus ---- */

static const char *kind_names[K_NKINDS] = { "trace", "map", "replay", "result" };

const char *kind_name(enum kind k)
{
	return kind_names[k];
}

void corpus_add(struct corpus *c, const char *name, enum kind k,
		const char *p, size_t n)
{
	if (c->n == c->cap) {
		c->cap = c->cap ? 2 * c->cap : 64;
		c->s = xrealloc(c->s, c->cap * sizeof(*c->s));
	}
	memset(&c->s[c->n], 0, sizeof(c->s[c->n]));
	c->s[c->n].name = xstrdup(name);
	c->s[c->n].kind = k;
	buf_set(&c->s[c->n].data, p, n);
	c->n++;
}

static int by_name(const void *a, const void *b)
{
	return strcmp(((const struct seed *)a)->name, ((const struct seed *)b)->name);
}

/* Every DIR/NAME.KIND; sorted by name, so that the order (and with it
 * the mutants of a seed number) does not depend on the directory's. */
void corpus_load(struct corpus *c, const char *dir)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	struct buf b = { 0 }, path = { 0 };

	if (!d)
		die("%s: %s", dir, strerror(errno));
	while ((e = readdir(d))) {
		const char *dot = strrchr(e->d_name, '.');
		int k;

		if (!dot)
			continue;
		for (k = 0; k < K_NKINDS; k++)
			if (!strcmp(dot + 1, kind_names[k]))
				break;
		if (k == K_NKINDS)
			continue;
		path.len = 0;
		buf_adds(&path, dir);
		buf_adds(&path, "/");
		buf_adds(&path, e->d_name);
		if (buf_load(&b, path.p) < 0)
			die("%s: %s", path.p, strerror(errno));
		corpus_add(c, e->d_name, k, b.p, b.len);
	}
	closedir(d);
	buf_free(&b);
	buf_free(&path);
	if (!c->n)
		die("%s: no seeds (NAME.trace, .map, .replay, .result)", dir);
	qsort(c->s, c->n, sizeof(*c->s), by_name);
}
