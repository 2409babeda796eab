/*
 * groups.h - operations summed by file (-r files) or by process and
 * command (-r procs): a row per distinct path, or per PID and COMM, so
 * memory is bounded by the distinct files or processes of the stream,
 * never by its length.
 */
#ifndef STATS_GROUPS_H
#define STATS_GROUPS_H

#include <stddef.h>
#include <stdint.h>

#include "ior.h"

struct call_stats;

enum group_by { BY_FILE, BY_PROC };

struct group {
	char *name;		/* the path, or COMM: escaped as in the stream */
	int64_t pid;		/* BY_PROC */
	uint64_t count, errors, rd, wr, sum;
};

struct groups {
	enum group_by by;
	struct ior_hashmap map;
	struct group **g;	/* in the order first seen */
	size_t n, cap;
};

/*
 * The path a record acts on: file= (the descriptor's, as ior-map adds
 * it to every record with fd=), else path=; NULL when it has neither.
 */
const char *rec_path(const struct ior_rec *r);
/* Count operation r of call c in its row of gs. */
void groups_add(struct groups *gs, const struct ior_rec *r,
		const struct call_stats *c);
/* The table of gs; the exit status. */
int groups_report(struct groups *gs, struct ior_out *o);
/* The tables of a and b side by side; IOR_EXIT_NONE when a row differs. */
int groups_compare(struct groups *a, struct groups *b, struct ior_out *o);
void groups_free(struct groups *gs);

#endif
