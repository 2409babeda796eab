/*
 * flame.h - collapsed stacks (-r flame): "PROCESS;CALL;DIRECTORY;FILE
 * WEIGHT" per distinct stack, the input of FlameGraph's flamegraph.pl
 * and of svg.c. Memory is bounded by the distinct stacks (processes,
 * calls and files), never by the stream's length.
 */
#ifndef STATS_FLAME_H
#define STATS_FLAME_H

#include <stddef.h>
#include <stdint.h>

#include "ior.h"

struct call_stats;

struct stack {
	char *frames;		/* frames joined by ';' */
	uint64_t weight;
};

struct flame {
	struct ior_hashmap map;
	struct stack **s;
	size_t n, cap;
};

void flame_add(struct flame *f, const struct ior_rec *r,
	       const struct call_stats *c);
/* The stacks of f, or with --svg the flame graph drawn; the exit status. */
int flame_report(struct flame *f, struct ior_out *o);
void flame_free(struct flame *f);

/* svg.c: the flame graph of n stacks sorted by their frames, as SVG. */
void svg_write(struct ior_out *o, struct stack *const *s, size_t n);

#endif
