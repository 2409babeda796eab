/* escape.c - the reversible \xHH escaping of ior-format(5). */
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
