/* feeds_store — the feed deliveries in the store (ggzy.feed_delivery,
 * sql/store/011_feeds.sql; the statements are sql/queries/feeds_*.sql).
 * Every write runs on the store's writer connection, in order, so that a
 * delivery's steps are recorded in the order they happen: planned, made,
 * each attempt counted before it is made, acknowledged. Callbacks are
 * called exactly once; a NULL error means the store answered. */
#ifndef GGZY_FEEDS_STORE_H
#define GGZY_FEEDS_STORE_H

#include <stdbool.h>
#include <stddef.h>

#include "pg.h"

struct store;

/* The periods whose runs are due (PERIODS, RUNS: epoch seconds, N of them,
 * oldest first): the latest alone for a feed with no delivery yet, else
 * every one after its latest. */
void feeds_store_plan(struct store *st, const char *feed, const char *what,
		      const char *const *periods, const long long *runs, size_t n, pg_result_cb cb,
		      void *arg);
/* The oldest delivery not yet acknowledged: period, what, made, format,
 * filename, content_type, body (bytea text), sha256, attempts; no row when
 * none. */
void feeds_store_next(struct store *st, const char *feed, pg_result_cb cb, void *arg);
/* Keeps the document of a delivery made; the result row is the document
 * to send (the one made first): format, filename, content_type, body,
 * sha256. */
void feeds_store_made(struct store *st, const char *feed, const char *period, const char *format,
		      const char *filename, const char *content_type, const char *body, size_t len,
		      pg_result_cb cb, void *arg);
/* Counts an attempt before it is made; no row when it was acknowledged. */
void feeds_store_attempt(struct store *st, const char *feed, const char *period, pg_result_cb cb,
			 void *arg);
/* An attempt's outcome. */
void feeds_store_result(struct store *st, const char *feed, const char *period, bool ok,
			const char *to, const char *response, const char *error, pg_result_cb cb,
			void *arg);
/* Per feed of FEEDS (a text[] literal): pending, last success, its period,
 * the pending error. */
void feeds_store_summary(struct store *st, const char *feeds, pg_result_cb cb, void *arg);
/* GET /api/v1/feeds: the deliveries of FEEDS (a text[] literal), on the
 * reader connection. */
void feeds_store_list(struct store *st, const char *feeds, pg_result_cb cb, void *arg);

#endif
