/* app — the daemon's running parts, handed to the HTTP handlers. Owned by
 * main.c; handlers borrow it. */
#ifndef GGZY_APP_H
#define GGZY_APP_H

#include <stdbool.h>

#include "wallclock.h"

struct event_base;
struct config;
struct store;
struct scheduler;
struct http_server;
struct targets;
struct alerts;
struct feeds;

struct app {
	struct event_base *base;
	struct config *cfg;
	struct store *store;
	struct scheduler *sched;
	struct http_server *http;
	struct wallclock clock; /* the time, or --now */
	/* The names of the configured sources, a text[] literal (the report's
	 * and the status page's as_of). Sources change only on restart. */
	char *sources;
	char *api_token;	 /* NULL: POST endpoints are open */
	struct targets *targets; /* NULL: no targets file */
	struct alerts *alerts;
	struct feeds *feeds; /* NULL for the report and statistics commands */
};

#endif
