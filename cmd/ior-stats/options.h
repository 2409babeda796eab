/* options.h - what the command line of ior-stats asks, for every file. */
#ifndef STATS_OPTIONS_H
#define STATS_OPTIONS_H

#include <stdint.h>

enum sort_key { SORT_TIME, SORT_COUNT, SORT_BYTES, SORT_NAME };

/* Tables to print: the depth table by default only when there are requests. */
enum { SHOW_CALLS = 1, SHOW_DEPTH = 2 };

struct options {
	int tab;		/* -t: tab-separated, exact integers */
	enum sort_key sort;	/* -s */
	int show;		/* -r: SHOW_* */
	/* -i: the depth table's row length; 0: steps of 10^k ns, rows
	   chosen to fit */
	uint64_t interval;
	int comparing;		/* --compare */
	char **files;
	int nfiles;
};

/* Set once by main, read by the rest. */
extern struct options opt;

#endif
