/*
 * fuzz.h - ior-fuzz, the fuzzer of ior's stream readers (see main.c).
 *
 *	util.c		messages, allocation, buffers, random numbers, the corpus
 *	mutate.c	the corpus's dictionary and the mutator
 *	exec.c		running one reader on one input, and the verdict
 *	main.c		options, the readers, the loop, findings
 */
#ifndef FUZZ_H
#define FUZZ_H

#include <stddef.h>
#include <stdint.h>

#define MUTANT_MAX (4 << 20)	/* the largest input made, in bytes */

/* A growable byte buffer. */
struct buf {
	char *p;
	size_t len, cap;
};
void buf_add(struct buf *b, const void *p, size_t n);
void buf_adds(struct buf *b, const char *s);
void buf_set(struct buf *b, const void *p, size_t n);
void buf_free(struct buf *b);
int buf_load(struct buf *b, const char *path);	/* -1 with errno */
int buf_save(const struct buf *b, const char *path);

void *xmalloc(size_t n);
void *xrealloc(void *p, size_t n);
char *xstrdup(const char *s);
_Noreturn void die(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* The random numbers: xoshiro256** seeded through splitmix64. */
void rnd_seed(uint64_t seed);
uint64_t rnd(void);
size_t rnd_below(size_t n);		/* 0 .. n-1; 0 when n is 0 */
int rnd_chance(unsigned percent);

/* Seeds: the files of the corpus, by kind (the name's extension). */
enum kind { K_TRACE, K_MAP, K_REPLAY, K_RESULT, K_NKINDS };
struct seed {
	char *name;		/* the file name, without directory */
	enum kind kind;
	struct buf data;
};
struct corpus {
	struct seed *s;
	size_t n, cap;
};
void corpus_load(struct corpus *c, const char *dir);
void corpus_add(struct corpus *c, const char *name, enum kind k,
		const char *p, size_t n);
const char *kind_name(enum kind k);

/* The dictionary: keys, values, calls and flag names seen in the seeds. */
void dict_build(const struct corpus *c);

/* Mutate: replace out with 1 or more mutations of seed; donors are seeds
 * whose lines may be spliced in. */
void mutate(struct buf *out, const struct buf *seed, const struct corpus *donors,
	    enum kind kind);

/* One run of a reader: what it did. */
struct outcome {
	int exited, code;	/* exit status when exited */
	int sig;		/* the signal that ended it, when not exited */
	int timed_out;		/* killed by us after the timeout */
	int rss_killed;		/* killed by us over the memory bound */
	long maxrss_kb;
	int orphans;		/* processes it left running */
	int escaped;		/* the canary path outside the root appeared */
	struct buf err;		/* its standard error (the start of it) */
	struct buf report;	/* the sanitizer's report, when it wrote one */
	struct buf tasks;	/* at a timeout: its threads, their kernel stacks */
	double seconds;
};
void outcome_free(struct outcome *o);

struct exec_cfg {
	const char *work;	/* the scratch directory */
	int nobody;		/* run as uid and gid 65534 */
	int timeout_ms;
	long rss_mb;
	long fsize_mb;		/* RLIMIT_FSIZE */
	const char *escape_probe;	/* a path that must not appear */
};
void exec_setup(const struct exec_cfg *cfg);
void exec_cleanup(void);
void exec_fresh_root(void);
const char *exec_root(void);	/* the scratch root */
const char *exec_out(void);	/* the file of the last run's standard output */
void run_prog(const char *prog, char *const argv[], struct outcome *o);

/* The verdict on an outcome: NULL when it is clean, else the class of
 * finding ("asan-heap-buffer-overflow", "hang", ...), with a signature
 * that tells one bug from another in sig (stable across runs). */
const char *judge(const struct outcome *o, const char *tool,
		  const char *const inputs[], char *sig, size_t sigsz);
/* What a clean run did, for the feedback: a hash of its exit status
 * and the first line of its standard error, that line normalised in
 * line[0..n) (digits as #, the inputs' paths as IN). */
uint64_t outcome_shape(const struct outcome *o, const char *const inputs[],
		       char *line, size_t n);

int rm_tree(const char *path);	/* rm -rf; 0 or -1 */

#endif
