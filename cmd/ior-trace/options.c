/*
 * options.c - ior-trace's command line, and the choice of the processes
 * it traces, read in /proc.
 */
#define _GNU_SOURCE
#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <linux/types.h>

#include "ior.h"
#include "ior-trace.h"
#include "options.h"
#include "procfs.h"

#define USAGE "usage: %s [-o FILE] [-p PID] [-c REGEX] [-d SECONDS] " \
	"[-e [trace=][!]CALLS] [-a SECONDS] [--sample CALL=N[,CALL=N ...]] " \
	"[--host NAME] [-- COMMAND [ARG ...]]\n"

static void usage(FILE *f, int code)
{
	fprintf(f, USAGE, ior_progname());
	exit(code);
}

/* -h: the usage line, then every option. */
static void help(void)
{
	printf(USAGE
	       "  -o, --output FILE      write the trace to FILE, not stdout\n"
	       "  -p, --pid PID          trace process PID and its descendants"
	       " (repeatable)\n"
	       "  -c, --comm REGEX       trace the processes whose command name"
	       " matches\n"
	       "  -d, --duration SECONDS stop after SECONDS\n"
	       "  -e, --trace [trace=][!]CALLS\n"
	       "                         capture only these calls, names or"
	       " families (files,\n"
	       "                         metadata, aio, uring, process; %%NAME"
	       " too), comma-\n"
	       "                         separated; '!': all but these\n"
	       "  -a, --aggregate SECONDS\n"
	       "                         count calls in the kernel, per call"
	       " and process, and\n"
	       "                         write agg: records every SECONDS and"
	       " at the end,\n"
	       "                         not one record per call\n"
	       "      --sample CALL=N[,CALL=N ...]\n"
	       "                         write one in N of these calls (names or"
	       " families),\n"
	       "                         and their exact totals in the"
	       " trailer\n"
	       "      --host NAME        the capture's host in the header, not"
	       " the node name\n"
	       "  -- COMMAND [ARG ...]   launch COMMAND and trace it from its"
	       " exec\n"
	       "  -h, --help             print this help\n"
	       "  -V, --version          print the version\n"
	       "With no -p, -c or COMMAND: every process but this pipeline.\n",
	       ior_progname());
	exit(0);
}

/*
 * A bad value of option opt: one line, the value escaped (and cut at 64
 * bytes) so that it cannot break the line or the terminal.
 */
_Noreturn void opts_bad_value(const char *opt, const char *what,
			      const char *arg, const char *want)
{
	char esc[4 * 64 + 1];
	size_t n = strnlen(arg, 65);

	ior_escape(esc, arg, n > 64 ? 64 : n);
	ior_errx(IOR_EXIT_USAGE, "%s: bad %s: '%s'%s (%s)", opt, what, esc,
		 n > 64 ? "..." : "", want);
}

bool opts_digits(const char *s)
{
	if (!*s)
		return false;
	for (; *s; s++)
		if (!isdigit((unsigned char)*s))
			return false;
	return true;
}

static void parse_pid(struct trace_opts *o, const char *arg)
{
	long v;

	errno = 0;
	v = opts_digits(arg) ? strtol(arg, NULL, 10) : -1;
	if (errno || v <= 0 || v > INT_MAX)
		opts_bad_value("-p", "pid", arg, "a process id, from 1 to 2147483647");
	pidset_add(&o->pids, v);
}

/*
 * Seconds written in decimal: digits with an optional fraction, then an
 * optional exponent. No sign, space, hexadecimal, inf or nan, which
 * strtod would take.
 */
static bool decimal_syntax(const char *s)
{
	size_t digits = 0;

	for (; isdigit((unsigned char)*s); s++)
		digits++;
	if (*s == '.')
		for (s++; isdigit((unsigned char)*s); s++)
			digits++;
	if (!digits)
		return false;
	if (*s == 'e' || *s == 'E') {
		s++;
		if (*s == '+' || *s == '-')
			s++;
		return opts_digits(s);
	}
	return !*s;
}

/*
 * -d: finite, above 0 and at most DURATION_MAX seconds, so that the
 * deadline (now plus the duration, in nanoseconds) cannot overflow.
 * A duration below a nanosecond is one.
 */
static void parse_duration(struct trace_opts *o, const char *arg)
{
	char want[64];
	double v = 0;

	errno = 0;
	if (decimal_syntax(arg))
		v = strtod(arg, NULL);
	if (errno || !isfinite(v) || !(v > 0) || v > DURATION_MAX) {
		snprintf(want, sizeof(want), "seconds, above 0 and at most %d",
			 DURATION_MAX);
		opts_bad_value("-d", "duration", arg, want);
	}
	o->duration_ns = v * 1e9;
	if (o->duration_ns == 0)
		o->duration_ns = 1;
}

/*
 * -a: the interval of the aggregates, from a millisecond (each drain
 * reads the maps: more often costs the machine more than it tells) to
 * AGG_MAX seconds.
 */
static void parse_aggregate(struct trace_opts *o, const char *arg)
{
	char want[64];
	double v = 0;

	errno = 0;
	if (decimal_syntax(arg))
		v = strtod(arg, NULL);
	if (errno || !isfinite(v) || !(v >= 0.001) || v > AGG_MAX) {
		snprintf(want, sizeof(want), "seconds, from 0.001 to %d",
			 AGG_MAX);
		opts_bad_value("-a", "interval", arg, want);
	}
	o->agg_ns = v * 1e9;
}

static void parse_comm(struct trace_opts *o, const char *arg)
{
	char msg[256];
	int err;

	if (o->comm_mode)
		usage(stderr, IOR_EXIT_USAGE);
	if ((err = regcomp(&o->comm_re, arg, REG_EXTENDED | REG_NOSUB))) {
		regerror(err, &o->comm_re, msg, sizeof(msg));
		ior_warnx("bad regex %s: %s", arg, msg);
		usage(stderr, IOR_EXIT_USAGE);
	}
	o->comm_mode = true;
}

void opts_parse(struct trace_opts *o, int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "output", required_argument, NULL, 'o' },
		{ "pid", required_argument, NULL, 'p' },
		{ "comm", required_argument, NULL, 'c' },
		{ "duration", required_argument, NULL, 'd' },
		{ "host", required_argument, NULL, 'H' },
		{ "trace", required_argument, NULL, 'e' },
		{ "aggregate", required_argument, NULL, 'a' },
		{ "sample", required_argument, NULL, 'S' },
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, 'V' },
		{ NULL, 0, NULL, 0 },
	};
	bool sampled = false;
	int ch;

	memset(o->traced, 1, sizeof(o->traced));
	while ((ch = getopt_long(argc, argv, "+o:p:c:d:e:a:hV", longopts,
				 NULL)) != -1) {
		switch (ch) {
		case 'o':
			o->output = optarg;
			break;
		case 'p':
			parse_pid(o, optarg);
			break;
		case 'c':
			parse_comm(o, optarg);
			break;
		case 'd':
			parse_duration(o, optarg);
			break;
		case 'H':
			/* a capture on a host whose node name says little */
			if (!*optarg)
				ior_errx(IOR_EXIT_USAGE, "--host: an empty name");
			o->host = optarg;
			break;
		case 'e':
			select_parse(o, optarg);
			break;
		case 'a':
			parse_aggregate(o, optarg);
			break;
		case 'S':
			sample_parse(o, optarg);
			sampled = true;
			break;
		case 'h':
			help();
			break;
		case 'V':
			ior_version();
		default:
			usage(stderr, IOR_EXIT_USAGE);
		}
	}
	if (sampled && o->agg_ns) {
		ior_warnx("-a and --sample exclude each other: an aggregate "
			  "writes no call");
		usage(stderr, IOR_EXIT_USAGE);
	}
	for (size_t i = 0; i < o->pids.n; i++) {
		char path[64];

		snprintf(path, sizeof(path), "/proc/%d", o->pids.v[i]);
		if (o->pids.v[i] == getpid() || access(path, F_OK) < 0)
			ior_errx(IOR_EXIT_SYS, "no such process: %d",
				 o->pids.v[i]);
	}
	o->cmd = optind < argc ? argv + optind : NULL;
	o->trace_all = o->pids.n == 0 && !o->comm_mode && !o->cmd;
}

void opts_free(struct trace_opts *o)
{
	free(o->pids.v);
	free(o->skip.v);
	if (o->comm_mode)
		regfree(&o->comm_re);
}

bool pidset_has(const struct pidset *s, int pid)
{
	for (size_t i = 0; i < s->n; i++)
		if (s->v[i] == pid)
			return true;
	return false;
}

bool pidset_add(struct pidset *s, int pid)
{
	if (pidset_has(s, pid))
		return false;
	s->v = ior_xgrow(s->v, &s->cap, s->n + 1, sizeof(*s->v));
	s->v[s->n++] = pid;
	return true;
}

void pidset_del(struct pidset *s, int pid)
{
	for (size_t i = 0; i < s->n; i++)
		if (s->v[i] == pid) {
			s->v[i] = s->v[--s->n];
			return;
		}
}

void pidset_del_all(struct pidset *s, const struct pidset *out)
{
	for (size_t i = 0; i < out->n; i++)
		pidset_del(s, out->v[i]);
}

/* Call fn for every process in /proc. */
static void for_each_process(void (*fn)(int pid, void *arg), void *arg)
{
	DIR *dir = opendir("/proc");
	struct dirent *d;

	if (!dir)
		ior_err(IOR_EXIT_SYS, "/proc");
	while ((d = readdir(dir)))
		if (d->d_name[0] >= '1' && d->d_name[0] <= '9')
			fn(atoi(d->d_name), arg);
	closedir(dir);
}

static int parent_of(int pid)
{
	char path[64], line[1024], *p;
	int ppid;

	snprintf(path, sizeof(path), "/proc/%d/stat", pid);
	if (read_file_line(path, line, sizeof(line)) < 0)
		return -1;
	/* comm may hold spaces and parentheses: skip to the last ')' */
	if (!(p = strrchr(line, ')')) || sscanf(p + 1, " %*c %d", &ppid) != 1)
		return -1;
	return ppid;
}

/* ior-trace's own pid, read once. */
static int self_pid(void)
{
	static int pid;

	if (!pid)
		pid = getpid();
	return pid;
}

/*
 * A walk over the processes: the set it grows, the pids it skips, and
 * for -c, the options with the regex.
 */
struct descent {
	struct pidset *s;
	const struct pidset *skip;
	const struct trace_opts *o;
};

static void add_if_child(int pid, void *arg)
{
	struct descent *d = arg;
	int ppid;

	if (pid == self_pid() || pidset_has(d->skip, pid))
		return;
	ppid = parent_of(pid);
	if (ppid > 0 && pidset_has(d->s, ppid))
		pidset_add(d->s, pid);
}

void add_descendants(struct pidset *s, const struct pidset *skip)
{
	struct descent d = { s, skip, NULL };
	size_t n;

	pidset_del(s, self_pid());
	pidset_del_all(s, skip);
	do {
		n = s->n;
		for_each_process(add_if_child, &d);
	} while (s->n != n);
}

bool comm_matches(const struct trace_opts *o, const char *comm)
{
	return regexec(&o->comm_re, comm, 0, NULL, 0) == 0;
}

static void add_if_comm(int pid, void *arg)
{
	struct descent *d = arg;
	char comm[IOR_COMM_LEN + 8];

	if (pid != self_pid() && !pidset_has(d->skip, pid) &&
	    read_comm(pid, comm, sizeof(comm)) == 0 && comm_matches(d->o, comm))
		pidset_add(d->s, pid);
}

static void add_if_tracer(int pid, void *arg)
{
	struct descent *d = arg;
	char comm[IOR_COMM_LEN + 8];

	if (pid != self_pid() && !pidset_has(d->skip, pid) &&
	    read_comm(pid, comm, sizeof(comm)) == 0 &&
	    !strcmp(comm, "ior-trace"))
		pidset_add(d->s, pid);
}

void find_tracers(struct pidset *s, int child)
{
	struct pidset skip = { &child, 1, 1 };
	struct descent d = { s, &skip, NULL };

	for_each_process(add_if_tracer, &d);
}

void add_comm_matches(struct trace_opts *o, const struct pidset *skip)
{
	struct descent d = { &o->pids, skip, o };

	if (o->comm_mode)
		for_each_process(add_if_comm, &d);
	add_descendants(&o->pids, skip);
}

/* The pipeline: processes and the pipes on their stdin and stdout. */
struct pipeline {
	struct pidset procs;
	struct pidset pipes;	/* inode numbers (fit an int on pipefs) */
};

/* The inode of the pipe on descriptor fd of pid, or 0. */
static unsigned pipe_of(int pid, int fd)
{
	char path[64], target[64];
	unsigned ino;
	ssize_t n;

	snprintf(path, sizeof(path), "/proc/%d/fd/%d", pid, fd);
	if ((n = readlink(path, target, sizeof(target) - 1)) < 0)
		return 0;
	target[n] = 0;
	return sscanf(target, "pipe:[%u]", &ino) == 1 ? ino : 0;
}

static void add_if_piped(int pid, void *arg)
{
	struct pipeline *pl = arg;
	unsigned in, out;

	if (pidset_has(&pl->procs, pid))
		return;
	in = pipe_of(pid, 0);
	out = pipe_of(pid, 1);
	if ((in && pidset_has(&pl->pipes, in)) ||
	    (out && pidset_has(&pl->pipes, out))) {
		pidset_add(&pl->procs, pid);
		if (in)
			pidset_add(&pl->pipes, in);
		if (out)
			pidset_add(&pl->pipes, out);
	}
}

/* Other descriptors are not followed: inherited side pipes do not spread it. */
void find_pipeline(struct pidset *procs)
{
	struct pipeline pl = { 0 };
	size_t n;

	pidset_add(&pl.procs, getpid());
	for (int fd = 0; fd <= 1; fd++)
		if (pipe_of(getpid(), fd))
			pidset_add(&pl.pipes, pipe_of(getpid(), fd));
	do {
		n = pl.procs.n;
		for_each_process(add_if_piped, &pl);
	} while (pl.procs.n != n);
	free(pl.pipes.v);
	*procs = pl.procs;
}

static void add_if_reader(int pid, void *arg)
{
	struct pipeline *pl = arg;
	unsigned in, out;

	if (pid == self_pid() || pidset_has(&pl->procs, pid) ||
	    !(in = pipe_of(pid, 0)) || !pidset_has(&pl->pipes, in))
		return;
	pidset_add(&pl->procs, pid);
	if ((out = pipe_of(pid, 1)))
		pidset_add(&pl->pipes, out);
}

void find_readers(struct pidset *s, int child)
{
	struct pipeline pl = { 0 };
	unsigned out = pipe_of(self_pid(), 1);
	size_t n;

	if (!out)
		return;
	pidset_add(&pl.pipes, out);
	if (child > 0)
		pidset_add(&pl.procs, child);	/* seen: never added */
	do {
		n = pl.procs.n;
		for_each_process(add_if_reader, &pl);
	} while (pl.procs.n != n);
	for (size_t i = 0; i < pl.procs.n; i++)
		if (pl.procs.v[i] != child)
			pidset_add(s, pl.procs.v[i]);
	free(pl.procs.v);
	free(pl.pipes.v);
}
