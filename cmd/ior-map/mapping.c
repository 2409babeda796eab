/* mapping.c - a process's file mappings (mapping.h). */
#include <stdlib.h>
#include <string.h>

#include "ior.h"
#include "files.h"
#include "mapping.h"
#include "proc.h"
#include "record.h"

#define PAGE_SIZE 4096		/* mmap and munmap round lengths up to pages */

/* Index of the first mapping that ends after a. */
static size_t mapping_after(const struct mappings *ms, uint64_t a)
{
	size_t lo = 0, hi = ms->n;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (ms->v[mid].end > a)
			hi = mid;
		else
			lo = mid + 1;
	}
	return lo;
}

/* The lowest mapping overlapping [a, b), or NULL. */
static struct mapping *mapping_find(const struct mappings *ms, uint64_t a,
				    uint64_t b)
{
	size_t i = mapping_after(ms, a);

	return i < ms->n && ms->v[i].start < b ? &ms->v[i] : NULL;
}

/* Make room for one mapping at index i. */
static struct mapping *mapping_insert(struct mappings *ms, size_t i)
{
	if (ms->n == ms->cap) {
		ms->cap = ms->cap ? 2 * ms->cap : 8;
		ms->v = ior_xreallocarray(ms->v, ms->cap, sizeof(*ms->v));
	}
	memmove(ms->v + i + 1, ms->v + i, (ms->n - i) * sizeof(*ms->v));
	ms->n++;
	return &ms->v[i];
}

/* Unmap [a, b): drop, trim or split the mappings it overlaps, as munmap(2). */
static void mapping_remove(struct mappings *ms, uint64_t a, uint64_t b)
{
	size_t i = mapping_after(ms, a), j;
	struct mapping *m;

	if (i == ms->n || ms->v[i].start >= b)
		return;
	m = &ms->v[i];
	if (m->start < a && m->end > b) {	/* a hole in the middle */
		m = mapping_insert(ms, i + 1);
		*m = ms->v[i];
		m->start = b;
		m->ofd->refs++;
		ms->v[i].end = a;
		return;
	}
	if (m->start < a)
		ms->v[i++].end = a;
	for (j = i; j < ms->n && ms->v[j].end <= b; j++)
		ofd_unref(ms->v[j].ofd);
	memmove(ms->v + i, ms->v + j, (ms->n - j) * sizeof(*ms->v));
	ms->n -= j - i;
	if (i < ms->n && ms->v[i].start < b)
		ms->v[i].start = b;
}

/* Map [a, b) to a descriptor's file, replacing what was there (MAP_FIXED). */
static void mapping_add(struct mappings *ms, uint64_t a, uint64_t b,
			uint64_t vfd, struct ofd *o)
{
	struct mapping *m;

	mapping_remove(ms, a, b);
	m = mapping_insert(ms, mapping_after(ms, a));
	m->start = a;
	m->end = b;
	m->vfd = vfd;
	m->ofd = o;
	o->refs++;
}

void mappings_clear(struct mappings *ms)
{
	for (size_t i = 0; i < ms->n; i++)
		ofd_unref(ms->v[i].ofd);
	ms->n = 0;
}

void mappings_free(struct mappings *ms)
{
	mappings_clear(ms);
	free(ms->v);
	ms->v = NULL;
	ms->cap = 0;
}

void mappings_copy(struct mappings *dst, const struct mappings *src)
{
	for (size_t i = 0; i < src->n; i++) {
		struct mapping *m = mapping_insert(dst, dst->n);

		*m = src->v[i];
		m->ofd->refs++;
	}
}

/*
 * The end of a range starting at a, from key len rounded up to pages as
 * mmap(2) and munmap(2) do; 0 when len is absent.
 */
static uint64_t range_end(const struct ior_in *in, const struct ior_rec *r,
			  uint64_t a)
{
	int i = ior_find(r, "len");
	int64_t n;
	uint64_t len;

	if (i < 0)
		return 0;
	if ((n = ior_kv_int(in, r, i)) < 0)
		ior_bad(in, "len", "negative");
	len = ((uint64_t)n + PAGE_SIZE - 1) & ~(uint64_t)(PAGE_SIZE - 1);
	return a + len < a ? UINT64_MAX : a + len;
}

/*
 * munmap, msync, madvise: the record gets the keys of the lowest file
 * mapping its range overlaps; a successful munmap then unmaps the range.
 */
static void do_range(const struct ior_in *in, const struct ior_rec *r,
		     struct recinfo *ri, struct task *t, enum ior_map c)
{
	int i = ior_find(r, "addr");
	uint64_t a, b;
	struct mapping *m;

	if (i < 0)
		return;
	a = ior_hex(in, r->kv[i].key, r->kv[i].val);
	b = range_end(in, r, a);
	if ((m = mapping_find(&t->proc->maps, a, b > a ? b : a + 1))) {
		ri->ofd = m->ofd;
		ri->vfd = m->vfd;
	}
	if (c == IOR_MAP_MUNMAP && r->ret == 0 && b > a)
		mapping_remove(&t->proc->maps, a, b);
}

void do_mapping(const struct ior_in *in, const struct ior_rec *r,
		struct recinfo *ri, struct task *t, enum ior_map c)
{
	if (c != IOR_MAP_MMAP) {
		do_range(in, r, ri, t, c);
		return;
	}
	if (r->ret >= 0 && ri->ofd) {
		uint64_t end = range_end(in, r, r->ret);

		if (end > (uint64_t)r->ret)
			mapping_add(&t->proc->maps, r->ret, end, ri->vfd,
				    ri->ofd);
	}
}
