/*
 * filter.h - the records ior-map keeps: PCRE2 expressions on paths
 * (-i, -x) and command names (-c, -X).
 */
#ifndef MAP_FILTER_H
#define MAP_FILTER_H

#define PCRE2_CODE_UNIT_WIDTH 8
#include <pcre2.h>

#include "ior.h"

struct recinfo;

/* A set of regular expressions: a value matches if any matches. */
struct filter {
	int opt;		/* its option: 'i', 'x', 'c' or 'X' */
	int n;
	pcre2_code **re;
	const char **pat;
};

/* The filters of the command line. */
struct filters {
	struct filter path_inc, path_exc;	/* -i, -x */
	struct filter comm_inc, comm_exc;	/* -c, -X */
	pcre2_match_data *md;
};

/* Add pattern pat of option -opt to f; a bad one exits IOR_EXIT_USAGE. */
void filter_add(struct filter *f, int opt, const char *pat);
/* Ready to match: after the last filter_add. */
void filters_ready(struct filters *fs);
void filters_free(struct filters *fs);

/* Whether a record of command comm (escaped) is kept. */
int comm_kept(const struct filters *fs, const struct ior_in *in,
	      const char *comm);
/*
 * Path filters apply to file records: those with a path or a descriptor.
 * A match that fails (PCRE2's match or depth limit, say) exits with
 * IOR_EXIT_USAGE, naming the pattern and the line: never taken for "no
 * match".
 */
int path_kept(const struct filters *fs, const struct ior_in *in,
	      const struct recinfo *ri);

#endif
