/*
 * res.c - a resource's recent accesses (res.h): the earlier accesses a
 * new one follows, found among those kept, newest first, skipping those
 * another one it follows already follows (its transitive reduction, as
 * far as the kept ones tell).
 */
#include <stdlib.h>
#include <string.h>

#include "ior.h"
#include "res.h"

_Static_assert(sizeof(struct acc) == 48, "an access in 48 bytes");

static int conflict(int a, int b)
{
	return a == ACC_WRITE || b == ACC_WRITE;
}

static int overlap(const struct acc *e, uint64_t lo, uint64_t hi)
{
	return e->lo < hi && lo < e->hi;
}

/* The replay runs t after e: t followed e, or came after it in its thread. */
static int ordered(const struct acc *t, const struct acc *e)
{
	return t->start >= e->end && overlap(t, e->lo, e->hi) &&
		(t->tid == e->tid || conflict(t->kind, e->kind));
}

/*
 * t, ordered after e, stands for e: whatever must follow e overlaps t
 * and conflicts with it, so it follows t (t covers e, and t is a write
 * or e a read).
 */
static int supersedes(const struct acc *t, const struct acc *e)
{
	return t->lo <= e->lo && t->hi >= e->hi &&
		(t->kind == ACC_WRITE || e->kind == ACC_READ);
}

/* Whether one of the taken accesses (bits of taken) is ordered after e. */
static int implied(const struct res *s, uint64_t taken, const struct acc *e)
{
	for (; taken; taken &= taken - 1)
		if (ordered(&s->a[__builtin_ctzll(taken)], e))
			return 1;
	return 0;
}

/*
 * The accesses of s that share a chunk with wide, a bit each. Four at
 * a time: their chunks in the four 16-bit lanes of a word, each lane's
 * top bit set when it shares one, and the four top bits gathered into
 * four bits by one multiplication.
 */
static inline uint64_t res_near(const struct res *s, unsigned wide)
{
	const uint64_t lanes = wide * 0x0001000100010001ull;
	const uint64_t low = 0x7fff7fff7fff7fffull;
	const struct acc *a = s->a;
	uint64_t near = 0;
	int i = 0;

	for (; i + 4 <= s->n; i += 4) {
		uint64_t x = ((uint64_t)a[i].chunks |
			      (uint64_t)a[i + 1].chunks << 16 |
			      (uint64_t)a[i + 2].chunks << 32 |
			      (uint64_t)a[i + 3].chunks << 48) & lanes;
		uint64_t top = (((x & low) + low) | x) & ~low;

		/* bits 15, 31, 47 and 63 to 48, 49, 50 and 51 */
		near |= ((top >> 15) * 0x0001000200040008ull) >> 48 << i;
	}
	for (; i < s->n; i++)
		near |= (uint64_t)((a[i].chunks & wide) != 0) << i;
	return near;
}

/* Forget the accesses that the new one, me, will stand for. */
static void prune(struct res *s, const struct acc *me)
{
	int n = 0;

	for (int i = 0; i < s->n; i++) {
		if (ordered(me, &s->a[i]) && supersedes(me, &s->a[i]))
			continue;
		/* most stay where they are: only those after a gap move */
		if (n != i)
			s->a[n] = s->a[i];
		n++;
	}
	s->n = n;
}

/*
 * Full, and none can be forgotten: the oldest access that has a later
 * one of its thread is merged into it, which stands for both from then
 * on: the later's mark (waiting for it waits for both), the range that
 * covers both, a write if either was, and the span from the earlier's
 * start to the earlier's end (whatever started after the earlier one
 * ended waits, perhaps for the later one it overlapped: a wait more,
 * never one less). 0: no such pair (as many threads as accesses).
 */
static int merge_oldest(struct res *s)
{
	for (int i = 0; i < s->n; i++) {
		struct acc *e = &s->a[i];

		for (int j = i + 1; j < s->n; j++) {
			struct acc *f = &s->a[j];

			if (f->tid != e->tid)
				continue;
			if (e->lo < f->lo)
				f->lo = e->lo;
			if (e->hi > f->hi)
				f->hi = e->hi;
			if (e->kind == ACC_WRITE)
				f->kind = ACC_WRITE;
			if (e->start < f->start)
				f->start = e->start;
			if (e->end < f->end)
				f->end = e->end;
			f->chunks = res_chunks(f->lo, f->hi);
			s->n--;
			memmove(e, e + 1, (s->n - i) * sizeof(*e));
			return 1;
		}
	}
	return 0;
}

/* The room for one more access, last on *sp (not full), grown as needed. */
static inline struct acc *res_slot(struct res **sp)
{
	struct res *s = *sp;

	if (s->n == s->cap) {
		s->cap = s->cap * 2 > RES_MAX ? RES_MAX : s->cap * 2;
		s = ior_xrealloc(s, sizeof(*s) + s->cap * sizeof(s->a[0]));
		*sp = s;
	}
	return &s->a[s->n++];
}

/* Whether e, one of the accesses scanned, conflicts with me: its waits. */
static inline int follows(const struct acc *me, const struct acc *e)
{
	return e->end <= me->start && overlap(e, me->lo, me->hi) &&
		conflict(me->kind, e->kind);
}

void res_access(struct res **sp, struct user *u, int kind, uint64_t lo,
		uint64_t hi, int keep, unsigned wkind)
{
	struct res *s = *sp;
	const struct acc me = {
		.chunks = res_chunks(lo, hi),
		.mark = u->mark, .tid = u->tid, .start = u->start,
		.end = u->end, .lo = lo, .hi = hi, .kind = kind,
	};
	/* what shares a chunk with me or holds its end: see the keep */
	const unsigned wide = me.chunks |
		1u << (hi >> RES_CHUNK_SHIFT) % RES_CHUNKS;
	uint64_t taken = 0, near = 0, gone = 0;
	int n, barrier, full = s && keep && s->n == RES_MAX;

	/*
	 * Full: forget what this one will stand for, or merge two of one
	 * thread; else this access follows every one that completed before
	 * it started, so that it can stand for them.
	 */
	if (full) {
		prune(s, &me);
		if (s->n == RES_MAX)
			merge_oldest(s);
	}
	n = s ? s->n : 0;
	barrier = keep && n == RES_MAX;
	/*
	 * Only this thread's: it follows them in its own order, so it waits
	 * for none, and which it follows matters only to a barrier.
	 */
	if (n && !barrier && s->tid == u->tid)
		n = 0;
	/* a read conflicts with writes only (a barrier follows them all) */
	if (kind == ACC_READ && !barrier && s && !s->writes)
		n = 0;
	/*
	 * Newest first, each that completed before this one started and,
	 * but for a barrier, conflicts with it on an overlapping range and
	 * is not implied by one taken. Most share no chunk with it: a first
	 * pass, without a branch or a call, marks those near it, that do
	 * (a barrier, those that completed), and only those are tested in
	 * full. It marks them for the keep below too, that asks the same.
	 */
	if (!barrier && (n || (keep && !full && s && s->n)))
		near = res_near(s, wide);
	if (n) {
		const uint64_t start = u->start;
		uint64_t cand = near;

		if (barrier)
			for (int i = n - 1; i >= 0; i--)
				cand = cand << 1 | (s->a[i].end <= start);
		while (cand) {
			int i = 63 - __builtin_clzll(cand);
			const struct acc *e = &s->a[i];

			cand &= ~(1ull << i);
			if (!barrier && (!follows(&me, e) ||
					 implied(s, taken, e)))
				continue;
			taken |= 1ull << i;
			if (e->tid != u->tid)
				u->wait(u, e, wkind);
		}
	}
	if (!keep)
		return;
	if (!s) {
		s = ior_xmalloc(sizeof(*s) + 4 * sizeof(s->a[0]));
		s->n = 0;
		s->cap = 4;
		s->writes = 0;
		*sp = s;
	}
	s->settled = 0;
	/*
	 * Forget what this one stands for: at once those of its own thread;
	 * a barrier, all it followed. What it supersedes is near it (a range
	 * inside its own shares a chunk with it, or is empty at its end).
	 * Not full, the count of writes is exact: it loses those that go and
	 * gains this one's; the thread stays the one it was, if this one's
	 * (several, when only this one's are left: that is only ever a
	 * scan more, never a wait). Full, both are counted again.
	 */
	if (!full) {
		for (uint64_t b = near; b; b &= b - 1) {
			const struct acc *e = &s->a[__builtin_ctzll(b)];

			if (e->tid == u->tid && e->end <= u->start &&
			    supersedes(&me, e))
				gone |= b & -b;
		}
		/* those before the first that goes stay where they are */
		n = gone ? __builtin_ctzll(gone) : s->n;
		for (int i = n; i < s->n; i++) {
			if (gone >> i & 1) {
				s->writes -= s->a[i].kind == ACC_WRITE;
				continue;
			}
			s->a[n++] = s->a[i];
		}
		s->n = n;
		s->writes += kind == ACC_WRITE;
		s->tid = !s->n || s->tid == u->tid ? u->tid : RES_MIXED;
		*res_slot(sp) = me;
		return;
	}
	for (int i = s->n - 1; i >= 0; i--)
		gone = gone << 1 | ((barrier ? taken >> i & 1 :
				     s->a[i].tid == u->tid &&
				     s->a[i].end <= u->start) &&
				    supersedes(&me, &s->a[i]));
	n = 0;
	s->writes = kind == ACC_WRITE;
	s->tid = u->tid;
	for (int i = 0; i < s->n; i++) {
		const struct acc *e = &s->a[i];

		if (gone >> i & 1)
			continue;
		/* most stay where they are: only those after a gap move */
		if (n != i)
			s->a[n] = *e;
		n++;
		s->writes += e->kind == ACC_WRITE;
		if (e->tid != u->tid)
			s->tid = RES_MIXED;
	}
	s->n = n;
	if (s->n == RES_MAX) {		/* none could go: the oldest does */
		s->writes -= s->a[0].kind == ACC_WRITE;
		s->n--;
		memmove(s->a, s->a + 1, s->n * sizeof(s->a[0]));
	}
	*res_slot(sp) = me;
}

/*
 * res_access() of an access kept on a list of its thread's accesses
 * only (or none), not full: it waits for none of them, and stands for
 * those it supersedes, all ended before it started; the others stay.
 * The same as there, without what a list of several threads, or a full
 * one, asks.
 */
void res_keep_own(struct res **sp, const struct user *u, int kind,
		  uint64_t lo, uint64_t hi, uint16_t chunks)
{
	struct res *s = *sp;
	const uint64_t start = u->start;
	const int write = kind == ACC_WRITE;
	int n = 0, writes = write, settled = 1;
	struct acc *me;

	for (int i = 0; i < s->n; i++) {
		const struct acc *e = &s->a[i];
		int covers = lo <= e->lo && hi >= e->hi &&
			(write || e->kind == ACC_READ);

		if (covers && e->end <= start)
			continue;
		settled &= !covers;	/* one it supersedes had not ended */
		if (n != i)
			s->a[n] = *e;
		n++;
		writes += e->kind == ACC_WRITE;
	}
	s->n = n;
	s->writes = writes;
	s->settled = settled;
	s->tid = u->tid;
	me = res_slot(sp);
	me->chunks = chunks;
	me->end = u->end;
	me->lo = lo;
	me->hi = hi;
	me->start = start;
	me->mark = u->mark;
	me->tid = u->tid;
	me->kind = kind;
}

void res_clear(struct res *s)
{
	if (s)
		s->n = s->writes = 0;
}
