/*
 * ior-map - turn a trace stream into a map stream: virtual pid/tid ids,
 * per-task descriptor tables and working directories, absolute paths,
 * virtual descriptor (vfd) and open file description (ofd) ids, file
 * mappings, and PCRE2 filters on paths and command names. See ior-map(1).
 *
 * main.c: the options, the loop over the inputs, the header and trailer.
 * files.c: descriptions and descriptor tables; proc.c: tasks, processes,
 * working directories; uring.c: io_uring rings and their registered
 * files; mapping.c: file mappings; filter.c: the filters; record.c: one
 * record through all of them.
 */
#include <getopt.h>
#include <stdlib.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "ior.h"
#include "files.h"
#include "filter.h"
#include "proc.h"
#include "record.h"

/* What the command line asks. */
struct options {
	struct filters filters;	/* -i, -x, -c, -X */
	char **files;		/* the inputs; none: standard input */
	int nfiles;
};

static void usage(FILE *f)
{
	fprintf(f, "usage: %s [-i regex] [-x regex] [-c regex] [-X regex] [file ...]\n"
		"  -i, --include REGEX       keep only file records with a matching path\n"
		"  -x, --exclude REGEX       drop file records with a matching path\n"
		"  -c, --comm REGEX          keep only records of a matching command name\n"
		"  -X, --exclude-comm REGEX  drop records of a matching command name\n"
		"  -h, --help                print this help\n"
		"      --version             print the version\n",
		ior_progname());
}

static void parse_options(struct options *opt, int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "include", required_argument, NULL, 'i' },
		{ "exclude", required_argument, NULL, 'x' },
		{ "comm", required_argument, NULL, 'c' },
		{ "exclude-comm", required_argument, NULL, 'X' },
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, 'V' },
		{ NULL, 0, NULL, 0 },
	};
	struct filters *fs = &opt->filters;
	int ch;

	while ((ch = getopt_long(argc, argv, "i:x:c:X:h", longopts, NULL)) != -1) {
		switch (ch) {
		case 'i':
			filter_add(&fs->path_inc, ch, optarg);
			break;
		case 'x':
			filter_add(&fs->path_exc, ch, optarg);
			break;
		case 'c':
			filter_add(&fs->comm_inc, ch, optarg);
			break;
		case 'X':
			filter_add(&fs->comm_exc, ch, optarg);
			break;
		case 'h':
			usage(stdout);
			exit(IOR_EXIT_OK);
		case 'V':
			ior_version();
		default:
			usage(stderr);
			exit(IOR_EXIT_USAGE);
		}
	}
	opt->files = argv + optind;
	opt->nfiles = argc - optind;
}

static void put_meta(struct ior_out *out, const struct filters *fs)
{
	const struct { const char *key; const struct filter *f; } fl[] = {
		{ "include", &fs->path_inc }, { "exclude", &fs->path_exc },
		{ "comm", &fs->comm_inc }, { "exclude_comm", &fs->comm_exc },
	};

	ior_puts(out, "#meta ior-map version=" IOR_VERSION_STRING);
	for (size_t i = 0; i < sizeof(fl) / sizeof(fl[0]); i++)
		for (int j = 0; j < fl[i].f->n; j++)
			ior_put_kv_esc(out, fl[i].key, fl[i].f->pat[j]);
	ior_putc(out, '\n');
}

static void put_trailer(struct ior_out *out)
{
	ior_printf(out, "#stat ior-map records=%llu written=%llu filtered=%llu "
		   "unknown_fd=%llu unknown_cwd=%llu implicit_close=%llu "
		   "fixed_overflow=%llu\n",
		   (unsigned long long)counts.records,
		   (unsigned long long)counts.written,
		   (unsigned long long)counts.filtered,
		   (unsigned long long)counts.unknown_fd,
		   (unsigned long long)counts.unknown_cwd,
		   (unsigned long long)counts.implicit_close,
		   (unsigned long long)counts.fixed_overflow);
}

/*
 * Map one input onto out. Metadata passes through; the magic line of the
 * first input becomes the map stream's, a later input's is checked.
 */
static void map_input(const char *path, int first, int *meta_done,
		      const struct filters *fs, struct ior_out *out)
{
	static struct ior_losses losses;	/* said once the input is read */
	struct ior_in in;
	struct ior_rec r;
	int what;

	ior_in_open(&in, path);
	while ((what = ior_read(&in, &r)) != IOR_EOF) {
		if (what == IOR_META) {
			if (!ior_is_magic(in.line)) {
				/* a lossy capture is said again, at the end */
				ior_losses_note(&losses, &in);
				ior_out_lines(out, IOR_LINE_MAX, &in);
				ior_puts(out, in.line);
				ior_putc(out, '\n');
				continue;
			}
			if (strcmp(strrchr(in.line, ' ') + 1, "trace"))
				ior_bad(&in, NULL, "a %s stream: ior-map reads trace streams",
					strrchr(in.line, ' ') + 1);
			if (first && in.lineno == 1)
				ior_put_magic(out, IOR_KIND_MAP);
			continue;
		}
		/* room left for what ior-gen and ior-replay add (ior.h) */
		ior_out_lines(out, IOR_MAP_LINE_MAX, &in);
		if (!*meta_done) {
			put_meta(out, fs);
			*meta_done = 1;
		}
		map_record(&in, &r, fs, out);
	}
	ior_out_lines(out, 0, NULL);
	ior_losses_say(&losses, &in);
	ior_in_close(&in);
}

/*
 * ior_bad() and ior_err() exit directly: the output buffer is written
 * at exit, so what was mapped before a bad line is not lost.
 */
int main(int argc, char **argv)
{
	static struct options opt;
	struct ior_out out;
	int meta_done = 0;

	ior_setprogname(argv[0]);
	parse_options(&opt, argc, argv);
	filters_ready(&opt.filters);
	record_init();
	ior_out_init(&out, STDOUT_FILENO, NULL);
	for (int f = 0; f < (opt.nfiles ? opt.nfiles : 1); f++)
		map_input(opt.nfiles ? opt.files[f] : NULL, f == 0,
			  &meta_done, &opt.filters, &out);
	if (!meta_done)
		put_meta(&out, &opt.filters);
	put_trailer(&out);

	ior_out_close(&out);
	proc_cleanup();
	mappings_cleanup();
	files_cleanup();
	filters_free(&opt.filters);
	return IOR_EXIT_OK;
}
