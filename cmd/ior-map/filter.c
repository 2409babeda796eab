/* filter.c - the PCRE2 filters on paths and command names (filter.h). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ior.h"
#include "files.h"
#include "filter.h"
#include "record.h"

void filter_add(struct filter *f, int opt, const char *pat)
{
	int errcode;
	PCRE2_SIZE off;
	pcre2_code *re;

	re = pcre2_compile((PCRE2_SPTR)pat, PCRE2_ZERO_TERMINATED, 0, &errcode,
			   &off, NULL);
	if (!re) {
		PCRE2_UCHAR msg[256];

		pcre2_get_error_message(errcode, msg, sizeof(msg));
		ior_errx(IOR_EXIT_USAGE, "-%c: %s at offset %zu in \"%s\"",
			 opt, (char *)msg, (size_t)off, pat);
	}
	pcre2_jit_compile(re, PCRE2_JIT_COMPLETE);	/* else interpreted */
	f->re = ior_xreallocarray(f->re, f->n + 1, sizeof(*f->re));
	f->pat = ior_xreallocarray(f->pat, f->n + 1, sizeof(*f->pat));
	f->re[f->n] = re;
	f->pat[f->n] = pat;
	f->opt = opt;
	f->n++;
}

void filters_ready(struct filters *fs)
{
	fs->md = pcre2_match_data_create(1, NULL);
	if (!fs->md)
		ior_errx(IOR_EXIT_SYS, "pcre2_match_data_create failed");
}

static void filter_free(struct filter *f)
{
	for (int i = 0; i < f->n; i++)
		pcre2_code_free(f->re[i]);
	free(f->re);
	free(f->pat);
	f->n = 0;
}

void filters_free(struct filters *fs)
{
	filter_free(&fs->path_inc);
	filter_free(&fs->path_exc);
	filter_free(&fs->comm_inc);
	filter_free(&fs->comm_exc);
	pcre2_match_data_free(fs->md);
	fs->md = NULL;
}

/*
 * Whether s, value of key of the current record, matches f. A match
 * that cannot be decided is an error: a filter must never drop or keep
 * a record by chance.
 */
static int filter_match(const struct filters *fs, const struct ior_in *in,
			const char *key, const struct filter *f,
			const char *s)
{
	for (int i = 0; i < f->n; i++) {
		int rc = pcre2_match(f->re[i], (PCRE2_SPTR)s, strlen(s), 0, 0,
				     fs->md, NULL);
		PCRE2_UCHAR msg[256];

		if (rc >= 0)
			return 1;
		if (rc == PCRE2_ERROR_NOMATCH)
			continue;
		pcre2_get_error_message(rc, msg, sizeof(msg));
		fprintf(stderr, "%s: %s:%lu: %s: -%c \"%s\": %s\n",
			ior_progname(), in->name, in->lineno, key, f->opt,
			f->pat[i], (char *)msg);
		exit(IOR_EXIT_USAGE);
	}
	return 0;
}

/* Comm filters, remembering the last escaped comm: it rarely changes. */
int comm_kept(const struct filters *fs, const struct ior_in *in,
	      const char *comm)
{
	static char last[PATH_BUF];
	static int last_kept;
	static char raw[PATH_BUF];

	if (!fs->comm_inc.n && !fs->comm_exc.n)
		return 1;
	if (last[0] && !strcmp(last, comm))
		return last_kept;
	ior_val_unescape(in, "COMM", comm, raw, sizeof(raw));
	last_kept = (!fs->comm_inc.n ||
		     filter_match(fs, in, "COMM", &fs->comm_inc, raw)) &&
		    !filter_match(fs, in, "COMM", &fs->comm_exc, raw);
	snprintf(last, sizeof(last), "%s", comm);
	return last_kept;
}

int path_kept(const struct filters *fs, const struct ior_in *in,
	      const struct recinfo *ri)
{
	const char *s[4], *key[4];
	int n = 0;

	if ((!fs->path_inc.n && !fs->path_exc.n) ||
	    (ri->path[0] < 0 && ri->path[1] < 0 && ri->fd < 0 && !ri->ofd))
		return 1;
	for (int k = 0; k < 2; k++)
		if (ri->path[k] >= 0) {
			key[n] = k ? "path2" : "path";
			s[n++] = ri->raw[k];
		}
	if (ri->ofd) {
		key[n] = "file";
		s[n++] = ri->ofd->path;
	}
	if (ri->ofd2) {
		key[n] = "file2";
		s[n++] = ri->ofd2->path;
	}
	for (int i = 0; i < n; i++)
		if (filter_match(fs, in, key[i], &fs->path_exc, s[i]))
			return 0;
	if (!fs->path_inc.n)
		return 1;
	for (int i = 0; i < n; i++)
		if (filter_match(fs, in, key[i], &fs->path_inc, s[i]))
			return 1;
	return 0;
}
