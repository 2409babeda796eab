/*
 * procfs.h - what /proc says of a process: the snapshot of what it holds
 * when capture starts (ior:cwd, ior:fd), and the links ior-trace reads
 * when the stream itself did not tell.
 */
#ifndef IOR_TRACE_PROCFS_H
#define IOR_TRACE_PROCFS_H

#include <stddef.h>
#include <stdint.h>

/* The first line of a file, without its newline; -1 when unreadable. */
int read_file_line(const char *path, char *buf, size_t cap);
/* /proc/PID/comm into comm. */
int read_comm(int pid, char *comm, size_t cap);
/* readlink(2) of /proc/PID/WHAT into buf: an absolute path, or -1. */
int proc_link(int pid, const char *what, char *buf, size_t cap);
/*
 * What descriptor fd of process pid refers to, or -1: it is gone, or
 * (ino not 0) refers to another inode than ino, closed and reused.
 */
int fd_target(int pid, int fd, uint64_t ino, char *buf, size_t cap);
/*
 * An ior:fd record for descriptor fd of process pid, from /proc: at the
 * start of capture (tid is pid), or for one received by thread tid.
 */
void write_fd(int pid, int tid, const char *comm, uint64_t t, int fd);
/* ior:cwd and an ior:fd per open descriptor (but skipfd) of process pid. */
void write_process(int pid, int skipfd);

#endif
