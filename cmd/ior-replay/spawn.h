/*
 * spawn.h - where replay processes come from. fork() is only ever called
 * by a single-threaded process: the master, or a replay process that has
 * never had a thread besides its first. A thread of any other replay
 * process asks the master to fork the new process, and hands it its
 * descriptors.
 */
#ifndef REPLAY_SPAWN_H
#define REPLAY_SPAWN_H

#include <stdint.h>

/* The master, before the first fork. */
void spawn_init(void);
/* In a process the master has just forked: what only the master keeps. */
void spawn_in_child(void);
/* The calling process is about to start a second thread. */
void spawn_threaded(void);
/*
 * sched:fork of a process, by the calling thread: a new replay process
 * with the calling thread's descriptors runs thread t.
 */
void spawn_fork(uint32_t t);
/* The master: the descriptor the requests come on, to wait for. */
int spawn_fd(void);
/*
 * A replay process wakes the master (window.h), on the socket fork
 * requests come on: no descriptor more in any replay process, whose
 * own are numbered as the captured ones were.
 */
void spawn_kick(void);
/*
 * The master: fork a process for each request waiting (drop them when
 * refuse). Returns how many were forked, or -1 when fork failed.
 */
int spawn_serve(int refuse);

#endif
