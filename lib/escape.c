/* escape.c - the reversible \xHH escaping of ior-format(5). */
#define _GNU_SOURCE	/* strchrnul */
#include <string.h>

#include "ior.h"

static const char hex[] = "0123456789abcdef";

size_t ior_escape(char *dst, const char *src, size_t len)
{
	char *d = dst;

	for (size_t i = 0; i < len; i++) {
		unsigned char c = src[i];

		if (ior_needs_escape(c)) {
			*d++ = '\\';
			*d++ = 'x';
			*d++ = hex[c >> 4];
			*d++ = hex[c & 15];
		} else
			*d++ = c;
	}
	*d = 0;
	return d - dst;
}

static int hexval(int c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

long ior_unescape(char *s)
{
	char *r = s, *w = s;

	while (*r) {
		if (*r != '\\') {
			*w++ = *r++;
			continue;
		}
		if (r[1] == '\\') {
			*w++ = '\\';
			r += 2;
			continue;
		}
		if (r[1] != 'x')
			return -1;
		int h = hexval(r[2]), l = h < 0 ? -1 : hexval(r[3]);

		if (h < 0 || l < 0)
			return -1;
		*w++ = (char)(h << 4 | l);
		r += 4;
	}
	*w = 0;
	return w - s;
}

long ior_decode(char *dst, size_t cap, const char *s, int *nul)
{
	size_t n = 0;

	*nul = 0;
	for (;;) {
		/* the bytes up to the next escape, in one copy */
		const char *b = strchrnul(s, '\\');
		size_t k = b - s;
		int h, l, c;

		if (n + k >= cap)
			return IOR_ESC_LONG;
		if (dst)
			memcpy(dst + n, s, k);
		n += k;
		if (!*b)
			break;
		if (b[1] == '\\') {
			c = '\\';
			s = b + 2;
		} else if (b[1] == 'x' && (h = hexval(b[2])) >= 0 &&
			   (l = hexval(b[3])) >= 0) {
			c = h << 4 | l;
			s = b + 4;
		} else {
			return IOR_ESC_BAD;
		}
		if (n + 1 >= cap)
			return IOR_ESC_LONG;
		if (dst)
			dst[n] = (char)c;
		n++;
		*nul |= c == 0;
	}
	if (dst)
		dst[n] = 0;
	return n;
}
