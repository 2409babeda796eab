/*
 * clean.h - a root a replay has used, brought back to the program's
 * tree: every entry beneath the root that the program's tree does not
 * hold, or holds as another type, is removed before the tree is built
 * (the root belongs to the program, ior-init(1)), when the root is one
 * ior-init made a tree in from empty.
 */
#ifndef INIT_CLEAN_H
#define INIT_CLEAN_H

#include "ior.h"
#include "root.h"

enum tree_type { TREE_DIR, TREE_REG, TREE_LNK };

/*
 * path (absolute, as the program gives it) is in the tree as type t, and
 * so is each of its parents, as a directory. The first type given for a
 * path stays.
 */
void tree_add(const char *path, enum tree_type t);

/*
 * Remove what is beneath the root and not in the tree; with dry, print
 * "remove PATH" to out instead. Each entry that cannot be removed is
 * said on stderr and counted in *failed. Returns how many entries were
 * (or would be) removed, those beneath a removed directory included.
 */
unsigned long clean_root(const struct ior_root *root, int dry,
			 struct ior_out *out, unsigned long *failed, int *ours);

/*
 * clean_root, above, acts only on a root that was empty when ior-init
 * first made a tree in it, or is marked: *ours says whether it is one,
 * and mark_root marks it, once its tree is made (an extended attribute
 * of the root directory; where it cannot be set, later runs clean
 * nothing).
 */
void mark_root(const struct ior_root *root);

#endif
