/*
 * select.c - which calls ior-trace captures (-e trace=) and which it
 * samples (--sample), by name or by family, read from the table of calls
 * (lib/calls.h): the family column is the only list of families.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ior.h"
#include "options.h"

/* The longest list -e or --sample takes: far more than every call. */
#define LIST_MAX 4096

/* What a word of a list may be, for the one-line message. */
#define WANT_NAME "a call of ior-format(5), or a family: files, metadata, " \
		  "aio, uring, process"

/*
 * Mark in set (by row) the system calls word names: a row's name, or a
 * family's, with or without strace's '%'. Only system calls of both or
 * the x86_64 ABI: an i386 row goes with its native row. False when it
 * names none.
 */
static bool name_rows(const char *word, uint8_t *set)
{
	bool found = false;
	int fam = IOR_FAMILY_NONE, c;

	if (*word == '%')
		word++;
	for (int f = IOR_FAMILY_NONE + 1; f < IOR_FAMILIES; f++)
		if (!strcmp(word, ior_family_names[f]))
			fam = f;
	if (fam != IOR_FAMILY_NONE) {
		for (c = 0; c < IOR_NCALLS; c++)
			if (!ior_calls[c].abi32 && ior_calls[c].family == fam) {
				set[c] = 1;
				found = true;
			}
		return found;
	}
	c = ior_call_find(word);
	if (c < 0 || ior_calls[c].abi32 || ior_calls[c].family == IOR_FAMILY_NONE ||
	    strcmp(ior_calls[c].name, word))
		return false;
	set[c] = 1;
	return true;
}

/* A copy of arg, or a usage error naming opt when it is too long. */
static char *list_copy(const char *opt, const char *arg)
{
	if (strlen(arg) > LIST_MAX)
		opts_bad_value(opt, "list", arg, "at most 4096 bytes");
	return ior_xstrdup(arg);
}

/*
 * -e [trace=][!]NAME[,NAME...]: the calls captured, as strace's -e
 * trace= chooses them; '!' keeps all but those named. Repeated -e
 * options add to the set.
 */
void select_parse(struct trace_opts *o, const char *arg)
{
	uint8_t set[IOR_NCALLS] = { 0 };
	bool negate = false;
	char *list, *word, *save = NULL;
	int words = 0;

	if (!strncmp(arg, "trace=", 6))
		arg += 6;
	else if (strchr(arg, '='))
		opts_bad_value("-e", "qualifier", arg, "only trace= is known");
	if (*arg == '!') {
		negate = true;
		arg++;
	}
	list = list_copy("-e", arg);
	for (word = strtok_r(list, ",", &save); word;
	     word = strtok_r(NULL, ",", &save), words++)
		if (!name_rows(word, set))
			opts_bad_value("-e", "call", word, WANT_NAME);
	free(list);
	if (!words)
		opts_bad_value("-e", "list", arg, WANT_NAME);
	if (!o->selected) {
		o->selected = true;
		memset(o->traced, 0, sizeof(o->traced));
	}
	for (int c = 0; c < IOR_NCALLS; c++)
		if (set[c] != negate)
			o->traced[c] = 1;
}

/*
 * --sample NAME=N[,NAME=N...]: of the calls named, one in N is written.
 * N from 1 (every call) to 2^31 - 1.
 */
void sample_parse(struct trace_opts *o, const char *arg)
{
	char *list, *word, *save = NULL, *eq;
	int words = 0;
	long n;

	list = list_copy("--sample", arg);
	for (word = strtok_r(list, ",", &save); word;
	     word = strtok_r(NULL, ",", &save), words++) {
		uint8_t set[IOR_NCALLS] = { 0 };

		if (!(eq = strchr(word, '=')))
			opts_bad_value("--sample", "sample", word,
				       "CALL=N, N from 1 to 2147483647");
		*eq = 0;
		if (!name_rows(word, set))
			opts_bad_value("--sample", "call", word, WANT_NAME);
		for (int c = 0; c < IOR_NCALLS; c++)
			if (set[c] && ior_calls[c].family != IOR_FAMILY_FILES &&
			    ior_calls[c].family != IOR_FAMILY_META)
				opts_bad_value("--sample", "call", word,
					       "of the files or metadata "
					       "families: records of the "
					       "others are followed by more");
		n = opts_digits(eq + 1) ? strtol(eq + 1, NULL, 10) : -1;
		if (n < 1 || n > INT32_MAX)
			opts_bad_value("--sample", "rate", eq + 1,
				       "N from 1 to 2147483647");
		for (int c = 0; c < IOR_NCALLS; c++)
			if (set[c])
				o->sample[c] = n;
	}
	free(list);
	if (!words)
		opts_bad_value("--sample", "list", arg,
			       "CALL=N, N from 1 to 2147483647");
}
