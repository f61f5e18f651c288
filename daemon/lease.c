#include "lease.h"

#include <event2/event.h>
#include <stdlib.h>
#include <string.h>

#include "log.h"
#include "pg.h"
#include "pg_array.h"
#include "xmalloc.h"

struct lease {
	struct pg_conn *conn;
	struct event *timer;
	char *instance;
	char *sources; /* a text[] literal */
	char **names;
	size_t n;
	long period;
	bool asking;
	bool complained;
	lease_cb cb;
	void *arg;
};

static void arm(struct lease *l)
{
	struct timeval tv = {.tv_sec = l->period, .tv_usec = 0};
	evtimer_add(l->timer, &tv);
}

static void on_leases(PGresult *res, const char *error, void *arg)
{
	struct lease *l = arg;
	l->asking = false;
	if (!l->cb)
		return; /* lease_free: shutting down */
	if (error) {
		if (!l->complained)
			log_warn("leases: the store did not answer (%s); this instance polls "
				 "nothing until it does",
				 error);
		l->complained = true;
		for (size_t i = 0; i < l->n; i++)
			l->cb(l->names[i], false, l->arg);
		return;
	}
	l->complained = false;
	for (int i = 0; i < PQntuples(res); i++)
		l->cb(PQgetvalue(res, i, 0), strcmp(PQgetvalue(res, i, 1), "t") == 0, l->arg);
}

static void round_now(struct lease *l)
{
	if (l->asking)
		return;
	l->asking = true;
	const char *params[2] = {l->instance, l->sources};
	pg_query(l->conn, "SELECT source, held FROM ggzy.take_leases($1, $2::text[])", 2, params,
		 on_leases, l);
}

static void on_timer(evutil_socket_t fd, short what, void *arg)
{
	(void)fd, (void)what;
	struct lease *l = arg;
	round_now(l);
	arm(l);
}

struct lease *lease_new(struct event_base *base, const char *store_conninfo, const char *instance,
			long period, const char *const *sources, size_t n, lease_cb cb, void *arg)
{
	struct lease *l = xcalloc(1, sizeof(*l));
	/* A statement on this session never waits long: a lease round is a few
	 * lock probes. */
	l->conn = pg_conn_new(base, "leases", store_conninfo,
			      "SET application_name = 'ggzy-metricsd leases'", 15);
	l->timer = evtimer_new(base, on_timer, l);
	l->instance = xstrdup(instance);
	l->period = period;
	l->cb = cb;
	l->arg = arg;
	l->names = xcalloc(n ? n : 1, sizeof(*l->names));
	struct pg_array a;
	pg_array_begin(&a);
	for (size_t i = 0; i < n; i++) {
		l->names[i] = xstrdup(sources[i]);
		pg_array_add(&a, sources[i]);
	}
	l->n = n;
	l->sources = pg_array_end(&a);
	return l;
}

void lease_start(struct lease *l)
{
	round_now(l);
	arm(l);
}

void lease_set_period(struct lease *l, long period)
{
	l->period = period;
	evtimer_del(l->timer);
	arm(l);
}

void lease_free(struct lease *l)
{
	if (!l)
		return;
	/* Freeing the connection fails the round in flight: no callback may
	 * reach a freed scheduler. */
	l->cb = NULL;
	pg_conn_free(l->conn);
	event_free(l->timer);
	for (size_t i = 0; i < l->n; i++)
		free(l->names[i]);
	free(l->names);
	free(l->sources);
	free(l->instance);
	free(l);
}
