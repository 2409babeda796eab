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
#include "storage.h"

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
/* The longest host name kept (escaped): a longer one is refused. */
#define HOST_MAX 255

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
	uint64_t timed;		/* latencies in hist and sum: count, but of
				   a sampled call only those written */
	uint64_t hist[NBUCKET];
	/*
	 * A sampled call (a "#sample" trailer line): one in every of its
	 * records was written; count, errors and bytes are the trailer's
	 * exact totals, added to base, what the files before had, once
	 * per file (sample_file: st->nfiles at the last, samp the sum of
	 * that file's lines).
	 */
	uint32_t every;
	char *label;		/* its name marked "*": sampled */
	uint64_t base_count, base_errors, base_bytes;
	uint64_t samp_count, samp_errors, samp_bytes;
	unsigned long sample_file;
};

/* A stream read. */
struct stats {
	struct depth depth;	/* async requests in flight over time */
	struct ior_hashmap byname;	/* calls by the hash of their name */
	struct call_stats **calls;	/* in the order first seen */
	size_t ncalls, cap;
	uint64_t skipped;	/* replay results marked skip=: not issued */
	struct storage storage;	/* the replays' block device (#disk) */
	unsigned long nfiles;	/* read so far */
	int sampled;		/* a call of them is sampled */
	/* the first capture trailer that says events were lost, and where */
	struct ior_loss loss;
	const char *loss_in;	/* NULL: none */
	unsigned long loss_line;
	uint64_t records;	/* records read, of every kind */
	uint64_t last;		/* the latest end of a record of this input */
	const char *path;	/* the input being read: NULL is stdin */
	/*
	 * The stream's host (ior-format(5)): the host= of the last #meta
	 * line before its first record; "" when none.
	 */
	char host[HOST_MAX + 1];
	/*
	 * Called with every operation counted (not skipped, not in flight,
	 * not a process or tree record), for the tables by file, process
	 * and time and the flame graph (reports.c); data is theirs.
	 */
	void (*each)(struct stats *st, const struct ior_in *in,
		     const struct ior_rec *r, const struct call_stats *c);
	void *data;
};

/* Read the stream at path (NULL: standard input) into st. */
void stats_read(struct stats *st, const char *path);
/*
 * The host a #meta line of in names, into host (HOST_MAX bytes and a
 * NUL); other lines leave it as it was.
 */
void meta_host(const struct ior_in *in, char *host);
/*
 * Add the calls of src to dst (not its depth, nor its reports: the
 * streams' times differ).
 */
void stats_add(struct stats *dst, const struct stats *src);
/*
 * The same a record at a time, for the live view: stats_open(), then
 * stats_feed() until it returns 0 at the end of the input.
 */
void stats_open(struct stats *st, struct ior_in *in, const char *path);
int stats_feed(struct stats *st, struct ior_in *in);
/* The bytes r read and wrote, as its call's row counts them (lib/calls.h). */
void rec_bytes(const struct call_stats *c, const struct ior_rec *r,
	       uint64_t *rd, uint64_t *wr);
/* The log-linear histogram's bucket of a latency, and its midpoint. */
int bucket(uint64_t v);
uint64_t bucket_value(int b);
/* The call of st named name, or NULL. */
struct call_stats *stats_find(const struct stats *st, const char *name);
/* An operation (not a process or tree record). */
int is_op(const struct call_stats *c);
/* The sum of every operation of st as call "TOTAL": bytes read, written. */
void total(const struct stats *st, struct call_stats *t, uint64_t *rd,
	   uint64_t *wr);
/*
 * The smallest value at or above pct percent of the latencies: from the
 * calls written of a sampled call, and from the midpoint of each log2
 * bucket of an agg: record (within its least and greatest).
 */
uint64_t percentile(const struct call_stats *c, double pct);
/*
 * The time of all its calls: DUR summed; of a sampled call, the mean of
 * those written times its count.
 */
uint64_t time_total(const struct call_stats *c);
void stats_free(struct stats *st);

#endif
