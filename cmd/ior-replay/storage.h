/*
 * storage.h - the counters of the block device under the root, from
 * /proc/diskstats, at the start and at the end of the replay: what the
 * storage did while the replay ran (requests, sectors, time in queue,
 * utilisation), written beside its results.
 */
#ifndef REPLAY_STORAGE_H
#define REPLAY_STORAGE_H

#include "ior.h"

enum { STORAGE_START, STORAGE_END };

/*
 * Read the counters of the root's device now (the master: right before
 * the first fork, and after the last replay process ended).
 */
void storage_note(int when);
/*
 * Its #disk line (ior-format(5)): at=start in the header, at=end in the
 * trailer; name=- when the root is on no device /proc/diskstats lists
 * (tmpfs, NFS, overlayfs, btrfs' anonymous devices).
 */
void storage_put(struct ior_out *out, int when);

#endif
