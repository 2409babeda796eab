/*
 * options.h - the command line, parsed by main.c before anything else
 * and only read after, by every replay process.
 */
#ifndef REPLAY_OPTIONS_H
#define REPLAY_OPTIONS_H

#include <stdint.h>

#include "cache.h"

struct options {
	const char *dir;	/* -C: the root */
	const char *file;	/* the program; NULL: standard input */
	int dry;		/* -n: load and check only */
	int timed;		/* -T: each op at its captured time */
	double speed;		/* -s: captured times are divided by it */
	double watchdog;	/* -W: seconds with no op done that are a
				   stall; 0: no watchdog */
	int verbose;		/* -v */
	int ignore_limits;	/* --ignore-limits: over them, go on (limits.h) */
	int privileged;		/* --privileged: setuid and setgid bits,
				   security.* and trusted.* xattrs */
	enum cache_mode cache;	/* --cache: the page cache at the start */
	uint64_t start_at;	/* --start-at: TIME 0, ns since the epoch;
				   0: as soon as it is ready */
	const char *host;	/* --host: the name the result stream gives
				   this host; NULL: its nodename */
};
extern struct options opt;

#endif
