/*
 * ringbuf.h - the reader of the BPF ring buffer "events": each record,
 * in order, to handle_event.
 */
#ifndef IOR_TRACE_RINGBUF_H
#define IOR_TRACE_RINGBUF_H

#include <stdbool.h>
#include <stddef.h>

/* The ring, mapped: the kernel writes, ior-trace reads. */
struct event_ring {
	int epfd;
	unsigned long *cons;		/* reader position: ours */
	const unsigned long *prod;	/* writer position: the kernel's */
	const char *data;		/* mapped twice: records never wrap */
	unsigned long mask;
	void *cons_map, *prod_map;	/* the mappings, and their sizes */
	size_t cons_len, prod_len;
	bool more;			/* the last call left records to read */
};

/* The ring of map map_fd, of size bytes (a power of two). */
void ring_open(struct event_ring *r, int map_fd, size_t size);
void ring_close(struct event_ring *r);
/*
 * Handle the records written so far, and those written meanwhile, up to
 * a bounded batch (sets more when it left some); return how many.
 */
size_t ring_consume(struct event_ring *r);
/*
 * Handle every record written so far, none written meanwhile: the end
 * of a capture, bounded by the ring's size however fast it is written.
 */
size_t ring_drain(struct event_ring *r);
/* Wait up to ms for a wakeup, then handle a batch of what is there. */
size_t ring_poll(struct event_ring *r, int ms);

#endif
