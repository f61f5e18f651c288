/* store_mock — the store.h API without a database, for unit tests of the
 * modules above the store (the report, the alerts), as collectd's
 * plugin_mock.c stands in for the daemon under its plugins. Linked before
 * libggzy.a, it replaces store.c entirely (every function of store.h is
 * here, so the archive's store.o is never pulled in).
 *
 * Every query is answered from a fresh loop turn (as the real store does)
 * by the test's handler, which sees the statement's text and parameters and
 * returns a result built with mock_result (or NULL to fail the query). */
#ifndef GGZY_STORE_MOCK_H
#define GGZY_STORE_MOCK_H

#include <libpq-fe.h>
#include <stdbool.h>

struct event_base;

/* The test's answer to a statement: a new result (taken over), or NULL for
 * a failed query. WRITER tells which connection it was sent on. */
typedef PGresult *(*mock_handler)(const char *sql, int nparams, const char *const *params,
				  bool writer, void *arg);

struct store *mock_store_new(struct event_base *base, mock_handler handler, void *arg);
void mock_store_free(struct store *st);
/* What store_version reports (the figures' version). */
void mock_store_set_version(struct store *st, long long version);
/* Queries answered so far. */
int mock_store_queries(const struct store *st);

/* A result of NFIELDS text columns and no rows; add rows with mock_row. */
PGresult *mock_result(int nfields);
/* Appends a row of VALUES (nfields of them; NULL is a SQL NULL). */
void mock_row(PGresult *res, const char *const *values);

/* The elements of a text[] literal ("{\"a\",NULL}"), NULL for a SQL NULL;
 * up to max; returns how many. Each is a new string (free them). */
int mock_array(const char *literal, char **out, int max);

#endif
