#include "scheduler.h"

#include <event2/buffer.h>
#include <event2/event.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../collectors/collector.h"
#include "config.h"
#include "lease.h"
#include "log.h"
#include "pg.h"
#include "sql_files.h"
#include "store.h"
#include "stream_job.h"
#include "utf8.h"
#include "wallclock.h"
#include "xmalloc.h"

#define BACKOFF_MAX 60
#define CLIENT_TIMEOUT_MARGIN 10

enum job_kind { JOB_NONE, JOB_POLL, JOB_RECONCILE };

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
	long interval, overlap, reconcile_interval, reconcile_old_interval, statement_timeout;
	struct pg_conn *conn;
	struct event *timer;
	int source_id;		     /* ggzy.source's, once registered */
	unsigned long registered_in; /* the store session (store_session) it was */

	/* The job in flight: its kind, and the stream it is at. */
	enum job_kind job;
	size_t stream;
	bool reconcile_all;		 /* this reconciliation compares every year */
	struct stream_progress *streams; /* one per col->streams */
	char *centers_sent;		 /* the hierarchy being stored */
	char *centers_stored;		 /* the hierarchy last stored; NULL: store it */
	struct timespec started;
	unsigned long long job_rows;

	/* Scheduling. */
	bool once_reconcile_left;
	time_t next_reconcile;
	time_t next_reconcile_all; /* 0: at the first reconciliation of this run */
	time_t last_reconcile_all;
	int backoff;
	bool complained;
	struct waiter *waiting_next;	/* for the next poll to start */
	struct waiter *waiting_current; /* for the poll in flight */

	/* Waiting for a turn (max_active_sources): the job it waits to run,
	 * and the next runner in the queue. */
	enum job_kind queued;
	struct runner *next_queued;
	/* Several daemons on one store: whether this one holds the source's
	 * lease (always true without an instance name). */
	bool leased;

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
	const struct wallclock *clock;
	size_t nrunners;
	struct runner *runners;
	/* At most max_active jobs run at once; the others wait in line. */
	long max_active, active;
	struct runner *queue_head, *queue_tail;
	struct lease *lease; /* NULL: the store's only writer */
	int lease_rounds;    /* 0 until the first lease round has answered */
	bool started;
};

static void job_start(struct runner *r, enum job_kind kind);
static void job_run(struct runner *r, enum job_kind kind);
static void streams_begin(struct runner *r);

static double elapsed_since(const struct timespec *t0)
{
	struct timespec t1;
	clock_gettime(CLOCK_MONOTONIC, &t1);
	return (double)(t1.tv_sec - t0->tv_sec) + (double)(t1.tv_nsec - t0->tv_nsec) / 1e9;
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

/* A poll that loaded every stream of R (a first start) compared all of
 * them with the source as it went: the reconciliations are not due until
 * their intervals from now, rather than straight after. No other poll
 * counts as a reconciliation (a test on whole seconds of last_reconcile_all
 * once took the poll after one for another, and the gauge then said a
 * reconciliation had ended that never ran). */
static void loads_reconciled(struct runner *r)
{
	bool loaded = false;
	for (size_t k = 0; k < r->col->nstreams; k++) {
		const struct stream_progress *p = &r->streams[k];
		if (strcmp(p->state, "unavailable") == 0)
			continue;
		if (!p->loaded_by_job)
			return;
		loaded = true;
	}
	if (!loaded)
		return;
	time_t now = time(NULL);
	r->last_reconcile = r->last_reconcile_all = now;
	r->next_reconcile = now + r->reconcile_interval;
	r->next_reconcile_all = now + r->reconcile_old_interval;
}

/* The next runner in line gets its turn. */
static void next_in_line(struct scheduler *s)
{
	while (s->queue_head && s->active < s->max_active) {
		struct runner *r = s->queue_head;
		s->queue_head = r->next_queued;
		if (!s->queue_head)
			s->queue_tail = NULL;
		r->next_queued = NULL;
		enum job_kind kind = r->queued;
		r->queued = JOB_NONE;
		if (r->job == JOB_NONE)
			job_run(r, kind);
	}
}

static void job_finish(struct runner *r, bool ok, enum fault fault, const char *error)
{
	struct scheduler *s = r->sched;
	enum job_kind kind = r->job;
	double took = elapsed_since(&r->started);
	free(r->centers_sent);
	r->centers_sent = NULL;
	r->job = JOB_NONE;
	if (s->stopping)
		return;
	r->rows_total += r->job_rows;
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
			loads_reconciled(r);
		}
		if (kind == JOB_RECONCILE) {
			/* One clock reading: with equal intervals both are due
			 * in the same second, every reconciliation then all years. */
			time_t now = time(NULL);
			r->next_reconcile = now + r->reconcile_interval;
			r->last_reconcile = now;
			if (r->reconcile_all) {
				r->last_reconcile_all = now;
				r->next_reconcile_all = now + r->reconcile_old_interval;
			}
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
		if (fault == FAULT_SOURCE)
			r->up = false;
	}
	/* The next in line gets this job's turn (after this one's log line). */
	s->active--;
	next_in_line(s);
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

static bool job_abandoned(struct runner *r) { return r->sched->stopping; }

static bool abandoned(void *arg) { return job_abandoned(arg); }

static void fail(struct runner *r, enum fault fault, const char *what, const char *error)
{
	char msg[600];
	snprintf(msg, sizeof(msg), "%s: %s", what, error);
	job_finish(r, false, fault, msg);
}

/* ---- the streams, one after the other ---- */

static void next_stream(struct runner *r);

static void on_stream_done(bool ok, enum fault fault, const char *error, unsigned long long rows,
			   void *arg)
{
	struct runner *r = arg;
	if (job_abandoned(r))
		return;
	r->job_rows += rows;
	if (!ok) {
		job_finish(r, false, fault, error);
		return;
	}
	r->stream++;
	next_stream(r);
}

static void next_stream(struct runner *r)
{
	if (r->stream >= r->col->nstreams) {
		job_finish(r, true, FAULT_SOURCE, NULL);
		return;
	}
	struct stream_job_env env = {.store = r->sched->store,
				     .source = r->conn,
				     .source_name = r->name,
				     .source_id = r->source_id,
				     .timezone = r->sched->timezone,
				     .overlap = r->overlap,
				     .reconcile_all = r->reconcile_all,
				     .now = wallclock_now(r->sched->clock),
				     .abandoned = abandoned};
	stream_job_run(&r->streams[r->stream], &env,
		       r->job == JOB_POLL ? STREAM_POLL : STREAM_RECONCILE, on_stream_done, r);
}

static void on_registered(PGresult *res, const char *error, void *arg)
{
	struct runner *r = arg;
	if (job_abandoned(r))
		return;
	if (error || PQntuples(res) != 1) {
		fail(r, FAULT_STORE, "store", error ? error : "no source id");
		return;
	}
	r->source_id = atoi(PQgetvalue(res, 0, 0));
	r->registered_in = store_session(r->sched->store);
	r->stream = 0;
	next_stream(r);
}

/* The source's id in the store: registered on first use, and again in each
 * new session of the store's writer, so that a store replaced behind the
 * daemon's back gets it back (not at every job: 0.07 ms a source a poll). */
static void streams_begin(struct runner *r)
{
	if (r->registered_in && r->registered_in == store_session(r->sched->store)) {
		r->stream = 0;
		next_stream(r);
		return;
	}
	const char *params[2] = {r->name, r->col->name};
	store_call(r->sched->store, "SELECT ggzy.register_source($1, $2)", 2, params, on_registered,
		   r);
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
	streams_begin(r);
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
		streams_begin(r);
		return;
	}
	free(r->centers_sent);
	r->centers_sent = text;
	store_replace_centers(r->sched->store, r->name, text, on_centers_stored, r);
}

/* A job is due: it runs now, or waits its turn when max_active_sources
 * jobs run already (500 sources do not open 500 backfills at once), or
 * not at all while another instance holds the source. */
static void job_start(struct runner *r, enum job_kind kind)
{
	struct scheduler *s = r->sched;
	evtimer_del(r->timer);
	if (r->job != JOB_NONE || r->queued != JOB_NONE)
		return;
	if (!r->leased) {
		notify_waiters(r, false); /* a refresh of a source held elsewhere */
		arm_timer(r, r->interval);
		return;
	}
	if (s->active >= s->max_active) {
		r->queued = kind;
		if (s->queue_tail)
			s->queue_tail->next_queued = r;
		else
			s->queue_head = r;
		s->queue_tail = r;
		return;
	}
	job_run(r, kind);
}

static void job_run(struct runner *r, enum job_kind kind)
{
	r->sched->active++;
	r->job = kind;
	r->job_rows = 0;
	for (size_t k = 0; k < r->col->nstreams; k++)
		r->streams[k].loaded_by_job = false;
	clock_gettime(CLOCK_MONOTONIC, &r->started);
	if (!store_is_ready(r->sched->store)) {
		fail(r, FAULT_STORE, "store", store_last_error(r->sched->store));
		return;
	}
	/* The first reconciliation of a run, --once's and then one every
	 * reconcile_old_interval compare every year; the others the current
	 * and the previous year. */
	r->reconcile_all =
	    kind == JOB_RECONCILE && (r->sched->once || time(NULL) >= r->next_reconcile_all);
	log_debug("source %s: %s started", r->name, kind == JOB_POLL ? "poll" : "reconciliation");
	if (kind == JOB_RECONCILE) {
		free(r->centers_stored);
		r->centers_stored = NULL;
	}
	if (kind == JOB_POLL && r->col->centers_sql)
		pg_query(r->conn, sql_text(r->col->centers_sql), 0, NULL, on_centers, r);
	else
		streams_begin(r);
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

/* A lease round's answer for SOURCE: a source taken starts polling; one
 * lost (taken over, or the store away) stops after its job in flight. */
static void on_lease(const char *source, bool held, void *arg)
{
	struct scheduler *s = arg;
	s->lease_rounds += s->lease_rounds == 0;
	for (size_t i = 0; i < s->nrunners; i++) {
		struct runner *r = &s->runners[i];
		if (strcmp(r->name, source) != 0 || r->leased == held)
			continue;
		r->leased = held;
		log_info("source %s: %s", r->name,
			 held ? "this instance holds its lease: polling it"
			      : "its lease is held by another instance (or the store is away): "
				"not polling it");
		if (held) {
			snprintf(r->last_error, sizeof(r->last_error), "no poll yet");
			if (s->started && r->job == JOB_NONE)
				job_start(r, JOB_POLL);
		} else {
			snprintf(r->last_error, sizeof(r->last_error),
				 "polled by another instance");
		}
	}
}

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
	r->reconcile_old_interval = sc->reconcile_old_interval;
	r->statement_timeout = sc->statement_timeout;
	/* A reload's intervals count from the last reconciliations. */
	if (r->last_reconcile)
		r->next_reconcile = r->last_reconcile + r->reconcile_interval;
	if (r->last_reconcile_all)
		r->next_reconcile_all = r->last_reconcile_all + r->reconcile_old_interval;
}

struct scheduler *scheduler_new(struct event_base *base, const struct config *cfg,
				struct store *store, const struct wallclock *clock, bool once,
				void (*on_once_done)(bool all_ok, void *arg), void *arg)
{
	struct scheduler *s = xcalloc(1, sizeof(*s));
	s->base = base;
	s->clock = clock;
	s->store = store;
	s->timezone = xstrdup(cfg->timezone);
	s->once = once;
	s->once_ok = true;
	s->on_once_done = on_once_done;
	s->once_arg = arg;
	s->max_active = cfg->max_active_sources > 0 ? cfg->max_active_sources : 8;
	s->runners = xcalloc(cfg->nsources, sizeof(struct runner));
	for (size_t i = 0; i < cfg->nsources; i++) {
		const struct source_config *sc = cfg->sources[i];
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
		/* With an instance name (and not --once, which is run by hand), a
		 * source is polled only while this daemon holds its lease. */
		r->leased = !cfg->instance || once;
		r->streams = xcalloc(col->nstreams, sizeof(*r->streams));
		for (size_t k = 0; k < col->nstreams; k++) {
			r->streams[k].def = &col->streams[k];
			stream_sql_compose(&col->streams[k], &r->streams[k].sql);
		}
		snprintf(r->last_error, sizeof(r->last_error), "no poll yet");
	}
	s->once_left = (int)s->nrunners;
	if (cfg->instance && !once && s->nrunners) {
		const char **names = xcalloc(s->nrunners, sizeof(*names));
		for (size_t i = 0; i < s->nrunners; i++)
			names[i] = s->runners[i].name;
		s->lease = lease_new(base, cfg->store, cfg->instance, cfg->lease, names,
				     s->nrunners, on_lease, s);
		free(names);
	}
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
	s->started = true;
	if (s->lease)
		lease_start(s->lease); /* runners start as their leases are taken */
	for (size_t i = 0; i < s->nrunners; i++) {
		struct runner *r = &s->runners[i];
		if (r->leased && r->job == JOB_NONE && !evtimer_pending(r->timer, NULL))
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
			known |= strcmp(s->runners[j].name, cfg->sources[i]->name) == 0;
		if (!known && collector_find(cfg->sources[i]->name))
			log_warn("source %s: added to the configuration; restart to poll it",
				 cfg->sources[i]->name);
	}
}

void scheduler_free(struct scheduler *s)
{
	if (!s)
		return;
	s->stopping = true;
	lease_free(s->lease);
	for (size_t i = 0; i < s->nrunners; i++) {
		struct runner *r = &s->runners[i];
		pg_conn_free(r->conn);
		event_free(r->timer);
		free(r->centers_sent);
		free(r->centers_stored);
		for (size_t k = 0; k < r->col->nstreams; k++)
			stream_sql_free(&r->streams[k].sql);
		free(r->streams);
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
	/* A kind ("expert") is loaded when each of its sources is. */
	size_t kind = strcspn(source, ".");
	bool whole_kind = source[kind] == '\0';
	for (size_t i = 0; s && i < s->nrunners; i++) {
		const struct runner *r = &s->runners[i];
		bool match = whole_kind ? strncmp(r->name, source, kind) == 0 &&
					      (r->name[kind] == '\0' || r->name[kind] == '.')
					: strcmp(r->name, source) == 0;
		if (!match)
			continue;
		if (s->lease && s->lease_rounds == 0)
			return false; /* who polls what is not known yet */
		if (r->leased && !r->first_poll_done)
			return false; /* polled elsewhere: the store holds its figures */
	}
	return true;
}

const char *scheduler_stream_missing(const struct scheduler *s, const char *stream)
{
	const char *relation = NULL;
	for (size_t i = 0; s && i < s->nrunners; i++) {
		const struct runner *r = &s->runners[i];
		for (size_t k = 0; k < r->col->nstreams; k++) {
			const struct stream_progress *p = &r->streams[k];
			if (strcmp(p->def->name, stream) != 0)
				continue;
			if (strcmp(p->state, "unavailable") != 0)
				return NULL; /* one source has it */
			relation = p->def->optional_relation;
		}
	}
	return relation;
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
	out->streams = r->streams;
	out->nstreams = r->col->nstreams;
	out->leased = r->leased;
	out->lease_known = !s->lease || s->lease_rounds > 0;
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
		if (r->job == JOB_NONE && r->queued == JOB_NONE) {
			w->next = r->waiting_current;
			r->waiting_current = w;
			job_start(r, JOB_POLL);
		} else if (r->job == JOB_NONE && r->queued == JOB_POLL) {
			w->next = r->waiting_current; /* answered by the poll in line */
			r->waiting_current = w;
		} else {
			w->next = r->waiting_next;
			r->waiting_next = w;
		}
	}
}
