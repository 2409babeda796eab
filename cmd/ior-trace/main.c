/*
 * ior-trace - capture the file system calls of chosen processes with eBPF
 * and write them as an ior-format(5) trace stream.
 *
 * The BPF side (bpf/ior-trace*.bpf.c) pairs enter and exit in the kernel;
 * this side chooses the processes, reports what they hold open when
 * capture starts, launches a command, and formats the ring buffer. The
 * files, by concern:
 *
 *   main.c      the run, from the command line to the trailer
 *   options.c   the command line, and the processes chosen
 *   select.c    the calls captured (-e) and sampled (--sample)
 *   capture.c   the BPF programs: load (from the table of calls), attach
 *   ringbuf.c   the reader of the ring buffer
 *   events.c    each event made into records
 *   decode.c    a system call read with its row of lib/calls.h
 *   syscall.c   its record, argument by argument, and the keys of its own
 *   agg.c       what is counted, not written: -a's records, --sample's
 *               totals
 *   aio.c       Linux AIO requests, from submission to reaping
 *   uring.c     io_uring requests, and the io_uring calls' keys
 *   procview.c  what each traced process sees: cwd, root, directories
 *   procfs.c    what /proc says: the snapshot when capture starts
 *   output.c    the stream, its clock, and how values are written
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/utsname.h>
#include <sys/wait.h>
#include <unistd.h>

#include "agg.h"
#include "aio.h"
#include "capture.h"
#include "events.h"
#include "options.h"
#include "output.h"
#include "procfs.h"
#include "ringbuf.h"
#include "uring.h"

#define POLL_MS 100

/* stop_signals counts SIGINT and SIGTERM: trace_out gives up a write
 * one of them interrupts (lib/out.c), however the first one came. */
static volatile sig_atomic_t stop_signals, child_exited;

static void on_signal(int sig)
{
	if (sig == SIGCHLD)
		child_exited = 1;
	else
		stop_signals++;
}

/*
 * Fork cmd, held until a byte is written to *gate; *held is the child's
 * end, a descriptor the command never sees (close-on-exec). With the
 * trace on stdout, the command's stdout goes to stderr instead.
 */
static pid_t start_command(char **cmd, bool trace_on_stdout, int *gate,
			   int *held)
{
	int p[2];
	pid_t pid;
	ssize_t n;
	char c;

	if (pipe2(p, O_CLOEXEC) < 0)
		ior_err(IOR_EXIT_SYS, "pipe");
	if ((pid = fork()) < 0)
		ior_err(IOR_EXIT_SYS, "fork");
	if (pid == 0) {
		close(p[1]);
		if (trace_on_stdout && dup2(2, 1) < 0)
			_exit(127);
		do
			n = read(p[0], &c, 1);
		while (n < 0 && errno == EINTR);
		if (n != 1)	/* ior-trace failed before attaching */
			_exit(127);
		execvp(cmd[0], cmd);
		ior_warn("%s", cmd[0]);
		_exit(127);
	}
	close(p[0]);
	*gate = p[1];
	*held = p[0];
	return pid;
}

/*
 * The processes -p and -c never choose, nor walk through to their
 * children, into o->skip: other captures (tracers), and with the trace
 * on a pipe, the stages that read it (readers), whose reads of the
 * trace would make events of it. Added to at each call.
 */
static void choose_skipped(struct trace_opts *o, pid_t child,
			   struct pidset *tracers, struct pidset *readers)
{
	find_tracers(tracers, child);
	if (!o->output && !o->trace_all)
		find_readers(readers, child);
	for (size_t i = 0; i < tracers->n; i++)
		pidset_add(&o->skip, tracers->v[i]);
	for (size_t i = 0; i < readers->n; i++)
		pidset_add(&o->skip, readers->v[i]);
}

/* Their states, for the programs: after any other a walk gave them. */
static void mark_skipped(const struct pidset *tracers,
			 const struct pidset *readers)
{
	for (size_t i = 0; i < readers->n; i++)
		set_tgid(readers->v[i], IOR_TGID_EXCLUDED);
	for (size_t i = 0; i < tracers->n; i++)
		set_tgid(tracers->v[i], IOR_TGID_TRACER);
}

/*
 * The stream's header: magic, then host (--host or the node name),
 * kernel, epoch and command line; and what makes it an aggregate or a
 * sampled capture.
 */
static void write_header(const struct trace_opts *o, uint64_t wall0,
			 int argc, char **argv)
{
	struct utsname uts;
	const char *host = o->host;

	uname(&uts);
	if (!host)
		host = uts.nodename;
	ior_put_magic(&trace_out, IOR_KIND_TRACE);
	ior_puts(&trace_out, "#meta ior-trace host=");
	ior_put_esc(&trace_out, host, strlen(host));
	ior_puts(&trace_out, " kernel=");
	ior_put_esc(&trace_out, uts.release, strlen(uts.release));
	ior_puts(&trace_out, " epoch=");
	ior_put_time(&trace_out, wall0);
	ior_puts(&trace_out, " argv=");
	for (int i = 0; i < argc; i++) {
		if (i)
			ior_put_esc(&trace_out, " ", 1);
		ior_put_esc(&trace_out, argv[i], strlen(argv[i]));
	}
	if (o->agg_ns) {
		ior_puts(&trace_out, " aggregate=");
		ior_put_time(&trace_out, o->agg_ns);
	}
	put_sample_meta(o);
	ior_putc(&trace_out, '\n');
}

/*
 * Read the ring until a signal, the deadline, the command's exit, the
 * end of the -p processes or of the reader of the stream. Returns 1
 * when the command was reaped (its status in *status).
 */
static bool capture_loop(const struct trace_opts *o, struct event_ring *rb,
			 pid_t child, int outfd, int *status)
{
	bool out_is_pipe;
	struct stat st;
	uint64_t deadline = 0, drain = 0;
	size_t n;

	out_is_pipe = fstat(outfd, &st) == 0 && S_ISFIFO(st.st_mode);
	/* at most DURATION_MAX s after a boot-time clock: no overflow */
	if (o->duration_ns)
		deadline = now_ns() + o->duration_ns;
	if (o->agg_ns)
		drain = epoch_mono() + o->agg_ns;
	/*
	 * ring_poll() reads a bounded batch: between two, the clock and
	 * the signals are looked at again, and a batch that left records
	 * waiting is followed at once, without a wait.
	 */
	while (!stop_signals) {
		int ms = rb->more ? 0 : POLL_MS;

		if (deadline) {
			uint64_t now = now_ns();

			if (now >= deadline)
				break;
			if (deadline - now < (uint64_t)ms * 1000000)
				ms = (deadline - now) / 1000000 + 1;
		}
		/* -a: the end of each interval, on time whatever the load */
		if (drain) {
			uint64_t now = now_ns();

			if (now >= drain) {
				agg_drain(drain, false);
				drain += o->agg_ns;
				if (drain <= now)	/* fell behind: skip ahead */
					drain = now + o->agg_ns;
				continue;
			}
			if (drain - now < (uint64_t)ms * 1000000)
				ms = (drain - now) / 1000000 + 1;
		}
		n = ring_poll(rb, ms);
		ior_flush(&trace_out);
		if (trace_out.broken)
			break;		/* the reader went away */
		if (child > 0 && child_exited &&
		    waitpid(child, status, WNOHANG) == child)
			return true;
		/* -p alone: stop when all its processes are gone */
		if (n == 0 && child < 0 && !o->comm_mode && !o->trace_all &&
		    !any_traced())
			break;
		/* a closed reader, seen before we write to it: stop */
		if (n == 0 && out_is_pipe) {
			struct pollfd pfd = { .fd = outfd };

			if (poll(&pfd, 1, 0) == 1 && (pfd.revents & POLLERR)) {
				trace_out.broken = 1;
				break;
			}
		}
	}
	return false;
}

/* What was lost, to stderr and in the #stat trailer; -a's and --sample's. */
static void write_trailer(const struct trace_opts *o)
{
	unsigned long long drops = capture_counter(IOR_CNT_DROPS);
	unsigned long long unpaired = capture_counter(IOR_CNT_UNPAIRED);
	unsigned long long missed = missed_runs();
	unsigned long long nrecords = records_written();
	unsigned long long rlost = rights_lost(), undecoded = calls_undecoded();
	unsigned long long alost = aio_lost() + capture_counter(IOR_CNT_AIO_LOST);
	unsigned long long aunknown = aio_unknown();
	unsigned long long aunpaired = aio_unpaired();
	unsigned long long ulost = capture_counter(IOR_CNT_URING_LOST);
	unsigned long long glost = capture_counter(IOR_CNT_AGG_LOST);

	if (trace_out.abandoned)
		ior_warnx("the reader stopped reading: output abandoned at a "
			  "signal after %llu records", nrecords);
	else if (trace_out.broken)
		ior_warnx("the reader went away: capture stopped after %llu "
			  "records", nrecords);
	if (drops || unpaired || missed || trace_out.broken)
		ior_warnx("lost events: drops=%llu unpaired=%llu missed=%llu",
			  drops, unpaired, missed);
	if (rlost)
		ior_warnx("%llu descriptor%s received by recvmsg closed before "
			  "they could be read in /proc: no ior:fd", rlost,
			  rlost == 1 ? "" : "s");
	if (undecoded)
		ior_warnx("%llu call%s of no row of the table: not written",
			  undecoded, undecoded == 1 ? "" : "s");
	if (alost)
		ior_warnx("%llu AIO request%s or completion%s not followed: "
			  "over ior-trace's bounds, unreadable or dropped "
			  "(aio_lost)", alost, alost == 1 ? "" : "s",
			  alost == 1 ? "" : "s");
	if (aunknown)
		ior_warnx("%llu AIO completion%s of %s submitted before the "
			  "capture began: not written (aio_unknown)", aunknown,
			  aunknown == 1 ? "" : "s",
			  aunknown == 1 ? "a request" : "requests");
	if (aunpaired)
		ior_warnx("%llu AIO request%s whose completion could not be "
			  "told from another's: written with pair=unknown "
			  "(aio_unpaired)", aunpaired, aunpaired == 1 ? "" : "s");
	if (ulost)
		ior_warnx("%llu io_uring request%s not followed: over "
			  "ior-trace's bounds, or posting no completion "
			  "(uring_lost)", ulost, ulost == 1 ? "" : "s");
	if (glost)
		ior_warnx("%llu call%s not counted: more processes and calls "
			  "than the aggregate map holds (agg_lost)", glost,
			  glost == 1 ? "" : "s");
	ior_printf(&trace_out, "#stat ior-trace events=%llu drops=%llu "
		   "unpaired=%llu missed=%llu", nrecords, drops, unpaired,
		   missed);
	if (rlost)
		ior_printf(&trace_out, " rights_lost=%llu", rlost);
	if (undecoded)
		ior_printf(&trace_out, " undecoded=%llu", undecoded);
	if (alost || aunknown || aunpaired)
		ior_printf(&trace_out, " aio_lost=%llu aio_unknown=%llu "
			   "aio_unpaired=%llu", alost, aunknown, aunpaired);
	if (ulost)
		ior_printf(&trace_out, " uring_lost=%llu", ulost);
	if (o->agg_ns)
		ior_printf(&trace_out, " agg_lost=%llu", glost);
	ior_putc(&trace_out, '\n');
	put_sample_totals(o);
}

int main(int argc, char **argv)
{
	struct trace_opts opts = { 0 };
	struct pidset excluded = { 0 }, tracers = { 0 }, readers = { 0 };
	struct sigaction sa = { .sa_handler = on_signal };
	struct event_ring rb;
	pid_t child = -1;
	int gate = -1, held = -1, outfd = 1, status = 0, exit_code = 0;
	bool child_reaped;
	uint64_t wall0;

	ior_setprogname(argv[0]);
	opts_parse(&opts, argc, argv);

	/* Before anything else is open, so the command inherits only ours. */
	if (opts.cmd)
		child = start_command(opts.cmd, !opts.output, &gate, &held);
	if (opts.output && (outfd = open(opts.output, O_WRONLY | O_CREAT |
					 O_TRUNC | O_CLOEXEC, 0644)) < 0)
		ior_err(IOR_EXIT_SYS, "%s", opts.output);
	ior_out_init(&trace_out, outfd, opts.output);
	trace_out.survive_epipe = 1;	/* a closed reader stops the capture */
	trace_out.signals = &stop_signals;
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGCHLD, &sa, NULL);

	events_init(&opts);
	capture_load(&opts);

	/* Choose the processes before attaching: nothing is missed. */
	if (opts.trace_all) {
		find_pipeline(&excluded);
		for (size_t i = 0; i < excluded.n; i++)
			set_tgid(excluded.v[i], IOR_TGID_EXCLUDED);
	}
	choose_skipped(&opts, child, &tracers, &readers);
	add_comm_matches(&opts, &opts.skip);
	for (size_t i = 0; i < opts.pids.n; i++)
		set_tgid(opts.pids.v[i], IOR_TGID_TRACED);
	mark_skipped(&tracers, &readers);
	if (child > 0)
		set_tgid(child, IOR_TGID_ARMED);

	wall0 = set_epoch();
	agg_init(epoch_mono());
	capture_attach();
	/*
	 * Threads and children made before the fork program was attached
	 * have no state yet: look again, now that later ones are followed;
	 * and for other captures, now that the exec program sees later ones.
	 */
	choose_skipped(&opts, child, &tracers, &readers);
	if (opts.pids.n) {
		add_descendants(&opts.pids, &opts.skip);
		for (size_t i = 0; i < opts.pids.n; i++)
			set_tgid(opts.pids.v[i], IOR_TGID_TRACED);
	}
	mark_skipped(&tracers, &readers);
	ring_open(&rb, events_fd(), events_size());
	write_header(&opts, wall0, argc, argv);

	/*
	 * What the processes hold, after attaching: nothing falls between.
	 * An aggregate writes no process records.
	 */
	for (size_t i = 0; i < opts.pids.n && !opts.agg_ns; i++)
		write_process(opts.pids.v[i], -1);
	if (child > 0) {
		if (!opts.agg_ns)
			write_process(child, held);
		ior_flush(&trace_out);
		if (write(gate, "g", 1) != 1)
			ior_err(IOR_EXIT_SYS, "starting the command");
		close(gate);
	}
	ior_flush(&trace_out);
	if (opts.trace_all)
		ior_warnx("tracing system-wide, without the %zu process%s of "
			  "this pipeline", excluded.n,
			  excluded.n == 1 ? "" : "es");
	else if (child < 0)
		ior_warnx("tracing %zu process%s", opts.pids.n,
			  opts.pids.n == 1 ? "" : "es");
	if (tracers.n)
		ior_warnx("not tracing %zu other ior-trace process%s",
			  tracers.n, tracers.n == 1 ? "" : "es");
	if (readers.n)
		ior_warnx("not tracing %zu process%s reading its output",
			  readers.n, readers.n == 1 ? "" : "es");

	child_reaped = capture_loop(&opts, &rb, child, outfd, &status);
	/*
	 * The capture ends here: detached, the programs write no more, and
	 * what they wrote is read to its end, however busy the processes.
	 */
	capture_detach();
	if (!trace_out.broken) {
		ring_drain(&rb);
		aio_flush(0);
		uring_flush(uring_reqs_fd(), uring_paths_fd());
		if (opts.agg_ns)
			agg_drain(now_ns(), true);
	}
	write_trailer(&opts);

	ior_out_close(&trace_out);
	ring_close(&rb);
	capture_destroy();
	opts_free(&opts);
	free(excluded.v);
	free(tracers.v);
	free(readers.v);
	if (child_reaped)
		exit_code = WIFSIGNALED(status) ? 128 + WTERMSIG(status) :
			    WEXITSTATUS(status);
	return exit_code;
}
