/* query — a request's query string as validated name/value pairs. Pure: no
 * request, no I/O, no globals, so that it is unit-tested and fuzzed
 * (tests/fuzz/fuzz_query.c) on its own. http_parse_query (http.h) is the
 * wrapper that answers the 400 itself. */
#ifndef GGZY_QUERY_H
#define GGZY_QUERY_H

#include <event2/keyvalq_struct.h>
#include <stdbool.h>
#include <stddef.h>

/* Longest value (after %-decoding) any parameter may have. */
#define QUERY_MAX_VALUE 256
/* Longest raw query string looked at; a longer one is refused whole. */
#define QUERY_MAX_LEN 4096

/* Why a request is refused: an HTTP status and the SPEC §7 error body. */
struct http_error {
	int status;
	char code[32];
	char message[256];
};

/* Fills err (status, code, printf-style message). */
void http_error_set(struct http_error *err, int status, const char *code, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

/* Parses QUERY (may be NULL: no parameters) into q, which the caller clears
 * with evhttp_clear_headers when this returns true (on false q is already
 * empty). Refuses: a malformed or over-long string, an encoded NUL (%00),
 * names not in ALLOWED (NULL terminated), a name given twice, values longer
 * than QUERY_MAX_VALUE or not valid UTF-8. */
bool query_parse(const char *query, const char *const *allowed, struct evkeyvalq *q,
		 struct http_error *err) __attribute__((warn_unused_result));

#endif
