/*
 * table.h - the cells of ior-stats' tables, in human units or, with -t,
 * exact integers, and the rows printed aligned or tab-separated.
 */
#ifndef STATS_TABLE_H
#define STATS_TABLE_H

#include <stdint.h>

#include "ior.h"

#define CELL 32
#define NCOL_MAX 16

struct row {
	const char *name;
	char cell[NCOL_MAX][CELL];
	char label[CELL];	/* the name, when made for the row */
};

/* A time in ns, a byte count, a count. */
void put_ns(char *dst, double ns);
void put_bytes(char *dst, uint64_t n);
void put_count(char *dst, uint64_t n);
/*
 * Print rows: tab-separated with -t, else aligned in columns, the name
 * left-aligned (or right-aligned) and the rest right-aligned.
 */
void print_rows(struct ior_out *o, const struct row *rows, int nrows,
		int ncol, int name_right);
/*
 * With -t, rows of several hosts in one table (hosts.c): each row that
 * print_rows() writes from now on starts with the column value, and its
 * first row, the head, with "host" when head is set, or is left out when
 * not. NULL: no such column.
 */
void table_column(const char *value, int head);

#endif
