/*
 * capture.c - the BPF programs: their skeleton, from load to destroy.
 *
 * Which calls the programs capture, and how, is the table of calls
 * (lib/calls.h): before load, each row's capture column and the
 * registers of its string arguments go into the rodata call_cap, by
 * number, so that the BPF code names only what it reads of a call alone.
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "ior.h"
#include "capture.h"
#include "decode.h"
#include "ior-trace.skel.h"
#include "options.h"
#include "procfs.h"

_Static_assert((int)IOR_CALL_REGS == (int)IOR_CAPTURE_REGS &&
	       (int)IOR_CALL_FULL == (int)IOR_CAPTURE_FULL &&
	       (int)IOR_CALL_ENTRY == (int)IOR_CAPTURE_ENTRY,
	       "ior-trace.h and ior.h disagree on how calls are captured");

static struct ior_trace_bpf *skel;

/* One slot per possible tid in the threads array: 16 bytes each. */
static uint32_t pid_max(void)
{
	char line[32];
	long v;

	if (read_file_line("/proc/sys/kernel/pid_max", line, sizeof(line)) < 0 ||
	    (v = atol(line)) <= 0)
		return 1 << 22;		/* the kernel's limit */
	return v;
}

/*
 * What the programs must know of row c, a call of ABI abi, to capture
 * it: how, whether its RET is bytes, and whether it is sampled.
 */
static void fill_cap(const struct trace_opts *o, int abi, int nr,
		     const struct ior_call *c)
{
	struct ior_call_cap *cap = &skel->rodata->call_cap[abi][nr];
	uint8_t ret = ior_calls[c->native].ret;
	int nstr = 0;

	if (nr >= IOR_NR_MAX)
		ior_errx(IOR_EXIT_SYS, "calls.h: %s: number %d above "
			 "IOR_NR_MAX", c->name, nr);
	skel->rodata->call_any[nr] = 1;
	cap->cls = c->capture;
	cap->native = ior_calls[c->native].nr64;
	cap->bytes = ret == IOR_RET_READ || ret == IOR_RET_WRITE ||
		     ret == IOR_RET_COPY;
	cap->sample = o->sample[c->native];
	for (int i = 0; i < c->nargs; i++) {
		const struct ior_arg *a = &c->args[i];

		if (a->form == IOR_FORM_CODE && !strcmp(a->key, "file"))
			cap->ret_file = 1;
		if (a->form == IOR_FORM_CODE && !strcmp(a->key, "umask"))
			cap->umask = 1;
		if (a->form != IOR_FORM_REG || (a->type != IOR_ARG_PATH &&
		    a->type != IOR_ARG_LINK && a->type != IOR_ARG_NAME))
			continue;
		if (nstr < 2 && c->capture == IOR_CAPTURE_FULL)
			cap->str[nstr] = 1 + (abi == IOR_ABI_I386 ?
					      arg_reg32(c, i) : a->reg);
		nstr++;
	}
}

/*
 * The calls of the table -e selects, into the rodata call_cap: each
 * system call by its x86_64 number, and by its i386 one (an i386 row by
 * its own, selected with its native row). A call left out has class
 * NONE and call_any 0: the programs return at their first test, and it
 * costs only the tracepoint's entry. The io_uring requests are followed
 * only with io_uring_enter, which submits them, and never counted (-a).
 */
static void fill_calls(const struct trace_opts *o)
{
	skel->rodata->uring_ops = o->traced[IOR_C_io_uring_enter] && !o->agg_ns;
	for (int id = 0; id < IOR_NCALLS; id++) {
		const struct ior_call *c = &ior_calls[id];

		if (c->capture == IOR_CAPTURE_NONE || !o->traced[c->native])
			continue;
		if (!c->abi32 && c->nr64 >= 0)
			fill_cap(o, IOR_ABI_X86_64, c->nr64, c);
		if (c->nr32 >= 0)
			fill_cap(o, IOR_ABI_I386, c->nr32, c);
	}
}

/* The ring buffer's size for ncpu CPUs (ior-trace.h). */
static uint64_t ring_size(int ncpu)
{
	uint64_t size = IOR_RINGBUF_MIN;

	while (size < IOR_RINGBUF_MAX &&
	       size < (uint64_t)(ncpu > 0 ? ncpu : 1) * IOR_RINGBUF_CPU)
		size *= 2;
	return size;
}

/*
 * The slots of a half of "aggs" on each CPU: a power of two, of
 * IOR_AGG_MEMORY over the CPUs and the two halves, from 256 to
 * IOR_AGG_HALF_MAX (each drain reads a whole half).
 */
static uint32_t agg_half(int ncpu)
{
	uint64_t n = IOR_AGG_MEMORY / sizeof(struct ior_agg) / 2 /
		     (ncpu > 0 ? ncpu : 1);
	uint32_t half = 256;

	while (half < IOR_AGG_HALF_MAX && half * 2 <= n)
		half *= 2;
	return half;
}

static int print_libbpf(enum libbpf_print_level level, const char *fmt,
			va_list ap)
{
	return level == LIBBPF_WARN ? vfprintf(stderr, fmt, ap) : 0;
}

/*
 * IOR_TRACE_VERIFIER_STATS=FILE, for tests: each program's name and the
 * verifier's "stack depth" of it and of each function it calls (the
 * kernel's own count, log level 4), one line a program. A kernel
 * without a private BPF stack refuses a chain of calls whose frames add
 * up to more than 512 bytes, which one that has one loads: the tests
 * check the sums here, on either.
 */
#define STATS_LOG 4096

static const char *stats_path;
static char *stats_logs;

static void stats_ask(void)
{
	struct bpf_program *p;
	size_t i = 0;

	if (!(stats_path = getenv("IOR_TRACE_VERIFIER_STATS")))
		return;
	bpf_object__for_each_program(p, skel->obj)
		i++;
	stats_logs = ior_xcalloc(i ? i : 1, STATS_LOG);
	i = 0;
	bpf_object__for_each_program(p, skel->obj) {
		bpf_program__set_log_level(p, 4);
		bpf_program__set_log_buf(p, stats_logs + i++ * STATS_LOG,
					 STATS_LOG);
	}
}

/* A program not loaded has an empty log: no line. */
static void stats_write(void)
{
	struct bpf_program *p;
	size_t i = 0;
	FILE *f;

	if (!stats_path)
		return;
	if (!(f = fopen(stats_path, "w")))
		ior_err(IOR_EXIT_SYS, "%s", stats_path);
	bpf_object__for_each_program(p, skel->obj) {
		const char *log = stats_logs + i++ * STATS_LOG;
		const char *d = strstr(log, "stack depth ");

		if (d)
			fprintf(f, "%s %.*s\n", bpf_program__name(p),
				(int)strcspn(d + 12, "\n"), d + 12);
	}
	if (fclose(f))
		ior_err(IOR_EXIT_SYS, "%s", stats_path);
	free(stats_logs);
	stats_logs = NULL;
}

void capture_load(const struct trace_opts *o)
{
	int err, ncpu;

	libbpf_set_print(print_libbpf);
	if (!(skel = ior_trace_bpf__open()))
		ior_err(IOR_EXIT_SYS, "cannot open the BPF object");
	skel->rodata->trace_all = o->trace_all;
	skel->rodata->self_tgid = getpid();
	skel->rodata->notify_exec = o->comm_mode;
	skel->rodata->aggregate = o->agg_ns != 0;
	ncpu = libbpf_num_possible_cpus();
	bpf_map__set_max_entries(skel->maps.events, ring_size(ncpu));
	skel->rodata->wakeup_bytes = ring_size(ncpu) / 4 / (ncpu > 0 ? ncpu : 1);
	fill_calls(o);
	bpf_map__set_max_entries(skel->maps.threads, pid_max());
	if (o->agg_ns) {
		skel->rodata->agg_half = agg_half(ncpu);
		bpf_map__set_max_entries(skel->maps.aggs,
					 2 * skel->rodata->agg_half);
	}
	stats_ask();
	if ((err = ior_trace_bpf__load(skel)))
		ior_errx(IOR_EXIT_SYS, "cannot load the BPF programs: %s "
			 "(ior-trace needs root and a kernel with BTF)",
			 strerror(-err));
	stats_write();
}

/*
 * The calls' exits first: an io_uring_enter that began before capture
 * takes its start from the first request it submits (ior-trace-uring.bpf.c),
 * and its exit must then be seen. The skeleton attaches the others.
 */
void capture_attach(void)
{
	int err;

	skel->links.ior_sys_exit = bpf_program__attach(skel->progs.ior_sys_exit);
	if (!skel->links.ior_sys_exit)
		ior_errx(IOR_EXIT_SYS, "cannot attach the BPF programs: %s",
			 strerror(errno));
	if ((err = ior_trace_bpf__attach(skel)))
		ior_errx(IOR_EXIT_SYS, "cannot attach the BPF programs: %s",
			 strerror(-err));
}

void capture_detach(void)
{
	ior_trace_bpf__detach(skel);
}

void capture_destroy(void)
{
	ior_trace_bpf__destroy(skel);
	skel = NULL;
}

int events_fd(void)
{
	return bpf_map__fd(skel->maps.events);
}

size_t events_size(void)
{
	return bpf_map__max_entries(skel->maps.events);
}

int aggs_fd(void)
{
	return bpf_map__fd(skel->maps.aggs);
}

uint32_t aggs_half(void)
{
	return skel->rodata->agg_half;
}

int sampled_fd(void)
{
	return bpf_map__fd(skel->maps.sampled);
}

void set_agg_gen(uint32_t gen)
{
	__atomic_store_n(&skel->bss->agg_gen, gen, __ATOMIC_RELEASE);
}

int uring_reqs_fd(void)
{
	return bpf_map__fd(skel->maps.uring_reqs);
}

int uring_paths_fd(void)
{
	return bpf_map__fd(skel->maps.uring_paths);
}

/*
 * Set the state of thread tid in the array the BPF programs test. A
 * call in flight (the second pass) is kept.
 */
static void mark_thread(int tid, uint32_t state)
{
	int fd = bpf_map__fd(skel->maps.threads);
	struct ior_thread th = { 0 };
	uint32_t key = tid;

	if (bpf_map_lookup_elem(fd, &key, &th) < 0) {
		ior_warnx("thread %d: above pid_max, not traced", tid);
		return;
	}
	if (th.state == state)
		return;
	th.state = state;
	th.time = 0;
	if (bpf_map_update_elem(fd, &key, &th, BPF_ANY))
		ior_err(IOR_EXIT_SYS, "threads map");
}

/*
 * Set the state of process pid, then of each of its threads. Threads
 * made after the first step get theirs from the fork program.
 */
void set_tgid(int pid, uint32_t state)
{
	char path[64];
	struct dirent *d;
	uint32_t key = pid;
	DIR *dir;

	if (bpf_map_update_elem(bpf_map__fd(skel->maps.tgids), &key, &state,
				BPF_ANY))
		ior_err(IOR_EXIT_SYS, "tgids map");
	snprintf(path, sizeof(path), "/proc/%d/task", pid);
	if (!(dir = opendir(path)))
		return;
	while ((d = readdir(dir)))
		if (d->d_name[0] >= '1' && d->d_name[0] <= '9')
			mark_thread(atoi(d->d_name), state);
	closedir(dir);
}

bool any_traced(void)
{
	int fd = bpf_map__fd(skel->maps.tgids);
	uint32_t key, next, state;
	uint32_t *prev = NULL;

	while (bpf_map_get_next_key(fd, prev, &next) == 0) {
		if (bpf_map_lookup_elem(fd, &next, &state) == 0 &&
		    (state == IOR_TGID_TRACED || state == IOR_TGID_ARMED))
			return true;
		key = next;
		prev = &key;
	}
	return false;
}

uint64_t capture_counter(enum ior_counter which)
{
	int ncpu = libbpf_num_possible_cpus();
	uint64_t vals[ncpu > 0 ? ncpu : 1], sum = 0;
	uint32_t key = which;

	if (ncpu <= 0 || bpf_map_lookup_elem(bpf_map__fd(skel->maps.counters),
					     &key, vals))
		return 0;
	for (int i = 0; i < ncpu; i++)
		sum += vals[i];
	return sum;
}

uint64_t missed_runs(void)
{
	struct bpf_program *prog;
	uint64_t sum = 0;

	bpf_object__for_each_program(prog, skel->obj) {
		struct bpf_prog_info info = { 0 };
		uint32_t len = sizeof(info);

		if (bpf_obj_get_info_by_fd(bpf_program__fd(prog), &info,
					   &len) == 0)
			sum += info.recursion_misses;
	}
	return sum;
}
