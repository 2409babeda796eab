/*
 * results.c - the result stream (results.h), written by the master: the
 * header before the replay, each op's line as the window moves on
 * (window.c), the trailer once every replay process has ended.
 */
#define _GNU_SOURCE
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/utsname.h>
#include <unistd.h>

#include "ior.h"
#include "cache.h"
#include "options.h"
#include "order.h"
#include "program.h"
#include "results.h"
#include "shared.h"
#include "signals.h"
#include "spool.h"
#include "storage.h"
#include "watchdog.h"
#include "window.h"

static const char *const skip_names[] = {
	[SKIP_NOFD] = "nofd", [SKIP_NOMAP] = "nomap", [SKIP_UNSAFE] = "unsafe",
	[SKIP_UNSUPPORTED] = "unsupported", [SKIP_ORPHAN] = "orphan",
};
#define NSKIP (sizeof(skip_names) / sizeof(*skip_names))

/*
 * The operations not issued, by reason: each reason's count in the
 * trailer (skipped.REASON=N), and one line on stderr when there were any.
 */
static void put_skips(struct ior_out *out, const uint64_t *nskip)
{
	for (size_t k = 1; k < NSKIP; k++)
		ior_printf(out, " skipped.%s=%llu", skip_names[k],
			   (unsigned long long)nskip[k]);
}

/*
 * One line on stderr when the replay diverged from the capture: the
 * operations not issued, by reason, those whose RET differs, and how
 * many of these are errors the capture did not have. A replay stopped
 * early says so in its own words (signals.h, watchdog.h), not here.
 */
static void say_divergence(uint64_t skipped, const uint64_t *nskip,
			   uint64_t mism, uint64_t newerr)
{
	char why[256];
	size_t n = 0;

	why[0] = 0;
	for (size_t k = 1; k < NSKIP; k++)
		if (nskip[k] && n < sizeof(why))
			n += snprintf(why + n, sizeof(why) - n, "%s%llu %s",
				      n ? ", " : " (", (unsigned long long)nskip[k],
				      skip_names[k]);
	if (n && n < sizeof(why))
		snprintf(why + n, sizeof(why) - n, ")");
	ior_warnx("diverged from the capture: %llu skipped%s, %llu mismatched, %llu errors not captured",
		  (unsigned long long)skipped, why, (unsigned long long)mism,
		  (unsigned long long)newerr);
}

static int mismatched(const struct prog_op *op, int64_t ret)
{
	if ((ret < 0) != (op->cret < 0))
		return 1;
	if (ret < 0 || !op->anyret)
		return ret != op->cret;
	return 0;
}

/*
 * A streamed program's results wait on disk (spool.h) until the replay
 * ended, each op's slot of results as it is, 40 bytes an op: taking
 * them apart, counting and formatting them meanwhile took a CPU from the
 * replay's threads (window.h).
 */
static struct spool spill = { .fd = -1 };
static uint32_t nspilled, nformatted;

/*
 * Timed mode: how late op i (op, its result res) was issued, in ns after
 * its deadline. The requests of an io_submit or io_uring_enter go with
 * it: theirs is its lateness (held whole, its result is in memory;
 * streamed, its lateness was kept by slot as its line was written,
 * before: the window covers the ops between, window.h). An AIO request
 * that no io_submit names has none (returns 0). *own: the op is one its
 * thread issued at its own place.
 */
static int64_t *late_by_slot;	/* streamed: the last window's ops' */

static int late_of(uint32_t i, const struct prog_op *op,
		   const struct op_result *res, int64_t *late, int *own)
{
	uint32_t at = i;

	if (is_aio_request(op->kind) ||
	    (is_uring_request(op->kind) && op->target != NONE)) {
		if (op->target == NONE)
			return 0;
		at = op->target;
	}
	*own = at == i;
	if (at == i) {
		*late = (int64_t)(res->start - due_of(op));
	} else if (prog.streamed && at > i) {
		/* its io_uring_enter came after it: read back from the spools */
		struct op_result r;
		struct prog_op o;

		if (at >= nspilled)
			return 0;	/* stopped before it was set aside */
		spool_file_peek(&spill, (uint64_t)at * sizeof(r), &r,
				sizeof(r));
		spool_peek((uint64_t)at * sizeof(o),
			   offsetof(struct prog_op, ctime), &o.ctime,
			   sizeof(o.ctime));
		*late = (int64_t)(r.start - due_of(&o));
	} else if (prog.streamed)
		*late = late_by_slot[at & prog.wmask];
	else
		*late = (int64_t)(res_at(at)->start - due(at));
	if (prog.streamed) {
		if (!late_by_slot)
			late_by_slot = ior_xcalloc(prog.wmask + 1,
						   sizeof(*late_by_slot));
		late_by_slot[i & prog.wmask] = *late;
	}
	return 1;
}

static int by_value(const void *a, const void *b)
{
	int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;

	return (x > y) - (x < y);
}

/* The nearest-rank percentile p of the n sorted values v. */
static int64_t percentile(const int64_t *v, uint32_t n, unsigned p)
{
	uint64_t rank = ((uint64_t)n * p + 99) / 100;

	return n ? v[rank ? rank - 1 : 0] : 0;
}

/*
 * host=: where the replay ran, --host or the nodename; the capture's
 * host stays on the ior-trace line of the program's header.
 */
static void put_host(struct ior_out *out)
{
	struct utsname uts;

	if (opt.host) {
		ior_put_kv_esc(out, "host", opt.host);
	} else if (uname(&uts) == 0) {
		ior_put_kv_esc(out, "host", uts.nodename);
	}
}

/*
 * --start-at: how late the first operation started after TIME (first:
 * its start, ns after TIME 0 at wall-clock start), in the trailer and,
 * with -v, on stderr.
 */
static void put_skew(struct ior_out *out, uint64_t start, uint64_t first)
{
	uint64_t skew;

	if (!opt.start_at || first == UINT64_MAX)
		return;
	skew = start - opt.start_at + first;
	ior_printf(out, " skew=%llu", (unsigned long long)skew);
	if (opt.verbose)
		ior_warnx("first op %.6f ms after --start-at", skew / 1e6);
}

/*
 * What the lines written so far add up to, for the trailer. Timed, each
 * op's lateness is kept for the percentiles: 8 bytes an op.
 */
static struct tally {
	struct ior_out out;
	uint64_t first;		/* the earliest op's start */
	uint64_t errors, mism, skipped, nstopped, newerr;
	uint64_t nskip[NSKIP];
	int64_t *lates;
	size_t lates_cap;
	uint32_t nlates;
	uint32_t *stuck, nstuck, k;	/* stopped: the ops in their call */
} tl;

void results_prepare(void)
{
	if (prog.streamed)
		spool_file_open(&spill, "results");
}

void results_begin(uint64_t start)
{
	tl.first = UINT64_MAX;
	ior_out_init(&tl.out, STDOUT_FILENO, NULL);
	ior_put_magic(&tl.out, IOR_KIND_RESULT);
	ior_put(&tl.out, prog.meta, prog.meta_len);
	ior_puts(&tl.out, "#meta ior-replay");
	put_host(&tl.out);
	ior_put_kv_esc(&tl.out, "root", opt.dir);
	ior_puts(&tl.out, " start=");
	ior_put_time(&tl.out, start);
	ior_puts(&tl.out, " cache=");
	ior_puts(&tl.out, cache_name(opt.cache));
	if (opt.timed)
		ior_printf(&tl.out, " speed=%g", opt.speed);
	ior_putc(&tl.out, '\n');
	storage_put(&tl.out, STORAGE_START);
}

/* What a result line says of the replay, beside what the op says. */
struct result_rec {
	uint64_t start;		/* ns after TIME 0; stopped: the stop's */
	int64_t ret;
	uint64_t dur;
	int64_t late;		/* has_late: late= */
	uint8_t skip;		/* SKIP_*, or REC_STOPPED; SKIP_NONE: done */
	uint8_t has_late, inflight, stuck;
};
#define REC_STOPPED 0xff

/*
 * Op i's result res as its line will say it, counted for the trailer.
 * Not done when the replay was stopped early, for whatever reason
 * (signals.h): never begun, in its call, or given up (ST_ABORT) after a
 * failure. (An op let go while the replay runs is done or skipped.)
 */
static void take_result(uint32_t i, const struct prog_op *op,
			const struct op_result *res, struct result_rec *rec)
{
	uint32_t state = res->state & ST_MASK;
	int stop_skip = stopped() && state != ST_DONE && state != ST_SKIPPED;
	int own;

	*rec = (struct result_rec){ .start = res->start };
	if (stop_skip) {
		rec->start = stop.at > sh->t0 ? stop.at - sh->t0 : 0;
		rec->skip = REC_STOPPED;
		tl.nstopped++;
		if (tl.k < tl.nstuck && tl.stuck[tl.k] == i) {
			rec->stuck = 1;
			tl.k++;
		}
	} else if (state == ST_SKIPPED) {
		rec->skip = res->skip;
		tl.skipped++;
		tl.nskip[res->skip]++;
	} else {
		rec->ret = res->ret;
		rec->dur = res->dur;
		tl.errors += res->ret < 0;
		tl.mism += mismatched(op, res->ret);
		tl.newerr += res->ret < 0 && op->cret >= 0;
	}
	if (!stop_skip && res->start < tl.first)
		tl.first = res->start;
	if (opt.timed && !stop_skip && late_of(i, op, res, &rec->late, &own)) {
		rec->has_late = 1;
		if (own) {
			tl.lates = ior_xgrow(tl.lates, &tl.lates_cap,
					     tl.nlates + 1, sizeof(*tl.lates));
			tl.lates[tl.nlates++] = rec->late;
		}
	}
	rec->inflight = claim_of(res) == CL_INFLIGHT;
}

/* The line of op, whose result is rec. */
static void put_line(const struct prog_op *op, const struct result_rec *rec)
{
	struct ior_out *out = &tl.out;

	ior_put_time(out, rec->start);
	ior_putc(out, ' ');
	ior_put_i64(out, op->pid);
	ior_putc(out, ' ');
	ior_put_i64(out, op->tid);
	ior_putc(out, ' ');
	ior_puts(out, str(op->comm));
	ior_putc(out, ' ');
	ior_puts(out, op->kind == IOR_REPLAY_UR_OTHER ? str(op->name) :
		 ior_calls[op->row].name);
	ior_putc(out, ' ');
	ior_put_i64(out, rec->ret);
	ior_putc(out, ' ');
	ior_put_u64(out, rec->dur);
	ior_putc(out, ' ');
	ior_put(out, str(op->text), op->textlen);
	ior_put_kv_i64(out, "cret", op->cret);
	ior_put_kv_i64(out, "cdur", op->cdur);
	if (rec->has_late)
		ior_put_kv_i64(out, "late", rec->late);
	if (op->cinflight)
		ior_puts(out, " cinflight=1");
	if (rec->inflight)
		ior_puts(out, " inflight=1");
	if (rec->skip == REC_STOPPED) {
		ior_puts(out, " skip=stopped");
		if (rec->stuck)
			ior_puts(out, " stuck=1");
	} else if (rec->skip) {
		ior_puts(out, " skip=");
		ior_puts(out, skip_names[rec->skip]);
	}
	ior_putc(out, '\n');
}

void result_put(uint32_t i)
{
	struct result_rec rec;

	take_result(i, op_at(i), res_at(i), &rec);
	put_line(op_at(i), &rec);
}

void results_in_child(void)
{
	spool_file_drop(&spill);
}

void results_set_aside(uint32_t from, uint32_t to)
{
	uint32_t s, n;

	while (from < to) {
		s = from & prog.wmask;
		n = to - from;
		if (n > prog.wmask + 1 - s)
			n = prog.wmask + 1 - s;	/* on from the first slot */
		spool_file_write(&spill, &sh->res[s], n * sizeof(*sh->res));
		from += n;
		nspilled += n;
	}
}

/* Op op of the spool, in order: its line, with its result from the spill. */
static void put_spilled(const struct prog_op *op)
{
	struct op_result res;
	struct result_rec rec;

	if (nformatted == nspilled)
		return;
	spool_file_read(&spill, &res, sizeof(res), 0);
	take_result(nformatted++, op, &res, &rec);
	put_line(op, &rec);
}

int results_end(uint64_t wall_ns, uint64_t start)
{
	struct ior_out *out = &tl.out;
	int64_t *lates;
	uint32_t nlates;

	if (stopped())
		tl.stuck = in_their_call(&tl.nstuck);
	window_drain();
	if (spill.fd >= 0) {
		spool_file_rewind(&spill);
		window_scan(put_spilled);
		spool_file_close(&spill);
	}
	lates = tl.lates;
	nlates = tl.nlates;
	ior_printf(out, "#stat ior-replay ops=%u errors=%llu mismatched=%llu skipped=%llu",
		   prog.nops, (unsigned long long)tl.errors,
		   (unsigned long long)tl.mism, (unsigned long long)tl.skipped);
	put_skips(out, tl.nskip);
	ior_printf(out, " uring_flags_dropped=%u wall_ns=%llu",
		   sh->uring_dropped, (unsigned long long)wall_ns);
	ior_printf(out, " setid_stripped=%u xattrs_refused=%u",
		   prog.setid_stripped, prog.xattrs_refused);
	if (opt.timed) {
		if (nlates)
			qsort(lates, nlates, sizeof(*lates), by_value);
		ior_printf(out, " late_p50=%lld late_p99=%lld late_max=%lld",
			   (long long)percentile(lates, nlates, 50),
			   (long long)percentile(lates, nlates, 99),
			   (long long)(nlates ? lates[nlates - 1] : 0));
	}
	put_skew(out, start, tl.first);
	if (stopped()) {
		ior_puts(out, " interrupted=");
		ior_puts(out, stop_reason());
		ior_printf(out, " stopped=%llu stuck=%u",
			   (unsigned long long)tl.nstopped, tl.nstuck);
	}
	ior_putc(out, '\n');
	storage_put(out, STORAGE_END);
	ior_out_close(out);
	if ((tl.skipped || tl.mism) && !stopped())
		say_divergence(tl.skipped, tl.nskip, tl.mism, tl.newerr);
	if (opt.verbose)
		ior_warnx("%u ops in %.3f s: %llu errors, %llu mismatched, %llu skipped",
			  prog.nops, wall_ns / 1e9, (unsigned long long)tl.errors,
			  (unsigned long long)tl.mism, (unsigned long long)tl.skipped);
	if (opt.verbose && opt.timed)
		ior_warnx("late: p50 %.1f us, p99 %.1f us, max %.1f us",
			  percentile(lates, nlates, 50) / 1e3,
			  percentile(lates, nlates, 99) / 1e3,
			  (nlates ? lates[nlates - 1] : 0) / 1e3);
	free(tl.lates);
	free(late_by_slot);
	free(tl.stuck);
	return tl.skipped || tl.nstopped || tl.mism;
}
