/*
 * callstats.c - a stream's calls, their counts, bytes and latency
 * histograms (callstats.h).
 */
#define _GNU_SOURCE
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "ior.h"
#include "callstats.h"

static int starts_with(const char *s, const char *prefix)
{
	return !strncmp(s, prefix, strlen(prefix));
}

/*
 * What a call's records count: the bytes its row's ret column says RET
 * is (lib/calls.h); process and tree records by their namespace.
 */
static enum call_kind classify(const char *name)
{
	int c;

	if (starts_with(name, "sched:") || starts_with(name, "ior:"))
		return CALL_PROC;
	if (starts_with(name, "init:"))
		return CALL_INIT;
	if ((c = ior_call_find(name)) < 0)
		return CALL_OP;
	switch (ior_calls[c].ret) {
	case IOR_RET_READ:
		return CALL_READ;
	case IOR_RET_WRITE:
		return CALL_WRITE;
	case IOR_RET_COPY:
		return CALL_COPY;
	default:
		return CALL_OP;
	}
}

/* The call of st named name (escaped), made on first sight. */
/* A new call of st named name, whose hash is h. */
static struct call_stats *new_call(struct stats *st, const char *name,
				   uint64_t h)
{
	struct call_stats *c = ior_xcalloc(1, sizeof(*c));

	c->name = ior_xstrdup(name);
	c->kind = classify(name);
	c->async = starts_with(name, "aio:") || starts_with(name, "uring:");
	c->min = UINT64_MAX;
	ior_hashmap_add(&st->byname, h, c);
	st->calls = ior_xgrow(st->calls, &st->cap, st->ncalls + 1,
			      sizeof(*st->calls));
	st->calls[st->ncalls++] = c;
	return c;
}

static struct call_stats *lookup(struct stats *st, const struct ior_in *in,
				 const char *name)
{
	uint64_t h = ior_hash_str(name);
	size_t i = ior_hashmap_home(&st->byname, h);
	struct call_stats *c;

	while ((c = ior_hashmap_next(&st->byname, h, &i)))
		if (!strcmp(c->name, name))
			return c;
	if (st->ncalls == CALLS_MAX)
		ior_bad(in, "CALL", "more than %d distinct calls", CALLS_MAX);
	if (strlen(name) > CALL_NAME_MAX)
		ior_bad(in, "CALL", "longer than %d bytes", CALL_NAME_MAX);
	return new_call(st, name, h);
}

struct call_stats *stats_find(const struct stats *st, const char *name)
{
	uint64_t h = ior_hash_str(name);
	size_t i = ior_hashmap_home(&st->byname, h);
	struct call_stats *c;

	while ((c = ior_hashmap_next(&st->byname, h, &i)))
		if (!strcmp(c->name, name))
			return c;
	return NULL;
}

int bucket(uint64_t v)
{
	int e;

	if (v < SUB)
		return v;
	e = 63 - __builtin_clzll(v);
	return (e - SUB_BITS + 1) * SUB + ((v >> (e - SUB_BITS)) & (SUB - 1));
}

/* The midpoint of bucket b. */
uint64_t bucket_value(int b)
{
	int g = b / SUB, s = b % SUB, e;
	uint64_t width;

	if (g == 0)
		return s;
	e = g + SUB_BITS - 1;
	width = 1ull << (e - SUB_BITS);
	return (1ull << e) + s * width + (width - 1) / 2;
}

static void add(struct call_stats *c, const struct ior_rec *r)
{
	c->count++;
	if (r->ret < 0)
		c->errors++;
	else if (c->kind == CALL_READ || c->kind == CALL_WRITE ||
		 c->kind == CALL_COPY)
		c->bytes += r->ret;
	c->sum += r->dur;
	if (r->dur < c->min)
		c->min = r->dur;
	if (r->dur > c->max)
		c->max = r->dur;
	c->hist[bucket(r->dur)]++;
}

/*
 * Look for skip= and a non-zero inflight= in one pass over the keys: this
 * runs for every record, so the first byte is compared before the name.
 */
static void find_marks(const struct ior_rec *r, int *skip, int *inflight)
{
	*skip = *inflight = 0;
	for (int i = 0; i < r->nkv; i++) {
		const char *k = r->kv[i].key;

		if (k[0] == 's' && !strcmp(k, "skip"))
			*skip = 1;
		else if (k[0] == 'i' && !strcmp(k, "inflight"))
			*inflight = strcmp(r->kv[i].val, "0") != 0;
	}
}

void rec_bytes(const struct call_stats *c, const struct ior_rec *r,
	       uint64_t *rd, uint64_t *wr)
{
	uint64_t n = r->ret > 0 ? (uint64_t)r->ret : 0;

	*rd = c->kind == CALL_READ || c->kind == CALL_COPY ? n : 0;
	*wr = c->kind == CALL_WRITE || c->kind == CALL_COPY ? n : 0;
}

void meta_host(const struct ior_in *in, char *host)
{
	const char *p = in->line, *e;

	if (strncmp(p, "#meta ", 6))
		return;
	for (p += 6; *p; p = *e ? e + 1 : e) {
		e = strchrnul(p, ' ');
		if (strncmp(p, "host=", 5))
			continue;
		if (e - p - 5 > HOST_MAX)
			ior_bad(in, "host", "longer than %d bytes", HOST_MAX);
		memcpy(host, p + 5, e - p - 5);
		host[e - p - 5] = '\0';
	}
}

void stats_open(struct stats *st, struct ior_in *in, const char *path)
{
	st->last = 0;
	st->path = path;
	ior_in_open(in, path);
}

int stats_feed(struct stats *st, struct ior_in *in)
{
	struct ior_rec r;
	uint64_t end;		/* this record's end */
	int k, skip, inflight;
	struct call_stats *c;

	if ((k = ior_read(in, &r)) == IOR_EOF)
		return 0;
	if (k == IOR_META && !st->records)
		meta_host(in, st->host);
	if (k == IOR_META)
		storage_line(&st->storage, in);
	if (k == IOR_META && !st->loss_in && ior_loss_of(in->line, &st->loss)) {
		st->loss_in = st->path && strcmp(st->path, "-") ? st->path :
			"<stdin>";
		st->loss_line = in->lineno;
	}
	if (k != IOR_REC)
		return 1;
	st->records++;
	if (__builtin_add_overflow(r.time_ns, r.dur, &end))
		end = UINT64_MAX;
	if (end > st->last)
		st->last = end;
	/* Not issued by the replay: neither a count nor a latency. */
	find_marks(&r, &skip, &inflight);
	if (skip) {
		st->skipped++;
		return 1;
	}
	c = lookup(st, in, r.call);
	if (c->kind == CALL_PROC) {
		c->count++;
	} else if (c->async) {
		/*
		 * Never completed: no result, no latency. In flight until the
		 * end of the stream as far as it is read (ior-trace writes
		 * these at its end).
		 */
		if (inflight) {
			c->inflight++;
			depth_add(&st->depth, r.time_ns,
				  st->last > r.time_ns ? st->last : r.time_ns);
		} else {
			depth_add(&st->depth, r.time_ns, end);
			add(c, &r);
			if (st->each)
				st->each(st, in, &r, c);
		}
	} else if (c->kind != CALL_INIT) {
		add(c, &r);
		if (st->each)
			st->each(st, in, &r, c);
	}
	return 1;
}

void stats_read(struct stats *st, const char *path)
{
	struct ior_in in;

	stats_open(st, &in, path);
	while (stats_feed(st, &in))
		;
	ior_in_close(&in);
}

void stats_add(struct stats *dst, const struct stats *src)
{
	dst->skipped += src->skipped;
	dst->records += src->records;
	storage_add(&dst->storage, &src->storage);
	for (size_t i = 0; i < src->ncalls; i++) {
		const struct call_stats *s = src->calls[i];
		struct call_stats *d = stats_find(dst, s->name);

		/* at most CALLS_MAX per input: bounded by the inputs */
		if (!d)
			d = new_call(dst, s->name, ior_hash_str(s->name));
		d->inflight += s->inflight;
		d->count += s->count;
		d->errors += s->errors;
		d->bytes += s->bytes;
		d->sum += s->sum;
		if (s->min < d->min)
			d->min = s->min;
		if (s->max > d->max)
			d->max = s->max;
		for (int b = 0; b < NBUCKET; b++)
			d->hist[b] += s->hist[b];
	}
}

int is_op(const struct call_stats *c)
{
	return c && c->kind != CALL_PROC && c->kind != CALL_INIT;
}

void total(const struct stats *st, struct call_stats *t, uint64_t *rd,
	   uint64_t *wr)
{
	memset(t, 0, sizeof(*t));
	t->name = "TOTAL";
	t->min = UINT64_MAX;
	*rd = *wr = 0;
	for (size_t i = 0; i < st->ncalls; i++) {
		const struct call_stats *c = st->calls[i];

		if (!is_op(c))
			continue;
		if (c->kind == CALL_READ || c->kind == CALL_COPY)
			*rd += c->bytes;
		if (c->kind == CALL_WRITE || c->kind == CALL_COPY)
			*wr += c->bytes;
		t->count += c->count;
		t->errors += c->errors;
		t->bytes += c->bytes;
		t->sum += c->sum;
		if (c->min < t->min)
			t->min = c->min;
		if (c->max > t->max)
			t->max = c->max;
		for (int b = 0; b < NBUCKET; b++)
			t->hist[b] += c->hist[b];
	}
}

uint64_t percentile(const struct call_stats *c, double pct)
{
	uint64_t rank = ceil(c->count * pct / 100), seen = 0, v;

	if (rank == 0)
		rank = 1;
	if (rank >= c->count)
		return c->max;	/* the top sample is known exactly */
	for (int b = 0; b < NBUCKET; b++) {
		seen += c->hist[b];
		if (seen >= rank) {
			v = bucket_value(b);
			return v < c->min ? c->min : v > c->max ? c->max : v;
		}
	}
	return c->max;
}

void stats_free(struct stats *st)
{
	for (size_t i = 0; i < st->ncalls; i++) {
		free(st->calls[i]->name);
		free(st->calls[i]);
	}
	free(st->calls);
	ior_hashmap_free(&st->byname);
}
