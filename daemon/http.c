#include "http.h"

#include <event2/buffer.h>
#include <event2/bufferevent.h>
#include <event2/event.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "app.h"
#include "config.h"
#include "log.h"

#define MAX_HEADERS_SIZE 8192
#define MAX_BODY_SIZE 65536
#define REQUEST_TIMEOUT 30
#define MAX_PARAM_LEN 256

static const struct http_route routes[] = {
    {EVHTTP_REQ_GET, "/healthz", api_healthz},
    {EVHTTP_REQ_GET, "/readyz", api_readyz},
    {EVHTTP_REQ_GET, "/metrics", api_metrics},
    {EVHTTP_REQ_GET, "/api/v1/metrics", api_catalog},
    {EVHTTP_REQ_GET, "/api/v1/series", api_series},
    {EVHTTP_REQ_GET, "/api/v1/report", api_report},
    {EVHTTP_REQ_GET, "/api/v1/alerts", api_alerts},
    {EVHTTP_REQ_POST, "/api/v1/refresh", api_refresh},
};

struct http_server {
	struct app *app;
	struct evhttp *http;
};

void http_reply_text(struct evhttp_request *req, int status, const char *content_type,
		     const char *text, size_t len)
{
	struct evbuffer *buf = evbuffer_new();
	evbuffer_add(buf, text, len);
	struct evkeyvalq *h = evhttp_request_get_output_headers(req);
	evhttp_add_header(h, "Content-Type", content_type);
	evhttp_add_header(h, "Cache-Control", "no-store");
	evhttp_send_reply(req, status, NULL, buf);
	evbuffer_free(buf);
}

void http_prom_escape(struct evbuffer *out, const char *v)
{
	for (; *v; v++) {
		if (*v == '\\' || *v == '"')
			evbuffer_add_printf(out, "\\%c", *v);
		else if (*v == '\n')
			evbuffer_add(out, "\\n", 2);
		else
			evbuffer_add(out, v, 1);
	}
}

void http_reply_json(struct evhttp_request *req, int status, json_t *body)
{
	char *text = json_dumps(body, JSON_COMPACT | JSON_PRESERVE_ORDER);
	json_decref(body);
	http_reply_text(req, status, "application/json; charset=utf-8", text, strlen(text));
	free(text);
}

void http_reply_error(struct evhttp_request *req, int status, const char *code,
		      const char *fmt, ...)
{
	char msg[512];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	http_reply_json(req, status,
			json_pack("{s:{s:s, s:s}}", "error", "code", code, "message", msg));
}

static bool valid_utf8(const unsigned char *s)
{
	while (*s) {
		int n = *s < 0x80 ? 0 : (*s & 0xE0) == 0xC0 ? 1 : (*s & 0xF0) == 0xE0 ? 2
				   : (*s & 0xF8) == 0xF0	  ? 3
								  : -1;
		if (n < 0 || (n == 1 && *s < 0xC2) || (n == 3 && *s > 0xF4))
			return false;
		s++;
		for (int i = 0; i < n; i++, s++)
			if ((*s & 0xC0) != 0x80)
				return false;
	}
	return true;
}

bool http_parse_query(struct evhttp_request *req, const char *const *allowed,
		      struct evkeyvalq *q)
{
	const char *query = evhttp_uri_get_query(evhttp_request_get_evhttp_uri(req));
	q->tqh_first = NULL;
	q->tqh_last = &q->tqh_first;
	if (!query)
		return true;
	if (evhttp_parse_query_str(query, q) != 0) {
		http_reply_error(req, 400, "bad_query", "malformed query string");
		return false;
	}
	for (struct evkeyval *kv = q->tqh_first; kv; kv = kv->next.tqe_next) {
		bool known = false;
		for (const char *const *a = allowed; *a; a++)
			known |= strcmp(*a, kv->key) == 0;
		if (!known || !valid_utf8((const unsigned char *)kv->key)) {
			http_reply_error(req, 400, "unknown_parameter",
					 "unknown parameter '%.64s'",
					 valid_utf8((const unsigned char *)kv->key) ? kv->key : "?");
			evhttp_clear_headers(q);
			return false;
		}
		for (struct evkeyval *o = kv->next.tqe_next; o; o = o->next.tqe_next)
			if (strcmp(o->key, kv->key) == 0) {
				http_reply_error(req, 400, "bad_parameter",
						 "parameter '%s' given more than once", kv->key);
				evhttp_clear_headers(q);
				return false;
			}
		if (strlen(kv->value) > MAX_PARAM_LEN ||
		    !valid_utf8((const unsigned char *)kv->value)) {
			http_reply_error(req, 400, "bad_parameter",
					 "parameter '%s' is too long or not valid UTF-8", kv->key);
			evhttp_clear_headers(q);
			return false;
		}
	}
	return true;
}

/* Replies leave in several segments (headers, a referenced body, a tail);
 * with Nagle's algorithm the last one waited for the client's delayed ACK,
 * 40 ms on every keep-alive request. */
static void no_delay(struct evhttp_request *req)
{
	struct evhttp_connection *conn = evhttp_request_get_connection(req);
	struct bufferevent *bev = conn ? evhttp_connection_get_bufferevent(conn) : NULL;
	evutil_socket_t fd = bev ? bufferevent_getfd(bev) : -1;
	int one = 1;
	if (fd >= 0)
		setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
}

static void dispatch(struct evhttp_request *req, void *arg)
{
	struct http_server *srv = arg;
	no_delay(req);
	const struct evhttp_uri *uri = evhttp_request_get_evhttp_uri(req);
	const char *path = uri ? evhttp_uri_get_path(uri) : NULL;
	if (!path) {
		http_reply_error(req, 400, "bad_request", "malformed request URI");
		return;
	}
	enum evhttp_cmd_type method = evhttp_request_get_command(req);
	bool path_known = false;
	for (size_t i = 0; i < sizeof(routes) / sizeof(routes[0]); i++) {
		if (strcmp(routes[i].path, path) != 0)
			continue;
		path_known = true;
		if (routes[i].method == method ||
		    (method == EVHTTP_REQ_HEAD && routes[i].method == EVHTTP_REQ_GET)) {
			routes[i].handler(req, srv->app);
			return;
		}
	}
	if (path_known)
		http_reply_error(req, 405, "method_not_allowed", "method not allowed on %s",
				 path);
	else
		http_reply_error(req, 404, "not_found", "no such endpoint");
}

struct http_server *http_server_new(struct app *app, char *err, size_t errlen)
{
	struct http_server *srv = calloc(1, sizeof(*srv));
	srv->app = app;
	srv->http = evhttp_new(app->base);
	evhttp_set_max_headers_size(srv->http, MAX_HEADERS_SIZE);
	evhttp_set_max_body_size(srv->http, MAX_BODY_SIZE);
	evhttp_set_timeout(srv->http, REQUEST_TIMEOUT);
	evhttp_set_allowed_methods(srv->http, EVHTTP_REQ_GET | EVHTTP_REQ_POST | EVHTTP_REQ_HEAD);
	evhttp_set_gencb(srv->http, dispatch, srv);
	if (!evhttp_bind_socket_with_handle(srv->http, app->cfg->listen_host,
					    (ev_uint16_t)app->cfg->listen_port)) {
		snprintf(err, errlen, "cannot listen on %s", app->cfg->listen);
		evhttp_free(srv->http);
		free(srv);
		return NULL;
	}
	return srv;
}

void http_server_free(struct http_server *srv)
{
	if (!srv)
		return;
	evhttp_free(srv->http);
	free(srv);
}
