/* app — the daemon's running parts, handed to the HTTP handlers. Owned by
 * main.c; handlers borrow it. */
#ifndef GGZY_APP_H
#define GGZY_APP_H

#include <stdbool.h>
#include <stddef.h>

#include "report.h"
#include "wallclock.h"

struct event_base;
struct config;
struct store;
struct scheduler;
struct http_server;
struct targets;
struct alerts;
struct metric_def;
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

/* Why metric M's figures cannot be known here (availability.h), in BUF, or
 * NULL; ARG is the app (a report_context's and the alerts' callback). */
const char *app_unavailable(const struct metric_def *m, char *buf, size_t len, void *arg);
/* Whether M's figures are known: available, and every source it is made
 * of through its first poll (before that an empty store would look like a
 * missed target). ARG is the app. */
bool app_metric_ready(const struct metric_def *m, void *arg);
/* What a report of this daemon is built from. */
struct report_context app_report_context(struct app *app);

#endif
