/* pg — an asynchronous PostgreSQL connection driven by the libevent loop
 * (after PgBouncer's pgsocket): non-blocking connect with PQconnectPoll, the
 * socket re-read with PQsocket() on every re-arm, results collected with
 * PQconsumeInput / PQisBusy / PQgetResult. Nothing here ever blocks.
 *
 * Queries are queued and run one at a time. Each has a deadline; a query or
 * connect that overruns it, or a connection that breaks, fails every queued
 * query with an error and drops the connection; the next query reconnects.
 * Backoff is the caller's business (the scheduler's). */
#ifndef GGZY_PG_H
#define GGZY_PG_H

#include <libpq-fe.h>
#include <stdbool.h>

struct event_base;
struct evbuffer;
struct pg_conn;

/* Called exactly once per query. On success res is the last result (status
 * PGRES_TUPLES_OK or PGRES_COMMAND_OK) and error is NULL; on failure res is
 * NULL and error says why. res is borrowed: it is cleared after the callback
 * returns. The callback may queue further queries on the same connection but
 * must not free it. */
typedef void (*pg_result_cb)(PGresult *res, const char *error, void *arg);

/* Returns a new handle; nothing is connected until the first query.
 * setup_sql (may be NULL) is a script run after every connect, before any
 * queued query. name is used in log lines. The strings are copied. */
struct pg_conn *pg_conn_new(struct event_base *base, const char *name, const char *conninfo,
			    const char *setup_sql, int timeout_seconds);
/* Fails queued queries ("shutting down") and frees the handle. */
void pg_conn_free(struct pg_conn *conn);

/* Queues a parameterised statement (text parameters, text results). */
void pg_query(struct pg_conn *conn, const char *sql, int nparams, const char *const *params,
	      pg_result_cb cb, void *arg);
/* The same with its own deadline (seconds) instead of the connection's: a
 * statement known to take long on a large store. */
void pg_query_timeout(struct pg_conn *conn, int timeout_seconds, const char *sql, int nparams,
		      const char *const *params, pg_result_cb cb, void *arg);
/* Queues a parameterless script that may hold several statements (fixed text
 * from the binary only: migrations). */
void pg_script(struct pg_conn *conn, const char *sql, pg_result_cb cb, void *arg);
/* The same with its own deadline (seconds), as pg_query_timeout. */
void pg_script_timeout(struct pg_conn *conn, int timeout_seconds, const char *sql, pg_result_cb cb,
		       void *arg);

/* Queues COPY_SQL (a "COPY ... FROM STDIN", fixed text from the binary) and
 * sends DATA (COPY text format, taken over: freed by pg; NULL: no rows) when
 * the server asks for it, chain by chain, without blocking: a batch is never
 * copied whole. cb gets the COPY's result (its command tag says how many
 * rows). */
void pg_copy_in(struct pg_conn *conn, const char *copy_sql, struct evbuffer *data, pg_result_cb cb,
		void *arg);

bool pg_conn_is_connected(const struct pg_conn *conn);
/* Number of queries queued or running. */
int pg_conn_pending(const struct pg_conn *conn);
/* How many sessions have been set up so far: a value that moved means a new
 * server session (what a session registered is to be registered again). */
unsigned long pg_conn_sessions(const struct pg_conn *conn);
/* Drops the connection after the running query (used on reload). */
void pg_conn_set_conninfo(struct pg_conn *conn, const char *conninfo);

/* A conninfo with any password=... value masked, for log lines. Returns a new
 * string the caller frees. */
char *pg_conninfo_redacted(const char *conninfo);

#endif
