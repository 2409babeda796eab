/*
 * slots.h - tables indexed by a number of the stream: a task's
 * descriptors, a ring's registered files. The small numbers, where nearly
 * all are, lie in an array; the others in a map, one slot each, so that
 * memory follows the slots in use, never the largest number named.
 */
#ifndef MAP_SLOTS_H
#define MAP_SLOTS_H

#include <stddef.h>
#include <stdint.h>

#include "ior.h"

#define SLOTS_NEAR 1024		/* numbers below are in the array */

struct ofd;

/* A descriptor, or a registered file: its vfd and its description. */
struct fd_slot {
	uint64_t vfd;
	struct ofd *ofd;	/* NULL: closed, or an empty slot */
	int cloexec;
};

struct slots {
	size_t cap;			/* of near: at most SLOTS_NEAR */
	struct fd_slot *near;
	struct ior_hashmap far;		/* number -> a slot of its own */
};

/* Slot i in use, or NULL. */
static inline struct fd_slot *slot_get(const struct slots *s, int64_t i)
{
	struct fd_slot *f;

	if (i < 0)
		return NULL;
	if ((uint64_t)i < s->cap)
		f = &s->near[i];
	else if (i < SLOTS_NEAR || !s->far.n)
		return NULL;
	else
		f = ior_hashmap_get(&s->far, i);
	return f && f->ofd ? f : NULL;
}

/*
 * Put o (of descriptor vfd) in slot i (i >= 0), taking a reference, and
 * release what was there (it may be o). Returns the slot.
 */
struct fd_slot *slot_set(struct slots *s, int64_t i, uint64_t vfd,
			 struct ofd *o, int cloexec);
/* Release what slot i holds; 1 if it held something. */
int slot_clear(struct slots *s, int64_t i);
/*
 * Release every slot of lo..hi for which drop(slot) is true (NULL: all);
 * each slot in use is passed to drop once, which may change it.
 */
void slots_clear_if(struct slots *s, int64_t lo, int64_t hi,
		    int (*drop)(struct fd_slot *f));
/* dst (empty) gets src's slots, as fork(2) copies a table. */
void slots_copy(struct slots *dst, const struct slots *src);
/* Release every slot and the table's memory. */
void slots_free(struct slots *s);

#endif
