/*
 * agg.c - what the programs count rather than write: aggregate mode's
 * agg: records (-a), drained from the per-CPU hash "aggs" at the end of
 * each interval, and sampling's exact totals (--sample), read from the
 * per-CPU array "sampled" for the trailer. ior-format(5), "Aggregates
 * and samples", says what they hold.
 */
#define _GNU_SOURCE
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

/* One entry of "aggs" over the CPUs: counts summed, min and max kept. */
static bool agg_read(int fd, const struct ior_agg_key *key, struct ior_agg *sum)
{
	int n = ncpus();
	struct ior_agg *v = ior_xcalloc(n, sizeof(*v));
	bool ok = bpf_map_lookup_elem(fd, key, v) == 0;

	memset(sum, 0, sizeof(*sum));
	for (int i = 0; ok && i < n; i++) {
		if (!v[i].count)
			continue;
		if (!sum->count || v[i].lat_min < sum->lat_min)
			sum->lat_min = v[i].lat_min;
		if (v[i].lat_max > sum->lat_max)
			sum->lat_max = v[i].lat_max;
		if (!sum->comm[0])
			memcpy(sum->comm, v[i].comm, sizeof(sum->comm));
		sum->count += v[i].count;
		sum->errors += v[i].errors;
		sum->bytes += v[i].bytes;
		sum->lat_total += v[i].lat_total;
		for (int b = 0; b < IOR_AGG_BUCKETS; b++)
			sum->hist[b] += v[i].hist[b];
	}
	free(v);
	return ok;
}

static int key_cmp(const void *a, const void *b)
{
	const struct ior_agg_key *x = a, *y = b;

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
 * old one finish, then write and delete each entry of the old one.
 * Deleting is what resets each pair's least and greatest latency.
 */
void agg_drain(uint64_t now, bool last)
{
	struct ior_agg_key *keys = NULL, k, next, *prev = NULL;
	size_t n = 0, cap = 0;
	uint32_t old = gen & 1;
	int fd = aggs_fd();
	struct ior_agg a;

	if (!last) {
		struct timespec ts = { 0, GRACE_NS };

		set_agg_gen(++gen);
		nanosleep(&ts, NULL);
	}
	while (bpf_map_get_next_key(fd, prev, &next) == 0) {
		if ((next.gen & 1) == old) {
			keys = ior_xgrow(keys, &cap, n + 1, sizeof(*keys));
			keys[n++] = next;
		}
		k = next;
		prev = &k;
	}
	if (n)		/* an interval without a call: no keys */
		qsort(keys, n, sizeof(*keys), key_cmp);
	for (size_t i = 0; i < n; i++) {
		if (agg_read(fd, &keys[i], &a) && a.count)
			write_agg(&keys[i], &a, now);
		bpf_map_delete_elem(fd, &keys[i]);
	}
	free(keys);
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
