#include "pg.h"

#include <event2/buffer.h>
#include <event2/event.h>
#include <stdlib.h>
#include <string.h>

#include "log.h"
#include "utf8.h"
#include "xmalloc.h"

enum pg_state { PG_IDLE, PG_CONNECTING, PG_SETUP, PG_READY, PG_BUSY };

struct pg_query_item {
	struct pg_query_item *next;
	char *sql;
	int nparams;
	char **params;
	bool script;
	/* COPY ... FROM STDIN: the data sent (and drained) once the server asks
	 * for it. */
	struct evbuffer *copy_data;
	bool copy_ended;
	int timeout_seconds; /* 0: the connection's */
	pg_result_cb cb;
	void *arg;
};

struct pg_conn {
	struct event_base *base;
	char *name;
	char *conninfo;
	char *setup_sql;
	int timeout_seconds;
	PGconn *pg;
	enum pg_state state;
	struct event *io;
	struct event *timer;
	struct pg_query_item *head, *tail;
	int pending;
	PGresult *last; /* last result of the running query */
	char error[512];
	bool drop_after;	/* conninfo changed: reconnect after this query */
	unsigned long sessions; /* connections made ready so far */
};

static void on_io(evutil_socket_t fd, short what, void *arg);
static void on_timeout(evutil_socket_t fd, short what, void *arg);
static void pump(struct pg_conn *c);
static void set_error_from_pg(struct pg_conn *c, const char *prefix);
static void fail_connection(struct pg_conn *c);

static void arm(struct pg_conn *c, short what)
{
	if (c->io) {
		event_free(c->io);
		c->io = NULL;
	}
	int fd = PQsocket(c->pg);
	if (fd < 0)
		return;
	c->io = event_new(c->base, fd, what, on_io, c);
	event_add(c->io, NULL);
}

/* The deadline of what runs now: a connect, the setup, or the queue's head. */
static int deadline_seconds(const struct pg_conn *c)
{
	if (c->state == PG_BUSY && c->head && c->head->timeout_seconds > 0)
		return c->head->timeout_seconds;
	return c->timeout_seconds;
}

static void start_deadline(struct pg_conn *c)
{
	struct timeval tv = {.tv_sec = deadline_seconds(c), .tv_usec = 0};
	evtimer_add(c->timer, &tv);
}

static void drop(struct pg_conn *c)
{
	if (c->io) {
		event_free(c->io);
		c->io = NULL;
	}
	evtimer_del(c->timer);
	if (c->last) {
		PQclear(c->last);
		c->last = NULL;
	}
	if (c->pg) {
		PQfinish(c->pg);
		c->pg = NULL;
	}
	c->state = PG_IDLE;
}

static void item_free(struct pg_query_item *q)
{
	for (int i = 0; i < q->nparams; i++)
		free(q->params[i]);
	free(q->params);
	free(q->sql);
	if (q->copy_data)
		evbuffer_free(q->copy_data);
	free(q);
}

/* Copy data goes out a chain of the buffer at a time (a few kB), and never
 * more than this, so that a batch of megabytes never sits whole in libpq's
 * output buffer besides ours. */
#define COPY_CHUNK (256 * 1024)

/* Whether the COPY may go on after a libpq step that answered RC (1 done,
 * 0 the socket is full, -1 failed): on 0 the connection waits to be
 * writable, on -1 it fails. */
static bool copy_went(struct pg_conn *c, int rc)
{
	if (rc < 0) {
		set_error_from_pg(c, "copy: ");
		fail_connection(c);
		return false;
	}
	if (rc == 0) {
		arm(c, EV_READ | EV_WRITE);
		return false;
	}
	return true;
}

/* PQflush in copy_went's terms: 1 all sent, 0 some still queued. */
static int flushed(PGconn *pg)
{
	int f = PQflush(pg);
	return f < 0 ? -1 : f == 0;
}

/* Pushes the running COPY's data, then its end, as far as the socket
 * takes them; re-armed for writing when it is full. A chunk at a time,
 * each once libpq has sent the last: in nonblocking mode PQputCopyData
 * grows libpq's output buffer to hold whatever it is given faster than
 * the socket takes it (a month's keys at 10 M deals took it to 16 MB). */
static void copy_push(struct pg_conn *c)
{
	struct pg_query_item *q = c->head;
	while (evbuffer_get_length(q->copy_data) > 0) {
		if (!copy_went(c, flushed(c->pg)))
			return;
		struct evbuffer_iovec chain;
		evbuffer_peek(q->copy_data, -1, NULL, &chain, 1);
		size_t n = chain.iov_len < COPY_CHUNK ? chain.iov_len : COPY_CHUNK;
		if (!copy_went(c, PQputCopyData(c->pg, chain.iov_base, (int)n)))
			return;
		evbuffer_drain(q->copy_data, n);
	}
	if (!q->copy_ended) {
		if (!copy_went(c, PQputCopyEnd(c->pg, NULL)))
			return;
		q->copy_ended = true;
	}
	if (copy_went(c, flushed(c->pg)))
		arm(c, EV_READ);
}

static struct pg_query_item *pop(struct pg_conn *c)
{
	struct pg_query_item *q = c->head;
	if (q) {
		c->head = q->next;
		if (!c->head)
			c->tail = NULL;
		c->pending--;
	}
	return q;
}

/* Fails every queued query; callbacks may queue new ones, which then wait
 * for the next pump. */
static void fail_all(struct pg_conn *c, const char *why)
{
	struct pg_query_item *list = c->head;
	c->head = c->tail = NULL;
	while (list) {
		struct pg_query_item *q = list;
		list = q->next;
		c->pending--;
		q->cb(NULL, why, q->arg);
		item_free(q);
	}
}

static void set_error_from_pg(struct pg_conn *c, const char *prefix)
{
	const char *msg = c->pg ? PQerrorMessage(c->pg) : "no connection";
	snprintf(c->error, sizeof(c->error), "%s%s", prefix, msg);
	size_t n = strlen(c->error);
	while (n && (c->error[n - 1] == '\n' || c->error[n - 1] == ' '))
		c->error[--n] = '\0';
	utf8_scrub(c->error); /* a long server message may be cut mid-character */
}

static void fail_connection(struct pg_conn *c)
{
	char why[512];
	snprintf(why, sizeof(why), "%s", c->error);
	log_debug("pg %s: %s", c->name, why);
	drop(c);
	fail_all(c, why);
	/* Queries queued by the callbacks start a fresh connect. */
	if (c->head)
		pump(c);
}

static bool send_item(struct pg_conn *c, const struct pg_query_item *q)
{
	int ok;
	if (q->script)
		ok = PQsendQuery(c->pg, q->sql);
	else
		ok = PQsendQueryParams(c->pg, q->sql, q->nparams, NULL,
				       (const char *const *)q->params, NULL, NULL, 0);
	if (!ok) {
		set_error_from_pg(c, "");
		return false;
	}
	return true;
}

static void begin_send(struct pg_conn *c, const struct pg_query_item *q)
{
	if (!send_item(c, q)) {
		fail_connection(c);
		return;
	}
	c->state = PG_BUSY;
	start_deadline(c);
	int f = PQflush(c->pg);
	if (f < 0) {
		set_error_from_pg(c, "");
		fail_connection(c);
		return;
	}
	arm(c, (short)(EV_READ | (f == 1 ? EV_WRITE : 0)));
}

/* Server notices ("relation already exists, skipping") are not problems;
 * keep them out of stdout/stderr unless debugging. A WARNING is the store
 * telling the operator something (a centre claimed by two sources). */
static void log_notice(void *arg, const char *message)
{
	const struct pg_conn *c = arg;
	size_t n = strlen(message);
	while (n && message[n - 1] == '\n')
		n--;
	if (strncmp(message, "WARNING:", 8) == 0)
		log_warn("%s: %.*s", c->name, (int)n, message);
	else
		log_debug("%s: server notice: %.*s", c->name, (int)n, message);
}

static void start_connect(struct pg_conn *c)
{
	c->pg = PQconnectStart(c->conninfo);
	if (!c->pg || PQstatus(c->pg) == CONNECTION_BAD) {
		set_error_from_pg(c, "connect: ");
		fail_connection(c);
		return;
	}
	PQsetnonblocking(c->pg, 1);
	PQsetNoticeProcessor(c->pg, log_notice, c);
	c->state = PG_CONNECTING;
	start_deadline(c);
	/* PQconnectStart behaves as if PGRES_POLLING_WRITING was returned. */
	arm(c, EV_WRITE);
}

static void pump(struct pg_conn *c)
{
	if (!c->head)
		return;
	if (c->state == PG_IDLE) {
		start_connect(c);
		return;
	}
	if (c->state != PG_READY)
		return;
	c->state = PG_BUSY;
	begin_send(c, c->head);
}

static void run_setup(struct pg_conn *c)
{
	if (!c->setup_sql) {
		c->sessions++;
		c->state = PG_READY;
		pump(c);
		return;
	}
	if (!PQsendQuery(c->pg, c->setup_sql)) {
		set_error_from_pg(c, "setup: ");
		fail_connection(c);
		return;
	}
	c->state = PG_SETUP;
	start_deadline(c);
	int f = PQflush(c->pg);
	arm(c, (short)(EV_READ | (f == 1 ? EV_WRITE : 0)));
}

static void continue_connect(struct pg_conn *c)
{
	switch (PQconnectPoll(c->pg)) {
	case PGRES_POLLING_READING: arm(c, EV_READ); return;
	case PGRES_POLLING_WRITING: arm(c, EV_WRITE); return;
	case PGRES_POLLING_OK:
		evtimer_del(c->timer);
		log_debug("pg %s: connected", c->name);
		run_setup(c);
		return;
	default:
		set_error_from_pg(c, "connect: ");
		fail_connection(c);
		return;
	}
}

/* Called when the running statement (setup or query) produced all results. */
static void finish_statement(struct pg_conn *c)
{
	evtimer_del(c->timer);
	PGresult *res = c->last;
	c->last = NULL;
	ExecStatusType st = res ? PQresultStatus(res) : PGRES_FATAL_ERROR;
	bool ok = st == PGRES_TUPLES_OK || st == PGRES_COMMAND_OK;
	char err[512] = "";
	if (!ok) {
		const char *m = res ? PQresultErrorMessage(res) : "no result";
		snprintf(err, sizeof(err), "%s", m);
		size_t n = strlen(err);
		while (n && (err[n - 1] == '\n' || err[n - 1] == ' '))
			err[--n] = '\0';
	}
	if (c->state == PG_SETUP) {
		PQclear(res);
		if (!ok) {
			snprintf(c->error, sizeof(c->error), "setup: %s", err);
			fail_connection(c);
			return;
		}
		c->sessions++;
		c->state = PG_READY;
		pump(c);
		return;
	}
	struct pg_query_item *q = pop(c);
	c->state = PG_READY;
	if (c->drop_after) {
		c->drop_after = false;
		if (c->io) {
			event_free(c->io);
			c->io = NULL;
		}
		PQfinish(c->pg);
		c->pg = NULL;
		c->state = PG_IDLE;
	}
	q->cb(ok ? res : NULL, ok ? NULL : err, q->arg);
	PQclear(res);
	item_free(q);
	pump(c);
}

static void read_results(struct pg_conn *c)
{
	if (!PQconsumeInput(c->pg)) {
		set_error_from_pg(c, "");
		fail_connection(c);
		return;
	}
	while (!PQisBusy(c->pg)) {
		PGresult *r = PQgetResult(c->pg);
		if (!r) {
			finish_statement(c);
			return;
		}
		if (PQresultStatus(r) == PGRES_COPY_IN) {
			PQclear(r);
			if (!c->head || !c->head->copy_data) {
				/* a COPY nobody gave data for: end it as failed */
				PQputCopyEnd(c->pg, "no data");
				continue;
			}
			copy_push(c);
			return;
		}
		/* Keep the first error of a script, else the last result. */
		if (c->last && PQresultStatus(c->last) == PGRES_FATAL_ERROR) {
			PQclear(r);
		} else {
			PQclear(c->last);
			c->last = r;
		}
	}
	if (PQstatus(c->pg) == CONNECTION_BAD) {
		set_error_from_pg(c, "");
		fail_connection(c);
		return;
	}
	arm(c, EV_READ);
}

static void on_io(evutil_socket_t fd, short what, void *arg)
{
	struct pg_conn *c = arg;
	(void)fd;
	if (c->state == PG_CONNECTING) {
		continue_connect(c);
		return;
	}
	if ((what & EV_WRITE) && c->head && c->head->copy_data && !c->head->copy_ended) {
		copy_push(c);
		return;
	}
	if (what & EV_WRITE) {
		int f = PQflush(c->pg);
		if (f < 0) {
			set_error_from_pg(c, "");
			fail_connection(c);
			return;
		}
		if (f == 1) {
			arm(c, EV_READ | EV_WRITE);
			return;
		}
	}
	read_results(c);
}

static void on_timeout(evutil_socket_t fd, short what, void *arg)
{
	struct pg_conn *c = arg;
	(void)fd;
	(void)what;
	snprintf(c->error, sizeof(c->error), "%s timed out after %ds",
		 c->state == PG_CONNECTING ? "connect" : "query", deadline_seconds(c));
	fail_connection(c);
}

struct pg_conn *pg_conn_new(struct event_base *base, const char *name, const char *conninfo,
			    const char *setup_sql, int timeout_seconds)
{
	struct pg_conn *c = xcalloc(1, sizeof(*c));
	c->base = base;
	c->name = xstrdup(name);
	c->conninfo = xstrdup(conninfo);
	c->setup_sql = xstrdup_or_null(setup_sql);
	c->timeout_seconds = timeout_seconds > 0 ? timeout_seconds : 30;
	c->timer = evtimer_new(base, on_timeout, c);
	c->state = PG_IDLE;
	return c;
}

void pg_conn_free(struct pg_conn *c)
{
	if (!c)
		return;
	drop(c);
	fail_all(c, "shutting down");
	event_free(c->timer);
	free(c->name);
	free(c->conninfo);
	free(c->setup_sql);
	free(c);
}

static void enqueue(struct pg_conn *c, const char *sql, int nparams, const char *const *params,
		    bool script, int timeout_seconds, pg_result_cb cb, void *arg)
{
	struct pg_query_item *q = xcalloc(1, sizeof(*q));
	q->sql = xstrdup(sql);
	q->timeout_seconds = timeout_seconds;
	q->nparams = nparams;
	q->script = script;
	q->cb = cb;
	q->arg = arg;
	if (nparams) {
		q->params = xcalloc((size_t)nparams, sizeof(char *));
		for (int i = 0; i < nparams; i++)
			q->params[i] = xstrdup_or_null(params[i]);
	}
	if (c->tail)
		c->tail->next = q;
	else
		c->head = q;
	c->tail = q;
	c->pending++;
	pump(c);
}

void pg_query(struct pg_conn *c, const char *sql, int nparams, const char *const *params,
	      pg_result_cb cb, void *arg)
{
	enqueue(c, sql, nparams, params, false, 0, cb, arg);
}

void pg_query_timeout(struct pg_conn *c, int timeout_seconds, const char *sql, int nparams,
		      const char *const *params, pg_result_cb cb, void *arg)
{
	enqueue(c, sql, nparams, params, false, timeout_seconds, cb, arg);
}

void pg_script(struct pg_conn *c, const char *sql, pg_result_cb cb, void *arg)
{
	enqueue(c, sql, 0, NULL, true, 0, cb, arg);
}

void pg_script_timeout(struct pg_conn *c, int timeout_seconds, const char *sql, pg_result_cb cb,
		       void *arg)
{
	enqueue(c, sql, 0, NULL, true, timeout_seconds, cb, arg);
}

void pg_copy_in(struct pg_conn *c, const char *copy_sql, struct evbuffer *data, pg_result_cb cb,
		void *arg)
{
	/* Queued like a script, with its data attached before the pump can
	 * send it (enqueue may start it at once). */
	struct pg_query_item *q = xcalloc(1, sizeof(*q));
	q->sql = xstrdup(copy_sql);
	q->script = true;
	q->copy_data = data ? data : evbuffer_new();
	q->cb = cb;
	q->arg = arg;
	if (c->tail)
		c->tail->next = q;
	else
		c->head = q;
	c->tail = q;
	c->pending++;
	pump(c);
}

bool pg_conn_is_connected(const struct pg_conn *c)
{
	return c->state == PG_READY || c->state == PG_BUSY;
}

int pg_conn_pending(const struct pg_conn *c) { return c->pending; }

unsigned long pg_conn_sessions(const struct pg_conn *c) { return c->sessions; }

void pg_conn_set_conninfo(struct pg_conn *c, const char *conninfo)
{
	if (strcmp(c->conninfo, conninfo) == 0)
		return;
	free(c->conninfo);
	c->conninfo = xstrdup(conninfo);
	if (c->state == PG_BUSY || c->state == PG_CONNECTING || c->state == PG_SETUP)
		c->drop_after = true;
	else
		drop(c);
}

char *pg_conninfo_redacted(const char *conninfo)
{
	char *err = NULL;
	PQconninfoOption *opts = PQconninfoParse(conninfo, &err);
	if (!opts) {
		PQfreemem(err);
		return xstrdup("(invalid conninfo)");
	}
	size_t cap = strlen(conninfo) + 64, len = 0;
	char *out = xcalloc(1, cap);
	for (PQconninfoOption *o = opts; o->keyword; o++) {
		if (!o->val)
			continue;
		bool secret = strcmp(o->keyword, "password") == 0;
		const char *v = secret ? "***" : o->val;
		size_t need = strlen(o->keyword) + strlen(v) + 4;
		if (len + need >= cap) {
			cap = (len + need) * 2;
			out = xreallocarray(out, cap, 1);
		}
		len += (size_t)snprintf(out + len, cap - len, "%s%s=%s", len ? " " : "", o->keyword,
					v);
	}
	PQconninfoFree(opts);
	return out;
}
