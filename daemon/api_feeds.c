/* GET /api/v1/feeds: every configured feed (SPEC §10) with its schedule,
 * destination (a URL without its user or query), health and next run, and
 * its deliveries from the store, newest first (the latest 100): period,
 * state (pending, retrying, delivered), attempts, errors and the document
 * sent (format, file name, SHA-256, size). */
#include <jansson.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "app.h"
#include "feeds.h"
#include "feeds_store.h"
#include "http.h"
#include "log.h"
#include "store.h"
#include "wallclock.h"
#include "xmalloc.h"

struct feeds_job {
	struct evhttp_request *req;
	struct app *app;
};

static json_t *time_json(long long t)
{
	if (t <= 0)
		return json_null();
	char buf[40];
	wallclock_format_local((time_t)t, buf, sizeof(buf));
	return json_string(buf);
}

static json_t *text_or_null(PGresult *res, int row, int col)
{
	return PQgetisnull(res, row, col) ? json_null() : json_string(PQgetvalue(res, row, col));
}

static json_t *epoch_json(PGresult *res, int row, int col)
{
	return PQgetisnull(res, row, col) ? json_null()
					  : time_json(atoll(PQgetvalue(res, row, col)));
}

/* What the daemon knows of a feed without the store. */
json_t *api_feed_json(const struct feed_status *st)
{
	json_t *o = json_object();
	json_object_set_new(o, "name", json_string(st->name));
	json_object_set_new(o, "what", json_string(st->what));
	json_object_set_new(o, "schedule", json_string(st->schedule));
	json_object_set_new(o, "center", st->center ? json_string(st->center) : json_null());
	json_object_set_new(o, "format", json_string(st->format));
	json_object_set_new(o, "destination", json_string(st->destination));
	json_object_set_new(o, "up", json_boolean(st->up));
	json_object_set_new(o, "pending",
			    st->pending >= 0 ? json_integer(st->pending) : json_null());
	json_object_set_new(o, "last_success", time_json(st->last_success));
	json_object_set_new(o, "last_period",
			    *st->last_period ? json_string(st->last_period) : json_null());
	json_t *err = st->last_error ? json_string(st->last_error) : json_null();
	json_object_set_new(o, "last_error", err ? err : json_string("(not valid UTF-8)"));
	json_object_set_new(o, "next_run", time_json(st->next_run));
	json_object_set_new(o, "next_period",
			    st->next_period && *st->next_period ? json_string(st->next_period)
								: json_null());
	return o;
}

static void on_list(PGresult *res, const char *error, void *arg)
{
	struct feeds_job *j = arg;
	if (error) {
		log_warn("/api/v1/feeds: store query failed: %s", error);
		http_reply_error(j->req, 503, "store_unavailable", "the store did not answer");
		free(j);
		return;
	}
	json_t *feeds = json_array();
	size_t n = feeds_count(j->app->feeds);
	for (size_t i = 0; i < n; i++) {
		struct feed_status st;
		feeds_status(j->app->feeds, i, &st);
		json_t *o = api_feed_json(&st);
		json_t *list = json_array();
		for (int r = 0; r < PQntuples(res); r++) {
			if (strcmp(PQgetvalue(res, r, 0), st.name) != 0)
				continue;
			json_t *d = json_object();
			json_object_set_new(d, "period", json_string(PQgetvalue(res, r, 1)));
			json_object_set_new(d, "what", json_string(PQgetvalue(res, r, 2)));
			json_object_set_new(d, "state", json_string(PQgetvalue(res, r, 3)));
			json_object_set_new(d, "due_at", epoch_json(res, r, 4));
			json_object_set_new(d, "attempts",
					    json_integer(atoi(PQgetvalue(res, r, 5))));
			json_object_set_new(d, "last_attempt_at", epoch_json(res, r, 6));
			json_t *e = text_or_null(res, r, 7);
			json_object_set_new(d, "last_error", e ? e : json_string("(not UTF-8)"));
			json_object_set_new(d, "delivered_at", epoch_json(res, r, 8));
			json_object_set_new(d, "delivered_to", text_or_null(res, r, 9));
			json_object_set_new(d, "response", text_or_null(res, r, 10));
			json_object_set_new(d, "format", text_or_null(res, r, 11));
			json_object_set_new(d, "filename", text_or_null(res, r, 12));
			json_object_set_new(d, "sha256", text_or_null(res, r, 13));
			json_object_set_new(d, "bytes",
					    PQgetisnull(res, r, 14)
						? json_null()
						: json_integer(atoll(PQgetvalue(res, r, 14))));
			json_array_append_new(list, d);
		}
		json_object_set_new(o, "deliveries", list);
		json_array_append_new(feeds, o);
	}
	http_reply_json(j->req, 200, json_pack("{s:o}", "feeds", feeds));
	free(j);
}

void api_feeds(struct evhttp_request *req, struct app *app)
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
	struct feeds_job *j = xcalloc(1, sizeof(*j));
	j->req = req;
	j->app = app;
	char *names = feeds_names(app->feeds);
	feeds_store_list(app->store, names, on_list, j);
	free(names);
}
