#include "pg_array.h"

#include <event2/buffer.h>
#include <stdlib.h>

#include "xmalloc.h"

void pg_array_begin(struct pg_array *a)
{
	a->buf = evbuffer_new();
	a->first = true;
	evbuffer_add(a->buf, "{", 1);
}

void pg_array_add(struct pg_array *a, const char *item)
{
	if (!a->first)
		evbuffer_add(a->buf, ",", 1);
	a->first = false;
	if (!item) {
		evbuffer_add(a->buf, "NULL", 4);
		return;
	}
	evbuffer_add(a->buf, "\"", 1);
	for (const char *p = item; *p; p++) {
		if (*p == '"' || *p == '\\')
			evbuffer_add(a->buf, "\\", 1);
		evbuffer_add(a->buf, p, 1);
	}
	evbuffer_add(a->buf, "\"", 1);
}

char *pg_array_end(struct pg_array *a)
{
	evbuffer_add(a->buf, "}", 2); /* with the terminating NUL */
	size_t n = evbuffer_get_length(a->buf);
	char *text = xmalloc(n);
	evbuffer_remove(a->buf, text, n);
	evbuffer_free(a->buf);
	a->buf = NULL;
	return text;
}
