/*
 * live.c - the live view (-w SECONDS): the per-call table, or the table
 * by file or by process, drawn every SECONDS while the stream is read,
 * over the last one on a terminal (as top(1) does), else one after
 * another under a line with the time; and once more at its end.
 *
 * Reading never holds a redraw back for long: a line is read only when
 * the input buffer holds one whole or poll(2) says input is there, and
 * poll waits no longer than the next redraw. A line whose rest is slow
 * to come holds it back until it comes.
 */
#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "ior.h"
#include "callstats.h"
#include "groups.h"
#include "options.h"
#include "report.h"
#include "reports.h"

static uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + ts.tv_nsec;
}

/* Whether in's buffer holds a whole line, or its end: no wait to read. */
static int ready(const struct ior_in *in)
{
	return in->eof || (in->buf && in->end > in->start &&
			   memchr(in->buf + in->start, '\n', in->end - in->start));
}

static int has_ops(const struct stats *st)
{
	for (size_t i = 0; i < st->ncalls; i++)
		if (is_op(st->calls[i]) && st->calls[i]->count)
			return 1;
	return 0;
}

static int draw(struct stats *st, struct ior_out *o, int tty, int last)
{
	static int drawn;
	char stamp[64];
	time_t t = time(NULL);
	struct tm tm;
	int code = IOR_EXIT_OK;

	gmtime_r(&t, &tm);
	strftime(stamp, sizeof(stamp), "%Y-%m-%dT%H:%M:%SZ", &tm);
	if (tty)
		ior_puts(o, "\033[H\033[2J");
	else if (drawn++)
		ior_putc(o, '\n');	/* between tables */
	ior_printf(o, "%s %s: %llu records%s\n", tty ? "ior-stats" : "---", stamp,
		   (unsigned long long)st->records, last ? ", end of input" : "");
	if (!has_ops(st)) {
		ior_puts(o, "no operation records yet\n");
		code = IOR_EXIT_NONE;
	} else if (opt.show & SHOW_CALLS) {
		code = report(st, o);
	} else {
		code = reports_print(st, NULL, o);
	}
	ior_flush(o);
	return code;
}

int live_run(struct stats *st, const char *path, struct ior_out *o)
{
	int tty = isatty(o->fd), more = 1, code;
	struct ior_in in;
	uint64_t next = now_ns() + opt.live;

	stats_open(st, &in, path);
	while (more) {
		uint64_t now = now_ns();

		if (now >= next) {
			draw(st, o, tty, 0);
			now = now_ns();
			next = now + opt.live;
		}
		if (!ready(&in)) {
			struct pollfd p = { .fd = in.fd, .events = POLLIN };
			int ms = (next - now + 999999) / 1000000;

			if (poll(&p, 1, ms) < 0 && errno != EINTR)
				ior_err(IOR_EXIT_SYS, "poll");
			if (!p.revents)
				continue;	/* nothing yet: time to draw */
		}
		/* what is buffered, without looking at the clock each line */
		for (int i = 0; i < 256 && more; i++) {
			more = stats_feed(st, &in);
			if (!ready(&in))
				break;
		}
	}
	if (st->loss_in)
		ior_warn_loss_at(st->loss_in, st->loss_line, &st->loss);
	code = draw(st, o, tty, 1);
	ior_in_close(&in);
	return code;
}
