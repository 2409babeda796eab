/*
 * fdops.h - the calls on descriptors: data, sync, attributes, locks,
 * duplicates, and copies between two descriptors.
 */
#ifndef REPLAY_FDOPS_H
#define REPLAY_FDOPS_H

#include "issue.h"

issue_fn issue_on_fd, issue_copy;

#endif
