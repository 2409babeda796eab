/*
 * keys.c - finding the arguments a tool reads in one pass (ior.h). A
 * key of 1 to 8 bytes (most) is found by those bytes as one word, which
 * the reader made as it split the record (struct ior_kv), hashed: a key
 * of a record is one probe, most often, and one compare of two words.
 * Longer ones are bucketed by first byte and length, so a key of a
 * record is most often compared with one name.
 */
#include <endian.h>
#include <string.h>

#include "ior.h"

static inline uint64_t load64(const char *s)
{
	uint64_t v;

	memcpy(&v, s, sizeof(v));
	return v;
}

static inline uint32_t load32(const char *s)
{
	uint32_t v;

	memcpy(&v, s, sizeof(v));
	return v;
}

static inline uint16_t load16(const char *s)
{
	uint16_t v;

	memcpy(&v, s, sizeof(v));
	return v;
}

/*
 * A name of 1 to 8 bytes as the reader makes a key's word (struct
 * ior_kv): its bytes, the first in the low byte, zeros past them. Two
 * keys are the same when their words are: a key holds no NUL byte.
 */
static uint64_t name_word(const char *s, size_t len)
{
	uint64_t w = 0;

	memcpy(&w, s, len);
	return le64toh(w);
}

static inline unsigned word_home(uint64_t w)
{
	return (w * 0x9e3779b97f4a7c15ull) >> 56;
}

void ior_keys_init(struct ior_keys *ks, const char *const *name, int n)
{
	if (n > IOR_KEYS_MAX)
		ior_errx(IOR_EXIT_SYS, "more than %d keys", IOR_KEYS_MAX);
	memset(ks, 0, sizeof(*ks));
	ks->name = name;
	ks->n = n;
	for (int k = 0; k < n; k++) {
		size_t len = strlen(name[k]);
		uint8_t *b = &ks->bucket[(unsigned char)name[k][0]][len & 15];

		if (!len || len > UINT8_MAX)
			ior_errx(IOR_EXIT_SYS, "bad key \"%s\"", name[k]);
		ks->len[k] = len;
		ks->next[k] = *b;
		*b = k + 1;
		if (len <= 8) {
			uint64_t w = name_word(name[k], len);
			unsigned i = word_home(w);

			while (ks->word[i].k)	/* n < 256: there is room */
				i = (i + 1) & 255;
			ks->word[i].w = w;
			ks->word[i].k = k + 1;
		}
	}
}

/*
 * Whether the len (at least 1) bytes at a and b are equal. Keys are
 * short: two loads that may overlap, first and last, compare up to
 * twice their width, where a loop spent some six instructions a byte
 * on every argument of every record. Nothing past a[len - 1] or
 * b[len - 1] is read.
 */
static inline int same(const char *a, const char *b, size_t len)
{
	if (len >= 8) {
		for (size_t i = 0; i + 8 < len; i += 8)
			if (load64(a + i) != load64(b + i))
				return 0;
		return load64(a + len - 8) == load64(b + len - 8);
	}
	if (len >= 4)
		return load32(a) == load32(b) &&
			load32(a + len - 4) == load32(b + len - 4);
	if (len >= 2)
		return load16(a) == load16(b) &&
			load16(a + len - 2) == load16(b + len - 2);
	return a[0] == b[0];
}

/* The key of ks that argument i of r is, or -1. */
static inline __attribute__((always_inline))
int match(const struct ior_keys *ks, const struct ior_rec *r, int i)
{
	const char *key = r->kv[i].key;
	uint64_t w = r->kv[i].word;
	size_t len;

	if (w) {
		for (unsigned j = word_home(w); ks->word[j].k;
		     j = (j + 1) & 255)
			if (ks->word[j].w == w)
				return ks->word[j].k - 1;
		return -1;
	}
	len = r->kv[i].val - key - 1;	/* key ends at its '=' */
	for (int k = ks->bucket[(unsigned char)key[0]][len & 15]; k;
	     k = ks->next[k - 1])
		if (ks->len[k - 1] == len && same(ks->name[k - 1], key, len))
			return k - 1;
	return -1;
}

void ior_keys_scan(const struct ior_keys *ks, const struct ior_rec *r,
		   int *at)
{
	for (int k = 0; k < ks->n; k++)
		at[k] = -1;
	for (int i = 0; i < r->nkv; i++) {
		int k = match(ks, r, i);

		if (k >= 0)
			at[k] = i;
	}
}

void ior_keys_values(const struct ior_keys *ks, const struct ior_rec *r,
		     const char **val)
{
	memset(val, 0, ks->n * sizeof(*val));		/* NULL */
	for (int i = 0; i < r->nkv; i++) {
		int k = match(ks, r, i);

		if (k >= 0)
			val[k] = r->kv[i].val;
	}
}

void ior_keys_find(const struct ior_keys *ks, const struct ior_rec *r,
		   int *at, const char **val)
{
	memset(at, 0xff, ks->n * sizeof(*at));		/* -1 */
	memset(val, 0, ks->n * sizeof(*val));		/* NULL */
	for (int i = 0; i < r->nkv; i++) {
		int k = match(ks, r, i);

		if (k >= 0) {
			at[k] = i;
			val[k] = r->kv[i].val;
		}
	}
}

void ior_keys_mark(const struct ior_keys *ks, const struct ior_rec *r,
		   const char **val, uint8_t *kof)
{
	for (int i = 0; i < r->nkv; i++) {
		int k = match(ks, r, i);

		kof[i] = k < 0 ? IOR_KEY_NONE : k;
		if (k >= 0)
			val[k] = r->kv[i].val;
	}
}
