/*
 * alloc.h - allocation helpers of ior-replay's own, kept in one place
 * until lib/ has them for every tool. Failing to allocate exits.
 */
#ifndef REPLAY_ALLOC_H
#define REPLAY_ALLOC_H

#include <stddef.h>

void *xrealloc(void *p, size_t n);
/* Make *p hold need elements of size bytes; *cap doubles (from 1024). */
void grow(void **p, size_t *cap, size_t need, size_t size);
/* Append n bytes and a NUL to a byte buffer; returns their offset. */
size_t buf_add(char **buf, size_t *len, size_t *cap, const char *s,
	       size_t n);

#endif
