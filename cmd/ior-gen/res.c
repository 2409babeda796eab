/*
 * res.c - a resource's recent accesses (res.h): the earlier accesses a
 * new one follows, found among those kept, newest first, skipping those
 * another one it follows already follows (its transitive reduction, as
 * far as the kept ones tell).
 */
#include <stdlib.h>
#include <string.h>
#ifdef __SSE2__
#include <emmintrin.h>
#endif

#include "ior.h"
#include "res.h"

_Static_assert(sizeof(struct acc) == 48, "an access in 48 bytes");
_Static_assert(sizeof(struct res) % 16 == 0, "the chunks aligned");

/* The bytes of a list of cap accesses. */
static inline size_t res_size(unsigned cap)
{
	return sizeof(struct res) + res_chunk_room(cap) * sizeof(uint16_t) +
		cap * sizeof(struct acc);
}

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
static int implied(const struct acc *a, uint64_t taken, const struct acc *e)
{
	for (; taken; taken &= taken - 1)
		if (ordered(&a[__builtin_ctzll(taken)], e))
			return 1;
	return 0;
}

/*
 * The accesses of s that share a chunk with wide, a bit each: eight at
 * a time, from the chunks side by side (SSE2: a lane each, compared at
 * once), else four at a time, their chunks in the four 16-bit lanes of
 * a word, each lane's top bit set when it shares one, and the four top
 * bits gathered into four bits by one multiplication.
 */
static inline uint64_t res_near(const struct res *s, unsigned wide)
{
	const uint16_t *c = res_chunk_bits(s);
	uint64_t near = 0;
#ifdef __SSE2__
	const __m128i w = _mm_set1_epi16((short)wide);
	const __m128i zero = _mm_setzero_si128();

	for (int i = 0; i < s->n; i += 8) {
		__m128i v = _mm_load_si128((const __m128i *)(c + i));
		__m128i none = _mm_cmpeq_epi16(_mm_and_si128(v, w), zero);
		unsigned m = _mm_movemask_epi8(_mm_packs_epi16(none, none));

		near |= (uint64_t)(~m & 0xff) << i;
	}
	return near & ((1ull << s->n) - 1);	/* n is at most RES_MAX */
#else
	const uint64_t lanes = wide * 0x0001000100010001ull;
	const uint64_t low = 0x7fff7fff7fff7fffull;
	int i = 0;

	for (; i + 4 <= s->n; i += 4) {
		uint64_t x = ((uint64_t)c[i] | (uint64_t)c[i + 1] << 16 |
			      (uint64_t)c[i + 2] << 32 |
			      (uint64_t)c[i + 3] << 48) & lanes;
		uint64_t top = (((x & low) + low) | x) & ~low;

		/* bits 15, 31, 47 and 63 to 48, 49, 50 and 51 */
		near |= ((top >> 15) * 0x0001000200040008ull) >> 48 << i;
	}
	for (; i < s->n; i++)
		near |= (uint64_t)((c[i] & wide) != 0) << i;
	return near;
#endif
}

/* Access i of s moves to n (n < i), its chunks with it. */
static inline void res_move(struct res *s, int n, int i)
{
	res_accs(s)[n] = res_accs(s)[i];
	res_chunk_bits(s)[n] = res_chunk_bits(s)[i];
}

/* Access i of s goes: those after it move down one. */
static void res_remove(struct res *s, int i)
{
	s->n--;
	memmove(res_accs(s) + i, res_accs(s) + i + 1,
		(s->n - i) * sizeof(struct acc));
	memmove(res_chunk_bits(s) + i, res_chunk_bits(s) + i + 1,
		(s->n - i) * sizeof(uint16_t));
}

/* Forget the accesses that the new one, me, will stand for. */
static void prune(struct res *s, const struct acc *me)
{
	const struct acc *a = res_accs(s);
	int n = 0;

	for (int i = 0; i < s->n; i++) {
		if (ordered(me, &a[i]) && supersedes(me, &a[i]))
			continue;
		/* most stay where they are: only those after a gap move */
		if (n != i)
			res_move(s, n, i);
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
	struct acc *a = res_accs(s);

	for (int i = 0; i < s->n; i++) {
		struct acc *e = &a[i];

		for (int j = i + 1; j < s->n; j++) {
			struct acc *f = &a[j];

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
			res_chunk_bits(s)[j] = res_chunks(f->lo, f->hi);
			res_remove(s, i);
			return 1;
		}
	}
	return 0;
}

struct res *res_new(void)
{
	struct res *s = ior_xmalloc(res_size(4));

	s->n = 0;
	s->cap = 4;
	s->writes = 0;
	memset(res_chunk_bits(s), 0, res_chunk_room(4) * sizeof(uint16_t));
	return s;
}

/*
 * The room for one more access, last on *sp (not full), grown as
 * needed: its index. The chunks' room grows too: the accesses move up.
 */
static inline int res_slot(struct res **sp)
{
	struct res *s = *sp;

	if (s->n == s->cap) {
		unsigned old = s->cap;
		size_t room = res_chunk_room(old);

		s->cap = s->cap * 2 > RES_MAX ? RES_MAX : s->cap * 2;
		s = ior_xrealloc(s, res_size(s->cap));
		if (res_chunk_room(s->cap) != room) {
			memmove(res_accs(s), res_chunk_bits(s) + room,
				s->n * sizeof(struct acc));
			memset(res_chunk_bits(s) + room, 0,
			       (res_chunk_room(s->cap) - room) * sizeof(uint16_t));
		}
		*sp = s;
	}
	return s->n++;
}

/* me, with its chunks, as access i of s. */
static inline void res_set(struct res *s, int i, const struct acc *me,
			   uint16_t chunks)
{
	res_accs(s)[i] = *me;
	res_chunk_bits(s)[i] = chunks;
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
		.mark = u->mark, .tid = u->tid, .start = u->start,
		.end = u->end, .lo = lo, .hi = hi, .kind = kind,
	};
	const uint16_t chunks = res_chunks(lo, hi);
	/* what shares a chunk with me or holds its end: see the keep */
	const unsigned wide = chunks |
		1u << (hi >> RES_CHUNK_SHIFT) % RES_CHUNKS;
	uint64_t taken = 0, near = 0, gone = 0;
	int n, barrier, full = s && keep && s->n == RES_MAX;
	struct acc *a;

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
	 * pass over the chunks alone marks those near it, that do (a
	 * barrier, those that completed), and only those are tested in
	 * full. It marks them for the keep below too, that asks the same.
	 */
	if (!barrier && (n || (keep && !full && s && s->n)))
		near = res_near(s, wide);
	if (n) {
		const uint64_t start = u->start;
		uint64_t cand = near;

		a = res_accs(s);
		if (barrier)
			for (int i = n - 1; i >= 0; i--)
				cand = cand << 1 | (a[i].end <= start);
		while (cand) {
			int i = 63 - __builtin_clzll(cand);
			const struct acc *e = &a[i];

			cand &= ~(1ull << i);
			if (!barrier && (!follows(&me, e) ||
					 implied(a, taken, e)))
				continue;
			taken |= 1ull << i;
			if (e->tid != u->tid)
				u->wait(u, e, wkind);
		}
	}
	if (!keep)
		return;
	if (!s)
		s = *sp = res_new();
	s->settled = 0;
	a = res_accs(s);
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
			const struct acc *e = &a[__builtin_ctzll(b)];

			if (e->tid == u->tid && e->end <= u->start &&
			    supersedes(&me, e))
				gone |= b & -b;
		}
		/* those before the first that goes stay where they are */
		n = gone ? __builtin_ctzll(gone) : s->n;
		for (int i = n; i < s->n; i++) {
			if (gone >> i & 1) {
				s->writes -= a[i].kind == ACC_WRITE;
				continue;
			}
			res_move(s, n++, i);
		}
		s->n = n;
		s->writes += kind == ACC_WRITE;
		s->tid = !s->n || s->tid == u->tid ? u->tid : RES_MIXED;
		n = res_slot(sp);
		res_set(*sp, n, &me, chunks);
		return;
	}
	for (int i = s->n - 1; i >= 0; i--)
		gone = gone << 1 | ((barrier ? taken >> i & 1 :
				     a[i].tid == u->tid &&
				     a[i].end <= u->start) &&
				    supersedes(&me, &a[i]));
	n = 0;
	s->writes = kind == ACC_WRITE;
	s->tid = u->tid;
	for (int i = 0; i < s->n; i++) {
		const struct acc *e = &a[i];

		if (gone >> i & 1)
			continue;
		/* most stay where they are: only those after a gap move */
		if (n != i)
			res_move(s, n, i);
		n++;
		s->writes += e->kind == ACC_WRITE;
		if (e->tid != u->tid)
			s->tid = RES_MIXED;
	}
	s->n = n;
	if (s->n == RES_MAX) {		/* none could go: the oldest does */
		s->writes -= a[0].kind == ACC_WRITE;
		res_remove(s, 0);
	}
	n = res_slot(sp);
	res_set(*sp, n, &me, chunks);
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
	const struct acc *a = res_accs(s);
	const uint64_t start = u->start;
	const int write = kind == ACC_WRITE;
	int n = 0, writes = write, settled = 1;
	struct acc *me;

	for (int i = 0; i < s->n; i++) {
		const struct acc *e = &a[i];
		int covers = lo <= e->lo && hi >= e->hi &&
			(write || e->kind == ACC_READ);

		if (covers && e->end <= start)
			continue;
		settled &= !covers;	/* one it supersedes had not ended */
		if (n != i)
			res_move(s, n, i);
		n++;
		writes += e->kind == ACC_WRITE;
	}
	s->n = n;
	s->writes = writes;
	s->settled = settled;
	s->tid = u->tid;
	n = res_slot(sp);
	s = *sp;
	res_chunk_bits(s)[n] = chunks;
	me = &res_accs(s)[n];
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
