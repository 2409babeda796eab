/* out.c - buffered writing of ior-format(5) streams. */
#include <errno.h>
#include <inttypes.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "ior.h"

#define OUT_BUFSZ (IOR_LINE_MAX * 8)
#define OUT_MAX 4

/*
 * Outputs flushed when the program exits, also through ior_bad() or
 * ior_err(): what was written before an error must not be lost. Only the
 * process that opened an output flushes it, never a forked child.
 */
static struct ior_out *open_outs[OUT_MAX];
static pid_t owner;

/* Write what is buffered, without exiting on errors: runs inside exit(). */
static void drain(struct ior_out *o)
{
	size_t off = 0;

	if (o->broken)
		return;
	while (off < o->len) {
		ssize_t n = write(o->fd, o->buf + off, o->len - off);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		off += n;
	}
	o->len = 0;
}

static void drain_at_exit(void)
{
	if (getpid() != owner)
		return;
	for (int i = 0; i < OUT_MAX; i++)
		if (open_outs[i] && open_outs[i]->buf)
			drain(open_outs[i]);
}

static void remember(struct ior_out *o)
{
	if (!owner) {
		owner = getpid();
		atexit(drain_at_exit);
	}
	for (int i = 0; i < OUT_MAX; i++)
		if (!open_outs[i] || open_outs[i] == o) {
			open_outs[i] = o;
			return;
		}
}

static void forget(struct ior_out *o)
{
	for (int i = 0; i < OUT_MAX; i++)
		if (open_outs[i] == o)
			open_outs[i] = NULL;
}

void ior_out_init(struct ior_out *o, int fd, const char *name)
{
	o->fd = fd;
	o->len = 0;
	o->cap = OUT_BUFSZ;
	o->survive_epipe = o->broken = o->abandoned = 0;
	o->signals = NULL;
	o->line_max = o->line = o->held = 0;
	o->in = NULL;
	o->name = name ? name : "<stdout>";
	o->buf = malloc(o->cap);
	if (!o->buf)
		ior_err(IOR_EXIT_SYS, "malloc");
	/* A closed reader is a normal end of a pipeline, not an error. */
	signal(SIGPIPE, SIG_IGN);
	remember(o);
}

void ior_flush(struct ior_out *o)
{
	size_t off = 0;

	/* the line being written, if any, goes out in part */
	o->held += o->len - o->line;
	o->line = 0;
	if (o->broken) {
		o->len = 0;
		return;
	}
	while (off < o->len) {
		sig_atomic_t seen = o->signals ? *o->signals : 0;
		ssize_t n = write(o->fd, o->buf + off, o->len - off);

		/*
		 * Cut short (EINTR, or fewer bytes than asked) by a signal
		 * that came while the reader was not reading: give up the
		 * output rather than block again.
		 */
		if (o->signals && *o->signals != seen &&
		    (n < 0 ? errno == EINTR : (size_t)n < o->len - off)) {
			o->len = 0;
			o->broken = o->abandoned = 1;
			return;
		}
		if (n < 0) {
			if (errno == EINTR)
				continue;
			if (errno == EPIPE) {
				o->len = 0;
				o->broken = 1;
				if (o->survive_epipe)
					return;
				exit(0);
			}
			o->len = 0;
			ior_err(IOR_EXIT_SYS, "%s", o->name);
		}
		off += n;
	}
	o->len = 0;
}

void ior_flush_idle(int fd)
{
	struct pollfd p = { .fd = fd, .events = POLLIN };
	int pending = 0;

	if (getpid() != owner)
		return;
	for (int i = 0; i < OUT_MAX; i++)
		if (open_outs[i] && open_outs[i]->buf && open_outs[i]->len)
			pending = 1;
	/* input ready (or its end): the read will not wait */
	if (!pending || poll(&p, 1, 0) != 0)
		return;
	for (int i = 0; i < OUT_MAX; i++)
		if (open_outs[i] && open_outs[i]->buf && open_outs[i]->len)
			ior_flush(open_outs[i]);
}

void ior_out_lines(struct ior_out *o, size_t max, const struct ior_in *in)
{
	/* between lines: the next one starts here */
	o->line = o->len;
	o->held = 0;
	o->line_max = max;
	o->in = in;
}

/* The line being written, n bytes, is longer than o's lines may be. */
static _Noreturn void line_too_long(struct ior_out *o, size_t n)
{
	o->len = o->line;	/* the lines before it are written at exit */
	if (o->in)
		ior_bad(o->in, "line", "%zu bytes with the keys %s adds; at most %zu",
			n, ior_progname(), o->line_max);
	ior_errx(IOR_EXIT_DATA, "a line of %zu bytes; at most %zu", n,
		 o->line_max);
}

/* A line ends at buffer offset nl (its newline's). */
static inline void line_end(struct ior_out *o, size_t nl)
{
	size_t n = o->held + nl - o->line;

	if (n > o->line_max)
		line_too_long(o, n);
	o->line = nl + 1;
	o->held = 0;
}

/* The newlines among the n bytes just buffered at offset from. */
static void lines_in(struct ior_out *o, size_t from, size_t n)
{
	const char *p = o->buf + from, *end = p + n;

	while ((p = memchr(p, '\n', end - p))) {
		line_end(o, p - o->buf);
		p++;
	}
}

void ior_make_room(struct ior_out *o)
{
	size_t start = o->line, part = o->len - start;

	if (!o->line_max || o->broken) {
		ior_flush(o);
		return;
	}
	/*
	 * A line checked stays whole in the buffer until it ends: one that
	 * fills so much of it is too long already.
	 */
	if (o->held + part > o->line_max)
		line_too_long(o, o->held + part);
	o->len = start;
	ior_flush(o);
	memmove(o->buf, o->buf + start, part);
	o->len = part;
}

void ior_out_close(struct ior_out *o)
{
	ior_flush(o);
	forget(o);
	free(o->buf);
	o->buf = NULL;
}

void ior_put(struct ior_out *o, const char *s, size_t n)
{
	while (n > 0) {
		size_t room;

		if (o->len == o->cap)
			ior_make_room(o);
		room = o->cap - o->len;
		if (room > n)
			room = n;
		memcpy(o->buf + o->len, s, room);
		o->len += room;
		s += room;
		n -= room;
	}
}

void ior_puts(struct ior_out *o, const char *s)
{
	ior_put(o, s, strlen(s));
}

void ior_putc(struct ior_out *o, char c)
{
	if (o->len == o->cap)
		ior_make_room(o);
	if (c == '\n' && o->line_max)
		line_end(o, o->len);
	o->buf[o->len++] = c;
}

void ior_put_esc(struct ior_out *o, const char *s, size_t n)
{
	while (n > 0) {
		size_t chunk = n > 4096 ? 4096 : n;

		o->len += ior_escape(ior_reserve(o, chunk * 4 + 1), s, chunk);
		s += chunk;
		n -= chunk;
	}
}

/*
 * Numbers formatted in place, in the buffer: a record's head and keys
 * cost one reservation each, not a call per byte.
 */
static const char pairs[] =	/* "00" to "99" */
	"00010203040506070809101112131415161718192021222324"
	"25262728293031323334353637383940414243444546474849"
	"50515253545556575859606162636465666768697071727374"
	"75767778798081828384858687888990919293949596979899";

static inline void put2(char *d, uint32_t v)	/* v < 100 */
{
	d[0] = pairs[2 * v];
	d[1] = pairs[2 * v + 1];
}

/* 10^i, i = 0 to 19 */
static const uint64_t pow10[20] = {
	1ull, 10ull, 100ull, 1000ull, 10000ull, 100000ull, 1000000ull,
	10000000ull, 100000000ull, 1000000000ull, 10000000000ull,
	100000000000ull, 1000000000000ull, 10000000000000ull,
	100000000000000ull, 1000000000000000ull, 10000000000000000ull,
	100000000000000000ull, 1000000000000000000ull,
	10000000000000000000ull,
};

/*
 * How many digits v has: from its bits (1233 / 4096 a little over
 * log10(2)), one less where it is below that power of ten; not a
 * division a digit (most of the cost of writing a vfd= or an ofd=).
 */
static inline size_t digits_u64(uint64_t v)
{
	unsigned t;

	if (v < 10)
		return 1;
	t = (64 - __builtin_clzll(v)) * 1233 >> 12;
	return t + (v >= pow10[t]);
}

static inline size_t fmt_u64(char *d, uint64_t v)
{
	/* two digits a step, written from the last, where they belong */
	size_t n = digits_u64(v);
	char *p;

	p = d + n;
	while (v >= 100) {
		const char *q = pairs + 2 * (v % 100);

		v /= 100;
		*--p = q[1];
		*--p = q[0];
	}
	if (v >= 10) {
		*--p = pairs[2 * v + 1];
		*--p = pairs[2 * v];
	} else {
		*--p = '0' + v;
	}
	return n;
}

size_t ior_fmt_u64(char *d, uint64_t v)
{
	return fmt_u64(d, v);
}

static inline size_t fmt_i64(char *d, int64_t v)
{
	if (v >= 0)
		return fmt_u64(d, v);
	*d = '-';
	return 1 + fmt_u64(d + 1, 0 - (uint64_t)v);
}

static inline size_t fmt_time(char *d, uint64_t ns)
{
	size_t n = fmt_u64(d, ns / 1000000000ull);
	/*
	 * The nine decimals in 32-bit steps of two digits: a digit a
	 * 64-bit division cost ior-trace more than the rest of a head.
	 */
	uint32_t f = ns % 1000000000ull, hi = f / 100000, lo = f % 100000;

	d[n] = '.';
	put2(d + n + 1, hi / 100);
	put2(d + n + 3, hi % 100);
	put2(d + n + 5, lo / 1000);
	put2(d + n + 7, lo / 10 % 100);
	d[n + 9] = '0' + lo % 10;
	return n + 10;
}

void ior_put_u64(struct ior_out *o, uint64_t v)
{
	o->len += fmt_u64(ior_reserve(o, 24), v);
}

void ior_put_i64(struct ior_out *o, int64_t v)
{
	o->len += fmt_i64(ior_reserve(o, 24), v);
}

void ior_put_time(struct ior_out *o, uint64_t ns)
{
	o->len += fmt_time(ior_reserve(o, 32), ns);
}

void ior_printf(struct ior_out *o, const char *fmt, ...)
{
	va_list ap;
	char *p = ior_reserve(o, IOR_LINE_MAX);
	int n;

	va_start(ap, fmt);
	n = vsnprintf(p, IOR_LINE_MAX, fmt, ap);
	va_end(ap);
	if (n < 0)
		return;
	if (n >= IOR_LINE_MAX)
		n = IOR_LINE_MAX - 1;
	if (o->line_max)
		lines_in(o, o->len, n);
	o->len += n;
}

void ior_put_magic(struct ior_out *o, enum ior_kind k)
{
	ior_printf(o, "#ior %d %s\n", IOR_FORMAT_VERSION, ior_kind_name(k));
}

void ior_put_head(struct ior_out *o, const struct ior_rec *r)
{
	size_t lc = strlen(r->comm), ln = strlen(r->call);
	char *d = ior_reserve(o, 5 * 24 + 32 + lc + ln), *s = d;

	d += fmt_time(d, r->time_ns);
	*d++ = ' ';
	d += fmt_i64(d, r->pid);
	*d++ = ' ';
	d += fmt_i64(d, r->tid);
	*d++ = ' ';
	memcpy(d, r->comm, lc);
	d += lc;
	*d++ = ' ';
	memcpy(d, r->call, ln);
	d += ln;
	*d++ = ' ';
	d += fmt_i64(d, r->ret);
	*d++ = ' ';
	d += fmt_u64(d, r->dur);
	o->len += d - s;
}

void ior_put_head_mid(struct ior_out *o, uint64_t ns, const char *mid,
		      size_t n, int64_t ret, uint64_t dur)
{
	char *d = ior_reserve(o, 32 + n + 2 * 24), *s = d;

	d += fmt_time(d, ns);
	memcpy(d, mid, n);
	d += n;
	d += fmt_i64(d, ret);
	*d++ = ' ';
	d += fmt_u64(d, dur);
	o->len += d - s;
}

/*
 * Is column s (n bytes, a number the reader accepted) written as
 * ior_put_head() writes it: no leading zero, no "-0"; a time with nine
 * decimals?
 */
static int canonical_int(const char *s, size_t n)
{
	if (s[0] == '-')
		return s[1] != '0';
	return s[0] != '0' || n == 1;
}

static int canonical_time(const char *s, size_t n)
{
	return n >= 11 && s[n - 10] == '.' && (s[0] != '0' || n == 11);
}

void ior_put_head_read(struct ior_out *o, const struct ior_in *in,
		       const struct ior_rec *r, int ids_read)
{
	const char *s = in->line;
	const char *end = r->nkv ? r->kv[0].key - 1 : s + in->linelen;
	const uint32_t *col = r->col;
	size_t n = end - s;
	char *d, *start;

	if (!r->head_plain &&
	    (!canonical_time(s, col[1] - 1) ||
	     (ids_read && (!canonical_int(s + col[1], col[2] - col[1] - 1) ||
			   !canonical_int(s + col[2], col[3] - col[2] - 1))) ||
	     !canonical_int(s + col[5], col[6] - col[5] - 1) ||
	     !canonical_int(s + col[6], n - col[6]))) {
		ior_put_head(o, r);
		return;
	}
	/*
	 * The columns' ends the reader made NULs, spaces again: COMM's and
	 * CALL's; the others too where the reader split the line the slow
	 * way (a space written over a space when not).
	 */
	if (ids_read) {
		d = ior_reserve(o, n + 15);
		ior_copy16(d, s, n);
		d[col[4] - 1] = ' ';
		d[col[5] - 1] = ' ';
		if (!r->head_plain) {
			d[col[1] - 1] = ' ';
			d[col[2] - 1] = ' ';
			d[col[3] - 1] = ' ';
			d[col[6] - 1] = ' ';
		}
		o->len += n;
		return;
	}
	/* TIME as read, PID and TID formatted, the rest as read */
	start = d = ior_reserve(o, n + 2 * 24 + 15);
	ior_copy16(d, s, col[1] - 1);
	d += col[1] - 1;
	*d++ = ' ';
	d += fmt_i64(d, r->pid);
	*d++ = ' ';
	d += fmt_i64(d, r->tid);
	*d++ = ' ';
	ior_copy16(d, s + col[3], n - col[3]);
	for (int i = 4; i < 7; i++)
		d[col[i] - 1 - col[3]] = ' ';
	d += n - col[3];
	o->len += d - start;
}

void ior_put_kv(struct ior_out *o, const char *key, const char *val)
{
	size_t lk = strlen(key), lv = strlen(val);
	char *d;

	if (lk + lv > IOR_LINE_MAX) {	/* longer than any line: in parts */
		ior_putc(o, ' ');
		ior_put(o, key, lk);
		ior_putc(o, '=');
		ior_put(o, val, lv);
		return;
	}
	d = ior_reserve(o, lk + lv + 2);
	*d++ = ' ';
	memcpy(d, key, lk);
	d[lk] = '=';
	memcpy(d + lk + 1, val, lv);
	o->len += lk + lv + 2;
}

void ior_put_kv_i64n(struct ior_out *o, const char *key, size_t lk,
		     int64_t v)
{
	char *d = ior_reserve(o, lk + 26);

	*d++ = ' ';
	memcpy(d, key, lk);
	d[lk] = '=';
	o->len += lk + 2 + fmt_i64(d + lk + 1, v);
}

void ior_put_kv_esc(struct ior_out *o, const char *key, const char *val)
{
	ior_putc(o, ' ');
	ior_puts(o, key);
	ior_putc(o, '=');
	ior_put_esc(o, val, strlen(val));
}

void ior_put_rec(struct ior_out *o, const struct ior_rec *r)
{
	ior_put_head(o, r);
	for (int i = 0; i < r->nkv; i++)
		ior_put_kv(o, r->kv[i].key, r->kv[i].val);
	ior_putc(o, '\n');
}
