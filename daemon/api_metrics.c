/* GET /metrics (Prometheus text, year to date) and GET /api/v1/metrics (the
 * catalogue). Both read catalog_metrics[] and nothing else. */
#include <event2/buffer.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "alerts.h"
#include "app.h"
#include "catalog.h"
#include "config.h"
#include "days.h"
#include "http.h"
#include "log.h"
#include "scheduler.h"
#include "sql_files.h"
#include "store.h"

void api_catalog(struct evhttp_request *req, struct app *app)
{
	(void)app;
	json_t *list = json_array();
	for (size_t i = 0; i < catalog_nmetrics; i++) {
		const struct metric_def *m = &catalog_metrics[i];
		json_t *labels = json_array();
		for (int l = 0; l < LABEL_COUNT; l++)
			if (m->labels & (1u << l))
				json_array_append_new(labels, json_string(catalog_label_names[l]));
		json_t *o = json_pack("{s:s, s:s, s:s, s:s, s:s, s:o, s:b}", "name", m->name,
				      "name_zh", m->name_zh, "name_en", m->name_en, "unit",
				      m->unit, "kind", catalog_kind_name(m->kind), "labels",
				      labels, "derived", catalog_is_derived(m));
		if (catalog_is_derived(m)) {
			json_object_set_new(o, "numerator", json_string(m->numerator));
			json_object_set_new(o, "denominator", m->denominator
								  ? json_string(m->denominator)
								  : json_null());
			if (m->exclude_kind)
				json_object_set_new(o, "exclude_kind", json_string(m->exclude_kind));
		}
		json_array_append_new(list, o);
	}
	http_reply_json(req, 200, json_pack("{s:o}", "metrics", list));
}

/* Parallel array literals for sql/queries/figures.sql. */
struct figure_arrays {
	char name[4096], num[4096], den[4096], excl[1024], labels[1024], scale[1024];
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
	for (size_t i = 0; i < catalog_nmetrics; i++) {
		const struct metric_def *m = &catalog_metrics[i];
		char bits[16];
		snprintf(bits, sizeof(bits), "%u", m->labels);
		append(a->name, sizeof(a->name), m->name);
		append(a->num, sizeof(a->num), catalog_is_derived(m) ? m->numerator : m->name);
		append(a->den, sizeof(a->den), m->denominator);
		append(a->excl, sizeof(a->excl), m->exclude_kind);
		append(a->labels, sizeof(a->labels), bits);
		append(a->scale, sizeof(a->scale), m->kind == METRIC_AMOUNT ? "2" : "0");
	}
	strcat(a->name, "}");
	strcat(a->num, "}");
	strcat(a->den, "}");
	strcat(a->excl, "}");
	strcat(a->labels, "}");
	strcat(a->scale, "}");
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
			case 1: evbuffer_add_printf(out, "%lld\n", (long long)st.last_success); break;
			case 2: evbuffer_add_printf(out, "%.6f\n", st.poll_duration); break;
			case 3: evbuffer_add_printf(out, "%llu\n", st.rows_total); break;
			default: evbuffer_add_printf(out, "%lld\n", (long long)st.last_reconcile); break;
			}
		}
	}
	evbuffer_add_printf(out, "# HELP ggzy_store_up 1 when the store answers\n"
				 "# TYPE ggzy_store_up gauge\nggzy_store_up %d\n",
			    store_is_up(app->store) ? 1 : 0);
}

static void reply_metrics(struct evhttp_request *req, struct app *app, const char *figures)
{
	struct evbuffer *out = evbuffer_new();
	if (figures)
		evbuffer_add(out, figures, strlen(figures));
	alerts_write_metrics(app->alerts, out);
	health_series(out, app);
	size_t len = evbuffer_get_length(out);
	char *text = malloc(len + 1);
	evbuffer_remove(out, text, len);
	evbuffer_free(out);
	http_reply_text(req, 200, "text/plain; version=0.0.4; charset=utf-8", text, len);
	free(text);
}

struct metrics_req {
	struct evhttp_request *req;
	struct app *app;
};

static void on_figures(PGresult *res, const char *error, void *arg)
{
	struct metrics_req *mr = arg;
	struct app *app = mr->app;
	if (error) {
		log_warn("/metrics: store query failed: %s", error);
		/* Keep serving the last figures while the store is away. */
		reply_metrics(mr->req, app, app->figures_cache);
		free(mr);
		return;
	}
	struct evbuffer *out = evbuffer_new();
	const char *last = "";
	for (int i = 0; i < PQntuples(res); i++) {
		if (PQgetisnull(res, i, 6))
			continue; /* a rate whose denominator is zero */
		const char *name = PQgetvalue(res, i, 0);
		if (strcmp(name, last) != 0) {
			const struct metric_def *m = catalog_find(name);
			evbuffer_add_printf(out, "# HELP ggzy_%s %s (%s), year to date\n# TYPE ggzy_%s gauge\n",
					    name, m ? m->name_en : name, m ? m->name_zh : "", name);
			last = name;
		}
		evbuffer_add_printf(out, "ggzy_%s{", name);
		bool first = true;
		for (int l = 0; l < LABEL_COUNT; l++) {
			const char *v = PQgetvalue(res, i, 1 + l);
			if (!*v)
				continue;
			evbuffer_add_printf(out, "%s%s=\"", first ? "" : ",", catalog_label_names[l]);
			http_prom_escape(out, v);
			evbuffer_add(out, "\"", 1);
			first = false;
		}
		evbuffer_add_printf(out, "} %s\n", PQgetvalue(res, i, 6));
	}
	size_t len = evbuffer_get_length(out);
	free(app->figures_cache);
	app->figures_cache = malloc(len + 1);
	evbuffer_remove(out, app->figures_cache, len);
	app->figures_cache[len] = '\0';
	evbuffer_free(out);
	reply_metrics(mr->req, app, app->figures_cache);
	free(mr);
}

void api_metrics(struct evhttp_request *req, struct app *app)
{
	if (!store_is_ready(app->store)) {
		reply_metrics(req, app, app->figures_cache);
		return;
	}
	time_t now = app_now(app);
	struct tm tm;
	localtime_r(&now, &tm); /* TZ is the configured time zone (main.c) */
	/* Year to date: from 1 January to today, both in the centre's zone. */
	char from[16], to[16];
	snprintf(from, sizeof(from), "%04d-01-01", tm.tm_year + 1900);
	strftime(to, sizeof(to), "%Y-%m-%d", &tm);
	static struct figure_arrays arrays;
	if (arrays.name[0] == '\0')
		api_figure_arrays(&arrays);
	const char *params[] = {arrays.name, arrays.num, arrays.den, arrays.excl,
				arrays.labels, arrays.scale, from, to};
	struct metrics_req *mr = malloc(sizeof(*mr));
	mr->req = req;
	mr->app = app;
	store_query(app->store, sql_text("queries/figures.sql"), 8, params, on_figures, mr);
}
