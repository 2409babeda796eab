/*
 * agg.h - what the programs count rather than write: aggregate mode's
 * agg: records (-a) and sampling's exact totals (--sample).
 */
#ifndef IOR_TRACE_AGG_H
#define IOR_TRACE_AGG_H

#include <stdbool.h>
#include <stdint.h>

#include <linux/types.h>

#include "ior-trace.h"

struct trace_opts;

/* Index the table by number; the first interval starts at t0 (ns). */
void agg_init(uint64_t t0);
/*
 * -a: end the interval at now (CLOCK_MONOTONIC ns) and write an agg:
 * record per process and call it counted; last: the programs are
 * detached, nothing more comes.
 */
void agg_drain(uint64_t now, bool last);
/* --sample: " sample=CALL:N,..." for the #meta line. */
void put_sample_meta(const struct trace_opts *o);
/* --sample: the #sample lines of the trailer. */
void put_sample_totals(const struct trace_opts *o);

#endif
