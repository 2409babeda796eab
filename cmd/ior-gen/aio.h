/*
 * aio.h - after= of Linux AIO across threads (ior-gen(1), ORDERING): a
 * reap waits for the submissions of the requests it reaped, a request
 * whose iocb another thread reaped last waits for that reap, and
 * io_destroy waits for every submission on its context.
 */
#ifndef GEN_AIO_H
#define GEN_AIO_H

#include <stdint.h>

#include "ior.h"

struct args;
struct after_list;

/*
 * The AIO waits of a kept record, seq in the program, into l: call is
 * its row's id, sseq (requests) its submitting call's seq (0: not seen).
 * Then the record is remembered for the records after it.
 */
void aio_order(struct after_list *l, const struct ior_in *in,
	       const struct ior_rec *r, const struct args *a, int call,
	       int64_t seq, int64_t sseq);
/* Free the tables (at the end). */
void aio_cleanup(void);

#endif
