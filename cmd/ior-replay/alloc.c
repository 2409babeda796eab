/*
 * alloc.c - allocation helpers: growing arrays and byte buffers. (lib/
 * is to have these for every tool; ior-replay's stay here until then.)
 */
#define _GNU_SOURCE
#include <stdlib.h>
#include <string.h>

#include "ior.h"
#include "alloc.h"

void *xrealloc(void *p, size_t n)
{
	p = realloc(p, n);
	if (!p)
		ior_err(IOR_EXIT_SYS, "realloc");
	return p;
}

void grow(void **p, size_t *cap, size_t need, size_t size)
{
	if (need <= *cap)
		return;
	size_t n = *cap ? *cap : 1024;

	while (n < need)
		n *= 2;
	*p = xrealloc(*p, n * size);
	*cap = n;
}

/* Append n bytes and a NUL to a byte buffer; returns their offset. */
size_t buf_add(char **buf, size_t *len, size_t *cap, const char *s,
	       size_t n)
{
	size_t off = *len;

	grow((void **)buf, cap, off + n + 1, 1);
	memcpy(*buf + off, s, n);
	(*buf)[off + n] = 0;
	*len = off + n + 1;
	return off;
}
