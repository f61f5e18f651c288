#include "http.h"

#include <event2/buffer.h>
#include <event2/event.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "app.h"
#include "config.h"
#include "document.h"
#include "http_conns.h"
#include "log.h"
#include "query.h"
#include "utf8.h"
#include "xmalloc.h"

static const struct http_route routes[] = {
    {EVHTTP_REQ_GET, "/healthz", api_healthz},
    {EVHTTP_REQ_GET, "/readyz", api_readyz},
    {EVHTTP_REQ_GET, "/metrics", api_metrics},
    {EVHTTP_REQ_GET, "/api/v1/metrics", api_catalog},
    {EVHTTP_REQ_GET, "/api/v1/series", api_series},
    {EVHTTP_REQ_GET, "/api/v1/rows", api_rows},
    {EVHTTP_REQ_GET, "/api/v1/report", api_report},
    {EVHTTP_REQ_POST, "/api/v1/report/publish", api_publish},
    {EVHTTP_REQ_GET, "/api/v1/report/changes", api_report_changes},
    {EVHTTP_REQ_GET, "/api/v1/statistics", api_statistics},
    {EVHTTP_REQ_GET, "/api/v1/feeds", api_feeds},
    {EVHTTP_REQ_GET, "/api/v1/alerts", api_alerts},
    {EVHTTP_REQ_GET, "/api/v1/ranking", api_ranking},
    {EVHTTP_REQ_POST, "/api/v1/refresh", api_refresh},
    {EVHTTP_REQ_GET, "/api/v1/status", api_status},
    {EVHTTP_REQ_GET, "/", api_page},
    {EVHTTP_REQ_GET, "/dashboard.js", api_page},
    {EVHTTP_REQ_GET, "/dashboard.css", api_page},
};

/* GET routes answered from the store, whose runs are shared (coalescing
 * below). Their handlers must answer through http_reply_text, which ends the
 * run. /metrics is not one: it keeps its own figures cache with waiters
 * (api_metrics.c) and replies with a referenced, possibly gzipped buffer. */
static const char *const coalescing_paths[] = {
    "/api/v1/series",	  "/api/v1/rows",    "/api/v1/report", "/api/v1/report/changes",
    "/api/v1/statistics", "/api/v1/ranking", "/api/v1/alerts"};

static bool coalescing(const char *path)
{
	for (size_t i = 0; i < sizeof(coalescing_paths) / sizeof(coalescing_paths[0]); i++)
		if (strcmp(coalescing_paths[i], path) == 0)
			return true;
	return false;
}

struct http_server {
	struct app *app;
	struct evhttp *http;
	struct evhttp_bound_socket *bound;
	struct http_conns *conns; /* the cap and the request deadline */
};

/* ---- coalescing ----
 *
 * Answers that come from the store are shared: a GET of a coalescing route
 * whose URI is being answered already waits, and when that answer is sent,
 * everything that waited is answered by ONE new run of the handler (started
 * after they all arrived, so no answer is older than its request). 200
 * clients asking for the same report cost two store runs at a time, not 200
 * queued on the store's reader connection; and requests whose clients left
 * (libevent does not read while a request is being answered, so it cannot
 * tell) do not pile up behind each other. One HTTP server per process: the
 * table is the module's. */
struct http_batch {
	struct evhttp_request **reqs;
	size_t n, cap;
};

static void batch_add(struct http_batch *b, struct evhttp_request *req)
{
	if (b->n == b->cap) {
		size_t cap = b->cap ? b->cap * 2 : 16;
		b->reqs = xreallocarray(b->reqs, cap, sizeof(*b->reqs));
		b->cap = cap;
	}
	b->reqs[b->n++] = req;
}

struct http_flight {
	char *key; /* the request URI */
	struct evhttp_request *leader;
	struct app *app;
	http_handler handler;
	struct http_batch riders;  /* answered with the leader's answer */
	struct http_batch waiting; /* arrived during this run: the next run's */
	struct http_flight *next;
};
static struct http_flight *flights;
static bool flights_stopped;

static struct http_flight *flight_of_leader(struct evhttp_request *req)
{
	for (struct http_flight *f = flights; f; f = f->next)
		if (f->leader == req)
			return f;
	return NULL;
}

static void flight_unlink(struct http_flight *f)
{
	for (struct http_flight **pp = &flights; *pp; pp = &(*pp)->next)
		if (*pp == f) {
			*pp = f->next;
			return;
		}
}

static void flight_free(struct http_flight *f)
{
	free(f->key);
	free(f->riders.reqs);
	free(f->waiting.reqs);
	free(f);
}

static void send_text(struct evhttp_request *req, int status, const struct evkeyvalq *extra,
		      const char *content_type, const char *text, size_t len)
{
	struct evbuffer *buf = evbuffer_new();
	evbuffer_add(buf, text, len);
	struct evkeyvalq *h = evhttp_request_get_output_headers(req);
	if (extra)
		for (struct evkeyval *kv = extra->tqh_first; kv; kv = kv->next.tqe_next)
			evhttp_add_header(h, kv->key, kv->value);
	evhttp_add_header(h, "Content-Type", content_type);
	evhttp_add_header(h, "Cache-Control", "no-store");
	evhttp_send_reply(req, status, NULL, buf);
	evbuffer_free(buf);
}

void http_reply_text(struct evhttp_request *req, int status, const char *content_type,
		     const char *text, size_t len)
{
	struct http_flight *f = flight_of_leader(req);
	if (!f) {
		send_text(req, status, NULL, content_type, text, len);
		return;
	}
	flight_unlink(f);
	/* The headers the handler set (Content-Disposition, ...), for the
	 * others; copied before the reply may free the request. */
	struct evkeyvalq extra = {NULL, &extra.tqh_first};
	const struct evkeyvalq *set = evhttp_request_get_output_headers(req);
	for (struct evkeyval *kv = set->tqh_first; kv; kv = kv->next.tqe_next)
		evhttp_add_header(&extra, kv->key, kv->value);
	send_text(req, status, NULL, content_type, text, len);
	for (size_t i = 0; i < f->riders.n; i++)
		send_text(f->riders.reqs[i], status, &extra, content_type, text, len);
	f->riders.n = 0;
	if (flights_stopped) {
		for (size_t i = 0; i < f->waiting.n; i++)
			send_text(f->waiting.reqs[i], status, &extra, content_type, text, len);
		f->waiting.n = 0;
	}
	evhttp_clear_headers(&extra);
	if (!f->waiting.n) {
		flight_free(f);
		return;
	}
	/* One new run for all who waited. */
	struct http_batch next = f->waiting;
	f->waiting = f->riders;
	f->riders = next;
	f->leader = f->riders.reqs[0];
	memmove(f->riders.reqs, f->riders.reqs + 1, --f->riders.n * sizeof(*f->riders.reqs));
	f->next = flights;
	flights = f;
	f->handler(f->leader, f->app);
}

/* Runs HANDLER for REQ, or makes REQ wait for the run of the same URI. */
static void coalesced(struct evhttp_request *req, struct app *app, http_handler handler)
{
	const char *key = evhttp_request_get_uri(req);
	for (struct http_flight *f = flights; f; f = f->next)
		if (strcmp(f->key, key) == 0) {
			batch_add(&f->waiting, req);
			return;
		}
	if (!flights_stopped) {
		struct http_flight *f = xcalloc(1, sizeof(*f));
		f->key = xstrdup(key);
		f->leader = req;
		f->app = app;
		f->handler = handler;
		f->next = flights;
		flights = f;
	}
	handler(req, app);
}

void http_server_stop(struct http_server *srv)
{
	(void)srv;
	flights_stopped = true;
}

void http_reply_json(struct evhttp_request *req, int status, json_t *body)
{
	char *text = json_dumps(body, JSON_COMPACT | JSON_PRESERVE_ORDER);
	json_decref(body);
	http_reply_text(req, status, "application/json; charset=utf-8", text, strlen(text));
	free(text);
}

void http_reply_document(struct evhttp_request *req, const struct document *d)
{
	if (d->status != 200) {
		http_reply_error(req, d->status, d->code, "%s", d->message);
		return;
	}
	char disposition[1024];
	if (document_disposition(d, disposition, sizeof(disposition)))
		evhttp_add_header(evhttp_request_get_output_headers(req), "Content-Disposition",
				  disposition);
	http_reply_text(req, 200, d->content_type, d->body, d->len);
}

void http_reply_error(struct evhttp_request *req, int status, const char *code, const char *fmt,
		      ...)
{
	char msg[512];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	/* jansson refuses invalid UTF-8; a truncated echo may end mid-character. */
	utf8_scrub(msg);
	http_reply_json(req, status,
			json_pack("{s:{s:s, s:s}}", "error", "code", code, "message", msg));
}

bool http_parse_query(struct evhttp_request *req, const char *const *allowed, struct evkeyvalq *q)
{
	const char *query = evhttp_uri_get_query(evhttp_request_get_evhttp_uri(req));
	struct http_error err;
	if (!query_parse(query, allowed, q, &err)) {
		http_reply_error(req, err.status, err.code, "%s", err.message);
		return false;
	}
	return true;
}

static void apply_limits(struct http_server *srv)
{
	const struct config *cfg = srv->app->cfg;
	evhttp_set_max_headers_size(srv->http, cfg->max_header_size);
	evhttp_set_max_body_size(srv->http, cfg->max_body_size);
	evhttp_set_timeout(srv->http, (int)cfg->request_timeout);
}

void http_server_reload(struct http_server *srv)
{
	if (srv)
		apply_limits(srv);
}

size_t http_server_connections(const struct http_server *srv)
{
	return srv ? http_conns_count(srv->conns) : 0;
}

static void dispatch(struct evhttp_request *req, void *arg)
{
	struct http_server *srv = arg;
	const struct evhttp_uri *uri = evhttp_request_get_evhttp_uri(req);
	const char *path = uri ? evhttp_uri_get_path(uri) : NULL;
	if (!path) {
		http_reply_error(req, 400, "bad_request", "malformed request URI");
		return;
	}
	http_conns_request_started(srv->conns, req);
	enum evhttp_cmd_type method = evhttp_request_get_command(req);
	bool path_known = false;
	for (size_t i = 0; i < sizeof(routes) / sizeof(routes[0]); i++) {
		if (strcmp(routes[i].path, path) != 0)
			continue;
		path_known = true;
		if (routes[i].method == method && method == EVHTTP_REQ_GET && coalescing(path)) {
			coalesced(req, srv->app, routes[i].handler);
			return;
		}
		if (routes[i].method == method ||
		    (method == EVHTTP_REQ_HEAD && routes[i].method == EVHTTP_REQ_GET)) {
			routes[i].handler(req, srv->app);
			return;
		}
	}
	if (path_known)
		http_reply_error(req, 405, "method_not_allowed", "method not allowed on %s", path);
	else
		http_reply_error(req, 404, "not_found", "no such endpoint");
}

struct http_server *http_server_new(struct app *app, char *err, size_t errlen)
{
	struct http_server *srv = xcalloc(1, sizeof(*srv));
	srv->app = app;
	srv->http = evhttp_new(app->base);
	srv->conns = http_conns_new(app, srv->http);
	apply_limits(srv);
	/* Every method libevent knows reaches dispatch, so that a wrong one gets
	 * the JSON 405 rather than libevent's HTML 501. */
	evhttp_set_allowed_methods(srv->http, EVHTTP_REQ_GET | EVHTTP_REQ_POST | EVHTTP_REQ_HEAD |
						  EVHTTP_REQ_PUT | EVHTTP_REQ_DELETE |
						  EVHTTP_REQ_OPTIONS | EVHTTP_REQ_TRACE |
						  EVHTTP_REQ_CONNECT | EVHTTP_REQ_PATCH);
	evhttp_set_gencb(srv->http, dispatch, srv);
	srv->bound = evhttp_bind_socket_with_handle(srv->http, app->cfg->listen_host,
						    (ev_uint16_t)app->cfg->listen_port);
	if (!srv->bound) {
		snprintf(err, errlen, "cannot listen on %s", app->cfg->listen);
		http_server_free(srv);
		return NULL;
	}
	return srv;
}

void http_server_free(struct http_server *srv)
{
	if (!srv)
		return;
	evhttp_free(srv->http); /* closes every connection: on_conn_close frees each */
	while (flights) {	/* unanswered at exit: their requests went with evhttp */
		struct http_flight *f = flights;
		flights = f->next;
		flight_free(f);
	}
	http_conns_free(srv->conns);
	free(srv);
}
