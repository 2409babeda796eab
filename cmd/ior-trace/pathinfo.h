/*
 * pathinfo.h - ior:lstat records: the directories and symbolic links a
 * path goes through, described once each, before the record that names
 * the path (ior-format(5)), so that the starting tree has their modes,
 * owners and link targets.
 */
#ifndef IOR_TRACE_PATHINFO_H
#define IOR_TRACE_PATHINFO_H

#include <stdbool.h>
#include <stdint.h>

struct call_rec;

/* Whose record names the path: the head the ior:lstat records get. */
struct path_who {
	uint64_t t;
	uint32_t pid, tid;
	const char *comm;
};

/*
 * The components of path (absolute, in w's process's root) that are
 * directories or symbolic links, resolved as the kernel resolves them:
 * all but the last, and the last too when last (a call that follows
 * it, a working directory).
 */
void describe_path(const struct path_who *w, const char *path, bool last);
/* Those of each path argument of a system call, before its record. */
void describe_call(const struct call_rec *c);

#endif
