/*
 * ior-stats - per-call statistics of ior-format(5) streams, and a
 * side-by-side comparison of two streams (a capture and its replay).
 *
 * Latencies go into a log-linear histogram per call, so memory is bounded
 * by the number of distinct calls, never by the length of the stream.
 *
 * main.c: the options and the reports in their order. callstats.c: a
 * stream read into its calls; depth.c: async requests in flight over
 * time; report.c: the per-call tables; hosts.c: those of several
 * hosts; storage.c: a replay's block device; table.c: cells and rows;
 * reports.c: the tables by file and process (groups.c), by time
 * (timeline.c), the histograms (hist.c) and the flame graph (flame.c,
 * svg.c); live.c: the live view.
 */
#include <errno.h>
#include <getopt.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ior.h"
#include "callstats.h"
#include "depth.h"
#include "hosts.h"
#include "options.h"
#include "report.h"
#include "reports.h"
#include "storage.h"

struct options opt = { .sort = SORT_TIME, .show = SHOW_CALLS | SHOW_DEPTH };

static _Noreturn void usage(FILE *fp, int code)
{
	fprintf(fp,
		"usage: %s [-t] [-s count|time|bytes|name] [-r table] [-i seconds] [-n rows]\n"
		"                 [-W calls|time|bytes] [--svg] [-w seconds] [file ...]\n"
		"       %s [-t] [-s key] [-r table] [-i seconds] [-n rows] --compare A B\n"
		"  -t, --tab              tab-separated output with exact integers\n"
		"  -s, --sort KEY         sort rows by count, time (default), bytes or name\n"
		"  -r, --report TABLE     the table to print: calls (per call), depth (async\n"
		"                         requests in flight over time), files (per file),\n"
		"                         procs (per process), time (per interval), hist\n"
		"                         (log2 latency histogram per call) or flame\n"
		"                         (collapsed stacks for a flame graph)\n"
		"  -i, --interval SECONDS row length of the depth and time tables\n"
		"                         (default: automatic)\n"
		"  -n, --top ROWS         only the first ROWS files or processes\n"
		"  -W, --weight WEIGHT    what a flame graph's frames weigh: calls (default),\n"
		"                         time (ns) or bytes (read and written)\n"
		"      --svg              with -r flame: draw the flame graph as SVG\n"
		"  -w, --watch SECONDS    redraw the per-call table (or -r files, procs) every\n"
		"                         SECONDS while reading, like top\n"
		"      --compare          compare stream A (capture) with B (replay result)\n"
		"  -h, --help             show this help\n"
		"      --version          show the version\n",
		ior_progname(), ior_progname());
	exit(code);
}

static int nothing_async(void)
{
	ior_warnx("nothing to report: no aio: or uring: requests");
	return IOR_EXIT_NONE;
}

/* -i, -w: seconds, with up to nine decimals, a whole number of 10ns. */
static uint64_t parse_interval(const char *s)
{
	uint64_t ns;

	if (ior_seconds(s, &ns) < 0 || ns == 0 || ns % 10 ||
	    ns >= 1000000000ull * 1000000000ull) {
		ior_warnx("bad interval \"%s\": want seconds, a positive multiple of 0.00000001 (10ns)",
			  s);
		usage(stderr, IOR_EXIT_USAGE);
	}
	return ns;
}

static const struct {
	const char *name;
	int show;
} tables[] = {
	{ "calls", SHOW_CALLS }, { "depth", SHOW_DEPTH },
	{ "files", SHOW_FILES }, { "procs", SHOW_PROCS },
	{ "time", SHOW_TIME }, { "hist", SHOW_HIST }, { "flame", SHOW_FLAME },
};

static int parse_table(const char *s)
{
	for (size_t i = 0; i < sizeof(tables) / sizeof(tables[0]); i++)
		if (!strcmp(s, tables[i].name))
			return tables[i].show;
	ior_warnx("unknown table \"%s\"", s);
	usage(stderr, IOR_EXIT_USAGE);
}

static enum weight parse_weight(const char *s)
{
	if (!strcmp(s, "calls"))
		return WEIGHT_CALLS;
	if (!strcmp(s, "time"))
		return WEIGHT_TIME;
	if (!strcmp(s, "bytes"))
		return WEIGHT_BYTES;
	ior_warnx("unknown weight \"%s\"", s);
	usage(stderr, IOR_EXIT_USAGE);
}

static uint64_t parse_top(const char *s)
{
	char *end;
	unsigned long long n;

	errno = 0;
	n = strtoull(s, &end, 10);
	if (!*s || *end || errno || n == 0 || *s == '-') {
		ior_warnx("bad number of rows \"%s\"", s);
		usage(stderr, IOR_EXIT_USAGE);
	}
	return n;
}

/* Options that make no sense together. */
static void check_options(void)
{
	const char *bad = NULL;

	if (opt.svg && opt.show != SHOW_FLAME)
		bad = "--svg draws only the flame graph (-r flame)";
	else if (opt.comparing && opt.show == SHOW_FLAME)
		bad = "--compare has no flame graph";
	else if (opt.live && opt.comparing)
		bad = "-w reads one stream, not --compare";
	else if (opt.live && !(opt.show & (SHOW_CALLS | SHOW_FILES | SHOW_PROCS)))
		bad = "-w draws the per-call table, or -r files or procs";
	else if (opt.live && opt.nfiles > 1)
		bad = "-w reads one stream";
	if (bad) {
		ior_warnx("%s", bad);
		usage(stderr, IOR_EXIT_USAGE);
	}
}

static void parse_options(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "tab", no_argument, NULL, 't' },
		{ "sort", required_argument, NULL, 's' },
		{ "compare", no_argument, NULL, 'c' },
		{ "report", required_argument, NULL, 'r' },
		{ "interval", required_argument, NULL, 'i' },
		{ "top", required_argument, NULL, 'n' },
		{ "weight", required_argument, NULL, 'W' },
		{ "svg", no_argument, NULL, 'S' },
		{ "watch", required_argument, NULL, 'w' },
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, 'V' },
		{ NULL, 0, NULL, 0 },
	};
	int ch;

	while ((ch = getopt_long(argc, argv, "ts:r:i:n:W:w:h", longopts, NULL)) != -1) {
		switch (ch) {
		case 't':
			opt.tab = 1;
			break;
		case 's':
			if (!strcmp(optarg, "count"))
				opt.sort = SORT_COUNT;
			else if (!strcmp(optarg, "time"))
				opt.sort = SORT_TIME;
			else if (!strcmp(optarg, "bytes"))
				opt.sort = SORT_BYTES;
			else if (!strcmp(optarg, "name"))
				opt.sort = SORT_NAME;
			else {
				ior_warnx("unknown sort key \"%s\"", optarg);
				usage(stderr, IOR_EXIT_USAGE);
			}
			break;
		case 'c':
			opt.comparing = 1;
			break;
		case 'r':
			opt.show = parse_table(optarg);
			break;
		case 'n':
			opt.top = parse_top(optarg);
			break;
		case 'W':
			opt.weight = parse_weight(optarg);
			break;
		case 'S':
			opt.svg = 1;
			break;
		case 'w':
			opt.live = parse_interval(optarg);
			break;
		case 'i':
			opt.interval = parse_interval(optarg);
			break;
		case 'h':
			usage(stdout, IOR_EXIT_OK);
			break;
		case 'V':
			ior_version();
			break;
		default:
			usage(stderr, IOR_EXIT_USAGE);
		}
	}
	opt.files = argv + optind;
	opt.nfiles = argc - optind;
	if (opt.comparing && opt.nfiles != 2)
		usage(stderr, IOR_EXIT_USAGE);
	if (opt.comparing && !strcmp(opt.files[0], "-") &&
	    !strcmp(opt.files[1], "-")) {
		ior_warnx("only one of A and B can be standard input");
		usage(stderr, IOR_EXIT_USAGE);
	}
	check_options();
}

/* Stream A and B side by side. */
static int compare_two(struct stats *a, struct stats *b, struct ior_out *o)
{
	int code = IOR_EXIT_OK;

	reports_attach(a);
	reports_attach(b);
	stats_read(a, opt.files[0]);
	stats_read(b, opt.files[1]);
	if (opt.show & SHOW_CALLS)
		code = compare(a, b, opt.files[0], opt.files[1], o);
	else if (opt.show & SHOW_REPORTS)
		code = reports_print(a, b, o);
	/*
	 * A capture that lost events is not the application's I/O: equal
	 * counts would prove nothing. Said once, of A, or of B, whose
	 * program carries its capture's trailer.
	 */
	if (a->loss_in || b->loss_in) {
		const struct stats *l = a->loss_in ? a : b;

		ior_warn_loss_at(l->loss_in, l->loss_line, &l->loss);
		if (!opt.tab && (opt.show & SHOW_CALLS))
			ior_printf(o, "incomplete capture (%s): %llu events lost (%s)\n",
				   a->loss_in ? "A" : "B",
				   (unsigned long long)l->loss.lost, l->loss.what);
		code = IOR_EXIT_NONE;
	}
	if ((opt.show & SHOW_DEPTH) &&
	    !depth_report(&a->depth, &b->depth, opt.show & SHOW_CALLS, o) &&
	    opt.show == SHOW_DEPTH)
		code = nothing_async();
	return code;
}

/* The inputs summed into one stream's tables. */
static int report_all(struct stats *st, struct ior_out *o)
{
	int code = IOR_EXIT_OK;

	reports_attach(st);
	if (opt.live)
		return live_run(st, opt.nfiles ? opt.files[0] : NULL, o);
	/*
	 * Streams of several hosts: a table per host and one of all (the
	 * tables by file, process and time, histograms and flame graphs sum
	 * every input, whatever its host).
	 */
	if (opt.nfiles > 1 && !(opt.show & ~(SHOW_CALLS | SHOW_DEPTH))) {
		if (!hosts_read(st, opt.files, opt.nfiles))
			return hosts_report(o);
	} else {
		for (int i = 0; i < (opt.nfiles ? opt.nfiles : 1); i++) {
			st->loss_in = NULL;
			stats_read(st, opt.nfiles ? opt.files[i] : NULL);
			/* each input that lost events is said */
			if (st->loss_in)
				ior_warn_loss_at(st->loss_in, st->loss_line,
						 &st->loss);
		}
	}
	if (opt.show & SHOW_CALLS)
		code = report(st, o);
	else if (opt.show & SHOW_REPORTS)
		code = reports_print(st, NULL, o);
	/* what the replay's storage did, beside its latencies */
	if ((opt.show & SHOW_CALLS) && code == IOR_EXIT_OK)
		storage_report(&st->storage, 1, o);
	if ((opt.show & SHOW_DEPTH) && code == IOR_EXIT_OK &&
	    !depth_report(&st->depth, NULL, opt.show & SHOW_CALLS, o) &&
	    opt.show == SHOW_DEPTH)
		code = nothing_async();
	return code;
}

int main(int argc, char *argv[])
{
	static struct stats st, st_b;
	struct ior_out o;
	int code;

	ior_setprogname(argv[0]);
	parse_options(argc, argv);
	ior_out_init(&o, 1, NULL);
	code = opt.comparing ? compare_two(&st, &st_b, &o) :
		report_all(&st, &o);

	ior_out_close(&o);
	reports_free(&st);
	reports_free(&st_b);
	stats_free(&st);
	stats_free(&st_b);
	hosts_free();
	return code;
}
