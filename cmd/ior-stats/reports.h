/*
 * reports.h - the tables that look at each operation as it is read: by
 * file, by process, by time (groups.h, timeline.h) and the flame graph
 * (flame.h); and the per-call histograms (hist.h).
 */
#ifndef STATS_REPORTS_H
#define STATS_REPORTS_H

#include "ior.h"
#include "options.h"

struct stats;

/* The tables printed by reports_print(), not by main's. */
#define SHOW_REPORTS (SHOW_FILES | SHOW_PROCS | SHOW_TIME | SHOW_HIST | SHOW_FLAME)

/* Have st keep what opt.show asks of each of its operations. */
void reports_attach(struct stats *st);
/* The table opt.show asks of a, or of a and b side by side; the exit status. */
int reports_print(struct stats *a, struct stats *b, struct ior_out *o);
void reports_free(struct stats *st);

/* live.c: read one input, drawing the table every opt.live ns; the status. */
int live_run(struct stats *st, const char *path, struct ior_out *o);

#endif
