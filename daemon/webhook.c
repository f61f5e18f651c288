#include "webhook.h"

#include <event2/buffer.h>
#include <event2/dns.h>
#include <event2/event.h>
#include <event2/http.h>
#include <event2/keyvalq_struct.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "xmalloc.h"

struct webhook {
	struct event_base *base;
	struct evdns_base *dns;
	struct evhttp_connection *conn;
	char *host, *path_query;
	int port;
	int timeout;
	bool busy;
	webhook_cb cb;
	void *arg;
	struct event *deliver; /* reports the outcome from a fresh loop turn */
	bool ok;
	char detail[160];
};

struct webhook *webhook_new(struct event_base *base, const char *url, int timeout_seconds,
			    char *error, size_t errlen)
{
	struct evhttp_uri *uri = evhttp_uri_parse(url);
	const char *scheme = uri ? evhttp_uri_get_scheme(uri) : NULL;
	const char *host = uri ? evhttp_uri_get_host(uri) : NULL;
	if (!uri || !scheme || strcmp(scheme, "http") != 0 || !host || !*host) {
		snprintf(error, errlen, "webhook '%s' is not an http:// URL", url);
		if (uri)
			evhttp_uri_free(uri);
		return NULL;
	}
	struct webhook *w = xcalloc(1, sizeof(*w));
	w->base = base;
	w->timeout = timeout_seconds;
	w->host = xstrdup(host);
	w->port = evhttp_uri_get_port(uri) > 0 ? evhttp_uri_get_port(uri) : 80;
	const char *path = evhttp_uri_get_path(uri), *query = evhttp_uri_get_query(uri);
	size_t n = strlen(path && *path ? path : "/") + (query ? strlen(query) + 1 : 0) + 1;
	w->path_query = xmalloc(n);
	snprintf(w->path_query, n, "%s%s%s", path && *path ? path : "/", query ? "?" : "",
		 query ? query : "");
	evhttp_uri_free(uri);
	/* Names resolve asynchronously; an IP literal needs no resolver. */
	w->dns = evdns_base_new(base, EVDNS_BASE_INITIALIZE_NAMESERVERS |
					  EVDNS_BASE_DISABLE_WHEN_INACTIVE);
	return w;
}

static void report_outcome(evutil_socket_t fd, short what, void *arg)
{
	(void)fd;
	(void)what;
	struct webhook *w = arg;
	w->busy = false;
	webhook_cb cb = w->cb;
	w->cb = NULL;
	cb(w->ok, w->detail, w->arg);
}

static void on_response(struct evhttp_request *req, void *arg)
{
	struct webhook *w = arg;
	int code = req ? evhttp_request_get_response_code(req) : 0;
	w->ok = code >= 200 && code < 300;
	if (code == 0)
		snprintf(w->detail, sizeof(w->detail),
			 "no answer from %s:%d (refused, reset or "
			 "timed out after %ds)",
			 w->host, w->port, w->timeout);
	else
		snprintf(w->detail, sizeof(w->detail), "HTTP %d", code);
	/* The connection stays: evhttp reconnects for the next request. The
	 * outcome is reported from a fresh loop turn, so that the caller may
	 * post again or free us from its callback. */
	event_active(w->deliver, EV_TIMEOUT, 0);
}

void webhook_post(struct webhook *w, const char *body, size_t len, webhook_cb cb, void *arg)
{
	w->busy = true;
	w->cb = cb;
	w->arg = arg;
	if (!w->deliver)
		w->deliver = event_new(w->base, -1, 0, report_outcome, w);
	if (!w->conn) {
		w->conn =
		    evhttp_connection_base_new(w->base, w->dns, w->host, (unsigned short)w->port);
		if (w->conn) {
			evhttp_connection_set_timeout(w->conn, w->timeout);
			evhttp_connection_set_retries(w->conn, 0);
		}
	}
	struct evhttp_request *req = w->conn ? evhttp_request_new(on_response, w) : NULL;
	if (!req) {
		w->ok = false;
		snprintf(w->detail, sizeof(w->detail), "cannot create a request to %s:%d", w->host,
			 w->port);
		event_active(w->deliver, EV_TIMEOUT, 0);
		return;
	}
	struct evkeyvalq *h = evhttp_request_get_output_headers(req);
	char host[300];
	snprintf(host, sizeof(host), "%s:%d", w->host, w->port);
	evhttp_add_header(h, "Host", host);
	evhttp_add_header(h, "Content-Type", "application/json");
	evhttp_add_header(h, "User-Agent", "ggzy-metricsd");
	evbuffer_add(evhttp_request_get_output_buffer(req), body, len);
	if (evhttp_make_request(w->conn, req, EVHTTP_REQ_POST, w->path_query) != 0) {
		/* evhttp frees req on failure */
		w->ok = false;
		snprintf(w->detail, sizeof(w->detail), "cannot send to %s:%d", w->host, w->port);
		event_active(w->deliver, EV_TIMEOUT, 0);
	}
}

bool webhook_busy(const struct webhook *w) { return w->busy; }

void webhook_free(struct webhook *w)
{
	if (!w)
		return;
	if (w->conn)
		evhttp_connection_free(w->conn);
	if (w->deliver)
		event_free(w->deliver);
	if (w->dns)
		evdns_base_free(w->dns, 0);
	free(w->host);
	free(w->path_query);
	free(w);
}
