/* mapping.c - a process's file mappings (mapping.h). */
#include <stdlib.h>
#include <string.h>

#include "ior.h"
#include "files.h"
#include "mapping.h"
#include "proc.h"
#include "record.h"

#define PAGE_SIZE 4096		/* mmap and munmap round lengths up to pages */

/* A mapping in the tree: the ends of the mappings below grow with start. */
struct mnode {
	struct mapping m;
	struct mnode *l, *r;
	int h;			/* height: 1 for a leaf */
};

/*
 * Nodes freed, kept for reuse (linked by l): no malloc and free per
 * mapping in steady state, memory bounded by the most mappings alive.
 */
static struct mnode *spare;

static struct mnode *node_new(void)
{
	struct mnode *x = spare;

	if (x)
		spare = x->l;
	else
		x = ior_xmalloc(sizeof(*x));
	return x;
}

static void node_free(struct mnode *x)
{
	x->l = spare;
	spare = x;
}

static int height(const struct mnode *n)
{
	return n ? n->h : 0;
}

static void fix_height(struct mnode *n)
{
	int hl = height(n->l), hr = height(n->r);

	n->h = 1 + (hl > hr ? hl : hr);
}

static struct mnode *rotate_right(struct mnode *n)
{
	struct mnode *l = n->l;

	n->l = l->r;
	l->r = n;
	fix_height(n);
	fix_height(l);
	return l;
}

static struct mnode *rotate_left(struct mnode *n)
{
	struct mnode *r = n->r;

	n->r = r->l;
	r->l = n;
	fix_height(n);
	fix_height(r);
	return r;
}

/* n with its subtrees balanced again: heights differ by at most one. */
static struct mnode *balance(struct mnode *n)
{
	int d = height(n->l) - height(n->r);

	fix_height(n);
	if (d > 1) {
		if (height(n->l->l) < height(n->l->r))
			n->l = rotate_left(n->l);
		return rotate_right(n);
	}
	if (d < -1) {
		if (height(n->r->r) < height(n->r->l))
			n->r = rotate_right(n->r);
		return rotate_left(n);
	}
	return n;
}

static struct mnode *insert(struct mnode *n, struct mnode *x)
{
	if (!n)
		return x;
	if (x->m.start < n->m.start)
		n->l = insert(n->l, x);
	else
		n->r = insert(n->r, x);
	return balance(n);
}

/* Take the lowest node of n out into *min; the rest of n. */
static struct mnode *take_min(struct mnode *n, struct mnode **min)
{
	if (!n->l) {
		*min = n;
		return n->r;
	}
	n->l = take_min(n->l, min);
	return balance(n);
}

/* Take the node of start out of n (it is there) into *x; the rest of n. */
static struct mnode *take(struct mnode *n, uint64_t start, struct mnode **x)
{
	struct mnode *min;

	if (start < n->m.start) {
		n->l = take(n->l, start, x);
	} else if (start > n->m.start) {
		n->r = take(n->r, start, x);
	} else {
		*x = n;
		if (!n->r)
			return n->l;
		n->r = take_min(n->r, &min);
		min->l = n->l;
		min->r = n->r;
		n = min;
	}
	return balance(n);
}

/* The mapping of lowest start that ends after a, or NULL. */
static struct mnode *mapping_after(const struct mappings *ms, uint64_t a)
{
	struct mnode *n = ms->root, *best = NULL;

	while (n)
		if (n->m.end > a) {
			best = n;
			n = n->l;
		} else {
			n = n->r;
		}
	return best;
}

/* The mapping of lowest start above start, or NULL. */
static struct mnode *mapping_next(const struct mappings *ms, uint64_t start)
{
	struct mnode *n = ms->root, *best = NULL;

	while (n)
		if (n->m.start > start) {
			best = n;
			n = n->l;
		} else {
			n = n->r;
		}
	return best;
}

/* The lowest mapping overlapping [a, b), or NULL. */
static struct mapping *mapping_find(const struct mappings *ms, uint64_t a,
				    uint64_t b)
{
	struct mnode *n = mapping_after(ms, a);

	return n && n->m.start < b ? &n->m : NULL;
}

/* Add mapping m (it overlaps none), holding a reference to its file. */
static void mapping_insert(struct mappings *ms, const struct mapping *m)
{
	struct mnode *x = node_new();

	x->m = *m;
	x->l = x->r = NULL;
	x->h = 1;
	x->m.ofd->refs++;
	ms->root = insert(ms->root, x);
	ms->n++;
}

/* Remove the mapping that starts at start, and its reference. */
static void mapping_delete(struct mappings *ms, uint64_t start)
{
	struct mnode *x;

	ms->root = take(ms->root, start, &x);
	ofd_unref(x->m.ofd);
	node_free(x);
	ms->n--;
}

/*
 * Unmap [a, b): drop, trim or split the mappings it overlaps, as
 * munmap(2). A trimmed mapping keeps its place in the tree: its start
 * moves within the gap its neighbours leave.
 */
static void mapping_remove(struct mappings *ms, uint64_t a, uint64_t b)
{
	struct mnode *n = mapping_after(ms, a);
	struct mapping m;
	uint64_t start;

	if (!n || n->m.start >= b)
		return;
	if (n->m.start < a && n->m.end > b) {	/* a hole in the middle */
		m = n->m;
		m.start = b;
		n->m.end = a;
		mapping_insert(ms, &m);
		return;
	}
	if (n->m.start < a) {
		n->m.end = a;
		n = mapping_next(ms, n->m.start);
	}
	while (n && n->m.end <= b) {
		start = n->m.start;
		mapping_delete(ms, start);
		n = mapping_next(ms, start);
	}
	if (n && n->m.start < b)
		n->m.start = b;
}

/* Map [a, b) to a descriptor's file, replacing what was there (MAP_FIXED). */
static void mapping_add(struct mappings *ms, uint64_t a, uint64_t b,
			uint64_t vfd, struct ofd *o)
{
	struct mapping m = { a, b, vfd, o };

	mapping_remove(ms, a, b);
	mapping_insert(ms, &m);
}

static void free_nodes(struct mnode *n)
{
	if (!n)
		return;
	free_nodes(n->l);
	free_nodes(n->r);
	ofd_unref(n->m.ofd);
	node_free(n);
}

void mappings_clear(struct mappings *ms)
{
	free_nodes(ms->root);
	ms->root = NULL;
	ms->n = 0;
}

void mappings_free(struct mappings *ms)
{
	mappings_clear(ms);
}

/* A copy of the tree n, each mapping holding its reference. */
static struct mnode *copy_nodes(const struct mnode *n)
{
	struct mnode *c;

	if (!n)
		return NULL;
	c = node_new();
	*c = *n;
	c->m.ofd->refs++;
	c->l = copy_nodes(n->l);
	c->r = copy_nodes(n->r);
	return c;
}

void mappings_copy(struct mappings *dst, const struct mappings *src)
{
	mappings_clear(dst);
	dst->root = copy_nodes(src->root);
	dst->n = src->n;
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

void mappings_cleanup(void)
{
	while (spare) {
		struct mnode *x = spare;

		spare = x->l;
		free(x);
	}
}
