/*
 * callstats.c - a stream's calls, their counts, bytes and latency
 * histograms (callstats.h).
 */
#define _GNU_SOURCE
#include <math.h>
#include <stdint.h>
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
	c->timed++;
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

/* A count of an agg: record: digits, below 2^63. */
static uint64_t agg_num(const struct ior_in *in, const char *key,
			const char *val)
{
	int64_t v = ior_int(in, key, val);

	if (v < 0)
		ior_bad(in, key, "negative: %s", val);
	return v;
}

/*
 * The log2 histogram of an agg: record, "B:N,..." (ior-format(5)): N
 * latencies at the midpoint of [2^B, 2^(B+1)) ns, within [min, max].
 * The N must add up to its count.
 */
static void agg_hist(const struct ior_in *in, struct call_stats *c,
		     const char *val, uint64_t count, uint64_t min,
		     uint64_t max)
{
	uint64_t seen = 0, n, v;
	const char *p = val;
	char *end;
	long b;

	while (*p) {
		if (*p < '0' || *p > '9')
			ior_bad(in, "hist", "not B:N,...: %s", val);
		b = strtol(p, &end, 10);
		if (*end != ':' || b > 63 || end[1] < '0' || end[1] > '9')
			ior_bad(in, "hist", "not B:N with B from 0 to 63: %s",
				val);
		n = strtoull(end + 1, &end, 10);
		if ((*end && *end != ',') || (*end == ',' && !end[1]) ||
		    __builtin_add_overflow(seen, n, &seen) || seen > count)
			ior_bad(in, "hist", "more latencies than count=%llu: "
				"%s", (unsigned long long)count, val);
		v = b == 0 ? 1 : 3ull << (b - 1);
		v = v < min ? min : v > max ? max : v;
		c->hist[bucket(v)] += n;
		p = *end ? end + 1 : end;
	}
	if (seen != count)
		ior_bad(in, "hist", "%llu latencies, not count=%llu",
			(unsigned long long)seen, (unsigned long long)count);
}

/*
 * An agg: record: the counts of a call of a process in an interval,
 * added to the call's as if its records had been read.
 */
static void add_agg(struct stats *st, const struct ior_in *in,
		    const struct ior_rec *r)
{
	static const char *const names[] = {
		"count", "errors", "bytes", "lat_total", "lat_min", "lat_max",
		"hist",
	};
	uint64_t v[6] = { 0 };
	const char *hist = NULL;
	struct call_stats *c;
	int seen = 0;

	for (int i = 0; i < r->nkv; i++)
		for (int k = 0; k < 7; k++) {
			if (strcmp(r->kv[i].key, names[k]))
				continue;
			if (k == 6)
				hist = r->kv[i].val;
			else
				v[k] = agg_num(in, names[k], r->kv[i].val);
			seen |= 1 << k;
		}
	for (int k = 0; k < 7; k++)
		if (!(seen & 1 << k))
			ior_bad(in, names[k], "missing in an agg: record");
	if (v[1] > v[0])
		ior_bad(in, "errors", "more than count=%llu",
			(unsigned long long)v[0]);
	if (v[0] && v[4] > v[5])
		ior_bad(in, "lat_min", "above lat_max");
	if (!r->call[4])
		ior_bad(in, "CALL", "agg: names no call");
	c = lookup(st, in, r->call + 4);
	if (c->kind == CALL_PROC || c->kind == CALL_INIT)
		ior_bad(in, "CALL", "no call: %s", r->call);
	if (!v[0])
		return;
	agg_hist(in, c, hist, v[0], v[4], v[5]);
	c->count += v[0];
	c->timed += v[0];
	c->errors += v[1];
	if (c->kind == CALL_READ || c->kind == CALL_WRITE ||
	    c->kind == CALL_COPY)
		c->bytes += v[2];
	c->sum += v[3];
	if (v[4] < c->min)
		c->min = v[4];
	if (v[5] > c->max)
		c->max = v[5];
}

/*
 * A "#sample ior-trace call=C every=N count=N errors=N bytes=N ..."
 * line: the exact totals of a sampled call, which replace what its
 * records of this file counted.
 */
static void add_sample(struct stats *st, const struct ior_in *in)
{
	static const char *const names[] = {
		"call", "every", "count", "errors", "bytes",
	};
	char *line = ior_xstrdup(in->line), *w, *save = NULL, *eq;
	const char *vals[5] = { NULL };
	struct call_stats *c;
	uint64_t every;

	for (w = strtok_r(line + 18, " ", &save); w;
	     w = strtok_r(NULL, " ", &save)) {
		if (!(eq = strchr(w, '=')))
			continue;
		*eq = 0;
		for (int k = 0; k < 5; k++)
			if (!strcmp(w, names[k]))
				vals[k] = eq + 1;
	}
	for (int k = 0; k < 5; k++)
		if (!vals[k])
			ior_bad(in, names[k], "missing in a #sample line");
	every = agg_num(in, "every", vals[1]);
	if (every < 1 || every > UINT32_MAX)
		ior_bad(in, "every", "not from 1 to 4294967295: %s", vals[1]);
	c = lookup(st, in, vals[0]);
	if (!is_op(c))
		ior_bad(in, "call", "no call: %s", vals[0]);
	if (c->sample_file != st->nfiles) {
		c->sample_file = st->nfiles;
		c->samp_count = c->samp_errors = c->samp_bytes = 0;
	}
	c->samp_count += agg_num(in, "count", vals[2]);
	c->samp_errors += agg_num(in, "errors", vals[3]);
	c->samp_bytes += agg_num(in, "bytes", vals[4]);
	c->count = c->base_count + c->samp_count;
	c->errors = c->base_errors + c->samp_errors;
	if (c->kind == CALL_READ || c->kind == CALL_WRITE ||
	    c->kind == CALL_COPY)
		c->bytes = c->base_bytes + c->samp_bytes;
	c->every = every;
	if (!c->label) {
		c->label = ior_xmalloc(strlen(c->name) + 2);
		strcpy(stpcpy(c->label, c->name), "*");
	}
	st->sampled = 1;
	free(line);
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
	/* a #sample line replaces the counts of this file only */
	st->nfiles++;
	for (size_t i = 0; i < st->ncalls; i++) {
		st->calls[i]->base_count = st->calls[i]->count;
		st->calls[i]->base_errors = st->calls[i]->errors;
		st->calls[i]->base_bytes = st->calls[i]->bytes;
	}
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
	if (k == IOR_META && !strncmp(in->line, "#sample ior-trace ", 18))
		add_sample(st, in);
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
	/* a process's counts of an interval: no single operation */
	if (!strncmp(r.call, "agg:", 4)) {
		add_agg(st, in, &r);
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
		t->timed += c->timed;
		t->errors += c->errors;
		t->bytes += c->bytes;
		t->sum += time_total(c);
		if (c->min < t->min)
			t->min = c->min;
		if (c->max > t->max)
			t->max = c->max;
		for (int b = 0; b < NBUCKET; b++)
			t->hist[b] += c->hist[b];
	}
}

uint64_t time_total(const struct call_stats *c)
{
	if (!c->every || !c->timed || c->timed == c->count)
		return c->sum;
	return (long double)c->sum * c->count / c->timed;
}

uint64_t percentile(const struct call_stats *c, double pct)
{
	uint64_t rank = ceil(c->timed * pct / 100), seen = 0, v;

	if (rank == 0)
		rank = 1;
	if (rank >= c->timed)
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
		free(st->calls[i]->label);
		free(st->calls[i]);
	}
	free(st->calls);
	ior_hashmap_free(&st->byname);
}
