/* table.c - cells and rows of ior-stats' tables (table.h). */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "ior.h"
#include "options.h"
#include "table.h"

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

void put_ns(char *dst, double ns)
{
	if (opt.tab)
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

void put_bytes(char *dst, uint64_t n)
{
	static const char *const unit[] = { "KiB", "MiB", "GiB", "TiB", "PiB", "EiB" };
	double v = n;
	int u = -1;

	if (opt.tab) {
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

void put_count(char *dst, uint64_t n)
{
	snprintf(dst, CELL, "%llu", (unsigned long long)n);
}

/* table_column(): the first column's value, and whether to write a head. */
static const char *column;
static int column_head;

void table_column(const char *value, int head)
{
	column = value;
	column_head = head;
}

void print_rows(struct ior_out *o, const struct row *rows, int nrows,
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

		if (opt.tab && column) {
			if (i == 0 && !column_head)
				continue;
			ior_puts(o, i == 0 ? "host" : column);
			ior_putc(o, '\t');
		}
		if (opt.tab) {
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
