/*
 * spool.h - a file in $TMPDIR written in one pass, then read back in
 * order, through a buffer: what ior-replay keeps on disk rather than in
 * memory. The program's ops (window.h) and the results of the ops the
 * window let go of (results.h) each go to one. The file is unlinked
 * from the start: nothing to clean up whatever ends the replay.
 */
#ifndef REPLAY_SPOOL_H
#define REPLAY_SPOOL_H

#include <stddef.h>
#include <stdint.h>

struct spool {
	int fd;
	char *buf;
	size_t len, off;	/* bytes in buf; read from it so far */
	uint64_t flushed;	/* bytes written to the file */
	int reading;
	const char *what;	/* for messages: "spooling the program" */
};

/* Open s, described by what in messages ("the program"); exits on failure. */
void spool_file_open(struct spool *s, const char *what);
void spool_file_write(struct spool *s, const void *p, size_t n);
/* While writing: the offset the next byte written goes to. */
uint64_t spool_file_tell(const struct spool *s);
/*
 * While writing: n bytes at offset at, written already, become p's (in
 * the buffer, or in the file).
 */
void spool_file_patch(struct spool *s, uint64_t at, const void *p, size_t n);
/*
 * n bytes at offset at, written already, into p (in the buffer, or in
 * the file): while writing, or, once all is written, while reading.
 */
void spool_file_peek(const struct spool *s, uint64_t at, void *p, size_t n);
/* From the start: to read what was written (again). */
void spool_file_rewind(struct spool *s);
/*
 * The next n bytes into p. Returns 0 at the end of the file when first
 * (a record begins there) and none was read; the end within a record
 * exits.
 */
int spool_file_read(struct spool *s, void *p, size_t n, int first);
/*
 * The next n bytes into p, those not in the buffer read straight into
 * p: many at once, into memory that is theirs already (a window's slots).
 */
void spool_file_read_into(struct spool *s, void *p, size_t n);
void spool_file_close(struct spool *s);
/* In a process the master forked: the file is the master's. */
void spool_file_drop(struct spool *s);

#endif
