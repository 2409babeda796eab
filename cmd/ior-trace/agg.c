/*
 * agg.c - what the programs count rather than write: aggregate mode's
 * agg: records (-a), drained from the per-CPU table "aggs" at the end of
 * each interval, and sampling's exact totals (--sample), read from the
 * per-CPU array "sampled" for the trailer. ior-format(5), "Aggregates
 * and samples", says what they hold.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "agg.h"
#include "capture.h"
#include "options.h"
#include "output.h"

/*
 * How long a program that read the interval's generation before the
 * flip may still be adding to the old one's entries: a program runs for
 * microseconds, with migration off.
 */
#define GRACE_NS 10000000

static int16_t row_of[IOR_ABIS][IOR_NR_MAX];	/* row + 1 by number */
static uint32_t gen;
static uint64_t start;		/* CLOCK_MONOTONIC ns: the interval's */

void agg_init(uint64_t t0)
{
	for (int id = 0; id < IOR_NCALLS; id++) {
		const struct ior_call *c = &ior_calls[id];

		if (c->capture == IOR_CAPTURE_NONE)
			continue;
		if (!c->abi32 && c->nr64 >= 0 && c->nr64 < IOR_NR_MAX)
			row_of[IOR_ABI_X86_64][c->nr64] = id + 1;
		if (c->nr32 >= 0 && c->nr32 < IOR_NR_MAX)
			row_of[IOR_ABI_I386][c->nr32] = id + 1;
	}
	start = t0;
}

/* The name a record of call nr of ABI abi has, or NULL: no row. */
static const char *call_name(unsigned abi, int nr)
{
	int r;

	if (abi >= IOR_ABIS || nr < 0 || nr >= IOR_NR_MAX ||
	    !(r = row_of[abi][nr]))
		return NULL;
	return ior_calls[r - 1].name;
}

/* The CPUs a per-CPU map has a value for. */
static int ncpus(void)
{
	static int n;

	if (!n && (n = libbpf_num_possible_cpus()) <= 0)
		ior_errx(IOR_EXIT_SYS, "cannot count the CPUs");
	return n;
}

/* Slots of "aggs" read by one call: at most, and the bytes of their values. */
#define AGG_CHUNK 256
#define AGG_CHUNK_BYTES (1 << 20)

/* Add the counts of b to a, of the same pair: min and max kept. */
static void agg_merge(struct ior_agg *a, const struct ior_agg *b)
{
	if (b->lat_min < a->lat_min)
		a->lat_min = b->lat_min;
	if (b->lat_max > a->lat_max)
		a->lat_max = b->lat_max;
	a->count += b->count;
	a->errors += b->errors;
	a->bytes += b->bytes;
	a->lat_total += b->lat_total;
	for (int i = 0; i < IOR_AGG_BUCKETS; i++)
		a->hist[i] += b->hist[i];
}

/* The pairs counted in an interval: each CPU's slots, unsorted. */
struct agg_list {
	struct ior_agg *v;
	size_t n, cap;
};

/*
 * Append to l the used slots of the half of "aggs" from slot first on,
 * every CPU's, and clear them for the next interval of this half.
 */
static void read_half(int fd, uint32_t first, uint32_t half,
		      struct agg_list *l)
{
	LIBBPF_OPTS(bpf_map_batch_opts, opts);
	int n = ncpus();
	/* as many slots as AGG_CHUNK_BYTES hold over the CPUs, 1 at least */
	uint32_t chunk = AGG_CHUNK_BYTES / (n * sizeof(struct ior_agg));
	struct ior_agg *vals, *zero = ior_xcalloc(n, sizeof(*zero));
	uint32_t keys[AGG_CHUNK], in, out, done = 0, cnt;

	if (chunk > AGG_CHUNK)
		chunk = AGG_CHUNK;
	if (chunk < 1)
		chunk = 1;
	vals = ior_xcalloc((size_t)chunk * n, sizeof(*vals));
	while (done < half) {
		bool used;
		int err;

		cnt = half - done < chunk ? half - done : chunk;
		in = first + done - 1;
		err = bpf_map_lookup_batch(fd, first + done ? &in : NULL, &out,
					   keys, vals, &cnt, &opts);
		if (err && errno != ENOENT)
			ior_err(IOR_EXIT_SYS, "aggregate map");
		for (uint32_t i = 0; i < cnt; i++) {
			used = false;
			for (int c = 0; c < n; c++) {
				const struct ior_agg *v = &vals[(size_t)i * n + c];

				if (!v->count)
					continue;
				l->v = ior_xgrow(l->v, &l->cap, l->n + 1,
						 sizeof(*l->v));
				l->v[l->n++] = *v;
				used = true;
			}
			if (used && bpf_map_update_elem(fd, &keys[i], zero, 0))
				ior_err(IOR_EXIT_SYS, "aggregate map");
		}
		if (err || !cnt)
			break;
		done += cnt;
	}
	free(zero);
	free(vals);
}

static int key_cmp(const void *a, const void *b)
{
	const struct ior_agg_key *x = &((const struct ior_agg *)a)->key;
	const struct ior_agg_key *y = &((const struct ior_agg *)b)->key;

	if (x->tgid != y->tgid)
		return x->tgid < y->tgid ? -1 : 1;
	if (x->abi != y->abi)
		return x->abi < y->abi ? -1 : 1;
	return (x->nr > y->nr) - (x->nr < y->nr);
}

/* The agg: record of key's counts a over the interval [start, end). */
static void write_agg(const struct ior_agg_key *key, const struct ior_agg *a,
		      uint64_t end)
{
	const char *name = call_name(key->abi, key->nr);
	char call[IOR_COMM_LEN + 64], hist[IOR_AGG_BUCKETS * 26 + 1];
	size_t len = 0;

	if (!name)
		return;
	snprintf(call, sizeof(call), "agg:%s", name);
	put_head(rel_time(start), key->tgid, key->tgid, a->comm, call, 0,
		 end - start);
	ior_put_kv_i64(&trace_out, "count", a->count);
	ior_put_kv_i64(&trace_out, "errors", a->errors);
	ior_put_kv_i64(&trace_out, "bytes", a->bytes);
	ior_put_kv_i64(&trace_out, "lat_total", a->lat_total);
	ior_put_kv_i64(&trace_out, "lat_min", a->lat_min);
	ior_put_kv_i64(&trace_out, "lat_max", a->lat_max);
	hist[0] = 0;
	for (int b = 0; b < IOR_AGG_BUCKETS; b++)
		if (a->hist[b])
			len += snprintf(hist + len, sizeof(hist) - len,
					"%s%d:%llu", len ? "," : "", b,
					(unsigned long long)a->hist[b]);
	ior_put_kv(&trace_out, "hist", hist);
	ior_putc(&trace_out, '\n');
}

/*
 * End the interval at now: flip the generation the programs count in
 * (not at the last, when they are detached), let those that read the
 * old one finish, then read and clear the old one's half: each pair's
 * slots over the CPUs make its record. Clearing is what resets each
 * pair's least and greatest latency.
 */
void agg_drain(uint64_t now, bool last)
{
	uint32_t old = gen & 1, half = aggs_half();
	struct agg_list l = { 0 };
	struct ior_agg a;

	if (!last) {
		struct timespec ts = { 0, GRACE_NS };

		set_agg_gen(++gen);
		nanosleep(&ts, NULL);
	}
	read_half(aggs_fd(), old * half, half, &l);
	if (l.n)	/* an interval without a call: no slots */
		qsort(l.v, l.n, sizeof(*l.v), key_cmp);
	for (size_t i = 0; i < l.n; i++) {
		if (i == 0 || key_cmp(&l.v[i], &a)) {
			if (i)
				write_agg(&a.key, &a, now);
			a = l.v[i];
		} else {
			agg_merge(&a, &l.v[i]);
		}
	}
	if (l.n)
		write_agg(&a.key, &a, now);
	free(l.v);
	start = now;
}

/* The sampled calls and their N, for the header: "pread64:10,...". */
void put_sample_meta(const struct trace_opts *o)
{
	bool first = true;
	char buf[64];

	for (int c = 0; c < IOR_NCALLS; c++) {
		if (!o->sample[c])
			continue;
		snprintf(buf, sizeof(buf), "%s%s:%u", first ? " sample=" : ",",
			 ior_calls[c].name, o->sample[c]);
		ior_puts(&trace_out, buf);
		first = false;
	}
}

/* One call's totals over the CPUs, from "sampled". */
static struct ior_sampled sampled_sum(int fd, uint32_t idx)
{
	int n = ncpus();
	struct ior_sampled *v = ior_xcalloc(n, sizeof(*v)), sum = { 0 };

	if (bpf_map_lookup_elem(fd, &idx, v) == 0)
		for (int i = 0; i < n; i++) {
			sum.count += v[i].count;
			sum.errors += v[i].errors;
			sum.bytes += v[i].bytes;
			sum.written += v[i].written;
		}
	free(v);
	return sum;
}

/*
 * A #sample line for each sampled call: those of x86_64 always, those
 * of i386 processes when they made them (an i386 read is a second line
 * of read: ior-stats adds them up).
 */
void put_sample_totals(const struct trace_opts *o)
{
	int fd = sampled_fd();

	for (unsigned abi = 0; abi < IOR_ABIS; abi++)
		for (int nr = 0; nr < IOR_NR_MAX; nr++) {
			int r = row_of[abi][nr];
			uint32_t every;
			struct ior_sampled s;

			if (!r || !(every = o->sample[ior_calls[r - 1].native]))
				continue;
			s = sampled_sum(fd, abi * IOR_NR_MAX + nr);
			if (abi == IOR_ABI_I386 && !s.count)
				continue;
			ior_printf(&trace_out, "#sample ior-trace call=%s every=%u "
				   "count=%llu errors=%llu bytes=%llu "
				   "written=%llu\n", ior_calls[r - 1].name, every,
				   (unsigned long long)s.count,
				   (unsigned long long)s.errors,
				   (unsigned long long)s.bytes,
				   (unsigned long long)s.written);
		}
}
