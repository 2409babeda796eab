/*
 * uring.h - io_uring: the rings a replay process set up, the requests
 * (issued by their io_uring_enter, or alone where none was captured),
 * and the calls on rings.
 */
#ifndef REPLAY_URING_H
#define REPLAY_URING_H

#include <stdint.h>

#include "issue.h"
#include "shared.h"

/* Before the first fork: what requests hold, and the rings' lock. */
void uring_init(void);
/* Closing fd: if it is a ring's last descriptor, the ring goes. */
int ring_close(int fd);
/* A request without an io_uring_enter: submitted alone, waited for. */
void uring_alone(struct thread_state *w, uint32_t j);
/*
 * A thread is made (counted by its maker before it runs, as
 * aio_thread_begin), and ends: reap what its requests left in flight
 * (those it went past unsettled: pend); the process's last thread stops
 * the watchers of its rings' completions.
 */
/*
 * Streamed, a thread about to sleep (for an op the window has not
 * loaded, for an op it must follow): take the completions its process's
 * rings hold (window.h). Returns whether a request is still in flight
 * on them (or they were busy, in another thread's hands): then it
 * sleeps at most URING_IDLE_NS, to take them again.
 */
#define URING_IDLE_NS 1000000l
int uring_reap_idle(void);
void uring_thread_begin(void);
void uring_thread_end(struct pending *pend);
issue_fn issue_uring;

#endif
