/*
 * ringbuf.h - the reader of the BPF ring buffer "events": each record,
 * in order, to handle_event.
 */
#ifndef IOR_TRACE_RINGBUF_H
#define IOR_TRACE_RINGBUF_H

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
};

void ring_open(struct event_ring *r, int map_fd);
void ring_close(struct event_ring *r);
/* Handle every record written so far; return how many. */
size_t ring_consume(struct event_ring *r);
/* Wait up to ms for a wakeup, then handle what is there. */
size_t ring_poll(struct event_ring *r, int ms);

#endif
