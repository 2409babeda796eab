/*
 * mapping.h - the file mappings of a process: address ranges on a
 * description, so that munmap, msync and madvise, which name an address,
 * are attributed to the file mapped there.
 */
#ifndef MAP_MAPPING_H
#define MAP_MAPPING_H

#include <stdint.h>

#include "ior.h"

struct ofd;
struct recinfo;
struct task;

/* A file mapping [start, end), holding a reference to its description. */
struct mapping {
	uint64_t start, end;
	uint64_t vfd;
	struct ofd *ofd;
};

/*
 * The mappings of a process, not overlapping: a balanced (AVL) tree by
 * start, so that a mapping is found, added or removed in O(log n) steps,
 * in whatever order a stream gives their addresses.
 */
struct mnode;
struct mappings {
	size_t n;
	struct mnode *root;
};

/* Unmap everything (exec, exit). */
void mappings_clear(struct mappings *ms);
void mappings_free(struct mappings *ms);
/* A forked child's address space is a copy of its parent's. */
void mappings_copy(struct mappings *dst, const struct mappings *src);
/* Free the nodes kept for reuse (at the end). */
void mappings_cleanup(void);

/* mmap, munmap, msync, madvise. */
void do_mapping(const struct ior_in *in, const struct ior_rec *r,
		struct recinfo *ri, struct task *t, enum ior_map c);

#endif
