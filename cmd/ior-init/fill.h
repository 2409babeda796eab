/*
 * fill.h - file contents as --fill makes them: pseudo-random bytes
 * derived from the file's path and offset (random), zeros (zero) or
 * holes (sparse). The same program always makes the same content, so
 * ior-init can tell, and undo, what a replay wrote into a file.
 */
#ifndef INIT_FILL_H
#define INIT_FILL_H

#include <stdatomic.h>
#include <stdint.h>

#define FILL_BLOCK (1 << 20)	/* bytes per write(2); buffers hold
				   FILL_BLOCK + 8 bytes */

enum fill { FILL_RANDOM, FILL_ZERO, FILL_SPARSE };

extern enum fill fill;			/* --fill */
extern atomic_ullong fill_bytes_done;	/* bytes written, for progress */

/*
 * Fill [from, to) of fd, the file at path, per --fill. buf holds
 * FILL_BLOCK + 8 bytes, zeroed for zero and sparse. Returns 0 or -errno;
 * adds what it wrote to *wrote.
 */
int fill_range(int fd, const char *path, uint64_t from, uint64_t to,
	       uint64_t *buf, uint64_t *wrote);

/*
 * Compare [0, to) of fd with what fill_range makes there and rewrite
 * each block that differs; *restored is set when any was. rbuf holds
 * FILL_BLOCK bytes. Returns 0 or -errno.
 */
int restore_range(int fd, const char *path, uint64_t to, uint64_t *buf,
		  uint64_t *rbuf, int *restored);

#endif
