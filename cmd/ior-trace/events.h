/*
 * events.h - what the BPF programs send, one event at a time, made into
 * records: system calls, process events, received descriptors, AIO and
 * io_uring requests.
 */
#ifndef IOR_TRACE_EVENTS_H
#define IOR_TRACE_EVENTS_H

#include <stddef.h>
#include <stdint.h>

struct trace_opts;

/* Start: o says which processes an exec may make traced (-c). */
void events_init(const struct trace_opts *o);
/* One event of size bytes, as the ring holds it. */
void handle_event(const void *data, size_t size);
/* Descriptors received by recvmsg closed before /proc could tell them. */
uint64_t rights_lost(void);
/* System calls whose number no row of the table has: not written. */
uint64_t calls_undecoded(void);

#endif
