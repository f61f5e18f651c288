#include "store.h"

#include <event2/event.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "log.h"
#include "sql_files.h"
#include "utf8.h"
#include "xmalloc.h"

#define STORE_TIMEOUT 60
#define BACKOFF_MAX 60

struct store {
	struct event_base *base;
	struct pg_conn *writer;
	struct pg_conn *reader;
	struct event *retry;
	int backoff;
	bool ready;
	bool up;
	bool complained;
	bool too_new; /* schema newer than this binary: never ready */
	int version;
	int target_version;
	char error[512];
	unsigned long generation; /* bumped by every commit that changed buckets */
	struct version_waiter {
		store_version_cb cb;
		void *arg;
		struct version_waiter *next;
	} * version_next;     /* waiting for the next version read */
	bool version_reading; /* a version read is in flight */
	void (*on_ready)(void *);
	void *on_ready_arg;
};

static void migrate(struct store *st);

static void note_result(struct store *st, struct pg_conn *conn, const char *error)
{
	if (!error) {
		if (!st->up && st->complained)
			log_info("store: reachable again");
		st->up = true;
		st->complained = false;
		st->error[0] = '\0';
		return;
	}
	snprintf(st->error, sizeof(st->error), "%s", error);
	utf8_scrub(st->error); /* served as JSON by /readyz */
	if (!pg_conn_is_connected(conn)) {
		if (!st->complained)
			log_warn("store: unreachable: %s", error);
		st->complained = true;
		st->up = false;
	}
}

static void schedule_retry(struct store *st)
{
	st->backoff = st->backoff ? st->backoff * 2 : 1;
	if (st->backoff > BACKOFF_MAX)
		st->backoff = BACKOFF_MAX;
	struct timeval tv = {.tv_sec = st->backoff, .tv_usec = 0};
	evtimer_add(st->retry, &tv);
}

static int count_migrations(void)
{
	int n = 0;
	for (size_t i = 0; i < sql_nfiles; i++)
		if (strncmp(sql_files[i].path, "store/", 6) == 0)
			n++;
	return n;
}

/* The Nth (1-based) migration, in file-name order. */
static const struct sql_file *migration(int n)
{
	int k = 0;
	for (size_t i = 0; i < sql_nfiles; i++)
		if (strncmp(sql_files[i].path, "store/", 6) == 0 && ++k == n)
			return &sql_files[i];
	return NULL;
}

static void ignore_result(PGresult *res, const char *error, void *arg)
{
	(void)res;
	(void)error;
	(void)arg;
}

static void on_migration_applied(PGresult *res, const char *error, void *arg);

static void apply_next(struct store *st)
{
	if (st->version >= st->target_version) {
		st->ready = true;
		st->backoff = 0;
		log_info("store: schema at version %d", st->version);
		if (st->on_ready)
			st->on_ready(st->on_ready_arg);
		return;
	}
	const struct sql_file *m = migration(st->version + 1);
	log_info("store: applying migration %s", m->path);
	size_t len = strlen(m->text) + 256;
	char *script = xmalloc(len);
	/* The lock makes concurrent daemons apply each migration once; the
	 * version row's primary key makes a second attempt fail cleanly. */
	snprintf(script, len,
		 "BEGIN; SELECT pg_advisory_xact_lock(747001);\n%s\n"
		 ";INSERT INTO ggzy.schema_version (version) VALUES (%d); COMMIT;",
		 m->text, st->version + 1);
	pg_script(st->writer, script, on_migration_applied, st);
	free(script);
}

static void on_migration_applied(PGresult *res, const char *error, void *arg)
{
	struct store *st = arg;
	(void)res;
	note_result(st, st->writer, error);
	if (error) {
		log_error("store: migration %d failed: %s", st->version + 1, error);
		/* A failed script leaves the transaction aborted on this
		 * connection; ROLLBACK before retrying. */
		pg_script(st->writer, "ROLLBACK", ignore_result, NULL);
		schedule_retry(st);
		return;
	}
	st->version++;
	apply_next(st);
}

static void on_version(PGresult *res, const char *error, void *arg)
{
	struct store *st = arg;
	note_result(st, st->writer, error);
	if (error) {
		log_debug("store: reading schema version failed: %s", error);
		schedule_retry(st);
		return;
	}
	st->version = atoi(PQgetvalue(res, PQntuples(res) - 1, 0));
	if (st->version > st->target_version) {
		log_error("store: schema version %d is newer than this daemon's %d; "
			  "refusing to write",
			  st->version, st->target_version);
		snprintf(st->error, sizeof(st->error),
			 "store schema version %d is newer than this daemon (%d)", st->version,
			 st->target_version);
		st->too_new = true;
		return;
	}
	apply_next(st);
}

static void migrate(struct store *st)
{
	pg_script(st->writer,
		  "CREATE SCHEMA IF NOT EXISTS ggzy;"
		  "CREATE TABLE IF NOT EXISTS ggzy.schema_version ("
		  " version integer PRIMARY KEY,"
		  " applied_at timestamptz NOT NULL DEFAULT now());"
		  "SELECT coalesce(max(version), 0) FROM ggzy.schema_version",
		  on_version, st);
}

static void on_retry(evutil_socket_t fd, short what, void *arg)
{
	(void)fd;
	(void)what;
	migrate(arg);
}

struct store *store_new(struct event_base *base, const char *conninfo, const char *time_zone,
			void (*on_ready)(void *), void *arg)
{
	struct store *st = xcalloc(1, sizeof(*st));
	char setup[384];
	/* Day arithmetic in the store happens on dates only; the session time
	 * zone matters for timestamps we print (watermarks, as_of). No JIT:
	 * the report's sums were estimated costly enough to compile, ~370 ms
	 * of compiling for a query of a few hundred. */
	snprintf(setup, sizeof(setup),
		 "SET application_name = 'ggzy-metricsd'; SET TimeZone = '%s';"
		 "SELECT set_config('jit', 'off', false)"
		 " WHERE current_setting('server_version_num')::int >= 110000",
		 time_zone);
	st->base = base;
	st->writer = pg_conn_new(base, "store", conninfo, setup, STORE_TIMEOUT);
	st->reader = pg_conn_new(base, "store-reader", conninfo, setup, STORE_TIMEOUT);
	st->retry = evtimer_new(base, on_retry, st);
	st->target_version = count_migrations();
	st->on_ready = on_ready;
	st->on_ready_arg = arg;
	snprintf(st->error, sizeof(st->error), "not connected yet");
	migrate(st);
	return st;
}

void store_free(struct store *st)
{
	if (!st)
		return;
	event_free(st->retry);
	pg_conn_free(st->writer);
	pg_conn_free(st->reader);
	free(st);
}

bool store_is_ready(const struct store *st) { return st->ready; }
bool store_is_up(const struct store *st) { return st->up; }
const char *store_last_error(const struct store *st) { return st->error; }
int store_schema_version(const struct store *st) { return st->version; }
unsigned long store_generation(const struct store *st) { return st->generation; }
bool store_schema_too_new(const struct store *st) { return st->too_new; }

struct done_ctx {
	struct store *st;
	struct pg_conn *conn;
	store_done_cb cb;
	pg_result_cb qcb;
	void *arg;
	bool bumps; /* a nonzero result changes figures: move the generation */
};

/* ggzy.apply_days returns how many buckets it wrote or deleted. */
static bool wrote_buckets(PGresult *res)
{
	return PQntuples(res) == 1 && !PQgetisnull(res, 0, 0) &&
	       strcmp(PQgetvalue(res, 0, 0), "0") != 0;
}

static void on_done(PGresult *res, const char *error, void *arg)
{
	struct done_ctx *ctx = arg;
	note_result(ctx->st, ctx->conn, error);
	if (!error && ctx->bumps && wrote_buckets(res))
		ctx->st->generation++;
	if (ctx->cb)
		ctx->cb(error == NULL, error, ctx->arg);
	else if (ctx->qcb)
		ctx->qcb(res, error, ctx->arg);
	free(ctx);
}

static void run_bumping(struct store *st, struct pg_conn *conn, const char *sql, int nparams,
			const char *const *params, store_done_cb cb, pg_result_cb qcb, void *arg,
			bool bumps)
{
	struct done_ctx *ctx = xmalloc(sizeof(*ctx));
	*ctx = (struct done_ctx){st, conn, cb, qcb, arg, bumps};
	pg_query(conn, sql, nparams, params, on_done, ctx);
}

static void run(struct store *st, struct pg_conn *conn, const char *sql, int nparams,
		const char *const *params, store_done_cb cb, pg_result_cb qcb, void *arg)
{
	run_bumping(st, conn, sql, nparams, params, cb, qcb, arg, false);
}

void store_apply_days(struct store *st, const char *stream, const char *days,
		      const char *facts_json, const char *states_json, const char *watermark,
		      store_done_cb cb, void *arg)
{
	const char *params[] = {stream, days, facts_json, states_json, watermark};
	run_bumping(st, st->writer, "SELECT ggzy.apply_days($1, $2, $3, $4, $5)", 5, params, cb,
		    NULL, arg, true);
}

void store_replace_centers(struct store *st, const char *rows_json, store_done_cb cb, void *arg)
{
	const char *params[] = {rows_json};
	run(st, st->writer, "SELECT ggzy.replace_centers($1)", 1, params, cb, NULL, arg);
}

void store_query_writer(struct store *st, const char *sql, int nparams, const char *const *params,
			pg_result_cb cb, void *arg)
{
	run(st, st->writer, sql, nparams, params, NULL, cb, arg);
}

static void version_read(struct store *st);

struct version_batch {
	struct store *st;
	struct version_waiter *waiters;
};

static void on_store_version(PGresult *res, const char *error, void *arg)
{
	struct version_batch *b = arg;
	struct store *st = b->st;
	st->version_reading = false;
	bool ok = !error && PQntuples(res) == 1;
	long long version = ok ? strtoll(PQgetvalue(res, 0, 0), NULL, 10) : -1;
	for (struct version_waiter *w = b->waiters, *next; w; w = next) {
		next = w->next;
		w->cb(ok, version, w->arg);
		free(w);
	}
	free(b);
	if (st->version_next && !st->version_reading)
		version_read(st);
}

static void version_read(struct store *st)
{
	struct version_batch *b = xmalloc(sizeof(*b));
	b->st = st;
	b->waiters = st->version_next;
	st->version_next = NULL;
	st->version_reading = true;
	run(st, st->reader, "SELECT version FROM ggzy.store_version", 0, NULL, NULL,
	    on_store_version, b);
}

void store_version(struct store *st, store_version_cb cb, void *arg)
{
	struct version_waiter *w = xmalloc(sizeof(*w));
	w->cb = cb;
	w->arg = arg;
	w->next = st->version_next;
	st->version_next = w;
	if (!st->version_reading)
		version_read(st);
}

void store_query(struct store *st, const char *sql, int nparams, const char *const *params,
		 pg_result_cb cb, void *arg)
{
	run(st, st->reader, sql, nparams, params, NULL, cb, arg);
}
