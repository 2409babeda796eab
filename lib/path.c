/* path.c - lexical path joining and normalisation. */
#include <string.h>

#include "ior.h"

long ior_path_join(char *dst, size_t cap, const char *base, const char *rel)
{
	size_t n = 0;

	if (cap < 2)
		return -1;
	dst[n++] = '/';
	/* Walk base (when rel is relative) then rel, one component at a time. */
	for (int pass = 0; pass < 2; pass++) {
		const char *p = pass == 0 ? base : rel;

		if (pass == 0 && (rel[0] == '/' || !base))
			continue;
		if (pass == 1 && rel[0] == '/')
			n = 1;
		while (*p) {
			while (*p == '/')
				p++;
			const char *e = p;

			while (*e && *e != '/')
				e++;
			size_t len = e - p;

			if (len == 0)
				break;
			if (len == 1 && p[0] == '.') {
				/* nothing */
			} else if (len == 2 && p[0] == '.' && p[1] == '.') {
				while (n > 1 && dst[n - 1] != '/')
					n--;
				if (n > 1)
					n--;	/* drop the slash too */
			} else {
				if (n > 1) {
					if (n + 1 >= cap)
						return -1;
					dst[n++] = '/';
				}
				if (n + len >= cap)
					return -1;
				memcpy(dst + n, p, len);
				n += len;
			}
			p = e;
		}
	}
	dst[n] = 0;
	return n;
}
