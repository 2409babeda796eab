/*
 * start.h - --start-at: a replay whose TIME 0 is a wall-clock instant,
 * so that replays launched on many hosts (pdsh, clush) start together.
 */
#ifndef REPLAY_START_H
#define REPLAY_START_H

#include <stdint.h>

/*
 * TIME as --start-at takes it, in ns since the epoch: seconds since the
 * epoch with up to nine decimals, or HH:MM:SS[.frac] of today, local
 * time. Returns -1 when s is neither.
 */
int start_at_parse(const char *s, uint64_t *ns);
/* CLOCK_REALTIME now, in ns since the epoch. */
uint64_t wall_now_ns(void);
/*
 * Sleep on the wall clock until lead ns before at, then return the
 * CLOCK_MONOTONIC instant of at: the replay's TIME 0, which the existing
 * monotonic timing takes from there; *wall is its wall-clock time, at.
 * When at has already passed (the preparation took longer), it says so
 * and returns now (and *wall now). A stop signal
 * received while it sleeps stops the replay before it starts (stop_set).
 */
uint64_t start_wait(uint64_t at, uint64_t lead, uint64_t *wall);

#endif
