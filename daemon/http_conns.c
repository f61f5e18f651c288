#include "http_conns.h"

#include <event2/bufferevent.h>
#include <event2/event.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <sys/socket.h>

#include "app.h"
#include "config.h"
#include "log.h"
#include "xmalloc.h"

/* Buckets of the connection table (a power of two); chains stay short up to
 * max_connections of a few thousand. */
#define CONN_BUCKETS 1024

struct http_conn {
	struct http_conns *conns;
	struct evhttp_connection *evcon;
	struct event *deadline;
	bool busy;		/* a request is being answered */
	struct http_conn *next; /* in its bucket */
};

struct http_conns {
	struct app *app;
	/* Bufferevents made for accepted sockets whose evhttp_connection is
	 * registered by on_register, right after evhttp has made it. */
	struct bufferevent **pending;
	size_t npending, cap_pending;
	struct event *register_ev;
	size_t count;
	unsigned long refused; /* connections answered 503 for the cap */
	struct http_conn *buckets[CONN_BUCKETS];
};

static size_t conn_bucket(const struct evhttp_connection *evcon)
{
	uintptr_t h = (uintptr_t)evcon;
	h ^= h >> 17;
	h *= (uintptr_t)0x9E3779B97F4A7C15ULL;
	return (size_t)(h >> 7) & (CONN_BUCKETS - 1);
}

static struct http_conn *conn_find(struct http_conns *conns, const struct evhttp_connection *evcon)
{
	for (struct http_conn *c = conns->buckets[conn_bucket(evcon)]; c; c = c->next)
		if (c->evcon == evcon)
			return c;
	return NULL;
}

static void conn_arm(struct http_conn *c)
{
	struct timeval tv = {.tv_sec = c->conns->app->cfg->request_timeout, .tv_usec = 0};
	evtimer_add(c->deadline, &tv);
}

static void on_conn_close(struct evhttp_connection *evcon, void *arg)
{
	struct http_conn *c = arg;
	struct http_conns *conns = c->conns;
	for (struct http_conn **pp = &conns->buckets[conn_bucket(evcon)]; *pp; pp = &(*pp)->next)
		if (*pp == c) {
			*pp = c->next;
			break;
		}
	event_free(c->deadline);
	free(c);
	conns->count--;
}

static void on_conn_deadline(evutil_socket_t fd, short what, void *arg)
{
	(void)fd;
	(void)what;
	struct http_conn *c = arg;
	if (c->busy)
		return;
	log_debug("http: closing a connection that sent no whole request in %lds",
		  c->conns->app->cfg->request_timeout);
	evhttp_connection_free(c->evcon); /* on_conn_close frees c */
}

static void on_request_complete(struct evhttp_request *req, void *arg)
{
	(void)req;
	struct http_conn *c = arg;
	c->busy = false;
	conn_arm(c);
}

/* Over the cap: a best-effort 503 on the raw socket (non-blocking, it fits
 * in any socket buffer), then the connection goes. */
static void conn_refuse(struct http_conns *conns, struct evhttp_connection *evcon,
			struct bufferevent *bev)
{
#define REFUSE_BODY                                                                                \
	"{\"error\":{\"code\":\"too_many_connections\",\"message\":\"too many connections;"        \
	" try again\"}}"
	static const char reply[] = "HTTP/1.1 503 Service Unavailable\r\n"
				    "Content-Type: application/json; charset=utf-8\r\n"
				    "Connection: close\r\nRetry-After: 1\r\n"
				    "Content-Length: 85\r\n\r\n" REFUSE_BODY;
	_Static_assert(sizeof(REFUSE_BODY) - 1 == 85, "Content-Length of the 503");
	evutil_socket_t fd = bufferevent_getfd(bev);
	if (fd >= 0 && send(fd, reply, sizeof(reply) - 1, MSG_DONTWAIT | MSG_NOSIGNAL) < 0)
		log_debug("http: could not send the 503 of the connection cap");
	if (conns->refused++ % 1000 == 0)
		log_warn("http: %zu connections open, the most max_connections allows; "
			 "refusing more (%lu so far)",
			 conns->count, conns->refused);
	evhttp_connection_free(evcon);
}

/* Runs right after the accept callback that made the bufferevents, before
 * the loop reads from them: evhttp has made their connections by now. */
static void on_register(evutil_socket_t fd, short what, void *arg)
{
	(void)fd;
	(void)what;
	struct http_conns *conns = arg;
	for (size_t i = 0; i < conns->npending; i++) {
		struct bufferevent *bev = conns->pending[i];
		void *cbarg = NULL;
		bufferevent_getcb(bev, NULL, NULL, NULL, &cbarg);
		struct evhttp_connection *evcon = cbarg;
		if (!evcon || evhttp_connection_get_bufferevent(evcon) != bev)
			continue; /* evhttp gave up on it (out of memory) */
		if (conns->count >= (size_t)conns->app->cfg->max_connections) {
			conn_refuse(conns, evcon, bev);
			continue;
		}
		struct http_conn *c = xcalloc(1, sizeof(*c));
		c->conns = conns;
		c->evcon = evcon;
		c->deadline = evtimer_new(conns->app->base, on_conn_deadline, c);
		size_t b = conn_bucket(evcon);
		c->next = conns->buckets[b];
		conns->buckets[b] = c;
		conns->count++;
		evhttp_connection_set_closecb(evcon, on_conn_close, c);
		conn_arm(c);
		/* Replies leave in several segments (headers, a referenced body, a
		 * tail); with Nagle's algorithm the last one waited for the
		 * client's delayed ACK, 40 ms on every keep-alive request. */
		int one = 1;
		evutil_socket_t sock = bufferevent_getfd(bev);
		if (sock >= 0)
			setsockopt(sock, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
	}
	conns->npending = 0;
}

static struct bufferevent *make_bev(struct event_base *base, void *arg)
{
	struct http_conns *conns = arg;
	struct bufferevent *bev = bufferevent_socket_new(base, -1, BEV_OPT_CLOSE_ON_FREE);
	if (!bev)
		return NULL;
	if (conns->npending == conns->cap_pending) {
		size_t n = conns->cap_pending ? conns->cap_pending * 2 : 16;
		conns->pending = xreallocarray(conns->pending, n, sizeof(*conns->pending));
		conns->cap_pending = n;
	}
	conns->pending[conns->npending++] = bev;
	event_active(conns->register_ev, EV_TIMEOUT, 1);
	return bev;
}

struct http_conns *http_conns_new(struct app *app, struct evhttp *http)
{
	struct http_conns *conns = xcalloc(1, sizeof(*conns));
	conns->app = app;
	conns->register_ev = event_new(app->base, -1, 0, on_register, conns);
	evhttp_set_bevcb(http, make_bev, conns);
	return conns;
}

void http_conns_free(struct http_conns *conns)
{
	if (!conns)
		return;
	event_free(conns->register_ev);
	free(conns->pending);
	free(conns);
}

void http_conns_request_started(struct http_conns *conns, struct evhttp_request *req)
{
	struct http_conn *c = conn_find(conns, evhttp_request_get_connection(req));
	if (!c)
		return;
	c->busy = true;
	evtimer_del(c->deadline);
	evhttp_request_set_on_complete_cb(req, on_request_complete, c);
}

size_t http_conns_count(const struct http_conns *conns) { return conns ? conns->count : 0; }
