/* pg_array — builds the text of a PostgreSQL text[] literal, so that a list
 * travels to the server as one bound parameter ("{\"a\",NULL}"), never as
 * SQL text. */
#ifndef GGZY_PG_ARRAY_H
#define GGZY_PG_ARRAY_H

#include <stdbool.h>

struct evbuffer;

struct pg_array {
	struct evbuffer *buf;
	bool first;
};

void pg_array_begin(struct pg_array *a);
/* Appends ITEM, quoted; NULL appends a SQL NULL. */
void pg_array_add(struct pg_array *a, const char *item);
/* The literal (caller frees); the builder is spent. */
char *pg_array_end(struct pg_array *a);

#endif
