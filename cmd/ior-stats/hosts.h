/*
 * hosts.h - several streams of several hosts (captures on many machines,
 * replays from many clients): the per-call table of each host, then of
 * all of them.
 */
#ifndef STATS_HOSTS_H
#define STATS_HOSTS_H

#include "ior.h"

struct stats;

/*
 * Read the n files, each into the stats of its host (ior-format(5)), the
 * first host's into first. Returns first when they all had one host (or
 * none): its tables are those of one stream. Else NULL: hosts_report().
 */
struct stats *hosts_read(struct stats *first, char **files, int n);
/* The tables of each host, then of all; the exit status. */
int hosts_report(struct ior_out *o);
/* Free what hosts_read() made. */
void hosts_free(void);

#endif
