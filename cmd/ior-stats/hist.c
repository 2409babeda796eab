/*
 * hist.c - log2 latency histograms (hist.h). Row 0 holds DUR 0 and 1 ns,
 * row k the DURs in [2^k, 2^(k+1)). They are summed from a call's
 * log-linear histogram (callstats.h), whose buckets each lie within one
 * power of two, so the counts are exact.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ior.h"
#include "callstats.h"
#include "hist.h"
#include "options.h"
#include "report.h"

#define LOG2_ROWS 64
#define STARS 40	/* width of a bar, as biolatency's */
#define STARS_CMP 20	/* of each of two bars side by side */

/* The log2 rows of c (all 0 for NULL). */
static void log2_rows(const struct call_stats *c, uint64_t *row)
{
	memset(row, 0, LOG2_ROWS * sizeof(*row));
	if (!c)
		return;
	for (int b = 0; b < NBUCKET; b++) {
		int g = b / SUB, k;

		if (!c->hist[b])
			continue;
		if (g == 0)
			k = b < 2 ? 0 : 63 - __builtin_clzll(b);
		else
			k = g + SUB_BITS - 1;
		row[k] += c->hist[b];
	}
}

static void bar(struct ior_out *o, uint64_t n, uint64_t max, int width)
{
	int stars = max ? (int)((double)n * width / max + 0.5) : 0;

	if (n && !stars)
		stars = 1;	/* a row with samples shows */
	ior_putc(o, '|');
	for (int i = 0; i < width; i++)
		ior_putc(o, i < stars ? '*' : ' ');
	ior_putc(o, '|');
}

static int digits(uint64_t v)
{
	int n = 1;

	while (v >= 10) {
		v /= 10;
		n++;
	}
	return n;
}

/* The histogram of one call, or of the same call in two streams. */
static void one(struct ior_out *o, const char *name, const struct call_stats *a,
		const struct call_stats *b, int cmp)
{
	uint64_t ra[LOG2_ROWS], rb[LOG2_ROWS], max = 0;
	int lo = LOG2_ROWS, hi = -1, w;

	log2_rows(a, ra);
	log2_rows(b, rb);
	for (int k = 0; k < LOG2_ROWS; k++) {
		if (!ra[k] && !rb[k])
			continue;
		if (lo == LOG2_ROWS)
			lo = k;
		hi = k;
		if (ra[k] > max)
			max = ra[k];
		if (rb[k] > max)
			max = rb[k];
	}
	if (hi < 0)
		return;
	w = digits(hi == 63 ? UINT64_MAX : (2ull << hi) - 1);
	if (w < 10)
		w = 10;
	if (!opt.tab) {
		ior_printf(o, "\ncall = %s\n", name);
		ior_printf(o, "%*s%-*s : %s\n", w + 1, "nsecs", w + 4, "",
			   cmp ? "count-A  count-B  distribution A, B" :
			   "count     distribution");
	}
	for (int k = lo; k <= hi; k++) {
		uint64_t low = k ? 1ull << k : 0;
		uint64_t high = k == 63 ? UINT64_MAX : (2ull << k) - 1;

		if (opt.tab) {
			ior_printf(o, "%s\t%llu\t%llu\t%llu", name,
				   (unsigned long long)low,
				   (unsigned long long)high,
				   (unsigned long long)ra[k]);
			if (cmp)
				ior_printf(o, "\t%llu", (unsigned long long)rb[k]);
			ior_putc(o, '\n');
			continue;
		}
		ior_printf(o, "%*llu -> %-*llu : %-8llu ", w + 1,
			   (unsigned long long)low, w,
			   (unsigned long long)high, (unsigned long long)ra[k]);
		if (cmp)
			ior_printf(o, "%-8llu ", (unsigned long long)rb[k]);
		bar(o, ra[k], max, cmp ? STARS_CMP : STARS);
		if (cmp)
			bar(o, rb[k], max, STARS_CMP);
		ior_putc(o, '\n');
	}
}

/* Whether st has an operation with a latency. */
static int any(const struct stats *st)
{
	for (size_t i = 0; i < st->ncalls; i++)
		if (is_op(st->calls[i]) && st->calls[i]->count)
			return 1;
	return 0;
}

int hist_report(struct stats *a, struct stats *b, struct ior_out *o)
{
	if (!any(a) && !(b && any(b))) {
		ior_warnx("nothing to report: no operation records%s",
			  b ? " in either stream" : "");
		return IOR_EXIT_NONE;
	}
	sort_calls(a);
	if (opt.tab)
		ior_puts(o, b ? "call\tlow_ns\thigh_ns\tcount_a\tcount_b\n" :
			 "call\tlow_ns\thigh_ns\tcount\n");
	else if (b)
		ior_printf(o, "A: %s\nB: %s\n", opt.files[0], opt.files[1]);
	for (size_t i = 0; i < a->ncalls; i++) {
		const struct call_stats *c = a->calls[i];

		if (is_op(c))
			one(o, c->name, c, b ? stats_find(b, c->name) : NULL, !!b);
	}
	if (b) {
		sort_calls(b);
		for (size_t i = 0; i < b->ncalls; i++) {
			const struct call_stats *c = b->calls[i];

			if (is_op(c) && !stats_find(a, c->name))
				one(o, c->name, NULL, c, 1);
		}
	}
	return IOR_EXIT_OK;
}
