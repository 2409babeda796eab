/*
 * results.c - the result stream (results.h), written by the master once
 * every replay process has ended.
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
#include "storage.h"
#include "watchdog.h"

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
 * Timed mode: how late op i was issued, in ns after its deadline. The
 * requests of an io_submit or io_uring_enter go with it: theirs is its
 * lateness. An AIO request that no io_submit names has none (returns 0).
 * *own: the op is one its thread issued at its own place.
 */
static int late_of(uint32_t i, int64_t *late, int *own)
{
	const struct prog_op *op = &prog.ops[i];
	uint32_t at = i;

	if (is_aio_request(op->kind) ||
	    (is_uring_request(op->kind) && op->target != NONE)) {
		if (op->target == NONE)
			return 0;
		at = op->target;
	}
	*own = at == i;
	*late = (int64_t)(sh->res[at].start - due(at));
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

int write_results(uint64_t wall_ns, uint64_t start)
{
	uint64_t first = UINT64_MAX;	/* the earliest op's start */
	struct ior_out out;
	uint64_t errors = 0, mism = 0, skipped = 0, nstopped = 0, newerr = 0;
	uint64_t stop_time = stop.at > sh->t0 ? stop.at - sh->t0 : 0;
	uint32_t *stuck = NULL, nstuck = 0, k = 0;
	uint64_t nskip[NSKIP] = { 0 };
	int64_t *lates = NULL, late;
	uint32_t nlates = 0;
	int own;

	if (opt.timed && prog.nops)
		lates = ior_xreallocarray(NULL, prog.nops, sizeof(*lates));
	if (stopped())
		stuck = in_their_call(&nstuck);

	ior_out_init(&out, STDOUT_FILENO, NULL);
	ior_put_magic(&out, IOR_KIND_RESULT);
	ior_put(&out, prog.meta, prog.meta_len);
	ior_puts(&out, "#meta ior-replay");
	put_host(&out);
	ior_put_kv_esc(&out, "root", opt.dir);
	ior_puts(&out, " start=");
	ior_put_time(&out, start);
	ior_puts(&out, " cache=");
	ior_puts(&out, cache_name(opt.cache));
	if (opt.timed)
		ior_printf(&out, " speed=%g", opt.speed);
	ior_putc(&out, '\n');
	storage_put(&out, STORAGE_START);
	for (uint32_t i = 0; i < prog.nops; i++) {
		const struct prog_op *op = &prog.ops[i];
		const struct op_result *res = &sh->res[i];
		/*
		 * Not done when the replay was stopped early, for whatever
		 * reason (signals.h): never begun, in its call, or given up
		 * (ST_ABORT) after a failure.
		 */
		int stop_skip = stopped() && res->state != ST_DONE &&
			res->state != ST_SKIPPED;
		int skip = res->state == ST_SKIPPED || stop_skip;

		if (!stop_skip && res->start < first)
			first = res->start;

		ior_put_time(&out, stop_skip ? stop_time : res->start);
		ior_putc(&out, ' ');
		ior_put_i64(&out, op->pid);
		ior_putc(&out, ' ');
		ior_put_i64(&out, op->tid);
		ior_putc(&out, ' ');
		ior_puts(&out, str(op->comm));
		ior_putc(&out, ' ');
		ior_puts(&out, op->kind == IOR_REPLAY_UR_OTHER ? str(op->name) :
			 ior_calls[op->row].name);
		ior_putc(&out, ' ');
		ior_put_i64(&out, skip ? 0 : res->ret);
		ior_putc(&out, ' ');
		ior_put_u64(&out, skip ? 0 : res->dur);
		ior_putc(&out, ' ');
		ior_put(&out, str(op->text), op->textlen);
		ior_put_kv_i64(&out, "cret", op->cret);
		ior_put_kv_i64(&out, "cdur", op->cdur);
		if (opt.timed && !stop_skip && late_of(i, &late, &own)) {
			ior_put_kv_i64(&out, "late", late);
			if (own)
				lates[nlates++] = late;
		}
		if (op->cinflight)
			ior_puts(&out, " cinflight=1");
		if (res->claim == CL_INFLIGHT)
			ior_puts(&out, " inflight=1");
		if (stop_skip) {
			ior_puts(&out, " skip=stopped");
			nstopped++;
			if (k < nstuck && stuck[k] == i) {
				ior_puts(&out, " stuck=1");
				k++;
			}
		} else if (skip) {
			ior_puts(&out, " skip=");
			ior_puts(&out, skip_names[res->skip]);
			skipped++;
			nskip[res->skip]++;
		} else {
			errors += res->ret < 0;
			mism += mismatched(op, res->ret);
			newerr += res->ret < 0 && op->cret >= 0;
		}
		ior_putc(&out, '\n');
	}
	ior_printf(&out, "#stat ior-replay ops=%u errors=%llu mismatched=%llu skipped=%llu",
		   prog.nops, (unsigned long long)errors, (unsigned long long)mism,
		   (unsigned long long)skipped);
	put_skips(&out, nskip);
	ior_printf(&out, " uring_flags_dropped=%u wall_ns=%llu",
		   sh->uring_dropped, (unsigned long long)wall_ns);
	ior_printf(&out, " setid_stripped=%u xattrs_refused=%u",
		   prog.setid_stripped, prog.xattrs_refused);
	if (opt.timed) {
		if (nlates)
			qsort(lates, nlates, sizeof(*lates), by_value);
		ior_printf(&out, " late_p50=%lld late_p99=%lld late_max=%lld",
			   (long long)percentile(lates, nlates, 50),
			   (long long)percentile(lates, nlates, 99),
			   (long long)(nlates ? lates[nlates - 1] : 0));
	}
	put_skew(&out, start, first);
	if (stopped()) {
		ior_puts(&out, " interrupted=");
		ior_puts(&out, stop_reason());
		ior_printf(&out, " stopped=%llu stuck=%u",
			   (unsigned long long)nstopped, nstuck);
	}
	ior_putc(&out, '\n');
	storage_put(&out, STORAGE_END);
	ior_out_close(&out);
	if ((skipped || mism) && !stopped())
		say_divergence(skipped, nskip, mism, newerr);
	if (opt.verbose)
		ior_warnx("%u ops in %.3f s: %llu errors, %llu mismatched, %llu skipped",
			  prog.nops, wall_ns / 1e9, (unsigned long long)errors,
			  (unsigned long long)mism, (unsigned long long)skipped);
	if (opt.verbose && opt.timed)
		ior_warnx("late: p50 %.1f us, p99 %.1f us, max %.1f us",
			  percentile(lates, nlates, 50) / 1e3,
			  percentile(lates, nlates, 99) / 1e3,
			  (nlates ? lates[nlates - 1] : 0) / 1e3);
	free(lates);
	free(stuck);
	return skipped || nstopped || mism;
}
