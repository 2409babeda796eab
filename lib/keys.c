/* keys.c - finding the arguments a tool reads in one pass (ior.h). */
#include <string.h>

#include "ior.h"

void ior_keys_init(struct ior_keys *ks, const char *const *name, int n)
{
	if (n > IOR_KEYS_MAX)
		ior_errx(IOR_EXIT_SYS, "more than %d keys", IOR_KEYS_MAX);
	memset(ks, 0, sizeof(*ks));
	ks->name = name;
	ks->n = n;
	for (int k = 0; k < n; k++) {
		unsigned char c = name[k][0];

		ks->len[k] = strlen(name[k]);
		ks->next[k] = ks->first[c];
		ks->first[c] = k + 1;
	}
}

void ior_keys_scan(const struct ior_keys *ks, const struct ior_rec *r,
		   int *at)
{
	for (int k = 0; k < ks->n; k++)
		at[k] = -1;
	for (int i = 0; i < r->nkv; i++) {
		const char *key = r->kv[i].key;
		size_t len = r->kv[i].val - key - 1;	/* key ends at its '=' */

		for (int k = ks->first[(unsigned char)key[0]]; k;
		     k = ks->next[k - 1])
			if (ks->len[k - 1] == len &&
			    !memcmp(ks->name[k - 1], key, len)) {
				at[k - 1] = i;
				break;
			}
	}
}
