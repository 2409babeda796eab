/*
 * callstats.h - what ior-stats keeps of a stream: per call its count,
 * errors, bytes and a histogram of its latencies, and the async requests
 * in flight over time. Memory is bounded by the number of distinct
 * calls, never by the length of the stream.
 */
#ifndef STATS_CALLSTATS_H
#define STATS_CALLSTATS_H

#include <stddef.h>
#include <stdint.h>

#include "ior.h"
#include "depth.h"

/*
 * Histogram: values below 16 have a bucket each; above, every power of two
 * [2^e, 2^(e+1)) is split into 16 equal sub-buckets. Reporting a bucket's
 * midpoint keeps the relative error below 1/32.
 */
#define SUB_BITS 4
#define SUB (1 << SUB_BITS)
#define NBUCKET ((64 - SUB_BITS + 1) * SUB)

#define CALLS_MAX 4096		/* distinct calls: more is refused */
#define CALL_NAME_MAX 64	/* bytes of a call's name: more is refused */

enum call_kind {
	CALL_OP,		/* an operation: a system call, aio:*, uring:* */
	CALL_READ,		/* an operation that reads RET bytes */
	CALL_WRITE,		/* an operation that writes RET bytes */
	CALL_COPY,		/* copies RET bytes: both read and written */
	CALL_PROC,		/* sched:*, ior:*: process records, not timed */
	CALL_INIT,		/* init:*: the starting tree, ignored */
};

/* One call of a stream: its records counted. */
struct call_stats {
	char *name;		/* as in the stream: escaped */
	enum call_kind kind;
	int async;		/* aio:*, uring:*: a request, not a system call */
	uint64_t inflight;	/* requests never completed (inflight=1) */
	uint64_t count, errors, bytes;
	uint64_t sum, min, max;	/* DUR, exact */
	uint64_t hist[NBUCKET];
};

/* A stream read. */
struct stats {
	struct depth depth;	/* async requests in flight over time */
	struct ior_hashmap byname;	/* calls by the hash of their name */
	struct call_stats **calls;	/* in the order first seen */
	size_t ncalls, cap;
	uint64_t skipped;	/* replay results marked skip=: not issued */
	/* the first capture trailer that says events were lost, and where */
	struct ior_loss loss;
	const char *loss_in;	/* NULL: none */
	unsigned long loss_line;
};

/* Read the stream at path (NULL: standard input) into st. */
void stats_read(struct stats *st, const char *path);
/* The call of st named name, or NULL. */
struct call_stats *stats_find(const struct stats *st, const char *name);
/* An operation (not a process or tree record). */
int is_op(const struct call_stats *c);
/* The sum of every operation of st as call "TOTAL": bytes read, written. */
void total(const struct stats *st, struct call_stats *t, uint64_t *rd,
	   uint64_t *wr);
/* The smallest value at or above pct percent of the samples. */
uint64_t percentile(const struct call_stats *c, double pct);
void stats_free(struct stats *st);

#endif
