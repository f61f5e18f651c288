/* GET /api/v1/series: one metric over a date range by step, with label
 * filters. The parameters are validated by series_params_parse (pure) and
 * reach SQL only as bound parameters of sql/queries/series.sql. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "app.h"
#include "catalog.h"
#include "config.h"
#include "http.h"
#include "kept.h"
#include "log.h"
#include "series_params.h"
#include "sql_files.h"
#include "store.h"
#include "xmalloc.h"

#define NPARAMS 14

struct series_req {
	struct evhttp_request *req;
	const struct metric_def *metric;
	char step[16];
	struct app *app;
	char *key;	       /* the request URI, for the cache */
	long long version;     /* the store's before the query, or -1 */
	char *params[NPARAMS]; /* of queries/series.sql, owned */
};

static void series_req_free(struct series_req *sr)
{
	free(sr->key);
	for (int i = 0; i < NPARAMS; i++)
		free(sr->params[i]);
	free(sr);
}

/* Answers kept while the store's figures version has not moved (dashboards
 * ask the same series over and over): the last 64 distinct requests. A kept
 * answer costs a one-row read of the version, shared by the requests that
 * arrive together, instead of the series query. */
static struct kept_slot series_slots[64];
static struct kept series_kept = KEPT_INIT(series_slots, 256 * 1024);

void api_series_free(void) { kept_clear(&series_kept); }

static json_t *point_value(const struct metric_def *m, PGresult *res, int row)
{
	if (m->kind == METRIC_RATE) {
		if (PQgetisnull(res, row, 2))
			return json_null();
		return json_real(strtod(PQgetvalue(res, row, 2), NULL));
	}
	const char *v = PQgetvalue(res, row, 1);
	if (m->kind == METRIC_AMOUNT)
		return json_string(v);
	errno = 0;
	long long n = strtoll(v, NULL, 10);
	if (errno)
		return json_string(v); /* beyond 2^63: keep it exact as text */
	return json_integer(n);
}

static json_t *series_body(const struct series_req *sr)
{
	return json_pack("{s:s, s:s, s:s, s:s}", "metric", sr->metric->name, "unit",
			 sr->metric->unit, "kind", catalog_kind_name(sr->metric->kind), "step",
			 sr->step);
}

static void on_series(PGresult *res, const char *error, void *arg)
{
	struct series_req *sr = arg;
	if (error) {
		log_warn("series %s: store query failed: %s", sr->metric->name, error);
		http_reply_error(sr->req, 503, "store_unavailable", "the store did not answer");
		series_req_free(sr);
		return;
	}
	json_t *points = json_array();
	for (int i = 0; i < PQntuples(res); i++)
		json_array_append_new(points,
				      json_pack("{s:s, s:o}", "start", PQgetvalue(res, i, 0),
						"value", point_value(sr->metric, res, i)));
	json_t *body = series_body(sr);
	json_object_set_new(body, "points", points);
	char *text = json_dumps(body, JSON_COMPACT | JSON_PRESERVE_ORDER);
	json_decref(body);
	if (sr->version >= 0)
		kept_put(&series_kept, sr->key, strlen(sr->key), sr->version, text, strlen(text));
	http_reply_text(sr->req, 200, "application/json; charset=utf-8", text, strlen(text));
	free(text);
	series_req_free(sr);
}

static void on_version(bool ok, long long version, void *arg)
{
	struct series_req *sr = arg;
	size_t len;
	const char *hit =
	    ok ? kept_find(&series_kept, sr->key, strlen(sr->key), version, &len) : NULL;
	if (hit) {
		http_reply_text(sr->req, 200, "application/json; charset=utf-8", hit, len);
		series_req_free(sr);
		return;
	}
	/* The series read after the version: it is at least that new. */
	sr->version = ok ? version : -1;
	store_query(sr->app->store, sql_text("queries/series.sql"), NPARAMS,
		    (const char *const *)sr->params, on_series, sr);
}

void api_series(struct evhttp_request *req, struct app *app)
{
	const char *query = evhttp_uri_get_query(evhttp_request_get_evhttp_uri(req));
	const struct series_limits limits = {.max_points = app->cfg->max_series_points};
	struct series_params p;
	struct http_error err;
	if (!series_params_parse(query, &limits, &p, &err)) {
		http_reply_error(req, err.status, err.code, "%s", err.message);
		return;
	}
	char why[256];
	if (app_unavailable(p.metric, why, sizeof(why), app)) {
		http_reply_error(req, 409, "metric_unavailable", "%s", why);
		return;
	}
	struct series_req *sr = xcalloc(1, sizeof(*sr));
	sr->req = req;
	sr->metric = p.metric;
	snprintf(sr->step, sizeof(sr->step), "%s", p.step);
	if (p.empty) {
		json_t *body = series_body(sr);
		json_object_set_new(body, "points", json_array());
		http_reply_json(req, 200, body);
		series_req_free(sr);
		return;
	}
	const struct metric_def *m = p.metric;
	const char *params[NPARAMS] = {
	    catalog_is_derived(m) ? m->numerator
	    : m->distinct_of	  ? m->distinct_of
				  : m->name,
	    m->denominator,
	    m->exclude_kind,
	    p.from,
	    p.to,
	    p.step,
	    p.labels[0],
	    p.labels[1],
	    p.labels[2],
	    p.labels[3],
	    p.labels[4],
	    p.cumulative ? "true" : "false",
	    m->kind == METRIC_AMOUNT ? "2" : "0",
	    catalog_total_name(m->total),
	};
	sr->app = app;
	sr->key = xstrdup(evhttp_request_get_uri(req));
	for (int i = 0; i < NPARAMS; i++)
		sr->params[i] = xstrdup_or_null(params[i]);
	store_version(app->store, on_version, sr);
}
