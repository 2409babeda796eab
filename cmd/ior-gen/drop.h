/*
 * drop.h - the records ior-gen does not keep, and why: each reason has a
 * counter in the trailer (ior-gen(1), dropped.*).
 */
#ifndef GEN_DROP_H
#define GEN_DROP_H

#include "ior.h"

struct args;
struct ofd_ent;

/* Why a record was dropped; each has a counter in the trailer. */
enum drop {
	DROP_PSEUDO, DROP_UNKNOWN_FD, DROP_FAILED, DROP_PROCESS, DROP_CWD,
	DROP_UNSUPPORTED, DROP_DEVICE, DROP_ANON_MAPPING, DROP_IPC, DROP_ORPHAN,
	DROP_TREE,
	NDROP,
};
#define DROP_NONE NDROP		/* not dropped (yet) */

/* Count a record dropped for why. */
void drop_count(enum drop why);
/* " dropped=N dropped.REASON=N...": the trailer's part. */
void put_drops(struct ior_out *out);

/*
 * Records dropped whatever their files: what the replay does not issue
 * (its row says so), what needs no file (an anonymous mapping) or makes
 * a device. DROP_NONE when the record goes on to the other checks.
 */
enum drop drop_by_call(const struct ior_in *in, const struct ior_call *row,
		       const struct args *a);
/* Is the record about something a replay cannot recreate? */
int is_pseudo(const struct ior_in *in, const struct args *a,
	      const struct ofd_ent *o);
/*
 * A record on a descriptor whose description ior-gen no longer follows
 * and that names no file: one of a pipe, a socket or another pseudo file,
 * whose records are dropped as its open was (but a ring's calls).
 */
int lost_pathless(const struct ior_call *row, enum ior_tree op,
		  const struct args *a, const struct ofd_ent *o);
/*
 * One side of copy_file_range, sendfile64 or splice: a replayable file,
 * or something the replay stands in for (a pipe, a socket).
 */
int side_replayable(const char *vfd, const char *file,
		    const struct ofd_ent *o);
/* A failure that depends on the traced process, not on the file tree. */
int unreplayable_errno(int64_t ret);
/* A lock refused because another description holds it: replayed. */
int lock_conflict(const struct ior_in *in, const struct ior_rec *r,
		  const struct ior_call *row, const struct args *a);

#endif
