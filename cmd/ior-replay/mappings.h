/*
 * mappings.h - a replay process's memory mappings (each captured range and
 * where the replay mapped it) and file handles (name_to_handle_at's,
 * for open_by_handle_at).
 */
#ifndef REPLAY_MAPPINGS_H
#define REPLAY_MAPPINGS_H

#include <fcntl.h>

#include "issue.h"

/* A file handle with room for any filesystem's. */
union handle_buf {
	struct file_handle fh;
	char room[sizeof(struct file_handle) + MAX_HANDLE_SZ];
};

/* Before the first fork: the tables' lock is held across forks. */
void maps_init(void);
/* sched:exec: the old program's mappings are gone. */
void unmap_all(void);
/* Keep the handle name_to_handle_at made for op->path. */
void handle_keep(const struct prog_op *op, const union handle_buf *hb);
issue_fn issue_on_map;

#endif
