/*
 * aio.h - Linux AIO: each request (iocb) from its io_submit to the
 * io_getevents that reaps it, written then as an aio: record.
 */
#ifndef IOR_TRACE_AIO_H
#define IOR_TRACE_AIO_H

#include <stdbool.h>
#include <stdint.h>

struct call_rec;
struct ior_call;
struct ior_event;

/* The iocbs an io_submit was given (IOR_EV_AIO_SUBMIT), at its entry. */
void aio_submitted(const struct ior_event *e);
/* After an AIO call's record: the requests it reaped, forgot or ended. */
void aio_track(const struct call_rec *c);
/* Whether calls of row c do. */
bool aio_tracks(const struct ior_call *c);
/* Write the requests of context ctx (all: 0) still in flight. */
void aio_flush(uint64_t ctx);
/* iocbs not followed, and io_events of requests never seen submitted. */
uint64_t aio_lost(void);
uint64_t aio_unknown(void);

/* The X keys of the AIO calls' rows: io_setup's ctx, the reaps' others. */
void aio_put_ctx(const struct call_rec *c);
void aio_put_timeout(const struct call_rec *c);
void aio_put_sigmask(const struct call_rec *c);

#endif
