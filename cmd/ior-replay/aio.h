/*
 * aio.h - Linux AIO: the contexts a replay process set up, its requests
 * (issued by their io_submit, settled by whichever call reaps them), and
 * the calls on them.
 */
#ifndef REPLAY_AIO_H
#define REPLAY_AIO_H

#include <stdint.h>

#include "issue.h"

/* Before the first fork: the requests' iocbs, and the lock. */
void aio_init(void);
/* Thread t ends: its requests nothing reaped are in flight. */
void aio_thread_end(uint32_t t);
issue_fn issue_aio;

#endif
