#include "scheduler.h"

#include <event2/buffer.h>
#include <event2/event.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../collectors/collector.h"
#include "catalog.h"
#include "config.h"
#include "days.h"
#include "log.h"
#include "pg.h"
#include "sql_files.h"
#include "store.h"
#include "utf8.h"
#include "xmalloc.h"

#define DAYS_PER_BATCH 16
#define BACKOFF_MAX 60
#define CLIENT_TIMEOUT_MARGIN 10

enum job_kind { JOB_NONE, JOB_POLL, JOB_RECONCILE };

/* Whose failure ended a job: a source's marks the source down; the store's
 * says nothing about the source (it is reported by the store itself). */
enum fault { FAULT_SOURCE, FAULT_STORE };

struct waiter {
	struct waiter *next;
	struct refresh *refresh;
};

struct refresh {
	int outstanding;
	bool all_ok;
	json_t *summary;
	scheduler_refresh_cb done;
	void *arg;
};

struct runner {
	struct scheduler *sched;
	const struct collector *col;
	char *name;
	char *conninfo;
	long interval, overlap, reconcile_interval, statement_timeout;
	struct pg_conn *conn;
	struct event *timer;

	/* The job in flight. */
	enum job_kind job;
	size_t stream;	     /* index into col->streams */
	bool had_watermark;  /* the stream had one when the job looked */
	bool backfilled;     /* this poll ran a full reconciliation */
	char *watermark;     /* the stream's, or NULL */
	char *new_watermark; /* to commit with the last batch */
	long *days;	     /* days to recompute */
	size_t ndays, next_day, batch_start;
	enum fault fault;      /* of the failure that ended the job */
	json_t *source_months; /* reconcile: [[month, rows, fp]] from the source */
	char *centers_sent;    /* the hierarchy being stored */
	char *centers_stored;  /* the hierarchy last stored; NULL: store it */
	struct timespec started;
	unsigned long long job_rows;

	/* Scheduling. */
	bool once_reconcile_left;
	time_t next_reconcile;
	int backoff;
	bool complained;
	struct waiter *waiting_next;	/* for the next poll to start */
	struct waiter *waiting_current; /* for the poll in flight */

	/* Health. */
	bool up;
	bool first_poll_done;
	time_t last_success;
	time_t last_reconcile;
	double poll_duration;
	unsigned long long rows_total;
	char last_error[512];
};

struct scheduler {
	struct event_base *base;
	struct store *store;
	char *timezone;
	bool once;
	bool stopping;
	int once_left;
	bool once_ok;
	void (*on_once_done)(bool, void *);
	void *once_arg;
	void (*on_loaded)(const char *source, void *arg);
	void *loaded_arg;
	size_t nrunners;
	struct runner *runners;
};

static void job_start(struct runner *r, enum job_kind kind);
static void stream_begin(struct runner *r);
static void reconcile_begin(struct runner *r);
static void batch_next(struct runner *r);

static double elapsed_since(const struct timespec *t0)
{
	struct timespec t1;
	clock_gettime(CLOCK_MONOTONIC, &t1);
	return (double)(t1.tv_sec - t0->tv_sec) + (double)(t1.tv_nsec - t0->tv_nsec) / 1e9;
}

static const struct stream_def *cur_stream(const struct runner *r)
{
	return &r->col->streams[r->stream];
}

static void job_reset(struct runner *r)
{
	free(r->watermark);
	free(r->new_watermark);
	free(r->days);
	json_decref(r->source_months);
	free(r->centers_sent);
	r->centers_sent = NULL;
	r->watermark = r->new_watermark = NULL;
	r->days = NULL;
	r->source_months = NULL;
	r->ndays = r->next_day = 0;
}

static void arm_timer(struct runner *r, long seconds)
{
	struct timeval tv = {.tv_sec = seconds, .tv_usec = 0};
	evtimer_add(r->timer, &tv);
}

static void notify_waiters(struct runner *r, bool ok)
{
	struct waiter *w = r->waiting_current;
	r->waiting_current = NULL;
	while (w) {
		struct waiter *next = w->next;
		struct refresh *rf = w->refresh;
		json_t *item = json_pack("{s:s, s:b, s:f, s:I}", "source", r->name, "ok", ok,
					 "duration_seconds", r->poll_duration, "rows",
					 (json_int_t)r->job_rows);
		json_object_set_new(item, "error", ok ? json_null() : json_string(r->last_error));
		json_array_append_new(rf->summary, item);
		rf->all_ok &= ok;
		if (--rf->outstanding == 0) {
			char *text = json_dumps(rf->summary, JSON_COMPACT);
			rf->done(text, rf->all_ok, rf->arg);
			free(text);
			json_decref(rf->summary);
			free(rf);
		}
		free(w);
		w = next;
	}
}

static void once_finished(struct runner *r, bool ok)
{
	struct scheduler *s = r->sched;
	s->once_ok &= ok;
	r->once_reconcile_left = false;
	if (--s->once_left == 0)
		s->on_once_done(s->once_ok, s->once_arg);
}

static void job_finish(struct runner *r, bool ok, const char *error)
{
	struct scheduler *s = r->sched;
	enum job_kind kind = r->job;
	double took = elapsed_since(&r->started);
	job_reset(r);
	r->job = JOB_NONE;
	if (s->stopping)
		return;
	if (ok) {
		if (r->complained)
			log_info("source %s: reachable again", r->name);
		r->complained = false;
		r->backoff = 0;
		r->up = true;
		r->last_error[0] = '\0';
		r->last_success = time(NULL);
		if (kind == JOB_POLL) {
			bool first = !r->first_poll_done;
			r->first_poll_done = true;
			r->poll_duration = took;
			if (first && s->on_loaded)
				s->on_loaded(r->name, s->loaded_arg);
		}
		if (kind == JOB_RECONCILE || r->backfilled) {
			r->next_reconcile = time(NULL) + r->reconcile_interval;
			r->last_reconcile = time(NULL);
		}
		log_debug("source %s: %s done in %.3fs (%llu rows)", r->name,
			  kind == JOB_POLL ? "poll" : "reconciliation", took, r->job_rows);
	} else {
		snprintf(r->last_error, sizeof(r->last_error), "%s", error);
		utf8_scrub(r->last_error); /* served as JSON by /readyz and refresh */
		if (!pg_conn_is_connected(r->conn) || !r->complained) {
			/* A lost connection or any first failure: the source is
			 * not giving us figures, say so once. */
			if (!r->complained)
				log_warn("source %s: %s failed: %s", r->name,
					 kind == JOB_POLL ? "poll" : "reconciliation", error);
			r->complained = true;
		}
		/* A store failure says nothing about the source. */
		if (r->fault == FAULT_SOURCE)
			r->up = false;
	}
	r->fault = FAULT_SOURCE;
	if (kind == JOB_POLL)
		notify_waiters(r, ok);

	if (s->once) {
		if (!ok)
			once_finished(r, false);
		else if (kind == JOB_POLL && r->once_reconcile_left)
			job_start(r, JOB_RECONCILE);
		else
			once_finished(r, true);
		return;
	}
	if (r->waiting_next) {
		r->waiting_current = r->waiting_next;
		r->waiting_next = NULL;
		job_start(r, JOB_POLL);
		return;
	}
	if (!ok) {
		r->backoff = r->backoff ? r->backoff * 2 : 1;
		long cap = r->interval < BACKOFF_MAX ? r->interval : BACKOFF_MAX;
		if (r->backoff > cap)
			r->backoff = (int)cap;
		arm_timer(r, r->backoff);
		return;
	}
	if (kind == JOB_POLL && time(NULL) >= r->next_reconcile) {
		job_start(r, JOB_RECONCILE);
		return;
	}
	arm_timer(r, r->interval);
}

/* ---- step helpers ---- */

static void source_query(struct runner *r, const char *sql_path, int nparams,
			 const char *const *params, pg_result_cb cb)
{
	pg_query(r->conn, sql_text(sql_path), nparams, params, cb, r);
}

static bool job_abandoned(struct runner *r) { return r->sched->stopping; }

static void fail(struct runner *r, enum fault fault, const char *what, const char *error)
{
	r->fault = fault;
	char msg[600];
	snprintf(msg, sizeof(msg), "%s: %s", what, error);
	job_finish(r, false, msg);
}

static void next_stream(struct runner *r)
{
	job_reset(r);
	r->stream++;
	if (r->stream >= r->col->nstreams) {
		job_finish(r, true, NULL);
		return;
	}
	stream_begin(r);
}

/* ---- recompute and commit batches of days ---- */

static char *days_literal(const long *days, size_t n)
{
	char *buf = xmalloc(n * 11 + 3);
	size_t len = 0;
	buf[len++] = '{';
	for (size_t i = 0; i < n; i++) {
		if (i)
			buf[len++] = ',';
		days_format(days[i], buf + len);
		len += 10;
	}
	buf[len++] = '}';
	buf[len] = '\0';
	return buf;
}

struct column_map {
	int day, rows, fingerprint;
	int label[LABEL_COUNT];
	int nmetrics;
	int metric_col[64];
	const struct metric_def *metric[64];
};

static bool map_columns(const PGresult *res, const char *stream, struct column_map *m, char *err,
			size_t errlen)
{
	memset(m, 0, sizeof(*m));
	m->day = m->rows = m->fingerprint = -1;
	for (int i = 0; i < LABEL_COUNT; i++)
		m->label[i] = -1;
	for (int c = 0; c < PQnfields(res); c++) {
		const char *name = PQfname(res, c);
		unsigned bit = catalog_label_bit(name);
		if (strcmp(name, "day") == 0) {
			m->day = c;
		} else if (strcmp(name, "rows") == 0) {
			m->rows = c;
		} else if (strcmp(name, "fingerprint") == 0) {
			m->fingerprint = c;
		} else if (bit) {
			m->label[catalog_label_index(bit)] = c;
		} else {
			const struct metric_def *md = catalog_find(name);
			if (!md || catalog_is_derived(md) || strcmp(md->stream, stream) != 0 ||
			    m->nmetrics == 64) {
				snprintf(err, errlen,
					 "column '%s' is not a base metric of stream %s", name,
					 stream);
				return false;
			}
			m->metric_col[m->nmetrics] = c;
			m->metric[m->nmetrics++] = md;
		}
	}
	if (m->day < 0 || m->rows < 0 || m->fingerprint < 0) {
		snprintf(err, errlen, "recompute SQL of %s lacks day, rows or fingerprint", stream);
		return false;
	}
	return true;
}

static void on_batch_committed(bool ok, const char *error, void *arg)
{
	struct runner *r = arg;
	if (job_abandoned(r))
		return;
	if (!ok) {
		fail(r, FAULT_STORE, "store", error);
		return;
	}
	if (r->ndays > DAYS_PER_BATCH)
		log_info("source %s: %s: %zu of %zu days recomputed", r->name, cur_stream(r)->name,
			 r->next_day, r->ndays);
	batch_next(r);
}

/* Appends s as a JSON string. The facts of a batch are written as text
 * directly: a jansson tree of them cost ~700 bytes a fact (70 MB for a
 * month of deposits) and most of a batch's CPU in malloc and free. */
static void json_text_string(struct evbuffer *out, const char *s)
{
	evbuffer_add(out, "\"", 1);
	const char *run = s;
	for (; *s; s++) {
		unsigned char ch = (unsigned char)*s;
		if (ch >= 0x20 && ch != '"' && ch != '\\')
			continue;
		evbuffer_add(out, run, (size_t)(s - run));
		if (ch == '"' || ch == '\\')
			evbuffer_add_printf(out, "\\%c", ch);
		else
			evbuffer_add_printf(out, "\\u%04x", ch);
		run = s + 1;
	}
	evbuffer_add(out, run, (size_t)(s - run));
	evbuffer_add(out, "\"", 1);
}

/* The buffer's text, NUL-terminated, owned by the caller. */
static char *buffer_text(struct evbuffer *b)
{
	size_t len = evbuffer_get_length(b);
	char *text = xmalloc(len + 1);
	evbuffer_remove(b, text, len);
	text[len] = '\0';
	return text;
}

static void on_recomputed(PGresult *res, const char *error, void *arg)
{
	struct runner *r = arg;
	if (job_abandoned(r))
		return;
	if (error) {
		fail(r, FAULT_SOURCE, "recompute", error);
		return;
	}
	const struct stream_def *sd = cur_stream(r);
	struct column_map m;
	char err[256];
	if (!map_columns(res, sd->name, &m, err, sizeof(err))) {
		fail(r, FAULT_SOURCE, "recompute", err);
		return;
	}
	/* facts: [[metric, day, center, category, kind, scope, role, value]],
	 * states: [[day, rows, fingerprint]] (sql/store/001_initial.sql). */
	struct evbuffer *facts = evbuffer_new(), *states = evbuffer_new();
	evbuffer_add(facts, "[", 1);
	evbuffer_add(states, "[", 1);
	int n = PQntuples(res);
	for (int row = 0; row < n; row++) {
		const char *day = PQgetvalue(res, row, m.day);
		evbuffer_add(states, row ? ",[" : "[", row ? 2 : 1);
		json_text_string(states, day);
		evbuffer_add(states, ",", 1);
		json_text_string(states, PQgetvalue(res, row, m.rows));
		evbuffer_add(states, ",", 1);
		json_text_string(states, PQgetvalue(res, row, m.fingerprint));
		evbuffer_add(states, "]", 1);
		for (int k = 0; k < m.nmetrics; k++) {
			const struct metric_def *md = m.metric[k];
			evbuffer_add(facts, row || k ? ",[" : "[", row || k ? 2 : 1);
			json_text_string(facts, md->name);
			evbuffer_add(facts, ",", 1);
			json_text_string(facts, day);
			for (int l = 0; l < LABEL_COUNT; l++) {
				const char *v = "";
				if ((md->labels & (1u << l)) && m.label[l] >= 0)
					v = PQgetvalue(res, row, m.label[l]);
				evbuffer_add(facts, ",", 1);
				json_text_string(facts, v);
			}
			evbuffer_add(facts, ",", 1);
			json_text_string(facts, PQgetvalue(res, row, m.metric_col[k]));
			evbuffer_add(facts, "]", 1);
		}
	}
	evbuffer_add(facts, "]", 1);
	evbuffer_add(states, "]", 1);
	r->job_rows += (unsigned long long)n;
	r->rows_total += (unsigned long long)n;
	char *facts_text = buffer_text(facts);
	char *states_text = buffer_text(states);
	evbuffer_free(facts);
	evbuffer_free(states);
	char *days = days_literal(r->days + r->batch_start, r->next_day - r->batch_start);
	bool last = r->next_day >= r->ndays;
	store_apply_days(r->sched->store, sd->name, days, facts_text, states_text,
			 last ? r->new_watermark : NULL, on_batch_committed, r);
	free(days);
	free(facts_text);
	free(states_text);
}

static void on_final_commit(bool ok, const char *error, void *arg)
{
	struct runner *r = arg;
	if (job_abandoned(r))
		return;
	if (!ok) {
		fail(r, FAULT_STORE, "store", error);
		return;
	}
	next_stream(r);
}

/* Recomputes the next batch of r->days, or, when all are done, moves on. */
static void batch_next(struct runner *r)
{
	if (r->next_day >= r->ndays) {
		if (r->ndays == 0 && r->new_watermark) {
			/* Nothing changed: still record the poll (as_of). */
			store_apply_days(r->sched->store, cur_stream(r)->name, "{}", "[]", "[]",
					 r->new_watermark, on_final_commit, r);
			return;
		}
		next_stream(r);
		return;
	}
	size_t n = r->ndays - r->next_day;
	if (n > DAYS_PER_BATCH)
		n = DAYS_PER_BATCH;
	char *days = days_literal(r->days + r->next_day, n);
	r->batch_start = r->next_day;
	r->next_day += n;
	const char *params[] = {r->sched->timezone, days};
	source_query(r, cur_stream(r)->recompute_sql, 2, params, on_recomputed);
	free(days);
}

static void add_day(struct runner *r, long day)
{
	if (r->ndays % 64 == 0)
		r->days = xreallocarray(r->days, r->ndays + 64, sizeof(long));
	r->days[r->ndays++] = day;
}

/* ---- poll: changed days since the watermark ---- */

static void on_changed_days(PGresult *res, const char *error, void *arg)
{
	struct runner *r = arg;
	if (job_abandoned(r))
		return;
	if (error) {
		fail(r, FAULT_SOURCE, "changed days", error);
		return;
	}
	int n = PQntuples(res);
	r->job_rows += (unsigned long long)n;
	for (int i = 0; i < n; i++) {
		long day;
		if (!days_parse(PQgetvalue(res, i, 0), &day))
			continue; /* outside 1900..2200: not a figure anyone reports */
		add_day(r, day);
	}
	r->new_watermark = xstrdup(n ? PQgetvalue(res, 0, 1) : r->watermark);
	if (r->ndays)
		log_debug("source %s: %s: %zu changed days", r->name, cur_stream(r)->name,
			  r->ndays);
	batch_next(r);
}

static void on_watermark(PGresult *res, const char *error, void *arg)
{
	struct runner *r = arg;
	if (job_abandoned(r))
		return;
	if (error) {
		fail(r, FAULT_STORE, "store", error);
		return;
	}
	if (PQntuples(res) == 0) {
		r->had_watermark = false;
		r->backfilled = true;
		log_info("source %s: %s: no watermark yet, loading history", r->name,
			 cur_stream(r)->name);
		/* A new (or emptied) store: the next poll stores the centres. */
		free(r->centers_stored);
		r->centers_stored = NULL;
		reconcile_begin(r);
		return;
	}
	r->had_watermark = true;
	r->watermark = xstrdup(PQgetvalue(res, 0, 0));
	if (r->job == JOB_RECONCILE) {
		reconcile_begin(r);
		return;
	}
	char overlap[32];
	snprintf(overlap, sizeof(overlap), "%ld seconds", r->overlap);
	const char *params[] = {r->watermark, overlap, r->sched->timezone};
	source_query(r, cur_stream(r)->changed_days_sql, 3, params, on_changed_days);
}

static void stream_begin(struct runner *r)
{
	const char *params[] = {cur_stream(r)->name};
	store_query_writer(r->sched->store, sql_text("queries/watermark.sql"), 1, params,
			   on_watermark, r);
}

/* ---- reconciliation: months whose fingerprint differs ---- */

static void on_store_months(PGresult *res, const char *error, void *arg)
{
	struct runner *r = arg;
	if (job_abandoned(r))
		return;
	if (error) {
		fail(r, FAULT_STORE, "store", error);
		return;
	}
	/* Months of either side whose rows or fingerprint differ. */
	json_t *src = r->source_months;
	size_t nsrc = json_array_size(src);
	int nst = PQntuples(res);
	size_t i = 0;
	int j = 0, mismatched = 0;
	while (i < nsrc || j < nst) {
		json_t *sm = i < nsrc ? json_array_get(src, i) : NULL;
		const char *smonth = sm ? json_string_value(json_array_get(sm, 0)) : NULL;
		const char *tmonth = j < nst ? PQgetvalue(res, j, 0) : NULL;
		int cmp = !smonth ? 1 : !tmonth ? -1 : strcmp(smonth, tmonth);
		bool differs;
		const char *month;
		if (cmp == 0) {
			differs = strcmp(json_string_value(json_array_get(sm, 1)),
					 PQgetvalue(res, j, 1)) != 0 ||
				  strcmp(json_string_value(json_array_get(sm, 2)),
					 PQgetvalue(res, j, 2)) != 0;
			month = smonth;
			i++, j++;
		} else if (cmp < 0) {
			differs = true, month = smonth, i++;
		} else {
			differs = true, month = tmonth, j++;
		}
		long start;
		if (!differs || !days_parse(month, &start))
			continue;
		mismatched++;
		for (long d = start; d < days_next_month(start); d++)
			add_day(r, d);
	}
	if (mismatched)
		log_info("source %s: %s: %d month(s) differ from the source, recomputing", r->name,
			 cur_stream(r)->name, mismatched);
	batch_next(r);
}

static void on_source_months(PGresult *res, const char *error, void *arg)
{
	struct runner *r = arg;
	if (job_abandoned(r))
		return;
	if (error) {
		fail(r, FAULT_SOURCE, "months", error);
		return;
	}
	int n = PQntuples(res);
	r->job_rows += (unsigned long long)n;
	r->source_months = json_array();
	for (int i = 0; i < n; i++)
		json_array_append_new(r->source_months,
				      json_pack("[s,s,s]", PQgetvalue(res, i, 0),
						PQgetvalue(res, i, 1), PQgetvalue(res, i, 2)));
	/* Only a first load sets the watermark: to the newest row it saw
	 * before recomputing, so later changes are picked up by polls. */
	if (!r->had_watermark)
		r->new_watermark = xstrdup(n ? PQgetvalue(res, 0, 3) : "-infinity");
	const char *params[] = {cur_stream(r)->name};
	store_query_writer(r->sched->store, sql_text("queries/store_months.sql"), 1, params,
			   on_store_months, r);
}

static void reconcile_begin(struct runner *r)
{
	const char *params[] = {r->sched->timezone};
	source_query(r, cur_stream(r)->months_sql, 1, params, on_source_months);
}

/* ---- job start: centres first, then each stream ---- */

static void on_centers_stored(bool ok, const char *error, void *arg)
{
	struct runner *r = arg;
	if (job_abandoned(r))
		return;
	if (!ok) {
		fail(r, FAULT_STORE, "store centres", error);
		return;
	}
	free(r->centers_stored);
	r->centers_stored = r->centers_sent;
	r->centers_sent = NULL;
	stream_begin(r);
}

static void on_centers(PGresult *res, const char *error, void *arg)
{
	struct runner *r = arg;
	if (job_abandoned(r))
		return;
	if (error) {
		fail(r, FAULT_SOURCE, "centres", error);
		return;
	}
	json_t *rows = json_array();
	for (int i = 0; i < PQntuples(res); i++) {
		json_t *row = json_array();
		for (int c = 0; c < 4; c++)
			json_array_append_new(row, PQgetisnull(res, i, c)
						       ? json_null()
						       : json_string(PQgetvalue(res, i, c)));
		json_array_append_new(rows, row);
	}
	char *text = json_dumps(rows, JSON_COMPACT);
	json_decref(rows);
	/* The hierarchy rarely changes: a poll stores it only when it differs
	 * from what this runner last stored (a reconciliation forgets that, so
	 * a store changed behind the daemon's back is put right within one
	 * reconcile_interval). */
	if (text && r->centers_stored && strcmp(text, r->centers_stored) == 0) {
		free(text);
		stream_begin(r);
		return;
	}
	free(r->centers_sent);
	r->centers_sent = text;
	store_replace_centers(r->sched->store, text, on_centers_stored, r);
}

static void job_start(struct runner *r, enum job_kind kind)
{
	evtimer_del(r->timer);
	if (!store_is_ready(r->sched->store)) {
		r->job = kind;
		r->job_rows = 0;
		clock_gettime(CLOCK_MONOTONIC, &r->started);
		fail(r, FAULT_STORE, "store", store_last_error(r->sched->store));
		return;
	}
	r->job = kind;
	r->stream = 0;
	r->backfilled = false;
	r->job_rows = 0;
	clock_gettime(CLOCK_MONOTONIC, &r->started);
	log_debug("source %s: %s started", r->name, kind == JOB_POLL ? "poll" : "reconciliation");
	if (kind == JOB_RECONCILE) {
		free(r->centers_stored);
		r->centers_stored = NULL;
	}
	if (kind == JOB_POLL && r->col->centers_sql)
		source_query(r, r->col->centers_sql, 0, NULL, on_centers);
	else
		stream_begin(r);
}

static void on_timer(evutil_socket_t fd, short what, void *arg)
{
	(void)fd;
	(void)what;
	struct runner *r = arg;
	if (r->job == JOB_NONE)
		job_start(r, JOB_POLL);
}

/* ---- construction ---- */

static char *source_setup_sql(long statement_timeout)
{
	char *sql = xmalloc(512);
	/* Read-only sessions even if the role could write; UTC so watermarks
	 * round-trip as text. No JIT: the daemon's statements are index range
	 * scans over a few days, whose row estimates (a range on a parameter)
	 * are far too high and made PostgreSQL spend ~150 ms compiling each. */
	snprintf(sql, 512,
		 "SET application_name = 'ggzy-metricsd';"
		 "SET default_transaction_read_only = on;"
		 "SET statement_timeout = '%lds';"
		 "SELECT set_config('jit', 'off', false)"
		 " WHERE current_setting('server_version_num')::int >= 110000;"
		 "SET TimeZone = 'UTC'",
		 statement_timeout);
	return sql;
}

static void runner_configure(struct runner *r, const struct source_config *sc)
{
	free(r->conninfo);
	r->conninfo = xstrdup(sc->conninfo);
	r->interval = sc->interval;
	r->overlap = sc->overlap;
	r->reconcile_interval = sc->reconcile_interval;
	r->statement_timeout = sc->statement_timeout;
}

struct scheduler *scheduler_new(struct event_base *base, const struct config *cfg,
				struct store *store, bool once,
				void (*on_once_done)(bool all_ok, void *arg), void *arg)
{
	struct scheduler *s = xcalloc(1, sizeof(*s));
	s->base = base;
	s->store = store;
	s->timezone = xstrdup(cfg->timezone);
	s->once = once;
	s->once_ok = true;
	s->on_once_done = on_once_done;
	s->once_arg = arg;
	s->runners = xcalloc(cfg->nsources ? cfg->nsources : 1, sizeof(struct runner));
	for (size_t i = 0; i < cfg->nsources; i++) {
		const struct source_config *sc = &cfg->sources[i];
		const struct collector *col = collector_find(sc->name);
		if (!col) {
			log_warn("[source %s]: this version has no collector for it; "
				 "the section is ignored",
				 sc->name);
			continue;
		}
		struct runner *r = &s->runners[s->nrunners++];
		r->sched = s;
		r->col = col;
		r->name = xstrdup(sc->name);
		runner_configure(r, sc);
		char *setup = source_setup_sql(r->statement_timeout);
		r->conn = pg_conn_new(base, r->name, r->conninfo, setup,
				      (int)r->statement_timeout + CLIENT_TIMEOUT_MARGIN);
		free(setup);
		r->timer = evtimer_new(base, on_timer, r);
		r->once_reconcile_left = once;
		snprintf(r->last_error, sizeof(r->last_error), "no poll yet");
	}
	s->once_left = (int)s->nrunners;
	return s;
}

void scheduler_on_loaded(struct scheduler *s, void (*loaded)(const char *source, void *arg),
			 void *arg)
{
	s->on_loaded = loaded;
	s->loaded_arg = arg;
}

void scheduler_start(struct scheduler *s)
{
	if (s->once && s->nrunners == 0) {
		s->on_once_done(true, s->once_arg);
		return;
	}
	for (size_t i = 0; i < s->nrunners; i++) {
		struct runner *r = &s->runners[i];
		if (r->job == JOB_NONE && !evtimer_pending(r->timer, NULL))
			job_start(r, JOB_POLL);
	}
}

void scheduler_reload(struct scheduler *s, const struct config *cfg)
{
	for (size_t i = 0; i < s->nrunners; i++) {
		struct runner *r = &s->runners[i];
		const struct source_config *sc = config_source(cfg, r->name);
		if (!sc) {
			log_warn("source %s: removed from the configuration; restart to "
				 "stop polling it",
				 r->name);
			continue;
		}
		bool reconnect = strcmp(r->conninfo, sc->conninfo) != 0 ||
				 r->statement_timeout != sc->statement_timeout;
		runner_configure(r, sc);
		if (reconnect) {
			/* A new setup script needs a new handle; swap when idle,
			 * else only the conninfo (the timeout applies next time). */
			if (r->job == JOB_NONE) {
				pg_conn_free(r->conn);
				char *setup = source_setup_sql(r->statement_timeout);
				r->conn =
				    pg_conn_new(s->base, r->name, r->conninfo, setup,
						(int)r->statement_timeout + CLIENT_TIMEOUT_MARGIN);
				free(setup);
			} else {
				pg_conn_set_conninfo(r->conn, r->conninfo);
			}
		}
	}
	for (size_t i = 0; i < cfg->nsources; i++) {
		bool known = false;
		for (size_t j = 0; j < s->nrunners; j++)
			known |= strcmp(s->runners[j].name, cfg->sources[i].name) == 0;
		if (!known && collector_find(cfg->sources[i].name))
			log_warn("source %s: added to the configuration; restart to poll it",
				 cfg->sources[i].name);
	}
}

void scheduler_free(struct scheduler *s)
{
	if (!s)
		return;
	s->stopping = true;
	for (size_t i = 0; i < s->nrunners; i++) {
		struct runner *r = &s->runners[i];
		pg_conn_free(r->conn);
		event_free(r->timer);
		job_reset(r);
		free(r->centers_stored);
		for (struct waiter *lists[2] = {r->waiting_current, r->waiting_next}, **l = lists;
		     l < lists + 2; l++)
			while (*l) {
				struct waiter *w = *l;
				*l = w->next;
				if (--w->refresh->outstanding == 0) {
					json_decref(w->refresh->summary);
					free(w->refresh);
				}
				free(w);
			}
		free(r->name);
		free(r->conninfo);
	}
	free(s->runners);
	free(s->timezone);
	free(s);
}

void scheduler_stop(struct scheduler *s)
{
	if (s)
		s->stopping = true;
}

size_t scheduler_nsources(const struct scheduler *s) { return s->nrunners; }

bool scheduler_loaded(const struct scheduler *s, const char *source)
{
	for (size_t i = 0; s && i < s->nrunners; i++)
		if (strcmp(s->runners[i].name, source) == 0)
			return s->runners[i].first_poll_done;
	return true;
}

void scheduler_status(const struct scheduler *s, size_t i, struct source_status *out)
{
	const struct runner *r = &s->runners[i];
	out->name = r->name;
	out->up = r->up;
	out->first_poll_done = r->first_poll_done;
	out->running = r->job != JOB_NONE;
	out->last_success = r->last_success;
	out->last_reconcile = r->last_reconcile;
	out->poll_duration = r->poll_duration;
	out->rows_total = r->rows_total;
	out->last_error = r->last_error;
}

void scheduler_refresh(struct scheduler *s, scheduler_refresh_cb done, void *arg)
{
	struct refresh *rf = xcalloc(1, sizeof(*rf));
	rf->all_ok = true;
	rf->summary = json_array();
	rf->done = done;
	rf->arg = arg;
	rf->outstanding = (int)s->nrunners;
	if (s->nrunners == 0) {
		done("[]", true, arg);
		json_decref(rf->summary);
		free(rf);
		return;
	}
	for (size_t i = 0; i < s->nrunners; i++) {
		struct runner *r = &s->runners[i];
		struct waiter *w = xcalloc(1, sizeof(*w));
		w->refresh = rf;
		if (r->job == JOB_NONE) {
			w->next = r->waiting_current;
			r->waiting_current = w;
			job_start(r, JOB_POLL);
		} else {
			w->next = r->waiting_next;
			r->waiting_next = w;
		}
	}
}
