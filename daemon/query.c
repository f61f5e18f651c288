#include "query.h"

#include <event2/http.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "utf8.h"

void http_error_set(struct http_error *err, int status, const char *code, const char *fmt, ...)
{
	err->status = status;
	snprintf(err->code, sizeof(err->code), "%s", code);
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(err->message, sizeof(err->message), fmt, ap);
	va_end(ap);
	utf8_scrub(err->message);
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
			bool echo = strlen(kv->key) <= 64 && utf8_valid(kv->key) &&
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
		if (strlen(kv->value) > QUERY_MAX_VALUE || !utf8_valid(kv->value)) {
			http_error_set(err, 400, "bad_parameter",
				       "parameter '%s' is longer than %d bytes or not valid UTF-8",
				       kv->key, QUERY_MAX_VALUE);
			evhttp_clear_headers(q);
			return false;
		}
	}
	return true;
}
