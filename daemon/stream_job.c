#include "stream_job.h"

#include <event2/buffer.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "catalog.h"
#include "days.h"
#include "identity.h"
#include "log.h"
#include "pg.h"
#include "pg_array.h"
#include "store.h"
#include "wallclock.h"
#include "xmalloc.h"

/* Rows per cursor FETCH and per store transaction: large enough that the
 * round trips do not count (a 1 M load took the same time as with 20,000),
 * small enough that the batches in flight of six streams loading at once
 * (read, waiting, being applied) stay small: peak RSS 26 MB there, against
 * 42 MB with 20,000 (tests/bench/README.md). */
#define FETCH_ROWS 10000
/* Keys per fetch by key (reconciliation). */
#define KEYS_PER_FETCH 2000
/* A load logs its progress this often (seconds). */
#define PROGRESS_EVERY 5.0
#define MEASURES 12

struct batch {
	struct evbuffer *data; /* COPY text */
	int rows;
	bool final; /* a poll's last: it carries the watermark */
};

struct job {
	struct stream_progress *p;
	struct stream_job_env env;
	enum stream_job_kind kind;
	stream_job_cb done;
	void *arg;
	char stream_id[8], source_id[16];

	bool loading;	    /* the stream is not loaded: this job loads it */
	bool in_txn;	    /* a source transaction is open */
	char clock[64];	    /* the source's now() in this job's transaction */
	char bound[64];	    /* a poll's: rows updated after this */
	char watermark[64]; /* the newest updated_at seen; "" none */
	unsigned long long rows_read;
	long long changed; /* images written or retracted */

	/* the batch pipeline of a load or a poll */
	bool fetching, source_done;
	int applying;
	struct batch *pending;

	/* a reconciliation (or a resumed load) */
	bool all_years;
	char from_day[11], from_at[40];
	PGresult *source_months; /* kept until the store's are read */
	long *months;		 /* the months that differ (first days) */
	size_t nmonths, month;
	char **keys;
	bool *may_delete;
	size_t nkeys, key;

	struct timespec started, last_log;
	long long loaded_at_start;

	int outstanding; /* statements sent whose callbacks have not run */
	bool finished;	 /* done was called; the last callback frees */
};

static void finish(struct job *j, bool ok, enum fault fault, const char *error);

static double seconds_since(const struct timespec *t0)
{
	struct timespec t1;
	clock_gettime(CLOCK_MONOTONIC, &t1);
	return (double)(t1.tv_sec - t0->tv_sec) + (double)(t1.tv_nsec - t0->tv_nsec) / 1e9;
}

static const char *stream_name(const struct job *j) { return j->p->def->name; }

static bool gone(struct job *j) { return j->env.abandoned && j->env.abandoned(j->arg); }

/* Every statement a job sends is counted until its callback runs, so that
 * a job that ends (or a daemon that stops) with a statement still in
 * flight is freed by the last callback, never under one. */
static void src_query(struct job *j, const char *sql, int nparams, const char *const *params,
		      pg_result_cb cb)
{
	j->outstanding++;
	pg_query(j->env.source, sql, nparams, params, cb, j);
}

static void src_script(struct job *j, const char *sql, pg_result_cb cb)
{
	j->outstanding++;
	pg_script(j->env.source, sql, cb, j);
}

static void st_call(struct job *j, const char *sql, int nparams, const char *const *params,
		    pg_result_cb cb)
{
	j->outstanding++;
	store_call(j->env.store, sql, nparams, params, cb, j);
}

static void st_apply(struct job *j, struct evbuffer *data, const char *const params[5],
		     store_count_cb cb)
{
	j->outstanding++;
	store_apply_staged(j->env.store, data, params, cb, j);
}

static void st_diff(struct job *j, struct evbuffer *data, const char *const params[3],
		    pg_result_cb cb)
{
	j->outstanding++;
	store_diff_staged(j->env.store, data, params, cb, j);
}

static void job_free(struct job *j);

/* First in every callback: true when the job is over (finished, or the
 * daemon stopping), and then the callback returns at once. */
static bool settle(struct job *j)
{
	j->outstanding--;
	if (!j->finished && !gone(j))
		return false;
	if (j->outstanding == 0)
		job_free(j);
	return true;
}

static void ignore_result(PGresult *res, const char *error, void *arg)
{
	(void)res, (void)error, (void)arg;
}

static void free_keys(struct job *j)
{
	for (size_t i = 0; i < j->nkeys; i++)
		free(j->keys[i]);
	free(j->keys);
	free(j->may_delete);
	j->keys = NULL;
	j->may_delete = NULL;
	j->nkeys = j->key = 0;
}

static void batch_free(struct batch *b)
{
	if (b) {
		if (b->data)
			evbuffer_free(b->data);
		free(b);
	}
}

static void job_free(struct job *j)
{
	batch_free(j->pending);
	PQclear(j->source_months);
	free(j->months);
	free_keys(j);
	free(j);
}

static void finish(struct job *j, bool ok, enum fault fault, const char *error)
{
	if (!ok && j->in_txn && !gone(j))
		pg_script(j->env.source, "ROLLBACK", ignore_result, NULL);
	j->in_txn = false;
	stream_job_cb done = j->done;
	void *arg = j->arg;
	unsigned long long rows = j->rows_read;
	char msg[600];
	snprintf(msg, sizeof(msg), "%s", error ? error : "");
	j->finished = true;
	if (j->outstanding == 0)
		job_free(j);
	done(ok, fault, ok ? NULL : msg, rows, arg);
}

static void fail(struct job *j, enum fault fault, const char *what, const char *error)
{
	char msg[600];
	snprintf(msg, sizeof(msg), "%s: %s: %s", stream_name(j), what, error);
	finish(j, false, fault, msg);
}

/* ---- source statements: $1 the time zone, $2 the salt, then ours ---- */

static void source_query(struct job *j, const char *sql, int nextra, const char *const *extra,
			 pg_result_cb cb)
{
	const char *params[8] = {j->env.timezone, store_salt(j->env.store)};
	for (int i = 0; i < nextra && i < 6; i++)
		params[2 + i] = extra[i];
	src_query(j, sql, 2 + nextra, params, cb);
}

/* ---- staging rows (COPY text of pg_temp.ggzy_stage) ---- */

struct columns {
	int key, day, updated_at, fingerprint, person, ref;
	int label[LABEL_COUNT];
	int measure[MEASURES]; /* result column of m1..m12, -1 none */
};

static bool map_columns(struct job *j, const PGresult *res, struct columns *c, char *err,
			size_t errlen)
{
	c->key = c->day = c->updated_at = c->fingerprint = c->person = c->ref = -1;
	for (int l = 0; l < LABEL_COUNT; l++)
		c->label[l] = -1;
	for (int m = 0; m < MEASURES; m++)
		c->measure[m] = -1;
	for (int i = 0; i < PQnfields(res); i++) {
		const char *name = PQfname(res, i);
		int l = catalog_label_index(catalog_label_bit(name));
		int pos;
		if (strcmp(name, "key") == 0)
			c->key = i;
		else if (strcmp(name, "day") == 0)
			c->day = i;
		else if (strcmp(name, "updated_at") == 0)
			c->updated_at = i;
		else if (strcmp(name, "fingerprint") == 0)
			c->fingerprint = i;
		else if (strcmp(name, "person") == 0)
			c->person = i;
		else if (strcmp(name, "ref") == 0)
			c->ref = i;
		else if (l >= 0)
			c->label[l] = i;
		else if ((pos = store_measure_position(j->env.store, j->p->def->id, name)) > 0)
			c->measure[pos - 1] = i;
		else if (store_measure_position(j->env.store, 0, name) > 0) {
			snprintf(err, errlen, "column %s is a measure of another stream", name);
			return false;
		}
	}
	if (c->key < 0 || c->day < 0 || c->fingerprint < 0 || c->label[0] < 0) {
		snprintf(err, errlen, "the stream's SQL lacks key, day, fingerprint or center");
		return false;
	}
	return true;
}

/* Appends V escaped for COPY text format. */
static void copy_text(struct evbuffer *out, const char *v)
{
	const char *run = v;
	for (; *v; v++) {
		const char *esc = *v == '\\'   ? "\\\\"
				  : *v == '\t' ? "\\t"
				  : *v == '\n' ? "\\n"
				  : *v == '\r' ? "\\r"
					       : NULL;
		if (!esc)
			continue;
		evbuffer_add(out, run, (size_t)(v - run));
		evbuffer_add(out, esc, 2);
		run = v + 1;
	}
	evbuffer_add(out, run, (size_t)(v - run));
}

static void copy_field(struct evbuffer *out, const PGresult *res, int row, int col, bool first)
{
	if (!first)
		evbuffer_add(out, "\t", 1);
	if (col < 0 || PQgetisnull(res, row, col))
		evbuffer_add(out, "\\N", 2);
	else
		copy_text(out, PQgetvalue(res, row, col));
}

/* A measure of 0 is stored as NULL (most measures of most rows are). */
static bool is_zero(const char *v)
{
	if (*v == '-')
		v++;
	if (*v++ != '0')
		return false;
	if (*v == '.')
		for (v++; *v == '0'; v++)
			;
	return *v == '\0';
}

static void deleted_row(struct evbuffer *out, const char *key)
{
	copy_text(out, key);
	evbuffer_add(out, "\tt", 2);
	for (int i = 0; i < 9 + MEASURES; i++)
		evbuffer_add(out, "\t\\N", 3);
	evbuffer_add(out, "\n", 1);
}

/* One row of a stream's result as a stage row: an image, or (day NULL: it
 * counts for nothing here) a retraction. */
static void stage_row(struct job *j, struct evbuffer *out, const PGresult *res, int row,
		      const struct columns *c)
{
	if (c->updated_at >= 0 && !PQgetisnull(res, row, c->updated_at)) {
		const char *u = PQgetvalue(res, row, c->updated_at);
		/* The session is in UTC: one format, so text order is time order. */
		if (strcmp(u, j->watermark) > 0)
			snprintf(j->watermark, sizeof(j->watermark), "%s", u);
	}
	if (PQgetisnull(res, row, c->day)) {
		deleted_row(out, PQgetvalue(res, row, c->key));
		return;
	}
	copy_text(out, PQgetvalue(res, row, c->key));
	evbuffer_add(out, "\tf", 2);
	copy_field(out, res, row, c->day, false);
	for (int l = 0; l < LABEL_COUNT; l++) {
		if (c->label[l] < 0 || PQgetisnull(res, row, c->label[l]))
			evbuffer_add(out, l ? "\t" : "\t\\N", l ? 1 : 3);
		else
			copy_field(out, res, row, c->label[l], false);
	}
	if (c->person >= 0 && !PQgetisnull(res, row, c->person)) {
		/* The identity never leaves this function: its HMAC does. */
		unsigned char h[IDENTITY_HASH_LEN];
		char hex[2 * IDENTITY_HASH_LEN + 1];
		const char *id = PQgetvalue(res, row, c->person);
		identity_hash(store_identity(j->env.store), id,
			      (size_t)PQgetlength(res, row, c->person), h);
		identity_hex(h, IDENTITY_HASH_LEN, hex);
		evbuffer_add_printf(out, "\t\\\\x%s", hex);
	} else {
		evbuffer_add(out, "\t\\N", 3);
	}
	copy_field(out, res, row, c->ref, false);
	copy_field(out, res, row, c->fingerprint, false);
	for (int m = 0; m < MEASURES; m++) {
		int col = c->measure[m];
		if (col < 0 || PQgetisnull(res, row, col) || is_zero(PQgetvalue(res, row, col)))
			evbuffer_add(out, "\t\\N", 3);
		else
			copy_field(out, res, row, col, false);
	}
	evbuffer_add(out, "\n", 1);
}

/* BUF is taken over. */
static struct batch *batch_of(struct evbuffer *buf, int rows)
{
	struct batch *b = xcalloc(1, sizeof(*b));
	b->data = buf;
	b->rows = rows;
	return b;
}

/* ---- applying batches ---- */

static void fetch_next(struct job *j);
static void stream_read(struct job *j);

static void log_progress(struct job *j, bool force)
{
	struct stream_progress *p = j->p;
	double since = seconds_since(&j->last_log);
	if (!j->loading || (!force && since < PROGRESS_EVERY))
		return;
	clock_gettime(CLOCK_MONOTONIC, &j->last_log);
	double took = seconds_since(&j->started);
	double rate = took > 0 ? (double)(p->rows_loaded - j->loaded_at_start) / took : 0;
	long long left = p->rows_expected - p->rows_loaded;
	if (p->rows_expected > 0 && rate > 0 && left > 0)
		log_info(
		    "source %s: %s: loading %lld of %lld rows (%.0f%%), %.0f rows/s, about %.0f s "
		    "left",
		    j->env.source_name, stream_name(j), p->rows_loaded, p->rows_expected,
		    100.0 * (double)p->rows_loaded / (double)p->rows_expected, rate,
		    (double)left / rate);
	else
		log_info("source %s: %s: loading, %lld rows so far", j->env.source_name,
			 stream_name(j), p->rows_loaded);
}

static void send_apply(struct job *j, struct batch *b);

static void on_applied(bool ok, const char *error, long long count, void *arg)
{
	struct job *j = arg;
	if (settle(j))
		return;
	j->applying--;
	if (!ok) {
		fail(j, FAULT_STORE, "store", error);
		return;
	}
	j->changed += count;
	log_progress(j, false);
	if (j->pending) {
		struct batch *b = j->pending;
		j->pending = NULL;
		send_apply(j, b);
		fetch_next(j);
		return;
	}
	if (j->source_done && j->applying == 0)
		stream_read(j);
	else
		fetch_next(j);
}

/* A poll that found nothing only records itself: one statement, no COPY. */
static void on_recorded(PGresult *res, const char *error, void *arg)
{
	on_applied(!error, error, 0, arg);
	(void)res;
}

static void send_apply(struct job *j, struct batch *b)
{
	char rows[16];
	snprintf(rows, sizeof(rows), "%d", b->rows);
	const char *params[5] = {j->stream_id, j->source_id, rows,
				 b->final && j->watermark[0] ? j->watermark : NULL,
				 b->final ? j->clock : NULL};
	j->applying++;
	if (j->loading)
		j->p->rows_loaded += b->rows;
	if (b->rows == 0) {
		st_call(j, "SELECT ggzy.apply_images($1, $2, $3, $4, $5)", 5, params, on_recorded);
		batch_free(b);
		return;
	}
	st_apply(j, b->data, params, on_applied);
	b->data = NULL; /* the store took it */
	batch_free(b);
}

/* A batch goes to the store at once, or waits for the one being applied. */
static void submit(struct job *j, struct batch *b)
{
	if (j->applying == 0)
		send_apply(j, b);
	else
		j->pending = b;
}

/* ---- a load or a poll: a cursor over the stream's rows ---- */

/* A batch of rows read (j->source_done says whether it is the last): staged
 * and sent to the store, then the next batch is asked for. */
static void take_rows(struct job *j, PGresult *res)
{
	int n = PQntuples(res);
	j->rows_read += (unsigned long long)n;
	if (n > 0 || (j->source_done && !j->loading)) {
		/* A poll's last batch carries the watermark, even if empty. */
		struct columns c;
		char err[200];
		if (n > 0 && !map_columns(j, res, &c, err, sizeof(err))) {
			fail(j, FAULT_SOURCE, "rows", err);
			return;
		}
		struct evbuffer *buf = evbuffer_new();
		for (int row = 0; row < n; row++)
			stage_row(j, buf, res, row, &c);
		struct batch *b = batch_of(buf, n);
		b->final = j->source_done && !j->loading;
		submit(j, b);
	}
	if (j->source_done) {
		if (j->applying == 0 && !j->pending)
			stream_read(j);
		return;
	}
	fetch_next(j);
}

static void on_fetched(PGresult *res, const char *error, void *arg)
{
	struct job *j = arg;
	if (settle(j))
		return;
	j->fetching = false;
	if (error) {
		fail(j, FAULT_SOURCE, "fetch", error);
		return;
	}
	j->source_done = PQntuples(res) < FETCH_ROWS;
	take_rows(j, res);
}

static void fetch_next(struct job *j)
{
	if (j->source_done || j->fetching || j->pending)
		return;
	j->fetching = true;
	char fetch[48];
	snprintf(fetch, sizeof(fetch), "FETCH %d FROM ggzy_rows", FETCH_ROWS);
	src_query(j, fetch, 0, NULL, on_fetched);
}

static void on_declared(PGresult *res, const char *error, void *arg)
{
	struct job *j = arg;
	(void)res;
	if (settle(j))
		return;
	if (error) {
		fail(j, FAULT_SOURCE, "declare", error);
		return;
	}
	clock_gettime(CLOCK_MONOTONIC, &j->last_log);
	fetch_next(j);
}

static void declare_cursor(struct job *j, const char *sql, int nextra, const char *const *extra)
{
	size_t len = strlen(sql) + 64;
	char *declare = xmalloc(len);
	snprintf(declare, len, "DECLARE ggzy_rows NO SCROLL CURSOR FOR %s", sql);
	source_query(j, declare, nextra, extra, on_declared);
	free(declare);
}

/* ---- the end of a stream's work ---- */

static void on_finished_load(PGresult *res, const char *error, void *arg)
{
	struct job *j = arg;
	(void)res;
	if (settle(j))
		return;
	if (error) {
		fail(j, FAULT_STORE, "store", error);
		return;
	}
	snprintf(j->p->state, sizeof(j->p->state), "loaded");
	log_info("source %s: %s: loaded %lld rows in %.1f s", j->env.source_name, stream_name(j),
		 j->p->rows_loaded, seconds_since(&j->started));
	time(&j->p->last_reconcile);
	j->p->last_reconcile_all = j->p->last_reconcile;
	j->p->loaded_by_job = true;
	finish(j, true, FAULT_SOURCE, NULL);
}

/* The source's part is over (its transaction, if any, committed). */
static void source_read(struct job *j)
{
	if (j->loading) {
		const char *params[3] = {j->stream_id, j->source_id,
					 j->watermark[0] ? j->watermark : NULL};
		st_call(j, "SELECT ggzy.finish_load($1, $2, $3)", 3, params, on_finished_load);
		return;
	}
	if (j->changed > 0)
		log_info("source %s: %s: %lld row(s) changed, %llu read", j->env.source_name,
			 stream_name(j), j->changed, j->rows_read);
	j->p->changed_total += j->changed;
	finish(j, true, FAULT_SOURCE, NULL);
}

static void on_committed(PGresult *res, const char *error, void *arg)
{
	struct job *j = arg;
	(void)res;
	if (settle(j))
		return;
	j->in_txn = false;
	if (error) {
		fail(j, FAULT_SOURCE, "commit", error);
		return;
	}
	source_read(j);
}

/* Every row the job meant to read is read and applied. */
static void stream_read(struct job *j)
{
	log_progress(j, true);
	if (!j->in_txn) { /* a poll read in one statement: nothing to commit */
		source_read(j);
		return;
	}
	src_script(j, "COMMIT", on_committed);
}

/* ---- reconciliation: months, then rows ---- */

static void reconcile_done(struct job *j);
static void next_month(struct job *j);
static void fetch_keys(struct job *j);

static void on_keys_applied(bool ok, const char *error, long long count, void *arg)
{
	struct job *j = arg;
	if (settle(j))
		return;
	if (!ok) {
		fail(j, FAULT_STORE, "store", error);
		return;
	}
	j->changed += count;
	log_progress(j, false);
	if (j->key < j->nkeys) {
		fetch_keys(j);
		return;
	}
	free_keys(j);
	next_month(j);
}

static void on_keys_fetched(PGresult *res, const char *error, void *arg)
{
	struct job *j = arg;
	if (settle(j))
		return;
	if (error) {
		fail(j, FAULT_SOURCE, "rows by key", error);
		return;
	}
	size_t start = j->key,
	       end = start + KEYS_PER_FETCH < j->nkeys ? start + KEYS_PER_FETCH : j->nkeys;
	j->key = end;
	int n = PQntuples(res);
	j->rows_read += (unsigned long long)n;
	struct columns c;
	char err[200];
	if (n > 0 && !map_columns(j, res, &c, err, sizeof(err))) {
		fail(j, FAULT_SOURCE, "rows", err);
		return;
	}
	struct evbuffer *buf = evbuffer_new();
	int rows = 0;
	for (int row = 0; row < n; row++, rows++)
		stage_row(j, buf, res, row, &c);
	/* What the store holds and the source no longer has is retracted. */
	for (size_t k = start; k < end; k++) {
		if (!j->may_delete[k])
			continue;
		bool found = false;
		for (int row = 0; row < n && !found; row++)
			found = strcmp(PQgetvalue(res, row, c.key), j->keys[k]) == 0;
		if (!found) {
			deleted_row(buf, j->keys[k]);
			rows++;
		}
	}
	struct batch *b = batch_of(buf, rows);
	char nrows[16];
	snprintf(nrows, sizeof(nrows), "%d", rows);
	const char *params[5] = {j->stream_id, j->source_id, nrows, NULL, NULL};
	if (j->loading)
		j->p->rows_loaded += n;
	/* apply this chunk, then fetch the next (on_keys_applied) */
	st_apply(j, b->data, params, on_keys_applied);
	b->data = NULL;
	batch_free(b);
}

static void fetch_keys(struct job *j)
{
	size_t end = j->key + KEYS_PER_FETCH < j->nkeys ? j->key + KEYS_PER_FETCH : j->nkeys;
	struct pg_array keys;
	pg_array_begin(&keys);
	for (size_t k = j->key; k < end; k++)
		pg_array_add(&keys, j->keys[k]);
	char *literal = pg_array_end(&keys);
	const char *extra[1] = {literal};
	source_query(j, j->p->sql.keys, 1, extra, on_keys_fetched);
	free(literal);
}

static void on_diff(PGresult *res, const char *error, void *arg)
{
	struct job *j = arg;
	if (settle(j))
		return;
	if (error) {
		fail(j, FAULT_STORE, "store", error);
		return;
	}
	free_keys(j);
	j->nkeys = (size_t)PQntuples(res);
	j->keys = xcalloc(j->nkeys, sizeof(*j->keys));
	j->may_delete = xcalloc(j->nkeys, sizeof(*j->may_delete));
	for (size_t k = 0; k < j->nkeys; k++) {
		j->keys[k] = xstrdup(PQgetvalue(res, (int)k, 0));
		j->may_delete[k] = PQgetvalue(res, (int)k, 1)[0] == 't';
	}
	if (j->nkeys == 0) {
		next_month(j);
		return;
	}
	fetch_keys(j);
}

static void on_month_keys(PGresult *res, const char *error, void *arg)
{
	struct job *j = arg;
	if (settle(j))
		return;
	if (error) {
		fail(j, FAULT_SOURCE, "month keys", error);
		return;
	}
	int n = PQntuples(res);
	j->rows_read += (unsigned long long)n;
	struct evbuffer *buf = evbuffer_new();
	for (int row = 0; row < n; row++) { /* key, fingerprint (store_diff_staged) */
		copy_text(buf, PQgetvalue(res, row, 0));
		evbuffer_add(buf, "\t", 1);
		copy_text(buf, PQgetvalue(res, row, 1));
		evbuffer_add(buf, "\n", 1);
	}
	struct batch *b = batch_of(buf, n);
	char month[16];
	days_format(j->months[j->month - 1], month + 1);
	month[0] = '{';
	month[11] = '}';
	month[12] = '\0';
	const char *params[3] = {j->stream_id, j->source_id, month};
	st_diff(j, b->data, params, on_diff);
	b->data = NULL;
	batch_free(b);
}

static void next_month(struct job *j)
{
	if (j->month == j->nmonths) {
		reconcile_done(j);
		return;
	}
	long first = j->months[j->month++];
	char months[16], from[16], to[16];
	months[0] = '{';
	days_format(first, months + 1);
	months[11] = '}';
	months[12] = '\0';
	/* The event time a day wider on each side: the session is in UTC, the
	 * months in the centre's zone. */
	days_format(first - 1, from);
	days_format(days_next_month(first) + 1, to);
	const char *extra[3] = {months, from, to};
	source_query(j, j->p->sql.month_keys, 3, extra, on_month_keys);
}

static void on_store_months(PGresult *res, const char *error, void *arg)
{
	struct job *j = arg;
	if (settle(j))
		return;
	if (error) {
		fail(j, FAULT_STORE, "store", error);
		return;
	}
	/* Months of either side whose rows or fingerprint differ. */
	const PGresult *src = j->source_months;
	int ns = PQntuples(src), nt = PQntuples(res), i = 0, k = 0;
	j->months = xcalloc((size_t)(ns + nt), sizeof(*j->months));
	while (i < ns || k < nt) {
		const char *sm = i < ns ? PQgetvalue(src, i, 0) : NULL;
		const char *tm = k < nt ? PQgetvalue(res, k, 0) : NULL;
		int cmp = !sm ? 1 : !tm ? -1 : strcmp(sm, tm);
		bool differs;
		const char *month;
		if (cmp == 0) {
			differs = strcmp(PQgetvalue(src, i, 1), PQgetvalue(res, k, 1)) != 0 ||
				  strcmp(PQgetvalue(src, i, 2), PQgetvalue(res, k, 2)) != 0;
			month = sm;
			i++, k++;
		} else if (cmp < 0) {
			differs = true, month = sm, i++;
		} else {
			differs = true, month = tm, k++;
		}
		long first;
		if (differs && strcmp(month, j->from_day) >= 0 && days_parse(month, &first))
			j->months[j->nmonths++] = first;
	}
	PQclear(j->source_months);
	j->source_months = NULL;
	if (j->nmonths)
		log_info("source %s: %s: %zu month(s) differ from the source, comparing their rows",
			 j->env.source_name, stream_name(j), j->nmonths);
	next_month(j);
}

static void on_source_months(PGresult *res, const char *error, void *arg)
{
	struct job *j = arg;
	if (settle(j))
		return;
	if (error) {
		fail(j, FAULT_SOURCE, "months", error);
		return;
	}
	j->rows_read += (unsigned long long)PQntuples(res);
	/* Kept past this callback (pg clears its result): a copy. */
	j->source_months = PQcopyResult(res, PG_COPYRES_ATTRS | PG_COPYRES_TUPLES);
	const char *params[3] = {j->stream_id, j->source_id, j->from_day};
	st_call(j, "SELECT month, rows, fingerprint FROM ggzy.stream_months($1, $2, $3)", 3, params,
		on_store_months);
}

static void reconcile_begin(struct job *j)
{
	if (j->all_years) {
		snprintf(j->from_day, sizeof(j->from_day), "1900-01-01");
		snprintf(j->from_at, sizeof(j->from_at), "-infinity");
	} else {
		char today[11];
		int year = wallclock_day(j->env.now, today);
		snprintf(j->from_day, sizeof(j->from_day), "%04d-01-01", year - 1);
		/* a day early (the session is in UTC); months before from_day
		 * are not compared */
		snprintf(j->from_at, sizeof(j->from_at), "%04d-12-31", year - 2);
	}
	const char *extra[1] = {j->from_at};
	source_query(j, j->p->sql.months, 1, extra, on_source_months);
}

static void on_noted(PGresult *res, const char *error, void *arg)
{
	struct job *j = arg;
	(void)res;
	if (settle(j))
		return;
	if (error) {
		fail(j, FAULT_STORE, "store", error);
		return;
	}
	time(&j->p->last_reconcile);
	if (j->all_years)
		j->p->last_reconcile_all = j->p->last_reconcile;
	j->p->repaired_last = j->changed;
	j->p->repaired_total += j->changed;
	if (j->changed)
		log_info("source %s: %s: reconciliation repaired %lld row(s)", j->env.source_name,
			 stream_name(j), j->changed);
	finish(j, true, FAULT_SOURCE, NULL);
}

static void reconcile_done(struct job *j)
{
	if (j->loading) {
		/* a resumed load: the source transaction ends, the images'
		 * totals become the figures */
		stream_read(j);
		return;
	}
	char repaired[24];
	snprintf(repaired, sizeof(repaired), "%lld", j->changed);
	const char *params[4] = {j->stream_id, j->source_id, j->all_years ? "true" : "false",
				 repaired};
	st_call(j, "SELECT ggzy.note_reconcile($1, $2, $3, $4)", 4, params, on_noted);
}

/* ---- a poll ---- */

static void begin_source_txn(struct job *j, const char *begin);

/* A poll's rows in one statement outside a transaction when they fit in a
 * batch (an idle poll costs the source two statements, not five); when
 * they do not, the poll starts again through a cursor in a transaction. */
static void on_polled(PGresult *res, const char *error, void *arg)
{
	struct job *j = arg;
	if (settle(j))
		return;
	if (error) {
		fail(j, FAULT_SOURCE, "rows", error);
		return;
	}
	if (PQntuples(res) > FETCH_ROWS) {
		begin_source_txn(j, "BEGIN READ ONLY");
		return;
	}
	j->source_done = true;
	take_rows(j, res);
}

static void on_poll_clock(PGresult *res, const char *error, void *arg)
{
	struct job *j = arg;
	if (settle(j))
		return;
	if (error || PQntuples(res) != 1) {
		fail(j, FAULT_SOURCE, "clock", error ? error : "no row");
		return;
	}
	snprintf(j->clock, sizeof(j->clock), "%s", PQgetvalue(res, 0, 0));
	const char *extra[1] = {j->bound[0] ? j->bound : "-infinity"};
	if (j->in_txn) {
		declare_cursor(j, j->p->sql.changed, 1, extra);
		return;
	}
	/* At most a batch and one row: more go through the cursor. */
	size_t len = strlen(j->p->sql.changed) + 64;
	char *sql = xmalloc(len);
	snprintf(sql, len, "SELECT * FROM (\n%s\n) ggzy_poll LIMIT %d", j->p->sql.changed,
		 FETCH_ROWS + 1);
	source_query(j, sql, 1, extra, on_polled);
	free(sql);
}

static void on_txn(PGresult *res, const char *error, void *arg);

static void begin_source_txn(struct job *j, const char *begin)
{
	j->in_txn = true;
	src_script(j, begin, on_txn);
}

/* ---- a load ---- */

static void on_load_begun(PGresult *res, const char *error, void *arg)
{
	struct job *j = arg;
	(void)res;
	if (settle(j))
		return;
	if (error) {
		fail(j, FAULT_STORE, "store", error);
		return;
	}
	snprintf(j->p->state, sizeof(j->p->state), "loading");
	clock_gettime(CLOCK_MONOTONIC, &j->started);
	clock_gettime(CLOCK_MONOTONIC, &j->last_log);
	j->loaded_at_start = j->p->rows_loaded;
	if (j->p->rows_loaded == 0) {
		/* One pass, whatever indexes the source has. */
		declare_cursor(j, j->p->sql.rows, 0, NULL);
		return;
	}
	/* Resumed: only the months whose images are not yet right. */
	j->all_years = true;
	reconcile_begin(j);
}

static void on_count(PGresult *res, const char *error, void *arg)
{
	struct job *j = arg;
	if (settle(j))
		return;
	if (error || PQntuples(res) != 1) {
		fail(j, FAULT_SOURCE, "count", error ? error : "no row");
		return;
	}
	j->p->rows_expected = atoll(PQgetvalue(res, 0, 0));
	const char *params[4] = {j->stream_id, j->source_id, j->clock, PQgetvalue(res, 0, 0)};
	st_call(j, "SELECT ggzy.begin_load($1, $2, $3, $4)", 4, params, on_load_begun);
}

static void on_load_clock(PGresult *res, const char *error, void *arg)
{
	struct job *j = arg;
	if (settle(j))
		return;
	if (error || PQntuples(res) != 1) {
		fail(j, FAULT_SOURCE, "clock", error ? error : "no row");
		return;
	}
	snprintf(j->clock, sizeof(j->clock), "%s", PQgetvalue(res, 0, 0));
	source_query(j, j->p->sql.count, 0, NULL, on_count);
}

static void on_txn(PGresult *res, const char *error, void *arg)
{
	struct job *j = arg;
	(void)res;
	if (settle(j))
		return;
	if (error) {
		j->in_txn = false;
		fail(j, FAULT_SOURCE, "begin", error);
		return;
	}
	src_query(j, "SELECT now()", 0, NULL, j->loading ? on_load_clock : on_poll_clock);
}

/* ---- start ---- */

static void on_position(PGresult *res, const char *error, void *arg)
{
	struct job *j = arg;
	if (settle(j))
		return;
	if (error || PQntuples(res) != 1) {
		fail(j, FAULT_STORE, "store", error ? error : "no position");
		return;
	}
	struct stream_progress *p = j->p;
	snprintf(p->state, sizeof(p->state), "%s", PQgetvalue(res, 0, 0));
	snprintf(j->bound, sizeof(j->bound), "%s", PQgetvalue(res, 0, 1));
	p->rows_loaded = atoll(PQgetvalue(res, 0, 2));
	p->rows_expected = atoll(PQgetvalue(res, 0, 3));
	bool images = atoll(PQgetvalue(res, 0, 4)) > 0;
	if (strcmp(p->state, "loaded") == 0) {
		if (j->kind == STREAM_POLL) {
			/* The clock first, in a statement of its own: it is then
			 * older than the snapshot the rows are read in. */
			src_query(j, "SELECT now()", 0, NULL, on_poll_clock);
			return;
		}
		reconcile_begin(j);
		return;
	}
	j->loading = true;
	if (strcmp(p->state, "legacy") == 0)
		log_info("source %s: %s: upgrading the store: loading the row images (the previous "
			 "figures are served meanwhile)",
			 j->env.source_name, stream_name(j));
	log_info("source %s: %s: no watermark yet, loading history%s", j->env.source_name,
		 stream_name(j), images ? " (resuming: only what is not yet in)" : "");
	/* One snapshot for the count, the months and the rows. */
	begin_source_txn(j, "BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY");
}

static void read_position(struct job *j)
{
	char overlap[32];
	snprintf(overlap, sizeof(overlap), "%ld seconds", j->env.overlap);
	const char *params[3] = {j->stream_id, j->source_id, overlap};
	st_call(j,
		"SELECT coalesce(state, ''), bound, coalesce(rows_loaded, 0), "
		"coalesce(rows_expected, 0), images FROM ggzy.stream_position($1, $2, $3)",
		3, params, on_position);
}

static void on_relation(PGresult *res, const char *error, void *arg)
{
	struct job *j = arg;
	if (settle(j))
		return;
	if (error || PQntuples(res) != 1) {
		fail(j, FAULT_SOURCE, "looking for its relation", error ? error : "no row");
		return;
	}
	if (strcmp(PQgetvalue(res, 0, 0), "t") == 0) {
		read_position(j);
		return;
	}
	/* The contract makes it optional: not a fault, but said once. */
	if (strcmp(j->p->state, "unavailable") != 0)
		log_info("source %s: %s: the source has no relation %s; its figures are "
			 "unavailable",
			 j->env.source_name, stream_name(j), j->p->def->optional_relation);
	snprintf(j->p->state, sizeof(j->p->state), "unavailable");
	j->p->rows_loaded = j->p->rows_expected = 0;
	finish(j, true, FAULT_SOURCE, NULL);
}

void stream_job_run(struct stream_progress *p, const struct stream_job_env *env,
		    enum stream_job_kind kind, stream_job_cb done, void *arg)
{
	struct job *j = xcalloc(1, sizeof(*j));
	j->p = p;
	j->env = *env;
	j->kind = kind;
	j->done = done;
	j->arg = arg;
	j->all_years = env->reconcile_all;
	snprintf(j->stream_id, sizeof(j->stream_id), "%d", p->def->id);
	snprintf(j->source_id, sizeof(j->source_id), "%d", env->source_id);
	clock_gettime(CLOCK_MONOTONIC, &j->started);
	if (p->def->optional_relation) {
		/* to_regclass follows the role's search_path, as the stream's
		 * SQL does (a deployment's views may live in any schema). */
		const char *params[1] = {p->def->optional_relation};
		src_query(j, "SELECT to_regclass($1) IS NOT NULL", 1, params, on_relation);
		return;
	}
	read_position(j);
}
