/*
 * watchdog.h - the stall watchdog: a replay in which no thread has done
 * an operation for -W seconds (the program's own waits for its captured
 * times not counted) is reported and stopped. Each replay thread notes
 * the op it issues in a shared mapping, one relaxed store per op; the
 * master looks at the notes as it waits.
 */
#ifndef REPLAY_WATCHDOG_H
#define REPLAY_WATCHDOG_H

#include <stdint.h>

#include "program.h"

/* A stalled replay is one that differs from its capture: the program
   could not go on in its order here. Not a system error (4), which says
   the machine failed the replay. */
#define IOR_EXIT_STALL IOR_EXIT_NONE

/* What a thread's note says besides an op index. */
#define AT_IDLE NONE		/* not started */
#define AT_BEGUN (NONE - 1)	/* started, no op issued yet */
#define AT_ENDED (NONE - 2)	/* every op issued */

/* Thread t's note, alone on its cache line. */
struct thread_at {
	uint32_t at;
} __attribute__((aligned(64)));
extern struct thread_at *thread_at;

/* Thread t now issues op i (or AT_BEGUN, AT_ENDED). */
static inline void note_at(uint32_t t, uint32_t i)
{
	__atomic_store_n(&thread_at[t].at, i, __ATOMIC_RELAXED);
}

/* The master, before the first fork. */
void watchdog_init(void);
/*
 * The master, now and then: true when the replay has stalled, after
 * saying so and which ops are stuck on standard error.
 */
int watchdog_look(uint64_t now);
/* The ns between looks that keep a stall's report within a tenth of -W. */
uint64_t watchdog_every(void);
/*
 * After the replay was stopped: the ops that were in their call then,
 * sorted; *n of them (the caller frees the array).
 */
uint32_t *in_their_call(uint32_t *n);

#endif
