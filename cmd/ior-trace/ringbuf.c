/*
 * ringbuf.c - the reader of the ring buffer. libbpf's moves the reader
 * position after each record: a cache line the BPF programs read at
 * every event, on the traced process's CPU. This one moves it every
 * RELEASE_BYTES, and reads at most BATCH_BYTES a call.
 */
#include <errno.h>
#include <sched.h>
#include <stdbool.h>
#include <sys/epoll.h>
#include <sys/mman.h>
#include <unistd.h>

#include <linux/types.h>
#include <bpf/libbpf.h>

#include "ior.h"
#include "ior-trace.h"
#include "events.h"
#include "output.h"
#include "ringbuf.h"

#define RELEASE_BYTES (1 << 20)
/*
 * The most a call of ring_consume() reads: some 6,000 records, a few ms
 * of formatting, after which the capture loop looks at its clock and
 * its signals again. A ring kept full by faster writers would otherwise
 * hold the reader forever.
 */
#define BATCH_BYTES (1 << 20)
#define BUSY_WAIT_NS 1000000000ull

void ring_open(struct event_ring *r, int map_fd, size_t size)
{
	long page = sysconf(_SC_PAGESIZE);
	/* edge-triggered: sleep until the kernel wakes us, not while data waits */
	struct epoll_event ev = { .events = EPOLLIN | EPOLLET };
	void *p;

	r->mask = size - 1;
	r->more = false;
	p = mmap(NULL, page, PROT_READ | PROT_WRITE, MAP_SHARED, map_fd, 0);
	if (p == MAP_FAILED)
		ior_err(IOR_EXIT_SYS, "ring buffer");
	r->cons = r->cons_map = p;
	r->cons_len = page;
	r->prod_len = page + 2 * size;
	p = mmap(NULL, r->prod_len, PROT_READ, MAP_SHARED, map_fd, page);
	if (p == MAP_FAILED)
		ior_err(IOR_EXIT_SYS, "ring buffer");
	r->prod = r->prod_map = p;
	r->data = (const char *)p + page;
	if ((r->epfd = epoll_create1(EPOLL_CLOEXEC)) < 0 ||
	    epoll_ctl(r->epfd, EPOLL_CTL_ADD, map_fd, &ev) < 0)
		ior_err(IOR_EXIT_SYS, "ring buffer");
}

void ring_close(struct event_ring *r)
{
	close(r->epfd);
	munmap(r->prod_map, r->prod_len);
	munmap(r->cons_map, r->cons_len);
}

/*
 * Handle the records from the reader position to end, or to the
 * writer's position, read again each time the reader reaches it, while
 * follow is set: at most budget bytes of them. Stops at a record still
 * being written unless wait is set: then it waits for it, as the writer
 * (a BPF program, which cannot sleep) is about to commit it, for
 * BUSY_WAIT_NS at most.
 */
static size_t consume(struct event_ring *r, unsigned long end, bool follow,
		      size_t budget, bool wait)
{
	unsigned long cons = *r->cons, released = cons, start = cons;
	uint64_t busy_since = 0;
	size_t n = 0;
	uint32_t len;

	r->more = false;
	while (cons < end) {
		const char *rec = r->data + (cons & r->mask);

		if (cons - start >= budget) {
			r->more = true;	/* more is waiting: come back soon */
			break;
		}
		len = __atomic_load_n((const uint32_t *)rec, __ATOMIC_ACQUIRE);
		if (len & BPF_RINGBUF_BUSY_BIT) {
			if (!wait)
				break;	/* being written */
			if (!busy_since)
				busy_since = now_ns();
			if (now_ns() - busy_since > BUSY_WAIT_NS) {
				ior_warnx("a record of the ring still being "
					  "written after 1 s: %lu bytes left "
					  "unread", end - cons);
				break;
			}
			sched_yield();
			continue;
		}
		busy_since = 0;
		if (!(len & BPF_RINGBUF_DISCARD_BIT)) {
			handle_event(rec + BPF_RINGBUF_HDR_SZ, len);
			n++;
		}
		len &= ~(BPF_RINGBUF_BUSY_BIT | BPF_RINGBUF_DISCARD_BIT);
		cons += (len + BPF_RINGBUF_HDR_SZ + 7) & ~7ul;
		if (cons - released >= RELEASE_BYTES) {
			__atomic_store_n(r->cons, cons, __ATOMIC_RELEASE);
			released = cons;
		}
		if (cons == end && follow)
			end = __atomic_load_n(r->prod, __ATOMIC_ACQUIRE);
	}
	__atomic_store_n(r->cons, cons, __ATOMIC_RELEASE);
	return n;
}

size_t ring_consume(struct event_ring *r)
{
	return consume(r, __atomic_load_n(r->prod, __ATOMIC_ACQUIRE), true,
		       BATCH_BYTES, false);
}

size_t ring_drain(struct event_ring *r)
{
	return consume(r, __atomic_load_n(r->prod, __ATOMIC_ACQUIRE), false,
		       r->mask + 1, true);
}

size_t ring_poll(struct event_ring *r, int ms)
{
	struct epoll_event ev;

	if (epoll_wait(r->epfd, &ev, 1, ms) < 0 && errno != EINTR)
		ior_err(IOR_EXIT_SYS, "ring buffer");
	return ring_consume(r);
}
