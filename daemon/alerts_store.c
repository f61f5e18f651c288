/* The alert state in the store (ggzy.alert, sql/store/002_alerts.sql): the
 * SQL is in sql/queries/alerts_*.sql; every statement runs on the store's
 * writer connection, so that it sees the evaluations this process saved. */
#include <stdio.h>
#include <stdlib.h>

#include "alerts_internal.h"
#include "log.h"
#include "sql_files.h"
#include "store.h"
#include "xmalloc.h"

struct call {
	void *arg;
	alerts_store_cb cb;
	const char *what;
};

static struct call *call_new(void *arg, alerts_store_cb cb, const char *what)
{
	struct call *c = xmalloc(sizeof(*c));
	*c = (struct call){arg, cb, what};
	return c;
}

static void on_done(PGresult *res, const char *error, void *arg)
{
	(void)res;
	struct call *c = arg;
	if (error)
		log_warn("alerts: cannot %s: %s", c->what, error);
	c->cb(!error, c->arg);
	free(c);
}

static void on_read(PGresult *res, const char *error, void *arg)
{
	struct call *c = arg;
	struct evaluation *ev = c->arg;
	if (!error) {
		int n = PQntuples(res);
		ev->stored = xcalloc((size_t)n, sizeof(*ev->stored));
		for (int i = 0; i < n; i++) {
			struct stored *s = &ev->stored[ev->nstored];
			if (!alert_state_parse(PQgetvalue(res, i, 4), &s->state))
				continue;
			s->year = atoi(PQgetvalue(res, i, 0));
			s->center = xstrdup(PQgetvalue(res, i, 1));
			s->indicator = xstrdup(PQgetvalue(res, i, 2));
			s->alertname = xstrdup(PQgetvalue(res, i, 3));
			s->since = (time_t)atoll(PQgetvalue(res, i, 5));
			s->starts_at =
			    PQgetisnull(res, i, 6) ? 0 : (time_t)atoll(PQgetvalue(res, i, 6));
			s->ends_at =
			    PQgetisnull(res, i, 7) ? 0 : (time_t)atoll(PQgetvalue(res, i, 7));
			s->missed = PQgetvalue(res, i, 8)[0] == 't';
			ev->nstored++;
		}
	}
	on_done(res, error, c);
}

void alerts_store_read(struct evaluation *ev, alerts_store_cb cb)
{
	char year[8];
	snprintf(year, sizeof(year), "%d", ev->year);
	const char *params[1] = {year};
	store_query_writer(ev->a->store, sql_text("queries/alerts_state.sql"), 1, params, on_read,
			   call_new(ev, cb, "read the alert state"));
}

void alerts_store_save(struct evaluation *ev, alerts_store_cb cb)
{
	char *text = json_dumps(ev->rows, JSON_COMPACT);
	const char *params[1] = {text};
	store_query_writer(ev->a->store, sql_text("queries/alerts_save.sql"), 1, params, on_done,
			   call_new(ev, cb, "save the evaluation"));
	free(text);
}

void alerts_store_outbox(struct alerts *a, alerts_outbox_cb cb)
{
	store_query_writer(a->store, sql_text("queries/alerts_outbox.sql"), 0, NULL, cb, a);
}

void alerts_store_ack(struct alerts *a, const char *keys, alerts_store_cb cb)
{
	const char *params[1] = {keys};
	store_query_writer(a->store, sql_text("queries/alerts_ack.sql"), 1, params, on_done,
			   call_new(a, cb, "record the delivery (it will be sent again)"));
}
