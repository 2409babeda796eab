/*
 * data.h - a file's data as resources for after= (ior-gen(1), "file
 * data"): its accesses kept by block of the file, so that the writes of
 * one part of a busy file are not taken for writes of another.
 *
 * One list (res.h) keeps at most RES_MAX accesses. Full, it merges two
 * of one thread into one over the range that covers both: a database's
 * burst of a hundred page writes to one file ends as a few accesses
 * over most of the file, and each later write waits for writes it never
 * touched (97% of the data waits of a MariaDB capture were of merged
 * ranges). Kept by block, a list holds the accesses of its block only.
 */
#ifndef GEN_DATA_H
#define GEN_DATA_H

#include <stdint.h>

#include "ior.h"
#include "res.h"

/*
 * Blocks of 64 KiB: four of the 16 KiB pages of InnoDB, whose flushes
 * write most pages of a region at once, so that a list seldom fills.
 */
#define DATA_SHIFT 16
#define DATA_SPAN 32		/* blocks an access may span and be kept by block */
/* lists of blocks kept, of every file together: at most ~100 MB */
#define DATA_BLOCKS_MAX (1 << 18)
/*
 * The first blocks, 256 KiB, where a small file lies whole and a large
 * one has its header: their lists are found without a probe.
 */
#define DATA_LOW 4

struct data_res {
	/*
	 * Accesses of more than DATA_SPAN blocks or of a range not known,
	 * and those of blocks beyond DATA_BLOCKS_MAX: every access waits for
	 * those before it here, and one kept here for those of every block.
	 */
	struct res *wide;
	/*
	 * The list of each block that has one, by block number; those of the
	 * first DATA_LOW blocks in low[] too. A list is made with its block:
	 * a value of blocks is never NULL, and the slots keep the order in
	 * which a wide access meets them.
	 */
	struct ior_hashmap blocks;
	struct res *low[DATA_LOW];
};

/*
 * u's access of [lo, hi) of a file's data (*dp, made on first kept
 * use), as res_use: u->wait for each earlier one it follows; with keep,
 * kept for later ones.
 */
void data_use(struct data_res **dp, struct user *u, int kind, uint64_t lo,
	      uint64_t hi, int keep, unsigned wkind);
/* Forget every access (the file's data is new again). */
void data_free(struct data_res *d);

#endif
