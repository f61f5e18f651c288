/* app — the daemon's running parts, handed to the HTTP handlers. Owned by
 * main.c; handlers borrow it. */
#ifndef GGZY_APP_H
#define GGZY_APP_H

#include <stdbool.h>
#include <time.h>

struct event_base;
struct config;
struct store;
struct scheduler;
struct http_server;
struct targets;
struct alerts;

struct app {
	struct event_base *base;
	struct config *cfg;
	struct store *store;
	struct scheduler *sched;
	struct http_server *http;
	bool has_now;		 /* --now given */
	time_t now;		 /* the --now instant */
	char *api_token;	 /* NULL: POST endpoints are open */
	struct targets *targets; /* NULL: no targets file */
	struct alerts *alerts;
};

/* The current time, or the --now instant. */
time_t app_now(const struct app *app);

#endif
