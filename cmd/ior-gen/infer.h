/*
 * infer.h - what one record tells of the starting tree: an open, a stat,
 * a call on paths, a call on a descriptor or a copy between two, each
 * read as ior-format(5) says its keys describe the file before or right
 * after the call.
 */
#ifndef GEN_INFER_H
#define GEN_INFER_H

#include "ior.h"

struct args;
struct ofd_ent;
struct path_ent;

/* Learn from an open, creat or ior:fd record what existed before. */
void infer_open(const struct ior_in *in, const struct ior_rec *r,
		enum ior_tree op, const struct args *a, struct ofd_ent *o);
/*
 * An ior:fd of a file without a name (O_TMPFILE, unlinked): its
 * description o, if any, names no entry; the directory of its path
 * existed.
 */
void infer_anon(const struct ior_in *in, const struct args *a,
		struct ofd_ent *o);
/*
 * Learn from a record about paths (no descriptor); follow: its call
 * follows a symbolic link in the last component of its path.
 */
void infer_path(const struct ior_in *in, const struct ior_rec *r,
		enum ior_tree op, const struct args *a, int follow);
/*
 * An ior:lstat of a directory, or of a symbolic link (lnk: a->target is
 * its target): kept for the tree, which takes it only where the calls
 * agree (tree.h, saw_lstat).
 */
void infer_lstat(const struct ior_in *in, const struct args *a, int lnk);
/* Learn from a record on a descriptor: positions, sizes, writes. */
void infer_fd(const struct ior_in *in, const struct ior_rec *r,
	      enum ior_tree op, const struct args *a, struct ofd_ent *o,
	      struct path_ent *fe);
/*
 * copy_file_range, sendfile64, splice: fd is the source, fd2 the
 * destination. A side the replay stands in for has o and fe NULL.
 */
void infer_xfer(const struct ior_in *in, const struct ior_rec *r,
		const struct args *a, struct ofd_ent *o, struct path_ent *fe,
		struct ofd_ent *o2, struct path_ent *fe2);
/*
 * The entry of a file= value (of key, file or file2), through its
 * description when it matches; none for a memfd's or a file's without a
 * name.
 */
struct path_ent *file_ent(const struct ior_in *in, const char *key,
			  const char *file, const struct ofd_ent *o);

#endif
