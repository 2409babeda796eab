/*
 * ior-calls - print the table of calls (lib/calls.h), one row per line,
 * for the tests that check it against the man pages and the tools:
 *
 *	NAME X86_64 I386 NATIVE ABI CAPTURE REPLAYED KEYS
 *
 * ABI is "any" for a system call of both ABIs (or of x86_64 only), "i386"
 * for a row only i386 processes make, "rec" for a record that is no
 * system call; numbers are -1 where the ABI has none; CAPTURE is none,
 * regs, full or entry; REPLAYED yes when ior-replay issues it; KEYS the
 * argument keys, comma-separated ("-": none).
 */
#include <stdio.h>

#include "ior.h"

int main(void)
{
	for (int i = 0; i < IOR_NCALLS; i++) {
		const struct ior_call *c = &ior_calls[i];
		const struct ior_call *n = &ior_calls[c->native];

		static const char *const capture[] = {
			[IOR_CAPTURE_NONE] = "none", [IOR_CAPTURE_REGS] = "regs",
			[IOR_CAPTURE_FULL] = "full", [IOR_CAPTURE_ENTRY] = "entry",
		};

		printf("%s %d %d %s %s %s %s ", c->name, c->nr64, c->nr32,
		       n->name, c->abi32 ? "i386" :
		       c->nr32 < 0 && c->nr64 < 0 ? "rec" : "any",
		       capture[c->capture],
		       n->replay != IOR_REPLAY_NONE ? "yes" : "no");
		for (int k = 0; k < c->nargs; k++)
			printf("%s%s", k ? "," : "", c->args[k].key);
		printf("%s\n", c->nargs ? "" : "-");
	}
	return 0;
}
