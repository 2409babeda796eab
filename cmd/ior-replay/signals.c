/*
 * signals.c - stopping a replay from outside (signals.h).
 *
 * The master blocks SIGCHLD and the stop signals (SIGTERM, SIGINT,
 * SIGHUP) and reads them from a signalfd as it waits: no handler
 * interrupts anything. A stop signal ignored when ior-replay started
 * (nohup, a background job of a shell without job control) stays
 * ignored.
 *
 * The replay processes are one process group, led by the first that the
 * master forked, or, once that group has died out, by the next. Passing
 * a signal to every replay process, descendants of descendants included,
 * is then one kill(-group); the group stays apart from the shell's job,
 * in which the master stays, so that nothing else in a pipeline is hit.
 *
 * Dying with the master: the processes the master forks have
 * PR_SET_PDEATHSIG (the master is single-threaded, so its "parent
 * thread" is the master itself). Their own children cannot use it: their
 * parent thread may end long before the master, and the capture's
 * children outlive their parents. For them, every replay process holds
 * the read end of a pipe whose only write end the master holds, set to
 * send SIGKILL to the group (F_SETOWN, F_SETSIG, O_ASYNC) when the last
 * writer goes: when the master dies, however it dies, the kernel kills
 * the whole group.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <linux/futex.h>
#include <poll.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/signalfd.h>
#include <time.h>
#include <unistd.h>

#include "ior.h"
#include "shared.h"
#include "signals.h"
#include "watchdog.h"

struct stop stop;

static const int stop_sigs[] = { SIGTERM, SIGINT, SIGHUP };
static sigset_t handled;	/* SIGCHLD and the stop signals watched */
static sigset_t old_mask;	/* the mask ior-replay started with */
static int sfd = -1;		/* their signalfd */
static int nstops, taken;	/* stop signals received; returned */
static int first;		/* the first */
static pid_t master, group;
static int death[2] = { -1, -1 };

void signals_init(void)
{
	struct sigaction was;

	master = getpid();
	sigemptyset(&handled);
	sigaddset(&handled, SIGCHLD);
	for (size_t i = 0; i < sizeof(stop_sigs) / sizeof(stop_sigs[0]); i++)
		if (sigaction(stop_sigs[i], NULL, &was) == 0 &&
		    was.sa_handler != SIG_IGN)
			sigaddset(&handled, stop_sigs[i]);
	if (sigprocmask(SIG_BLOCK, &handled, &old_mask) < 0)
		ior_err(IOR_EXIT_SYS, "sigprocmask");
	if ((sfd = signalfd(-1, &handled, SFD_NONBLOCK | SFD_CLOEXEC)) < 0)
		ior_err(IOR_EXIT_SYS, "signalfd");

	if (pipe2(death, O_CLOEXEC) < 0)
		ior_err(IOR_EXIT_SYS, "pipe");
	if (fcntl(death[0], F_SETSIG, SIGKILL) < 0 ||
	    fcntl(death[0], F_SETFL, O_ASYNC) < 0)
		ior_err(IOR_EXIT_SYS, "fcntl");
}

void signals_child(void)
{
	sigset_t mask = old_mask;

	close(sfd);
	close(death[1]);
	if (setpgid(0, group) < 0 && setpgid(0, 0) < 0)
		_exit(IOR_EXIT_SYS);
	/* The master may have died before the prctl: then no signal comes. */
	if (prctl(PR_SET_PDEATHSIG, SIGKILL) < 0 || getppid() != master)
		_exit(IOR_EXIT_SYS);
	/* The stop signals end a replay process, even if they came blocked. */
	for (size_t i = 0; i < sizeof(stop_sigs) / sizeof(stop_sigs[0]); i++)
		sigdelset(&mask, stop_sigs[i]);
	sigprocmask(SIG_SETMASK, &mask, NULL);
}

void signals_forked(pid_t pid)
{
	/* Both sides set the group: whichever runs first, it is set. */
	if (group > 0 && setpgid(pid, group) == 0)
		return;
	/* The first, or the group died out: pid leads a new one. */
	if (setpgid(pid, pid) < 0)
		return;		/* pid has already ended */
	group = pid;
	if (fcntl(death[0], F_SETOWN, -group) < 0)
		ior_err(IOR_EXIT_SYS, "fcntl");
}

void signals_go(void)
{
	__atomic_store_n(&sh->go, 1, __ATOMIC_RELEASE);
	futex(&sh->go, FUTEX_WAKE, INT_MAX);
}

void signals_wait_go(void)
{
	while (!__atomic_load_n(&sh->go, __ATOMIC_ACQUIRE))
		futex_wait(&sh->go, 0, 0);
}

int signals_wait(struct pollfd *p, int n, uint64_t ns)
{
	struct pollfd all[4] = { { .fd = sfd, .events = POLLIN } };
	struct timespec ts = { ns / 1000000000, ns % 1000000000 };
	struct signalfd_siginfo si;

	if (n > 3)
		n = 3;
	if (n)
		memcpy(all + 1, p, n * sizeof(*p));
	if (taken == nstops && ppoll(all, n + 1, &ts, NULL) < 0 &&
	    errno != EINTR)
		ior_err(IOR_EXIT_SYS, "ppoll");
	if (n)
		memcpy(p, all + 1, n * sizeof(*p));
	while (read(sfd, &si, sizeof(si)) == sizeof(si))
		if (si.ssi_signo != SIGCHLD && !nstops++)
			first = si.ssi_signo;
	if (taken == nstops)
		return 0;
	return taken++ ? SIGKILL : first;
}

void signals_pass(int sig)
{
	if (group > 0)
		kill(-group, sig);
}

void stop_set(enum stop_why why, int sig)
{
	if (stopped())
		return;
	stop.why = why;
	stop.sig = sig;
	stop.at = now_ns();
}

const char *stop_reason(void)
{
	static char name[16];

	switch (stop.why) {
	case STOP_SIGNAL:
		snprintf(name, sizeof(name), "SIG%s", sigabbrev_np(stop.sig));
		return name;
	case STOP_STALL:
		return "stall";
	case STOP_FAILED:
		return "failed";
	default:
		return "";
	}
}

int stop_status(void)
{
	sigset_t one;

	if (stop.why == STOP_FAILED) {
		ior_warnx("replay failed: the results of what was done are written");
		return IOR_EXIT_SYS;
	}
	if (stop.why == STOP_STALL)
		return IOR_EXIT_STALL;
	if (stop.why != STOP_SIGNAL)
		return IOR_EXIT_OK;
	signal(stop.sig, SIG_DFL);
	sigemptyset(&one);
	sigaddset(&one, stop.sig);
	sigprocmask(SIG_UNBLOCK, &one, NULL);
	raise(stop.sig);
	return 128 + stop.sig;
}
