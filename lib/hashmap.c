/*
 * hashmap.c - the hash map of the tools (ior.h): 64-bit keys to pointers,
 * open addressing with linear probing and backward-shift deletion.
 */
#include <stdlib.h>

#include "ior.h"

uint64_t ior_hash(const void *p, size_t n)
{
	const unsigned char *s = p;
	uint64_t h = 0xcbf29ce484222325ull;

	while (n--)
		h = (h ^ *s++) * 0x100000001b3ull;
	return h;
}

uint64_t ior_hash_str(const char *s)
{
	uint64_t h = 0xcbf29ce484222325ull;

	for (; *s; s++)
		h = (h ^ (unsigned char)*s) * 0x100000001b3ull;
	return h;
}

/* The free slot where key goes (m has room). */
static size_t free_slot(const struct ior_hashmap *m, uint64_t key)
{
	size_t i = ior_hashmap_home(m, key);

	while (m->slot[i].val)
		i = (i + 1) & (m->cap - 1);
	return i;
}

/* Make room for one more entry: at most half full. */
static void reserve(struct ior_hashmap *m)
{
	struct ior_hashmap old = *m;

	if (2 * (m->n + 1) <= m->cap)
		return;
	m->cap = old.cap ? old.cap * 2 : 64;
	m->slot = ior_xcalloc(m->cap, sizeof(*m->slot));
	for (size_t i = 0; i < old.cap; i++)
		if (old.slot[i].val)
			m->slot[free_slot(m, old.slot[i].key)] = old.slot[i];
	free(old.slot);
}

void ior_hashmap_add(struct ior_hashmap *m, uint64_t key, void *val)
{
	size_t i;

	reserve(m);
	i = free_slot(m, key);
	m->slot[i].key = key;
	m->slot[i].val = val;
	m->n++;
}

void ior_hashmap_put(struct ior_hashmap *m, uint64_t key, void *val)
{
	size_t i;

	reserve(m);
	for (i = ior_hashmap_home(m, key); m->slot[i].val;
	     i = (i + 1) & (m->cap - 1))
		if (m->slot[i].key == key) {
			m->slot[i].val = val;
			return;
		}
	m->slot[i].key = key;
	m->slot[i].val = val;
	m->n++;
}

/* Empty slot i; entries after it move back so no probe chain breaks. */
static void del_at(struct ior_hashmap *m, size_t i)
{
	size_t mask = m->cap - 1;

	m->slot[i].val = NULL;
	m->n--;
	for (size_t j = (i + 1) & mask; m->slot[j].val; j = (j + 1) & mask) {
		size_t h = ior_hashmap_home(m, m->slot[j].key);

		/* j stays unless its home lies cyclically outside (i, j]. */
		if (i <= j ? (h > i && h <= j) : (h > i || h <= j))
			continue;
		m->slot[i] = m->slot[j];
		m->slot[j].val = NULL;
		i = j;
	}
}

int ior_hashmap_del(struct ior_hashmap *m, uint64_t key, const void *val)
{
	if (!m->cap)
		return 0;
	for (size_t i = ior_hashmap_home(m, key); m->slot[i].val;
	     i = (i + 1) & (m->cap - 1))
		if (m->slot[i].key == key && m->slot[i].val == val) {
			del_at(m, i);
			return 1;
		}
	return 0;
}

void ior_hashmap_drop_if(struct ior_hashmap *m,
			 int (*drop)(void *val, void *arg), void *arg)
{
	/*
	 * A deletion may move a later entry into slot i (or, past the end,
	 * one already kept from the start): slot i is looked at again.
	 */
	for (size_t i = 0; i < m->cap; i++)
		while (m->slot[i].val && drop(m->slot[i].val, arg))
			del_at(m, i);
}

void ior_hashmap_free(struct ior_hashmap *m)
{
	free(m->slot);
	m->slot = NULL;
	m->cap = m->n = 0;
}
