/*
 * desc.h - the open file descriptions ior-gen follows, by the ofd ids
 * ior-map gave them: the file each is on and its position, to size the
 * files read, and the last operation on each, to order the threads that
 * share one. A description lives from its open to its last close, or to
 * the exit of the process that opened it.
 */
#ifndef GEN_DESC_H
#define GEN_DESC_H

#include <stdint.h>

#include "ior.h"

struct args;
struct path_ent;

struct ofd_ent {
	struct ofd_ent *next_free;
	struct ofd_ent *own_prev, *own_next;	/* its owner's */
	int64_t id, owner, refs;
	int64_t pos;			/* file position; -1 when unknown */
	struct res *rpos, *rflags;	/* for after= (res.h) */
	struct path_ent *file;
	unsigned char pseudo;		/* unreplayable: drop all its records */
	unsigned char memfd;		/* memfd_create: no path, kept */
	unsigned char anon;		/* ior:fd of a file without a name:
					   kept, no entry */
};

/* The description of ofd id, or NULL. */
struct ofd_ent *ofd_find(int64_t id);
/* A process is gone: so are the descriptions it opened. */
void ofd_drop_owner(int64_t pid);
/*
 * Open-like records create descriptions, remembered even when they are
 * not replayable; NULL when the record opens none.
 */
struct ofd_ent *track_open(const struct ior_in *in, const struct ior_rec *r,
			   enum ior_tree op, const struct args *a);
/* A close drops a reference to o. */
void track_close(enum ior_tree op, struct ofd_ent *o);
/* dup, dup2, dup3, fcntl F_DUPFD*: one more descriptor on o. */
int is_dup(const struct ior_in *in, const struct ior_rec *r,
	   enum ior_tree op, const struct args *a);
/* Free every description (at the end). */
void desc_cleanup(void);

#endif
