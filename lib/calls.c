/* calls.c - the table of calls (calls.h) as data, and its lookup by name. */
#include <endian.h>
#include <string.h>

#include "ior.h"

#define A(type, key, reg) \
	{ #key, NULL, IOR_ARG_##type, IOR_FORM_REG, reg, 0 }
#define F(key, reg, table) \
	{ #key, ior_##table, IOR_ARG_FLAGS, IOR_FORM_REG, reg, 0 }
#define V(type, key, i) \
	{ #key, NULL, IOR_ARG_##type, IOR_FORM_VAL, 0, i }
#define O(key, reg, i) \
	{ #key, NULL, IOR_ARG_LOFF, IOR_FORM_OPT, reg, i }
#define X(key) \
	{ #key, NULL, IOR_ARG_NONE, IOR_FORM_CODE, 0, 0 }
#define K(type, key) \
	{ #key, NULL, IOR_ARG_##type, IOR_FORM_KEY, 0, 0 }
#define NARGS(...) \
	(sizeof((struct ior_arg[]){ __VA_ARGS__ }) / sizeof(struct ior_arg))

const struct ior_call ior_calls[IOR_NCALLS] = {
#define SYS(name, nr64, nr32, capture, family, follow, map, tree, replay, ret, \
	    ...) \
	[IOR_C_##name] = { #name, nr64, nr32, IOR_C_##name, 0, \
		IOR_CAPTURE_##capture, IOR_FAMILY_##family, \
		IOR_FOLLOW_##follow, IOR_MAP_##map, \
		IOR_TREE_##tree, IOR_REPLAY_##replay, IOR_RET_##ret, \
		NARGS(__VA_ARGS__), { __VA_ARGS__ } },
/* An i386 row keeps only what decodes it: the rest is its native row's. */
#define SYS32(ident, name, nr32, native, capture, ...) \
	[IOR_C_##ident] = { name, -1, nr32, IOR_C_##native, 1, \
		IOR_CAPTURE_##capture, 0, 0, 0, 0, 0, 0, \
		NARGS(__VA_ARGS__), { __VA_ARGS__ } },
#define REC(ident, name, follow, map, tree, replay, ret, ...) \
	[IOR_C_##ident] = { name, -1, -1, IOR_C_##ident, 0, \
		IOR_CAPTURE_NONE, IOR_FAMILY_NONE, IOR_FOLLOW_##follow, \
		IOR_MAP_##map, \
		IOR_TREE_##tree, IOR_REPLAY_##replay, IOR_RET_##ret, \
		NARGS(__VA_ARGS__), { __VA_ARGS__ } },
#include "calls.h"
#undef SYS
#undef SYS32
#undef REC
};

const char *const ior_family_names[IOR_FAMILIES] = {
	[IOR_FAMILY_NONE] = "none", [IOR_FAMILY_FILES] = "files",
	[IOR_FAMILY_META] = "metadata", [IOR_FAMILY_AIO] = "aio",
	[IOR_FAMILY_URING] = "uring", [IOR_FAMILY_PROC] = "process",
};

/*
 * Every stage looks up each record's CALL: an open-addressed hash of the
 * names, filled on first use (the tools are single-threaded where they
 * look up; ior-replay does before it starts threads).
 */
#define SLOTS 512	/* a power of two, at least twice IOR_NCALLS */
_Static_assert(SLOTS >= 2 * IOR_NCALLS, "the hash of calls is too small");

static int16_t slot[SLOTS];	/* row + 1; 0: empty */

static void fill(void)
{
	for (int c = 0; c < IOR_NCALLS; c++) {
		const char *name = ior_calls[c].name;
		unsigned h = ior_hash(name, strlen(name)) & (SLOTS - 1);

		while (slot[h])
			h = (h + 1) & (SLOTS - 1);
		slot[h] = c + 1;
	}
}

int ior_call_findn(const char *name, size_t len)
{
	static int filled;
	unsigned h;

	if (!filled) {
		fill();
		filled = 1;
	}
	for (h = ior_hash(name, len) & (SLOTS - 1); slot[h];
	     h = (h + 1) & (SLOTS - 1)) {
		const struct ior_call *c = &ior_calls[slot[h] - 1];
		size_t i = 0;

		/* names are short: a loop beats a call to strncmp */
		while (i < len && c->name[i] == name[i])
			i++;
		if (i == len && c->name[len] == '\0')
			return c->native;
	}
	if (len > 6 && !memcmp(name, "uring:", 6))
		return IOR_C_uring_other;
	return -1;
}

int ior_call_find(const char *name)
{
	return ior_call_findn(name, strlen(name));
}

/*
 * A stream has a few calls, each met again and again: the rows found are
 * kept by name (direct-mapped by its first three bytes), a compare of a
 * short name instead of a hash and a probe of the table of every call.
 */
#define ROWS_SEEN 64
static struct {
	char name[24];		/* "": no record's CALL is empty */
	int row;
} rows_seen[ROWS_SEEN];

int ior_call_find_seen(const char *name)
{
	const unsigned char *c = (const unsigned char *)name;
	unsigned h = c[0] * 7u + (c[1] ? c[1] * 3u + c[2] : 0);
	size_t n;
	int row;

	h %= ROWS_SEEN;
	if (!strcmp(rows_seen[h].name, name))
		return rows_seen[h].row;
	row = ior_call_find(name);
	if ((n = strlen(name)) < sizeof(rows_seen[h].name)) {
		memcpy(rows_seen[h].name, name, n + 1);
		rows_seen[h].row = row;
	}
	return row;
}

/*
 * The same kept for a record's CALL, by its bytes as two words: a name
 * of up to 16 bytes is found by comparing them, no strcmp() and no
 * strlen(); a longer one is asked of ior_call_find_seen(). The reader's
 * buffer has room past a line's end (stream.c: IN_PAD), so 16 bytes are
 * read at CALL's start whatever its length, those past it masked off.
 */
static struct {
	uint64_t w[2];		/* {0, 0}: no name is empty */
	int row;
} rows_rec[ROWS_SEEN];

static inline uint64_t low_bytes(const char *s, size_t n)	/* n < 8 */
{
	uint64_t v;

	memcpy(&v, s, sizeof(v));
	return le64toh(v) & ((1ull << (8 * n)) - 1);
}

int ior_call_find_rec(const struct ior_rec *r)
{
	size_t len = r->col[5] - r->col[4] - 1;
	uint64_t w0, w1;
	unsigned h;

	if (len > 16)
		return ior_call_find_seen(r->call);
	if (len >= 8) {
		memcpy(&w0, r->call, 8);
		w0 = le64toh(w0);
		if (len == 16) {
			memcpy(&w1, r->call + 8, 8);
			w1 = le64toh(w1);
		} else
			w1 = low_bytes(r->call + 8, len - 8);
	} else {
		w0 = low_bytes(r->call, len);
		w1 = 0;
	}
	_Static_assert(ROWS_SEEN == 1 << 6, "the hash's top 6 bits: a slot");
	h = ((w0 ^ w1 * 31) * 0x9e3779b97f4a7c15ull) >> (64 - 6);
	if (rows_rec[h].w[0] != w0 || rows_rec[h].w[1] != w1) {
		rows_rec[h].w[0] = w0;
		rows_rec[h].w[1] = w1;
		rows_rec[h].row = ior_call_findn(r->call, len);
	}
	return rows_rec[h].row;
}
