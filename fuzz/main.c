/*
 * ior-fuzz - fuzz ior's stream readers with mutants of valid streams.
 *
 *	ior-fuzz [-Fv] [-d SECONDS | -n RUNS] [-s SEED] [-t SECONDS] [-m MB]
 *		 [-b BINDIR | -x PROGRAM] [-c CORPUS] [-o FINDINGS] READER...
 *	ior-fuzz [-t SECONDS] [-b BINDIR | -x PROGRAM] -R FINDING
 *	ior-fuzz [-t SECONDS] [-n RUNS] [-b BINDIR | -x PROGRAM] -M FINDING
 *
 * For each READER in turn (ior-map, ior-gen, ior-init, ior-replay,
 * ior-stats; or map, gen ...), for SECONDS (-d, FUZZ_SECONDS, 600) or
 * RUNS (-n): take a seed of the kind it reads (CORPUS, fuzz/corpus),
 * mutate it (mutate.c), run the reader of BINDIR (build/asan/bin) on it
 * in one of its variants of command line (readers[] below) and judge
 * the outcome (exec.c).  A finding - a sanitizer report, a signal, a
 * hang (-t, 10 s), memory above the bound (-m, 512 MiB), an exit status
 * other than 0, 1, 3 or 4, a directory made outside the root, processes
 * left running, an exit 3 whose standard error is not one line "TOOL:
 * INPUT:LINE: ...", or an output the next tool refuses - is saved in
 * its own directory under FINDINGS (build/fuzz/findings): the input(s),
 * the reader, its variant and program, and a report that names the
 * command that reproduces it.  A mutant that made the reader do
 * something new (a new exit status or error message) becomes a seed.
 * The seed of the random numbers (-s, FUZZ_SEED; the time by default)
 * is printed: the same seed and corpus give the same mutants.
 *
 * -x runs PROGRAM instead of BINDIR/READER, as a reader of READER's
 * kind (t/fuzz.bats: a canary); -F stops at the first finding; -v says
 * how it goes every minute and, at the end, the commonest outcomes.
 * -R runs a finding again and says what happened; -M deletes lines and
 * fields of its input while the same finding comes back (the input was
 * kept as in.orig).  Both exit 1 when the finding happens.
 *
 * Exits 0 when nothing was found, 1 when something was, 2 on bad usage,
 * 4 on a system error.  t/README ("Fuzzing") says more.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <getopt.h>
#include <libgen.h>	/* dirname */
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "fuzz.h"

/* How a reader is run: the arguments after the program, where @1 and @2
 * are the inputs and @R the root. */
struct variant {
	const char *name;
	unsigned weight;
	const char *args[8];
	int init_first;		/* ior-init (next to the reader) builds the root first */
	int twice;		/* run twice on one root: the re-run */
	int inputs;		/* 2 for --compare */
};

#define KB(k) (1u << (k))
struct reader {
	const char *name;
	unsigned kinds;		/* which seeds it reads */
	struct variant v[12];	/* ended by one without a name */
	/* the tools that read what it writes, where @1 is its output: when
	 * it exits 0, each must take that output (exit 0 or 1) */
	struct variant next[3];
};

/* V(name, weight, args...): a variant; VX(name, weight, .field = x, args...)
 * one with another field set. */
#define V(n, w, ...) { .name = n, .weight = w, .args = { __VA_ARGS__ } }
#define VX(n, w, x, ...) { .name = n, .weight = w, .args = { __VA_ARGS__ }, x }
static const struct reader readers[] = {
	{ .name = "ior-map", .kinds = KB(K_TRACE), .v = {
		V("map", 6, "@1"),
		V("include", 1, "-i", "^/tmp/", "@1"),
		V("exclude", 1, "-x", "\\.so", "@1"),
		V("comm", 1, "-c", "ior", "-X", "^x", "@1"),
	}, .next = {
		V("ior-gen", 1, "@1"),
	} },
	{ .name = "ior-gen", .kinds = KB(K_MAP), .v = {
		V("gen", 1, "@1"),
	}, .next = {
		V("ior-init", 1, "-C", "@R", "-n", "@1"),
		V("ior-replay", 1, "-C", "@R", "-n", "@1"),
	} },
	{ .name = "ior-init", .kinds = KB(K_REPLAY), .v = {
		V("init", 3, "-C", "@R", "--fill", "sparse", "@1"),
		V("random", 1, "-C", "@R", "@1"),
		V("zero", 1, "-C", "@R", "--fill", "zero", "-j", "1", "@1"),
		V("dry-run", 1, "-C", "@R", "-n", "@1"),
		VX("rerun", 2, .twice = 1, "-C", "@R", "--fill", "sparse", "@1"),
	} },
	/* a program that can only deadlock is the watchdog's (-W), not a hang */
	{ .name = "ior-replay", .kinds = KB(K_REPLAY), .v = {
		VX("replay", 5, .init_first = 1, "-C", "@R", "-W", "5", "@1"),
		V("bare", 2, "-C", "@R", "-W", "5", "@1"),
		V("dry-run", 1, "-C", "@R", "-n", "@1"),
	} },
	{ .name = "ior-stats",
	  .kinds = KB(K_TRACE) | KB(K_MAP) | KB(K_REPLAY) | KB(K_RESULT), .v = {
		V("stats", 3, "@1"),
		V("tab", 1, "-t", "-s", "count", "@1"),
		V("depth", 1, "-r", "depth", "@1"),
		V("interval", 1, "-r", "depth", "-i", "0.00000001", "@1"),
		VX("compare", 3, .inputs = 2, "--compare", "@1", "@2"),
		VX("compare-tab", 1, .inputs = 2, "-t", "-s", "bytes", "--compare", "@2", "@1"),
		V("files", 1, "-r", "files", "-n", "3", "@1"),
		V("time", 1, "-r", "time", "-i", "0.00000001", "@1"),
		V("flame", 1, "-r", "flame", "-W", "time", "--svg", "@1"),
		VX("compare-time", 1, .inputs = 2, "-t", "-r", "time", "--compare", "@1", "@2"),
	} },
};
#define NREADERS (sizeof(readers) / sizeof(*readers))

static const struct reader *find_reader(const char *name)
{
	for (size_t i = 0; i < NREADERS; i++)
		if (!strcmp(readers[i].name, name) ||
		    !strcmp(readers[i].name + 4, name))
			return &readers[i];
	return NULL;
}

static const struct variant *find_variant(const struct reader *r, const char *name)
{
	for (const struct variant *v = r->v; v->name; v++)
		if (!strcmp(v->name, name))
			return v;
	return NULL;
}

/* ---- options ---- */

static char *bindir, *prog_override, *corpus_dir, *findings_dir;
static double seconds = 600;
static long max_runs = -1;
static uint64_t seed;
static int verbose, first_only;
static volatile sig_atomic_t stop;
static char work[4096];
static char in1[4200], in2[4200];

static void on_signal(int s)
{
	(void)s;
	stop = 1;
}

static double now(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return t.tv_sec + t.tv_nsec / 1e9;
}

static _Noreturn void usage(int code)
{
	fputs("usage: ior-fuzz [-Fv] [-d SECONDS] [-n RUNS] [-s SEED] [-t SECONDS] [-m MB]\n"
	      "                [-b BINDIR | -x PROGRAM] [-c CORPUS] [-o FINDINGS] READER...\n"
	      "       ior-fuzz [-b BINDIR | -x PROGRAM] -R FINDING\n"
	      "       ior-fuzz [-b BINDIR | -x PROGRAM] [-n RUNS] -M FINDING\n"
	      "READER: ior-map ior-gen ior-init ior-replay ior-stats (or map, gen ...)\n",
	      code ? stderr : stdout);
	exit(code);
}

static double number(const char *opt, const char *s)
{
	char *e;
	double v = strtod(s, &e);

	if (*e || e == s || v < 0) {
		fprintf(stderr, "ior-fuzz: %s: not a number: %s\n", opt, s);
		exit(2);
	}
	return v;
}

/* ---- running one input ---- */

static struct exec_cfg ecfg;

static const char *prog_of(const struct reader *r, char *buf, size_t n)
{
	if (prog_override)
		return prog_override;
	snprintf(buf, n, "%s/%s", bindir, r->name);
	return buf;
}

/* The last part of path p. */
static const char *base(const char *p)
{
	const char *s = strrchr(p, '/');

	return s ? s + 1 : p;
}

/* Path of the tool named name in the directory of program prog. */
static void beside(char *dst, size_t n, const char *prog, const char *name)
{
	snprintf(dst, n, "%.*s%s", (int)(base(prog) - prog), prog, name);
}

static void expand(const struct variant *v, const char *prog, char **argv, const char *in)
{
	size_t i = 0;

	argv[i++] = (char *)prog;
	for (size_t k = 0; k < 8 && v->args[k]; k++) {
		const char *a = v->args[k];

		if (!strcmp(a, "@1"))
			a = in;
		else if (!strcmp(a, "@2"))
			a = in2;
		else if (!strcmp(a, "@R"))
			a = exec_root();
		argv[i++] = (char *)a;
	}
	argv[i] = NULL;
}

/* What the tools after the reader make of its output (r->next), when
 * it exited 0: a finding of class "downstream" when one refuses it
 * (exit 3), "downstream-CLASS" when one has a finding of CLASS. */
static const char *try_next(const struct reader *r, const char *prog, struct outcome *o,
			    char *sig, size_t sigsz)
{
	static char cls[160], next[4300];
	char *argv[16], tool[PATH_MAX + 16];
	const char *inputs[2] = { next, NULL }, *c;
	struct buf out = { 0 };

	/* a program of another name (-x) is not one the next tools follow */
	if (strcmp(base(prog), r->name) || !r->next[0].name || !o->exited || o->code != 0)
		return NULL;
	snprintf(next, sizeof(next), "%s/next", work);
	if (buf_load(&out, exec_out()) < 0 || buf_save(&out, next) < 0)
		die("%s: %s", next, strerror(errno));
	buf_free(&out);
	for (const struct variant *v = r->next; v < r->next + 3 && v->name; v++) {
		beside(tool, sizeof(tool), prog, v->name);
		exec_fresh_root();
		expand(v, tool, argv, next);
		run_prog(tool, argv, o);
		c = judge(o, v->name, inputs, sig, sigsz);
		if (c) {
			snprintf(cls, sizeof(cls), "downstream-%s", c);
			return cls;
		}
		if (o->exited && o->code == 3) {
			/* one finding per tool and kind of message: "path:
			 * missing for truncate" and "fd: missing for close" are
			 * one, "missing" */
			char line[512], *m, *e;

			outcome_shape(o, inputs, line, sizeof(line));
			m = strstr(line, "IN:#: ");
			m = m ? m + 6 : line;
			/*
			 * ior-gen(1) refuses an aggregate or sampled capture
			 * by design, at its #meta line: ior-map passes those
			 * on, for ior-stats by file and process.
			 */
			if (!strcmp(v->name, "ior-gen") &&
			    (!strncmp(m, "aggregate: ", 11) ||
			     !strncmp(m, "sample: ", 8)))
				return NULL;
			e = strstr(m, ": ");
			if (e && !memchr(m, ' ', e - m))
				m = e + 2;
			if ((e = strstr(m, " for ")))
				*e = 0;
			snprintf(sig, sigsz, "downstream %s: %s", v->name, m);
			return "downstream";
		}
	}
	return NULL;
}

static int reader_code;	/* the exit status of the reader in the last try */

/* Run the reader on the inputs; the class of a finding or NULL, with
 * its signature in sig and the run's outcome in o (that of the next tool
 * when one ran). */
static const char *try(const struct reader *r, const struct variant *v, const char *prog,
		       const struct buf *a, const struct buf *b, struct outcome *o,
		       char *sig, size_t sigsz)
{
	const char *inputs[3] = { in1, v->inputs == 2 ? in2 : NULL, NULL };
	char *argv[16], init[PATH_MAX + 16];
	const char *cls;

	if (buf_save(a, in1) < 0 || (v->inputs == 2 && buf_save(b, in2) < 0))
		die("%s: %s", work, strerror(errno));
	exec_fresh_root();
	if (v->init_first) {
		/* ior-init next to the reader; what it does is its own test */
		char *iargv[] = { init, "-C", (char *)exec_root(), "--fill", "sparse", in1, NULL };

		beside(init, sizeof(init), prog, "ior-init");
		if (access(init, X_OK) == 0)
			run_prog(init, iargv, o);
	}
	expand(v, prog, argv, in1);
	run_prog(prog, argv, o);
	cls = judge(o, base(prog), inputs, sig, sigsz);
	if (!cls && v->twice) {
		run_prog(prog, argv, o);
		cls = judge(o, base(prog), inputs, sig, sigsz);
	}
	reader_code = o->exited ? o->code : -1;
	if (!cls)
		cls = try_next(r, prog, o, sig, sigsz);
	return cls;
}

/* ---- findings ---- */

static char self_path[PATH_MAX];
static long found_new, found_again;

static void put_file(const char *dir, const char *name, const char *text)
{
	char path[PATH_MAX + 64];
	struct buf b = { 0 };

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	buf_set(&b, text, strlen(text));
	if (buf_save(&b, path) < 0)
		die("%s: %s", path, strerror(errno));
	buf_free(&b);
}

static char *get_file(const char *dir, const char *name)
{
	char path[PATH_MAX + 64];
	struct buf b = { 0 };

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	if (buf_load(&b, path) < 0)
		die("%s: %s", path, strerror(errno));
	while (b.len && b.p[b.len - 1] == '\n')
		b.p[--b.len] = 0;
	return b.p;
}

static uint64_t hash(const char *s)
{
	uint64_t h = 0xcbf29ce484222325ULL;

	while (*s)
		h = (h ^ (unsigned char)*s++) * 0x100000001b3ULL;
	return h;
}

static void describe(struct buf *t, const struct outcome *o)
{
	char line[256];

	if (o->timed_out)
		snprintf(line, sizeof(line), "killed after the timeout of %d s", ecfg.timeout_ms / 1000);
	else if (o->rss_killed)
		snprintf(line, sizeof(line), "killed over the memory bound of %ld MiB", ecfg.rss_mb);
	else if (o->exited)
		snprintf(line, sizeof(line), "exited %d", o->code);
	else
		snprintf(line, sizeof(line), "killed by SIG%s", sigabbrev_np(o->sig));
	buf_adds(t, "outcome: ");
	buf_adds(t, line);
	snprintf(line, sizeof(line), " after %.2f s, max RSS %ld KiB%s%s\n", o->seconds,
		 o->maxrss_kb, o->orphans ? ", left processes running" : "",
		 o->escaped ? ", made the probe outside the root" : "");
	buf_adds(t, line);
}

/* Whether this run has seen h already (it remembers 4096). */
static int seen_before(uint64_t h)
{
	static uint64_t seen[4096];
	static size_t n;

	for (size_t i = 0; i < n; i++)
		if (seen[i] == h)
			return 1;
	if (n < 4096)
		seen[n++] = h;
	return 0;
}

/* Save a finding, or count it again; keep the smallest input. */
static void save_finding(const struct reader *r, const struct variant *v, const char *prog,
			 const char *cls, const char *sig, const struct buf *a,
			 const struct buf *b, const struct outcome *o)
{
	char dir[PATH_MAX], path[PATH_MAX + 16], line[PATH_MAX * 3];
	struct buf t = { 0 }, old = { 0 };
	struct stat st;
	int again;

	snprintf(dir, sizeof(dir), "%s/%s-%s-%08llx", findings_dir, r->name, cls,
		 (unsigned long long)(hash(sig) & 0xffffffff));
	again = stat(dir, &st) == 0;
	if (!seen_before(hash(dir)))
		fprintf(stderr, "ior-fuzz: %s: found %s: %s%s\n", r->name, cls, dir,
			again ? " (found before)" : "");
	if (again) {
		found_again++;
		snprintf(path, sizeof(path), "%s/in", dir);
		if (buf_load(&old, path) == 0 && old.len <= a->len) {
			buf_free(&old);
			return;
		}
		buf_free(&old);
	} else {
		found_new++;
		if (mkdir(findings_dir, 0755) < 0 && errno != EEXIST)
			die("%s: %s", findings_dir, strerror(errno));
		if (mkdir(dir, 0755) < 0)
			die("%s: %s", dir, strerror(errno));
	}
	snprintf(path, sizeof(path), "%s/in", dir);
	if (buf_save(a, path) < 0)
		die("%s: %s", path, strerror(errno));
	if (v->inputs == 2) {
		snprintf(path, sizeof(path), "%s/in2", dir);
		if (buf_save(b, path) < 0)
			die("%s: %s", path, strerror(errno));
	}
	put_file(dir, "reader", r->name);
	put_file(dir, "variant", v->name);
	put_file(dir, "prog", prog);
	snprintf(line, sizeof(line), "%s: %s\nsignature: %s\nvariant: %s:", r->name, cls, sig, v->name);
	buf_adds(&t, line);
	for (size_t k = 0; k < 8 && v->args[k]; k++) {
		buf_adds(&t, " ");
		buf_adds(&t, v->args[k]);
	}
	buf_adds(&t, v->init_first ? " (after ior-init on @1)\n" : v->twice ? " (twice)\n" : "\n");
	describe(&t, o);
	snprintf(line, sizeof(line), "reproduce: %s -R %s\n", self_path, dir);
	buf_adds(&t, line);
	buf_adds(&t, "--- standard error ---\n");
	buf_add(&t, o->err.p ? o->err.p : "", o->err.len);
	if (o->report.len) {
		buf_adds(&t, "--- sanitizer report ---\n");
		buf_add(&t, o->report.p, o->report.len);
	}
	if (o->tasks.len) {
		buf_adds(&t, "--- its threads at the timeout: PID/TID COMM STATE WCHAN, kernel stack ---\n");
		buf_add(&t, o->tasks.p, o->tasks.len);
	}
	put_file(dir, "report", t.p);
	buf_free(&t);
}

/* ---- the loop ---- */

struct pool {
	struct buf *m;
	enum kind *k;
	size_t n, cap;
};

#define POOL_MAX 2000
#define SHAPES_MAX 16384

/* What clean runs did, by exit status and normalised first line of
 * standard error: a run that did something new keeps its input. */
static struct shape {
	uint64_t h;
	long count;
	int code;
	char *line;
} shapes[SHAPES_MAX * 2];
static size_t nshapes;

static int new_shape(uint64_t h, int code, const char *line)
{
	h |= 1;
	for (size_t i = h % (SHAPES_MAX * 2);; i = (i + 1) % (SHAPES_MAX * 2)) {
		if (shapes[i].h == h) {
			shapes[i].count++;
			return 0;
		}
		if (!shapes[i].h) {
			if (nshapes >= SHAPES_MAX)
				return 0;
			shapes[i] = (struct shape){ h, 1, code, xstrdup(line) };
			nshapes++;
			return 1;
		}
	}
}

static int by_count(const void *a, const void *b)
{
	const struct shape *x = a, *y = b;

	return (y->count > x->count) - (y->count < x->count);
}

/* With -v: the commonest outcomes, then forget them all. */
static void shapes_done(const char *name)
{
	size_t n = 0;

	for (size_t i = 0; i < SHAPES_MAX * 2; i++)
		if (shapes[i].h)
			shapes[n++] = shapes[i];
	qsort(shapes, n, sizeof(*shapes), by_count);
	for (size_t i = 0; verbose && i < n && i < 15; i++)
		fprintf(stderr, "ior-fuzz: %s: %7ld x exit %d %s\n", name, shapes[i].count,
			shapes[i].code, shapes[i].line);
	for (size_t i = 0; i < n; i++)
		free(shapes[i].line);
	memset(shapes, 0, sizeof(shapes));
	nshapes = 0;
}

static void pool_add(struct pool *p, const struct buf *b, enum kind k)
{
	size_t at = p->n;

	if (p->n == POOL_MAX) {
		at = rnd_below(POOL_MAX);
		buf_free(&p->m[at]);
	} else {
		if (p->n == p->cap) {
			p->cap = p->cap ? 2 * p->cap : 64;
			p->m = xrealloc(p->m, p->cap * sizeof(*p->m));
			p->k = xrealloc(p->k, p->cap * sizeof(*p->k));
		}
		p->n++;
	}
	memset(&p->m[at], 0, sizeof(p->m[at]));
	buf_set(&p->m[at], b->p, b->len);
	p->k[at] = k;
}

/* A variant by weight; those that need ior-init beside the reader only
 * when it is one of ior's (not a program of another name, -x). */
static const struct variant *pick_variant(const struct reader *r, const char *prog)
{
	unsigned total = 0, x;
	const struct variant *v;
	int own = !strcmp(base(prog), r->name);

	for (v = r->v; v->name; v++)
		if (own || !v->init_first)
			total += v->weight;
	x = rnd_below(total);
	for (v = r->v;; v++) {
		if (!own && v->init_first)
			continue;
		if (x < v->weight)
			return v;
		x -= v->weight;
	}
}

/* The seed of the same scenario and another kind, for --compare. */
static const struct seed *partner(const struct corpus *c, const struct seed *s)
{
	const char *dot = strrchr(s->name, '.');
	size_t n = dot ? (size_t)(dot - s->name) : strlen(s->name);
	const struct seed *best = NULL;

	if (rnd_chance(80))
		for (size_t i = 0; i < c->n; i++)
			if (&c->s[i] != s && !strncmp(c->s[i].name, s->name, n) &&
			    c->s[i].name[n] == '.' && (!best || rnd_chance(50)))
				best = &c->s[i];
	return best ? best : &c->s[rnd_below(c->n)];
}

static int fuzz_reader(const struct reader *r, const struct corpus *c)
{
	char progbuf[PATH_MAX], sig[1024];
	const char *prog = prog_of(r, progbuf, sizeof(progbuf));
	struct pool pool = { 0 };
	struct buf a = { 0 }, b = { 0 };
	struct outcome o = { 0 };
	long runs = 0, status[6] = { 0 }, before = found_new + found_again, new0 = found_new;
	size_t mine[4096], nmine = 0;
	double t0 = now(), next_note = t0 + 60;

	if (access(prog, X_OK) < 0)
		die("%s: %s (make asan builds the readers)", prog, strerror(errno));
	for (size_t i = 0; i < c->n && nmine < 4096; i++)
		if (r->kinds & KB(c->s[i].kind))
			mine[nmine++] = i;
	if (!nmine)
		die("%s: no seeds of the kinds it reads", r->name);
	while (!stop && (max_runs < 0 || runs < max_runs) &&
	       (!first_only || found_new + found_again == before) &&
	       (max_runs >= 0 || now() - t0 < seconds)) {
		const struct variant *v = pick_variant(r, prog);
		const struct seed *s = &c->s[mine[rnd_below(nmine)]];
		const struct buf *from = &s->data;
		enum kind kind = s->kind;
		const char *cls;

		if (pool.n && rnd_chance(30)) {
			size_t i = rnd_below(pool.n);

			from = &pool.m[i];
			kind = pool.k[i];
		}
		if (rnd_chance(2))
			buf_set(&a, from->p, from->len);
		else
			mutate(&a, from, c, kind);
		if (v->inputs == 2) {
			const struct seed *p = partner(c, s);

			buf_set(&b, p->data.p, p->data.len);
			if (rnd_chance(20))
				mutate(&b, &p->data, c, p->kind);
		}
		cls = try(r, v, prog, &a, &b, &o, sig, sizeof(sig));
		runs++;
		if (cls) {
			save_finding(r, v, prog, cls, sig, &a, &b, &o);
		} else {
			const char *inputs[3] = { in1, in2, NULL };
			char line[256];
			uint64_t h = outcome_shape(&o, inputs, line, sizeof(line));

			status[reader_code >= 0 && reader_code < 5 ? reader_code : 5]++;
			if (new_shape(h, o.code, line))
				pool_add(&pool, &a, kind);
		}
		if (verbose && now() > next_note) {
			next_note += 60;
			fprintf(stderr, "ior-fuzz: %s: %ld runs, %.0f s, %ld findings\n", r->name,
				runs, now() - t0, found_new + found_again - before);
		}
	}
	double t = now() - t0;

	fprintf(stderr, "ior-fuzz: %s: %ld runs in %.0f s (%.1f/s), %ld findings (%ld new); "
		"clean runs by exit status: 0:%ld 1:%ld 3:%ld 4:%ld; %zu seeds made\n",
		r->name, runs, t, t > 0 ? runs / t : 0.0, found_new + found_again - before,
		found_new - new0, status[0], status[1], status[3], status[4], pool.n);
	shapes_done(r->name);
	for (size_t i = 0; i < pool.n; i++)
		buf_free(&pool.m[i]);
	free(pool.m);
	free(pool.k);
	buf_free(&a);
	buf_free(&b);
	outcome_free(&o);
	return found_new + found_again > before;
}

/* ---- -R and -M: a finding again ---- */

static void load_finding(const char *dir, const struct reader **r, const struct variant **v,
			 char **prog, struct buf *a, struct buf *b)
{
	char path[PATH_MAX + 16], *name = get_file(dir, "reader"), *var = get_file(dir, "variant");

	*r = find_reader(name);
	if (!*r)
		die("%s: unknown reader %s", dir, name);
	*v = find_variant(*r, var);
	if (!*v)
		die("%s: unknown variant %s", dir, var);
	free(name);
	free(var);
	*prog = prog_override ? xstrdup(prog_override) : get_file(dir, "prog");
	if (bindir && !prog_override) {
		char p[PATH_MAX];

		free(*prog);
		*prog = xstrdup(prog_of(*r, p, sizeof(p)));
	}
	snprintf(path, sizeof(path), "%s/in", dir);
	if (buf_load(a, path) < 0)
		die("%s: %s", path, strerror(errno));
	if ((*v)->inputs == 2) {
		snprintf(path, sizeof(path), "%s/in2", dir);
		if (buf_load(b, path) < 0)
			die("%s: %s", path, strerror(errno));
	}
}

static int reproduce(const char *dir)
{
	const struct reader *r;
	const struct variant *v;
	char *prog, sig[1024];
	struct buf a = { 0 }, b = { 0 }, t = { 0 };
	struct outcome o = { 0 };
	const char *cls;

	load_finding(dir, &r, &v, &prog, &a, &b);
	cls = try(r, v, prog, &a, &b, &o, sig, sizeof(sig));
	printf("%s: %s %s\n", dir, r->name, cls ? sig : "clean");
	describe(&t, &o);
	fputs(t.p, stdout);
	if (o.err.len) {
		printf("--- standard error ---\n");
		fwrite(o.err.p, 1, o.err.len, stdout);
	}
	if (o.report.len) {
		printf("--- sanitizer report ---\n");
		fwrite(o.report.p, 1, o.report.len, stdout);
	}
	if (o.tasks.len) {
		printf("--- its threads at the timeout: PID/TID COMM STATE WCHAN, kernel stack ---\n");
		fwrite(o.tasks.p, 1, o.tasks.len, stdout);
	}
	free(prog);
	buf_free(&a);
	buf_free(&b);
	buf_free(&t);
	outcome_free(&o);
	return cls ? 1 : 0;
}

/* The offset of line i of x (x->len past the last). */
static size_t line_at(const struct buf *x, size_t i)
{
	size_t off = 0;

	while (i-- > 0 && off < x->len) {
		const char *nl = memchr(x->p + off, '\n', x->len - off);

		off = nl ? (size_t)(nl - x->p) + 1 : x->len;
	}
	return off;
}

/* Whether x without [from, to) still gives the finding want; if so, x
 * loses that range. */
static int cut(const struct reader *r, const struct variant *v, const char *prog,
	       struct buf *x, const struct buf *other, int x_is_a, const char *want,
	       size_t from, size_t to)
{
	static struct buf c;
	static struct outcome o;
	char sig[1024];
	const char *cls;

	buf_set(&c, x->p, from);
	buf_add(&c, x->p + to, x->len - to);
	cls = x_is_a ? try(r, v, prog, &c, other, &o, sig, sizeof(sig))
		     : try(r, v, prog, other, &c, &o, sig, sizeof(sig));
	if (!cls || strcmp(sig, want))
		return 0;
	buf_set(x, c.p, c.len);
	return 1;
}

/* Delete runs of lines (halves first, then smaller), then single
 * fields, while the same finding comes back; at most *budget runs. */
static void shrink(const struct reader *r, const struct variant *v, const char *prog,
		   struct buf *x, const struct buf *other, int x_is_a, const char *want,
		   long *budget)
{
	size_t lines = 0;

	for (size_t i = 0; i < x->len; i++)
		lines += x->p[i] == '\n';
	for (size_t chunk = lines / 2 ? lines / 2 : 1; *budget > 0; chunk /= 2) {
		for (size_t i = 0; *budget > 0;) {
			size_t from = line_at(x, i), to = line_at(x, i + chunk);

			if (from >= x->len)
				break;
			(*budget)--;
			if (!cut(r, v, prog, x, other, x_is_a, want, from, to))
				i += chunk;
		}
		if (chunk <= 1)
			break;
	}
	/* a field is a space and what follows it up to a space or newline */
	for (size_t p = x->len; p-- > 0 && *budget > 0;) {
		size_t q = p + 1;

		if (x->p[p] != ' ')
			continue;
		while (q < x->len && x->p[q] != ' ' && x->p[q] != '\n')
			q++;
		(*budget)--;
		cut(r, v, prog, x, other, x_is_a, want, p, q);
	}
}

static int minimise(const char *dir)
{
	const struct reader *r;
	const struct variant *v;
	char *prog, want[1024], path[PATH_MAX + 16];
	struct buf a = { 0 }, b = { 0 };
	struct outcome o = { 0 };
	long budget = max_runs < 0 ? 2000 : max_runs;
	size_t before;

	load_finding(dir, &r, &v, &prog, &a, &b);
	before = a.len + b.len;
	if (!try(r, v, prog, &a, &b, &o, want, sizeof(want))) {
		printf("%s: clean: nothing to make smaller\n", dir);
		return 0;
	}
	snprintf(path, sizeof(path), "%s/in.orig", dir);
	if (access(path, F_OK) < 0 && buf_save(&a, path) < 0)
		die("%s: %s", path, strerror(errno));
	shrink(r, v, prog, &a, &b, 1, want, &budget);
	if (v->inputs == 2)
		shrink(r, v, prog, &b, &a, 0, want, &budget);
	snprintf(path, sizeof(path), "%s/in", dir);
	if (buf_save(&a, path) < 0)
		die("%s: %s", path, strerror(errno));
	if (v->inputs == 2) {
		snprintf(path, sizeof(path), "%s/in2", dir);
		if (buf_save(&b, path) < 0)
			die("%s: %s", path, strerror(errno));
	}
	printf("%s: %s: %zu bytes, from %zu\n", dir, want, a.len + b.len, before);
	free(prog);
	buf_free(&a);
	buf_free(&b);
	outcome_free(&o);
	return 1;
}

/* The top of the tree: the fuzzer is TOP/build/fuzz/ior-fuzz. */
static char *top_dir(void)
{
	char *t = xstrdup(self_path);

	for (int i = 0; i < 3; i++)
		t = dirname(t);
	return xstrdup(t);
}

static char *under(const char *top, const char *rel)
{
	char *p = xmalloc(strlen(top) + strlen(rel) + 2);

	sprintf(p, "%s/%s", top, rel);
	return p;
}

int main(int argc, char **argv)
{
	const char *again = NULL, *shrink_dir = NULL, *e;
	char *top, line[64];
	int c, found = 0, timeout = 10;
	long rss = 512;

	if (!realpath("/proc/self/exe", self_path))
		die("/proc/self/exe: %s", strerror(errno));
	top = top_dir();
	seed = (uint64_t)time(NULL);
	if ((e = getenv("FUZZ_SECONDS")) && *e)
		seconds = number("FUZZ_SECONDS", e);
	if ((e = getenv("FUZZ_SEED")) && *e)
		seed = (uint64_t)number("FUZZ_SEED", e);
	while ((c = getopt(argc, argv, "b:c:d:Fhm:n:o:s:t:vx:M:R:")) != -1) {
		switch (c) {
		case 'b': bindir = optarg; break;
		case 'c': corpus_dir = optarg; break;
		case 'd': seconds = number("-d", optarg); break;
		case 'F': first_only = 1; break;
		case 'm': rss = (long)number("-m", optarg); break;
		case 'n': max_runs = (long)number("-n", optarg); break;
		case 'o': findings_dir = optarg; break;
		case 's': seed = (uint64_t)number("-s", optarg); break;
		case 't': timeout = (int)number("-t", optarg); break;
		case 'v': verbose = 1; break;
		case 'x': prog_override = realpath(optarg, NULL); break;
		case 'M': shrink_dir = optarg; break;
		case 'R': again = optarg; break;
		case 'h': usage(0);
		default: usage(2);
		}
		if (c == 'x' && !prog_override) {
			fprintf(stderr, "ior-fuzz: %s: %s\n", optarg, strerror(errno));
			exit(2);
		}
	}
	if (timeout <= 0 || rss <= 0) {
		fprintf(stderr, "ior-fuzz: -t and -m must be positive\n");
		exit(2);
	}
	if (!again && !shrink_dir && optind == argc)
		usage(2);
	if ((again || shrink_dir) && optind != argc)
		usage(2);
	for (int i = optind; i < argc; i++)
		if (!find_reader(argv[i])) {
			fprintf(stderr, "ior-fuzz: unknown reader %s\n", argv[i]);
			usage(2);
		}
	if (!corpus_dir)
		corpus_dir = under(top, "fuzz/corpus");
	if (!findings_dir)
		findings_dir = under(top, "build/fuzz/findings");
	if (!bindir && !again && !shrink_dir)
		bindir = under(top, "build/asan/bin");

	snprintf(work, sizeof(work), "%s/ior-fuzz.XXXXXX", getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp");
	if (!mkdtemp(work))
		die("%s: %s", work, strerror(errno));
	snprintf(in1, sizeof(in1), "%s/in", work);
	snprintf(in2, sizeof(in2), "%s/in2", work);
	ecfg.work = work;
	ecfg.nobody = geteuid() == 0;
	ecfg.timeout_ms = timeout * 1000;
	ecfg.rss_mb = rss;
	ecfg.fsize_mb = 64;
	ecfg.escape_probe = "/tmp/ior-fuzz-escape";
	exec_setup(&ecfg);
	signal(SIGINT, on_signal);
	signal(SIGTERM, on_signal);
	signal(SIGHUP, on_signal);

	if (again) {
		found = reproduce(again);
	} else if (shrink_dir) {
		found = minimise(shrink_dir);
	} else {
		struct corpus corpus = { 0 };

		corpus_load(&corpus, corpus_dir);
		dict_build(&corpus);
		if (max_runs >= 0)
			snprintf(line, sizeof(line), "%ld runs", max_runs);
		else
			snprintf(line, sizeof(line), "%g s", seconds);
		fprintf(stderr, "ior-fuzz: seed %llu, %zu seeds, %s per reader, findings in %s\n",
			(unsigned long long)seed, corpus.n, line, findings_dir);
		for (int i = optind; i < argc && !stop; i++) {
			const struct reader *r = find_reader(argv[i]);

			/* each reader its own sequence: the same with or without
			 * the others on the command line */
			rnd_seed(seed ^ hash(r->name));
			found |= fuzz_reader(r, &corpus);
		}
	}
	exec_cleanup();
	rm_tree(work);
	return found ? 1 : 0;
}
