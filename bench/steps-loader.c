/*
 * steps-loader - attach the programs of steps.bpf.c at STEP (0: empty)
 * system-wide, print "ready", and keep them attached until SIGINT or
 * SIGTERM, reading the events of step 3 every 10 ms. It exits 1 if any
 * event was not written for a full ring: step 3 then measured a failed
 * reservation, not an event.
 *
 *	steps-loader STEP
 */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "steps.skel.h"

static volatile sig_atomic_t done;

static void on_signal(int sig)
{
	(void)sig;
	done = 1;
}

static int on_event(void *ctx, void *data, size_t size)
{
	(void)ctx;
	(void)data;
	(void)size;
	return 0;
}

/* pid_max, for the slots by thread id; 4M, the kernel's limit, if unread */
static unsigned pid_max(void)
{
	FILE *f = fopen("/proc/sys/kernel/pid_max", "r");
	unsigned n = 0;

	if (f) {
		if (fscanf(f, "%u", &n) != 1)
			n = 0;
		fclose(f);
	}
	return n ? n : 4194304;
}

int main(int argc, char *argv[])
{
	struct ring_buffer *rb = NULL;
	struct steps_bpf *skel;
	int step, rc = 4;

	if (argc != 2 || (step = atoi(argv[1])) < 0 || step > 3) {
		fprintf(stderr, "usage: steps-loader STEP (0-3)\n");
		return 2;
	}
	signal(SIGINT, on_signal);
	signal(SIGTERM, on_signal);
	if (!(skel = steps_bpf__open())) {
		fprintf(stderr, "steps-loader: cannot open the BPF object\n");
		return 4;
	}
	skel->rodata->step = step;
	if (bpf_map__set_max_entries(skel->maps.slots, pid_max()) ||
	    steps_bpf__load(skel)) {
		fprintf(stderr, "steps-loader: cannot load the BPF programs\n");
		goto out;
	}
	if (steps_bpf__attach(skel)) {
		fprintf(stderr, "steps-loader: cannot attach the BPF programs\n");
		goto out;
	}
	if (!(rb = ring_buffer__new(bpf_map__fd(skel->maps.events), on_event,
				    NULL, NULL))) {
		fprintf(stderr, "steps-loader: cannot read the ring buffer\n");
		goto out;
	}
	printf("ready\n");
	fflush(stdout);
	/*
	 * The programs write without a wakeup, as ior-trace's do most of
	 * the time, so epoll would never report the ring: it is read on a
	 * clock instead.
	 */
	while (!done) {
		/* no system call: nothing to interrupt */
		if (ring_buffer__consume(rb) < 0) {
			fprintf(stderr, "steps-loader: reading the ring buffer failed\n");
			goto out;
		}
		usleep(10000);
	}
	rc = 0;
	if (skel->bss->lost) {
		fprintf(stderr, "steps-loader: %llu events lost to a full ring\n",
			(unsigned long long)skel->bss->lost);
		rc = 1;
	}
out:
	ring_buffer__free(rb);
	steps_bpf__destroy(skel);
	return rc;
}
