/*
 * limits.h - the program against the machine, before anything runs: the
 * tasks it starts, the mappings a replay process holds, the bytes it may
 * add to the root's filesystem. The master checks once the program is
 * loaded.
 */
#ifndef REPLAY_LIMITS_H
#define REPLAY_LIMITS_H

/*
 * Refuse (exit 4) a program that needs more than the machine has, saying
 * which limit, what the program needs and what the machine has; with
 * --ignore-limits (opt.ignore_limits) say so and go on.
 */
void check_limits(void);

#endif
