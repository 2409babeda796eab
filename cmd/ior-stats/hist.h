/*
 * hist.h - the log2 latency histogram of each call (-r hist), drawn in
 * the terminal as bcc's biolatency draws its own.
 */
#ifndef STATS_HIST_H
#define STATS_HIST_H

#include "ior.h"

struct stats;

/* The histograms of a, or of a and b side by side (b not NULL). */
int hist_report(struct stats *a, struct stats *b, struct ior_out *o);

#endif
