#include "query.h"

#include <event2/http.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

void http_error_set(struct http_error *err, int status, const char *code, const char *fmt,
		    ...)
{
	err->status = status;
	snprintf(err->code, sizeof(err->code), "%s", code);
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(err->message, sizeof(err->message), fmt, ap);
	va_end(ap);
	query_scrub_utf8(err->message);
}

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

void query_scrub_utf8(char *str)
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

bool query_valid_utf8(const char *str)
{
	for (const unsigned char *s = (const unsigned char *)str; *s;) {
		int n = utf8_seq(s);
		if (n == 0)
			return false;
		s += n;
	}
	return true;
}

/* An encoded NUL would end the decoded value early and hide what follows. */
static bool has_encoded_nul(const char *query)
{
	for (const char *p = strchr(query, '%'); p; p = strchr(p + 1, '%'))
		if (p[1] == '0' && p[2] == '0')
			return true;
	return false;
}

bool query_parse(const char *query, const char *const *allowed, struct evkeyvalq *q,
		 struct http_error *err)
{
	q->tqh_first = NULL;
	q->tqh_last = &q->tqh_first;
	if (!query || !*query)
		return true;
	if (strlen(query) > QUERY_MAX_LEN) {
		http_error_set(err, 400, "bad_query", "query string longer than %d bytes",
			       QUERY_MAX_LEN);
		return false;
	}
	if (has_encoded_nul(query)) {
		http_error_set(err, 400, "bad_query", "the query string holds a NUL byte (%%00)");
		return false;
	}
	if (evhttp_parse_query_str(query, q) != 0) {
		evhttp_clear_headers(q);
		http_error_set(err, 400, "bad_query", "malformed query string");
		return false;
	}
	for (struct evkeyval *kv = q->tqh_first; kv; kv = kv->next.tqe_next) {
		bool known = false;
		for (const char *const *a = allowed; *a; a++)
			known |= strcmp(*a, kv->key) == 0;
		if (!known) {
			/* Echo a name only when it is short, printable-safe UTF-8. */
			bool echo = strlen(kv->key) <= 64 && query_valid_utf8(kv->key) &&
				    !strpbrk(kv->key, "\r\n\t");
			http_error_set(err, 400, "unknown_parameter", "unknown parameter '%s'",
				       echo ? kv->key : "?");
			evhttp_clear_headers(q);
			return false;
		}
		for (struct evkeyval *o = kv->next.tqe_next; o; o = o->next.tqe_next)
			if (strcmp(o->key, kv->key) == 0) {
				http_error_set(err, 400, "bad_parameter",
					       "parameter '%s' given more than once", kv->key);
				evhttp_clear_headers(q);
				return false;
			}
		if (strlen(kv->value) > QUERY_MAX_VALUE || !query_valid_utf8(kv->value)) {
			http_error_set(err, 400, "bad_parameter",
				       "parameter '%s' is longer than %d bytes or not valid UTF-8",
				       kv->key, QUERY_MAX_VALUE);
			evhttp_clear_headers(q);
			return false;
		}
	}
	return true;
}
