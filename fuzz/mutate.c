/*
 * mutate.c - the dictionary of the seed corpus, and the mutator.
 *
 * A mutant is a seed (a valid stream of the reader's kind, or an earlier
 * mutant that made the reader do something new) changed by a few
 * mutations, most of them aware of ior-format(5): a stream is lines, a
 * record is space-separated fields, seven positional columns then
 * key=value arguments.  Lines are deleted, repeated, swapped, spliced in
 * from other seeds; fields deleted, repeated, swapped, renamed; values
 * replaced by boundary numbers, other values of the same key, flag names
 * joined at random, hostile paths, broken escapes, raw control bytes and
 * very long strings; the last mutations may act on bytes alone (bit
 * flips, inserted or deleted runs).  Everything comes from rnd(), so a
 * seed number and the same corpus give the same mutants.
 */
#define _GNU_SOURCE
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz.h"

/* ---- the dictionary ---- */

/* A set of strings, kept in order of insertion (for rnd_below). */
struct strset {
	char **v;
	size_t n, cap;
	uint64_t *h;		/* open addressing over the hashes */
	size_t hcap;
};

static uint64_t fnv(const char *s, size_t n)
{
	uint64_t h = 0xcbf29ce484222325ULL;

	for (size_t i = 0; i < n; i++)
		h = (h ^ (unsigned char)s[i]) * 0x100000001b3ULL;
	return h | 1;
}

/* By hash alone: two strings of one 64-bit hash are one entry. */
static int strset_has(const struct strset *ss, uint64_t h)
{
	for (size_t i = h % ss->hcap; ss->h[i]; i = (i + 1) % ss->hcap)
		if (ss->h[i] == h)
			return 1;
	return 0;
}

static void strset_add(struct strset *ss, const char *s, size_t n, size_t max)
{
	uint64_t h = fnv(s, n);

	if (ss->n >= max)
		return;
	if (!ss->hcap) {
		ss->hcap = 4 * max + 7;
		ss->h = calloc(ss->hcap, sizeof(*ss->h));
		if (!ss->h)
			die("out of memory");
	}
	if (strset_has(ss, h))
		return;
	for (size_t i = h % ss->hcap;; i = (i + 1) % ss->hcap)
		if (!ss->h[i]) {
			ss->h[i] = h;
			break;
		}
	if (ss->n == ss->cap) {
		ss->cap = ss->cap ? 2 * ss->cap : 16;
		ss->v = xrealloc(ss->v, ss->cap * sizeof(*ss->v));
	}
	ss->v[ss->n] = xmalloc(n + 1);
	memcpy(ss->v[ss->n], s, n);
	ss->v[ss->n][n] = 0;
	ss->n++;
}

static const char *strset_pick(const struct strset *ss)
{
	return ss->n ? ss->v[rnd_below(ss->n)] : "";
}

#define MAXKEYS 256
static struct strset keys;		/* every key */
static struct strset values[MAXKEYS];	/* values of keys.v[i] */
static struct strset column[8];		/* values of the positional columns */
static struct strset flagnames;		/* names joined by | in values */
static struct strset metas;		/* metadata lines */

static size_t key_index(const char *k, size_t n)
{
	for (size_t i = 0; i < keys.n; i++)
		if (strlen(keys.v[i]) == n && !memcmp(keys.v[i], k, n))
			return i;
	return (size_t)-1;
}

static int is_flagname(const char *s, size_t n)
{
	if (!n || s[0] < 'A' || s[0] > 'Z')
		return 0;
	for (size_t i = 0; i < n; i++)
		if (!((s[i] >= 'A' && s[i] <= 'Z') || (s[i] >= '0' && s[i] <= '9') ||
		      s[i] == '_'))
			return 0;
	return 1;
}

static void dict_value(size_t ki, const char *v, size_t n)
{
	strset_add(&values[ki], v, n, 64);
	/* flag names: O_RDWR|O_CREAT gives both */
	for (size_t a = 0, b; a < n; a = b + 1) {
		for (b = a; b < n && v[b] != '|'; b++)
			;
		if (is_flagname(v + a, b - a))
			strset_add(&flagnames, v + a, b - a, 4096);
	}
}

static void dict_line(const char *l, size_t n)
{
	size_t col = 0;

	if (n && l[0] == '#') {
		strset_add(&metas, l, n, 256);
		return;
	}
	for (size_t a = 0, b; a <= n; a = b + 1, col++) {
		for (b = a; b < n && l[b] != ' '; b++)
			;
		if (col < 7) {
			strset_add(&column[col], l + a, b - a, 512);
			continue;
		}
		const char *eq = memchr(l + a, '=', b - a);

		if (!eq)
			continue;
		size_t ki = key_index(l + a, eq - (l + a));

		if (ki == (size_t)-1) {
			if (keys.n >= MAXKEYS)
				continue;
			strset_add(&keys, l + a, eq - (l + a), MAXKEYS);
			ki = keys.n - 1;
		}
		dict_value(ki, eq + 1, l + b - (eq + 1));
	}
}

void dict_build(const struct corpus *c)
{
	static const char *more_calls[] = {
		"sched:fork", "sched:exec", "sched:exit", "ior:fd", "ior:cwd",
		"init:dir", "init:file", "init:symlink", "init:link",
		"aio:pread", "aio:pwrite", "aio:fsync", "uring:read",
		"uring:write", "uring:openat", "uring:close", "uring:nop",
		"aio:", "uring:", "init:", "sched:", "ior:", "init:bogus",
		"bogus", "io_submit", "io_uring_enter", "io_setup",
		"io_uring_setup", "io_uring_register", "clone3", "vfork",
		"execve", "exit_group", "mmap", "munmap",
	};

	for (size_t i = 0; i < c->n; i++) {
		const char *p = c->s[i].data.p, *end = p + c->s[i].data.len;

		while (p < end) {
			const char *nl = memchr(p, '\n', end - p);

			if (!nl)
				nl = end;
			dict_line(p, nl - p);
			p = nl + 1;
		}
	}
	for (size_t i = 0; i < sizeof(more_calls) / sizeof(*more_calls); i++)
		strset_add(&column[4], more_calls[i], strlen(more_calls[i]), 512);
}

/* ---- interesting values ---- */

/* Numbers a reader must take or refuse: limits of the types, of Linux
 * (PID_MAX_LIMIT 4194304), of tables indexed by what the stream says. */
static const char *numbers[] = {
	"0", "1", "-1", "2", "3", "7", "8", "-2", "255", "256", "1023", "1024",
	"4095", "4096", "65535", "65536", "65537", "1048576",
	"2147483647", "2147483648", "-2147483648", "-2147483649",
	"4294967295", "4294967296", "4194303", "4194304", "268435455",
	"268435456", "1099511627776", "1152921504606846976",
	"9223372036854775807", "9223372036854775808",
	"-9223372036854775808", "-9223372036854775809",
	"-9223372036854775807", "18446744073709551615",
	"18446744073709551616", "99999999999999999999999999999",
};

/* Strings that are almost numbers. */
static const char *notnumbers[] = {
	"-0", "+1", "01", "08", "0x10", "0xffffffffffffffff", "1e9", "1.5",
	"nan", "inf", "-inf", "", " ", "00000000000000000000000000001", "-",
	"1-", "1 2", "AT_FDCWD", "-100",
};

static const char *times[] = {
	"0.000000000", "0.000000001", "-0.000000001", "-1.000000000", "1.",
	".1", "1", "1.0000000001", "1.00000000", "9223372036.854775807",
	"9223372036.854775808", "18446744073.709551615",
	"18446744073.709551616", "99999999999.999999999", "1.00000000x",
	"0x1.8p1", "1e3", "0.000000000.1", "4294967296.000000000",
};

static const char *paths[] = {
	"/", "", ".", "..", "/..", "/../../..", "a", "a/../../b", "//",
	"/a//b/./c/..", "/proc/self/root/tmp/ior-fuzz-escape",
	"/tmp/ior-fuzz-app/../../../tmp/ior-fuzz-escape",
	"../../../../tmp/ior-fuzz-escape", "/tmp/ior-fuzz-escape",
	"/dev/null", "/dev/zero", "/proc/self/fd/0", "/proc/self/mem",
	"/sys/kernel/mm", "/tmp/ior-fuzz-app/\\x2e\\x2e/\\x2e\\x2e/x",
	"/x\\x00y", "\\x2f", "/a\\", "/a\\x", "/a\\x4", "/a\\xzz",
	"/a/b\\x0ac", "/tmp/ior-fuzz-app/in\\x20put",
};

static const char *escapes[] = {
	"\\", "\\x", "\\x4", "\\xg0", "\\x00", "\\x20", "\\x0a", "\\\\",
	"\\x5c", "\\xff", "\\X41", "\\n", "\\x3d", "\\x7c", "\\x5c\\x5c",
	"=", "|", ",", ":", "#", "\t", "\r", "\x7f", "\xff", "\x80", "\xc3",
};

/* ---- a stream as lines, a line as fields ---- */

struct doc {
	struct buf *l;		/* lines, without their newline */
	size_t n, cap;
	int final_nl;
};

static void doc_insert(struct doc *d, size_t at, const char *p, size_t n)
{
	if (d->n == d->cap) {
		d->cap = d->cap ? 2 * d->cap : 64;
		d->l = xrealloc(d->l, d->cap * sizeof(*d->l));
	}
	memmove(d->l + at + 1, d->l + at, (d->n - at) * sizeof(*d->l));
	memset(&d->l[at], 0, sizeof(d->l[at]));
	buf_set(&d->l[at], p, n);
	d->n++;
}

static void doc_delete(struct doc *d, size_t at)
{
	buf_free(&d->l[at]);
	memmove(d->l + at, d->l + at + 1, (d->n - at - 1) * sizeof(*d->l));
	d->n--;
}

static void doc_parse(struct doc *d, const char *p, size_t n)
{
	const char *end = p + n;

	memset(d, 0, sizeof(*d));
	d->final_nl = n && p[n - 1] == '\n';
	while (p < end) {
		const char *nl = memchr(p, '\n', end - p);

		if (!nl)
			nl = end;
		doc_insert(d, d->n, p, nl - p);
		p = nl + 1;
	}
}

static size_t doc_size(const struct doc *d)
{
	size_t s = 0;

	for (size_t i = 0; i < d->n; i++)
		s += d->l[i].len + 1;
	return s;
}

static void doc_join(const struct doc *d, struct buf *out)
{
	out->len = 0;
	buf_add(out, "", 0);
	for (size_t i = 0; i < d->n; i++) {
		buf_add(out, d->l[i].p ? d->l[i].p : "", d->l[i].len);
		if (i + 1 < d->n || d->final_nl)
			buf_add(out, "\n", 1);
	}
}

static void doc_free(struct doc *d)
{
	for (size_t i = 0; i < d->n; i++)
		buf_free(&d->l[i]);
	free(d->l);
}

/* A record's fields as offsets into its line. */
#define FIELDS_MAX 4096
struct fields {
	size_t off[FIELDS_MAX], len[FIELDS_MAX];
	size_t n;
};

static void split(const struct buf *l, struct fields *f)
{
	size_t a = 0;

	f->n = 0;
	for (size_t i = 0; i <= l->len && f->n < FIELDS_MAX; i++)
		if (i == l->len || l->p[i] == ' ') {
			f->off[f->n] = a;
			f->len[f->n] = i - a;
			f->n++;
			a = i + 1;
		}
}

/* Replace field i of line l (split as f) with p[0..n). */
static void field_replace(struct buf *l, const struct fields *f, size_t i,
			  const char *p, size_t n)
{
	struct buf nb = { 0 };

	buf_add(&nb, l->p, f->off[i]);
	buf_add(&nb, p, n);
	buf_add(&nb, l->p + f->off[i] + f->len[i], l->len - f->off[i] - f->len[i]);
	buf_free(l);
	*l = nb;
}

/* Delete field i with the space before it (after it, for the first). */
static void field_delete(struct buf *l, const struct fields *f, size_t i)
{
	size_t a = f->off[i], e = a + f->len[i];

	if (i > 0)
		a--;
	else if (e < l->len)
		e++;
	memmove(l->p + a, l->p + e, l->len - e);
	l->len -= e - a;
	l->p[l->len] = 0;
}

static void field_insert(struct buf *l, const struct fields *f, size_t i,
			 const char *p, size_t n)
{
	struct buf nb = { 0 };
	size_t at = i < f->n ? f->off[i] : l->len;

	buf_add(&nb, l->p, at);
	if (i >= f->n)
		buf_add(&nb, " ", 1);
	buf_add(&nb, p, n);
	if (i < f->n)
		buf_add(&nb, " ", 1);
	buf_add(&nb, l->p + at, l->len - at);
	buf_free(l);
	*l = nb;
}

/* ---- values ---- */

static const char *pick(const char *const *v, size_t n)
{
	return v[rnd_below(n)];
}
#define PICK(a) pick((a), sizeof(a) / sizeof(*(a)))

static int is_number(const char *s, size_t n)
{
	size_t i = 0;

	if (n && s[0] == '-')
		i++;
	if (i == n)
		return 0;
	for (; i < n; i++)
		if (s[i] < '0' || s[i] > '9')
			return 0;
	return 1;
}

static void arith(struct buf *v, const char *old)
{
	static const long long d[] = { 1, -1, 2, 4096, 1LL << 32, 1LL << 31 };
	long long x = strtoll(old, NULL, 10);
	char tmp[32];

	switch (rnd_below(4)) {
	case 0: x = (long long)((unsigned long long)x + (unsigned long long)d[rnd_below(6)]); break;
	case 1: x = (long long)((unsigned long long)x * 2); break;
	case 2: x = (long long)(0ULL - (unsigned long long)x); break;
	default: x ^= 1LL << rnd_below(63); break;
	}
	snprintf(tmp, sizeof(tmp), "%lld", x);
	buf_adds(v, tmp);
}

static void flags(struct buf *v)
{
	size_t k = 1 + rnd_below(4);

	for (size_t i = 0; i < k; i++) {
		if (i)
			buf_adds(v, "|");
		if (rnd_chance(10))
			buf_adds(v, rnd_chance(50) ? "0xffffffff" : "BOGUS_FLAG");
		else
			buf_adds(v, strset_pick(&flagnames));
	}
	if (rnd_chance(5))
		buf_adds(v, "|");
}

static void long_value(struct buf *v)
{
	static const size_t lens[] = { 255, 256, 4095, 4096, 4097, 65000,
				       65529, 65530, 65535, 65536, 70000 };
	size_t len = lens[rnd_below(11)];

	if (rnd_chance(50)) {
		while (v->len < len)
			buf_adds(v, rnd_chance(90) ? "/a" : "/..");
	} else {
		while (v->len < len)
			buf_adds(v, "\\x41");
	}
}

/* A new value for a field that held old[0..n), of key ki (or -1) or in
 * column col: mostly one of its own type, so that it passes the parser
 * and reaches what the reader does with it. */
static void new_value(struct buf *v, const char *old, size_t n, size_t ki, size_t col)
{
	int num = is_number(old, n) || (n && memchr(old, '.', n) && old[0] >= '0' && old[0] <= '9');
	const struct strset *same = ki != (size_t)-1 ? &values[ki] : col < 7 ? &column[col] : NULL;
	unsigned x = rnd_below(100);

	v->len = 0;
	buf_add(v, "", 0);
	if (num && memchr(old, '.', n) && x < 30) {
		buf_adds(v, PICK(times));
	} else if (num && x < 50) {
		buf_adds(v, PICK(numbers));
	} else if (num && x < 70 && is_number(old, n)) {
		arith(v, old);
	} else if (x < 80 && same && same->n) {
		buf_adds(v, strset_pick(same));
	} else if (!num && n && old[0] >= 'A' && old[0] <= 'Z' && x < 85) {
		flags(v);
	} else if (!num && n && old[0] == '/' && x < 90) {
		buf_adds(v, PICK(paths));
	} else {
		switch (rnd_below(9)) {
		case 0: buf_adds(v, PICK(numbers)); break;
		case 1: buf_adds(v, PICK(notnumbers)); break;
		case 2: flags(v); break;
		case 3: buf_adds(v, PICK(paths)); break;
		case 4: buf_adds(v, PICK(times)); break;
		case 5: {	/* the old value with an escape or a byte in it */
			size_t at = rnd_below(n + 1);

			buf_add(v, old, at);
			buf_adds(v, PICK(escapes));
			buf_add(v, old + at, n - at);
			break;
		}
		case 6:
			long_value(v);
			break;
		case 7:		/* a value of another key */
			if (keys.n)
				buf_adds(v, strset_pick(&values[rnd_below(keys.n)]));
			break;
		default:	/* the old value, repeated or cut */
			buf_add(v, old, n);
			if (rnd_chance(50))
				buf_add(v, old, n);
			else
				v->len = rnd_below(n + 1);
			v->p[v->len] = 0;
			break;
		}
	}
}

/* ---- mutations ---- */

static int is_record(const struct buf *l)
{
	return l->len && l->p[0] != '#';
}

/* A random line; a record when possible (a few tries). */
static size_t pick_line(const struct doc *d, int record)
{
	size_t i = rnd_below(d->n);

	for (int t = 0; record && t < 8 && !is_record(&d->l[i]); t++)
		i = rnd_below(d->n);
	return i;
}

/* A field of a record split as f: an argument (key=value) mostly, since
 * a positional column moved or gone only makes the next one wrong. */
static size_t pick_field(const struct fields *f)
{
	if (f->n > 7 && rnd_chance(90))
		return 7 + rnd_below(f->n - 7);
	return rnd_below(f->n);
}

static const struct buf *donor_line(const struct corpus *c, enum kind kind,
				    struct buf *tmp)
{
	size_t tries = 0;
	const struct seed *s;

	do {
		s = &c->s[rnd_below(c->n)];
	} while (s->kind != kind && rnd_chance(80) && ++tries < 16);
	/* a random line of it */
	const char *p = s->data.p, *end = p + s->data.len;
	size_t skip = rnd_below(s->data.len ? s->data.len : 1);
	const char *at = p + skip, *a, *e;

	for (a = at; a > p && a[-1] != '\n'; a--)
		;
	e = memchr(at, '\n', end - at);
	if (!e)
		e = end;
	buf_set(tmp, a, e - a);
	return tmp;
}

static const char *metaline(void)
{
	static const char *m[] = {
		"#ior 1 trace", "#ior 1 map", "#ior 1 replay", "#ior 1 result",
		"#ior 2 map", "#ior", "#ior 1", "#ior 1 bogus", "#ior -1 trace",
		"#ior 99999999999999999999 replay", "#ior 1 trace extra", "#ior  1 map",
		"#", "", " ", "#stat ior-trace events=10 drops=5 unpaired=3 missed=2",
		"#stat ior-trace drops=18446744073709551615",
		"#stat ior-trace drops=-1", "#stat", "#meta", "#meta ior-trace epoch=-1",
		"#meta ior-trace epoch=99999999999.999999999 host=\\x",
		"#stat ior-map unknown_fd=4294967296",
		"#stat ior-gen dropped=1", "#stat ior-replay interrupted=1",
	};

	if (metas.n && rnd_chance(40))
		return strset_pick(&metas);
	return PICK(m);
}

static int mutate_doc(struct doc *d, const struct corpus *donors, enum kind kind);

/* Mutation c (0-9) of the lines of d; 0 when it did not apply. */
static int mutate_lines(struct doc *d, const struct corpus *donors, enum kind kind,
			unsigned c)
{
	struct buf tmp = { 0 };
	size_t i, j, k;

	switch (c) {
	case 0:		/* delete a line */
		if (d->n < 2)
			return 0;
		doc_delete(d, rnd_chance(95) ? 1 + rnd_below(d->n - 1) : 0);
		break;
	case 1: {	/* repeat a line, a few times or many */
		static const size_t times_n[] = { 1, 1, 1, 2, 3, 100, 3000 };

		i = pick_line(d, 1);
		k = times_n[rnd_below(7)];
		j = rnd_chance(50) ? i : rnd_below(d->n + 1);
		buf_set(&tmp, d->l[i].p, d->l[i].len);
		for (size_t t = 0; t < k && doc_size(d) + tmp.len < MUTANT_MAX; t++)
			doc_insert(d, j, tmp.p, tmp.len);
		break;
	}
	case 2:		/* swap two lines */
		i = pick_line(d, 1);
		j = rnd_chance(50) && i + 1 < d->n ? i + 1 : pick_line(d, 1);
		tmp = d->l[i];
		d->l[i] = d->l[j];
		d->l[j] = tmp;
		tmp = (struct buf){ 0 };
		break;
	case 3:		/* move a line */
		i = pick_line(d, 1);
		buf_set(&tmp, d->l[i].p, d->l[i].len);
		doc_delete(d, i);
		doc_insert(d, rnd_below(d->n + 1), tmp.p, tmp.len);
		break;
	case 4: case 5:	/* a line of another seed */
		donor_line(donors, kind, &tmp);
		doc_insert(d, rnd_below(d->n + 1), tmp.p, tmp.len);
		break;
	case 6: {	/* a metadata line */
		const char *m = metaline();

		doc_insert(d, rnd_below(d->n + 1), m, strlen(m));
		break;
	}
	case 7:		/* cut the stream */
		i = rnd_below(d->n) + 1;
		while (d->n > i)
			doc_delete(d, d->n - 1);
		if (rnd_chance(50)) {
			struct buf *l = &d->l[d->n - 1];

			l->len = rnd_below(l->len + 1);
			if (l->p)
				l->p[l->len] = 0;
			d->final_nl = rnd_chance(30);
		}
		break;
	case 8: {	/* another whole seed after this one (concatenation) */
		const struct seed *s = &donors->s[rnd_below(donors->n)];
		struct doc o;

		if (doc_size(d) + s->data.len >= MUTANT_MAX)
			return 0;
		doc_parse(&o, s->data.p, s->data.len);
		for (i = 0; i < o.n; i++)
			doc_insert(d, d->n, o.l[i].p, o.l[i].len);
		doc_free(&o);
		break;
	}
	case 9:		/* reverse a run of lines */
		i = pick_line(d, 1);
		j = i + rnd_below(d->n - i);
		for (; i < j; i++, j--) {
			tmp = d->l[i];
			d->l[i] = d->l[j];
			d->l[j] = tmp;
		}
		tmp = (struct buf){ 0 };
		break;
	}
	buf_free(&tmp);
	return 1;
}

/* Mutation c (10-23) of the fields of a line of d; 0 when it did not
 * apply. */
static int mutate_fields(struct doc *d, const struct corpus *donors, enum kind kind,
			 unsigned c)
{
	struct buf tmp = { 0 }, val = { 0 };
	static struct fields f;
	size_t i, j, k;
	int done = 1;

	switch (c) {
	case 10:	/* delete a field */
		i = pick_line(d, 1);
		split(&d->l[i], &f);
		field_delete(&d->l[i], &f, pick_field(&f));
		break;
	case 11:	/* repeat a field (twice the same key) */
		i = pick_line(d, 1);
		split(&d->l[i], &f);
		j = pick_field(&f);
		buf_set(&tmp, d->l[i].p + f.off[j], f.len[j]);
		if (rnd_chance(50)) {
			const char *eq = memchr(tmp.p, '=', tmp.len);

			if (eq) {
				size_t ki = key_index(tmp.p, eq - tmp.p);

				new_value(&val, eq + 1, tmp.len - (eq + 1 - tmp.p), ki, 99);
				tmp.len = eq + 1 - tmp.p;
				buf_add(&tmp, val.p, val.len);
			}
		}
		k = rnd_chance(50) ? j : j >= 7 ? 7 + rnd_below(f.n - 6) : rnd_below(f.n + 1);
		field_insert(&d->l[i], &f, k, tmp.p, tmp.len);
		break;
	case 12:	/* swap two fields */
		i = pick_line(d, 1);
		split(&d->l[i], &f);
		if (f.n < 2)
			return 0;
		j = pick_field(&f);
		k = pick_field(&f);
		if (j > k) {
			size_t t = j;

			j = k;
			k = t;
		}
		if (j == k)
			return 0;
		{
			struct buf a = { 0 }, b = { 0 };

			buf_set(&a, d->l[i].p + f.off[j], f.len[j]);
			buf_set(&b, d->l[i].p + f.off[k], f.len[k]);
			field_replace(&d->l[i], &f, k, a.p, a.len);
			field_replace(&d->l[i], &f, j, b.p, b.len);
			buf_free(&a);
			buf_free(&b);
		}
		break;
	case 13: case 14: case 15: case 16: {	/* a new value */
		i = pick_line(d, 1);
		split(&d->l[i], &f);
		j = rnd_below(f.n);
		const char *fp = d->l[i].p + f.off[j];
		const char *eq = j >= 7 ? memchr(fp, '=', f.len[j]) : NULL;

		if (eq) {
			size_t kl = eq - fp;

			new_value(&val, eq + 1, f.len[j] - kl - 1, key_index(fp, kl), 99);
			buf_set(&tmp, fp, kl + 1);
		} else {
			new_value(&val, fp, f.len[j], (size_t)-1, j);
		}
		buf_add(&tmp, val.p, val.len);
		field_replace(&d->l[i], &f, j, tmp.p, tmp.len);
		break;
	}
	case 17: {	/* a new key=value */
		i = pick_line(d, 1);
		split(&d->l[i], &f);
		if (!keys.n)
			return 0;
		k = rnd_below(keys.n);
		buf_adds(&tmp, keys.v[k]);
		buf_adds(&tmp, "=");
		if (rnd_chance(60))
			buf_adds(&tmp, strset_pick(&values[k]));
		else {
			new_value(&val, "", 0, k, 99);
			buf_add(&tmp, val.p, val.len);
		}
		field_insert(&d->l[i], &f, 7 + rnd_below(f.n > 7 ? f.n - 6 : 1), tmp.p, tmp.len);
		break;
	}
	case 18: {	/* another key for a value */
		i = pick_line(d, 1);
		split(&d->l[i], &f);
		if (f.n < 8 || !keys.n)
			return 0;
		j = 7 + rnd_below(f.n - 7);
		const char *fp = d->l[i].p + f.off[j];
		const char *eq = memchr(fp, '=', f.len[j]);
		static const char *odd[] = { "", "=", "k", "KEY", "fd fd", "\\x3d", "a\\" };

		buf_adds(&tmp, rnd_chance(85) ? strset_pick(&keys) : PICK(odd));
		if (eq)
			buf_add(&tmp, eq, f.len[j] - (eq - fp));
		else
			buf_adds(&tmp, "=1");
		field_replace(&d->l[i], &f, j, tmp.p, tmp.len);
		break;
	}
	case 19:	/* another call */
		i = pick_line(d, 1);
		split(&d->l[i], &f);
		if (f.n < 5)
			return 0;
		buf_adds(&tmp, strset_pick(&column[4]));
		field_replace(&d->l[i], &f, 4, tmp.p, tmp.len);
		break;
	case 20: {	/* many fields */
		static const size_t many[] = { 26, 33, 64, 65, 200, 3000 };

		i = pick_line(d, 1);
		k = many[rnd_below(6)];
		for (j = 0; j < k && d->l[i].len < 200000; j++) {
			char kv[64];

			if (rnd_chance(50) && keys.n)
				snprintf(kv, sizeof(kv), " %.20s=%zu", strset_pick(&keys), j);
			else
				snprintf(kv, sizeof(kv), " k%zu=%zu", j, j);
			buf_adds(&d->l[i], kv);
		}
		break;
	}
	case 21: {	/* separators: two spaces, a tab, a space at an end */
		static const char *sep[] = { "  ", "\t", " ", "\r", "\0" };

		i = pick_line(d, 0);
		split(&d->l[i], &f);
		j = rnd_below(f.n);
		k = rnd_below(5);
		buf_set(&tmp, d->l[i].p, f.off[j]);
		buf_add(&tmp, sep[k], k == 4 ? 1 : strlen(sep[k]));
		buf_add(&tmp, d->l[i].p + f.off[j], d->l[i].len - f.off[j]);
		buf_free(&d->l[i]);
		d->l[i] = tmp;
		tmp = (struct buf){ 0 };
		break;
	}
	case 22: {	/* a line near the length limit */
		static const long adj[] = { -2, -1, 0, 1, 2, 100 };

		i = pick_line(d, 1);
		size_t want = 65536 + adj[rnd_below(6)];

		if (d->l[i].len + 8 < want) {
			buf_adds(&d->l[i], " x=");
			while (d->l[i].len < want)
				buf_add(&d->l[i], "a", 1);
		}
		break;
	}
	default:	/* the same record from another seed, then changed */
		donor_line(donors, kind, &tmp);
		i = pick_line(d, 1);
		buf_free(&d->l[i]);
		d->l[i] = tmp;
		tmp = (struct buf){ 0 };
		done = mutate_doc(d, donors, kind);
		break;
	}
	buf_free(&tmp);
	buf_free(&val);
	return done;
}

/* One mutation of d; 0 when it did not apply. */
static int mutate_doc(struct doc *d, const struct corpus *donors, enum kind kind)
{
	/* how often each mutation is chosen: lines 0-9, fields 10-23 */
	static const unsigned char weight[] = {
		6, 6, 5, 3, 5, 3, 2, 2, 1, 2,
		5, 5, 3, 7, 7, 7, 7, 6, 3, 5, 1, 1, 1, 3,
	};
	unsigned total = 0, x, c = 0;

	for (size_t w = 0; w < sizeof(weight); w++)
		total += weight[w];
	x = rnd_below(total);
	while (c + 1 < sizeof(weight) && x >= weight[c])
		x -= weight[c++];
	if (!d->n)
		doc_insert(d, 0, "", 0);
	return c < 10 ? mutate_lines(d, donors, kind, c) : mutate_fields(d, donors, kind, c);
}

/* One mutation of the bytes of b. */
static void mutate_bytes(struct buf *b)
{
	static const char interesting[] = { ' ', '\n', '=', '\\', '#', 0, '|', ',',
					    ':', '\xff', '-', '0', '9', 'x', '\t', '.' };
	size_t at = rnd_below(b->len + 1), n;

	switch (rnd_below(6)) {
	case 0:
		if (at < b->len)
			b->p[at] ^= 1 << rnd_below(8);
		break;
	case 1:
		if (at < b->len)
			b->p[at] = interesting[rnd_below(sizeof(interesting))];
		break;
	case 2: {	/* insert a few random bytes */
		char r[8];

		n = 1 + rnd_below(8);
		for (size_t i = 0; i < n; i++)
			r[i] = (char)rnd();
		struct buf nb = { 0 };

		buf_add(&nb, b->p, at);
		buf_add(&nb, r, n);
		buf_add(&nb, b->p + at, b->len - at);
		buf_free(b);
		*b = nb;
		break;
	}
	case 3:		/* delete a run */
		n = rnd_below(b->len - at + 1);
		if (n > 64 && rnd_chance(80))
			n = rnd_below(64);
		memmove(b->p + at, b->p + at + n, b->len - at - n);
		b->len -= n;
		break;
	case 4: {	/* repeat a run */
		n = rnd_below(b->len - at + 1);
		if (n > 256)
			n = rnd_below(256);
		if (b->len + n >= MUTANT_MAX)
			break;
		struct buf nb = { 0 };

		buf_add(&nb, b->p, at + n);
		buf_add(&nb, b->p + at, b->len - at);
		buf_free(b);
		*b = nb;
		break;
	}
	default:	/* copy a run over another */
		n = 1 + rnd_below(32);
		if (b->len > 2 * n) {
			size_t from = rnd_below(b->len - n), to = rnd_below(b->len - n);

			memmove(b->p + to, b->p + from, n);
		}
		break;
	}
	if (b->p)
		b->p[b->len] = 0;
}

/* Number the operations of a replay program (seq=) 1, 2, 3 ... again
 * in their new order: ior-replay refuses a program whose seq does not
 * grow, and a mutant that only says that reaches nothing further. */
static void renumber(struct doc *d)
{
	static struct fields f;
	unsigned long seq = 0;
	char num[32];

	for (size_t i = 0; i < d->n; i++) {
		if (!is_record(&d->l[i]))
			continue;
		split(&d->l[i], &f);
		for (size_t j = 7; j < f.n; j++)
			if (f.len[j] >= 4 && !memcmp(d->l[i].p + f.off[j], "seq=", 4)) {
				snprintf(num, sizeof(num), "seq=%lu", ++seq);
				field_replace(&d->l[i], &f, j, num, strlen(num));
				break;
			}
	}
}

void mutate(struct buf *out, const struct buf *seed, const struct corpus *donors,
	    enum kind kind)
{
	struct doc d;
	unsigned x = rnd_below(100);
	size_t n = x < 60 ? 1 : x < 85 ? 2 : 3 + rnd_below(10);
	size_t nbytes = rnd_chance(10) ? 1 + rnd_below(3) : 0;

	doc_parse(&d, seed->p, seed->len);
	for (size_t i = 0, tries = 0; i < n && tries < 64; tries++)
		if (mutate_doc(&d, donors, kind))
			i++;
	if ((kind == K_REPLAY || kind == K_RESULT) && rnd_chance(80))
		renumber(&d);
	doc_join(&d, out);
	doc_free(&d);
	for (size_t i = 0; i < nbytes; i++)
		mutate_bytes(out);
	if (out->len > MUTANT_MAX)
		out->len = MUTANT_MAX;
}
