/*
 * fuzz-canary - a stream reader with a bug planted on purpose, for
 * t/fuzz.bats: it shows that ior-fuzz finds a bug that a mutant can
 * reach, and says so the way it should.
 *
 *	FUZZ_CANARY=BUG fuzz-canary [-C DIR] [-n] FILE
 *
 * Reads FILE as every ior reader does (lib/stream.c: exit 3 with one
 * line naming input, line and field on malformed input) and writes it
 * again to standard output, a filter that changes nothing; -C and -n,
 * the options of ior-init and ior-replay, are taken and ignored.  On a
 * record with a number below -1000000 in any column or value (a
 * boundary value the mutator puts in, never in a capture), it has the
 * bug BUG:
 *	crash	a write through a null pointer (SIGSEGV)
 *	asan	a read past the end of a heap block (AddressSanitizer, in
 *		the sanitizer build)
 *	hang	sleeps forever
 *	message	exits 3 with two lines on standard error
 *	memory	fills 1 GiB of memory
 *	orphan	leaves a process running behind it
 *	escape	makes the directory /tmp/ior-fuzz-escape
 *	refuse	refuses the record (exit 3, one line), unless it runs as
 *		ior-gen: under that name (a link) it takes what it refuses
 *		as ior-init or ior-replay, as a generator that does not
 *		check what the next tool needs
 * Without FUZZ_CANARY it has none: ior-fuzz must find nothing.
 */
#define _GNU_SOURCE
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "ior.h"

static int below(const char *s)
{
	char *e;
	long long v = strtoll(s, &e, 10);

	return e != s && !*e && v < -1000000;
}

static void bug(const char *what, const struct ior_in *in)
{
	if (!strcmp(what, "crash")) {
		*(volatile int *)(uintptr_t)(in->lineno >> 40) = 1;
	} else if (!strcmp(what, "asan")) {
		volatile size_t n = 16;
		char *p = malloc(n);

		memset(p, 'a', n);
		printf("%d\n", p[n]);
		free(p);
	} else if (!strcmp(what, "hang")) {
		for (;;)
			pause();
	} else if (!strcmp(what, "message")) {
		fprintf(stderr, "fuzz-canary: something is wrong\nand on two lines\n");
		exit(3);
	} else if (!strcmp(what, "memory")) {
		size_t n = (size_t)1 << 30;
		char *p = malloc(n);

		if (p)
			memset(p, 1, n);
		/* used, so that the compiler keeps the memset */
		__asm__ volatile("" : : "r"(p) : "memory");
		free(p);
	} else if (!strcmp(what, "orphan")) {
		if (fork() == 0) {
			sleep(60);
			_exit(0);
		}
	} else if (!strcmp(what, "escape")) {
		mkdir("/tmp/ior-fuzz-escape", 0755);
	} else if (!strcmp(what, "refuse") && strcmp(ior_progname(), "ior-gen")) {
		ior_bad(in, "PID", "refused by the canary");
	}
}

int main(int argc, char **argv)
{
	const char *what = getenv("FUZZ_CANARY");
	struct ior_in in;
	struct ior_out out;
	struct ior_rec r;
	int k;

	ior_setprogname(argv[0]);
	while ((k = getopt(argc, argv, "C:n")) != -1)
		if (k == '?')
			return 2;
	if (optind != argc - 1) {
		fprintf(stderr, "usage: fuzz-canary [-C DIR] [-n] FILE\n");
		return 2;
	}
	ior_in_open(&in, argv[optind]);
	ior_out_init(&out, 1, "<stdout>");
	while ((k = ior_read(&in, &r)) != IOR_EOF) {
		int hit = 0;

		if (k != IOR_REC) {
			ior_put(&out, in.line, in.linelen);
			ior_put(&out, "\n", 1);
			continue;
		}
		ior_put_rec(&out, &r);
		hit = r.pid < -1000000 || r.tid < -1000000 || r.ret < -1000000;
		for (int i = 0; i < r.nkv; i++)
			hit |= below(r.kv[i].val);
		if (hit && what && *what) {
			bug(what, &in);
			break;
		}
	}
	ior_out_close(&out);
	ior_in_close(&in);
	return 0;
}
