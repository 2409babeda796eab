/*
 * procview.h - what each traced process sees of the file system: its
 * root, its working directory, and the directories it holds open, which
 * its dirfd-relative paths name.
 */
#ifndef IOR_TRACE_PROCVIEW_H
#define IOR_TRACE_PROCVIEW_H

#include <stdbool.h>
#include <stddef.h>

struct call_rec;
struct ior_call;

/* A fork: the child starts with its parent's view. */
void view_fork(int ppid, int cpid);
/* An exec closes the close-on-exec descriptors. */
void view_exec(int pid);
/* The process is gone. */
void view_drop(int pid);
/* What capture found in /proc: its working directory, a directory open. */
void view_set_cwd(int pid, const char *path);
void view_set_dir(int pid, int fd, const char *path, bool cloexec);
/* Descriptor fd of pid is no longer the directory it may have been. */
void view_forget_fd(int pid, int fd);
/* After a system call's record: what it changed in its process's view. */
void view_track(const struct call_rec *c);
/* Whether calls of row c may change it. */
bool view_tracks(const struct ior_call *c);

/*
 * The absolute path, in the process's root, that dirfd and path name
 * for process pid, into buf; -1 when unknown or too long.
 */
int abs_path(int pid, int dirfd, const char *path, char *buf, size_t cap);
/*
 * Where ior-trace finds what dirfd and path named for process pid: the
 * absolute path itself when the process's root is /, else that path
 * under /proc/PID/root.
 */
int where_is(int pid, int dirfd, const char *path, char *buf, size_t cap);

#endif
