/* GET /metrics: Prometheus text, the year to date of every metric per label
 * set (catalog_metrics[], under its exposition name), the targets' series
 * and the daemon's own health. */
#include <event2/buffer.h>
#include <event2/http.h>
#include <event2/keyvalq_struct.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "alerts.h"
#include "feeds.h"
#include "app.h"
#include "catalog.h"
#include "config.h"
#include "days.h"
#include "gzip_frame.h"
#include "http.h"
#include "log.h"
#include "prom.h"
#include "scheduler.h"
#include "sql_files.h"
#include "store.h"
#include "xmalloc.h"

/* Parallel array literals for sql/queries/figures.sql. */
struct figure_arrays {
	char name[4096], num[4096], den[4096], excl[1024], labels[1024], scale[1024], total[1024];
};

static void append(char *buf, size_t cap, const char *item)
{
	size_t len = strlen(buf);
	snprintf(buf + len, cap - len, "%s%s", len > 1 ? "," : "", item ? item : "NULL");
}

void api_figure_arrays(struct figure_arrays *a);
void api_figure_arrays(struct figure_arrays *a)
{
	strcpy(a->name, "{");
	strcpy(a->num, "{");
	strcpy(a->den, "{");
	strcpy(a->excl, "{");
	strcpy(a->labels, "{");
	strcpy(a->scale, "{");
	strcpy(a->total, "{");
	for (size_t i = 0; i < catalog_nmetrics; i++) {
		const struct metric_def *m = &catalog_metrics[i];
		char bits[16];
		snprintf(bits, sizeof(bits), "%u", m->labels);
		append(a->name, sizeof(a->name), m->name);
		append(a->num, sizeof(a->num),
		       catalog_is_derived(m) ? m->numerator
		       : m->distinct_of	     ? m->distinct_of
					     : m->name);
		append(a->den, sizeof(a->den), m->denominator);
		append(a->excl, sizeof(a->excl), m->exclude_kind);
		append(a->labels, sizeof(a->labels), bits);
		append(a->scale, sizeof(a->scale), m->kind == METRIC_AMOUNT ? "2" : "0");
		append(a->total, sizeof(a->total), catalog_total_name(m->total));
	}
	strcat(a->name, "}");
	strcat(a->num, "}");
	strcat(a->den, "}");
	strcat(a->excl, "}");
	strcat(a->labels, "}");
	strcat(a->scale, "}");
	strcat(a->total, "}");
}

/* Per source and stream: loading, and what reconciliation found. */
static void stream_series(struct evbuffer *out, struct app *app)
{
	static const struct {
		const char *name, *type, *help;
	} series[] = {
	    {"ggzy_stream_loaded", "gauge",
	     "1 when the stream's row images are loaded and its figures are theirs"},
	    {"ggzy_stream_load_rows", "gauge", "rows of the stream loaded so far"},
	    {"ggzy_stream_load_rows_expected", "gauge", "rows the stream's load reads"},
	    {"ggzy_stream_reconcile_timestamp_seconds", "gauge",
	     "Unix time of the stream's last reconciliation (the current and previous year)"},
	    {"ggzy_stream_reconcile_all_timestamp_seconds", "gauge",
	     "Unix time of the stream's last reconciliation of every year"},
	    {"ggzy_stream_reconcile_repaired_rows", "gauge",
	     "rows the stream's last reconciliation repaired"},
	    {"ggzy_stream_reconcile_repaired_rows_total", "counter",
	     "rows reconciliations of the stream repaired since the daemon started"},
	};
	size_t n = scheduler_nsources(app->sched);
	for (size_t k = 0; k < sizeof(series) / sizeof(series[0]); k++) {
		evbuffer_add_printf(out, "# HELP %s %s\n# TYPE %s %s\n", series[k].name,
				    series[k].help, series[k].name, series[k].type);
		for (size_t i = 0; i < n; i++) {
			struct source_status st;
			scheduler_status(app->sched, i, &st);
			for (size_t s = 0; s < st.nstreams; s++) {
				const struct stream_progress *p = &st.streams[s];
				long long v = k == 0   ? strcmp(p->state, "loaded") == 0
					      : k == 1 ? p->rows_loaded
					      : k == 2 ? p->rows_expected
					      : k == 3 ? (long long)p->last_reconcile
					      : k == 4 ? (long long)p->last_reconcile_all
					      : k == 5 ? p->repaired_last
						       : p->repaired_total;
				evbuffer_add_printf(out, "%s{source=\"", series[k].name);
				prom_escape(out, st.name);
				evbuffer_add_printf(out, "\",stream=\"%s\"} %lld\n", p->def->name,
						    v);
			}
		}
	}
}

static void health_series(struct evbuffer *out, struct app *app)
{
	size_t n = scheduler_nsources(app->sched);
	static const struct {
		const char *name, *type, *help;
	} series[] = {
	    {"ggzy_source_up", "gauge", "1 when the last job on the source succeeded"},
	    {"ggzy_source_last_success_timestamp_seconds", "gauge",
	     "Unix time of the last successful poll or reconciliation"},
	    {"ggzy_poll_duration_seconds", "gauge", "duration of the last poll"},
	    {"ggzy_poll_rows_total", "counter", "result rows read from the source"},
	    {"ggzy_reconcile_last_success_timestamp_seconds", "gauge",
	     "Unix time of the last successful reconciliation"},
	};
	for (size_t k = 0; k < sizeof(series) / sizeof(series[0]); k++) {
		evbuffer_add_printf(out, "# HELP %s %s\n# TYPE %s %s\n", series[k].name,
				    series[k].help, series[k].name, series[k].type);
		for (size_t i = 0; i < n; i++) {
			struct source_status st;
			scheduler_status(app->sched, i, &st);
			evbuffer_add_printf(out, "%s{source=\"%s\"} ", series[k].name, st.name);
			switch (k) {
			case 0: evbuffer_add_printf(out, "%d\n", st.up ? 1 : 0); break;
			case 1:
				evbuffer_add_printf(out, "%lld\n", (long long)st.last_success);
				break;
			case 2: evbuffer_add_printf(out, "%.6f\n", st.poll_duration); break;
			case 3: evbuffer_add_printf(out, "%llu\n", st.rows_total); break;
			default:
				evbuffer_add_printf(out, "%lld\n", (long long)st.last_reconcile);
				break;
			}
		}
	}
	stream_series(out, app);
	evbuffer_add_printf(out,
			    "# HELP ggzy_store_up 1 when the store answers\n"
			    "# TYPE ggzy_store_up gauge\nggzy_store_up %d\n",
			    store_is_up(app->store) ? 1 : 0);
}

/* The figures part of /metrics, computed from the store and kept until the
 * store changes: a scrape costs no database time. The text is reference
 * counted because a reply in flight may still be sending an old one while a
 * new one replaces it. */
struct figures {
	int refs;
	size_t len;
	struct gzip_head gz; /* the text deflated once (gzip_frame.h) */
	char text[];
};

/* Past this age a scrape asks the store's figures version (one row) before
 * it is answered, even if this process committed nothing (another daemon on
 * the same store); the figures are computed again only if it moved: on a
 * store of millions of rows they cost seconds (the distinct counts read the
 * year's images), far too much for every scrape of an idle store. */
#define FIGURES_MAX_AGE 10.0

static struct {
	struct figures *figures;	   /* NULL until the first query answered */
	unsigned long generation;	   /* store_generation() it was computed at */
	long long version;		   /* ggzy.store_version read before it */
	unsigned long availability;	   /* availability_signature() it was made with */
	char from[16], to[16];		   /* its period */
	struct timespec at;		   /* when it was computed */
	bool querying;			   /* a query is in flight */
	bool failed;			   /* the last attempt to compute them failed */
	unsigned long querying_generation; /* the generation it reads */
	struct waiter {
		struct evhttp_request *req;
		unsigned long generation; /* the store's when it arrived */
		struct waiter *next;
	} * waiting; /* scrapes waiting for figures */
} cache;

static void figures_unref(struct figures *f)
{
	if (f && --f->refs == 0) {
		gzip_head_free(&f->gz);
		free(f);
	}
}

static void figures_unref_cb(const void *data, size_t len, void *arg)
{
	(void)data;
	(void)len;
	figures_unref(arg);
}

static double age_of(const struct timespec *t0)
{
	struct timespec t1;
	clock_gettime(CLOCK_MONOTONIC, &t1);
	return (double)(t1.tv_sec - t0->tv_sec) + (double)(t1.tv_nsec - t0->tv_nsec) / 1e9;
}

static void reply_metrics(struct evhttp_request *req, struct app *app)
{
	struct evbuffer *out = evbuffer_new();
	struct figures *f = cache.figures;
	const char *ae =
	    evhttp_find_header(evhttp_request_get_input_headers(req), "Accept-Encoding");
	bool gzip = gzip_accepted(ae) && (!f || f->gz.bytes);
	/* No copy of the (large) figures: the reply references them. */
	if (f) {
		f->refs++;
		if (gzip)
			evbuffer_add_reference(out, f->gz.bytes, f->gz.len, figures_unref_cb, f);
		else
			evbuffer_add_reference(out, f->text, f->len, figures_unref_cb, f);
	}
	struct evbuffer *tail = gzip ? evbuffer_new() : out;
	alerts_write_metrics(app->alerts, tail);
	feeds_write_metrics(app->feeds, tail);
	health_series(tail, app);
	/* Without it a scrape after a failed computation looks like a good
	 * one: the figures above are the last computed, or none before the
	 * first. */
	evbuffer_add_printf(tail,
			    "# HELP ggzy_figures_up 1 when the figures served are the last the"
			    " store answered (0: the store did not answer their query; the"
			    " figures are older, or absent)\n"
			    "# TYPE ggzy_figures_up gauge\nggzy_figures_up %d\n",
			    f && !cache.failed ? 1 : 0);
	struct evkeyvalq *h = evhttp_request_get_output_headers(req);
	evhttp_add_header(h, "Content-Type", "text/plain; version=0.0.4; charset=utf-8");
	evhttp_add_header(h, "Cache-Control", "no-store");
	evhttp_add_header(h, "Vary", "Accept-Encoding");
	if (gzip) {
		gzip_finish(out, f ? &f->gz : NULL, tail);
		evbuffer_free(tail);
		evhttp_add_header(h, "Content-Encoding", "gzip");
	}
	evhttp_send_reply(req, 200, NULL, out);
	evbuffer_free(out);
}

struct metrics_query {
	struct app *app;
	unsigned long generation;
	long long version;
	unsigned long availability;
	char from[16], to[16];
};

/* Which metrics are unavailable (not configured, a missing relation), as a
 * hash: figures made under another answer are not served again. */
static unsigned long availability_signature(struct app *app)
{
	unsigned long h = 5381;
	for (size_t k = 0; k < catalog_nmetrics; k++) {
		char why[256];
		bool unavailable = app_unavailable(&catalog_metrics[k], why, sizeof(why), app);
		h = h * 33 + (unavailable ? 1 : 0);
	}
	return h;
}

static void on_figures(PGresult *res, const char *error, void *arg);

/* Year to date: from 1 January to today, both in the centre's zone. */
static void period(struct app *app, char *from, char *to)
{
	int year = wallclock_day(wallclock_now(&app->clock), to);
	snprintf(from, 16, "%04d-01-01", year);
}

static void reply_waiting(struct app *app, unsigned long gen, bool failed);

/* The version is read first, on the same connection: the figures read after
 * it are at least as new as it says. */
static void on_version(bool ok, long long version, void *arg)
{
	struct metrics_query *mq = arg;
	struct app *app = mq->app;
	if (ok && cache.figures && version == cache.version &&
	    mq->availability == cache.availability && strcmp(cache.from, mq->from) == 0 &&
	    strcmp(cache.to, mq->to) == 0) {
		/* Nothing moved: the figures kept are today's. Their age stays
		 * what it was, so that every later scrape asks again (one row)
		 * and another process's commit shows at the next one. */
		cache.querying = false;
		cache.failed = false;
		cache.generation = mq->generation;
		reply_waiting(app, mq->generation, false);
		free(mq);
		return;
	}
	static struct figure_arrays arrays;
	if (arrays.name[0] == '\0')
		api_figure_arrays(&arrays);
	mq->version = ok ? version : -1;
	const char *params[] = {arrays.name,  arrays.num, arrays.den, arrays.excl, arrays.labels,
				arrays.scale, mq->from,	  mq->to,     arrays.total};
	store_query(app->store, sql_text("queries/figures.sql"), 9, params, on_figures, mq);
}

static void start_query(struct app *app)
{
	struct metrics_query *mq = xmalloc(sizeof(*mq));
	mq->app = app;
	mq->generation = store_generation(app->store);
	mq->availability = availability_signature(app);
	period(app, mq->from, mq->to);
	cache.querying = true;
	cache.querying_generation = mq->generation;
	store_version(app->store, on_version, mq);
}

/* Answers the scrapes that the figures just computed (at generation gen)
 * are new enough for; a scrape that arrived after a later commit waits for
 * the next query, so that it never sees figures older than its arrival. */
static void reply_waiting(struct app *app, unsigned long gen, bool failed)
{
	struct waiter **pw = &cache.waiting;
	bool later = false;
	while (*pw) {
		struct waiter *w = *pw;
		if (failed || w->generation <= gen) {
			*pw = w->next;
			reply_metrics(w->req, app);
			free(w);
		} else {
			later = true;
			pw = &w->next;
		}
	}
	if (later)
		start_query(app);
}

static void on_figures(PGresult *res, const char *error, void *arg)
{
	struct metrics_query *mq = arg;
	struct app *app = mq->app;
	cache.querying = false;
	if (error) {
		log_warn("/metrics: store query failed: %s", error);
		/* Keep serving the last figures while the store is away. */
		cache.failed = true;
		reply_waiting(app, mq->generation, true);
		free(mq);
		return;
	}
	struct evbuffer *out = evbuffer_new();
	const char *last = "";
	/* A metric not available here has no series, rather than zeros. */
	bool *unavailable = xcalloc(catalog_nmetrics, sizeof(*unavailable));
	for (size_t k = 0; k < catalog_nmetrics; k++) {
		char why[256];
		unavailable[k] =
		    app_unavailable(&catalog_metrics[k], why, sizeof(why), app) != NULL;
	}
	for (int i = 0; i < PQntuples(res); i++) {
		if (PQgetisnull(res, i, 6))
			continue; /* a rate whose denominator is zero */
		const struct metric_def *m = catalog_find(PQgetvalue(res, i, 0));
		if (!m || unavailable[m - catalog_metrics])
			continue; /* !m cannot happen: the query's names are the catalogue's */
		if (strcmp(m->exposition, last) != 0) {
			evbuffer_add_printf(out, "# HELP %s %s (%s, %s), %s\n# TYPE %s gauge\n",
					    m->exposition, m->name_en, m->name_zh, m->name,
					    m->total == TOTAL_STOCK ? "today" : "year to date",
					    m->exposition);
			last = m->exposition;
		}
		evbuffer_add_printf(out, "%s{", m->exposition);
		bool first = true;
		for (int l = 0; l < LABEL_COUNT; l++) {
			const char *v = PQgetvalue(res, i, 1 + l);
			if (!*v)
				continue;
			evbuffer_add_printf(out, "%s%s=\"", first ? "" : ",",
					    catalog_label_names[l]);
			prom_escape(out, v);
			evbuffer_add(out, "\"", 1);
			first = false;
		}
		evbuffer_add_printf(out, "} %s\n", PQgetvalue(res, i, 6));
	}
	free(unavailable);
	size_t len = evbuffer_get_length(out);
	struct figures *f = xmalloc(sizeof(*f) + len + 1);
	f->refs = 1;
	f->len = len;
	evbuffer_remove(out, f->text, len);
	f->text[len] = '\0';
	(void)gzip_head_make(f->text, len, &f->gz);
	evbuffer_free(out);
	figures_unref(cache.figures);
	cache.figures = f;
	cache.failed = false;
	cache.generation = mq->generation;
	cache.version = mq->version;
	cache.availability = mq->availability;
	memcpy(cache.from, mq->from, sizeof(cache.from));
	memcpy(cache.to, mq->to, sizeof(cache.to));
	clock_gettime(CLOCK_MONOTONIC, &cache.at);
	reply_waiting(app, mq->generation, false);
	free(mq);
}

void api_metrics(struct evhttp_request *req, struct app *app)
{
	if (!store_is_ready(app->store)) {
		reply_metrics(req, app);
		return;
	}
	char from[16], to[16];
	period(app, from, to);
	unsigned long generation = store_generation(app->store);
	if (cache.figures && cache.generation == generation && strcmp(cache.from, from) == 0 &&
	    strcmp(cache.to, to) == 0 && age_of(&cache.at) < FIGURES_MAX_AGE &&
	    cache.availability == availability_signature(app)) {
		reply_metrics(req, app);
		return;
	}
	/* Stale or missing: one check (and, if the figures moved, one query)
	 * answers every scrape that arrives while it runs, as long as the
	 * store did not change meanwhile. */
	struct waiter *w = xmalloc(sizeof(*w));
	w->req = req;
	w->generation = generation;
	w->next = cache.waiting;
	cache.waiting = w;
	if (!cache.querying)
		start_query(app);
}

void api_metrics_free(void)
{
	figures_unref(cache.figures);
	cache.figures = NULL;
}
