/* store — the daemon's PostgreSQL store: schema migrations (versioned, run
 * by the daemon itself), the atomic replacement of days with their watermark,
 * and read queries for the HTTP side.
 *
 * Two connections: a writer for collectors and migrations, a reader for
 * HTTP, so a long write never delays a scrape. All calls are asynchronous;
 * callbacks follow pg.h's rules. */
#ifndef GGZY_STORE_H
#define GGZY_STORE_H

#include <stdbool.h>

#include "pg.h"

struct event_base;
struct evbuffer;
struct store;

typedef void (*store_done_cb)(bool ok, const char *error, void *arg);

/* Returns a new store handle and starts migrating in the background; a store
 * that is down is retried with backoff. on_ready (may be NULL) is called
 * once the schema is current, the store's functions applied, its measure
 * columns checked against the catalogue and the identity key (from
 * IDENTITY_KEY_FILE, or NULL: the store's own) checked against the store's
 * record of it; a key that differs never becomes ready. */
struct store *store_new(struct event_base *base, const char *conninfo, const char *time_zone,
			const char *identity_key_file, void (*on_ready)(void *), void *arg);
void store_free(struct store *st);

/* Runs only the migrations, for --once and report; ok when current. */
bool store_is_ready(const struct store *st);
/* Whether the last statement on either connection reached the server. */
bool store_is_up(const struct store *st);
const char *store_last_error(const struct store *st);
int store_schema_version(const struct store *st);
/* Moves whenever this process committed days that changed a bucket, so that
 * readers can cache what they computed from the store (/metrics). */
unsigned long store_generation(const struct store *st);
/* The writer's session (pg_conn_sessions): moves when it reconnected, so
 * that what callers registered in the store is registered again. */
unsigned long store_session(const struct store *st);
/* True when the store will not become ready by waiting: its schema is newer
 * than this binary, or its hashes were made with another identity key
 * (--once and report give up; store_last_error says why). */
bool store_refused(const struct store *st);

/* The identity key and the fingerprints' salt (64 hex digits), once ready. */
const struct identity_key *store_identity(const struct store *st);
const char *store_salt(const struct store *st);
/* The measure column (1..12) of base metric METRIC in stream STREAM (0:
 * in any stream; a stock has a column in its inflow's and its outflow's);
 * 0 when the store has none. */
int store_measure_position(const struct store *st, short stream, const char *metric);

/* Calls a store function on the writer ("SELECT ggzy.begin_load($1, ...)"). */
void store_call(struct store *st, const char *sql, int nparams, const char *const *params,
		pg_result_cb cb, void *arg);
/* ggzy.apply_images on a batch: DATA (COPY text of pg_temp.ggzy_stage's
 * columns, taken over) copied and applied in one transaction; params: stream
 * id, source id, rows in DATA, watermark and source clock (NULL but for a
 * poll's last batch). cb(ok, error, count) after the COMMIT, count the images
 * written or retracted. */
typedef void (*store_count_cb)(bool ok, const char *error, long long count, void *arg);
void store_apply_staged(struct store *st, struct evbuffer *data, const char *const params[5],
			store_count_cb cb, void *arg);
/* ggzy.diff_keys of the source's keys and fingerprints in DATA (COPY text of
 * two columns, key and fingerprint; taken over); params: stream id, source
 * id, the months (date[]). cb gets the keys to fetch again (key,
 * may_delete). */
void store_diff_staged(struct store *st, struct evbuffer *data, const char *const params[3],
		       pg_result_cb cb, void *arg);
void store_replace_centers(struct store *st, const char *source, const char *rows_json,
			   store_done_cb cb, void *arg);

/* Writer-side reads that must see the collectors' own commits in order. */
void store_query_writer(struct store *st, const char *sql, int nparams, const char *const *params,
			pg_result_cb cb, void *arg);
/* The figures' version (ggzy.store_version, bumped by every commit that can
 * change a figure, by any process), read on the reader connection by a read
 * that starts after this call; calls that arrive while a read runs share
 * the next one. ok is false when the store did not answer. */
typedef void (*store_version_cb)(bool ok, long long version, void *arg);
void store_version(struct store *st, store_version_cb cb, void *arg);
/* Reader-side query for HTTP handlers. */
void store_query(struct store *st, const char *sql, int nparams, const char *const *params,
		 pg_result_cb cb, void *arg);

#endif
