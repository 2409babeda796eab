/* timeline.c - operations per interval of time (timeline.h). */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ior.h"
#include "callstats.h"
#include "depth.h"
#include "options.h"
#include "table.h"
#include "timeline.h"

#define ROWS_AUTO 32	/* rows at most when -i is not given */

static uint64_t coarser(uint64_t step)
{
	return opt.interval ? step * 2 : step * 10;
}

static void merge(struct tl_step *d, const struct tl_step *s)
{
	if (!s->count)
		return;
	if (!d->count || s->min < d->min)
		d->min = s->min;
	if (s->max > d->max)
		d->max = s->max;
	d->count += s->count;
	d->errors += s->errors;
	d->rd += s->rd;
	d->wr += s->wr;
	d->sum += s->sum;
	for (int b = 0; b < TL_NBUCKET; b++)
		d->hist[b] += s->hist[b];
}

/* Move the grid onto steps of nstep from norigin (both multiples of step). */
static void regrid(struct timeline *tl, uint64_t nstep, uint64_t norigin)
{
	struct tl_step *n = ior_xcalloc(TL_STEPS, sizeof(*n));
	int lo = TL_STEPS, hi = -1;

	for (int i = tl->lo; i <= tl->hi; i++) {
		uint64_t j = (tl->origin + i * tl->step - norigin) / nstep;

		merge(&n[j], &tl->s[i]);
		if ((int)j < lo)
			lo = j;
		if ((int)j > hi)
			hi = j;
	}
	free(tl->s);
	tl->s = n;
	tl->step = nstep;
	tl->origin = norigin;
	tl->lo = lo;
	tl->hi = hi;
}

/* Whether steps of step from origin cover [from, to]. */
static int covers(uint64_t origin, uint64_t step, uint64_t from, uint64_t to)
{
	return from >= origin &&
	       (unsigned __int128)(to - origin) < (unsigned __int128)TL_STEPS * step;
}

/* The step of time t, the grid widened or moved to hold it. */
static int step_of(struct timeline *tl, uint64_t t)
{
	uint64_t from, to, step, o;

	if (!tl->step) {
		tl->step = opt.interval ? opt.interval : 1;
		tl->origin = t / tl->step * tl->step;
		tl->s = ior_xcalloc(TL_STEPS, sizeof(*tl->s));
		tl->lo = TL_STEPS;
		tl->hi = -1;
	}
	if (covers(tl->origin, tl->step, t, t))
		return (t - tl->origin) / tl->step;
	from = tl->origin + tl->lo * tl->step;
	to = tl->origin + tl->hi * tl->step;
	if (t < from)
		from = t;
	if (t > to)
		to = t;
	for (step = tl->step;; step = coarser(step))
		if (covers(o = from / step * step, step, from, to))
			break;
	regrid(tl, step, o);
	return (t - tl->origin) / tl->step;
}

void timeline_add(struct timeline *tl, const struct ior_rec *r,
		  const struct call_stats *c)
{
	int i = step_of(tl, r->time_ns);
	struct tl_step *s = &tl->s[i];
	uint64_t rd, wr;

	rec_bytes(c, r, &rd, &wr);
	if (!s->count || r->dur < s->min)
		s->min = r->dur;
	if (r->dur > s->max)
		s->max = r->dur;
	s->count++;
	s->errors += r->ret < 0;
	s->rd += rd;
	s->wr += wr;
	s->sum += r->dur;
	s->hist[bucket(r->dur) / 2]++;
	if (i < tl->lo)
		tl->lo = i;
	if (i > tl->hi)
		tl->hi = i;
}

/* The value at pct percent of s's samples, within its bucket's error. */
static uint64_t tl_percentile(const struct tl_step *s, double pct)
{
	uint64_t rank = ceil(s->count * pct / 100), seen = 0, v;

	if (rank == 0)
		rank = 1;
	if (rank >= s->count)
		return s->max;
	for (int b = 0; b < TL_NBUCKET; b++) {
		seen += s->hist[b];
		if (seen >= rank) {
			v = (bucket_value(2 * b) + bucket_value(2 * b + 1)) / 2;
			return v < s->min ? s->min : v > s->max ? s->max : v;
		}
	}
	return s->max;
}

/* ---- the table ---- */

/* No record: no grid (a stream compared may have none). */
static int empty(const struct timeline *tl)
{
	return !tl->s || tl->hi < 0;
}

/* Rows of len ns from the first step used: how many. */
static uint64_t nrows_of(const struct timeline *tl, uint64_t len)
{
	if (empty(tl))
		return 0;
	return ((tl->hi - tl->lo) * tl->step) / len + 1;
}

/* The row length: -i (or the step, when wider), else 1, 2 or 5 x 10^k steps. */
static uint64_t row_length(const struct timeline *a, const struct timeline *b)
{
	uint64_t step = empty(a) ? 0 : a->step, len;

	if (b && !empty(b) && b->step > step)
		step = b->step;
	if (opt.interval)
		return opt.interval > step ? opt.interval : step;
	for (uint64_t m = 1;; m *= 10) {
		static const uint64_t f[] = { 1, 2, 5 };

		for (int i = 0; i < 3; i++) {
			len = step * m * f[i];
			if (nrows_of(a, len) <= ROWS_AUTO &&
			    (!b || nrows_of(b, len) <= ROWS_AUTO))
				return len;
		}
	}
}

/* The rows of tl, of len ns each from its first step used, into r. */
static void rows_of(const struct timeline *tl, uint64_t len, struct tl_step *r,
		    uint64_t nrows)
{
	memset(r, 0, nrows * sizeof(*r));
	if (empty(tl))
		return;
	for (int i = tl->lo; i <= tl->hi; i++)
		merge(&r[(uint64_t)(i - tl->lo) * tl->step / len], &tl->s[i]);
}

static void put_lat(char *dst, const struct tl_step *s, uint64_t v)
{
	if (!s->count)
		snprintf(dst, CELL, "-");
	else
		put_ns(dst, v);
}

/* The cells of s from column k, every ncol (1, or 2 side by side). */
static void put_cells(char (*cell)[CELL], int ncol, int k,
		      const struct tl_step *s, int cmp)
{
	put_count(cell[k], s->count);
	if (cmp) {
		put_bytes(cell[k + ncol], s->rd + s->wr);
		put_lat(cell[k + 2 * ncol], s, tl_percentile(s, 50));
		put_lat(cell[k + 3 * ncol], s, tl_percentile(s, 99));
		put_lat(cell[k + 4 * ncol], s, s->max);
		return;
	}
	put_count(cell[k + 1], s->errors);
	put_bytes(cell[k + 2], s->rd);
	put_bytes(cell[k + 3], s->wr);
	put_lat(cell[k + 4], s, tl_percentile(s, 50));
	put_lat(cell[k + 5], s, tl_percentile(s, 99));
	put_lat(cell[k + 6], s, s->max);
}

static void head(struct row *r, int cmp)
{
	static const char *const h[] = {
		"COUNT", "ERRORS", "READ", "WRITTEN", "P50", "P99", "MAX" };
	static const char *const ht[] = {
		"count", "errors", "read_bytes", "written_bytes", "p50_ns",
		"p99_ns", "max_ns" };
	static const char *const hc[] = { "COUNT", "BYTES", "P50", "P99", "MAX" };
	static const char *const hct[] = {
		"count_", "bytes_", "p50_", "p99_", "max_" };

	r->name = opt.tab ? (cmp ? "offset_ns" : "time_ns") : "TIME";
	if (!cmp) {
		for (int j = 0; j < 7; j++)
			snprintf(r->cell[j], CELL, "%s", opt.tab ? ht[j] : h[j]);
		return;
	}
	for (int j = 0; j < 5; j++)
		for (int s = 0; s < 2; s++)
			snprintf(r->cell[2 * j + s], CELL, "%s%s%s",
				 opt.tab ? hct[j] : hc[j],
				 opt.tab ? (s ? "b" : "a") : (s ? "-B" : "-A"),
				 opt.tab && j > 1 ? "_ns" : "");
}

int timeline_report(struct timeline *a, struct timeline *b, struct ior_out *o)
{
	uint64_t len, n, na, nb, r0;
	struct tl_step *ra, *rb = NULL, ta = { 0 }, tb = { 0 };
	struct row *rows;
	int cmp = b != NULL, ncol = cmp ? 10 : 7;
	char title[CELL + 1];

	if (empty(a) && (!b || empty(b))) {
		ior_warnx("nothing to report: no operation records%s",
			  b ? " in either stream" : "");
		return IOR_EXIT_NONE;
	}
	len = row_length(a, b);
	na = nrows_of(a, len);
	nb = b ? nrows_of(b, len) : 0;
	n = na > nb ? na : nb;
	ra = ior_xcalloc(n, sizeof(*ra));
	rows_of(a, len, ra, n);
	if (b) {
		rb = ior_xcalloc(n, sizeof(*rb));
		rows_of(b, len, rb, n);
	}
	/* Compared, each stream's time counts from its first record's step. */
	r0 = cmp ? 0 : a->origin + a->lo * a->step;
	rows = ior_xcalloc(n + 2, sizeof(*rows));
	head(&rows[0], cmp);
	for (uint64_t i = 0; i < n; i++) {
		struct row *r = &rows[i + 1];

		put_row_time(r->label, r0 + i * len, len);
		r->name = r->label;
		put_cells(r->cell, cmp ? 2 : 1, 0, &ra[i], cmp);
		merge(&ta, &ra[i]);
		if (cmp) {
			put_cells(r->cell, 2, 1, &rb[i], cmp);
			merge(&tb, &rb[i]);
		}
	}
	rows[n + 1].name = "TOTAL";
	put_cells(rows[n + 1].cell, cmp ? 2 : 1, 0, &ta, cmp);
	if (cmp)
		put_cells(rows[n + 1].cell, 2, 1, &tb, cmp);
	if (!opt.tab) {
		if (opt.interval) {
			put_row_time(title, len, len);
			strcat(title, "s");
		} else {
			put_ns(title, len);
		}
		if (cmp)
			ior_printf(o, "A: %s\nB: %s\n", opt.files[0], opt.files[1]);
		ior_printf(o, "operations per %s%s%s:\n", title,
			   opt.interval && len != opt.interval ?
			   " (the interval given, doubled to fit)" : "",
			   cmp ? ", from each stream's first" : "");
	}
	print_rows(o, rows, n + 2, ncol, 1);
	free(rows);
	free(ra);
	free(rb);
	return IOR_EXIT_OK;
}

void timeline_free(struct timeline *tl)
{
	free(tl->s);
	memset(tl, 0, sizeof(*tl));
}
