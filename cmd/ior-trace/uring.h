/*
 * uring.h - io_uring: each request, written as a uring: record when the
 * kernel posts its completion; and the keys of the io_uring calls.
 */
#ifndef IOR_TRACE_URING_H
#define IOR_TRACE_URING_H

#include <stdbool.h>
#include <stdint.h>

struct call_rec;
struct ior_event;

/* The record of request e: completed, or in flight at the capture's end. */
void write_uring(const struct ior_event *e, const char *path, bool inflight);
/* After a request's record: a descriptor it opened or closed. */
void uring_track(const struct ior_event *e);
/* The requests still in flight, from the BPF maps that hold them. */
void uring_flush(int reqs_fd, int paths_fd);

/* The X keys of the io_uring calls' rows: setup's, enter's, register's. */
void uring_put_setup(const struct call_rec *c);
void uring_put_sub(const struct call_rec *c);
void uring_put_register(const struct call_rec *c);

#endif
