/*
 * res.h - one resource's recent accesses, for after= (ior-gen(1),
 * "Operations"): who an access must follow, as ROOT finds it.
 *
 * An access is a read (lookup, observer) or a write (change) of a range
 * of the resource, by a thread, over a span of capture time. One access
 * follows an earlier one when they conflict (one is a write), their
 * ranges overlap, and the earlier one completed before the later one
 * started. Each resource keeps at most RES_MAX accesses.
 */
#ifndef GEN_RES_H
#define GEN_RES_H

#include <stdint.h>

#define RES_MAX 32
#define RES_END UINT64_MAX	/* the end of a whole resource's range */
#define RES_MIXED INT64_MIN	/* struct res' tid: accesses of several threads */

enum { ACC_READ, ACC_WRITE };

/*
 * The chunks of 2^RES_CHUNK_SHIFT bytes a range touches, modulo 16, one
 * bit each (res_chunks()): two ranges that overlap share one, so a scan
 * tests those bits of an access, and reads the times and ranges of the
 * few that share one. 4 KiB chunks: a page each, a data block's 64 KiB
 * (data.h) in 16 bits.
 */
#define RES_CHUNK_SHIFT 12
#define RES_CHUNKS 16

/*
 * An access, in 48 bytes: what a scan tests first, first, in the first
 * 32 bytes (whether it follows one near it: its end, range and kind),
 * so that most tested touch one line; a tid (below IOR_PROG_ID_MAX) in
 * 32 bits. Its chunks are kept apart, in its list's res_chunk_bits():
 * the first pass of a scan reads those of every access, the rest only
 * of the few that share one with the new access.
 */
struct acc {
	uint64_t end;			/* capture time it completed, ns */
	uint64_t lo, hi;		/* the range, [lo, hi) */
	int32_t tid;
	unsigned char kind;		/* ACC_READ or ACC_WRITE */
	uint64_t start;			/* capture time it started, ns */
	int64_t mark;			/* a seq, or -(sub + 1): order.h */
};

/*
 * A resource's list: this head, then the chunks of its cap accesses,
 * res_chunks(lo, hi) each (res_chunk_bits()), then the accesses
 * (res_accs()), oldest first. A scan of a list of 32 reads their chunks
 * in one line of 64 bytes, where inside the accesses they would be
 * spread over 24.
 */
struct res {
	unsigned short n, cap;
	/*
	 * At least the number of writes in the list (exact but within a
	 * call that forgot or merged some): a read finds nothing to wait
	 * for on a resource with none, without a scan of the list, and
	 * needs no test of the kinds on one with only writes.
	 */
	unsigned short writes;
	/*
	 * No access before the last one is one the last one supersedes
	 * (res_keep_own() keeps it so): another of the last one's thread,
	 * kind and range that starts after it ended stands for it alone,
	 * in its place (res_use()). 0 when not known.
	 */
	unsigned char settled;
	/*
	 * The thread of every access in the list, or RES_MIXED: most
	 * resources are one thread's (its descriptor, its description),
	 * and an access of that thread waits for none of them, without a
	 * scan. Exact after each kept access; forgetting some leaves it as
	 * it was.
	 */
	int64_t tid;
};

/*
 * The room for the chunks of cap accesses: a multiple of 8, that a scan
 * reads 8 at a time (all set when the list is made, so what it reads
 * past the last access is a number, ignored).
 */
static inline unsigned res_chunk_room(unsigned cap)
{
	return (cap + 7) & ~7u;
}

/* The chunks of the accesses of s, one uint16_t each. */
static inline uint16_t *res_chunk_bits(const struct res *s)
{
	return (uint16_t *)(s + 1);
}

/* The accesses of s, oldest first. */
static inline struct acc *res_accs(const struct res *s)
{
	return (struct acc *)(res_chunk_bits(s) + res_chunk_room(s->cap));
}

/*
 * The operation accessing resources: its thread, capture span and mark,
 * and what to do with each access it must follow (wait, the caller's).
 */
struct user {
	int64_t tid, mark;
	uint64_t start, end;
	void (*wait)(struct user *u, const struct acc *prev, unsigned kind);
	void *ctx;
};

/*
 * u's access of *s (made on first use): u->wait for each earlier access
 * it follows and is not implied by another it follows; then, with
 * keep, the access is kept for later ones. wkind is passed to u->wait.
 */
void res_access(struct res **s, struct user *u, int kind, uint64_t lo,
		uint64_t hi, int keep, unsigned wkind);
/*
 * The chunks [lo, hi) touches (an empty range: the chunk of lo, as
 * overlap() finds it inside another), each bit the chunk number modulo
 * RES_CHUNKS: every one when it spans as many or more.
 */
static inline uint16_t res_chunks(uint64_t lo, uint64_t hi)
{
	uint64_t first = lo >> RES_CHUNK_SHIFT;
	uint64_t n = ((hi > lo ? hi - 1 : lo) >> RES_CHUNK_SHIFT) - first;
	unsigned bits, r = first % RES_CHUNKS;

	if (n >= RES_CHUNKS - 1)
		return UINT16_MAX;
	bits = (2u << n) - 1;		/* n + 1 bits */
	return (uint16_t)(bits << r | bits >> (RES_CHUNKS - r));
}
/*
 * res_access() of an access kept on *s, not full, of its thread only;
 * chunks, res_chunks(lo, hi) (of constants, most often: made once).
 */
void res_keep_own(struct res **s, const struct user *u, int kind,
		  uint64_t lo, uint64_t hi, uint16_t chunks);
/*
 * res_access(), but an access that is not kept and has nothing to
 * follow (no access kept, all of its own thread, or a read where no
 * write is kept) returns here, without a call: most of those not kept
 * are so (the reads of a description's flags, of a file's data). One
 * kept on a list of its own thread's only, not full (most kept: a
 * descriptor's, a description's position), is res_keep_own()'s.
 */
static inline __attribute__((always_inline))
void res_use(struct res **sp, struct user *u, int kind, uint64_t lo,
	     uint64_t hi, int keep, unsigned wkind)
{
	struct res *s = *sp;

	if (!keep && (!s || !s->n || s->tid == u->tid ||
		      (kind == ACC_READ && !s->writes)))
		return;
	/*
	 * The same access again, on a list of its thread's (a descriptor's
	 * uses, a description's position): it supersedes the last one,
	 * which ended before it started, and, the list settled, no other;
	 * so it takes its place, as res_keep_own() would leave it.
	 */
	if (keep && s && s->n && s->tid == u->tid && s->settled) {
		struct acc *e = &res_accs(s)[s->n - 1];

		if (e->kind == kind && e->lo == lo && e->hi == hi &&
		    e->end <= u->start) {
			e->end = u->end;
			e->start = u->start;
			e->mark = u->mark;
			return;
		}
	}
	if (keep && s && s->n < RES_MAX && (!s->n || s->tid == u->tid))
		res_keep_own(sp, u, kind, lo, hi, res_chunks(lo, hi));
	else
		res_access(sp, u, kind, lo, hi, keep, wkind);
}
/* Forget every access (the resource is new again). */
void res_clear(struct res *s);
/* A list with room for a few accesses, none yet (free() frees it). */
struct res *res_new(void);

#endif
