/*
 * buffers.h - the bytes the replay writes and reads into. What writes
 * write is made once, by the master before the first fork: random, so
 * that no filesystem compresses it, and shared by every thread.
 */
#ifndef REPLAY_BUFFERS_H
#define REPLAY_BUFFERS_H

#include <stddef.h>
#include <stdint.h>
#include <sys/uio.h>

#include "program.h"

extern char *wdata;		/* prog.maxwrite bytes */

/* An anonymous private mapping of size bytes (0: NULL); fails: fatal. */
void *map_buf(uint64_t size);
void make_wdata(void);
void fill_iov(struct iovec *iov, uint32_t n, char *buf, uint64_t count);
const char *xattr_value(const struct prog_op *op, size_t *len);

#endif
