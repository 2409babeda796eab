/*
 * ior-gen - turn a map stream into a replay program: infer the file tree
 * that must exist before the replay starts, drop what cannot be replayed
 * (and count why), number the operations and note cross-thread ordering.
 *
 * The tree must precede the operations but depends on the whole stream,
 * so the kept operations are spooled to an unlinked temporary file while
 * the tree is inferred, then the tree is written and the spool copied.
 * Memory grows with the number of distinct paths and open files, never
 * with the length of the stream.
 *
 * main.c: the options, the inputs, the program's parts in their order.
 * record.c: one record decided; drop.c: what is dropped and why; tree.c:
 * the entries of the starting tree; infer.c: what records tell of them;
 * desc.c: the open file descriptions followed; order.c: after=, the
 * resources each operation touches; res.c: a resource's recent
 * accesses, and which of them an access follows; aio.c: after= of AIO
 * across threads; output.c: the operations written, and the spool.
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "ior.h"
#include "aio.h"
#include "desc.h"
#include "drop.h"
#include "order.h"
#include "output.h"
#include "record.h"
#include "tree.h"

/* What the command line asks. */
struct options {
	char **files;		/* the inputs; none: standard input */
	int nfiles;
	int sampled;		/* --sampled: a sampled capture is taken */
};

static struct options opt;

static void usage(FILE *fp, int code)
{
	fprintf(fp, "usage: %s [-h] [--version] [--sampled] [file ...]\n",
		ior_progname());
	exit(code);
}

static void parse_options(struct options *opt, int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, 'V' },
		{ "sampled", no_argument, NULL, 'S' },
		{ NULL, 0, NULL, 0 },
	};
	int ch;

	while ((ch = getopt_long(argc, argv, "h", longopts, NULL)) != -1) {
		switch (ch) {
		case 'S':
			opt->sampled = 1;
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
	opt->files = argv + optind;
	opt->nfiles = argc - optind;
}

/*
 * A capture that is not whole (ior-format(5), "Aggregates and samples"),
 * told by its #meta ior-trace line: an aggregate has no call to replay;
 * a sampled one only some, whose descriptors and files others made: the
 * replay of what it holds is asked for with --sampled.
 */
static void check_whole(const struct ior_in *in)
{
	static const char meta[] = "#meta ior-trace ";
	const char *p = in->line + sizeof(meta) - 1;

	if (strncmp(in->line, meta, sizeof(meta) - 1))
		return;
	for (; p; p = strchr(p, ' ')) {
		p += *p == ' ';
		if (!strncmp(p, "aggregate=", 10))
			ior_bad(in, "aggregate", "an aggregate capture "
				"(ior-trace -a) holds counts, no call to "
				"replay");
		if (!strncmp(p, "sample=", 7) && !opt.sampled)
			ior_bad(in, "sample", "a sampled capture (ior-trace "
				"--sample) holds only some of its calls: not "
				"replayable as a whole; --sampled replays "
				"those it holds");
	}
}

/*
 * Read one input: records decided, metadata to the spool. *hdr_end is
 * where the header (the metadata before the first record) ends in it.
 */
static void read_input(const char *path, int sfd, struct ior_out *spool,
		       off_t *hdr_end)
{
	static struct ior_losses losses;	/* said once the input is read */
	struct ior_in in;
	struct ior_rec r;
	int kind;

	ior_in_open(&in, path);
	while ((kind = ior_read(&in, &r)) != IOR_EOF) {
		if (kind == IOR_REC) {
			/* Input metadata before the first record is the header. */
			if (*hdr_end < 0)
				*hdr_end = lseek(sfd, 0, SEEK_CUR) + spool->len;
			/* room left for the keys of the replay's results */
			ior_out_lines(spool, IOR_PROG_LINE_MAX, &in);
			gen_record(&in, &r, spool);
		} else if (ior_is_magic(in.line)) {
			if (in.kind != IOR_KIND_MAP)
				ior_bad(&in, NULL, "a %s stream: ior-gen reads a map stream (from ior-map)",
					ior_kind_name(in.kind));
		} else {
			check_whole(&in);
			/* a lossy capture is said again, at the end */
			ior_losses_note(&losses, &in);
			ior_out_lines(spool, IOR_LINE_MAX, &in);
			ior_put(spool, in.line, in.linelen);
			ior_putc(spool, '\n');
		}
	}
	ior_out_lines(spool, 0, NULL);
	ior_losses_say(&losses, &in);
	ior_in_close(&in);
}

static void put_trailer(struct ior_out *out, const struct tree_count *tree)
{
	ior_printf(out, "#stat ior-gen records=%lu ops=%lld", records_read(),
		   (long long)seq_last());
	put_drops(out);
	ior_printf(out, " tree.dirs=%lu tree.files=%lu tree.symlinks=%lu "
		   "tree.links=%lu tree.symlinks_skipped=%lu",
		   tree->dirs, tree->files, tree->symlinks, tree->links,
		   tree->skipped);
	put_waits(out);
	ior_putc(out, '\n');
}

/*
 * The header, the tree, the operations, the trailer: the operations are
 * spooled while the tree is inferred from them.
 */
int main(int argc, char *argv[])
{
	struct ior_out out, spool;
	struct tree_count tree = { 0 };
	off_t hdr_end = -1, end;
	int sfd;

	ior_setprogname(argv[0]);
	parse_options(&opt, argc, argv);
	record_init();
	sfd = spool_open();
	ior_out_init(&spool, sfd, "spool file");
	for (int i = 0; i < (opt.nfiles ? opt.nfiles : 1); i++)
		read_input(opt.nfiles ? opt.files[i] : NULL, sfd, &spool,
			   &hdr_end);
	gen_finish();
	ior_flush(&spool);
	end = lseek(sfd, 0, SEEK_CUR);
	if (end < 0)
		ior_err(IOR_EXIT_SYS, "spool file");
	if (hdr_end < 0)
		hdr_end = end;

	ior_out_init(&out, 1, NULL);
	ior_put_magic(&out, IOR_KIND_REPLAY);
	spool_copy(sfd, 0, hdr_end, &out);
	ior_printf(&out, "#meta ior-gen version=%s\n", IOR_VERSION_STRING);
	put_tree(&out, &tree);
	spool_copy(sfd, hdr_end, end, &out);
	put_trailer(&out, &tree);

	ior_out_close(&out);
	ior_out_close(&spool);
	close(sfd);
	tree_cleanup();
	desc_cleanup();
	order_cleanup();
	record_cleanup();
	aio_cleanup();
	return IOR_EXIT_OK;
}
