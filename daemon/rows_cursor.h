/* rows_cursor — the `next` / `after` cursor of GET /api/v1/rows (SPEC §11):
 * the sort key (source, stream, key) of a page's last row, opaque to
 * clients (base64url, no padding, of the JSON array [source, stream, key]).
 * Pure: no request, no store, so that it is unit-tested and fuzzed. A
 * cursor only ever positions the next page, as bound parameters of
 * sql/queries/rows.sql: whatever a client makes of one cannot do more. */
#ifndef GGZY_ROWS_CURSOR_H
#define GGZY_ROWS_CURSOR_H

#include <stdbool.h>

#include "query.h"

struct rows_cursor {
	/* A cursor arrives as a query value (at most QUERY_MAX_VALUE bytes),
	 * so what it decodes to is shorter still. */
	char source[QUERY_MAX_VALUE + 1];
	long stream; /* 1 .. 32767 (ggzy.stream.id is a smallint) */
	char key[QUERY_MAX_VALUE + 1];
};

/* The cursor of SOURCE, STREAM, KEY (UTF-8 text): returns a new string the
 * caller frees. */
char *rows_cursor_encode(const char *source, long stream, const char *key)
    __attribute__((malloc, returns_nonnull));

/* TEXT into out; false when it is not a cursor rows_cursor_encode made (bad
 * base64url, not the array of a string, a stream and a string, a stream
 * out of range, a NUL in a string, too long). */
bool rows_cursor_decode(const char *text, struct rows_cursor *out)
    __attribute__((warn_unused_result));

#endif
