#include "rows_cursor.h"

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "xmalloc.h"

static const char b64[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

char *rows_cursor_encode(const char *source, long stream, const char *key)
{
	json_t *a = json_pack("[s, I, s]", source, (json_int_t)stream, key);
	char *text = a ? json_dumps(a, JSON_COMPACT) : NULL;
	json_decref(a);
	if (!text)
		return xstrdup(""); /* not UTF-8: decodes to nothing */
	size_t n = strlen(text);
	char *out = xmalloc(n / 3 * 4 + 5);
	size_t o = 0;
	for (size_t i = 0; i < n; i += 3) {
		unsigned v = (unsigned)(unsigned char)text[i] << 16;
		if (i + 1 < n)
			v |= (unsigned)(unsigned char)text[i + 1] << 8;
		if (i + 2 < n)
			v |= (unsigned char)text[i + 2];
		out[o++] = b64[(v >> 18) & 63];
		out[o++] = b64[(v >> 12) & 63];
		if (i + 1 < n)
			out[o++] = b64[(v >> 6) & 63];
		if (i + 2 < n)
			out[o++] = b64[v & 63];
	}
	out[o] = '\0';
	free(text);
	return out;
}

static int b64_value(char c)
{
	const char *p = c ? strchr(b64, c) : NULL;
	return p ? (int)(p - b64) : -1;
}

bool rows_cursor_decode(const char *text, struct rows_cursor *out)
{
	size_t n = strlen(text);
	if (n == 0 || n % 4 == 1 || n > 4 * QUERY_MAX_VALUE)
		return false;
	char *raw = xmalloc(n / 4 * 3 + 3);
	size_t o = 0;
	unsigned acc = 0;
	int bits = 0;
	for (size_t i = 0; i < n; i++) {
		int v = b64_value(text[i]);
		if (v < 0) {
			free(raw);
			return false;
		}
		acc = ((acc << 6) | (unsigned)v) & 0xffffu;
		bits += 6;
		if (bits >= 8) {
			bits -= 8;
			raw[o++] = (char)((acc >> bits) & 0xff);
		}
	}
	json_error_t jerr;
	json_t *a = json_loadb(raw, o, 0, &jerr);
	free(raw);
	const char *s, *k;
	size_t slen, klen;
	json_int_t st;
	bool ok = a && json_unpack(a, "[s%, I, s%!]", &s, &slen, &st, &k, &klen) == 0 && st >= 1 &&
		  st <= 32767 && slen == strlen(s) && klen == strlen(k) &&
		  slen < sizeof(out->source) && klen < sizeof(out->key);
	if (ok) {
		memcpy(out->source, s, slen + 1);
		out->stream = (long)st;
		memcpy(out->key, k, klen + 1);
	}
	json_decref(a);
	return ok;
}
