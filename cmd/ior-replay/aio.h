/*
 * aio.h - Linux AIO: the contexts a replay process set up, its requests
 * (issued by their io_submit, settled by whichever call reaps them), and
 * the calls on them.
 */
#ifndef REPLAY_AIO_H
#define REPLAY_AIO_H

#include <stdint.h>

#include "issue.h"
#include "shared.h"

/* Before the first fork: the requests' iocbs, and the lock. */
void aio_init(void);
/*
 * A replay thread of the process is made: counted by its maker before it
 * runs (task.c), lest a thread that ends first take itself for the last.
 */
void aio_thread_begin(void);
/*
 * A thread ends: its requests never submitted (of those it went past
 * unsettled, pend) are in flight. When it is the process's last, what
 * the capture reaped and nothing reaped yet is reaped (each wait
 * bounded), and what is left is in flight.
 */
void aio_thread_end(struct pending *pend);
issue_fn issue_aio;

#endif
