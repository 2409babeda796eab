/* desc.c - the open file descriptions ior-gen follows (desc.h). */
#define _GNU_SOURCE
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>

#include "ior.h"
#include "desc.h"
#include "order.h"
#include "record.h"

static struct ior_hashmap ofds;		/* by ofd id */
/* The descriptions each process opened, listed: by pid, the first. */
static struct ior_hashmap owners;
static struct ofd_ent *ofd_free;	/* recycled entries */

struct ofd_ent *ofd_find(int64_t id)
{
	return ior_hashmap_get(&ofds, id);
}

static void own_unlink(struct ofd_ent *o)
{
	if (o->own_next)
		o->own_next->own_prev = o->own_prev;
	if (o->own_prev)
		o->own_prev->own_next = o->own_next;
	else if (o->own_next)
		ior_hashmap_put(&owners, o->owner, o->own_next);
	else
		ior_hashmap_del(&owners, o->owner, o);
}

static void own_link(struct ofd_ent *o)
{
	struct ofd_ent *first = ior_hashmap_get(&owners, o->owner);

	o->own_prev = NULL;
	o->own_next = first;
	if (first)
		first->own_prev = o;
	ior_hashmap_put(&owners, o->owner, o);
}

/* A new open file description (or a fresh start for a reused id). */
static struct ofd_ent *ofd_new(int64_t id, int64_t owner)
{
	struct ofd_ent *o = ofd_find(id);

	if (!o) {
		if ((o = ofd_free))
			ofd_free = o->next_free;
		else
			o = ior_xcalloc(1, sizeof(*o));
		o->id = id;
		ior_hashmap_put(&ofds, id, o);
	} else {
		own_unlink(o);
	}
	o->owner = owner;
	own_link(o);
	o->refs = 1;
	o->pos = 0;
	order_ofd_new(o);
	o->file = NULL;
	o->pseudo = 0;
	o->memfd = 0;
	o->anon = 0;
	return o;
}

static void ofd_remove(struct ofd_ent *o)
{
	own_unlink(o);
	ior_hashmap_del(&ofds, o->id, o);
	o->next_free = ofd_free;
	ofd_free = o;
}

/* A process is gone: its descriptions, through its list, not all of them. */
void ofd_drop_owner(int64_t pid)
{
	struct ofd_ent *o;

	while ((o = ior_hashmap_get(&owners, pid)))
		ofd_remove(o);
}

/* Open-like records create descriptions; remember even unreplayable ones. */
struct ofd_ent *track_open(const struct ior_in *in,
			   const struct ior_rec *r, enum ior_tree op,
			   const struct args *a)
{
	int64_t id;

	if (!a->ofd || r->ret < 0 || (op != IOR_TREE_OPEN && op != IOR_TREE_CREAT &&
				      op != IOR_TREE_IORFD && op != IOR_TREE_MEMFD &&
				      op != IOR_TREE_HANDLE && op != IOR_TREE_RING))
		return NULL;
	id = arg_int(in, a, ARG_ofd);
	/* open_by_handle_at's fd is the mount's: its ofd is not the new one. */
	if (op == IOR_TREE_HANDLE && ofd_find(id))
		return NULL;
	return ofd_new(id, r->pid);
}

/* dup, dup2, dup3, fcntl F_DUPFD*: one more descriptor on o. */
int is_dup(const struct ior_in *in, const struct ior_rec *r,
	   enum ior_tree op, const struct args *a)
{
	uint64_t cmd;

	if (r->ret < 0 || (op != IOR_TREE_DUP && op != IOR_TREE_FCNTL))
		return 0;
	if (op == IOR_TREE_DUP)
		return 1;
	cmd = ior_flags(in, "cmd", a->cmd, ior_fcntl_cmds);
	return a->cmd && (cmd == F_DUPFD || cmd == F_DUPFD_CLOEXEC);
}

void track_close(enum ior_tree op, struct ofd_ent *o)
{
	if (o && op == IOR_TREE_CLOSE && --o->refs <= 0)
		ofd_remove(o);
}

void desc_cleanup(void)
{
	for (size_t i = 0; i < ofds.cap; i++)
		if (ofds.slot[i].val) {
			struct ofd_ent *o = ofds.slot[i].val;

			free(o->rpos);
			free(o->rflags);
			free(o);
		}
	ior_hashmap_free(&ofds);
	ior_hashmap_free(&owners);
	while (ofd_free) {
		struct ofd_ent *o = ofd_free;

		ofd_free = o->next_free;
		free(o->rpos);
		free(o->rflags);
		free(o);
	}
}
