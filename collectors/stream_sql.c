#include "stream_sql.h"

#include <stdlib.h>
#include <string.h>

#include "sql_files.h"
#include "xmalloc.h"

/* WRAPPER's text with its "({stream})" holding the stream's SELECT. */
static char *compose(const char *wrapper_path, const char *stream_text)
{
	const char *w = sql_text(wrapper_path);
	const char *paren = strstr(w, "({stream})");
	const char *at = paren ? paren + 1 : NULL;
	if (!at)
		abort(); /* a wrapper without its placeholder is a build error */
	size_t head = (size_t)(at - w), slen = strlen(stream_text), tail = strlen(at + 8);
	char *out = xmalloc(head + slen + tail + 3);
	memcpy(out, w, head);
	/* On a line of its own: the declaration may end with a comment. */
	out[head] = '\n';
	memcpy(out + head + 1, stream_text, slen);
	out[head + 1 + slen] = '\n';
	memcpy(out + head + slen + 2, at + 8, tail + 1);
	return out;
}

void stream_sql_compose(const struct stream_def *sd, struct stream_sql *q)
{
	const char *text = sql_text(sd->sql);
	q->rows = compose("collectors/stream_rows.sql", text);
	q->changed = compose("collectors/stream_changed.sql", text);
	q->keys = compose("collectors/stream_keys.sql", text);
	q->months = compose("collectors/stream_months.sql", text);
	q->month_keys = compose("collectors/stream_month_keys.sql", text);
	q->count = compose("collectors/stream_count.sql", text);
}

void stream_sql_free(struct stream_sql *q)
{
	free(q->rows);
	free(q->changed);
	free(q->keys);
	free(q->months);
	free(q->month_keys);
	free(q->count);
	memset(q, 0, sizeof(*q));
}
