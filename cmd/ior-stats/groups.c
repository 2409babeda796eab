/*
 * groups.c - the tables by file and by process (groups.h): rows keyed by
 * path or by PID and COMM, sorted by -s, the first -n of them printed and
 * a TOTAL of them all.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ior.h"
#include "callstats.h"
#include "groups.h"
#include "options.h"
#include "table.h"

/* The row of a record that names no file. */
#define NO_PATH "(none)"

const char *rec_path(const struct ior_rec *r)
{
	const char *file = NULL, *path = NULL;

	for (int i = 0; i < r->nkv; i++) {
		const char *k = r->kv[i].key;

		if (k[0] == 'f' && !strcmp(k, "file"))
			file = r->kv[i].val;
		else if (k[0] == 'p' && !strcmp(k, "path"))
			path = r->kv[i].val;
	}
	return file ? file : path;
}

static uint64_t key_hash(const char *name, int64_t pid)
{
	return ior_hash_str(name) ^ ior_hash_u64(pid);
}

static struct group *group_of(struct groups *gs, const char *name, int64_t pid)
{
	uint64_t h = key_hash(name, pid);
	size_t i = ior_hashmap_home(&gs->map, h);
	struct group *g;

	while ((g = ior_hashmap_next(&gs->map, h, &i)))
		if (g->pid == pid && !strcmp(g->name, name))
			return g;
	g = ior_xcalloc(1, sizeof(*g));
	g->name = ior_xstrdup(name);
	g->pid = pid;
	ior_hashmap_add(&gs->map, h, g);
	gs->g = ior_xgrow(gs->g, &gs->cap, gs->n + 1, sizeof(*gs->g));
	gs->g[gs->n++] = g;
	return g;
}

static struct group *find(const struct groups *gs, const struct group *like)
{
	uint64_t h = key_hash(like->name, like->pid);
	size_t i = ior_hashmap_home(&gs->map, h);
	struct group *g;

	while ((g = ior_hashmap_next(&gs->map, h, &i)))
		if (g->pid == like->pid && !strcmp(g->name, like->name))
			return g;
	return NULL;
}

void groups_add(struct groups *gs, const struct ior_rec *r,
		const struct call_stats *c)
{
	struct group *g;
	uint64_t rd, wr;

	if (gs->by == BY_FILE) {
		const char *p = rec_path(r);

		g = group_of(gs, p && *p ? p : NO_PATH, 0);
	} else {
		g = group_of(gs, r->comm, r->pid);
	}
	rec_bytes(c, r, &rd, &wr);
	g->count++;
	g->errors += r->ret < 0;
	g->rd += rd;
	g->wr += wr;
	g->sum += r->dur;
}

/* ---- sorting ---- */

static uint64_t sort_value(const struct group *g)
{
	if (!g)
		return 0;
	switch (opt.sort) {
	case SORT_COUNT:
		return g->count;
	case SORT_BYTES:
		return g->rd + g->wr;
	case SORT_TIME:
		return g->sum;
	case SORT_NAME:
		break;
	}
	return 0;
}

static int by_name(const struct group *a, const struct group *b)
{
	int d = strcmp(a->name, b->name);

	return d ? d : (a->pid > b->pid) - (a->pid < b->pid);
}

/* A pair of rows: one stream's (b NULL), or A's and B's. */
struct gpair {
	const struct group *a, *b;
};

static int by_key(const void *pa, const void *pb)
{
	const struct gpair *x = pa, *y = pb;
	uint64_t vx = sort_value(x->a), vy = sort_value(y->a);

	if (vx == vy) {
		vx = sort_value(x->b);
		vy = sort_value(y->b);
	}
	if (vx != vy)
		return vx < vy ? 1 : -1;	/* descending */
	return by_name(x->a ? x->a : x->b, y->a ? y->a : y->b);
}

/* ---- the tables ---- */

static const char *const head[] = {
	"PID", "COUNT", "ERRORS", "READ", "WRITTEN", "TIME",
};
static const char *const head_tab[] = {
	"pid", "count", "errors", "read_bytes", "written_bytes", "time_ns",
};
static const char *const cmp_head[] = {
	"PID", "COUNT-A", "COUNT-B", "READ-A", "READ-B", "WRITTEN-A",
	"WRITTEN-B", "TIME-A", "TIME-B", "DIFF",
};
static const char *const cmp_head_tab[] = {
	"pid", "count_a", "count_b", "read_a", "read_b", "written_a",
	"written_b", "time_a_ns", "time_b_ns", "differs",
};

/* Columns from the first: the PID column only by process. */
static int first_col(const struct groups *gs)
{
	return gs->by == BY_PROC ? 0 : 1;
}

static void head_row(struct row *r, const struct groups *gs, int cmp, int ncol)
{
	const char *const *h = cmp ? (opt.tab ? cmp_head_tab : cmp_head) :
		(opt.tab ? head_tab : head);

	if (gs->by == BY_FILE)
		r->name = opt.tab ? "file" : "FILE";
	else
		r->name = opt.tab ? "comm" : "COMM";
	for (int j = 0; j < ncol; j++)
		snprintf(r->cell[j], CELL, "%s", h[j + first_col(gs)]);
}

static void put_pid(char *dst, const struct group *g)
{
	snprintf(dst, CELL, "%lld", (long long)g->pid);
}

static void one_row(struct row *r, const struct groups *gs,
		    const struct group *g)
{
	char (*c)[CELL] = r->cell;

	r->name = g->name;
	if (gs->by == BY_PROC)
		put_pid(*c++, g);
	put_count(*c++, g->count);
	put_count(*c++, g->errors);
	put_bytes(*c++, g->rd);
	put_bytes(*c++, g->wr);
	put_ns(*c, g->sum);
}

static int differs(const struct group *a, const struct group *b)
{
	return !a || !b || a->count != b->count || a->rd != b->rd ||
	       a->wr != b->wr;
}

static void pair_row(struct row *r, const struct groups *gs,
		     const struct group *a, const struct group *b, int d)
{
	static const struct group none;
	char (*c)[CELL] = r->cell;

	r->name = (a ? a : b)->name;
	if (gs->by == BY_PROC)
		put_pid(*c++, a ? a : b);
	if (!a)
		a = &none;
	if (!b)
		b = &none;
	put_count(*c++, a->count);
	put_count(*c++, b->count);
	put_bytes(*c++, a->rd);
	put_bytes(*c++, b->rd);
	put_bytes(*c++, a->wr);
	put_bytes(*c++, b->wr);
	put_ns(*c++, a->sum);
	put_ns(*c++, b->sum);
	if (opt.tab)
		snprintf(*c, CELL, "%d", d);
	else
		snprintf(*c, CELL, "%s", d ? "*" : "");
}

static void sum_into(struct group *t, const struct group *g)
{
	if (!g)
		return;
	t->count += g->count;
	t->errors += g->errors;
	t->rd += g->rd;
	t->wr += g->wr;
	t->sum += g->sum;
}

/*
 * Print the rows of pairs p (n of them, sorted): the first -n, then the
 * TOTAL of all of them; a is NULL for one stream.
 */
static int print_pairs(const struct groups *gs, struct gpair *p, size_t n,
		       int cmp, struct ior_out *o)
{
	struct group ta = { .name = "TOTAL", .pid = -1 };
	struct group tb = ta;
	size_t shown = opt.top && opt.top < n ? opt.top : n;
	int ncol = (cmp ? 9 : 5) + (gs->by == BY_PROC), anydiff = 0, k = 0;
	struct row *rows = ior_xcalloc(shown + 2, sizeof(*rows));

	qsort(p, n, sizeof(*p), by_key);
	head_row(&rows[k++], gs, cmp, ncol);
	for (size_t i = 0; i < n; i++) {
		int d = cmp && differs(p[i].a, p[i].b);

		anydiff |= d;
		sum_into(&ta, p[i].a);
		sum_into(&tb, p[i].b);
		if (i >= shown)
			continue;
		if (cmp)
			pair_row(&rows[k++], gs, p[i].a, p[i].b, d);
		else
			one_row(&rows[k++], gs, p[i].a);
	}
	if (cmp)
		pair_row(&rows[k], gs, &ta, &tb, anydiff);
	else
		one_row(&rows[k], gs, &ta);
	if (gs->by == BY_PROC)
		snprintf(rows[k].cell[0], CELL, "-");
	k++;
	print_rows(o, rows, k, ncol, 0);
	if (shown < n && !opt.tab)
		ior_printf(o, "%zu more %s in TOTAL\n", n - shown,
			   gs->by == BY_FILE ? "files" : "processes");
	free(rows);
	return anydiff ? IOR_EXIT_NONE : IOR_EXIT_OK;
}

int groups_report(struct groups *gs, struct ior_out *o)
{
	struct gpair *p;
	int code;

	if (gs->n == 0) {
		ior_warnx("nothing to report: no operation records");
		return IOR_EXIT_NONE;
	}
	p = ior_xcalloc(gs->n, sizeof(*p));
	for (size_t i = 0; i < gs->n; i++)
		p[i].a = gs->g[i];
	code = print_pairs(gs, p, gs->n, 0, o);
	free(p);
	return code;
}

int groups_compare(struct groups *a, struct groups *b, struct ior_out *o)
{
	struct gpair *p;
	size_t n = 0;
	int code;

	if (a->n == 0 && b->n == 0) {
		ior_warnx("nothing to report: no operation records in either stream");
		return IOR_EXIT_NONE;
	}
	if (!opt.tab)
		ior_printf(o, "A: %s\nB: %s\n", opt.files[0], opt.files[1]);
	p = ior_xcalloc(a->n + b->n, sizeof(*p));
	for (size_t i = 0; i < a->n; i++)
		p[n++] = (struct gpair){ a->g[i], find(b, a->g[i]) };
	for (size_t i = 0; i < b->n; i++)
		if (!find(a, b->g[i]))
			p[n++] = (struct gpair){ NULL, b->g[i] };
	code = print_pairs(a, p, n, 1, o);
	free(p);
	return code;
}

void groups_free(struct groups *gs)
{
	for (size_t i = 0; i < gs->n; i++) {
		free(gs->g[i]->name);
		free(gs->g[i]);
	}
	free(gs->g);
	ior_hashmap_free(&gs->map);
	memset(gs, 0, sizeof(*gs));
}
