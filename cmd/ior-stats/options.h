/* options.h - what the command line of ior-stats asks, for every file. */
#ifndef STATS_OPTIONS_H
#define STATS_OPTIONS_H

#include <stdint.h>

enum sort_key { SORT_TIME, SORT_COUNT, SORT_BYTES, SORT_NAME };

/*
 * Tables to print (-r): the depth table by default only when there are
 * requests; the others one at a time.
 */
enum {
	SHOW_CALLS = 1, SHOW_DEPTH = 2, SHOW_FILES = 4, SHOW_PROCS = 8,
	SHOW_TIME = 16, SHOW_HIST = 32, SHOW_FLAME = 64,
};

/* What a flame graph's frames weigh (-W). */
enum weight { WEIGHT_CALLS, WEIGHT_TIME, WEIGHT_BYTES };

struct options {
	int tab;		/* -t: tab-separated, exact integers */
	enum sort_key sort;	/* -s */
	int show;		/* -r: SHOW_* */
	/* -i: the depth and time tables' row length; 0: chosen to fit */
	uint64_t interval;
	uint64_t top;		/* -n: rows of the file and process tables; 0: all */
	enum weight weight;	/* -W */
	int svg;		/* --svg: the flame graph drawn, not its stacks */
	uint64_t live;		/* -w: ns between redraws; 0: one table at the end */
	int comparing;		/* --compare */
	char **files;
	int nfiles;
};

/* Set once by main, read by the rest. */
extern struct options opt;

#endif
