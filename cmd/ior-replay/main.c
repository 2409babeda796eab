/*
 * ior-replay - run a replay program beneath a root directory and write
 * the result stream.
 *
 * The whole program is parsed and checked first; nothing runs unless all
 * of it is valid. Then one process is forked per captured process and one
 * thread started per captured thread: initial processes by the master,
 * the others at their sched:fork. Each thread issues its operations in
 * order, as fast as it can or (-T) each at its captured time; an
 * operation with after=M[,N...] first waits until each one it names is done.
 * Done-flags and results live in a shared anonymous mapping, waited on
 * with futexes, so they are seen across processes. The program is
 * streamed through a window of ops (window.h), but one whose ties no
 * window holds, held whole: the master fills it as the replay goes, and sets each
 * result aside in program order as soon as the op and those before it
 * are done; the lines are written once the replay ended (results.h).
 *
 * Every path is resolved beneath the root (root.h): nothing outside it
 * can be reached, whatever the program says.
 *
 * The files, by concern (each .c with its .h):
 *	main.c		the command line (options.h) and the run, in order
 *	load.c		loading the program (program.h): calls, arguments
 *	load-async.c	... AIO and io_uring records and their ties (load.h)
 *	load-uring.c	... io_uring's ties and queue depths, streamed
 *	shared.c	the state every replay process sees: results
 *	window.c	the window of ops: the spool, filling, waiting
 *	spool.c		files in $TMPDIR written, then read back in order
 *	order.c		after= waits, and timed deadlines
 *	fdtab.c		descriptor tables: vfd -> the replay's descriptor
 *	issue.c		one op: its kind's handler
 *	paths.c		the calls on paths beneath the root
 *	fdops.c		the calls on descriptors, and copies
 *	mappings.c	memory mappings and file handles
 *	aio.c		Linux AIO
 *	uring.c		io_uring
 *	task.c		processes and threads
 *	limits.c	the program against the machine, before it runs
 *	cache.c		the page cache of the tree, before it runs
 *	start.c		--start-at: waiting for a wall-clock TIME 0
 *	storage.c	the root's block device, before and after
 *	spawn.c		... forked by a single-threaded process only
 *	signals.c	stopping a replay: signals, failures, the replay's group
 *	watchdog.c	... and when it has stalled
 *	buffers.c	what writes write, and buffers
 *	results.c	the result stream
 * State by lifetime: struct loader (the master's, while loading); struct
 * program and struct options (made by the master, read by all); struct
 * shared (one mapping seen by every process); struct process_maps,
 * process_aio and process_rings (one each per replay process); struct
 * thread_state and thread_fds (one per thread).
 */
#define _GNU_SOURCE
#include <getopt.h>
#include <malloc.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "ior.h"
#include "cache.h"
#include "limits.h"
#include "options.h"
#include "order.h"
#include "paths.h"
#include "program.h"
#include "results.h"
#include "signals.h"
#include "start.h"
#include "storage.h"
#include "task.h"
#include "window.h"

struct options opt = { .speed = 1, .watchdog = 30 };

static void usage(FILE *f, int code)
{
	fprintf(f, "usage: %s -C DIR [-nTv] [-s FACTOR] [-W SECONDS] [--cache cold|cold-all|warm] [--ignore-limits] [--privileged] [--start-at TIME] [--host NAME] [FILE]\n",
		ior_progname());
	exit(code);
}

/* The options that have no short form. */
enum { OPT_IGNORE_LIMITS = 256, OPT_CACHE, OPT_START_AT, OPT_HOST };

/*
 * --start-at TIME: refused when TIME has passed already, since replays
 * meant to start together could then not (a TIME that passes while the
 * program loads is only late: start_wait()).
 */
static void parse_start_at(const char *arg)
{
	uint64_t now = wall_now_ns();

	if (start_at_parse(arg, &opt.start_at) < 0 || opt.start_at == 0) {
		ior_warnx("--start-at: bad time: %s (seconds since the epoch, or HH:MM:SS[.frac] today)",
			  arg);
		usage(stderr, IOR_EXIT_USAGE);
	}
	if (opt.start_at <= now) {
		ior_warnx("--start-at: %s is %.3f s in the past", arg,
			  (now - opt.start_at) / 1e9);
		usage(stderr, IOR_EXIT_USAGE);
	}
}

/* The command line, into opt; a bad one exits with usage. */
static void parse_options(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "directory", required_argument, NULL, 'C' },
		{ "dry-run", no_argument, NULL, 'n' },
		{ "speed", required_argument, NULL, 's' },
		{ "timed", no_argument, NULL, 'T' },
		{ "verbose", no_argument, NULL, 'v' },
		{ "ignore-limits", no_argument, NULL, OPT_IGNORE_LIMITS },
		{ "cache", required_argument, NULL, OPT_CACHE },
		{ "privileged", no_argument, NULL, 'P' },
		{ "watchdog", required_argument, NULL, 'W' },
		{ "start-at", required_argument, NULL, OPT_START_AT },
		{ "host", required_argument, NULL, OPT_HOST },
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, 'V' },
		{ NULL, 0, NULL, 0 },
	};
	char *end;
	int c;

	while ((c = getopt_long(argc, argv, "C:ns:TvW:h", longopts, NULL)) != -1) {
		switch (c) {
		case 'C':
			opt.dir = optarg;
			break;
		case 'n':
			opt.dry = 1;
			break;
		case 's':
			opt.speed = strtod(optarg, &end);
			if (end == optarg || *end || !(opt.speed > 0 && isfinite(opt.speed))) {
				ior_warnx("bad speed: %s (a positive number)", optarg);
				usage(stderr, IOR_EXIT_USAGE);
			}
			opt.timed = 1;
			break;
		case 'T':
			opt.timed = 1;
			break;
		case 'v':
			opt.verbose = 1;
			break;
		case OPT_IGNORE_LIMITS:
			opt.ignore_limits = 1;
			break;
		case 'P':
			opt.privileged = 1;
			break;
		case OPT_CACHE:
			if (cache_parse(optarg, &opt.cache) < 0) {
				ior_warnx("--cache: expected cold, cold-all or warm: %s",
					  optarg);
				usage(stderr, IOR_EXIT_USAGE);
			}
			break;
		case 'W':
			opt.watchdog = strtod(optarg, &end);
			if (end == optarg || *end ||
			    !(opt.watchdog >= 0 && opt.watchdog <= 1e9)) {
				ior_warnx("bad watchdog: %s (seconds, 0 for none)", optarg);
				usage(stderr, IOR_EXIT_USAGE);
			}
			break;
		case OPT_START_AT:
			parse_start_at(optarg);
			break;
		case OPT_HOST:
			if (!*optarg) {
				ior_warnx("--host: an empty name");
				usage(stderr, IOR_EXIT_USAGE);
			}
			opt.host = optarg;
			break;
		case 'h':
			usage(stdout, IOR_EXIT_OK);
			break;
		case 'V':
			ior_version();
		default:
			usage(stderr, IOR_EXIT_USAGE);
		}
	}
	if (!opt.dir || !*opt.dir || argc - optind > 1) {
		if (!opt.dir || !*opt.dir)
			ior_warnx("-C DIR is required");
		usage(stderr, IOR_EXIT_USAGE);
	}
	opt.file = optind < argc ? argv[optind] : NULL;
	/* What it restores is root's to give (ior-replay(1)). */
	if (opt.privileged && geteuid() != 0) {
		ior_warnx("--privileged: only root may set setuid and setgid bits and security or trusted attributes");
		usage(stderr, IOR_EXIT_USAGE);
	}
	if (opt.cache == CACHE_COLD_ALL && geteuid() != 0) {
		ior_warnx("--cache cold-all: only root may drop the whole page cache (--cache cold drops the tree's files)");
		usage(stderr, IOR_EXIT_USAGE);
	}
}

/*
 * glibc's malloc, making a ninth arena (a new thread's), counts the CPUs
 * by opening /sys/devices/system/cpu/online unless M_ARENA_MAX is set:
 * in a replay thread, that descriptor would take the lowest free number
 * for a moment, and an open of another thread a higher one than the
 * program's order gives it, in some runs only. The limit glibc would
 * set, set here, before any replay process exists.
 */
static void limit_arenas(void)
{
	long n = sysconf(_SC_NPROCESSORS_ONLN);

	mallopt(M_ARENA_MAX, (int)(n > 0 ? n : 2) * (sizeof(long) == 4 ? 2 : 8));
}

int main(int argc, char **argv)
{
	uint64_t lead = 0, wall_ns, start, t0;
	int e, diverged, status;

	ior_setprogname(argv[0]);
	parse_options(argc, argv);
	window_option();
	if ((e = ior_root_open(&root, opt.dir, 0)) < 0)
		ior_errx(IOR_EXIT_SYS, "%s: %s (run ior-init first)", opt.dir,
			 strerror(-e));

	/* All of the program is checked before any of it runs. */
	load_program(opt.file);
	if (opt.verbose)
		ior_warnx("%u ops, %u threads, %u initial processes; %s %u ops",
			  prog.nops, prog.nthreads, prog.ninitial,
			  prog.streamed ? "a window of" : "held whole:",
			  prog.streamed ? prog.wmask + 1 : prog.nops);
	check_limits();
	if (opt.dry)
		goto out;

	/* Modes are the captured ones, whatever the caller's umask. */
	umask(0);
	limit_arenas();
	cache_prepare();
	replay_setup();
	results_prepare();
	/*
	 * The window's first ops, loaded before TIME 0 is chosen: a window
	 * takes about 2 us an op to fill (170 ms for 87,000 ops of an
	 * InnoDB capture), and timed, or at --start-at, every op would
	 * start that late.
	 */
	window_feed();
	/*
	 * Timed, or at --start-at: TIME 0 once the initial processes have
	 * had time to start.
	 */
	if (opt.timed || opt.start_at)
		lead = START_LEAD + (uint64_t)prog.ninitial * FORK_LEAD;
	if (opt.start_at) {
		t0 = start_wait(opt.start_at, lead, &start);
	} else {
		start = wall_now_ns() + lead;
		t0 = now_ns() + lead;
	}
	/* A stop signal before --start-at: every op is written stopped. */
	sh->t0 = t0;
	storage_note(STORAGE_START);
	results_begin(start);
	wall_ns = stopped() ? 0 : replay(t0);
	storage_note(STORAGE_END);
	diverged = results_end(wall_ns, start);
	ior_root_close(&root);
	/* Stopped early (signals.h): by its signal, or with its status. */
	status = stop_status();
	if (status == IOR_EXIT_OK && diverged)
		status = IOR_EXIT_NONE;
	return status;
out:
	ior_root_close(&root);
	return IOR_EXIT_OK;
}
