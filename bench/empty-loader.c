/*
 * empty-loader - attach the empty programs of empty.bpf.c system-wide,
 * print "ready", and keep them attached until SIGINT or SIGTERM.
 */
#include <signal.h>
#include <stdio.h>
#include <unistd.h>

#include "empty.skel.h"

static volatile sig_atomic_t done;

static void on_signal(int sig)
{
	(void)sig;
	done = 1;
}

int main(void)
{
	struct empty_bpf *skel;

	signal(SIGINT, on_signal);
	signal(SIGTERM, on_signal);
	skel = empty_bpf__open_and_load();
	if (!skel) {
		fprintf(stderr, "empty-loader: cannot load the BPF programs\n");
		return 4;
	}
	if (empty_bpf__attach(skel)) {
		fprintf(stderr, "empty-loader: cannot attach the BPF programs\n");
		empty_bpf__destroy(skel);
		return 4;
	}
	printf("ready\n");
	fflush(stdout);
	while (!done)
		pause();
	empty_bpf__destroy(skel);
	return 0;
}
