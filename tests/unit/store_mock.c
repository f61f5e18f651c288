#include "store_mock.h"

#include <event2/buffer.h>
#include <event2/event.h>
#include <stdlib.h>
#include <string.h>

#include "store.h"
#include "xmalloc.h"

struct store {
	struct event_base *base;
	mock_handler handler;
	void *arg;
	long long version;
	int queries;
};

struct pending {
	struct store *st;
	char *sql;
	int nparams;
	char **params;
	bool writer;
	pg_result_cb cb;
	store_version_cb vcb;
	void *arg;
};

static void answer(evutil_socket_t fd, short what, void *arg)
{
	(void)fd;
	(void)what;
	struct pending *p = arg;
	p->st->queries++;
	if (p->vcb) {
		p->vcb(true, p->st->version, p->arg);
	} else {
		PGresult *res = p->st->handler(p->sql, p->nparams, (const char *const *)p->params,
					       p->writer, p->st->arg);
		p->cb(res, res ? NULL : "mock: query failed", p->arg);
		PQclear(res);
	}
	for (int i = 0; i < p->nparams; i++)
		free(p->params[i]);
	free(p->params);
	free(p->sql);
	free(p);
}

static void later(struct store *st, const char *sql, int nparams, const char *const *params,
		  bool writer, pg_result_cb cb, store_version_cb vcb, void *arg)
{
	struct pending *p = xcalloc(1, sizeof(*p));
	*p = (struct pending){.st = st, .writer = writer, .cb = cb, .vcb = vcb, .arg = arg};
	p->sql = xstrdup_or_null(sql);
	p->nparams = nparams;
	p->params = xcalloc((size_t)nparams, sizeof(char *));
	for (int i = 0; i < nparams; i++)
		p->params[i] = xstrdup_or_null(params[i]);
	event_base_once(st->base, -1, EV_TIMEOUT, answer, p, NULL);
}

struct store *mock_store_new(struct event_base *base, mock_handler handler, void *arg)
{
	struct store *st = xcalloc(1, sizeof(*st));
	*st = (struct store){.base = base, .handler = handler, .arg = arg, .version = 1};
	return st;
}

void mock_store_free(struct store *st) { free(st); }
void mock_store_set_version(struct store *st, long long version) { st->version = version; }
int mock_store_queries(const struct store *st) { return st->queries; }

PGresult *mock_result(int nfields)
{
	static char column[] = "c";
	PGresult *res = PQmakeEmptyPGresult(NULL, PGRES_TUPLES_OK);
	PGresAttDesc *atts = xcalloc((size_t)nfields, sizeof(*atts));
	for (int i = 0; i < nfields; i++) {
		atts[i].name = column;
		atts[i].format = 0;
		atts[i].typid = 25; /* text */
		atts[i].typlen = -1;
		atts[i].atttypmod = -1;
	}
	PQsetResultAttrs(res, nfields, atts);
	free(atts);
	return res;
}

void mock_row(PGresult *res, const char *const *values)
{
	int row = PQntuples(res);
	for (int c = 0; c < PQnfields(res); c++) {
		/* PQsetvalue copies the value; its parameter is not const. */
		char *copy = xstrdup(values[c] ? values[c] : "");
		PQsetvalue(res, row, c, copy, values[c] ? (int)strlen(copy) : -1);
		free(copy);
	}
}

int mock_array(const char *literal, char **out, int max)
{
	int n = 0;
	const char *p = literal;
	if (!p || *p++ != '{')
		return 0;
	while (*p && *p != '}' && n < max) {
		char buf[512];
		size_t len = 0;
		bool quoted = *p == '"';
		if (quoted) {
			for (p++; *p && *p != '"'; p++) {
				if (*p == '\\' && p[1])
					p++;
				if (len < sizeof(buf) - 1)
					buf[len++] = *p;
			}
			p++;
		} else {
			while (*p && *p != ',' && *p != '}' && len < sizeof(buf) - 1)
				buf[len++] = *p++;
		}
		buf[len] = '\0';
		out[n++] = !quoted && strcmp(buf, "NULL") == 0 ? NULL : xstrdup(buf);
		if (*p == ',')
			p++;
	}
	return n;
}

/* ---- store.h ---- */

struct store *store_new(struct event_base *base, const char *conninfo, const char *time_zone,
			const char *identity_key_file, void (*on_ready)(void *), void *arg)
{
	(void)base, (void)conninfo, (void)time_zone, (void)identity_key_file, (void)on_ready,
	    (void)arg;
	abort(); /* tests make theirs with mock_store_new */
}

void store_free(struct store *st) { mock_store_free(st); }
bool store_is_ready(const struct store *st) { return st != NULL; }
bool store_is_up(const struct store *st) { return st != NULL; }
const char *store_last_error(const struct store *st) { return st ? "" : "no store"; }
int store_schema_version(const struct store *st) { return st ? 1 : 0; }
unsigned long store_generation(const struct store *st)
{
	return st ? (unsigned long)st->version : 0;
}
bool store_refused(const struct store *st) { return !st; }

const struct identity_key *store_identity(const struct store *st)
{
	(void)st;
	return NULL;
}

const char *store_salt(const struct store *st)
{
	(void)st;
	return "";
}

int store_measure_position(const struct store *st, short stream, const char *metric)
{
	(void)st, (void)metric, (void)stream;
	return 0;
}

void store_call(struct store *st, const char *sql, int nparams, const char *const *params,
		pg_result_cb cb, void *arg)
{
	later(st, sql, nparams, params, true, cb, NULL, arg);
}

void store_apply_staged(struct store *st, struct evbuffer *data, const char *const params[5],
			store_count_cb cb, void *arg)
{
	(void)st, (void)params;
	evbuffer_free(data);
	cb(false, "mock: no writes", 0, arg);
}

void store_diff_staged(struct store *st, struct evbuffer *data, const char *const params[3],
		       pg_result_cb cb, void *arg)
{
	(void)st, (void)params;
	evbuffer_free(data);
	cb(NULL, "mock: no writes", arg);
}

void store_replace_centers(struct store *st, const char *source, const char *rows_json,
			   store_done_cb cb, void *arg)
{
	(void)source;
	(void)st, (void)rows_json;
	cb(false, "mock: no writes", arg);
}

void store_query_writer(struct store *st, const char *sql, int nparams, const char *const *params,
			pg_result_cb cb, void *arg)
{
	later(st, sql, nparams, params, true, cb, NULL, arg);
}

void store_version(struct store *st, store_version_cb cb, void *arg)
{
	later(st, NULL, 0, NULL, false, NULL, cb, arg);
}

void store_query(struct store *st, const char *sql, int nparams, const char *const *params,
		 pg_result_cb cb, void *arg)
{
	later(st, sql, nparams, params, false, cb, NULL, arg);
}
