#include "webhook.h"

#include <event2/buffer.h>
#include <event2/bufferevent.h>
#include <event2/bufferevent_ssl.h>
#include <event2/dns.h>
#include <event2/event.h>
#include <event2/http.h>
#include <event2/keyvalq_struct.h>
#include <openssl/err.h>
#include <openssl/ssl.h>
#include <openssl/x509v3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "xmalloc.h"

struct webhook {
	struct event_base *base;
	struct evdns_base *dns;
	struct evhttp_connection *conn;
	struct evhttp_request *req; /* in flight */
	SSL_CTX *tls;		    /* NULL: plain http */
	char *host, *path_query;
	int port;
	int timeout;
	bool busy;
	webhook_cb cb;
	void *arg;
	struct event *deliver;	/* reports the outcome from a fresh loop turn */
	struct event *deadline; /* the whole exchange */
	bool ok;
	int status;
	char detail[256];
};

/* A TLS context that checks the server: its chain against CA_FILE or the
 * system's store, its name per connection (SSL_set1_host). */
static SSL_CTX *tls_context(const char *ca_file, char *error, size_t errlen)
{
	SSL_CTX *ctx = SSL_CTX_new(TLS_client_method());
	if (!ctx) {
		snprintf(error, errlen, "cannot make a TLS context");
		return NULL;
	}
	SSL_CTX_set_min_proto_version(ctx, TLS1_2_VERSION);
	SSL_CTX_set_verify(ctx, SSL_VERIFY_PEER, NULL);
	int ok = ca_file ? SSL_CTX_load_verify_locations(ctx, ca_file, NULL)
			 : SSL_CTX_set_default_verify_paths(ctx);
	if (ok != 1) {
		snprintf(error, errlen, "cannot read the CA certificates %s",
			 ca_file ? ca_file : "of the system");
		SSL_CTX_free(ctx);
		return NULL;
	}
	return ctx;
}

struct webhook *webhook_new_opt(struct event_base *base, const char *url,
				const struct webhook_options *opts, char *error, size_t errlen)
{
	struct evhttp_uri *uri = evhttp_uri_parse(url);
	const char *scheme = uri ? evhttp_uri_get_scheme(uri) : NULL;
	const char *host = uri ? evhttp_uri_get_host(uri) : NULL;
	bool https = scheme && strcmp(scheme, "https") == 0;
	if (!uri || !scheme || (!https && strcmp(scheme, "http") != 0) || !host || !*host) {
		snprintf(error, errlen, "'%s' is not an http:// or https:// URL", url);
		if (uri)
			evhttp_uri_free(uri);
		return NULL;
	}
	SSL_CTX *tls = NULL;
	if (https && !(tls = tls_context(opts->ca_file, error, errlen))) {
		evhttp_uri_free(uri);
		return NULL;
	}
	struct webhook *w = xcalloc(1, sizeof(*w));
	w->base = base;
	w->tls = tls;
	w->timeout = opts->timeout_seconds > 0 ? opts->timeout_seconds : 30;
	w->host = xstrdup(host);
	w->port = evhttp_uri_get_port(uri) > 0 ? evhttp_uri_get_port(uri) : https ? 443 : 80;
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

struct webhook *webhook_new(struct event_base *base, const char *url, int timeout_seconds,
			    char *error, size_t errlen)
{
	if (strncmp(url, "http://", 7) != 0) {
		snprintf(error, errlen, "webhook '%s' is not an http:// URL", url);
		return NULL;
	}
	struct webhook_options opts = {.timeout_seconds = timeout_seconds};
	return webhook_new_opt(base, url, &opts, error, errlen);
}

static void drop_connection(struct webhook *w)
{
	if (w->conn)
		evhttp_connection_free(w->conn);
	w->conn = NULL;
}

static void report_outcome(evutil_socket_t fd, short what, void *arg)
{
	(void)fd;
	(void)what;
	struct webhook *w = arg;
	w->busy = false;
	/* A TLS connection serves one request: its session state is not
	 * reused across evhttp's reconnects. */
	if (w->tls)
		drop_connection(w);
	webhook_cb cb = w->cb;
	w->cb = NULL;
	cb(w->ok, w->detail, w->arg);
}

/* Why a TLS exchange failed, when OpenSSL says. */
static void tls_detail(struct webhook *w)
{
	struct bufferevent *bev = w->conn ? evhttp_connection_get_bufferevent(w->conn) : NULL;
	unsigned long e = bev ? bufferevent_get_openssl_error(bev) : 0;
	if (!e)
		return;
	char why[160];
	ERR_error_string_n(e, why, sizeof(why));
	/* "error:0A000086:SSL routines::certificate verify failed": the reason */
	const char *reason = strrchr(why, ':');
	snprintf(w->detail, sizeof(w->detail), "TLS with %s:%d failed: %s", w->host, w->port,
		 reason ? reason + 1 : why);
}

static void on_response(struct evhttp_request *req, void *arg)
{
	struct webhook *w = arg;
	evtimer_del(w->deadline);
	w->req = NULL;
	int code = req ? evhttp_request_get_response_code(req) : 0;
	w->status = code;
	w->ok = code >= 200 && code < 300;
	if (code == 0) {
		snprintf(w->detail, sizeof(w->detail),
			 "no answer from %s:%d (refused, reset or timed out after %ds)", w->host,
			 w->port, w->timeout);
		if (w->tls)
			tls_detail(w);
	} else {
		snprintf(w->detail, sizeof(w->detail), "HTTP %d", code);
	}
	/* The connection stays (plain http): evhttp reconnects for the next
	 * request. The outcome is reported from a fresh loop turn, so that the
	 * caller may post again or free us from its callback. */
	event_active(w->deliver, EV_TIMEOUT, 0);
}

static void on_deadline(evutil_socket_t fd, short what, void *arg)
{
	(void)fd;
	(void)what;
	struct webhook *w = arg;
	if (!w->req)
		return;
	/* A receiver that keeps the connection open without answering: the
	 * request is cancelled (its callback is not called) and the
	 * connection dropped. */
	evhttp_cancel_request(w->req);
	w->req = NULL;
	drop_connection(w);
	w->ok = false;
	w->status = 0;
	snprintf(w->detail, sizeof(w->detail), "no answer from %s:%d within %ds", w->host, w->port,
		 w->timeout);
	event_active(w->deliver, EV_TIMEOUT, 0);
}

static struct evhttp_connection *connect_to(struct webhook *w)
{
	if (!w->tls)
		return evhttp_connection_base_new(w->base, w->dns, w->host,
						  (unsigned short)w->port);
	SSL *ssl = SSL_new(w->tls);
	if (!ssl)
		return NULL;
	SSL_set_tlsext_host_name(ssl, w->host);
	/* The certificate must name the URL's host (or its IP address). */
	X509_VERIFY_PARAM *param = SSL_get0_param(ssl);
	if (X509_VERIFY_PARAM_set1_ip_asc(param, w->host) != 1)
		SSL_set1_host(ssl, w->host);
	struct bufferevent *bev = bufferevent_openssl_socket_new(
	    w->base, -1, ssl, BUFFEREVENT_SSL_CONNECTING, BEV_OPT_CLOSE_ON_FREE);
	if (!bev) {
		SSL_free(ssl);
		return NULL;
	}
	bufferevent_openssl_set_allow_dirty_shutdown(bev, 1);
	return evhttp_connection_base_bufferevent_new(w->base, w->dns, bev, w->host,
						      (unsigned short)w->port);
}

static void fail_soon(struct webhook *w, const char *what)
{
	w->ok = false;
	w->status = 0;
	snprintf(w->detail, sizeof(w->detail), "%s %s:%d", what, w->host, w->port);
	event_active(w->deliver, EV_TIMEOUT, 0);
}

void webhook_post_as(struct webhook *w, const char *content_type, const char *const *headers,
		     const char *body, size_t len, webhook_cb cb, void *arg)
{
	w->busy = true;
	w->cb = cb;
	w->arg = arg;
	if (!w->deliver) {
		w->deliver = event_new(w->base, -1, 0, report_outcome, w);
		w->deadline = evtimer_new(w->base, on_deadline, w);
	}
	if (!w->conn && (w->conn = connect_to(w)) != NULL) {
		evhttp_connection_set_timeout(w->conn, w->timeout);
		evhttp_connection_set_retries(w->conn, 0);
	}
	struct evhttp_request *req = w->conn ? evhttp_request_new(on_response, w) : NULL;
	if (!req) {
		fail_soon(w, "cannot create a request to");
		return;
	}
	struct evkeyvalq *h = evhttp_request_get_output_headers(req);
	char host[300];
	snprintf(host, sizeof(host), "%s:%d", w->host, w->port);
	evhttp_add_header(h, "Host", host);
	evhttp_add_header(h, "Content-Type", content_type);
	evhttp_add_header(h, "User-Agent", "ggzy-metricsd");
	for (size_t i = 0; headers && headers[i] && headers[i + 1]; i += 2)
		evhttp_add_header(h, headers[i], headers[i + 1]);
	evbuffer_add(evhttp_request_get_output_buffer(req), body, len);
	if (evhttp_make_request(w->conn, req, EVHTTP_REQ_POST, w->path_query) != 0) {
		/* evhttp frees req on failure */
		fail_soon(w, "cannot send to");
		return;
	}
	w->req = req;
	struct timeval tv = {.tv_sec = w->timeout, .tv_usec = 0};
	evtimer_add(w->deadline, &tv);
}

void webhook_post(struct webhook *w, const char *body, size_t len, webhook_cb cb, void *arg)
{
	webhook_post_as(w, "application/json", NULL, body, len, cb, arg);
}

bool webhook_busy(const struct webhook *w) { return w->busy; }

int webhook_last_status(const struct webhook *w) { return w->status; }

void webhook_free(struct webhook *w)
{
	if (!w)
		return;
	drop_connection(w); /* frees a request in flight; its callback is not called */
	if (w->deliver)
		event_free(w->deliver);
	if (w->deadline)
		event_free(w->deadline);
	if (w->dns)
		evdns_base_free(w->dns, 0);
	if (w->tls)
		SSL_CTX_free(w->tls);
	free(w->host);
	free(w->path_query);
	free(w);
}
