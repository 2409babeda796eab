/*
 * output.h - the replay program ior-gen writes: the operations numbered
 * (seq=) with their ordering (after=), spooled to an unlinked temporary
 * file while the tree is inferred, then copied after the tree.
 */
#ifndef GEN_OUTPUT_H
#define GEN_OUTPUT_H

#include <stdint.h>
#include <sys/types.h>

#include "ior.h"

struct after_list;
struct args;

/* Number the next operation; the number of the last one (0: none yet). */
int64_t seq_next(void);
int64_t seq_last(void);
/*
 * Write r as operation seq_last() waiting for the operations of l, its
 * keys as read, but an input's own seq= and after=.
 */
void put_op(struct ior_out *out, const struct ior_in *in,
	    const struct ior_rec *r, const struct args *a,
	    const struct after_list *l);

/* The spool file: unlinked, in $TMPDIR. */
int spool_open(void);
/* Copy the spool's bytes [from, to) to out. */
void spool_copy(int fd, off_t from, off_t to, struct ior_out *out);

#endif
