/* slots.c - tables indexed by a number of the stream (slots.h). */
#include <stdlib.h>
#include <string.h>

#include "ior.h"
#include "files.h"
#include "slots.h"

/* A slot of the map, which knows its number: the slot first. */
struct far_slot {
	struct fd_slot f;
	int64_t num;
};

struct fd_slot *slot_set(struct slots *s, int64_t i, uint64_t vfd,
			 struct ofd *o, int cloexec)
{
	struct fd_slot *f;

	o->refs++;		/* before the old one goes: it may be o */
	if (i < SLOTS_NEAR) {
		if ((uint64_t)i >= s->cap)
			s->near = ior_xgrow(s->near, &s->cap, i + 1,
					    sizeof(*s->near));
		f = &s->near[i];
	} else if (!(f = ior_hashmap_get(&s->far, i))) {
		struct far_slot *g = ior_xcalloc(1, sizeof(*g));

		g->num = i;
		f = &g->f;
		ior_hashmap_put(&s->far, i, g);
	}
	if (f->ofd)
		ofd_unref(f->ofd);
	f->vfd = vfd;
	f->ofd = o;
	f->cloexec = cloexec;
	return f;
}

int slot_clear(struct slots *s, int64_t i)
{
	struct fd_slot *f = slot_get(s, i);

	if (!f)
		return 0;
	ofd_unref(f->ofd);
	f->ofd = NULL;
	if (i >= SLOTS_NEAR) {
		ior_hashmap_del(&s->far, i, f);
		free(f);
	}
	return 1;
}

/* What slots_clear_if() asks of each far slot, through the map. */
struct clear_arg {
	int64_t lo, hi;
	int (*drop)(struct fd_slot *f);
};

static int far_cleared(void *val, void *arg)
{
	struct far_slot *g = val;
	struct clear_arg *c = arg;

	if (g->num < c->lo || g->num > c->hi || (c->drop && !c->drop(&g->f)))
		return 0;
	ofd_unref(g->f.ofd);
	free(g);
	return 1;
}

void slots_clear_if(struct slots *s, int64_t lo, int64_t hi,
		    int (*drop)(struct fd_slot *f))
{
	struct clear_arg c = { lo, hi, drop };

	for (int64_t i = lo < 0 ? 0 : lo; i <= hi && (uint64_t)i < s->cap;
	     i++) {
		struct fd_slot *f = &s->near[i];

		if (f->ofd && (!drop || drop(f))) {
			ofd_unref(f->ofd);
			f->ofd = NULL;
		}
	}
	if (!s->far.n || hi < SLOTS_NEAR)
		return;
	if (lo < SLOTS_NEAR)
		lo = SLOTS_NEAR;
	/* each number of a short range, or each slot of the map */
	if ((uint64_t)(hi - lo) < s->far.n) {
		for (uint64_t k = 0; k <= (uint64_t)(hi - lo); k++) {
			int64_t i = lo + (int64_t)k;
			struct far_slot *g = ior_hashmap_get(&s->far, i);

			if (!g || (drop && !drop(&g->f)))
				continue;
			ior_hashmap_del(&s->far, i, g);
			ofd_unref(g->f.ofd);
			free(g);
		}
		return;
	}
	ior_hashmap_drop_if(&s->far, far_cleared, &c);
}

void slots_copy(struct slots *dst, const struct slots *src)
{
	if (src->cap) {
		dst->cap = src->cap;
		dst->near = ior_xcalloc(dst->cap, sizeof(*dst->near));
		memcpy(dst->near, src->near, dst->cap * sizeof(*dst->near));
		for (size_t i = 0; i < dst->cap; i++)
			if (dst->near[i].ofd)
				dst->near[i].ofd->refs++;
	}
	for (size_t i = 0; i < src->far.cap; i++) {
		const struct far_slot *f = src->far.slot[i].val;
		struct far_slot *g;

		if (!f)
			continue;
		g = ior_xmalloc(sizeof(*g));
		*g = *f;
		g->f.ofd->refs++;
		ior_hashmap_put(&dst->far, g->num, g);
	}
}

void slots_free(struct slots *s)
{
	slots_clear_if(s, 0, INT64_MAX, NULL);
	free(s->near);
	ior_hashmap_free(&s->far);
	memset(s, 0, sizeof(*s));
}
