/*
 * aio.h - Linux AIO: each request (iocb) from its io_submit to the
 * io_getevents that reaps it, written then, before the reap's record, as
 * an aio: record.
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
/*
 * The io_events a reap returned (IOR_EV_AIO_EVENTS), before its record:
 * the records of their requests.
 */
void aio_reaped(const struct ior_event *e);
/*
 * A reap's event as its record is written: e, or for one that was
 * already waiting as the capture began (time 0, dur its end), *copy
 * with dur from TIME 0.
 */
const struct ior_event *aio_early(const struct ior_event *e,
				  struct ior_event *copy);
/* After an AIO call's record: the requests it forgot or ended. */
void aio_track(const struct call_rec *c);
/* Whether calls of row c do. */
bool aio_tracks(const struct ior_call *c);
/*
 * Write the requests of context ctx (all, at the end: 0) still in
 * flight; at the end, not those of an io_submit that has not returned.
 */
void aio_flush(uint64_t ctx);
/*
 * iocbs not followed, io_events of requests never seen submitted, and
 * requests written with pair=unknown.
 */
uint64_t aio_lost(void);
uint64_t aio_unknown(void);
uint64_t aio_unpaired(void);

/* The X keys of the AIO calls' rows: io_setup's ctx, the reaps' others. */
void aio_put_ctx(const struct call_rec *c);
void aio_put_timeout(const struct call_rec *c);
void aio_put_sigmask(const struct call_rec *c);
void aio_put_reap(const struct call_rec *c);

#endif
