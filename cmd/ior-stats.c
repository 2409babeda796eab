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
	uint64_t count, errors, bytes;
	uint64_t sum, min, max;	/* DUR, exact */
	uint64_t hist[NBUCKET];
};

struct stats {
	struct call *slot[SLOTS];
	struct call *calls[CALLS_MAX];
	int ncalls;
	uint64_t skipped;	/* replay results marked skip=: not issued */
};

enum sort_key { SORT_TIME, SORT_COUNT, SORT_BYTES, SORT_NAME };

static enum sort_key sort_key = SORT_TIME;
static int tab_output;

static void usage(FILE *fp, int code)
{
	fprintf(fp,
		"usage: %s [-t] [-s count|time|bytes|name] [file ...]\n"
		"       %s [-t] [-s key] --compare A B\n"
		"  -t, --tab        tab-separated output with exact integers\n"
		"  -s, --sort KEY   sort rows by count, time (default), bytes or name\n"
		"      --compare    compare stream A (capture) with B (replay result)\n"
		"  -h, --help       show this help\n"
		"      --version    show the version\n",
		ior_progname(), ior_progname());
	exit(code);
}

static int starts_with(const char *s, const char *prefix)
{
	return !strncmp(s, prefix, strlen(prefix));
}

static enum call_kind classify(const char *name)
{
	static const char *const reads[] = {
		"read", "pread64", "readv", "preadv", "preadv2", NULL,
	};
	static const char *const writes[] = {
		"write", "pwrite64", "writev", "pwritev", "pwritev2", NULL,
	};

	static const char *const copies[] = {
		"copy_file_range", "sendfile64", "splice", NULL,
	};

	for (int i = 0; reads[i]; i++)
		if (!strcmp(name, reads[i]))
			return CALL_READ;
	for (int i = 0; copies[i]; i++)
		if (!strcmp(name, copies[i]))
			return CALL_COPY;
	for (int i = 0; writes[i]; i++)
		if (!strcmp(name, writes[i]))
			return CALL_WRITE;
	if (starts_with(name, "aio:pread") || starts_with(name, "uring:read"))
		return CALL_READ;
	if (starts_with(name, "aio:pwrite") || starts_with(name, "uring:write"))
		return CALL_WRITE;
	if (starts_with(name, "sched:") || starts_with(name, "ior:"))
		return CALL_PROC;
	if (starts_with(name, "init:"))
		return CALL_INIT;
	return CALL_OP;
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

static void read_stream(struct stats *st, const char *path)
{
	struct ior_in in;
	struct ior_rec r;
	int k;

	ior_in_open(&in, path);
	while ((k = ior_read(&in, &r)) != IOR_EOF) {
		struct call *c;

		if (k != IOR_REC)
			continue;
		/* Not issued by the replay: neither a count nor a latency. */
		if (ior_get(&r, "skip")) {
			st->skipped++;
			continue;
		}
		c = lookup(st, &in, r.call);
		if (c->kind == CALL_PROC)
			c->count++;
		else if (c->kind != CALL_INIT)
			add(c, &r);
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
		       int ncol)
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
			ior_printf(o, "%-*s", namew, r->name);
			for (int j = 0; j < ncol; j++) {
				if (j == ncol - 1 && !*r->cell[j])
					break;	/* no trailing blanks */
				ior_printf(o, "  %*s", w[j], r->cell[j]);
			}
		}
		ior_putc(o, '\n');
	}
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

static int report(struct stats *st, struct ior_out *o)
{
	static struct call tot;
	struct row *rows;
	uint64_t rd, wr;
	int n = 0, nproc = 0;

	total(st, &tot, &rd, &wr);
	if (tot.count == 0) {
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
	print_rows(o, rows, n, STATS_NCOL);
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
	int d = cmp_calls(x->a, y->a);

	if (!d)
		d = cmp_calls(x->b, y->b);
	return d ? d : strcmp(x->name, y->name);
}

static struct call *find(struct stats *st, const char *name)
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

static int differ(const struct call *a, const struct call *b)
{
	return (a ? a->count : 0) != (b ? b->count : 0) ||
	       (a ? a->bytes : 0) != (b ? b->bytes : 0);
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
	if (ta.count == 0 && tb.count == 0) {
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
	print_rows(o, rows, n, CMP_NCOL);
	free(rows);
	free(pairs);
	return anydiff ? IOR_EXIT_NONE : IOR_EXIT_OK;
}

int main(int argc, char *argv[])
{
	static const struct option longopts[] = {
		{ "tab", no_argument, NULL, 't' },
		{ "sort", required_argument, NULL, 's' },
		{ "compare", no_argument, NULL, 'c' },
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, 'V' },
		{ NULL, 0, NULL, 0 },
	};
	static struct stats st, st_b;
	struct ior_out o;
	int ch, comparing = 0, code;

	ior_setprogname(argv[0]);
	while ((ch = getopt_long(argc, argv, "ts:h", longopts, NULL)) != -1) {
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
		code = compare(&st, &st_b, argv[0], argv[1], &o);
	} else {
		if (argc == 0)
			read_stream(&st, NULL);
		for (int i = 0; i < argc; i++)
			read_stream(&st, argv[i]);
		code = report(&st, &o);
	}
	ior_out_close(&o);
	return code;
}
