/* http — the evhttp server: binding, limits (the connection cap and request
 * deadline are http_conns.h), the route table, shared runs of identical
 * store-backed GETs, and the reply helpers every API file uses. Every request
 * gets exactly one reply. */
#ifndef GGZY_HTTP_H
#define GGZY_HTTP_H

#include <event2/http.h>
#include <event2/keyvalq_struct.h>
#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>

struct app;
struct http_server;

typedef void (*http_handler)(struct evhttp_request *req, struct app *app);

struct http_route {
	enum evhttp_cmd_type method;
	const char *path;
	http_handler handler;
};

/* Binds cfg->listen; returns NULL and fills err when it cannot. */
struct http_server *http_server_new(struct app *app, char *err, size_t errlen);
void http_server_free(struct http_server *srv);
/* Applies the reloadable limits of app->cfg (header and body size, request
 * timeout; max_connections and max_series_points are read per use). */
void http_server_reload(struct http_server *srv);
/* From now on nothing starts a new handler run (the shutdown: the store is
 * about to fail every query); requests waiting on a run get its answer. */
void http_server_stop(struct http_server *srv);
/* Connections open now. */
size_t http_server_connections(const struct http_server *srv);

/* Replies; body is stolen. */
void http_reply_json(struct evhttp_request *req, int status, json_t *body);
void http_reply_text(struct evhttp_request *req, int status, const char *content_type,
		     const char *text, size_t len);
/* A document (report, statistics): its body with its type and
 * Content-Disposition, or its error as the JSON error body. */
struct document;
void http_reply_document(struct evhttp_request *req, const struct document *d);
/* {"error": {"code": code, "message": ...}} */
void http_reply_error(struct evhttp_request *req, int status, const char *code, const char *fmt,
		      ...) __attribute__((format(printf, 4, 5)));

/* Parses the query string into q with query_parse (query.h): names not in
 * allowed (NULL terminated), repeated names, values that are not short valid
 * UTF-8 are refused. On failure replies 400 itself and returns false. */
bool http_parse_query(struct evhttp_request *req, const char *const *allowed, struct evkeyvalq *q)
    __attribute__((warn_unused_result));

/* The route handlers, one file per API family. */
void api_healthz(struct evhttp_request *req, struct app *app);
void api_readyz(struct evhttp_request *req, struct app *app);

void api_metrics(struct evhttp_request *req, struct app *app);
/* Frees the figures /metrics keeps between scrapes (at exit). */
void api_metrics_free(void);
/* Frees the answers the series API keeps between requests (at exit). */
void api_series_free(void);
void api_catalog(struct evhttp_request *req, struct app *app);
void api_series(struct evhttp_request *req, struct app *app);
/* GET /api/v1/rows: the source rows behind a figure (api_rows.c). */
void api_rows(struct evhttp_request *req, struct app *app);
void api_refresh(struct evhttp_request *req, struct app *app);
/* Whether REQ carries the configured bearer token (or none is configured):
 * every POST endpoint asks this (api_refresh.c). */
bool api_authorised(struct evhttp_request *req, const struct app *app);
void api_report(struct evhttp_request *req, struct app *app);
/* Publishing and what moved after (api_publish.c), and the parameters they
 * share with the report: a four-digit year, a version number from 1. */
void api_publish(struct evhttp_request *req, struct app *app);
void api_report_changes(struct evhttp_request *req, struct app *app);
bool api_parse_year(const char *text, int *year) __attribute__((warn_unused_result));
bool api_parse_version(const char *text, int *version) __attribute__((warn_unused_result));
void api_statistics(struct evhttp_request *req, struct app *app);
void api_feeds(struct evhttp_request *req, struct app *app);
/* A feed as /api/v1/feeds and /api/v1/status write it (api_feeds.c). */
struct feed_status;
json_t *api_feed_json(const struct feed_status *st);
void api_alerts(struct evhttp_request *req, struct app *app);
void api_ranking(struct evhttp_request *req, struct app *app);
/* The built-in page (api_page.c) and what it needs besides figures. */
void api_status(struct evhttp_request *req, struct app *app);
void api_page(struct evhttp_request *req, struct app *app);

#endif
