/* stream.c - reading ior-format(5) streams: lines, magic, records. */
#define _GNU_SOURCE	/* strchrnul */
#include <endian.h>
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#ifdef __x86_64__
#include <immintrin.h>
#endif

#include "ior.h"

#define IN_BUFSZ (1 << 20)
#define IN_PAD 64
/* the longest line's bits, IOR_LINE_MAX + 1 bytes with its newline */
#define SEP_WORDS ((IOR_LINE_MAX + 1) / 64 + 1)

static const char *kind_names[] = {
	[IOR_KIND_NONE] = "none", [IOR_KIND_TRACE] = "trace",
	[IOR_KIND_MAP] = "map", [IOR_KIND_REPLAY] = "replay",
	[IOR_KIND_RESULT] = "result",
};

const char *ior_kind_name(enum ior_kind k)
{
	return kind_names[k];
}

/*
 * The 64 bytes at p as masks, a bit a byte (bit i: p[i]): *stop at each
 * newline or NUL, *sep at each space or '='. Sixteen bytes a step
 * (SSE2, every x86-64 has it), or 32 where the processor has AVX2,
 * where a line was scanned once by memchr for its end and then again,
 * byte by byte, for its separators.
 */
static inline __attribute__((always_inline))
void scan64(const char *p, uint64_t *stop, uint64_t *sep)
{
#ifdef __SSE2__
	const __m128i nl = _mm_set1_epi8('\n'), sp = _mm_set1_epi8(' '),
		eq = _mm_set1_epi8('='), zero = _mm_setzero_si128();
	uint64_t st = 0, se = 0;

	for (int i = 0; i < 4; i++) {
		__m128i v = _mm_loadu_si128((const __m128i *)(p + 16 * i));
		__m128i a = _mm_or_si128(_mm_cmpeq_epi8(v, nl),
					 _mm_cmpeq_epi8(v, zero));
		__m128i b = _mm_or_si128(_mm_cmpeq_epi8(v, sp),
					 _mm_cmpeq_epi8(v, eq));

		st |= (uint64_t)(unsigned)_mm_movemask_epi8(a) << (16 * i);
		se |= (uint64_t)(unsigned)_mm_movemask_epi8(b) << (16 * i);
	}
	*stop = st;
	*sep = se;
#else
	uint64_t st = 0, se = 0;

	for (int i = 0; i < 64; i++) {
		st |= (uint64_t)(p[i] == '\n' || !p[i]) << i;
		se |= (uint64_t)(p[i] == ' ' || p[i] == '=') << i;
	}
	*stop = st;
	*sep = se;
#endif
}

#ifdef __x86_64__
static inline __attribute__((always_inline, target("avx2")))
void scan64_avx2(const char *p, uint64_t *stop, uint64_t *sep)
{
	const __m256i nl = _mm256_set1_epi8('\n'), sp = _mm256_set1_epi8(' '),
		eq = _mm256_set1_epi8('='), zero = _mm256_setzero_si256();
	uint64_t st = 0, se = 0;

	for (int i = 0; i < 2; i++) {
		__m256i v = _mm256_loadu_si256((const __m256i *)(p + 32 * i));
		__m256i a = _mm256_or_si256(_mm256_cmpeq_epi8(v, nl),
					    _mm256_cmpeq_epi8(v, zero));
		__m256i b = _mm256_or_si256(_mm256_cmpeq_epi8(v, sp),
					    _mm256_cmpeq_epi8(v, eq));

		st |= (uint64_t)(uint32_t)_mm256_movemask_epi8(a) << (32 * i);
		se |= (uint64_t)(uint32_t)_mm256_movemask_epi8(b) << (32 * i);
	}
	*stop = st;
	*sep = se;
}
#endif

/*
 * The length of the line at s, whose newline must lie within its first
 * lim bytes, and on the way in->sep (a bit at each separator, and at
 * the newline) and in->line_nul; -1 when there is no newline there.
 * One body, compiled for each scan64().
 */
#define FIND_LINE(name, attr, scan)					\
static attr long name(struct ior_in *in, const char *s, size_t lim)	\
{									\
	for (size_t off = 0, w = 0; off < lim; off += 64, w++) {	\
		uint64_t stop, sep;					\
		size_t pos;						\
									\
		scan(s + off, &stop, &sep);				\
		in->sep[w] = sep;					\
		if (!stop)						\
			continue;					\
		pos = off + __builtin_ctzll(stop);			\
		if (pos >= lim)						\
			return -1;					\
		if (s[pos] == '\n') {					\
			/* the line's own bits, and one at its end */	\
			in->sep[w] &= (2ull << (pos & 63)) - 1;		\
			in->sep[w] |= 1ull << (pos & 63);		\
			in->line_nul = 0;				\
			return pos;					\
		}							\
		/* a NUL byte: the line is refused, the slow way */	\
		const char *nl = memchr(s + pos, '\n', lim - pos);	\
									\
		in->line_nul = 1;					\
		return nl ? nl - s : -1;				\
	}								\
	return -1;							\
}
FIND_LINE(find_line_plain, , scan64)
#ifdef __x86_64__
FIND_LINE(find_line_avx2, __attribute__((target("avx2"))), scan64_avx2)
#endif

static long (*find_line)(struct ior_in *, const char *, size_t);

static void find_line_choose(void)
{
	find_line = find_line_plain;
#ifdef __x86_64__
	__builtin_cpu_init();
	if (__builtin_cpu_supports("avx2"))
		find_line = find_line_avx2;
#endif
}

void ior_in_open(struct ior_in *in, const char *path)
{
	struct stat st;

	memset(in, 0, sizeof(*in));
	if (!path || !strcmp(path, "-")) {
		in->name = "<stdin>";
		in->fd = 0;
	} else {
		in->name = path;
		in->fd = open(path, O_RDONLY | O_CLOEXEC);
		if (in->fd < 0)
			ior_err(IOR_EXIT_SYS, "%s", path);
	}
	if (!fstat(in->fd, &st) && !S_ISREG(st.st_mode) && !S_ISBLK(st.st_mode))
		in->may_block = 1;
	in->cap = IN_BUFSZ;
	/*
	 * Zeroed, and IN_PAD bytes past cap: the line's scan reads whole
	 * blocks of 64, and a number's 8 bytes, beyond what read() filled.
	 */
	if (!find_line)
		find_line_choose();
	in->buf = calloc(1, in->cap + IN_PAD);
	in->sep = malloc(SEP_WORDS * sizeof(*in->sep));
	if (!in->buf || !in->sep)
		ior_err(IOR_EXIT_SYS, "malloc");
}

void ior_in_close(struct ior_in *in)
{
	if (in->fd > 0)
		close(in->fd);
	free(in->buf);
	free(in->sep);
	in->buf = NULL;
	in->sep = NULL;
}

void ior_bad(const struct ior_in *in, const char *field, const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "%s: %s:%lu: ", ior_progname(), in->name, in->lineno);
	if (field)
		fprintf(stderr, "%s: ", field);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	exit(IOR_EXIT_DATA);
}

/* Next raw line into in->line; 0 at end of input. */
static int next_line(struct ior_in *in)
{
	for (;;) {
		char *s = in->buf + in->start;
		size_t avail = in->end - in->start;
		/* the same limit wherever the line lies in the buffer */
		long len = find_line(in, s, avail < IOR_LINE_MAX + 1 ?
				     avail : IOR_LINE_MAX + 1);

		if (len >= 0) {
			s[len] = 0;
			in->line = s;
			in->linelen = len;
			in->start += len + 1;
			in->lineno++;
			return 1;
		}
		if (in->end - in->start > IOR_LINE_MAX) {
			in->lineno++;
			ior_bad(in, NULL, "line longer than %d bytes",
				IOR_LINE_MAX);
		}
		if (in->eof) {
			if (in->end == in->start)
				return 0;
			/* A last line without newline: a truncated stream. */
			in->lineno++;
			ior_bad(in, NULL, "truncated line (no newline at end of input)");
		}
		memmove(in->buf, s, in->end - in->start);
		in->end -= in->start;
		in->start = 0;
		/*
		 * A stage of a live pipeline (ior-trace | ior-map | ior-stats
		 * -w): what it wrote goes on once it waits for more, not when
		 * its buffer fills or its input ends.
		 */
		if (in->may_block)
			ior_flush_idle(in->fd);
		ssize_t n = read(in->fd, in->buf + in->end, in->cap - in->end);

		if (n < 0) {
			if (errno == EINTR)
				continue;
			ior_err(IOR_EXIT_SYS, "%s", in->name);
		}
		if (n == 0)
			in->eof = 1;
		in->end += n;
	}
}

int ior_is_magic(const char *line)
{
	return !strncmp(line, "#ior ", 5);
}

/* A loss counter of ior-trace's trailer (ior-trace(1), LOSSES). */
static int is_loss_key(const char *k, size_t n)
{
	static const char *const keys[] = {
		"drops", "unpaired", "missed", "undecoded",
	};

	for (size_t i = 0; i < sizeof(keys) / sizeof(keys[0]); i++)
		if (strlen(keys[i]) == n && !strncmp(k, keys[i], n))
			return 1;
	return n > 5 && !strncmp(k + n - 5, "_lost", 5);
}

int ior_loss_of(const char *line, struct ior_loss *l)
{
	static const char head[] = "#stat ior-trace ";
	const char *p = line + sizeof(head) - 1;
	size_t w = 0;

	if (strncmp(line, head, sizeof(head) - 1))
		return 0;
	memset(l, 0, sizeof(*l));
	while (*p) {
		const char *e = strchrnul(p, ' '), *eq = memchr(p, '=', e - p);
		uint64_t v = 0;
		const char *d;

		/* a counter is key=DIGITS; anything else is passed over */
		for (d = eq ? eq + 1 : e; d < e && *d >= '0' && *d <= '9'; d++)
			v = v > UINT64_MAX / 10 ? UINT64_MAX : v * 10 + (*d - '0');
		if (eq && d == e && d > eq + 1) {
			if (eq - p == 6 && !strncmp(p, "events", 6)) {
				l->events = v;
			} else if (v && is_loss_key(p, eq - p)) {
				l->lost = l->lost + v < v ? UINT64_MAX : l->lost + v;
				if (w < sizeof(l->what))
					w += snprintf(l->what + w, sizeof(l->what) - w,
						      "%s%.*s", w ? " " : "",
						      (int)(e - p), p);
			}
		}
		p = *e ? e + 1 : e;
	}
	return l->lost != 0;
}

void ior_warn_loss_at(const char *name, unsigned long line,
		      const struct ior_loss *l)
{
	ior_warnx("%s:%lu: the capture is incomplete: %llu events lost (%s), %llu written",
		  name, line, (unsigned long long)l->lost, l->what,
		  (unsigned long long)l->events);
}

int ior_losses_note(struct ior_losses *ls, const struct ior_in *in)
{
	struct ior_loss l;

	if (!ior_loss_of(in->line, &l))
		return 0;
	if (ls->n == IOR_LOSSES_MAX) {
		ior_warn_loss_at(in->name, in->lineno, &l);
		return 1;
	}
	ls->at[ls->n].line = in->lineno;
	ls->at[ls->n++].l = l;
	return 1;
}

void ior_losses_say(struct ior_losses *ls, const struct ior_in *in)
{
	for (unsigned i = 0; i < ls->n; i++)
		ior_warn_loss_at(in->name, ls->at[i].line, &ls->at[i].l);
	ls->n = 0;
}

static void check_magic(struct ior_in *in)
{
	char *p = in->line + 5, *e;
	long v = strtol(p, &e, 10);

	if (e == p || *e != ' ')
		ior_bad(in, NULL, "bad magic line: expected \"#ior VERSION KIND\"");
	if (v != IOR_FORMAT_VERSION)
		ior_bad(in, NULL, "format version %ld is not supported (this is version %d)",
			v, IOR_FORMAT_VERSION);
	e++;
	for (int k = IOR_KIND_TRACE; k <= IOR_KIND_RESULT; k++)
		if (!strcmp(e, kind_names[k])) {
			if (in->kind == IOR_KIND_NONE)
				in->kind = k;
			return;
		}
	ior_bad(in, NULL, "unknown stream kind \"%.40s\"", e);
}

int64_t ior_int(const struct ior_in *in, const char *key, const char *s)
{
	const char *p = s;
	int neg = 0;
	uint64_t v = 0;
	size_t n;

	/* Most are a few digits: no overflow is possible below 19. */
	for (n = *p == '-'; (unsigned)(p[n] - '0') < 10 && n < 18; n++)
		v = v * 10 + (p[n] - '0');
	if (!p[n] && n > (size_t)(*p == '-'))
		return *p == '-' ? -(int64_t)v : (int64_t)v;
	v = 0;
	if (*p == '-') {
		neg = 1;
		p++;
	}
	if (!*p)
		ior_bad(in, key, "not a number: \"%.40s\"", s);
	for (; *p; p++) {
		if (*p < '0' || *p > '9')
			ior_bad(in, key, "not a number: \"%.40s\"", s);
		if (v > (UINT64_MAX - 9) / 10)
			ior_bad(in, key, "number out of range: \"%.40s\"", s);
		v = v * 10 + (*p - '0');
	}
	if (v > (uint64_t)INT64_MAX + neg)
		ior_bad(in, key, "number out of range: \"%.40s\"", s);
	return neg ? (int64_t)(0 - v) : (int64_t)v;
}

uint64_t ior_uint(const struct ior_in *in, const char *key, const char *s)
{
	uint64_t v = 0;
	size_t n;

	/* Most are a few digits: no overflow is possible below 19. */
	for (n = 0; (unsigned)(s[n] - '0') < 10 && n < 18; n++)
		v = v * 10 + (s[n] - '0');
	if (!s[n] && n)
		return v;
	v = 0;
	if (!*s)
		ior_bad(in, key, "not a number: \"\"");
	for (const char *p = s; *p; p++) {
		if (*p < '0' || *p > '9')
			ior_bad(in, key, "not a number: \"%.40s\"", s);
		if (v > (UINT64_MAX - 9) / 10)
			ior_bad(in, key, "number out of range: \"%.40s\"", s);
		v = v * 10 + (*p - '0');
	}
	return v;
}

uint64_t ior_hex(const struct ior_in *in, const char *key, const char *s)
{
	const char *p = s + (s[0] == '0' && (s[1] == 'x' || s[1] == 'X') ? 2 : 0);
	uint64_t a = 0;

	if (!*p || strlen(p) > 16)
		ior_bad(in, key, "not a hexadecimal address: \"%.40s\"", s);
	for (; *p; p++) {
		int d = *p >= '0' && *p <= '9' ? *p - '0' :
			*p >= 'a' && *p <= 'f' ? *p - 'a' + 10 :
			*p >= 'A' && *p <= 'F' ? *p - 'A' + 10 : -1;

		if (d < 0)
			ior_bad(in, key, "not a hexadecimal address: \"%.40s\"",
				s);
		a = a << 4 | d;
	}
	return a;
}

unsigned ior_mode(const struct ior_in *in, const char *key, const char *s)
{
	unsigned m = 0;

	if (s[0] != '0' || strlen(s) > 7)
		ior_bad(in, key, "not an octal mode like 0644: \"%.40s\"", s);
	for (const char *p = s + 1; *p; p++) {
		if (*p < '0' || *p > '7')
			ior_bad(in, key, "not an octal mode like 0644: \"%.40s\"",
				s);
		m = m << 3 | (unsigned)(*p - '0');
	}
	if (m > 0177777)
		ior_bad(in, key, "not an octal mode like 0644: \"%.40s\"", s);
	return m;
}

int64_t ior_get_int(const struct ior_in *in, const struct ior_rec *r,
		    const char *key, int64_t dflt)
{
	const char *v = ior_get(r, key);

	return v ? ior_int(in, key, v) : dflt;
}

int ior_seconds(const char *s, uint64_t *ns)
{
	const char *p = s;
	uint64_t sec = 0, frac = 0;
	int nd = 0;

	/* One pass over S.NNNNNNNNN, every record's first column. */
	for (; *p >= '0' && *p <= '9'; p++) {
		if (sec > (UINT64_MAX - 9) / 10)
			return -1;
		sec = sec * 10 + (*p - '0');
	}
	if (p == s)
		return -1;
	if (*p == '.') {
		if (p - s > 13)
			return -1;
		for (p++; *p >= '0' && *p <= '9' && nd < 9; p++, nd++)
			frac = frac * 10 + (*p - '0');
		for (int i = nd; i < 9; i++)
			frac *= 10;
	}
	if (*p || sec > UINT64_MAX / 1000000000ull - 1)
		return -1;
	*ns = sec * 1000000000ull + frac;
	return 0;
}

uint64_t ior_time(const struct ior_in *in, const char *key, const char *s)
{
	const char *p = s;
	uint64_t ns;

	if (ior_seconds(s, &ns) == 0)
		return ns;
	/* Why not: whole seconds are a number, and decimals follow a dot. */
	while (*p >= '0' && *p <= '9')
		p++;
	if (*p != '.') {
		if (*p && strchr(p, '.'))
			ior_bad(in, key, "not a time: \"%.40s\"", s);
		ior_uint(in, key, s);
	} else {
		const char *d = p + 1;

		while (*d >= '0' && *d <= '9' && d - p <= 9)
			d++;
		if (p == s || p - s > 13 || *d)
			ior_bad(in, key, "not a time: \"%.40s\"", s);
	}
	ior_bad(in, key, "time out of range: \"%.40s\"", s);
}

const char *ior_need(const struct ior_in *in, const struct ior_rec *r,
		     const char *key)
{
	const char *v = ior_get(r, key);

	if (!v)
		ior_bad(in, key, "missing for %s", r->call);
	return v;
}

uint32_t ior_owner(const struct ior_in *in, const char *key, const char *s,
		   int keep)
{
	uint64_t id;

	if (keep && s[0] == '-') {
		if (!strcmp(s, "-1"))
			return UINT32_MAX;
		ior_bad(in, key, "not an owner: \"%.40s\"", s);
	}
	id = ior_uint(in, key, s);
	if (id >= UINT32_MAX)
		ior_bad(in, key, "out of range: \"%.40s\"", s);
	return (uint32_t)id;
}

uint64_t ior_dev(const struct ior_in *in, const char *key, const char *s)
{
	char major[24];
	const char *colon = strchr(s, ':');

	if (!colon || colon == s || (size_t)(colon - s) >= sizeof(major))
		ior_bad(in, key, "not MAJOR:MINOR: \"%.40s\"", s);
	memcpy(major, s, colon - s);
	major[colon - s] = 0;
	return ior_uint(in, key, major) << 32 |
		(ior_uint(in, key, colon + 1) & 0xffffffffu);
}

uint64_t ior_off(const struct ior_in *in, const char *key, const char *s)
{
	uint64_t v = ior_uint(in, key, s);

	if (v > INT64_MAX)
		ior_bad(in, key, "out of range 0..%lld", (long long)INT64_MAX);
	return v;
}

uint64_t ior_off_end(const struct ior_in *in, const char *key, uint64_t off,
		     int64_t n)
{
	if (n > INT64_MAX - (int64_t)off)
		ior_bad(in, key, "%lld bytes from offset %llu end beyond 2^63 - 1",
			(long long)n, (unsigned long long)off);
	return off + n;
}

static const char *const colname[] = {
	"TIME", "PID", "TID", "COMM", "CALL", "RET", "DUR",
};

/*
 * parse_rec() walks the line once, finding the separators and, on the
 * way, any NUL byte: a memchr per separator plus one for NUL cost a third
 * of every stream tool's time. The errors keep this order:
 * a NUL byte anywhere first, then the columns' shape, then their values,
 * then the arguments' shape. So a split error is raised only once the rest
 * of the line is known to hold no NUL, and an argument error waits for the
 * columns' values to be parsed.
 */

/* Exit if the unscanned rest of the line, from p, holds a NUL byte. */
static void check_nul(struct ior_in *in, const char *p)
{
	const char *end = in->line + in->linelen;

	if (p < end && memchr(p, 0, end - p))
		ior_bad(in, NULL, "NUL byte in line");
}

/* A NUL byte before the end of the line is one the line holds. */
static void stop_at_nul(struct ior_in *in, const char *p)
{
	if (!*p && p != in->line + in->linelen)
		ior_bad(in, NULL, "NUL byte in line");
}

/*
 * The len bytes of a key at p as struct ior_kv's word: 8 bytes read at
 * once, the line's buffer having room past its end (IN_PAD).
 */
static inline uint64_t key_word_at(const char *p, size_t len)
{
	/* the low len bytes; 0 for a key too long for a word */
	static const uint64_t low[16] = {
		0, 0xff, 0xffff, 0xffffff, 0xffffffff, 0xffffffffffull,
		0xffffffffffffull, 0xffffffffffffffull, ~0ull,
	};
	uint64_t w;

	memcpy(&w, p, sizeof(w));
	return le64toh(w) & low[len & 15] & -(uint64_t)(len <= 8);
}

/* An argument list's first malformation, reported after the columns. */
enum arg_error { ARG_OK, ARG_NOT_KV, ARG_TOO_MANY, ARG_EMPTY };

/*
 * Split " key=value ..." from p into r->kv. The line ends with a NUL at
 * in->line[in->linelen], which stops every scan.
 */
static enum arg_error split_args(struct ior_in *in, struct ior_rec *r,
				 char *p, char **bad_tok)
{
	char *end = in->line + in->linelen;

	r->nkv = 0;
	while (p < end) {
		char *tok = p, *eq = NULL;

		while (*p != ' ' && *p != '=' && *p)
			p++;
		/* values (paths) are long: strchrnul scans them vectorized */
		if (*p == '=') {
			eq = p;
			p = strchrnul(p + 1, ' ');
		}
		stop_at_nul(in, p);
		/* p is at the space after the argument, or at the end */
		*p = 0;
		if (!eq || eq == tok) {
			*bad_tok = tok;
			check_nul(in, p + 1);
			return ARG_NOT_KV;
		}
		if (r->nkv == IOR_KV_MAX) {
			check_nul(in, p + 1);
			return ARG_TOO_MANY;
		}
		*eq = 0;
		r->kv[r->nkv].key = tok;
		r->kv[r->nkv].val = eq + 1;
		r->kv[r->nkv].word = key_word_at(tok, eq - tok);
		r->nkv++;
		if (p == end)
			break;
		p++;
		if (p == end || *p == ' ') {
			check_nul(in, p);
			return ARG_EMPTY;
		}
	}
	return ARG_OK;
}

/*
 * The digits of a number column from *pp, as ior_int() or ior_uint()
 * reads them: 1 to 17 digits (no overflow), after a '-' when neg is
 * allowed, ended by a space or, at the line's end, by its NUL. 0: not
 * so; the slow path decides.
 */
static inline int fast_num(char **pp, const char *end, int neg,
			   int64_t *out)
{
	char *p = *pp;
	int minus = neg && *p == '-';
	uint64_t v = 0;
	int n = 0;

	p += minus;
	for (; (unsigned)(*p - '0') < 10 && n < 17; p++, n++)
		v = v * 10 + (*p - '0');
	if (!n || (*p != ' ' && p != end))
		return 0;
	*out = minus ? -(int64_t)v : (int64_t)v;
	*pp = p;
	return 1;
}

/*
 * Whether the 8 bytes of x (the first in its low byte) are all digits,
 * and then their number in *v: the bytes as one word, each step joining
 * neighbours (SWAR), in place of eight multiplications and eight tests.
 */
static inline int digits_word(uint64_t x, uint64_t *v)
{
	const uint64_t ones = 0x0101010101010101ull, high = 0xf0f0f0f0f0f0f0f0ull;

	/* each byte 0x30..0x39: high nibble 3, and adding 6 keeps it 3 */
	if ((x & high) != ones * 0x30 || ((x + ones * 6) & high) != ones * 0x30)
		return 0;
	x -= ones * '0';
	x = x * 10 + (x >> 8);		/* pairs: 2-digit numbers in bytes 0, 2, 4, 6 */
	x = ((x & 0x000000ff000000ffull) * (100 + (1000000ull << 32)) +
	     ((x >> 16) & 0x000000ff000000ffull) * (1 + (10000ull << 32))) >> 32;
	*v = x & 0xffffffffull;
	return 1;
}

static inline int eight_digits(const char *p, uint64_t *v)
{
	uint64_t x;

	memcpy(&x, p, sizeof(x));
	return digits_word(x, v);
}

/*
 * A record's seven columns as most are, in one pass that parses the
 * numbers as it finds the separators and writes nothing: S.NNNNNNNNN
 * (ior_seconds: at most 10 digits of seconds here), PID, TID, COMM,
 * CALL, RET, DUR, then the end of the line or a space and an argument.
 * 0 for anything else (a NUL byte, a column missing, empty or out of
 * this shape): parse_rec() splits it the slow way, which finds the
 * error, so that what is reported and in which order does not change.
 */
static int fast_columns(struct ior_in *in, struct ior_rec *r, char **f,
			char **argp)
{
	char *p = in->line, *end = in->line + in->linelen;
	uint64_t sec = 0, frac = 0, eight;
	int64_t v[5];
	int n;

	f[0] = p;
	for (n = 0; (unsigned)(*p - '0') < 10 && n < 10; p++, n++)
		sec = sec * 10 + (*p - '0');
	if (!n || sec > UINT64_MAX / 1000000000ull - 1)
		return 0;
	if (*p == '.' && end - p > 9 && eight_digits(p + 1, &eight) &&
	    (unsigned)(p[9] - '0') < 10) {
		/* the usual nine decimals: eight at once, then the ninth */
		frac = eight * 10 + (p[9] - '0');
		p += 10;
	} else if (*p == '.') {
		for (p++, n = 0; (unsigned)(*p - '0') < 10 && n < 9; p++, n++)
			frac = frac * 10 + (*p - '0');
		for (; n < 9; n++)
			frac *= 10;
	}
	if (*p != ' ')
		return 0;
	for (int i = 1; i < 7; i++) {
		p++;			/* past the space */
		f[i] = p;
		if (i == 3 || i == 4) {		/* COMM, CALL: any bytes */
			while (*p != ' ' && *p)
				p++;
			if (p == f[i] || *p != ' ')
				return 0;
			continue;
		}
		if (!fast_num(&p, end, i == 1 || i == 2 || i == 5,
			      &v[i < 3 ? i - 1 : i - 3]))
			return 0;
		if (i < 6 && p == end)
			return 0;
	}
	/* p: the end, or a space before the arguments (not a trailing one) */
	if (p != end && p + 1 == end)
		return 0;
	for (int i = 1; i < 7; i++) {
		f[i][-1] = 0;
		r->col[i] = f[i] - in->line;
	}
	r->col[0] = 0;
	if (p != end)
		*p++ = 0;
	*argp = p;
	r->time_ns = sec * 1000000000ull + frac;
	r->pid = v[0];
	r->tid = v[1];
	r->comm = f[3];
	r->call = f[4];
	r->ret = v[2];
	r->dur = (uint64_t)v[3];
	return 1;
}

/*
 * ---- a record read from the separators' bits ----
 *
 * find_line() left a bit at each space and '=' of the line, and one at
 * its end (in->sep):
 * a record of the usual shape is split by walking those bits, a few
 * instructions a separator, where it was split byte by byte. Nothing of
 * the line is written until all of it is known good: for anything else
 * (a column missing, empty or not a number as most are, an argument
 * that is no key=value, more than IOR_KV_MAX, an empty one) 0, and
 * parse_rec() reads the line the slow way, which finds and reports the
 * same error as ever.
 */

/*
 * The next separator of the line from its bits, or its end: the bit at
 * the end stops the walk, which goes no further.
 */
struct sep_walk {
	const uint64_t *w;
	uint64_t cur;
	size_t base;
};

static inline size_t sep_next(struct sep_walk *it)
{
	size_t pos;

	while (!it->cur) {
		it->w++;
		it->base += 64;
		it->cur = *it->w;
	}
	pos = it->base + __builtin_ctzll(it->cur);
	it->cur &= it->cur - 1;
	return pos;
}

/* The next space, past any '=' (in a value, a COMM or a CALL), or the end. */
static inline size_t space_next(struct sep_walk *it, const char *s)
{
	size_t pos;

	/* the end is a NUL by now */
	while (s[pos = sep_next(it)] == '=')
		;
	return pos;
}

/*
 * The n bytes at p as a number of 1 to 17 digits, as ior_uint() reads
 * it; 0 when not so. Most are a few digits: a digit a step.
 */
static inline int digits_at(const char *p, size_t n, uint64_t *v)
{
	uint64_t x = 0;

	if (n - 1 >= 17)
		return 0;
	for (const char *e = p + n; p < e; p++) {
		unsigned d = (unsigned char)*p - '0';

		if (d > 9)
			return 0;
		x = x * 10 + d;
	}
	*v = x;
	return 1;
}

/*
 * A number column, p to e, as ior_int() (neg) or ior_uint() reads it;
 * *plain cleared when it is not as ior_put_head() writes it (a leading
 * zero, "-0").
 */
static inline int num_at(const char *p, const char *e, int neg, int64_t *out,
			 int *plain)
{
	int minus = neg && *p == '-';
	uint64_t v;

	if (!digits_at(p + minus, e - p - minus, &v))
		return 0;
	*plain &= p[minus] != '0' || (e - p == 1);
	*out = minus ? -(int64_t)v : (int64_t)v;
	return 1;
}

/* TIME, p to e: S.NNNNNNNNN as ior_seconds() reads it, S of 1 to 10 digits. */
static inline int time_at(const char *p, const char *e, uint64_t *ns)
{
	const char *dot = p;
	uint64_t sec = 0, frac = 0;
	int n;

	while (dot < e && *dot != '.')
		dot++;
	if (dot == p || dot - p > 10 || !digits_at(p, dot - p, &sec) ||
	    sec > UINT64_MAX / 1000000000ull - 1)
		return 0;
	if (e - dot == 10) {
		/* the usual nine decimals: eight at once, then the ninth */
		if (!eight_digits(dot + 1, &frac) ||
		    (unsigned)(dot[9] - '0') >= 10)
			return 0;
		frac = frac * 10 + (dot[9] - '0');
	} else if (dot < e) {
		if (e - dot > 10)
			return 0;
		for (p = dot + 1, n = 0; p < e; p++, n++) {
			if ((unsigned)(*p - '0') >= 10)
				return 0;
			frac = frac * 10 + (*p - '0');
		}
		for (; n < 9; n++)
			frac *= 10;
	}
	*ns = sec * 1000000000ull + frac;
	return 1;
}

/*
 * The arguments from the separator at e, a key's '=' then its value's
 * end each, in r->kv, their ends made NULs as they come. 0 for any other
 * shape, the line then as it was.
 */
static inline int fast_args(struct sep_walk *it, char *s, size_t len,
			    size_t e, struct ior_rec *r)
{
	int nkv = 0;

	while (e < len) {
		size_t a = e + 1, eq = sep_next(it);

		/* s[len], the end, is a NUL: no '=' */
		if (eq == a || s[eq] != '=' || nkv == IOR_KV_MAX)
			goto undo;
		e = space_next(it, s);
		/*
		 * The word is read before the '=' becomes a NUL: a wide load
		 * just after a byte stored inside it waits for the store to
		 * retire (it cannot be forwarded), where a profile of
		 * ior-gen put a third of this reader's samples.
		 */
		r->kv[nkv].word = key_word_at(s + a, eq - a);
		s[eq] = 0;
		s[e] = 0;	/* at the end, the line's own NUL */
		r->kv[nkv].key = s + a;
		r->kv[nkv].val = s + eq + 1;
		nkv++;
	}
	r->nkv = nkv;
	return 1;
undo:
	for (int i = 0; i < nkv; i++) {
		r->kv[i].val[-1] = '=';
		r->kv[i].key[-1] = ' ';
	}
	if (nkv)
		s[r->kv[nkv - 1].val + strlen(r->kv[nkv - 1].val) - s] = ' ';
	return 0;
}

static int fast_record(struct ior_in *in, struct ior_rec *r)
{
	char *s = in->line;
	size_t len = in->linelen, e = 0;
	struct sep_walk it = { in->sep, in->sep[0], 0 };
	uint32_t *at = r->col;
	int64_t v[4];
	int plain = 1;

	/* a trailing space, after DUR or an argument: refused the slow way */
	if (s[len - 1] == ' ')
		return 0;
	/* the seven columns: at[i] where column i starts */
	at[0] = 0;
	for (int i = 1; i < 7; i++) {
		e = space_next(&it, s);
		if (e == at[i - 1] || e == len)
			return 0;
		at[i] = e + 1;
	}
	e = space_next(&it, s);		/* DUR's end */
	if (e == at[6] ||
	    !time_at(s, s + at[1] - 1, &r->time_ns) ||
	    !num_at(s + at[1], s + at[2] - 1, 1, &v[0], &plain) ||
	    !num_at(s + at[2], s + at[3] - 1, 1, &v[1], &plain) ||
	    !num_at(s + at[5], s + at[6] - 1, 1, &v[2], &plain) ||
	    !num_at(s + at[6], s + e, 0, &v[3], &plain) ||
	    !fast_args(&it, s, len, e, r))
		return 0;
	/*
	 * COMM and CALL end with a NUL too; the number columns, read
	 * already, are copied as they are (ior_put_head_read).
	 */
	s[at[4] - 1] = 0;
	s[at[5] - 1] = 0;
	/* TIME as ior_put_head() writes it: nine decimals, no leading zero */
	r->head_plain = plain && at[1] >= 12 && s[at[1] - 11] == '.' &&
		(s[0] != '0' || at[1] == 12);
	r->pid = v[0];
	r->tid = v[1];
	r->comm = s + at[3];
	r->call = s + at[4];
	r->ret = v[2];
	r->dur = (uint64_t)v[3];
	return 1;
}

static void parse_rec(struct ior_in *in, struct ior_rec *r)
{
	char *f[7];
	char *p = in->line, *end = in->line + in->linelen, *bad_tok = NULL;
	enum arg_error ae;
	int i;

	if (!in->line_nul && fast_record(in, r))
		return;
	r->head_plain = 0;

	if (fast_columns(in, r, f, &p)) {
		ae = split_args(in, r, p, &bad_tok);
		goto args;
	}
	for (i = 0; i < 7; i++) {
		f[i] = p;
		stop_at_nul(in, p);
		if (p == end || *p == ' ') {
			check_nul(in, p);
			ior_bad(in, colname[i], "missing or empty column");
		}
		while (*p != ' ' && *p)
			p++;
		stop_at_nul(in, p);
		if (p == end) {
			if (i < 6)
				ior_bad(in, colname[i + 1], "missing column");
			break;
		}
		*p++ = 0;
		if (i == 6 && p == end)
			ior_bad(in, NULL, "trailing space");
	}
	ae = split_args(in, r, p, &bad_tok);
	for (i = 0; i < 7; i++)
		r->col[i] = f[i] - in->line;
	r->time_ns = ior_time(in, "TIME", f[0]);
	r->pid = ior_int(in, "PID", f[1]);
	r->tid = ior_int(in, "TID", f[2]);
	r->comm = f[3];
	r->call = f[4];
	r->ret = ior_int(in, "RET", f[5]);
	r->dur = ior_uint(in, "DUR", f[6]);
args:
	switch (ae) {
	case ARG_OK:
		break;
	case ARG_NOT_KV:
		ior_bad(in, NULL, "argument %d: expected key=value, got \"%.40s\"",
			r->nkv + 1, bad_tok);
	case ARG_TOO_MANY:
		ior_bad(in, NULL, "more than %d arguments", IOR_KV_MAX);
	case ARG_EMPTY:
		ior_bad(in, NULL, "empty argument (two spaces or trailing space)");
	}
}

int ior_read(struct ior_in *in, struct ior_rec *r)
{
	for (;;) {
		if (!next_line(in)) {
			if (in->lineno == 0)
				ior_bad(in, NULL, "empty input: not an ior stream (no \"#ior\" line)");
			return IOR_EOF;
		}
		/* parse_rec() finds a record's NUL bytes in its one pass */
		if ((in->lineno == 1 || in->line[0] == '#') && in->line_nul)
			ior_bad(in, NULL, "NUL byte in line");
		if (in->lineno == 1 && !ior_is_magic(in->line))
			ior_bad(in, NULL, "not an ior stream: first line must be \"#ior %d KIND\"",
				IOR_FORMAT_VERSION);
		if (in->line[0] == '#') {
			if (ior_is_magic(in->line))
				check_magic(in);
			return IOR_META;
		}
		if (in->linelen == 0)
			ior_bad(in, NULL, "empty line");
		parse_rec(in, r);
		return IOR_REC;
	}
}

const char *ior_get(const struct ior_rec *r, const char *key)
{
	for (int i = 0; i < r->nkv; i++)
		if (!strcmp(r->kv[i].key, key))
			return r->kv[i].val;
	return NULL;
}

int ior_find(const struct ior_rec *r, const char *key)
{
	for (int i = 0; i < r->nkv; i++)
		if (!strcmp(r->kv[i].key, key))
			return i;
	return -1;
}

size_t ior_val_unescape(const struct ior_in *in, const char *key,
			const char *val, char *dst, size_t cap)
{
	int nul;
	long len = ior_decode(dst, cap, val, &nul);

	if (len == IOR_ESC_LONG)
		ior_bad(in, key, "value longer than %zu bytes", cap - 1);
	if (len < 0)
		ior_bad(in, key, "malformed escape in \"%.40s\"", val);
	if (nul)
		ior_bad(in, key, "value holds a NUL byte");
	return len;
}

size_t ior_val_check(const struct ior_in *in, const char *key,
		     const char *val, size_t cap)
{
	return ior_val_unescape(in, key, val, NULL, cap);
}
