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
#include "sql_files.h"
#include "store.h"
#include "wallclock.h"

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
	char today[11], year[8];
	snprintf(year, sizeof(year), "%d", wallclock_day(wallclock_now(&app->clock), today));
	const char *params[1] = {year};
	store_query(app->store, sql_text("queries/alerts_list.sql"), 1, params, on_alerts, req);
}
