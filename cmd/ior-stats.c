/*
 * ior-stats - per-call statistics of ior-format(5) streams, and a
 * side-by-side comparison of two streams (a capture and its replay).
 *
 * Latencies go into a log-linear histogram per call, so memory is bounded
 * by the number of distinct calls, never by the length of the stream.
 */
#include <getopt.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ior.h"

/*
 * Histogram: values below 16 have a bucket each; above, every power of two
 * [2^e, 2^(e+1)) is split into 16 equal sub-buckets. Reporting a bucket's
 * midpoint keeps the relative error below 1/32.
 */
#define SUB_BITS 4
#define SUB (1 << SUB_BITS)
#define NBUCKET ((64 - SUB_BITS + 1) * SUB)

#define CALLS_MAX 4096
#define SLOTS 8192		/* hash slots: a power of two >= 2 * CALLS_MAX */

enum call_kind {
	CALL_OP,		/* an operation: a system call, aio:*, uring:* */
	CALL_READ,		/* an operation that reads RET bytes */
	CALL_WRITE,		/* an operation that writes RET bytes */
	CALL_COPY,		/* copies RET bytes: both read and written */
	CALL_PROC,		/* sched:*, ior:*: process records, not timed */
	CALL_INIT,		/* init:*: the starting tree, ignored */
};

struct call {
	char *name;		/* as in the stream: escaped */
	enum call_kind kind;
	int async;		/* aio:*, uring:*: a request, not a system call */
	uint64_t inflight;	/* requests never completed (inflight=1) */
	uint64_t count, errors, bytes;
	uint64_t sum, min, max;	/* DUR, exact */
	uint64_t hist[NBUCKET];
};

/* ---- in-flight depth of async requests over time ---- */

/*
 * Each async request (aio:*, uring:*) is the interval [TIME, TIME+DUR).
 * Records come in order of completion, not of TIME, so the intervals are
 * added to a fixed grid of STEPS equal steps that covers every interval
 * seen: when one falls outside, the grid is widened (the step multiplied
 * by its factor, the steps merged) or moved. Per step it keeps the
 * requests submitted, the time requests were in flight within it (whose
 * sum over a row, divided by the row's length, is the mean depth), and
 * the number in flight at its start (exact at that instant). A row of the
 * table is whole steps, at least 10 of them unless a step is 1ns. Memory
 * is the grid: fixed, whatever the stream.
 */
#define STEPS 6400
#define ROWS 32

struct depth {
	uint64_t step;		/* ns per step */
	uint64_t origin;	/* time of step 0, a multiple of step */
	uint64_t lo, hi;	/* earliest start and latest end seen */
	uint64_t last;		/* latest start seen */
	uint64_t nreq;
	uint64_t subs[STEPS + 1];	/* requests submitted in the step */
	double busy[STEPS + 1];	/* ns in flight in the step (partial cover) */
	int64_t full[STEPS + 1];	/* delta: requests covering whole steps */
	int64_t edge[STEPS + 1];	/* delta: requests in flight at step starts */
};

/* 0: steps of 10^k ns, rows chosen to fit ROWS; else the row length (-i). */
static uint64_t interval;

/*
 * Steps are 10^k ns; with -i, the interval divided by a power of ten
 * while it stays whole, times ten until a tenth of the interval, then
 * doubled: each step is a whole number of the previous ones, and a row
 * is whole steps.
 */
static uint64_t first_step(void)
{
	uint64_t step = interval ? interval : 1;

	while (step % 10 == 0)
		step /= 10;
	return step;
}

static uint64_t coarser(uint64_t step)
{
	return interval && step * 10 >= interval ? step * 2 : step * 10;
}

static int fits(uint64_t origin, uint64_t step, uint64_t hi)
{
	return (unsigned __int128)origin + (unsigned __int128)STEPS * step >= hi;
}

/*
 * Turn the deltas into per-step values: busy gets the whole steps' time,
 * edge the number in flight at each step start; full is cleared.
 */
static void settle(struct depth *d)
{
	int64_t f = 0, c = 0;

	for (int i = 0; i <= STEPS; i++) {
		f += d->full[i];
		c += d->edge[i];
		d->busy[i] += (double)f * d->step;
		d->full[i] = 0;
		d->edge[i] = c;
	}
}

/*
 * Move d's data onto steps of nstep (a multiple of step) from norigin
 * (congruent to origin modulo step). Every old step start that is a new
 * step start keeps its depth; the others lie outside the data, where
 * nothing was in flight.
 */
static void regrid(struct depth *d, uint64_t nstep, uint64_t norigin)
{
	static uint64_t subs[STEPS + 1];
	static double busy[STEPS + 1];
	static int64_t at[STEPS + 1];

	if (d->nreq) {
		settle(d);
		memset(subs, 0, sizeof(subs));
		memset(busy, 0, sizeof(busy));
		memset(at, 0, sizeof(at));
		for (int i = 0; i <= STEPS; i++) {
			uint64_t t = d->origin + i * d->step, j;

			if ((unsigned __int128)d->origin +
			    (unsigned __int128)i * d->step > UINT64_MAX)
				break;	/* past the last representable time */
			if (t < norigin || (j = (t - norigin) / nstep) > STEPS)
				continue;	/* empty: outside the data */
			subs[j] += d->subs[i];
			busy[j] += d->busy[i];
			if ((t - norigin) % nstep == 0)
				at[j] = d->edge[i];
		}
		memcpy(d->subs, subs, sizeof(subs));
		memcpy(d->busy, busy, sizeof(busy));
		d->edge[0] = at[0];
		for (int j = 1; j <= STEPS; j++)
			d->edge[j] = at[j] - at[j - 1];
	}
	d->step = nstep;
	d->origin = norigin;
}

/*
 * Make the grid cover [lo, hi] with the smallest step it can take. Data
 * growing to the left is centred, so that a stream whose starts go back
 * in time moves the grid a few times, not once per record.
 */
static void fit(struct depth *d, uint64_t lo, uint64_t hi, uint64_t step)
{
	for (;; step = coarser(step)) {
		uint64_t room = (unsigned __int128)STEPS * step > hi - lo ?
			(uint64_t)(((unsigned __int128)STEPS * step - (hi - lo)) / 2) : 0;
		uint64_t o;

		if (d->nreq && lo < d->lo && room) {
			o = (lo > room ? lo - room : 0) / step * step;
			if (fits(o, step, hi)) {
				regrid(d, step, o);
				return;
			}
		}
		o = lo / step * step;
		if (fits(o, step, hi)) {
			regrid(d, step, o);
			return;
		}
	}
}

static void depth_add(struct depth *d, uint64_t s, uint64_t e)
{
	uint64_t o, w, a, b, i0, i1;

	if (!d->nreq || s < d->lo || e > d->hi) {
		uint64_t lo = d->nreq && d->lo < s ? d->lo : s;
		uint64_t hi = d->nreq && d->hi > e ? d->hi : e;

		if (!d->nreq || lo < d->origin || !fits(d->origin, d->step, hi))
			fit(d, lo, hi, d->nreq ? d->step : first_step());
		d->lo = lo;
		d->hi = hi;
	}
	if (!d->nreq || s > d->last)
		d->last = s;
	d->nreq++;
	o = d->origin;
	w = d->step;
	a = (s - o) / w;
	b = (e - o) / w;
	d->subs[a]++;
	if (a == b) {
		d->busy[a] += e - s;
	} else {
		d->busy[a] += o + (a + 1) * w - s;
		d->busy[b] += e - (o + b * w);
		if (b > a + 1) {
			d->full[a + 1]++;
			d->full[b]--;
		}
	}
	/* Step starts t with s <= t < e. */
	i0 = a + (s > o + a * w);
	i1 = b + (e > o + b * w);
	if (i0 < i1) {
		d->edge[i0]++;
		d->edge[i1]--;
	}
}

struct stats {
	struct depth depth;	/* async requests in flight over time */
	struct call *slot[SLOTS];
	struct call *calls[CALLS_MAX];
	int ncalls;
	uint64_t skipped;	/* replay results marked skip=: not issued */
};

enum sort_key { SORT_TIME, SORT_COUNT, SORT_BYTES, SORT_NAME };

static enum sort_key sort_key = SORT_TIME;
static int tab_output;

/* Tables to print: the depth table by default only when there are requests. */
enum { SHOW_CALLS = 1, SHOW_DEPTH = 2 };

static void usage(FILE *fp, int code)
{
	fprintf(fp,
		"usage: %s [-t] [-s count|time|bytes|name] [-r calls|depth] [-i seconds]\n"
		"                 [file ...]\n"
		"       %s [-t] [-s key] [-r table] [-i seconds] --compare A B\n"
		"  -t, --tab              tab-separated output with exact integers\n"
		"  -s, --sort KEY         sort rows by count, time (default), bytes or name\n"
		"  -r, --report TABLE     only the per-call table (calls) or the table of\n"
		"                         async requests in flight over time (depth)\n"
		"  -i, --interval SECONDS row length of the depth table (default: automatic)\n"
		"      --compare          compare stream A (capture) with B (replay result)\n"
		"  -h, --help             show this help\n"
		"      --version          show the version\n",
		ior_progname(), ior_progname());
	exit(code);
}

static int starts_with(const char *s, const char *prefix)
{
	return !strncmp(s, prefix, strlen(prefix));
}

/*
 * What a call's records count: the bytes its row's ret column says RET
 * is (lib/calls.h); process and tree records by their namespace.
 */
static enum call_kind classify(const char *name)
{
	int c;

	if (starts_with(name, "sched:") || starts_with(name, "ior:"))
		return CALL_PROC;
	if (starts_with(name, "init:"))
		return CALL_INIT;
	if ((c = ior_call_find(name)) < 0)
		return CALL_OP;
	switch (ior_calls[c].ret) {
	case IOR_RET_READ:
		return CALL_READ;
	case IOR_RET_WRITE:
		return CALL_WRITE;
	case IOR_RET_COPY:
		return CALL_COPY;
	default:
		return CALL_OP;
	}
}

static unsigned int hash(const char *s)
{
	unsigned int h = 2166136261u;	/* FNV-1a */

	for (; *s; s++)
		h = (h ^ (unsigned char)*s) * 16777619u;
	return h;
}

static struct call *lookup(struct stats *st, const struct ior_in *in,
			   const char *name)
{
	unsigned int i = hash(name) & (SLOTS - 1);
	struct call *c;

	while ((c = st->slot[i]) != NULL) {
		if (!strcmp(c->name, name))
			return c;
		i = (i + 1) & (SLOTS - 1);
	}
	if (st->ncalls == CALLS_MAX)
		ior_bad(in, "CALL", "more than %d distinct calls", CALLS_MAX);
	if (!(c = calloc(1, sizeof(*c))) || !(c->name = strdup(name)))
		ior_err(IOR_EXIT_SYS, "malloc");
	c->kind = classify(name);
	c->async = starts_with(name, "aio:") || starts_with(name, "uring:");
	c->min = UINT64_MAX;
	st->slot[i] = c;
	st->calls[st->ncalls++] = c;
	return c;
}

static int bucket(uint64_t v)
{
	int e;

	if (v < SUB)
		return v;
	e = 63 - __builtin_clzll(v);
	return (e - SUB_BITS + 1) * SUB + ((v >> (e - SUB_BITS)) & (SUB - 1));
}

/* The midpoint of bucket b. */
static uint64_t bucket_value(int b)
{
	int g = b / SUB, s = b % SUB, e;
	uint64_t width;

	if (g == 0)
		return s;
	e = g + SUB_BITS - 1;
	width = 1ull << (e - SUB_BITS);
	return (1ull << e) + s * width + (width - 1) / 2;
}

static void add(struct call *c, const struct ior_rec *r)
{
	c->count++;
	if (r->ret < 0)
		c->errors++;
	else if (c->kind == CALL_READ || c->kind == CALL_WRITE ||
		 c->kind == CALL_COPY)
		c->bytes += r->ret;
	c->sum += r->dur;
	if (r->dur < c->min)
		c->min = r->dur;
	if (r->dur > c->max)
		c->max = r->dur;
	c->hist[bucket(r->dur)]++;
}

/*
 * Look for skip= and a non-zero inflight= in one pass over the keys: this
 * runs for every record, so the first byte is compared before the name.
 */
static void find_marks(const struct ior_rec *r, int *skip, int *inflight)
{
	*skip = *inflight = 0;
	for (int i = 0; i < r->nkv; i++) {
		const char *k = r->kv[i].key;

		if (k[0] == 's' && !strcmp(k, "skip"))
			*skip = 1;
		else if (k[0] == 'i' && !strcmp(k, "inflight"))
			*inflight = strcmp(r->kv[i].val, "0") != 0;
	}
}

static void read_stream(struct stats *st, const char *path)
{
	struct ior_in in;
	struct ior_rec r;
	uint64_t last = 0, end;	/* the latest end of a record so far */
	int k, skip, inflight;

	ior_in_open(&in, path);
	while ((k = ior_read(&in, &r)) != IOR_EOF) {
		struct call *c;

		if (k != IOR_REC)
			continue;
		if (__builtin_add_overflow(r.time_ns, r.dur, &end))
			end = UINT64_MAX;
		if (end > last)
			last = end;
		/* Not issued by the replay: neither a count nor a latency. */
		find_marks(&r, &skip, &inflight);
		if (skip) {
			st->skipped++;
			continue;
		}
		c = lookup(st, &in, r.call);
		if (c->kind == CALL_PROC) {
			c->count++;
		} else if (c->async) {
			/*
			 * Never completed: no result, no latency. In flight
			 * until the end of the stream as far as it is read
			 * (ior-trace writes these at its end).
			 */
			if (inflight) {
				c->inflight++;
				depth_add(&st->depth, r.time_ns,
					  last > r.time_ns ? last : r.time_ns);
			} else {
				depth_add(&st->depth, r.time_ns, end);
				add(c, &r);
			}
		} else if (c->kind != CALL_INIT) {
			add(c, &r);
		}
	}
	ior_in_close(&in);
}

static int is_op(const struct call *c)
{
	return c && c->kind != CALL_PROC && c->kind != CALL_INIT;
}

/* The sum of every operation of st, histograms merged, as call "TOTAL". */
static void total(const struct stats *st, struct call *t, uint64_t *rd,
		  uint64_t *wr)
{
	memset(t, 0, sizeof(*t));
	t->name = "TOTAL";
	t->min = UINT64_MAX;
	*rd = *wr = 0;
	for (int i = 0; i < st->ncalls; i++) {
		const struct call *c = st->calls[i];

		if (!is_op(c))
			continue;
		if (c->kind == CALL_READ || c->kind == CALL_COPY)
			*rd += c->bytes;
		if (c->kind == CALL_WRITE || c->kind == CALL_COPY)
			*wr += c->bytes;
		t->count += c->count;
		t->errors += c->errors;
		t->bytes += c->bytes;
		t->sum += c->sum;
		if (c->min < t->min)
			t->min = c->min;
		if (c->max > t->max)
			t->max = c->max;
		for (int b = 0; b < NBUCKET; b++)
			t->hist[b] += c->hist[b];
	}
}

/* The smallest value at or above pct percent of the samples. */
static uint64_t percentile(const struct call *c, double pct)
{
	uint64_t rank = ceil(c->count * pct / 100), seen = 0, v;

	if (rank == 0)
		rank = 1;
	if (rank >= c->count)
		return c->max;	/* the top sample is known exactly */
	for (int b = 0; b < NBUCKET; b++) {
		seen += c->hist[b];
		if (seen >= rank) {
			v = bucket_value(b);
			return v < c->min ? c->min : v > c->max ? c->max : v;
		}
	}
	return c->max;
}

/* ---- cells: human units, or exact integers with -t ---- */

#define CELL 32
#define NCOL_MAX 16

struct row {
	const char *name;
	char cell[NCOL_MAX][CELL];
	char label[CELL];	/* the name, when made for the row */
};

/* v scaled to three significant digits with unit. */
static void put_scaled(char *dst, double v, const char *unit)
{
	if (v < 10)
		snprintf(dst, CELL, "%.2f%s", v, unit);
	else if (v < 100)
		snprintf(dst, CELL, "%.1f%s", v, unit);
	else
		snprintf(dst, CELL, "%.0f%s", v, unit);
}

static void put_ns(char *dst, double ns)
{
	if (tab_output)
		snprintf(dst, CELL, "%.0f", floor(ns));
	else if (ns < 1000)
		snprintf(dst, CELL, "%.0fns", ns);
	else if (ns < 1e6)
		put_scaled(dst, ns / 1e3, "us");
	else if (ns < 1e9)
		put_scaled(dst, ns / 1e6, "ms");
	else
		put_scaled(dst, ns / 1e9, "s");
}

static void put_bytes(char *dst, uint64_t n)
{
	static const char *const unit[] = { "KiB", "MiB", "GiB", "TiB", "PiB", "EiB" };
	double v = n;
	int u = -1;

	if (tab_output) {
		snprintf(dst, CELL, "%llu", (unsigned long long)n);
		return;
	}
	if (n == 0) {
		snprintf(dst, CELL, "-");
		return;
	}
	if (n < 1024) {
		snprintf(dst, CELL, "%lluB", (unsigned long long)n);
		return;
	}
	while (v >= 1024 && u < 5) {
		v /= 1024;
		u++;
	}
	put_scaled(dst, v, unit[u]);
}

static void put_count(char *dst, uint64_t n)
{
	snprintf(dst, CELL, "%llu", (unsigned long long)n);
}

/* A latency statistic, or "-" when there are no samples. */
static void put_lat(char *dst, const struct call *c, double v)
{
	if (!c || c->count == 0)
		snprintf(dst, CELL, "-");
	else
		put_ns(dst, v);
}

static double mean(const struct call *c)
{
	return c && c->count ? (double)c->sum / c->count : 0;
}

static double pct(const struct call *c, double p)
{
	return c && c->count ? (double)percentile(c, p) : 0;
}

/*
 * Print rows: tab-separated with -t, else aligned in columns, the name
 * left-aligned and the rest right-aligned.
 */
static void print_rows(struct ior_out *o, const struct row *rows, int nrows,
		       int ncol, int name_right)
{
	int w[NCOL_MAX] = { 0 }, namew = 0;

	for (int i = 0; i < nrows; i++) {
		int n = strlen(rows[i].name);

		if (n > namew)
			namew = n;
		for (int j = 0; j < ncol; j++) {
			n = strlen(rows[i].cell[j]);
			if (n > w[j])
				w[j] = n;
		}
	}
	for (int i = 0; i < nrows; i++) {
		const struct row *r = &rows[i];

		if (tab_output) {
			ior_puts(o, r->name);
			for (int j = 0; j < ncol; j++) {
				ior_putc(o, '\t');
				ior_puts(o, r->cell[j]);
			}
		} else {
			ior_printf(o, name_right ? "%*s" : "%-*s", namew, r->name);
			for (int j = 0; j < ncol; j++) {
				if (j == ncol - 1 && !*r->cell[j])
					break;	/* no trailing blanks */
				ior_printf(o, "  %*s", w[j], r->cell[j]);
			}
		}
		ior_putc(o, '\n');
	}
}

static struct call *find(const struct stats *st, const char *name)
{
	unsigned int i = hash(name) & (SLOTS - 1);
	struct call *c;

	while ((c = st->slot[i]) != NULL) {
		if (!strcmp(c->name, name))
			return c;
		i = (i + 1) & (SLOTS - 1);
	}
	return NULL;
}

/* ---- sorting ---- */

static uint64_t sort_value(const struct call *c)
{
	if (!c)
		return 0;
	switch (sort_key) {
	case SORT_COUNT:
		return c->count;
	case SORT_BYTES:
		return c->bytes;
	case SORT_TIME:
		return c->sum;
	case SORT_NAME:
		break;
	}
	return 0;
}

static int cmp_calls(const struct call *a, const struct call *b)
{
	uint64_t va = sort_value(a), vb = sort_value(b);

	/* Async requests after the system calls, as a block. */
	if (a && b && a->async != b->async)
		return a->async - b->async;

	if (va != vb)
		return va < vb ? 1 : -1;	/* descending */
	return 0;
}

static int by_key(const void *pa, const void *pb)
{
	const struct call *a = *(struct call *const *)pa;
	const struct call *b = *(struct call *const *)pb;
	int d = cmp_calls(a, b);

	return d ? d : strcmp(a->name, b->name);
}

/* ---- the per-call report ---- */

static const char *const stats_head[] = {
	"COUNT", "ERRORS", "READ", "WRITTEN", "TIME", "MEAN", "P50", "P95",
	"P99", "MAX",
};
static const char *const stats_head_tab[] = {
	"count", "errors", "read_bytes", "written_bytes", "time_ns",
	"mean_ns", "p50_ns", "p95_ns", "p99_ns", "max_ns",
};
#define STATS_NCOL 10

static void stats_row(struct row *r, const struct call *c, uint64_t rd,
		      uint64_t wr)
{
	r->name = c->name;
	put_count(r->cell[0], c->count);
	put_count(r->cell[1], c->errors);
	put_bytes(r->cell[2], rd);
	put_bytes(r->cell[3], wr);
	put_ns(r->cell[4], c->sum);
	put_lat(r->cell[5], c, mean(c));
	put_lat(r->cell[6], c, pct(c, 50));
	put_lat(r->cell[7], c, pct(c, 95));
	put_lat(r->cell[8], c, pct(c, 99));
	put_lat(r->cell[9], c, c->max);
}

static void head_row(struct row *r, const char *const *head,
		     const char *const *head_tab, int ncol)
{
	r->name = tab_output ? "call" : "CALL";
	for (int j = 0; j < ncol; j++)
		snprintf(r->cell[j], CELL, "%s", tab_output ? head_tab[j] : head[j]);
}

/*
 * Requests never completed (inflight=1) by call, on one line, as "name N"
 * or, comparing, "name A/B" (the calls of A, then those only in B).
 */
static void put_inflight(struct ior_out *o, const struct stats *a,
			 const struct stats *b)
{
	const char *sep = "";

	for (int s = 0; s < (b ? 2 : 1); s++) {
		const struct stats *st = s ? b : a;

		for (int i = 0; i < st->ncalls; i++) {
			const struct call *c = st->calls[i], *ca, *cb;

			if (s && find(a, c->name))
				continue;	/* listed with A */
			ca = s ? NULL : c;
			cb = b ? (s ? c : find(b, c->name)) : NULL;
			if (!(ca && ca->inflight) && !(cb && cb->inflight))
				continue;
			if (!*sep)
				ior_puts(o, b ? "in flight at end (inflight=1), A/B:"
					 : "in flight at end (inflight=1):");
			ior_printf(o, "%s %s %llu", sep, c->name,
				   (unsigned long long)(ca ? ca->inflight : 0));
			if (b)
				ior_printf(o, "/%llu",
					   (unsigned long long)(cb ? cb->inflight : 0));
			sep = ",";
		}
	}
	if (*sep)
		ior_putc(o, '\n');
}

static int report(struct stats *st, struct ior_out *o)
{
	static struct call tot;
	struct row *rows;
	uint64_t rd, wr;
	int n = 0, nproc = 0;

	total(st, &tot, &rd, &wr);
	if (tot.count == 0 && !st->depth.nreq) {
		ior_warnx("nothing to report: no operation records");
		return IOR_EXIT_NONE;
	}
	qsort(st->calls, st->ncalls, sizeof(st->calls[0]), by_key);
	if (!(rows = calloc(st->ncalls + 2, sizeof(*rows))))
		ior_err(IOR_EXIT_SYS, "malloc");
	head_row(&rows[n++], stats_head, stats_head_tab, STATS_NCOL);
	for (int i = 0; i < st->ncalls; i++) {
		const struct call *c = st->calls[i];

		if (c->kind == CALL_PROC)
			nproc++;
		if (!is_op(c))
			continue;
		stats_row(&rows[n++], c,
			  c->kind == CALL_READ || c->kind == CALL_COPY ? c->bytes : 0,
			  c->kind == CALL_WRITE || c->kind == CALL_COPY ? c->bytes : 0);
	}
	stats_row(&rows[n++], &tot, rd, wr);
	print_rows(o, rows, n, STATS_NCOL, 0);
	free(rows);

	/* Process records are not operations: list them on one line. */
	if (nproc && !tab_output) {
		const char *sep = "";

		ior_puts(o, "not timed:");
		for (int i = 0; i < st->ncalls; i++) {
			const struct call *c = st->calls[i];

			if (c->kind != CALL_PROC)
				continue;
			ior_printf(o, "%s %s %llu", sep, c->name,
				   (unsigned long long)c->count);
			sep = ",";
		}
		ior_putc(o, '\n');
	}
	if (st->skipped && !tab_output)
		ior_printf(o, "not issued (skip=): %llu\n",
			   (unsigned long long)st->skipped);
	if (!tab_output)
		put_inflight(o, st, NULL);
	return IOR_EXIT_OK;
}

/* ---- the comparison ---- */

static const char *const cmp_head[] = {
	"COUNT-A", "COUNT-B", "BYTES-A", "BYTES-B", "MEAN-A", "MEAN-B",
	"P50-A", "P50-B", "P99-A", "P99-B", "B/A", "DIFF",
};
static const char *const cmp_head_tab[] = {
	"count_a", "count_b", "bytes_a", "bytes_b", "mean_a_ns", "mean_b_ns",
	"p50_a_ns", "p50_b_ns", "p99_a_ns", "p99_b_ns", "mean_ratio", "differs",
};
#define CMP_NCOL 12

struct pair {
	const char *name;
	const struct call *a, *b;
};

static int by_pair(const void *pa, const void *pb)
{
	const struct pair *x = pa, *y = pb;
	int ax = (x->a ? x->a : x->b)->async, ay = (y->a ? y->a : y->b)->async;
	int d = ax != ay ? ax - ay : cmp_calls(x->a, y->a);

	if (!d)
		d = cmp_calls(x->b, y->b);
	return d ? d : strcmp(x->name, y->name);
}

static int differ(const struct call *a, const struct call *b)
{
	return (a ? a->count : 0) != (b ? b->count : 0) ||
	       (a ? a->bytes : 0) != (b ? b->bytes : 0) ||
	       (a ? a->inflight : 0) != (b ? b->inflight : 0);
}

static void cmp_row(struct row *r, const char *name, const struct call *a,
		    const struct call *b, int diff)
{
	r->name = name;
	put_count(r->cell[0], a ? a->count : 0);
	put_count(r->cell[1], b ? b->count : 0);
	put_bytes(r->cell[2], a ? a->bytes : 0);
	put_bytes(r->cell[3], b ? b->bytes : 0);
	put_lat(r->cell[4], a, mean(a));
	put_lat(r->cell[5], b, mean(b));
	put_lat(r->cell[6], a, pct(a, 50));
	put_lat(r->cell[7], b, pct(b, 50));
	put_lat(r->cell[8], a, pct(a, 99));
	put_lat(r->cell[9], b, pct(b, 99));
	if (a && b && a->count && b->count && a->sum)
		snprintf(r->cell[10], CELL, tab_output ? "%.4f" : "%.2f",
			 mean(b) / mean(a));
	else
		snprintf(r->cell[10], CELL, "-");
	if (tab_output)
		snprintf(r->cell[11], CELL, "%d", diff);
	else
		snprintf(r->cell[11], CELL, "%s", diff ? "*" : "");
}

static int compare(struct stats *sa, struct stats *sb, const char *na,
		   const char *nb, struct ior_out *o)
{
	static struct call ta, tb;
	struct pair *pairs;
	struct row *rows;
	uint64_t rd, wr;
	int np = 0, n = 0, anydiff = 0;

	total(sa, &ta, &rd, &wr);
	total(sb, &tb, &rd, &wr);
	if (ta.count == 0 && tb.count == 0 && !sa->depth.nreq &&
	    !sb->depth.nreq) {
		ior_warnx("nothing to report: no operation records in either stream");
		return IOR_EXIT_NONE;
	}
	if (!(pairs = calloc(sa->ncalls + sb->ncalls, sizeof(*pairs))) ||
	    !(rows = calloc(sa->ncalls + sb->ncalls + 2, sizeof(*rows))))
		ior_err(IOR_EXIT_SYS, "malloc");
	for (int i = 0; i < sa->ncalls; i++)
		if (is_op(sa->calls[i]))
			pairs[np++] = (struct pair){ sa->calls[i]->name,
				sa->calls[i], find(sb, sa->calls[i]->name) };
	for (int i = 0; i < sb->ncalls; i++)
		if (is_op(sb->calls[i]) && !find(sa, sb->calls[i]->name))
			pairs[np++] = (struct pair){ sb->calls[i]->name, NULL,
				sb->calls[i] };
	qsort(pairs, np, sizeof(*pairs), by_pair);

	head_row(&rows[n++], cmp_head, cmp_head_tab, CMP_NCOL);
	for (int i = 0; i < np; i++) {
		int d = differ(pairs[i].a, pairs[i].b);

		anydiff |= d;
		cmp_row(&rows[n++], pairs[i].name, pairs[i].a, pairs[i].b, d);
	}
	cmp_row(&rows[n++], "TOTAL", &ta, &tb, anydiff);
	if (!tab_output)
		ior_printf(o, "A: %s\nB: %s\n", na, nb);
	print_rows(o, rows, n, CMP_NCOL, 0);
	if (!tab_output)
		put_inflight(o, sa, sb);
	free(rows);
	free(pairs);
	return anydiff ? IOR_EXIT_NONE : IOR_EXIT_OK;
}

/* ---- the depth table ---- */

struct depth_row {
	uint64_t subs;
	double busy;		/* ns of requests in flight within the row */
	int64_t peak;
};

/*
 * Rows of len from the one holding lo to the one ending at or after hi,
 * and holding last (a request can start, and end, at hi).
 */
static uint64_t rows_over(uint64_t len, uint64_t lo, uint64_t hi,
			  uint64_t last)
{
	uint64_t end = hi / len + (hi % len != 0);

	if (end <= last / len)
		end = last / len + 1;
	return end - lo / len;
}

/*
 * The row length: with -i the interval (doubled as often as the grid
 * was), else the shortest of 1, 2 or 5 times a power of ten that is a
 * whole number of steps and needs at most ROWS rows.
 */
static uint64_t row_length(uint64_t step, uint64_t lo, uint64_t hi,
			   uint64_t last)
{
	static const int mult[] = { 1, 2, 5 };

	if (interval)
		return step * 10 > interval ? step * 10 : interval;
	for (uint64_t p = step;; p *= 10)
		for (int k = 0; k < 3; k++)
			if (rows_over(p * mult[k], lo, hi, last) <= ROWS)
				return p * mult[k];
}

/* Sum a settled grid into rows of len ns from r0. */
static void depth_rows(const struct depth *d, uint64_t r0, uint64_t len,
		       struct depth_row *rows, uint64_t nrows)
{
	memset(rows, 0, nrows * sizeof(*rows));
	if (!d->nreq)
		return;
	for (int i = 0; i <= STEPS; i++) {
		uint64_t t = d->origin + i * d->step, j;
		int64_t peak;

		if ((unsigned __int128)d->origin +
		    (unsigned __int128)i * d->step > UINT64_MAX)
			break;
		if (t < r0)
			continue;
		if ((j = (t - r0) / len) >= nrows)
			break;
		rows[j].subs += d->subs[i];
		rows[j].busy += d->busy[i];
		/* In flight at the step's start, or its mean rounded up. */
		peak = ceil(d->busy[i] / d->step);
		if (d->edge[i] > peak)
			peak = d->edge[i];
		if (peak > rows[j].peak)
			rows[j].peak = peak;
	}
}

/* The start of a row: seconds with the decimals the row length needs. */
static void put_row_time(char *dst, uint64_t t, uint64_t len)
{
	uint64_t frac = t % 1000000000ull, div = 1;
	int dec = 9;

	if (tab_output) {
		snprintf(dst, CELL, "%llu", (unsigned long long)t);
		return;
	}
	for (; dec > 0 && len % (div * 10) == 0; dec--)
		div *= 10;
	if (dec == 0) {
		snprintf(dst, CELL, "%llu", (unsigned long long)(t / 1000000000ull));
	} else {
		/* all nine decimals, then cut to dec: frac / div, zero-padded */
		int n = snprintf(dst, CELL, "%llu.%09llu",
				 (unsigned long long)(t / 1000000000ull),
				 (unsigned long long)frac);

		if (n > 9 && n < CELL)
			dst[n - 9 + dec] = 0;
	}
}

static void put_depth_cells(char (*cell)[CELL], int ncol, int k,
			    const struct depth_row *r, uint64_t len)
{
	put_count(cell[k], r->subs);
	snprintf(cell[k + ncol], CELL, tab_output ? "%.4f" : "%.2f",
		 r->busy / len);
	snprintf(cell[k + 2 * ncol], CELL, "%lld", (long long)r->peak);
}

/*
 * Put b on the grid of a and a on the grid of b: the coarser step of the
 * two, or coarser still to cover both.
 */
static void same_grid(struct depth *a, struct depth *b, uint64_t lo,
		      uint64_t hi)
{
	uint64_t step = a->step > b->step ? a->step : b->step, o;

	for (;; step = coarser(step))
		if (fits(o = lo / step * step, step, hi))
			break;
	regrid(a, step, o);
	regrid(b, step, o);
}

/*
 * Move d's grid to start at time 0. A capture's clock starts with the
 * trace and a replay's with the replay: compared, each stream's time is
 * counted from its first requests (the start of its grid's first step).
 */
static void to_zero(struct depth *d)
{
	uint64_t by = d->origin;

	d->origin = 0;
	d->lo -= by;
	d->hi -= by;
	d->last -= by;
}

/*
 * The table of requests in flight over time, of a, or of a and b side by
 * side. Returns 1 when it was printed, 0 when there are no requests.
 */
static int depth_report(struct depth *a, struct depth *b, int blank,
			struct ior_out *o)
{
	static const char *const head[] = { "SUBMITTED", "DEPTH", "PEAK" };
	static const char *const head_tab[] = { "submitted", "depth", "peak" };
	static struct depth_row ra[STEPS + 1], rb[STEPS + 1];
	int ncol = b ? 2 : 1;
	uint64_t lo, hi, last, len, r0, nrows;
	struct row *rows;
	char title[CELL + 1];

	if (!a->nreq && (!b || !b->nreq))
		return 0;
	if (b && a->nreq && b->nreq) {
		to_zero(a);
		to_zero(b);
		lo = a->lo < b->lo ? a->lo : b->lo;
		hi = a->hi > b->hi ? a->hi : b->hi;
		last = a->last > b->last ? a->last : b->last;
		same_grid(a, b, lo, hi);
	} else {
		const struct depth *d = a->nreq ? a : b;

		lo = d->lo;
		hi = d->hi;
		last = d->last;
		if (b) {	/* the empty one takes the other's grid */
			a->step = b->step = d->step;
			a->origin = b->origin = d->origin;
		}
	}
	settle(a);
	len = row_length(a->step, lo, hi, last);
	r0 = lo / len * len;
	nrows = rows_over(len, lo, hi, last);
	depth_rows(a, r0, len, ra, nrows);
	if (b) {
		settle(b);
		depth_rows(b, r0, len, rb, nrows);
	}

	if (!(rows = calloc(nrows + 1, sizeof(*rows))))
		ior_err(IOR_EXIT_SYS, "malloc");
	rows[0].name = tab_output ? "time_ns" : "TIME";
	for (int j = 0; j < 3; j++)
		for (int s = 0; s < ncol; s++)
			snprintf(rows[0].cell[j * ncol + s], CELL, "%s%s",
				 tab_output ? head_tab[j] : head[j],
				 !b ? "" : tab_output ? (s ? "_b" : "_a") :
				 (s ? "-B" : "-A"));
	for (uint64_t i = 0; i < nrows; i++) {
		struct row *r = &rows[i + 1];

		put_row_time(r->label, r0 + i * len, len);
		r->name = r->label;
		put_depth_cells(r->cell, ncol, 0, &ra[i], len);
		if (b)
			put_depth_cells(r->cell, ncol, 1, &rb[i], len);
	}
	if (blank)
		ior_putc(o, '\n');
	if (!tab_output) {
		if (interval) {	/* exactly, as given (or doubled) */
			put_row_time(title, len, len);
			strcat(title, "s");
		} else {
			put_ns(title, len);
		}
		ior_printf(o, "async requests in flight, per %s%s%s:\n", title,
			   interval && len != interval ?
			   " (the interval given, doubled to fit)" : "",
			   b && a->nreq && b->nreq ?
			   ", from each stream's first" : "");
	}
	print_rows(o, rows, nrows + 1, 3 * ncol, 1);
	free(rows);
	return 1;
}

static int nothing_async(void)
{
	ior_warnx("nothing to report: no aio: or uring: requests");
	return IOR_EXIT_NONE;
}

/* -i: seconds, with up to nine decimals, a whole number of 10ns. */
static uint64_t parse_interval(const char *s)
{
	uint64_t sec = 0, ns = 0;
	const char *p = s;
	int dec = 0;

	for (; *p >= '0' && *p <= '9' && sec < 1000000000; p++)
		sec = sec * 10 + (*p - '0');
	if (*p == '.')
		for (p++; *p >= '0' && *p <= '9' && dec < 9; p++, dec++)
			ns = ns * 10 + (*p - '0');
	for (; dec < 9; dec++)
		ns *= 10;
	ns += sec * 1000000000ull;
	if (*p || p == s || ns == 0 || ns % 10 || sec >= 1000000000) {
		ior_warnx("bad interval \"%s\": want seconds, a positive multiple of 0.00000001 (10ns)",
			  s);
		usage(stderr, IOR_EXIT_USAGE);
	}
	return ns;
}

int main(int argc, char *argv[])
{
	static const struct option longopts[] = {
		{ "tab", no_argument, NULL, 't' },
		{ "sort", required_argument, NULL, 's' },
		{ "compare", no_argument, NULL, 'c' },
		{ "report", required_argument, NULL, 'r' },
		{ "interval", required_argument, NULL, 'i' },
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, 'V' },
		{ NULL, 0, NULL, 0 },
	};
	static struct stats st, st_b;
	struct ior_out o;
	int ch, comparing = 0, show = SHOW_CALLS | SHOW_DEPTH, code = IOR_EXIT_OK;

	ior_setprogname(argv[0]);
	while ((ch = getopt_long(argc, argv, "ts:r:i:h", longopts, NULL)) != -1) {
		switch (ch) {
		case 't':
			tab_output = 1;
			break;
		case 's':
			if (!strcmp(optarg, "count"))
				sort_key = SORT_COUNT;
			else if (!strcmp(optarg, "time"))
				sort_key = SORT_TIME;
			else if (!strcmp(optarg, "bytes"))
				sort_key = SORT_BYTES;
			else if (!strcmp(optarg, "name"))
				sort_key = SORT_NAME;
			else {
				ior_warnx("unknown sort key \"%s\"", optarg);
				usage(stderr, IOR_EXIT_USAGE);
			}
			break;
		case 'c':
			comparing = 1;
			break;
		case 'r':
			if (!strcmp(optarg, "calls"))
				show = SHOW_CALLS;
			else if (!strcmp(optarg, "depth"))
				show = SHOW_DEPTH;
			else {
				ior_warnx("unknown table \"%s\"", optarg);
				usage(stderr, IOR_EXIT_USAGE);
			}
			break;
		case 'i':
			interval = parse_interval(optarg);
			break;
		case 'h':
			usage(stdout, IOR_EXIT_OK);
			break;
		case 'V':
			ior_version();
			break;
		default:
			usage(stderr, IOR_EXIT_USAGE);
		}
	}
	argc -= optind;
	argv += optind;

	ior_out_init(&o, 1, NULL);
	if (comparing) {
		if (argc != 2)
			usage(stderr, IOR_EXIT_USAGE);
		if (!strcmp(argv[0], "-") && !strcmp(argv[1], "-")) {
			ior_warnx("only one of A and B can be standard input");
			usage(stderr, IOR_EXIT_USAGE);
		}
		read_stream(&st, argv[0]);
		read_stream(&st_b, argv[1]);
		if (show & SHOW_CALLS)
			code = compare(&st, &st_b, argv[0], argv[1], &o);
		if ((show & SHOW_DEPTH) &&
		    !depth_report(&st.depth, &st_b.depth, show & SHOW_CALLS, &o) &&
		    show == SHOW_DEPTH)
			code = nothing_async();
	} else {
		if (argc == 0)
			read_stream(&st, NULL);
		for (int i = 0; i < argc; i++)
			read_stream(&st, argv[i]);
		if (show & SHOW_CALLS)
			code = report(&st, &o);
		if ((show & SHOW_DEPTH) && code == IOR_EXIT_OK &&
		    !depth_report(&st.depth, NULL, show & SHOW_CALLS, &o) &&
		    show == SHOW_DEPTH)
			code = nothing_async();
	}
	ior_out_close(&o);
	return code;
}
