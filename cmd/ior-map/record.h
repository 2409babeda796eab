/*
 * record.h - one record through ior-map: what it holds, what the table
 * of calls says its call does, and the counters of the run.
 */
#ifndef MAP_RECORD_H
#define MAP_RECORD_H

#include <stdint.h>

#include "ior.h"

#define PATH_BUF (IOR_LINE_MAX + 1)

struct filters;
struct ofd;

/* What the run counted, for the trailer (ior-map(1)). */
struct map_counts {
	uint64_t records, written, filtered, unknown_fd, unknown_cwd,
		 implicit_close, fixed_overflow;
};
extern struct map_counts counts;

/*
 * The keys ior-map reads, in the order of struct recinfo's indices; those
 * after K_GROUP by at[] alone (a request's ring, fixed and slot).
 */
enum { K_PATH, K_PATH2, K_DIRFD, K_DIRFD2, K_FD, K_FLAGS, K_CHILD, K_CPID,
       K_OTID, K_GROUP, K_RING, K_FIXED, K_SLOT, NKEYS };

/* What a record holds, found in one pass over its arguments. */
struct recinfo {
	union {
		int at[NKEYS];	/* kv index of each key, or -1 */
		struct {
			int path[2], dirfd[2];	/* path/path2, dirfd/dirfd2 */
			int fd, flags, child, cpid, otid, group;
		};
	};
	int resolved[2];	/* path/path2 made absolute */
	const char *raw[2];	/* unescaped path/path2 (absolute if resolved) */
	struct ofd *ofd;	/* descriptor used by the record (key fd) */
	uint64_t vfd;
	int64_t vfd2;		/* new descriptor of dup*, or fd2's; or -1 */
	struct ofd *ofd2;	/* fd2 of copy_file_range, sendfile64, splice */
	int64_t child_v, cpid_v, otid_v, kchild;
	int64_t fixed;		/* a uring: request's registered file, or -1 */
	const char *vfds;	/* io_uring_register's vfds=, or NULL */
};

/* Whether argument i of r, parsed with name table t, has bit set. */
static inline int kv_has_flag(const struct ior_in *in, const struct ior_rec *r,
			      int i, const struct ior_flag *t, uint64_t bit)
{
	return (ior_kv_flags(in, r, i, t) & bit) != 0;
}

/* Read the table of calls: before the first record. */
void record_init(void);
/*
 * Update the model from one record and write it to out unless the
 * filters drop it. Everything that can reject the record runs before
 * anything is written.
 */
void map_record(const struct ior_in *in, struct ior_rec *r,
		const struct filters *fs, struct ior_out *out);

#endif
