/*
 * start.c - waiting for --start-at (start.h).
 *
 * The wait is long (seconds) and on the wall clock, which NTP may step
 * meanwhile: it sleeps with clock_nanosleep(CLOCK_REALTIME,
 * TIMER_ABSTIME), whose deadline follows such a step. Only the last lead
 * ns, in which the processes are forked and each thread spins to TIME 0,
 * are on the monotonic clock, as every other replay's timing is.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "ior.h"
#include "shared.h"
#include "signals.h"
#include "start.h"

/* The longest sleep between two looks at the stop signals. */
#define WAIT_SLICE 100000000ull	/* ns */

uint64_t wall_now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return ts.tv_sec * 1000000000ull + ts.tv_nsec;
}

/* "NN" of 0 to max, exactly two digits; -1 if not. */
static int two_digits(const char *s, int max)
{
	int v;

	if (s[0] < '0' || s[0] > '9' || s[1] < '0' || s[1] > '9')
		return -1;
	v = (s[0] - '0') * 10 + (s[1] - '0');
	return v <= max ? v : -1;
}

/* HH:MM:SS[.frac] of today, local time (as date +%T prints it). */
static int parse_clock(const char *s, uint64_t *ns)
{
	int h = two_digits(s, 23), m, sec;
	uint64_t frac = 0;
	struct tm tm;
	time_t now, t;

	if (h < 0 || s[2] != ':' || (m = two_digits(s + 3, 59)) < 0 ||
	    s[5] != ':' || (sec = two_digits(s + 6, 59)) < 0)
		return -1;
	/* The decimals as ior_seconds() reads them: "0.frac". */
	if (s[8] == '.') {
		char tail[16] = "0";

		if (strlen(s + 8) > 10)
			return -1;
		strcat(tail, s + 8);
		if (ior_seconds(tail, &frac) < 0)
			return -1;
	} else if (s[8]) {
		return -1;
	}
	now = time(NULL);
	if (!localtime_r(&now, &tm))
		return -1;
	tm.tm_hour = h;
	tm.tm_min = m;
	tm.tm_sec = sec;
	tm.tm_isdst = -1;
	if ((t = mktime(&tm)) == (time_t)-1 || t < 0)
		return -1;
	*ns = (uint64_t)t * 1000000000ull + frac;
	return 0;
}

int start_at_parse(const char *s, uint64_t *ns)
{
	if (strchr(s, ':'))
		return parse_clock(s, ns);
	/* Past 2^63 ns (year 2262) is not a time of this clock. */
	if (ior_seconds(s, ns) < 0 || *ns > INT64_MAX)
		return -1;
	return 0;
}

uint64_t start_wait(uint64_t at, uint64_t lead, uint64_t *wall)
{
	uint64_t wake = at > lead ? at - lead : 0, now, mono;
	struct timespec ts;
	int sig;

	while ((now = wall_now_ns()) < wake) {
		uint64_t until = wake - now > WAIT_SLICE ? now + WAIT_SLICE : wake;

		ts.tv_sec = until / 1000000000;
		ts.tv_nsec = until % 1000000000;
		clock_nanosleep(CLOCK_REALTIME, TIMER_ABSTIME, &ts, NULL);
		/* The stop signals are blocked (signals.c): looked at here. */
		if ((sig = signals_wait(NULL, 0, 0))) {
			stop_set(STOP_SIGNAL, sig);
			ior_warnx("SIG%s: stopped before --start-at",
				  sigabbrev_np(sig));
			break;
		}
	}
	/* Both clocks read together: TIME 0 on the monotonic one. */
	now = wall_now_ns();
	mono = now_ns();
	if (now > at) {
		if (!stopped())
			ior_warnx("--start-at: %.6f s late, ready only now: starting at once",
				  (now - at) / 1e9);
		*wall = now;
		return mono;
	}
	*wall = at;
	return mono + (at - now);
}
