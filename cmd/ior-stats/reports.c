/* reports.c - the tables fed by each operation read (reports.h). */
#include <stdlib.h>

#include "ior.h"
#include "callstats.h"
#include "flame.h"
#include "groups.h"
#include "hist.h"
#include "options.h"
#include "reports.h"
#include "timeline.h"

struct reports {
	struct groups groups;	/* -r files, -r procs */
	struct timeline timeline;	/* -r time */
	struct flame flame;	/* -r flame */
};

static void each(struct stats *st, const struct ior_in *in,
		 const struct ior_rec *r, const struct call_stats *c)
{
	struct reports *rp = st->data;

	(void)in;
	if (opt.show & (SHOW_FILES | SHOW_PROCS))
		groups_add(&rp->groups, r, c);
	else if (opt.show & SHOW_TIME)
		timeline_add(&rp->timeline, r, c);
	else if (opt.show & SHOW_FLAME)
		flame_add(&rp->flame, r, c);
}

void reports_attach(struct stats *st)
{
	struct reports *rp;

	if (!(opt.show & (SHOW_FILES | SHOW_PROCS | SHOW_TIME | SHOW_FLAME)))
		return;		/* the histograms are the calls' own */
	rp = ior_xcalloc(1, sizeof(*rp));
	rp->groups.by = opt.show & SHOW_FILES ? BY_FILE : BY_PROC;
	st->data = rp;
	st->each = each;
}

int reports_print(struct stats *a, struct stats *b, struct ior_out *o)
{
	struct reports *ra = a->data, *rb = b ? b->data : NULL;

	if (opt.show & SHOW_HIST)
		return hist_report(a, b, o);
	if (opt.show & (SHOW_FILES | SHOW_PROCS))
		return b ? groups_compare(&ra->groups, &rb->groups, o) :
			groups_report(&ra->groups, o);
	if (opt.show & SHOW_TIME)
		return timeline_report(&ra->timeline, rb ? &rb->timeline : NULL,
				       o);
	return flame_report(&ra->flame, o);
}

void reports_free(struct stats *st)
{
	struct reports *rp = st->data;

	if (!rp)
		return;
	groups_free(&rp->groups);
	timeline_free(&rp->timeline);
	flame_free(&rp->flame);
	free(rp);
	st->data = NULL;
	st->each = NULL;
}
