/*
 * load.h - what the two halves of loading share: load.c reads the calls
 * and their arguments, load-async.c the AIO and io_uring records and what
 * ties them together. All of it is the master's, and only while it loads.
 */
#ifndef REPLAY_LOAD_H
#define REPLAY_LOAD_H

#include <stdint.h>
#include <time.h>

#include "ior.h"
#include "program.h"

/*
 * AIO and io_uring requests are tied to their io_submit or io_uring_enter
 * by sub=, and an io_cancel to the request it names by context and iocb
 * address: links from (a, b) to an op, found by an ior_hashmap, used
 * while loading only. Links are never freed one by one: they are made
 * in blocks, one malloc for many.
 */
#define UNSEEN (NONE - 1)	/* requests name a sub not seen yet */
struct sub_link {
	uint64_t a, b;
	uint32_t op;		/* UNSEEN: not seen yet */
	uint32_t head, tail;	/* the first and last request of its batch */
	unsigned long line;	/* where the first request named it */
};
#define LINK_BLOCK 256
struct link_block {
	struct link_block *next;
	struct sub_link link[LINK_BLOCK];
};
struct sub_links {
	struct ior_hashmap map;		/* hash of (a, b) -> its link */
	struct link_block *blocks;	/* the newest first */
	unsigned used;			/* links made of blocks->link */
};

/* The master's while it loads the program; freed before the replay. */
struct loader {
	size_t ops_cap, threads_cap, arena_cap, meta_cap;
	uint32_t *thread_of;	/* vtid -> thread index + 1 */
	size_t thread_of_cap;
	struct sub_links subs;	/* sub -> io_submit or io_uring_enter */
};
extern struct loader ld;

/* Keep n bytes of s (and a NUL) in the arena; returns their offset. */
size_t arena_add(const char *s, size_t n);

/*
 * A flags value for ior_flags(): an empty one ("flags="), as a replay
 * program may have, is 0, as an absent one is; ior_flags() refuses it.
 */
static inline const char *flags_val(const char *v)
{
	return v && *v ? v : NULL;
}

/*
 * The fields of a record ior-replay reads its own way, each checked: a
 * malformed one exits through ior_bad() naming the line and key.
 */
int32_t fd_of(const struct ior_in *in, const char *key, const char *v);
int32_t vfd_of(const struct ior_in *in, const struct ior_rec *r,
	       const char *key);
size_t path_of(const struct ior_in *in, const struct ior_rec *r,
	       const char *key);
struct timespec time_of(const struct ior_in *in, const struct ior_rec *r,
			const char *key);

/* The AIO calls' keys; op is prog.ops[prog.nops], of thread th. */
void parse_aio(const struct ior_in *in, const struct ior_rec *r,
	       struct prog_op *op, struct prog_thread *th);
/* io_uring_setup, io_uring_enter and io_uring_register: their keys. */
void parse_uring_call(const struct ior_in *in, const struct ior_rec *r,
		      struct prog_op *op);
/* A uring:* request's keys; op is prog.ops[prog.nops]. */
void parse_uring(const struct ior_in *in, const struct ior_rec *r,
		 struct prog_op *op);
/* Once every op is loaded: the ties between calls and requests. */
void link_uring(struct ior_in *in);
void find_depths(void);
void link_aio(void);

#endif
