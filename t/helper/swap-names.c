/*
 * swap-names - the local user racing a tool inside a replay root, for
 * the escape tests of t/hostile.bats.
 *
 *	swap-names NAME LINK TARGET [MODE]
 *
 * In the current directory: makes the symlink LINK -> TARGET, then
 * exchanges the names NAME and LINK (renameat2 RENAME_EXCHANGE) over
 * and over, so that a tool that checks NAME and then acts on it by name
 * sometimes acts on the symlink instead. With MODE (octal), it also sets
 * the mode of the entry first named NAME to MODE before each exchange,
 * through a descriptor held open, so that the tool always finds a mode
 * to fix. Errors are ignored: the tool may have given the entry to
 * another owner, or removed a name (ior-init removes what is not in the
 * program's tree): a LINK removed is made again, as a user would.
 *
 * Runs until SIGTERM, then writes on stdout how many exchanges it made,
 * so that a test can tell a race that ran from one that never started
 * (a racer that cannot reach its directory swaps nothing, and the test
 * would pass without testing). It gives up by itself after 10 minutes,
 * so that it never outlives a test that failed before stopping it.
 * Exits 2 when it cannot set up the race.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

static volatile sig_atomic_t stop;

static void on_term(int sig)
{
	(void)sig;
	stop = 1;
}

int main(int argc, char **argv)
{
	struct sigaction sa = { .sa_handler = on_term };
	unsigned long long swaps = 0;
	unsigned long mode = 0;
	char *end;
	int fd = -1;

	if (argc != 4 && argc != 5) {
		fprintf(stderr, "usage: swap-names NAME LINK TARGET [MODE]\n");
		return 2;
	}
	if (argc == 5) {
		mode = strtoul(argv[4], &end, 8);
		if (*end || end == argv[4] || mode > 07777) {
			fprintf(stderr, "swap-names: bad mode %s\n", argv[4]);
			return 2;
		}
		fd = open(argv[1], O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
		if (fd < 0) {
			perror(argv[1]);
			return 2;
		}
	}
	if (symlink(argv[3], argv[2]) < 0) {
		perror(argv[2]);
		return 2;
	}
	sigaction(SIGTERM, &sa, NULL);
	alarm(600);
	while (!stop) {
		if (fd >= 0)
			(void)!fchmod(fd, (mode_t)mode);
		/* A name the tool removed comes back at the next exchange. */
		if (renameat2(AT_FDCWD, argv[1], AT_FDCWD, argv[2],
			      RENAME_EXCHANGE) == 0)
			swaps++;
		else if (errno == ENOENT)
			(void)!symlink(argv[3], argv[2]);
	}
	printf("%llu\n", swaps);
	return 0;
}
