/*
 * buffers.c - what writes write, and the mappings that hold buffers
 * (buffers.h).
 */
#define _GNU_SOURCE
#include <stdint.h>
#include <sys/mman.h>
#include <sys/uio.h>
#include <unistd.h>

#include "ior.h"
#include "buffers.h"
#include "program.h"
#include "shared.h"

char *wdata;

void *map_buf(uint64_t size)
{
	void *p;

	if (!size)
		return NULL;
	p = mmap(NULL, size, PROT_READ | PROT_WRITE,
		 MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	if (p == MAP_FAILED)
		fatal("mmap");
	return p;
}

/* Random bytes that do not compress: what every write writes. */
void make_wdata(void)
{
	uint64_t x = 0x9e3779b97f4a7c15ull ^ (uint64_t)getpid();
	uint64_t *p;

	if (!prog.maxwrite)
		return;
	wdata = map_buf((prog.maxwrite + 7) & ~7ull);
	p = (uint64_t *)wdata;
	for (uint64_t i = 0; i < (prog.maxwrite + 7) / 8; i++) {
		x ^= x >> 12;
		x ^= x << 25;
		x ^= x >> 27;
		p[i] = x * 0x2545f4914f6cdd1dull;
	}
}

/*
 * Split count bytes of buf over n iovecs; none when n is more than the
 * kernel takes (iov_room): it reads none of them.
 */
void fill_iov(struct iovec *iov, uint32_t n, char *buf, uint64_t count)
{
	for (uint32_t i = 0; i < iov_room(n); i++) {
		size_t len = count / n + (i == n - 1 ? count % n : 0);

		iov[i].iov_base = buf;
		iov[i].iov_len = len;
		buf += len;
	}
}

/* What setxattr writes: the captured value, or count random bytes. */
const char *xattr_value(const struct prog_op *op, size_t *len)
{
	*len = op->value ? op->valuelen : op->count;
	return op->value ? str(op->value) : wdata;
}
