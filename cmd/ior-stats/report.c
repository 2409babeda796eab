/* report.c - the per-call tables (report.h). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ior.h"
#include "callstats.h"
#include "options.h"
#include "report.h"
#include "table.h"

/* A latency statistic, or "-" when there are no samples. */
static void put_lat(char *dst, const struct call_stats *c, double v)
{
	if (!c || c->count == 0)
		snprintf(dst, CELL, "-");
	else
		put_ns(dst, v);
}

/* Of a sampled call, that of its calls written: time_total / count. */
static double mean(const struct call_stats *c)
{
	return c && c->count ? (double)time_total(c) / c->count : 0;
}

static double pct(const struct call_stats *c, double p)
{
	return c && c->timed ? (double)percentile(c, p) : 0;
}

/* ---- sorting ---- */

static uint64_t sort_value(const struct call_stats *c)
{
	if (!c)
		return 0;
	switch (opt.sort) {
	case SORT_COUNT:
		return c->count;
	case SORT_BYTES:
		return c->bytes;
	case SORT_TIME:
		return time_total(c);
	case SORT_NAME:
		break;
	}
	return 0;
}

static int cmp_calls(const struct call_stats *a, const struct call_stats *b)
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
	const struct call_stats *a = *(struct call_stats *const *)pa;
	const struct call_stats *b = *(struct call_stats *const *)pb;
	int d = cmp_calls(a, b);

	return d ? d : strcmp(a->name, b->name);
}

void sort_calls(struct stats *st)
{
	qsort(st->calls, st->ncalls, sizeof(st->calls[0]), by_key);
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

static void stats_row(struct row *r, const struct call_stats *c, uint64_t rd,
		      uint64_t wr)
{
	r->name = c->label ? c->label : c->name;
	put_count(r->cell[0], c->count);
	put_count(r->cell[1], c->errors);
	put_bytes(r->cell[2], rd);
	put_bytes(r->cell[3], wr);
	put_ns(r->cell[4], time_total(c));
	put_lat(r->cell[5], c, mean(c));
	put_lat(r->cell[6], c, pct(c, 50));
	put_lat(r->cell[7], c, pct(c, 95));
	put_lat(r->cell[8], c, pct(c, 99));
	put_lat(r->cell[9], c, c->max);
}

static void head_row(struct row *r, const char *const *head,
		     const char *const *head_tab, int ncol)
{
	r->name = opt.tab ? "call" : "CALL";
	for (int j = 0; j < ncol; j++)
		snprintf(r->cell[j], CELL, "%s", opt.tab ? head_tab[j] : head[j]);
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

		for (size_t i = 0; i < st->ncalls; i++) {
			const struct call_stats *c = st->calls[i], *ca, *cb;

			if (s && stats_find(a, c->name))
				continue;	/* listed with A */
			ca = s ? NULL : c;
			cb = b ? (s ? c : stats_find(b, c->name)) : NULL;
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

int report(struct stats *st, struct ior_out *o)
{
	static struct call_stats tot;
	struct row *rows;
	uint64_t rd, wr;
	int n = 0, nproc = 0;

	total(st, &tot, &rd, &wr);
	if (tot.count == 0 && !st->depth.nreq) {
		ior_warnx("nothing to report: no operation records");
		return IOR_EXIT_NONE;
	}
	sort_calls(st);
	rows = ior_xcalloc(st->ncalls + 2, sizeof(*rows));
	head_row(&rows[n++], stats_head, stats_head_tab, STATS_NCOL);
	for (size_t i = 0; i < st->ncalls; i++) {
		const struct call_stats *c = st->calls[i];

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
	if (nproc && !opt.tab) {
		const char *sep = "";

		ior_puts(o, "not timed:");
		for (size_t i = 0; i < st->ncalls; i++) {
			const struct call_stats *c = st->calls[i];

			if (c->kind != CALL_PROC)
				continue;
			ior_printf(o, "%s %s %llu", sep, c->name,
				   (unsigned long long)c->count);
			sep = ",";
		}
		ior_putc(o, '\n');
	}
	if (st->sampled && !opt.tab)
		ior_puts(o, "* sampled (#sample): COUNT, ERRORS, READ and "
			 "WRITTEN exact; TIME from the mean of the records "
			 "written, latencies from them\n");
	if (st->skipped && !opt.tab)
		ior_printf(o, "not issued (skip=): %llu\n",
			   (unsigned long long)st->skipped);
	if (!opt.tab)
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
	const struct call_stats *a, *b;
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

static int differ(const struct call_stats *a, const struct call_stats *b)
{
	return (a ? a->count : 0) != (b ? b->count : 0) ||
	       (a ? a->bytes : 0) != (b ? b->bytes : 0) ||
	       (a ? a->inflight : 0) != (b ? b->inflight : 0);
}

static void cmp_row(struct row *r, const char *name, const struct call_stats *a,
		    const struct call_stats *b, int diff)
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
		snprintf(r->cell[10], CELL, opt.tab ? "%.4f" : "%.2f",
			 mean(b) / mean(a));
	else
		snprintf(r->cell[10], CELL, "-");
	if (opt.tab)
		snprintf(r->cell[11], CELL, "%d", diff);
	else
		snprintf(r->cell[11], CELL, "%s", diff ? "*" : "");
}

int compare(struct stats *sa, struct stats *sb, const char *na,
	    const char *nb, struct ior_out *o)
{
	static struct call_stats ta, tb;
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
	pairs = ior_xcalloc(sa->ncalls + sb->ncalls, sizeof(*pairs));
	rows = ior_xcalloc(sa->ncalls + sb->ncalls + 2, sizeof(*rows));
	for (size_t i = 0; i < sa->ncalls; i++)
		if (is_op(sa->calls[i]))
			pairs[np++] = (struct pair){ sa->calls[i]->name,
				sa->calls[i], stats_find(sb, sa->calls[i]->name) };
	for (size_t i = 0; i < sb->ncalls; i++)
		if (is_op(sb->calls[i]) && !stats_find(sa, sb->calls[i]->name))
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
	if (!opt.tab)
		ior_printf(o, "A: %s\nB: %s\n", na, nb);
	print_rows(o, rows, n, CMP_NCOL, 0);
	if (!opt.tab)
		put_inflight(o, sa, sb);
	free(rows);
	free(pairs);
	return anydiff ? IOR_EXIT_NONE : IOR_EXIT_OK;
}
