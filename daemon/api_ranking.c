/* GET /api/v1/ranking?year=Y[&center=C]: the centres one level below C
 * (the top of the hierarchy without C), each with the main figures of the
 * year (to today while it runs) and of the same days a year earlier,
 * ranked by deal amount: the page's table of subordinate centres. Every
 * figure is an indicator of indicators.h, so it is the report's own. */
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "app.h"
#include "catalog.h"
#include "days.h"
#include "figure_format.h"
#include "http.h"
#include "indicators.h"
#include "log.h"
#include "period.h"
#include "sql_files.h"
#include "store.h"
#include "wallclock.h"
#include "xmalloc.h"

static const char *const ranked[] = {"deal_amount", "deals_count",	   "savings_amount",
				     "e_bid_rate",  "remote_opening_rate", "service_fee_amount"};
#define NRANKED (sizeof(ranked) / sizeof(ranked[0]))

struct ranking {
	struct evhttp_request *req;
	struct store *store;
	int year;
	char *center;
	struct period period;
	struct indicator_query queries[NRANKED];
	json_t *centers; /* each: code, name, level, figures */
	size_t next;	 /* the centre whose figures are read */
};

static void ranking_free(struct ranking *r)
{
	json_decref(r->centers);
	free(r->center);
	free(r);
}

static int by_deal_amount(const void *a, const void *b)
{
	/* Amounts are decimal strings with two decimals: compare as numbers. */
	const char *x = json_string_value(json_object_get(
	    json_object_get(json_object_get(*(json_t *const *)a, "figures"), "deal_amount"),
	    "value"));
	const char *y = json_string_value(json_object_get(
	    json_object_get(json_object_get(*(json_t *const *)b, "figures"), "deal_amount"),
	    "value"));
	struct dec dx, dy;
	int c = 0;
	if (x && y && dec_parse(x, &dx) && dec_parse(y, &dy) && dec_cmp(dx, dy, &c))
		return -c;
	return 0;
}

static void reply(struct ranking *r)
{
	size_t n = json_array_size(r->centers);
	json_t **items = xcalloc(n, sizeof(*items));
	for (size_t i = 0; i < n; i++)
		items[i] = json_incref(json_array_get(r->centers, i));
	qsort(items, n, sizeof(*items), by_deal_amount);
	json_t *sorted = json_array();
	for (size_t i = 0; i < n; i++)
		json_array_append_new(sorted, items[i]);
	free(items);
	json_t *metrics = json_array();
	for (size_t k = 0; k < NRANKED; k++)
		json_array_append_new(metrics, json_string(ranked[k]));
	http_reply_json(
	    r->req, 200,
	    json_pack("{s:i, s:o, s:{s:s, s:s, s:b}, s:{s:s, s:s}, s:o, s:o}", "year", r->year,
		      "center", r->center ? json_string(r->center) : json_null(), "period", "from",
		      r->period.from_text, "to", r->period.to_text, "closed", r->period.closed,
		      "previous_period", "from", r->period.prev_from_text, "to",
		      r->period.prev_to_text, "metrics", metrics, "centers", sorted));
	ranking_free(r);
}

static void next_center(struct ranking *r);

static void on_figures(enum indicators_status status, const struct indicator_figure *figs, size_t n,
		       void *arg)
{
	struct ranking *r = arg;
	if (status != INDICATORS_OK || n != NRANKED) {
		http_reply_error(r->req, 503, "store_unavailable", "the store did not answer");
		ranking_free(r);
		return;
	}
	json_t *figures = json_object();
	for (size_t k = 0; k < NRANKED; k++) {
		const struct metric_def *m = r->queries[k].metric;
		json_object_set_new(
		    figures, m->name,
		    json_pack("{s:o, s:o}", "value",
			      figure_json(m, figs[k].value[0], figs[k].defined[0]), "previous",
			      figure_json(m, figs[k].value[1], figs[k].defined[1])));
	}
	json_object_set_new(json_array_get(r->centers, r->next), "figures", figures);
	r->next++;
	next_center(r);
}

static void next_center(struct ranking *r)
{
	if (r->next == json_array_size(r->centers)) {
		reply(r);
		return;
	}
	const char *code =
	    json_string_value(json_object_get(json_array_get(r->centers, r->next), "code"));
	for (size_t i = 0; i < NRANKED; i++) {
		r->queries[i].period[0] = r->period.from_text;
		r->queries[i].period[1] = r->period.to_text;
		r->queries[i].period[2] = r->period.prev_from_text;
		r->queries[i].period[3] = r->period.prev_to_text;
	}
	indicators_fetch(r->store, code, r->queries, NRANKED, on_figures, r);
}

static void on_centers(PGresult *res, const char *error, void *arg)
{
	struct ranking *r = arg;
	if (error) {
		log_warn("/api/v1/ranking: store query failed: %s", error);
		http_reply_error(r->req, 503, "store_unavailable", "the store did not answer");
		ranking_free(r);
		return;
	}
	if (PQntuples(res) < 1 || PQgetvalue(res, 0, 0)[0] != 't') {
		http_reply_error(r->req, 404, "unknown_center",
				 "centre '%.64s' is not in the store's centre hierarchy",
				 r->center);
		ranking_free(r);
		return;
	}
	for (int i = 0; i < PQntuples(res); i++)
		if (!PQgetisnull(res, i, 1))
			json_array_append_new(r->centers, json_pack("{s:s, s:s, s:s}", "code",
								    PQgetvalue(res, i, 1), "name",
								    PQgetvalue(res, i, 2), "level",
								    PQgetvalue(res, i, 3)));
	next_center(r);
}

void api_ranking(struct evhttp_request *req, struct app *app)
{
	static const char *const allowed[] = {"year", "center", NULL};
	struct evkeyvalq q;
	if (!http_parse_query(req, allowed, &q))
		return;
	const char *year_s = evhttp_find_header(&q, "year");
	const char *center = evhttp_find_header(&q, "center");
	char today_text[11];
	int this_year = wallclock_day(wallclock_now(&app->clock), today_text);
	long today = 0;
	int year = 0;
	struct period p;
	if (!year_s || strlen(year_s) != 4 || strspn(year_s, "0123456789") != 4)
		http_reply_error(req, 400, "bad_parameter", "'year' must be a year such as 2021");
	else if (center && (!*center || strlen(center) > 64))
		http_reply_error(req, 400, "bad_parameter", "'center' must be a centre code");
	else if ((year = atoi(year_s)) <= DAYS_MIN_YEAR || year > this_year ||
		 !days_parse(today_text, &today) || !period_of_year(year, 0, 0, today, &p))
		http_reply_error(req, 400, "bad_parameter",
				 "'year' must be between %d and %d (this year)", DAYS_MIN_YEAR + 1,
				 this_year);
	else if (!store_is_ready(app->store))
		http_reply_error(req, 503, "store_unavailable", "the store is not ready");
	else {
		struct ranking *r = xcalloc(1, sizeof(*r));
		r->req = req;
		r->store = app->store;
		r->year = year;
		r->center = xstrdup_or_null(center);
		r->period = p;
		r->centers = json_array();
		for (size_t k = 0; k < NRANKED; k++)
			r->queries[k].metric = catalog_find(ranked[k]);
		const char *params[1] = {center};
		store_query(app->store, sql_text("queries/ranking_centers.sql"), 1, params,
			    on_centers, r);
	}
	evhttp_clear_headers(&q);
}
