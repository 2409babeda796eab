/*
 * paths.h - the calls on paths, all resolved beneath the root (root.h):
 * nothing outside it can be reached, whatever the program says.
 */
#ifndef REPLAY_PATHS_H
#define REPLAY_PATHS_H

#include "issue.h"
#include "root.h"

/* The root, opened by the master before anything runs. */
extern struct ior_root root;
/* The root opened for reading: the mount descriptor of open_by_handle_at. */
extern int rootdir;

void open_rootdir(void);
issue_fn issue_on_path;

#endif
