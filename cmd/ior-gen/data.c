/*
 * data.c - a file's data accesses, kept by block (data.h).
 */
#include <stdlib.h>

#include "ior.h"
#include "data.h"

static unsigned long blocks_kept;	/* of every file */

/* The list of block b, made (with keep) when there is room for it. */
static inline __attribute__((always_inline))
struct res *block_res(struct data_res *d, uint64_t b, int keep)
{
	struct res *s = b < DATA_LOW ? d->low[b] :
		ior_hashmap_get(&d->blocks, b);

	if (!s && keep && blocks_kept < DATA_BLOCKS_MAX) {
		s = res_new();
		ior_hashmap_put(&d->blocks, b, s);
		if (b < DATA_LOW)
			d->low[b] = s;
		blocks_kept++;
	}
	return s;
}

/*
 * The list of block b grew, to s: its slot takes it in place (a put
 * could grow the map, and move the slots a wide access meets in order).
 */
static void block_moved(struct data_res *d, uint64_t b, struct res *s)
{
	struct ior_hashmap *m = &d->blocks;
	size_t i = ior_hashmap_home(m, b);

	while (!m->slot[i].val || m->slot[i].key != b)
		i = (i + 1) & (m->cap - 1);
	m->slot[i].val = s;
	if (b < DATA_LOW)
		d->low[b] = s;
}

/* res_use() of block b's list s, kept where the block's lists are. */
static inline __attribute__((always_inline))
void block_use(struct data_res *d, uint64_t b, struct res *s, struct user *u,
	       int kind, uint64_t lo, uint64_t hi, int keep, unsigned wkind)
{
	struct res *was = s;

	res_use(&s, u, kind, lo, hi, keep, wkind);
	if (s != was)
		block_moved(d, b, s);
}

/* A wide access follows those of the blocks from first to last. */
static void blocks_follow(struct data_res *d, struct user *u, int kind,
			  uint64_t lo, uint64_t hi, unsigned wkind)
{
	uint64_t first = lo >> DATA_SHIFT;
	uint64_t last = (hi > lo ? hi - 1 : lo) >> DATA_SHIFT;

	/* not kept: no list grows */
	if (last - first < d->blocks.cap) {	/* fewer blocks than slots */
		for (uint64_t b = first; b <= last; b++) {
			struct res *s = block_res(d, b, 0);

			if (s)
				res_use(&s, u, kind, lo, hi, 0, wkind);
		}
		return;
	}
	for (size_t i = 0; i < d->blocks.cap; i++) {
		struct res *s = d->blocks.slot[i].val;
		uint64_t b = d->blocks.slot[i].key;

		if (s && b >= first && b <= last)
			res_use(&s, u, kind, lo, hi, 0, wkind);
	}
}

void data_use(struct data_res **dp, struct user *u, int kind, uint64_t lo,
	      uint64_t hi, int keep, unsigned wkind)
{
	struct data_res *d = *dp;
	uint64_t first = lo >> DATA_SHIFT;
	uint64_t last = (hi > lo ? hi - 1 : lo) >> DATA_SHIFT;
	struct res *lists[DATA_SPAN];
	int n = 0;

	if (!d) {
		if (!keep)
			return;		/* nothing to follow yet */
		d = *dp = ior_xcalloc(1, sizeof(*d));
	}
	/* most are of one block: as below, without the lists */
	if (hi != RES_END && first == last) {
		struct res *s = block_res(d, first, keep);

		if (s || !keep) {
			res_use(&d->wide, u, kind, lo, hi, 0, wkind);
			if (s)
				block_use(d, first, s, u, kind, lo, hi, keep,
					  wkind);
			return;
		}
	}
	/* by block if it spans few and each has (or may have) a list */
	if (hi != RES_END && last - first < DATA_SPAN)
		for (uint64_t b = first; b <= last; b++) {
			struct res *s = block_res(d, b, keep);

			if (!s && keep)
				break;	/* no room: kept as a wide one */
			/* those without a list: NULL, nothing to follow */
			lists[n++] = s;
		}
	if (keep && n != (int)(last - first + 1))
		n = -1;
	if (n < 0 || hi == RES_END || last - first >= DATA_SPAN) {
		/* wide: it follows those of every block it overlaps */
		blocks_follow(d, u, kind, lo, hi, wkind);
		res_use(&d->wide, u, kind, lo, hi, keep, wkind);
		return;
	}
	res_use(&d->wide, u, kind, lo, hi, 0, wkind);
	for (int i = 0; i < n; i++)
		if (lists[i])
			block_use(d, first + i, lists[i], u, kind, lo, hi,
				  keep, wkind);
}

void data_free(struct data_res *d)
{
	if (!d)
		return;
	for (size_t i = 0; i < d->blocks.cap; i++) {
		struct res *s = d->blocks.slot[i].val;

		if (s) {
			free(s);
			blocks_kept--;
		}
	}
	ior_hashmap_free(&d->blocks);
	free(d->wide);
	free(d);
}
