/*
 * signals.h - stopping a replay from outside, and the replay processes
 * ending with ior-replay. Every replay process is in one process group,
 * apart from ior-replay's own (its shell's job): SIGTERM, SIGINT and
 * SIGHUP to ior-replay are passed to that group, which ends, and the
 * results so far are written. Replay processes die with ior-replay, also
 * when it is killed with SIGKILL.
 */
#ifndef REPLAY_SIGNALS_H
#define REPLAY_SIGNALS_H

#include <poll.h>
#include <stdint.h>
#include <sys/types.h>

/*
 * A replay stopped before its end: why, and when (CLOCK_MONOTONIC). The
 * first reason is kept; whatever the reason, the results are written
 * with the ops not done by then marked skip=stopped (results.c), and
 * ior-replay ends as stop_status() says.
 */
enum stop_why {
	STOP_NONE,
	STOP_SIGNAL,		/* a stop signal sent to ior-replay: sig */
	STOP_STALL,		/* the watchdog found it stalled (watchdog.h) */
	STOP_FAILED,		/* a replay process could not be made, or died */
};
struct stop {
	enum stop_why why;
	int sig;		/* STOP_SIGNAL: the signal */
	uint64_t at;
};
extern struct stop stop;

static inline int stopped(void)
{
	return stop.why != STOP_NONE;
}

/* The master: the replay stops, for why (and sig), unless it already has. */
void stop_set(enum stop_why why, int sig);
/* The trailer's interrupted= value: SIGTERM, SIGINT, SIGHUP, stall, failed. */
const char *stop_reason(void);

/* The master, before the first fork. */
void signals_init(void);
/*
 * The processes the master forks at the start wait (signals_wait_go)
 * until it has made them a group and set it to die with the master
 * (signals_go): none of them forks before.
 */
void signals_go(void);
void signals_wait_go(void);
/*
 * In a process the master has just forked: into the replay's group, to
 * die with the master, with the signals it watches back to their
 * defaults.
 */
void signals_child(void);
/* In the master, after it forked pid: pid is in the replay's group. */
void signals_forked(pid_t pid);
/*
 * The master's wait for what to do next: until a signal (a child's end,
 * one of the stop signals), one of the n descriptors p is ready, or ns
 * pass. Returns 0, or, for a stop signal received and not yet returned,
 * the first one, then SIGKILL for each that follows: asked again, the
 * replay processes are killed.
 */
int signals_wait(struct pollfd *p, int n, uint64_t ns);
/* Send sig to every replay process. */
void signals_pass(int sig);
/*
 * After the results are written: a replay stopped by a signal ends by
 * that signal, as if it had not caught it. Otherwise returns the exit
 * status: 0, 4 (IOR_EXIT_SYS, said so) when it failed, or
 * IOR_EXIT_STALL (1, a replay that differs: it could not go on) when the watchdog stopped it.
 */
int stop_status(void);

#endif
