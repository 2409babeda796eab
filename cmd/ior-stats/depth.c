/* depth.c - async requests in flight over time (depth.h). */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "ior.h"
#include "depth.h"
#include "options.h"
#include "table.h"

/*
 * Steps are 10^k ns; with -i, the interval divided by a power of ten
 * while it stays whole, times ten until a tenth of the interval, then
 * doubled: each step is a whole number of the previous ones, and a row
 * is whole steps.
 */
static uint64_t first_step(void)
{
	uint64_t step = opt.interval ? opt.interval : 1;

	while (step % 10 == 0)
		step /= 10;
	return step;
}

static uint64_t coarser(uint64_t step)
{
	return opt.interval && step * 10 >= opt.interval ? step * 2 : step * 10;
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

void depth_add(struct depth *d, uint64_t s, uint64_t e)
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

	if (opt.interval)
		return step * 10 > opt.interval ? step * 10 : opt.interval;
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
void put_row_time(char *dst, uint64_t t, uint64_t len)
{
	uint64_t frac = t % 1000000000ull, div = 1;
	int dec = 9;

	if (opt.tab) {
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
	snprintf(cell[k + ncol], CELL, opt.tab ? "%.4f" : "%.2f",
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

int depth_report(struct depth *a, struct depth *b, int blank,
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

	rows = ior_xcalloc(nrows + 1, sizeof(*rows));
	rows[0].name = opt.tab ? "time_ns" : "TIME";
	for (int j = 0; j < 3; j++)
		for (int s = 0; s < ncol; s++)
			snprintf(rows[0].cell[j * ncol + s], CELL, "%s%s",
				 opt.tab ? head_tab[j] : head[j],
				 !b ? "" : opt.tab ? (s ? "_b" : "_a") :
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
	if (!opt.tab) {
		if (opt.interval) {	/* exactly, as given (or doubled) */
			put_row_time(title, len, len);
			strcat(title, "s");
		} else {
			put_ns(title, len);
		}
		ior_printf(o, "async requests in flight, per %s%s%s:\n", title,
			   opt.interval && len != opt.interval ?
			   " (the interval given, doubled to fit)" : "",
			   b && a->nreq && b->nreq ?
			   ", from each stream's first" : "");
	}
	print_rows(o, rows, nrows + 1, 3 * ncol, 1);
	free(rows);
	return 1;
}
