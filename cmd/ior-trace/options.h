/*
 * options.h - ior-trace's command line, in one structure, and the
 * choice of the processes it traces: by pid with their descendants, by
 * comm, a command it launches, or all but its own pipeline.
 */
#ifndef IOR_TRACE_OPTIONS_H
#define IOR_TRACE_OPTIONS_H

#include <regex.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "ior.h"

/* A set of pids, grown as needed: bounded by the processes on the host. */
struct pidset {
	int *v;
	size_t n, cap;
};

/* The longest -d, in seconds: 365 days. */
#define DURATION_MAX 31536000

struct trace_opts {
	const char *output;	/* -o FILE; NULL: stdout */
	struct pidset pids;	/* -p PID ..., then the processes chosen */
	struct pidset skip;	/* never chosen: other captures, readers */
	bool comm_mode;		/* -c REGEX */
	regex_t comm_re;
	uint64_t duration_ns;	/* -d SECONDS; 0: until stopped */
	char **cmd;		/* -- COMMAND ARG ...; NULL: none */
	bool trace_all;		/* none of the above: system-wide */
	const char *host;	/* --host NAME: the header's host=; NULL:
				   the node name */

	bool selected;		/* -e given: only the calls of traced */
	uint8_t traced[IOR_NCALLS];	/* -e, by row: 1 captured */
	uint32_t sample[IOR_NCALLS];	/* --sample, by row: 1 in N written;
					   0: every call, not counted */
	uint64_t agg_ns;	/* -a SECONDS: counted, not written; 0: off */
};

/* The longest -a interval, in seconds: a day. */
#define AGG_MAX 86400

/* Parse argv into o; exits with usage on a bad command line. */
void opts_parse(struct trace_opts *o, int argc, char **argv);
void opts_free(struct trace_opts *o);
/* A bad value of option opt: one line, the value escaped; exits 2. */
_Noreturn void opts_bad_value(const char *opt, const char *what,
			      const char *arg, const char *want);
/* Whether s is digits only, and not empty: no sign, space or base. */
bool opts_digits(const char *s);
/* select.c: -e and --sample, into o's traced and sample. */
void select_parse(struct trace_opts *o, const char *arg);
void sample_parse(struct trace_opts *o, const char *arg);

bool pidset_has(const struct pidset *s, int pid);
bool pidset_add(struct pidset *s, int pid);
void pidset_del(struct pidset *s, int pid);
/* Remove from s every pid of out. */
void pidset_del_all(struct pidset *s, const struct pidset *out);
/*
 * Add to o->pids the processes whose comm matches -c's regex, then the
 * descendants of those it has, until no more are found: neither
 * ior-trace itself nor those of skip (other captures), nor, through
 * them, their children.
 */
void add_comm_matches(struct trace_opts *o, const struct pidset *skip);
/* The same for the descendants of the processes of s only. */
void add_descendants(struct pidset *s, const struct pidset *skip);
/*
 * ior-trace and the processes joined to it by pipes on stdin and stdout,
 * transitively: the whole shell pipeline, whatever its length.
 */
void find_pipeline(struct pidset *procs);
/*
 * Add to s the other ior-trace processes: other captures, which this one
 * leaves out (as they leave it out), lest each trace the other's calls.
 * Not child, the command ior-trace started (named ior-trace until its
 * exec).
 */
void find_tracers(struct pidset *s, int child);
/*
 * Add to s the processes that read ior-trace's standard output, a pipe,
 * and those that read theirs, transitively: the stages after it in its
 * pipeline, whose reads of the trace would make events. Not child.
 */
void find_readers(struct pidset *s, int child);
/* Whether comm (at most IOR_COMM_LEN bytes) matches -c's regex. */
bool comm_matches(const struct trace_opts *o, const char *comm);

#endif
