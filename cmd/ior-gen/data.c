/*
 * data.c - a file's data accesses, kept by block (data.h).
 */
#include <stdlib.h>

#include "ior.h"
#include "data.h"

struct data_block {
	struct res *res;
};

static unsigned long blocks_kept;	/* of every file */

/* The list of block b, made (with keep) when there is room for it. */
static inline __attribute__((always_inline))
struct res **block_res(struct data_res *d, uint64_t b, int keep)
{
	struct data_block *k = ior_hashmap_get(&d->blocks, b);

	if (!k && keep && blocks_kept < DATA_BLOCKS_MAX) {
		k = ior_xmalloc(sizeof(*k));
		k->res = NULL;
		ior_hashmap_put(&d->blocks, b, k);
		blocks_kept++;
	}
	return k ? &k->res : NULL;
}

/* A wide access follows those of the blocks from first to last. */
static void blocks_follow(struct data_res *d, struct user *u, int kind,
			  uint64_t lo, uint64_t hi, unsigned wkind)
{
	uint64_t first = lo >> DATA_SHIFT;
	uint64_t last = (hi > lo ? hi - 1 : lo) >> DATA_SHIFT;

	if (last - first < d->blocks.cap) {	/* fewer blocks than slots */
		for (uint64_t b = first; b <= last; b++) {
			struct data_block *k = ior_hashmap_get(&d->blocks, b);

			if (k)
				res_use(&k->res, u, kind, lo, hi, 0, wkind);
		}
		return;
	}
	for (size_t i = 0; i < d->blocks.cap; i++) {
		struct data_block *k = d->blocks.slot[i].val;
		uint64_t b = d->blocks.slot[i].key;

		if (k && b >= first && b <= last)
			res_use(&k->res, u, kind, lo, hi, 0, wkind);
	}
}

void data_use(struct data_res **dp, struct user *u, int kind, uint64_t lo,
	      uint64_t hi, int keep, unsigned wkind)
{
	struct data_res *d = *dp;
	uint64_t first = lo >> DATA_SHIFT;
	uint64_t last = (hi > lo ? hi - 1 : lo) >> DATA_SHIFT;
	struct res **lists[DATA_SPAN];
	int n = 0;

	if (!d) {
		if (!keep)
			return;		/* nothing to follow yet */
		d = *dp = ior_xcalloc(1, sizeof(*d));
	}
	/* most are of one block: as below, without the lists */
	if (hi != RES_END && first == last) {
		struct res **r = block_res(d, first, keep);

		if (r || !keep) {
			res_use(&d->wide, u, kind, lo, hi, 0, wkind);
			if (r)
				res_use(r, u, kind, lo, hi, keep, wkind);
			return;
		}
	}
	/* by block if it spans few and each has (or may have) a list */
	if (hi != RES_END && last - first < DATA_SPAN)
		for (uint64_t b = first; b <= last; b++) {
			struct res **r = block_res(d, b, keep);

			if (!r && keep)
				break;	/* no room: kept as a wide one */
			if (r)
				lists[n++] = r;
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
		res_use(lists[i], u, kind, lo, hi, keep, wkind);
}

void data_free(struct data_res *d)
{
	if (!d)
		return;
	for (size_t i = 0; i < d->blocks.cap; i++) {
		struct data_block *k = d->blocks.slot[i].val;

		if (k) {
			free(k->res);
			free(k);
			blocks_kept--;
		}
	}
	ior_hashmap_free(&d->blocks);
	free(d->wide);
	free(d);
}
