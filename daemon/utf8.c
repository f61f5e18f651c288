#include "utf8.h"

/* Length of the valid UTF-8 sequence at S, 0 when there is none. */
static int utf8_seq(const unsigned char *s)
{
	unsigned c = *s, cp;
	int n;
	if (c < 0x80)
		return 1;
	if (c >= 0xC2 && c <= 0xDF) {
		n = 1;
		cp = c & 0x1F;
	} else if (c >= 0xE0 && c <= 0xEF) {
		n = 2;
		cp = c & 0x0F;
	} else if (c >= 0xF0 && c <= 0xF4) {
		n = 3;
		cp = c & 0x07;
	} else {
		return 0;
	}
	for (int i = 1; i <= n; i++) {
		if ((s[i] & 0xC0) != 0x80) /* also stops at the terminating NUL */
			return 0;
		cp = cp << 6 | (s[i] & 0x3F);
	}
	if ((n == 2 && cp < 0x800) || (n == 3 && (cp < 0x10000 || cp > 0x10FFFF)) ||
	    (cp >= 0xD800 && cp <= 0xDFFF))
		return 0;
	return n + 1;
}

void utf8_scrub(char *str)
{
	unsigned char *s = (unsigned char *)str;
	while (*s) {
		int n = utf8_seq(s);
		if (n == 0)
			*s++ = '?';
		else
			s += n;
	}
}

bool utf8_valid(const char *str)
{
	for (const unsigned char *s = (const unsigned char *)str; *s;) {
		int n = utf8_seq(s);
		if (n == 0)
			return false;
		s += n;
	}
	return true;
}
