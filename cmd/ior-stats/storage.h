/*
 * storage.h - the block device under a replay's root, from the #disk
 * lines of its result stream (ior-format(5)): what the storage did while
 * the replay ran, shown beside its latencies.
 */
#ifndef STATS_STORAGE_H
#define STATS_STORAGE_H

#include <stdint.h>

#include "ior.h"

/* Devices of one host's streams: more is refused as malformed. */
#define DISKS_MAX 16

/* The counters of a #disk line that the table reads. */
enum {
	D_READS, D_READ_SECTORS, D_READ_MS, D_WRITES, D_WRITE_SECTORS,
	D_WRITE_MS, D_IO_MS, D_QUEUE_MS, D_FLUSHES, D_NCOUNT
};

struct disk {
	char dev[32];		/* MAJOR:MINOR as written */
	char name[72];		/* escaped, as written */
	uint64_t v[D_NCOUNT];	/* at=start: the reading; else the sum of
				   the runs' differences */
	uint64_t ns;		/* time=: the reading's, or the runs' sum */
};

struct storage {
	struct disk runs[DISKS_MAX];	/* per device, summed over runs */
	int nruns;
	uint64_t none;		/* runs whose root had no block device */
	struct disk open[DISKS_MAX];	/* at=start lines waiting for their end */
	int nopen;
};

/* A #disk line of in (any other line is left alone). */
void storage_line(struct storage *s, const struct ior_in *in);
/*
 * Add the runs of src to dst; its unended starts, and devices past
 * DISKS_MAX in dst, are dropped.
 */
void storage_add(struct storage *dst, const struct storage *src);
/*
 * The storage table: a row per device, or "storage: none" when the runs
 * had no block device, nothing when there were no #disk lines. With
 * lead, a blank line and its title (head row) first. Returns whether it
 * printed rows.
 */
int storage_report(const struct storage *s, int lead, struct ior_out *o);

#endif
