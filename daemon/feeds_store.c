#include "feeds_store.h"

#include <stdio.h>
#include <stdlib.h>

#include "pg_array.h"
#include "sql_files.h"
#include "store.h"
#include "xmalloc.h"

void feeds_store_plan(struct store *st, const char *feed, const char *what,
		      const char *const *periods, const long long *runs, size_t n, pg_result_cb cb,
		      void *arg)
{
	struct pg_array p, r;
	pg_array_begin(&p);
	pg_array_begin(&r);
	for (size_t i = 0; i < n; i++) {
		char run[32];
		snprintf(run, sizeof(run), "%lld", runs[i]);
		pg_array_add(&p, periods[i]);
		pg_array_add(&r, run);
	}
	char *pt = pg_array_end(&p), *rt = pg_array_end(&r);
	const char *params[4] = {feed, what, pt, rt};
	store_query_writer(st, sql_text("queries/feeds_plan.sql"), 4, params, cb, arg);
	free(pt);
	free(rt);
}

void feeds_store_next(struct store *st, const char *feed, pg_result_cb cb, void *arg)
{
	const char *params[1] = {feed};
	store_query_writer(st, sql_text("queries/feeds_next.sql"), 1, params, cb, arg);
}

void feeds_store_made(struct store *st, const char *feed, const char *period, const char *format,
		      const char *filename, const char *content_type, const char *body, size_t len,
		      pg_result_cb cb, void *arg)
{
	static const char hex[] = "0123456789abcdef";
	char *text = xmalloc(2 * len + 1);
	for (size_t i = 0; i < len; i++) {
		text[2 * i] = hex[(unsigned char)body[i] >> 4];
		text[2 * i + 1] = hex[(unsigned char)body[i] & 15];
	}
	text[2 * len] = '\0';
	const char *params[6] = {feed, period, format, filename, content_type, text};
	store_query_writer(st, sql_text("queries/feeds_made.sql"), 6, params, cb, arg);
	free(text);
}

void feeds_store_attempt(struct store *st, const char *feed, const char *period, pg_result_cb cb,
			 void *arg)
{
	const char *params[2] = {feed, period};
	store_query_writer(st, sql_text("queries/feeds_attempt.sql"), 2, params, cb, arg);
}

void feeds_store_result(struct store *st, const char *feed, const char *period, bool ok,
			const char *to, const char *response, const char *error, pg_result_cb cb,
			void *arg)
{
	const char *params[6] = {feed, period, ok ? "true" : "false", to, response, error};
	store_query_writer(st, sql_text("queries/feeds_result.sql"), 6, params, cb, arg);
}

void feeds_store_summary(struct store *st, const char *feeds, pg_result_cb cb, void *arg)
{
	const char *params[1] = {feeds};
	store_query_writer(st, sql_text("queries/feeds_summary.sql"), 1, params, cb, arg);
}

void feeds_store_list(struct store *st, const char *feeds, pg_result_cb cb, void *arg)
{
	const char *params[1] = {feeds};
	store_query(st, sql_text("queries/feeds_list.sql"), 1, params, cb, arg);
}
