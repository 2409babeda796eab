/*
 * alloc.c - allocation that exits when memory runs out: a tool that cannot
 * allocate cannot go on, and a message naming the call beats a NULL
 * dereference.
 */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "ior.h"

void *ior_xmalloc(size_t size)
{
	void *p = malloc(size ? size : 1);

	if (!p)
		ior_err(IOR_EXIT_SYS, "malloc");
	return p;
}

void *ior_xcalloc(size_t n, size_t size)
{
	void *p = calloc(n ? n : 1, size ? size : 1);

	if (!p)
		ior_err(IOR_EXIT_SYS, "calloc");
	return p;
}

void *ior_xrealloc(void *p, size_t size)
{
	p = realloc(p, size ? size : 1);
	if (!p)
		ior_err(IOR_EXIT_SYS, "realloc");
	return p;
}

void *ior_xreallocarray(void *p, size_t n, size_t size)
{
	if (size && n > SIZE_MAX / size) {
		errno = ENOMEM;
		ior_err(IOR_EXIT_SYS, "realloc");
	}
	return ior_xrealloc(p, n * size);
}

char *ior_xstrdup(const char *s)
{
	size_t n = strlen(s) + 1;

	return memcpy(ior_xmalloc(n), s, n);
}

void *ior_grow(void *p, size_t *cap, size_t need, size_t size)
{
	size_t n = *cap ? *cap : 16, bytes;

	if (need <= *cap)
		return p;
	while (n < need) {
		if (n > SIZE_MAX / 2) {
			n = need;
			break;
		}
		n *= 2;
	}
	if (size && n > SIZE_MAX / size) {
		errno = ENOMEM;
		return NULL;
	}
	bytes = n * size;
	if (!(p = realloc(p, bytes ? bytes : 1)))
		return NULL;
	*cap = n;
	return p;
}

void *ior_xgrow(void *p, size_t *cap, size_t need, size_t size)
{
	size_t old = *cap;

	if (need <= old)
		return p;
	if (!(p = ior_grow(p, cap, need, size)))
		ior_err(IOR_EXIT_SYS, "realloc");
	memset((char *)p + old * size, 0, (*cap - old) * size);
	return p;
}
