/*
 * flame.c - collapsed stacks (flame.h).
 *
 * A record's stack is its COMM, its CALL, then the directory and the
 * name of the file it acts on (rec_path(): file=, else path=), when it
 * names one. Frames are written as the stream escapes them, so none
 * holds a space, and a ';' in one, the separator of frames, is written
 * \x3b: the escapes of ior-format(5), reversible.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ior.h"
#include "callstats.h"
#include "flame.h"
#include "groups.h"
#include "options.h"

/* Append frame s[0..n) to b at *len, ';' escaped; room is the caller's. */
static void put_frame(char *b, size_t *len, const char *s, size_t n)
{
	if (*len)
		b[(*len)++] = ';';
	for (size_t i = 0; i < n; i++) {
		if (s[i] == ';') {
			memcpy(b + *len, "\\x3b", 4);
			*len += 4;
		} else {
			b[(*len)++] = s[i];
		}
	}
	b[*len] = 0;
}

static uint64_t weight_of(const struct ior_rec *r, const struct call_stats *c)
{
	uint64_t rd, wr;

	switch (opt.weight) {
	case WEIGHT_TIME:
		return r->dur;
	case WEIGHT_BYTES:
		rec_bytes(c, r, &rd, &wr);
		return rd + wr;
	case WEIGHT_CALLS:
		break;
	}
	return 1;
}

void flame_add(struct flame *f, const struct ior_rec *r,
	       const struct call_stats *c)
{
	/* each frame escaped is at most 4 times its line's bytes */
	static char b[4 * IOR_LINE_MAX + 8];
	const char *p = rec_path(r), *slash;
	uint64_t w = weight_of(r, c), h;
	size_t len = 0, i;
	struct stack *s;

	if (!w)
		return;		/* a stack of no weight draws nothing */
	put_frame(b, &len, r->comm, strlen(r->comm));
	put_frame(b, &len, r->call, strlen(r->call));
	if (p && *p) {
		slash = strrchr(p, '/');
		if (!slash) {
			put_frame(b, &len, p, strlen(p));
		} else {
			/* "/x": directory "/"; "/a/b/": the directory alone */
			put_frame(b, &len, p, slash == p ? 1 : (size_t)(slash - p));
			if (slash[1])
				put_frame(b, &len, slash + 1, strlen(slash + 1));
		}
	}
	h = ior_hash(b, len);
	i = ior_hashmap_home(&f->map, h);
	while ((s = ior_hashmap_next(&f->map, h, &i)))
		if (!strcmp(s->frames, b))
			break;
	if (!s) {
		s = ior_xcalloc(1, sizeof(*s));
		s->frames = ior_xstrdup(b);
		ior_hashmap_add(&f->map, h, s);
		f->s = ior_xgrow(f->s, &f->cap, f->n + 1, sizeof(*f->s));
		f->s[f->n++] = s;
	}
	if (__builtin_add_overflow(s->weight, w, &s->weight))
		s->weight = UINT64_MAX;
}

static int by_frames(const void *pa, const void *pb)
{
	const struct stack *a = *(struct stack *const *)pa;
	const struct stack *b = *(struct stack *const *)pb;

	return strcmp(a->frames, b->frames);
}

int flame_report(struct flame *f, struct ior_out *o)
{
	if (f->n == 0) {
		ior_warnx("nothing to report: no operation records%s",
			  opt.weight == WEIGHT_BYTES ? " that moved bytes" :
			  opt.weight == WEIGHT_TIME ? " that took time" : "");
		return IOR_EXIT_NONE;
	}
	/* sorted, stacks sharing frames are next to each other */
	qsort(f->s, f->n, sizeof(*f->s), by_frames);
	if (opt.svg) {
		svg_write(o, f->s, f->n);
		return IOR_EXIT_OK;
	}
	for (size_t i = 0; i < f->n; i++) {
		ior_puts(o, f->s[i]->frames);
		ior_putc(o, ' ');
		ior_put_u64(o, f->s[i]->weight);
		ior_putc(o, '\n');
	}
	return IOR_EXIT_OK;
}

void flame_free(struct flame *f)
{
	for (size_t i = 0; i < f->n; i++) {
		free(f->s[i]->frames);
		free(f->s[i]);
	}
	free(f->s);
	ior_hashmap_free(&f->map);
	memset(f, 0, sizeof(*f));
}
