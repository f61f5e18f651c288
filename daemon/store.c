#include "store.h"

#include <event2/buffer.h>
#include <event2/event.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "catalog.h"
#include "identity.h"
#include "log.h"
#include "sql_files.h"
#include "utf8.h"
#include "xmalloc.h"

#define STORE_TIMEOUT 60
/* The row store's work for a stream (ggzy.finish_load folding ten million
 * images, ggzy.stream_months over every year, a batch under a checkpoint's
 * I/O) takes minutes on a large store, where every other statement takes
 * milliseconds: it gets a deadline of its own. A deadline of 60 s made a
 * first load of 10 M deals start again, and time out again, forever. */
#define STORE_JOB_TIMEOUT 3600
#define BACKOFF_MAX 60
/* Migration numbers are three digits (sql/store/NNN_name.sql). */
#define STORE_MAX_MIGRATION 1000

struct store {
	struct event_base *base;
	struct pg_conn *writer;
	struct pg_conn *reader;
	struct event *retry;
	int backoff;
	bool ready;
	bool up;
	bool complained;
	bool refused;	    /* never ready: schema newer than this binary, another identity key */
	int version;	    /* the highest migration applied */
	int target_version; /* the highest compiled in */
	int applying;	    /* the migration in flight */
	bool applied[STORE_MAX_MIGRATION];
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
	/* Set once the schema is current (store_prepare). */
	char *identity_key_file; /* NULL: the store keeps a key it made */
	struct identity_key identity;
	char salt[2 * IDENTITY_HASH_LEN + 1];
	struct measure {
		char metric[64];
		short stream;
		int position;
	} measures[64];
	size_t nmeasures;
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

/* The number of a migration file, "store/011_feeds.sql" -> 11 (0: not one). */
static int migration_number(const struct sql_file *f)
{
	if (strncmp(f->path, "store/", 6) != 0)
		return 0;
	return atoi(f->path + 6);
}

static int highest_migration(void)
{
	int n = 0;
	for (size_t i = 0; i < sql_nfiles; i++)
		if (migration_number(&sql_files[i]) > n)
			n = migration_number(&sql_files[i]);
	return n;
}

/* The first compiled migration the store has not applied, in number order
 * (the files are sorted by name, so by number); NULL when none is left. */
static const struct sql_file *next_migration(const struct store *st)
{
	for (size_t i = 0; i < sql_nfiles; i++) {
		int n = migration_number(&sql_files[i]);
		if (n > 0 && n < STORE_MAX_MIGRATION && !st->applied[n])
			return &sql_files[i];
	}
	return NULL;
}

static void ignore_result(PGresult *res, const char *error, void *arg)
{
	(void)res;
	(void)error;
	(void)arg;
}

static void on_migration_applied(PGresult *res, const char *error, void *arg);

static void prepare(struct store *st);

static void apply_next(struct store *st)
{
	const struct sql_file *m = next_migration(st);
	if (!m) {
		prepare(st);
		return;
	}
	st->applying = migration_number(m);
	log_info("store: applying migration %s", m->path);
	size_t len = strlen(m->text) + 256;
	char *script = xmalloc(len);
	/* The lock makes concurrent daemons apply each migration once; the
	 * version row's primary key makes a second attempt fail cleanly. */
	snprintf(script, len,
		 "BEGIN; SELECT pg_advisory_xact_lock(747001);\n%s\n"
		 ";INSERT INTO ggzy.schema_version (version) VALUES (%d); COMMIT;",
		 m->text, st->applying);
	/* A migration may rewrite what a large store holds (014 reads every
	 * image: 80 s at 10 M deals): the deadline of a long job. */
	pg_script_timeout(st->writer, STORE_JOB_TIMEOUT, script, on_migration_applied, st);
	free(script);
}

static void on_migration_applied(PGresult *res, const char *error, void *arg)
{
	struct store *st = arg;
	(void)res;
	note_result(st, st->writer, error);
	if (error) {
		log_error("store: migration %d failed: %s", st->applying, error);
		/* A failed script leaves the transaction aborted on this
		 * connection; ROLLBACK before retrying. */
		pg_script(st->writer, "ROLLBACK", ignore_result, NULL);
		schedule_retry(st);
		return;
	}
	st->applied[st->applying] = true;
	if (st->applying > st->version)
		st->version = st->applying;
	apply_next(st);
}

/* The store's applied migrations, one row each. Numbers may have gaps (a
 * migration written on another branch lands later): every compiled one the
 * store lacks is applied, in number order; one the store has and this
 * binary does not is a newer daemon's, and the store is refused. */
static void on_version(PGresult *res, const char *error, void *arg)
{
	struct store *st = arg;
	note_result(st, st->writer, error);
	if (error) {
		log_debug("store: reading schema version failed: %s", error);
		schedule_retry(st);
		return;
	}
	memset(st->applied, 0, sizeof(st->applied));
	st->version = 0;
	int unknown = 0;
	for (int i = 0; i < PQntuples(res); i++) {
		int v = atoi(PQgetvalue(res, i, 0));
		bool compiled = false;
		for (size_t k = 0; k < sql_nfiles; k++)
			compiled |= migration_number(&sql_files[k]) == v;
		if (!compiled || v <= 0 || v >= STORE_MAX_MIGRATION) {
			if (v > unknown)
				unknown = v;
			continue;
		}
		st->applied[v] = true;
		if (v > st->version)
			st->version = v;
	}
	if (unknown) {
		if (unknown > st->target_version)
			snprintf(st->error, sizeof(st->error),
				 "store schema version %d is newer than this daemon (%d)", unknown,
				 st->target_version);
		else
			snprintf(st->error, sizeof(st->error),
				 "store schema has migration %03d, which this daemon (%d) does not "
				 "have: a newer daemon migrated it",
				 unknown, st->target_version);
		log_error("store: %s; refusing to write", st->error);
		st->refused = true;
		return;
	}
	apply_next(st);
}

/* ---- after the migrations: functions, measures, the identity key ----
 *
 * The store's functions are the files of sql/functions/, one per function,
 * applied (CREATE OR REPLACE) after every migration run, so the file a
 * reader opens is the function that runs; then the measure columns are
 * checked against the catalogue and the identity key against the store's
 * record of it. Only then is the store ready. */

/* A failure to prepare the store; the ones no retry can mend (a key that
 * differs, a missing measure column) also make it refused. */
static void prepare_failed(struct store *st, const char *what, const char *error)
{
	log_error("store: %s: %s", what, error);
	snprintf(st->error, sizeof(st->error), "%s: %s", what, error);
	utf8_scrub(st->error);
}

static void became_ready(struct store *st)
{
	st->ready = true;
	st->backoff = 0;
	log_info("store: schema at version %d", st->version);
	if (st->on_ready)
		st->on_ready(st->on_ready_arg);
}

static void on_identity(PGresult *res, const char *error, void *arg)
{
	struct store *st = arg;
	note_result(st, st->writer, error);
	if (error || PQntuples(res) != 1) {
		prepare_failed(st, "identity key", error ? error : "no record");
		schedule_retry(st);
		return;
	}
	const char *stored = PQgetvalue(res, 0, 0);
	if (!st->identity_key_file) {
		/* The key the store keeps (ours, or another daemon's first). */
		const char *hex = PQgetisnull(res, 0, 1) ? NULL : PQgetvalue(res, 0, 1);
		if (!hex) {
			prepare_failed(st, "identity key",
				       "this store's hashes were made with an identity_key_file; "
				       "configure the same file in [daemon]");
			st->refused = true;
			return;
		}
		if (strncmp(hex, "\\x", 2) != 0 || !identity_key_from_hex(hex + 2, &st->identity)) {
			prepare_failed(st, "identity key", "the store's key is not a key");
			st->refused = true;
			return;
		}
	}
	char mine[2 * 16 + 1];
	identity_fingerprint(&st->identity, mine);
	if (strcmp(mine, stored) != 0) {
		char why[256];
		snprintf(why, sizeof(why),
			 "the key's fingerprint is %s, the store's hashes were made with %s; "
			 "restore that key (a new one would count every expert and bidder again)",
			 mine, stored);
		prepare_failed(st, "identity key", why);
		st->refused = true;
		return; /* never ready: waiting does not change a key */
	}
	identity_salt(&st->identity, st->salt);
	became_ready(st);
}

static void check_identity(struct store *st)
{
	char fingerprint[2 * 16 + 1], *secret = NULL;
	if (st->identity_key_file) {
		char err[512];
		if (!identity_key_load(st->identity_key_file, &st->identity, err, sizeof(err))) {
			prepare_failed(st, "identity key", err);
			st->refused = true;
			return;
		}
	} else if (!identity_key_random(&st->identity)) {
		prepare_failed(st, "identity key", "no randomness to make one");
		st->refused = true;
		return;
	}
	identity_fingerprint(&st->identity, fingerprint);
	if (!st->identity_key_file) {
		secret = xmalloc(2 * st->identity.len + 3);
		secret[0] = '\\';
		secret[1] = 'x';
		identity_hex(st->identity.bytes, st->identity.len, secret + 2);
	}
	const char *params[2] = {fingerprint, secret};
	pg_query(st->writer, "SELECT fingerprint, secret FROM ggzy.identity_key($1, $2::bytea)", 2,
		 params, on_identity, st);
	free(secret);
}

static void on_measures(PGresult *res, const char *error, void *arg)
{
	struct store *st = arg;
	note_result(st, st->writer, error);
	if (error) {
		prepare_failed(st, "reading the measure columns", error);
		schedule_retry(st);
		return;
	}
	st->nmeasures = 0;
	for (int i = 0; i < PQntuples(res) && st->nmeasures < 64; i++) {
		struct measure *m = &st->measures[st->nmeasures++];
		snprintf(m->metric, sizeof(m->metric), "%s", PQgetvalue(res, i, 0));
		m->stream = (short)atoi(PQgetvalue(res, i, 1));
		m->position = atoi(PQgetvalue(res, i, 2));
	}
	/* Every base metric of the catalogue has its column, in its stream. */
	for (size_t i = 0; i < catalog_nmetrics; i++) {
		const struct metric_def *md = &catalog_metrics[i];
		if (!catalog_has_column(md))
			continue;
		const struct measure *m = NULL;
		for (size_t k = 0; k < st->nmeasures; k++)
			if (strcmp(st->measures[k].metric, md->name) == 0)
				m = &st->measures[k];
		if (!m) {
			char why[160];
			snprintf(why, sizeof(why),
				 "metric %s has no column in ggzy.measure (a migration is missing)",
				 md->name);
			prepare_failed(st, "the store's measures", why);
			st->refused = true;
			return;
		}
	}
	check_identity(st);
}

static void on_functions(PGresult *res, const char *error, void *arg)
{
	struct store *st = arg;
	(void)res;
	note_result(st, st->writer, error);
	if (error) {
		prepare_failed(st, "applying sql/functions", error);
		pg_script(st->writer, "ROLLBACK", ignore_result, NULL);
		schedule_retry(st);
		return;
	}
	pg_query(st->writer,
		 "SELECT m.metric, m.stream, m.position FROM ggzy.measure m ORDER BY 2, 3", 0, NULL,
		 on_measures, st);
}

static void prepare(struct store *st)
{
	struct evbuffer *script = evbuffer_new();
	evbuffer_add_printf(script, "BEGIN; SELECT pg_advisory_xact_lock(747001);\n");
	for (size_t i = 0; i < sql_nfiles; i++)
		if (strncmp(sql_files[i].path, "functions/", 10) == 0)
			evbuffer_add_printf(script, "%s\n;\n", sql_files[i].text);
	evbuffer_add_printf(script, "%s;\nCOMMIT;", sql_text("queries/prepare_derived.sql"));
	evbuffer_add(script, "", 1);
	pg_script(st->writer, (const char *)evbuffer_pullup(script, -1), on_functions, st);
	evbuffer_free(script);
}

static void migrate(struct store *st)
{
	pg_script(st->writer,
		  "CREATE SCHEMA IF NOT EXISTS ggzy;"
		  "CREATE TABLE IF NOT EXISTS ggzy.schema_version ("
		  " version integer PRIMARY KEY,"
		  " applied_at timestamptz NOT NULL DEFAULT now());"
		  "SELECT version FROM ggzy.schema_version ORDER BY version",
		  on_version, st);
}

static void on_retry(evutil_socket_t fd, short what, void *arg)
{
	(void)fd;
	(void)what;
	migrate(arg);
}

struct store *store_new(struct event_base *base, const char *conninfo, const char *time_zone,
			const char *identity_key_file, void (*on_ready)(void *), void *arg)
{
	struct store *st = xcalloc(1, sizeof(*st));
	st->identity_key_file = xstrdup_or_null(identity_key_file);
	char setup[640];
	/* Day arithmetic in the store happens on dates only; the session time
	 * zone matters for timestamps we print (watermarks, as_of). No JIT:
	 * the report's sums were estimated costly enough to compile, ~370 ms
	 * of compiling for a query of a few hundred. A statement whose
	 * deadline passed (the connection dropped) is ended by the server
	 * within 10 s (PostgreSQL 14: client_connection_check_interval), not
	 * left running beside its retry. */
	snprintf(setup, sizeof(setup),
		 "SET application_name = 'ggzy-metricsd'; SET TimeZone = '%s';"
		 "SELECT set_config('jit', 'off', false)"
		 " WHERE current_setting('server_version_num')::int >= 110000;"
		 "SELECT set_config('client_connection_check_interval', '10s', false)"
		 " WHERE current_setting('server_version_num')::int >= 140000",
		 time_zone);
	st->base = base;
	/* The writer stages batches in a temporary table of its session. */
	size_t wlen = strlen(setup) + strlen(sql_text("queries/stage.sql")) + 4;
	char *writer_setup = xmalloc(wlen);
	snprintf(writer_setup, wlen, "%s;\n%s", setup, sql_text("queries/stage.sql"));
	st->writer = pg_conn_new(base, "store", conninfo, writer_setup, STORE_TIMEOUT);
	free(writer_setup);
	st->reader = pg_conn_new(base, "store-reader", conninfo, setup, STORE_TIMEOUT);
	st->retry = evtimer_new(base, on_retry, st);
	st->target_version = highest_migration();
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
	free(st->identity_key_file);
	free(st);
}

bool store_is_ready(const struct store *st) { return st->ready; }
bool store_is_up(const struct store *st) { return st->up; }
const char *store_last_error(const struct store *st) { return st->error; }
int store_schema_version(const struct store *st) { return st->version; }
unsigned long store_generation(const struct store *st) { return st->generation; }
unsigned long store_session(const struct store *st) { return pg_conn_sessions(st->writer); }
bool store_refused(const struct store *st) { return st->refused; }

struct done_ctx {
	struct store *st;
	struct pg_conn *conn;
	store_done_cb cb;
	pg_result_cb qcb;
	void *arg;
	bool bumps; /* a nonzero result changes figures: move the generation */
};

/* ggzy.apply_images returns how many images it wrote or retracted. */
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

/* ---- the row store's writes (sql/functions/) ---- */

const char *store_salt(const struct store *st) { return st->salt; }
const struct identity_key *store_identity(const struct store *st) { return &st->identity; }

int store_measure_position(const struct store *st, short stream, const char *metric)
{
	for (size_t i = 0; i < st->nmeasures; i++)
		if ((stream == 0 || st->measures[i].stream == stream) &&
		    strcmp(st->measures[i].metric, metric) == 0)
			return st->measures[i].position;
	return 0;
}

void store_call(struct store *st, const char *sql, int nparams, const char *const *params,
		pg_result_cb cb, void *arg)
{
	struct done_ctx *ctx = xmalloc(sizeof(*ctx));
	*ctx = (struct done_ctx){st, st->writer, NULL, cb, arg, false};
	pg_query_timeout(st->writer, STORE_JOB_TIMEOUT, sql, nparams, params, on_done, ctx);
}

/* One staged transaction: BEGIN, COPY into pg_temp.ggzy_stage, the call,
 * COMMIT, queued together so nothing else runs in between on the writer.
 * The callback comes once: at the call's result (reads), or at the COMMIT
 * (writes), with the first error of any step. */
struct staged {
	struct store *st;
	bool at_commit; /* report after COMMIT, with the call's count */
	pg_result_cb qcb;
	store_count_cb ccb;
	void *arg;
	char error[512];
	long long count;
};

static void staged_step(PGresult *res, const char *error, void *arg)
{
	struct staged *s = arg;
	(void)res;
	note_result(s->st, s->st->writer, error);
	if (error && !s->error[0])
		snprintf(s->error, sizeof(s->error), "%s", error);
}

static void staged_call(PGresult *res, const char *error, void *arg)
{
	struct staged *s = arg;
	staged_step(res, error, arg);
	if (!s->at_commit) {
		s->qcb(s->error[0] ? NULL : res, s->error[0] ? s->error : NULL, s->arg);
		s->qcb = NULL; /* answered; the COMMIT only cleans up */
		return;
	}
	if (!s->error[0] && PQntuples(res) == 1)
		s->count = atoll(PQgetvalue(res, 0, 0));
}

static void staged_commit(PGresult *res, const char *error, void *arg)
{
	struct staged *s = arg;
	staged_step(res, error, arg);
	/* COMMIT of a transaction a step aborted answers ROLLBACK. */
	if (!s->error[0] && res && strcmp(PQcmdStatus(res), "ROLLBACK") == 0)
		snprintf(s->error, sizeof(s->error), "the transaction was rolled back");
	if (s->at_commit) {
		if (!s->error[0] && s->count > 0)
			s->st->generation++;
		s->ccb(!s->error[0], s->error[0] ? s->error : NULL, s->count, s->arg);
	}
	free(s);
}

static void staged(struct store *st, const char *copy_sql, struct evbuffer *data, const char *sql,
		   int nparams, const char *const *params, struct staged *s)
{
	s->st = st;
	pg_script(st->writer, "BEGIN", staged_step, s);
	pg_copy_in(st->writer, copy_sql, data, staged_step, s);
	pg_query_timeout(st->writer, STORE_JOB_TIMEOUT, sql, nparams, params, staged_call, s);
	pg_script(st->writer, "COMMIT", staged_commit, s);
}

void store_apply_staged(struct store *st, struct evbuffer *data, const char *const params[5],
			store_count_cb cb, void *arg)
{
	struct staged *s = xcalloc(1, sizeof(*s));
	s->at_commit = true;
	s->ccb = cb;
	s->arg = arg;
	staged(st,
	       "COPY pg_temp.ggzy_stage (key, deleted, day, center, category, kind, scope, role, "
	       "person, ref, fingerprint, m1, m2, m3, m4, m5, m6, m7, m8, m9, m10, m11, m12) "
	       "FROM STDIN",
	       data, "SELECT ggzy.apply_images($1, $2, $3, $4, $5)", 5, params, s);
}

void store_diff_staged(struct store *st, struct evbuffer *data, const char *const params[3],
		       pg_result_cb cb, void *arg)
{
	struct staged *s = xcalloc(1, sizeof(*s));
	s->qcb = cb;
	s->arg = arg;
	/* Only what the comparison reads: a month's keys of millions of rows are
	 * a third of the full columns' text. */
	staged(st, "COPY pg_temp.ggzy_stage (key, fingerprint) FROM STDIN", data,
	       "SELECT key, may_delete FROM ggzy.diff_keys($1, $2, $3)", 3, params, s);
}

void store_replace_centers(struct store *st, const char *source, const char *rows_json,
			   store_done_cb cb, void *arg)
{
	const char *params[] = {source, rows_json};
	run(st, st->writer, "SELECT ggzy.replace_centers($1, $2)", 2, params, cb, NULL, arg);
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
