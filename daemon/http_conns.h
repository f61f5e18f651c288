/* http_conns — the HTTP server's connections, counted and bounded.
 * libevent 2.1 has no connection cap (evhttp_set_max_connections is 2.2) and
 * its timeout is per read, so a client sending a header byte a second would
 * hold a connection for ever. This module sees every accepted connection
 * (evhttp_set_bevcb, then the connection's close callback) and:
 *  - answers one beyond [daemon] max_connections with a 503
 *    too_many_connections and closes it;
 *  - gives each a deadline of [daemon] request_timeout for sending a whole
 *    request, armed when it opens and after each reply (so it also bounds a
 *    kept-alive connection's idleness), disarmed while a request is being
 *    answered; a connection past it is closed.
 * Both limits are read from app->cfg at each use, so SIGHUP changes them. */
#ifndef GGZY_HTTP_CONNS_H
#define GGZY_HTTP_CONNS_H

#include <event2/http.h>
#include <stddef.h>

struct app;
struct http_conns;

/* Returns a new table and hooks it into HTTP; free it after evhttp_free. */
struct http_conns *http_conns_new(struct app *app, struct evhttp *http);
void http_conns_free(struct http_conns *conns);

/* REQ has reached routing: its connection's deadline stops until the
 * reply is sent. */
void http_conns_request_started(struct http_conns *conns, struct evhttp_request *req);

/* Connections open now. */
size_t http_conns_count(const struct http_conns *conns);

#endif
