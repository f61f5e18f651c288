/* GET /api/v1/alerts: every alert of this year's and last year's targets as
 * the store holds it (the state survives restarts, so this is read there,
 * not from memory). No parameters. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "app.h"
#include "http.h"
#include "log.h"
#include "store.h"

static void on_alerts(PGresult *res, const char *error, void *arg)
{
	struct evhttp_request *req = arg;
	if (error || PQntuples(res) != 1) {
		log_warn("/api/v1/alerts: store query failed: %s", error ? error : "no row");
		http_reply_error(req, 503, "store_unavailable", "the store did not answer");
		return;
	}
	const char *text = PQgetvalue(res, 0, 0);
	http_reply_text(req, 200, "application/json; charset=utf-8", text, strlen(text));
}

void api_alerts(struct evhttp_request *req, struct app *app)
{
	static const char *const allowed[] = {NULL};
	struct evkeyvalq q;
	if (!http_parse_query(req, allowed, &q))
		return;
	evhttp_clear_headers(&q);
	if (!store_is_ready(app->store)) {
		http_reply_error(req, 503, "store_unavailable", "the store is not ready");
		return;
	}
	time_t now = app_now(app);
	struct tm tm;
	localtime_r(&now, &tm);
	char year[8];
	snprintf(year, sizeof(year), "%d", tm.tm_year + 1900);
	const char *params[1] = {year};
	store_query(app->store,
		    "SELECT json_build_object('year', $1::int, "
		    "'firing', count(*) FILTER (WHERE state = 'firing'), "
		    "'alerts', coalesce(json_agg(json_build_object("
		    "'alertname', alertname, 'year', year, 'center', nullif(center, ''), "
		    "'indicator', indicator, 'metric', metric, 'labels', labels, "
		    "'state', state, 'since', since, 'starts_at', starts_at, 'ends_at', ends_at, "
		    "'evaluated_at', evaluated_at, 'target', figures->'target', "
		    "'actual', figures->'actual', 'expected', figures->'expected', "
		    "'projected', figures->'projected', 'pace_ratio', figures->'pace_ratio', "
		    "'completion', figures->'completion', 'pacing', figures->'pacing', "
		    "'display', figures->'display', 'summary', annotations->'summary', "
		    "'undelivered', seq > delivered_seq) "
		    "ORDER BY year DESC, center, indicator, alertname), '[]'))::text "
		    "FROM ggzy.alert WHERE year BETWEEN $1::int - 1 AND $1::int",
		    1, params, on_alerts, req);
}
